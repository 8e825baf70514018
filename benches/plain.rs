//! Modules run directly under wasmtime, without the runtime's host: the same
//! bytes with and without the runtime's metering, to measure what metering
//! costs in compiled code alone.
//!
//! Host imports (module `rho`) are stubs that do no work: every `i64`
//! result is the small Int 7 (so comparisons with 0 are false and
//! arithmetic stays on the inline fast path), every `i32` result is 0,
//! `check_channel` returns its channel, and the metered `next_task` has no
//! next body. Generated code run this way takes
//! the same path with and without metering, so the difference between the
//! two is the metering's own cost.

use rho_host_abi::abi::{self, ABI_VERSION, AbiStamp, EXPORT_GAS, SECTION_ABI};
use rho_runtime::phlo::COST_TABLE_VERSION;
use rho_runtime::wasm::DEFAULT_MAX_CALL_DEPTH;
use rho_runtime::wasm::engine::deterministic_config;
use rho_runtime::wasm::meter::{EXPORT_DEPTH, METERED_NEXT_TASK, WasmCosts, instrument};
use rho_runtime::wasm::validate::{ModuleLimits, validate};
use wasmtime::{Engine, FuncType, Instance, Linker, Module, Store, TypedFunc, Val, ValType};

/// The gas a metered instance starts with: far more than any benchmark
/// spends (a billion iterations of a thousand instructions), so the meter
/// never runs out and is never refilled while timing.
const GAS: i64 = 1 << 60;

/// wasmtime configured exactly as the runtime's engine configures it
/// ([`deterministic_config`]).
///
/// # Panics
///
/// If wasmtime cannot be configured on this machine.
pub fn engine() -> Engine {
    let config = deterministic_config();
    Engine::new(&config).expect("wasmtime is available")
}

/// `wasm` with a `rho.abi` custom section for the current ABI and cost
/// table appended, as rhoc's code generator writes it.
pub fn stamp(mut wasm: Vec<u8>) -> Vec<u8> {
    use wasm_encoder::Section;
    let stamp = AbiStamp {
        abi_version: ABI_VERSION,
        cost_table_version: COST_TABLE_VERSION,
    };
    wasm_encoder::CustomSection {
        name: SECTION_ABI.into(),
        data: stamp.to_bytes().to_vec().into(),
    }
    .append_to(&mut wasm);
    wasm
}

/// Iterations of the loop that `rho_run` of [`arithmetic_module`] runs.
pub const RHO_RUN_ITERATIONS: i64 = 1_000;

/// A hand-written module with the rho ABI's exports (memory, an empty
/// constant pool, `rho_component`, `rho_location`, `rho_run`) and two
/// arithmetic-heavy loops, stamped:
///
/// - `arith(n) -> i64`: `n` iterations of a 64-bit linear congruential step
///   and xor-shift mixing into an accumulator (about 20 instructions, one
///   basic block per iteration);
/// - `calls(n) -> i64`: the same work with the step in a function called
///   once per iteration;
/// - `tight(n) -> i64`: the sum `n + (n - 1) + ... + 1` (six instructions
///   per iteration: the worst case for a meter charged per basic block).
///
/// `rho_run` runs [`RHO_RUN_ITERATIONS`] of `arith` and stores the result
/// in memory, so the runtime's engine accepts and runs the module too.
pub fn arithmetic_module() -> Vec<u8> {
    let wat = r#"(module
      (memory (export "memory") 1 1)
      (global (export "rho_pool_ptr") i32 (i32.const 0))
      (global (export "rho_pool_len") i32 (i32.const 0))
      (global (export "rho_component") (mut i32) (i32.const 0))
      (global (export "rho_location") (mut i32) (i32.const -1))
      (func $step (param $x i64) (result i64)
        local.get $x
        i64.const 6364136223846793005
        i64.mul
        i64.const 1442695040888963407
        i64.add)
      (func $mix (param $acc i64) (param $x i64) (result i64)
        local.get $acc
        local.get $x
        i64.const 33
        i64.shr_u
        local.get $x
        i64.xor
        i64.add
        i64.const 5
        i64.rotl)
      (func $arith (export "arith") (param $n i64) (result i64)
        (local $x i64) (local $acc i64)
        local.get $n
        i64.eqz
        if (result i64)
          i64.const 0
        else
          loop $next
            ;; x = x * a + c
            local.get $x
            i64.const 6364136223846793005
            i64.mul
            i64.const 1442695040888963407
            i64.add
            local.set $x
            ;; acc = rotl(acc + ((x >> 33) ^ x), 5)
            local.get $acc
            local.get $x
            i64.const 33
            i64.shr_u
            local.get $x
            i64.xor
            i64.add
            i64.const 5
            i64.rotl
            local.set $acc
            local.get $n
            i64.const 1
            i64.sub
            local.tee $n
            i64.const 0
            i64.ne
            br_if $next
          end
          local.get $acc
        end)
      (func $calls (export "calls") (param $n i64) (result i64)
        (local $x i64) (local $acc i64)
        local.get $n
        i64.eqz
        if (result i64)
          i64.const 0
        else
          loop $next
            local.get $x
            call $step
            local.set $x
            local.get $acc
            local.get $x
            call $mix
            local.set $acc
            local.get $n
            i64.const 1
            i64.sub
            local.tee $n
            i64.const 0
            i64.ne
            br_if $next
          end
          local.get $acc
        end)
      (func $tight (export "tight") (param $n i64) (result i64)
        (local $acc i64)
        local.get $n
        i64.eqz
        if (result i64)
          i64.const 0
        else
          loop $next
            local.get $acc
            local.get $n
            i64.add
            local.set $acc
            local.get $n
            i64.const 1
            i64.sub
            local.tee $n
            i64.const 0
            i64.ne
            br_if $next
          end
          local.get $acc
        end)
      (func (export "rho_run") (param i32 i32)
        i32.const 0
        i64.const 1000
        call $arith
        i64.store))"#;
    stamp(wat::parse_str(wat).expect("the arithmetic module's WAT parses"))
}

/// A module instantiated directly under wasmtime with stub host imports.
pub struct PlainInstance {
    store: Store<()>,
    instance: Instance,
    run: TypedFunc<(i32, i32), ()>,
    metered: bool,
}

impl PlainInstance {
    /// Instantiates `wasm` (a stamped module) as it is, or after the
    /// runtime's validation and metering (with the default prices and call
    /// depth limit) when `metered`.
    ///
    /// # Panics
    ///
    /// When the module is rejected or cannot be instantiated.
    pub fn new(engine: &Engine, wasm: &[u8], metered: bool) -> PlainInstance {
        validate(wasm, &ModuleLimits::default(), COST_TABLE_VERSION)
            .expect("the module passes the runtime's validation");
        let bytes = if metered {
            instrument(wasm, &WasmCosts::default(), DEFAULT_MAX_CALL_DEPTH)
                .expect("the module is metered")
        } else {
            wasm.to_vec()
        };
        let module = Module::new(engine, &bytes).expect("wasmtime compiles the module");
        let mut linker = Linker::new(engine);
        for import in module.imports() {
            define_stub(&mut linker, engine, import.module(), import.name());
        }
        let mut store = Store::new(engine, ());
        let instance = linker
            .instantiate(&mut store, &module)
            .expect("the module instantiates");
        let run = instance
            .get_typed_func(&mut store, abi::EXPORT_RUN)
            .expect("the module exports rho_run");
        let mut plain = PlainInstance {
            store,
            instance,
            run,
            metered,
        };
        plain.refuel();
        plain
    }

    /// Fills the meter and clears the depth counter (after a trap).
    fn refuel(&mut self) {
        if !self.metered {
            return;
        }
        for (name, value) in [(EXPORT_GAS, Val::I64(GAS)), (EXPORT_DEPTH, Val::I32(0))] {
            let global = self
                .instance
                .get_global(&mut self.store, name)
                .expect("the metered module exports its meter");
            global
                .set(&mut self.store, value)
                .expect("the meter is a mutable global");
        }
    }

    /// The exported function `name` of type `(i64) -> i64`.
    ///
    /// # Panics
    ///
    /// When there is no such export.
    pub fn func_i64(&mut self, name: &str) -> TypedFunc<i64, i64> {
        self.instance
            .get_typed_func(&mut self.store, name)
            .unwrap_or_else(|err| panic!("export {name}: {err}"))
    }

    /// Calls `func` with `arg`.
    ///
    /// # Panics
    ///
    /// When the call traps.
    pub fn call_i64(&mut self, func: &TypedFunc<i64, i64>, arg: i64) -> i64 {
        func.call(&mut self.store, arg).expect("the call returns")
    }

    /// The number of bodies that `rho_run` dispatches to: bodies are tried
    /// from 0 until one traps (the dispatch's `unreachable`).
    pub fn body_count(&mut self) -> i32 {
        let mut count = 0;
        let trapped = loop {
            if self.run.call(&mut self.store, (count, 0)).is_err() {
                break count;
            }
            count += 1;
        };
        self.refuel();
        trapped
    }

    /// Runs bodies `0..count` once each, from their start, as tasks.
    ///
    /// # Panics
    ///
    /// When a body traps.
    pub fn run_bodies(&mut self, count: i32) {
        for body in 0..count {
            self.run
                .call(&mut self.store, (body, 0))
                .expect("the body runs");
        }
    }
}

/// Defines import `module.name` as a stub that does no work.
fn define_stub(linker: &mut Linker<()>, engine: &Engine, module: &str, name: &str) {
    if name == METERED_NEXT_TASK {
        // No next body: the meter goes back unchanged.
        linker
            .func_wrap(module, name, |gas: i64| (-1i32, gas))
            .expect("the stub is defined once");
        return;
    }
    let sig = abi::import(name)
        .filter(|_| module == abi::IMPORT_MODULE)
        .unwrap_or_else(|| panic!("{module}.{name} is not a host import"));
    let val_type = |ty: &abi::ValType| match ty {
        abi::ValType::I32 => ValType::I32,
        abi::ValType::I64 => ValType::I64,
    };
    let ty = FuncType::new(
        engine,
        sig.params.iter().map(val_type),
        sig.results.iter().map(val_type),
    );
    let passes_through = name == abi::IMPORT_CHECK_CHANNEL;
    let returns = sig.results.first().copied();
    linker
        .func_new(module, name, ty, move |_caller, params, results| {
            if let Some(result) = results.first_mut() {
                *result = match returns {
                    Some(abi::ValType::I32) => Val::I32(0),
                    _ if passes_through => params[0],
                    _ => Val::I64(abi::small_int(7).unwrap_or(0)),
                };
            }
            Ok(())
        })
        .expect("the stub is defined once");
}
