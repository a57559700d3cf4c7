//! Confidence in the rules (`confidence high|low ID`): decisions that rest
//! on a LOW criterion are provisional in every output, the fast path and
//! the reference interpreter agree on it, `mtus lint --low` lists the LOW
//! items. On a small rule set of its own (tests/fixtures/confidence), so
//! the snapshots do not move with the shipped rules.

use crate::common;

use mtus::RuleSet;
use mtus::diag::SourceMap;
use mtus::eval::fast::Plan;
use mtus::eval::{Machine, decide_case, reference};
use mtus::facts::load_yaml;

const RULES: &str = "tests/fixtures/confidence/rules";
const CASES: &str = "tests/fixtures/confidence/cases";

fn rules() -> RuleSet {
    let path = common::root().join(RULES).join("example.mtus");
    let text = std::fs::read_to_string(&path).expect("read rules");
    let mut sm = SourceMap::new();
    RuleSet::from_texts(&mut sm, [("example.mtus", text.as_str())]).unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
}

#[test]
fn provisional_and_settled_traces() {
    for name in ["provisional", "repeat-undocumented", "settled"] {
        let file = format!("{CASES}/{name}.yaml");
        let o = common::mtus(&["--rules", RULES, "check", &file]);
        let out = common::stdout(&o);
        insta::assert_snapshot!(format!("trace_{name}"), out);
    }
}

#[test]
fn what_each_decision_rests_on() {
    let rs = rules();
    let mut m = Machine::new();
    let plan = Plan::new(&rs);
    let mut verdicts = Vec::new();
    // (case, request, provisional?)
    let expect = [
        ("provisional", "too-many", true),      // not met: the LOW visit limit decides
        ("provisional", "within-limit", true),  // met: the LOW visit limit was met
        ("provisional", "with-massage", true),  // falls with a provisional decision
        ("repeat-undocumented", "again", true), // not documented: the LOW repeat criterion
        ("settled", "acupuncture-trial", false),
        ("settled", "acupuncture-too-many", false),
        ("settled", "massage-alone", false), // a HIGH criterion decides, before the LOW one
    ];
    for (case_name, request, provisional) in expect {
        let path = common::root().join(CASES).join(format!("{case_name}.yaml"));
        let text = std::fs::read_to_string(&path).expect("read case");
        let case = load_yaml(&rs.program, case_name, &text).unwrap_or_else(|e| panic!("{e}"));
        let i = case.requests.iter().position(|r| r.id == request).expect("request");
        let compiled = decide_case(&rs, &mut m, &case);
        let reference = reference::decide_case(&rs.program, &case);
        assert_eq!(compiled, reference, "{case_name}: compiled and reference differ");
        plan.decide_case(&rs, &mut m, &case, &mut verdicts);
        let d = compiled[i].as_ref().expect("decided");
        let v = verdicts[i].as_ref().expect("decided");
        assert_eq!(d.provisional.is_provisional(), provisional, "{case_name}/{request}");
        assert_eq!(v.provisional, provisional, "{case_name}/{request}: fast path");
        let first = d
            .provisional
            .criteria
            .first()
            .map(|&(ri, ci)| (d.rules[ri].rule, ci as u16));
        assert_eq!(first, v.low, "{case_name}/{request}: first LOW criterion");
    }
}

#[test]
fn json_says_what_a_provisional_decision_rests_on() {
    let o = common::mtus(&[
        "--rules",
        RULES,
        "check",
        "--format",
        "json",
        &format!("{CASES}/provisional.yaml"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let reqs = &v["cases"][0]["requests"];
    let p = &reqs[0]["provisional"];
    assert_eq!(p["rests_on"][0]["rule"], "massage");
    assert_eq!(p["rests_on"][0]["criterion"], "visit_limit");
    assert_eq!(p["rests_on"][0]["constants"][0]["name"], "massage_visit_limit");
    assert_eq!(p["rests_on"][0]["constants"][0]["value"], "12 visit");
    assert_eq!(p["rests_on"][0]["constants"][0]["ids"][0], "EX-2");
    assert_eq!(p["falls_with"], serde_json::Value::Null);
    assert_eq!(reqs[2]["provisional"]["falls_with"], "too-many");
    let crit = &reqs[0]["rules"][0]["criteria"];
    assert_eq!(crit[0]["confidence"], "high");
    assert_eq!(crit[1]["confidence"], "low");
    assert_eq!(crit[1]["low_reason"], "EX-2: massage_visit_limit = 12 visit");
    let o = common::mtus(&[
        "--rules",
        RULES,
        "check",
        "--format",
        "json",
        &format!("{CASES}/settled.yaml"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    for r in v["cases"][0]["requests"].as_array().expect("requests") {
        assert_eq!(r["provisional"], serde_json::Value::Null, "{r}");
    }
}

#[test]
fn audit_splits_agreement_by_confidence() {
    let o = common::mtus(&["--rules", RULES, "audit", CASES]);
    let out = common::stdout(&o);
    assert!(
        out.contains("  settled decisions: 3 decided; agreement 2/3 = 66.7%"),
        "{out}"
    );
    assert!(
        out.contains("  provisional decisions (resting on a LOW criterion): 4 decided; agreement 3/4 = 75.0%"),
        "{out}"
    );
    let o = common::mtus(&["--rules", RULES, "audit", "--format", "json", CASES]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let b = &v["by_confidence"];
    assert_eq!(b["settled"]["requests"], 3);
    assert_eq!(b["settled"]["agree"], 2);
    assert_eq!(b["provisional"]["requests"], 4);
    assert_eq!(b["provisional"]["disagree"], 1);
    let rows = v["requests"].as_array().expect("rows");
    assert_eq!(rows.iter().filter(|r| r["provisional"] == true).count(), 4);
    let o = common::mtus(&["--rules", RULES, "audit", "--format", "csv", CASES]);
    let out = common::stdout(&o);
    assert!(
        out.starts_with("kind,")
            && out
                .lines()
                .next()
                .is_some_and(|h| h.ends_with(",provisional,falls_with")),
        "{out}"
    );
    assert!(out.contains(",massage.visit_limit,S,mtus,,,,,true,\n"), "{out}");
    let o = common::mtus(&["--rules", RULES, "audit", "--format", "markdown", CASES]);
    assert!(common::stdout(&o).contains("**Provisional decisions** (resting on a LOW criterion): 4 of 7 decided"));
    let page = std::env::temp_dir().join(format!("mtus-confidence-{}.html", std::process::id()));
    let page_arg = page.display().to_string();
    let o = common::mtus(&["--rules", RULES, "audit", "--format", "csv", "--html", &page_arg, CASES]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let html = std::fs::read_to_string(&page).expect("page written");
    let _ = std::fs::remove_file(&page);
    assert!(
        html.contains(
            "<tr><td>provisional (resting on a LOW criterion)</td><td>4</td><td>4</td><td>3</td><td>75.0%</td>"
        ),
        "{html}"
    );
}

#[test]
fn lint_lists_low_items() {
    let o = common::mtus(&["lint", "--no-cases", "--low", RULES]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    insta::assert_snapshot!(common::stdout(&o));
}
