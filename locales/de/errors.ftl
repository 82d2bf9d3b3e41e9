# Fehler, die Kunden sehen (app::error).
error-fields = Bitte korrigieren Sie die markierten Felder.
error-sign-in-required = Bitte melden Sie sich an, um fortzufahren.
error-reauth-required = Bitte bestätigen Sie Ihr Passwort, um fortzufahren.
error-second-factor-required = Geben Sie den Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein.
error-throttled = Zu viele Versuche. Versuchen Sie es in {$seconds} Sekunden erneut.
error-forbidden = Das dürfen Sie nicht tun.
error-busy = Wir sind gerade ausgelastet. Bitte versuchen Sie es gleich noch einmal.
error-internal = Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es erneut.
error-bad-request = Die Anfrage konnte nicht gelesen werden. Bitte laden Sie die Seite neu und versuchen Sie es erneut.
error-summary-title = Es gibt ein Problem
error-network = Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.
error-token-invalid = Dieser Link oder Code ist ungültig oder abgelaufen.
error-login-failed = E-Mail-Adresse oder Passwort ist falsch, oder das Konto kann sich gerade nicht anmelden.
error-code-failed = Dieser Code stimmt nicht oder ist abgelaufen. Fordern Sie bei Bedarf einen neuen an.
error-not-found = Das gibt es nicht mehr. Bitte laden Sie die Seite neu.
error-not-found-passkey = Dieser Passkey wurde nicht gefunden. Bitte laden Sie die Seite neu.
error-conflict = Das gibt es bereits.
error-conflict-passkey = Dieser Passkey ist bereits registriert.

# Feldfehler aus dem Kern (app::error::field_message); $field ist ein Name von unten.
error-missing = Bitte füllen Sie „{$field}“ aus.
error-too-long = „{$field}“ ist zu lang (höchstens {$max} Zeichen).
error-malformed = „{$field}“ ist ungültig.
error-reason-control-characters = „{$field}“ ist ungültig: Die Eingabe enthält Steuerzeichen.
error-reason-email-spaces = Die E-Mail-Adresse ist ungültig: Sie enthält Leerzeichen oder Steuerzeichen.
error-reason-email-shape = Die E-Mail-Adresse ist ungültig: Sie sollte wie name@example.com aussehen.
error-reason-email-domain = Die E-Mail-Adresse ist ungültig: Die Domain braucht einen Punkt, etwa example.com.
error-reason-terms = Bitte akzeptieren Sie die Nutzungsbedingungen, um ein Konto anzulegen.
error-reason-password-too-short = Verwenden Sie mindestens 8 Zeichen.
error-reason-password-too-long = Verwenden Sie höchstens 1024 Zeichen.
error-reason-password-personal = Verwenden Sie Ihren Namen oder Ihre E-Mail-Adresse nicht im Passwort.
error-reason-password-weak = Dieses Passwort ist zu leicht zu erraten. Fügen Sie ein oder zwei Wörter hinzu; ungewöhnliche Wörter sind besser.
error-reason-same-email = Das ist bereits Ihre E-Mail-Adresse.
error-reason-email-unusable = Diese Adresse kann nicht verwendet werden. Wählen Sie eine andere.
error-reason-totp-already-set = Eine Authenticator-App ist bereits eingerichtet.
error-reason-passkey-name = Geben Sie dem Passkey einen Namen mit 1 bis 60 Zeichen.
error-reason-phone = „{$field}“ ist ungültig: Verwenden Sie das internationale Format, etwa +49 30 901820.
error-reason-language-tag = „{$field}“ ist ungültig: Wählen Sie eine der angebotenen Sprachen.
error-reason-time-zone = „{$field}“ ist ungültig: Wählen Sie eine Zeitzone aus der Liste, etwa Europe/Berlin.
error-reason-date = „{$field}“ ist ungültig: Geben Sie ein echtes Datum im Format JJJJ-MM-TT an.
error-reason-date-in-future = „{$field}“ ist ungültig: Das Datum liegt in der Zukunft.
error-reason-date-too-old = „{$field}“ ist ungültig: Das Datum liegt mehr als 130 Jahre zurück.
error-reason-country = „{$field}“ ist ungültig: Verwenden Sie den zweistelligen Ländercode, etwa DE oder AT.
error-reason-postal-code = „{$field}“ ist ungültig: Verwenden Sie Buchstaben, Ziffern, Leerzeichen und Bindestriche.

# Warum eine Aktion nicht möglich ist (identity::Refusal).
error-refused-confirm-email-first = Bestätigen Sie zuerst Ihre E-Mail-Adresse: Nutzen Sie den Link oder Code aus der E-Mail, die wir Ihnen bei der Registrierung geschickt haben (auf Ihrer Profilseite können Sie eine neue anfordern). Bis dahin kann dem Konto nichts hinzugefügt werden.
error-refused-passkey-not-verified = Der Passkey konnte nicht geprüft werden. Bitte versuchen Sie es erneut.
error-refused-too-many-passkeys = Ein Konto kann höchstens {$max} Passkeys haben.
error-refused-last-passkey = Dies ist Ihre einzige Möglichkeit, sich anzumelden. Fügen Sie zuerst einen weiteren Passkey hinzu oder legen Sie über „Passwort vergessen?“ auf der Anmeldeseite ein Passwort fest.

# Feldnamen, wie die Meldungen oben sie nennen.
error-field-email = E-Mail-Adresse
error-field-password = Passwort
error-field-new-password = Neues Passwort
error-field-new-email = Neue E-Mail-Adresse
error-field-given-name = Vorname
error-field-family-name = Nachname
error-field-display-name = Anzeigename
error-field-terms = Nutzungsbedingungen
error-field-code = Code
error-field-name = Name
error-field-phone = Telefon
error-field-time-zone = Zeitzone
error-field-language = Bevorzugte Sprache
error-field-birth-date = Geburtsdatum
error-field-country = Land
error-field-postal-code = Postleitzahl
error-field-street = Straße und Hausnummer
error-field-city = Ort
error-field-region = Region
error-sessions-unavailable = Die Anmeldung ist gerade nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.
error-sign-in-timed-out = Ihre Anmeldung ist abgelaufen. Bitte beginnen Sie von vorn.
error-passkey-expired = Die Passkey-Anfrage ist abgelaufen. Bitte versuchen Sie es erneut.
