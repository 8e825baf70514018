//! The normalizer's variable environments, after the reference's
//! `BoundMapChain`, `BoundMap` and `FreeMap`.
//!
//! Bound variables get De Bruijn indices: the most recently bound variable
//! has index 0. Every pattern starts a new level of the chain, in which
//! only the pattern's own binders are visible as plain variables; outer
//! variables are reached with `=x`, whose depth counts the levels crossed.
//!
//! Free variables of a pattern get levels 0, 1, ... in order of first
//! occurrence. When the pattern's body is normalized, its free variables
//! are absorbed into the bound map.
//!
//! The reference uses persistent maps; here one mutable chain is kept, and
//! every scope records a [`Mark`] to undo its bindings when it ends.

use rustc_hash::FxHashMap as HashMap;

use crate::diagnostic::Span;
use crate::syntax::ast::VarName;

/// Whether a variable stands for a process or a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sort {
    Proc,
    Name,
}

/// What a bound variable resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Bound {
    /// De Bruijn index within its chain level.
    pub(super) index: u32,
    pub(super) sort: Sort,
    /// Where the variable was bound.
    pub(super) span: Span,
}

/// A variable bound by a pattern in the current level, before absorption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Free {
    pub(super) level: u32,
    pub(super) sort: Sort,
    /// Where the variable first occurs.
    pub(super) span: Span,
}

/// The logical connectives counted in a free map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ConnectiveKind {
    And,
    Or,
    Not,
}

impl ConnectiveKind {
    /// The reference's description of the connective.
    pub(super) fn describe(self) -> &'static str {
        match self {
            ConnectiveKind::And => "/\\ (conjunction)",
            ConnectiveKind::Or => "\\/ (disjunction)",
            ConnectiveKind::Not => "~ (negation)",
        }
    }
}

/// The free variables, wildcards and connectives of a pattern (or of the
/// whole program, where any of them is an error).
///
/// Patterns bind few variables: they are kept in a list, in order of first
/// occurrence, and indexed by a hash map only once there are many.
#[derive(Clone, Debug, Default)]
pub(super) struct FreeMap {
    next_level: u32,
    entries: Vec<(VarName, Free)>,
    index: HashMap<VarName, usize>,
    pub(super) wildcards: Vec<Span>,
    pub(super) connectives: Vec<(ConnectiveKind, Span)>,
}

/// Beyond this many variables a free map indexes them.
const LINEAR_LIMIT: usize = 16;

/// A variable bound twice: its name and both positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Reuse {
    pub(super) name: VarName,
    pub(super) first: Span,
    pub(super) second: Span,
}

impl FreeMap {
    fn position(&self, name: VarName) -> Option<usize> {
        if self.entries.len() > LINEAR_LIMIT {
            self.index.get(&name).copied()
        } else {
            self.entries.iter().position(|(known, _)| *known == name)
        }
    }

    /// Sets a variable's binding, keeping its place if it is known.
    /// Returns the binding it replaces.
    fn set(&mut self, name: VarName, free: Free) -> Option<Free> {
        if let Some(at) = self.position(name) {
            return Some(std::mem::replace(&mut self.entries[at].1, free));
        }
        self.entries.push((name, free));
        if self.entries.len() > LINEAR_LIMIT {
            if self.index.is_empty() {
                self.reindex();
            } else {
                self.index.insert(name, self.entries.len() - 1);
            }
        }
        None
    }

    fn reindex(&mut self) {
        self.index.clear();
        if self.entries.len() > LINEAR_LIMIT {
            self.index = self
                .entries
                .iter()
                .enumerate()
                .map(|(at, (name, _))| (*name, at))
                .collect();
        }
    }

    pub(super) fn get(&self, name: VarName) -> Option<Free> {
        self.position(name).map(|at| self.entries[at].1)
    }

    /// Adds a free variable and returns its level.
    pub(super) fn put(&mut self, name: VarName, sort: Sort, span: Span) -> u32 {
        let level = self.next_level;
        self.next_level += 1;
        self.set(name, Free { level, sort, span });
        level
    }

    pub(super) fn add_wildcard(&mut self, span: Span) {
        self.wildcards.push(span);
    }

    pub(super) fn add_connective(&mut self, kind: ConnectiveKind, span: Span) {
        self.connectives.push((kind, span));
    }

    /// The number of named free variables (`countNoWildcards`).
    pub(super) fn count_no_wildcards(&self) -> u32 {
        self.next_level
    }

    /// The named free variables in order of first occurrence.
    pub(super) fn vars(&self) -> impl Iterator<Item = (VarName, Free)> + '_ {
        self.entries.iter().copied()
    }

    /// Appends `other`'s variables after this map's, shifting their levels.
    /// Returns the variables that both maps bind.
    pub(super) fn merge(&mut self, other: &FreeMap) -> Vec<Reuse> {
        let mut reused = Vec::new();
        let offset = self.next_level;
        for (name, free) in other.vars() {
            let shifted = Free {
                level: free.level + offset,
                ..free
            };
            if let Some(previous) = self.set(name, shifted) {
                reused.push(Reuse {
                    name,
                    first: previous.span,
                    second: free.span,
                });
            }
        }
        self.next_level += other.next_level;
        self.wildcards.extend_from_slice(&other.wildcards);
        self.connectives.extend_from_slice(&other.connectives);
        reused
    }

    /// A snapshot of the map's size, to see what a sub-term added.
    pub(super) fn size(&self) -> (u32, usize) {
        (self.next_level, self.wildcards.len())
    }

    /// The variables added since `size` was taken.
    pub(super) fn vars_since(&self, size: (u32, usize)) -> Vec<(VarName, Free)> {
        self.vars()
            .filter(|(_, free)| free.level >= size.0)
            .collect()
    }

    /// Forgets everything added since `size` was taken.
    pub(super) fn truncate(&mut self, size: (u32, usize)) {
        self.entries.retain(|(_, free)| free.level < size.0);
        self.reindex();
        self.next_level = size.0;
        self.wildcards.truncate(size.1);
    }
}

/// One level of the bound chain: the variables bound in the current
/// pattern (or at the top).
#[derive(Debug, Default)]
struct Scope {
    next_index: u32,
    /// The latest binding of each name, as an index into `entries`.
    latest: HashMap<VarName, u32>,
    /// Every binding in binding order; each links to the binding of the
    /// same name that it shadows.
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    name: VarName,
    level: u32,
    sort: Sort,
    span: Span,
    shadowed: Option<u32>,
}

impl Scope {
    fn get(&self, name: VarName) -> Option<Bound> {
        let entry = &self.entries[*self.latest.get(&name)? as usize];
        Some(Bound {
            index: self.next_index - entry.level - 1,
            sort: entry.sort,
            span: entry.span,
        })
    }

    fn bind(&mut self, name: VarName, level: u32, sort: Sort, span: Span) {
        let index = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let shadowed = self.latest.insert(name, index);
        self.entries.push(Entry {
            name,
            level,
            sort,
            span,
            shadowed,
        });
    }
}

/// The position to which [`BoundChain::restore`] undoes bindings.
#[derive(Clone, Copy, Debug)]
pub(super) struct Mark {
    log_len: usize,
    next_index: u32,
}

/// The chain of bound maps, innermost (the current pattern) last.
#[derive(Debug)]
pub(super) struct BoundChain {
    scopes: Vec<Scope>,
}

impl BoundChain {
    pub(super) fn new() -> BoundChain {
        BoundChain {
            scopes: vec![Scope::default()],
        }
    }

    fn current(&self) -> &Scope {
        let last = self.scopes.len() - 1;
        &self.scopes[last]
    }

    fn current_mut(&mut self) -> &mut Scope {
        let last = self.scopes.len() - 1;
        &mut self.scopes[last]
    }

    /// How many patterns deep we are (0 outside any pattern).
    pub(super) fn depth(&self) -> u32 {
        u32::try_from(self.scopes.len() - 1).unwrap_or(u32::MAX)
    }

    /// Looks a variable up in the current level only (`get`).
    pub(super) fn get(&self, name: VarName) -> Option<Bound> {
        self.current().get(name)
    }

    /// Looks a variable up through all levels, innermost first, and returns
    /// it with the number of levels crossed (`find`).
    pub(super) fn find(&self, name: VarName) -> Option<(Bound, u32)> {
        self.scopes
            .iter()
            .rev()
            .enumerate()
            .find_map(|(depth, scope)| {
                scope
                    .get(name)
                    .map(|bound| (bound, u32::try_from(depth).unwrap_or(u32::MAX)))
            })
    }

    /// The number of variables bound in the current level.
    pub(super) fn count(&self) -> u32 {
        self.current().next_index
    }

    /// Binds a variable in the current level.
    pub(super) fn put(&mut self, name: VarName, sort: Sort, span: Span) {
        let scope = self.current_mut();
        let level = scope.next_index;
        scope.next_index += 1;
        scope.bind(name, level, sort, span);
    }

    /// Binds a pattern's free variables, after those already bound.
    pub(super) fn absorb_free(&mut self, free: &FreeMap) {
        let scope = self.current_mut();
        let base = scope.next_index;
        for (name, var) in free.vars() {
            scope.bind(name, base + var.level, var.sort, var.span);
        }
        scope.next_index += free.count_no_wildcards();
    }

    /// The current position, for [`BoundChain::restore`].
    pub(super) fn mark(&self) -> Mark {
        let scope = self.current();
        Mark {
            log_len: scope.entries.len(),
            next_index: scope.next_index,
        }
    }

    /// Undoes the bindings made in the current level since `mark`.
    pub(super) fn restore(&mut self, mark: Mark) {
        let scope = self.current_mut();
        while scope.entries.len() > mark.log_len {
            let Some(entry) = scope.entries.pop() else {
                break;
            };
            match entry.shadowed {
                Some(previous) => scope.latest.insert(entry.name, previous),
                None => scope.latest.remove(&entry.name),
            };
        }
        scope.next_index = mark.next_index;
    }

    /// Enters a pattern.
    pub(super) fn push(&mut self) {
        self.scopes.push(Scope::default());
    }

    /// Leaves a pattern.
    pub(super) fn pop(&mut self) {
        if self.scopes.len() > 1 {
            self.scopes.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> VarName {
        VarName::User(name.bytes().map(u32::from).sum())
    }

    #[test]
    fn latest_binding_has_index_zero() {
        let mut chain = BoundChain::new();
        chain.put(user("x"), Sort::Name, Span::default());
        chain.put(user("y"), Sort::Proc, Span::default());
        assert_eq!(chain.get(user("y")).map(|bound| bound.index), Some(0));
        assert_eq!(chain.get(user("x")).map(|bound| bound.index), Some(1));
        let mark = chain.mark();
        chain.put(user("x"), Sort::Proc, Span::default());
        assert_eq!(
            chain.get(user("x")),
            Some(Bound {
                index: 0,
                sort: Sort::Proc,
                span: Span::default()
            })
        );
        chain.restore(mark);
        assert_eq!(
            chain.get(user("x")).map(|bound| (bound.index, bound.sort)),
            Some((1, Sort::Name))
        );
    }

    #[test]
    fn patterns_see_only_their_own_level() {
        let mut chain = BoundChain::new();
        chain.put(user("x"), Sort::Name, Span::default());
        chain.push();
        assert_eq!(chain.get(user("x")), None);
        assert_eq!(
            chain
                .find(user("x"))
                .map(|(bound, depth)| (bound.index, depth)),
            Some((0, 1))
        );
        chain.pop();
        assert_eq!(chain.depth(), 0);
    }

    #[test]
    fn many_variables_are_indexed() {
        let mut free = FreeMap::default();
        for number in 0..100 {
            assert_eq!(
                free.put(VarName::User(number), Sort::Proc, Span::default()),
                number
            );
        }
        assert_eq!(free.get(VarName::User(42)).map(|var| var.level), Some(42));
        assert_eq!(free.get(VarName::User(100)), None);
        free.truncate((10, 0));
        assert_eq!(free.get(VarName::User(42)), None);
        assert_eq!(free.get(VarName::User(9)).map(|var| var.level), Some(9));
        assert_eq!(free.vars().count(), 10);
    }

    #[test]
    fn merge_shifts_levels_and_reports_reuse() {
        let mut left = FreeMap::default();
        left.put(user("a"), Sort::Name, Span::new(0, 1));
        let mut right = FreeMap::default();
        right.put(user("b"), Sort::Name, Span::new(5, 6));
        right.put(user("a"), Sort::Name, Span::new(7, 8));
        let reused = left.merge(&right);
        assert_eq!(left.get(user("b")).map(|free| free.level), Some(1));
        assert_eq!(
            reused,
            vec![Reuse {
                name: user("a"),
                first: Span::new(0, 1),
                second: Span::new(7, 8)
            }]
        );
    }
}
