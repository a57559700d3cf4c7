//! `mtus audit`'s totals for analysts (by category, year, reviewer
//! specialty and guideline cited, with Wilson intervals), its filters and
//! `--summary-only`, through the real binary, on the real set
//! (cases/imr-2016: 121 letters, 250 items) and on a letter `mtus ingest`
//! reads.

use super::common;
use serde_json::Value;

const IMR: &str = "cases/imr-2016";

fn run(args: &[&str]) -> std::process::Output {
    let o = common::mtus(&[&["audit", "--no-progress"], args].concat());
    let err = common::stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    o
}

fn json(args: &[&str]) -> Value {
    let o = run(&[&["--format", "json"], args].concat());
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", common::stderr(&o)))
}

fn rows(v: &Value) -> Vec<Value> {
    v["requests"].as_array().cloned().unwrap_or_default()
}

fn total(v: &Value, k: &str) -> u64 {
    v["totals"][k]
        .as_u64()
        .unwrap_or_else(|| panic!("totals.{k}: {}", v["totals"]))
}

fn date(r: &Value) -> String {
    r["request_date"].as_str().unwrap_or("").to_string()
}

/// The unfiltered audit of the real set, once.
fn everything() -> &'static Value {
    static ALL: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    ALL.get_or_init(|| json(&[IMR]))
}

/// A filtered audit keeps exactly the rows of the unfiltered one that
/// `keep` picks, counts the rest as filtered out, and still accounts for
/// every input.
fn check_filter(args: &[&str], keep: impl Fn(&Value) -> bool) -> Value {
    let all = everything();
    let want: Vec<(String, String)> = rows(all)
        .iter()
        .filter(|r| keep(r))
        .map(|r| (r["case"].to_string(), r["request"].to_string()))
        .collect();
    let v = json(&[args, &[IMR]].concat());
    let got: Vec<(String, String)> = rows(&v)
        .iter()
        .map(|r| (r["case"].to_string(), r["request"].to_string()))
        .collect();
    assert_eq!(got, want, "{args:?}");
    assert_eq!(total(&v, "inputs"), 121, "{args:?}");
    assert_eq!(total(&v, "requests"), want.len() as u64, "{args:?}");
    assert_eq!(total(&v, "filtered_out"), 250 - want.len() as u64, "{args:?}");
    let t = &v["totals"];
    let parts: u64 = ["agree", "disagree", "unrecorded", "undecided", "without_facts"]
        .iter()
        .map(|k| t[*k].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(parts, total(&v, "requests"), "{t}");
    v
}

#[test]
fn since_and_until_keep_request_dates_inclusively() {
    // From the real set's request dates: 46 in January 2017, 3 in
    // October 2016, 102 in November 2016.
    let v = check_filter(&["--since", "2017-01-01"], |r| date(r).as_str() >= "2017-01-01");
    assert_eq!(total(&v, "requests"), 46);
    assert_eq!(v["filters"]["since"], "2017-01-01");
    assert_eq!(v["filters"]["until"], Value::Null);
    let v = check_filter(&["--until", "2016-10-31"], |r| date(r).as_str() <= "2016-10-31");
    assert_eq!(total(&v, "requests"), 3);
    let v = check_filter(&["--since", "2016-11-01", "--until", "2016-11-30"], |r| {
        date(r).starts_with("2016-11")
    });
    assert_eq!(total(&v, "requests"), 102);
    // Both ends are in: a single day.
    let day = date(&rows(everything())[0]);
    let v = check_filter(&["--since", &day, "--until", &day], |r| date(r) == day);
    assert!(total(&v, "requests") >= 1);
    // The text report states the filter and what it left out.
    let text = common::stdout(&run(&["--summary-only", "--since", "2017-01-01", IMR]));
    assert!(
        text.contains("filters: request date from 2017-01-01: 46 of 250 requests kept, 204 left out (",),
        "{text}"
    );
}

#[test]
fn treatments_are_named_as_the_catalog_knows_them() {
    let (_, rules) = common::shipped_rules();
    let c = &rules.program.catalog;
    // "MRI" and "x-ray" are spellings of the canonical mri and x_ray.
    let mri = c.resolve("MRI").map(|t| c.treatment(t).name.clone());
    let xray = c.resolve("x-ray").map(|t| c.treatment(t).name.clone());
    assert_eq!(mri.as_deref(), Some("mri"));
    assert_eq!(xray.as_deref(), Some("x_ray"));
    let v = check_filter(&["--treatment", "MRI", "--treatment", "x-ray"], |r| {
        r["treatment"] == "mri" || r["treatment"] == "x_ray"
    });
    // 53 MRIs and 13 x-rays in the real set.
    assert_eq!(total(&v, "requests"), 66);
    assert_eq!(v["filters"]["treatments"], serde_json::json!(["mri", "x_ray"]));
    // A brand name: Flexeril is cyclobenzaprine.
    check_filter(&["--treatment", "Flexeril"], |r| r["treatment"] == "cyclobenzaprine");
    // A typo is an error with the closest name, before anything is read.
    let o = run(&["--treatment", "flexerl", IMR]);
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(
        err.contains(
            "--treatment `flexerl` is not a treatment of the catalog; did you mean `flexeril` (cyclobenzaprine)?"
        ),
        "{err}"
    );
    assert_eq!(common::stdout(&o), "", "nothing audited");
}

#[test]
fn a_class_keeps_every_treatment_in_it() {
    let (_, rules) = common::shipped_rules();
    let c = &rules.program.catalog;
    let class = c.class_named("diagnostic").expect("class diagnostic");
    let in_class = |r: &Value| {
        let t = r["treatment"].as_str().and_then(|t| c.treatment_named(t));
        t.is_some_and(|t| c.treatment(t).classes.contains(&class))
    };
    let v = check_filter(&["--class", "diagnostic"], in_class);
    assert!(
        total(&v, "requests") >= 99,
        "the 99 with diagnostic as their category at least"
    );
    assert_eq!(v["filters"]["classes"], serde_json::json!(["diagnostic"]));
    let o = run(&["--class", "opiod", IMR]);
    assert_eq!(o.status.code(), Some(2));
    let err = common::stderr(&o);
    assert!(
        err.contains(
            "--class `opiod` is not a class of the catalog (did you mean `opioid`?); the classes are analgesic, "
        ),
        "{err}"
    );
    assert!(err.contains(", opioid, "), "every class is listed: {err}");
}

#[test]
fn only_disagreements_keeps_the_twelve() {
    let v = check_filter(&["--only-disagreements"], |r| r["agrees"] == false);
    assert_eq!(total(&v, "requests"), 12);
    assert_eq!(total(&v, "disagree"), 12);
    assert_eq!(total(&v, "agree"), 0);
    assert_eq!(v["filters"]["only_disagreements"], true);
    // Filters combine: disagreements about MRIs (6, by the real set's
    // deciders: every one of the rule mri).
    let v = check_filter(&["--only-disagreements", "--treatment", "mri"], |r| {
        r["agrees"] == false && r["treatment"] == "mri"
    });
    assert!(total(&v, "requests") >= 1);
}

#[test]
fn bad_filter_values_are_refused() {
    for (args, want) in [
        (
            &["--since", "2016-02-30"][..],
            "`2016-02-30` is not a date; write it as YYYY-MM-DD",
        ),
        (&["--until", "yesterday"][..], "`yesterday` is not a date"),
        (
            &["--since", "2017-01-02", "--until", "2017-01-01"][..],
            "--since 2017-01-02 is after --until 2017-01-01",
        ),
        (
            &["--summary-only", "--format", "csv"][..],
            "--summary-only has no CSV form",
        ),
    ] {
        let o = run(&[args, &[IMR]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = common::stderr(&o);
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

/// The real set's totals: the uphold rate is the letters' own (228 of 250
/// upheld), the agreement the engine's (238 of 250), each with its
/// interval.
///
/// Worked by hand (z = 1.959964, z² = 3.841459), as in
/// src/audit/groups.rs: agreement 238 of 250: centre (0.952 + 0.0076829)
/// / 1.0153658 = 0.9451610, half 1.959964 / 1.0153658 · sqrt(0.952 · 0.048
/// / 250 + 3.841459 / 250000) = 0.0271722: 0.91799 to 0.97233.
/// Opioids, 7 of 7 upheld: centre (1 + 0.2743900) / 1.5487799 =
/// 0.8228353, half 1.959964 / 1.5487799 · sqrt(3.841459 / 196) =
/// 0.1771661: 0.64567 to 1. Uphold rate 228 of 250: p = 0.912; centre
/// (0.912 + 0.0076829) / 1.0153658 = 0.9057649; half 1.959964 /
/// 1.0153658 · sqrt(0.912 · 0.088 / 250 + 0.00001537) = 1.9303 ·
/// sqrt(0.00033638) = 1.9303 · 0.0183406 = 0.0354028: 0.87036 to 0.94117.
#[test]
fn the_totals_carry_rates_with_wilson_intervals() {
    let v = json(&["--summary-only", IMR]);
    assert_eq!(rows(&v), Vec::<Value>::new(), "--summary-only: no rows");
    assert_eq!(v["disagreements"], serde_json::json!([]));
    assert_eq!(v["disagreements_omitted"], 12);
    let b = &v["breakdown"];
    assert_eq!(b["small_sample_below"], 10);
    let close = |x: &Value, want: f64| {
        let x = x.as_f64().unwrap_or(f64::NAN);
        assert!((x - want).abs() < 5e-5, "{x} is not {want}");
    };
    let all = &b["all"];
    assert_eq!(
        (&all["agreement"]["k"], &all["agreement"]["n"]),
        (&238.into(), &250.into())
    );
    close(&all["agreement"]["low"], 0.91799);
    close(&all["agreement"]["high"], 0.97233);
    assert_eq!(all["agreement"]["small_sample"], false);
    assert_eq!((&all["upheld"], &all["overturned"]), (&228.into(), &22.into()));
    close(&all["uphold_rate"]["low"], 0.87036);
    close(&all["uphold_rate"]["high"], 0.94117);
    let opioid = b["by_category"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["group"] == "opioid"))
        .expect("an opioid group");
    assert_eq!(opioid["requests"], 7);
    assert_eq!(opioid["upheld"], 7);
    close(&opioid["uphold_rate"]["low"], 0.64567);
    assert_eq!(opioid["uphold_rate"]["high"], 1.0);
    assert_eq!(opioid["uphold_rate"]["small_sample"], true, "7 is under 10");
    // Every grouping accounts for every request: once each by category
    // and year; at least once by specialty and guideline.
    for key in ["by_category", "by_year", "by_specialty", "by_guideline"] {
        let sum: u64 = b[key]
            .as_array()
            .map_or(0, |g| g.iter().map(|g| g["requests"].as_u64().unwrap_or(0)).sum());
        if key == "by_category" || key == "by_year" {
            assert_eq!(sum, 250, "{key}");
        } else {
            assert!(sum >= 250, "{key}");
        }
    }
    let years: Vec<&str> = b["by_year"]
        .as_array()
        .map(|g| g.iter().filter_map(|g| g["group"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(years, ["2016", "2017"]);
}

/// A letter `mtus ingest` reads without --facts: its items count in the
/// letters' totals (uphold rate) and by the guideline its reviewer cites,
/// but not in agreement, and the report says how many were left out and
/// why.
#[test]
fn ingested_letters_without_facts_count_for_the_letters_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().display().to_string();
    let o = common::mtus(&["ingest", "-o", &out, "crates/letters/tests/fixtures/current.txt"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    // Beside it, a case a person wrote, with facts (two items, upheld).
    std::fs::copy(
        common::root().join("cases/seed-000.yaml"),
        dir.path().join("seed-000.yaml"),
    )
    .expect("copy");
    let v = json(&[&out]);
    // The letter: mri upheld, topical compound overturned, physical
    // therapy upheld; the seed case: two upheld.
    assert_eq!(total(&v, "requests"), 5);
    assert_eq!(total(&v, "without_facts"), 3);
    assert_eq!(total(&v, "upheld"), 4);
    assert_eq!(total(&v, "overturned"), 1);
    assert_eq!(total(&v, "compared"), 2);
    assert_eq!(total(&v, "agree") + total(&v, "disagree"), 2);
    for r in rows(&v) {
        let letter = r["case"] == "CM99-0000101";
        assert_eq!(r["clinical_facts"], !letter, "{r}");
        if letter {
            assert_eq!(r["agrees"], Value::Null, "{r}");
        }
    }
    let b = &v["breakdown"];
    assert_eq!(b["all"]["uphold_rate"]["n"], 5);
    assert_eq!(b["all"]["agreement"]["n"], 2);
    let group = |key: &str, name: &str| {
        b[key]
            .as_array()
            .and_then(|g| g.iter().find(|g| g["group"] == name).cloned())
            .unwrap_or_else(|| panic!("{key} {name}: {}", b[key]))
    };
    // Every item of the letter cites the 2009 chronic pain guideline; the
    // seed case cites it without a year.
    let cp = group("by_guideline", "Chronic Pain Medical Treatment 2009");
    assert_eq!(
        (&cp["requests"], &cp["without_facts"], &cp["compared"]),
        (&3.into(), &3.into(), &0.into())
    );
    assert_eq!(cp["agreement"], Value::Null);
    assert_eq!(group("by_guideline", "Chronic Pain Medical Treatment")["requests"], 2);
    assert_eq!(group("by_guideline", "ODG")["requests"], 2);
    assert_eq!(group("by_specialty", "Sports Medicine")["requests"], 3);
    assert_eq!(group("by_specialty", "family_practice")["requests"], 2);
    let text = common::stdout(&run(&["--summary-only", &out]));
    assert!(
        text.contains("3 requests are not compared with the engine: their cases document no clinical facts"),
        "{text}"
    );
    assert!(
        text.contains("letters: 4 upheld, 1 overturned; uphold rate 80.0% (37.6-96.4%) *"),
        "{text}"
    );
    // A row shows the letter's side beside the engine's.
    let text = common::stdout(&run(&[&out]));
    assert!(
        text.contains(
            "reviewer: Family Medicine; Sports Medicine (CA, OR); cited: Shoulder Complaints 2004, Chronic Pain Medical Treatment 2009, ODG; rule used: mri (MTUS-ACOEM, mtus)"
        ),
        "{text}"
    );
}

/// The golden inputs of tests/it/audit.rs, a letter as `mtus ingest`
/// wrote it (tests/fixtures/audit_summary, from the project's own
/// fixture letter crates/letters/tests/fixtures/current.txt) and the seed
/// case: two years, three specialties, five guidelines, a case without
/// clinical facts and inputs that do not load.
const GOLDEN: [&str; 3] = [
    "tests/fixtures/audit",
    "tests/fixtures/audit_summary",
    "cases/seed-000.yaml",
];

#[test]
fn summary_only_text() {
    let out = common::stdout(&run(&[&["--summary-only", "--threads", "2"][..], &GOLDEN].concat()));
    insta::assert_snapshot!("summary_only_text", common::redact_rules_hash(&out));
}

#[test]
fn summary_only_markdown() {
    let args = [&["--summary-only", "--format", "markdown"][..], &GOLDEN].concat();
    let out = common::stdout(&run(&args));
    insta::assert_snapshot!("summary_only_markdown", common::redact_rules_hash(&out));
}

/// The same with a filter: the report says which and what it left out.
#[test]
fn filtered_summary_text() {
    let args = [
        &[
            "--summary-only",
            "--class",
            "physical_medicine",
            "--since",
            "2015-05-01",
        ][..],
        &GOLDEN,
    ]
    .concat();
    let out = common::stdout(&run(&args));
    insta::assert_snapshot!("filtered_summary_text", common::redact_rules_hash(&out));
}

/// The JSON breakdown of the golden inputs.
#[test]
fn summary_only_json_breakdown() {
    let v = json(&[&["--summary-only"][..], &GOLDEN].concat());
    insta::assert_json_snapshot!(
        "summary_only_json_breakdown",
        (&v["breakdown"], &v["totals"], &v["filters"])
    );
}

/// The JSON Lines summary line carries the same totals as the JSON
/// document, and with --summary-only it is the only line.
#[test]
fn summary_only_json_lines_is_one_summary_line() {
    let o = run(&["--summary-only", "--format", "jsonl", IMR]);
    let text = common::stdout(&o);
    assert_eq!(text.lines().count(), 1, "{text}");
    let line: Value = serde_json::from_str(text.trim_end()).expect("a JSON line");
    assert_eq!(line["kind"], "summary");
    let doc = json(&["--summary-only", IMR]);
    assert_eq!(line["breakdown"], doc["breakdown"]);
    assert_eq!(line["totals"], doc["totals"]);
}
