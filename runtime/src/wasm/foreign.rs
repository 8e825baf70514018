//! Foreign modules: Wasm code that a Rholang program loads through the FFI
//! (`rho:ffi:wasm`, in `rho-stdlib`) and calls as a library of functions.
//!
//! A foreign module is untrusted code, like a deploy's module, and goes
//! through the same gate before anything compiles it:
//!
//! - [`validate`] with the runtime's [`ModuleLimits`] and accepted features
//!   (no floats, SIMD, threads, ...). The FFI's import policy is stricter
//!   than the host ABI's: a foreign module imports nothing at all (it gets
//!   no host functions), and it needs no `rho.abi` stamp, since it was not
//!   built for the host ABI (one it carries must still match this runtime).
//!   A start function and the metering's export names are refused as for a
//!   deploy.
//! - [`instrument`] with the runtime's prices ([`WasmCosts`]) and the
//!   default call-depth limit ([`DEFAULT_MAX_CALL_DEPTH`]).
//! - Compilation under the runtime's deterministic wasmtime configuration,
//!   once per process for each distinct module (a cache keyed by the
//!   Blake2b-256 of its bytes).
//!
//! # Calls
//!
//! [`ForeignModule::call`] runs one exported function in a fresh instance:
//! no state survives from one call to the next, so a call's outcome depends
//! only on the module and the arguments, and nothing outside the
//! tuplespace needs to be part of the state hash.
//!
//! Parameters and results are `i32` and `i64` (the only value types an
//! accepted module has); on the Rholang side they are Ints and byte arrays:
//!
//! - An Int fills one parameter. An `i64` takes any Int; an `i32` takes an
//!   Int from -2^31 to 2^31 - 1.
//! - A byte array fills two `i32` parameters, a pointer and a length. The
//!   module must export its memory as `memory` and an allocator
//!   `rho_alloc(len: i32) -> i32` ([`EXPORT_ALLOC`]). For each byte-array
//!   argument, in order, the host calls `rho_alloc(len)` and copies the
//!   bytes to the address it returns; the function then receives
//!   `(ptr, len)`.
//! - A function returns nothing (Nil), one `i32` (an Int, sign-extended) or
//!   one `i64` (an Int), or two `i32`, a pointer and a length (a byte array
//!   the host copies out of `memory` after the call). Other result lists
//!   cannot be called.
//!
//! # Phlo
//!
//! Every call is given a budget and reports the phlo it used
//! ([`ForeignCall::phlo_used`]), whether it succeeded or not:
//!
//! - the module's own instructions, `rho_alloc` included, at the prices of
//!   the injected metering;
//! - the instance: [`CALL_PHLO`], plus its initial memory as a
//!   `memory.grow` of that many pages, its data segments as a bulk copy and
//!   its element segments per element;
//! - each byte array copied in or out as a bulk copy of its length.
//!
//! A call whose costs exceed its budget stops with
//! [`ForeignError::OutOfPhlo`] and uses the whole budget: an infinite loop
//! ends there, at a cost that depends only on the budget. Loading a module
//! costs [`load_phlo`] of its size and functions, whether or not it was compiled before
//! (the caller charges it).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use blake2::Blake2b;
use blake2::digest::{Digest, consts::U32};
use rho_host_abi::abi::{ABI_VERSION, AbiStamp, EXPORT_GAS, EXPORT_MEMORY, SECTION_ABI};
use wasm_encoder::Encode;
use wasmparser::{ElementItems, Parser, Payload};
use wasmtime::{
    Engine, ExternType, Func, Global, Instance, InstancePre, Linker, Memory, Module, Store,
    StoreLimits, StoreLimitsBuilder, Trap, Val, ValType,
};

use super::engine::{DEFAULT_MAX_CALL_DEPTH, MAX_MEMORY_BYTES, deterministic_config};
use super::meter::{EXPORT_DEPTH, WasmCosts, instrument};
use super::reject::{LimitKind, RejectError};
use super::validate::{ModuleLimits, validate};
use crate::phlo::COST_TABLE_VERSION;

/// The allocator a module exports to receive byte arrays:
/// `rho_alloc(len: i32) -> i32`, the address of `len` writable bytes.
pub const EXPORT_ALLOC: &str = "rho_alloc";

/// Phlo for loading a module, before its size and functions.
pub const LOAD_PHLO: u64 = 10_000;

/// Phlo per byte of a module loaded: validation, metering and compilation
/// grow with its size (about 0.3 µs a byte for large functions on the
/// reference machine, where 250 phlo is about a microsecond).
pub const LOAD_PHLO_PER_BYTE: u64 = 100;

/// Phlo per function a module defines: compiling a function has a fixed
/// cost besides its size (about 50 µs for a small one).
pub const LOAD_PHLO_PER_FUNCTION: u64 = 10_000;

/// Phlo for each call's instance, before its memory and segments (an
/// instance with one page of memory takes about 8 µs to create).
pub const CALL_PHLO: u64 = 1_000;

/// The phlo that loading `wasm` costs: [`LOAD_PHLO`], plus
/// [`LOAD_PHLO_PER_BYTE`] for each byte and [`LOAD_PHLO_PER_FUNCTION`] for
/// each function it declares (at most the limit on functions).
///
/// The price depends only on the bytes, not on whether the module was
/// compiled before, and is known before anything is decoded beyond the
/// section headers, so the caller can charge it before loading.
pub fn load_phlo(wasm: &[u8]) -> u64 {
    let bytes = u64::try_from(wasm.len()).unwrap_or(u64::MAX);
    let functions = declared_functions(wasm).min(ModuleLimits::default().functions);
    LOAD_PHLO
        .saturating_add(bytes.saturating_mul(LOAD_PHLO_PER_BYTE))
        .saturating_add(functions.saturating_mul(LOAD_PHLO_PER_FUNCTION))
}

/// The count of the function section, 0 if the module has none or does
/// not decode as far.
fn declared_functions(wasm: &[u8]) -> u64 {
    for payload in Parser::new(0).parse_all(wasm) {
        match payload {
            Ok(Payload::FunctionSection(section)) => return u64::from(section.count()),
            Ok(Payload::CodeSectionStart { .. } | Payload::End(_)) | Err(_) => return 0,
            Ok(_) => {}
        }
    }
    0
}

/// Why a module could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ForeignLoadError {
    /// The module breaks a limit, uses a refused feature or imports
    /// something.
    #[error(transparent)]
    Rejected(#[from] RejectError),
    /// wasmtime could not be set up or could not compile the module.
    #[error("module rejected: wasmtime cannot load it: {0}")]
    Engine(String),
}

/// Why a call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ForeignError {
    /// The module has no exported function of that name.
    #[error("the module exports no function `{name}` (its functions: {exports})")]
    NoSuchExport {
        /// The name asked for.
        name: String,
        /// The module's callable functions, comma-separated.
        exports: String,
    },
    /// The function's results are not a shape the FFI returns.
    #[error(
        "`{name}` has type {signature}; the FFI calls functions that return nothing, \
         one i32 or i64 (an Int), or two i32 (a byte array: pointer, length)"
    )]
    UnsupportedResults {
        /// The export.
        name: String,
        /// Its type, e.g. `[i32] -> [i64 i64]`.
        signature: String,
    },
    /// The arguments do not fill the function's parameters.
    #[error(
        "`{name}` has type {signature} but was given {given}; an Int fills one i32 or \
         i64 parameter and a byte array fills two i32 parameters (pointer, length)"
    )]
    Arguments {
        /// The export.
        name: String,
        /// Its type.
        signature: String,
        /// What it was given, e.g. `2 values (Int, byte array)`.
        given: String,
    },
    /// An Int argument outside the range of its `i32` parameter.
    #[error("argument {position} of `{name}` is {value}, which does not fit its i32 parameter")]
    IntRange {
        /// The export.
        name: String,
        /// The argument's position, from 1.
        position: usize,
        /// The Int.
        value: i64,
    },
    /// A byte array crosses into or out of a module that does not follow
    /// the convention (no `memory`, no `rho_alloc`, or one of another
    /// type).
    #[error("`{name}` {what}, but the module does not export {needs}")]
    Convention {
        /// The export.
        name: String,
        /// What needed the convention, e.g. `takes a byte array`.
        what: &'static str,
        /// What is missing.
        needs: &'static str,
    },
    /// A byte array does not fit the module's memory.
    #[error("`{name}`: {what}")]
    OutOfBounds {
        /// The export.
        name: String,
        /// Which bytes, where.
        what: String,
    },
    /// The call used its whole phlo budget.
    #[error("Computation ran out of phlogistons")]
    OutOfPhlo,
    /// Nested calls went past the injected depth limit.
    #[error("call depth limit of {0} exceeded")]
    CallDepthExceeded(u32),
    /// The function (or `rho_alloc`) trapped.
    #[error("`{name}` trapped: {message}")]
    Trap {
        /// The export that trapped.
        name: String,
        /// The trap, e.g. `wasm trap: integer divide by zero`.
        message: String,
    },
    /// The instance could not be created (a data or element segment out of
    /// bounds, or no memory left on this machine).
    #[error("the module cannot be instantiated: {0}")]
    Instantiate(String),
}

/// One argument of a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForeignArg<'a> {
    /// An Int: one `i32` or `i64` parameter.
    Int(i64),
    /// A byte array: two `i32` parameters (pointer, length) after the host
    /// copies it into the module's memory.
    Bytes(&'a [u8]),
}

/// What a call returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForeignValue {
    /// The function has no results.
    Nothing,
    /// One `i32` (sign-extended) or `i64` result.
    Int(i64),
    /// Two `i32` results: the bytes at that pointer and length.
    Bytes(Vec<u8>),
}

/// The outcome of a call and the phlo it used, which the caller charges
/// whatever the outcome (on [`ForeignError::OutOfPhlo`], the whole budget).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignCall {
    /// The result or the error.
    pub outcome: Result<ForeignValue, ForeignError>,
    /// Phlo used, at most the budget.
    pub phlo_used: u64,
}

/// A value type of a foreign function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ForeignType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
}

impl fmt::Display for ForeignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ForeignType::I32 => "i32",
            ForeignType::I64 => "i64",
        })
    }
}

/// How a function's results cross back to Rholang.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultKind {
    /// No results: Nil.
    Nothing,
    /// One `i32` or `i64`: an Int.
    Int,
    /// Two `i32`: a byte array (pointer, length).
    Bytes,
}

/// An exported function of a foreign module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignExport {
    /// The export name.
    pub name: String,
    /// Its parameter types.
    pub params: Vec<ForeignType>,
    /// Its result types.
    pub results: Vec<ForeignType>,
}

impl ForeignExport {
    /// The type as `[i32 i32] -> [i64]`.
    pub fn signature(&self) -> String {
        let list = |types: &[ForeignType]| {
            types
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        };
        format!("[{}] -> [{}]", list(&self.params), list(&self.results))
    }

    /// How its results cross back, `None` if the FFI cannot call it.
    pub fn result_kind(&self) -> Option<ResultKind> {
        match self.results.as_slice() {
            [] => Some(ResultKind::Nothing),
            [_] => Some(ResultKind::Int),
            [ForeignType::I32, ForeignType::I32] => Some(ResultKind::Bytes),
            _ => None,
        }
    }
}

/// A validated, metered and compiled foreign module. Cloning is cheap.
#[derive(Clone)]
pub struct ForeignModule {
    inner: Arc<Inner>,
}

struct Inner {
    hash: [u8; 32],
    pre: InstancePre<CallState>,
    exports: Vec<ForeignExport>,
    instance_phlo: u64,
    costs: WasmCosts,
    max_call_depth: u32,
}

impl fmt::Debug for ForeignModule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForeignModule")
            .field("hash", &hex::encode(self.inner.hash))
            .field("exports", &self.inner.exports)
            .finish()
    }
}

impl ForeignModule {
    /// Validates, meters and compiles `wasm` (see the [module docs](self));
    /// a module loaded before in this process is taken from the cache.
    ///
    /// Deterministic: the outcome depends only on the bytes. Never panics.
    ///
    /// # Errors
    ///
    /// [`ForeignLoadError::Rejected`] for a module that imports anything or
    /// that [`validate`] or [`instrument`] refuses;
    /// [`ForeignLoadError::Engine`] if wasmtime cannot compile it.
    ///
    /// # Examples
    ///
    /// ```
    /// # use rho_runtime::wasm::foreign::{ForeignArg, ForeignModule, ForeignValue};
    /// let wasm = wat::parse_str(
    ///     r#"(module (func (export "add") (param i64 i64) (result i64)
    ///            local.get 0 local.get 1 i64.add))"#,
    /// )?;
    /// let module = ForeignModule::load(&wasm)?;
    /// let call = module.call("add", &[ForeignArg::Int(2), ForeignArg::Int(3)], 1_000_000);
    /// assert_eq!(call.outcome, Ok(ForeignValue::Int(5)));
    /// assert!(call.phlo_used > 0);
    ///
    /// // A module that imports anything is refused.
    /// let wasm = wat::parse_str(r#"(module (import "env" "f" (func)))"#)?;
    /// let err = ForeignModule::load(&wasm).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "module rejected: it imports `env.f`; a module loaded through the FFI may import nothing"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(wasm: &[u8]) -> Result<ForeignModule, ForeignLoadError> {
        let loader = loader()?;
        let key = cache_key(wasm);
        if let Some(hit) = loader.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(hit);
        }
        let module = loader.compile(wasm, key)?;
        // Two threads may compile the same module at once; the first copy
        // cached is the one every caller shares.
        match loader.cache.lock() {
            Ok(mut cache) => Ok(cache.entry(key).or_insert(module).clone()),
            Err(_) => Ok(module),
        }
    }

    /// The Blake2b-256 that identifies the module (of a domain tag and its
    /// bytes).
    pub fn hash(&self) -> [u8; 32] {
        self.inner.hash
    }

    /// The exported functions with `i32`/`i64` types, in export order
    /// (those with unsupported results included: see
    /// [`ForeignExport::result_kind`]).
    pub fn exports(&self) -> &[ForeignExport] {
        &self.inner.exports
    }

    /// The exported function `name`.
    pub fn export(&self, name: &str) -> Option<&ForeignExport> {
        self.inner.exports.iter().find(|export| export.name == name)
    }

    /// The phlo every call pays for its instance.
    pub fn instance_phlo(&self) -> u64 {
        self.inner.instance_phlo
    }

    /// Calls the exported function `name` with `args`, using at most
    /// `phlo_budget` phlo (see the [module docs](self) for the conventions
    /// and the prices).
    ///
    /// Deterministic: the same module, arguments and budget give the same
    /// outcome and phlo. Never panics; a trap is an error of the call.
    pub fn call(&self, name: &str, args: &[ForeignArg<'_>], phlo_budget: u64) -> ForeignCall {
        let mut budget = Budget {
            given: phlo_budget,
            left: phlo_budget,
        };
        let outcome = self.call_within(name, args, &mut budget);
        ForeignCall {
            outcome,
            phlo_used: budget.given - budget.left,
        }
    }

    fn call_within(
        &self,
        name: &str,
        args: &[ForeignArg<'_>],
        budget: &mut Budget,
    ) -> Result<ForeignValue, ForeignError> {
        let inner = &*self.inner;
        let export = self.export(name).ok_or_else(|| self.no_such_export(name))?;
        let result_kind = export
            .result_kind()
            .ok_or_else(|| ForeignError::UnsupportedResults {
                name: name.to_string(),
                signature: export.signature(),
            })?;
        let plan = plan_params(export, args)?;

        budget.charge(inner.instance_phlo)?;
        let mut call = Call::new(self, name)?;
        let mut params = Vec::with_capacity(export.params.len());
        for lowered in plan {
            match lowered {
                Lowered::Val(val) => params.push(val),
                Lowered::Bytes(bytes) => {
                    let ptr = call.copy_in(bytes, budget)?;
                    params.push(Val::I32(ptr));
                    params.push(Val::I32(i32::try_from(bytes.len()).unwrap_or(i32::MAX)));
                }
            }
        }
        let func = call.func(name)?;
        let mut results = vec![Val::I32(0); export.results.len()];
        call.run(&func, name, &params, &mut results, budget)?;
        match (result_kind, results.as_slice()) {
            (ResultKind::Nothing, _) => Ok(ForeignValue::Nothing),
            (ResultKind::Int, [Val::I32(value)]) => Ok(ForeignValue::Int(i64::from(*value))),
            (ResultKind::Int, [Val::I64(value)]) => Ok(ForeignValue::Int(*value)),
            (ResultKind::Bytes, [Val::I32(ptr), Val::I32(len)]) => {
                call.copy_out(*ptr, *len, budget).map(ForeignValue::Bytes)
            }
            _ => Err(ForeignError::UnsupportedResults {
                name: name.to_string(),
                signature: export.signature(),
            }),
        }
    }

    fn no_such_export(&self, name: &str) -> ForeignError {
        let callable: Vec<&str> = self
            .inner
            .exports
            .iter()
            .filter(|export| export.result_kind().is_some())
            .map(|export| export.name.as_str())
            .collect();
        ForeignError::NoSuchExport {
            name: name.to_string(),
            exports: if callable.is_empty() {
                "none".to_string()
            } else {
                callable.join(", ")
            },
        }
    }
}

/// The phlo a call may still use.
struct Budget {
    given: u64,
    left: u64,
}

impl Budget {
    fn charge(&mut self, phlo: u64) -> Result<(), ForeignError> {
        if phlo > self.left {
            self.left = 0;
            return Err(ForeignError::OutOfPhlo);
        }
        self.left -= phlo;
        Ok(())
    }
}

/// A parameter value, or a byte array still to copy in.
enum Lowered<'a> {
    Val(Val),
    Bytes(&'a [u8]),
}

/// Matches `args` against the parameters of `export`.
fn plan_params<'a>(
    export: &ForeignExport,
    args: &[ForeignArg<'a>],
) -> Result<Vec<Lowered<'a>>, ForeignError> {
    let mismatch = || ForeignError::Arguments {
        name: export.name.clone(),
        signature: export.signature(),
        given: describe_args(args),
    };
    let mut params = export.params.iter();
    let mut plan = Vec::with_capacity(args.len());
    for (index, arg) in args.iter().enumerate() {
        match *arg {
            ForeignArg::Int(value) => match params.next() {
                Some(ForeignType::I64) => plan.push(Lowered::Val(Val::I64(value))),
                Some(ForeignType::I32) => {
                    let value32 = i32::try_from(value).map_err(|_| ForeignError::IntRange {
                        name: export.name.clone(),
                        position: index + 1,
                        value,
                    })?;
                    plan.push(Lowered::Val(Val::I32(value32)));
                }
                None => return Err(mismatch()),
            },
            ForeignArg::Bytes(bytes) => match (params.next(), params.next()) {
                (Some(ForeignType::I32), Some(ForeignType::I32)) => {
                    plan.push(Lowered::Bytes(bytes));
                }
                _ => return Err(mismatch()),
            },
        }
    }
    if params.next().is_some() {
        return Err(mismatch());
    }
    Ok(plan)
}

/// `2 values (Int, byte array)`.
fn describe_args(args: &[ForeignArg<'_>]) -> String {
    let kinds: Vec<&str> = args
        .iter()
        .map(|arg| match arg {
            ForeignArg::Int(_) => "Int",
            ForeignArg::Bytes(_) => "byte array",
        })
        .collect();
    match kinds.len() {
        0 => "no values".to_string(),
        1 => format!("1 value ({})", kinds[0]),
        n => format!("{n} values ({})", kinds.join(", ")),
    }
}

/// The data of a call's store: its resource limits.
struct CallState {
    limits: StoreLimits,
}

/// One call's instance.
struct Call<'m> {
    module: &'m ForeignModule,
    name: &'m str,
    store: Store<CallState>,
    instance: Instance,
    gas: Global,
    depth: Global,
}

impl<'m> Call<'m> {
    fn new(module: &'m ForeignModule, name: &'m str) -> Result<Call<'m>, ForeignError> {
        let pre = &module.inner.pre;
        let limits = StoreLimitsBuilder::new()
            .memory_size(MAX_MEMORY_BYTES)
            .table_elements(100_000)
            .instances(1)
            .build();
        let mut store = Store::new(pre.module().engine(), CallState { limits });
        store.limiter(|state| &mut state.limits);
        let instance = pre
            .instantiate(&mut store)
            .map_err(|error| ForeignError::Instantiate(error_message(&error)))?;
        let global = |store: &mut Store<CallState>, export: &str| {
            instance.get_global(&mut *store, export).ok_or_else(|| {
                ForeignError::Instantiate(format!("the metered module lacks `{export}`"))
            })
        };
        let gas = global(&mut store, EXPORT_GAS)?;
        let depth = global(&mut store, EXPORT_DEPTH)?;
        Ok(Call {
            module,
            name,
            store,
            instance,
            gas,
            depth,
        })
    }

    fn func(&mut self, export: &str) -> Result<Func, ForeignError> {
        self.instance
            .get_func(&mut self.store, export)
            .ok_or_else(|| self.module.no_such_export(export))
    }

    fn memory(&mut self, what: &'static str) -> Result<Memory, ForeignError> {
        self.instance
            .get_memory(&mut self.store, EXPORT_MEMORY)
            .ok_or_else(|| ForeignError::Convention {
                name: self.name.to_string(),
                what,
                needs: "its memory as `memory`",
            })
    }

    /// Runs `func` under the metering with what is left of `budget`.
    fn run(
        &mut self,
        func: &Func,
        name: &str,
        params: &[Val],
        results: &mut [Val],
        budget: &mut Budget,
    ) -> Result<(), ForeignError> {
        let given = i64::try_from(budget.left).unwrap_or(i64::MAX);
        let reset = self
            .gas
            .set(&mut self.store, Val::I64(given))
            .and_then(|()| self.depth.set(&mut self.store, Val::I32(0)));
        if let Err(error) = reset {
            return Err(ForeignError::Instantiate(error_message(&error)));
        }
        let outcome = func.call(&mut self.store, params, results);
        let left = self.gas.get(&mut self.store).i64().unwrap_or(-1);
        if left < 0 {
            budget.left = 0;
            return Err(ForeignError::OutOfPhlo);
        }
        let spent = u64::try_from(given.saturating_sub(left)).unwrap_or(0);
        budget.charge(spent)?;
        let Err(error) = outcome else {
            return Ok(());
        };
        let depth = self.depth.get(&mut self.store).i32().unwrap_or(0);
        let max_call_depth = self.module.inner.max_call_depth;
        let overflow = matches!(error.downcast_ref::<Trap>(), Some(Trap::StackOverflow));
        if overflow || u32::try_from(depth).unwrap_or(0) >= max_call_depth {
            return Err(ForeignError::CallDepthExceeded(max_call_depth));
        }
        Err(ForeignError::Trap {
            name: name.to_string(),
            message: error_message(&error),
        })
    }

    /// Copies `bytes` into memory at the address `rho_alloc` returns.
    fn copy_in(&mut self, bytes: &[u8], budget: &mut Budget) -> Result<i32, ForeignError> {
        const WHAT: &str = "takes a byte array";
        let needs_alloc = || ForeignError::Convention {
            name: self.name.to_string(),
            what: WHAT,
            needs: "an allocator `rho_alloc: [i32] -> [i32]`",
        };
        let alloc = match self.module.export(EXPORT_ALLOC) {
            Some(export)
                if export.params == [ForeignType::I32] && export.results == [ForeignType::I32] =>
            {
                self.func(EXPORT_ALLOC)?
            }
            _ => return Err(needs_alloc()),
        };
        let memory = self.memory(WHAT)?;
        let len = i32::try_from(bytes.len())
            .ok()
            .filter(|_| bytes.len() <= MAX_MEMORY_BYTES)
            .ok_or_else(|| ForeignError::OutOfBounds {
                name: self.name.to_string(),
                what: format!(
                    "a byte array of {} bytes is larger than a module's memory can be",
                    bytes.len()
                ),
            })?;
        budget.charge(self.copy_phlo(bytes.len()))?;
        let mut results = [Val::I32(0)];
        self.run(&alloc, EXPORT_ALLOC, &[Val::I32(len)], &mut results, budget)?;
        let [Val::I32(ptr)] = results else {
            return Err(needs_alloc());
        };
        let size = memory.data_size(&self.store);
        let start = u32_address(ptr);
        match start.checked_add(bytes.len()) {
            Some(end) if end <= size => {
                memory.data_mut(&mut self.store)[start..end].copy_from_slice(bytes);
                Ok(ptr)
            }
            _ => Err(ForeignError::OutOfBounds {
                name: self.name.to_string(),
                what: format!(
                    "`rho_alloc({len})` returned {start}, and {len} bytes from there lie outside \
                     its memory of {size} bytes"
                ),
            }),
        }
    }

    /// The bytes at `ptr` and `len`, as the function returned them.
    fn copy_out(
        &mut self,
        ptr: i32,
        len: i32,
        budget: &mut Budget,
    ) -> Result<Vec<u8>, ForeignError> {
        let memory = self.memory("returns a byte array")?;
        let size = memory.data_size(&self.store);
        let (start, len) = (u32_address(ptr), u32_address(len));
        let Some(end) = start.checked_add(len).filter(|&end| end <= size) else {
            return Err(ForeignError::OutOfBounds {
                name: self.name.to_string(),
                what: format!(
                    "it returned the byte array at {start} of {len} bytes, outside its memory of \
                     {size} bytes"
                ),
            });
        };
        budget.charge(self.copy_phlo(len))?;
        Ok(memory.data(&self.store)[start..end].to_vec())
    }

    /// A bulk copy of `len` bytes at the metering's prices.
    fn copy_phlo(&self, len: usize) -> u64 {
        let costs = &self.module.inner.costs;
        let units =
            u64::try_from(len.div_ceil(WasmCosts::BULK_UNIT_BYTES as usize)).unwrap_or(u64::MAX);
        u64::from(costs.bulk)
            .saturating_add(units.saturating_mul(u64::from(costs.bulk_memory_per_unit)))
    }
}

/// An `i32` read as an unsigned address or length.
fn u32_address(value: i32) -> usize {
    // Wasm addresses are unsigned 32-bit.
    usize::try_from(value.cast_unsigned()).unwrap_or(usize::MAX)
}

/// A trap as its message (`wasm trap: ...`, without wasmtime's
/// backtrace), any other error as its text.
fn error_message(error: &wasmtime::Error) -> String {
    match error.downcast_ref::<Trap>() {
        Some(trap) => trap.to_string(),
        None => error.to_string(),
    }
}

/// The process-wide engine and compile cache of foreign modules.
struct Loader {
    engine: Engine,
    cache: Mutex<HashMap<[u8; 32], ForeignModule>>,
}

fn loader() -> Result<&'static Loader, ForeignLoadError> {
    static LOADER: OnceLock<Result<Loader, String>> = OnceLock::new();
    LOADER
        .get_or_init(|| {
            let engine = Engine::new(&deterministic_config()).map_err(|e| e.to_string())?;
            Ok(Loader {
                engine,
                cache: Mutex::new(HashMap::new()),
            })
        })
        .as_ref()
        .map_err(|message| ForeignLoadError::Engine(message.clone()))
}

fn cache_key(wasm: &[u8]) -> [u8; 32] {
    let mut hasher = Blake2b::<U32>::new();
    hasher.update(b"rhoc-foreign-module");
    hasher.update(wasm);
    hasher.finalize().into()
}

impl Loader {
    fn compile(&self, wasm: &[u8], hash: [u8; 32]) -> Result<ForeignModule, ForeignLoadError> {
        let limits = ModuleLimits::default();
        let info = check_foreign(wasm, &limits)?;
        let costs = WasmCosts::default();
        let max_call_depth = DEFAULT_MAX_CALL_DEPTH;
        let metered = instrument(wasm, &costs, max_call_depth)?;
        let engine_error = |error: wasmtime::Error| ForeignLoadError::Engine(error.to_string());
        let module = Module::new(&self.engine, &metered).map_err(engine_error)?;
        let exports = function_exports(&module);
        let pre = Linker::new(&self.engine)
            .instantiate_pre(&module)
            .map_err(engine_error)?;
        let segments = Segments::scan(wasm);
        let initial_pages = info.memory.map_or(0, |memory| memory.initial);
        let data_units = segments
            .data_bytes
            .div_ceil(u64::from(WasmCosts::BULK_UNIT_BYTES));
        let instance_phlo = CALL_PHLO
            .saturating_add(initial_pages.saturating_mul(u64::from(costs.memory_grow_per_page)))
            .saturating_add(data_units.saturating_mul(u64::from(costs.bulk_memory_per_unit)))
            .saturating_add(
                segments
                    .element_items
                    .saturating_mul(u64::from(costs.table_element)),
            );
        Ok(ForeignModule {
            inner: Arc::new(Inner {
                hash,
                pre,
                exports,
                instance_phlo,
                costs,
                max_call_depth,
            }),
        })
    }
}

/// [`validate`] under the FFI's policy: no imports at all, and no
/// `rho.abi` stamp needed.
fn check_foreign(
    wasm: &[u8],
    limits: &ModuleLimits,
) -> Result<super::validate::ModuleInfo, RejectError> {
    let bytes = u64::try_from(wasm.len()).unwrap_or(u64::MAX);
    if bytes > limits.module_bytes {
        return Err(RejectError::Limit {
            limit: LimitKind::ModuleBytes,
            subject: format!("the module is {bytes} bytes"),
            maximum: limits.module_bytes,
        });
    }
    let Some(stamped) = scan_imports_and_stamp(wasm)? else {
        // The module does not decode: validation says where.
        return validate(wasm, limits, COST_TABLE_VERSION);
    };
    if !stamped {
        // Stamp a copy with this runtime's versions, so that validation
        // checks everything else exactly as for a deploy.
        let mut copy = wasm.to_vec();
        append_stamp(&mut copy);
        let mut limits = limits.clone();
        limits.module_bytes = limits
            .module_bytes
            .saturating_add(u64::try_from(copy.len() - wasm.len()).unwrap_or(0));
        return validate(&copy, &limits, COST_TABLE_VERSION);
    }
    validate(wasm, limits, COST_TABLE_VERSION)
}

/// Refuses a module that imports anything. `Some(whether it carries a
/// rho.abi stamp)` if the whole module decodes section by section, `None`
/// if it does not.
fn scan_imports_and_stamp(wasm: &[u8]) -> Result<Option<bool>, RejectError> {
    let mut stamped = false;
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(payload) = payload else {
            return Ok(None);
        };
        match payload {
            Payload::ImportSection(section) => match section.into_imports().next() {
                Some(Ok(import)) => {
                    return Err(RejectError::Import {
                        message: format!(
                            "it imports `{}.{}`; a module loaded through the FFI may import nothing",
                            import.module, import.name
                        ),
                    });
                }
                Some(Err(_)) => return Ok(None),
                None => {}
            },
            Payload::CustomSection(section) if section.name() == SECTION_ABI => stamped = true,
            _ => {}
        }
    }
    Ok(Some(stamped))
}

/// Appends a `rho.abi` section for this runtime to a module that decodes.
fn append_stamp(wasm: &mut Vec<u8>) {
    let stamp = AbiStamp {
        abi_version: ABI_VERSION,
        cost_table_version: COST_TABLE_VERSION,
    }
    .to_bytes();
    let section = wasm_encoder::CustomSection {
        name: SECTION_ABI.into(),
        data: stamp.as_slice().into(),
    };
    wasm.push(wasm_encoder::SectionId::Custom as u8);
    section.encode(wasm);
}

/// The exported functions whose types are all `i32` or `i64`.
fn function_exports(module: &Module) -> Vec<ForeignExport> {
    let foreign_type = |ty: ValType| match ty {
        ValType::I32 => Some(ForeignType::I32),
        ValType::I64 => Some(ForeignType::I64),
        _ => None,
    };
    module
        .exports()
        .filter_map(|export| {
            let ExternType::Func(func) = export.ty() else {
                return None;
            };
            Some(ForeignExport {
                name: export.name().to_string(),
                params: func.params().map(foreign_type).collect::<Option<_>>()?,
                results: func.results().map(foreign_type).collect::<Option<_>>()?,
            })
        })
        .collect()
}

/// What instantiation copies: data bytes and table elements.
#[derive(Default)]
struct Segments {
    data_bytes: u64,
    element_items: u64,
}

impl Segments {
    /// Reads a validated module's data and element segments.
    fn scan(wasm: &[u8]) -> Segments {
        let mut segments = Segments::default();
        for payload in Parser::new(0).parse_all(wasm).flatten() {
            match payload {
                Payload::DataSection(section) => {
                    for data in section.into_iter().flatten() {
                        let len = u64::try_from(data.data.len()).unwrap_or(u64::MAX);
                        segments.data_bytes = segments.data_bytes.saturating_add(len);
                    }
                }
                Payload::ElementSection(section) => {
                    for element in section.into_iter().flatten() {
                        let count = match element.items {
                            ElementItems::Functions(items) => items.count(),
                            ElementItems::Expressions(_, items) => items.count(),
                        };
                        segments.element_items =
                            segments.element_items.saturating_add(u64::from(count));
                    }
                }
                _ => {}
            }
        }
        segments
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with an allocator and functions of every supported shape.
    const LIBRARY: &str = r#"
    (module
      (memory (export "memory") 1 1)
      (global $next (mut i32) (i32.const 1024))
      (func $alloc (export "rho_alloc") (param $len i32) (result i32)
        (local $ptr i32)
        global.get $next
        local.set $ptr
        global.get $next
        local.get $len
        i32.add
        global.set $next
        local.get $ptr)
      (func (export "add") (param i64 i64) (result i64)
        local.get 0
        local.get 1
        i64.add)
      (func (export "add32") (param i32 i32) (result i32)
        local.get 0
        local.get 1
        i32.add)
      (func (export "nothing"))
      (func (export "length") (param i32 i32) (result i64)
        local.get 1
        i64.extend_i32_u)
      (func (export "concat") (param $a i32) (param $a_len i32) (param $b i32) (param $b_len i32)
        (result i32 i32)
        (local $out i32)
        local.get $a_len
        local.get $b_len
        i32.add
        call $alloc
        local.tee $out
        local.get $a
        local.get $a_len
        memory.copy
        local.get $out
        local.get $a_len
        i32.add
        local.get $b
        local.get $b_len
        memory.copy
        local.get $out
        local.get $a_len
        local.get $b_len
        i32.add)
      (func (export "count") (param $n i64) (result i64)
        (local $i i64)
        loop $again
          local.get $i
          i64.const 1
          i64.add
          local.tee $i
          local.get $n
          i64.lt_s
          br_if $again
        end
        local.get $i)
      (func (export "spin")
        loop $forever
          br $forever
        end)
      (func $recurse (export "recurse") (param i32) (result i32)
        local.get 0
        call $recurse)
      (func (export "trap") (result i32)
        unreachable)
      (func (export "div") (param i32 i32) (result i32)
        local.get 0
        local.get 1
        i32.div_s)
      (func (export "pair") (result i64 i64)
        i64.const 1
        i64.const 2)
      (func (export "outside") (result i32 i32)
        i32.const 65530
        i32.const 100))
    "#;

    const BUDGET: u64 = 10_000_000;

    fn library() -> ForeignModule {
        let wasm = wat::parse_str(LIBRARY).expect("the test module parses");
        ForeignModule::load(&wasm).expect("the test module loads")
    }

    fn load_wat(source: &str) -> Result<ForeignModule, ForeignLoadError> {
        ForeignModule::load(&wat::parse_str(source).expect("the test module parses"))
    }

    fn ok(call: ForeignCall) -> ForeignValue {
        call.outcome.expect("the call succeeds")
    }

    #[test]
    fn ints_cross_as_i64_and_i32_and_i32_results_are_sign_extended() {
        let module = library();
        let ints = |args: &[i64]| args.iter().map(|&n| ForeignArg::Int(n)).collect::<Vec<_>>();
        assert_eq!(
            ok(module.call("add", &ints(&[2, 3]), BUDGET)),
            ForeignValue::Int(5)
        );
        assert_eq!(
            ok(module.call("add", &ints(&[i64::MAX, 1]), BUDGET)),
            ForeignValue::Int(i64::MIN)
        );
        assert_eq!(
            ok(module.call("add32", &ints(&[-2, 1]), BUDGET)),
            ForeignValue::Int(-1)
        );
        assert_eq!(
            ok(module.call("add32", &ints(&[i64::from(i32::MAX), 1]), BUDGET)),
            ForeignValue::Int(i64::from(i32::MIN))
        );
        assert_eq!(
            ok(module.call("nothing", &[], BUDGET)),
            ForeignValue::Nothing
        );
    }

    #[test]
    fn byte_arrays_are_copied_in_through_rho_alloc_and_out_from_pointer_and_length() {
        let module = library();
        let concat = module.call(
            "concat",
            &[ForeignArg::Bytes(b"hello, "), ForeignArg::Bytes(b"world")],
            BUDGET,
        );
        assert_eq!(ok(concat), ForeignValue::Bytes(b"hello, world".to_vec()));
        let length = module.call("length", &[ForeignArg::Bytes(&[7; 300])], BUDGET);
        assert_eq!(ok(length), ForeignValue::Int(300));
        let empty = module.call(
            "concat",
            &[ForeignArg::Bytes(b""), ForeignArg::Bytes(b"")],
            BUDGET,
        );
        assert_eq!(ok(empty), ForeignValue::Bytes(Vec::new()));
    }

    #[test]
    fn each_call_gets_a_fresh_instance() {
        let module = library();
        // `rho_alloc` bumps a global: a second call would see it moved.
        let first = module.call(
            "concat",
            &[ForeignArg::Bytes(b"a"), ForeignArg::Bytes(b"b")],
            BUDGET,
        );
        let second = module.call(
            "concat",
            &[ForeignArg::Bytes(b"a"), ForeignArg::Bytes(b"b")],
            BUDGET,
        );
        assert_eq!(first, second);
    }

    #[test]
    fn phlo_is_deterministic_and_grows_with_the_work_done() {
        let module = library();
        let cost = |n: i64| {
            let call = module.call("count", &[ForeignArg::Int(n)], BUDGET);
            assert_eq!(call.outcome, Ok(ForeignValue::Int(n)));
            call.phlo_used
        };
        assert_eq!(cost(1_000), cost(1_000));
        let per_thousand = cost(2_000) - cost(1_000);
        assert!(per_thousand >= 1_000, "{per_thousand}");
        assert_eq!(cost(3_000) - cost(2_000), per_thousand);
        assert!(cost(1) >= module.instance_phlo());
        // Copying bytes costs by their size.
        let copy = |len: usize| {
            let bytes = vec![0u8; len];
            module
                .call("length", &[ForeignArg::Bytes(&bytes)], BUDGET)
                .phlo_used
        };
        assert!(copy(64_000) > copy(64));
    }

    #[test]
    fn an_infinite_loop_uses_exactly_its_budget() {
        let module = library();
        for budget in [1_000_000, 3_000_000] {
            let call = module.call("spin", &[], budget);
            assert_eq!(call.outcome, Err(ForeignError::OutOfPhlo));
            assert_eq!(call.phlo_used, budget);
        }
        // Too little for the instance itself.
        let call = module.call("nothing", &[], module.instance_phlo() - 1);
        assert_eq!(call.outcome, Err(ForeignError::OutOfPhlo));
        assert_eq!(call.phlo_used, module.instance_phlo() - 1);
    }

    #[test]
    fn traps_and_deep_recursion_are_errors_of_the_call() {
        let module = library();
        let trap = module.call("trap", &[], BUDGET);
        let Err(ForeignError::Trap { name, message }) = trap.outcome else {
            panic!("expected a trap, got {trap:?}");
        };
        assert_eq!(name, "trap");
        assert!(message.contains("unreachable"), "{message}");
        assert!(trap.phlo_used > 0);
        let div = module.call("div", &[ForeignArg::Int(1), ForeignArg::Int(0)], BUDGET);
        let message = div.outcome.unwrap_err().to_string();
        assert!(message.contains("divide by zero"), "{message}");
        let recurse = module.call("recurse", &[ForeignArg::Int(0)], BUDGET);
        assert_eq!(
            recurse.outcome,
            Err(ForeignError::CallDepthExceeded(DEFAULT_MAX_CALL_DEPTH))
        );
        assert_eq!(
            module.call("recurse", &[ForeignArg::Int(0)], BUDGET),
            recurse
        );
    }

    #[test]
    fn arguments_are_checked_against_the_signature() {
        let module = library();
        let err = |name: &str, args: &[ForeignArg<'_>]| {
            let call = module.call(name, args, BUDGET);
            assert_eq!(call.phlo_used, 0, "{name}: checked before running");
            call.outcome.unwrap_err()
        };
        assert_eq!(
            err("add", &[ForeignArg::Int(1)]).to_string(),
            "`add` has type [i64 i64] -> [i64] but was given 1 value (Int); an Int fills one \
             i32 or i64 parameter and a byte array fills two i32 parameters (pointer, length)"
        );
        assert!(matches!(
            err(
                "add",
                &[ForeignArg::Int(1), ForeignArg::Int(2), ForeignArg::Int(3)]
            ),
            ForeignError::Arguments { .. }
        ));
        assert!(matches!(
            err("add", &[ForeignArg::Bytes(b"x")]),
            ForeignError::Arguments { .. }
        ));
        assert_eq!(
            err("add32", &[ForeignArg::Int(1 << 40), ForeignArg::Int(0)]),
            ForeignError::IntRange {
                name: "add32".into(),
                position: 1,
                value: 1 << 40
            }
        );
        let missing = err("mul", &[]).to_string();
        assert!(
            missing.starts_with(
                "the module exports no function `mul` (its functions: rho_alloc, add, add32"
            ),
            "{missing}"
        );
        assert!(!missing.contains("pair"), "{missing}");
        assert!(matches!(
            err("pair", &[]),
            ForeignError::UnsupportedResults { .. }
        ));
    }

    #[test]
    fn byte_arrays_need_the_convention_and_stay_inside_memory() {
        let module = load_wat(
            r#"(module
                 (memory (export "memory") 1 1)
                 (func (export "length") (param i32 i32) (result i32) local.get 1))"#,
        )
        .unwrap();
        let call = module.call("length", &[ForeignArg::Bytes(b"abc")], BUDGET);
        assert_eq!(
            call.outcome.unwrap_err().to_string(),
            "`length` takes a byte array, but the module does not export an allocator \
             `rho_alloc: [i32] -> [i32]`"
        );
        // Two Ints may fill the same parameters.
        let call = module.call("length", &[ForeignArg::Int(0), ForeignArg::Int(3)], BUDGET);
        assert_eq!(call.outcome, Ok(ForeignValue::Int(3)));

        let outside = library().call("outside", &[], BUDGET);
        assert!(
            matches!(outside.outcome, Err(ForeignError::OutOfBounds { .. })),
            "{outside:?}"
        );
        let bad_alloc = load_wat(
            r#"(module
                 (memory (export "memory") 1 1)
                 (func (export "rho_alloc") (param i32) (result i32) i32.const 65535)
                 (func (export "length") (param i32 i32) (result i32) local.get 1))"#,
        )
        .unwrap();
        let call = bad_alloc.call("length", &[ForeignArg::Bytes(b"abc")], BUDGET);
        assert!(
            matches!(call.outcome, Err(ForeignError::OutOfBounds { .. })),
            "{call:?}"
        );
    }

    #[test]
    fn modules_outside_the_policy_are_rejected() {
        let reject = |source: &str| load_wat(source).unwrap_err();
        assert_eq!(
            reject(r#"(module (import "rho" "rho_send" (func (param i64 i64 i32))))"#).to_string(),
            "module rejected: it imports `rho.rho_send`; a module loaded through the FFI may \
             import nothing"
        );
        assert!(matches!(
            reject(r#"(module (import "env" "m" (memory 1 1)))"#),
            ForeignLoadError::Rejected(RejectError::Import { .. })
        ));
        let floats = reject(
            r#"(module (func (export "f") (param f64) (result f64) local.get 0 local.get 0 f64.add))"#,
        );
        assert!(
            matches!(
                floats,
                ForeignLoadError::Rejected(RejectError::Feature { .. })
            ),
            "{floats}"
        );
        let memory = reject(r#"(module (memory 300 300))"#);
        assert!(
            matches!(
                memory,
                ForeignLoadError::Rejected(RejectError::Limit {
                    limit: LimitKind::MemoryInitialPages,
                    ..
                })
            ),
            "{memory}"
        );
        assert!(matches!(
            reject(r#"(module (memory 1))"#),
            ForeignLoadError::Rejected(RejectError::Limit {
                limit: LimitKind::MemoryMaximumPages,
                ..
            })
        ));
        assert!(matches!(
            reject(r#"(module (func $f) (start $f))"#),
            ForeignLoadError::Rejected(RejectError::Abi { .. })
        ));
        assert!(matches!(
            reject(r#"(module (global (export "rho_gas") (mut i64) (i64.const 0)))"#),
            ForeignLoadError::Rejected(RejectError::Abi { .. })
        ));
        assert!(matches!(
            reject(r#"(module (@custom "rho.abi" "\09\00\00\00\01\00\00\00"))"#),
            ForeignLoadError::Rejected(RejectError::Abi { .. })
        ));
        let malformed = ForeignModule::load(b"\0asm\x01\0\0\0\x01\x05").unwrap_err();
        assert!(
            matches!(
                malformed,
                ForeignLoadError::Rejected(RejectError::Malformed { .. })
            ),
            "{malformed}"
        );
        assert!(matches!(
            ForeignModule::load(b"not wasm").unwrap_err(),
            ForeignLoadError::Rejected(RejectError::Malformed { .. })
        ));
    }

    #[test]
    fn a_truncated_module_is_not_completed_by_the_stamp() {
        // A custom section that declares as many bytes more than it holds
        // as the stamp is long: the stamp must not become its content.
        let mut stamp = Vec::new();
        append_stamp(&mut stamp);
        let declared = u8::try_from(2 + stamp.len()).unwrap();
        let mut wasm = wat::parse_str(r#"(module (memory 1 1))"#).unwrap();
        wasm.extend_from_slice(&[0, declared, 1, b'x']);
        let err = ForeignModule::load(&wasm).unwrap_err();
        assert!(
            matches!(
                err,
                ForeignLoadError::Rejected(RejectError::Malformed { .. })
            ),
            "{err}"
        );
    }

    #[test]
    fn the_instance_price_counts_memory_and_segments() {
        let module = load_wat(
            r#"(module
                 (memory 2 2)
                 (data (i32.const 0) "0123456789012345678901234567890123456789012345678901234567890123456789")
                 (table 4 4 funcref)
                 (func $f)
                 (elem (i32.const 0) $f $f $f))"#,
        )
        .unwrap();
        let costs = WasmCosts::default();
        assert_eq!(
            module.instance_phlo(),
            CALL_PHLO
                + 2 * u64::from(costs.memory_grow_per_page)
                + 2 * u64::from(costs.bulk_memory_per_unit)
                + 3 * u64::from(costs.table_element)
        );
        assert!(module.exports().is_empty());
    }

    #[test]
    fn a_module_is_compiled_once_per_process() {
        let first = library();
        let second = library();
        assert!(Arc::ptr_eq(&first.inner, &second.inner));
        assert_eq!(first.hash(), cache_key(&wat::parse_str(LIBRARY).unwrap()));
        let add = first.export("add").unwrap();
        assert_eq!(add.signature(), "[i64 i64] -> [i64]");
        assert_eq!(add.result_kind(), Some(ResultKind::Int));
    }

    #[test]
    fn load_phlo_grows_with_the_size_and_the_functions() {
        let one = wat::parse_str("(module (func))").unwrap();
        let three = wat::parse_str("(module (func) (func) (func))").unwrap();
        let bytes = |wasm: &[u8]| u64::try_from(wasm.len()).unwrap() * LOAD_PHLO_PER_BYTE;
        assert_eq!(
            load_phlo(&one),
            LOAD_PHLO + bytes(&one) + LOAD_PHLO_PER_FUNCTION
        );
        assert_eq!(
            load_phlo(&three),
            LOAD_PHLO + bytes(&three) + 3 * LOAD_PHLO_PER_FUNCTION
        );
        assert_eq!(load_phlo(b"not wasm"), LOAD_PHLO + bytes(b"not wasm"));
        // A function count claimed by a truncated module is capped.
        let claim = [
            0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 3, 5, 0xff, 0xff, 0xff, 0xff, 0x0f,
        ];
        assert_eq!(
            load_phlo(&claim),
            LOAD_PHLO + bytes(&claim) + ModuleLimits::default().functions * LOAD_PHLO_PER_FUNCTION
        );
    }
}
