//! Reading an audit's inputs as a stream of cases, a bounded batch at a
//! time: YAML and JSON files (one case each), JSON Lines files (one case
//! per line) and standard input (JSON Lines). Paths are expanded by
//! [`crate::inputs::expand`], the walk every command shares.
//!
//! Invariants: never holds more than one batch of case texts; every input
//! becomes a [`Unit`], a readable case text or the reason it could not be
//! read, with file and line; order is the order of the inputs, then of the
//! lines; never opens a file that is not a regular file; never reads more
//! than `max_file_bytes` of a YAML or JSON file, never keeps more than
//! `max_line_bytes` of a JSON line: a longer line is one error, skipped
//! to its end, and the lines after it are read. A file has an end, so a
//! line of a file is skipped however long it is; only a stream (a pipe,
//! a device on standard input) whose line runs on past `max_file_bytes`
//! is given up, so an endless line ends.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::inputs::{self, Found, InputError, Limits, describe_bytes};

/// The case file extensions an audit reads in a folder (matched whatever
/// their case).
pub const CASE_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "jsonl"];

/// One source of cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A YAML case file.
    Yaml(PathBuf),
    /// A JSON case file: one case, the same fields as YAML.
    Json(PathBuf),
    /// A JSON Lines file: one case per line.
    JsonLines(PathBuf),
    /// Standard input, read as JSON Lines (`-` on the command line).
    Stdin,
    /// A path that cannot be read (does not exist, not a regular file, a
    /// symlink loop, a folder with no case file), with the reason.
    Missing(InputError),
}

impl Input {
    /// The size in bytes, where it is a file (for progress).
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Yaml(p) | Input::Json(p) | Input::JsonLines(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Stdin | Input::Missing(..) => None,
        }
    }
}

fn ext_is(p: &Path, e: &str) -> bool {
    p.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| x.eq_ignore_ascii_case(e))
}

/// Expand the paths given on the command line, in a stable order
/// ([`inputs::expand`]): folders are walked for `*.yaml`, `*.yml`,
/// `*.json` and `*.jsonl` (whatever the case of the extension), sorted by
/// path; files given by name are kept as given (`*.jsonl` read as JSON
/// Lines, `*.json` as one JSON case, anything else as YAML); `-` is
/// standard input.
pub fn expand_inputs(paths: &[PathBuf]) -> Vec<Input> {
    inputs::expand(paths, CASE_EXTENSIONS)
        .into_iter()
        .map(|f| match f {
            Found::Stdin => Input::Stdin,
            Found::Error(e) => Input::Missing(e),
            Found::File(p) if ext_is(&p, "jsonl") => Input::JsonLines(p),
            Found::File(p) if ext_is(&p, "json") => Input::Json(p),
            Found::File(p) => Input::Yaml(p),
        })
        .collect()
}

/// One case to load, or why it could not be read.
#[derive(Debug)]
pub struct Unit {
    /// The file as given (`-` for standard input).
    pub file: Arc<str>,
    /// The line of a JSON Lines input (1-based); `None` for a YAML file.
    pub line: Option<usize>,
    pub body: Body,
}

#[derive(Debug)]
pub enum Body {
    Yaml(String),
    Json(String),
    /// The input could not be read: no case text to load.
    Unreadable(ReadError),
}

/// Why an input could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadError {
    /// 1-based; 0 when the problem has no place in the file.
    pub line: usize,
    pub column: usize,
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
}

impl ReadError {
    fn io(file: &str, e: &std::io::Error) -> ReadError {
        ReadError {
            line: 0,
            column: 0,
            code: "unreadable",
            message: format!(
                "cannot read {}: {}",
                crate::report::escape_terminal(file),
                inputs::reason(e)
            ),
            help: None,
        }
    }

    fn input(e: InputError) -> ReadError {
        ReadError {
            line: 0,
            column: 0,
            code: e.code,
            message: e.message,
            help: e.help,
        }
    }

    fn too_long_line(line: usize, cap: u64) -> ReadError {
        ReadError {
            line,
            column: 1,
            code: "too-large",
            message: format!("the line is longer than {}", describe_bytes(cap)),
            help: Some(
                "a case is a few kilobytes; is this a JSON Lines file? `--max-line-bytes N` raises the limit".into(),
            ),
        }
    }

    fn endless_line(line: usize, cap: u64) -> ReadError {
        ReadError {
            line,
            column: 1,
            code: "too-large",
            message: format!(
                "the line runs on past {} without an end; the rest of this input is not read",
                describe_bytes(cap)
            ),
            help: Some(
                "is this a JSON Lines file? each case is one line; `--max-file-bytes N` lets a line of standard input run on longer before it is given up".into(),
            ),
        }
    }

    /// Bytes that are not UTF-8: where the first bad byte is.
    fn not_text(bytes: &[u8], valid_up_to: usize, first_line: usize) -> ReadError {
        let prefix = String::from_utf8_lossy(&bytes[..valid_up_to]);
        let line = first_line + prefix.matches('\n').count();
        let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadError {
            line,
            column,
            code: "not-text",
            message: "the input is not UTF-8 text".into(),
            help: Some("case files are YAML or JSON text; is this a binary file?".into()),
        }
    }
}

/// The JSON Lines source being read.
struct Lines {
    file: Arc<str>,
    reader: Box<dyn BufRead + Send>,
    /// Lines read so far.
    line: usize,
    /// A regular file: it ends, so a long line is skipped to its end
    /// whatever its length. A stream may never end: a line is given up
    /// past `max_file_bytes`.
    finite: bool,
}

/// Whether standard input is a regular file (redirected from one).
fn stdin_is_a_file() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        std::io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map(std::fs::File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.is_file())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Reads inputs in order, a batch of units at a time.
pub struct Reader {
    inputs: std::vec::IntoIter<Input>,
    limits: Limits,
    lines: Option<Lines>,
    buf: Vec<u8>,
    /// Bytes of case text read so far (for progress).
    pub bytes: u64,
}

impl Reader {
    /// The caps this reader reads within; the loader is given the same
    /// file cap, so one number bounds a case file however it arrives.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn new(inputs: Vec<Input>, limits: Limits) -> Reader {
        Reader {
            inputs: inputs.into_iter(),
            limits,
            lines: None,
            buf: Vec::new(),
            bytes: 0,
        }
    }

    /// Up to `max_units` units, stopping early past `max_bytes` of text;
    /// empty when every input has been read.
    pub fn next_batch(&mut self, max_units: usize, max_bytes: usize) -> Vec<Unit> {
        let mut out = Vec::new();
        let mut bytes = 0;
        while out.len() < max_units.max(1) && bytes < max_bytes {
            match self.next_unit() {
                Some(u) => {
                    bytes += match &u.body {
                        Body::Yaml(t) | Body::Json(t) => t.len(),
                        Body::Unreadable(_) => 0,
                    };
                    out.push(u);
                }
                None => break,
            }
        }
        self.bytes += bytes as u64;
        out
    }

    fn next_unit(&mut self) -> Option<Unit> {
        loop {
            if let Some(src) = &mut self.lines {
                match next_line(src, &mut self.buf, &self.limits) {
                    Some(u) => return Some(u),
                    None => self.lines = None,
                }
            }
            match self.inputs.next()? {
                Input::Yaml(p) => return Some(read_whole(&p, false, self.limits.max_file_bytes)),
                Input::Json(p) => return Some(read_whole(&p, true, self.limits.max_file_bytes)),
                Input::Missing(e) => {
                    let file: Arc<str> = e.path.display().to_string().into();
                    return Some(Unit {
                        file,
                        line: None,
                        body: Body::Unreadable(ReadError::input(e)),
                    });
                }
                Input::JsonLines(p) => {
                    let file: Arc<str> = p.display().to_string().into();
                    match inputs::open_regular(&p) {
                        Ok(f) => {
                            self.lines = Some(Lines {
                                file,
                                reader: Box::new(BufReader::with_capacity(1 << 16, f)),
                                line: 0,
                                finite: true,
                            })
                        }
                        Err(e) => {
                            let err = ReadError::input(e);
                            return Some(Unit {
                                file,
                                line: None,
                                body: Body::Unreadable(err),
                            });
                        }
                    }
                }
                Input::Stdin => {
                    self.lines = Some(Lines {
                        file: "-".into(),
                        reader: Box::new(BufReader::with_capacity(1 << 16, std::io::stdin())),
                        line: 0,
                        finite: stdin_is_a_file(),
                    })
                }
            }
        }
    }
}

/// What a case file is expected to fit in: read into a buffer this size,
/// one is read in one call (and a second that finds its end), not in the
/// seven calls of a buffer that grows from 32 bytes.
const CASE_FILE_GUESS: u64 = 16 << 10;

/// A regular file read whole, at most `cap` bytes, as
/// [`inputs::read_capped`] (the same errors), into a buffer sized for a
/// case file.
fn read_case_file(p: &Path, cap: u64) -> Result<Vec<u8>, InputError> {
    let f = inputs::open_regular(p)?;
    let limit = cap.saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(limit.min(CASE_FILE_GUESS)).unwrap_or(0));
    f.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::io(p, &e))?;
    if bytes.len() as u64 > cap {
        return Err(InputError::too_large(p, cap));
    }
    Ok(bytes)
}

/// A YAML or JSON file, one case, read whole (at most `cap` bytes).
fn read_whole(p: &Path, json: bool, cap: u64) -> Unit {
    let file: Arc<str> = p.display().to_string().into();
    let unreadable = |e: ReadError| Unit {
        file: file.clone(),
        line: None,
        body: Body::Unreadable(e),
    };
    let bytes = match read_case_file(p, cap) {
        Ok(b) => b,
        Err(e) => return unreadable(ReadError::input(e)),
    };
    match String::from_utf8(bytes) {
        Ok(text) => Unit {
            file: file.clone(),
            line: None,
            body: if json { Body::Json(text) } else { Body::Yaml(text) },
        },
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            unreadable(ReadError::not_text(e.as_bytes(), valid, 1))
        }
    }
}

/// The next non-blank line of a JSON Lines source, as a unit; `None` at
/// the end (or on a read error, which becomes a unit first).
fn next_line(src: &mut Lines, hint: &mut Vec<u8>, limits: &Limits) -> Option<Unit> {
    loop {
        // Each line gets a buffer of its own, sized from the last one, that
        // becomes its text without a copy.
        let mut buf = Vec::with_capacity(hint.capacity().max(256));
        let cap = usize::try_from(limits.max_line_bytes).unwrap_or(usize::MAX);
        let skip_cap = if src.finite {
            u64::MAX
        } else {
            limits.max_file_bytes.max(limits.max_line_bytes)
        };
        let (read, end) = match read_line_capped(&mut src.reader, &mut buf, cap, skip_cap) {
            Ok(x) => x,
            Err(e) => {
                src.line += 1;
                let err = ReadError::io(&src.file, &e);
                let unit = Unit {
                    file: src.file.clone(),
                    line: Some(src.line),
                    body: Body::Unreadable(err),
                };
                // Stop reading this source: its position is unknown.
                src.reader = Box::new(std::io::empty());
                return Some(unit);
            }
        };
        if read == 0 {
            return None;
        }
        src.line += 1;
        let line = src.line;
        let unit = |body| {
            Some(Unit {
                file: src.file.clone(),
                line: Some(line),
                body,
            })
        };
        match end {
            LineEnd::Whole => {}
            LineEnd::TooLong => return unit(Body::Unreadable(ReadError::too_long_line(line, limits.max_line_bytes))),
            LineEnd::Endless => {
                // Stop reading this source: the line may never end.
                src.reader = Box::new(std::io::empty());
                return unit(Body::Unreadable(ReadError::endless_line(line, skip_cap)));
            }
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            // A blank line is no case.
            continue;
        }
        if buf.len() > hint.capacity() {
            hint.reserve(buf.len());
        }
        return match String::from_utf8(buf) {
            Ok(t) => unit(Body::Json(t)),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                unit(Body::Unreadable(ReadError::not_text(e.as_bytes(), valid, line)))
            }
        };
    }
}

/// How a line read by [`read_line_capped`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineEnd {
    /// Read whole.
    Whole,
    /// Longer than the cap: dropped, and skipped to its end.
    TooLong,
    /// No end within the skip cap: the reader is left in mid-line.
    Endless,
}

/// Read one line (without its `\n`) into `buf`, keeping at most `cap`
/// bytes, and skipping at most `skip_cap` bytes of a longer one:
/// (bytes consumed, how it ended).
fn read_line_capped(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
    skip_cap: u64,
) -> std::io::Result<(usize, LineEnd)> {
    let start = buf.len();
    let n = r.take(cap as u64 + 1).read_until(b'\n', buf)?;
    if buf.len() > start && buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.len() - start <= cap {
            return Ok((n, LineEnd::Whole));
        }
    } else if buf.len() - start <= cap {
        // The end of the input, without a final newline.
        return Ok((n, LineEnd::Whole));
    }
    // Longer than the cap: drop it and skip to the end of the line.
    buf.truncate(start);
    let mut skipped = 0;
    loop {
        if skipped as u64 > skip_cap {
            return Ok((n + skipped, LineEnd::Endless));
        }
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok((n + skipped, LineEnd::TooLong));
        }
        match avail.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                return Ok((n + skipped + i + 1, LineEnd::TooLong));
            }
            None => {
                let len = avail.len();
                r.consume(len);
                skipped += len;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_lines() {
        use LineEnd::*;
        let mut r: &[u8] = b"abc\r\nxxxxxxxxxx\n\nlast";
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut buf, 5, 100).ok(), Some((5, Whole)));
        assert_eq!(buf, b"abc\r");
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 5, 100).ok(), Some((11, TooLong)));
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 5, 100).ok(), Some((1, Whole)));
        assert!(buf.is_empty());
        assert_eq!(read_line_capped(&mut r, &mut buf, 5, 100).ok(), Some((4, Whole)));
        assert_eq!(buf, b"last");
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 5, 100).ok(), Some((0, Whole)));
    }

    #[test]
    fn an_endless_line_ends() {
        let mut r = BufReader::new(std::io::repeat(b'x'));
        let mut buf = Vec::new();
        let got = read_line_capped(&mut r, &mut buf, 10, 1 << 16).ok();
        assert_eq!(got.map(|g| g.1), Some(LineEnd::Endless));
        assert!(buf.is_empty());
    }

    #[test]
    fn bad_bytes_are_placed() {
        let e = ReadError::not_text(b"ab\ncd\xff", 5, 10);
        assert_eq!((e.line, e.column), (11, 3));
    }
}
