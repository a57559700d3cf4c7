//! `mtus doc`: the rule library as a linked book (HTML and Markdown).

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;

use super::common::{Ctx, flush, read_case};
use super::files;
use mtus::RuleSet;
use mtus::doc::{self, CaseInput};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BookFormat {
    Html,
    Markdown,
    Both,
}

#[derive(clap::Args)]
pub struct DocArgs {
    /// The folder to write the book into (created if missing). A folder
    /// that holds other files is refused without --force.
    #[arg(long, value_name = "DIR", default_value = "out/book")]
    pub out: PathBuf,
    /// Which pages to write: html, markdown, or both (side by side).
    #[arg(long, value_enum, default_value_t = BookFormat::Both)]
    pub format: BookFormat,
    /// The date of the "in force" page (YYYY-MM-DD). Default: today.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Case files or folders whose recorded `because:` prove criteria.
    /// Default: the cases/ folder beside the rules.
    #[arg(long, value_name = "PATH")]
    pub cases: Vec<PathBuf>,
    /// Write into a folder that holds files `mtus doc` did not write.
    #[arg(long)]
    pub force: bool,
}

/// An absolute path with `.` and `..` worked out by name (the folders
/// need not exist).
fn absolute(p: &Path) -> PathBuf {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// The path of `to` relative to the folder `from`, for a link.
fn relative(from: &Path, to: &Path) -> String {
    let (from, to) = (absolute(from), absolute(to));
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return to.display().to_string();
    }
    let mut parts: Vec<String> = Vec::new();
    for _ in common..a.len() {
        parts.push("..".into());
    }
    for c in &b[common..] {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    parts.join("/")
}

pub fn run(ctx: &mut Ctx, rules: &RuleSet, args: &DocArgs) -> Result<ExitCode> {
    let date = super::common::date_or_today(args.date.as_deref())?;
    let default = [super::common::default_cases(rules.origin.path.as_deref())];
    let paths = if args.cases.is_empty() {
        // Without cases beside the rules, the book is written without
        // proofs (the built-in rules used outside the repository).
        if default[0].is_dir() { &default[..] } else { &[][..] }
    } else {
        &args.cases[..]
    };
    let mut loaded = Vec::new();
    let mut bad = 0usize;
    if !paths.is_empty() {
        for input in files::expand(paths, super::check::CASE_FILES) {
            let path = match input {
                Ok(p) => p,
                Err(e) => {
                    ctx.print_diagnostics(&[files::diagnostic(&e)]);
                    bad += 1;
                    continue;
                }
            };
            if path.as_os_str() == "-" {
                anyhow::bail!("--cases takes files or folders, not `-`");
            }
            match read_case(&mut ctx.sources, rules, &path, &ctx.limits) {
                Ok(c) => loaded.push((path, c)),
                Err(ds) => {
                    ctx.print_diagnostics(&ds);
                    bad += 1;
                }
            }
        }
    }
    let inputs: Vec<CaseInput<'_>> = loaded
        .iter()
        .map(|(path, case)| CaseInput {
            shown: path.display().to_string(),
            href: relative(&args.out, path),
            case,
        })
        .collect();
    let book = doc::build(rules, &ctx.sources, &inputs, date);
    let mut pages = Vec::new();
    if args.format != BookFormat::Markdown {
        pages.extend(doc::render(&book, doc::Format::Html));
    }
    if args.format != BookFormat::Html {
        pages.extend(doc::render(&book, doc::Format::Markdown));
    }
    let shown = mtus::report::escape_terminal(&args.out.display().to_string()).into_owned();
    doc::write_book(&args.out, &pages, args.force)
        .map_err(|e| anyhow::anyhow!("{}", mtus::report::escape_terminal(&e.to_string())))?;
    let first = pages.first().map_or("index.html", |(n, _)| n.as_str());
    let mut out = format!(
        "rules: {}\nbook: {} pages in {shown} (open {shown}/{first}); in force on {date}\n",
        rules.origin.describe(),
        pages.len()
    );
    flush(&mut out)?;
    if bad > 0 {
        say!("error: {bad} case file(s) could not be read; the book was written without the reasons they record");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
