//! The book as Markdown pages (CommonMark with tables, as GitHub renders
//! it): the same content as the HTML, every text escaped so that nothing
//! from a rule or case file becomes markup, a link or raw HTML.

use std::fmt::Write as _;

use super::cond::{Cond, Inline};
use super::html::HOW_TO_READ;
use super::model::{Book, CriterionDoc, Named, RuleDoc};
use super::{Format, Link, Page, PageId, encode_path};

/// Escape text for Markdown: the characters that start markup get a
/// backslash; line breaks and other control characters become spaces.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span, when the text allows one; else escaped text.
fn code(s: &str) -> String {
    if s.is_empty() || s.contains('`') || s.chars().any(char::is_control) {
        esc(s)
    } else {
        format!("`{s}`")
    }
}

fn href(book: &Book, link: &Link) -> String {
    book.href(link, Format::Markdown)
}

fn named(book: &Book, n: &Named) -> String {
    let c = n.code.as_ref().map(|c| format!(" {}", code(c))).unwrap_or_default();
    format!("[{}]({}){c}", esc(&n.text), href(book, &n.link))
}

fn named_list(book: &Book, ns: &[Named], sep: &str) -> String {
    ns.iter().map(|n| named(book, n)).collect::<Vec<_>>().join(sep)
}

fn or_none(s: String) -> String {
    if s.is_empty() { "none".to_string() } else { s }
}

/// One page of the book.
pub fn page(book: &Book, page: &Page) -> String {
    let mut out = String::new();
    let nav: Vec<String> = [
        (PageId::Index, "Rule book"),
        (PageId::InForce, "In force"),
        (PageId::Treatments, "Treatments"),
        (PageId::Facts, "Facts"),
        (PageId::Constants, "Numbers and lists"),
    ]
    .iter()
    .map(|&(id, label)| format!("[{label}]({})", href(book, &Link::page(id))))
    .collect();
    let _ = writeln!(out, "{}\n", nav.join(" · "));
    match page.id {
        PageId::Index => index(book, &mut out),
        PageId::Source(i) => source(book, i, &mut out),
        PageId::Treatments => treatments(book, &mut out),
        PageId::Facts => facts(book, &mut out),
        PageId::Constants => constants(book, &mut out),
        PageId::InForce => in_force(book, &mut out),
    }
    out
}

fn index(book: &Book, out: &mut String) {
    let t = &book.totals;
    let _ = writeln!(out, "# MTUS rule book\n");
    let _ = writeln!(
        out,
        "The rules mtus applies, in plain words, for review. Rules: {}. Written by `mtus doc` from the rule files; it decides nothing.\n",
        esc(&book.origin)
    );
    let _ = writeln!(
        out,
        "{} rules with {} criteria. {} of the {} criteria are named as the reason (`because:`) of a recorded decision in the {} case files read ({} such decisions).\n",
        t.rules, t.criteria, t.criteria_proven, t.criteria, t.cases, t.proofs
    );
    out.push_str("## How to read a rule\n\n");
    for line in HOW_TO_READ {
        let _ = writeln!(out, "- {}", esc(line));
    }
    out.push_str(
        "\n## Guidelines\n\n| Guideline | Title | Tier | In force | Rules |\n| --- | --- | --- | --- | --- |\n",
    );
    for (i, s) in book.sources.iter().enumerate() {
        let n: usize = s.sections.iter().map(|x| x.rules.len()).sum();
        let _ = writeln!(
            out,
            "| [{}]({}) | {} | {} | {} | {n} |",
            esc(&s.id),
            href(book, &Link::page(PageId::Source(i))),
            esc(&s.title),
            esc(s.tier),
            esc(&s.window)
        );
    }
    out.push_str("\n## Also in this book\n\n");
    for p in book.pages().iter().skip(1).take(4) {
        let _ = writeln!(out, "- [{}]({})", esc(&p.title), href(book, &Link::page(p.id)));
    }
}

fn source(book: &Book, i: usize, out: &mut String) {
    let Some(s) = book.sources.get(i) else {
        return;
    };
    let _ = writeln!(out, "# {} {}\n", esc(&s.title), code(&s.id));
    let _ = writeln!(out, "Tier: {}. In force {}.\n", esc(s.tier), esc(&s.window));
    out.push_str("## Contents\n\n");
    for sec in &s.sections {
        let _ = writeln!(out, "- {}", esc(&sec.title));
        for r in &sec.rules {
            let _ = writeln!(out, "  - [{}](#{}) {}", esc(&r.title), r.anchor, code(&r.name));
        }
    }
    for sec in &s.sections {
        let _ = writeln!(out, "\n## {}", esc(&sec.title));
        for r in &sec.rules {
            rule(book, r, out);
        }
    }
}

fn rule(book: &Book, r: &RuleDoc, out: &mut String) {
    let _ = writeln!(
        out,
        "\n<a id=\"{}\"></a>\n### {} {}\n",
        r.anchor,
        esc(&r.title),
        code(&r.name)
    );
    let _ = writeln!(
        out,
        "- **Citation:** {}",
        r.citations.iter().map(|c| esc(c)).collect::<Vec<_>>().join("; ")
    );
    let on = if r.in_force_on_date { "in force" } else { "not in force" };
    let _ = writeln!(out, "- **In force:** {} ({on} on {})", esc(&r.window), book.date);
    let _ = writeln!(out, "- **Tier:** {}", esc(r.tier));
    let _ = writeln!(out, "- **Applies to:** {}", named_list(book, &r.applies, ", "));
    let _ = writeln!(out, "- **Treatments covered:** {}", named_list(book, &r.covers, "; "));
    if let Some(s) = &r.supplements {
        let _ = writeln!(out, "- **Supplements:** {}", named(book, s));
    }
    if !r.supplemented_by.is_empty() {
        let _ = writeln!(
            out,
            "- **Supplemented by:** {}",
            named_list(book, &r.supplemented_by, ", ")
        );
    }
    if let Some(c) = &r.confidence {
        let _ = writeln!(out, "- **Confidence (rule):** {}", esc(c));
    }
    let _ = writeln!(out, "- **Rule file:** {}", code(&r.location));
    out.push_str("\n**Criteria**, in the order they are applied:\n\n");
    for (i, c) in r.criteria.iter().enumerate() {
        criterion(book, i + 1, c, out);
    }
}

fn criterion(book: &Book, n: usize, c: &CriterionDoc, out: &mut String) {
    let marker = format!("{n}. ");
    let pad = " ".repeat(marker.len());
    let kind = if c.exclude { "Excludes" } else { "Requires" };
    let _ = writeln!(
        out,
        "{marker}<a id=\"{}\"></a>**{kind}:** **{}** {}\n",
        c.anchor,
        esc(&c.description),
        code(&c.name)
    );
    if let Some(cite) = &c.citation {
        let _ = writeln!(out, "{pad}Citation: {}\n", esc(cite));
    }
    match &c.condition {
        None => {
            let _ = writeln!(
                out,
                "{pad}**Not recommended** for the treatments covered, whatever the record says.\n"
            );
        }
        Some(cond) => {
            let label = if c.exclude {
                "Not recommended when:"
            } else {
                "Met when:"
            };
            let _ = writeln!(out, "{pad}{label}\n");
            cond_items(book, cond, &pad, out);
            out.push('\n');
        }
    }
    if let Some(w) = &c.written {
        let longest = longest_run(w, '`');
        let fence = "`".repeat(longest.max(2) + 1);
        let _ = writeln!(out, "{pad}As written in the rule file:\n\n{pad}{fence}");
        for line in w.lines() {
            let _ = writeln!(out, "{pad}{line}");
        }
        let _ = writeln!(out, "{pad}{fence}\n");
    }
    let conf = &c.confidence;
    let mut line = format!("{pad}Confidence: **{}**", conf.level);
    if !conf.ids.is_empty() {
        let _ = write!(line, ", catalog IDs: {}", esc(&conf.ids.join(", ")));
    }
    if let Some(why) = &conf.low_reason {
        let _ = write!(line, " (LOW because of {})", esc(why));
    }
    let _ = writeln!(out, "{line}\n");
    if !c.constants.is_empty() {
        let _ = writeln!(out, "{pad}Numbers and lists it uses:\n");
        for k in &c.constants {
            let ids = if k.ids.is_empty() {
                String::new()
            } else {
                format!(" {}", esc(&k.ids.join(", ")))
            };
            let _ = writeln!(
                out,
                "{pad}- [{}]({}) = **{}**, confidence **{}**{ids}",
                code(&k.name),
                href(book, &k.link),
                esc(&k.value),
                k.level
            );
        }
        out.push('\n');
    }
    if c.proofs.is_empty() {
        let _ = writeln!(out, "{pad}Proved by: no case names this criterion as its reason.\n");
    } else {
        let _ = writeln!(out, "{pad}Proved by:\n");
        for p in &c.proofs {
            let _ = writeln!(
                out,
                "{pad}- [{}]({}): request {} of {}, recorded {}",
                esc(&p.shown),
                encode_path(&p.href),
                code(&p.request),
                esc(&p.date),
                p.outcome
            );
        }
        out.push('\n');
    }
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in s.chars() {
        if c == ch {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// A condition as a nested list: a test is one item; `all of`, `any of`,
/// `not`, `if`/`then`/`otherwise` are items with their parts below.
fn cond_items(book: &Book, c: &Cond, pad: &str, out: &mut String) {
    match c {
        Cond::Line(parts) => {
            let _ = writeln!(out, "{pad}- {}", inlines(book, parts));
        }
        Cond::All(xs) => group(book, "all of:", xs, pad, out),
        Cond::Any(xs) => group(book, "any of:", xs, pad, out),
        Cond::Not(x) => match &**x {
            Cond::All(xs) => group(book, "not all of:", xs, pad, out),
            Cond::Any(xs) => group(book, "none of:", xs, pad, out),
            _ => labelled(book, "not:", x, pad, out),
        },
        Cond::When { cond, then, otherwise } => {
            labelled(book, "if", cond, pad, out);
            labelled(book, "then", then, pad, out);
            match otherwise {
                Some(o) => labelled(book, "otherwise", o, pad, out),
                None => {
                    let _ = writeln!(out, "{pad}- *otherwise* it does not apply (counts as met)");
                }
            }
        }
    }
}

fn group(book: &Book, label: &str, xs: &[Cond], pad: &str, out: &mut String) {
    let _ = writeln!(out, "{pad}- *{label}*");
    let inner = format!("{pad}  ");
    for x in xs {
        cond_items(book, x, &inner, out);
    }
}

fn labelled(book: &Book, label: &str, x: &Cond, pad: &str, out: &mut String) {
    match x {
        Cond::Line(parts) => {
            let _ = writeln!(out, "{pad}- *{label}* {}", inlines(book, parts));
        }
        _ => {
            let _ = writeln!(out, "{pad}- *{label}*");
            cond_items(book, x, &format!("{pad}  "), out);
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
                link,
                ..
            } => {
                if let Some(q) = qualifier {
                    let _ = write!(s, "({}) ", esc(q));
                }
                let _ = write!(s, "[{}]({})", esc(description), href(book, link));
            }
            Inline::Const { value, link, .. } => {
                let _ = write!(s, "[**{}**]({})", esc(value), href(book, link));
            }
            Inline::Value(v) => s.push_str(&code(v)),
            Inline::Named { text, link } => {
                let _ = write!(s, "[{}]({})", esc(text), href(book, link));
            }
        }
    }
    s
}

fn treatments(book: &Book, out: &mut String) {
    out.push_str("# Treatments\n\nEach treatment of the catalog, its brand names (a case may name either), its classes and the rules that cover it.\n\n## Classes\n");
    for c in &book.classes {
        let _ = writeln!(
            out,
            "\n<a id=\"{}\"></a>\n### {} {}\n",
            c.anchor,
            esc(&c.title),
            code(&c.name)
        );
        let _ = writeln!(out, "- Members: {}", or_none(named_list(book, &c.members, ", ")));
        let _ = writeln!(
            out,
            "- Rules for the whole class: {}",
            or_none(named_list(book, &c.rules, ", "))
        );
    }
    out.push_str(
        "\n## Treatments\n\n| Treatment | Brand and other names | Classes | Rules |\n| --- | --- | --- | --- |\n",
    );
    for t in &book.treatments {
        let rules: Vec<String> = t
            .rules
            .iter()
            .map(|(n, w)| format!("{} ({})", named(book, n), esc(w)))
            .collect();
        let _ = writeln!(
            out,
            "| <a id=\"{}\"></a>{} {} | {} | {} | {} |",
            t.anchor,
            esc(&t.title),
            code(&t.name),
            esc(&t.brands.join(", ")),
            named_list(book, &t.classes, ", "),
            or_none(rules.join("; "))
        );
    }
}

fn facts(book: &Book, out: &mut String) {
    out.push_str("# Facts (glossary)\n\nEvery fact a case file may hold, as the rules name it, with its description, its type and units, and the criteria that read it. A fact missing from a case is not documented; false means documented as absent.\n\n| Fact | Description | Type | Record | Read by |\n| --- | --- | --- | --- | --- |\n");
    for f in &book.facts {
        let mut kind = esc(&f.kind);
        if !f.allowed.is_empty() {
            let _ = write!(
                kind,
                "; values: {}",
                f.allowed.iter().map(|v| code(v)).collect::<Vec<_>>().join(", ")
            );
        }
        let mut desc = esc(&f.description);
        if f.derived {
            desc.push_str(" (filled in by mtus from another part of the case)");
        }
        let _ = writeln!(
            out,
            "| <a id=\"{}\"></a>{} | {desc} | {kind} | {} | {} |",
            f.anchor,
            code(&f.path),
            esc(f.scope),
            or_none(named_list(book, &f.read_by, "; "))
        );
    }
}

fn constants(book: &Book, out: &mut String) {
    out.push_str("# Numbers and lists (constants)\n\nThe numbers and lists the criteria use, with how sure the criteria catalog is of each (HIGH: confirmed in the source; LOW: not confirmed) and its catalog IDs.\n\n| Name | Value | Confidence | What it is | Used by |\n| --- | --- | --- | --- | --- |\n");
    for c in &book.constants {
        let ids = if c.ids.is_empty() {
            String::new()
        } else {
            format!(" {}", esc(&c.ids.join(", ")))
        };
        let _ = writeln!(
            out,
            "| <a id=\"{}\"></a>{} | **{}** | **{}**{ids} | {} | {} |",
            c.anchor,
            code(&c.name),
            esc(&c.value),
            c.level,
            esc(c.description.as_deref().unwrap_or("")),
            or_none(named_list(book, &c.read_by, "; "))
        );
    }
}

fn in_force(book: &Book, out: &mut String) {
    let _ = writeln!(out, "# In force on {}\n", book.date);
    out.push_str("For a request dated this day, the rules that decide each treatment, as mtus selects them: the highest tier in force decides; a supplement joins the rule it names; a lower-tier rule in force is set aside while a higher one decides. `mtus doc --date YYYY-MM-DD` shows another date.\n\n| Treatment | Decided by | Supplements | Set aside |\n| --- | --- | --- | --- |\n");
    for row in &book.in_force {
        let deciding = match &row.none {
            Some(why) => format!("*{}*", esc(why)),
            None => named_list(book, &row.deciding, "; "),
        };
        let _ = writeln!(
            out,
            "| {} | {deciding} | {} | {} |",
            named(book, &row.treatment),
            named_list(book, &row.supplements, "; "),
            named_list(book, &row.set_aside, "; ")
        );
    }
    out.push_str("\n## Timeline of guideline versions\n\n| Guideline | Title | Tier | From | Until (first day not in force) | Rules |\n| --- | --- | --- | --- | --- | --- |\n");
    for t in &book.timeline {
        let id = match &t.link {
            Some(l) => format!("[{}]({})", esc(&t.id), href(book, l)),
            None => esc(&t.id),
        };
        let on = if t.in_force_on_date {
            format!(" (in force on {})", book.date)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {id}{on} | {} | {} | {} | {} | {} |",
            esc(&t.title),
            esc(t.tier),
            esc(t.from.as_deref().unwrap_or("(no start)")),
            esc(t.until.as_deref().unwrap_or("(no end)")),
            t.rules
        );
    }
    out.push_str("\n## Changes by date\n\n");
    for c in &book.changes {
        let _ = writeln!(out, "- **{}**: {}", c.date, c.words(esc));
    }
    if !book.own_periods.is_empty() {
        out.push_str(
            "\n## Rules with a period of their own\n\nIn force for only part of their guideline's period.\n\n",
        );
        for (n, w) in &book.own_periods {
            let _ = writeln!(out, "- {}: {}", named(book, n), esc(w));
        }
    }
}
