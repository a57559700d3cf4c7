//! Arbitrary bytes as a PDF letter (`mtus_letters::read_pdf`, the reader
//! behind `mtus ingest`): reading never panics, and every line it keeps is
//! on a page and line from 1.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(letter) = mtus_letters::read_pdf(data) {
        for l in &letter.lines {
            assert!(
                l.place.page >= 1 && l.place.line >= 1,
                "a place before the start: {:?}",
                l.place
            );
        }
        let _ = format!("{letter:?}");
    }
});
