//! Rule files in one canonical layout (`mtus fmt`).
//!
//! The layout is built from the parse tree (every token as written: names,
//! strings, numbers and dates are copied, never re-spelled), then the
//! comments the grammar skips are put back by their place in the file:
//!
//! - items start in column 1; `rule` and `source` items are set off by one
//!   blank line, other items keep the author's grouping (at most one blank
//!   line between them);
//! - the clauses of an item (`tier`, `effective`, `cites`, `applies to`,
//!   `supplements`, `aka`, `confidence`) go one per line, indented 2, in the
//!   order written; a constant's `confidence` goes on the line under it,
//!   indented 2;
//! - a criterion starts on its own line, indented 2, after one blank line;
//!   its own `cites` line, `confidence` line and its condition follow,
//!   indented 4;
//! - `when` / `then` / `else` each start a line; an `and` / `or` chain of
//!   three or more operands, or one that does not fit in [`MAX_WIDTH`]
//!   columns (or has a comment inside), goes one operand per line with the
//!   operator first; a part that breaks again is indented 2 more;
//! - an own-line comment stays above the line it preceded, at that line's
//!   indent (after an item's last line, an indented comment stays with the
//!   item); a trailing comment stays at the end of its line.
//!
//! Invariants: the formatted text parses to the same syntax tree (spans
//! aside) and holds the same comments in the same order, checked on every
//! call, so a formatting bug is an error, never a changed rule; formatting
//! formatted text changes nothing; a file with a syntax error is not
//! formatted.

mod assemble;
mod layout;
#[cfg(test)]
mod tests;

use pest::iterators::Pair;

use crate::diag::{Diagnostic, FileId};
use crate::syntax::comments::{Comment, comments};
use crate::syntax::parse::{Rule, chunks, item_tree, parse_file};
use assemble::assemble;
use layout::{ItemLayout, Layout};

/// Conditions longer than this many columns are broken over lines.
pub const MAX_WIDTH: usize = 100;

/// Why a file could not be formatted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FormatError {
    /// The file does not parse; nothing was formatted.
    #[error("the file has {} syntax error(s)", .0.len())]
    Syntax(Vec<Diagnostic>),
    /// The formatter would have changed the meaning, lost a comment or not
    /// reached a fixed point: a bug in the formatter, reported instead of
    /// writing a changed rule.
    #[error("internal formatter error: {0}")]
    Internal(String),
}

/// Format one rule file. `file` is the id diagnostics point into (the text
/// should be in the caller's `SourceMap` under that id).
pub fn format_source(file: FileId, text: &str) -> Result<String, FormatError> {
    let (before, diags) = parse_file(file, text);
    if !diags.is_empty() {
        return Err(FormatError::Syntax(diags));
    }
    let before_tree = tree_key(&before);
    let before_comments = comment_texts(text);
    // One pass is a fixed point in all but rare comment placements (a
    // comment inside a condition that a pass moves to the end of a line);
    // a second pass settles those.
    let mut current = format_once(text)?;
    let mut settled = false;
    for _ in 0..3 {
        let next = format_once(&current)?;
        if next == current {
            settled = true;
            break;
        }
        current = next;
    }
    if !settled {
        return Err(FormatError::Internal("the layout does not settle".into()));
    }
    let (after, diags) = parse_file(file, &current);
    if !diags.is_empty() {
        return Err(FormatError::Internal(format!(
            "the formatted text does not parse: {}",
            diags.iter().map(|d| d.message.as_str()).collect::<Vec<_>>().join("; ")
        )));
    }
    if tree_key(&after) != before_tree {
        return Err(FormatError::Internal("the formatted text means something else".into()));
    }
    if comment_texts(&current) != before_comments {
        return Err(FormatError::Internal(
            "the formatted text lost or reordered a comment".into(),
        ));
    }
    Ok(current)
}

/// The syntax tree as text, without spans: equal for texts that say the
/// same thing.
pub fn tree_key(file: &crate::syntax::ast::RuleFile) -> String {
    strip_spans(&format!("{:?}", file.items))
}

/// Remove every `Span { .. }` from a `Debug` dump.
pub fn strip_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Span { file: ") {
        out.push_str(&rest[..i]);
        match rest[i..].find(" }") {
            Some(j) => rest = &rest[i + j + 2..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn comment_texts(text: &str) -> Vec<String> {
    comments(text).iter().map(|c| c.text(text).to_string()).collect()
}

fn format_once(text: &str) -> Result<String, FormatError> {
    let all = comments(text);
    let starts: Vec<usize> = all.iter().map(|c| c.start).collect();
    let mut items = Vec::new();
    for chunk in chunks(text) {
        let tree = item_tree(chunk.text)
            .ok_or_else(|| FormatError::Internal(format!("an item at byte {} does not parse", chunk.start)))?;
        let lay = Layout {
            base: chunk.start,
            comment_starts: &starts,
        };
        items.push(lay.item(tree, text)?);
    }
    Ok(assemble(text, items, &all))
}
