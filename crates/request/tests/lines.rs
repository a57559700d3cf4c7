//! Reads every line of tests/fixtures/lines.txt and snapshots what was
//! read (one input file, one snapshot), with the canonical rendering.

mod common;

use mtus_request::{read, render};

#[test]
fn lines_read_as_expected() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lines.txt");
    let text = std::fs::read_to_string(path).expect("fixture lines.txt");
    let vocab = common::TestVocab::new();
    let mut out = String::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("//")) {
        let r = read(line, &vocab);
        out.push_str(&format!("> {line}\n{}= {}\n\n", r.summary(true), render(&r)));
        n += 1;
    }
    assert!(n >= 150, "only {n} lines");
    insta::assert_snapshot!("lines", out);
}
