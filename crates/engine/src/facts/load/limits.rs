//! The limits a case file must keep within, so that no input, however
//! made, costs more than linear time or overflows the stack.

/// How deep mappings and lists may nest. A case needs five or six levels
/// (`determination.decisions[].cites[]`); 64 leaves room for any honest
/// file and bounds every recursion over the tree.
pub const MAX_DEPTH: usize = 64;

/// The largest case file read, in bytes, by a loader made without limits
/// (16 MiB, the command line's default `--max-file-bytes`; a real case is a
/// few KB). The command line gives the loader its own cap instead.
pub const MAX_BYTES: usize = 16 << 20;

/// The largest magnitude a number in a case may have, in the base unit of
/// its dimension for a quantity (mg, days, visits): past it a value is a
/// typo or an attack, never a record.
pub const MAX_MAGNITUDE: f64 = 1e9;

/// The most significant digits a number may have: past 15 an `f64` cannot
/// hold it exactly, so two readings could disagree.
pub const MAX_DIGITS: usize = 15;

/// The limits a [`super::Loader`] applies. YAML aliases are never
/// accepted (so no alias can expand), whatever the limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Mappings and lists nested deeper than this are an error.
    pub max_depth: usize,
    /// A file longer than this (in bytes) is an error.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: MAX_DEPTH,
            max_bytes: MAX_BYTES,
        }
    }
}
