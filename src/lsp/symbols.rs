//! The outline of a file (document symbols) and the code lenses of a case
//! file. A rule file's outline: its rules (with their criteria), constants,
//! facts, treatments, classes and sources, in file order, from the folder's
//! symbol index. A case file's: its requests (`id:` and treatment), found
//! by their lines under `requests:`; each request gets a lens running
//! `mtus explain` on it, and the file one running `mtus test` on it.

use lsp_types::{DocumentSymbol, Range, SymbolKind};

use super::text::{Encoding, LineIndex};
use super::workspace::RuleFolder;
use crate::diag::{FileId, Span};

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be named.
fn symbol(name: &str, detail: Option<String>, kind: SymbolKind, range: Range, selection: Range) -> DocumentSymbol {
    DocumentSymbol {
        name: name.to_string(),
        detail,
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: None,
    }
}

/// The outline of a rule file of an analysed folder.
pub fn rule_outline(f: &RuleFolder, id: FileId, enc: Encoding) -> Vec<DocumentSymbol> {
    let Some(file) = f.file(id) else {
        return Vec::new();
    };
    let text = f.text(id);
    let range = |s: Span| file.lines.range(text, s.start as usize, s.end as usize, enc);
    let ix = &f.index;
    let mut out: Vec<(u32, DocumentSymbol)> = Vec::new();
    let mut add = |item: Span, name_span: Span, name: &str, detail: &str, kind: SymbolKind| {
        out.push((
            item.start,
            symbol(name, Some(detail.to_string()), kind, range(item), range(name_span)),
        ));
    };
    for (name, (fid, d)) in &ix.consts {
        if *fid == id {
            add(d.span, d.name.span, name, f.slice(d.value.span), SymbolKind::CONSTANT);
        }
    }
    for (name, (fid, d)) in &ix.facts {
        if *fid == id {
            add(d.span, d.path.span, name, &d.description.value, SymbolKind::FIELD);
        }
    }
    for (name, (fid, d)) in &ix.treatments {
        if *fid == id {
            add(d.span, d.name.span, name, &d.title.value, SymbolKind::ENUM_MEMBER);
        }
    }
    for (name, (fid, d)) in &ix.classes {
        if *fid == id {
            add(d.span, d.name.span, name, &d.title.value, SymbolKind::ENUM);
        }
    }
    for (name, (fid, d)) in &ix.sources {
        if *fid == id {
            add(d.span, d.id.span, name, &d.title.value, SymbolKind::PACKAGE);
        }
    }
    for (name, (fid, d)) in &ix.rules {
        if *fid != id {
            continue;
        }
        let mut s = symbol(
            name,
            Some(d.title.value.clone()),
            SymbolKind::MODULE,
            range(d.span),
            range(d.name.span),
        );
        let criteria: Vec<DocumentSymbol> = d
            .criteria
            .iter()
            .map(|c| {
                let kind = match c.kind {
                    crate::syntax::ast::CriterionKind::Require => "require",
                    crate::syntax::ast::CriterionKind::Exclude => "exclude",
                };
                symbol(
                    &c.name.name,
                    Some(format!("{kind}: {}", c.description.value)),
                    SymbolKind::METHOD,
                    range(c.span),
                    range(c.name.span),
                )
            })
            .collect();
        if !criteria.is_empty() {
            s.children = Some(criteria);
        }
        out.push((d.span.start, s));
    }
    out.sort_by_key(|(start, _)| *start);
    out.into_iter().map(|(_, s)| s).collect()
}

/// A request of a case file, as its lines show it.
#[derive(Debug, PartialEq, Eq)]
pub struct CaseRequest {
    pub id: String,
    pub treatment: Option<String>,
    /// The item's bytes, and its id's.
    pub start: usize,
    pub end: usize,
    pub id_start: usize,
    pub id_end: usize,
}

/// The value of `key:` in a line's text (block `key: v` or flow
/// `{ ..., key: v, ... }`), with its offset in the line.
fn value_of<'a>(line: &'a str, key: &str) -> Option<(usize, &'a str)> {
    let mut from = 0;
    while let Some(i) = line[from..].find(key).map(|i| from + i) {
        from = i + key.len();
        let before_ok = i == 0 || line[..i].ends_with([' ', '{', ',', '-']);
        let rest = &line[from..];
        let Some(after) = rest.trim_start_matches(' ').strip_prefix(':') else {
            continue;
        };
        if !before_ok {
            continue;
        }
        let v_at = line.len() - after.trim_start_matches(' ').len();
        let v = &line[v_at..];
        let len = v.find([',', '}', '#', ' ']).unwrap_or(v.len());
        let v = v[..len].trim_matches(['"', '\'']);
        if v.is_empty() {
            return None;
        }
        let start = v_at + usize::from(line[v_at..].starts_with(['"', '\'']));
        return Some((start, v));
    }
    None
}

/// The requests of a case file (YAML): the items of its top-level
/// `requests:` list, each with its `id:` (items without one are left out).
pub fn case_requests(text: &str) -> Vec<CaseRequest> {
    let lines = LineIndex::new(text);
    let starts = lines.starts();
    let line_at = |i: usize| {
        let s = starts[i];
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        text[s..e].trim_end_matches(['\n', '\r'])
    };
    let mut out: Vec<CaseRequest> = Vec::new();
    let mut in_requests = false;
    let mut item_indent = None;
    for (i, &at) in starts.iter().enumerate() {
        let line = line_at(i);
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if indent == 0 && !content.starts_with('-') {
            if let Some(last) = out.last_mut().filter(|r| r.end == usize::MAX) {
                last.end = at;
            }
            in_requests = content.starts_with("requests:");
            item_indent = None;
            continue;
        }
        if !in_requests {
            continue;
        }
        if (content.starts_with("- ") || content == "-") && item_indent.is_none_or(|ii| ii == indent) {
            item_indent = Some(indent);
            if let Some(last) = out.last_mut().filter(|r| r.end == usize::MAX) {
                last.end = at;
            }
            out.push(CaseRequest {
                id: String::new(),
                treatment: None,
                start: at + indent,
                end: usize::MAX,
                id_start: at + indent,
                id_end: at + indent,
            });
        }
        let Some(r) = out.last_mut().filter(|r| r.end == usize::MAX) else {
            continue;
        };
        if r.id.is_empty() {
            if let Some((off, v)) = value_of(line, "id") {
                r.id = v.to_string();
                r.id_start = at + off;
                r.id_end = at + off + v.len();
            }
        }
        if r.treatment.is_none() {
            r.treatment = value_of(line, "treatment").map(|(_, v)| v.to_string());
        }
    }
    // The last item ends at the end of its last line.
    let end = text.trim_end().len();
    for r in &mut out {
        if r.end == usize::MAX {
            r.end = end.max(r.start);
        }
    }
    out.retain(|r| !r.id.is_empty());
    out
}

/// The outline of a case file: its requests.
pub fn case_outline(text: &str, lines: &LineIndex, enc: Encoding) -> Vec<DocumentSymbol> {
    case_requests(text)
        .into_iter()
        .map(|r| {
            symbol(
                &r.id,
                r.treatment.clone(),
                SymbolKind::EVENT,
                lines.range(text, r.start, r.end, enc),
                lines.range(text, r.id_start, r.id_end, enc),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_in_block_and_flow_style() {
        let text = "case: x\nrequests:\n  - id: massage\n    treatment: massage_therapy\n    quantity: 6 visit\n  - { id: \"m2\", treatment: flexeril }\n  - treatment: no_id\nhistory: {}\n";
        let rs = case_requests(text);
        let got: Vec<(&str, Option<&str>, &str)> = rs
            .iter()
            .map(|r| (r.id.as_str(), r.treatment.as_deref(), &text[r.id_start..r.id_end]))
            .collect();
        assert_eq!(
            got,
            [
                ("massage", Some("massage_therapy"), "massage"),
                ("m2", Some("flexeril"), "m2")
            ]
        );
        assert!(
            text[rs[0].start..rs[0].end].ends_with("6 visit\n"),
            "{:?}",
            &text[rs[0].start..rs[0].end]
        );
        assert!(case_requests("requests: []\n").is_empty());
        assert!(case_requests("").is_empty());
    }
}
