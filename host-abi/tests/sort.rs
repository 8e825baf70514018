//! Checks the canonical sort: idempotent, independent of the order of
//! unordered parts, and a total order consistent with equality, in the
//! reference's kind order.

mod common;

use std::cmp::Ordering;

use common::*;
use proptest::prelude::*;
use rho_host_abi::par::Par;
use rho_host_abi::{cmp_par, encode_par, sort_par};

fn sorted(par: &Par) -> Par {
    let mut copy = par.clone();
    sort_par(&mut copy);
    copy
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sorting_is_idempotent(par in arb_par()) {
        let once = sorted(&par);
        prop_assert_eq!(sorted(&once), once);
    }

    #[test]
    fn reordering_unordered_parts_does_not_change_the_canonical_bytes(par in arb_par()) {
        let canonical = sorted(&par);
        let mut reordered = canonical.clone();
        reverse_unordered(&mut reordered);
        prop_assert_eq!(encode_par(&sorted(&reordered)), encode_par(&canonical));
    }

    #[test]
    fn sorting_keeps_structure_it_does_not_reorder(par in arb_par()) {
        // Lists keep their order: a list of the Par and Nil stays in that order.
        let pair = list(vec![par.clone(), Par::default()]);
        let sorted_pair = sorted(&pair);
        prop_assert_eq!(sorted_pair, list(vec![sorted(&par), Par::default()]));
    }

    #[test]
    fn cmp_par_is_antisymmetric_and_agrees_with_equality(a in arb_par(), b in arb_par()) {
        let (a, b) = (sorted(&a), sorted(&b));
        prop_assert_eq!(cmp_par(&a, &b), cmp_par(&b, &a).reverse());
        prop_assert_eq!(cmp_par(&a, &b) == Ordering::Equal, a == b);
        prop_assert_eq!(cmp_par(&a, &a.clone()), Ordering::Equal);
    }

    #[test]
    fn cmp_par_is_transitive(a in arb_par(), b in arb_par(), c in arb_par()) {
        let mut three = [sorted(&a), sorted(&b), sorted(&c)];
        three.sort_by(cmp_par);
        prop_assert_ne!(cmp_par(&three[0], &three[1]), Ordering::Greater);
        prop_assert_ne!(cmp_par(&three[1], &three[2]), Ordering::Greater);
        prop_assert_ne!(cmp_par(&three[0], &three[2]), Ordering::Greater);
    }

    #[test]
    fn set_elements_end_up_sorted_and_distinct(elements in proptest::collection::vec(arb_par(), 0..8)) {
        let par = sorted(&set(elements));
        let Some(rho_host_abi::par::expr::ExprInstance::ESetBody(set)) = &par.exprs[0].expr_instance else {
            panic!("a set stays a set");
        };
        for pair in set.ps.windows(2) {
            prop_assert_eq!(cmp_par(&pair[0], &pair[1]), Ordering::Less);
        }
    }
}

#[test]
fn sets_and_maps_order_ground_values_by_kind_then_value() {
    // Bool (true first) < Int < String (UTF-16) < Uri < unforgeable < List < Tuple < Set < Map.
    let expected = vec![
        boolean(true),
        boolean(false),
        int(i64::MIN),
        int(-1),
        int(0),
        int(10),
        string(""),
        string("Beta"),
        string("alpha"),
        string("\u{1F600}"),
        string("\u{FF61}"),
        uri("rho:a"),
        uri("rho:b"),
        private(&[0x80]),
        private(&[0x01]),
        private(&[0x7F]),
        list(vec![]),
        list(vec![int(1)]),
        tuple(vec![int(1)]),
        set(vec![]),
        set(vec![int(1)]),
        map(vec![]),
        map(vec![(int(1), int(1))]),
    ];
    let mut shuffled = expected.clone();
    shuffled.reverse();
    shuffled.rotate_left(5);
    assert_eq!(sorted(&set(shuffled)), set(expected.clone()));

    let entries: Vec<(Par, Par)> = expected.iter().map(|key| (key.clone(), int(0))).collect();
    let mut reversed = entries.clone();
    reversed.reverse();
    assert_eq!(sorted(&map(reversed)), map(entries));
}

#[test]
fn unforgeable_ids_compare_as_signed_bytes() {
    // The reference compares ByteStrings byte by byte as Java (signed) bytes,
    // so 0x80 (-128) sorts before 0x00 and 0x7F.
    let expected = vec![
        private(&[0x80]),
        private(&[0x00]),
        private(&[0x00, 0x00]),
        private(&[0x7F]),
    ];
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(sorted(&set(reversed)), set(expected));
}

#[test]
fn par_parts_sort_in_each_list_and_nil_is_unchanged() {
    let mut par = par_of(vec![
        int(3),
        send(int(1), vec![]),
        int(1),
        send(int(0), vec![int(5)]),
    ]);
    sort_par(&mut par);
    assert_eq!(
        par,
        par_of(vec![
            send(int(0), vec![int(5)]),
            send(int(1), vec![]),
            int(1),
            int(3)
        ])
    );

    let mut nil = Par::default();
    sort_par(&mut nil);
    assert_eq!(nil, Par::default());
}

#[test]
fn new_uris_are_sorted_and_bodies_canonicalized() {
    let mut par = new(2, &["rho:b", "rho:a"], par_of(vec![int(2), int(1)]));
    sort_par(&mut par);
    assert_eq!(
        par,
        new(2, &["rho:a", "rho:b"], par_of(vec![int(1), int(2)]))
    );
}

#[test]
fn maps_keep_the_last_value_for_a_repeated_key() {
    let par = map(vec![
        (string("k"), int(1)),
        (string("j"), int(0)),
        (string("k"), int(2)),
    ]);
    assert_eq!(
        sorted(&par),
        map(vec![(string("j"), int(0)), (string("k"), int(2))])
    );
}

#[test]
fn sets_deduplicate_elements_that_are_equal_once_sorted() {
    let a = set(vec![int(1), int(2)]);
    let b = set(vec![int(2), int(1)]);
    assert_eq!(sorted(&set(vec![a.clone(), b])), set(vec![sorted(&a)]));
}
