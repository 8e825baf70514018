//! `rhoc`: the Rholang front end (parser, normalizer) and the command line.

pub mod diagnostic;
pub(crate) mod syntax;
