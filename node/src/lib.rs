//! `rho-node`: the validator daemon (storage, deploys, blocks, networking).
//!
//! Not yet implemented.
