//! Code actions (quick fixes) for the diagnostics under the cursor:
//!
//! - a lint finding that carries a mechanical `Fix` (`unused-allow`,
//!   `unused-const`): the very edits `mtus lint --fix` applies, so the
//!   editor and the command cannot disagree;
//! - any lint a directive can silence: insert
//!   `# lint: allow NAME -- TODO: say why` above the item or criterion (the
//!   reason is left for the author to write);
//! - a checker error whose help is "did you mean `X`?" (an unknown fact,
//!   treatment, symbol...): replace the name with `X`.
//!
//! The other edits are computed here from the analysis.

use std::collections::HashMap;

use lsp_types as lt;

use super::rule_diagnostic;
use super::text::Encoding;
use super::workspace::RuleFolder;
use crate::diag::FileId;
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
    for d in f.all_diagnostics() {
        let Some(span) = d.span.filter(|s| s.file == file) else {
            continue;
        };
        let (s, e) = (span.start as usize, span.end as usize);
        if s > end || start > e {
            continue;
        }
        let diag = rule_diagnostic(f, d, enc);
        if let Some(fix) = d.fix.as_deref() {
            // Offered only when every edit is in this file.
            let edits: Vec<lt::TextEdit> = fix
                .edits
                .iter()
                .filter(|e| e.span.file == file)
                .map(|e| lt::TextEdit {
                    range: range(e.span.start as usize, e.span.end as usize),
                    new_text: e.replacement.clone(),
                })
                .collect();
            if !edits.is_empty() && edits.len() == fix.edits.len() {
                out.push(edit_action(capitalized(&fix.message), uri, edits, diag.clone(), true));
            }
        }
        // A lint may be right and the rule still meant: allowing it is
        // offered beside any fix.
        if SILENCEABLE.contains(&d.code) {
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
        } else if d.is_error() && d.fix.is_none() {
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

/// A fix's message ("delete the unused constant `x`") as an editor's
/// menu entry ("Delete the unused constant `x`").
fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
