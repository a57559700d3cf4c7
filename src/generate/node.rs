//! A small ordered tree of values, written out as one JSON line or as a
//! YAML document (block style, keys in the order they were added).

use crate::value::fmt_num;

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Bool(bool),
    Int(i64),
    /// A number; an infinite one is written `.inf` in YAML and as an
    /// overflowing `1e999` in JSON, NaN as `.nan` in YAML and as the text
    /// `"NaN"` in JSON (which has no such number).
    Num(f64),
    /// A number literal written as it is in both forms (e.g. an integer
    /// too large for any integer type).
    Raw(String),
    Str(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn map() -> Node {
        Node::Map(Vec::new())
    }

    pub fn is_empty_map(&self) -> bool {
        matches!(self, Node::Map(m) if m.is_empty())
    }

    /// Set `key` of a map (replacing an earlier value); no effect on other nodes.
    pub fn insert(&mut self, key: &str, value: Node) {
        if let Node::Map(m) = self {
            match m.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value,
                None => m.push((key.to_string(), value)),
            }
        }
    }

    /// Set a value under nested keys (`["opioids", "assessed", "analgesia"]`),
    /// making the maps on the way.
    pub fn insert_path(&mut self, path: &[String], value: Node) {
        let Some((last, groups)) = path.split_last() else {
            return;
        };
        let mut at = self;
        for g in groups {
            let Node::Map(m) = at else { return };
            let i = match m.iter().position(|(k, _)| k == g) {
                Some(i) => i,
                None => {
                    m.push((g.clone(), Node::map()));
                    m.len() - 1
                }
            };
            at = &mut m[i].1;
        }
        at.insert(last, value);
    }

    /// Compact JSON.
    pub fn write_json(&self, out: &mut String) {
        match self {
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Int(i) => out.push_str(&i.to_string()),
            Node::Num(n) if n.is_nan() => out.push_str("\"NaN\""),
            Node::Num(n) if n.is_infinite() => out.push_str(if *n > 0.0 { "1e999" } else { "-1e999" }),
            Node::Num(n) => out.push_str(&fmt_num(*n)),
            Node::Raw(s) => out.push_str(s),
            Node::Str(s) => json_str(s, out),
            Node::List(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    x.write_json(out);
                }
                out.push(']');
            }
            Node::Map(m) => {
                out.push('{');
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_str(k, out);
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// A YAML document (a map at the top).
    pub fn write_yaml(&self, out: &mut String) {
        match self {
            Node::Map(m) => yaml_map(m, 0, out),
            other => {
                other.yaml_scalar(out);
                out.push('\n');
            }
        }
    }

    fn is_scalar(&self) -> bool {
        !matches!(self, Node::List(_) | Node::Map(_))
    }

    fn yaml_scalar(&self, out: &mut String) {
        match self {
            Node::Str(s) if plain(s) => out.push_str(s),
            Node::Num(n) if n.is_nan() => out.push_str(".nan"),
            Node::Num(n) if n.is_infinite() => out.push_str(if *n > 0.0 { ".inf" } else { "-.inf" }),
            Node::List(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    x.yaml_scalar(out);
                }
                out.push(']');
            }
            Node::Map(m) if m.is_empty() => out.push_str("{}"),
            other => other.write_json(out),
        }
    }
}

fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Can this text be written unquoted in YAML and still read as text?
fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !s.ends_with(' ')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
        && !s.contains("  ")
        && s.parse::<f64>().is_err()
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "nan" | "inf"
        )
}

fn indent(n: usize, out: &mut String) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn yaml_map(m: &[(String, Node)], at: usize, out: &mut String) {
    for (k, v) in m {
        indent(at, out);
        out.push_str(k);
        out.push(':');
        match v {
            Node::Map(inner) if !inner.is_empty() => {
                out.push('\n');
                yaml_map(inner, at + 2, out);
            }
            Node::List(items) if !items.iter().all(Node::is_scalar) => {
                out.push('\n');
                for item in items {
                    let mut s = String::new();
                    match item {
                        Node::Map(inner) if !inner.is_empty() => yaml_map(inner, at + 4, &mut s),
                        other => {
                            indent(at + 4, &mut s);
                            other.yaml_scalar(&mut s);
                            s.push('\n');
                        }
                    }
                    indent(at + 2, out);
                    out.push_str("- ");
                    out.push_str(&s[at + 4..]);
                }
            }
            scalar => {
                out.push(' ');
                scalar.yaml_scalar(out);
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml() {
        let mut n = Node::map();
        n.insert("case", Node::Str("a-1".into()));
        n.insert_path(&["exam".into(), "muscle_spasm".into()], Node::Bool(true));
        let mut r = Node::map();
        r.insert("id", Node::Str("r1".into()));
        r.insert("text", Node::Str("Flexeril: \"7.5\" mg".into()));
        r.insert("quantity", Node::Str("6 visit".into()));
        r.insert("body_region", Node::List(vec![Node::Str("neck".into())]));
        n.insert("requests", Node::List(vec![r]));
        let mut j = String::new();
        n.write_json(&mut j);
        assert_eq!(
            j,
            r#"{"case":"a-1","exam":{"muscle_spasm":true},"requests":[{"id":"r1","text":"Flexeril: \"7.5\" mg","quantity":"6 visit","body_region":["neck"]}]}"#
        );
        let mut y = String::new();
        n.write_yaml(&mut y);
        assert_eq!(
            y,
            "case: a-1\nexam:\n  muscle_spasm: true\nrequests:\n  - id: r1\n    text: \"Flexeril: \\\"7.5\\\" mg\"\n    quantity: 6 visit\n    body_region: [neck]\n"
        );
    }
}
