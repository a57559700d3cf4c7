//! "To pass": the value that passes, what cannot pass first, a missing
//! prior course asked for whole.

use crate::common;

use common::{mtus, stdout};
use serde_json::Value;

fn to_pass(case_yaml: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("c.yaml");
    std::fs::write(&file, case_yaml).expect("write");
    let o = mtus(&["check", "--format", "json", file.to_str().expect("utf-8")]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    v["cases"][0]["requests"][0]["to_pass"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Every fact of the advice, wherever it sits (all of, any of, the
/// nearest request's `then`).
fn facts(advice: &[Value]) -> Vec<Value> {
    fn walk(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(o) => {
                if o.contains_key("fact") && o.contains_key("bound") {
                    out.push(v.clone());
                }
                o.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    advice.iter().for_each(|a| walk(a, &mut out));
    out
}

fn document(advice: &[Value], fact: &str) -> Value {
    facts(advice)
        .into_iter()
        .find(|a| a["fact"] == fact)
        .unwrap_or_else(|| panic!("no `{fact}` to document in {advice:#?}"))
}

/// The example: ongoing opioids with the aberrant-behavior
/// finding not documented. What passes is `false` (none found), not just
/// "document it".
const OPIOIDS: &str = "\
case: t
history:
  hydrocodone_acetaminophen: {received: true, duration: 14 month, functional_improvement: true}
medications: { current: [hydrocodone_acetaminophen] }
pain: {with_medication: 4, without_medication: 8}
function: {improvement: true}
opioids:
  med_per_day: 40 mg_med
  assessed: {analgesia: true, activities: true, adverse_effects: true, aberrant_behavior: true}
  agreement: true
  drug_screen_consistent: true
requests:
- { id: norco, treatment: Norco, quantity: 120 tablet, duration: 1 month, intent: chronic, date: 2015-06-16 }
";

#[test]
fn a_bool_to_document_says_which_value_passes_typed() {
    let advice = to_pass(OPIOIDS);
    let a = document(&advice, "opioids.aberrant_behavior_found");
    // A JSON false, as the case file writes it; not the string "false".
    assert_eq!(a["passes"], Value::Bool(false), "{a:#}");
    assert_eq!(a["bound"], "is");
    assert_eq!(a["values"], "true or false");
    // The seed's Flexeril, asked for chronic use: cannot pass as
    // requested, and the nearest request that passes is for a flare,
    // with a spasm found on examination.
    let seed = std::fs::read_to_string(common::root().join("cases/seed-000.yaml")).expect("seed");
    let advice = to_pass(&seed);
    assert_eq!(advice[0]["kind"], "cannot_pass", "{advice:#?}");
    assert_eq!(advice[0]["criterion"], "chronic_use");
    let near = advice
        .iter()
        .find(|a| a["kind"] == "nearest_request")
        .unwrap_or_else(|| panic!("no nearest request in {advice:#?}"));
    assert_eq!(near["changes"][0]["fact"], "request.intent", "{near:#}");
    assert_eq!(near["changes"][0]["requested"], "chronic");
    assert_eq!(near["changes"][0]["passes"], "acute_flare");
    assert_eq!(document(&advice, "exam.muscle_spasm")["passes"], Value::Bool(true));
}

#[test]
fn a_percent_to_document_says_the_bound() {
    // Continuing duloxetine needs documented pain relief from it.
    let advice = to_pass(
        "case: t\ndiagnoses: [{ text: diabetic neuropathy, tags: [diabetic_neuropathy] }]\nhistory:\n  duloxetine: { received: true, functional_improvement: true }\nrequests:\n- { id: d, treatment: duloxetine, quantity: 30 tablet, date: 2015-06-16 }\n",
    );
    let a = document(&advice, "history.duloxetine.pain_relief");
    assert_eq!(a["bound"], "at_least", "{a:#}");
    assert_eq!(a["passes"], 30, "{a:#}");
}

#[test]
fn a_prior_course_with_no_entry_is_asked_for_whole() {
    // Biofeedback is an option within a course of cognitive behavioral
    // therapy: the case lists no psychotherapy, so it reads as not given.
    let advice =
        to_pass("case: t\nrequests:\n- { id: b, treatment: biofeedback, quantity: 4 visit, date: 2015-06-16 }\n");
    let all = facts(&advice);
    for a in &all {
        let fact = a["fact"].as_str().unwrap_or("");
        assert!(!fact.ends_with(".received"), "asks for a `received` alone: {a:#}");
    }
    let whole = document(&advice, "history.psychotherapy");
    assert_eq!(whole["new_entry"], true, "{whole:#}");
    assert!(
        whole["description"]
            .as_str()
            .unwrap_or("")
            .starts_with("the prior course of psychotherapy")
    );
    // With what it must hold, in the same group (all of).
    let duration = document(&advice, "history.psychotherapy.duration");
    assert_eq!(duration["bound"], "at_least");
    assert_eq!(duration["passes"], "28 day");
    assert_eq!(advice[0]["all_of"].as_array().map(Vec::len), Some(2), "{advice:#?}");
}

#[test]
fn a_limit_the_record_already_uses_up_cannot_pass_it_does_not_ask_for_zero_visits() {
    // The seed's massage: massage was given (received), visits not
    // reported, 6 asked for against a limit of 6 in all. No count of
    // visits given (at least one) passes: not "document visits as at most
    // 0", but "cannot pass as requested".
    let seed = std::fs::read_to_string(common::root().join("cases/seed-000.yaml")).expect("seed");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("c.yaml");
    std::fs::write(&file, &seed).expect("write");
    let o = mtus(&["check", "--format", "json", file.to_str().expect("utf-8")]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let advice = v["cases"][0]["requests"][1]["to_pass"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for f in facts(&advice) {
        assert_ne!(f["fact"], "history.massage_therapy.visits", "{f:#}");
    }
    let limit = advice
        .iter()
        .find(|a| a["kind"] == "cannot_pass" && a["criterion"] == "visit_limit")
        .unwrap_or_else(|| panic!("visit_limit should not pass as requested: {advice:#?}"));
    let because: Vec<&str> = limit["because"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["fact"].as_str())
        .collect();
    assert!(because.contains(&"history.massage_therapy.received"), "{because:?}");
    assert!(because.contains(&"request.quantity"), "{because:?}");
    // Functional improvement from the massage given is documented false:
    // no request passes.
    assert!(advice.iter().any(|a| a["kind"] == "no_request_passes"), "{advice:#?}");
    let text = stdout(&mtus(&["check", file.to_str().expect("utf-8")]));
    assert!(!text.contains("at most 0 visit"), "{text}");
}

#[test]
fn a_or_b_and_a_and_b_give_different_advice() {
    // The massage adjunct criterion, `or` and then `and`, on a case where
    // both facts are missing: any of them, then all of them.
    let case = "case: t\nrequests:\n- { id: m, treatment: massage_therapy, quantity: 4 visit, date: 2015-06-16 }\n";
    let run = |rules: &std::path::Path| {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("c.yaml");
        std::fs::write(&file, case).expect("write");
        let o = mtus(&[
            "check",
            "--rules",
            rules.to_str().expect("utf-8"),
            "--format",
            "json",
            file.to_str().expect("utf-8"),
        ]);
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|_| panic!("{}", common::stderr(&o)));
        let advice = v["cases"][0]["requests"][0]["to_pass"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let adjunct = advice
            .into_iter()
            .find(|a| a["criterion"] == "adjunct")
            .unwrap_or_else(|| panic!("no advice for adjunct"));
        let text = stdout(&mtus(&[
            "check",
            "--rules",
            rules.to_str().expect("utf-8"),
            file.to_str().expect("utf-8"),
        ]));
        (adjunct, text)
    };
    let rules = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(common::root().join("rules")).expect("rules") {
        let e = e.expect("entry");
        if e.path().is_file() {
            std::fs::copy(e.path(), rules.path().join(e.file_name())).expect("copy");
        }
    }
    let (or, or_text) = run(rules.path());
    let massage = rules.path().join("massage.mtus");
    let text = std::fs::read_to_string(&massage).expect("massage");
    let changed = text.replace(
        "course.active_therapy or course.home_exercise",
        "course.active_therapy and course.home_exercise",
    );
    assert_ne!(text, changed, "the adjunct criterion changed its wording");
    std::fs::write(&massage, changed).expect("write");
    let (and, and_text) = run(rules.path());
    assert_eq!(or["any_of"].as_array().map(Vec::len), Some(2), "{or:#}");
    assert!(or.get("all_of").is_none(), "{or:#}");
    assert_eq!(and["all_of"].as_array().map(Vec::len), Some(2), "{and:#}");
    assert!(and.get("any_of").is_none(), "{and:#}");
    assert_ne!(or_text, and_text);
    assert!(
        or_text.contains("massage_therapy.adjunct: document any of:"),
        "{or_text}"
    );
    assert!(
        and_text.contains("massage_therapy.adjunct: document all of:"),
        "{and_text}"
    );
}

// ---- The property: following the advice passes the request. ----

/// The passing value a fact's advice names, as a case file writes it: the
/// bound itself for `at_least` / `at_most`, the first of a choice, the
/// checked example for "any value".
fn passing_value(f: &Value) -> Value {
    let passes = &f["passes"];
    match f["bound"].as_str().unwrap_or("") {
        "one_of" | "between" => passes[0].clone(),
        "includes_any" => Value::Array(vec![passes[0].clone()]),
        "includes_all" => passes.clone(),
        "excludes" => Value::Array(Vec::new()),
        "any" => f["example"].clone(),
        _ => passes.clone(),
    }
}

/// Write `v` where the case file keeps `fact` for request `k`.
fn put(case: &mut Value, k: usize, fact: &str, v: Value) {
    let parts: Vec<&str> = fact.split('.').collect();
    let obj = |x: &mut Value| {
        if !x.is_object() {
            *x = Value::Object(Default::default());
        }
    };
    match parts.as_slice() {
        ["request", key @ ..] => {
            // The request changed as the advice says is no longer the line
            // as written, which must agree with its values: the line goes
            // (every request of these cases names its treatment itself).
            if let Some(r) = case["requests"][k].as_object_mut() {
                r.remove("text");
            }
            case["requests"][k][key.join(".")] = v;
        }
        ["history", t] => {
            obj(&mut case["history"]);
            obj(&mut case["history"][*t]);
        }
        ["history", t, key @ ..] => {
            obj(&mut case["history"]);
            obj(&mut case["history"][*t]);
            case["history"][*t][key.join(".")] = v;
        }
        ["diagnoses", "tags"] => {
            if !case["diagnoses"].is_array() {
                case["diagnoses"] = Value::Array(Vec::new());
            }
            if let Some(a) = case["diagnoses"].as_array_mut() {
                a.push(serde_json::json!({ "text": "added as the advice says", "tags": v }));
            }
        }
        path => {
            let mut at = &mut *case;
            for key in &path[..path.len() - 1] {
                obj(at);
                at = &mut at[*key];
            }
            obj(at);
            at[path[path.len() - 1]] = v;
        }
    }
}

/// Apply a need (a fact, or all of / any of needs), taking alternative
/// `pick` of an "any of" at the top and the first of any nested one.
fn apply_need(case: &mut Value, k: usize, n: &Value, pick: usize) {
    if let Some(all) = n["all_of"].as_array() {
        for x in all {
            apply_need(case, k, x, 0);
        }
    } else if let Some(any) = n["any_of"].as_array() {
        apply_need(case, k, &any[pick.min(any.len() - 1)], 0);
    } else {
        put(case, k, n["fact"].as_str().expect("fact"), passing_value(n));
    }
}

/// The ways to follow a request's advice: the first alternative of every
/// "any of", then each other alternative of each in turn. `Err` when the
/// advice gives no way to pass; none when it says that no request passes
/// (each criterion that stands against it names what it reads).
fn ways(case: &Value, k: usize, treatment: &str, advice: &[Value]) -> Result<Vec<Value>, String> {
    let mut base = case.clone();
    // The case may key the history by the name its request is written
    // with (a brand, `Synapryn`) where the advice names the treatment
    // (`compounded_oral_suspension`): the same entry, renamed as the
    // advice names it, which the engine reads alike.
    if let Some(written) = base["requests"][k]["treatment"].as_str().map(str::to_string) {
        if written != treatment {
            if let Some(h) = base["history"].as_object_mut() {
                if !h.contains_key(treatment) {
                    if let Some(entry) = h.remove(&written) {
                        h.insert(treatment.to_string(), entry);
                    }
                }
            }
        }
    }
    // The request on its own: what it depends on is its own question.
    if let Some(r) = base["requests"][k].as_object_mut() {
        r.remove("depends_on");
    }
    let mut docs: Vec<&Value> = Vec::new();
    let mut blocked = false;
    for a in advice {
        match a["kind"].as_str().unwrap_or("") {
            "document" => docs.push(a),
            "cannot_pass" => blocked = true,
            "nearest_request" => {
                for c in a["changes"].as_array().into_iter().flatten() {
                    put(&mut base, k, c["fact"].as_str().expect("fact"), c["passes"].clone());
                }
                docs.extend(a["then"].as_array().into_iter().flatten());
                blocked = false;
            }
            "no_request_passes" => return Ok(Vec::new()),
            "falls_with" => {}
            other => return Err(format!("unknown advice kind {other}")),
        }
    }
    if blocked {
        return Err("cannot pass as requested, and no nearest request".into());
    }
    let with = |choice: Option<(usize, usize)>| {
        let mut c = base.clone();
        for (di, d) in docs.iter().enumerate() {
            let pick = match choice {
                Some((i, j)) if i == di => j,
                _ => 0,
            };
            apply_need(&mut c, k, d, pick);
        }
        c
    };
    let mut out = vec![with(None)];
    for (di, d) in docs.iter().enumerate() {
        for j in 1..d["any_of"].as_array().map_or(0, Vec::len) {
            out.push(with(Some((di, j))));
        }
    }
    Ok(out)
}

/// Check every case under `inputs`: each request not medically necessary
/// (and not only falling with another) is followed every way its advice
/// gives, and must then pass. Returns (requests advised, failures).
fn follow_advice(inputs: &[&str]) -> (usize, Vec<String>) {
    let mut args = vec!["check", "--format", "json"];
    args.extend(inputs);
    let o = mtus(&args);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut expect: Vec<(String, usize, String)> = Vec::new();
    let mut failures = Vec::new();
    let mut advised = 0;
    let mut impossible = 0;
    for c in v["cases"].as_array().expect("cases") {
        let file = c["file"].as_str().expect("file");
        let path = common::root().join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| std::fs::read_to_string(file).expect("case"));
        let src = mtus::schema_json::yaml_as_json(&text).expect("yaml");
        for (k, q) in c["requests"].as_array().expect("requests").iter().enumerate() {
            let outcome = q["outcome"].as_str().unwrap_or("");
            if outcome.is_empty() || outcome == "medically_necessary" {
                continue;
            }
            if q["fell_with"].is_string() && q["decided_by"].is_null() {
                continue;
            }
            advised += 1;
            let label = format!("{file} request {}", q["request"]);
            match ways(
                &src,
                k,
                q["treatment"].as_str().unwrap_or(""),
                q["to_pass"].as_array().expect("to_pass"),
            ) {
                Err(why) => failures.push(format!("{label}: {why}")),
                Ok(ws) => {
                    if ws.is_empty() {
                        impossible += 1;
                        for a in q["to_pass"].as_array().into_iter().flatten() {
                            if a["kind"] == "cannot_pass"
                                && a["because"].as_array().is_none_or(Vec::is_empty)
                                && a["undocumented"].as_array().is_none_or(Vec::is_empty)
                                && !a["exclusion"].as_bool().unwrap_or(false)
                            {
                                failures.push(format!("{label}: cannot pass, for no stated reason: {a}"));
                            }
                        }
                    }
                    for (j, w) in ws.into_iter().enumerate() {
                        let name = format!("{:05}-{k}-{j}.json", expect.len());
                        std::fs::write(dir.path().join(&name), w.to_string()).expect("write");
                        expect.push((name, k, format!("{label} (way {j})")));
                    }
                }
            }
        }
    }
    let o = mtus(&["check", "--format", "json", dir.path().to_str().expect("utf-8")]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let mut by_file = std::collections::HashMap::new();
    for c in v["cases"].as_array().expect("cases") {
        let f = c["file"].as_str().unwrap_or("");
        let name = f.rsplit('/').next().unwrap_or(f).to_string();
        by_file.insert(name, c.clone());
    }
    let errors: Vec<String> = v["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["message"].as_str().unwrap_or("").to_string())
        .collect();
    for (name, k, label) in &expect {
        match by_file.get(name) {
            None => failures.push(format!("{label}: the advised case does not load ({errors:?})")),
            Some(c) => {
                let q = &c["requests"][*k];
                if q["outcome"] != "medically_necessary" {
                    failures.push(format!(
                        "{label}: still {} (decided by {})",
                        q["outcome"], q["decided_by"]
                    ));
                }
            }
        }
    }
    eprintln!(
        "{advised} requests advised, {impossible} that no request passes, {} ways followed, {} failures",
        expect.len(),
        failures.len()
    );
    (advised, failures)
}

#[test]
fn following_the_advice_passes_every_request_of_the_shipped_and_held_out_cases() {
    let (n, failures) = follow_advice(&["cases", "tests/fixtures/heldout"]);
    assert!(n > 300, "too few requests advised: {n}");
    assert!(
        failures.is_empty(),
        "{} of {n} requests: advice that does not pass:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn following_the_advice_passes_every_request_of_generated_cases() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("gen");
    let o = mtus(&[
        "generate",
        "--seed",
        "23",
        "--count",
        "400",
        "--format",
        "yaml-dir",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let (n, failures) = follow_advice(&[out.to_str().expect("utf-8")]);
    assert!(n > 100, "too few requests advised: {n}");
    assert!(
        failures.is_empty(),
        "{} of {n} requests: advice that does not pass:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---- Cost: linear in requests per case and in rules. ----

/// The shortest of two runs of `mtus args`, in seconds (the machine may be
/// shared: the shorter run is the one less disturbed).
fn time_of(args: &[&str]) -> f64 {
    (0..2)
        .map(|_| {
            let t = std::time::Instant::now();
            let o = mtus(args);
            assert!(o.status.success(), "{}", common::stderr(&o));
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn advice_costs_time_linear_in_the_requests_of_a_case() {
    // One case with n requests, each advised (none passes): 8 visits of
    // massage after a course given (cannot pass as requested; the nearest
    // request is looked for), and smaller amounts that need documenting.
    // The advice used to copy the whole case per request: quadratic.
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |n: usize| {
        let requests: Vec<Value> = (0..n)
            .map(|k| {
                let qty = if k % 4 == 0 { 8 } else { 1 + k % 5 };
                serde_json::json!({ "id": format!("m{k}"), "treatment": "massage_therapy", "quantity": format!("{qty} visit"), "date": "2015-05-06" })
            })
            .collect();
        let case = serde_json::json!({ "case": format!("many-{n}"), "history": { "massage_therapy": { "received": true } }, "requests": requests });
        let path = dir.path().join(format!("case-{n}.json"));
        std::fs::write(&path, case.to_string()).expect("write");
        path
    };
    let (small, large) = (write(2000), write(4000));
    let o = mtus(&["check", "--format", "json", small.to_str().expect("utf-8")]);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let requests = v["cases"][0]["requests"].as_array().expect("requests");
    assert_eq!(requests.len(), 2000);
    assert!(
        requests
            .iter()
            .all(|q| q["to_pass"].as_array().is_some_and(|a| !a.is_empty())),
        "every request is advised"
    );
    let t1 = time_of(&["check", "--format", "json", small.to_str().expect("utf-8")]);
    let t2 = time_of(&["check", "--format", "json", large.to_str().expect("utf-8")]);
    eprintln!(
        "requests per case: 2000 in {t1:.2} s, 4000 in {t2:.2} s, ratio {:.2}",
        t2 / t1
    );
    assert!(
        t2 / t1 < 2.5,
        "doubling the requests took {:.2} times as long ({t1:.2} s, {t2:.2} s)",
        t2 / t1
    );
}

#[test]
fn advice_costs_time_linear_in_the_rules() {
    // The shipped rules and n more for massage, each with a criterion
    // `a or b` over two facts of its own that the case leaves out: every
    // one of them is advised (any of two), checked and written.
    let case = tempfile::tempdir().expect("tempdir");
    let file = case.path().join("c.yaml");
    std::fs::write(&file, "case: t\nrequests:\n- { id: m, treatment: massage_therapy, quantity: 8 visit, date: 2015-05-06 }\n- { id: n, treatment: massage_therapy, quantity: 4 visit, date: 2015-05-06 }\n").expect("write");
    let rules = |n: usize| {
        let dir = tempfile::tempdir().expect("tempdir");
        for e in std::fs::read_dir(common::root().join("rules")).expect("rules") {
            let e = e.expect("entry");
            if e.path().is_file() {
                std::fs::copy(e.path(), dir.path().join(e.file_name())).expect("copy");
            }
        }
        let mut text = String::new();
        for k in 0..n {
            text.push_str(&format!("fact course.extra_a{k}: bool \"extra fact a {k}\"\nfact course.extra_b{k}: bool \"extra fact b {k}\"\n\n"));
        }
        for k in 0..n {
            text.push_str(&format!("rule extra_{k} \"Extra rule {k}\"\n  cites MTUS-CPMTG \"Massage therapy\" p. 60\n  applies to massage_therapy\n\n  require c{k} \"An extra criterion {k}\"\n    course.extra_a{k} or course.extra_b{k}\n\n"));
        }
        std::fs::write(dir.path().join("extra.mtus"), text).expect("write");
        dir
    };
    let (small, large) = (rules(2000), rules(4000));
    let args = |r: &tempfile::TempDir| -> Vec<String> {
        vec![
            "check".into(),
            "--rules".into(),
            r.path().to_string_lossy().into_owned(),
            "--format".into(),
            "json".into(),
            file.to_string_lossy().into_owned(),
        ]
    };
    let (a1, a2) = (args(&small), args(&large));
    let a1: Vec<&str> = a1.iter().map(String::as_str).collect();
    let a2: Vec<&str> = a2.iter().map(String::as_str).collect();
    let v: Value = serde_json::from_str(&stdout(&mtus(&a1))).expect("JSON");
    let advised = v["cases"][0]["requests"][1]["to_pass"].as_array().map_or(0, Vec::len);
    assert!(advised > 2000, "every extra criterion is advised: {advised}");
    let t1 = time_of(&a1);
    let t2 = time_of(&a2);
    eprintln!(
        "rules: 2000 extra in {t1:.2} s, 4000 in {t2:.2} s, ratio {:.2}",
        t2 / t1
    );
    assert!(
        t2 / t1 < 2.5,
        "doubling the rules took {:.2} times as long ({t1:.2} s, {t2:.2} s)",
        t2 / t1
    );
}
