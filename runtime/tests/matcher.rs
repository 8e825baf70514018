//! Checks the spatial matcher (`rho_runtime::matcher`) on hand-built Pars:
//! every pattern form, the bindings it produces, the reference's choice
//! where several bindings are possible, budget exhaustion and deep nesting.

use rho_host_abi::par::connective::ConnectiveInstance;
use rho_host_abi::par::expr::ExprInstance;
use rho_host_abi::par::g_unforgeable::UnfInstance;
use rho_host_abi::par::var::{VarInstance, WildcardMsg};
use rho_host_abi::par::{
    Bundle, Connective, ConnectiveBody, EList, EMap, EMatches, EPlus, ESet, ETuple, EVar, Expr,
    GPrivate, GUnforgeable, KeyValuePair, Match, MatchCase, New, Par, Receive, ReceiveBind, Send,
    Var, VarRef,
};
use rho_host_abi::sort_par;
use rho_runtime::matcher::{MatchBudget, MatchError, match_list, match_par, matches};

// ---------------------------------------------------------------- builders

fn sorted(mut par: Par) -> Par {
    sort_par(&mut par);
    par
}

fn expr(instance: ExprInstance) -> Par {
    Par {
        exprs: vec![Expr {
            expr_instance: Some(instance),
        }],
        ..Par::default()
    }
}

fn int(n: i64) -> Par {
    expr(ExprInstance::GInt(n))
}

fn string(text: &str) -> Par {
    expr(ExprInstance::GString(text.to_owned()))
}

fn boolean(flag: bool) -> Par {
    expr(ExprInstance::GBool(flag))
}

fn uri(text: &str) -> Par {
    expr(ExprInstance::GUri(text.to_owned()))
}

fn bytes(data: &[u8]) -> Par {
    expr(ExprInstance::GByteArray(data.to_vec()))
}

fn bigint(data: &[u8]) -> Par {
    expr(ExprInstance::GBigInt(data.to_vec()))
}

fn nil() -> Par {
    Par::default()
}

fn free_var(n: i32) -> Var {
    Var {
        var_instance: Some(VarInstance::FreeVar(n)),
    }
}

fn wildcard_var() -> Var {
    Var {
        var_instance: Some(VarInstance::Wildcard(WildcardMsg {})),
    }
}

fn bound_var(n: i32) -> Var {
    Var {
        var_instance: Some(VarInstance::BoundVar(n)),
    }
}

fn var(v: Var) -> Par {
    expr(ExprInstance::EVarBody(EVar { v: Some(v) }))
}

/// Free variable `n` in process position.
fn free(n: i32) -> Par {
    var(free_var(n))
}

fn wildcard() -> Par {
    var(wildcard_var())
}

fn bound(n: i32) -> Par {
    var(bound_var(n))
}

fn list(ps: Vec<Par>) -> Par {
    expr(ExprInstance::EListBody(EList {
        ps,
        ..EList::default()
    }))
}

fn list_rest(ps: Vec<Par>, remainder: Var) -> Par {
    expr(ExprInstance::EListBody(EList {
        ps,
        remainder: Some(remainder),
        ..EList::default()
    }))
}

fn tuple(ps: Vec<Par>) -> Par {
    expr(ExprInstance::ETupleBody(ETuple {
        ps,
        ..ETuple::default()
    }))
}

fn set(ps: Vec<Par>) -> Par {
    sorted(expr(ExprInstance::ESetBody(ESet {
        ps,
        ..ESet::default()
    })))
}

fn set_rest(ps: Vec<Par>, remainder: Var) -> Par {
    sorted(expr(ExprInstance::ESetBody(ESet {
        ps,
        remainder: Some(remainder),
        ..ESet::default()
    })))
}

fn map(kvs: Vec<(Par, Par)>) -> Par {
    map_with(kvs, None)
}

fn map_rest(kvs: Vec<(Par, Par)>, remainder: Var) -> Par {
    map_with(kvs, Some(remainder))
}

fn map_with(kvs: Vec<(Par, Par)>, remainder: Option<Var>) -> Par {
    let kvs = kvs
        .into_iter()
        .map(|(key, value)| KeyValuePair {
            key: Some(key),
            value: Some(value),
        })
        .collect();
    sorted(expr(ExprInstance::EMapBody(EMap {
        kvs,
        remainder,
        ..EMap::default()
    })))
}

/// The parallel composition of `parts`, in canonical order.
fn par(parts: Vec<Par>) -> Par {
    let mut out = Par::default();
    for part in parts {
        out.sends.extend(part.sends);
        out.receives.extend(part.receives);
        out.news.extend(part.news);
        out.exprs.extend(part.exprs);
        out.matches.extend(part.matches);
        out.unforgeables.extend(part.unforgeables);
        out.bundles.extend(part.bundles);
        out.connectives.extend(part.connectives);
    }
    sorted(out)
}

fn send(chan: Par, data: Vec<Par>) -> Par {
    Par {
        sends: vec![Send {
            chan: Some(chan),
            data,
            ..Send::default()
        }],
        ..Par::default()
    }
}

/// `for (patterns <- source) { body }` with one bind.
fn receive(patterns: Vec<Par>, free_count: i32, source: Par, body: Par) -> Par {
    let bind = ReceiveBind {
        patterns,
        source: Some(source),
        remainder: None,
        free_count,
    };
    Par {
        receives: vec![Receive {
            binds: vec![bind],
            body: Some(body),
            bind_count: free_count,
            ..Receive::default()
        }],
        ..Par::default()
    }
}

fn new(bind_count: i32, body: Par) -> Par {
    Par {
        news: vec![New {
            bind_count,
            p: Some(body),
            ..New::default()
        }],
        ..Par::default()
    }
}

fn match_process(target: Par, cases: Vec<(Par, i32, Par)>) -> Par {
    let cases = cases
        .into_iter()
        .map(|(pattern, free_count, source)| MatchCase {
            pattern: Some(pattern),
            source: Some(source),
            free_count,
        })
        .collect();
    Par {
        matches: vec![Match {
            target: Some(target),
            cases,
            ..Match::default()
        }],
        ..Par::default()
    }
}

fn bundle(body: Par, write_flag: bool, read_flag: bool) -> Par {
    Par {
        bundles: vec![Bundle {
            body: Some(body),
            write_flag,
            read_flag,
        }],
        ..Par::default()
    }
}

fn unforgeable(id: u8) -> Par {
    Par {
        unforgeables: vec![GUnforgeable {
            unf_instance: Some(UnfInstance::GPrivateBody(GPrivate { id: vec![id; 32] })),
        }],
        ..Par::default()
    }
}

fn connective(instance: ConnectiveInstance) -> Par {
    Par {
        connectives: vec![Connective {
            connective_instance: Some(instance),
        }],
        connective_used: true,
        ..Par::default()
    }
}

fn and(ps: Vec<Par>) -> Par {
    connective(ConnectiveInstance::ConnAndBody(ConnectiveBody { ps }))
}

fn or(ps: Vec<Par>) -> Par {
    connective(ConnectiveInstance::ConnOrBody(ConnectiveBody { ps }))
}

fn not(p: Par) -> Par {
    connective(ConnectiveInstance::ConnNotBody(p))
}

fn int_type() -> Par {
    connective(ConnectiveInstance::ConnInt(true))
}

fn string_type() -> Par {
    connective(ConnectiveInstance::ConnString(true))
}

fn bool_type() -> Par {
    connective(ConnectiveInstance::ConnBool(true))
}

fn uri_type() -> Par {
    connective(ConnectiveInstance::ConnUri(true))
}

fn bytes_type() -> Par {
    connective(ConnectiveInstance::ConnByteArray(true))
}

fn bigint_type() -> Par {
    connective(ConnectiveInstance::ConnBigInt(true))
}

// ----------------------------------------------------------------- helpers

const BUDGET: u64 = 10_000_000;

/// The bindings of matching `target` against `pattern`, or `None`.
fn check(target: &Par, pattern: &Par, free_count: usize) -> Option<Vec<Par>> {
    let mut budget = MatchBudget::new(BUDGET);
    let result = match_par(target, pattern, free_count, &mut budget).expect("the budget suffices");
    let decided =
        matches(target, pattern, &mut MatchBudget::new(BUDGET)).expect("the budget suffices");
    assert_eq!(
        decided,
        result.is_some(),
        "`matches` agrees with `match_par`"
    );
    if let Some(bindings) = &result {
        assert_eq!(bindings.len(), free_count);
        for value in bindings {
            assert_eq!(value, &sorted(value.clone()), "bound values are canonical");
        }
    }
    result
}

fn assert_binds(target: &Par, pattern: &Par, expected: Vec<Par>) {
    assert_eq!(check(target, pattern, expected.len()), Some(expected));
}

fn assert_no_match(target: &Par, pattern: &Par, free_count: usize) {
    assert_eq!(check(target, pattern, free_count), None);
}

/// Runs `test` on a thread with the main thread's 8 MiB stack.
fn on_main_sized_stack(test: impl FnOnce() + std::marker::Send + 'static) {
    std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(test)
        .expect("spawn a test thread")
        .join()
        .expect("the test thread finished without panicking");
}

// ------------------------------------------------------- ground and equality

#[test]
fn ground_values_match_only_equal_values() {
    assert_binds(&int(5), &int(5), vec![]);
    assert_no_match(&int(5), &int(6), 0);
    assert_no_match(&int(5), &string("5"), 0);
    assert_binds(&string("a"), &string("a"), vec![]);
    assert_binds(&nil(), &nil(), vec![]);
    assert_no_match(&int(1), &nil(), 0);
    assert_no_match(&nil(), &int(1), 0);
    let process = par(vec![send(string("a"), vec![int(1)]), int(5)]);
    assert_binds(&process, &process.clone(), vec![]);
}

#[test]
fn equality_ignores_cached_metadata() {
    let target = send(string("a"), vec![int(1)]);
    let mut pattern = target.clone();
    pattern.locally_free = vec![1];
    pattern.sends[0].locally_free = vec![3];
    assert_binds(&target, &pattern, vec![]);
}

#[test]
fn unforgeable_names_and_bundles_compare_structurally() {
    assert_binds(&unforgeable(1), &unforgeable(1), vec![]);
    assert_no_match(&unforgeable(1), &unforgeable(2), 0);
    assert_binds(
        &bundle(int(1), true, false),
        &bundle(int(1), true, false),
        vec![],
    );
    assert_no_match(
        &bundle(int(1), true, false),
        &bundle(int(1), false, true),
        0,
    );
    assert_binds(
        &bundle(int(1), true, true),
        &bundle(free(0), true, true),
        vec![int(1)],
    );
}

// --------------------------------------------------- variables and wildcards

#[test]
fn a_free_variable_binds_the_whole_process() {
    let target = par(vec![
        send(string("a"), vec![int(1)]),
        int(5),
        unforgeable(3),
    ]);
    assert_binds(&target, &free(0), vec![target.clone()]);
    assert_binds(&nil(), &free(0), vec![nil()]);
}

#[test]
fn a_wildcard_matches_anything_and_binds_nothing() {
    assert_binds(&par(vec![int(1), string("x")]), &wildcard(), vec![]);
    assert_binds(&nil(), &wildcard(), vec![]);
}

#[test]
fn only_the_first_free_variable_standing_in_a_par_captures() {
    // `x | y` against `1 | 2`: the reference gives everything to x, y stays Nil.
    let target = par(vec![int(1), int(2)]);
    assert_binds(
        &target,
        &par(vec![free(0), free(1)]),
        vec![target.clone(), nil()],
    );
}

#[test]
fn bound_variables_and_var_refs_left_in_a_pattern_never_match() {
    assert_no_match(&int(5), &bound(0), 0);
    let var_ref = connective(ConnectiveInstance::VarRefBody(VarRef {
        index: 0,
        depth: 1,
    }));
    assert_no_match(&int(5), &var_ref, 0);
}

#[test]
fn a_free_variable_out_of_range_does_not_match() {
    assert_eq!(
        match_par(&int(5), &free(1), 1, &mut MatchBudget::new(BUDGET)),
        Ok(None)
    );
    assert_eq!(
        match_par(&int(5), &free(-1), 1, &mut MatchBudget::new(BUDGET)),
        Ok(None)
    );
    // `matches` accepts any non-negative number.
    assert_eq!(
        matches(&int(5), &free(7), &mut MatchBudget::new(BUDGET)),
        Ok(true)
    );
    assert_eq!(
        matches(&int(5), &free(-1), &mut MatchBudget::new(BUDGET)),
        Ok(false)
    );
    assert_eq!(
        match_list(
            &[int(1), int(2)],
            &[free(0)],
            Some(&free_var(3)),
            1,
            &mut MatchBudget::new(BUDGET)
        ),
        Ok(None)
    );
}

// ---------------------------------------------------------------- collections

#[test]
fn lists_match_element_by_element() {
    let target = list(vec![int(1), int(2)]);
    assert_binds(&target, &list(vec![int(1), free(0)]), vec![int(2)]);
    assert_no_match(&list(vec![int(2), int(2)]), &list(vec![int(1), free(0)]), 1);
    assert_no_match(
        &list(vec![int(1), int(2), int(3)]),
        &list(vec![int(1), free(0)]),
        1,
    );
    assert_no_match(&list(vec![int(1)]), &list(vec![int(1), free(0)]), 1);
    assert_no_match(
        &tuple(vec![int(1), int(2)]),
        &list(vec![int(1), free(0)]),
        1,
    );
}

#[test]
fn a_list_remainder_binds_the_rest_as_a_list() {
    let pattern = list_rest(vec![free(0)], free_var(1));
    assert_binds(
        &list(vec![int(1), int(2), int(3)]),
        &pattern,
        vec![int(1), list(vec![int(2), int(3)])],
    );
    assert_binds(&list(vec![int(1)]), &pattern, vec![int(1), list(vec![])]);
    assert_no_match(&list(vec![]), &pattern, 2);
    let dropped = list_rest(vec![int(1)], wildcard_var());
    assert_binds(&list(vec![int(1), int(2), int(3)]), &dropped, vec![]);
    assert_no_match(&list(vec![int(2), int(3)]), &dropped, 0);
    assert_no_match(
        &list(vec![int(1), int(2)]),
        &list_rest(vec![int(1)], bound_var(0)),
        0,
    );
}

#[test]
fn tuples_match_element_by_element() {
    let pattern = tuple(vec![free(0), int(2)]);
    assert_binds(
        &tuple(vec![string("a"), int(2)]),
        &pattern,
        vec![string("a")],
    );
    assert_no_match(&tuple(vec![string("a"), int(3)]), &pattern, 1);
    assert_no_match(&tuple(vec![string("a")]), &pattern, 1);
}

#[test]
fn a_set_remainder_binds_the_other_elements_as_a_set() {
    let target = set(vec![int(1), int(2), int(3)]);
    assert_binds(
        &target,
        &set_rest(vec![int(2)], free_var(0)),
        vec![set(vec![int(1), int(3)])],
    );
    assert_no_match(&target, &set_rest(vec![int(4)], free_var(0)), 1);
    assert_binds(
        &target,
        &set_rest(vec![int(1), int(2), int(3)], free_var(0)),
        vec![set(vec![])],
    );
    assert_binds(&target, &set_rest(vec![int(3)], wildcard_var()), vec![]);
}

#[test]
fn a_set_element_variable_takes_the_first_element_as_in_the_reference() {
    // `Set(x ...rest)`: the rest's placeholders claim the first elements, x
    // then takes the first element and pushes them on by one.
    let target = set(vec![int(3), int(1), int(2)]);
    assert_binds(
        &target,
        &set_rest(vec![free(1)], free_var(0)),
        vec![set(vec![int(2), int(3)]), int(1)],
    );
    // `Set(x /\ String ...rest)` skips elements that do not fit.
    let strings = set(vec![int(1), string("a"), string("b")]);
    let pattern = set_rest(vec![and(vec![free(1), string_type()])], free_var(0));
    assert_binds(
        &strings,
        &pattern,
        vec![set(vec![int(1), string("b")]), string("a")],
    );
}

#[test]
fn large_set_remainders_are_matched_in_linear_time() {
    let target = set((0..10_000).map(int).collect());
    let pattern = set_rest(vec![int(5_000)], free_var(0));
    let mut budget = MatchBudget::new(BUDGET);
    let bindings = match_par(&target, &pattern, 1, &mut budget).expect("the budget suffices");
    let rest = set((0..10_000).filter(|&n| n != 5_000).map(int).collect());
    assert_eq!(bindings, Some(vec![rest]));
    assert!(budget.used() < 100_000, "used {} steps", budget.used());
}

#[test]
fn set_elements_match_in_any_order() {
    let target = set(vec![int(1), string("a")]);
    assert_binds(&target, &set(vec![string("a"), free(0)]), vec![int(1)]);
    assert_binds(&target, &set(vec![int(1), string("a")]), vec![]);
    assert_no_match(&target, &set(vec![free(0)]), 1);
    assert_no_match(&target, &set(vec![int(1), string("a"), free(0)]), 1);
}

#[test]
fn a_map_remainder_binds_the_other_entries_as_a_map() {
    let target = map(vec![
        (string("name"), string("bob")),
        (string("age"), int(3)),
        (string("id"), int(9)),
    ]);
    let pattern = map_rest(vec![(string("name"), free(0))], free_var(1));
    assert_binds(
        &target,
        &pattern,
        vec![
            string("bob"),
            map(vec![(string("age"), int(3)), (string("id"), int(9))]),
        ],
    );
    assert_no_match(&map(vec![(string("age"), int(3))]), &pattern, 2);
    assert_no_match(&target, &map(vec![(string("name"), free(0))]), 1);
    let keys_and_values = map(vec![(free(0), int(3))]);
    assert_binds(
        &map(vec![(string("age"), int(3))]),
        &keys_and_values,
        vec![string("age")],
    );
}

// ---------------------------------------------------------------- connectives

#[test]
fn simple_type_connectives_check_the_kind_of_a_single_value() {
    let cases = [
        (bool_type(), boolean(true)),
        (int_type(), int(-4)),
        (string_type(), string("s")),
        (uri_type(), uri("rho:io:stdout")),
        (bytes_type(), bytes(&[1, 2])),
        (bigint_type(), bigint(&[1, 0])),
    ];
    for (index, (pattern, value)) in cases.iter().enumerate() {
        for (other, (_, other_value)) in cases.iter().enumerate() {
            let expected = if index == other { Some(vec![]) } else { None };
            assert_eq!(
                check(other_value, pattern, 0),
                expected,
                "{pattern:?} against {other_value:?}"
            );
        }
        assert_no_match(&nil(), pattern, 0);
        assert_no_match(&par(vec![value.clone(), int(100)]), pattern, 0);
        assert_no_match(&list(vec![value.clone()]), pattern, 0);
    }
}

#[test]
fn a_conjunction_binds_and_checks() {
    // `{s /\ String}`
    let pattern = and(vec![free(0), string_type()]);
    assert_binds(&string("hi"), &pattern, vec![string("hi")]);
    assert_no_match(&int(1), &pattern, 1);
}

#[test]
fn a_disjunction_takes_any_alternative() {
    // `String \/ ByteArray`
    let pattern = or(vec![string_type(), bytes_type()]);
    assert_binds(&string("a"), &pattern, vec![]);
    assert_binds(&bytes(&[7]), &pattern, vec![]);
    assert_no_match(&int(1), &pattern, 0);
    assert_no_match(&int(1), &or(vec![]), 0);
}

#[test]
fn a_negation_matches_what_its_body_does_not() {
    // `~Int`
    let pattern = not(int_type());
    assert_no_match(&int(1), &pattern, 0);
    assert_binds(&string("a"), &pattern, vec![]);
    assert_binds(&nil(), &pattern, vec![]);
    assert_binds(&par(vec![int(1), int(2)]), &pattern, vec![]);
    // `~Nil`
    assert_no_match(&nil(), &not(nil()), 0);
    assert_binds(&int(0), &not(nil()), vec![]);
}

#[test]
fn connectives_nest_inside_collections_and_sends() {
    let pattern = list(vec![
        and(vec![free(0), int_type()]),
        or(vec![string_type(), bool_type()]),
    ]);
    assert_binds(&list(vec![int(4), boolean(false)]), &pattern, vec![int(4)]);
    assert_no_match(&list(vec![string("4"), boolean(false)]), &pattern, 1);
    let on_channel = send(string_type(), vec![not(nil())]);
    assert_binds(&send(string("ch"), vec![int(1)]), &on_channel, vec![]);
    assert_no_match(&send(int(3), vec![int(1)]), &on_channel, 0);
    assert_no_match(&send(string("ch"), vec![nil()]), &on_channel, 0);
}

#[test]
fn a_connective_in_a_par_takes_one_component_and_a_variable_the_rest() {
    // `Int | x` against `1 | 2 | "a"`: `Int` takes the first integer (the
    // first size-one subset in the reference's order), x the rest.
    let target = par(vec![int(1), int(2), string("a")]);
    let pattern = par(vec![int_type(), free(0)]);
    assert_binds(&target, &pattern, vec![par(vec![int(2), string("a")])]);
    // `Int | String` needs exactly one of each.
    assert_binds(
        &par(vec![string("a"), int(1)]),
        &par(vec![int_type(), string_type()]),
        vec![],
    );
    assert_no_match(
        &par(vec![int(2), int(1)]),
        &par(vec![int_type(), string_type()]),
        0,
    );
    assert_no_match(&target, &par(vec![int_type(), string_type()]), 0);
}

#[test]
fn a_connective_in_a_par_backtracks_over_the_ways_to_split() {
    // `~Nil | 2`: `~Nil` first tries taking nothing (fails), then `1` alone,
    // which leaves `2` for the concrete component.
    let pattern = par(vec![not(nil()), int(2)]);
    assert_binds(&par(vec![int(1), int(2)]), &pattern, vec![]);
    // `~Nil | 2 | x`: `~Nil` takes `1`, x gets `3`.
    let with_rest = par(vec![not(nil()), int(2), free(0)]);
    assert_binds(&par(vec![int(1), int(2), int(3)]), &with_rest, vec![int(3)]);
    assert_no_match(&int(2), &pattern, 0);
}

// --------------------------------------------------------- par-pattern splits

#[test]
fn a_par_pattern_splits_the_target_among_its_components() {
    // `@{x | y!(1)}` against `@{@"a"!(1) | @"b"!(2) | 5}`: the send pattern
    // takes `@"a"!(1)` (y = "a"), x captures the other send and the 5.
    let target = par(vec![
        send(string("a"), vec![int(1)]),
        send(string("b"), vec![int(2)]),
        int(5),
    ]);
    let pattern = par(vec![free(0), send(free(1), vec![int(1)])]);
    assert_binds(
        &target,
        &pattern,
        vec![
            par(vec![send(string("b"), vec![int(2)]), int(5)]),
            string("a"),
        ],
    );
    // Without a variable nothing may be left over.
    assert_no_match(&target, &par(vec![send(free(0), vec![int(1)])]), 1);
    // A wildcard drops the leftovers instead.
    assert_binds(
        &target,
        &par(vec![wildcard(), send(free(0), vec![int(1)])]),
        vec![string("a")],
    );
}

#[test]
fn later_par_components_displace_earlier_ones_as_in_the_reference() {
    // `@{x}!(_) | @{y}!(_)` against `@1!(0) | @2!(0)`: x first takes the
    // first send, then y claims it and x moves on to the second one.
    let target = par(vec![send(int(1), vec![int(0)]), send(int(2), vec![int(0)])]);
    let pattern = par(vec![
        send(free(0), vec![wildcard()]),
        send(free(1), vec![wildcard()]),
    ]);
    assert_eq!(
        pattern.sends[0].chan,
        Some(free(0)),
        "the pattern's sends keep x first"
    );
    assert_binds(&target, &pattern, vec![int(2), int(1)]);
}

#[test]
fn a_par_pattern_finds_an_assignment_when_one_exists() {
    // Each pattern send fits only some target sends; the greedy order would
    // give `x!(1)`'s target away, the search must undo that.
    let target = par(vec![
        send(int(1), vec![int(1)]),
        send(int(2), vec![int(1)]),
        send(int(2), vec![int(2)]),
    ]);
    let pattern = par(vec![
        send(int(1), vec![free(0)]),
        send(free(1), vec![int(1)]),
        send(int(2), vec![free(2)]),
    ]);
    let bindings = check(&target, &pattern, 3).expect("an assignment exists");
    assert_eq!(bindings[0], int(1));
    assert_eq!(bindings[1], int(2));
    assert_eq!(bindings[2], int(2));
}

#[test]
fn duplicate_components_are_captured_by_position() {
    // `1 | x` against `1 | 1`: x captures exactly one of the two.
    assert_binds(
        &par(vec![int(1), int(1)]),
        &par(vec![int(1), free(0)]),
        vec![int(1)],
    );
}

// ---------------------------------------------------- quoted processes

#[test]
fn quoted_sends_match_channel_data_and_persistence() {
    let target = send(string("ch"), vec![int(1), string("x")]);
    assert_binds(
        &target,
        &send(free(0), vec![int(1), free(1)]),
        vec![string("ch"), string("x")],
    );
    assert_no_match(&target, &send(free(0), vec![int(1)]), 1);
    let mut persistent = target.clone();
    persistent.sends[0].persistent = true;
    assert_no_match(&persistent, &send(free(0), vec![int(1), free(1)]), 2);
}

#[test]
fn quoted_receives_compare_binds_and_match_bodies() {
    // `for (@a <- @"ch") { @"out"!(1) }`, bind pattern `@a` = free var 0 of the bind.
    let closed_body = send(string("out"), vec![int(1)]);
    let target = receive(vec![free(0)], 1, string("ch"), closed_body.clone());
    // Pattern `for (@a <- c) { b }`: c and b are the outer pattern's variables.
    let pattern = receive(vec![free(0)], 1, free(0), free(1));
    assert_binds(&target, &pattern, vec![string("ch"), closed_body]);
    // A different bind pattern does not match.
    let other_binds = receive(vec![int(1)], 0, free(0), free(1));
    assert_no_match(&target, &other_binds, 2);
    // A body that uses the receive's own variable cannot be captured.
    let open_body = receive(vec![free(0)], 1, string("ch"), send(bound(0), vec![int(1)]));
    assert_no_match(&open_body, &pattern, 2);
    // ... but it matches a pattern with the same structure.
    let same_structure = receive(vec![free(0)], 1, free(0), send(bound(0), vec![free(1)]));
    assert_binds(&open_body, &same_structure, vec![string("ch"), int(1)]);
}

#[test]
fn quoted_news_match_their_bodies_under_the_binder() {
    let target = new(1, par(vec![send(bound(0), vec![int(1)]), int(7)]));
    // `new x in { x!(v) | rest }`
    let pattern = new(1, par(vec![send(bound(0), vec![free(0)]), free(1)]));
    assert_binds(&target, &pattern, vec![int(1), int(7)]);
    // The body refers to the new name, so a variable cannot take all of it.
    assert_no_match(&target, &new(1, free(0)), 1);
    assert_no_match(
        &target,
        &new(2, par(vec![send(bound(0), vec![free(0)]), free(1)])),
        2,
    );
}

#[test]
fn quoted_matches_compare_case_patterns_and_match_the_rest() {
    let target = match_process(int(1), vec![(free(0), 1, string("body"))]);
    let pattern = match_process(free(0), vec![(free(0), 1, free(1))]);
    assert_binds(&target, &pattern, vec![int(1), string("body")]);
    let other_case = match_process(free(0), vec![(int(3), 0, free(1))]);
    assert_no_match(&target, &other_case, 2);
}

#[test]
fn operators_and_matches_expressions_match_structurally() {
    let plus = |a: Par, b: Par| {
        expr(ExprInstance::EPlusBody(EPlus {
            p1: Some(a),
            p2: Some(b),
        }))
    };
    assert_binds(
        &plus(bound(0), int(1)),
        &plus(bound(0), free(0)),
        vec![int(1)],
    );
    assert_no_match(&plus(bound(0), int(1)), &plus(bound(1), free(0)), 1);
    let test = |target: Par, pattern: Par| {
        expr(ExprInstance::EMatchesBody(EMatches {
            target: Some(target),
            pattern: Some(pattern),
        }))
    };
    assert_binds(
        &test(int(1), free(0)),
        &test(free(0), free(0)),
        vec![int(1)],
    );
    assert_no_match(&test(int(1), free(0)), &test(free(0), int_type()), 1);
}

// ---------------------------------------------------------------- name lists

#[test]
fn name_lists_match_with_and_without_remainders() {
    let data = [int(1), string("a"), int(3)];
    let mut budget = MatchBudget::new(BUDGET);
    let patterns = [free(0), string("a"), free(1)];
    assert_eq!(
        match_list(&data, &patterns, None, 2, &mut budget),
        Ok(Some(vec![int(1), int(3)]))
    );
    assert_eq!(
        match_list(&data, &patterns[..2], None, 1, &mut budget),
        Ok(None)
    );
    assert_eq!(
        match_list(&data[..2], &patterns, None, 2, &mut budget),
        Ok(None)
    );
    assert_eq!(
        match_list(&data, &patterns[..1], Some(&free_var(1)), 2, &mut budget),
        Ok(Some(vec![int(1), list(vec![string("a"), int(3)])]))
    );
    assert_eq!(
        match_list(&data, &patterns, Some(&free_var(2)), 3, &mut budget),
        Ok(Some(vec![int(1), int(3), list(vec![])]))
    );
    assert_eq!(
        match_list(&data, &patterns[..1], Some(&wildcard_var()), 1, &mut budget),
        Ok(Some(vec![int(1)]))
    );
    assert_eq!(
        match_list(&data, &patterns[..1], Some(&bound_var(0)), 1, &mut budget),
        Ok(None)
    );
    assert_eq!(match_list(&[], &[], None, 0, &mut budget), Ok(Some(vec![])));
}

// ------------------------------------------------------------ budget, depth

#[test]
fn the_budget_counts_steps_and_stops_the_match() {
    let target = list((0..1000).map(int).collect());
    let mut budget = MatchBudget::new(BUDGET);
    assert_eq!(
        match_par(&target, &target, 0, &mut budget),
        Ok(Some(vec![]))
    );
    assert!(
        budget.used() >= 1000,
        "comparing 1000 elements costs at least 1000 steps"
    );
    let mut small = MatchBudget::new(100);
    assert_eq!(
        match_par(&target, &target, 0, &mut small),
        Err(MatchError::OutOfBudget)
    );
    assert_eq!(small.used(), small.limit());
    assert_eq!(small.remaining(), 0);
}

#[test]
fn the_budget_bounds_exponential_par_patterns() {
    // `~Nil | ~Nil | String` against 20 integers: every way to split them
    // between the two negations is tried before giving up.
    let target = par((0..20).map(int).collect());
    let pattern = par(vec![not(nil()), not(nil()), string_type()]);
    let start = std::time::Instant::now();
    let mut budget = MatchBudget::new(200_000);
    assert_eq!(
        match_par(&target, &pattern, 0, &mut budget),
        Err(MatchError::OutOfBudget)
    );
    assert!(start.elapsed().as_secs() < 5, "stopped promptly");
    // A smaller instance is decided within the budget.
    let small = par((0..4).map(int).collect());
    assert_eq!(
        match_par(&small, &pattern, 0, &mut MatchBudget::new(BUDGET)),
        Ok(None)
    );
}

#[test]
fn the_same_inputs_give_the_same_bindings() {
    let target = par(vec![
        send(int(1), vec![int(0)]),
        send(int(2), vec![int(0)]),
        send(int(3), vec![int(0)]),
        int(4),
        string("s"),
    ]);
    let pattern = par(vec![
        send(free(0), vec![wildcard()]),
        send(free(1), vec![wildcard()]),
        int_type(),
        free(2),
    ]);
    let first = check(&target, &pattern, 3);
    assert!(first.is_some());
    for _ in 0..5 {
        assert_eq!(check(&target, &pattern, 3), first);
    }
}

fn nested_lists(depth: usize, innermost: Par) -> Par {
    let mut term = innermost;
    for _ in 0..depth {
        term = list(vec![term]);
    }
    term
}

/// The bindings of a match that must succeed, without the extra checks of
/// [`check`] (which clone and sort the bound values with derived, recursive
/// code that is not meant for 10,000-level terms).
fn bind(target: &Par, pattern: &Par, free_count: usize) -> Option<Vec<Par>> {
    match_par(target, pattern, free_count, &mut MatchBudget::new(BUDGET))
        .expect("the budget suffices")
}

#[test]
fn deeply_nested_terms_do_not_overflow_the_stack() {
    on_main_sized_stack(|| {
        const DEPTH: usize = 10_000;
        let target = nested_lists(DEPTH, int(42));
        // A variable at the bottom.
        assert!(bind(&target, &nested_lists(DEPTH, free(0)), 1) == Some(vec![int(42)]));
        // A concrete pattern: equality all the way down.
        assert!(bind(&target, &nested_lists(DEPTH, int(42)), 0) == Some(vec![]));
        assert!(bind(&target, &nested_lists(DEPTH, int(41)), 0).is_none());
        // A variable taking the whole deep term.
        assert!(bind(&target, &free(0), 1) == Some(vec![nested_lists(DEPTH, int(42))]));
        // A list remainder at every level.
        let mut rests = free(0);
        for _ in 0..DEPTH {
            rests = list_rest(vec![rests], wildcard_var());
        }
        assert!(bind(&target, &rests, 1) == Some(vec![int(42)]));
        // Deeply nested connectives: `~~...~Int` with an even number of `~`.
        let mut negations = int_type();
        for _ in 0..DEPTH {
            negations = not(negations);
        }
        assert!(bind(&int(1), &negations, 0) == Some(vec![]));
        assert!(bind(&string("s"), &negations, 0).is_none());
        // Deeply nested conjunctions, `Int /\ (Int /\ (...))`, cost linear work.
        let mut conjunction = int_type();
        for _ in 0..DEPTH {
            conjunction = and(vec![int_type(), conjunction]);
        }
        let mut budget = MatchBudget::new(BUDGET);
        assert_eq!(matches(&int(1), &conjunction, &mut budget), Ok(true));
        assert!(
            budget.used() < 50 * DEPTH as u64,
            "used {} steps",
            budget.used()
        );
        assert_eq!(
            matches(
                &target,
                &nested_lists(DEPTH, int_type()),
                &mut MatchBudget::new(BUDGET)
            ),
            Ok(true)
        );
    });
}

#[test]
fn deeply_nested_processes_under_binders_do_not_overflow_the_stack() {
    on_main_sized_stack(|| {
        const DEPTH: usize = 10_000;
        // Built without `par`, whose sorting would make building quadratic.
        let mut target = send(bound(0), vec![int(1)]);
        let mut pattern = send(bound(0), vec![free(0)]);
        for _ in 0..DEPTH {
            target = new(
                1,
                Par {
                    exprs: int(2).exprs,
                    ..target
                },
            );
            pattern = new(
                1,
                Par {
                    exprs: wildcard().exprs,
                    ..pattern
                },
            );
        }
        assert!(bind(&target, &pattern, 1) == Some(vec![int(1)]));
        // The body at the bottom refers to the innermost `new`: not capturable.
        let mut open_pattern = new(1, free(0));
        for _ in 1..DEPTH {
            open_pattern = new(
                1,
                Par {
                    news: open_pattern.news,
                    exprs: wildcard().exprs,
                    ..Par::default()
                },
            );
        }
        assert!(bind(&target, &open_pattern, 1).is_none());
    });
}
