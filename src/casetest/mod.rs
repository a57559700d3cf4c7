//! Case files as tests (`mtus test`), and what they cover.
//!
//! A case with a determination records, per request, the outcome its
//! author expects (`outcome: upheld`) and, optionally, the criterion
//! expected to decide it (`because: visit_limit` or
//! `because: massage_therapy.visit_limit`). [`check_case`] decides the
//! case and compares; [`Coverage`] counts, per rule and criterion, how the
//! decided requests saw it.
//!
//! Invariants: reads decisions, never makes its own (the same `eval` path
//! as `check` and `audit`); every recorded decision is either passed or
//! failed with a reason; output order is the order of the inputs and of
//! the rules, never a hash order.

pub mod junit;

use serde::Serialize;

use crate::RuleSet;
use crate::check::RuleId;
use crate::diag::{Diagnostic, FileId, SourceMap, Span};
use crate::eval::{Decision, EvalError, Machine, Outcome, Status, decide_case};
use crate::facts::{Case, Recorded};

/// What was expected of one request and what the rules decided.
#[derive(Clone, Debug, Serialize)]
pub struct DecisionCheck {
    pub request: String,
    pub expected: Recorded,
    /// `because` as written.
    pub expected_because: Option<String>,
    /// `None` when the request could not be decided.
    pub predicted: Option<Recorded>,
    pub outcome: Option<Outcome>,
    /// `rule.criterion` that decided it, with its status.
    pub decided_by: Option<DecidedBy>,
    pub passed: bool,
    #[serde(skip)]
    pub failure: Option<Failure>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DecidedBy {
    pub rule: String,
    pub criterion: String,
    pub status: Status,
}

/// Why a recorded decision was not reproduced.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// `test-outcome`, `test-because` or `test-undecided`.
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    /// The key of the decision the failure is about: `outcome` or `because`.
    pub key: &'static str,
    /// Where that key's value is written in the case file (a byte span;
    /// its file id is a stand-in: the case text is added to a source map
    /// later, see [`failure_diagnostic`]).
    pub at: Option<Span>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Passed,
    Failed,
    /// No determination: nothing to compare.
    Skipped,
    /// The case file could not be read or loaded.
    Error,
}

#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    pub file: String,
    /// The case id; `None` when the file did not load.
    pub case: Option<String>,
    pub status: CaseStatus,
    pub decisions: Vec<DecisionCheck>,
}

impl CaseResult {
    /// A case file that could not be read or loaded.
    pub fn error(file: &str) -> CaseResult {
        CaseResult {
            file: file.to_string(),
            case: None,
            status: CaseStatus::Error,
            decisions: Vec::new(),
        }
    }
}

/// Decide a case and compare with its recorded determination. Returns the
/// result and the decisions, for coverage.
pub fn check_case(
    rs: &RuleSet,
    m: &mut Machine,
    file: &str,
    case: &Case,
) -> (CaseResult, Vec<Result<Decision, EvalError>>) {
    let decisions = decide_case(rs, m, case);
    let mut checks = Vec::new();
    if let Some(det) = &case.determination {
        for rec in &det.decisions {
            let req = &case.requests[rec.request];
            let d = decisions.get(rec.request);
            checks.push(compare(rs, case, req.id.as_str(), rec, d));
        }
    }
    let status = if case.determination.is_none() || checks.is_empty() {
        CaseStatus::Skipped
    } else if checks.iter().all(|c| c.passed) {
        CaseStatus::Passed
    } else {
        CaseStatus::Failed
    };
    (
        CaseResult {
            file: file.to_string(),
            case: Some(case.id.clone()),
            status,
            decisions: checks,
        },
        decisions,
    )
}

fn compare(
    rs: &RuleSet,
    case: &Case,
    request: &str,
    rec: &crate::facts::RecordedDecision,
    d: Option<&Result<Decision, EvalError>>,
) -> DecisionCheck {
    let p = &rs.program;
    let mut check = DecisionCheck {
        request: request.to_string(),
        expected: rec.outcome,
        expected_because: rec.because.as_ref().map(|b| b.written.clone()),
        predicted: None,
        outcome: None,
        decided_by: None,
        passed: false,
        failure: None,
    };
    let d = match d {
        Some(Ok(d)) => d,
        Some(Err(e)) => {
            check.failure = Some(Failure {
                code: "test-undecided",
                message: format!("request `{request}` could not be decided: {e}"),
                help: Some(e.help()),
                key: "outcome",
                // At the cause (the treatment, the date, the dependency),
                // not at the outcome the test expected.
                at: case.requests.get(rec.request).map(|q| e.span(q)).or(rec.outcome_at),
            });
            return check;
        }
        None => return check,
    };
    check.outcome = Some(d.outcome);
    check.predicted = Some(d.outcome.predicts());
    let decided = d.decided_by.and_then(|(ri, ci)| {
        let rr = d.rules.get(ri)?;
        let rule = p.rule(rr.rule);
        Some((
            rr.rule,
            ci,
            rule.name.clone(),
            rule.criteria.get(ci)?.name.clone(),
            *rr.statuses.get(ci)?,
        ))
    });
    check.decided_by = decided.as_ref().map(|(_, _, r, c, s)| DecidedBy {
        rule: r.clone(),
        criterion: c.clone(),
        status: *s,
    });
    let decided_text = match &decided {
        Some((_, _, r, c, s)) => format!("`{r}.{c}` ({})", s.label()),
        None => match d.fell_with {
            Some(q) => format!(
                "no criterion of its own (it fell with request `{}`)",
                case.requests[q].id
            ),
            None => "no criterion (every criterion was met)".to_string(),
        },
    };
    if d.outcome.predicts() != rec.outcome {
        let help = match rec.outcome {
            Recorded::Upheld => {
                "every criterion was met: if the reviewer was right, a rule lacks a criterion, or the case a fact that fails one".to_string()
            }
            Recorded::Overturned => format!(
                "it was decided by {decided_text}: if the reviewer was right, that criterion asks too much, or the case lacks a fact"
            ),
        };
        check.failure = Some(Failure {
            code: "test-outcome",
            message: format!(
                "request `{request}`: predicted {} ({}), the case expects {}",
                d.outcome.predicts().name(),
                d.outcome.label(),
                rec.outcome.name()
            ),
            help: Some(help),
            key: "outcome",
            at: rec.outcome_at,
        });
        return check;
    }
    if let Some(b) = &rec.because {
        let matches = decided.as_ref().is_some_and(|(rule, _, _, c, _)| b.matches(*rule, c));
        if !matches {
            let expected_status = expected_status(rs, d, b);
            let help = match expected_status {
                Some(s) => format!(
                    "`{}` was {}; the first criterion not met decides, else the first not documented",
                    b.written,
                    s.label()
                ),
                None => format!("`{}` did not take part in deciding this request", b.written),
            };
            check.failure = Some(Failure {
                code: "test-because",
                message: format!(
                    "request `{request}`: decided by {decided_text}, the case expects `{}`",
                    b.written
                ),
                help: Some(help),
                key: "because",
                at: rec.because_at.or(rec.outcome_at),
            });
            return check;
        }
    }
    check.passed = true;
    check
}

/// The status of the criterion named in `because`, if it took part.
fn expected_status(rs: &RuleSet, d: &Decision, b: &crate::facts::ExpectedCriterion) -> Option<Status> {
    d.rules.iter().find_map(|rr| {
        let rule = rs.program.rule(rr.rule);
        rule.criteria
            .iter()
            .position(|c| b.matches(rr.rule, &c.name))
            .and_then(|ci| rr.statuses.get(ci).copied())
    })
}

/// A failure as a diagnostic on the case file, at the `outcome` or
/// `because` it is about. `file` is the case text's id in `sm`.
pub fn failure_diagnostic(sm: &SourceMap, file: FileId, _request: &str, f: &Failure) -> Diagnostic {
    let len = sm.get(file).text.len() as u32;
    let mut d = match f.at {
        Some(at) if at.end <= len => Diagnostic::error(f.code, Span { file, ..at }, f.message.clone()),
        _ => Diagnostic::bare(f.code, format!("{}: {}", sm.get(file).name, f.message)),
    };
    d.help = f.help.clone();
    d
}

/// Totals of a test run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Case files that could not be read or loaded (counted as failed too).
    pub errors: usize,
    /// Case files left out by `--run` (not counted above).
    #[serde(skip_serializing_if = "is_zero")]
    pub not_selected: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    pub fn add(&mut self, r: &CaseResult) {
        match r.status {
            CaseStatus::Passed => self.passed += 1,
            CaseStatus::Failed => self.failed += 1,
            CaseStatus::Skipped => self.skipped += 1,
            CaseStatus::Error => {
                self.failed += 1;
                self.errors += 1;
            }
        }
    }

    /// `12 passed, 1 failed` (and skipped ones when there are some).
    pub fn line(&self) -> String {
        let mut s = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped (no determination)", self.skipped));
        }
        if self.not_selected > 0 {
            s.push_str(&format!(", {} not selected (--run)", self.not_selected));
        }
        s
    }

    pub fn ok(&self) -> bool {
        self.failed == 0
    }
}

// ---------------------------------------------------------------------------
// selection (`--run`)

/// Whether `--run PATTERN` selects a case named `name` (its id, or its
/// file path as given). A pattern holding `*`, `?` or `[` is a glob over
/// the whole name (`*` any run of characters, `/` included; `?` one
/// character; `[abc]`, `[a-z]`, `[!a-z]` one of a set); any other pattern
/// selects the names that contain it. Case matters.
pub fn selects(pattern: &str, name: &str) -> bool {
    if pattern.contains(['*', '?', '[']) {
        let p: Vec<char> = pattern.chars().collect();
        let n: Vec<char> = name.chars().collect();
        glob(&p, &n)
    } else {
        name.contains(pattern)
    }
}

/// Glob matching with backtracking to the last `*` (linear in practice,
/// never exponential).
fn glob(p: &[char], n: &[char]) -> bool {
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
                continue;
            }
            Some('?') => Some(pi + 1),
            Some('[') => match class(p, pi, n[ni]) {
                Some(next) => next,
                None => (n[ni] == '[').then_some(pi + 1),
            },
            Some(&c) if c == n[ni] => Some(pi + 1),
            _ => None,
        };
        match (step, star) {
            (Some(next), _) => {
                pi = next;
                ni += 1;
            }
            (None, Some((sp, sn))) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            (None, None) => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A `[...]` set at `p[at]` against `c`: the index after the set when `c`
/// is in it, else `Some(None)`; `None` when the `[` has no closing `]`
/// (it then matches itself).
fn class(p: &[char], at: usize, c: char) -> Option<Option<usize>> {
    let mut i = at + 1;
    let negated = matches!(p.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    loop {
        let &lo = p.get(i)?;
        if lo == ']' && !first {
            break;
        }
        first = false;
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&hi| hi != ']') {
            let hi = p[i + 2];
            found |= lo <= c && c <= hi;
            i += 3;
        } else {
            found |= lo == c;
            i += 1;
        }
    }
    Some((found != negated).then_some(i + 1))
}

// ---------------------------------------------------------------------------
// coverage

/// How one criterion fared over the decided requests.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CriterionCoverage {
    pub criterion: String,
    pub met: usize,
    pub not_met: usize,
    pub not_documented: usize,
    /// Requests it did not concern (`when C then ...` with C false).
    pub not_applicable: usize,
    /// Requests it decided (the first not met, else the first not documented).
    pub decides: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleCoverage {
    pub rule: String,
    /// Requests the rule took part in deciding.
    pub requests: usize,
    pub criteria: Vec<CriterionCoverage>,
    #[serde(skip)]
    pub id: RuleId,
}

/// Per rule and criterion: how many decided requests saw it met, not met
/// and not documented, and how many it decided.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub cases: usize,
    pub requests: usize,
    pub rules: Vec<RuleCoverage>,
}

impl Coverage {
    pub fn new(rs: &RuleSet) -> Coverage {
        Coverage {
            cases: 0,
            requests: 0,
            rules: rs
                .program
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| RuleCoverage {
                    rule: r.name.clone(),
                    requests: 0,
                    criteria: r
                        .criteria
                        .iter()
                        .map(|c| CriterionCoverage {
                            criterion: c.name.clone(),
                            ..CriterionCoverage::default()
                        })
                        .collect(),
                    id: RuleId(i as u32),
                })
                .collect(),
        }
    }

    /// Count the decisions of one case.
    pub fn add(&mut self, decisions: &[Result<Decision, EvalError>]) {
        self.cases += 1;
        for d in decisions.iter().flatten() {
            self.requests += 1;
            for (ri, rr) in d.rules.iter().enumerate() {
                let Some(rc) = self.rules.get_mut(rr.rule.0 as usize) else {
                    continue;
                };
                rc.requests += 1;
                for (ci, (cc, s)) in rc.criteria.iter_mut().zip(&rr.statuses).enumerate() {
                    match s {
                        Status::Met => cc.met += 1,
                        Status::NotMet => cc.not_met += 1,
                        Status::NotDocumented => cc.not_documented += 1,
                        Status::NotApplicable => cc.not_applicable += 1,
                    }
                    if d.decided_by == Some((ri, ci)) {
                        cc.decides += 1;
                    }
                }
            }
        }
    }

    /// `(rule, criterion index)` of every criterion no request was decided by.
    pub fn never_deciding(&self) -> Vec<(RuleId, usize)> {
        self.rules
            .iter()
            .flat_map(|r| {
                r.criteria
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.decides == 0)
                    .map(move |(i, _)| (r.id, i))
            })
            .collect()
    }

    /// The coverage table as text; places come from `sm`.
    pub fn render_text(&self, rs: &RuleSet, sm: &SourceMap, out: &mut String) {
        out.push_str(&format!(
            "coverage: {} case(s), {} request(s) decided; counts are requests\n",
            self.cases, self.requests
        ));
        let width = self
            .rules
            .iter()
            .flat_map(|r| r.criteria.iter().map(|c| c.criterion.chars().count()))
            .max()
            .unwrap_or(9)
            .max(9);
        for r in &self.rules {
            let rule = rs.program.rule(r.id);
            out.push_str(&format!(
                "\nrule {} ({}), in {} request(s)\n",
                r.rule,
                sm.position(rule.span),
                r.requests
            ));
            out.push_str(&format!(
                "  {:width$}  {:>5}  {:>7}  {:>14}  {:>14}  {:>7}\n",
                "criterion", "met", "not met", "not documented", "does not apply", "decides"
            ));
            for c in &r.criteria {
                out.push_str(&format!(
                    "  {:width$}  {:>5}  {:>7}  {:>14}  {:>14}  {:>7}\n",
                    c.criterion, c.met, c.not_met, c.not_documented, c.not_applicable, c.decides
                ));
            }
        }
        let never = self.never_deciding();
        out.push_str(&format!("\ncriteria no case decides: {}\n", never.len()));
        for (r, ci) in never {
            let rule = rs.program.rule(r);
            if let Some(c) = rule.criteria.get(ci) {
                out.push_str(&format!("  {}.{} ({})\n", rule.name, c.name, sm.position(c.span)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line() {
        let mut s = Summary::default();
        assert_eq!(s.line(), "0 passed, 0 failed");
        s.passed = 3;
        s.add(&CaseResult::error("x.yaml"));
        assert_eq!(s.line(), "3 passed, 1 failed");
        s.skipped = 2;
        assert_eq!(s.line(), "3 passed, 1 failed, 2 skipped (no determination)");
        assert!(!s.ok());
        s.not_selected = 4;
        assert_eq!(
            s.line(),
            "3 passed, 1 failed, 2 skipped (no determination), 4 not selected (--run)"
        );
    }

    #[test]
    fn run_patterns_substring_or_glob() {
        assert!(selects("massage", "cases/massage-visits.yaml"));
        assert!(!selects("Massage", "cases/massage-visits.yaml"));
        assert!(selects("cases/*.yaml", "cases/massage-visits.yaml"));
        assert!(selects("*", "anything/at/all"));
        assert!(
            !selects("massage*", "cases/massage-visits.yaml"),
            "a glob is over the whole name"
        );
        assert!(selects("*massage*", "cases/massage-visits.yaml"));
        assert!(selects("seed-00?", "seed-007"));
        assert!(!selects("seed-00?", "seed-0071"));
        assert!(selects("seed-[0-4]*", "seed-3x"));
        assert!(!selects("seed-[!0-4]*", "seed-3x"));
        assert!(selects("seed-[!0-4]*", "seed-9"));
        assert!(selects("a*b*c", "axxbyybzzc"));
        assert!(!selects("a*b*c", "axxbyybzz"));
        assert!(selects("x[", "x["), "an unclosed set matches itself");
        assert!(selects("[]]", "]"));
    }
}
