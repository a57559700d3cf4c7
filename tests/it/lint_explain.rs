//! `mtus lint --explain`: every lint has an explanation, and each
//! explanation's example provokes its lint while the fixed example does
//! not; the CLI's answers, including for a code that is not a lint.

use crate::common;

use mtus::RuleSet;
use mtus::diag::{FileId, SourceMap};
use mtus::lint::explain::{EXPLANATIONS, Explanation, find};
use mtus::lint::{LINTS, Options, lint};

/// The codes `text` (a whole rule file) provokes; with `case` (YAML) as
/// the cases for `missing-case`, else with no case at all.
fn codes(e: &Explanation, text: &str, case: Option<&str>) -> Vec<&'static str> {
    let mut sm = SourceMap::new();
    let rs = match RuleSet::from_texts(&mut sm, [("example.mtus", text)]) {
        Ok(rs) => rs,
        Err(err) => {
            let msgs: Vec<String> = err
                .diagnostics
                .iter()
                .map(|d| mtus::report::diagnostics::render(&sm, d, false))
                .collect();
            panic!(
                "the example of `{}` does not check:\n{}\n{text}",
                e.code,
                msgs.join("\n")
            );
        }
    };
    let cases = case.map(|c| match mtus::facts::load_yaml(&rs.program, "case.yaml", c) {
        Ok(case) => vec![case],
        Err(_) => panic!("the case of `{}` does not load", e.code),
    });
    let cases = cases.unwrap_or_default();
    let allow = Vec::new();
    let opts = Options {
        cases: Some(&cases),
        allow: &allow,
    };
    let ids = [FileId(0)];
    lint(&sm, &ids, &rs, &opts).iter().map(|d| d.code).collect()
}

#[test]
fn every_lint_has_an_explanation_in_the_same_order() {
    let lints: Vec<&str> = LINTS.iter().map(|(c, _)| *c).collect();
    let explained: Vec<&str> = EXPLANATIONS.iter().map(|e| e.code).collect();
    assert_eq!(explained, lints);
    for e in EXPLANATIONS {
        assert!(!e.finds.is_empty() && !e.why.is_empty(), "{}", e.code);
        assert!(find(e.code).is_some());
    }
}

#[test]
fn each_example_provokes_its_lint_and_its_fixed_example_does_not() {
    for e in EXPLANATIONS {
        let before = codes(e, &e.example_file(), None);
        assert!(before.contains(&e.code), "`{}`: the example gives {before:?}", e.code);
        let after = codes(e, &e.fixed_file(), e.case);
        assert!(
            !after.contains(&e.code),
            "`{}`: the fixed example gives {after:?}",
            e.code
        );
    }
}

#[test]
fn the_examples_are_in_the_canonical_layout() {
    for e in EXPLANATIONS {
        for text in [e.example_file(), e.fixed_file()] {
            let formatted = mtus::format::format_source(FileId(0), &text).expect("formats");
            assert_eq!(formatted, text, "`{}`: run `mtus fmt` on the example", e.code);
        }
    }
}

/// Where `--fix` has a fix, it turns the example into the fixed example.
#[test]
fn the_automatic_fix_gives_the_fixed_example() {
    for e in EXPLANATIONS.iter().filter(|e| e.fix.is_some()) {
        let files = vec![("example.mtus".to_string(), e.example_file())];
        let fixed = mtus::lint::fix::fix_files(&files, &[], None).expect("checks");
        assert_eq!(fixed[0].after, e.fixed_file(), "`{}`", e.code);
        assert!(fixed[0].rejected.is_none());
    }
}

#[test]
fn explain_lists_the_codes_without_one() {
    let o = common::mtus(&["lint", "--explain"]);
    assert_eq!(o.status.code(), Some(0));
    let out = common::stdout(&o);
    assert_eq!(out.lines().filter(|l| !l.is_empty()).count(), LINTS.len() + 1, "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn explain_one_code() {
    let o = common::mtus(&["lint", "--explain", "unused-const"]);
    assert_eq!(o.status.code(), Some(0));
    let out = common::stdout(&o);
    assert!(out.lines().all(|l| l.chars().count() <= 79), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn an_unknown_code_is_an_error_with_a_suggestion_and_the_list() {
    let o = common::mtus(&["lint", "--explain", "unused-konst"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(common::stdout(&o), "");
    insta::assert_snapshot!(common::stderr(&o));
    let far = common::mtus(&["lint", "--explain", "syntax"]);
    assert_eq!(far.status.code(), Some(2));
    assert!(!common::stderr(&far).contains("did you mean"));
}
