//! One deliberately broken rule file per kind of mistake, each loaded with
//! the shipped rules; the snapshot is what a rule author reads.

use crate::common;

use mtus::RuleSet;
use mtus::diag::SourceMap;
use mtus::report::diagnostics::render;

#[test]
fn bad_rule_diagnostics() {
    insta::glob!("../fixtures/bad_rules", "*.mtus", |path| {
        let text = std::fs::read_to_string(path).expect("read fixture");
        let name = common::rel(path);
        let mut sm = SourceMap::new();
        let mut files: Vec<(&str, &str)> = mtus::embedded::FILES.to_vec();
        files.push((&name, &text));
        let diags = match RuleSet::from_texts(&mut sm, files) {
            Ok(_) => panic!("{name} was accepted but is meant to be broken"),
            Err(e) => e.diagnostics,
        };
        // Every diagnostic points into the broken file, not the shipped ones.
        for d in &diags {
            if let Some(s) = d.span {
                assert_eq!(sm.get(s.file).name, name, "{d:?}");
            }
        }
        let out: String = diags.iter().map(|d| render(&sm, d, false)).collect();
        insta::assert_snapshot!(out);
    });
}
