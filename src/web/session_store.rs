//! actix-session's storage, kept in our database so that signing out really
//! ends a session (the row is gone, whatever the browser keeps), sessions
//! expire after a period of inactivity by our clock, and several instances
//! share them.

use std::collections::HashMap;
use std::sync::Arc;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration as CookieDuration;
use chrono::TimeDelta;
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::db::{self, DbPool, sessions};
use crate::secret::{hex, random_hex};

/// The session key that holds the signed-in account's id.
pub const ACCOUNT_ID: &str = "account_id";

/// Set in place of the state when the database could not be reached to load
/// it. actix-session turns a failed load into an opaque 500 that bypasses
/// the error pages; this lets the extractors answer 503 with a page instead.
pub const UNAVAILABLE: &str = "_store_unavailable";

/// Whether a store error means the database is out of reach.
fn unavailable(e: &anyhow::Error) -> bool {
    e.downcast_ref::<diesel::r2d2::PoolError>().is_some()
        || e.downcast_ref::<diesel::result::Error>()
            .is_some_and(db::is_unavailable)
}

#[derive(Clone)]
pub struct DbSessionStore {
    pool: DbPool,
    clock: Arc<dyn Clock>,
}

impl DbSessionStore {
    pub fn new(pool: DbPool, clock: Arc<dyn Clock>) -> Self {
        DbSessionStore { pool, clock }
    }
}

fn key_hash(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

fn ttl(ttl: &CookieDuration) -> TimeDelta {
    TimeDelta::seconds(ttl.whole_seconds())
}

fn account_id(state: &HashMap<String, String>) -> Option<i64> {
    state.get(ACCOUNT_ID).and_then(|v| v.parse().ok())
}

async fn run<T: Send + 'static>(
    pool: &DbPool,
    work: impl FnOnce(&mut db::DbConnection) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    db::run(pool, work).await
}

impl SessionStore for DbSessionStore {
    async fn load(
        &self,
        session_key: &SessionKey,
    ) -> Result<Option<HashMap<String, String>>, LoadError> {
        let hash = key_hash(session_key.as_ref());
        let now = self.clock.now();
        let state = match run(&self.pool, move |conn| {
            Ok(sessions::load_live(conn, &hash, now)?)
        })
        .await
        {
            Ok(state) => state,
            Err(e) if unavailable(&e) => {
                tracing::warn!(error = %e, "cannot load a session: the database is out of reach");
                return Ok(Some(HashMap::from([(UNAVAILABLE.into(), "true".into())])));
            }
            Err(e) => return Err(LoadError::Other(e)),
        };
        state
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| LoadError::Deserialization(e.into()))
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl_: &CookieDuration,
    ) -> Result<SessionKey, SaveError> {
        let json = serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let key = random_hex(32);
        let hash = key_hash(&key);
        let now = self.clock.now();
        let expires_at = now + ttl(ttl_);
        run(&self.pool, move |conn| {
            let new = sessions::NewSession {
                key_hash: &hash,
                account_id: account_id(&state),
                state: &json,
                expires_at,
            };
            sessions::insert(conn, &new, now)?;
            Ok(())
        })
        .await
        .map_err(SaveError::Other)?;
        SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))
    }

    async fn update(
        &self,
        session_key: SessionKey,
        state: HashMap<String, String>,
        ttl_: &CookieDuration,
    ) -> Result<SessionKey, UpdateError> {
        let json =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let hash = key_hash(session_key.as_ref());
        let now = self.clock.now();
        let expires_at = now + ttl(ttl_);
        let account = account_id(&state);
        let updated = run(&self.pool, move |conn| {
            let new = sessions::NewSession {
                key_hash: &hash,
                account_id: account,
                state: &json,
                expires_at,
            };
            Ok(sessions::update_live(conn, &new, now)?)
        })
        .await
        .map_err(UpdateError::Other)?;
        if updated == 1 {
            return Ok(session_key);
        }
        // The session expired while the request ran: start a fresh one.
        self.save(state, ttl_).await.map_err(|e| match e {
            SaveError::Serialization(e) => UpdateError::Serialization(e),
            SaveError::Other(e) => UpdateError::Other(e),
        })
    }

    async fn update_ttl(
        &self,
        session_key: &SessionKey,
        ttl_: &CookieDuration,
    ) -> anyhow::Result<()> {
        let hash = key_hash(session_key.as_ref());
        let now = self.clock.now();
        let expires_at = now + ttl(ttl_);
        let extended = run(&self.pool, move |conn| {
            sessions::extend_live(conn, &hash, expires_at, TimeDelta::minutes(1), now)?;
            Ok(())
        })
        .await;
        match extended {
            // A missed extension only shortens an idle timeout.
            Err(e) if unavailable(&e) => {
                tracing::warn!(error = %e, "cannot extend a session: the database is out of reach");
                Ok(())
            }
            other => other,
        }
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        let hash = key_hash(session_key.as_ref());
        run(&self.pool, move |conn| {
            sessions::delete(conn, &hash)?;
            Ok(())
        })
        .await
    }
}
