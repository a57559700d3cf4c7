//! `mtus lint` on the shipped rules, with --deny-warnings, as JSON, and on
//! rules that do not check.

use crate::common;

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
    assert_eq!(common::stderr(&o), "rules: files given (sha256 [hash])\nno warnings\n");
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
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&o)).expect("JSON");
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

/// Many rules deciding the same treatment: one `overlapping-rules`
/// warning per rule (naming the first earlier one and counting the
/// others), not one per pair, so the output grows linearly.
#[test]
fn overlapping_rules_grow_with_the_rules_not_the_pairs() {
    let head = std::fs::read_to_string("tests/fixtures/lint/overlapping_rules.mtus").expect("fixture");
    // The fixture's declarations, without its rules.
    let decls = &head[..head.find("\nrule ").expect("a rule")];
    let n = 60;
    let mut text = decls.to_string();
    for i in 0..n {
        text.push_str(&format!(
            "\nrule r{i} \"Rule {i}\"\n  cites S \"Massage\" p. 1\n  applies to massage_therapy\n\n  require spasm \"Muscle spasm is found on examination\"\n    exam.spasm\n"
        ));
    }
    let dir = std::env::temp_dir().join(format!("mtus-lint-many-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("many.mtus");
    std::fs::write(&file, text).expect("write");
    let o = common::mtus(&["lint", "--no-cases", "--format", "json", &file.display().to_string()]);
    let doc: serde_json::Value = serde_json::from_str(&common::stdout(&o)).expect("JSON");
    let diags = doc["diagnostics"].as_array().cloned().unwrap_or_default();
    let overlaps: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "overlapping-rules")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(
        overlaps.len(),
        n - 1,
        "one per rule after the first, not {} pairs",
        n * (n - 1) / 2
    );
    assert!(
        overlaps[0].starts_with("rules `r0` and `r1` both decide"),
        "{}",
        overlaps[0]
    );
    assert!(!overlaps[0].contains("other rule"), "{}", overlaps[0]);
    let last = overlaps[n - 2];
    assert!(last.starts_with("rules `r0` and `r59`"), "{last}");
    assert!(
        last.ends_with("(and so do 58 other rule(s) declared before it)"),
        "{last}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
