//! Plain questions for the facts offices are asked most, written by hand
//! (a fact's description is written for the rule author: "documented
//! failure of conservative care (therapy, exercise, medication)"; the
//! page asks "Has conservative care (therapy, exercise, medication) been
//! tried and failed?").
//!
//! The facts are the ones the shipped rules' criteria read most (counted
//! over `/v1/rules`' `reads`), and the request's own fields. A fact not
//! listed gets a question made from its description ([`question`]).
//! `{treatment}` stands for the treatment an earlier-treatment fact is
//! about, in words.
//!
//! Invariant: every fact named here is declared by the shipped rules (a
//! unit test checks it), so a renamed fact cannot leave a stale question.

/// (fact as declared, the question asked for it).
pub const QUESTIONS: &[(&str, &str)] = &[
    ("request.date", "What is the date of the request?"),
    ("request.quantity", "How much is requested in total?"),
    ("request.strength", "What is the strength of one dose?"),
    ("request.days_supply", "How many days does the supply last?"),
    ("request.duration", "How long is the requested course?"),
    ("request.per_week", "How many times a week?"),
    ("request.intent", "What is the request for?"),
    ("request.body_region", "Which part of the body is treated?"),
    (
        "request.med_per_day",
        "What is the morphine-equivalent dose per day of this request?",
    ),
    (
        "request.ur_authorized",
        "How many visits of this same request did utilization review already authorize?",
    ),
    ("history.*.received", "Was {treatment} given before, for this injury?"),
    (
        "history.*.functional_improvement",
        "Did {treatment} bring objective functional improvement?",
    ),
    (
        "history.*.visits",
        "How many visits or sessions of {treatment} were completed?",
    ),
    (
        "history.*.duration",
        "How long was {treatment} used, or how long did the course last?",
    ),
    ("history.*.pain_relief", "How much pain relief did {treatment} give?"),
    (
        "history.*.medication_reduced",
        "Did pain medication use fall after {treatment}?",
    ),
    ("medications.current", "Which medications does the patient take now?"),
    ("diagnoses.tags", "Which diagnoses does the record give?"),
    (
        "exam.red_flags",
        "Which red flags were found (signs of a serious condition)?",
    ),
    ("exam.muscle_spasm", "Was muscle spasm found on examination?"),
    (
        "exam.radiculopathy",
        "Were objective signs of radiculopathy found (numbness in a nerve's area, weakness, reflex change)?",
    ),
    (
        "course.conservative_care_failed",
        "Has conservative care (therapy, exercise, medication) been tried and failed?",
    ),
    ("course.pain_duration", "How long has the pain lasted?"),
    (
        "course.surgical_candidate",
        "Is surgery or another invasive procedure being considered?",
    ),
    (
        "course.first_line_tried",
        "Which first-line medications have been tried?",
    ),
    ("course.home_exercise", "Is the patient doing a home exercise program?"),
    (
        "course.surgery_date",
        "When was the most recent surgery for this injury?",
    ),
    (
        "course.acute_exacerbation",
        "Is an acute flare of chronic pain documented?",
    ),
    (
        "course.active_therapy",
        "Is the patient in active treatment now (supervised exercise or physical therapy)?",
    ),
    ("pain.type", "What kind of pain is it?"),
    (
        "pain.without_medication",
        "How bad is the pain without medication (0 to 10)?",
    ),
    ("pain.with_medication", "How bad is the pain with medication (0 to 10)?"),
    (
        "function.improvement",
        "Is objective functional improvement documented (better daily activities or fewer work restrictions)?",
    ),
    ("function.work_status", "What is the patient's work status?"),
    ("claimant.age", "How old is the patient?"),
    ("injury.date", "What is the date of injury?"),
    (
        "surgery.procedures",
        "Which procedures does the planned surgery include?",
    ),
    (
        "imaging.knee_tear_suspected",
        "Does the treating physician suspect a meniscus or ligament tear of the knee?",
    ),
    (
        "gi.risk_factors",
        "Which stomach (GI) risk factors does the patient have?",
    ),
    ("opioids.risk_level", "What is the patient's risk of opioid misuse?"),
    (
        "opioids.aberrant_behavior_found",
        "Was aberrant drug-taking behavior found (early refills, several prescribers, inconsistent screens)?",
    ),
    ("opioids.agreement", "Is an opioid treatment agreement on file?"),
    (
        "opioids.drug_screen_consistent",
        "Are the urine drug screens consistent with the prescriptions?",
    ),
    (
        "opioids.med_per_day",
        "What is the patient's total morphine-equivalent dose per day (all opioids)?",
    ),
    (
        "tests.imaging_corroborates_radiculopathy",
        "Do imaging or electrodiagnostic tests confirm the radiculopathy?",
    ),
    (
        "dme.medical_need",
        "Does the treating physician state the medical need for the equipment or supply?",
    ),
];

/// The hand-written question for a fact (as declared), if there is one.
pub fn written(fact: &str) -> Option<&'static str> {
    QUESTIONS.iter().find(|(f, _)| *f == fact).map(|(_, q)| *q)
}

/// The question the page asks for `fact` (as declared), with
/// `{treatment}` filled in: the hand-written one, else one made from the
/// description ("Documented: ...?" for a yes/no fact, the description
/// with a capital otherwise; its trailing examples in brackets left to
/// the hint).
pub fn question(fact: &str, ty: &str, description: &str, treatment: Option<&str>) -> String {
    let q = match written(fact) {
        Some(q) => q.to_string(),
        None => {
            let d = short(description);
            if ty == "bool" {
                format!("Documented: {d}?")
            } else {
                capital(&d)
            }
        }
    };
    q.replace("{treatment}", treatment.unwrap_or("this treatment"))
}

/// A description without its trailing examples in brackets.
fn short(d: &str) -> String {
    let t = d.trim();
    match t.rfind(" (") {
        Some(i) if t.ends_with(')') => t[..i].trim_end().to_string(),
        _ => t.to_string(),
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_question_names_a_declared_fact_once() {
        let mut sources = crate::diag::SourceMap::new();
        let Ok(rules) = crate::RuleSet::embedded(&mut sources) else {
            panic!("the shipped rules check");
        };
        for (i, (fact, q)) in QUESTIONS.iter().enumerate() {
            assert!(
                rules.program.schema.lookup(fact).is_some(),
                "{fact} is not a declared fact"
            );
            assert!(q.ends_with('?'), "{fact}: {q:?} is not a question");
            assert!(!QUESTIONS[..i].iter().any(|(f, _)| f == fact), "{fact} is listed twice");
        }
        assert!(QUESTIONS.len() >= 30, "only {} questions", QUESTIONS.len());
    }

    #[test]
    fn written_first_then_from_the_description() {
        assert_eq!(
            question("exam.muscle_spasm", "bool", "muscle spasm found on examination", None),
            "Was muscle spasm found on examination?"
        );
        assert_eq!(
            question(
                "history.*.received",
                "bool",
                "this treatment was given before",
                Some("massage therapy")
            ),
            "Was massage therapy given before, for this injury?"
        );
        assert_eq!(
            question("x.y", "bool", "an opioid treatment agreement is on file (signed)", None),
            "Documented: an opioid treatment agreement is on file?"
        );
        assert_eq!(question("x.z", "symbol", "kind of pain", None), "Kind of pain");
    }
}
