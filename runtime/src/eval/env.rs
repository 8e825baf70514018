//! Environments: the values of the bound variables in scope.

use std::sync::Arc;

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
        self.extend_groups(vec![values])
    }

    /// This environment with the values of each group bound, group after
    /// group (a COMM's bindings, one group per bind). One allocation.
    pub(crate) fn extend_groups(&self, groups: Vec<Vec<Value>>) -> Env {
        let added: usize = groups.iter().map(Vec::len).sum();
        if added == 0 {
            return self.clone();
        }
        let len = self.0.len() + added;
        // `Chain` of a cloned slice iterator and a flattened vector is not
        // `TrustedLen`, so collecting would allocate twice; the length is
        // known, so the slice is filled in place.
        let mut fresh = Arc::<[Value]>::new_uninit_slice(len);
        let Some(slots) = Arc::get_mut(&mut fresh) else {
            return self.extend_slow(groups);
        };
        let values = self.0.iter().cloned().chain(groups.into_iter().flatten());
        for (slot, value) in slots.iter_mut().zip(values) {
            slot.write(value);
        }
        // SAFETY: `values` yields exactly `len` items (the environment's
        // plus every group's), so every slot was written above.
        Env(unsafe { fresh.assume_init() })
    }

    fn extend_slow(&self, groups: Vec<Vec<Value>>) -> Env {
        let values: Vec<Value> = self
            .0
            .iter()
            .cloned()
            .chain(groups.into_iter().flatten())
            .collect();
        Env(values.into())
    }

    /// The number of bindings.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}
