//! Every canonical treatment has a rule in force for a request dated
//! 2015-06-01, or is a known coverage gap (a real treatment the catalog
//! names so that a request for it reads as "no rule covers X", never as a
//! typo), and the guideline periods end where criteria.md says they
//! end: a request after a rule's period gets "no rule in force", never a
//! decision.

use crate::common;

use mtus::eval::{EvalError, select};
use mtus::value::Date;

fn date(s: &str) -> Date {
    Date::parse(s).expect("date")
}

#[test]
fn every_treatment_has_a_rule_in_force_in_mid_2015() {
    let (_, rules) = common::shipped_rules();
    let p = &rules.program;
    let mut uncovered = Vec::new();
    for (i, t) in p.catalog.treatments.iter().enumerate() {
        let id = mtus::check::TreatmentId(i as u32);
        match select(p, &rules.compiled, id, date("2015-06-01")) {
            Ok(sel) => assert!(!sel.deciding.is_empty(), "{}", t.name),
            Err(e) => uncovered.push(format!("{}: {e}", t.name)),
        }
    }
    uncovered.sort();
    let expected: Vec<String> = NO_RULE_YET.iter().map(|s| s.to_string()).collect();
    let names: Vec<String> = uncovered
        .iter()
        .map(|u| u.split(':').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(
        names,
        expected,
        "the treatments with no rule changed: a new rule shrinks NO_RULE_YET, a new catalog entry grows it\n{}",
        uncovered.join("\n")
    );
    for u in &uncovered {
        let name = u.split(':').next().unwrap_or("");
        assert!(
            u.ends_with(&format!("no rule covers {name}")) || u.ends_with(&format!("for {name}")),
            "{u}"
        );
    }
}

/// The catalog's treatments that no rule covers yet (issue 22: the real
/// letters dispute them), sorted. Each is decided as "no rule covers X".
const NO_RULE_YET: &[&str] = &[
    "betamethasone",
    "brace",
    "compounded_oral_suspension",
    "diagnostic_ultrasound",
    "joint_injection",
    "methylprednisolone",
    "prednisone",
    "spine_surgery",
    "surgery",
];

#[test]
fn the_2016_opioid_guideline_takes_over_from_the_2009_opioid_rules() {
    let (_, rules) = common::shipped_rules();
    let p = &rules.program;
    let names = |name: &str, day: &str| -> Vec<String> {
        let t = p.catalog.treatment_named(name).expect("treatment");
        match select(p, &rules.compiled, t, date(day)) {
            Ok(sel) => sel.deciding.iter().map(|r| p.rule(*r).name.clone()).collect(),
            Err(e) => panic!("{name} on {day}: {e}"),
        }
    };
    for name in ["hydrocodone_acetaminophen", "tramadol", "oxycodone", "morphine"] {
        let before = names(name, "2016-07-28");
        assert!(before.iter().any(|r| r == "opioids"), "{name}: {before:?}");
        assert!(!before.iter().any(|r| r == "opioids_2016"), "{name}: {before:?}");
        let after = names(name, "2016-07-29");
        assert!(after.iter().any(|r| r == "opioids_2016"), "{name}: {after:?}");
        assert!(!after.iter().any(|r| r == "opioids"), "{name}: {after:?}");
    }
}

#[test]
fn the_2009_guideline_period_bounds_mtus_rules_and_the_odg_rules_filling_its_gaps() {
    let (_, rules) = common::shipped_rules();
    let p = &rules.program;
    // Aquatic therapy has no criterion encoded under the ACOEM-based MTUS
    // (criteria-2018.md PM18-4: an IMR outcome only).
    let aquatic = p.catalog.treatment_named("aquatic_therapy").expect("aquatic");
    assert!(select(p, &rules.compiled, aquatic, date("2017-11-30")).is_ok());
    assert!(matches!(
        select(p, &rules.compiled, aquatic, date("2017-12-01")),
        Err(EvalError::NoRuleInForce { .. })
    ));
    // Before the 2009 guideline there is no rule either.
    let massage = p.catalog.treatment_named("massage_therapy").expect("massage");
    assert!(matches!(
        select(p, &rules.compiled, massage, date("2009-07-17")),
        Err(EvalError::NoRuleInForce { .. })
    ));
    // ODG rules that fill a gap in the 2009 MTUS end with it, and an ODG
    // supplement never decides alone once its MTUS rule has ended.
    let zolpidem = p.catalog.treatment_named("zolpidem").expect("zolpidem");
    assert!(select(p, &rules.compiled, zolpidem, date("2017-11-30")).is_ok());
    assert!(matches!(
        select(p, &rules.compiled, zolpidem, date("2019-01-01")),
        Err(EvalError::NoRuleInForce { .. })
    ));
}

#[test]
fn an_odg_rule_stands_aside_where_an_mtus_rule_decides() {
    let (_, rules) = common::shipped_rules();
    let p = &rules.program;
    let massage = p.catalog.treatment_named("massage_therapy").expect("massage");
    let sel = select(p, &rules.compiled, massage, date("2015-06-01")).expect("rules");
    for r in &sel.deciding {
        assert_eq!(p.rule(*r).tier, mtus::check::Tier::Mtus);
    }
    for r in &sel.supplements {
        assert_ne!(p.rule(*r).tier, mtus::check::Tier::Mtus);
        assert!(p.rule(*r).supplements.is_some());
    }
    assert!(!sel.supplements.is_empty());
}
