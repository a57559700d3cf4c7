//! The morphine-equivalent dose (MED) of an opioid request, worked out from
//! what the request states: the drug, its strength, the quantity and the
//! days' supply. The opioid rules compare a daily MED with the ACOEM
//! ceilings (criteria-2018.md OPI18-1); a request that states the strength,
//! quantity and supply already gives that figure, so the loader fills
//! `request.med_per_day` from here when the case does not write it.
//!
//! The conversion factors are the CDC 2016 opioid guideline's table of
//! oral morphine milligram equivalents (fentanyl patches per mcg/hour).
//! They are recalled, not read in a source that criteria-2018.md cites:
//! LOW (recall-strong). They live in this one table so that a clinician
//! corrects a number in one line. Methadone (its factor rises with the
//! dose) and buprenorphine (the CDC says not to use MED for it) are left
//! out: their MED is never guessed, so it stays not documented.

use crate::value::{Dim, Qty};

/// How the strength of a drug turns into a daily MED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Per {
    /// Oral mg of the opioid a day, times the factor.
    OralMg,
    /// A transdermal patch's rate in mcg/hour, times the factor (the
    /// quantity and supply do not change the daily dose).
    PatchMcgPerHour,
}

/// One drug's conversion factor (a catalog treatment's canonical name).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Factor {
    pub treatment: &'static str,
    pub factor: f64,
    pub per: Per,
}

/// Where the factors come from, for reports.
pub const SOURCE: &str =
    "CDC 2016 opioid guideline, oral morphine milligram equivalent conversion factors (LOW, recall-strong)";

/// The conversion factors, by the catalog's canonical treatment names. A
/// combination product's strength is that of its opioid (Norco 10/325:
/// 10 mg of hydrocodone).
pub const FACTORS: &[Factor] = &[
    Factor {
        treatment: "codeine_acetaminophen",
        factor: 0.15,
        per: Per::OralMg,
    },
    Factor {
        treatment: "dihydrocodeine_combination",
        factor: 0.25,
        per: Per::OralMg,
    },
    Factor {
        treatment: "fentanyl",
        factor: 2.4,
        per: Per::PatchMcgPerHour,
    },
    Factor {
        treatment: "hydrocodone",
        factor: 1.0,
        per: Per::OralMg,
    },
    Factor {
        treatment: "hydrocodone_acetaminophen",
        factor: 1.0,
        per: Per::OralMg,
    },
    Factor {
        treatment: "hydromorphone",
        factor: 4.0,
        per: Per::OralMg,
    },
    Factor {
        treatment: "morphine",
        factor: 1.0,
        per: Per::OralMg,
    },
    Factor {
        treatment: "oxycodone",
        factor: 1.5,
        per: Per::OralMg,
    },
    Factor {
        treatment: "oxycodone_acetaminophen",
        factor: 1.5,
        per: Per::OralMg,
    },
    Factor {
        treatment: "oxymorphone",
        factor: 3.0,
        per: Per::OralMg,
    },
    Factor {
        treatment: "tapentadol",
        factor: 0.4,
        per: Per::OralMg,
    },
    Factor {
        treatment: "tramadol",
        factor: 0.1,
        per: Per::OralMg,
    },
    Factor {
        treatment: "tramadol_acetaminophen",
        factor: 0.1,
        per: Per::OralMg,
    },
];

/// The largest daily MED worked out (the schema's range of
/// `request.med_per_day`); a larger result comes from a typo and is not
/// filled in.
pub const MAX_MED: f64 = 10_000.0;

/// A daily MED and how it was worked out.
#[derive(Clone, Debug, PartialEq)]
pub struct Working {
    /// mg morphine equivalents a day, rounded to 0.01.
    pub per_day: f64,
    pub factor: f64,
    /// The arithmetic in words: "60 tablet / 30 day x 10 mg x 1 = 20 mg_med a day".
    pub text: String,
}

/// The conversion factor of a treatment, if it has one.
pub fn factor(treatment: &str) -> Option<Factor> {
    FACTORS.iter().copied().find(|f| f.treatment == treatment)
}

/// The daily MED of a request for `treatment` (canonical name), or None
/// when the drug has no factor or the request does not state enough: a
/// strength, and for oral drugs a quantity in tablets (or a total in mg)
/// and a days' supply of more than zero days.
pub fn request_med(
    treatment: &str,
    strength: Option<Qty>,
    quantity: Option<Qty>,
    days_supply: Option<Qty>,
) -> Option<Working> {
    let f = factor(treatment)?;
    let (per_day, text) = match f.per {
        Per::PatchMcgPerHour => {
            let s = strength.filter(|s| s.dim() == Dim::DoseRate)?;
            let med = s.base() * f.factor;
            (
                med,
                format!(
                    "{} mcg_per_hour x {} = {} mg_med a day",
                    num(s.base()),
                    num(f.factor),
                    num(round(med))
                ),
            )
        }
        Per::OralMg => {
            let days = days_supply.filter(|d| d.dim() == Dim::Time && d.base() > 0.0)?.base();
            let q = quantity?;
            match q.dim() {
                Dim::Tablet => {
                    let s = strength.filter(|s| s.dim() == Dim::Mass)?.base();
                    let med = q.base() / days * s * f.factor;
                    let text = format!(
                        "{} {} / {} day x {} mg x {} = {} mg_med a day",
                        num(q.amount),
                        q.unit.name(),
                        num(days),
                        num(s),
                        num(f.factor),
                        num(round(med))
                    );
                    (med, text)
                }
                Dim::Mass => {
                    let med = q.base() / days * f.factor;
                    let text = format!(
                        "{} mg / {} day x {} = {} mg_med a day",
                        num(q.base()),
                        num(days),
                        num(f.factor),
                        num(round(med))
                    );
                    (med, text)
                }
                _ => return None,
            }
        }
    };
    let per_day = round(per_day);
    (per_day.is_finite() && (0.0..=MAX_MED).contains(&per_day)).then_some(Working {
        per_day,
        factor: f.factor,
        text,
    })
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A number as a person writes it: no trailing `.0`.
fn num(x: f64) -> String {
    let r = round(x);
    if r.fract() == 0.0 && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Unit;

    fn q(a: f64, u: Unit) -> Option<Qty> {
        Some(Qty::new(a, u))
    }

    #[test]
    fn tablets_a_day_times_strength_times_factor() {
        // Norco 10/325 #60 for 30 days: 2 a day x 10 mg x 1 = 20.
        let w = request_med(
            "hydrocodone_acetaminophen",
            q(10.0, Unit::Mg),
            q(60.0, Unit::Tablet),
            q(30.0, Unit::Day),
        )
        .unwrap();
        assert_eq!(w.per_day, 20.0);
        assert_eq!(w.text, "60 tablet / 30 day x 10 mg x 1 = 20 mg_med a day");
        // Oxycodone 30 mg #120 for 30 days: 4 a day x 30 x 1.5 = 180.
        let w = request_med(
            "oxycodone",
            q(30.0, Unit::Mg),
            q(120.0, Unit::Tablet),
            q(30.0, Unit::Day),
        )
        .unwrap();
        assert_eq!(w.per_day, 180.0);
        // Hydromorphone 2 mg #28 for a week: 4 a day x 2 x 4 = 32.
        let w = request_med(
            "hydromorphone",
            q(2.0, Unit::Mg),
            q(28.0, Unit::Tablet),
            q(1.0, Unit::Week),
        )
        .unwrap();
        assert_eq!(w.per_day, 32.0);
        // Percocet 5/325 #50 for 7 days: 50/7 x 5 x 1.5 = 53.57 (rounded).
        let w = request_med(
            "oxycodone_acetaminophen",
            q(5.0, Unit::Mg),
            q(50.0, Unit::Tablet),
            q(7.0, Unit::Day),
        )
        .unwrap();
        assert_eq!(w.per_day, 53.57);
        // Tramadol 50 mg #28 for 7 days: 4 a day x 50 x 0.1 = 20.
        let w = request_med("tramadol", q(50.0, Unit::Mg), q(28.0, Unit::Capsule), q(7.0, Unit::Day)).unwrap();
        assert_eq!(w.per_day, 20.0);
    }

    #[test]
    fn patches_by_rate_and_totals_in_mg() {
        let w = request_med("fentanyl", q(25.0, Unit::McgPerHour), q(10.0, Unit::Patch), None).unwrap();
        assert_eq!(w.per_day, 60.0);
        let w = request_med("morphine", None, q(900.0, Unit::Mg), q(30.0, Unit::Day)).unwrap();
        assert_eq!(w.per_day, 30.0);
    }

    #[test]
    fn never_guessed() {
        // No factor (methadone, buprenorphine, a non-opioid), no supply, no
        // strength, a supply of zero days, units that say nothing of mg, and
        // a typo's dose (past the schema's range).
        let mg = |a| q(a, Unit::Mg);
        let tablets = |a| q(a, Unit::Tablet);
        let days = |a| q(a, Unit::Day);
        let requests = [
            ("methadone", mg(10.0), tablets(60.0), days(30.0)),
            ("buprenorphine", mg(8.0), tablets(30.0), days(30.0)),
            ("naproxen", mg(500.0), tablets(60.0), days(30.0)),
            ("oxycodone", mg(5.0), tablets(60.0), None),
            ("oxycodone", None, tablets(60.0), days(30.0)),
            ("oxycodone", mg(5.0), tablets(60.0), days(0.0)),
            ("oxycodone", mg(5.0), q(1.0, Unit::Item), days(30.0)),
            ("fentanyl", mg(25.0), q(10.0, Unit::Patch), None),
            ("hydromorphone", mg(8.0), tablets(9000.0), days(1.0)),
        ];
        for (drug, strength, quantity, supply) in requests {
            assert_eq!(
                request_med(drug, strength, quantity, supply),
                None,
                "{drug} {strength:?} {quantity:?} {supply:?}"
            );
        }
    }

    #[test]
    fn every_factor_names_an_opioid_of_the_shipped_catalog() {
        let catalog = include_str!("../../../../rules/catalog.mtus");
        for f in FACTORS {
            let line = format!("treatment {} ", f.treatment);
            let decl = catalog.lines().find(|l| l.starts_with(&line));
            assert!(
                decl.is_some_and(|l| l.contains("class opioid")),
                "{} is not an opioid of the catalog",
                f.treatment
            );
        }
    }
}
