//! Builders and proptest generators of Pars shared by the integration tests.

#![allow(dead_code)]

use proptest::collection::vec;
use proptest::prelude::*;
use rho_host_abi::par::{
    Bundle, Connective, ConnectiveBody, EList, EMap, EMethod, ENeg, ENot, EPlus, ESet, ETuple,
    EVar, Expr, GDeployId, GPrivate, GUnforgeable, KeyValuePair, Match, MatchCase, New, Par,
    Receive, ReceiveBind, Send, Var, connective::ConnectiveInstance, expr::ExprInstance,
    g_unforgeable::UnfInstance, var::VarInstance,
};

pub fn expr(instance: ExprInstance) -> Par {
    Par {
        exprs: vec![Expr {
            expr_instance: Some(instance),
        }],
        ..Par::default()
    }
}

pub fn int(value: i64) -> Par {
    expr(ExprInstance::GInt(value))
}

pub fn boolean(value: bool) -> Par {
    expr(ExprInstance::GBool(value))
}

pub fn string(value: &str) -> Par {
    expr(ExprInstance::GString(value.to_owned()))
}

pub fn uri(value: &str) -> Par {
    expr(ExprInstance::GUri(value.to_owned()))
}

pub fn list(ps: Vec<Par>) -> Par {
    expr(ExprInstance::EListBody(EList {
        ps,
        ..EList::default()
    }))
}

pub fn tuple(ps: Vec<Par>) -> Par {
    expr(ExprInstance::ETupleBody(ETuple {
        ps,
        ..ETuple::default()
    }))
}

pub fn set(ps: Vec<Par>) -> Par {
    expr(ExprInstance::ESetBody(ESet {
        ps,
        ..ESet::default()
    }))
}

pub fn map(entries: Vec<(Par, Par)>) -> Par {
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

pub fn var(instance: VarInstance) -> Var {
    Var {
        var_instance: Some(instance),
    }
}

pub fn bound(level: i32) -> Par {
    expr(ExprInstance::EVarBody(EVar {
        v: Some(var(VarInstance::BoundVar(level))),
    }))
}

pub fn free(level: i32) -> Par {
    expr(ExprInstance::EVarBody(EVar {
        v: Some(var(VarInstance::FreeVar(level))),
    }))
}

pub fn wildcard() -> Par {
    expr(ExprInstance::EVarBody(EVar {
        v: Some(var(VarInstance::Wildcard(Default::default()))),
    }))
}

pub fn private(id: &[u8]) -> Par {
    Par {
        unforgeables: vec![GUnforgeable {
            unf_instance: Some(UnfInstance::GPrivateBody(GPrivate { id: id.to_vec() })),
        }],
        ..Par::default()
    }
}

pub fn send(chan: Par, data: Vec<Par>) -> Par {
    Par {
        sends: vec![Send {
            chan: Some(chan),
            data,
            ..Send::default()
        }],
        ..Par::default()
    }
}

pub fn receive(binds: Vec<(Vec<Par>, Par, i32)>, body: Par) -> Par {
    let bind_count = binds.iter().map(|(_, _, free_count)| free_count).sum();
    let binds = binds
        .into_iter()
        .map(|(patterns, source, free_count)| ReceiveBind {
            patterns,
            source: Some(source),
            remainder: None,
            free_count,
        })
        .collect();
    Par {
        receives: vec![Receive {
            binds,
            body: Some(body),
            bind_count,
            ..Receive::default()
        }],
        ..Par::default()
    }
}

pub fn new(bind_count: i32, uris: &[&str], body: Par) -> Par {
    Par {
        news: vec![New {
            bind_count,
            p: Some(body),
            uri: uris.iter().map(|uri| uri.to_string()).collect(),
            ..New::default()
        }],
        ..Par::default()
    }
}

pub fn matcher(target: Par, cases: Vec<(Par, Par, i32)>) -> Par {
    let cases = cases
        .into_iter()
        .map(|(pattern, source, free_count)| MatchCase {
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

pub fn bundle(body: Par, write_flag: bool, read_flag: bool) -> Par {
    Par {
        bundles: vec![Bundle {
            body: Some(body),
            write_flag,
            read_flag,
        }],
        ..Par::default()
    }
}

pub fn plus(p1: Par, p2: Par) -> Par {
    expr(ExprInstance::EPlusBody(EPlus {
        p1: Some(p1),
        p2: Some(p2),
    }))
}

pub fn neg(p: Par) -> Par {
    expr(ExprInstance::ENegBody(ENeg { p: Some(p) }))
}

pub fn method(target: Par, name: &str, arguments: Vec<Par>) -> Par {
    expr(ExprInstance::EMethodBody(EMethod {
        method_name: name.to_owned(),
        target: Some(target),
        arguments,
        ..EMethod::default()
    }))
}

/// The parallel composition of the parts of several Pars.
pub fn par_of(parts: Vec<Par>) -> Par {
    let mut all = Par::default();
    for part in parts {
        all.sends.extend(part.sends);
        all.receives.extend(part.receives);
        all.news.extend(part.news);
        all.exprs.extend(part.exprs);
        all.matches.extend(part.matches);
        all.unforgeables.extend(part.unforgeables);
        all.bundles.extend(part.bundles);
        all.connectives.extend(part.connectives);
    }
    all
}

fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-c]{0,3}",
        "[A-Za-z0-9 ]{0,6}",
        // Characters whose UTF-16 and code point orders differ.
        proptest::sample::select(vec!["\u{FF61}", "\u{1F600}", "é", "Beta", "alpha"])
            .prop_map(str::to_owned),
    ]
}

fn arb_var() -> impl Strategy<Value = Var> {
    prop_oneof![
        (0..4i32).prop_map(|level| var(VarInstance::BoundVar(level))),
        (0..4i32).prop_map(|level| var(VarInstance::FreeVar(level))),
        Just(var(VarInstance::Wildcard(Default::default()))),
    ]
}

fn arb_unforgeable() -> impl Strategy<Value = Par> {
    prop_oneof![
        vec(any::<u8>(), 0..4).prop_map(|id| private(&id)),
        vec(any::<u8>(), 0..4).prop_map(|sig| Par {
            unforgeables: vec![GUnforgeable {
                unf_instance: Some(UnfInstance::GDeployIdBody(GDeployId { sig })),
            }],
            ..Par::default()
        }),
    ]
}

fn arb_leaf() -> impl Strategy<Value = Par> {
    prop_oneof![
        Just(Par::default()),
        any::<bool>().prop_map(boolean),
        prop_oneof![-3..4i64, any::<i64>()].prop_map(int),
        arb_string().prop_map(|s| string(&s)),
        arb_string().prop_map(|s| uri(&s)),
        vec(any::<u8>(), 0..4).prop_map(|bytes| expr(ExprInstance::GByteArray(bytes))),
        vec(any::<u8>(), 0..3).prop_map(|bytes| expr(ExprInstance::GBigInt(bytes))),
        arb_var().prop_map(|v| expr(ExprInstance::EVarBody(EVar { v: Some(v) }))),
        arb_unforgeable(),
        any::<bool>().prop_map(|flag| Par {
            connectives: vec![Connective {
                connective_instance: Some(if flag {
                    ConnectiveInstance::ConnInt(true)
                } else {
                    ConnectiveInstance::ConnString(true)
                }),
            }],
            ..Par::default()
        }),
    ]
}

/// Arbitrary Pars of every kind, a few levels deep, with duplicates likely
/// (small value ranges), so that sorting, deduplication and ties matter.
pub fn arb_par() -> impl Strategy<Value = Par> {
    arb_leaf().prop_recursive(4, 48, 4, |inner| {
        let pars = move |max: usize| vec(inner.clone(), 0..max);
        prop_oneof![
            pars(4).prop_map(par_of),
            pars(4).prop_map(list),
            pars(3).prop_map(tuple),
            pars(4).prop_map(set),
            vec((pars(1), pars(1)), 0..4).prop_map(|entries| {
                map(entries
                    .into_iter()
                    .map(|(k, v)| (par_of(k), par_of(v)))
                    .collect())
            }),
            (pars(2), pars(3), any::<bool>()).prop_map(|(chan, data, persistent)| Par {
                sends: vec![Send {
                    chan: Some(par_of(chan)),
                    data,
                    persistent,
                    ..Send::default()
                }],
                ..Par::default()
            }),
            (pars(2), pars(2), pars(2), any::<bool>(), any::<bool>()).prop_map(
                |(patterns, source, body, persistent, peek)| Par {
                    receives: vec![Receive {
                        binds: vec![ReceiveBind {
                            patterns,
                            source: Some(par_of(source)),
                            remainder: None,
                            free_count: 1,
                        }],
                        body: Some(par_of(body)),
                        persistent,
                        peek,
                        bind_count: 1,
                        ..Receive::default()
                    }],
                    ..Par::default()
                }
            ),
            (0..3i32, pars(2), proptest::option::of(arb_string())).prop_map(
                |(count, body, uri)| {
                    let uris: Vec<String> = uri.into_iter().collect();
                    Par {
                        news: vec![New {
                            bind_count: count + uris.len() as i32,
                            p: Some(par_of(body)),
                            uri: uris,
                            ..New::default()
                        }],
                        ..Par::default()
                    }
                }
            ),
            (pars(2), vec((pars(1), pars(2)), 1..3)).prop_map(|(target, cases)| {
                matcher(
                    par_of(target),
                    cases
                        .into_iter()
                        .map(|(p, s)| (par_of(p), par_of(s), 0))
                        .collect(),
                )
            }),
            (pars(2), any::<bool>(), any::<bool>()).prop_map(|(body, write, read)| bundle(
                par_of(body),
                write,
                read
            )),
            (pars(2), pars(2)).prop_map(|(a, b)| plus(par_of(a), par_of(b))),
            pars(2).prop_map(|p| expr(ExprInstance::ENotBody(ENot { p: Some(par_of(p)) }))),
            (pars(2), pars(2)).prop_map(|(target, args)| method(par_of(target), "nth", args)),
            pars(3).prop_map(|ps| Par {
                connectives: vec![Connective {
                    connective_instance: Some(ConnectiveInstance::ConnOrBody(ConnectiveBody {
                        ps
                    })),
                }],
                ..Par::default()
            }),
        ]
    })
}

/// Reverses every reorderable list at every depth: the parts of each Par,
/// set elements, map entries (the reference's sets and maps are unordered,
/// and `|` is commutative).
pub fn reverse_unordered(par: &mut Par) {
    par.sends.reverse();
    par.receives.reverse();
    par.news.reverse();
    par.exprs.reverse();
    par.matches.reverse();
    par.unforgeables.reverse();
    par.bundles.reverse();
    par.connectives.reverse();
    for send in &mut par.sends {
        send.chan.iter_mut().for_each(reverse_unordered);
        send.data.iter_mut().for_each(reverse_unordered);
    }
    for receive in &mut par.receives {
        for bind in &mut receive.binds {
            bind.patterns.iter_mut().for_each(reverse_unordered);
            bind.source.iter_mut().for_each(reverse_unordered);
        }
        receive.body.iter_mut().for_each(reverse_unordered);
    }
    for new in &mut par.news {
        new.p.iter_mut().for_each(reverse_unordered);
    }
    for matcher in &mut par.matches {
        matcher.target.iter_mut().for_each(reverse_unordered);
        for case in &mut matcher.cases {
            case.pattern.iter_mut().for_each(reverse_unordered);
            case.source.iter_mut().for_each(reverse_unordered);
        }
    }
    for bundle in &mut par.bundles {
        bundle.body.iter_mut().for_each(reverse_unordered);
    }
    for connective in &mut par.connectives {
        if let Some(ConnectiveInstance::ConnOrBody(body)) = &mut connective.connective_instance {
            body.ps.iter_mut().for_each(reverse_unordered);
        }
    }
    for expr in &mut par.exprs {
        match &mut expr.expr_instance {
            Some(ExprInstance::EListBody(e)) => e.ps.iter_mut().for_each(reverse_unordered),
            Some(ExprInstance::ETupleBody(e)) => e.ps.iter_mut().for_each(reverse_unordered),
            Some(ExprInstance::ESetBody(e)) => {
                e.ps.reverse();
                e.ps.iter_mut().for_each(reverse_unordered);
            }
            Some(ExprInstance::EMapBody(e)) => {
                e.kvs.reverse();
                for entry in &mut e.kvs {
                    entry.key.iter_mut().for_each(reverse_unordered);
                    entry.value.iter_mut().for_each(reverse_unordered);
                }
            }
            Some(ExprInstance::EPlusBody(e)) => {
                e.p1.iter_mut().for_each(reverse_unordered);
                e.p2.iter_mut().for_each(reverse_unordered);
            }
            Some(ExprInstance::ENotBody(e)) => e.p.iter_mut().for_each(reverse_unordered),
            Some(ExprInstance::EMethodBody(e)) => {
                e.target.iter_mut().for_each(reverse_unordered);
                e.arguments.iter_mut().for_each(reverse_unordered);
            }
            _ => {}
        }
    }
}

/// Runs a test body on a thread with the main thread's usual 8 MiB stack.
pub fn on_main_sized_stack(body: impl FnOnce() + std::marker::Send + 'static) {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(body)
        .expect("spawn test thread")
        .join()
        .expect("test thread panicked");
}
