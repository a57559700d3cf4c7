//! The shipped patterns against their own examples (sentences the
//! project wrote), the context engine against its examples, and the
//! property that a negation word before a finding, with no terminator
//! between, never leaves the finding present.

use mtus_letters::Place;
use mtus_summary::{Engine, Polarity, Sentence, context::bracketed};
use serde_json::Value;

fn engine() -> Engine {
    Engine::builtin().expect("the shipped patterns read")
}

fn at(text: &str) -> Sentence {
    Sentence::at(text, Place { page: 1, line: 1 })
}

#[test]
fn every_pattern_gives_what_its_examples_expect() {
    let e = engine();
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in &e.patterns {
        for ex in &p.examples {
            checked += 1;
            let mut out = Vec::new();
            e.propose_with(p, &at(&ex.text), &mut out);
            let got = out.iter().rev().find(|x| x.established).and_then(|x| x.value.clone());
            let want = match &ex.expect {
                Value::String(s) if s == "none" => None,
                Value::Null => None,
                v => Some(v.clone()),
            };
            if got != want {
                failures.push(format!(
                    "{}: \"{}\": expected {want:?}, got {got:?} ({out:?})",
                    p.id, ex.text
                ));
            }
        }
    }
    assert!(checked >= 40, "only {checked} examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_context_words_give_what_their_examples_expect() {
    let e = engine();
    let mut failures = Vec::new();
    for ex in &e.context.examples {
        let (text, span) = bracketed(&ex.text).expect("an example marks its finding in brackets");
        let c = e.context.context(&text, span, None);
        if c.polarity != ex.expect {
            failures.push(format!("\"{}\": expected {:?}, got {:?}", ex.text, ex.expect, c));
        }
    }
    assert!(e.context.examples.len() >= 15);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_polarity_has_a_context_example() {
    let e = engine();
    for p in [
        Polarity::Present,
        Polarity::Absent,
        Polarity::Uncertain,
        Polarity::Hypothetical,
        Polarity::Historical,
        Polarity::OtherPerson,
    ] {
        assert!(e.context.examples.iter().any(|x| x.expect == p), "no example of {p:?}");
    }
}

/// Each negation word, before each exam finding of the examples, with a
/// few words between and no terminator, never proposes the finding present.
#[test]
fn a_negation_before_a_finding_never_proposes_it_present() {
    let e = engine();
    let negations = [
        "no",
        "denies",
        "without",
        "negative for",
        "free of",
        "absence of",
        "never had",
        "not",
    ];
    let fillers = ["", "any ", "any obvious ", "signs of ", "evidence of clear "];
    let findings = [
        "spasm",
        "muscle spasms",
        "trigger points",
        "paraspinal spasm",
        "foot drop",
    ];
    let mut checked = 0;
    for n in negations {
        for f in fillers {
            for x in findings {
                let text = format!("The examiner noted {n} {f}{x} today.");
                for p in e.propose_sentence(&at(&text)) {
                    checked += 1;
                    assert!(
                        p.polarity != Polarity::Present && p.value != Some(Value::Bool(true)),
                        "\"{text}\" proposed {} = {:?} ({:?})",
                        p.path,
                        p.value,
                        p.polarity
                    );
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} proposals looked at");
}

#[test]
fn uncertain_and_hypothetical_statements_are_never_established() {
    let e = engine();
    for text in [
        "There is possible spasm of the neck muscles.",
        "Spasm of the low back is suspected.",
        "The plan is to rule out spasm with a second exam.",
        "If spasm returns she will call.",
        "The doctor requested 12 sessions of physical therapy.",
        "Her father had spasm of the back.",
    ] {
        let props = e.propose_sentence(&at(text));
        assert!(!props.is_empty(), "\"{text}\": the finding was not even found");
        for p in props {
            assert!(!p.established, "\"{text}\" established {} ({:?})", p.path, p.polarity);
        }
    }
}

#[test]
fn a_terminator_ends_the_negation() {
    let e = engine();
    let props = e.propose_sentence(&at("There is no tenderness, but spasm is present in the low back."));
    let spasm: Vec<_> = props.iter().filter(|p| p.path == "exam.muscle_spasm").collect();
    assert_eq!(spasm.len(), 1, "{props:?}");
    assert_eq!(spasm[0].value, Some(Value::Bool(true)));
    assert_eq!(spasm[0].polarity, Polarity::Present);
}

#[test]
fn a_summary_keeps_one_proposal_per_path_with_its_place() {
    use mtus_letters::Line;
    let e = engine();
    let line = |l: u32, t: &str| Line {
        place: Place { page: 1, line: l },
        text: t.to_string(),
    };
    let summary = [
        line(10, "A progress report dated 10/01/2016 noted spasm of the"),
        line(
            11,
            "neck. Pain was rated 6/10. A progress report dated 11/05/2016 noted",
        ),
        line(12, "no spasm of the neck. Pain was rated 4/10. Her brother has"),
        line(13, "spasm of the back."),
    ];
    let found = e.propose(&summary);
    let facts: Vec<(String, Value, u32)> = found
        .facts()
        .map(|p| (p.path.clone(), p.value.clone().unwrap_or(Value::Null), p.place.line))
        .collect();
    assert_eq!(
        facts,
        vec![
            ("exam.muscle_spasm".to_string(), Value::Bool(false), 12),
            ("exam.date".to_string(), Value::String("2016-11-05".into()), 11),
            ("pain.current".to_string(), serde_json::json!(4), 12),
        ]
    );
    let other = found
        .all
        .iter()
        .find(|p| p.polarity == Polarity::OtherPerson)
        .expect("the brother's spasm is found");
    assert!(!other.established);
    assert_eq!(other.trigger.as_deref(), Some("brother"));
    assert_eq!(other.place.line, 13);
}

#[test]
fn a_bad_pattern_file_is_named_with_its_line() {
    let ctx = mtus_summary::BUILTIN_CONTEXT;
    let bad = "family: x\npatterns:\n  - id: a\n    path: exam.muscle_spasm\n    find: ['(unclosed']\n    present: true\n    examples: [{ text: \"x\", expect: true }]\n";
    let err = Engine::from_texts(ctx, &[("bad.yaml", bad)]).err().expect("an error");
    assert!(
        err.to_string().starts_with("bad.yaml: the pattern `(unclosed`"),
        "{err}"
    );
    let err = Engine::from_texts(ctx, &[("bad.yaml", "family: x\npatterns: [\n")])
        .err()
        .expect("an error");
    assert!(err.to_string().starts_with("bad.yaml: line "), "{err}");
    let no_examples = "family: x\npatterns:\n  - { id: a, path: exam.x, find: [a], present: true, examples: [] }\n";
    let err = Engine::from_texts(ctx, &[("bad.yaml", no_examples)])
        .err()
        .expect("an error");
    assert!(err.to_string().contains("has no examples"), "{err}");
}
