//! Checks the printer on every construct: ground values and collections in
//! the reference's format (as in the conformance `.expected` files), and
//! processes with the reference's variable naming and layout.

mod common;

use common::*;
use rho_host_abi::par::{
    Connective, EList, EMap, ENot, ESet, Expr, GDeployId, GDeployerId, GSysAuthToken, GUnforgeable,
    KeyValuePair, Par, Receive, ReceiveBind, VarRef, connective::ConnectiveInstance,
    expr::ExprInstance, g_unforgeable::UnfInstance, var::VarInstance,
};
use rho_host_abi::print_par;

#[track_caller]
fn check(par: Par, expected: &str) {
    assert_eq!(print_par(&par), expected);
}

fn connective(instance: ConnectiveInstance) -> Par {
    Par {
        connectives: vec![Connective {
            connective_instance: Some(instance),
        }],
        ..Par::default()
    }
}

fn unforgeable(instance: UnfInstance) -> Par {
    Par {
        unforgeables: vec![GUnforgeable {
            unf_instance: Some(instance),
        }],
        ..Par::default()
    }
}

#[test]
fn ground_values_and_tuples_as_in_print_ground_values_expected() {
    let par = list(vec![
        boolean(true),
        boolean(false),
        Par::default(),
        string("text"),
        uri("rho:demo:uri"),
        tuple(vec![int(1), string("two")]),
        tuple(vec![int(7)]),
    ]);
    check(
        par,
        r#"[true, false, Nil, "text", `rho:demo:uri`, (1, "two"), (7)]"#,
    );
}

#[test]
fn maps_print_sorted_by_key_as_in_print_map_order_expected() {
    let par = map(vec![
        (string("zeta"), int(1)),
        (string("alpha"), int(2)),
        (string("mid"), int(3)),
        (string("Beta"), int(4)),
    ]);
    check(par, r#"{"Beta" : 4, "alpha" : 2, "mid" : 3, "zeta" : 1}"#);
}

#[test]
fn nested_collections_as_in_match_remainders_expected() {
    let par = list(vec![
        tuple(vec![int(1), int(2), list(vec![int(3), int(4)])]),
        tuple(vec![
            string("Ann"),
            map(vec![
                (string("city"), string("Oslo")),
                (string("age"), int(30)),
            ]),
        ]),
        set(vec![int(3), int(1)]),
    ]);
    check(
        par,
        r#"[(1, 2, [3, 4]), ("Ann", {"age" : 30, "city" : "Oslo"}), Set(1, 3)]"#,
    );
}

#[test]
fn empty_collections_and_nil() {
    check(list(vec![]), "[]");
    check(set(vec![]), "Set()");
    check(map(vec![]), "{}");
    check(Par::default(), "Nil");
    check(
        Par {
            exprs: vec![Expr::default()],
            ..Par::default()
        },
        "Nil",
    );
}

#[test]
fn numbers_strings_and_bytes() {
    check(int(i64::MIN), "-9223372036854775808");
    check(int(-5), "-5");
    // Strings are printed without escaping.
    check(string("a\"b\\n"), "\"a\"b\\n\"");
    check(
        expr(ExprInstance::GByteArray(vec![0xBA, 0x78, 0x16, 0x00])),
        "ba781600",
    );
    check(expr(ExprInstance::GByteArray(vec![])), "");
    check(
        expr(ExprInstance::GBigInt(vec![0xFF, 0x7F])),
        "BigInt(-129)",
    );
    check(
        expr(ExprInstance::GBigInt(vec![
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ])),
        "BigInt(18446744073709551616)",
    );
}

#[test]
fn unforgeable_names() {
    check(private(&[0x0A, 0xFF]), "Unforgeable(0x0aff)");
    check(
        unforgeable(UnfInstance::GDeployIdBody(GDeployId { sig: vec![1] })),
        "DeployId(0x01)",
    );
    check(
        unforgeable(UnfInstance::GDeployerIdBody(GDeployerId {
            public_key: vec![0xAB],
        })),
        "DeployerId(0xab)",
    );
    check(
        unforgeable(UnfInstance::GSysAuthTokenBody(GSysAuthToken {})),
        "GSysAuthTokenBody(GSysAuthToken())",
    );
}

#[test]
fn par_parts_are_joined_in_stored_order() {
    check(par_of(vec![int(8), int(7)]), "8 |\n7");
    check(
        par_of(vec![int(1), send(Par::default(), vec![]), private(&[1])]),
        "@{Nil}!() |\n1 |\nUnforgeable(0x01)",
    );
}

#[test]
fn sends() {
    check(send(Par::default(), vec![int(7), int(8)]), "@{Nil}!(7, 8)");
    let mut persistent = send(string("c"), vec![Par::default(), Par::default()]);
    persistent.sends[0].persistent = true;
    check(persistent, "@{\"c\"}!!(Nil, Nil)");
}

#[test]
fn new_names_are_bare_channels_and_starred_processes() {
    check(new(3, &[], Par::default()), "new x0, x1, x2 in {\n  Nil\n}");
    check(
        new(1, &[], send(bound(0), vec![bound(0)])),
        "new x0 in {\n  x0!(*x0)\n}",
    );
    check(
        new(2, &["rho:io:stdout"], send(bound(0), vec![bound(1)])),
        "new x0, x1(`rho:io:stdout`) in {\n  x1!(*x0)\n}",
    );
}

#[test]
fn receives_number_pattern_variables_after_the_enclosing_binders() {
    let par = new(
        2,
        &[],
        receive(
            vec![
                (vec![free(0), free(1)], bound(1), 2),
                (vec![free(0), free(1)], bound(0), 2),
            ],
            par_of(vec![bound(0), bound(1), bound(2), bound(3)]),
        ),
    );
    check(
        par,
        "new x0, x1 in {\n  for( @{x2}, @{x3} <- x0  & @{x4}, @{x5} <- x1 ) {\n    x5 |\n    x4 |\n    x3 |\n    x2\n  }\n}",
    );
}

#[test]
fn receive_kinds_and_remainders() {
    let mut persistent = receive(vec![(vec![wildcard()], int(1), 0)], Par::default());
    persistent.receives[0].persistent = true;
    check(persistent, "for( @{_} <= @{1} ) {\n  Nil\n}");

    let mut peek = receive(vec![(vec![free(0)], int(1), 1)], bound(0));
    peek.receives[0].peek = true;
    check(peek, "for( @{x0} <<- @{1} ) {\n  x0\n}");

    let with_remainder = Par {
        receives: vec![Receive {
            binds: vec![ReceiveBind {
                patterns: vec![free(0)],
                source: Some(Par::default()),
                remainder: Some(var(VarInstance::FreeVar(1))),
                free_count: 2,
            }],
            body: Some(Par::default()),
            bind_count: 2,
            ..Receive::default()
        }],
        ..Par::default()
    };
    check(with_remainder, "for( @{x0}...@x1 <- @{Nil} ) {\n  Nil\n}");
}

#[test]
fn patterns_name_their_own_binders_with_the_next_letter() {
    let pattern = new(1, &[], send(bound(0), vec![free(0)]));
    check(
        receive(vec![(vec![pattern], Par::default(), 1)], Par::default()),
        "for( @{new y0 in { y0!(x0) }} <- @{Nil} ) {\n  Nil\n}",
    );
}

#[test]
fn matches_print_one_case_per_line() {
    let par = new(
        1,
        &[],
        matcher(
            bound(0),
            vec![(int(42), Par::default(), 0), (free(0), bound(0), 1)],
        ),
    );
    check(
        par,
        "new x0 in {\n  match *x0 {\n    42 => {\n      Nil\n    }\n    x1 => {\n      x1\n    }\n  }\n}",
    );
}

#[test]
fn bundles() {
    check(
        bundle(private(&[0]), true, false),
        "bundle+ {   Unforgeable(0x00) }",
    );
    check(bundle(int(1), false, true), "bundle- {   1 }");
    check(bundle(int(1), true, true), "bundle  {   1 }");
    check(bundle(int(1), false, false), "bundle0 {   1 }");
}

#[test]
fn operators_are_parenthesized() {
    check(plus(int(1), int(2)), "(1 + 2)");
    check(
        plus(plus(int(1), int(2)), plus(int(3), int(4))),
        "((1 + 2) + (3 + 4))",
    );
    check(neg(int(5)), "-5");
    check(neg(int(-5)), "-(-5)");
    check(neg(free(0)), "-(free0)");
    check(neg(plus(int(1), int(2))), "-(1 + 2)");
    check(neg(tuple(vec![int(1), int(2)])), "-(1, 2)");
    check(
        neg(method(free(0), "length", vec![])),
        "-((free0).length())",
    );
    check(
        expr(ExprInstance::ENotBody(ENot {
            p: Some(boolean(true)),
        })),
        "not (true)",
    );
    check(
        method(list(vec![int(1)]), "slice", vec![int(0), int(1)]),
        "([1]).slice(0,1)",
    );
}

#[test]
fn variables_and_remainders() {
    check(free(0), "free0");
    check(wildcard(), "_");
    check(expr(ExprInstance::EVarBody(Default::default())), "@Nil");
    check(
        expr(ExprInstance::EListBody(EList {
            ps: vec![int(1)],
            remainder: Some(var(VarInstance::FreeVar(0))),
            ..EList::default()
        })),
        "[1...free0]",
    );
    check(
        expr(ExprInstance::ESetBody(ESet {
            ps: vec![int(2), int(1)],
            remainder: Some(var(VarInstance::Wildcard(Default::default()))),
            ..ESet::default()
        })),
        "Set(1, 2..._)",
    );
    check(
        expr(ExprInstance::EMapBody(EMap {
            kvs: vec![KeyValuePair {
                key: Some(int(1)),
                value: Some(int(2)),
            }],
            remainder: Some(var(VarInstance::FreeVar(0))),
            ..EMap::default()
        })),
        "{1 : 2...free0}",
    );
}

#[test]
fn connectives() {
    check(connective(ConnectiveInstance::ConnBool(true)), "Bool");
    check(connective(ConnectiveInstance::ConnInt(true)), "Int");
    check(connective(ConnectiveInstance::ConnBigInt(true)), "BigInt");
    check(connective(ConnectiveInstance::ConnString(true)), "String");
    check(connective(ConnectiveInstance::ConnUri(true)), "Uri");
    check(
        connective(ConnectiveInstance::ConnByteArray(true)),
        "ByteArray",
    );
    check(
        connective(ConnectiveInstance::ConnAndBody(
            rho_host_abi::par::ConnectiveBody {
                ps: vec![int(1), int(2)],
            },
        )),
        "{1 /\\ 2}",
    );
    check(
        connective(ConnectiveInstance::ConnOrBody(
            rho_host_abi::par::ConnectiveBody {
                ps: vec![int(1), int(2)],
            },
        )),
        "{1 \\/ 2}",
    );
    check(
        connective(ConnectiveInstance::ConnNotBody(Par::default())),
        "~{Nil}",
    );
    // `=x0` in a pattern refers to the enclosing binder x0.
    let var_ref = connective(ConnectiveInstance::VarRefBody(VarRef {
        index: 0,
        depth: 1,
    }));
    check(
        new(1, &[], matcher(int(1), vec![(var_ref, Par::default(), 0)])),
        "new x0 in {\n  match 1 {\n    =x0 => {\n      Nil\n    }\n  }\n}",
    );
}

#[test]
fn short_channels_go_on_one_line_and_long_ones_keep_their_lines() {
    let short = receive(vec![(vec![free(0)], Par::default(), 1)], Par::default());
    check(send(short, vec![]), "@{for( @{x0} <- @{Nil} ) { Nil }}!()");

    let long_body = string(&"x".repeat(60));
    let long = receive(vec![(vec![free(0)], Par::default(), 1)], long_body);
    let expected = format!(
        "@{{for( @{{x0}} <- @{{Nil}} ) {{\n  \"{}\"\n}}}}!()",
        "x".repeat(60)
    );
    check(send(long, vec![]), &expected);
}
