//! Completion in a rule file: the next segment of a fact path after a dot
//! (`request.`, `prior.`, `history.TREATMENT.`, `exam.`, ...), treatments and
//! classes after `applies to`, rules after `supplements`, sources after
//! `cites`, item keywords at the start of a line, and in a condition the
//! fact groups, constants, treatments, classes and operators. Candidates
//! come from the folder's declarations, so a fact declared a moment ago in
//! another buffer is offered.

use std::collections::BTreeMap;

use lsp_types::{CompletionItem, CompletionItemKind, Documentation};

use super::workspace::RuleFolder;

const ITEM_KEYWORDS: &[&str] = &["rule", "fact", "extend fact", "const", "class", "treatment", "source"];
const CLAUSE_KEYWORDS: &[&str] = &[
    "cites",
    "applies to",
    "effective",
    "supplements",
    "confidence",
    "require",
    "exclude",
];
const EXPR_KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "when",
    "then",
    "else",
    "is documented",
    "is not documented",
    "contains",
    "contains any of",
    "contains all of",
    "in",
    "true",
    "false",
];

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '*'
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>, doc: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        documentation: doc.map(Documentation::String),
        ..Default::default()
    }
}

/// The candidates at a byte offset of a text (the buffer as it is now:
/// the folder's analysis may be a moment older).
pub fn complete(f: &RuleFolder, text: &str, offset: usize) -> Vec<CompletionItem> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let start = super::text::word_start(text, offset, is_word);
    let word = &text[start..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_before = text.get(line_start..start).unwrap_or("");
    // label -> item: sorted, each once.
    let mut out: BTreeMap<(u8, String), CompletionItem> = BTreeMap::new();
    let mut add = |rank: u8, mut it: CompletionItem| {
        it.sort_text = Some(format!("{rank}{}", it.label));
        out.entry((rank, it.label.clone())).or_insert(it);
    };
    let ix = &f.index;
    if let Some(dot) = word.rfind('.') {
        let (head, partial) = (&word[..dot], &word[dot + 1..]);
        fact_paths(ix, head, &mut add);
        out.retain(|(_, label), _| label.starts_with(partial));
        return out.into_values().collect();
    }
    by_clause(f, line_before, &mut add);
    out.retain(|(_, label), _| label.starts_with(word));
    out.into_values().collect()
}

/// The fact paths (and groups) after `head.`: `prior.` and
/// `history.TREATMENT.` spell the `history.*` facts.
fn fact_paths(ix: &super::index::Index, head: &str, add: &mut dyn FnMut(u8, CompletionItem)) {
    if head == "history" {
        for (name, (_, t)) in &ix.treatments {
            add(
                0,
                item(name, CompletionItemKind::ENUM_MEMBER, Some(t.title.value.clone()), None),
            );
        }
    }
    for (path, (_, d)) in &ix.facts {
        let spellings: Vec<String> = match path.strip_prefix("history.*.") {
            Some(field) => {
                let mut v = vec![format!("prior.{field}")];
                let segs: Vec<&str> = head.split('.').collect();
                if let ["history", t] = segs.as_slice() {
                    if ix.treatments.contains_key(*t) {
                        v.push(format!("history.{t}.{field}"));
                    }
                }
                v
            }
            None => vec![path.clone()],
        };
        for s in spellings {
            let Some(rest) = s.strip_prefix(head).and_then(|r| r.strip_prefix('.')) else {
                continue;
            };
            let seg = rest.split('.').next().unwrap_or(rest);
            if rest.contains('.') {
                add(
                    1,
                    item(seg, CompletionItemKind::MODULE, Some("group of facts".into()), None),
                );
            } else {
                let ty = if d.ty.list {
                    format!("list<{}>", d.ty.name.name)
                } else {
                    d.ty.name.name.clone()
                };
                add(
                    0,
                    item(
                        seg,
                        CompletionItemKind::FIELD,
                        Some(ty),
                        Some(d.description.value.clone()),
                    ),
                );
            }
        }
    }
}

/// What may be written at the start of a word outside a fact path: by
/// the clause the line starts with, else keywords, else a condition's
/// words.
fn by_clause(f: &RuleFolder, line_before: &str, add: &mut dyn FnMut(u8, CompletionItem)) {
    let ix = &f.index;
    let clause = line_before.trim();
    let catalog = |add: &mut dyn FnMut(u8, CompletionItem)| {
        for (name, (_, t)) in &ix.treatments {
            add(
                0,
                item(name, CompletionItemKind::ENUM_MEMBER, Some(t.title.value.clone()), None),
            );
        }
        for (name, (_, c)) in &ix.classes {
            add(
                1,
                item(name, CompletionItemKind::CLASS, Some(c.title.value.clone()), None),
            );
        }
    };
    if clause.starts_with("applies to") {
        catalog(add);
    } else if clause == "supplements" {
        for (name, (_, r)) in &ix.rules {
            add(
                0,
                item(name, CompletionItemKind::FUNCTION, Some(r.title.value.clone()), None),
            );
        }
    } else if clause == "cites" {
        for (name, (_, s)) in &ix.sources {
            add(
                0,
                item(name, CompletionItemKind::MODULE, Some(s.title.value.clone()), None),
            );
        }
    } else if clause == "extend fact" {
        for (path, (_, d)) in &ix.facts {
            if d.of.is_some() {
                add(
                    0,
                    item(path, CompletionItemKind::FIELD, None, Some(d.description.value.clone())),
                );
            }
        }
    } else if clause.starts_with("treatment ") && (clause.ends_with(" class") || clause.ends_with(',')) {
        for (name, (_, c)) in &ix.classes {
            add(
                0,
                item(name, CompletionItemKind::CLASS, Some(c.title.value.clone()), None),
            );
        }
    } else if line_before.is_empty() {
        for k in ITEM_KEYWORDS {
            add(0, item(k, CompletionItemKind::KEYWORD, None, None));
        }
    } else if clause.is_empty() && line_before.len() == 2 {
        for k in CLAUSE_KEYWORDS {
            add(0, item(k, CompletionItemKind::KEYWORD, None, None));
        }
    } else {
        // A condition: where fact paths start, constants, the catalog.
        for path in ix.facts.keys() {
            let head = path.split('.').next().unwrap_or(path);
            let heads: &[&str] = if head == "history" {
                &["prior", "history"]
            } else {
                &[head]
            };
            for h in heads {
                add(1, item(h, CompletionItemKind::MODULE, Some("facts".into()), None));
            }
        }
        for (name, (_, c)) in &ix.consts {
            add(
                0,
                item(
                    name,
                    CompletionItemKind::CONSTANT,
                    Some(f.slice(c.value.span).to_string()),
                    c.description.as_ref().map(|d| d.value.clone()),
                ),
            );
        }
        catalog(add);
        for k in EXPR_KEYWORDS {
            add(2, item(k, CompletionItemKind::KEYWORD, None, None));
        }
    }
}
