//! A million answers: 10 tools x 20 rounds x 5,000 responses, 19 rounds
//! closed and one open, written with set-based SQL (the app's own paths
//! would take an hour here).

use chrono::TimeDelta;
use diesel::connection::SimpleConnection;
use infrapulse::clock::{Clock, SystemClock};
use infrapulse::db::DbConnection;

pub const TOOLS: i64 = 10;
pub const ROUNDS: i64 = 20;
pub const RESPONSES: i64 = 5_000;
pub const TEAMS: i64 = 20;

/// Teams, tools, one program and its rounds, and a million answers, written
/// with set-based SQL (the app's own paths would take an hour here).
pub fn fill(conn: &mut DbConnection) -> anyhow::Result<()> {
    let pg = matches!(conn, DbConnection::Postgresql(_));
    let now = SystemClock.now();
    let t = |d: TimeDelta| format!("'{}'", (now + d).format("%Y-%m-%d %H:%M:%S"));
    let mut sql = String::new();
    for i in 0..TEAMS {
        sql.push_str(&format!(
            "INSERT INTO teams (slug, name, description, active, created_at, updated_at) \
             VALUES ('team-{i}', 'Team {i}', '', TRUE, {now}, {now});",
            now = t(TimeDelta::zero())
        ));
    }
    for i in 0..TOOLS {
        sql.push_str(&format!(
            "INSERT INTO tools (slug, name, description, category, owner_team_id, active, created_at, updated_at) \
             VALUES ('tool-{i}', 'Tool {i}', '', 'developer_tools', 1, TRUE, {now}, {now});",
            now = t(TimeDelta::zero())
        ));
    }
    sql.push_str(&format!(
        "INSERT INTO programs (slug, name, cadence_kind, cadence_weeks, open_days, created_at, updated_at) \
         VALUES ('pulse', 'Pulse', 'weeks', 2, 10, {c}, {c});",
        c = t(TimeDelta::weeks(-2 * ROUNDS))
    ));
    conn.batch_execute(&sql)?;
    for round in 1..=ROUNDS {
        let opens = TimeDelta::weeks(2 * (round - ROUNDS)) - TimeDelta::days(1);
        let open_now = round == ROUNDS;
        let closes = if open_now {
            TimeDelta::days(9)
        } else {
            opens + TimeDelta::days(10)
        };
        let closed_at = if open_now { "NULL".into() } else { t(closes) };
        let random_id = if pg {
            "1 + floor(random() * 9.2e18)::BIGINT"
        } else {
            "(random() & 9223372036854775807)"
        };
        let series = if pg {
            format!("generate_series(1, {RESPONSES}) AS n(i)")
        } else {
            format!(
                "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {RESPONSES}) SELECT i FROM s) AS n"
            )
        };
        let batch = format!(
            "BEGIN;
             INSERT INTO rounds (program_id, number, period_key, program_name, intro, reminder_days,
                 anonymity_k, opens_at, closes_at, created_at, thank_on_close, closed_at)
               VALUES (1, {round}, 'r{round}', 'Pulse', '', '', 5, {opens}, {closes}, {opens}, FALSE, {closed_at});
             INSERT INTO round_tools (round_id, tool_id, position, slug, name, invited)
               SELECT {round}, id, id, slug, name, {invited} FROM tools;
             INSERT INTO responses (id, round_id, team_id, respondent_key)
               SELECT {random_id}, {round}, 1 + i % {TEAMS}, 'key-{round}-' || i FROM {series};
             INSERT INTO tool_answers (response_id, tool_id, not_used, security, reliability, usability,
                 efficiency, latency, satisfaction, hours_lost, pain, proposal, round_id, team_id)
               SELECT r.id, t.id, FALSE,
                      1 + (r.id % 97 + t.id) % 5, 1 + (r.id % 89 + t.id * 3) % 5,
                      1 + (r.id % 83 + t.id * 7) % 5, 1 + (r.id % 79 + t.id) % 5,
                      1 + (r.id % 73 + t.id * 11) % 5, 1 + (r.id % 71 + t.id * 13) % 5,
                      r.id % 40, 'Builds are slow on Mondays', 'Cache the dependencies',
                      r.round_id, r.team_id
               FROM responses r CROSS JOIN tools t WHERE r.round_id = {round};
             COMMIT;",
            opens = t(opens),
            closes = t(closes),
            invited = RESPONSES * 5 / 4,
        );
        conn.batch_execute(&batch)?;
    }
    // Fresh statistics and visibility, as autovacuum keeps a database in
    // service (PostgreSQL's index-only scans need the visibility map).
    conn.batch_execute(if pg { "VACUUM ANALYZE" } else { "ANALYZE" })?;
    Ok(())
}
