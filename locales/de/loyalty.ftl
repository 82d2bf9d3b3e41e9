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

## Die Seite /account/loyalty

account-nav-loyalty = Treueprogramme
loyalty-title = Treue-Mitgliedschaften
loyalty-intro = Verknüpfen Sie Ihre Kundenkarten einmal: Die Marken, die Sie nutzen, sehen die Mitgliedschaften, die nachweislich Ihnen gehören, mit Stufe und Punktestand, wie das Programm sie meldet.
loyalty-list-heading = Ihre Mitgliedschaften
loyalty-none = Noch keine Mitgliedschaft verknüpft.
loyalty-membership = { $programme } ({ $brand })
loyalty-number = Nummer { $number }
loyalty-status-pending = Ausstehend
loyalty-status-verified = Bestätigt
loyalty-status-rejected = Nicht bestätigt
loyalty-since = seit
loyalty-pooled = mit Ihrem Haushalt zusammengelegt
loyalty-tier = Stufe: { $tier }
loyalty-points = Punktestand: { $points } Punkte
loyalty-reported = Wie vom Programm gemeldet
loyalty-rejected-note = { $brand } hat diese Mitgliedschaft nicht bestätigt. Wenn Sie das für falsch halten, wenden Sie sich an { $brand }.
loyalty-unlink = { $programme } lösen
loyalty-code-label = Code aus der E-Mail
loyalty-code-hint = Wir haben einen sechsstelligen Code an die Adresse geschickt, die das Programm zu dieser Karte hinterlegt hat.
loyalty-code-submit = Mitgliedschaft bestätigen
loyalty-code-expired = Der Code ist abgelaufen oder aufgebraucht.
loyalty-resend = Neuen Code senden
loyalty-waiting-brand = Wartet darauf, dass { $brand } bestätigt, dass diese Karte Ihnen gehört.
loyalty-waiting-support = Wartet darauf, dass unser Support-Team bestätigt, dass diese Karte Ihnen gehört.
loyalty-link-heading = Mitgliedschaft verknüpfen
loyalty-link-intro = Wählen Sie das Programm und geben Sie die Nummer auf Ihrer Karte ein. Wir prüfen, dass die Karte Ihnen gehört, bevor eine Marke sie sieht.
loyalty-no-programmes = Noch kann kein Treueprogramm verknüpft werden.
loyalty-programme-label = Programm
loyalty-number-label = Mitgliedsnummer
loyalty-card-code-label = Code auf der Karte
loyalty-card-code-hint = Nur für Programme, die einen Code auf die Karte drucken.
loyalty-link-submit = Mitgliedschaft verknüpfen
loyalty-done-verified = Verknüpft und bestätigt.
loyalty-done-code-sent = Wir haben einen Code an die Adresse geschickt, die das Programm zu dieser Karte hinterlegt hat. Geben Sie ihn unten ein.
loyalty-done-pending = Angefragt. Das Programm wird es bestätigen.
loyalty-done-confirmed = Bestätigt: Die Mitgliedschaft ist verknüpft.
loyalty-done-resent = Wir haben einen neuen Code geschickt.
loyalty-done-unlinked = Gelöst.
loyalty-done-pooling = Zusammenlegung gespeichert.
loyalty-pool-title = Punkte im Haushalt zusammenlegen
loyalty-pool-intro = Als Eigentümer des Haushalts entscheiden Sie, wessen Mitgliedschaften in Programmen, die es erlauben, zusammengelegt werden.
loyalty-pool-heading = { $programme } in { $household }
loyalty-pool-in = zusammengelegt
loyalty-pool-out = nicht zusammengelegt
loyalty-pool-start = Mitgliedschaft von { $name } zusammenlegen
loyalty-pool-stop = Zusammenlegung für { $name } beenden
