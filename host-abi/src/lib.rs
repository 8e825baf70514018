//! `rho-host-abi`: everything that crosses the boundary between generated
//! guest code and the host.
//!
//! This crate owns the Par data model (protobuf messages generated from a
//! `.proto` that is field-compatible with RChain's `RhoTypes.proto`). It is
//! used by the compiler (which produces Pars), the runtime (which executes
//! them) and every tool that exchanges normalized terms. It depends on neither
//! wasmtime nor the compiler.
//!
//! - [`par`]: the generated data model.
//! - [`sort`]: the canonical form of Pars and their total order.
//! - [`encode`]: protobuf serialization that copes with deep nesting.
//! - [`print`](mod@print): the reference's pretty printer.
//! - [`source_map`]: from normalized terms back to source positions.
//! - [`abi`]: the host imports, exports, value encoding and custom sections
//!   of generated Wasm modules.
#![deny(missing_docs)]

pub mod abi;
mod bigint;
mod decode;
pub mod encode;
pub mod par;
pub mod print;
mod score;
pub mod sort;
pub mod source_map;
mod stack;
mod term;
mod wire;

pub use encode::{DecodeError, Term, decode_par, encode_par};
pub use print::print_par;
pub use sort::{cmp_expr, cmp_par, sort_par};
pub use source_map::{SourceLoc, SourceMap, term_key};
