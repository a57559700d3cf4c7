//! `mtus check` with the formulary: the pre-submission section in text
//! and JSON, `--drug-list` with a user's file, and a broken list.

use crate::common;

use common::{mtus, stderr, stdout};

#[test]
fn check_shows_prior_authorization_after_the_clinical_outcome() {
    let o = mtus(&["check", "tests/fixtures/formulary/special-fill-norco.yaml"]);
    // No clinical rule is in force in 2021 yet (exit 1), but the
    // formulary's answer is shown all the same.
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
