//! Signature verification: `rho:crypto:ed25519Verify` and
//! `rho:crypto:secp256k1Verify`.

use rho_runtime::native::Powerbox;

/// Binds the signature verifiers.
pub fn install(_powerbox: &mut Powerbox) {}
