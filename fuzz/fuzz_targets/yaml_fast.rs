//! Arbitrary text through the YAML fast path and through saphyr: wherever
//! the fast path accepts, its tree (kinds, text, quoted flags, spans) is
//! exactly saphyr's.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = mtus::facts::load::yaml_fast::check_against_saphyr(text) {
        panic!("{e}");
    }
});
