//! `rho-runtime`: executes normalized Rholang.
//!
//! Work in progress: the tuplespace, matcher and evaluator land here.

pub mod matcher;
