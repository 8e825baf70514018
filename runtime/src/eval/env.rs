//! Environments: the values of the bound variables in scope.

use std::sync::Arc;

use crate::value::Value;

/// The values of bound variables, in binding order. A De Bruijn index `k`
/// names the `k`-th most recent binding.
#[derive(Clone, Default)]
pub(crate) struct Env(Arc<[Value]>);

impl Env {
    /// The value of De Bruijn index `index`, if it is in scope.
    pub(crate) fn get(&self, index: usize) -> Option<&Value> {
        self.0.len().checked_sub(index + 1).map(|i| &self.0[i])
    }

    /// This environment with `values` bound, in order (the last one gets
    /// index 0).
    pub(crate) fn extend(&self, values: impl IntoIterator<Item = Value>) -> Env {
        let mut all: Vec<Value> = self.0.to_vec();
        all.extend(values);
        Env(all.into())
    }

    /// The number of bindings.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}
