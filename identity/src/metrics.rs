//! This node's counts of what the core decides about signing in (lock-outs, refused
//! second steps by method), and a bounded history of the sign-in figures for the
//! operator dashboard (`docs/design/admin.md` "Operator dashboard"). Counts by kind
//! only: no account, address or code is ever kept here.
//!
//! [`Counters`] live in the [`crate::Identity`] (shared by its clones) and only grow;
//! `/metrics` reads them at scrape time. [`History`] keeps the differences between
//! samples of [`Totals`] in ten-second steps for the last hour (at most 360 steps,
//! older ones dropped): a sampler takes one every ten seconds and the dashboard one
//! more when it is read, so the last minute includes what happened a moment ago.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::UnixMillis;

/// The history's resolution.
pub const STEP_MS: i64 = 10_000;
/// How far back the history reaches.
pub const HISTORY_MS: i64 = 3_600_000;
const MINUTE_MS: i64 = 60_000;
const MAX_STEPS: usize = 360;

/// Which kind of second step was refused. A wrong code matches nothing, so its kind is
/// read from its shape: six digits are an authenticator app's code or a mailed one (the
/// two look alike), ten letters and digits a recovery code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorMethod {
    /// Six digits: the authenticator app's code, or a mailed sign-in code.
    Code,
    RecoveryCode,
    /// A passkey asked for as the second step that did not verify.
    Passkey,
    /// Anything else typed into the code field.
    Other,
}

impl FactorMethod {
    pub const ALL: [Self; 4] = [Self::Code, Self::RecoveryCode, Self::Passkey, Self::Other];

    /// The `method` label in `/metrics` and on the dashboard.
    pub fn label(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::RecoveryCode => "recovery_code",
            Self::Passkey => "passkey",
            Self::Other => "other",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Code => 0,
            Self::RecoveryCode => 1,
            Self::Passkey => 2,
            Self::Other => 3,
        }
    }

    /// The kind of a typed code that matched nothing, by its shape.
    pub fn of_code(code: &str) -> Self {
        let compact: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
            Self::Code
        } else if compact.len() == 10 && compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Self::RecoveryCode
        } else {
            Self::Other
        }
    }
}

/// What the core counts, since this process started.
#[derive(Debug, Default)]
pub struct Counters {
    lockouts: AtomicU64,
    second_factor: [AtomicU64; 4],
}

impl Counters {
    /// An account locked after too many failed sign-in steps (`account.locked`).
    pub(crate) fn count_lockout(&self) {
        self.lockouts.fetch_add(1, Ordering::Relaxed);
    }

    /// A second step refused (a wrong code, or a passkey that did not verify).
    pub(crate) fn count_second_factor_failure(&self, method: FactorMethod) {
        if let Some(c) = self.second_factor.get(method.index()) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn lockouts(&self) -> u64 {
        self.lockouts.load(Ordering::Relaxed)
    }

    pub fn second_factor_failures(&self, method: FactorMethod) -> u64 {
        self.second_factor.get(method.index()).map_or(0, |c| c.load(Ordering::Relaxed))
    }
}

/// The running totals a sample takes (or the difference between two samples).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Completed sign-ins.
    pub sign_ins: u64,
    /// Refused sign-in steps: wrong password or code, locked, throttled.
    pub refused: u64,
    pub lockouts: u64,
    /// Refused second steps, by [`FactorMethod::ALL`]'s order.
    pub second_factor: [u64; 4],
}

impl Totals {
    /// Signing-in steps that got an answer: completed plus refused.
    pub fn attempts(&self) -> u64 {
        self.sign_ins.saturating_add(self.refused)
    }

    /// Refused steps as a percentage of all, `None` without any.
    pub fn failure_rate_percent(&self) -> Option<f64> {
        let attempts = self.attempts();
        (attempts > 0).then(|| self.refused as f64 * 100.0 / attempts as f64)
    }

    pub fn second_factor_failures(&self, method: FactorMethod) -> u64 {
        self.second_factor.get(method.index()).copied().unwrap_or(0)
    }

    pub fn second_factor_total(&self) -> u64 {
        self.second_factor.iter().fold(0, |a, b| a.saturating_add(*b))
    }

    fn minus(&self, earlier: &Self) -> Self {
        let mut second_factor = [0; 4];
        for (i, v) in second_factor.iter_mut().enumerate() {
            *v = self.second_factor[i].saturating_sub(earlier.second_factor[i]);
        }
        Self {
            sign_ins: self.sign_ins.saturating_sub(earlier.sign_ins),
            refused: self.refused.saturating_sub(earlier.refused),
            lockouts: self.lockouts.saturating_sub(earlier.lockouts),
            second_factor,
        }
    }

    fn add(&mut self, other: &Self) {
        self.sign_ins = self.sign_ins.saturating_add(other.sign_ins);
        self.refused = self.refused.saturating_add(other.refused);
        self.lockouts = self.lockouts.saturating_add(other.lockouts);
        for (i, v) in self.second_factor.iter_mut().enumerate() {
            *v = v.saturating_add(other.second_factor[i]);
        }
    }
}

/// One ten-second step: what changed during it.
#[derive(Debug, Clone, Copy)]
struct Step {
    start: UnixMillis,
    delta: Totals,
}

#[derive(Debug, Default)]
struct Ring {
    /// The totals at the latest sample (zero before the first: the counters start at
    /// zero with the process).
    last: Totals,
    /// When the first sample was taken.
    since: Option<UnixMillis>,
    steps: VecDeque<Step>,
}

/// A window of the history: its length and what happened in it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub minutes: i64,
    /// How many of those minutes the history covers (fewer just after a start), at
    /// least one: the divisor of the per-minute figures.
    pub covered_minutes: i64,
    pub totals: Totals,
}

impl Window {
    /// Completed sign-ins per minute over the covered span.
    pub fn sign_ins_per_minute(&self) -> f64 {
        self.totals.sign_ins as f64 / self.covered_minutes.max(1) as f64
    }
}

/// One clock minute of the history (UTC), `partial` for the one under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minute {
    pub start: UnixMillis,
    pub partial: bool,
    pub totals: Totals,
}

/// What the history says at one instant.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    pub at: UnixMillis,
    /// When this node's history begins (its first sample).
    pub since: UnixMillis,
    /// The last 1, 15 and 60 minutes.
    pub windows: Vec<Window>,
    /// The last 15 clock minutes, newest first.
    pub minutes: Vec<Minute>,
}

/// The last hour of [`Totals`] differences in ten-second steps (this node's only).
#[derive(Debug, Default)]
pub struct History {
    ring: Mutex<Ring>,
}

impl History {
    /// Adds what changed since the previous sample to the step of `now`. A clock that
    /// went back adds to the newest step; steps older than an hour go.
    pub fn record(&self, now: UnixMillis, totals: Totals) {
        let mut ring = self.ring.lock().unwrap_or_else(PoisonError::into_inner);
        let delta = totals.minus(&ring.last);
        ring.last = totals;
        ring.since.get_or_insert(now);
        let start = now.div_euclid(STEP_MS) * STEP_MS;
        match ring.steps.back_mut() {
            Some(step) if step.start >= start => step.delta.add(&delta),
            _ => ring.steps.push_back(Step { start, delta }),
        }
        while ring.steps.front().is_some_and(|s| s.start <= start - HISTORY_MS) || ring.steps.len() > MAX_STEPS {
            ring.steps.pop_front();
        }
    }

    /// The windows and the per-minute rows at `now` (after [`Self::record`] at `now`).
    pub fn figures(&self, now: UnixMillis) -> Figures {
        let ring = self.ring.lock().unwrap_or_else(PoisonError::into_inner);
        let since = ring.since.unwrap_or(now);
        let sum = |from: UnixMillis, to: UnixMillis| {
            let mut t = Totals::default();
            for s in ring.steps.iter().filter(|s| s.start >= from && s.start < to) {
                t.add(&s.delta);
            }
            t
        };
        let windows = [1, 15, 60]
            .into_iter()
            .map(|minutes| {
                let span = minutes * MINUTE_MS;
                // Steps starting within the span before `now`, the step under way included.
                let totals = sum(now - span + 1, i64::MAX);
                let covered = ((now - since).clamp(0, span) + MINUTE_MS - 1) / MINUTE_MS;
                let covered = covered.max(1);
                Window { minutes, covered_minutes: covered, totals }
            })
            .collect();
        let this_minute = now.div_euclid(MINUTE_MS) * MINUTE_MS;
        let minutes = (0..15)
            .map(|k| {
                let start = this_minute - k * MINUTE_MS;
                Minute { start, partial: k == 0, totals: sum(start, start + MINUTE_MS) }
            })
            .collect();
        Figures { at: now, since, windows, minutes }
    }

    /// How many steps are kept (for the bound's test).
    pub fn steps(&self) -> usize {
        self.ring.lock().unwrap_or_else(PoisonError::into_inner).steps.len()
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    const T0: UnixMillis = 1_800_000_000_000; // a whole minute

    fn totals(sign_ins: u64, refused: u64, lockouts: u64, code: u64) -> Totals {
        Totals { sign_ins, refused, lockouts, second_factor: [code, 0, 0, 0] }
    }

    #[test]
    fn a_code_is_known_by_its_shape() {
        assert_eq!(FactorMethod::of_code("123456"), FactorMethod::Code);
        assert_eq!(FactorMethod::of_code(" 123 456 "), FactorMethod::Code);
        assert_eq!(FactorMethod::of_code("abcde-fghjk"), FactorMethod::RecoveryCode);
        assert_eq!(FactorMethod::of_code("ABCDE FGHJK"), FactorMethod::RecoveryCode);
        assert_eq!(FactorMethod::of_code("12345"), FactorMethod::Other);
        assert_eq!(FactorMethod::of_code("x' OR 1=1 --"), FactorMethod::Other);
        assert_eq!(FactorMethod::ALL.map(FactorMethod::label), ["code", "recovery_code", "passkey", "other"]);
    }

    #[test]
    fn counters_grow_by_kind() {
        let c = Counters::default();
        c.count_lockout();
        c.count_second_factor_failure(FactorMethod::RecoveryCode);
        c.count_second_factor_failure(FactorMethod::RecoveryCode);
        c.count_second_factor_failure(FactorMethod::Passkey);
        assert_eq!(c.lockouts(), 1);
        assert_eq!(FactorMethod::ALL.map(|m| c.second_factor_failures(m)), [0, 2, 1, 0]);
    }

    #[test]
    fn rates_and_sums() {
        let t = totals(3, 1, 0, 2);
        assert_eq!(t.attempts(), 4);
        assert_eq!(t.failure_rate_percent(), Some(25.0));
        assert_eq!(Totals::default().failure_rate_percent(), None, "nothing to divide");
        assert_eq!(t.second_factor_total(), 2);
    }

    #[test]
    fn windows_hold_the_differences_of_their_span() {
        let h = History::default();
        h.record(T0, totals(0, 0, 0, 0));
        // 10 sign-ins 30 minutes ago, 4 more and 2 refusals 10 minutes ago, 1 now.
        h.record(T0 + 30 * MINUTE_MS, totals(10, 0, 0, 0));
        h.record(T0 + 50 * MINUTE_MS, totals(14, 2, 1, 1));
        h.record(T0 + 60 * MINUTE_MS + 5_000, totals(15, 2, 1, 1));
        let f = h.figures(T0 + 60 * MINUTE_MS + 5_000);
        let w: Vec<(i64, u64, u64, u64)> = f.windows.iter().map(|w| (w.minutes, w.totals.sign_ins, w.totals.refused, w.totals.lockouts)).collect();
        assert_eq!(w, [(1, 1, 0, 0), (15, 5, 2, 1), (60, 15, 2, 1)]);
        assert_eq!(f.windows[2].covered_minutes, 60);
        assert!((f.windows[1].sign_ins_per_minute() - 5.0 / 15.0).abs() < 1e-9);
        assert_eq!(f.since, T0);
        // The minute rows: the one under way first, then back to 14 minutes ago.
        assert_eq!(f.minutes.len(), 15);
        assert_eq!((f.minutes[0].start, f.minutes[0].partial, f.minutes[0].totals.sign_ins), (T0 + 60 * MINUTE_MS, true, 1));
        assert_eq!((f.minutes[10].start, f.minutes[10].partial, f.minutes[10].totals), (T0 + 50 * MINUTE_MS, false, totals(4, 2, 1, 1)));
        assert_eq!(f.minutes.iter().map(|m| m.totals.sign_ins).sum::<u64>(), 5);
    }

    #[test]
    fn a_young_history_divides_by_what_it_covers() {
        let h = History::default();
        h.record(T0, Totals::default());
        h.record(T0 + 90_000, totals(6, 0, 0, 0));
        let f = h.figures(T0 + 90_000);
        assert_eq!(f.windows.iter().map(|w| w.covered_minutes).collect::<Vec<_>>(), [1, 2, 2]);
        assert!((f.windows[2].sign_ins_per_minute() - 3.0).abs() < 1e-9);
    }

    #[test]
    fn the_last_minute_includes_the_step_under_way() {
        let h = History::default();
        h.record(T0 + 1_000, Totals::default());
        h.record(T0 + 2_000, totals(2, 3, 1, 1));
        let f = h.figures(T0 + 2_000);
        assert_eq!(f.windows[0].totals, totals(2, 3, 1, 1));
        assert_eq!(f.minutes[0].totals, totals(2, 3, 1, 1));
    }

    #[test]
    fn the_history_stays_bounded_and_forgets_the_old_hour() {
        let h = History::default();
        for i in 0..2_000 {
            h.record(T0 + i * STEP_MS, totals(u64::try_from(i).unwrap(), 0, 0, 0));
        }
        assert!(h.steps() <= 360, "{}", h.steps());
        let now = T0 + 1_999 * STEP_MS;
        let f = h.figures(now);
        assert_eq!(f.windows[2].totals.sign_ins, 360, "one per step for the last hour");
        assert_eq!(f.windows[0].totals.sign_ins, 6);
        // Hours of silence: everything goes.
        h.record(now + 3 * HISTORY_MS, totals(1_999, 0, 0, 0));
        assert_eq!(h.steps(), 1);
        assert_eq!(h.figures(now + 3 * HISTORY_MS).windows[2].totals, Totals::default());
    }

    #[test]
    fn a_clock_going_back_adds_to_the_newest_step() {
        let h = History::default();
        h.record(T0 + 60_000, Totals::default());
        h.record(T0, totals(1, 0, 0, 0));
        assert_eq!(h.steps(), 1);
        assert_eq!(h.figures(T0 + 60_000).windows[0].totals.sign_ins, 1);
    }
}
