//! How many components of each category a pattern can match (the
//! reference's `ParCount.minMax`): used to limit the ways a target Par is
//! split among the connectives of a par pattern.

use std::collections::HashMap;

use rho_host_abi::par::connective::ConnectiveInstance;
use rho_host_abi::par::{Connective, Par};

use super::budget::{MatchBudget, MatchError};
use super::concrete::is_free_or_wildcard;
use super::subsets::ParCount;
use super::{RED_ZONE, STACK_SEGMENT};

/// Bounds: the fewest and the most components, per category.
pub(crate) type Bounds = (ParCount, ParCount);

/// The components of `par` other than free variables, wildcards and connectives.
pub(crate) fn fixed_components(par: &Par) -> ParCount {
    let exprs = par
        .exprs
        .iter()
        .filter(|expr| !is_free_or_wildcard(expr))
        .count();
    ParCount([
        par.sends.len(),
        par.receives.len(),
        par.news.len(),
        exprs,
        par.matches.len(),
        par.unforgeables.len(),
        par.bundles.len(),
    ])
}

/// Cached bounds of the Pars under `/\` and `\/`, by address (the pattern
/// is borrowed, unchanged, for the whole match): each nested conjunction is
/// examined once, however deeply conjunctions nest.
#[derive(Debug, Default)]
pub(crate) struct BoundsCache {
    known: HashMap<usize, Bounds>,
}

impl BoundsCache {
    /// The bounds of a whole pattern Par.
    pub(crate) fn par_bounds(
        &mut self,
        budget: &mut MatchBudget,
        par: &Par,
    ) -> Result<Bounds, MatchError> {
        let fixed = fixed_components(par);
        let open = par.exprs.iter().any(is_free_or_wildcard);
        let mut min = fixed;
        let mut max = if open { ParCount::UNBOUNDED } else { fixed };
        if par.connectives.is_empty() {
            return Ok((min, max));
        }
        let key = par as *const Par as usize;
        if let Some(&known) = self.known.get(&key) {
            return Ok(known);
        }
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            for connective in &par.connectives {
                let (connective_min, connective_max) =
                    self.connective_bounds(budget, connective)?;
                min = min.plus(connective_min);
                max = max.plus(connective_max);
            }
            Ok::<(), MatchError>(())
        })?;
        self.known.insert(key, (min, max));
        Ok((min, max))
    }

    /// The bounds of one connective.
    pub(crate) fn connective_bounds(
        &mut self,
        budget: &mut MatchBudget,
        connective: &Connective,
    ) -> Result<Bounds, MatchError> {
        budget.charge(1)?;
        match &connective.connective_instance {
            Some(ConnectiveInstance::ConnAndBody(body)) => {
                let (mut min, mut max) = (ParCount::ZERO, ParCount::UNBOUNDED);
                for par in &body.ps {
                    let (par_min, par_max) = self.par_bounds(budget, par)?;
                    min = min.max(par_min);
                    max = max.min(par_max);
                }
                Ok((min, max))
            }
            Some(ConnectiveInstance::ConnOrBody(body)) => {
                let (mut min, mut max) = (ParCount::UNBOUNDED, ParCount::ZERO);
                for par in &body.ps {
                    let (par_min, par_max) = self.par_bounds(budget, par)?;
                    min = min.min(par_min);
                    max = max.max(par_max);
                }
                Ok((min, max))
            }
            Some(ConnectiveInstance::ConnNotBody(_)) => Ok((ParCount::ZERO, ParCount::UNBOUNDED)),
            Some(
                ConnectiveInstance::ConnBool(_)
                | ConnectiveInstance::ConnInt(_)
                | ConnectiveInstance::ConnBigInt(_)
                | ConnectiveInstance::ConnString(_)
                | ConnectiveInstance::ConnUri(_)
                | ConnectiveInstance::ConnByteArray(_),
            ) => Ok((ParCount::one_expr(), ParCount::one_expr())),
            // Variable references should have been substituted; an empty
            // connective matches nothing.
            Some(ConnectiveInstance::VarRefBody(_)) | None => Ok((ParCount::ZERO, ParCount::ZERO)),
        }
    }
}
