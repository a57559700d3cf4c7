//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mtus::RuleSet;
use mtus::diag::SourceMap;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A path relative to the crate root, with `/` separators, for stable
/// snapshots.
pub fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The shipped cases written for the project (`cases/*.yaml`, sorted), as
/// paths from the crate root: not the real determinations of
/// `cases/imr-2016/`, which are measured by `audit` (tests/it/real_cases.rs),
/// not expected to pass.
pub fn shipped_case_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("cases"))
        .expect("cases/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("cases/{n}"))
        .collect();
    files.sort();
    files
}

pub fn shipped_rules() -> (SourceMap, RuleSet) {
    let mut sm = SourceMap::new();
    match RuleSet::embedded(&mut sm) {
        Ok(rs) => (sm, rs),
        Err(e) => {
            let text: Vec<String> = e
                .diagnostics
                .iter()
                .map(|d| mtus::report::diagnostics::render(&sm, d, false))
                .collect();
            panic!("the shipped rules do not check:\n{}", text.join("\n"));
        }
    }
}

/// Run the built `mtus` binary from the crate root, without a backtrace
/// setting that would change error output.
pub fn mtus(args: &[&str]) -> Output {
    mtus_in(root(), args)
}

/// [`mtus`] run in `dir` (paths in the output are then relative to it,
/// and a `rules/` folder there is found).
pub fn mtus_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .env("NO_COLOR", "1")
        // Text is wrapped to COLUMNS when set: snapshots use the default.
        .env_remove("COLUMNS")
        .output()
        .expect("run mtus")
}

pub fn stdout(o: &Output) -> String {
    redact_rules_hash(&String::from_utf8_lossy(&o.stdout))
}

pub fn stderr(o: &Output) -> String {
    redact_rules_hash(&String::from_utf8_lossy(&o.stderr))
}

/// Outputs name the rule set with a hash of its files (`sha256
/// 0123456789ab` in text, 64 hex digits in JSON); it changes with every
/// rule edit, so snapshots show `[hash]` instead. The hash itself is
/// tested in tests/rule_location.rs.
pub fn redact_rules_hash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("sha256") {
        out.push_str(&rest[..i + 6]);
        rest = &rest[i + 6..];
        // `sha256 HEX` (text) or `sha256": "HEX` (JSON).
        let lead = rest.len() - rest.trim_start_matches([' ', '"', ':']).len();
        let hex = rest[lead..].chars().take_while(char::is_ascii_hexdigit).count();
        if hex >= 12 {
            out.push_str(&rest[..lead]);
            out.push_str("[hash]");
            rest = &rest[lead + hex..];
        }
    }
    out.push_str(rest);
    out
}

/// The folder of the real letters: `$MTUS_SHARED/imr-letters` when
/// `MTUS_SHARED` is set (point it at an empty folder to run as a fresh
/// clone does), else `../shared/imr-letters` beside the repository.
/// None (the test skips) unless it holds `truth.json` and `pdf/`.
pub fn shared_letters() -> Option<PathBuf> {
    let dir = match std::env::var_os("MTUS_SHARED") {
        Some(d) => PathBuf::from(d).join("imr-letters"),
        None => root().join("../shared/imr-letters"),
    };
    (dir.join("truth.json").is_file() && dir.join("pdf").is_dir()).then_some(dir)
}
