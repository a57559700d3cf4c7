//! The commands of the binary, one module each.

pub mod audit;
pub mod check;
pub mod common;

/// Output format shared by the commands.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}
