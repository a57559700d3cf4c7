//! Rendering diagnostics: with a source excerpt and an underline for
//! people (colour only when asked, i.e. on a terminal), and as JSON for
//! editors and tools.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;
use serde::Serialize;

use crate::diag::{Diagnostic, FileId, Severity, SourceMap};

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<FileId> {
    let mut out = match d.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
    }
    .with_code(d.code)
    .with_message(&d.message);
    let mut labels = Vec::new();
    if let Some(s) = d.span {
        labels.push(cs::Label::primary(s.file, s.start as usize..s.end as usize));
    }
    for (s, note) in &d.notes {
        labels.push(cs::Label::secondary(s.file, s.start as usize..s.end as usize).with_message(note));
    }
    out = out.with_labels(labels);
    if let Some(h) = &d.help {
        out = out.with_notes(vec![format!("help: {h}")]);
    }
    out
}

/// The files of a source map with every line number moved down by
/// `lines_before`: a diagnostic about one line of a JSON Lines file, whose
/// text alone is in the map, shows that line's number in the file.
struct Shifted<'a> {
    sm: &'a SourceMap,
    lines_before: usize,
}

impl<'a> Files<'a> for Shifted<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.sm.get(id).name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.sm.get(id).text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.sm.get(id).line_index(byte_index) + self.lines_before)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<std::ops::Range<usize>, FilesError> {
        let inner = line_index
            .checked_sub(self.lines_before)
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: self.lines_before,
            })?;
        let f = self.sm.get(id);
        f.line_range(inner).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: f.line_index(f.text.len()) + self.lines_before,
        })
    }
}

/// Render one diagnostic with its excerpt. `color` adds ANSI colours.
pub fn render(sm: &SourceMap, d: &Diagnostic, color: bool) -> String {
    render_shifted(sm, d, color, 0)
}

/// Like [`render`], for a source map that holds one line of a file whose
/// first `lines_before` lines are not in it (a JSON Lines record).
pub fn render_shifted(sm: &SourceMap, d: &Diagnostic, color: bool, lines_before: usize) -> String {
    let cd = to_codespan(d);
    // A line longer than `excerpt::MAX_LINE` is shown as a window around
    // what the diagnostic points at.
    let rendered = match super::excerpt::windowed(sm, &cd, lines_before) {
        Some((files, moved)) => emit(&files, &moved, color),
        None => emit(&Shifted { sm, lines_before }, &cd, color),
    };
    rendered.unwrap_or_else(|| {
        // The renderer only fails on spans outside the file; fall back to
        // one line rather than lose the message.
        let at = d.span.map(|s| format!("{}: ", sm.position(s))).unwrap_or_default();
        format!("error[{}]: {at}{}\n", d.code, d.message)
    })
}

fn emit<'a, F: Files<'a, FileId = FileId>>(files: &'a F, cd: &cs::Diagnostic<FileId>, color: bool) -> Option<String> {
    let config = term::Config::default();
    if color {
        let styles = term::Styles::default();
        let mut buf = term::termcolor::Buffer::ansi();
        let mut w = term::StylesWriter::new(&mut buf, &styles);
        term::emit_to_write_style(&mut w, &config, files, cd)
            .ok()
            .map(|()| String::from_utf8_lossy(buf.as_slice()).into_owned())
    } else {
        term::emit_into_string(&config, files, cd).ok()
    }
}

/// A diagnostic for editors: where (1-based), what, and what to do.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DiagnosticJson {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
}

pub fn to_json(sm: &SourceMap, d: &Diagnostic) -> DiagnosticJson {
    let pos = d.span.map(|s| sm.position(s));
    DiagnosticJson {
        file: pos.as_ref().map(|p| p.file.clone()),
        line: pos.as_ref().map(|p| p.line),
        column: pos.as_ref().map(|p| p.column),
        end_line: pos.as_ref().map(|p| p.end_line),
        end_column: pos.as_ref().map(|p| p.end_column),
        severity: d.severity,
        code: d.code,
        message: d.message.clone(),
        help: d.help.clone(),
    }
}

/// A diagnostic about a file that could not be read at all.
pub fn unreadable(file: &str, why: &str) -> Diagnostic {
    Diagnostic::bare("unreadable", format!("cannot read {file}: {why}"))
}
