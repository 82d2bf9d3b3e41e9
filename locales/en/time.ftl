# Times as a person reads them (identity::i18n::time). Selectors: formatted on the server.
time-unknown = unknown
time-just-now = just now
time-minutes-ago = { $n ->
    [one] 1 minute ago
   *[other] { $n } minutes ago
}
time-hours-ago = { $n ->
    [one] 1 hour ago
   *[other] { $n } hours ago
}
time-in-minutes = { $n ->
    [one] in 1 minute
   *[other] in { $n } minutes
}
time-in-hours = { $n ->
    [one] in 1 hour
   *[other] in { $n } hours
}
time-today-at = today at { $time }
time-yesterday-at = yesterday at { $time }
time-absolute = { $day } { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }, { $time } { $zone }
