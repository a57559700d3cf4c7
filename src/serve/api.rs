//! The `/v1/*` handlers. Each answers JSON (`/v1/yaml` answers YAML text
//! when the case is good); every error is a `CheckJson` with no case and
//! the diagnostics in `errors`, as `mtus check --format json` prints them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, FailedToBufferBody, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{App, POSTED_FILE, model, yaml};
use crate::diag::{Diagnostic, Severity, SourceMap, Span};
use crate::eval::{self, Machine};
use crate::facts::{Case, Loader};
use crate::report::authorization::{self, CaseJson, CheckJson};
use crate::report::diagnostics::{self, DiagnosticJson};
use crate::report::{self, JSON_VERSION};
use crate::value::Date;

/// Pretty JSON with a final newline, as the command line prints it.
fn json_response(status: StatusCode, v: &impl Serialize) -> Response {
    match serde_json::to_string_pretty(v) {
        Ok(mut text) => {
            text.push('\n');
            (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
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
fn bare_error(status: StatusCode, code: &'static str, message: String, help: &str) -> Response {
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

/// The body, or the response that refuses it: 413 over the cap.
fn body_or_refusal(app: &App, body: Result<Bytes, BytesRejection>) -> Result<Bytes, Box<Response>> {
    body.map_err(|e| {
        Box::new(match e {
            BytesRejection::FailedToBufferBody(FailedToBufferBody::LengthLimitError(_)) => bare_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                format!(
                    "the case is larger than {}",
                    crate::inputs::describe_bytes(app.limits.max_file_bytes)
                ),
                "a case file is at most --max-file-bytes long; start the server with a larger --max-file-bytes",
            ),
            other => bare_error(
                StatusCode::BAD_REQUEST,
                "unreadable",
                "the request body could not be read".to_string(),
                &other.body_text(),
            ),
        })
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
pub async fn check(State(app): State<Arc<App>>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body_or_refusal(&app, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    let case = match load(&app, &body) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let rules = &app.rules;
    let mut machine = Machine::new();
    let decisions = eval::decide_case(rules, &mut machine, &case);
    let mut r = report::case_report(rules, &mut machine, POSTED_FILE, &case, &decisions, true);
    if let Ok(text) = std::str::from_utf8(&body) {
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
pub async fn yaml(State(app): State<Arc<App>>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match body_or_refusal(&app, body) {
        Ok(b) => b,
        Err(r) => return *r,
    };
    if let Err(r) = load(&app, &body) {
        return *r;
    }
    match serde_json::from_slice::<serde_json::Value>(&body) {
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

pub async fn rules(State(app): State<Arc<App>>) -> Response {
    json_response(StatusCode::OK, &model::rules(&app.rules.program))
}

pub async fn schema(State(app): State<Arc<App>>) -> Response {
    json_response(StatusCode::OK, &model::schema(&app.rules.program))
}

pub async fn treatments(State(app): State<Arc<App>>) -> Response {
    json_response(StatusCode::OK, &model::treatments(&app.rules))
}

#[derive(Deserialize)]
pub struct FormQuery {
    treatment: String,
    date: Option<String>,
}

/// `GET /v1/form?treatment=X&date=YYYY-MM-DD`.
pub async fn form(State(app): State<Arc<App>>, q: Result<Query<FormQuery>, QueryRejection>) -> Response {
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
        "the routes are GET /, POST /v1/check, POST /v1/yaml, GET /v1/rules, GET /v1/schema, \
         GET /v1/treatments, GET /v1/form (docs/api.md)",
    )
}
