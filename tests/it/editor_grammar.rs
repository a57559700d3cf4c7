//! The TextMate grammar of editors/vscode colours what it should: a small
//! tokenizer runs its patterns the way a TextMate engine does (at each
//! position the leftmost match wins, the first pattern on a tie; a
//! pattern's `name` scopes the match, `captures` scope its groups) and the
//! test checks which scope each part of a line gets. Patterns the `regex`
//! crate cannot compile (Oniguruma lookahead) are left out; they scope
//! operators only.

use serde_json::Value;

struct Pattern {
    re: regex::Regex,
    name: Option<String>,
    captures: Vec<(usize, String)>,
}

fn patterns() -> Vec<Pattern> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/editors/vscode/syntaxes/mtus.tmLanguage.json"
    );
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut flat = Vec::new();
    fn collect(g: &Value, p: &Value, out: &mut Vec<Value>) {
        if let Some(inc) = p["include"].as_str() {
            let key = inc.trim_start_matches('#');
            collect(g, &g["repository"][key], out);
        } else if let Some(ps) = p["patterns"].as_array() {
            for q in ps {
                collect(g, q, out);
            }
        } else {
            out.push(p.clone());
        }
    }
    collect(&g, &g, &mut flat);
    flat.iter()
        .filter_map(|p| {
            let re = regex::Regex::new(p["match"].as_str()?).ok()?;
            let captures = p["captures"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.parse().ok()?, v["name"].as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            Some(Pattern {
                re,
                name: p["name"].as_str().map(str::to_string),
                captures,
            })
        })
        .collect()
}

/// The scope of each byte of a line ("" where none).
fn scopes(line: &str) -> Vec<String> {
    let ps = patterns();
    let mut out = vec![String::new(); line.len()];
    let mut pos = 0;
    while pos < line.len() {
        let best = ps
            .iter()
            .filter_map(|p| {
                p.re.captures_at(line, pos)
                    .map(|c| (c.get(0).map_or(0, |m| m.start()), p, c))
            })
            .filter(|(_, _, c)| c.get(0).is_some_and(|m| !m.is_empty()))
            .min_by_key(|(start, _, _)| *start);
        let Some((_, p, c)) = best else { break };
        let whole = c.get(0).unwrap();
        if let Some(n) = &p.name {
            out[whole.range()].iter_mut().for_each(|s| *s = n.clone());
        }
        for (i, n) in &p.captures {
            if let Some(m) = c.get(*i) {
                out[m.range()].iter_mut().for_each(|s| *s = n.clone());
            }
        }
        pos = whole.end();
    }
    out
}

fn scope_of(line: &str, part: &str) -> String {
    let at = line.find(part).unwrap();
    let s = scopes(line);
    let first = s[at].clone();
    assert!(
        s[at..at + part.len()].iter().all(|x| *x == first),
        "`{part}` in `{line}` is scoped unevenly: {:?}",
        &s[at..at + part.len()]
    );
    first
}

#[test]
fn the_field_after_a_scope_word_is_coloured() {
    let line = "    else request.quantity <= massage_visit_limit";
    assert_eq!(scope_of(line, "request"), "variable.language.mtus");
    assert_eq!(scope_of(line, ".quantity"), "variable.other.fact.mtus");
    let line = "    then prior.visits + request.quantity <= odg_massage_total_visits";
    assert_eq!(scope_of(line, "prior"), "variable.language.mtus");
    assert_eq!(scope_of(line, ".visits"), "variable.other.fact.mtus");
    assert_eq!(scope_of(line, ".quantity"), "variable.other.fact.mtus");
    let line = "    history.physical_therapy.visits >= 6 week";
    assert_eq!(scope_of(line, ".physical_therapy.visits"), "variable.other.fact.mtus");
    assert_eq!(scope_of(line, "6"), "constant.numeric.mtus");
    assert_eq!(scope_of(line, "week"), "keyword.other.unit.mtus");
}

#[test]
fn other_facts_and_items_keep_their_colours() {
    let line = "    exam.muscle_spasm and course.first_line_tried contains any of [nsaid]";
    assert_eq!(scope_of(line, "exam.muscle_spasm"), "variable.other.fact.mtus");
    assert_eq!(scope_of(line, "and"), "keyword.operator.logical.mtus");
    assert_eq!(scope_of(line, "contains any of"), "keyword.operator.test.mtus");
    let line = "fact request.quantity: quantity range 0..1000 \"amount\"";
    assert_eq!(scope_of(line, "fact"), "keyword.declaration.fact.mtus");
    assert_eq!(scope_of(line, "request.quantity"), "variable.other.fact.mtus");
}
