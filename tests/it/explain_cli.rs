//! `mtus explain` through the binary: golden text and JSON, and the
//! errors for a request or criterion that is not there. The values in
//! the first two snapshots were checked by hand against the case files
//! (see the comments); `tests/explain.rs` checks every shipped case
//! against the trace.

use crate::common;

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let o = common::mtus(args);
    (o.status.code(), common::stdout(&o), common::stderr(&o))
}

/// seed-000, request `massage`, `visit_limit`: the history entry says
/// `received: true` (line 23) and no `visits`, the request asks `6 visit`
/// (line 48), the limit is 6 visit. So the `when` holds, `prior.visits +
/// request.quantity` is unknown and so is the comparison: not documented,
/// as the trace says. (The `else` branch, 6 <= 6, is true but not taken.)
#[test]
fn one_criterion_as_text() {
    let (code, out, err) = run(&["explain", "cases/seed-000.yaml", "massage", "visit_limit"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("status: not documented\n"), "{out}");
    assert!(out.contains("history.massage_therapy.received = true\n        cases/seed-000.yaml:23:5: received: true"));
    assert!(out.contains("request.quantity = 6 visit\n        cases/seed-000.yaml:48:5: quantity: 6 visit"));
    insta::assert_snapshot!(out);
}

/// The last urine screen was 2015-05-12; one month (30.4375 days, rounded
/// to 30) later is 2015-06-11, after the request date 2015-05-26, so the
/// high-risk interval is not met: the date arithmetic as shown.
#[test]
fn date_arithmetic_is_shown() {
    let (code, out, err) = run(&[
        "explain",
        "cases/uds-high-risk-too-soon.yaml",
        "uds",
        "urine_drug_screen_odg_frequency.high_risk_frequency",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("drug_screens.last_date + uds_high_risk_interval = 2015-06-11\n"),
        "{out}"
    );
    assert!(out.contains("status: not met\n"), "{out}");
    insta::assert_snapshot!(out);
}

/// A request given by brand name (`Flexeril`) and a history entry that
/// says `received: false`: every criterion of the rules that decide it.
#[test]
fn every_criterion_of_a_brand_name_request() {
    let (code, out, err) = run(&[
        "explain",
        "cases/cyclobenzaprine-duration-undocumented.yaml",
        "flexeril",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("treatment: Flexeril"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn json() {
    let (code, out, err) = run(&[
        "explain",
        "--format",
        "json",
        "cases/seed-000.yaml",
        "massage",
        "massage_therapy.prior_course_benefit",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["criteria"][0]["status"], "not_met");
    assert_eq!(v["criteria"][0]["value"], "false");
    insta::assert_json_snapshot!(v);
}

#[test]
fn an_unknown_request_names_the_requests_there_are() {
    let (code, out, err) = run(&["explain", "cases/seed-000.yaml", "masage"]);
    assert_eq!(code, Some(1));
    assert_eq!(out, "");
    insta::assert_snapshot!(err);
}

#[test]
fn an_unknown_criterion_names_the_criteria_there_are() {
    let (code, out, err) = run(&["explain", "cases/seed-000.yaml", "massage", "visit_limt"]);
    assert_eq!(code, Some(1));
    assert_eq!(out, "");
    insta::assert_snapshot!(err);
}

#[test]
fn a_case_file_with_mistakes_is_not_explained() {
    let (code, out, err) = run(&["explain", "tests/fixtures/bad_cases/decision_problems.yaml", "x"]);
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(out, "");
    assert!(err.contains("error["), "{err}");
    assert!(err.contains("decision_problems.yaml:"), "{err}");
    assert!(
        err.contains("the case file could not be read; nothing was explained"),
        "{err}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Two rules of one request with a criterion of the same name: the name
/// alone is ambiguous, and the error says how to name each.
#[test]
fn a_name_two_rules_share_must_be_named_with_its_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules");
    copy_dir(&common::root().join("rules"), &rules);
    let extra = "\nrule massage_extra \"Massage, a second limit (test only)\"\n  cites ODG \"Neck and Upper Back, Massage\"\n  applies to massage_therapy\n  supplements massage_therapy\n\n  require visit_limit \"No more than 10 visits requested (test only)\"\n    request.quantity <= 10 visit\n";
    let mut text = std::fs::read_to_string(rules.join("massage.mtus")).expect("read");
    text.push_str(extra);
    std::fs::write(rules.join("massage.mtus"), text).expect("write");
    let r = rules.display().to_string();
    let (code, out, err) = run(&[
        "--rules",
        &r,
        "explain",
        "cases/seed-000.yaml",
        "massage",
        "visit_limit",
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        err,
        "error[ambiguous-criterion]: criterion `visit_limit` is in more than one rule applied to request `massage`\n = help: name it with its rule: massage_therapy.visit_limit, massage_extra.visit_limit\n\n"
    );
    let (code, out, err) = run(&[
        "--rules",
        &r,
        "explain",
        "cases/seed-000.yaml",
        "massage",
        "massage_extra.visit_limit",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("criterion massage_extra.visit_limit (require; rule massage_extra supplements)\n"),
        "{out}"
    );
    assert!(out.contains("request.quantity <= 10 visit = true\n"), "{out}");
    assert!(out.contains("  status: met\n"), "{out}");
}

/// A request no rule is in force for is placed in the case file, as
/// `check` places it, and nothing is explained.
#[test]
fn an_undecided_request_is_located() {
    let (code, out, err) = run(&["explain", "tests/fixtures/eval_errors/undecided.yaml", "tramadol"]);
    assert_eq!(code, Some(1));
    assert_eq!(out, "");
    insta::assert_snapshot!(err);
}
