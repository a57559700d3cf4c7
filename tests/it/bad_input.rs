//! Bad input never panics and never passes silently: each kind gives a
//! clear error with its place and a non-zero exit (1, not a crash's 101);
//! a case file with several mistakes gives one error for each.

use crate::common;

use std::path::PathBuf;

/// A scratch folder for this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mtus-bad-input-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Run `mtus args`, and check it failed cleanly with exactly one error.
fn fails_once(args: &[&str]) -> String {
    let o = common::mtus(args);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(1), "exit status for {args:?}; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        err.matches("error[").count(),
        1,
        "want one diagnostic for {args:?}:\n{err}"
    );
    err
}

fn case_file(name: &str, bytes: &[u8]) -> String {
    let dir = scratch(name);
    let p = dir.join(format!("{name}.yaml"));
    std::fs::write(&p, bytes).expect("write");
    p.display().to_string()
}

/// A rules folder: the shipped rules plus one extra file.
fn rules_with(name: &str, extra: &str) -> String {
    let dir = scratch(name);
    for (file, text) in mtus::embedded::FILES {
        let base = file.rsplit('/').next().expect("name");
        std::fs::write(dir.join(base), text).expect("write rule");
    }
    std::fs::write(dir.join("zz_extra.mtus"), extra).expect("write extra");
    dir.display().to_string()
}

#[test]
fn malformed_yaml() {
    let p = case_file("malformed", b"case: x\nrequests: [ {id: a, treatment: massage\n");
    let err = fails_once(&["check", &p]);
    // The flow mapping never closes: the error is at the end of the input
    // (line 3, column 1), and points back at the `{` still open on line 2.
    assert!(err.contains("malformed.yaml:3:1"), "{err}");
    assert!(err.contains("is a `}` missing?"), "{err}");
}

#[test]
fn yaml_alias_bomb() {
    let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        s.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let p = case_file("bomb", s.as_bytes());
    let err = fails_once(&["check", &p]);
    assert!(err.contains("bomb.yaml"), "{err}");
}

#[test]
fn every_mistake_of_a_case_file_is_reported() {
    let p = case_file(
        "several",
        b"case: several\nexam:\n  spasm: true\npain:\n  worst: 11\nrequests:\n  - { id: m, treatment: massage_therapy, quantity: 6 vists, date: 2015-02-30 }\n",
    );
    let o = common::mtus(&["check", &p]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let places: Vec<&str> = err.lines().filter(|l| l.contains("several.yaml:")).collect();
    let want = [
        "several.yaml:3:3",
        "several.yaml:5:10",
        "several.yaml:7:52",
        "several.yaml:7:67",
    ];
    assert_eq!(places.len(), want.len(), "{err}");
    for (line, w) in places.iter().zip(want) {
        assert!(line.contains(w), "{w} in {line}\n{err}");
    }
}

#[test]
fn deeply_nested_case_file() {
    let text = format!("case: deep\nexam: {}{}\n", "[".repeat(40_000), "]".repeat(40_000));
    let p = case_file("deep_case", text.as_bytes());
    let err = fails_once(&["check", &p]);
    assert!(err.contains("too-deep") && err.contains("deep_case.yaml:2:"), "{err}");
}

#[test]
fn byte_order_mark_is_not_content() {
    let p = case_file(
        "bom",
        b"\xef\xbb\xbfcase: bom\nrequests:\n  - { id: m, treatment: massage_therapy, quantity: 6 visit, date: 2015-06-01 }\n",
    );
    let o = common::mtus(&["check", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
}

#[test]
fn empty_file() {
    let p = case_file("empty", b"");
    let err = fails_once(&["check", &p]);
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn binary_file() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let p = case_file("binary", &bytes);
    let err = fails_once(&["check", &p]);
    assert!(err.contains("binary.yaml"), "{err}");
}

#[test]
fn missing_file() {
    let err = fails_once(&["check", "no/such/case.yaml"]);
    assert!(err.contains("no/such/case.yaml"), "{err}");
}

#[test]
fn deeply_nested_rule_expression() {
    let deep = format!("{}exam.muscle_spasm{}", "(".repeat(10_000), ")".repeat(10_000));
    let dir = rules_with(
        "deep",
        &format!(
            "rule deep \"Deep\"\n  cites MTUS-CPMTG \"x\"\n  applies to massage_therapy\n  require d \"deep\" {deep}\n"
        ),
    );
    let err = fails_once(&["--rules", &dir, "check", "cases/seed-000.yaml"]);
    assert!(err.contains("nests more than"), "{err}");
    assert!(err.contains("zz_extra.mtus:4:"), "{err}");
}

#[test]
fn hundred_thousand_nots() {
    let nots = "not ".repeat(100_000);
    let dir = rules_with(
        "nots",
        &format!(
            "rule nots \"Nots\"\n  cites MTUS-CPMTG \"x\"\n  applies to massage_therapy\n  require d \"nots\" {nots}exam.muscle_spasm\n"
        ),
    );
    let err = fails_once(&["--rules", &dir, "check", "cases/seed-000.yaml"]);
    assert!(err.contains("nests more than"), "{err}");
}

#[test]
fn long_flat_chains_are_fine() {
    let chain = vec!["exam.muscle_spasm"; 20_000].join(" or ");
    let dir = rules_with(
        "chain",
        &format!(
            "rule chain \"Chain\"\n  cites MTUS-CPMTG \"x\"\n  applies to massage_therapy\n  require d \"long\" {chain}\n"
        ),
    );
    let o = common::mtus(&["--rules", &dir, "check", "cases/seed-000.yaml"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
}

#[test]
fn audit_accounts_for_every_input() {
    let dir = scratch("audit-mixed");
    std::fs::write(
        dir.join("a-good.yaml"),
        std::fs::read(common::root().join("cases/seed-000.yaml")).expect("seed"),
    )
    .expect("w");
    std::fs::write(dir.join("b-bad.yaml"), b"case: x\nrequests: 3\n").expect("w");
    std::fs::write(dir.join("c-empty.yaml"), b"").expect("w");
    let d = dir.display().to_string();
    let o = common::mtus(&["audit", "--format", "json", &d]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["totals"]["inputs"], 3);
    assert_eq!(v["totals"]["cases"], 1);
    assert_eq!(v["totals"]["errors"], 2);
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(2));
}

#[test]
fn request_after_the_guideline_period_is_an_error_not_a_pass() {
    let seed = std::fs::read_to_string(common::root().join("cases/seed-000.yaml")).expect("seed");
    // Before the 2009 guideline: no rule in force (every later date has one
    // for cyclobenzaprine, the ACOEM-based rules from 2017-12-01).
    let late = seed.replace("date: 2015-05-06\n  - id: massage", "date: 2009-07-17\n  - id: massage");
    let p = case_file("late", late.as_bytes());
    let o = common::mtus(&["check", &p]);
    assert_eq!(o.status.code(), Some(1));
    let out = common::stdout(&o);
    assert!(
        out.contains("no rule in force on 2009-07-17 for cyclobenzaprine"),
        "{out}"
    );
}

#[test]
fn usage_error_exits_2() {
    let o = common::mtus(&["check"]);
    assert_eq!(o.status.code(), Some(2));
    let o = common::mtus(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn empty_case_and_request_ids_are_errors() {
    let good = "case: ids\nrequests:\n  - { id: m, treatment: massage_therapy, quantity: 6 visit, date: 2015-06-01 }\n";
    for (name, text, place) in [
        ("empty_case_id", good.replace("case: ids", "case: \"\""), ":1:7"),
        ("blank_case_id", good.replace("case: ids", "case: '   '"), ":1:7"),
        ("empty_request_id", good.replace("id: m,", "id: \"\","), ":3:11"),
    ] {
        let p = case_file(name, text.as_bytes());
        let err = fails_once(&["check", &p]);
        assert!(err.contains("error[empty-id]"), "{name}: {err}");
        assert!(err.contains(&format!("{name}.yaml{place}")), "{name}: {err}");
    }
}

#[test]
fn a_rule_file_with_a_byte_order_mark_is_named_as_such() {
    let dir = rules_with("bom-rules", "");
    let massage = std::path::Path::new(&dir).join("massage.mtus");
    let text = std::fs::read(&massage).expect("read");
    std::fs::write(&massage, [&b"\xef\xbb\xbf"[..], &text].concat()).expect("write");
    let m = massage.display().to_string();
    for args in [
        vec!["--rules", &dir, "check", "cases/seed-000.yaml"],
        vec!["lint", "--no-cases", &m],
        vec!["fmt", "--check", &m],
    ] {
        let o = common::mtus(&args);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("byte order mark (U+FEFF)"), "{args:?}: {err}");
        assert!(err.contains("massage.mtus:1:1"), "{args:?}: {err}");
        assert!(!err.contains("error[syntax]"), "{args:?}: {err}");
    }
}

#[test]
fn rules_that_supplement_each_other_are_an_error_at_both() {
    let rule = |name: &str, of: &str| {
        format!(
            "rule {name} \"{name}\"\n  cites MTUS-CPMTG \"x\"\n  applies to massage_therapy\n  supplements {of}\n  require d \"d\" exam.muscle_spasm\n\n"
        )
    };
    // Two that name each other, and three in a ring.
    let extra = [
        rule("loop_a", "loop_b"),
        rule("loop_b", "loop_a"),
        rule("ring_a", "ring_b"),
        rule("ring_b", "ring_c"),
        rule("ring_c", "ring_a"),
    ]
    .concat();
    let dir = rules_with("supplement-cycle", &extra);
    let o = common::mtus(&["--rules", &dir, "check", "cases/seed-000.yaml"]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("error[supplement-cycle]").count(), 2, "{err}");
    assert!(
        err.contains("rules `loop_a` and `loop_b` supplement each other"),
        "{err}"
    );
    // Both clauses located: loop_a's on line 4, loop_b's on line 10.
    assert!(err.contains("zz_extra.mtus:4:15"), "{err}");
    assert!(err.contains("`loop_b` supplements `loop_a` here"), "{err}");
    assert!(err.contains("10 │   supplements loop_a"), "{err}");
    assert!(
        err.contains("rules `ring_a`, `ring_b`, `ring_c` supplement each other in a cycle"),
        "{err}"
    );
}

#[test]
fn a_drug_list_with_two_version_lines_is_an_error() {
    let dir = scratch("drug-list-headers");
    let list = dir.join("list.csv");
    std::fs::write(
        &list,
        "# version: v1\n# effective: 2018-01-01\n# version: v2\ningredient,status\nduloxetine,Exempt\n",
    )
    .expect("write");
    let l = list.display().to_string();
    let err = fails_once(&[
        "check",
        "--drug-list",
        &l,
        "tests/fixtures/formulary/special-fill-norco.yaml",
    ]);
    assert!(err.contains("error[drug-list-metadata]"), "{err}");
    assert!(err.contains("`# version` is given twice (first on line 1)"), "{err}");
    assert!(err.contains("list.csv:3:3"), "{err}");
}

#[test]
fn control_characters_of_a_drug_list_never_reach_the_terminal() {
    let dir = scratch("drug-list-controls");
    let list = dir.join("list.csv");
    // A NUL and an escape sequence in cells the output quotes: the
    // ingredient (a duplicate row's message) and the dosage form and
    // source (the findings of `check`).
    std::fs::write(
        &list,
        "# version: v\u{1b}]0;x\u{7}1\n# effective: 2018-01-01\n# coverage: complete\n\
         ingredient,dosage_form,status,special_fill,confidence,source\n\
         \"hydrocodone/acetaminophen\",\"tab\u{0}let\",Non-Exempt,4,low,\"memo\u{1b}[2J\"\n\
         \"hydrocodone/acetaminophen\",capsule,Non-Exempt,4,high,\n",
    )
    .expect("write");
    let l = list.display().to_string();
    let o = common::mtus(&[
        "check",
        "--drug-list",
        &l,
        "tests/fixtures/formulary/special-fill-norco.yaml",
    ]);
    let (out, err) = (common::stdout(&o), common::stderr(&o));
    for text in [&out, &err] {
        assert!(
            !text.contains('\u{0}') && !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text}"
        );
    }
    assert!(out.contains("tab\\x00let") && out.contains("v\\x1b]0;x\\x071"), "{out}");
    let dup = dir.join("dup.csv");
    std::fs::write(
        &dup,
        "# version: v1\n# effective: 2018-01-01\ningredient,status\n\"du\u{0}lox\",Exempt\n\"du\u{0}lox\",Exempt\n",
    )
    .expect("write");
    let d = dup.display().to_string();
    let err = fails_once(&[
        "check",
        "--drug-list",
        &d,
        "tests/fixtures/formulary/special-fill-norco.yaml",
    ]);
    assert!(err.contains("`du\\x00lox` is listed twice"), "{err}");
    assert!(!err.contains('\u{0}'), "{err}");
}
