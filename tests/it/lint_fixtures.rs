//! One rule file per lint, each provoking that lint (and only it); the
//! snapshot is what `mtus lint` prints for it.

use crate::common;

#[test]
fn lint_fixture_output() {
    insta::glob!("../fixtures/lint", "*.mtus", |path| {
        let name = common::rel(path);
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let cases = if stem == "missing_case" {
            vec!["--cases", "tests/fixtures/lint_cases"]
        } else {
            vec!["--no-cases"]
        };
        let mut args = vec!["lint", name.as_str()];
        args.extend(cases);
        let o = common::mtus(&args);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(0), "warnings only: exit 0\n{err}");
        assert_eq!(common::stdout(&o), "", "diagnostics go to stderr");
        // Each file provokes the lint it is named after, and no other.
        let lint = stem.replace('_', "-");
        for line in err
            .lines()
            .filter(|l| l.starts_with("warning[") || l.starts_with("error["))
        {
            assert!(line.starts_with(&format!("warning[{lint}]")), "{name}: {line}");
        }
        insta::assert_snapshot!(format!("exit: {:?}\n{err}", o.status.code()));
    });
}
