//! The audit as one self-contained HTML page: the summary, a chart of
//! agreement by treatment class (inline SVG), the tables, and the
//! disagreements with their traces.
//!
//! Invariants: no network, no script, no external font or style: the page
//! is one file that opens anywhere; everything from a case is escaped.

use std::fmt::Write as _;

use super::groups::{Breakdown, Rate};
use super::output::Finished;
use super::stats::CategorySummary;
use crate::report;

/// Escape text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --agree: #2f7d4f; --disagree: #b4462f; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: var(--bg); }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.sub { color: var(--muted); margin: 0 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card .n { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.card .l { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #eef0f4; font-weight: 600; }
td.sub { padding-left: 26px; color: var(--muted); }
svg text { font: 13px system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; fill: var(--ink); }
details { background: #fff; border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
summary { cursor: pointer; padding: 7px 12px; }
summary .d { color: var(--disagree); font-weight: 600; }
pre { margin: 0; padding: 10px 14px; overflow-x: auto; font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; border-top: 1px solid var(--line); }
.note { color: var(--muted); }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
"#;

/// Rules and criteria listed in the tables of what decided disagreements.
const TOP: usize = 20;

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| format!("{:.1}%", x * 100.0))
}

fn kappa(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| format!("{x:.2}"))
}

/// A horizontal bar per class: agreement among compared requests.
fn chart(cats: &[&CategorySummary], out: &mut String) {
    let label_w = 200.0;
    let bar_w = 560.0;
    let row_h = 26.0;
    let top = 24.0;
    let height = top + row_h * cats.len() as f64 + 10.0;
    let width = label_w + bar_w + 150.0;
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Agreement by treatment class" width="{width}" height="{height}" viewBox="0 0 {width} {height}">"#
    );
    // Axis: 0, 50, 100 %.
    for (i, tick) in ["0%", "25%", "50%", "75%", "100%"].iter().enumerate() {
        let x = label_w + bar_w * i as f64 / 4.0;
        let _ = write!(
            out,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#d9dde5"/><text x="{x}" y="14" text-anchor="middle" fill="#5b6475">{tick}</text>"##,
            top - 4.0,
            height - 6.0
        );
    }
    for (i, c) in cats.iter().enumerate() {
        let y = top + row_h * i as f64;
        let a = c.agreement.unwrap_or(0.0);
        let w = (bar_w * a).max(0.0);
        let name = c.category.as_deref().unwrap_or("(no class)");
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" text-anchor="end">{}</text><rect x="{label_w}" y="{}" width="{bar_w}" height="16" fill="#eef0f4"/><rect x="{label_w}" y="{}" width="{w:.1}" height="16" fill="#2f7d4f"><title>{}: {} agree of {} compared</title></rect><text x="{}" y="{}">{} <tspan fill="#5b6475">of {}</tspan></text>"##,
            label_w - 8.0,
            y + 13.0,
            esc(name),
            y + 1.0,
            y + 1.0,
            esc(name),
            c.agree,
            c.compared,
            label_w + bar_w + 8.0,
            y + 13.0,
            pct(c.agreement),
            c.compared
        );
    }
    out.push_str("</svg>\n");
}

/// The four groupings as tables.
fn breakdown(b: &Breakdown, out: &mut String) {
    let _ = writeln!(
        out,
        "<h2>Totals</h2>\n<p class=\"note\">Rates with 95% Wilson score intervals; * marks a rate over fewer than {} items, a small sample.</p>",
        b.small_sample_below
    );
    for (title, head, groups) in super::output::breakdown_tables(b) {
        if groups.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<table>\n<tr><th>{head}</th><th>items</th><th>upheld</th><th>overturned</th><th>uphold rate</th><th>compared</th><th>agreement</th><th>without clinical facts</th></tr>",
            esc(title)
        );
        for g in groups {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&g.group),
                g.requests,
                g.upheld,
                g.overturned,
                esc(&Rate::text(g.uphold_rate.as_ref())),
                g.compared,
                esc(&Rate::text(g.agreement.as_ref())),
                g.without_facts
            );
        }
        out.push_str("</table>\n");
    }
}

/// The page. `title` names what was audited (the paths, say).
pub fn page(fin: &Finished, title: &str) -> String {
    let s = &fin.summary;
    let t = &s.totals;
    let mut out = String::with_capacity(1 << 16);
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>mtus audit: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        esc(title)
    );
    let _ = writeln!(
        out,
        "<h1>Audit of recorded determinations</h1>\n<p class=\"sub\">{}: predicted outcome (by the rules) against the reviewer's recorded outcome, request by request.</p>",
        esc(title)
    );
    out.push_str("<div class=\"cards\">\n");
    let cards: [(String, &str); 8] = [
        (pct(s.agreement), "agreement"),
        (kappa(s.kappa), "Cohen's kappa"),
        (t.inputs.to_string(), "inputs"),
        (t.errors.to_string(), "could not be read"),
        (t.requests.to_string(), "requests"),
        (t.disagree.to_string(), "disagree"),
        (t.unrecorded.to_string(), "without a recorded decision"),
        (t.undecided.to_string(), "could not be decided"),
    ];
    for (n, l) in cards {
        let _ = writeln!(
            out,
            "<div class=\"card\"><div class=\"n\">{}</div><div class=\"l\">{}</div></div>",
            esc(&n),
            esc(l)
        );
    }
    out.push_str("</div>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">{} inputs: {} read, {} could not be read. {} requests: {} agree, {} disagree, {} without a recorded decision, {} could not be decided.</p>",
        t.inputs, t.cases, t.errors, t.requests, t.agree, t.disagree, t.unrecorded, t.undecided
    );
    if let Some(f) = super::output::filters_sentence(s) {
        let _ = writeln!(out, "<p class=\"note\"><b>Filters:</b> {}.</p>", esc(&f));
    }
    if let Some(w) = super::output::without_facts_sentence(t) {
        let _ = writeln!(out, "<p class=\"note\">{}.</p>", esc(&w));
    }
    let all = &s.breakdown.all;
    if let Some(r) = &all.uphold_rate {
        let _ = writeln!(
            out,
            "<p class=\"note\">Letters: {} upheld, {} overturned; uphold rate {}. Agreement {}.</p>",
            all.upheld,
            all.overturned,
            esc(&Rate::text(Some(r))),
            esc(&Rate::text(all.agreement.as_ref()))
        );
    }
    let cats: Vec<&CategorySummary> = s.by_category.iter().filter(|c| c.compared > 0).collect();
    if !cats.is_empty() {
        out.push_str("<h2>Agreement by treatment class</h2>\n");
        chart(&cats, &mut out);
    }
    if t.compared > 0 {
        out.push_str("<h2>Confusion table</h2>\n<table>\n<tr><th>predicted</th><th>recorded upheld</th><th>recorded overturned</th></tr>\n");
        let c = &s.confusion;
        let b = &c.by_outcome;
        let rows = [
            ("predicted upheld", c.upheld, false),
            ("not medically necessary", b.not_medically_necessary, true),
            ("insufficient documentation", b.insufficient_documentation, true),
            ("predicted overturned (medically necessary)", c.overturned, false),
        ];
        for (label, n, sub) in rows {
            let class = if sub { " class=\"sub\"" } else { "" };
            let _ = writeln!(
                out,
                "<tr><td{class}>{label}</td><td>{}</td><td>{}</td></tr>",
                n.upheld, n.overturned
            );
        }
        out.push_str("</table>\n");
        out.push_str("<h2>By treatment class</h2>\n<table>\n<tr><th>class</th><th>requests</th><th>compared</th><th>agree</th><th>agreement</th><th>kappa</th><th>unrecorded</th><th>undecided</th></tr>\n");
        for c in &s.by_category {
            let _ = writeln!(
                out,
                "<tr><td title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&c.title),
                esc(c.category.as_deref().unwrap_or("(no class)")),
                c.requests,
                c.compared,
                c.agree,
                pct(c.agreement),
                kappa(c.kappa),
                c.unrecorded,
                c.undecided
            );
        }
        out.push_str("</table>\n");
        // Settled against provisional decisions, when any is provisional.
        let b = &s.by_confidence;
        if b.provisional.requests > 0 {
            out.push_str("<h2>Settled and provisional decisions</h2>\n<table>\n<tr><th>decisions</th><th>decided</th><th>compared</th><th>agree</th><th>agreement</th><th>kappa</th></tr>\n");
            for (label, x) in [
                ("settled", &b.settled),
                ("provisional (resting on a LOW criterion)", &b.provisional),
            ] {
                let _ = writeln!(
                    out,
                    "<tr><td>{label}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    x.requests,
                    x.compared,
                    x.agree,
                    pct(x.agreement),
                    kappa(x.kappa)
                );
            }
            out.push_str("</table>\n");
        }
    }
    if t.requests > 0 {
        breakdown(&s.breakdown, &mut out);
    }
    let d = &s.deciders;
    if t.disagree > 0 {
        out.push_str("<h2>What decided the disagreements</h2>\n<table>\n<tr><th>rule</th><th style=\"text-align:left\">title</th><th>disagreements</th></tr>\n");
        for r in d.rules.iter().take(TOP) {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td style=\"text-align:left\">{}</td><td>{}</td></tr>",
                esc(&r.rule),
                esc(&r.title),
                r.disagreements
            );
        }
        out.push_str("</table>\n<p></p>\n<table>\n<tr><th>criterion</th><th>status</th><th>disagreements</th></tr>\n");
        for c in d.criteria.iter().take(TOP) {
            let _ = writeln!(
                out,
                "<tr><td title=\"{}\"><code>{}.{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&c.description),
                esc(&c.rule),
                esc(&c.criterion),
                c.status.label(),
                c.disagreements
            );
        }
        if d.all_criteria_met > 0 {
            let _ = writeln!(
                out,
                "<tr><td>(every criterion met)</td><td></td><td>{}</td></tr>",
                d.all_criteria_met
            );
        }
        if d.fell_with_dependency > 0 {
            let _ = writeln!(
                out,
                "<tr><td>(fell with its dependency)</td><td></td><td>{}</td></tr>",
                d.fell_with_dependency
            );
        }
        out.push_str("</table>\n");
        let more = (d.rules.len().saturating_sub(TOP), d.criteria.len().saturating_sub(TOP));
        if more != (0, 0) {
            let _ = writeln!(
                out,
                "<p class=\"note\">{} more rules and {} more criteria decided fewer; the JSON output lists them all.</p>",
                more.0, more.1
            );
        }
    }
    let k = &fin.kept;
    if t.errors > 0 {
        out.push_str("<h2>Inputs that could not be read</h2>\n<table>\n<tr><th>where</th><th>code</th><th style=\"text-align:left\">message</th></tr>\n");
        for e in &k.errors {
            let place = match (&e.file, e.line, e.column) {
                (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
                (Some(f), _, _) => f.clone(),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td style=\"text-align:left\">{}</td></tr>",
                esc(&place),
                esc(e.code),
                esc(&e.message)
            );
        }
        out.push_str("</table>\n");
        if k.omitted_errors > 0 {
            let _ = writeln!(out, "<p class=\"note\">{} more not listed.</p>", k.omitted_errors);
        }
    }
    if !k.disagreements.is_empty() {
        out.push_str("<h2>Disagreements</h2>\n");
        for x in &k.disagreements {
            let r = &x.report;
            let by = r.decided_by.as_ref().map_or_else(
                || "every criterion met".to_string(),
                |b| format!("{}.{}", b.rule, b.criterion),
            );
            let mut trace = String::new();
            report::render_request_text(r, &mut trace);
            let place = match x.line {
                Some(l) => format!("{}:{l}", x.file),
                None => x.file.clone(),
            };
            let _ = writeln!(
                out,
                "<details><summary><b>{}</b> / {} ({}): <span class=\"d\">predicted {}, recorded {}</span>; {}</summary><pre>{}</pre></details>",
                esc(&x.case),
                esc(&r.request),
                esc(&r.treatment),
                r.predicted.map_or("-", |p| p.name()),
                r.recorded.map_or("-", |p| p.name()),
                esc(&by),
                esc(&format!("{place}\n\n{trace}"))
            );
        }
    }
    if k.omitted_disagreements > 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{} of {} disagreements shown; <code>--max-disagreements N</code> shows more, <code>--format jsonl</code> gives every one with its trace.</p>",
            k.disagreements.len(),
            k.disagreements.len() as u64 + k.omitted_disagreements
        );
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}
