//! Every `--help` text, snapshot-tested: one snapshot for `mtus --help`
//! and one per subcommand, found from the list `mtus --help` prints (a new
//! subcommand gets a snapshot without touching this file). A changed flag
//! or wording shows as a changed snapshot, to be read before it is
//! accepted.

use crate::common;

/// The subcommands `mtus --help` lists, in its order (not `help`).
fn subcommands(help: &str) -> Vec<String> {
    let section = help
        .split("\nCommands:\n")
        .nth(1)
        .and_then(|s| s.split("\n\n").next())
        .expect("a Commands section");
    section
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

fn help(args: &[&str]) -> String {
    let o = common::mtus(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", common::stderr(&o));
    common::stdout(&o)
}

#[test]
fn every_help_text() {
    let top = help(&["--help"]);
    insta::assert_snapshot!("help_mtus", top);
    let subs = subcommands(&top);
    // The commands of the README's tour are all there.
    for c in [
        "check", "audit", "generate", "fmt", "explain", "test", "lint", "serve", "schema", "doc", "lsp",
    ] {
        assert!(subs.iter().any(|s| s == c), "{c} not in {subs:?}");
    }
    for sub in &subs {
        insta::assert_snapshot!(format!("help_{sub}"), help(&[sub.as_str(), "--help"]));
    }
}

#[test]
fn audit_help_names_every_input_it_reads() {
    let h = help(&["audit", "--help"]);
    for ext in ["*.yaml", "*.yml", "*.json", "*.jsonl"] {
        assert!(h.contains(ext), "{ext}: {h}");
    }
}

#[test]
fn test_help_names_the_new_flags() {
    let h = help(&["test", "--help"]);
    for flag in ["--quiet", "--verbose", "--run <PATTERN>", "junit"] {
        assert!(h.contains(flag), "{flag}: {h}");
    }
}
