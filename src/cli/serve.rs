//! `mtus serve`: bind, print the address, and run the library's server.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use super::common::Ctx;
use mtus::RuleSet;
use mtus::serve::App;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The address to listen on. The default, 127.0.0.1, is this computer
    /// only; the server has no login, so anything else lets whoever can
    /// reach the address check cases with it.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// The port; 0 picks a free one (the address is printed).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// An MTUS Drug List version as CSV (docs/formulary.md); repeat for
    /// several versions. Replaces the built-in confirmed rows.
    #[arg(long = "drug-list", value_name = "FILE")]
    pub drug_list: Vec<PathBuf>,
}

pub fn run(ctx: &mut Ctx, rules: RuleSet, rules_dir: Option<&std::path::Path>, args: &ServeArgs) -> Result<ExitCode> {
    let Some(lists) = super::check::load_drug_lists(ctx, rules_dir, &args.drug_list)? else {
        return Ok(ExitCode::from(1));
    };
    let addr = SocketAddr::new(args.host, args.port);
    let listener = TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr().context("cannot read the address listened on")?;
    if !bound.ip().is_loopback() {
        say!("warning: listening on {bound}, not only this computer: the server has no login");
    }
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
    mtus::serve::serve(listener, app).context("the server stopped")?;
    Ok(ExitCode::SUCCESS)
}
