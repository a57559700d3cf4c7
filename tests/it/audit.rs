//! Golden outputs of `mtus audit` on a fixed set of cases
//! (`tests/fixtures/audit/`: YAML files, one broken, and a JSON Lines file
//! with bad records), in every format, and the HTML page.

use crate::common;

const FIXTURES: &str = "tests/fixtures/audit";

fn audit(args: &[&str]) -> (String, String, Option<i32>) {
    let o = common::mtus(&[&["audit", "--threads", "2"], args, &[FIXTURES]].concat());
    let err = common::stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    (common::stdout(&o), err, o.status.code())
}

#[test]
fn text() {
    let (out, err, code) = audit(&[]);
    assert_eq!(code, Some(1), "a broken input fails the run");
    insta::assert_snapshot!("text", out);
    insta::assert_snapshot!("text_stderr", err);
}

#[test]
fn markdown() {
    let (out, _, _) = audit(&["--format", "markdown"]);
    insta::assert_snapshot!("markdown", out);
}

#[test]
fn csv() {
    let (out, err, _) = audit(&["--format", "csv"]);
    assert_eq!(err, "", "machine formats keep errors in the output");
    // The rule set's hash (second column) changes with every rule edit.
    let out: String = out
        .lines()
        .map(|l| match l.split_once(',') {
            Some((kind, rest)) if kind != "kind" => {
                let hex = rest.chars().take_while(char::is_ascii_hexdigit).count();
                assert_eq!(hex, 64, "{l}");
                format!("{kind},[hash]{}\n", &rest[hex..])
            }
            _ => format!("{l}\n"),
        })
        .collect();
    insta::assert_snapshot!("csv", out);
}

#[test]
fn json_keeps_the_documented_fields() {
    let (out, err, code) = audit(&["--format", "json"]);
    assert_eq!(code, Some(1));
    assert_eq!(err, "");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["version"], 2);
    for key in [
        "requests",
        "totals",
        "agreement",
        "disagreements",
        "errors",
        "kappa",
        "confusion",
        "by_category",
        "deciders",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    let t = &v["totals"];
    assert_eq!(t["inputs"], 9);
    assert_eq!(t["errors"], 3);
    assert_eq!(t["cases"], 6);
    assert_eq!(t["requests"], 7);
    assert_eq!(t["unrecorded"], 1);
    let row = &v["requests"][0];
    for key in [
        "file",
        "line",
        "case",
        "request",
        "treatment",
        "category",
        "outcome",
        "predicted",
        "recorded",
        "agrees",
        "decided_by",
        "error",
    ] {
        assert!(row.get(key).is_some(), "request rows lack {key}");
    }
    let errors = v["errors"].as_array().expect("errors");
    let places: Vec<String> = errors
        .iter()
        .map(|e| format!("{}:{}", e["file"].as_str().unwrap_or("?"), e["line"]))
        .collect();
    assert_eq!(
        places,
        [
            "tests/fixtures/audit/d-broken.yaml:7",
            "tests/fixtures/audit/e-batch.jsonl:4",
            "tests/fixtures/audit/e-batch.jsonl:5"
        ]
    );
    insta::assert_json_snapshot!("json_summary", {
        let mut v = v.clone();
        if let Some(o) = v.as_object_mut() {
            o.remove("requests");
            o.remove("disagreements");
        }
        v
    });
}

#[test]
fn html_page_is_self_contained() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("audit.html");
    let (_, _, code) = audit(&["--format", "csv", "--html", &page.display().to_string()]);
    assert_eq!(code, Some(1));
    let html = std::fs::read_to_string(&page).expect("page written");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<svg"), "the chart is inline SVG");
    assert!(html.contains("Agreement by treatment class"));
    assert!(html.contains("<details>"), "disagreements with their traces");
    assert!(html.contains("spasm_on_exam"));
    // The totals for analysts, each grouping a table with its intervals.
    assert!(html.contains("<h2>Totals</h2>"), "{html}");
    for title in [
        "by treatment category",
        "by year of the request",
        "by reviewer specialty",
        "by guideline cited",
    ] {
        assert!(html.contains(&format!("<h3>{title}")), "{title}");
    }
    assert!(
        html.contains("<td>muscle_relaxant</td><td>2</td><td>0</td><td>2</td><td>0.0% (0.0-65.8%) *</td>"),
        "{html}"
    );
    assert!(html.contains("not compared with the engine"), "{html}");
    // Nothing to fetch: no script, no external link, font or image.
    for bad in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(bad), "the page has {bad}");
    }
    // The only URL is the SVG namespace, which is not fetched.
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
}

/// A request that falls with the request it depends on says so in every
/// row format, rather than showing an empty reason.
#[test]
fn a_request_that_falls_with_another_names_it() {
    let case = "cases/ppi-falls-with-denied-nsaid.yaml";
    let run = |format: &str| {
        let o = common::mtus(&["audit", "--format", format, case]);
        (common::stdout(&o), common::stderr(&o), o.status.code())
    };
    let (out, err, code) = run("csv");
    assert_eq!(code, Some(0), "{err}");
    let header: Vec<&str> = out.lines().next().unwrap_or("").split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "falls_with")
        .expect("falls_with column");
    let rows: Vec<Vec<&str>> = out.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let req = header.iter().position(|h| *h == "request").expect("request column");
    let cell = |id: &str| rows.iter().find(|r| r[req] == id).map(|r| r[col]);
    assert_eq!(cell("omeprazole"), Some("naproxen"), "{out}");
    assert_eq!(cell("naproxen"), Some(""), "{out}");
    for format in ["json", "jsonl"] {
        let (out, err, _) = run(format);
        assert!(
            out.contains(r#""request":"omeprazole""#) || out.contains(r#""request": "omeprazole""#),
            "{err}"
        );
        assert!(
            out.contains(r#""falls_with":"naproxen""#) || out.contains(r#""falls_with": "naproxen""#),
            "{format}: {out}"
        );
    }
}

/// Every audit output names the rule set that decided it: the text and
/// Markdown first line, a `rules` field in JSON and in the JSON Lines
/// summary, CSV's first row, the HTML page's title line.
#[test]
fn the_rule_set_is_named() {
    let (text, _, _) = audit(&[]);
    assert!(text.starts_with("rules: "), "{text}");
    let (md, _, _) = audit(&["--format", "markdown"]);
    assert!(md.starts_with("Rules: "), "{md}");
    let (json, _, _) = audit(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(v["rules"]["sha256"].as_str().is_some_and(|h| !h.is_empty()), "{json}");
    let (jsonl, _, _) = audit(&["--format", "jsonl"]);
    let last = jsonl.lines().last().unwrap_or("");
    let s: serde_json::Value = serde_json::from_str(last).expect("summary line");
    assert_eq!(s["kind"], "summary");
    assert!(
        s["rules"]["description"].as_str().is_some_and(|d| d.contains("sha256")),
        "{last}"
    );
    // CSV: a tidy table, the header first, the rule set's full hash in
    // the second column of every row (no pseudo-row).
    let (csv, _, _) = audit(&["--format", "csv"]);
    let mut lines = csv.lines();
    assert!(
        lines.next().is_some_and(|h| h.starts_with("kind,rules_sha256,file,")),
        "{csv}"
    );
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty(), "{csv}");
    let hash = rows[0].split(',').nth(1).unwrap_or("");
    assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()), "{csv}");
    for row in rows {
        assert!(row.starts_with("request,") || row.starts_with("error,"), "{row}");
        assert_eq!(row.split(',').nth(1), Some(hash), "{row}");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let page = dir.path().join("audit.html");
    let _ = audit(&["--format", "csv", "--html", &page.display().to_string()]);
    let html = std::fs::read_to_string(&page).expect("page written");
    assert!(html.contains("(rules: "), "the page names the rule set");
}
