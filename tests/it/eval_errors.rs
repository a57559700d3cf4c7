//! A request that loads but cannot be decided (no rule in force on its
//! date, or a dependency that could not be decided) is located in its
//! case file in every output: `check` text and JSON, `test`, and the
//! audit's rows, for YAML files and JSON Lines records alike.
//!
//! The expected places are worked out from the fixture's text here (the
//! line and column where the date or the `depends_on` value is written),
//! not copied from the output.

use crate::common;

use common::{mtus, stderr, stdout};

const YAML: &str = "tests/fixtures/eval_errors/undecided.yaml";
const JSONL: &str = "tests/fixtures/eval_errors/undecided.jsonl";

/// 1-based line and column of the first `needle` in the fixture `file`
/// at or after line `from_line`.
fn place(file: &str, needle: &str, from_line: usize) -> (usize, usize) {
    let text = std::fs::read_to_string(common::root().join(file)).expect("read fixture");
    for (i, line) in text.lines().enumerate().skip(from_line - 1) {
        if let Some(c) = line.find(needle) {
            return (i + 1, c + 1);
        }
    }
    panic!("{needle} not in {file}");
}

#[test]
fn check_text_points_at_the_date_and_the_dependency() {
    let o = mtus(&["check", YAML]);
    assert_eq!(o.status.code(), Some(1), "an undecided request is not a pass");
    let out = stdout(&o);
    let (dl, dc) = place(YAML, "2009-03-15", 1);
    let (pl, pc) = place(YAML, "tramadol", place(YAML, "depends_on", 1).0);
    assert!(
        out.contains(&format!(
            "error[no-rule-in-force]: no rule in force on 2009-03-15 for tramadol\n   --> {YAML}:{dl}:{dc}\n"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("error[dependency-undecided]: request `massage` depends on `tramadol`, which could not be decided\n   --> {YAML}:{pl}:{pc}\n")), "{out}");
    let brief = stdout(&mtus(&["check", "--brief", YAML]));
    assert!(brief.contains(&format!("     --> {YAML}:{dl}:{dc}\n")), "{brief}");
}

#[test]
fn check_json_carries_line_and_column() {
    let o = mtus(&["check", "--format", "json", YAML]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let requests = &doc["cases"][0]["requests"];
    let at = |i: usize| {
        let e = &requests[i]["error"];
        (
            e["code"].as_str().map(str::to_string),
            e["line"].as_u64(),
            e["column"].as_u64(),
        )
    };
    let (dl, dc) = place(YAML, "2009-03-15", 1);
    let (pl, pc) = place(YAML, "tramadol", place(YAML, "depends_on", 1).0);
    assert_eq!(
        at(0),
        (Some("no-rule-in-force".into()), Some(dl as u64), Some(dc as u64))
    );
    assert_eq!(
        at(1),
        (Some("dependency-undecided".into()), Some(pl as u64), Some(pc as u64))
    );
}

#[test]
fn test_failure_points_at_the_cause_not_the_outcome() {
    let o = mtus(&["test", YAML]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let (dl, dc) = place(YAML, "2009-03-15", 1);
    let (pl, pc) = place(YAML, "tramadol", place(YAML, "depends_on", 1).0);
    assert!(err.contains(&format!("{YAML}:{dl}:{dc}")), "{err}");
    assert!(err.contains(&format!("{YAML}:{pl}:{pc}")), "{err}");
    insta::assert_snapshot!(err);
}

#[test]
fn audit_rows_locate_undecided_requests() {
    // YAML: the row's line and column are the cause's.
    let o = mtus(&["audit", "--format", "jsonl", YAML]);
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .filter(|v: &serde_json::Value| v["kind"] == "request")
        .collect();
    let (dl, dc) = place(YAML, "2009-03-15", 1);
    let (pl, pc) = place(YAML, "tramadol", place(YAML, "depends_on", 1).0);
    let at = |v: &serde_json::Value| (v["line"].as_u64(), v["column"].as_u64());
    assert_eq!(rows.len(), 2);
    assert_eq!(at(&rows[0]), (Some(dl as u64), Some(dc as u64)));
    assert_eq!(at(&rows[1]), (Some(pl as u64), Some(pc as u64)));

    // JSON Lines: the record's line, the column within it; a decided
    // request keeps its record's line and no column.
    let csv = stdout(&mtus(&["audit", "--format", "csv", JSONL]));
    let (jl, jc) = place(JSONL, "\"2009-03-15\"", 1);
    assert_eq!(jl, 2);
    // Without the rule set's hash (the second column).
    let lines: Vec<String> = csv
        .lines()
        .filter(|l| l.starts_with("request,"))
        .map(|l| {
            l.splitn(3, ',')
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .map(|(_, c)| c)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with(&format!("request,{JSONL},1,,ok,")), "{csv}");
    assert!(
        lines[1].starts_with(&format!("request,{JSONL},{jl},{jc},gap,")),
        "{csv}"
    );
}

#[test]
fn eval_errors_are_diagnostics_of_the_case_file() {
    let (mut sm, rs) = common::shipped_rules();
    let text = std::fs::read_to_string(common::root().join(YAML)).expect("read fixture");
    let case = mtus::facts::load_yaml(&rs.program, YAML, &text).expect("the fixture loads");
    let decisions = mtus::eval::decide_case(&rs, &mut mtus::eval::Machine::new(), &case);
    let id = sm.add(YAML, text.as_str());
    let rendered: Vec<String> = decisions
        .iter()
        .zip(&case.requests)
        .map(|(d, q)| {
            let e = d.as_ref().expect_err("neither request can be decided");
            let d = e.diagnostic(q, id);
            assert_eq!(d.code, e.code());
            mtus::report::diagnostics::render(&sm, &d, false)
        })
        .collect();
    let (dl, dc) = place(YAML, "2009-03-15", 1);
    assert!(rendered[0].contains(&format!("{YAML}:{dl}:{dc}")), "{}", rendered[0]);
    // The treatment asked for is noted beside the date.
    assert!(rendered[0].contains("the treatment asked for"), "{}", rendered[0]);
    assert!(rendered[1].contains("depends_on: tramadol"), "{}", rendered[1]);
}
