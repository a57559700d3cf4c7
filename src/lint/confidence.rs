//! Confidence in the rules: the `missing-confidence` lint and the list of
//! LOW constants and criteria (`mtus lint --low`).
//!
//! `missing-confidence` runs only on rules of the current regime (a rule
//! whose period starts on or after [`CURRENT_REGIME`]): the 2009-2017
//! rules are annotated separately, and are not warned about.
//!
//! Invariants: reads only the checked program; output in file order.

use serde::Serialize;

use crate::check::Program;
use crate::diag::{Diagnostic, SourceMap, Span};
use crate::value::Date;

/// The first date of service under the ACOEM-based MTUS (LAW18-1).
pub const CURRENT_REGIME: &str = "2017-12-01";

fn current_regime() -> Option<Date> {
    Date::parse(CURRENT_REGIME)
}

/// A criterion of a current-regime rule with no `confidence` line of its
/// own or its rule's.
pub fn missing(p: &Program, out: &mut Vec<Diagnostic>) {
    let Some(start) = current_regime() else { return };
    for r in &p.rules {
        if r.window.from.is_none_or(|f| f < start) || r.confidence.is_some() {
            continue;
        }
        for c in r.criteria.iter().filter(|c| c.confidence.is_none()) {
            out.push(
                Diagnostic::warning(
                    "missing-confidence",
                    c.span,
                    format!("criterion `{}.{}` does not say how sure its source is", r.name, c.name),
                )
                .with_help(
                    "add under its description (or under the rule's header, for all its criteria): confidence high ID or confidence low ID, with the criteria catalog IDs",
                ),
            );
        }
    }
}

/// A LOW constant or criterion, for `mtus lint --low`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LowItem {
    pub file: String,
    pub line: usize,
    /// `const` or `criterion`.
    pub kind: &'static str,
    /// The constant's name, or `rule.criterion`.
    pub name: String,
    /// Why it is LOW: IDs, and for a criterion the LOW constants it reads.
    pub reason: String,
    #[serde(skip)]
    span: Span,
}

/// Every LOW constant and criterion of the program, in file order.
pub fn low_items(sm: &SourceMap, p: &Program) -> Vec<LowItem> {
    let place = |span: Span| {
        let f = sm.get(span.file);
        let line = f.text.get(..span.start as usize).map_or(0, |t| t.matches('\n').count()) + 1;
        (f.name.clone(), line)
    };
    let mut out = Vec::new();
    for k in &p.consts {
        if let Some(c) = k
            .confidence
            .as_ref()
            .filter(|c| c.level == crate::syntax::ast::Level::Low)
        {
            let (file, line) = place(k.span);
            out.push(LowItem {
                file,
                line,
                kind: "const",
                name: k.name.clone(),
                reason: c.ids.join(", "),
                span: k.span,
            });
        }
    }
    for r in &p.rules {
        for c in r.criteria.iter().filter(|c| c.grounds.is_low()) {
            let (file, line) = place(c.span);
            out.push(LowItem {
                file,
                line,
                kind: "criterion",
                name: format!("{}.{}", r.name, c.name),
                reason: c.grounds.low_reason(),
                span: c.span,
            });
        }
    }
    out.sort_by_key(|i| (i.span.file, i.span.start));
    out
}

/// `mtus lint --low` as text: one block per rule file.
pub fn render_low(items: &[LowItem], out: &mut String) {
    use std::fmt::Write;
    let mut file: Option<&str> = None;
    if items.is_empty() {
        out.push_str("no LOW constant or criterion\n");
    }
    for i in items {
        if file != Some(i.file.as_str()) {
            let n = items.iter().filter(|x| x.file == i.file).count();
            let _ = writeln!(out, "{}: {n} LOW", i.file);
            file = Some(&i.file);
        }
        let _ = writeln!(out, "  {}:{} {} {}  LOW ({})", i.file, i.line, i.kind, i.name, i.reason);
    }
}
