# Ihre Daten: Export und Löschen des Kontos (app pages/account/privacy/data.rs, identity::privacy).
account-nav-data = Ihre Daten
data-title = Ihre Daten
data-intro = Laden Sie eine Kopie aller Daten herunter, die wir über Sie speichern, oder löschen Sie Ihr Konto.

data-export-heading = Meine Daten herunterladen
data-export-intro = Eine Datei (JSON) mit Ihrem Profil, Ihren Anmeldemethoden (niemals Passwörter, Schlüssel oder Codes), Ihren Geräten und Sitzungen, den verbundenen Marken, Ihren Einwilligungen mit ihrem vollständigen Verlauf und Ihren Kontoaktivitäten.
data-export-submit = Download vorbereiten
data-export-ready = Ihr Download ist bereit. Der Link funktioniert einmal, 15 Minuten lang.
data-export-link = Meine Daten herunterladen (JSON)
data-export-mailed = Wir haben Ihnen per E-Mail mitgeteilt, dass ein Download vorbereitet wurde.
data-export-expired = Dieser Download-Link wurde bereits benutzt, ist abgelaufen oder gehört zu einem anderen Konto. Bereiten Sie unten einen neuen Download vor.
data-export-failed = Der Download konnte nicht vorbereitet werden. Bitte versuchen Sie es erneut.

data-delete-heading = Mein Konto löschen
data-delete-intro = Ihr Konto und alles darin wird { $days } Tage nach Ihrem Auftrag gelöscht. Bis dahin können Sie es sich anders überlegen: Melden Sie sich an und wählen Sie „Löschung abbrechen“.
data-delete-ends = Sie werden sofort überall abgemeldet, und die Marken, bei denen Sie dieses Konto nutzen, werden informiert.
data-delete-kept = Was bleibt: die Aufzeichnung Ihrer Einwilligungsentscheidungen und das Sicherheitsprotokoll, unter einer Kennung, die nicht mehr zu Ihnen führt, weil das Gesetz verlangt, dass wir sie nachweisen können.
data-delete-confirm-label = Geben Sie zur Bestätigung Ihre E-Mail-Adresse ein
data-delete-confirm-hint = Die Adresse, mit der Sie sich anmelden. Wir fragen danach, damit das richtige Konto gelöscht wird.
data-delete-submit = Mein Konto löschen

error-reason-deletion-confirmation = Das ist nicht die E-Mail-Adresse dieses Kontos. Geben Sie sie zur Bestätigung genau ein.

data-held-title = Ihr Konto wird gelöscht
data-held-body = Ihr Konto wird am { $when } gelöscht. Möchten Sie es behalten?
data-held-cancel = Löschung abbrechen
data-held-sign-out = Abmelden
data-scheduled-title = Ihr Konto wird gelöscht
data-scheduled-body = Wir haben Sie überall abgemeldet. Ihr Konto wird am { $when } gelöscht; wir haben Ihnen dieses Datum per E-Mail geschickt.
data-scheduled-cancel-hint = Sie haben es sich anders überlegt? Melden Sie sich vorher an und wählen Sie „Löschung abbrechen“.
data-scheduled-sign-in = Anmelden
data-held-none = Hier wartet keine Löschung auf Ihre Entscheidung.

data-activity-export-created = Daten-Download vorbereitet
data-activity-export-downloaded = Daten heruntergeladen
data-activity-deletion-requested = Löschung des Kontos beauftragt
data-activity-deletion-cancelled = Löschung des Kontos abgebrochen

mail-data-export-subject = Eine Kopie Ihrer Daten wurde vorbereitet
mail-data-export-body = Ein Download Ihrer {$product}-Daten wurde am {$when} auf {$device} vorbereitet.
mail-data-export-expiry = Der Download-Link funktioniert einmal, 15 Minuten lang, und nur, solange Sie angemeldet sind.
mail-data-export-not-you = Wenn Sie das nicht waren, ändern Sie jetzt Ihr Passwort und prüfen Sie Ihre Geräte.
mail-data-export-link = Ihre Daten ansehen
mail-data-deletion-subject = Ihr Konto wird gelöscht
mail-data-deletion-body = Sie haben uns beauftragt, Ihr {$product}-Konto zu löschen. Es wird am {$when} gelöscht.
mail-data-deletion-signed-out = Sie wurden überall abgemeldet, und die Marken, bei denen Sie es genutzt haben, wurden informiert.
mail-data-deletion-cancel = Sie haben es sich anders überlegt? Melden Sie sich vorher an und wählen Sie „Löschung abbrechen“.
mail-data-deletion-link = Anmelden und Löschung abbrechen
mail-data-cancelled-subject = Ihr Konto wird nicht gelöscht
mail-data-cancelled-body = Sie haben die Löschung Ihres {$product}-Kontos abgebrochen. Alles bleibt, wie es war.
mail-data-cancelled-link = Ihr Konto öffnen
mail-data-erased-subject = Ihr Konto wurde gelöscht
mail-data-erased-body = Ihr {$product}-Konto wurde wie gewünscht gelöscht: Ihr Profil, Ihre Anmeldemethoden, Geräte und Verbindungen sind entfernt, und die Marken wurden informiert.
mail-data-erased-kept = Die Aufzeichnung Ihrer Einwilligungsentscheidungen und das Sicherheitsprotokoll bleiben unter einer Kennung, die nicht mehr zu Ihnen führt. Dies ist die letzte Nachricht, die wir an diese Adresse senden.
