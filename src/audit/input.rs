//! Reading an audit's inputs as a stream of cases, a bounded batch at a
//! time: YAML files (one case each), JSON Lines files (one case per line)
//! and standard input (JSON Lines).
//!
//! Invariants: never holds more than one batch of case texts; every input
//! becomes a [`Unit`], a readable case text or the reason it could not be
//! read, with file and line; order is the order of the inputs, then of the
//! lines.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The largest case text read: a YAML file or one JSON line. Longer ones
/// are an error for that input, not for the run.
pub const MAX_CASE_BYTES: usize = 16 << 20;

/// One source of cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// A YAML case file.
    Yaml(PathBuf),
    /// A JSON Lines file: one case per line.
    JsonLines(PathBuf),
    /// Standard input, read as JSON Lines (`-` on the command line).
    Stdin,
    /// A path that could not be listed or does not exist, with the reason.
    Missing(PathBuf, String),
}

impl Input {
    /// The size in bytes, where it is a file (for progress).
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::Yaml(p) | Input::JsonLines(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Stdin | Input::Missing(..) => None,
        }
    }
}

fn is_jsonl(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "jsonl")
}

/// Expand the paths given on the command line, in a stable order:
/// folders are walked recursively for `*.yaml`, `*.yml` and `*.jsonl`,
/// sorted by path; files given by name are kept as given (`*.jsonl` read
/// as JSON Lines, anything else as YAML); `-` is standard input.
pub fn expand_inputs(paths: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
        } else if p.is_dir() {
            let mut found = Vec::new();
            if let Err(e) = walk(p, &mut found) {
                out.push(Input::Missing(p.clone(), e.to_string()));
            }
            found.sort();
            out.extend(found.into_iter().map(|f| {
                if is_jsonl(&f) {
                    Input::JsonLines(f)
                } else {
                    Input::Yaml(f)
                }
            }));
        } else if p.exists() {
            out.push(if is_jsonl(p) {
                Input::JsonLines(p.clone())
            } else {
                Input::Yaml(p.clone())
            });
        } else {
            out.push(Input::Missing(p.clone(), "no such file or folder".into()));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "jsonl")
        ) {
            out.push(path);
        }
    }
    Ok(())
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
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        ReadError {
            line: 0,
            column: 0,
            code: "unreadable",
            message: format!("cannot read {file}: {why}"),
            help: None,
        }
    }

    fn too_long(line: usize, what: &str) -> ReadError {
        ReadError {
            line,
            column: 1,
            code: "too-large",
            message: format!("{what} is longer than {} MiB", MAX_CASE_BYTES >> 20),
            help: Some("a case is a few kilobytes; is this a case file?".into()),
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
}

/// Reads inputs in order, a batch of units at a time.
pub struct Reader {
    inputs: std::vec::IntoIter<Input>,
    lines: Option<Lines>,
    buf: Vec<u8>,
    /// Bytes of case text read so far (for progress).
    pub bytes: u64,
}

impl Reader {
    pub fn new(inputs: Vec<Input>) -> Reader {
        Reader {
            inputs: inputs.into_iter(),
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
                match next_line(src, &mut self.buf) {
                    Some(u) => return Some(u),
                    None => self.lines = None,
                }
            }
            match self.inputs.next()? {
                Input::Yaml(p) => return Some(read_yaml(&p)),
                Input::Missing(p, why) => {
                    let file: Arc<str> = p.display().to_string().into();
                    let message = format!("cannot read {file}: {why}");
                    return Some(Unit {
                        file,
                        line: None,
                        body: Body::Unreadable(ReadError {
                            line: 0,
                            column: 0,
                            code: "unreadable",
                            message,
                            help: None,
                        }),
                    });
                }
                Input::JsonLines(p) => {
                    let file: Arc<str> = p.display().to_string().into();
                    match File::open(&p) {
                        Ok(f) => {
                            self.lines = Some(Lines {
                                file,
                                reader: Box::new(BufReader::with_capacity(1 << 16, f)),
                                line: 0,
                            })
                        }
                        Err(e) => {
                            let err = ReadError::io(&file, &e);
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
                    })
                }
            }
        }
    }
}

fn read_yaml(p: &Path) -> Unit {
    let file: Arc<str> = p.display().to_string().into();
    let unreadable = |e: ReadError| Unit {
        file: file.clone(),
        line: None,
        body: Body::Unreadable(e),
    };
    let mut f = match File::open(p) {
        Ok(f) => f,
        Err(e) => return unreadable(ReadError::io(&file, &e)),
    };
    let mut bytes = Vec::new();
    // Read one byte past the limit to know it was passed.
    if let Err(e) = (&mut f).take(MAX_CASE_BYTES as u64 + 1).read_to_end(&mut bytes) {
        return unreadable(ReadError::io(&file, &e));
    }
    if bytes.len() > MAX_CASE_BYTES {
        return unreadable(ReadError::too_long(1, "the file"));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Unit {
            file: file.clone(),
            line: None,
            body: Body::Yaml(text),
        },
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            unreadable(ReadError::not_text(e.as_bytes(), valid, 1))
        }
    }
}

/// The next non-blank line of a JSON Lines source, as a unit; `None` at
/// the end (or on a read error, which becomes a unit first).
fn next_line(src: &mut Lines, hint: &mut Vec<u8>) -> Option<Unit> {
    loop {
        // Each line gets a buffer of its own, sized from the last one, that
        // becomes its text without a copy.
        let mut buf = Vec::with_capacity(hint.capacity().max(256));
        let (read, too_long) = match read_line_capped(&mut src.reader, &mut buf, MAX_CASE_BYTES) {
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
        if too_long {
            return unit(Body::Unreadable(ReadError::too_long(line, "the line")));
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

/// Read one line (without its `\n`) into `buf`, keeping at most `cap`
/// bytes: (bytes consumed, whether the line was longer than `cap`).
fn read_line_capped(r: &mut dyn BufRead, buf: &mut Vec<u8>, cap: usize) -> std::io::Result<(usize, bool)> {
    let start = buf.len();
    let n = r.take(cap as u64 + 1).read_until(b'\n', buf)?;
    if buf.len() > start && buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.len() - start <= cap {
            return Ok((n, false));
        }
    } else if buf.len() - start <= cap {
        // The end of the input, without a final newline.
        return Ok((n, false));
    }
    // Longer than the cap: drop it and skip to the end of the line.
    buf.truncate(start);
    let mut skipped = 0;
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok((n + skipped, true));
        }
        match avail.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                return Ok((n + skipped + i + 1, true));
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
        let mut r: &[u8] = b"abc\r\nxxxxxxxxxx\n\nlast";
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut buf, 5).ok(), Some((5, false)));
        assert_eq!(buf, b"abc\r");
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 5).ok(), Some((11, true)));
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 5).ok(), Some((1, false)));
        assert!(buf.is_empty());
        assert_eq!(read_line_capped(&mut r, &mut buf, 5).ok(), Some((4, false)));
        assert_eq!(buf, b"last");
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 5).ok(), Some((0, false)));
    }

    #[test]
    fn bad_bytes_are_placed() {
        let e = ReadError::not_text(b"ab\ncd\xff", 5, 10);
        assert_eq!((e.line, e.column), (11, 3));
    }
}
