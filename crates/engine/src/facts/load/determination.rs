//! `determination` (past cases): the date, the reviewer, and each
//! decision's request, outcome, `because` and cites; the decisions are
//! tied to the requests once the whole case is read.

use std::collections::HashMap;

use super::Ctx;
use super::keys::FastHash;
use super::tree::{Kind, Node};
use super::value::{Name, short};
use crate::check::{Fact, FactType, RuleId, Scope, TreatmentId};
use crate::diag::{Span, did_you_mean};
use crate::facts::{Determination, ExpectedCriterion, Recorded, RecordedDecision, Request, Reviewer};
use crate::value::Value;

#[derive(Default)]
pub struct PartialDetermination {
    date: Option<crate::value::Date>,
    reviewer: Option<Reviewer>,
    decisions: Vec<PartialDecision>,
}

struct PartialDecision {
    request: (String, Span),
    outcome: (Recorded, Span),
    cites: Vec<String>,
    because: Option<(ExpectedCriterion, Span)>,
}

impl Ctx<'_> {
    pub fn determination(&mut self, node: &Node<'_>) -> PartialDetermination {
        let mut out = PartialDetermination::default();
        let ok = self.fixed_keys(
            node,
            &["date", "reviewer", "decisions"],
            &"`determination`",
            |ctx, _, k, value| match k {
                "date" => {
                    let f = date_fact();
                    if let Value::Date(d) = ctx.value(&f, Name::Text("determination.date"), value) {
                        out.date = Some(d);
                    }
                }
                "reviewer" => out.reviewer = ctx.reviewer(value),
                _ => out.decisions = ctx.decision_list(value),
            },
        );
        if !ok {
            self.error(
                "wrong-type",
                node.span,
                format!(
                    "`determination` should be a mapping (date, reviewer, decisions), found {}",
                    node.describe()
                ),
                None,
            );
        }
        out
    }

    fn reviewer(&mut self, node: &Node<'_>) -> Option<Reviewer> {
        if node.kind == Kind::Null {
            return None;
        }
        let mut r = Reviewer::default();
        let ok = self.fixed_keys(node, &["specialty", "licensure"], &"`reviewer`", |ctx, _, k, value| {
            if k == "specialty" {
                r.specialty = ctx.text(value, "`reviewer.specialty`");
            } else {
                r.licensure = ctx.text_list(value, "`reviewer.licensure`");
            }
        });
        if !ok {
            self.error(
                "wrong-type",
                node.span,
                format!(
                    "`reviewer` should be a mapping (specialty, licensure), found {}",
                    node.describe()
                ),
                None,
            );
        }
        Some(r)
    }

    fn decision_list(&mut self, node: &Node<'_>) -> Vec<PartialDecision> {
        let items = match &node.kind {
            Kind::Null => return Vec::new(),
            Kind::Seq(items) => items,
            _ => {
                self.error(
                    "wrong-type",
                    node.span,
                    format!("`decisions` should be a list, found {}", node.describe()),
                    Some("start each decision with `- request: ID`".into()),
                );
                return Vec::new();
            }
        };
        items.iter().filter_map(|d| self.decision(d)).collect()
    }

    fn decision(&mut self, node: &Node<'_>) -> Option<PartialDecision> {
        let mut request = None;
        let mut outcome = None;
        let mut because = None;
        let mut cites = Vec::new();
        let mut broken = false;
        let ok = self.fixed_keys(
            node,
            &["request", "outcome", "because", "cites"],
            &"a decision",
            |ctx, _, k, value| match k {
                "request" => {
                    request = ctx.text(value, "a decision's `request`").map(|r| (r, value.span));
                    broken |= request.is_none() && value.kind != Kind::Null;
                }
                "outcome" => {
                    outcome = ctx.outcome(value).map(|o| (o, value.span));
                    broken |= outcome.is_none();
                }
                "because" => {
                    because = ctx.because(value).map(|b| (b, value.span));
                    broken |= because.is_none() && value.kind != Kind::Null;
                }
                _ => cites = ctx.text_list(value, "`cites`"),
            },
        );
        if !ok {
            self.error(
                "wrong-type",
                node.span,
                format!(
                    "a decision should be a mapping (request, outcome, because, cites), found {}",
                    node.describe()
                ),
                None,
            );
            return None;
        }
        let first_key = node
            .entries()
            .and_then(|e| e.first())
            .map_or(node.span, |(k, _)| k.span);
        let Some(request) = request else {
            if !broken {
                self.error(
                    "missing-field",
                    first_key,
                    "a decision does not name its `request`".into(),
                    None,
                );
            }
            return None;
        };
        let Some(outcome) = outcome else {
            if node.get("outcome").is_none() {
                self.error(
                    "missing-field",
                    first_key,
                    format!("the decision on `{}` has no `outcome`", request.0),
                    Some("add `outcome: upheld` or `outcome: overturned`".into()),
                );
            }
            return None;
        };
        if let (Recorded::Overturned, Some((_, at))) = (outcome.0, &because) {
            self.error(
                "because-overturned",
                *at,
                format!(
                    "the decision on `{}` is overturned, so no criterion decides it against the request",
                    request.0
                ),
                Some("`because` names the criterion that upholds a denial; remove it here".into()),
            );
            return None;
        }
        if broken {
            return None;
        }
        Some(PartialDecision {
            request,
            outcome,
            cites,
            because,
        })
    }

    fn outcome(&mut self, node: &Node<'_>) -> Option<Recorded> {
        let s = node.text().unwrap_or("null");
        match s {
            _ if s.eq_ignore_ascii_case("upheld") => Some(Recorded::Upheld),
            _ if s.eq_ignore_ascii_case("overturned") => Some(Recorded::Overturned),
            _ => {
                let found = if node.text().is_some() {
                    format!("`{}`", short(s))
                } else {
                    node.describe()
                };
                self.error(
                    "unknown-value",
                    node.span,
                    format!("a decision's outcome is `upheld` or `overturned`, found {found}"),
                    Some("upheld: the denial stands (not medically necessary); overturned: medically necessary".into()),
                );
                None
            }
        }
    }

    /// `because: CRITERION` or `because: RULE.CRITERION`, checked against
    /// the rules where it is written.
    fn because(&mut self, node: &Node<'_>) -> Option<ExpectedCriterion> {
        let s = match &node.kind {
            Kind::Null => return None,
            Kind::Scalar(s) => s.text.as_ref(),
            Kind::Seq(_) => {
                self.error(
                    "wrong-type",
                    node.span,
                    "`because` names one criterion, found a list".into(),
                    Some(
                        "the deciding criterion is the first not met (else the first not documented): name that one"
                            .into(),
                    ),
                );
                return None;
            }
            Kind::Map(_) => {
                self.error(
                    "wrong-type",
                    node.span,
                    "`because` names one criterion, found a mapping".into(),
                    Some("write `because: criterion` or `because: rule.criterion`".into()),
                );
                return None;
            }
        };
        let p = self.p;
        let (rule, criterion) = match s.split_once('.') {
            Some((r, c)) => (Some(r), c),
            None => (None, s),
        };
        let rule = match rule {
            None => None,
            Some(r) => match p.rule_named(r) {
                Some(id) => Some(id),
                None => {
                    let names = p.rules.iter().map(|x| x.name.as_str());
                    let help = did_you_mean(r, names).map(|x| format!("did you mean `{x}.{criterion}`?"));
                    self.error(
                        "unknown-criterion",
                        node.span,
                        format!("`because`: no rule is named `{}`", short(r)),
                        help,
                    );
                    return None;
                }
            },
        };
        let candidates = || -> Vec<&str> {
            match rule {
                Some(id) => p.rule(id).criteria.iter().map(|c| c.name.as_str()).collect(),
                None => p
                    .rules
                    .iter()
                    .flat_map(|r| r.criteria.iter().map(|c| c.name.as_str()))
                    .collect(),
            }
        };
        let known = match rule {
            Some(id) => p.rule(id).criteria.iter().any(|c| c.name == criterion),
            None => p.rules.iter().any(|r| r.criteria.iter().any(|c| c.name == criterion)),
        };
        if !known {
            let candidates = candidates();
            let message = match rule {
                Some(id) => format!(
                    "`because`: rule `{}` has no criterion `{}`",
                    p.rule(id).name,
                    short(criterion)
                ),
                None => format!("`because`: no rule has a criterion `{}`", short(criterion)),
            };
            let help = match did_you_mean(criterion, candidates.iter().copied()) {
                Some(x) => format!("did you mean `{x}`?"),
                None => "write the name of a criterion, as `criterion` or `rule.criterion`".into(),
            };
            self.error("unknown-criterion", node.span, message, Some(help));
            return None;
        }
        Some(ExpectedCriterion {
            written: s.to_string(),
            rule,
            criterion: criterion.to_string(),
        })
    }

    /// Tie the decisions to the requests: each names a request of the
    /// case, once, and its `because` a criterion of a rule that applies.
    pub fn decisions(
        &mut self,
        d: PartialDetermination,
        index: &HashMap<&str, usize, FastHash>,
        all_ids: &[&str],
        requests: &[Request],
    ) -> Determination {
        let mut decisions: Vec<RecordedDecision> = Vec::new();
        for PartialDecision {
            request: (req, req_at),
            outcome: (outcome, outcome_at),
            cites,
            because,
        } in d.decisions
        {
            let Some(&i) = index.get(req.as_str()) else {
                if !all_ids.contains(&req.as_str()) {
                    self.error(
                        "unknown-request",
                        req_at,
                        format!(
                            "the determination decides `{}`, which is not a request in this case",
                            short(&req)
                        ),
                        did_you_mean(&req, all_ids.iter().copied()).map(|s| format!("did you mean `{s}`?")),
                    );
                }
                continue;
            };
            if decisions.iter().any(|x| x.request == i) {
                self.error(
                    "duplicate-decision",
                    req_at,
                    format!("the determination decides `{req}` twice"),
                    Some("keep one decision per request".into()),
                );
                continue;
            }
            if let Some((b, at)) = &because {
                self.because_applies(b, *at, requests[i].treatment);
            }
            let (because, because_at) = match because {
                Some((b, at)) => (Some(b), Some(at)),
                None => (None, None),
            };
            decisions.push(RecordedDecision {
                request: i,
                outcome,
                cites,
                because,
                outcome_at: Some(outcome_at),
                because_at,
            });
        }
        Determination {
            date: d.date,
            reviewer: d.reviewer,
            decisions,
        }
    }

    /// The criterion named in `because` must belong to a rule that applies
    /// to the request's treatment, or it could never decide it.
    fn because_applies(&mut self, b: &ExpectedCriterion, at: Span, t: TreatmentId) {
        let p = self.p;
        let applying: Vec<(RuleId, &crate::check::Rule)> = p
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (RuleId(i as u32), r))
            .filter(|(_, r)| p.applies(r, t))
            .collect();
        if applying
            .iter()
            .any(|(id, r)| r.criteria.iter().any(|c| b.matches(*id, &c.name)))
        {
            return;
        }
        let treatment = &p.catalog.treatment(t).name;
        let criteria = applying
            .iter()
            .flat_map(|(_, r)| r.criteria.iter().map(|c| c.name.as_str()));
        let rules: Vec<String> = applying.iter().map(|(_, r)| format!("`{}`", r.name)).collect();
        let help = match did_you_mean(&b.criterion, criteria) {
            Some(s) => format!("did you mean `{s}`?"),
            None if rules.is_empty() => format!("no rule applies to `{treatment}`"),
            None => format!(
                "the rules that decide it: {}; name one of their criteria",
                rules.join(", ")
            ),
        };
        self.error(
            "unknown-criterion",
            at,
            format!(
                "`because: {}`: no rule that applies to `{treatment}` has this criterion",
                b.written
            ),
            Some(help),
        );
    }
}

fn date_fact() -> Fact {
    Fact {
        path: "determination.date".into(),
        scope: Scope::Case,
        key: vec!["date".into()],
        slot: 0,
        ty: FactType::Date,
        dim: None,
        allowed: None,
        range: None,
        description: "date of the letter".into(),
        derived: false,
        span: crate::diag::Span::new(crate::diag::FileId(0), 0, 0),
    }
}
