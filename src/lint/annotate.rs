//! Diagnostics for code review: SARIF 2.1.0 (`--format sarif`, for code
//! scanning) and GitHub Actions workflow commands (`--format github`, for
//! annotations on a pull request), used by `mtus lint` and `mtus test`.
//!
//! Paths are made relative to the current folder, with forward slashes
//! (a file outside it keeps its absolute path). Columns count characters
//! (SARIF `columnKind` `unicodeCodePoints`); an end column is the one just
//! after the last character, as SARIF has it.
//!
//! Invariants: output depends only on the diagnostics, the source map and
//! the folder given; every field SARIF requires of the objects written is
//! there; a workflow command never spans two lines (`%`, CR and LF in a
//! message, and also `:` and `,` in a property, are escaped).

use std::path::Path;

use serde_json::{Value, json};

use crate::diag::{Diagnostic, Severity, SourceMap, Span};

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";
/// The schema a SARIF log names.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A rule (diagnostic code) for SARIF's `tool.driver.rules`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: String,
    /// One line: what it finds.
    pub short: String,
    /// Longer help (`mtus lint --explain`), if any.
    pub help: Option<String>,
}

/// The lint codes as SARIF rules, with their explanations as help.
pub fn lint_rules() -> Vec<RuleInfo> {
    super::LINTS
        .iter()
        .map(|(code, what)| RuleInfo {
            id: (*code).to_string(),
            short: (*what).to_string(),
            help: super::explain::find(code).map(|e| e.render()),
        })
        .collect()
}

/// The codes of `mtus test` failures as SARIF rules.
pub fn test_rules() -> Vec<RuleInfo> {
    [
        (
            "test-outcome",
            "the rules decide a request otherwise than the case's recorded outcome",
        ),
        (
            "test-because",
            "the request is decided as recorded, but by another criterion than the case's `because:`",
        ),
        (
            "test-undecided",
            "the rules could not decide a request the case records an outcome for",
        ),
    ]
    .iter()
    .map(|(id, short)| RuleInfo {
        id: (*id).to_string(),
        short: (*short).to_string(),
        help: None,
    })
    .collect()
}

/// `name` (a file as the user gave it) relative to `cwd`, with `/`.
pub fn relative_path(name: &str, cwd: Option<&Path>) -> String {
    let p = Path::new(name);
    let rel = match cwd {
        Some(c) if p.is_absolute() => p.strip_prefix(c).unwrap_or(p),
        _ => p,
    };
    let s = rel.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

/// A file name as a URI reference: relative paths stay relative, absolute
/// ones become `file://` URIs; anything but letters, digits and `-._~/`
/// is percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn region(sm: &SourceMap, span: Span) -> Value {
    let p = sm.position(span);
    json!({
        "startLine": p.line,
        "startColumn": p.column,
        "endLine": p.end_line,
        "endColumn": p.end_column,
    })
}

fn location(sm: &SourceMap, span: Span, cwd: Option<&Path>) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&relative_path(&sm.get(span.file).name, cwd)) },
            "region": region(sm, span),
        }
    })
}

/// The message of a result: the sentence, then the help.
fn text(d: &Diagnostic) -> String {
    match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    }
}

/// A SARIF 2.1.0 log of `diags` from one run of `mtus` (`rules`: the
/// codes to describe; a code used by a result and not among them is
/// added with its first message as its description).
pub fn sarif(sm: &SourceMap, diags: &[Diagnostic], rules: &[RuleInfo], cwd: Option<&Path>) -> Value {
    let mut rules: Vec<RuleInfo> = rules.to_vec();
    for d in diags {
        if !rules.iter().any(|r| r.id == d.code) {
            rules.push(RuleInfo {
                id: d.code.to_string(),
                short: d.code.replace('-', " "),
                help: None,
            });
        }
    }
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|r| {
            let mut v = json!({
                "id": r.id,
                "shortDescription": { "text": r.short },
            });
            if let Some(h) = &r.help {
                v["help"] = json!({ "text": h });
            }
            v
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let index = rules.iter().position(|r| r.id == d.code).unwrap_or(0);
            let mut v = json!({
                "ruleId": d.code,
                "ruleIndex": index,
                "level": level(d.severity),
                "message": { "text": text(d) },
            });
            if let Some(span) = d.span {
                v["locations"] = json!([location(sm, span, cwd)]);
            }
            if !d.notes.is_empty() {
                v["relatedLocations"] = d
                    .notes
                    .iter()
                    .enumerate()
                    .map(|(i, (span, note))| {
                        let mut l = location(sm, *span, cwd);
                        l["id"] = json!(i);
                        l["message"] = json!({ "text": note });
                        l
                    })
                    .collect();
            }
            if let Some(fix) = &d.fix {
                // One change per file, with its replacements in order.
                let mut changes: Vec<Value> = Vec::new();
                let mut last = None;
                for e in &fix.edits {
                    let replacement = json!({
                        "deletedRegion": region(sm, e.span),
                        "insertedContent": { "text": e.replacement },
                    });
                    match changes.last_mut() {
                        Some(c) if last == Some(e.span.file) => {
                            if let Some(r) = c["replacements"].as_array_mut() {
                                r.push(replacement);
                            }
                        }
                        _ => changes.push(json!({
                            "artifactLocation": { "uri": uri(&relative_path(&sm.get(e.span.file).name, cwd)) },
                            "replacements": [replacement],
                        })),
                    }
                    last = Some(e.span.file);
                }
                v["fixes"] = json!([{
                    "description": { "text": fix.message },
                    "artifactChanges": changes,
                }]);
            }
            v
        })
        .collect();
    json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": "mtus",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": descriptors,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// Escape the message of a workflow command.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property value of a workflow command.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One GitHub Actions workflow command per diagnostic
/// (`::warning file=F,line=L,col=C,endLine=L,endColumn=C,title=CODE::MESSAGE`),
/// each on its own line. Notes are added to the message with their place.
pub fn github(sm: &SourceMap, diags: &[Diagnostic], cwd: Option<&Path>) -> String {
    let mut out = String::new();
    for d in diags {
        let mut props = Vec::new();
        if let Some(span) = d.span {
            let p = sm.position(span);
            props.push(format!("file={}", escape_property(&relative_path(&p.file, cwd))));
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.column));
            props.push(format!("endLine={}", p.end_line));
            props.push(format!("endColumn={}", p.end_column));
        }
        props.push(format!("title={}", escape_property(d.code)));
        let mut msg = text(d);
        for (span, note) in &d.notes {
            let p = sm.position(*span);
            msg.push_str(&format!(
                "\nnote: {note} ({}:{}:{})",
                relative_path(&p.file, cwd),
                p.line,
                p.column
            ));
        }
        out.push_str(&format!(
            "::{} {}::{}\n",
            level(d.severity),
            props.join(","),
            escape_data(&msg)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    #[test]
    fn workflow_commands_escape_what_github_reads() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn paths_are_relative_with_forward_slashes() {
        let cwd = Path::new("/work/x");
        assert_eq!(relative_path("/work/x/rules/a.mtus", Some(cwd)), "rules/a.mtus");
        assert_eq!(relative_path("./rules\\a.mtus", Some(cwd)), "rules/a.mtus");
        assert_eq!(relative_path("/elsewhere/a.mtus", Some(cwd)), "/elsewhere/a.mtus");
        assert_eq!(uri("/tmp/a b.mtus"), "file:///tmp/a%20b.mtus");
        assert_eq!(uri("rules/a,b.mtus"), "rules/a%2Cb.mtus");
    }

    #[test]
    fn one_line_per_diagnostic_with_its_place() {
        let mut sm = SourceMap::new();
        let f = sm.add("/w/r.mtus", "ab\ncd, e\n");
        let d = Diagnostic::warning("unused-const", Span::new(f, 3, 5), "two\nlines")
            .with_help("50%")
            .with_note(Span::new(f, 0, 1), "here");
        let out = github(&sm, &[d], Some(Path::new("/w")));
        assert_eq!(
            out,
            "::warning file=r.mtus,line=2,col=1,endLine=2,endColumn=3,title=unused-const::two%0Alines%0Ahelp: 50%25%0Anote: here (r.mtus:1:1)\n"
        );
        let bare = Diagnostic::bare("no-rules", "none");
        assert_eq!(github(&sm, &[bare], None), "::error title=no-rules::none\n");
        let _ = FileId(0);
    }
}
