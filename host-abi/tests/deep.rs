//! Checks that every operation of the crate copes with terms nested 10,000
//! levels deep on a thread with the main thread's 8 MiB stack: no stack
//! overflow, and the same results as on shallow terms.

mod common;

use std::cmp::Ordering;

use common::*;
use rho_host_abi::encode::MAX_DECODE_DEPTH;
use rho_host_abi::par::Par;
use rho_host_abi::{
    DecodeError, Term, cmp_par, decode_par, encode_par, print_par, sort_par, term_key,
};

const DEPTH: usize = 10_000;

fn nest(wrap: impl Fn(Par) -> Par) -> Par {
    let mut par = int(0);
    for _ in 0..DEPTH {
        par = wrap(par);
    }
    par
}

/// Sorts, prints, encodes, decodes, compares and keys a deep term.
fn exercise(par: Par, printed_prefix: &str, printed_suffix: &str) {
    let sorted = exercise_quietly(par);
    check_print(&sorted, printed_prefix, printed_suffix);
}

fn check_print(par: &Par, prefix: &str, suffix: &str) {
    let printed = print_par(par);
    assert!(
        printed.starts_with(prefix),
        "starts {:?}",
        &printed[..40.min(printed.len())]
    );
    assert!(
        printed.ends_with(suffix),
        "ends {:?}",
        &printed[printed.len().saturating_sub(40)..]
    );
}

/// [`exercise`] without printing; returns the sorted term.
fn exercise_quietly(par: Par) -> Par {
    let mut sorted = par.clone_deep();
    sort_par(&mut sorted);

    let bytes = encode_par(&sorted);
    let decoded = decode_par(&bytes).expect("a deep encoding decodes");
    assert!(decoded.eq_deep(&sorted), "decoding gives back the term");
    assert_eq!(cmp_par(&decoded, &sorted), Ordering::Equal);
    assert_eq!(term_key(&decoded), term_key(&sorted));

    let mut resorted = decoded;
    sort_par(&mut resorted);
    assert!(encode_par(&resorted) == bytes, "sorting is idempotent");
    sorted
}

#[test]
fn nested_lists() {
    on_main_sized_stack(|| exercise(nest(|p| list(vec![p])), "[[[[", "]]]]"));
}

#[test]
fn nested_sets_with_siblings() {
    on_main_sized_stack(|| {
        exercise(
            nest(|p| set(vec![p, int(1), string("s")])),
            "Set(1, \"s\", Set(1,",
            "))",
        )
    });
}

#[test]
fn nested_maps() {
    on_main_sized_stack(|| {
        exercise(
            nest(|p| map(vec![(p, int(0)), (int(1), int(2))])),
            "{1 : 2, {1 : 2,",
            "} : 0}",
        )
    });
}

#[test]
fn nested_send_channels() {
    on_main_sized_stack(|| exercise(nest(|p| send(p, vec![int(1)])), "@{@{@{", "}!(1)"));
}

#[test]
fn nested_news_and_receives() {
    fn layer(p: Par) -> Par {
        new(1, &[], receive(vec![(vec![free(0)], bound(0), 1)], p))
    }
    on_main_sized_stack(|| {
        exercise_quietly(nest(layer));
        // Each level is indented further, so the text grows with the square
        // of the depth: print a shallower one.
        let mut par = int(0);
        for _ in 0..1_000 {
            par = layer(par);
        }
        check_print(
            &par,
            "new x0 in {\n  for( @{x1} <- x0 ) {\n    new x2 in {",
            "\n  }\n}",
        );
    });
}

#[test]
fn nested_arithmetic() {
    on_main_sized_stack(|| exercise(nest(|p| neg(plus(p, int(1)))), "-(-(-(", " + 1)"));
}

#[test]
fn deep_duplicates_in_a_set_are_compared_and_dropped() {
    on_main_sized_stack(|| {
        let deep = nest(|p| list(vec![p]));
        let mut par = set(vec![deep.clone_deep(), deep.clone_deep(), int(1)]);
        sort_par(&mut par);
        let mut expected = set(vec![int(1), deep]);
        sort_par(&mut expected);
        assert!(par.eq_deep(&expected));
    });
}

/// Bytes of `levels` messages nested in a cycle Par -> Expr -> EList -> Par
/// (fields `exprs` = 5, `e_list_body` = 20, `ps` = 1), every length right.
fn nested_list_bytes(levels: usize) -> Vec<u8> {
    let key = |level: usize| -> &'static [u8] {
        match level % 3 {
            0 => &[0x2A],
            1 => &[0xA2, 0x01],
            _ => &[0x0A],
        }
    };
    let varint_len = |mut n: usize| {
        let mut len = 1;
        while n >= 0x80 {
            n >>= 7;
            len += 1;
        }
        len
    };
    // The length of the content of each level, innermost first.
    let mut lengths = vec![0usize; levels + 1];
    for level in (0..levels).rev() {
        let inner = lengths[level + 1];
        lengths[level] = key(level).len() + varint_len(inner) + inner;
    }
    let mut bytes = Vec::with_capacity(lengths[0]);
    for level in 0..levels {
        bytes.extend_from_slice(key(level));
        let mut n = lengths[level + 1];
        while n >= 0x80 {
            bytes.push((n as u8 & 0x7F) | 0x80);
            n >>= 7;
        }
        bytes.push(n as u8);
    }
    bytes
}

#[test]
fn decoding_accepts_deep_terms_up_to_the_limit_and_rejects_deeper_ones() {
    on_main_sized_stack(|| {
        // 99,999 nested messages below the top-level Par: just within the limit.
        let decoded = decode_par(&nested_list_bytes(99_999)).expect("within the limit");
        assert!(print_par(&decoded).starts_with("[[[["));
        decoded.drop_deep();
        assert_eq!(
            decode_par(&nested_list_bytes(100_000)),
            Err(DecodeError::TooDeep {
                limit: MAX_DECODE_DEPTH
            })
        );
        let mut truncated = nested_list_bytes(90_000);
        truncated.pop();
        assert!(matches!(
            decode_par(&truncated),
            Err(DecodeError::Malformed(_))
        ));
    });
}
