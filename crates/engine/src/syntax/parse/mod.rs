//! Text to syntax tree.
//!
//! A file is split into chunks, one per top-level item (an item starts on
//! a line whose first character is not blank and not `#`). Each chunk is
//! parsed on its own, so one broken rule does not hide the errors of the
//! next. Before pest sees a chunk, a scan bounds its bracket nesting, and
//! the tree builder bounds `not` chains: nothing after parsing recurses
//! deeper than [`MAX_NESTING`] levels per expression.

mod build;
mod errors;
#[cfg(test)]
mod tests;

use pest::Parser;
use pest::iterators::Pair;

use super::ast::*;
use crate::diag::{Diagnostic, FileId, Span};
use crate::value::Date;
use build::Builder;
use errors::syntax_error;

#[derive(pest_derive::Parser)]
#[grammar = "syntax/grammar.pest"]
struct RuleParser;

/// Deepest nesting of parentheses, brackets and `not` in one expression.
/// Real criteria nest a handful of levels; the bound keeps parsing, checking
/// and compiling well inside a small thread stack.
pub const MAX_NESTING: usize = 16;

/// A top-level item's text and where it starts in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk<'a> {
    pub start: usize,
    pub text: &'a str,
}

/// Split a file into top-level chunks. Leading comment lines and blank
/// lines before the first item are not part of any chunk.
pub fn chunks(text: &str) -> Vec<Chunk<'_>> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let first = line.chars().next();
        if let Some(c) = first {
            if !c.is_whitespace() && c != '#' {
                starts.push(offset);
            }
        }
        offset += line.len();
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        out.push(Chunk {
            start: s,
            text: &text[s..e],
        });
    }
    out
}

/// Parse one rule file. Returns the items that parsed and a diagnostic for
/// each chunk that did not.
pub fn parse_file(file: FileId, text: &str) -> (RuleFile, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut diags = Vec::new();
    if let Some(d) = stray_text_before_first_item(file, text) {
        diags.push(d);
    }
    let mut broken_rules = Vec::new();
    for chunk in chunks(text) {
        match parse_chunk(file, &chunk) {
            Ok(item) => items.push(item),
            Err(d) => {
                broken_rules.extend(rule_name(file, &chunk));
                diags.push(d);
            }
        }
    }
    (RuleFile { items, broken_rules }, diags)
}

/// The name of a rule from the start of its text (`rule NAME ...`), when
/// the rest does not parse.
fn rule_name(file: FileId, chunk: &Chunk<'_>) -> Option<Ident> {
    let rest = chunk.text.strip_prefix("rule")?;
    let name_at = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if name_at == 0 {
        return None;
    }
    let rest = &rest[name_at..];
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let start = chunk.start + "rule".len() + name_at;
    Some(Ident {
        name: name.to_string(),
        span: Span::new(file, start, start + len),
    })
}

/// Indented text before the first item belongs to no chunk; report it
/// rather than skip it silently.
fn stray_text_before_first_item(file: FileId, text: &str) -> Option<Diagnostic> {
    let first = chunks(text).first().map_or(text.len(), |c| c.start);
    let head = &text[..first];
    let blanked = super::comments::comments(head)
        .iter()
        .fold(head.to_string(), |mut s, c| {
            s.replace_range(c.start..c.end, &" ".repeat(c.end - c.start));
            s
        });
    let at = blanked.find(|c: char| !c.is_whitespace())?;
    let len = blanked[at..].find(char::is_whitespace).unwrap_or(blanked.len() - at);
    Some(
        Diagnostic::error("syntax", Span::new(file, at, at + len), "expected an item in column 1")
            .with_help("an item (`rule`, `fact`, `source`, ...) starts at the beginning of a line; only the lines under it are indented"),
    )
}

/// The parse tree of one chunk's item, for tools that need every token
/// (the formatter). `None` when the chunk does not parse.
pub fn item_tree(text: &str) -> Option<Pair<'_, Rule>> {
    RuleParser::parse(Rule::item, text)
        .ok()?
        .find(|p| p.as_rule() != Rule::EOI)
}

fn parse_chunk(file: FileId, chunk: &Chunk<'_>) -> Result<Item, Diagnostic> {
    scan_nesting(file, chunk)?;
    let pairs = RuleParser::parse(Rule::item, chunk.text).map_err(|e| syntax_error(file, chunk, e))?;
    let b = Builder {
        file,
        base: chunk.start,
    };
    let item = pairs
        .into_iter()
        .find(|p| p.as_rule() != Rule::EOI)
        .ok_or_else(|| Diagnostic::error("syntax", b.span_at(0, chunk.text.len()), "empty item"))?;
    b.item(item)
}

/// Reject bracket nesting deeper than [`MAX_NESTING`] before pest recurses
/// into it.
fn scan_nesting(file: FileId, chunk: &Chunk<'_>) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, c) in chunk.text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => in_comment = true,
            '(' | '[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    let at = chunk.start + i;
                    return Err(Diagnostic::error(
                        "nesting",
                        Span::new(file, at, at + 1),
                        format!("expression nests more than {MAX_NESTING} levels deep"),
                    )
                    .with_help("split the criterion into several criteria, or name a part of it with `const`"));
                }
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
