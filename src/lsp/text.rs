//! Positions: byte offsets (what spans hold) to and from LSP positions
//! (a line and a column counted in UTF-16 code units, or in bytes when the
//! client agreed to UTF-8), and file URIs to and from paths.
//!
//! Invariants: never panics on any position or text: a line past the end
//! is the end of the text, a column past the end of its line is the end
//! of that line, a column inside a character is that character's start.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range};

/// How columns are counted, as negotiated in `initialize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Where each line of a text starts. A line ends at `\n`, `\r\n` or a
/// `\r` alone, as the protocol counts lines.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let b = text.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            let ends = c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n'));
            if ends {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// The byte offset where each line starts (the first is 0).
    pub fn starts(&self) -> &[usize] {
        &self.starts
    }

    /// The LSP position of a byte offset (clamped to the text, moved back
    /// to the start of the character it falls in).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let before = text.get(start..offset).unwrap_or("");
        let character = match enc {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        Position::new(to_u32(line), to_u32(character))
    }

    pub fn range(&self, text: &str, start: usize, end: usize, enc: Encoding) -> Range {
        Range::new(
            self.position(text, start, enc),
            self.position(text, end.max(start), enc),
        )
    }

    /// The byte offset of an LSP position.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self.starts.get(pos.line as usize + 1).map_or(text.len(), |&e| e);
        let line = text.get(start..end).unwrap_or("");
        // The line's content: without its line break (`\n`, `\r\n`, `\r`).
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in content.char_indices() {
            if units >= want {
                return start + i;
            }
            units += match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if units > want {
                // Inside a character: its start.
                return start + i;
            }
        }
        start + content.len()
    }
}

/// Where the word that ends at byte `at` of `text` starts: the run of
/// characters before `at` that `in_word` accepts.
pub fn word_start(text: &str, at: usize, in_word: impl Fn(char) -> bool) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| in_word(*c))
        .last()
        .map_or(at, |(i, _)| i)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The path of a `file:` URI; `None` for any other scheme.
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file:///path` (empty authority) or `file://localhost/path`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    let bytes = percent_decode(path)?;
    let decoded = String::from_utf8(bytes).ok()?;
    // Windows: `/C:/x` is `C:/x`.
    let windows_drive = decoded.len() > 2 && decoded.as_bytes()[2] == b':' && cfg!(windows);
    let decoded = if windows_drive {
        decoded[1..].to_string()
    } else {
        decoded
    };
    Some(PathBuf::from(decoded))
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The `file:` URI of an absolute path, with the characters a URI cannot
/// hold percent-encoded.
pub fn path_to_uri(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !s.starts_with('/') {
        out.push('/');
    }
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            b':' if out.len() <= 10 => out.push(':'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_count_surrogate_pairs() {
        let text = "a\u{1F600}b\né\n";
        let ix = LineIndex::new(text);
        // 'b' is after a, and an emoji of two UTF-16 units (four bytes).
        let b = text.find('b').unwrap();
        assert_eq!(ix.position(text, b, Encoding::Utf16), Position::new(0, 3));
        assert_eq!(ix.position(text, b, Encoding::Utf8), Position::new(0, 5));
        assert_eq!(ix.offset(text, Position::new(0, 3), Encoding::Utf16), b);
        assert_eq!(ix.offset(text, Position::new(0, 5), Encoding::Utf8), b);
        // Inside the emoji: its start.
        assert_eq!(ix.offset(text, Position::new(0, 2), Encoding::Utf16), 1);
        // Past the end of a line: the end of that line, not the next.
        assert_eq!(ix.offset(text, Position::new(1, 99), Encoding::Utf16), text.len() - 1);
        // Past the last line: the end.
        assert_eq!(ix.offset(text, Position::new(40, 0), Encoding::Utf16), text.len());
        // An offset inside a character never panics.
        assert_eq!(ix.position(text, 2, Encoding::Utf16), Position::new(0, 1));
    }

    #[test]
    fn crlf_line_ends_are_not_columns() {
        let text = "ab\r\ncd";
        let ix = LineIndex::new(text);
        assert_eq!(ix.offset(text, Position::new(0, 9), Encoding::Utf16), 2);
    }

    #[test]
    fn cr_alone_ends_a_line() {
        // Three lines ended by `\r`, `\r\n` and `\n`, then a fourth.
        let text = "ab\rcd\r\nef\ngh";
        let ix = LineIndex::new(text);
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(ix.position(text, at("cd"), Encoding::Utf16), Position::new(1, 0));
        assert_eq!(ix.position(text, at("ef"), Encoding::Utf16), Position::new(2, 0));
        assert_eq!(ix.position(text, at("gh") + 1, Encoding::Utf16), Position::new(3, 1));
        assert_eq!(ix.offset(text, Position::new(1, 1), Encoding::Utf16), at("cd") + 1);
        // Past the end of a line ended by `\r`: the end of that line.
        assert_eq!(ix.offset(text, Position::new(0, 9), Encoding::Utf16), 2);
        assert_eq!(ix.offset(text, Position::new(1, 9), Encoding::Utf16), at("cd") + 2);
        assert_eq!(ix.offset(text, Position::new(3, 0), Encoding::Utf16), at("gh"));
    }

    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/tmp/a b/r\u{e9}gles/x.mtus");
        let uri = path_to_uri(p);
        assert_eq!(uri, "file:///tmp/a%20b/r%C3%A9gles/x.mtus");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(p));
        assert_eq!(uri_to_path("untitled:1"), None);
        assert_eq!(uri_to_path("file:///bad%zz"), None);
    }
}
