//! The Par evaluator: runs normalized Rholang directly, with a deterministic
//! scheduler.
//!
//! It stays in the runtime as the path for processes that were not compiled
//! ahead of time (reflection: `*x` of a received process) and as the oracle
//! that compiled code is tested against.
//!
//! Execution is a FIFO queue of tasks, each a piece of code (a `CodeRef`)
//! with its environment and name generator state. A task evaluates the
//! components of its Par in canonical order (sends, receives, news, exprs,
//! matches); bodies that become runnable (after a COMM, a `new`, a matching
//! `match` case) are queued, never run recursively, so deep chains and wide
//! pars use heap, not stack. A runtime error ends only the component that
//! raised it; running out of phlo ends the run.

mod code;
mod env;
mod interp;
mod machine;
mod patterns;
mod substitute;

use std::io::Write;
use std::sync::Arc;

use rho_host_abi::par::Par;
use rho_host_abi::source_map::SourceMap;

pub(crate) use self::code::CodeRef;
pub(crate) use self::env::Env;
pub(crate) use self::machine::{Machine, component_rand, merge_into, new_names, unbundle};
pub(crate) use self::patterns::{BindPattern, Bound, PatternList, free_var_count};
pub(crate) use self::substitute::substitute;
use crate::error::{LocatedError, RuntimeError};
use crate::names::Rand;
use crate::native::{NativeProcess, Powerbox};
use crate::phlo::CostTable;
use crate::tuplespace::{Event, EventLog, LogMismatch};
use crate::value::ProcValue;
use crate::wasm::host::{LoadedModule, WasmTask};

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
    /// The URIs the run may bind, and the native processes behind them.
    pub powerbox: Powerbox,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            phlo_limit: crate::phlo::DEFAULT_PHLO_LIMIT,
            seed: DEFAULT_SEED.to_vec(),
            costs: CostTable::V1,
            log: LogMode::Digest,
            powerbox: Powerbox::standard(),
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
    run_with_preludes(Vec::new(), program, source_map, config, stdout, stderr)
}

/// Runs `preludes` (library code, such as the standard library's contracts)
/// and then `program` in one tuplespace: each prelude's first task is queued
/// before the program's, so the contracts a prelude installs are in place
/// when the program calls them.
///
/// Prelude `i` draws its names from [`prelude_rand`]`(i)`, so its names do
/// not depend on the program or its seed.
pub fn run_with_preludes(
    preludes: Vec<Par>,
    program: Par,
    source_map: Option<&SourceMap>,
    config: &RunConfig,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> RunReport {
    let (mut machine, root_rand) = Machine::new(config, source_map.cloned().map(Arc::new));
    for (index, prelude) in preludes.into_iter().enumerate() {
        machine.queue.push_back(Task::Interp {
            code: CodeRef::new(Arc::new(ProcValue::new(prelude))),
            env: Env::default(),
            rand: prelude_rand(index),
        });
    }
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

/// The name generator state of prelude `index`.
pub fn prelude_rand(index: usize) -> Rand {
    Rand::from_seed(format!("rhoc-prelude:{index}").as_bytes())
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
    Native(Arc<dyn NativeProcess>),
}

impl std::fmt::Debug for Continuation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Continuation::Code { .. } => f.write_str("Code"),
            Continuation::Wasm { body, .. } => write!(f, "Wasm({body})"),
            Continuation::Native(p) => write!(f, "Native({})", p.name()),
        }
    }
}

/// Which permission a channel use needs from a bundle.
#[derive(Clone, Copy)]
pub(crate) enum Access {
    Read,
    Write,
}

pub(crate) type Eval<T> = Result<T, LocatedError>;

pub(crate) fn unlocated(error: RuntimeError) -> LocatedError {
    LocatedError { error, loc: None }
}
