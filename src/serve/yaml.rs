//! A case in the JSON form of a case file, written as a YAML case file
//! (the page's "export" button).
//!
//! Invariants: the text loads back (`Loader::load_yaml`) to the same case
//! as the JSON (a string that YAML would read as anything else is
//! quoted); keys in a fixed order (the case id first, requests and the
//! determination last, the rest by name), so the same case gives the same
//! bytes; never deeper than the JSON it came from.

use serde_json::{Map, Value};

/// Keys written first, in this order; then the others by name; then
/// [`LAST`].
const FIRST: &[&str] = &["case", "id", "request", "text", "treatment", "date"];
const LAST: &[&str] = &["requests", "determination"];

fn ordered(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let rank = |k: &str| {
        if let Some(i) = FIRST.iter().position(|f| *f == k) {
            (0, i)
        } else if let Some(i) = LAST.iter().position(|f| *f == k) {
            (2, i)
        } else {
            (1, 0)
        }
    };
    let mut v: Vec<_> = m.iter().collect();
    // A stable sort: keys of equal rank keep the map's order (by name).
    v.sort_by_key(|(k, _)| rank(k));
    v
}

/// Would YAML 1.2 (core schema) read this plain scalar as something other
/// than this string, or not as one scalar at all?
fn needs_quotes(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return true;
    };
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null" | "~" | "true" | "false" | ".inf" | "-.inf" | "+.inf" | ".nan"
    ) {
        return true;
    }
    if s.parse::<f64>().is_ok() || s.starts_with("0x") || s.starts_with("0o") {
        return true;
    }
    if !(first.is_alphanumeric() || first == '_' || first == '.') {
        return true;
    }
    if s.ends_with(' ') || s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return true;
    }
    !s.chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | '+' | '(' | ')' | ','))
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if needs_quotes(s) => Value::String(s.clone()).to_string(),
        Value::String(s) => s.clone(),
        Value::Array(_) | Value::Object(_) => String::new(),
    }
}

fn key(k: &str) -> String {
    if needs_quotes(k) {
        Value::String(k.to_string()).to_string()
    } else {
        k.to_string()
    }
}

/// A short list of scalars on one line (`[a, b]`).
fn inline_list(xs: &[Value]) -> Option<String> {
    if xs.iter().any(|x| x.is_array() || x.is_object()) {
        return None;
    }
    let items: Vec<String> = xs.iter().map(scalar).collect();
    let line = format!("[{}]", items.join(", "));
    (line.len() <= 72).then_some(line)
}

fn write_map(m: &Map<String, Value>, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (k, v) in ordered(m) {
        out.push_str(&pad);
        out.push_str(&key(k));
        out.push(':');
        write_value_after_key(v, indent, out);
    }
}

fn write_value_after_key(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) if m.is_empty() => out.push_str(" {}\n"),
        Value::Object(m) => {
            out.push('\n');
            write_map(m, indent + 2, out);
        }
        Value::Array(xs) if xs.is_empty() => out.push_str(" []\n"),
        Value::Array(xs) => match inline_list(xs) {
            Some(line) => {
                out.push(' ');
                out.push_str(&line);
                out.push('\n');
            }
            None => {
                out.push('\n');
                write_list(xs, indent + 2, out);
            }
        },
        x => {
            out.push(' ');
            out.push_str(&scalar(x));
            out.push('\n');
        }
    }
}

fn write_list(xs: &[Value], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for x in xs {
        out.push_str(&pad);
        out.push('-');
        match x {
            Value::Object(m) if !m.is_empty() => {
                // The first key on the dash's line, the rest under it.
                let mut inner = String::new();
                write_map(m, indent + 2, &mut inner);
                out.push(' ');
                out.push_str(inner.trim_start());
            }
            Value::Array(ys) if !ys.is_empty() => match inline_list(ys) {
                Some(line) => {
                    out.push(' ');
                    out.push_str(&line);
                    out.push('\n');
                }
                None => {
                    out.push('\n');
                    write_list(ys, indent + 2, out);
                }
            },
            x => write_value_after_key(x, indent, out),
        }
    }
}

/// The YAML text of a case given as JSON. A top-level value that is not
/// an object is written as a single value.
pub fn to_yaml(case: &Value) -> String {
    let mut out = String::new();
    match case {
        Value::Object(m) => write_map(m, 0, &mut out),
        Value::Array(xs) => write_list(xs, 0, &mut out),
        x => {
            out.push_str(&scalar(x));
            out.push('\n');
        }
    }
    out
}

/// A case file's YAML tree (as the loader parses it) in the JSON form the
/// page posts: a plain `true` / `false` is a boolean, a plain number a
/// number, a plain null word null, anything else (and anything quoted) a
/// string. The caller checks that the result loads as the YAML did.
pub fn node_to_json(n: &crate::facts::load::tree::Node<'_>) -> Value {
    use crate::facts::load::tree::Kind;
    // An explicit stack: a tree is as deep as the loader allows, never
    // recursed into.
    enum Todo<'n, 'a> {
        Visit(&'n crate::facts::load::tree::Node<'a>),
        Seq(usize),
        Map(Vec<String>),
    }
    let mut todo = vec![Todo::Visit(n)];
    let mut done: Vec<Value> = Vec::new();
    while let Some(t) = todo.pop() {
        match t {
            Todo::Visit(n) => match &n.kind {
                Kind::Null => done.push(Value::Null),
                Kind::Scalar(s) => done.push(scalar_json(&s.text, s.quoted)),
                Kind::Seq(xs) => {
                    todo.push(Todo::Seq(xs.len()));
                    for x in xs.iter().rev() {
                        todo.push(Todo::Visit(x));
                    }
                }
                Kind::Map(kv) => {
                    let keys = kv.iter().map(|(k, _)| k.text().unwrap_or("").to_string()).collect();
                    todo.push(Todo::Map(keys));
                    for (_, v) in kv.iter().rev() {
                        todo.push(Todo::Visit(v));
                    }
                }
            },
            Todo::Seq(len) => {
                let items = done.split_off(done.len().saturating_sub(len));
                done.push(Value::Array(items));
            }
            Todo::Map(keys) => {
                let items = done.split_off(done.len().saturating_sub(keys.len()));
                let mut m = Map::new();
                for (k, v) in keys.into_iter().zip(items) {
                    m.insert(k, v);
                }
                done.push(Value::Object(m));
            }
        }
    }
    done.pop().unwrap_or(Value::Null)
}

fn scalar_json(text: &str, quoted: bool) -> Value {
    if quoted {
        return Value::String(text.to_string());
    }
    match text {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        t if crate::facts::load::tree::is_null_word(t) => return Value::Null,
        _ => {}
    }
    let numeric = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        && text.chars().any(|c| c.is_ascii_digit());
    if numeric {
        if let Ok(i) = text.parse::<i64>() {
            return Value::from(i);
        }
        if let Some(n) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_yaml_would_misread_are_quoted() {
        for s in [
            "", "5", "1e3", "true", "Null", "~", "a: b", "x #y", "-x", "[a]", "*a", "it's",
        ] {
            assert!(needs_quotes(s), "{s:?}");
        }
        for s in [
            "6 visit",
            "2015-05-06",
            "massage_therapy",
            "Flexeril 7.5 mg Qty 15 (1-2 tabs)",
        ] {
            assert!(!needs_quotes(s), "{s:?}");
        }
    }

    #[test]
    fn nested_case_layout() {
        let v: Value = serde_json::from_str(
            r#"{"requests":[{"treatment":"massage_therapy","id":"r1","quantity":"8 visit","body_region":["neck"]}],
                "case":"web","history":{"massage_therapy":{"visits":"4 visit"}},"pain":{}}"#,
        )
        .unwrap_or_default();
        assert_eq!(
            to_yaml(&v),
            "case: web\nhistory:\n  massage_therapy:\n    visits: 4 visit\npain: {}\nrequests:\n  \
             - id: r1\n    treatment: massage_therapy\n    body_region: [neck]\n    quantity: 8 visit\n"
        );
    }
}
