//! The host side of the ABI (`rho_host_abi::abi`): the imports that compiled
//! code calls, the per-task state they work on, and the loaded form of a
//! module (its instance, exports and decoded constant pool).
//!
//! Every import works on the same [`Machine`] as the evaluator: the same
//! tuplespace, matcher, names and phlo meter, so a continuation stored by
//! compiled code and a datum produced by the evaluator meet on one channel.
//! An import that fails records its [`RuntimeError`] in the task state and
//! traps; the driver (`super::run`) then resumes the body after the failed
//! component.

use std::sync::{Arc, OnceLock};

use prost::Message;
use rho_host_abi::abi::{self, RValue, op};
use rho_host_abi::par::{ConstPool, NewDesc, Par, ReceiveDesc};
use rho_host_abi::source_map::SourceMap;
use wasmtime::{Caller, Global, Linker, Memory, TypedFunc, Val};

use super::meter::METERED_NEXT_TASK;
use crate::error::RuntimeError;
use crate::eval::{
    Access, BindPattern, Bound, Continuation, Env, Eval, Machine, PatternList, Task,
    component_rand, free_var_count, merge_into, new_names, substitute, unbundle,
};
use crate::names::Rand;
use crate::ops::{self, BinaryOp};
use crate::tuplespace::Values;
use crate::value::Value;

/// A body of a compiled module, queued to run.
pub(crate) struct WasmTask {
    pub(crate) module: Arc<LoadedModule>,
    pub(crate) body: u32,
    pub(crate) env: Env,
    pub(crate) rand: Rand,
}

/// A module instantiated in a run's store, with its constant pool decoded.
pub(crate) struct LoadedModule {
    /// The entry point: `rho_drive` when the module exports it, else
    /// `rho_run`.
    pub(crate) entry: TypedFunc<(i32, i32), ()>,
    /// The instance's memory.
    pub(crate) memory: Memory,
    /// Where the environment slots are in memory, if the module has them.
    pub(crate) env_slots: Option<usize>,
    pub(crate) gas: Global,
    pub(crate) component: Global,
    pub(crate) location: Global,
    pub(crate) depth: Option<Global>,
    values: Vec<Value>,
    templates: Vec<Par>,
    receives: Vec<ReceiveDesc>,
    news: Vec<NewDesc>,
    /// Per receive descriptor and bind: the bind's patterns prepared once,
    /// with their storage size, when none refers to the environment (`=x`);
    /// such a bind's continuation shares them instead of preparing its own.
    receive_patterns: Vec<Vec<Option<PreparedPatterns>>>,
    /// Per template used as the pattern of a `match` case or a `matches`:
    /// the pattern prepared on first use, when it does not refer to the
    /// environment.
    case_patterns: Vec<OnceLock<Option<PreparedPatterns>>>,
    /// Location id -> source position, from the `rho.source` section.
    pub(crate) locations: Option<SourceMap>,
}

/// Patterns prepared once for a module: the list and its storage size.
#[derive(Clone)]
struct PreparedPatterns {
    list: Arc<PatternList>,
    storage: u64,
}

impl PreparedPatterns {
    /// `patterns` prepared, if none of them refers to the environment: a
    /// closed pattern is the same under every environment (substituting it
    /// changes nothing), so it can be prepared before any task runs.
    fn closed<'a>(
        patterns: impl IntoIterator<Item = &'a Par>,
        remainder: Option<rho_host_abi::par::Var>,
        free_count: usize,
    ) -> Option<PreparedPatterns> {
        let empty = Env::default();
        let mut prepared = Vec::new();
        let mut storage = 0;
        for pattern in patterns {
            substitute(pattern, &empty, 1).ok()?;
            storage += pattern.encoded_len() as u64;
            prepared.push(pattern.clone());
        }
        Some(PreparedPatterns {
            list: Arc::new(PatternList::new(prepared, remainder, free_count)),
            storage,
        })
    }
}

impl LoadedModule {
    /// Decodes a constant pool read from the instance's memory.
    pub(crate) fn new(
        entry: TypedFunc<(i32, i32), ()>,
        memory: Memory,
        env_slots: Option<usize>,
        globals: [Global; 3],
        depth: Option<Global>,
        pool: &[u8],
        locations: Option<SourceMap>,
    ) -> Result<LoadedModule, String> {
        let pool =
            ConstPool::decode(pool).map_err(|err| format!("malformed constant pool: {err}"))?;
        let [gas, component, location] = globals;
        let receive_patterns = pool
            .receives
            .iter()
            .map(|desc| {
                desc.binds
                    .iter()
                    .map(|bind| {
                        let templates: Option<Vec<&Par>> = bind
                            .patterns
                            .iter()
                            .map(|id| pool.templates.get(*id as usize))
                            .collect();
                        PreparedPatterns::closed(
                            templates?,
                            bind.remainder,
                            bind.free_count as usize,
                        )
                    })
                    .collect()
            })
            .collect();
        let case_patterns = pool.templates.iter().map(|_| OnceLock::new()).collect();
        Ok(LoadedModule {
            entry,
            memory,
            env_slots,
            gas,
            component,
            location,
            depth,
            values: pool.values.into_iter().map(Value::from_par).collect(),
            templates: pool.templates,
            receives: pool.receives,
            news: pool.news,
            receive_patterns,
            case_patterns,
            locations,
        })
    }
}

/// A body that is running another one in place (see [`abi::IMPORT_LEAVE`]):
/// what to restore when the inner body ends.
struct Frame {
    /// The enclosing body.
    body: u32,
    /// The component of the enclosing body that runs the inner one.
    component: u32,
    env: Env,
    rand: Option<Rand>,
}

/// The state of the Wasm task being run: its handles, argument stack,
/// environment and pending match bindings.
#[derive(Default)]
pub(crate) struct WasmTaskState {
    handles: Vec<Value>,
    args: Vec<Value>,
    env: Env,
    rand: Option<Rand>,
    module: Option<Arc<LoadedModule>>,
    pending: Bound,
    /// The body running now (the task's own, or one run in place).
    pub(crate) body: u32,
    /// The bodies that enclose the one running now, innermost last.
    frames: Vec<Frame>,
    /// The error that made the last trap, if an import raised one.
    pub(crate) error: Option<RuntimeError>,
    /// The value `rho_gas` was last set to by the host.
    pub(crate) gas_given: i64,
    /// How many environment slots hold a bound variable.
    slots_bound: usize,
    /// The length of the environment the slots hold, if they hold this
    /// task's.
    slots_len: Option<usize>,
    /// Whether `next_task` has made another task current since the host
    /// last entered the module.
    pub(crate) advanced: bool,
}

impl WasmTaskState {
    /// Prepares for running `task`'s body (dropping what the previous task
    /// held, if [`WasmTaskState::end`] was not called after it).
    pub(crate) fn begin(&mut self, task: WasmTask) {
        if self.handles.len() < 3 {
            self.handles = vec![Value::Nil, Value::Bool(false), Value::Bool(true)];
        }
        self.handles.truncate(3);
        self.args.clear();
        self.pending.clear();
        self.env = task.env;
        self.rand = Some(task.rand);
        self.module = Some(task.module);
        self.body = task.body;
        self.frames.clear();
        self.error = None;
        self.slots_len = None;
    }

    /// Writes the current environment into the module's slots, if it has
    /// them (see [`abi::EXPORT_ENV_PTR`]); `memory` is the module's memory.
    ///
    /// Within a task the environment only grows (a body entered) and
    /// shrinks back (a body left), so an environment of the length last
    /// written is the one the slots hold, and nothing is written.
    fn write_env_slots(&mut self, memory: &mut [u8], offset: usize) {
        const SLOTS: usize = abi::ENV_SLOTS as usize;
        let Some(slots) = offset
            .checked_add(SLOTS * 8)
            .and_then(|end| memory.get_mut(offset..end))
            .and_then(|slots| <&mut [u8; SLOTS * 8]>::try_from(slots).ok())
        else {
            return;
        };
        let values = self.env.values();
        let len = values.len();
        let bound = len.min(SLOTS);
        // Slot k holds De Bruijn index k: the values from the newest back.
        for (index, value) in values.iter().rev().take(bound).enumerate() {
            let position = len - 1 - index;
            let not_bundle = !matches!(value, Value::Proc(_));
            let rvalue = immediate(value)
                .or_else(|| abi::env_handle(position, not_bundle))
                .unwrap_or(abi::ENV_SLOT_UNBOUND);
            slots[index * 8..index * 8 + 8].copy_from_slice(&rvalue.to_le_bytes());
        }
        for index in bound..self.slots_bound.min(SLOTS) {
            slots[index * 8..index * 8 + 8].copy_from_slice(&abi::ENV_SLOT_UNBOUND.to_le_bytes());
        }
        self.slots_bound = bound;
        self.slots_len = Some(len);
    }

    /// Makes `body` (run in place by component `component` of the current
    /// body) the current body, with `env` and `rand`.
    fn enter(&mut self, body: u32, component: u32, env: Env, rand: Rand) {
        let env = std::mem::replace(&mut self.env, env);
        let rand = self.rand.replace(rand);
        self.frames.push(Frame {
            body: self.body,
            component,
            env,
            rand,
        });
        self.body = body;
    }

    /// Ends the body run in place last, making the enclosing one current
    /// again; returns the component of the enclosing body that ran it, or
    /// `None` when no body is running in place.
    pub(crate) fn leave(&mut self) -> Option<u32> {
        let frame = self.frames.pop()?;
        self.env = frame.env;
        self.rand = frame.rand;
        self.body = frame.body;
        Some(frame.component)
    }

    /// How many bodies enclose the current one (run in place).
    pub(crate) fn in_place_depth(&self) -> usize {
        self.frames.len()
    }

    /// Drops everything the task held but the constant handles.
    pub(crate) fn end(&mut self) {
        self.handles.truncate(3);
        self.args.clear();
        self.pending.clear();
        self.env = Env::default();
        self.rand = None;
        self.module = None;
        self.frames.clear();
    }

    fn rvalue_of(&mut self, value: Value) -> RValue {
        immediate(&value).unwrap_or_else(|| self.push_handle(value))
    }

    fn push_handle(&mut self, value: Value) -> RValue {
        let index = self.handles.len() as u32;
        self.handles.push(value);
        abi::handle(index)
    }

    fn value(&self, rvalue: RValue) -> Result<Value, RuntimeError> {
        let found = match abi::decode(rvalue) {
            Ok(int) => return Ok(Value::Int(int)),
            Err(index) if index >= abi::ENV_HANDLE_BASE => abi::env_position(index)
                .and_then(|position| self.env.at(position))
                .cloned(),
            Err(index) => self.handles.get(index as usize).cloned(),
        };
        found.ok_or_else(|| RuntimeError::Unsupported(format!("invalid value {rvalue}")))
    }

    fn pop_args(&mut self, count: i32) -> Result<Vec<Value>, RuntimeError> {
        let count = usize::try_from(count)
            .ok()
            .filter(|n| *n <= self.args.len())
            .ok_or_else(|| {
                RuntimeError::Unsupported(format!("{count} arguments were not pushed"))
            })?;
        Ok(self.args.split_off(self.args.len() - count))
    }
}

/// The `RValue` that stands for `value` itself (`Nil`, a Bool or a small
/// Int), if it has one; other values are passed as handles.
fn immediate(value: &Value) -> Option<RValue> {
    match value {
        Value::Nil => Some(abi::NIL),
        Value::Bool(false) => Some(abi::FALSE),
        Value::Bool(true) => Some(abi::TRUE),
        Value::Int(i) => abi::small_int(*i),
        _ => None,
    }
}

type Host<'a> = Caller<'a, Machine>;

/// Gives compiled code the phlo the meter has left.
pub(crate) fn sync_out(store: &mut impl wasmtime::AsContextMut<Data = Machine>, gas: Global) {
    let left = {
        let mut context = store.as_context_mut();
        let machine = context.data_mut();
        let left = machine.meter.limit().saturating_sub(machine.meter.spent());
        let left = i64::try_from(left).unwrap_or(i64::MAX);
        machine.wasm.gas_given = left;
        left
    };
    let _ = gas.set(store, Val::I64(left));
}

/// Writes the current environment into the running module's slots.
pub(crate) fn sync_env(store: &mut impl wasmtime::AsContextMut<Data = Machine>) {
    let mut context = store.as_context_mut();
    let wasm = &context.data().wasm;
    if wasm.slots_len == Some(wasm.env.len()) {
        return;
    }
    let Some((memory, offset)) = wasm
        .module
        .as_ref()
        .and_then(|module| Some((module.memory, module.env_slots?)))
    else {
        return;
    };
    let (bytes, machine) = memory.data_and_store_mut(&mut context);
    machine.wasm.write_env_slots(bytes, offset);
}

/// The `next_task` import as the metering rewrites it
/// ([`METERED_NEXT_TASK`]): called with the meter `gas` when a body has
/// returned. When the next task of the queue is a body of the running
/// module (and nothing needs the driver first), reconciles the phlo the
/// body spent, makes that task current and returns its body and its meter;
/// else returns -1 and `gas` unchanged, for the driver to reconcile.
fn next_task(caller: &mut Host<'_>, gas: i64) -> (i32, i64) {
    let machine = caller.data_mut();
    let Some(module) = machine.wasm.module.as_ref() else {
        return (-1, gas);
    };
    let same_module = matches!(
        machine.queue.front(),
        Some(Task::Wasm(next)) if Arc::ptr_eq(&next.module, module)
    );
    if !same_module || machine.stopped || machine.wasm.in_place_depth() > 0 || machine.has_output()
    {
        return (-1, gas);
    }
    // Running out of phlo is left to the driver, which reports it.
    let Ok(used) = u64::try_from(i128::from(machine.wasm.gas_given) - i128::from(gas)) else {
        return (-1, gas);
    };
    if gas < 0 || used > machine.meter.left() || machine.meter.charge(used).is_err() {
        return (-1, gas);
    }
    let Some(Task::Wasm(task)) = machine.queue.pop_front() else {
        return (-1, gas);
    };
    machine.wasm.begin(task);
    machine.wasm.advanced = true;
    let left = i64::try_from(machine.meter.left()).unwrap_or(i64::MAX);
    machine.wasm.gas_given = left;
    let body = machine.wasm.body as i32;
    sync_env(caller);
    (body, left)
}

/// Runs an import body; a runtime error is stored for the driver and
/// becomes a trap.
///
/// Imports charge the meter directly, with fixed or size-dependent prices;
/// the phlo compiled code spent on its own instructions is reconciled when
/// the body returns (see `run_wasm_task`). Out of phlo is therefore detected
/// at a host charge or at the end of a body: deterministic, and at most one
/// body's straight-line work late. No import touches a global (the gas, or
/// the current component, which the module passes to the imports that need
/// it), which keeps the tuplespace operations, the hot path, free of
/// wasmtime's global accessors.
#[inline(always)]
fn with_host<T>(
    caller: &mut Host<'_>,
    body: impl FnOnce(&mut Machine, &Arc<LoadedModule>) -> Result<T, RuntimeError>,
) -> wasmtime::Result<T> {
    // The module is taken out of the task state for the call (no reference
    // count traffic) and put back after it.
    let Some(module) = caller.data_mut().wasm.module.take() else {
        return Err(wasmtime::Error::msg("no module is running"));
    };
    let result = body(caller.data_mut(), &module);
    caller.data_mut().wasm.module = Some(module);
    match result {
        Ok(value) => Ok(value),
        Err(error) => {
            let message = error.to_string();
            caller.data_mut().wasm.error = Some(error);
            Err(wasmtime::Error::msg(message))
        }
    }
}

/// A `new` or `match` body with its environment and name state: made the
/// current body, for the module to run in place (1), or queued past
/// [`abi::MAX_INLINE_DEPTH`] (0), exactly where the evaluator queues it.
fn run_body(
    machine: &mut Machine,
    module: &Arc<LoadedModule>,
    body: i32,
    component: u32,
    env: Env,
    rand: Rand,
) -> i32 {
    let body = body as u32;
    if machine.wasm.in_place_depth() < abi::MAX_INLINE_DEPTH {
        machine.wasm.enter(body, component, env, rand);
        return 1;
    }
    machine.queue.push_back(Task::Wasm(WasmTask {
        module: Arc::clone(module),
        body,
        env,
        rand,
    }));
    0
}

fn lift<T>(result: Eval<T>) -> Result<T, RuntimeError> {
    result.map_err(|located| located.error)
}

fn component_rand_of(machine: &Machine, component: u32) -> Result<Rand, RuntimeError> {
    let rand = machine
        .wasm
        .rand
        .as_ref()
        .ok_or_else(|| RuntimeError::Unsupported("no task is running".to_string()))?;
    Ok(component_rand(rand, component))
}

fn template(module: &LoadedModule, id: i32) -> Result<&Par, RuntimeError> {
    usize::try_from(id)
        .ok()
        .and_then(|i| module.templates.get(i))
        .ok_or_else(|| RuntimeError::Unsupported(format!("no template {id}")))
}

/// The pattern of a `match` case or a `matches` on template `id`, with
/// `free_count` free variables: prepared once per module when the template
/// is closed, else prepared now under the current environment.
fn single_pattern(
    machine: &Machine,
    module: &LoadedModule,
    id: i32,
    free_count: usize,
) -> Result<Arc<PatternList>, RuntimeError> {
    let index = usize::try_from(id)
        .ok()
        .filter(|i| *i < module.templates.len())
        .ok_or_else(|| RuntimeError::Unsupported(format!("no template {id}")))?;
    let template = &module.templates[index];
    let shared = module.case_patterns[index]
        .get_or_init(|| PreparedPatterns::closed([template], None, free_count));
    if let Some(prepared) = shared
        .as_ref()
        .filter(|prepared| prepared.list.free_count() == free_count)
    {
        return Ok(Arc::clone(&prepared.list));
    }
    let pattern = lift(machine.prepare_pattern(template, &machine.wasm.env))?;
    Ok(Arc::new(PatternList::new(vec![pattern], None, free_count)))
}

/// The values in argument slots `0..n` of the running module (see
/// [`abi::ARG_SLOTS`]).
fn read_arg_slots(caller: &Host<'_>, n: i32) -> Result<Values, RuntimeError> {
    let wasm = &caller.data().wasm;
    let bytes = usize::try_from(n)
        .ok()
        .filter(|n| *n <= abi::ARG_SLOTS as usize)
        .zip(wasm.module.as_ref())
        .and_then(|(n, module)| {
            let start = module.env_slots? + abi::ENV_SLOTS as usize * 8;
            module.memory.data(caller).get(start..start + n * 8)
        })
        .ok_or_else(|| {
            RuntimeError::Unsupported(format!("{n} values are not in argument slots"))
        })?;
    let mut values = Values::with_capacity(bytes.len() / 8);
    for slot in bytes.chunks_exact(8) {
        let mut rvalue = [0u8; 8];
        rvalue.copy_from_slice(slot);
        values.push(wasm.value(i64::from_le_bytes(rvalue))?);
    }
    Ok(values)
}

/// Sends `data` on `channel` (`produce` and `produce_slots`).
fn produce(
    machine: &mut Machine,
    channel: RValue,
    data: Values,
    persistent: i32,
) -> Result<(), RuntimeError> {
    machine.meter.charge(machine.costs.send)?;
    let channel = lift(unbundle(machine.wasm.value(channel)?, Access::Write))?;
    lift(machine.produce(channel, data, persistent != 0))
}

/// Receive descriptor `id` of `module`.
fn receive_desc(module: &LoadedModule, id: i32) -> Result<&ReceiveDesc, RuntimeError> {
    usize::try_from(id)
        .ok()
        .and_then(|i| module.receives.get(i))
        .ok_or_else(|| RuntimeError::Unsupported(format!("no receive {id}")))
}

/// Installs receive `id` with body `body` on the channels `sources`
/// (`consume` and `consume_slots`).
fn consume(
    machine: &mut Machine,
    module: &Arc<LoadedModule>,
    id: i32,
    sources: impl IntoIterator<Item = Value>,
    body: i32,
) -> Result<(), RuntimeError> {
    machine.meter.charge(machine.costs.receive)?;
    let desc = receive_desc(module, id)?;
    let env = machine.wasm.env.clone();
    let mut channels = Vec::with_capacity(desc.binds.len());
    let mut patterns = Vec::with_capacity(desc.binds.len());
    let mut storage = 0;
    let shared = module.receive_patterns.get(id as usize);
    for (index, (bind, source)) in desc.binds.iter().zip(sources).enumerate() {
        let channel = lift(unbundle(source, Access::Read))?;
        storage += channel.encoded_len();
        channels.push(channel);
        if let Some(Some(prepared)) = shared.and_then(|binds| binds.get(index)) {
            storage += prepared.storage;
            patterns.push(BindPattern::Patterns(Arc::clone(&prepared.list)));
            continue;
        }
        let mut prepared = Vec::with_capacity(bind.patterns.len());
        for id in &bind.patterns {
            let pattern = lift(machine.prepare_pattern(template(module, *id as i32)?, &env))?;
            storage += pattern.encoded_len() as u64;
            prepared.push(pattern);
        }
        patterns.push(BindPattern::Patterns(Arc::new(PatternList::new(
            prepared,
            bind.remainder,
            bind.free_count as usize,
        ))));
    }
    let continuation = Continuation::Wasm {
        module: Arc::clone(module),
        body: body as u32,
        env,
    };
    lift(machine.consume(
        channels,
        patterns,
        continuation,
        desc.persistent,
        desc.peek,
        storage,
    ))
}

fn binary_op(code: i32) -> Result<BinaryOp, RuntimeError> {
    Ok(match code {
        op::PLUS => BinaryOp::Plus,
        op::MINUS => BinaryOp::Minus,
        op::MULT => BinaryOp::Mult,
        op::DIV => BinaryOp::Div,
        op::MOD => BinaryOp::Mod,
        op::LT => BinaryOp::Lt,
        op::LTE => BinaryOp::Lte,
        op::GT => BinaryOp::Gt,
        op::GTE => BinaryOp::Gte,
        op::EQ => BinaryOp::Eq,
        op::NEQ => BinaryOp::Neq,
        op::AND => BinaryOp::And,
        op::OR => BinaryOp::Or,
        op::PLUS_PLUS => BinaryOp::PlusPlus,
        op::MINUS_MINUS => BinaryOp::MinusMinus,
        op::PERCENT_PERCENT => BinaryOp::PercentPercent,
        other => {
            return Err(RuntimeError::Unsupported(format!(
                "unknown operator {other}"
            )));
        }
    })
}

/// Defines every import of the ABI on `linker`.
///
/// # Errors
///
/// Only if wasmtime refuses a definition (a bug).
pub(crate) fn define_imports(linker: &mut Linker<Machine>) -> wasmtime::Result<()> {
    let m = abi::IMPORT_MODULE;
    linker.func_wrap(
        m,
        abi::IMPORT_ENV_GET,
        |mut caller: Host<'_>, index: i32| {
            with_host(&mut caller, |machine, _| {
                machine.meter.charge(machine.costs.var_eval)?;
                let found = usize::try_from(index)
                    .ok()
                    .and_then(|i| machine.wasm.env.get(i))
                    .cloned();
                // (`ok_or` would build, and drop, the error on every call.)
                let Some(value) = found else {
                    return Err(RuntimeError::UnboundVariable(index));
                };
                Ok(machine.wasm.rvalue_of(value))
            })
        },
    )?;
    linker.func_wrap(m, abi::IMPORT_CONST_GET, |mut caller: Host<'_>, id: i32| {
        with_host(&mut caller, |machine, module| {
            let value = usize::try_from(id)
                .ok()
                .and_then(|i| module.values.get(i))
                .cloned()
                .ok_or_else(|| RuntimeError::Unsupported(format!("no constant {id}")))?;
            Ok(machine.wasm.rvalue_of(value))
        })
    })?;
    linker.func_wrap(
        m,
        abi::IMPORT_ARG_PUSH,
        |mut caller: Host<'_>, value: i64| {
            let machine = caller.data_mut();
            match machine.wasm.value(value) {
                Ok(value) => {
                    machine.wasm.args.push(value);
                    Ok(())
                }
                Err(error) => with_host(&mut caller, |_, _| Err::<(), _>(error)),
            }
        },
    )?;
    linker.func_wrap(m, abi::IMPORT_MAKE_LIST, |mut caller: Host<'_>, n: i32| {
        with_host(&mut caller, |machine, _| {
            let items = machine.wasm.pop_args(n)?;
            Ok(machine.wasm.rvalue_of(Value::list(items)))
        })
    })?;
    linker.func_wrap(m, abi::IMPORT_MAKE_TUPLE, |mut caller: Host<'_>, n: i32| {
        with_host(&mut caller, |machine, _| {
            let items = machine.wasm.pop_args(n)?;
            Ok(machine.wasm.rvalue_of(Value::tuple(items)))
        })
    })?;
    linker.func_wrap(m, abi::IMPORT_MAKE_SET, |mut caller: Host<'_>, n: i32| {
        with_host(&mut caller, |machine, _| {
            let items = machine.wasm.pop_args(n)?;
            Ok(machine.wasm.rvalue_of(Value::set(items)))
        })
    })?;
    linker.func_wrap(m, abi::IMPORT_MAKE_MAP, |mut caller: Host<'_>, n: i32| {
        with_host(&mut caller, |machine, _| {
            let items = machine.wasm.pop_args(n.saturating_mul(2))?;
            let mut entries = Vec::with_capacity(items.len() / 2);
            let mut items = items.into_iter();
            while let (Some(key), Some(value)) = (items.next(), items.next()) {
                entries.push((key, value));
            }
            Ok(machine.wasm.rvalue_of(Value::map(entries)))
        })
    })?;
    linker.func_wrap(m, abi::IMPORT_SUBST, |mut caller: Host<'_>, id: i32| {
        with_host(&mut caller, |machine, module| {
            let template = template(module, id)?;
            let mut par = substitute(template, &machine.wasm.env, 0)?;
            rho_host_abi::sort::sort_par(&mut par);
            Ok(machine.wasm.rvalue_of(Value::from_par(par)))
        })
    })?;
    linker.func_wrap(m, abi::IMPORT_PAR_MERGE, |mut caller: Host<'_>, n: i32| {
        with_host(&mut caller, |machine, _| {
            let parts = machine.wasm.pop_args(n)?;
            let mut par = Par::default();
            for part in parts {
                merge_into(&mut par, part.to_par());
            }
            rho_host_abi::sort::sort_par(&mut par);
            Ok(machine.wasm.rvalue_of(Value::from_par(par)))
        })
    })?;
    linker.func_wrap(
        m,
        abi::IMPORT_OP1,
        |mut caller: Host<'_>, code: i32, a: i64| {
            with_host(&mut caller, |machine, _| {
                let value = machine.wasm.value(a)?;
                let result = match code {
                    op::NEG => ops::negate(&value, &machine.costs, &mut machine.meter)?,
                    op::NOT => ops::not(&value, &machine.costs, &mut machine.meter)?,
                    other => {
                        return Err(RuntimeError::Unsupported(format!(
                            "unknown operator {other}"
                        )));
                    }
                };
                Ok(machine.wasm.rvalue_of(result))
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_OP2,
        |mut caller: Host<'_>, code: i32, a: i64, b: i64| {
            with_host(&mut caller, |machine, _| {
                let op = binary_op(code)?;
                let left = machine.wasm.value(a)?;
                let right = machine.wasm.value(b)?;
                let result = ops::binary(op, &left, &right, &machine.costs, &mut machine.meter)?;
                Ok(machine.wasm.rvalue_of(result))
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_TYPE_ERROR,
        |mut caller: Host<'_>, code: i32, a: i64| {
            with_host(&mut caller, |machine, _| {
                let value = machine.wasm.value(a)?;
                let op = if code == op::SHORT_OR { "||" } else { "&&" };
                Err::<(), _>(RuntimeError::OperatorNotDefined {
                    op,
                    type_name: value.type_name(),
                })
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_METHOD,
        |mut caller: Host<'_>, name: i32, target: i64, n: i32| {
            with_host(&mut caller, |machine, module| {
                let name = match usize::try_from(name)
                    .ok()
                    .and_then(|i| module.values.get(i))
                {
                    Some(Value::Str(name)) => Arc::clone(name),
                    _ => return Err(RuntimeError::Unsupported(format!("no method name {name}"))),
                };
                let target = machine.wasm.value(target)?;
                let args = machine.wasm.pop_args(n)?;
                let result = lift(machine.call_method(&target, &name, args))?;
                Ok(machine.wasm.rvalue_of(result))
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_MATCHES,
        |mut caller: Host<'_>, target: i64, id: i32| {
            with_host(&mut caller, |machine, module| {
                let target = machine.wasm.value(target)?;
                let free_count = free_var_count(template(module, id)?);
                let list = single_pattern(machine, module, id, free_count)?;
                let matched = list.match_value(&target, &machine.costs, &mut machine.meter)?;
                Ok(if matched.is_some() {
                    abi::TRUE
                } else {
                    abi::FALSE
                })
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_PRODUCE,
        |mut caller: Host<'_>, channel: i64, n: i32, persistent: i32| {
            with_host(&mut caller, |machine, _| {
                let data = Values::from_vec(machine.wasm.pop_args(n)?);
                produce(machine, channel, data, persistent)
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_PRODUCE_SLOTS,
        |mut caller: Host<'_>, channel: i64, n: i32, persistent: i32| {
            let data = read_arg_slots(&caller, n);
            with_host(&mut caller, |machine, _| {
                produce(machine, channel, data?, persistent)
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_PRODUCE_VALUES,
        |mut caller: Host<'_>, channel: i64, a: i64, b: i64, n: i32, persistent: i32| {
            with_host(&mut caller, |machine, _| {
                let mut data = Values::new();
                for rvalue in [a, b].into_iter().take(n.clamp(0, 2) as usize) {
                    data.push(machine.wasm.value(rvalue)?);
                }
                produce(machine, channel, data, persistent)
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_CONSUME,
        |mut caller: Host<'_>, id: i32, body: i32| {
            with_host(&mut caller, |machine, module| {
                let desc = receive_desc(module, id)?;
                let sources = machine.wasm.pop_args(desc.binds.len() as i32)?;
                consume(machine, module, id, sources, body)
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_CONSUME_SLOTS,
        |mut caller: Host<'_>, id: i32, body: i32| {
            let binds = caller
                .data()
                .wasm
                .module
                .as_ref()
                .and_then(|module| receive_desc(module, id).ok())
                .map_or(0, |desc| desc.binds.len() as i32);
            let sources = read_arg_slots(&caller, binds);
            with_host(&mut caller, |machine, module| {
                consume(machine, module, id, sources?, body)
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_NEW_NAMES,
        |mut caller: Host<'_>, id: i32, body: i32, component: i32| {
            with_host(&mut caller, |machine, module| {
                let component = component as u32;
                let desc = usize::try_from(id)
                    .ok()
                    .and_then(|i| module.news.get(i))
                    .ok_or_else(|| RuntimeError::Unsupported(format!("no new {id}")))?;
                let count = desc.bind_count as usize;
                machine
                    .meter
                    .charge(machine.costs.new_eval + machine.costs.new_binding * count as u64)?;
                let rand = component_rand_of(machine, component)?;
                let names = lift(new_names(
                    count.saturating_sub(desc.uris.len()),
                    &desc.uris,
                    &rand,
                    &machine.powerbox,
                ))?;
                let env = machine.wasm.env.extend(names);
                Ok(run_body(
                    machine,
                    module,
                    body,
                    component,
                    env,
                    rand.split(0),
                ))
            })
            .inspect(|&in_place| {
                if in_place == 1 {
                    sync_env(&mut caller);
                }
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_MATCH_CASE,
        |mut caller: Host<'_>, target: i64, id: i32, free_count: i32| {
            with_host(&mut caller, |machine, module| {
                let target = machine.wasm.value(target)?;
                let list = single_pattern(machine, module, id, free_count.max(0) as usize)?;
                match list.match_value(&target, &machine.costs, &mut machine.meter)? {
                    Some(bindings) => {
                        machine.wasm.pending = bindings;
                        Ok(1)
                    }
                    None => Ok(0),
                }
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_SPAWN,
        |mut caller: Host<'_>, body: i32, component: i32| {
            with_host(&mut caller, |machine, module| {
                let component = component as u32;
                machine.meter.charge(machine.costs.match_eval)?;
                let bindings = std::mem::take(&mut machine.wasm.pending);
                let env = machine.wasm.env.extend(bindings);
                let rand = component_rand_of(machine, component)?;
                Ok(run_body(machine, module, body, component, env, rand))
            })
            .inspect(|&in_place| {
                if in_place == 1 {
                    sync_env(&mut caller);
                }
            })
        },
    )?;
    linker.func_wrap(m, abi::IMPORT_LEAVE, |mut caller: Host<'_>| {
        with_host(&mut caller, |machine, _| {
            machine.wasm.leave().map(|_| ()).ok_or_else(|| {
                RuntimeError::Unsupported("`leave` without a body run in place".to_string())
            })
        })
        .inspect(|_| sync_env(&mut caller))
    })?;
    linker.func_wrap(m, METERED_NEXT_TASK, |mut caller: Host<'_>, gas: i64| {
        next_task(&mut caller, gas)
    })?;
    linker.func_wrap(
        m,
        abi::IMPORT_CHECK_CHANNEL,
        |mut caller: Host<'_>, channel: i64, write: i32| {
            with_host(&mut caller, |machine, _| {
                let access = if write != 0 {
                    Access::Write
                } else {
                    Access::Read
                };
                lift(unbundle(machine.wasm.value(channel)?, access))?;
                Ok(channel)
            })
        },
    )?;
    linker.func_wrap(
        m,
        abi::IMPORT_EVAL,
        |mut caller: Host<'_>, value: i64, component: i32| {
            with_host(&mut caller, |machine, _| {
                let component = component as u32;
                let value = machine.wasm.value(value)?;
                if let Value::Proc(process) = value {
                    let rand = component_rand_of(machine, component)?;
                    machine.reflected += 1;
                    machine.queue.push_back(Task::Interp {
                        code: crate::eval::CodeRef::new(process),
                        env: Env::default(),
                        rand,
                    });
                }
                Ok(())
            })
        },
    )?;
    Ok(())
}
