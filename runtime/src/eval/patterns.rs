//! Patterns as the evaluator uses them: prepared once per receive or match,
//! with fast paths for the common shapes and the spatial matcher for the rest.
//!
//! A pattern that only binds variables (`@x`, `x`, `_`) or compares against a
//! ground value binds directly from the values; anything else (collections
//! with remainders, connectives, quoted processes) goes through
//! [`crate::matcher`] on the values' Par forms.

use std::sync::Arc;

use rho_host_abi::par::{Par, Var, expr::ExprInstance, var::VarInstance};

use crate::error::RuntimeError;
use crate::matcher::{self, MatchBudget, MatchError};
use crate::phlo::{CostTable, PhloMeter};
use crate::tuplespace::Matcher;
use crate::value::Value;

/// What a pattern list binds, in order: inline up to two values, so the
/// usual one- or two-variable receive allocates nothing for it.
pub(crate) type Bound = smallvec::SmallVec<[Value; 2]>;

/// One element of a prepared pattern list, matched directly on values.
#[derive(Clone, Debug)]
enum Element {
    /// A free variable: binds the value to this free-variable index.
    Bind(usize),
    /// `_`: accepts any value.
    Wildcard,
    /// A ground value: accepts only an equal value.
    Equal(Value),
    /// A list pattern `[p1, ..., pn]` or `[p1, ..., pn ...rest]`.
    List {
        items: Vec<Element>,
        rest: Option<Rest>,
    },
    /// A tuple pattern `(p1, ..., pn)`.
    Tuple(Vec<Element>),
}

/// The remainder of a list pattern.
#[derive(Clone, Copy, Debug)]
enum Rest {
    Bind(usize),
    Wildcard,
}

/// A prepared list of patterns (one receive bind, or one match case).
#[derive(Clone, Debug)]
pub(crate) struct PatternList {
    patterns: Vec<Par>,
    remainder: Option<Var>,
    free_count: usize,
    /// Set when every pattern has a fast form and there is no remainder.
    fast: Option<Vec<Element>>,
}

/// The pattern of a tuplespace bind.
#[derive(Clone, Debug)]
pub(crate) enum BindPattern {
    /// Rholang patterns (shared: compiled code prepares a receive's
    /// patterns once per module when they do not depend on the environment).
    Patterns(Arc<PatternList>),
    /// A system process: accepts any datum of this many values and binds
    /// them all.
    Arity(usize),
}

impl PatternList {
    /// Prepares `patterns` (already substituted) with `free_count` free
    /// variables and an optional remainder.
    pub(crate) fn new(
        patterns: Vec<Par>,
        remainder: Option<Var>,
        free_count: usize,
    ) -> PatternList {
        let fast = if remainder.is_none() {
            fast_elements(&patterns, free_count)
        } else {
            None
        };
        PatternList {
            patterns,
            remainder,
            free_count,
            fast,
        }
    }

    /// The number of free variables the patterns bind.
    pub(crate) fn free_count(&self) -> usize {
        self.free_count
    }

    /// Matches `values` against the patterns; the bindings are in
    /// free-variable order.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::OutOfPhlo`] when matching runs out of phlo.
    pub(crate) fn match_values(
        &self,
        values: &[Value],
        costs: &CostTable,
        meter: &mut PhloMeter,
    ) -> Result<Option<Bound>, RuntimeError> {
        if let Some(elements) = &self.fast {
            if elements.len() != values.len() {
                return Ok(None);
            }
            // Every free variable has exactly one element that binds it
            // (`fast_elements` checks), so a match fills every slot.
            let mut slots: Bound = smallvec::smallvec![Value::Nil; self.free_count];
            for (element, value) in elements.iter().zip(values) {
                if !match_element(element, value, &mut slots) {
                    return Ok(None);
                }
            }
            return Ok(Some(slots));
        }
        let targets: Vec<Par> = values.iter().map(Value::to_par).collect();
        let step_price = costs.match_step.max(1);
        let steps_left = (meter.limit() - meter.spent()) / step_price;
        let mut budget = MatchBudget::new(steps_left);
        let result = matcher::match_list(
            &targets,
            &self.patterns,
            self.remainder.as_ref(),
            self.free_count,
            &mut budget,
        );
        meter.charge(budget.used() * step_price)?;
        match result {
            Ok(Some(bound)) => Ok(Some(bound.into_iter().map(Value::from_par).collect())),
            Ok(None) => Ok(None),
            Err(MatchError::OutOfBudget) => Err(RuntimeError::OutOfPhlo),
        }
    }

    /// Matches a single value (a `match` case or `matches`).
    ///
    /// # Errors
    ///
    /// As [`PatternList::match_values`].
    pub(crate) fn match_value(
        &self,
        value: &Value,
        costs: &CostTable,
        meter: &mut PhloMeter,
    ) -> Result<Option<Bound>, RuntimeError> {
        self.match_values(std::slice::from_ref(value), costs, meter)
    }
}

/// The number of free variables of a pattern (one more than the highest
/// free-variable index in it), for `matches`, whose Par carries no count.
pub(crate) fn free_var_count(pattern: &Par) -> usize {
    let mut highest: Option<i32> = None;
    let mut stack: Vec<&Par> = vec![pattern];
    let mut note = |var: Option<&Var>| {
        if let Some(Var {
            var_instance: Some(VarInstance::FreeVar(index)),
        }) = var
        {
            highest = Some(highest.map_or(*index, |h: i32| h.max(*index)));
        }
    };
    while let Some(par) = stack.pop() {
        for expr in &par.exprs {
            match &expr.expr_instance {
                Some(ExprInstance::EVarBody(evar)) => note(evar.v.as_ref()),
                Some(ExprInstance::EListBody(list)) => {
                    note(list.remainder.as_ref());
                    stack.extend(&list.ps);
                }
                Some(ExprInstance::ETupleBody(tuple)) => stack.extend(&tuple.ps),
                Some(ExprInstance::ESetBody(set)) => {
                    note(set.remainder.as_ref());
                    stack.extend(&set.ps);
                }
                Some(ExprInstance::EMapBody(map)) => {
                    note(map.remainder.as_ref());
                    for kv in &map.kvs {
                        stack.extend(kv.key.as_ref());
                        stack.extend(kv.value.as_ref());
                    }
                }
                _ => {}
            }
        }
        for send in &par.sends {
            stack.extend(send.chan.as_ref());
            stack.extend(&send.data);
        }
        for bundle in &par.bundles {
            stack.extend(bundle.body.as_ref());
        }
        for connective in &par.connectives {
            use rho_host_abi::par::connective::ConnectiveInstance;
            match &connective.connective_instance {
                Some(
                    ConnectiveInstance::ConnAndBody(body) | ConnectiveInstance::ConnOrBody(body),
                ) => stack.extend(&body.ps),
                Some(ConnectiveInstance::ConnNotBody(body)) => stack.push(body),
                _ => {}
            }
        }
        for receive in &par.receives {
            for bind in &receive.binds {
                note(bind.remainder.as_ref());
                stack.extend(bind.source.as_ref());
            }
        }
    }
    highest.map_or(0, |h| usize::try_from(h).unwrap_or(0) + 1)
}

/// Matches one value against a fast element, filling `slots`.
fn match_element(element: &Element, value: &Value, slots: &mut [Value]) -> bool {
    match element {
        Element::Bind(index) => {
            slots[*index] = value.clone();
            true
        }
        Element::Wildcard => true,
        Element::Equal(expected) => expected == value,
        Element::Tuple(items) => match value {
            Value::Tuple(values) if values.len() == items.len() => items
                .iter()
                .zip(values.iter())
                .all(|(item, value)| match_element(item, value, slots)),
            _ => false,
        },
        Element::List { items, rest } => {
            let Value::List(list) = value else {
                return false;
            };
            let fits = match rest {
                None => list.len() == items.len(),
                Some(_) => list.len() >= items.len(),
            };
            if !fits {
                return false;
            }
            let heads_match = items
                .iter()
                .zip(list.items().iter())
                .all(|(item, value)| match_element(item, value, slots));
            if !heads_match {
                return false;
            }
            if let Some(Rest::Bind(index)) = rest {
                slots[*index] = Value::List(std::sync::Arc::new(list.skip(items.len())));
            }
            true
        }
    }
}

/// The fast form of every pattern, if they all have one and their free
/// variables are exactly `0..free_count`, each bound once.
fn fast_elements(patterns: &[Par], free_count: usize) -> Option<Vec<Element>> {
    let mut seen = vec![false; free_count];
    let elements = patterns
        .iter()
        .map(|pattern| fast_element(pattern, &mut seen))
        .collect::<Option<Vec<_>>>()?;
    seen.iter().all(|bound| *bound).then_some(elements)
}

/// Marks free-variable `index` as bound; `None` if it is out of range or
/// bound twice.
fn claim(seen: &mut [bool], index: i32) -> Option<usize> {
    let index = usize::try_from(index).ok()?;
    let slot = seen.get_mut(index)?;
    if *slot {
        return None;
    }
    *slot = true;
    Some(index)
}

/// The fast form of one pattern, if it has one.
fn fast_element(pattern: &Par, seen: &mut [bool]) -> Option<Element> {
    match single_var(pattern) {
        Some(VarInstance::FreeVar(index)) => return Some(Element::Bind(claim(seen, *index)?)),
        Some(VarInstance::Wildcard(_)) => return Some(Element::Wildcard),
        Some(VarInstance::BoundVar(_)) => return None,
        None => {}
    }
    if is_ground(pattern) {
        return Some(Element::Equal(Value::from_par(pattern.clone())));
    }
    let expr = single_expr(pattern)?;
    match &expr.expr_instance {
        Some(ExprInstance::EListBody(list)) => {
            let items = list
                .ps
                .iter()
                .map(|item| fast_element(item, seen))
                .collect::<Option<Vec<_>>>()?;
            let rest = match list
                .remainder
                .as_ref()
                .and_then(|v| v.var_instance.as_ref())
            {
                None => None,
                Some(VarInstance::FreeVar(index)) => Some(Rest::Bind(claim(seen, *index)?)),
                Some(VarInstance::Wildcard(_)) => Some(Rest::Wildcard),
                Some(VarInstance::BoundVar(_)) => return None,
            };
            Some(Element::List { items, rest })
        }
        Some(ExprInstance::ETupleBody(tuple)) => Some(Element::Tuple(
            tuple
                .ps
                .iter()
                .map(|item| fast_element(item, seen))
                .collect::<Option<Vec<_>>>()?,
        )),
        _ => None,
    }
}

/// The expression a pattern consists of, if it is a lone expression.
fn single_expr(pattern: &Par) -> Option<&rho_host_abi::par::Expr> {
    let lone = pattern.exprs.len() == 1
        && pattern.sends.is_empty()
        && pattern.receives.is_empty()
        && pattern.news.is_empty()
        && pattern.matches.is_empty()
        && pattern.unforgeables.is_empty()
        && pattern.bundles.is_empty()
        && pattern.connectives.is_empty();
    lone.then(|| &pattern.exprs[0])
}

/// The variable a pattern consists of, if it is a lone variable.
pub(super) fn single_var(pattern: &Par) -> Option<&VarInstance> {
    match &single_expr(pattern)?.expr_instance {
        Some(ExprInstance::EVarBody(evar)) => evar.v.as_ref()?.var_instance.as_ref(),
        _ => None,
    }
}

/// Whether a pattern is plain data: no variables, wildcards or connectives
/// anywhere, and nothing that only a spatial match can compare.
fn is_ground(pattern: &Par) -> bool {
    if pattern.connective_used
        || !pattern.connectives.is_empty()
        || !pattern.sends.is_empty()
        || !pattern.receives.is_empty()
        || !pattern.news.is_empty()
        || !pattern.matches.is_empty()
        || !pattern.bundles.is_empty()
    {
        return false;
    }
    pattern.exprs.iter().all(|expr| {
        matches!(
            &expr.expr_instance,
            Some(
                ExprInstance::GBool(_)
                    | ExprInstance::GInt(_)
                    | ExprInstance::GBigInt(_)
                    | ExprInstance::GString(_)
                    | ExprInstance::GUri(_)
                    | ExprInstance::GByteArray(_),
            )
        )
    })
}

/// The tuplespace's view of pattern matching: charges phlo to the meter.
pub(crate) struct SpaceMatcher<'a> {
    pub(crate) costs: &'a CostTable,
    pub(crate) meter: &'a mut PhloMeter,
}

impl Matcher<BindPattern> for SpaceMatcher<'_> {
    type Bindings = Bound;

    fn match_data(
        &mut self,
        pattern: &BindPattern,
        values: &[Value],
    ) -> Result<Option<Bound>, RuntimeError> {
        match pattern {
            BindPattern::Arity(arity) if *arity == values.len() => Ok(Some(Bound::from(values))),
            BindPattern::Arity(_) => Ok(None),
            BindPattern::Patterns(list) => list.match_values(values, self.costs, self.meter),
        }
    }
}

#[cfg(test)]
mod tests {
    use rho_host_abi::par::{EList, ETuple, EVar, Expr, Var, var::WildcardMsg};

    use super::*;

    fn expr(instance: ExprInstance) -> Par {
        Par {
            exprs: vec![Expr {
                expr_instance: Some(instance),
            }],
            ..Par::default()
        }
    }

    fn var(instance: VarInstance) -> Var {
        Var {
            var_instance: Some(instance),
        }
    }

    fn free(index: i32) -> Par {
        let mut par = expr(ExprInstance::EVarBody(EVar {
            v: Some(var(VarInstance::FreeVar(index))),
        }));
        par.connective_used = true;
        par
    }

    fn wildcard() -> Par {
        let mut par = expr(ExprInstance::EVarBody(EVar {
            v: Some(var(VarInstance::Wildcard(WildcardMsg {}))),
        }));
        par.connective_used = true;
        par
    }

    fn list(items: Vec<Par>, remainder: Option<Var>) -> Par {
        let connective_used = remainder.is_some() || items.iter().any(|p| p.connective_used);
        let mut par = expr(ExprInstance::EListBody(EList {
            ps: items,
            remainder,
            connective_used,
            ..EList::default()
        }));
        par.connective_used = connective_used;
        par
    }

    fn tuple(items: Vec<Par>) -> Par {
        let connective_used = items.iter().any(|p| p.connective_used);
        let mut par = expr(ExprInstance::ETupleBody(ETuple {
            ps: items,
            connective_used,
            ..ETuple::default()
        }));
        par.connective_used = connective_used;
        par
    }

    fn int(i: i64) -> Par {
        expr(ExprInstance::GInt(i))
    }

    /// The fast path and the spatial matcher agree on every case.
    #[test]
    fn fast_path_agrees_with_the_spatial_matcher() {
        let patterns: Vec<(Par, usize)> = vec![
            (list(vec![], None), 0),
            (list(vec![free(0)], Some(var(VarInstance::FreeVar(1)))), 2),
            (
                list(vec![free(0), free(1)], Some(var(VarInstance::FreeVar(2)))),
                3,
            ),
            (
                list(
                    vec![int(1), wildcard()],
                    Some(var(VarInstance::Wildcard(WildcardMsg {}))),
                ),
                0,
            ),
            (list(vec![free(0), int(2)], None), 1),
            (tuple(vec![free(0), list(vec![free(1)], None)]), 2),
            (tuple(vec![int(1), wildcard()]), 0),
        ];
        let values = vec![
            Value::list([]),
            Value::list([Value::Int(1)]),
            Value::list([Value::Int(1), Value::Int(2)]),
            Value::list([Value::Int(1), Value::Int(2), Value::Int(3)]),
            Value::list([Value::Int(5), Value::string("x")]),
            Value::tuple(vec![Value::Int(1), Value::list([Value::Int(9)])]),
            Value::tuple(vec![Value::Int(2), Value::Nil]),
            Value::Int(1),
        ];
        for (pattern, free_count) in &patterns {
            let fast = PatternList::new(vec![pattern.clone()], None, *free_count);
            assert!(fast.fast.is_some(), "no fast form for {pattern:?}");
            for value in &values {
                let mut meter = PhloMeter::new(u64::MAX);
                let by_fast = fast.match_value(value, &CostTable::V1, &mut meter).unwrap();
                let mut budget = MatchBudget::unlimited();
                let by_matcher = matcher::match_list(
                    &[value.to_par()],
                    std::slice::from_ref(pattern),
                    None,
                    *free_count,
                    &mut budget,
                )
                .unwrap()
                .map(|bound| bound.into_iter().map(Value::from_par).collect::<Bound>());
                assert_eq!(by_fast, by_matcher, "pattern {pattern:?} against {value:?}");
            }
        }
    }

    #[test]
    fn a_variable_bound_twice_has_no_fast_form() {
        let pattern = list(vec![free(0), free(0)], None);
        assert!(PatternList::new(vec![pattern], None, 1).fast.is_none());
    }
}
