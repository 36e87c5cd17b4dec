//! File helpers: positional reads, directory sync, typed I/O errors.

use std::fs::File;
use std::path::Path;

use crate::Error;

/// An [`Error::Io`] naming what was done to which path.
pub(crate) fn io_error(op: &'static str, path: &Path, e: std::io::Error) -> Error {
    Error::Io { op, path: path.to_owned(), kind: e.kind(), message: e.to_string() }
}

/// Reads into `buf` from `offset` until it is full or the file ends; returns
/// the bytes read. Positional, so readers sharing a handle do not disturb
/// each other.
pub(crate) fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match read_at(file, &mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    // `seek_read` moves the handle's cursor; readers never use the cursor.
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// Syncs a directory so that files created in it survive a crash.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        // Directories cannot be opened for syncing here; NTFS journals
        // file creation itself.
        let _ = dir;
        Ok(())
    }
}
