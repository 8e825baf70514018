//! Stack-depth guards for the recursive walks over terms.
//!
//! Terms can be nested arbitrarily deeply (a list of 10,000 nested lists is
//! a valid value), and every walk in this crate recurses once per level.
//! Each recursive step runs through [`guarded`], which moves the rest of the
//! walk onto a fresh heap-allocated stack segment (via `stacker`) whenever
//! the current stack runs low, so no walk can overflow the thread's stack.
//!
//! prost's generated encoder recurses without such checks;
//! [`with_stack_for_depth`] runs it on a stack sized for the term's depth.

use crate::term::Term;

/// The stack that must be left before a recursive step runs in place.
///
/// It has to cover the deepest stack use between two calls of
/// [`guarded`], which is one level of a walk plus a slice sort.
const RED_ZONE: usize = 256 * 1024;

/// The size of each new stack segment.
const SEGMENT: usize = 4 * 1024 * 1024;

/// Bound on the stack that prost's encoder and the derived trait impls use
/// per level of message nesting. Measured in release builds: prost's
/// encoder under 270 bytes, derived `Clone` and `PartialEq` about 650.
const BYTES_PER_MESSAGE_LEVEL: usize = 2048;

/// Runs `step`, first switching to a new stack segment if the current one
/// has less than [`RED_ZONE`] left.
#[inline]
pub(crate) fn guarded<R>(step: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, step)
}

/// Runs `work`, which recurses at most `depth` message levels deep without
/// stack checks of its own (prost's encoder, derived `PartialEq`, ...), on a
/// stack that is large enough for it.
pub(crate) fn with_stack_for_depth<R>(depth: usize, work: impl FnOnce() -> R) -> R {
    let needed = depth
        .saturating_mul(BYTES_PER_MESSAGE_LEVEL)
        .saturating_add(RED_ZONE);
    match stacker::remaining_stack() {
        Some(remaining) if remaining >= needed => work(),
        _ => stacker::grow(needed, work),
    }
}

/// Drops a value that may be nested deeply, on a stack large enough for
/// the derived `Drop`, which recurses once per nested message.
pub(crate) fn drop_deep<T: Term>(value: T) {
    let depth = value.nesting_depth();
    with_stack_for_depth(depth, move || drop(value));
}
