//! `mtus code` and the ICD-10-CM codes of `mtus request`, through the
//! binary; and the tag table (rules/icd10cm-tags.tsv) against the shipped
//! code sets and the closed set of `diagnoses.tags`. Expected
//! descriptions and code-set changes were read in the CMS files
//! (scripts/icd10cm/README.md), not copied from the output.

use std::collections::BTreeSet;

use crate::common;

fn code(args: &[&str]) -> (Option<i32>, String, String) {
    let mut a = vec!["code"];
    a.extend(args);
    let o = common::mtus(&a);
    (o.status.code(), common::stdout(&o), common::stderr(&o))
}

#[test]
fn a_valid_code_shows_its_description_years_and_tags() {
    let (st, out, err) = code(&["M54.16", "--date", "2025-03-01"]);
    assert_eq!(st, Some(0), "{err}");
    assert_eq!(
        out,
        "M54.16  Radiculopathy, lumbar region\n  on 2025-03-01 (FY2025): valid: a billable code\n  \
         billable in: FY2021, FY2025, FY2026\n  tags: lumbar_radiculopathy\n"
    );
    assert_eq!(err, "");
}

#[test]
fn dotless_and_lowercase_codes_read_as_the_dotted_one() {
    let (_, dotted, _) = code(&["M54.16"]);
    for written in ["M5416", "m54.16", "m5416", " M54.16 "] {
        let (st, out, err) = code(&[written]);
        assert_eq!(st, Some(0), "{written}: {err}");
        assert_eq!(out, dotted, "{written}");
    }
    // A short description is shown when CMS's differs from the long one.
    let (st, out, _) = code(&["s134xxa"]);
    assert_eq!(st, Some(0));
    assert!(
        out.starts_with("S13.4XXA  Sprain of ligaments of cervical spine, initial encounter\n"),
        "{out}"
    );
    assert!(out.contains("  tags: cervical_sprain\n"), "{out}");
}

#[test]
fn a_category_header_is_not_billable_and_lists_the_codes_below_it() {
    let (st, out, err) = code(&["G56.0", "--date", "2025-03-01"]);
    assert_eq!(st, Some(1));
    assert!(out.contains("not billable: a category header"), "{out}");
    assert!(
        out.contains(
            "  nearest valid codes:\n    G56.00    Carpal tunnel syndrome, unspecified upper limb\n    \
             G56.01    Carpal tunnel syndrome, right upper limb\n"
        ),
        "{out}"
    );
    assert!(
        err.starts_with("error: G56.0 is a category header on 2025-03-01 (FY2025), not a billable code\n"),
        "{err}"
    );
    assert!(
        err.contains("help: nearest valid codes: G56.00, G56.01, G56.02, G56.03"),
        "{err}"
    );
}

#[test]
fn an_unknown_code_exits_1_with_the_nearest_codes_of_its_category() {
    let (st, out, err) = code(&["M54.19"]);
    assert_eq!(st, Some(1));
    assert!(out.contains("unknown: in no shipped code set"), "{out}");
    // An unknown code maps to no tag, though M54.1 would.
    assert!(out.contains("  tags: none\n"), "{out}");
    assert!(
        err.contains("error: M54.19 is not an ICD-10-CM code in any shipped code set"),
        "{err}"
    );
    // Same category, one edit away, the longest common prefix first.
    assert!(
        err.contains("help: nearest valid codes: M54.10, M54.11, M54.12, M54.13, M54.14"),
        "{err}"
    );
}

#[test]
fn a_malformed_code_is_a_located_error() {
    let (st, out, err) = code(&["MM16"]);
    assert_eq!(st, Some(1));
    assert_eq!(out, "");
    assert!(
        err.contains("error[bad_icd10cm_code]: the second character of an ICD-10-CM code is a digit, not 'M'"),
        "{err}"
    );
    assert!(err.contains("<code>:1:2"), "{err}");
    let (st, _, err) = code(&["M5.416"]);
    assert_eq!(st, Some(1));
    assert!(
        err.contains("the dot of an ICD-10-CM code comes after the third character") && err.contains("<code>:1:3"),
        "{err}"
    );
    let (st, _, err) = code(&["S13.4XXAA"]);
    assert_eq!(st, Some(1));
    assert!(
        err.contains("at most 7 characters") && err.contains("<code>:1:9"),
        "{err}"
    );
}

#[test]
fn codes_changed_on_october_1_2025_are_judged_by_the_date() {
    // G35 (multiple sclerosis) was billable through FY2025; FY2026 split
    // it into G35.A-G35.D and made it a header.
    let (st, out, _) = code(&["G35", "--date", "2025-09-30"]);
    assert_eq!(st, Some(0), "{out}");
    let (st, out, err) = code(&["G35", "--date", "2025-10-01"]);
    assert_eq!(st, Some(1));
    assert!(
        out.contains("on 2025-10-01 (FY2026): not billable: a category header"),
        "{out}"
    );
    assert!(err.contains("G35.A, G35.D"), "{err}");
    // G35.D was added on October 1, 2025.
    let (st, out, err) = code(&["G35.D", "--date", "2025-09-30"]);
    assert_eq!(st, Some(1), "{out}");
    assert!(
        out.contains("not valid: not in that code set (billable in FY2026)"),
        "{out}"
    );
    assert!(
        err.contains("error: G35.D is not a valid ICD-10-CM code on 2025-09-30 (FY2025)"),
        "{err}"
    );
    assert!(err.contains("help: nearest valid codes: G35,"), "{err}");
    let (st, out, _) = code(&["G35.D", "--date", "2025-10-01"]);
    assert_eq!(st, Some(0), "{out}");
    // S30.1XXA (contusion of abdominal wall) is gone from FY2026.
    let (st, _, _) = code(&["S30.1XXA", "--date", "2025-06-01"]);
    assert_eq!(st, Some(0));
    let (st, out, _) = code(&["S30.1XXA", "--date", "2026-06-01"]);
    assert_eq!(st, Some(1));
    assert!(
        out.contains("not valid: not in that code set (billable in FY2021, FY2025)"),
        "{out}"
    );
    // No date: the latest shipped code set.
    let (st, out, _) = code(&["S30.1XXA"]);
    assert_eq!(st, Some(1));
    assert!(
        out.contains("in the latest shipped code set (FY2026): not valid"),
        "{out}"
    );
}

#[test]
fn dates_no_shipped_code_set_covers_are_not_checked() {
    // FY2021 starts on October 1, 2020: the day before is not checked.
    let (st, out, err) = code(&["M54.16", "--date", "2020-09-30"]);
    assert_eq!(st, Some(1));
    assert!(
        out.contains("on 2020-09-30 (FY2020): not checked: the earliest shipped code set is FY2021"),
        "{out}"
    );
    assert!(
        err.contains("was not checked on 2020-09-30 (FY2020): no shipped code set covers that date"),
        "{err}"
    );
    assert!(!out.contains("nearest"), "{out}");
    let (st, _, _) = code(&["M54.16", "--date", "2020-10-01"]);
    assert_eq!(st, Some(0));
    // After the latest shipped year: not checked either.
    let (st, out, _) = code(&["M54.16", "--date", "2026-10-01"]);
    assert_eq!(st, Some(1));
    assert!(
        out.contains("(FY2027): not checked: the latest shipped code set is FY2026"),
        "{out}"
    );
    // Between FY2021 and FY2025: judged when the code stands the same in
    // both, not checked when it changed (M51.36 became a header in FY2025).
    let (st, out, _) = code(&["M54.16", "--date", "2023-01-01"]);
    assert_eq!(st, Some(0));
    assert!(
        out.contains("(FY2023, not shipped: judged by FY2021 and FY2025, where it stands the same): valid"),
        "{out}"
    );
    let (st, out, _) = code(&["M51.36", "--date", "2023-01-01"]);
    assert_eq!(st, Some(1));
    assert!(
        out.contains("not checked: it changed between the FY2021 and FY2025 code sets"),
        "{out}"
    );
}

#[test]
fn json_output_shape() {
    let (st, out, _) = code(&["g35", "--date", "2025-10-01", "--format", "json"]);
    assert_eq!(st, Some(1));
    insta::assert_snapshot!(out);
    let (st, out, _) = code(&["M54.", "--format", "json"]);
    assert_eq!(st, Some(1));
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["error"]["column"], 4);
    assert_eq!(v["error"]["message"], "nothing follows the dot");
}

#[test]
fn request_lines_show_their_diagnosis_codes() {
    let o = common::mtus(&[
        "request",
        "--date",
        "2025-03-01",
        "PT 2x6 lumbar spine, Dx: M5416, G56.01",
    ]);
    let out = common::stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(
        out.contains("  diagnosis: icd-10-cm M5416 @25..30\n  diagnosis: icd-10-cm G56.01 @32..38\n"),
        "{out}"
    );
    assert!(
        out.contains("  M54.16: Radiculopathy, lumbar region (valid: a billable code); tags: lumbar_radiculopathy\n"),
        "{out}"
    );
    assert!(out.contains("  G56.01: Carpal tunnel syndrome, right upper limb (valid: a billable code); tags: carpal_tunnel_syndrome\n"), "{out}");
    // The numbers of the codes are not taken as anything else.
    assert!(!common::stderr(&o).contains("ambiguous"), "{}", common::stderr(&o));

    let o = common::mtus(&["request", "--date", "2025-03-01", "--format", "json", "Dx: M54.5"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(common::stdout(&o).trim()).expect("json");
    assert_eq!(v["diagnoses"][0]["code"], "M54.5");
    assert_eq!(v["diagnoses"][0]["status"], "header");
    assert_eq!(v["diagnoses"][0]["span"]["start"], 4);
    assert_eq!(v["treatment"], serde_json::Value::Null);
    // The text output locates the error in the line.
    let o = common::mtus(&["request", "--date", "2025-03-01", "Dx: M54.5"]);
    assert_eq!(o.status.code(), Some(1));
    let err = common::stderr(&o);
    assert!(
        err.contains("error[invalid_icd10cm_code]: M54.5 is a category header on 2025-03-01 (FY2025)"),
        "{err}"
    );
    assert!(err.contains("<line 1>:1:5"), "{err}");
    assert!(
        err.contains("help: nearest valid codes: M54.50, M54.51, M54.59"),
        "{err}"
    );
}

/// The closed set of `diagnoses.tags` in rules/facts.mtus.
fn closed_tags() -> BTreeSet<String> {
    let facts = std::fs::read_to_string(common::root().join("rules/facts.mtus")).expect("facts.mtus");
    let start = facts
        .find("fact diagnoses.tags: list<symbol> of [")
        .expect("diagnoses.tags")
        + 38;
    let end = start + facts[start..].find(']').expect("]");
    facts[start..end].split(',').map(|s| s.trim().to_string()).collect()
}

#[test]
fn every_tag_table_row_is_a_shipped_code_and_maps_to_known_tags() {
    let rows = mtus_codes::tag_rows().expect("table");
    assert!(rows.len() >= 40, "{} rows", rows.len());
    let closed = closed_tags();
    assert!(
        closed.contains("lumbar_radiculopathy") && closed.len() > 50,
        "{closed:?}"
    );
    for r in rows {
        let c = mtus_codes::check(&r.written, mtus_codes::When::Latest)
            .expect("table")
            .expect("shape");
        let desc = c
            .description
            .unwrap_or_else(|| panic!("line {}: {} is in no shipped code set", r.line, r.written));
        // The note starts with the official title of the prefix.
        assert!(
            r.note.starts_with(&desc),
            "line {}: {} is '{desc}', the note says '{}'",
            r.line,
            r.written,
            r.note
        );
        for t in &r.tags {
            assert!(
                closed.contains(t),
                "line {}: '{t}' is not one of diagnoses.tags",
                r.line
            );
        }
    }
    // The tags rules read through the constants named in the brief are covered.
    let mapped: BTreeSet<&str> = rows.iter().flat_map(|r| r.tags.iter().map(String::as_str)).collect();
    for t in [
        "cervical_radiculopathy",
        "lumbar_radiculopathy",
        "carpal_tunnel_syndrome",
        "rotator_cuff_tear",
        "cervical_sprain",
        "lumbar_sprain",
        "fibromyalgia",
        "chronic_pain_syndrome",
        "depression",
        "insomnia",
        "osteoarthritis",
        "crps",
        "multiple_sclerosis",
        "spinal_cord_injury",
    ] {
        assert!(mapped.contains(t), "{t} is mapped by no row");
    }
}

#[test]
fn a_code_takes_the_tags_of_its_longest_listed_prefix() {
    let tags = |c: &str| {
        mtus_codes::check(c, mtus_codes::When::Latest)
            .expect("table")
            .expect("shape")
            .tags
    };
    assert_eq!(tags("M54.16"), ["lumbar_radiculopathy"]);
    assert_eq!(tags("M54.10"), ["radiculopathy"]);
    assert_eq!(tags("M54.13"), ["cervical_radiculopathy", "thoracic_radiculopathy"]);
    assert_eq!(tags("M51.16"), ["lumbar_disc_disease", "lumbar_radiculopathy"]);
    assert_eq!(tags("G56.03"), ["carpal_tunnel_syndrome"]);
    assert_eq!(tags("M75.121"), ["rotator_cuff_tear"]);
    assert_eq!(tags("S33.5XXA"), ["lumbar_sprain"]);
    assert_eq!(tags("F33.1"), ["depression"]);
    assert_eq!(tags("E11.42"), ["diabetes", "diabetic_neuropathy", "polyneuropathy"]);
    assert_eq!(tags("E11.9"), ["diabetes"]);
    // Mapped to no tag on purpose, and not listed at all.
    assert!(tags("M54.50").is_empty());
    assert!(tags("J45.909").is_empty());
}
