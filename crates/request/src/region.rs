//! Body regions with side ("right knee", "bilateral upper extremities",
//! "cervical and lumbar spine") mapped to the names of
//! `request.body_region`, and spinal levels ("L4-5, L5-S1", "C5-6", "L4").

use crate::read::Ctx;
use crate::{Level, Problem, Region, Side, Spanned, Vertebra};

/// A part as written (tokens joined by spaces, lowercase), its canonical
/// words, the base name it maps to, and whether it is on the axis of the
/// body (no side carries over to it).
struct Part {
    pattern: &'static str,
    part: &'static str,
    base: &'static str,
    axial: bool,
}

const fn p(pattern: &'static str, part: &'static str, base: &'static str, axial: bool) -> Part {
    Part {
        pattern,
        part,
        base,
        axial,
    }
}

const PARTS: &[Part] = &[
    p("lumbar spine", "lumbar spine", "lumbar_spine", true),
    p("lumbar spines", "lumbar spine", "lumbar_spine", true),
    p("l - spine", "lumbar spine", "lumbar_spine", true),
    p("lumbar", "lumbar", "lumbar", true),
    p("lumbosacral spine", "lumbosacral spine", "lumbosacral_spine", true),
    p("lumbosacral", "lumbosacral", "lumbosacral", true),
    p("low back", "low back", "low_back", true),
    p("lower back", "lower back", "lower_back", true),
    p("upper back", "upper back", "upper_back", true),
    p("mid back", "mid back", "", true),
    p("back", "back", "back", true),
    p("cervical spine", "cervical spine", "cervical_spine", true),
    p("c - spine", "cervical spine", "cervical_spine", true),
    p("cervicothoracic", "cervicothoracic", "cervicothoracic", true),
    p("cervical", "cervical", "cervical", true),
    p("neck", "neck", "neck", true),
    p("thoracic spine", "thoracic spine", "thoracic_spine", true),
    p("t - spine", "thoracic spine", "thoracic_spine", true),
    p("thoracolumbar spine", "thoracolumbar spine", "", true),
    p("thoracolumbar", "thoracolumbar", "", true),
    p("thoracic", "thoracic spine", "thoracic_spine", true),
    p("spine", "spine", "spine", true),
    p("sacroiliac joints", "sacroiliac joint", "sacroiliac_joint", false),
    p("sacroiliac joint", "sacroiliac joint", "sacroiliac_joint", false),
    p("si joint", "sacroiliac joint", "sacroiliac_joint", false),
    p("coccyx", "coccyx", "coccyx", true),
    p("pelvis", "pelvis", "pelvis", true),
    p("abdomen", "abdomen", "abdomen", true),
    p("chest wall", "chest wall", "chest_wall", true),
    p("ribs", "ribs", "ribs", true),
    p("head", "head", "head", true),
    p("face", "face", "face", true),
    p("jaw", "jaw", "jaw", true),
    p(
        "temporomandibular joint",
        "temporomandibular joint",
        "temporomandibular_joint",
        true,
    ),
    p("tmj", "temporomandibular joint", "temporomandibular_joint", true),
    p("psyche", "psyche", "psyche", true),
    p("upper trapezius", "upper trapezius", "upper_trapezius", false),
    p("trapezius", "trapezius", "trapezius", false),
    p("upper extremities", "upper extremities", "upper_extremities", false),
    p("upper extremity", "upper extremity", "upper_extremity", false),
    p("lower extremities", "lower extremities", "lower_extremities", false),
    p("lower extremity", "lower extremity", "lower_extremity", false),
    p(
        "forearm / wrist / hand",
        "forearm/wrist/hand",
        "forearm_wrist_hand",
        false,
    ),
    p("wrist / hand", "wrist/hand", "wrist_hand", false),
    p("hand / wrist", "wrist/hand", "wrist_hand", false),
    p("ankle / foot", "ankle/foot", "ankle_foot", false),
    p("foot / ankle", "ankle/foot", "ankle_foot", false),
    p("carpal tunnel", "carpal tunnel", "carpal_tunnel", false),
    p("shoulders", "shoulders", "shoulders", false),
    p("shoulder", "shoulder", "shoulder", false),
    p("elbows", "elbows", "elbows", false),
    p("elbow", "elbow", "elbow", false),
    p("wrists", "wrists", "wrists", false),
    p("wrist", "wrist", "wrist", false),
    p("hands", "hands", "hands", false),
    p("hand", "hand", "hand", false),
    p("fingers", "fingers", "fingers", false),
    p("finger", "finger", "finger", false),
    p("thumb", "thumb", "thumb", false),
    p("forearms", "forearms", "forearms", false),
    p("forearm", "forearm", "forearm", false),
    p("arms", "arms", "arms", false),
    p("arm", "arm", "arm", false),
    p("knees", "knees", "knees", false),
    p("knee", "knee", "knee", false),
    p("hips", "hips", "hips", false),
    p("hip", "hip", "hip", false),
    p("ankles", "ankles", "ankles", false),
    p("ankle", "ankle", "ankle", false),
    p("feet", "feet", "feet", false),
    p("foot", "foot", "foot", false),
    p("heels", "heels", "heel", false),
    p("heel", "heel", "heel", false),
    p("toes", "toes", "toes", false),
    p("toe", "toe", "toe", false),
    p("lower legs", "lower legs", "legs", false),
    p("lower leg", "lower leg", "leg", false),
    p("legs", "legs", "legs", false),
    p("leg", "leg", "leg", false),
    p("thigh", "thigh", "thigh", false),
    p("calf", "calf", "calf", false),
    p("buttock", "buttock", "buttock", false),
    p("groin", "groin", "groin", false),
];

/// Singular and plural base names, both ways.
const PLURALS: &[(&str, &str)] = &[
    ("knee", "knees"),
    ("shoulder", "shoulders"),
    ("elbow", "elbows"),
    ("wrist", "wrists"),
    ("hand", "hands"),
    ("finger", "fingers"),
    ("hip", "hips"),
    ("ankle", "ankles"),
    ("foot", "feet"),
    ("toe", "toes"),
    ("leg", "legs"),
    ("arm", "arms"),
    ("forearm", "forearms"),
    ("heel", "heels"),
    ("upper_extremity", "upper_extremities"),
    ("lower_extremity", "lower_extremities"),
];

/// The allowed names of `request.body_region` in rules/facts.mtus (a
/// test checks this copy against the file).
pub const BODY_REGIONS: [&str; 125] = [
    "abdomen",
    "ankle",
    "ankle_foot",
    "ankles",
    "arms",
    "back",
    "bilateral_ankle",
    "bilateral_ankles",
    "bilateral_carpal_tunnel",
    "bilateral_elbows",
    "bilateral_feet",
    "bilateral_foot",
    "bilateral_forearm",
    "bilateral_forearms",
    "bilateral_hand",
    "bilateral_hands",
    "bilateral_hips",
    "bilateral_knee",
    "bilateral_knees",
    "bilateral_lower_extremities",
    "bilateral_shoulders",
    "bilateral_upper_extremities",
    "bilateral_wrist",
    "bilateral_wrists",
    "carpal_tunnel",
    "cervical",
    "cervical_spine",
    "cervicothoracic",
    "chest_wall",
    "coccyx",
    "face",
    "feet",
    "finger",
    "fingers",
    "foot",
    "forearm",
    "forearm_wrist_hand",
    "forearms",
    "hand",
    "hands",
    "head",
    "heel",
    "hip",
    "hips",
    "jaw",
    "knee",
    "knees",
    "left_ankle",
    "left_ankle_foot",
    "left_arm",
    "left_buttock",
    "left_calf",
    "left_carpal_tunnel",
    "left_elbow",
    "left_foot",
    "left_forearm",
    "left_groin",
    "left_hand",
    "left_heel",
    "left_hip",
    "left_knee",
    "left_leg",
    "left_lower_extremity",
    "left_sacroiliac_joint",
    "left_shoulder",
    "left_thigh",
    "left_thumb",
    "left_upper_extremity",
    "left_upper_trapezius",
    "left_wrist",
    "left_wrist_hand",
    "legs",
    "low_back",
    "lower_back",
    "lower_extremities",
    "lower_extremity",
    "lumbar",
    "lumbar_spine",
    "lumbosacral",
    "lumbosacral_spine",
    "multiple_body_parts",
    "neck",
    "pelvis",
    "psyche",
    "ribs",
    "right_ankle",
    "right_ankle_foot",
    "right_arm",
    "right_buttock",
    "right_calf",
    "right_carpal_tunnel",
    "right_elbow",
    "right_foot",
    "right_forearm",
    "right_groin",
    "right_hand",
    "right_heel",
    "right_hip",
    "right_knee",
    "right_leg",
    "right_lower_extremity",
    "right_sacroiliac_joint",
    "right_shoulder",
    "right_thigh",
    "right_thumb",
    "right_upper_extremity",
    "right_wrist",
    "right_wrist_hand",
    "sacroiliac_joint",
    "shoulder",
    "shoulders",
    "spine",
    "temporomandibular_joint",
    "thoracic_spine",
    "thumb",
    "toe",
    "toes",
    "trapezius",
    "upper_back",
    "upper_extremities",
    "upper_extremity",
    "upper_trapezius",
    "wrist",
    "wrist_hand",
    "wrists",
];

fn side_word(low: &str) -> Option<Side> {
    match low {
        "left" | "lt" => Some(Side::Left),
        "right" | "rt" => Some(Side::Right),
        "bilateral" | "bilat" | "both" | "bilaterally" => Some(Side::Bilateral),
        _ => None,
    }
}

/// The longest part written at `i`.
fn part_at(cx: &Ctx, i: usize) -> Option<(&'static Part, usize)> {
    let mut best: Option<(&'static Part, usize)> = None;
    for part in PARTS {
        let mut k = i;
        let ok = part.pattern.split(' ').all(|w| {
            let m = cx.free(k) && cx.low(k) == w;
            k += 1;
            m
        });
        if ok && best.is_none_or(|(_, e)| k > e) {
            best = Some((part, k));
        }
    }
    best
}

/// The sides written at `i` ("left", "rt", "left and right", "b/l",
/// "L" before a part). Returns the side (None when two sides contradict)
/// and the index after them; reports a contradiction.
fn sides_at(cx: &mut Ctx, i: usize) -> Option<(Option<Side>, usize)> {
    let short = match cx.low(i) {
        "l" => Some(Side::Left),
        "r" => Some(Side::Right),
        "b" if cx.sym(i + 1, '/') && cx.low(i + 2) == "l" => {
            return part_at(cx, i + 3).map(|_| (Some(Side::Bilateral), i + 3));
        }
        _ => None,
    };
    let first = match short {
        Some(s) if cx.free(i) && part_at(cx, i + 1).is_some() => s,
        _ => side_word(cx.low(i)).filter(|_| cx.free(i))?,
    };
    let mut k = i + 1;
    let joined = cx.is(k, &["and", "&", "or"]) || (cx.sym(k, '/') && cx.free(k));
    let j = if joined { k + 1 } else { k };
    if let Some(second) = side_word(cx.low(j)).filter(|_| cx.free(j)) {
        k = j + 1;
        if second == first {
            return Some((Some(first), k));
        }
        if joined && first != Side::Bilateral && second != Side::Bilateral {
            return Some((Some(Side::Bilateral), k));
        }
        let span = cx.span(i, k);
        let part = part_at(cx, k).map(|(p, _)| p.part).unwrap_or("line").to_string();
        let (side, other) = (second.name().to_string(), first.name().to_string());
        cx.problem(Problem::SideContradiction {
            side,
            other,
            part,
            span,
        });
        return Some((None, k));
    }
    if cx.low(k) == "side" && cx.free(k) {
        k += 1;
    }
    Some((Some(first), k))
}

/// A spinal adjective ("cervical") whose list ends in "spine":
/// "cervical and lumbar spine", "cervical, thoracic and lumbar spine".
fn spine_follows(cx: &Ctx, mut j: usize) -> bool {
    loop {
        while cx.is(j, &["and", "&", ","]) || (cx.free(j) && (cx.sym(j, ',') || cx.sym(j, '/'))) {
            j += 1;
        }
        match part_at(cx, j) {
            Some((p, e)) if ADJECTIVES.iter().any(|a| a.0 == p.pattern) => j = e,
            Some((p, _)) => return p.base.ends_with("_spine"),
            None => return false,
        }
    }
}

const ADJECTIVES: &[(&str, &str, &str)] = &[
    ("lumbar", "lumbar spine", "lumbar_spine"),
    ("cervical", "cervical spine", "cervical_spine"),
    ("lumbosacral", "lumbosacral spine", "lumbosacral_spine"),
    ("thoracic", "thoracic spine", "thoracic_spine"),
];

/// The allowed name for a side and a base name, if one fits.
pub fn name_for(side: Option<Side>, base: &str) -> Option<String> {
    if base.is_empty() {
        return None;
    }
    let singular = PLURALS.iter().find(|p| p.1 == base).map(|p| p.0).unwrap_or(base);
    let plural = PLURALS.iter().find(|p| p.0 == base).map(|p| p.1).unwrap_or(base);
    let mut cands: Vec<String> = match side {
        Some(Side::Bilateral) => {
            vec![
                format!("bilateral_{base}"),
                format!("bilateral_{plural}"),
                format!("bilateral_{singular}"),
            ]
        }
        Some(s) => vec![format!("{}_{base}", s.name()), format!("{}_{singular}", s.name())],
        None => vec![],
    };
    cands.push(base.to_string());
    cands.into_iter().find(|c| BODY_REGIONS.contains(&c.as_str()))
}

pub fn read_regions(cx: &mut Ctx) {
    let mut carry: Option<Side> = None;
    let mut i = 0;
    while i < cx.len() {
        if !cx.free(i) {
            carry = None;
            i += 1;
            continue;
        }
        let (side, k) = match sides_at(cx, i) {
            Some((s, k)) => (s, k),
            None => (None, i),
        };
        let Some((part, end)) = part_at(cx, k) else {
            if k > i {
                let span = cx.take(i, k);
                if let Some(s) = side {
                    cx.r.side.get_or_insert(Spanned { value: s, span });
                }
                i = k;
            } else {
                let connector = cx.is(i, &["and", "&"]) || cx.sym(i, ',') || cx.sym(i, '/');
                if !connector {
                    carry = None;
                }
                i += 1;
            }
            continue;
        };
        let (words, base) = match ADJECTIVES.iter().find(|a| a.0 == part.pattern) {
            Some(a) if spine_follows(cx, end) => (a.1, a.2),
            _ => (part.part, part.base),
        };
        let side = if side.is_some() || k > i {
            side
        } else if part.axial {
            None
        } else {
            carry
        };
        let span = cx.take(i, end);
        for t in cx.region_tok.iter_mut().take(end).skip(k) {
            *t = true;
        }
        cx.r.regions.push(Region {
            part: words.to_string(),
            side,
            name: name_for(side, base),
            span,
        });
        carry = if part.axial { None } else { side };
        i = end;
    }
}

/// Two sides for one part ("left knee" and "right knee" in one line),
/// or a side written alone that no region has.
pub fn check_sides(cx: &mut Ctx) {
    let singular = |part: &str| -> String {
        let b = part.replace(' ', "_");
        PLURALS.iter().find(|p| p.1 == b).map(|p| p.0.to_string()).unwrap_or(b)
    };
    let regions = cx.r.regions.clone();
    for (n, b) in regions.iter().enumerate() {
        let Some(sb) = b.side else { continue };
        let clash = regions[..n]
            .iter()
            .find(|a| a.side.is_some_and(|sa| sa != sb) && singular(&a.part) == singular(&b.part));
        if let Some(a) = clash {
            let other = a.side.map(|s| s.name()).unwrap_or("").to_string();
            cx.problem(Problem::SideContradiction {
                side: sb.name().to_string(),
                other,
                part: b.part.clone(),
                span: b.span,
            });
        }
    }
    if let Some(alone) = cx.r.side.clone() {
        let sided: Vec<Side> = regions.iter().filter_map(|r| r.side).collect();
        let before = regions.first().is_some_and(|g| alone.span.end <= g.span.start);
        if before && !sided.is_empty() && !sided.contains(&alone.value) {
            cx.problem(Problem::SideContradiction {
                side: alone.value.name().to_string(),
                other: sided[0].name().to_string(),
                part: "line".to_string(),
                span: alone.span,
            });
        }
    }
}

fn vertebra(text: &str) -> Option<Vertebra> {
    let mut cs = text.chars();
    let letter = cs.next()?.to_ascii_uppercase();
    let number: u8 = cs.as_str().parse().ok()?;
    let max = match letter {
        'C' => 8,
        'T' => 12,
        'L' => 6,
        'S' => 5,
        _ => return None,
    };
    (1..=max).contains(&number).then_some(Vertebra { letter, number })
}

fn order(v: Vertebra) -> u32 {
    let r = match v.letter {
        'C' => 0,
        'T' => 1,
        'L' => 2,
        _ => 3,
    };
    r * 100 + v.number as u32
}

fn is_level_token(cx: &Ctx, i: usize) -> bool {
    cx.free(i)
        && cx.tok(i).is_some_and(|t| {
            let b = t.text.as_bytes();
            t.kind == crate::lex::Kind::Alnum && b.len() <= 3 && b"CTLS".contains(&b[0])
        })
}

pub fn read_levels(cx: &mut Ctx) {
    let mut i = 0;
    while i < cx.len() {
        if !is_level_token(cx, i) {
            i += 1;
            continue;
        }
        let text = cx.toks[i].text.clone();
        let mut end = i + 1;
        let upper = vertebra(&text);
        let mut lower = None;
        let joined = (cx.sym(i + 1, '-') || cx.sym(i + 1, '/') || cx.sym(i + 1, '–'))
            || cx.is(i + 1, &["to", "through", "thru"]);
        if joined {
            let n = i + 2;
            if is_level_token(cx, n) {
                lower = vertebra(&cx.toks[n].text.clone()).map(Some);
                end = n + 1;
            } else if cx.tok(n).is_some_and(|t| t.is_int() && cx.free(n)) {
                let letter = text.chars().next().unwrap_or('L');
                lower = Some(vertebra(&format!("{letter}{}", cx.toks[n].text)));
                end = n + 1;
            }
        }
        let span = cx.take(i, end);
        let lower_ok = match (upper, lower) {
            (Some(u), Some(Some(l))) => order(l) > order(u),
            (_, Some(None)) => false,
            _ => true,
        };
        match upper {
            Some(upper) if lower_ok => {
                cx.r.levels.push(Level {
                    upper,
                    lower: lower.flatten(),
                    span,
                });
            }
            _ => {
                let text = cx.text(span).to_string();
                cx.problem(Problem::InvalidLevel { text, span });
            }
        }
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The copy of the allowed list matches rules/facts.mtus.
    #[test]
    fn allowed_names_match_facts_mtus() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules/facts.mtus");
        let Ok(text) = std::fs::read_to_string(path) else {
            println!("note: {path} is absent");
            return;
        };
        let start = text
            .find("fact request.body_region:")
            .expect("request.body_region in facts.mtus");
        let rest = &text[start..];
        let open = rest.find('[').expect("[");
        let close = rest.find(']').expect("]");
        let names: Vec<&str> = rest[open + 1..close].split(',').map(str::trim).collect();
        assert_eq!(names, BODY_REGIONS.to_vec());
    }

    #[test]
    fn names_only_from_the_list() {
        assert_eq!(
            name_for(Some(Side::Bilateral), "upper_extremity").as_deref(),
            Some("bilateral_upper_extremities")
        );
        assert_eq!(name_for(Some(Side::Right), "knee").as_deref(), Some("right_knee"));
        assert_eq!(name_for(Some(Side::Left), "toe").as_deref(), Some("toe"));
        assert_eq!(name_for(None, ""), None);
        for p in PARTS {
            for side in [None, Some(Side::Left), Some(Side::Right), Some(Side::Bilateral)] {
                if let Some(n) = name_for(side, p.base) {
                    assert!(BODY_REGIONS.contains(&n.as_str()));
                }
            }
        }
    }
}
