//! docs/criteria-catalogue.md has an entry for every criteria ID the
//! shipped rules cite in a `confidence` line, and each entry's "Cited by"
//! line says which rules, criteria and constants cite it.
//! `UPDATE_DOCS=1 cargo test --test it catalogue::` rewrites those lines;
//! the rest of each entry is written by hand.

use crate::common::{root, shipped_rules};
use std::collections::{BTreeMap, BTreeSet};

const DOC: &str = "docs/criteria-catalogue.md";
const CITED: &str = "- Cited by: ";

/// ID -> who cites it (`rule.criterion`, `rule`, `const name`), sorted.
fn cited() -> BTreeMap<String, Vec<String>> {
    let (_, rules) = shipped_rules();
    let p = &rules.program;
    let mut lines: Vec<(&[String], String)> = Vec::new();
    for c in &p.consts {
        if let Some(conf) = &c.confidence {
            lines.push((&conf.ids, format!("const {}", c.name)));
        }
    }
    for r in &p.rules {
        if let Some(conf) = &r.confidence {
            lines.push((&conf.ids, r.name.clone()));
        }
        for c in &r.criteria {
            if let Some(conf) = &c.confidence {
                lines.push((&conf.ids, format!("{}.{}", r.name, c.name)));
            }
        }
    }
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (ids, who) in lines {
        for id in ids {
            m.entry(id.clone()).or_default().insert(who.clone());
        }
    }
    m.into_iter().map(|(k, v)| (k, v.into_iter().collect())).collect()
}

fn cited_line(by: Option<&Vec<String>>) -> String {
    match by {
        None => format!("{CITED}(not encoded)"),
        Some(by) => {
            let names: Vec<String> = by.iter().map(|w| format!("`{w}`")).collect();
            format!("{CITED}{}", names.join(", "))
        }
    }
}

/// The doc with every entry's "Cited by" line regenerated, and the IDs
/// of its entries in order.
fn regenerate(text: &str, cited: &BTreeMap<String, Vec<String>>) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut ids = Vec::new();
    let mut current: Option<String> = None;
    let mut seen_line = true;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches('\n');
        if let Some(h) = bare.strip_prefix("### ") {
            assert!(seen_line, "{DOC}: entry {current:?} has no {CITED:?} line");
            current = Some(h.to_string());
            ids.push(h.to_string());
            seen_line = false;
        } else if bare.starts_with("## ") && current.is_some() {
            assert!(seen_line, "{DOC}: entry {current:?} has no {CITED:?} line");
        }
        if bare.starts_with(CITED) {
            let Some(id) = &current else {
                panic!("{DOC}: a {CITED:?} line before the first entry");
            };
            assert!(!seen_line, "{DOC}: entry {id} has two {CITED:?} lines");
            seen_line = true;
            out.push_str(&cited_line(cited.get(id)));
            out.push('\n');
        } else {
            out.push_str(line);
        }
    }
    assert!(seen_line, "{DOC}: entry {current:?} has no {CITED:?} line");
    (out, ids)
}

#[test]
fn every_cited_id_has_an_entry_and_the_cited_by_lines_are_true() {
    let cited = cited();
    assert!(cited.len() > 100, "only {} IDs cited", cited.len());
    let path = root().join(DOC);
    let text = std::fs::read_to_string(&path).expect("docs/criteria-catalogue.md");
    let (want, ids) = regenerate(&text, &cited);
    let mut unique = BTreeSet::new();
    for id in &ids {
        assert!(unique.insert(id), "{DOC}: two entries for {id}");
        assert!(
            id.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
            "{DOC}: heading {id:?} is not a bare ID, so its anchor is not #{}",
            id.to_lowercase()
        );
    }
    let missing: Vec<&String> = cited.keys().filter(|id| !unique.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "{DOC} has no entry for {missing:?}, cited by the rules"
    );
    if want != text && std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).expect("write docs");
        return;
    }
    assert_eq!(
        text, want,
        "the Cited by lines of {DOC} are out of date: run UPDATE_DOCS=1 cargo test --test it catalogue::"
    );
}

/// The rule files' comments point at the catalogue, not at notes outside
/// the repository, and every `docs/criteria-catalogue.md#id` they name
/// exists.
#[test]
fn rule_comments_point_into_the_catalogue() {
    let text = std::fs::read_to_string(root().join(DOC)).expect("docs/criteria-catalogue.md");
    let anchors: BTreeSet<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("### ").or_else(|| l.strip_prefix("## ")))
        .map(|h| {
            h.to_lowercase()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect();
    let mut links = 0;
    let mut bad = Vec::new();
    for (name, body) in mtus::embedded::FILES {
        for (n, line) in body.lines().enumerate() {
            // Comments only: a whole-line comment, or one after a clause.
            let line = match line.trim_start().strip_prefix('#') {
                Some(c) => c,
                None => match line.split_once("  # ") {
                    Some((_, c)) => c,
                    None => continue,
                },
            };
            let outside = line.contains("criteria.md") || line.contains("criteria-2018.md");
            if outside && !line.contains("criteria-catalogue.md") {
                bad.push(format!("{name}:{}: cites notes outside the repository: {line}", n + 1));
            }
            let mut rest = line;
            while let Some(at) = rest.find("criteria-catalogue.md#") {
                let tail = &rest[at + "criteria-catalogue.md#".len()..];
                let anchor: String = tail
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                if !anchors.contains(&anchor) {
                    bad.push(format!("{name}:{}: no entry #{anchor} in {DOC}", n + 1));
                }
                links += 1;
                rest = &tail[anchor.len()..];
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(links > 10, "only {links} links into {DOC}");
}
