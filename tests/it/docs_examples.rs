//! The documentation kept true: every command of the README's and the
//! docs' `sh` examples that can run offline runs, as a reader would type
//! it, in a copy of the repository's rules and cases, with the status
//! the docs imply; what a comment claims about an output is checked
//! against it; every snippet marked as quoting a file
//! (`<!-- quotes FILE -->` before it) is that file's text; the README's
//! case file snippet loads; CI runs the README's test command.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

/// The Markdown files whose examples are run, from the crate root.
fn documents() -> Vec<PathBuf> {
    let mut docs = vec![
        common::root().join("README.md"),
        common::root().join("editors/README.md"),
    ];
    let mut more: Vec<PathBuf> = std::fs::read_dir(common::root().join("docs"))
        .expect("docs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    more.sort();
    docs.extend(more);
    docs
}

/// The fenced blocks of a Markdown text: (info string, first line number
/// of the body, body lines, the line before the fence).
fn blocks(text: &str) -> Vec<(String, usize, Vec<String>, String)> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if let Some(info) = lines[i].strip_prefix("```") {
            let before = if i > 0 { lines[i - 1].to_string() } else { String::new() };
            let start = i + 2;
            let mut body = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].starts_with("```") {
                body.push(lines[i].to_string());
                i += 1;
            }
            out.push((info.trim().to_string(), start, body, before));
        }
        i += 1;
    }
    out
}

/// A shell line without its trailing comment: the first `#` that follows
/// a blank, outside quotes (`"Norco 10/325 mg #120"` keeps its `#`).
fn strip_comment(line: &str) -> (&str, &str) {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if prev.is_whitespace() => return (line[..i].trim_end(), line[i + 1..].trim()),
            _ => {}
        }
        prev = c;
    }
    (line.trim_end(), "")
}

/// Commands not run, and why: each is run by a test of its own, or needs
/// what a fresh clone does not have.
const NOT_RUN: &[(&str, &str)] = &[
    ("--watch", "runs until stopped: tests/it/watch.rs"),
    ("mtus lsp", "a server on standard input: tests/it/lsp.rs"),
    ("mtus serve", "serves until stopped: tests/it/serve_api.rs"),
    (
        "../shared/imr-letters",
        "needs the real letters, outside the repository: tests/it/ingest.rs",
    ),
    ("letter.pdf", "a placeholder for a letter"),
    ("lines.txt", "a placeholder for a file of request lines"),
    ("CASE REQUEST", "the command's synopsis"),
    (
        "--explain CODE",
        "a placeholder for a lint code (tests/it/lint_explain.rs)",
    ),
    ("my-rules", "a placeholder for another rule set"),
    ("cd editors/vscode", "installs the editor extension (npm)"),
    ("npm install", "installs the editor extension (npm, online)"),
    ("ln -s", "installs the editor extension"),
    (
        "editors/vscode/package.sh",
        "builds the editor extension (npm registry): tests/it/vscode.rs",
    ),
    ("code --install-extension", "installs the editor extension into VS Code"),
    ("npm test", "the extension's harness (node): tests/it/vscode.rs"),
];

/// The exit status a command is documented to have, when not 0.
fn expected_status(cmd: &str) -> i32 {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    if cmd.contains("--deny-exit") {
        // The seed case's requests are not medically necessary.
        3
    } else if words.get(1) == Some(&"test") && !words.iter().any(|w| w.starts_with("cases/") || *w == "--run") {
        // All of cases/, the real set's letters included, some of which the
        // rules decide otherwise than the reviewers did (the README says so).
        1
    } else {
        0
    }
}

/// Copy a folder recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Every command line of the `sh` examples: (document, line, command,
/// its comment), `cargo run --release --` read as `mtus`.
fn commands() -> Vec<(String, usize, String, String)> {
    let mut out = Vec::new();
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).expect("read");
        let name = common::rel(&doc);
        for (info, start, body, _) in blocks(&text) {
            if info != "sh" {
                continue;
            }
            let first = out.len();
            for (k, line) in body.iter().enumerate() {
                let (cmd, comment) = strip_comment(line);
                if cmd.trim().is_empty() {
                    // A comment continued on the next line.
                    if let Some(last) = out.get_mut(first..).and_then(|o| o.last_mut()) {
                        let last: &mut (String, usize, String, String) = last;
                        last.3.push(' ');
                        last.3.push_str(comment);
                    }
                    continue;
                }
                let cmd = cmd.trim().replace("cargo run --release -- ", "mtus ");
                out.push((name.clone(), start + k, cmd, comment.to_string()));
            }
        }
    }
    out
}

#[test]
fn the_first_commands_install_then_run_and_ci_runs_the_test_command() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let sh: Vec<_> = blocks(&readme).into_iter().filter(|b| b.0 == "sh").collect();
    let first: Vec<&str> = sh[0].2.iter().map(|l| strip_comment(l).0).collect();
    assert_eq!(
        first,
        ["cargo install --locked --path .", "mtus check cases/seed-000.yaml"]
    );
    // The contributor's command, in a block of its own, is what CI runs.
    let second: Vec<&str> = sh[1].2.iter().map(|l| strip_comment(l).0).collect();
    assert_eq!(second, ["cargo test --locked"]);
    assert!(sh[1].2[0].contains("contributor"), "{:?}", sh[1].2);
    let ci = std::fs::read_to_string(common::root().join(".ci/run")).expect(".ci/run");
    assert!(ci.lines().any(|l| l.trim() == "cargo test --locked"), "{ci}");
}

#[test]
fn every_offline_example_runs_as_documented() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    copy_dir(&common::root().join("rules"), &root.join("rules"));
    copy_dir(&common::root().join("cases"), &root.join("cases"));
    let bin = Path::new(env!("CARGO_BIN_EXE_mtus")).parent().expect("bin folder");
    let path = std::env::join_paths(
        std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let mut ran = 0;
    let mut failures = Vec::new();
    for (doc, line, cmd, comment) in commands() {
        if cmd.starts_with("cargo ") {
            // Builds and the test suite: the_first_commands_install_then_run...
            continue;
        }
        if NOT_RUN.iter().any(|(what, _)| cmd.contains(what)) {
            continue;
        }
        // A lint of the shipped rules is about 15 s of CPU in a debug
        // build: the strictest one runs (no warning at all), and each of
        // the other modes (--fix, --diff, sarif, github) is run on fixtures
        // by tests/it/lint_cli.rs and lint_fix.rs.
        if cmd.starts_with("mtus lint") && cmd != "mtus lint --deny-warnings" {
            continue;
        }
        let o = Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .current_dir(root)
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env_remove("COLUMNS")
            .env_remove("RUST_BACKTRACE")
            .output()
            .expect("run sh");
        ran += 1;
        let want = expected_status(&cmd);
        if o.status.code() != Some(want) {
            failures.push(format!(
                "{doc}:{line}: `{cmd}` exited {:?}, not {want}\n{}",
                o.status.code(),
                String::from_utf8_lossy(&o.stderr)
            ));
            continue;
        }
        let out = String::from_utf8_lossy(&o.stdout);
        if let Some(claim) = claimed_output(&comment) {
            if !out.contains(&claim) {
                failures.push(format!(
                    "{doc}:{line}: `{cmd}` does not print `{claim}` (its comment says so)"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The tour, the audit, generate, the authoring commands, doc, schema,
    // new, request and the real set at least.
    assert!(ran >= 35, "only {ran} commands ran");
}

/// What a command's comment says its output holds: the real set's
/// agreement (`250 items, 238 agree (95.2%), kappa 0.69`) as the audit
/// prints it.
fn claimed_output(comment: &str) -> Option<String> {
    let re = regex::Regex::new(r"(\d+) items, (\d+) agree \(([\d.]+)%\), kappa ([\d.-]+)").expect("regex");
    if let Some(c) = re.captures(comment) {
        return Some(format!(
            "agreement: {}/{} = {}%; Cohen's kappa {}",
            &c[2], &c[1], &c[3], &c[4]
        ));
    }
    // `mtus test` over all of cases/: the real set's letters that fail.
    let re = regex::Regex::new(r"decide (\d+) of").expect("regex");
    if let Some(c) = re.captures(comment) {
        return Some(format!(" passed, {} failed", &c[1]));
    }
    // `mtus test cases/*.yaml`: every written case passes.
    comment.contains("all pass").then(|| " passed, 0 failed".to_string())
}

#[test]
fn the_real_set_claim_is_read_from_the_readme() {
    let claims: Vec<String> = commands().iter().filter_map(|(_, _, _, c)| claimed_output(c)).collect();
    assert_eq!(
        claims.iter().filter(|c| c.starts_with("agreement: ")).count(),
        1,
        "{claims:?}"
    );
    // The claim about `mtus test` over all of cases/ is read too (what it
    // says is checked by running it, in every_offline_example_runs_as_documented).
    let failed = regex::Regex::new(r"^ passed, [1-9]\d* failed$").expect("regex");
    assert_eq!(claims.iter().filter(|c| failed.is_match(c)).count(), 1, "{claims:?}");
}

/// `<!-- quotes FILE ... -->` before a fenced block: the block is FILE's
/// text, but for lines `# ...`, each of which stands for lines left out.
#[test]
fn snippets_that_quote_a_file_are_its_text() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).expect("read");
        for (_, start, body, before) in blocks(&text) {
            let Some(rest) = before.trim().strip_prefix("<!-- quotes ") else {
                continue;
            };
            let file = rest.split([' ', ';']).next().expect("a file");
            let quoted = std::fs::read_to_string(common::root().join(file))
                .unwrap_or_else(|e| panic!("{}:{start}: cannot read {file}: {e}", common::rel(&doc)));
            let quoted: Vec<&str> = quoted.lines().collect();
            // Each run of lines between `# ...` is found in the file, in order.
            let mut from = 0;
            for chunk in body.split(|l| l.trim() == "# ...") {
                if chunk.is_empty() {
                    continue;
                }
                let at = (from..quoted.len().saturating_sub(chunk.len() - 1))
                    .find(|&i| quoted[i..i + chunk.len()].iter().zip(chunk).all(|(a, b)| a == b));
                match at {
                    Some(i) => from = i + chunk.len(),
                    None => failures.push(format!(
                        "{}:{start}: these lines are not in {file} (in this order):\n{}",
                        common::rel(&doc),
                        chunk.join("\n")
                    )),
                }
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked >= 2, "the README's massage and lint snippets are marked");
}

#[test]
fn the_readme_case_file_loads_and_decides_as_it_says() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let case = blocks(&readme)
        .into_iter()
        .find(|b| b.0 == "yaml" && b.2.first().is_some_and(|l| l.starts_with("case: ")))
        .expect("the README's case file");
    let text = case.2.join("\n") + "\n";
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(["--builtin-rules", "check", "--format", "json", "-"])
        .current_dir(common::root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run mtus");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(text.as_bytes()).expect("write");
    }
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    // The snippet records the massage request as upheld: the rules agree.
    let r = &v["cases"][0]["requests"][0];
    assert_eq!(r["request"], "massage");
    assert_eq!(r["agrees"], true, "{r}");
}

#[test]
fn comments_are_told_from_hashes_in_arguments() {
    assert_eq!(
        strip_comment(r#"mtus request "Norco 10/325 mg #120" "PT"   # two lines"#),
        (r#"mtus request "Norco 10/325 mg #120" "PT""#, "two lines")
    );
    assert_eq!(strip_comment("mtus test --run 'a #b'"), ("mtus test --run 'a #b'", ""));
    assert_eq!(
        strip_comment("                # a continued comment"),
        ("", "a continued comment")
    );
}
