//! `mtus lsp`: the language server on standard input and output.

use std::process::ExitCode;

use anyhow::Result;

use super::common::Ctx;

#[derive(clap::Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it (the server always speaks over
    /// standard input and output).
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(ctx: &Ctx, _args: &LspArgs) -> Result<ExitCode> {
    let input = std::io::BufReader::new(std::io::stdin());
    let output = std::io::stdout().lock();
    match mtus::lsp::serve(input, output, ctx.limits) {
        Ok(mtus::lsp::Ending::Clean) => Ok(ExitCode::SUCCESS),
        // LSP: `exit` without `shutdown` (or the client gone) exits 1.
        Ok(mtus::lsp::Ending::Abrupt) => Ok(ExitCode::from(1)),
        Err(e) => Err(e.into()),
    }
}
