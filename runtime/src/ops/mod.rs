//! Operators and methods on values, with the reference interpreter's
//! semantics, error wording and phlo prices.
//!
//! The entry points take fully evaluated operands: [`binary`] for the
//! binary operators, [`negate`] and [`not`] for the unary ones, and
//! [`call_method`] for the 23 methods. Each charges the [`CostTable`] as
//! the reference's `Reduce.scala` does: the fixed price of the operation,
//! then any size-dependent part *before* the work it pays for, so a huge
//! operation runs out of phlo instead of allocating. Where rhoc's flat
//! representation makes an operation more expensive than the reference's
//! (byte-array `++`, interpolation results, long decimal strings), the
//! extra work is charged too; the function docs say where.
//!
//! Int arithmetic and comparisons on two Ints take a fast path that does
//! not allocate.

mod arith;
mod collections;
mod compare;
mod methods;
mod operand;
mod strings;

pub use compare::ordering;
pub use methods::{METHOD_NAMES, call_method};
pub use strings::cmp_utf16;

use crate::error::RuntimeError;
use crate::phlo::{CostTable, PhloMeter};
use crate::value::Value;

use compare::Relation;

/// A binary operator of Rholang.
///
/// The short-circuit `&&` and `||` are not here: they decide whether to
/// evaluate their right operand, which is the evaluator's job; [`BinaryOp::And`]
/// and [`BinaryOp::Or`] are the strict `and` and `or`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `+`: Int and BigInt addition, or a set plus an element.
    Plus,
    /// `-`: Int and BigInt subtraction, or removing a set element or map key.
    Minus,
    /// `*`.
    Mult,
    /// `/`, truncating toward zero.
    Div,
    /// `%`, with the dividend's sign.
    Mod,
    /// `<`.
    Lt,
    /// `<=`.
    Lte,
    /// `>`.
    Gt,
    /// `>=`.
    Gte,
    /// `==`, structural equality on any values.
    Eq,
    /// `!=`.
    Neq,
    /// `and`, evaluating both operands.
    And,
    /// `or`, evaluating both operands.
    Or,
    /// `++`: concatenation of strings, byte arrays and lists; union of maps and sets.
    PlusPlus,
    /// `--`: set difference.
    MinusMinus,
    /// `%%`: string interpolation with a map.
    PercentPercent,
}

impl BinaryOp {
    /// The operator as written in Rholang source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Plus => "+",
            BinaryOp::Minus => "-",
            BinaryOp::Mult => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Lt => "<",
            BinaryOp::Lte => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Gte => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Neq => "!=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::PlusPlus => "++",
            BinaryOp::MinusMinus => "--",
            BinaryOp::PercentPercent => "%%",
        }
    }
}

/// Applies a binary operator to two evaluated operands.
///
/// # Errors
///
/// The reference's errors: ``Operator `+` is not defined on String`` and
/// friends for operands of the wrong type (naming the operand the
/// reference names), `/ by zero`, `Unexpected compare: ...` for
/// comparisons across types, and [`RuntimeError::OutOfPhlo`].
///
/// # Examples
///
/// ```
/// # use rho_runtime::ops::{binary, BinaryOp};
/// # use rho_runtime::phlo::{CostTable, PhloMeter};
/// # use rho_runtime::value::Value;
/// let mut meter = PhloMeter::new(1_000);
/// let sum = binary(BinaryOp::Plus, &Value::Int(i64::MAX), &Value::Int(1), &CostTable::V1, &mut meter)?;
/// assert_eq!(sum, Value::Int(i64::MIN));
/// let err = binary(BinaryOp::Plus, &Value::Int(1), &Value::string("a"), &CostTable::V1, &mut meter);
/// assert_eq!(err.unwrap_err().to_string(), "Operator `+` is not defined on String");
/// # Ok::<(), rho_runtime::error::RuntimeError>(())
/// ```
#[inline]
pub fn binary(
    op: BinaryOp,
    left: &Value,
    right: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    match op {
        BinaryOp::Plus => arith::plus(left, right, costs, meter),
        BinaryOp::Minus => arith::minus(left, right, costs, meter),
        BinaryOp::Mult => arith::mult(left, right, costs, meter),
        BinaryOp::Div => arith::div(left, right, costs, meter),
        BinaryOp::Mod => arith::rem(left, right, costs, meter),
        BinaryOp::Lt => compare::relational(Relation::Lt, left, right, costs, meter),
        BinaryOp::Lte => compare::relational(Relation::Lte, left, right, costs, meter),
        BinaryOp::Gt => compare::relational(Relation::Gt, left, right, costs, meter),
        BinaryOp::Gte => compare::relational(Relation::Gte, left, right, costs, meter),
        BinaryOp::Eq => compare::equal(left, right, false, meter),
        BinaryOp::Neq => compare::equal(left, right, true, meter),
        BinaryOp::And => compare::and(left, right, costs, meter),
        BinaryOp::Or => compare::or(left, right, costs, meter),
        BinaryOp::PlusPlus => collections::plus_plus(left, right, costs, meter),
        BinaryOp::MinusMinus => collections::minus_minus(left, right, costs, meter),
        BinaryOp::PercentPercent => strings::interpolate(left, right, costs, meter),
    }
}

/// Unary minus on an Int (wrapping, free as in the reference) or a BigInt.
///
/// # Errors
///
/// ``Operator `Negation` is not defined on T`` for other types.
pub fn negate(
    value: &Value,
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    arith::negate(value, costs, meter)
}

/// `not` on a Bool (free, as in the reference).
///
/// # Errors
///
/// `Error: expression didn't evaluate to boolean.` for other values.
pub fn not(
    value: &Value,
    _costs: &CostTable,
    _meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    compare::not(value)
}
