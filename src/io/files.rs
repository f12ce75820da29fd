//! The one place that writes files: atomically, so a failure leaves the previous file intact
//! and no temporary file behind.

use std::io::{BufWriter, Write};
use std::path::Path;

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
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    // Dropping the temporary file on any error below deletes it.
    let mut file = tempfile::Builder::new()
        .prefix(".rota-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut buffered = BufWriter::with_capacity(64 * 1024, file.as_file_mut());
        write(&mut buffered)?;
        buffered.flush()?;
    }
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable, so a crash cannot bring back the old file.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
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
        assert_eq!(std::fs::read_dir(target.parent().unwrap()).unwrap().count(), 1);
    }
}
