//! `mtus serve`'s JSON API over real HTTP: the binary is started on a free
//! loopback port (`--port 0`, the address read from its first line) and
//! asked with a real client.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .args(extra)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("mtus serve starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("the address line");
    let url = line
        .trim()
        .strip_prefix("mtus serve: listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    assert!(url.starts_with("http://127.0.0.1:"), "binds loopback by default: {url}");
    Server {
        child,
        base: url.trim_end_matches('/').to_string(),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// (status, body) of a POST.
fn post(s: &Server, path: &str, body: &[u8]) -> (u16, String) {
    let mut r = agent()
        .post(format!("{}{path}", s.base))
        .header("content-type", "application/json")
        .send(body)
        .expect("the server answers");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("a text body"))
}

fn get(s: &Server, path: &str) -> (u16, String) {
    let mut r = agent()
        .get(format!("{}{path}", s.base))
        .call()
        .expect("the server answers");
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().expect("a text body"))
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn mtus_check_json(dir: &Path, file: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mtus"))
        .current_dir(dir)
        .args(["--builtin-rules", "check", "--format", "json", file])
        .output()
        .expect("mtus check runs");
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn check_of_the_seed_case_is_what_mtus_check_prints() {
    // Both with the built-in rules, so both name the same rule set.
    let s = start(&["--builtin-rules"]);
    let body = std::fs::read(root().join("tests/fixtures/serve/seed-000.json")).expect("fixture");
    let (status, got) = post(&s, "/v1/check", &body);
    assert_eq!(status, 200, "{got}");

    // Byte for byte what `mtus check --format json` prints for the same
    // JSON in a file named case.json (the name the API gives a posted case).
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("case.json"), &body).expect("write");
    assert_eq!(got, mtus_check_json(dir.path(), "case.json"));

    // And the JSON fixture is the seed case: the same requests as the
    // YAML file gives.
    let yaml = json(&mtus_check_json(root(), "cases/seed-000.yaml"));
    let api = json(&got);
    assert_eq!(api["cases"][0]["requests"], yaml["cases"][0]["requests"]);
    let outcomes: Vec<&str> = api["cases"][0]["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|q| q["outcome"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(outcomes, ["not_medically_necessary", "not_medically_necessary"]);
}

#[test]
fn a_case_with_three_mistakes_is_422_with_three_located_diagnostics() {
    let s = start(&[]);
    let body = r#"{
  "case": "three",
  "pain": { "worst": 14 },
  "requests": [
    { "id": "m", "treatment": "massage_therapy",
      "quantity": "6 vist",
      "date": "2015-02-30" }
  ]
}"#;
    let (status, text) = post(&s, "/v1/check", body.as_bytes());
    assert_eq!(status, 422, "{text}");
    let doc = json(&text);
    assert_eq!(doc["cases"], Value::Array(vec![]));
    let errs = doc["errors"].as_array().expect("errors");
    let got: Vec<(String, u64, u64, String)> = errs
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap_or("?").to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["column"].as_u64().unwrap_or(0),
                e["file"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("out-of-range".to_string(), 3, 22, "case.json".to_string()),
            ("bad-quantity".to_string(), 6, 19, "case.json".to_string()),
            ("bad-date".to_string(), 7, 15, "case.json".to_string()),
        ]
    );
    for e in errs {
        assert!(e["help"].is_string(), "every diagnostic has help: {e}");
    }
}

#[test]
fn bad_json_is_400_with_line_and_column() {
    let s = start(&[]);
    let body = "{\"case\": \"x\",\n \"requests\": [ {\"id\": \"m\",} ]}";
    let (status, text) = post(&s, "/v1/check", body.as_bytes());
    assert_eq!(status, 400, "{text}");
    let doc = json(&text);
    let e = &doc["errors"][0];
    assert_eq!(e["code"], "json-syntax");
    assert_eq!((e["line"].as_u64(), e["column"].as_u64()), (Some(2), Some(27)), "{e}");
    assert_eq!(doc["errors"].as_array().map(Vec::len), Some(1));

    // Not UTF-8 at all: 400 too, at the first bad byte.
    let (status, text) = post(&s, "/v1/check", b"{\"case\": \"\xff\"}");
    assert_eq!(status, 400, "{text}");
    let e = &json(&text)["errors"][0];
    assert_eq!((e["code"].as_str(), e["column"].as_u64()), (Some("not-text"), Some(11)));
}

#[test]
fn a_body_over_the_file_cap_is_413() {
    // The built-in rules: a rule file read from rules/ is longer than the cap.
    let s = start(&["--builtin-rules", "--max-file-bytes", "4096"]);
    let mut body = b"{\"case\": \"".to_vec();
    body.extend(std::iter::repeat_n(b'x', 5000));
    body.extend(b"\"}");
    let (status, text) = post(&s, "/v1/check", &body);
    assert_eq!(status, 413, "{text}");
    let e = &json(&text)["errors"][0];
    assert_eq!(e["code"], "too-large");
    assert!(e["message"].as_str().unwrap_or("").contains("4 KiB"), "{e}");
    // Just under the cap is read (and found wanting for other reasons).
    let (status, _) = post(&s, "/v1/check", br#"{"case": "x"}"#);
    assert_eq!(status, 422);
}

#[test]
fn an_unknown_route_is_404_json() {
    let s = start(&[]);
    let (status, text) = get(&s, "/v2/nothing");
    assert_eq!(status, 404);
    let e = &json(&text)["errors"][0];
    assert_eq!(e["code"], "not-found");
    assert_eq!(e["message"], "there is no GET /v2/nothing");
    let (status, text) = get(&s, "/v1/form?treatment=masage");
    assert_eq!(status, 404, "{text}");
    let e = &json(&text)["errors"][0];
    assert_eq!(e["code"], "unknown-treatment");
    assert!(e["help"].as_str().unwrap_or("").contains("massage"), "{e}");
}

#[test]
fn treatments_schema_and_rules_describe_the_rules_loaded() {
    let s = start(&[]);
    let (status, text) = get(&s, "/v1/treatments");
    assert_eq!(status, 200);
    let ts = json(&text);
    let massage = ts
        .as_array()
        .expect("a list")
        .iter()
        .find(|t| t["name"] == "massage_therapy")
        .expect("massage therapy is a treatment");
    assert_eq!(
        massage["quantity_units"],
        serde_json::json!(["visit", "session", "treatment"])
    );
    let flexeril = ts
        .as_array()
        .expect("a list")
        .iter()
        .find(|t| t["name"] == "cyclobenzaprine");
    assert!(
        flexeril.is_some_and(|t| t["aka"].as_array().is_some_and(|a| a.iter().any(|x| x == "Flexeril"))),
        "brand names are listed"
    );

    let (status, text) = get(&s, "/v1/schema");
    assert_eq!(status, 200);
    let facts = json(&text);
    let worst = facts
        .as_array()
        .expect("a list")
        .iter()
        .find(|f| f["fact"] == "pain.worst")
        .expect("pain.worst is a fact");
    assert_eq!(worst["type"], "score");
    assert_eq!(worst["range"]["max"], 10.0);
    assert!(worst["description"].as_str().is_some_and(|d| !d.is_empty()));
    let sex = facts
        .as_array()
        .expect("a list")
        .iter()
        .find(|f| f["fact"] == "claimant.sex");
    assert_eq!(sex.map(|f| &f["values"]), Some(&serde_json::json!(["female", "male"])));

    let (status, text) = get(&s, "/v1/rules");
    assert_eq!(status, 200);
    let rules = json(&text);
    let m = rules
        .as_array()
        .expect("a list")
        .iter()
        .find(|r| r["name"] == "massage_therapy")
        .expect("the massage rule");
    assert_eq!(m["citation"], "MTUS-CPMTG \"Massage therapy\" p. 60");
    let limit = m["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .find(|c| c["name"] == "visit_limit")
        .expect("visit_limit");
    assert!(
        limit["reads"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == "request.quantity"))
    );
}

#[test]
fn the_form_lists_what_the_rules_in_force_read() {
    let s = start(&[]);
    let (status, text) = get(&s, "/v1/form?treatment=Massage&date=2015-05-06");
    assert_eq!(status, 200, "{text}");
    let f = json(&text);
    assert_eq!(f["treatment"]["name"], "massage_therapy");
    assert_eq!(f["rules"], serde_json::json!(["massage_therapy", "massage_odg_neck"]));
    let paths: Vec<String> = f["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|x| {
            x["path"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .map(|k| k.as_str().unwrap_or("?"))
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        paths,
        [
            "request.date",
            "request.quantity",
            "course.active_therapy",
            "course.home_exercise",
            "request.ur_authorized",
            "history.massage_therapy.received",
            "history.massage_therapy.visits",
            "history.massage_therapy.functional_improvement",
            "request.body_region",
        ]
    );
    let (status, text) = get(&s, "/v1/form?treatment=massage_therapy&date=2015-02-30");
    assert_eq!(status, 400, "{text}");
}

#[test]
fn yaml_export_loads_back_to_the_same_decisions() {
    let s = start(&[]);
    let body = std::fs::read(root().join("tests/fixtures/serve/seed-000.json")).expect("fixture");
    let (status, yaml) = post(&s, "/v1/yaml", &body);
    assert_eq!(status, 200, "{yaml}");
    assert!(yaml.starts_with("case: seed-000\n"), "{yaml}");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("case.json"), &body).expect("write");
    std::fs::write(dir.path().join("case.yaml"), &yaml).expect("write");
    let from_json = json(&mtus_check_json(dir.path(), "case.json"));
    let from_yaml = json(&mtus_check_json(dir.path(), "case.yaml"));
    assert_eq!(from_yaml["errors"], Value::Array(vec![]), "{yaml}");
    assert_eq!(from_yaml["cases"][0]["requests"], from_json["cases"][0]["requests"]);
    // A bad case is not exported: the same diagnostics as a check.
    let (status, _) = post(&s, "/v1/yaml", br#"{"case": "x", "requests": []}"#);
    assert_eq!(status, 422);
}

#[test]
fn treatments_on_a_date_mark_those_no_rule_decides_and_advice_carries_passing_values() {
    let s = start(&[]);
    // On a date: each treatment says whether a rule decides it then.
    let (status, text) = get(&s, "/v1/treatments?date=2025-03-01");
    assert_eq!(status, 200, "{text}");
    let ts = json(&text);
    let list = ts.as_array().expect("a list");
    assert!(list.iter().all(|t| t["in_force"].is_boolean()), "{text}");
    let pt = list
        .iter()
        .find(|t| t["name"] == "physical_therapy")
        .expect("physical therapy");
    assert_eq!(pt["in_force"], true);
    assert!(
        list.iter().any(|t| t["in_force"] == false),
        "some treatment has no rule in force in 2025"
    );
    // Without a date, no mark; a bad date is refused.
    let (_, text) = get(&s, "/v1/treatments");
    assert!(json(&text)[0].get("in_force").is_none(), "{text}");
    let (status, _) = get(&s, "/v1/treatments?date=2025-13-01");
    assert_eq!(status, 400);
    // 12 visits for a knee in 2025 pass, with the note that no guideline
    // limit is encoded.
    let body = r#"{"case":"web","requests":[{"id":"pt","treatment":"physical_therapy","quantity":"12 visit","date":"2025-03-01"}]}"#;
    let (status, text) = post(&s, "/v1/check", body.as_bytes());
    assert_eq!(status, 200, "{text}");
    let q = &json(&text)["cases"][0]["requests"][0];
    assert_eq!(q["outcome"], "medically_necessary");
    assert_eq!(q["notes"][0]["code"], "no-guideline-limit-encoded", "{q:#}");
    // Advice over HTTP: the passing value typed, the groups named.
    let body = r#"{"case":"web","requests":[{"id":"m","treatment":"massage_therapy","quantity":"4 visit","date":"2015-05-06"}]}"#;
    let (_, text) = post(&s, "/v1/check", body.as_bytes());
    let advice = &json(&text)["cases"][0]["requests"][0]["to_pass"][0];
    assert_eq!(advice["criterion"], "adjunct", "{advice:#}");
    assert_eq!(advice["any_of"][0]["passes"], true, "{advice:#}");
    assert_eq!(advice["any_of"][1]["passes"], true, "{advice:#}");
}

/// The `line` answer of `/v1/request` for a line on a date.
fn read_line(s: &Server, line: &str, date: &str) -> Value {
    let body = serde_json::json!({ "line": line, "date": date }).to_string();
    let (status, text) = post(s, "/v1/request", body.as_bytes());
    assert_eq!(status, 200, "{text}");
    json(&text)
}

fn understood(doc: &Value) -> Vec<(String, String)> {
    doc["understood"]
        .as_array()
        .expect("understood")
        .iter()
        .map(|u| {
            (
                u["what"].as_str().unwrap_or("?").to_string(),
                u["value"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_request_line_is_said_back_field_by_field_with_the_fields_it_gives() {
    let s = start(&[]);
    // Norco 10/325 #120, one tablet every 6 hours: 4 a day, so 30 days.
    let doc = read_line(&s, "Norco 10/325 mg #120 1 tab q6h", "2019-06-01");
    assert_eq!(doc["treatment"]["name"], "hydrocodone_acetaminophen");
    assert_eq!(doc["coverage"]["status"], "decided", "{doc:#}");
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    };
    assert_eq!(
        understood(&doc),
        pairs(&[
            ("Treatment", "Hydrocodone with acetaminophen"),
            ("Quantity", "120 tablets"),
            ("Strength", "10 mg / 325 mg"),
            ("Form", "tablet"),
            ("Directions", "1 tablet, 4 times a day"),
            ("Days' supply", "30 days, worked out: 120 tablets at 4 a day"),
        ])
    );
    assert_eq!(doc["understood"][0]["written"], "Norco");
    assert_eq!(doc["understood"][1]["written"], "#120");
    assert_eq!(doc["understood"][1]["span"]["column"], 17);
    assert_eq!(
        doc["fields"],
        serde_json::json!({"treatment": "hydrocodone_acetaminophen", "quantity": "120 tablet",
                           "strength": "10 mg", "days_supply": "30 day"})
    );
    assert_eq!(doc["problems"], serde_json::json!([]));
    // The worked-out supply says so.
    assert!(
        doc["notes"].as_array().is_some_and(|n| n
            .iter()
            .any(|x| x.as_str().is_some_and(|x| x.contains("worked out from the directions")))),
        "{doc:#}"
    );
    // The fields load as a request and the rules read the dose they give:
    // 120 / 30 = 4 a day x 10 mg x 1 = 40 mg MED.
    let mut req = doc["fields"].clone();
    req["id"] = "norco".into();
    req["date"] = "2019-06-01".into();
    let case = serde_json::json!({"case": "line", "requests": [req]}).to_string();
    let (status, text) = post(&s, "/v1/check", case.as_bytes());
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"request.med_per_day\""), "the rules read the dose");
    assert!(text.contains("\"40 mg_med\""), "{text}");

    // Physical therapy twice a week for six weeks, lumbar.
    let doc = read_line(&s, "PT 2x6 lumbar", "2019-06-01");
    assert_eq!(
        doc["fields"],
        serde_json::json!({"treatment": "physical_therapy", "quantity": "12 visit", "per_week": 2.0,
                           "duration": "6 week", "body_region": ["lumbar"]})
    );
    assert_eq!(
        understood(&doc)[1],
        ("Quantity".to_string(), "12 visits (2 a week for 6 weeks)".to_string())
    );

    // A range is said, never taken; no supply is worked out from "1-2".
    let doc = read_line(&s, "Norco 10/325 1-2 tabs q6h prn #60", "2019-06-01");
    assert_eq!(
        doc["fields"],
        serde_json::json!({"treatment": "hydrocodone_acetaminophen", "quantity": "60 tablet"}),
        "{doc:#}"
    );
    assert!(
        understood(&doc).contains(&(
            "Directions".to_string(),
            "1 to 2 tablets, 4 times a day, as needed".to_string()
        )),
        "{doc:#}"
    );
    assert!(text_of(&doc["notes"]).contains("has no unit the form takes"), "{doc:#}");

    // A misspelt drug: located, with a did-you-mean, and no treatment to fill.
    let doc = read_line(&s, "Flexerl 10mg #30", "2019-06-01");
    assert_eq!(doc["treatment"], Value::Null);
    assert!(doc["fields"].get("treatment").is_none(), "{doc:#}");
    let p = &doc["problems"][0];
    assert_eq!(
        (p["severity"].as_str(), p["kind"].as_str(), p["written"].as_str()),
        (Some("error"), Some("misspelt_treatment"), Some("Flexerl"))
    );
    assert_eq!(p["span"]["column"], 1);
    assert!(p["help"].as_str().is_some_and(|h| h.contains("flexeril")), "{p}");
}

fn text_of(v: &Value) -> String {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "))
        .unwrap_or_default()
}

#[test]
fn a_request_line_that_is_not_one_is_refused_plainly() {
    let s = start(&[]);
    let code = |body: &str| {
        let (status, text) = post(&s, "/v1/request", body.as_bytes());
        (
            status,
            json(&text)["errors"][0]["code"].as_str().unwrap_or("?").to_string(),
        )
    };
    assert_eq!(code(r#"{"line": "   "}"#), (422, "empty-line".to_string()));
    assert_eq!(
        code(r#"{"line": "Norco #60\nPT 2x6"}"#),
        (422, "not-a-line".to_string())
    );
    let long = serde_json::json!({ "line": "x".repeat(5000) }).to_string();
    assert_eq!(code(&long), (422, "not-a-line".to_string()));
    assert_eq!(
        code(r#"{"line": "Norco #60", "date": "2019-02-30"}"#),
        (400, "bad-date".to_string())
    );
    assert_eq!(code(r#"{"text": "Norco #60"}"#), (400, "bad-query".to_string()));
    assert_eq!(code(r#"{"line": "Norco #60""#), (400, "json-syntax".to_string()));
    // The same hardening as the other posts: JSON only, and no other site.
    let r = agent()
        .post(format!("{}/v1/request", s.base))
        .header("content-type", "text/plain")
        .send(r#"{"line": "Norco #60"}"#)
        .expect("the server answers");
    assert_eq!(r.status().as_u16(), 415);
    let r = agent()
        .post(format!("{}/v1/request", s.base))
        .header("content-type", "application/json")
        .header("origin", "http://evil.example")
        .send(r#"{"line": "Norco #60"}"#)
        .expect("the server answers");
    assert_eq!(r.status().as_u16(), 403);
}

/// `/v1/med` for a body: (status, answer).
fn med(s: &Server, body: Value) -> (u16, Value) {
    let (status, text) = post(s, "/v1/med", body.to_string().as_bytes());
    (status, json(&text))
}

#[test]
fn the_morphine_equivalent_dose_comes_with_its_working() {
    let s = start(&[]);
    // Norco 10/325 #120 for 30 days: 4 a day x 10 mg x 1 = 40.
    let (status, m) = med(
        &s,
        serde_json::json!({"treatment": "Norco", "strength": "10 mg", "quantity": "120 tablet", "days_supply": "30 day"}),
    );
    assert_eq!(status, 200, "{m:#}");
    assert_eq!(m["per_day"], 40.0);
    assert_eq!(m["factor"], 1.0);
    assert_eq!(
        m["working"],
        "120 tablets over 30 days is 4 a day; 10 mg hydrocodone x 4 a day x factor 1 = 40 mg MED a day (morphine equivalent)"
    );
    // Oxycodone 30 mg #120 for 30 days: 4 a day x 30 mg x 1.5 = 180.
    let (_, m) = med(
        &s,
        serde_json::json!({"treatment": "oxycodone", "strength": "30 mg", "quantity": "120 tablet", "days_supply": "30 day"}),
    );
    assert_eq!(m["per_day"], 180.0);
    // Fentanyl 25 mcg/hour: 25 x 2.4 = 60, whatever the count.
    let (_, m) = med(
        &s,
        serde_json::json!({"treatment": "fentanyl", "strength": "25 mcg_per_hour", "quantity": "10 patch"}),
    );
    assert_eq!(m["per_day"], 60.0);
    assert_eq!(
        m["working"],
        "25 mcg per hour fentanyl x factor 2.4 = 60 mg MED a day (morphine equivalent)"
    );
    // Not enough stated: no figure, and what is missing.
    let (_, m) = med(&s, serde_json::json!({"treatment": "Norco", "quantity": "120 tablet"}));
    assert_eq!(m["per_day"], Value::Null);
    assert_eq!(m["missing"], serde_json::json!(["strength", "days_supply"]));
    assert_eq!(
        m["working"],
        "to work out the morphine-equivalent dose, enter the strength in mg and the days' supply"
    );
    // Methadone has no factor here: never guessed.
    let (_, m) = med(
        &s,
        serde_json::json!({"treatment": "methadone", "strength": "10 mg", "quantity": "60 tablet", "days_supply": "30 day"}),
    );
    assert_eq!((m["per_day"].clone(), m["factor"].clone()), (Value::Null, Value::Null));
    let (status, m) = med(&s, serde_json::json!({"treatment": "Norcco"}));
    assert_eq!(
        (status, m["errors"][0]["code"].as_str()),
        (404, Some("unknown-treatment"))
    );
    let (status, m) = med(&s, serde_json::json!({"treatment": "Norco", "strength": "ten"}));
    assert_eq!((status, m["errors"][0]["code"].as_str()), (422, Some("bad-quantity")));
}

#[test]
fn a_saved_case_loads_into_the_form_and_decides_as_the_file_does() {
    let s = start(&["--builtin-rules"]);
    // Every shipped case file: loaded through /v1/case, its JSON form
    // posted to /v1/check, the same decisions as `mtus check` of the file.
    let all = json(&mtus_check_json(root(), "cases"));
    let cases = all["cases"].as_array().expect("cases");
    assert!(cases.len() > 100, "{} cases", cases.len());
    let pick = |q: &Value| {
        serde_json::json!([
            q["request"],
            q["outcome"],
            q["decided_by"],
            q["to_pass"],
            q["notes"],
            q["error"]["code"]
        ])
    };
    for c in cases {
        let file = c["file"].as_str().expect("a file name");
        let text = std::fs::read_to_string(root().join(file)).expect("the case file");
        let body = serde_json::json!({ "file": file, "text": text }).to_string();
        let (status, got) = post(&s, "/v1/case", body.as_bytes());
        assert_eq!(status, 200, "{file}: {got}");
        let got = json(&got);
        assert_eq!(
            got["file"],
            Path::new(file).file_name().and_then(|n| n.to_str()).unwrap_or("?")
        );
        let (status, checked) = post(&s, "/v1/check", got["case"].to_string().as_bytes());
        assert_eq!(status, 200, "{file}: {checked}");
        let checked = json(&checked);
        let want: Vec<Value> = c["requests"].as_array().expect("requests").iter().map(pick).collect();
        let have: Vec<Value> = checked["cases"][0]["requests"]
            .as_array()
            .expect("requests")
            .iter()
            .map(pick)
            .collect();
        assert_eq!(have, want, "{file}");
    }
    // A JSON case file loads as JSON.
    let text = std::fs::read_to_string(root().join("tests/fixtures/serve/seed-000.json")).expect("fixture");
    let body = serde_json::json!({ "file": "seed.json", "text": text }).to_string();
    let (status, got) = post(&s, "/v1/case", body.as_bytes());
    assert_eq!(status, 200, "{got}");
    assert_eq!(json(&got)["case"]["case"], "seed-000");
    // Mistakes are located in the file the user chose, by its name only.
    let body =
        serde_json::json!({ "file": "/home/office/bad.yaml", "text": "case: x\npain:\n  worst: 14\n" }).to_string();
    let (status, got) = post(&s, "/v1/case", body.as_bytes());
    assert_eq!(status, 422, "{got}");
    let errs = json(&got)["errors"].clone();
    let located: Vec<(String, u64, u64, String)> = errs
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap_or("?").to_string(),
                e["line"].as_u64().unwrap_or(0),
                e["column"].as_u64().unwrap_or(0),
                e["code"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    assert_eq!(
        located,
        [
            ("bad.yaml".to_string(), 1, 1, "missing-field".to_string()),
            ("bad.yaml".to_string(), 3, 10, "out-of-range".to_string()),
        ]
    );
}

#[test]
fn the_form_asks_plain_questions_and_an_opioid_its_strength_and_supply() {
    let s = start(&[]);
    let (_, text) = get(&s, "/v1/form?treatment=Massage&date=2015-05-06");
    let f = json(&text);
    let question = |f: &Value, path: &str| -> String {
        f["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .find(|x| {
                x["path"]
                    .as_array()
                    .is_some_and(|p| p.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(".") == path)
            })
            .and_then(|x| x["question"].as_str())
            .unwrap_or("(no such field)")
            .to_string()
    };
    assert_eq!(
        question(&f, "course.active_therapy"),
        "Is the patient in active treatment now (supervised exercise or physical therapy)?"
    );
    assert_eq!(
        question(&f, "history.massage_therapy.received"),
        "Was massage therapy given before, for this injury?"
    );
    assert_eq!(question(&f, "request.quantity"), "How much is requested in total?");
    // Norco in 2019: the rules read a morphine-equivalent dose, so the
    // form asks what it is worked out from.
    let (_, text) = get(&s, "/v1/form?treatment=Norco&date=2019-06-01");
    let f = json(&text);
    assert_eq!(question(&f, "request.strength"), "What is the strength of one dose?");
    assert_eq!(
        question(&f, "request.days_supply"),
        "How many days does the supply last?"
    );
}
