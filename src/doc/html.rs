//! The book as HTML pages: each page one file with its style inline, no
//! script, nothing loaded from elsewhere; every text escaped.

use std::fmt::Write as _;

use super::cond::{Cond, Inline};
use super::model::{Book, CriterionDoc, Named, Proof, RuleDoc};
use super::{Format, Page, PageId, encode_path};
use crate::audit::html::esc;

const STYLE: &str = r#"
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #f6f7f9; --low: #9a5b00; --lowbg: #fff3df; --high: #2f6d4a; --highbg: #e6f4ea; --link: #1f5fbf; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: var(--bg); }
nav { background: #fff; border-bottom: 1px solid var(--line); padding: 8px 28px; display: flex; flex-wrap: wrap; gap: 6px 18px; }
nav a { color: var(--link); text-decoration: none; font-weight: 550; }
nav a:hover { text-decoration: underline; }
main { max-width: 1100px; margin: 0 auto; padding: 20px 28px 60px; }
h1 { font-size: 26px; margin: 8px 0 6px; }
h2 { font-size: 20px; margin: 34px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 17px; margin: 26px 0 8px; }
a { color: var(--link); }
p.sub, .muted { color: var(--muted); }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eef0f4; border-radius: 4px; padding: 0 4px; }
pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; overflow-x: auto; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); margin: 8px 0 16px; }
th, td { text-align: left; vertical-align: top; padding: 6px 10px; border-bottom: 1px solid var(--line); }
td { overflow-wrap: anywhere; }
table.facts { table-layout: fixed; }
table.facts th:nth-child(1) { width: 24%; }
table.facts th:nth-child(2) { width: 26%; }
table.facts th:nth-child(3) { width: 14%; }
table.facts th:nth-child(4) { width: 10%; }
th { background: #eef0f4; font-weight: 600; }
.rule { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px 18px 12px; margin: 18px 0; }
.rule > h3 { margin-top: 14px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 8px 0 12px; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
ol.criteria > li { margin: 14px 0; padding-left: 4px; }
.criterion .desc { font-weight: 600; }
.kind { display: inline-block; font-size: 12px; font-weight: 650; letter-spacing: .03em; border-radius: 4px; padding: 0 6px; margin-right: 6px; background: #eef0f4; }
.kind.exclude { background: #fbe7e3; color: #8a2c19; }
.badge { display: inline-block; font-size: 12px; font-weight: 650; border-radius: 4px; padding: 0 6px; }
.badge.LOW { color: var(--low); background: var(--lowbg); }
.badge.HIGH { color: var(--high); background: var(--highbg); }
.badge.none { color: var(--muted); background: #eef0f4; }
.badge.yes { color: var(--high); background: var(--highbg); }
.badge.no { color: var(--muted); background: #eef0f4; }
ul.cond { margin: 4px 0; padding-left: 22px; }
.kw { font-weight: 650; }
.q { color: var(--muted); }
a.fact { color: var(--ink); text-decoration: underline dotted var(--link); }
a.const { font-weight: 600; }
details summary { cursor: pointer; color: var(--muted); }
.proofs { margin: 4px 0 0; }
tr:target, li:target, section:target, h3:target { background: #fff8d6; }
"#;

/// One page of the book.
pub fn page(book: &Book, page: &Page) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"mtus doc\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&if page.id == PageId::Index {
            page.title.clone()
        } else {
            format!("{} · MTUS rule book", page.title)
        })
    );
    nav(book, &mut out);
    out.push_str("<main>\n");
    match page.id {
        PageId::Index => index(book, &mut out),
        PageId::Source(i) => source(book, i, &mut out),
        PageId::Treatments => treatments(book, &mut out),
        PageId::Facts => facts(book, &mut out),
        PageId::Constants => constants(book, &mut out),
        PageId::InForce => in_force(book, &mut out),
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn href(book: &Book, link: &super::Link) -> String {
    esc(&book.href(link, Format::Html))
}

fn nav(book: &Book, out: &mut String) {
    out.push_str("<nav>");
    for (id, label) in [
        (PageId::Index, "Rule book"),
        (PageId::InForce, "In force"),
        (PageId::Treatments, "Treatments"),
        (PageId::Facts, "Facts"),
        (PageId::Constants, "Numbers and lists"),
    ] {
        let _ = write!(
            out,
            "<a href=\"{}\">{}</a>",
            href(book, &super::Link::page(id)),
            esc(label)
        );
    }
    out.push_str("</nav>\n");
}

fn named(book: &Book, n: &Named) -> String {
    let code = n
        .code
        .as_ref()
        .map(|c| format!(" <code>{}</code>", esc(c)))
        .unwrap_or_default();
    format!("<a href=\"{}\">{}</a>{code}", href(book, &n.link), esc(&n.text))
}

fn named_list(book: &Book, ns: &[Named], sep: &str) -> String {
    ns.iter().map(|n| named(book, n)).collect::<Vec<_>>().join(sep)
}

fn index(book: &Book, out: &mut String) {
    let t = &book.totals;
    let _ = writeln!(out, "<h1>MTUS rule book</h1>");
    let _ = writeln!(
        out,
        "<p class=\"sub\">The rules mtus applies, in plain words, for review. Rules: {}. Written by <code>mtus doc</code> from the rule files; it decides nothing.</p>",
        esc(&book.origin)
    );
    let _ = writeln!(
        out,
        "<p>{} rules with {} criteria. {} of the {} criteria are named as the reason (<code>because:</code>) of a recorded decision in the {} case files read ({} such decisions).</p>",
        t.rules, t.criteria, t.criteria_proven, t.criteria, t.cases, t.proofs
    );
    out.push_str("<h2>How to read a rule</h2>\n<ul>\n");
    for line in HOW_TO_READ {
        let _ = writeln!(out, "<li>{}</li>", esc(line));
    }
    out.push_str("</ul>\n<h2>Guidelines</h2>\n<table>\n<tr><th>Guideline</th><th>Title</th><th>Tier</th><th>In force</th><th>Rules</th></tr>\n");
    for (i, s) in book.sources.iter().enumerate() {
        let n: usize = s.sections.iter().map(|x| x.rules.len()).sum();
        let _ = writeln!(
            out,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{n}</td></tr>",
            href(book, &super::Link::page(PageId::Source(i))),
            esc(&s.id),
            esc(&s.title),
            esc(s.tier),
            esc(&s.window)
        );
    }
    out.push_str("</table>\n<h2>Also in this book</h2>\n<ul>\n");
    for p in book.pages().iter().skip(1).take(4) {
        let _ = writeln!(
            out,
            "<li><a href=\"{}\">{}</a></li>",
            href(book, &super::Link::page(p.id)),
            esc(&p.title)
        );
    }
    out.push_str("</ul>\n");
}

/// The reading notes on the index, shared with the Markdown book.
pub const HOW_TO_READ: &[&str] = &[
    "A rule applies to treatments (by name or by class) and is in force for a period of request dates; its citation names the guideline, section and pages it paraphrases.",
    "Each criterion is met, not met, or not documented (a fact it needs is missing from the record). Any criterion not met: not medically necessary. Else any not documented: not medically necessary for insufficient documentation. Else medically necessary.",
    "\"Requires\" criteria must hold; \"Excludes\" criteria make the treatment not recommended when their condition holds. A criterion written \"if ... then ...\" does not apply (counts as met) when its \"if\" does not hold.",
    "Confidence: HIGH when the criteria catalog confirmed the criterion and its numbers in the source; LOW when the criterion, its rule or a number it uses is not confirmed. A decision resting on a LOW criterion is provisional. The IDs are the criteria catalog's.",
    "Proved by: the case files whose recorded decision names the criterion as its reason (because:); mtus test checks that each still decides that way.",
];

fn source(book: &Book, i: usize, out: &mut String) {
    let Some(s) = book.sources.get(i) else {
        return;
    };
    let _ = writeln!(out, "<h1>{} <code>{}</code></h1>", esc(&s.title), esc(&s.id));
    let _ = writeln!(
        out,
        "<p class=\"sub\">Tier: {}. In force {}.</p>",
        esc(s.tier),
        esc(&s.window)
    );
    out.push_str("<h2>Contents</h2>\n<ul>\n");
    for sec in &s.sections {
        let _ = write!(out, "<li>{}<ul>", esc(&sec.title));
        for r in &sec.rules {
            let _ = write!(
                out,
                "<li><a href=\"#{}\">{}</a> <code>{}</code></li>",
                esc(&r.anchor),
                esc(&r.title),
                esc(&r.name)
            );
        }
        out.push_str("</ul></li>\n");
    }
    out.push_str("</ul>\n");
    for sec in &s.sections {
        let _ = writeln!(out, "<h2>{}</h2>", esc(&sec.title));
        for r in &sec.rules {
            rule(book, r, out);
        }
    }
}

fn rule(book: &Book, r: &RuleDoc, out: &mut String) {
    let _ = writeln!(
        out,
        "<section class=\"rule\" id=\"{}\">\n<h3>{} <code>{}</code></h3>\n<dl class=\"meta\">",
        esc(&r.anchor),
        esc(&r.title),
        esc(&r.name)
    );
    let row = |out: &mut String, k: &str, v: String| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{v}</dd>", esc(k));
    };
    row(
        out,
        "Citation",
        r.citations.iter().map(|c| esc(c)).collect::<Vec<_>>().join("<br>"),
    );
    let on = if r.in_force_on_date {
        format!("<span class=\"badge yes\">in force on {}</span>", book.date)
    } else {
        format!("<span class=\"badge no\">not in force on {}</span>", book.date)
    };
    row(out, "In force", format!("{} {on}", esc(&r.window)));
    row(out, "Tier", esc(r.tier));
    row(out, "Applies to", named_list(book, &r.applies, ", "));
    row(out, "Treatments covered", named_list(book, &r.covers, "; "));
    if let Some(s) = &r.supplements {
        row(out, "Supplements", named(book, s));
    }
    if !r.supplemented_by.is_empty() {
        row(out, "Supplemented by", named_list(book, &r.supplemented_by, ", "));
    }
    if let Some(c) = &r.confidence {
        row(out, "Confidence (rule)", esc(c));
    }
    row(out, "Rule file", format!("<code>{}</code>", esc(&r.location)));
    out.push_str("</dl>\n<ol class=\"criteria\">\n");
    for c in &r.criteria {
        criterion(book, c, out);
    }
    out.push_str("</ol>\n</section>\n");
}

fn criterion(book: &Book, c: &CriterionDoc, out: &mut String) {
    let (kind, class) = if c.exclude {
        ("Excludes", "kind exclude")
    } else {
        ("Requires", "kind")
    };
    let _ = writeln!(
        out,
        "<li class=\"criterion\" id=\"{}\"><span class=\"{class}\">{kind}</span><span class=\"desc\">{}</span> <code>{}</code>",
        esc(&c.anchor),
        esc(&c.description),
        esc(&c.name)
    );
    if let Some(cite) = &c.citation {
        let _ = writeln!(out, "<div class=\"muted\">Citation: {}</div>", esc(cite));
    }
    match &c.condition {
        None => out.push_str("<div><span class=\"kw\">Not recommended</span> for the treatments covered, whatever the record says.</div>\n"),
        Some(cond) => {
            let label = if c.exclude {
                "Not recommended when:"
            } else {
                "Met when:"
            };
            let _ = write!(out, "<div><span class=\"kw\">{label}</span>");
            out.push_str("<ul class=\"cond\">");
            cond_items(book, cond, out);
            out.push_str("</ul></div>\n");
        }
    }
    if let Some(w) = &c.written {
        let _ = writeln!(
            out,
            "<details><summary>As written in the rule file</summary><pre>{}</pre></details>",
            esc(w)
        );
    }
    let conf = &c.confidence;
    let badge_class = match conf.level {
        "LOW" | "HIGH" => conf.level,
        _ => "none",
    };
    let _ = write!(
        out,
        "<div>Confidence: <span class=\"badge {badge_class}\">{}</span>",
        esc(conf.level)
    );
    if !conf.ids.is_empty() {
        let _ = write!(out, " catalog IDs: {}", esc(&conf.ids.join(", ")));
    }
    if let Some(why) = &conf.low_reason {
        let _ = write!(out, " <span class=\"muted\">(LOW because of {})</span>", esc(why));
    }
    out.push_str("</div>\n");
    if !c.constants.is_empty() {
        out.push_str("<div>Numbers and lists it uses:<ul>");
        for k in &c.constants {
            let badge_class = match k.level {
                "LOW" | "HIGH" => k.level,
                _ => "none",
            };
            let ids = if k.ids.is_empty() {
                String::new()
            } else {
                format!(" {}", esc(&k.ids.join(", ")))
            };
            let _ = write!(
                out,
                "<li><a href=\"{}\"><code>{}</code></a> = <strong>{}</strong> <span class=\"badge {badge_class}\">{}</span>{ids}</li>",
                href(book, &k.link),
                esc(&k.name),
                esc(&k.value),
                esc(k.level)
            );
        }
        out.push_str("</ul></div>\n");
    }
    proofs(&c.proofs, out);
    out.push_str("</li>\n");
}

fn proofs(ps: &[Proof], out: &mut String) {
    if ps.is_empty() {
        out.push_str("<div class=\"proofs muted\">Proved by: no case names this criterion as its reason.</div>\n");
        return;
    }
    out.push_str("<div class=\"proofs\">Proved by:<ul>");
    for p in ps {
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}</a>: request <code>{}</code> of {}, recorded {}</li>",
            esc(&encode_path(&p.href)),
            esc(&p.shown),
            esc(&p.request),
            esc(&p.date),
            esc(p.outcome)
        );
    }
    out.push_str("</ul></div>\n");
}

/// A condition as list items: a test is one item; `all of`, `any of`,
/// `not`, `if`/`then`/`otherwise` are items with their parts below.
fn cond_items(book: &Book, c: &Cond, out: &mut String) {
    match c {
        Cond::Line(parts) => {
            let _ = write!(out, "<li>{}</li>", inlines(book, parts));
        }
        Cond::All(xs) => group(book, "all of:", xs, out),
        Cond::Any(xs) => group(book, "any of:", xs, out),
        Cond::Not(x) => match &**x {
            Cond::All(xs) => group(book, "not all of:", xs, out),
            Cond::Any(xs) => group(book, "none of:", xs, out),
            _ => labelled(book, "not:", x, out),
        },
        Cond::When { cond, then, otherwise } => {
            labelled(book, "if", cond, out);
            labelled(book, "then", then, out);
            match otherwise {
                Some(o) => labelled(book, "otherwise", o, out),
                None => out.push_str(
                    "<li><span class=\"kw\">otherwise</span> <span class=\"muted\">it does not apply (counts as met)</span></li>",
                ),
            }
        }
    }
}

fn group(book: &Book, label: &str, xs: &[Cond], out: &mut String) {
    let _ = write!(out, "<li><span class=\"kw\">{}</span><ul class=\"cond\">", esc(label));
    for x in xs {
        cond_items(book, x, out);
    }
    out.push_str("</ul></li>");
}

fn labelled(book: &Book, label: &str, x: &Cond, out: &mut String) {
    match x {
        Cond::Line(parts) => {
            let _ = write!(
                out,
                "<li><span class=\"kw\">{}</span> {}</li>",
                esc(label),
                inlines(book, parts)
            );
        }
        _ => {
            let _ = write!(out, "<li><span class=\"kw\">{}</span><ul class=\"cond\">", esc(label));
            cond_items(book, x, out);
            out.push_str("</ul></li>");
        }
    }
}

fn inlines(book: &Book, parts: &[Inline]) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            Inline::Text(t) => s.push_str(&esc(t)),
            Inline::Fact {
                description,
                qualifier,
                path,
                link,
            } => {
                if let Some(q) = qualifier {
                    let _ = write!(s, "<span class=\"q\">({})</span> ", esc(q));
                }
                let _ = write!(
                    s,
                    "<a class=\"fact\" href=\"{}\" title=\"{}\">{}</a>",
                    href(book, link),
                    esc(path),
                    esc(description)
                );
            }
            Inline::Const { value, name, link } => {
                let _ = write!(
                    s,
                    "<a class=\"const\" href=\"{}\" title=\"{}\">{}</a>",
                    href(book, link),
                    esc(name),
                    esc(value)
                );
            }
            Inline::Value(v) => {
                let _ = write!(s, "<code>{}</code>", esc(v));
            }
            Inline::Named { text, link } => {
                let _ = write!(s, "<a href=\"{}\">{}</a>", href(book, link), esc(text));
            }
        }
    }
    s
}

fn treatments(book: &Book, out: &mut String) {
    out.push_str("<h1>Treatments</h1>\n<p class=\"sub\">Each treatment of the catalog, its brand names (a case may name either), its classes and the rules that cover it.</p>\n<h2>Classes</h2>\n");
    for c in &book.classes {
        let _ = writeln!(
            out,
            "<h3 id=\"{}\">{} <code>{}</code></h3>",
            esc(&c.anchor),
            esc(&c.title),
            esc(&c.name)
        );
        let _ = writeln!(out, "<p>Members: {}</p>", or_none(named_list(book, &c.members, ", ")));
        let _ = writeln!(
            out,
            "<p>Rules for the whole class: {}</p>",
            or_none(named_list(book, &c.rules, ", "))
        );
    }
    out.push_str("<h2>Treatments</h2>\n<table>\n<tr><th>Treatment</th><th>Brand and other names</th><th>Classes</th><th>Rules</th></tr>\n");
    for t in &book.treatments {
        let rules: Vec<String> = t
            .rules
            .iter()
            .map(|(n, w)| format!("{} <span class=\"muted\">({})</span>", named(book, n), esc(w)))
            .collect();
        let _ = writeln!(
            out,
            "<tr id=\"{}\"><td>{} <code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.anchor),
            esc(&t.title),
            esc(&t.name),
            esc(&t.brands.join(", ")),
            named_list(book, &t.classes, ", "),
            or_none(rules.join("<br>"))
        );
    }
    out.push_str("</table>\n");
}

fn or_none(s: String) -> String {
    if s.is_empty() {
        "<span class=\"muted\">none</span>".to_string()
    } else {
        s
    }
}

fn facts(book: &Book, out: &mut String) {
    out.push_str("<h1>Facts (glossary)</h1>\n<p class=\"sub\">Every fact a case file may hold, as the rules name it, with its description, its type and units, and the criteria that read it. A fact missing from a case is not documented; false means documented as absent.</p>\n<table class=\"facts\">\n<tr><th>Fact</th><th>Description</th><th>Type</th><th>Record</th><th>Read by</th></tr>\n");
    for f in &book.facts {
        let mut kind = esc(&f.kind);
        if !f.allowed.is_empty() {
            let _ = write!(
                kind,
                "<details><summary>{} values</summary>{}</details>",
                f.allowed.len(),
                f.allowed
                    .iter()
                    .map(|v| format!("<code>{}</code>", esc(v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
        let mut desc = esc(&f.description);
        if f.derived {
            desc.push_str(" <span class=\"muted\">(filled in by mtus from another part of the case)</span>");
        }
        let _ = writeln!(
            out,
            "<tr id=\"{}\"><td><code>{}</code></td><td>{desc}</td><td>{kind}</td><td>{}</td><td>{}</td></tr>",
            esc(&f.anchor),
            esc(&f.path),
            esc(f.scope),
            or_none(named_list(book, &f.read_by, "<br>"))
        );
    }
    out.push_str("</table>\n");
}

fn constants(book: &Book, out: &mut String) {
    out.push_str("<h1>Numbers and lists (constants)</h1>\n<p class=\"sub\">The numbers and lists the criteria use, with how sure the criteria catalog is of each (HIGH: confirmed in the source; LOW: not confirmed) and its catalog IDs.</p>\n<table>\n<tr><th>Name</th><th>Value</th><th>Confidence</th><th>What it is</th><th>Used by</th></tr>\n");
    for c in &book.constants {
        let badge_class = match c.level {
            "LOW" | "HIGH" => c.level,
            _ => "none",
        };
        let ids = if c.ids.is_empty() {
            String::new()
        } else {
            format!(" {}", esc(&c.ids.join(", ")))
        };
        let _ = writeln!(
            out,
            "<tr id=\"{}\"><td><code>{}</code></td><td><strong>{}</strong></td><td><span class=\"badge {badge_class}\">{}</span>{ids}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.anchor),
            esc(&c.name),
            esc(&c.value),
            esc(c.level),
            esc(c.description.as_deref().unwrap_or("")),
            or_none(named_list(book, &c.read_by, "<br>"))
        );
    }
    out.push_str("</table>\n");
}

fn in_force(book: &Book, out: &mut String) {
    let _ = writeln!(out, "<h1>In force on {}</h1>", book.date);
    out.push_str("<p class=\"sub\">For a request dated this day, the rules that decide each treatment, as mtus selects them: the highest tier in force decides; a supplement joins the rule it names; a lower-tier rule in force is set aside while a higher one decides. <code>mtus doc --date YYYY-MM-DD</code> shows another date.</p>\n");
    out.push_str("<table>\n<tr><th>Treatment</th><th>Decided by</th><th>Supplements</th><th>Set aside</th></tr>\n");
    for row in &book.in_force {
        let deciding = match &row.none {
            Some(why) => format!("<span class=\"muted\">{}</span>", esc(why)),
            None => named_list(book, &row.deciding, "<br>"),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{deciding}</td><td>{}</td><td>{}</td></tr>",
            named(book, &row.treatment),
            named_list(book, &row.supplements, "<br>"),
            named_list(book, &row.set_aside, "<br>")
        );
    }
    out.push_str("</table>\n<h2>Timeline of guideline versions</h2>\n<table>\n<tr><th>Guideline</th><th>Title</th><th>Tier</th><th>From</th><th>Until (first day not in force)</th><th>Rules</th></tr>\n");
    for t in &book.timeline {
        let id = match &t.link {
            Some(l) => format!("<a href=\"{}\">{}</a>", href(book, l), esc(&t.id)),
            None => esc(&t.id),
        };
        let on = if t.in_force_on_date {
            format!(" <span class=\"badge yes\">in force on {}</span>", book.date)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "<tr><td>{id}{on}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.title),
            esc(t.tier),
            esc(t.from.as_deref().unwrap_or("(no start)")),
            esc(t.until.as_deref().unwrap_or("(no end)")),
            t.rules
        );
    }
    out.push_str("</table>\n<h2>Changes by date</h2>\n<ul>\n");
    for c in &book.changes {
        let _ = writeln!(out, "<li><strong>{}</strong>: {}</li>", c.date, c.words(esc));
    }
    out.push_str("</ul>\n");
    if !book.own_periods.is_empty() {
        out.push_str("<h2>Rules with a period of their own</h2>\n<p class=\"sub\">In force for only part of their guideline's period.</p>\n<ul>\n");
        for (n, w) in &book.own_periods {
            let _ = writeln!(out, "<li>{}: {}</li>", named(book, n), esc(w));
        }
        out.push_str("</ul>\n");
    }
}
