//! `# lint: allow NAME -- reason`: silencing one lint for one item or
//! criterion.
//!
//! A directive is a comment. On its own line, it applies to the item or
//! criterion that starts on the next line that is not a comment (a blank
//! line in between detaches it); at the end of a line, to the item or
//! criterion that line belongs to. Several names may be given, separated
//! by commas. The reason after `--` is required: a directive without one,
//! or naming an unknown lint, is itself reported (`bad-directive`).

use crate::diag::{Diagnostic, FileId, Span, did_you_mean};
use crate::syntax::comments::comments;

use super::{LINTS, SILENCEABLE};

/// One directive that parsed and applies to something.
#[derive(Clone, Debug)]
pub struct Directive {
    /// The comment.
    pub span: Span,
    pub lints: Vec<&'static str>,
    /// Byte range of the item or criterion it applies to.
    pub covers: (usize, usize),
    /// Per lint: did it silence a finding?
    pub used: Vec<bool>,
}

impl Directive {
    /// Silence `code` at `span` if this directive covers it.
    pub fn silences(&mut self, code: &str, span: Span) -> bool {
        if span.file != self.span.file || (span.start as usize) < self.covers.0 || (span.start as usize) > self.covers.1
        {
            return false;
        }
        match self.lints.iter().position(|l| *l == code) {
            Some(i) => {
                self.used[i] = true;
                true
            }
            None => false,
        }
    }
}

/// The directives of one file. `elements` are the byte ranges of its items
/// and criteria. Returns the directives and a diagnostic for each bad one.
pub fn directives(file: FileId, text: &str, elements: &[(usize, usize)]) -> (Vec<Directive>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for c in comments(text) {
        let body = c.text(text).trim_start_matches('#').trim();
        let Some(rest) = body.strip_prefix("lint:") else {
            continue;
        };
        let span = Span::new(file, c.start, c.end);
        let problem = |msg: String, help: &str| Diagnostic::warning("bad-directive", span, msg).with_help(help);
        let (spec, reason) = match rest.split_once("--") {
            Some((s, r)) => (s.trim(), r.trim()),
            None => (rest.trim(), ""),
        };
        let Some(names) = spec
            .strip_prefix("allow")
            .filter(|n| n.is_empty() || n.starts_with(char::is_whitespace))
        else {
            bad.push(problem(
                format!("unknown lint directive `{spec}`"),
                "write `# lint: allow NAME -- reason`",
            ));
            continue;
        };
        let mut lints = Vec::new();
        let mut ok = true;
        for n in names
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|n| !n.is_empty())
        {
            match SILENCEABLE.iter().find(|l| **l == n) {
                Some(l) => lints.push(*l),
                None => {
                    ok = false;
                    let all = LINTS.iter().map(|(l, _)| *l);
                    let help = match did_you_mean(n, SILENCEABLE.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if all.clone().any(|l| l == n) => "this lint cannot be silenced".to_string(),
                        None => format!("the lints are {}", SILENCEABLE.join(", ")),
                    };
                    bad.push(problem(format!("unknown lint `{n}` in a directive"), &help));
                }
            }
        }
        if !ok {
            continue;
        }
        if lints.is_empty() {
            bad.push(problem(
                "the directive names no lint".into(),
                "write `# lint: allow NAME -- reason`",
            ));
            continue;
        }
        if reason.is_empty() {
            bad.push(problem(
                "a lint directive needs a reason".into(),
                "say why after `--`: `# lint: allow unused-fact -- part of the shared fact vocabulary`",
            ));
            continue;
        }
        let target = if c.own_line {
            next_element(text, c.end, elements)
        } else {
            line_element(text, c.start, elements)
        };
        let Some(covers) = target else {
            bad.push(problem(
                "the directive applies to nothing".into(),
                "put it on the line just above an item or criterion (no blank line between), or at the end of its first line",
            ));
            continue;
        };
        out.push(Directive {
            span,
            used: vec![false; lints.len()],
            lints,
            covers,
        });
    }
    (out, bad)
}

/// The element that starts the first line after `from` that is not a
/// comment; none if a blank line comes first.
fn next_element(text: &str, from: usize, elements: &[(usize, usize)]) -> Option<(usize, usize)> {
    let mut at = text[from..].find('\n').map(|i| from + i + 1)?;
    loop {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = &text[at..line_end];
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            return None;
        }
        if !trimmed.starts_with('#') {
            let first = at + (line.len() - trimmed.len());
            return elements.iter().filter(|e| e.0 == first).max_by_key(|e| e.0).copied();
        }
        if line_end >= text.len() {
            return None;
        }
        at = line_end + 1;
    }
}

/// The innermost element whose first line holds offset `at`, else the
/// innermost one whose lines hold it.
fn line_element(text: &str, at: usize, elements: &[(usize, usize)]) -> Option<(usize, usize)> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let starting_here = elements
        .iter()
        .filter(|e| e.0 >= line_start && e.0 < at)
        .max_by_key(|e| e.0)
        .copied();
    starting_here.or_else(|| {
        elements
            .iter()
            .filter(|e| {
                let end_line_end = text[e.1.min(text.len())..].find('\n').map_or(text.len(), |i| e.1 + i);
                e.0 <= at && at <= end_line_end
            })
            .max_by_key(|e| e.0)
            .copied()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, elements: &[(usize, usize)]) -> (Vec<Directive>, Vec<Diagnostic>) {
        directives(FileId(0), text, elements)
    }

    #[test]
    fn a_directive_above_an_item_covers_it() {
        let text = "# lint: allow unused-fact -- in FACTS.md\n# more words\nfact a.b: bool \"x\"\n";
        let start = text.find("\nfact").map_or(0, |i| i + 1);
        let (d, bad) = parse(text, &[(start, text.len() - 1)]);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].lints, vec!["unused-fact"]);
        assert_eq!(d[0].covers.0, start);
    }

    #[test]
    fn a_trailing_directive_covers_its_line() {
        let text = "fact a.b: bool \"x\" # lint: allow unused-fact, missing-description -- kept\n";
        let (d, bad) = parse(text, &[(0, 18)]);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(d[0].lints, vec!["unused-fact", "missing-description"]);
    }

    #[test]
    fn bad_directives_are_reported() {
        let text = "# lint: allow unused-fact\n# lint: allow unused-fakt -- x\n# lint: deny always-met -- x\n\n# lint: allow always-met -- x\n\nfact a.b: bool \"x\"\n";
        let start = text.find("\nfact").map_or(0, |i| i + 1);
        let (d, bad) = parse(text, &[(start, text.len() - 1)]);
        assert!(d.is_empty());
        let msgs: Vec<&str> = bad.iter().map(|b| b.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "a lint directive needs a reason",
                "unknown lint `unused-fakt` in a directive",
                "unknown lint directive `deny always-met`",
                "the directive applies to nothing"
            ]
        );
        assert_eq!(bad[1].help.as_deref(), Some("did you mean `unused-fact`?"));
    }
}
