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
use mtus::ingest::{case_file, read_items, rows};
use mtus_letters::{Letter, LetterError};

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
    /// Show which line of each letter gave which value.
    #[arg(long)]
    pub explain: bool,
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
        if args.explain {
            let _ = writeln!(out, "== {file}\n{}", mtus_letters::explain(&letter));
        }
        match args.format {
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
            let c = case_file(rules, &file, &letter, &read_items);
            let target = dir.join(format!("{}.yaml", safe_name(&c.name)));
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
