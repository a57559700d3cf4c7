//! Arbitrary bytes as a YAML case against the shipped rules: loading never
//! panics; a case that loads is decided alike by all three evaluators.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(case) = mtus::facts::load_yaml(&common::RULES.program, "fuzz.yaml", text) {
        common::decide_three_ways(&case, text);
    }
});
