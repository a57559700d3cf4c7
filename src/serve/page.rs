//! `GET /`: the page, rendered from `page.html` with the treatment list.
//! Its script and style are inline: the page loads nothing from anywhere
//! but this server.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{App, model};

const TEMPLATE: &str = include_str!("page.html");

/// The page for the rules loaded; `None` if the template fails to render
/// (a bug, answered with 500).
pub fn render(app: &App) -> Option<String> {
    let mut env = minijinja::Environment::new();
    env.add_template("page.html", TEMPLATE).ok()?;
    let tmpl = env.get_template("page.html").ok()?;
    tmpl.render(minijinja::context! {
        treatments => minijinja::value::Serde(model::treatments(&app.rules)),
        version => env!("CARGO_PKG_VERSION"),
    })
    .ok()
}

pub async fn index(State(app): State<Arc<App>>) -> Response {
    match render(&app) {
        Some(html) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                // Nothing from elsewhere: no script, style, image or
                // connection but this server's own.
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                     connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'",
                ),
            ],
            html,
        )
            .into_response(),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
