//! Assigning a distinct target to every pattern (maximum bipartite
//! matching), the way the reference's `MaximumBipartiteMatch` does it.
//!
//! Patterns are placed one after another. A pattern tries the targets in
//! order; a target that matches and is free is taken, and a target that is
//! taken is won if its owner can move to another target (an augmenting
//! path). In the reference an owner only moves *forward*, past the target it
//! holds; that keeps its choices but can miss an assignment that exists.
//! [`assign`] therefore runs that search first and, only when it fails,
//! the complete search in which owners may move to any target.

use super::budget::MatchError;
use super::{RED_ZONE, STACK_SEGMENT};

/// Answers "does pattern `p` match target `t`?"; called at most once per
/// pair by a memoizing caller, and charging the budget.
pub(crate) type Oracle<'o> = dyn FnMut(usize, usize) -> Result<bool, MatchError> + 'o;

/// Finds an owner for every one of `patterns` patterns among `targets`
/// targets; returns, per target, the pattern that owns it.
///
/// The first `preassigned` patterns are taken to already own the targets of
/// the same numbers (the caller knows they would take them).
pub(crate) fn assign(
    patterns: usize,
    targets: usize,
    preassigned: usize,
    oracle: &mut Oracle<'_>,
) -> Result<Option<Vec<Option<usize>>>, MatchError> {
    if let Some(owners) = search(patterns, targets, preassigned, false, oracle)? {
        return Ok(Some(owners));
    }
    search(patterns, targets, preassigned, true, oracle)
}

fn search(
    patterns: usize,
    targets: usize,
    preassigned: usize,
    rewind: bool,
    oracle: &mut Oracle<'_>,
) -> Result<Option<Vec<Option<usize>>>, MatchError> {
    let preassigned = preassigned.min(targets).min(patterns);
    let mut state = Search {
        owner: (0..targets)
            .map(|target| (target < preassigned).then_some((target, target)))
            .collect(),
        seen: vec![false; targets],
        rewind,
        oracle,
    };
    for pattern in preassigned..patterns {
        state.seen.fill(false);
        if !state.find(pattern, 0)? {
            return Ok(None);
        }
    }
    Ok(Some(
        state
            .owner
            .iter()
            .map(|owner| owner.map(|(pattern, _)| pattern))
            .collect(),
    ))
}

struct Search<'s, 'o> {
    /// Per target: its owner, and the target from which the owner searches
    /// again when it has to move.
    owner: Vec<Option<(usize, usize)>>,
    /// Targets already tried while placing the current pattern.
    seen: Vec<bool>,
    /// Whether a displaced owner may move to an earlier target.
    rewind: bool,
    oracle: &'s mut Oracle<'o>,
}

impl Search<'_, '_> {
    fn find(&mut self, pattern: usize, start: usize) -> Result<bool, MatchError> {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || self.find_now(pattern, start))
    }

    fn find_now(&mut self, pattern: usize, start: usize) -> Result<bool, MatchError> {
        for candidate in start..self.seen.len() {
            if self.seen[candidate] || !(self.oracle)(pattern, candidate)? {
                continue;
            }
            self.seen[candidate] = true;
            let claimed = match self.owner[candidate] {
                None => true,
                Some((previous, previous_start)) => {
                    let from = if self.rewind { 0 } else { previous_start };
                    self.find(previous, from)?
                }
            };
            if claimed {
                self.owner[candidate] = Some((pattern, candidate));
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(edges: &[&[usize]], targets: usize) -> Option<Vec<Option<usize>>> {
        let mut oracle = |pattern: usize, target: usize| Ok(edges[pattern].contains(&target));
        assign(edges.len(), targets, 0, &mut oracle).expect("no budget involved")
    }

    #[test]
    fn a_later_pattern_displaces_an_earlier_one_forward() {
        // x takes target 0, then y (which also fits 0) pushes x on to target 1.
        assert_eq!(run(&[&[0, 1], &[0, 1]], 2), Some(vec![Some(1), Some(0)]));
    }

    #[test]
    fn finds_an_assignment_the_forward_only_search_misses() {
        // A fits {0, 1}, X fits {0, 2}, B fits {1}: forward-only leaves A on 1 and fails.
        let edges: &[&[usize]] = &[&[0, 1], &[0, 2], &[1]];
        let mut oracle = |pattern: usize, target: usize| Ok(edges[pattern].contains(&target));
        assert_eq!(
            search(3, 3, 0, false, &mut oracle).expect("no budget"),
            None
        );
        assert_eq!(run(edges, 3), Some(vec![Some(0), Some(2), Some(1)]));
    }

    #[test]
    fn fails_when_no_assignment_exists() {
        assert_eq!(run(&[&[0], &[0]], 2), None);
    }

    #[test]
    fn errors_from_the_oracle_propagate() {
        let mut oracle = |_: usize, _: usize| Err(MatchError::OutOfBudget);
        assert_eq!(assign(1, 1, 0, &mut oracle), Err(MatchError::OutOfBudget));
    }
}
