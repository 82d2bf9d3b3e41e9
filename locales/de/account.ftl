# account: die Seiten des angemeldeten Kunden (Profil, Geräte, Aktivität, verbundene
# Marken) und die Kontonavigation (app/src/pages/account/, app/src/api/settings.rs).
account-nav-label = Konto
account-nav-profile = Profil
account-nav-security = Sicherheit
account-nav-devices = Ihre Geräte
account-nav-activity = Aktivität
account-nav-brands = Verbundene Marken
account-nav-privacy = Datenschutz
account-loading = Wird geladen …
account-signed-out = Bitte melden Sie sich an, um Ihr Konto zu sehen.
account-sign-in = Anmelden
account-cancel = Abbrechen

# Profil
account-profile-title = Ihr Profil
account-verify-heading = Bestätigen Sie Ihre E-Mail-Adresse
account-verify-sent-to = Wir haben einen Bestätigungslink an { $email } gesendet. Marken können Ihr Konto nutzen, sobald die Adresse bestätigt ist.
account-verify-resend = E-Mail erneut senden
account-verify-resent = Gesendet. Bitte sehen Sie in Ihrem Posteingang nach.
account-profile-name = Name
account-profile-given-name = Vorname
account-profile-family-name = Nachname
account-profile-display-name = Anzeigename
account-profile-display-name-hint = So werden Sie von Marken begrüßt.
account-profile-preferences = Kontakt und Einstellungen
account-profile-language = Sprache
account-profile-language-hint = Die Sprache dieser Seiten und unserer E-Mails.
account-profile-language-browser = Wie in meinem Browser eingestellt
account-profile-zone = Zeitzone
account-profile-zone-hint = Zeiten auf diesen Seiten werden in dieser Zone angezeigt.
account-profile-zone-browser = Wie auf meinem Gerät eingestellt
account-profile-phone = Telefon
account-profile-phone-hint = Internationales Format, beginnend mit +.
account-profile-birth-date = Geburtsdatum
account-profile-address = Adresse
account-profile-street = Straße und Hausnummer
account-profile-city = Ort
account-profile-region = Bundesland oder Region
account-profile-postal-code = Postleitzahl
account-profile-country = Land
account-profile-country-hint = Zweistelliger Ländercode, etwa DE oder AT.
account-profile-save = Profil speichern
account-profile-saved = Profil gespeichert.

# Geräte
account-devices-title = Ihre Geräte
account-devices-intro = In diesen Browsern sind Sie bei Ihrem Konto angemeldet. Melden Sie alle ab, die Sie nicht kennen, und ändern Sie dann Ihr Passwort.
account-device-on = {$browser} unter {$os}
account-devices-unknown = Unbekannter Browser
account-devices-this = Dieses Gerät
account-devices-signed-in = Angemeldet:
account-devices-last-seen = zuletzt aktiv:
account-devices-sign-out = Abmelden
account-devices-sign-out-label = { $device } abmelden (zuletzt aktiv: { $when })
account-devices-ended = Das Gerät wurde abgemeldet.
account-devices-end-others = Alle anderen Geräte abmelden
account-devices-end-others-heading = Alle anderen Geräte abmelden?
account-devices-end-others-text = Alle anderen Browser, in denen Sie bei Ihrem Konto angemeldet sind, werden sofort abgemeldet. Dieses Gerät bleibt angemeldet.
account-devices-end-others-confirm = Ja, die anderen Geräte abmelden
account-devices-ended-others = Alle anderen Geräte wurden abgemeldet.
account-devices-ended-others-count = Alle anderen Geräte wurden abgemeldet (beendete Sitzungen: { $n }).

# Aktivität
account-activity-title = Kontoaktivität
account-activity-intro = Anmeldungen, fehlgeschlagene Versuche und Änderungen an Ihrem Konto, die neuesten zuerst.
account-activity-empty = Noch keine Einträge.
account-activity-unknown-device = ein unbekanntes Gerät
account-activity-registered = Konto erstellt
account-activity-imported = Konto importiert
account-activity-email-verified = E-Mail-Adresse bestätigt
account-activity-signed-in = { $how ->
    [mfa] Mit zwei Schritten angemeldet
    [passkey] Mit einem Passkey angemeldet
    [code] Mit einem per E-Mail gesendeten Code angemeldet
   *[password] Angemeldet
}{ $new ->
    [yes] {" "}(neues Gerät)
   *[no] {""}
}: { $device }
account-activity-login-failed = Fehlgeschlagener Anmeldeversuch: { $device }
account-activity-locked = Konto nach zu vielen fehlgeschlagenen Anmeldungen gesperrt
account-activity-unlocked = Konto entsperrt
account-activity-reauthenticated = Passwort bestätigt
account-activity-reauthenticated-passkey = Identität mit einem Passkey bestätigt
account-activity-totp-enabled = Authenticator-App eingerichtet
account-activity-totp-disabled = Authenticator-App entfernt
account-activity-recovery-codes-regenerated = Neue Wiederherstellungscodes erstellt
account-activity-recovery-code-used = Ein Wiederherstellungscode wurde verwendet
account-activity-mfa-failed = Ein falscher Code für den zweiten Schritt wurde eingegeben
account-activity-passkey-added = Passkey hinzugefügt
account-activity-passkey-renamed = Passkey umbenannt
account-activity-passkey-removed = Passkey entfernt
account-activity-passkey-flagged = Passkey gesperrt: Er hat sich wie eine Kopie verhalten
account-activity-device-remembered = Gerät für 30 Tage gemerkt: { $device }
account-activity-password-reset-requested = Zurücksetzen des Passworts angefordert
account-activity-password-reset = Passwort zurückgesetzt
account-activity-password-changed = Passwort geändert
account-activity-provisional-cleared = Alles, was vor der Bestätigung der Adresse eingerichtet wurde, wurde entfernt
account-activity-email-change-requested = Änderung der E-Mail-Adresse angefordert
account-activity-email-changed = E-Mail-Adresse geändert
account-activity-email-change-undone = Änderung der E-Mail-Adresse rückgängig gemacht
account-activity-profile-updated = Profil aktualisiert
account-activity-session-ended = Ein Gerät abgemeldet
account-activity-sessions-ended-others = Alle anderen Geräte abgemeldet
account-activity-brand-connected = Ihre Angaben für eine Marke freigegeben
account-activity-brand-declined = Freigabe Ihrer Angaben für eine Marke abgelehnt
account-activity-brand-disconnected = Verbindung zu einer Marke getrennt
account-activity-brands-signed-out = Von den Websites der Marken abgemeldet
account-activity-token-reused = Eine Anmeldung bei einer Marke wurde doppelt verwendet und zu Ihrem Schutz beendet
account-activity-token-retried = Die App einer Marke hat ihre Anmeldung erneut verlängert, weil die erste Antwort sie nicht erreicht hat
account-activity-support-locked = Unser Support hat Ihr Konto gesperrt
account-activity-support-unlocked = Unser Support hat Ihr Konto entsperrt
account-activity-support-reset-link-sent = Unser Support hat Ihnen einen Link zum Zurücksetzen des Passworts geschickt
account-activity-support-verification-resent = Unser Support hat die Bestätigung Ihrer Adresse erneut geschickt
account-activity-support-sessions-ended = Unser Support hat Sie überall abgemeldet
account-activity-support-profile-corrected = Unser Support hat eine Angabe in Ihrem Profil korrigiert
account-activity-support-phone-consent = Unser Support hat eine telefonische Entscheidung von Ihnen festgehalten
account-activity-support-second-factors-reset = Unser Support hat Ihre Bestätigung in zwei Schritten zurückgesetzt
account-activity-support-loyalty-decided = Unser Support hat über eine Mitgliedschaft in einem Treueprogramm entschieden
account-activity-other = Sonstige Kontoänderung

# Verbundene Marken
account-brands-title = Verbundene Marken
account-brands-intro = Diese Marken können einige Ihrer Angaben sehen, weil Sie es bei der Anmeldung auf einer ihrer Websites erlaubt haben. Trennen Sie die Verbindung zu einer Marke, um nichts mehr zu teilen: Bei Ihrer nächsten Anmeldung dort fragt sie erneut.
account-brands-none = Mit Ihrem Konto sind noch keine Marken verbunden.
account-brands-website = Website von { $brand }
account-brands-receives = Erhält:
account-brands-connected-since = Verbunden seit
account-brands-last-used = Zuletzt verwendet
account-brands-disconnect = Verbindung trennen
account-brands-disconnect-label = Verbindung zu { $brand } trennen
account-brands-disconnect-heading = Verbindung zu { $brand } trennen?
account-brands-disconnect-text = { $brand } kann Ihre Angaben dann nicht mehr sehen, und Sie werden auf den Websites der Marke abgemeldet. Bei Ihrer nächsten Anmeldung dort fragt die Marke erneut.
account-brands-disconnect-confirm = Ja, Verbindung zu { $brand } trennen
account-brands-disconnected = Die Verbindung zu { $brand } wurde getrennt. Die Marke kann Ihre Angaben nicht mehr sehen, und Sie wurden dort abgemeldet.
account-brands-disconnected-plain = Die Verbindung zur Marke wurde getrennt. Sie kann Ihre Angaben nicht mehr sehen, und Sie wurden dort abgemeldet.
account-scope-openid = Wissen, wer Sie sind (eine Kontokennung)
account-scope-profile = Ihr Name, Geburtsdatum, Ihre Sprache und Zeitzone
account-scope-email = Ihre E-Mail-Adresse
account-scope-phone = Ihre Telefonnummer
account-scope-address = Ihre Postanschrift
account-scope-offline-access = Verbunden bleiben, auch wenn Sie die Website gerade nicht nutzen
account-scope-consents = Ihre Einwilligungen für sie (wozu Sie zugestimmt haben)
account-scope-other = Zugriff in Ihrem Namen
