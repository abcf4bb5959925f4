//! The data directory lock: one application per data directory.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::Path;

use crate::EmbeddedError;
use crate::error::io_at;

/// Opens and locks `data_dir/gelijkgericht.lock`.
pub(crate) fn lock_data_dir(data_dir: &Path) -> Result<File, EmbeddedError> {
    let path = data_dir.join("gelijkgericht.lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io_at(&path, e))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            return Err(EmbeddedError::AlreadyRunning(data_dir.to_path_buf()));
        }
        Err(fs::TryLockError::Error(e)) => return Err(io_at(&path, e)),
    }
    // For people wondering who holds it.
    file.set_len(0).map_err(|e| io_at(&path, e))?;
    writeln!(file, "{}", std::process::id()).map_err(|e| io_at(&path, e))?;
    Ok(file)
}
