//! Work accounting for the matcher, and the matcher's error type.

use std::fmt;

/// Counts the matching work (steps) that a match may do, up to a limit.
///
/// One step is roughly one unit of constant work: comparing one node, trying
/// one target for one pattern in a bipartite matching, enumerating one way of
/// splitting a Par among connectives, checking or capturing one component.
/// The caller converts steps to phlo.
///
/// A budget can be reused across several matches (for example while the
/// tuplespace tries several data against one continuation): `used` keeps
/// growing until the limit is reached.
/// When a match would exceed the limit it stops with
/// [`MatchError::OutOfBudget`], and the whole budget counts as used.
///
/// # Examples
///
/// ```
/// use rho_runtime::matcher::MatchBudget;
///
/// let budget = MatchBudget::new(1_000);
/// assert_eq!(budget.used(), 0);
/// assert_eq!(budget.remaining(), 1_000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchBudget {
    limit: u64,
    used: u64,
}

impl MatchBudget {
    /// A budget that allows `limit` steps.
    pub fn new(limit: u64) -> Self {
        MatchBudget { limit, used: 0 }
    }

    /// A budget whose limit (`u64::MAX` steps) is never reached in practice.
    pub fn unlimited() -> Self {
        MatchBudget::new(u64::MAX)
    }

    /// The number of steps this budget allows in total.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The number of steps spent so far.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// The number of steps still available.
    pub fn remaining(&self) -> u64 {
        self.limit - self.used
    }

    /// Spends `steps` steps, or fails (spending everything) if fewer remain.
    pub(crate) fn charge(&mut self, steps: u64) -> Result<(), MatchError> {
        if steps > self.remaining() {
            self.used = self.limit;
            return Err(MatchError::OutOfBudget);
        }
        self.used += steps;
        Ok(())
    }
}

/// Why a match could not be decided.
///
/// A pattern that simply does not match is not an error: the match functions
/// return `Ok(None)` (or `Ok(false)`) for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchError {
    /// The [`MatchBudget`] ran out before the match was decided.
    OutOfBudget,
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchError::OutOfBudget => write!(f, "the matcher ran out of its step budget"),
        }
    }
}

impl std::error::Error for MatchError {}
