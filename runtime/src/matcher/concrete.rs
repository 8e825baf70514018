//! Which parts of a pattern are concrete: free of free variables, wildcards,
//! connectives and collection remainders, so that they match only an equal
//! target (the reference's `!connectiveUsed` test).
//!
//! The compiler's `connective_used` flags are not trusted; each pattern Par
//! is examined once per match and the answer cached by its address (the
//! pattern is borrowed, unchanged, for the whole match).
//! Nested patterns (receive binds, match cases, `matches`) are compared for
//! equality and therefore do not make the enclosing term non-concrete.

use std::collections::HashMap;

use rho_host_abi::par::expr::ExprInstance;
use rho_host_abi::par::var::VarInstance;
use rho_host_abi::par::{Expr, Par};

use super::budget::{MatchBudget, MatchError};
use super::equality::operands;
use super::{RED_ZONE, STACK_SEGMENT};

/// Cached answers of [`ConcreteCache::is_concrete`].
#[derive(Debug, Default)]
pub(crate) struct ConcreteCache {
    known: HashMap<usize, bool>,
    /// Nodes examined so far: answers that took more than
    /// [`CACHE_THRESHOLD`] nodes are cached, cheaper ones are recomputed.
    visited: usize,
}

/// Small patterns (the common case) are examined again rather than cached,
/// which saves the cache's allocation; large ones are cached, so that no
/// part of a pattern is examined more than a bounded number of times.
const CACHE_THRESHOLD: usize = 16;

impl ConcreteCache {
    /// Whether the pattern `par` is concrete.
    pub(crate) fn is_concrete(
        &mut self,
        budget: &mut MatchBudget,
        par: &Par,
    ) -> Result<bool, MatchError> {
        if !par.connectives.is_empty() || par.exprs.iter().any(is_free_or_wildcard) {
            return Ok(false);
        }
        if !has_nested_terms(par) {
            return Ok(true);
        }
        let key = par as *const Par as usize;
        if let Some(&known) = self.known.get(&key) {
            return Ok(known);
        }
        let visited_before = self.visited;
        let concrete = stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            self.children_concrete(budget, par)
        })?;
        if self.visited - visited_before > CACHE_THRESHOLD {
            self.known.insert(key, concrete);
        }
        Ok(concrete)
    }

    fn opt(&mut self, budget: &mut MatchBudget, par: Option<&Par>) -> Result<bool, MatchError> {
        match par {
            Some(par) => self.is_concrete(budget, par),
            None => Ok(true),
        }
    }

    fn all(&mut self, budget: &mut MatchBudget, pars: &[Par]) -> Result<bool, MatchError> {
        for par in pars {
            if !self.is_concrete(budget, par)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn children_concrete(
        &mut self,
        budget: &mut MatchBudget,
        par: &Par,
    ) -> Result<bool, MatchError> {
        budget.charge(1)?;
        self.visited += 1;
        for send in &par.sends {
            if !self.opt(budget, send.chan.as_ref())? || !self.all(budget, &send.data)? {
                return Ok(false);
            }
        }
        for receive in &par.receives {
            for bind in &receive.binds {
                if !self.opt(budget, bind.source.as_ref())? {
                    return Ok(false);
                }
            }
            if !self.opt(budget, receive.body.as_ref())? {
                return Ok(false);
            }
        }
        for new in &par.news {
            for value in new.injections.values() {
                if !self.is_concrete(budget, value)? {
                    return Ok(false);
                }
            }
            if !self.opt(budget, new.p.as_ref())? {
                return Ok(false);
            }
        }
        for expr in &par.exprs {
            if !self.expr_concrete(budget, expr)? {
                return Ok(false);
            }
        }
        for matcher in &par.matches {
            if !self.opt(budget, matcher.target.as_ref())? {
                return Ok(false);
            }
            for case in &matcher.cases {
                if !self.opt(budget, case.source.as_ref())? {
                    return Ok(false);
                }
            }
        }
        for bundle in &par.bundles {
            if !self.opt(budget, bundle.body.as_ref())? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn expr_concrete(&mut self, budget: &mut MatchBudget, expr: &Expr) -> Result<bool, MatchError> {
        use ExprInstance::*;
        budget.charge(1)?;
        self.visited += 1;
        let Some(instance) = &expr.expr_instance else {
            return Ok(true);
        };
        if let Some((first, second)) = operands(instance) {
            return Ok(self.opt(budget, first)? && self.opt(budget, second)?);
        }
        match instance {
            EListBody(list) => Ok(list.remainder.is_none() && self.all(budget, &list.ps)?),
            ETupleBody(tuple) => self.all(budget, &tuple.ps),
            ESetBody(set) => Ok(set.remainder.is_none() && self.all(budget, &set.ps)?),
            EMapBody(map) => {
                if map.remainder.is_some() {
                    return Ok(false);
                }
                for kv in &map.kvs {
                    if !self.opt(budget, kv.key.as_ref())?
                        || !self.opt(budget, kv.value.as_ref())?
                    {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            EMethodBody(method) => {
                Ok(self.opt(budget, method.target.as_ref())?
                    && self.all(budget, &method.arguments)?)
            }
            EMatchesBody(matches) => self.opt(budget, matches.target.as_ref()),
            _ => Ok(true),
        }
    }
}

/// Whether `expr` is a free variable or a wildcard standing in a par.
pub(crate) fn is_free_or_wildcard(expr: &Expr) -> bool {
    matches!(
        &expr.expr_instance,
        Some(ExprInstance::EVarBody(e))
            if matches!(e.v.and_then(|v| v.var_instance), Some(VarInstance::FreeVar(_) | VarInstance::Wildcard(_)))
    )
}

/// Whether `par` has components that contain other Pars.
fn has_nested_terms(par: &Par) -> bool {
    !par.sends.is_empty()
        || !par.receives.is_empty()
        || !par.news.is_empty()
        || !par.matches.is_empty()
        || !par.bundles.is_empty()
        || par.exprs.iter().any(|expr| {
            !matches!(
                &expr.expr_instance,
                None | Some(
                    ExprInstance::GBool(_)
                        | ExprInstance::GInt(_)
                        | ExprInstance::GBigInt(_)
                        | ExprInstance::GString(_)
                        | ExprInstance::GUri(_)
                        | ExprInstance::GByteArray(_)
                        | ExprInstance::EVarBody(_)
                )
            )
        })
}
