//! `mtus code CODE`: an ICD-10-CM code's official description, whether it
//! is a billable code on a date (by the CMS code set of that fiscal
//! year), and the diagnosis tags it maps to; exit 1, with the nearest
//! valid codes, when it is not valid then (docs/codes.md). The work is
//! `mtus_codes`; this prints.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use super::Format;
use super::common::{Ctx, flush};
use mtus::diag::{Diagnostic, Span};
use mtus::value::Date;
use mtus_codes::{Check, FormatError, NotChecked, Verdict, When};

#[derive(clap::Args)]
pub struct CodeArgs {
    /// The ICD-10-CM code, with or without the dot, any case (M54.16,
    /// m5416).
    #[arg(value_name = "CODE")]
    pub code: String,
    /// The date of service or request (YYYY-MM-DD): the code set of its
    /// fiscal year (October 1 to September 30) is used. Default: the
    /// latest shipped code set.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Output format. JSON: one object (docs/codes.md).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(ctx: &mut Ctx, args: &CodeArgs) -> Result<ExitCode> {
    let date = match args.date.as_deref() {
        None => None,
        Some(d) => Some(Date::parse(d).ok_or_else(|| {
            anyhow::anyhow!(
                "--date takes a date written YYYY-MM-DD, not `{}`",
                mtus::report::escape_terminal(d)
            )
        })?),
    };
    let when = match date {
        None => When::Latest,
        Some(d) => {
            let (y, m, _) = d.ymd();
            When::FiscalYear(mtus_codes::fiscal_year(y, m))
        }
    };
    let check = mtus_codes::check(&args.code, when)?;
    let mut out = String::new();
    let c = match check {
        Ok(c) => c,
        Err(e) => {
            if args.format == Format::Json {
                let v = json!({
                    "input": args.code,
                    "date": date.map(|d| d.to_string()),
                    "error": {"column": e.column, "message": e.to_string(), "help": e.kind.help()},
                });
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&v)?);
                flush(&mut out)?;
            }
            format_error(ctx, &args.code, &e);
            return Ok(ExitCode::from(1));
        }
    };
    match args.format {
        Format::Text => text(&mut out, &c, date, when),
        Format::Json => {
            let mut v = serde_json::to_value(&c)?;
            if let Some(m) = v.as_object_mut() {
                m.insert("input".into(), json!(args.code));
                m.insert("date".into(), json!(date.map(|d| d.to_string())));
                m.insert(
                    "fiscal_year".into(),
                    match when {
                        When::Latest => json!(null),
                        When::FiscalYear(fy) => json!(fy),
                    },
                );
            }
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&v)?);
        }
    }
    flush(&mut out)?;
    if c.verdict == Verdict::Valid {
        return Ok(ExitCode::SUCCESS);
    }
    say!("error: {}", problem(&c, date, when));
    if !c.nearest.is_empty() {
        let codes: Vec<&str> = c.nearest.iter().map(|n| n.code.as_str()).collect();
        say!("help: nearest valid codes: {}", codes.join(", "));
    }
    Ok(ExitCode::from(1))
}

fn format_error(ctx: &mut Ctx, input: &str, e: &FormatError) {
    let file = ctx.sources.add("<code>", input);
    // The column counts characters; the span is in bytes.
    let start = input.char_indices().nth(e.column - 1).map_or(input.len(), |(i, _)| i);
    let end = input[start..].chars().next().map_or(start, |c| start + c.len_utf8());
    let d = Diagnostic::error("bad_icd10cm_code", Span::new(file, start, end), e.to_string()).with_help(e.kind.help());
    ctx.print_diagnostics(&[d]);
}

fn years(ys: &[u16]) -> String {
    if ys.is_empty() {
        return "none".into();
    }
    ys.iter().map(|y| format!("FY{y}")).collect::<Vec<_>>().join(", ")
}

/// "on 2025-03-01 (FY2025)" or "in the latest shipped code set (FY2026)".
fn when_text(c: &Check, date: Option<Date>, when: When) -> String {
    match (date, when, &c.basis) {
        (Some(d), When::FiscalYear(fy), Some(b)) if b.snapshots.len() == 2 => format!(
            "on {d} (FY{fy}, not shipped: judged by FY{} and FY{}, where it stands the same)",
            b.snapshots[0], b.snapshots[1]
        ),
        (Some(d), When::FiscalYear(fy), _) => format!("on {d} (FY{fy})"),
        _ => {
            let latest = c.basis.as_ref().map_or(0, |b| b.fiscal_year);
            format!("in the latest shipped code set (FY{latest})")
        }
    }
}

fn verdict_text(c: &Check) -> String {
    match &c.verdict {
        Verdict::Valid => "valid: a billable code".into(),
        Verdict::Header => "not billable: a category header; a code below it is billed".into(),
        Verdict::NotValid => format!(
            "not valid: not in that code set (billable in {})",
            years(&c.billable_in)
        ),
        Verdict::Unknown => "unknown: in no shipped code set".into(),
        Verdict::NotChecked(NotChecked::BeforeEarliest { earliest }) => {
            format!("not checked: the earliest shipped code set is FY{earliest}")
        }
        Verdict::NotChecked(NotChecked::AfterLatest { latest }) => format!(
            "not checked: the latest shipped code set is FY{latest} (scripts/icd10cm/regenerate.py adds newer ones)"
        ),
        Verdict::NotChecked(NotChecked::Changed { before, after }) => format!(
            "not checked: it changed between the FY{before} and FY{after} code sets, which are shipped, and the years between are not"
        ),
    }
}

fn problem(c: &Check, date: Option<Date>, when: When) -> String {
    let on = when_text(c, date, when);
    match &c.verdict {
        Verdict::Valid => String::new(),
        Verdict::Header => format!("{} is a category header {on}, not a billable code", c.code),
        Verdict::NotValid => format!("{} is not a valid ICD-10-CM code {on}", c.code),
        Verdict::Unknown => format!("{} is not an ICD-10-CM code in any shipped code set", c.code),
        Verdict::NotChecked(_) => format!("{} was not checked {on}: no shipped code set covers that date", c.code),
    }
}

fn text(out: &mut String, c: &Check, date: Option<Date>, when: When) {
    let _ = writeln!(
        out,
        "{}  {}",
        c.code,
        c.description
            .as_deref()
            .unwrap_or("(no description: not in any shipped code set)")
    );
    if let Some(s) = &c.short_description {
        let _ = writeln!(out, "  short: {s}");
    }
    let _ = writeln!(out, "  {}: {}", when_text(c, date, when), verdict_text(c));
    let _ = writeln!(out, "  billable in: {}", years(&c.billable_in));
    if !c.header_in.is_empty() {
        let _ = writeln!(out, "  header in: {}", years(&c.header_in));
    }
    let tags = if c.tags.is_empty() {
        "none".to_string()
    } else {
        c.tags.join(", ")
    };
    let _ = writeln!(out, "  tags: {tags}");
    if !c.nearest.is_empty() {
        let _ = writeln!(out, "  nearest valid codes:");
        for n in &c.nearest {
            let _ = writeln!(out, "    {:<9} {}", n.code, n.description);
        }
    }
}

/// The ICD-10-CM codes `mtus request` found in a line, each checked on
/// the request date (the latest code set when no --date was given):
/// lines for the text output, objects for JSON, and a located error for
/// a code that is not valid then (a warning when it could not be
/// checked).
pub struct LineDiagnoses {
    pub text: Vec<String>,
    pub json: Vec<serde_json::Value>,
    pub diags: Vec<Diagnostic>,
}

pub fn line_diagnoses(
    ctx: &mut Ctx,
    name: &str,
    line: &str,
    r: &mtus::request::Reading,
    date: Option<Date>,
) -> Result<LineDiagnoses> {
    let mut out = LineDiagnoses {
        text: Vec::new(),
        json: Vec::new(),
        diags: Vec::new(),
    };
    if r.diagnosis_codes.is_empty() {
        return Ok(out);
    }
    let when = match date {
        None => When::Latest,
        Some(d) => {
            let (y, m, _) = d.ymd();
            When::FiscalYear(mtus_codes::fiscal_year(y, m))
        }
    };
    let file = ctx.sources.add(name, line);
    for dx in &r.diagnosis_codes {
        let span = Span::new(file, dx.span.start.min(line.len()), dx.span.end.min(line.len()));
        let at = serde_json::to_value(dx.span)?;
        let c = match mtus_codes::check(&dx.value, when)? {
            Ok(c) => c,
            Err(e) => {
                // The reader takes only code shapes; kept for safety.
                out.diags
                    .push(Diagnostic::error("bad_icd10cm_code", span, e.to_string()).with_help(e.kind.help()));
                continue;
            }
        };
        let tags = if c.tags.is_empty() {
            "none".to_string()
        } else {
            c.tags.join(", ")
        };
        out.text.push(format!(
            "{}: {} ({}); tags: {tags}",
            c.code,
            c.description.as_deref().unwrap_or("not in any shipped code set"),
            verdict_text(&c)
        ));
        let mut v = serde_json::to_value(&c)?;
        if let Some(m) = v.as_object_mut() {
            m.insert("span".into(), at);
        }
        out.json.push(v);
        if c.verdict != Verdict::Valid {
            let msg = problem(&c, date, when);
            let nearest: Vec<&str> = c.nearest.iter().map(|n| n.code.as_str()).collect();
            let help = if nearest.is_empty() {
                "see `mtus code` and docs/codes.md".to_string()
            } else {
                format!("nearest valid codes: {}", nearest.join(", "))
            };
            let d = match c.verdict {
                Verdict::NotChecked(_) => Diagnostic::warning("icd10cm_not_checked", span, msg),
                _ => Diagnostic::error("invalid_icd10cm_code", span, msg),
            };
            out.diags.push(d.with_help(help));
        }
    }
    Ok(out)
}
