//! The commands of the binary, one module each.

pub mod audit;
pub mod check;
pub mod code;
pub mod common;
pub mod doc;
pub mod explain;
pub mod files;
pub mod fmt;
pub mod generate;
pub mod ingest;
pub mod lint;
pub mod lsp;
pub mod new;
pub mod request;
pub mod schema;
pub mod serve;
pub mod test;
pub mod watch;

/// Output format shared by the commands.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}
