//! The state of a run, shared by the evaluator and compiled code: the
//! tuplespace operations, COMM dispatch, names and phlo.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::Arc;

use blake2::Blake2b;
use blake2::digest::{Digest, consts::U32};
use prost::Message;
use rho_host_abi::par::{
    Bundle, GPrivate, GUnforgeable, Par, g_unforgeable::UnfInstance, var::VarInstance,
};
use rho_host_abi::source_map::SourceMap;

use super::env::Env;
use super::patterns::{BindPattern, Bound, SpaceMatcher, single_var};
use super::substitute::substitute;
use super::{Access, Continuation, Eval, LogMode, RunConfig, RunReport, Task, unlocated};
use crate::error::{LocatedError, RuntimeError};
use crate::names::Rand;
use crate::native::{NativeCall, NativeProcess, Powerbox};
use crate::phlo::{CostTable, PhloMeter};
use crate::tuplespace::{Comm, EventLog, Tuplespace, Values};
use crate::value::Value;
use crate::wasm::host::{WasmTask, WasmTaskState};

/// The state of a run: everything the evaluator and compiled code share.
/// It lives in the wasmtime `Store` when compiled modules run.
pub(crate) struct Machine {
    pub(crate) space: Tuplespace<BindPattern, Continuation>,
    pub(crate) queue: VecDeque<Task>,
    pub(crate) meter: PhloMeter,
    pub(crate) costs: CostTable,
    pub(crate) errors: Vec<LocatedError>,
    /// Output of `rho:io:stdout`, flushed by the driver after each task.
    pub(crate) out: Vec<u8>,
    /// Output of `rho:io:stderr`, flushed likewise.
    pub(crate) err: Vec<u8>,
    pub(super) source_map: Option<Arc<SourceMap>>,
    pub(crate) stopped: bool,
    pub(crate) reflected: u64,
    /// The state of the Wasm task being run.
    pub(crate) wasm: WasmTaskState,
    /// Memory and table limits of the wasmtime store this machine lives in.
    pub(crate) store_limits: wasmtime::StoreLimits,
    /// The URIs `new` may bind.
    pub(crate) powerbox: Powerbox,
    /// The system store native processes keep state in (the registry);
    /// part of the state hash.
    pub(crate) store: std::collections::BTreeMap<Vec<u8>, Value>,
    /// The native process behind each channel, for method calls on it.
    natives: rustc_hash::FxHashMap<Value, Arc<dyn NativeProcess>>,
    /// Method calls answered by native processes so far (each gets its own
    /// name generator state, split from `method_root`).
    native_methods: u32,
    /// The state native methods' names derive from.
    method_root: Rand,
    /// How many `new` and `match` bodies the evaluator is running in place
    /// (nested) in the current task.
    pub(super) in_place_depth: usize,
}

impl Machine {
    /// A fresh machine for one run, with the system processes installed, and
    /// the name generator state of the deploy.
    pub(crate) fn new(config: &RunConfig, source_map: Option<Arc<SourceMap>>) -> (Machine, Rand) {
        let log = match &config.log {
            LogMode::Digest => EventLog::digest_only(),
            LogMode::Record => EventLog::recording(),
            LogMode::Replay(events) => EventLog::replaying(events.clone()),
        };
        let mut machine = Machine {
            space: Tuplespace::new(log),
            queue: VecDeque::new(),
            meter: PhloMeter::new(config.phlo_limit),
            costs: config.costs.clone(),
            errors: Vec::new(),
            out: Vec::new(),
            err: Vec::new(),
            source_map,
            stopped: false,
            reflected: 0,
            wasm: WasmTaskState::default(),
            store_limits: wasmtime::StoreLimits::default(),
            powerbox: config.powerbox.clone(),
            store: std::collections::BTreeMap::new(),
            natives: rustc_hash::FxHashMap::default(),
            native_methods: 0,
            method_root: Rand::from_seed(b"rhoc-native-method"),
            in_place_depth: 0,
        };
        let root_rand = Rand::from_seed(&config.seed);
        machine.space.set_comm_root(root_rand.clone());
        if let Err(error) = machine.install_system_processes() {
            machine.record(error);
        }
        (machine, root_rand)
    }

    /// Whether output waits to be flushed.
    pub(crate) fn has_output(&self) -> bool {
        !self.out.is_empty() || !self.err.is_empty()
    }

    /// Writes the buffered output to the run's streams.
    pub(crate) fn flush(&mut self, stdout: &mut dyn Write, stderr: &mut dyn Write) {
        if !self.out.is_empty() {
            let _ = stdout.write_all(&self.out);
            self.out.clear();
        }
        if !self.err.is_empty() {
            let _ = stderr.write_all(&self.err);
            self.err.clear();
        }
    }

    fn install_system_processes(&mut self) -> Eval<()> {
        for grant in self.powerbox.grants().to_vec() {
            self.space.log_mut().grant(&grant).map_err(unlocated)?;
        }
        let processes: Vec<(Value, Arc<dyn NativeProcess>)> = self
            .powerbox
            .processes()
            .map(|(channel, process)| (channel.clone(), Arc::clone(process)))
            .collect();
        for (channel, process) in processes {
            self.install_native(channel, process)?;
        }
        Ok(())
    }

    /// Puts `process` on `channel`: one persistent receive per arity.
    fn install_native(&mut self, channel: Value, process: Arc<dyn NativeProcess>) -> Eval<()> {
        self.natives.insert(channel.clone(), Arc::clone(&process));
        for &arity in process.arities() {
            let mut matcher = SpaceMatcher {
                costs: &self.costs,
                meter: &mut self.meter,
            };
            self.space
                .consume(
                    vec![channel.clone()],
                    vec![BindPattern::Arity(arity)],
                    Continuation::Native(Arc::clone(&process)),
                    true,
                    false,
                    0,
                    &mut matcher,
                )
                .map_err(unlocated)?;
        }
        Ok(())
    }

    pub(crate) fn report(mut self) -> RunReport {
        let state_hash = self.state_hash();
        let log = self.space.take_log();
        let replay = log.finish();
        RunReport {
            phlo_spent: self.meter.spent(),
            comms: self.space.comm_count(),
            out_of_phlo: self
                .errors
                .iter()
                .any(|e| e.error == RuntimeError::OutOfPhlo),
            errors: self.errors,
            log,
            replay,
            state_hash,
            reflected: self.reflected,
        }
    }

    /// Records an error; a fatal one stops the run.
    pub(crate) fn record(&mut self, error: LocatedError) {
        if error.error.is_fatal() {
            self.stopped = true;
        }
        self.errors.push(error);
    }

    pub(crate) fn charge(&mut self, amount: u64) -> Eval<()> {
        self.meter.charge(amount).map_err(unlocated)
    }

    pub(crate) fn produce(
        &mut self,
        channel: Value,
        data: impl Into<Values>,
        persistent: bool,
    ) -> Eval<()> {
        let data = data.into();
        let storage = channel.encoded_len() + data.iter().map(Value::encoded_len).sum::<u64>();
        self.charge(storage)?;
        let seq = self.space.next_seq();
        let mut matcher = SpaceMatcher {
            costs: &self.costs,
            meter: &mut self.meter,
        };
        let comm = self
            .space
            .produce(&channel, data, persistent, storage, &mut matcher)
            .map_err(unlocated)?;
        let Some(comm) = comm else {
            return Ok(());
        };
        // A datum that stays (sent with `!!`, or only peeked at) is offered
        // to the other waiting receives until one takes it or none matches:
        // every peek waiting on the channel sees it.
        let mut stays = persistent || comm.peek;
        self.dispatch(comm)?;
        while stays && !self.stopped {
            let mut matcher = SpaceMatcher {
                costs: &self.costs,
                meter: &mut self.meter,
            };
            let next = self
                .space
                .produce_more(&channel, seq, &mut matcher)
                .map_err(unlocated)?;
            match next {
                Some(comm) => {
                    stays = persistent || comm.peek;
                    self.dispatch(comm)?;
                }
                None => break,
            }
        }
        Ok(())
    }

    /// Installs a continuation (charging its storage) and runs what it
    /// releases; a persistent one keeps firing while data match.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn consume(
        &mut self,
        channels: Vec<Value>,
        patterns: Vec<BindPattern>,
        continuation: Continuation,
        persistent: bool,
        peek: bool,
        storage: u64,
    ) -> Eval<()> {
        self.charge(storage)?;
        let mut matcher = SpaceMatcher {
            costs: &self.costs,
            meter: &mut self.meter,
        };
        let (comm, seq) = self
            .space
            .consume(
                channels,
                patterns,
                continuation,
                persistent,
                peek,
                storage,
                &mut matcher,
            )
            .map_err(unlocated)?;
        let Some(comm) = comm else {
            return Ok(());
        };
        self.dispatch(comm)?;
        if persistent {
            while !self.stopped {
                let mut matcher = SpaceMatcher {
                    costs: &self.costs,
                    meter: &mut self.meter,
                };
                let next = self
                    .space
                    .consume_more(seq, &mut matcher)
                    .map_err(unlocated)?;
                match next {
                    Some(comm) => self.dispatch(comm)?,
                    None => break,
                }
            }
        }
        Ok(())
    }

    /// A pattern with the variables it refers to (`=x`) replaced by their
    /// values; a lone variable or wildcard is used as it is.
    pub(crate) fn prepare_pattern(&self, pattern: &Par, env: &Env) -> Eval<Par> {
        let lone_variable = matches!(
            single_var(pattern),
            Some(VarInstance::FreeVar(_) | VarInstance::Wildcard(_))
        );
        if env.len() == 0 || lone_variable {
            return Ok(pattern.clone());
        }
        let mut substituted = substitute(pattern, env, 1).map_err(unlocated)?;
        rho_host_abi::sort::sort_par(&mut substituted);
        Ok(substituted)
    }

    /// Runs what a COMM released.
    pub(crate) fn dispatch(&mut self, comm: Comm<Continuation, Bound>) -> Eval<()> {
        self.meter.refund(comm.refund);
        match comm.payload {
            Continuation::Code { body, env } => {
                let env = env.extend_groups(comm.bindings);
                self.queue.push_back(Task::Interp {
                    code: body,
                    env,
                    rand: comm.rand,
                });
                Ok(())
            }
            Continuation::Wasm { module, body, env } => {
                let env = env.extend_groups(comm.bindings);
                self.queue.push_back(Task::Wasm(WasmTask {
                    module,
                    body,
                    env,
                    rand: comm.rand,
                }));
                Ok(())
            }
            Continuation::Native(process) => {
                let args: Vec<Value> = comm.bindings.into_iter().flatten().collect();
                let mut call = NativeCall::new(self, comm.rand.clone());
                let outcome = process.call(&mut call, args);
                let NativeCall { sends, binds, .. } = call;
                self.finish_native_call(sends, binds, outcome)
            }
        }
    }

    /// Installs what a native call bound, then (if it succeeded) makes its
    /// sends.
    fn finish_native_call(
        &mut self,
        sends: Vec<(Value, Vec<Value>)>,
        binds: Vec<(Value, Arc<dyn NativeProcess>)>,
        outcome: Result<(), RuntimeError>,
    ) -> Eval<()> {
        for (channel, process) in binds {
            self.install_native(channel, process)?;
        }
        outcome.map_err(unlocated)?;
        for (channel, values) in sends {
            self.produce(channel, values, false)?;
        }
        Ok(())
    }

    /// `target.name(args)`: a native process's method when `target` is the
    /// channel of one that has it, else one of the language's methods.
    pub(crate) fn call_method(
        &mut self,
        target: &Value,
        name: &str,
        args: Vec<Value>,
    ) -> Eval<Value> {
        if let Value::Unforgeable(_) = target
            && let Some(process) = self.natives.get(target).cloned()
        {
            self.charge(self.costs.method_call)?;
            let rand = self.method_root.split(self.native_methods);
            self.native_methods = self.native_methods.wrapping_add(1);
            let mut call = NativeCall::new(self, rand);
            if let Some(outcome) = process.method(&mut call, name, &args) {
                let NativeCall { sends, binds, .. } = call;
                let (result, outcome) = match outcome {
                    Ok(value) => (Some(value), Ok(())),
                    Err(error) => (None, Err(error)),
                };
                self.finish_native_call(sends, binds, outcome)?;
                return Ok(result.unwrap_or(Value::Nil));
            }
        }
        crate::ops::call_method(target, name, &args, &self.costs, &mut self.meter)
            .map_err(unlocated)
    }

    /// Blake2b-256 over the final tuplespace, in canonical channel order.
    fn state_hash(&self) -> [u8; 32] {
        let mut hasher = Blake2b::<U32>::new();
        for (channel, data, waiting) in self.space.channels_sorted() {
            hasher.update(b"channel");
            hasher.update(channel.to_par().encode_to_vec());
            for datum in data {
                hasher.update([b'd', u8::from(datum.persistent)]);
                for value in &datum.values {
                    hasher.update(value.to_par().encode_to_vec());
                }
            }
            for continuation in waiting {
                hasher.update([
                    b'k',
                    u8::from(continuation.persistent),
                    u8::from(continuation.peek),
                ]);
                match &continuation.payload {
                    Continuation::Code { body, env } => {
                        hasher.update(body.get().encode_to_vec());
                        for index in 0..env.len() {
                            if let Some(value) = env.get(index) {
                                hasher.update(value.to_par().encode_to_vec());
                            }
                        }
                    }
                    Continuation::Wasm { body, env, .. } => {
                        hasher.update(body.to_le_bytes());
                        for index in 0..env.len() {
                            if let Some(value) = env.get(index) {
                                hasher.update(value.to_par().encode_to_vec());
                            }
                        }
                    }
                    Continuation::Native(process) => hasher.update(process.name()),
                }
            }
        }
        for (key, value) in &self.store {
            hasher.update(b"store");
            hasher.update((key.len() as u64).to_le_bytes());
            hasher.update(key);
            hasher.update(value.to_par().encode_to_vec());
        }
        hasher.finalize().into()
    }
}

/// The name generator state of component `index` of a body: the body's own
/// state for the first component, a split for the others. Both engines use
/// this rule, so they create the same names.
pub(crate) fn component_rand(rand: &Rand, index: u32) -> Rand {
    if index == 0 {
        rand.clone()
    } else {
        rand.split(index)
    }
}

/// The names a `new` binds: `plain` fresh unforgeable names, then the
/// names the powerbox binds to `uris`, in order.
pub(crate) fn new_names(
    plain: usize,
    uris: &[String],
    rand: &Rand,
    powerbox: &Powerbox,
) -> Eval<Vec<Value>> {
    let mut names = Vec::with_capacity(plain + uris.len());
    for id in rand.names(u32::try_from(plain).unwrap_or(u32::MAX)) {
        names.push(Value::Unforgeable(Arc::new(GUnforgeable {
            unf_instance: Some(UnfInstance::GPrivateBody(GPrivate { id: id.to_vec() })),
        })));
    }
    for uri in uris {
        names.push(powerbox.resolve(uri).map_err(unlocated)?);
    }
    Ok(names)
}

/// A channel unwrapped from its bundle, if the bundle grants `access`.
pub(crate) fn unbundle(value: Value, access: Access) -> Eval<Value> {
    if let Value::Proc(process) = &value
        && let Some(bundle) = single_bundle(process.par())
    {
        match access {
            Access::Write if !bundle.write_flag => {
                return Err(unlocated(RuntimeError::NonWriteableChannel));
            }
            Access::Read if !bundle.read_flag => {
                return Err(unlocated(RuntimeError::NonReadableChannel));
            }
            _ => {}
        }
        return Ok(Value::from_par(bundle.body.clone().unwrap_or_default()));
    }
    Ok(value)
}

/// The bundle a channel consists of, if it is a lone bundle.
fn single_bundle(par: &Par) -> Option<&Bundle> {
    let lone = par.bundles.len() == 1
        && par.sends.is_empty()
        && par.receives.is_empty()
        && par.news.is_empty()
        && par.exprs.is_empty()
        && par.matches.is_empty()
        && par.unforgeables.is_empty()
        && par.connectives.is_empty();
    lone.then(|| &par.bundles[0])
}

/// Adds the parts of `part` to `out`.
pub(crate) fn merge_into(out: &mut Par, part: Par) {
    out.sends.extend(part.sends);
    out.receives.extend(part.receives);
    out.news.extend(part.news);
    out.exprs.extend(part.exprs);
    out.matches.extend(part.matches);
    out.unforgeables.extend(part.unforgeables);
    out.bundles.extend(part.bundles);
    out.connectives.extend(part.connectives);
    out.connective_used |= part.connective_used;
}
