//! The run lock: one `rota remind` at a time per state file, so two runs never send the same
//! reminder.
//!
//! An advisory lock (`flock`) on a file beside the state file. The file itself is never
//! removed: deleting a lock file lets a third run lock a fresh file while the second still
//! holds the old one. The kernel releases the lock when the process ends, even on a crash.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Held while alive.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// How taking the lock ended.
#[derive(Debug)]
pub enum Acquired {
    Locked(RunLock),
    /// Another process still held it after the wait.
    Busy,
}

/// The lock file that guards `state`: `state.json` → `state.json.lock`.
pub fn path_for(state: &Path) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// Takes the lock at `path`, waiting up to `wait` for another holder to finish.
pub fn acquire(path: &Path, wait: Duration) -> std::io::Result<Acquired> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Acquired::Locked(RunLock { _file: file })),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(TryLockError::WouldBlock) => return Ok(Acquired::Busy),
            Err(TryLockError::Error(e)) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(&dir.path().join("state.json"));
        let first = acquire(&path, Duration::ZERO).unwrap();
        assert!(matches!(first, Acquired::Locked(_)));
        let second = acquire(&path, Duration::from_millis(120)).unwrap();
        assert!(matches!(second, Acquired::Busy));
        drop(first);
        assert!(matches!(
            acquire(&path, Duration::ZERO).unwrap(),
            Acquired::Locked(_)
        ));
    }
}
