//! Environments: the values of the bound variables in scope.

use std::sync::Arc;

use super::patterns::Bound;
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

    /// The values, oldest binding first.
    pub(crate) fn values(&self) -> &[Value] {
        &self.0
    }

    /// The value at `position`, counted from the oldest binding.
    pub(crate) fn at(&self, position: usize) -> Option<&Value> {
        self.0.get(position)
    }

    /// This environment with `values` bound, in order (the last one gets
    /// index 0).
    pub(crate) fn extend<I>(&self, values: I) -> Env
    where
        I: IntoIterator<Item = Value>,
        I::IntoIter: ExactSizeIterator,
    {
        let values = values.into_iter();
        self.with_added(values.len(), std::iter::once(values))
    }

    /// This environment with the values of each group bound, group after
    /// group (a COMM's bindings, one group per bind).
    pub(crate) fn extend_groups(&self, groups: PerBind<Bound>) -> Env {
        let added = groups.iter().map(|group| group.len()).sum();
        self.with_added(added, groups)
    }

    /// This environment followed by the `added` values of `groups`, in one
    /// allocation.
    fn with_added<G>(&self, added: usize, groups: G) -> Env
    where
        G: IntoIterator,
        G::Item: IntoIterator<Item = Value>,
    {
        if added == 0 {
            return self.clone();
        }
        let len = self.0.len() + added;
        let mut fresh = Arc::<[Value]>::new_uninit_slice(len);
        let Some(slots) = Arc::get_mut(&mut fresh) else {
            let all = self.0.iter().cloned().chain(groups.into_iter().flatten());
            return Env(all.collect());
        };
        let mut free = slots.iter_mut();
        let mut written = 0;
        for value in self.0.iter() {
            if let Some(slot) = free.next() {
                slot.write(value.clone());
                written += 1;
            }
        }
        for group in groups {
            for value in group {
                if let Some(slot) = free.next() {
                    slot.write(value);
                    written += 1;
                }
            }
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
