//! A small treatment vocabulary for the tests: the engine's catalog will
//! implement `Vocabulary` for real. A phrase one or two edits from a
//! name is a near miss.

#![allow(dead_code)]

use mtus_request::{Resolution, Vocabulary};

pub struct TestVocab {
    names: Vec<(String, String)>,
}

const NAMES: &[(&str, &str)] = &[
    ("norco", "hydrocodone_apap"),
    ("hydrocodone/apap", "hydrocodone_apap"),
    ("hydrocodone", "hydrocodone"),
    ("percocet", "oxycodone_apap"),
    ("oxycodone/apap", "oxycodone_apap"),
    ("oxycodone", "oxycodone"),
    ("oxycontin", "oxycodone_er"),
    ("flexeril", "cyclobenzaprine"),
    ("cyclobenzaprine", "cyclobenzaprine"),
    ("tramadol", "tramadol"),
    ("tramadol er", "tramadol_er"),
    ("ultram", "tramadol"),
    ("ultracet", "tramadol_apap"),
    ("tramadol/apap", "tramadol_apap"),
    ("ibuprofen", "ibuprofen"),
    ("motrin", "ibuprofen"),
    ("naproxen sodium", "naproxen"),
    ("anaprox ds", "naproxen"),
    ("naprosyn", "naproxen"),
    ("meloxicam", "meloxicam"),
    ("mobic", "meloxicam"),
    ("celebrex", "celecoxib"),
    ("diclofenac sodium er", "diclofenac"),
    ("diclofenac/misoprostol", "diclofenac_misoprostol"),
    ("arthrotec", "diclofenac_misoprostol"),
    ("voltaren", "diclofenac_topical"),
    ("lidoderm", "lidocaine_patch"),
    ("lidocaine", "lidocaine"),
    ("terocin", "terocin"),
    ("capsaicin", "capsaicin"),
    ("gabapentin", "gabapentin"),
    ("neurontin", "gabapentin"),
    ("lyrica", "pregabalin"),
    ("pregabalin", "pregabalin"),
    ("omeprazole", "omeprazole"),
    ("prilosec", "omeprazole"),
    ("pantoprazole", "pantoprazole"),
    ("ranitidine", "ranitidine"),
    ("ondansetron", "ondansetron"),
    ("zofran", "ondansetron"),
    ("nucynta er", "tapentadol_er"),
    ("butrans", "buprenorphine_patch"),
    ("fentanyl", "fentanyl_patch"),
    ("tizanidine", "tizanidine"),
    ("zanaflex", "tizanidine"),
    ("baclofen", "baclofen"),
    ("methocarbamol", "methocarbamol"),
    ("robaxin", "methocarbamol"),
    ("skelaxin", "metaxalone"),
    ("orphenadrine er", "orphenadrine"),
    ("norflex", "orphenadrine"),
    ("soma", "carisoprodol"),
    ("carisoprodol", "carisoprodol"),
    ("amitriptyline", "amitriptyline"),
    ("elavil", "amitriptyline"),
    ("cymbalta", "duloxetine"),
    ("duloxetine", "duloxetine"),
    ("trazodone", "trazodone"),
    ("ambien", "zolpidem"),
    ("zolpidem", "zolpidem"),
    ("sumatriptan", "sumatriptan"),
    ("toradol", "ketorolac_injection"),
    ("kenalog", "triamcinolone_injection"),
    ("vitamin b12", "vitamin_b12_injection"),
    ("trezix", "trezix"),
    ("fioricet", "butalbital_apap_caffeine"),
    ("tylenol", "acetaminophen"),
    ("docusate", "docusate"),
    ("senna", "senna"),
    ("pt", "physical_therapy"),
    ("physical therapy", "physical_therapy"),
    ("ot", "occupational_therapy"),
    ("occupational therapy", "occupational_therapy"),
    ("aquatic therapy", "aquatic_therapy"),
    ("chiropractic treatment", "chiropractic"),
    ("chiropractic care", "chiropractic"),
    ("chiro", "chiropractic"),
    ("acupuncture", "acupuncture"),
    ("biofeedback", "biofeedback"),
    ("electrical stimulation", "electrical_stimulation"),
    ("infrared therapy", "infrared_therapy"),
    ("massage therapy", "massage"),
    ("massage", "massage"),
    ("work hardening program", "work_hardening"),
    ("functional restoration program", "functional_restoration_program"),
    ("cognitive behavioral therapy", "cbt"),
    ("psychotherapy", "psychotherapy"),
    ("home exercise program", "home_exercise_program"),
    ("home health aide", "home_health_aide"),
    ("home health care", "home_health_care"),
    ("skilled nursing visits", "skilled_nursing"),
    ("standard wheelchair", "wheelchair"),
    ("tens unit", "tens"),
    ("cold therapy unit", "cold_therapy_unit"),
    ("hot/cold therapy unit", "cold_therapy_unit"),
    ("support brace", "lumbar_support"),
    ("brace", "brace"),
    ("knee brace", "knee_brace"),
    ("hinged knee brace", "knee_brace"),
    ("splint", "splint"),
    ("pillow", "cervical_pillow"),
    ("shower chair", "shower_chair"),
    ("scooter", "knee_scooter"),
    ("compression stockings", "compression_stockings"),
    ("front wheeled walker", "walker"),
    ("continuous passive motion device", "cpm"),
    ("interferential unit", "interferential_unit"),
    ("conductive garment", "conductive_garment"),
    ("cane", "cane"),
    ("replacement tens pads", "tens_supplies"),
    ("mri", "mri"),
    ("ct scan", "ct"),
    ("x-ray", "x_ray"),
    ("x-rays", "x_ray"),
    ("emg/ncv", "emg_ncv"),
    ("ncv/emg", "emg_ncv"),
    ("ncs", "ncs"),
    ("ortho consult", "orthopedic_consultation"),
    ("pain management consultation", "pain_management_consultation"),
    ("follow up visit", "follow_up_visit"),
    ("office visit", "office_visit"),
    ("facet joint injections", "facet_injection"),
    ("facet injections", "facet_injection"),
    ("facet injection", "facet_injection"),
    ("epidural steroid injection", "esi"),
    ("transforaminal epidural steroid injection", "esi"),
    ("esi", "esi"),
    ("medial branch block", "medial_branch_block"),
    ("radiofrequency ablation", "radiofrequency_ablation"),
    ("trigger point injections", "trigger_point_injection"),
    ("cortisone injection", "corticosteroid_injection"),
    ("platelet rich plasma injection", "prp_injection"),
    ("synvisc injection", "hyaluronic_acid_injection"),
    ("arthroscopy", "arthroscopy"),
    ("release", "carpal_tunnel_release"),
    ("clearance", "preoperative_clearance"),
    ("labs cbc", "preoperative_labs"),
    ("fusion", "spinal_fusion"),
    ("urine drug screen", "urine_drug_screen"),
    ("functional capacity evaluation", "fce"),
    ("sleep study", "sleep_study"),
    ("physical therapy evaluation and treatment", "physical_therapy"),
];

impl TestVocab {
    pub fn new() -> Self {
        TestVocab {
            names: NAMES.iter().map(|(n, id)| (n.to_string(), id.to_string())).collect(),
        }
    }
}

fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl Vocabulary for TestVocab {
    fn resolve(&self, phrase: &str) -> Resolution {
        let p = phrase.to_lowercase();
        if let Some((_, id)) = self.names.iter().find(|(n, _)| *n == p) {
            return Resolution::Known { id: id.clone() };
        }
        if p.chars().count() < 5 {
            return Resolution::Unknown;
        }
        let mut near: Vec<&String> = self
            .names
            .iter()
            .filter(|(n, _)| distance(n, &p) <= 2)
            .map(|(n, _)| n)
            .collect();
        near.dedup();
        if near.is_empty() {
            Resolution::Unknown
        } else {
            Resolution::NearMiss {
                suggestions: near.into_iter().cloned().collect(),
            }
        }
    }
}
