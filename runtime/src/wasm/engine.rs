//! The Wasm engine: loads untrusted modules (validate, inject metering,
//! compile with Cranelift, cache) and runs them against a `Machine`.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use blake2::Blake2b;
use blake2::digest::{Digest, consts::U32};
use rho_host_abi::abi;
use rho_host_abi::source_map::SourceMap;
use wasmtime::{
    Config, Engine, Instance, Linker, Module, OptLevel, Store, StoreLimitsBuilder, Val,
};

use super::host::{LoadedModule, WasmTask, define_imports, sync_env, sync_out};
use super::meter::{WasmCosts, instrument};
use super::validate::{ModuleLimits, RejectError, validate};
use crate::error::{LocatedError, RuntimeError};
use crate::eval::{Env, Machine, RunConfig, RunReport, Task};
use crate::phlo::COST_TABLE_VERSION;

/// The default limit on nested Wasm calls (injected, deterministic).
///
/// Generated code never nests calls deeper than a few levels (bodies are
/// queued, not called); the limit is for untrusted modules, and is small
/// enough that a thousand small frames fit in [`WASM_STACK_BYTES`].
pub const DEFAULT_MAX_CALL_DEPTH: u32 = 1_000;

/// The Wasm stack wasmtime allows. A module whose frames are so large that it
/// overflows this before reaching the depth limit gets the same error: the
/// overflow point is fixed for a given rhoc build, so it is deterministic.
pub const WASM_STACK_BYTES: usize = 1 << 20;

/// The largest linear memory a module may grow to, in bytes.
pub(crate) const MAX_MEMORY_BYTES: usize = 64 << 20;

/// The wasmtime configuration every untrusted module runs under (deploys
/// and [foreign](super::foreign) modules alike): Cranelift with NaN
/// canonicalization, no SIMD, multiple or 64-bit memories, no fuel (the
/// metering is injected), and a fixed Wasm stack.
pub fn deterministic_config() -> Config {
    let mut config = Config::new();
    config
        .cranelift_opt_level(OptLevel::Speed)
        .cranelift_nan_canonicalization(true)
        .wasm_simd(false)
        .wasm_relaxed_simd(false)
        .wasm_multi_memory(false)
        .wasm_memory64(false)
        .consume_fuel(false)
        .max_wasm_stack(WASM_STACK_BYTES);
    config
}

/// Why a module could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    /// The module breaks the ABI, a limit or the allowed feature set.
    #[error("module rejected: {0}")]
    Rejected(#[from] RejectError),
    /// wasmtime could not compile or instantiate it.
    #[error("module rejected: {0}")]
    Load(String),
}

/// A module that passed validation, with metering injected and machine code
/// compiled.
#[derive(Clone)]
pub struct CompiledModule {
    module: Module,
    locations: Option<SourceMap>,
    functions: u32,
    origin: Origin,
}

/// Where a compiled module came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Compiled by Cranelift now.
    Compiled,
    /// Found in the engine's memory cache.
    MemoryCache,
    /// Loaded from the disk cache.
    DiskCache,
}

impl CompiledModule {
    /// Where the machine code came from.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The number of functions the module defines (before metering).
    pub fn function_count(&self) -> u32 {
        self.functions
    }
}

/// wasmtime configured for deterministic execution, the host imports, and a
/// cache of compiled modules keyed by module hash and cost-table version.
pub struct WasmEngine {
    engine: Engine,
    linker: Linker<Machine>,
    limits: ModuleLimits,
    costs: WasmCosts,
    max_call_depth: u32,
    cache: Mutex<HashMap<[u8; 32], CompiledModule>>,
    disk_cache: Option<PathBuf>,
}

impl WasmEngine {
    /// An engine with the default limits and prices.
    ///
    /// # Errors
    ///
    /// If wasmtime cannot be configured on this machine.
    pub fn new() -> Result<WasmEngine, ModuleError> {
        let engine =
            Engine::new(&deterministic_config()).map_err(|e| ModuleError::Load(e.to_string()))?;
        let mut linker = Linker::new(&engine);
        define_imports(&mut linker).map_err(|e| ModuleError::Load(e.to_string()))?;
        Ok(WasmEngine {
            engine,
            linker,
            limits: ModuleLimits::default(),
            costs: WasmCosts::default(),
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            cache: Mutex::new(HashMap::new()),
            disk_cache: None,
        })
    }

    /// Also keeps compiled machine code in `dir` (created if missing), so
    /// that another process compiling the same module loads it instead.
    ///
    /// The files are trusted: only this engine writes them, named by the
    /// Blake2b-256 of the module, the engine's configuration and the cost
    /// table. The directory must not be writable by anyone who may not run
    /// native code as this user.
    pub fn with_disk_cache(mut self, dir: impl Into<PathBuf>) -> WasmEngine {
        self.disk_cache = Some(dir.into());
        self
    }

    /// The default cache directory: `$RHOC_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/rhoc`, else `$HOME/.cache/rhoc`.
    pub fn default_cache_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("RHOC_CACHE_DIR") {
            return Some(PathBuf::from(dir));
        }
        if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
            return Some(PathBuf::from(dir).join("rhoc"));
        }
        std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache/rhoc"))
    }

    /// Validates, instruments and compiles `wasm`; a module seen before is
    /// taken from the cache.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Rejected`] for a module that breaks the ABI or a
    /// limit, [`ModuleError::Load`] if wasmtime refuses it.
    pub fn compile(&self, wasm: &[u8]) -> Result<CompiledModule, ModuleError> {
        let key = self.cache_key(wasm);
        if let Some(mut hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            hit.origin = Origin::MemoryCache;
            return Ok(hit);
        }
        // Every module is validated and metered again in a new process; only
        // Cranelift's work is taken from disk, keyed by the metered bytes, so
        // a change to the metering can never reuse stale machine code.
        validate(wasm, &self.limits, COST_TABLE_VERSION)?;
        let metered = instrument(wasm, &self.costs, self.max_call_depth)?;
        let disk_key = self.cache_key(&metered);
        let (module, origin) = match self.load_from_disk(&disk_key) {
            Some(module) => (module, Origin::DiskCache),
            None => {
                let module = Module::new(&self.engine, &metered)
                    .map_err(|e| ModuleError::Load(e.to_string()))?;
                self.store_to_disk(&disk_key, &module);
                (module, Origin::Compiled)
            }
        };
        let compiled = CompiledModule {
            module,
            locations: source_section(wasm),
            functions: defined_functions(wasm),
            origin,
        };
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, compiled.clone());
        }
        Ok(compiled)
    }

    fn cache_key(&self, wasm: &[u8]) -> [u8; 32] {
        let mut engine_hasher = std::collections::hash_map::DefaultHasher::new();
        self.engine
            .precompile_compatibility_hash()
            .hash(&mut engine_hasher);
        let mut hasher = Blake2b::<U32>::new();
        hasher.update(b"rhoc-module");
        hasher.update(engine_hasher.finish().to_le_bytes());
        hasher.update(COST_TABLE_VERSION.to_le_bytes());
        hasher.update(self.max_call_depth.to_le_bytes());
        hasher.update(wasm);
        hasher.finalize().into()
    }

    fn cache_file(&self, key: &[u8; 32]) -> Option<PathBuf> {
        let name: String = key.iter().map(|b| format!("{b:02x}")).collect();
        self.disk_cache
            .as_ref()
            .map(|dir| dir.join(format!("{name}.cwasm")))
    }

    fn load_from_disk(&self, key: &[u8; 32]) -> Option<Module> {
        let path = self.cache_file(key)?;
        if !path.is_file() {
            return None;
        }
        // SAFETY: the file was written by `store_to_disk` from
        // `Module::serialize` of this engine configuration (its name is the
        // hash of the module, the configuration and the cost table), and
        // wasmtime checks that the artifact matches this engine before using
        // it. The cache directory is the user's own (see `with_disk_cache`).
        unsafe { Module::deserialize_file(&self.engine, &path) }.ok()
    }

    fn store_to_disk(&self, key: &[u8; 32], module: &Module) {
        let (Some(path), Ok(bytes)) = (self.cache_file(key), module.serialize()) else {
            return;
        };
        // Write then rename, so a reader never sees half a file. A cache
        // that cannot be written is only slower, never wrong.
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let temporary = temporary_path(&path);
            std::fs::write(&temporary, bytes)?;
            std::fs::rename(&temporary, &path)
        };
        let _ = write();
    }

    /// Runs `module` from body 0 to quiescence or out of phlo.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Load`] when the module cannot be instantiated (its
    /// exports or constant pool are not what the ABI says).
    pub fn run(
        &self,
        module: &CompiledModule,
        config: &RunConfig,
        stdout: &mut dyn Write,
        stderr: &mut dyn Write,
    ) -> Result<RunReport, ModuleError> {
        self.run_with_preludes(&[], module, config, stdout, stderr)
    }

    /// Runs `preludes` and then `module` in one tuplespace, as
    /// [`crate::run_with_preludes`] does for the evaluator.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Load`] when a module cannot be instantiated.
    pub fn run_with_preludes(
        &self,
        preludes: &[&CompiledModule],
        module: &CompiledModule,
        config: &RunConfig,
        stdout: &mut dyn Write,
        stderr: &mut dyn Write,
    ) -> Result<RunReport, ModuleError> {
        let (mut machine, root_rand) = Machine::new(config, None);
        machine.store_limits = StoreLimitsBuilder::new()
            .memory_size(MAX_MEMORY_BYTES)
            .table_elements(100_000)
            .instances(16 + preludes.len())
            .build();
        let mut store = Store::new(&self.engine, machine);
        store.limiter(|machine| &mut machine.store_limits);
        let roots = preludes
            .iter()
            .enumerate()
            .map(|(index, prelude)| (*prelude, crate::eval::prelude_rand(index)))
            .chain(std::iter::once((module, root_rand)));
        for (module, rand) in roots {
            let instance = self
                .linker
                .instantiate(&mut store, &module.module)
                .map_err(|e| ModuleError::Load(format!("cannot instantiate: {e}")))?;
            let loaded = Arc::new(load(&mut store, &instance, module.locations.clone())?);
            store.data_mut().queue.push_back(Task::Wasm(WasmTask {
                module: loaded,
                body: 0,
                env: Env::default(),
                rand,
            }));
        }
        while !store.data().stopped {
            let Some(task) = store.data_mut().queue.pop_front() else {
                break;
            };
            match task {
                Task::Interp { code, env, rand } => {
                    store.data_mut().run_interp_task(code, env, rand);
                }
                Task::Wasm(task) => run_wasm_task(&mut store, task, self.max_call_depth),
            }
            store.data_mut().flush(stdout, stderr);
        }
        let mut machine = store.into_data();
        machine.flush(stdout, stderr);
        Ok(machine.report())
    }
}

/// Reads the exports and the constant pool of a fresh instance.
fn load(
    store: &mut Store<Machine>,
    instance: &Instance,
    locations: Option<SourceMap>,
) -> Result<LoadedModule, ModuleError> {
    let missing = |what: &str| ModuleError::Load(format!("the module does not export `{what}`"));
    let run = instance
        .get_typed_func::<(i32, i32), ()>(&mut *store, abi::EXPORT_RUN)
        .map_err(|_| missing(abi::EXPORT_RUN))?;
    let entry = match instance.get_func(&mut *store, abi::EXPORT_DRIVE) {
        Some(drive) => drive.typed::<(i32, i32), ()>(&*store).map_err(|_| {
            ModuleError::Load(format!("`{}` has the wrong type", abi::EXPORT_DRIVE))
        })?,
        None => run,
    };
    let global = |store: &mut Store<Machine>, name: &str| {
        instance
            .get_global(&mut *store, name)
            .ok_or_else(|| missing(name))
    };
    let gas = global(store, abi::EXPORT_GAS)?;
    let component = global(store, abi::EXPORT_COMPONENT)?;
    let location = global(store, abi::EXPORT_LOCATION)?;
    let depth = instance.get_global(&mut *store, super::meter::EXPORT_DEPTH);
    let pool_ptr = global(store, abi::EXPORT_POOL_PTR)?.get(&mut *store);
    let pool_len = global(store, abi::EXPORT_POOL_LEN)?.get(&mut *store);
    let memory = instance
        .get_memory(&mut *store, abi::EXPORT_MEMORY)
        .ok_or_else(|| missing(abi::EXPORT_MEMORY))?;
    let (Some(ptr), Some(len)) = (pool_ptr.i32(), pool_len.i32()) else {
        return Err(ModuleError::Load(
            "the constant pool globals are not i32".into(),
        ));
    };
    let env_slots = match instance.get_global(&mut *store, abi::EXPORT_ENV_PTR) {
        None => None,
        Some(global) => {
            let offset = global
                .get(&mut *store)
                .i32()
                .and_then(|offset| usize::try_from(offset).ok())
                .filter(|offset| {
                    offset
                        .checked_add((abi::ENV_SLOTS + abi::ARG_SLOTS) as usize * 8)
                        .is_some_and(|end| end <= memory.data_size(&*store))
                })
                .ok_or_else(|| {
                    ModuleError::Load("the environment slots are outside memory".into())
                })?;
            Some(offset)
        }
    };
    let data = memory.data(&*store);
    let pool = usize::try_from(ptr)
        .ok()
        .zip(usize::try_from(len).ok())
        .and_then(|(ptr, len)| data.get(ptr..ptr.checked_add(len)?))
        .ok_or_else(|| ModuleError::Load("the constant pool is outside memory".into()))?;
    LoadedModule::new(
        entry,
        memory,
        env_slots,
        [gas, component, location],
        depth,
        pool,
        locations,
    )
    .map_err(ModuleError::Load)
}

/// Runs one body, and the bodies that `next_task` hands out after it in
/// the same entry into Wasm (see [`abi::EXPORT_DRIVE`]); a runtime error
/// ends its component and the body that raised it resumes after it. A trap
/// in a body run in place unwinds the bodies enclosing it as well: each is
/// resumed in turn, innermost first, after the component that was running.
fn run_wasm_task(store: &mut Store<Machine>, task: WasmTask, max_call_depth: u32) {
    let module = Arc::clone(&task.module);
    store.data_mut().wasm.begin(task);
    let mut start = 0;
    loop {
        sync_env(store);
        let body = store.data().wasm.body as i32;
        let entry_depth = store.data().wasm.in_place_depth();
        store.data_mut().wasm.advanced = false;
        sync_out(store, module.gas);
        let result = module.entry.call(&mut *store, (body, start));
        let gas = module.gas.get(&mut *store).i64().unwrap_or(0);
        let used = {
            let wasm = &store.data().wasm;
            (i128::from(wasm.gas_given) - i128::from(gas)).max(0)
        };
        let out_of_phlo = gas < 0
            || store
                .data_mut()
                .meter
                .charge(u64::try_from(used).unwrap_or(u64::MAX))
                .is_err();
        let trap = match result {
            Ok(()) if !out_of_phlo => match store.data_mut().wasm.leave() {
                // Only after a trap does the entry body run in place of
                // another: resume the enclosing body.
                Some(component) => {
                    start = component.saturating_add(1) as i32;
                    continue;
                }
                None => break,
            },
            Ok(()) => None,
            Err(trap) => Some(trap),
        };
        // Only a failed run reads where it failed.
        let depth = module
            .depth
            .and_then(|d| d.get(&mut *store).i32())
            .unwrap_or(0);
        if let Some(global) = module.depth {
            let _ = global.set(&mut *store, Val::I32(0));
        }
        let component = module.component.get(&mut *store).i32().unwrap_or(0);
        let location = module.location.get(&mut *store).i32().unwrap_or(0);
        let machine = store.data_mut();
        let error = match trap {
            _ if out_of_phlo => RuntimeError::OutOfPhlo,
            None => break,
            Some(trap) => machine.wasm.error.take().unwrap_or_else(|| {
                let overflow = matches!(
                    trap.downcast_ref::<wasmtime::Trap>(),
                    Some(wasmtime::Trap::StackOverflow)
                );
                if overflow || depth as u32 >= max_call_depth {
                    RuntimeError::CallDepthExceeded(max_call_depth)
                } else {
                    RuntimeError::Trap(trap.to_string())
                }
            }),
        };
        let loc = module
            .locations
            .as_ref()
            .and_then(|map| map.get(u64::try_from(location).unwrap_or(u64::MAX)));
        // A module that does not honour `start` fails again before reaching
        // it: its task ends at its first error (out of phlo is still fatal).
        // A body that `next_task` started began at component 0.
        let in_entry_body = machine.wasm.in_place_depth() == entry_depth && !machine.wasm.advanced;
        if in_entry_body && component < start && error != RuntimeError::OutOfPhlo {
            break;
        }
        machine.record(LocatedError { error, loc });
        if machine.stopped {
            break;
        }
        start = component.saturating_add(1);
    }
    store.data_mut().wasm.end();
}

/// A file name beside `path` that no other process uses.
fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

/// The number of functions a (validated) module defines.
fn defined_functions(wasm: &[u8]) -> u32 {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::FunctionSection(reader)) = payload {
            return reader.count();
        }
    }
    0
}

/// The `rho.source` section, if the module has a readable one.
fn source_section(wasm: &[u8]) -> Option<SourceMap> {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Ok(wasmparser::Payload::CustomSection(section)) = payload
            && section.name() == abi::SECTION_SOURCE
        {
            return SourceMap::from_bytes(section.data()).ok();
        }
    }
    None
}
