//! Syntax errors in words: what was expected, the keyword meant, the
//! help for the place.

use super::*;

pub(super) fn syntax_error(file: FileId, chunk: &Chunk<'_>, e: pest::error::Error<Rule>) -> Diagnostic {
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
pub(super) fn keyword_meant(found: &str, positives: &[Rule]) -> Option<&'static str> {
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
pub(super) fn keywords_of(rule: Rule) -> &'static [&'static str] {
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
pub(super) fn found_at(text: &str, pos: usize) -> &str {
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

pub(super) fn syntax_help(text: &str, pos: usize) -> Option<String> {
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

pub(super) fn friendly(rule: Rule) -> &'static str {
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
