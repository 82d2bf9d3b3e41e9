# Zeiten, wie Menschen sie lesen (identity::i18n::time).
time-unknown = unbekannt
time-just-now = gerade eben
time-minutes-ago = { $n ->
    [one] vor 1 Minute
   *[other] vor { $n } Minuten
}
time-hours-ago = { $n ->
    [one] vor 1 Stunde
   *[other] vor { $n } Stunden
}
time-in-minutes = { $n ->
    [one] in 1 Minute
   *[other] in { $n } Minuten
}
time-in-hours = { $n ->
    [one] in 1 Stunde
   *[other] in { $n } Stunden
}
time-today-at = heute um { $time }
time-yesterday-at = gestern um { $time }
time-absolute = { $day }. { $month ->
    [1] Januar
    [2] Februar
    [3] März
    [4] April
    [5] Mai
    [6] Juni
    [7] Juli
    [8] August
    [9] September
    [10] Oktober
    [11] November
   *[12] Dezember
} { $year }, { $time } { $zone }
