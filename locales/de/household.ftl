# Haushalte: die Seite, Einladungen und ihre E-Mails (identity::households::household, app pages/account/household/).
mail-household-invite-subject = { $inviter } lädt Sie in den Haushalt „{ $household }“ ein
mail-household-invite-body = { $inviter } lädt Sie ein, dem Haushalt „{ $household }“ mit Ihrem { $product }-Konto beizutreten. Mitglieder eines Haushalts können gemeinsam die Profile von Kindern betreuen und einander erlauben, für sie zu handeln, wo sie das möchten.
mail-household-invite-expiry = Der Link funktioniert einmal, 7 Tage lang. Melden Sie sich mit dieser E-Mail-Adresse an (oder erstellen Sie ein Konto), um anzunehmen.
mail-household-invite-ignore = Wenn Sie { $inviter } nicht kennen, ignorieren Sie diese E-Mail: Ohne Ihre Zustimmung geschieht nichts.
mail-household-invite-link = Einladung ansehen
mail-household-removed-subject = Sie gehören nicht mehr zum Haushalt „{ $household }“
mail-household-removed-body = Die Inhaberin oder der Inhaber des Haushalts „{ $household }“ hat Sie entfernt. Ihr eigenes Konto, Ihre Anmeldemethoden und Ihre Daten bleiben unverändert.
mail-household-removed-delegations = Alle Berechtigungen, die Sie und die anderen Mitglieder einander gegeben hatten, sind beendet, ebenso alles, was damit in jemandes Namen angemeldet war.
mail-household-removed-link = Ihre Haushaltsseite öffnen
