//! Cases written blind against FACTS.md and criteria.md (see
//! tests/fixtures/heldout/README.md): the shipped rules must agree with the
//! author on every request they decide, and decide every request (the
//! one dated after the 2009 opioid rules falls under the 2016 opioid rules).

use crate::common;

#[test]
fn shipped_rules_agree_with_cases_written_blind() {
    let o = common::mtus(&["audit", "--format", "json", "tests/fixtures/heldout"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let t = &v["totals"];
    assert_eq!(t["errors"], 0, "every held-out file loads: {}", v["errors"]);
    assert_eq!(t["disagree"], 0, "disagreements: {}", v["disagreements"]);
    assert_eq!(t["agree"], t["compared"], "{t}");
    // blind-26, dated after the 2009 opioid rules, is decided by the 2016
    // opioid guideline's rules since they were written.
    assert_eq!(t["compared"], 115, "{t}");
    assert_eq!(t["undecided"], 0, "{t}");
}
