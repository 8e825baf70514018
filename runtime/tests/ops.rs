//! Checks operators and methods against the reference's semantics, error
//! wording and phlo prices, including the results the shared conformance
//! programs expect (arith, comparisons, boolean_ops, interpolation,
//! list_tuple_methods, map_methods_a, set_methods, string_methods).

use std::sync::Arc;

use num_bigint::BigInt;
use rho_runtime::error::RuntimeError;
use rho_runtime::ops::{BinaryOp, METHOD_NAMES, binary, call_method, negate, not};
use rho_runtime::phlo::{CostTable, PhloMeter};
use rho_runtime::value::Value;

const LIMIT: u64 = 1_000_000;

fn int(i: i64) -> Value {
    Value::Int(i)
}

fn s(text: &str) -> Value {
    Value::string(text)
}

fn b(flag: bool) -> Value {
    Value::Bool(flag)
}

fn big(text: &str) -> Value {
    Value::BigInt(Arc::new(
        text.parse::<BigInt>().expect("test BigInt literal"),
    ))
}

fn bytes(data: &[u8]) -> Value {
    Value::Bytes(data.into())
}

fn uri(text: &str) -> Value {
    Value::Uri(text.into())
}

fn list<const N: usize>(items: [Value; N]) -> Value {
    Value::list(items)
}

fn set<const N: usize>(items: [Value; N]) -> Value {
    Value::set(items)
}

fn map<const N: usize>(entries: [(Value, Value); N]) -> Value {
    Value::map(entries)
}

fn tuple<const N: usize>(items: [Value; N]) -> Value {
    Value::tuple(items.to_vec())
}

fn name() -> Value {
    Value::Unforgeable(Arc::new(Default::default()))
}

fn op(op: BinaryOp, left: Value, right: Value) -> Value {
    let mut meter = PhloMeter::new(LIMIT);
    binary(op, &left, &right, &CostTable::V1, &mut meter)
        .unwrap_or_else(|e| panic!("{left:?} {} {right:?} failed: {e}", op.symbol()))
}

fn op_err(op: BinaryOp, left: Value, right: Value) -> String {
    let mut meter = PhloMeter::new(LIMIT);
    match binary(op, &left, &right, &CostTable::V1, &mut meter) {
        Ok(value) => panic!("{left:?} {} {right:?} gave {value:?}", op.symbol()),
        Err(e) => e.to_string(),
    }
}

fn op_cost(op: BinaryOp, left: Value, right: Value) -> u64 {
    let mut meter = PhloMeter::new(LIMIT);
    binary(op, &left, &right, &CostTable::V1, &mut meter).expect("operator fails");
    meter.spent()
}

fn call(target: Value, method: &str, args: &[Value]) -> Value {
    let mut meter = PhloMeter::new(LIMIT);
    call_method(&target, method, args, &CostTable::V1, &mut meter)
        .unwrap_or_else(|e| panic!("{target:?}.{method}(..) failed: {e}"))
}

fn call_err(target: Value, method: &str, args: &[Value]) -> String {
    let mut meter = PhloMeter::new(LIMIT);
    match call_method(&target, method, args, &CostTable::V1, &mut meter) {
        Ok(value) => panic!("{target:?}.{method}(..) gave {value:?}"),
        Err(e) => e.to_string(),
    }
}

fn call_cost(target: Value, method: &str, args: &[Value]) -> u64 {
    let mut meter = PhloMeter::new(LIMIT);
    call_method(&target, method, args, &CostTable::V1, &mut meter).expect("method fails");
    meter.spent()
}

fn neg(value: Value) -> Value {
    negate(&value, &CostTable::V1, &mut PhloMeter::new(LIMIT)).expect("negation fails")
}

use BinaryOp::*;

// ---- conformance programs ----

#[test]
fn arith_conformance() {
    let results = [
        op(Plus, int(1), op(Mult, int(2), int(3))),
        op(Mult, op(Plus, int(1), int(2)), int(3)),
        op(Div, int(7), int(2)),
        op(Div, neg(int(7)), int(2)),
        op(Mod, int(7), int(3)),
        op(Mod, neg(int(7)), int(3)),
        op(Minus, op(Minus, int(10), int(2)), int(3)),
        op(Plus, int(9223372036854775807), int(1)),
        neg(op(Minus, int(4), int(10))),
    ];
    assert_eq!(
        results,
        [
            int(7),
            int(9),
            int(3),
            int(-3),
            int(1),
            int(-1),
            int(5),
            int(i64::MIN),
            int(6)
        ]
    );
}

#[test]
fn comparisons_conformance() {
    let results = [
        op(Lt, int(1), int(2)),
        op(Lte, int(2), int(2)),
        op(Gt, int(3), int(4)),
        op(Gte, int(4), int(5)),
        op(Lt, s("abc"), s("abd")),
        op(Gt, s("b"), s("abc")),
        op(Gt, b(true), b(false)),
        op(Eq, int(1), int(1)),
        op(Neq, int(1), int(1)),
    ];
    let expected = [true, true, false, false, true, true, true, true, false].map(b);
    assert_eq!(results, expected);
}

#[test]
fn boolean_ops_conformance() {
    let not_true = not(&b(true), &CostTable::V1, &mut PhloMeter::new(LIMIT)).unwrap();
    let not_eq = not(
        &op(Eq, int(1), int(2)),
        &CostTable::V1,
        &mut PhloMeter::new(LIMIT),
    )
    .unwrap();
    assert_eq!(op(And, b(true), b(false)), b(false));
    assert_eq!(op(Or, b(true), b(false)), b(true));
    assert_eq!(not_true, b(false));
    assert_eq!(not_eq, b(true));
    assert_eq!(op(And, b(true), b(true)), b(true));
    assert_eq!(op(Or, b(false), b(false)), b(false));
}

#[test]
fn interpolation_conformance() {
    let greeting = op(
        PercentPercent,
        s("${greet}, ${name}! Age ${age}."),
        map([
            (s("greet"), s("Hi")),
            (s("name"), s("Ann")),
            (s("age"), int(30)),
        ]),
    );
    assert_eq!(greeting, s("Hi, Ann! Age 30."));
    assert_eq!(
        op(PercentPercent, s("${missing}"), map([(s("other"), int(1))])),
        s("${missing}")
    );
    let flags = op(
        PercentPercent,
        s("flag=${b} uri=${u}"),
        map([(s("b"), b(true)), (s("u"), uri("rho:a:b"))]),
    );
    assert_eq!(flags, s("flag=true uri=rho:a:b"));
}

#[test]
fn list_tuple_methods_conformance() {
    let xs = || list([int(10), int(20), int(30), int(40)]);
    let results = [
        call(xs(), "nth", &[int(2)]),
        call(xs(), "length", &[]),
        call(xs(), "slice", &[int(1), int(3)]),
        call(xs(), "take", &[int(2)]),
        op(PlusPlus, list([int(10), int(20)]), list([int(30)])),
        call(list([]), "length", &[]),
        call(tuple([int(1), int(2), int(3)]), "nth", &[int(1)]),
        call(tuple([int(1), int(2), int(3)]), "toList", &[]),
        call(list([int(3), int(1)]), "toList", &[]),
    ];
    let expected = [
        int(30),
        int(4),
        list([int(20), int(30)]),
        list([int(10), int(20)]),
        list([int(10), int(20), int(30)]),
        int(0),
        int(2),
        list([int(1), int(2), int(3)]),
        list([int(3), int(1)]),
    ];
    assert_eq!(results, expected);
}

#[test]
fn map_methods_conformance() {
    let m = || map([(s("one"), int(1)), (s("two"), int(2)), (s("three"), int(3))]);
    let results = [
        call(m(), "get", &[s("one")]),
        call(m(), "get", &[s("four")]),
        call(m(), "getOrElse", &[s("four"), int(0)]),
        call(m(), "getOrElse", &[s("two"), int(0)]),
        call(m(), "contains", &[s("three")]),
        call(m(), "contains", &[s("four")]),
        call(m(), "set", &[s("two"), int(22)]),
        call(m(), "delete", &[s("one")]),
        call(m(), "delete", &[s("nine")]),
    ];
    let expected = [
        int(1),
        Value::Nil,
        int(0),
        int(2),
        b(true),
        b(false),
        map([
            (s("one"), int(1)),
            (s("three"), int(3)),
            (s("two"), int(22)),
        ]),
        map([(s("three"), int(3)), (s("two"), int(2))]),
        m(),
    ];
    assert_eq!(results, expected);
}

#[test]
fn set_methods_conformance() {
    let st = || set([int(3), int(1), int(2)]);
    let results = [
        call(st(), "contains", &[int(2)]),
        call(st(), "contains", &[int(9)]),
        call(st(), "add", &[int(4)]),
        call(st(), "add", &[int(1)]),
        call(st(), "delete", &[int(3)]),
        call(st(), "union", &[set([int(5)])]),
        call(st(), "diff", &[set([int(1), int(9)])]),
        call(st(), "size", &[]),
        call(st(), "toList", &[]),
        op(Plus, st(), int(10)),
        op(Minus, st(), int(1)),
        op(PlusPlus, st(), set([int(0)])),
        op(MinusMinus, st(), set([int(1), int(2)])),
    ];
    let expected = [
        b(true),
        b(false),
        set([int(1), int(2), int(3), int(4)]),
        set([int(1), int(2), int(3)]),
        set([int(1), int(2)]),
        set([int(1), int(2), int(3), int(5)]),
        set([int(2), int(3)]),
        int(3),
        list([int(1), int(2), int(3)]),
        set([int(1), int(2), int(3), int(10)]),
        set([int(2), int(3)]),
        set([int(0), int(1), int(2), int(3)]),
        set([int(3)]),
    ];
    assert_eq!(results, expected);
}

#[test]
fn string_methods_conformance() {
    let results = [
        op(PlusPlus, op(PlusPlus, s("Hello"), s(", ")), s("World")),
        call(s("Hello World"), "length", &[]),
        call(s("Hello World"), "slice", &[int(2), int(8)]),
        call(s(""), "length", &[]),
        call(s("abc"), "slice", &[int(1), int(10)]),
    ];
    assert_eq!(
        results,
        [s("Hello, World"), int(11), s("llo Wo"), int(0), s("bc")]
    );
}

// ---- Int arithmetic ----

#[test]
fn int_arithmetic_wraps_like_java_long() {
    assert_eq!(op(Minus, int(i64::MIN), int(1)), int(i64::MAX));
    assert_eq!(op(Mult, int(i64::MAX), int(2)), int(-2));
    assert_eq!(op(Div, int(i64::MIN), int(-1)), int(i64::MIN));
    assert_eq!(op(Mod, int(i64::MIN), int(-1)), int(0));
    assert_eq!(neg(int(i64::MIN)), int(i64::MIN));
    assert_eq!(op(Div, int(7), int(-2)), int(-3));
    assert_eq!(op(Mod, int(7), int(-3)), int(1));
    assert_eq!(op(Mod, int(-7), int(-3)), int(-1));
}

#[test]
fn division_by_zero_is_an_error() {
    assert_eq!(op_err(Div, int(10), int(0)), "/ by zero");
    assert_eq!(op_err(Mod, int(10), int(0)), "/ by zero");
    assert_eq!(
        op_err(Div, big("10"), big("0")),
        "BigInteger divide by zero"
    );
    assert_eq!(
        op_err(Mod, big("10"), big("0")),
        "BigInteger divide by zero"
    );
}

#[test]
fn arithmetic_type_errors_name_the_operand_the_reference_names() {
    // A number on the left: the right operand is named.
    assert_eq!(
        op_err(Plus, int(1), s("a")),
        "Operator `+` is not defined on String"
    );
    assert_eq!(
        op_err(Minus, int(1), b(true)),
        "Operator `-` is not defined on Bool"
    );
    assert_eq!(
        op_err(Mult, int(1), big("2")),
        "Operator `*` is not defined on BigInt"
    );
    assert_eq!(
        op_err(Div, big("1"), int(2)),
        "Operator `/` is not defined on Int"
    );
    assert_eq!(
        op_err(Mod, int(1), list([])),
        "Operator `%` is not defined on List"
    );
    // Anything else on the left: the left operand is named.
    assert_eq!(
        op_err(Plus, s("a"), int(1)),
        "Operator `+` is not defined on String"
    );
    assert_eq!(
        op_err(Plus, map([]), int(1)),
        "Operator `+` is not defined on Map"
    );
    assert_eq!(
        op_err(Minus, list([]), int(1)),
        "Operator `-` is not defined on List"
    );
    assert_eq!(
        op_err(Mult, s("a"), int(1)),
        "Operator `*` is not defined on String"
    );
    assert_eq!(
        op_err(Div, b(true), int(1)),
        "Operator `/` is not defined on Bool"
    );
    assert_eq!(
        op_err(Mod, bytes(&[1]), int(1)),
        "Operator `%` is not defined on ByteArray"
    );
    let mut meter = PhloMeter::new(LIMIT);
    assert_eq!(
        negate(&s("x"), &CostTable::V1, &mut meter)
            .unwrap_err()
            .to_string(),
        "Operator `Negation` is not defined on String"
    );
}

#[test]
fn operands_must_be_single_expressions() {
    assert_eq!(
        op_err(Plus, Value::Nil, int(1)),
        "Error: Multiple expressions given."
    );
    assert_eq!(
        op_err(Plus, int(1), name()),
        "Error: parallel or non expression found where expression expected."
    );
    assert_eq!(
        op_err(Plus, set([]), Value::Nil),
        "Error: Multiple expressions given."
    );
}

// ---- BigInt ----

#[test]
fn bigint_arithmetic() {
    let huge = "123456789012345678901234567890";
    assert_eq!(
        op(Plus, big(huge), big("10")),
        big("123456789012345678901234567900")
    );
    assert_eq!(
        op(Minus, big("0"), big(huge)),
        big("-123456789012345678901234567890")
    );
    assert_eq!(
        op(Mult, big(huge), big(huge)),
        big("15241578753238836750495351562536198787501905199875019052100")
    );
    assert_eq!(op(Div, big("-7"), big("2")), big("-3"));
    assert_eq!(op(Mod, big("-7"), big("3")), big("-1"));
    assert_eq!(neg(big(huge)), big("-123456789012345678901234567890"));
    assert_eq!(op(Lt, big("-1"), big(huge)), b(true));
    assert_eq!(op(Gte, big(huge), big(huge)), b(true));
    assert_eq!(op(Eq, big("5"), int(5)), b(false));
}

#[test]
fn bigint_costs_follow_byte_sizes() {
    // bigIntSize(n) = bitLength / 8 + 1: 1 byte for 10, 13 bytes for a 97-bit number.
    let huge = "123456789012345678901234567890";
    assert_eq!(op_cost(Plus, big(huge), big("10")), 13 + 1);
    assert_eq!(op_cost(Mult, big(huge), big(huge)), 13 * 13);
    assert_eq!(op_cost(Lt, big(huge), big("10")), 1);
}

// ---- comparisons and equality ----

#[test]
fn strings_compare_by_utf16_code_units() {
    assert_eq!(op(Gt, s("\u{FF21}"), s("😀")), b(true));
    assert_eq!(op(Lte, s(""), s("")), b(true));
}

#[test]
fn comparing_different_types_is_an_error() {
    assert_eq!(
        op_err(Lt, int(1), s("a")),
        "Unexpected compare: 1 vs. \"a\""
    );
    assert_eq!(
        op_err(Gte, b(true), int(0)),
        "Unexpected compare: true vs. 0"
    );
    assert_eq!(
        op_err(Lt, Value::Nil, int(0)),
        "Error: Multiple expressions given."
    );
}

#[test]
fn equality_is_structural_on_any_values() {
    assert_eq!(op(Eq, Value::Nil, Value::Nil), b(true));
    assert_eq!(
        op(Eq, set([int(2), int(1)]), set([int(1), int(2)])),
        b(true)
    );
    assert_eq!(op(Neq, list([int(1)]), tuple([int(1)])), b(true));
    assert_eq!(op(Eq, s("a"), s("a")), b(true));
}

#[test]
fn equality_costs_the_smaller_serialized_size() {
    let small = int(1);
    let large = list([int(1), int(2), int(3)]);
    let expected = small.encoded_len().min(large.encoded_len());
    assert!(expected > 0);
    assert_eq!(op_cost(Eq, small, large), expected);
}

#[test]
fn boolean_operators_need_bools() {
    assert_eq!(
        op_err(And, int(1), b(true)),
        "Error: expression didn't evaluate to boolean."
    );
    assert_eq!(
        op_err(Or, b(true), s("x")),
        "Error: expression didn't evaluate to boolean."
    );
    let mut meter = PhloMeter::new(LIMIT);
    assert_eq!(
        not(&int(1), &CostTable::V1, &mut meter)
            .unwrap_err()
            .to_string(),
        "Error: expression didn't evaluate to boolean."
    );
}

// ---- collection and string operators ----

#[test]
fn plus_plus_on_every_type() {
    assert_eq!(op(PlusPlus, bytes(&[1, 2]), bytes(&[3])), bytes(&[1, 2, 3]));
    assert_eq!(
        op(
            PlusPlus,
            map([(int(1), s("a")), (int(2), s("b"))]),
            map([(int(2), s("c"))])
        ),
        map([(int(1), s("a")), (int(2), s("c"))])
    );
    assert_eq!(op(PlusPlus, s(""), s("")), s(""));
    assert_eq!(op(PlusPlus, list([]), list([int(1)])), list([int(1)]));
}

#[test]
fn plus_plus_type_errors() {
    assert_eq!(
        op_err(PlusPlus, s("a"), int(1)),
        "Operator `++` is not defined on Int"
    );
    assert_eq!(
        op_err(PlusPlus, list([]), s("a")),
        "Operator `++` is not defined on String"
    );
    assert_eq!(
        op_err(PlusPlus, map([]), set([])),
        "Operator `++` is not defined on Set"
    );
    assert_eq!(
        op_err(PlusPlus, set([]), map([])),
        "Operator `++` is not defined on Map"
    );
    assert_eq!(
        op_err(PlusPlus, bytes(&[]), s("a")),
        "Operator `++` is not defined on ByteArray"
    );
    assert_eq!(
        op_err(PlusPlus, int(1), int(2)),
        "Operator `++` is not defined on Int"
    );
}

#[test]
fn minus_minus_is_set_difference_only() {
    assert_eq!(op(MinusMinus, set([int(1)]), set([int(1)])), set([]));
    assert_eq!(
        op_err(MinusMinus, set([]), list([])),
        "Operator `--` is not defined on List"
    );
    assert_eq!(
        op_err(MinusMinus, map([]), map([])),
        "Operator `--` is not defined on Map"
    );
}

#[test]
fn minus_removes_map_keys() {
    assert_eq!(
        op(Minus, map([(int(1), int(2)), (int(3), int(4))]), int(1)),
        map([(int(3), int(4))])
    );
}

#[test]
fn interpolation_values_and_errors() {
    assert_eq!(
        op(
            PercentPercent,
            s("${n}"),
            map([(s("n"), big("-99999999999999999999"))])
        ),
        s("-99999999999999999999")
    );
    assert_eq!(
        op(PercentPercent, s("$${a}}"), map([(s("a"), s("x"))])),
        s("$x}")
    );
    assert_eq!(op(PercentPercent, s(""), map([])), s(""));
    assert_eq!(
        op_err(PercentPercent, s("${a}"), map([(s("a"), list([]))])),
        "Error: interpolation doesn't support List"
    );
    assert_eq!(
        op_err(PercentPercent, s("${a}"), map([(int(1), s("a"))])),
        "Error: interpolation Map should only contain String keys"
    );
    assert_eq!(
        op_err(PercentPercent, s("x"), list([])),
        "Operator `%%` is not defined on List"
    );
    assert_eq!(
        op_err(PercentPercent, int(1), map([])),
        "Operator `%%` is not defined on Int"
    );
}

// ---- methods ----

#[test]
fn every_method_name_is_dispatched() {
    for method in METHOD_NAMES {
        let mut meter = PhloMeter::new(LIMIT);
        let result = call_method(&int(1), method, &[], &CostTable::V1, &mut meter);
        assert!(
            !matches!(result, Err(RuntimeError::UnimplementedMethod(_))),
            "{method} is not dispatched"
        );
    }
    assert_eq!(
        call_err(int(1), "frobnicate", &[]),
        "Unimplemented method: frobnicate"
    );
}

#[test]
fn methods_check_their_argument_count() {
    assert_eq!(
        call_err(list([]), "nth", &[]),
        "Method `nth` expects 1 argument(s), but got 0"
    );
    assert_eq!(
        call_err(map([]), "getOrElse", &[int(1)]),
        "Method `getOrElse` expects 2 argument(s), but got 1"
    );
    assert_eq!(
        call_err(s("a"), "length", &[int(1)]),
        "Method `length` expects 0 argument(s), but got 1"
    );
}

#[test]
fn methods_reject_wrong_target_types() {
    let cases: [(Value, &str, Vec<Value>, &str); 20] = [
        (
            int(1),
            "toByteArray",
            vec![int(1)],
            "Method `toByteArray` expects 0 argument(s), but got 1",
        ),
        (
            b(true),
            "toInt",
            vec![],
            "Method `toInt` is not defined on Bool",
        ),
        (
            list([]),
            "toBigInt",
            vec![],
            "Method `toBigInt` is not defined on List",
        ),
        (
            int(1),
            "hexToBytes",
            vec![],
            "Method `hexToBytes` is not defined on Int",
        ),
        (
            s("00"),
            "bytesToHex",
            vec![],
            "Method `bytesToHex` is not defined on String",
        ),
        (
            bytes(&[]),
            "toUtf8Bytes",
            vec![],
            "Method `toUtf8Bytes` is not defined on ByteArray",
        ),
        (
            list([]),
            "union",
            vec![list([])],
            "Method `union` is not defined on List",
        ),
        (
            set([]),
            "union",
            vec![map([])],
            "Method `union` is not defined on Set",
        ),
        (
            list([]),
            "diff",
            vec![list([])],
            "Method `diff` is not defined on List",
        ),
        (
            map([]),
            "add",
            vec![int(1)],
            "Method `add` is not defined on Map",
        ),
        (
            list([]),
            "delete",
            vec![int(1)],
            "Method `delete` is not defined on List",
        ),
        (
            list([]),
            "contains",
            vec![int(1)],
            "Method `contains` is not defined on List",
        ),
        (
            set([]),
            "get",
            vec![int(1)],
            "Method `get` is not defined on Set",
        ),
        (
            set([]),
            "getOrElse",
            vec![int(1), int(2)],
            "Method `getOrElse` is not defined on Set",
        ),
        (
            list([]),
            "set",
            vec![int(1), int(2)],
            "Method `set` is not defined on List",
        ),
        (
            set([]),
            "keys",
            vec![],
            "Method `keys` is not defined on Set",
        ),
        (
            list([]),
            "size",
            vec![],
            "Method `size` is not defined on List",
        ),
        (
            tuple([int(1)]),
            "length",
            vec![],
            "Method `length` is not defined on Tuple",
        ),
        (
            set([]),
            "slice",
            vec![int(0), int(1)],
            "Method `slice` is not defined on Set",
        ),
        (
            s("abc"),
            "take",
            vec![int(1)],
            "Method `take` is not defined on String",
        ),
    ];
    for (target, method, args, expected) in cases {
        assert_eq!(call_err(target, method, &args), expected, "{method}");
    }
    assert_eq!(
        call_err(s("a"), "toList", &[]),
        "Method `toList` is not defined on String"
    );
    assert_eq!(
        call_err(tuple([int(1)]), "toSet", &[]),
        "Method `toSet` is not defined on Tuple"
    );
    assert_eq!(
        call_err(int(1), "toMap", &[]),
        "Method `toMap` is not defined on Int"
    );
}

#[test]
fn nth_on_lists_tuples_and_bytes() {
    assert_eq!(call(bytes(&[0, 255]), "nth", &[int(1)]), int(255));
    assert_eq!(call(tuple([s("a")]), "nth", &[int(0)]), s("a"));
    assert_eq!(
        call_err(list([int(1)]), "nth", &[int(1)]),
        "Error: index out of bound: 1"
    );
    assert_eq!(
        call_err(list([int(1)]), "nth", &[int(-1)]),
        "Error: index out of bound: -1"
    );
    assert_eq!(
        call_err(bytes(&[]), "nth", &[int(0)]),
        "Error: index out of bound: 0"
    );
    assert_eq!(
        call_err(list([]), "nth", &[int(1 << 33)]),
        "Integer overflow for value 8589934592"
    );
    assert_eq!(
        call_err(list([]), "nth", &[s("0")]),
        "Error: expression didn't evaluate to integer."
    );
    assert_eq!(
        call_err(s("abc"), "nth", &[int(0)]),
        "Error: nth applied to something that wasn't a list or tuple."
    );
    assert_eq!(
        call_err(Value::Nil, "nth", &[int(0)]),
        "Error: Multiple expressions given."
    );
}

#[test]
fn slice_and_take() {
    let xs = || list([int(1), int(2), int(3)]);
    assert_eq!(
        call(xs(), "slice", &[int(-5), int(2)]),
        list([int(1), int(2)])
    );
    assert_eq!(call(xs(), "slice", &[int(2), int(1)]), list([]));
    assert_eq!(
        call(xs(), "slice", &[int(1), int(99)]),
        list([int(2), int(3)])
    );
    assert_eq!(call(xs(), "take", &[int(10)]), xs());
    assert_eq!(call(xs(), "take", &[int(-1)]), list([]));
    assert_eq!(call(s("a😀b"), "slice", &[int(1), int(3)]), s("😀"));
    assert_eq!(
        call(bytes(&[1, 2, 3]), "slice", &[int(1), int(3)]),
        bytes(&[2, 3])
    );
    assert_eq!(
        call_err(bytes(&[1, 2, 3]), "slice", &[int(1), int(4)]),
        "End index: 4 >= 3"
    );
    assert_eq!(
        call_err(bytes(&[1]), "slice", &[int(-1), int(1)]),
        "Beginning index: -1 < 0"
    );
    assert_eq!(
        call_err(bytes(&[1]), "slice", &[int(1), int(0)]),
        "Beginning index larger than ending index: 1, 0"
    );
}

#[test]
fn length_size_and_keys() {
    assert_eq!(call(s("a😀"), "length", &[]), int(3));
    assert_eq!(call(bytes(&[1, 2]), "length", &[]), int(2));
    assert_eq!(call(map([(int(1), int(2))]), "size", &[]), int(1));
    assert_eq!(
        call(map([(s("b"), int(1)), (s("a"), int(2))]), "keys", &[]),
        set([s("a"), s("b")])
    );
}

#[test]
fn conversions_between_collections() {
    let m = || map([(s("a"), int(1)), (s("b"), int(2))]);
    let pairs = [tuple([s("a"), int(1)]), tuple([s("b"), int(2)])];
    assert_eq!(call(m(), "toList", &[]), Value::list(pairs.clone()));
    assert_eq!(call(m(), "toSet", &[]), Value::set(pairs.clone()));
    assert_eq!(
        call(list([int(2), int(1), int(2)]), "toSet", &[]),
        set([int(1), int(2)])
    );
    assert_eq!(call(Value::list(pairs.clone()), "toMap", &[]), m());
    assert_eq!(call(Value::set(pairs), "toMap", &[]), m());
    assert_eq!(call(m(), "toMap", &[]), m());
    assert_eq!(call(set([int(1)]), "toSet", &[]), set([int(1)]));
    assert_eq!(
        call_err(list([tuple([int(1)])]), "toMap", &[]),
        "Method `toMap` is not defined on types except List[(K,V)]"
    );
}

#[test]
fn map_and_set_updates() {
    assert_eq!(call(set([]), "add", &[Value::Nil]), set([Value::Nil]));
    assert_eq!(
        call(map([]), "set", &[int(1), list([])]),
        map([(int(1), list([]))])
    );
    assert_eq!(
        call(map([(int(1), int(1))]), "union", &[map([(int(1), int(9))])]),
        map([(int(1), int(9))])
    );
    assert_eq!(
        call(
            map([(int(1), int(1)), (int(2), int(2))]),
            "diff",
            &[map([(int(1), s("x"))])]
        ),
        map([(int(2), int(2))])
    );
    assert_eq!(
        call(map([(Value::Nil, int(7))]), "get", &[Value::Nil]),
        int(7)
    );
}

#[test]
fn numeric_conversions() {
    assert_eq!(call(s("-42"), "toInt", &[]), int(-42));
    assert_eq!(
        call(big("9223372036854775807"), "toInt", &[]),
        int(i64::MAX)
    );
    assert_eq!(call(int(5), "toInt", &[]), int(5));
    assert_eq!(
        call_err(big("9223372036854775808"), "toInt", &[]),
        "Method toInt(): input BigInt value 9223372036854775808 out of range"
    );
    assert_eq!(
        call_err(s("12x"), "toInt", &[]),
        "Method toInt(): input string \"12x\" cannot be converted to Int"
    );
    assert_eq!(call(int(-3), "toBigInt", &[]), big("-3"));
    assert_eq!(
        call(s("+100000000000000000000"), "toBigInt", &[]),
        big("100000000000000000000")
    );
    assert_eq!(call(big("7"), "toBigInt", &[]), big("7"));
    assert_eq!(
        call_err(s(""), "toBigInt", &[]),
        "Method toBigInt(): input string \"\" cannot be converted to BigInt"
    );
}

#[test]
fn byte_conversions() {
    assert_eq!(
        call(s("deadBEEF"), "hexToBytes", &[]),
        bytes(&[0xde, 0xad, 0xbe, 0xef])
    );
    assert_eq!(call(bytes(&[0, 15, 255]), "bytesToHex", &[]), s("000fff"));
    assert_eq!(call(s("é"), "toUtf8Bytes", &[]), bytes(&[0xc3, 0xa9]));
    assert_eq!(
        call_err(Value::Nil, "hexToBytes", &[]),
        "Error: Method can only be called on singular expressions."
    );
}

#[test]
fn to_byte_array_serializes_the_par() {
    let value = list([int(1), s("two")]);
    let encoded = rho_host_abi::encode::encode_par(&value.to_par());
    assert_eq!(
        call(value.clone(), "toByteArray", &[]),
        Value::Bytes(encoded.into())
    );
    assert_eq!(call(Value::Nil, "toByteArray", &[]), bytes(&[]));
    assert_eq!(
        call_cost(value.clone(), "toByteArray", &[]),
        10 + value.encoded_len()
    );
}

// ---- phlo ----

#[test]
fn fixed_prices_match_the_reference() {
    assert_eq!(op_cost(Plus, int(1), int(2)), 3);
    assert_eq!(op_cost(Minus, int(1), int(2)), 3);
    assert_eq!(op_cost(Mult, int(1), int(2)), 9);
    assert_eq!(op_cost(Div, int(1), int(2)), 9);
    assert_eq!(op_cost(Mod, int(1), int(2)), 9);
    assert_eq!(op_cost(Lt, int(1), int(2)), 3);
    assert_eq!(op_cost(And, b(true), b(true)), 2);
    assert_eq!(op_cost(Plus, set([]), int(1)), 10 + 3);
    assert_eq!(call_cost(list([int(1)]), "nth", &[int(0)]), 10 + 10);
    assert_eq!(call_cost(list([int(1)]), "length", &[]), 10 + 10);
    assert_eq!(call_cost(map([]), "get", &[int(0)]), 10 + 3);
    assert_eq!(call_cost(int(1), "toBigInt", &[]), 10 + 8);
}

#[test]
fn size_dependent_prices() {
    // String append: op call plus n + m code units.
    assert_eq!(op_cost(PlusPlus, s("abc"), s("de")), 10 + 5);
    // List append: op call plus the right side's length.
    assert_eq!(
        op_cost(PlusPlus, list([int(1)]), list([int(2), int(3)])),
        10 + 2
    );
    // Union: op call plus 3 per element of the right side.
    assert_eq!(
        op_cost(PlusPlus, set([int(1)]), set([int(2), int(3)])),
        10 + 6
    );
    // Slice: method call plus `to`.
    assert_eq!(call_cost(s("abcdef"), "slice", &[int(1), int(4)]), 10 + 4);
    // Interpolation: op call plus length * map size (result not longer than the template).
    assert_eq!(
        op_cost(
            PercentPercent,
            s("${a}${b}"),
            map([(s("a"), s("1")), (s("b"), s("2"))])
        ),
        10 + 8 * 2
    );
    // Size: method call plus the size.
    assert_eq!(call_cost(set([int(1), int(2)]), "size", &[]), 10 + 2);
    // Unknown methods still pay for the call.
    let mut meter = PhloMeter::new(LIMIT);
    let _ = call_method(&int(1), "nope", &[], &CostTable::V1, &mut meter);
    assert_eq!(meter.spent(), 10);
}

#[test]
fn huge_operations_run_out_of_phlo_before_allocating() {
    let large = Value::string("x".repeat(1 << 20));
    let mut meter = PhloMeter::new(1_000);
    let result = binary(PlusPlus, &large, &large, &CostTable::V1, &mut meter);
    assert_eq!(result, Err(RuntimeError::OutOfPhlo));
    assert!(meter.exhausted());

    // A template that repeats a large value many times pays for the result.
    let template = Value::string("${a}".repeat(1_000));
    let entries = map([(s("a"), large)]);
    let mut meter = PhloMeter::new(100_000_000);
    let result = binary(
        PercentPercent,
        &template,
        &entries,
        &CostTable::V1,
        &mut meter,
    );
    assert_eq!(result, Err(RuntimeError::OutOfPhlo));

    let mut meter = PhloMeter::new(1_000);
    let result = call_method(
        &list([]),
        "take",
        &[int(i32::MAX as i64)],
        &CostTable::V1,
        &mut meter,
    );
    assert_eq!(result, Err(RuntimeError::OutOfPhlo));
}

// ---- persistent results ----

#[test]
fn results_keep_cached_sizes_right() {
    let xs = Value::list((0..50).map(|i| int(i * 1000)));
    let st = Value::set((0..50).map(int));
    let mp = Value::map((0..50).map(|i| (int(i), s(&"v".repeat(i as usize)))));
    let results = [
        call(xs.clone(), "slice", &[int(3), int(40)]),
        call(xs.clone(), "take", &[int(7)]),
        op(PlusPlus, xs.clone(), list([s("tail")])),
        call(st.clone(), "union", &[Value::set((40..90).map(int))]),
        call(st.clone(), "diff", &[Value::set((0..25).map(int))]),
        op(Plus, st.clone(), s("new")),
        op(Minus, st.clone(), int(3)),
        call(
            mp.clone(),
            "union",
            &[map([(int(1), s("replaced")), (int(99), Value::Nil)])],
        ),
        call(mp.clone(), "diff", &[map([(int(2), Value::Nil)])]),
        call(mp.clone(), "set", &[int(4), list([int(1)])]),
        call(mp.clone(), "delete", &[int(5)]),
        call(mp.clone(), "keys", &[]),
        call(mp.clone(), "toList", &[]),
        call(mp, "toSet", &[]),
        call(st, "toList", &[]),
    ];
    for value in results {
        let par = value.to_par();
        assert_eq!(
            value.encoded_len(),
            prost::Message::encoded_len(&par) as u64,
            "cached size of {value:?}"
        );
    }
}
