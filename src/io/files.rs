//! The one place that writes files: atomically, so a failure leaves the previous file intact.

use std::io::Write;
use std::path::Path;

use atomic_write_file::AtomicWriteFile;

/// Writes `bytes` to `path` via a temporary file renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = AtomicWriteFile::options().open(path)?;
    file.write_all(bytes)?;
    file.commit()
}
