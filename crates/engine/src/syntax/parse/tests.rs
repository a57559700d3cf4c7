//! Tests of the parser: chunks, recovery, keyword typos, nesting.

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
