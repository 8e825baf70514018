//! Canonical form of Pars: the reference's sort by score trees.
//!
//! Rholang's `|` is commutative and sets and maps are unordered, so one
//! process has many Par representations. [`sort_par`] picks one, exactly as
//! RChain does (`models/.../rholang/sorter`): it sorts, at every depth,
//!
//! * the parts of each Par (sends, receives, exprs, news, matches, bundles,
//!   connectives, unforgeables, each list by itself),
//! * the elements of each set, dropping duplicates,
//! * the entries of each map by key, keeping one entry per key: the last
//!   one, as the reference builds maps with `toMap`,
//! * the URIs of each `new`,
//!
//! while lists, tuples, send data, receive binds and patterns, match cases
//! and method arguments keep their order (their inner Pars are sorted).
//! After sorting, structurally equivalent terms are equal and encode to the
//! same bytes.
//!
//! The order is the reference's score-tree order (see `score.rs` for the
//! scores). For sets and maps of ground values it gives: Bool (`true`
//! first) < Int (numeric) < String (by UTF-16 code units, so `"Beta"` <
//! `"alpha"`) < Uri < unforgeable name < List < Tuple < Set < Map.
//!
//! Two different terms can have equal scores in the reference (the score of
//! a map ignores its values; `locallyFree` is never scored). The reference
//! then keeps their input order, which makes its output depend on the
//! input. Here such ties are broken by comparing the terms' encodings, so
//! the order is total, agrees with equality, and the canonical form does
//! not depend on the input order; wherever the reference's order is strict,
//! the two agree.
//!
//! All walks are guarded against stack overflow (see `stack.rs`).

use std::cmp::Ordering;

use crate::encode::encode_term;
use crate::par::{
    Bundle, Connective, Expr, KeyValuePair, Match, New, Par, Receive, Send,
    connective::ConnectiveInstance, expr::ExprInstance,
};
use crate::score::{
    self, ScoreStream, bundle_stream, cmp_streams, cmp_utf16, connective_stream, expr_stream,
    match_stream, new_stream, par_stream, receive_stream, send_stream, unforgeable_stream,
};
use crate::stack;
use crate::term::Term;

/// Puts a Par into canonical form, in place, at every depth.
///
/// Idempotent. Terms nested any number of levels deep are fine (the walk
/// grows its stack on the heap when needed).
///
/// # Examples
///
/// ```
/// use rho_host_abi::par::{ESet, Expr, Par, expr::ExprInstance};
/// use rho_host_abi::sort::sort_par;
///
/// let int = |i| Par { exprs: vec![Expr { expr_instance: Some(ExprInstance::GInt(i)) }], ..Par::default() };
/// let set = |ps| Par {
///     exprs: vec![Expr { expr_instance: Some(ExprInstance::ESetBody(ESet { ps, ..ESet::default() })) }],
///     ..Par::default()
/// };
/// let mut par = set(vec![int(3), int(1), int(3), int(2)]);
/// sort_par(&mut par);
/// assert_eq!(par, set(vec![int(1), int(2), int(3)]));
/// ```
pub fn sort_par(par: &mut Par) {
    sort_par_parts(par);
}

/// The canonical total order of Pars: the reference's score-tree order,
/// ties broken by the protobuf encoding.
///
/// It is the order [`sort_par`] puts set elements and map keys in, and it
/// is meant for canonical Pars (outputs of [`sort_par`]). On other Pars it
/// is still a total order consistent with equality, but it compares the
/// parts in the order they are stored rather than in canonical order.
pub fn cmp_par(a: &Par, b: &Par) -> Ordering {
    cmp_by(a, b, par_stream)
}

/// The canonical total order of Exprs, as in [`cmp_par`]: the order of the
/// `exprs` of a sorted Par.
pub fn cmp_expr(a: &Expr, b: &Expr) -> Ordering {
    cmp_by(a, b, expr_stream)
}

fn cmp_by<T: Term>(a: &T, b: &T, stream: for<'a> fn(&'a T) -> ScoreStream<'a>) -> Ordering {
    cmp_streams(stream(a), stream(b)).then_with(|| encode_term(a).cmp(&encode_term(b)))
}

fn sort_by_score<T: Term>(list: &mut [T], stream: for<'a> fn(&'a T) -> ScoreStream<'a>) {
    if list.len() > 1 {
        list.sort_by(|a, b| cmp_by(a, b, stream));
    }
}

fn sort_opt_par(par: &mut Option<Par>) {
    if let Some(par) = par {
        sort_par_parts(par);
    }
}

fn sort_pars(pars: &mut [Par]) {
    for par in pars {
        sort_par_parts(par);
    }
}

fn sort_par_parts(par: &mut Par) {
    stack::guarded(|| {
        par.sends.iter_mut().for_each(sort_send);
        sort_by_score(&mut par.sends, send_stream);
        par.receives.iter_mut().for_each(sort_receive);
        sort_by_score(&mut par.receives, receive_stream);
        par.news.iter_mut().for_each(sort_new);
        sort_by_score(&mut par.news, new_stream);
        par.exprs.iter_mut().for_each(sort_expr);
        sort_by_score(&mut par.exprs, expr_stream);
        par.matches.iter_mut().for_each(sort_match);
        sort_by_score(&mut par.matches, match_stream);
        par.bundles.iter_mut().for_each(sort_bundle);
        sort_by_score(&mut par.bundles, bundle_stream);
        par.connectives.iter_mut().for_each(sort_connective);
        sort_by_score(&mut par.connectives, connective_stream);
        sort_by_score(&mut par.unforgeables, unforgeable_stream);
    });
}

fn sort_send(send: &mut Send) {
    sort_opt_par(&mut send.chan);
    sort_pars(&mut send.data);
}

fn sort_receive(receive: &mut Receive) {
    for bind in &mut receive.binds {
        sort_pars(&mut bind.patterns);
        sort_opt_par(&mut bind.source);
    }
    sort_opt_par(&mut receive.body);
}

fn sort_new(new: &mut New) {
    sort_opt_par(&mut new.p);
    new.uri.sort_by(|a, b| cmp_utf16(a, b));
    new.injections.values_mut().for_each(sort_par_parts);
}

fn sort_match(matcher: &mut Match) {
    sort_opt_par(&mut matcher.target);
    for case in &mut matcher.cases {
        sort_opt_par(&mut case.pattern);
        sort_opt_par(&mut case.source);
    }
}

fn sort_bundle(bundle: &mut Bundle) {
    sort_opt_par(&mut bundle.body);
}

fn sort_connective(connective: &mut Connective) {
    match &mut connective.connective_instance {
        Some(ConnectiveInstance::ConnAndBody(body) | ConnectiveInstance::ConnOrBody(body)) => {
            sort_pars(&mut body.ps);
        }
        Some(ConnectiveInstance::ConnNotBody(par)) => sort_par_parts(par),
        _ => {}
    }
}

fn sort_expr(expr: &mut Expr) {
    use ExprInstance as E;
    let Some(instance) = &mut expr.expr_instance else {
        return;
    };
    match instance {
        E::GBool(_)
        | E::GInt(_)
        | E::GBigInt(_)
        | E::GString(_)
        | E::GUri(_)
        | E::GByteArray(_) => {}
        E::EVarBody(_) => {}
        E::ENotBody(e) => sort_opt_par(&mut e.p),
        E::ENegBody(e) => sort_opt_par(&mut e.p),
        E::EMultBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EDivBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EModBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EPlusBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EMinusBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::ELtBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::ELteBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EGtBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EGteBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EEqBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::ENeqBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EAndBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EOrBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EShortAndBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EShortOrBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EPercentPercentBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EPlusPlusBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EMinusMinusBody(e) => sort_two(&mut e.p1, &mut e.p2),
        E::EMatchesBody(e) => sort_two(&mut e.target, &mut e.pattern),
        E::EListBody(list) => sort_pars(&mut list.ps),
        E::ETupleBody(tuple) => sort_pars(&mut tuple.ps),
        E::ESetBody(set) => {
            sort_pars(&mut set.ps);
            sort_by_score(&mut set.ps, par_stream);
            dedup_sorted_set(&mut set.ps);
        }
        E::EMapBody(map) => {
            for entry in &mut map.kvs {
                sort_opt_par(&mut entry.key);
                sort_opt_par(&mut entry.value);
            }
            sort_map_entries(&mut map.kvs);
        }
        E::EMethodBody(method) => {
            sort_opt_par(&mut method.target);
            sort_pars(&mut method.arguments);
        }
    }
}

fn sort_two(p1: &mut Option<Par>, p2: &mut Option<Par>) {
    sort_opt_par(p1);
    sort_opt_par(p2);
}

/// Removes repeated elements from a sorted set (they are adjacent).
fn dedup_sorted_set(elements: &mut Vec<Par>) {
    let mut kept: Vec<Par> = Vec::with_capacity(elements.len());
    for element in elements.drain(..) {
        match kept.last() {
            Some(last) if cmp_par(last, &element) == Ordering::Equal => stack::drop_deep(element),
            _ => kept.push(element),
        }
    }
    *elements = kept;
}

fn map_key(entry: &KeyValuePair) -> &Par {
    score::par_or_nil(&entry.key)
}

/// Sorts map entries (whose keys and values are sorted) by key, keeping
/// only the last entry for each key.
fn sort_map_entries(entries: &mut Vec<KeyValuePair>) {
    if entries.len() < 2 {
        return;
    }
    // A stable sort keeps entries with equal keys in their input order.
    entries.sort_by(|a, b| cmp_par(map_key(a), map_key(b)));
    let mut kept: Vec<KeyValuePair> = Vec::with_capacity(entries.len());
    for entry in entries.drain(..) {
        match kept.last_mut() {
            Some(last) if cmp_par(map_key(last), map_key(&entry)) == Ordering::Equal => {
                stack::drop_deep(std::mem::replace(last, entry));
            }
            _ => kept.push(entry),
        }
    }
    *entries = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::par::{
        EList, EMap, ESet, ETuple, GPrivate, GUnforgeable, g_unforgeable::UnfInstance,
    };

    fn expr(instance: ExprInstance) -> Par {
        Par {
            exprs: vec![Expr {
                expr_instance: Some(instance),
            }],
            ..Par::default()
        }
    }

    fn int(value: i64) -> Par {
        expr(ExprInstance::GInt(value))
    }

    fn string(value: &str) -> Par {
        expr(ExprInstance::GString(value.to_owned()))
    }

    fn set(ps: Vec<Par>) -> Par {
        expr(ExprInstance::ESetBody(ESet {
            ps,
            ..ESet::default()
        }))
    }

    fn map(entries: Vec<(Par, Par)>) -> Par {
        let kvs = entries
            .into_iter()
            .map(|(key, value)| KeyValuePair {
                key: Some(key),
                value: Some(value),
            })
            .collect();
        expr(ExprInstance::EMapBody(EMap {
            kvs,
            ..EMap::default()
        }))
    }

    fn set_elements(par: &Par) -> &[Par] {
        match &par.exprs[0].expr_instance {
            Some(ExprInstance::ESetBody(set)) => &set.ps,
            other => panic!("not a set: {other:?}"),
        }
    }

    #[test]
    fn ground_values_sort_in_the_documented_kind_order() {
        let unforgeable = Par {
            unforgeables: vec![GUnforgeable {
                unf_instance: Some(UnfInstance::GPrivateBody(GPrivate { id: vec![1, 2] })),
            }],
            ..Par::default()
        };
        let expected = vec![
            expr(ExprInstance::GBool(true)),
            expr(ExprInstance::GBool(false)),
            int(-5),
            int(3),
            int(40),
            string("Beta"),
            string("alpha"),
            expr(ExprInstance::GUri("rho:a".to_owned())),
            unforgeable,
            expr(ExprInstance::EListBody(EList {
                ps: vec![int(1)],
                ..EList::default()
            })),
            expr(ExprInstance::ETupleBody(ETuple {
                ps: vec![int(1)],
                ..ETuple::default()
            })),
            set(vec![int(1)]),
            map(vec![(int(1), int(2))]),
        ];
        let mut shuffled = expected.clone();
        shuffled.reverse();
        shuffled.swap(2, 9);
        let mut par = set(shuffled);
        sort_par(&mut par);
        assert_eq!(set_elements(&par), expected.as_slice());
    }

    #[test]
    fn sets_drop_duplicates_and_maps_keep_the_last_value_per_key() {
        let mut par = set(vec![int(2), int(1), int(2)]);
        sort_par(&mut par);
        assert_eq!(par, set(vec![int(1), int(2)]));

        let mut par = map(vec![
            (string("b"), int(1)),
            (string("a"), int(2)),
            (string("b"), int(3)),
        ]);
        sort_par(&mut par);
        assert_eq!(par, map(vec![(string("a"), int(2)), (string("b"), int(3))]));
    }

    #[test]
    fn par_parts_are_sorted_and_lists_are_not() {
        let mut par = Par {
            exprs: vec![int(8).exprs[0].clone(), int(7).exprs[0].clone()],
            ..Par::default()
        };
        sort_par(&mut par);
        assert_eq!(
            par.exprs,
            [int(7).exprs[0].clone(), int(8).exprs[0].clone()]
        );

        let list = expr(ExprInstance::EListBody(EList {
            ps: vec![int(8), int(7)],
            ..EList::default()
        }));
        let mut sorted = list.clone();
        sort_par(&mut sorted);
        assert_eq!(sorted, list);
    }

    #[test]
    fn maps_with_equal_keys_but_different_values_still_order_totally() {
        let a = map(vec![(int(1), int(1))]);
        let b = map(vec![(int(1), int(2))]);
        assert_ne!(cmp_par(&a, &b), Ordering::Equal);
        assert_eq!(cmp_par(&a, &b), cmp_par(&b, &a).reverse());
    }
}
