//! Cost linear in the size of each input, through the real binary: each
//! test makes an input of size N and 2N (in the test, never committed),
//! times `mtus` on both in one run, and checks the larger costs at most
//! about twice the smaller (a ratio with a generous bound, never an
//! absolute time: the machine may be slow or busy). Each run is killed
//! past a time limit, so a quadratic cost fails by time-out too.
//!
//! The time taken is the child's processor time where Linux tells it
//! (`/proc/PID/stat` read while it is a zombie, before it is reaped),
//! else the wall-clock time: processor time hardly moves when other work
//! shares the machine, wall-clock time does.
//!
//! The time of a run includes starting `mtus` and loading the rules, the
//! same for both sizes: it only makes the ratio smaller, so each input is
//! made large enough that the work on it is most of the run (a megabyte
//! name, tens of thousands of rows), where a quadratic cost would show
//! as a ratio of nearly four or a time-out.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;

/// A run past this is killed and fails the test.
const LIMIT: Duration = Duration::from_secs(60);
/// The most the doubled input may cost, as a multiple of the single one.
const MAX_RATIO: f64 = 2.5;

/// A scratch folder for one test, made anew.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mtus-linear-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Run `mtus args` from `dir` with `stdin` (if any) on standard input:
/// the time it took, its exit code and its standard error.
fn timed(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> (Duration, Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mtus");
    let start = Instant::now();
    if let Some(bytes) = stdin {
        let mut w = child.stdin.take().expect("stdin");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = w.write_all(&bytes);
        });
    }
    let mut se = child.stderr.take().expect("stderr");
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let proc_stat = Path::new("/proc/self/stat").exists();
    let mut cpu = None;
    let status = loop {
        if proc_stat && cpu.is_none() && start.elapsed() <= LIMIT {
            // Not reaped until it has exited, so its times can be read.
            cpu = cpu_time_if_exited(child.id());
            if cpu.is_none() {
                std::thread::sleep(Duration::from_millis(2));
                continue;
            }
        }
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`mtus {}` still ran after {LIMIT:?}: killed", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = cpu.unwrap_or_else(|| start.elapsed());
    let err = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    assert!(!err.contains("panicked"), "`mtus {}` panicked:\n{err}", args.join(" "));
    (took, status.code(), err)
}

/// The processor time (user and system) of process `pid` if it has
/// exited and is not yet reaped (Linux: state `Z` in `/proc/PID/stat`),
/// in clock ticks taken as hundredths of a second (only ratios of these
/// are used, so the tick's length does not matter).
fn cpu_time_if_exited(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The fields after the command name, which is in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    if fields.first() != Some(&"Z") {
        return None;
    }
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The best of three runs of each size, taken in turn (so a moment of
/// load on the machine falls on both): (single, double).
fn best_of_three(run: impl Fn(usize) -> Duration) -> (Duration, Duration) {
    let (mut one, mut two) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        one = one.min(run(1));
        two = two.min(run(2));
    }
    (one, two)
}

fn assert_linear(what: &str, (one, two): (Duration, Duration)) {
    let ratio = two.as_secs_f64() / one.as_secs_f64().max(1e-3);
    println!("{what}: {one:?} for N, {two:?} for 2N: ratio {ratio:.2}");
    assert!(
        ratio <= MAX_RATIO,
        "{what}: doubling the input took {ratio:.2} times as long ({one:?}, then {two:?})"
    );
}

/// A case whose treatment, field name or `because:` is a name of `n`
/// characters that no catalog holds.
fn case_with_long_name(place: &str, n: usize) -> String {
    let name = "massagx".repeat(n / 7 + 1);
    let (treatment, field, because) = match place {
        "treatment" => (name.as_str(), "home_exercise", "massage_therapy.home_exercise"),
        "field" => ("massage_therapy", name.as_str(), "massage_therapy.home_exercise"),
        _ => ("massage_therapy", "home_exercise", name.as_str()),
    };
    format!(
        "case: long-name\n\
         course: {{ {field}: true }}\n\
         requests:\n  - id: m\n    treatment: {treatment}\n    quantity: 4 visit\n    date: 2016-03-01\n\
         determination:\n  decisions:\n    - {{ request: m, outcome: upheld, because: {because} }}\n"
    )
}

/// "Did you mean" costs no more than reading the name: an unknown
/// treatment, field or `because:` of 1 MB and of 2 MB, through `check`
/// and `audit` (before, a full edit distance against every catalog name:
/// about 9 s per MB).
#[test]
fn an_unknown_name_costs_its_length() {
    let dir = scratch("names");
    const MB: usize = 1 << 20;
    for place in ["treatment", "field", "because"] {
        for k in [1, 2] {
            std::fs::write(
                dir.join(format!("{place}-{k}.yaml")),
                case_with_long_name(place, k * MB),
            )
            .expect("write");
        }
        // Each is one located error, and no suggestion is made.
        let (_, code, err) = timed(&dir, &["check", &format!("{place}-1.yaml")], None);
        assert_eq!(code, Some(1), "{place}: {err}");
        assert!(err.contains(&format!("{place}-1.yaml:")), "{place}: {err}");
        assert!(!err.contains("did you mean"), "{place}: {err}");
        for cmd in ["check", "audit"] {
            let times = best_of_three(|k| timed(&dir, &[cmd, &format!("{place}-{k}.yaml")], None).0);
            assert_linear(&format!("{cmd}, an unknown {place} of 1 MB and 2 MB"), times);
        }
    }
    // A short typo still gets its suggestion.
    std::fs::write(
        dir.join("typo.yaml"),
        case_with_long_name("treatment", 0).replace("massagx", "massage_therap"),
    )
    .expect("write");
    let (_, code, err) = timed(&dir, &["check", "typo.yaml"], None);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("did you mean `massage_therapy`"), "{err}");
}

/// A request line of many words, and one long word, through `mtus
/// request` (the catalog's near names are found by a bounded distance,
/// and no run of words longer than the catalog's longest name is tried).
#[test]
fn a_long_request_line_costs_its_length() {
    let dir = scratch("request");
    let line = |k: usize, words: bool| -> Vec<u8> {
        let n = k * if words { 20_000 } else { 100_000 };
        let mut l = if words {
            vec!["massagx"; n].join(" ")
        } else {
            "massagx".repeat(n / 7)
        };
        l.push('\n');
        l.into_bytes()
    };
    for words in [true, false] {
        let what = if words { "many words" } else { "one long word" };
        let (_, code, err) = timed(&dir, &["request", "--date", "2016-03-01"], Some(&line(1, words)));
        assert!(
            code.is_some() && err.contains("unknown_treatment"),
            "{what}: {code:?} {}",
            &err[..err.len().min(500)]
        );
        let times = best_of_three(|k| timed(&dir, &["request", "--date", "2016-03-01"], Some(&line(k, words))).0);
        assert_linear(&format!("request, a line of {what}"), times);
    }
}

/// A drug list of 40,000 rows and of 80,000 (before, each row's line was
/// counted from the start of the file: 40,000 rows took 9 s, 160,000
/// took 131 s); and as many bad rows, each an error with its line.
#[test]
fn a_drug_list_costs_its_rows() {
    let dir = scratch("drug-list");
    let case = common::root().join("tests/fixtures/formulary/special-fill-norco.yaml");
    let list = |rows: usize, bad: bool| -> String {
        let mut t = String::from(
            "# version: big\n# effective: 2018-01-01\n# coverage: complete\n\
             ingredient,dosage_form,status,special_fill\nhydrocodone/acetaminophen,,Non-Exempt,4\n",
        );
        for i in 0..rows {
            let status = if bad { "Sometimes" } else { "Exempt" };
            t.push_str(&format!("drug{i},tablet,{status},\n"));
        }
        t
    };
    for bad in [false, true] {
        for k in [1, 2] {
            std::fs::write(dir.join(format!("list-{bad}-{k}.csv")), list(k * 40_000, bad)).expect("write");
        }
        let args = |k: usize| {
            vec![
                "check".to_string(),
                "--drug-list".into(),
                format!("list-{bad}-{k}.csv"),
                case.display().to_string(),
            ]
        };
        let run = |k: usize| {
            let a = args(k);
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            timed(&dir, &a, None)
        };
        let (_, code, err) = run(1);
        if bad {
            assert_eq!(code, Some(1));
            // The last bad row, on its line: 5 lines before the rows.
            assert!(
                err.contains("list-true-1.csv:40005:"),
                "{}",
                &err[err.len().saturating_sub(2000)..]
            );
            assert_eq!(err.matches("error[drug-list-value]").count(), 40_000);
        } else {
            assert!(!err.contains("error["), "{err}");
        }
        let times = best_of_three(|k| run(k).0);
        let what = if bad { "bad rows" } else { "rows" };
        assert_linear(&format!("check --drug-list, 40,000 and 80,000 {what}"), times);
    }
}
