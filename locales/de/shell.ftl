# shell: the page shell (header, footer, language switcher), home, help, 404, the consent page.
shell-skip-to-content = Zum Inhalt springen
shell-session-nav = Ihre Sitzung
shell-language-nav = Sprache
shell-your-account = Ihr Konto
shell-sign-in = Anmelden
shell-sign-out = Abmelden
shell-create-account = Konto erstellen
shell-mark-home = {$product} – Startseite
shell-brand-with-product = mit {$product}
shell-brand-website = Website von {$brand}
shell-brand-support = Hilfe und Support
shell-brand-support-email = Support: {$email}
shell-brand-terms = Nutzungsbedingungen
shell-brand-privacy = Datenschutzerklärung
shell-brand-links = Links von {$brand}
shell-footer-nav = Hilfe und Informationen
shell-footer-help = Hilfe
shell-footer-home = Startseite von {$product}
shell-footer-note = {$product}: ein Konto für alle Marken der Gruppe.

# Home
shell-home-welcome = Willkommen
shell-home-lead = {$product} ist ein Konto für alle Marken der Gruppe: Sie melden sich einmal an und entscheiden, was jede Marke sehen darf.
shell-home-what = Was Ihr Konto für Sie tut
shell-home-what-one = Melden Sie sich bei jeder Marke der Gruppe mit derselben E-Mail-Adresse und demselben Passwort oder mit einem Passkey an.
shell-home-what-share = Bestimmen Sie, was jede Marke erhält, sehen Sie, mit wem Sie Daten teilen, und trennen Sie eine Marke jederzeit.
shell-home-what-secure = Schützen Sie Ihr Konto mit der Bestätigung in zwei Schritten und sehen Sie, wo Sie angemeldet sind.
shell-home-brands-heading = Marken
shell-home-no-brands = Noch keine Marke nutzt dieses Konto.
shell-home-hello = Guten Tag
shell-home-hello-name = Guten Tag, {$name}
shell-home-signed-in-lead = Alles zu Ihrem Konto bei {$product} an einem Ort.
shell-home-shortcuts = Ihr Konto
shell-home-profile = Profil
shell-home-profile-text = Ihr Name, Ihre E-Mail-Adresse, Sprache und Zeitzone.
shell-home-security = Sicherheit
shell-home-security-text = Ihr Passwort, die Bestätigung in zwei Schritten, Passkeys und Wiederherstellungscodes.
shell-home-devices = Geräte
shell-home-devices-text = Wo Sie angemeldet sind, und Abmelden auf anderen Geräten.
shell-home-brands = Verbundene Marken
shell-home-brands-text = Die Marken, mit denen Sie Daten teilen, und was jede erhält.
shell-home-activity = Aktivität
shell-home-activity-text = Letzte Anmeldungen und Änderungen an Ihrem Konto.

# Help
shell-help-title = Hilfe
shell-help-lead = Antworten auf die häufigsten Fragen zu Ihrem Konto bei {$product}.
shell-help-sign-in-q = Wie melde ich mich an?
shell-help-sign-in-a = Verwenden Sie die E-Mail-Adresse und das Passwort Ihres Kontos bei {$product} oder einen Passkey, falls Sie einen hinzugefügt haben. Auf der Website einer Marke wählen Sie deren Anmeldeschaltfläche: Sie führt Sie hierher und wieder zurück.
shell-help-password-q = Ich habe mein Passwort vergessen
shell-help-password-a = Fordern Sie einen Link zum Zurücksetzen an: Wir senden ihn an Ihre E-Mail-Adresse. Der Link funktioniert einmal und nur kurze Zeit. Wenn Sie die Bestätigung in zwei Schritten nutzen, brauchen Sie nach dem Zurücksetzen weiterhin Ihren Code.
shell-help-password-link = Passwort zurücksetzen
shell-help-code-q = Kann ich mich ohne Passwort anmelden?
shell-help-code-a = Ja: Fordern Sie einen Einmalcode per E-Mail an, oder verwenden Sie einen Passkey auf diesem Gerät.
shell-help-code-link = Mit einem Code per E-Mail anmelden
shell-help-two-step-q = Was ist die Bestätigung in zwei Schritten?
shell-help-two-step-a = Nach Ihrem Passwort geben Sie zusätzlich einen Code aus einer Authenticator-App ein. Wer Ihr Passwort erfährt, kann sich trotzdem nicht anmelden. Sie schalten sie unter Sicherheit ein.
shell-help-lost-q = Ich habe das Smartphone mit meiner Authenticator-App verloren
shell-help-lost-a = Melden Sie sich mit einem der Wiederherstellungscodes an, die Sie beim Einschalten der Bestätigung in zwei Schritten gespeichert haben. Jeder Code funktioniert einmal. Richten Sie danach die App auf Ihrem neuen Smartphone ein und erstellen Sie neue Wiederherstellungscodes.
shell-help-brands-q = Was sehen die Marken?
shell-help-brands-a = Eine Marke erhält nur die Angaben, die Sie bei Ihrer ersten Anmeldung dort erlaubt haben. Unter „Verbundene Marken“ sehen Sie, was jede erhält, und können sie trennen; {$product} beendet dann ihren Zugriff.
shell-help-language-q = Wie ändere ich die Sprache?
shell-help-language-a = Wählen Sie Ihre Sprache oben auf jeder Seite. Wir merken uns die Wahl auf diesem Gerät.

# 404
shell-not-found-title = Seite nicht gefunden
shell-not-found-text = Unter dieser Adresse gibt es nichts. Die Seite wurde vielleicht verschoben, oder der Link ist falsch geschrieben.

# Development mailbox
shell-dev-mail-title = Entwicklungs-Postfach
shell-dev-mail-lead = Nachrichten, die ohne konfigurierten Mailserver gesendet wurden, die neueste zuerst. Laden Sie die Seite neu, um neue Nachrichten zu sehen.
shell-dev-mail-empty = Noch keine Nachrichten.
shell-dev-mail-to = An {$to}
shell-dev-mail-unavailable = Nachrichten nicht verfügbar

# Service status (operator view)
shell-status-title = Dienststatus
shell-status-lead = Fragen Sie den Server, ob seine Datenbank erreichbar ist.
shell-status-check = Status prüfen
shell-status-checking = Wird geprüft …
shell-status-ready = bereit
shell-status-not-reachable = nicht erreichbar
shell-status-database = Datenbank: {$backend}, {$state}
shell-status-backlog = Rückstau im Postausgang: {$count}
shell-status-unavailable = Status nicht verfügbar: {$reason}

# Consent
shell-consent-title = Ihre Angaben teilen
shell-consent-sign-in-title = Bitte melden Sie sich an
shell-consent-session-ended = Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an, um fortzufahren.
shell-consent-cannot-continue = Diese Anmeldung kann nicht fortgesetzt werden
shell-consent-too-long = Diese Anmeldung hat zu lange gedauert. Bitte kehren Sie zur Website zurück und beginnen Sie erneut.
shell-consent-heading = {$brand} möchte auf Ihr Konto zugreifen
shell-consent-will-be-able = Was {$brand} von {$product} erhält
shell-consent-requested-by = Angefragt von {$client}. Sie können {$brand} jederzeit trennen unter
shell-consent-already-shared = bereits geteilt
shell-consent-allow = Erlauben
shell-consent-deny = Ablehnen
shell-consent-signed-in-as = Angemeldet als
shell-consent-not-you = – nicht Sie?
shell-consent-switch = Anderes Konto verwenden
shell-scope-openid = Wer Sie sind (eine Kontokennung)
shell-scope-profile = Ihr Name, Ihr Geburtsdatum und Ihre Sprache
shell-scope-email = Ihre E-Mail-Adresse
shell-scope-phone = Ihre Telefonnummer
shell-scope-address = Ihre Postanschrift
shell-scope-offline-access = Verbunden bleiben, während Sie nicht angemeldet sind
shell-scope-other = Zugriff in Ihrem Namen

# Confirming the email during a brand's sign-in
shell-confirm-title = Bestätigen Sie Ihre E-Mail-Adresse, um zu {$brand} weiterzugehen
shell-confirm-text = {$brand} kann nur eine bestätigte Adresse verwenden. Wir haben eine Nachricht an {$email} gesendet: Öffnen Sie den Link darin, oder geben Sie hier den 6-stelligen Code ein.
shell-confirm-code = Code
shell-confirm-code-hint = 6 Ziffern
shell-confirm-submit = E-Mail-Adresse bestätigen
shell-confirm-no-message = Keine Nachricht erhalten? Sehen Sie in Ihrem Spam-Ordner nach, oder fordern Sie eine neue an.
shell-confirm-resend = E-Mail erneut senden
shell-confirm-sent-again = Wir haben eine neue Nachricht an {$email} gesendet.
shell-confirm-have-confirmed = Ich habe sie bestätigt – weiter
shell-confirm-cancel = Abbrechen und zurück zu {$brand}
shell-confirm-done-title = E-Mail-Adresse bestätigt
shell-confirm-done-text = Ihre Adresse ist bestätigt. {$brand} kann sie jetzt erhalten.
shell-confirm-continue-to = Weiter zu {$brand}
shell-footer-privacy = Datenschutzhinweise
shell-footer-terms = Nutzungsbedingungen
