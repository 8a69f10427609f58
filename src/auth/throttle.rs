//! Slows password guessing: after too many failures in a window, further
//! sign-ins for that account, or from that address, are refused until the
//! window has passed. Counts live in the database so that every instance
//! sees them and a restart does not reset them.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;

use crate::db::{DbConnection, login_failures};

#[derive(Debug, Clone, Copy)]
pub struct LoginThrottle {
    pub max_per_account: i64,
    /// Higher than per account: one office behind one NAT shares an address.
    pub max_per_address: i64,
    pub window: TimeDelta,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            max_per_account: 5,
            max_per_address: 30,
            window: TimeDelta::minutes(15),
        }
    }
}

fn account_bucket(email: &str) -> String {
    format!("account:{email}")
}

fn address_bucket(address: &str) -> String {
    format!("address:{address}")
}

impl LoginThrottle {
    /// `Some(wait)` when a sign-in for `email` from `address` must be refused.
    /// Unknown emails are throttled like known ones, so the answer tells nothing.
    pub fn retry_after(
        &self,
        conn: &mut DbConnection,
        email: &str,
        address: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<TimeDelta>> {
        let since = now - self.window;
        let buckets = [
            (account_bucket(email), self.max_per_account),
            (address_bucket(address), self.max_per_address),
        ];
        let mut wait: Option<TimeDelta> = None;
        for (bucket, max) in buckets {
            let (count, oldest) = login_failures::window(conn, &bucket, since)?;
            if count >= max {
                let free_at = oldest.unwrap_or(now) + self.window;
                let this_wait = (free_at - now).max(TimeDelta::seconds(1));
                wait = Some(wait.map_or(this_wait, |w| w.max(this_wait)));
            }
        }
        Ok(wait)
    }

    pub fn record_failure(
        &self,
        conn: &mut DbConnection,
        email: &str,
        address: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        login_failures::record(conn, &account_bucket(email), now)?;
        login_failures::record(conn, &address_bucket(address), now)?;
        Ok(())
    }

    /// A correct password clears the account's count (not the address's:
    /// one good account must not unlock guessing at others).
    pub fn record_success(&self, conn: &mut DbConnection, email: &str) -> QueryResult<()> {
        login_failures::clear(conn, &account_bucket(email)).map(drop)
    }

    pub fn forget_old(&self, conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
        login_failures::delete_before(conn, now - self.window)
    }
}

/// "15 minutes", "1 minute", rounded up: for the message shown on refusal.
pub fn describe_wait(wait: TimeDelta) -> String {
    let minutes = (wait.num_seconds() + 59) / 60;
    if minutes <= 1 {
        "1 minute".into()
    } else {
        format!("{minutes} minutes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_rounded_up_to_minutes() {
        assert_eq!(describe_wait(TimeDelta::seconds(5)), "1 minute");
        assert_eq!(describe_wait(TimeDelta::seconds(61)), "2 minutes");
        assert_eq!(describe_wait(TimeDelta::minutes(15)), "15 minutes");
    }
}
