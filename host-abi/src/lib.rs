//! `rho-host-abi`: everything that crosses the boundary between generated
//! guest code and the host.
//!
//! This crate owns the Par data model (protobuf messages generated from a
//! `.proto` that is field-compatible with RChain's `RhoTypes.proto`). It is
//! used by the compiler (which produces Pars), the runtime (which executes
//! them) and every tool that exchanges normalized terms. It depends on neither
//! wasmtime nor the compiler.
#![deny(missing_docs)]

pub mod par;
