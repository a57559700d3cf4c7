//! Letters written for the project (tests/fixtures/), in both layouts and
//! damaged in the ways text extraction damages letters.

use mtus_letters::{Citation, Decision, Evidence, Layout, Letter, LetterError, Place, Sex, read_text};

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(name: &str) -> Letter {
    read_text(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (source, year, sections, pages, mtus) of each reference.
type Refs = Vec<(String, Option<u16>, Vec<String>, Vec<String>, bool)>;

fn refs(c: &Option<Citation>) -> Refs {
    c.as_ref()
        .map(|c| {
            c.refs
                .iter()
                .map(|r| (r.source.clone(), r.year, r.sections.clone(), r.pages.clone(), r.mtus))
                .collect()
        })
        .unwrap_or_default()
}

fn r(
    source: &str,
    year: Option<u16>,
    sections: &[&str],
    pages: &[&str],
    mtus: bool,
) -> (String, Option<u16>, Vec<String>, Vec<String>, bool) {
    (
        source.into(),
        year,
        sections.iter().map(|s| s.to_string()).collect(),
        pages.iter().map(|s| s.to_string()).collect(),
        mtus,
    )
}

/// Every value the current-layout fixture holds, whatever the damage.
fn assert_current(l: &Letter, name: &str) {
    let v = |o: &Option<mtus_letters::Located<String>>| o.as_ref().map(|x| x.value.clone());
    assert_eq!(l.layout, Layout::Current, "{name}");
    assert_eq!(v(&l.case_number).as_deref(), Some("CM99-0000101"), "{name}");
    assert_eq!(v(&l.date_assigned).as_deref(), Some("2015-03-02"), "{name}");
    assert_eq!(v(&l.injury_date).as_deref(), Some("2013-07-14"), "{name}");
    assert_eq!(v(&l.decision_date).as_deref(), Some("2015-04-06"), "{name}");
    assert_eq!(v(&l.ur_denial_date).as_deref(), Some("2015-02-20"), "{name}");
    assert_eq!(v(&l.application_received).as_deref(), Some("2015-02-26"), "{name}");
    assert_eq!(v(&l.priority).as_deref(), Some("Standard"), "{name}");
    let codes: Vec<_> = l.licensure.iter().map(|x| x.value.code.as_str()).collect();
    assert_eq!(codes, ["CA", "OR"], "{name}");
    let specs: Vec<_> = l.specialties.iter().map(|x| x.value.as_str()).collect();
    assert_eq!(specs, ["Family Medicine", "Sports Medicine"], "{name}");
    assert_eq!(l.age.as_ref().map(|a| a.value), Some(47), "{name}");
    assert_eq!(l.sex.as_ref().map(|s| s.value), Some(Sex::Female), "{name}");
    assert!(
        l.summary.iter().any(|x| x.text.contains("warehouse")),
        "{name}: summary lines"
    );
    assert_eq!(
        l.items.len(),
        3,
        "{name}: {:#?}",
        l.items.iter().map(|i| &i.heading.value).collect::<Vec<_>>()
    );

    let i1 = &l.items[0];
    assert_eq!(i1.text.value, "MRI of the right shoulder without contrast", "{name}");
    assert_eq!(i1.decision.value, Decision::Upheld, "{name}");
    assert_eq!(
        refs(&i1.claims_administrator),
        vec![r("Shoulder Complaints", Some(2004), &["Special Studies"], &[], true)],
        "{name}"
    );
    assert_eq!(
        refs(&i1.reviewer),
        vec![
            r("Shoulder Complaints", Some(2004), &["Special Studies"], &[], true),
            r("Chronic Pain Medical Treatment", Some(2009), &[], &[], true),
            r(
                "ODG",
                None,
                &["Shoulder Chapter", "Magnetic resonance imaging"],
                &[],
                false
            ),
        ],
        "{name}"
    );

    let i2 = &l.items[1];
    assert_eq!(
        i2.text.value,
        "Topical compound cream with ketoprofen 10% and lidocaine 5%, 120 grams, apply to the low back twice daily",
        "{name}"
    );
    assert_eq!(i2.decision.value, Decision::Overturned, "{name}");
    assert_eq!(
        i2.claims_administrator.as_ref().map(|c| c.evidence),
        Some(Evidence::NoneCited),
        "{name}"
    );
    assert_eq!(
        refs(&i2.reviewer),
        vec![r(
            "Chronic Pain Medical Treatment",
            Some(2009),
            &["Topical Analgesics"],
            &["111-113"],
            true
        )],
        "{name}"
    );

    let i3 = &l.items[2];
    assert_eq!(
        i3.text.value, "Physical therapy 2 times a week for 3 weeks for the lumbar spine",
        "{name}"
    );
    assert_eq!(i3.decision.value, Decision::Upheld, "{name}");
    assert!(i3.ur_modified, "{name}");
    assert_eq!(
        v(&i3.original_request).as_deref(),
        Some("Physical therapy 2 times a week for 6 weeks for the lumbar spine"),
        "{name}"
    );
    assert_eq!(
        v(&i3.authorized).as_deref(),
        Some("Physical therapy 2 times a week for 3 weeks for the lumbar spine"),
        "{name}"
    );
    assert_eq!(
        refs(&i3.claims_administrator),
        vec![
            r(
                "Chronic Pain Medical Treatment",
                Some(2009),
                &["Physical Medicine"],
                &[],
                true
            ),
            r(
                "ACOEM Occupational Medicine Practice Guidelines, 3rd ed.",
                None,
                &["Low Back Disorders"],
                &["310"],
                false
            ),
        ],
        "{name}"
    );
    assert_eq!(
        refs(&i3.reviewer),
        vec![
            r("Low Back Complaints", Some(2004), &[], &[], true),
            r(
                "Chronic Pain Medical Treatment",
                Some(2009),
                &["Physical Medicine"],
                &["99"],
                true
            ),
            r("UpToDate", None, &["Physical therapy for low back pain"], &[], false),
        ],
        "{name}"
    );
    for it in &l.items {
        assert!(!it.rationale.is_empty(), "{name}: item {} rationale", it.number);
    }
    assert!(l.problems.is_empty(), "{name}: {:#?}", l.problems);
}

#[test]
fn current_layout() {
    let l = read("current.txt");
    assert_current(&l, "current.txt");
    // Places: page 2 begins with the issues heading (file line 26), so
    // file line N of page 2 is p2:(N - 25).
    assert_eq!(
        l.case_number.as_ref().map(|c| c.place),
        Some(Place { page: 1, line: 1 })
    );
    assert_eq!(l.items[0].text.place, Place { page: 2, line: 4 });
    assert_eq!(l.items[1].decision.place, Place { page: 2, line: 17 });
    let i3 = &l.items[2];
    // "Physical therapy ... 6 weeks ... was the original request." opens file line 53.
    assert_eq!(
        i3.original_request.as_ref().map(|o| o.place),
        Some(Place { page: 2, line: 28 })
    );
    // The eligible portion begins with the last word of file line 55 ("..., Physical").
    assert_eq!(i3.text.place, Place { page: 2, line: 30 });
    // "47-year-old" is on file line 20.
    assert_eq!(l.age.as_ref().map(|a| a.place), Some(Place { page: 1, line: 20 }));
}

#[test]
fn damaged_broken_lines() {
    assert_current(&read("damaged_broken_lines.txt"), "damaged_broken_lines.txt");
}

#[test]
fn damaged_page_footers_mid_item() {
    let l = read("damaged_footers.txt");
    assert_current(&l, "damaged_footers.txt");
    // The footer ends page 2 inside item 2's heading: its decision is on page 3.
    assert_eq!(l.items[1].text.place.page, 2);
    assert_eq!(l.items[1].decision.place.page, 3);
    assert!(l.lines.iter().all(|x| !x.text.starts_with("Page ")));
}

#[test]
fn damaged_hyphenation_ligatures_quotes_spaces() {
    let l = read("damaged_hyphen_ligature_quotes.txt");
    assert_current(&l, "damaged_hyphen_ligature_quotes.txt");
    let rationale: String = l.items[0]
        .rationale
        .iter()
        .map(|x| x.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(rationale.contains("stiffness"), "{rationale}");
    assert!(l.lines.iter().all(|x| {
        !x.text
            .contains(['\u{FB00}', '\u{FB01}', '\u{201C}', '\u{2019}', '\u{A0}'])
    }));
}

#[test]
fn missing_decision_word_is_unreadable() {
    let l = read("missing_decision.txt");
    let d: Vec<_> = l.items.iter().map(|i| i.decision.value).collect();
    assert_eq!(d, [Decision::Upheld, Decision::Unreadable, Decision::Unreadable]);
    assert!(
        l.items[1].text.value.ends_with("twice daily"),
        "{}",
        l.items[1].text.value
    );
    assert_eq!(
        l.items[2].text.value,
        "Physical therapy 2 times a week for 3 weeks for the lumbar spine"
    );
    let whats: Vec<_> = l.problems.iter().map(|p| p.what.as_str()).collect();
    assert_eq!(whats, ["item 2 decision", "item 3 decision"]);
    assert!(l.problems.iter().all(|p| p.place.is_some()));
    assert!(l.problems[1].message.contains("Uph#ld"), "{}", l.problems[1].message);
}

#[test]
fn legacy_2013_layout() {
    let l = read("legacy_2013.txt");
    assert_eq!(l.layout, Layout::Legacy2013);
    let v = |o: &Option<mtus_letters::Located<String>>| o.as_ref().map(|x| x.value.clone());
    assert_eq!(v(&l.case_number).as_deref(), Some("CM13-0000202"));
    assert_eq!(v(&l.date_assigned).as_deref(), Some("2013-09-03"));
    assert_eq!(v(&l.injury_date).as_deref(), Some("2012-01-15"));
    assert_eq!(v(&l.decision_date).as_deref(), Some("2013-12-20"));
    assert_eq!(v(&l.ur_denial_date).as_deref(), Some("2013-08-12"));
    assert_eq!(v(&l.application_received).as_deref(), Some("2013-08-26"));
    let codes: Vec<_> = l.licensure.iter().map(|x| x.value.code.as_str()).collect();
    assert_eq!(codes, ["CA", "NV"]);
    let specs: Vec<_> = l.specialties.iter().map(|x| x.value.as_str()).collect();
    assert_eq!(specs, ["Physical Medicine & Rehabilitation", "Pain Management"]);
    assert_eq!(
        (l.age.as_ref().map(|a| a.value), l.sex.as_ref().map(|s| s.value)),
        (Some(52), Some(Sex::Male))
    );
    let items: Vec<_> = l
        .items
        .iter()
        .map(|i| (i.text.value.as_str(), i.decision.value))
        .collect();
    assert_eq!(
        items,
        [
            ("aquatic therapy 2 times a week for 4 weeks", Decision::Upheld),
            ("a lumbar support brace", Decision::Overturned)
        ]
    );
    assert_eq!(
        refs(&l.items[0].claims_administrator),
        vec![r("Chronic Pain Medical Treatment", None, &[], &["22"], true)]
    );
    assert_eq!(
        refs(&l.items[0].reviewer),
        vec![r(
            "ODG",
            None,
            &["Low Back chapter", "which is not part of the MTUS"],
            &[],
            false
        )]
    );
    assert_eq!(
        l.items[1].claims_administrator.as_ref().map(|c| c.evidence),
        Some(Evidence::NoneCited)
    );
    assert_eq!(
        refs(&l.items[1].reviewer),
        vec![r("Low Back Complaints", None, &[], &["301"], true)]
    );
    assert!(l.items.iter().all(|i| !i.rationale.is_empty()));
    assert!(l.problems.is_empty(), "{:#?}", l.problems);
}

#[test]
fn not_a_letter_says_so() {
    match read_text(&fixture("not_a_letter.txt")) {
        Err(LetterError::NotALetter { reason }) => assert!(reason.contains("case number")),
        other => panic!("expected NotALetter, got {other:?}"),
    }
    assert!(matches!(read_text(""), Err(LetterError::NotALetter { .. })));
}

#[test]
fn explain_names_lines() {
    let l = read("current.txt");
    insta::assert_snapshot!(mtus_letters::explain(&l));
}

#[test]
fn rows_csv_and_jsonl() {
    let l = read("current.txt");
    let rows = l.rows("current.txt");
    assert_eq!(rows.len(), 3);
    let mut jsonl = Vec::new();
    mtus_letters::write_jsonl(&mut jsonl, &rows).expect("jsonl");
    let text = String::from_utf8(jsonl).expect("utf8");
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap_or_default()).expect("json line");
    assert_eq!(first["decision"], "upheld");
    assert_eq!(first["licensure"], serde_json::json!(["CA", "OR"]));
    assert_eq!(first["reviewer"][2]["source"], "ODG");
    assert_eq!(first["page"], 2);
    let mut csv = Vec::new();
    mtus_letters::write_csv(&mut csv, &rows).expect("csv");
    let csv = String::from_utf8(csv).expect("utf8");
    insta::assert_snapshot!(csv);
}
