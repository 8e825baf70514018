//! The Par evaluator: runs normalized Rholang directly, with a deterministic
//! scheduler.
//!
//! It stays in the runtime as the path for processes that were not compiled
//! ahead of time (reflection: `*x` of a received process) and as the oracle
//! that compiled code is tested against.
//!
//! Execution is a FIFO queue of tasks, each a piece of code (a [`CodeRef`])
//! with its environment and name generator state. A task evaluates the
//! components of its Par in canonical order (sends, receives, news, exprs,
//! matches); bodies that become runnable (after a COMM, a `new`, a matching
//! `match` case) are queued, never run recursively, so deep chains and wide
//! pars use heap, not stack. A runtime error ends only the component that
//! raised it; running out of phlo ends the run.

mod code;
mod env;
mod patterns;
mod substitute;

use std::collections::VecDeque;
use std::io::Write;
use std::sync::{Arc, LazyLock};

use blake2::Blake2b;
use blake2::digest::{Digest, consts::U32};
use prost::Message;
use rho_host_abi::par::{
    Bundle, Expr, GPrivate, GUnforgeable, Match, New, Par, Receive, Send, expr::ExprInstance,
    g_unforgeable::UnfInstance, var::VarInstance,
};
use rho_host_abi::source_map::{SourceMap, term_key};

pub(crate) use self::code::CodeRef;
pub(crate) use self::env::Env;
pub(crate) use self::patterns::{BindPattern, PatternList, SpaceMatcher, free_var_count};
pub(crate) use self::substitute::substitute;
use crate::error::{LocatedError, RuntimeError};
use crate::names::Rand;
use crate::ops::{self, BinaryOp};
use crate::phlo::{CostTable, PhloMeter};
use crate::system::{Effect, SystemProcess};
use crate::tuplespace::{Comm, Event, EventLog, LogMismatch, Tuplespace};
use crate::value::{ProcValue, Value};
use crate::wasm::host::{LoadedModule, WasmTask, WasmTaskState};

/// Stack space to keep free before recursing into an expression.
const RED_ZONE: usize = 64 * 1024;
/// Stack segment to allocate when the red zone is reached.
const STACK_GROWTH: usize = 1024 * 1024;

/// An empty body, for receives and cases whose body is absent.
static EMPTY_PAR: LazyLock<Arc<ProcValue>> =
    LazyLock::new(|| Arc::new(ProcValue::new(Par::default())));

/// How the run keeps its event log.
#[derive(Clone, Debug, Default)]
pub enum LogMode {
    /// Only a running digest.
    #[default]
    Digest,
    /// Every event, for `--record`.
    Record,
    /// Follow a recorded log, for `rhoc replay`.
    Replay(Vec<Event>),
}

/// The settings of one run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// The phlo limit.
    pub phlo_limit: u64,
    /// The seed of the name generator.
    pub seed: Vec<u8>,
    /// The prices.
    pub costs: CostTable,
    /// What to keep of the event log.
    pub log: LogMode,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            phlo_limit: crate::phlo::DEFAULT_PHLO_LIMIT,
            seed: DEFAULT_SEED.to_vec(),
            costs: CostTable::V1,
            log: LogMode::Digest,
        }
    }
}

/// The seed used when none is given.
pub const DEFAULT_SEED: &[u8] = b"rhoc-default-seed";

/// What a run did.
#[derive(Debug)]
pub struct RunReport {
    /// Phlo spent (storage refunds included).
    pub phlo_spent: u64,
    /// COMMs performed.
    pub comms: u64,
    /// Runtime errors, in the order they happened.
    pub errors: Vec<LocatedError>,
    /// Whether the run stopped because it ran out of phlo.
    pub out_of_phlo: bool,
    /// The event log (digest, record or replayed record).
    pub log: EventLog,
    /// For a replay: whether the record was followed to its end.
    pub replay: Result<(), LogMismatch>,
    /// Blake2b-256 of the final tuplespace.
    pub state_hash: [u8; 32],
    /// Processes received as data and run with `*x`.
    pub reflected: u64,
}

/// Runs `program` (a normalized, sorted Par) to quiescence or out of phlo.
///
/// Output of `rho:io:stdout` goes to `stdout`, of `rho:io:stderr` to
/// `stderr`. Runtime errors are returned in the report, located through
/// `source_map` when one is given.
pub fn run(
    program: Par,
    source_map: Option<&SourceMap>,
    config: &RunConfig,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> RunReport {
    let (mut machine, root_rand) = Machine::new(config, source_map.cloned().map(Arc::new));
    machine.queue.push_back(Task::Interp {
        code: CodeRef::new(Arc::new(ProcValue::new(program))),
        env: Env::default(),
        rand: root_rand,
    });
    while !machine.stopped {
        let Some(task) = machine.queue.pop_front() else {
            break;
        };
        match task {
            Task::Interp { code, env, rand } => machine.run_interp_task(code, env, rand),
            Task::Wasm(task) => machine.record(unlocated(RuntimeError::Unsupported(format!(
                "body {} of a compiled module outside a Wasm run",
                task.body
            )))),
        }
        machine.flush(stdout, stderr);
    }
    machine.flush(stdout, stderr);
    machine.report()
}

/// A piece of code ready to run.
pub(crate) enum Task {
    /// A Par run by the evaluator.
    Interp { code: CodeRef, env: Env, rand: Rand },
    /// A body of a compiled module.
    Wasm(WasmTask),
}

/// What waits in the tuplespace for data.
#[derive(Clone)]
pub(crate) enum Continuation {
    /// A receive body with its captured environment.
    Code { body: CodeRef, env: Env },
    /// A body of a compiled module with its captured environment.
    Wasm {
        module: Arc<LoadedModule>,
        body: u32,
        env: Env,
    },
    /// A native process.
    System(SystemProcess),
}

impl std::fmt::Debug for Continuation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Continuation::Code { .. } => f.write_str("Code"),
            Continuation::Wasm { body, .. } => write!(f, "Wasm({body})"),
            Continuation::System(p) => write!(f, "System({})", p.uri()),
        }
    }
}

/// Which permission a channel use needs from a bundle.
#[derive(Clone, Copy)]
pub(crate) enum Access {
    Read,
    Write,
}

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
    source_map: Option<Arc<SourceMap>>,
    pub(crate) stopped: bool,
    pub(crate) reflected: u64,
    /// The state of the Wasm task being run.
    pub(crate) wasm: WasmTaskState,
    /// Memory and table limits of the wasmtime store this machine lives in.
    pub(crate) store_limits: wasmtime::StoreLimits,
}

pub(crate) type Eval<T> = Result<T, LocatedError>;

pub(crate) fn unlocated(error: RuntimeError) -> LocatedError {
    LocatedError { error, loc: None }
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
        };
        let root_rand = Rand::from_seed(&config.seed);
        if let Err(error) = machine.install_system_processes(&root_rand) {
            machine.record(error);
        }
        (machine, root_rand)
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

    fn install_system_processes(&mut self, rand: &Rand) -> Eval<()> {
        for (index, process) in SystemProcess::ALL.into_iter().enumerate() {
            let mut matcher = SpaceMatcher {
                costs: &self.costs,
                meter: &mut self.meter,
            };
            self.space
                .consume(
                    vec![process.channel()],
                    vec![BindPattern::Arity(process.arity())],
                    Continuation::System(process),
                    true,
                    false,
                    rand.split(u32::MAX - index as u32),
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

    pub(crate) fn run_interp_task(&mut self, code: CodeRef, env: Env, rand: Rand) {
        let par = code.get();
        let mut index = 0u32;
        let mut next_rand = || {
            let component = component_rand(&rand, index);
            index += 1;
            component
        };
        for send in &par.sends {
            let result = self.eval_send(&env, send, next_rand());
            if self.settle(result) {
                return;
            }
        }
        for receive in &par.receives {
            let result = self.eval_receive(&code, &env, receive, next_rand());
            if self.settle(result) {
                return;
            }
        }
        for new in &par.news {
            let result = self.eval_new(&code, &env, new, next_rand());
            if self.settle(result) {
                return;
            }
        }
        for expr in &par.exprs {
            let result = self.eval_process_expr(&env, expr, next_rand());
            if self.settle(result) {
                return;
            }
        }
        for matched in &par.matches {
            let result = self.eval_match(&code, &env, matched, next_rand());
            if self.settle(result) {
                return;
            }
        }
    }

    /// Records the error of a component, if any; true when the run stops.
    fn settle(&mut self, result: Eval<()>) -> bool {
        if let Err(error) = result {
            self.record(error);
        }
        self.stopped
    }

    pub(crate) fn charge(&mut self, amount: u64) -> Eval<()> {
        self.meter.charge(amount).map_err(unlocated)
    }

    /// Attaches the source location of `term` to an error that has none.
    fn locate<M: rho_host_abi::Term>(&self, mut error: LocatedError, term: &M) -> LocatedError {
        if error.loc.is_none()
            && let Some(map) = &self.source_map
        {
            error.loc = map.get(term_key(term));
        }
        error
    }

    // ---- sends -------------------------------------------------------------

    fn eval_send(&mut self, env: &Env, send: &Send, rand: Rand) -> Eval<()> {
        self.eval_send_inner(env, send, rand)
            .map_err(|e| self.locate(e, send))
    }

    fn eval_send_inner(&mut self, env: &Env, send: &Send, rand: Rand) -> Eval<()> {
        self.charge(self.costs.send)?;
        let channel = self.eval_channel(send.chan.as_ref(), env, Access::Write)?;
        let mut data = Vec::with_capacity(send.data.len());
        for datum in &send.data {
            data.push(self.eval_value(datum, env)?);
        }
        self.produce(channel, data, send.persistent, rand)
    }

    pub(crate) fn produce(
        &mut self,
        channel: Value,
        data: Vec<Value>,
        persistent: bool,
        rand: Rand,
    ) -> Eval<()> {
        let storage = channel.encoded_len() + data.iter().map(Value::encoded_len).sum::<u64>();
        self.charge(storage)?;
        let seq = self.space.next_seq();
        let mut matcher = SpaceMatcher {
            costs: &self.costs,
            meter: &mut self.meter,
        };
        let comm = self
            .space
            .produce(
                channel.clone(),
                data,
                persistent,
                rand,
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
                    .produce_more(&channel, seq, &mut matcher)
                    .map_err(unlocated)?;
                match next {
                    Some(comm) => self.dispatch(comm)?,
                    None => break,
                }
            }
        }
        Ok(())
    }

    // ---- receives ----------------------------------------------------------

    fn eval_receive(
        &mut self,
        code: &CodeRef,
        env: &Env,
        receive: &Receive,
        rand: Rand,
    ) -> Eval<()> {
        self.eval_receive_inner(code, env, receive, rand)
            .map_err(|e| self.locate(e, receive))
    }

    fn eval_receive_inner(
        &mut self,
        code: &CodeRef,
        env: &Env,
        receive: &Receive,
        rand: Rand,
    ) -> Eval<()> {
        self.charge(self.costs.receive)?;
        let mut channels = Vec::with_capacity(receive.binds.len());
        let mut patterns = Vec::with_capacity(receive.binds.len());
        let mut storage = 0;
        for bind in &receive.binds {
            let channel = self.eval_channel(bind.source.as_ref(), env, Access::Read)?;
            storage += channel.encoded_len();
            channels.push(channel);
            let mut prepared = Vec::with_capacity(bind.patterns.len());
            for pattern in &bind.patterns {
                let pattern = self.prepare_pattern(pattern, env)?;
                storage += pattern.encoded_len() as u64;
                prepared.push(pattern);
            }
            patterns.push(BindPattern::Patterns(PatternList::new(
                prepared,
                bind.remainder,
                usize::try_from(bind.free_count).unwrap_or(0),
            )));
        }
        let body = match &receive.body {
            Some(body) => {
                storage += body.encoded_len() as u64;
                code.child(body)
            }
            None => CodeRef::new(Arc::clone(&EMPTY_PAR)),
        };
        let continuation = Continuation::Code {
            body,
            env: env.clone(),
        };
        self.consume(
            channels,
            patterns,
            continuation,
            receive.persistent,
            receive.peek,
            rand,
            storage,
        )
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
        rand: Rand,
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
                rand,
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
        if env.len() == 0 || is_lone_variable(pattern) {
            return Ok(pattern.clone());
        }
        let mut substituted = substitute(pattern, env, 1).map_err(unlocated)?;
        rho_host_abi::sort::sort_par(&mut substituted);
        Ok(substituted)
    }

    /// Runs what a COMM released.
    pub(crate) fn dispatch(&mut self, comm: Comm<Continuation, Vec<Value>>) -> Eval<()> {
        self.meter.refund(comm.refund);
        match comm.payload {
            Continuation::Code { body, env } => {
                let env = env.extend(comm.bindings.into_iter().flatten());
                self.queue.push_back(Task::Interp {
                    code: body,
                    env,
                    rand: comm.rand,
                });
                Ok(())
            }
            Continuation::Wasm { module, body, env } => {
                let env = env.extend(comm.bindings.into_iter().flatten());
                self.queue.push_back(Task::Wasm(WasmTask {
                    module,
                    body,
                    env,
                    rand: comm.rand,
                }));
                Ok(())
            }
            Continuation::System(process) => {
                let args: Vec<Value> = comm.bindings.into_iter().flatten().collect();
                let effects = process.call(&args).map_err(unlocated)?;
                for (index, effect) in effects.into_iter().enumerate() {
                    match effect {
                        Effect::Stdout(line) => {
                            self.out.extend_from_slice(line.as_bytes());
                            self.out.push(b'\n');
                        }
                        Effect::Stderr(line) => {
                            self.err.extend_from_slice(line.as_bytes());
                            self.err.push(b'\n');
                        }
                        Effect::Send(channel, values) => {
                            self.produce(channel, values, false, comm.rand.split(index as u32))?;
                        }
                    }
                }
                Ok(())
            }
        }
    }

    // ---- new ---------------------------------------------------------------

    fn eval_new(&mut self, code: &CodeRef, env: &Env, new: &New, rand: Rand) -> Eval<()> {
        self.eval_new_inner(code, env, new, rand)
            .map_err(|e| self.locate(e, new))
    }

    fn eval_new_inner(&mut self, code: &CodeRef, env: &Env, new: &New, rand: Rand) -> Eval<()> {
        let count = usize::try_from(new.bind_count).unwrap_or(0);
        let plain = count.saturating_sub(new.uri.len());
        self.charge(self.costs.new_eval + self.costs.new_binding * count as u64)?;
        let names = new_names(plain, &new.uri, &rand)?;
        let body = match &new.p {
            Some(body) => code.child(body),
            None => return Ok(()),
        };
        self.queue.push_back(Task::Interp {
            code: body,
            env: env.extend(names),
            rand: rand.split(0),
        });
        Ok(())
    }

    // ---- match -------------------------------------------------------------

    fn eval_match(&mut self, code: &CodeRef, env: &Env, matched: &Match, rand: Rand) -> Eval<()> {
        self.eval_match_inner(code, env, matched, rand)
            .map_err(|e| self.locate(e, matched))
    }

    fn eval_match_inner(
        &mut self,
        code: &CodeRef,
        env: &Env,
        matched: &Match,
        rand: Rand,
    ) -> Eval<()> {
        self.charge(self.costs.match_eval)?;
        let target = self.eval_operand(matched.target.as_ref(), env)?;
        for case in &matched.cases {
            let pattern = match &case.pattern {
                Some(pattern) => self.prepare_pattern(pattern, env)?,
                None => Par::default(),
            };
            let free_count = usize::try_from(case.free_count).unwrap_or(0);
            let list = PatternList::new(vec![pattern], None, free_count);
            let bindings = list
                .match_value(&target, &self.costs, &mut self.meter)
                .map_err(unlocated)?;
            if let Some(bindings) = bindings {
                let body = match &case.source {
                    Some(source) => code.child(source),
                    None => return Ok(()),
                };
                self.queue.push_back(Task::Interp {
                    code: body,
                    env: env.extend(bindings),
                    rand,
                });
                return Ok(());
            }
        }
        Ok(())
    }

    // ---- expressions -------------------------------------------------------

    /// An expression in process position: evaluated, and run if it yields a
    /// process (`*x` of a received process).
    fn eval_process_expr(&mut self, env: &Env, expr: &Expr, rand: Rand) -> Eval<()> {
        let value = self.eval_expr(expr, env)?;
        if let Value::Proc(process) = value {
            self.reflected += 1;
            self.queue.push_back(Task::Interp {
                code: CodeRef::new(process),
                env: Env::default(),
                rand,
            });
        }
        Ok(())
    }

    /// A channel: a value, unwrapped from its bundle if the bundle grants
    /// `access`.
    fn eval_channel(&mut self, channel: Option<&Par>, env: &Env, access: Access) -> Eval<Value> {
        let value = match channel {
            Some(par) => self.eval_value(par, env)?,
            None => Value::Nil,
        };
        unbundle(value, access)
    }

    /// A process as data: expressions evaluated, variables substituted.
    fn eval_value(&mut self, par: &Par, env: &Env) -> Eval<Value> {
        let others = par.sends.len()
            + par.receives.len()
            + par.news.len()
            + par.matches.len()
            + par.unforgeables.len()
            + par.bundles.len()
            + par.connectives.len();
        if others == 0 {
            match par.exprs.len() {
                0 => return Ok(Value::Nil),
                1 => return self.eval_expr(&par.exprs[0], env),
                _ => {}
            }
        }
        if others == 1 && par.exprs.is_empty() && par.unforgeables.len() == 1 {
            return Ok(Value::Unforgeable(Arc::new(par.unforgeables[0].clone())));
        }
        let mut out = Par::default();
        for expr in &par.exprs {
            let value = self.eval_expr(expr, env)?;
            merge_into(&mut out, value.to_par());
        }
        let rest = Par {
            exprs: Vec::new(),
            ..par.clone()
        };
        let rest = if env.len() == 0 {
            rest
        } else {
            substitute(&rest, env, 0).map_err(unlocated)?
        };
        merge_into(&mut out, rest);
        rho_host_abi::sort::sort_par(&mut out);
        Ok(Value::from_par(out))
    }

    fn eval_expr(&mut self, expr: &Expr, env: &Env) -> Eval<Value> {
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || {
            self.eval_expr_inner(expr, env)
                .map_err(|e| self.locate(e, expr))
        })
    }

    fn eval_operand(&mut self, operand: Option<&Par>, env: &Env) -> Eval<Value> {
        match operand {
            Some(par) => self.eval_value(par, env),
            None => Ok(Value::Nil),
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        p1: Option<&Par>,
        p2: Option<&Par>,
        env: &Env,
    ) -> Eval<Value> {
        let left = self.eval_operand(p1, env)?;
        let right = self.eval_operand(p2, env)?;
        ops::binary(op, &left, &right, &self.costs, &mut self.meter).map_err(unlocated)
    }

    fn eval_expr_inner(&mut self, expr: &Expr, env: &Env) -> Eval<Value> {
        let Some(instance) = &expr.expr_instance else {
            return Ok(Value::Nil);
        };
        match instance {
            ExprInstance::GBool(b) => Ok(Value::Bool(*b)),
            ExprInstance::GInt(i) => Ok(Value::Int(*i)),
            ExprInstance::GBigInt(_)
            | ExprInstance::GString(_)
            | ExprInstance::GUri(_)
            | ExprInstance::GByteArray(_) => Ok(Value::from_par(Par {
                exprs: vec![expr.clone()],
                ..Par::default()
            })),
            ExprInstance::EVarBody(evar) => {
                self.charge(self.costs.var_eval)?;
                match evar.v.as_ref().and_then(|v| v.var_instance.as_ref()) {
                    Some(VarInstance::BoundVar(index)) => usize::try_from(*index)
                        .ok()
                        .and_then(|i| env.get(i))
                        .cloned()
                        .ok_or_else(|| unlocated(RuntimeError::UnboundVariable(*index))),
                    _ => Err(unlocated(RuntimeError::Unsupported(
                        "a free variable or wildcard outside a pattern".to_string(),
                    ))),
                }
            }
            ExprInstance::ENotBody(b) => {
                let value = self.eval_operand(b.p.as_ref(), env)?;
                ops::not(&value, &self.costs, &mut self.meter).map_err(unlocated)
            }
            ExprInstance::ENegBody(b) => {
                let value = self.eval_operand(b.p.as_ref(), env)?;
                ops::negate(&value, &self.costs, &mut self.meter).map_err(unlocated)
            }
            ExprInstance::EMultBody(b) => {
                self.binary(BinaryOp::Mult, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EDivBody(b) => {
                self.binary(BinaryOp::Div, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EModBody(b) => {
                self.binary(BinaryOp::Mod, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EPlusBody(b) => {
                self.binary(BinaryOp::Plus, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EMinusBody(b) => {
                self.binary(BinaryOp::Minus, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::ELtBody(b) => {
                self.binary(BinaryOp::Lt, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::ELteBody(b) => {
                self.binary(BinaryOp::Lte, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EGtBody(b) => {
                self.binary(BinaryOp::Gt, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EGteBody(b) => {
                self.binary(BinaryOp::Gte, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EEqBody(b) => {
                self.binary(BinaryOp::Eq, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::ENeqBody(b) => {
                self.binary(BinaryOp::Neq, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EAndBody(b) => {
                self.binary(BinaryOp::And, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EOrBody(b) => {
                self.binary(BinaryOp::Or, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EPercentPercentBody(b) => {
                self.binary(BinaryOp::PercentPercent, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EPlusPlusBody(b) => {
                self.binary(BinaryOp::PlusPlus, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EMinusMinusBody(b) => {
                self.binary(BinaryOp::MinusMinus, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EShortAndBody(b) => {
                self.short_circuit("&&", false, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EShortOrBody(b) => {
                self.short_circuit("||", true, b.p1.as_ref(), b.p2.as_ref(), env)
            }
            ExprInstance::EMatchesBody(b) => {
                let target = self.eval_operand(b.target.as_ref(), env)?;
                let pattern = match &b.pattern {
                    Some(pattern) => self.prepare_pattern(pattern, env)?,
                    None => Par::default(),
                };
                let free_count = patterns::free_var_count(&pattern);
                let list = PatternList::new(vec![pattern], None, free_count);
                let matched = list
                    .match_value(&target, &self.costs, &mut self.meter)
                    .map_err(unlocated)?;
                Ok(Value::Bool(matched.is_some()))
            }
            ExprInstance::EListBody(list) => {
                if list.remainder.is_some() {
                    return Err(unlocated(RuntimeError::Unsupported(
                        "a list remainder outside a pattern".to_string(),
                    )));
                }
                let mut items = Vec::with_capacity(list.ps.len());
                for item in &list.ps {
                    items.push(self.eval_value(item, env)?);
                }
                Ok(Value::list(items))
            }
            ExprInstance::ETupleBody(tuple) => {
                let mut items = Vec::with_capacity(tuple.ps.len());
                for item in &tuple.ps {
                    items.push(self.eval_value(item, env)?);
                }
                Ok(Value::tuple(items))
            }
            ExprInstance::ESetBody(set) => {
                if set.remainder.is_some() {
                    return Err(unlocated(RuntimeError::Unsupported(
                        "a set remainder outside a pattern".to_string(),
                    )));
                }
                let mut items = Vec::with_capacity(set.ps.len());
                for item in &set.ps {
                    items.push(self.eval_value(item, env)?);
                }
                Ok(Value::set(items))
            }
            ExprInstance::EMapBody(map) => {
                if map.remainder.is_some() {
                    return Err(unlocated(RuntimeError::Unsupported(
                        "a map remainder outside a pattern".to_string(),
                    )));
                }
                let mut entries = Vec::with_capacity(map.kvs.len());
                for kv in &map.kvs {
                    let key = self.eval_operand(kv.key.as_ref(), env)?;
                    let value = self.eval_operand(kv.value.as_ref(), env)?;
                    entries.push((key, value));
                }
                Ok(Value::map(entries))
            }
            ExprInstance::EMethodBody(method) => {
                let target = self.eval_operand(method.target.as_ref(), env)?;
                let mut args = Vec::with_capacity(method.arguments.len());
                for arg in &method.arguments {
                    args.push(self.eval_value(arg, env)?);
                }
                ops::call_method(
                    &target,
                    &method.method_name,
                    &args,
                    &self.costs,
                    &mut self.meter,
                )
                .map_err(unlocated)
            }
        }
    }

    /// `&&` and `||`: the right operand is evaluated only when needed.
    fn short_circuit(
        &mut self,
        op: &'static str,
        decisive: bool,
        p1: Option<&Par>,
        p2: Option<&Par>,
        env: &Env,
    ) -> Eval<Value> {
        let not_bool = |value: &Value| {
            unlocated(RuntimeError::OperatorNotDefined {
                op,
                type_name: value.type_name(),
            })
        };
        let cost = if decisive {
            self.costs.boolean_or
        } else {
            self.costs.boolean_and
        };
        self.charge(cost)?;
        match self.eval_operand(p1, env)? {
            Value::Bool(b) if b == decisive => Ok(Value::Bool(b)),
            Value::Bool(_) => match self.eval_operand(p2, env)? {
                Value::Bool(b) => Ok(Value::Bool(b)),
                other => Err(not_bool(&other)),
            },
            other => Err(not_bool(&other)),
        }
    }

    // ---- state -------------------------------------------------------------

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
                    Continuation::System(process) => hasher.update(process.uri()),
                }
            }
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
/// system channels of `uris`, in order.
pub(crate) fn new_names(plain: usize, uris: &[String], rand: &Rand) -> Eval<Vec<Value>> {
    let mut names = Vec::with_capacity(plain + uris.len());
    for index in 0..plain {
        names.push(Value::Unforgeable(Arc::new(GUnforgeable {
            unf_instance: Some(UnfInstance::GPrivateBody(GPrivate {
                id: rand.name(index as u32).to_vec(),
            })),
        })));
    }
    for uri in uris {
        let process = SystemProcess::from_uri(uri)
            .ok_or_else(|| unlocated(RuntimeError::UnknownUri(uri.clone())))?;
        names.push(process.channel());
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

/// Whether `pattern` is a lone free variable or wildcard (needs no
/// substitution).
fn is_lone_variable(pattern: &Par) -> bool {
    pattern.exprs.len() == 1
        && pattern.sends.is_empty()
        && pattern.receives.is_empty()
        && pattern.news.is_empty()
        && pattern.matches.is_empty()
        && pattern.unforgeables.is_empty()
        && pattern.bundles.is_empty()
        && pattern.connectives.is_empty()
        && matches!(
            &pattern.exprs[0].expr_instance,
            Some(ExprInstance::EVarBody(evar))
                if matches!(
                    evar.v.as_ref().and_then(|v| v.var_instance.as_ref()),
                    Some(VarInstance::FreeVar(_) | VarInstance::Wildcard(_))
                )
        )
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
