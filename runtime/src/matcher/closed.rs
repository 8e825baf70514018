//! Whether a target component can be captured: it must not refer to a bound
//! variable whose binder lies outside it (the reference's
//! `locallyFree(term, 0).isEmpty`).
//!
//! The cached `locally_free` fields are not trusted; the check walks the
//! term. Binders: `new` (its body), `for` (its body, by its bind count) and
//! `match` cases (the case body, by the case's free count). Patterns of
//! receive binds and match cases are scopes of their own, so their bound
//! variables are checked from depth 0. A `VarRef` (`=x`) inside a nested
//! pattern is not counted as a reference.

use rho_host_abi::par::connective::ConnectiveInstance;
use rho_host_abi::par::expr::ExprInstance;
use rho_host_abi::par::var::VarInstance;
use rho_host_abi::par::{
    Bundle, Connective, Expr, KeyValuePair, Match, New, Par, Receive, ReceiveBind, Send, Var,
};

use super::budget::{MatchBudget, MatchError};
use super::equality::operands;
use super::{RED_ZONE, STACK_SEGMENT};

type Outcome = Result<bool, MatchError>;

/// Whether `par` is closed.
pub(crate) fn par_is_closed(budget: &mut MatchBudget, par: &Par) -> Outcome {
    par_closed(budget, par, 0)
}

pub(crate) fn send_is_closed(budget: &mut MatchBudget, send: &Send) -> Outcome {
    send_closed(budget, send, 0)
}

pub(crate) fn receive_is_closed(budget: &mut MatchBudget, receive: &Receive) -> Outcome {
    receive_closed(budget, receive, 0)
}

pub(crate) fn new_is_closed(budget: &mut MatchBudget, new: &New) -> Outcome {
    new_closed(budget, new, 0)
}

pub(crate) fn expr_is_closed(budget: &mut MatchBudget, expr: &Expr) -> Outcome {
    expr_closed(budget, expr, 0)
}

pub(crate) fn match_is_closed(budget: &mut MatchBudget, matcher: &Match) -> Outcome {
    match_closed(budget, matcher, 0)
}

pub(crate) fn bundle_is_closed(budget: &mut MatchBudget, bundle: &Bundle) -> Outcome {
    bundle_closed(budget, bundle, 0)
}

pub(crate) fn bind_is_closed(budget: &mut MatchBudget, bind: &ReceiveBind) -> Outcome {
    bind_closed(budget, bind, 0)
}

pub(crate) fn kv_is_closed(budget: &mut MatchBudget, kv: &KeyValuePair) -> Outcome {
    Ok(opt_closed(budget, kv.key.as_ref(), 0)? && opt_closed(budget, kv.value.as_ref(), 0)?)
}

fn deeper(depth: u64, binders: i32) -> u64 {
    depth.saturating_add(u64::try_from(binders).unwrap_or(0))
}

fn all_closed<T>(
    budget: &mut MatchBudget,
    items: &[T],
    depth: u64,
    closed: impl Fn(&mut MatchBudget, &T, u64) -> Outcome,
) -> Outcome {
    for item in items {
        if !closed(budget, item, depth)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn opt_closed(budget: &mut MatchBudget, par: Option<&Par>, depth: u64) -> Outcome {
    match par {
        Some(par) => par_closed(budget, par, depth),
        None => Ok(true),
    }
}

fn par_closed(budget: &mut MatchBudget, par: &Par, depth: u64) -> Outcome {
    stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
        budget.charge(1)?;
        Ok(all_closed(budget, &par.sends, depth, send_closed)?
            && all_closed(budget, &par.receives, depth, receive_closed)?
            && all_closed(budget, &par.news, depth, new_closed)?
            && all_closed(budget, &par.exprs, depth, expr_closed)?
            && all_closed(budget, &par.matches, depth, match_closed)?
            && all_closed(budget, &par.bundles, depth, bundle_closed)?
            && all_closed(budget, &par.connectives, depth, connective_closed)?)
    })
}

fn send_closed(budget: &mut MatchBudget, send: &Send, depth: u64) -> Outcome {
    budget.charge(1)?;
    Ok(opt_closed(budget, send.chan.as_ref(), depth)?
        && all_closed(budget, &send.data, depth, par_closed)?)
}

fn receive_closed(budget: &mut MatchBudget, receive: &Receive, depth: u64) -> Outcome {
    budget.charge(1)?;
    Ok(all_closed(budget, &receive.binds, depth, bind_closed)?
        && opt_closed(
            budget,
            receive.body.as_ref(),
            deeper(depth, receive.bind_count),
        )?)
}

fn bind_closed(budget: &mut MatchBudget, bind: &ReceiveBind, depth: u64) -> Outcome {
    budget.charge(1)?;
    Ok(all_closed(budget, &bind.patterns, 0, par_closed)?
        && opt_closed(budget, bind.source.as_ref(), depth)?)
}

fn new_closed(budget: &mut MatchBudget, new: &New, depth: u64) -> Outcome {
    budget.charge(1)?;
    for value in new.injections.values() {
        if !par_closed(budget, value, depth)? {
            return Ok(false);
        }
    }
    opt_closed(budget, new.p.as_ref(), deeper(depth, new.bind_count))
}

fn match_closed(budget: &mut MatchBudget, matcher: &Match, depth: u64) -> Outcome {
    budget.charge(1)?;
    if !opt_closed(budget, matcher.target.as_ref(), depth)? {
        return Ok(false);
    }
    for case in &matcher.cases {
        if !opt_closed(budget, case.pattern.as_ref(), 0)?
            || !opt_closed(budget, case.source.as_ref(), deeper(depth, case.free_count))?
        {
            return Ok(false);
        }
    }
    Ok(true)
}

fn bundle_closed(budget: &mut MatchBudget, bundle: &Bundle, depth: u64) -> Outcome {
    budget.charge(1)?;
    opt_closed(budget, bundle.body.as_ref(), depth)
}

fn connective_closed(budget: &mut MatchBudget, connective: &Connective, depth: u64) -> Outcome {
    budget.charge(1)?;
    match &connective.connective_instance {
        Some(ConnectiveInstance::ConnAndBody(body))
        | Some(ConnectiveInstance::ConnOrBody(body)) => {
            all_closed(budget, &body.ps, depth, par_closed)
        }
        Some(ConnectiveInstance::ConnNotBody(par)) => par_closed(budget, par, depth),
        _ => Ok(true),
    }
}

fn var_closed(var: Option<&Var>, depth: u64) -> bool {
    match var.and_then(|var| var.var_instance) {
        Some(VarInstance::BoundVar(index)) => u64::try_from(index).is_ok_and(|index| index < depth),
        _ => true,
    }
}

fn kv_closed(budget: &mut MatchBudget, kv: &KeyValuePair, depth: u64) -> Outcome {
    Ok(
        opt_closed(budget, kv.key.as_ref(), depth)?
            && opt_closed(budget, kv.value.as_ref(), depth)?,
    )
}

fn expr_closed(budget: &mut MatchBudget, expr: &Expr, depth: u64) -> Outcome {
    use ExprInstance::*;
    budget.charge(1)?;
    let Some(instance) = &expr.expr_instance else {
        return Ok(true);
    };
    if let Some((first, second)) = operands(instance) {
        return Ok(opt_closed(budget, first, depth)? && opt_closed(budget, second, depth)?);
    }
    match instance {
        EVarBody(e) => Ok(var_closed(e.v.as_ref(), depth)),
        EListBody(e) => Ok(var_closed(e.remainder.as_ref(), depth)
            && all_closed(budget, &e.ps, depth, par_closed)?),
        ETupleBody(e) => all_closed(budget, &e.ps, depth, par_closed),
        ESetBody(e) => Ok(var_closed(e.remainder.as_ref(), depth)
            && all_closed(budget, &e.ps, depth, par_closed)?),
        EMapBody(e) => Ok(var_closed(e.remainder.as_ref(), depth)
            && all_closed(budget, &e.kvs, depth, kv_closed)?),
        EMethodBody(e) => Ok(opt_closed(budget, e.target.as_ref(), depth)?
            && all_closed(budget, &e.arguments, depth, par_closed)?),
        EMatchesBody(e) => Ok(opt_closed(budget, e.target.as_ref(), depth)?
            && opt_closed(budget, e.pattern.as_ref(), 0)?),
        _ => Ok(true),
    }
}
