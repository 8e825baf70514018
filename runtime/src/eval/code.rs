//! References to code: a subterm of a shared, immutable process.

use std::ptr::NonNull;
use std::sync::Arc;

use rho_host_abi::par::Par;

use crate::value::ProcValue;

/// A subterm of an immutable process, kept alive by the process itself.
///
/// Continuations are closures over code that was never copied: a receive's
/// body is stored as a `CodeRef` into the program (or into a process received
/// as data), plus the captured environment.
#[derive(Clone)]
pub(crate) struct CodeRef {
    root: Arc<ProcValue>,
    node: NonNull<Par>,
}

impl CodeRef {
    /// The whole of `root`.
    pub(crate) fn new(root: Arc<ProcValue>) -> CodeRef {
        let node = NonNull::from(root.par());
        CodeRef { root, node }
    }

    /// The subterm this refers to.
    pub(crate) fn get(&self) -> &Par {
        // SAFETY: `node` points into the Par owned by `root` (it was derived
        // from `root.par()` or from a reference obtained through `get` on a
        // CodeRef with the same root). The Par is never mutated after it is
        // wrapped in the Arc, and `self.root` keeps it alive for as long as
        // `self` exists.
        unsafe { self.node.as_ref() }
    }

    /// A subterm of this one: `child` must be reachable from [`CodeRef::get`].
    pub(crate) fn child(&self, child: &Par) -> CodeRef {
        CodeRef {
            root: Arc::clone(&self.root),
            node: NonNull::from(child),
        }
    }
}

// SAFETY: a CodeRef is an `Arc<ProcValue>` (Send + Sync) plus a pointer into
// the immutable data that Arc owns; sharing or sending it across threads is
// exactly as safe as sharing the Arc.
unsafe impl Send for CodeRef {}
// SAFETY: see above; `get` only hands out shared references.
unsafe impl Sync for CodeRef {}
