//! YAML text to a [`serde_json::Value`] through `saphyr-parser`'s events:
//! enough for the pattern files and for reading case files to compare
//! against (block and flow mappings and sequences, plain and quoted
//! scalars). Plain scalars are typed the YAML 1.2 core way (null, true,
//! false, integers, floats); quoted ones stay strings. Anchors, aliases
//! and tags are refused.

use saphyr_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

/// Why a YAML text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct YamlError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

enum Frame {
    Seq(Vec<Value>),
    Map(Map<String, Value>, Option<String>),
}

/// Reads one YAML document; an empty text is `null`.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Value> = None;
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| YamlError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            message: e.info().to_string(),
        })?;
        let at = |message: &str| YamlError {
            line: span.start.line(),
            column: span.start.col() + 1,
            message: message.to_string(),
        };
        let value = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::DocumentEnd | Event::Nothing => {
                continue;
            }
            Event::Alias(_) => return Err(at("aliases are not read here")),
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) if anchor != 0 || tag.is_some() => {
                return Err(at("anchors and tags are not read here"));
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(Map::new(), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(v)) => Value::Array(v),
                Some(Frame::Map(m, _)) => Value::Object(m),
                None => return Err(at("unbalanced collection")),
            },
            Event::Scalar(s, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return Err(at("anchors and tags are not read here"));
                }
                if style == ScalarStyle::Plain {
                    plain(&s)
                } else {
                    Value::String(s.to_string())
                }
            }
        };
        match stack.last_mut() {
            None => {
                if root.is_some() {
                    return Err(at("one document only"));
                }
                root = Some(value);
            }
            Some(Frame::Seq(v)) => v.push(value),
            Some(Frame::Map(m, key)) => match key.take() {
                None => match value {
                    Value::String(k) => *key = Some(k),
                    Value::Number(n) => *key = Some(n.to_string()),
                    Value::Bool(b) => *key = Some(b.to_string()),
                    _ => return Err(at("a mapping key must be a scalar")),
                },
                Some(k) => {
                    if m.contains_key(&k) {
                        return Err(at(&format!("the key `{k}` is given twice")));
                    }
                    m.insert(k, value);
                }
            },
        }
    }
    Ok(root.unwrap_or(Value::Null))
}

fn plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = s.parse::<i64>() {
        return Value::Number(i.into());
    }
    let numeric = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && s.chars().any(|c| c.is_ascii_digit());
    if numeric {
        if let Some(n) = s.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_and_flow_with_types() {
        let v =
            parse("a: 1\nb: [x, 'y', 2.5]\nc: { d: true, e: ~ }\nf: 2016-11-08  # a date stays text\n").expect("reads");
        assert_eq!(
            v,
            serde_json::json!({"a": 1, "b": ["x", "y", 2.5], "c": {"d": true, "e": null}, "f": "2016-11-08"})
        );
    }

    #[test]
    fn errors_are_located() {
        let e = parse("a: 1\na: 2\n").expect_err("a duplicate key");
        assert_eq!((e.line, e.column), (2, 4));
        assert!(e.message.contains("twice"), "{e}");
        assert!(parse("a: [1, 2\n").is_err());
        assert!(parse("a: &x 1\nb: *x\n").is_err());
    }
}
