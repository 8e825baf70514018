//! Structural equality of terms, the way the reference compares a concrete
//! pattern with a target: every field that carries meaning is compared, the
//! cached metadata (`locally_free`, `connective_used`) is not.
//!
//! Both sides are assumed sorted (`rho_host_abi` canonical order), so the
//! components of a Par are compared position by position.

use rho_host_abi::par::connective::ConnectiveInstance;
use rho_host_abi::par::expr::ExprInstance;
use rho_host_abi::par::{
    Bundle, Connective, Expr, KeyValuePair, Match, MatchCase, New, Par, Receive, ReceiveBind, Send,
};

use super::budget::{MatchBudget, MatchError};
use super::view::{Items, ParView, par_or_nil};
use super::{RED_ZONE, STACK_SEGMENT};

type Outcome = Result<bool, MatchError>;

/// Whether the target components in `view` are exactly the pattern `par`.
pub(crate) fn view_eq_par(budget: &mut MatchBudget, view: &ParView<'_>, par: &Par) -> Outcome {
    Ok(par.connectives.is_empty() && components_eq(budget, view, par)?)
}

/// Whether two Pars are structurally equal.
pub(crate) fn par_eq(budget: &mut MatchBudget, a: &Par, b: &Par) -> Outcome {
    stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
        Ok(components_eq(budget, &ParView::whole(a), b)?
            && slices_eq(budget, &a.connectives, &b.connectives, connective_eq)?)
    })
}

fn components_eq(budget: &mut MatchBudget, view: &ParView<'_>, par: &Par) -> Outcome {
    budget.charge(1)?;
    Ok(items_eq(budget, &view.sends, &par.sends, send_eq)?
        && items_eq(budget, &view.receives, &par.receives, receive_eq)?
        && items_eq(budget, &view.news, &par.news, new_eq)?
        && items_eq(budget, &view.exprs, &par.exprs, expr_eq)?
        && items_eq(budget, &view.matches, &par.matches, match_eq)?
        && items_eq(
            budget,
            &view.unforgeables,
            &par.unforgeables,
            |budget, a, b| {
                budget.charge(1)?;
                Ok(a == b)
            },
        )?
        && items_eq(budget, &view.bundles, &par.bundles, bundle_eq)?)
}

fn connective_eq(budget: &mut MatchBudget, a: &Connective, b: &Connective) -> Outcome {
    use ConnectiveInstance::*;
    budget.charge(1)?;
    match (&a.connective_instance, &b.connective_instance) {
        (Some(ConnAndBody(x)), Some(ConnAndBody(y)))
        | (Some(ConnOrBody(x)), Some(ConnOrBody(y))) => slices_eq(budget, &x.ps, &y.ps, par_eq),
        (Some(ConnNotBody(x)), Some(ConnNotBody(y))) => par_eq(budget, x, y),
        // The other connectives hold no terms.
        (x, y) => Ok(x == y),
    }
}

/// Whether two optional Pars are equal, absence meaning Nil.
pub(crate) fn opt_par_eq(budget: &mut MatchBudget, a: Option<&Par>, b: Option<&Par>) -> Outcome {
    par_eq(budget, par_or_nil(a), par_or_nil(b))
}

/// Pairwise equality of two sequences of the same kind.
pub(crate) fn slices_eq<T>(
    budget: &mut MatchBudget,
    a: &[T],
    b: &[T],
    eq: impl Fn(&mut MatchBudget, &T, &T) -> Outcome,
) -> Outcome {
    items_eq(budget, &Items::Slice(a), b, eq)
}

fn items_eq<T>(
    budget: &mut MatchBudget,
    a: &Items<'_, T>,
    b: &[T],
    eq: impl Fn(&mut MatchBudget, &T, &T) -> Outcome,
) -> Outcome {
    if a.len() != b.len() {
        return Ok(false);
    }
    for (x, y) in a.iter().zip(b) {
        if !eq(budget, x, y)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn send_eq(budget: &mut MatchBudget, a: &Send, b: &Send) -> Outcome {
    budget.charge(1)?;
    Ok(a.persistent == b.persistent
        && opt_par_eq(budget, a.chan.as_ref(), b.chan.as_ref())?
        && slices_eq(budget, &a.data, &b.data, par_eq)?)
}

fn receive_eq(budget: &mut MatchBudget, a: &Receive, b: &Receive) -> Outcome {
    budget.charge(1)?;
    Ok(a.persistent == b.persistent
        && a.peek == b.peek
        && a.bind_count == b.bind_count
        && slices_eq(budget, &a.binds, &b.binds, bind_eq)?
        && opt_par_eq(budget, a.body.as_ref(), b.body.as_ref())?)
}

/// Equality of receive binds; also used by the matcher, which compares bind
/// patterns for equality.
pub(crate) fn bind_patterns_eq(
    budget: &mut MatchBudget,
    a: &ReceiveBind,
    b: &ReceiveBind,
) -> Outcome {
    Ok(a.free_count == b.free_count
        && a.remainder == b.remainder
        && slices_eq(budget, &a.patterns, &b.patterns, par_eq)?)
}

fn bind_eq(budget: &mut MatchBudget, a: &ReceiveBind, b: &ReceiveBind) -> Outcome {
    budget.charge(1)?;
    Ok(
        bind_patterns_eq(budget, a, b)?
            && opt_par_eq(budget, a.source.as_ref(), b.source.as_ref())?,
    )
}

/// Equality of everything in a `new` but its body.
pub(crate) fn new_header_eq(budget: &mut MatchBudget, a: &New, b: &New) -> Outcome {
    budget.charge(1)?;
    if a.bind_count != b.bind_count || a.uri != b.uri || a.injections.len() != b.injections.len() {
        return Ok(false);
    }
    for ((key_a, value_a), (key_b, value_b)) in a.injections.iter().zip(&b.injections) {
        if key_a != key_b || !par_eq(budget, value_a, value_b)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn new_eq(budget: &mut MatchBudget, a: &New, b: &New) -> Outcome {
    Ok(new_header_eq(budget, a, b)? && opt_par_eq(budget, a.p.as_ref(), b.p.as_ref())?)
}

fn match_eq(budget: &mut MatchBudget, a: &Match, b: &Match) -> Outcome {
    budget.charge(1)?;
    Ok(opt_par_eq(budget, a.target.as_ref(), b.target.as_ref())?
        && slices_eq(budget, &a.cases, &b.cases, case_eq)?)
}

fn case_eq(budget: &mut MatchBudget, a: &MatchCase, b: &MatchCase) -> Outcome {
    budget.charge(1)?;
    Ok(a.free_count == b.free_count
        && opt_par_eq(budget, a.pattern.as_ref(), b.pattern.as_ref())?
        && opt_par_eq(budget, a.source.as_ref(), b.source.as_ref())?)
}

fn bundle_eq(budget: &mut MatchBudget, a: &Bundle, b: &Bundle) -> Outcome {
    budget.charge(1)?;
    Ok(a.write_flag == b.write_flag
        && a.read_flag == b.read_flag
        && opt_par_eq(budget, a.body.as_ref(), b.body.as_ref())?)
}

fn kv_eq(budget: &mut MatchBudget, a: &KeyValuePair, b: &KeyValuePair) -> Outcome {
    Ok(opt_par_eq(budget, a.key.as_ref(), b.key.as_ref())?
        && opt_par_eq(budget, a.value.as_ref(), b.value.as_ref())?)
}

fn expr_eq(budget: &mut MatchBudget, a: &Expr, b: &Expr) -> Outcome {
    budget.charge(1)?;
    match (&a.expr_instance, &b.expr_instance) {
        (None, None) => Ok(true),
        (Some(x), Some(y)) => instance_eq(budget, x, y),
        _ => Ok(false),
    }
}

fn instance_eq(budget: &mut MatchBudget, x: &ExprInstance, y: &ExprInstance) -> Outcome {
    use ExprInstance::*;
    if std::mem::discriminant(x) != std::mem::discriminant(y) {
        return Ok(false);
    }
    if let (Some((x1, x2)), Some((y1, y2))) = (operands(x), operands(y)) {
        return Ok(opt_par_eq(budget, x1, y1)? && opt_par_eq(budget, x2, y2)?);
    }
    match (x, y) {
        (EListBody(a), EListBody(b)) => {
            Ok(a.remainder == b.remainder && slices_eq(budget, &a.ps, &b.ps, par_eq)?)
        }
        (ETupleBody(a), ETupleBody(b)) => slices_eq(budget, &a.ps, &b.ps, par_eq),
        (ESetBody(a), ESetBody(b)) => {
            Ok(a.remainder == b.remainder && slices_eq(budget, &a.ps, &b.ps, par_eq)?)
        }
        (EMapBody(a), EMapBody(b)) => {
            Ok(a.remainder == b.remainder && slices_eq(budget, &a.kvs, &b.kvs, kv_eq)?)
        }
        (EMethodBody(a), EMethodBody(b)) => Ok(a.method_name == b.method_name
            && opt_par_eq(budget, a.target.as_ref(), b.target.as_ref())?
            && slices_eq(budget, &a.arguments, &b.arguments, par_eq)?),
        (EMatchesBody(a), EMatchesBody(b)) => {
            Ok(opt_par_eq(budget, a.target.as_ref(), b.target.as_ref())?
                && opt_par_eq(budget, a.pattern.as_ref(), b.pattern.as_ref())?)
        }
        // Ground values and variables have no nested terms.
        _ => Ok(x == y),
    }
}

/// The operands of a unary or binary operator (a unary one has no second).
pub(crate) fn operands(instance: &ExprInstance) -> Option<(Option<&Par>, Option<&Par>)> {
    use ExprInstance::*;
    let pair = match instance {
        ENotBody(e) => (e.p.as_ref(), None),
        ENegBody(e) => (e.p.as_ref(), None),
        EMultBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EDivBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EModBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EPlusBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EMinusBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        ELtBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        ELteBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EGtBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EGteBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EEqBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        ENeqBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EAndBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EOrBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EShortAndBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EShortOrBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EPercentPercentBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EPlusPlusBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        EMinusMinusBody(e) => (e.p1.as_ref(), e.p2.as_ref()),
        GBool(_) | GInt(_) | GBigInt(_) | GString(_) | GUri(_) | GByteArray(_) | EVarBody(_)
        | EListBody(_) | ETupleBody(_) | ESetBody(_) | EMapBody(_) | EMethodBody(_)
        | EMatchesBody(_) => return None,
    };
    Some(pair)
}
