//! One deliberately broken case file per kind of mistake; the snapshot is
//! what the person who wrote the case reads: file, line, column, excerpt.

mod common;

use mtus::diag::SourceMap;
use mtus::facts::load_yaml;
use mtus::report::diagnostics::{from_case_error, render};

#[test]
fn bad_case_diagnostics() {
    let (_, rules) = common::shipped_rules();
    insta::glob!("fixtures/bad_cases", "*.yaml", |path| {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let name = common::rel(path);
        let err = match load_yaml(&rules.program, &name, &text) {
            Ok(_) => panic!("{name} was accepted but is meant to be broken"),
            Err(e) => e,
        };
        assert!(err.line >= 1 && err.column >= 1, "{err:?}");
        let mut sm = SourceMap::new();
        let d = from_case_error(&mut sm, &err, &text);
        insta::assert_snapshot!(format!("{err}\n\n{}", render(&sm, &d, false)));
    });
}
