//! The deploy and block a run executes in: what `rho:block:data`,
//! `rho:rchain:deployId` and `rho:rchain:deployerId` report.

/// The run context. `rhoc run` fills it from `--deployer`, `--deploy-id`,
/// `--block-number`, `--timestamp` and `--block-sender`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunContext {
    /// The deployer's public key (what `rho:rchain:deployerId` wraps).
    pub deployer: Vec<u8>,
    /// The deploy's signature (what `rho:rchain:deployId` wraps).
    pub deploy_id: Vec<u8>,
    /// The number of the block the deploy runs in.
    pub block_number: i64,
    /// The block's timestamp, in milliseconds since the Unix epoch.
    pub timestamp: i64,
    /// The public key of the validator that made the block.
    pub block_sender: Vec<u8>,
}

impl Default for RunContext {
    /// A local run: block 0 at time 0, and all-zero keys and signature
    /// (a 65-byte uncompressed secp256k1 key and a 64-byte signature, the
    /// shapes the reference uses).
    fn default() -> Self {
        RunContext {
            deployer: vec![0; 65],
            deploy_id: vec![0; 64],
            block_number: 0,
            timestamp: 0,
            block_sender: vec![0; 65],
        }
    }
}
