//! The deploy's view of the chain: `rho:block:data`,
//! `rho:rchain:deployerId:ops`, `rho:rchain:deployId`,
//! `rho:rchain:deployerId` and `sys:authToken:ops`.

use rho_runtime::native::Powerbox;

use crate::context::RunContext;

/// Binds the chain processes and the deploy-scoped names of `context`.
pub fn install(_powerbox: &mut Powerbox, _context: &RunContext) {}
