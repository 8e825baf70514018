//! Strings: Java-compatible length, order and slicing, `++` on strings and
//! byte arrays, `%%` interpolation, and the text conversions used by methods.
//!
//! Rholang strings behave like Java strings: lengths, indices and order
//! count UTF-16 code units. Strings are stored as UTF-8, so these helpers
//! take the fast byte path for ASCII and walk code units otherwise. A slice
//! that splits a surrogate pair yields `?` for the lone half, which is what
//! the reference prints for it.

use std::borrow::Cow;
use std::cmp::Ordering;

use num_bigint::BigInt;

use super::operand::{operator_not_defined, single_expr, type_name};
use crate::error::RuntimeError;
use crate::phlo::{CostTable, PhloMeter};
use crate::value::{MapValue, Value};

/// The length of `s` in UTF-16 code units (Java's `String.length`).
pub(super) fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().map(char::len_utf16).sum()
    }
}

/// Orders two strings by UTF-16 code units (Java's `String.compareTo`).
///
/// This differs from Rust's byte order only when a character in
/// U+E000..=U+FFFF meets one above U+FFFF, so only the first differing
/// characters are converted.
pub fn cmp_utf16(a: &str, b: &str) -> Ordering {
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let mut start = common;
    while !a.is_char_boundary(start) {
        start -= 1;
    }
    match (a[start..].chars().next(), b[start..].chars().next()) {
        (Some(x), Some(y)) => {
            let (mut ux, mut uy) = ([0u16; 2], [0u16; 2]);
            x.encode_utf16(&mut ux).cmp(&y.encode_utf16(&mut uy))
        }
        (x, y) => x.is_some().cmp(&y.is_some()),
    }
}

/// Scala's `StringOps.slice(from, until)`: code units `from..until`,
/// clamped to the string.
pub(super) fn slice_utf16(s: &str, from: i32, until: i32) -> String {
    let start = usize::try_from(from.max(0)).unwrap_or(0);
    let end = usize::try_from(until.max(0)).unwrap_or(0);
    if s.is_ascii() {
        let end = end.min(s.len());
        return if start >= end {
            String::new()
        } else {
            s[start..end].to_string()
        };
    }
    if start >= end {
        return String::new();
    }
    let units = s.encode_utf16().skip(start).take(end - start);
    char::decode_utf16(units)
        .map(|unit| unit.unwrap_or('?'))
        .collect()
}

/// `left ++ right` on two strings: charged by the length of both.
pub(super) fn concat_strings(
    left: &str,
    right: &str,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    let cost = utf16_len(left) as u64 + utf16_len(right) as u64;
    meter.charge(cost)?;
    let mut joined = String::with_capacity(left.len() + right.len());
    joined.push_str(left);
    joined.push_str(right);
    Ok(Value::string(joined))
}

/// `left ++ right` on two byte arrays.
///
/// The reference charges `log10` of the left length because its byte
/// strings are ropes; rhoc's are flat, so `++` copies both sides and is
/// charged by their total length, like string `++`.
pub(super) fn concat_bytes(
    left: &[u8],
    right: &[u8],
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    meter.charge(left.len() as u64 + right.len() as u64)?;
    let mut joined = Vec::with_capacity(left.len() + right.len());
    joined.extend_from_slice(left);
    joined.extend_from_slice(right);
    Ok(Value::Bytes(joined.into()))
}

/// `template %% map`: replaces each `${key}` of the template with the
/// map's value for `key`.
///
/// Values may be strings (inserted without quotes), Ints, BigInts, Bools or
/// URIs; keys must be strings. A placeholder without a key stays as it is.
/// Phlo: the reference's `length * map size`, charged before the work, plus
/// the result's length beyond the template (so a template cannot copy a
/// large value many times for free).
pub(super) fn interpolate(
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    meter.charge(costs.op_call)?;
    let (left, right) = (single_expr(left)?, single_expr(right)?);
    let (template, map) = match (left, right) {
        (Value::Str(template), Value::Map(map)) => (template, map),
        (Value::Str(_), other) => return Err(operator_not_defined("%%", other)),
        (other, _) => return Err(operator_not_defined("%%", other)),
    };
    if template.is_empty() && map.is_empty() {
        return Ok(left.clone());
    }
    let pairs = string_pairs(map)?;
    let scan_cost = (utf16_len(template) as u64).saturating_mul(map.len() as u64);
    meter.charge(scan_cost)?;
    let result_len = substitute(template, &pairs, |_| {});
    meter.charge(result_len.saturating_sub(template.len()) as u64)?;
    let mut result = String::with_capacity(result_len);
    substitute(template, &pairs, |piece| result.push_str(piece));
    Ok(Value::string(result))
}

/// The map's entries as text, in the map's (canonical) key order.
fn string_pairs(map: &MapValue) -> Result<Vec<(&str, Cow<'_, str>)>, RuntimeError> {
    map.entries()
        .iter()
        .map(|(key, value)| {
            let (key, value) = (single_expr(key)?, single_expr(value)?);
            let Value::Str(key) = key else {
                return Err(RuntimeError::TypeError(
                    "interpolation Map should only contain String keys".into(),
                ));
            };
            let text = match value {
                Value::Str(s) | Value::Uri(s) => Cow::Borrowed(&**s),
                Value::Int(i) => Cow::Owned(i.to_string()),
                Value::BigInt(n) => Cow::Owned(n.to_string()),
                Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
                other => {
                    return Err(RuntimeError::TypeError(format!(
                        "interpolation doesn't support {}",
                        type_name(other)
                    )));
                }
            };
            Ok((&**key, text))
        })
        .collect()
}

/// Walks the template, passing the pieces of the result (literal text and
/// substituted values) to `on_piece`; returns the result's length in bytes.
///
/// At each `${`, the first key in map order whose `${key}` starts there
/// wins, as in the reference.
fn substitute(
    template: &str,
    pairs: &[(&str, Cow<'_, str>)],
    mut on_piece: impl FnMut(&str),
) -> usize {
    let mut len = 0;
    let mut rest = template;
    while let Some(at) = rest.find("${") {
        let after = &rest[at + 2..];
        let found = pairs
            .iter()
            .find(|(key, _)| after.starts_with(key) && after[key.len()..].starts_with('}'));
        match found {
            Some((key, value)) => {
                on_piece(&rest[..at]);
                on_piece(value);
                len += at + value.len();
                rest = &after[key.len() + 1..];
            }
            None => {
                on_piece(&rest[..=at]);
                len += at + 1;
                rest = &rest[at + 1..];
            }
        }
    }
    on_piece(rest);
    len + rest.len()
}

/// `hexToBytes`: like the reference's lenient decoder, ignores every
/// character that is not a hex digit and pads an odd count with a leading 0.
pub(super) fn decode_hex_lenient(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter_map(|b| (b as char).to_digit(16).map(|d| d as u8))
        .collect();
    let mut bytes = Vec::with_capacity(digits.len().div_ceil(2));
    let (head, pairs) = digits.split_at(digits.len() % 2);
    bytes.extend(head.iter().copied());
    bytes.extend(pairs.chunks_exact(2).map(|pair| (pair[0] << 4) | pair[1]));
    bytes
}

/// Java's `Long.parseLong` on ASCII input: an optional sign and at least
/// one decimal digit, within 64 bits.
pub(super) fn parse_long(s: &str) -> Option<i64> {
    s.parse::<i64>().ok()
}

/// Java's `new BigInteger(s)` on ASCII input: an optional sign and at least
/// one decimal digit.
pub(super) fn parse_bigint(s: &str) -> Option<BigInt> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = num_bigint::BigUint::parse_bytes(digits.as_bytes(), 10)?;
    let sign = if s.starts_with('-') {
        num_bigint::Sign::Minus
    } else {
        num_bigint::Sign::Plus
    };
    Some(BigInt::from_biguint(sign, magnitude))
}

/// Phlo for parsing `len` decimal digits into a BigInt: the reference's
/// `len`, plus the quadratic part of schoolbook conversion (per pair of
/// 64-bit words), which the reference leaves uncharged.
pub(super) fn parse_bigint_cost(len: usize) -> u64 {
    let words = (len / 19) as u64;
    (len as u64).saturating_add(words.saturating_mul(words))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_length_counts_surrogate_pairs_twice() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("a😀"), 3);
    }

    #[test]
    fn utf16_order_puts_supplementary_before_high_bmp() {
        // U+FF21 (fullwidth A) > U+1F600 in code points' UTF-8 order is reversed in UTF-16.
        assert_eq!("\u{FF21}".cmp("😀"), Ordering::Less);
        assert_eq!(cmp_utf16("\u{FF21}", "😀"), Ordering::Greater);
        assert_eq!(cmp_utf16("abc", "abd"), Ordering::Less);
        assert_eq!(cmp_utf16("b", "abc"), Ordering::Greater);
        assert_eq!(cmp_utf16("ab", "abc"), Ordering::Less);
        assert_eq!(cmp_utf16("x😀", "x😀"), Ordering::Equal);
        assert_eq!(cmp_utf16("é", "è"), Ordering::Greater);
    }

    #[test]
    fn slices_clamp_and_count_code_units() {
        assert_eq!(slice_utf16("abc", 1, 10), "bc");
        assert_eq!(slice_utf16("abc", -3, 2), "ab");
        assert_eq!(slice_utf16("abc", 2, 1), "");
        assert_eq!(slice_utf16("héllo", 1, 3), "él");
        assert_eq!(slice_utf16("a😀b", 1, 3), "😀");
        assert_eq!(slice_utf16("a😀b", 2, 4), "?b");
    }

    #[test]
    fn substitution_keeps_unknown_placeholders() {
        let pairs = [("a", Cow::Borrowed("1")), ("b", Cow::Borrowed("two"))];
        let mut out = String::new();
        let len = substitute("${a}-${c}-${b}$", &pairs, |piece| out.push_str(piece));
        assert_eq!(out, "1-${c}-two$");
        assert_eq!(len, out.len());
    }

    #[test]
    fn lenient_hex_ignores_junk_and_pads() {
        assert_eq!(decode_hex_lenient("0aFF"), vec![0x0a, 0xff]);
        assert_eq!(decode_hex_lenient("abc"), vec![0x0a, 0xbc]);
        assert_eq!(decode_hex_lenient("zz 1 2"), vec![0x12]);
        assert_eq!(decode_hex_lenient(""), Vec::<u8>::new());
    }

    #[test]
    fn numbers_parse_like_java() {
        assert_eq!(parse_long("+42"), Some(42));
        assert_eq!(parse_long("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_long("9223372036854775808"), None);
        assert_eq!(parse_long(" 1"), None);
        assert_eq!(parse_long(""), None);
        assert_eq!(parse_bigint("-0012"), Some(BigInt::from(-12)));
        assert_eq!(parse_bigint("1_000"), None);
        assert_eq!(parse_bigint("-"), None);
        assert_eq!(parse_bigint("+-1"), None);
    }
}
