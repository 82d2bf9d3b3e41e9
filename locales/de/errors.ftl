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
