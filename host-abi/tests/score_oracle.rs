//! Checks `cmp_par` against a direct transcription of the reference's score
//! trees (`ScoreTree.scala` and the `*SortMatcher.scala` files): explicit
//! trees, compared recursively. Wherever the trees differ, `cmp_par` must
//! agree with them; and sorted Pars list their parts in tree order.

mod common;

use std::cmp::Ordering;

use common::*;
use proptest::prelude::*;
use rho_host_abi::par::{
    Connective, Expr, GUnforgeable, Par, Var, connective::ConnectiveInstance, expr::ExprInstance,
    g_unforgeable::UnfInstance, var::VarInstance,
};
use rho_host_abi::{cmp_par, sort_par};

#[derive(Clone, Debug)]
enum Atom {
    Int(i64),
    BigInt(i128),
    Str(String),
    Bytes(Vec<u8>),
}

#[derive(Clone, Debug)]
enum Tree {
    Leaf(Atom),
    Node(Vec<Tree>),
}

fn cmp_atom(a: &Atom, b: &Atom) -> Ordering {
    use Atom::*;
    let rank = |atom: &Atom| match atom {
        Int(_) => 0,
        BigInt(_) => 1,
        Str(_) => 2,
        Bytes(_) => 3,
    };
    match (a, b) {
        (Int(x), Int(y)) => x.cmp(y),
        (BigInt(x), BigInt(y)) => x.cmp(y),
        (Str(x), Str(y)) => x.encode_utf16().cmp(y.encode_utf16()),
        (Bytes(x), Bytes(y)) => x.iter().map(|&b| b as i8).cmp(y.iter().map(|&b| b as i8)),
        _ => rank(a).cmp(&rank(b)),
    }
}

fn cmp_tree(a: &Tree, b: &Tree) -> Ordering {
    match (a, b) {
        (Tree::Leaf(x), Tree::Leaf(y)) => cmp_atom(x, y),
        (Tree::Leaf(_), Tree::Node(_)) => Ordering::Less,
        (Tree::Node(_), Tree::Leaf(_)) => Ordering::Greater,
        (Tree::Node(xs), Tree::Node(ys)) => {
            for (x, y) in xs.iter().zip(ys) {
                match cmp_tree(x, y) {
                    Ordering::Equal => {}
                    other => return other,
                }
            }
            xs.len().cmp(&ys.len())
        }
    }
}

fn leaf(value: i64) -> Tree {
    Tree::Leaf(Atom::Int(value))
}

fn node(score: i64, rest: Vec<Tree>) -> Tree {
    Tree::Node(std::iter::once(leaf(score)).chain(rest).collect())
}

fn flag(value: bool) -> Tree {
    leaf(i64::from(value))
}

fn opt(par: &Option<Par>) -> Tree {
    score_par(par.as_ref().unwrap_or(&Par::default()))
}

fn score_var(var: Option<&Var>) -> Tree {
    match var.and_then(|v| v.var_instance.as_ref()) {
        Some(VarInstance::BoundVar(level)) => node(50, vec![leaf(i64::from(*level))]),
        Some(VarInstance::FreeVar(level)) => node(51, vec![leaf(i64::from(*level))]),
        Some(VarInstance::Wildcard(_)) => node(52, vec![]),
        None => leaf(0),
    }
}

fn remainder(var: &Option<Var>) -> Tree {
    var.as_ref().map_or(leaf(-1), |v| score_var(Some(v)))
}

fn big_int(bytes: &[u8]) -> i128 {
    bytes.iter().fold(
        if bytes.first().is_some_and(|&b| b >= 0x80) {
            -1
        } else {
            0
        },
        |acc, &b| (acc << 8) | i128::from(b),
    )
}

fn score_expr(expr: &Expr) -> Tree {
    use ExprInstance as E;
    let pars = |ps: &[Par]| ps.iter().map(score_par).collect::<Vec<_>>();
    match &expr.expr_instance {
        None => node(0, vec![]),
        Some(E::GBool(b)) => node(1, vec![leaf(if *b { 0 } else { 1 })]),
        Some(E::GInt(i)) => node(2, vec![leaf(*i)]),
        Some(E::GBigInt(b)) => node(13, vec![Tree::Leaf(Atom::BigInt(big_int(b)))]),
        Some(E::GString(s)) => node(3, vec![Tree::Leaf(Atom::Str(s.clone()))]),
        Some(E::GUri(s)) => node(4, vec![Tree::Leaf(Atom::Str(s.clone()))]),
        Some(E::GByteArray(b)) => node(116, vec![Tree::Leaf(Atom::Bytes(b.clone()))]),
        Some(E::EVarBody(e)) => node(100, vec![score_var(e.v.as_ref())]),
        Some(E::ENotBody(e)) => node(112, vec![opt(&e.p)]),
        Some(E::EPlusBody(e)) => node(104, vec![opt(&e.p1), opt(&e.p2)]),
        Some(E::EListBody(e)) => node(
            6,
            [
                vec![remainder(&e.remainder)],
                pars(&e.ps),
                vec![flag(e.connective_used)],
            ]
            .concat(),
        ),
        Some(E::ETupleBody(e)) => node(7, [pars(&e.ps), vec![flag(e.connective_used)]].concat()),
        Some(E::ESetBody(e)) => node(
            8,
            [
                vec![remainder(&e.remainder)],
                pars(&e.ps),
                vec![flag(e.connective_used)],
            ]
            .concat(),
        ),
        Some(E::EMapBody(e)) => {
            let keys = e.kvs.iter().map(|kv| opt(&kv.key)).collect();
            node(
                9,
                [
                    vec![remainder(&e.remainder)],
                    keys,
                    vec![flag(e.connective_used)],
                ]
                .concat(),
            )
        }
        Some(E::EMethodBody(e)) => node(
            115,
            [
                vec![Tree::Leaf(Atom::Str(e.method_name.clone())), opt(&e.target)],
                pars(&e.arguments),
                vec![flag(e.connective_used)],
            ]
            .concat(),
        ),
        Some(other) => panic!("the generator does not make {other:?}"),
    }
}

fn score_connective(connective: &Connective) -> Tree {
    match &connective.connective_instance {
        Some(ConnectiveInstance::ConnOrBody(body)) => {
            node(402, body.ps.iter().map(score_par).collect())
        }
        Some(ConnectiveInstance::ConnInt(b)) => node(405, vec![flag(*b)]),
        Some(ConnectiveInstance::ConnString(b)) => node(406, vec![flag(*b)]),
        other => panic!("the generator does not make {other:?}"),
    }
}

fn score_unforgeable(unforgeable: &GUnforgeable) -> Tree {
    match &unforgeable.unf_instance {
        Some(UnfInstance::GPrivateBody(p)) => node(5, vec![Tree::Leaf(Atom::Bytes(p.id.clone()))]),
        Some(UnfInstance::GDeployIdBody(d)) => {
            node(11, vec![Tree::Leaf(Atom::Bytes(d.sig.clone()))])
        }
        other => panic!("the generator does not make {other:?}"),
    }
}

fn score_par(par: &Par) -> Tree {
    let mut children = vec![];
    for send in &par.sends {
        children.push(node(
            300,
            [
                vec![flag(send.persistent), opt(&send.chan)],
                send.data.iter().map(score_par).collect(),
                vec![flag(send.connective_used)],
            ]
            .concat(),
        ));
    }
    for receive in &par.receives {
        let binds = receive
            .binds
            .iter()
            .map(|bind| {
                Tree::Node(
                    [
                        vec![opt(&bind.source)],
                        bind.patterns.iter().map(score_par).collect(),
                        vec![score_var(bind.remainder.as_ref())],
                    ]
                    .concat(),
                )
            })
            .collect();
        children.push(node(
            301,
            [
                vec![flag(receive.persistent), flag(receive.peek)],
                binds,
                vec![
                    opt(&receive.body),
                    leaf(i64::from(receive.bind_count)),
                    flag(receive.connective_used),
                ],
            ]
            .concat(),
        ));
    }
    children.extend(par.exprs.iter().map(score_expr));
    for new in &par.news {
        let uris: Vec<Tree> = if new.uri.is_empty() {
            vec![leaf(0)]
        } else {
            new.uri
                .iter()
                .map(|uri| Tree::Leaf(Atom::Str(uri.clone())))
                .collect()
        };
        children.push(node(
            303,
            [
                vec![leaf(i64::from(new.bind_count))],
                uris,
                vec![leaf(0), opt(&new.p)],
            ]
            .concat(),
        ));
    }
    for matcher in &par.matches {
        let cases = matcher
            .cases
            .iter()
            .map(|c| Tree::Node(vec![opt(&c.pattern), opt(&c.source)]))
            .collect();
        children.push(node(
            304,
            [
                vec![opt(&matcher.target)],
                cases,
                vec![flag(matcher.connective_used)],
            ]
            .concat(),
        ));
    }
    for bundle in &par.bundles {
        let score = match (bundle.write_flag, bundle.read_flag) {
            (true, true) => 308,
            (true, false) => 307,
            (false, true) => 306,
            (false, false) => 305,
        };
        children.push(node(score, vec![opt(&bundle.body)]));
    }
    children.extend(par.connectives.iter().map(score_connective));
    children.extend(par.unforgeables.iter().map(score_unforgeable));
    children.push(flag(par.connective_used));
    node(999, children)
}

fn sorted(par: &Par) -> Par {
    let mut copy = par.clone();
    sort_par(&mut copy);
    copy
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn cmp_par_agrees_with_the_reference_score_trees(a in arb_par(), b in arb_par()) {
        let (a, b) = (sorted(&a), sorted(&b));
        let by_tree = cmp_tree(&score_par(&a), &score_par(&b));
        if by_tree != Ordering::Equal {
            prop_assert_eq!(cmp_par(&a, &b), by_tree);
        }
    }

    #[test]
    fn sorted_parts_are_in_score_tree_order(par in arb_par()) {
        let par = sorted(&par);
        let in_order = |trees: Vec<Tree>| trees.windows(2).all(|w| cmp_tree(&w[0], &w[1]) != Ordering::Greater);
        prop_assert!(in_order(par.exprs.iter().map(score_expr).collect()));
        prop_assert!(in_order(par.unforgeables.iter().map(score_unforgeable).collect()));
        let sends = par.sends.iter().map(|s| score_par(&Par { sends: vec![s.clone()], ..Par::default() })).collect();
        prop_assert!(in_order(sends));
    }
}
