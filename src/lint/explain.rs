//! `mtus lint --explain CODE`: what each lint finds, why it matters, an
//! example that provokes it and the same example fixed.
//!
//! Every example is a rule file once [`PRELUDE`] (a source, the request
//! facts and two treatments) is put before it. Invariants (enforced by
//! tests/lint_explain.rs): every lint in [`super::LINTS`] has an
//! explanation; each example provokes its lint and the fixed example does
//! not.

use std::fmt::Write;

/// What every example starts with: a source `S` (before 2017-12-01, so no
/// `confidence` line is asked for), the facts the engine reads itself and
/// the treatments `massage_therapy` and `acupuncture`.
pub const PRELUDE: &str = r#"source S "An example guideline"
  tier mtus

fact request.id: text "the request id"
fact request.treatment: treatment "what is asked for"
fact request.date: date "the date of the request"

class example "Examples"
treatment massage_therapy "Massage therapy" class example
treatment acupuncture "Acupuncture" class example
"#;

/// One lint's explanation.
#[derive(Clone, Copy, Debug)]
pub struct Explanation {
    pub code: &'static str,
    /// What it finds, in a few sentences.
    pub finds: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// Rule file items (after [`PRELUDE`]) that provoke it.
    pub example: &'static str,
    /// The same, fixed.
    pub fixed: &'static str,
    /// A case file (YAML) the fixed example is linted with, for
    /// `missing-case`; the example itself is linted with no case.
    pub case: Option<&'static str>,
    /// What `mtus lint --fix` does about it, if anything.
    pub fix: Option<&'static str>,
}

/// Every lint's explanation, in the order of [`super::LINTS`].
pub const EXPLANATIONS: &[Explanation] = &[
    Explanation {
        code: "unused-fact",
        finds: "A fact is declared (`fact PATH: TYPE ...`) but no criterion of any rule reads it. The facts the engine reads itself (request.id, .text, .treatment, .date, .depends_on) are never reported.",
        why: "A case file may record the fact, and reviewers may think it counts, but it decides nothing. Often a criterion was meant to read it, or reads a fact of another name by mistake.",
        example: r#"fact exam.spasm: bool "muscle spasm on examination"
fact exam.trigger_points: bool "trigger points on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require spasm "Muscle spasm is found on examination"
    exam.spasm
"#,
        fixed: r#"fact exam.spasm: bool "muscle spasm on examination"
fact exam.trigger_points: bool "trigger points on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require spasm "Muscle spasm or trigger points are found on examination"
    exam.spasm or exam.trigger_points
"#,
        case: None,
        fix: None,
    },
    Explanation {
        code: "unused-const",
        finds: "A constant (`const NAME = VALUE`) is declared but no criterion uses it, by name or as a set.",
        why: "A number taken from a guideline that no rule uses is either dead (and a reader may believe it applies) or the number a criterion should have used instead of a literal.",
        example: r#"fact request.quantity: quantity "how much is asked for"

const massage_limit = 6 visit "S: 6 visits in most cases"
const massage_trial = 3 visit "S: a trial of 3 visits"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require visits "No more than 6 visits"
    request.quantity <= massage_limit
"#,
        fixed: r#"fact request.quantity: quantity "how much is asked for"

const massage_limit = 6 visit "S: 6 visits in most cases"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require visits "No more than 6 visits"
    request.quantity <= massage_limit
"#,
        case: None,
        fix: Some(
            "deletes the declaration (with a comment at the end of its line and the lint directives right above it; other comments above it are kept).",
        ),
    },
    Explanation {
        code: "always-met",
        finds: "A criterion's condition is met whatever the case documents: for every combination of its tests (met, not met, not documented), it comes out met. Typically it compares constants with each other, or says `x or not x`.",
        why: "The first criterion not met decides a request; one that is always met never decides, so the guideline's test it stands for is not applied. Usually a fact was meant where a constant is written.",
        example: r#"fact request.quantity: quantity "how much is asked for"

const massage_limit = 6 visit "S: 6 visits in most cases"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require visits "No more than 6 visits are asked for"
    4 visit <= massage_limit
"#,
        fixed: r#"fact request.quantity: quantity "how much is asked for"

const massage_limit = 6 visit "S: 6 visits in most cases"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require visits "No more than 6 visits are asked for"
    request.quantity <= massage_limit
"#,
        case: None,
        fix: None,
    },
    Explanation {
        code: "never-met",
        finds: "A criterion's condition is never met, whatever the case documents (`exam.spasm and false`, a fact compared with two values it cannot have at once).",
        why: "Every request the rule applies to fails the criterion: the treatment is never medically necessary under the rule, which is rarely what the guideline says.",
        example: r#"fact exam.spasm: bool "muscle spasm on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require spasm "Muscle spasm is found on examination"
    exam.spasm and false
"#,
        fixed: r#"fact exam.spasm: bool "muscle spasm on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require spasm "Muscle spasm is found on examination"
    exam.spasm
"#,
        case: None,
        fix: None,
    },
    Explanation {
        code: "shadowed-criterion",
        finds: "A criterion can never be the one that decides: whenever it could (not met, or not documented), an earlier criterion of the same rule already has. An `exclude` without a condition shadows every criterion after it.",
        why: "Reports name the deciding criterion; a criterion that never decides is never named, and a case that expects it (`because:`) can never pass. Often the order is wrong, or one criterion repeats another.",
        example: r#"fact exam.spasm: bool "muscle spasm on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  exclude not_recommended "Not recommended for this condition"

  require spasm "Muscle spasm is found on examination"
    exam.spasm
"#,
        fixed: r#"fact exam.spasm: bool "muscle spasm on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require spasm "Muscle spasm is found on examination"
    exam.spasm
"#,
        case: None,
        fix: None,
    },
    Explanation {
        code: "overlapping-rules",
        finds: "Two rules decide the same treatment, in the same period, at the same tier, neither supplements the other, and neither covers fewer treatments than the other (a specific rule refining a general one is not reported).",
        why: "A request must pass both, and which one is reported as deciding depends only on the order they are declared. If one adds criteria to the other, it should say `supplements`.",
        example: r#"fact exam.spasm: bool "muscle spasm on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require spasm "Muscle spasm is found on examination"
    exam.spasm

rule massage_again "Massage, continued"
  cites S "Massage" p. 2
  applies to massage_therapy

  require spasm_again "Muscle spasm is still found on examination"
    exam.spasm
"#,
        fixed: r#"fact exam.spasm: bool "muscle spasm on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require spasm "Muscle spasm is found on examination"
    exam.spasm

rule massage_again "Massage, continued"
  cites S "Massage" p. 2
  applies to massage_therapy
  supplements massage

  require spasm_again "Muscle spasm is still found on examination"
    exam.spasm
"#,
        case: None,
        fix: None,
    },
    Explanation {
        code: "conflicting-numbers",
        finds: "Two rules citing the same source bound the same value (say `request.quantity`) for the same treatment in the same period by different numbers.",
        why: "One source gives one number; two numbers usually mean one was copied wrong or left behind by an update. Share it in a `const`, or say why they differ in a lint directive.",
        example: r#"fact request.quantity: quantity "how much is asked for"
fact exam.spasm: bool "muscle spasm on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require visits "No more than 6 visits"
    request.quantity <= 6 visit

rule massage_spasm "Massage for spasm"
  cites S "Massage, spasm" p. 3
  applies to massage_therapy
  supplements massage

  require spasm_visits "No more than 10 visits for spasm"
    exam.spasm and request.quantity <= 10 visit
"#,
        fixed: r#"fact request.quantity: quantity "how much is asked for"
fact exam.spasm: bool "muscle spasm on examination"

const massage_limit = 6 visit "S: 6 visits in most cases (p. 1)"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require visits "No more than 6 visits"
    request.quantity <= massage_limit

rule massage_spasm "Massage for spasm"
  cites S "Massage, spasm" p. 3
  applies to massage_therapy
  supplements massage

  require spasm_visits "No more than 6 visits for spasm"
    exam.spasm and request.quantity <= massage_limit
"#,
        case: None,
        fix: None,
    },
    Explanation {
        code: "missing-description",
        finds: "A constant number (not a set of symbols) has no description, or a criterion's description only repeats its name or is a placeholder (TODO, TBD, ...).",
        why: "Reports show descriptions to people who do not read rule files, and a number needs its source and how sure it is.",
        example: r#"fact request.quantity: quantity "how much is asked for"

const massage_limit = 6 visit

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require visit_limit "Visit limit"
    request.quantity <= massage_limit
"#,
        fixed: r#"fact request.quantity: quantity "how much is asked for"

const massage_limit = 6 visit "S: 6 visits in most cases (p. 1)"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require visit_limit "No more than 6 visits are asked for"
    request.quantity <= massage_limit
"#,
        case: None,
        fix: None,
    },
    Explanation {
        code: "missing-case",
        finds: "No case file exercises a rule: the rule takes part in deciding none of the requests of the cases given (`--cases`, else the cases/ folder beside the rules).",
        why: "A rule no case exercises is a rule no test checks: a mistake in it shows only when a real request meets it.",
        example: r#"fact request.quantity: quantity "how much is asked for"

rule acupuncture "Acupuncture"
  cites S "Acupuncture" p. 4
  applies to acupuncture

  require visits "No more than 6 treatments"
    request.quantity <= 6 visit
"#,
        fixed: r#"fact request.quantity: quantity "how much is asked for"

rule acupuncture "Acupuncture"
  cites S "Acupuncture" p. 4
  applies to acupuncture

  require visits "No more than 6 treatments"
    request.quantity <= 6 visit
"#,
        case: Some(
            r#"# An acupuncture request, so the rule is exercised.
case: acupuncture-six
requests:
  - id: acupuncture
    treatment: acupuncture
    quantity: 6 visit
    date: 2015-05-06
"#,
        ),
        fix: None,
    },
    Explanation {
        code: "missing-confidence",
        finds: "A criterion of a rule of the current regime (in force from 2017-12-01) has no `confidence` line, neither its own nor its rule's.",
        why: "A decision that rests on a criterion whose source is uncertain (LOW) is marked provisional; without the line, nobody has said how sure the rule is, and the decision looks settled.",
        example: r#"source S18 "An example guideline of the current regime"
  tier mtus
  effective 2017-12-01

fact request.quantity: quantity "how much is asked for"

rule massage "Massage"
  cites S18 "Massage" p. 1
  applies to massage_therapy

  require visit_limit "No more than 6 visits are asked for"
    request.quantity <= 6 visit
"#,
        fixed: r#"source S18 "An example guideline of the current regime"
  tier mtus
  effective 2017-12-01

fact request.quantity: quantity "how much is asked for"

rule massage "Massage"
  cites S18 "Massage" p. 1
  applies to massage_therapy

  require visit_limit "No more than 6 visits are asked for"
    confidence high EX-1
    request.quantity <= 6 visit
"#,
        case: None,
        fix: None,
    },
    Explanation {
        code: "bad-directive",
        finds: "A lint directive comment (`# lint: allow NAME -- REASON`) has no reason, names an unknown lint (or one that cannot be silenced), or applies to nothing (a blank line between it and the item).",
        why: "A directive that does not work silences nothing, and one without a reason hides a finding with no word on why it is fine.",
        example: r#"# lint: allow unused-fact
fact exam.trigger_points: bool "trigger points on examination"
"#,
        fixed: r#"# lint: allow unused-fact -- recorded by the intake form, kept in the shared vocabulary
fact exam.trigger_points: bool "trigger points on examination"
"#,
        case: None,
        fix: None,
    },
    Explanation {
        code: "unused-allow",
        finds: "A lint directive names a lint that finds nothing in the item or criterion it covers (a lint turned off for the run with --allow is not counted).",
        why: "A stale directive would hide a new finding there later, with a reason that no longer holds.",
        example: r#"fact exam.spasm: bool "muscle spasm on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  # lint: allow always-met -- the condition was once a constant
  require spasm "Muscle spasm is found on examination"
    exam.spasm
"#,
        fixed: r#"fact exam.spasm: bool "muscle spasm on examination"

rule massage "Massage"
  cites S "Massage" p. 1
  applies to massage_therapy

  require spasm "Muscle spasm is found on examination"
    exam.spasm
"#,
        case: None,
        fix: Some(
            "deletes the names that silence nothing from the directive, or the whole directive when none is left.",
        ),
    },
];

/// The explanation of `code`, if it is a lint.
pub fn find(code: &str) -> Option<&'static Explanation> {
    EXPLANATIONS.iter().find(|e| e.code == code)
}

impl Explanation {
    /// The example as a whole rule file.
    pub fn example_file(&self) -> String {
        format!("{PRELUDE}\n{}", self.example)
    }

    /// The fixed example as a whole rule file.
    pub fn fixed_file(&self) -> String {
        format!("{PRELUDE}\n{}", self.fixed)
    }

    /// The explanation as text, like `rustc --explain`: prose filled to
    /// 79 columns, examples indented 4.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let what = super::LINTS
            .iter()
            .find(|(c, _)| *c == self.code)
            .map_or("", |(_, w)| *w);
        para(&mut out, &format!("{}: {what}", self.code));
        para(&mut out, self.finds);
        para(&mut out, &format!("Why it matters: {}", self.why));
        para(
            &mut out,
            "Example (after a `source S`, the request facts and the treatments massage_therapy and acupuncture):",
        );
        push_indented(&mut out, self.example);
        match self.case {
            Some(case) => {
                para(&mut out, "\nFixed: a case file that asks for the treatment, such as");
                push_indented(&mut out, case);
            }
            None => {
                para(&mut out, "\nFixed:");
                push_indented(&mut out, self.fixed);
            }
        }
        out.push('\n');
        match self.fix {
            Some(f) => para(&mut out, &format!("`mtus lint --fix` {f}")),
            None => para(
                &mut out,
                "`mtus lint --fix` does not change it: the fix needs a person.",
            ),
        }
        if super::SILENCEABLE.contains(&self.code) {
            para(&mut out, "To keep it as it is, say why above the item or criterion:");
            let _ = writeln!(out, "    # lint: allow {} -- REASON", self.code);
        }
        // No blank line at the end.
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

/// A paragraph filled to 79 columns, then a blank line. A leading line
/// break is kept (a blank line before the paragraph).
fn para(out: &mut String, text: &str) {
    if let Some(rest) = text.strip_prefix('\n') {
        out.push('\n');
        return para(out, rest);
    }
    let mut width = 0;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if width > 0 && width + 1 + n > 79 {
            out.push('\n');
            width = 0;
        } else if width > 0 {
            out.push(' ');
            width += 1;
        }
        out.push_str(word);
        width += n;
    }
    out.push_str("\n\n");
}

fn push_indented(out: &mut String, text: &str) {
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "    {line}");
        }
    }
}

/// Every lint code with what it finds, one per line.
pub fn list() -> String {
    let width = super::LINTS.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (code, what) in super::LINTS {
        let _ = writeln!(out, "{code:width$}  {what}");
    }
    out.push_str("\nRun `mtus lint --explain CODE` for one in full.\n");
    out
}
