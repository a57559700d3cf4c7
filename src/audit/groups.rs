//! Totals for analysts: requests grouped by treatment category, by year
//! of the request, by reviewer specialty and by guideline cited, each
//! with the letters' uphold rate and the engine's agreement, with 95%
//! Wilson score intervals, and groups too small to say much flagged.
//!
//! Invariants: a request is counted once in its category and its year,
//! and once in each specialty its reviewer holds and each guideline its
//! decision cites (so those two may sum past the requests); the groups
//! keyed by text from the cases are capped ([`MAX_GROUPS`]), so memory
//! does not grow with the number of inputs.

use serde::Serialize;

/// A rate over fewer items than this is flagged as a small sample.
pub const SMALL_SAMPLE: u64 = 10;

/// Distinct specialties or guidelines kept as groups of their own; past
/// this many, further ones are counted together as `(other)`.
pub const MAX_GROUPS: usize = 100;

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of `k` successes in `n` trials at 95%:
/// `(low, high)`; `None` when `n` is 0.
///
/// With p = k/n and z = 1.96: centre = (p + z²/2n) / (1 + z²/n), half
/// width = z / (1 + z²/n) · sqrt(p(1-p)/n + z²/4n²).
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || k > n {
        return None;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // At k = 0 and k = n the bounds are exactly 0 and 1 (rounding aside).
    let low = if k == 0.0 { 0.0 } else { (centre - half).max(0.0) };
    let high = if k == n { 1.0 } else { (centre + half).min(1.0) };
    Some((low, high))
}

/// A proportion with its 95% Wilson score interval.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Rate {
    /// Successes (upheld, or agree).
    pub k: u64,
    /// Of this many (recorded, or compared).
    pub n: u64,
    pub rate: f64,
    pub low: f64,
    pub high: f64,
    /// `n` is under [`SMALL_SAMPLE`].
    pub small_sample: bool,
}

impl Rate {
    /// `None` when `n` is 0.
    pub fn of(k: u64, n: u64) -> Option<Rate> {
        let (low, high) = wilson(k, n)?;
        Some(Rate {
            k,
            n,
            rate: k as f64 / n as f64,
            low,
            high,
            small_sample: n < SMALL_SAMPLE,
        })
    }

    /// "95.2% (91.8-97.2%)", with " *" after a small sample.
    pub fn text(r: Option<&Rate>) -> String {
        match r {
            None => "-".to_string(),
            Some(r) => format!(
                "{:.1}% ({:.1}-{:.1}%){}",
                r.rate * 100.0,
                r.low * 100.0,
                r.high * 100.0,
                if r.small_sample { " *" } else { "" }
            ),
        }
    }
}

/// One group of requests.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Group {
    /// The category (class name), the year, the specialty or the
    /// guideline; `(no class)`, `(not recorded)`, `none cited` for
    /// requests without one.
    pub group: String,
    /// The requests in the group.
    pub requests: u64,
    /// Of them, with a recorded outcome: upheld, overturned.
    pub upheld: u64,
    pub overturned: u64,
    /// Upheld of recorded; `null` when none was recorded.
    pub uphold_rate: Option<Rate>,
    /// Compared with the engine's prediction (decided, recorded, and the
    /// case documents clinical facts).
    pub compared: u64,
    pub agree: u64,
    /// Agree of compared; `null` when none was compared.
    pub agreement: Option<Rate>,
    /// Recorded and decided, but the case documents no clinical facts:
    /// left out of `compared`.
    pub without_facts: u64,
}

/// The four groupings.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Breakdown {
    /// Rates over fewer items than this are flagged (`small_sample`).
    pub small_sample_below: u64,
    /// Every request counted (the audit's own rates, with intervals).
    pub all: Group,
    /// By the treatment's category (its first class), by name.
    pub by_category: Vec<Group>,
    /// By the year of the request date, oldest first.
    pub by_year: Vec<Group>,
    /// By the reviewer's specialty (each of them, `; ` between them in the
    /// case), most requests first.
    pub by_specialty: Vec<Group>,
    /// By the guideline the recorded decision cites (each distinct one),
    /// most requests first.
    pub by_guideline: Vec<Group>,
}

/// The guideline a citation names, as a group: an MTUS guideline by its
/// name and year when written ("Chronic Pain Medical Treatment 2016"),
/// `ODG`, `ACOEM` (with its edition), `UpToDate`, `Labor Code`, `none
/// cited`, or `other source`.
pub fn guideline_of(cite: &str) -> String {
    let l = cite.to_lowercase();
    let l = l.split_whitespace().collect::<Vec<_>>().join(" ");
    if l.is_empty() || l.contains("did not cite") || l == "none" || l == "none cited" {
        return "none cited".to_string();
    }
    // The first year written after `from`.
    let year = |from: usize| {
        l.get(from..)
            .unwrap_or("")
            .split(|c: char| !c.is_ascii_digit())
            .filter(|w| w.len() == 4)
            .filter_map(|w| w.parse::<u16>().ok())
            .find(|y| (1990..=2099).contains(y))
    };
    let with_year = |name: &str, from: usize| match year(from) {
        Some(y) => format!("{name} {y}"),
        None => name.to_string(),
    };
    // The MTUS guideline named first (a section may name another).
    let first = MTUS_GUIDELINES
        .iter()
        .filter_map(|(keys, name)| keys.iter().filter_map(|k| l.find(k)).min().map(|at| (at, *name)))
        .min_by_key(|&(at, _)| at);
    if let Some((at, name)) = first {
        return with_year(name, at);
    }
    let word = |w: &str| l.split(|c: char| !c.is_ascii_alphanumeric()).any(|x| x == w);
    if word("odg") || l.contains("official disability guideline") {
        return "ODG".to_string();
    }
    if word("acoem") {
        if l.contains("3rd") || l.contains("third") {
            return "ACOEM 3rd ed.".to_string();
        }
        if l.contains("2nd") || l.contains("second") {
            return "ACOEM 2nd ed.".to_string();
        }
        return with_year("ACOEM", 0);
    }
    if l.contains("uptodate") || l.contains("up to date") || l.contains("up-to-date") {
        return "UpToDate".to_string();
    }
    if l.contains("labor code") {
        return "Labor Code".to_string();
    }
    "other source".to_string()
}

/// MTUS guidelines as the letters name them, with the words that give
/// each away (lower case).
const MTUS_GUIDELINES: &[(&[&str], &str)] = &[
    (
        &[
            "chronic pain medical treatment",
            "cpmtg",
            "chronic pain treatment guideline",
        ],
        "Chronic Pain Medical Treatment",
    ),
    (
        &["acupuncture medical treatment", "acupuncture treatment"],
        "Acupuncture Medical Treatment",
    ),
    (
        &[
            "postsurgical treatment",
            "post-surgical treatment",
            "post surgical treatment",
        ],
        "Postsurgical Treatment",
    ),
    (&["opioid treatment", "opioids treatment"], "Opioid Treatment"),
    (&["low back complaints"], "Low Back Complaints"),
    (&["neck and upper back complaints"], "Neck and Upper Back Complaints"),
    (&["shoulder complaints"], "Shoulder Complaints"),
    (&["knee complaints"], "Knee Complaints"),
    (&["elbow disorders", "elbow complaints"], "Elbow Disorders"),
    (
        &[
            "forearm, wrist, and hand",
            "forearm, wrist and hand",
            "forearm wrist and hand",
        ],
        "Forearm, Wrist, and Hand Complaints",
    ),
    (&["ankle and foot complaints"], "Ankle and Foot Complaints"),
    (&["general approaches"], "General Approaches"),
    (
        &["stress related conditions", "stress-related conditions"],
        "Stress Related Conditions",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Wilson intervals worked by hand (z = 1.959964, z² = 3.841459):
    ///
    /// 238 of 250 (the real letters' agreement): p = 0.952;
    /// z²/n = 0.0153658, so denom = 1.0153658; z²/2n = 0.0076829;
    /// centre = (0.952 + 0.0076829) / 1.0153658 = 0.9451610;
    /// p(1-p)/n = 0.952·0.048/250 = 0.00018278; z²/4n² = 3.841459/250000
    /// = 0.00001537; sqrt(0.00019815) = 0.0140766; half = 1.959964 /
    /// 1.0153658 · 0.0140766 = 0.0271722; interval 0.91799 to 0.97233.
    ///
    /// 7 of 7 (a small class, all upheld): p = 1; z²/n = 0.5487799,
    /// denom = 1.5487799; centre = (1 + 0.2743900) / 1.5487799 = 0.8228353;
    /// p(1-p)/n = 0; z²/4n² = 3.841459/196 = 0.0195993; sqrt = 0.1399975;
    /// half = 1.959964 / 1.5487799 · 0.1399975 = 0.1771661; interval
    /// 0.6456692 to 1 (centre + half is exactly 1 when k = n; 0 of 7 is
    /// the mirror image, 0 to 0.3543308).
    #[test]
    fn wilson_intervals_checked_by_hand() {
        let (lo, hi) = wilson(238, 250).expect("interval");
        assert!((lo - 0.91799).abs() < 5e-5, "{lo}");
        assert!((hi - 0.97233).abs() < 5e-5, "{hi}");
        let (lo, hi) = wilson(7, 7).expect("interval");
        assert!((lo - 0.645669).abs() < 5e-6, "{lo}");
        assert_eq!(hi, 1.0);
        // None of n: the interval starts at 0.
        let (lo, hi) = wilson(0, 7).expect("interval");
        assert_eq!(lo, 0.0);
        assert!((hi - (1.0 - 0.645669)).abs() < 5e-6, "{hi}");
        assert_eq!(wilson(0, 0), None);
        let r = Rate::of(7, 7).expect("rate");
        assert!(r.small_sample);
        assert!(!Rate::of(10, 10).expect("rate").small_sample);
        assert_eq!(Rate::text(Rate::of(238, 250).as_ref()), "95.2% (91.8-97.2%)");
        assert_eq!(Rate::text(Rate::of(7, 7).as_ref()), "100.0% (64.6-100.0%) *");
    }

    #[test]
    fn citations_name_their_guideline() {
        for (cite, want) in [
            (
                "MTUS CPMTG Muscle relaxants pp. 63-66",
                "Chronic Pain Medical Treatment",
            ),
            (
                "Chronic Pain Medical Treatment 2016, Section(s): Opioids",
                "Chronic Pain Medical Treatment 2016",
            ),
            (
                "MTUS Low Back Complaints 2004, Section(s): Summary",
                "Low Back Complaints 2004",
            ),
            (
                "Acupuncture Medical Treatment 2007",
                "Acupuncture Medical Treatment 2007",
            ),
            ("ODG Neck and Upper Back, Massage", "ODG"),
            ("Official Disability Guidelines (ODG), Pain chapter", "ODG"),
            (
                "ACOEM Occupational Medicine Practice Guidelines, 3rd ed.",
                "ACOEM 3rd ed.",
            ),
            ("UpToDate: opioid use", "UpToDate"),
            ("Labor Code 4604.5(c)", "Labor Code"),
            ("did not cite any medical evidence", "none cited"),
            ("A study in Spine, 2012", "other source"),
            // The guideline named first, with the year after it.
            (
                "MTUS Low Back Complaints 2004, Chronic Pain Medical Treatment 2009",
                "Low Back Complaints 2004",
            ),
            ("MTUS (2009) CPMTG p. 99", "Chronic Pain Medical Treatment"),
            ("  ", "none cited"),
        ] {
            assert_eq!(guideline_of(cite), want, "{cite}");
        }
    }
}
