//! `--format sarif` and `--format github` for `mtus lint` and `mtus test`:
//! the SARIF log holds what the SARIF 2.1.0 schema requires of every
//! object written (checked by hand below), and each workflow command is
//! one line GitHub can read.

use crate::common;

use serde_json::Value;

const LINT_FIXTURE: &str = "tests/fixtures/lint_fix/massage.mtus";
const RULES: &str = "tests/fixtures/casetest/rules";
const CASES: &str = "tests/fixtures/casetest/cases";

fn is_pos_int(v: &Value) -> bool {
    v.as_u64().is_some_and(|n| n >= 1)
}

/// A region as SARIF requires it: 1-based lines and columns, an end that
/// does not come before the start.
fn check_region(r: &Value, at: &str) {
    for k in ["startLine", "startColumn", "endLine", "endColumn"] {
        assert!(is_pos_int(&r[k]), "{at}: region.{k} must be an integer >= 1: {r}");
    }
    let (sl, el) = (r["startLine"].as_u64(), r["endLine"].as_u64());
    assert!(el >= sl, "{at}: region ends before it starts: {r}");
    if sl == el {
        assert!(r["endColumn"].as_u64() >= r["startColumn"].as_u64(), "{at}: {r}");
    }
}

fn check_uri(u: &Value, at: &str) {
    let u = u
        .as_str()
        .unwrap_or_else(|| panic!("{at}: artifactLocation.uri must be a string"));
    assert!(!u.contains('\\') && !u.contains(' '), "{at}: not a URI reference: {u}");
    assert!(!u.starts_with('/'), "{at}: relative to the current folder: {u}");
}

fn check_location(l: &Value, at: &str) {
    let p = &l["physicalLocation"];
    assert!(p.is_object(), "{at}: physicalLocation: {l}");
    check_uri(&p["artifactLocation"]["uri"], at);
    check_region(&p["region"], at);
}

/// The required properties of SARIF 2.1.0 (sarif-schema-2.1.0.json) for
/// the objects mtus writes.
fn check_sarif(log: &Value) {
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().is_some_and(|s| s.contains("sarif-2.1.0")));
    let runs = log["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "mtus", "tool.driver.name is required");
    assert!(["utf16CodeUnits", "unicodeCodePoints"].contains(&run["columnKind"].as_str().unwrap_or_default()));
    let rules = driver["rules"].as_array().expect("rules");
    for r in rules {
        assert!(r["id"].as_str().is_some_and(|s| !s.is_empty()), "rule id required: {r}");
        assert!(r["shortDescription"]["text"].is_string(), "{r}");
        if let Some(h) = r.get("help") {
            assert!(h["text"].is_string(), "multiformatMessageString needs text: {r}");
        }
    }
    let results = run["results"].as_array().expect("results");
    for (i, res) in results.iter().enumerate() {
        let at = format!("results[{i}]");
        assert!(res["message"]["text"].is_string(), "{at}: message.text required");
        let id = res["ruleId"].as_str().expect("ruleId");
        let index = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], id, "{at}: ruleIndex points at its rule");
        assert!(["none", "note", "warning", "error"].contains(&res["level"].as_str().unwrap_or_default()));
        for l in res["locations"].as_array().into_iter().flatten() {
            check_location(l, &at);
        }
        for l in res["relatedLocations"].as_array().into_iter().flatten() {
            check_location(l, &at);
            assert!(l["id"].as_i64().is_some_and(|n| n >= -1), "{at}: location id");
            assert!(l["message"]["text"].is_string(), "{at}");
        }
        for f in res["fixes"].as_array().into_iter().flatten() {
            let changes = f["artifactChanges"].as_array().expect("artifactChanges required");
            assert!(!changes.is_empty(), "{at}: at least one change");
            for c in changes {
                check_uri(&c["artifactLocation"]["uri"], &at);
                let reps = c["replacements"].as_array().expect("replacements required");
                assert!(!reps.is_empty());
                for r in reps {
                    check_region(&r["deletedRegion"], &at);
                    assert!(r["insertedContent"]["text"].is_string(), "{at}");
                }
            }
        }
    }
}

/// The version changes with releases: not part of the snapshot.
fn without_version(mut log: Value) -> Value {
    log["runs"][0]["tool"]["driver"]["version"] = Value::String("[version]".into());
    log
}

#[test]
fn lint_as_sarif() {
    let o = common::mtus(&["lint", "--no-cases", "--format", "sarif", LINT_FIXTURE]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let log: Value = serde_json::from_str(&common::stdout(&o)).expect("JSON");
    check_sarif(&log);
    let run = &log["runs"][0];
    // Every lint is a rule, with its explanation as help.
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), mtus::lint::LINTS.len());
    assert!(rules.iter().all(|r| r["help"]["text"].is_string()));
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 7);
    assert_eq!(results.iter().filter(|r| r.get("fixes").is_some()).count(), 6);
    // The help texts are the explanations (tested in lint_explain.rs):
    // the snapshot keeps the results.
    insta::assert_json_snapshot!(without_version(log)["runs"][0]["results"]);
}

#[test]
fn lint_as_github_annotations() {
    let o = common::mtus(&["lint", "--no-cases", "--format", "github", LINT_FIXTURE]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let out = common::stdout(&o);
    assert_eq!(out.lines().count(), 7, "{out}");
    for l in out.lines() {
        assert!(
            l.starts_with("::warning file=tests/fixtures/lint_fix/massage.mtus,line="),
            "{l}"
        );
    }
    insta::assert_snapshot!(out);
}

#[test]
fn test_failures_as_sarif_at_the_outcome_and_because() {
    let o = common::mtus(&["--rules", RULES, "test", "--format", "sarif", CASES]);
    assert_eq!(o.status.code(), Some(1), "a failure fails the run");
    assert_eq!(common::stderr(&o), "2 passed, 4 failed, 1 skipped (no determination)\n");
    let log: Value = serde_json::from_str(&common::stdout(&o)).expect("JSON");
    check_sarif(&log);
    let results = log["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), 4);
    // Each failure points at the line of the value it is about.
    for r in &results {
        let loc = &r["locations"][0]["physicalLocation"];
        let Some(file) = loc["artifactLocation"]["uri"].as_str() else {
            continue;
        };
        let text = std::fs::read_to_string(common::root().join(file)).expect("case file");
        let line = loc["region"]["startLine"].as_u64().unwrap_or(0) as usize;
        let at = text.lines().nth(line - 1).unwrap_or_default();
        // An undecided request is placed at its cause (here the date no
        // rule is in force on).
        let key = match r["ruleId"].as_str() {
            Some("test-because" | "unknown-criterion") => "because:",
            Some("test-undecided") => "date: 2008-03-01",
            _ => "outcome:",
        };
        assert!(at.contains(key), "{r}: line {line} is `{at}`");
    }
    insta::assert_json_snapshot!(without_version(log));
}

#[test]
fn test_failures_as_github_annotations() {
    let o = common::mtus(&["--rules", RULES, "test", "--format", "github", CASES]);
    assert_eq!(o.status.code(), Some(1));
    let out = common::stdout(&o);
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(out.lines().all(|l| l.starts_with("::error ")), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn coverage_is_text_and_json_only() {
    let o = common::mtus(&["--rules", RULES, "test", "--coverage", "--format", "github", CASES]);
    assert_eq!(o.status.code(), Some(1));
    assert!(common::stderr(&o).contains("--coverage is shown in text and JSON only"));
}
