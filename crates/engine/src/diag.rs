//! Source files, spans and diagnostics shared by every stage.
//!
//! Every AST node carries a [`Span`] (file + byte range). Positions for
//! humans (line and column, 1-based) are computed from a [`SourceMap`] only
//! when a diagnostic is rendered, so spans stay small and `Copy`.

use std::fmt;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The same bytes in file `file` (a span made against a stand-in file
    /// id, such as the case loader's, moved into a source map).
    pub fn in_file(self, file: FileId) -> Span {
        Span { file, ..self }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset in `text`,
/// without building a [`SourceFile`] (for one position in a text read
/// once, such as a case in an audit).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count();
    (line + 1, before[start..].chars().count() + 1)
}

/// One source file: its display name (a path as the user gave it, or
/// `<embedded>/name` for the shipped rules) and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    /// Byte offsets of line starts, worked out on first use: most runs
    /// never render a position in the rule files they load.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(
                self.text
                    .bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            );
            starts
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts()[line];
        let col = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        (line + 1, col + 1)
    }

    /// 0-based index of the line holding a byte offset.
    pub fn line_index(&self, offset: usize) -> usize {
        match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte range of a 0-based line, without its line break.
    pub fn line_range(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts().get(line)?;
        let end = self.line_starts().get(line + 1).map_or(self.text.len(), |&e| e);
        Some(start..end)
    }

    /// Byte offset of a 1-based line and column; clamps to the text.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let end_of_line = rest.find('\n').map_or(rest.len(), |i| i);
        let line_text = &rest[..end_of_line];
        let col = column.saturating_sub(1);
        let byte = line_text.char_indices().nth(col).map_or(line_text.len(), |(i, _)| i);
        start + byte
    }
}

/// All source files a run has read, rule files and (on error) case files.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile::new(name, text));
        FileId((self.files.len() - 1) as u32)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// Resolve a span to a human position.
    pub fn position(&self, span: Span) -> Position {
        let f = self.get(span.file);
        let (line, column) = f.line_col(span.start as usize);
        let (end_line, end_column) = f.line_col(span.end as usize);
        Position {
            file: f.name.clone(),
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// A resolved, human position: file name, 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A message about an input, with where it is and what to do about it.
///
/// `code` names the kind of mistake (`unknown-fact`, `syntax`, ...) so tools
/// and tests can match on it; `message` is one lowercase sentence; `help`
/// says what to change.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub span: Option<Span>,
    /// Secondary locations, e.g. the first of two duplicate declarations.
    pub notes: Vec<(Span, String)>,
    pub help: Option<String>,
    /// A mechanical change that resolves it, when there is a safe one
    /// (`mtus lint --fix` applies it; an editor offers it as a code action).
    /// Boxed: most diagnostics have none, and a `Diagnostic` is returned
    /// by value on the loader's error paths.
    pub fix: Option<Box<Fix>>,
}

/// One text change: replace the bytes of `span` with `replacement` (an
/// empty span inserts, an empty replacement deletes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// A fix for a diagnostic: edits applied together, never overlapping,
/// each over the text the diagnostic was made from. `message` says what
/// it does, as one lowercase sentence ("delete the unused constant `x`").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub message: String,
    pub edits: Vec<Edit>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: Some(span),
            notes: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// An error that has no place in a file (a missing file, say).
    pub fn bare(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            notes: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.notes.push((span, note.into()));
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        self.fix = Some(Box::new(fix));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Names longer than this (in characters) get no suggestion: no name in a
/// rule set or a schema is this long, and the cost of a suggestion then
/// stays bounded however long the name written (a megabyte of one, say).
pub const MAX_SUGGEST_CHARS: usize = 64;

/// Suggest the closest of `candidates` to `name`, if any is close enough to
/// be a plausible typo: within a third of the longer name's length in
/// edits (at least one).
///
/// Cost: a name of more than [`MAX_SUGGEST_CHARS`] characters is refused
/// after reading that many; a candidate whose length differs by more than
/// the distance allowed is skipped without a comparison; the others are
/// compared by [`edit_distance_within`], so each costs at most
/// `MAX_SUGGEST_CHARS` times the band's width.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name: Vec<char> = name.chars().take(MAX_SUGGEST_CHARS + 1).collect();
    if name.len() > MAX_SUGGEST_CHARS {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    let mut other: Vec<char> = Vec::new();
    for c in candidates {
        other.clear();
        other.extend(c.chars().take(MAX_SUGGEST_CHARS * 2 + 1));
        let limit = (name.len().max(other.len()) / 3).max(1);
        // Within `limit` edits, ties broken by name: a farther candidate
        // than the best so far cannot win.
        let limit = match best {
            Some((bd, _)) => limit.min(bd),
            None => limit,
        };
        let Some(d) = distance_within(&name, &other, limit) else {
            continue;
        };
        if best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance in characters, if it is at most `max`; `None`
/// when it is more. Costs `O(max × min(len))` after the lengths are
/// compared: texts whose lengths differ by more than `max` are not
/// compared at all.
pub fn edit_distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    // A text of more characters than the other has bytes, plus `max`, is
    // too far: neither is read further than that.
    let a_chars: Vec<char> = a.chars().take(b.len().saturating_add(max).saturating_add(1)).collect();
    let b_chars: Vec<char> = b.chars().take(a.len().saturating_add(max).saturating_add(1)).collect();
    distance_within(&a_chars, &b_chars, max)
}

/// [`edit_distance_within`] on characters: the band of the dynamic
/// programme within `max` of the diagonal, stopping as soon as a whole
/// row of the band is past `max`.
fn distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() - a.len() > max {
        return None;
    }
    if a.is_empty() {
        return Some(b.len());
    }
    // Past `max`, a cell's exact value does not matter.
    let over = max + 1;
    // prev[j] = distance between a[..i] and b[..j], for j in the band.
    let mut prev: Vec<usize> = (0..=b.len()).map(|j| j.min(over)).collect();
    let mut cur = vec![over; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        let row = i + 1;
        let lo = row.saturating_sub(max);
        let hi = (row + max).min(b.len());
        cur[lo.saturating_sub(1)..=hi.min(b.len())].fill(over);
        if lo == 0 {
            cur[0] = row.min(over);
        }
        let mut best = if lo == 0 { cur[0] } else { over };
        for j in lo.max(1)..=hi {
            let cost = usize::from(ca != b[j - 1]);
            let v = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1).min(over);
            cur[j] = v;
            best = best.min(v);
        }
        if best > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// Levenshtein distance in characters, unbounded: `O(len × len)`. Only
/// for texts whose length is bounded; for anything from an input, use
/// [`edit_distance_within`].
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_and_offset_round_trip() {
        let f = SourceFile::new("x", "ab\ncdé\nf");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(5), (2, 3));
        assert_eq!(f.offset(2, 3), 5);
        assert_eq!(f.offset(3, 1), 8);
        assert_eq!(f.offset(9, 9), f.text.len());
    }

    #[test]
    fn suggestions_are_close_only() {
        let c = ["muscle_spasm", "radiculopathy", "trigger_points"];
        assert_eq!(did_you_mean("muscle_spams", c), Some("muscle_spasm"));
        assert_eq!(did_you_mean("completely_else", c), None);
    }

    #[test]
    fn a_long_name_gets_no_suggestion() {
        let long = "a".repeat(MAX_SUGGEST_CHARS + 1);
        let near = "a".repeat(MAX_SUGGEST_CHARS);
        assert_eq!(did_you_mean(&long, [near.as_str()]), None);
        // At the limit it still gets one.
        let at = format!("{}b", "a".repeat(MAX_SUGGEST_CHARS - 1));
        assert_eq!(did_you_mean(&at, [near.as_str()]), Some(near.as_str()));
    }

    #[test]
    fn the_banded_distance_agrees_with_the_full_one() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "massage",
            "massgae",
            "message",
            "muscle_spasm",
            "muscle_spams",
            "radiculopathy",
            "radiculopaty",
            "trigger_points",
            "kitten",
            "sitting",
            "flaw",
            "lawn",
            "éclair",
            "eclair",
        ];
        for a in words {
            for b in words {
                let full = edit_distance(a, b);
                for max in 0..8 {
                    let want = (full <= max).then_some(full);
                    assert_eq!(edit_distance_within(a, b, max), want, "{a:?} {b:?} within {max}");
                }
            }
        }
    }
}
