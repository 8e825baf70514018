//! Property tests of the spatial matcher on random values: a pattern made
//! from a value by replacing parts of it with free variables and remainders
//! always matches it, and putting the bindings back into the pattern gives
//! the value again; concrete patterns match exactly the equal values; the
//! answer never depends on anything but the inputs.

use proptest::prelude::*;
use rho_host_abi::par::expr::ExprInstance;
use rho_host_abi::par::var::VarInstance;
use rho_host_abi::par::{EList, ESet, ETuple, EVar, Expr, Par, Send, Var};
use rho_host_abi::sort_par;
use rho_runtime::matcher::{MatchBudget, match_par, matches};

const BUDGET: u64 = 50_000_000;

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

fn free_var(n: i32) -> Var {
    Var {
        var_instance: Some(VarInstance::FreeVar(n)),
    }
}

fn free(n: i32) -> Expr {
    Expr {
        expr_instance: Some(ExprInstance::EVarBody(EVar {
            v: Some(free_var(n)),
        })),
    }
}

fn list(ps: Vec<Par>) -> Par {
    expr(ExprInstance::EListBody(EList {
        ps,
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

fn par(parts: Vec<Par>) -> Par {
    let mut out = Par::default();
    for part in parts {
        out.sends.extend(part.sends);
        out.exprs.extend(part.exprs);
    }
    sorted(out)
}

fn value() -> impl Strategy<Value = Par> {
    let leaf = prop_oneof![
        (-2i64..3).prop_map(|n| expr(ExprInstance::GInt(n))),
        prop::sample::select(vec!["a", "b"])
            .prop_map(|s| expr(ExprInstance::GString(s.to_owned()))),
        any::<bool>().prop_map(|b| expr(ExprInstance::GBool(b))),
        Just(Par::default()),
    ];
    leaf.prop_recursive(3, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(list),
            prop::collection::vec(inner.clone(), 1..3).prop_map(tuple),
            prop::collection::vec(inner.clone(), 0..4).prop_map(set),
            (inner.clone(), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(c, d)| send(c, d)),
            prop::collection::vec(inner, 2..4).prop_map(par),
        ]
    })
    .prop_map(sorted)
}

/// Turns a value into a pattern that matches it, following `choices`.
struct Mutator<'c> {
    choices: std::slice::Iter<'c, u8>,
    free_count: i32,
}

impl Mutator<'_> {
    fn choice(&mut self) -> u8 {
        self.choices.next().copied().unwrap_or(0) % 8
    }

    fn fresh(&mut self) -> i32 {
        self.free_count += 1;
        self.free_count - 1
    }

    fn par(&mut self, par: &Par) -> Par {
        match self.choice() {
            // The whole process becomes a variable.
            0 => Par {
                exprs: vec![free(self.fresh())],
                ..Par::default()
            },
            // One component becomes a variable that takes the leftovers.
            1 if par.sends.len() + par.exprs.len() >= 2 => {
                let mut out = self.components(par);
                if out.exprs.is_empty() {
                    out.sends.pop();
                } else {
                    out.exprs.remove(0);
                }
                out.exprs.push(free(self.fresh()));
                out
            }
            _ => self.components(par),
        }
    }

    fn components(&mut self, par: &Par) -> Par {
        let sends = par
            .sends
            .iter()
            .map(|s| Send {
                chan: s.chan.as_ref().map(|chan| self.par(chan)),
                data: s.data.iter().map(|d| self.par(d)).collect(),
                ..s.clone()
            })
            .collect();
        let exprs = par.exprs.iter().map(|e| self.expr(e)).collect();
        Par {
            sends,
            exprs,
            ..Par::default()
        }
    }

    fn expr(&mut self, expr: &Expr) -> Expr {
        let instance = match &expr.expr_instance {
            Some(ExprInstance::EListBody(l)) => {
                let mut ps: Vec<Par> = l.ps.iter().map(|p| self.par(p)).collect();
                let remainder = if self.choice() < 3 {
                    let keep = usize::from(self.choice()) % (ps.len() + 1);
                    ps.truncate(keep);
                    Some(free_var(self.fresh()))
                } else {
                    None
                };
                ExprInstance::EListBody(EList {
                    ps,
                    remainder,
                    ..EList::default()
                })
            }
            Some(ExprInstance::ETupleBody(t)) => ExprInstance::ETupleBody(ETuple {
                ps: t.ps.iter().map(|p| self.par(p)).collect(),
                ..ETuple::default()
            }),
            Some(ExprInstance::ESetBody(s)) => {
                let mut ps: Vec<Par> = s.ps.iter().map(|p| self.par(p)).collect();
                let remainder = if self.choice() < 3 {
                    let keep = usize::from(self.choice()) % (ps.len() + 1);
                    ps.truncate(keep);
                    Some(free_var(self.fresh()))
                } else {
                    None
                };
                ExprInstance::ESetBody(ESet {
                    ps,
                    remainder,
                    ..ESet::default()
                })
            }
            other => {
                return Expr {
                    expr_instance: other.clone(),
                };
            }
        };
        Expr {
            expr_instance: Some(instance),
        }
    }
}

/// Puts the bindings back into a pattern made by [`Mutator`].
fn substitute(pattern: &Par, bindings: &[Par]) -> Par {
    let mut out = Par::default();
    for s in &pattern.sends {
        out.sends.push(Send {
            chan: s.chan.as_ref().map(|chan| substitute(chan, bindings)),
            data: s.data.iter().map(|d| substitute(d, bindings)).collect(),
            ..s.clone()
        });
    }
    for e in &pattern.exprs {
        match &e.expr_instance {
            Some(ExprInstance::EVarBody(EVar {
                v:
                    Some(Var {
                        var_instance: Some(VarInstance::FreeVar(n)),
                    }),
            })) => {
                let bound =
                    &bindings[usize::try_from(*n).expect("free variables are numbered from 0")];
                out.sends.extend(bound.sends.iter().cloned());
                out.exprs.extend(bound.exprs.iter().cloned());
            }
            Some(ExprInstance::EListBody(l)) => {
                let mut ps: Vec<Par> = l.ps.iter().map(|p| substitute(p, bindings)).collect();
                ps.extend(rest_elements(l.remainder, bindings));
                out.exprs.push(Expr {
                    expr_instance: Some(ExprInstance::EListBody(EList {
                        ps,
                        ..EList::default()
                    })),
                });
            }
            Some(ExprInstance::ESetBody(s)) => {
                let mut ps: Vec<Par> = s.ps.iter().map(|p| substitute(p, bindings)).collect();
                ps.extend(rest_elements(s.remainder, bindings));
                out.exprs.push(Expr {
                    expr_instance: Some(ExprInstance::ESetBody(ESet {
                        ps,
                        ..ESet::default()
                    })),
                });
            }
            Some(ExprInstance::ETupleBody(t)) => {
                let ps = t.ps.iter().map(|p| substitute(p, bindings)).collect();
                out.exprs.push(Expr {
                    expr_instance: Some(ExprInstance::ETupleBody(ETuple {
                        ps,
                        ..ETuple::default()
                    })),
                });
            }
            _ => out.exprs.push(e.clone()),
        }
    }
    sorted(out)
}

/// The elements a list or set remainder was bound to.
fn rest_elements(remainder: Option<Var>, bindings: &[Par]) -> Vec<Par> {
    let Some(Var {
        var_instance: Some(VarInstance::FreeVar(n)),
    }) = remainder
    else {
        return Vec::new();
    };
    let bound = &bindings[usize::try_from(n).expect("free variables are numbered from 0")];
    match bound.exprs.first().and_then(|e| e.expr_instance.as_ref()) {
        Some(ExprInstance::EListBody(l)) => l.ps.clone(),
        Some(ExprInstance::ESetBody(s)) => s.ps.clone(),
        other => panic!("a remainder is bound to a list or set, not {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn patterns_made_from_a_value_match_it_and_give_it_back(
        target in value(),
        choices in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let mut mutator = Mutator { choices: choices.iter(), free_count: 0 };
        let pattern = sorted(mutator.par(&target));
        let free_count = usize::try_from(mutator.free_count).expect("non-negative");
        let mut budget = MatchBudget::new(BUDGET);
        let bindings = match_par(&target, &pattern, free_count, &mut budget)
            .expect("the budget suffices")
            .expect("the pattern was made from the target");
        prop_assert_eq!(bindings.len(), free_count);
        prop_assert_eq!(substitute(&pattern, &bindings), target.clone());
        // The same inputs give the same bindings.
        let again = match_par(&target, &pattern, free_count, &mut MatchBudget::new(BUDGET));
        prop_assert_eq!(again, Ok(Some(bindings)));
        prop_assert_eq!(matches(&target, &pattern, &mut MatchBudget::new(BUDGET)), Ok(true));
    }

    #[test]
    fn concrete_patterns_match_exactly_the_equal_values(a in value(), b in value()) {
        let mut budget = MatchBudget::new(BUDGET);
        prop_assert_eq!(match_par(&a, &a, 0, &mut budget), Ok(Some(vec![])));
        let expected = if a == b { Some(vec![]) } else { None };
        prop_assert_eq!(match_par(&a, &b, 0, &mut budget), Ok(expected));
    }

    #[test]
    fn the_budget_is_never_overspent(
        target in value(),
        choices in prop::collection::vec(any::<u8>(), 0..64),
        limit in 0u64..200,
    ) {
        let mut mutator = Mutator { choices: choices.iter(), free_count: 0 };
        let pattern = sorted(mutator.par(&target));
        let free_count = usize::try_from(mutator.free_count).expect("non-negative");
        let mut budget = MatchBudget::new(limit);
        let outcome = match_par(&target, &pattern, free_count, &mut budget);
        prop_assert!(budget.used() <= limit);
        if outcome.is_err() {
            prop_assert_eq!(budget.used(), limit);
        }
    }
}
