//! What the server knows of the files on disk and in the editor: a rule
//! folder's analysis (its files with unsaved buffers in place of the disk,
//! parse trees, the checker's and linter's diagnostics, the symbol index)
//! and a case file's diagnostics against the rules of its workspace.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::RuleSet;
use crate::diag::{Diagnostic, FileId, SourceMap, Span};
use crate::inputs::Limits;
use crate::syntax::parse_file;

use super::index::Index;
use super::text::{LineIndex, path_to_uri};

/// The file that marks a folder as a rule set (as the CLI finds it).
pub const RULES_MARKER: &str = "sources.mtus";

/// An editor buffer: its text replaces the file's on disk. `None`: a
/// buffer over the file cap, left out (its file is not read either).
#[derive(Clone, Debug)]
pub struct Overlay {
    pub uri: String,
    pub path: Option<PathBuf>,
    pub text: Option<String>,
}

/// One rule file of a folder.
#[derive(Clone, Debug)]
pub struct FolderFile {
    pub id: FileId,
    pub path: Option<PathBuf>,
    /// Empty for a built-in rule file (one that is not the editor's).
    pub uri: String,
    pub lines: LineIndex,
}

impl FolderFile {
    /// A file of the editor's (not one of the built-in rules read with it).
    pub fn is_users(&self) -> bool {
        !self.uri.is_empty()
    }
}

/// A rule folder, analysed. Cheap to clone (the parts are shared).
#[derive(Clone, Debug)]
pub struct RuleFolder {
    pub files: Vec<FolderFile>,
    pub sources: Arc<SourceMap>,
    /// The checked rules, when they check.
    pub rules: Option<Arc<RuleSet>>,
    /// The checker's errors (when the rules do not check) and the files
    /// that could not be read (no place).
    pub diagnostics: Vec<Diagnostic>,
    /// The linter's warnings (when the rules check): of this analysis
    /// when `linted`, else those carried over from an earlier one.
    pub lints: Vec<Diagnostic>,
    /// Whether the linter ran on this analysis (it runs when a file is
    /// opened or saved, on a thread of its own; as you type only the
    /// checker does).
    pub linted: bool,
    /// Whether it holds lint warnings of an earlier analysis.
    pub carried: bool,
    /// Whether the built-in rules were read with the files (the folder
    /// is not a rule set of its own: it has no `sources.mtus`).
    pub with_builtin: bool,
    pub index: Arc<Index>,
}

impl RuleFolder {
    /// Every diagnostic: the checker's, then the linter's.
    pub fn all_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().chain(&self.lints)
    }

    /// The ids of the editor's files (not the built-in ones read with them).
    pub fn user_ids(&self) -> Vec<FileId> {
        self.files.iter().filter(|f| f.is_users()).map(|f| f.id).collect()
    }

    /// The linter's warnings for the editor's files (`None` when the rules
    /// do not check).
    pub fn lint(&self) -> Option<Vec<Diagnostic>> {
        let rs = self.rules.as_ref()?;
        let opts = crate::lint::Options {
            cases: None,
            allow: &[],
        };
        let ids = self.user_ids();
        Some(crate::lint::lint(&self.sources, &ids, rs, &opts))
    }

    pub fn file_of_uri(&self, uri: &str) -> Option<&FolderFile> {
        self.files.iter().find(|f| f.uri == uri)
    }

    pub fn file(&self, id: FileId) -> Option<&FolderFile> {
        self.files.get(id.0 as usize)
    }

    pub fn text(&self, id: FileId) -> &str {
        match self.files.get(id.0 as usize) {
            Some(_) => &self.sources.get(id).text,
            None => "",
        }
    }

    /// The short name of a file (for hover text).
    pub fn file_name(&self, id: FileId) -> String {
        let full = match self.files.get(id.0 as usize) {
            Some(_) => self.sources.get(id).name.clone(),
            None => String::new(),
        };
        full.rsplit(['/', '\\']).next().unwrap_or(&full).to_string()
    }

    /// The text a span covers ("" when out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text(span.file)
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

fn is_ext(p: &Path, exts: &[&str]) -> bool {
    p.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| exts.iter().any(|e| e.eq_ignore_ascii_case(x)))
}

pub fn is_rule_file(p: &Path) -> bool {
    is_ext(p, &["mtus"])
}

pub fn is_case_file(p: &Path) -> bool {
    is_ext(p, &["yaml", "yml", "json"])
}

/// The `.mtus` files directly in a folder, sorted by name (not its
/// subfolders: opening a file in a large folder must not walk a tree).
fn rule_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_rule_file(p) && p.is_file())
        .collect();
    out.sort();
    out
}

/// The base name of a path or file name (`massage.mtus`).
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Analyse the rule files of `dir` (none: only the buffers given), with
/// the buffers' texts in place of their files'. The linter does not run
/// (see [`RuleFolder::lint`]).
///
/// A folder that is not a rule set of its own (no `sources.mtus` among its
/// files or buffers, as a draft opened from anywhere) is read with the
/// built-in rules, a file of the same name standing for the built-in one:
/// its facts, constants, treatments and sources are the shipped ones, so
/// only its own mistakes are reported.
pub fn analyze(dir: Option<&Path>, overlays: &[Overlay], limits: &Limits) -> RuleFolder {
    let mut texts: Vec<(Option<PathBuf>, String, String, String)> = Vec::new(); // path, uri, name, text
    let mut read_errors = Vec::new();
    if let Some(dir) = dir {
        for p in rule_files_in(dir) {
            if let Some(o) = overlays.iter().find(|o| o.path.as_deref() == Some(p.as_path())) {
                if let Some(text) = &o.text {
                    texts.push((Some(p.clone()), o.uri.clone(), p.display().to_string(), text.clone()));
                }
                continue;
            }
            match crate::inputs::read_text_capped(&p, limits.max_file_bytes) {
                Ok(t) => texts.push((Some(p.clone()), path_to_uri(&p), p.display().to_string(), t)),
                Err(e) => read_errors.push(
                    Diagnostic::bare(e.code, e.message.clone()).with_help(
                        e.help
                            .clone()
                            .unwrap_or_else(|| "the other rule files were checked without it".into()),
                    ),
                ),
            }
        }
    }
    for o in overlays {
        let Some(text) = &o.text else { continue };
        let listed = texts.iter().any(|(_, uri, _, _)| *uri == o.uri)
            || o.path.is_some() && texts.iter().any(|(p, _, _, _)| p == &o.path);
        if !listed {
            let name = o.path.as_ref().map_or(o.uri.clone(), |p| p.display().to_string());
            texts.push((o.path.clone(), o.uri.clone(), name, text.clone()));
        }
    }
    let a_set = texts.iter().any(|(_, _, n, _)| base_name(n) == RULES_MARKER)
        || dir.is_some_and(|d| d.join(RULES_MARKER).is_file());
    if !a_set {
        let builtin: Vec<_> = crate::embedded::FILES
            .iter()
            .filter(|(n, _)| !texts.iter().any(|(_, _, un, _)| base_name(un) == base_name(n)))
            .map(|(n, t)| (None, String::new(), (*n).to_string(), (*t).to_string()))
            .collect();
        texts.splice(0..0, builtin);
    }
    let mut sources = SourceMap::new();
    let result = RuleSet::from_texts(&mut sources, texts.iter().map(|(_, _, n, t)| (n.as_str(), t.as_str())));
    let files: Vec<FolderFile> = texts
        .iter()
        .enumerate()
        .map(|(i, (path, uri, _, text))| FolderFile {
            id: FileId(i as u32),
            path: path.clone(),
            uri: uri.clone(),
            lines: LineIndex::new(text),
        })
        .collect();
    let (rules, mut diagnostics) = match result {
        Ok(rs) => (Some(Arc::new(rs)), Vec::new()),
        Err(e) => (None, e.diagnostics),
    };
    diagnostics.extend(read_errors);
    let parsed: Vec<_> = files
        .iter()
        .map(|f| (f.id, parse_file(f.id, &sources.get(f.id).text).0))
        .collect();
    let refs: Vec<_> = parsed.iter().map(|(id, rf)| (*id, rf)).collect();
    let index = Index::build(&refs);
    RuleFolder {
        files,
        sources: Arc::new(sources),
        linted: false,
        carried: false,
        with_builtin: !a_set,
        rules,
        diagnostics,
        lints: Vec::new(),
        index: Arc::new(index),
    }
}

/// An analysis that failed (a bug in mtus): one diagnostic saying so.
pub fn failed(what: &str) -> RuleFolder {
    RuleFolder {
        files: Vec::new(),
        sources: Arc::new(SourceMap::new()),
        rules: None,
        diagnostics: vec![Diagnostic::bare(
            "internal",
            format!("mtus failed while {what} (a bug; please report it with the files)"),
        )],
        lints: Vec::new(),
        linted: false,
        carried: false,
        with_builtin: false,
        index: Arc::new(Index::default()),
    }
}

impl RuleFolder {
    /// Keep the lint warnings of an earlier analysis for the files whose
    /// text has not changed since (the same files, in the same order):
    /// while one file is edited, the others keep their warnings.
    pub fn keep_lints_of(&mut self, prev: &RuleFolder) {
        if self.rules.is_none() || !(prev.linted || prev.carried) || self.files.len() != prev.files.len() {
            return;
        }
        if self.files.iter().zip(&prev.files).any(|(a, b)| a.uri != b.uri) {
            return;
        }
        let same = |id: FileId| self.text(id) == prev.text(id);
        self.lints = prev
            .lints
            .iter()
            .filter(|d| d.span.is_some_and(|s| same(s.file)))
            .cloned()
            .collect();
        self.carried = true;
    }
}

/// The rule folder of a workspace, found from a folder upward as the CLI
/// finds it from the current folder: the folder itself when it holds
/// `sources.mtus`, else the nearest `rules/` holding it.
pub fn find_rules_dir(start: &Path) -> Option<PathBuf> {
    if start.join(RULES_MARKER).is_file() {
        return Some(start.to_path_buf());
    }
    start
        .ancestors()
        .map(|d| d.join("rules"))
        .find(|r| r.join(RULES_MARKER).is_file())
}

/// A case file's mistakes, loaded against `rules`, and when it loads, the
/// recorded decisions the rules do not reproduce (what `mtus test` says,
/// at the `outcome:` or `because:` value). Spans are byte offsets into
/// `text`; their file id is meaningless.
pub fn case_diagnostics(rules: &RuleSet, name: &str, text: &str, json: bool, limits: &Limits) -> Vec<Diagnostic> {
    let loader = crate::facts::Loader::with_limits(&rules.program, limits.for_loader());
    let loaded = if json {
        loader.load_json(name, text)
    } else {
        loader.load_yaml(name, text)
    };
    let case = match loaded {
        Ok(case) => case,
        Err(e) => return e.diagnostics,
    };
    let mut machine = crate::eval::Machine::new();
    let (result, _) = crate::casetest::check_case(rules, &mut machine, name, &case);
    let mut sm = SourceMap::new();
    let id = sm.add(name, text);
    result
        .decisions
        .iter()
        .filter_map(|c| {
            let f = c.failure.as_ref()?;
            Some(crate::casetest::failure_diagnostic(&sm, id, &c.request, f))
        })
        .collect()
}
