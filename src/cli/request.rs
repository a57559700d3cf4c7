//! `mtus request`: read request lines as offices and letters write them
//! ("Norco 10/325 mg #120", "PT 2x6 lumbar spine") and say what each
//! names: the treatment of the catalog and the rules that decide it on a
//! date, the quantity and the rest, each with its place in the line; what
//! is wrong or unclear is a located error or warning. The work is
//! `mtus::request`; this reads the lines and prints.

use std::fmt::Write as _;
use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde_json::json;

use super::Format;
use super::common::{Ctx, date_or_today, flush};
use mtus::RuleSet;
use mtus::diag::{Diagnostic, Span};
use mtus::request::{Coverage, Reading, Resolution, Severity, coverage, read, render};
use mtus::value::Date;

#[derive(clap::Args)]
pub struct RequestArgs {
    /// Request lines, each one argument (quote it). Without any, one line
    /// at a time from standard input.
    #[arg(value_name = "LINE")]
    pub lines: Vec<String>,
    /// The date of the request (YYYY-MM-DD): which rules are in force.
    /// Default: today.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Output format. JSON: one object per line read (docs/request-line.md).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(ctx: &mut Ctx, rules: &RuleSet, args: &RequestArgs) -> Result<ExitCode> {
    let date = date_or_today(args.date.as_deref())?;
    let lines: Vec<(String, String)> = if args.lines.is_empty() {
        let mut v = Vec::new();
        for (i, line) in std::io::stdin().lock().lines().enumerate() {
            let line = line.context("cannot read standard input")?;
            if !line.trim().is_empty() {
                v.push((format!("<stdin>:{}", i + 1), line));
            }
        }
        v
    } else {
        args.lines
            .iter()
            .enumerate()
            .map(|(i, l)| (format!("<line {}>", i + 1), l.clone()))
            .collect()
    };
    let mut out = String::new();
    let mut errors = 0usize;
    for (name, line) in &lines {
        let reading = read(rules, line);
        let cover = treatment_coverage(rules, &reading, date);
        let mut diags = diagnostics(ctx, name, line, &reading);
        // ICD-10-CM codes in the line, checked on the date (src/cli/code.rs).
        let dx = super::code::line_diagnoses(ctx, name, line, &reading, args.date.is_some().then_some(date))?;
        diags.extend(dx.diags);
        errors += diags.iter().filter(|d| d.is_error()).count();
        match args.format {
            Format::Text => {
                text(&mut out, line, &reading, cover.as_ref(), date, &dx.text);
                // Diagnostics go to standard error after the reading they
                // belong to.
                flush(&mut out)?;
                ctx.print_diagnostics(&diags);
            }
            Format::Json => {
                let mut v = self::json(name, &reading, cover.as_ref(), date);
                if let Some(m) = v.as_object_mut().filter(|_| !dx.json.is_empty()) {
                    m.insert("diagnoses".into(), serde_json::Value::Array(dx.json));
                }
                let _ = writeln!(out, "{v}");
                flush(&mut out)?;
            }
        }
    }
    flush(&mut out)?;
    if errors > 0 {
        say!(
            "error: {errors} problem{} in {} line{}",
            if errors == 1 { "" } else { "s" },
            lines.len(),
            if lines.len() == 1 { "" } else { "s" }
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The rules for the treatment read, when the catalog knows it.
fn treatment_coverage(rules: &RuleSet, r: &Reading, date: Date) -> Option<(String, Coverage)> {
    let t = r.treatment.as_ref()?;
    let Resolution::Known { id } = &t.resolution else {
        return None;
    };
    let tid = rules.program.catalog.treatment_named(id)?;
    Some((id.clone(), coverage(rules, tid, date)))
}

fn text(out: &mut String, line: &str, r: &Reading, cover: Option<&(String, Coverage)>, date: Date, dx: &[String]) {
    let _ = writeln!(out, "{line}");
    for l in r.summary(true).lines() {
        let _ = writeln!(out, "  {l}");
    }
    if let Some((id, c)) = cover {
        let _ = match c {
            Coverage::Decided(names) => writeln!(out, "  rules on {date}: {}", names.join(", ")),
            Coverage::NoRule => writeln!(
                out,
                "  rules on {date}: none: no rule covers {id} (a treatment the catalog knows, not a typo)"
            ),
            Coverage::NotInForce => writeln!(out, "  rules on {date}: none in force for {id}"),
        };
    }
    for l in dx {
        let _ = writeln!(out, "  {l}");
    }
    let _ = writeln!(out, "  as written: {}", render(r));
    out.push('\n');
}

fn json(name: &str, r: &Reading, cover: Option<&(String, Coverage)>, date: Date) -> serde_json::Value {
    let rules = match cover {
        None => json!(null),
        Some((_, Coverage::Decided(names))) => {
            json!({"date": date.to_string(), "status": "decided", "deciding": names})
        }
        Some((_, Coverage::NoRule)) => json!({"date": date.to_string(), "status": "no_rule", "deciding": []}),
        Some((_, Coverage::NotInForce)) => json!({"date": date.to_string(), "status": "not_in_force", "deciding": []}),
    };
    let mut v = serde_json::to_value(r).unwrap_or(serde_json::Value::Null);
    if let Some(m) = v.as_object_mut() {
        m.insert("source".into(), json!(name));
        m.insert("canonical".into(), json!(render(r)));
        m.insert("rules".into(), rules);
    }
    v
}

/// The reader's problems as diagnostics located in the line.
fn diagnostics(ctx: &mut Ctx, name: &str, line: &str, r: &Reading) -> Vec<Diagnostic> {
    if r.problems.is_empty() {
        return Vec::new();
    }
    let file = ctx.sources.add(name, line);
    r.problems
        .iter()
        .map(|p| {
            let s = p.span();
            let span = Span::new(file, s.start.min(line.len()), s.end.min(line.len()));
            let d = match p.severity() {
                Severity::Error => Diagnostic::error(p.kind(), span, p.to_string()),
                Severity::Warning => Diagnostic::warning(p.kind(), span, p.to_string()),
            };
            d.with_help(p.help())
        })
        .collect()
}
