//! `rho-stdlib`: the powerbox (system processes bound to `rho:` URIs) and the
//! library contracts written in Rholang.
//!
//! Not yet implemented: the system processes the conformance programs need
//! live in the runtime until this crate takes them over.
