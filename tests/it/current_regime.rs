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
