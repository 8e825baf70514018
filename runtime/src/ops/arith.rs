//! Arithmetic: `+ - * / %` and unary minus on Ints and BigInts.
//!
//! Int arithmetic wraps around at 64 bits like the JVM's `Long`: `/`
//! truncates toward zero, `%` takes the dividend's sign, and
//! `i64::MIN / -1` is `i64::MIN`. `+` and `-` also add elements to and
//! remove them from sets (and remove keys from maps); those cases live in
//! [`super::collections`].

use std::sync::Arc;

use num_bigint::{BigInt, Sign};
use num_traits::Zero;

use super::collections;
use super::operand::{operator_not_defined, single_expr};
use crate::error::RuntimeError;
use crate::phlo::{CostTable, PhloMeter};
use crate::value::Value;

/// `left + right`: Int, BigInt, or a set plus an element.
#[inline]
pub(super) fn plus(
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        meter.charge(costs.sum)?;
        return Ok(Value::Int(a.wrapping_add(*b)));
    }
    let (left, right) = (single_expr(left)?, single_expr(right)?);
    match (left, right) {
        (Value::BigInt(a), Value::BigInt(b)) => {
            meter.charge(big_sum_cost(a, b))?;
            Ok(big(&**a + &**b))
        }
        (Value::Set(set), element) => {
            meter.charge(costs.op_call)?;
            collections::set_add(set, element.clone(), costs, meter)
        }
        (Value::Int(_) | Value::BigInt(_), other) => Err(operator_not_defined("+", other)),
        (other, _) => Err(operator_not_defined("+", other)),
    }
}

/// `left - right`: Int, BigInt, or removal of a set element or map key.
#[inline]
pub(super) fn minus(
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        meter.charge(costs.subtraction)?;
        return Ok(Value::Int(a.wrapping_sub(*b)));
    }
    let (left, right) = (single_expr(left)?, single_expr(right)?);
    match (left, right) {
        (Value::BigInt(a), Value::BigInt(b)) => {
            meter.charge(big_sum_cost(a, b))?;
            Ok(big(&**a - &**b))
        }
        (Value::Map(_) | Value::Set(_), element) => {
            meter.charge(costs.op_call)?;
            collections::delete(left, element, costs, meter)
        }
        (Value::Int(_) | Value::BigInt(_), other) => Err(operator_not_defined("-", other)),
        (other, _) => Err(operator_not_defined("-", other)),
    }
}

/// `left * right` on Ints or BigInts.
#[inline]
pub(super) fn mult(
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        meter.charge(costs.multiplication)?;
        return Ok(Value::Int(a.wrapping_mul(*b)));
    }
    let (left, right) = (single_expr(left)?, single_expr(right)?);
    match (left, right) {
        (Value::BigInt(a), Value::BigInt(b)) => {
            meter.charge(big_product_cost(a, b))?;
            Ok(big(&**a * &**b))
        }
        _ => Err(numeric_mismatch("*", left, right)),
    }
}

/// `left / right` on Ints or BigInts, truncating toward zero.
#[inline]
pub(super) fn div(
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        if *b == 0 {
            return Err(RuntimeError::DivisionByZero);
        }
        meter.charge(costs.division)?;
        return Ok(Value::Int(a.wrapping_div(*b)));
    }
    let (left, right) = (single_expr(left)?, single_expr(right)?);
    match (left, right) {
        (Value::BigInt(a), Value::BigInt(b)) => {
            if b.is_zero() {
                return Err(RuntimeError::BigIntDivisionByZero);
            }
            meter.charge(big_product_cost(a, b))?;
            Ok(big(&**a / &**b))
        }
        _ => Err(numeric_mismatch("/", left, right)),
    }
}

/// `left % right` on Ints or BigInts; the result takes the dividend's sign.
#[inline]
pub(super) fn rem(
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        if *b == 0 {
            return Err(RuntimeError::DivisionByZero);
        }
        meter.charge(costs.division)?;
        return Ok(Value::Int(a.wrapping_rem(*b)));
    }
    let (left, right) = (single_expr(left)?, single_expr(right)?);
    match (left, right) {
        (Value::BigInt(a), Value::BigInt(b)) => {
            if b.is_zero() {
                return Err(RuntimeError::BigIntDivisionByZero);
            }
            meter.charge(big_product_cost(a, b))?;
            Ok(big(&**a % &**b))
        }
        _ => Err(numeric_mismatch("%", left, right)),
    }
}

/// Unary minus. Int negation wraps (`-i64::MIN == i64::MIN`) and is free,
/// as in the reference; BigInt negation costs the result's size.
pub(super) fn negate(
    value: &Value,
    _costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    match single_expr(value)? {
        Value::Int(i) => Ok(Value::Int(i.wrapping_neg())),
        Value::BigInt(n) => {
            let negated = -&**n;
            meter.charge(big_size(&negated))?;
            Ok(big(negated))
        }
        other => Err(operator_not_defined("Negation", other)),
    }
}

/// The error for `*`, `/`, `%` on operands that are not both Int or both
/// BigInt: the reference names the right operand when the left one is a
/// number, and the left operand otherwise.
fn numeric_mismatch(op: &'static str, left: &Value, right: &Value) -> RuntimeError {
    match left {
        Value::Int(_) | Value::BigInt(_) => operator_not_defined(op, right),
        _ => operator_not_defined(op, left),
    }
}

fn big(n: BigInt) -> Value {
    Value::BigInt(Arc::new(n))
}

/// The reference's `bigIntSize`: bytes of the two's-complement form,
/// `bitLength / 8 + 1` with Java's `BigInteger.bitLength`.
pub(super) fn big_size(n: &BigInt) -> u64 {
    java_bit_length(n) / 8 + 1
}

/// Java's `BigInteger.bitLength`: the bits of the minimal two's-complement
/// form, without the sign bit.
fn java_bit_length(n: &BigInt) -> u64 {
    let magnitude = n.magnitude();
    let bits = magnitude.bits();
    match n.sign() {
        Sign::Minus if magnitude.trailing_zeros() == Some(bits - 1) => bits - 1,
        _ => bits,
    }
}

/// `+` and `-` copy the longer operand plus a carry byte.
fn big_sum_cost(a: &BigInt, b: &BigInt) -> u64 {
    big_size(a).max(big_size(b)) + 1
}

/// `*`, `/`, `%` are charged as schoolbook long multiplication/division.
fn big_product_cost(a: &BigInt, b: &BigInt) -> u64 {
    big_size(a).saturating_mul(big_size(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_bit_length_matches_biginteger() {
        let cases: [(i64, u64); 9] = [
            (0, 0),
            (1, 1),
            (-1, 0),
            (127, 7),
            (128, 8),
            (-128, 7),
            (-129, 8),
            (255, 8),
            (-256, 8),
        ];
        for (n, bits) in cases {
            assert_eq!(java_bit_length(&BigInt::from(n)), bits, "bitLength({n})");
        }
        assert_eq!(big_size(&BigInt::from(0)), 1);
        assert_eq!(big_size(&BigInt::from(255)), 2);
        assert_eq!(big_size(&BigInt::from(i64::MAX)), 8);
    }
}
