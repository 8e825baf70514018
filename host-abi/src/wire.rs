//! A linear-time protobuf encoder for the Par data model.
//!
//! prost's encoder writes each nested message's length before its content,
//! so it computes the length of every subterm once per enclosing message:
//! `O(size * depth)` work, seconds for a term 10,000 levels deep, and a
//! recursion without stack checks. This encoder writes back to front
//! instead: a message's content first, then its length (now known), then
//! its key, with fields and repeated elements in reverse order. Reversing
//! the buffer at the end gives exactly prost's bytes (fields in tag order,
//! proto3 defaults omitted, oneof members always written) in one pass.
//!
//! The recursion goes through [`stack::guarded`] once per Par.

use crate::par::{
    Bundle, Connective, ConnectiveBody, Expr, GUnforgeable, KeyValuePair, Match, MatchCase, New,
    Par, Receive, ReceiveBind, Send, Var, VarRef, connective::ConnectiveInstance,
    expr::ExprInstance, g_unforgeable::UnfInstance, var::VarInstance,
};
use crate::stack;

/// The bytes of a message, written back to front.
///
/// Public only so that [`Encode`] can seal [`crate::Term`]; this module is
/// private.
#[derive(Default)]
pub struct ReverseWriter {
    reversed: Vec<u8>,
}

const VARINT: u64 = 0;
const LENGTH_DELIMITED: u64 = 2;

impl ReverseWriter {
    /// The encoding, in the right order.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.reversed.reverse();
        self.reversed
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.reversed.extend(bytes.iter().rev());
    }

    fn varint(&mut self, mut value: u64) {
        let mut forward = [0u8; 10];
        let mut len = 0;
        while value >= 0x80 {
            forward[len] = (value as u8) | 0x80;
            value >>= 7;
            len += 1;
        }
        forward[len] = value as u8;
        self.raw(&forward[..=len]);
    }

    fn key(&mut self, tag: u32, wire_type: u64) {
        self.varint((u64::from(tag) << 3) | wire_type);
    }

    /// A length-delimited field whose content `write` writes (backwards).
    fn delimited(&mut self, tag: u32, write: impl FnOnce(&mut Self)) {
        let end = self.reversed.len();
        write(self);
        let len = self.reversed.len() - end;
        self.varint(len as u64);
        self.key(tag, LENGTH_DELIMITED);
    }

    fn message<T: Encode>(&mut self, tag: u32, message: &T) {
        self.delimited(tag, |w| message.write_fields(w));
    }

    fn optional<T: Encode>(&mut self, tag: u32, message: &Option<T>) {
        if let Some(message) = message {
            self.message(tag, message);
        }
    }

    fn repeated<T: Encode>(&mut self, tag: u32, messages: &[T]) {
        for message in messages.iter().rev() {
            self.message(tag, message);
        }
    }

    /// A oneof member or repeated element: written even when empty.
    fn bytes_always(&mut self, tag: u32, bytes: &[u8]) {
        self.raw(bytes);
        self.varint(bytes.len() as u64);
        self.key(tag, LENGTH_DELIMITED);
    }

    fn bytes(&mut self, tag: u32, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.bytes_always(tag, bytes);
        }
    }

    fn varint_always(&mut self, tag: u32, value: u64) {
        self.varint(value);
        self.key(tag, VARINT);
    }

    fn bool(&mut self, tag: u32, value: bool) {
        if value {
            self.varint_always(tag, 1);
        }
    }

    /// `int32`: negative values are sign-extended to ten bytes.
    fn int32(&mut self, tag: u32, value: i32) {
        if value != 0 {
            self.varint_always(tag, i64::from(value) as u64);
        }
    }

    fn sint32(&mut self, tag: u32, value: i32) {
        if value != 0 {
            self.varint_always(tag, zigzag32(value));
        }
    }
}

fn zigzag32(value: i32) -> u64 {
    u64::from(((value << 1) ^ (value >> 31)) as u32)
}

fn zigzag64(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// A message of the data model that [`ReverseWriter`] can write.
pub trait Encode {
    /// Writes the message's fields, last tag first.
    fn write_fields(&self, w: &mut ReverseWriter);
}

impl Encode for Par {
    fn write_fields(&self, w: &mut ReverseWriter) {
        stack::guarded(|| {
            w.repeated(11, &self.bundles);
            w.bool(10, self.connective_used);
            w.bytes(9, &self.locally_free);
            w.repeated(8, &self.connectives);
            w.repeated(7, &self.unforgeables);
            w.repeated(6, &self.matches);
            w.repeated(5, &self.exprs);
            w.repeated(4, &self.news);
            w.repeated(2, &self.receives);
            w.repeated(1, &self.sends);
        });
    }
}

impl Encode for Send {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.bool(6, self.connective_used);
        w.bytes(5, &self.locally_free);
        w.bool(3, self.persistent);
        w.repeated(2, &self.data);
        w.optional(1, &self.chan);
    }
}

impl Encode for ReceiveBind {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.int32(4, self.free_count);
        w.optional(3, &self.remainder);
        w.optional(2, &self.source);
        w.repeated(1, &self.patterns);
    }
}

impl Encode for Receive {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.bool(7, self.connective_used);
        w.bytes(6, &self.locally_free);
        w.int32(5, self.bind_count);
        w.bool(4, self.peek);
        w.bool(3, self.persistent);
        w.optional(2, &self.body);
        w.repeated(1, &self.binds);
    }
}

impl Encode for New {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.bytes(5, &self.locally_free);
        for (key, value) in self.injections.iter().rev() {
            // A map entry is `{ string key = 1; Par value = 2; }`, each
            // field left out when it has its default value.
            w.delimited(4, |w| {
                if *value != Par::default() {
                    w.message(2, value);
                }
                w.bytes(1, key.as_bytes());
            });
        }
        for uri in self.uri.iter().rev() {
            w.bytes_always(3, uri.as_bytes());
        }
        w.optional(2, &self.p);
        w.sint32(1, self.bind_count);
    }
}

impl Encode for MatchCase {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.int32(3, self.free_count);
        w.optional(2, &self.source);
        w.optional(1, &self.pattern);
    }
}

impl Encode for Match {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.bool(5, self.connective_used);
        w.bytes(4, &self.locally_free);
        w.repeated(2, &self.cases);
        w.optional(1, &self.target);
    }
}

impl Encode for Bundle {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.bool(3, self.read_flag);
        w.bool(2, self.write_flag);
        w.optional(1, &self.body);
    }
}

impl Encode for Var {
    fn write_fields(&self, w: &mut ReverseWriter) {
        match &self.var_instance {
            Some(VarInstance::BoundVar(level)) => w.varint_always(1, zigzag32(*level)),
            Some(VarInstance::FreeVar(level)) => w.varint_always(2, zigzag32(*level)),
            Some(VarInstance::Wildcard(_)) => w.bytes_always(3, &[]),
            None => {}
        }
    }
}

impl Encode for VarRef {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.sint32(2, self.depth);
        w.sint32(1, self.index);
    }
}

impl Encode for ConnectiveBody {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.repeated(1, &self.ps);
    }
}

impl Encode for Connective {
    fn write_fields(&self, w: &mut ReverseWriter) {
        use ConnectiveInstance as C;
        match &self.connective_instance {
            Some(C::ConnAndBody(body)) => w.message(1, body),
            Some(C::ConnOrBody(body)) => w.message(2, body),
            Some(C::ConnNotBody(par)) => w.message(3, par),
            Some(C::VarRefBody(var_ref)) => w.message(4, var_ref),
            Some(C::ConnBool(value)) => w.varint_always(5, u64::from(*value)),
            Some(C::ConnInt(value)) => w.varint_always(6, u64::from(*value)),
            Some(C::ConnString(value)) => w.varint_always(7, u64::from(*value)),
            Some(C::ConnUri(value)) => w.varint_always(8, u64::from(*value)),
            Some(C::ConnByteArray(value)) => w.varint_always(9, u64::from(*value)),
            Some(C::ConnBigInt(value)) => w.varint_always(10, u64::from(*value)),
            None => {}
        }
    }
}

impl Encode for GUnforgeable {
    fn write_fields(&self, w: &mut ReverseWriter) {
        // Each body is a message with one bytes field, tag 1 (or none).
        match &self.unf_instance {
            Some(UnfInstance::GPrivateBody(private)) => w.delimited(1, |w| w.bytes(1, &private.id)),
            Some(UnfInstance::GDeployIdBody(deploy)) => w.delimited(2, |w| w.bytes(1, &deploy.sig)),
            Some(UnfInstance::GDeployerIdBody(deployer)) => {
                w.delimited(3, |w| w.bytes(1, &deployer.public_key))
            }
            Some(UnfInstance::GSysAuthTokenBody(_)) => w.bytes_always(4, &[]),
            None => {}
        }
    }
}

impl Encode for KeyValuePair {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.optional(2, &self.value);
        w.optional(1, &self.key);
    }
}

/// Implements [`Encode`] for the expression messages with Par fields
/// `p1 = 1, p2 = 2` (or other names), and nothing else.
macro_rules! encode_pars {
    ($($ty:ident { $($tag:literal => $field:ident),* }),* $(,)?) => {
        $(impl Encode for crate::par::$ty {
            fn write_fields(&self, w: &mut ReverseWriter) {
                $(w.optional($tag, &self.$field);)*
            }
        })*
    };
}

encode_pars! {
    ENot { 1 => p },
    ENeg { 1 => p },
    EMult { 2 => p2, 1 => p1 },
    EDiv { 2 => p2, 1 => p1 },
    EMod { 2 => p2, 1 => p1 },
    EPlus { 2 => p2, 1 => p1 },
    EMinus { 2 => p2, 1 => p1 },
    ELt { 2 => p2, 1 => p1 },
    ELte { 2 => p2, 1 => p1 },
    EGt { 2 => p2, 1 => p1 },
    EGte { 2 => p2, 1 => p1 },
    EEq { 2 => p2, 1 => p1 },
    ENeq { 2 => p2, 1 => p1 },
    EAnd { 2 => p2, 1 => p1 },
    EOr { 2 => p2, 1 => p1 },
    EShortAnd { 2 => p2, 1 => p1 },
    EShortOr { 2 => p2, 1 => p1 },
    EPercentPercent { 2 => p2, 1 => p1 },
    EPlusPlus { 2 => p2, 1 => p1 },
    EMinusMinus { 2 => p2, 1 => p1 },
    EMatches { 2 => pattern, 1 => target },
    EVar { 1 => v },
}

impl Encode for crate::par::EList {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.optional(5, &self.remainder);
        w.bool(4, self.connective_used);
        w.bytes(3, &self.locally_free);
        w.repeated(1, &self.ps);
    }
}

impl Encode for crate::par::ETuple {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.bool(4, self.connective_used);
        w.bytes(3, &self.locally_free);
        w.repeated(1, &self.ps);
    }
}

impl Encode for crate::par::ESet {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.optional(5, &self.remainder);
        w.bool(4, self.connective_used);
        w.bytes(3, &self.locally_free);
        w.repeated(1, &self.ps);
    }
}

impl Encode for crate::par::EMap {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.optional(5, &self.remainder);
        w.bool(4, self.connective_used);
        w.bytes(3, &self.locally_free);
        w.repeated(1, &self.kvs);
    }
}

impl Encode for crate::par::EMethod {
    fn write_fields(&self, w: &mut ReverseWriter) {
        w.bool(6, self.connective_used);
        w.bytes(5, &self.locally_free);
        w.repeated(3, &self.arguments);
        w.optional(2, &self.target);
        w.bytes(1, self.method_name.as_bytes());
    }
}

impl Encode for Expr {
    fn write_fields(&self, w: &mut ReverseWriter) {
        use ExprInstance as E;
        let Some(instance) = &self.expr_instance else {
            return;
        };
        match instance {
            E::GBool(value) => w.varint_always(1, u64::from(*value)),
            E::GInt(value) => w.varint_always(2, zigzag64(*value)),
            E::GString(value) => w.bytes_always(3, value.as_bytes()),
            E::GUri(value) => w.bytes_always(4, value.as_bytes()),
            E::ENotBody(e) => w.message(5, e),
            E::ENegBody(e) => w.message(6, e),
            E::EMultBody(e) => w.message(7, e),
            E::EDivBody(e) => w.message(8, e),
            E::EPlusBody(e) => w.message(9, e),
            E::EMinusBody(e) => w.message(10, e),
            E::ELtBody(e) => w.message(11, e),
            E::ELteBody(e) => w.message(12, e),
            E::EGtBody(e) => w.message(13, e),
            E::EGteBody(e) => w.message(14, e),
            E::EEqBody(e) => w.message(15, e),
            E::ENeqBody(e) => w.message(16, e),
            E::EAndBody(e) => w.message(17, e),
            E::EOrBody(e) => w.message(18, e),
            E::EVarBody(e) => w.message(19, e),
            E::EListBody(e) => w.message(20, e),
            E::ETupleBody(e) => w.message(21, e),
            E::ESetBody(e) => w.message(22, e),
            E::EMapBody(e) => w.message(23, e),
            E::EMethodBody(e) => w.message(24, e),
            E::GByteArray(value) => w.bytes_always(25, value),
            E::EMatchesBody(e) => w.message(27, e),
            E::EPercentPercentBody(e) => w.message(28, e),
            E::EPlusPlusBody(e) => w.message(29, e),
            E::EMinusMinusBody(e) => w.message(30, e),
            E::EModBody(e) => w.message(31, e),
            E::EShortAndBody(e) => w.message(32, e),
            E::EShortOrBody(e) => w.message(33, e),
            E::GBigInt(value) => w.bytes_always(34, value),
        }
    }
}
