//! The normalized term structure: protobuf messages generated from
//! `proto/RhoTypes.proto`.
//!
//! The top-level type is [`Par`]. Nil is `Par::default()`.

#![allow(missing_docs, clippy::all)]

include!(concat!(env!("OUT_DIR"), "/rho.rs"));
