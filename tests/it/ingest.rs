//! `mtus ingest` through the binary: letters the project wrote
//! (crates/letters/tests/fixtures, both layouts and damaged ones) to rows
//! and case files, and, when `../shared/imr-letters` is there, the real
//! letters: every letter read, every item's decision as `truth.json`
//! records it, and the case files written loading with the rules.

use std::path::Path;

use crate::common;

const FIXTURES: &str = "crates/letters/tests/fixtures";

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

#[test]
fn rows_name_each_item_with_its_decision_treatment_and_place() {
    let o = common::mtus(&[
        "ingest",
        "--format",
        "jsonl",
        &fixture("current.txt"),
        &fixture("legacy_2013.txt"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let rows: Vec<serde_json::Value> = common::stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect();
    // current.txt: three items; legacy_2013.txt: two.
    let got: Vec<(String, String, String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["case_number"].as_str().unwrap_or("").to_string(),
                r["decision"].as_str().unwrap_or("").to_string(),
                r["treatment"].as_str().unwrap_or("?").to_string(),
                r["page"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let want: Vec<(String, String, String, u64)> = [
        ("CM99-0000101", "upheld", "mri", 2),
        ("CM99-0000101", "overturned", "topical_compound", 2),
        ("CM99-0000101", "upheld", "physical_therapy", 2),
        ("CM13-0000202", "upheld", "aquatic_therapy", 1),
        ("CM13-0000202", "overturned", "brace", 1),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), *d))
    .collect();
    assert_eq!(got, want);
    assert_eq!(rows[2]["ur_modified"], true);
    assert_eq!(
        rows[2]["original_request"],
        "Physical therapy 2 times a week for 6 weeks for the lumbar spine"
    );
    assert_eq!(rows[0]["reviewer"][0]["source"], "Shoulder Complaints");
    assert_eq!(rows[0]["reviewer"][0]["mtus"], true);
    assert_eq!(rows[0]["age"], 47);
    assert_eq!(rows[0]["licensure"], serde_json::json!(["CA", "OR"]));

    let csv = common::mtus(&["ingest", "--format", "csv", &fixture("current.txt")]);
    assert_eq!(csv.status.code(), Some(0), "{}", common::stderr(&csv));
    let text = common::stdout(&csv);
    let header = text.lines().next().unwrap_or("");
    assert!(header.contains(",item,treatment,decision,"), "{header}");
    assert_eq!(text.lines().count(), 4, "a header and three rows:\n{text}");
}

#[test]
fn a_case_file_per_letter_that_loads_with_the_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path");
    let o = common::mtus(&[
        "ingest",
        "-o",
        out,
        &fixture("current.txt"),
        &fixture("legacy_2013.txt"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("CM99-0000101.yaml")).expect("case file written");
    insta::assert_snapshot!(text);
    // Both case files load and their recorded decisions are audited.
    let a = common::mtus(&["audit", "--format", "json", out]);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).expect("audit JSON");
    assert_eq!(v["totals"]["cases"], 2, "{}", common::stderr(&a));
    assert_eq!(v["totals"]["errors"], 0, "{}", common::stderr(&a));
    assert_eq!(v["totals"]["requests"], 5, "{v}");
    // Written again only with --force.
    let again = common::mtus(&["ingest", "-o", out, &fixture("current.txt")]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        common::stderr(&again).contains("give --force"),
        "{}",
        common::stderr(&again)
    );
    let forced = common::mtus(&["ingest", "--force", "-o", out, &fixture("current.txt")]);
    assert_eq!(forced.status.code(), Some(0), "{}", common::stderr(&forced));
}

#[test]
fn an_unreadable_decision_is_named_and_never_guessed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path");
    let o = common::mtus(&["ingest", "-o", out, &fixture("missing_decision.txt")]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let err = common::stderr(&o);
    assert!(err.contains("item 2 decision (page 2, line 17)"), "{err}");
    assert!(err.contains("2 values not read"), "{err}");
    assert!(
        common::stdout(&o).contains("item 2  unreadable"),
        "{}",
        common::stdout(&o)
    );
    let text = std::fs::read_to_string(dir.path().join("CM99-0000101.yaml")).expect("case file");
    assert!(text.contains("outcome: upheld"), "{text}");
    assert!(
        !text.contains("outcome: overturned"),
        "an unreadable decision is written as no decision:\n{text}"
    );
    assert!(text.contains("the decision could not be read"), "{text}");
}

#[test]
fn a_file_that_is_not_a_letter_says_so_and_fails() {
    let o = common::mtus(&["ingest", &fixture("not_a_letter.txt"), &fixture("current.txt")]);
    assert_eq!(o.status.code(), Some(1));
    let err = common::stderr(&o);
    assert!(
        err.contains("not_a_letter.txt: not an IMR final determination letter"),
        "{err}"
    );
    assert!(
        err.contains("1 letter read, 3 items, 0 values not read, 1 file not read"),
        "{err}"
    );
    // The letter beside it is still read.
    assert!(common::stdout(&o).contains("CM99-0000101  item 3  upheld  physical_therapy"));
    let missing = common::mtus(&["ingest", "no/such/letter.pdf"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        common::stderr(&missing).contains("no/such/letter.pdf"),
        "{}",
        common::stderr(&missing)
    );
}

#[test]
fn explain_names_the_line_of_every_value() {
    let o = common::mtus(&["ingest", "--explain", &fixture("current.txt")]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let out = common::stdout(&o);
    assert!(
        out.contains("p1:1      case_number                        CM99-0000101"),
        "{out}"
    );
    assert!(out.contains("decision"), "{out}");
}

/// The real letters of `../shared/imr-letters` (skipped when absent):
/// every letter read, every item's decision as truth.json has it, and
/// every case file written loads but the one whose line names no
/// treatment ("Ultrasound 1 times 8": therapy or imaging, a person says).
#[test]
fn real_letters_read_and_their_case_files_load() {
    let Some(shared) = common::shared_letters() else {
        eprintln!("skipped: the real letters (../shared/imr-letters, or $MTUS_SHARED) are not here");
        return;
    };
    let truth = std::fs::read_to_string(shared.join("truth.json")).expect("truth.json");
    let truth: serde_json::Value = serde_json::from_str(&truth).expect("truth.json");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path");
    let pdfs = shared.join("pdf");
    let o = common::mtus(&["ingest", "--format", "jsonl", "-o", out, pdfs.to_str().expect("path")]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("121 letters read, 250 items, 0 values not read, 0 files not read"),
        "{err}"
    );
    let rows: Vec<serde_json::Value> = common::stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON row"))
        .collect();
    let mut want = Vec::new();
    for letter in truth.as_array().expect("a list of letters") {
        for item in letter["items"].as_array().expect("items") {
            want.push((
                letter["file"].as_str().unwrap_or("").to_string(),
                item["decision"].clone(),
            ));
        }
    }
    let got: Vec<(String, serde_json::Value)> = rows
        .iter()
        .map(|r| {
            let file = Path::new(r["file"].as_str().unwrap_or(""));
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
            (name, r["decision"].clone())
        })
        .collect();
    assert_eq!(got, want, "every item's decision, in letter order");
    let named = rows.iter().filter(|r| r["treatment"].is_string()).count();
    assert_eq!(named, 249, "items whose line names a treatment");
    let a = common::mtus(&["audit", "--format", "json", out]);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).expect("audit JSON");
    assert_eq!(v["totals"]["inputs"], 121);
    assert_eq!(v["totals"]["cases"], 120);
    assert_eq!(
        v["totals"]["errors"], 1,
        "only CM16-0231745 (item 4 names no treatment)"
    );
}
