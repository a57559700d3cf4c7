//! Finding and reading input files, the one place every command does it:
//! case files for `check`, `test`, `audit` and `lint --cases`, rule files
//! for `--rules`, `fmt` and `lint`.
//!
//! [`expand`] turns the paths of a command line into files, in a stable
//! order: a file named is kept as named (whatever its extension); a
//! folder is walked (`walkdir`, symlinks followed, sorted by name) for
//! files whose extension is one of those asked for, compared without
//! regard to case (`.YAML` is `.yaml`); `-` is standard input. Everything
//! that goes wrong on the way comes back as an [`InputError`] in its
//! place, with its path, and the walk goes on with the rest.
//!
//! [`read_capped`] reads one file, never more than a cap.
//!
//! Invariants: never follows a symlink loop (a link back to a folder it
//! is inside is reported once, as `symlink-loop`, and not entered); never
//! lists a file twice (files and folders are told apart by device and
//! inode, or by canonical path where there are none); never opens a
//! file that is not a regular file (a FIFO, a device, a socket is an
//! `not-a-file` error, decided from its metadata before any `open`);
//! never reads past a cap; a path that yields no file is an error
//! (`no-inputs`), never an empty success.

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Default cap on one file read whole: a case file, a rule file.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 16 << 20;
/// Default cap on one line of a JSON Lines input (one case).
pub const DEFAULT_MAX_LINE_BYTES: u64 = 1 << 20;

/// How much any one input may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of a file read whole (a YAML or JSON case, a rule file).
    pub max_file_bytes: u64,
    /// Bytes of one JSON line.
    pub max_line_bytes: u64,
}

impl Limits {
    /// The case loader's limits for a file read within these caps: a case
    /// may be as long as the input cap lets it be, so one number
    /// (`--max-file-bytes`) bounds a case file however it arrives.
    pub fn for_loader(&self) -> crate::facts::Limits {
        crate::facts::Limits {
            max_bytes: usize::try_from(self.max_file_bytes.max(self.max_line_bytes)).unwrap_or(usize::MAX),
            ..crate::facts::Limits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

/// A number of bytes for a message: `16 MiB`, `1 KiB`, `300 bytes`.
pub fn describe_bytes(n: u64) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n % (1 << 10) == 0 {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

/// Why a path given or found could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    pub path: PathBuf,
    /// `unreadable`, `not-a-file`, `symlink-loop`, `no-inputs`,
    /// `too-large`.
    pub code: &'static str,
    /// One lowercase sentence naming the path.
    pub message: String,
    pub help: Option<String>,
}

impl InputError {
    fn new(path: &Path, code: &'static str, message: String, help: Option<&str>) -> InputError {
        InputError {
            path: path.to_path_buf(),
            code,
            message,
            help: help.map(str::to_string),
        }
    }

    /// An I/O error on `path`, in words.
    pub fn io(path: &Path, e: &std::io::Error) -> InputError {
        InputError::new(
            path,
            "unreadable",
            format!("cannot read {}: {}", show(path), reason(e)),
            None,
        )
    }

    fn not_a_file(path: &Path, m: &Metadata) -> InputError {
        InputError::new(
            path,
            "not-a-file",
            format!("{} is {}, not a regular file", show(path), kind_of(m)),
            Some("only regular files are read; give `-` to read standard input"),
        )
    }

    /// A file longer than `cap` bytes.
    pub fn too_large(path: &Path, cap: u64) -> InputError {
        InputError::new(
            path,
            "too-large",
            format!("{} is longer than {}", show(path), describe_bytes(cap)),
            Some(
                "a case or rule file is a few kilobytes; is this the right file? `--max-file-bytes N` raises the limit",
            ),
        )
    }
}

/// A path for a message, its control characters escaped.
fn show(p: &Path) -> String {
    crate::report::escape_terminal(&p.display().to_string()).into_owned()
}

/// An I/O error in a few words.
pub fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn kind_of(m: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if m.is_dir() { "a folder" } else { "a special file" }
}

/// What a path expands to, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// A regular file to read.
    File(PathBuf),
    /// `-`: standard input.
    Stdin,
    /// A path that cannot be used, with the reason.
    Error(InputError),
}

/// The identity of a file or folder: device and inode where there are
/// such, else the canonical path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Identity {
    #[cfg(unix)]
    Inode(u64, u64),
    #[allow(dead_code)]
    Path(PathBuf),
}

fn identity(path: &Path, m: &Metadata) -> Identity {
    #[cfg(unix)]
    {
        let _ = path;
        use std::os::unix::fs::MetadataExt;
        Identity::Inode(m.dev(), m.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        Identity::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
    }
}

/// Whether `path` and `other` are the same file (both existing).
pub fn same_file(path: &Path, other: &Path) -> bool {
    match (std::fs::metadata(path), std::fs::metadata(other)) {
        (Ok(a), Ok(b)) => identity(path, &a) == identity(other, &b),
        _ => false,
    }
}

fn has_ext(p: &Path, exts: &[&str]) -> bool {
    p.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| exts.iter().any(|e| e.eq_ignore_ascii_case(x)))
}

/// The files named in `paths`, and the files with one of `exts` found
/// in the folders named, each once, in order (see the module's
/// invariants). `-` is [`Found::Stdin`]; callers that do not read
/// standard input report it.
pub fn expand(paths: &[PathBuf], exts: &[&str]) -> Vec<Found> {
    let mut seen: HashSet<Identity> = HashSet::new();
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Found::Stdin);
            continue;
        }
        let m = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                out.push(Found::Error(InputError::io(p, &e)));
                continue;
            }
        };
        if m.is_dir() {
            let before = out.len();
            let matched = walk(p, exts, &mut seen, &mut out);
            if matched == 0 && out.len() == before {
                let list: Vec<String> = exts.iter().map(|e| format!("*.{e}")).collect();
                out.push(Found::Error(InputError::new(
                    p,
                    "no-inputs",
                    format!("the folder {} has no {} files", show(p), list.join(", ")),
                    Some("extensions are matched whatever their case; give the folder that holds the files"),
                )));
            }
        } else if m.is_file() {
            if seen.insert(identity(p, &m)) {
                out.push(Found::File(p.clone()));
            }
        } else {
            out.push(Found::Error(InputError::not_a_file(p, &m)));
        }
    }
    out
}

/// Walk `root`; the number of files with one of `exts` met (listed now or
/// before).
fn walk(root: &Path, exts: &[&str], seen: &mut HashSet<Identity>, out: &mut Vec<Found>) -> usize {
    let mut matched = 0;
    let mut it = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(root).to_path_buf();
                if let Some(ancestor) = e.loop_ancestor() {
                    out.push(Found::Error(InputError::new(
                        &path,
                        "symlink-loop",
                        format!(
                            "the symlink {} leads back to the folder {} it is in; it was not followed",
                            show(&path),
                            show(ancestor)
                        ),
                        Some("remove the link, or give the folders to read by name"),
                    )));
                    continue;
                }
                let io = e.io_error();
                // A dangling link that would not have been read anyway is
                // no concern of this walk.
                let dangling = io.is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound);
                if dangling && !has_ext(&path, exts) {
                    continue;
                }
                let err = match io {
                    Some(io) => InputError::io(&path, io),
                    None => InputError::new(&path, "unreadable", format!("cannot read {}: {e}", show(&path)), None),
                };
                out.push(Found::Error(err));
                continue;
            }
        };
        let path = entry.path();
        let m = match entry.metadata() {
            Ok(m) => m,
            Err(e) => {
                if has_ext(path, exts) {
                    let err = match e.io_error() {
                        Some(io) => InputError::io(path, io),
                        None => InputError::new(path, "unreadable", format!("cannot read {}: {e}", show(path)), None),
                    };
                    out.push(Found::Error(err));
                }
                continue;
            }
        };
        if m.is_dir() {
            // A folder reached a second time through a link is not read
            // again.
            if !seen.insert(identity(path, &m)) && entry.depth() > 0 {
                it.skip_current_dir();
            }
            continue;
        }
        if !has_ext(path, exts) {
            continue;
        }
        if !m.is_file() {
            out.push(Found::Error(InputError::not_a_file(path, &m)));
            continue;
        }
        matched += 1;
        if seen.insert(identity(path, &m)) {
            out.push(Found::File(path.to_path_buf()));
        }
    }
    matched
}

/// Open a file for reading only if it is a regular file: the metadata is
/// checked before the file is opened (opening a FIFO would wait for a
/// writer), and again on the open file.
pub fn open_regular(path: &Path) -> Result<File, InputError> {
    let m = std::fs::metadata(path).map_err(|e| InputError::io(path, &e))?;
    if !m.is_file() {
        return Err(InputError::not_a_file(path, &m));
    }
    let f = File::open(path).map_err(|e| InputError::io(path, &e))?;
    let m = f.metadata().map_err(|e| InputError::io(path, &e))?;
    if !m.is_file() {
        return Err(InputError::not_a_file(path, &m));
    }
    Ok(f)
}

/// Read a regular file whole, at most `cap` bytes: a longer one is
/// `too-large`, and no more than `cap + 1` bytes of it are read.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, InputError> {
    let f = open_regular(path)?;
    read_stream_capped(f, cap).map_err(|e| match e {
        CappedError::Io(e) => InputError::io(path, &e),
        CappedError::TooLarge => InputError::too_large(path, cap),
    })
}

/// Why [`read_stream_capped`] failed.
#[derive(Debug)]
pub enum CappedError {
    Io(std::io::Error),
    TooLarge,
}

/// Read a stream to its end, at most `cap` bytes.
pub fn read_stream_capped(r: impl Read, cap: u64) -> Result<Vec<u8>, CappedError> {
    let mut bytes = Vec::new();
    // One byte past the cap tells it was passed.
    r.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(CappedError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(CappedError::TooLarge);
    }
    Ok(bytes)
}

/// Read a regular file as UTF-8 text, at most `cap` bytes.
pub fn read_text_capped(path: &Path, cap: u64) -> Result<String, InputError> {
    let bytes = read_capped(path, cap)?;
    String::from_utf8(bytes).map_err(|_| {
        InputError::new(
            path,
            "not-text",
            format!("{} is not UTF-8 text", show(path)),
            Some("is this a binary file?"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_ignore_case() {
        assert!(has_ext(Path::new("a/B.YAML"), &["yaml"]));
        assert!(has_ext(Path::new("a/b.Json"), &["yaml", "json"]));
        assert!(!has_ext(Path::new("a/b.yaml.txt"), &["yaml"]));
        assert!(!has_ext(Path::new("a/yaml"), &["yaml"]));
    }

    #[test]
    fn caps_are_exact() {
        assert_eq!(read_stream_capped(&b"abcd"[..], 4).ok(), Some(b"abcd".to_vec()));
        assert!(matches!(
            read_stream_capped(&b"abcde"[..], 4),
            Err(CappedError::TooLarge)
        ));
        // An endless stream stops at the cap.
        assert!(matches!(
            read_stream_capped(std::io::repeat(0), 1 << 10),
            Err(CappedError::TooLarge)
        ));
    }

    #[test]
    fn sizes_in_words() {
        assert_eq!(describe_bytes(16 << 20), "16 MiB");
        assert_eq!(describe_bytes(2048), "2 KiB");
        assert_eq!(describe_bytes(100), "100 bytes");
    }
}
