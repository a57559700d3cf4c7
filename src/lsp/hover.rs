//! Hover text (Markdown) for a symbol of a rule folder: a fact's type,
//! unit, range, allowed values and description; a constant's value,
//! description, confidence and the criteria that read it; a treatment's
//! classes, brand names and the rules that apply to it; a class's members;
//! a rule's citation and treatments; a source's tier and period.

use std::fmt::Write as _;

use super::index::Symbol;
use super::workspace::RuleFolder;
use crate::syntax::ast::{ConfidenceDecl, UnitsDecl, UnitsOf};

/// `a`, `b`: names in code, one list.
pub(super) fn code_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `LOW (MASS-3)`, then, for each ID the criteria catalogue has, what it
/// asks and where it is from on a line of its own (the catalogue lives in
/// the repository's docs, which a rule folder elsewhere does not have).
fn confidence(c: &ConfidenceDecl) -> String {
    let ids: Vec<&str> = c.ids.iter().map(|i| i.name.as_str()).collect();
    if ids.is_empty() {
        return c.level.name().to_string();
    }
    let mut out = format!("{} ({})", c.level.name(), ids.join(", "));
    for id in ids {
        if let Some(e) = catalogue_entry(id) {
            let _ = write!(out, "\n  - `{id}`: {}", e.asks);
            if let Some(source) = e.source {
                let _ = write!(out, " ({source})");
            }
        }
    }
    out
}

/// An entry of docs/criteria-catalogue.md: what the criterion asks and its
/// source, in the catalogue's words.
struct CatalogueEntry {
    asks: &'static str,
    source: Option<&'static str>,
}

/// The catalogue's entry for a criteria ID (`### MASS-3`, then `- Asks:`
/// and `- Source:` lines), if it has one.
fn catalogue_entry(id: &str) -> Option<CatalogueEntry> {
    const CATALOGUE: &str = include_str!("../../docs/criteria-catalogue.md");
    let heading = format!("### {id}");
    let mut lines = CATALOGUE.lines().skip_while(|l| l.trim_end() != heading).skip(1);
    let mut asks = None;
    let mut source = None;
    for l in lines.by_ref() {
        if l.starts_with('#') {
            break;
        }
        if let Some(a) = l.strip_prefix("- Asks: ") {
            asks = Some(a.trim());
        } else if let Some(s) = l.strip_prefix("- Source: ") {
            source = Some(s.trim());
        }
    }
    Some(CatalogueEntry { asks: asks?, source })
}

fn units(f: &RuleFolder, u: &[UnitsDecl]) -> String {
    u.iter()
        .map(|d| {
            let which = match d.of {
                UnitsOf::Quantity => "quantity in",
                UnitsOf::Strength => "strength in",
            };
            let _ = f;
            format!("{which} {}", code_list(d.units.iter().map(|x| x.name.as_str())))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The hover text of a symbol; `None` when it is not declared.
pub fn render(f: &RuleFolder, s: &Symbol) -> Option<String> {
    let mut out = String::new();
    match s {
        Symbol::Fact(path) => fact(f, s, path, &mut out)?,
        Symbol::Const(name) => constant(f, s, name, &mut out)?,
        Symbol::Treatment(name) => treatment(f, name, &mut out)?,
        Symbol::Class(name) => class(f, name, &mut out)?,
        Symbol::Rule(name) => rule(f, name, &mut out)?,
        Symbol::Criterion(full) => criterion(f, full, &mut out)?,
        Symbol::Value(path, value) => closed_value(f, s, path, value, &mut out)?,
        Symbol::Source(id) => source(f, id, &mut out)?,
    }
    Some(out)
}

/// The hover text of a fact.
fn fact(f: &RuleFolder, s: &Symbol, path: &str, out: &mut String) -> Option<()> {
    let ix = &f.index;
    let (file, d) = ix.facts.get(path)?;
    let ty = if d.ty.list {
        format!("list<{}>", d.ty.name.name)
    } else {
        d.ty.name.name.clone()
    };
    let _ = writeln!(out, "**fact** `{path}`: `{ty}`\n\n{}\n", d.description.value);
    if let Some(u) = &d.unit {
        let _ = writeln!(out, "- unit: `{}`", u.name);
    }
    if let Some(r) = &d.range {
        let _ = writeln!(out, "- range: `{}`", f.slice(r.span).trim_start_matches("range").trim());
    }
    if let Some(of) = &d.of {
        let _ = writeln!(
            out,
            "- allowed values: {}",
            code_list(of.items.iter().map(|i| i.name.as_str()))
        );
    }
    for (efile, list) in ix.extends.get(path).into_iter().flatten() {
        let _ = writeln!(
            out,
            "- added by `extend` in {}: {}",
            f.file_name(*efile),
            code_list(list.items.iter().map(|i| i.name.as_str()))
        );
    }
    if let Some(field) = path.strip_prefix("history.*.") {
        let _ = writeln!(
            out,
            "- read in rules as `prior.{field}` (the requested treatment's history) or `history.TREATMENT.{field}`"
        );
    }
    let readers = ix.read_by(s);
    if !readers.is_empty() {
        let _ = writeln!(out, "- read by {}", code_list(readers.iter().map(String::as_str)));
    }
    let _ = write!(out, "\ndeclared in {}", f.file_name(*file));
    Some(())
}

/// The hover text of a const.
fn constant(f: &RuleFolder, s: &Symbol, name: &str, out: &mut String) -> Option<()> {
    let ix = &f.index;
    let (file, d) = ix.consts.get(name)?;
    let _ = writeln!(out, "**const** `{name}` = `{}`\n", f.slice(d.value.span));
    if let Some(desc) = &d.description {
        let _ = writeln!(out, "{}\n", desc.value);
    }
    match &d.confidence {
        Some(c) => {
            let _ = writeln!(out, "- confidence: {}", confidence(c));
        }
        None => {
            let _ = writeln!(out, "- confidence: not stated");
        }
    }
    let readers = ix.read_by(s);
    if readers.is_empty() {
        let _ = writeln!(out, "- read by no criterion");
    } else {
        let _ = writeln!(out, "- read by {}", code_list(readers.iter().map(String::as_str)));
    }
    let _ = write!(out, "\ndeclared in {}", f.file_name(*file));
    Some(())
}

/// The hover text of a treatment.
fn treatment(f: &RuleFolder, name: &str, out: &mut String) -> Option<()> {
    let ix = &f.index;
    let (file, d) = ix.treatments.get(name)?;
    let _ = writeln!(out, "**treatment** `{name}`: {}\n", d.title.value);
    for c in &d.classes {
        match ix.classes.get(&c.name) {
            Some((_, cd)) => {
                let _ = writeln!(out, "- class `{}` ({})", c.name, cd.title.value);
            }
            None => {
                let _ = writeln!(out, "- class `{}`", c.name);
            }
        }
    }
    if !d.aka.is_empty() {
        let names: Vec<&str> = d.aka.iter().map(|a| a.value.as_str()).collect();
        let _ = writeln!(out, "- brand names and other names: {}", names.join(", "));
    }
    if !d.units.is_empty() {
        let _ = writeln!(out, "- {}", units(f, &d.units));
    }
    let rules = ix.rules_applying_to(name);
    if !rules.is_empty() {
        let _ = writeln!(out, "- rules: {}", code_list(rules.iter().map(String::as_str)));
    }
    let _ = write!(out, "\ndeclared in {}", f.file_name(*file));
    Some(())
}

/// The hover text of a class.
fn class(f: &RuleFolder, name: &str, out: &mut String) -> Option<()> {
    let ix = &f.index;
    let (file, d) = ix.classes.get(name)?;
    let _ = writeln!(out, "**class** `{name}`: {}\n", d.title.value);
    let members: Vec<&str> = ix
        .treatments
        .iter()
        .filter(|(_, (_, t))| t.classes.iter().any(|c| c.name == *name))
        .map(|(n, _)| n.as_str())
        .collect();
    let _ = writeln!(out, "- members: {}", code_list(members));
    if !d.units.is_empty() {
        let _ = writeln!(out, "- {}", units(f, &d.units));
    }
    let _ = write!(out, "\ndeclared in {}", f.file_name(*file));
    Some(())
}

/// The hover text of a rule.
fn rule(f: &RuleFolder, name: &str, out: &mut String) -> Option<()> {
    let ix = &f.index;
    let (file, d) = ix.rules.get(name)?;
    let _ = writeln!(out, "**rule** `{name}`: {}\n", d.title.value);
    for c in &d.cites {
        let _ = writeln!(out, "- {}", f.slice(c.span));
    }
    let _ = writeln!(
        out,
        "- applies to {}",
        code_list(d.applies.iter().map(|a| a.name.as_str()))
    );
    for e in &d.effective {
        let _ = writeln!(out, "- {}", f.slice(e.span));
    }
    for s in &d.supplements {
        let _ = writeln!(out, "- supplements `{}`", s.name);
    }
    if let Some(c) = &d.confidence {
        let _ = writeln!(out, "- confidence: {}", confidence(c));
    }
    let _ = writeln!(
        out,
        "- criteria: {}",
        code_list(d.criteria.iter().map(|c| c.name.name.as_str()))
    );
    let _ = write!(out, "\ndeclared in {}", f.file_name(*file));
    Some(())
}

/// The hover text of a criterion.
fn criterion(f: &RuleFolder, full: &str, out: &mut String) -> Option<()> {
    let ix = &f.index;
    let (rule, name) = full.split_once('.')?;
    let (file, r) = ix.rules.get(rule)?;
    let c = r.criteria.iter().find(|c| c.name.name == name)?;
    let kind = match c.kind {
        crate::syntax::ast::CriterionKind::Require => "require",
        crate::syntax::ast::CriterionKind::Exclude => "exclude",
    };
    let _ = writeln!(out, "**{kind}** `{full}`\n\n{}\n", c.description.value);
    match &c.cites {
        Some(cite) => {
            let _ = writeln!(out, "- {}", f.slice(cite.span));
        }
        None => {
            if let Some(cite) = r.cites.first() {
                let _ = writeln!(out, "- {} (the rule's)", f.slice(cite.span));
            }
        }
    }
    match (&c.confidence, &r.confidence) {
        (Some(own), _) => {
            let _ = writeln!(out, "- confidence: {}", confidence(own));
        }
        (None, Some(rule)) => {
            let _ = writeln!(out, "- confidence: {} (the rule's)", confidence(rule));
        }
        (None, None) => {}
    }
    // The checked rules know the effective confidence (a LOW
    // constant read makes a criterion LOW too).
    let grounds = f.rules.as_ref().and_then(|rs| {
        let p = &rs.program;
        let rule = p.rule(p.rule_named(rule)?);
        rule.criteria.iter().find(|x| x.name == name).map(|x| &x.grounds)
    });
    if let Some(g) = grounds {
        if g.is_low() {
            let _ = writeln!(out, "- effective confidence: LOW ({})", g.low_reason());
        } else if let Some(l) = g.stated {
            let _ = writeln!(out, "- effective confidence: {}", l.name());
        }
    }
    // As rules write them: a history fact as `prior.X`.
    let mut reads: Vec<String> = ix
        .occurrences
        .iter()
        .filter(|o| o.context.as_deref() == Some(full))
        .filter_map(|o| match &o.symbol {
            Symbol::Fact(p) => Some(match p.strip_prefix("history.*.") {
                Some(field) => format!("prior.{field}"),
                None => p.clone(),
            }),
            Symbol::Const(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    reads.sort_unstable();
    reads.dedup();
    if !reads.is_empty() {
        let _ = writeln!(out, "- reads {}", code_list(reads.iter().map(String::as_str)));
    }
    if c.expr.is_none() {
        let _ = writeln!(out, "- no condition: the rule never recommends the treatment");
    }
    let _ = write!(out, "\ndeclared in {}", f.file_name(*file));
    Some(())
}

/// The hover text of a value.
fn closed_value(f: &RuleFolder, s: &Symbol, path: &str, value: &str, out: &mut String) -> Option<()> {
    let ix = &f.index;
    let (file, d) = ix.facts.get(path)?;
    let _ = writeln!(out, "**value** `{value}` of fact `{path}`\n\n{}\n", d.description.value);
    let mut all: Vec<&str> = d.of.iter().flat_map(|l| &l.items).map(|i| i.name.as_str()).collect();
    all.extend(
        ix.extends
            .get(path)
            .into_iter()
            .flatten()
            .flat_map(|(_, l)| &l.items)
            .map(|i| i.name.as_str()),
    );
    let _ = writeln!(out, "- allowed values: {}", code_list(all));
    let readers = ix.read_by(s);
    if !readers.is_empty() {
        let _ = writeln!(out, "- named by {}", code_list(readers.iter().map(String::as_str)));
    }
    let declared = ix.definition(s).map_or(*file, |o| o.span.file);
    let _ = write!(out, "\ndeclared in {}", f.file_name(declared));
    Some(())
}

/// The hover text of a source.
fn source(f: &RuleFolder, id: &str, out: &mut String) -> Option<()> {
    let ix = &f.index;
    let (file, d) = ix.sources.get(id)?;
    let _ = writeln!(out, "**source** `{id}`: {}\n", d.title.value);
    if let Some(t) = &d.tier {
        let _ = writeln!(out, "- tier `{}`", t.name);
    }
    if let Some(e) = &d.effective {
        let _ = writeln!(out, "- {}", f.slice(e.span));
    }
    let _ = write!(out, "\ndeclared in {}", f.file_name(*file));
    Some(())
}

#[cfg(test)]
mod tests {
    use super::catalogue_entry;

    #[test]
    fn a_catalogue_id_brings_what_it_asks_and_its_source() {
        let e = catalogue_entry("MASS-2").expect("MASS-2 is in the catalogue");
        assert!(e.asks.contains("4-6 massage visits"), "{}", e.asks);
        assert_eq!(e.source, Some("CPMTG 2009, \"Massage therapy\", p. 60"));
        // A heading is matched whole: MASS-1 is not MASS-10's prefix match.
        let one = catalogue_entry("MASS-1").expect("MASS-1");
        assert!(one.asks.starts_with("Massage is an add-on"), "{}", one.asks);
        assert!(catalogue_entry("NO-SUCH-ID").is_none());
    }
}
