//! The one place that writes files: atomically, so a failure leaves the previous file intact.

use std::io::{BufWriter, Write};
use std::path::Path;

use atomic_write_file::AtomicWriteFile;

/// Writes `bytes` to `path` via a temporary file renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |out| out.write_all(bytes))
}

/// Writes what `write` puts out to `path` via a temporary file renamed into place, for a file
/// too large to hold in memory at once. If `write` fails, the previous file stays.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = AtomicWriteFile::options().open(path)?;
    let mut buffered = BufWriter::with_capacity(64 * 1024, &mut file);
    write(&mut buffered)?;
    buffered.flush()?;
    drop(buffered);
    file.commit()
}
