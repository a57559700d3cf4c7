//! One deliberately broken case file per kind of mistake; the snapshot is
//! what the person who wrote the case reads: every mistake of the file, in
//! source order, each with file, line, column and excerpt.

use crate::common;

use mtus::diag::SourceMap;
use mtus::facts::{CaseErrors, load_json, load_yaml};
use mtus::report::diagnostics::render;

fn shown(err: &CaseErrors) -> String {
    assert!(!err.diagnostics.is_empty());
    let mut sm = SourceMap::new();
    let ds = err.add_to(&mut sm);
    let mut out = format!("{err}\n");
    for d in &ds {
        assert!(d.span.is_some(), "{d:?} has no place");
        out.push('\n');
        out.push_str(&render(&sm, d, false));
    }
    // Source order.
    let starts: Vec<u32> = err.diagnostics.iter().filter_map(|d| d.span.map(|s| s.start)).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
    out
}

#[test]
fn bad_case_diagnostics() {
    let (_, rules) = common::shipped_rules();
    insta::glob!("../fixtures/bad_cases", "*.yaml", |path| {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let name = common::rel(path);
        let err = match load_yaml(&rules.program, &name, &text) {
            Ok(_) => panic!("{name} was accepted but is meant to be broken"),
            Err(e) => e,
        };
        insta::assert_snapshot!(shown(&err));
    });
}

/// JSON cases (one line of a JSON Lines file each).
#[test]
fn bad_json_case_diagnostics() {
    let (_, rules) = common::shipped_rules();
    insta::glob!("../fixtures/bad_cases", "*.json", |path| {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let name = common::rel(path);
        let err = match load_json(&rules.program, &name, text.trim_end()) {
            Ok(_) => panic!("{name} was accepted but is meant to be broken"),
            Err(e) => e,
        };
        insta::assert_snapshot!(shown(&err));
    });
}
