//! The registry's URIs, as the reference's `Registry.buildURI` makes them:
//! `rho:id:` and the z-base-32 encoding of 270 bits, a 32-byte key hash
//! followed by its 14-bit CRC (54 characters).

use blake2::Blake2b;
use blake2::digest::{Digest, consts::U32};

/// The URI of a registry key: `buildURI` of the key's Blake2b-256 hash,
/// which is what `rho:registry:ops`'s `buildUri` answers.
pub fn uri_for_key(key: &[u8]) -> String {
    build_uri(&blake2b256(key))
}

/// `rho:id:` followed by the z-base-32 encoding of `hash` and its CRC-14.
pub fn build_uri(hash: &[u8; 32]) -> String {
    let crc = crc14(hash);
    let mut full_key = [0u8; 34];
    full_key[..32].copy_from_slice(hash);
    // The reference stores the low byte, then bits 8..14 shifted left by
    // two (`((crc & 0xff00) >>> 6).toByte`).
    full_key[32] = (crc & 0xff) as u8;
    full_key[33] = ((crc & 0xff00) >> 6) as u8;
    format!("rho:id:{}", zbase32(&full_key, 270))
}

/// Blake2b with a 32-byte digest.
pub fn blake2b256(bytes: &[u8]) -> [u8; 32] {
    Blake2b::<U32>::digest(bytes).into()
}

/// The reference's CRC-14 (polynomial `0x4805`, initial value 0), computed
/// on 16 bits like its `Short` arithmetic: a byte is sign-extended before it
/// is shifted in, which only touches bits 14 and 15, and those never reach
/// the low 14 bits.
fn crc14(bytes: &[u8]) -> u16 {
    let mut remainder: u16 = 0;
    for &byte in bytes {
        remainder ^= (i32::from(byte as i8) << 6) as u16;
        for _ in 0..8 {
            remainder <<= 1;
            if remainder & 0x4000 != 0 {
                remainder ^= 0x4805;
            }
        }
    }
    remainder
}

/// The z-base-32 encoding of the first `bits` bits of `bytes`, most
/// significant bit first, the last group padded with zero bits.
fn zbase32(bytes: &[u8], bits: usize) -> String {
    const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";
    let bit = |at: usize| -> usize {
        match bytes.get(at / 8) {
            Some(byte) if at < bits => usize::from(byte >> (7 - at % 8) & 1),
            _ => 0,
        }
    };
    (0..bits.div_ceil(5))
        .map(|group| {
            let index = (0..5).fold(0, |acc, offset| acc << 1 | bit(group * 5 + offset));
            char::from(ALPHABET[index])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zbase32_matches_the_published_examples() {
        // From the z-base-32 specification, including bit lengths that are
        // not whole bytes.
        assert_eq!(zbase32(&[0b0000_0000], 1), "y");
        assert_eq!(zbase32(&[0b1000_0000], 1), "o");
        assert_eq!(zbase32(&[0b0100_0000], 2), "e");
        assert_eq!(zbase32(&[0b1100_0000], 2), "a");
        assert_eq!(
            zbase32(&[0b1000_1011, 0b1000_1000, 0b1000_0000], 20),
            "tqre"
        );
        assert_eq!(
            zbase32(&[0b1111_0000, 0b1011_1111, 0b1100_0111], 24),
            "6n9hq"
        );
        assert_eq!(
            zbase32(&[0b1101_0100, 0b0111_1010, 0b0000_0100], 24),
            "4t7ye"
        );
    }

    /// A plain CRC-14 on unsigned bytes, 14 bits wide.
    fn plain_crc14(bytes: &[u8]) -> u16 {
        let mut remainder: u16 = 0;
        for &byte in bytes {
            remainder ^= u16::from(byte) << 6;
            for _ in 0..8 {
                remainder <<= 1;
                if remainder & 0x4000 != 0 {
                    remainder ^= 0x4805;
                }
                remainder &= 0x3fff;
            }
        }
        remainder
    }

    #[test]
    fn crc14_shifts_the_polynomial_in() {
        let mut one = [0u8; 32];
        one[31] = 1;
        // 1 << 6 shifted eight times reaches bit 14, which folds in 0x4805.
        assert_eq!(crc14(&one), 0x0805);
    }

    #[test]
    fn sign_extension_never_reaches_the_low_fourteen_bits() {
        let samples: [&[u8]; 4] = [&[0x80; 32], &[0xff; 32], &[0x7f, 0x80, 0x01, 0xfe], b"rho"];
        for sample in samples {
            assert_eq!(crc14(sample) & 0x3fff, plain_crc14(sample), "{sample:?}");
        }
    }

    #[test]
    fn uris_have_fifty_four_characters() {
        let uri = uri_for_key(b"any key");
        let id = uri.strip_prefix("rho:id:").unwrap();
        assert_eq!(id.len(), 54);
        assert_ne!(uri, uri_for_key(b"another key"));
    }
}
