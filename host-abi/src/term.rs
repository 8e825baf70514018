//! The [`Term`] trait: the messages of the Par data model that can be
//! encoded and keyed safely however deeply they are nested.

use crate::par::{
    Bundle, Connective, Expr, GUnforgeable, KeyValuePair, Match, MatchCase, New, Par, Receive,
    ReceiveBind, Send, Var, connective::ConnectiveInstance, expr::ExprInstance, var::VarInstance,
};
use crate::stack;
use crate::wire::Encode;

/// A message of the Par data model: [`crate::encode::encode_term`] and
/// [`crate::source_map::term_key`] take any of them.
///
/// The trait is sealed: it is implemented for the data model's messages
/// only.
///
/// The derived `Clone`, `PartialEq`, `Hash`, `Debug` and `Drop` of the
/// generated types recurse once per nested message too, without checks. In
/// release builds `Clone` and `PartialEq` need about 650 bytes of stack per
/// message, so on an 8 MiB stack they overflow at about 12,000 nested
/// messages (4,000 nested lists); `Drop` and `Hash` use less. For values
/// that may be that deep, use [`Term::clone_deep`], [`Term::eq_deep`] and
/// [`Term::drop_deep`], which first move to a large enough stack.
pub trait Term: Encode + prost::Message + Default + Clone + PartialEq + Sized {
    /// How many protobuf messages deep this term is: 1 for a message with
    /// no message fields, 1 + the deepest field otherwise.
    ///
    /// Computed by a walk that cannot overflow the stack.
    fn nesting_depth(&self) -> usize;

    /// `Clone::clone`, on a stack large enough for any depth.
    fn clone_deep(&self) -> Self {
        stack::with_stack_for_depth(self.nesting_depth(), || self.clone())
    }

    /// `PartialEq::eq`, on a stack large enough for any depth.
    fn eq_deep(&self, other: &Self) -> bool {
        let depth = self.nesting_depth().min(other.nesting_depth());
        stack::with_stack_for_depth(depth, || self == other)
    }

    /// Drops the term on a stack large enough for any depth.
    fn drop_deep(self) {
        stack::drop_deep(self);
    }
}

macro_rules! impl_term {
    ($($ty:ty => $depth:ident),* $(,)?) => {
        $(impl Term for $ty {
            fn nesting_depth(&self) -> usize {
                $depth(self)
            }
        })*
    };
}

impl_term! {
    Par => par_depth,
    Send => send_depth,
    Receive => receive_depth,
    ReceiveBind => bind_depth,
    New => new_depth,
    Expr => expr_depth,
    Match => match_depth,
    MatchCase => case_depth,
    Bundle => bundle_depth,
    Connective => connective_depth,
    GUnforgeable => unforgeable_depth,
    KeyValuePair => entry_depth,
    Var => var_depth,
}

fn deepest<T>(items: &[T], depth: impl Fn(&T) -> usize) -> usize {
    items.iter().map(depth).max().unwrap_or(0)
}

fn opt_par_depth(par: &Option<Par>) -> usize {
    par.as_ref().map_or(0, par_depth)
}

fn opt_var_depth(var: &Option<Var>) -> usize {
    var.as_ref().map_or(0, var_depth)
}

fn pars_depth(pars: &[Par]) -> usize {
    deepest(pars, par_depth)
}

fn par_depth(par: &Par) -> usize {
    stack::guarded(|| {
        1 + [
            deepest(&par.sends, send_depth),
            deepest(&par.receives, receive_depth),
            deepest(&par.news, new_depth),
            deepest(&par.exprs, expr_depth),
            deepest(&par.matches, match_depth),
            deepest(&par.unforgeables, unforgeable_depth),
            deepest(&par.bundles, bundle_depth),
            deepest(&par.connectives, connective_depth),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    })
}

fn send_depth(send: &Send) -> usize {
    1 + opt_par_depth(&send.chan).max(pars_depth(&send.data))
}

fn receive_depth(receive: &Receive) -> usize {
    1 + deepest(&receive.binds, bind_depth).max(opt_par_depth(&receive.body))
}

fn bind_depth(bind: &ReceiveBind) -> usize {
    1 + pars_depth(&bind.patterns)
        .max(opt_par_depth(&bind.source))
        .max(opt_var_depth(&bind.remainder))
}

fn new_depth(new: &New) -> usize {
    // Each map entry is a message of its own.
    let injections = new
        .injections
        .values()
        .map(|value| 1 + par_depth(value))
        .max()
        .unwrap_or(0);
    1 + opt_par_depth(&new.p).max(injections)
}

fn match_depth(matcher: &Match) -> usize {
    1 + opt_par_depth(&matcher.target).max(deepest(&matcher.cases, case_depth))
}

fn case_depth(case: &MatchCase) -> usize {
    1 + opt_par_depth(&case.pattern).max(opt_par_depth(&case.source))
}

fn bundle_depth(bundle: &Bundle) -> usize {
    1 + opt_par_depth(&bundle.body)
}

fn connective_depth(connective: &Connective) -> usize {
    let body = match &connective.connective_instance {
        Some(ConnectiveInstance::ConnAndBody(body) | ConnectiveInstance::ConnOrBody(body)) => {
            1 + pars_depth(&body.ps)
        }
        Some(ConnectiveInstance::ConnNotBody(par)) => par_depth(par),
        Some(ConnectiveInstance::VarRefBody(_)) => 1,
        _ => 0,
    };
    1 + body
}

fn unforgeable_depth(unforgeable: &GUnforgeable) -> usize {
    1 + usize::from(unforgeable.unf_instance.is_some())
}

fn entry_depth(entry: &KeyValuePair) -> usize {
    1 + opt_par_depth(&entry.key).max(opt_par_depth(&entry.value))
}

fn var_depth(var: &Var) -> usize {
    1 + usize::from(matches!(var.var_instance, Some(VarInstance::Wildcard(_))))
}

fn expr_depth(expr: &Expr) -> usize {
    use ExprInstance as E;
    let two = |p1: &Option<Par>, p2: &Option<Par>| 1 + opt_par_depth(p1).max(opt_par_depth(p2));
    let body = match &expr.expr_instance {
        None
        | Some(
            E::GBool(_)
            | E::GInt(_)
            | E::GBigInt(_)
            | E::GString(_)
            | E::GUri(_)
            | E::GByteArray(_),
        ) => 0,
        Some(E::ENotBody(e)) => 1 + opt_par_depth(&e.p),
        Some(E::ENegBody(e)) => 1 + opt_par_depth(&e.p),
        Some(E::EMultBody(e)) => two(&e.p1, &e.p2),
        Some(E::EDivBody(e)) => two(&e.p1, &e.p2),
        Some(E::EModBody(e)) => two(&e.p1, &e.p2),
        Some(E::EPlusBody(e)) => two(&e.p1, &e.p2),
        Some(E::EMinusBody(e)) => two(&e.p1, &e.p2),
        Some(E::ELtBody(e)) => two(&e.p1, &e.p2),
        Some(E::ELteBody(e)) => two(&e.p1, &e.p2),
        Some(E::EGtBody(e)) => two(&e.p1, &e.p2),
        Some(E::EGteBody(e)) => two(&e.p1, &e.p2),
        Some(E::EEqBody(e)) => two(&e.p1, &e.p2),
        Some(E::ENeqBody(e)) => two(&e.p1, &e.p2),
        Some(E::EAndBody(e)) => two(&e.p1, &e.p2),
        Some(E::EOrBody(e)) => two(&e.p1, &e.p2),
        Some(E::EShortAndBody(e)) => two(&e.p1, &e.p2),
        Some(E::EShortOrBody(e)) => two(&e.p1, &e.p2),
        Some(E::EPercentPercentBody(e)) => two(&e.p1, &e.p2),
        Some(E::EPlusPlusBody(e)) => two(&e.p1, &e.p2),
        Some(E::EMinusMinusBody(e)) => two(&e.p1, &e.p2),
        Some(E::EMatchesBody(e)) => two(&e.target, &e.pattern),
        Some(E::EVarBody(e)) => 1 + opt_var_depth(&e.v),
        Some(E::EListBody(list)) => 1 + pars_depth(&list.ps).max(opt_var_depth(&list.remainder)),
        Some(E::ETupleBody(tuple)) => 1 + pars_depth(&tuple.ps),
        Some(E::ESetBody(set)) => 1 + pars_depth(&set.ps).max(opt_var_depth(&set.remainder)),
        Some(E::EMapBody(map)) => {
            1 + deepest(&map.kvs, entry_depth).max(opt_var_depth(&map.remainder))
        }
        Some(E::EMethodBody(method)) => {
            1 + opt_par_depth(&method.target).max(pars_depth(&method.arguments))
        }
    };
    1 + body
}
