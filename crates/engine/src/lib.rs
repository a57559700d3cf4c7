//! The `mtus` engine: rule text and case text in, decisions and traces
//! out. It reads no file, opens no socket, writes to no terminal and
//! knows no JSON library: the tools crate (`mtus-tools`, in the root
//! package for now) and the binary do that.
//!
//! The pipeline, one module per stage, data flowing one way:
//!
//! ```text
//! rules/*.mtus --syntax--> AST --check--> Program (typed, resolved)
//!              --compile--> flat predicates (facts resolved to slots)
//! case.yaml    --facts--> Case (values in slots)
//! eval(rules, case) --> Decision per request (outcome + criterion statuses)
//! ```
//!
//! ```no_run
//! let mut sources = mtus_engine::diag::SourceMap::new();
//! let rules = mtus_engine::RuleSet::embedded(&mut sources).expect("shipped rules check");
//! let text = "case: x\nrequests: []\n";
//! let case = mtus_engine::facts::load_yaml(&rules.program, "x.yaml", text).unwrap();
//! let mut machine = mtus_engine::eval::Machine::new();
//! for decision in mtus_engine::eval::decide_case(&rules, &mut machine, &case) {
//!     println!("{:?}", decision.map(|d| d.outcome));
//! }
//! ```

pub mod builtin;
pub mod check;
pub mod compile;
pub mod diag;
// `unreachable_pub` is warned in the modules whose `pub` items were
// reviewed (issue 18); `check` warns it in each submodule but `model`,
// whose text fixes the built-in blob's layout.
#[warn(unreachable_pub)]
pub mod eval;
pub mod facts;
#[warn(unreachable_pub)]
pub mod formulary;
pub mod line;
#[warn(unreachable_pub)]
pub mod syntax;
pub mod value;

use diag::{Diagnostic, SourceMap};

/// The rule files shipped in `rules/`, embedded at build time.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// Checked rules and their compiled predicates: what evaluation needs.
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub program: check::Program,
    pub compiled: compile::Compiled,
    /// Where the rule files came from and a hash of their content, so
    /// every output can name the rule set that produced it.
    pub origin: RuleOrigin,
}

/// Where a rule set was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleOriginKind {
    /// The rule files built into this binary.
    BuiltIn,
    /// A folder named on the command line (`--rules DIR`).
    Folder,
    /// A `rules/` folder found by walking up from the current folder.
    Found,
    /// Files given some other way (a library caller, `lint FILES`).
    Files,
}

/// The rule set in force: its kind, its folder, and a SHA-256 over its
/// files (see [`rules_hash`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleOrigin {
    pub kind: RuleOriginKind,
    /// The folder, as the user would type it (`rules`, `../rules`).
    pub path: Option<String>,
    /// Lowercase hex SHA-256 (64 digits).
    pub hash: String,
}

impl RuleOrigin {
    /// The first 12 hex digits of the hash: enough to tell sets apart.
    pub fn short_hash(&self) -> &str {
        self.hash.get(..12).unwrap_or(&self.hash)
    }

    /// One line naming the rule set, e.g.
    /// `built-in (mtus 0.1.0, sha256 0123456789ab)` or
    /// `./rules (found from the current folder, sha256 0123456789ab)`.
    pub fn describe(&self) -> String {
        let path = self.path.as_deref().unwrap_or("");
        let shown = if path.is_empty() || path.starts_with('/') || path.starts_with('.') {
            path.to_string()
        } else {
            format!("./{path}")
        };
        match self.kind {
            RuleOriginKind::BuiltIn => format!(
                "built-in (mtus {}, sha256 {})",
                env!("CARGO_PKG_VERSION"),
                self.short_hash()
            ),
            RuleOriginKind::Found => format!("{shown} (found from the current folder, sha256 {})", self.short_hash()),
            RuleOriginKind::Folder => format!("{shown} (--rules, sha256 {})", self.short_hash()),
            RuleOriginKind::Files => format!("files given (sha256 {})", self.short_hash()),
        }
    }
}

/// SHA-256 over a rule set's files: sorted by file name (the last path
/// component, so the same files hash the same wherever they sit), each
/// name and text fed with its length. Equal hashes mean equal rule files.
pub fn rules_hash<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    use sha2::{Digest, Sha256};
    let mut files: Vec<(&str, &str)> = files
        .into_iter()
        .map(|(n, t)| (n.rsplit(['/', '\\']).next().unwrap_or(n), t))
        .collect();
    files.sort();
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `files` are the shipped rule files: the same names (last path
/// component) and texts, in the same order. Then their [`rules_hash`] is
/// `embedded::HASH`.
fn same_as_embedded(files: &[(&str, &str)]) -> bool {
    let base = |n: &str| n.rsplit(['/', '\\']).next().unwrap_or(n).to_string();
    files.len() == embedded::FILES.len()
        && files
            .iter()
            .zip(embedded::FILES)
            .all(|((n, t), (en, et))| t == et && base(n) == base(en))
}

/// Rule files that did not check. The diagnostics refer to files in the
/// `SourceMap` the rules were loaded into.
#[derive(Clone, Debug, thiserror::Error)]
#[error("the rule files have {} error(s)", .diagnostics.iter().filter(|d| d.is_error()).count())]
pub struct RuleErrors {
    pub diagnostics: Vec<Diagnostic>,
}

impl RuleSet {
    /// Check and compile rule files given as (name, text). The texts are
    /// added to `sources`, so diagnostics can be rendered with excerpts.
    /// Files identical to the shipped set (same names in the same order,
    /// same SHA-256) load from the precompiled program ([`builtin`])
    /// without parsing, when `sources` is empty; the result is the same.
    pub fn from_texts<'a>(
        sources: &mut SourceMap,
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RuleSet, RuleErrors> {
        let files: Vec<(&str, &str)> = files.into_iter().collect();
        // Files byte for byte the shipped ones (a `rules/` folder found in
        // a checkout) have the shipped hash, worked out at build time:
        // comparing the texts costs a fraction of hashing them (SHA-256
        // was half of a one-case `check`).
        let hash = if same_as_embedded(&files) {
            embedded::HASH.to_string()
        } else {
            rules_hash(files.iter().copied())
        };
        RuleSet::from_texts_hashed(sources, files, hash)
    }

    /// [`RuleSet::from_texts`] for files whose [`rules_hash`] is known.
    fn from_texts_hashed(
        sources: &mut SourceMap,
        files: Vec<(&str, &str)>,
        hash: String,
    ) -> Result<RuleSet, RuleErrors> {
        if let Some(program) = builtin::load(sources, &files, &hash) {
            let compiled = compile::compile(&program);
            return Ok(RuleSet {
                program,
                compiled,
                origin: RuleOrigin {
                    kind: RuleOriginKind::Files,
                    path: None,
                    hash,
                },
            });
        }
        RuleSet::parse_hashed(sources, files, hash)
    }

    /// Parse, check and compile rule files given as (name, text), never
    /// using the precompiled program.
    pub fn parse<'a>(
        sources: &mut SourceMap,
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RuleSet, RuleErrors> {
        let files: Vec<(&str, &str)> = files.into_iter().collect();
        let hash = rules_hash(files.iter().copied());
        RuleSet::parse_hashed(sources, files, hash)
    }

    fn parse_hashed(sources: &mut SourceMap, files: Vec<(&str, &str)>, hash: String) -> Result<RuleSet, RuleErrors> {
        let origin = RuleOrigin {
            kind: RuleOriginKind::Files,
            path: None,
            hash,
        };
        let mut parsed = Vec::new();
        let mut diagnostics = Vec::new();
        for (name, text) in files {
            let id = sources.add(name, text);
            let (file, diags) = syntax::parse_file(id, text);
            diagnostics.extend(diags);
            parsed.push(file);
        }
        let (program, diags) = check::check(sources, &parsed);
        diagnostics.extend(diags);
        match program {
            Some(program) if !diagnostics.iter().any(Diagnostic::is_error) => {
                let compiled = compile::compile(&program);
                Ok(RuleSet {
                    program,
                    compiled,
                    origin,
                })
            }
            _ => Err(RuleErrors { diagnostics }),
        }
    }

    /// The rules shipped with this build (precompiled when `sources` is
    /// empty, see [`builtin`]).
    pub fn embedded(sources: &mut SourceMap) -> Result<RuleSet, RuleErrors> {
        let files = embedded::FILES.to_vec();
        let mut rs = RuleSet::from_texts_hashed(sources, files, embedded::HASH.to_string())?;
        rs.origin.kind = RuleOriginKind::BuiltIn;
        Ok(rs)
    }

    /// The rules shipped with this build, parsed from their text (what
    /// [`RuleSet::embedded`] does when the precompiled program is stale).
    pub fn embedded_parsed(sources: &mut SourceMap) -> Result<RuleSet, RuleErrors> {
        let mut rs = RuleSet::parse(sources, embedded::FILES.iter().copied())?;
        rs.origin.kind = RuleOriginKind::BuiltIn;
        Ok(rs)
    }

    /// The same rule set, marked as coming from `kind` at `path`.
    pub fn with_origin(mut self, kind: RuleOriginKind, path: Option<String>) -> RuleSet {
        self.origin.kind = kind;
        self.origin.path = path;
        self
    }
}
