//! The spatial matcher: matches a target Par against a pattern Par.
//!
//! Rholang's `match`, the `matches` operator and the tuplespace (receives)
//! all decide whether a value fits a pattern, and what the pattern's free
//! variables capture. The semantics are those of the reference
//! implementation (RChain's `SpatialMatcher.scala` and
//! `MaximumBipartiteMatch.scala`).
//!
//! # Inputs
//!
//! - The **target** is a closed, canonical value: no free variables, no bound
//!   variables except under binders inside it, sorted by
//!   `rho_host_abi::sort::sort_par`.
//! - The **pattern** is sorted the same way and may contain free variables
//!   (`Var::FreeVar(n)`, numbered `0..free_count`), wildcards, connectives
//!   (`/\`, `\/`, `~`, `Bool`, `Int`, `BigInt`, `String`, `Uri`, `ByteArray`)
//!   and list, set and map remainders.
//! - Variable references (`=x`, [`VarRef`](rho_host_abi::par::VarRef)) and
//!   bound variables that refer outside the pattern must have been
//!   substituted by the caller. One that is still there never matches: a
//!   `VarRef` connective fails, and a bound variable is only equal to the
//!   same bound variable under the same binder of the target.
//!
//! # What matches what
//!
//! - A concrete part of a pattern (one without free variables, wildcards,
//!   connectives or remainders) matches only a structurally equal target.
//!   Equality ignores the cached `locally_free` and `connective_used` fields.
//! - A par pattern such as `x!(1) | y` splits the target's components among
//!   its components: per kind (sends, receives, news, expressions, matches,
//!   bundles, unforgeables), every pattern component takes a distinct target
//!   component (maximum bipartite matching), and the first free variable
//!   standing alone in the par (`y`) captures the components left over.
//!   A wildcard standing alone drops them instead. Without either, nothing
//!   may be left over.
//! - Connectives in a par take a sub-Par each before the other components
//!   are matched: `Int | x` gives one integer to `Int` and the rest to `x`.
//! - Lists and tuples match element by element; `[h ...t]` binds `t` to the
//!   list of the remaining elements. Sets and maps match in any order;
//!   `Set(2 ...rest)` and `{"k": v ...rest}` bind `rest` to the set or map of
//!   the remaining elements.
//! - Sends, receives, `new`s, `match`es and bundles match field by field.
//!   The patterns inside a quoted receive's binds or a quoted `match`'s
//!   cases are compared for equality, not matched.
//! - A remainder (a free variable capturing leftover components or
//!   elements) only captures components that do not refer to binders
//!   outside themselves, so a capture is always a closed value.
//!
//! # Which bindings, when several are possible
//!
//! The result is deterministic and follows the reference's search order:
//! - In a bipartite matching, leftover placeholders come first and claim
//!   the first targets; the real patterns are then placed in pattern order,
//!   each trying the targets in target order and displacing an earlier
//!   owner only if that owner can move on to a later target. If that finds
//!   no assignment, a complete search (owners may move to any target) is
//!   run, so a match is found whenever one exists.
//! - Connectives are tried left to right; each tries the sub-Pars in the
//!   reference's order (per kind, subsets in binary counting order with the
//!   first component as the lowest bit; across kinds, sends vary slowest).
//! - `\/` takes the first alternative that matches; `/\` matches all.
//! - Only the first free variable standing alone in a par captures; further
//!   ones are bound to Nil.
//!
//! # Differences from the reference
//!
//! - The reference's forward-only bipartite search can miss an assignment
//!   that exists; this matcher then falls back to a complete search.
//! - When the reference captures leftover components it selects them by
//!   value, so two equal components can both be captured although one of
//!   them was matched; here leftovers are selected by position.
//! - Quoted `new`s also compare their URIs and injections, quoted receives
//!   their `peek` flag and bind count, quoted receive binds their remainder
//!   and free count, and quoted match cases their free count; bundles,
//!   comparisons, boolean operators, method calls and `matches` inside
//!   patterns are matched structurally. The reference ignores those fields,
//!   or fails to match those terms when the pattern has free variables in
//!   them.
//! - A bound variable used as a list, set or map remainder never matches.
//!
//! # Cost
//!
//! Work is counted in steps against a [`MatchBudget`]; par and set patterns
//! can take time exponential in the size of the target (connectives try
//! sub-Pars), and the budget bounds that. Everything else is close to
//! linear: which parts of a pattern are concrete, and the bounds of nested
//! connectives, are computed once per match, and the placeholders for a
//! remainder are placed without search. Deeply nested terms are handled on
//! a growable stack (the `stacker` crate), so nesting depth is limited only
//! by memory and the budget.

mod bindings;
mod bipartite;
mod bounds;
mod budget;
mod closed;
mod concrete;
mod equality;
mod spatial;
mod subsets;
mod view;

use rho_host_abi::par::{Par, Var};

use bindings::BindingMode;
pub use budget::{MatchBudget, MatchError};
use spatial::Matcher;
use view::ParView;

/// The stack that must remain before the matcher recurses further.
const RED_ZONE: usize = 128 * 1024;
/// The size of each additional stack segment.
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// Matches `target` against `pattern`.
///
/// Returns `Ok(Some(bindings))` on a match: `bindings[n]` is the value
/// captured by free variable `n`, for every `n` in `0..free_count` (a
/// variable that captured nothing is Nil). Remainders are bound to a Par
/// holding one `EList`, `ESet` or `EMap`. Bound values are canonical
/// (sorted), since they are made of parts of the sorted target.
/// Returns `Ok(None)` when the pattern does not match.
///
/// A pattern that uses a free variable outside `0..free_count` (a
/// pattern and free count that do not belong together) does not match.
///
/// # Errors
///
/// [`MatchError::OutOfBudget`] when `budget` runs out first.
///
/// # Examples
///
/// `match [1, 2, 3] { [head ...tail] => ... }`:
///
/// ```
/// use rho_host_abi::par::expr::ExprInstance;
/// use rho_host_abi::par::var::VarInstance;
/// use rho_host_abi::par::{EList, EVar, Expr, Par, Var};
/// use rho_runtime::matcher::{match_par, MatchBudget};
///
/// fn expr(instance: ExprInstance) -> Par {
///     Par { exprs: vec![Expr { expr_instance: Some(instance) }], ..Par::default() }
/// }
/// let int = |n| expr(ExprInstance::GInt(n));
/// let free = |n| Var { var_instance: Some(VarInstance::FreeVar(n)) };
/// let list = |ps: Vec<Par>, remainder: Option<Var>| {
///     expr(ExprInstance::EListBody(EList { ps, remainder, ..EList::default() }))
/// };
///
/// let target = list(vec![int(1), int(2), int(3)], None);
/// let head = expr(ExprInstance::EVarBody(EVar { v: Some(free(0)) }));
/// let pattern = list(vec![head], Some(free(1)));
///
/// let mut budget = MatchBudget::new(10_000);
/// let bindings = match_par(&target, &pattern, 2, &mut budget)?;
/// assert_eq!(bindings, Some(vec![int(1), list(vec![int(2), int(3)], None)]));
///
/// // A string does not fit a list pattern.
/// let mismatch = match_par(&expr(ExprInstance::GString("a".into())), &pattern, 2, &mut budget)?;
/// assert_eq!(mismatch, None);
/// # Ok::<(), rho_runtime::matcher::MatchError>(())
/// ```
pub fn match_par(
    target: &Par,
    pattern: &Par,
    free_count: usize,
    budget: &mut MatchBudget,
) -> Result<Option<Vec<Par>>, MatchError> {
    let mut matcher = Matcher::new(budget, BindingMode::Record { free_count });
    if !matcher.match_par(&ParView::whole(target), pattern)? {
        return Ok(None);
    }
    Ok(Some(matcher.into_bindings().into_pars()))
}

/// Matches a list of targets against a list of patterns, element by
/// element: the data of a send against the patterns of a receive bind, or
/// any tuple-like list of names.
///
/// Without a remainder the lengths must be equal. A `remainder` that is a
/// free variable binds an `EList` of the targets beyond the patterns (the
/// empty list if there are none); a wildcard remainder drops them. The
/// remainder's free variable counts among the pattern's `free_count`
/// variables. A remainder that is a bound variable never matches.
///
/// Returns the bindings as [`match_par`] does.
///
/// # Errors
///
/// As [`match_par`].
///
/// # Examples
///
/// `for (@a ...@rest <- ch)` receiving `1, 2, 3`:
///
/// ```
/// use rho_host_abi::par::expr::ExprInstance;
/// use rho_host_abi::par::var::VarInstance;
/// use rho_host_abi::par::{EList, EVar, Expr, Par, Var};
/// use rho_runtime::matcher::{match_list, MatchBudget};
///
/// fn expr(instance: ExprInstance) -> Par {
///     Par { exprs: vec![Expr { expr_instance: Some(instance) }], ..Par::default() }
/// }
/// let int = |n| expr(ExprInstance::GInt(n));
/// let free = |n| Var { var_instance: Some(VarInstance::FreeVar(n)) };
///
/// let data = [int(1), int(2), int(3)];
/// let patterns = [expr(ExprInstance::EVarBody(EVar { v: Some(free(0)) }))];
/// let mut budget = MatchBudget::new(10_000);
///
/// let bindings = match_list(&data, &patterns, Some(&free(1)), 2, &mut budget)?;
/// let rest = expr(ExprInstance::EListBody(EList { ps: vec![int(2), int(3)], ..EList::default() }));
/// assert_eq!(bindings, Some(vec![int(1), rest]));
///
/// // Without the remainder, three data do not fit one pattern.
/// assert_eq!(match_list(&data, &patterns, None, 1, &mut budget)?, None);
/// # Ok::<(), rho_runtime::matcher::MatchError>(())
/// ```
pub fn match_list(
    targets: &[Par],
    patterns: &[Par],
    remainder: Option<&Var>,
    free_count: usize,
    budget: &mut MatchBudget,
) -> Result<Option<Vec<Par>>, MatchError> {
    let mut matcher = Matcher::new(budget, BindingMode::Record { free_count });
    if !matcher.match_sequence(targets, patterns, remainder)? {
        return Ok(None);
    }
    Ok(Some(matcher.into_bindings().into_pars()))
}

/// Whether `target` matches `pattern`, without building the bindings: the
/// `matches` operator. Free variables of any (non-negative) number are
/// accepted; a negative one does not match.
///
/// # Errors
///
/// [`MatchError::OutOfBudget`] when `budget` runs out first.
///
/// # Examples
///
/// `"abc" matches String` and `7 matches ~Int`:
///
/// ```
/// use rho_host_abi::par::connective::ConnectiveInstance;
/// use rho_host_abi::par::expr::ExprInstance;
/// use rho_host_abi::par::{Connective, Expr, Par};
/// use rho_runtime::matcher::{matches, MatchBudget};
///
/// fn expr(instance: ExprInstance) -> Par {
///     Par { exprs: vec![Expr { expr_instance: Some(instance) }], ..Par::default() }
/// }
/// fn connective(instance: ConnectiveInstance) -> Par {
///     Par { connectives: vec![Connective { connective_instance: Some(instance) }], ..Par::default() }
/// }
///
/// let mut budget = MatchBudget::new(10_000);
/// let string = connective(ConnectiveInstance::ConnString(true));
/// assert!(matches(&expr(ExprInstance::GString("abc".into())), &string, &mut budget)?);
///
/// let not_int = connective(ConnectiveInstance::ConnNotBody(connective(ConnectiveInstance::ConnInt(true))));
/// assert!(!matches(&expr(ExprInstance::GInt(7)), &not_int, &mut budget)?);
/// # Ok::<(), rho_runtime::matcher::MatchError>(())
/// ```
pub fn matches(target: &Par, pattern: &Par, budget: &mut MatchBudget) -> Result<bool, MatchError> {
    Matcher::new(budget, BindingMode::Discard).match_par(&ParView::whole(target), pattern)
}
