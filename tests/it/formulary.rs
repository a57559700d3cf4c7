//! The MTUS Drug Formulary and RFA checks (src/formulary): one test per
//! rule of criteria-2018.md 1.7 and section 3, on cases written here and
//! on the case files in `tests/fixtures/formulary/` (and any
//! `cases/formulary-*.yaml`), each of which states
//! its expected answer in a `# expect:` line.
//!
//! The fixture cases live there, not in `cases/`, because no clinical
//! rule in this branch is in force after 2017-12-01 yet, and every file in
//! `cases/` must reproduce a recorded clinical outcome.

use crate::common;

use mtus::RuleSet;
use mtus::facts::{Case, load_yaml};
use mtus::formulary::{Check, DrugLists, FormularyStatus as S, PriorAuthorization as P, authorize, rfa_findings};

fn rules() -> RuleSet {
    common::shipped_rules().1
}

fn test_lists() -> DrugLists {
    let dir = common::root().join("tests/fixtures/formulary");
    let files: Vec<(String, String)> = ["drug-list-test.csv", "drug-list-later.csv"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read_to_string(dir.join(f)).expect("read list")))
        .collect();
    DrugLists::from_texts(files.iter().map(|(n, t)| (n.as_str(), t.as_str()))).expect("test lists load")
}

/// A case with case-level YAML `top` and one request `r` whose keys are
/// the lines of `req`.
fn case(rs: &RuleSet, top: &str, req: &str) -> Case {
    let req: String = req.lines().map(|l| format!("    {}\n", l.trim())).collect();
    let text = format!("case: t\n{top}\nrequests:\n  - id: r\n{req}");
    match load_yaml(&rs.program, "t.yaml", &text) {
        Ok(c) => c,
        Err(e) => panic!("{e}\n{text}"),
    }
}

fn answer(rs: &RuleSet, lists: &DrugLists, top: &str, req: &str) -> (S, P, Vec<(&'static str, Check)>) {
    let c = case(rs, top, req);
    let a = authorize(&rs.program, &c, 0, lists).expect("the formulary applies");
    (
        a.status,
        a.prior_authorization,
        a.findings.iter().map(|f| (f.code, f.check)).collect(),
    )
}

const DOI: &str = "injury: { date: 2021-03-01, first_visit: 2021-03-04 }";

#[test]
fn special_fill_counts_the_day_after_the_injury_as_day_one() {
    let rs = rules();
    let l = test_lists();
    let at = |visit: &str, supply: &str| {
        let top = format!("injury: {{ date: 2021-03-01, first_visit: {visit} }}");
        answer(
            &rs,
            &l,
            &top,
            &format!("treatment: Percocet\ndays_supply: {supply}\ndate: {visit}"),
        )
        .1
    };
    assert_eq!(at("2021-03-01", "4 day"), P::NotRequired, "the day of injury itself");
    assert_eq!(at("2021-03-08", "4 day"), P::NotRequired, "day 7");
    assert_eq!(at("2021-03-09", "4 day"), P::Required, "day 8");
    assert_eq!(at("2021-03-04", "5 day"), P::Required, "over the list's 4 days");
    // Not at the initial visit: a later prescription does not qualify.
    let (s, p, f) = answer(
        &rs,
        &l,
        DOI,
        "treatment: Percocet\ndays_supply: 4 day\ndate: 2021-03-05",
    );
    assert_eq!((s, p), (S::NonExempt, P::Required));
    assert!(f.contains(&("special_fill", Check::NotMet)), "{f:?}");
    // Days' supply not documented: the fill cannot be shown to apply.
    let (_, p, f) = answer(&rs, &l, DOI, "treatment: Percocet\ndate: 2021-03-04");
    assert_eq!(p, P::Required);
    assert!(f.contains(&("special_fill", Check::NotDocumented)), "{f:?}");
    // The brand where a generic exists does not qualify.
    let (_, p, _) = answer(
        &rs,
        &l,
        DOI,
        "treatment: Percocet\ndays_supply: 4 day\nbrand_requested: true\ndate: 2021-03-04",
    );
    assert_eq!(p, P::Required);
}

#[test]
fn perioperative_fill_runs_from_day_minus_four_to_day_plus_four() {
    let rs = rules();
    let l = test_lists();
    let at = |date: &str| {
        let top = "injury: { date: 2020-01-06, first_visit: 2020-01-07 }\nsurgery: { date: 2020-06-15 }";
        answer(
            &rs,
            &l,
            top,
            &format!("treatment: Percocet\ndays_supply: 4 day\ndate: {date}"),
        )
        .1
    };
    assert_eq!(at("2020-06-10"), P::Required, "day -5");
    assert_eq!(at("2020-06-11"), P::NotRequired, "day -4");
    assert_eq!(at("2020-06-15"), P::NotRequired, "day 0");
    assert_eq!(at("2020-06-19"), P::NotRequired, "day +4");
    assert_eq!(at("2020-06-20"), P::Required, "day +5");
    let (_, p, f) = answer(
        &rs,
        &l,
        "injury: { date: 2020-01-06 }",
        "treatment: Percocet\ndays_supply: 4 day\ndate: 2020-06-15",
    );
    assert_eq!(p, P::Required);
    assert!(f.contains(&("perioperative_fill", Check::NotDocumented)), "{f:?}");
}

#[test]
fn a_non_exempt_drug_without_fills_needs_prior_authorization() {
    let rs = rules();
    let (s, p, f) = answer(
        &rs,
        &test_lists(),
        DOI,
        "treatment: tramadol\ndays_supply: 3 day\ndate: 2021-03-04",
    );
    assert_eq!((s, p), (S::NonExempt, P::Required));
    assert!(f.contains(&("no_fill", Check::Note)), "{f:?}");
}

#[test]
fn physician_dispensing_of_an_exempt_drug_is_limited_to_one_initial_seven_day_supply() {
    let rs = rules();
    let l = test_lists();
    let disp = |supply: &str, date: &str| {
        answer(
            &rs,
            &l,
            DOI,
            &format!("treatment: ibuprofen\ndispensed_by: physician\ndays_supply: {supply}\ndate: {date}"),
        )
    };
    assert_eq!(disp("7 day", "2021-03-04").1, P::NotRequired);
    let (s, p, f) = disp("8 day", "2021-03-04");
    assert_eq!((s, p), (S::Exempt, P::Required));
    assert!(f.contains(&("physician_dispensed", Check::NotMet)), "{f:?}");
    assert_eq!(disp("7 day", "2021-03-20").1, P::Required, "not the initial visit");
    // A pharmacy fills it: no limit.
    let (_, p, _) = answer(
        &rs,
        &l,
        DOI,
        "treatment: ibuprofen\ndispensed_by: pharmacy\ndays_supply: 30 day\ndate: 2021-04-20",
    );
    assert_eq!(p, P::NotRequired);
}

#[test]
fn an_exempt_brand_where_a_generic_exists_needs_prior_authorization() {
    let rs = rules();
    let l = test_lists();
    let (s, p, f) = answer(
        &rs,
        &l,
        DOI,
        "treatment: Cymbalta\nbrand_requested: true\ndispensed_by: pharmacy\ndate: 2021-05-01",
    );
    assert_eq!((s, p), (S::Exempt, P::Required));
    assert!(f.contains(&("brand", Check::NotMet)), "{f:?}");
    let (_, p, f) = answer(
        &rs,
        &l,
        DOI,
        "treatment: Cymbalta\nbrand_requested: false\ndispensed_by: pharmacy\ndate: 2021-05-01",
    );
    assert_eq!(p, P::NotRequired);
    assert!(f.contains(&("mtus_consistent", Check::Note)), "{f:?}");
}

#[test]
fn off_label_use_of_an_exempt_drug_needs_an_mtus_recommendation() {
    let rs = rules();
    let l = test_lists();
    let base = "treatment: duloxetine\ndispensed_by: pharmacy\noff_label: true\ndate: 2021-05-01";
    assert_eq!(answer(&rs, &l, DOI, base).1, P::Required);
    assert_eq!(
        answer(&rs, &l, DOI, &format!("{base}\noff_label_recommended: false")).1,
        P::Required
    );
    assert_eq!(
        answer(&rs, &l, DOI, &format!("{base}\noff_label_recommended: true")).1,
        P::NotRequired
    );
}

#[test]
fn compounded_and_administered_drugs() {
    let rs = rules();
    let l = test_lists();
    let (s, p, _) = answer(
        &rs,
        &l,
        DOI,
        "treatment: topical_compound\nquantity: 120 g\ndate: 2021-03-04",
    );
    assert_eq!((s, p), (S::Compounded, P::Required));
    // Compounded even though its ingredient is Exempt.
    let (s, p, _) = answer(&rs, &l, DOI, "treatment: ibuprofen\ncompounded: true\ndate: 2021-03-04");
    assert_eq!((s, p), (S::Compounded, P::Required));
    let (s, p, _) = answer(
        &rs,
        &l,
        DOI,
        "treatment: tramadol\nadministered: true\ndate: 2021-03-04",
    );
    assert_eq!((s, p), (S::NotApplicable, P::NotRequired));
}

#[test]
fn unlisted_drugs_and_combinations() {
    let rs = rules();
    let (s, p, _) = answer(&rs, &test_lists(), DOI, "treatment: gabapentin\ndate: 2021-03-04");
    assert_eq!((s, p), (S::Unlisted, P::Required));
    // Both ingredients are listed alone; the combination is not.
    let (s, p, f) = answer(
        &rs,
        &test_lists(),
        DOI,
        "treatment: Norco\ndays_supply: 4 day\ndate: 2021-03-04",
    );
    assert_eq!((s, p), (S::Unlisted, P::Required));
    assert_eq!(f, vec![("unlisted", Check::NotMet)]);
    // Absent from the shipped partial list: not known, never guessed.
    let shipped = DrugLists::embedded().expect("shipped list");
    let (s, p, _) = answer(&rs, &shipped, DOI, "treatment: gabapentin\ndate: 2021-03-04");
    assert_eq!((s, p), (S::NotConfirmed, P::Undetermined));
    // The lidocaine row is for the patch only.
    let (s, _, _) = answer(&rs, &test_lists(), DOI, "treatment: Lidoderm\ndate: 2021-03-04");
    assert_eq!(s, S::NonExempt);
}

#[test]
fn the_formulary_starts_on_2018_01_01_whatever_the_injury_date() {
    let rs = rules();
    let l = test_lists();
    let top = "injury: { date: 2015-02-02 }";
    let c = case(&rs, top, "treatment: duloxetine\ndate: 2017-12-31");
    assert!(authorize(&rs.program, &c, 0, &l).is_none());
    let c = case(&rs, top, "treatment: duloxetine\ndate: 2018-01-01");
    assert!(authorize(&rs.program, &c, 0, &l).is_some());
    // Not a drug: never.
    let c = case(
        &rs,
        top,
        "treatment: massage_therapy\nquantity: 6 visit\ndate: 2021-01-01",
    );
    assert!(authorize(&rs.program, &c, 0, &l).is_none());
    // No list in force yet on the date.
    let shipped = DrugLists::embedded().expect("shipped list");
    let c = case(&rs, top, "treatment: duloxetine\ndate: 2019-05-01");
    let a = authorize(&rs.program, &c, 0, &shipped).expect("applies");
    assert_eq!(
        (a.status, a.prior_authorization, a.list),
        (S::NoList, P::Undetermined, None)
    );
}

#[test]
fn the_list_version_in_force_on_the_request_date_is_used() {
    let rs = rules();
    let l = test_lists();
    let at = |date: &str| {
        let c = case(
            &rs,
            DOI,
            &format!("treatment: tramadol\ndispensed_by: pharmacy\ndate: {date}"),
        );
        let a = authorize(&rs.program, &c, 0, &l).expect("applies");
        (a.status, a.list.map(|x| x.version))
    };
    assert_eq!(at("2023-12-31"), (S::NonExempt, Some("test-1".into())));
    assert_eq!(at("2024-01-01"), (S::Exempt, Some("test-2".into())));
}

#[test]
fn transition_for_injuries_before_2018() {
    let rs = rules();
    let l = test_lists();
    let codes = |top: &str| answer(&rs, &l, top, "treatment: tramadol\ndate: 2018-02-01").2;
    let old = "injury: { date: 2016-05-05 }\nhistory:\n  tramadol: { started: 2017-06-01 }";
    assert!(codes(old).contains(&("transition", Check::Note)));
    let begun_later = "injury: { date: 2016-05-05 }\nhistory:\n  tramadol: { started: 2018-01-10 }";
    assert!(!codes(begun_later).iter().any(|(c, _)| *c == "transition"));
    let new_injury = "injury: { date: 2018-01-02 }\nhistory:\n  tramadol: { started: 2018-01-10 }";
    assert!(!codes(new_injury).iter().any(|(c, _)| *c == "transition"));
    // An Exempt drug needs no transition plan.
    let c = case(&rs, old, "treatment: duloxetine\ndate: 2018-02-01");
    let a = authorize(&rs.program, &c, 0, &l).expect("applies");
    assert!(!a.findings.iter().any(|f| f.code == "transition"));
}

fn rfa(rs: &RuleSet, top: &str, req: &str) -> Vec<(&'static str, Check)> {
    let l = test_lists();
    let c = case(rs, top, req);
    let a = authorize(&rs.program, &c, 0, &l);
    rfa_findings(&rs.program, &c, 0, a.as_ref())
        .iter()
        .map(|f| (f.code, f.check))
        .collect()
}

#[test]
fn rfa_documentation_must_be_dated_within_30_days_and_signed() {
    let rs = rules();
    let top = |doc: &str, signed: bool| {
        format!("injury: {{ date: 2025-01-06 }}\nrfa: {{ signed: {signed}, documentation_date: {doc} }}")
    };
    let req = "treatment: gabapentin\nstrength: 50 mg\nquantity: 60 tablet\ndate: 2026-06-30";
    let f = rfa(&rs, &top("2026-05-31", true), req);
    assert!(f.contains(&("rfa_documentation_date", Check::Met)), "30 days: {f:?}");
    assert!(f.contains(&("rfa_signed", Check::Met)));
    assert!(f.contains(&("rfa_specific", Check::Met)));
    let f = rfa(&rs, &top("2026-05-30", false), req);
    assert!(f.contains(&("rfa_documentation_date", Check::NotMet)), "31 days: {f:?}");
    assert!(f.contains(&("rfa_signed", Check::NotMet)));
    let f = rfa(
        &rs,
        "injury: { date: 2025-01-06 }",
        "treatment: gabapentin\ndate: 2026-06-30",
    );
    assert!(f.contains(&("rfa_documentation_date", Check::NotDocumented)));
    assert!(f.contains(&("rfa_signed", Check::NotDocumented)));
    assert!(f.contains(&("rfa_specific", Check::NotDocumented)));
    assert!(f.contains(&("ur_deadline", Check::Note)));
    // Before the amended UR regulations: a note, not a check.
    let f = rfa(
        &rs,
        &top("2025-01-01", false),
        "treatment: gabapentin\ndate: 2026-03-31",
    );
    assert!(f.contains(&("rfa_complete", Check::Note)), "{f:?}");
    assert!(!f.iter().any(|(c, _)| *c == "rfa_signed"));
}

#[test]
fn first_30_days_after_a_2018_injury_need_no_rfa_outside_the_exceptions() {
    let rs = rules();
    let net = "injury: { date: 2026-09-01 }\nclaim: { network: true }";
    let f = rfa(
        &rs,
        net,
        "treatment: physical_therapy\nquantity: 6 visit\ndate: 2026-10-01",
    );
    assert_eq!(f, vec![("first_30_days", Check::Met)], "day 30");
    let f = rfa(
        &rs,
        net,
        "treatment: physical_therapy\nquantity: 6 visit\ndate: 2026-10-02",
    );
    assert!(!f.iter().any(|(c, _)| *c == "first_30_days"), "day 31: {f:?}");
    assert!(f.contains(&("rfa_form", Check::Note)));
    // Exceptions: imaging other than X-rays, and drugs the formulary does not exempt.
    let f = rfa(&rs, net, "treatment: mri\nquantity: 1 unit\ndate: 2026-09-10");
    assert!(f.contains(&("first_30_days", Check::NotMet)), "{f:?}");
    let f = rfa(&rs, net, "treatment: gabapentin\ndate: 2026-09-10");
    assert!(f.contains(&("first_30_days", Check::NotMet)), "{f:?}");
    // Outside the network, or not documented.
    let f = rfa(
        &rs,
        "injury: { date: 2026-09-01 }\nclaim: { network: false }",
        "treatment: physical_therapy\nquantity: 6 visit\ndate: 2026-09-10",
    );
    assert!(f.contains(&("first_30_days", Check::NotMet)), "{f:?}");
    let f = rfa(
        &rs,
        "injury: { date: 2026-09-01 }",
        "treatment: physical_therapy\nquantity: 6 visit\ndate: 2026-09-10",
    );
    assert!(f.contains(&("first_30_days", Check::NotDocumented)), "{f:?}");
    // Injuries before 2018 never had the exemption; requests before the
    // current regime get no findings.
    let f = rfa(
        &rs,
        "injury: { date: 2017-11-20 }\nclaim: { network: true }",
        "treatment: physical_therapy\nquantity: 6 visit\ndate: 2017-12-05",
    );
    assert!(!f.iter().any(|(c, _)| *c == "first_30_days"), "{f:?}");
    // (The injury is before the request: a request before its injury
    // does not load.)
    assert!(
        rfa(
            &rs,
            "injury: { date: 2017-11-01 }\nclaim: { network: true }",
            "treatment: physical_therapy\nquantity: 6 visit\ndate: 2017-11-30"
        )
        .is_empty()
    );
}

/// `# expect: request=ID status=S prior_authorization=P [provisional=B] [list=VERSION|shipped]`
#[test]
fn fixture_cases_give_the_answer_they_expect() {
    let rs = rules();
    let test = test_lists();
    let shipped = DrugLists::embedded().expect("shipped list");
    // The fixtures, and any `cases/formulary-*.yaml` (once clinical rules
    // are in force after 2017, formulary cases can live in `cases/`).
    let mut paths = Vec::new();
    for (dir, prefix) in [("tests/fixtures/formulary", ""), ("cases", "formulary-")] {
        for e in std::fs::read_dir(common::root().join(dir)).expect("folder") {
            let p = e.expect("entry").path();
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with(prefix) && name.ends_with(".yaml") {
                paths.push(p);
            }
        }
    }
    paths.sort();
    assert!(paths.len() >= 5);
    let mut failures = Vec::new();
    for path in &paths {
        let name = common::rel(path);
        let text = std::fs::read_to_string(path).expect("read");
        let case = load_yaml(&rs.program, &name, &text).unwrap_or_else(|e| panic!("{e}"));
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("# expect:"))
            .unwrap_or_else(|| panic!("{name}: no `# expect:` line"));
        let kv: std::collections::BTreeMap<&str, &str> =
            expect.split_whitespace().filter_map(|w| w.split_once('=')).collect();
        let lists = if kv.get("list").is_none_or(|l| *l == "shipped") {
            &shipped
        } else {
            &test
        };
        let i = case
            .requests
            .iter()
            .position(|r| Some(&r.id.as_str()) == kv.get("request"))
            .unwrap_or_else(|| panic!("{name}: no such request"));
        let a =
            authorize(&rs.program, &case, i, lists).unwrap_or_else(|| panic!("{name}: the formulary does not apply"));
        let got_status = serde_json::to_value(a.status).expect("json");
        let got_pa = serde_json::to_value(a.prior_authorization).expect("json");
        if Some(&got_status.as_str().unwrap_or("")) != kv.get("status") {
            failures.push(format!("{name}: status {got_status}, expected {:?}", kv.get("status")));
        }
        if Some(&got_pa.as_str().unwrap_or("")) != kv.get("prior_authorization") {
            failures.push(format!(
                "{name}: prior authorization {got_pa}, expected {:?}",
                kv.get("prior_authorization")
            ));
        }
        if let Some(p) = kv.get("provisional")
            && *p != a.provisional.to_string()
        {
            failures.push(format!("{name}: provisional {}, expected {p}", a.provisional));
        }
        if let Some(v) = kv.get("list").filter(|v| **v != "shipped")
            && a.list.as_ref().map(|l| l.version.as_str()) != Some(*v)
        {
            failures.push(format!("{name}: list {:?}, expected {v}", a.list.map(|l| l.version)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn special_fill_is_ruled_out_by_the_date_alone_when_the_first_visit_is_not_documented() {
    let rs = rules();
    let l = test_lists();
    let c = case(
        &rs,
        "injury: { date: 2021-03-01 }",
        "treatment: Percocet\ndays_supply: 4 day\ndate: 2021-03-20",
    );
    let a = authorize(&rs.program, &c, 0, &l).expect("applies");
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "special_fill")
        .expect("special fill");
    assert_eq!(f.check, Check::NotMet, "{}", f.message);
    assert!(f.message.contains("day 19 after the injury"), "{}", f.message);
    assert!(!f.message.contains("not documented"), "{}", f.message);
    // Within 7 days, the first visit decides: not documented.
    let c = case(
        &rs,
        "injury: { date: 2021-03-01 }",
        "treatment: Percocet\ndays_supply: 4 day\ndate: 2021-03-05",
    );
    let a = authorize(&rs.program, &c, 0, &l).expect("applies");
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "special_fill")
        .expect("special fill");
    assert_eq!(f.check, Check::NotDocumented, "{}", f.message);
    assert!(f.message.contains("injury.first_visit"), "{}", f.message);
    // Ruled out by the dates, a missing supply is not listed as well.
    let c = case(&rs, DOI, "treatment: Percocet\ndate: 2021-03-05");
    let a = authorize(&rs.program, &c, 0, &l).expect("applies");
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "special_fill")
        .expect("special fill");
    assert_eq!(f.check, Check::NotMet);
    assert!(!f.message.contains("days_supply"), "{}", f.message);
}

#[test]
fn perioperative_fill_reads_the_surgery_date_of_the_course_too() {
    let rs = rules();
    let l = test_lists();
    let at = |top: &str, date: &str| {
        answer(
            &rs,
            &l,
            top,
            &format!("treatment: Percocet\ndays_supply: 4 day\ndate: {date}"),
        )
    };
    let top = "injury: { date: 2020-01-06, first_visit: 2020-01-07 }\ncourse: { surgery_date: 2020-06-15 }";
    assert_eq!(
        at(top, "2020-06-17").1,
        P::NotRequired,
        "day +2 of the course's surgery"
    );
    let (_, p, f) = at(top, "2020-07-15");
    assert_eq!(p, P::Required);
    assert!(f.contains(&("perioperative_fill", Check::NotMet)), "{f:?}");
    // The fill's own surgery date wins over the course's.
    let top = "injury: { date: 2020-01-06, first_visit: 2020-01-07 }\nsurgery: { date: 2020-07-14 }\ncourse: { surgery_date: 2020-06-15 }";
    assert_eq!(at(top, "2020-07-15").1, P::NotRequired);
}

#[test]
fn the_clinical_outcome_decides_whether_an_exemption_spares_review() {
    use mtus::eval::Outcome;
    use mtus::formulary::join_clinical_outcome;
    let rs = rules();
    let l = test_lists();
    let c = case(
        &rs,
        DOI,
        "treatment: ibuprofen\ndispensed_by: pharmacy\ndate: 2021-03-04",
    );
    let base = authorize(&rs.program, &c, 0, &l).expect("applies");
    assert_eq!((base.status, base.prior_authorization), (S::Exempt, P::NotRequired));
    let joined = |o: Option<Outcome>| {
        let mut a = base.clone();
        join_clinical_outcome(&mut a, o);
        let f = a.findings.iter().find(|f| f.code == "mtus_consistent").map(|f| f.check);
        (a.prior_authorization, a.mtus_consistent, f)
    };
    assert_eq!(joined(None), (P::NotRequired, None, Some(Check::Note)));
    assert_eq!(
        joined(Some(Outcome::MedicallyNecessary)),
        (P::NotRequired, Some(true), Some(Check::Note))
    );
    assert_eq!(
        joined(Some(Outcome::NotMedicallyNecessary)),
        (P::Required, Some(false), Some(Check::NotMet))
    );
    assert_eq!(
        joined(Some(Outcome::InsufficientDocumentation)),
        (P::Required, Some(false), Some(Check::NotDocumented))
    );
    // A drug that needs review anyway is left as it is.
    let c = case(&rs, DOI, "treatment: tramadol\ndate: 2021-03-04");
    let mut a = authorize(&rs.program, &c, 0, &l).expect("applies");
    let before = a.clone();
    join_clinical_outcome(&mut a, Some(Outcome::NotMedicallyNecessary));
    assert_eq!(a, before);
    // Neither does it apply to a drug the physician administers.
    let c = case(&rs, DOI, "treatment: ibuprofen\nadministered: true\ndate: 2021-03-04");
    let mut a = authorize(&rs.program, &c, 0, &l).expect("applies");
    join_clinical_outcome(&mut a, Some(Outcome::NotMedicallyNecessary));
    assert_eq!(a.prior_authorization, P::NotRequired);
}
