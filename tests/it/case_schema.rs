//! The JSON Schema `mtus schema` prints: every shipped case validates
//! against it, and broken cases do not.

use crate::common;

use common::{mtus, root, shipped_rules, stdout};
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let (_, rules) = shipped_rules();
    let schema = mtus::schema_json::case_schema(&rules.program);
    jsonschema::draft202012::new(&schema).expect("the generated schema is a valid draft 2020-12 schema")
}

fn as_json(name: &str, text: &str) -> Value {
    if name.ends_with(".json") {
        serde_json::from_str(text).expect("a JSON case parses")
    } else {
        mtus::schema_json::yaml_as_json(text).unwrap_or_else(|| panic!("{name} is YAML"))
    }
}

#[test]
fn every_shipped_case_validates() {
    let v = validator();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(root().join("cases"))
        .expect("cases/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("read case");
        let doc = as_json(&name, &text);
        for e in v.iter_errors(&doc) {
            failures.push(format!("{name}: {} at {}", e, e.instance_path()));
        }
        checked += 1;
    }
    assert!(checked > 300, "only {checked} cases found");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

const GOOD: &str = "\
case: x
exam: { muscle_spasm: true }
pain: { worst: 9 }
history:
  massage_therapy: { received: true, visits: 6 visit }
requests:
  - id: m
    treatment: massage_therapy
    quantity: 6 visit
    date: 2015-05-06
determination:
  decisions:
    - { request: m, outcome: upheld }
";

#[test]
fn a_good_case_validates_and_broken_ones_do_not() {
    let v = validator();
    let good = as_json("good.yaml", GOOD);
    assert!(
        v.is_valid(&good),
        "{:?}",
        v.iter_errors(&good).map(|e| e.to_string()).collect::<Vec<_>>()
    );
    let broken = [
        ("unknown top key", GOOD.replace("case: x", "case: x\nexamination: {}")),
        (
            "unknown fact",
            GOOD.replace("muscle_spasm: true", "muscle_spasms: true"),
        ),
        (
            "a bool as text",
            GOOD.replace("muscle_spasm: true", "muscle_spasm: \"yes\""),
        ),
        ("a score out of range", GOOD.replace("worst: 9", "worst: 11")),
        ("a unit that is no unit", GOOD.replace("6 visit", "6 parsecs")),
        (
            "a treatment not in the catalog",
            GOOD.replace("treatment: massage_therapy", "treatment: massage_chair"),
        ),
        (
            "a history key not in the catalog",
            GOOD.replace("  massage_therapy:", "  massages:"),
        ),
        (
            "an outcome that is neither",
            GOOD.replace("outcome: upheld", "outcome: denied"),
        ),
        (
            "a request without an id",
            GOOD.replace("  - id: m\n    treatment", "  - treatment"),
        ),
    ];
    for (what, text) in broken {
        assert_ne!(text, GOOD, "{what}: the mutation did not apply");
        let doc = as_json(what, &text);
        assert!(!v.is_valid(&doc), "{what}: validates but should not");
    }
}

#[test]
fn the_cli_prints_the_same_schema() {
    let o = mtus(&["schema"]);
    assert!(o.status.success());
    let printed: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let (_, rules) = shipped_rules();
    assert_eq!(printed, mtus::schema_json::case_schema(&rules.program));
    assert_eq!(printed["$schema"], "https://json-schema.org/draft/2020-12/schema");
    // A closed vocabulary is an enum, a unit a pattern by dimension.
    let intent = &printed["$defs"]["request"]["properties"]["intent"];
    assert!(
        intent["enum"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "acute_flare"))
    );
    let visits = &printed["$defs"]["history_entry"]["properties"]["visits"];
    assert_eq!(
        visits["pattern"], "^[0-9]+(\\.[0-9]+)? *(visit|visits|session|sessions|treatment|treatments)$",
        "{visits}"
    );
    let worst = &printed["properties"]["pain"]["properties"]["worst"];
    assert_eq!(
        (&worst["minimum"], &worst["maximum"]),
        (&Value::from(0), &Value::from(10)),
        "{worst}"
    );
}

/// docs/case-file.md lists every fact of the shipped rules, as
/// `facts_markdown` writes it. `UPDATE_DOCS=1 cargo test --test
/// case_schema` rewrites the list after a schema change.
#[test]
fn the_case_file_docs_list_every_fact() {
    let (_, rules) = shipped_rules();
    let want = mtus::schema_json::facts_markdown(&rules.program);
    let path = root().join("docs/case-file.md");
    let text = std::fs::read_to_string(&path).expect("docs/case-file.md");
    let (begin, end) = ("<!-- facts:begin -->\n", "<!-- facts:end -->");
    let (Some(a), Some(b)) = (text.find(begin), text.find(end)) else {
        panic!("docs/case-file.md has no {begin:?} ... {end:?} block");
    };
    let have = &text[a + begin.len()..b];
    if have != want && std::env::var_os("UPDATE_DOCS").is_some() {
        let new = format!("{}{want}{}", &text[..a + begin.len()], &text[b..]);
        std::fs::write(&path, new).expect("write docs");
        return;
    }
    assert_eq!(
        have, want,
        "docs/case-file.md is out of date: run UPDATE_DOCS=1 cargo test --test case_schema"
    );
}
