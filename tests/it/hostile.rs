//! Hostile inputs, run through the real binary: each must end in time
//! (a child still running after `LIMIT` is killed and the test fails),
//! with the right exit status and error code, and the good cases given
//! with it must still be read and counted.
//!
//! The small hostile files are in `tests/hostile/`; the ones that cannot
//! be committed (FIFOs, sockets, symlink loops, unreadable folders, files
//! past a size cap, `/dev/zero`) are made at run time in a scratch
//! folder.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(20);
const CORPUS: &str = "tests/hostile";
/// A small rule file that checks, for `lint --cases` (the shipped rules
/// take seconds to lint in a debug build).
const LINT_RULES: &str = "tests/fixtures/lint/unused_fact.mtus";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What a run gave.
struct Run {
    code: Option<i32>,
    out: String,
    err: String,
}

enum Input {
    Null,
    Bytes(Vec<u8>),
    File(PathBuf),
}

/// Run `mtus args` from the crate root, killing it past `LIMIT`.
fn run_with(args: &[&str], input: Input) -> Run {
    run_as(&[], args, input)
}

/// Run `prefix... mtus args` (`prefix` runs it as another user).
fn run_as(prefix: &[&str], args: &[&str], input: Input) -> Run {
    let bin = env!("CARGO_BIN_EXE_mtus");
    let mut cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(bin);
            c
        }
        None => Command::new(bin),
    };
    cmd.args(args)
        .current_dir(root())
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let bytes = match input {
        Input::Null => {
            cmd.stdin(Stdio::null());
            None
        }
        Input::Bytes(b) => {
            cmd.stdin(Stdio::piped());
            Some(b)
        }
        Input::File(p) => {
            cmd.stdin(std::fs::File::open(&p).expect("open the standard input file"));
            None
        }
    };
    let start = Instant::now();
    let mut child = cmd.spawn().expect("run mtus");
    if let Some(b) = bytes {
        let mut stdin = child.stdin.take().expect("stdin");
        std::thread::spawn(move || {
            let _ = stdin.write_all(&b);
        });
    }
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`mtus {}` still ran after {LIMIT:?}: killed", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let out = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    let err = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    assert!(!err.contains("panicked"), "`mtus {}` panicked:\n{err}", args.join(" "));
    Run {
        code: status.code(),
        out,
        err,
    }
}

fn run(args: &[&str]) -> Run {
    run_with(args, Input::Null)
}

/// A scratch folder for one test, made anew.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mtus-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn corpus(name: &str) -> String {
    format!("{CORPUS}/{name}")
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// A good YAML case with this id.
fn good_case(id: &str) -> String {
    std::fs::read_to_string(root().join(CORPUS).join("good.yaml"))
        .expect("good.yaml")
        .replace("good-yaml", id)
}

/// `audit --format json` totals: (inputs, cases, errors), and the error
/// codes in order.
fn audit_json(args: &[&str], input: Input) -> (Run, (u64, u64, u64), Vec<String>) {
    let r = run_with(
        &[&["audit", "--format", "json", "--threads", "2"], args].concat(),
        input,
    );
    let doc: serde_json::Value =
        serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("audit JSON for {args:?}: {e}\n{}\n{}", r.out, r.err));
    let t = &doc["totals"];
    let n = |k: &str| t[k].as_u64().unwrap_or(u64::MAX);
    let codes = doc["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["code"].as_str().unwrap_or("?").to_string())
                .collect()
        })
        .unwrap_or_default();
    let totals = (n("inputs"), n("cases"), n("errors"));
    (r, totals, codes)
}

// ---------------------------------------------------------------------
// The committed corpus: each bad file beside a good one, through `audit`
// (the count) and `check` (the message).

/// (file, error code expected; `None` when the file is a good case).
const CASES: &[(&str, Option<&str>)] = &[
    ("good.yaml", None),
    ("good.json", None),
    ("escape-ids.yaml", Some("control-character")),
    ("escape-text.yaml", Some("control-character")),
    ("bidi-id.yaml", None),
    ("formula-ids.yaml", None),
    ("formula-at.yaml", None),
    ("long-id.yaml", None),
    ("UPPER-EXT.YAML", None),
    ("UPPER-EXT.JSON", None),
    ("not-utf8.yaml", Some("not-text")),
    ("nul-bytes.yaml", Some("not-text")),
    ("binary.yaml", Some("not-text")),
    ("empty.yaml", Some("empty-file")),
    ("comments-only.yaml", Some("empty-file")),
    ("scalar.yaml", Some("not-a-case")),
    ("list.yaml", Some("not-a-case")),
    ("array.json", Some("not-a-case")),
    ("two-documents.yaml", Some("")),
    ("tab-indent.yaml", Some("")),
    ("deep-nesting.yaml", Some("")),
    ("deep-nesting.json", Some("")),
    ("alias-bomb.yaml", Some("")),
    ("huge-number.yaml", Some("")),
    ("bad-date.yaml", Some("")),
    ("duplicate-key.yaml", Some("duplicate-key")),
    ("trailing-garbage.json", Some("json-syntax")),
    ("truncated.json", Some("json-syntax")),
];

#[test]
fn every_corpus_case_among_good_ones() {
    let paths: Vec<String> = CASES.iter().map(|(f, _)| corpus(f)).collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let good = CASES.iter().filter(|(_, c)| c.is_none()).count() as u64;
    let bad = CASES.len() as u64 - good;
    // One audit of them all: every good case read, every bad one an error
    // with its code, in order.
    let (r, totals, codes) = audit_json(&args, Input::Null);
    assert_eq!(totals, (CASES.len() as u64, good, bad), "{}", r.err);
    assert_eq!(r.code, Some(1));
    let expected: Vec<&str> = CASES.iter().filter_map(|(_, c)| *c).collect();
    assert_eq!(codes.len(), expected.len());
    for (got, want) in codes.iter().zip(&expected) {
        assert!(got.contains(want), "{got} for {want}: {codes:?}");
    }
    // `check` of them all: the same, each error naming its file.
    let r = run(&[&["check", "--format", "json"], &args[..]].concat());
    assert_eq!(r.code, Some(1), "{}", r.err);
    let doc: serde_json::Value = serde_json::from_str(&r.out).expect("check JSON");
    let cases = doc["cases"].as_array().map_or(0, Vec::len) as u64;
    assert_eq!(cases, good);
    let errors = doc["errors"].as_array().cloned().unwrap_or_default();
    let bad_files: Vec<(&str, &str)> = CASES.iter().filter_map(|(f, c)| c.map(|c| (*f, c))).collect();
    // Every mistake of a file is reported (a file may have several), in
    // input order: each bad file has its errors, the first with its code.
    let files_of_errors: Vec<&str> = errors.iter().filter_map(|e| e["file"].as_str()).collect();
    assert_eq!(files_of_errors.len(), errors.len(), "{errors:?}");
    let mut at = 0;
    for (file, code) in &bad_files {
        let first = errors
            .get(at)
            .unwrap_or_else(|| panic!("no error for {file}: {errors:?}"));
        assert!(
            first["file"].as_str().is_some_and(|f| f.ends_with(file)),
            "{first} for {file}"
        );
        assert!(
            first["code"].as_str().is_some_and(|c| c.contains(code)),
            "{first} for {file}"
        );
        while errors
            .get(at)
            .and_then(|e| e["file"].as_str())
            .is_some_and(|f| f.ends_with(file))
        {
            at += 1;
        }
    }
    assert_eq!(at, errors.len(), "errors for no bad file: {errors:?}");
    // And each good one alone passes.
    let good_args: Vec<&str> = CASES
        .iter()
        .zip(&args)
        .filter(|((_, c), _)| c.is_none())
        .map(|(_, a)| *a)
        .collect();
    let r = run(&[&["check"], &good_args[..]].concat());
    assert_eq!(r.code, Some(0), "{}", r.err);
}

/// A BOM before the first key is not content: the case is read and
/// decided like the same file without it.
#[test]
fn a_byte_order_mark_is_skipped() {
    let r = run(&["check", &corpus("bom.yaml")]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(r.out.contains("outcome: "), "{}", r.out);
}

#[test]
fn json_lines_good_and_bad_lines() {
    let files = [
        "mixed.jsonl",
        "no-final-newline.jsonl",
        "crlf.jsonl",
        "binary-line.jsonl",
        "UPPER-LINES.JSONL",
        "blank-only.jsonl",
    ];
    let paths: Vec<String> = files.iter().map(|f| corpus(f)).collect();
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (r, totals, codes) = audit_json(&args, Input::Null);
    // mixed: 3 good, 3 bad (two blank lines are no case); 2 + 2 + 2 + 1 good
    // in the others, 1 bad line; blank-only has no case and no error.
    assert_eq!(totals, (14, 10, 4), "{}", r.err);
    // The NUL line is not text, whatever a JSON parser would say of it.
    assert_eq!(codes, ["json-syntax", "not-text", "not-a-case", "not-text"]);
    assert_eq!(r.code, Some(1));
    // The same lines on standard input.
    let mixed = std::fs::read(root().join(CORPUS).join("mixed.jsonl")).expect("mixed.jsonl");
    let (r, totals, _) = audit_json(&["-"], Input::Bytes(mixed));
    assert_eq!(totals, (6, 3, 3), "{}", r.err);
    // `check -` reads one YAML case from standard input.
    let good = std::fs::read(root().join(CORPUS).join("good.yaml")).expect("good.yaml");
    let r = run_with(&["check", "-"], Input::Bytes(good));
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(r.out.contains("case good-yaml (-)"), "{}", r.out);
}

#[test]
fn terminal_escapes_never_reach_the_terminal() {
    // Control characters written as escapes are refused at load
    // (`control-character`); the excerpt quotes the escape as written, so
    // no escape sequence reaches the terminal on either stream.
    let files = ["escape-ids.yaml", "escape-text.yaml"].map(corpus);
    for cmd in [&["check"][..], &["audit"], &["test"]] {
        let args: Vec<&str> = cmd.iter().copied().chain(files.iter().map(String::as_str)).collect();
        let r = run(&args);
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.err);
        assert!(r.err.contains("control-character"), "{args:?}: {}", r.err);
        for text in [&r.out, &r.err] {
            assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{args:?}:\n{text}");
        }
    }
    // A bidirectional override is not a control character: the case is
    // read, and the override is shown escaped.
    let bidi = corpus("bidi-id.yaml");
    for cmd in [&["check"][..], &["audit"], &["test"]] {
        let args: Vec<&str> = cmd.iter().copied().chain([bidi.as_str()]).collect();
        let r = run(&args);
        assert_eq!(r.code, Some(0), "{args:?}: {}", r.err);
        assert!(!r.out.contains('\u{202e}'), "{args:?}");
    }
    // In diagnostics too: the excerpt of a rule file quotes its text.
    let r = run(&["lint", "--no-cases", &corpus("rules-escape.mtus")]);
    assert_eq!(r.code, Some(1));
    assert!(!r.err.contains('\u{1b}') && r.err.contains("\\x1b"), "{}", r.err);
    // JSON Lines: the record is an error row; nothing raw on either stream.
    let r = run(&["audit", &corpus("escape-ids.jsonl")]);
    assert_eq!(r.code, Some(1));
    assert!(
        !r.out.contains('\u{1b}') && !r.err.contains('\u{1b}'),
        "{}\n{}",
        r.out,
        r.err
    );
    assert!(r.err.contains("control-character"), "{}", r.err);
}

#[test]
fn csv_cells_are_not_formulas() {
    let r = run(&[
        "audit",
        "--format",
        "csv",
        &corpus("formula-ids.yaml"),
        &corpus("formula-at.yaml"),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    // The header (the rule set's hash a column of every row), then the
    // requests.
    assert!(
        r.out
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("kind,rules_sha256,")),
        "{}",
        r.out
    );
    let rows: Vec<&str> = r.out.lines().skip(1).collect();
    assert!(rows.iter().all(|l| l.starts_with("request,")), "{}", r.out);
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0].contains(",\"'=HYPERLINK(\"\"http://x\"\")\",'+1+1,"),
        "{}",
        rows[0]
    );
    assert!(rows[1].contains(",'@SUM(A1),'-2,"), "{}", rows[1]);
}

#[test]
fn bad_rule_files() {
    for (file, code) in [
        ("rules-not-utf8.mtus", "not-text"),
        ("rules-garbage.mtus", "syntax"),
        ("rules-deep.mtus", "nesting"),
        ("rules-escape.mtus", "syntax"),
    ] {
        let r = run(&["lint", "--no-cases", &corpus(file)]);
        assert_eq!(r.code, Some(1), "{file}");
        assert!(r.err.contains(&format!("error[{code}]")), "{file}: {}", r.err);
        let r = run(&["fmt", "--check", &corpus(file)]);
        assert_eq!(r.code, Some(1), "fmt {file}");
    }
}

// ---------------------------------------------------------------------
// Folders: extensions, empty folders, links.

#[test]
fn extensions_are_matched_whatever_their_case() {
    let dir = scratch("ext");
    for f in ["UPPER-EXT.JSON", "UPPER-EXT.YAML", "UPPER-LINES.JSONL", "good.json"] {
        std::fs::copy(root().join(CORPUS).join(f), dir.join(f)).expect("copy");
    }
    std::fs::write(dir.join("c.Yml"), good_case("mixed-case-yml")).expect("write");
    let (r, totals, _) = audit_json(&[&s(&dir)], Input::Null);
    assert_eq!(totals, (5, 5, 0), "{}", r.err);
    assert_eq!(r.code, Some(0));
    let r = run(&["test", &s(&dir)]);
    // `test` reads one case per file: not JSON Lines.
    assert!(r.out.contains("4 passed"), "{}", r.out);
}

#[test]
fn a_folder_without_cases_is_an_error() {
    let empty = scratch("empty");
    for dir in [corpus("no-cases"), s(&empty)] {
        let (r, totals, codes) = audit_json(&[&dir, &corpus("good.yaml")], Input::Null);
        assert_eq!(totals, (2, 1, 1), "{dir}: {}", r.err);
        assert_eq!(codes, ["no-inputs"]);
        assert_eq!(r.code, Some(1));
        for cmd in ["check", "test"] {
            let r = run(&[cmd, &dir]);
            assert_eq!(r.code, Some(1), "{cmd} {dir}");
            assert!(
                r.err.contains("error[no-inputs]") && r.err.contains(&dir),
                "{cmd}: {}",
                r.err
            );
        }
        let r = run(&["fmt", &dir]);
        assert_eq!(r.code, Some(1), "fmt {dir}");
        let r = run(&["--rules", &dir, "check", &corpus("good.yaml")]);
        assert_eq!(r.code, Some(1), "--rules {dir}");
        assert!(r.err.contains("no *.mtus files"), "{}", r.err);
    }
}

#[test]
fn a_missing_path_is_an_error() {
    let (r, totals, codes) = audit_json(&["no/such/folder", &corpus("good.yaml")], Input::Null);
    assert_eq!(totals, (2, 1, 1));
    assert_eq!(codes, ["unreadable"]);
    assert_eq!(r.code, Some(1));
    let r = run(&["lint", "--cases", "no/such/folder", LINT_RULES]);
    assert_eq!(r.code, Some(1), "lint --cases MISSING: {}", r.err);
    assert!(r.err.contains("no/such/folder"), "{}", r.err);
    let r = run(&["lint", "--cases", &corpus("no-cases"), LINT_RULES]);
    assert_eq!(r.code, Some(1), "lint --cases FOLDER-WITHOUT-CASES: {}", r.err);
}

#[cfg(unix)]
#[test]
fn one_symlink_loop_is_reported_once_and_each_case_counted_once() {
    let dir = scratch("loop1");
    let inner = dir.join("a").join("b");
    std::fs::create_dir_all(&inner).expect("dirs");
    std::fs::write(inner.join("c.yaml"), good_case("looped")).expect("write");
    std::os::unix::fs::symlink("..", inner.join("up")).expect("link");
    let (r, totals, codes) = audit_json(&[&s(&dir)], Input::Null);
    assert_eq!(totals, (2, 1, 1), "{}", r.err);
    assert_eq!(codes, ["symlink-loop"]);
    assert_eq!(r.code, Some(1));
    let r = run(&["test", &s(&dir)]);
    assert!(r.out.contains("1 passed"), "{}", r.out);
    assert_eq!(r.err.matches("error[symlink-loop]").count(), 1, "{}", r.err);
    assert!(r.err.contains("up"), "the message names the link: {}", r.err);
}

#[cfg(unix)]
#[test]
fn two_loops_and_crossed_links_end() {
    let dir = scratch("loop2");
    let (a, b) = (dir.join("a"), dir.join("b"));
    std::fs::create_dir_all(&a).expect("a");
    std::fs::create_dir_all(&b).expect("b");
    std::fs::write(a.join("one.yaml"), good_case("one")).expect("write");
    std::fs::write(b.join("two.yaml"), good_case("two")).expect("write");
    std::os::unix::fs::symlink("../b", a.join("to-b")).expect("link");
    std::os::unix::fs::symlink("../a", b.join("to-a")).expect("link");
    std::os::unix::fs::symlink(".", a.join("self")).expect("link");
    std::os::unix::fs::symlink("..", b.join("parent")).expect("link");
    // A link to a case file: the same case, counted once.
    std::os::unix::fs::symlink("one.yaml", a.join("again.yaml")).expect("link");
    let (r, (_, cases, errors), codes) = audit_json(&[&s(&dir)], Input::Null);
    assert_eq!(cases, 2, "each case once: {}", r.err);
    assert!(errors >= 1 && codes.iter().all(|c| c == "symlink-loop"), "{codes:?}");
    assert_eq!(r.code, Some(1));
}

#[cfg(unix)]
#[test]
fn a_dangling_link_is_reported() {
    let dir = scratch("dangling");
    std::fs::write(dir.join("good.yaml"), good_case("beside-dangling")).expect("write");
    std::os::unix::fs::symlink("nowhere.yaml", dir.join("gone.yaml")).expect("link");
    std::os::unix::fs::symlink("nowhere.txt", dir.join("ignored.txt")).expect("link");
    let (r, totals, codes) = audit_json(&[&s(&dir)], Input::Null);
    assert_eq!(totals, (2, 1, 1), "{}", r.err);
    assert_eq!(codes, ["unreadable"]);
}

/// Whether `chmod 000` keeps this process out (not so for root).
#[cfg(unix)]
fn locked_out(p: &Path) -> bool {
    if p.is_dir() {
        std::fs::read_dir(p).is_err()
    } else {
        std::fs::read(p).is_err()
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_folder_or_file_does_not_stop_the_walk() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("unreadable");
    let (locked, after) = (dir.join("b-locked"), dir.join("c-after"));
    std::fs::create_dir_all(&locked).expect("dir");
    std::fs::create_dir_all(&after).expect("dir");
    std::fs::write(dir.join("a.yaml"), good_case("before")).expect("write");
    std::fs::write(locked.join("hidden.yaml"), good_case("hidden")).expect("write");
    std::fs::write(after.join("d.yaml"), good_case("after")).expect("write");
    let secret = dir.join("e-secret.yaml");
    std::fs::write(&secret, good_case("secret")).expect("write");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    // As root, chmod 000 locks nothing out: run as `nobody` if setpriv
    // can (and the binary is reachable by it), else skip.
    const NOBODY: &[&str] = &["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
    let prefix: &[&str] = if locked_out(&locked) && locked_out(&secret) {
        &[]
    } else if Command::new(NOBODY[0])
        .args(&NOBODY[1..])
        .arg(env!("CARGO_BIN_EXE_mtus"))
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        NOBODY
    } else {
        println!("note: running as root without setpriv, chmod 000 locks nothing out; skipped");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        return;
    };
    let r = run_as(prefix, &["audit", "--format", "csv", &s(&dir)], Input::Null);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let rows: Vec<&str> = r.out.lines().skip(1).filter(|l| !l.starts_with("rules,")).collect();
    assert_eq!(rows.len(), 4, "the cases around it are read: {}{}", r.out, r.err);
    assert!(
        rows[0].starts_with("request,") && rows[0].contains(",before,"),
        "{}",
        rows[0]
    );
    assert!(rows[1].starts_with("error,") && rows[1].contains("b-locked") && rows[1].contains("permission denied"));
    assert!(
        rows[2].starts_with("request,") && rows[2].contains(",after,"),
        "{}",
        rows[2]
    );
    assert!(
        rows[3].starts_with("error,") && rows[3].contains("e-secret.yaml"),
        "{}",
        rows[3]
    );
    assert_eq!(r.code, Some(1));
}

// ---------------------------------------------------------------------
// Files that are not regular files.

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().map(|s| s.success());
    assert_eq!(ok.ok(), Some(true), "mkfifo {}", p.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_is_never_opened() {
    let dir = scratch("fifo");
    std::fs::write(dir.join("a.yaml"), good_case("beside-fifo")).expect("write");
    let fifo = dir.join("b.yaml");
    mkfifo(&fifo);
    mkfifo(&dir.join("c.jsonl"));
    mkfifo(&dir.join("rules.mtus"));
    // In a folder...
    let (r, totals, codes) = audit_json(&[&s(&dir)], Input::Null);
    assert_eq!(totals, (3, 1, 2), "{}", r.err);
    assert_eq!(codes, ["not-a-file", "not-a-file"]);
    let r = run(&["test", &s(&dir)]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.out.contains("1 passed") && r.err.contains("named pipe"),
        "{}{}",
        r.out,
        r.err
    );
    // ... and named.
    for cmd in ["check", "test"] {
        let r = run(&[cmd, &s(&fifo), &s(&dir.join("a.yaml"))]);
        assert_eq!(r.code, Some(1), "{cmd}");
        assert!(
            r.err.contains("error[not-a-file]") && r.err.contains("b.yaml"),
            "{cmd}: {}",
            r.err
        );
    }
    let r = run(&["fmt", &s(&dir.join("rules.mtus"))]);
    assert_eq!(r.code, Some(1));
    assert!(r.err.contains("not-a-file"), "{}", r.err);
    let r = run(&["lint", "--no-cases", &s(&dir)]);
    assert_eq!(r.code, Some(1));
    let r = run(&["--rules", &s(&dir), "check", &s(&dir.join("a.yaml"))]);
    assert_eq!(r.code, Some(1));
    assert!(r.err.contains("named pipe"), "{}", r.err);
}

#[cfg(unix)]
#[test]
fn a_socket_is_never_opened() {
    let dir = scratch("socket");
    std::fs::write(dir.join("a.yaml"), good_case("beside-socket")).expect("write");
    let _sock = std::os::unix::net::UnixListener::bind(dir.join("s.yaml")).expect("bind");
    let (r, totals, codes) = audit_json(&[&s(&dir)], Input::Null);
    assert_eq!(totals, (2, 1, 1), "{}", r.err);
    assert_eq!(codes, ["not-a-file"]);
}

#[cfg(unix)]
#[test]
fn dev_zero_is_refused_everywhere() {
    let zero = "/dev/zero";
    if !Path::new(zero).exists() {
        println!("note: no /dev/zero here; skipped");
        return;
    }
    let good = corpus("good.yaml");
    for args in [
        vec!["check", zero, &good],
        vec!["test", zero, &good],
        vec!["fmt", zero],
        vec!["fmt", "--check", zero],
        vec!["lint", "--no-cases", zero],
        vec!["lint", "--cases", zero, LINT_RULES],
        vec!["--rules", zero, "check", &good],
    ] {
        let r = run(&args);
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.err);
        assert!(r.err.contains("/dev/zero is a device"), "{args:?}: {}", r.err);
    }
    let (r, totals, codes) = audit_json(&[zero, &good], Input::Null);
    assert_eq!(totals, (2, 1, 1), "{}", r.err);
    assert_eq!(codes, ["not-a-file"]);
}

/// `-` is standard input: an endless line there ends at the caps.
#[cfg(unix)]
#[test]
fn an_endless_line_on_standard_input_ends() {
    let zero = PathBuf::from("/dev/zero");
    if !zero.exists() {
        println!("note: no /dev/zero here; skipped");
        return;
    }
    let (r, totals, codes) = audit_json(&["-", &corpus("good.yaml")], Input::File(zero.clone()));
    assert_eq!(totals, (2, 1, 1), "{}", r.err);
    assert_eq!(codes, ["too-large"]);
    assert_eq!(r.code, Some(1));
    // `check -` and `fmt -` read standard input whole: up to the cap.
    for args in [vec!["check", "-"], vec!["fmt", "-"]] {
        let r = run_with(&args, Input::File(zero.clone()));
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.err);
        assert!(r.err.contains("longer than 16 MiB"), "{args:?}: {}", r.err);
    }
}

// ---------------------------------------------------------------------
// Size caps.

#[test]
fn caps_on_files_and_lines() {
    let dir = scratch("caps");
    let big = dir.join("big.yaml");
    // Past the default 16 MiB: a sparse file, made at once.
    std::fs::File::create(&big)
        .and_then(|f| f.set_len((16 << 20) + 1))
        .expect("big file");
    let good = corpus("good.yaml");
    let (r, totals, codes) = audit_json(&[&s(&big), &good], Input::Null);
    assert_eq!(totals, (2, 1, 1), "{}", r.err);
    assert_eq!(codes, ["too-large"]);
    let r = run(&["check", &s(&big), &good]);
    assert_eq!(r.code, Some(1));
    assert!(r.err.contains("big.yaml is longer than 16 MiB"), "{}", r.err);
    // Raised, the same file is read (and is no case: NUL bytes).
    let r = run(&["--max-file-bytes", "20000000", "check", &s(&big)]);
    assert!(r.err.contains("error[not-text]"), "{}", r.err);
    // A smaller cap, on a good case.
    let r = run(&["--max-file-bytes", "100", "check", &good]);
    assert_eq!(r.code, Some(1));
    assert!(r.err.contains("longer than 100 bytes"), "{}", r.err);
    // A JSON line past --max-line-bytes; the lines after it are read.
    let line = std::fs::read_to_string(root().join(CORPUS).join("good.json")).expect("good.json");
    let long = format!("{{\"case\":\"{}\"}}", "x".repeat(5000));
    let jsonl = dir.join("lines.jsonl");
    std::fs::write(&jsonl, format!("{line}\n{long}\n{line}\n")).expect("write");
    let (r, totals, codes) = audit_json(&["--max-line-bytes", "4096", &s(&jsonl)], Input::Null);
    assert_eq!(totals, (3, 2, 1), "{}", r.err);
    assert_eq!(codes, ["too-large"]);
    // A file's last line, past --max-file-bytes and without an end: one
    // error, and the input after it is read.
    let endless = dir.join("endless.jsonl");
    std::fs::write(&endless, format!("{line}\n{}", "y".repeat(300_000))).expect("write");
    let (r, totals, codes) = audit_json(
        &[
            "--max-line-bytes",
            "1000",
            "--max-file-bytes",
            "100000",
            &s(&endless),
            &good,
        ],
        Input::Null,
    );
    assert_eq!(totals, (3, 2, 1), "{}", r.err);
    assert_eq!(codes, ["too-large"]);
    let r = run(&["--help"]);
    assert!(
        r.out.contains("--max-file-bytes") && r.out.contains("16 MiB"),
        "{}",
        r.out
    );
}

/// A line over the cap is one located error, and the lines after it are
/// read and counted, however long it is: past `--max-file-bytes` too, in
/// a file and on standard input redirected from one. Only a stream (a
/// pipe) whose line runs on past `--max-file-bytes` is given up.
#[test]
fn a_line_over_the_cap_loses_nothing_after_it() {
    let dir = scratch("long-line");
    let line = std::fs::read_to_string(root().join(CORPUS).join("good.json")).expect("good.json");
    let line = line.trim_end();
    let long = format!("{{\"case\":\"{}\"}}", "x".repeat(300_000));
    let text = format!("{line}\n{long}\n{line}\n\n{line}\n");
    let jsonl = dir.join("lines.jsonl");
    std::fs::write(&jsonl, &text).expect("write");
    let caps = ["--max-line-bytes", "1000", "--max-file-bytes", "100000"];
    let (r, totals, codes) = audit_json(&[&caps[..], &[&s(&jsonl)]].concat(), Input::Null);
    assert_eq!(totals, (4, 3, 1), "{}", r.err);
    assert_eq!(codes, ["too-large"]);
    let doc: serde_json::Value = serde_json::from_str(&r.out).expect("json");
    assert_eq!(doc["errors"][0]["line"], 2, "{}", r.out);
    let lines: Vec<u64> = doc["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter_map(|q| q["line"].as_u64())
        .collect();
    assert_eq!(lines, [1, 3, 5], "the lines after it, with their own numbers");
    // The same file on standard input.
    let (r, totals, _) = audit_json(&[&caps[..], &["-"]].concat(), Input::File(jsonl.clone()));
    assert_eq!(totals, (4, 3, 1), "{}", r.err);
    // With the default caps: a line of 17 MiB, past the 16 MiB file cap.
    let huge = format!("{{\"case\":\"{}\"}}", "y".repeat(17 << 20));
    std::fs::write(&jsonl, format!("{line}\n{huge}\n{line}\n")).expect("write");
    let (r, totals, codes) = audit_json(&[&s(&jsonl)], Input::Null);
    assert_eq!(totals, (3, 2, 1), "{}", r.err);
    assert_eq!(codes, ["too-large"]);
    let doc: serde_json::Value = serde_json::from_str(&r.out).expect("json");
    assert_eq!(doc["errors"][0]["line"], 2, "{}", r.out);
    assert_eq!(doc["errors"][0]["message"], "the line is longer than 1 MiB");
    // Through a pipe, a line past --max-file-bytes is given up, and says so.
    let (r, totals, codes) = audit_json(&[&caps[..], &["-"]].concat(), Input::Bytes(text.into_bytes()));
    assert_eq!(totals, (2, 1, 1), "{}", r.err);
    assert_eq!(codes, ["too-large"]);
    let doc: serde_json::Value = serde_json::from_str(&r.out).expect("json");
    let message = doc["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("the rest of this input is not read"), "{message}");
}

// ---------------------------------------------------------------------
// Outputs never clobber inputs.

#[test]
fn html_never_overwrites_an_input_and_fails_before_the_run() {
    let dir = scratch("html");
    let case = dir.join("case.yaml");
    std::fs::write(&case, good_case("html-input")).expect("write");
    let before = std::fs::read(&case).expect("read");
    let r = run(&["audit", "--html", &s(&case), &s(&dir)]);
    assert_eq!(r.code, Some(2), "{}", r.err);
    assert!(r.err.contains("is one of the audit's inputs"), "{}", r.err);
    assert!(r.out.is_empty(), "nothing ran: {}", r.out);
    assert_eq!(std::fs::read(&case).expect("read"), before);
    // Through a link to it, too.
    #[cfg(unix)]
    {
        let link = dir.join("page.html");
        std::os::unix::fs::symlink("case.yaml", &link).expect("link");
        let r = run(&["audit", "--html", &s(&link), &s(&case)]);
        assert_eq!(r.code, Some(2), "{}", r.err);
        assert_eq!(std::fs::read(&case).expect("read"), before);
    }
    // A page inside a folder given as input (it would be read back), a
    // link, a device, standard output itself: each refused before the run.
    #[cfg(unix)]
    {
        let inside = dir.join("sub");
        std::fs::create_dir_all(&inside).expect("dir");
        for page in [dir.join("new-page.html"), inside.join("new-page.html")] {
            let r = run(&["audit", "--html", &s(&page), &s(&dir)]);
            assert_eq!(r.code, Some(2), "{}", r.err);
            assert!(r.err.contains("is inside the input folder"), "{}", r.err);
            assert!(!page.exists());
        }
        let other = dir.join("other.html");
        std::fs::write(&other, "mine").expect("write");
        let link = dir.join("to-other.html");
        std::os::unix::fs::symlink(&other, &link).expect("link");
        let r = run(&["audit", "--html", &s(&link), &s(&case)]);
        assert_eq!(r.code, Some(2), "{}", r.err);
        assert!(r.err.contains("is a symlink"), "{}", r.err);
        assert_eq!(std::fs::read_to_string(&other).expect("read"), "mine");
        for dev in ["/dev/null", "/dev/stdout", "/proc/self/fd/1"] {
            if !Path::new(dev).exists() {
                continue;
            }
            let r = run(&["audit", "--html", dev, &s(&case)]);
            assert_eq!(r.code, Some(2), "{dev}: {}", r.err);
            assert!(r.out.is_empty(), "{dev}: nothing ran");
        }
        // Standard output redirected to a file, given as --html: refused,
        // and the report is not replaced.
        let report = dir.join("report.txt");
        let f = std::fs::File::create(&report).expect("create");
        let status = Command::new(env!("CARGO_BIN_EXE_mtus"))
            .args(["audit", "--html", &s(&report), &s(&case)])
            .current_dir(root())
            .env("NO_COLOR", "1")
            .stdout(f)
            .stderr(Stdio::piped())
            .output()
            .expect("run");
        assert_eq!(status.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&status.stderr).contains("is where standard output goes"));
        assert_eq!(std::fs::read_to_string(&report).expect("read"), "");
    }
    // A folder that does not exist: before any output.
    let r = run(&["audit", "--html", "no/such/dir/page.html", &s(&case)]);
    assert_eq!(r.code, Some(2), "{}", r.err);
    assert!(r.out.is_empty() && r.err.contains("no/such/dir/page.html"), "{}", r.err);
    // And a page that can be written is.
    let page = dir.join("out.html");
    let r = run(&["audit", "--html", &s(&page), &s(&case)]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert!(std::fs::read_to_string(&page).expect("page").contains("<html"));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn generate_never_overwrites_without_force() {
    let dir = scratch("generate");
    let file = dir.join("cases.jsonl");
    std::fs::write(&file, "precious\n").expect("write");
    let r = run(&["generate", "--count", "2", "--out", &s(&file)]);
    assert_eq!(r.code, Some(1));
    assert!(r.err.contains("already exists"), "{}", r.err);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "precious\n");
    let r = run(&["generate", "--count", "2", "--out", &s(&file), "--force"]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert_eq!(std::fs::read_to_string(&file).expect("read").lines().count(), 2);
    // A folder that is not empty.
    let r = run(&["generate", "--count", "2", "--format", "yaml-dir", "--out", &s(&dir)]);
    assert_eq!(r.code, Some(1));
    assert!(r.err.contains("not empty"), "{}", r.err);
    let fresh = dir.join("fresh");
    let r = run(&["generate", "--count", "2", "--format", "yaml-dir", "--out", &s(&fresh)]);
    assert_eq!(r.code, Some(0), "{}", r.err);
}

/// An unformatted copy of a shipped rule file: a blank line too many.
fn unformatted() -> String {
    let (_, text) = mtus::embedded::FILES
        .iter()
        .find(|(n, _)| n.ends_with("massage.mtus"))
        .expect("massage.mtus");
    text.replacen("\nrule ", "\n\n\nrule ", 1)
}

#[cfg(unix)]
#[test]
fn fmt_writes_safely() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("fmt");
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("dir");
    let text = unformatted();
    // Each file formatted alone: lint would see duplicate rules.
    let (a, b, c) = (rules.join("a.mtus"), rules.join("b.mtus"), rules.join("c.mtus"));
    for p in [&a, &b, &c] {
        std::fs::write(p, &text).expect("write");
    }
    std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::fs::set_permissions(&b, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    // c.mtus is reached through a link, which must stay a link.
    let link = dir.join("link.mtus");
    std::os::unix::fs::symlink(&c, &link).expect("link");
    // A link planted where the old fixed temporary name was.
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "untouched").expect("write");
    std::os::unix::fs::symlink(&victim, rules.join(".a.mtus.mtus-fmt.tmp")).expect("plant");

    let r = run(&["fmt", &s(&a), &s(&b), &s(&link)]);
    assert_eq!(r.code, Some(1), "the read-only file fails the run: {}", r.err);
    assert!(
        r.err.contains("error[read-only]") && r.err.contains("b.mtus"),
        "{}",
        r.err
    );
    // The others were formatted, after the failure too.
    let check = run(&["fmt", "--check", &s(&a), &s(&c)]);
    assert_eq!(check.code, Some(0), "{}{}", check.out, check.err);
    assert_eq!(std::fs::read_to_string(&b).expect("read"), text, "read-only left alone");
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&a), 0o640, "permissions kept");
    assert!(
        std::fs::symlink_metadata(&link).expect("meta").file_type().is_symlink(),
        "the link is still a link"
    );
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "untouched");
    let leftovers: Vec<String> = std::fs::read_dir(&rules)
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".mtus-fmt"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// Owner, group and every mode bit (setgid too) are kept. Run as root,
/// a file of another user stays that user's; run as anyone else, the
/// owner cannot be given away, so only the mode is checked.
#[cfg(unix)]
#[test]
fn fmt_keeps_owner_group_and_setgid() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = scratch("fmt-owner");
    let file = dir.join("a.mtus");
    std::fs::write(&file, unformatted()).expect("write");
    let as_root = std::os::unix::fs::chown(&file, Some(65534), Some(65534)).is_ok();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o2664)).expect("chmod");
    let before = std::fs::metadata(&file).expect("meta");
    let r = run(&["fmt", &s(&file)]);
    assert_eq!(r.code, Some(0), "{}", r.err);
    let after = std::fs::metadata(&file).expect("meta");
    assert_ne!(after.ino(), before.ino(), "replaced by a new file");
    assert_eq!(after.mode() & 0o7777, 0o2664, "mode bits, setgid included");
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    if as_root {
        assert_eq!(
            (after.uid(), after.gid()),
            (65534, 65534),
            "another user's file stays theirs"
        );
    } else {
        println!("note: not root; the owner was not changed, only the mode checked");
    }
    let check = run(&["fmt", "--check", &s(&file)]);
    assert_eq!(check.code, Some(0), "formatted: {}", check.out);
}

/// A file with another hard link is refused (a new file renamed over it
/// would leave the link with the old text), and said so; the others are
/// still formatted.
#[cfg(unix)]
#[test]
fn fmt_refuses_to_break_a_hard_link() {
    let dir = scratch("fmt-link");
    let (a, b, other) = (dir.join("a.mtus"), dir.join("b.mtus"), dir.join("c.mtus"));
    let text = unformatted();
    std::fs::write(&a, &text).expect("write");
    std::fs::hard_link(&a, &b).expect("link");
    std::fs::write(&other, &text).expect("write");
    let r = run(&["fmt", &s(&a), &s(&other)]);
    assert_eq!(r.code, Some(1), "{}", r.err);
    assert!(
        r.err.contains("error[hard-link]") && r.err.contains("a.mtus has 2 hard links"),
        "{}",
        r.err
    );
    assert_eq!(std::fs::read_to_string(&a).expect("read"), text);
    assert!(mtus::inputs::same_file(&a, &b), "still one file");
    assert_ne!(
        std::fs::read_to_string(&other).expect("read"),
        text,
        "the other was formatted"
    );
}

/// An edit saved while `fmt` runs is kept: the file is compared with the
/// text formatted just before it is replaced, and left alone if it
/// changed. (`MTUS_TEST_HOLD_BEFORE_REPLACE` holds `fmt` at that point
/// until the test has made its edit.)
#[test]
fn fmt_keeps_an_edit_made_while_it_runs() {
    let dir = scratch("fmt-race");
    let file = dir.join("a.mtus");
    std::fs::write(&file, unformatted()).expect("write");
    let flag = dir.join("go");
    let child = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(["fmt", &s(&file)])
        .env("MTUS_TEST_HOLD_BEFORE_REPLACE", &flag)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run");
    // The temporary file appears once the text is read and formatted.
    let start = Instant::now();
    let tmp_made = || {
        std::fs::read_dir(&dir)
            .expect("list")
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(".mtus-fmt-"))
    };
    while !tmp_made() {
        assert!(start.elapsed() < LIMIT, "fmt made no temporary file");
        std::thread::sleep(Duration::from_millis(5));
    }
    let edited = format!("{}# an edit saved meanwhile\n", unformatted());
    std::fs::write(&file, &edited).expect("edit");
    std::fs::write(&flag, "").expect("flag");
    let out = child.wait_with_output().expect("wait");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error[changed-while-running]") && err.contains("a.mtus changed while it was being formatted"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        edited,
        "the edit is kept"
    );
    assert!(!tmp_made(), "the temporary file is removed");
    // Run again without an edit meanwhile, it formats.
    let r = run(&["fmt", &s(&file)]);
    assert_eq!(r.code, Some(0), "{}", r.err);
}

// ---------------------------------------------------------------------
// Exit status when the reader goes away.

/// Run with standard output closed after the first line: the exit
/// status must still tell whether every input was good.
#[cfg(unix)]
fn closed_early(args: &[&str]) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mtus");
    let mut out = child.stdout.take().expect("stdout");
    let mut first = [0u8; 16];
    let _ = out.read(&mut first);
    drop(out);
    let mut err = child.stderr.take().expect("stderr");
    let t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("{args:?} still ran after {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let err = String::from_utf8_lossy(&t.join().unwrap_or_default()).into_owned();
    assert!(!err.contains("panicked"), "{err}");
    status.code()
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_keeps_the_exit_status() {
    let dir = scratch("pipe");
    let many = dir.join("many.jsonl");
    let line = std::fs::read_to_string(root().join(CORPUS).join("good.json")).expect("good.json");
    // Far more than a pipe holds (64 KiB) in every format.
    std::fs::write(&many, format!("{line}\n").repeat(3_000)).expect("write");
    let bad = corpus("empty.yaml");
    for format in ["text", "csv", "json"] {
        let code = closed_early(&["audit", "--format", format, &s(&many), &bad]);
        assert_eq!(code, Some(1), "--format {format} with a bad input");
        let code = closed_early(&["audit", "--format", format, &s(&many)]);
        assert_eq!(code, Some(0), "--format {format} with good inputs");
    }
    let code = closed_early(&["check", &corpus("good.yaml"), &bad]);
    assert_eq!(code, Some(1));
}
