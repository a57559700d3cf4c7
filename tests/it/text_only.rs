//! A request's `text:` alone is enough: the loader reads the line and
//! fills in the treatment and the values it gives. Proved over the real
//! data: every shipped case whose request lines the reader names decides
//! the same, fact for fact, with the fields the line gives left out.

use std::path::PathBuf;

use crate::common;

use mtus::eval::{Machine, decide_case};
use mtus::facts::load::tree::{Kind, Node};
use mtus::facts::load::yaml::parse_flagged;
use mtus::facts::{Limits, load_yaml};
use mtus::line::{fields, read};
use mtus::value::Value;

/// The request fields a line can give, as the case file names them.
const GIVEN: &[&str] = &[
    "treatment",
    "quantity",
    "strength",
    "per_week",
    "duration",
    "days_supply",
    "levels",
    "body_region",
];

/// Every shipped case file: `cases/`, the real determinations, the held-out
/// set and the test fixtures that are cases (not the broken ones).
fn every_case_file() -> Vec<PathBuf> {
    let root = common::root();
    let mut out = Vec::new();
    for dir in [
        "cases",
        "cases/imr-2016",
        "tests/fixtures/heldout",
        "tests/fixtures/audit",
        "tests/fixtures/casetest/cases",
        "tests/fixtures/confidence/cases",
        "tests/fixtures/doc/cases",
        "tests/fixtures/formulary",
    ] {
        let Ok(rd) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        files.sort();
        out.extend(files);
    }
    out
}

/// The byte ranges to cut to leave out `key: value` of a mapping entry: the
/// whole lines of a block entry, or the entry and its comma in a flow one.
fn cut(text: &str, map: &Node<'_>, key: &Node<'_>, value: &Node<'_>) -> (usize, usize) {
    let (k, v) = (key.span.start as usize, value.span.end as usize);
    if text[map.span.start as usize..].starts_with('{') {
        let rest = &text[v..];
        let after = rest.len() - rest.trim_start_matches([' ', ',']).len();
        if rest.trim_start().starts_with(',') {
            return (k, v + after);
        }
        let before = text[..k].trim_end_matches([' ', ',']).len();
        return (before, v);
    }
    let start = text[..k].rfind('\n').map_or(0, |i| i + 1);
    let end = text[v..].find('\n').map_or(text.len(), |i| v + i + 1);
    (start, end)
}

#[test]
fn a_text_only_case_decides_as_the_case_with_explicit_fields() {
    let (_, rules) = common::shipped_rules();
    let catalog = &rules.program.catalog;
    let mut machine = Machine::new();
    let (mut cases, mut stripped, mut fields_left_out) = (0, 0, 0);
    for path in every_case_file() {
        let name = common::rel(&path);
        let text = std::fs::read_to_string(&path).expect("case file");
        // Files that are not meant to load (a fixture of a mistake) are not
        // this test's business.
        let Ok(case) = load_yaml(&rules.program, &name, &text) else {
            continue;
        };
        cases += 1;
        let Ok((root, _)) = parse_flagged(&text, 0, &Limits::default()) else {
            continue;
        };
        let Some(requests) = root.get("requests") else { continue };
        let Kind::Seq(items) = &requests.kind else { continue };
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        for (item, loaded) in items.iter().zip(&case.requests) {
            let Some(line) = item.get("text").and_then(|n| n.text()) else {
                continue;
            };
            let f = fields(catalog, &read(catalog, line));
            // Only a line the reader names can stand for its request.
            if f.treatment.map(|(t, _)| t) != Some(loaded.treatment) {
                continue;
            }
            let entries = item.entries().unwrap_or_default();
            for (i, (k, v)) in entries.iter().enumerate() {
                let Some(key) = k.text().filter(|k| GIVEN.contains(k)) else {
                    continue;
                };
                // The value the text gives, when it gives one.
                let read: Option<Value> = match key {
                    "treatment" => Some(Value::Sym(catalog.treatment(loaded.treatment).sym)),
                    "quantity" => f.quantity.map(|(q, _)| Value::Qty(q)),
                    "strength" => f.strength.map(|(q, _)| Value::Qty(q)),
                    "per_week" => f.per_week.map(|(x, _)| Value::Num(x)),
                    "duration" => f.duration.map(|(q, _)| Value::Qty(q)),
                    "days_supply" => f.days_supply.map(|(q, _)| Value::Qty(q)),
                    "levels" => f.levels.map(|(x, _)| Value::Int(x)),
                    _ => {
                        let syms: Option<Vec<_>> = f
                            .body_region
                            .iter()
                            .map(|(n, _)| rules.program.symbols.get(n))
                            .collect();
                        syms.filter(|s| !s.is_empty())
                            .map(|s| Value::List(s.into_boxed_slice()))
                    }
                };
                let slot = rules
                    .program
                    .schema
                    .lookup(&format!("request.{key}"))
                    .map(|f| f.slot as usize);
                let written = slot.and_then(|s| loaded.facts.get(s));
                // Left out where the text gives what the case wrote: a
                // value the text gives otherwise (hours where the case
                // counts visits) is the case's to write.
                let gives = read.is_some() && (key == "treatment" || written == read.as_ref());
                // The first key of a block entry carries the `- `.
                if gives && i > 0 {
                    cuts.push(cut(&text, item, k, v));
                }
            }
        }
        if cuts.is_empty() {
            continue;
        }
        cuts.sort();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (a, b) in &cuts {
            out.push_str(&text[at..*a]);
            at = *b;
        }
        out.push_str(&text[at..]);
        let lean = match load_yaml(&rules.program, &name, &out) {
            Ok(c) => c,
            Err(e) => panic!("{name} with the fields its text gives left out does not load: {e}\n{out}"),
        };
        stripped += 1;
        fields_left_out += cuts.len();
        assert_eq!(lean.requests.len(), case.requests.len(), "{name}");
        let full = decide_case(&rules, &mut machine, &case);
        let short = decide_case(&rules, &mut machine, &lean);
        for ((a, b), (x, y)) in case.requests.iter().zip(&lean.requests).zip(full.iter().zip(&short)) {
            // Where a field was left out, the text gives the value the case
            // wrote; where the case disagreed with the text in a way that
            // is not a contradiction (hours against visits), the left-out
            // field would be the text's: those are not left out above.
            if a.facts != b.facts || a.treatment != b.treatment {
                let differ: Vec<String> = a
                    .facts
                    .iter()
                    .zip(&b.facts)
                    .enumerate()
                    .filter(|(_, (p, q))| p != q)
                    .map(|(i, (p, q))| format!("slot {i}: {p:?} / {q:?}"))
                    .collect();
                panic!(
                    "{name}: request `{}` reads other facts from its text alone: {differ:?}\n{out}",
                    a.id
                );
            }
            assert_eq!(
                format!("{x:?}"),
                format!("{y:?}"),
                "{name}: request `{}` decides otherwise",
                a.id
            );
        }
    }
    // The property is over the real data, not a handful: most shipped
    // cases have lines the reader names.
    assert!(cases >= 800, "{cases} cases loaded");
    assert!(stripped >= 500, "{stripped} cases stripped of {fields_left_out} fields");
    assert!(fields_left_out >= 1000, "{fields_left_out} fields left out");
}

/// Through the binary, as a user runs it: a case whose request is only
/// its line decides exactly as the same case with the fields written out.
#[test]
fn a_text_only_request_is_checked_like_the_written_out_one() {
    let short = common::mtus(&["check", "--color", "never", "tests/fixtures/text_only/norco.yaml"]);
    let long = common::mtus(&[
        "check",
        "--color",
        "never",
        "tests/fixtures/text_only/norco_explicit.yaml",
    ]);
    assert_eq!(short.status.code(), long.status.code(), "{}", common::stderr(&short));
    let short_out = common::stdout(&short);
    assert!(
        short_out.contains("treatment: hydrocodone_acetaminophen, requested 2016-03-01"),
        "{short_out}"
    );
    assert_eq!(
        short_out.replace("norco.yaml", "FILE"),
        common::stdout(&long).replace("norco_explicit.yaml", "FILE")
    );
}

/// A real treatment the catalog knows and no rule covers, named only by
/// the line, loads and is "no rule covers" it: not a typo, not a failure
/// to load.
#[test]
fn a_text_only_request_no_rule_covers_is_undecided_not_a_typo() {
    let o = common::mtus(&["check", "--color", "never", "tests/fixtures/text_only/brace.yaml"]);
    let out = common::stdout(&o) + &common::stderr(&o);
    assert!(out.contains("treatment: brace, requested 2016-03-01"), "{out}");
    assert!(out.contains("no rule covers brace"), "{out}");
    assert!(!out.contains("did you mean"), "{out}");
    assert!(
        !out.contains("could not be read") && !out.contains("missing-field"),
        "{out}"
    );
}
