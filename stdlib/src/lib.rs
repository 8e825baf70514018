//! `rho-stdlib`: the powerbox and the standard library.
//!
//! The powerbox is the layer between the machine's resources and Rholang: it
//! binds the `rho:` URIs of a run to native processes (see
//! [`rho_runtime::native`]) and hands out authority as object capabilities.
//! Everything the reference provides is bound for every run (printing,
//! hashing, signature checks, block data, the deploy's identity, the
//! registry); what touches the outside world (files, network, foreign Wasm)
//! is bound only when the operator grants it ([`Grants`]), and its outcomes
//! are recorded in the event log so that replay never touches the world.
//!
//! The standard library's contracts are written in Rholang
//! ([`library`]); they are bound to `rho:lang:` URIs and run as preludes of
//! the programs that use them.
//!
//! Map of the crate:
//! - [`context`]: the deploy and block a run executes in;
//! - [`grants`]: the capabilities an operator grants;
//! - [`crypto`]: `ed25519Verify`, `secp256k1Verify`;
//! - [`chain`]: `rho:block:data`, `rho:rchain:deployerId:ops`,
//!   `rho:rchain:deployId`, `rho:rchain:deployerId`, `sys:authToken:ops`;
//! - [`registry`]: `rho:registry:ops`, `lookup`, `insertArbitrary`,
//!   `insertSigned:secp256k1`;
//! - [`fs`] and [`net`]: the file and network resolvers;
//! - [`ffi`]: foreign Wasm modules as processes;
//! - [`library`]: the Rholang library contracts.

pub mod chain;
pub mod context;
pub mod crypto;
pub mod ffi;
pub mod fs;
pub mod grants;
pub mod library;
pub mod net;
pub mod registry;

pub use context::RunContext;
pub use grants::Grants;
use rho_runtime::native::Powerbox;

/// Everything a run's powerbox is built from.
#[derive(Clone, Debug, Default)]
pub struct PowerboxOptions {
    /// The deploy and block the run executes in.
    pub context: RunContext,
    /// The capabilities the operator grants.
    pub grants: Grants,
}

/// The powerbox of a run: every reference system process, the library
/// contracts' URIs, and the resolvers that `options.grants` allows.
pub fn powerbox(options: &PowerboxOptions) -> Powerbox {
    let mut powerbox = Powerbox::standard();
    crypto::install(&mut powerbox);
    chain::install(&mut powerbox, &options.context);
    registry::install(&mut powerbox);
    fs::install(&mut powerbox, &options.grants);
    net::install(&mut powerbox, &options.grants);
    ffi::install(&mut powerbox, &options.grants);
    library::install(&mut powerbox);
    for capability in options.grants.to_log() {
        powerbox.note_grant(capability);
    }
    powerbox
}
