//! The options that build a run's powerbox: the run context
//! (`--deployer`, `--block-number`, ...) and the operator's grants
//! (`--allow-fs`, `--allow-net`, `--allow-ffi`).

use std::path::PathBuf;

use rho_runtime::native::Powerbox;
use rho_stdlib::grants::NetGrant;
use rho_stdlib::{Grants, PowerboxOptions, RunContext};

use super::Exit;

/// The deploy and block a run executes in.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct ContextArgs {
    /// The deployer's public key, in hex (what `rho:rchain:deployerId`
    /// wraps); 65 zero bytes by default.
    #[arg(long, value_name = "HEX")]
    pub deployer: Option<String>,
    /// The deploy's signature, in hex (what `rho:rchain:deployId` wraps);
    /// 64 zero bytes by default.
    #[arg(long, value_name = "HEX")]
    pub deploy_id: Option<String>,
    /// The block number `rho:block:data` reports.
    #[arg(long, default_value_t = 0)]
    pub block_number: i64,
    /// The block timestamp `rho:block:data` reports, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub timestamp: i64,
    /// The block sender's public key, in hex; 65 zero bytes by default.
    #[arg(long, value_name = "HEX")]
    pub block_sender: Option<String>,
}

/// The capabilities the operator grants. Nothing is granted by default.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct GrantArgs {
    /// Bind `rho:io:fs` to files under DIR (and nothing outside it).
    #[arg(long, value_name = "DIR")]
    pub allow_fs: Option<PathBuf>,
    /// Let `rho:net:http`, `rho:net:tcp` and `rho:net:udp` reach HOST (on
    /// any port, or only PORT); repeatable.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub allow_net: Vec<String>,
    /// Bind `rho:ffi:wasm`, which loads Wasm modules as processes.
    #[arg(long)]
    pub allow_ffi: bool,
}

impl ContextArgs {
    fn context(&self) -> Result<RunContext, Exit> {
        let defaults = RunContext::default();
        Ok(RunContext {
            deployer: hex_option("--deployer", self.deployer.as_deref(), defaults.deployer)?,
            deploy_id: hex_option("--deploy-id", self.deploy_id.as_deref(), defaults.deploy_id)?,
            block_number: self.block_number,
            timestamp: self.timestamp,
            block_sender: hex_option(
                "--block-sender",
                self.block_sender.as_deref(),
                defaults.block_sender,
            )?,
        })
    }
}

impl GrantArgs {
    fn grants(&self) -> Result<Grants, Exit> {
        let fs_root = match &self.allow_fs {
            Some(dir) => match dir.canonicalize() {
                Ok(root) if root.is_dir() => Some(root),
                Ok(_) => {
                    eprintln!("error: --allow-fs {}: not a directory", dir.display());
                    return Err(Exit::Usage);
                }
                Err(err) => {
                    eprintln!("error: --allow-fs {}: {err}", dir.display());
                    return Err(Exit::Usage);
                }
            },
            None => None,
        };
        let net = self
            .allow_net
            .iter()
            .map(|text| NetGrant::parse(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| {
                eprintln!("error: --allow-net {err}");
                Exit::Usage
            })?;
        Ok(Grants {
            fs_root,
            net,
            ffi: self.allow_ffi,
        })
    }
}

/// The powerbox of `rhoc run`.
pub(crate) fn for_run(context: &ContextArgs, grants: &GrantArgs) -> Result<Powerbox, Exit> {
    Ok(rho_stdlib::powerbox(&PowerboxOptions {
        context: context.context()?,
        grants: grants.grants()?,
    }))
}

/// The powerbox of `rhoc replay`: the grants come from the log, so the
/// replay binds the same resolvers (which take their outcomes from the log
/// and never touch the world).
pub(crate) fn for_replay(context: &ContextArgs, logged: &[String]) -> Result<Powerbox, Exit> {
    let grants = Grants::from_log(logged.iter().map(String::as_str)).map_err(|err| {
        eprintln!("error: {err}");
        Exit::Usage
    })?;
    Ok(rho_stdlib::powerbox(&PowerboxOptions {
        context: context.context()?,
        grants,
    }))
}

fn hex_option(flag: &str, text: Option<&str>, default: Vec<u8>) -> Result<Vec<u8>, Exit> {
    let Some(text) = text else {
        return Ok(default);
    };
    hex::decode(text.strip_prefix("0x").unwrap_or(text)).map_err(|err| {
        eprintln!("error: {flag} takes hex digits: {err}");
        Exit::Usage
    })
}
