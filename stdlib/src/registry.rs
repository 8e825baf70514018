//! The registry: `rho:registry:ops`, `rho:registry:lookup`,
//! `rho:registry:insertArbitrary` and `rho:registry:insertSigned:secp256k1`.

use rho_runtime::native::Powerbox;

/// Binds the registry's processes.
pub fn install(_powerbox: &mut Powerbox) {}
