//! Source maps: from normalized terms back to where they were written.
//!
//! The compiler records, for each term it emits (a send, a receive, an
//! expression, ...), the source position it came from, under the term's
//! [`term_key`]. When a process fails at run time, the runtime keys the
//! failing term the same way and reports the error at `file:line:col`.
//!
//! Identical terms written in several places share one key; the first
//! position recorded wins, so an error in such a term is reported at its
//! first occurrence. Keys are computed from the term as it is stored in the
//! final (sorted) Par, so the compiler should key terms after sorting.
//!
//! [`SourceMap::to_bytes`] gives a compact binary form meant for a Wasm
//! custom section:
//!
//! ```text
//! magic   4 bytes  "rsm1"
//! count   u32, little-endian: the number of entries
//! entries count × 16 bytes, in strictly increasing key order:
//!         key u64 LE, line u32 LE, col u32 LE
//! ```

use std::collections::BTreeMap;
use std::fmt;

use crate::encode::encode_term;
use crate::term::Term;

/// A position in a source file: 1-based line, and 1-based column counted in
/// characters (Unicode scalar values), as diagnostics print it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceLoc {
    /// The line, from 1.
    pub line: u32,
    /// The column in characters, from 1.
    pub col: u32,
}

/// The key of a term in a [`SourceMap`]: the 64-bit FNV-1a hash of the
/// term's protobuf encoding ([`encode_term`]).
///
/// It depends only on the term, so it is the same on every machine, build
/// and run. Terms nested any number of levels deep are fine.
///
/// # Examples
///
/// ```
/// use rho_host_abi::par::{Expr, Par, expr::ExprInstance};
/// use rho_host_abi::source_map::term_key;
///
/// let seven = Expr { expr_instance: Some(ExprInstance::GInt(7)) };
/// assert_eq!(term_key(&seven), term_key(&seven.clone()));
/// assert_ne!(term_key(&seven), term_key(&Expr { expr_instance: Some(ExprInstance::GInt(8)) }));
/// // The empty encoding hashes to the FNV-1a offset basis.
/// assert_eq!(term_key(&Par::default()), 0xcbf2_9ce4_8422_2325);
/// ```
pub fn term_key<M: Term>(term: &M) -> u64 {
    fnv1a_64(&encode_term(term))
}

fn fnv1a_64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

/// Source positions of terms, by [`term_key`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    entries: BTreeMap<u64, SourceLoc>,
}

/// Why bytes could not be read as a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceMapError {
    /// The bytes do not start with the magic `rsm1` and a count.
    BadHeader,
    /// The length does not match the entry count.
    WrongLength,
    /// The keys are not in strictly increasing order.
    UnsortedKeys,
}

impl fmt::Display for SourceMapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SourceMapError::BadHeader => "not a source map: bad header",
            SourceMapError::WrongLength => "source map length does not match its entry count",
            SourceMapError::UnsortedKeys => "source map keys are not strictly increasing",
        })
    }
}

impl std::error::Error for SourceMapError {}

const MAGIC: &[u8; 4] = b"rsm1";
const HEADER_LEN: usize = 8;
const ENTRY_LEN: usize = 16;

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records where the term with this key was written. If the key is
    /// already present, the earlier position is kept and `false` returned.
    pub fn insert(&mut self, key: u64, loc: SourceLoc) -> bool {
        match self.entries.entry(key) {
            std::collections::btree_map::Entry::Vacant(vacant) => {
                vacant.insert(loc);
                true
            }
            std::collections::btree_map::Entry::Occupied(_) => false,
        }
    }

    /// Where the term with this key was written.
    pub fn get(&self, key: u64) -> Option<SourceLoc> {
        self.entries.get(&key).copied()
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The binary form described in the module docs.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(HEADER_LEN + ENTRY_LEN * self.entries.len());
        bytes.extend_from_slice(MAGIC);
        // More than 2^32 entries would not fit in memory as source text.
        let count = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        bytes.extend_from_slice(&count.to_le_bytes());
        for (key, loc) in self.entries.iter().take(count as usize) {
            bytes.extend_from_slice(&key.to_le_bytes());
            bytes.extend_from_slice(&loc.line.to_le_bytes());
            bytes.extend_from_slice(&loc.col.to_le_bytes());
        }
        bytes
    }

    /// Reads the binary form written by [`SourceMap::to_bytes`].
    ///
    /// # Errors
    ///
    /// A [`SourceMapError`] if the bytes are not exactly such a form. Never
    /// panics.
    ///
    /// # Examples
    ///
    /// ```
    /// use rho_host_abi::source_map::{SourceLoc, SourceMap, SourceMapError};
    ///
    /// let mut map = SourceMap::new();
    /// map.insert(42, SourceLoc { line: 3, col: 7 });
    /// assert_eq!(SourceMap::from_bytes(&map.to_bytes()), Ok(map));
    /// assert_eq!(SourceMap::from_bytes(b"junk"), Err(SourceMapError::BadHeader));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<SourceMap, SourceMapError> {
        let (header, body) = bytes
            .split_at_checked(HEADER_LEN)
            .ok_or(SourceMapError::BadHeader)?;
        let (magic, count) = header.split_at(4);
        if magic != MAGIC {
            return Err(SourceMapError::BadHeader);
        }
        let count = u32::from_le_bytes(le_array(count));
        if body.len() % ENTRY_LEN != 0 || body.len() / ENTRY_LEN != count as usize {
            return Err(SourceMapError::WrongLength);
        }
        let mut entries = BTreeMap::new();
        let mut previous: Option<u64> = None;
        for entry in body.chunks_exact(ENTRY_LEN) {
            let key = u64::from_le_bytes(le_array(&entry[0..8]));
            let line = u32::from_le_bytes(le_array(&entry[8..12]));
            let col = u32::from_le_bytes(le_array(&entry[12..16]));
            if previous.is_some_and(|previous| previous >= key) {
                return Err(SourceMapError::UnsortedKeys);
            }
            previous = Some(key);
            entries.insert(key, SourceLoc { line, col });
        }
        Ok(SourceMap { entries })
    }
}

/// Copies a slice of known length into an array (zero-padded if short,
/// which the callers' bounds rule out).
fn le_array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut array = [0u8; N];
    for (slot, byte) in array.iter_mut().zip(bytes) {
        *slot = *byte;
    }
    array
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_published_test_vectors() {
        assert_eq!(fnv1a_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a_64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a_64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn first_insertion_wins() {
        let mut map = SourceMap::new();
        assert!(map.insert(1, SourceLoc { line: 1, col: 2 }));
        assert!(!map.insert(1, SourceLoc { line: 9, col: 9 }));
        assert_eq!(map.get(1), Some(SourceLoc { line: 1, col: 2 }));
        assert_eq!(map.get(2), None);
        assert_eq!(map.len(), 1);
    }

    #[test]
    fn binary_form_is_checked() {
        let mut map = SourceMap::new();
        map.insert(5, SourceLoc { line: 1, col: 1 });
        map.insert(3, SourceLoc { line: 2, col: 4 });
        let bytes = map.to_bytes();
        assert_eq!(bytes.len(), 8 + 2 * 16);
        assert_eq!(&bytes[..4], b"rsm1");
        assert_eq!(SourceMap::from_bytes(&bytes), Ok(map));
        assert_eq!(
            SourceMap::from_bytes(&bytes[..bytes.len() - 1]),
            Err(SourceMapError::WrongLength)
        );
        let mut swapped = bytes.clone();
        swapped[8..24].copy_from_slice(&bytes[24..40]);
        swapped[24..40].copy_from_slice(&bytes[8..24]);
        assert_eq!(
            SourceMap::from_bytes(&swapped),
            Err(SourceMapError::UnsortedKeys)
        );
    }
}
