//! The VS Code extension (editors/vscode): its Node harness (`npm test`,
//! test/run.js) runs extension.js with the real vscode-languageclient
//! against a stand-in for the `vscode` module, and the client starts this
//! build's `mtus lsp` through the extension's own settings: initialize,
//! diagnostics of case files matched by content and by the glob setting,
//! other YAML and JSON kept from the server, hover, the `mtus test` lens
//! and its command. It needs `node` and the extension's `node_modules`
//! (`npm ci` in editors/vscode, which this test does not run): without
//! them it says so and passes. The package's manifest is checked as well.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::root;

fn extension_dir() -> PathBuf {
    root().join("editors/vscode")
}

/// Why the harness cannot run here, if it cannot.
fn cannot_run(dir: &Path) -> Option<String> {
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return Some(format!(
                "`node --version` failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
        }
        Err(e) => return Some(format!("no `node` on the PATH ({e})")),
    }
    for module in ["vscode-languageclient", "minimatch"] {
        if !dir.join("node_modules").join(module).join("package.json").is_file() {
            return Some(format!(
                "editors/vscode/node_modules/{module} is missing: run `npm ci` in editors/vscode"
            ));
        }
    }
    None
}

#[test]
fn the_extension_starts_the_server_and_gives_it_only_case_and_rule_files() {
    let dir = extension_dir();
    if let Some(why) = cannot_run(&dir) {
        eprintln!("skipped: {why}");
        return;
    }
    let out = Command::new("node")
        .arg("test/run.js")
        .current_dir(&dir)
        .env("MTUS_BIN", env!("CARGO_BIN_EXE_mtus"))
        .env_remove("MTUS_VSCODE_EXTENSION_DIR")
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}{stderr}");
    assert!(
        out.status.success(),
        "the extension's harness failed:\n{stdout}{stderr}"
    );
    // Every scenario ran and passed (an empty run would also exit 0).
    for scenario in ["content", "defaults", "glob", "badpath"] {
        assert!(
            stdout.lines().any(|l| l.starts_with(&format!("ok   {scenario} "))),
            "scenario {scenario} did not pass:\n{stdout}"
        );
    }
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(extension_dir().join("package.json")).expect("package.json");
    serde_json::from_str(&text).expect("package.json is JSON")
}

/// The package builds from pinned tools: vsce at an exact version, and
/// the lock file holds what package.json asks for.
#[test]
fn the_package_is_built_from_a_lock_file_with_a_pinned_vsce() {
    let m = manifest();
    let vsce = m["devDependencies"]["@vscode/vsce"]
        .as_str()
        .expect("@vscode/vsce in devDependencies");
    assert!(
        vsce.chars().all(|c| c.is_ascii_digit() || c == '.'),
        "@vscode/vsce is pinned to an exact version, not `{vsce}`"
    );
    let lock: Value = serde_json::from_str(
        &std::fs::read_to_string(extension_dir().join("package-lock.json")).expect("package-lock.json is committed"),
    )
    .expect("package-lock.json is JSON");
    assert_eq!(lock["packages"][""]["devDependencies"], m["devDependencies"]);
    assert_eq!(lock["packages"][""]["dependencies"], m["dependencies"]);
    assert_eq!(
        lock["packages"]["node_modules/@vscode/vsce"]["version"].as_str(),
        Some(vsce)
    );
    for dep in m["dependencies"].as_object().expect("dependencies").keys() {
        let entry = &lock["packages"][format!("node_modules/{dep}")];
        assert!(
            entry["version"].is_string() && entry["dev"].is_null(),
            "{dep} is a runtime dependency in the lock: {entry}"
        );
    }
    let script = std::fs::read_to_string(extension_dir().join("package.sh")).expect("package.sh");
    assert!(script.contains("npm ci") && script.contains("vsce package"), "{script}");
    let ignore = std::fs::read_to_string(extension_dir().join(".vscodeignore")).expect(".vscodeignore");
    for left_out in ["test/**", "package.sh"] {
        assert!(
            ignore.lines().any(|l| l == left_out),
            ".vscodeignore leaves out {left_out}"
        );
    }
}

/// Every setting the extension contributes is in both READMEs, and the
/// glob setting's default is the one extension.js falls back to.
#[test]
fn the_settings_are_documented_and_their_defaults_agree() {
    let m = manifest();
    let props = m["contributes"]["configuration"]["properties"]
        .as_object()
        .expect("settings");
    let readmes = [
        std::fs::read_to_string(root().join("editors/README.md")).expect("editors/README.md"),
        std::fs::read_to_string(extension_dir().join("README.md")).expect("editors/vscode/README.md"),
    ];
    for name in props.keys() {
        for (i, text) in readmes.iter().enumerate() {
            assert!(
                text.contains(&format!("`{name}`")),
                "README {i} does not name the setting `{name}`"
            );
        }
    }
    let js = std::fs::read_to_string(extension_dir().join("extension.js")).expect("extension.js");
    let default: Vec<String> = props["mtus.caseFileGlobs"]["default"]
        .as_array()
        .expect("a default list")
        .iter()
        .map(|g| format!("'{}'", g.as_str().unwrap_or_default()))
        .collect();
    let line = format!("const DEFAULT_GLOBS = [{}];", default.join(", "));
    assert!(js.contains(&line), "extension.js does not say `{line}`");
}
