//! Temporary stores left behind by processes that are gone (only SIGKILL leaves one).

use std::path::{Path, PathBuf};

use super::{OWNER_FILE, TEMP_PREFIX};

/// Removes the temporary server directories (`jetdeck-nats-*` in the temp dir) of
/// processes that are gone: only SIGKILL leaves one behind. A directory goes only when it
/// names its owner and no process has that pid; any other is left alone. Returns the
/// directories removed.
pub fn remove_stale_stores() -> Vec<PathBuf> {
    remove_stale_stores_in(&std::env::temp_dir())
}

/// `remove_stale_stores` in `dir`.
pub fn remove_stale_stores_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
        // Not followed: a link by that name is not a directory of ours.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !ours || !is_dir {
            continue;
        }
        let owner = std::fs::read_to_string(path.join(OWNER_FILE))
            .ok()
            .and_then(|text| text.trim().parse::<i32>().ok());
        let Some(pid) = owner.filter(|pid| *pid > 0 && !process_alive(*pid)) else {
            continue;
        };
        match std::fs::remove_dir_all(&path) {
            Ok(()) => {
                tracing::info!(dir = %path.display(), pid, "removed the store of a dead jetdeck");
                removed.push(path);
            }
            Err(e) => tracing::warn!(dir = %path.display(), error = %e, "stale store not removed"),
        }
    }
    removed
}

/// Whether a process with this pid exists (one we may not signal exists too).
fn process_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists; pid > 0 names one process.
    let sent = unsafe { libc::kill(pid, 0) };
    sent == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}
