//! The reader: runs the stages over the tokens of a line, each taking the
//! tokens it understands, then finds the treatment phrase in the words
//! left over, reports numbers no stage took, and checks the values
//! against each other.

use crate::lex::{Kind, Tok, lex};
use crate::numbers::is_number_word;
use crate::{Problem, Reading, Resolution, Span, Treatment, Unit, Vocabulary};
use crate::{codes, frequency, icd10, markers, quantity, region, strength};

/// The tokens of a line, which of them a stage has taken, and the reading
/// built so far.
pub struct Ctx<'a> {
    pub line: &'a str,
    pub toks: Vec<Tok>,
    pub used: Vec<bool>,
    pub r: Reading,
    /// The unit of the quantity when a word says it ("60 tablets"), with
    /// its span, for the check against the form.
    pub qty_unit_word: Option<(Unit, Span)>,
    /// The quantity was written as a count ("#60", "qty 60").
    pub qty_is_count: bool,
    /// Names taken as the ingredients of a compound.
    pub compound: Vec<(String, Span)>,
    /// Tokens taken as a body region (a treatment phrase may run across
    /// them: "Hinged knee brace").
    pub region_tok: Vec<bool>,
    /// The refills lead the line as what is asked ("Two refills of
    /// Ibuprofen 600mg #90"): the request is the refills alone.
    pub refills_only: bool,
}

impl<'a> Ctx<'a> {
    pub fn new(line: &'a str) -> Self {
        let toks = lex(line);
        let n = toks.len();
        let used = vec![false; n];
        Ctx {
            line,
            toks,
            used,
            r: Reading {
                line: line.to_string(),
                ..Reading::default()
            },
            qty_unit_word: None,
            qty_is_count: false,
            compound: Vec::new(),
            region_tok: vec![false; n],
            refills_only: false,
        }
    }
    pub fn len(&self) -> usize {
        self.toks.len()
    }
    pub fn tok(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i)
    }
    pub fn free(&self, i: usize) -> bool {
        self.used.get(i).is_some_and(|u| !u)
    }
    pub fn low(&self, i: usize) -> &str {
        self.toks.get(i).map(|t| t.low.as_str()).unwrap_or("")
    }
    pub fn sym(&self, i: usize, c: char) -> bool {
        self.toks.get(i).is_some_and(|t| t.is_sym(c))
    }
    /// Whether token `i` is free and one of `words` (lowercase).
    pub fn is(&self, i: usize, words: &[&str]) -> bool {
        self.free(i) && words.contains(&self.low(i))
    }
    /// The span of tokens `a..b`.
    pub fn span(&self, a: usize, b: usize) -> Span {
        let s = self
            .toks
            .get(a)
            .map(|t| t.span)
            .unwrap_or(Span::new(self.line.len(), self.line.len()));
        let e = self.toks.get(b.saturating_sub(1).max(a)).map(|t| t.span).unwrap_or(s);
        s.to(e)
    }
    /// Marks tokens `a..b` as taken and returns their span.
    pub fn take(&mut self, a: usize, b: usize) -> Span {
        for u in self.used.iter_mut().take(b).skip(a) {
            *u = true;
        }
        self.span(a, b)
    }
    pub fn text(&self, span: Span) -> &str {
        self.line.get(span.start..span.end).unwrap_or("")
    }
    pub fn problem(&mut self, p: Problem) {
        self.r.problems.push(p);
    }
}

/// Reads one request line. Never panics; what is wrong or unclear is in
/// `Reading::problems`.
pub fn read(line: &str, vocab: &dyn Vocabulary) -> Reading {
    let mut cx = Ctx::new(line);
    icd10::read_icd10(&mut cx);
    codes::read_codes(&mut cx);
    markers::read_markers(&mut cx);
    region::read_levels(&mut cx);
    region::read_regions(&mut cx);
    strength::read_strength(&mut cx);
    quantity::read_counts(&mut cx);
    frequency::read_frequency(&mut cx);
    quantity::read_totals(&mut cx);
    strength::read_form(&mut cx);
    read_treatment(&mut cx, vocab);
    leftovers(&mut cx);
    quantity::finish(&mut cx);
    region::check_sides(&mut cx);
    cx.r.problems.sort_by_key(|p| (p.span().start, p.span().end));
    cx.r
}

/// Words that end a treatment phrase.
const STOP: &[&str] = &[
    "for",
    "with",
    "to",
    "x",
    "times",
    "per",
    "without",
    "under",
    "in",
    "on",
    "at",
    "qty",
    "quantity",
    "take",
    "via",
    "including",
    "plus",
    "w",
    "use",
    "using",
    "apply",
    "every",
    "each",
    "weekly",
    "daily",
    "over",
];
/// Words skipped before a treatment phrase starts.
const LEAD: &[&str] = &[
    "of",
    "the",
    "a",
    "an",
    "and",
    "additional",
    "continued",
    "continue",
    "request",
    "requested",
    "requesting",
];
/// Words and symbols that may join the words of a phrase.
const JOIN_WORDS: &[&str] = &["of", "and", "&", "the", "or"];
const JOIN_SYMS: &[char] = &['/', '-', '&', '\'', '.', '+', ':'];

fn phrase_word(cx: &Ctx, i: usize) -> bool {
    let x_ray = cx.low(i) == "x" && cx.sym(i + 1, '-') && cx.low(i + 2).starts_with("ray");
    cx.free(i)
        && cx.tok(i).is_some_and(|t| matches!(t.kind, Kind::Word | Kind::Alnum))
        && (!STOP.contains(&cx.low(i)) || x_ray)
        && !is_number_word(cx.low(i))
}

/// Region tokens from `k` on, when a phrase word follows them.
fn region_run(cx: &Ctx, k: usize) -> Option<usize> {
    let mut m = k;
    while cx.region_tok.get(m).copied().unwrap_or(false) {
        m += 1;
    }
    (m > k && phrase_word(cx, m)).then_some(m)
}

fn joiner(cx: &Ctx, i: usize) -> bool {
    if !cx.free(i) {
        return false;
    }
    match cx.tok(i).map(|t| t.kind) {
        Some(Kind::Sym(c)) => JOIN_SYMS.contains(&c),
        Some(Kind::Word) => JOIN_WORDS.contains(&cx.low(i)),
        _ => false,
    }
}

/// The first run of words no stage took.
fn phrase_span(cx: &Ctx) -> Option<Span> {
    let start = (0..cx.len()).find(|&i| phrase_word(cx, i) && !LEAD.contains(&cx.low(i)))?;
    let mut end = start + 1;
    let mut k = start + 1;
    while k < cx.len() {
        if phrase_word(cx, k) && !JOIN_WORDS.contains(&cx.low(k)) {
            k += 1;
            end = k;
        } else if joiner(cx, k) {
            k += 1;
        } else if let Some(m) = region_run(cx, k) {
            k = m;
        } else {
            break;
        }
    }
    Some(cx.span(start, end))
}

fn read_treatment(cx: &mut Ctx, vocab: &dyn Vocabulary) {
    let own = phrase_span(cx);
    let first_name = cx.compound.first().map(|c| c.1.start);
    let (text, span) = match own {
        Some(s) if first_name.is_none_or(|f| s.start < f) => (cx.text(s).to_string(), s),
        _ if !cx.compound.is_empty() => {
            let names: Vec<&str> = cx.compound.iter().map(|c| c.0.as_str()).collect();
            let first = cx.compound[0].1;
            let last = cx.compound[cx.compound.len() - 1].1;
            (names.join(" / "), first.to(last))
        }
        // A line of diagnosis codes only ("Dx: M54.16") names no treatment.
        _ if !cx.r.diagnosis_codes.is_empty() => return,
        _ => {
            cx.problem(Problem::NoTreatment {
                span: Span::new(0, cx.line.len()),
            });
            return;
        }
    };
    if let Some(s) = own {
        mark_span(cx, s);
    }
    let resolution = vocab.resolve(&text);
    match &resolution {
        Resolution::Known { .. } => {}
        Resolution::NearMiss { suggestions } => cx.problem(Problem::MisspeltTreatment {
            phrase: text.clone(),
            suggestions: suggestions.clone(),
            span,
        }),
        Resolution::Unknown => cx.problem(Problem::UnknownTreatment {
            phrase: text.clone(),
            span,
        }),
    }
    cx.r.treatment = Some(Treatment { text, span, resolution });
}

fn mark_span(cx: &mut Ctx, s: Span) {
    for i in 0..cx.len() {
        if cx.toks[i].span.start >= s.start && cx.toks[i].span.end <= s.end {
            cx.used[i] = true;
        }
    }
}

/// Numbers no stage took are reported, not guessed at.
fn leftovers(cx: &mut Ctx) {
    for i in 0..cx.len() {
        let t = &cx.toks[i];
        if cx.free(i) && (t.is_num() || (t.is_word() && is_number_word(&t.low))) {
            let p = Problem::AmbiguousNumber {
                text: t.text.clone(),
                span: t.span,
            };
            cx.problem(p);
        }
    }
}
