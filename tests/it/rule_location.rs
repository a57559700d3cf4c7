//! Which rules a command uses, and how every output names them: a
//! `rules/` folder found from the current folder, `--rules DIR`,
//! `--builtin-rules`, the built-in set elsewhere; `check --deny-exit` and
//! `check --brief`.

use crate::common;

use common::{mtus_in, root, stderr, stdout};

/// A folder with a copy of the shipped rules and one case.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir rules");
    for e in std::fs::read_dir(root().join("rules")).expect("rules/") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "mtus") {
            std::fs::copy(&p, rules.join(p.file_name().expect("name"))).expect("copy rule");
        }
    }
    std::fs::create_dir(dir.path().join("cases")).expect("mkdir cases");
    std::fs::copy(
        root().join("cases/massage-first-course.yaml"),
        dir.path().join("cases/massage-first-course.yaml"),
    )
    .expect("copy case");
    dir
}

#[test]
fn an_edited_rule_in_the_current_folder_is_what_test_runs() {
    let dir = project();
    let o = mtus_in(dir.path(), &["test"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(
        out.starts_with("rules: ./rules (found from the current folder, sha256 [hash])\n"),
        "{out}"
    );
    assert!(out.ends_with("1 passed, 0 failed\n"), "{out}");

    // Lower the visit limit below the 6 visits the case asks for.
    let file = dir.path().join("rules/massage.mtus");
    let text = std::fs::read_to_string(&file).expect("read");
    let edited = text.replacen(
        "const massage_visit_limit = 6 visit",
        "const massage_visit_limit = 4 visit",
        1,
    );
    assert_ne!(text, edited, "the constant to edit is not in rules/massage.mtus");
    std::fs::write(&file, edited).expect("write");

    let o = mtus_in(dir.path(), &["test"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("test cases/massage-first-course.yaml ... FAILED"), "{out}");
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");

    // From a folder below, the same rules are found (and the cases beside them).
    let sub = dir.path().join("notes/deeper");
    std::fs::create_dir_all(&sub).expect("mkdir");
    let o = mtus_in(&sub, &["test"]);
    let out = stdout(&o);
    assert!(
        out.starts_with("rules: ../../rules (found from the current folder"),
        "{out}"
    );
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");

    // --builtin-rules ignores the folder; --rules names one.
    let o = mtus_in(dir.path(), &["--builtin-rules", "test"]);
    let out = stdout(&o);
    assert!(out.starts_with("rules: built-in (mtus "), "{out}");
    assert!(out.ends_with("1 passed, 0 failed\n"), "{out}");
    let o = mtus_in(&sub, &["--rules", "../../rules", "test", "../../cases"]);
    let out = stdout(&o);
    assert!(out.starts_with("rules: ../../rules (--rules, sha256"), "{out}");
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");

    // lint says which rules it linted.
    let o = mtus_in(dir.path(), &["lint", "--no-cases", "-A", "missing-case"]);
    assert!(
        stderr(&o).contains("rules: ./rules (found from the current folder, sha256 [hash])"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn outside_a_rule_folder_the_built_in_rules_are_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = root().join("cases/seed-000.yaml");
    let o = mtus_in(dir.path(), &["check", case.to_str().expect("utf-8 path")]);
    let out = stdout(&o);
    assert!(
        out.starts_with("rules: built-in (mtus 0.1.0, sha256 [hash])\n"),
        "{out}"
    );
    let o = mtus_in(
        dir.path(),
        &["check", "--format", "json", case.to_str().expect("utf-8 path")],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["rules"]["kind"], "built-in");
    assert_eq!(v["rules"]["path"], serde_json::Value::Null);
}

#[test]
fn the_hash_is_over_the_rule_files_and_changes_with_them() {
    let (_, rules) = common::shipped_rules();
    let mut files = Vec::new();
    for e in std::fs::read_dir(root().join("rules")).expect("rules/") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "mtus") {
            files.push((p.display().to_string(), std::fs::read_to_string(&p).expect("read")));
        }
    }
    let on_disk = mtus::rules_hash(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    assert_eq!(rules.origin.hash, on_disk, "the built-in rules are the files in rules/");
    assert_eq!(on_disk.len(), 64);
    files[0].1.push_str("\n# an edit\n");
    let edited = mtus::rules_hash(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    assert_ne!(edited, on_disk);
    // The order the files come in does not matter; their names do.
    files.reverse();
    assert_eq!(
        mtus::rules_hash(files.iter().map(|(n, t)| (n.as_str(), t.as_str()))),
        edited
    );
    files[0].0.push_str(".renamed");
    assert_ne!(
        mtus::rules_hash(files.iter().map(|(n, t)| (n.as_str(), t.as_str()))),
        edited
    );
}

#[test]
fn deny_exit_is_3_on_a_denial_0_without_and_1_on_bad_input() {
    // Both requests of the seed are not medically necessary.
    let o = common::mtus(&["check", "cases/seed-000.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    let o = common::mtus(&["check", "--deny-exit", "cases/seed-000.yaml"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let o = common::mtus(&["check", "--deny-exit", "--format", "json", "cases/seed-000.yaml"]);
    assert_eq!(o.status.code(), Some(3));
    let o = common::mtus(&["check", "--deny-exit", "cases/massage-first-course.yaml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Bad input wins over a denial: the run could not decide everything.
    let o = common::mtus(&["check", "--deny-exit", "cases/seed-000.yaml", "cases/no-such-case.yaml"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn brief_shows_outcome_decider_and_what_passes() {
    let o = common::mtus(&[
        "check",
        "--brief",
        "cases/seed-000.yaml",
        "cases/massage-first-course.yaml",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}
