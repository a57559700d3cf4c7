//! Mechanical fixes (`mtus lint --fix`): the edits a lint attaches to its
//! finding, and applying them to rule files.
//!
//! Only two lints carry a fix, because only their fix cannot change what
//! any case decides nor lose anything an author meant:
//!
//! - `unused-const`: delete the declaration (its lines, with a trailing
//!   comment and the lint directives above it that cover it; other comments
//!   above it are kept). Nothing reads it, so no criterion changes.
//! - `unused-allow`: delete the names that silence nothing from the
//!   directive, or the whole directive when none is left. A directive that
//!   silences nothing changes no output but its own warning.
//!
//! The others need a person: a missing `confidence` line needs the level
//! and the criteria IDs; an unused fact may be part of the shared case
//! vocabulary (deleting it would make case files that record it fail to
//! load); a criterion that is always met, never met or shadowed is a
//! condition to correct, not to delete.
//!
//! Invariants: a file is rewritten only if, with every fix applied, the
//! whole set of rule files still checks (else it is left as it was and
//! [`FileFix::rejected`] says why); a file in the canonical layout stays
//! in it (the result is formatted); edits of one fix never overlap those
//! of another applied in the same round.

use crate::RuleSet;
use crate::diag::{Diagnostic, Edit, FileId, Fix, SourceMap, Span};
use crate::format::format_source;

use super::{Options, lint};

/// How many times the rules are re-linted and fixed again (a fix whose
/// edits overlap another's waits for the next round).
pub const MAX_ROUNDS: usize = 4;

/// Delete the lines of `span` (from the start of its first line through
/// the line break of its last), the own-line lint directives right above
/// it, and one blank line when it stood between two.
pub(crate) fn delete_item(text: &str, span: Span) -> Vec<Edit> {
    let file = span.file;
    let start = line_start(text, span.start as usize);
    let mut end = line_end_with_break(text, span.end as usize);
    let before_blank = start == 0 || text[..start].ends_with("\n\n");
    if before_blank {
        // The blank line after it goes too, so that no double blank line
        // (or a blank first line) is left.
        let rest = &text[end..];
        let blank = rest.len() - rest.trim_start_matches([' ', '\t', '\r']).len();
        if rest[blank..].starts_with('\n') {
            end += blank + 1;
        }
    }
    let mut edits = vec![Edit {
        span: Span::new(file, start, end),
        replacement: String::new(),
    }];
    // Own-line comments right above: directives go (they covered it), the
    // others stay.
    let mut at = start;
    while at > 0 {
        let prev = line_start(text, at - 1);
        let line = text[prev..at].trim();
        if !line.starts_with('#') {
            break;
        }
        if is_directive(line) {
            edits.push(Edit {
                span: Span::new(file, prev, at),
                replacement: String::new(),
            });
        }
        at = prev;
    }
    edits.sort_by_key(|e| e.span.start);
    edits
}

fn is_directive(comment: &str) -> bool {
    comment.trim_start_matches('#').trim_start().starts_with("lint:")
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end_with_break(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// The fix for a directive (`comment`, its span) of which only `keep`
/// silence something: the directive rewritten with those, or deleted.
pub(crate) fn trim_directive(text: &str, comment: Span, keep: &[&str]) -> Fix {
    let (start, end) = (comment.start as usize, comment.end as usize);
    let body = text.get(start..end).unwrap_or("");
    if keep.is_empty() {
        let ls = line_start(text, start);
        let own_line = text[ls..start].trim().is_empty();
        let span = if own_line {
            Span::new(comment.file, ls, line_end_with_break(text, end))
        } else {
            // A trailing comment: it and the spaces before it.
            let lead = text[ls..start].trim_end().len();
            Span::new(comment.file, ls + lead, end)
        };
        return Fix {
            message: "delete the directive".into(),
            edits: vec![Edit {
                span,
                replacement: String::new(),
            }],
        };
    }
    let reason = body.split_once("--").map_or("", |(_, r)| r.trim());
    Fix {
        message: format!(
            "keep only {} in the directive",
            keep.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ),
        edits: vec![Edit {
            span: comment,
            replacement: format!("# lint: allow {} -- {reason}", keep.join(", ")),
        }],
    }
}

/// Why edits could not be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    #[error("two edits overlap")]
    Overlap,
    #[error("an edit falls outside the text or inside a character")]
    OutOfRange,
}

/// Apply edits to one text. Identical edits count once; overlapping ones
/// are an error.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, ApplyError> {
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    edits.dedup();
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for e in edits {
        let (s, t) = (e.span.start as usize, e.span.end as usize);
        if s < at {
            return Err(ApplyError::Overlap);
        }
        if s > t || !text.is_char_boundary(s) || !text.is_char_boundary(t) || t > text.len() {
            return Err(ApplyError::OutOfRange);
        }
        out.push_str(&text[at..s]);
        out.push_str(&e.replacement);
        at = t;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// One fix applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub code: &'static str,
    /// The finding's message.
    pub finding: String,
    /// The fix's message.
    pub fix: String,
    /// 1-based line and column of the finding, in the text the round
    /// started from (the file as given, for the first round).
    pub line: usize,
    pub column: usize,
}

/// What fixing did to one rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFix {
    pub name: String,
    pub before: String,
    /// The new text; equal to `before` when nothing changed.
    pub after: String,
    pub applied: Vec<Applied>,
    /// Set when fixes were found but not applied, with why.
    pub rejected: Option<String>,
}

impl FileFix {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// Fix the rule files `files` (name, text), linted together as one set.
/// `Err` holds the checker's diagnostics when they do not check to begin
/// with (nothing can be fixed then). Each [`FileFix`] is in the order
/// given.
///
/// `cases` are case files (name, text; JSON if the name ends in `.json`,
/// else YAML) for `missing-case`, loaded against the rules of each round
/// (one that does not load is left out); `None` does not run that lint.
pub fn fix_files(
    files: &[(String, String)],
    allow: &[String],
    cases: Option<&[(String, String)]>,
) -> Result<Vec<FileFix>, Vec<Diagnostic>> {
    fix_with(files, |sm, ids, rs| {
        let loaded: Option<Vec<crate::facts::Case>> = cases.map(|cs| {
            let loader = crate::facts::Loader::new(&rs.program);
            cs.iter()
                .filter_map(|(name, text)| {
                    let json = name.to_ascii_lowercase().ends_with(".json");
                    let case = if json {
                        loader.load_json(name, text)
                    } else {
                        loader.load_yaml(name, text)
                    };
                    case.ok()
                })
                .collect()
        });
        let opts = Options {
            cases: loaded.as_deref(),
            allow,
        };
        lint(sm, ids, rs, &opts)
    })
}

/// [`fix_files`] with the findings (and their fixes) from `find`.
fn fix_with(
    files: &[(String, String)],
    find: impl Fn(&SourceMap, &[FileId], &RuleSet) -> Vec<Diagnostic>,
) -> Result<Vec<FileFix>, Vec<Diagnostic>> {
    let mut out: Vec<FileFix> = files
        .iter()
        .map(|(n, t)| FileFix {
            name: n.clone(),
            before: t.clone(),
            after: t.clone(),
            applied: Vec::new(),
            rejected: None,
        })
        .collect();
    // A file written in the canonical layout is formatted after fixing
    // (worked out when it first has a fix).
    let mut canonical: Vec<Option<bool>> = vec![None; files.len()];
    for round in 0..MAX_ROUNDS {
        let current: Vec<(String, String)> = out.iter().map(|f| (f.name.clone(), f.after.clone())).collect();
        let mut sm = SourceMap::new();
        let rs = match RuleSet::from_texts(&mut sm, current.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
            Ok(rs) => rs,
            Err(e) if round == 0 => return Err(e.diagnostics),
            // Never reached: a round's result is kept only if it checks.
            Err(_) => break,
        };
        let ids: Vec<FileId> = (0..current.len()).map(|i| FileId(i as u32)).collect();
        let found = find(&sm, &ids, &rs);
        // Per file, the fixes whose edits overlap none chosen before.
        let mut chosen: Vec<Vec<(&Diagnostic, &Fix)>> = vec![Vec::new(); current.len()];
        let mut taken: Vec<Vec<&Edit>> = vec![Vec::new(); current.len()];
        for d in &found {
            let Some(fix) = &d.fix else { continue };
            let Some(file) = fix.edits.first().map(|e| e.span.file.0 as usize) else {
                continue;
            };
            if file >= current.len() || fix.edits.iter().any(|e| e.span.file.0 as usize != file) {
                continue;
            }
            let clashes = fix.edits.iter().any(|e| {
                taken[file].iter().any(|t| {
                    let apart = e.span.end <= t.span.start || t.span.end <= e.span.start;
                    *t != e && (!apart || e.span.start == t.span.start)
                })
            });
            if clashes {
                continue;
            }
            taken[file].extend(fix.edits.iter());
            chosen[file].push((d, fix));
        }
        if chosen.iter().all(Vec::is_empty) {
            break;
        }
        // Apply per file; a file whose result does not parse is left.
        let mut next: Vec<Option<String>> = vec![None; current.len()];
        for (i, fixes) in chosen.iter().enumerate() {
            if fixes.is_empty() || out[i].rejected.is_some() {
                continue;
            }
            let edits: Vec<Edit> = fixes.iter().flat_map(|(_, f)| f.edits.iter().cloned()).collect();
            let text = &current[i].1;
            let before = &out[i].before;
            let was_canonical = *canonical[i]
                .get_or_insert_with(|| format_source(FileId(i as u32), before).is_ok_and(|f| f == *before));
            let result = apply(text, &edits).map_err(|e| e.to_string()).and_then(|t| {
                if was_canonical {
                    format_source(FileId(i as u32), &t).map_err(|e| match e {
                        crate::format::FormatError::Syntax(ds) => format!(
                            "the result does not parse: {}",
                            ds.first().map_or("", |d| d.message.as_str())
                        ),
                        other => other.to_string(),
                    })
                } else {
                    crate::syntax::parse_file(FileId(i as u32), &t)
                        .1
                        .first()
                        .map_or(Ok(t), |d| Err(format!("the result does not parse: {}", d.message)))
                }
            });
            match result {
                Ok(t) => next[i] = Some(t),
                Err(why) => out[i].rejected = Some(why),
            }
        }
        // The whole set must still check; a file that breaks it is left.
        let with = |chosen_files: &[usize]| -> Vec<(String, String)> {
            current
                .iter()
                .enumerate()
                .map(|(i, (n, t))| match (&next[i], chosen_files.contains(&i)) {
                    (Some(new), true) => (n.clone(), new.clone()),
                    _ => (n.clone(), t.clone()),
                })
                .collect()
        };
        let mut changed: Vec<usize> = (0..current.len()).filter(|&i| next[i].is_some()).collect();
        if !checks(&with(&changed)) {
            let alone: Vec<usize> = changed.iter().copied().filter(|&i| checks(&with(&[i]))).collect();
            for &i in changed.iter().filter(|i| !alone.contains(i)) {
                out[i].rejected = Some("with the fixes applied, the rules would not check".into());
            }
            changed = if checks(&with(&alone)) { alone } else { Vec::new() };
            for i in 0..current.len() {
                if next[i].is_some() && !changed.contains(&i) && out[i].rejected.is_none() {
                    out[i].rejected = Some("with the fixes applied, the rules would not check".into());
                }
            }
        }
        if changed.is_empty() {
            break;
        }
        for i in changed {
            let Some(new) = next[i].take() else { continue };
            let src = sm.get(FileId(i as u32));
            for (d, f) in &chosen[i] {
                let (line, column) = d.span.map_or((0, 0), |s| src.line_col(s.start as usize));
                out[i].applied.push(Applied {
                    code: d.code,
                    finding: d.message.clone(),
                    fix: f.message.clone(),
                    line,
                    column,
                });
            }
            out[i].after = new;
        }
    }
    Ok(out)
}

fn checks(files: &[(String, String)]) -> bool {
    let mut sm = SourceMap::new();
    RuleSet::from_texts(&mut sm, files.iter().map(|(n, t)| (n.as_str(), t.as_str()))).is_ok()
}

/// A unified diff of a file's change (`--- a/NAME`, `+++ b/NAME`, three
/// lines of context); empty when nothing changed.
pub fn unified_diff(f: &FileFix) -> String {
    if !f.changed() {
        return String::new();
    }
    let name = f.name.replace('\\', "/");
    similar::TextDiff::from_lines(&f.before, &f.after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(s: usize, e: usize, r: &str) -> Edit {
        Edit {
            span: Span::new(FileId(0), s, e),
            replacement: r.into(),
        }
    }

    #[test]
    fn apply_keeps_order_dedups_and_refuses_overlaps() {
        assert_eq!(apply("abcdef", &[edit(4, 5, "X"), edit(0, 1, "")]), Ok("bcdXf".into()));
        assert_eq!(apply("abc", &[edit(1, 2, ""), edit(1, 2, "")]), Ok("ac".into()));
        assert_eq!(
            apply("abc", &[edit(0, 2, ""), edit(1, 3, "")]),
            Err(ApplyError::Overlap)
        );
        assert_eq!(apply("abc", &[edit(2, 9, "")]), Err(ApplyError::OutOfRange));
        assert_eq!(apply("é", &[edit(1, 2, "")]), Err(ApplyError::OutOfRange));
    }

    #[test]
    fn deleting_an_item_takes_its_directives_and_one_blank_line() {
        let text = "a\n\n# about b\n# lint: allow missing-description -- x\nconst b = 1 # trailing\n\nc\n";
        let at = text.find("const").unwrap_or(0);
        let span = Span::new(FileId(0), at, at + "const b = 1".len());
        let edits = delete_item(text, span);
        assert_eq!(apply(text, &edits), Ok("a\n\n# about b\n\nc\n".into()));
        let text = "a\n\nconst b = 1\n\nc\n";
        let at = text.find("const").unwrap_or(0);
        let edits = delete_item(text, Span::new(FileId(0), at, at + 11));
        assert_eq!(apply(text, &edits), Ok("a\n\nc\n".into()));
    }

    const RULES: &str = "source S \"A guideline\"\n  tier mtus\n\nfact request.id: text \"id\"\nfact request.treatment: treatment \"what\"\nfact request.date: date \"when\"\nfact exam.spasm: bool \"spasm\"\n\ntreatment massage_therapy \"Massage therapy\"\n\nrule massage \"Massage\"\n  cites S \"Massage\" p. 1\n  applies to massage_therapy\n\n  require spasm \"Muscle spasm is found\"\n    exam.spasm\n";

    /// A finding in file `file` whose fix replaces `what` with `with`.
    fn bad_fix(sm: &SourceMap, file: usize, what: &str, with: &str) -> Vec<Diagnostic> {
        let id = FileId(file as u32);
        let text = &sm.get(id).text;
        let Some(at) = text.find(what) else { return Vec::new() };
        let span = Span::new(id, at, at + what.len());
        vec![Diagnostic::warning("unused-const", span, "x").with_fix(Fix {
            message: "x".into(),
            edits: vec![edit_in(id, at, at + what.len(), with)],
        })]
    }

    fn edit_in(file: FileId, s: usize, e: usize, r: &str) -> Edit {
        Edit {
            span: Span::new(file, s, e),
            replacement: r.into(),
        }
    }

    #[test]
    fn a_fix_that_would_not_parse_or_check_is_not_applied() {
        let files = vec![("a.mtus".to_string(), RULES.to_string())];
        // Breaks the syntax.
        let out = fix_with(&files, |sm, _, _| bad_fix(sm, 0, "rule massage", "rule ((")).expect("checks");
        assert_eq!(out[0].after, RULES);
        assert!(
            out[0].rejected.as_deref().is_some_and(|w| w.contains("parse")),
            "{out:?}"
        );
        assert!(out[0].applied.is_empty());
        // Parses, but a criterion would read an undeclared fact.
        let out = fix_with(&files, |sm, _, _| {
            bad_fix(sm, 0, "fact exam.spasm: bool \"spasm\"\n", "")
        })
        .expect("checks");
        assert_eq!(out[0].after, RULES);
        assert_eq!(
            out[0].rejected.as_deref(),
            Some("with the fixes applied, the rules would not check")
        );
        // A fix that keeps the rules checking is applied.
        let out = fix_with(&files, |sm, _, _| {
            bad_fix(sm, 0, "\"Muscle spasm is found\"", "\"Spasm found\"")
        })
        .expect("checks");
        assert!(out[0].after.contains("\"Spasm found\""), "{out:?}");
        assert!(out[0].rejected.is_none());
    }

    #[test]
    fn one_file_that_breaks_the_set_leaves_the_others_fixed() {
        let (facts, rule) = RULES.split_at(RULES.find("\ntreatment").unwrap_or(0) + 1);
        let files = vec![
            ("facts.mtus".to_string(), facts.to_string()),
            ("rule.mtus".to_string(), rule.to_string()),
        ];
        let out = fix_with(&files, |sm, _, _| {
            let mut v = bad_fix(sm, 0, "fact exam.spasm: bool \"spasm\"\n", "");
            v.extend(bad_fix(sm, 1, "\"Massage therapy\"", "\"Massage\""));
            v
        })
        .expect("checks");
        assert_eq!(out[0].after, facts, "{out:?}");
        assert!(out[0].rejected.is_some());
        assert!(
            out[1].after.contains("treatment massage_therapy \"Massage\"\n"),
            "{out:?}"
        );
        assert!(out[1].rejected.is_none());
    }

    #[test]
    fn a_directive_is_trimmed_or_deleted() {
        let text = "x # lint: allow a, b -- why\n";
        let c = Span::new(FileId(0), 2, text.len() - 1);
        let f = trim_directive(text, c, &["b"]);
        assert_eq!(apply(text, &f.edits), Ok("x # lint: allow b -- why\n".into()));
        let f = trim_directive(text, c, &[]);
        assert_eq!(apply(text, &f.edits), Ok("x\n".into()));
        let text = "  # lint: allow a -- why\nrule\n";
        let f = trim_directive(text, Span::new(FileId(0), 2, 24), &[]);
        assert_eq!(apply(text, &f.edits), Ok("rule\n".into()));
    }
}
