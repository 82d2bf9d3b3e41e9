# Delegations and acting for another member (identity::households::delegation, app pages/account/household/delegations.rs).

## The household page's section
delegation-section-title = Vollmachten zwischen Mitgliedern
delegation-section-intro = Sie können einer anderen erwachsenen Person Ihres Haushalts erlauben, bestimmte Dinge in Ihrem Konto zu tun, für begrenzte Zeit, höchstens ein Jahr. Ihr Passwort, Ihre Anmeldemethoden, Geräte, Sitzungen und Sicherheitseinstellungen bleiben ihr immer verschlossen, und alles, was sie tut, erscheint in Ihrer Aktivität. Sie können eine Vollmacht jederzeit widerrufen.
delegation-given-title = Vollmachten, die Sie erteilt haben
delegation-received-title = Vollmachten, die Sie erhalten haben
delegation-none-given = Sie haben niemandem eine Vollmacht erteilt.
delegation-none-received = Niemand hat Ihnen eine Vollmacht erteilt.
delegation-to = An { $name }
delegation-from = Von { $name }
delegation-until = Bis { $date }
delegation-permission-view-profile = Das Profil sehen (Namen, Geburtsdatum, Adresse)
delegation-permission-manage-consents = Einwilligungen und Präferenzen verwalten
delegation-permission-manage-loyalty = Treueprogramm-Mitgliedschaften verwalten
delegation-permission-manage-profile = Das Profil ändern
delegation-permission-approve-consents = Einwilligungen freigeben, die auf eine erziehungsberechtigte Person warten
delegation-permission-act-at-brand = Sich bei { $brand } in Ihrem Namen anmelden
delegation-permission-act-at-brand-any = Sich bei einer Marke in Ihrem Namen anmelden (Marke unten wählen)
delegation-renew = Verlängern bis
delegation-renew-submit = Verlängern
delegation-revoke = Widerrufen
delegation-revoke-label = Die Vollmacht für { $name } widerrufen
delegation-decline = Ablehnen
delegation-decline-label = Die Vollmacht von { $name } ablehnen
delegation-grant-title = Vollmacht erteilen
delegation-grant-member = Mitglied
delegation-grant-permissions = Was die Person tun darf
delegation-grant-brand = Marke (nur für die Anmeldung in Ihrem Namen)
delegation-grant-brand-none = Keine Marke
delegation-grant-until = Letzter Tag (höchstens ein Jahr ab heute)
delegation-grant-submit = Vollmacht erteilen
delegation-grant-no-members = In Ihrem Haushalt gibt es noch keine weitere erwachsene Person.
delegation-done = Gespeichert.

## Acting for someone
delegation-act-title = Für jemanden handeln
delegation-act-for = Für { $name } handeln
delegation-act-via-guardian = Sie sind für { $name } erziehungsberechtigt.
delegation-act-via-delegation = Erlaubt bis { $date }.
delegation-banner-label = Sie handeln für eine andere Person
delegation-banner = Sie handeln für { $name }. Was Sie hier ändern, ändert deren Konto.
delegation-banner-back = Zurück zu meinem Konto

## The consent screen's chooser (a brand that accepts delegated sign-ins)
delegation-chooser-heading = Bei { $brand } anmelden
delegation-chooser-question = Als wer melden Sie sich an?
delegation-chooser-self = Als ich selbst ({ $me })
delegation-chooser-self-hint = { $brand } sieht Ihr eigenes Konto.
delegation-chooser-for = Im Namen von { $name }
delegation-chooser-for-hint = { $brand } sieht das Konto von { $name } und erfährt, dass Sie ({ $me }) für diese Person handeln. { $name } hat Ihnen diese Vollmacht erteilt und kann sie jederzeit beenden.

## The activity page
delegation-activity-by = durch { $name } in Ihrem Namen
delegation-activity-for = im Namen von { $name }
delegation-activity-someone = ein ehemaliges Haushaltsmitglied
delegation-activity-granted = Zwischen Haushaltsmitgliedern wurde eine Vollmacht erteilt
delegation-activity-renewed = Eine Vollmacht zwischen Haushaltsmitgliedern wurde verlängert
delegation-activity-revoked = Eine Vollmacht zwischen Haushaltsmitgliedern wurde beendet
delegation-activity-signed-in-on-behalf = Bei einer Marke im Namen einer anderen Person angemeldet
delegation-activity-token-exchanged = Eine Marke hat Zugriff im Namen einer anderen Person erhalten
