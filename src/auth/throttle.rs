//! Slows guessing.
//!
//! Sign-ins (`LoginThrottle`): each attempt is counted, per account and per
//! client address, *before* the password is checked, in the database so that
//! every instance sees the same counts. Past the limit a sign-in is refused
//! without hashing anything, however many arrive at once.
//!
//! Unknown respondent links (`MissThrottle`): misses are counted per client
//! address in memory, in a map of bounded size, so that a wrong link writes
//! nothing and no flood of addresses can grow it without end.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;

use crate::db::{self, DbConnection, login_attempts};

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
    format!("address:{}", address_key(address))
}

/// The part of an address one client controls: all of an IPv4 address, the
/// /64 network of an IPv6 one (a single host is handed a whole /64 and can
/// pick any address in it).
pub fn address_key(address: &str) -> String {
    match address.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(ip) => ip.to_string(),
        Err(_) => address.to_owned(),
    }
}

impl LoginThrottle {
    /// Counts a sign-in attempt for `email` from `address`. `Some(wait)` when
    /// it is over either limit and must be refused without checking the
    /// password; then it still counts, so hammering does not reset anything.
    pub fn reserve(
        &self,
        conn: &mut DbConnection,
        email: &str,
        address: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<TimeDelta>> {
        let expired = now - self.window;
        db::write_transaction(conn, |conn| {
            let mut wait: Option<TimeDelta> = None;
            for (bucket, max) in [
                (account_bucket(email), self.max_per_account),
                (address_bucket(address), self.max_per_address),
            ] {
                let w = login_attempts::reserve(conn, &bucket, now, expired)?;
                if w.attempts > max {
                    let this = (w.window_start + self.window - now).max(TimeDelta::seconds(1));
                    wait = Some(wait.map_or(this, |w| w.max(this)));
                }
            }
            Ok(wait)
        })
    }

    /// A correct password clears the account's count and gives the address
    /// its attempt back (not its whole count: one good account must not
    /// unlock guessing at others from the same address).
    pub fn succeeded(
        &self,
        conn: &mut DbConnection,
        email: &str,
        address: &str,
    ) -> QueryResult<()> {
        login_attempts::clear(conn, &account_bucket(email))?;
        login_attempts::refund(conn, &address_bucket(address))?;
        Ok(())
    }

    pub fn forget_old(&self, conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
        login_attempts::delete_expired(conn, now - self.window)
    }
}

/// Unknown-link look-ups per client address, in memory.
pub struct MissThrottle {
    max_misses: u32,
    window: TimeDelta,
    capacity: usize,
    /// Address key → (window start, misses in it).
    seen: Mutex<HashMap<String, (NaiveDateTime, u32)>>,
}

impl MissThrottle {
    pub fn new(max_misses: u32, window: TimeDelta, capacity: usize) -> Self {
        MissThrottle {
            max_misses,
            window,
            capacity: capacity.max(1),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a miss; `true` when the address is past the limit. Real links
    /// are never refused, so an office behind one NAT keeps working.
    pub fn miss(&self, address: &str, now: NaiveDateTime) -> bool {
        let key = address_key(address);
        let mut seen = self.seen.lock().expect("throttle lock poisoned");
        let expired = now - self.window;
        if !seen.contains_key(&key) && seen.len() >= self.capacity {
            seen.retain(|_, (start, _)| *start > expired);
            if seen.len() >= self.capacity {
                // Still full of live windows: forget the oldest, which is
                // the closest to being forgotten anyway.
                if let Some(oldest) = seen
                    .iter()
                    .min_by_key(|(_, (start, _))| *start)
                    .map(|(k, _)| k.clone())
                {
                    seen.remove(&oldest);
                }
            }
        }
        let entry = seen.entry(key).or_insert((now, 0));
        if entry.0 <= expired {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 > self.max_misses
    }

    /// How many addresses are remembered (never more than the capacity).
    pub fn len(&self) -> usize {
        self.seen.lock().expect("throttle lock poisoned").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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

    fn t(minutes: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .unwrap()
            .naive_utc()
            + TimeDelta::minutes(minutes)
    }

    #[test]
    fn waits_are_rounded_up_to_minutes() {
        assert_eq!(describe_wait(TimeDelta::seconds(5)), "1 minute");
        assert_eq!(describe_wait(TimeDelta::seconds(61)), "2 minutes");
        assert_eq!(describe_wait(TimeDelta::minutes(15)), "15 minutes");
    }

    #[test]
    fn an_ipv6_host_is_one_client_across_its_network() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            address_key("2001:db8:1:2:ffff::9"),
            address_key("2001:db8:1:2::")
        );
        assert_eq!(address_key("::ffff:10.0.0.7"), "10.0.0.7");
        assert_eq!(address_key("10.0.0.7"), "10.0.0.7");
    }

    #[test]
    fn misses_are_limited_per_window() {
        let m = MissThrottle::new(3, TimeDelta::minutes(15), 100);
        assert!(!(0..3).any(|_| m.miss("10.0.0.1", t(0))));
        assert!(m.miss("10.0.0.1", t(1)));
        assert!(
            !m.miss("10.0.0.2", t(2)),
            "another address has its own count"
        );
        assert!(!m.miss("10.0.0.1", t(16)), "a new window");
    }

    #[test]
    fn a_flood_of_addresses_stays_within_capacity() {
        let m = MissThrottle::new(3, TimeDelta::minutes(15), 50);
        for i in 0..10_000 {
            m.miss(
                &format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256),
                t(0),
            );
        }
        assert_eq!(m.len(), 50);
    }
}
