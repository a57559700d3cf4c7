//! The shipped library is consistent with its own declarations: every
//! value in every shipped case (and in the fixtures meant to load) is one
//! its fact allows, within its fact's range, and every request's quantity
//! and strength are in units its treatment allows. The case loader enforces
//! these declarations; this test proves the shipped cases meet them, and
//! that the check itself catches a value that does not.

use crate::common;

use mtus::check::{FactType, Program, Scope};
use mtus::facts::{Case, load_yaml};
use mtus::value::{Dim, Value};

/// Every way `case` breaks its facts' declarations, one line each.
fn problems(p: &Program, case: &Case) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |scope: Scope, values: &[Value], whose: &str| {
        for f in p.schema.facts.iter().filter(|f| f.scope == scope) {
            let Some(v) = values.get(f.slot as usize) else {
                continue;
            };
            let name = format!("{whose}{}", f.path);
            let allowed = |s: &mtus::value::Sym| f.allowed.as_ref().is_none_or(|a| a.contains(s));
            let number = match v {
                Value::Sym(s) if f.ty != FactType::Treatment && !allowed(s) => {
                    out.push(format!("{name}: `{}` is not one of its values", case.sym_name(p, *s)));
                    None
                }
                Value::List(l) => {
                    for s in l.iter().filter(|s| !allowed(s)) {
                        out.push(format!("{name}: `{}` is not one of its values", case.sym_name(p, *s)));
                    }
                    None
                }
                Value::Int(i) => Some(*i as f64),
                Value::Num(n) => Some(*n),
                Value::Qty(q) => Some(q.base()),
                _ => None,
            };
            if let Some(x) = number {
                let in_range = match f.range {
                    Some(r) => r.contains(x),
                    None => x.is_finite() && x >= 0.0,
                };
                if !in_range {
                    out.push(format!("{name}: {x} is outside its range {:?}", f.range));
                }
            }
        }
    };
    check(Scope::Case, &case.facts, "");
    for (t, record) in &case.history {
        let name = &p.catalog.treatment(*t).name;
        check(Scope::History, record, &format!("history.{name}: "));
    }
    for r in &case.requests {
        check(Scope::Request, &r.facts, &format!("request {}: ", r.id));
    }
    for d in &case.diagnoses {
        let tags = p.schema.lookup("diagnoses.tags").and_then(|f| f.allowed.as_ref());
        for t in &d.tags {
            if tags.is_some_and(|a| !a.contains(t)) {
                out.push(format!(
                    "diagnosis tag `{}` is not one of its values",
                    case.sym_name(p, *t)
                ));
            }
        }
    }
    let slot = |path: &str| p.schema.lookup(path).map(|f| f.slot as usize);
    for r in &case.requests {
        let t = p.catalog.treatment(r.treatment);
        for (path, dims) in [
            ("request.quantity", &t.quantity_dims),
            ("request.strength", &t.strength_dims),
        ] {
            let Some(Value::Qty(q)) = slot(path).and_then(|s| r.facts.get(s)) else {
                continue;
            };
            if !dims.is_empty() && !dims.contains(&q.dim()) {
                let fits: Vec<&str> = dims.iter().map(|d: &Dim| d.name()).collect();
                out.push(format!(
                    "request {}: {path} `{q}` does not fit {} ({})",
                    r.id,
                    t.name,
                    fits.join(", ")
                ));
            }
        }
    }
    out
}

fn yaml_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(common::root().join(dir))
        .expect("read dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_case_meets_the_declared_vocabularies_ranges_and_units() {
    let (_, rules) = common::shipped_rules();
    let p = &rules.program;
    let mut files = yaml_files("cases");
    files.extend(yaml_files("tests/fixtures/heldout"));
    files.push(common::root().join("tests/fixtures/every_fact.yaml"));
    assert!(files.len() > 300, "{}", files.len());
    let mut all = Vec::new();
    for path in &files {
        let name = common::rel(path);
        let text = std::fs::read_to_string(path).expect("read case");
        let case = load_yaml(p, &name, &text).unwrap_or_else(|e| panic!("{name}: {e}"));
        all.extend(problems(p, &case).into_iter().map(|x| format!("{name}: {x}")));
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}

/// The test's own check (`problems`) and the loader agree: what the
/// declarations forbid, the loader refuses, each mistake located.
#[test]
fn the_loader_refuses_what_the_declarations_forbid() {
    let (_, rules) = common::shipped_rules();
    let p = &rules.program;
    let text = "case: wrong\nrequests:\n  - id: m\n    treatment: massage_therapy\n    date: 2015-06-01\n    quantity: 6 mg\n    per_week: 40\n  - id: c\n    treatment: capsaicin\n    date: 2015-06-01\n    strength: 6 visit\n";
    let errors = match load_yaml(p, "wrong.yaml", text) {
        Ok(_) => panic!("a case the declarations forbid loaded"),
        Err(e) => e,
    };
    let lines: Vec<String> = errors.to_string().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines[0].starts_with("wrong.yaml:6:15:"), "{lines:#?}");
    assert!(lines[0].contains("massage_therapy"), "{lines:#?}");
    assert!(lines[1].starts_with("wrong.yaml:7:15:"), "{lines:#?}");
    assert!(lines[1].contains("per_week"), "{lines:#?}");
    assert!(lines[2].starts_with("wrong.yaml:11:15:"), "{lines:#?}");
    assert!(lines[2].contains("capsaicin"), "{lines:#?}");
}

#[test]
fn declarations_reach_the_model() {
    let (_, rules) = common::shipped_rules();
    let p = &rules.program;
    let fact = |path: &str| p.schema.lookup(path).unwrap_or_else(|| panic!("{path}"));
    // Scores and percents keep their built-in ranges; a declared one is kept
    // in the base unit (days for durations).
    assert_eq!(fact("pain.current").range.map(|r| (r.min, r.max)), Some((0.0, 10.0)));
    assert_eq!(
        fact("history.*.pain_relief").range.map(|r| (r.min, r.max)),
        Some((0.0, 100.0))
    );
    assert_eq!(
        fact("request.per_week").range.map(|r| (r.min, r.max)),
        Some((0.0, 21.0))
    );
    assert_eq!(fact("course.pain_duration").range.map(|r| r.max), Some(100.0 * 365.25));
    // Every symbol fact but the loader-derived list of requested
    // treatments is closed.
    for f in &p.schema.facts {
        if matches!(f.ty, FactType::Symbol | FactType::SymbolList) && f.path != "requests.treatments" {
            assert!(f.allowed.is_some(), "{} is open", f.path);
        }
    }
    // medications.current allows every catalog treatment as well.
    let meds = fact("medications.current").allowed.as_ref().expect("closed");
    assert!(p.catalog.treatments.iter().all(|t| meds.contains(&t.sym)));
    // A class's units reach its members; a treatment's own replace them.
    let t = |name: &str| p.catalog.treatment(p.catalog.treatment_named(name).expect(name));
    assert_eq!(t("massage_therapy").quantity_dims, vec![Dim::Visit]);
    assert_eq!(
        t("functional_restoration_program").quantity_dims,
        vec![Dim::Visit, Dim::Time]
    );
    assert_eq!(t("fentanyl").strength_dims, vec![Dim::Mass, Dim::DoseRate]);
    assert_eq!(t("capsaicin").strength_dims, vec![Dim::Mass, Dim::Concentration]);
    assert_eq!(t("capsaicin").quantity_dims, vec![Dim::Tablet, Dim::Item, Dim::Mass]);
}

#[test]
fn an_extension_in_another_file_adds_a_value_the_loader_accepts() {
    let case = "case: ext\ndiagnoses:\n  - text: whiplash\n    tags: [whiplash]\nrequests:\n  - id: m\n    treatment: massage_therapy\n    date: 2015-06-01\n";
    let (_, shipped) = common::shipped_rules();
    let err = load_yaml(&shipped.program, "ext.yaml", case).expect_err("whiplash is not a shipped tag");
    assert!(err.to_string().contains("whiplash"), "{err}");
    let mut sm = mtus::diag::SourceMap::new();
    let mut files: Vec<(&str, &str)> = mtus::embedded::FILES.to_vec();
    files.push(("extra.mtus", "extend fact diagnoses.tags with [whiplash]\n"));
    let rules = mtus::RuleSet::from_texts(&mut sm, files).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let loaded = load_yaml(&rules.program, "ext.yaml", case).unwrap_or_else(|e| panic!("{e}"));
    assert!(problems(&rules.program, &loaded).is_empty());
}

#[test]
fn generated_cases_meet_the_declarations_too() {
    let (_, rules) = common::shipped_rules();
    let p = &rules.program;
    let generator = mtus::generate::Generator::new(&rules, 7).unwrap_or_else(|e| panic!("{e}"));
    let mut m = mtus::eval::Machine::new();
    let mut all = Vec::new();
    for i in 0..400 {
        let g = generator.case(i, &mut m).unwrap_or_else(|e| panic!("{e}"));
        let case = load_yaml(p, &g.id, &g.to_yaml()).unwrap_or_else(|e| panic!("{}: {e}", g.id));
        all.extend(problems(p, &case).into_iter().map(|x| format!("{}: {x}", g.id)));
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}
