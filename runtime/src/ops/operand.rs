//! Operand checks shared by operators and methods.
//!
//! The reference evaluates operands with a few helpers (`evalSingleExpr`,
//! `evalToLong`, `evalToBool`, `restrictToInt`, `singleExpr`) whose failures
//! users see as error messages. These functions reproduce those checks on
//! already evaluated values, with the same wording.

use crate::error::RuntimeError;
use crate::value::Value;

/// How a value looks to the reference's "single expression" checks.
enum Shape<'a> {
    /// Exactly one expression and nothing else.
    Single(&'a Value),
    /// No expression (`Nil`) or several of them.
    NotSingle,
    /// Something that is not an expression: a send, receive, unforgeable name...
    Parallel,
}

fn shape(value: &Value) -> Shape<'_> {
    match value {
        Value::Nil => Shape::NotSingle,
        Value::Unforgeable(_) => Shape::Parallel,
        Value::Proc(proc) => {
            let par = proc.par();
            let has_process = !par.sends.is_empty()
                || !par.receives.is_empty()
                || !par.news.is_empty()
                || !par.matches.is_empty()
                || !par.unforgeables.is_empty()
                || !par.bundles.is_empty();
            if has_process {
                Shape::Parallel
            } else if par.exprs.len() == 1 {
                Shape::Single(value)
            } else {
                Shape::NotSingle
            }
        }
        _ => Shape::Single(value),
    }
}

fn parallel_error() -> RuntimeError {
    RuntimeError::TypeError("parallel or non expression found where expression expected.".into())
}

fn multiple_error() -> RuntimeError {
    RuntimeError::TypeError("Multiple expressions given.".into())
}

/// The reference's `evalSingleExpr`: the operand must be one expression.
pub(super) fn single_expr(value: &Value) -> Result<&Value, RuntimeError> {
    match shape(value) {
        Shape::Single(expr) => Ok(expr),
        Shape::NotSingle => Err(multiple_error()),
        Shape::Parallel => Err(parallel_error()),
    }
}

/// The reference's `singleExpr`, used by `hexToBytes`, `bytesToHex` and
/// `toUtf8Bytes`: `None` unless the value is exactly one expression.
pub(super) fn singular_expr(value: &Value) -> Option<&Value> {
    match shape(value) {
        Shape::Single(expr) => Some(expr),
        Shape::NotSingle | Shape::Parallel => None,
    }
}

/// The reference's `evalToLong`: the operand must be an Int.
pub(super) fn expect_int(value: &Value) -> Result<i64, RuntimeError> {
    match shape(value) {
        Shape::Single(Value::Int(i)) => Ok(*i),
        Shape::Single(_) => Err(RuntimeError::TypeError(
            "expression didn't evaluate to integer.".into(),
        )),
        Shape::NotSingle => Err(RuntimeError::TypeError(
            "Integer expected, or unimplemented expression.".into(),
        )),
        Shape::Parallel => Err(parallel_error()),
    }
}

/// `evalToLong` followed by `restrictToInt`: an Int that fits in 32 bits,
/// as the reference requires of indices and lengths.
pub(super) fn expect_index(value: &Value) -> Result<i32, RuntimeError> {
    let long = expect_int(value)?;
    i32::try_from(long).map_err(|_| RuntimeError::IntegerOverflow(long))
}

/// The reference's `evalToBool`: the operand must be a Bool.
pub(super) fn expect_bool(value: &Value) -> Result<bool, RuntimeError> {
    match shape(value) {
        Shape::Single(Value::Bool(b)) => Ok(*b),
        Shape::Single(_) => Err(RuntimeError::TypeError(
            "expression didn't evaluate to boolean.".into(),
        )),
        Shape::NotSingle => Err(multiple_error()),
        Shape::Parallel => Err(parallel_error()),
    }
}

/// The type name the reference puts in error messages for an expression
/// (its `typ`): a non-ground expression is `Unit`.
pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Proc(_) => "Unit",
        _ => value.type_name(),
    }
}

/// ``Operator `op` is not defined on T`` for the operand `value`.
pub(super) fn operator_not_defined(op: &'static str, value: &Value) -> RuntimeError {
    RuntimeError::OperatorNotDefined {
        op,
        type_name: type_name(value),
    }
}

/// ``Method `m` is not defined on T`` for the target `value`.
pub(super) fn method_not_defined(method: &str, value: &Value) -> RuntimeError {
    RuntimeError::MethodNotDefined {
        method: method.to_string(),
        type_name: type_name(value),
    }
}

/// Checks a method's argument count.
pub(super) fn expect_args(
    method: &str,
    args: &[Value],
    expected: usize,
) -> Result<(), RuntimeError> {
    if args.len() == expected {
        Ok(())
    } else {
        Err(RuntimeError::MethodArgumentCount {
            method: method.to_string(),
            expected,
            actual: args.len(),
        })
    }
}

/// A count as phlo: negative counts (which the reference would charge as
/// a refund) cost nothing.
pub(super) fn count_cost(count: i64) -> u64 {
    u64::try_from(count).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_expr_rejects_nil_and_names() {
        assert_eq!(
            single_expr(&Value::Nil).unwrap_err().to_string(),
            "Error: Multiple expressions given."
        );
        let name = Value::Unforgeable(std::sync::Arc::new(Default::default()));
        assert_eq!(
            single_expr(&name).unwrap_err().to_string(),
            "Error: parallel or non expression found where expression expected."
        );
        assert_eq!(single_expr(&Value::Int(3)), Ok(&Value::Int(3)));
    }

    #[test]
    fn int_and_bool_operands_are_checked_with_reference_wording() {
        assert_eq!(expect_int(&Value::Int(-4)), Ok(-4));
        assert_eq!(
            expect_int(&Value::string("1")).unwrap_err().to_string(),
            "Error: expression didn't evaluate to integer."
        );
        assert_eq!(
            expect_int(&Value::Nil).unwrap_err().to_string(),
            "Error: Integer expected, or unimplemented expression."
        );
        assert_eq!(expect_bool(&Value::Bool(true)), Ok(true));
        assert_eq!(
            expect_bool(&Value::Int(1)).unwrap_err().to_string(),
            "Error: expression didn't evaluate to boolean."
        );
    }

    #[test]
    fn indices_must_fit_in_32_bits() {
        assert_eq!(expect_index(&Value::Int(-7)), Ok(-7));
        assert_eq!(
            expect_index(&Value::Int(1 << 40)).unwrap_err().to_string(),
            "Integer overflow for value 1099511627776"
        );
    }

    #[test]
    fn negative_counts_cost_nothing() {
        assert_eq!(count_cost(-5), 0);
        assert_eq!(count_cost(12), 12);
    }
}
