//! A full disk under SQLite: a write that fails for space answers 503 (not
//! 500), `/readyz` says so, the WAL gives its space back so writes resume
//! without waiting for much more room, and readiness returns with room.
//! Needs root to mount a small tmpfs, so it is `#[ignore]`d for a plain
//! `cargo test`; `.ci/run` runs it with the browser tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;

use crate::surveys::{answer, create_program, open_round, populate, post_answers, token_of};

/// A tmpfs of `mib` MiB mounted on a temporary folder, unmounted on drop.
struct SmallVolume {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl SmallVolume {
    fn mount(mib: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_owned();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(&path)
            .status()
            .expect("mount runs");
        assert!(
            status.success(),
            "mounting a tmpfs needs root (.ci/run runs as root)"
        );
        SmallVolume {
            dir: Some(dir),
            path,
        }
    }

    fn free(&self) -> u64 {
        infrapulse::db::space::free_bytes(&self.path.join("x")).unwrap()
    }
}

impl Drop for SmallVolume {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
        drop(self.dir.take());
    }
}

/// Fills `dir`'s volume but for `leave` bytes, in a file of its own.
fn fill(dir: &Path, leave: u64, free: u64) -> PathBuf {
    let filler = dir.join("filler");
    let f = std::fs::File::create(&filler).unwrap();
    f.set_len(0).unwrap();
    use std::io::Write;
    let mut w = std::io::BufWriter::new(f);
    let chunk = vec![0xA5u8; 64 * 1024];
    let mut left = free.saturating_sub(leave);
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        if w.write_all(&chunk[..n]).is_err() {
            break;
        }
        left -= n as u64;
    }
    let _ = w.flush();
    filler
}

#[tokio::test]
#[ignore = "needs root to mount a tmpfs; .ci/run runs it"]
async fn a_full_disk_answers_503_and_writes_resume_when_the_wal_gives_space_back() {
    let volume = SmallVolume::mount(24);
    let app =
        crate::helpers::spawn_app_in(tempfile::tempdir_in(&volume.path).unwrap(), &[], false).await;
    if app.db.is_postgres() {
        eprintln!(
            "NOTE: the full-disk test is about SQLite's WAL; on PostgreSQL the server owns \
             its files. It ran on SQLite in .ci/run's first pass."
        );
        return;
    }
    let app = populate(app).await;
    create_program(&app, &[]).await;
    open_round(&app).await;
    let token = token_of(&app, "a1@example.com");
    let mut fields = answer("ci");
    fields.push(("t.flags.not_used".into(), "1".into()));

    // What is written so far sits in the database file, as it does once a
    // server has run a while; then the volume fills up.
    app.with_db(|conn| infrapulse::db::checkpoint(conn).unwrap());
    let filler = fill(&volume.path, 256 * 1024, volume.free());
    // Edits grow the WAL until the volume is full.
    let mut refused = None;
    for i in 0..2000 {
        fields.retain(|(k, _)| k != "t.ci.pain");
        fields.push((
            "t.ci.pain".into(),
            format!("Edit {i}: {}", "deploys are slow ".repeat(40)),
        ));
        let status = post_answers(&app, &token, &fields).await.status();
        if status != StatusCode::SEE_OTHER {
            refused = Some(status);
            break;
        }
    }
    assert_eq!(
        refused,
        Some(StatusCode::SERVICE_UNAVAILABLE),
        "a write that fails for space is a 503"
    );
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.text().await.unwrap().contains("out of disk space"));

    // Nothing else freed: the WAL, truncated, gives its space back.
    let mut resumed = false;
    for _ in 0..20 {
        if post_answers(&app, &token, &fields).await.status() == StatusCode::SEE_OTHER {
            resumed = true;
            break;
        }
    }
    assert!(resumed, "writes resume once the WAL is truncated");

    // Room returns: the service is ready again.
    std::fs::remove_file(filler).unwrap();
    let res = app.get("/readyz").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    drop(app);
}
