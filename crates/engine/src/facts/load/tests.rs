//! The loader against a small change of the shipped rules that closes
//! the vocabularies, declares ranges and fits units to treatments (so
//! these tests do not wait for the schema and catalog to do it).

use super::*;
use crate::RuleSet;
use crate::check::Range;
use crate::value::Dim;

fn rules() -> RuleSet {
    let mut sm = SourceMap::new();
    let mut rs = match RuleSet::embedded(&mut sm) {
        Ok(rs) => rs,
        Err(e) => panic!("{:?}", e.diagnostics.first()),
    };
    let p = &mut rs.program;
    let closes: [(&str, &[&str]); 3] = [
        (
            "course.first_line_tried",
            &["nsaid", "acetaminophen", "tricyclic", "snri", "anticonvulsant"],
        ),
        (
            "request.ingredients",
            &["ketoprofen", "lidocaine", "capsaicin", "menthol"],
        ),
        (
            "request.body_region",
            &["lumbar_spine", "cervical_spine", "right_knee", "left_knee"],
        ),
    ];
    for (path, names) in closes {
        let syms: Vec<_> = names.iter().map(|n| p.symbols.intern(n)).collect();
        let f = p.schema.facts.iter_mut().find(|f| f.path == path).expect(path);
        f.allowed = Some(syms);
    }
    for f in &mut p.schema.facts {
        if f.path == "request.per_week" {
            f.range = Some(Range { min: 0.0, max: 21.0 });
        }
        if f.path == "history.*.visits" {
            f.range = Some(Range { min: 0.0, max: 500.0 });
        }
    }
    for t in &mut p.catalog.treatments {
        if t.name == "massage_therapy" {
            t.quantity_dims = vec![Dim::Visit];
        }
        if t.name == "capsaicin" {
            t.strength_dims = vec![Dim::Concentration];
        }
    }
    rs
}

const REQUEST: &str = "requests:\n  - { id: m, treatment: massage_therapy, quantity: 6 visit, date: 2015-06-01 }\n";

/// The codes of the diagnostics, in order, and the text each points at.
fn errors(rs: &RuleSet, text: &str) -> Vec<(&'static str, String)> {
    match load_yaml(&rs.program, "t.yaml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e
            .diagnostics
            .iter()
            .map(|d| {
                let s = d.span.expect("located");
                (d.code, text[s.start as usize..s.end as usize].to_string())
            })
            .collect(),
    }
}

fn help(rs: &RuleSet, text: &str) -> String {
    let e = load_yaml(&rs.program, "t.yaml", text).expect_err("rejected");
    e.diagnostics[0].help.clone().unwrap_or_default()
}

#[test]
fn closed_lists_suggest_the_value_meant() {
    let rs = rules();
    let text = format!("case: x\ncourse:\n  first_line_tried: [nsaids, snri]\n{REQUEST}");
    assert_eq!(errors(&rs, &text), [("unknown-value", "nsaids".to_string())]);
    assert!(
        help(&rs, &text).starts_with("did you mean `nsaid`?"),
        "{}",
        help(&rs, &text)
    );

    let text = "case: x\nrequests:\n  - id: t\n    treatment: topical_compound\n    ingredients: [ketoprofin, lidocaine]\n    body_region: [lumbar_spien, rigth_knee]\n    date: 2015-06-01\n";
    assert_eq!(
        errors(&rs, text),
        [
            ("unknown-value", "ketoprofin".to_string()),
            ("unknown-value", "lumbar_spien".to_string()),
            ("unknown-value", "rigth_knee".to_string()),
        ]
    );
    let e = load_yaml(&rs.program, "t.yaml", text).expect_err("rejected");
    let helps: Vec<&str> = e.diagnostics.iter().filter_map(|d| d.help.as_deref()).collect();
    assert!(helps[0].starts_with("did you mean `ketoprofen`?"));
    assert!(helps[1].starts_with("did you mean `lumbar_spine`?"));
    assert!(helps[2].starts_with("did you mean `right_knee`?"));
    // A value of the set loads.
    let ok =
        "case: x\nrequests:\n  - { id: t, treatment: topical_compound, ingredients: [ketoprofen], date: 2015-06-01 }\n";
    assert!(load_yaml(&rs.program, "t.yaml", ok).is_ok());
}

#[test]
fn quantities_must_fit_the_treatment() {
    let rs = rules();
    let massage = |q: &str| {
        format!("case: x\nrequests:\n  - {{ id: m, treatment: massage_therapy, quantity: {q}, date: 2015-06-01 }}\n")
    };
    assert_eq!(errors(&rs, &massage("6 mg")), [("unit-mismatch", "6 mg".to_string())]);
    assert_eq!(
        errors(&rs, &massage("4 week")),
        [("unit-mismatch", "4 week".to_string())]
    );
    assert!(help(&rs, &massage("6 mg")).contains("visit"));
    assert!(load_yaml(&rs.program, "t.yaml", &massage("6 session")).is_ok());
    let capsaicin = "case: x\nrequests:\n  - { id: c, treatment: capsaicin, strength: 5 mg, date: 2015-06-01 }\n";
    assert_eq!(errors(&rs, capsaicin), [("unit-mismatch", "5 mg".to_string())]);
    let ok = "case: x\nrequests:\n  - { id: c, treatment: capsaicin, strength: 0.025 percent, date: 2015-06-01 }\n";
    assert!(load_yaml(&rs.program, "t.yaml", ok).is_ok());
}

#[test]
fn declared_ranges_and_finite_numbers() {
    let rs = rules();
    let pt = |w: &str| {
        format!("case: x\nrequests:\n  - {{ id: p, treatment: physical_therapy, per_week: {w}, date: 2015-06-01 }}\n")
    };
    assert_eq!(errors(&rs, &pt("30")), [("out-of-range", "30".to_string())]);
    assert!(help(&rs, &pt("30")).contains("from 0 to 21"));
    assert_eq!(errors(&rs, &pt(".inf")), [("bad-number", ".inf".to_string())]);
    assert_eq!(errors(&rs, &pt(".nan")), [("bad-number", ".nan".to_string())]);
    assert_eq!(errors(&rs, &pt("1e400")), [("bad-number", "1e400".to_string())]);
    assert!(load_yaml(&rs.program, "t.yaml", &pt("3")).is_ok());
    // A quantity's range is in its base unit: 600 visits is too many.
    let h = |v: &str| format!("case: x\nhistory:\n  massage_therapy: {{ visits: {v} }}\n{REQUEST}");
    assert_eq!(
        errors(&rs, &h("600 visit")),
        [("out-of-range", "600 visit".to_string())]
    );
    assert_eq!(errors(&rs, &h("-3")), [("out-of-range", "-3".to_string())]);
    let big = format!("{} visit", "9".repeat(400));
    assert_eq!(errors(&rs, &h(&big)), [("bad-quantity", big.clone())]);
    assert_eq!(
        errors(&rs, &h("1e308 visit")),
        [("out-of-range", "1e308 visit".to_string())]
    );
}

#[test]
fn every_mistake_is_reported_in_order() {
    let rs = rules();
    let text = "case: x\nexam:\n  spasm: true\npain:\n  worst: 12\n  type: burning\ncourse:\n  first_line_tried: [nsaids]\nrequests:\n  - { id: m, treatment: massage_therapy, quantity: 6 mg, date: 2015-02-30 }\n";
    let codes: Vec<&str> = errors(&rs, text).into_iter().map(|(c, _)| c).collect();
    assert_eq!(
        codes,
        [
            "unknown-field",
            "out-of-range",
            "unknown-value",
            "unknown-value",
            "unit-mismatch",
            "bad-date"
        ]
    );
}

#[test]
fn received_false_stands_alone() {
    let rs = rules();
    let text = format!("case: x\nhistory:\n  massage_therapy: {{ received: false, visits: 6 visit }}\n{REQUEST}");
    assert_eq!(errors(&rs, &text), [("received-false-with-facts", "false".to_string())]);
    let ok = format!("case: x\nhistory:\n  massage_therapy: {{ received: false }}\n{REQUEST}");
    assert!(load_yaml(&rs.program, "t.yaml", &ok).is_ok());
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let rs = rules();
    let text = format!("\u{feff}case: bom\n{REQUEST}");
    let case = load_yaml(&rs.program, "t.yaml", &text).expect("loads");
    assert_eq!(case.id, "bom");
    let json = "\u{feff}{\"case\":\"bom\",\"requests\":[{\"id\":\"m\",\"treatment\":\"massage_therapy\",\"date\":\"2015-06-01\"}]}";
    assert_eq!(load_json(&rs.program, "t.json", json).expect("loads").id, "bom");
}

#[test]
fn yaml_and_json_give_the_same_case_and_spans_point_at_values() {
    let rs = rules();
    let yaml = "case: x\nrequests:\n  - { id: m, treatment: massage_therapy, date: 2015-06-01 }\ndetermination:\n  decisions:\n    - { request: m, outcome: upheld, because: visit_limit }\n";
    let json = r#"{"case":"x","requests":[{"id":"m","treatment":"massage_therapy","date":"2015-06-01"}],"determination":{"decisions":[{"request":"m","outcome":"upheld","because":"visit_limit"}]}}"#;
    let a = load_yaml(&rs.program, "t.yaml", yaml).expect("yaml");
    let b = load_json(&rs.program, "t.json", json).expect("json");
    assert_eq!(a, b);
    let d = &a.determination.as_ref().expect("determination").decisions[0];
    let at = |s: Option<crate::diag::Span>| {
        let s = s.expect("span");
        &yaml[s.start as usize..s.end as usize]
    };
    assert_eq!(at(d.outcome_at), "upheld");
    assert_eq!(at(d.because_at), "visit_limit");
}

#[test]
fn hostile_documents_fail_fast_with_one_located_error() {
    let rs = rules();
    let loader = Loader::new(&rs.program);
    let yaml = format!("case: x\nexam: {}{}\n", "[".repeat(40_000), "]".repeat(40_000));
    let e = loader.load_yaml("t.yaml", &yaml).expect_err("too deep");
    assert_eq!(e.diagnostics.len(), 1);
    assert_eq!(e.diagnostics[0].code, "too-deep");
    let json = format!(
        "{{\"case\":\"x\",\"exam\":{}{}}}",
        "{\"a\":".repeat(40_000),
        "}".repeat(40_001)
    );
    let e = loader.load_json("t.json", &json).expect_err("too deep");
    assert_eq!(e.diagnostics.len(), 1);
    assert_eq!(e.diagnostics[0].code, "too-deep");
    let bomb = "a: &a [x, x]\nb: &b [*a, *a]\n";
    assert_eq!(
        loader.load_yaml("t.yaml", bomb).expect_err("alias").diagnostics[0].code,
        "yaml-aliases"
    );
    let small = Loader::with_limits(
        &rs.program,
        Limits {
            max_bytes: 10,
            ..Limits::default()
        },
    );
    assert_eq!(
        small.load_yaml("t.yaml", REQUEST).expect_err("size").diagnostics[0].code,
        "too-large"
    );
    assert_eq!(
        loader
            .load_yaml("t.yaml", "a: 1\n---\nb: 2\n")
            .expect_err("docs")
            .diagnostics[0]
            .code,
        "yaml-documents"
    );
}

#[test]
fn a_loader_is_shared_across_threads() {
    fn shared<T: Sync + Send>() {}
    shared::<Loader<'static>>();
}
