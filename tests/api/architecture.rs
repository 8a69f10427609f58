//! The module direction, held by a test rather than by memory:
//! web → services (auth, surveys, analytics, mail, import, export) → db → domain.
//! HTTP (actix) stays in `web/`, `startup.rs` and `cli.rs`.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// (file relative to src/, its text) for every source file.
fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn offenders(allowed: impl Fn(&str) -> bool, needle: &str) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(file, text)| !allowed(file) && text.contains(needle))
        .map(|(file, _)| file)
        .collect()
}

const ENTRY: [&str; 4] = ["startup.rs", "cli.rs", "lib.rs", "main.rs"];

#[test]
fn http_stays_in_the_web_layer() {
    let allowed = |f: &str| f.starts_with("web/") || ENTRY.contains(&f);
    assert_eq!(offenders(allowed, "actix"), Vec::<String>::new());
    assert_eq!(offenders(allowed, "crate::web"), Vec::<String>::new());
}

#[test]
fn the_database_layer_knows_only_the_domain() {
    for service in [
        "crate::web",
        "crate::auth",
        "crate::surveys",
        "crate::mail",
        "crate::import",
        "crate::analytics",
        "crate::export",
    ] {
        let found = offenders(|f| !f.starts_with("db/"), service);
        assert_eq!(found, Vec::<String>::new(), "db/ must not use {service}");
    }
}

#[test]
fn the_domain_does_no_io() {
    for outside in ["crate::db", "diesel", "actix", "std::fs", "tokio"] {
        let found = offenders(|f| !f.starts_with("domain/"), outside);
        assert_eq!(
            found,
            Vec::<String>::new(),
            "domain/ must not use {outside}"
        );
    }
}

/// Diesel's `.first()` sends `LIMIT ?`, and SQLite re-prepares such a
/// statement at every call. A lookup of one row by a unique key takes
/// `.get_result()`; `.first()` is for taking the top of an ordered list.
#[test]
fn single_row_lookups_send_no_limit() {
    for (file, text) in sources().iter().filter(|(f, _)| f.starts_with("db/")) {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.contains(".first(conn)") {
                let before = lines[i.saturating_sub(3)..i].join("\n");
                assert!(
                    before.contains(".order("),
                    "{file}:{}: .first() without an order: use .get_result()",
                    i + 1
                );
            }
        }
    }
}

/// `surveys::forms` keeps what a round asks each team for as long as the
/// process runs: that is right only while a round's tools, its teams' tools
/// and its questions are written once, when it opens, and never changed.
#[test]
fn what_a_round_asks_is_never_changed_after_it_opens() {
    for table in ["round_tools", "round_team_tools", "round_questions"] {
        for verb in ["diesel::update(", "diesel::delete("] {
            let needle = format!("{verb}{table}::table");
            assert_eq!(
                offenders(|_| false, &needle),
                Vec::<String>::new(),
                "{needle}: forms are kept in memory (surveys::forms)"
            );
        }
        let sql = format!("UPDATE {table} ");
        assert_eq!(
            offenders(|_| false, &sql),
            Vec::<String>::new(),
            "{sql}: forms are kept in memory (surveys::forms)"
        );
    }
}
