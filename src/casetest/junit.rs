//! `mtus test --format junit`: the results as JUnit XML, the report CI
//! systems (GitLab, Jenkins, Azure, GitHub test reporters) read.
//!
//! One `<testsuite>` for the run, one `<testcase>` per case file, in input
//! order: a case whose recorded decisions are not reproduced holds a
//! `<failure>`, a file that does not load an `<error>`, a case without a
//! determination `<skipped>`. The message of a failure is its first
//! failure's; the body is every diagnostic, rendered as the text output
//! renders it (without colour).
//!
//! Invariants: well-formed XML 1.0 whatever the input (every value is
//! escaped; characters XML 1.0 cannot hold are written as `\xNN`); no
//! time, host or other value that changes between runs, so the same input
//! gives the same bytes.

use super::{CaseResult, CaseStatus, Summary};

/// One case of the report: its result and its diagnostics, rendered.
pub struct JunitCase<'a> {
    pub result: &'a CaseResult,
    pub diagnostics: Vec<String>,
}

/// The report for a run of `cases`, naming the rule set (`rules`, as the
/// text output's first line names it) in a property.
pub fn render(cases: &[JunitCase<'_>], summary: &Summary, rules: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let errors = summary.errors;
    // `Summary::failed` counts files that did not load too; JUnit counts
    // them as errors only.
    let failures = summary.failed.saturating_sub(errors);
    let tests = cases.len();
    let skipped = summary.skipped;
    out.push_str(&format!(
        "<testsuites name=\"mtus test\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"mtus test\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">\n"
    ));
    out.push_str("    <properties>\n");
    out.push_str(&format!("      <property name=\"rules\" value=\"{}\"/>\n", attr(rules)));
    out.push_str("    </properties>\n");
    for c in cases {
        let r = c.result;
        let name = r.case.as_deref().unwrap_or(&r.file);
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"",
            attr(name),
            attr(&r.file),
            attr(&r.file)
        ));
        let body = c.diagnostics.concat();
        match r.status {
            CaseStatus::Passed => out.push_str("/>\n"),
            CaseStatus::Skipped => {
                out.push_str(">\n      <skipped message=\"no determination: nothing to compare\"/>\n    </testcase>\n");
            }
            CaseStatus::Failed => {
                let first = r.decisions.iter().find_map(|d| d.failure.as_ref());
                let (code, message) = first.map_or(("test-outcome", "a recorded decision was not reproduced"), |f| {
                    (f.code, f.message.as_str())
                });
                out.push_str(&format!(
                    ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                    attr(code),
                    attr(message),
                    text(&body)
                ));
            }
            CaseStatus::Error => {
                let message = c
                    .diagnostics
                    .first()
                    .and_then(|d| d.lines().next())
                    .unwrap_or("the case file could not be read");
                out.push_str(&format!(
                    ">\n      <error type=\"case-file\" message=\"{}\">{}</error>\n    </testcase>\n",
                    attr(message),
                    text(&body)
                ));
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text content: `&`, `<`, `>` escaped, and what XML 1.0 cannot hold.
fn text(s: &str) -> String {
    escape(s, false)
}

/// An attribute value in double quotes: also `"` and `'`, and line breaks
/// and tabs as character references (a parser would turn them to spaces).
fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' if attribute => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\r' | '\t' => out.push(ch),
            // Not allowed in XML 1.0 at all, even as a reference.
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_what_xml_cannot_hold() {
        assert_eq!(attr("a<b&c\"d'e>\nf"), "a&lt;b&amp;c&quot;d&apos;e&gt;&#10;f");
        assert_eq!(text("a<b&c\"\n\u{1b}[31m"), "a&lt;b&amp;c\"\n\\x1b[31m");
        assert_eq!(text("\u{0}\u{FFFF}"), "\\x00\\xffff");
    }
}
