//! Pars under construction, with the reference's bookkeeping.
//!
//! Adding a part to a Par also updates the Par's `locally_free` set and
//! `connective_used` flag the way the reference's `prepend` methods do
//! (`models/.../rholang/implicits.scala`), and the order-free fingerprint
//! of its parts.
//!
//! One deliberate difference: the reference's `prepend(Connective, depth)`
//! *replaces* the Par's `locallyFree` with the connective's, dropping what
//! the other parts contributed. Here the sets are united, as for every
//! other kind of part; the newer reference models compute it that way too.

use rho_host_abi::par::{
    Bundle, Connective, Expr, Match, New, Par, Receive, Send, connective::ConnectiveInstance,
    expr::ExprInstance, var::VarInstance,
};

use super::bits;
use super::fingerprint::{self, Fp};

/// A Par being built, with the fingerprint sum of its parts.
#[derive(Debug, Default)]
pub(super) struct Built {
    pub(super) par: Par,
    parts: u64,
}

impl Built {
    /// The fingerprint of the Par as built so far.
    pub(super) fn fp(&self) -> Fp {
        fingerprint::par(self.parts)
    }

    fn add(&mut self, fp: Fp, locally_free: &[u8], connective_used: bool) {
        self.parts = fingerprint::add_part(self.parts, fp);
        bits::union_into(&mut self.par.locally_free, locally_free);
        self.par.connective_used |= connective_used;
    }

    pub(super) fn push_send(&mut self, send: Send, fp: Fp) {
        self.add(fp, &send.locally_free, send.connective_used);
        push_one(&mut self.par.sends, send);
    }

    pub(super) fn push_receive(&mut self, receive: Receive, fp: Fp) {
        self.add(fp, &receive.locally_free, receive.connective_used);
        push_one(&mut self.par.receives, receive);
    }

    pub(super) fn push_new(&mut self, new: New, fp: Fp) {
        let connective_used = new.p.as_ref().is_some_and(|body| body.connective_used);
        self.add(fp, &new.locally_free, connective_used);
        push_one(&mut self.par.news, new);
    }

    pub(super) fn push_match(&mut self, matcher: Match, fp: Fp) {
        self.add(fp, &matcher.locally_free, matcher.connective_used);
        push_one(&mut self.par.matches, matcher);
    }

    /// A bundle never makes its Par use connectives.
    pub(super) fn push_bundle(&mut self, bundle: Bundle, fp: Fp) {
        match &bundle.body {
            Some(body) => self.add(fp, &body.locally_free, false),
            None => self.add(fp, &[], false),
        }
        push_one(&mut self.par.bundles, bundle);
    }

    /// Adds an expression at pattern depth `depth`: a bound variable is
    /// locally free only outside patterns (`ExprLocallyFree`).
    pub(super) fn push_expr(&mut self, expr: Expr, fp: Fp, depth: u32) {
        self.parts = fingerprint::add_part(self.parts, fp);
        add_expr_locally_free(&mut self.par.locally_free, &expr, depth);
        self.par.connective_used |= expr_connective_used(&expr);
        push_one(&mut self.par.exprs, expr);
    }

    /// Adds a connective at pattern depth `depth`: `=x` is locally free when
    /// it refers to the outermost level (`ConnectiveLocallyFree`).
    pub(super) fn push_connective(&mut self, connective: Connective, fp: Fp, depth: u32) {
        let (locally_free, connective_used) = match &connective.connective_instance {
            Some(ConnectiveInstance::VarRefBody(var_ref)) => {
                let free = if depth as i32 == var_ref.depth {
                    bits::single(var_ref.index as u32)
                } else {
                    Vec::new()
                };
                (free, false)
            }
            None => (Vec::new(), false),
            Some(_) => (Vec::new(), true),
        };
        self.add(fp, &locally_free, connective_used);
        push_one(&mut self.par.connectives, connective);
    }

    /// Adds all of `other`'s parts (`++`).
    pub(super) fn append(&mut self, other: Built) {
        let Built { par, parts } = other;
        self.parts = self.parts.wrapping_add(parts);
        bits::union_into(&mut self.par.locally_free, &par.locally_free);
        self.par.connective_used |= par.connective_used;
        self.par.sends.extend(par.sends);
        self.par.receives.extend(par.receives);
        self.par.news.extend(par.news);
        self.par.exprs.extend(par.exprs);
        self.par.matches.extend(par.matches);
        self.par.unforgeables.extend(par.unforgeables);
        self.par.bundles.extend(par.bundles);
        self.par.connectives.extend(par.connectives);
    }

    /// Marks the Par as using connectives (`withConnectiveUsed(true)`).
    pub(super) fn set_connective_used(&mut self) {
        self.par.connective_used = true;
    }

    /// If the Par is exactly one bundle, that bundle (`singleBundle`).
    pub(super) fn single_bundle(&self) -> Option<&Bundle> {
        let par = &self.par;
        let only_bundle = par.sends.is_empty()
            && par.receives.is_empty()
            && par.news.is_empty()
            && par.exprs.is_empty()
            && par.matches.is_empty()
            && par.unforgeables.is_empty()
            && par.connectives.is_empty()
            && par.bundles.len() == 1;
        if only_bundle {
            par.bundles.first()
        } else {
            None
        }
    }
}

/// Adds the locally free variables of an expression at pattern depth
/// `depth` to `acc`.
pub(super) fn add_expr_locally_free(acc: &mut Vec<u8>, expr: &Expr, depth: u32) {
    use ExprInstance as E;
    let mut add = |par: &Option<Par>| {
        if let Some(par) = par {
            bits::union_into(acc, &par.locally_free);
        }
    };
    match &expr.expr_instance {
        None
        | Some(
            E::GBool(_)
            | E::GInt(_)
            | E::GBigInt(_)
            | E::GString(_)
            | E::GUri(_)
            | E::GByteArray(_),
        ) => {}
        Some(E::EVarBody(body)) => {
            if let (Some(VarInstance::BoundVar(index)), 0) =
                (body.v.and_then(|var| var.var_instance), depth)
            {
                bits::insert(acc, index as u32);
            }
        }
        Some(E::EListBody(list)) => bits::union_into(acc, &list.locally_free),
        Some(E::ETupleBody(tuple)) => bits::union_into(acc, &tuple.locally_free),
        Some(E::ESetBody(set)) => bits::union_into(acc, &set.locally_free),
        Some(E::EMapBody(map)) => bits::union_into(acc, &map.locally_free),
        Some(E::EMethodBody(method)) => bits::union_into(acc, &method.locally_free),
        Some(E::ENotBody(body)) => add(&body.p),
        Some(E::ENegBody(body)) => add(&body.p),
        Some(E::EMultBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EDivBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EModBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EPercentPercentBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EPlusBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EMinusBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EPlusPlusBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EMinusMinusBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::ELtBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::ELteBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EGtBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EGteBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EEqBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::ENeqBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EAndBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EOrBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EShortAndBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EShortOrBody(body)) => {
            add(&body.p1);
            add(&body.p2);
        }
        Some(E::EMatchesBody(body)) => {
            add(&body.target);
            add(&body.pattern);
        }
    }
}

/// Whether an expression uses connectives; for `matches`, only its target
/// counts (`ExprLocallyFree.connectiveUsed`).
pub(super) fn expr_connective_used(expr: &Expr) -> bool {
    use ExprInstance as E;
    let used = |par: &Option<Par>| par.as_ref().is_some_and(|par| par.connective_used);
    let either = |p1: &Option<Par>, p2: &Option<Par>| used(p1) || used(p2);
    match &expr.expr_instance {
        None
        | Some(
            E::GBool(_)
            | E::GInt(_)
            | E::GBigInt(_)
            | E::GString(_)
            | E::GUri(_)
            | E::GByteArray(_),
        ) => false,
        Some(E::EVarBody(body)) => {
            matches!(
                body.v.and_then(|var| var.var_instance),
                Some(VarInstance::FreeVar(_) | VarInstance::Wildcard(_))
            )
        }
        Some(E::EListBody(list)) => list.connective_used,
        Some(E::ETupleBody(tuple)) => tuple.connective_used,
        Some(E::ESetBody(set)) => set.connective_used,
        Some(E::EMapBody(map)) => map.connective_used,
        Some(E::EMethodBody(method)) => method.connective_used,
        Some(E::ENotBody(body)) => used(&body.p),
        Some(E::ENegBody(body)) => used(&body.p),
        Some(E::EMultBody(body)) => either(&body.p1, &body.p2),
        Some(E::EDivBody(body)) => either(&body.p1, &body.p2),
        Some(E::EModBody(body)) => either(&body.p1, &body.p2),
        Some(E::EPercentPercentBody(body)) => either(&body.p1, &body.p2),
        Some(E::EPlusBody(body)) => either(&body.p1, &body.p2),
        Some(E::EMinusBody(body)) => either(&body.p1, &body.p2),
        Some(E::EPlusPlusBody(body)) => either(&body.p1, &body.p2),
        Some(E::EMinusMinusBody(body)) => either(&body.p1, &body.p2),
        Some(E::ELtBody(body)) => either(&body.p1, &body.p2),
        Some(E::ELteBody(body)) => either(&body.p1, &body.p2),
        Some(E::EGtBody(body)) => either(&body.p1, &body.p2),
        Some(E::EGteBody(body)) => either(&body.p1, &body.p2),
        Some(E::EEqBody(body)) => either(&body.p1, &body.p2),
        Some(E::ENeqBody(body)) => either(&body.p1, &body.p2),
        Some(E::EAndBody(body)) => either(&body.p1, &body.p2),
        Some(E::EOrBody(body)) => either(&body.p1, &body.p2),
        Some(E::EShortAndBody(body)) => either(&body.p1, &body.p2),
        Some(E::EShortOrBody(body)) => either(&body.p1, &body.p2),
        Some(E::EMatchesBody(body)) => used(&body.target),
    }
}

/// Pushes onto a list of parts. Most Pars have one part of each kind, and
/// these are large structs: the first push allocates room for exactly one
/// (`Vec` would allocate four).
fn push_one<T>(list: &mut Vec<T>, item: T) {
    if list.capacity() == 0 {
        list.reserve_exact(1);
    }
    list.push(item);
}
