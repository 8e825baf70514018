//! The registry: `rho:registry:ops`, `rho:registry:lookup`,
//! `rho:registry:insertArbitrary` and `rho:registry:insertSigned:secp256k1`.
//!
//! The reference implements the registry in Rholang (its `Registry.rho`, a
//! tree hash map over the tuplespace) on top of the `buildUri` system
//! process. Here it is native and keeps its entries in the run's system
//! store (keyed by URI), so they are part of the state hash; what each call
//! answers is what the reference's contracts answer:
//!
//! - `ops!("buildUri", bytes, ret)`: the `rho:id:` URI of `bytes` (the
//!   z-base-32 of its Blake2b-256 hash and a CRC-14), `Nil` for anything but
//!   a byte array;
//! - `lookup!(uri, ret)`: the value registered at `uri`, or `Nil`;
//! - `insertArbitrary!(value, ret)`: registers `value` at the URI of a fresh
//!   unforgeable name (`buildUri` of the name's `toByteArray()`) and answers
//!   that URI;
//! - `insertSigned!(publicKey, (nonce, value), signature, ret)`: checks the
//!   secp256k1 `signature` (DER) of the Blake2b-256 hash of
//!   `(nonce, value).toByteArray()` and registers `(nonce, value)` at
//!   `buildUri(publicKey)`, answering the URI. A bad signature, or a nonce
//!   not greater than the one already registered, answers `Nil`. A second
//!   argument that is not a pair answers nothing, as in the reference.
//!
//! The reference's `lookup` also resolves a few shorthands of its genesis
//! contracts (`rho:rchain:revVault`, ...); those contracts do not exist
//! here, so neither do the shorthands.

mod uri;

use std::cmp::Ordering;

use rho_runtime::native::builtin::fixed_channel;
use rho_runtime::native::{FnProcess, NativeCall, Powerbox, bad_arguments};
use rho_runtime::ops::ordering;
use rho_runtime::{RuntimeError, Value};

pub use self::uri::{blake2b256, build_uri, uri_for_key};
use crate::crypto;

/// Phlo per byte hashed or serialized (keys, signed values, names).
pub const REGISTRY_PHLO_PER_BYTE: u64 = 1;

/// The reference's fixed channel ids (its `FixedChannels`).
const LOOKUP_CHANNEL: u8 = 14;
const INSERT_ARBITRARY_CHANNEL: u8 = 15;
const INSERT_SIGNED_CHANNEL: u8 = 16;
const OPS_CHANNEL: u8 = 17;

/// The prefix of the registry's keys in the system store.
const STORE_PREFIX: &[u8] = b"rho:registry:";

/// Binds the registry's processes.
pub fn install(powerbox: &mut Powerbox) {
    powerbox.bind_process_at(
        "rho:registry:ops",
        fixed_channel(OPS_CHANNEL),
        FnProcess::shared("rho:registry:ops", &[3], ops),
    );
    powerbox.bind_process_at(
        "rho:registry:lookup",
        fixed_channel(LOOKUP_CHANNEL),
        FnProcess::shared("rho:registry:lookup", &[2], lookup),
    );
    powerbox.bind_process_at(
        "rho:registry:insertArbitrary",
        fixed_channel(INSERT_ARBITRARY_CHANNEL),
        FnProcess::shared("rho:registry:insertArbitrary", &[2], insert_arbitrary),
    );
    powerbox.bind_process_at(
        "rho:registry:insertSigned:secp256k1",
        fixed_channel(INSERT_SIGNED_CHANNEL),
        FnProcess::shared("rho:registry:insertSigned:secp256k1", &[4], insert_signed),
    );
}

/// The bytes a signed insertion signs (before hashing): the protobuf
/// encoding of the pair `(nonce, value)`, what `toByteArray()` gives.
pub fn signed_bytes(nonce: &Value, value: &Value) -> Vec<u8> {
    to_byte_array(&Value::tuple(vec![nonce.clone(), value.clone()]))
}

/// `("buildUri", bytes, ret)`.
fn ops(call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
    match args.as_slice() {
        [Value::Str(method), argument, ret] if &**method == "buildUri" => {
            let answer = match argument {
                Value::Bytes(bytes) => {
                    charge_bytes(call, bytes.len())?;
                    Value::Uri(uri_for_key(bytes).into())
                }
                _ => Value::Nil,
            };
            call.send(ret.clone(), vec![answer]);
            Ok(())
        }
        _ => Err(bad_arguments(
            "rho:registry:ops",
            "(\"buildUri\", bytes, ret)",
            &args,
        )),
    }
}

/// `(uri, ret)`.
fn lookup(call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
    let [key, ret] = <[Value; 2]>::try_from(args)
        .map_err(|args| bad_arguments("rho:registry:lookup", "(uri, ret)", &args))?;
    let found = match &key {
        Value::Uri(uri) => {
            charge_bytes(call, uri.len())?;
            call.store_get(&store_key(uri)).cloned()
        }
        // The reference looks any value up, and finds only URIs.
        _ => None,
    };
    call.send(ret, vec![found.unwrap_or(Value::Nil)]);
    Ok(())
}

/// `(value, ret)`.
fn insert_arbitrary(call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
    let [value, ret] = <[Value; 2]>::try_from(args)
        .map_err(|args| bad_arguments("rho:registry:insertArbitrary", "(value, ret)", &args))?;
    let seed = to_byte_array(&call.fresh_name());
    charge_bytes(call, seed.len())?;
    charge_storage(call, &value)?;
    let uri = uri_for_key(&seed);
    call.store_put(store_key(&uri), value);
    call.send(ret, vec![Value::Uri(uri.into())]);
    Ok(())
}

/// `(publicKey, (nonce, value), signature, ret)`.
fn insert_signed(call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
    let [public_key, entry, signature, ret] = <[Value; 4]>::try_from(args).map_err(|args| {
        bad_arguments(
            "rho:registry:insertSigned:secp256k1",
            "(publicKey, (nonce, value), signature, ret)",
            &args,
        )
    })?;
    let Some(nonce) = pair_first(&entry) else {
        // The reference's `match value { (nonce, data) => ... }` has no
        // other case.
        return Ok(());
    };
    let signed = to_byte_array(&entry);
    charge_bytes(call, signed.len())?;
    let hash = blake2b256(&signed);
    let (Value::Bytes(public_key), Value::Bytes(signature)) = (&public_key, &signature) else {
        return Err(bad_arguments(
            "secp256k1Verify",
            "data, signature, public key (all as byte arrays), and an acknowledgement channel",
            &[
                Value::Bytes(hash.to_vec().into()),
                signature,
                public_key,
                ret,
            ],
        ));
    };
    call.charge(crypto::VERIFY_PHLO)?;
    let verified = crypto::secp256k1_verify(&hash, signature, public_key)
        .map_err(|error| RuntimeError::SystemProcess(format!("secp256k1Verify: {error}")))?;
    if !verified {
        call.send(ret, vec![Value::Nil]);
        return Ok(());
    }
    charge_bytes(call, public_key.len())?;
    let uri = uri_for_key(public_key);
    let key = store_key(&uri);
    let replaces = match call.store_get(&key) {
        None => true,
        Some(registered) => match pair_first(registered) {
            Some(old_nonce) => is_greater(nonce, old_nonce)?,
            // Only pairs are registered at a signed URI; the reference
            // would not answer either.
            None => return Ok(()),
        },
    };
    if !replaces {
        call.send(ret, vec![Value::Nil]);
        return Ok(());
    }
    charge_storage(call, &entry)?;
    call.store_put(key, entry);
    call.send(ret, vec![Value::Uri(uri.into())]);
    Ok(())
}

/// The first element of a pair.
fn pair_first(value: &Value) -> Option<&Value> {
    match value {
        Value::Tuple(items) if items.len() == 2 => items.first(),
        _ => None,
    }
}

/// `nonce > old`, as Rholang's `>` decides it.
fn is_greater(nonce: &Value, old: &Value) -> Result<bool, RuntimeError> {
    Ok(ordering(nonce, old)? == Ordering::Greater)
}

/// `value.toByteArray()`: the protobuf encoding of the value as a Par.
fn to_byte_array(value: &Value) -> Vec<u8> {
    rho_host_abi::encode::encode_par(&value.to_par())
}

fn store_key(uri: &str) -> Vec<u8> {
    [STORE_PREFIX, uri.as_bytes()].concat()
}

fn charge_bytes(call: &mut NativeCall<'_>, len: usize) -> Result<(), RuntimeError> {
    call.charge(len as u64 * REGISTRY_PHLO_PER_BYTE)
}

/// Storage is charged by serialized size, as the tuplespace charges it.
fn charge_storage(call: &mut NativeCall<'_>, value: &Value) -> Result<(), RuntimeError> {
    call.charge(value.encoded_len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_compare_like_rholang() {
        assert!(is_greater(&Value::Int(2), &Value::Int(1)).unwrap());
        assert!(!is_greater(&Value::Int(1), &Value::Int(1)).unwrap());
        assert!(!is_greater(&Value::Int(-5), &Value::Int(1)).unwrap());
        assert!(is_greater(&Value::string("b"), &Value::string("a")).unwrap());
        let error = is_greater(&Value::Int(1), &Value::string("a")).unwrap_err();
        assert_eq!(error.to_string(), "Unexpected compare: 1 vs. \"a\"");
    }

    #[test]
    fn only_pairs_carry_a_nonce() {
        let pair = Value::tuple(vec![Value::Int(7), Value::Nil]);
        assert_eq!(pair_first(&pair), Some(&Value::Int(7)));
        assert_eq!(pair_first(&Value::tuple(vec![Value::Int(7)])), None);
        assert_eq!(pair_first(&Value::list([Value::Int(7), Value::Nil])), None);
    }
}
