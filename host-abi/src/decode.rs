//! A protobuf decoder for Pars that takes any nesting depth up to
//! [`MAX_DECODE_DEPTH`] messages.
//!
//! prost's own decoder stops at 100 nested messages, about 33 levels of
//! Rholang nesting (a list in a list is three messages: Par, Expr, EList),
//! far less than real values reach. This decoder walks the message fields
//! that can contain a Par itself, one guarded recursion per message, and
//! hands every other field (scalars, bytes, strings, the shallow `Var`,
//! `VarRef` and `GUnforgeable` messages, unknown fields) to prost's
//! per-field decoder, so the result is exactly what prost would produce
//! without its limit.

use prost::Message;
use prost::encoding::{DecodeContext, WireType, decode_key, decode_varint};

use crate::encode::{DecodeError, MAX_DECODE_DEPTH};
use crate::par::{
    Bundle, Connective, ConnectiveBody, EAnd, EDiv, EEq, EGt, EGte, EList, ELt, ELte, EMap,
    EMatches, EMethod, EMinus, EMinusMinus, EMod, EMult, ENeg, ENeq, ENot, EOr, EPercentPercent,
    EPlus, EPlusPlus, ESet, EShortAnd, EShortOr, ETuple, Expr, KeyValuePair, Match, MatchCase, New,
    Par, Receive, ReceiveBind, Send, connective::ConnectiveInstance, expr::ExprInstance,
};
use crate::stack;
use crate::term::Term;

/// Decodes a whole message.
///
/// Every partly decoded message stays attached to its parent, so after an
/// error the whole partial result hangs off `message` and is dropped here,
/// on a stack deep enough for it (derived `Drop` recurses too).
pub(crate) fn decode<M: DeepMerge + Term>(bytes: &[u8]) -> Result<M, DecodeError> {
    let mut message = M::default();
    match merge_message(&mut message, bytes, 1) {
        Ok(()) => Ok(message),
        Err(error) => {
            stack::drop_deep(message);
            Err(error)
        }
    }
}

/// A message that may contain Pars, decoded field by field.
pub(crate) trait DeepMerge: Message + Default {
    /// Merges one field whose key has been read; `depth` is this message's
    /// nesting depth.
    fn merge_deep_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut &[u8],
        depth: usize,
    ) -> Result<(), DecodeError>;
}

fn merge_message<M: DeepMerge>(
    message: &mut M,
    mut buf: &[u8],
    depth: usize,
) -> Result<(), DecodeError> {
    if depth > MAX_DECODE_DEPTH {
        return Err(DecodeError::TooDeep {
            limit: MAX_DECODE_DEPTH,
        });
    }
    stack::guarded(|| {
        while !buf.is_empty() {
            let (tag, wire_type) = decode_key(&mut buf)?;
            message.merge_deep_field(tag, wire_type, &mut buf, depth)?;
        }
        Ok(())
    })
}

/// Splits off the bytes of a length-delimited field.
fn take_delimited<'b>(wire_type: WireType, buf: &mut &'b [u8]) -> Result<&'b [u8], DecodeError> {
    if wire_type != WireType::LengthDelimited {
        return Err(DecodeError::Malformed(format!(
            "invalid wire type: {wire_type:?} (expected LengthDelimited)"
        )));
    }
    let len = decode_varint(buf)?;
    let len = usize::try_from(len)
        .ok()
        .filter(|&len| len <= buf.len())
        .ok_or_else(|| DecodeError::Malformed("buffer underflow".to_owned()))?;
    let (field, rest) = buf.split_at(len);
    *buf = rest;
    Ok(field)
}

/// Merges a nested message into `slot` (protobuf merges repeated
/// occurrences of a singular message field).
fn merge_child<M: DeepMerge>(
    slot: &mut M,
    wire_type: WireType,
    buf: &mut &[u8],
    depth: usize,
) -> Result<(), DecodeError> {
    let bytes = take_delimited(wire_type, buf)?;
    merge_message(slot, bytes, depth + 1)
}

fn merge_optional<M: DeepMerge>(
    slot: &mut Option<M>,
    wire_type: WireType,
    buf: &mut &[u8],
    depth: usize,
) -> Result<(), DecodeError> {
    merge_child(slot.get_or_insert_with(M::default), wire_type, buf, depth)
}

fn push_child<M: DeepMerge>(
    list: &mut Vec<M>,
    wire_type: WireType,
    buf: &mut &[u8],
    depth: usize,
) -> Result<(), DecodeError> {
    list.push(M::default());
    match list.last_mut() {
        Some(message) => merge_child(message, wire_type, buf, depth),
        None => Ok(()),
    }
}

/// Lets prost decode a field that cannot contain a Par.
fn delegate<M: Message>(
    message: &mut M,
    tag: u32,
    wire_type: WireType,
    buf: &mut &[u8],
) -> Result<(), DecodeError> {
    Ok(message.merge_field(tag, wire_type, buf, DecodeContext::default())?)
}

/// Implements [`DeepMerge`] for messages whose Par-bearing fields are
/// `Option<Par>` (`one`) or `Vec<Par>`-like lists (`many`).
macro_rules! deep_merge {
    ($ty:ty { $($tag:literal => $how:ident $field:ident),* $(,)? }) => {
        impl DeepMerge for $ty {
            fn merge_deep_field(
                &mut self,
                tag: u32,
                wire_type: WireType,
                buf: &mut &[u8],
                depth: usize,
            ) -> Result<(), DecodeError> {
                match tag {
                    $($tag => deep_merge!(@$how self.$field, wire_type, buf, depth),)*
                    _ => delegate(self, tag, wire_type, buf),
                }
            }
        }
    };
    (@one $slot:expr, $wire_type:ident, $buf:ident, $depth:ident) => {
        merge_optional(&mut $slot, $wire_type, $buf, $depth)
    };
    (@many $list:expr, $wire_type:ident, $buf:ident, $depth:ident) => {
        push_child(&mut $list, $wire_type, $buf, $depth)
    };
}

deep_merge!(Par {
    1 => many sends,
    2 => many receives,
    4 => many news,
    5 => many exprs,
    6 => many matches,
    8 => many connectives,
    11 => many bundles,
});
deep_merge!(Send { 1 => one chan, 2 => many data });
deep_merge!(Receive { 1 => many binds, 2 => one body });
deep_merge!(ReceiveBind { 1 => many patterns, 2 => one source });
deep_merge!(Match { 1 => one target, 2 => many cases });
deep_merge!(MatchCase { 1 => one pattern, 2 => one source });
deep_merge!(Bundle { 1 => one body });
deep_merge!(ConnectiveBody { 1 => many ps });
deep_merge!(EList { 1 => many ps });
deep_merge!(ETuple { 1 => many ps });
deep_merge!(ESet { 1 => many ps });
deep_merge!(EMap { 1 => many kvs });
deep_merge!(KeyValuePair { 1 => one key, 2 => one value });
deep_merge!(EMethod { 2 => one target, 3 => many arguments });
deep_merge!(ENot { 1 => one p });
deep_merge!(ENeg { 1 => one p });
deep_merge!(EMatches { 1 => one target, 2 => one pattern });
deep_merge!(EMult { 1 => one p1, 2 => one p2 });
deep_merge!(EDiv { 1 => one p1, 2 => one p2 });
deep_merge!(EMod { 1 => one p1, 2 => one p2 });
deep_merge!(EPlus { 1 => one p1, 2 => one p2 });
deep_merge!(EMinus { 1 => one p1, 2 => one p2 });
deep_merge!(ELt { 1 => one p1, 2 => one p2 });
deep_merge!(ELte { 1 => one p1, 2 => one p2 });
deep_merge!(EGt { 1 => one p1, 2 => one p2 });
deep_merge!(EGte { 1 => one p1, 2 => one p2 });
deep_merge!(EEq { 1 => one p1, 2 => one p2 });
deep_merge!(ENeq { 1 => one p1, 2 => one p2 });
deep_merge!(EAnd { 1 => one p1, 2 => one p2 });
deep_merge!(EOr { 1 => one p1, 2 => one p2 });
deep_merge!(EShortAnd { 1 => one p1, 2 => one p2 });
deep_merge!(EShortOr { 1 => one p1, 2 => one p2 });
deep_merge!(EPercentPercent { 1 => one p1, 2 => one p2 });
deep_merge!(EPlusPlus { 1 => one p1, 2 => one p2 });
deep_merge!(EMinusMinus { 1 => one p1, 2 => one p2 });

impl DeepMerge for New {
    fn merge_deep_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut &[u8],
        depth: usize,
    ) -> Result<(), DecodeError> {
        match tag {
            2 => merge_optional(&mut self.p, wire_type, buf, depth),
            4 => {
                // A map entry is a message `{ string key = 1; Par value = 2; }`;
                // a later entry for the same key replaces an earlier one.
                // prost reads a map entry's length without checking the
                // field's wire type; so do we, to accept the same bytes.
                let entry = take_delimited(WireType::LengthDelimited, buf)?;
                let mut key = String::new();
                let mut value = Par::default();
                let result = merge_map_entry(&mut key, &mut value, entry, depth);
                // Inserted even after an error, so that `decode` drops it.
                self.injections.insert(key, value);
                result
            }
            _ => delegate(self, tag, wire_type, buf),
        }
    }
}

fn merge_map_entry(
    key: &mut String,
    value: &mut Par,
    mut entry: &[u8],
    depth: usize,
) -> Result<(), DecodeError> {
    while !entry.is_empty() {
        let (tag, wire_type) = decode_key(&mut entry)?;
        let context = DecodeContext::default();
        match tag {
            1 => prost::encoding::string::merge(wire_type, key, &mut entry, context)?,
            2 => merge_child(value, wire_type, &mut entry, depth + 1)?,
            _ => prost::encoding::skip_field(wire_type, tag, &mut entry, context)?,
        }
    }
    Ok(())
}

/// Merges a oneof variant that holds a message: into the current value if
/// the variant is already set, into a fresh one otherwise (as prost does).
macro_rules! merge_variant {
    ($slot:expr, $variant:path, $wire_type:ident, $buf:ident, $depth:ident) => {{
        match &mut $slot {
            Some($variant(value)) => merge_child(value, $wire_type, $buf, $depth),
            _ => {
                $slot = Some($variant(Default::default()));
                match &mut $slot {
                    Some($variant(value)) => merge_child(value, $wire_type, $buf, $depth),
                    _ => Ok(()),
                }
            }
        }
    }};
}

impl DeepMerge for Expr {
    fn merge_deep_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut &[u8],
        depth: usize,
    ) -> Result<(), DecodeError> {
        use ExprInstance as E;
        let slot = &mut self.expr_instance;
        match tag {
            5 => merge_variant!(*slot, E::ENotBody, wire_type, buf, depth),
            6 => merge_variant!(*slot, E::ENegBody, wire_type, buf, depth),
            7 => merge_variant!(*slot, E::EMultBody, wire_type, buf, depth),
            8 => merge_variant!(*slot, E::EDivBody, wire_type, buf, depth),
            9 => merge_variant!(*slot, E::EPlusBody, wire_type, buf, depth),
            10 => merge_variant!(*slot, E::EMinusBody, wire_type, buf, depth),
            11 => merge_variant!(*slot, E::ELtBody, wire_type, buf, depth),
            12 => merge_variant!(*slot, E::ELteBody, wire_type, buf, depth),
            13 => merge_variant!(*slot, E::EGtBody, wire_type, buf, depth),
            14 => merge_variant!(*slot, E::EGteBody, wire_type, buf, depth),
            15 => merge_variant!(*slot, E::EEqBody, wire_type, buf, depth),
            16 => merge_variant!(*slot, E::ENeqBody, wire_type, buf, depth),
            17 => merge_variant!(*slot, E::EAndBody, wire_type, buf, depth),
            18 => merge_variant!(*slot, E::EOrBody, wire_type, buf, depth),
            20 => merge_variant!(*slot, E::EListBody, wire_type, buf, depth),
            21 => merge_variant!(*slot, E::ETupleBody, wire_type, buf, depth),
            22 => merge_variant!(*slot, E::ESetBody, wire_type, buf, depth),
            23 => merge_variant!(*slot, E::EMapBody, wire_type, buf, depth),
            24 => merge_variant!(*slot, E::EMethodBody, wire_type, buf, depth),
            27 => merge_variant!(*slot, E::EMatchesBody, wire_type, buf, depth),
            28 => merge_variant!(*slot, E::EPercentPercentBody, wire_type, buf, depth),
            29 => merge_variant!(*slot, E::EPlusPlusBody, wire_type, buf, depth),
            30 => merge_variant!(*slot, E::EMinusMinusBody, wire_type, buf, depth),
            31 => merge_variant!(*slot, E::EModBody, wire_type, buf, depth),
            32 => merge_variant!(*slot, E::EShortAndBody, wire_type, buf, depth),
            33 => merge_variant!(*slot, E::EShortOrBody, wire_type, buf, depth),
            // Ground values and `EVar` (which holds only a `Var`).
            _ => delegate(self, tag, wire_type, buf),
        }
    }
}

impl DeepMerge for Connective {
    fn merge_deep_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut &[u8],
        depth: usize,
    ) -> Result<(), DecodeError> {
        use ConnectiveInstance as C;
        let slot = &mut self.connective_instance;
        match tag {
            1 => merge_variant!(*slot, C::ConnAndBody, wire_type, buf, depth),
            2 => merge_variant!(*slot, C::ConnOrBody, wire_type, buf, depth),
            3 => merge_variant!(*slot, C::ConnNotBody, wire_type, buf, depth),
            _ => delegate(self, tag, wire_type, buf),
        }
    }
}
