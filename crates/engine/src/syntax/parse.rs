//! Text to syntax tree.
//!
//! A file is split into chunks, one per top-level item (an item starts on
//! a line whose first character is not blank and not `#`). Each chunk is
//! parsed on its own, so one broken rule does not hide the errors of the
//! next. Before pest sees a chunk, a scan bounds its bracket nesting, and
//! the tree builder bounds `not` chains: nothing after parsing recurses
//! deeper than [`MAX_NESTING`] levels per expression.

use pest::Parser;
use pest::iterators::Pair;

use super::ast::*;
use crate::diag::{Diagnostic, FileId, Span};
use crate::value::Date;

#[derive(pest_derive::Parser)]
#[grammar = "syntax/grammar.pest"]
struct RuleParser;

/// Deepest nesting of parentheses, brackets and `not` in one expression.
/// Real criteria nest a handful of levels; the bound keeps parsing, checking
/// and compiling well inside a small thread stack.
pub const MAX_NESTING: usize = 16;

/// A top-level item's text and where it starts in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunk<'a> {
    pub start: usize,
    pub text: &'a str,
}

/// Split a file into top-level chunks. Leading comment lines and blank
/// lines before the first item are not part of any chunk.
pub fn chunks(text: &str) -> Vec<Chunk<'_>> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let first = line.chars().next();
        if let Some(c) = first {
            if !c.is_whitespace() && c != '#' {
                starts.push(offset);
            }
        }
        offset += line.len();
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, &s) in starts.iter().enumerate() {
        let e = starts.get(i + 1).copied().unwrap_or(text.len());
        out.push(Chunk {
            start: s,
            text: &text[s..e],
        });
    }
    out
}

/// Parse one rule file. Returns the items that parsed and a diagnostic for
/// each chunk that did not.
pub fn parse_file(file: FileId, text: &str) -> (RuleFile, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let mut diags = Vec::new();
    if let Some(d) = stray_text_before_first_item(file, text) {
        diags.push(d);
    }
    let mut broken_rules = Vec::new();
    for chunk in chunks(text) {
        match parse_chunk(file, &chunk) {
            Ok(item) => items.push(item),
            Err(d) => {
                broken_rules.extend(rule_name(file, &chunk));
                diags.push(d);
            }
        }
    }
    (RuleFile { items, broken_rules }, diags)
}

/// The name of a rule from the start of its text (`rule NAME ...`), when
/// the rest does not parse.
fn rule_name(file: FileId, chunk: &Chunk<'_>) -> Option<Ident> {
    let rest = chunk.text.strip_prefix("rule")?;
    let name_at = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if name_at == 0 {
        return None;
    }
    let rest = &rest[name_at..];
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = &rest[..len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let start = chunk.start + "rule".len() + name_at;
    Some(Ident {
        name: name.to_string(),
        span: Span::new(file, start, start + len),
    })
}

/// Indented text before the first item belongs to no chunk; report it
/// rather than skip it silently.
fn stray_text_before_first_item(file: FileId, text: &str) -> Option<Diagnostic> {
    let first = chunks(text).first().map_or(text.len(), |c| c.start);
    let head = &text[..first];
    let blanked = super::comments::comments(head)
        .iter()
        .fold(head.to_string(), |mut s, c| {
            s.replace_range(c.start..c.end, &" ".repeat(c.end - c.start));
            s
        });
    let at = blanked.find(|c: char| !c.is_whitespace())?;
    let len = blanked[at..].find(char::is_whitespace).unwrap_or(blanked.len() - at);
    Some(
        Diagnostic::error("syntax", Span::new(file, at, at + len), "expected an item in column 1")
            .with_help("an item (`rule`, `fact`, `source`, ...) starts at the beginning of a line; only the lines under it are indented"),
    )
}

/// The parse tree of one chunk's item, for tools that need every token
/// (the formatter). `None` when the chunk does not parse.
pub fn item_tree(text: &str) -> Option<Pair<'_, Rule>> {
    RuleParser::parse(Rule::item, text)
        .ok()?
        .find(|p| p.as_rule() != Rule::EOI)
}

fn parse_chunk(file: FileId, chunk: &Chunk<'_>) -> Result<Item, Diagnostic> {
    scan_nesting(file, chunk)?;
    let pairs = RuleParser::parse(Rule::item, chunk.text).map_err(|e| syntax_error(file, chunk, e))?;
    let b = Builder {
        file,
        base: chunk.start,
    };
    let item = pairs
        .into_iter()
        .find(|p| p.as_rule() != Rule::EOI)
        .ok_or_else(|| Diagnostic::error("syntax", b.span_at(0, chunk.text.len()), "empty item"))?;
    b.item(item)
}

/// Reject bracket nesting deeper than [`MAX_NESTING`] before pest recurses
/// into it.
fn scan_nesting(file: FileId, chunk: &Chunk<'_>) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, c) in chunk.text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => in_comment = true,
            '(' | '[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    let at = chunk.start + i;
                    return Err(Diagnostic::error(
                        "nesting",
                        Span::new(file, at, at + 1),
                        format!("expression nests more than {MAX_NESTING} levels deep"),
                    )
                    .with_help("split the criterion into several criteria, or name a part of it with `const`"));
                }
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn syntax_error(file: FileId, chunk: &Chunk<'_>, e: pest::error::Error<Rule>) -> Diagnostic {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // At the end of an item, point just after its last token rather than
    // at the start of the next item.
    let content_end = chunk.text.trim_end().len();
    let pos = if pos >= content_end { content_end } else { pos };
    let found = found_at(chunk.text, pos);
    let (start, end) = if found.is_empty() {
        // Nothing follows: underline the last word, where something is missing.
        let word = chunk.text[..pos].rfind(char::is_whitespace).map_or(0, |i| i + 1);
        (word.min(pos.saturating_sub(1)), pos)
    } else {
        (pos, pos + found.len())
    };
    let span = Span::new(file, chunk.start + start, chunk.start + end);
    let message = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().map(|r| friendly(*r)).collect();
            names.sort_unstable();
            names.dedup();
            let found = if found.is_empty() {
                "the end of the item".to_string()
            } else {
                format!("`{found}`")
            };
            match names.as_slice() {
                [] => format!("unexpected {found}"),
                [one] => format!("expected {one}, found {found}"),
                many => {
                    let (last, rest) = many.split_last().unwrap_or((&"", &[]));
                    format!("expected {} or {last}, found {found}", rest.join(", "))
                }
            }
        }
        ErrorVariant::CustomError { message } => message.clone(),
    };
    let mut d = Diagnostic::error("syntax", span, message);
    let about_confidence = matches!(&e.variant, ErrorVariant::ParsingError { positives, .. }
        if positives.iter().any(|r| matches!(r, Rule::confidence_level | Rule::criteria_id)));
    if about_confidence {
        d = d.with_help(
            "write `confidence high ID` or `confidence low ID`, with the criteria catalog IDs it rests on (`OPI-9`, `ACU18-1`) separated by commas",
        );
    } else if let Some(help) = syntax_help(chunk.text, pos) {
        d = d.with_help(help);
    } else if let ErrorVariant::ParsingError { positives, .. } = &e.variant {
        if let Some(kw) = keyword_meant(found, positives) {
            d = d.with_help(format!("did you mean `{kw}`?"));
        }
    }
    d
}

/// The keyword a word found where keywords were expected is a typo of
/// (`requir` for `require`), if it is close to one of them.
fn keyword_meant(found: &str, positives: &[Rule]) -> Option<&'static str> {
    // Longer than any keyword by more than a typo: not one (and the edit
    // distance stays cheap).
    if found.is_empty() || found.len() > 16 || !found.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    let candidates: Vec<&'static str> = positives.iter().flat_map(|r| keywords_of(*r)).copied().collect();
    if candidates.contains(&found) {
        return None;
    }
    crate::diag::did_you_mean(found, candidates.iter().copied())
}

/// The keywords that start what a rule of the grammar expects.
fn keywords_of(rule: Rule) -> &'static [&'static str] {
    match rule {
        Rule::criterion | Rule::criterion_kind | Rule::require_kw | Rule::exclude_kw => &["require", "exclude"],
        Rule::cites_clause | Rule::kw_cites => &["cites"],
        Rule::applies_clause | Rule::kw_applies => &["applies"],
        Rule::effective_clause | Rule::kw_effective => &["effective"],
        Rule::supplements_clause | Rule::kw_supplements => &["supplements"],
        Rule::confidence_clause | Rule::kw_confidence => &["confidence"],
        Rule::tier_clause | Rule::kw_tier => &["tier"],
        Rule::kw_until => &["until"],
        Rule::kw_to => &["to"],
        Rule::fact_of | Rule::kw_of => &["of"],
        Rule::fact_range | Rule::kw_range => &["range"],
        Rule::kw_with => &["with"],
        Rule::units_clause | Rule::kw_quantity | Rule::kw_strength => &["quantity", "strength"],
        Rule::treatment_classes | Rule::kw_class | Rule::class_item => &["class"],
        Rule::treatment_aka | Rule::kw_aka => &["aka"],
        Rule::when_expr | Rule::kw_when => &["when"],
        Rule::kw_then => &["then"],
        Rule::kw_else => &["else"],
        Rule::kw_or => &["or"],
        Rule::kw_and => &["and"],
        Rule::not_op => &["not"],
        Rule::documented_tail | Rule::kw_is => &["is"],
        Rule::kw_documented => &["documented"],
        Rule::contains_tail | Rule::kw_contains => &["contains"],
        Rule::any_of | Rule::kw_any => &["any"],
        Rule::all_of | Rule::kw_all => &["all"],
        Rule::source_item | Rule::kw_source => &["source"],
        Rule::fact_item | Rule::kw_fact => &["fact"],
        Rule::extend_item | Rule::kw_extend => &["extend"],
        Rule::treatment_item | Rule::kw_treatment => &["treatment"],
        Rule::const_item | Rule::kw_const => &["const"],
        Rule::rule_item | Rule::kw_rule => &["rule"],
        _ => &[],
    }
}

/// The word or character at `pos`, for "found `...`".
fn found_at(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    let rest = rest.trim_end();
    if rest.is_empty() {
        return "";
    }
    let word_len = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .map_or(rest.len(), |(i, _)| i);
    if word_len > 0 {
        return &rest[..word_len];
    }
    let first = rest.chars().next().map_or(0, char::len_utf8);
    &rest[..first]
}

fn syntax_help(text: &str, pos: usize) -> Option<String> {
    let rest = text.get(pos..)?;
    if rest.starts_with('\'') {
        return Some("descriptions are written in double quotes: \"...\"".into());
    }
    if rest.starts_with("&&") || rest.starts_with("||") || rest.starts_with('!') && !rest.starts_with("!=") {
        return Some("write `and`, `or` and `not` in words".into());
    }
    if rest.starts_with('=') && !rest.starts_with("==") {
        return Some("compare with `==`".into());
    }
    None
}

fn friendly(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the item",
        Rule::ident | Rule::name_raw => "a name",
        Rule::path => "a fact name",
        Rule::source_id => "a source id",
        Rule::string | Rule::string_inner => "a quoted description",
        Rule::number => "a number",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::boolean => "`true` or `false`",
        Rule::quantity => "a quantity such as `6 visit`",
        Rule::page_range | Rule::pages => "pages (`p. 60` or `pp. 63-66`)",
        Rule::source_item => "`source`",
        Rule::fact_item => "`fact`",
        Rule::class_item => "`class`",
        Rule::treatment_item => "`treatment`",
        Rule::const_item => "`const`",
        Rule::rule_item => "`rule`",
        Rule::tier_clause | Rule::kw_tier => "`tier`",
        Rule::effective_clause | Rule::kw_effective => "`effective`",
        Rule::kw_until => "`until`",
        Rule::fact_type | Rule::list_type | Rule::kw_list => "a type",
        Rule::fact_of | Rule::kw_of => "`of`",
        Rule::fact_unit | Rule::kw_in | Rule::in_tail => "`in`",
        Rule::fact_range | Rule::kw_range | Rule::range_bound => "`range LOW..HIGH`",
        Rule::extend_item | Rule::kw_extend => "`extend`",
        Rule::kw_with => "`with`",
        Rule::units_clause | Rule::kw_quantity | Rule::kw_strength => "`quantity in UNIT` or `strength in UNIT`",
        Rule::treatment_classes | Rule::kw_class => "`class`",
        Rule::treatment_aka | Rule::kw_aka => "`aka`",
        Rule::cites_clause | Rule::kw_cites => "`cites`",
        Rule::applies_clause | Rule::kw_applies => "`applies to`",
        Rule::kw_to => "`to`",
        Rule::supplements_clause | Rule::kw_supplements => "`supplements`",
        Rule::criterion | Rule::criterion_kind | Rule::require_kw | Rule::exclude_kw => {
            "a criterion (`require` or `exclude`)"
        }
        Rule::expr | Rule::or_expr | Rule::and_expr | Rule::not_expr | Rule::test | Rule::sum => "an expression",
        Rule::when_expr | Rule::kw_when => "`when`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_or => "`or`",
        Rule::kw_and => "`and`",
        Rule::not_op => "`not`",
        Rule::cmp_tail | Rule::cmp_op => "a comparison (`<`, `<=`, `==`, ...)",
        Rule::documented_tail | Rule::kw_is | Rule::kw_documented => "`is documented`",
        Rule::contains_tail | Rule::kw_contains => "`contains`",
        Rule::any_of | Rule::kw_any => "`any of`",
        Rule::all_of | Rule::kw_all => "`all of`",
        Rule::add_op => "`+` or `-`",
        Rule::paren => "`(`",
        Rule::set_list => "a list such as `[a, b]`",
        Rule::kw_source => "`source`",
        Rule::kw_fact => "`fact`",
        Rule::kw_treatment => "`treatment`",
        Rule::kw_const => "`const`",
        Rule::kw_rule => "`rule`",
        Rule::confidence_clause | Rule::kw_confidence => "`confidence`",
        Rule::confidence_level => "`high` or `low`",
        Rule::criteria_id => "a criteria catalog id such as `OPI-9`",
        Rule::item
        | Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::boundary
        | Rule::keyword
        | Rule::atom
        | Rule::set
        | Rule::rule_clause => "an item",
    }
}

/// Builds AST nodes from pest pairs, shifting spans by the chunk offset.
struct Builder {
    file: FileId,
    base: usize,
}

type R<T> = Result<T, Diagnostic>;

/// Children of a pair, without the keyword tokens.
fn children(p: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    p.into_inner().filter(|c| {
        !matches!(
            c.as_rule(),
            Rule::kw_when
                | Rule::kw_then
                | Rule::kw_else
                | Rule::kw_or
                | Rule::kw_and
                | Rule::kw_is
                | Rule::kw_in
                | Rule::kw_contains
                | Rule::kw_any
                | Rule::kw_all
                | Rule::kw_of
                | Rule::kw_documented
                | Rule::kw_source
                | Rule::kw_tier
                | Rule::kw_effective
                | Rule::kw_until
                | Rule::kw_fact
                | Rule::kw_class
                | Rule::kw_treatment
                | Rule::kw_aka
                | Rule::kw_const
                | Rule::kw_rule
                | Rule::kw_cites
                | Rule::kw_applies
                | Rule::kw_to
                | Rule::kw_supplements
                | Rule::kw_list
                | Rule::kw_range
                | Rule::kw_extend
                | Rule::kw_with
                | Rule::kw_confidence
        )
    })
}

impl Builder {
    fn span_at(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, self.base + start, self.base + end)
    }

    /// The span of a pair, without the whitespace pest may have consumed
    /// after its last token.
    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let s = p.as_span();
        let trimmed = p.as_str().trim_end().len();
        self.span_at(s.start(), s.start() + trimmed)
    }

    /// The grammar guarantees the shape; a mismatch is a bug in this file,
    /// reported as an error rather than a panic.
    fn bug(&self, p: &Pair<'_, Rule>, what: &str) -> Diagnostic {
        Diagnostic::error(
            "internal",
            self.span(p),
            format!("internal parser error: expected {what}, found {:?}", p.as_rule()),
        )
    }

    fn next<'i>(
        &self,
        it: &mut impl Iterator<Item = Pair<'i, Rule>>,
        parent: &Pair<'i, Rule>,
        what: &str,
    ) -> R<Pair<'i, Rule>> {
        it.next().ok_or_else(|| self.bug(parent, what))
    }

    fn ident(&self, p: Pair<'_, Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    fn string(&self, p: Pair<'_, Rule>) -> Str {
        let span = self.span(&p);
        let raw = p.as_str();
        let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        let mut value = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(other) => value.push(other),
                    None => {}
                }
            } else {
                value.push(c);
            }
        }
        Str { value, span }
    }

    fn date(&self, p: Pair<'_, Rule>) -> R<DateLit> {
        let span = self.span(&p);
        let date = Date::parse(p.as_str()).ok_or_else(|| {
            Diagnostic::error("bad-date", span, format!("`{}` is not a calendar date", p.as_str()))
                .with_help("write dates as YYYY-MM-DD, e.g. 2015-05-06")
        })?;
        Ok(DateLit { date, span })
    }

    fn number(&self, p: Pair<'_, Rule>) -> R<f64> {
        let span = self.span(&p);
        p.as_str()
            .parse()
            .map_err(|_| Diagnostic::error("syntax", span, format!("`{}` is not a number", p.as_str())))
    }

    fn item(&self, p: Pair<'_, Rule>) -> R<Item> {
        Ok(match p.as_rule() {
            Rule::source_item => Item::Source(self.source(p)?),
            Rule::fact_item => Item::Fact(self.fact(p)?),
            Rule::extend_item => {
                let span = self.span(&p);
                let mut it = children(p.clone());
                let path = self.ident(self.next(&mut it, &p, "a fact path")?);
                let with = self.set_list(self.next(&mut it, &p, "a list")?);
                Item::Extend(ExtendDecl { path, with, span })
            }
            Rule::class_item => {
                let span = self.span(&p);
                let mut it = children(p.clone());
                let name = self.ident(self.next(&mut it, &p, "a name")?);
                let title = self.string(self.next(&mut it, &p, "a title")?);
                let units = it.map(|u| self.units(u)).collect::<R<Vec<_>>>()?;
                Item::Class(ClassDecl {
                    name,
                    title,
                    units,
                    span,
                })
            }
            Rule::treatment_item => Item::Treatment(self.treatment(p)?),
            Rule::const_item => Item::Const(self.constant(p)?),
            Rule::rule_item => Item::Rule(self.rule(p)?),
            _ => return Err(self.bug(&p, "an item")),
        })
    }

    fn effective(&self, p: Pair<'_, Rule>) -> R<Effective> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let from = self.date(self.next(&mut it, &p, "a date")?)?;
        let until = it.next().map(|d| self.date(d)).transpose()?;
        Ok(Effective { from, until, span })
    }

    fn source(&self, p: Pair<'_, Rule>) -> R<SourceDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let id = self.ident(self.next(&mut it, &p, "a source id")?);
        let title = self.string(self.next(&mut it, &p, "a title")?);
        let mut tier = None;
        let mut effective = None;
        for c in it {
            match c.as_rule() {
                Rule::tier_clause => {
                    let mut ci = children(c.clone());
                    tier = Some(self.ident(self.next(&mut ci, &c, "a tier")?));
                }
                Rule::effective_clause => effective = Some(self.effective(c)?),
                _ => return Err(self.bug(&c, "a source clause")),
            }
        }
        Ok(SourceDecl {
            id,
            title,
            tier,
            effective,
            span,
        })
    }

    fn set_list(&self, p: Pair<'_, Rule>) -> SetList {
        let span = self.span(&p);
        SetList {
            items: children(p).map(|i| self.ident(i)).collect(),
            span,
        }
    }

    fn fact(&self, p: Pair<'_, Rule>) -> R<FactDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let path = self.ident(self.next(&mut it, &p, "a fact path")?);
        let ty_pair = self.next(&mut it, &p, "a type")?;
        let ty_span = self.span(&ty_pair);
        let inner = ty_pair
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.bug(&ty_pair, "a type"))?;
        let ty = match inner.as_rule() {
            Rule::list_type => {
                let mut li = children(inner.clone());
                TypeExpr {
                    name: self.ident(self.next(&mut li, &inner, "a type name")?),
                    list: true,
                    span: ty_span,
                }
            }
            _ => TypeExpr {
                name: self.ident(inner),
                list: false,
                span: ty_span,
            },
        };
        let mut of = None;
        let mut unit = None;
        let mut range = None;
        let mut description = None;
        for c in it {
            match c.as_rule() {
                Rule::fact_of => {
                    let mut ci = children(c.clone());
                    of = Some(self.set_list(self.next(&mut ci, &c, "a list")?));
                }
                Rule::fact_unit => {
                    let mut ci = children(c.clone());
                    unit = Some(self.ident(self.next(&mut ci, &c, "a unit")?));
                }
                Rule::fact_range => {
                    let span = self.span(&c);
                    let mut ci = children(c.clone());
                    let min = self.bound(self.next(&mut ci, &c, "a bound")?)?;
                    let max = self.bound(self.next(&mut ci, &c, "a bound")?)?;
                    range = Some(RangeDecl { min, max, span });
                }
                Rule::string => description = Some(self.string(c)),
                _ => return Err(self.bug(&c, "a fact clause")),
            }
        }
        let description = description.ok_or_else(|| self.bug(&p, "a description"))?;
        Ok(FactDecl {
            path,
            ty,
            of,
            unit,
            range,
            description,
            span,
        })
    }

    fn bound(&self, p: Pair<'_, Rule>) -> R<Bound> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let value = self.number(self.next(&mut it, &p, "a number")?)?;
        let unit = it.next().map(|u| self.ident(u));
        Ok(Bound { value, unit, span })
    }

    fn units(&self, p: Pair<'_, Rule>) -> R<UnitsDecl> {
        let span = self.span(&p);
        let mut of = None;
        let mut units = Vec::new();
        for c in p.clone().into_inner() {
            match c.as_rule() {
                Rule::kw_quantity => of = Some(UnitsOf::Quantity),
                Rule::kw_strength => of = Some(UnitsOf::Strength),
                Rule::kw_in => {}
                Rule::ident => units.push(self.ident(c)),
                _ => return Err(self.bug(&c, "a unit")),
            }
        }
        let of = of.ok_or_else(|| self.bug(&p, "`quantity` or `strength`"))?;
        Ok(UnitsDecl { of, units, span })
    }

    fn treatment(&self, p: Pair<'_, Rule>) -> R<TreatmentDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let name = self.ident(self.next(&mut it, &p, "a name")?);
        let title = self.string(self.next(&mut it, &p, "a title")?);
        let mut classes = Vec::new();
        let mut units = Vec::new();
        let mut aka = Vec::new();
        for c in it {
            match c.as_rule() {
                Rule::treatment_classes => classes.extend(children(c).map(|i| self.ident(i))),
                Rule::units_clause => units.push(self.units(c)?),
                Rule::treatment_aka => aka.extend(children(c).map(|s| self.string(s))),
                _ => return Err(self.bug(&c, "a treatment clause")),
            }
        }
        Ok(TreatmentDecl {
            name,
            title,
            classes,
            units,
            aka,
            span,
        })
    }

    fn constant(&self, p: Pair<'_, Rule>) -> R<ConstDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let name = self.ident(self.next(&mut it, &p, "a name")?);
        let v = self.next(&mut it, &p, "a value")?;
        let value = match v.as_rule() {
            Rule::set_list => {
                let l = self.set_list(v);
                Expr {
                    span: l.span,
                    kind: ExprKind::Set(l),
                }
            }
            _ => self.atom(v, 0)?,
        };
        let mut description = None;
        let mut confidence = None;
        for c in it {
            match c.as_rule() {
                Rule::string => description = Some(self.string(c)),
                Rule::confidence_clause => confidence = Some(self.confidence(c)?),
                _ => return Err(self.bug(&c, "a constant clause")),
            }
        }
        Ok(ConstDecl {
            name,
            value,
            description,
            confidence,
            span,
        })
    }

    fn confidence(&self, p: Pair<'_, Rule>) -> R<ConfidenceDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let level_pair = self.next(&mut it, &p, "a confidence level")?;
        let level = match level_pair.as_str() {
            "high" => Level::High,
            "low" => Level::Low,
            _ => return Err(self.bug(&level_pair, "`high` or `low`")),
        };
        let ids = it.map(|i| self.ident(i)).collect();
        Ok(ConfidenceDecl { level, ids, span })
    }

    fn cite(&self, p: Pair<'_, Rule>) -> R<Cite> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let source = self.ident(self.next(&mut it, &p, "a source id")?);
        let section = self.string(self.next(&mut it, &p, "a section")?);
        let pages = it.next().map(|pg| {
            let prefix = if pg.as_str().starts_with("pp.") { "pp." } else { "p." };
            let ranges: Vec<&str> = pg.clone().into_inner().map(|r| r.as_str()).collect();
            Pages {
                text: format!("{prefix} {}", ranges.join(", ")),
                span: self.span(&pg),
            }
        });
        Ok(Cite {
            source,
            section,
            pages,
            span,
        })
    }

    fn rule(&self, p: Pair<'_, Rule>) -> R<RuleDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let name = self.ident(self.next(&mut it, &p, "a rule name")?);
        let title = self.string(self.next(&mut it, &p, "a title")?);
        let mut rule = RuleDecl {
            name,
            title,
            cites: Vec::new(),
            applies: Vec::new(),
            effective: Vec::new(),
            supplements: Vec::new(),
            confidence: None,
            criteria: Vec::new(),
            span,
        };
        for c in it {
            match c.as_rule() {
                Rule::cites_clause => rule.cites.push(self.cite(c)?),
                Rule::applies_clause => rule.applies.extend(children(c).map(|i| self.ident(i))),
                Rule::effective_clause => rule.effective.push(self.effective(c)?),
                Rule::supplements_clause => {
                    let mut ci = children(c.clone());
                    rule.supplements
                        .push(self.ident(self.next(&mut ci, &c, "a rule name")?));
                }
                Rule::confidence_clause => {
                    let conf = self.confidence(c)?;
                    if rule.confidence.is_some() {
                        return Err(Diagnostic::error(
                            "duplicate-clause",
                            conf.span,
                            "a rule has one `confidence` line",
                        )
                        .with_help("list every criteria id on one line: confidence low OPI-4, OPI-9"));
                    }
                    rule.confidence = Some(conf);
                }
                Rule::criterion => rule.criteria.push(self.criterion(c)?),
                _ => return Err(self.bug(&c, "a rule clause")),
            }
        }
        Ok(rule)
    }

    fn criterion(&self, p: Pair<'_, Rule>) -> R<CriterionDecl> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let kind_pair = self.next(&mut it, &p, "require or exclude")?;
        let kind = match kind_pair.clone().into_inner().next().map(|k| k.as_rule()) {
            Some(Rule::exclude_kw) => CriterionKind::Exclude,
            Some(Rule::require_kw) => CriterionKind::Require,
            _ => return Err(self.bug(&kind_pair, "require or exclude")),
        };
        let name = self.ident(self.next(&mut it, &p, "a criterion name")?);
        let description = self.string(self.next(&mut it, &p, "a description")?);
        let mut cites = None;
        let mut confidence = None;
        let mut expr = None;
        for c in it {
            match c.as_rule() {
                Rule::cites_clause => cites = Some(self.cite(c)?),
                Rule::confidence_clause => confidence = Some(self.confidence(c)?),
                Rule::expr => expr = Some(self.expr(c, 0)?),
                _ => return Err(self.bug(&c, "a criterion clause")),
            }
        }
        Ok(CriterionDecl {
            kind,
            name,
            description,
            cites,
            confidence,
            expr,
            span,
        })
    }

    fn too_deep(&self, span: Span) -> Diagnostic {
        Diagnostic::error(
            "nesting",
            span,
            format!("expression nests more than {MAX_NESTING} levels deep"),
        )
        .with_help("split the criterion into several criteria, or simplify repeated `not`")
    }

    fn expr(&self, p: Pair<'_, Rule>, depth: usize) -> R<Expr> {
        if depth > MAX_NESTING {
            return Err(self.too_deep(self.span(&p)));
        }
        let span = self.span(&p);
        match p.as_rule() {
            Rule::expr => {
                let inner = children(p.clone())
                    .next()
                    .ok_or_else(|| self.bug(&p, "an expression"))?;
                self.expr(inner, depth)
            }
            Rule::when_expr => {
                let mut it = children(p.clone());
                let cond = self.expr(self.next(&mut it, &p, "a condition")?, depth)?;
                let then = self.expr(self.next(&mut it, &p, "a consequence")?, depth)?;
                let otherwise = it.next().map(|e| self.expr(e, depth)).transpose()?;
                Ok(Expr {
                    kind: ExprKind::When {
                        cond: Box::new(cond),
                        then: Box::new(then),
                        otherwise: otherwise.map(Box::new),
                    },
                    span,
                })
            }
            Rule::or_expr | Rule::and_expr => {
                let is_or = p.as_rule() == Rule::or_expr;
                let mut parts = children(p).map(|c| self.expr(c, depth)).collect::<R<Vec<_>>>()?;
                if parts.len() == 1 {
                    return parts.pop().ok_or_else(|| Diagnostic::error("internal", span, "empty"));
                }
                Ok(Expr {
                    kind: if is_or {
                        ExprKind::Or(parts)
                    } else {
                        ExprKind::And(parts)
                    },
                    span,
                })
            }
            Rule::not_expr => {
                let parts: Vec<Pair<'_, Rule>> = children(p.clone()).collect();
                let (test, nots) = parts.split_last().ok_or_else(|| self.bug(&p, "a test"))?;
                if depth + nots.len() > MAX_NESTING {
                    return Err(self.too_deep(span));
                }
                let mut e = self.expr(test.clone(), depth + nots.len())?;
                for n in nots.iter().rev() {
                    let s = self.span(n).to(e.span);
                    e = Expr {
                        kind: ExprKind::Not(Box::new(e)),
                        span: s,
                    };
                }
                Ok(e)
            }
            Rule::test => self.test(p, depth),
            Rule::sum => {
                let mut it = children(p.clone());
                let first = self.atom(self.next(&mut it, &p, "a term")?, depth)?;
                let mut rest = Vec::new();
                while let Some(op) = it.next() {
                    let op = if op.as_str() == "+" { AddOp::Add } else { AddOp::Sub };
                    let term = self.atom(self.next(&mut it, &p, "a term")?, depth)?;
                    rest.push((op, term));
                }
                if rest.is_empty() {
                    return Ok(first);
                }
                Ok(Expr {
                    kind: ExprKind::Sum(Box::new(first), rest),
                    span,
                })
            }
            _ => self.atom(p, depth),
        }
    }

    fn set(&self, p: Pair<'_, Rule>) -> SetExpr {
        match p.as_rule() {
            Rule::set_list => SetExpr::List(self.set_list(p)),
            _ => SetExpr::Named(self.ident(p)),
        }
    }

    fn test(&self, p: Pair<'_, Rule>, depth: usize) -> R<Expr> {
        let span = self.span(&p);
        let mut it = children(p.clone());
        let lhs = self.expr(self.next(&mut it, &p, "a value")?, depth)?;
        let Some(tail) = it.next() else {
            return Ok(lhs);
        };
        let mut ti = children(tail.clone());
        let kind = match tail.as_rule() {
            Rule::cmp_tail => {
                let op = match self.next(&mut ti, &tail, "an operator")?.as_str() {
                    "<" => CmpOp::Lt,
                    "<=" => CmpOp::Le,
                    ">" => CmpOp::Gt,
                    ">=" => CmpOp::Ge,
                    "==" => CmpOp::Eq,
                    _ => CmpOp::Ne,
                };
                let rhs = self.expr(self.next(&mut ti, &tail, "a value")?, depth)?;
                ExprKind::Cmp(op, Box::new(lhs), Box::new(rhs))
            }
            Rule::documented_tail => ExprKind::Documented {
                expr: Box::new(lhs),
                negated: ti.next().is_some(),
            },
            Rule::in_tail => ExprKind::In(Box::new(lhs), self.set(self.next(&mut ti, &tail, "a set")?)),
            Rule::contains_tail => {
                let what = self.next(&mut ti, &tail, "a value")?;
                match what.as_rule() {
                    Rule::any_of | Rule::all_of => {
                        let any = what.as_rule() == Rule::any_of;
                        let mut wi = children(what.clone());
                        let set = self.set(self.next(&mut wi, &what, "a set")?);
                        if any {
                            ExprKind::ContainsAny(Box::new(lhs), set)
                        } else {
                            ExprKind::ContainsAll(Box::new(lhs), set)
                        }
                    }
                    _ => ExprKind::Contains(Box::new(lhs), Box::new(self.expr(what, depth)?)),
                }
            }
            _ => return Err(self.bug(&tail, "a test")),
        };
        Ok(Expr { kind, span })
    }

    fn atom(&self, p: Pair<'_, Rule>, depth: usize) -> R<Expr> {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::paren => {
                let inner = children(p.clone())
                    .next()
                    .ok_or_else(|| self.bug(&p, "an expression"))?;
                ExprKind::Paren(Box::new(self.expr(inner, depth + 1)?))
            }
            Rule::date => ExprKind::Date(self.date(p)?.date),
            Rule::quantity => {
                let mut it = children(p.clone());
                let n = self.number(self.next(&mut it, &p, "a number")?)?;
                let unit = self.ident(self.next(&mut it, &p, "a unit")?);
                ExprKind::Quantity(n, unit)
            }
            Rule::number => ExprKind::Number(self.number(p)?),
            Rule::boolean => ExprKind::Bool(p.as_str() == "true"),
            Rule::string => ExprKind::Str(self.string(p).value),
            Rule::path => {
                let mut segs = Vec::new();
                let mut offset = p.as_span().start();
                for seg in p.as_str().split('.') {
                    segs.push(Ident {
                        name: seg.to_string(),
                        span: self.span_at(offset, offset + seg.len()),
                    });
                    offset += seg.len() + 1;
                }
                ExprKind::Path(segs)
            }
            Rule::ident => ExprKind::Name(self.ident(p)),
            Rule::expr | Rule::or_expr | Rule::and_expr | Rule::not_expr | Rule::test | Rule::sum | Rule::when_expr => {
                return self.expr(p, depth);
            }
            _ => return Err(self.bug(&p, "a value")),
        };
        Ok(Expr { kind, span })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> (RuleFile, Vec<Diagnostic>) {
        parse_file(FileId(0), src)
    }

    #[test]
    fn chunks_start_at_column_zero() {
        let src = "# header\nsource A \"a\"\n  tier mtus\n\n# about b\nrule b \"b\"\n  cites A \"x\"\n";
        let c = chunks(src);
        assert_eq!(c.len(), 2);
        assert!(c[0].text.starts_with("source A"));
        assert!(c[0].text.contains("# about b"));
        assert!(c[1].text.starts_with("rule b"));
    }

    #[test]
    fn one_broken_rule_does_not_hide_the_next() {
        let src = "rule a \"A\"\n  require x \"X\" exam.muscle_spasm ==\nrule b \"B\"\n  require y \"Y\" (\nrule c \"C\"\n  require z \"Z\" true\n";
        let (file, diags) = parse(src);
        assert_eq!(diags.len(), 2, "{diags:?}");
        assert_eq!(file.items.len(), 1);
    }

    #[test]
    fn a_broken_rule_keeps_its_name() {
        let src = "rule a_b2 \"A\"\n  requir x \"X\" true\nrule c \"C\"\n  require z \"Z\" true\nrule\n";
        let (file, diags) = parse(src);
        assert_eq!(diags.len(), 2, "{diags:?}");
        let names: Vec<(&str, &str)> = file
            .broken_rules
            .iter()
            .map(|i| (i.name.as_str(), &src[i.span.start as usize..i.span.end as usize]))
            .collect();
        assert_eq!(names, [("a_b2", "a_b2")]);
    }

    #[test]
    fn keyword_typos_get_a_did_you_mean() {
        let help = |src: &str| {
            let (_, diags) = parse(src);
            diags.first().and_then(|d| d.help.clone())
        };
        let rule = "rule r \"R\"\n  applies to x\n";
        assert_eq!(
            help(&format!("{rule}  require a \"A\" true\n  requir b \"B\" true\n")).as_deref(),
            Some("did you mean `require`?")
        );
        assert_eq!(
            help(&format!("{rule}  exlude b \"B\" true\n")).as_deref(),
            Some("did you mean `exclude`?")
        );
        assert_eq!(
            help("rule r \"R\"\n  aplies to x\n").as_deref(),
            Some("did you mean `applies`?")
        );
        // A word near no keyword expected there: no guess.
        assert_eq!(help(&format!("{rule}  zzzzzz b \"B\" true\n")), None);
    }

    #[test]
    fn indented_text_before_the_first_item_is_an_error() {
        let (file, diags) = parse("# header\n  rule r \"R\"\n");
        assert!(file.items.is_empty());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].span.map(|s| s.start), Some(11));
        let (_, diags) = parse("  # only a comment\n\nrule r \"R\"\n");
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn keywords_need_a_boundary() {
        let (file, diags) = parse("rule r \"R\"\n  require x \"X\" android or order\n");
        assert!(diags.is_empty(), "{diags:?}");
        let Item::Rule(r) = &file.items[0] else { panic!() };
        let Some(Expr {
            kind: ExprKind::Or(parts),
            ..
        }) = &r.criteria[0].expr
        else {
            panic!("{:?}", r.criteria[0].expr)
        };
        assert_eq!(parts.len(), 2);
    }

    #[test]
    fn long_chains_stay_flat() {
        let body = vec!["a.b"; 5000].join(" and ");
        let (file, diags) = parse(&format!("rule r \"R\"\n  require x \"X\" {body}\n"));
        assert!(diags.is_empty());
        let Item::Rule(r) = &file.items[0] else { panic!() };
        let Some(Expr {
            kind: ExprKind::And(parts),
            ..
        }) = &r.criteria[0].expr
        else {
            panic!()
        };
        assert_eq!(parts.len(), 5000);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}a.b{}", "(".repeat(10_000), ")".repeat(10_000));
        let (_, diags) = parse(&format!("rule r \"R\"\n  require x \"X\" {deep}\n"));
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "nesting");
        let nots = "not ".repeat(100_000);
        let (_, diags) = parse(&format!("rule r \"R\"\n  require x \"X\" {nots} a.b\n"));
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "nesting");
    }

    #[test]
    fn nesting_at_the_limit_parses() {
        let n = MAX_NESTING - 1;
        let e = format!("{}a.b{}", "(".repeat(n), ")".repeat(n));
        let (_, diags) = parse(&format!("rule r \"R\"\n  require x \"X\" {e}\n"));
        assert!(diags.is_empty(), "{diags:?}");
    }
}
