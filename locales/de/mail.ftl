# E-Mails (identity::email). $product ist der Name der Identität für Kunden (FOYER_PRODUCT_NAME).
mail-footer = Gesendet von {$product}. Sie erhalten diese Nachricht, weil zu dieser Adresse ein Konto besteht.
mail-brand-header = {$brand} nutzt {$product} für Ihr Konto.
mail-code-line = Oder geben Sie diesen Code ein: {$code}. Er gilt einmal, für 10 Minuten.

mail-test-subject = Testnachricht von {$product}
mail-test-body = Diese Nachricht bestätigt, dass {$product} mit den aktuellen Einstellungen E-Mails zustellen kann.
mail-test-link = {$product} öffnen

mail-staff-subject = Ihr Mitarbeiterkonto für {$product}
mail-staff-body = Für diese Adresse wurde ein Konto für {$product} mit der Rolle {$role} angelegt.
mail-staff-enrol = Die Person, die es angelegt hat, gibt Ihnen einen einmaligen Einrichtungslink. Dort wählen Sie Ihr Passwort und richten eine Authenticator-App ein. Wenn Sie das nicht erwartet haben, informieren Sie Ihr Sicherheitsteam.
mail-staff-link = Bei {$product} anmelden

mail-verify-subject = Bestätigen Sie Ihre E-Mail-Adresse
mail-verify-body = Bestätigen Sie diese Adresse, um die Einrichtung Ihres {$product}-Kontos abzuschließen.
mail-verify-link = E-Mail-Adresse bestätigen
mail-verify-ignore = Wenn Sie kein Konto angelegt haben, ignorieren Sie diese Nachricht.

mail-attempt-subject = Jemand wollte mit Ihrer Adresse ein Konto anlegen
mail-attempt-body = Jemand wollte mit dieser E-Mail-Adresse ein {$product}-Konto anlegen, obwohl es zu ihr bereits eines gibt. Es wurde nichts geändert.
mail-attempt-login = Anmelden
mail-attempt-reset = Passwort vergessen? Jetzt zurücksetzen
mail-attempt-ignore = Wenn Sie das nicht waren, können Sie diese Nachricht ignorieren.

mail-code-subject = Ihr Anmeldecode: {$code}
mail-code-body = Geben Sie diesen Code ein, um sich bei {$product} anzumelden: {$code}
mail-code-expiry = Er gilt einmal, für 10 Minuten. Niemand von {$product} wird Sie jemals danach fragen.
mail-code-ignore = Wenn Sie sich nicht anmelden wollten, ignorieren Sie diese Nachricht: Ohne den Code kann niemand ihn verwenden.

mail-unlock-subject = Ihr Konto wurde gesperrt
mail-unlock-body = Es gab zu viele fehlgeschlagene Anmeldeversuche bei Ihrem {$product}-Konto. Zu Ihrem Schutz haben wir es gesperrt.
mail-unlock-link = Mein Konto entsperren
mail-unlock-expiry = Der Link gilt einmal, für 30 Minuten. Wenn die Versuche nicht von Ihnen stammten, ändern Sie nach dem Entsperren am besten Ihr Passwort.

mail-reset-subject = Setzen Sie Ihr Passwort zurück
mail-reset-body = Wir haben eine Anfrage erhalten, das Passwort Ihres {$product}-Kontos zurückzusetzen.
mail-reset-link = Neues Passwort wählen
mail-reset-expiry = Der Link gilt einmal, für 30 Minuten. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht; Ihr Passwort bleibt unverändert.

mail-password-changed-subject = Ihr Passwort wurde geändert
mail-password-changed-body = Das Passwort Ihres {$product}-Kontos wurde soeben geändert, und Sie wurden überall sonst abgemeldet.
mail-password-changed-link = Das waren nicht Sie? Setzen Sie Ihr Passwort jetzt zurück

mail-change-confirm-subject = Bestätigen Sie Ihre neue E-Mail-Adresse
mail-change-confirm-body = Bestätigen Sie diese Adresse, um sie zur E-Mail-Adresse Ihres {$product}-Kontos zu machen.
mail-change-confirm-link = Neue E-Mail-Adresse bestätigen

mail-changed-subject = Ihre E-Mail-Adresse wurde geändert
mail-changed-body = Die E-Mail-Adresse Ihres {$product}-Kontos wurde in eine neue geändert. Nachrichten kommen nicht mehr an diese Adresse.
mail-changed-link = Das waren nicht Sie? Änderung rückgängig machen
mail-changed-expiry = Der Link zum Rückgängigmachen gilt 7 Tage und meldet alle vom Konto ab.

mail-new-sign-in-subject = Neue Anmeldung bei Ihrem Konto
mail-new-sign-in-body = Bei Ihrem {$product}-Konto hat sich jemand von einem Gerät angemeldet, das wir noch nicht kannten: {$device}, am {$when}.
mail-new-sign-in-fine = Wenn Sie das waren, müssen Sie nichts tun.
mail-new-sign-in-link = Das waren nicht Sie? Prüfen Sie Ihre Geräte

mail-factor-subject = Eine Änderung an Ihrer Anmeldung
mail-factor-totp-added = Ihrem {$product}-Konto wurde eine Authenticator-App als zweiter Anmeldeschritt hinzugefügt.
mail-factor-totp-removed = Die Authenticator-App wurde von Ihrem {$product}-Konto entfernt: Zur Anmeldung genügt jetzt Ihr Passwort.
mail-factor-recovery-renewed = Für Ihr {$product}-Konto wurden neue Wiederherstellungscodes erstellt; die alten gelten nicht mehr.
mail-factor-passkey-added = Ihrem {$product}-Konto wurde ein Passkey mit dem Namen „{$name}“ hinzugefügt.
mail-factor-passkey-removed = Der Passkey „{$name}“ wurde von Ihrem {$product}-Konto entfernt.
mail-factor-passkey-flagged = Ihr Passkey „{$name}“ für {$product} hat so geantwortet, als wäre er kopiert worden, deshalb haben wir ihn gesperrt. Entfernen Sie ihn und fügen Sie ihn erneut hinzu.
mail-factor-link = Das waren nicht Sie? Prüfen Sie Ihre Sicherheitseinstellungen

mail-cleared-subject = Wir haben entfernt, was vor der Bestätigung Ihrer Adresse eingerichtet wurde
mail-cleared-why-reset = Das Passwort Ihres {$product}-Kontos wurde zurückgesetzt, bevor seine E-Mail-Adresse bestätigt war.
mail-cleared-why-confirmed = Ihre E-Mail-Adresse ist bestätigt. Die Bestätigung erfolgte in einem anderen Browser als dem, in dem das Konto angelegt wurde.
mail-cleared-what = Solange eine Adresse nicht bestätigt ist, könnte jeder das Konto eingerichtet haben. Deshalb haben wir entfernt, was es enthielt: {$what}.
mail-cleared-password = Darum wurde das bei der Registrierung gewählte Passwort zur Sicherheit entfernt: Legen Sie ein Passwort fest oder melden Sie sich mit einem Code per E-Mail an.
mail-cleared-again = Wenn Sie das waren, melden Sie sich an und richten Sie es erneut ein.
mail-cleared-set-password = Passwort festlegen
mail-cleared-code = Mit einem Code per E-Mail anmelden
mail-cleared-sign-in = Anmelden
mail-cleared-no-password = Noch kein Passwort oder eines, das Sie nicht gewählt haben? Legen Sie ein neues fest:
mail-cleared-new-password = Neues Passwort festlegen
mail-removed-nothing = nichts
mail-removed-password = das bei der Registrierung gewählte Passwort
mail-removed-app = die Authenticator-App
mail-removed-passkeys = { $n ->
    [one] 1 Passkey
   *[other] {$n} Passkeys
}
mail-removed-recovery-codes = { $n ->
    [one] 1 Wiederherstellungscode
   *[other] {$n} Wiederherstellungscodes
}
mail-removed-sessions = { $n ->
    [one] 1 angemeldete Sitzung
   *[other] {$n} angemeldete Sitzungen
}
mail-removed-devices = { $n ->
    [one] 1 gemerktes Gerät
   *[other] {$n} gemerkte Geräte
}
mail-removed-grants = { $n ->
    [one] 1 Anmeldung bei einer Marke oder App
   *[other] {$n} Anmeldungen bei Marken und Apps
}
mail-removed-email-changes = { $n ->
    [one] 1 ausstehende Änderung der E-Mail-Adresse
   *[other] {$n} ausstehende Änderungen der E-Mail-Adresse
}
mail-list-and = {$rest} und {$last}

# Support-Aktionen (identity::admin::actions): was die Kundin oder der Kunde erfährt.
mail-support-locked-subject = Ihr Konto wurde von unserem Support gesperrt
mail-support-locked-body = Unser Support hat Ihr {$product}-Konto gesperrt und es überall abgemeldet, auch bei den damit verbundenen Marken und Apps. Niemand kann sich anmelden, bis der Support es wieder entsperrt.
mail-support-locked-contact = Wenn Sie das nicht erwartet haben, wenden Sie sich an den Support: Die Links in früheren Entsperr-E-Mails gelten nicht mehr.
mail-support-unlocked-subject = Ihr Konto wurde entsperrt
mail-support-unlocked-body = Unser Support hat Ihr {$product}-Konto entsperrt. Sie können sich wieder anmelden.
mail-support-sign-in-link = Anmelden
mail-support-signed-out-subject = Sie wurden überall abgemeldet
mail-support-signed-out-body = Unser Support hat Ihr {$product}-Konto auf allen Geräten abgemeldet und den Zugriff der damit verbundenen Marken und Apps beendet. Melden Sie sich erneut an, um fortzufahren; auch die Marken und Apps bitten Sie erneut um eine Anmeldung.
mail-support-signed-out-not-you = Wenn Sie das nicht veranlasst haben, ändern Sie nach der Anmeldung Ihr Passwort.
mail-support-profile-subject = Eine Angabe in Ihrem Profil wurde korrigiert
mail-support-profile-body = Unser Support hat diese Angabe in Ihrem {$product}-Profil korrigiert: {$field}.
mail-support-profile-check = Sie können Ihr Profil jederzeit ansehen und ändern. Wenn Sie das nicht veranlasst haben, wenden Sie sich an den Support.
mail-support-profile-link = Mein Profil öffnen
mail-support-consent-subject = Wir haben Ihre Entscheidung festgehalten
mail-support-consent-body = Unser Support hat Ihre telefonische Entscheidung zu „{$purpose}“ ({$controller}) festgehalten: { $decision ->
    [granted] Sie haben zugestimmt.
    [pending] Sie haben zugestimmt; das gilt, sobald eine erziehungsberechtigte Person es bestätigt.
    [withdrawn] Sie haben Ihre Zustimmung widerrufen.
   *[other] Sie haben abgelehnt.
}
mail-support-consent-change = Sie können sie jederzeit auf Ihrer Datenschutzseite ändern.
mail-support-consent-link = Meine Datenschutzseite öffnen
mail-support-factors-subject = Ihre Bestätigung in zwei Schritten wurde zurückgesetzt
mail-support-factors-body = Nach einer Prüfung Ihrer Identität hat unser Support die Authenticator-App, die Wiederherstellungscodes und die gemerkten Geräte aus Ihrem {$product}-Konto entfernt und es überall abgemeldet. Ihr Passwort und Ihre Passkeys bleiben unverändert.
mail-support-factors-next = Melden Sie sich an und richten Sie die Bestätigung in zwei Schritten auf Ihrer Sicherheitsseite neu ein.
mail-support-factors-not-you = Wenn Sie das nicht veranlasst haben, wenden Sie sich sofort an den Support.
mail-support-factors-link = Meine Sicherheitsseite öffnen
