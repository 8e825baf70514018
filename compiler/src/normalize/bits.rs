//! `locallyFree` bit sets, in the reference's byte encoding.
//!
//! The reference stores a `BitSet` as its 64-bit words written little-endian
//! one after the other, with trailing zero bytes dropped
//! (`BitSetBytesMapper`): bit `i` is bit `i % 8` of byte `i / 8`, and the
//! empty set is no bytes at all. These helpers work on that encoding
//! directly and keep it trimmed.

/// The set `{index}`.
pub(super) fn single(index: u32) -> Vec<u8> {
    let byte = (index / 8) as usize;
    let mut bits = vec![0; byte + 1];
    bits[byte] = 1 << (index % 8);
    bits
}

/// Adds `index` to `acc`.
pub(super) fn insert(acc: &mut Vec<u8>, index: u32) {
    let byte = (index / 8) as usize;
    if acc.len() <= byte {
        acc.resize(byte + 1, 0);
    }
    acc[byte] |= 1 << (index % 8);
}

/// Adds every element of `other` to `acc`.
pub(super) fn union_into(acc: &mut Vec<u8>, other: &[u8]) {
    if acc.len() < other.len() {
        acc.resize(other.len(), 0);
    }
    for (into, from) in acc.iter_mut().zip(other) {
        *into |= *from;
    }
}

/// The set `{ i - count | i in bits, i >= count }`: what stays free after a
/// binder of `count` variables (`from(count).map(_ - count)`).
pub(super) fn shift_down(bits: &[u8], count: u32) -> Vec<u8> {
    let bytes = (count / 8) as usize;
    let shift = count % 8;
    if bytes >= bits.len() {
        return Vec::new();
    }
    let rest = &bits[bytes..];
    let mut out: Vec<u8> = if shift == 0 {
        rest.to_vec()
    } else {
        (0..rest.len())
            .map(|index| {
                let low = rest[index] >> shift;
                let high = rest.get(index + 1).map_or(0, |next| next << (8 - shift));
                low | high
            })
            .collect()
    };
    trim(&mut out);
    out
}

fn trim(bits: &mut Vec<u8>) {
    while bits.last() == Some(&0) {
        bits.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(indices: &[u32]) -> Vec<u8> {
        let mut bits = Vec::new();
        for &index in indices {
            union_into(&mut bits, &single(index));
        }
        bits
    }

    #[test]
    fn encoding_matches_the_reference() {
        assert_eq!(single(0), vec![1]);
        assert_eq!(single(9), vec![0, 2]);
        assert_eq!(set(&[0, 3, 64]), vec![9, 0, 0, 0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn insert_is_union_with_a_single() {
        let mut bits = set(&[3]);
        insert(&mut bits, 17);
        assert_eq!(bits, set(&[3, 17]));
    }

    #[test]
    fn shifting_drops_bound_indices() {
        assert_eq!(shift_down(&set(&[0, 1, 5]), 2), set(&[3]));
        assert_eq!(shift_down(&set(&[1]), 1), set(&[0]));
        assert_eq!(shift_down(&set(&[0]), 1), Vec::<u8>::new());
        assert_eq!(shift_down(&set(&[3, 20]), 9), set(&[11]));
        assert_eq!(shift_down(&set(&[70]), 64), set(&[6]));
        assert_eq!(shift_down(&[], 3), Vec::<u8>::new());
    }
}
