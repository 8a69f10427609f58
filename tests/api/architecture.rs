//! The module direction, held by a test rather than by memory, read from
//! the parsed code (`syn`): web → services (auth, surveys, analytics,
//! exports, mail, import, demo) → db → domain, the shared plumbing
//! (configuration, metrics and logs above db; clock, secrets and link keys
//! under everything but the domain) beside them, and no cycle.
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

/// Where a file stands: its folder under `src/`, or its own name for the
/// files at the top (`startup`, `cli`, `config`, …).
fn module_of(file: &str) -> String {
    file.split('/')
        .next()
        .unwrap()
        .trim_end_matches(".rs")
        .to_owned()
}

/// Every module of this crate a file names: in `use` trees (grouped ones
/// included) and in paths anywhere in its code, `crate::x` and, from a
/// folder's files, `super::` (their own module).
fn modules_named(file: &str, text: &str) -> std::collections::BTreeSet<String> {
    use syn::visit::Visit;
    struct Names(std::collections::BTreeSet<String>);
    impl Names {
        fn tree(&mut self, tree: &syn::UseTree, depth: usize) {
            match tree {
                syn::UseTree::Path(p) if depth == 0 && p.ident == "crate" => self.tree(&p.tree, 1),
                syn::UseTree::Path(p) if depth == 1 => {
                    self.0.insert(p.ident.to_string());
                }
                syn::UseTree::Name(n) if depth == 1 => {
                    self.0.insert(n.ident.to_string());
                }
                syn::UseTree::Rename(r) if depth == 1 => {
                    self.0.insert(r.ident.to_string());
                }
                syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.tree(t, depth)),
                _ => {}
            }
        }
    }
    impl<'ast> Visit<'ast> for Names {
        fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
            self.tree(&u.tree, 0);
        }
        fn visit_path(&mut self, p: &'ast syn::Path) {
            let mut segments = p.segments.iter();
            if segments.next().is_some_and(|s| s.ident == "crate")
                && let Some(next) = segments.next()
            {
                self.0.insert(next.ident.to_string());
            }
            syn::visit::visit_path(self, p);
        }
    }
    let parsed = syn::parse_file(text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut names = Names(Default::default());
    names.visit_file(&parsed);
    names.0.remove(&module_of(file));
    names.0
}

/// Module → the modules it names, over every file of `src/`.
fn module_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut graph: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for (file, text) in sources() {
        graph
            .entry(module_of(&file))
            .or_default()
            .extend(modules_named(&file, &text));
    }
    graph
}

/// Shared plumbing every layer but the domain may use: time, secrets and
/// the link keys, embedded files.
const BASE: [&str; 4] = ["clock", "secret", "links", "embed"];
/// Plumbing that knows the database (the URL the configuration parses, the
/// pool and outbox the metrics report on) or the configuration (the logs'
/// format): above `db`, beside the services.
const ABOVE_DB: [&str; 3] = ["config", "metrics", "telemetry"];
const SERVICES: [&str; 7] = [
    "auth",
    "surveys",
    "analytics",
    "exports",
    "mail",
    "import",
    "demo",
];
/// The arrows between services, each for a reason: closing a round keeps
/// its results and regroups its themes; exports write what analytics
/// computes; the demo runs real rounds.
const SERVICE_ARROWS: [(&str, &str); 3] = [
    ("surveys", "analytics"),
    ("exports", "analytics"),
    ("demo", "surveys"),
];

fn may_use(from: &str, to: &str) -> bool {
    let base = |m: &str| BASE.contains(&m);
    let above_db = |m: &str| ABOVE_DB.contains(&m);
    let service = |m: &str| SERVICES.contains(&m);
    match from {
        "startup" | "cli" | "main" | "lib" => true,
        "web" => to != "startup" && to != "cli",
        "domain" => false,
        "db" => to == "domain" || base(to),
        m if service(m) => {
            ["db", "domain"].contains(&to)
                || base(to)
                || above_db(to)
                || SERVICE_ARROWS.contains(&(m, to))
        }
        m if above_db(m) => ["db", "domain", "config"].contains(&to) || base(to),
        m if base(m) => to == "domain" || base(to),
        other => panic!("{other}: a module this test does not place; add it to a layer"),
    }
}

/// The layering, read from the parsed code: web → services → db → domain,
/// with the shared plumbing beside them, and no cycle anywhere.
#[test]
fn modules_depend_one_way_and_in_no_cycle() {
    let graph = module_graph();
    let mut wrong = Vec::new();
    for (from, tos) in &graph {
        for to in tos {
            if !may_use(from, to) {
                wrong.push(format!("{from} -> {to}"));
            }
        }
    }
    assert_eq!(
        wrong,
        Vec::<String>::new(),
        "arrows the layering does not allow"
    );

    // Depth-first search for a way back to where it started.
    fn cycle_from<'a>(
        graph: &'a std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        let here = *path.last().unwrap();
        for next in graph.get(here).into_iter().flatten() {
            if next == path[0] {
                let mut cycle: Vec<String> = path.iter().map(|m| m.to_string()).collect();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if !path.contains(&next.as_str()) {
                path.push(next);
                if let Some(c) = cycle_from(graph, path) {
                    return Some(c);
                }
                path.pop();
            }
        }
        None
    }
    for start in graph
        .keys()
        .filter(|m| !["main", "lib"].contains(&m.as_str()))
    {
        if let Some(cycle) = cycle_from(&graph, &mut vec![start.as_str()]) {
            panic!("a cycle: {}", cycle.join(" -> "));
        }
    }
}

/// The parser sees what a substring search missed: grouped imports and
/// paths in code.
#[test]
fn the_module_graph_reads_grouped_imports_and_paths() {
    let text = "use crate::{db::x, domain::{a, b}};\nfn f() { crate::mail::send(); }";
    let named = modules_named("web/x.rs", text);
    assert_eq!(
        named.into_iter().collect::<Vec<_>>(),
        ["db", "domain", "mail"]
    );
    assert!(!may_use("db", "surveys") && !may_use("analytics", "surveys"));
    assert!(may_use("exports", "analytics") && !may_use("analytics", "exports"));
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
