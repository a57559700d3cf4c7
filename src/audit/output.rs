//! Writing an audit: per-request results streamed in input order, then
//! the summary.
//!
//! | format | stream (in input order) | at the end |
//! | --- | --- | --- |
//! | text | one line per request; load errors with an excerpt on the side channel | statistics, then the first disagreements with their traces |
//! | json | the `requests` array; error records spilled aside | statistics, the first disagreements, every error |
//! | jsonl | one line per request (disagreements with their trace), one per error | one `summary` line |
//! | csv | one row per request or error | nothing |
//! | markdown | load errors on the side channel | one document: statistics, errors, disagreements |
//!
//! Invariants: the bytes written depend only on inputs and options; no
//! list grows with the input except the JSON error records, which go to
//! an anonymous temporary file past a megabyte.

use std::fmt::Write as _;
use std::io::{self, Read, Seek, Write};
use std::sync::Arc;

use serde::Serialize;

use super::groups::{Breakdown, Group, Rate};
use super::input::{Input, Reader};
use super::jsonw::{self, Names};
use super::run::{self, Chunk, Done, Kept, Progress, Render, RequestDone, Traces};
use super::stats::{Confusion, Summary};
use super::{AuditRow, Totals};
use crate::RuleSet;
use crate::eval::Outcome;
use crate::eval::fast::Verdict;
use crate::report::json_write::{self, Json};
use crate::report::{self, JSON_VERSION};

/// Output formats of `mtus audit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Jsonl,
    Csv,
    Markdown,
}

#[derive(Clone, Debug)]
pub struct AuditOptions {
    pub format: Format,
    /// Disagreements shown with their traces in text, JSON, Markdown and
    /// HTML (JSON Lines shows every one).
    pub max_disagreements: usize,
    /// Load errors listed in the Markdown and HTML summaries.
    pub max_errors: usize,
    /// ANSI colours in diagnostics on the side channel.
    pub color: bool,
    /// How large one case file or JSON line may be.
    pub limits: crate::inputs::Limits,
    /// Keep the first disagreements with their traces in
    /// [`Finished::kept`] even when the format does not show them (CSV,
    /// JSON Lines), for a caller that shows them itself (the HTML page).
    /// Without it those formats keep none: 1,000 traces are about 16 MB.
    pub keep_traces: bool,
    /// MTUS Drug Lists (`--drug-list`): with them, each request's row in
    /// CSV, JSON and JSON Lines carries `prior_authorization` and
    /// `formulary_status` (the formulary's answer joined to the outcome).
    pub lists: Option<Arc<crate::formulary::DrugLists>>,
    /// Which requests are counted and shown (`--since`, `--until`,
    /// `--treatment`, `--class`, `--only-disagreements`).
    pub filter: Arc<super::filter::Filter>,
    /// Totals only: no per-request rows (text, JSON, JSON Lines,
    /// Markdown; load errors are still reported).
    pub summary_only: bool,
}

impl Default for AuditOptions {
    fn default() -> AuditOptions {
        AuditOptions {
            format: Format::Text,
            max_disagreements: 1000,
            max_errors: 1000,
            color: false,
            limits: crate::inputs::Limits::default(),
            keep_traces: true,
            lists: None,
            filter: Arc::new(super::filter::Filter::default()),
            summary_only: false,
        }
    }
}

/// An audit could not write its output.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot write the output: {0}")]
    Write(#[source] io::Error),
    #[error("cannot keep error records aside in a temporary file: {0}")]
    Spill(#[source] io::Error),
}

impl AuditError {
    /// The output was closed by its reader (`mtus audit ... | head`).
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, AuditError::Write(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// What an audit found: the statistics, and what it kept to show.
#[derive(Clone, Debug)]
pub struct Finished {
    pub summary: Summary,
    pub kept: Kept,
}

impl Finished {
    /// Every input could be read and every request decided.
    pub fn ok(&self) -> bool {
        self.summary.totals.errors == 0 && self.summary.totals.undecided == 0
    }
}

/// Run an audit of `inputs` on the current rayon pool: stream results to
/// `out`, diagnostics for a person to `side` (text and Markdown), and
/// return the statistics.
pub fn audit(
    rs: &RuleSet,
    inputs: Vec<Input>,
    opts: &AuditOptions,
    out: &mut (dyn Write + Send),
    side: &mut (dyn Write + Send),
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Finished, AuditError> {
    audit_with(rs, inputs, opts, out, side, progress, false)
}

/// [`audit`]; with `oracle`, JSON and JSON Lines are written through serde
/// as they were before [`jsonw`] (the tests compare the two).
fn audit_with(
    rs: &RuleSet,
    inputs: Vec<Input>,
    opts: &AuditOptions,
    out: &mut (dyn Write + Send),
    side: &mut (dyn Write + Send),
    progress: &mut (dyn FnMut(Progress) + Send),
    oracle: bool,
) -> Result<Finished, AuditError> {
    let mut reader = Reader::new(inputs, opts.limits);
    // The rule set's names escaped once, for the JSON writer (the oracle
    // writes through serde, as before).
    let names = (!oracle && matches!(opts.format, Format::Json | Format::Jsonl)).then(|| Arc::new(Names::new(rs)));
    let run_opts = run::Options {
        json_traces: names.clone().filter(|_| opts.format == Format::Jsonl),
        traces: if opts.format == Format::Jsonl {
            Traces::All
        } else {
            Traces::Kept
        },
        max_disagreements: match opts.format {
            Format::Csv | Format::Jsonl if !opts.keep_traces => 0,
            _ => opts.max_disagreements,
        },
        max_errors: opts.max_errors,
        lists: opts.lists.clone(),
        filter: opts.filter.clone(),
        render_errors: matches!(opts.format, Format::Text | Format::Markdown).then_some(opts.color),
        ..run::Options::default()
    };
    let mut style = Style {
        format: opts.format,
        widths: [4, 7, 9],
        rules_hash: rs.origin.hash.clone(),
        names: names.clone(),
        auth: opts.lists.is_some(),
        summary_only: opts.summary_only,
    };
    let mut w = Out::new(out);
    let mut spill = Spill::default();
    // Markdown rows, kept aside to follow the summary.
    let mut md_rows = Spill::default();
    let mut md_count = 0u64;
    let mut rows = 0u64;
    let mut spilled = 0u64;
    let mut side_closed = false;
    let format = opts.format;
    let mut emit = |c: Chunk<'_>| -> Result<(), AuditError> {
        let (o, s) = match c {
            Chunk::Head(h) => return w.put(h),
            Chunk::Unit { out, side } => (out, side),
        };
        match format {
            Format::Json => {
                if !o.is_empty() {
                    w.put(if rows == 0 { "\n    " } else { ",\n    " })?;
                    w.put(o)?;
                    rows += 1;
                }
                if !s.is_empty() {
                    spill.put(if spilled == 0 { "\n    " } else { ",\n    " })?;
                    spill.put(s)?;
                    spilled += 1;
                }
            }
            _ => {
                if format == Format::Markdown {
                    if !o.is_empty() {
                        md_rows.put(o)?;
                        md_count += 1;
                    }
                } else {
                    w.put(o)?;
                }
                if !s.is_empty() && !side_closed {
                    match side.write_all(s.as_bytes()) {
                        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => side_closed = true,
                        r => r.map_err(AuditError::Write)?,
                    }
                }
            }
        }
        Ok(())
    };
    let kept = run::run(rs, &mut reader, &run_opts, &mut style, &mut emit, progress)?;
    let mut summary = kept.stats.summary(rs);
    summary.filters = opts.filter.json(rs);
    let fin = Finished { summary, kept };
    // With --summary-only the disagreements' traces are not shown (JSON
    // counts them all as omitted); the caller still gets them (the HTML
    // page shows them).
    let totals_only = opts.summary_only.then(|| {
        let k = &fin.kept;
        let all = k.disagreements.len() as u64 + k.omitted_disagreements;
        Finished {
            summary: fin.summary.clone(),
            kept: Kept {
                stats: k.stats.clone(),
                disagreements: Vec::new(),
                omitted_disagreements: if style.format == Format::Json { all } else { 0 },
                errors: k.errors.clone(),
                omitted_errors: k.omitted_errors,
            },
        }
    });
    let shown = totals_only.as_ref().unwrap_or(&fin);
    let mut tail = String::new();
    match style.format {
        Format::Text => {
            text_summary(shown, &mut tail);
            // No rows above: no blank line to set the summary apart.
            if opts.summary_only {
                tail.remove(0);
            }
        }
        Format::Markdown => {
            markdown(shown, &mut tail);
            if md_count > 0 {
                tail.push_str(MD_ROWS_HEAD);
                w.put(&tail)?;
                tail.clear();
                md_rows.copy_to(&mut w)?;
            }
        }
        Format::Csv => {}
        Format::Jsonl => {
            #[derive(Serialize)]
            struct Line<'a> {
                kind: &'static str,
                version: u32,
                #[serde(flatten)]
                summary: &'a Summary,
                rules: crate::report::RulesJson,
            }
            let line = Line {
                kind: "summary",
                version: JSON_VERSION,
                summary: &fin.summary,
                rules: crate::report::RulesJson::new(rs),
            };
            tail.push_str(&to_json(&line));
            tail.push('\n');
        }
        Format::Json => {
            w.put(if rows == 0 { "],\n" } else { "\n  ],\n" })?;
            if oracle {
                serde_tail(rs, shown, &mut w)?;
            } else {
                json_tail(rs, shown, &mut w)?;
            }
            w.put(",\n  \"errors\": [")?;
            spill.copy_to(&mut w)?;
            w.put(if spilled == 0 { "]\n}\n" } else { "\n  ]\n}\n" })?;
        }
    }
    w.put(&tail)?;
    w.flush()?;
    Ok(fin)
}

/// The fields of the JSON document's closing summary (statistics, kept
/// disagreements with their traces, the rule set), indented one level,
/// without braces: streamed, since with 1,000 traces it is tens of
/// megabytes. The statistics go through serde (once per run); the traces,
/// the bulk of it, through [`json_write`].
fn json_tail(rs: &RuleSet, fin: &Finished, w: &mut Out<'_>) -> Result<(), AuditError> {
    #[derive(Serialize)]
    struct Head<'a> {
        #[serde(flatten)]
        summary: &'a Summary,
    }
    serde_fields(w, &Head { summary: &fin.summary })?;
    let k = &fin.kept;
    w.put(",\n  \"disagreements\": [")?;
    let mut buf = String::with_capacity(1 << 16);
    for (n, x) in k.disagreements.iter().enumerate() {
        buf.clear();
        buf.push_str(if n == 0 { "\n    " } else { ",\n    " });
        let mut j = Json::pretty(&mut buf, 2);
        let mut o = j.object();
        j.key(&mut o, "file");
        j.str(&x.file);
        j.key(&mut o, "line");
        j.opt_usize(x.line);
        j.key(&mut o, "case");
        j.str(&x.case);
        json_write::request_fields(&mut j, &mut o, &x.report);
        j.end(o);
        w.put(&buf)?;
    }
    w.put(if k.disagreements.is_empty() { "]" } else { "\n  ]" })?;
    buf.clear();
    buf.push_str(",\n  \"disagreements_omitted\": ");
    json_write::push_u64(&mut buf, k.omitted_disagreements);
    buf.push_str(",\n  \"rules\": ");
    let r = crate::report::RulesJson::new(rs);
    let mut j = Json::pretty(&mut buf, 1);
    let mut o = j.object();
    j.key(&mut o, "kind");
    j.str(r.kind);
    j.key(&mut o, "path");
    j.opt_str(r.path.as_deref());
    j.key(&mut o, "sha256");
    j.str(&r.sha256);
    j.key(&mut o, "description");
    j.str(&r.description);
    j.end(o);
    w.put(&buf)
}

/// [`json_tail`] all through serde, as it was: the tests' oracle.
fn serde_tail(rs: &RuleSet, fin: &Finished, w: &mut Out<'_>) -> Result<(), AuditError> {
    #[derive(Serialize)]
    struct Tail<'a> {
        #[serde(flatten)]
        summary: &'a Summary,
        disagreements: &'a [run::Disagreement],
        disagreements_omitted: u64,
        rules: crate::report::RulesJson,
    }
    let t = Tail {
        summary: &fin.summary,
        disagreements: &fin.kept.disagreements,
        disagreements_omitted: fin.kept.omitted_disagreements,
        rules: crate::report::RulesJson::new(rs),
    };
    serde_fields(w, &t)
}

/// A value serde writes as a pretty JSON object, without its braces
/// (its fields already indented one level), streamed to `w`.
fn serde_fields<T: Serialize>(w: &mut Out<'_>, v: &T) -> Result<(), AuditError> {
    let mut fields = Fields {
        out: w,
        skip: 2,
        held: Vec::with_capacity(1 << 16),
        error: None,
    };
    let r = serde_json::to_writer_pretty(&mut fields, v);
    if let Some(e) = fields.error.take() {
        return Err(e);
    }
    r.map_err(|e| AuditError::Write(e.into()))?;
    fields.finish()
}

/// A JSON object written through to `out` without its first two bytes
/// (`{` and a newline) and its last two (a newline and `}`).
struct Fields<'o, 'w> {
    out: &'o mut Out<'w>,
    /// Bytes still to skip at the start.
    skip: usize,
    /// Bytes not yet written: the last two are held back until more come.
    held: Vec<u8>,
    error: Option<AuditError>,
}

impl Write for Fields<'_, '_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let n = b.len();
        let skipped = self.skip.min(n);
        self.skip -= skipped;
        self.held.extend_from_slice(&b[skipped..]);
        if self.held.len() >= (1 << 16) + 2 {
            let upto = self.held.len() - 2;
            if let Err(e) = self.out.put_bytes(&self.held[..upto]) {
                self.error = Some(e);
                return Err(io::Error::other("the output failed"));
            }
            self.held.drain(..upto);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Fields<'_, '_> {
    /// Write what is held, but the last two bytes.
    fn finish(mut self) -> Result<(), AuditError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let upto = self.held.len().saturating_sub(2);
        self.out.put_bytes(&self.held[..upto])
    }
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
}

/// A buffered writer that reports errors as [`AuditError::Write`]. When
/// the reader closes the output (`mtus audit ... | head`), it writes no
/// more and the audit goes on counting, so the exit status still tells
/// whether every input was good.
struct Out<'a> {
    w: &'a mut (dyn Write + Send),
    buf: Vec<u8>,
    /// The reader closed the output.
    closed: bool,
}

impl<'a> Out<'a> {
    fn new(w: &'a mut (dyn Write + Send)) -> Out<'a> {
        Out {
            w,
            buf: Vec::with_capacity(1 << 16),
            closed: false,
        }
    }

    fn put(&mut self, s: &str) -> Result<(), AuditError> {
        self.put_bytes(s.as_bytes())
    }

    /// Bytes of UTF-8 text (a piece of it may end inside a character: the
    /// next piece goes on from there).
    fn put_bytes(&mut self, s: &[u8]) -> Result<(), AuditError> {
        if self.closed {
            return Ok(());
        }
        if s.len() >= 1 << 16 {
            // A large piece (the JSON tail) goes straight out, not copied.
            self.flush_buf()?;
            if self.closed {
                return Ok(());
            }
            let r = self.w.write_all(s);
            return self.check(r);
        }
        self.buf.extend_from_slice(s);
        if self.buf.len() >= 1 << 16 {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn check(&mut self, r: io::Result<()>) -> Result<(), AuditError> {
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                self.buf = Vec::new();
                Ok(())
            }
            r => r.map_err(AuditError::Write),
        }
    }

    fn flush_buf(&mut self) -> Result<(), AuditError> {
        if self.closed {
            return Ok(());
        }
        let r = self.w.write_all(&self.buf);
        self.buf.clear();
        self.check(r)
    }

    fn flush(&mut self) -> Result<(), AuditError> {
        self.flush_buf()?;
        if self.closed {
            return Ok(());
        }
        let r = self.w.flush();
        self.check(r)
    }
}

/// Error records kept aside until the end of a JSON document: in memory
/// up to a megabyte, then in an anonymous temporary file.
#[derive(Default)]
struct Spill {
    mem: String,
    file: Option<std::fs::File>,
}

impl Spill {
    fn put(&mut self, s: &str) -> Result<(), AuditError> {
        self.mem.push_str(s);
        if self.mem.len() >= 1 << 20 {
            if self.file.is_none() {
                self.file = Some(tempfile::tempfile().map_err(AuditError::Spill)?);
            }
            if let Some(f) = &mut self.file {
                f.write_all(self.mem.as_bytes()).map_err(AuditError::Spill)?;
            }
            self.mem.clear();
        }
        Ok(())
    }

    fn copy_to(&mut self, w: &mut Out<'_>) -> Result<(), AuditError> {
        if let Some(f) = &mut self.file {
            f.flush().map_err(AuditError::Spill)?;
            f.rewind().map_err(AuditError::Spill)?;
            let mut chunk = vec![0u8; 1 << 16];
            let mut pending: Vec<u8> = Vec::new();
            loop {
                let n = f.read(&mut chunk).map_err(AuditError::Spill)?;
                if n == 0 {
                    break;
                }
                pending.extend_from_slice(&chunk[..n]);
                // Write whole UTF-8 text only.
                let valid = match std::str::from_utf8(&pending) {
                    Ok(s) => s.len(),
                    Err(e) => e.valid_up_to(),
                };
                let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
                w.put(&text)?;
                pending.drain(..valid);
            }
        }
        let mem = std::mem::take(&mut self.mem);
        w.put(&mem)
    }
}

/// How each format renders one input (on the worker threads).
#[derive(Clone, Debug)]
struct Style {
    format: Format,
    /// Text table: widths of the case, request and treatment columns,
    /// from the first batch (later, longer values push the line).
    widths: [usize; 3],
    /// The rule set's SHA-256, CSV's second column.
    rules_hash: String,
    /// The rule set's names, escaped for JSON once (JSON and JSON Lines).
    names: Option<Arc<Names>>,
    /// CSV rows carry the formulary's answer (`--drug-list`).
    auth: bool,
    /// No per-request rows (`--summary-only`).
    summary_only: bool,
}

/// A tidy table: one row per request or error, the same columns in every
/// row, a cell empty where there is no value; list cells (licensure,
/// citations) join their items with `; `. The rule set's SHA-256 is the
/// second column of every row.
const CSV_HEADER: &str = "kind,rules_sha256,file,line,column,case,request,request_date,treatment,category,outcome,predicted,recorded,agrees,clinical_facts,decided_by,rule_source,rule_tier,reviewer_specialty,reviewer_licensure,cites,error,provisional,falls_with";
/// The columns `--drug-list` adds after `falls_with`.
const CSV_AUTH_COLUMNS: &str = ",prior_authorization,formulary_status";
/// Columns before the `--drug-list` ones.
const CSV_COLUMNS: usize = 24;

impl Render for Style {
    fn head(&self, out: &mut String) {
        if self.summary_only && matches!(self.format, Format::Text | Format::Markdown) {
            return;
        }
        match self.format {
            Format::Text => {
                let [wc, wr, wt] = self.widths;
                let _ = writeln!(
                    out,
                    "{:wc$}  {:wr$}  {:wt$}  {:10}  {:10}  {:10}  result",
                    "case", "request", "treatment", "date", "predicted", "recorded"
                );
            }
            Format::Json => {
                let _ = write!(out, "{{\n  \"version\": {JSON_VERSION},\n  \"requests\": [");
            }
            Format::Csv => {
                out.push_str(CSV_HEADER);
                if self.auth {
                    out.push_str(CSV_AUTH_COLUMNS);
                }
                out.push('\n');
            }
            Format::Jsonl | Format::Markdown => {}
        }
    }

    fn prepare(&mut self, rs: &RuleSet, first: &[Done]) {
        for d in first {
            if let Ok(c) = &d.result {
                for r in c.requests.iter().filter(|r| r.kept) {
                    let t = &rs.program.catalog.treatment(r.treatment).name;
                    self.widths[0] = self.widths[0].max(c.case.chars().count());
                    self.widths[1] = self.widths[1].max(r.id.chars().count());
                    self.widths[2] = self.widths[2].max(t.chars().count());
                }
            }
        }
    }

    fn render(&self, rs: &RuleSet, d: &Done, out: &mut String, side: &mut String) {
        let case = match &d.result {
            Err(f) => {
                match self.format {
                    Format::Text | Format::Markdown => side.push_str(f.rendered.as_deref().unwrap_or("")),
                    Format::Json | Format::Jsonl if self.names.is_some() => jsonw::error_record(
                        if self.format == Format::Json { side } else { out },
                        self.format == Format::Jsonl,
                        &f.diagnostic,
                    ),
                    Format::Json => side.push_str(&to_json(&f.diagnostic)),
                    Format::Jsonl => {
                        #[derive(Serialize)]
                        struct Line<'a> {
                            kind: &'static str,
                            #[serde(flatten)]
                            error: &'a report::diagnostics::DiagnosticJson,
                        }
                        out.push_str(&to_json(&Line {
                            kind: "error",
                            error: &f.diagnostic,
                        }));
                        out.push('\n');
                    }
                    Format::Csv => {
                        let g = &f.diagnostic;
                        let num = |n: Option<usize>| n.map_or_else(String::new, |n| n.to_string());
                        let mut cells = vec![String::new(); CSV_COLUMNS + if self.auth { 2 } else { 0 }];
                        cells[0] = "error".to_string();
                        cells[1] = self.rules_hash.clone();
                        cells[2] = g.file.clone().unwrap_or_else(|| d.file.to_string());
                        cells[3] = num(g.line);
                        cells[4] = num(g.column);
                        cells[21] = format!("{}: {}", g.code, g.message);
                        csv_line(&cells, out);
                    }
                }
                return;
            }
            Ok(c) => c,
        };
        if self.summary_only {
            return;
        }
        let mut first = true;
        if let Some(names) = &self.names {
            let rq = case.requests.as_slice();
            for i in (0..rq.len()).filter(|&i| rq[i].kept) {
                if self.format == Format::Json {
                    if !std::mem::take(&mut first) {
                        out.push_str(",\n    ");
                    }
                    jsonw::json_row(out, rs, names, d, &case.case, rq, i);
                } else {
                    jsonw::jsonl_row(out, rs, names, d, &case.case, rq, i);
                }
            }
            return;
        }
        for i in (0..case.requests.len()).filter(|&i| case.requests[i].kept) {
            match self.format {
                Format::Text => self.text_row(rs, d, &case.case, case.requests.as_slice(), i, out),
                Format::Markdown => markdown_row(rs, d, &case.case, case.requests.as_slice(), i, out),
                // The serde rendering `jsonw` replaces: the tests' oracle.
                Format::Json => {
                    if !std::mem::take(&mut first) {
                        out.push_str(",\n    ");
                    }
                    out.push_str(&to_json(&AuditRow::new(rs, d, &case.case, &case.requests, i)));
                }
                Format::Jsonl => {
                    #[derive(Serialize)]
                    struct Line<'a> {
                        kind: &'static str,
                        #[serde(flatten)]
                        row: AuditRow,
                        #[serde(skip_serializing_if = "Option::is_none")]
                        trace: Option<&'a report::RequestReport>,
                    }
                    out.push_str(&to_json(&Line {
                        kind: "request",
                        row: AuditRow::new(rs, d, &case.case, &case.requests, i),
                        trace: case.requests[i].trace.as_deref(),
                    }));
                    out.push('\n');
                }
                Format::Csv => {
                    let row = AuditRow::new(rs, d, &case.case, &case.requests, i);
                    let name = |x: Option<&'static str>| x.unwrap_or("").to_string();
                    let mut cells = vec![
                        "request".to_string(),
                        self.rules_hash.clone(),
                        row.file,
                        row.line.map_or_else(String::new, |l| l.to_string()),
                        row.column.map_or_else(String::new, |c| c.to_string()),
                        row.case,
                        row.request,
                        row.request_date,
                        row.treatment,
                        row.category.unwrap_or_default(),
                        name(row.outcome.map(outcome_name)),
                        name(row.predicted.map(|p| p.name())),
                        name(row.recorded.map(|p| p.name())),
                        row.agrees.map_or_else(String::new, |a| a.to_string()),
                        row.clinical_facts.to_string(),
                        row.decided_by.unwrap_or_default(),
                        row.rule_source.unwrap_or_default(),
                        name(row.rule_tier),
                        row.reviewer_specialty.unwrap_or_default(),
                        row.reviewer_licensure.join("; "),
                        row.cites.join("; "),
                        row.error.unwrap_or_default(),
                        row.provisional.map_or_else(String::new, |p| p.to_string()),
                        row.falls_with.unwrap_or_default(),
                    ];
                    if self.auth {
                        let a = row.authorization.as_ref();
                        cells.push(name(a.and_then(|a| a.prior_authorization).map(|p| p.name())));
                        cells.push(name(a.and_then(|a| a.formulary_status).map(|s| s.name())));
                    }
                    csv_line(&cells, out);
                }
            }
        }
    }
}

/// What a row's result column says: agrees, DISAGREES (why), not
/// compared, no recorded decision, or the error.
fn result_text(rs: &RuleSet, r: &RequestDone, requests: &[RequestDone]) -> String {
    match (&r.verdict, r.agrees()) {
        (Err(e), _) => format!("ERROR: {e}"),
        (Ok(_), Some(true)) => "agrees".to_string(),
        (Ok(v), Some(false)) => format!("DISAGREES ({})", why(rs, v, requests)),
        (Ok(_), None) if r.recorded.is_some() => "not compared (the case documents no clinical facts)".to_string(),
        (Ok(_), None) => "no recorded decision".to_string(),
    }
}

/// The letter's side of a row beside the engine's: the reviewer's
/// specialty and licensure, the guidelines the decision cites, and the
/// rule the engine used with its source and tier.
struct Sides {
    reviewer: String,
    cited: String,
    rule: String,
}

impl Sides {
    fn of(rs: &RuleSet, d: &Done, r: &RequestDone) -> Sides {
        let reviewer = super::case_done(d).and_then(|c| c.reviewer.as_ref());
        let specialty = reviewer.and_then(|rv| rv.specialty.as_deref()).unwrap_or("");
        let licensure = reviewer.map_or(&[][..], |rv| rv.licensure.as_slice()).join(", ");
        let reviewer = match (specialty.is_empty(), licensure.is_empty()) {
            (true, true) => "not recorded".to_string(),
            (false, true) => specialty.to_string(),
            (true, false) => format!("licensed {licensure}"),
            (false, false) => format!("{specialty} ({licensure})"),
        };
        let mut cited: Vec<String> = r.cites.iter().map(|c| super::groups::guideline_of(c)).collect();
        cited.dedup();
        let cited = if cited.is_empty() {
            "none".to_string()
        } else {
            cited.join(", ")
        };
        let p = &rs.program;
        let rule = super::deciding_rule(r.verdict.as_ref().ok()).map_or_else(
            || "none".to_string(),
            |id| {
                let rule = p.rule(id);
                format!("{} ({}, {})", rule.name, p.source(rule.source).id, rule.tier.name())
            },
        );
        Sides { reviewer, cited, rule }
    }
}

/// One request as a Markdown table row (see [`MD_ROWS_HEAD`]).
fn markdown_row(rs: &RuleSet, d: &Done, case: &str, requests: &[RequestDone], i: usize, out: &mut String) {
    let r = &requests[i];
    let t = &rs.program.catalog.treatment(r.treatment).name;
    let predicted = r.verdict.as_ref().map_or("-", |v| v.outcome.predicts().name());
    let recorded = r.recorded.map_or("-", |x| x.name());
    let sides = Sides::of(rs, d, r);
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        md(case),
        md(&r.id),
        md(t),
        r.date,
        predicted,
        recorded,
        md(&result_text(rs, r, requests)),
        md(&sides.reviewer),
        md(&sides.cited),
        md(&sides.rule)
    );
}

/// The head of the Markdown table of requests.
const MD_ROWS_HEAD: &str = "\n## Requests\n\n| case | request | treatment | date | predicted | recorded | result | reviewer | cited | rule used |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";

impl Style {
    fn text_row(&self, rs: &RuleSet, d: &Done, case: &str, requests: &[RequestDone], i: usize, out: &mut String) {
        let r = &requests[i];
        let [wc, wr, wt] = self.widths;
        let t = &rs.program.catalog.treatment(r.treatment).name;
        let predicted = r.verdict.as_ref().map_or("-", |v| v.outcome.predicts().name());
        let recorded = r.recorded.map_or("-", |x| x.name());
        let result = result_text(rs, r, requests);
        let date = r.date.to_string();
        // The case and request ids come from the input.
        let case = report::escape_terminal(case);
        let id = report::escape_terminal(&r.id);
        for (text, width) in [
            (case.as_ref(), wc),
            (id.as_ref(), wr),
            (t.as_str(), wt),
            (date.as_str(), 10),
            (predicted, 10),
            (recorded, 10),
        ] {
            pad(out, text, width);
            out.push_str("  ");
        }
        out.push_str(&result);
        out.push('\n');
        // The letter's side beside the engine's, on a line of its own.
        let sides = Sides::of(rs, d, r);
        let _ = writeln!(
            out,
            "{:wc$}  reviewer: {}; cited: {}; rule used: {}",
            "",
            report::escape_terminal(&sides.reviewer),
            report::escape_terminal(&sides.cited),
            sides.rule
        );
    }
}

/// `text` left-aligned in `width` characters (what `{:width$}` does,
/// without the formatting machinery: this runs for every row).
fn pad(out: &mut String, text: &str, width: usize) {
    out.push_str(text);
    let n = if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    };
    for _ in n..width {
        out.push(' ');
    }
}

/// What decided a request, in a few words: `rule.criterion`, "falls with
/// r1", or "all criteria met".
fn why(rs: &RuleSet, v: &Verdict, requests: &[RequestDone]) -> String {
    match (v.decided_by, v.fell_with) {
        (Some(d), _) => {
            let rule = rs.program.rule(d.rule);
            let c = rule.criteria.get(d.criterion as usize).map_or("?", |c| c.name.as_str());
            format!("{}.{c}", rule.name)
        }
        (None, Some(q)) => format!("falls with {}", requests.get(q).map_or("?", |r| r.id.as_str())),
        (None, None) => "all criteria met".to_string(),
    }
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::MedicallyNecessary => "medically_necessary",
        Outcome::NotMedicallyNecessary => "not_medically_necessary",
        Outcome::InsufficientDocumentation => "insufficient_documentation",
    }
}

/// One CSV record (RFC 4180): quoted where needed. A cell that starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'` in
/// front, so a spreadsheet shows it as text rather than running it as a
/// formula (ids and messages come from the input). `-` alone, the name
/// of standard input, is left as it is.
fn csv_line(cells: &[String], out: &mut String) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let neutral;
        // `-` alone (standard input) is no formula.
        let c = if c.starts_with(['=', '+', '-', '@', '\t', '\r']) && c != "-" {
            neutral = format!("'{c}");
            &neutral
        } else {
            c
        };
        if c.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(c);
        }
    }
    out.push('\n');
}

/// Agreement among settled and among provisional decisions, printed only
/// when some decision is provisional (otherwise it repeats the agreement).
fn confidence_lines(b: &super::stats::ByConfidence, out: &mut String) {
    if b.provisional.requests == 0 {
        return;
    }
    for (label, x) in [
        ("settled decisions", &b.settled),
        ("provisional decisions (resting on a LOW criterion)", &b.provisional),
    ] {
        let _ = writeln!(
            out,
            "  {label}: {} decided; agreement {}/{} = {}; Cohen's kappa {}",
            x.requests,
            x.agree,
            x.compared,
            pct(x.agreement),
            kappa_text(x.kappa)
        );
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{:.1}%", x * 100.0))
}

fn kappa_text(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |x| format!("{x:.2}"))
}

fn totals_lines(s: &Summary, out: &mut String) {
    let t = &s.totals;
    let _ = writeln!(
        out,
        "inputs: {} ({} read, {} could not be read)",
        t.inputs, t.cases, t.errors
    );
    if let Some(f) = filters_sentence(s) {
        let _ = writeln!(out, "filters: {f}");
    }
    let _ = writeln!(
        out,
        "requests: {}: {} agree, {} disagree, {} without a recorded decision, {} could not be decided{}",
        t.requests,
        t.agree,
        t.disagree,
        t.unrecorded,
        t.undecided,
        if t.without_facts > 0 {
            format!(", {} not compared", t.without_facts)
        } else {
            String::new()
        }
    );
    if let Some(w) = without_facts_sentence(t) {
        let _ = writeln!(out, "  {w}");
    }
    let all = &s.breakdown.all;
    if all.uphold_rate.is_some() {
        let _ = writeln!(
            out,
            "letters: {} upheld, {} overturned; uphold rate {}",
            all.upheld,
            all.overturned,
            Rate::text(all.uphold_rate.as_ref())
        );
    }
}

/// The filters applied and what they left out, in words; `None` without
/// filters.
pub(crate) fn filters_sentence(s: &Summary) -> Option<String> {
    if s.filters.is_empty() {
        return None;
    }
    let t = &s.totals;
    Some(format!(
        "{}: {} of {} requests kept, {} left out ({} of {} cases read had none left)",
        s.filters.clauses().join("; "),
        t.requests,
        t.requests + t.filtered_out,
        t.filtered_out,
        t.cases_filtered_out,
        t.cases
    ))
}

/// Why some requests are not compared, in words; `None` when all are.
pub(crate) fn without_facts_sentence(t: &Totals) -> Option<String> {
    (t.without_facts > 0).then(|| {
        let one = t.without_facts == 1;
        format!(
            "{} {} not compared with the engine: {} no clinical facts (as a case `mtus ingest` writes without --facts), so the rules had nothing to weigh; {} counted in the letters' totals only",
            t.without_facts,
            if one { "request is" } else { "requests are" },
            if one { "its case documents" } else { "their cases document" },
            if one { "it is" } else { "they are" },
        )
    })
}

/// "91.8-97.2%", or "-".
fn interval(r: Option<&Rate>) -> String {
    r.map_or_else(
        || "-".to_string(),
        |r| format!("{:.1}-{:.1}%", r.low * 100.0, r.high * 100.0),
    )
}

/// The four groupings as Markdown tables.
fn breakdown_markdown(b: &Breakdown, out: &mut String) {
    let _ = writeln!(
        out,
        "\n## Totals\n\nRates with 95% Wilson score intervals; \\* marks a rate over fewer than {} items, a small sample.",
        b.small_sample_below
    );
    for (title, head, groups) in breakdown_tables(b) {
        if groups.is_empty() {
            continue;
        }
        let mut title = title.to_string();
        if let Some(c) = title.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        let _ = writeln!(
            out,
            "\n### {}\n\n| {head} | items | upheld | overturned | uphold rate | compared | agreement | without clinical facts |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            md(&title)
        );
        for g in groups {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                md(&g.group),
                g.requests,
                g.upheld,
                g.overturned,
                md(&Rate::text(g.uphold_rate.as_ref())),
                g.compared,
                md(&Rate::text(g.agreement.as_ref())),
                g.without_facts
            );
        }
    }
}

/// The four groupings as text tables.
fn breakdown_text(b: &Breakdown, out: &mut String) {
    let _ = writeln!(
        out,
        "\ntotals (95% Wilson score intervals; * marks a rate over fewer than {} items, a small sample):",
        b.small_sample_below
    );
    for (title, head, groups) in breakdown_tables(b) {
        if groups.is_empty() {
            continue;
        }
        let w = groups
            .iter()
            .map(|g| g.group.chars().count())
            .max()
            .unwrap_or(0)
            .max(head.len());
        let _ = writeln!(out, "\n{title}:");
        let _ = writeln!(
            out,
            "  {head:w$}  {:>5}  {:>6}  {:>10}  {:<24}  {:>8}  agreement",
            "items", "upheld", "overturned", "uphold rate", "compared"
        );
        for g in groups {
            let name = report::escape_terminal(&g.group);
            let mut line = format!(
                "  {name:w$}  {:>5}  {:>6}  {:>10}  {:<24}  {:>8}  {:<24}",
                g.requests,
                g.upheld,
                g.overturned,
                Rate::text(g.uphold_rate.as_ref()),
                g.compared,
                Rate::text(g.agreement.as_ref())
            );
            if g.without_facts > 0 {
                let _ = write!(line, "  ({} without clinical facts)", g.without_facts);
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
}

/// Each grouping's title, the head of its first column, and its groups.
pub(crate) fn breakdown_tables(b: &Breakdown) -> [(&'static str, &'static str, &[Group]); 4] {
    [
        (
            "by treatment category (the treatment's first class)",
            "category",
            &b.by_category,
        ),
        ("by year of the request", "year", &b.by_year),
        (
            "by reviewer specialty (a request counts under each specialty of its reviewer)",
            "specialty",
            &b.by_specialty,
        ),
        (
            "by guideline cited (a request counts under each guideline its decision cites)",
            "guideline",
            &b.by_guideline,
        ),
    ]
}

fn confusion_rows(c: &Confusion) -> [(&'static str, u64, u64, bool); 4] {
    let b = &c.by_outcome;
    [
        ("predicted upheld", c.upheld.upheld, c.upheld.overturned, true),
        (
            "not medically necessary",
            b.not_medically_necessary.upheld,
            b.not_medically_necessary.overturned,
            false,
        ),
        (
            "insufficient documentation",
            b.insufficient_documentation.upheld,
            b.insufficient_documentation.overturned,
            false,
        ),
        (
            "predicted overturned",
            c.overturned.upheld,
            c.overturned.overturned,
            true,
        ),
    ]
}

/// The statistics and kept disagreements as text.
pub fn text_summary(fin: &Finished, out: &mut String) {
    let s = &fin.summary;
    let t = &s.totals;
    out.push('\n');
    totals_lines(s, out);
    match (s.agreement, s.breakdown.all.agreement) {
        (Some(a), Some(r)) => {
            let _ = writeln!(
                out,
                "agreement: {}/{} = {:.1}%; Cohen's kappa {}; 95% interval {:.1}-{:.1}%",
                t.agree,
                t.compared,
                a * 100.0,
                kappa_text(s.kappa),
                r.low * 100.0,
                r.high * 100.0
            );
        }
        _ if t.without_facts > 0 => {
            let _ = writeln!(
                out,
                "agreement: no request could be compared: those with a recorded decision are in cases without clinical facts"
            );
        }
        _ => {
            let _ = writeln!(out, "agreement: no request had a recorded decision to compare with");
        }
    }
    confidence_lines(&s.by_confidence, out);
    if t.compared > 0 {
        let _ = writeln!(out, "\nconfusion (rows: predicted; columns: recorded):");
        let _ = writeln!(out, "  {:32}  {:>8}  {:>10}", "", "upheld", "overturned");
        for (label, up, ov, head) in confusion_rows(&s.confusion) {
            let label = if head { label.to_string() } else { format!("  {label}") };
            let _ = writeln!(out, "  {label:32}  {up:>8}  {ov:>10}");
        }
        let w = s
            .by_category
            .iter()
            .map(|c| c.category.as_deref().unwrap_or("(no class)").len())
            .max()
            .unwrap_or(5)
            .max(5);
        let _ = writeln!(out, "\nagreement by treatment class:");
        let _ = writeln!(
            out,
            "  {:w$}  {:>8}  {:>8}  {:>8}  {:>9}  {:>5}  {:>10}  {:>9}",
            "class", "requests", "compared", "agree", "agreement", "kappa", "unrecorded", "undecided"
        );
        for c in &s.by_category {
            let _ = writeln!(
                out,
                "  {:w$}  {:>8}  {:>8}  {:>8}  {:>9}  {:>5}  {:>10}  {:>9}",
                c.category.as_deref().unwrap_or("(no class)"),
                c.requests,
                c.compared,
                c.agree,
                pct(c.agreement),
                kappa_text(c.kappa),
                c.unrecorded,
                c.undecided
            );
        }
    }
    if t.requests > 0 {
        breakdown_text(&s.breakdown, out);
    }
    let d = &s.deciders;
    if t.disagree > 0 {
        let _ = writeln!(
            out,
            "\ndisagreements by rule (the deciding criterion's rule; most first):"
        );
        for r in d.rules.iter().take(10) {
            let _ = writeln!(out, "  {:>7}  {}  {}", r.disagreements, r.rule, r.title);
        }
        if d.rules.len() > 10 {
            let _ = writeln!(out, "  ... {} more rules", d.rules.len() - 10);
        }
        let _ = writeln!(out, "disagreements by criterion:");
        for c in d.criteria.iter().take(10) {
            let _ = writeln!(
                out,
                "  {:>7}  {}.{} ({})",
                c.disagreements,
                c.rule,
                c.criterion,
                c.status.label()
            );
        }
        if d.criteria.len() > 10 {
            let _ = writeln!(out, "  ... {} more criteria", d.criteria.len() - 10);
        }
        if d.all_criteria_met > 0 {
            let _ = writeln!(out, "  {:>7}  (every criterion met)", d.all_criteria_met);
        }
        if d.fell_with_dependency > 0 {
            let _ = writeln!(
                out,
                "  {:>7}  (fell with the request it depends on)",
                d.fell_with_dependency
            );
        }
    }
    if !s.undecided.is_empty() {
        let list: Vec<String> = s.undecided.iter().map(|c| format!("{} {}", c.count, c.code)).collect();
        let _ = writeln!(out, "\ncould not be decided: {}", list.join(", "));
    }
    if !s.load_errors.is_empty() {
        let list: Vec<String> = s
            .load_errors
            .iter()
            .map(|c| format!("{} {}", c.count, c.code))
            .collect();
        let _ = writeln!(
            out,
            "could not be read: {} (each is reported on standard error)",
            list.join(", ")
        );
    }
    let k = &fin.kept;
    if !k.disagreements.is_empty() {
        out.push_str("\ndisagreements:\n");
        for x in &k.disagreements {
            let place = match x.line {
                Some(l) => format!("{}:{l}", x.file),
                None => x.file.clone(),
            };
            let _ = writeln!(
                out,
                "\ncase {} ({})",
                report::escape_terminal(&x.case),
                report::escape_terminal(&place)
            );
            report::render_request_text(&x.report, out);
        }
    }
    if k.omitted_disagreements > 0 {
        let _ = writeln!(
            out,
            "\n({} of {} disagreements shown; `--max-disagreements N` shows more, `--format jsonl` gives every one with its trace)",
            k.disagreements.len(),
            k.disagreements.len() as u64 + k.omitted_disagreements
        );
    }
}

/// Escape text for a Markdown table cell or paragraph.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            c if c.is_control() => out.push_str(&report::escape_terminal(&c.to_string())),
            c => out.push(c),
        }
    }
    out
}

/// The statistics, errors and kept disagreements as one Markdown document.
pub fn markdown(fin: &Finished, out: &mut String) {
    let s = &fin.summary;
    let t = &s.totals;
    out.push_str("# Audit of recorded determinations\n\n");
    out.push_str("| | count |\n| --- | ---: |\n");
    for (label, n) in [
        ("inputs", t.inputs),
        ("read", t.cases),
        ("could not be read", t.errors),
        ("requests", t.requests),
        ("compared with a recorded decision", t.compared),
        ("agree", t.agree),
        ("disagree", t.disagree),
        ("without a recorded decision", t.unrecorded),
        ("could not be decided", t.undecided),
        ("not compared (no clinical facts)", t.without_facts),
        ("recorded upheld", t.upheld),
        ("recorded overturned", t.overturned),
    ] {
        let _ = writeln!(out, "| {label} | {n} |");
    }
    if let Some(f) = filters_sentence(s) {
        let _ = writeln!(out, "\n**Filters:** {}.", md(&f));
    }
    if let Some(w) = without_facts_sentence(t) {
        let _ = writeln!(out, "\n{}.", md(&w));
    }
    let _ = writeln!(
        out,
        "\n**Agreement:** {} ({} of {} compared; 95% interval {}). **Cohen's kappa:** {}. **Uphold rate:** {} ({} upheld of {} recorded; 95% interval {}).",
        pct(s.agreement),
        t.agree,
        t.compared,
        interval(s.breakdown.all.agreement.as_ref()),
        kappa_text(s.kappa),
        pct(s.breakdown.all.uphold_rate.map(|r| r.rate)),
        t.upheld,
        t.upheld + t.overturned,
        interval(s.breakdown.all.uphold_rate.as_ref()),
    );
    let b = &s.by_confidence;
    if b.provisional.requests > 0 {
        let _ = writeln!(
            out,
            "\n**Settled decisions:** {} of {} decided, agreement {} ({} of {} compared), kappa {}. **Provisional decisions** (resting on a LOW criterion): {} of {} decided, agreement {} ({} of {} compared), kappa {}.",
            b.settled.requests,
            b.settled.requests + b.provisional.requests,
            pct(b.settled.agreement),
            b.settled.agree,
            b.settled.compared,
            kappa_text(b.settled.kappa),
            b.provisional.requests,
            b.settled.requests + b.provisional.requests,
            pct(b.provisional.agreement),
            b.provisional.agree,
            b.provisional.compared,
            kappa_text(b.provisional.kappa)
        );
    }
    if t.compared > 0 {
        out.push_str("\n## Confusion table\n\nRows: predicted; columns: recorded.\n\n");
        out.push_str("| predicted | recorded upheld | recorded overturned |\n| --- | ---: | ---: |\n");
        for (label, up, ov, head) in confusion_rows(&s.confusion) {
            if head {
                let _ = writeln!(out, "| **{label}** | **{up}** | **{ov}** |");
            } else {
                let _ = writeln!(out, "| &nbsp;&nbsp;{label} | {up} | {ov} |");
            }
        }
        out.push_str("\n## Agreement by treatment class\n\n");
        out.push_str(
            "| class | requests | compared | agree | agreement | kappa | unrecorded | undecided |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        );
        for c in &s.by_category {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                md(c.category.as_deref().unwrap_or("(no class)")),
                c.requests,
                c.compared,
                c.agree,
                pct(c.agreement),
                kappa_text(c.kappa),
                c.unrecorded,
                c.undecided
            );
        }
    }
    if t.requests > 0 {
        breakdown_markdown(&s.breakdown, out);
    }
    let d = &s.deciders;
    if t.disagree > 0 {
        out.push_str("\n## What decided the disagreements\n\n");
        out.push_str("| rule | title | disagreements |\n| --- | --- | ---: |\n");
        for r in &d.rules {
            let _ = writeln!(out, "| {} | {} | {} |", md(&r.rule), md(&r.title), r.disagreements);
        }
        out.push_str("\n| criterion | status | disagreements |\n| --- | --- | ---: |\n");
        for c in &d.criteria {
            let _ = writeln!(
                out,
                "| {}.{} | {} | {} |",
                md(&c.rule),
                md(&c.criterion),
                c.status.label(),
                c.disagreements
            );
        }
        if d.all_criteria_met > 0 {
            let _ = writeln!(out, "| (every criterion met) | | {} |", d.all_criteria_met);
        }
        if d.fell_with_dependency > 0 {
            let _ = writeln!(out, "| (fell with its dependency) | | {} |", d.fell_with_dependency);
        }
    }
    if !s.undecided.is_empty() {
        out.push_str("\n## Requests that could not be decided\n\n");
        for c in &s.undecided {
            let _ = writeln!(out, "- {} `{}`", c.count, c.code);
        }
    }
    let k = &fin.kept;
    if t.errors > 0 {
        out.push_str("\n## Inputs that could not be read\n\n");
        for e in &k.errors {
            let place = match (&e.file, e.line, e.column) {
                (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
                (Some(f), _, _) => f.clone(),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "- `{}` {}: {}",
                report::escape_terminal(&place).replace('`', "'"),
                e.code,
                md(&e.message)
            );
        }
        if k.omitted_errors > 0 {
            let _ = writeln!(
                out,
                "\n({} more not listed here; each is reported on standard error.)",
                k.omitted_errors
            );
        }
    }
    if !k.disagreements.is_empty() {
        out.push_str("\n## Disagreements\n");
        for x in &k.disagreements {
            let r = &x.report;
            let place = match x.line {
                Some(l) => format!("{}:{l}", x.file),
                None => x.file.clone(),
            };
            let _ = writeln!(
                out,
                "\n### Case {}, request {}\n\n`{}`: predicted **{}**, recorded **{}**.",
                md(&x.case),
                md(&r.request),
                report::escape_terminal(&place).replace('`', "'"),
                r.predicted.map_or("-", |p| p.name()),
                r.recorded.map_or("-", |p| p.name()),
            );
            let mut trace = String::new();
            report::render_request_text(r, &mut trace);
            let _ = write!(out, "\n```text\n{}```\n", trace.replace("```", "'''"));
        }
    }
    if k.omitted_disagreements > 0 {
        let _ = writeln!(
            out,
            "\n({} of {} disagreements shown; `--max-disagreements N` shows more, `--format jsonl` gives every one with its trace.)",
            k.disagreements.len(),
            k.disagreements.len() as u64 + k.omitted_disagreements
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CSV and JSON Lines keep traces only when asked (for `--html`);
    /// what they write is the same either way, and text always keeps them.
    #[test]
    fn traces_are_kept_only_where_shown_or_asked_for() {
        let rs = RuleSet::embedded(&mut crate::diag::SourceMap::new()).expect("rules");
        let g = crate::generate::Generator::new(&rs, 7).expect("generator");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cases.jsonl");
        let mut text = Vec::new();
        g.write_jsonl(300, &mut text, "cases.jsonl").expect("generate");
        std::fs::write(&path, &text).expect("write");
        let run = |format, keep_traces| {
            let opts = AuditOptions {
                format,
                keep_traces,
                ..AuditOptions::default()
            };
            let mut out = Vec::new();
            let fin = audit(
                &rs,
                vec![Input::JsonLines(path.clone())],
                &opts,
                &mut out,
                &mut io::sink(),
                &mut |_| {},
            )
            .expect("audit");
            (out, fin.kept.disagreements.len(), fin.summary.totals.disagree)
        };
        for format in [Format::Csv, Format::Jsonl] {
            let (with, kept, disagree) = run(format, true);
            assert!(disagree > 0 && kept == disagree.min(1000), "{format:?}");
            let (without, kept, _) = run(format, false);
            assert_eq!(kept, 0, "{format:?}");
            assert_eq!(with, without, "{format:?}");
        }
        let (_, kept, disagree) = run(Format::Text, false);
        assert_eq!(kept, disagree.min(1000));
    }

    /// Generated cases, some with ids, request text and a file name full
    /// of what JSON must escape (quotes, backslashes, control characters,
    /// non-ASCII), some that do not load, some that cannot be decided.
    fn awkward_corpus(rs: &RuleSet, seed: u64, count: u64) -> String {
        let mut g = crate::generate::Generator::new(rs, seed).expect("generator");
        g.options.any_date = 0.1;
        g.options.extremes = 0.05;
        let mut text = Vec::new();
        g.write_jsonl(count, &mut text, "cases.jsonl").expect("generate");
        let text = String::from_utf8(text).expect("utf-8");
        let mut out = String::new();
        for (k, line) in text.lines().enumerate() {
            // The loader refuses control characters other than tabs and
            // line breaks in a case: the others come in the file name.
            let line = match k % 7 {
                1 => line.replacen("\"case\":\"", "\"case\":\"g\\u00e9\\\"q\\\\ \u{6f22}\\t", 1),
                2 => line
                    .replace("\"r1\"", "\"r\\t1 \u{fc}\\n\\r/\"")
                    .replace("\"r2\"", "\"r2\\\"\u{1f642}\""),
                3 => line.replacen("\"text\":\"", "\"text\":\"\u{df}\\\"\\\\\\t", 1),
                _ => line.to_string(),
            };
            if k % 53 == 5 {
                // Cut short: a line that does not parse.
                let mut cut = line.len() / 2;
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                out.push_str(&line[..cut]);
            } else {
                out.push_str(&line);
            }
            out.push('\n');
        }
        out
    }

    /// The hand-written JSON writer (`jsonw`) writes exactly what serde
    /// wrote: every format, with and without kept traces, on awkward
    /// generated cases.
    #[test]
    fn json_writer_matches_serde() {
        let rs = RuleSet::embedded(&mut crate::diag::SourceMap::new()).expect("rules");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut shown = [0usize; 4];
        for (seed, count, name) in [
            (1, 1500, "cases.jsonl"),
            (2, 1500, "odd \"name\" \\ \u{e9}\t\u{1}\u{7f}.jsonl"),
            (3, 1200, "cases3.jsonl"),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, awkward_corpus(&rs, seed, count)).expect("write");
            for format in [Format::Json, Format::Jsonl, Format::Text, Format::Csv] {
                for keep_traces in [false, true] {
                    let opts = AuditOptions {
                        format,
                        keep_traces,
                        // None kept (an empty list), or some and the rest omitted.
                        max_disagreements: if keep_traces { 300 } else { 0 },
                        // The formulary's columns too (`--drug-list`).
                        lists: keep_traces
                            .then(|| Arc::new(crate::formulary::DrugLists::embedded().expect("shipped list"))),
                        ..AuditOptions::default()
                    };
                    let run = |oracle| {
                        let (mut out, mut side) = (Vec::new(), Vec::new());
                        let fin = audit_with(
                            &rs,
                            vec![Input::JsonLines(path.clone())],
                            &opts,
                            &mut out,
                            &mut side,
                            &mut |_| {},
                            oracle,
                        )
                        .expect("audit");
                        (out, side, fin.summary.totals)
                    };
                    let (out, side, totals) = run(false);
                    let (want_out, want_side, _) = run(true);
                    assert!(out == want_out, "{format:?} {seed}: output differs");
                    assert!(side == want_side, "{format:?} {seed}: side channel differs");
                    shown[0] += totals.errors;
                    shown[1] += totals.undecided;
                    shown[2] += totals.disagree;
                    if format == Format::Jsonl {
                        let text = String::from_utf8(out).expect("utf-8");
                        shown[3] += text.matches("\\u0001").count() * text.matches("\\t1 \u{fc}\\n").count();
                    }
                }
            }
        }
        // The corpus has what it is meant to test.
        assert!(shown.iter().all(|&n| n > 0), "{shown:?}");
    }

    #[test]
    fn csv_formulas_are_neutralised() {
        let mut out = String::new();
        let cells = ["=1+1", "+x", "-2", "@SUM(A1)", "\tx", "ok", "a,=b", "-"].map(String::from);
        super::csv_line(&cells, &mut out);
        assert_eq!(out, "'=1+1,'+x,'-2,'@SUM(A1),'\tx,ok,\"a,=b\",-\n");
    }
}
