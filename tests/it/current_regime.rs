//! The ACOEM-based MTUS (criteria-2018.md): rules in force by guideline
//! version and date of service, the statutory caps continuing after 2017,
//! and requests with no criterion encoded naming the guideline versions in
//! force instead of passing.

use crate::common;

use mtus::eval::{EvalError, select};
use mtus::value::Date;

fn date(s: &str) -> Date {
    Date::parse(s).expect("date")
}

/// The names of the rules that decide `treatment` on `day`.
fn deciding(treatment: &str, day: &str) -> Result<Vec<String>, EvalError> {
    let (_, rules) = common::shipped_rules();
    let p = &rules.program;
    let t = p.catalog.treatment_named(treatment).expect("treatment");
    select(p, &rules.compiled, t, date(day)).map(|s| s.deciding.iter().map(|r| p.rule(*r).name.clone()).collect())
}

#[test]
fn the_2009_rules_end_and_the_acoem_rules_begin_on_2017_12_01() {
    assert_eq!(deciding("acupuncture", "2017-11-30").expect("2009"), ["acupuncture"]);
    assert_eq!(
        deciding("acupuncture", "2017-12-01").expect("ACOEM"),
        ["acoem_acupuncture_low_back"]
    );
    assert_eq!(
        deciding("carisoprodol", "2017-12-01").expect("ACOEM"),
        ["acoem_muscle_relaxants", "acoem_carisoprodol"]
    );
}

#[test]
fn low_back_rules_follow_the_low_back_disorders_versions() {
    for (day, rule) in [
        ("2017-12-01", "acoem_esi_lbd_2016"),
        ("2019-08-10", "acoem_esi_lbd_2016"),
        ("2019-08-11", "acoem_esi_lbd_2019"),
        ("2021-11-22", "acoem_esi_lbd_2019"),
        ("2021-11-23", "acoem_esi_lbd_2020"),
        ("2026-12-03", "acoem_esi_lbd_2020"),
    ] {
        assert_eq!(deciding("epidural_steroid_injection", day).expect(day), [rule], "{day}");
    }
    // ACU18-1 is known for the 2016 version only.
    assert!(deciding("acupuncture", "2019-08-10").is_ok());
    assert!(matches!(
        deciding("acupuncture", "2019-08-11"),
        Err(EvalError::NoRuleInForce { .. })
    ));
}

#[test]
fn the_statutory_visit_caps_continue_after_2017() {
    for t in ["physical_therapy", "chiropractic_manipulation", "occupational_therapy"] {
        for day in ["2017-12-01", "2022-01-01", "2026-12-03"] {
            let rules = deciding(t, day).expect(day);
            assert!(rules.iter().any(|r| r == "statutory_visit_cap"), "{t} {day}: {rules:?}");
        }
    }
}

#[test]
fn no_criterion_encoded_names_the_guideline_versions_in_force() {
    let e = deciding("venlafaxine", "2019-09-01").expect_err("no ACOEM criterion for venlafaxine");
    let text = e.to_string();
    assert!(
        text.starts_with(
            "no rule in force on 2019-09-01 for venlafaxine: no criterion encoded for venlafaxine under the MTUS guideline versions in force then ("
        ),
        "{text}"
    );
    assert!(
        text.contains("ACOEM Chronic Pain guideline (May 15, 2017), MTUS"),
        "{text}"
    );
    assert!(
        text.contains("ACOEM Low Back Disorders guideline (Mar 7, 2019), MTUS"),
        "{text}"
    );
    assert!(
        !text.contains("(Feb 24, 2016)"),
        "a version no longer in force is not named: {text}"
    );
    // Before the current regime the message is as before: no rule is in
    // force before the 2009 guideline.
    let e = deciding("massage_therapy", "2009-01-01").expect_err("no rule before the 2009 guideline");
    assert_eq!(e.to_string(), "no rule in force on 2009-01-01 for massage_therapy");
    // Between the 2009 opioid rules and the current regime, the 2016
    // opioid guideline decides.
    assert_eq!(
        deciding("hydrocodone_acetaminophen", "2017-11-30").expect("2016 opioids"),
        ["opioids_2016"]
    );
}

/// The criteria of `rule.criterion` for request `id` of a case, through
/// `mtus check --format json`: (status, facts read as `fact=value`).
fn criterion(case: &str, id: &str, name: &str) -> (String, Vec<String>) {
    let o = common::mtus(&["check", "--format", "json", case]);
    let json: serde_json::Value = serde_json::from_str(&common::stdout(&o)).expect("json");
    let reqs = json["cases"][0]["requests"].as_array().expect("requests");
    let r = reqs.iter().find(|r| r["request"] == id).expect("request");
    let (rule, crit) = name.split_once('.').expect("rule.criterion");
    let rules = r["rules"].as_array().expect("rules");
    let ru = rules.iter().find(|x| x["rule"] == rule).expect("rule");
    let c = ru["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["name"] == crit)
        .expect("criterion");
    let facts = c["facts"]
        .as_array()
        .expect("facts")
        .iter()
        .map(|f| format!("{}={}", f["fact"].as_str().unwrap_or("?"), f["value"]))
        .collect();
    (c["status"].as_str().unwrap_or("?").to_string(), facts)
}

#[test]
fn the_daily_dose_is_worked_out_from_the_request_when_no_figure_is_given() {
    // Norco 10 mg #60 for 30 days: 2 a day x 10 mg x 1 = 20 mg MED.
    let (status, facts) = criterion(
        "cases/2018-opioids-dose-from-request.yaml",
        "norco",
        "acoem_opioids.dose_ceiling",
    );
    assert_eq!(status, "met");
    assert!(
        facts.contains(&"request.med_per_day=\"20 mg_med\"".to_string()),
        "{facts:?}"
    );
    // Oxycodone 30 mg #120 for 30 days: 4 a day x 30 mg x 1.5 = 180.
    let (status, facts) = criterion(
        "cases/2018-opioids-dose-from-request.yaml",
        "oxycodone",
        "acoem_opioids.dose_ceiling",
    );
    assert_eq!(status, "not_met");
    assert!(
        facts.contains(&"request.med_per_day=\"180 mg_med\"".to_string()),
        "{facts:?}"
    );
    // A total the record states wins over the request's own figure.
    let (_, facts) = criterion(
        "cases/2018-opioids-continued-with-improvement.yaml",
        "norco",
        "acoem_opioids.dose_ceiling",
    );
    assert_eq!(facts[0], "opioids.med_per_day=\"40 mg_med\"", "{facts:?}");
}

#[test]
fn a_first_prescription_for_acute_pain_is_not_judged_as_a_continuation() {
    for name in [
        "acoem_opioids.continuation_improvement",
        "acoem_opioids.continuation_agreement",
        "acoem_opioids.continuation_drug_screens",
        "acoem_opioids.dose_above_50_improvement",
    ] {
        let (status, _) = criterion(
            "cases/2018-opioids-post-op-first-prescription.yaml",
            "norco-post-op",
            name,
        );
        assert_eq!(status, "not_applicable", "{name}");
    }
    let (status, _) = criterion(
        "cases/2018-opioids-acute-first-prescription.yaml",
        "tramadol-month",
        "acoem_opioids.acute_short_course",
    );
    assert_eq!(status, "not_met");
    // A course on record is a continuation, whatever the intent says.
    let (status, _) = criterion(
        "cases/2018-opioids-continued-no-agreement.yaml",
        "norco",
        "acoem_opioids.continuation_agreement",
    );
    assert_eq!(status, "not_met");
}

#[test]
fn an_mri_is_judged_by_the_rules_of_its_region() {
    let rules = deciding("mri", "2018-03-15").expect("ACOEM MRI rules");
    for r in [
        "acoem_mri_regions",
        "acoem_mri_lbd_2016",
        "acoem_mri_ct_2016",
        "acoem_mri_shoulder_2016",
        "acoem_mri_knee_2015",
    ] {
        assert!(rules.iter().any(|x| x == r), "{r}: {rules:?}");
    }
    // The low-back criterion does not apply to a knee MRI; the knee's do.
    let (status, _) = criterion(
        "cases/2018-mri-knee.yaml",
        "mri-2018",
        "acoem_mri_lbd_2016.red_flag_or_radicular_surgical",
    );
    assert_eq!(status, "not_applicable");
    let (status, _) = criterion(
        "cases/2018-mri-knee.yaml",
        "mri-2018",
        "acoem_mri_knee_2015.conservative_care",
    );
    assert_eq!(status, "met");
}
