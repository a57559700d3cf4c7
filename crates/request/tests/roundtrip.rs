//! Rendering a reading and reading the rendered line again gives the same
//! values: over generated lines (proptest) and over the fixture lines.

mod common;

use mtus_request::{read, render};
use proptest::prelude::*;

fn same_values(line: &str) -> Result<(), String> {
    let vocab = common::TestVocab::new();
    let first = read(line, &vocab);
    let rendered = render(&first);
    let again = read(&rendered, &vocab);
    let (a, b) = (first.summary(false), again.summary(false));
    if a == b && render(&again) == rendered {
        Ok(())
    } else {
        Err(format!("line: {line}\nrendered: {rendered}\nfirst:\n{a}\nagain:\n{b}"))
    }
}

#[test]
fn fixture_lines_round_trip() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lines.txt");
    let text = std::fs::read_to_string(path).expect("fixture lines.txt");
    let failures: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("//"))
        .filter_map(|l| same_values(l).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn pick(items: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    proptest::sample::select(items)
}

fn drug_line() -> impl Strategy<Value = String> {
    (
        pick(&[
            "Norco",
            "Ibuprofen",
            "Flexeril",
            "Gabapentin",
            "Lidoderm",
            "Tramadol ER",
            "Voltaren",
        ]),
        pick(&[
            "",
            "10/325 mg",
            "600mg",
            "7.5-325mg",
            "5%",
            "4%-27.5%-0.0325%",
            "10 mcg/hr",
            "75/0.2",
        ]),
        pick(&["", "tablet", "capsule", "patch", "gel", "cream"]),
        pick(&[
            "",
            "1-2 tabs qhs",
            "1 tab bid",
            "q6h prn",
            "twice a day",
            "take 1 daily",
            "as needed",
        ]),
        pick(&["", "#60", "#120", "qty 30", "100 g", "3 tubes"]),
        pick(&["", "with 2 refills", "x1 refill", "no refills"]),
        pick(&["", "one month supply", "for 30 days"]),
        pick(&["", "Retrospective", "Post-op"]),
        pick(&["", "DOS: 11/14/16", "for the left knee", "bilateral L4-5"]),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i)| [h, a, b, c, d, e, f, g, i].join(" "))
}

fn service_line() -> impl Strategy<Value = String> {
    (
        pick(&[
            "PT",
            "Physical therapy",
            "Acupuncture",
            "Chiropractic care",
            "Home health aide",
            "TENS unit",
        ]),
        pick(&[
            "",
            "2x6",
            "3 times a week",
            "1 to 2 times per week",
            "2-3x/week",
            "twice weekly",
            "4 hrs/day",
        ]),
        pick(&["", "for 4 weeks", "x 6 weeks", "for two weeks"]),
        pick(&["", "(12 visits)", "12-18 sessions", "5 days/wk"]),
        pick(&[
            "",
            "lumbar spine",
            "right knee",
            "cervical and lumbar spine",
            "bilateral upper extremities",
        ]),
        pick(&["", "L4-5, L5-S1", "C5-6", "E0730", "CPT 97110"]),
        pick(&["", "purchase", "2 month rental", "Post op"]),
    )
        .prop_map(|(a, b, c, d, e, f, g)| [g, a, b, c, d, e, f].join(" "))
}

proptest! {
    #[test]
    fn rendered_readings_read_back_the_same(line in prop_oneof![drug_line(), service_line()]) {
        let r = same_values(&line);
        prop_assert!(r.is_ok(), "{}", r.err().unwrap_or_default());
    }

    #[test]
    fn any_text_reads_without_panic(line in "\\PC{0,60}") {
        let r = read(&line, &common::TestVocab::new());
        for p in &r.problems {
            prop_assert!(p.span().end <= line.len());
            prop_assert!(line.is_char_boundary(p.span().start) && line.is_char_boundary(p.span().end));
        }
        let _ = render(&r);
    }
}
