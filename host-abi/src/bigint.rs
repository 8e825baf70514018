//! Arbitrary-size integers as the Par model stores them (`Expr.g_big_int`):
//! big-endian two's complement bytes, as Java's `BigInteger.toByteArray`
//! writes them. The empty byte string is read as zero.
//!
//! Only what sorting and printing need: numeric comparison and decimal text.

use std::cmp::Ordering;

/// Compares two big integers numerically.
pub(crate) fn cmp(a: &[u8], b: &[u8]) -> Ordering {
    let (a, b) = (minimal(a), minimal(b));
    let (a_negative, b_negative) = (is_negative(a), is_negative(b));
    match (a_negative, b_negative) {
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        // With the same sign and minimal encodings, a longer encoding has
        // a larger magnitude; equal lengths compare as unsigned bytes.
        (false, false) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        (true, true) => b.len().cmp(&a.len()).then_with(|| a.cmp(b)),
    }
}

/// The decimal representation, with a leading `-` for negative numbers.
pub(crate) fn to_decimal(bytes: &[u8]) -> String {
    let bytes = minimal(bytes);
    let negative = is_negative(bytes);
    let magnitude = if negative {
        negate(bytes)
    } else {
        bytes.to_vec()
    };

    // Repeatedly divide the magnitude (base-256 digits, most significant
    // first) by 10^9, collecting the remainders as 9-digit chunks.
    const CHUNK: u64 = 1_000_000_000;
    let mut digits = magnitude;
    let mut chunks = Vec::new();
    while digits.iter().any(|&d| d != 0) {
        let mut remainder = 0u64;
        for digit in digits.iter_mut() {
            let current = (remainder << 8) | u64::from(*digit);
            // current < CHUNK * 256, so the quotient fits in a byte.
            *digit = (current / CHUNK) as u8;
            remainder = current % CHUNK;
        }
        chunks.push(remainder);
        let leading_zeros = digits.iter().take_while(|&&d| d == 0).count();
        digits.drain(..leading_zeros);
    }

    let mut text = String::new();
    if negative {
        text.push('-');
    }
    match chunks.split_last() {
        None => text.push('0'),
        Some((most_significant, rest)) => {
            text.push_str(&most_significant.to_string());
            for chunk in rest.iter().rev() {
                text.push_str(&format!("{chunk:09}"));
            }
        }
    }
    text
}

fn is_negative(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|&b| b & 0x80 != 0)
}

/// Drops redundant sign-extension bytes: leading 0x00 (or 0xFF) bytes whose
/// next byte has the same sign bit. Zero, also when empty, becomes `[0]`.
fn minimal(bytes: &[u8]) -> &[u8] {
    if bytes.is_empty() {
        return &[0];
    }
    let mut start = 0;
    while start + 1 < bytes.len() {
        let (head, next) = (bytes[start], bytes[start + 1]);
        let redundant = (head == 0x00 && next & 0x80 == 0) || (head == 0xFF && next & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    &bytes[start..]
}

/// The magnitude of a negative two's complement number, as unsigned
/// big-endian bytes (one byte longer, so -2^(8n-1) fits).
fn negate(bytes: &[u8]) -> Vec<u8> {
    let mut result: Vec<u8> = std::iter::once(0xFF)
        .chain(bytes.iter().copied())
        .map(|b| !b)
        .collect();
    for digit in result.iter_mut().rev() {
        let (sum, overflow) = digit.overflowing_add(1);
        *digit = sum;
        if !overflow {
            break;
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn be(value: i128) -> Vec<u8> {
        let mut bytes = value.to_be_bytes().to_vec();
        // Keep one redundant byte sometimes, as other encoders might.
        while bytes.len() > 1 && minimal(&bytes).len() < bytes.len() {
            bytes.remove(0);
        }
        bytes
    }

    #[test]
    fn decimal_matches_i128_formatting() {
        for value in [
            0i128,
            1,
            -1,
            127,
            128,
            -128,
            -129,
            255,
            256,
            1_000_000_000,
            -1_000_000_000,
            i64::MAX as i128 * 7,
            i128::MIN,
            i128::MAX,
        ] {
            assert_eq!(to_decimal(&be(value)), value.to_string(), "{value}");
            assert_eq!(
                to_decimal(&value.to_be_bytes()),
                value.to_string(),
                "padded {value}"
            );
        }
        assert_eq!(to_decimal(&[]), "0");
    }

    #[test]
    fn comparison_is_numeric() {
        let values = [
            i128::MIN,
            -300,
            -129,
            -128,
            -1,
            0,
            1,
            127,
            128,
            255,
            65_536,
            i128::MAX,
        ];
        for &a in &values {
            for &b in &values {
                assert_eq!(cmp(&be(a), &be(b)), a.cmp(&b), "{a} vs {b}");
                assert_eq!(
                    cmp(&a.to_be_bytes(), &be(b)),
                    a.cmp(&b),
                    "padded {a} vs {b}"
                );
            }
        }
        assert_eq!(cmp(&[], &[0]), Ordering::Equal);
    }
}
