//! Finding the source position of terms in the final, sorted Par.
//!
//! The normalizer remembers a position for each term that can fail at run
//! time, keyed by the term's [fingerprint](super::fingerprint). After the
//! canonical sort, [`locate_terms`] walks the sorted Par once, recomputes
//! every fingerprint bottom-up and reports each recorded term in its final
//! form with its position.

use std::collections::HashMap;

use rho_host_abi::par::{Expr, Match, New, Par, Receive, Send, expr::ExprInstance};

use super::fingerprint::{self, Fp};
use crate::diagnostic::Span;

const RED_ZONE: usize = 128 * 1024;
const STACK_SEGMENT: usize = 2 * 1024 * 1024;

/// A term of the sorted Par that has a source position.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Located<'a> {
    Send(&'a Send),
    Receive(&'a Receive),
    New(&'a New),
    Match(&'a Match),
    /// An operator, method call, `matches`, or a collection that contains
    /// one of those.
    Expr(&'a Expr),
}

/// Calls `found` for every term of `par` whose position was recorded.
pub(crate) fn locate_terms<'a>(
    par: &'a Par,
    positions: &HashMap<Fp, Span>,
    found: &mut dyn FnMut(Located<'a>, Span),
) {
    let mut walker = Walker {
        positions: Some(positions),
        found,
    };
    walker.par(par);
}

/// The fingerprint of a Par, computed by walking it.
pub(super) fn par_fp(par: &Par) -> Fp {
    let mut ignore = |_: Located<'_>, _: Span| {};
    let mut walker = Walker {
        positions: None,
        found: &mut ignore,
    };
    walker.par(par).0
}

struct Walker<'p, 'f, 'a> {
    positions: Option<&'p HashMap<Fp, Span>>,
    found: &'f mut dyn FnMut(Located<'a>, Span),
}

impl<'a> Walker<'_, '_, 'a> {
    fn hit(&mut self, fp: Fp, term: Located<'a>) {
        if let Some(&span) = self.positions.and_then(|positions| positions.get(&fp)) {
            (self.found)(term, span);
        }
    }

    /// The Par's fingerprint and whether its expressions contain an
    /// operator, method call or `matches`.
    fn par(&mut self, par: &'a Par) -> (Fp, bool) {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            let mut sum = 0;
            let mut has_ops = false;
            for send in &par.sends {
                let fp = fingerprint::send(send, &mut |child| self.par(child).0);
                self.hit(fp, Located::Send(send));
                sum = fingerprint::add_part(sum, fp);
            }
            for receive in &par.receives {
                let fp = fingerprint::receive(receive, &mut |child| self.par(child).0);
                self.hit(fp, Located::Receive(receive));
                sum = fingerprint::add_part(sum, fp);
            }
            for new in &par.news {
                let fp = fingerprint::new(new, &mut |child| self.par(child).0);
                self.hit(fp, Located::New(new));
                sum = fingerprint::add_part(sum, fp);
            }
            for expr in &par.exprs {
                let (fp, ops) = self.expr(expr);
                has_ops |= ops;
                sum = fingerprint::add_part(sum, fp);
            }
            for matcher in &par.matches {
                let fp = fingerprint::matcher(matcher, &mut |child| self.par(child).0);
                self.hit(fp, Located::Match(matcher));
                sum = fingerprint::add_part(sum, fp);
            }
            for bundle in &par.bundles {
                sum = fingerprint::add_part(
                    sum,
                    fingerprint::bundle(bundle, &mut |child| self.par(child).0),
                );
            }
            for connective in &par.connectives {
                let fp = fingerprint::connective(connective, &mut |child| self.par(child).0);
                sum = fingerprint::add_part(sum, fp);
            }
            for unforgeable in &par.unforgeables {
                sum = fingerprint::add_part(sum, fingerprint::unforgeable(unforgeable));
            }
            (fingerprint::par(sum), has_ops)
        })
    }

    fn expr(&mut self, expr: &'a Expr) -> (Fp, bool) {
        use ExprInstance as E;
        let mut inner_ops = false;
        let fp = fingerprint::expr(expr, &mut |child| {
            let (fp, ops) = self.par(child);
            inner_ops |= ops;
            fp
        });
        let has_ops = match &expr.expr_instance {
            None
            | Some(
                E::GBool(_)
                | E::GInt(_)
                | E::GBigInt(_)
                | E::GString(_)
                | E::GUri(_)
                | E::GByteArray(_)
                | E::EVarBody(_),
            ) => false,
            Some(E::EListBody(_) | E::ETupleBody(_) | E::ESetBody(_) | E::EMapBody(_)) => inner_ops,
            Some(_) => true,
        };
        if has_ops {
            self.hit(fp, Located::Expr(expr));
        }
        (fp, has_ops)
    }
}
