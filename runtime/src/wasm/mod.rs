//! The Wasm engine: untrusted modules are validated against the host ABI and
//! the runtime's limits, instrumented with the runtime's own metering, then
//! compiled by wasmtime (Cranelift) and run against the same tuplespace,
//! matcher, names and phlo meter as the evaluator.
//!
//! - [`validate`]: limits, allowed features and imports, the `rho.abi` stamp.
//! - [`meter`]: metering and call-depth injection.

pub mod meter;
pub mod validate;
