//! Tests of the drug list reader and of choosing the version in force.

use super::read::{field_range, field_ranges};
use super::*;

const HEAD: &str = "# version: v9\n# effective: 2021-08-01\n";

fn parse(body: &str) -> Result<DrugList, Vec<DrugListError>> {
    DrugList::parse("list.csv", &format!("{HEAD}{body}"))
}

fn first_error(body: &str) -> DrugListError {
    match parse(body) {
        Ok(_) => panic!("expected an error for {body:?}"),
        Err(e) => e[0].clone(),
    }
}

#[test]
fn a_good_file_in_the_published_column_order_and_captions() {
    let l = parse(
        "Drug Ingredient,Reference in ACOEM Guidelines,Exempt/Non-Exempt,Special Fill,Perioperative Fill\n\
         Duloxetine,Chronic Pain,Exempt,,\n\
         \"Hydrocodone Bitartrate/Acetaminophen\",Opioids,Non-Exempt,4 days,4\n",
    )
    .unwrap();
    assert_eq!(
        (l.version.as_str(), l.effective.to_string().as_str()),
        ("v9", "2021-08-01")
    );
    assert!(!l.partial);
    assert_eq!(l.rows.len(), 2);
    let d = l.rows_for("duloxetine");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].status, ListStatus::Exempt);
    assert_eq!(d[0].special_fill_days, None);
    let h = l.rows_for("acetaminophen+hydrocodone");
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].status, ListStatus::NonExempt);
    assert_eq!(
        (h[0].special_fill_days, h[0].perioperative_fill_days),
        (Some(4), Some(4))
    );
    assert_eq!(h[0].line, 5);
    assert_eq!(h[0].confidence, RowConfidence::High);
}

#[test]
fn ingredient_keys_ignore_salts_case_and_order() {
    assert_eq!(
        ingredient_key("Hydrocodone Bitartrate/Acetaminophen"),
        "acetaminophen+hydrocodone"
    );
    assert_eq!(
        ingredient_key("acetaminophen and hydrocodone"),
        "acetaminophen+hydrocodone"
    );
    assert_eq!(ingredient_key("Cyclobenzaprine HCl"), "cyclobenzaprine");
    assert_eq!(
        combination_key(&["oxycodone", "acetaminophen"]),
        "acetaminophen+oxycodone"
    );
}

#[test]
fn a_missing_required_column_is_an_error_on_the_header() {
    let e = first_error("ingredient,special_fill\nduloxetine,\n");
    assert_eq!(e.code, "drug-list-header");
    assert_eq!((e.line, e.column), (3, 1));
    assert!(e.message.contains("no `status` column"), "{}", e.message);
}

#[test]
fn an_unknown_column_is_an_error_at_its_cell() {
    let e = first_error("ingredient,status,price\nduloxetine,Exempt,3\n");
    assert_eq!(e.code, "drug-list-header");
    assert_eq!((e.line, e.column), (3, 19));
    assert_eq!(e.message, "unknown column `price`");
    assert_eq!(e.to_string(), "list.csv:3:19: unknown column `price`");
}

#[test]
fn a_bad_cell_names_line_and_column() {
    let e = first_error("ingredient,status,special_fill\nduloxetine,Exempt,\ntramadol,Non-Exempt,four\n");
    assert_eq!(e.code, "drug-list-value");
    assert_eq!((e.line, e.column), (5, 21));
    assert_eq!(e.message, "`four` is not a days' supply");
    let e = first_error("ingredient,status\n\"tramadol, ER\",Sometimes\n");
    assert_eq!((e.line, e.column, e.code), (4, 16, "drug-list-value"));
    let e = first_error("ingredient,status\ntramadol,Exempt,extra\n");
    assert_eq!((e.line, e.code), (4, "drug-list-fields"));
}

#[test]
fn a_duplicate_ingredient_is_an_error_naming_the_first() {
    let e = first_error("ingredient,status\nduloxetine,Exempt\nDuloxetine HCl,Non-Exempt\n");
    assert_eq!(e.code, "drug-list-duplicate");
    assert_eq!((e.line, e.column), (5, 1));
    assert!(e.message.contains("first on line 4"), "{}", e.message);
    // One ingredient in two dosage forms is two rows.
    let l = parse("ingredient,dosage_form,status\nlidocaine,patch,Non-Exempt\nlidocaine,injection,Exempt\n").unwrap();
    assert_eq!(l.rows_for("lidocaine").len(), 2);
}

#[test]
fn a_second_version_or_date_line_is_an_error_naming_the_first() {
    let e = DrugList::parse(
        "x.csv",
        "# version: v1\n# effective: 2018-01-01\n#  Version: v2\ningredient,status\nx,Exempt\n",
    )
    .unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!((e[0].line, e[0].column, e[0].code), (3, 4, "drug-list-metadata"));
    assert_eq!(e[0].message, "`# version` is given twice (first on line 1)");
    let e = DrugList::parse(
        "x.csv",
        "# version: v1\n# effective: 2018-01-01\n# coverage: partial\n# effective: 2019-01-01\n# coverage: complete\ningredient,status\n",
    )
    .unwrap_err();
    let got: Vec<(usize, &str)> = e.iter().map(|e| (e.line, e.message.as_str())).collect();
    assert_eq!(
        got,
        [
            (4, "`# effective` is given twice (first on line 2)"),
            (5, "`# coverage` is given twice (first on line 3)")
        ]
    );
}

#[test]
fn control_characters_in_a_cell_are_escaped_in_messages() {
    let e = first_error("ingredient,status\n\"a\u{0}b\",Exempt\n\"a\u{0}b\",Exempt\n");
    assert_eq!(e.code, "drug-list-duplicate");
    assert_eq!(e.message, "`a\\x00b` is listed twice (first on line 4)");
    let e = first_error("ingredient,status\nx,\"Ex\u{1b}]0;t\u{7}\nempt\"\n");
    assert_eq!(e.message, "`Ex\\x1b]0;t\\x07\\nempt` is not a drug list status");
    assert!(!e.message.chars().any(char::is_control));
}

#[test]
fn field_ranges_match_one_at_a_time() {
    for (text, n) in [
        ("a,\"b,c\",d\nnext", 3),
        ("a,,\"\"\"x\"\r\n", 3),
        ("one", 1),
        ("a,b", 4),
        ("\"open,", 2),
    ] {
        let all = field_ranges(text, 0, n);
        for (i, got) in all.iter().enumerate() {
            let want = field_range(text, 0, i);
            // Past the last field, both point at an empty range.
            if want.0 == want.1 {
                assert_eq!(got.0, got.1, "{text:?} field {i}");
            } else {
                assert_eq!(*got, want, "{text:?} field {i}");
            }
        }
    }
}

#[test]
fn version_and_effective_date_are_required() {
    let e = DrugList::parse("x.csv", "ingredient,status\nduloxetine,Exempt\n").unwrap_err();
    assert_eq!((e[0].line, e[0].column, e[0].code), (1, 1, "drug-list-metadata"));
    let e = DrugList::parse("x.csv", "# version: v1\n# effective: 2018-02-30\ningredient,status\n").unwrap_err();
    assert_eq!((e[0].line, e[0].column), (2, 14));
}

#[test]
fn the_version_in_force_is_the_latest_that_took_effect() {
    let mk = |v: &str, d: &str| {
        DrugList::parse(
            &format!("{v}.csv"),
            &format!("# version: {v}\n# effective: {d}\ningredient,status\nx,Exempt\n"),
        )
        .unwrap()
    };
    let mut lists = DrugLists::new();
    lists.add(mk("v7", "2020-11-01")).unwrap();
    lists.add(mk("v1", "2018-01-01")).unwrap();
    lists.add(mk("v8", "2021-02-01")).unwrap();
    let at = |d: &str| lists.in_force(Date::parse(d).unwrap()).map(|l| l.version.clone());
    assert_eq!(at("2017-12-31"), None);
    assert_eq!(at("2018-01-01").as_deref(), Some("v1"));
    assert_eq!(at("2020-10-31").as_deref(), Some("v1"));
    assert_eq!(at("2020-11-01").as_deref(), Some("v7"));
    assert_eq!(at("2026-12-03").as_deref(), Some("v8"));
    let e = lists.add(mk("v7b", "2020-11-01")).unwrap_err();
    assert_eq!(
        (e.code, e.file.as_str(), e.line, e.column),
        ("drug-list-version", "v7b.csv", 2, 14)
    );
    assert!(e.message.contains("v7 (v7.csv)"), "{}", e.message);
}

#[test]
fn the_shipped_list_loads_and_is_partial() {
    let lists = DrugLists::embedded().unwrap();
    assert_eq!(lists.lists().len(), 1);
    let l = &lists.lists()[0];
    assert!(l.partial);
    assert_eq!(l.version, "v7");
    assert_eq!(l.rows_for("duloxetine")[0].confidence, RowConfidence::High);
    assert_eq!(
        l.rows_for("acetaminophen+hydrocodone")[0].confidence,
        RowConfidence::Low
    );
}

#[test]
fn windows_line_ends_and_a_byte_order_mark() {
    let text = "\u{feff}# version: v1\r\n# effective: 2018-01-01\r\ningredient,status,special_fill\r\nduloxetine,Exempt,\r\ntramadol,Non-Exempt,x\r\n";
    let e = DrugList::parse("w.csv", text).unwrap_err();
    assert_eq!((e[0].line, e[0].column, e[0].code), (5, 21, "drug-list-value"));
    assert_eq!(&text[e[0].start..e[0].end], "x");
    let ok = text.replace(",x\r", ",\r");
    let l = DrugList::parse("w.csv", &ok).unwrap();
    assert_eq!(l.rows.len(), 2);
    assert_eq!(l.rows[1].line, 5);
}

#[test]
fn no_input_panics() {
    for text in [
        "",
        "#",
        "\u{feff}",
        "\"",
        "# version: v1\n# effective: 2018-01-01\n\"a,b\nc",
        ",,,\n,,",
        "# version: \u{e9}\n",
    ] {
        let _ = DrugList::parse("x.csv", text);
    }
    // A span never splits a character.
    for text in [
        "\u{e9}t\u{e9},x\n",
        "# version: v1\n# effective: 2018-01-01\ningr\u{e9}dient,status\n\u{e9},\u{e9}\n",
    ] {
        for e in DrugList::parse("x.csv", text).unwrap_err() {
            assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end), "{e:?}");
        }
    }
}
