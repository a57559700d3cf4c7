//! `mtus check` with the formulary: the pre-submission section in text
//! and JSON, `--drug-list` with a user's file, and a broken list.

use crate::common;

use common::{mtus, stderr, stdout};

#[test]
fn check_shows_prior_authorization_after_the_clinical_outcome() {
    let o = mtus(&["check", "tests/fixtures/formulary/special-fill-norco.yaml"]);
    insta::assert_snapshot!("text", stdout(&o));
    let o = mtus(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/formulary/special-fill-norco.yaml",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let a = &json["cases"][0]["requests"][0]["authorization"];
    assert_eq!(a["prior_authorization"], "not_required");
    assert_eq!(a["status"], "non_exempt");
    assert_eq!(a["list"]["version"], "v7");
    assert_eq!(a["provisional"], true);
    insta::assert_snapshot!("json", stdout(&o));
}

#[test]
fn drug_list_takes_a_users_list() {
    let o = mtus(&[
        "check",
        "--drug-list",
        "tests/fixtures/formulary/drug-list-test.csv",
        "--drug-list",
        "tests/fixtures/formulary/drug-list-later.csv",
        "--format",
        "json",
        "tests/fixtures/formulary/physician-dispensed-exempt.yaml",
        "tests/fixtures/formulary/unlisted-combination.yaml",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let a = &json["cases"][0]["requests"][0]["authorization"];
    assert_eq!(a["list"]["version"], "test-2");
    assert_eq!(a["list"]["file"], "tests/fixtures/formulary/drug-list-later.csv");
    assert_eq!(
        (a["status"].as_str(), a["prior_authorization"].as_str()),
        (Some("exempt"), Some("required"))
    );
    let rfa: Vec<&str> = json["cases"][0]["requests"][0]["rfa"]
        .as_array()
        .expect("rfa")
        .iter()
        .filter(|f| f["check"] == "not_met")
        .map(|f| f["code"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(rfa, ["rfa_documentation_date", "rfa_signed"]);
    let b = &json["cases"][1]["requests"][0]["authorization"];
    assert_eq!(
        (b["status"].as_str(), b["list"]["version"].as_str()),
        (Some("unlisted"), Some("test-1"))
    );
}

#[test]
fn a_broken_drug_list_is_an_error_with_line_and_column() {
    let o = mtus(&[
        "check",
        "--drug-list",
        "tests/fixtures/formulary/drug-list-bad.csv",
        "tests/fixtures/formulary/special-fill-norco.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    insta::assert_snapshot!("bad_list", stderr(&o));
    let o = mtus(&[
        "check",
        "--drug-list",
        "tests/fixtures/formulary/nope.csv",
        "cases/seed-000.yaml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[unreadable]: cannot read tests/fixtures/formulary/nope.csv"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_drug_list_folder_beside_the_rules_is_used() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rules = tmp.path().join("rules");
    std::fs::create_dir_all(rules.join("drug-list")).expect("mkdir");
    for e in std::fs::read_dir(common::root().join("rules")).expect("rules") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "mtus") {
            std::fs::copy(&p, rules.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    std::fs::copy(
        common::root().join("tests/fixtures/formulary/drug-list-test.csv"),
        rules.join("drug-list/test.csv"),
    )
    .expect("copy list");
    let dir = rules.to_string_lossy().into_owned();
    let o = mtus(&[
        "check",
        "--rules",
        &dir,
        "--format",
        "json",
        "tests/fixtures/formulary/unlisted-combination.yaml",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let a = &json["cases"][0]["requests"][0]["authorization"];
    assert_eq!(a["list"]["version"], "test-1", "{}", stderr(&o));
    assert_eq!(a["status"], "unlisted");
}

/// A case in a temporary folder, for the CLI.
fn temp_case(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write case");
    p.to_string_lossy().into_owned()
}

/// Amitriptyline (Exempt on the shipped v7 rows) for two weeks of
/// nociceptive pain: not medically necessary under the ACOEM Chronic Pain
/// guideline.
const AMITRIPTYLINE_NOT_NECESSARY: &str = "case: exempt-not-necessary
injury: { date: 2021-01-04, body_parts: [lumbar_spine] }
pain: { type: nociceptive }
course: { pain_duration: 2 week }
diagnoses:
  - { text: lumbar strain, tags: [lumbar_strain] }
requests:
  - { id: elavil, treatment: amitriptyline, quantity: 30 tablet, dispensed_by: pharmacy, date: 2021-03-15 }
";

#[test]
fn an_exempt_drug_found_not_medically_necessary_needs_prior_authorization() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let case = temp_case(tmp.path(), "elavil.yaml", AMITRIPTYLINE_NOT_NECESSARY);
    let o = mtus(&["check", &case]);
    // Wrapped to the width: compared with the spacing collapsed.
    let text = stdout(&o).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("outcome: NOT MEDICALLY NECESSARY (predicts upheld)"),
        "{text}"
    );
    // Both said: Exempt on the list, and review required all the same.
    assert!(
        text.contains("prior authorization: REQUIRED (Exempt; MTUS Drug List v7"),
        "{text}"
    );
    assert!(
        text.contains(
            "the list alone would need no review, but this request is not shown to be in accordance with the MTUS"
        ),
        "{text}"
    );
    assert!(
        text.contains("[NOT MET] mtus_consistent: not in accordance with the MTUS as requested"),
        "{text}"
    );
    assert!(!text.contains("no RFA is needed"), "{text}");
    assert!(!text.contains("not required"), "{text}");
    let o = mtus(&["check", "--format", "json", &case]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let r = &json["cases"][0]["requests"][0];
    assert_eq!(r["authorization"]["status"], "exempt");
    assert_eq!(r["authorization"]["prior_authorization"], "required");
    assert_eq!(r["authorization"]["mtus_consistent"], false);
    let rfa: Vec<&str> = r["rfa"]
        .as_array()
        .expect("rfa")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(rfa.contains(&"rfa_form") && !rfa.contains(&"no_rfa_needed"), "{rfa:?}");
    // Medically necessary, the same drug list answer stands: no review.
    let o = mtus(&[
        "check",
        "--format",
        "json",
        "tests/fixtures/formulary/exempt-duloxetine.yaml",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let r = &json["cases"][0]["requests"][0];
    assert_eq!(r["outcome"], "medically_necessary", "{r}");
    assert_eq!(r["authorization"]["prior_authorization"], "not_required");
    assert_eq!(r["authorization"]["mtus_consistent"], true);
    let rfa: Vec<&str> = r["rfa"]
        .as_array()
        .expect("rfa")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(rfa, ["no_rfa_needed"]);
}

#[test]
fn audit_drug_list_puts_the_authorization_answer_in_every_row() {
    let tmp = tempfile::tempdir().expect("tempdir");
    temp_case(tmp.path(), "elavil.yaml", AMITRIPTYLINE_NOT_NECESSARY);
    std::fs::copy(
        common::root().join("tests/fixtures/formulary/exempt-duloxetine.yaml"),
        tmp.path().join("duloxetine.yaml"),
    )
    .expect("copy");
    std::fs::copy(
        common::root().join("cases/2018-mri-knee.yaml"),
        tmp.path().join("mri.yaml"),
    )
    .expect("copy");
    let dir = tmp.path().to_string_lossy().into_owned();
    let list = "rules/drug-list/mtus-drug-list-v7-confirmed.csv";
    let o = mtus(&["audit", "--no-progress", "--format", "csv", "--drug-list", list, &dir]);
    let csv = stdout(&o);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].ends_with(",falls_with,prior_authorization,formulary_status"),
        "{csv}"
    );
    let cols = |id: &str| -> Vec<String> {
        let line = lines
            .iter()
            .find(|l| l.contains(&format!(",{id},")))
            .unwrap_or_else(|| panic!("{id}: {csv}"));
        line.rsplitn(3, ',').take(2).map(str::to_string).collect()
    };
    assert_eq!(cols("elavil"), ["exempt", "required"]);
    assert_eq!(cols("cymbalta"), ["exempt", "not_required"]);
    // Not a drug: the formulary does not reach it, both cells empty.
    assert_eq!(cols("mri-2018"), ["", ""]);
    // Every row has the same number of cells as the header.
    let n = lines[0].split(',').count();
    assert!(lines.iter().skip(2).all(|l| l.split(',').count() == n), "{csv}");
    for format in ["json", "jsonl"] {
        let o = mtus(&["audit", "--no-progress", "--format", format, "--drug-list", list, &dir]);
        let out = stdout(&o);
        let rows: Vec<serde_json::Value> = if format == "json" {
            let v: serde_json::Value = serde_json::from_str(&out).expect("json");
            v["requests"].as_array().expect("requests").clone()
        } else {
            out.lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("line"))
                .filter(|v| v["kind"] == "request")
                .collect()
        };
        let row = |id: &str| {
            rows.iter()
                .find(|r| r["request"] == id)
                .unwrap_or_else(|| panic!("{id}: {out}"))
        };
        assert_eq!(row("elavil")["prior_authorization"], "required", "{format}");
        assert_eq!(row("elavil")["formulary_status"], "exempt", "{format}");
        assert_eq!(row("cymbalta")["prior_authorization"], "not_required", "{format}");
        assert!(row("mri-2018")["prior_authorization"].is_null(), "{format}");
        assert!(
            row("mri-2018").get("prior_authorization").is_some(),
            "{format}: the key is there"
        );
    }
    // Without --drug-list the rows are as before.
    let o = mtus(&["audit", "--no-progress", "--format", "csv", &dir]);
    assert!(
        stdout(&o)
            .lines()
            .next()
            .is_some_and(|h| h.starts_with("kind,") && h.ends_with(",provisional,falls_with"))
    );
    let o = mtus(&["audit", "--no-progress", "--format", "json", &dir]);
    assert!(!stdout(&o).contains("prior_authorization"));
    // A broken list: file, line and column, exit 1, nothing audited.
    let o = mtus(&[
        "audit",
        "--no-progress",
        "--drug-list",
        "tests/fixtures/formulary/drug-list-bad.csv",
        &dir,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("tests/fixtures/formulary/drug-list-bad.csv:"),
        "{}",
        stderr(&o)
    );
}

/// The shipped rules copied to a temporary folder, with `edit` applied to
/// the text of `file`.
fn rules_copy_with(file: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for e in std::fs::read_dir(common::root().join("rules")).expect("rules folder") {
        let e = e.expect("entry");
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".mtus") {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).expect("rule file");
        let text = if name == file { edit(&text) } else { text };
        std::fs::write(dir.path().join(&name), text).expect("write rule file");
    }
    dir
}

#[test]
fn a_renamed_formulary_fact_is_a_rule_error() {
    // `rfa.signed` is read by the RFA checks only, by name: renamed in the
    // rules, it used to read "not documented" on every request.
    let dir = rules_copy_with("facts.mtus", |t| {
        assert!(t.contains("fact rfa.signed: bool"));
        t.replace("fact rfa.signed: bool", "fact rfa.signature: bool")
    });
    let rules = dir.path().to_str().expect("utf-8 path");
    let case = "tests/fixtures/formulary/special-fill-norco.yaml";
    let o = mtus(&["check", "--rules", rules, case]);
    let err = stderr(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("the formulary reads `rfa.signed`, which these rules do not declare"),
        "{err}"
    );
    assert!(err.contains("formulary-fact"), "{err}");
    // At the fact that makes the rules the formulary's, with its place.
    let shipped = std::fs::read_to_string("rules/facts_formulary.mtus").expect("rules/facts_formulary.mtus");
    let line = 1 + shipped
        .lines()
        .position(|l| l.starts_with("fact request.administered:"))
        .expect("request.administered is declared");
    assert!(err.contains(&format!("facts_formulary.mtus:{line}:")), "{err}");
    assert!(err.contains("declare `fact rfa.signed: bool"), "{err}");

    let o = mtus(&["lint", rules]);
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert_ne!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("the formulary reads `rfa.signed`"), "{out}");

    // The shipped rules, unchanged, have no such error.
    let same = rules_copy_with("facts.mtus", str::to_string);
    let o = mtus(&["check", "--rules", same.path().to_str().expect("utf-8 path"), case]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_formulary_fact_of_the_wrong_type_is_a_rule_error() {
    let dir = rules_copy_with("facts.mtus", |t| {
        t.replace("fact rfa.signed: bool", "fact rfa.signed: date")
    });
    let rules = dir.path().to_str().expect("utf-8 path");
    let o = mtus(&[
        "check",
        "--rules",
        rules,
        "tests/fixtures/formulary/special-fill-norco.yaml",
    ]);
    let err = stderr(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("the formulary reads `rfa.signed` as a bool, but it is declared as a date"),
        "{err}"
    );
    assert!(err.contains("facts.mtus:37:"), "{err}");
}
