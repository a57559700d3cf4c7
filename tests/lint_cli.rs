//! `mtus lint` on the shipped rules, with --deny-warnings, as JSON, and on
//! rules that do not check.

mod common;

#[test]
fn the_shipped_rules_lint_without_errors() {
    let o = common::mtus(&["lint"]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("error["), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn deny_warnings_makes_warnings_fail() {
    let args = ["lint", "tests/fixtures/lint/unused_fact.mtus", "--no-cases"];
    assert_eq!(common::mtus(&args).status.code(), Some(0));
    let mut deny = args.to_vec();
    deny.push("--deny-warnings");
    assert_eq!(common::mtus(&deny).status.code(), Some(1));
    let silenced = [
        "lint",
        "tests/fixtures/lint/silenced.mtus",
        "--no-cases",
        "--deny-warnings",
    ];
    let o = common::mtus(&silenced);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert_eq!(common::stderr(&o), "no warnings\n");
}

#[test]
fn allow_turns_a_lint_off_for_the_run() {
    let o = common::mtus(&[
        "lint",
        "tests/fixtures/lint/unused_fact.mtus",
        "--no-cases",
        "--allow",
        "unused-fact",
        "--deny-warnings",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let o = common::mtus(&["lint", "--allow", "no-such-lint"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn json_diagnostics_for_editors() {
    let o = common::mtus(&[
        "lint",
        "--format",
        "json",
        "--no-cases",
        "tests/fixtures/lint/conflicting_numbers.mtus",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["warnings"], 1);
    assert_eq!(v["errors"], 0);
    insta::assert_json_snapshot!(v);
}

#[test]
fn rules_that_do_not_check_are_errors_and_all_are_reported() {
    let o = common::mtus(&[
        "lint",
        "--no-cases",
        "tests/fixtures/bad_rules/syntax_two_broken_rules.mtus",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = common::stderr(&o);
    assert!(err.matches("error[syntax]").count() >= 2, "{err}");
    assert!(err.ends_with("the rules were not linted\n"), "{err}");
}
