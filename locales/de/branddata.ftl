# Markendaten: Einstellungen je Marke und Profilangaben (docs/design/consent.md).

branddata-nav = Einstellungen
branddata-page-title = Einstellungen und Angaben
branddata-page-intro = Was jede Marke über Ihr Profil hinaus über Sie weiß und wie sie Ihnen schreiben darf. Jede Marke sieht nur ihren eigenen Teil und die Angaben, die in der ganzen Gruppe gelten.
branddata-nothing = Noch keine Marke speichert Einstellungen oder zusätzliche Angaben über Sie.
branddata-saved = Ihre Auswahl ist gespeichert.
branddata-preferences = Einstellungen
branddata-language = Sprache
branddata-language-profile = Wie in meinem Profil
branddata-frequency = Kontakthäufigkeit
branddata-frequency-default = Wie bei der Marke üblich
branddata-frequency-as-it-happens = Sobald es etwas gibt
branddata-frequency-weekly = Höchstens wöchentlich
branddata-frequency-monthly = Höchstens monatlich
branddata-frequency-never = Nie
branddata-topics = Themen
branddata-knows = Was { $brand } über Sie weiß
branddata-knows-nothing = { $brand } speichert keine zusätzlichen Angaben über Sie.
branddata-save-for = Für { $brand } speichern
branddata-group-heading = Für alle Marken
branddata-group-intro = Jede Marke der Gruppe kann diese Angaben lesen.
branddata-save-group = Gemeinsame Angaben speichern
branddata-optional = { $field } (optional)
branddata-choose = Bitte wählen…
branddata-brand-not-found = Diese Marke nutzen Sie nicht. Bitte laden Sie die Seite neu.

branddata-profile-title = Eine Angabe für die Marke
branddata-profile-heading = { $brand } möchte gern wissen
branddata-profile-intro = { $brand } benötigt diese Angabe, um Sie zu bedienen. Sie können sie jetzt angeben oder für diese Anmeldung überspringen.
branddata-profile-form-heading = Ihre Angaben
branddata-profile-where = Sie können dies jederzeit ändern unter
branddata-profile-save = Speichern und weiter
branddata-profile-skip = Jetzt überspringen
branddata-profile-done-title = Nichts mehr anzugeben
branddata-profile-continue-to = Weiter zu { $brand }

shell-scope-attributes = Die Angaben, die Sie dieser Marke gemacht haben, und die für die ganze Gruppe
shell-scope-preferences = Ihre Sprache, Kontakthäufigkeit und Themen für diese Marke
account-scope-attributes = Die Angaben, die Sie ihr gemacht haben, und die für die ganze Gruppe
account-scope-preferences = Ihre Sprache, Kontakthäufigkeit und Themen für sie

branddata-error-missing = Bitte füllen Sie „{ $field }“ aus.
branddata-error-too-long = „{ $field }“ ist zu lang (höchstens { $limit } Zeichen).
branddata-error-control-characters = „{ $field }“ enthält Zeichen, die nicht verwendet werden können.
branddata-error-pattern = „{ $field }“ hat nicht die erwartete Form.
branddata-error-not-a-number = „{ $field }“ muss eine Zahl sein.
branddata-error-not-a-whole-number = „{ $field }“ muss eine ganze Zahl sein.
branddata-error-too-small = „{ $field }“ muss mindestens { $limit } sein.
branddata-error-too-large = „{ $field }“ darf höchstens { $limit } sein.
branddata-error-not-a-date = „{ $field }“ muss ein Datum sein (JJJJ-MM-TT).
branddata-error-too-early = „{ $field }“ muss am oder nach dem { $limit } liegen.
branddata-error-too-late = „{ $field }“ muss am oder vor dem { $limit } liegen.
branddata-error-not-a-choice = „{ $field }“: Bitte wählen Sie eine der angebotenen Möglichkeiten.
branddata-error-unknown-attribute = „{ $field }“ wird von dieser Marke nicht erfragt.
branddata-error-unknown-language = „{ $field }“: Bitte wählen Sie eine der angebotenen Sprachen.
branddata-error-unknown-frequency = „{ $field }“: Bitte wählen Sie eine der angebotenen Möglichkeiten.
branddata-error-unknown-topic = „{ $field }“: Bitte wählen Sie unter den angebotenen Themen.
