//! The matcher proper: walks a target and a pattern together, recording what
//! the pattern's free variables capture.
//!
//! Every function returns `Ok(true)` on a match and `Ok(false)` on a
//! mismatch; after a mismatch the bindings may hold partial writes, which the
//! caller that tries an alternative rolls back. Since the free variables of
//! a pattern are distinct, whether one part matches never depends on what
//! another part bound: a sub-match is run once and its first result kept.

use std::collections::HashMap;

use rho_host_abi::par::connective::ConnectiveInstance;
use rho_host_abi::par::expr::ExprInstance;
use rho_host_abi::par::var::VarInstance;
use rho_host_abi::par::{
    Bundle, Connective, Expr, GUnforgeable, KeyValuePair, Match, New, Par, Receive, ReceiveBind,
    Send, Var,
};

use super::bindings::{BindingMode, Bindings, Capture, Delta, ParParts, VarSlot};
use super::bipartite;
use super::bounds::{Bounds, BoundsCache, fixed_components};
use super::budget::{MatchBudget, MatchError};
use super::closed;
use super::concrete::{ConcreteCache, is_free_or_wildcard};
use super::equality::{self, bind_patterns_eq, new_header_eq, opt_par_eq, view_eq_par};
use super::subsets::{ParCount, SubParCounter};
use super::view::{Items, ParView, par_or_nil};
use super::{RED_ZONE, STACK_SEGMENT};

type Outcome = Result<bool, MatchError>;

/// One match in progress.
pub(crate) struct Matcher<'t, 'b> {
    budget: &'b mut MatchBudget,
    bindings: Bindings<'t>,
    concrete: ConcreteCache,
    bounds: BoundsCache,
    /// How many binders (`new`, `for`, match cases) of the target the walk
    /// is inside; at zero every component of a closed target is closed.
    binders: u32,
}

/// The free variable and wildcard that stand alone in a par pattern.
#[derive(Debug, Clone, Copy)]
struct ParShape {
    /// The first free variable: it captures the components that the rest of
    /// the pattern leaves. Further free variables standing alone stay unbound
    /// (they read as Nil), as in the reference.
    var: Option<VarSlot>,
    wildcard: bool,
}

/// What the rest of a list, set or map pattern does with the extra elements.
#[derive(Debug, Clone, Copy)]
enum Rest {
    /// There is no rest: the lengths must be equal.
    Exact,
    /// A free variable captures them.
    Var(VarSlot),
    /// A wildcard drops them.
    Wildcard,
}

impl<'t, 'b> Matcher<'t, 'b> {
    pub(crate) fn new(budget: &'b mut MatchBudget, mode: BindingMode) -> Self {
        Matcher {
            budget,
            bindings: Bindings::new(mode),
            concrete: ConcreteCache::default(),
            bounds: BoundsCache::default(),
            binders: 0,
        }
    }

    pub(crate) fn into_bindings(self) -> Bindings<'t> {
        self.bindings
    }

    /// Matches the components in `target` against the pattern Par `pattern`.
    pub(crate) fn match_par(&mut self, target: &ParView<'t>, pattern: &Par) -> Outcome {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            self.match_par_now(target, pattern)
        })
    }

    /// Matches a list of targets against a list of patterns, element by
    /// element, with an optional remainder for the extra targets (list
    /// patterns and receive binds).
    pub(crate) fn match_sequence(
        &mut self,
        targets: &'t [Par],
        patterns: &[Par],
        remainder: Option<&Var>,
    ) -> Outcome {
        let Some(rest) = self.rest_of(remainder) else {
            return Ok(false);
        };
        let fits = match rest {
            Rest::Exact => patterns.len() == targets.len(),
            Rest::Var(_) | Rest::Wildcard => patterns.len() <= targets.len(),
        };
        if !fits {
            return Ok(false);
        }
        for (target, pattern) in targets.iter().zip(patterns) {
            if !self.match_par(&ParView::whole(target), pattern)? {
                return Ok(false);
            }
        }
        match rest {
            Rest::Var(slot) => {
                let extra: Vec<&'t Par> = targets.iter().skip(patterns.len()).collect();
                if !self.all_closed(&extra)? {
                    return Ok(false);
                }
                self.bindings.capture(slot, Capture::List(extra));
                Ok(true)
            }
            Rest::Exact | Rest::Wildcard => Ok(true),
        }
    }

    fn match_par_now(&mut self, target: &ParView<'t>, pattern: &Par) -> Outcome {
        self.budget.charge(1)?;
        if self.concrete.is_concrete(self.budget, pattern)? {
            return view_eq_par(self.budget, target, pattern);
        }
        let Some(shape) = self.shape(pattern) else {
            return Ok(false);
        };
        if pattern.connectives.is_empty() {
            self.match_components(target, pattern, shape)
        } else {
            self.match_connectives(target, pattern, shape)
        }
    }

    /// The pattern's par-level variable and wildcard; `None` when the
    /// variable's number is out of range.
    fn shape(&self, pattern: &Par) -> Option<ParShape> {
        let mut shape = ParShape {
            var: None,
            wildcard: false,
        };
        for expr in &pattern.exprs {
            let Some(ExprInstance::EVarBody(e)) = &expr.expr_instance else {
                continue;
            };
            match e.v.and_then(|v| v.var_instance) {
                Some(VarInstance::FreeVar(level)) if shape.var.is_none() => {
                    shape.var = Some(self.bindings.slot_for(level)?);
                }
                Some(VarInstance::Wildcard(_)) => shape.wildcard = true,
                _ => {}
            }
        }
        Some(shape)
    }

    /// Matches the components of a pattern without connectives, category by
    /// category; the par-level variable collects what is left of each.
    fn match_components(
        &mut self,
        target: &ParView<'t>,
        pattern: &Par,
        shape: ParShape,
    ) -> Outcome {
        if fixed_components(pattern) == ParCount::ZERO {
            // Nothing but free variables and wildcards: take everything.
            return match (shape.var, shape.wildcard) {
                (Some(slot), _) => self.capture_everything(target, slot),
                (None, true) => Ok(true),
                (None, false) => Ok(target.counts() == [0; 7]),
            };
        }
        let exprs: Vec<&Expr> = pattern
            .exprs
            .iter()
            .filter(|expr| !is_free_or_wildcard(expr))
            .collect();
        let (rest, wildcard) = (shape.var, shape.wildcard);
        Ok(
            self.list_match(&target.sends, &Items::Slice(&pattern.sends), rest, wildcard)?
                && self.list_match(
                    &target.receives,
                    &Items::Slice(&pattern.receives),
                    rest,
                    wildcard,
                )?
                && self.list_match(&target.news, &Items::Slice(&pattern.news), rest, wildcard)?
                && self.list_match(&target.exprs, &Items::Picked(exprs), rest, wildcard)?
                && self.list_match(
                    &target.matches,
                    &Items::Slice(&pattern.matches),
                    rest,
                    wildcard,
                )?
                && self.list_match(
                    &target.bundles,
                    &Items::Slice(&pattern.bundles),
                    rest,
                    wildcard,
                )?
                && self.list_match(
                    &target.unforgeables,
                    &Items::Slice(&pattern.unforgeables),
                    rest,
                    wildcard,
                )?,
        )
    }

    fn capture_everything(&mut self, target: &ParView<'t>, slot: VarSlot) -> Outcome {
        self.budget
            .charge(1 + target.counts().iter().sum::<usize>() as u64)?;
        if self.binders > 0
            && !(self.all_closed(&target.sends.to_vec())?
                && self.all_closed(&target.receives.to_vec())?
                && self.all_closed(&target.news.to_vec())?
                && self.all_closed(&target.exprs.to_vec())?
                && self.all_closed(&target.matches.to_vec())?
                && self.all_closed(&target.unforgeables.to_vec())?
                && self.all_closed(&target.bundles.to_vec())?)
        {
            return Ok(false);
        }
        match target.whole {
            Some(par) => self.bindings.capture_whole(slot, par),
            None => self.bindings.capture_par(
                slot,
                ParParts {
                    sends: target.sends.to_vec(),
                    receives: target.receives.to_vec(),
                    news: target.news.to_vec(),
                    exprs: target.exprs.to_vec(),
                    matches: target.matches.to_vec(),
                    unforgeables: target.unforgeables.to_vec(),
                    bundles: target.bundles.to_vec(),
                },
            ),
        }
        Ok(true)
    }

    /// Matches targets against patterns of one kind, in any order (the
    /// reference's `listMatchSingle_`): each pattern takes a distinct target;
    /// the targets left over go to `rest` if given, are dropped if
    /// `wildcard`, and otherwise there must be none.
    fn list_match<T: Component<'t>>(
        &mut self,
        targets: &Items<'t, T>,
        patterns: &Items<'_, T>,
        rest: Option<VarSlot>,
        wildcard: bool,
    ) -> Outcome {
        self.budget.charge(1)?;
        let (pattern_count, target_count) = (patterns.len(), targets.len());
        if rest.is_none() && !wildcard && pattern_count != target_count {
            return Ok(false);
        }
        if pattern_count > target_count {
            return Ok(false);
        }
        if pattern_count == 0 {
            return match rest {
                Some(slot) => self.capture_rest(slot, targets.to_vec()),
                None => Ok(true),
            };
        }
        if let (1, 1, Some(target), Some(pattern)) =
            (pattern_count, target_count, targets.get(0), patterns.get(0))
        {
            if !T::match_one(self, target, pattern)? {
                return Ok(false);
            }
            return match rest {
                Some(slot) => self.capture_rest::<T>(slot, Vec::new()),
                None => Ok(true),
            };
        }
        self.list_match_bipartite(targets, patterns, rest)
    }

    /// The general case of [`Matcher::list_match`]. As in the reference, the
    /// extra targets are claimed by placeholder patterns placed before the
    /// real ones; each real pattern then keeps the target the search leaves
    /// it, and binds what it bound against that target.
    fn list_match_bipartite<T: Component<'t>>(
        &mut self,
        targets: &Items<'t, T>,
        patterns: &Items<'_, T>,
        rest: Option<VarSlot>,
    ) -> Outcome {
        let target_count = targets.len();
        let pattern_count = patterns.len();
        let spare = if rest.is_some() {
            target_count.saturating_sub(pattern_count)
        } else {
            0
        };
        let mut memo: HashMap<(usize, usize), Option<Delta<'t>>> = HashMap::new();
        let mut closed_memo: Vec<Option<bool>> = vec![None; target_count];
        let owners = {
            let mut oracle = |pattern: usize, candidate: usize| -> Outcome {
                self.budget.charge(1)?;
                let Some(target) = targets.get(candidate) else {
                    return Ok(false);
                };
                if pattern < spare {
                    // A placeholder takes any target that can be captured.
                    if self.binders == 0 {
                        return Ok(true);
                    }
                    if let Some(Some(known)) = closed_memo.get(candidate) {
                        return Ok(*known);
                    }
                    let closed = T::is_closed(self.budget, target)?;
                    if let Some(slot) = closed_memo.get_mut(candidate) {
                        *slot = Some(closed);
                    }
                    return Ok(closed);
                }
                let key = (pattern - spare, candidate);
                if let Some(known) = memo.get(&key) {
                    return Ok(known.is_some());
                }
                let Some(pattern) = patterns.get(pattern - spare) else {
                    return Ok(false);
                };
                let mark = self.bindings.mark();
                let matched = T::match_one(self, target, pattern);
                let delta = match matched {
                    Ok(true) => Some(self.bindings.writes_since(mark)),
                    _ => None,
                };
                self.bindings.rollback(mark);
                let matched = matched?;
                memo.insert(key, delta);
                Ok(matched)
            };
            // Placing each placeholder would push the earlier ones one target
            // on, so together they end up on the first `spare` targets, if
            // those can all be captured.
            let mut preassigned = spare;
            for candidate in 0..spare {
                if !oracle(0, candidate)? {
                    preassigned = 0;
                    break;
                }
            }
            bipartite::assign(
                spare + pattern_count,
                target_count,
                preassigned,
                &mut oracle,
            )?
        };
        let Some(owners) = owners else {
            return Ok(false);
        };
        let mut target_of = vec![None; pattern_count];
        let mut leftover = Vec::new();
        for (candidate, owner) in owners.iter().enumerate() {
            match owner {
                Some(pattern) if *pattern >= spare => {
                    if let Some(slot) = target_of.get_mut(pattern - spare) {
                        *slot = Some(candidate);
                    }
                }
                Some(_) => leftover.extend(targets.get(candidate)),
                None => {}
            }
        }
        for (pattern, candidate) in target_of.iter().enumerate() {
            let Some(Some(delta)) = candidate.and_then(|candidate| memo.get(&(pattern, candidate)))
            else {
                return Ok(false);
            };
            self.bindings.apply(delta);
        }
        if let Some(slot) = rest {
            self.budget.charge(leftover.len() as u64)?;
            self.bindings.capture(slot, T::capture(leftover));
        }
        Ok(true)
    }

    /// Captures `items` into `slot` if they can all be captured.
    fn capture_rest<T: Component<'t>>(&mut self, slot: VarSlot, items: Vec<&'t T>) -> Outcome {
        self.budget.charge(items.len() as u64)?;
        if !self.all_closed(&items)? {
            return Ok(false);
        }
        self.bindings.capture(slot, T::capture(items));
        Ok(true)
    }

    fn all_closed<T: Component<'t>>(&mut self, items: &[&T]) -> Outcome {
        if self.binders == 0 {
            return Ok(true);
        }
        for item in items {
            if !T::is_closed(self.budget, item)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Matches a par pattern with connectives: each connective in turn takes
    /// a sub-Par of what is left (the ways tried in the reference's order),
    /// and the pattern's other components match the final rest.
    fn match_connectives(
        &mut self,
        target: &ParView<'t>,
        pattern: &Par,
        shape: ParShape,
    ) -> Outcome {
        let fixed = fixed_components(pattern);
        let open = shape.var.is_some() || shape.wildcard;
        let base: Bounds = (fixed, if open { ParCount::UNBOUNDED } else { fixed });
        let mut own = Vec::with_capacity(pattern.connectives.len());
        for connective in &pattern.connectives {
            own.push(self.bounds.connective_bounds(self.budget, connective)?);
        }
        // after[i]: the bounds of everything that follows connective i.
        let mut after = vec![base; own.len()];
        let mut accumulated = base;
        for (index, bounds) in own.iter().enumerate().rev() {
            if let Some(slot) = after.get_mut(index) {
                *slot = accumulated;
            }
            accumulated = (accumulated.0.plus(bounds.0), accumulated.1.plus(bounds.1));
        }
        let plan = ConnectivePlan {
            pattern,
            shape,
            own: &own,
            after: &after,
        };
        self.split_among(target, &plan, 0)
    }

    fn split_among(
        &mut self,
        target: &ParView<'t>,
        plan: &ConnectivePlan<'_>,
        index: usize,
    ) -> Outcome {
        stacker::maybe_grow(RED_ZONE, STACK_SEGMENT, || {
            self.split_among_now(target, plan, index)
        })
    }

    fn split_among_now(
        &mut self,
        target: &ParView<'t>,
        plan: &ConnectivePlan<'_>,
        index: usize,
    ) -> Outcome {
        let (Some(connective), Some(own), Some(after)) = (
            plan.pattern.connectives.get(index),
            plan.own.get(index),
            plan.after.get(index),
        ) else {
            return self.match_components(target, plan.pattern, plan.shape);
        };
        let lens = target.counts();
        let mut min = ParCount::ZERO;
        let mut max = ParCount::ZERO;
        for (category, len) in lens.iter().copied().enumerate() {
            // The connective must leave enough for the rest, and may not leave too much.
            let Some(most) = len.checked_sub(after.0.0[category]) else {
                return Ok(false);
            };
            max.0[category] = own.1.0[category].min(most);
            min.0[category] = own.0.0[category].max(len.saturating_sub(after.1.0[category]));
        }
        let Some(mut counter) = SubParCounter::first(lens, min, max) else {
            return Ok(false);
        };
        loop {
            self.budget.charge(1)?;
            let (taken, left) = split_view(target, &counter);
            let mark = self.bindings.mark();
            if self.match_connective(&taken, connective)?
                && self.split_among(&left, plan, index + 1)?
            {
                return Ok(true);
            }
            self.bindings.rollback(mark);
            if !counter.advance() {
                return Ok(false);
            }
        }
    }

    fn match_connective(&mut self, target: &ParView<'t>, connective: &Connective) -> Outcome {
        use ConnectiveInstance::*;
        self.budget.charge(1)?;
        let single = target
            .single_expr()
            .and_then(|expr| expr.expr_instance.as_ref());
        match &connective.connective_instance {
            Some(ConnAndBody(body)) => {
                for pattern in &body.ps {
                    if !self.match_par(target, pattern)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            // The first alternative that matches wins; what it bound is
            // dropped (free variables are not allowed under `\/`).
            Some(ConnOrBody(body)) => {
                for pattern in &body.ps {
                    let mark = self.bindings.mark();
                    let matched = self.match_par(target, pattern)?;
                    self.bindings.rollback(mark);
                    if matched {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Some(ConnNotBody(pattern)) => {
                let mark = self.bindings.mark();
                let matched = self.match_par(target, pattern)?;
                self.bindings.rollback(mark);
                Ok(!matched)
            }
            Some(ConnBool(_)) => Ok(matches!(single, Some(ExprInstance::GBool(_)))),
            Some(ConnInt(_)) => Ok(matches!(single, Some(ExprInstance::GInt(_)))),
            Some(ConnBigInt(_)) => Ok(matches!(single, Some(ExprInstance::GBigInt(_)))),
            Some(ConnString(_)) => Ok(matches!(single, Some(ExprInstance::GString(_)))),
            Some(ConnUri(_)) => Ok(matches!(single, Some(ExprInstance::GUri(_)))),
            Some(ConnByteArray(_)) => Ok(matches!(single, Some(ExprInstance::GByteArray(_)))),
            // `=x` should have been substituted by the caller.
            Some(VarRefBody(_)) | None => Ok(false),
        }
    }

    fn match_opt_par(&mut self, target: Option<&'t Par>, pattern: Option<&Par>) -> Outcome {
        self.match_par(&ParView::whole(par_or_nil(target)), par_or_nil(pattern))
    }

    /// Element-wise matching of two sequences of the same length.
    fn match_exact(&mut self, targets: &'t [Par], patterns: &[Par]) -> Outcome {
        if targets.len() != patterns.len() {
            return Ok(false);
        }
        for (target, pattern) in targets.iter().zip(patterns) {
            if !self.match_par(&ParView::whole(target), pattern)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn under_binder(&mut self, walk: impl FnOnce(&mut Self) -> Outcome) -> Outcome {
        self.binders = self.binders.saturating_add(1);
        let outcome = walk(self);
        self.binders = self.binders.saturating_sub(1);
        outcome
    }

    /// Reads a collection remainder; `None` when it can never match (a bound
    /// variable, a variable with no instance, or a free variable out of range).
    fn rest_of(&self, remainder: Option<&Var>) -> Option<Rest> {
        match remainder.map(|var| var.var_instance) {
            None => Some(Rest::Exact),
            Some(Some(VarInstance::FreeVar(level))) => self.bindings.slot_for(level).map(Rest::Var),
            Some(Some(VarInstance::Wildcard(_))) => Some(Rest::Wildcard),
            Some(Some(VarInstance::BoundVar(_)) | None) => None,
        }
    }

    fn match_expr(&mut self, target: &'t Expr, pattern: &Expr) -> Outcome {
        self.budget.charge(1)?;
        match (&target.expr_instance, &pattern.expr_instance) {
            (None, None) => Ok(true),
            (Some(target), Some(pattern)) => self.match_instance(target, pattern),
            _ => Ok(false),
        }
    }

    fn match_instance(&mut self, target: &'t ExprInstance, pattern: &ExprInstance) -> Outcome {
        use ExprInstance::*;
        if std::mem::discriminant(target) != std::mem::discriminant(pattern) {
            return Ok(false);
        }
        if let (Some((t1, t2)), Some((p1, p2))) =
            (equality::operands(target), equality::operands(pattern))
        {
            return Ok(self.match_opt_par(t1, p1)? && self.match_opt_par(t2, p2)?);
        }
        match (target, pattern) {
            (EListBody(t), EListBody(p)) => self.match_sequence(&t.ps, &p.ps, p.remainder.as_ref()),
            (ETupleBody(t), ETupleBody(p)) => self.match_exact(&t.ps, &p.ps),
            (ESetBody(t), ESetBody(p)) => {
                let Some(rest) = self.rest_of(p.remainder.as_ref()) else {
                    return Ok(false);
                };
                let (slot, wildcard) = rest.split();
                self.list_match(&Items::Slice(&t.ps), &Items::Slice(&p.ps), slot, wildcard)
            }
            (EMapBody(t), EMapBody(p)) => {
                let Some(rest) = self.rest_of(p.remainder.as_ref()) else {
                    return Ok(false);
                };
                let (slot, wildcard) = rest.split();
                self.list_match(&Items::Slice(&t.kvs), &Items::Slice(&p.kvs), slot, wildcard)
            }
            (EMethodBody(t), EMethodBody(p)) => Ok(t.method_name == p.method_name
                && self.match_opt_par(t.target.as_ref(), p.target.as_ref())?
                && self.match_exact(&t.arguments, &p.arguments)?),
            // The pattern of a `matches` is a pattern of its own: compared, not matched.
            (EMatchesBody(t), EMatchesBody(p)) => Ok(self
                .match_opt_par(t.target.as_ref(), p.target.as_ref())?
                && opt_par_eq(self.budget, t.pattern.as_ref(), p.pattern.as_ref())?),
            // Ground values and bound variables: equal or not.
            _ => Ok(target == pattern),
        }
    }
}

impl Rest {
    /// The remainder as the (variable, wildcard) pair of [`Matcher::list_match`].
    fn split(self) -> (Option<VarSlot>, bool) {
        match self {
            Rest::Exact => (None, false),
            Rest::Var(slot) => (Some(slot), false),
            Rest::Wildcard => (None, true),
        }
    }
}

/// A par pattern's connectives with their bounds.
struct ConnectivePlan<'p> {
    pattern: &'p Par,
    shape: ParShape,
    /// Per connective, how much of the target it can take.
    own: &'p [Bounds],
    /// Per connective, how much the connectives after it and the other
    /// components need.
    after: &'p [Bounds],
}

fn split_view<'t>(view: &ParView<'t>, counter: &SubParCounter) -> (ParView<'t>, ParView<'t>) {
    let (sends, rest_sends) = view.sends.split(counter.mask(0));
    let (receives, rest_receives) = view.receives.split(counter.mask(1));
    let (news, rest_news) = view.news.split(counter.mask(2));
    let (exprs, rest_exprs) = view.exprs.split(counter.mask(3));
    let (matches, rest_matches) = view.matches.split(counter.mask(4));
    let (unforgeables, rest_unforgeables) = view.unforgeables.split(counter.mask(5));
    let (bundles, rest_bundles) = view.bundles.split(counter.mask(6));
    (
        ParView {
            sends,
            receives,
            news,
            exprs,
            matches,
            unforgeables,
            bundles,
            whole: None,
        },
        ParView {
            sends: rest_sends,
            receives: rest_receives,
            news: rest_news,
            exprs: rest_exprs,
            matches: rest_matches,
            unforgeables: rest_unforgeables,
            bundles: rest_bundles,
            whole: None,
        },
    )
}

/// A kind of term that appears in lists matched in any order.
pub(crate) trait Component<'t>: Sized + 't {
    /// Matches one target against one pattern of this kind.
    fn match_one(matcher: &mut Matcher<'t, '_>, target: &'t Self, pattern: &Self) -> Outcome;
    /// Whether the target may be captured by a remainder.
    fn is_closed(budget: &mut MatchBudget, target: &Self) -> Outcome;
    /// What a remainder that captured `items` holds.
    fn capture(items: Vec<&'t Self>) -> Capture<'t>;
}

impl<'t> Component<'t> for Send {
    fn match_one(matcher: &mut Matcher<'t, '_>, target: &'t Send, pattern: &Send) -> Outcome {
        matcher.budget.charge(1)?;
        Ok(target.persistent == pattern.persistent
            && matcher.match_opt_par(target.chan.as_ref(), pattern.chan.as_ref())?
            && matcher.match_exact(&target.data, &pattern.data)?)
    }

    fn is_closed(budget: &mut MatchBudget, target: &Send) -> Outcome {
        closed::send_is_closed(budget, target)
    }

    fn capture(items: Vec<&'t Send>) -> Capture<'t> {
        Capture::Sends(items)
    }
}

impl<'t> Component<'t> for Receive {
    fn match_one(matcher: &mut Matcher<'t, '_>, target: &'t Receive, pattern: &Receive) -> Outcome {
        matcher.budget.charge(1)?;
        if target.persistent != pattern.persistent
            || target.peek != pattern.peek
            || target.bind_count != pattern.bind_count
        {
            return Ok(false);
        }
        Ok(matcher.list_match(
            &Items::Slice(&target.binds),
            &Items::Slice(&pattern.binds),
            None,
            false,
        )? && matcher.under_binder(|matcher| {
            matcher.match_opt_par(target.body.as_ref(), pattern.body.as_ref())
        })?)
    }

    fn is_closed(budget: &mut MatchBudget, target: &Receive) -> Outcome {
        closed::receive_is_closed(budget, target)
    }

    fn capture(items: Vec<&'t Receive>) -> Capture<'t> {
        Capture::Receives(items)
    }
}

impl<'t> Component<'t> for ReceiveBind {
    /// Bind patterns are compared for equality; the channels are matched.
    fn match_one(
        matcher: &mut Matcher<'t, '_>,
        target: &'t ReceiveBind,
        pattern: &ReceiveBind,
    ) -> Outcome {
        matcher.budget.charge(1)?;
        Ok(bind_patterns_eq(matcher.budget, target, pattern)?
            && matcher.match_opt_par(target.source.as_ref(), pattern.source.as_ref())?)
    }

    fn is_closed(budget: &mut MatchBudget, target: &ReceiveBind) -> Outcome {
        closed::bind_is_closed(budget, target)
    }

    fn capture(_: Vec<&'t ReceiveBind>) -> Capture<'t> {
        Capture::Ignored
    }
}

impl<'t> Component<'t> for New {
    fn match_one(matcher: &mut Matcher<'t, '_>, target: &'t New, pattern: &New) -> Outcome {
        Ok(new_header_eq(matcher.budget, target, pattern)?
            && matcher.under_binder(|matcher| {
                matcher.match_opt_par(target.p.as_ref(), pattern.p.as_ref())
            })?)
    }

    fn is_closed(budget: &mut MatchBudget, target: &New) -> Outcome {
        closed::new_is_closed(budget, target)
    }

    fn capture(items: Vec<&'t New>) -> Capture<'t> {
        Capture::News(items)
    }
}

impl<'t> Component<'t> for Expr {
    fn match_one(matcher: &mut Matcher<'t, '_>, target: &'t Expr, pattern: &Expr) -> Outcome {
        matcher.match_expr(target, pattern)
    }

    fn is_closed(budget: &mut MatchBudget, target: &Expr) -> Outcome {
        closed::expr_is_closed(budget, target)
    }

    fn capture(items: Vec<&'t Expr>) -> Capture<'t> {
        Capture::Exprs(items)
    }
}

impl<'t> Component<'t> for Match {
    fn match_one(matcher: &mut Matcher<'t, '_>, target: &'t Match, pattern: &Match) -> Outcome {
        matcher.budget.charge(1)?;
        if target.cases.len() != pattern.cases.len()
            || !matcher.match_opt_par(target.target.as_ref(), pattern.target.as_ref())?
        {
            return Ok(false);
        }
        for (target_case, pattern_case) in target.cases.iter().zip(&pattern.cases) {
            // A case's pattern is a pattern of its own: compared, not matched.
            if target_case.free_count != pattern_case.free_count
                || !opt_par_eq(
                    matcher.budget,
                    target_case.pattern.as_ref(),
                    pattern_case.pattern.as_ref(),
                )?
                || !matcher.under_binder(|matcher| {
                    matcher.match_opt_par(target_case.source.as_ref(), pattern_case.source.as_ref())
                })?
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn is_closed(budget: &mut MatchBudget, target: &Match) -> Outcome {
        closed::match_is_closed(budget, target)
    }

    fn capture(items: Vec<&'t Match>) -> Capture<'t> {
        Capture::Matches(items)
    }
}

impl<'t> Component<'t> for Bundle {
    fn match_one(matcher: &mut Matcher<'t, '_>, target: &'t Bundle, pattern: &Bundle) -> Outcome {
        matcher.budget.charge(1)?;
        Ok(target.write_flag == pattern.write_flag
            && target.read_flag == pattern.read_flag
            && matcher.match_opt_par(target.body.as_ref(), pattern.body.as_ref())?)
    }

    fn is_closed(budget: &mut MatchBudget, target: &Bundle) -> Outcome {
        closed::bundle_is_closed(budget, target)
    }

    fn capture(items: Vec<&'t Bundle>) -> Capture<'t> {
        Capture::Bundles(items)
    }
}

impl<'t> Component<'t> for GUnforgeable {
    fn match_one(
        matcher: &mut Matcher<'t, '_>,
        target: &'t GUnforgeable,
        pattern: &GUnforgeable,
    ) -> Outcome {
        matcher.budget.charge(1)?;
        Ok(target == pattern)
    }

    fn is_closed(_: &mut MatchBudget, _: &GUnforgeable) -> Outcome {
        Ok(true)
    }

    fn capture(items: Vec<&'t GUnforgeable>) -> Capture<'t> {
        Capture::Unforgeables(items)
    }
}

/// A set element.
impl<'t> Component<'t> for Par {
    fn match_one(matcher: &mut Matcher<'t, '_>, target: &'t Par, pattern: &Par) -> Outcome {
        matcher.match_par(&ParView::whole(target), pattern)
    }

    fn is_closed(budget: &mut MatchBudget, target: &Par) -> Outcome {
        closed::par_is_closed(budget, target)
    }

    fn capture(items: Vec<&'t Par>) -> Capture<'t> {
        Capture::Set(items)
    }
}

/// A map entry: the key is matched, then the value.
impl<'t> Component<'t> for KeyValuePair {
    fn match_one(
        matcher: &mut Matcher<'t, '_>,
        target: &'t KeyValuePair,
        pattern: &KeyValuePair,
    ) -> Outcome {
        Ok(
            matcher.match_opt_par(target.key.as_ref(), pattern.key.as_ref())?
                && matcher.match_opt_par(target.value.as_ref(), pattern.value.as_ref())?,
        )
    }

    fn is_closed(budget: &mut MatchBudget, target: &KeyValuePair) -> Outcome {
        closed::kv_is_closed(budget, target)
    }

    fn capture(items: Vec<&'t KeyValuePair>) -> Capture<'t> {
        Capture::Map(items)
    }
}
