//! The deploy's view of the chain: `rho:block:data`,
//! `rho:rchain:deployerId:ops`, `rho:rchain:deployId`,
//! `rho:rchain:deployerId` and `sys:authToken:ops`.
//!
//! As in the reference (`SystemProcesses.scala`):
//!
//! - `rho:block:data` takes a return channel and sends it three values, the
//!   block number, its timestamp and its sender's public key:
//!   `for (@number, @timestamp, @sender <- ret)`;
//! - `rho:rchain:deployId` and `rho:rchain:deployerId` are not processes
//!   but names injected per deploy: the unforgeable `DeployId(0x<sig>)` and
//!   `DeployerId(0x<public key>)`;
//! - `rho:rchain:deployerId:ops` answers `("pubKeyBytes", deployerId, ret)`
//!   with the public key's bytes, or `Nil` for anything but a deployer id;
//! - `sys:authToken:ops` answers `("check", token, ret)` with whether
//!   `token` is the system's auth token. There is no way to make one from
//!   Rholang: the node binds one ([`sys_auth_token`]) only for the system
//!   deploys it runs, as the reference binds `sys:casper:authToken`.

use std::sync::Arc;

use rho_host_abi::par::{
    GDeployId, GDeployerId, GSysAuthToken, GUnforgeable, g_unforgeable::UnfInstance,
};
use rho_runtime::Value;
use rho_runtime::native::builtin::fixed_channel;
use rho_runtime::native::{FnProcess, Powerbox, bad_arguments};

use crate::context::RunContext;

/// The reference's fixed channel ids (its `FixedChannels`).
const BLOCK_DATA_CHANNEL: u8 = 10;
const DEPLOYER_ID_OPS_CHANNEL: u8 = 13;
const SYS_AUTH_TOKEN_OPS_CHANNEL: u8 = 18;

/// Binds the chain processes and the deploy-scoped names of `context`.
pub fn install(powerbox: &mut Powerbox, context: &RunContext) {
    let block_data = [
        Value::Int(context.block_number),
        Value::Int(context.timestamp),
        Value::Bytes(context.block_sender.as_slice().into()),
    ];
    powerbox.bind_process_at(
        "rho:block:data",
        fixed_channel(BLOCK_DATA_CHANNEL),
        FnProcess::shared("rho:block:data", &[1], move |call, mut args| {
            if let Some(ret) = args.pop() {
                call.send(ret, block_data.to_vec());
            }
            Ok(())
        }),
    );
    powerbox.bind_process_at(
        "rho:rchain:deployerId:ops",
        fixed_channel(DEPLOYER_ID_OPS_CHANNEL),
        FnProcess::shared("rho:rchain:deployerId:ops", &[3], |call, args| {
            match args.as_slice() {
                [Value::Str(method), deployer_id, ret] if &**method == "pubKeyBytes" => {
                    let answer = match public_key_of(deployer_id) {
                        Some(public_key) => Value::Bytes(public_key.into()),
                        None => Value::Nil,
                    };
                    call.send(ret.clone(), vec![answer]);
                    Ok(())
                }
                _ => Err(bad_arguments(
                    "rho:rchain:deployerId:ops",
                    "(\"pubKeyBytes\", deployerId, ret)",
                    &args,
                )),
            }
        }),
    );
    powerbox.bind_process_at(
        "sys:authToken:ops",
        fixed_channel(SYS_AUTH_TOKEN_OPS_CHANNEL),
        FnProcess::shared("sys:authToken:ops", &[3], |call, args| {
            match args.as_slice() {
                [Value::Str(method), token, ret] if &**method == "check" => {
                    call.send(ret.clone(), vec![Value::Bool(is_sys_auth_token(token))]);
                    Ok(())
                }
                _ => Err(bad_arguments(
                    "sys:authToken:ops",
                    "(\"check\", token, ret)",
                    &args,
                )),
            }
        }),
    );
    powerbox.bind_value("rho:rchain:deployId", deploy_id(&context.deploy_id));
    powerbox.bind_value("rho:rchain:deployerId", deployer_id(&context.deployer));
}

/// The unforgeable name `rho:rchain:deployId` is bound to: the deploy's
/// signature, printed `DeployId(0x<sig>)`.
pub fn deploy_id(signature: &[u8]) -> Value {
    unforgeable(UnfInstance::GDeployIdBody(GDeployId {
        sig: signature.to_vec(),
    }))
}

/// The unforgeable name `rho:rchain:deployerId` is bound to: the deployer's
/// public key, printed `DeployerId(0x<key>)`.
pub fn deployer_id(public_key: &[u8]) -> Value {
    unforgeable(UnfInstance::GDeployerIdBody(GDeployerId {
        public_key: public_key.to_vec(),
    }))
}

/// The system's auth token, which `sys:authToken:ops` recognizes. Only a
/// node's system deploys may be given it (the reference binds it to
/// `sys:casper:authToken` for them); user deploys never are.
pub fn sys_auth_token() -> Value {
    unforgeable(UnfInstance::GSysAuthTokenBody(GSysAuthToken {}))
}

fn unforgeable(instance: UnfInstance) -> Value {
    Value::Unforgeable(Arc::new(GUnforgeable {
        unf_instance: Some(instance),
    }))
}

fn public_key_of(value: &Value) -> Option<&[u8]> {
    match value {
        Value::Unforgeable(name) => match &name.unf_instance {
            Some(UnfInstance::GDeployerIdBody(deployer)) => Some(&deployer.public_key),
            _ => None,
        },
        _ => None,
    }
}

fn is_sys_auth_token(value: &Value) -> bool {
    matches!(
        value,
        Value::Unforgeable(name)
            if matches!(name.unf_instance, Some(UnfInstance::GSysAuthTokenBody(_)))
    )
}
