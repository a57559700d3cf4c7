//! `mtus test`: case files as tests, with `because:`, and coverage; on a
//! small rule set of its own (tests/fixtures/casetest), so the snapshots
//! do not move with the shipped rules. And the shipped cases must pass.

use crate::common;

const RULES: &str = "tests/fixtures/casetest/rules";
const CASES: &str = "tests/fixtures/casetest/cases";

#[test]
fn a_line_per_case_then_the_summary_and_every_failure_with_its_place() {
    let o = common::mtus(&["--rules", RULES, "test", CASES]);
    assert_eq!(o.status.code(), Some(1), "a failure fails the run");
    let out = common::stdout(&o);
    assert!(
        out.ends_with("\n2 passed, 4 failed, 1 skipped (no determination)\n"),
        "{out}"
    );
    insta::assert_snapshot!("test_stdout", out);
    insta::assert_snapshot!("test_stderr", common::stderr(&o));
}

#[test]
fn coverage_per_rule_and_criterion() {
    let o = common::mtus(&["--rules", RULES, "test", "--coverage", CASES]);
    assert_eq!(o.status.code(), Some(1));
    let out = common::stdout(&o);
    let cov = &out[out.find("coverage:").expect("coverage")..];
    insta::assert_snapshot!(cov);
}

#[test]
fn json_results_summary_and_diagnostics() {
    let o = common::mtus(&["--rules", RULES, "test", "--coverage", "--format", "json", CASES]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&o)).expect("JSON");
    assert_eq!(v["summary"]["passed"], 2);
    assert_eq!(v["summary"]["failed"], 4);
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(4));
    insta::assert_json_snapshot!(v);
}

#[test]
fn passing_cases_exit_zero() {
    let o = common::mtus(&[
        "--rules",
        RULES,
        "test",
        "tests/fixtures/casetest/cases/a-passes.yaml",
        "tests/fixtures/casetest/cases/b-because.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(common::stdout(&o).ends_with("\n2 passed, 0 failed\n"));
    assert_eq!(common::stderr(&o), "");
}

#[test]
fn every_shipped_case_passes() {
    let files = common::shipped_case_files();
    let mut args = vec!["test"];
    args.extend(files.iter().map(String::as_str));
    let o = common::mtus(&args);
    let out = common::stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", common::stderr(&o));
    assert!(out.trim_end().ends_with(" passed, 0 failed"), "{out}");
}
