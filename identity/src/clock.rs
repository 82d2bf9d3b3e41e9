//! Time and randomness as parameters of the core.
//!
//! Rules never call `now()` or a global RNG: a request reads the clock once and the
//! value travels down, so tests can freeze time and script randomness.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch; the one time representation stored in the database.
pub type UnixMillis = i64;

pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> UnixMillis;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(clippy::disallowed_methods, reason = "the one implementation of the clock the core is given")]
    fn now(&self) -> UnixMillis {
        let now = time::OffsetDateTime::now_utc();
        i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
    }
}

/// The wall clock moved forward by an offset that only grows: development mode's
/// steerable time (`POST /dev/clock`), so a person can try what happens in 30 days
/// (a child coming of age, an invitation expiring) without waiting.
#[derive(Debug, Default)]
pub struct ShiftedClock {
    offset: AtomicI64,
}

impl ShiftedClock {
    /// Moves the clock `millis` forward (a negative value is ignored: time never goes
    /// back, or expiry rules would see the past).
    pub fn advance(&self, millis: i64) {
        if millis > 0 {
            self.offset.fetch_add(millis, Ordering::SeqCst);
        }
    }

    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> UnixMillis {
        SystemClock.now().saturating_add(self.offset())
    }
}

/// A clock that only moves when told to (tests and simulations).
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn at(millis: UnixMillis) -> Self {
        Self(AtomicI64::new(millis))
    }
    pub fn advance(&self, millis: i64) {
        self.0.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> UnixMillis {
        self.0.load(Ordering::SeqCst)
    }
}

/// A monotonic stopwatch: how long work took, never a date. The password hasher
/// measures each hash with it (`password::Hasher` admits callers by expected wait), so
/// tests can steer durations without waiting.
pub trait Timer: Send + Sync + fmt::Debug {
    /// Microseconds since an arbitrary fixed start; never goes back.
    fn micros(&self) -> u64;
}

/// The operating system's monotonic clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemTimer;

impl Timer for SystemTimer {
    #[expect(clippy::disallowed_methods, reason = "the one implementation of the stopwatch the core is given")]
    fn micros(&self) -> u64 {
        static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        let start = *START.get_or_init(|| std::time::Instant::now());
        u64::try_from(std::time::Instant::now().saturating_duration_since(start).as_micros()).unwrap_or(u64::MAX)
    }
}

/// A stopwatch that moves `step` microseconds forward at every reading (tests): a
/// measurement of one piece of work (two readings) takes exactly `step`.
#[derive(Debug, Default)]
pub struct SteppingTimer {
    now: std::sync::atomic::AtomicU64,
    step: std::sync::atomic::AtomicU64,
}

impl SteppingTimer {
    pub fn with_step(micros: u64) -> Self {
        Self { now: std::sync::atomic::AtomicU64::new(0), step: std::sync::atomic::AtomicU64::new(micros) }
    }
    /// What the next measurement will take.
    pub fn set_step(&self, micros: u64) {
        self.step.store(micros, Ordering::SeqCst);
    }
}

impl Timer for SteppingTimer {
    fn micros(&self) -> u64 {
        let step = self.step.load(Ordering::SeqCst);
        self.now.fetch_add(step, Ordering::SeqCst).saturating_add(step)
    }
}

/// A source of cryptographically secure random bytes.
pub trait SecureRandom: Send + Sync + fmt::Debug {
    fn fill(&self, dest: &mut [u8]);
}

/// The operating system's CSPRNG.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl SecureRandom for OsRandom {
    #[expect(clippy::disallowed_methods, reason = "the one implementation of the randomness the core is given")]
    fn fill(&self, dest: &mut [u8]) {
        use rand::RngCore as _;
        // ThreadRng is a ChaCha CSPRNG seeded and periodically reseeded from the OS.
        rand::rng().fill_bytes(dest);
    }
}

/// Deterministic bytes for tests: a counter expanded into the buffer. Never secure.
#[derive(Debug, Default)]
pub struct CountingRandom(Mutex<u64>);

impl SecureRandom for CountingRandom {
    fn fill(&self, dest: &mut [u8]) {
        let mut counter = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for chunk in dest.chunks_mut(8) {
            *counter = counter.wrapping_add(1);
            let bytes = counter.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// Formats stored milliseconds as an RFC 3339 UTC timestamp for people to read.
pub fn format_millis(millis: UnixMillis) -> String {
    let nanos = i128::from(millis) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| millis.to_string())
}

/// Reads an RFC 3339 timestamp (`2027-01-01T00:00:00Z`) as milliseconds.
pub fn parse_rfc3339(text: &str) -> Option<UnixMillis> {
    text.trim().parse::<jiff::Timestamp>().ok().map(|t| t.as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let clock = FixedClock::at(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance(500);
        assert_eq!(clock.now(), 1_500);
    }

    #[test]
    fn counting_random_is_deterministic_and_distinct() {
        let a = CountingRandom::default();
        let b = CountingRandom::default();
        let (mut x, mut y, mut z) = ([0u8; 12], [0u8; 12], [0u8; 12]);
        a.fill(&mut x);
        b.fill(&mut y);
        a.fill(&mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
    }

    #[test]
    fn formats_epoch_millis_as_rfc3339() {
        assert_eq!(format_millis(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_millis(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }
}
