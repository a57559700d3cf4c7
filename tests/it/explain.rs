//! `mtus explain`: its walk agrees with `check`'s trace on every shipped
//! case, every documented fact it shows is placed on a line of the case
//! file that writes it, and aliases (brand names, history keyed by a
//! brand, `prior.`) are found. The CLI's output is in
//! `tests/explain_cli.rs`.

use crate::common;

use std::path::{Path, PathBuf};

use mtus::RuleSet;
use mtus::diag::SourceMap;
use mtus::eval::{Machine, decide_case};
use mtus::facts::{load_json, load_yaml};
use mtus::report::explain::{ExplainError, Explanation, Query, explain};

fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            case_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "json") {
            out.push(p);
        }
    }
}

/// Explain every request of a case file (every criterion), with its
/// decisions, checking each against the trace.
fn explain_all(name: &str, text: &str, json: bool) -> (usize, Vec<Explanation>) {
    static RULES: std::sync::OnceLock<(SourceMap, RuleSet)> = std::sync::OnceLock::new();
    let (sources, rules) = RULES.get_or_init(common::shipped_rules);
    let case = if json {
        load_json(&rules.program, name, text)
    } else {
        load_yaml(&rules.program, name, text)
    }
    .unwrap_or_else(|e| panic!("{e}"));
    let decisions = decide_case(rules, &mut Machine::new(), &case);
    let mut checked = 0;
    let mut out = Vec::new();
    for (i, d) in decisions.iter().enumerate() {
        let q = Query {
            file: name,
            text,
            json,
            request: &case.requests[i].id,
            criterion: None,
        };
        let x = explain(rules, sources, &case, &q);
        let d = match d {
            Ok(d) => d,
            Err(_) => {
                assert!(matches!(x, Err(ExplainError::Undecided { .. })), "{name}");
                continue;
            }
        };
        let x = x.unwrap_or_else(|e| panic!("{name}: {e}"));
        // The trace's criteria, in its order, with its statuses.
        let trace: Vec<(String, mtus::eval::Status)> = d
            .rules
            .iter()
            .flat_map(|rr| {
                let rule = rules.program.rule(rr.rule);
                rr.statuses
                    .iter()
                    .enumerate()
                    .map(move |(ci, s)| (format!("{}.{}", rule.name, rule.criteria[ci].name), *s))
            })
            .collect();
        let shown: Vec<(String, mtus::eval::Status)> = x.criteria.iter().map(|c| (c.id.clone(), c.status)).collect();
        assert_eq!(shown, trace, "{name} request {}", x.request);
        for c in &x.criteria {
            // The walk's own status is the trace's.
            assert_eq!(c.explained_status, c.status, "{name} {} {}", x.request, c.id);
            // And the tree's top value is the value the status comes from.
            if let Some(t) = &c.tree {
                assert_eq!(t.truth, Some(c.value), "{name} {}", c.id);
            }
            for f in &c.facts {
                // Not documented, the stand-in of a treatment with no
                // history entry, or a list gathered from nothing (no
                // diagnosis has tags): nothing to place.
                let gathered_from_nothing = f.value.as_array().is_some_and(Vec::is_empty);
                if f.value.is_null() || f.note == Some("no history entry") || gathered_from_nothing {
                    continue;
                }
                assert_eq!(f.note, None, "{name} {}: {} = {}", c.id, f.fact, f.shown);
                // A documented fact was read from the file: it is placed
                // on a line that writes its key (or, for `received` read
                // from an entry that does not say it, the entry's line).
                assert!(
                    !f.places.is_empty(),
                    "{name} {} {}: {} has no place",
                    x.request,
                    c.id,
                    f.fact
                );
                let last = f.fact.rsplit('.').next().unwrap_or(&f.fact);
                for p in &f.places {
                    assert!(p.line >= 1 && p.column >= 1);
                    assert!(
                        p.text.contains(last)
                            || last == "received"
                            || (last == "treatments" && p.text.contains("treatment"))
                            // worked out from the drug, strength, quantity and supply
                            || (last == "med_per_day" && p.text.contains("strength"))
                            // given by the request's line as written
                            || p.text.contains("text:"),
                        "{name} {}: {} placed at `{}`",
                        c.id,
                        f.fact,
                        p.text
                    );
                }
            }
            checked += 1;
        }
        out.push(x);
    }
    (checked, out)
}

#[test]
fn explain_agrees_with_the_trace_on_every_shipped_case() {
    let mut files = Vec::new();
    case_files(&common::root().join("cases"), &mut files);
    case_files(&common::root().join("tests/fixtures/heldout"), &mut files);
    assert!(files.len() > 300, "{} case files", files.len());
    let mut criteria = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read case");
        let json = path.extension().is_some_and(|x| x == "json");
        criteria += explain_all(&common::rel(path), &text, json).0;
    }
    // Every shipped case explained, criterion by criterion.
    assert!(criteria > 3000, "{criteria} criteria explained");
}

const ALIASES: &str = "\
case: aliases
history:
  Flexeril: { received: true, duration: 4 week }
  physical_therapy: { visits: 6 }
medications:
  current: [Flexeril]
diagnoses:
  - text: lumbar strain
    tags: [lumbar_strain]
requests:
  - id: first
    treatment: naproxen
    date: 2015-05-06
  - id: muscle
    treatment: Flexeril
    quantity: 30 tablet
    intent: chronic
    date: 2015-05-06
";

fn criterion<'a>(x: &'a Explanation, id: &str) -> &'a mtus::report::explain::CriterionExplained {
    x.criteria
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", x.criteria.iter().map(|c| &c.id).collect::<Vec<_>>()))
}

#[test]
fn aliases_are_placed_where_the_file_writes_them() {
    let (_, xs) = explain_all("aliases.yaml", ALIASES, false);
    let x = xs.iter().find(|x| x.request == "muscle").expect("muscle explained");
    assert_eq!(x.treatment, "cyclobenzaprine");
    let c = criterion(x, "muscle_relaxants.chronic_use_on_record");
    let fact = |name: &str| {
        c.facts
            .iter()
            .find(|f| f.fact == name)
            .unwrap_or_else(|| panic!("{name} not read: {:?}", c.facts))
    };
    // `prior.duration` of a request given by brand name, history keyed by
    // the brand name: line 3, under `Flexeril`.
    let d = fact("history.cyclobenzaprine.duration");
    assert_eq!(d.shown, "4 week");
    assert_eq!(
        (d.places[0].line, d.places[0].column, d.places[0].text.as_str()),
        (3, 31, "  Flexeril: { received: true, duration: 4 week }")
    );
    // `medications.current` written with the brand, read as the canonical name.
    let m = fact("medications.current");
    assert_eq!(m.shown, "[cyclobenzaprine]");
    assert_eq!((m.places[0].line, m.places[0].column), (6, 3));
    let t = fact("request.treatment");
    assert_eq!(t.shown, "cyclobenzaprine");
    assert_eq!(
        (t.places[0].line, t.places[0].text.as_str()),
        (15, "    treatment: Flexeril")
    );
    // Chronic use on record: taken now, for 4 weeks > 3 weeks: met (the
    // exclusion holds), so the criterion is not met.
    assert_eq!(c.value, "true");
    assert_eq!(c.status, mtus::eval::Status::NotMet);
}

#[test]
fn json_case_files_are_placed_too() {
    let json = r#"{
  "case": "json-aliases",
  "history": {"Flexeril": {"duration": "4 week"}},
  "requests": [
    {"id": "muscle", "treatment": "Flexeril", "quantity": "30 tablet", "date": "2015-05-06"}
  ]
}"#;
    let (_, xs) = explain_all("aliases.json", json, true);
    let x = &xs[0];
    let c = criterion(x, "cyclobenzaprine.short_course");
    let received = c
        .facts
        .iter()
        .find(|f| f.fact == "history.cyclobenzaprine.received")
        .expect("reads received");
    // Not written, but the entry exists: received, placed at the entry.
    assert_eq!(received.shown, "true");
    assert_eq!((received.places[0].line, received.places[0].column), (3, 15));
    let duration = c
        .facts
        .iter()
        .find(|f| f.fact == "history.cyclobenzaprine.duration")
        .expect("reads duration");
    assert_eq!((duration.places[0].line, duration.places[0].column), (3, 28));
}

#[test]
fn unknown_requests_and_criteria_name_what_there_is() {
    let (sources, rules) = common::shipped_rules();
    let case = load_yaml(&rules.program, "aliases.yaml", ALIASES).expect("loads");
    let mut q = Query {
        file: "aliases.yaml",
        text: ALIASES,
        json: false,
        request: "muscel",
        criterion: None,
    };
    let e = explain(&rules, &sources, &case, &q).expect_err("no such request");
    assert_eq!(e.code(), "unknown-request");
    assert_eq!(e.to_string(), "case `aliases` in aliases.yaml has no request `muscel`");
    assert_eq!(e.help(), "did you mean `muscle`? requests: first, muscle");
    q.request = "muscle";
    q.criterion = Some("chronic_uze");
    let e = explain(&rules, &sources, &case, &q).expect_err("no such criterion");
    assert_eq!(e.code(), "unknown-criterion");
    assert!(
        e.help().starts_with(
            "did you mean `muscle_relaxants.chronic_use`? criteria of this request: muscle_relaxants.spasm_on_exam,"
        ),
        "{}",
        e.help()
    );
    // By name alone or with the rule: the same criterion.
    q.criterion = Some("chronic_use");
    let a = explain(&rules, &sources, &case, &q).expect("by name");
    q.criterion = Some("muscle_relaxants.chronic_use");
    let b = explain(&rules, &sources, &case, &q).expect("by id");
    assert_eq!(a.criteria.len(), 1);
    assert_eq!(a.criteria[0].id, b.criteria[0].id);
    // A rule's name: its criteria, in order.
    q.criterion = Some("cyclobenzaprine");
    let r = explain(&rules, &sources, &case, &q).expect("by rule");
    let ids: Vec<&str> = r.criteria.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["cyclobenzaprine.short_course"]);
}

#[test]
fn a_byte_order_mark_does_not_move_the_places() {
    let text = format!("\u{feff}{ALIASES}");
    let (_, xs) = explain_all("bom.yaml", &text, false);
    let x = xs.iter().find(|x| x.request == "muscle").expect("muscle explained");
    let c = criterion(x, "muscle_relaxants.chronic_use");
    let intent = c
        .facts
        .iter()
        .find(|f| f.fact == "request.intent")
        .expect("reads intent");
    assert_eq!((intent.places[0].line, intent.places[0].column), (17, 5));
    assert_eq!(intent.places[0].text, "    intent: chronic");
}

#[test]
fn a_request_with_no_rule_in_force_is_not_explained() {
    let (sources, rules) = common::shipped_rules();
    let text = "case: old\nrequests:\n  - { id: m, treatment: massage_therapy, quantity: 6 visit, date: 1990-01-01 }\n";
    let case = load_yaml(&rules.program, "old.yaml", text).expect("loads");
    let q = Query {
        file: "old.yaml",
        text,
        json: false,
        request: "m",
        criterion: None,
    };
    let e = explain(&rules, &sources, &case, &q).expect_err("no rule in force");
    assert_eq!(e.code(), "undecided");
    assert!(e.to_string().starts_with("request `m` could not be decided: "), "{e}");
}

/// Cases no one wrote: generated ones (some with extreme numbers, some
/// dated when no rule is in force), in their JSON and YAML forms; every
/// criterion explained agrees with the trace, and every documented fact
/// is placed.
#[test]
fn explain_agrees_with_the_trace_on_generated_cases() {
    static RULES: std::sync::OnceLock<(SourceMap, RuleSet)> = std::sync::OnceLock::new();
    let (_, rules) = RULES.get_or_init(common::shipped_rules);
    let mut g = mtus::generate::Generator::new(rules, 20_261_203).expect("generator");
    g.options.any_date = 0.05;
    g.options.extremes = 0.1;
    let mut m = Machine::new();
    let mut criteria = 0;
    for k in 0..150 {
        let case = g.case(k, &mut m).expect("generate");
        let json = case.to_json();
        // An extreme case need not load: that is the loader's to say.
        if load_json(&rules.program, &case.id, &json).is_err() {
            continue;
        }
        criteria += explain_all(&format!("{}.json", case.id), &json, true).0;
        if k % 3 == 0 {
            criteria += explain_all(&format!("{}.yaml", case.id), &case.to_yaml(), false).0;
        }
    }
    // (the count moves with the catalog, which shapes the random stream:
    // 931 with the rules of the 2016 letters, over 1000 before them)
    assert!(criteria > 800, "{criteria} criteria explained");
}

/// `requests.treatments` is gathered from every request's `treatment:`,
/// written here as `UDS`.
#[test]
fn a_gathered_fact_is_placed_at_every_key_it_came_from() {
    let path = common::root().join("cases/uds-high-risk-too-soon.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    let (_, xs) = explain_all("uds.yaml", &text, false);
    let f = xs[0]
        .criteria
        .iter()
        .flat_map(|c| &c.facts)
        .find(|f| f.fact == "requests.treatments")
        .expect("a criterion reads requests.treatments");
    assert_eq!(f.shown, "[urine_drug_screen]");
    let at: Vec<(usize, usize, &str)> = f.places.iter().map(|p| (p.line, p.column, p.text.as_str())).collect();
    assert_eq!(at, [(16, 3, "  treatment: UDS")]);
}
