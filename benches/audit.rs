//! End-to-end audit benchmarks: 100,000 generated cases (or
//! `MTUS_BENCH_CASES`) read from JSON Lines and from a folder of YAML
//! files, decided and written (to a sink), on one thread and on all
//! threads.
//!
//! The baseline, measured in the same run on the same threads: serde_json
//! parsing every line of the same JSON Lines file to a
//! `serde_json::Value` (the file read into memory, split at newlines,
//! the lines parsed in parallel with rayon, each value dropped). The
//! audit is run in every output format (text, json, jsonl, csv) and each
//! prints its rate as a share of that baseline (target: at least 50%).
//! YAML (a folder of files, text output) prints cases per second
//! (target: 40,000 on 2 threads).
//!
//! `MTUS_BENCH_ONLY=jsonl` or `=yaml` runs only that part.
//!
//! For instruction counts (load-independent), `MTUS_BENCH_COUNT=FORMAT`
//! runs one pass of the serde_json baseline and one audit in FORMAT on
//! one thread, without criterion, each in a function of its own for
//! callgrind's `--toggle-collect` (`*serde_pass*`, `*audit_pass*`); see
//! BENCHMARKS.md. `MTUS_BENCH_COUNT=yaml` runs one audit of the YAML
//! folder (text output) the same way, without the baseline.
//!
//! Run with `cargo bench --bench audit`. BENCHMARKS.md records results.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group};

use mtus::RuleSet;
use mtus::audit::{self, AuditOptions, Format, Input};
use mtus::diag::SourceMap;
use mtus::generate::Generator;
use rayon::prelude::*;

// The binary's allocator, so the numbers are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

thread_local! {
    /// Total time and iterations of each benchmark of this run, by name.
    static TOTALS: RefCell<BTreeMap<String, (f64, u64)>> = const { RefCell::new(BTreeMap::new()) };
}

fn record(name: &str, total: Duration, iters: u64) {
    TOTALS.with(|m| {
        let mut m = m.borrow_mut();
        let e = m.entry(name.to_string()).or_insert((0.0, 0));
        e.0 += total.as_secs_f64();
        e.1 += iters;
    });
}

/// Mean seconds per iteration over every sample of this run.
fn mean(name: &str) -> f64 {
    TOTALS.with(|m| m.borrow().get(name).map_or(f64::NAN, |&(t, n)| t / n as f64))
}

fn cases() -> u64 {
    std::env::var("MTUS_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

struct Corpus {
    _dir: tempfile::TempDir,
    jsonl: PathBuf,
    yaml: Option<PathBuf>,
}

fn corpus(rs: &RuleSet, n: u64, yaml: bool) -> Corpus {
    let dir = tempfile::tempdir().expect("temp dir");
    let g = Generator::new(rs, 7).expect("generator");
    let jsonl = dir.path().join("cases.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&jsonl).expect("create"));
    g.write_jsonl(n, &mut f, "cases.jsonl").expect("write jsonl");
    drop(f);
    let yaml = yaml.then(|| {
        let y = dir.path().join("yaml");
        g.write_yaml_dir(n, &y).expect("write yaml");
        y
    });
    Corpus { _dir: dir, jsonl, yaml }
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool")
}

/// The baseline: read the JSON Lines file, parse every line to a
/// `serde_json::Value` on the pool's threads. Returns the lines parsed.
#[inline(never)]
fn serde_pass(path: &Path) -> u64 {
    let text = std::fs::read(path).expect("read");
    text.par_split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_slice(l).expect("valid JSON");
            u64::from(v.is_object())
        })
        .sum()
}

/// One audit of `inputs` in `format` on the current pool, output
/// discarded.
#[inline(never)]
fn audit_pass(rs: &RuleSet, inputs: &[Input], format: Format) -> usize {
    let opts = AuditOptions {
        format,
        // As `mtus audit` without `--html`.
        keep_traces: false,
        ..AuditOptions::default()
    };
    let fin = audit::audit(
        rs,
        inputs.to_vec(),
        &opts,
        &mut std::io::sink(),
        &mut std::io::sink(),
        &mut |_| {},
    )
    .expect("audit");
    assert_eq!(fin.summary.totals.errors, 0);
    fin.summary.totals.cases
}

const FORMATS: [(&str, Format); 4] = [
    ("text", Format::Text),
    ("json", Format::Json),
    ("jsonl", Format::Jsonl),
    ("csv", Format::Csv),
];

fn timed(threads: usize, f: impl Fn() -> u64 + Send + Sync) -> Duration {
    let p = pool(threads);
    let start = Instant::now();
    let n = p.install(&f);
    let d = start.elapsed();
    assert!(n > 0);
    d
}

fn bench_audit(c: &mut Criterion) {
    let rs = RuleSet::embedded(&mut SourceMap::new()).expect("rules");
    let n = cases();
    let only = std::env::var("MTUS_BENCH_ONLY").unwrap_or_default();
    let corpus = corpus(&rs, n, only != "jsonl");
    let all = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = if all > 1 { vec![1, all] } else { vec![1] };
    let jsonl = vec![Input::JsonLines(corpus.jsonl.clone())];

    if only != "yaml" {
        let mut g = c.benchmark_group("audit/jsonl");
        g.sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(1))
            .measurement_time(Duration::from_secs(1));
        g.throughput(criterion::Throughput::Elements(n));
        // Alternate baseline and audits, so a change in load hits all.
        for &t in &threads {
            g.bench_function(format!("serde_json Value/{t} threads"), |b| {
                b.iter_custom(|iters| {
                    let total: Duration = (0..iters).map(|_| timed(t, || serde_pass(&corpus.jsonl))).sum();
                    record(&format!("serde/{t}"), total, iters);
                    total
                })
            });
            for (name, format) in FORMATS {
                g.bench_function(format!("{name}/{t} threads"), |b| {
                    b.iter_custom(|iters| {
                        let total: Duration = (0..iters)
                            .map(|_| timed(t, || audit_pass(&rs, &jsonl, format) as u64))
                            .sum();
                        record(&format!("{name}/{t}"), total, iters);
                        total
                    })
                });
            }
        }
        g.finish();
        for &t in &threads {
            let base = mean(&format!("serde/{t}"));
            println!(
                "\nratio serde_json Value parse ({n} lines, {t} threads): {:.3} s = {:.0} lines/s",
                base,
                n as f64 / base
            );
            for (name, _) in FORMATS {
                let m = mean(&format!("{name}/{t}"));
                println!(
                    "ratio audit jsonl -> {name} ({t} threads): {:.3} s = {:.0} cases/s = {:.1}% of serde_json (target >= 50%)",
                    m,
                    n as f64 / m,
                    100.0 * base / m
                );
            }
        }
    }

    if let Some(dir) = &corpus.yaml {
        let inputs = audit::expand_inputs(std::slice::from_ref(dir));
        let mut g = c.benchmark_group("audit/yaml");
        g.sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(1))
            .measurement_time(Duration::from_secs(1));
        g.throughput(criterion::Throughput::Elements(n));
        for &t in &threads {
            g.bench_function(format!("text/{t} threads"), |b| {
                b.iter_custom(|iters| {
                    let total: Duration = (0..iters)
                        .map(|_| timed(t, || audit_pass(&rs, &inputs, Format::Text) as u64))
                        .sum();
                    record(&format!("yaml/{t}"), total, iters);
                    total
                })
            });
        }
        g.finish();
        for &t in &threads {
            let m = mean(&format!("yaml/{t}"));
            println!(
                "\nratio audit yaml -> text ({n} files, {t} threads): {:.2} s = {:.0} cases/s (target >= 40,000 on 2 threads)",
                m,
                n as f64 / m
            );
        }
    }
}

/// `MTUS_BENCH_COUNT=FORMAT`: one baseline pass and one audit, one
/// thread, for callgrind.
fn count(format: &str) {
    let rs = RuleSet::embedded(&mut SourceMap::new()).expect("rules");
    let n = cases();
    if format == "yaml" {
        return count_yaml(&rs, n);
    }
    let corpus = corpus(&rs, n, false);
    let format = FORMATS
        .iter()
        .find(|(name, _)| *name == format)
        .map_or(Format::Text, |&(_, f)| f);
    let p = pool(1);
    let lines = p.install(|| serde_pass(&corpus.jsonl));
    let cases = p.install(|| audit_pass(&rs, &[Input::JsonLines(corpus.jsonl.clone())], format));
    println!("counted: {lines} lines parsed, {cases} cases audited");
}

/// `MTUS_BENCH_COUNT=yaml`: one audit of the YAML folder (text output),
/// one thread, for callgrind (`*audit_pass*`; no baseline pass).
fn count_yaml(rs: &RuleSet, n: u64) {
    let corpus = corpus(rs, n, true);
    let dir = corpus.yaml.clone().expect("yaml corpus");
    let inputs = audit::expand_inputs(std::slice::from_ref(&dir));
    let cases = pool(1).install(|| audit_pass(rs, &inputs, Format::Text));
    println!("counted: {cases} YAML cases audited");
}

fn main() {
    if let Ok(f) = std::env::var("MTUS_BENCH_COUNT") {
        count(&f);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = bench_audit
}
