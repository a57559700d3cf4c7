//! Diagnostics: a rule folder's and a case file's, worked out and
//! published to the client.

use super::*;

impl<W: Write> Server<W> {
    pub(super) fn send_diagnostics(&mut self, uri: &str, diags: Vec<lt::Diagnostic>) -> Result<(), LspError> {
        if diags.is_empty() {
            if !self.published.remove(uri) && !self.docs.contains_key(uri) {
                return Ok(());
            }
        } else {
            self.published.insert(uri.to_string());
        }
        let version = self.docs.get(uri).map(|d| d.version);
        self.notify(
            "textDocument/publishDiagnostics",
            json!({ "uri": uri, "diagnostics": diags, "version": version }),
        )
    }

    pub(super) fn publish_folder(&mut self, f: &RuleFolder) -> Result<(), LspError> {
        let mut by_file: BTreeMap<String, Vec<lt::Diagnostic>> = BTreeMap::new();
        let shown = |d: &Document| !d.oversize;
        let open: Vec<String> = f
            .files
            .iter()
            .filter(|x| x.is_users() && self.docs.get(&x.uri).is_some_and(shown))
            .map(|x| x.uri.clone())
            .collect();
        for file in f.files.iter().filter(|x| x.is_users()) {
            if self.published.contains(&file.uri) || self.docs.contains_key(&file.uri) {
                by_file.entry(file.uri.clone()).or_default();
            }
        }
        for d in f.all_diagnostics() {
            match d.span.and_then(|s| f.file(s.file)).filter(|file| file.is_users()) {
                Some(file) => by_file
                    .entry(file.uri.clone())
                    .or_default()
                    .push(rule_diagnostic(f, d, self.enc)),
                // No place (or in a built-in file): shown at the top of
                // every open file of the folder.
                None => {
                    for u in &open {
                        by_file.entry(u.clone()).or_default().push(bare_diagnostic(d));
                    }
                }
            }
        }
        for (uri, diags) in by_file {
            self.send_diagnostics(&uri, diags)?;
        }
        Ok(())
    }
}

/// Where a case file's rules come from.
pub(super) enum CaseRules {
    /// The analysis of its workspace's rule folder.
    Folder(Option<Arc<RuleFolder>>, PathBuf),
    Builtin(Builtin),
}

/// A case file to load against its rules, on a worker.
pub(super) struct CaseJob {
    pub(super) uri: String,
    pub(super) name: String,
    pub(super) text: String,
    pub(super) json: bool,
    pub(super) generation: u64,
    pub(super) limits: Limits,
    pub(super) enc: Encoding,
    pub(super) rules: CaseRules,
}

impl CaseJob {
    pub(super) fn run(self) -> Event {
        let diags =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.diagnostics())).unwrap_or_else(|_| {
                vec![bare_diagnostic(&Diagnostic::bare(
                    "internal",
                    "mtus failed while loading this case (a bug; please report it with the file)",
                ))]
            });
        Event::Cased {
            uri: self.uri,
            generation: self.generation,
            diags,
        }
    }

    fn diagnostics(&self) -> Vec<lt::Diagnostic> {
        let diags = match &self.rules {
            CaseRules::Folder(f, dir) => match f.as_ref().and_then(|f| f.rules.as_ref()) {
                Some(rs) => workspace::case_diagnostics(rs, &self.name, &self.text, self.json, &self.limits),
                None => vec![
                    Diagnostic::bare(
                        "rules-do-not-check",
                        format!(
                            "the rules in {} have errors, so this case was not checked against them",
                            dir.display()
                        ),
                    )
                    .with_help("fix the rule files first (their errors are shown in them)"),
                ],
            },
            CaseRules::Builtin(b) => match load_builtin(b) {
                Ok(rs) => workspace::case_diagnostics(rs, &self.name, &self.text, self.json, &self.limits),
                Err(e) => vec![Diagnostic::bare("rules-do-not-check", e.clone())],
            },
        };
        let lines = LineIndex::new(&self.text);
        diags
            .iter()
            .map(|d| {
                let mut out = bare_diagnostic(d);
                if let Some(s) = d.span {
                    out.range = lines.range(&self.text, s.start as usize, s.end as usize, self.enc);
                }
                out
            })
            .collect()
    }
}

/// A diagnostic of a rule folder, placed in its file.
pub(crate) fn rule_diagnostic(f: &RuleFolder, d: &Diagnostic, enc: Encoding) -> lt::Diagnostic {
    let range = |s: crate::diag::Span| {
        f.file(s.file).map_or_else(lt::Range::default, |file| {
            file.lines.range(f.text(s.file), s.start as usize, s.end as usize, enc)
        })
    };
    let mut out = bare_diagnostic(d);
    if let Some(s) = d.span {
        out.range = range(s);
    }
    let related: Vec<lt::DiagnosticRelatedInformation> = d
        .notes
        .iter()
        .filter_map(|(s, note)| {
            let file = f.file(s.file)?;
            Some(lt::DiagnosticRelatedInformation {
                location: lt::Location {
                    uri: file.uri.parse().ok()?,
                    range: range(*s),
                },
                message: note.clone(),
            })
        })
        .collect();
    if !related.is_empty() {
        out.related_information = Some(related);
    }
    out
}

/// A diagnostic with no place, at the top of a file; the message and the
/// help in one text, the code as the checker names it.
pub(super) fn bare_diagnostic(d: &Diagnostic) -> lt::Diagnostic {
    let message = match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    };
    lt::Diagnostic {
        range: lt::Range::default(),
        severity: Some(match d.severity {
            Severity::Error => lt::DiagnosticSeverity::ERROR,
            Severity::Warning => lt::DiagnosticSeverity::WARNING,
        }),
        code: Some(lt::NumberOrString::String(d.code.to_string())),
        source: Some("mtus".into()),
        message,
        ..Default::default()
    }
}
