//! Serialization of Pars: the protobuf encoding of `RhoTypes.proto`.
//!
//! [`encode_par`] produces exactly prost's bytes (and so the reference's,
//! for the same Par), in linear time. [`decode_par`] reads them back, rejecting malformed
//! input with a [`DecodeError`] rather than panicking.
//!
//! # Deep terms
//!
//! Both directions accept terms of any realistic depth:
//!
//! * Encoding does not use prost's encoder, which recurses without stack
//!   checks and recomputes the length of each nested message at every
//!   enclosing level (`O(size * depth)`: 5 seconds for 10,000 nested
//!   lists). It writes the same bytes back to front in one guarded pass.
//! * Decoding does not use prost's `Par::decode`, which gives up at 100
//!   nested messages (about 33 levels of Rholang nesting: a list inside a
//!   list is three messages, Par, Expr and EList). It accepts up to
//!   [`MAX_DECODE_DEPTH`] nested messages and fails with
//!   [`DecodeError::TooDeep`] beyond that, so hostile input cannot make it
//!   use unbounded memory.

use std::fmt;

use crate::decode;
use crate::par::Par;
pub use crate::term::Term;
use crate::wire::ReverseWriter;

/// The deepest message nesting that [`decode_par`] accepts: far beyond
/// what source programs produce (10,000 nested lists are 30,000 messages),
/// small enough to bound the work and memory spent on hostile input.
pub const MAX_DECODE_DEPTH: usize = 100_000;

/// Why bytes could not be decoded as a Par.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes are not a protobuf encoding of a Par (truncated data, a
    /// bad varint, a wrong wire type, invalid UTF-8 in a string, ...).
    Malformed(String),
    /// The messages are nested more deeply than `limit`.
    TooDeep {
        /// The limit, [`MAX_DECODE_DEPTH`].
        limit: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Malformed(reason) => write!(f, "malformed Par encoding: {reason}"),
            DecodeError::TooDeep { limit } => {
                write!(f, "Par nested more than {limit} messages deep")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

impl From<prost::DecodeError> for DecodeError {
    fn from(error: prost::DecodeError) -> Self {
        DecodeError::Malformed(error.to_string())
    }
}

/// Encodes a Par as protobuf bytes.
///
/// Canonical (sorted, see [`crate::sort::sort_par`]) Pars that are
/// structurally equivalent encode to the same bytes.
///
/// # Examples
///
/// ```
/// use rho_host_abi::encode::{decode_par, encode_par};
/// use rho_host_abi::par::{Expr, Par, expr::ExprInstance};
///
/// let par = Par {
///     exprs: vec![Expr { expr_instance: Some(ExprInstance::GInt(42)) }],
///     ..Par::default()
/// };
/// let bytes = encode_par(&par);
/// assert_eq!(decode_par(&bytes)?, par);
/// # Ok::<(), rho_host_abi::encode::DecodeError>(())
/// ```
pub fn encode_par(par: &Par) -> Vec<u8> {
    encode_term(par)
}

/// Encodes any message of the Par data model as protobuf bytes, however
/// deeply it is nested.
pub fn encode_term<T: Term>(term: &T) -> Vec<u8> {
    let mut writer = ReverseWriter::default();
    term.write_fields(&mut writer);
    writer.finish()
}

/// Decodes protobuf bytes as a Par.
///
/// Unknown fields are skipped, as protobuf requires.
///
/// # Errors
///
/// [`DecodeError::Malformed`] if the bytes are not a valid encoding,
/// [`DecodeError::TooDeep`] if they nest more than [`MAX_DECODE_DEPTH`]
/// messages. Never panics.
///
/// # Examples
///
/// ```
/// use rho_host_abi::encode::{DecodeError, decode_par};
///
/// // A field key announcing a 5-byte string, followed by 1 byte.
/// let truncated = [0x2A, 0x05, 0x00];
/// assert!(matches!(decode_par(&truncated), Err(DecodeError::Malformed(_))));
/// ```
pub fn decode_par(bytes: &[u8]) -> Result<Par, DecodeError> {
    decode::decode(bytes)
}
