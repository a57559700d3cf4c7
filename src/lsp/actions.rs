//! Code actions (quick fixes) for the diagnostics under the cursor:
//!
//! - `unused-allow`: remove the lint name from the directive, or the
//!   directive when it names only that lint;
//! - any lint a directive can silence: insert
//!   `# lint: allow NAME -- TODO: say why` above the item or criterion (the
//!   reason is left for the author to write);
//! - a checker error whose help is "did you mean `X`?" (an unknown fact,
//!   treatment, symbol...): replace the name with `X`.
//!
//! The edits are computed here from the analysis; `mtus lint --fix` is a
//! separate tool.

use std::collections::HashMap;

use lsp_types as lt;

use super::rule_diagnostic;
use super::text::Encoding;
use super::workspace::RuleFolder;
use crate::diag::{Diagnostic, FileId, Span};
use crate::lint::SILENCEABLE;

// `WorkspaceEdit::changes` is keyed by `Uri`, which clippy thinks mutable.
#[allow(clippy::mutable_key_type)]
fn edit_action(
    title: String,
    uri: &lt::Uri,
    edits: Vec<lt::TextEdit>,
    diag: lt::Diagnostic,
    preferred: bool,
) -> lt::CodeAction {
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), edits);
    lt::CodeAction {
        title,
        kind: Some(lt::CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diag]),
        edit: Some(lt::WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }),
        is_preferred: Some(preferred),
        ..Default::default()
    }
}

/// The text between the first pair of backticks.
fn quoted(s: &str) -> Option<&str> {
    let (_, rest) = s.split_once('`')?;
    let (q, _) = rest.split_once('`')?;
    Some(q)
}

/// The quick fixes for diagnostics of `file` that meet the byte range.
pub fn actions(
    f: &RuleFolder,
    file: FileId,
    start: usize,
    end: usize,
    enc: Encoding,
    uri: &lt::Uri,
) -> Vec<lt::CodeAction> {
    let mut out = Vec::new();
    let Some(ff) = f.file(file) else {
        return out;
    };
    let text = f.text(file);
    let range = |a: usize, b: usize| ff.lines.range(text, a, b, enc);
    for d in &f.diagnostics {
        let Some(span) = d.span.filter(|s| s.file == file) else {
            continue;
        };
        let (s, e) = (span.start as usize, span.end as usize);
        if s > end || start > e {
            continue;
        }
        let diag = rule_diagnostic(f, d, enc);
        if d.code == "unused-allow" {
            if let Some(edit) = unused_allow(d, span, text) {
                let lint = quoted(&d.message).unwrap_or("lint");
                out.push(edit_action(
                    format!("Remove `{lint}` from the directive"),
                    uri,
                    vec![lt::TextEdit {
                        range: range(edit.0, edit.1),
                        new_text: edit.2,
                    }],
                    diag.clone(),
                    true,
                ));
            }
        } else if SILENCEABLE.contains(&d.code) {
            if let Some((el_start, _)) = f.index.element_at(file, s) {
                let line_start = text[..el_start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
                let indent: String = text[line_start..]
                    .chars()
                    .take_while(|c| *c == ' ' || *c == '\t')
                    .collect();
                out.push(edit_action(
                    format!("Allow `{}` here (write the reason in the directive)", d.code),
                    uri,
                    vec![lt::TextEdit {
                        range: range(line_start, line_start),
                        new_text: format!("{indent}# lint: allow {} -- TODO: say why\n", d.code),
                    }],
                    diag.clone(),
                    false,
                ));
            }
        } else if d.is_error() {
            let suggestion = d
                .help
                .as_deref()
                .filter(|h| h.starts_with("did you mean `"))
                .and_then(quoted);
            let written = text.get(s..e).unwrap_or("");
            let simple = |w: &str| {
                !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '*')
            };
            if let Some(sug) = suggestion.filter(|s| simple(s) && simple(written)) {
                out.push(edit_action(
                    format!("Change `{written}` to `{sug}`"),
                    uri,
                    vec![lt::TextEdit {
                        range: range(s, e),
                        new_text: sug.to_string(),
                    }],
                    diag.clone(),
                    true,
                ));
            }
        }
    }
    out
}

/// The edit (byte range and new text) that removes the lint an
/// `unused-allow` finding names from its directive.
fn unused_allow(d: &Diagnostic, span: Span, text: &str) -> Option<(usize, usize, String)> {
    let lint = quoted(&d.message)?;
    let (s, e) = (span.start as usize, span.end as usize);
    let comment = text.get(s..e)?;
    let body = comment.trim_start_matches('#').trim_start();
    let rest = body.strip_prefix("lint:")?.trim_start().strip_prefix("allow")?;
    let (names, reason) = match rest.split_once("--") {
        Some((n, r)) => (n, Some(r.trim())),
        None => (rest, None),
    };
    let kept: Vec<&str> = names
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|n| !n.is_empty() && *n != lint)
        .collect();
    if !kept.is_empty() {
        let reason = reason.map_or(String::new(), |r| format!(" -- {r}"));
        return Some((s, e, format!("# lint: allow {}{reason}", kept.join(", "))));
    }
    let line_start = text[..s].rfind('\n').map_or(0, |i| i + 1);
    if text[line_start..s].trim().is_empty() {
        // A directive on its own line: the line goes.
        let line_end = text[e..].find('\n').map_or(text.len(), |i| e + i + 1);
        Some((line_start, line_end, String::new()))
    } else {
        // At the end of a line: the comment and the blanks before it go.
        let code_end = text[..s].trim_end_matches([' ', '\t']).len();
        Some((code_end, e, String::new()))
    }
}
