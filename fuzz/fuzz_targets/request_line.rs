//! Arbitrary text as a request line, read against the shipped rules'
//! catalog (`mtus::request::read`, behind `mtus request` and `ingest`):
//! reading never panics; every span of the reading lies within the line
//! on character boundaries; the summary and the rendered line can be
//! made; the same line reads the same twice.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Every `{ "start": a, "end": b }` in `v` (a span) is within `line`.
fn spans_within(v: &Value, line: &str) {
    match v {
        Value::Object(m) => {
            if let (Some(a), Some(b)) = (
                m.get("start").and_then(Value::as_u64),
                m.get("end").and_then(Value::as_u64),
            ) {
                let (a, b) = (a as usize, b as usize);
                assert!(
                    a <= b && b <= line.len() && line.is_char_boundary(a) && line.is_char_boundary(b),
                    "span {a}..{b} outside the line {line:?}"
                );
            }
            m.values().for_each(|x| spans_within(x, line));
        }
        Value::Array(xs) => xs.iter().for_each(|x| spans_within(x, line)),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let reading = mtus::request::read(&common::RULES, line);
    let json = serde_json::to_value(&reading).expect("a reading serializes");
    spans_within(&json, &reading.line);
    let _ = reading.summary(true);
    let _ = mtus::request::render(&reading);
    assert_eq!(
        mtus::request::read(&common::RULES, line),
        reading,
        "read twice, read differently: {line:?}"
    );
});
