//! A JSON writer for the audit's hot path: straight into a `String`, with
//! no `serde_json::Value` and no `String` per field, writing exactly the
//! bytes `serde_json` writes for the same data (compact, or pretty with
//! two-space indents; the same string escaping; `null` for `None`).
//!
//! [`Json`] writes the structure (objects, arrays, keys, commas and, when
//! pretty, newlines and indents); [`escape`] writes a string literal,
//! copying runs that need no escape whole. Text that is written many
//! times (the rule set's names) can be escaped once with [`quoted`] and
//! copied with [`Json::raw`].
//!
//! Invariants: the output is what `serde_json::to_string` (or
//! `to_string_pretty`, at the same depth) writes for the same value;
//! checked against serde by the unit tests below and, over generated
//! audits, by `audit::output::tests::json_writer_matches_serde`.

use serde_json::Value as J;

use super::{
    AdviceReport, CriterionReport, DecidedBy, ErrorReport, FactValue, LowCriterion, ProvisionalReport, RequestReport,
    RuleReport,
};
use crate::check::Tier;
use crate::check::confidence::LowConst;
use crate::diag::Severity;
use crate::eval::{Outcome, Role, Status};
use crate::facts::Recorded;
use crate::syntax::ast::{CriterionKind, Level};

/// Does any byte of `w` need an escape (`"`, `\` or below 0x20)?
#[inline]
fn word_needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte below 0x20 (exact for "any byte", n <= 128).
    let low = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let q = w ^ (ONES * u64::from(b'"'));
    let quote = q.wrapping_sub(ONES) & !q & HIGH;
    let b = w ^ (ONES * u64::from(b'\\'));
    let back = b.wrapping_sub(ONES) & !b & HIGH;
    (low | quote | back) != 0
}

#[inline]
fn byte_needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The index of the first byte of `s` at or after `from` that needs an
/// escape, or `s.len()`.
#[inline]
fn next_escape(s: &[u8], from: usize) -> usize {
    let mut i = from;
    while i + 8 <= s.len() {
        let mut a = [0u8; 8];
        a.copy_from_slice(&s[i..i + 8]);
        if word_needs_escape(u64::from_le_bytes(a)) {
            break;
        }
        i += 8;
    }
    while i < s.len() && !byte_needs_escape(s[i]) {
        i += 1;
    }
    i
}

/// Write `s` as a JSON string literal (with its quotes), as serde_json
/// escapes it: `"` and `\` with a backslash, `\b \f \n \r \t`, other
/// control characters as `\u00xx`; everything else (DEL, non-ASCII) as is.
pub fn escape(out: &mut String, s: &str) {
    out.push('"');
    let b = s.as_bytes();
    let mut start = 0;
    loop {
        let i = next_escape(b, start);
        // `i` is at an ASCII byte or the end: a character boundary.
        out.push_str(s.get(start..i).unwrap_or(""));
        let Some(&c) = b.get(i) else { break };
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            0x0C => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(c >> 4)]));
                out.push(char::from(HEX[usize::from(c & 0xF)]));
            }
        }
        start = i + 1;
    }
    out.push('"');
}

/// `s` as a JSON string literal, to copy with [`Json::raw`].
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    escape(&mut out, s);
    out
}

/// Write an unsigned integer in decimal.
pub fn push_usize(out: &mut String, n: usize) {
    push_u64(out, n as u64);
}

/// Write an unsigned integer in decimal.
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &buf[i..] {
        out.push(char::from(d));
    }
}

/// An open object or array: whether anything has been written in it.
#[derive(Debug)]
#[must_use = "close it with Json::end"]
pub struct Open {
    first: bool,
    close: char,
}

/// Writes JSON structure into a `String`, compact or pretty.
#[derive(Debug)]
pub struct Json<'a> {
    pub out: &'a mut String,
    pretty: bool,
    depth: usize,
}

impl<'a> Json<'a> {
    /// Compact, as `serde_json::to_string`.
    pub fn compact(out: &'a mut String) -> Json<'a> {
        Json {
            out,
            pretty: false,
            depth: 0,
        }
    }

    /// Pretty, as `serde_json::to_string_pretty`, starting inside `depth`
    /// open containers (what the first value's indent is one more than).
    pub fn pretty(out: &'a mut String, depth: usize) -> Json<'a> {
        Json {
            out,
            pretty: true,
            depth,
        }
    }

    /// Text that is already JSON (a literal, a [`quoted`] string).
    #[inline]
    pub fn raw(&mut self, s: &str) {
        self.out.push_str(s);
    }

    #[inline]
    pub fn str(&mut self, s: &str) {
        escape(self.out, s);
    }

    #[inline]
    pub fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => escape(self.out, s),
            None => self.out.push_str("null"),
        }
    }

    #[inline]
    pub fn usize(&mut self, n: usize) {
        push_usize(self.out, n);
    }

    #[inline]
    pub fn opt_usize(&mut self, n: Option<usize>) {
        match n {
            Some(n) => push_usize(self.out, n),
            None => self.out.push_str("null"),
        }
    }

    #[inline]
    pub fn bool(&mut self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }

    #[inline]
    pub fn opt_bool(&mut self, b: Option<bool>) {
        self.raw(match b {
            Some(true) => "true",
            Some(false) => "false",
            None => "null",
        });
    }

    /// A string literal that needs no escape (a unit variant's name).
    #[inline]
    pub fn name(&mut self, s: &str) {
        self.out.push('"');
        self.out.push_str(s);
        self.out.push('"');
    }

    #[inline]
    pub fn opt_name(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.name(s),
            None => self.out.push_str("null"),
        }
    }

    fn open(&mut self, c: char, close: char) -> Open {
        self.out.push(c);
        self.depth += 1;
        Open { first: true, close }
    }

    pub fn object(&mut self) -> Open {
        self.open('{', '}')
    }

    pub fn array(&mut self) -> Open {
        self.open('[', ']')
    }

    fn newline(&mut self) {
        const INDENT: &str = "\n                                                                ";
        match INDENT.get(..1 + 2 * self.depth) {
            Some(s) => self.out.push_str(s),
            None => {
                self.out.push('\n');
                for _ in 0..self.depth {
                    self.out.push_str("  ");
                }
            }
        }
    }

    fn sep(&mut self, o: &mut Open) {
        if !o.first {
            self.out.push(',');
        }
        o.first = false;
        if self.pretty {
            self.newline();
        }
    }

    /// The start of an entry: a comma unless first, then `"key":`.
    #[inline]
    pub fn key(&mut self, o: &mut Open, key: &str) {
        self.sep(o);
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str(if self.pretty { "\": " } else { "\":" });
    }

    /// The start of an array item.
    #[inline]
    pub fn item(&mut self, o: &mut Open) {
        self.sep(o);
    }

    pub fn end(&mut self, o: Open) {
        self.depth -= 1;
        if self.pretty && !o.first {
            self.newline();
        }
        self.out.push(o.close);
    }

    /// An array of strings.
    pub fn strs<S: AsRef<str>>(&mut self, items: &[S]) {
        let mut a = self.array();
        for s in items {
            self.item(&mut a);
            self.str(s.as_ref());
        }
        self.end(a);
    }

    /// A `serde_json::Value` (a fact's value), as serde_json writes it.
    pub fn value(&mut self, v: &J) {
        match v {
            J::Null => self.raw("null"),
            J::Bool(b) => self.bool(*b),
            // Display writes numbers as serialization does (itoa, ryu).
            J::Number(n) => {
                use std::fmt::Write;
                let _ = write!(self.out, "{n}");
            }
            J::String(s) => self.str(s),
            J::Array(items) => {
                let mut a = self.array();
                for x in items {
                    self.item(&mut a);
                    self.value(x);
                }
                self.end(a);
            }
            J::Object(m) => {
                let mut o = self.object();
                for (k, x) in m {
                    self.sep(&mut o);
                    self.str(k);
                    self.raw(if self.pretty { ": " } else { ":" });
                    self.value(x);
                }
                self.end(o);
            }
        }
    }
}

pub fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::MedicallyNecessary => "medically_necessary",
        Outcome::NotMedicallyNecessary => "not_medically_necessary",
        Outcome::InsufficientDocumentation => "insufficient_documentation",
    }
}

pub fn status_name(s: Status) -> &'static str {
    match s {
        Status::Met => "met",
        Status::NotMet => "not_met",
        Status::NotDocumented => "not_documented",
        Status::NotApplicable => "not_applicable",
    }
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Decides => "decides",
        Role::Supplements => "supplements",
    }
}

fn tier_name(t: Tier) -> &'static str {
    match t {
        Tier::Mtus => "mtus",
        Tier::AcoemOrOdg => "acoem_or_odg",
        Tier::OtherGuideline => "other_guideline",
        Tier::Study => "study",
    }
}

fn kind_name(k: CriterionKind) -> &'static str {
    match k {
        CriterionKind::Require => "require",
        CriterionKind::Exclude => "exclude",
    }
}

pub fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

pub fn opt_recorded(r: Option<Recorded>) -> Option<&'static str> {
    r.map(Recorded::name)
}

/// The fields of a [`RequestReport`] into the open object `o` (so a
/// caller can put its own fields first, as `#[serde(flatten)]` does).
pub fn request_fields(w: &mut Json<'_>, o: &mut Open, r: &RequestReport) {
    w.key(o, "request");
    w.str(&r.request);
    w.key(o, "text");
    w.opt_str(r.text.as_deref());
    w.key(o, "treatment");
    w.str(&r.treatment);
    w.key(o, "category");
    w.opt_str(r.category.as_deref());
    w.key(o, "date");
    w.str(&r.date);
    w.key(o, "outcome");
    w.opt_name(r.outcome.map(outcome_name));
    w.key(o, "predicted");
    w.opt_name(opt_recorded(r.predicted));
    w.key(o, "recorded");
    w.opt_name(opt_recorded(r.recorded));
    w.key(o, "agrees");
    w.opt_bool(r.agrees);
    w.key(o, "decided_by");
    match &r.decided_by {
        Some(d) => decided_by(w, d),
        None => w.raw("null"),
    }
    w.key(o, "fell_with");
    w.opt_str(r.fell_with.as_deref());
    w.key(o, "provisional");
    match &r.provisional {
        Some(p) => provisional(w, p),
        None => w.raw("null"),
    }
    w.key(o, "rules");
    let mut a = w.array();
    for rr in &r.rules {
        w.item(&mut a);
        rule(w, rr);
    }
    w.end(a);
    w.key(o, "set_aside");
    w.strs(&r.set_aside);
    w.key(o, "to_pass");
    let mut a = w.array();
    for x in &r.to_pass {
        w.item(&mut a);
        advice(w, x);
    }
    w.end(a);
    w.key(o, "error");
    match &r.error {
        Some(e) => error(w, e),
        None => w.raw("null"),
    }
    if !r.notes.is_empty() {
        w.key(o, "notes");
        w.value(&serde_json::to_value(&r.notes).unwrap_or(serde_json::Value::Null));
    }
}

/// A [`RequestReport`] as an object.
pub fn request_report(w: &mut Json<'_>, r: &RequestReport) {
    let mut o = w.object();
    request_fields(w, &mut o, r);
    w.end(o);
}

fn decided_by(w: &mut Json<'_>, d: &DecidedBy) {
    let mut o = w.object();
    w.key(&mut o, "rule");
    w.str(&d.rule);
    w.key(&mut o, "criterion");
    w.str(&d.criterion);
    w.key(&mut o, "status");
    w.name(status_name(d.status));
    w.key(&mut o, "citation");
    w.str(&d.citation);
    w.end(o);
}

fn provisional(w: &mut Json<'_>, p: &ProvisionalReport) {
    let mut o = w.object();
    w.key(&mut o, "rests_on");
    let mut a = w.array();
    for c in &p.rests_on {
        w.item(&mut a);
        low_criterion(w, c);
    }
    w.end(a);
    w.key(&mut o, "falls_with");
    w.opt_str(p.falls_with.as_deref());
    w.end(o);
}

fn low_criterion(w: &mut Json<'_>, c: &LowCriterion) {
    let mut o = w.object();
    w.key(&mut o, "rule");
    w.str(&c.rule);
    w.key(&mut o, "criterion");
    w.str(&c.criterion);
    w.key(&mut o, "ids");
    w.strs(&c.ids);
    w.key(&mut o, "constants");
    let mut a = w.array();
    for k in &c.constants {
        w.item(&mut a);
        low_const(w, k);
    }
    w.end(a);
    w.key(&mut o, "reason");
    w.str(&c.reason);
    w.end(o);
}

pub(crate) fn low_const(w: &mut Json<'_>, k: &LowConst) {
    let mut o = w.object();
    w.key(&mut o, "name");
    w.str(&k.name);
    w.key(&mut o, "value");
    w.str(&k.value);
    w.key(&mut o, "ids");
    w.strs(&k.ids);
    w.end(o);
}

fn rule(w: &mut Json<'_>, r: &RuleReport) {
    let mut o = w.object();
    w.key(&mut o, "rule");
    w.str(&r.rule);
    w.key(&mut o, "title");
    w.str(&r.title);
    w.key(&mut o, "role");
    w.name(role_name(r.role));
    w.key(&mut o, "source");
    w.str(&r.source);
    w.key(&mut o, "tier");
    w.name(tier_name(r.tier));
    w.key(&mut o, "citation");
    w.str(&r.citation);
    if !r.also_cites.is_empty() {
        w.key(&mut o, "also_cites");
        w.strs(&r.also_cites);
    }
    w.key(&mut o, "criteria");
    let mut a = w.array();
    for c in &r.criteria {
        w.item(&mut a);
        criterion(w, c);
    }
    w.end(a);
    w.end(o);
}

fn criterion(w: &mut Json<'_>, c: &CriterionReport) {
    let mut o = w.object();
    w.key(&mut o, "name");
    w.str(&c.name);
    w.key(&mut o, "kind");
    w.name(kind_name(c.kind));
    w.key(&mut o, "description");
    w.str(&c.description);
    w.key(&mut o, "status");
    w.name(status_name(c.status));
    w.key(&mut o, "label");
    w.name(c.label);
    w.key(&mut o, "citation");
    w.str(&c.citation);
    w.key(&mut o, "facts");
    let mut a = w.array();
    for f in &c.facts {
        w.item(&mut a);
        fact(w, f);
    }
    w.end(a);
    w.key(&mut o, "missing");
    w.strs(&c.missing);
    w.key(&mut o, "confidence");
    w.opt_name(c.confidence.map(Level::name));
    w.key(&mut o, "confidence_ids");
    w.strs(&c.confidence_ids);
    if let Some(why) = &c.low_reason {
        w.key(&mut o, "low_reason");
        w.str(why);
    }
    w.end(o);
}

fn fact(w: &mut Json<'_>, f: &FactValue) {
    let mut o = w.object();
    w.key(&mut o, "fact");
    w.str(&f.fact);
    w.key(&mut o, "value");
    w.value(&f.value);
    if let Some(n) = f.note {
        w.key(&mut o, "note");
        w.str(n);
    }
    w.end(o);
}

/// Advice is not on the audit's hot path (its rows carry none): written
/// through serde, so the bytes are serde's by construction.
fn advice(w: &mut Json<'_>, a: &AdviceReport) {
    w.value(&serde_json::to_value(a).unwrap_or(serde_json::Value::Null));
}

fn error(w: &mut Json<'_>, e: &ErrorReport) {
    let mut o = w.object();
    w.key(&mut o, "code");
    w.str(e.code);
    w.key(&mut o, "message");
    w.str(&e.message);
    w.key(&mut o, "help");
    w.str(&e.help);
    w.key(&mut o, "line");
    w.opt_usize(e.line);
    w.key(&mut o, "column");
    w.opt_usize(e.column);
    w.end(o);
}

/// The fields of a [`super::diagnostics::DiagnosticJson`] into `o`.
pub fn diagnostic_fields(w: &mut Json<'_>, o: &mut Open, d: &super::diagnostics::DiagnosticJson) {
    w.key(o, "file");
    w.opt_str(d.file.as_deref());
    w.key(o, "line");
    w.opt_usize(d.line);
    w.key(o, "column");
    w.opt_usize(d.column);
    w.key(o, "end_line");
    w.opt_usize(d.end_line);
    w.key(o, "end_column");
    w.opt_usize(d.end_column);
    w.key(o, "severity");
    w.name(severity_name(d.severity));
    w.key(o, "code");
    w.str(d.code);
    w.key(o, "message");
    w.str(&d.message);
    w.key(o, "help");
    w.opt_str(d.help.as_deref());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_as_serde_json_does() {
        let mut all = String::new();
        for c in 0u8..0x80 {
            all.push(char::from(c));
        }
        let samples = [
            "",
            "plain",
            "exactly8",
            "sixteen bytes ok",
            "a\"b",
            "back\\slash and more text past eight",
            "tab\there",
            "\u{0}\u{1f}\u{7f}\u{80}é漢字🙂",
            "long text without anything to escape at all, then a quote \" at the end",
            "\n",
            "ünïcödé ünïcödé ünïcödé\r\n",
            &all,
        ];
        for s in samples {
            assert_eq!(quoted(s), serde_json::to_string(s).expect("serde"), "{s:?}");
        }
        // Every single byte value at every offset of a 17-byte string.
        for c in 0u8..0x80 {
            for at in 0..17 {
                let mut s = "x".repeat(17);
                s.replace_range(at..=at, &char::from(c).to_string());
                assert_eq!(quoted(&s), serde_json::to_string(&s).expect("serde"), "{c} at {at}");
            }
        }
    }

    #[test]
    fn numbers_and_values_as_serde_json() {
        for n in [0usize, 1, 9, 10, 99, 100, 12345, usize::MAX] {
            let mut s = String::new();
            push_usize(&mut s, n);
            assert_eq!(s, n.to_string());
        }
        let mut deep = serde_json::json!([1, {"k": "v"}]);
        for _ in 0..40 {
            deep = serde_json::json!([deep, {"k": [deep.clone()]}]);
            if deep.to_string().len() > 1 << 16 {
                deep = serde_json::json!([deep[0].clone()]);
            }
        }
        let v = serde_json::json!({"a": [1, -2, 2.5, 1e300, 0.1, null, true, "x\ny", []], "b": {}, "c": {"d": [{}]}, "deep": deep});
        for pretty in [false, true] {
            let mut s = String::new();
            let mut w = if pretty {
                Json::pretty(&mut s, 0)
            } else {
                Json::compact(&mut s)
            };
            w.value(&v);
            let want = if pretty {
                serde_json::to_string_pretty(&v)
            } else {
                serde_json::to_string(&v)
            };
            assert_eq!(s, want.expect("serde"));
        }
    }
}
