//! `rho:crypto:ed25519Verify` and `rho:crypto:secp256k1Verify`: published
//! test vectors (RFC 8032, the reference's own), keys made here, malformed
//! input, and calls from Rholang under both engines.

use k256::ecdsa::SigningKey;
use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::elliptic_curve::scalar::IsHigh;
use rho_runtime::RunConfig;
use rho_stdlib::crypto::{VerifyError, ed25519_verify, secp256k1_verify};
use rho_stdlib::{PowerboxOptions, powerbox};
use rho_tests::{InProcessRun, run_both_engines};
use sha2::{Digest, Sha256};

fn blake2b256(data: &[u8]) -> [u8; 32] {
    blake2::Blake2b::<blake2::digest::consts::U32>::digest(data).into()
}

fn bytes(hex: &str) -> Vec<u8> {
    hex::decode(hex).expect("test vectors are hex")
}

/// Runs `source` with the standard powerbox under both engines, checks that
/// they agree, and returns the evaluator's run.
fn run(source: &str) -> InProcessRun {
    let config = RunConfig {
        powerbox: powerbox(&PowerboxOptions::default()),
        ..RunConfig::default()
    };
    run_both_engines(source, &config)
}

/// RFC 8032, section 7.1, tests 1 to 3: (public key, message, signature).
const RFC8032: [(&str, &str, &str); 3] = [
    (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
];

#[test]
fn ed25519_accepts_the_rfc_8032_vectors_and_nothing_else() {
    for (public_key, message, signature) in RFC8032 {
        let (public_key, message, signature) =
            (bytes(public_key), bytes(message), bytes(signature));
        assert_eq!(ed25519_verify(&message, &signature, &public_key), Ok(true));
        let mut other_message = message.clone();
        other_message.push(0);
        assert_eq!(
            ed25519_verify(&other_message, &signature, &public_key),
            Ok(false)
        );
        let mut forged = signature.clone();
        forged[10] ^= 1;
        assert_eq!(ed25519_verify(&message, &forged, &public_key), Ok(false));
    }
    // Test 1's signature does not verify under test 2's key.
    assert_eq!(
        ed25519_verify(&[], &bytes(RFC8032[0].2), &bytes(RFC8032[1].0)),
        Ok(false)
    );
}

#[test]
fn ed25519_rejects_non_canonical_s_and_small_order_keys() {
    let (public_key, message, signature) = RFC8032[0];
    let (public_key, message, mut signature) =
        (bytes(public_key), bytes(message), bytes(signature));
    // S + L, the group order, is the same scalar but not canonical.
    let order = bytes("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
    let mut carry = 0u16;
    for (s, l) in signature[32..].iter_mut().zip(&order) {
        let sum = u16::from(*s) + u16::from(*l) + carry;
        *s = (sum & 0xff) as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + L still fits in 32 bytes");
    assert_eq!(ed25519_verify(&message, &signature, &public_key), Ok(false));
    // The identity point (small order) as a key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(
        ed25519_verify(&message, &bytes(RFC8032[0].2), &identity),
        Ok(false)
    );
}

#[test]
fn ed25519_sizes_other_than_32_and_64_bytes_are_errors() {
    let (public_key, message, signature) = RFC8032[1];
    let (public_key, message, signature) = (bytes(public_key), bytes(message), bytes(signature));
    let error = ed25519_verify(&message, &signature, &public_key[..31]).unwrap_err();
    assert_eq!(
        error,
        VerifyError::InvalidSize {
            what: "the public key",
            expected: "32 bytes",
            actual: 31
        }
    );
    assert_eq!(
        error.to_string(),
        "Invalid size: the public key must be 32 bytes, got 31"
    );
    let error = ed25519_verify(&message, &signature[..63], &public_key).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the signature must be 64 bytes, got 63")
    );
}

/// Two of the reference's signed registry insertions (the headers of its
/// `RevVault.rho` and `AuthKey.rho`): secret key, public key, the bytes
/// signed (before hashing), and the DER signature its libsecp256k1 made.
pub const REFERENCE_INSERTIONS: [(&str, &str, &str, &str); 2] = [
    (
        "27e5718bf55dd673cc09f13c2bcf12ed7949b178aef5dcb6cd492ad422d05e9d",
        "040f035630a5d2199184890b4b6b83440c842da0b6becca539f788f7b35d6e873561f673cd6ebe2e32236398a86f29dad992e8fba32534734300fcc5104bcfea0e",
        "2a40aa013d0a0d2a0b10feffffffffffffffff010a2c5a2a0a263a240a220a20263f45f2ca50669ef4011a57d3a10270c1250d52ed99f212a6332d8ffe57d3be1001",
        "30450221008af89d676c4cd6b3d41e90da89b03a1e83f161fc8c4ad22c9edc903db3a9f4c402204e35e29e40a5f2b2f431d3cc63b87fb52c33716b3ce331a2a19b9660c3690c18",
    ),
    (
        "f450b26bac63e5dd9343cd46f5fae1986d367a893cd21eedd98a4cb3ac699abc",
        "04f4b4417f930e6fab5765ac0defcf9fce169982acfd046e7c27f9b14c0804014623c0439e5c8035e9607599a549303b5b6b90cd9685e6965278bddca65dac7510",
        "2a40aa013d0a0d2a0b10feffffffffffffffff010a2c5a2a0a263a240a220a20741f6ee13b54ca29cd6e3340e24a781e8cc2739bc4ab5fd1650de54e110409551001",
        "304402205d2dc163a40804a445237ef6bd181249a68598d146e66d0c96484c6cfeaaaffd02205e537f1e7bae82b99abbdc25c8472c44f5848085a3a3f23357507c05524be4a7",
    ),
];

#[test]
fn secp256k1_accepts_the_reference_signatures() {
    for (_, public_key, signed, signature) in REFERENCE_INSERTIONS {
        let hash = blake2b256(&bytes(signed));
        assert_eq!(
            secp256k1_verify(&hash, &bytes(signature), &bytes(public_key)),
            Ok(true)
        );
        let mut other = hash;
        other[0] ^= 1;
        assert_eq!(
            secp256k1_verify(&other, &bytes(signature), &bytes(public_key)),
            Ok(false)
        );
    }
    // The example in the reference's `Secp256k1.verify` documentation.
    let data = Sha256::digest(b"testing");
    let signature = bytes(
        "3044022079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f817980220294f14e883b3f525b5367756c2a11ef6cf84b730b36c17cb0c56f0aab2c98589",
    );
    let public_key = bytes(
        "040a629506e1b65cd9d2e0ba9c75df9c4fed0db16dc9625ed14397f0afc836fae595dc53f8b0efe61e703075bd9b143bac75ec0e19f82a2208caeb32be53414c40",
    );
    assert_eq!(secp256k1_verify(&data, &signature, &public_key), Ok(true));
}

#[test]
fn k256_signs_exactly_as_the_reference_did() {
    // Both use RFC 6979 nonces and low-S signatures, so the signatures in
    // the reference's headers are reproduced byte for byte.
    for (secret_key, public_key, signed, signature) in REFERENCE_INSERTIONS {
        let signing_key = SigningKey::from_slice(&bytes(secret_key)).unwrap();
        let derived = signing_key.verifying_key().to_encoded_point(false);
        assert_eq!(derived.as_bytes(), bytes(public_key).as_slice());
        let made: k256::ecdsa::Signature = signing_key
            .sign_prehash(&blake2b256(&bytes(signed)))
            .unwrap();
        assert_eq!(made.to_der().as_bytes(), bytes(signature).as_slice());
    }
}

#[test]
fn secp256k1_takes_compressed_uncompressed_and_hybrid_keys() {
    let (_, public_key, signed, signature) = REFERENCE_INSERTIONS[0];
    let (public_key, signature) = (bytes(public_key), bytes(signature));
    let hash = blake2b256(&bytes(signed));
    let y_is_odd = public_key[64] & 1 == 1;
    let mut compressed = public_key[..33].to_vec();
    compressed[0] = if y_is_odd { 0x03 } else { 0x02 };
    assert_eq!(secp256k1_verify(&hash, &signature, &compressed), Ok(true));
    compressed[0] ^= 1; // the other point with this x
    assert_eq!(secp256k1_verify(&hash, &signature, &compressed), Ok(false));
    let mut hybrid = public_key.clone();
    hybrid[0] = if y_is_odd { 0x07 } else { 0x06 };
    assert_eq!(secp256k1_verify(&hash, &signature, &hybrid), Ok(true));
    hybrid[0] ^= 1; // a hybrid key with the wrong parity does not parse
    assert_eq!(secp256k1_verify(&hash, &signature, &hybrid), Ok(false));
    // A raw 64-byte key, an empty one, and a point off the curve.
    assert_eq!(
        secp256k1_verify(&hash, &signature, &public_key[1..]),
        Ok(false)
    );
    assert_eq!(secp256k1_verify(&hash, &signature, &[]), Ok(false));
    let mut off_curve = public_key.clone();
    off_curve[64] ^= 1;
    assert_eq!(secp256k1_verify(&hash, &signature, &off_curve), Ok(false));
}

#[test]
fn secp256k1_wants_strict_der_and_a_low_s() {
    let signing_key = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let public_key = signing_key.verifying_key().to_encoded_point(false);
    let hash = blake2b256(b"made here");
    let signature: k256::ecdsa::Signature = signing_key.sign_prehash(&hash).unwrap();
    let der = signature.to_der();
    assert_eq!(
        secp256k1_verify(&hash, der.as_bytes(), public_key.as_bytes()),
        Ok(true)
    );
    // The same (r, s) as 64 raw bytes is not DER.
    assert_eq!(
        secp256k1_verify(&hash, &signature.to_bytes(), public_key.as_bytes()),
        Ok(false)
    );
    // Trailing bytes after the DER sequence.
    let mut trailing = der.as_bytes().to_vec();
    trailing.push(0);
    assert_eq!(
        secp256k1_verify(&hash, &trailing, public_key.as_bytes()),
        Ok(false)
    );
    // (r, n - s) is a valid ECDSA signature too, but libsecp256k1 only
    // accepts the low-S one.
    let high_s = k256::ecdsa::Signature::from_scalars(signature.r(), -*signature.s()).unwrap();
    assert!(bool::from(high_s.s().is_high()));
    assert_eq!(
        secp256k1_verify(&hash, high_s.to_der().as_bytes(), public_key.as_bytes()),
        Ok(false)
    );
}

#[test]
fn secp256k1_data_must_be_a_32_byte_hash() {
    let (_, public_key, _, signature) = REFERENCE_INSERTIONS[0];
    let error = secp256k1_verify(b"not a hash", &bytes(signature), &bytes(public_key)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Invalid size: the data must be a 32-byte hash, got 10"
    );
    let too_long = vec![0x30; 521];
    assert!(secp256k1_verify(&[0; 32], &too_long, &bytes(public_key)).is_err());
    assert!(secp256k1_verify(&[0; 32], &bytes(signature), &too_long).is_err());
}

#[test]
fn rholang_programs_reach_both_verifiers() {
    let (public_key, message, signature) = RFC8032[2];
    let (_, secp_key, signed, secp_signature) = REFERENCE_INSERTIONS[1];
    let source = format!(
        r#"new ed(`rho:crypto:ed25519Verify`), secp(`rho:crypto:secp256k1Verify`),
               hash(`rho:crypto:blake2b256Hash`), out(`rho:io:stdout`), a, b, c in {{
          ed!("{message}".hexToBytes(), "{signature}".hexToBytes(), "{public_key}".hexToBytes(), *a) |
          for (@ok <- a) {{
            out!(["ed25519", ok]) |
            hash!("{signed}".hexToBytes(), *b) |
            for (@h <- b) {{
              secp!(h, "{secp_signature}".hexToBytes(), "{secp_key}".hexToBytes(), *c) |
              for (@ok <- c) {{ out!(["secp256k1", ok]) }}
            }}
          }}
        }}"#
    );
    let run = run(&source);
    assert_eq!(run.stdout, "[\"ed25519\", true]\n[\"secp256k1\", true]\n");
    assert!(run.report.errors.is_empty(), "{:?}", run.report.errors);
}

#[test]
fn wrong_arguments_and_bad_sizes_are_runtime_errors_of_the_caller() {
    let run = run(
        r#"new ed(`rho:crypto:ed25519Verify`), secp(`rho:crypto:secp256k1Verify`), out(`rho:io:stdout`), r in {
          ed!("not bytes", "00".hexToBytes(), "00".hexToBytes(), *r) |
          ed!("".hexToBytes(), "00".hexToBytes(), "00".hexToBytes(), *r) |
          secp!("00".hexToBytes(), "00".hexToBytes(), "00".hexToBytes(), *r) |
          out!("still running")
        }"#,
    );
    assert_eq!(run.stdout, "\"still running\"\n");
    let mut errors: Vec<String> = run
        .report
        .errors
        .iter()
        .map(|error| error.error.to_string())
        .collect();
    errors.sort();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(errors[0].starts_with(
        "ed25519Verify expects data, signature, public key (all as byte arrays), and an acknowledgement channel"
    ));
    assert_eq!(
        errors[1],
        "ed25519Verify: Invalid size: the public key must be 32 bytes, got 1"
    );
    assert_eq!(
        errors[2],
        "secp256k1Verify: Invalid size: the data must be a 32-byte hash, got 1"
    );
}
