//! Colour in `check` text: on a terminal only (`--color auto`), never when
//! piped or with NO_COLOR set; `--color always` forces it, `--color
//! never` turns it off. The colour is only added: without its escape
//! sequences the text is the plain text, byte for byte.

use std::process::{Command, Output};

use crate::common;

/// `mtus ARGS` with its output piped (never a terminal), NO_COLOR as given.
fn run(args: &[&str], no_color: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mtus"));
    c.args(args).current_dir(common::root()).env_remove("COLUMNS");
    match no_color {
        Some(v) => c.env("NO_COLOR", v),
        None => c.env_remove("NO_COLOR"),
    };
    c.output().expect("run mtus")
}

fn text(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("UTF-8")
}

/// The text without its SGR sequences (`ESC [ ... m`).
fn strip(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        let m = rest[i..].find('m').expect("an SGR sequence ends in m");
        rest = &rest[i + m + 1..];
    }
    out.push_str(rest);
    out
}

const CASE: &str = "cases/seed-000.yaml";

#[test]
fn piped_text_has_no_escape_codes() {
    for args in [
        &["check", CASE][..],
        &["check", "--brief", CASE],
        &["--color", "auto", "check", CASE],
    ] {
        let out = text(&run(args, None));
        assert!(!out.contains('\u{1b}'), "{args:?}: {out}");
        assert!(
            out.contains("outcome: NOT MEDICALLY NECESSARY (predicts"),
            "the outcome is there, plain"
        );
    }
}

#[test]
fn color_always_colours_statuses_and_outcomes_and_nothing_else() {
    let plain = text(&run(&["check", CASE], None));
    // Forced, even with NO_COLOR set.
    let coloured = text(&run(&["--color", "always", "check", CASE], Some("1")));
    // The seed case: flexeril is denied on a criterion not met, with
    // criteria met and not documented on the way.
    assert!(coloured.contains("    \u{1b}[1;31m[EXCLUDES]\u{1b}[0m       chronic_use (exclusion): "));
    assert!(coloured.contains("    \u{1b}[32m[does not exclude]\u{1b}[0m chronic_use_on_record (exclusion): "));
    assert!(coloured.contains("    \u{1b}[1;33m[not documented]\u{1b}[0m spasm_on_exam: "));
    assert!(coloured.contains("    \u{1b}[32m[met]\u{1b}[0m            second_line: "));
    assert!(coloured.contains(
        "  outcome: \u{1b}[1;31mNOT MEDICALLY NECESSARY\u{1b}[0m (predicts upheld; recorded upheld: agrees)\n"
    ));
    // Only added: the layout (wrapping included) is the plain text's.
    assert_eq!(strip(&coloured), plain);
    let brief = text(&run(&["--color", "always", "check", "--brief", CASE], None));
    assert!(brief.contains("    outcome: \u{1b}[1;31mNOT MEDICALLY NECESSARY\u{1b}[0m (predicts upheld"));
    assert_eq!(strip(&brief), text(&run(&["check", "--brief", CASE], None)));
}

#[test]
fn each_outcome_has_its_colour() {
    // Checked by hand: the first case's request is medically necessary,
    // the second's documentation is insufficient.
    let out = text(&run(
        &[
            "--color",
            "always",
            "check",
            "--brief",
            "cases/2018-acupuncture-low-back-8-sessions.yaml",
            "cases/acupuncture-count-not-documented.yaml",
        ],
        None,
    ));
    assert!(
        out.contains("outcome: \u{1b}[1;32mMEDICALLY NECESSARY\u{1b}[0m (predicts overturned"),
        "{out}"
    );
    assert!(
        out.contains(
            "outcome: \u{1b}[1;33mNOT MEDICALLY NECESSARY (insufficient documentation)\u{1b}[0m (predicts upheld"
        ),
        "{out}"
    );
}

#[test]
fn no_color_or_never_turns_it_off() {
    for (args, no_color) in [
        (&["check", CASE][..], Some("1")),
        (&["--color", "never", "check", CASE], None),
        (&["--color", "never", "check", "--brief", CASE], None),
    ] {
        let out = text(&run(args, no_color));
        assert!(!out.contains('\u{1b}'), "{args:?}");
    }
}

#[test]
fn json_is_never_coloured() {
    let out = text(&run(&["--color", "always", "check", "--format", "json", CASE], None));
    assert!(!out.contains('\u{1b}'));
}
