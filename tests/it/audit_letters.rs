//! `mtus audit` rows carry what a letter records (request date, reviewer,
//! citations) beside the deciding rule's source and tier, in every
//! machine format, through the real binary.

use super::common;

const CASE: &str = "cases/seed-000.yaml";

/// Expected by hand from cases/seed-000.yaml and rules/muscle_relaxants.mtus
/// (`cites MTUS-CPMTG`, an MTUS source).
const FLEXERIL: [(&str, &str); 7] = [
    ("request_date", "2015-05-06"),
    ("reviewer_specialty", "family_practice"),
    ("reviewer_licensure", "nj"),
    ("cites", "MTUS CPMTG Muscle relaxants pp. 63-66"),
    ("decided_by", "muscle_relaxants.chronic_use"),
    ("rule_source", "MTUS-CPMTG"),
    ("rule_tier", "mtus"),
];

#[test]
fn csv_rows_carry_the_letter_and_the_deciding_rule() {
    let o = common::mtus(&["audit", "--no-progress", "--format", "csv", CASE]);
    let csv = common::stdout(&o);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let rows: Vec<Vec<String>> = lines.map(split_csv).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    for r in &rows {
        assert_eq!(r.len(), header.len(), "every row as wide as the header: {csv}");
    }
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{name}: {csv}"))
    };
    let flexeril = rows
        .iter()
        .find(|r| r[col("request")] == "flexeril")
        .unwrap_or_else(|| panic!("{csv}"));
    for (name, want) in FLEXERIL {
        assert_eq!(flexeril[col(name)], want, "{name}: {csv}");
    }
    let massage = rows
        .iter()
        .find(|r| r[col("request")] == "massage")
        .unwrap_or_else(|| panic!("{csv}"));
    // Two citations in one cell, `; ` between them.
    assert_eq!(
        massage[col("cites")],
        "MTUS CPMTG Massage therapy p. 60; ODG Neck and Upper Back, Massage",
        "{csv}"
    );
    // The rule set's hash, the same in every row, 64 hex digits.
    let h = &flexeril[col("rules_sha256")];
    assert!(h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()), "{csv}");
    assert!(rows.iter().all(|r| &r[col("rules_sha256")] == h), "{csv}");
}

#[test]
fn json_and_jsonl_rows_carry_the_letter_and_the_deciding_rule() {
    let o = common::mtus(&["audit", "--no-progress", "--format", "json", CASE]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let jl = common::mtus(&["audit", "--no-progress", "--format", "jsonl", CASE]);
    let lines: Vec<serde_json::Value> = common::stdout(&jl)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let from_json = v["requests"].as_array().cloned().unwrap_or_default();
    let from_jsonl: Vec<&serde_json::Value> = lines.iter().filter(|l| l["kind"] == "request").collect();
    assert_eq!(from_json.len(), 2);
    assert_eq!(from_jsonl.len(), 2);
    for row in from_json.iter().chain(from_jsonl.iter().copied()) {
        if row["request"] != "flexeril" {
            continue;
        }
        for (name, want) in FLEXERIL {
            let got = match &row[name] {
                serde_json::Value::Array(a) => a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join("; "),
                x => x.as_str().unwrap_or("?").to_string(),
            };
            assert_eq!(got, want, "{name}: {row}");
        }
        assert!(row["reviewer_licensure"].is_array() && row["cites"].is_array(), "{row}");
    }
}

/// One CSV record (quotes as RFC 4180 writes them).
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(s) = cells.last_mut() {
                    s.push('"');
                }
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(String::new()),
            (c, _) => {
                if let Some(s) = cells.last_mut() {
                    s.push(c);
                }
            }
        }
    }
    cells
}
