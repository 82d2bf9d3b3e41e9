# auth: Registrierung, Anmeldung (alle Schritte), Wiederherstellung und die Seiten der Links aus E-Mails.

## Fehler der Anmeldeschritte (Serverfunktionen)
auth-error-sign-in-failed = E-Mail-Adresse oder Passwort ist falsch, oder mit diesem Konto ist gerade keine Anmeldung möglich.
auth-error-code-failed = Dieser Code stimmt nicht oder ist abgelaufen. Fordern Sie bei Bedarf einen neuen an.
auth-error-code-wrong = Dieser Code stimmt nicht.
auth-error-code-used = Dieser Code wurde bereits verwendet.
auth-error-code-expired = Dieser Code ist abgelaufen. Bitte fordern Sie einen neuen an.
auth-error-second-step-required = Geben Sie den Code aus Ihrer Authenticator-App ein.
auth-error-second-step-not-mail = Sie haben sich mit einem Code per E-Mail angemeldet: Der zweite Schritt muss auf anderem Weg erfolgen.

## Gemeinsam
auth-email = E-Mail-Adresse
auth-password = Passwort
auth-sign-in = Anmelden
auth-sign-in-lead = Anmelden und weiter zu
auth-code-six-digits = 6 Ziffern
auth-back-to-sign-in = Zurück zur Anmeldung

## /login
auth-login-title = Anmelden
auth-login-submit = Anmelden
auth-login-passkey = Mit einem Passkey anmelden
auth-login-code-link = Stattdessen einen Anmeldecode per E-Mail erhalten
auth-login-forgot-link = Passwort vergessen?
auth-login-new-here = Neu hier?
auth-login-register-link = Konto erstellen

## /login/code
auth-code-title = Mit einem Code anmelden
auth-code-explain = Wir senden Ihnen einen 6-stelligen Code per E-Mail. Er gilt einmal, 10 Minuten lang.
auth-code-send = Code per E-Mail senden
auth-code-sent = Falls ein Konto diese Adresse verwendet, ist ein Code unterwegs. Sehen Sie in Ihrem Posteingang nach.
auth-code-label = Anmeldecode
auth-code-submit = Anmelden
auth-code-resend = Neuen Code senden
auth-code-other-address = Eine andere Adresse verwenden
auth-code-other-way = Auf andere Weise anmelden

## /login/second-factor
auth-second-title = Bestätigung in zwei Schritten
auth-second-remember = Dieses Gerät 30 Tage lang merken
auth-second-remember-hint = Nur auf Ihrem eigenen Gerät. Wenn Sie Ihre anderen Geräte abmelden, fragt jedes Gerät wieder nach.
auth-second-passkey-explain = Schließen Sie die Anmeldung mit Ihrem Passkey ab.
auth-second-passkey = Passkey verwenden
auth-second-explain = Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App, einen Ihrer Wiederherstellungscodes oder einen Code ein, den wir Ihnen per E-Mail senden.
auth-second-mail = Code per E-Mail senden
auth-second-mail-sent = Wir haben Ihnen einen Code per E-Mail gesendet. Er gilt einmal, 10 Minuten lang.
auth-second-code = Bestätigungscode
auth-second-code-hint = Aus Ihrer Authenticator-App oder der Code aus unserer E-Mail: 6 Ziffern.
auth-second-recovery-toggle = Stattdessen einen Wiederherstellungscode verwenden
auth-second-recovery = Wiederherstellungscode
auth-second-recovery-hint = Einer der Codes, die Sie beim Einschalten der Bestätigung in zwei Schritten gespeichert haben, etwa abcde-fghjk. Jeder Code gilt einmal.
auth-second-submit = Bestätigen
auth-second-start-again = Neu beginnen

## /register
auth-register-title = Konto erstellen
auth-register-lead = Konto erstellen und weiter zu
auth-register-password-hint = Mindestens 8 Zeichen. Einige Wörter ohne Zusammenhang ergeben ein starkes Passwort.
auth-register-given-name = Vorname
auth-register-family-name = Nachname
auth-register-terms = Ich akzeptiere die Nutzungsbedingungen
auth-register-submit = Konto erstellen
auth-register-or-passkey = oder, ohne Passwort:
auth-register-passkey = Konto mit einem Passkey erstellen
auth-register-passkey-hint = Ihr Gerät speichert den Passkey; Sie entsperren ihn mit Fingerabdruck, Gesicht oder Bildschirmsperre. Lassen Sie das Passwort leer.
auth-register-have-account = Sie haben bereits ein Konto?
auth-strength = Passwortstärke: { $label }
auth-strength-weak = schwach
auth-strength-checking = wird geprüft…
auth-strength-unknown = noch nicht geprüft
auth-strength-strong = stark
auth-strength-very-strong = sehr stark
auth-strength-checked-on-submit = Es wird beim Absenden geprüft.

## E-Mail prüfen (nach der Registrierung)
auth-check-title = Sehen Sie in Ihren E-Mails nach
auth-check-explain = Falls diese Adresse verwendet werden kann, haben wir ihr eine Nachricht gesendet. Öffnen Sie den Link in der Nachricht oder geben Sie unten den 6-stelligen Code ein. Der Code gilt 10 Minuten lang.
auth-check-passkey = Wenn Sie Ihr Konto mit einem Passkey erstellt haben, können Sie sich jetzt damit anmelden.
auth-check-code = Code
auth-check-submit = E-Mail-Adresse bestätigen
auth-check-email-hint = Lassen Sie das Feld leer, um die gerade registrierte Adresse zu verwenden.
auth-check-no-mail = Keine Nachricht erhalten? Sehen Sie im Spam-Ordner nach oder registrieren Sie sich erneut mit der richtigen Adresse.
auth-check-start-over = Erneut registrieren

## Bestätigte Adresse
auth-confirmed-title = Ihre E-Mail-Adresse ist bestätigt
auth-confirmed = Ihre E-Mail-Adresse ist bestätigt.
auth-confirmed-password-removed = Da sie in einem anderen Browser bestätigt wurde als dem, in dem das Konto erstellt wurde, haben wir das bei der Registrierung festgelegte Passwort zur Sicherheit entfernt.
auth-confirmed-set-password = Passwort festlegen
auth-confirmed-code = Mit einem Code per E-Mail anmelden

## /verify
auth-verify-title = E-Mail-Adresse bestätigen
auth-verify-explain = Klicken Sie auf die Schaltfläche, um diese Adresse für Ihr Konto zu bestätigen.
auth-verify-submit = Meine E-Mail-Adresse bestätigen

## /unlock
auth-unlock-title = Konto entsperren
auth-unlock-explain = Ihr Konto wurde nach zu vielen fehlgeschlagenen Anmeldeversuchen gesperrt. Klicken Sie auf die Schaltfläche, um es zu entsperren.
auth-unlock-submit = Mein Konto entsperren
auth-unlock-done = Ihr Konto ist entsperrt. Sie können sich wieder anmelden.

## /confirm-email und /undo-email
auth-confirm-new-title = Neue E-Mail-Adresse bestätigen
auth-confirm-new-explain = Klicken Sie auf die Schaltfläche, um diese Adresse zur E-Mail-Adresse Ihres Kontos zu machen.
auth-confirm-new-submit = Neue E-Mail-Adresse bestätigen
auth-confirm-new-done = Ihre neue E-Mail-Adresse ist aktiv.
auth-confirm-new-next = Ihr Konto
auth-undo-title = Änderung der E-Mail-Adresse rückgängig machen
auth-undo-explain = Damit wird Ihre bisherige E-Mail-Adresse wiederhergestellt und alle Sitzungen des Kontos werden beendet.
auth-undo-submit = Änderung rückgängig machen
auth-undo-done = Ihre bisherige E-Mail-Adresse ist wiederhergestellt und alle Sitzungen wurden beendet. Wir empfehlen, Ihr Passwort zurückzusetzen.
auth-undo-next = Passwort zurücksetzen

## /forgot-password
auth-forgot-page-title = Passwort vergessen
auth-forgot-title = Passwort vergessen?
auth-forgot-explain = Geben Sie Ihre E-Mail-Adresse ein. Gehört sie zu einem Konto, senden wir Ihnen einen Link, mit dem Sie ein neues Passwort wählen können.
auth-forgot-submit = Link zum Zurücksetzen senden
auth-forgot-sent = Falls ein Konto diese Adresse verwendet, ist ein Link zum Zurücksetzen unterwegs. Er gilt einmal, 30 Minuten lang.
auth-forgot-resend = Nichts angekommen? Sehen Sie im Spam-Ordner nach oder senden Sie den Link erneut.
auth-forgot-again = Erneut senden

## /reset-password
auth-reset-title = Neues Passwort wählen
auth-reset-password = Neues Passwort
auth-reset-code = Bestätigungscode
auth-reset-code-hint = Nur wenn Sie die Bestätigung in zwei Schritten nutzen: der 6-stellige Code aus Ihrer Authenticator-App.
auth-reset-submit = Neues Passwort festlegen
auth-reset-done = Ihr Passwort wurde geändert und alle Sitzungen Ihres Kontos wurden beendet.
