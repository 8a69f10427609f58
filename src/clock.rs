//! Time comes from a `Clock` handed to whatever needs it, so that tests can
//! move time forward (session expiry, lockouts, later rounds and reminders)
//! without sleeping.

use std::sync::Mutex;

use chrono::{NaiveDateTime, TimeDelta, Utc};

pub trait Clock: Send + Sync + 'static {
    /// Now, in UTC, truncated to microseconds: PostgreSQL keeps no more, and
    /// SQLite compares timestamps as text, so both must see the same value.
    fn now(&self) -> NaiveDateTime;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        truncate_to_micros(Utc::now().naive_utc())
    }
}

/// A clock that stands still until told to move. For tests and simulations.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<NaiveDateTime>,
}

impl ManualClock {
    pub fn new(start: NaiveDateTime) -> Self {
        ManualClock {
            now: Mutex::new(truncate_to_micros(start)),
        }
    }

    /// Starts at the real current time.
    pub fn starting_now() -> Self {
        Self::new(Utc::now().naive_utc())
    }

    pub fn advance(&self, by: TimeDelta) {
        let mut now = self.now.lock().expect("clock lock poisoned");
        *now = truncate_to_micros(*now + by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> NaiveDateTime {
        *self.now.lock().expect("clock lock poisoned")
    }
}

pub fn truncate_to_micros(t: NaiveDateTime) -> NaiveDateTime {
    use chrono::Timelike;
    let micros = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(micros).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::starting_now();
        let t0 = clock.now();
        assert_eq!(clock.now(), t0);
        clock.advance(TimeDelta::minutes(31));
        assert_eq!(clock.now() - t0, TimeDelta::minutes(31));
    }

    #[test]
    fn times_are_truncated_to_microseconds() {
        use chrono::Timelike;
        assert_eq!(SystemClock.now().nanosecond() % 1_000, 0);
    }
}
