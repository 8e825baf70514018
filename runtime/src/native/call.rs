//! What a native process can do during one call.

use std::sync::Arc;

use super::{NativeProcess, private_name};
use crate::error::RuntimeError;
use crate::eval::Machine;
use crate::names::Rand;
use crate::value::Value;

/// One call of a native process: its view of the run.
///
/// Sends and new bindings take effect when the call returns, in the order
/// they were made (bindings first), so a process never re-enters itself.
pub struct NativeCall<'m> {
    pub(crate) machine: &'m mut Machine,
    rand: Rand,
    next_name: u32,
    pub(crate) sends: Vec<(Value, Vec<Value>)>,
    pub(crate) binds: Vec<(Value, Arc<dyn NativeProcess>)>,
}

impl std::fmt::Debug for NativeCall<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeCall")
            .field("sends", &self.sends.len())
            .field("binds", &self.binds.len())
            .finish()
    }
}

impl<'m> NativeCall<'m> {
    pub(crate) fn new(machine: &'m mut Machine, rand: Rand) -> NativeCall<'m> {
        NativeCall {
            machine,
            rand,
            next_name: 0,
            sends: Vec::new(),
            binds: Vec::new(),
        }
    }

    /// Writes a line to the run's stdout.
    pub fn print_stdout(&mut self, line: &str) {
        self.machine.out.extend_from_slice(line.as_bytes());
        self.machine.out.push(b'\n');
    }

    /// Writes a line to the run's stderr.
    pub fn print_stderr(&mut self, line: &str) {
        self.machine.err.extend_from_slice(line.as_bytes());
        self.machine.err.push(b'\n');
    }

    /// Sends `values` on `channel` once the call returns.
    pub fn send(&mut self, channel: Value, values: Vec<Value>) {
        self.sends.push((channel, values));
    }

    /// Charges `phlo`.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::OutOfPhlo`], which ends the run.
    pub fn charge(&mut self, phlo: u64) -> Result<(), RuntimeError> {
        self.machine.meter.charge(phlo)
    }

    /// Phlo left under the limit.
    pub fn phlo_left(&self) -> u64 {
        self.machine.meter.left()
    }

    /// A fresh unforgeable name, derived from the call's name generator
    /// state: the same on every run and replay.
    pub fn fresh_name(&mut self) -> Value {
        let index = self.next_name;
        self.next_name += 1;
        private_name(self.rand.name(index).to_vec())
    }

    /// A fresh channel on which `process` answers: the capability to use
    /// it. Installed when the call returns.
    pub fn bind(&mut self, process: Arc<dyn NativeProcess>) -> Value {
        let channel = self.fresh_name();
        self.binds.push((channel.clone(), process));
        channel
    }

    /// Reads the run's system store (for example the registry's entries).
    pub fn store_get(&self, key: &[u8]) -> Option<&Value> {
        self.machine.store.get(key)
    }

    /// Writes the run's system store. The store is part of the state hash.
    pub fn store_put(&mut self, key: Vec<u8>, value: Value) {
        self.machine.store.insert(key, value);
    }

    /// Performs non-deterministic work (a file read, a network request).
    ///
    /// When recording, `perform` runs and its outcome is logged under
    /// `request`; when replaying, `perform` never runs and the recorded
    /// outcome is returned instead, after checking that the replay asks for
    /// the same `request`.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::ReplayMismatch`] when the replay diverges from the
    /// record (this ends the run). The work's own failure is the inner
    /// `Err(message)`.
    pub fn io(
        &mut self,
        request: &str,
        perform: impl FnOnce() -> Result<Value, String>,
    ) -> Result<Result<Value, String>, RuntimeError> {
        self.machine.space.log_mut().io(request, perform)
    }

    /// Whether the run is a replay: non-deterministic work is not performed.
    pub fn is_replay(&self) -> bool {
        self.machine.space.log().is_replaying()
    }
}
