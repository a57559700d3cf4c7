//! The shipped rules stay formatted, lint-clean, and exercised by the
//! shipped cases: the habits `mtus fmt`, `mtus lint` and `mtus test` give
//! rule authors hold for the rules we ship ourselves.

use crate::common;

#[test]
fn shipped_rules_are_formatted() {
    let o = common::mtus(&["fmt", "--check", "rules"]);
    assert!(
        o.status.success(),
        "run `mtus fmt rules/`:\n{}{}",
        common::stdout(&o),
        common::stderr(&o)
    );
}

#[test]
fn shipped_rules_have_no_lint_warnings() {
    let o = common::mtus(&["--rules", "rules", "lint", "--deny-warnings", "rules"]);
    assert!(o.status.success(), "{}{}", common::stdout(&o), common::stderr(&o));
}

#[test]
fn shipped_cases_pass_mtus_test() {
    let files = common::shipped_case_files();
    let mut args = vec!["--rules", "rules", "test"];
    args.extend(files.iter().map(String::as_str));
    let o = common::mtus(&args);
    assert!(o.status.success(), "{}{}", common::stdout(&o), common::stderr(&o));
    assert!(
        common::stdout(&o).contains(" passed, 0 failed"),
        "{}",
        common::stdout(&o)
    );
}
