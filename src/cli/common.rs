//! What every command shares: loading rules and cases, printing
//! diagnostics, writing output.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

use mtus::diag::{Diagnostic, SourceMap, Span};
use mtus::report::diagnostics;
use mtus::{RuleErrors, RuleSet, facts};

pub struct Ctx {
    pub sources: SourceMap,
    pub color: bool,
}

impl Ctx {
    pub fn print_diagnostics(&self, diags: &[Diagnostic]) {
        let mut err = std::io::stderr().lock();
        for d in diags {
            let _ = err.write_all(diagnostics::render(&self.sources, d, self.color).as_bytes());
        }
    }
}

pub enum LoadRulesError {
    Rules(RuleErrors),
    Io(anyhow::Error),
}

pub fn load_rules(sources: &mut SourceMap, dir: Option<&Path>) -> Result<RuleSet, LoadRulesError> {
    let Some(dir) = dir else {
        return RuleSet::embedded(sources).map_err(LoadRulesError::Rules);
    };
    let read = || -> Result<Vec<(String, String)>> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read the rules folder {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "mtus"))
            .collect();
        names.sort();
        if names.is_empty() {
            anyhow::bail!("the rules folder {} has no *.mtus files", dir.display());
        }
        names
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?;
                let text = String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", p.display()))?;
                Ok((p.display().to_string(), text))
            })
            .collect()
    };
    let files = read().map_err(LoadRulesError::Io)?;
    RuleSet::from_texts(sources, files.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(LoadRulesError::Rules)
}

/// Read and load one case file; on failure, a diagnostic with its place.
pub fn read_case(sources: &mut SourceMap, rules: &RuleSet, path: &Path) -> Result<facts::Case, Vec<Diagnostic>> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| vec![diagnostics::unreadable(&name, &io_reason(&e))])?;
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
    facts::load_yaml(&rules.program, &name, &text).map_err(|e| e.add_to(sources))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
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
