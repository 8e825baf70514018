//! Collection operators (`++`, `--`, set `+`/`-`) and the set/map updates
//! that methods share with them.
//!
//! Results are built with the persistent-collection methods of
//! [`crate::value`] (`concat`, `insert`, `remove`), so they share structure
//! with their operands and keep the cached encoded sizes right. Phlo for
//! work proportional to a collection is charged before that work.

use std::sync::Arc;

use super::operand::{method_not_defined, operator_not_defined, single_expr};
use super::strings;
use crate::error::RuntimeError;
use crate::phlo::{CostTable, PhloMeter};
use crate::value::{ListValue, MapValue, SetValue, Value};

/// `left ++ right`: strings, byte arrays, lists, maps (right wins) and sets.
pub(super) fn plus_plus(
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    meter.charge(costs.op_call)?;
    let (left, right) = (single_expr(left)?, single_expr(right)?);
    match (left, right) {
        (Value::Str(a), Value::Str(b)) => strings::concat_strings(a, b, meter),
        (Value::Bytes(a), Value::Bytes(b)) => strings::concat_bytes(a, b, meter),
        (Value::List(a), Value::List(b)) => {
            meter.charge(b.len() as u64)?;
            Ok(Value::List(Arc::new(a.concat(b))))
        }
        (Value::Map(_), Value::Map(_)) | (Value::Set(_), Value::Set(_)) => {
            union(left, right, costs, meter)
        }
        (Value::Str(_) | Value::List(_) | Value::Map(_) | Value::Set(_), other) => {
            Err(operator_not_defined("++", other))
        }
        (other, _) => Err(operator_not_defined("++", other)),
    }
}

/// `left -- right`: set difference.
pub(super) fn minus_minus(
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    meter.charge(costs.op_call)?;
    let (left, right) = (single_expr(left)?, single_expr(right)?);
    match (left, right) {
        (Value::Set(_), Value::Set(_)) => diff(left, right, costs, meter),
        (Value::Set(_), other) => Err(operator_not_defined("--", other)),
        (other, _) => Err(operator_not_defined("--", other)),
    }
}

/// The set with `element` added (`add`, set `+`).
pub(super) fn set_add(
    set: &SetValue,
    element: Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    meter.charge(costs.add)?;
    Ok(Value::Set(Arc::new(set.insert(element))))
}

/// The collection without `element` (`delete`, set and map `-`): a set
/// loses the element, a map the key.
pub(super) fn delete(
    target: &Value,
    element: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    meter.charge(costs.remove)?;
    match target {
        Value::Set(set) => Ok(Value::Set(Arc::new(set.remove(element)))),
        Value::Map(map) => Ok(Value::Map(Arc::new(map.remove(element)))),
        other => Err(method_not_defined("delete", other)),
    }
}

/// `base.union(other)` (and `++` on sets and maps): charged per element of
/// `other`; on maps, `other`'s values win.
pub(super) fn union(
    base: &Value,
    other: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    match (base, other) {
        (Value::Set(base), Value::Set(other)) => {
            meter.charge(costs.add.saturating_mul(other.len() as u64))?;
            Ok(Value::Set(Arc::new(set_union(base, other))))
        }
        (Value::Map(base), Value::Map(other)) => {
            meter.charge(costs.add.saturating_mul(other.len() as u64))?;
            let merged = other
                .entries()
                .iter()
                .fold(base.as_ref().clone(), |acc: MapValue, (k, v)| {
                    acc.insert(k.clone(), v.clone())
                });
            Ok(Value::Map(Arc::new(merged)))
        }
        (base, _) => Err(method_not_defined("union", base)),
    }
}

/// `base.diff(other)` (and `--` on sets): a set loses `other`'s elements, a
/// map loses `other`'s keys; charged per element of `other`.
pub(super) fn diff(
    base: &Value,
    other: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    match (base, other) {
        (Value::Set(base), Value::Set(other)) => {
            meter.charge(costs.remove.saturating_mul(other.len() as u64))?;
            let rest = other
                .items()
                .iter()
                .fold(base.as_ref().clone(), |acc: SetValue, item| {
                    acc.remove(item)
                });
            Ok(Value::Set(Arc::new(rest)))
        }
        (Value::Map(base), Value::Map(other)) => {
            meter.charge(costs.remove.saturating_mul(other.len() as u64))?;
            let rest = other
                .entries()
                .keys()
                .fold(base.as_ref().clone(), |acc: MapValue, key| acc.remove(key));
            Ok(Value::Map(Arc::new(rest)))
        }
        (base, _) => Err(method_not_defined("diff", base)),
    }
}

/// The union of two sets, inserting the smaller into the larger.
fn set_union(a: &SetValue, b: &SetValue) -> SetValue {
    let (large, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    small
        .items()
        .iter()
        .fold(large.clone(), |acc, item| acc.insert(item.clone()))
}

/// The elements `from..until` of a list, clamped like Scala's `slice`.
pub(super) fn list_slice(list: &ListValue, from: i32, until: i32) -> ListValue {
    let len = list.len();
    let start = usize::try_from(from.max(0)).unwrap_or(0).min(len);
    let end = usize::try_from(until.max(0)).unwrap_or(0).min(len);
    if start >= end {
        return ListValue::default();
    }
    let mut items = list.items().clone();
    ListValue::from_vector(items.slice(start..end))
}

/// The first `count` elements of a list (all of them if it is shorter).
pub(super) fn list_take(list: &ListValue, count: i32) -> ListValue {
    let count = usize::try_from(count.max(0)).unwrap_or(0);
    if count >= list.len() {
        return list.clone();
    }
    ListValue::from_vector(list.items().take(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(list: &ListValue) -> Vec<i64> {
        list.items()
            .iter()
            .map(|v| match v {
                Value::Int(i) => *i,
                other => panic!("not an Int: {other:?}"),
            })
            .collect()
    }

    fn numbers(n: i64) -> ListValue {
        (0..n).map(Value::Int).collect()
    }

    #[test]
    fn list_slice_clamps_like_scala() {
        let list = numbers(5);
        assert_eq!(ints(&list_slice(&list, 1, 3)), [1, 2]);
        assert_eq!(ints(&list_slice(&list, -2, 2)), [0, 1]);
        assert_eq!(ints(&list_slice(&list, 3, 100)), [3, 4]);
        assert!(list_slice(&list, 4, 2).is_empty());
        assert!(list_slice(&list, 7, 9).is_empty());
    }

    #[test]
    fn list_take_handles_short_lists_and_negative_counts() {
        let list = numbers(3);
        assert_eq!(ints(&list_take(&list, 2)), [0, 1]);
        assert_eq!(ints(&list_take(&list, 10)), [0, 1, 2]);
        assert!(list_take(&list, -1).is_empty());
    }

    #[test]
    fn set_union_is_symmetric_in_content() {
        let small: SetValue = [1, 2].map(Value::Int).into_iter().collect();
        let large: SetValue = (2..10).map(Value::Int).collect();
        assert_eq!(set_union(&small, &large), set_union(&large, &small));
        assert_eq!(set_union(&small, &large).len(), 9);
    }
}
