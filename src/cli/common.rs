//! What every command shares: loading rules and cases, printing
//! diagnostics, writing output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use mtus::diag::{Diagnostic, SourceFile, SourceMap, Span};
use mtus::inputs::{self, InputError, Limits};
use mtus::report::diagnostics;
use mtus::value::Date;
use mtus::{RuleErrors, RuleOriginKind, RuleSet, facts};

pub struct Ctx {
    pub sources: SourceMap,
    /// Colour in diagnostics (standard error).
    pub color: bool,
    /// Colour in `check` text (standard output).
    pub color_out: bool,
    /// How large one input file or JSON line may be.
    pub limits: Limits,
}

impl Ctx {
    pub fn print_diagnostics(&self, diags: &[Diagnostic]) {
        let mut err = std::io::stderr().lock();
        for d in diags {
            let text = diagnostics::render(&self.sources, d, self.color);
            // Excerpts and messages quote the input: no escape sequence
            // of a hostile file reaches the terminal.
            let _ = err.write_all(mtus::report::escape_terminal_text(&text, self.color).as_bytes());
        }
    }
}

pub enum LoadRulesError {
    Rules(RuleErrors),
    Io(anyhow::Error),
}

/// Which rule files a command uses, decided before any is read.
#[derive(Clone, Debug)]
pub struct RulesLocation {
    pub kind: RuleOriginKind,
    /// The folder of rule files; `None` for the built-in set.
    pub dir: Option<PathBuf>,
}

/// The file that marks a folder as a rule set: a `rules/` folder holding
/// it is found from the current folder or any folder above it.
pub const RULES_MARKER: &str = "sources.mtus";

/// Decide where the rules come from: `--builtin-rules` forces the set
/// built into mtus; `--rules DIR` names a folder; else the nearest
/// `rules/` folder holding `sources.mtus`, walking up from the current
/// folder (or the current folder itself when it holds `sources.mtus`);
/// else the built-in set.
pub fn locate_rules(explicit: Option<&Path>, builtin: bool) -> RulesLocation {
    if builtin {
        return RulesLocation {
            kind: RuleOriginKind::BuiltIn,
            dir: None,
        };
    }
    if let Some(dir) = explicit {
        return RulesLocation {
            kind: RuleOriginKind::Folder,
            dir: Some(dir.to_path_buf()),
        };
    }
    if let Some(dir) = find_rules_dir() {
        return RulesLocation {
            kind: RuleOriginKind::Found,
            dir: Some(dir),
        };
    }
    RulesLocation {
        kind: RuleOriginKind::BuiltIn,
        dir: None,
    }
}

/// The nearest rule folder from the current folder up, as a path relative
/// to it (`rules`, `../rules`, `.` when the current folder is one).
fn find_rules_dir() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    if cwd.join(RULES_MARKER).is_file() {
        return Some(PathBuf::from("."));
    }
    let mut up = PathBuf::new();
    for dir in cwd.ancestors() {
        if dir.join("rules").join(RULES_MARKER).is_file() {
            return Some(up.join("rules"));
        }
        up.push("..");
    }
    None
}

pub fn load_rules(sources: &mut SourceMap, loc: &RulesLocation, limits: &Limits) -> Result<RuleSet, LoadRulesError> {
    let Some(dir) = loc.dir.as_deref() else {
        return RuleSet::embedded(sources).map_err(LoadRulesError::Rules);
    };
    let read = || -> Result<Vec<(String, String)>> {
        let mut files = Vec::new();
        for found in super::files::expand(&[dir.to_path_buf()], &["mtus"]) {
            let p = found.map_err(|e| anyhow::anyhow!("{e}"))?;
            if p.as_os_str() == "-" {
                anyhow::bail!("--rules takes a folder, not `-`");
            }
            let text = super::files::read_rule_text(&p, limits.max_file_bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
            files.push((p.display().to_string(), text));
        }
        Ok(files)
    };
    let files = read().map_err(LoadRulesError::Io)?;
    RuleSet::from_texts(sources, files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map(|rs| rs.with_origin(loc.kind, Some(dir.display().to_string())))
        .map_err(LoadRulesError::Rules)
}

/// Read and load one case file (`*.json` as JSON, anything else as YAML;
/// `-` is standard input, as YAML), at most `limits.max_file_bytes`; on
/// failure, a diagnostic with its place.
pub fn read_case(
    sources: &mut SourceMap,
    rules: &RuleSet,
    path: &Path,
    limits: &Limits,
) -> Result<facts::Case, Vec<Diagnostic>> {
    read_case_source(sources, rules, path, limits).map(|(case, _)| case)
}

/// [`read_case`], with the text the case was read from (to point into
/// it later, for a request that cannot be decided, say).
pub fn read_case_source(
    sources: &mut SourceMap,
    rules: &RuleSet,
    path: &Path,
    limits: &Limits,
) -> Result<(facts::Case, SourceFile), Vec<Diagnostic>> {
    let name = path.display().to_string();
    let bytes = if path.as_os_str() == "-" {
        match inputs::read_stream_capped(std::io::stdin().lock(), limits.max_file_bytes) {
            Ok(b) => b,
            Err(inputs::CappedError::Io(e)) => return Err(vec![super::files::diagnostic(&InputError::io(path, &e))]),
            Err(inputs::CappedError::TooLarge) => {
                return Err(vec![super::files::diagnostic(&InputError::too_large(
                    path,
                    limits.max_file_bytes,
                ))]);
            }
        }
    } else {
        inputs::read_capped(path, limits.max_file_bytes).map_err(|e| vec![super::files::diagnostic(&e)])?
    };
    let json = path
        .extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| x.eq_ignore_ascii_case("json"));
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let id = sources.add(name, lossy);
            let end = (valid + 1..)
                .find(|&i| sources.get(id).text.is_char_boundary(i))
                .unwrap_or(valid);
            let d = Diagnostic::error("not-text", Span::new(id, valid, end), "the file is not UTF-8 text")
                .with_help("case files are YAML text; is this a binary file?");
            return Err(vec![d]);
        }
    };
    let loader = facts::Loader::with_limits(&rules.program, limits.for_loader());
    let loaded = if json {
        loader.load_json(&name, &text)
    } else {
        loader.load_yaml(&name, &text)
    };
    match loaded {
        Ok(case) => Ok((case, SourceFile::new(name, text))),
        Err(e) => Err(e.add_to(sources)),
    }
}

pub fn flush(out: &mut String) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => {}
        // A closed pipe (`mtus audit ... | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("cannot write the output"),
    }
    out.clear();
    Ok(())
}

pub fn exit(ok: bool) -> ExitCode {
    if ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// The `cases/` folder beside a rule folder (`rules` -> `cases`,
/// `../rules` -> `../cases`), if there is one; else `cases`.
pub fn default_cases(rules_dir: Option<&str>) -> PathBuf {
    let beside = rules_dir.map(Path::new).and_then(|d| {
        let parent = if d == Path::new(".") {
            Path::new("..")
        } else {
            d.parent()?
        };
        Some(parent.join("cases"))
    });
    beside.filter(|c| c.is_dir()).unwrap_or_else(|| PathBuf::from("cases"))
}

/// Create an output file: never over a file that is there (even one that
/// appears between a check and the write) unless `force`. The error names
/// the file, escaped for the terminal.
pub fn create_output(path: &Path, force: bool) -> Result<std::fs::File> {
    let shown = mtus::report::escape_terminal(&path.display().to_string()).into_owned();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    match opts.open(path) {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::bail!("{shown} already exists; give --force to write over it")
        }
        Err(e) => Err(e).with_context(|| format!("cannot create {shown}")),
    }
}

/// Today (UTC) as a date.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date((secs / 86_400) as i32)
}

/// The date a `--date` option gives, or today without one: the one place
/// a command-line date is read.
pub fn date_or_today(written: Option<&str>) -> anyhow::Result<Date> {
    match written {
        Some(d) => Date::parse(d).ok_or_else(|| {
            anyhow::anyhow!(
                "--date takes a date written YYYY-MM-DD, not `{}`",
                mtus::report::escape_terminal(d)
            )
        }),
        None => Ok(today()),
    }
}
