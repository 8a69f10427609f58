//! The real binary refuses bad configuration with a message naming the variable.

use std::process::Command;

fn run_with(vars: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_infrapulse"));
    cmd.arg("migrate")
        .env_clear()
        .env("DATA_DIR", dir.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_configuration_stops_start_up_with_a_clear_message() {
    for (var, value, expected) in [
        ("BIND", "localhost", "expected an IP address and port"),
        (
            "DATABASE_URL",
            "mysql://root:hunter2@db/x",
            "scheme 'mysql' is not supported",
        ),
        ("BASE_URL", "pulse.example.com", "BASE_URL"),
        ("SECRET_KEY", "too-short", "at least 32 characters"),
        ("SESSION_IDLE_MINUTES", "forever", "whole number"),
        ("SMTP_URL", "http://mail", "smtp://"),
    ] {
        let (code, stderr) = run_with(&[(var, value)]);
        assert_eq!(code, 2, "{var}={value}: {stderr}");
        assert!(stderr.contains(var), "{var} not named: {stderr}");
        assert!(stderr.contains(expected), "{var}: {stderr}");
        assert!(!stderr.contains("hunter2"), "a secret was echoed");
    }
}

#[test]
fn good_configuration_migrates() {
    let (code, stderr) = run_with(&[]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn an_unreachable_database_is_reported_not_hidden() {
    let (code, stderr) = run_with(&[("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("cannot open the postgresql database"),
        "{stderr}"
    );
}

#[test]
fn the_demo_command_fills_an_empty_database_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_infrapulse"))
            .arg("demo")
            .env("DATA_DIR", dir.path())
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let first = run();
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{stdout}");
    assert!(stdout.contains("Demo content created"), "{stdout}");
    // The open round's invitations went through the outbox into files.
    let emails: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect();
    assert!(emails.len() > 40, "{} emails", emails.len());
    assert!(
        stdout.contains(&format!("{} sent, 0 failed", emails.len())),
        "{stdout}"
    );
    assert!(
        emails
            .iter()
            .all(|e| e.contains("Subject: Quarterly infrastructure pulse"))
    );
    assert!(emails.iter().all(|e| e.contains("/r/")));
    let second = run();
    assert_eq!(second.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&second.stderr).contains("the database is not empty"));
}
