## Treuemitgliedschaften (docs/design/loyalty.md): Fehler und E-Mails

error-reason-loyalty-number = „{$field}“ ist ungültig: Prüfen Sie die Nummer auf Ihrer Karte.

mail-loyalty-code-subject = Ihr Code zum Verknüpfen Ihrer Mitgliedschaft bei { $programme }
mail-loyalty-code-body = Jemand möchte die auf diese Adresse registrierte Mitgliedschaft bei { $programme } mit einem { $product }-Konto verknüpfen. Geben Sie zur Bestätigung diesen Code ein: { $code }
mail-loyalty-code-expiry = Der Code ist 10 Minuten gültig.
mail-loyalty-code-ignore = Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ohne den Code wird nichts verknüpft.
mail-loyalty-taken-subject = Jemand wollte Ihre Mitgliedschaft bei { $programme } verknüpfen
mail-loyalty-taken-body = Jemand wollte die Mitgliedschaft bei { $programme } mit der Endung { $last4 } mit einem anderen { $product }-Konto verknüpfen. Sie bleibt nur mit Ihrem Konto verknüpft.
mail-loyalty-taken-action = Wenn Sie das mit einem zweiten Konto waren, können Sie diese Nachricht ignorieren. Andernfalls ist nichts zu tun, aber geben Sie Ihre Kartennummer nicht weiter.
mail-loyalty-linked-subject = Ihre Mitgliedschaft bei { $programme } ist verknüpft
mail-loyalty-linked-body = { $brand } hat die Mitgliedschaft bei { $programme } mit der Endung { $last4 } bestätigt. Sie ist jetzt mit Ihrem { $product }-Konto verknüpft.
mail-loyalty-rejected-subject = Ihre Mitgliedschaft bei { $programme } wurde nicht verknüpft
mail-loyalty-rejected-body = { $brand } hat die Mitgliedschaft bei { $programme } mit der Endung { $last4 } nicht bestätigt; sie ist daher nicht mit Ihrem { $product }-Konto verknüpft. Wenn Sie das für einen Fehler halten, wenden Sie sich an { $brand }.
