//! `mtus serve`: bind, print the address, and run the library's server.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use super::common::Ctx;
use mtus::RuleSet;
use mtus::serve::{App, Options, Settings};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The address to listen on. The default, 127.0.0.1, is this computer
    /// only; any other address needs --public.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// Listen on a --host other than loopback: the server has no login, so
    /// whoever can reach the address can check cases with it.
    #[arg(long)]
    pub public: bool,
    /// A host name requests may give (in their `Host` header) besides the
    /// address listened on; repeat for several. Others are refused, so a
    /// page on another site cannot reach the server by renaming itself.
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// The port; 0 picks a free one (the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// An MTUS Drug List version as CSV (docs/formulary.md); repeat for
    /// several versions. Replaces the built-in confirmed rows.
    #[arg(long = "drug-list", value_name = "FILE")]
    pub drug_list: Vec<PathBuf>,
    /// Milliseconds a client has to send its headers (and an idle
    /// connection stays open); for tests.
    #[arg(long, hide = true, value_name = "MS")]
    pub header_timeout_ms: Option<u64>,
    /// Milliseconds a client has to send a body; for tests.
    #[arg(long, hide = true, value_name = "MS")]
    pub body_timeout_ms: Option<u64>,
    /// Connections open at once; for tests.
    #[arg(long, hide = true, value_name = "N")]
    pub max_connections: Option<usize>,
}

pub fn run(ctx: &mut Ctx, rules: RuleSet, rules_dir: Option<&std::path::Path>, args: &ServeArgs) -> Result<ExitCode> {
    if !args.host.is_loopback() && !args.public {
        bail!(
            "--host {} is reachable beyond this computer and the server has no login; \
             pass --public to listen there anyway, or leave --host out to listen on 127.0.0.1 only",
            args.host
        );
    }
    let allow_hosts = allowed_names(&args.allow_host)?;
    let Some(lists) = super::check::load_drug_lists(ctx, rules_dir, &args.drug_list)? else {
        return Ok(ExitCode::from(1));
    };
    let addr = SocketAddr::new(args.host, args.port);
    let listener = TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr().context("cannot read the address listened on")?;
    if !bound.ip().is_loopback() {
        say!("warning: listening on {bound}, not only this computer: the server has no login");
    }
    let mut settings = Settings::default();
    if let Some(ms) = args.header_timeout_ms {
        settings.header_timeout = Duration::from_millis(ms.max(1));
    }
    if let Some(ms) = args.body_timeout_ms {
        settings.body_timeout = Duration::from_millis(ms.max(1));
    }
    if let Some(n) = args.max_connections {
        settings.max_connections = n.max(1);
    }
    let options = Options { allow_hosts, settings };
    // The first line of standard output is the URL, for people and for
    // scripts that started the server on port 0.
    let mut out = std::io::stdout().lock();
    writeln!(out, "mtus serve: listening on http://{bound}/").context("cannot write the address")?;
    out.flush().context("cannot write the address")?;
    drop(out);
    let app = App {
        rules,
        lists,
        limits: ctx.limits,
    };
    mtus::serve::serve(listener, app, &options).context("the server stopped")?;
    Ok(ExitCode::SUCCESS)
}

/// `--allow-host` names: a host name only (letters, digits, `-`, `.`), no
/// port, scheme or path.
fn allowed_names(names: &[String]) -> Result<Vec<String>> {
    for n in names {
        let ok =
            !n.is_empty() && n.len() <= 253 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !ok {
            bail!(
                "--allow-host `{}` is not a host name; give a name such as `mtus.office.lan`, without port, scheme or path",
                n.escape_debug()
            );
        }
    }
    Ok(names.to_vec())
}
