//! `rho-runtime`: executes normalized Rholang.
//!
//! The runtime owns everything that runs a deploy: values ([`value`]), the
//! spatial matcher ([`matcher`]), operators and methods ([`ops`]), the
//! tuplespace with its event log ([`tuplespace`]), fresh names ([`names`]),
//! phlo accounting ([`phlo`]), native processes and the powerbox ([`native`]) and the Par
//! evaluator ([`eval`]). Its users are the `rhoc` CLI, the node and the
//! tests, all through this crate's public API.

pub mod error;
pub mod eval;
pub mod matcher;
pub mod names;
pub mod native;
pub mod ops;
pub mod phlo;
pub mod tuplespace;
pub mod value;
pub mod wasm;

pub use error::{LocatedError, RuntimeError};
pub use eval::{DEFAULT_SEED, LogMode, RunConfig, RunReport, run, run_with_preludes};
pub use value::Value;
