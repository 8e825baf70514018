//! The Wasm engine: untrusted modules are validated against the host ABI and
//! the runtime's limits, instrumented with the runtime's own metering, then
//! compiled by wasmtime (Cranelift) and run against the same tuplespace,
//! matcher, names and phlo meter as the evaluator.
//!
//! - [`validate`]: limits, allowed features and imports, the `rho.abi` stamp.
//! - [`meter`]: metering and call-depth injection.
//! - [`engine`]: wasmtime configuration, the compile cache and the driver.
//! - `host`: the ABI's imports, working on the evaluator's `Machine`.

pub mod engine;
pub mod foreign;
pub(crate) mod host;
pub mod meter;
pub mod reject;
pub mod validate;

pub use engine::{CompiledModule, DEFAULT_MAX_CALL_DEPTH, ModuleError, Origin, WasmEngine};
