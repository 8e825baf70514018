//! Normalization of every construct, checked against the reference's rules:
//! De Bruijn indices, pattern variables numbered from 0 in each pattern,
//! bind and free counts, `locally_free` sets, `connective_used`, and the
//! desugarings (compared with the processes they stand for).

use rho_host_abi::encode_par;
use rho_host_abi::par::{
    Par, Receive, Send, connective::ConnectiveInstance, expr::ExprInstance, var::VarInstance,
};
use rhoc::frontend::compile_source;

/// Compiles a program that must be valid.
fn par(source: &str) -> Par {
    match compile_source("test.rho", source) {
        Ok(normalized) => normalized.par,
        Err(errors) => panic!("{source}: {errors:#?}"),
    }
}

/// Asserts that two programs normalize to byte-identical Pars.
fn same(left: &str, right: &str) {
    assert_eq!(
        encode_par(&par(left)),
        encode_par(&par(right)),
        "{left}\n  vs\n{right}"
    );
}

fn only_new(par: &Par) -> &Par {
    assert_eq!(par.news.len(), 1, "{par:?}");
    par.news[0].p.as_ref().expect("a body")
}

fn only_receive(par: &Par) -> &Receive {
    assert_eq!(par.receives.len(), 1, "{par:?}");
    &par.receives[0]
}

fn only_send(par: &Par) -> &Send {
    assert_eq!(par.sends.len(), 1, "{par:?}");
    &par.sends[0]
}

fn only_expr(par: &Par) -> &ExprInstance {
    assert_eq!(par.exprs.len(), 1, "{par:?}");
    par.exprs[0].expr_instance.as_ref().expect("an expression")
}

fn var(par: &Par) -> VarInstance {
    match only_expr(par) {
        ExprInstance::EVarBody(body) => {
            body.v.and_then(|var| var.var_instance).expect("a variable")
        }
        other => panic!("not a variable: {other:?}"),
    }
}

fn int(par: &Par) -> i64 {
    match only_expr(par) {
        ExprInstance::GInt(value) => *value,
        other => panic!("not an Int: {other:?}"),
    }
}

/// The reference's byte encoding of a bit set.
fn bits(indices: &[u32]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for &index in indices {
        let byte = (index / 8) as usize;
        if bytes.len() <= byte {
            bytes.resize(byte + 1, 0);
        }
        bytes[byte] |= 1 << (index % 8);
    }
    bytes
}

#[test]
fn new_binds_names_with_de_bruijn_indices() {
    let body = par("new x, y in { x!(*y) }");
    let new = &body.news[0];
    assert_eq!(new.bind_count, 2);
    assert!(new.locally_free.is_empty());
    let send = only_send(only_new(&body));
    assert_eq!(var(send.chan.as_ref().unwrap()), VarInstance::BoundVar(1));
    assert_eq!(var(&send.data[0]), VarInstance::BoundVar(0));
    assert_eq!(send.locally_free, bits(&[0, 1]));
    assert_eq!(only_new(&body).locally_free, bits(&[0, 1]));
}

#[test]
fn new_numbers_plain_names_first_then_uris_sorted() {
    let body = par("new b(`rho:b`), plain, a(`rho:a`) in { b!(*plain, *a) }");
    let new = &body.news[0];
    assert_eq!(new.uri, vec!["rho:a".to_owned(), "rho:b".to_owned()]);
    // Levels: plain 0, a 1, b 2; indices count from the last.
    let send = only_send(only_new(&body));
    assert_eq!(var(send.chan.as_ref().unwrap()), VarInstance::BoundVar(0));
    assert_eq!(var(&send.data[0]), VarInstance::BoundVar(2));
    assert_eq!(var(&send.data[1]), VarInstance::BoundVar(1));
}

#[test]
fn receive_binds_its_patterns_in_order() {
    // The reference's PInput test: `x` gets level 0, `y` level 1.
    let body = par("new ch in { for (x, y <- ch) { x!(*y) } }");
    let receive = only_receive(only_new(&body));
    assert_eq!(receive.bind_count, 2);
    assert_eq!(receive.binds[0].free_count, 2);
    assert_eq!(var(&receive.binds[0].patterns[0]), VarInstance::FreeVar(0));
    assert_eq!(var(&receive.binds[0].patterns[1]), VarInstance::FreeVar(1));
    assert!(receive.binds[0].patterns[0].connective_used);
    let send = only_send(receive.body.as_ref().unwrap());
    assert_eq!(var(send.chan.as_ref().unwrap()), VarInstance::BoundVar(1));
    assert_eq!(var(&send.data[0]), VarInstance::BoundVar(0));
    // The channel is the only free thing: `ch`, index 0 inside the `new`.
    assert_eq!(receive.locally_free, bits(&[0]));
    assert!(!receive.persistent && !receive.peek);
}

#[test]
fn receive_kinds() {
    let repeated = par("new ch in { for (x <= ch) { Nil } }");
    let receive = only_receive(only_new(&repeated));
    assert!(receive.persistent && !receive.peek);
    let peek = par("new ch in { for (x <<- ch) { Nil } }");
    let receive = only_receive(only_new(&peek));
    assert!(!receive.persistent && receive.peek);
}

#[test]
fn join_binds_number_each_pattern_from_zero_and_the_body_after_sorting() {
    let body = par("new a, b in { for (@x <- a & @y, @z <- b) { x | y | z } }");
    let receive = only_receive(only_new(&body));
    assert_eq!(receive.bind_count, 3);
    for bind in &receive.binds {
        assert_eq!(var(&bind.patterns[0]), VarInstance::FreeVar(0));
    }
    // Binds are sorted by channel: `b` (index 0) before `a` (index 1).
    assert_eq!(
        var(receive.binds[0].source.as_ref().unwrap()),
        VarInstance::BoundVar(0)
    );
    assert_eq!(receive.binds[0].free_count, 2);
    assert_eq!(receive.binds[1].free_count, 1);
}

#[test]
fn join_order_does_not_matter() {
    same(
        "new a, b, o in { for (@x <- a & @y, z <- b) { o!(x, y, *z) } }",
        "new a, b, o in { for (@y, z <- b & @x <- a) { o!(x, y, *z) } }",
    );
}

#[test]
fn joins_may_receive_twice_on_one_channel() {
    let body = par("new a, o in { for (@x <- a & @y <- a) { o!(x, y) } }");
    let receive = only_receive(only_new(&body));
    assert_eq!(receive.binds.len(), 2);
    assert_eq!(receive.bind_count, 2);
}

#[test]
fn send_data_are_numbered_last_to_first_in_patterns() {
    // The reference normalizes send data (and method arguments) in reverse.
    let body = par("new ch in { for (@{@Nil!(a, b)} <- ch) { Nil } }");
    let receive = only_receive(only_new(&body));
    let pattern = &receive.binds[0].patterns[0];
    let send = only_send(pattern);
    assert_eq!(var(&send.data[0]), VarInstance::FreeVar(1));
    assert_eq!(var(&send.data[1]), VarInstance::FreeVar(0));
}

#[test]
fn remainders_are_numbered_before_elements() {
    let body = par("match [1, 2] { [a ...rest] => Nil }");
    let case = &body.matches[0].cases[0];
    assert_eq!(case.free_count, 2);
    let ExprInstance::EListBody(list) = only_expr(case.pattern.as_ref().unwrap()) else {
        panic!()
    };
    assert_eq!(
        list.remainder.and_then(|var| var.var_instance),
        Some(VarInstance::FreeVar(0))
    );
    assert_eq!(var(&list.ps[0]), VarInstance::FreeVar(1));
    assert!(list.connective_used);
}

#[test]
fn match_cases_bind_their_own_variables() {
    let body = par("new out in { match 1 { x => out!(x) _ => Nil } }");
    let matcher = &only_new(&body).matches[0];
    assert_eq!(int(matcher.target.as_ref().unwrap()), 1);
    assert_eq!(matcher.cases[0].free_count, 1);
    assert_eq!(matcher.cases[1].free_count, 0);
    let send = only_send(matcher.cases[0].source.as_ref().unwrap());
    assert_eq!(var(&send.data[0]), VarInstance::BoundVar(0));
    assert_eq!(var(send.chan.as_ref().unwrap()), VarInstance::BoundVar(1));
    // `out` is free in the match; the case's own variable is not.
    assert_eq!(matcher.locally_free, bits(&[0]));
    assert!(!matcher.connective_used);
}

#[test]
fn var_refs_point_out_of_patterns() {
    let body = par("new x in { for (@{=*x} <- x) { Nil } }");
    let receive = only_receive(only_new(&body));
    let pattern = &receive.binds[0].patterns[0];
    let Some(ConnectiveInstance::VarRefBody(var_ref)) = &pattern.connectives[0].connective_instance
    else {
        panic!("{pattern:?}")
    };
    assert_eq!((var_ref.index, var_ref.depth), (0, 1));
    // Referring to the outermost level, it is locally free in the pattern.
    assert_eq!(pattern.locally_free, bits(&[0]));
    assert!(!pattern.connective_used);
    assert_eq!(receive.bind_count, 0);
}

#[test]
fn process_var_refs() {
    let body = par("new out in { match 5 { x => { match 5 { =x => out!(true) } } } }");
    let outer = &only_new(&body).matches[0];
    let inner = &outer.cases[0].source.as_ref().unwrap().matches[0];
    let pattern = inner.cases[0].pattern.as_ref().unwrap();
    let Some(ConnectiveInstance::VarRefBody(var_ref)) = &pattern.connectives[0].connective_instance
    else {
        panic!("{pattern:?}")
    };
    // `x` is the latest binding, one pattern level out.
    assert_eq!((var_ref.index, var_ref.depth), (0, 1));
    assert_eq!(inner.cases[0].free_count, 0);
}

#[test]
fn ground_values() {
    assert_eq!(int(&par("42")), 42);
    assert_eq!(only_expr(&par("true")), &ExprInstance::GBool(true));
    assert_eq!(
        only_expr(&par(r#""a\nb""#)),
        &ExprInstance::GString(r"a\nb".to_owned())
    );
    assert_eq!(
        only_expr(&par("`rho:io:stdout`")),
        &ExprInstance::GUri("rho:io:stdout".to_owned())
    );
    assert_eq!(
        only_expr(&par("BigInt(128)")),
        &ExprInstance::GBigInt(vec![0, 0x80])
    );
    assert_eq!(int(&par("9223372036854775807")), i64::MAX);
    assert_eq!(par("Nil"), Par::default());
}

#[test]
fn minus_five_is_negation_of_five() {
    let ExprInstance::ENegBody(neg) = only_expr(&par("-5")).clone() else {
        panic!()
    };
    assert_eq!(int(neg.p.as_ref().unwrap()), 5);
}

#[test]
fn operator_precedence_follows_the_reference() {
    same("1 + 2 * 3", "1 + (2 * 3)");
    same("1 - 2 - 3", "(1 - 2) - 3");
    same("true or false and true", "true or (false and true)");
    same("1 < 2 == true", "(1 < 2) == true");
    same("not true and false", "(not true) and false");
    same("-1 * 2", "(-1) * 2");
    same("\"a\" ++ \"b\" %% {}", "\"a\" ++ (\"b\" %% {})");
    same("[1] -- [2] ++ [3]", "([1] -- [2]) ++ [3]");
}

#[test]
fn every_operator_has_its_expression() {
    type IsExpected = fn(&ExprInstance) -> bool;
    let cases: &[(&str, IsExpected)] = &[
        ("1 + 2", |e| matches!(e, ExprInstance::EPlusBody(_))),
        ("1 - 2", |e| matches!(e, ExprInstance::EMinusBody(_))),
        ("1 * 2", |e| matches!(e, ExprInstance::EMultBody(_))),
        ("1 / 2", |e| matches!(e, ExprInstance::EDivBody(_))),
        ("1 % 2", |e| matches!(e, ExprInstance::EModBody(_))),
        ("\"a\" %% {}", |e| {
            matches!(e, ExprInstance::EPercentPercentBody(_))
        }),
        ("[] ++ []", |e| matches!(e, ExprInstance::EPlusPlusBody(_))),
        ("Set() -- Set()", |e| {
            matches!(e, ExprInstance::EMinusMinusBody(_))
        }),
        ("1 == 2", |e| matches!(e, ExprInstance::EEqBody(_))),
        ("1 != 2", |e| matches!(e, ExprInstance::ENeqBody(_))),
        ("1 < 2", |e| matches!(e, ExprInstance::ELtBody(_))),
        ("1 <= 2", |e| matches!(e, ExprInstance::ELteBody(_))),
        ("1 > 2", |e| matches!(e, ExprInstance::EGtBody(_))),
        ("1 >= 2", |e| matches!(e, ExprInstance::EGteBody(_))),
        ("true and false", |e| matches!(e, ExprInstance::EAndBody(_))),
        ("true or false", |e| matches!(e, ExprInstance::EOrBody(_))),
        ("true && false", |e| {
            matches!(e, ExprInstance::EShortAndBody(_))
        }),
        ("true || false", |e| {
            matches!(e, ExprInstance::EShortOrBody(_))
        }),
        ("not true", |e| matches!(e, ExprInstance::ENotBody(_))),
        ("-1", |e| matches!(e, ExprInstance::ENegBody(_))),
        ("1 matches Int", |e| {
            matches!(e, ExprInstance::EMatchesBody(_))
        }),
        (
            "[1].nth(0)",
            |e| matches!(e, ExprInstance::EMethodBody(m) if m.method_name == "nth"),
        ),
    ];
    for (source, is_expected) in cases {
        let par = par(source);
        assert!(is_expected(only_expr(&par)), "{source}: {par:?}");
    }
}

#[test]
fn collections() {
    let ExprInstance::ETupleBody(single) = only_expr(&par("(1,)")).clone() else {
        panic!()
    };
    assert_eq!(single.ps.len(), 1);
    let ExprInstance::ETupleBody(pair) = only_expr(&par("(1, 2)")).clone() else {
        panic!()
    };
    assert_eq!(pair.ps.len(), 2);
    // `(1)` is just 1.
    assert_eq!(int(&par("(1)")), 1);
    let ExprInstance::ESetBody(set) = only_expr(&par("Set(3, 1, 3, 2)")).clone() else {
        panic!()
    };
    assert_eq!(set.ps.iter().map(int).collect::<Vec<_>>(), vec![1, 2, 3]);
    let ExprInstance::EMapBody(map) = only_expr(&par("{2: \"b\", 1: \"a\", 2: \"c\"}")).clone()
    else {
        panic!()
    };
    let keys: Vec<i64> = map
        .kvs
        .iter()
        .map(|entry| int(entry.key.as_ref().unwrap()))
        .collect();
    assert_eq!(keys, vec![1, 2]);
    assert_eq!(
        only_expr(map.kvs[1].value.as_ref().unwrap()),
        &ExprInstance::GString("c".to_owned())
    );
}

#[test]
fn set_and_map_literal_order_does_not_matter() {
    same("Set(1, \"a\", [2], true)", "Set([2], true, 1, \"a\")");
    same(
        "{1: 2, \"x\": Nil, (1, 2): [3]}",
        "{(1, 2): [3], 1: 2, \"x\": Nil}",
    );
}

#[test]
fn par_order_does_not_matter() {
    same(
        "new a, b in { a!(1) | b!(2) | for (x <- a) { Nil } | 7 | match 1 { _ => Nil } }",
        "new a, b in { match 1 { _ => Nil } | 7 | for (x <- a) { Nil } | b!(2) | a!(1) }",
    );
}

#[test]
fn renaming_bound_variables_does_not_matter() {
    same(
        "new a, b in { for (@x, y <- a) { y!(x) | b!(x + 1) } }",
        "new left, right in { for (@value, reply <- left) { reply!(value) | right!(value + 1) } }",
    );
}

#[test]
fn different_processes_differ() {
    let programs = [
        "Nil",
        "1",
        "2",
        "-1",
        "\"1\"",
        "[1]",
        "(1,)",
        "Set(1)",
        "{1: 1}",
        "new a in { a!(1) }",
        "new a in { a!!(1) }",
        "new a in { for (x <- a) { Nil } }",
        "new a in { for (x <= a) { Nil } }",
        "new a in { for (x <<- a) { Nil } }",
        "new a, b in { a!(*b) }",
        "new a, b in { b!(*a) }",
        "bundle+ { Nil }",
        "bundle- { Nil }",
        "bundle0 { Nil }",
        "bundle { Nil }",
    ];
    let encoded: Vec<Vec<u8>> = programs
        .iter()
        .map(|source| encode_par(&par(source)))
        .collect();
    for (i, left) in encoded.iter().enumerate() {
        for (j, right) in encoded.iter().enumerate().skip(i + 1) {
            assert_ne!(
                left, right,
                "{} and {} encode the same",
                programs[i], programs[j]
            );
        }
    }
}

#[test]
fn contract_is_a_persistent_receive() {
    same(
        "new c in { contract c(@x, y) = { y!(x) } }",
        "new c in { for (@x, y <= c) { y!(x) } }",
    );
    let body = par("new c in { contract c(a ...@rest) = { Nil } }");
    let receive = only_receive(only_new(&body));
    assert!(receive.persistent);
    assert_eq!(receive.bind_count, 2);
    assert!(receive.binds[0].remainder.is_some());
}

#[test]
fn if_is_a_match_on_booleans() {
    same(
        "new o in { if (1 < 2) { o!(1) } else { o!(2) } }",
        "new o in { match 1 < 2 { true => o!(1) false => o!(2) } }",
    );
    same(
        "new o in { if (true) o!(1) }",
        "new o in { match true { true => o!(1) false => Nil } }",
    );
}

#[test]
fn synchronous_send_desugars_to_new_send_and_receive() {
    same(
        "new ch in { ch!?(1, 2); Nil | ch!(3) }",
        "new ch in { new r in { ch!(*r, 1, 2) | for (_ <- r) { Nil } } | ch!(3) }",
    );
    same(
        "new ch in { ch!?(1). }",
        "new ch in { new r in { ch!(*r, 1) | for (_ <- r) { Nil } } }",
    );
}

#[test]
fn receive_sources_desugar() {
    same(
        "new ch, o in { for (@x <- ch!?(1)) { o!(x) } }",
        "new ch, o in { new r in { ch!(*r, 1) | for (@x <- r) { o!(x) } } }",
    );
    same(
        "new ch, o in { for (@x <- ch?!) { o!(x) } }",
        "new ch, o in { for (r, @x <- ch) { r!() | o!(x) } }",
    );
}

#[test]
fn sequential_receipts_nest() {
    same(
        "new a, b, o in { for (@x <- a; @y <- b) { o!(x, y) } }",
        "new a, b, o in { for (@x <- a) { for (@y <- b) { o!(x, y) } } }",
    );
}

#[test]
fn let_is_a_match_on_lists() {
    same(
        "new o in { let @x <- 1 in { o!(x) } }",
        "new o in { match [1] { [x] => o!(x) } }",
    );
    same(
        "new o in { let @x <- 1; @y <- x + 1 in { o!(y) } }",
        "new o in { match [1] { [x] => { match [x + 1] { [y] => o!(y) } } } }",
    );
    let multi = par("new o in { let @p, @q <- 1, 2 in { o!(p + q) } }");
    assert_eq!(only_new(&multi).matches[0].cases[0].free_count, 2);
}

#[test]
fn concurrent_let_is_a_join() {
    same(
        "new o in { let @x <- 1 & @y <- 2 in { o!(x, y) } }",
        "new o in { new a, b in { a!(1) | b!(2) | for (@x <- a & @y <- b) { o!(x, y) } } }",
    );
}

#[test]
fn bundles() {
    let body = par("new x in { bundle+ { *x } }");
    let bundle = &only_new(&body).bundles[0];
    assert!(bundle.write_flag && !bundle.read_flag);
    // A bundle directly in a bundle merges its flags.
    let nested = par("new x in { bundle+ { bundle- { *x } } }");
    let bundle = &only_new(&nested).bundles[0];
    assert!(!bundle.write_flag && !bundle.read_flag);
}

#[test]
fn eval_and_quote_cancel() {
    same("new x in { x!(*@{1 + 1}) }", "new x in { x!(1 + 1) }");
}

#[test]
fn pattern_connectives() {
    let body = par("new ch in { for (@{x /\\ Int /\\ String} <- ch) { Nil } }");
    let receive = only_receive(only_new(&body));
    let pattern = &receive.binds[0].patterns[0];
    let Some(ConnectiveInstance::ConnAndBody(and)) = &pattern.connectives[0].connective_instance
    else {
        panic!("{pattern:?}")
    };
    // `a /\ b /\ c` is one conjunction of three.
    assert_eq!(and.ps.len(), 3);
    assert!(pattern.connective_used);
    assert_eq!(receive.bind_count, 1);
    let simple = par("match 1 { Bool \\/ Int \\/ BigInt \\/ String \\/ Uri \\/ ByteArray => Nil }");
    let pattern = simple.matches[0].cases[0].pattern.as_ref().unwrap();
    let Some(ConnectiveInstance::ConnOrBody(or)) = &pattern.connectives[0].connective_instance
    else {
        panic!("{pattern:?}")
    };
    assert_eq!(or.ps.len(), 6);
}

#[test]
fn method_calls_and_matches() {
    let ExprInstance::EMethodBody(method) = only_expr(&par("[1, 2].slice(0, 1)")).clone() else {
        panic!()
    };
    assert_eq!(method.method_name, "slice");
    assert_eq!(
        method.arguments.iter().map(int).collect::<Vec<_>>(),
        vec![0, 1]
    );
    let ExprInstance::EMatchesBody(matches) = only_expr(&par("1 matches x")).clone() else {
        panic!()
    };
    // The pattern's variable stays in the pattern.
    assert_eq!(
        var(matches.pattern.as_ref().unwrap()),
        VarInstance::FreeVar(0)
    );
}

#[test]
fn the_output_is_canonical() {
    for source in [
        "new a, b in { b!(Set(3, 2, 1)) | a!({2: 1, 1: 2}) | for (x <- b & @y <- a) { x!(y) | 1 | 0 } }",
        "new o in { let @x <- 1 & @y <- 2 in { o!(x, y) } | o!?(Set(2, 1)). }",
    ] {
        let normalized = par(source);
        let mut sorted = normalized.clone();
        rho_host_abi::sort_par(&mut sorted);
        assert_eq!(sorted, normalized);
    }
}

#[test]
fn exprs_keep_their_source_order_where_order_matters() {
    let send = par("new o in { o!(3, 1, 2) }");
    let send = only_send(only_new(&send));
    assert_eq!(send.data.iter().map(int).collect::<Vec<_>>(), vec![3, 1, 2]);
    let list = par("[3, 1, 2]");
    let ExprInstance::EListBody(list) = only_expr(&list) else {
        panic!()
    };
    assert_eq!(list.ps.iter().map(int).collect::<Vec<_>>(), vec![3, 1, 2]);
}
