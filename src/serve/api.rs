//! The `/v1/*` handlers. Each answers JSON (`/v1/yaml` answers YAML text
//! when the case is good); every error is a `CheckJson` with no case and
//! the diagnostics in `errors`, as `mtus check --format json` prints them.
//!
//! A posted body is checked before it is read (its type, its
//! `Content-Length` against the cap), read under the body timeout and the
//! cap while holding room in the bytes-held budget, and then loaded and
//! decided on the blocking pool (`decide`).

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tokio::sync::OwnedSemaphorePermit;

use super::{App, POSTED_FILE, Shared, line, med, model, yaml};
use crate::diag::{Diagnostic, Severity, SourceMap, Span};
use crate::eval::{self, Machine};
use crate::facts::{Case, Loader};
use crate::report::authorization::{self, CaseJson, CheckJson};
use crate::report::diagnostics::{self, DiagnosticJson};
use crate::report::{self, JSON_VERSION};
use crate::value::Date;

/// Pretty JSON with a final newline, as the command line prints it.
pub(super) fn json_bytes(v: &impl Serialize) -> Bytes {
    match serde_json::to_string_pretty(v) {
        Ok(mut text) => {
            text.push('\n');
            Bytes::from(text)
        }
        // A view of the rules that cannot be written is a bug; an empty
        // body makes it a 500 where it is answered.
        Err(_) => Bytes::new(),
    }
}

fn json_text_response(status: StatusCode, text: Bytes) -> Response {
    if text.is_empty() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}

fn json_response(status: StatusCode, v: &impl Serialize) -> Response {
    json_text_response(status, json_bytes(v))
}

fn errors_response(status: StatusCode, errors: &[DiagnosticJson]) -> Response {
    json_response(
        status,
        &CheckJson {
            version: JSON_VERSION,
            cases: Vec::new(),
            errors,
            rules: None,
        },
    )
}

/// An error about the request itself (no place in a posted case).
pub(super) fn bare_error(status: StatusCode, code: &'static str, message: String, help: &str) -> Response {
    errors_response(
        status,
        &[DiagnosticJson {
            file: None,
            line: None,
            column: None,
            end_line: None,
            end_column: None,
            severity: Severity::Error,
            code,
            message,
            help: Some(help.to_string()),
        }],
    )
}

/// 503: no room among the requests in flight, the bodies held or the
/// deciding threads within the wait allowed.
pub(super) fn busy() -> Response {
    let mut r = bare_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "the server is busy with other requests".to_string(),
        "try again in a moment",
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}

/// A refusal after which the rest of the body is not read: the connection
/// is closed.
fn closing(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

fn too_large(app: &App) -> Response {
    closing(bare_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        format!(
            "the case is larger than {}",
            crate::inputs::describe_bytes(app.limits.max_file_bytes)
        ),
        "a case file is at most --max-file-bytes long; start the server with a larger --max-file-bytes",
    ))
}

/// Whether the request says its body is JSON (`application/json`, any
/// parameters, any case).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let media = v.split(';').next().unwrap_or("").trim();
            media.eq_ignore_ascii_case("application/json")
        })
}

/// A posted body, read within the caps, with the room it holds in the
/// bytes-held budget (kept until the answer is made).
struct Posted {
    body: Bytes,
    _room: OwnedSemaphorePermit,
}

/// Read a posted case's body: 415 unless it is JSON, 413 by its length
/// before reading or as soon as it passes the cap, 408 when it is not all
/// sent within the body timeout, 503 when there is no room for it in time.
async fn read_posted(s: &Shared, headers: &HeaderMap, body: Body) -> Result<Posted, Box<Response>> {
    let app = &s.app;
    if !is_json(headers) {
        let given = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map_or_else(|| "no content type".to_string(), |v| format!("`{}`", v.escape_debug()));
        return Err(Box::new(closing(bare_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "not-json",
            format!("the case is posted as {given}, not as JSON"),
            "post the case with the header `Content-Type: application/json`",
        ))));
    }
    let cap = app.limits.max_file_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > cap) || body.size_hint().lower() > cap {
        return Err(Box::new(too_large(app)));
    }
    let settings = &s.server.settings;
    // Room for the body in the budget: its length, or the whole cap when
    // it is not given (chunked).
    let need = declared.unwrap_or(cap).div_ceil(1024).max(1);
    let need = u32::try_from(need).unwrap_or(u32::MAX).min(s.server.budget_kib);
    let room = tokio::time::timeout(settings.body_timeout, s.server.budget.clone().acquire_many_owned(need)).await;
    let Ok(Ok(room)) = room else {
        return Err(Box::new(busy()));
    };
    let start = usize::try_from(declared.unwrap_or(0).min(cap)).unwrap_or(0);
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let read = async {
        let mut body = body;
        let mut buf: Vec<u8> = Vec::with_capacity(start);
        while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
            let frame = frame.map_err(|e| {
                Box::new(closing(bare_error(
                    StatusCode::BAD_REQUEST,
                    "unreadable",
                    "the request body could not be read".to_string(),
                    &format!("the connection broke while the case was sent ({e})"),
                )))
            })?;
            if let Ok(data) = frame.into_data() {
                if buf.len().saturating_add(data.len()) > cap {
                    return Err(Box::new(too_large(app)));
                }
                buf.extend_from_slice(&data);
            }
        }
        Ok(Bytes::from(buf))
    };
    match tokio::time::timeout(settings.body_timeout, read).await {
        Ok(Ok(body)) => Ok(Posted { body, _room: room }),
        Ok(Err(r)) => Err(r),
        Err(_) => Err(Box::new(closing(bare_error(
            StatusCode::REQUEST_TIMEOUT,
            "too-slow",
            format!(
                "the case was not all sent within {} s",
                settings.body_timeout.as_secs_f64()
            ),
            "send the whole body at once",
        )))),
    }
}

/// Run `work` on the blocking pool once one of its threads is free; a
/// panic in it is a 500.
async fn decide<F>(s: &Shared, work: F) -> Response
where
    F: FnOnce() -> Response + Send + 'static,
{
    let Ok(permit) = s.server.pool.clone().acquire_owned().await else {
        return busy();
    };
    let done = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work()
    })
    .await;
    done.unwrap_or_else(|_| {
        bare_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed on this request".to_string(),
            "this is a bug in mtus; please report it with the case that caused it",
        )
    })
}

/// Load a posted case; on failure, the response with every diagnostic
/// (400 when the text is not JSON at all, 422 when it is JSON with
/// mistakes).
fn load(app: &App, body: &[u8]) -> Result<Case, Box<Response>> {
    let mut sm = SourceMap::new();
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.valid_up_to();
            let lossy = String::from_utf8_lossy(body).into_owned();
            let id = sm.add(POSTED_FILE, lossy);
            let end = (valid + 1..)
                .find(|&i| sm.get(id).text.is_char_boundary(i))
                .unwrap_or(valid);
            let d = Diagnostic::error("not-text", Span::new(id, valid, end), "the case is not UTF-8 text")
                .with_help("post the case as JSON text in UTF-8");
            let json = [diagnostics::to_json(&sm, &d)];
            return Err(Box::new(errors_response(StatusCode::BAD_REQUEST, &json)));
        }
    };
    let loader = Loader::with_limits(&app.rules.program, app.limits.for_loader());
    loader.load_json(POSTED_FILE, text).map_err(|e| {
        let diags = e.add_to(&mut sm);
        let syntax = diags.iter().any(|d| d.code == "json-syntax");
        let json: Vec<_> = diags.iter().map(|d| diagnostics::to_json(&sm, d)).collect();
        let status = if syntax {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        Box::new(errors_response(status, &json))
    })
}

/// `POST /v1/check`: the case decided, as `mtus check --format json`
/// prints it for a file named `case.json`.
pub async fn check(State(s): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let posted = match read_posted(&s, &headers, body).await {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let app = s.app.clone();
    decide(&s, move || {
        let r = check_case(&app, &posted.body);
        drop(posted);
        r
    })
    .await
}

fn check_case(app: &App, body: &[u8]) -> Response {
    let case = match load(app, body) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let rules = &app.rules;
    let mut machine = Machine::new();
    let decisions = eval::decide_case(rules, &mut machine, &case);
    let mut r = report::case_report(rules, &mut machine, POSTED_FILE, &case, &decisions, true);
    if let Ok(text) = std::str::from_utf8(body) {
        report::locate_errors(
            &mut r,
            &case,
            &decisions,
            &crate::diag::SourceFile::new(POSTED_FILE, text),
        );
    }
    let pre = authorization::pre_submission(&rules.program, &case, &app.lists, &r);
    json_response(
        StatusCode::OK,
        &CheckJson {
            version: JSON_VERSION,
            cases: vec![CaseJson::new(&r, &pre)],
            errors: &[],
            rules: Some(crate::report::RulesJson::new(rules)),
        },
    )
}

/// `POST /v1/yaml`: a good case as a YAML case file.
pub async fn yaml(State(s): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let posted = match read_posted(&s, &headers, body).await {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let app = s.app.clone();
    decide(&s, move || {
        let r = yaml_case(&app, &posted.body);
        drop(posted);
        r
    })
    .await
}

fn yaml_case(app: &App, body: &[u8]) -> Response {
    if let Err(r) = load(app, body) {
        return *r;
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
            yaml::to_yaml(&v),
        )
            .into_response(),
        Err(e) => bare_error(
            StatusCode::BAD_REQUEST,
            "json-syntax",
            format!("the case cannot be written as YAML: {e}"),
            "post the case in the JSON form of a case file",
        ),
    }
}

/// The longest request line `/v1/request` reads (an RFA line is short;
/// a longer text is not a line).
pub const MAX_LINE_BYTES: usize = 4096;

/// A small JSON body's fields, or the 400 that says what is wrong with it.
fn parse_query<T: serde::de::DeserializeOwned>(body: &[u8], want: &str) -> Result<T, Box<Response>> {
    serde_json::from_slice::<T>(body).map_err(|e| {
        let syntax = e.is_syntax() || e.is_eof();
        Box::new(bare_error(
            StatusCode::BAD_REQUEST,
            if syntax { "json-syntax" } else { "bad-query" },
            format!("the body is not {want}: {e}"),
            &format!("post {want}"),
        ))
    })
}

fn parse_date(d: Option<&str>) -> Result<Option<Date>, Box<Response>> {
    match d.map(str::trim).filter(|d| !d.is_empty()) {
        None => Ok(None),
        Some(d) => Date::parse(d).map(Some).ok_or_else(|| {
            Box::new(bare_error(
                StatusCode::BAD_REQUEST,
                "bad-date",
                format!("`{d}` is not a date"),
                "write the date as YYYY-MM-DD",
            ))
        }),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineQuery {
    line: String,
    date: Option<String>,
}

/// `POST /v1/request`: `{"line": "Norco 10/325 mg #120", "date":
/// "YYYY-MM-DD"}` read by the request-line reader and said back value by
/// value (`line::LineJson`).
pub async fn request_line(State(s): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let posted = match read_posted(&s, &headers, body).await {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let app = s.app.clone();
    decide(&s, move || {
        let r = read_request_line(&app, &posted.body);
        drop(posted);
        r
    })
    .await
}

fn read_request_line(app: &App, body: &[u8]) -> Response {
    let want = "an object `{\"line\": \"...\", \"date\": \"YYYY-MM-DD\"}`";
    let q: LineQuery = match parse_query(body, want) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let date = match parse_date(q.date.as_deref()) {
        Ok(d) => d,
        Err(r) => return *r,
    };
    let text = q.line.trim();
    if text.is_empty() {
        return bare_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty-line",
            "the request line is empty".to_string(),
            "type the request as the RFA writes it, e.g. `Norco 10/325 mg #120`",
        );
    }
    if text.len() > MAX_LINE_BYTES || text.contains('\n') {
        return bare_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not-a-line",
            format!(
                "the request line is {} long or holds several lines",
                crate::inputs::describe_bytes(text.len() as u64)
            ),
            "type one request per box, at most 4 KiB",
        );
    }
    json_response(StatusCode::OK, &line::read_line(&app.rules, text, date))
}

/// `POST /v1/med`: `{"treatment", "strength", "quantity", "days_supply"}`
/// (values as a case file writes them) to the morphine-equivalent dose
/// with its working (`med::MedJson`).
pub async fn med(State(s): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let posted = match read_posted(&s, &headers, body).await {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let app = s.app.clone();
    decide(&s, move || {
        let r = med_of(&app, &posted.body);
        drop(posted);
        r
    })
    .await
}

fn med_of(app: &App, body: &[u8]) -> Response {
    let want = "an object `{\"treatment\", \"strength\", \"quantity\", \"days_supply\"}`";
    let q: med::MedQuery = match parse_query(body, want) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    match med::med(&app.rules, &q) {
        Ok(m) => json_response(StatusCode::OK, &m),
        Err(e @ med::MedError::UnknownTreatment(_)) => {
            let help = app.rules.program.catalog.suggest(&q.treatment).map_or_else(
                || "GET /v1/treatments lists the treatments".to_string(),
                |s| format!("did you mean {s}?"),
            );
            bare_error(StatusCode::NOT_FOUND, "unknown-treatment", e.to_string(), &help)
        }
        Err(e @ med::MedError::BadQuantity { .. }) => bare_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad-quantity",
            e.to_string(),
            "write an amount and a unit, e.g. `10 mg`, `120 tablet`, `30 day`",
        ),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileQuery {
    file: String,
    text: String,
}

/// `POST /v1/case`: `{"file": "case.yaml", "text": "..."}`, a saved case
/// file (YAML, or JSON when the name ends in `.json`) loaded through the
/// same loader as `mtus check`; a good one comes back as the JSON form of
/// the case (`{"file", "case"}`) for the page to fill its form with, a
/// bad one as every diagnostic, located in the file by its name.
pub async fn case_file(State(s): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let posted = match read_posted(&s, &headers, body).await {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let app = s.app.clone();
    decide(&s, move || {
        let r = load_case_file(&app, &posted.body);
        drop(posted);
        r
    })
    .await
}

fn load_case_file(app: &App, body: &[u8]) -> Response {
    let q: FileQuery = match parse_query(body, "an object `{\"file\": \"NAME.yaml\", \"text\": \"...\"}`") {
        Ok(q) => q,
        Err(r) => return *r,
    };
    // Only the name is kept (a path says where it was on the office's
    // computer, which the answer has no need of).
    let name = q
        .file
        .rsplit(['/', '\\'])
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("case.yaml")
        .to_string();
    let json = name.to_ascii_lowercase().ends_with(".json");
    let loader = Loader::with_limits(&app.rules.program, app.limits.for_loader());
    let loaded = if json {
        loader.load_json(&name, &q.text)
    } else {
        loader.load_yaml(&name, &q.text)
    };
    if let Err(e) = loaded {
        let mut sm = SourceMap::new();
        let diags = e.add_to(&mut sm);
        let out: Vec<_> = diags.iter().map(|d| diagnostics::to_json(&sm, d)).collect();
        return errors_response(StatusCode::UNPROCESSABLE_ENTITY, &out);
    }
    let value = if json {
        serde_json::from_str::<serde_json::Value>(q.text.trim_start_matches('\u{feff}')).ok()
    } else {
        let text = q.text.strip_prefix('\u{feff}').unwrap_or(&q.text);
        crate::facts::load::yaml::parse(text, 0, &app.limits.for_loader())
            .ok()
            .map(|n| yaml::node_to_json(&n))
    };
    // The JSON form must load as the file did (the form posts it to
    // `/v1/check`); a difference would be a bug in the conversion.
    let same = value
        .as_ref()
        .and_then(|v| serde_json::to_string(v).ok())
        .is_some_and(|t| loader.load_json(POSTED_FILE, &t).is_ok());
    match value {
        Some(v) if same => json_response(StatusCode::OK, &serde_json::json!({"file": name, "case": v})),
        _ => bare_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the case `{name}` loads but could not be carried into the form"),
            "this is a bug in mtus; please report it with the case that caused it",
        ),
    }
}

// The views of the rules, computed once when the server starts.

pub async fn rules(State(s): State<Shared>) -> Response {
    json_text_response(StatusCode::OK, s.server.views.rules.clone())
}

pub async fn schema(State(s): State<Shared>) -> Response {
    json_text_response(StatusCode::OK, s.server.views.schema.clone())
}

#[derive(Deserialize)]
pub struct TreatmentsQuery {
    date: Option<String>,
}

/// `GET /v1/treatments[?date=YYYY-MM-DD]`: with a date, each marked
/// `in_force` (computed per request); without one, the view computed at
/// start.
pub async fn treatments(State(s): State<Shared>, q: Result<Query<TreatmentsQuery>, QueryRejection>) -> Response {
    let date = q.ok().and_then(|Query(q)| q.date).filter(|d| !d.is_empty());
    match date.as_deref().map(|d| (d, Date::parse(d))) {
        Some((d, None)) => bare_error(
            StatusCode::BAD_REQUEST,
            "bad-date",
            format!("`{d}` is not a date"),
            "write the date as YYYY-MM-DD",
        ),
        Some((_, Some(d))) => json_response(StatusCode::OK, &model::treatments_on(&s.app.rules, Some(d))),
        None => json_text_response(StatusCode::OK, s.server.views.treatments.clone()),
    }
}

#[derive(Deserialize)]
pub struct FormQuery {
    treatment: String,
    date: Option<String>,
}

/// `GET /v1/form?treatment=X&date=YYYY-MM-DD`, on the blocking pool (an
/// unknown name is compared with every name of the catalog).
pub async fn form(State(s): State<Shared>, q: Result<Query<FormQuery>, QueryRejection>) -> Response {
    let app = s.app.clone();
    decide(&s, move || form_of(&app, q)).await
}

fn form_of(app: &App, q: Result<Query<FormQuery>, QueryRejection>) -> Response {
    let Ok(Query(q)) = q else {
        return bare_error(
            StatusCode::BAD_REQUEST,
            "bad-query",
            "the form needs a treatment".to_string(),
            "ask for /v1/form?treatment=NAME&date=YYYY-MM-DD (the date may be left out)",
        );
    };
    let date = match q.date.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => match Date::parse(d) {
            Some(d) => Some(d),
            None => {
                return bare_error(
                    StatusCode::BAD_REQUEST,
                    "bad-date",
                    format!("`{d}` is not a date"),
                    "write the date as YYYY-MM-DD",
                );
            }
        },
    };
    let p = &app.rules.program;
    match model::form(&app.rules, &q.treatment, date) {
        Some(f) => json_response(StatusCode::OK, &f),
        None => {
            let help = p.catalog.suggest(&q.treatment).map_or_else(
                || "GET /v1/treatments lists the treatments".to_string(),
                |s| format!("did you mean {s}? GET /v1/treatments lists the treatments"),
            );
            bare_error(
                StatusCode::NOT_FOUND,
                "unknown-treatment",
                format!("no treatment is named `{}`", q.treatment),
                &help,
            )
        }
    }
}

/// Any other route: 404 with the routes there are.
pub async fn not_found(method: Method, uri: Uri) -> Response {
    bare_error(
        StatusCode::NOT_FOUND,
        "not-found",
        format!("there is no {method} {}", uri.path()),
        "the routes are GET /, POST /v1/check, POST /v1/yaml, POST /v1/request, POST /v1/med, \
         POST /v1/case, GET /v1/rules, GET /v1/schema, GET /v1/treatments, GET /v1/form (docs/api.md)",
    )
}
