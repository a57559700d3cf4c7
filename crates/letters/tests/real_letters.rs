//! Reads the real letters in `../shared/imr-letters/` (when present) and
//! compares every field with `truth.json`, printing agreement per field.
//! Every item's decision and text must agree; any other difference must be
//! listed in `KNOWN` with the reason the truth file is wrong.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

/// (file, field, item number or 0 for the letter, why the truth file is wrong).
const KNOWN: &[(&str, &str, usize, &str)] = &[
    (
        "CM16-0229336.pdf",
        "item.original_request",
        1,
        "the heading states the original request (UR authorized a skilled nursing stay instead, leaving it IMR eligible); truth omits it",
    ),
    (
        "CM16-0231706.pdf",
        "item.original_request",
        1,
        "the heading's first sentence is the original request (12 visits ... re-examination); truth marks ur_modified but omits it",
    ),
    (
        "CM17-0020728.pdf",
        "item.original_request",
        1,
        "the heading's first sentence is the original request (3 weeks (6)); truth marks ur_modified but omits it",
    ),
    (
        "CM16-0235991.pdf",
        "item.reviewer",
        2,
        "\"Electro-\" ends a line and the letter writes \"electrodiagnostic\" elsewhere: a line-end hyphen, joined (the MTUS section is \"Electrodiagnostic testing (EMG/NCS)\")",
    ),
    (
        "CM16-0229336.pdf",
        "item.reviewer",
        1,
        "both web addresses break at a line-end hyphen (\"skilled-\" / \"nursing\"); truth joins with a space, which no URL has: the address is \"...skilled-nursing...\"",
    ),
    (
        "CM17-0009996.pdf",
        "item.reviewer",
        1,
        "the web address breaks at a line-end hyphen (\"Regulations-and-\" / \"Guidance\"); truth joins with a space, which no URL has: the address is \"...Regulations-and-Guidance/...\"",
    ),
    (
        "CM17-0007300.pdf",
        "specialty",
        0,
        "truth stops at the line wrap; the next line ends the field: \"General Preventive Medicine\"",
    ),
    (
        "CM17-0010885.pdf",
        "specialty",
        0,
        "truth stops at the line wrap; the next line ends the field: \"General Preventive Medicine\"",
    ),
    (
        "CM17-0012517.pdf",
        "specialty",
        0,
        "truth stops at the line wrap; the next line ends the field: \"General Preventive Medicine\"",
    ),
    (
        "CM17-0016761.pdf",
        "specialty",
        0,
        "truth stops at the line wrap; the next line ends the field: \"General Preventive Medicine\"",
    ),
    (
        "CM17-0017104.pdf",
        "specialty",
        0,
        "truth stops at the line wrap; the next line ends the field: \"General Preventive Medicine\"",
    ),
    (
        "CM17-0008519.pdf",
        "specialty",
        0,
        "truth stops at the line wrap; the next line ends the field with \"Medicine\" (Occupational Medicine)",
    ),
    (
        "CM17-0008551.pdf",
        "specialty",
        0,
        "truth stops at the line wrap; the next line ends the field with \"Medicine\" (Occupational Medicine)",
    ),
];

/// The folder of the real letters: `$MTUS_SHARED/imr-letters` when
/// `MTUS_SHARED` is set (point it at an empty folder to run as a fresh
/// clone does), else `../shared/imr-letters` beside the repository.
fn shared() -> Option<PathBuf> {
    let dir = match std::env::var_os("MTUS_SHARED") {
        Some(d) => PathBuf::from(d).join("imr-letters"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/imr-letters"),
    };
    (dir.join("truth.json").is_file() && dir.join("pdf").is_dir()).then_some(dir)
}

/// Spaces collapsed and characters normalized as the reader does (an en
/// dash in the truth file is the reader's "-").
fn norm(s: &str) -> String {
    mtus_letters::clean::normalize_chars(s)
}

fn s(v: &Value) -> Option<String> {
    v.as_str().map(norm)
}

#[derive(Default)]
struct Tally {
    agree: BTreeMap<&'static str, (usize, usize)>,
    diffs: Vec<(String, &'static str, usize, String, String)>,
}

impl Tally {
    fn check(&mut self, file: &str, field: &'static str, item: usize, truth: Option<String>, got: Option<String>) {
        let e = self.agree.entry(field).or_default();
        e.1 += 1;
        if truth == got {
            e.0 += 1;
        } else {
            self.diffs
                .push((file.to_string(), field, item, format!("{truth:?}"), format!("{got:?}")));
        }
    }
}

#[test]
fn real_letters_agree_with_truth() {
    let Some(dir) = shared() else {
        println!("note: ../shared/imr-letters not found; real-letter comparison skipped");
        return;
    };
    let truth: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).expect("truth.json"))
        .expect("truth json");
    let mut t = Tally::default();
    for want in &truth {
        let file = want["file"].as_str().unwrap_or_default();
        let bytes = std::fs::read(dir.join("pdf").join(file)).expect("letter pdf");
        let letter = match mtus_letters::read_pdf(&bytes) {
            Ok(l) => l,
            Err(e) => panic!("{file}: {e}"),
        };
        let v = |o: &Option<mtus_letters::Located<String>>| o.as_ref().map(|l| norm(&l.value));
        t.check(file, "case_number", 0, s(&want["case_number"]), v(&letter.case_number));
        t.check(
            file,
            "date_assigned",
            0,
            s(&want["date_assigned"]),
            v(&letter.date_assigned),
        );
        t.check(file, "injury_date", 0, s(&want["injury_date"]), v(&letter.injury_date));
        t.check(
            file,
            "decision_date",
            0,
            s(&want["decision_date"]),
            v(&letter.decision_date),
        );
        t.check(
            file,
            "ur_denial_date",
            0,
            s(&want["ur_denial_date"]),
            v(&letter.ur_denial_date),
        );
        let lic: Vec<String> = want["licensure"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str().map(norm))
            .collect();
        let got_lic: Vec<String> = letter.licensure.iter().map(|l| l.value.state.clone()).collect();
        t.check(file, "licensure", 0, Some(lic.join(", ")), Some(got_lic.join(", ")));
        t.check(file, "specialty", 0, s(&want["specialty"]), v(&letter.specialty_text));
        t.check(
            file,
            "age",
            0,
            want["age"].as_u64().map(|a| a.to_string()),
            letter.age.as_ref().map(|a| a.value.to_string()),
        );
        t.check(
            file,
            "sex",
            0,
            s(&want["sex"]),
            letter.sex.as_ref().map(|x| x.value.as_str().to_string()),
        );
        let items = want["items"].as_array().cloned().unwrap_or_default();
        t.check(
            file,
            "item_count",
            0,
            Some(items.len().to_string()),
            Some(letter.items.len().to_string()),
        );
        for (k, wi) in items.iter().enumerate() {
            let n = k + 1;
            let gi = letter.items.get(k);
            t.check(file, "item.text", n, s(&wi["text"]), gi.map(|i| norm(&i.text.value)));
            t.check(
                file,
                "item.decision",
                n,
                s(&wi["decision"]),
                gi.map(|i| i.decision.value.as_str().to_string()),
            );
            t.check(
                file,
                "item.ur_modified",
                n,
                wi["ur_modified"].as_bool().map(|b| b.to_string()),
                gi.map(|i| i.ur_modified.to_string()),
            );
            t.check(
                file,
                "item.original_request",
                n,
                s(&wi["original_request"]),
                gi.and_then(|i| v(&i.original_request)),
            );
            let raw = |c: &Option<mtus_letters::Citation>| c.as_ref().map(|c| norm(&c.raw));
            t.check(
                file,
                "item.claims_administrator",
                n,
                s(&wi["claims_administrator"]),
                gi.and_then(|i| raw(&i.claims_administrator)),
            );
            t.check(
                file,
                "item.reviewer",
                n,
                s(&wi["maximus"]),
                gi.and_then(|i| raw(&i.reviewer)),
            );
        }
    }
    println!("\n{:<28} {:>7} {:>7} {:>8}", "field", "agree", "of", "percent");
    for (field, (a, n)) in &t.agree {
        println!(
            "{:<28} {:>7} {:>7} {:>7.1}%",
            field,
            a,
            n,
            100.0 * *a as f64 / (*n).max(1) as f64
        );
    }
    let mut unexplained = Vec::new();
    for (file, field, item, want, got) in &t.diffs {
        let known = KNOWN.iter().find(|(f, fl, i, _)| f == file && fl == field && i == item);
        match known {
            Some((_, _, _, why)) => println!("known: {file} {field} #{item}: truth {want} / read {got} ({why})"),
            None => unexplained.push(format!("{file} {field} #{item}:\n   truth {want}\n   read  {got}")),
        }
    }
    let stale: Vec<_> = KNOWN
        .iter()
        .filter(|(f, fl, i, _)| {
            !t.diffs
                .iter()
                .any(|(df, dfl, di, _, _)| df == f && dfl == fl && di == i)
        })
        .collect();
    assert!(stale.is_empty(), "KNOWN entries that no longer differ: {stale:?}");
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
}
