//! Writing the book's folder.
//!
//! A folder is a book when it holds the marker file [`MARKER`] (written
//! last, listing the book's files). `write_book` writes into a folder that
//! does not exist, an empty one, or a book (whose pages it replaces,
//! removing the pages of the old book that the new one does not have);
//! into any other folder only when forced, and then it removes nothing.
//! Each file is written to a new temporary file beside it and renamed
//! over the old one, so a symlink in the folder is replaced, never
//! followed, and a reader never sees half a page.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The file that marks a folder as written by `mtus doc`.
pub const MARKER: &str = ".mtus-book";
const MARKER_HEAD: &str =
    "# written by mtus doc: the files of this book, removed or replaced when it is written again\n";

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("{} is a folder with files that `mtus doc` did not write; give --force to write the book into it anyway", .0.display())]
    NotABook(PathBuf),
    #[error("cannot write {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A name the book may write or remove: a plain file name of a page.
fn is_page_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\'])
        && (name.ends_with(".html") || name.ends_with(".md"))
}

/// Write the book's files (name, text) into `dir`; see the module doc.
/// Returns the files removed from the previous book.
pub fn write_book(dir: &Path, files: &[(String, String)], force: bool) -> Result<Vec<String>, WriteError> {
    let mut previous: Vec<String> = Vec::new();
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        Err(e) => return Err(io(dir)(e)),
        Ok(m) if !m.is_dir() => return Err(WriteError::NotAFolder(dir.to_path_buf())),
        Ok(_) => {
            let marker = dir.join(MARKER);
            let is_book = std::fs::symlink_metadata(&marker).is_ok_and(|m| m.is_file());
            if is_book {
                let text = std::fs::read_to_string(&marker).map_err(io(&marker))?;
                previous = text
                    .lines()
                    .filter(|l| !l.starts_with('#') && is_page_name(l))
                    .map(str::to_string)
                    .collect();
            } else {
                let mut entries = std::fs::read_dir(dir).map_err(io(dir))?;
                if entries.next().is_some() && !force {
                    return Err(WriteError::NotABook(dir.to_path_buf()));
                }
            }
        }
    }
    for (name, text) in files {
        let path = dir.join(name);
        put(dir, &path, text)?;
    }
    let mut removed = Vec::new();
    for old in previous {
        if files.iter().any(|(n, _)| *n == old) {
            continue;
        }
        let path = dir.join(&old);
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(old),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&path)(e)),
        }
    }
    let mut marker = String::from(MARKER_HEAD);
    for (name, _) in files {
        marker.push_str(name);
        marker.push('\n');
    }
    put(dir, &dir.join(MARKER), &marker)?;
    Ok(removed)
}

/// Write `text` to `path` (in `dir`) through a new temporary file renamed
/// over it, readable by all (a book is for reading).
fn put(dir: &Path, path: &Path, text: &str) -> Result<(), WriteError> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".mtus-doc-")
        .tempfile_in(dir)
        .map_err(io(dir))?;
    tmp.write_all(text.as_bytes()).map_err(io(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io(path))?;
    }
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    Ok(())
}
