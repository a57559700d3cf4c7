//! Cases written blind against FACTS.md and criteria.md (see
//! tests/fixtures/heldout/README.md): the shipped rules must agree with the
//! author on every request they decide, and leave undecided only the one
//! request dated after its rules' period.

use crate::common;

#[test]
fn shipped_rules_agree_with_cases_written_blind() {
    let o = common::mtus(&["audit", "--format", "json", "tests/fixtures/heldout"]);
    // Exit 1: one request has no rule in force (by design).
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let t = &v["totals"];
    assert_eq!(t["errors"], 0, "every held-out file loads: {}", v["errors"]);
    assert_eq!(t["disagree"], 0, "disagreements: {}", v["disagreements"]);
    assert_eq!(t["agree"], t["compared"], "{t}");
    assert_eq!(t["compared"], 114, "{t}");
    assert_eq!(t["undecided"], 1);
    let undecided: Vec<&serde_json::Value> = v["requests"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| !r["error"].is_null())
        .collect();
    assert_eq!(undecided.len(), 1);
    assert_eq!(undecided[0]["case"], "blind-26");
    assert!(
        undecided[0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("no rule in force")
    );
}
