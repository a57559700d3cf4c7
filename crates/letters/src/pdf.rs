//! Stage 1: PDF bytes to pages of lines.
//!
//! The text layer is read with `lopdf` (which opens files encrypted with
//! the empty password, as the published letters are). Each text-showing
//! operator becomes a run with its position on the page; runs on the same
//! baseline are put in reading order and joined into a line. Line numbers
//! are 1-based per page and count blank lines, so that a place names the
//! line a reader sees.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Encoding, Object, ObjectId, content::Operation};

use crate::LetterError;

/// Reads the text layer of a PDF as pages of lines.
pub fn pages_of_lines(bytes: &[u8]) -> Result<Vec<Vec<String>>, LetterError> {
    if !bytes.starts_with(b"%PDF") && !bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
        return Err(LetterError::Pdf("the file does not start with a PDF header".into()));
    }
    // lopdf is not written to our no-panic standard; a panic inside it on
    // hostile bytes is turned into an error here.
    let result = std::panic::catch_unwind(|| extract(bytes));
    match result {
        Ok(r) => r,
        Err(_) => Err(LetterError::Pdf("the PDF structure is damaged (reader stopped)".into())),
    }
}

fn extract(bytes: &[u8]) -> Result<Vec<Vec<String>>, LetterError> {
    let doc = Document::load_mem(bytes).map_err(|e| LetterError::Pdf(e.to_string()))?;
    let pages = doc.get_pages();
    let mut out = Vec::with_capacity(pages.len());
    for page_id in pages.values() {
        out.push(page_lines(&doc, *page_id));
    }
    if out.iter().all(|p| p.iter().all(|l| l.trim().is_empty())) {
        return Err(LetterError::NoText { pages: out.len() });
    }
    Ok(out)
}

/// What is needed of a font to decode text and measure it.
struct FontInfo<'a> {
    encoding: Option<Encoding<'a>>,
    two_byte: bool,
    first_char: i64,
    widths: Vec<f64>,
    cid_widths: BTreeMap<i64, f64>,
    default_width: f64,
}

impl FontInfo<'_> {
    fn width(&self, code: i64) -> f64 {
        if self.two_byte {
            return self.cid_widths.get(&code).copied().unwrap_or(self.default_width);
        }
        usize::try_from(code - self.first_char)
            .ok()
            .and_then(|i| self.widths.get(i).copied())
            .filter(|w| *w > 0.0)
            .unwrap_or(self.default_width)
    }
}

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

fn font_info<'a>(doc: &'a Document, font: &'a Dictionary) -> FontInfo<'a> {
    let encoding = font.get_font_encoding(doc).ok();
    let two_byte = font.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) == Some(b"Type0");
    let mut info = FontInfo {
        encoding,
        two_byte,
        first_char: 0,
        widths: Vec::new(),
        cid_widths: BTreeMap::new(),
        default_width: if two_byte { 1000.0 } else { 500.0 },
    };
    if two_byte {
        let desc = font
            .get(b"DescendantFonts")
            .ok()
            .map(|o| resolve(doc, o))
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .map(|o| resolve(doc, o))
            .and_then(|o| o.as_dict().ok());
        if let Some(desc) = desc {
            if let Some(dw) = desc.get(b"DW").ok().and_then(number) {
                info.default_width = dw;
            }
            if let Some(w) = desc
                .get(b"W")
                .ok()
                .map(|o| resolve(doc, o))
                .and_then(|o| o.as_array().ok())
            {
                read_cid_widths(doc, w, &mut info.cid_widths);
            }
        }
    } else {
        info.first_char = font.get(b"FirstChar").ok().and_then(|o| o.as_i64().ok()).unwrap_or(0);
        if let Some(w) = font
            .get(b"Widths")
            .ok()
            .map(|o| resolve(doc, o))
            .and_then(|o| o.as_array().ok())
        {
            info.widths = w.iter().map(|o| number(resolve(doc, o)).unwrap_or(0.0)).collect();
        }
    }
    info
}

fn read_cid_widths(doc: &Document, w: &[Object], out: &mut BTreeMap<i64, f64>) {
    let mut i = 0;
    while i < w.len() {
        let Some(first) = w.get(i).and_then(number) else { return };
        let first = first as i64;
        match w.get(i + 1).map(|o| resolve(doc, o)) {
            Some(Object::Array(ws)) => {
                for (k, o) in ws.iter().enumerate().take(65536) {
                    if let Some(v) = number(o) {
                        out.insert(first + k as i64, v);
                    }
                }
                i += 2;
            }
            Some(o) => {
                let (Some(last), Some(v)) = (number(o), w.get(i + 2).and_then(number)) else {
                    return;
                };
                let last = (last as i64).min(first + 65536);
                for c in first..=last {
                    out.insert(c, v);
                }
                i += 3;
            }
            None => return,
        }
    }
}

/// A piece of text shown at one place on the page.
struct Run {
    x0: f64,
    x1: f64,
    y: f64,
    size: f64,
    text: String,
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a` then `b` (row-vector convention of the PDF specification).
fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

struct TextState<'a> {
    fonts: &'a BTreeMap<Vec<u8>, FontInfo<'a>>,
    font: Option<&'a FontInfo<'a>>,
    size: f64,
    tc: f64,
    tw: f64,
    th: f64,
    tl: f64,
    tm: Matrix,
    tlm: Matrix,
    ctm: Matrix,
    stack: Vec<Matrix>,
    runs: Vec<Run>,
}

impl TextState<'_> {
    fn next_line(&mut self, tx: f64, ty: f64) {
        self.tlm = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &self.tlm);
        self.tm = self.tlm;
    }

    fn show(&mut self, bytes: &[u8]) {
        let Some(font) = self.font else { return };
        let text = match &font.encoding {
            Some(enc) => Document::decode_text(enc, bytes).unwrap_or_default(),
            None => bytes.iter().map(|b| char::from(*b)).collect(),
        };
        let start = mul(&self.tm, &self.ctm);
        let step = if font.two_byte { 2 } else { 1 };
        let mut advance = 0.0;
        for code in bytes.chunks(step) {
            let c = code.iter().fold(0i64, |acc, b| acc * 256 + i64::from(*b));
            let space = if !font.two_byte && c == 32 { self.tw } else { 0.0 };
            advance += (font.width(c) / 1000.0 * self.size + self.tc + space) * self.th;
        }
        self.tm = mul(&[1.0, 0.0, 0.0, 1.0, advance, 0.0], &self.tm);
        let end = mul(&self.tm, &self.ctm);
        let scale = (start[1] * start[1] + start[3] * start[3]).sqrt().max(0.01);
        self.runs.push(Run {
            x0: start[4],
            x1: end[4],
            y: start[5],
            size: (self.size * scale).abs(),
            text,
        });
    }

    fn operate(&mut self, op: &Operation) {
        let n = |i: usize| op.operands.get(i).and_then(number).unwrap_or(0.0);
        match op.operator.as_str() {
            "q" => self.stack.push(self.ctm),
            "Q" => self.ctm = self.stack.pop().unwrap_or(IDENTITY),
            "cm" => self.ctm = mul(&[n(0), n(1), n(2), n(3), n(4), n(5)], &self.ctm),
            "BT" => {
                self.tm = IDENTITY;
                self.tlm = IDENTITY;
            }
            "Tf" => {
                let fonts = self.fonts;
                self.font = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .and_then(|name| fonts.get(name));
                self.size = n(1);
            }
            "Tc" => self.tc = n(0),
            "Tw" => self.tw = n(0),
            "Tz" => self.th = n(0) / 100.0,
            "TL" => self.tl = n(0),
            "Td" => self.next_line(n(0), n(1)),
            "TD" => {
                self.tl = -n(1);
                self.next_line(n(0), n(1));
            }
            "Tm" => {
                self.tm = [n(0), n(1), n(2), n(3), n(4), n(5)];
                self.tlm = self.tm;
            }
            "T*" => self.next_line(0.0, -self.tl),
            "Tj" | "'" | "\"" => {
                if op.operator == "\"" {
                    self.tw = n(0);
                    self.tc = n(1);
                }
                if op.operator != "Tj" {
                    self.next_line(0.0, -self.tl);
                }
                if let Some(Object::String(s, _)) = op.operands.last() {
                    self.show(s);
                }
            }
            "TJ" => self.show_array(op),
            _ => {}
        }
    }

    fn show_array(&mut self, op: &Operation) {
        let Some(Object::Array(items)) = op.operands.first() else {
            return;
        };
        for item in items {
            match item {
                Object::String(s, _) => self.show(s),
                o => {
                    if let Some(k) = number(o) {
                        let tx = -k / 1000.0 * self.size * self.th;
                        self.tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &self.tm);
                    }
                }
            }
        }
    }
}

fn page_lines(doc: &Document, page_id: ObjectId) -> Vec<String> {
    let dicts = doc.get_page_fonts(page_id).unwrap_or_default();
    let fonts: BTreeMap<Vec<u8>, FontInfo> = dicts.into_iter().map(|(name, d)| (name, font_info(doc, d))).collect();
    let Ok(content) = doc.get_and_decode_page_content(page_id) else {
        return Vec::new();
    };
    let mut st = TextState {
        fonts: &fonts,
        font: None,
        size: 0.0,
        tc: 0.0,
        tw: 0.0,
        th: 1.0,
        tl: 0.0,
        tm: IDENTITY,
        tlm: IDENTITY,
        ctm: IDENTITY,
        stack: Vec::new(),
        runs: Vec::new(),
    };
    for op in &content.operations {
        st.operate(op);
    }
    lines_from_runs(st.runs)
}

/// Groups runs into lines by baseline, top to bottom, each left to right.
fn lines_from_runs(mut runs: Vec<Run>) -> Vec<String> {
    runs.retain(|r| r.y.is_finite() && r.x0.is_finite() && !r.text.is_empty());
    runs.sort_by(|a, b| b.y.total_cmp(&a.y));
    let mut lines: Vec<Vec<Run>> = Vec::new();
    for run in runs {
        match lines.last_mut() {
            Some(line)
                if line
                    .first()
                    .is_some_and(|f| (f.y - run.y).abs() <= 0.4 * f.size.max(run.size).max(1.0)) =>
            {
                line.push(run)
            }
            _ => lines.push(vec![run]),
        }
    }
    lines
        .into_iter()
        .map(|mut line| {
            line.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let mut s = String::new();
            let mut last_x1: Option<f64> = None;
            for run in line {
                if let Some(x1) = last_x1 {
                    let gap = run.x0 - x1;
                    let spaced = s.ends_with(char::is_whitespace) || run.text.starts_with(char::is_whitespace);
                    if !spaced && gap > 0.15 * run.size.max(1.0) {
                        s.push(' ');
                    }
                }
                s.push_str(&run.text);
                last_x1 = Some(last_x1.map_or(run.x1, |x| x.max(run.x1)));
            }
            s
        })
        .collect()
}
