//! Signature verification: `rho:crypto:ed25519Verify` and
//! `rho:crypto:secp256k1Verify`.
//!
//! Both take `(data, signature, publicKey, ret)`, all three byte arrays, and
//! answer `ret!(true)` or `ret!(false)`, as the reference's
//! `SystemProcesses.verifySignatureContract` does. What the reference's
//! libraries reject with an exception instead of `false` is a runtime error
//! here, worded after them:
//!
//! - Ed25519 (the reference uses libsodium through kalium): a public key
//!   that is not 32 bytes or a signature that is not 64 bytes is an
//!   `Invalid size` error; any other bad key or signature is `false`. The
//!   data may have any length. Verification follows libsodium's rules:
//!   canonical `S`, canonical public key, no small-order key or `R`.
//! - secp256k1 (the reference uses libsecp256k1 through its JNI binding):
//!   the data must be a 32-byte hash (the reference signs hashes, never
//!   messages), and a signature or key longer than 520 bytes is an error.
//!   The signature is strict DER with a low `S`; the key is a SEC1 key,
//!   compressed (33 bytes), uncompressed (65 bytes, `04`) or hybrid
//!   (65 bytes, `06`/`07`). Anything else is `false`.

use std::fmt;
use std::sync::Arc;

use ed25519_dalek::{Signature as Ed25519Signature, VerifyingKey as Ed25519Key};
use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature as Secp256k1Signature, VerifyingKey as Secp256k1Key};
use rho_runtime::native::builtin::fixed_channel;
use rho_runtime::native::{FnProcess, NativeProcess, Powerbox, bad_arguments};
use rho_runtime::{RuntimeError, Value};

/// Phlo for one signature check, whatever its input (a check costs about
/// as much as hashing 500 bytes).
pub const VERIFY_PHLO: u64 = 500;

/// Phlo per byte of data: Ed25519 hashes the whole message.
pub const VERIFY_PHLO_PER_BYTE: u64 = 1;

/// The reference's fixed channel ids (its `FixedChannels`).
const ED25519_VERIFY_CHANNEL: u8 = 4;
const SECP256K1_VERIFY_CHANNEL: u8 = 8;

/// The longest signature or key the reference's secp256k1 binding accepts.
const SECP256K1_MAX_INPUT: usize = 520;

/// What the reference's verifiers say when they get the wrong arguments.
const EXPECTED_ARGUMENTS: &str =
    "data, signature, public key (all as byte arrays), and an acknowledgement channel";

/// Binds the signature verifiers.
pub fn install(powerbox: &mut Powerbox) {
    powerbox.bind_process_at(
        "rho:crypto:ed25519Verify",
        fixed_channel(ED25519_VERIFY_CHANNEL),
        verifier("ed25519Verify", ed25519_verify),
    );
    powerbox.bind_process_at(
        "rho:crypto:secp256k1Verify",
        fixed_channel(SECP256K1_VERIFY_CHANNEL),
        verifier("secp256k1Verify", secp256k1_verify),
    );
}

/// An input that the reference rejects with an error rather than `false`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// A key, signature or hash whose length the algorithm refuses outright.
    InvalidSize {
        /// What was given, e.g. `the public key`.
        what: &'static str,
        /// The length it must have, e.g. `32 bytes`.
        expected: &'static str,
        /// Its length in bytes.
        actual: usize,
    },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::InvalidSize {
                what,
                expected,
                actual,
            } => write!(f, "Invalid size: {what} must be {expected}, got {actual}"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Whether `signature` is `public_key`'s Ed25519 signature of `data`.
///
/// # Errors
///
/// [`VerifyError::InvalidSize`] for a public key that is not 32 bytes or a
/// signature that is not 64 bytes.
pub fn ed25519_verify(
    data: &[u8],
    signature: &[u8],
    public_key: &[u8],
) -> Result<bool, VerifyError> {
    let public_key: &[u8; 32] = public_key
        .try_into()
        .map_err(|_| VerifyError::InvalidSize {
            what: "the public key",
            expected: "32 bytes",
            actual: public_key.len(),
        })?;
    let signature: &[u8; 64] = signature.try_into().map_err(|_| VerifyError::InvalidSize {
        what: "the signature",
        expected: "64 bytes",
        actual: signature.len(),
    })?;
    if !is_canonical_ed25519_point(public_key) {
        return Ok(false);
    }
    let Ok(public_key) = Ed25519Key::from_bytes(public_key) else {
        return Ok(false);
    };
    let signature = Ed25519Signature::from_bytes(signature);
    Ok(public_key.verify_strict(data, &signature).is_ok())
}

/// Whether `signature` (DER) is `public_key`'s secp256k1 ECDSA signature of
/// the 32-byte `hash`.
///
/// # Errors
///
/// [`VerifyError::InvalidSize`] for a hash that is not 32 bytes, or a
/// signature or key longer than 520 bytes.
pub fn secp256k1_verify(
    hash: &[u8],
    signature: &[u8],
    public_key: &[u8],
) -> Result<bool, VerifyError> {
    if hash.len() != 32 {
        return Err(VerifyError::InvalidSize {
            what: "the data",
            expected: "a 32-byte hash",
            actual: hash.len(),
        });
    }
    for (what, input) in [("the signature", signature), ("the public key", public_key)] {
        if input.len() > SECP256K1_MAX_INPUT {
            return Err(VerifyError::InvalidSize {
                what,
                expected: "at most 520 bytes",
                actual: input.len(),
            });
        }
    }
    let Ok(signature) = Secp256k1Signature::from_der(signature) else {
        return Ok(false);
    };
    let Some(public_key) = secp256k1_key(public_key) else {
        return Ok(false);
    };
    // `verify_prehash` rejects a high `S`, as libsecp256k1 does.
    Ok(public_key.verify_prehash(hash, &signature).is_ok())
}

/// A signature check: data, signature and public key.
type Verify = fn(&[u8], &[u8], &[u8]) -> Result<bool, VerifyError>;

/// A verifier process: `(data, signature, publicKey, ret)`.
fn verifier(name: &'static str, verify: Verify) -> Arc<dyn NativeProcess> {
    FnProcess::shared(name, &[4], move |call, args| match args.as_slice() {
        [
            Value::Bytes(data),
            Value::Bytes(signature),
            Value::Bytes(public_key),
            ret,
        ] => {
            call.charge(VERIFY_PHLO + data.len() as u64 * VERIFY_PHLO_PER_BYTE)?;
            let verified = verify(data, signature, public_key)
                .map_err(|error| RuntimeError::SystemProcess(format!("{name}: {error}")))?;
            call.send(ret.clone(), vec![Value::Bool(verified)]);
            Ok(())
        }
        _ => Err(bad_arguments(name, EXPECTED_ARGUMENTS, &args)),
    })
}

/// libsodium's `ge25519_is_canonical`: the encoded `y` (the sign bit aside)
/// is below `2^255 - 19`.
fn is_canonical_ed25519_point(encoded: &[u8; 32]) -> bool {
    let top_is_max = encoded[31] & 0x7f == 0x7f;
    let middle_is_max = encoded[1..31].iter().all(|&byte| byte == 0xff);
    !(top_is_max && middle_is_max && encoded[0] >= 0xed)
}

/// Parses a SEC1 public key as libsecp256k1 does, which also accepts the
/// hybrid form: `06` or `07` (the parity of `y`) followed by `x` and `y`.
fn secp256k1_key(encoded: &[u8]) -> Option<Secp256k1Key> {
    match encoded {
        [prefix @ (0x06 | 0x07), coordinates @ ..] if coordinates.len() == 64 => {
            let y_is_odd = coordinates[63] & 1 == 1;
            if y_is_odd != (*prefix == 0x07) {
                return None;
            }
            let mut uncompressed = [0u8; 65];
            uncompressed[0] = 0x04;
            uncompressed[1..].copy_from_slice(coordinates);
            Secp256k1Key::from_sec1_bytes(&uncompressed).ok()
        }
        _ => Secp256k1Key::from_sec1_bytes(encoded).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_canonical_ed25519_encodings_are_recognized() {
        let mut p = [0xff; 32];
        p[31] = 0x7f;
        p[0] = 0xed; // exactly p = 2^255 - 19
        assert!(!is_canonical_ed25519_point(&p));
        p[31] = 0xff; // the sign bit does not matter
        assert!(!is_canonical_ed25519_point(&p));
        p[0] = 0xec; // p - 1
        assert!(is_canonical_ed25519_point(&p));
        assert!(is_canonical_ed25519_point(&[0; 32]));
    }

    #[test]
    fn hybrid_keys_must_state_the_parity_of_y() {
        // The generator point G: its y ends in 0xb8, so it is even.
        let uncompressed = hex::decode(concat!(
            "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
            "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
        ))
        .unwrap();
        let mut hybrid = uncompressed.clone();
        hybrid[0] = 0x06;
        assert_eq!(secp256k1_key(&hybrid), secp256k1_key(&uncompressed));
        assert!(secp256k1_key(&hybrid).is_some());
        hybrid[0] = 0x07;
        assert!(secp256k1_key(&hybrid).is_none());
    }
}
