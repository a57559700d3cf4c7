//! Excerpts of long lines: a diagnostic that points into a line longer
//! than [`MAX_LINE`] bytes (a minified JSON case, a one-line YAML bomb)
//! shows a window of that line around what it points at, with `…` where
//! the line is cut, instead of the whole line (which could be the whole
//! file, up to the input cap).
//!
//! The renderer is given a small stand-in text holding just the labelled
//! lines (long ones cut), and a [`Files`] view that reports the original
//! line numbers and columns, so the header still says where in the real
//! file the mistake is.

use std::collections::BTreeMap;
use std::ops::Range;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};

use crate::diag::{FileId, SourceMap};

/// Lines longer than this (in bytes) are cut to a window.
pub const MAX_LINE: usize = 200;
/// Bytes of context kept before and after what a label points at.
const BEFORE: usize = 40;
/// Most bytes kept from the first label's start onward.
const AFTER: usize = 120;
const CUT: &str = "…";

/// One labelled line in the stand-in text.
struct Line {
    /// 0-based line in the original file (before any shift).
    index: usize,
    /// Where the kept part starts in the original text.
    orig_start: usize,
    /// Its length in the original text.
    orig_len: usize,
    /// Where this line starts in the stand-in text, and its length there
    /// (cut marks included, line break not).
    start: usize,
    len: usize,
    /// Bytes of the leading cut mark (0 or `CUT.len()`).
    lead: usize,
    /// Characters of the original line before `orig_start`.
    chars_before: usize,
}

struct View {
    name: String,
    text: String,
    lines: Vec<Line>,
}

/// The stand-in files, by id.
pub struct Windowed<'a> {
    sm: &'a SourceMap,
    views: BTreeMap<FileId, View>,
    lines_before: usize,
}

impl View {
    fn line_of(&self, byte: usize) -> Option<&Line> {
        self.lines.iter().rev().find(|l| l.start <= byte)
    }

    /// A byte of the original line `index` in the stand-in text (clipped
    /// to what was kept).
    fn map(&self, index: usize, orig: usize) -> usize {
        match self.lines.iter().find(|l| l.index == index) {
            Some(l) => {
                let inside = orig.saturating_sub(l.orig_start).min(l.orig_len);
                let mut at = l.start + l.lead + inside;
                while !self.text.is_char_boundary(at) {
                    at -= 1;
                }
                at
            }
            None => 0,
        }
    }
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// `Some` (the view, and the diagnostic with its labels moved into it)
/// when a label points into a line longer than [`MAX_LINE`]; `None`
/// otherwise (render as usual).
pub fn windowed<'a>(
    sm: &'a SourceMap,
    d: &cs::Diagnostic<FileId>,
    lines_before: usize,
) -> Option<(Windowed<'a>, cs::Diagnostic<FileId>)> {
    // Labelled lines per file: line index -> the byte range its labels cover.
    let mut wanted: BTreeMap<FileId, BTreeMap<usize, Range<usize>>> = BTreeMap::new();
    let mut long = false;
    for label in &d.labels {
        let f = sm.get(label.file_id);
        let index = f.line_index(label.range.start.min(f.text.len()));
        let line = f.line_range(index)?;
        if line.len() > MAX_LINE {
            long = true;
        }
        // A label running past its first line is cut at that line's end.
        let end = label.range.end.clamp(label.range.start, line.end);
        wanted
            .entry(label.file_id)
            .or_default()
            .entry(index)
            .and_modify(|r| {
                r.start = r.start.min(label.range.start);
                r.end = r.end.max(end);
            })
            .or_insert(label.range.start..end);
    }
    if !long {
        return None;
    }
    let mut views = BTreeMap::new();
    for (id, lines) in &wanted {
        let f = sm.get(*id);
        let mut view = View {
            name: f.name.clone(),
            text: String::new(),
            lines: Vec::new(),
        };
        for (&index, covered) in lines {
            let full = f.line_range(index)?;
            let body_end = if f.text[full.clone()].ends_with('\n') {
                full.end - 1
            } else {
                full.end
            };
            let (ws, we) = if full.len() > MAX_LINE {
                let ws = floor(&f.text, covered.start.saturating_sub(BEFORE).max(full.start));
                let shown = covered.end.min(covered.start + AFTER).max(covered.start + 1);
                let we = ceil(&f.text, (shown + BEFORE).min(body_end));
                (ws, we.max(ws))
            } else {
                (full.start, body_end)
            };
            let start = view.text.len();
            let lead = if ws > full.start { CUT.len() } else { 0 };
            if lead > 0 {
                view.text.push_str(CUT);
            }
            view.text.push_str(&f.text[ws..we]);
            if we < body_end {
                view.text.push_str(CUT);
            }
            let len = view.text.len() - start;
            view.text.push('\n');
            view.lines.push(Line {
                index,
                orig_start: ws,
                orig_len: we - ws,
                start,
                len,
                lead,
                chars_before: f.text[full.start..ws].chars().count(),
            });
        }
        views.insert(*id, view);
    }
    let mut moved = d.clone();
    for label in &mut moved.labels {
        let view = views.get(&label.file_id)?;
        let f = sm.get(label.file_id);
        let index = f.line_index(label.range.start.min(f.text.len()));
        let start = view.map(index, label.range.start);
        let end = view.map(index, label.range.end).max(start);
        label.range = start..end;
    }
    Some((
        Windowed {
            sm,
            views,
            lines_before,
        },
        moved,
    ))
}

impl<'a> Files<'a> for Windowed<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(self
            .views
            .get(&id)
            .map_or(self.sm.get(id).name.as_str(), |v| v.name.as_str()))
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.views
            .get(&id)
            .map(|v| v.text.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let view = self.views.get(&id).ok_or(FilesError::FileMissing)?;
        let line = view.line_of(byte_index).ok_or(FilesError::IndexTooLarge {
            given: byte_index,
            max: view.text.len(),
        })?;
        Ok(line.index + self.lines_before)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let view = self.views.get(&id).ok_or(FilesError::FileMissing)?;
        let index = line_index.checked_sub(self.lines_before);
        view.lines
            .iter()
            .find(|l| Some(l.index) == index)
            .map(|l| l.start..l.start + l.len)
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: line_index,
            })
    }

    /// The column in the original line: characters cut from the front
    /// count, the cut mark does not.
    fn column_number(&'a self, id: FileId, line_index: usize, byte_index: usize) -> Result<usize, FilesError> {
        let view = self.views.get(&id).ok_or(FilesError::FileMissing)?;
        let index = line_index.checked_sub(self.lines_before);
        let line = view
            .lines
            .iter()
            .find(|l| Some(l.index) == index)
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: line_index,
            })?;
        let from = line.start + line.lead;
        let to = floor(&view.text, byte_index.clamp(from, line.start + line.len));
        let kept = view.text.get(from..to).map_or(0, |s| s.chars().count());
        Ok(line.chars_before + kept + 1)
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::{Diagnostic, SourceMap, Span};
    use crate::report::diagnostics::render;

    fn rendered(text: &str, start: usize, end: usize) -> String {
        let mut sm = SourceMap::new();
        let id = sm.add("f.json", text);
        let d = Diagnostic::error("x", Span::new(id, start, end), "bad").with_help("fix it");
        render(&sm, &d, false)
    }

    #[test]
    fn a_long_line_is_cut_around_the_label_and_keeps_its_column() {
        let text = format!("{}\n{}BAD{}\n", "a".repeat(10), "b".repeat(5000), "c".repeat(5000));
        let start = 11 + 5000;
        let out = rendered(&text, start, start + 3);
        assert!(out.len() < 600, "{out}");
        // Line 2, column 5001: the 5000 b's before it count.
        assert!(out.contains("f.json:2:5001"), "{out}");
        assert!(out.contains("…bbbb"), "{out}");
        assert!(out.contains("BADcccc"), "{out}");
        // The caret sits under BAD: the excerpt line and the caret line
        // put them at the same offset.
        let line = out.lines().find(|l| l.contains("BAD")).expect("excerpt");
        let carets = out.lines().find(|l| l.contains("^^^")).expect("carets");
        assert_eq!(
            line.find("BAD").map(|i| line[..i].chars().count()),
            carets.find('^').map(|i| carets[..i].chars().count())
        );
    }

    #[test]
    fn multibyte_text_is_cut_on_character_boundaries() {
        let text = format!("{}X{}", "é".repeat(3000), "ü".repeat(3000));
        let start = "é".len() * 3000;
        let out = rendered(&text, start, start + 1);
        assert!(out.contains("f.json:1:3001"), "{out}");
        assert!(out.len() < 800, "{out}");
    }

    #[test]
    fn a_label_past_the_end_of_its_long_line_is_cut_at_the_line() {
        let text = format!("{}\nnext\n", "z".repeat(400));
        let out = rendered(&text, 100, text.len());
        assert!(out.contains("f.json:1:101"), "{out}");
        assert!(!out.contains("next"), "{out}");
    }

    #[test]
    fn short_lines_render_whole() {
        let text = "case: x\nrequests: [oops\n";
        let out = rendered(text, 19, 23);
        assert!(out.contains("requests: [oops"), "{out}");
        assert!(!out.contains('…'), "{out}");
    }
}
