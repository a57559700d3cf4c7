//! The audit pipeline: read a bounded batch of inputs, load and decide it
//! on every thread of the current rayon pool, render it, and hand it on in
//! input order; read the next batch while this one is decided.
//!
//! Each worker keeps its own [`Machine`] and decides with the fast path
//! ([`Plan`]); the full trace is built only for disagreements that will be
//! shown: as a [`RequestReport`] for one that may be kept, as JSON text
//! ([`Options::json_traces`]) for one JSON Lines only writes. Statistics, the first disagreements and the first errors are
//! gathered in input order by the one thread that writes.
//!
//! Invariants: memory is bounded by the batch size and the kept lists,
//! never by the number of inputs; the bytes written depend only on the
//! inputs and options, never on the thread count or timing; every input
//! ends as a case or an error (`inputs = cases + errors`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::Serialize;

use super::filter::Filter;
use super::input::{Body, ReadError, Reader, Unit};
use super::jsonw::{self, Names};
use super::stats::Stats;
use crate::RuleSet;
use crate::check::TreatmentId;
use crate::diag::{Diagnostic, Severity, SourceMap};
use crate::eval::fast::{Plan, Verdict};
use crate::eval::{self, EvalError, Machine};
use crate::facts::{Case, CaseErrors, Loader, Recorded};
use crate::report::diagnostics::{self, DiagnosticJson};
use crate::report::{self, RequestReport};

/// An input that could not be loaded, as a record.
#[derive(Clone, Debug)]
pub struct Failed {
    /// File, line, column (of the file, for a JSON Lines record), code,
    /// message, help.
    pub diagnostic: DiagnosticJson,
    /// The diagnostic with an excerpt, for a person (when asked for).
    pub rendered: Option<String>,
}

/// One request, decided.
#[derive(Clone, Debug)]
pub struct RequestDone {
    pub id: String,
    pub treatment: TreatmentId,
    /// The request's date.
    pub date: crate::value::Date,
    pub verdict: Result<Verdict, EvalError>,
    pub recorded: Option<Recorded>,
    /// The guidelines the recorded decision cites (`cites:`), as written.
    pub cites: Vec<String>,
    /// The full trace, for a disagreement that may be kept for the
    /// summary.
    pub trace: Option<Box<RequestReport>>,
    /// The full trace as JSON, for a disagreement JSON Lines writes
    /// ([`Options::json_traces`]).
    pub trace_json: Option<String>,
    /// For a request that could not be decided: the line (of the file)
    /// and column of its cause (`EvalError::span`).
    pub error_at: Option<(usize, usize)>,
    /// The formulary's answer joined to the outcome, when the audit was
    /// given drug lists (`None` without them; `Some(None)` when the
    /// formulary does not reach the request: not a drug, or before 2018).
    pub authorization: Option<Option<AuthAnswer>>,
    /// The case documents clinical facts ([`clinical_facts`]); without
    /// them the request is left out of agreement.
    pub facts: bool,
    /// The request passes the audit's filters ([`Filter`]): it is
    /// counted and shown; otherwise only counted as filtered out.
    pub kept: bool,
}

/// The formulary's answer for one request of an audit, joined to its
/// clinical outcome ([`crate::formulary::join_clinical_outcome`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthAnswer {
    pub status: crate::formulary::FormularyStatus,
    pub prior_authorization: crate::formulary::PriorAuthorization,
}

impl RequestDone {
    /// Whether the prediction agrees with the recorded outcome; `None`
    /// when there is no recorded outcome, no prediction, or the case
    /// documents no clinical facts (the engine had nothing to weigh).
    pub fn agrees(&self) -> Option<bool> {
        if !self.facts {
            return None;
        }
        match (&self.verdict, self.recorded) {
            (Ok(v), Some(r)) => Some(v.outcome.predicts() == r),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct CaseDone {
    pub case: String,
    /// The determination's reviewer (specialty, licensure), if recorded.
    pub reviewer: Option<crate::facts::Reviewer>,
    /// The determination's date, if recorded.
    pub determined: Option<crate::value::Date>,
    pub requests: Vec<RequestDone>,
}

/// What became of one input.
#[derive(Clone, Debug)]
pub struct Done {
    pub file: Arc<str>,
    /// The line of a JSON Lines record.
    pub line: Option<usize>,
    pub result: Result<CaseDone, Failed>,
}

/// A disagreement kept for the summary, with its trace.
#[derive(Clone, Debug, Serialize)]
pub struct Disagreement {
    pub file: String,
    pub line: Option<usize>,
    pub case: String,
    #[serde(flatten)]
    pub report: RequestReport,
}

/// Which disagreements get a full trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Traces {
    /// Every one (JSON Lines output carries them all).
    All,
    /// Only those that will be kept (`max_disagreements`).
    Kept,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub traces: Traces,
    /// Write each trace of [`Traces::All`] straight to JSON with these
    /// names ([`jsonw::trace`]) instead of building a [`RequestReport`]
    /// (still built while disagreements are being kept).
    pub json_traces: Option<Arc<Names>>,
    /// Disagreements kept, with traces, for the summary.
    pub max_disagreements: usize,
    /// Load errors kept for the summary.
    pub max_errors: usize,
    /// MTUS Drug Lists: with them, each request's row carries the
    /// formulary's answer (prior authorization and status).
    pub lists: Option<Arc<crate::formulary::DrugLists>>,
    /// Which requests are counted and shown (`--since`, `--treatment`...).
    pub filter: Arc<Filter>,
    /// Render each load error with an excerpt (`Some(colour)`).
    pub render_errors: Option<bool>,
    /// A batch holds at most this many inputs...
    pub batch_units: usize,
    /// ... and stops once it holds this many bytes of text.
    pub batch_bytes: usize,
    /// The first batch's caps (the text table takes its column widths
    /// from the first batch, so these fix what the output looks like;
    /// later batches are smaller, to bound memory: three are in flight).
    pub first_batch_units: usize,
    pub first_batch_bytes: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            traces: Traces::Kept,
            json_traces: None,
            max_disagreements: 1000,
            max_errors: 1000,
            lists: None,
            filter: Arc::new(Filter::default()),
            render_errors: None,
            batch_units: 512,
            batch_bytes: 2 << 20,
            first_batch_units: 2048,
            first_batch_bytes: 8 << 20,
        }
    }
}

/// How far an audit has got, for a progress bar.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    pub inputs: u64,
    pub errors: u64,
    pub requests: u64,
    /// Bytes of case text read.
    pub bytes: u64,
}

/// What an audit keeps: counters, the first disagreements, the first
/// errors.
#[derive(Clone, Debug)]
pub struct Kept {
    pub stats: Stats,
    pub disagreements: Vec<Disagreement>,
    /// Disagreements not kept (past `max_disagreements`).
    pub omitted_disagreements: u64,
    pub errors: Vec<DiagnosticJson>,
    pub omitted_errors: u64,
}

/// Turns each input into output text, on the worker threads.
pub trait Render: Sync {
    /// Called once, before anything is rendered, with the first batch
    /// (empty when there is no input).
    fn prepare(&mut self, _rs: &RuleSet, _first: &[Done]) {}
    /// What comes before the first input (a header), once prepared.
    fn head(&self, _out: &mut String) {}
    /// One input: `out` for the output stream, `side` for the side channel
    /// (diagnostics for a person, or error records kept apart).
    fn render(&self, rs: &RuleSet, d: &Done, out: &mut String, side: &mut String);
}

/// Rendered text, handed on in input order.
#[derive(Clone, Copy, Debug)]
pub enum Chunk<'a> {
    /// The header, once, before any input.
    Head(&'a str),
    /// One input's text for the output and for the side channel.
    Unit { out: &'a str, side: &'a str },
}

/// Run an audit over `reader`'s inputs on the current rayon pool.
/// `emit` receives each input's rendered text in input order; `progress`
/// is told after each batch.
pub fn run<E: Send>(
    rs: &RuleSet,
    reader: &mut Reader,
    opts: &Options,
    render: &mut dyn Render,
    emit: &mut (dyn FnMut(Chunk<'_>) -> Result<(), E> + Send),
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Kept, E> {
    let plan = Plan::new(rs);
    let clinical = clinical_slots(rs);
    let loader = Loader::with_limits(&rs.program, reader.limits().for_loader());
    let mut kept = Kept {
        stats: Stats::new(rs),
        disagreements: Vec::new(),
        omitted_disagreements: 0,
        errors: Vec::new(),
        omitted_errors: 0,
    };
    // Set once the kept disagreements are full: later inputs need no trace.
    // It only ever goes from false to true, when no later trace can be
    // kept, so when a worker sees it does not change what is written.
    let full = AtomicBool::new(opts.max_disagreements == 0);
    let traces = || {
        let keeping = !full.load(Ordering::Relaxed);
        let json = opts.json_traces.as_deref().filter(|_| opts.traces == Traces::All);
        Want {
            report: keeping || (opts.traces == Traces::All && json.is_none()),
            json,
            lists: opts.lists.as_deref(),
            filter: &opts.filter,
            clinical: &clinical,
        }
    };
    // The first batch: decided, then the renderer prepared from it (the
    // text table takes its column widths from it), then rendered.
    let first = reader.next_batch(opts.first_batch_units, opts.first_batch_bytes);
    let (mut batch, first) = rayon::join(
        || reader.next_batch(opts.batch_units, opts.batch_bytes),
        || decide_batch(rs, &loader, &plan, first, traces(), opts.render_errors),
    );
    render.prepare(rs, &first);
    let mut head = String::new();
    render.head(&mut head);
    emit(Chunk::Head(&head))?;
    let shared: &dyn Render = render;
    let texts = render_batch(rs, shared, &first);
    let mut pending = (first, texts);
    // Then, while one thread writes batch k and reads batch k + 2, the
    // others decide and render batch k + 1.
    loop {
        if batch.is_empty() {
            write_batch(rs, opts, &mut kept, &full, pending, emit)?;
            progress(progress_of(&kept, reader));
            return Ok(kept);
        }
        let units = std::mem::take(&mut batch);
        let ((written, next), decided) = rayon::join(
            || {
                let written = write_batch(rs, opts, &mut kept, &full, pending, emit);
                progress(progress_of(&kept, reader));
                (written, reader.next_batch(opts.batch_units, opts.batch_bytes))
            },
            || {
                let done = decide_batch(rs, &loader, &plan, units, traces(), opts.render_errors);
                let texts = render_batch(rs, shared, &done);
                (done, texts)
            },
        );
        written?;
        pending = decided;
        batch = next;
    }
}

fn progress_of(kept: &Kept, reader: &Reader) -> Progress {
    let t = &kept.stats.totals;
    Progress {
        inputs: t.inputs as u64,
        errors: t.errors as u64,
        requests: t.requests as u64,
        bytes: reader.bytes,
    }
}

/// Render a decided batch on all threads, keeping input order.
fn render_batch(rs: &RuleSet, render: &dyn Render, done: &[Done]) -> Vec<(String, String)> {
    done.par_iter()
        .map(|d| {
            let (mut out, mut side) = (String::new(), String::new());
            render.render(rs, d, &mut out, &mut side);
            (out, side)
        })
        .collect()
}

/// Count, keep and write a rendered batch, in input order.
fn write_batch<E>(
    rs: &RuleSet,
    opts: &Options,
    kept: &mut Kept,
    full: &AtomicBool,
    (mut done, texts): (Vec<Done>, Vec<(String, String)>),
    emit: &mut (dyn FnMut(Chunk<'_>) -> Result<(), E> + Send),
) -> Result<(), E> {
    for (d, (out, side)) in done.iter_mut().zip(&texts) {
        kept.stats.add(rs, d);
        keep(kept, d, opts);
        emit(Chunk::Unit { out, side })?;
    }
    if kept.disagreements.len() >= opts.max_disagreements {
        full.store(true, Ordering::Relaxed);
    }
    Ok(())
}

fn keep(kept: &mut Kept, d: &mut Done, opts: &Options) {
    match &mut d.result {
        Err(f) => {
            if kept.errors.len() < opts.max_errors {
                kept.errors.push(f.diagnostic.clone());
            } else {
                kept.omitted_errors += 1;
            }
        }
        Ok(c) => {
            for r in &mut c.requests {
                if !r.kept || r.agrees() != Some(false) {
                    continue;
                }
                match r.trace.take() {
                    Some(t) if kept.disagreements.len() < opts.max_disagreements => {
                        kept.disagreements.push(Disagreement {
                            file: d.file.to_string(),
                            line: d.line,
                            case: c.case.clone(),
                            report: *t,
                        })
                    }
                    _ => kept.omitted_disagreements += 1,
                }
            }
        }
    }
}

/// Which traces a disagreement gets.
#[derive(Clone, Copy, Debug)]
pub struct Want<'a> {
    /// A [`RequestReport`], to keep (or to write, without `json`).
    pub report: bool,
    /// Its JSON, written with these names.
    pub json: Option<&'a Names>,
    /// The drug lists to answer prior authorization from, if given.
    pub lists: Option<&'a crate::formulary::DrugLists>,
    /// Which requests are kept.
    pub filter: &'a Filter,
    /// The case-level fact slots that are clinical ([`clinical_slots`]).
    pub clinical: &'a [bool],
}

/// Which case-level fact slots are clinical facts: every fact a case
/// file writes itself except the claimant's (age, sex) and the date of
/// injury, which a letter's header gives. Derived facts (filled from the
/// requests or diagnoses) are not.
pub fn clinical_slots(rs: &RuleSet) -> Vec<bool> {
    let schema = &rs.program.schema;
    let mut mask = vec![false; schema.slots(crate::check::Scope::Case)];
    for f in &schema.facts {
        if f.scope != crate::check::Scope::Case || f.derived {
            continue;
        }
        let clinical = !(f.path.starts_with("claimant.") || f.path == "injury.date");
        if let Some(m) = mask.get_mut(f.slot as usize) {
            *m = clinical;
        }
    }
    mask
}

/// Whether a case documents any clinical fact: a diagnosis, a prior
/// treatment, or a clinical case-level fact ([`clinical_slots`]). A case
/// `mtus ingest` writes without `--facts` has none: the claimant, the date
/// of injury, the requests and the decisions.
pub fn clinical_facts(case: &Case, clinical: &[bool]) -> bool {
    !case.diagnoses.is_empty()
        || !case.history.is_empty()
        || case.facts.iter().zip(clinical).any(|(v, &c)| c && !v.is_absent())
}

/// Load and decide a batch on all threads, keeping input order.
fn decide_batch(
    rs: &RuleSet,
    loader: &Loader<'_>,
    plan: &Plan,
    units: Vec<Unit>,
    traces: Want<'_>,
    render: Option<bool>,
) -> Vec<Done> {
    units
        .into_par_iter()
        .map_init(
            || (Machine::new(), Vec::new()),
            |(m, verdicts), u| decide_unit(rs, loader, plan, m, verdicts, u, traces, render),
        )
        .collect()
}

/// Load one input and decide its requests.
#[allow(clippy::too_many_arguments)]
pub fn decide_unit(
    rs: &RuleSet,
    loader: &Loader<'_>,
    plan: &Plan,
    m: &mut Machine,
    verdicts: &mut Vec<Result<Verdict, EvalError>>,
    u: Unit,
    traces: Want<'_>,
    render: Option<bool>,
) -> Done {
    let Unit { file, line, body } = u;
    let lines_before = line.map_or(0, |l| l - 1);
    let loaded = match &body {
        Body::Unreadable(e) => Err(read_failure(&file, e, render)),
        Body::Yaml(text) => loader.load_yaml(&file, text).map_err(|e| load_failure(&e, 0, render)),
        Body::Json(text) => loader
            .load_json(&file, text)
            .map_err(|e| load_failure(&e, lines_before, render)),
    };
    let case = match loaded {
        Ok(c) => c,
        Err(f) => {
            return Done {
                file,
                line,
                result: Err(f),
            };
        }
    };
    plan.decide_case(rs, m, &case, verdicts);
    let facts = clinical_facts(&case, traces.clinical);
    let mut requests = Vec::with_capacity(case.requests.len());
    let mut full: Option<Vec<Result<eval::Decision, EvalError>>> = None;
    for (i, (req, v)) in case.requests.iter().zip(verdicts.drain(..)).enumerate() {
        let error_at = match (&v, &body) {
            (Err(e), Body::Yaml(text) | Body::Json(text)) => {
                let (l, c) = crate::diag::line_col(text, e.span(req).start as usize);
                Some((l + lines_before, c))
            }
            _ => None,
        };
        let authorization = traces.lists.map(|lists| {
            crate::formulary::authorize(&rs.program, &case, i, lists).map(|mut a| {
                crate::formulary::join_clinical_outcome(&mut a, v.as_ref().ok().map(|v| v.outcome));
                AuthAnswer {
                    status: a.status,
                    prior_authorization: a.prior_authorization,
                }
            })
        });
        let mut r = RequestDone {
            id: req.id.clone(),
            treatment: req.treatment,
            date: req.date,
            verdict: v,
            recorded: case.recorded(i).map(|d| d.outcome),
            cites: case.recorded(i).map(|d| d.cites.clone()).unwrap_or_default(),
            trace: None,
            trace_json: None,
            error_at,
            authorization,
            facts,
            kept: true,
        };
        r.kept = traces.filter.keeps(rs, &r);
        if r.kept && (traces.report || traces.json.is_some()) && r.agrees() == Some(false) {
            let decisions = full.get_or_insert_with(|| eval::decide_case(rs, m, &case));
            if let Some(d) = decisions.get(i) {
                if traces.report {
                    r.trace = Some(Box::new(report::request_report(rs, m, &case, i, d, false)));
                }
                if let Some(names) = traces.json {
                    let mut json = String::new();
                    jsonw::trace(&mut json, names, rs, &case, i, d);
                    r.trace_json = Some(json);
                }
            }
        }
        requests.push(r);
    }
    let Case { id, determination, .. } = case;
    let (reviewer, determined) = determination.map_or((None, None), |d| (d.reviewer, d.date));
    Done {
        file,
        line,
        result: Ok(CaseDone {
            case: id,
            reviewer,
            determined,
            requests,
        }),
    }
}

/// A case that did not load: its first mistake as the row's diagnostic,
/// every mistake in the rendered text.
fn load_failure(e: &CaseErrors, lines_before: usize, render: Option<bool>) -> Failed {
    let mut sm = SourceMap::new();
    let ds = e.add_to(&mut sm);
    let first = ds
        .first()
        .cloned()
        .unwrap_or_else(|| Diagnostic::bare("internal", "the case could not be read"));
    let mut json = diagnostics::to_json(&sm, &first);
    json.line = json.line.map(|l| l + lines_before);
    json.end_line = json.end_line.map(|l| l + lines_before);
    if json.file.is_none() {
        json.file = Some(e.file().to_string());
    }
    Failed {
        diagnostic: json,
        rendered: render.map(|color| {
            ds.iter()
                .map(|d| diagnostics::render_shifted(&sm, d, color, lines_before))
                .collect::<String>()
        }),
    }
}

/// An input that could not be read at all.
fn read_failure(file: &str, e: &ReadError, render: Option<bool>) -> Failed {
    let placed = e.line > 0;
    let message = if placed {
        format!("{file}:{}:{}: {}", e.line, e.column, e.message)
    } else {
        e.message.clone()
    };
    let mut d = Diagnostic::bare(e.code, message);
    d.help = e.help.clone();
    Failed {
        diagnostic: DiagnosticJson {
            file: Some(file.to_string()),
            line: placed.then_some(e.line),
            column: placed.then_some(e.column),
            end_line: placed.then_some(e.line),
            end_column: placed.then_some(e.column),
            severity: Severity::Error,
            code: e.code,
            message: e.message.clone(),
            help: e.help.clone(),
        },
        rendered: render.map(|color| diagnostics::render(&SourceMap::new(), &d, color)),
    }
}
