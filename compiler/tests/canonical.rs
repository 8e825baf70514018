//! Canonical form: structurally equivalent programs encode to the same
//! bytes, whatever the order of `|` components, join binds, set and map
//! elements, and whatever the names of bound variables; different
//! programs encode differently.

use proptest::prelude::*;
use rho_host_abi::encode_par;
use rhoc::frontend::compile_source;

fn bytes(source: &str) -> Vec<u8> {
    match compile_source("canonical.rho", source) {
        Ok(normalized) => encode_par(&normalized.par),
        Err(errors) => panic!("{source}: {errors:#?}"),
    }
}

/// A small random process over the names `n0`..`n3` (bound by the test).
fn process() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("Nil".to_owned()),
        (0i64..5).prop_map(|i| i.to_string()),
        (0usize..4, 0i64..5).prop_map(|(n, i)| format!("n{n}!({i})")),
        (0usize..4).prop_map(|n| format!("n{n}!!(\"s\", [1, 2])")),
        (0usize..4, 0usize..4).prop_map(|(a, b)| format!("n{a}!(*n{b})")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            (0usize..4, inner.clone())
                .prop_map(|(n, body)| format!("for (@x <- n{n}) {{ {body} | n{n}!(x) }}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{{ {a} | {b} }}")),
            inner
                .clone()
                .prop_map(|body| format!("new fresh in {{ fresh!(1) | {body} }}")),
            (inner.clone(), inner)
                .prop_map(|(a, b)| format!("match 1 {{ 1 => {{ {a} }} _ => {{ {b} }} }}")),
        ]
    })
}

fn program(parts: &[String]) -> String {
    format!("new n0, n1, n2, n3 in {{ {} }}", parts.join(" | "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn reordering_par_components_keeps_the_bytes(
        parts in proptest::collection::vec(process(), 1..6),
        seed in any::<u64>(),
    ) {
        let mut shuffled = parts.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(bytes(&program(&parts)), bytes(&program(&shuffled)));
    }

    #[test]
    fn reordering_join_binds_keeps_the_bytes(order in Just(vec![0usize, 1, 2, 3]).prop_shuffle()) {
        let bind = |i: usize| match i {
            0 => "@a <- n0",
            1 => "@b, @c <- n1",
            2 => "d <- n2",
            _ => "@[e ...f] <- n3",
        };
        let joined = |order: &[usize]| {
            let binds: Vec<&str> = order.iter().map(|&i| bind(i)).collect();
            program(&[format!("for ({}) {{ n0!(a, b, c, *d, e, f) }}", binds.join(" & "))])
        };
        prop_assert_eq!(bytes(&joined(&[0, 1, 2, 3])), bytes(&joined(&order)));
    }

    #[test]
    fn reordering_set_and_map_elements_keeps_the_bytes(
        elements in proptest::collection::vec(prop_oneof![
            (0i64..20).prop_map(|i| i.to_string()),
            "[a-z]{0,3}".prop_map(|s| format!("\"{s}\"")),
            Just("true".to_owned()),
            Just("[1, 2]".to_owned()),
            Just("(3,)".to_owned()),
        ], 1..8),
    ) {
        let mut reversed = elements.clone();
        reversed.reverse();
        let set = |items: &[String]| format!("Set({})", items.join(", "));
        prop_assert_eq!(bytes(&set(&elements)), bytes(&set(&reversed)));
        // Keys are made distinct so that "the last value wins" does not
        // depend on the order.
        let map = |items: &[String]| {
            let entries: Vec<String> = items.iter().map(|item| format!("[{item}]: {item}")).collect();
            format!("{{{}}}", entries.join(", "))
        };
        let mut unique = elements.clone();
        unique.sort();
        unique.dedup();
        let mut unique_reversed = unique.clone();
        unique_reversed.reverse();
        prop_assert_eq!(bytes(&map(&unique)), bytes(&map(&unique_reversed)));
    }

    #[test]
    fn renaming_bound_variables_keeps_the_bytes(body in process(), suffix in "[a-z]{1,6}") {
        let renamed = program(std::slice::from_ref(&body))
            .replace("n0", &format!("zero_{suffix}"))
            .replace("n1", &format!("one_{suffix}"))
            .replace("n2", &format!("two_{suffix}"))
            .replace("n3", &format!("three_{suffix}"))
            .replace("@x", &format!("@x{suffix}"))
            .replace("!(x)", &format!("!(x{suffix})"))
            .replace("fresh", &format!("fresh{suffix}"));
        prop_assert_eq!(bytes(&program(&[body])), bytes(&renamed));
    }

    #[test]
    fn different_sends_differ(a in 0i64..1000, b in 0i64..1000) {
        prop_assume!(a != b);
        prop_assert_ne!(
            bytes(&program(&[format!("n0!({a})")])),
            bytes(&program(&[format!("n0!({b})")]))
        );
    }
}
