//! Every case in `cases/` records the outcome its author expects; the
//! shipped rules must reproduce each one. This is the rule library's
//! regression suite (`mtus audit cases/` says the same).

use crate::common;

use mtus::eval::{Machine, decide_case};
use mtus::facts::load_yaml;

#[test]
fn every_shipped_case_agrees_with_its_recorded_determination() {
    let (_, rules) = common::shipped_rules();
    let mut m = Machine::new();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(common::root().join("cases"))
        .expect("cases/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let name = common::rel(&path);
        let text = std::fs::read_to_string(&path).expect("read");
        let case = match load_yaml(&rules.program, &name, &text) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: does not load: {e}"));
                continue;
            }
        };
        let Some(det) = &case.determination else {
            failures.push(format!("{name}: has no recorded determination"));
            continue;
        };
        for (i, d) in decide_case(&rules, &mut m, &case).into_iter().enumerate() {
            let id = &case.requests[i].id;
            let Some(rec) = det.decisions.iter().find(|x| x.request == i) else {
                failures.push(format!("{name}: request {id} has no recorded decision"));
                continue;
            };
            match d {
                Err(e) => failures.push(format!("{name}: request {id}: {e}")),
                Ok(d) if d.outcome.predicts() != rec.outcome => failures.push(format!(
                    "{name}: request {id}: predicted {:?}, recorded {:?}",
                    d.outcome.predicts(),
                    rec.outcome
                )),
                Ok(_) => checked += 1,
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 14, "only {checked} requests checked");
}
