//! Runtime values: what variables hold, what sends carry and what channels are.
//!
//! A [`Value`] is a closed, canonical process. Ground data (Ints, strings,
//! collections, unforgeable names) get their own variants so that arithmetic,
//! methods and matching touch plain Rust values; every other process (sends,
//! receives, a par of several parts, bundles...) is kept as a sorted [`Par`] in
//! [`Value::Proc`]. The representation is canonical: a process has exactly one
//! `Value` form, so derived equality and hashing are structural equivalence.
//!
//! Collections are persistent (`imbl`), so `[h ...t]`, `++`, `.set(k, v)` and
//! friends share structure instead of copying, and each collection caches the
//! protobuf size of its elements so that storage is charged by size in O(1).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use imbl::{OrdMap, OrdSet, Vector};
use num_bigint::BigInt;
use rho_host_abi::par::{
    EList, EMap, ESet, ETuple, Expr, GUnforgeable, KeyValuePair, Par, expr::ExprInstance,
    g_unforgeable::UnfInstance,
};

/// A closed, canonical Rholang process used as data.
#[derive(Clone, PartialEq, Eq)]
pub enum Value {
    /// The empty process `Nil`.
    Nil,
    /// `true` or `false`.
    Bool(bool),
    /// A 64-bit signed integer (wrapping arithmetic).
    Int(i64),
    /// An arbitrary-precision integer.
    BigInt(Arc<BigInt>),
    /// A string, kept raw (never unescaped).
    Str(Arc<str>),
    /// A URI literal.
    Uri(Arc<str>),
    /// A byte array.
    Bytes(Arc<[u8]>),
    /// An unforgeable name (private, deploy id, deployer id, auth token).
    Unforgeable(Arc<GUnforgeable>),
    /// A list.
    List(Arc<ListValue>),
    /// A tuple (at least one element).
    Tuple(Arc<[Value]>),
    /// A set, in canonical order.
    Set(Arc<SetValue>),
    /// A map, in canonical key order.
    Map(Arc<MapValue>),
    /// Any other process, as a sorted, closed Par.
    Proc(Arc<ProcValue>),
}

/// A persistent list with the cached protobuf size of its elements.
#[derive(Clone, Default, Debug)]
pub struct ListValue {
    items: Vector<Value>,
    elems_len: u64,
}

/// A persistent set in canonical order, with the cached size of its elements.
#[derive(Clone, Default, Debug)]
pub struct SetValue {
    items: OrdSet<Value>,
    elems_len: u64,
}

/// A persistent map in canonical key order, with the cached size of its entries.
#[derive(Clone, Default, Debug)]
pub struct MapValue {
    entries: OrdMap<Value, Value>,
    elems_len: u64,
}

/// A process that is not plain data, with its protobuf size computed once.
#[derive(Clone, Debug)]
pub struct ProcValue {
    par: Par,
    encoded_len: u64,
}

impl Value {
    /// Builds a string value.
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::Str(s.into())
    }

    /// Builds a list value.
    pub fn list(items: impl IntoIterator<Item = Value>) -> Value {
        Value::List(Arc::new(ListValue::from_iter(items)))
    }

    /// Builds a tuple value; an empty tuple is not a Rholang value, so it
    /// becomes `Nil`.
    pub fn tuple(items: Vec<Value>) -> Value {
        if items.is_empty() {
            Value::Nil
        } else {
            Value::Tuple(items.into())
        }
    }

    /// Builds a set value.
    pub fn set(items: impl IntoIterator<Item = Value>) -> Value {
        Value::Set(Arc::new(SetValue::from_iter(items)))
    }

    /// Builds a map value; a later entry for an equal key wins.
    pub fn map(entries: impl IntoIterator<Item = (Value, Value)>) -> Value {
        Value::Map(Arc::new(MapValue::from_iter(entries)))
    }

    /// Converts a closed, sorted Par into its canonical value form.
    ///
    /// Variables left in `par` (which a closed process never has) are kept
    /// inside a [`Value::Proc`], where they match nothing.
    pub fn from_par(par: Par) -> Value {
        let only_expr = par.sends.is_empty()
            && par.receives.is_empty()
            && par.news.is_empty()
            && par.matches.is_empty()
            && par.unforgeables.is_empty()
            && par.bundles.is_empty()
            && par.connectives.is_empty();
        if only_expr && par.exprs.is_empty() {
            return Value::Nil;
        }
        let only_unforgeable = par.sends.is_empty()
            && par.receives.is_empty()
            && par.news.is_empty()
            && par.matches.is_empty()
            && par.exprs.is_empty()
            && par.bundles.is_empty()
            && par.connectives.is_empty()
            && par.unforgeables.len() == 1;
        if only_unforgeable {
            let mut par = par;
            return Value::Unforgeable(Arc::new(par.unforgeables.remove(0)));
        }
        if only_expr && par.exprs.len() == 1 {
            match Value::try_from_expr(&par.exprs[0]) {
                Some(value) => return value,
                None => return Value::proc(par),
            }
        }
        Value::proc(par)
    }

    /// Converts a ground expression into a value, or `None` when it is not
    /// plain data (an operator, a variable, a pattern collection).
    fn try_from_expr(expr: &Expr) -> Option<Value> {
        let instance = expr.expr_instance.as_ref()?;
        Some(match instance {
            ExprInstance::GBool(b) => Value::Bool(*b),
            ExprInstance::GInt(i) => Value::Int(*i),
            ExprInstance::GBigInt(bytes) => {
                Value::BigInt(Arc::new(BigInt::from_signed_bytes_be(bytes)))
            }
            ExprInstance::GString(s) => Value::Str(s.as_str().into()),
            ExprInstance::GUri(s) => Value::Uri(s.as_str().into()),
            ExprInstance::GByteArray(b) => Value::Bytes(b.as_slice().into()),
            ExprInstance::EListBody(list) if list.remainder.is_none() && !list.connective_used => {
                Value::list(list.ps.iter().cloned().map(Value::from_par))
            }
            ExprInstance::ETupleBody(tuple) if !tuple.connective_used => {
                Value::tuple(tuple.ps.iter().cloned().map(Value::from_par).collect())
            }
            ExprInstance::ESetBody(set) if set.remainder.is_none() && !set.connective_used => {
                Value::set(set.ps.iter().cloned().map(Value::from_par))
            }
            ExprInstance::EMapBody(map) if map.remainder.is_none() && !map.connective_used => {
                Value::map(map.kvs.iter().map(|kv| {
                    (
                        Value::from_par(kv.key.clone().unwrap_or_default()),
                        Value::from_par(kv.value.clone().unwrap_or_default()),
                    )
                }))
            }
            _ => return None,
        })
    }

    fn proc(par: Par) -> Value {
        Value::Proc(Arc::new(ProcValue::new(par)))
    }

    /// The Par form of this value (sorted, closed).
    pub fn to_par(&self) -> Par {
        match self {
            Value::Nil => Par::default(),
            Value::Unforgeable(name) => Par {
                unforgeables: vec![(**name).clone()],
                ..Par::default()
            },
            Value::Proc(proc) => proc.par.clone(),
            _ => Par {
                exprs: vec![self.to_expr_unchecked()],
                ..Par::default()
            },
        }
    }

    /// The expression form of a value that is an expression.
    fn to_expr_unchecked(&self) -> Expr {
        let instance = match self {
            Value::Bool(b) => ExprInstance::GBool(*b),
            Value::Int(i) => ExprInstance::GInt(*i),
            Value::BigInt(n) => ExprInstance::GBigInt(n.to_signed_bytes_be()),
            Value::Str(s) => ExprInstance::GString(s.to_string()),
            Value::Uri(s) => ExprInstance::GUri(s.to_string()),
            Value::Bytes(b) => ExprInstance::GByteArray(b.to_vec()),
            Value::List(list) => ExprInstance::EListBody(EList {
                ps: list.items.iter().map(Value::to_par).collect(),
                ..EList::default()
            }),
            Value::Tuple(items) => ExprInstance::ETupleBody(ETuple {
                ps: items.iter().map(Value::to_par).collect(),
                ..ETuple::default()
            }),
            Value::Set(set) => ExprInstance::ESetBody(ESet {
                ps: set.items.iter().map(Value::to_par).collect(),
                ..ESet::default()
            }),
            Value::Map(map) => ExprInstance::EMapBody(EMap {
                kvs: map
                    .entries
                    .iter()
                    .map(|(k, v)| KeyValuePair {
                        key: Some(k.to_par()),
                        value: Some(v.to_par()),
                    })
                    .collect(),
                ..EMap::default()
            }),
            Value::Nil | Value::Unforgeable(_) | Value::Proc(_) => {
                unreachable!("to_expr_unchecked is only called on expression values")
            }
        };
        Expr {
            expr_instance: Some(instance),
        }
    }

    /// The size in bytes of this value's protobuf encoding as a Par.
    ///
    /// O(1) for every value: collections and processes cache it.
    pub fn encoded_len(&self) -> u64 {
        match self {
            Value::Nil => 0,
            Value::Unforgeable(name) => {
                field_len(prost::Message::encoded_len(name.as_ref()) as u64)
            }
            Value::Proc(proc) => proc.encoded_len,
            _ => field_len(self.expr_len()),
        }
    }

    /// The size of this value's `Expr` message (for expression values).
    fn expr_len(&self) -> u64 {
        // Tag of the oneof field plus its payload.
        match self {
            Value::Bool(_) => 2,
            Value::Int(i) => 1 + varint_len(zigzag(*i)),
            Value::BigInt(n) => bytes_field_len(n.to_signed_bytes_be().len() as u64, 2),
            Value::Str(s) | Value::Uri(s) => bytes_field_len(s.len() as u64, 1),
            Value::Bytes(b) => bytes_field_len(b.len() as u64, 2),
            Value::List(list) => message_field_len(list.elems_len, 2),
            Value::Tuple(items) => {
                let elems: u64 = items.iter().map(|v| field_len(v.encoded_len())).sum();
                message_field_len(elems, 2)
            }
            Value::Set(set) => message_field_len(set.elems_len, 2),
            Value::Map(map) => message_field_len(map.elems_len, 2),
            Value::Nil | Value::Unforgeable(_) | Value::Proc(_) => 0,
        }
    }

    /// The name of this value's type, as used in error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "Nil",
            Value::Bool(_) => "Bool",
            Value::Int(_) => "Int",
            Value::BigInt(_) => "BigInt",
            Value::Str(_) => "String",
            Value::Uri(_) => "Uri",
            Value::Bytes(_) => "ByteArray",
            Value::Unforgeable(_) => "Unforgeable",
            Value::List(_) => "List",
            Value::Tuple(_) => "Tuple",
            Value::Set(_) => "Set",
            Value::Map(_) => "Map",
            Value::Proc(_) => "Par",
        }
    }

    /// Prints the value as the reference's `rho:io:stdout` does.
    pub fn print(&self) -> String {
        match self {
            // Fast paths for the common scalar cases.
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Nil => "Nil".to_string(),
            Value::Str(s) => format!("\"{s}\""),
            _ => rho_host_abi::print::print_par(&self.to_par()),
        }
    }
}

impl Hash for Value {
    /// Structural, like equality; an unforgeable name hashes only a prefix
    /// of its id (ids are random bytes, so the prefix spreads as well as the
    /// whole, and channel lookups on names stay cheap).
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Nil => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(i) => i.hash(state),
            Value::BigInt(n) => n.hash(state),
            Value::Str(s) | Value::Uri(s) => s.hash(state),
            Value::Bytes(b) => b.hash(state),
            Value::Unforgeable(name) => match &name.unf_instance {
                Some(UnfInstance::GPrivateBody(private)) => {
                    let mut prefix = [0u8; 8];
                    let n = private.id.len().min(8);
                    prefix[..n].copy_from_slice(&private.id[..n]);
                    state.write_u64(u64::from_le_bytes(prefix) ^ private.id.len() as u64);
                }
                _ => name.hash(state),
            },
            Value::List(list) => list.hash(state),
            Value::Tuple(items) => items.hash(state),
            Value::Set(set) => set.hash(state),
            Value::Map(map) => map.hash(state),
            Value::Proc(proc) => proc.hash(state),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.print())
    }
}

impl Ord for Value {
    /// The reference's canonical order (score trees), used for sets and maps.
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (Value::Bool(a), Value::Bool(b)) => b.cmp(a),
            (Value::Str(a), Value::Str(b)) | (Value::Uri(a), Value::Uri(b)) => {
                a.encode_utf16().cmp(b.encode_utf16())
            }
            _ if self == other => Ordering::Equal,
            _ => rho_host_abi::sort::cmp_par(&self.to_par(), &other.to_par()),
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl ListValue {
    /// The elements, in order.
    pub fn items(&self) -> &Vector<Value> {
        &self.items
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Builds a list from a persistent vector.
    pub fn from_vector(items: Vector<Value>) -> ListValue {
        let elems_len = items.iter().map(|v| field_len(v.encoded_len())).sum();
        ListValue { items, elems_len }
    }

    /// `self ++ other`, sharing structure with both.
    ///
    /// A short side is pushed element by element onto the long one
    /// (amortized O(1) each); only two long lists pay for an RRB merge.
    pub fn concat(&self, other: &ListValue) -> ListValue {
        const SHORT: usize = 64;
        let items = if self.items.len() <= SHORT {
            let mut items = other.items.clone();
            for value in self.items.iter().rev() {
                items.push_front(value.clone());
            }
            items
        } else if other.items.len() <= SHORT {
            let mut items = self.items.clone();
            items.extend(other.items.iter().cloned());
            items
        } else {
            let mut items = self.items.clone();
            items.append(other.items.clone());
            items
        };
        ListValue {
            items,
            elems_len: self.elems_len + other.elems_len,
        }
    }

    /// The elements from `index` on, sharing structure.
    pub fn skip(&self, index: usize) -> ListValue {
        if index == 0 {
            return self.clone();
        }
        let index = index.min(self.items.len());
        let removed: u64 = self
            .items
            .iter()
            .take(index)
            .map(|v| field_len(v.encoded_len()))
            .sum();
        ListValue {
            items: self.items.skip(index),
            elems_len: self.elems_len - removed,
        }
    }
}

impl FromIterator<Value> for ListValue {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> ListValue {
        ListValue::from_vector(iter.into_iter().collect())
    }
}

impl SetValue {
    /// The elements, in canonical order.
    pub fn items(&self) -> &OrdSet<Value> {
        &self.items
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether `value` is an element.
    pub fn contains(&self, value: &Value) -> bool {
        self.items.contains(value)
    }

    /// The set with `value` added.
    pub fn insert(&self, value: Value) -> SetValue {
        if self.items.contains(&value) {
            return self.clone();
        }
        let mut next = self.clone();
        next.elems_len += field_len(value.encoded_len());
        next.items.insert(value);
        next
    }

    /// The set without `value`.
    pub fn remove(&self, value: &Value) -> SetValue {
        let mut next = self.clone();
        if next.items.remove(value).is_some() {
            next.elems_len -= field_len(value.encoded_len());
        }
        next
    }
}

impl FromIterator<Value> for SetValue {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> SetValue {
        let items: OrdSet<Value> = iter.into_iter().collect();
        let elems_len = items.iter().map(|v| field_len(v.encoded_len())).sum();
        SetValue { items, elems_len }
    }
}

impl MapValue {
    /// The entries, in canonical key order.
    pub fn entries(&self) -> &OrdMap<Value, Value> {
        &self.entries
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &Value) -> Option<&Value> {
        self.entries.get(key)
    }

    /// The map with `key` bound to `value`.
    pub fn insert(&self, key: Value, value: Value) -> MapValue {
        let mut next = self.clone();
        let added = entry_len(&key, &value);
        if let Some(old) = next.entries.insert(key.clone(), value) {
            next.elems_len -= entry_len(&key, &old);
        }
        next.elems_len += added;
        next
    }

    /// The map without `key`.
    pub fn remove(&self, key: &Value) -> MapValue {
        let mut next = self.clone();
        if let Some(old) = next.entries.remove(key) {
            next.elems_len -= entry_len(key, &old);
        }
        next
    }
}

impl FromIterator<(Value, Value)> for MapValue {
    fn from_iter<I: IntoIterator<Item = (Value, Value)>>(iter: I) -> MapValue {
        let entries: OrdMap<Value, Value> = iter.into_iter().collect();
        let elems_len = entries.iter().map(|(k, v)| entry_len(k, v)).sum();
        MapValue { entries, elems_len }
    }
}

impl ProcValue {
    /// Wraps a sorted, closed Par, computing its size once.
    pub fn new(par: Par) -> ProcValue {
        let encoded_len = prost::Message::encoded_len(&par) as u64;
        ProcValue { par, encoded_len }
    }

    /// The process, sorted and closed.
    pub fn par(&self) -> &Par {
        &self.par
    }
}

macro_rules! eq_hash_by {
    ($ty:ty, $field:ident) => {
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.$field == other.$field
            }
        }
        impl Eq for $ty {}
        impl Hash for $ty {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.$field.hash(state)
            }
        }
    };
}

eq_hash_by!(ListValue, items);
eq_hash_by!(SetValue, items);
eq_hash_by!(MapValue, entries);
eq_hash_by!(ProcValue, par);

/// Size of a length-delimited field (tag, length prefix, payload) whose
/// payload is `len` bytes, with a one-byte tag.
fn field_len(len: u64) -> u64 {
    1 + varint_len(len) + len
}

fn bytes_field_len(len: u64, tag_len: u64) -> u64 {
    tag_len + varint_len(len) + len
}

fn message_field_len(len: u64, tag_len: u64) -> u64 {
    tag_len + varint_len(len) + len
}

/// Size of one map entry (a `KeyValuePair` field of `EMap`).
fn entry_len(key: &Value, value: &Value) -> u64 {
    field_len(field_len(key.encoded_len()) + field_len(value.encoded_len()))
}

fn zigzag(i: i64) -> u64 {
    ((i << 1) ^ (i >> 63)) as u64
}

fn varint_len(v: u64) -> u64 {
    u64::from((64 - (v | 1).leading_zeros()).div_ceil(7))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_len_matches(value: &Value) {
        let par = value.to_par();
        assert_eq!(
            value.encoded_len(),
            prost::Message::encoded_len(&par) as u64,
            "cached size of {value:?}"
        );
    }

    #[test]
    fn encoded_len_matches_protobuf() {
        let values = [
            Value::Nil,
            Value::Int(0),
            Value::Int(-5),
            Value::Int(i64::MIN),
            Value::Bool(true),
            Value::string("hello"),
            Value::Uri("rho:io:stdout".into()),
            Value::Bytes(vec![1u8; 300].into()),
            Value::list((0..200).map(Value::Int)),
            Value::tuple(vec![Value::Int(1), Value::string("two")]),
            Value::set([Value::Int(3), Value::Int(1)]),
            Value::map([(Value::string("a"), Value::list([Value::Int(1)]))]),
        ];
        for value in &values {
            assert_len_matches(value);
        }
    }

    #[test]
    fn cached_sizes_follow_persistent_updates() {
        let Value::List(list) = Value::list((0..100).map(Value::Int)) else {
            unreachable!()
        };
        let tail = Value::List(Arc::new(list.skip(10)));
        assert_len_matches(&tail);
        let Value::List(front) = Value::list([Value::string("x")]) else {
            unreachable!()
        };
        assert_len_matches(&Value::List(Arc::new(front.concat(&list))));
        let Value::Map(map) = Value::map([(Value::Int(1), Value::Int(2))]) else {
            unreachable!()
        };
        let map = map.insert(Value::Int(1), Value::string("replaced"));
        let map = map
            .insert(Value::Int(7), Value::Int(8))
            .remove(&Value::Int(1));
        assert_len_matches(&Value::Map(Arc::new(map)));
    }

    #[test]
    fn par_round_trip_is_canonical() {
        let value = Value::list([
            Value::Int(1),
            Value::set([Value::string("b"), Value::string("a")]),
            Value::tuple(vec![Value::Bool(false)]),
        ]);
        assert_eq!(Value::from_par(value.to_par()), value);
        assert_eq!(Value::from_par(Par::default()), Value::Nil);
    }
}
