//! Tests of the formatter: one layout per tree, comments kept, broken
//! files refused.

use super::*;

fn fmt(src: &str) -> String {
    match format_source(FileId(0), src) {
        Ok(s) => s,
        Err(e) => panic!("{e}: {e:?}"),
    }
}

#[test]
fn canonical_rule_layout() {
    let src = "rule   r \"R\" cites S \"x\"  pp.  1-2 ,3 applies to a,b\n   require  x \"X\" a.b  or  c.d\n   exclude y \"Y\"\n";
    assert_eq!(
        fmt(src),
        "rule r \"R\"\n  cites S \"x\" pp. 1-2, 3\n  applies to a, b\n\n  require x \"X\"\n    a.b or c.d\n\n  exclude y \"Y\"\n"
    );
}

#[test]
fn ranges_extensions_and_units_have_one_layout() {
    let src = "fact  a.b :number   range 0 .. 21 \"A\"\nfact a.c: duration range 1  day ..20 year \"C\"\nextend   fact a.d  with [x ,y]\nclass k \"K\"  quantity  in visit ,day strength in mg\ntreatment t \"T\" class k strength in percent\n  aka \"tee\"\n";
    assert_eq!(
        fmt(src),
        "fact a.b: number range 0..21 \"A\"\nfact a.c: duration range 1 day..20 year \"C\"\nextend fact a.d with [x, y]\nclass k \"K\" quantity in visit, day strength in mg\ntreatment t \"T\" class k strength in percent\n  aka \"tee\"\n"
    );
    // A long vocabulary is filled line by line, the description after it.
    let names: Vec<String> = (0..40).map(|i| format!("value_{i}")).collect();
    let long = format!("fact a.e: list<symbol> of [{}] \"E\"\n", names.join(", "));
    let out = fmt(&long);
    assert!(out.lines().count() > 3, "{out}");
    assert!(
        out.lines()
            .all(|l| l.chars().count() <= MAX_WIDTH || l.ends_with("\"E\"")),
        "{out}"
    );
    assert!(out.starts_with("fact a.e: list<symbol> of [value_0, value_1,"), "{out}");
    assert!(out.ends_with("value_39] \"E\"\n"), "{out}");
    assert_eq!(fmt(&out), out);
    let ext = format!("extend fact a.e with [{}]\n", names.join(", "));
    let out = fmt(&ext);
    assert!(out.starts_with("extend fact a.e with [value_0,"), "{out}");
    assert_eq!(fmt(&out), out);
}

#[test]
fn long_chains_break_one_operand_per_line() {
    let long = (0..12)
        .map(|i| format!("group.fact_{i}"))
        .collect::<Vec<_>>()
        .join(" and ");
    let src = format!("rule r \"R\"\n  require x \"X\" when a.b then {long} or c.d\n");
    let out = fmt(&src);
    assert!(
        out.contains("    when a.b\n    then group.fact_0\n        and group.fact_1\n"),
        "{out}"
    );
    assert!(out.contains("      or c.d\n"), "{out}");
    assert_eq!(fmt(&out), out);
}

#[test]
fn comments_stay_where_they_were() {
    let src = "# file\n\n# about r\nrule r \"R\" # trailing\n  # before cites\n  cites S \"x\"\n  # before x\n  require x \"X\"\n    a.b # why\n  # left over\nfact a.b: bool \"d\"\n# end\n";
    let out = fmt(src);
    assert_eq!(
        out,
        "# file\n\n# about r\nrule r \"R\"  # trailing\n  # before cites\n  cites S \"x\"\n\n  # before x\n  require x \"X\"\n    a.b  # why\n  # left over\n\nfact a.b: bool \"d\"\n# end\n"
    );
    assert_eq!(fmt(&out), out);
}

/// Found by the fuzzer: an indented comment after a column-0 comment
/// that follows an item went with the item, so it was printed first.
#[test]
fn an_indented_comment_after_a_top_level_one_keeps_its_place() {
    for src in [
        "fact a.b: date \"x\"\n# c1\n  # c2\n",
        "fact a.b: date \"x\"\n  # with the fact\n# c1\n  # c2\nfact c.d: bool \"y\"\n",
    ] {
        let out = fmt(src);
        assert_eq!(comment_texts(&out), comment_texts(src), "{out}");
        assert_eq!(fmt(&out), out, "not idempotent: {out}");
    }
}

#[test]
fn a_comment_inside_a_condition_breaks_it() {
    let src = "rule r \"R\"\n  require x \"X\"\n    a.b # one\n    or c.d # two\n";
    let out = fmt(src);
    assert_eq!(
        out,
        "rule r \"R\"\n\n  require x \"X\"\n    a.b  # one\n    or c.d  # two\n"
    );
    assert_eq!(fmt(&out), out);
}

#[test]
fn single_line_items_keep_their_grouping() {
    let src = "fact a.b: bool \"d\"\nfact a.c: list < symbol > of [x,y,] \"d\"\n\n\n\nconst k=6 visit\n";
    assert_eq!(
        fmt(src),
        "fact a.b: bool \"d\"\nfact a.c: list<symbol> of [x, y] \"d\"\n\nconst k = 6 visit\n"
    );
}

#[test]
fn a_syntax_error_is_reported_not_formatted() {
    let Err(FormatError::Syntax(d)) = format_source(FileId(0), "rule r \"R\"\n  require x \"X\" a.b ==\n") else {
        panic!()
    };
    assert_eq!(d.len(), 1);
}

/// Mangled rule files never panic the formatter; what it formats, it
/// formats to a fixed point.
#[test]
fn mangled_files_are_formatted_or_refused_never_broken() {
    let edits: [&str; 6] = ["", "#", "\n", "(", "\"", "\n  # c\n"];
    for (name, text) in crate::embedded::FILES {
        let step = (text.len() / 12).max(1);
        for (k, at) in (0..text.len()).step_by(step).enumerate() {
            let at = (at..text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(text.len());
            let edit = edits[k % edits.len()];
            let mut t = text.to_string();
            if edit.is_empty() {
                let end = (at + 1..=t.len()).find(|&i| t.is_char_boundary(i)).unwrap_or(t.len());
                t.replace_range(at..end, "");
            } else {
                t.insert_str(at, edit);
            }
            match format_source(FileId(0), &t) {
                Ok(once) => assert_eq!(fmt(&once), once, "{name} edited at {at}"),
                Err(FormatError::Syntax(_)) => {}
                Err(e) => panic!("{name} edited at {at}: {e}\n{t}"),
            }
        }
    }
}

#[test]
fn strip_spans_removes_every_span() {
    assert_eq!(
        strip_spans("A { span: Span { file: FileId(0), start: 1, end: 2 } }"),
        "A { span:  }"
    );
}
