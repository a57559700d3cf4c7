//! `mtus audit` at scale: thousands of generated cases in JSON Lines and
//! YAML with broken inputs mixed in. Every input is accounted for, a bad
//! input never stops the run, and the output is byte-identical whatever
//! the thread count, in every format.

use crate::common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use mtus::eval::Machine;
use mtus::generate::Generator;

/// Generated JSON Lines cases: more than the first batch (2048) and the
/// next (512), so batch boundaries are crossed.
const JSONL_CASES: usize = 2600;
const YAML_CASES: u64 = 40;
/// Lines of the JSON Lines file replaced by broken records.
const BAD_LINES: [usize; 4] = [10, 500, 1000, 2100];

struct Corpus {
    dir: tempfile::TempDir,
    /// Inputs `mtus audit` should count (blank lines are none).
    inputs: usize,
    errors: usize,
}

impl Corpus {
    fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

/// One corpus for every test of this file (they only read it).
fn corpus() -> &'static Corpus {
    static CORPUS: std::sync::OnceLock<Corpus> = std::sync::OnceLock::new();
    CORPUS.get_or_init(make_corpus)
}

fn make_corpus() -> Corpus {
    let (_, rules) = common::shipped_rules();
    let dir = tempfile::tempdir().expect("temp dir");
    let g = Generator::new(&rules, 99).expect("generator");
    let mut m = Machine::new();
    // JSON Lines, with bad lines and a blank line mixed in.
    let mut jsonl: Vec<u8> = Vec::new();
    let mut errors = 0;
    for k in 0..JSONL_CASES {
        let line = k + 1;
        match BAD_LINES.iter().position(|&b| b == line) {
            Some(0) => jsonl.extend_from_slice(b"{not json"),
            Some(1) => jsonl.extend_from_slice(br#"{"case":"no-requests"}"#),
            Some(2) => jsonl.extend_from_slice(b"{\"case\":\"bad-\xff-bytes\"}"),
            Some(_) => jsonl.extend_from_slice(
                br#"{"case":"x","requests":[{"id":"r","treatment":"no_such_treatment","date":"2016-01-01"}]}"#,
            ),
            None => jsonl.extend_from_slice(g.case(k as u64, &mut m).expect("case").to_json().as_bytes()),
        }
        if BAD_LINES.contains(&line) {
            errors += 1;
        }
        jsonl.push(b'\n');
        if line == 1500 {
            jsonl.extend_from_slice(b"   \n");
        }
    }
    // No newline after the last line.
    jsonl.pop();
    std::fs::write(dir.path().join("cases.jsonl"), &jsonl).expect("write");
    // YAML files in a subfolder, with broken ones among them.
    let yaml = dir.path().join("yaml");
    std::fs::create_dir(&yaml).expect("mkdir");
    for k in 0..YAML_CASES {
        let c = g.case(100_000 + k, &mut m).expect("case");
        std::fs::write(yaml.join(format!("{}.yaml", c.id)), c.to_yaml()).expect("write");
    }
    let broken: [(&str, &[u8]); 4] = [
        ("bad-syntax.yaml", b"case: x\nrequests: [\n"),
        ("binary.yaml", b"case: \xff\xfe\x00\x01\n"),
        ("empty.yaml", b""),
        (
            "unknown-fact.yaml",
            b"case: x\nexam: { spasm: true }\nrequests:\n  - { id: r, treatment: massage, date: 2015-01-01 }\n",
        ),
    ];
    for (name, bytes) in broken {
        std::fs::write(yaml.join(name), bytes).expect("write");
        errors += 1;
    }
    Corpus {
        dir,
        inputs: JSONL_CASES + YAML_CASES as usize + broken.len(),
        errors,
    }
}

fn audit(args: &[&str]) -> std::process::Output {
    common::mtus(&[&["audit"], args].concat())
}

#[test]
fn every_input_is_a_result_or_an_error_with_its_place() {
    let c = corpus();
    let dir = c.path().display().to_string();
    let missing = c.path().join("missing.yaml").display().to_string();
    let o = audit(&["--format", "json", &dir, &missing]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    let t = &v["totals"];
    let inputs = c.inputs + 1;
    let errors = c.errors + 1;
    assert_eq!(t["inputs"], inputs);
    assert_eq!(t["errors"], errors);
    assert_eq!(t["cases"], inputs - errors);
    assert_eq!(
        t["requests"].as_u64(),
        Some(
            ["agree", "disagree", "unrecorded", "undecided"]
                .iter()
                .map(|k| t[*k].as_u64().unwrap_or(0))
                .sum()
        )
    );
    assert_eq!(
        v["requests"].as_array().map(Vec::len),
        t["requests"].as_u64().map(|n| n as usize)
    );
    let errs = v["errors"].as_array().expect("errors");
    assert_eq!(errs.len(), errors);
    // Each error names its file, and its line where it has one.
    let mut jsonl_lines: Vec<u64> = Vec::new();
    for e in errs {
        let file = e["file"].as_str().expect("file");
        assert!(!e["message"].as_str().unwrap_or("").is_empty(), "{e}");
        if file.ends_with("cases.jsonl") {
            jsonl_lines.push(e["line"].as_u64().expect("line"));
            assert!(e["column"].as_u64().is_some(), "{e}");
        } else if !file.ends_with("missing.yaml") && !file.ends_with("empty.yaml") {
            assert!(e["line"].as_u64().is_some(), "{e}");
        }
    }
    // The blank line after line 1500 moves the later bad line down by one.
    let expect: Vec<u64> = BAD_LINES
        .iter()
        .map(|&l| if l > 1500 { l + 1 } else { l } as u64)
        .collect();
    assert_eq!(jsonl_lines, expect);
    // Errors come in input order, between the good records around them.
    let codes: Vec<&str> = errs.iter().filter_map(|e| e["code"].as_str()).collect();
    assert!(codes.contains(&"not-text"), "{codes:?}");
    assert!(codes.contains(&"unknown-treatment"), "{codes:?}");
    assert!(codes.contains(&"unreadable"), "{codes:?}");
}

#[test]
fn output_is_byte_identical_whatever_the_thread_count() {
    let c = corpus();
    let dir = c.path().display().to_string();
    // The page goes outside the folder audited (a page inside it is refused).
    let pages = tempfile::tempdir().expect("temporary folder");
    for format in ["text", "json", "jsonl", "csv", "markdown"] {
        let mut runs = Vec::new();
        for threads in ["1", "3"] {
            let html = pages
                .path()
                .join(format!("page-{format}-{threads}-{}.html", std::process::id()));
            let html_arg = html.display().to_string();
            let o = audit(&[
                "--format",
                format,
                "--threads",
                threads,
                "--max-disagreements",
                "25",
                "--html",
                &html_arg,
                &dir,
            ]);
            assert_eq!(o.status.code(), Some(1), "{format}: {}", common::stderr(&o));
            assert!(!common::stderr(&o).contains("panicked"));
            let page = std::fs::read(&html).expect("html written");
            runs.push((o.stdout, o.stderr, page));
        }
        assert!(
            runs[0].0 == runs[1].0,
            "{format}: stdout differs between 1 and 3 threads"
        );
        assert!(
            runs[0].1 == runs[1].1,
            "{format}: stderr differs between 1 and 3 threads"
        );
        assert!(
            runs[0].2 == runs[1].2,
            "{format}: the HTML page differs between 1 and 3 threads"
        );
    }
    // The totals alone (by category, year, specialty, guideline), with
    // filters, and the rows the filters keep.
    for format in ["text", "json", "jsonl", "markdown", "csv"] {
        for summary in [true, false] {
            if summary && format == "csv" {
                continue;
            }
            let mut outs = Vec::new();
            for threads in ["1", "4"] {
                let mut args = vec![
                    "--format",
                    format,
                    "--threads",
                    threads,
                    "--since",
                    "2015-06-01",
                    "--class",
                    "physical_medicine",
                    "--class",
                    "opioid",
                    &dir,
                ];
                if summary {
                    args.insert(0, "--summary-only");
                }
                let o = audit(&args);
                assert!(!common::stderr(&o).contains("panicked"));
                outs.push((o.stdout, o.stderr));
            }
            let text = String::from_utf8_lossy(&outs[0].0).into_owned();
            assert!(
                // Markdown escapes the underscore.
                text.contains("physical") && text.contains("opioid"),
                "{format}: the filters keep something: {text}"
            );
            assert!(
                outs[0] == outs[1],
                "{format} (summary only: {summary}): the output differs between 1 and 4 threads"
            );
        }
    }
}

#[test]
fn json_lines_output_has_one_line_per_request_and_error_then_a_summary() {
    let c = corpus();
    let dir = c.path().display().to_string();
    let o = audit(&["--format", "jsonl", &dir]);
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = common::stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let summary = lines.last().expect("summary line");
    assert_eq!(summary["kind"], "summary");
    let count = |k: &str| lines.iter().filter(|l| l["kind"] == k).count();
    let t = &summary["totals"];
    assert_eq!(Some(count("request") as u64), t["requests"].as_u64());
    assert_eq!(count("error"), c.errors);
    // Every disagreement carries its trace; nothing else does.
    let traced = lines.iter().filter(|l| l.get("trace").is_some()).count();
    assert_eq!(Some(traced as u64), t["disagree"].as_u64());
    for l in lines.iter().filter(|l| l.get("trace").is_some()) {
        assert_eq!(l["agrees"], false);
        assert!(l["trace"]["rules"].as_array().is_some_and(|r| !r.is_empty()), "{l}");
    }
}

#[test]
fn kept_disagreements_are_bounded_with_a_count_of_the_rest() {
    let c = corpus();
    let dir = c.path().join("cases.jsonl").display().to_string();
    let o = audit(&["--format", "json", "--max-disagreements", "7", &dir]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let shown = v["disagreements"].as_array().map_or(0, Vec::len);
    assert_eq!(shown, 7);
    let total = v["totals"]["disagree"].as_u64().unwrap_or(0);
    assert!(total > 7);
    assert_eq!(v["disagreements_omitted"].as_u64(), Some(total - 7));
    assert!(v["disagreements"][0]["case"].is_string());
    assert!(v["disagreements"][0]["rules"].is_array());
    let o = audit(&["--max-disagreements", "7", &dir]);
    let text = common::stdout(&o);
    assert!(text.contains(&format!("(7 of {total} disagreements shown;")), "{text}");
}

#[test]
fn standard_input_is_read_as_json_lines() {
    let c = corpus();
    let file = c.path().join("cases.jsonl");
    let bytes = std::fs::read(&file).expect("read");
    let run = |args: &[&str], stdin: Option<&[u8]>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mtus"))
            .args(args)
            .current_dir(common::root())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut input = child.stdin.take().expect("stdin");
        let data = stdin.map(<[u8]>::to_vec).unwrap_or_default();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let o = child.wait_with_output().expect("wait");
        let _ = writer.join();
        o
    };
    let from_stdin = run(&["audit", "--format", "csv", "-"], Some(&bytes));
    let from_file = run(&["audit", "--format", "csv", &file.display().to_string()], None);
    assert_eq!(from_stdin.status.code(), Some(1));
    let a = String::from_utf8_lossy(&from_stdin.stdout).into_owned();
    let b = String::from_utf8_lossy(&from_file.stdout).into_owned();
    // The same rows, with `-` for the file name.
    assert_eq!(a.lines().count(), b.lines().count());
    assert_eq!(
        a.replace(",-,", ",F,"),
        b.replace(&format!(",{},", file.display()), ",F,")
    );
}

#[test]
fn a_generated_yaml_folder_audits_cleanly() {
    let (_, rules) = common::shipped_rules();
    let dir = tempfile::tempdir().expect("temp dir");
    let g = Generator::new(&rules, 5).expect("generator");
    g.write_yaml_dir(1200, dir.path()).expect("write yaml dir");
    assert!(dir.path().join("001").is_dir(), "a thousand files to a folder");
    let o = audit(&["--format", "json", &dir.path().display().to_string()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["totals"]["inputs"], 1200);
    assert_eq!(v["totals"]["errors"], 0);
    assert!(v["kappa"].as_f64().is_some());
    let first = v["requests"][0]["case"].as_str().unwrap_or("");
    assert_eq!(first, "gen5-0000000", "sorted paths follow case numbers");
}
