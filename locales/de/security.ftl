# security: die Seite „Sicherheit“ (app::pages::account::security), Bestätigung, Passwortfeld-Hilfen.
security-title = Sicherheit
security-loading = Wird geladen …
security-cancel = Abbrechen

# Die Übersichtszeile (auf dem Server formatiert: Selektoren).
security-summary-two-step-on = Bestätigung in zwei Schritten an
security-summary-two-step-off = Bestätigung in zwei Schritten aus
security-summary-passkeys = { $n ->
    [0] keine Passkeys
    [one] 1 Passkey
   *[other] { $n } Passkeys
}
security-summary-devices = { $n ->
    [one] 1 angemeldetes Gerät
   *[other] { $n } angemeldete Geräte
}

# Passwort
security-password-heading = Passwort
security-passwordless-before = Sie melden sich nur mit Passkeys an. Wenn Sie zusätzlich ein Passwort möchten, nutzen Sie
security-passwordless-link = Passwort vergessen?
security-passwordless-after = und legen Sie es per E-Mail fest.
security-change-password-heading = Passwort ändern
security-current-password = Aktuelles Passwort
security-new-password = Neues Passwort
security-code-label = Bestätigungscode
security-code-hint-if-two-step = Nur wenn Sie die Bestätigung in zwei Schritten nutzen.
security-sign-out-apps = Auch von verbundenen Marken und Apps abmelden
security-sign-out-apps-hint = Beendet deren Zugriff, auch bei Apps, die angemeldet bleiben, während Sie nicht da sind.
security-change-password-submit = Passwort ändern
security-password-changed = Ihr Passwort wurde geändert. Ihre anderen Geräte wurden abgemeldet.
security-current-password-wrong = Ihr aktuelles Passwort ist nicht richtig.
security-password-or-code-wrong = Ihr aktuelles Passwort oder der Bestätigungscode ist nicht richtig.
security-password-or-code-wrong-code = Prüfen Sie auch den Bestätigungscode: Er ist vielleicht falsch, schon verwendet oder abgelaufen.
security-code-required = Geben Sie den Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein.

# Passwortfeld-Hilfen (components::password)
security-password-show = Passwort anzeigen
security-password-caps-lock = Die Feststelltaste ist aktiv.

# E-Mail
security-email-heading = E-Mail-Adresse ändern
security-email-intro = Wir senden eine Bestätigung an die neue Adresse; Ihre E-Mail-Adresse ändert sich, sobald Sie diese bestätigen. Ihre bisherige Adresse wird informiert und kann die Änderung rückgängig machen.
security-new-email = Neue E-Mail-Adresse
security-email-submit = E-Mail-Adresse ändern
security-email-sent = Sehen Sie im Postfach der neuen Adresse nach: Wir haben einen Bestätigungslink und einen Code gesendet.

# Bestätigen Sie, dass Sie es sind (components::step_up)
security-step-up-intro = Bestätigen Sie zu Ihrer Sicherheit, dass Sie es sind, um fortzufahren.
security-step-up-passkey = Mit einem Passkey bestätigen
security-step-up-or-password = oder mit Ihrem Passwort:
security-step-up-password = Passwort
security-step-up-code-hint = Nur wenn Sie die Bestätigung in zwei Schritten nutzen: aus Ihrer App oder ein Wiederherstellungscode.
security-step-up-submit = Bestätigen und fortfahren
security-step-up-done = Vielen Dank, das ist bestätigt. Führen Sie Ihre Änderung jetzt bitte noch einmal aus.

# Wiederherstellungscodes
security-codes-heading = Ihre Wiederherstellungscodes
security-codes-intro = Bewahren Sie diese Codes sicher auf. Jeder funktioniert einmal, falls Sie Ihre Authenticator-App verlieren. Sie werden nicht noch einmal angezeigt.
security-codes-intro-passkey = Ihr Passkey schützt jetzt auch Anmeldungen mit Ihrem Passwort. Bewahren Sie diese Codes sicher auf: Jeder funktioniert einmal, falls Sie Ihren Passkey verlieren. Sie werden nicht noch einmal angezeigt.
security-codes-download = Als Textdatei herunterladen
security-codes-copy = Codes kopieren
security-codes-copied = Kopiert.
security-codes-file-name = wiederherstellungscodes.txt
security-codes-file-heading = Ihre Wiederherstellungscodes. Jeder funktioniert einmal.
security-codes-left = Verbleibende Wiederherstellungscodes: { $n }
security-codes-regenerate = Neue Wiederherstellungscodes erstellen

# Bestätigung in zwei Schritten
security-two-step-heading = Bestätigung in zwei Schritten
security-two-step-on-app = Die Bestätigung in zwei Schritten ist an: Bei der Anmeldung mit Ihrem Passwort werden Sie nach einem Code aus Ihrer Authenticator-App gefragt.
security-two-step-on-passkey = Die Bestätigung in zwei Schritten ist an: Bei der Anmeldung mit Ihrem Passwort werden Sie nach Ihrem Passkey gefragt.
security-two-step-app-offer = Als zweiten Schritt können Sie auch einen Code aus einer Authenticator-App auf Ihrem Telefon verwenden.
security-two-step-turn-off = Bestätigung in zwei Schritten ausschalten
security-two-step-off-question = Bestätigung in zwei Schritten ausschalten?
security-two-step-off-explain = Bei der Anmeldung mit Ihrem Passwort wird dann nicht mehr nach einem Code gefragt, und Ihre Wiederherstellungscodes werden ungültig.
security-two-step-off-confirm = Ausschalten
security-two-step-turned-off = Die Bestätigung in zwei Schritten ist aus.
security-totp-set-up = Authenticator-App einrichten
security-totp-scan = Scannen Sie diesen Code mit Ihrer Authenticator-App:
security-totp-qr-label = QR-Code für Ihre Authenticator-App
security-totp-or-type = Oder geben Sie diesen geheimen Schlüssel ein:
security-totp-code-hint = Die 6 Ziffern, die Ihre App gerade anzeigt.
security-totp-turn-on = Bestätigung in zwei Schritten einschalten
security-totp-code-wrong = Dieser Code ist nicht richtig. Geben Sie die 6 Ziffern ein, die Ihre App gerade anzeigt.

# Passkeys
security-passkeys-heading = Passkeys
security-passkeys-intro = Melden Sie sich mit Fingerabdruck, Gesicht oder Bildschirmsperre an statt mit einem Passwort. Passkeys können weder abgefischt noch erraten werden.
security-passkeys-none = Sie haben noch keine Passkeys.
security-passkeys-need-js = Zum Hinzufügen eines Passkeys braucht Ihr Browser seine Passkey-Unterstützung: Die Möglichkeit erscheint hier, sobald die Seite vollständig geladen ist.
security-passkeys-unsupported = Dieser Browser kann keine Passkeys erstellen.
security-passkey-name = Name des Passkeys
security-passkey-name-hint = Damit Sie Ihre Passkeys unterscheiden können, z. B. „Arbeitslaptop“.
security-passkey-add = Passkey hinzufügen
security-passkey-added = Ihr Passkey wurde hinzugefügt.
security-passkey-synced = synchronisiert
security-passkey-created = Hinzugefügt
security-passkey-last-used = zuletzt verwendet
security-passkey-never-used = noch nie verwendet
security-passkey-flagged = Gesperrt: Dieser Passkey hat wie eine Kopie seiner selbst geantwortet. Entfernen Sie ihn und fügen Sie ihn neu hinzu.
security-passkey-rename = Umbenennen
security-passkey-new-name = Neuer Name für { $name }
security-passkey-save-name = Namen speichern
security-passkey-remove = Entfernen
security-passkey-remove-question = Den Passkey „{ $name }“ entfernen?
security-passkey-remove-explain = Sie können sich dann nicht mehr damit anmelden. Das Gerät behält ihn, bis Sie ihn auch dort löschen.
security-passkey-remove-confirm = Passkey entfernen

# Passkey-Abläufe im Browser (components::passkey)
security-passkey-replaced = Die Passkey-Anfrage wurde durch eine andere ersetzt.
security-passkey-cancelled = Die Passkey-Anfrage wurde abgebrochen oder ist abgelaufen.
security-passkey-already-registered = Dieser Passkey ist bereits für Ihr Konto registriert.
security-passkey-insecure = Passkeys sind unter dieser Adresse nicht verfügbar.
security-passkey-failed = Ihr Browser konnte keinen Passkey verwenden.
security-passkey-needs-js = Passkeys brauchen einen Browser mit JavaScript.
