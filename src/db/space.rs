//! Running out of disk space on SQLite, and coming back from it.
//!
//! SQLite's WAL grows to 40 MiB between checkpoints (`SQLITE_PRAGMAS`) and
//! keeps its size after one: on a full volume, space freed elsewhere is
//! taken again by the WAL, and writes keep failing long after the cause is
//! gone. So a write that fails for space marks the database short of it;
//! while it is, the writer checkpoints and truncates the WAL before each
//! batch (giving its space back), and `/readyz` reports the service not
//! ready until the database's volume has room again.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use diesel::result::Error;

/// Room the database's volume needs before writes are tried again: a few
/// group commits' worth of WAL.
pub const ROOM_NEEDED: u64 = 8 * 1024 * 1024;

static SHORT: AtomicBool = AtomicBool::new(false);

/// Whether `e` is a write refused for lack of space (SQLite's "database or
/// disk is full", PostgreSQL's "No space left on device").
pub fn is_out_of_space(e: &Error) -> bool {
    match e {
        Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("database or disk is full") || m.contains("No space left on device")
        }
        _ => false,
    }
}

/// Records a failed write: one that failed for space marks the database
/// short of it.
pub fn note(e: &Error) {
    if is_out_of_space(e) && !SHORT.swap(true, Ordering::Relaxed) {
        tracing::error!("a write failed: the database's volume is full");
    }
}

pub fn is_short() -> bool {
    SHORT.load(Ordering::Relaxed)
}

/// Bytes free to this process on the volume that holds `path`.
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `stat` a writable struct.
    if unsafe { libc::statvfs(c.as_ptr(), &mut stat) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(stat.f_bavail as u64 * stat.f_frsize as u64)
}

/// Once the volume of the database at `path` has room again, clears the
/// mark; returns the bytes free.
pub fn check_room(path: &Path) -> std::io::Result<u64> {
    let free = free_bytes(path)?;
    if free >= ROOM_NEEDED && SHORT.swap(false, Ordering::Relaxed) {
        tracing::info!(free, "the database's volume has room again");
    }
    Ok(free)
}
