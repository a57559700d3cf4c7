//! What the fuzz targets share: the shipped rules, checked once, and the
//! check every case target makes.
#![allow(dead_code)]

use std::sync::{LazyLock, Mutex};

use mtus::RuleSet;
use mtus::diag::SourceMap;
use mtus::eval::crosscheck::Crosscheck;
use mtus::facts::Case;

/// The rules shipped in `rules/`, as the binary embeds them.
pub static RULES: LazyLock<RuleSet> = LazyLock::new(|| {
    let mut sources = SourceMap::new();
    match RuleSet::embedded(&mut sources) {
        Ok(rules) => rules,
        Err(e) => panic!("the shipped rules do not check: {e}"),
    }
});

static CHECK: LazyLock<Mutex<Crosscheck<'static>>> = LazyLock::new(|| Mutex::new(Crosscheck::new(&RULES)));

/// A case that loaded: the compiled program, the fast path and the
/// reference interpreter must decide it alike.
pub fn decide_three_ways(case: &Case, input: &str) {
    let mut check = CHECK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Err(d) = check.case(case) {
        panic!("the evaluators disagree: {d}\ninput:\n{input}");
    }
}
