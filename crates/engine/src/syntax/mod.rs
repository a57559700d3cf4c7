//! Stage 1: rule text to syntax tree (pest grammar, chunked error recovery).
//!
//! Invariants: never resolves a name or a type; never panics on any input;
//! every node carries a span; no expression tree it returns nests deeper
//! than [`parse::MAX_NESTING`] levels of parentheses and `not`.

pub mod ast;
pub mod comments;
pub mod parse;

pub use parse::{MAX_NESTING, parse_file};
