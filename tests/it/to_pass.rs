//! "To pass": the value that passes, what cannot pass first, a missing
//! prior course asked for whole.

use crate::common;

use common::{mtus, stdout};
use serde_json::Value;

fn to_pass(case_yaml: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("c.yaml");
    std::fs::write(&file, case_yaml).expect("write");
    let o = mtus(&["check", "--format", "json", file.to_str().expect("utf-8")]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    v["cases"][0]["requests"][0]["to_pass"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn document<'a>(advice: &'a [Value], fact: &str) -> &'a Value {
    advice
        .iter()
        .find(|a| a["kind"] == "document" && a["fact"] == fact)
        .unwrap_or_else(|| panic!("no `document {fact}` in {advice:#?}"))
}

/// The example: ongoing opioids with the aberrant-behavior
/// finding not documented. What passes is `false` (none found), not just
/// "document it".
const OPIOIDS: &str = "\
case: t
history:
  hydrocodone_acetaminophen: {received: true, duration: 14 month, functional_improvement: true}
medications: { current: [hydrocodone_acetaminophen] }
pain: {with_medication: 4, without_medication: 8}
function: {improvement: true}
opioids:
  med_per_day: 40 mg_med
  assessed: {analgesia: true, activities: true, adverse_effects: true, aberrant_behavior: true}
  agreement: true
  drug_screen_consistent: true
requests:
- { id: norco, treatment: Norco, quantity: 120 tablet, duration: 1 month, intent: chronic, date: 2015-06-16 }
";

#[test]
fn a_bool_to_document_says_which_value_passes() {
    let advice = to_pass(OPIOIDS);
    let a = document(&advice, "opioids.aberrant_behavior_found");
    assert_eq!(a["passes"], "false", "{a:#}");
    assert_eq!(a["values"], "true or false");
    // A fact whose passing value is true says so too.
    let seed = std::fs::read_to_string(common::root().join("cases/seed-000.yaml")).expect("seed");
    let advice = to_pass(&seed);
    assert_eq!(document(&advice, "exam.muscle_spasm")["passes"], "true");
    // What cannot pass as requested comes before what to document.
    let kinds: Vec<&str> = advice.iter().filter_map(|a| a["kind"].as_str()).collect();
    let first_doc = kinds.iter().position(|k| *k == "document").expect("a document");
    assert!(kinds[..first_doc].contains(&"unmet"), "{kinds:?}");
    assert!(!kinds[first_doc..].contains(&"unmet"), "{kinds:?}");
}

#[test]
fn a_percent_to_document_says_the_bound() {
    // Continuing duloxetine needs documented pain relief from it.
    let advice = to_pass(
        "case: t\ndiagnoses: [{ text: diabetic neuropathy, tags: [diabetic_neuropathy] }]\nhistory:\n  duloxetine: { received: true, functional_improvement: true }\nrequests:\n- { id: d, treatment: duloxetine, quantity: 30 tablet, date: 2015-06-16 }\n",
    );
    let a = document(&advice, "history.duloxetine.pain_relief");
    assert_eq!(a["passes"], "at least 30", "{a:#}");
}

#[test]
fn a_prior_course_with_no_entry_is_asked_for_whole() {
    // A new NSAID for back pain: the case lists no prior naproxen.
    let case = std::fs::read_to_string(common::root().join("cases/nsaid-new-back-pain-acetaminophen-not-tried.yaml"))
        .expect("case");
    let advice = to_pass(&case);
    assert!(!advice.is_empty(), "the case should not pass");
    for a in &advice {
        let fact = a["fact"].as_str().unwrap_or("");
        assert!(!fact.ends_with(".received"), "asks for a `received` alone: {a:#}");
    }
    let whole = advice
        .iter()
        .find(|a| a["kind"] == "document" && a["fact"].as_str().is_some_and(|f| f.starts_with("history.")))
        .unwrap_or_else(|| panic!("no prior course asked for: {advice:#?}"));
    let d = whole["description"].as_str().unwrap_or("");
    assert!(d.starts_with("the prior course of "), "{d}");
    assert!(d.contains("received"), "{d}");
}
