//! One snapshot per case file in `cases/`: the full trace `mtus check`
//! prints. A changed rule that changes any decision, criterion status or
//! fact shown fails here until the new trace is read and accepted.

use crate::common;

use mtus::eval::{Machine, decide_case};
use mtus::facts::load_yaml;
use mtus::report::{case_report, render_case_text};

#[test]
fn case_traces() {
    let (_, rules) = common::shipped_rules();
    insta::glob!("../../cases", "*.yaml", |path| {
        let text = std::fs::read_to_string(path).expect("read case");
        let name = common::rel(path);
        let case = load_yaml(&rules.program, &name, &text).unwrap_or_else(|e| panic!("{e}"));
        let mut m = Machine::new();
        let decisions = decide_case(&rules, &mut m, &case);
        let report = case_report(&rules, &mut m, &name, &case, &decisions, true);
        let mut out = String::new();
        render_case_text(&report, &mut out);
        insta::assert_snapshot!(out);
    });
}
