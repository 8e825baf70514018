//! Environments: the values of the bound variables in scope.

use std::sync::Arc;

use crate::tuplespace::PerBind;
use crate::value::Value;

/// The values of bound variables, in binding order. A De Bruijn index `k`
/// names the `k`-th most recent binding.
#[derive(Clone)]
pub(crate) struct Env(Arc<[Value]>);

/// The empty environment, shared: tasks start and end with it, and an
/// empty `Arc<[Value]>` would otherwise be an allocation each time.
static EMPTY: std::sync::LazyLock<Arc<[Value]>> = std::sync::LazyLock::new(|| Arc::new([]));

impl Default for Env {
    fn default() -> Self {
        Env(Arc::clone(&EMPTY))
    }
}

impl Env {
    /// The value of De Bruijn index `index`, if it is in scope.
    pub(crate) fn get(&self, index: usize) -> Option<&Value> {
        self.0.len().checked_sub(index + 1).map(|i| &self.0[i])
    }

    /// This environment with `values` bound, in order (the last one gets
    /// index 0).
    pub(crate) fn extend(&self, values: Vec<Value>) -> Env {
        let added = values.len();
        self.with_added(added, values)
    }

    /// This environment with the values of each group bound, group after
    /// group (a COMM's bindings, one group per bind).
    pub(crate) fn extend_groups(&self, groups: PerBind<Vec<Value>>) -> Env {
        let added = groups.iter().map(Vec::len).sum();
        self.with_added(added, groups.into_iter().flatten())
    }

    /// This environment followed by `added` values from `values`, in one
    /// allocation. (`Chain` of a cloned slice iterator and a flattened
    /// vector is not `TrustedLen`, so collecting would allocate twice.)
    fn with_added(&self, added: usize, values: impl IntoIterator<Item = Value>) -> Env {
        if added == 0 {
            return self.clone();
        }
        let len = self.0.len() + added;
        let mut fresh = Arc::<[Value]>::new_uninit_slice(len);
        let all = self.0.iter().cloned().chain(values);
        let Some(slots) = Arc::get_mut(&mut fresh) else {
            return Env(all.collect());
        };
        let mut written = 0;
        for (slot, value) in slots.iter_mut().zip(all) {
            slot.write(value);
            written += 1;
        }
        assert_eq!(written, len, "an environment is filled to its length");
        // SAFETY: every one of the `len` slots was written above.
        Env(unsafe { fresh.assume_init() })
    }

    /// The number of bindings.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}
