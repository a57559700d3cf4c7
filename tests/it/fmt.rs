//! `mtus fmt`: the canonical layout of a messy file (golden), idempotence,
//! `--check`, syntax errors, and that formatting never changes what the
//! rules mean, for every shipped rule file and every rule fixture.

use crate::common;

use std::path::{Path, PathBuf};

use mtus::RuleSet;
use mtus::diag::{FileId, SourceMap};
use mtus::format::{format_source, strip_spans};

/// A scratch folder for this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mtus-fmt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn copy_fixture(dir: &Path) -> PathBuf {
    let src = common::root().join("tests/fixtures/fmt/messy.mtus");
    let dst = dir.join("messy.mtus");
    std::fs::copy(src, &dst).expect("copy fixture");
    dst
}

#[test]
fn formats_a_messy_file_and_formatting_again_changes_nothing() {
    let dir = scratch("golden");
    let file = copy_fixture(&dir);
    let arg = file.display().to_string();

    let o = common::mtus(&["fmt", &arg]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert_eq!(common::stdout(&o), format!("formatted {arg}\n"));
    let once = std::fs::read_to_string(&file).expect("read");
    insta::assert_snapshot!(once);

    let o = common::mtus(&["fmt", &arg]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert_eq!(common::stdout(&o), "", "a formatted file is not rewritten");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), once);

    let o = common::mtus(&["fmt", "--check", &arg]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
}

#[test]
fn check_lists_the_files_that_would_change_and_changes_nothing() {
    let dir = scratch("check");
    let messy = copy_fixture(&dir);
    let before = std::fs::read_to_string(&messy).expect("read");
    std::fs::write(dir.join("tidy.mtus"), "class a \"A\"\n").expect("write");
    let o = common::mtus(&["fmt", "--check", &dir.display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(common::stdout(&o), format!("{}\n", messy.display()));
    assert_eq!(
        common::stderr(&o),
        "error: 1 of 2 rule file(s) would be reformatted; run `mtus fmt` on them\n"
    );
    assert_eq!(std::fs::read_to_string(&messy).expect("read"), before);

    let o = common::mtus(&["fmt", "--check", "--format", "json", &dir.display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["files"][0]["status"], "would_reformat");
    assert_eq!(v["files"][1]["status"], "unchanged");
}

#[test]
fn a_file_with_syntax_errors_is_reported_not_rewritten() {
    let dir = scratch("syntax");
    let bad = dir.join("bad.mtus");
    let text = "rule a \"A\"\n  require x \"X\" exam.muscle_spasm ==\nrule b \"B\"\n  require y \"Y\" (\n";
    std::fs::write(&bad, text).expect("write");
    let o = common::mtus(&["fmt", &bad.display().to_string()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&bad).expect("read"), text);
    let err = common::stderr(&o).replace(&dir.display().to_string(), "DIR");
    assert_eq!(
        err.matches("error[syntax]").count(),
        2,
        "every error is reported:\n{err}"
    );
    insta::assert_snapshot!(err);

    let o = common::mtus(&["fmt", "--format", "json", &bad.display().to_string()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let e = &v["errors"][0];
    assert_eq!((e["line"].as_u64(), e["column"].as_u64()), (Some(2), Some(35)));
    assert_eq!(e["code"], "syntax");
    assert_eq!(e["severity"], "error");
}

#[test]
fn standard_input_to_standard_output() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(["fmt", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"class   a \"A\"   # x\n")
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout), "class a \"A\"  # x\n");
}

/// What the rules mean, without positions: the compiled code and every
/// part of the checked program a report or the loader reads.
fn meaning(rs: &RuleSet) -> String {
    let p = &rs.program;
    let s = &p.schema;
    let dump = format!(
        "{:?}\n{:?}\n{:?}\n{:?} {:?} {:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        rs.compiled,
        p.sources,
        s.facts,
        s.slots,
        s.trees,
        s.builtin,
        p.catalog.treatments,
        p.catalog.classes,
        p.consts,
        p.rules
    );
    strip_spans(&dump)
}

fn diagnostics_without_places(e: &mtus::RuleErrors) -> Vec<String> {
    e.diagnostics
        .iter()
        .map(|d| format!("{:?} {} {} {:?}", d.severity, d.code, d.message, d.help))
        .collect()
}

fn format_all(files: &[(String, String)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(name, text)| {
            let once = format_source(FileId(0), text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let twice = format_source(FileId(0), &once).unwrap_or_else(|e| panic!("{name} formatted: {e}"));
            assert_eq!(once, twice, "{name}: formatting twice changed it");
            (name.clone(), once)
        })
        .collect()
}

fn load(files: &[(String, String)]) -> Result<RuleSet, mtus::RuleErrors> {
    let mut sm = SourceMap::new();
    RuleSet::from_texts(&mut sm, files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
}

fn shipped() -> Vec<(String, String)> {
    mtus::embedded::FILES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

#[test]
fn formatting_the_shipped_rules_keeps_their_meaning() {
    let before = shipped();
    let after = format_all(&before);
    let (Ok(a), Ok(b)) = (load(&before), load(&after)) else {
        panic!("the shipped rules, formatted or not, must check");
    };
    assert_eq!(meaning(&a), meaning(&b));
}

#[test]
fn formatting_every_rule_fixture_that_parses_keeps_its_meaning() {
    let mut fixtures: Vec<PathBuf> = Vec::new();
    let mut dirs = vec![common::root().join("tests/fixtures")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("fixtures") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "mtus") {
                fixtures.push(p);
            }
        }
    }
    fixtures.sort();
    let shipped_before = shipped();
    let shipped_after = format_all(&shipped_before);
    let mut formatted = 0;
    for path in fixtures {
        let name = common::rel(&path);
        let text = std::fs::read_to_string(&path).expect("read");
        if !mtus::syntax::parse_file(FileId(0), &text).1.is_empty() {
            continue;
        }
        // Each fixture is checked with the shipped rules, as the bad-rule
        // tests load it: the same program, or the same errors.
        let mut before = shipped_before.clone();
        let mut after = shipped_after.clone();
        after.extend(format_all(&[(name.clone(), text.clone())]));
        before.push((name.clone(), text));
        match (load(&before), load(&after)) {
            (Ok(a), Ok(b)) => assert_eq!(meaning(&a), meaning(&b), "{name}"),
            (Err(a), Err(b)) => assert_eq!(diagnostics_without_places(&a), diagnostics_without_places(&b), "{name}"),
            _ => panic!("{name}: formatting changed whether it checks"),
        }
        formatted += 1;
    }
    assert!(formatted >= 20, "only {formatted} fixtures parsed");
}

/// `--diff`: the change as a unified diff, exit 1, nothing written; a
/// formatted file gives no diff and exit 0; standard input too.
#[test]
fn diff_shows_the_change_and_writes_nothing() {
    let dir = scratch("diff");
    let messy = copy_fixture(&dir);
    let before = std::fs::read_to_string(&messy).expect("read");
    let arg = messy.display().to_string();
    let o = common::mtus(&["fmt", "--diff", &arg]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let diff = common::stdout(&o);
    assert!(diff.starts_with(&format!("--- a/{arg}\n+++ b/{arg}\n@@ ")), "{diff}");
    assert_eq!(
        std::fs::read_to_string(&messy).expect("read"),
        before,
        "nothing written"
    );
    // The diff, applied, is what `fmt` writes: each `-` line is of the
    // old text, each `+` line of the new, in order.
    let o = common::mtus(&["fmt", &arg]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let after = std::fs::read_to_string(&messy).expect("read");
    let removed: Vec<&str> = diff.lines().skip(2).filter_map(|l| l.strip_prefix('-')).collect();
    let added: Vec<&str> = diff.lines().skip(2).filter_map(|l| l.strip_prefix('+')).collect();
    assert!(!removed.is_empty() && !added.is_empty(), "{diff}");
    let in_order = |text: &str, lines: &[&str]| {
        let mut rest = text.lines();
        lines.iter().all(|l| rest.any(|t| t == *l))
    };
    assert!(in_order(&before, &removed), "removed lines are the old text's");
    assert!(in_order(&after, &added), "added lines are the new text's");
    // Formatted now: no diff, exit 0.
    let o = common::mtus(&["fmt", "--diff", &arg]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert_eq!(common::stdout(&o), "");
    // Standard input.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(["fmt", "--diff", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(before.as_bytes()).expect("write");
    }
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(1));
    let d = String::from_utf8_lossy(&o.stdout);
    assert!(d.starts_with("--- a/<stdin>\n+++ b/<stdin>\n@@ "), "{d}");
    // JSON: the diff in the file's entry.
    std::fs::write(&messy, &before).expect("write");
    let o = common::mtus(&["fmt", "--diff", "--format", "json", &arg]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["files"][0]["status"], "would_reformat");
    assert_eq!(v["files"][0]["diff"].as_str(), Some(diff.as_str()));
    // `--check` and `--diff` are one or the other.
    let o = common::mtus(&["fmt", "--check", "--diff", &arg]);
    assert_eq!(o.status.code(), Some(2));
}
