//! Lines that are wrong or unclear: each gives a located problem naming
//! the part, with a one-sentence lowercase message and a help text.

mod common;

use mtus_request::{Problem, Severity, read};

/// The problems of a line as (kind, the text the span covers).
fn problems(line: &str) -> Vec<(String, String)> {
    let r = read(line, &common::TestVocab::new());
    r.problems
        .iter()
        .map(|p| (p.kind().to_string(), line[p.span().start..p.span().end].to_string()))
        .collect()
}

fn has(line: &str, kind: &str, part: &str) {
    let ps = problems(line);
    assert!(
        ps.iter().any(|(k, t)| k == kind && t == part),
        "{line}: expected {kind} at {part:?}, got {ps:?}"
    );
}

fn clean(line: &str) {
    let ps = problems(line);
    assert!(ps.is_empty(), "{line}: expected no problem, got {ps:?}");
}

#[test]
fn frequency_without_duration() {
    has("PT 2x/week", "frequency_without_duration", "2x/week");
    has(
        "Physical therapy 3 times a week for the right knee",
        "frequency_without_duration",
        "3 times a week",
    );
    has(
        "Home health aide 6 hours per day",
        "frequency_without_duration",
        "6 hours per day",
    );
    has("Tramadol 50 mg bid", "frequency_without_duration", "bid");
    clean("PT 2x/week x 6 weeks");
    clean("Physical therapy 3 times a week (12 visits)");
    clean("Tramadol 50 mg bid #60");
}

#[test]
fn totals_that_disagree() {
    has("PT 2x6 (8 visits)", "totals_disagree", "8 visits");
    has(
        "Physical therapy 2 times a week for 4 weeks (10 visits)",
        "totals_disagree",
        "10 visits",
    );
    has(
        "Acupuncture 6 sessions 2 times a week for 4 weeks",
        "totals_disagree",
        "6 sessions",
    );
    clean("Additional physical therapy two times four visits (8) for the lumbar");
    clean("physical therapy 2 times a week for 6 weeks (12 sessions) to the right elbow");
    clean("PT 2-3 times a week for 4 weeks (10 visits)");
}

#[test]
fn units_that_do_not_fit_the_form() {
    has("Voltaren gel 1% 60 tablets", "unit_does_not_fit_form", "tablets");
    has("Lidoderm patch 5% 30 ml", "unit_does_not_fit_form", "ml");
    has("Ibuprofen tablets 100 g", "unit_does_not_fit_form", "g");
    has(
        "Lidoderm 5% patch 1-2 tabs daily #30",
        "unit_does_not_fit_form",
        "1-2 tabs",
    );
    clean("Voltaren 1% gel 100 g");
    clean("Lidoderm 5% patch #30 x1 refill");
}

#[test]
fn malformed_codes() {
    has("TENS unit E073", "malformed_code", "E073");
    has("TENS unit HCPCS E07300", "malformed_code", "E07300");
    has("Knee brace F1234", "malformed_code", "F1234");
    has("Massage CPT 9712", "malformed_code", "9712");
    has("Office visit CPT 992134", "malformed_code", "992134");
    clean("TENS unit E0730");
    clean("Office visit CPT 99213");
}

#[test]
fn sides_that_contradict() {
    has("Left knee MRI of the right knee", "side_contradiction", "right knee");
    has("Left right knee brace", "side_contradiction", "Left right");
    has(
        "MRI of the bilateral knees and right knee",
        "side_contradiction",
        "right knee",
    );
    has("Left MRI of the right shoulder", "side_contradiction", "Left");
    clean("MRI of the left knee and right shoulder");
    clean("X-rays of the left and right knees");
}

#[test]
fn unknown_and_misspelt_treatments() {
    has("Nocro 10/325 #120", "misspelt_treatment", "Nocro");
    has("Flexiril 10mg #30", "misspelt_treatment", "Flexiril");
    has("Zzyzx 10 mg #30", "unknown_treatment", "Zzyzx");
    has("#120 10/325", "no_treatment", "#120 10/325");
    let r = read("Ibuprofin 800 mg #90", &common::TestVocab::new());
    let p = r.errors().next().expect("an error");
    assert_eq!(p.help(), "did you mean 'ibuprofen'?");
}

#[test]
fn ambiguous_numbers_are_reported_not_taken() {
    has("Physical therapy 6", "ambiguous_number", "6");
    has("Norco 10/325 mg 120", "ambiguous_number", "120");
    let r = read("Norco 10/325 mg 120", &common::TestVocab::new());
    assert!(r.quantity.is_none());
}

#[test]
fn invalid_levels_and_dates() {
    has("Facet injection L6-5", "invalid_level", "L6-5");
    has("ESI L3-L2", "invalid_level", "L3-L2");
    has("Retrospective MRI DOS 13/45/2016", "invalid_date", "13/45/2016");
    has("MRI DOS 02/30/2017", "invalid_date", "02/30/2017");
}

#[test]
fn messages_are_one_lowercase_sentence_with_help() {
    let lines = [
        "PT 2x/week",
        "PT 2x6 (8 visits)",
        "Voltaren gel 1% 60 tablets",
        "TENS unit E073",
        "Left right knee brace",
        "Nocro 10/325 #120",
        "Zzyzx 10 mg #30",
        "Physical therapy 6",
        "Facet injection L6-5",
        "MRI DOS 13/45/2016",
        "#120",
    ];
    let mut kinds = std::collections::BTreeSet::new();
    for line in lines {
        for p in read(line, &common::TestVocab::new()).problems {
            let m = p.to_string();
            let first = m.chars().next().unwrap_or('X');
            assert!(!first.is_uppercase(), "{m}");
            assert!(!m.ends_with('.') && !m.contains(". "), "{m}");
            assert!(!p.help().is_empty());
            assert!(p.span().end <= line.len());
            kinds.insert(p.kind());
        }
    }
    assert_eq!(kinds.len(), 11, "{kinds:?}");
}

#[test]
fn severities() {
    let r = read("PT 2x/week", &common::TestVocab::new());
    assert!(r.problems.iter().all(|p| p.severity() == Severity::Warning));
    let r = read("PT 2x6 (8 visits)", &common::TestVocab::new());
    assert!(matches!(r.errors().next(), Some(Problem::TotalsDisagree { .. })));
}
