//! Times as a person reads them: in their time zone and language, relative where it
//! helps ("2 minutes ago"), with the full date and time beside it.

use super::{Locale, message, message_with};
use crate::clock::UnixMillis;

/// An IANA time zone (`Europe/Berlin`), from the profile's `zoneinfo` or the browser;
/// UTC when unknown or not a zone we know.
#[derive(Debug, Clone)]
pub struct TimeZone(jiff::tz::TimeZone);

impl TimeZone {
    pub fn utc() -> Self {
        Self(jiff::tz::TimeZone::UTC)
    }

    /// The zone named `name`, if the zone database knows it.
    pub fn named(name: &str) -> Option<Self> {
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        jiff::tz::TimeZone::get(name).ok().map(Self)
    }

    /// The first known zone of `names` (profile, then browser), else UTC.
    pub fn first_known<'a>(names: impl IntoIterator<Item = Option<&'a str>>) -> Self {
        names.into_iter().flatten().find_map(Self::named).unwrap_or_else(Self::utc)
    }

    /// The IANA name (`UTC` for UTC).
    pub fn name(&self) -> String {
        self.0.iana_name().unwrap_or("UTC").to_owned()
    }
}

/// One instant, three ways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readable {
    /// "2 minutes ago", "yesterday at 14:03", or the full date when older.
    pub relative: String,
    /// "5 December 2026, 14:03 CET" / "5. Dezember 2026, 14:03 MEZ"-style, in the zone.
    pub absolute: String,
    /// RFC 3339 with the zone's offset, for `<time datetime>`.
    pub iso: String,
}

/// `at` read by a person in `locale` and `zone`, `now` being the request's clock.
pub fn readable(locale: Locale, zone: &TimeZone, at: UnixMillis, now: UnixMillis) -> Readable {
    let Ok(ts) = jiff::Timestamp::from_millisecond(at) else {
        let unknown = message(locale, "time-unknown");
        return Readable { relative: unknown.clone(), absolute: unknown, iso: String::new() };
    };
    let zoned = ts.to_zoned(zone.0.clone());
    let absolute = absolute(locale, &zoned);
    let iso = zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let relative = relative(locale, zone, at, now, &zoned).unwrap_or_else(|| absolute.clone());
    Readable { relative, absolute, iso }
}

/// Only the absolute form ("5 December 2026, 14:03 CET"), for mails and expiry times.
pub fn readable_at(locale: Locale, zone: &TimeZone, at: UnixMillis) -> String {
    match jiff::Timestamp::from_millisecond(at) {
        Ok(ts) => absolute(locale, &ts.to_zoned(zone.0.clone())),
        Err(_) => message(locale, "time-unknown"),
    }
}

fn absolute(locale: Locale, zoned: &jiff::Zoned) -> String {
    message_with(
        locale,
        "time-absolute",
        &[
            ("day", i64::from(zoned.day()).into()),
            ("month", i64::from(zoned.month()).into()),
            ("year", i64::from(zoned.year()).into()),
            ("time", zoned.strftime("%H:%M").to_string().into()),
            ("zone", zoned.strftime("%Z").to_string().into()),
        ],
    )
}

fn relative(locale: Locale, zone: &TimeZone, at: UnixMillis, now: UnixMillis, zoned: &jiff::Zoned) -> Option<String> {
    let secs = (now - at) / 1000;
    let time = zoned.strftime("%H:%M").to_string();
    if secs < -60 {
        // In the future (an expiry): minutes or hours ahead, else the date.
        let ahead = -secs;
        return match ahead {
            0..3_600 => Some(message_with(locale, "time-in-minutes", &[("n", ((ahead + 59) / 60).into())])),
            3_600..86_400 => Some(message_with(locale, "time-in-hours", &[("n", (ahead / 3_600).into())])),
            _ => None,
        };
    }
    match secs {
        ..60 => Some(message(locale, "time-just-now")),
        60..3_600 => Some(message_with(locale, "time-minutes-ago", &[("n", (secs / 60).into())])),
        3_600..21_600 => Some(message_with(locale, "time-hours-ago", &[("n", (secs / 3_600).into())])),
        _ => {
            // Calendar days in the person's zone: "today at", "yesterday at", else the date.
            let today = jiff::Timestamp::from_millisecond(now).ok()?.to_zoned(zone.0.clone()).date();
            let days = today.since(zoned.date()).ok()?.get_days();
            match days {
                0 => Some(message_with(locale, "time-today-at", &[("time", time.into())])),
                1 => Some(message_with(locale, "time-yesterday-at", &[("time", time.into())])),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-05 14:03:00 UTC.
    const AT: UnixMillis = 1_796_479_380_000;

    #[test]
    fn recent_times_are_relative_in_the_language() {
        let utc = TimeZone::utc();
        assert_eq!(readable(Locale::En, &utc, AT, AT + 20_000).relative, "just now");
        assert_eq!(readable(Locale::En, &utc, AT, AT + 120_000).relative, "2 minutes ago");
        assert_eq!(readable(Locale::De, &utc, AT, AT + 120_000).relative, "vor 2 Minuten");
        assert_eq!(readable(Locale::En, &utc, AT, AT + 3_600_000).relative, "1 hour ago");
        assert_eq!(readable(Locale::En, &utc, AT, AT + 7 * 3_600_000).relative, "today at 14:03");
        assert_eq!(readable(Locale::En, &utc, AT + 10 * 60_000, AT).relative, "in 10 minutes");
    }

    #[test]
    fn older_times_are_dates_in_the_persons_zone() {
        let berlin = TimeZone::named("Europe/Berlin").unwrap_or_else(TimeZone::utc);
        let r = readable(Locale::En, &berlin, AT, AT + 3 * 86_400_000);
        assert_eq!(r.relative, "5 December 2026, 15:03 CET");
        assert_eq!(r.absolute, r.relative);
        assert_eq!(r.iso, "2026-12-05T15:03:00+01:00");
        assert_eq!(readable(Locale::De, &berlin, AT, AT + 3 * 86_400_000).absolute, "5. Dezember 2026, 15:03 CET");
        assert_eq!(readable(Locale::En, &TimeZone::utc(), AT, AT + 86_400_000).relative, "yesterday at 14:03");
    }

    #[test]
    fn unknown_zones_fall_back_to_utc() {
        assert!(TimeZone::named("Mars/Olympus").is_none());
        assert_eq!(TimeZone::first_known([Some("Nope/Nope"), None, Some("Europe/Paris")]).name(), "Europe/Paris");
        assert_eq!(TimeZone::first_known([None]).name(), "UTC");
    }
}
