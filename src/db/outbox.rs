//! The outbox: one row per email, queued in the transaction that causes it
//! and sent by the delivery worker (`mail::courier`).
//!
//! A row's life: `queued` → `sending` (claimed, under a lease) → `sent`, or
//! `retrying` (a transient failure; `due_at` is the next try) or `failed`
//! (permanent), or `skipped` (no longer wanted when its turn came, e.g. a
//! reminder to someone who has since answered).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{invitations, members, opt_outs, outbox, rounds, teams};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Invitation,
    Reminder,
    Thanks,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Invitation => "invitation",
            Kind::Reminder => "reminder",
            Kind::Thanks => "thanks",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Kind::Invitation, Kind::Reminder, Kind::Thanks]
            .into_iter()
            .find(|k| k.as_str() == raw)
    }
}

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const RETRYING: &str = "retrying";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const SKIPPED: &str = "skipped";

/// Rows per INSERT: well under both backends' limits on bound parameters.
const CHUNK: usize = 1000;

#[derive(Insertable)]
#[diesel(table_name = outbox)]
struct NewEmail {
    invitation_id: i64,
    round_id: i64,
    kind: &'static str,
    seq: i64,
    message_key: String,
    status: &'static str,
    due_at: NaiveDateTime,
    created_at: NaiveDateTime,
}

/// Queues email `kind` number `seq` for each invitation. One that is already
/// queued stays as it is (the unique key on (invitation, kind, seq)), so two
/// schedulers doing the same pass queue each email once. Returns how many
/// rows were added.
pub fn queue(
    conn: &mut DbConnection,
    round_id: i64,
    invitation_ids: &[i64],
    kind: Kind,
    seq: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut added = 0;
    for chunk in invitation_ids.chunks(CHUNK) {
        let rows: Vec<NewEmail> = chunk
            .iter()
            .map(|&invitation_id| NewEmail {
                invitation_id,
                round_id,
                kind: kind.as_str(),
                seq,
                message_key: uuid::Uuid::new_v4().simple().to_string(),
                status: QUEUED,
                due_at: now,
                created_at: now,
            })
            .collect();
        // Diesel writes multi-row INSERTs for PostgreSQL only; SQLite's
        // rows cost no round trip, so one statement each is as quick.
        match conn {
            DbConnection::Postgresql(c) => {
                added += diesel::insert_into(outbox::table)
                    .values(&rows)
                    .on_conflict_do_nothing()
                    .execute(c)?;
            }
            DbConnection::Sqlite(c) => {
                for row in &rows {
                    added += diesel::insert_into(outbox::table)
                        .values(row)
                        .on_conflict_do_nothing()
                        .execute(c)?;
                }
            }
        }
    }
    Ok(added)
}

/// Whether email `kind` number `seq` was queued for anyone in the round.
pub fn has_queued(
    conn: &mut DbConnection,
    round_id: i64,
    kind: Kind,
    seq: i64,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        outbox::table
            .filter(outbox::round_id.eq(round_id))
            .filter(outbox::kind.eq(kind.as_str()))
            .filter(outbox::seq.eq(seq)),
    ))
    .get_result(conn)
}

/// Claims up to `limit` emails that are due, or whose worker's lease ran out,
/// for `lease`: the earliest due first. On PostgreSQL, rows another worker
/// is claiming at this moment are skipped rather than waited for; on SQLite
/// the write lock serialises claimers. Returns the claimed ids.
///
/// Each claimable status is read on its own, in `(status, due_at)` index
/// order, so a claim reads about `limit` rows per status however many sent
/// emails the outbox keeps. One query with an `OR` across statuses cannot
/// use that order: both backends scanned and sorted the whole table, on
/// every claim.
pub fn claim(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    lease: TimeDelta,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    super::write_transaction(conn, |conn| {
        macro_rules! first {
            ($status:expr, $ready:expr) => {
                outbox::table
                    .filter(outbox::status.eq($status))
                    .filter($ready)
                    .order((outbox::due_at.asc(), outbox::id.asc()))
                    .select((outbox::due_at, outbox::id))
                    .limit(limit)
            };
        }
        macro_rules! load {
            ($query:expr) => {
                match conn {
                    DbConnection::Postgresql(c) => $query.for_update().skip_locked().load(c)?,
                    DbConnection::Sqlite(c) => $query.load(c)?,
                }
            };
        }
        let queued: Vec<(NaiveDateTime, i64)> = load!(first!(QUEUED, outbox::due_at.le(now)));
        let retrying: Vec<(NaiveDateTime, i64)> = load!(first!(RETRYING, outbox::due_at.le(now)));
        let lapsed: Vec<(NaiveDateTime, i64)> = load!(first!(SENDING, outbox::lease_until.lt(now)));
        let mut due = [queued, retrying, lapsed].concat();
        due.sort_unstable();
        due.truncate(usize::try_from(limit).unwrap_or(0));
        let ids: Vec<i64> = due.into_iter().map(|(_, id)| id).collect();
        if !ids.is_empty() {
            diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
                .set((
                    outbox::status.eq(SENDING),
                    outbox::lease_until.eq(now + lease),
                    outbox::attempts.eq(outbox::attempts + 1),
                ))
                .execute(conn)?;
        }
        Ok(ids)
    })
}

/// Everything needed to write and address one claimed email.
#[derive(Debug, Clone, Queryable)]
pub struct Envelope {
    pub id: i64,
    pub kind: String,
    pub seq: i64,
    pub message_key: String,
    pub attempts: i64,
    pub token_seed: Option<String>,
    pub legacy_token: Option<String>,
    pub team_id: i64,
    pub email: String,
    pub name: String,
    pub member_active: bool,
    pub round_id: i64,
    pub program_id: i64,
    pub program_name: String,
    pub closes_at: NaiveDateTime,
    pub opted_out_at: Option<NaiveDateTime>,
}

pub fn envelopes(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Envelope>> {
    outbox::table
        .inner_join(
            invitations::table
                .inner_join(members::table)
                .inner_join(rounds::table),
        )
        .left_join(
            opt_outs::table.on(opt_outs::program_id
                .eq(rounds::program_id)
                .and(opt_outs::member_id.eq(invitations::member_id))),
        )
        .filter(outbox::id.eq_any(ids))
        .select((
            outbox::id,
            outbox::kind,
            outbox::seq,
            outbox::message_key,
            outbox::attempts,
            invitations::token_seed,
            invitations::legacy_token,
            invitations::team_id,
            members::email,
            members::name,
            members::active,
            rounds::id,
            rounds::program_id,
            rounds::program_name,
            rounds::closes_at,
            opt_outs::created_at.nullable(),
        ))
        .order(outbox::id.asc())
        .load(conn)
}

/// How a claimed email ended.
#[derive(Debug, Clone)]
pub enum Settled {
    /// The server took it (`250`).
    Sent { id: i64 },
    /// Ended without sending: `FAILED` or `SKIPPED`, with the reason.
    Unsent {
        id: i64,
        status: &'static str,
        reason: String,
    },
    /// To be tried again at `due`.
    Retrying {
        id: i64,
        due: NaiveDateTime,
        error: String,
    },
}

/// Records how claimed emails ended. The sent, nearly all of them, in one
/// statement: a handful of outcomes per commit costs one round trip, not
/// one each. `sent_at` is `now`, the moment they are recorded.
pub fn settle(
    conn: &mut DbConnection,
    outcomes: &[Settled],
    now: NaiveDateTime,
) -> QueryResult<()> {
    let sent: Vec<i64> = outcomes
        .iter()
        .filter_map(|o| match o {
            Settled::Sent { id } => Some(*id),
            _ => None,
        })
        .collect();
    if !sent.is_empty() {
        diesel::update(outbox::table.filter(outbox::id.eq_any(&sent)))
            .set((
                outbox::status.eq(SENT),
                outbox::sent_at.eq(now),
                outbox::lease_until.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
    }
    for o in outcomes {
        match o {
            Settled::Sent { .. } => {}
            Settled::Unsent { id, status, reason } => {
                diesel::update(outbox::table.find(id))
                    .set((
                        outbox::status.eq(*status),
                        outbox::lease_until.eq(None::<NaiveDateTime>),
                        outbox::last_error.eq(reason),
                    ))
                    .execute(conn)?;
            }
            Settled::Retrying { id, due, error } => {
                diesel::update(outbox::table.find(id))
                    .set((
                        outbox::status.eq(RETRYING),
                        outbox::due_at.eq(due),
                        outbox::lease_until.eq(None::<NaiveDateTime>),
                        outbox::last_error.eq(error),
                    ))
                    .execute(conn)?;
            }
        }
    }
    Ok(())
}

/// Puts failed emails (one, or all with `id` None) back in the queue with a
/// fresh count of attempts. Returns how many.
pub fn retry_failed(
    conn: &mut DbConnection,
    id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let mut query = diesel::update(outbox::table)
        .filter(outbox::status.eq(FAILED))
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(outbox::id.eq(id));
    }
    query
        .set((
            outbox::status.eq(QUEUED),
            outbox::attempts.eq(0),
            outbox::due_at.eq(now),
        ))
        .execute(conn)
}

/// Rows by status, for one round or (`None`) all.
#[derive(Debug, Default, Clone, Copy, serde::Serialize, PartialEq, Eq)]
pub struct Counts {
    pub queued: i64,
    pub sending: i64,
    pub retrying: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
}

impl Counts {
    /// Emails still to go out.
    pub fn pending(&self) -> i64 {
        self.queued + self.sending + self.retrying
    }

    pub fn total(&self) -> i64 {
        self.pending() + self.sent + self.failed + self.skipped
    }
}

pub fn counts(conn: &mut DbConnection, round_id: Option<i64>) -> QueryResult<Counts> {
    let mut query = outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .into_boxed();
    if let Some(round_id) = round_id {
        query = query.filter(outbox::round_id.eq(round_id));
    }
    let mut c = Counts::default();
    for (status, n) in query.load::<(String, i64)>(conn)? {
        let slot = match status.as_str() {
            QUEUED => &mut c.queued,
            SENDING => &mut c.sending,
            RETRYING => &mut c.retrying,
            SENT => &mut c.sent,
            FAILED => &mut c.failed,
            _ => &mut c.skipped,
        };
        *slot += n;
    }
    Ok(c)
}

/// A failed or retrying email, for the admin's outbox page.
#[derive(Debug, Queryable, serde::Serialize)]
pub struct Problem {
    pub id: i64,
    pub kind: String,
    pub seq: i64,
    pub status: String,
    pub attempts: i64,
    pub due_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub name: String,
    pub email: String,
    pub team: String,
    pub program_name: String,
    pub round_number: i64,
}

pub fn problems(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<Problem>> {
    outbox::table
        .inner_join(
            invitations::table
                .inner_join(members::table)
                .inner_join(teams::table)
                .inner_join(rounds::table),
        )
        .filter(outbox::status.eq_any([FAILED, RETRYING]))
        .select((
            outbox::id,
            outbox::kind,
            outbox::seq,
            outbox::status,
            outbox::attempts,
            outbox::due_at,
            outbox::last_error,
            members::name,
            members::email,
            teams::name,
            rounds::program_name,
            rounds::number,
        ))
        .order((outbox::status.asc(), outbox::id.asc()))
        .limit(limit)
        .load(conn)
}

/// Marks a round's queued emails as sent at `at`: for the demo's history,
/// whose rounds are in the past.
pub fn mark_round_sent(
    conn: &mut DbConnection,
    round_id: i64,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::round_id.eq(round_id))
            .filter(outbox::status.eq(QUEUED)),
    )
    .set((outbox::status.eq(SENT), outbox::sent_at.eq(at)))
    .execute(conn)
}
