//! End-to-end audit benchmarks: 100,000 generated cases (or
//! `MTUS_BENCH_CASES`) read from JSON Lines and from a folder of YAML
//! files, decided and written as the default text output (to a sink), on
//! one thread and on all threads. Each group prints cases per second and
//! the speed-up of all threads over one, measured in the same run.
//!
//! Run with `cargo bench --bench audit`. BENCHMARKS.md records results.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

use mtus::RuleSet;
use mtus::audit::{self, AuditOptions, Input};
use mtus::diag::SourceMap;
use mtus::generate::Generator;

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
    yaml: PathBuf,
}

fn corpus(rs: &RuleSet, n: u64) -> Corpus {
    let dir = tempfile::tempdir().expect("temp dir");
    let g = Generator::new(rs, 7).expect("generator");
    let jsonl = dir.path().join("cases.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&jsonl).expect("create"));
    g.write_jsonl(n, &mut f, "cases.jsonl").expect("write jsonl");
    drop(f);
    let yaml = dir.path().join("yaml");
    g.write_yaml_dir(n, &yaml).expect("write yaml");
    Corpus { _dir: dir, jsonl, yaml }
}

/// One audit of `inputs` on `threads` threads (0: all), output discarded.
fn run(rs: &RuleSet, inputs: &[Input], threads: usize) -> Duration {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let start = Instant::now();
    let fin = pool.install(|| {
        audit::audit(
            rs,
            inputs.to_vec(),
            &AuditOptions::default(),
            &mut std::io::sink(),
            &mut std::io::sink(),
            &mut |_| {},
        )
    });
    let d = start.elapsed();
    let fin = fin.expect("audit");
    assert_eq!(fin.summary.totals.errors, 0);
    d
}

fn bench_audit(c: &mut Criterion) {
    let rs = RuleSet::embedded(&mut SourceMap::new()).expect("rules");
    let n = cases();
    let corpus = corpus(&rs, n);
    let all = std::thread::available_parallelism().map_or(1, usize::from);
    for (name, input) in [
        ("jsonl", Input::JsonLines(corpus.jsonl.clone())),
        ("yaml", Input::Yaml(corpus.yaml.clone())),
    ] {
        let inputs = match &input {
            Input::Yaml(dir) => audit::expand_inputs(std::slice::from_ref(dir)),
            other => vec![other.clone()],
        };
        let mut g = c.benchmark_group(format!("audit/{name}"));
        g.sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(1))
            .measurement_time(Duration::from_secs(1));
        g.throughput(criterion::Throughput::Elements(n));
        for (label, threads) in [("1 thread", 1), ("all threads", all)] {
            g.bench_function(label, |b| {
                b.iter_custom(|iters| {
                    let total: Duration = (0..iters).map(|_| run(&rs, &inputs, threads)).sum();
                    record(&format!("{name}/{threads}"), total, iters);
                    total
                })
            });
        }
        g.finish();
        let one = mean(&format!("{name}/1"));
        let many = mean(&format!("{name}/{all}"));
        println!(
            "\nratio audit/{name} ({n} cases): 1 thread {:.2} s = {:.0} cases/s; {all} threads {:.2} s = {:.0} cases/s; speed-up {:.2}x",
            one,
            n as f64 / one,
            many,
            n as f64 / many,
            one / many
        );
    }
    let j = mean(&format!("jsonl/{all}"));
    let y = mean(&format!("yaml/{all}"));
    println!(
        "ratio audit: YAML files / JSON Lines on {all} threads = {:.1}x the time",
        y / j
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = bench_audit
}
criterion_main!(benches);
