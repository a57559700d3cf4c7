//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::Path;
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
    Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(args)
        .current_dir(root())
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .env("NO_COLOR", "1")
        .output()
        .expect("run mtus")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
