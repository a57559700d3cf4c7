//! `mtus lint --fix` and `--fix --diff` on copies of a fixture in a
//! temporary folder: what is written, what is shown, what is left.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::mtus_in;

const FIXTURE: &str = "tests/fixtures/lint_fix/massage.mtus";

/// An empty folder of its own for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mtus-lint-fix-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn copy_fixture(dir: &Path) -> String {
    let text = std::fs::read_to_string(common::root().join(FIXTURE)).expect("fixture");
    std::fs::write(dir.join("massage.mtus"), &text).expect("copy");
    text
}

fn shown(o: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        common::stdout(o),
        common::stderr(o)
    )
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let dir = scratch("diff");
    let before = copy_fixture(&dir);
    let o = mtus_in(&dir, &["lint", "--no-cases", "--fix", "--diff", "massage.mtus"]);
    assert_eq!(o.status.code(), Some(1), "changes to make: exit 1\n{}", shown(&o));
    let after = std::fs::read_to_string(dir.join("massage.mtus")).expect("read");
    assert_eq!(after, before, "--diff writes nothing");
    let out = common::stdout(&o);
    assert!(out.starts_with("--- a/massage.mtus\n+++ b/massage.mtus\n@@ "), "{out}");
    insta::assert_snapshot!(shown(&o));
    // --dry-run is the same flag.
    let dry = mtus_in(&dir, &["lint", "--no-cases", "--fix", "--dry-run", "massage.mtus"]);
    assert_eq!(dry.stdout, o.stdout);
    // Without --fix it is a usage error.
    assert_eq!(
        mtus_in(&dir, &["lint", "--diff", "massage.mtus"]).status.code(),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn fix_writes_the_fixes_keeps_the_layout_and_reports_what_is_left() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("write");
    copy_fixture(&dir);
    let file = dir.join("massage.mtus");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let o = mtus_in(&dir, &["lint", "--no-cases", "--fix", "massage.mtus"]);
    assert_eq!(o.status.code(), Some(0), "warnings only\n{}", shown(&o));
    let err = common::stderr(&o);
    // What remains is linted again: the number without a description,
    // which needs a person.
    assert_eq!(err.matches("warning[").count(), 1, "{err}");
    assert!(err.contains("warning[missing-description]"), "{err}");
    assert!(
        err.ends_with("1 warning(s)\nfixed 6 finding(s) in 1 file(s)\n"),
        "{err}"
    );
    let after = std::fs::read_to_string(&file).expect("read");
    insta::assert_snapshot!("fix_stderr", err);
    insta::assert_snapshot!("fixed_file", after);
    assert_eq!(
        std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777,
        0o640,
        "permissions kept"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&dir)
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "massage.mtus")
        .collect();
    assert!(leftovers.is_empty(), "no temporary file left: {leftovers:?}");
    // Still in the canonical layout, and the comment that was not a
    // directive is still there.
    let fmt = mtus_in(&dir, &["fmt", "--check", "massage.mtus"]);
    assert_eq!(fmt.status.code(), Some(0), "{}", shown(&fmt));
    assert!(after.contains("# The trial length, from p. 2.\n"), "{after}");
    // Fixing again changes nothing.
    let again = mtus_in(&dir, &["lint", "--no-cases", "--fix", "--diff", "massage.mtus"]);
    assert_eq!(again.status.code(), Some(0), "{}", shown(&again));
    assert_eq!(common::stdout(&again), "");
    assert_eq!(common::stderr(&again), "nothing to fix\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_not_in_the_canonical_layout_gets_only_the_fix() {
    let dir = scratch("layout");
    let text = std::fs::read_to_string(common::root().join(FIXTURE)).expect("fixture");
    // Not canonical: extra spaces and two blank lines, which `fmt` would
    // change; --fix must not.
    let odd = text
        .replace(
            "  applies to massage_therapy\n\n  #",
            "  applies   to massage_therapy\n\n\n  #",
        )
        .replace(
            "const massage_weeks = 4 week \"S: over 4 weeks\"  # not used yet\n\n",
            "",
        );
    std::fs::write(dir.join("massage.mtus"), &odd).expect("write");
    let o = mtus_in(&dir, &["lint", "--no-cases", "--fix", "massage.mtus"]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let after = std::fs::read_to_string(dir.join("massage.mtus")).expect("read");
    assert!(
        after.contains("  applies   to massage_therapy\n\n\n  require spasm"),
        "{after}"
    );
    assert!(!after.contains("massage_trial"), "{after}");
    assert!(!after.contains("always-met, never-met"), "{after}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directive_keeps_the_names_that_silence_something() {
    let dir = scratch("names");
    copy_fixture(&dir);
    let o = mtus_in(&dir, &["lint", "--no-cases", "--fix", "massage.mtus"]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let after = std::fs::read_to_string(dir.join("massage.mtus")).expect("read");
    assert!(
        after.contains("# lint: allow unused-fact -- part of the shared vocabulary\nfact exam.trigger_points"),
        "{after}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_built_in_rules_are_not_fixed() {
    let o = common::mtus(&["--builtin-rules", "lint", "--no-cases", "--fix"]);
    assert_eq!(o.status.code(), Some(1), "{}", shown(&o));
    assert!(common::stderr(&o).contains("error[nothing-to-fix]"), "{}", shown(&o));
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_left_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("readonly");
    let before = copy_fixture(&dir);
    let file = dir.join("massage.mtus");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let o = mtus_in(&dir, &["lint", "--no-cases", "--fix", "massage.mtus"]);
    assert_eq!(o.status.code(), Some(1), "{}", shown(&o));
    assert!(common::stderr(&o).contains("error[read-only]"), "{}", shown(&o));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), before);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rules_that_do_not_check_are_not_fixed() {
    let dir = scratch("broken");
    let text = std::fs::read_to_string(common::root().join(FIXTURE)).expect("fixture");
    let broken = text.replace("request.quantity <= massage_limit", "request.quantity <= no_such_limit");
    std::fs::write(dir.join("massage.mtus"), &broken).expect("write");
    let o = mtus_in(&dir, &["lint", "--no-cases", "--fix", "massage.mtus"]);
    assert_eq!(o.status.code(), Some(1), "{}", shown(&o));
    let err = common::stderr(&o);
    assert!(err.contains("the rules do not check, so nothing was fixed"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.join("massage.mtus")).expect("read"), broken);
    let diff = mtus_in(&dir, &["lint", "--no-cases", "--fix", "--diff", "massage.mtus"]);
    assert_eq!(diff.status.code(), Some(1), "{}", shown(&diff));
    assert!(
        common::stderr(&diff).contains("error[unknown-name]"),
        "{}",
        shown(&diff)
    );
    assert_eq!(common::stdout(&diff), "");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_carries_each_fix_and_what_was_fixed() {
    let o = common::mtus(&["lint", "--no-cases", "--format", "json", FIXTURE]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&o)).expect("JSON");
    let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
    let with_fix: Vec<&serde_json::Value> = diags.iter().filter(|d| d.get("fix").is_some()).collect();
    assert_eq!(with_fix.len(), 6, "{v:#}");
    assert!(
        with_fix
            .iter()
            .all(|d| d["code"] == "unused-const" || d["code"] == "unused-allow")
    );
    // The unused constant's fix deletes its lines and its directive.
    let trial = diags
        .iter()
        .find(|d| d["message"].as_str().is_some_and(|m| m.contains("massage_trial")))
        .expect("massage_trial");
    insta::assert_json_snapshot!("massage_trial_fix", trial["fix"]);

    let dir = scratch("json");
    copy_fixture(&dir);
    let o = mtus_in(
        &dir,
        &["lint", "--no-cases", "--fix", "--format", "json", "massage.mtus"],
    );
    let v: serde_json::Value = serde_json::from_str(&common::stdout(&o)).expect("JSON");
    assert_eq!(v["fixed"].as_array().map(Vec::len), Some(6), "{v:#}");
    assert_eq!(v["fixed"][0]["file"], "massage.mtus");
    assert_eq!(v["warnings"], 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// On the shipped rules: an unused constant (with a directive above it)
/// put before a rule of each file, and a stale name added to a
/// directive, are fixed back to the very text shipped.
#[test]
fn fixing_the_shipped_rules_with_planted_findings_gives_them_back() {
    let shipped: Vec<(String, String)> = mtus::embedded::FILES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let mut planted = shipped.clone();
    let mut n = 0;
    for (i, (_, text)) in planted.iter_mut().enumerate() {
        // Planted before a file's first rule when what precedes it is not
        // another rule's body (a constant planted between two rules comes
        // back with its blank lines moved: not yet fixed, see issue 18's note).
        let first = text.find("\n\nrule ").filter(|&at| {
            let top = text[..at]
                .lines()
                .rev()
                .find(|l| !l.starts_with(' ') && !l.is_empty())
                .unwrap_or("");
            !top.starts_with("rule ")
        });
        if let Some(at) = first {
            text.insert_str(
                at + 2,
                &format!("# lint: allow missing-description -- planted\nconst planted_{i} = 3 visit\n\n"),
            );
            n += 1;
        }
        if text.contains("# lint: allow unused-fact -- ") {
            *text = text.replacen(
                "# lint: allow unused-fact -- ",
                "# lint: allow unused-fact, never-met -- ",
                1,
            );
            n += 1;
        }
    }
    assert!(n > 20, "planted in most files: {n}");
    let fixed = mtus::lint::fix::fix_files(&planted, &[], None).expect("the planted rules check");
    let applied: usize = fixed.iter().map(|f| f.applied.len()).sum();
    assert_eq!(applied, n);
    for (f, (name, text)) in fixed.iter().zip(&shipped) {
        assert!(f.rejected.is_none(), "{name}: {:?}", f.rejected);
        assert_eq!(&f.after, text, "{name}");
    }
}

/// `--fix` lints with the cases too, so a directive that silences a
/// `missing-case` the cases no longer raise is fixed.
#[test]
fn a_stale_missing_case_directive_is_fixed_with_the_cases() {
    let dir = scratch("cases");
    let text = std::fs::read_to_string(common::root().join("tests/fixtures/lint/missing_case.mtus")).expect("fixture");
    let planted = text.replacen(
        "rule massage",
        "# lint: allow missing-case -- no case yet\nrule massage",
        1,
    );
    assert_ne!(planted, text);
    std::fs::write(dir.join("rules.mtus"), &planted).expect("write");
    let cases = common::root().join("tests/fixtures/lint_cases");
    let cases = cases.display().to_string();
    let o = mtus_in(&dir, &["lint", "--fix", "--cases", &cases, "rules.mtus"]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    assert_eq!(std::fs::read_to_string(dir.join("rules.mtus")).expect("read"), text);
    let err = common::stderr(&o);
    assert!(
        err.contains("this directive silences no `missing-case` finding"),
        "{err}"
    );
    // The rule no case exercises is still reported.
    assert!(
        err.contains("warning[missing-case]: no case exercises rule `acupuncture`"),
        "{err}"
    );
    // Without the cases, the directive is not judged, and stays.
    std::fs::write(dir.join("rules.mtus"), &planted).expect("write");
    let o = mtus_in(&dir, &["lint", "--fix", "--no-cases", "rules.mtus"]);
    assert_eq!(o.status.code(), Some(0), "{}", shown(&o));
    assert_eq!(std::fs::read_to_string(dir.join("rules.mtus")).expect("read"), planted);
    let _ = std::fs::remove_dir_all(&dir);
}
