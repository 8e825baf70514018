//! `rhoc`: the Rholang front end (parser, normalizer) and the command line.
//!
//! The public API is small: [`frontend::compile_source`] turns source text
//! into a canonical [`Par`](rho_host_abi::par::Par) and a
//! [`SourceMap`](rho_host_abi::source_map::SourceMap), or into
//! [`diagnostic::Diagnostic`]s, which [`diagnostic::SourceFile`] renders.
//! Everything else (the lexer, the lalrpop parser, the syntax tree, the
//! normalizer) is internal.

pub mod codegen;
pub mod diagnostic;
pub mod frontend;
mod normalize;
mod syntax;
