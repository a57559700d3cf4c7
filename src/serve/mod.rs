//! `mtus serve`: a web page and a JSON API for checking a request before
//! it is submitted, on the office's own machine.
//!
//! `router` builds the routes (page, `/v1/*`); `serve` runs them on a
//! bound listener with its own accept loop (hyper's HTTP/1 connections
//! on a tokio runtime with timers). A posted case goes through the same
//! path as `mtus check --format json` (`facts::Loader`,
//! `eval::decide_case`, `report::case_report`, `report::authorization`),
//! so the page, the API and the command line cannot disagree.
//!
//! Invariants:
//! - No outbound connection (the page loads nothing from elsewhere: its
//!   script and style are inline); no case content is logged.
//! - Only its own names: a request whose `Host` is not the address
//!   listened on (`ip:port`, also `localhost:port` on loopback, or a name
//!   given with `Options::allow_hosts`) is refused with 421 before any
//!   route runs, so a page on another site cannot reach it through DNS
//!   rebinding; a `POST` whose `Origin` is present and not one of those
//!   (`http://host:port`) is refused with 403.
//! - The API takes `Content-Type: application/json` only (415 otherwise),
//!   so a page elsewhere cannot post without a preflight the server never
//!   answers.
//! - Bounded: `Settings` caps the connections open (the rest wait in the
//!   kernel's queue, not accepted), the requests handled at once, the
//!   time to send headers (which also closes an idle keep-alive
//!   connection) and a body, the header bytes, and the bytes of bodies
//!   held at once; a body longer than the input cap (`inputs::Limits`'
//!   `max_file_bytes`) is refused with 413 by its `Content-Length` before
//!   it is read, or as soon as it streams past the cap.
//! - Decisions (loading and deciding a posted case, the form's name
//!   lookup) run on a bounded blocking pool, never on the threads that
//!   serve connections, so a slow case never holds up the page, the
//!   cached views (`/v1/rules`, `/v1/schema`, `/v1/treatments`, computed
//!   once at start) or other requests.
//! - A failed accept (no descriptors left) is logged once and retried
//!   with a back-off; the server goes on.
//! - Every error is a JSON document with the same diagnostics `mtus check`
//!   prints; a panic in a decision is a 500, not the end of the server.

mod api;
pub mod line;
pub mod med;
pub mod model;
mod page;
pub mod questions;
pub mod yaml;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRef, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use tokio::sync::Semaphore;

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

/// How long a client has to send a request's headers, counted from when
/// the server starts waiting for them: a connection that trickles its
/// headers, sends nothing, or stays idle after an answer (keep-alive) is
/// closed after this.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client has to send a request's body once its headers are
/// read (and, before that, to wait for room among the bodies held at
/// once); past it the answer is 408 and the connection is closed.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections open at once; past it the server stops accepting until one
/// closes (the others wait in the kernel's queue).
pub const MAX_CONNECTIONS: usize = 256;

/// Requests handled at once; a request past it waits for a slot up to
/// `BODY_TIMEOUT`, then gets 503.
pub const MAX_IN_FLIGHT: usize = 64;

/// Bytes of request bodies held at once (a body of unknown length counts
/// as the whole input cap); a body waits until there is room. Never less
/// than the input cap, so a body the cap allows can always be read.
pub const BODY_BUDGET_BYTES: u64 = 64 * 1024 * 1024;

/// Bytes of a request's line and headers (hyper's read buffer): the
/// longest query string a client can send.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The longest wait between two tries to accept a connection after accept
/// failed (no descriptors left, say); the wait starts at 10 ms and doubles.
pub const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// The limits the server runs with; `Settings::default()` is the constants
/// above, with one decision thread per core but one (at least one).
#[derive(Clone, Debug)]
pub struct Settings {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
    pub max_in_flight: usize,
    pub body_budget_bytes: u64,
    /// Threads deciding cases at once (the blocking pool's bound).
    pub decision_threads: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Settings {
            header_timeout: HEADER_TIMEOUT,
            body_timeout: BODY_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            max_in_flight: MAX_IN_FLIGHT,
            body_budget_bytes: BODY_BUDGET_BYTES,
            decision_threads: cores.saturating_sub(1).max(1),
        }
    }
}

/// How the server is reached: the names it answers to beyond its own
/// address, and its limits.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Host names (without port) a request's `Host` may give besides the
    /// address listened on, as with `--allow-host`.
    pub allow_hosts: Vec<String>,
    pub settings: Settings,
}

/// Which `Host` (and `Origin`) a request may give.
#[derive(Debug)]
struct Hosts {
    /// The address listened on; unspecified (0.0.0.0, ::) accepts any
    /// address written as an IP (a rebinding attack needs a name).
    ip: IpAddr,
    port: u16,
    /// Lowercase names: `--allow-host`'s, and `localhost` on loopback.
    names: Vec<String>,
}

impl Hosts {
    fn new(bound: SocketAddr, allow: &[String]) -> Hosts {
        let mut names: Vec<String> = allow.iter().map(|n| n.to_ascii_lowercase()).collect();
        if bound.ip().is_loopback() {
            names.push("localhost".to_string());
        }
        Hosts {
            ip: bound.ip(),
            port: bound.port(),
            names,
        }
    }

    /// Whether `authority` (a `Host` value, or an origin without its
    /// scheme) names this server: its host one of ours, its port ours
    /// (or left out when ours is 80).
    fn allows(&self, authority: &str) -> bool {
        let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
            match rest.split_once(']') {
                Some((h, p)) => (h, p),
                None => return false,
            }
        } else {
            match authority.rfind(':') {
                Some(i) => (&authority[..i], &authority[i..]),
                None => (authority, ""),
            }
        };
        let port_ok = match port.strip_prefix(':') {
            Some(p) => p.parse::<u16>().is_ok_and(|p| p == self.port),
            None => port.is_empty() && self.port == 80,
        };
        if !port_ok || host.is_empty() {
            return false;
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            // A bracketed host is IPv6 only; an unbracketed one never is.
            if authority.starts_with('[') != ip.is_ipv6() {
                return false;
            }
            return ip == self.ip || self.ip.is_unspecified();
        }
        self.names.iter().any(|n| n.eq_ignore_ascii_case(host))
    }
}

/// The JSON views that depend only on the rules, computed once at start.
struct Views {
    rules: Bytes,
    schema: Bytes,
    treatments: Bytes,
}

/// The router's state: the app and what bounds the work on it.
#[derive(Clone)]
struct Shared {
    app: Arc<App>,
    server: Arc<Server>,
}

struct Server {
    settings: Settings,
    hosts: Hosts,
    /// Permits to decide a case (the blocking pool's bound).
    pool: Arc<Semaphore>,
    /// KiB of bodies held at once.
    budget: Arc<Semaphore>,
    budget_kib: u32,
    in_flight: Arc<Semaphore>,
    views: Views,
}

impl FromRef<Shared> for Arc<App> {
    fn from_ref(s: &Shared) -> Arc<App> {
        s.app.clone()
    }
}

/// Every route of the server, for an `app` listened for on `bound`.
pub fn router(app: Arc<App>, bound: SocketAddr, options: &Options) -> Router {
    let settings = options.settings.clone();
    let budget = settings.body_budget_bytes.max(app.limits.max_file_bytes);
    let budget_kib = u32::try_from(budget.div_ceil(1024))
        .unwrap_or(u32::MAX >> 3)
        .min(u32::MAX >> 3);
    let views = Views {
        rules: api::json_bytes(&model::rules(&app.rules.program)),
        schema: api::json_bytes(&model::schema(&app.rules.program)),
        treatments: api::json_bytes(&model::treatments(&app.rules)),
    };
    let server = Server {
        hosts: Hosts::new(bound, &options.allow_hosts),
        pool: Arc::new(Semaphore::new(settings.decision_threads.max(1))),
        budget: Arc::new(Semaphore::new(budget_kib as usize)),
        budget_kib,
        in_flight: Arc::new(Semaphore::new(settings.max_in_flight.max(1))),
        settings,
        views,
    };
    let shared = Shared {
        app,
        server: Arc::new(server),
    };
    Router::new()
        .route("/", get(page::index))
        .route("/v1/check", post(api::check))
        .route("/v1/yaml", post(api::yaml))
        .route("/v1/request", post(api::request_line))
        .route("/v1/med", post(api::med))
        .route("/v1/case", post(api::case_file))
        .route("/v1/rules", get(api::rules))
        .route("/v1/schema", get(api::schema))
        .route("/v1/treatments", get(api::treatments))
        .route("/v1/form", get(api::form))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), guard))
        .with_state(shared)
}

/// Before any route: the `Host` and `Origin` checks, then a slot among
/// the requests in flight.
async fn guard(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let hosts = &s.server.hosts;
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    if !host.is_some_and(|h| hosts.allows(h)) {
        let shown = host.map_or_else(|| "no host".to_string(), |h| format!("the host `{}`", h.escape_debug()));
        return api::bare_error(
            StatusCode::MISDIRECTED_REQUEST,
            "unknown-host",
            format!("the request names {shown}, not this server"),
            &format!(
                "ask for http://{}/ (start the server with --allow-host NAME to answer to another name)",
                SocketAddr::new(hosts.ip, hosts.port)
            ),
        );
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if let Some(origin) = req.headers().get(header::ORIGIN).filter(|_| !safe) {
        let own = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|a| hosts.allows(a));
        if !own {
            return api::bare_error(
                StatusCode::FORBIDDEN,
                "cross-origin",
                "the request comes from a page of another site".to_string(),
                "post from the server's own page, or from a client that sends no Origin",
            );
        }
    }
    let permit = tokio::time::timeout(
        s.server.settings.body_timeout,
        s.server.in_flight.clone().acquire_owned(),
    )
    .await;
    let Ok(Ok(_permit)) = permit else {
        return api::busy();
    };
    next.run(req).await
}

/// Serve `app` on a bound listener until the process ends.
pub fn serve(listener: std::net::TcpListener, app: App, options: &Options) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    let router = router(Arc::new(app), bound, options);
    let settings = options.settings.clone();
    // Timers: the header and body timeouts and the accept back-off.
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        accept_loop(listener, router, &settings).await
    })
}

/// Accept connections while fewer than `max_connections` are open, each
/// served on its own task; a failed accept is logged once per run of
/// failures and retried after a growing wait.
async fn accept_loop(listener: tokio::net::TcpListener, router: Router, settings: &Settings) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let open = Arc::new(Semaphore::new(settings.max_connections.max(1)));
    let mut backoff: Option<Duration> = None;
    loop {
        let Ok(permit) = open.clone().acquire_owned().await else {
            return Ok(());
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => {
                backoff = None;
                stream
            }
            Err(e) if is_per_connection(&e) => continue,
            Err(e) => {
                let wait = match backoff {
                    None => {
                        say_accept_failed(&e);
                        Duration::from_millis(10)
                    }
                    Some(w) => (w * 2).min(ACCEPT_BACKOFF_MAX),
                };
                backoff = Some(wait);
                drop(permit);
                tokio::time::sleep(wait).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        let header_timeout = settings.header_timeout;
        tokio::spawn(async move {
            let _permit = permit;
            let _ = stream.set_nodelay(true);
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(header_timeout)
                .max_buf_size(MAX_HEADER_BYTES)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            // A connection's error (reset, timed out, bad request line) is
            // its own; it ends that connection only.
            let _ = conn.await;
        });
    }
}

/// Errors of one connection that was never ours (reset or aborted while
/// queued): try the next one at once.
fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset)
}

fn say_accept_failed(e: &std::io::Error) {
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "mtus serve: cannot accept a connection ({e}); waiting for connections to close, then going on"
    );
}
