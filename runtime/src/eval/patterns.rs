//! Patterns as the evaluator uses them: prepared once per receive or match,
//! with fast paths for the common shapes and the spatial matcher for the rest.
//!
//! A pattern that only binds variables (`@x`, `x`, `_`) or compares against a
//! ground value binds directly from the values; anything else (collections
//! with remainders, connectives, quoted processes) goes through
//! [`crate::matcher`] on the values' Par forms.

use rho_host_abi::par::{Par, Var, expr::ExprInstance, var::VarInstance};

use crate::error::RuntimeError;
use crate::matcher::{self, MatchBudget, MatchError};
use crate::phlo::{CostTable, PhloMeter};
use crate::tuplespace::Matcher;
use crate::value::Value;

/// One element of a prepared pattern list.
#[derive(Clone, Debug)]
enum Element {
    /// A free variable: binds the value.
    Bind,
    /// `_`: accepts any value.
    Wildcard,
    /// A ground value: accepts only an equal value.
    Equal(Value),
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
    /// Rholang patterns.
    Patterns(PatternList),
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
    ) -> Result<Option<Vec<Value>>, RuntimeError> {
        if let Some(elements) = &self.fast {
            if elements.len() != values.len() {
                return Ok(None);
            }
            let mut bindings = Vec::with_capacity(self.free_count);
            for (element, value) in elements.iter().zip(values) {
                match element {
                    Element::Bind => bindings.push(value.clone()),
                    Element::Wildcard => {}
                    Element::Equal(expected) if expected == value => {}
                    Element::Equal(_) => return Ok(None),
                }
            }
            return Ok(Some(bindings));
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
    ) -> Result<Option<Vec<Value>>, RuntimeError> {
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

/// The fast form of every pattern, if they all have one and the free
/// variables appear in order.
fn fast_elements(patterns: &[Par], free_count: usize) -> Option<Vec<Element>> {
    let mut next_free = 0;
    let mut elements = Vec::with_capacity(patterns.len());
    for pattern in patterns {
        let element = match single_var(pattern) {
            Some(VarInstance::FreeVar(index)) if *index == next_free => {
                next_free += 1;
                Element::Bind
            }
            Some(VarInstance::Wildcard(_)) => Element::Wildcard,
            Some(_) => return None,
            None if is_ground(pattern) => Element::Equal(Value::from_par(pattern.clone())),
            None => return None,
        };
        elements.push(element);
    }
    (next_free as usize == free_count).then_some(elements)
}

/// The variable a pattern consists of, if it is a lone variable.
fn single_var(pattern: &Par) -> Option<&VarInstance> {
    let only_one_expr = pattern.exprs.len() == 1
        && pattern.sends.is_empty()
        && pattern.receives.is_empty()
        && pattern.news.is_empty()
        && pattern.matches.is_empty()
        && pattern.unforgeables.is_empty()
        && pattern.bundles.is_empty()
        && pattern.connectives.is_empty();
    if !only_one_expr {
        return None;
    }
    match &pattern.exprs[0].expr_instance {
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
    pattern.exprs.iter().all(|expr| match &expr.expr_instance {
        Some(
            ExprInstance::GBool(_)
            | ExprInstance::GInt(_)
            | ExprInstance::GBigInt(_)
            | ExprInstance::GString(_)
            | ExprInstance::GUri(_)
            | ExprInstance::GByteArray(_),
        ) => true,
        _ => false,
    })
}

/// The tuplespace's view of pattern matching: charges phlo to the meter.
pub(crate) struct SpaceMatcher<'a> {
    pub(crate) costs: &'a CostTable,
    pub(crate) meter: &'a mut PhloMeter,
}

impl Matcher<BindPattern> for SpaceMatcher<'_> {
    type Bindings = Vec<Value>;

    fn match_data(
        &mut self,
        pattern: &BindPattern,
        values: &[Value],
    ) -> Result<Option<Vec<Value>>, RuntimeError> {
        match pattern {
            BindPattern::Arity(arity) if *arity == values.len() => Ok(Some(values.to_vec())),
            BindPattern::Arity(_) => Ok(None),
            BindPattern::Patterns(list) => list.match_values(values, self.costs, self.meter),
        }
    }
}
