//! `mtus ingest`: read IMR final determination letters (PDF with a text
//! layer, or text extracted elsewhere) and write what they state: one row
//! per disputed item for analysts (`--format jsonl|csv`), a case file per
//! letter for a person to complete (`-o DIR`), or which line gave which
//! value (`--explain`). The reading is `mtus-letters`; the items' lines
//! are read by `mtus::request`; the case files are written by
//! `mtus::ingest`. Letters are read on all cores and written in the order
//! of the files, so the output is the same whatever the thread count.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::common::{Ctx, create_output, flush};
use super::files;
use mtus::RuleSet;
use mtus::ingest::{LetterProposals, ProposalMode, case_file_with, proposals, read_items, rows};
use mtus_letters::{Letter, LetterError};
use mtus_summary::compare::{Counts, compare_one, hand_facts};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IngestFormat {
    /// A line per item: file, case number, item, decision, treatment.
    Text,
    /// One JSON object per item (docs/letters.md).
    Jsonl,
    /// One CSV row per item, the columns of the JSON (docs/letters.md).
    Csv,
}

#[derive(clap::Args)]
pub struct IngestArgs {
    /// Letters: PDF files (*.pdf), text files (*.txt) or folders of them
    /// (searched recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format of the items.
    #[arg(long, value_enum, default_value_t = IngestFormat::Text)]
    pub format: IngestFormat,
    /// Write a case file per letter into this folder (CASE-NUMBER.yaml),
    /// for a person to complete with the clinical facts.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write over case files that exist in --out.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// Show which line of each letter gave which value (with --facts,
    /// each proposal with its sentence and why it was kept or not).
    #[arg(long)]
    pub explain: bool,
    /// Propose the facts the rules read from each letter's clinical case
    /// summary (docs/facts-from-summaries.md): listed (text, or one JSON
    /// object per proposal with --format jsonl) and, with -o, written into
    /// the case files with a comment naming each one's line.
    #[arg(long)]
    pub facts: bool,
    /// With --facts and -o: write the proposals as comments a person turns
    /// into facts, not as facts.
    #[arg(long, requires = "facts")]
    pub proposals_only: bool,
    /// With --facts: measure the proposals against the case files a person
    /// wrote in this folder (CASE-NUMBER.yaml): precision and recall per
    /// fact path and overall.
    #[arg(long, value_name = "DIR", requires = "facts")]
    pub compare: Option<PathBuf>,
}

/// A letter as read, or why it could not be.
enum Read {
    Letter(Box<Letter>),
    Failed(String),
}

fn read_one(path: &Path, cap: u64) -> Read {
    let pdf = path
        .extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| x.eq_ignore_ascii_case("pdf"));
    let bytes = match mtus::inputs::read_capped(path, cap) {
        Ok(b) => b,
        Err(e) => return Read::Failed(e.message),
    };
    let letter: Result<Letter, LetterError> = if pdf {
        mtus_letters::read_pdf(&bytes)
    } else {
        match String::from_utf8(bytes) {
            Ok(t) => mtus_letters::read_text(&t),
            Err(_) => return Read::Failed("the text is not UTF-8".into()),
        }
    };
    match letter {
        Ok(l) => Read::Letter(Box::new(l)),
        Err(e) => Read::Failed(e.to_string()),
    }
}

pub fn run(ctx: &mut Ctx, rules: &RuleSet, args: &IngestArgs) -> Result<ExitCode> {
    let mut failed = 0usize;
    let mut paths = Vec::new();
    for f in files::expand(&args.paths, &["pdf", "txt"]) {
        match f {
            Ok(p) if p.as_os_str() == "-" => {
                say!("error: ingest reads letters from files, not standard input");
                failed += 1;
            }
            Ok(p) => paths.push(p),
            Err(e) => {
                ctx.print_diagnostics(&[files::diagnostic(&e)]);
                failed += 1;
            }
        }
    }
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    if args.facts && args.format == IngestFormat::Csv {
        anyhow::bail!("--facts lists proposals as text or JSON Lines, not CSV (use --format jsonl)");
    }
    let engine = if args.facts {
        Some(mtus_summary::Engine::builtin().context("the shipped summary patterns do not read")?)
    } else {
        None
    };
    let mut measure = Measure::default();
    let cap = ctx.limits.max_file_bytes;
    let read: Vec<Read> = paths.par_iter().map(|p| read_one(p, cap)).collect();
    let mut out = String::new();
    let mut all_rows = Vec::new();
    let (mut letters, mut items, mut problems) = (0usize, 0usize, 0usize);
    for (path, r) in paths.iter().zip(read) {
        let file = path.display().to_string();
        let shown = mtus::report::escape_terminal(&file).into_owned();
        let letter = match r {
            Read::Letter(l) => l,
            Read::Failed(why) => {
                say!("error: {shown}: {}", mtus::report::escape_terminal(&why));
                failed += 1;
                continue;
            }
        };
        letters += 1;
        items += letter.items.len();
        for p in &letter.problems {
            problems += 1;
            say!("warning: {shown}: {}", mtus::report::escape_terminal(&p.to_string()));
        }
        let read_items = read_items(rules, &letter);
        let props = engine.as_ref().map(|e| proposals(e, rules, &letter, &read_items));
        if args.explain {
            let _ = writeln!(out, "== {file}\n{}", mtus_letters::explain(&letter));
            if let (Some(p), Some(e)) = (&props, &engine) {
                explain_proposals(&mut out, e, &letter, p);
            }
        }
        let case = letter
            .case_number
            .as_ref()
            .map_or("-", |c| c.value.as_str())
            .to_string();
        if let (Some(dir), Some(p), Some(e)) = (&args.compare, &props, &engine) {
            measure.letter(dir, &case, p, e)?;
        }
        if let Some(p) = &props {
            if !args.explain {
                list_proposals(&mut out, args.format, &file, &case, p);
            }
        }
        match args.format {
            _ if props.is_some() => {}
            IngestFormat::Text if !args.explain => {
                for i in &read_items {
                    let case = letter.case_number.as_ref().map_or("-", |c| c.value.as_str());
                    let _ = writeln!(
                        out,
                        "{file}  {case}  item {}  {}  {}  {}",
                        i.item.number,
                        i.item.decision.value.as_str(),
                        i.treatment.as_deref().unwrap_or("?"),
                        i.item.text.value
                    );
                }
            }
            IngestFormat::Text => {}
            IngestFormat::Jsonl | IngestFormat::Csv => all_rows.extend(rows(&letter, &file, &read_items)),
        }
        if let Some(dir) = &args.out {
            let mode = if args.proposals_only {
                ProposalMode::Comments
            } else {
                ProposalMode::Facts
            };
            let c = case_file_with(rules, &file, &letter, &read_items, props.as_ref().map(|p| (p, mode)));
            let target = dir.join(format!("{}.yaml", safe_name(&c.name)));
            if let (Some(p), true, false) = (&props, target.exists(), args.force) {
                // A person's file: the proposals it lacks are added as
                // comments; nothing it says is changed.
                let old =
                    std::fs::read_to_string(&target).with_context(|| format!("cannot read {}", target.display()))?;
                let (new, added) = mtus::ingest::append_proposals(&old, p)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", target.display()))?;
                std::fs::write(&target, new).with_context(|| format!("cannot write {}", target.display()))?;
                say!(
                    "note: {}: the file exists: {added} proposal{} it lacks added as comments, nothing it says changed",
                    mtus::report::escape_terminal(&target.display().to_string()),
                    if added == 1 { "" } else { "s" }
                );
                flush(&mut out)?;
                continue;
            }
            let mut f = create_output(&target, args.force)?;
            f.write_all(c.text.as_bytes())
                .with_context(|| format!("cannot write {}", target.display()))?;
            for n in &c.notes {
                say!(
                    "note: {}: {}",
                    mtus::report::escape_terminal(&target.display().to_string()),
                    n
                );
            }
        }
        flush(&mut out)?;
    }
    match args.format {
        IngestFormat::Jsonl => {
            let mut buf = Vec::new();
            mtus_letters::write_jsonl(&mut buf, &all_rows).context("writing JSON Lines")?;
            out.push_str(&String::from_utf8_lossy(&buf));
        }
        IngestFormat::Csv => {
            let mut buf = Vec::new();
            mtus_letters::write_csv(&mut buf, &all_rows).context("writing CSV")?;
            out.push_str(&String::from_utf8_lossy(&buf));
        }
        IngestFormat::Text => {}
    }
    if args.compare.is_some() {
        measure.table(&mut out);
    }
    flush(&mut out)?;
    say!(
        "{letters} letter{} read, {items} item{}, {problems} value{} not read, {failed} file{} not read",
        if letters == 1 { "" } else { "s" },
        if items == 1 { "" } else { "s" },
        if problems == 1 { "" } else { "s" },
        if failed == 1 { "" } else { "s" },
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A case number as a file name: letters, digits, `-` and `_` only.
fn safe_name(s: &str) -> String {
    let n: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if n.is_empty() { "letter".into() } else { n }
}

/// Lists a letter's proposals: the facts to write (text), or every
/// proposal, established or not, one JSON object each (jsonl).
fn list_proposals(out: &mut String, format: IngestFormat, file: &str, case: &str, p: &LetterProposals) {
    match format {
        IngestFormat::Jsonl => {
            for (k, x) in p.all.iter().enumerate() {
                let row = serde_json::json!({
                    "letter": file,
                    "case_number": case,
                    "item": p.item.get(k).copied().flatten(),
                    "path": x.path,
                    "value": x.value,
                    "polarity": x.polarity.as_str(),
                    "established": x.established,
                    "written": p.facts.contains(&k),
                    "read_by_rules": !p.unread.contains(&k) && x.established,
                    "page": x.place.page,
                    "line": x.place.line,
                    "words": x.words,
                    "trigger": x.trigger,
                    "sentence": x.sentence,
                    "sentence_start": x.sentence_start,
                    "sentence_end": x.sentence_end,
                    "pattern": x.pattern,
                });
                let _ = writeln!(out, "{row}");
            }
        }
        _ => {
            for &k in &p.facts {
                let Some(x) = p.all.get(k) else { continue };
                let v = x.value.as_ref().map(mtus_summary::yaml_value).unwrap_or_default();
                let trigger = x
                    .trigger
                    .as_ref()
                    .map(|t| format!(" ({} \"{t}\")", x.polarity.as_str()))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{file}  {case}  p{} l{}  {}: {v}  \"{}\"{trigger}",
                    x.place.page, x.place.line, x.path, x.words
                );
            }
        }
    }
}

/// Each proposal of a letter with its sentence (printed, never stored)
/// and what became of it.
fn explain_proposals(out: &mut String, engine: &mtus_summary::Engine, letter: &Letter, p: &LetterProposals) {
    let sentences = mtus_summary::sentences(&letter.summary);
    let _ = writeln!(out, "-- proposals from the clinical case summary");
    for (k, x) in p.all.iter().enumerate() {
        let fate = if p.unread.contains(&k) {
            "written (the rules for these items do not read it)"
        } else if p.facts.contains(&k) {
            "written"
        } else if !x.established {
            "not established"
        } else {
            "another sentence states it"
        };
        let v = x
            .value
            .as_ref()
            .map(mtus_summary::yaml_value)
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            out,
            "p{}:{}  {} = {v}  [{}{}]  {fate}; pattern {}",
            x.place.page,
            x.place.line,
            x.path,
            x.polarity.as_str(),
            x.trigger.as_ref().map(|t| format!(" \"{t}\"")).unwrap_or_default(),
            x.pattern
        );
        if let Some(s) = sentences.get(x.sentence) {
            let _ = writeln!(out, "    \"{}\"", mtus::report::escape_terminal(&s.text));
        }
    }
    let _ = engine;
}

/// Proposals against the case files a person wrote.
#[derive(Default)]
struct Measure {
    per_path: std::collections::BTreeMap<String, Counts>,
    unread: Counts,
    letters: usize,
    without_file: Vec<String>,
    /// The person's clinical facts no pattern proposes (path: count).
    uncovered: usize,
    encoded: usize,
}

impl Measure {
    fn letter(&mut self, dir: &Path, case: &str, p: &LetterProposals, e: &mtus_summary::Engine) -> Result<()> {
        let path = dir.join(format!("{}.yaml", safe_name(case)));
        let Ok(text) = std::fs::read_to_string(&path) else {
            self.without_file.push(case.to_string());
            return Ok(());
        };
        let hand = mtus_summary::yaml::parse(&text).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
        let hand = hand_facts(&hand);
        self.letters += 1;
        let covered = |path: &str| e.patterns.iter().any(|x| x.path == path);
        self.encoded += hand.len();
        self.uncovered += hand.keys().filter(|k| !covered(k)).count();
        for (k, c) in compare_one(p.fact_proposals(), &hand, covered) {
            self.per_path.entry(k).or_default().add(c);
        }
        for c in compare_one(p.unread.iter().filter_map(|&i| p.all.get(i)), &hand, |_| false).into_values() {
            self.unread.add(c);
        }
        Ok(())
    }

    fn table(&self, out: &mut String) {
        let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
        let _ = writeln!(
            out,
            "{:<44} {:>8} {:>6} {:>6} {:>9} {:>6} {:>9} {:>7}",
            "fact path", "proposed", "agree", "differ", "unencoded", "missed", "precision", "recall"
        );
        let mut total = Counts::default();
        let mut rows: Vec<(&String, &Counts)> = self.per_path.iter().collect();
        rows.sort_by(|a, b| b.1.encoded().cmp(&a.1.encoded()).then(a.0.cmp(b.0)));
        for (k, c) in rows {
            total.add(*c);
            let _ = writeln!(
                out,
                "{:<44} {:>8} {:>6} {:>6} {:>9} {:>6} {:>9} {:>7}",
                k,
                c.proposed(),
                c.agree,
                c.differ,
                c.unencoded,
                c.missed,
                pct(c.precision()),
                pct(c.recall())
            );
        }
        let _ = writeln!(
            out,
            "{:<44} {:>8} {:>6} {:>6} {:>9} {:>6} {:>9} {:>7}",
            "overall (paths the patterns propose)",
            total.proposed(),
            total.agree,
            total.differ,
            total.unencoded,
            total.missed,
            pct(total.precision()),
            pct(total.recall())
        );
        let all = if self.encoded > 0 {
            format!("{:.1}%", total.agree as f64 * 100.0 / self.encoded as f64)
        } else {
            "-".into()
        };
        let _ = writeln!(
            out,
            "{} letters compared; the person's clinical facts: {}, {} on paths no pattern proposes; recall over all of them: {all}",
            self.letters, self.encoded, self.uncovered
        );
        let _ = writeln!(
            out,
            "of these, not read by the rules for the letter's items: {} (agree {}, differ {}, not encoded {})",
            self.unread.proposed(),
            self.unread.agree,
            self.unread.differ,
            self.unread.unencoded
        );
        if !self.without_file.is_empty() {
            let _ = writeln!(
                out,
                "letters without a case file to compare: {}",
                self.without_file.join(", ")
            );
        }
    }
}
