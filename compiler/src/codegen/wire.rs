//! The protobuf encoding of every term, sliced out of one encoding of the
//! whole program, for source-map keys.
//!
//! A source-map key is the FNV-1a hash of a term's protobuf encoding
//! ([`term_key`](rho_host_abi::source_map::term_key)). Encoding each term
//! on its own would encode a deeply nested program once per level; but
//! protobuf embeds a message's encoding verbatim in its parent's, so the
//! program is encoded once and each term's bytes are found inside its
//! parent's by reading the parent's field headers (payloads are skipped by
//! their length, so finding all the children of a message costs one step
//! per field).
//!
//! Code generation carries a term's [`Bytes`] alongside the term. `None`
//! means "not found" (which a consistent encoding never gives); the key is
//! then computed from the term itself.

/// A term's encoding within the program's, if found.
pub(super) type Bytes<'p> = Option<&'p [u8]>;

/// Field numbers in `RhoTypes.proto`.
pub(super) mod tag {
    pub(crate) const PAR_SENDS: u32 = 1;
    pub(crate) const PAR_RECEIVES: u32 = 2;
    pub(crate) const PAR_NEWS: u32 = 4;
    pub(crate) const PAR_EXPRS: u32 = 5;
    pub(crate) const PAR_MATCHES: u32 = 6;
    pub(crate) const SEND_CHAN: u32 = 1;
    pub(crate) const SEND_DATA: u32 = 2;
    pub(crate) const RECEIVE_BINDS: u32 = 1;
    pub(crate) const RECEIVE_BODY: u32 = 2;
    pub(crate) const BIND_SOURCE: u32 = 2;
    pub(crate) const NEW_BODY: u32 = 2;
    pub(crate) const MATCH_TARGET: u32 = 1;
    pub(crate) const MATCH_CASES: u32 = 2;
    pub(crate) const CASE_SOURCE: u32 = 2;
    /// `p` of `ENot`/`ENeg`, `p1` of binary operators, `target` of
    /// `EMatches`, `ps` of collections, `kvs` of maps, `key` of entries.
    pub(crate) const FIRST: u32 = 1;
    /// `p2` of binary operators, `value` of map entries.
    pub(crate) const SECOND: u32 = 2;
    pub(crate) const METHOD_TARGET: u32 = 2;
    pub(crate) const METHOD_ARGUMENTS: u32 = 3;
}

const VARINT: u64 = 0;
const FIXED64: u64 = 1;
const LENGTH_DELIMITED: u64 = 2;
const FIXED32: u64 = 5;

fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// The length-delimited fields of a message, in order, as (field number,
/// payload); `None` if the bytes are malformed.
fn fields(bytes: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let key = read_varint(bytes, &mut at)?;
        match key & 7 {
            VARINT => {
                read_varint(bytes, &mut at)?;
            }
            FIXED64 => at = at.checked_add(8).filter(|end| *end <= bytes.len())?,
            FIXED32 => at = at.checked_add(4).filter(|end| *end <= bytes.len())?,
            LENGTH_DELIMITED => {
                let len = usize::try_from(read_varint(bytes, &mut at)?).ok()?;
                let end = at.checked_add(len).filter(|end| *end <= bytes.len())?;
                found.push((key >> 3, &bytes[at..end]));
                at = end;
            }
            _ => return None,
        }
    }
    Some(found)
}

/// The payload of the first field `tag` of a message.
pub(super) fn single(bytes: Bytes<'_>, tag: u32) -> Bytes<'_> {
    let fields = fields(bytes?)?;
    fields
        .into_iter()
        .find(|(number, _)| *number == u64::from(tag))
        .map(|(_, payload)| payload)
}

/// The payloads of the repeated field `tag` of a message, which has
/// `count` elements (all `None` if the encoding disagrees).
pub(super) fn repeated(bytes: Bytes<'_>, tag: u32, count: usize) -> Vec<Bytes<'_>> {
    let found: Option<Vec<&[u8]>> = bytes.and_then(fields).map(|fields| {
        fields
            .into_iter()
            .filter(|(number, _)| *number == u64::from(tag))
            .map(|(_, payload)| payload)
            .collect()
    });
    match found {
        Some(found) if found.len() == count => found.into_iter().map(Some).collect(),
        _ => vec![None; count],
    }
}

/// The message inside an `Expr` (its `expr_instance`): an `Expr` has at
/// most one field, the oneof member.
pub(super) fn expr_instance(bytes: Bytes<'_>) -> Bytes<'_> {
    match fields(bytes?)?.as_slice() {
        [(_, payload)] => Some(payload),
        _ => None,
    }
}

/// The hash [`term_key`](rho_host_abi::source_map::term_key) gives a term
/// with this encoding.
pub(super) fn key(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}
