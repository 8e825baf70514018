//! Foreign Wasm modules as processes: `rho:ffi:wasm`.

use rho_runtime::native::Powerbox;

use crate::grants::Grants;

/// Binds `rho:ffi:wasm` if `grants` allow it; withholds it otherwise.
pub fn install(powerbox: &mut Powerbox, _grants: &Grants) {
    powerbox.withhold(
        "rho:ffi:wasm",
        "run with --allow-ffi to grant loading Wasm modules",
    );
}
