//! `mtus serve`: a web page and a JSON API for checking a request before
//! it is submitted, on the office's own machine.
//!
//! `router` builds the routes (page, `/v1/*`); `serve` runs them on a
//! bound listener. A posted case goes through the same path as `mtus
//! check --format json` (`facts::Loader`, `eval::decide_case`,
//! `report::case_report`, `report::authorization`), so the page, the API
//! and the command line cannot disagree.
//!
//! Invariants: no outbound connection (the page loads nothing from
//! elsewhere: its script and style are inline); no case content is
//! logged; a body larger than the input cap (`inputs::Limits`'
//! `max_file_bytes`) is refused with 413 before it is parsed; every error
//! is a JSON document with the same diagnostics `mtus check` prints.

mod api;
pub mod model;
mod page;
pub mod yaml;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::RuleSet;
use crate::formulary::DrugLists;
use crate::inputs::Limits;

/// What every request handler reads: the rules, the drug lists and the
/// caps, fixed when the server starts.
pub struct App {
    pub rules: RuleSet,
    pub lists: DrugLists,
    pub limits: Limits,
}

/// The name a posted case has in diagnostics and in the report's `file`.
pub const POSTED_FILE: &str = "case.json";

/// Every route of the server.
pub fn router(app: Arc<App>) -> Router {
    let cap = usize::try_from(app.limits.max_file_bytes).unwrap_or(usize::MAX);
    Router::new()
        .route("/", get(page::index))
        .route("/v1/check", post(api::check))
        .route("/v1/yaml", post(api::yaml))
        .route("/v1/rules", get(api::rules))
        .route("/v1/schema", get(api::schema))
        .route("/v1/treatments", get(api::treatments))
        .route("/v1/form", get(api::form))
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(cap))
        .with_state(app)
}

/// Serve `app` on a bound listener until the process ends.
pub fn serve(listener: std::net::TcpListener, app: App) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_io().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, router(Arc::new(app))).await
    })
}
