//! The one place that writes files: atomically, so a failure leaves the previous file intact
//! and no temporary file behind.
//!
//! A file is first staged (written in full to a temporary file beside its target), then
//! committed (synced to disk and renamed into place). Staging many files before committing
//! any makes a set of files change together: `rota export` replaces a thousand feeds, and a
//! failure while writing them leaves every old feed as it was.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::TempPath;

/// Writes `bytes` to `path` via a synced temporary file in the same folder, renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Writes what `write` puts out to `path` the same way, for a file too large to hold in memory
/// at once. If `write` fails, the previous file stays.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    commit(vec![stage(path, write)?]).map_err(|failed| failed.error)
}

/// Writes `bytes` to a new file at `path`, all or nothing, and never over an existing file
/// (then the error is `AlreadyExists`), even one created by another process meanwhile.
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temp = tempfile::Builder::new()
        .prefix(".rota-")
        .suffix(".tmp")
        .tempfile_in(folder(path))?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    publishable(temp.as_file(), path)?;
    temp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(())
}

/// A file written in full beside its target, not yet in place. Dropping it deletes it.
pub struct Staged {
    temp: TempPath,
    target: PathBuf,
}

/// Writes what `write` puts out to a temporary file in `path`'s folder (created if missing).
/// Nothing is synced yet and the target is untouched.
pub fn stage(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<Staged> {
    let dir = folder(path);
    std::fs::create_dir_all(dir)?;
    // Dropping the temporary file on any error below deletes it.
    let mut file = tempfile::Builder::new()
        .prefix(".rota-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    publishable(file.as_file(), path)?;
    {
        let mut buffered = BufWriter::with_capacity(256 * 1024, file.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    start_writeback(file.as_file());
    // Closed now: an export stages more files than a process may hold open.
    Ok(Staged {
        temp: file.into_temp_path(),
        target: path.to_path_buf(),
    })
}

/// Whether `path` is a file holding exactly what `write` puts out. It is compared as it is put
/// out, stopping at the first difference: rewriting a file with the same bytes would only
/// churn the disk, and change its modification time, which web servers hand to calendar apps
/// to tell whether a subscribed feed changed.
pub fn holds(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut old = Compare(BufReader::with_capacity(256 * 1024, file));
    write(&mut old).is_ok() && old.0.fill_buf().is_ok_and(|rest| rest.is_empty())
}

/// A writer that compares what is written with what a reader holds, failing where they differ.
struct Compare<R>(R);

impl<R: BufRead> Write for Compare<R> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let old = self.0.fill_buf()?;
        let n = old.len().min(buf.len());
        if n == 0 && !buf.is_empty() || old[..n] != buf[..n] {
            return Err(std::io::Error::other("the contents differ"));
        }
        self.0.consume(n);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A commit that stopped part-way: `replaced` files are in place, the others unchanged.
#[derive(Debug)]
pub struct CommitFailed {
    pub path: PathBuf,
    pub error: std::io::Error,
    pub replaced: usize,
}

/// Puts staged files in place: all are synced to disk first, so that a crash cannot leave a
/// renamed but empty file, then each is renamed over its target, then the folders are synced
/// so that the renames last. A failure before the first rename replaces nothing.
pub fn commit(staged: Vec<Staged>) -> Result<(), CommitFailed> {
    let fail = |path: &Path, error, replaced| CommitFailed {
        path: path.to_path_buf(),
        error,
        replaced,
    };
    if let Err((path, error)) = sync(&staged) {
        return Err(fail(&path, error, 0));
    }
    let mut folders: Vec<PathBuf> = Vec::new();
    for (replaced, file) in staged.into_iter().enumerate() {
        let Staged { temp, target } = file;
        if let Err(e) = temp.persist(&target) {
            return Err(fail(&target, e.error, replaced));
        }
        let dir = folder(&target);
        if !folders.iter().any(|f| f == dir) {
            folders.push(dir.to_path_buf());
        }
    }
    for dir in folders {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// Beyond this many files one sync of the whole file system beats a sync per file, each of
/// which waits for its own journal commit.
#[cfg(target_os = "linux")]
const MANY: usize = 16;

/// Syncs the staged files' contents to disk.
fn sync(staged: &[Staged]) -> Result<(), (PathBuf, std::io::Error)> {
    #[cfg(target_os = "linux")]
    if staged.len() > MANY {
        // Temporary files share their targets' folders, which for an export is one folder.
        let mut folders: Vec<&Path> = staged.iter().map(|s| folder(&s.target)).collect();
        folders.dedup();
        for dir in folders {
            let synced = std::fs::File::open(dir)
                .and_then(|d| rustix::fs::syncfs(&d).map_err(std::io::Error::from));
            synced.map_err(|e| (dir.to_path_buf(), e))?;
        }
        return Ok(());
    }
    for s in staged {
        let synced = std::fs::File::open(&s.temp).and_then(|f| f.sync_all());
        synced.map_err(|e| (s.target.clone(), e))?;
    }
    Ok(())
}

/// Asks the system to start writing the file to disk now, while the next ones are written, so
/// that the sync in [`commit`] has little left to wait for. Only a hint: errors are ignored.
fn start_writeback(file: &std::fs::File) {
    // On Linux, dropping a file's pages from the cache first starts their writeback.
    #[cfg(target_os = "linux")]
    let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

fn folder(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Temporary files are private (0600), but what we write is often published (web servers serve
/// calendar feeds), so the result keeps the mode of the file it replaces, or gets 0644.
#[cfg(unix)]
fn publishable(file: &std::fs::File, path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let permissions = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m.permissions(),
        _ => std::fs::Permissions::from_mode(0o644),
    };
    file.set_permissions(permissions)
}

#[cfg(not(unix))]
fn publishable(_file: &std::fs::File, _path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_rename_keeps_the_old_target_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("team.ics");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), b"x").unwrap();
        assert!(write_atomic(&target, b"new").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["team.ics"]);
        assert!(target.join("keep").exists());
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_world_readable_and_replaced_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("team.ics");
        write_atomic(&target, b"one").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&target), 0o644);
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&target, b"two").unwrap();
        assert_eq!(mode(&target), 0o600);
    }

    #[test]
    fn a_failing_writer_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/state.json");
        write_atomic(&target, b"first").unwrap();
        let failed = write_atomic_with(&target, |out| {
            out.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        assert_eq!(
            std::fs::read_dir(target.parent().unwrap()).unwrap().count(),
            1
        );
    }

    #[test]
    fn staged_files_replace_nothing_until_committed_and_vanish_if_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<_> = (0..40)
            .map(|i| dir.path().join(format!("f{i}.ics")))
            .collect();
        for name in &names {
            std::fs::write(name, b"old").unwrap();
        }
        let staged: Vec<Staged> = names
            .iter()
            .map(|n| stage(n, |out| out.write_all(b"new")).unwrap())
            .collect();
        assert!(names.iter().all(|n| std::fs::read(n).unwrap() == b"old"));
        drop(staged);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), names.len());

        // More files than are synced one by one: the whole file system is synced instead.
        let staged = names
            .iter()
            .map(|n| stage(n, |out| out.write_all(b"new")).unwrap())
            .collect();
        commit(staged).unwrap();
        assert!(names.iter().all(|n| std::fs::read(n).unwrap() == b"new"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), names.len());
    }

    #[test]
    fn a_file_holds_only_exactly_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.ics");
        let long: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &long).unwrap();
        let writes = |pieces: Vec<Vec<u8>>| {
            move |out: &mut dyn Write| pieces.iter().try_for_each(|p| out.write_all(p))
        };
        let (head, tail) = long.split_at(300_001);
        assert!(holds(&path, writes(vec![head.to_vec(), tail.to_vec()])));
        assert!(!holds(&path, writes(vec![head.to_vec()])), "shorter");
        assert!(
            !holds(&path, writes(vec![long.clone(), b"x".to_vec()])),
            "longer"
        );
        let mut changed = long.clone();
        changed[999_999] ^= 1;
        assert!(!holds(&path, writes(vec![changed])), "last byte");
        assert!(!holds(&dir.path().join("missing.ics"), writes(vec![])));
        assert!(!holds(dir.path(), writes(vec![])), "a folder");
    }
}
