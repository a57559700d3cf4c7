//! FACTS.md (v1) is a contract: case files written elsewhere use its
//! names with its types. This test lists every fact of the contract and
//! checks the shipped schema declares it with that type, and that a case
//! using every one of them loads.

use crate::common;

use mtus::check::{FactType, Scope};

/// (path as the schema declares it, FACTS.md type)
const CONTRACT: &[(&str, &str)] = &[
    ("claimant.age", "int"),
    ("claimant.sex", "symbol"),
    ("injury.date", "date"),
    ("injury.body_parts", "list<symbol>"),
    ("diagnoses.tags", "list<symbol>"),
    ("course.pain_duration", "duration"),
    ("course.acute_exacerbation", "bool"),
    ("course.conservative_care_failed", "bool"),
    ("course.home_exercise", "bool"),
    ("course.active_therapy", "bool"),
    ("course.surgery_date", "date"),
    ("course.surgical_candidate", "bool"),
    ("course.homebound", "bool"),
    ("course.first_line_tried", "list<symbol>"),
    ("course.reduced_weight_bearing", "bool"),
    ("course.adl_deficit", "bool"),
    ("course.baseline_functional_testing", "bool"),
    ("course.motivated_to_change", "bool"),
    ("course.negative_predictors_addressed", "bool"),
    ("pain.current", "score"),
    ("pain.worst", "score"),
    ("pain.with_medication", "score"),
    ("pain.without_medication", "score"),
    ("pain.type", "symbol"),
    ("pain.localized", "bool"),
    ("function.improvement", "bool"),
    ("function.work_status", "symbol"),
    ("exam.date", "date"),
    ("exam.muscle_spasm", "bool"),
    ("exam.radiculopathy", "bool"),
    ("exam.trigger_points", "bool"),
    ("exam.red_flags", "list<symbol>"),
    ("tests.imaging_corroborates_radiculopathy", "bool"),
    ("tests.prior_imaging_date", "date"),
    ("history.*.received", "bool"),
    ("history.*.visits", "quantity"),
    ("history.*.duration", "duration"),
    ("history.*.started", "date"),
    ("history.*.functional_improvement", "bool"),
    ("history.*.pain_relief", "percent"),
    ("history.*.relief_duration", "duration"),
    ("history.*.medication_reduced", "bool"),
    ("history.*.side_effects", "bool"),
    ("medications.current", "list<symbol>"),
    ("opioids.med_per_day", "quantity"),
    ("opioids.assessed.analgesia", "bool"),
    ("opioids.assessed.activities", "bool"),
    ("opioids.assessed.adverse_effects", "bool"),
    ("opioids.assessed.aberrant_behavior", "bool"),
    ("opioids.aberrant_behavior_found", "bool"),
    ("opioids.agreement", "bool"),
    ("opioids.pain_specialist_consult", "bool"),
    ("opioids.drug_screen_consistent", "bool"),
    ("opioids.risk_level", "symbol"),
    ("gi.risk_factors", "list<symbol>"),
    ("gi.dyspepsia", "bool"),
    ("drug_screens.last_date", "date"),
    ("drug_screens.count_past_year", "int"),
    ("request.id", "text"),
    ("request.text", "text"),
    // FACTS.md: a symbol naming a canonical treatment; the schema's
    // `treatment` type is that symbol, checked against the catalog.
    ("request.treatment", "treatment"),
    ("request.date", "date"),
    ("request.quantity", "quantity"),
    ("request.strength", "quantity"),
    ("request.duration", "duration"),
    ("request.per_week", "number"),
    ("request.body_region", "list<symbol>"),
    ("request.intent", "symbol"),
    ("request.ingredients", "list<symbol>"),
    ("request.levels", "int"),
    ("request.approach", "symbol"),
    ("request.services", "list<symbol>"),
    ("request.hours_per_week", "number"),
    ("request.depends_on", "text"),
];

/// The canonical treatments of FACTS.md (v1).
const TREATMENTS: &[&str] = &[
    "massage_therapy",
    "chiropractic_manipulation",
    "physical_therapy",
    "occupational_therapy",
    "aquatic_therapy",
    "acupuncture",
    "tens_unit",
    "h_wave",
    "functional_restoration_program",
    "work_hardening",
    "psychotherapy",
    "home_health_services",
    "gym_membership",
    "cold_compression_therapy",
    "orthopedic_mattress",
    "cyclobenzaprine",
    "carisoprodol",
    "tizanidine",
    "methocarbamol",
    "orphenadrine",
    "metaxalone",
    "baclofen",
    "hydrocodone_acetaminophen",
    "oxycodone",
    "oxycodone_acetaminophen",
    "tramadol",
    "morphine",
    "fentanyl",
    "hydromorphone",
    "methadone",
    "tapentadol",
    "ibuprofen",
    "naproxen",
    "diclofenac",
    "meloxicam",
    "celecoxib",
    "etodolac",
    "nabumetone",
    "omeprazole",
    "pantoprazole",
    "esomeprazole",
    "lidocaine_patch",
    "topical_compound",
    "topical_diclofenac",
    "capsaicin",
    "gabapentin",
    "pregabalin",
    "topiramate",
    "amitriptyline",
    "nortriptyline",
    "duloxetine",
    "venlafaxine",
    "zolpidem",
    "eszopiclone",
    "alprazolam",
    "lorazepam",
    "diazepam",
    "clonazepam",
    "epidural_steroid_injection",
    "trigger_point_injection",
    "mri",
    "emg_ncs",
    "urine_drug_screen",
];

#[test]
fn every_contract_fact_is_declared_with_its_type() {
    let (_, rules) = common::shipped_rules();
    let schema = &rules.program.schema;
    let mut wrong = Vec::new();
    for &(path, ty) in CONTRACT {
        match schema.lookup(path) {
            None => wrong.push(format!("{path}: not declared")),
            Some(f) if f.ty.name() != ty => wrong.push(format!("{path}: declared {}, contract says {ty}", f.ty.name())),
            Some(f) => {
                let want = if path.starts_with("request.") {
                    Scope::Request
                } else if path.starts_with("history.") {
                    Scope::History
                } else {
                    Scope::Case
                };
                assert_eq!(f.scope, want, "{path}");
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Duration facts are durations, not quantities of some other unit.
    assert_eq!(
        schema.lookup("course.pain_duration").map(|f| f.ty),
        Some(FactType::Duration)
    );
}

#[test]
fn every_canonical_treatment_is_in_the_catalog_under_its_own_name() {
    let (_, rules) = common::shipped_rules();
    let cat = &rules.program.catalog;
    let missing: Vec<&str> = TREATMENTS
        .iter()
        .copied()
        .filter(|t| cat.treatment_named(t).is_none())
        .collect();
    assert!(missing.is_empty(), "missing: {missing:?}");
    for t in TREATMENTS {
        let id = cat.resolve(t).expect("resolves");
        assert_eq!(&cat.treatment(id).name, t);
        assert!(!cat.treatment(id).classes.is_empty(), "{t} has no class");
    }
}

#[test]
fn brand_names_map_to_canonical_treatments() {
    let (_, rules) = common::shipped_rules();
    let cat = &rules.program.catalog;
    for (brand, canonical) in [
        ("Norco", "hydrocodone_acetaminophen"),
        ("Vicodin", "hydrocodone_acetaminophen"),
        ("Percocet", "oxycodone_acetaminophen"),
        ("Ultram", "tramadol"),
        ("Soma", "carisoprodol"),
        ("Flexeril", "cyclobenzaprine"),
        ("Fexmid", "cyclobenzaprine"),
        ("Amrix", "cyclobenzaprine"),
        ("Zanaflex", "tizanidine"),
        ("Robaxin", "methocarbamol"),
        ("Skelaxin", "metaxalone"),
        ("Prilosec", "omeprazole"),
        ("Protonix", "pantoprazole"),
        ("Nexium", "esomeprazole"),
        ("Lidoderm", "lidocaine_patch"),
        ("Neurontin", "gabapentin"),
        ("Lyrica", "pregabalin"),
        ("Cymbalta", "duloxetine"),
        ("Elavil", "amitriptyline"),
        ("Ambien", "zolpidem"),
        ("Xanax", "alprazolam"),
        ("Valium", "diazepam"),
        ("Klonopin", "clonazepam"),
        ("Celebrex", "celecoxib"),
        ("Mobic", "meloxicam"),
        ("Naprosyn", "naproxen"),
        ("Anaprox", "naproxen"),
        ("Motrin", "ibuprofen"),
        ("Voltaren", "diclofenac"),
        ("Voltaren Gel", "topical_diclofenac"),
        ("FLEXERIL", "cyclobenzaprine"),
        ("norco", "hydrocodone_acetaminophen"),
    ] {
        let id = cat.resolve(brand).unwrap_or_else(|| panic!("{brand} does not resolve"));
        assert_eq!(cat.treatment(id).name, canonical, "{brand}");
    }
}

#[test]
fn a_case_with_every_contract_fact_loads() {
    let (_, rules) = common::shipped_rules();
    let path = common::root().join("tests/fixtures/every_fact.yaml");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let case = mtus::facts::load_yaml(&rules.program, "every_fact.yaml", &text).unwrap_or_else(|e| panic!("{e}"));
    // Every case-level contract fact holds a value.
    for &(path, _) in CONTRACT {
        let f = rules.program.schema.lookup(path).expect("declared");
        let v = match f.scope {
            Scope::Case => &case.facts[f.slot as usize],
            Scope::Request => &case.requests[0].facts[f.slot as usize],
            Scope::History => &case.history[0].1[f.slot as usize],
        };
        if path != "request.depends_on" {
            assert!(!v.is_absent(), "{path} did not load");
        }
    }
    assert_eq!(case.requests.len(), 2);
    assert_eq!(case.requests[1].depends_on, Some(0));
    let det = case.determination.expect("determination");
    assert_eq!(det.decisions.len(), 2);
}
