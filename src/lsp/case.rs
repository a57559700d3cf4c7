//! Hover and completion in a case file (YAML), from the fact schema of its
//! rules: where the cursor is in the key tree (`exam:` then
//! `muscle_spasm:`, a request's `quantity:`, a history entry's `visits:`),
//! found from the lines above it by their indentation and from the flow
//! mappings and lists of its own line (`exam: { muscle_spasm: true }`,
//! `- { id: m, treatment: ... }`). Made for a file being typed: it needs no
//! YAML parser, so a half-written line still completes. A block scalar or
//! a flow mapping spread over several lines is not followed.
//!
//! Invariants: never panics on any text or offset; offers only names and
//! values the schema has.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lsp_types::{CompletionItem, CompletionItemKind, Documentation};

use super::hover::code_list;
use crate::RuleSet;
use crate::check::{Fact, FactType, KeyNode, Scope};

/// A step of the key path at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    /// An item of a list.
    Item,
}

/// The top-level keys that are not fact groups.
const SECTIONS: &[(&str, &str)] = &[
    ("case", "the case id (text)"),
    (
        "requests",
        "the treatments asked for: a list, each with `id`, `treatment`, `date` and request facts",
    ),
    (
        "history",
        "prior treatments, keyed by treatment, each a mapping of prior-course facts",
    ),
    ("determination", "for a past case: `date`, `reviewer` and `decisions`"),
];

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'
}

/// Where a line's content starts after its indentation and `- ` markers;
/// the markers' count.
fn content_start(line: &str) -> (usize, usize) {
    let mut i = line.len() - line.trim_start_matches(' ').len();
    let mut dashes = 0;
    while line[i..].starts_with("- ") || &line[i..] == "-" {
        dashes += 1;
        i += 1;
        i += line[i..].len() - line[i..].trim_start_matches(' ').len();
    }
    (i, dashes)
}

/// The key a line's content starts with (`key:` then a space, the end, or
/// a comment).
fn leading_key(content: &str) -> Option<(&str, &str)> {
    let len = content.find(|c: char| !is_key_char(c)).unwrap_or(content.len());
    let key = &content[..len];
    let rest = content[len..].trim_start_matches(' ');
    let after = rest.strip_prefix(':')?;
    (!key.is_empty() && (after.is_empty() || after.starts_with([' ', '\t', '#', '{', '[']))).then_some((key, after))
}

/// The lines of a text (without their ends), with their start offsets.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            out.push((start, &text[start..i]));
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    out.push((start, &text[start..]));
    out
}

/// The cursor's place: the key path of the mapping or list it is in, and
/// the key whose value it is in (`None`: where a key is written).
#[derive(Debug, PartialEq, Eq)]
pub struct Place {
    pub path: Vec<Seg>,
    pub value_of: Option<String>,
    /// The word at the cursor (key or value) and where it starts.
    pub word: String,
    pub word_start: usize,
    /// Whether the word is a key (a `:` follows it).
    pub word_is_key: bool,
}

/// Where `offset` is in a case file's text.
pub fn place(text: &str, offset: usize) -> Option<Place> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let all = lines(text);
    let n = all.iter().rposition(|(s, _)| *s <= offset)?;
    let (line_start, line) = all[n];
    let col = offset - line_start;
    if col > line.len() {
        return None;
    }
    // The word around the cursor.
    let wstart = super::text::word_start(line, col, is_key_char);
    let wend = line[col..]
        .find(|c: char| !is_key_char(c))
        .map_or(line.len(), |i| col + i);
    let word = line[wstart..wend].to_string();
    let word_is_key = line[wend..].trim_start_matches(' ').starts_with(':');
    let (cstart, dashes) = content_start(line);
    if wstart < cstart && !word.is_empty() {
        return None;
    }
    let indent = line.len() - line.trim_start_matches(' ').len();
    // The keys of the lines above, by indentation.
    let mut above = ancestors(&all[..n], indent);
    above.reverse();
    let mut path = above;
    path.extend((0..dashes).map(|_| Seg::Item));
    // This line up to the word: its keys and flow mappings and lists.
    let mut cur: Option<String> = None;
    let mut marks: Vec<usize> = Vec::new();
    let prefix = &line[cstart.min(wstart)..wstart];
    let mut chars = prefix.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' if i == 0 || prefix[..i].ends_with(' ') => return None,
            '"' | '\'' => {
                for (_, d) in chars.by_ref() {
                    if d == c {
                        break;
                    }
                }
            }
            '{' | '[' => {
                marks.push(path.len());
                if let Some(k) = cur.take() {
                    path.push(Seg::Key(k));
                }
                if c == '[' {
                    path.push(Seg::Item);
                }
            }
            '}' | ']' => {
                let m = marks.pop().unwrap_or(path.len());
                path.truncate(m);
                cur = None;
            }
            ',' => cur = None,
            c if is_key_char(c) => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, d)) = chars.peek() {
                    if !is_key_char(d) {
                        break;
                    }
                    end = j + d.len_utf8();
                    chars.next();
                }
                let rest = prefix[end..].trim_start_matches(' ');
                if rest.starts_with(':') && cur.is_none() {
                    cur = Some(prefix[i..end].to_string());
                }
            }
            _ => {}
        }
    }
    Some(Place {
        path,
        value_of: cur,
        word,
        word_start: line_start + wstart,
        word_is_key,
    })
}

/// The keys of the mappings a line at column `col` is in, innermost
/// first, from the lines above it.
fn ancestors(above: &[(usize, &str)], mut col: usize) -> Vec<Seg> {
    let mut out = Vec::new();
    for (_, line) in above.iter().rev() {
        if col == 0 {
            break;
        }
        let (cstart, dashes) = content_start(line);
        let content = &line[cstart..];
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent >= col {
            continue;
        }
        if dashes > 0 {
            // An item whose mapping we are in (our key under its first),
            // or a key opening a block under the item.
            if cstart < col {
                if let Some((key, after)) = leading_key(content) {
                    if after.trim().is_empty() || after.trim_start().starts_with('#') {
                        out.push(Seg::Key(key.to_string()));
                    }
                }
            }
            for _ in 0..dashes {
                out.push(Seg::Item);
            }
            col = indent;
            continue;
        }
        match leading_key(content) {
            Some((key, _)) => {
                out.push(Seg::Key(key.to_string()));
                col = indent;
            }
            None => break,
        }
    }
    out
}

/// What a key path names in the schema.
enum Node<'a> {
    /// The top of the file.
    Top,
    Group(&'a BTreeMap<String, KeyNode>),
    Fact(&'a Fact),
    /// `history:`: its keys are treatments.
    Treatments,
    Section(&'static str, &'static str),
}

fn resolve<'a>(rules: &'a RuleSet, path: &[Seg]) -> Option<Node<'a>> {
    let schema = &rules.program.schema;
    let keys: Vec<&str> = path
        .iter()
        .filter_map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Item => None,
        })
        .collect();
    let (scope, rest) = match keys.as_slice() {
        [] => return Some(Node::Top),
        ["requests", rest @ ..] if path.get(1) == Some(&Seg::Item) || rest.is_empty() => {
            if path.len() == 1 {
                return SECTIONS
                    .iter()
                    .find(|s| s.0 == "requests")
                    .map(|s| Node::Section(s.0, s.1));
            }
            (Scope::Request, rest)
        }
        ["history"] => return Some(Node::Treatments),
        ["history", _, rest @ ..] => (Scope::History, rest),
        [s, ..] if SECTIONS.iter().any(|x| x.0 == *s) => {
            return SECTIONS
                .iter()
                .find(|x| x.0 == *s)
                .filter(|_| keys.len() == 1)
                .map(|x| Node::Section(x.0, x.1));
        }
        rest => (Scope::Case, rest),
    };
    let mut tree = schema.tree(scope);
    let mut node = Node::Group(tree);
    for (i, k) in rest.iter().enumerate() {
        match tree.get(*k)? {
            KeyNode::Group(g) => {
                tree = g;
                node = Node::Group(g);
            }
            KeyNode::Leaf(id) => {
                if i + 1 != rest.len() {
                    return None;
                }
                node = Node::Fact(schema.fact(*id));
            }
        }
    }
    Some(node)
}

fn allowed<'a>(rules: &'a RuleSet, f: &Fact) -> Vec<&'a str> {
    let syms = &rules.program.symbols;
    f.allowed.iter().flatten().filter_map(|s| syms.name(*s)).collect()
}

/// A fact as a case file writes it: the key path (`exam.muscle_spasm`, a
/// request's `quantity`, a history entry's `visits`).
fn fact_markdown(rules: &RuleSet, f: &Fact) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "**fact** `{}`: `{}`\n\n{}\n", f.path, f.ty.name(), f.description);
    if let Some(d) = f.dim {
        let _ = writeln!(out, "- unit: {}", d.name());
    }
    if let Some(r) = f.range {
        let _ = writeln!(out, "- range: {} to {}", r.min, r.max);
    }
    let values = allowed(rules, f);
    if !values.is_empty() {
        let _ = writeln!(out, "- allowed values: {}", code_list(values));
    }
    match f.ty {
        FactType::Bool => {
            let _ = writeln!(
                out,
                "- `true` or `false` (`false`: documented as absent; leave it out when the record does not say)"
            );
        }
        FactType::Date => {
            let _ = writeln!(out, "- written `YYYY-MM-DD`");
        }
        FactType::Treatment => {
            let _ = writeln!(out, "- a treatment of the catalog (canonical or brand name)");
        }
        _ => {}
    }
    if f.derived {
        let _ = writeln!(out, "- filled from another part of the case, not written");
    }
    out
}

fn treatment_markdown(rules: &RuleSet, name: &str) -> Option<String> {
    let cat = &rules.program.catalog;
    let id = cat.lookup.get(&crate::check::normalize_name(name))?;
    let t = cat.treatments.get(id.0 as usize)?;
    let mut out = format!("**treatment** `{}`: {}\n", t.name, t.title);
    let classes: Vec<&str> = t
        .classes
        .iter()
        .filter_map(|c| cat.classes.get(c.0 as usize))
        .map(|c| c.name.as_str())
        .collect();
    if !classes.is_empty() {
        let _ = write!(out, "\n- classes: {}", code_list(classes));
    }
    if !t.aka.is_empty() {
        let _ = write!(out, "\n- brand names and other names: {}", t.aka.join(", "));
    }
    Some(out)
}

/// The hover text at a byte offset of a case file, and the span of the
/// word it is about.
pub fn hover(rules: &RuleSet, text: &str, offset: usize) -> Option<(String, usize, usize)> {
    let p = place(text, offset)?;
    if p.word.is_empty() {
        return None;
    }
    let span = (p.word_start, p.word_start + p.word.len());
    let mut path = p.path.clone();
    if p.word_is_key {
        path.push(Seg::Key(p.word.clone()));
        // A key under `history:` is a treatment.
        if matches!(path.as_slice(), [Seg::Key(h), Seg::Key(_)] if h == "history") {
            return treatment_markdown(rules, &p.word).map(|m| (m, span.0, span.1));
        }
    } else {
        let key = p.value_of.clone()?;
        path.push(Seg::Key(key));
    }
    let md = match resolve(rules, &path)? {
        Node::Fact(f) => {
            let mut md = fact_markdown(rules, f);
            if !p.word_is_key {
                if f.ty == FactType::Treatment {
                    if let Some(t) = treatment_markdown(rules, &p.word) {
                        md = format!("{t}\n\n---\n\n{md}");
                    }
                } else if allowed(rules, f).contains(&p.word.as_str()) {
                    md = format!("**value** `{}` of fact `{}`\n\n{md}", p.word, f.path);
                }
            }
            md
        }
        Node::Section(name, what) => format!("**{name}**: {what}"),
        Node::Group(g) => {
            let keys: Vec<&str> = g.keys().map(String::as_str).collect();
            format!("**group** `{}`: {}", p.word, code_list(keys))
        }
        Node::Top | Node::Treatments => return None,
    };
    Some((md, span.0, span.1))
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

fn treatments(rules: &RuleSet) -> Vec<CompletionItem> {
    rules
        .program
        .catalog
        .treatments
        .iter()
        .map(|t| item(&t.name, CompletionItemKind::ENUM_MEMBER, Some(t.title.clone()), None))
        .collect()
}

/// The completions at a byte offset of a case file: the keys the mapping
/// there may have, or the values the key there may take.
pub fn complete(rules: &RuleSet, text: &str, offset: usize) -> Vec<CompletionItem> {
    let Some(p) = place(text, offset) else {
        return Vec::new();
    };
    let schema = &rules.program.schema;
    match &p.value_of {
        None => match resolve(rules, &p.path) {
            Some(Node::Top) => {
                let mut out: Vec<CompletionItem> = SECTIONS
                    .iter()
                    .map(|(k, what)| item(k, CompletionItemKind::MODULE, Some((*what).to_string()), None))
                    .collect();
                for k in schema.tree(Scope::Case).keys() {
                    out.push(item(k, CompletionItemKind::MODULE, Some("fact group".into()), None));
                }
                out
            }
            Some(Node::Treatments) => treatments(rules),
            Some(Node::Group(g)) => g
                .iter()
                .map(|(k, n)| match n {
                    KeyNode::Group(_) => item(k, CompletionItemKind::MODULE, Some("fact group".into()), None),
                    KeyNode::Leaf(id) => {
                        let f = schema.fact(*id);
                        item(
                            k,
                            CompletionItemKind::FIELD,
                            Some(f.ty.name().to_string()),
                            Some(f.description.clone()),
                        )
                    }
                })
                .collect(),
            _ => Vec::new(),
        },
        Some(key) => {
            let mut path = p.path.clone();
            path.push(Seg::Key(key.clone()));
            let Some(Node::Fact(f)) = resolve(rules, &path) else {
                return Vec::new();
            };
            match f.ty {
                FactType::Bool => ["true", "false"]
                    .iter()
                    .map(|v| item(v, CompletionItemKind::VALUE, None, None))
                    .collect(),
                FactType::Treatment => treatments(rules),
                _ => allowed(rules, f)
                    .into_iter()
                    .map(|v| item(v, CompletionItemKind::ENUM_MEMBER, Some(f.path.clone()), None))
                    .collect(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    fn at(text: &str, marker: &str) -> Place {
        let offset = text.find(marker).unwrap_or(0);
        place(&text.replace('|', ""), offset).unwrap_or_else(|| panic!("no place at {marker}"))
    }

    #[test]
    fn block_keys_lists_and_flow_mappings() {
        let text =
            "case: x\nexam:\n  muscle_spasm: tr|ue\nrequests:\n  - id: m\n    treatment: massage_therapy\n    quan|\n";
        let p = at(text, "|ue");
        assert_eq!(p.path, [key("exam")]);
        assert_eq!(p.value_of.as_deref(), Some("muscle_spasm"));
        let text = "case: x\nrequests:\n  - id: m\n    treatment: massage_therapy\n    quan|\n";
        let p = at(text, "|\n");
        assert_eq!(p.path, [key("requests"), Seg::Item]);
        assert_eq!((p.value_of, p.word.as_str()), (None, "quan"));
        let text = "exam: { muscle_spasm: yes, dat|e: 2018-01-01 }\n";
        let p = at(text, "|e:");
        assert_eq!(p.path, [key("exam")]);
        assert!(p.word_is_key && p.word == "date", "{p:?}");
        let text = "requests:\n  - { id: m, treatment: flex| }\n";
        let p = at(text, "| }");
        assert_eq!(p.path, [key("requests"), Seg::Item]);
        assert_eq!(p.value_of.as_deref(), Some("treatment"));
        let text = "history:\n  massage_therapy: { received: true, vis|";
        let p = at(text, "|");
        assert_eq!(p.path, [key("history"), key("massage_therapy")]);
        assert_eq!(p.value_of, None);
        // Lines ended by a carriage return alone.
        let text = "exam:\r  muscle_sp|asm: true\r";
        let p = at(text, "|asm");
        assert_eq!((p.path, p.word.as_str()), (vec![key("exam")], "muscle_spasm"));
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "",
            "-",
            "- - ",
            "\u{e9}:\n  \u{1F48A}",
            "a: {{{[[",
            "a: ]]}}",
            "#x\n  - :",
        ] {
            for i in 0..=text.len() + 1 {
                let _ = place(text, i);
            }
        }
    }
}
