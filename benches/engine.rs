//! Engine benchmarks, each with a ratio measured in the same run:
//!
//! - `compile`: parsing, checking and compiling every shipped rule file,
//!   against loading the precompiled program (`mtus::builtin`) and
//!   compiling it, against compiling alone, and against deciding one
//!   request.
//! - `decide/massage`, `decide/cyclobenzaprine`: deciding one request with
//!   the compiled predicates (the audit's fast path, and the full decision
//!   with every criterion's status), the reference interpreter, and
//!   hand-written Rust for the same criteria reading the same loaded slots
//!   (the limit).
//! - `decide/all`: the fast path over requests for every treatment the
//!   generator makes: decisions per second on one core.
//!
//! Run with `cargo bench --bench engine`; the ratios are printed after each
//! group. BENCHMARKS.md records results.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

use mtus::RuleSet;
use mtus::check::{ConstValue, Program, RuleId, Scope, TreatmentId};
use mtus::diag::SourceMap;
use mtus::eval::fast::{Decider, Plan, Verdict};
use mtus::eval::{self, Machine, Outcome, Status, reference};
use mtus::facts::{Case, load_json};
use mtus::generate::Generator;
use mtus::value::{Date, Dim, Sym, Tri, Value, cmp_f64};

thread_local! {
    /// Total time and iterations of each benchmark of this run, by name.
    static TOTALS: RefCell<BTreeMap<String, (f64, u64)>> = const { RefCell::new(BTreeMap::new()) };
}

/// Time `f` over `iters` iterations and add it to the benchmark's totals
/// (criterion prints its own estimates; these are for the ratios).
fn timed<F: FnMut()>(name: &str, iters: u64, mut f: F) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    let d = start.elapsed();
    TOTALS.with(|m| {
        let mut m = m.borrow_mut();
        let e = m.entry(name.to_string()).or_insert((0.0, 0));
        e.0 += d.as_secs_f64();
        e.1 += iters;
    });
    d
}

/// Mean seconds per iteration over every sample of this run.
fn mean(name: &str) -> f64 {
    TOTALS.with(|m| m.borrow().get(name).map_or(f64::NAN, |&(t, n)| t / n as f64))
}

fn rules() -> RuleSet {
    RuleSet::embedded(&mut SourceMap::new()).expect("the shipped rules check")
}

/// Loaded generated cases.
fn corpus(rs: &RuleSet, n: u64) -> Vec<Case> {
    let g = Generator::new(rs, 11).expect("generator");
    let mut m = Machine::new();
    (0..n)
        .map(|k| {
            let c = g.case(k, &mut m).expect("generate");
            load_json(&rs.program, &c.id, &c.to_json()).expect("generated cases load")
        })
        .collect()
}

// ---------------------------------------------------------------------------
// the hand-written limit

/// Slots and symbols the hand-written criteria read, looked up once.
struct Hand {
    active_therapy: usize,
    home_exercise: usize,
    muscle_spasm: usize,
    acute_exacerbation: usize,
    first_line_tried: usize,
    medications_current: usize,
    quantity: usize,
    treatment: usize,
    body_region: usize,
    intent: usize,
    duration: usize,
    received: usize,
    functional_improvement: usize,
    visits: usize,
    prior_duration: usize,
    neck: Vec<Sym>,
    chronic: [Sym; 2],
    first_line: [Sym; 2],
    massage: TreatmentId,
    cyclobenzaprine: TreatmentId,
    /// Rule ids, in the order the fast path reports them.
    massage_therapy: RuleId,
    massage_odg_neck: RuleId,
    muscle_relaxants: RuleId,
    cyclobenzaprine_rule: RuleId,
    mtus_from: Date,
    mtus_until: Date,
}

impl Hand {
    fn new(p: &Program) -> Hand {
        let slot = |path: &str, scope: Scope| {
            let f = p.schema.lookup(path).unwrap_or_else(|| panic!("fact {path}"));
            assert_eq!(f.scope, scope, "{path}");
            usize::from(f.slot)
        };
        let sym = |s: &str| p.symbols.get(s).unwrap_or_else(|| panic!("symbol {s}"));
        let set = |name: &str| match &p.consts.iter().find(|c| c.name == name).expect("const").value {
            ConstValue::Set(s) => s.clone(),
            ConstValue::Lit(_) => panic!("{name} is not a set"),
        };
        let rule = |n: &str| p.rule_named(n).unwrap_or_else(|| panic!("rule {n}"));
        let src = p.sources.iter().find(|s| s.id == "MTUS-CPMTG").expect("MTUS-CPMTG");
        Hand {
            active_therapy: slot("course.active_therapy", Scope::Case),
            home_exercise: slot("course.home_exercise", Scope::Case),
            muscle_spasm: slot("exam.muscle_spasm", Scope::Case),
            acute_exacerbation: slot("course.acute_exacerbation", Scope::Case),
            first_line_tried: slot("course.first_line_tried", Scope::Case),
            medications_current: slot("medications.current", Scope::Case),
            quantity: slot("request.quantity", Scope::Request),
            treatment: slot("request.treatment", Scope::Request),
            body_region: slot("request.body_region", Scope::Request),
            intent: slot("request.intent", Scope::Request),
            duration: slot("request.duration", Scope::Request),
            received: slot("history.*.received", Scope::History),
            functional_improvement: slot("history.*.functional_improvement", Scope::History),
            visits: slot("history.*.visits", Scope::History),
            prior_duration: slot("history.*.duration", Scope::History),
            neck: set("neck_and_upper_back"),
            chronic: [sym("chronic"), sym("maintenance")],
            first_line: [sym("nsaid"), sym("acetaminophen")],
            massage: p.catalog.treatment_named("massage_therapy").expect("massage"),
            cyclobenzaprine: p.catalog.treatment_named("cyclobenzaprine").expect("cyclobenzaprine"),
            massage_therapy: rule("massage_therapy"),
            massage_odg_neck: rule("massage_odg_neck"),
            muscle_relaxants: rule("muscle_relaxants"),
            cyclobenzaprine_rule: rule("cyclobenzaprine"),
            mtus_from: src.window.from.expect("from"),
            mtus_until: src.window.until.expect("until"),
        }
    }

    fn in_mtus(&self, d: Date) -> bool {
        self.mtus_from <= d && d < self.mtus_until
    }
}

fn truth(v: &Value) -> Tri {
    match v {
        Value::Bool(b) => Tri::from_bool(*b),
        _ => Tri::Unknown,
    }
}

/// `a <= limit` for quantities of one dimension, in base units.
fn at_most(a: Option<(f64, Dim)>, limit: f64, dim: Dim) -> Tri {
    match a {
        Some((x, d)) if d == dim => Tri::from_bool(cmp_f64(x, limit).is_le()),
        _ => Tri::Unknown,
    }
}

fn qty(v: &Value) -> Option<(f64, Dim)> {
    match v {
        Value::Qty(q) => Some((q.base(), q.dim())),
        _ => None,
    }
}

fn sum(a: Option<(f64, Dim)>, b: Option<(f64, Dim)>) -> Option<(f64, Dim)> {
    match (a, b) {
        (Some((x, dx)), Some((y, dy))) if dx == dy => Some((x + y, dx)),
        _ => None,
    }
}

fn contains_any(v: &Value, set: &[Sym]) -> Tri {
    match v {
        Value::List(l) => Tri::from_bool(l.iter().any(|x| set.contains(x))),
        _ => Tri::Unknown,
    }
}

/// The decision policy over criteria in order: the first not met, else
/// the first not documented.
fn settle(criteria: &[(RuleId, u16, bool, Tri)]) -> Verdict {
    let mut first_nd = None;
    for &(rule, criterion, require, holds) in criteria {
        let status = match (require, holds) {
            (true, Tri::True) | (false, Tri::False) => continue,
            (true, Tri::False) | (false, Tri::True) => Status::NotMet,
            (_, Tri::Unknown) => Status::NotDocumented,
        };
        let d = Decider {
            rule,
            criterion,
            status,
        };
        if status == Status::NotMet {
            return Verdict {
                outcome: Outcome::NotMedicallyNecessary,
                decided_by: Some(d),
                fell_with: None,
                rule: criteria.first().map(|c| c.0),
                // Confidence is not modelled here (the shipped rules time the same either way).
                low: None,
                provisional: false,
            };
        }
        first_nd = first_nd.or(Some(d));
    }
    Verdict {
        outcome: if first_nd.is_some() {
            Outcome::InsufficientDocumentation
        } else {
            Outcome::MedicallyNecessary
        },
        decided_by: first_nd,
        fell_with: None,
        rule: criteria.first().map(|c| c.0),
        low: None,
        provisional: false,
    }
}

static ABSENT: Value = Value::Absent;

/// Massage therapy (MTUS p. 60, with the ODG neck supplement) and
/// cyclobenzaprine (MTUS pp. 63-66, 41-42, five muscle relaxant criteria
/// and the short course), written out by hand against
/// the loaded slots: what the compiled predicates do, without a machine.
fn hand_decide(h: &Hand, case: &Case, i: usize) -> Option<Verdict> {
    let req = &case.requests[i];
    let cf = |s: usize| case.facts.get(s).unwrap_or(&ABSENT);
    let rf = |s: usize| req.facts.get(s).unwrap_or(&ABSENT);
    // A treatment with no history entry reads as not received.
    let prior = case.record(req.treatment);
    let pf = |s: usize| prior.get(s).unwrap_or(&ABSENT);
    if !h.in_mtus(req.date) {
        return None;
    }
    if req.treatment == h.massage {
        let adjunct = truth(cf(h.active_therapy)).or(truth(cf(h.home_exercise)));
        // 4-6 visits in all, counting those already completed.
        let visit_limit = Tri::select(
            truth(pf(h.received)),
            at_most(sum(qty(pf(h.visits)), qty(rf(h.quantity))), 6.0, Dim::Visit),
            at_most(qty(rf(h.quantity)), 6.0, Dim::Visit),
        );
        let benefit = Tri::select(truth(pf(h.received)), truth(pf(h.functional_improvement)), Tri::True);
        let neck = truth(pf(h.received)).and(contains_any(rf(h.body_region), &h.neck));
        let total = sum(qty(pf(h.visits)), qty(rf(h.quantity)));
        let total_visits = Tri::select(neck, at_most(total, 18.0, Dim::Visit), Tri::True);
        Some(settle(&[
            (h.massage_therapy, 0, true, adjunct),
            (h.massage_therapy, 1, true, visit_limit),
            (h.massage_therapy, 2, true, benefit),
            (h.massage_odg_neck, 0, true, total_visits),
        ]))
    } else if req.treatment == h.cyclobenzaprine {
        let chronic = match rf(h.intent) {
            Value::Sym(s) => Tri::from_bool(h.chronic.contains(s)),
            _ => Tri::Unknown,
        };
        let limit = 21.0;
        let short = Tri::select(
            truth(pf(h.received)),
            at_most(qty(pf(h.prior_duration)), limit, Dim::Time).and(at_most(
                sum(qty(pf(h.prior_duration)), qty(rf(h.duration))),
                limit,
                Dim::Time,
            )),
            at_most(qty(rf(h.duration)), limit, Dim::Time),
        );
        // Taken now, and for longer than a short course already.
        let meds = cf(h.medications_current);
        let taking = match (meds, rf(h.treatment)) {
            (Value::List(l), Value::Sym(t)) => Tri::from_bool(l.contains(t)),
            _ => Tri::Unknown,
        };
        let longer = match qty(pf(h.prior_duration)) {
            Some((x, Dim::Time)) => Tri::from_bool(cmp_f64(x, limit).is_gt()),
            _ => Tri::Unknown,
        };
        let on_record = Tri::from_bool(!meds.is_absent())
            .and(taking)
            .and(Tri::from_bool(!pf(h.prior_duration).is_absent()))
            .and(longer);
        Some(settle(&[
            (h.muscle_relaxants, 0, true, truth(cf(h.muscle_spasm))),
            (h.muscle_relaxants, 1, true, truth(cf(h.acute_exacerbation))),
            (h.muscle_relaxants, 2, false, chronic),
            (h.muscle_relaxants, 3, false, on_record),
            (
                h.muscle_relaxants,
                4,
                true,
                contains_any(cf(h.first_line_tried), &h.first_line),
            ),
            (h.cyclobenzaprine_rule, 0, true, short),
        ]))
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// benchmarks

fn bench_compile(c: &mut Criterion) {
    let rs = rules();
    let mut g = c.benchmark_group("compile");
    g.bench_function("parse+check+compile", |b| {
        b.iter_custom(|n| {
            timed("parse+check+compile", n, || {
                drop(black_box(RuleSet::embedded_parsed(&mut SourceMap::new())))
            })
        })
    });
    g.bench_function("precompiled+compile", |b| {
        b.iter_custom(|n| timed("precompiled+compile", n, || drop(black_box(rules()))))
    });
    g.bench_function("compile", |b| {
        b.iter_custom(|n| {
            timed("compile", n, || {
                drop(black_box(mtus::compile::compile(black_box(&rs.program))))
            })
        })
    });
    g.finish();
    let full = mean("parse+check+compile");
    let pre = mean("precompiled+compile");
    let only = mean("compile");
    println!(
        "\nratio compile: {} rules, {} criteria; parse+check+compile {:.3} ms, precompiled load+compile {:.3} ms ({:.1}x faster), compile alone {:.1} us ({:.1}% of parsing)",
        rs.program.rules.len(),
        rs.program.rules.iter().map(|r| r.criteria.len()).sum::<usize>(),
        full * 1e3,
        pre * 1e3,
        full / pre,
        only * 1e6,
        100.0 * only / full
    );
}

/// The requests of `cases` for `treatment` decided by the MTUS rules.
fn sample(rs: &RuleSet, h: &Hand, cases: &[Case], treatment: TreatmentId, n: usize) -> Vec<(usize, usize)> {
    let _ = rs;
    let mut out = Vec::new();
    for (ci, c) in cases.iter().enumerate() {
        for (ri, r) in c.requests.iter().enumerate() {
            if r.treatment == treatment && h.in_mtus(r.date) && out.len() < n {
                out.push((ci, ri));
            }
        }
    }
    out
}

fn bench_decide(c: &mut Criterion) {
    let rs = rules();
    let h = Hand::new(&rs.program);
    let plan = Plan::new(&rs);
    let cases = corpus(&rs, 20_000);
    for (name, t) in [("massage", h.massage), ("cyclobenzaprine", h.cyclobenzaprine)] {
        // A few hundred requests: their cases stay in the cache, as a case
        // just loaded does in an audit, so this measures the deciding.
        let reqs = sample(&rs, &h, &cases, t, HOT);
        assert!(reqs.len() == HOT, "only {} {name} requests generated", reqs.len());
        // The hand-written code must decide exactly as the rules do:
        // outcome, deciding criterion and rule. It does not model
        // confidence (which LOW criterion the outcome rests on), which the
        // fast path also works out: the ratio overstates the fast path's
        // cost by that work.
        let mut m = Machine::new();
        let mut outcomes = [0usize; 3];
        let decided = |v: Option<Verdict>| v.map(|v| (v.outcome, v.decided_by, v.fell_with, v.rule));
        for &(ci, ri) in &reqs {
            let fast = plan.decide_request(&rs, &mut m, &cases[ci], ri);
            let hand = hand_decide(&h, &cases[ci], ri);
            assert_eq!(
                decided(fast),
                decided(hand),
                "the hand-written {name} criteria no longer match the rules (case {}): update benches/engine.rs",
                cases[ci].id
            );
            if let Some(v) = fast {
                outcomes[v.outcome as usize] += 1;
            }
        }
        // Instruction counts under callgrind, independent of machine load:
        // MTUS_BENCH_PASSES=N MTUS_BENCH_PATH=hand|fast|reference runs N
        // passes over these requests and stops (see BENCHMARKS.md).
        if let (Ok(passes), Ok(path)) = (std::env::var("MTUS_BENCH_PASSES"), std::env::var("MTUS_BENCH_PATH")) {
            let passes: usize = passes.parse().unwrap_or(0);
            let only = std::env::var("MTUS_BENCH_ONLY").unwrap_or_default();
            if only.is_empty() || only == name {
                let mut sink = 0usize;
                for _ in 0..passes {
                    for &(ci, ri) in &reqs {
                        sink += match path.as_str() {
                            "hand" => usize::from(hand_decide(&h, &cases[ci], ri).is_some()),
                            "reference" => {
                                usize::from(mtus::eval::reference::decide_request(&rs.program, &cases[ci], ri).is_ok())
                            }
                            _ => usize::from(plan.decide_request(&rs, &mut m, &cases[ci], ri).is_some()),
                        };
                    }
                }
                println!(
                    "passes {passes} over {} {name} requests, path {path}: {sink}",
                    reqs.len()
                );
            }
            continue;
        }
        let n = reqs.len() as u64;
        let mut g = c.benchmark_group(format!("decide/{name}"));
        g.throughput(criterion::Throughput::Elements(n));
        let key = |k: &str| format!("{name}/{k}");
        g.bench_function("hand-written", |b| {
            b.iter_custom(|iters| {
                timed(&key("hand"), iters, || {
                    for &(ci, ri) in &reqs {
                        black_box(hand_decide(&h, black_box(&cases[ci]), ri));
                    }
                })
            })
        });
        g.bench_function("compiled (fast path)", |b| {
            let mut m = Machine::new();
            b.iter_custom(|iters| {
                timed(&key("fast"), iters, || {
                    for &(ci, ri) in &reqs {
                        black_box(plan.decide_request(&rs, &mut m, black_box(&cases[ci]), ri));
                    }
                })
            })
        });
        g.bench_function("compiled (full decision)", |b| {
            let mut m = Machine::new();
            b.iter_custom(|iters| {
                timed(&key("full"), iters, || {
                    for &(ci, ri) in &reqs {
                        let _ = black_box(eval::decide_request(&rs, &mut m, black_box(&cases[ci]), ri));
                    }
                })
            })
        });
        g.bench_function("reference interpreter", |b| {
            b.iter_custom(|iters| {
                timed(&key("reference"), iters, || {
                    for &(ci, ri) in &reqs {
                        let _ = black_box(reference::decide_request(&rs.program, black_box(&cases[ci]), ri));
                    }
                })
            })
        });
        g.finish();
        let per = |k: &str| mean(&key(k)) / n as f64 * 1e9;
        let (hand, fast, full, refr) = (per("hand"), per("fast"), per("full"), per("reference"));
        println!(
            "\nratio decide/{name} ({n} requests: {} medically necessary, {} not met, {} not documented): \
             hand-written {hand:.1} ns, fast path {fast:.1} ns, full decision {full:.1} ns, reference {refr:.1} ns per request\n\
             ratio decide/{name}: fast path / hand-written = {:.2}x (target <= 3), reference / fast path = {:.1}x (target >= 5), \
             full decision / hand-written = {:.2}x, fast path = {:.2} M decisions/s on one core",
            outcomes[0],
            outcomes[1],
            outcomes[2],
            fast / hand,
            refr / fast,
            full / hand,
            1e3 / fast
        );
    }
    // Every treatment the generator makes, on the fast path: a few hundred
    // requests (in the cache) and twenty thousand (mostly not).
    for (label, count) in [("hot", HOT), ("cold", 20_000)] {
        decide_all(c, &rs, &plan, &cases, label, count);
    }
}

/// Requests decided per iteration in the `hot` benchmarks: their cases
/// (a few kilobytes each) fit in a core's 1 MiB L2 cache.
const HOT: usize = 200;

fn decide_all(c: &mut Criterion, rs: &RuleSet, plan: &Plan, cases: &[Case], label: &str, count: usize) {
    let all: Vec<(usize, usize)> = cases
        .iter()
        .enumerate()
        .flat_map(|(ci, c)| (0..c.requests.len()).map(move |ri| (ci, ri)))
        .take(count)
        .collect();
    let n = all.len() as u64;
    let fast_key = format!("all/{label}/fast");
    let ref_key = format!("all/{label}/reference");
    let mut g = c.benchmark_group(format!("decide/all/{label}"));
    g.throughput(criterion::Throughput::Elements(n));
    g.bench_function("compiled (fast path)", |b| {
        let mut m = Machine::new();
        b.iter_custom(|iters| {
            timed(&fast_key, iters, || {
                for &(ci, ri) in &all {
                    black_box(plan.decide_request(rs, &mut m, black_box(&cases[ci]), ri));
                }
            })
        })
    });
    g.bench_function("reference interpreter", |b| {
        b.iter_custom(|iters| {
            timed(&ref_key, iters, || {
                for &(ci, ri) in &all {
                    let _ = black_box(reference::decide_request(&rs.program, black_box(&cases[ci]), ri));
                }
            })
        })
    });
    g.finish();
    let fast = mean(&fast_key) / n as f64 * 1e9;
    let refr = mean(&ref_key) / n as f64 * 1e9;
    println!(
        "\nratio decide/all/{label} ({n} requests, {} treatments): fast path {fast:.1} ns = {:.2} M decisions/s on one core (target >= 1), reference / fast path = {:.1}x",
        rs.program.catalog.treatments.len(),
        1e3 / fast,
        refr / fast
    );
    let compile = mean("parse+check+compile");
    let pre = mean("precompiled+compile");
    if compile.is_finite() && label == "hot" {
        println!(
            "ratio compile / one decision: loading the rules costs as much as {:.0} decisions parsed, {:.0} precompiled",
            compile / (fast * 1e-9),
            pre / (fast * 1e-9)
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = bench_compile, bench_decide
}
criterion_main!(benches);
