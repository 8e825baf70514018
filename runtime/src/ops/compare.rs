//! Comparisons, equality and the strict boolean operators.
//!
//! `<`, `<=`, `>`, `>=` order two Bools (`false < true`), two Ints, two
//! BigInts or two strings (by UTF-16 code units, like Java's
//! `String.compareTo`). `==` and `!=` compare any two values structurally.
//! `and`/`or` evaluate both sides; the short-circuit `&&`/`||` are the
//! evaluator's business.

use std::cmp::Ordering;

use super::arith::big_size;
use super::operand::{expect_bool, single_expr};
use super::strings::cmp_utf16;
use crate::error::RuntimeError;
use crate::phlo::{CostTable, PhloMeter};
use crate::value::Value;

/// Which ordering relation a comparison tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Relation {
    Lt,
    Lte,
    Gt,
    Gte,
}

impl Relation {
    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Relation::Lt => ordering.is_lt(),
            Relation::Lte => ordering.is_le(),
            Relation::Gt => ordering.is_gt(),
            Relation::Gte => ordering.is_ge(),
        }
    }
}

/// `left <relation> right`.
#[inline]
pub(super) fn relational(
    relation: Relation,
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        meter.charge(costs.comparison)?;
        return Ok(Value::Bool(relation.holds(a.cmp(b))));
    }
    let (left, right) = (single_expr(left)?, single_expr(right)?);
    let ordering = ordering(left, right)?;
    meter.charge(match (left, right) {
        (Value::BigInt(a), Value::BigInt(b)) => big_size(a).min(big_size(b)),
        _ => costs.comparison,
    })?;
    Ok(Value::Bool(relation.holds(ordering)))
}

/// How `left` compares with `right` under `<` and its kin: two Ints, two
/// Bools, two BigInts or two strings; anything else is the reference's
/// "Unexpected compare" error. Nothing is charged.
///
/// # Errors
///
/// [`RuntimeError::UnexpectedCompare`] for operands of other or different
/// types.
pub fn ordering(left: &Value, right: &Value) -> Result<Ordering, RuntimeError> {
    match (left, right) {
        (Value::Int(a), Value::Int(b)) => Ok(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Ok(a.cmp(b)),
        (Value::BigInt(a), Value::BigInt(b)) => Ok(a.cmp(b)),
        (Value::Str(a), Value::Str(b)) => Ok(cmp_utf16(a, b)),
        _ => Err(RuntimeError::UnexpectedCompare {
            left: describe(left),
            right: describe(right),
        }),
    }
}

/// `left == right` (or `!=` when `negated`): structural equality, charged
/// by the smaller operand's serialized size.
#[inline]
pub(super) fn equal(
    left: &Value,
    right: &Value,
    negated: bool,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    meter.charge(left.encoded_len().min(right.encoded_len()))?;
    Ok(Value::Bool((left == right) != negated))
}

/// `left and right`, both sides evaluated.
pub(super) fn and(
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    let (a, b) = (expect_bool(left)?, expect_bool(right)?);
    meter.charge(costs.boolean_and)?;
    Ok(Value::Bool(a && b))
}

/// `left or right`, both sides evaluated.
pub(super) fn or(
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    let (a, b) = (expect_bool(left)?, expect_bool(right)?);
    meter.charge(costs.boolean_or)?;
    Ok(Value::Bool(a || b))
}

/// `not value`; free, as in the reference.
pub(super) fn not(value: &Value) -> Result<Value, RuntimeError> {
    Ok(Value::Bool(!expect_bool(value)?))
}

/// An operand in an "Unexpected compare" message: printed when small,
/// named by type when printing it would be expensive.
fn describe(value: &Value) -> String {
    const MAX_PRINTED_LEN: u64 = 256;
    if value.encoded_len() <= MAX_PRINTED_LEN {
        value.print()
    } else {
        format!("<{}>", value.type_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(relation: Relation, left: Value, right: Value) -> bool {
        let mut meter = PhloMeter::new(1_000);
        match relation_result(relation, &left, &right, &mut meter) {
            Value::Bool(b) => b,
            other => panic!("comparison returned {other:?}"),
        }
    }

    fn relation_result(
        relation: Relation,
        left: &Value,
        right: &Value,
        meter: &mut PhloMeter,
    ) -> Value {
        relational(relation, left, right, &CostTable::V1, meter).expect("comparison fails")
    }

    #[test]
    fn bools_order_false_before_true() {
        assert!(check(Relation::Gt, Value::Bool(true), Value::Bool(false)));
        assert!(!check(Relation::Lt, Value::Bool(true), Value::Bool(false)));
        assert!(check(Relation::Lte, Value::Bool(true), Value::Bool(true)));
    }

    #[test]
    fn relations_cover_equal_operands() {
        for (relation, expected) in [
            (Relation::Lt, false),
            (Relation::Lte, true),
            (Relation::Gt, false),
            (Relation::Gte, true),
        ] {
            assert_eq!(check(relation, Value::Int(5), Value::Int(5)), expected);
        }
    }

    #[test]
    fn bigint_comparison_costs_the_smaller_size() {
        let mut meter = PhloMeter::new(1_000);
        let small = Value::BigInt(std::sync::Arc::new(num_bigint::BigInt::from(1)));
        let large = Value::BigInt(std::sync::Arc::new(num_bigint::BigInt::from(1) << 100));
        assert_eq!(
            relation_result(Relation::Lt, &small, &large, &mut meter),
            Value::Bool(true)
        );
        assert_eq!(meter.spent(), 1);
    }
}
