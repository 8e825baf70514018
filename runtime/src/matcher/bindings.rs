//! What the free variables of a pattern captured so far.
//!
//! During the search a capture only borrows target components; the values
//! are cloned once, when the match has succeeded. Every write is recorded on
//! a trail so that the search can undo a failed branch.

use rho_host_abi::Term;
use rho_host_abi::par::expr::ExprInstance;
use rho_host_abi::par::{
    Bundle, EList, EMap, ESet, Expr, GUnforgeable, KeyValuePair, Match, New, Par, Receive, Send,
};

use super::RED_ZONE;

/// Where a free variable's capture goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarSlot {
    /// Recorded at this index of the result.
    Index(usize),
    /// Accepted but not recorded (the caller only asked whether it matches).
    Untracked,
}

/// Whether captures are recorded, and how many free variables there are.
#[derive(Debug, Clone, Copy)]
pub(crate) enum BindingMode {
    /// Record captures for free variables `0..free_count`.
    Record { free_count: usize },
    /// Only decide whether the pattern matches.
    Discard,
}

/// The components of a target Par captured by a free variable that stands
/// alone in a par pattern.
#[derive(Debug, Clone, Default)]
pub(crate) struct ParParts<'t> {
    pub(crate) sends: Vec<&'t Send>,
    pub(crate) receives: Vec<&'t Receive>,
    pub(crate) news: Vec<&'t New>,
    pub(crate) exprs: Vec<&'t Expr>,
    pub(crate) matches: Vec<&'t Match>,
    pub(crate) unforgeables: Vec<&'t GUnforgeable>,
    pub(crate) bundles: Vec<&'t Bundle>,
}

impl<'t> ParParts<'t> {
    /// All components of `par`.
    fn of(par: &'t Par) -> Self {
        ParParts {
            sends: par.sends.iter().collect(),
            receives: par.receives.iter().collect(),
            news: par.news.iter().collect(),
            exprs: par.exprs.iter().collect(),
            matches: par.matches.iter().collect(),
            unforgeables: par.unforgeables.iter().collect(),
            bundles: par.bundles.iter().collect(),
        }
    }
}

/// The value a free variable is bound to, still borrowing from the target.
#[derive(Debug, Clone)]
pub(crate) enum Captured<'t> {
    /// A process: the components a par-level free variable took.
    Par(Box<ParParts<'t>>),
    /// A whole target process (its components, without metadata).
    Whole(&'t Par),
    /// The rest of a list (`[h ...t]`) or of a name list.
    List(Vec<&'t Par>),
    /// The rest of a set (`Set(x ...rest)`).
    Set(Vec<&'t Par>),
    /// The rest of a map (`{k: v ...rest}`).
    Map(Vec<&'t KeyValuePair>),
}

/// What one remainder captures: one category of a Par, or the rest of a
/// collection.
#[derive(Debug)]
pub(crate) enum Capture<'t> {
    Sends(Vec<&'t Send>),
    Receives(Vec<&'t Receive>),
    News(Vec<&'t New>),
    Exprs(Vec<&'t Expr>),
    Matches(Vec<&'t Match>),
    Unforgeables(Vec<&'t GUnforgeable>),
    Bundles(Vec<&'t Bundle>),
    List(Vec<&'t Par>),
    Set(Vec<&'t Par>),
    Map(Vec<&'t KeyValuePair>),
    /// Components that never have a remainder (receive binds).
    Ignored,
}

/// The bindings of one match, with an undo trail.
#[derive(Debug)]
pub(crate) struct Bindings<'t> {
    mode: BindingMode,
    slots: Vec<Option<Captured<'t>>>,
    trail: Vec<(usize, Option<Captured<'t>>)>,
}

impl Captured<'_> {
    /// The nesting depth, in protobuf messages, of the deepest captured term.
    fn nesting_depth(&self) -> usize {
        fn deepest<T: Term>(items: &[&T]) -> usize {
            items
                .iter()
                .map(|item| item.nesting_depth())
                .max()
                .unwrap_or(0)
        }
        match self {
            Captured::Par(parts) => [
                deepest(&parts.sends),
                deepest(&parts.receives),
                deepest(&parts.news),
                deepest(&parts.exprs),
                deepest(&parts.matches),
                deepest(&parts.unforgeables),
                deepest(&parts.bundles),
            ]
            .into_iter()
            .max()
            .unwrap_or(0),
            Captured::Whole(par) => par.nesting_depth(),
            Captured::List(items) | Captured::Set(items) => deepest(items),
            Captured::Map(items) => deepest(items),
        }
    }
}

/// A generous bound on the stack the derived `Clone` uses per level of
/// message nesting (`rho_host_abi` measured its derived impls at well under
/// a quarter of this in release builds).
const BYTES_PER_MESSAGE_LEVEL: usize = 1024;

/// The writes a sub-match made, replayable with [`Bindings::apply`].
pub(crate) type Delta<'t> = Vec<(usize, Captured<'t>)>;

impl<'t> Bindings<'t> {
    pub(crate) fn new(mode: BindingMode) -> Self {
        let slot_count = match mode {
            BindingMode::Record { free_count } => free_count,
            BindingMode::Discard => 0,
        };
        let mut slots = Vec::new();
        slots.resize_with(slot_count, || None);
        Bindings {
            mode,
            slots,
            trail: Vec::new(),
        }
    }

    /// The slot of free variable `level`; `None` when `level` is negative
    /// or, when recording, not below the free count (such a pattern cannot
    /// match).
    pub(crate) fn slot_for(&self, level: i32) -> Option<VarSlot> {
        let index = usize::try_from(level).ok()?;
        match self.mode {
            BindingMode::Discard => Some(VarSlot::Untracked),
            BindingMode::Record { free_count } => {
                (index < free_count).then_some(VarSlot::Index(index))
            }
        }
    }

    /// A point to come back to with [`Bindings::rollback`].
    pub(crate) fn mark(&self) -> usize {
        self.trail.len()
    }

    /// Undoes every write made since `mark`.
    pub(crate) fn rollback(&mut self, mark: usize) {
        while self.trail.len() > mark {
            let Some((index, previous)) = self.trail.pop() else {
                break;
            };
            if let Some(slot) = self.slots.get_mut(index) {
                *slot = previous;
            }
        }
    }

    /// The current values of the slots written since `mark`, in the order of
    /// their first write.
    pub(crate) fn writes_since(&self, mark: usize) -> Delta<'t> {
        let mut delta: Delta<'t> = Vec::new();
        for (index, _) in self.trail.iter().skip(mark) {
            if delta.iter().any(|(seen, _)| seen == index) {
                continue;
            }
            if let Some(Some(value)) = self.slots.get(*index) {
                delta.push((*index, value.clone()));
            }
        }
        delta
    }

    /// Replays the writes of a sub-match.
    pub(crate) fn apply(&mut self, delta: &Delta<'t>) {
        for (index, value) in delta {
            self.set(*index, value.clone());
        }
    }

    /// Records what a remainder captured.
    ///
    /// A category of a Par is merged into the variable's process (a par-level
    /// variable collects one category after another); a collection rest
    /// replaces whatever the variable held.
    pub(crate) fn capture(&mut self, slot: VarSlot, capture: Capture<'t>) {
        let VarSlot::Index(index) = slot else {
            return;
        };
        let value = match capture {
            Capture::Ignored => return,
            Capture::List(items) => Captured::List(items),
            Capture::Set(items) => Captured::Set(items),
            Capture::Map(items) => Captured::Map(items),
            category => {
                let mut parts = match self.slots.get(index) {
                    Some(Some(Captured::Par(parts))) => parts.clone(),
                    Some(Some(Captured::Whole(par))) => Box::new(ParParts::of(par)),
                    _ => Box::default(),
                };
                match category {
                    Capture::Sends(items) => parts.sends = items,
                    Capture::Receives(items) => parts.receives = items,
                    Capture::News(items) => parts.news = items,
                    Capture::Exprs(items) => parts.exprs = items,
                    Capture::Matches(items) => parts.matches = items,
                    Capture::Unforgeables(items) => parts.unforgeables = items,
                    Capture::Bundles(items) => parts.bundles = items,
                    Capture::List(_) | Capture::Set(_) | Capture::Map(_) | Capture::Ignored => {}
                }
                Captured::Par(parts)
            }
        };
        self.set(index, value);
    }

    /// Binds a par-level variable to all of the process `par`.
    pub(crate) fn capture_whole(&mut self, slot: VarSlot, par: &'t Par) {
        if let VarSlot::Index(index) = slot {
            self.set(index, Captured::Whole(par));
        }
    }

    /// Binds a par-level variable to all of `parts` at once.
    pub(crate) fn capture_par(&mut self, slot: VarSlot, parts: ParParts<'t>) {
        if let VarSlot::Index(index) = slot {
            self.set(index, Captured::Par(Box::new(parts)));
        }
    }

    /// The bound values, cloned out of the target; unbound variables are Nil.
    ///
    /// The derived `Clone` recurses once per nested message, so the clones
    /// run on a stack sized for the deepest captured term.
    pub(crate) fn into_pars(self) -> Vec<Par> {
        let depth = self
            .slots
            .iter()
            .flatten()
            .map(Captured::nesting_depth)
            .max()
            .unwrap_or(0);
        let needed = depth
            .saturating_add(2)
            .saturating_mul(BYTES_PER_MESSAGE_LEVEL)
            .saturating_add(RED_ZONE);
        let clone_all = || {
            self.slots
                .iter()
                .map(|slot| slot.as_ref().map(materialize).unwrap_or_default())
                .collect()
        };
        match stacker::remaining_stack() {
            Some(remaining) if remaining >= needed => clone_all(),
            _ => stacker::grow(needed, clone_all),
        }
    }

    fn set(&mut self, index: usize, value: Captured<'t>) {
        if let Some(slot) = self.slots.get_mut(index) {
            let previous = slot.replace(value);
            self.trail.push((index, previous));
        }
    }
}

/// Builds the canonical Par for a capture.
///
/// Captured components are subsequences of sorted target fields, so the
/// result is sorted too.
fn materialize(captured: &Captured<'_>) -> Par {
    fn cloned<T: Clone>(items: &[&T]) -> Vec<T> {
        items.iter().map(|item| (*item).clone()).collect()
    }
    fn single_expr(instance: ExprInstance) -> Par {
        Par {
            exprs: vec![Expr {
                expr_instance: Some(instance),
            }],
            ..Par::default()
        }
    }
    match captured {
        Captured::Whole(par) => Par {
            sends: par.sends.clone(),
            receives: par.receives.clone(),
            news: par.news.clone(),
            exprs: par.exprs.clone(),
            matches: par.matches.clone(),
            unforgeables: par.unforgeables.clone(),
            bundles: par.bundles.clone(),
            ..Par::default()
        },
        Captured::Par(parts) => Par {
            sends: cloned(&parts.sends),
            receives: cloned(&parts.receives),
            news: cloned(&parts.news),
            exprs: cloned(&parts.exprs),
            matches: cloned(&parts.matches),
            unforgeables: cloned(&parts.unforgeables),
            bundles: cloned(&parts.bundles),
            ..Par::default()
        },
        Captured::List(items) => single_expr(ExprInstance::EListBody(EList {
            ps: cloned(items),
            ..EList::default()
        })),
        Captured::Set(items) => single_expr(ExprInstance::ESetBody(ESet {
            ps: cloned(items),
            ..ESet::default()
        })),
        Captured::Map(items) => single_expr(ExprInstance::EMapBody(EMap {
            kvs: cloned(items),
            ..EMap::default()
        })),
    }
}
