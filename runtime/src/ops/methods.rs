//! The 23 methods (`target.method(args)`), with the reference's argument
//! checks, error wording and phlo.
//!
//! Every call first pays [`CostTable::method_call`], even when the method
//! does not exist; each method then charges its own price, before any work
//! whose size depends on its operands.

use std::sync::Arc;

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::arith::big_size;
use super::collections;
use super::operand::{
    count_cost, expect_args, expect_index, method_not_defined, single_expr, singular_expr,
};
use super::strings;
use crate::error::RuntimeError;
use crate::phlo::{CostTable, PhloMeter};
use crate::value::Value;

/// The names of all methods, in the reference's table order.
pub const METHOD_NAMES: [&str; 23] = [
    "nth",
    "toByteArray",
    "toInt",
    "toBigInt",
    "hexToBytes",
    "bytesToHex",
    "toUtf8Bytes",
    "union",
    "diff",
    "add",
    "delete",
    "contains",
    "get",
    "getOrElse",
    "set",
    "keys",
    "size",
    "length",
    "slice",
    "take",
    "toList",
    "toSet",
    "toMap",
];

/// Calls `target.method(args)` on evaluated operands.
///
/// # Errors
///
/// `Unimplemented method: m` for a name that is not one of
/// [`METHOD_NAMES`]; otherwise the reference's errors for a wrong argument
/// count, a target or argument of the wrong type, or an index out of
/// bounds; [`RuntimeError::OutOfPhlo`] when the meter runs out.
///
/// # Examples
///
/// ```
/// # use rho_runtime::ops::call_method;
/// # use rho_runtime::phlo::{CostTable, PhloMeter};
/// # use rho_runtime::value::Value;
/// let mut meter = PhloMeter::new(1_000);
/// let list = Value::list([Value::Int(10), Value::Int(20)]);
/// let second = call_method(&list, "nth", &[Value::Int(1)], &CostTable::V1, &mut meter)?;
/// assert_eq!(second, Value::Int(20));
/// let err = call_method(&list, "nth", &[Value::Int(2)], &CostTable::V1, &mut meter);
/// assert_eq!(err.unwrap_err().to_string(), "Error: index out of bound: 2");
/// # Ok::<(), rho_runtime::error::RuntimeError>(())
/// ```
pub fn call_method(
    target: &Value,
    method: &str,
    args: &[Value],
    costs: &CostTable,
    meter: &mut PhloMeter,
) -> Result<Value, RuntimeError> {
    meter.charge(costs.method_call)?;
    let call = Call {
        target,
        args,
        costs,
    };
    match method {
        "nth" => call.nth(meter),
        "toByteArray" => call.to_byte_array(meter),
        "toInt" => call.to_int(meter),
        "toBigInt" => call.to_big_int(meter),
        "hexToBytes" => call.hex_to_bytes(meter),
        "bytesToHex" => call.bytes_to_hex(meter),
        "toUtf8Bytes" => call.to_utf8_bytes(meter),
        "union" => call.union(meter),
        "diff" => call.diff(meter),
        "add" => call.add(meter),
        "delete" => call.delete(meter),
        "contains" => call.contains(meter),
        "get" => call.get(meter),
        "getOrElse" => call.get_or_else(meter),
        "set" => call.set(meter),
        "keys" => call.keys(meter),
        "size" => call.size(meter),
        "length" => call.length(meter),
        "slice" => call.slice(meter),
        "take" => call.take(meter),
        "toList" => call.to_list(meter),
        "toSet" => call.to_set(meter),
        "toMap" => call.to_map(meter),
        _ => Err(RuntimeError::UnimplementedMethod(method.to_string())),
    }
}

/// One method call's operands.
struct Call<'a> {
    target: &'a Value,
    args: &'a [Value],
    costs: &'a CostTable,
}

impl Call<'_> {
    fn nth(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("nth", self.args, 1)?;
        meter.charge(self.costs.nth)?;
        let index = expect_index(&self.args[0])?;
        let target = single_expr(self.target)?;
        let out_of_bound = || RuntimeError::IndexOutOfBound(i64::from(index));
        let at = usize::try_from(index).map_err(|_| out_of_bound())?;
        match target {
            Value::List(list) => list.items().get(at).cloned().ok_or_else(out_of_bound),
            Value::Tuple(items) => items.get(at).cloned().ok_or_else(out_of_bound),
            Value::Bytes(bytes) => bytes
                .get(at)
                .map(|b| Value::Int(i64::from(*b)))
                .ok_or_else(out_of_bound),
            _ => Err(RuntimeError::TypeError(
                "nth applied to something that wasn't a list or tuple.".into(),
            )),
        }
    }

    fn to_byte_array(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("toByteArray", self.args, 0)?;
        meter.charge(self.target.encoded_len())?;
        let bytes = rho_host_abi::encode::encode_par(&self.target.to_par());
        Ok(Value::Bytes(bytes.into()))
    }

    fn to_int(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("toInt", self.args, 0)?;
        match single_expr(self.target)? {
            Value::Int(i) => Ok(Value::Int(*i)),
            Value::BigInt(n) => {
                meter.charge(big_size(n))?;
                n.to_i64().map(Value::Int).ok_or_else(|| {
                    RuntimeError::ConversionFailed(format!(
                        "Method toInt(): input BigInt value {n} out of range"
                    ))
                })
            }
            Value::Str(s) => {
                meter.charge(strings::utf16_len(s) as u64)?;
                strings::parse_long(s).map(Value::Int).ok_or_else(|| {
                    RuntimeError::ConversionFailed(format!(
                        "Method toInt(): input string \"{s}\" cannot be converted to Int"
                    ))
                })
            }
            other => Err(method_not_defined("toInt", other)),
        }
    }

    fn to_big_int(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("toBigInt", self.args, 0)?;
        let n = match single_expr(self.target)? {
            Value::BigInt(n) => return Ok(Value::BigInt(n.clone())),
            Value::Int(i) => {
                meter.charge(self.costs.int_to_bigint)?;
                BigInt::from(*i)
            }
            Value::Str(s) => {
                meter.charge(strings::parse_bigint_cost(strings::utf16_len(s)))?;
                strings::parse_bigint(s).ok_or_else(|| {
                    RuntimeError::ConversionFailed(format!(
                        "Method toBigInt(): input string \"{s}\" cannot be converted to BigInt"
                    ))
                })?
            }
            other => return Err(method_not_defined("toBigInt", other)),
        };
        Ok(Value::BigInt(Arc::new(n)))
    }

    fn hex_to_bytes(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("hexToBytes", self.args, 0)?;
        match self.singular_target()? {
            Value::Str(s) => {
                meter.charge(strings::utf16_len(s) as u64)?;
                Ok(Value::Bytes(strings::decode_hex_lenient(s).into()))
            }
            other => Err(method_not_defined("hexToBytes", other)),
        }
    }

    fn bytes_to_hex(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("bytesToHex", self.args, 0)?;
        match self.singular_target()? {
            Value::Bytes(bytes) => {
                meter.charge(bytes.len() as u64)?;
                Ok(Value::string(hex::encode(bytes)))
            }
            other => Err(method_not_defined("bytesToHex", other)),
        }
    }

    fn to_utf8_bytes(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("toUtf8Bytes", self.args, 0)?;
        match self.singular_target()? {
            Value::Str(s) => {
                meter.charge(strings::utf16_len(s) as u64)?;
                Ok(Value::Bytes(s.as_bytes().into()))
            }
            other => Err(method_not_defined("toUtf8Bytes", other)),
        }
    }

    fn union(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("union", self.args, 1)?;
        let base = single_expr(self.target)?;
        let other = single_expr(&self.args[0])?;
        collections::union(base, other, self.costs, meter)
    }

    fn diff(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("diff", self.args, 1)?;
        let base = single_expr(self.target)?;
        let other = single_expr(&self.args[0])?;
        collections::diff(base, other, self.costs, meter)
    }

    fn add(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("add", self.args, 1)?;
        match single_expr(self.target)? {
            Value::Set(set) => collections::set_add(set, self.args[0].clone(), self.costs, meter),
            other => {
                meter.charge(self.costs.add)?;
                Err(method_not_defined("add", other))
            }
        }
    }

    fn delete(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("delete", self.args, 1)?;
        let target = single_expr(self.target)?;
        collections::delete(target, &self.args[0], self.costs, meter)
    }

    fn contains(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("contains", self.args, 1)?;
        let target = single_expr(self.target)?;
        meter.charge(self.costs.lookup)?;
        let element = &self.args[0];
        match target {
            Value::Set(set) => Ok(Value::Bool(set.contains(element))),
            Value::Map(map) => Ok(Value::Bool(map.get(element).is_some())),
            other => Err(method_not_defined("contains", other)),
        }
    }

    fn get(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("get", self.args, 1)?;
        let target = single_expr(self.target)?;
        meter.charge(self.costs.lookup)?;
        match target {
            Value::Map(map) => Ok(map.get(&self.args[0]).cloned().unwrap_or(Value::Nil)),
            other => Err(method_not_defined("get", other)),
        }
    }

    fn get_or_else(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("getOrElse", self.args, 2)?;
        let target = single_expr(self.target)?;
        meter.charge(self.costs.lookup)?;
        match target {
            Value::Map(map) => Ok(map.get(&self.args[0]).unwrap_or(&self.args[1]).clone()),
            other => Err(method_not_defined("getOrElse", other)),
        }
    }

    fn set(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("set", self.args, 2)?;
        let target = single_expr(self.target)?;
        meter.charge(self.costs.add)?;
        match target {
            Value::Map(map) => Ok(Value::Map(Arc::new(
                map.insert(self.args[0].clone(), self.args[1].clone()),
            ))),
            other => Err(method_not_defined("set", other)),
        }
    }

    fn keys(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("keys", self.args, 0)?;
        let target = single_expr(self.target)?;
        meter.charge(self.costs.keys)?;
        match target {
            Value::Map(map) => Ok(Value::set(map.entries().keys().cloned())),
            other => Err(method_not_defined("keys", other)),
        }
    }

    fn size(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("size", self.args, 0)?;
        let size = match single_expr(self.target)? {
            Value::Map(map) => map.len(),
            Value::Set(set) => set.len(),
            other => return Err(method_not_defined("size", other)),
        };
        meter.charge(size as u64)?;
        Ok(Value::Int(size as i64))
    }

    fn length(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("length", self.args, 0)?;
        let target = single_expr(self.target)?;
        meter.charge(self.costs.length)?;
        let length = match target {
            Value::Str(s) => strings::utf16_len(s),
            Value::Bytes(bytes) => bytes.len(),
            Value::List(list) => list.len(),
            other => return Err(method_not_defined("length", other)),
        };
        Ok(Value::Int(length as i64))
    }

    fn slice(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("slice", self.args, 2)?;
        let target = single_expr(self.target)?;
        let from = expect_index(&self.args[0])?;
        let until = expect_index(&self.args[1])?;
        meter.charge(count_cost(i64::from(until)))?;
        match target {
            Value::Str(s) => Ok(Value::string(strings::slice_utf16(s, from, until))),
            Value::List(list) => Ok(Value::List(Arc::new(collections::list_slice(
                list, from, until,
            )))),
            Value::Bytes(bytes) => slice_bytes(bytes, from, until),
            other => Err(method_not_defined("slice", other)),
        }
    }

    fn take(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("take", self.args, 1)?;
        let target = single_expr(self.target)?;
        let count = expect_index(&self.args[0])?;
        meter.charge(count_cost(i64::from(count)))?;
        match target {
            Value::List(list) => Ok(Value::List(Arc::new(collections::list_take(list, count)))),
            other => Err(method_not_defined("take", other)),
        }
    }

    fn to_list(&self, meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("toList", self.args, 0)?;
        match single_expr(self.target)? {
            list @ Value::List(_) => Ok(list.clone()),
            Value::Set(set) => {
                meter.charge(set.len() as u64)?;
                Ok(Value::list(set.items().iter().cloned()))
            }
            Value::Map(map) => {
                meter.charge(map.len() as u64)?;
                Ok(Value::list(
                    map.entries()
                        .iter()
                        .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()])),
                ))
            }
            Value::Tuple(items) => {
                meter.charge(items.len() as u64)?;
                Ok(Value::list(items.iter().cloned()))
            }
            other => Err(method_not_defined("toList", other)),
        }
    }

    fn to_set(&self, _meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("toSet", self.args, 0)?;
        match single_expr(self.target)? {
            set @ Value::Set(_) => Ok(set.clone()),
            Value::Map(map) => Ok(Value::set(
                map.entries()
                    .iter()
                    .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()])),
            )),
            Value::List(list) => Ok(Value::set(list.items().iter().cloned())),
            other => Err(method_not_defined("toSet", other)),
        }
    }

    fn to_map(&self, _meter: &mut PhloMeter) -> Result<Value, RuntimeError> {
        expect_args("toMap", self.args, 0)?;
        match single_expr(self.target)? {
            map @ Value::Map(_) => Ok(map.clone()),
            Value::Set(set) => pairs_to_map(set.items().iter()),
            Value::List(list) => pairs_to_map(list.items().iter()),
            other => Err(method_not_defined("toMap", other)),
        }
    }

    /// The target of `hexToBytes`, `bytesToHex` and `toUtf8Bytes`.
    fn singular_target(&self) -> Result<&Value, RuntimeError> {
        singular_expr(self.target).ok_or_else(|| {
            RuntimeError::TypeError("Method can only be called on singular expressions.".into())
        })
    }
}

/// A map from a collection of pairs; any element that is not a 2-tuple
/// makes it fail. A later pair for an equal key wins.
fn pairs_to_map<'a>(items: impl Iterator<Item = &'a Value>) -> Result<Value, RuntimeError> {
    let entries = items
        .map(|item| match item {
            Value::Tuple(pair) if pair.len() == 2 => Ok((pair[0].clone(), pair[1].clone())),
            _ => Err(RuntimeError::MethodNotDefined {
                method: "toMap".to_string(),
                type_name: "types except List[(K,V)]",
            }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::map(entries))
}

/// `bytes.slice(from, until)`: strict bounds, like protobuf's
/// `ByteString.substring`, with its messages.
fn slice_bytes(bytes: &[u8], from: i32, until: i32) -> Result<Value, RuntimeError> {
    let len = bytes.len();
    let message = if from < 0 {
        format!("Beginning index: {from} < 0")
    } else if until < from {
        format!("Beginning index larger than ending index: {from}, {until}")
    } else if until as usize > len {
        format!("End index: {until} >= {len}")
    } else {
        return Ok(Value::Bytes(bytes[from as usize..until as usize].into()));
    };
    Err(RuntimeError::ByteSliceOutOfRange(message))
}
