//! Facts about terms that decide how their values are built: whether a Par
//! mentions a variable, whether its value is a compile-time constant, and
//! whether evaluating it can fail.
//!
//! The answers for Pars are memoized by address (the program is borrowed,
//! immutable, for the whole of code generation), so asking again at every
//! nesting level stays linear overall. Every walk is guarded against deep
//! nesting with `stacker`.

use std::collections::HashMap;

use rho_host_abi::par::{
    Bundle, Connective, Expr, Match, New, Par, Receive, Send, connective::ConnectiveInstance,
    expr::ExprInstance,
};

use super::{RED_ZONE, STACK_SEGMENT};

/// Memoized facts about the Pars of one program.
#[derive(Default)]
pub(super) struct Analysis {
    has_var: HashMap<usize, bool>,
    ground: HashMap<usize, bool>,
}

fn address(par: &Par) -> usize {
    std::ptr::from_ref(par) as usize
}

/// How many parts of `par` are not expressions (sends, receives, news,
/// matches, unforgeables, bundles, connectives).
pub(super) fn non_expr_count(par: &Par) -> usize {
    par.sends.len()
        + par.receives.len()
        + par.news.len()
        + par.matches.len()
        + par.unforgeables.len()
        + par.bundles.len()
        + par.connectives.len()
}

/// Whether `expr` is a scalar literal whose value's Par form is the literal
/// itself (Bool, Int, String, Uri, ByteArray).
fn is_exact_scalar(expr: &Expr) -> bool {
    matches!(
        expr.expr_instance,
        Some(
            ExprInstance::GBool(_)
                | ExprInstance::GInt(_)
                | ExprInstance::GString(_)
                | ExprInstance::GUri(_)
                | ExprInstance::GByteArray(_)
        )
    )
}

impl Analysis {
    /// Whether a variable (bound, free, wildcard, `=x`, or a remainder)
    /// occurs anywhere in `par`.
    pub(super) fn has_var(&mut self, par: &Par) -> bool {
        if let Some(&known) = self.has_var.get(&address(par)) {
            return known;
        }
        let answer = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            self.non_expr_has_var(par) || par.exprs.iter().any(|expr| self.expr_has_var(expr))
        });
        self.has_var.insert(address(par), answer);
        answer
    }

    /// Whether a variable occurs in the parts of `par` that are not
    /// expressions.
    pub(super) fn non_expr_has_var(&mut self, par: &Par) -> bool {
        par.sends.iter().any(|send| self.send_has_var(send))
            || par
                .receives
                .iter()
                .any(|receive| self.receive_has_var(receive))
            || par.news.iter().any(|new| self.new_has_var(new))
            || par
                .matches
                .iter()
                .any(|matched| self.match_has_var(matched))
            || par.bundles.iter().any(|bundle| self.bundle_has_var(bundle))
            || par
                .connectives
                .iter()
                .any(|connective| self.connective_has_var(connective))
    }

    fn opt_has_var(&mut self, par: Option<&Par>) -> bool {
        par.is_some_and(|par| self.has_var(par))
    }

    fn send_has_var(&mut self, send: &Send) -> bool {
        self.opt_has_var(send.chan.as_ref()) || send.data.iter().any(|datum| self.has_var(datum))
    }

    fn receive_has_var(&mut self, receive: &Receive) -> bool {
        receive.binds.iter().any(|bind| {
            bind.remainder.is_some()
                || self.opt_has_var(bind.source.as_ref())
                || bind.patterns.iter().any(|pattern| self.has_var(pattern))
        }) || self.opt_has_var(receive.body.as_ref())
    }

    fn new_has_var(&mut self, new: &New) -> bool {
        self.opt_has_var(new.p.as_ref())
    }

    fn match_has_var(&mut self, matched: &Match) -> bool {
        self.opt_has_var(matched.target.as_ref())
            || matched.cases.iter().any(|case| {
                self.opt_has_var(case.pattern.as_ref()) || self.opt_has_var(case.source.as_ref())
            })
    }

    fn bundle_has_var(&mut self, bundle: &Bundle) -> bool {
        self.opt_has_var(bundle.body.as_ref())
    }

    fn connective_has_var(&mut self, connective: &Connective) -> bool {
        match &connective.connective_instance {
            Some(ConnectiveInstance::ConnAndBody(body) | ConnectiveInstance::ConnOrBody(body)) => {
                body.ps.iter().any(|par| self.has_var(par))
            }
            Some(ConnectiveInstance::ConnNotBody(par)) => self.has_var(par),
            Some(ConnectiveInstance::VarRefBody(_)) => true,
            _ => false,
        }
    }

    fn expr_has_var(&mut self, expr: &Expr) -> bool {
        use ExprInstance as E;
        let Some(instance) = &expr.expr_instance else {
            return false;
        };
        match instance {
            E::GBool(_)
            | E::GInt(_)
            | E::GBigInt(_)
            | E::GString(_)
            | E::GUri(_)
            | E::GByteArray(_) => false,
            E::EVarBody(_) => true,
            E::ENotBody(e) => self.opt_has_var(e.p.as_ref()),
            E::ENegBody(e) => self.opt_has_var(e.p.as_ref()),
            E::EMultBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EDivBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EModBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EPlusBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EMinusBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::ELtBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::ELteBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EGtBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EGteBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EEqBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::ENeqBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EAndBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EOrBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EShortAndBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EShortOrBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EPercentPercentBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EPlusPlusBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EMinusMinusBody(e) => self.pair_has_var(e.p1.as_ref(), e.p2.as_ref()),
            E::EMatchesBody(e) => self.pair_has_var(e.target.as_ref(), e.pattern.as_ref()),
            E::EListBody(list) => {
                list.remainder.is_some() || list.ps.iter().any(|par| self.has_var(par))
            }
            E::ETupleBody(tuple) => tuple.ps.iter().any(|par| self.has_var(par)),
            E::ESetBody(set) => {
                set.remainder.is_some() || set.ps.iter().any(|par| self.has_var(par))
            }
            E::EMapBody(map) => {
                map.remainder.is_some()
                    || map.kvs.iter().any(|kv| {
                        self.opt_has_var(kv.key.as_ref()) || self.opt_has_var(kv.value.as_ref())
                    })
            }
            E::EMethodBody(method) => {
                self.opt_has_var(method.target.as_ref())
                    || method.arguments.iter().any(|par| self.has_var(par))
            }
        }
    }

    fn pair_has_var(&mut self, first: Option<&Par>, second: Option<&Par>) -> bool {
        self.opt_has_var(first) || self.opt_has_var(second)
    }

    /// Whether the evaluator's value of `par` (as data) is exactly
    /// `Value::from_par(par)`, computed with no effect and no failure, so
    /// that it can be a pool constant.
    ///
    /// That holds when no variable occurs in `par` and evaluation changes
    /// nothing: a lone expression must be data (a literal, or a collection
    /// of such Pars); with several parts, every expression must be a scalar
    /// literal (a collection there would be rebuilt in canonical form, a
    /// set deduplicated, by the evaluator's merge).
    pub(super) fn is_ground(&mut self, par: &Par) -> bool {
        if let Some(&known) = self.ground.get(&address(par)) {
            return known;
        }
        let answer = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            if self.non_expr_has_var(par) {
                return false;
            }
            match (non_expr_count(par), par.exprs.as_slice()) {
                (0, [expr]) => self.is_ground_expr(expr),
                (_, exprs) => exprs.iter().all(is_exact_scalar),
            }
        });
        self.ground.insert(address(par), answer);
        answer
    }

    /// Whether `expr` is data: a literal, or a collection (without a
    /// remainder or connectives) of ground Pars.
    pub(super) fn is_ground_expr(&mut self, expr: &Expr) -> bool {
        use ExprInstance as E;
        let Some(instance) = &expr.expr_instance else {
            return false;
        };
        match instance {
            E::GBool(_)
            | E::GInt(_)
            | E::GBigInt(_)
            | E::GString(_)
            | E::GUri(_)
            | E::GByteArray(_) => true,
            E::EListBody(list) => {
                list.remainder.is_none()
                    && !list.connective_used
                    && list.ps.iter().all(|par| self.is_ground(par))
            }
            E::ETupleBody(tuple) => {
                !tuple.connective_used && tuple.ps.iter().all(|par| self.is_ground(par))
            }
            E::ESetBody(set) => {
                set.remainder.is_none()
                    && !set.connective_used
                    && set.ps.iter().all(|par| self.is_ground(par))
            }
            E::EMapBody(map) => {
                map.remainder.is_none()
                    && !map.connective_used
                    && map.kvs.iter().all(|kv| {
                        kv.key.as_ref().is_none_or(|key| self.is_ground(key))
                            && kv.value.as_ref().is_none_or(|value| self.is_ground(value))
                    })
            }
            _ => false,
        }
    }

    /// Whether evaluating `par` as data can raise a runtime error (other
    /// than running out of phlo): it has an operator, a method call or a
    /// `matches` at evaluation level (not inside a quoted send, receive,
    /// ...).
    pub(super) fn can_fail(&mut self, par: &Par) -> bool {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            par.exprs.iter().any(|expr| self.expr_can_fail(expr))
        })
    }

    fn expr_can_fail(&mut self, expr: &Expr) -> bool {
        use ExprInstance as E;
        let Some(instance) = &expr.expr_instance else {
            return false;
        };
        match instance {
            E::GBool(_)
            | E::GInt(_)
            | E::GBigInt(_)
            | E::GString(_)
            | E::GUri(_)
            | E::GByteArray(_)
            | E::EVarBody(_) => false,
            E::EListBody(list) => {
                list.remainder.is_some() || list.ps.iter().any(|par| self.can_fail(par))
            }
            E::ETupleBody(tuple) => tuple.ps.iter().any(|par| self.can_fail(par)),
            E::ESetBody(set) => {
                set.remainder.is_some() || set.ps.iter().any(|par| self.can_fail(par))
            }
            E::EMapBody(map) => {
                map.remainder.is_some()
                    || map.kvs.iter().any(|kv| {
                        kv.key.as_ref().is_some_and(|key| self.can_fail(key))
                            || kv.value.as_ref().is_some_and(|value| self.can_fail(value))
                    })
            }
            _ => true,
        }
    }

    /// Whether the value of channel `par` may be a bundle (whose access
    /// rights a send or receive must check).
    pub(super) fn may_be_bundle(&mut self, par: &Par) -> bool {
        if self.is_ground(par) {
            return par.bundles.len() == 1 && non_expr_count(par) == 1 && par.exprs.is_empty();
        }
        // A collection is never a bundle; anything else computed (a
        // variable, a method's result, a merge of parts) may be one.
        let collection = non_expr_count(par) == 0
            && matches!(
                par.exprs.as_slice(),
                [Expr {
                    expr_instance: Some(
                        ExprInstance::EListBody(_)
                            | ExprInstance::ETupleBody(_)
                            | ExprInstance::ESetBody(_)
                            | ExprInstance::EMapBody(_)
                    )
                }]
            );
        !collection
    }
}
