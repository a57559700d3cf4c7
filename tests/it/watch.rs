//! `--watch` through the real binary: `mtus test --watch` on a copy of the
//! rules and a case, a rule edited to break the case, broken outright,
//! then fixed; the output is read as it comes. Every wait has a timeout
//! and the child is killed however the test ends, so it cannot hang CI.

use crate::common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// The longest any step may take (a debug build loads the rules in about
/// a second; a loaded CI machine may be much slower).
const STEP: Duration = Duration::from_secs(90);

/// Kills the watcher when the test ends, passing or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of a stream, as they come.
fn lines(r: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for l in BufReader::new(r).lines() {
            let Ok(l) = l else { break };
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

/// One stream, with what was seen so far.
struct Output {
    rx: Receiver<String>,
    seen: Vec<String>,
}

impl Output {
    /// Wait until a line (after those already seen) contains `what`;
    /// return the lines up to it.
    fn wait_for(&mut self, what: &str) -> Vec<String> {
        let start = Instant::now();
        let mut got = Vec::new();
        while start.elapsed() < STEP {
            match self.rx.recv_timeout(Duration::from_millis(200)) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    let hit = l.contains(what);
                    got.push(l);
                    if hit {
                        return got;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(_) => break,
            }
        }
        panic!(
            "no line with `{what}` within {STEP:?}; output so far:\n{}",
            self.seen.join("\n")
        );
    }
}

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

/// Start `mtus ARGS` in `dir`: its standard output and standard error,
/// and the guard that kills it.
fn start(dir: &Path, args: &[&str]) -> (Output, Output, Killed) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mtus --watch");
    let out = Output {
        rx: lines(child.stdout.take().expect("stdout")),
        seen: Vec::new(),
    };
    let err = Output {
        rx: lines(child.stderr.take().expect("stderr")),
        seen: Vec::new(),
    };
    (out, err, Killed(child))
}

#[test]
fn test_watch_reruns_on_rule_changes_and_survives_broken_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    copy_dir(&common::root().join("rules"), &root.join("rules"));
    std::fs::create_dir_all(root.join("cases")).expect("mkdir");
    std::fs::copy(
        common::root().join("cases/seed-000.yaml"),
        root.join("cases/seed-000.yaml"),
    )
    .expect("copy");
    let massage = root.join("rules/massage.mtus");
    let original = std::fs::read_to_string(&massage).expect("read");
    let benefit = "    then prior.functional_improvement\n";
    assert!(original.contains(benefit));

    let (mut out, mut err, _child) = start(root, &["test", "--watch"]);
    // Each stream is read on its own (their order between them is not
    // fixed): standard output has the test lines and the summary of each
    // run, standard error the announcements and diagnostics.

    // The first run: the seed case passes.
    err.wait_for("[watch] run 1");
    let first = out.wait_for(" passed, ");
    assert_eq!(
        first.last().map(String::as_str),
        Some("1 passed, 0 failed"),
        "{first:#?}"
    );
    // Quiet under --watch: no line for a case that passes.
    assert!(!first.iter().any(|l| l.starts_with("test ")), "{first:#?}");
    err.wait_for("[watch] run 1 done");

    // A rule edited so that the recorded reason no longer decides: the
    // case fails, on a run announced with the file that changed.
    std::fs::write(
        &massage,
        original.replace(benefit, "    then not prior.functional_improvement\n"),
    )
    .expect("write");
    err.wait_for("[watch] run 2 after a change to rules/massage.mtus");
    let second = out.wait_for(" passed, ");
    assert!(
        second.iter().any(|l| l == "test cases/seed-000.yaml ... FAILED"),
        "{second:#?}"
    );
    assert_eq!(
        second.last().map(String::as_str),
        Some("0 passed, 1 failed"),
        "{second:#?}"
    );
    let second = err.wait_for("[watch] run 2 done");
    assert!(
        second.iter().any(|l| l.starts_with("error[test-because]")),
        "{second:#?}"
    );

    // The rule file broken outright: the errors are shown, located, and
    // the watch goes on.
    std::fs::write(
        &massage,
        original.replace(benefit, "    then prior.functional_improvement (\n"),
    )
    .expect("write");
    err.wait_for("[watch] run 3 after a change to rules/massage.mtus");
    let third = err.wait_for("[watch] run 3 done");
    assert!(third.iter().any(|l| l.starts_with("error[")), "{third:#?}");
    assert!(
        third.iter().any(|l| l.contains("rules/massage.mtus:")),
        "the error is located: {third:#?}"
    );
    assert!(third.iter().any(|l| l.contains("nothing was evaluated")), "{third:#?}");

    // Fixed: it passes again.
    std::fs::write(&massage, &original).expect("write");
    err.wait_for("[watch] run 4 after a change to rules/massage.mtus");
    let fourth = out.wait_for(" passed, ");
    assert_eq!(
        fourth.last().map(String::as_str),
        Some("1 passed, 0 failed"),
        "{fourth:#?}"
    );
    err.wait_for("[watch] run 4 done");

    // A change to a case file is seen too.
    let case = root.join("cases/seed-000.yaml");
    let text = std::fs::read_to_string(&case).expect("read");
    let expects = "outcome: upheld\n      because: massage_therapy.prior_course_benefit";
    assert!(text.contains(expects));
    std::fs::write(&case, text.replace(expects, "outcome: overturned")).expect("write");
    err.wait_for("[watch] run 5 after a change to cases/seed-000.yaml");
    let fifth = out.wait_for(" passed, ");
    assert_eq!(
        fifth.last().map(String::as_str),
        Some("0 passed, 1 failed"),
        "{fifth:#?}"
    );
    err.wait_for("[watch] run 5 done");

    // Reading the files (every run does) is not a change: no run starts
    // by itself.
    std::thread::sleep(Duration::from_secs(2));
    let extra: Vec<String> = out.rx.try_iter().chain(err.rx.try_iter()).collect();
    assert!(extra.is_empty(), "a run started with no change: {extra:#?}");
}

/// `test --watch --verbose`: a line per case, as without --watch.
#[test]
fn test_watch_verbose_lists_every_case() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::copy(common::root().join("cases/seed-000.yaml"), root.join("seed-000.yaml")).expect("copy");
    let (mut out, mut err, _child) = start(root, &["test", "--watch", "--verbose", "seed-000.yaml"]);
    err.wait_for("[watch] run 1");
    let first = out.wait_for(" passed, ");
    assert!(first.iter().any(|l| l == "test seed-000.yaml ... ok"), "{first:#?}");
}

/// `check --watch` on one case file with the built-in rules: a change
/// to the file reruns it; a broken file is reported and the watch goes
/// on; other files in its folder are not watched.
#[test]
fn check_watch_reruns_on_a_case_file_change() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let case = root.join("seed.yaml");
    let text = std::fs::read_to_string(common::root().join("cases/seed-000.yaml")).expect("read");
    std::fs::write(&case, &text).expect("write");
    let (mut out, mut err, _child) = start(root, &["--builtin-rules", "check", "--brief", "--watch", "seed.yaml"]);
    err.wait_for("[watch] run 1 done");
    let first = out.wait_for("request massage");
    assert!(first.iter().any(|l| l.contains("request flexeril")), "{first:#?}");

    // Another file beside it is not watched.
    std::fs::write(root.join("other.yaml"), "case: other\n").expect("write");
    // The massage request asks for 4 visits and says the past course
    // helped: the run after the change says so.
    // (The line as written changes with it: `text:` must agree.)
    let changed = text
        .replace("    quantity: 6 visit\n", "    quantity: 4 visit\n")
        .replace("Qty 6 sessions", "Qty 4 sessions")
        .replace(
            "    functional_improvement: false\n",
            "    functional_improvement: true\n",
        );
    assert_ne!(changed, text);
    std::fs::write(&case, &changed).expect("write");
    err.wait_for("[watch] run 2 after a change to seed.yaml");
    let second = out.wait_for("request massage");
    assert!(second.iter().any(|l| l.contains("request flexeril")), "{second:#?}");
    // Decided by another criterion now, and "to pass" asks for at most 2
    // past visits (6 allowed, 4 requested).
    let rest = out.wait_for("decided by:");
    assert!(
        rest.last()
            .is_some_and(|l| l.contains("decided by: massage_therapy.adjunct (not documented)")),
        "{rest:#?}"
    );
    out.wait_for("history.massage_therapy.visits as at most 2 visit");
    err.wait_for("[watch] run 2 done");

    // Broken: located, and the watch goes on.
    std::fs::write(&case, "case: [\n").expect("write");
    err.wait_for("[watch] run 3 after a change to seed.yaml");
    let third = err.wait_for("[watch] run 3 done");
    assert!(third.iter().any(|l| l.contains("seed.yaml:")), "{third:#?}");
    std::fs::write(&case, &text).expect("write");
    err.wait_for("[watch] run 4 after a change to seed.yaml");
    err.wait_for("[watch] run 4 done");
    std::thread::sleep(Duration::from_secs(2));
    let extra: Vec<String> = err.rx.try_iter().collect();
    assert!(extra.is_empty(), "a run started with no change to the case: {extra:#?}");
}

#[test]
fn watch_refuses_standard_input() {
    let o = common::mtus(&["check", "--watch", "-"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        common::stderr(&o).contains("--watch cannot watch standard input"),
        "{}",
        common::stderr(&o)
    );
}
