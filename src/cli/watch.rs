//! `--watch` for `check` and `test`: run, then run again whenever a rule
//! file or a case file given (or inside a folder given) changes.
//!
//! Each run starts from nothing: the rule files are read and checked
//! again (rules that do not check are reported, and the run waits for the
//! next change), then the command runs as it would alone. Changes are
//! debounced (an editor's save, or `git checkout`, is one run), and each
//! run is announced on standard error, so standard output stays the
//! command's own (a stream of JSON documents with `--format json`).
//!
//! Invariants: never exits on bad input (only on a failure to watch);
//! a run sees every change made before it started; paths other than rule
//! files, drug lists and case files in what is watched are ignored.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result};
use notify::event::{EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

use super::common::{Ctx, LoadRulesError, RulesLocation, load_rules};
use mtus::RuleSet;
use mtus::diag::SourceMap;

/// How long the files must be quiet before a run starts.
const QUIET: Duration = Duration::from_millis(300);

/// One thing watched: a folder (every file below it with one of the
/// extensions) or a file.
struct Target {
    path: PathBuf,
    folder: bool,
    extensions: &'static [&'static str],
}

impl Target {
    fn new(path: &Path, extensions: &'static [&'static str]) -> Target {
        // Absolute, so the watcher's paths compare with it; a path that
        // cannot be resolved now is kept as given (it may appear later).
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Target {
            folder: abs.is_dir(),
            path: abs,
            extensions,
        }
    }

    /// Whether a change at `p` concerns this target.
    fn concerns(&self, p: &Path) -> bool {
        let p = resolve(p);
        if self.folder {
            p.starts_with(&self.path)
                && p.extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| self.extensions.iter().any(|e| x.eq_ignore_ascii_case(e)))
        } else {
            p == self.path
        }
    }

    /// What to hand the watcher: a folder, recursively; a file's folder
    /// (editors replace a file by renaming a new one over it, which a
    /// watch on the file itself would miss).
    fn watch_path(&self) -> (PathBuf, RecursiveMode) {
        if self.folder {
            (self.path.clone(), RecursiveMode::Recursive)
        } else {
            let parent = self
                .path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (parent.to_path_buf(), RecursiveMode::NonRecursive)
        }
    }
}

/// A path as the watcher reports it, with its folder resolved (the file
/// itself may be gone).
fn resolve(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    match (p.parent().and_then(|d| std::fs::canonicalize(d).ok()), p.file_name()) {
        (Some(d), Some(n)) => d.join(n),
        _ => p.to_path_buf(),
    }
}

/// Run `once` with freshly loaded rules, then again after every change to
/// the rule files of `location` or to `inputs` (case files and folders of
/// them, with `extensions`). Returns only if watching fails.
pub fn run(
    ctx: &mut Ctx,
    location: &RulesLocation,
    inputs: &[PathBuf],
    extensions: &'static [&'static str],
    mut once: impl FnMut(&mut Ctx, &RuleSet) -> Result<ExitCode>,
) -> Result<ExitCode> {
    if inputs.iter().any(|p| p.as_os_str() == "-") {
        anyhow::bail!("--watch cannot watch standard input (`-`): name case files or folders");
    }
    let mut targets: Vec<Target> = Vec::new();
    if let Some(dir) = &location.dir {
        targets.push(Target::new(dir, &["mtus", "csv"]));
    }
    for p in inputs {
        targets.push(Target::new(p, extensions));
    }
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx).context("cannot start watching files")?;
    for t in &targets {
        let (path, mode) = t.watch_path();
        watcher
            .watch(&path, mode)
            .with_context(|| format!("cannot watch {}", path.display()))?;
    }
    let watched: Vec<String> = std::iter::once(
        location
            .dir
            .as_ref()
            .map_or("the built-in rules (not watched)".to_string(), |d| {
                d.display().to_string()
            }),
    )
    .chain(inputs.iter().map(|p| p.display().to_string()))
    .collect();
    let mut run = 1;
    let mut changed: Vec<PathBuf> = Vec::new();
    loop {
        let why = match changed.as_slice() {
            [] => String::new(),
            [one] => format!(" after a change to {}", shown(one)),
            [first, rest @ ..] => format!(" after changes to {} and {} more", shown(first), rest.len()),
        };
        say!("[watch] run {run}{why}");
        once_with_rules(ctx, location, &mut once)?;
        say!(
            "[watch] run {run} done; watching {} for changes (Ctrl-C to stop)",
            watched.join(", ")
        );
        // Wait for a change that concerns us; then until the files are
        // quiet for a moment (several saves, or a checkout, make one run).
        changed.clear();
        while changed.is_empty() {
            let event = rx.recv().context("the file watcher stopped")?;
            collect(&targets, event, &mut changed);
        }
        while let Ok(more) = rx.recv_timeout(QUIET) {
            collect(&targets, more, &mut changed);
        }
        changed.sort();
        changed.dedup();
        run += 1;
    }
}

/// Keep the paths of an event that changes a file we watch: written,
/// made, renamed or removed (reading a file, as every run does, is not a
/// change).
fn collect(targets: &[Target], event: notify::Result<notify::Event>, changed: &mut Vec<PathBuf>) {
    match event {
        Ok(e) => {
            let changes = matches!(
                e.kind,
                EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
                    | EventKind::Any
            );
            if changes {
                changed.extend(e.paths.into_iter().filter(|p| targets.iter().any(|t| t.concerns(p))));
            }
        }
        Err(e) => say!("[watch] the file watcher reported an error: {e}"),
    }
}

/// A changed path, relative to the current folder when it is inside it.
fn shown(p: &Path) -> String {
    let here = std::env::current_dir().ok().and_then(|d| std::fs::canonicalize(d).ok());
    let rel = here.as_deref().and_then(|h| p.strip_prefix(h).ok()).unwrap_or(p);
    mtus::report::escape_terminal(&rel.display().to_string()).into_owned()
}

/// One run: load the rules afresh (a run never sees a stale file) and, if
/// they check, run the command. Bad rules or cases are reported, never
/// fatal.
fn once_with_rules(
    ctx: &mut Ctx,
    location: &RulesLocation,
    once: &mut impl FnMut(&mut Ctx, &RuleSet) -> Result<ExitCode>,
) -> Result<()> {
    ctx.sources = SourceMap::new();
    match load_rules(&mut ctx.sources, location, &ctx.limits) {
        Ok(rules) => {
            if let Err(e) = once(ctx, &rules) {
                say!("error: {e:#}");
            }
        }
        Err(LoadRulesError::Rules(e)) => {
            ctx.print_diagnostics(&e.diagnostics);
            let n = e.diagnostics.iter().filter(|d| d.is_error()).count();
            say!("error: the rule files have {n} error(s); nothing was evaluated");
        }
        Err(LoadRulesError::Io(e)) => say!("error: {e:#}"),
    }
    Ok(())
}
