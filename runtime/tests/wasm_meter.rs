//! Checks the metering that the runtime injects into every module: exact and
//! repeatable gas accounting (straight-line code, loops, calls, host calls,
//! sizes of `memory.grow` and bulk operations), the call-depth limit, that
//! metering never changes results, and that the rewrite is deterministic and
//! stays within the accepted features.

use rho_host_abi::abi::{ABI_VERSION, AbiStamp, EXPORT_GAS, SECTION_ABI};
use rho_runtime::phlo::COST_TABLE_VERSION;
use rho_runtime::wasm::meter::{EXPORT_DEPTH, METERED_NEXT_TASK, WasmCosts, instrument};
use rho_runtime::wasm::validate::{ACCEPTED_FEATURES, ModuleLimits, RejectError, validate};
use wasmtime::{Caller, Engine, Instance, Linker, Module, Store, Trap, Val};

const COSTS: WasmCosts = WasmCosts::V1;
const MAX_DEPTH: u32 = 200;
const PLENTY: i64 = 1 << 40;

/// WAT text to module bytes carrying a current `rho.abi` stamp.
fn stamped(wat: &str) -> Vec<u8> {
    let mut wasm = wat::parse_str(wat).expect("test WAT parses");
    let stamp = AbiStamp {
        abi_version: ABI_VERSION,
        cost_table_version: COST_TABLE_VERSION,
    };
    use wasm_encoder::Section;
    wasm_encoder::CustomSection {
        name: SECTION_ABI.into(),
        data: stamp.to_bytes().to_vec().into(),
    }
    .append_to(&mut wasm);
    wasm
}

/// Validated, then metered with [`COSTS`] and `max_depth`.
fn metered_with_depth(wat: &str, max_depth: u32) -> Vec<u8> {
    let wasm = stamped(wat);
    validate(&wasm, &ModuleLimits::default(), COST_TABLE_VERSION).expect("test module validates");
    instrument(&wasm, &COSTS, max_depth).expect("test module is metered")
}

fn metered(wat: &str) -> Vec<u8> {
    metered_with_depth(wat, MAX_DEPTH)
}

/// Gas values that the stub `rho.arg_push` saw, and the values pushed.
#[derive(Default)]
struct HostLog {
    gas_seen: Vec<i64>,
    pushed: Vec<i64>,
}

/// An instance with stub host imports.
struct Instance1 {
    store: Store<HostLog>,
    instance: Instance,
}

fn instantiate(wasm: &[u8]) -> Instance1 {
    let engine = Engine::default();
    let module = Module::new(&engine, wasm).expect("module compiles");
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "rho",
            "arg_push",
            |mut caller: Caller<'_, HostLog>, value: i64| {
                let gas = match caller.get_export(EXPORT_GAS) {
                    Some(wasmtime::Extern::Global(global)) => {
                        global.get(&mut caller).i64().unwrap_or(i64::MIN)
                    }
                    _ => i64::MIN,
                };
                caller.data_mut().gas_seen.push(gas);
                caller.data_mut().pushed.push(value);
            },
        )
        .expect("stub import");
    // The host of the metered `next_task`: records the meter it is given
    // and hands back body 7 with 100 less.
    linker
        .func_wrap(
            "rho",
            METERED_NEXT_TASK,
            |mut caller: Caller<'_, HostLog>, gas: i64| {
                caller.data_mut().gas_seen.push(gas);
                (7i32, gas - 100)
            },
        )
        .expect("stub import");
    let mut store = Store::new(&engine, HostLog::default());
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("module instantiates");
    Instance1 { store, instance }
}

/// How a call ended.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Returned(Vec<i64>),
    Trapped(Trap),
}

impl Instance1 {
    fn global(&mut self, name: &str) -> i64 {
        let global = self
            .instance
            .get_global(&mut self.store, name)
            .unwrap_or_else(|| panic!("global {name} exported"));
        match global.get(&mut self.store) {
            Val::I64(value) => value,
            Val::I32(value) => value.into(),
            other => panic!("unexpected global value {other:?}"),
        }
    }

    fn set_global(&mut self, name: &str, value: Val) {
        let global = self.instance.get_global(&mut self.store, name).unwrap();
        global.set(&mut self.store, value).unwrap();
    }

    fn gas(&mut self) -> i64 {
        self.global(EXPORT_GAS)
    }

    fn depth(&mut self) -> i64 {
        self.global(EXPORT_DEPTH)
    }

    /// Calls `name` with `args` (each an i32 or i64 per the signature),
    /// after setting the meter to `gas` and the depth to 0.
    fn call_metered(&mut self, gas: i64, name: &str, args: &[i64]) -> Outcome {
        self.set_global(EXPORT_GAS, Val::I64(gas));
        self.set_global(EXPORT_DEPTH, Val::I32(0));
        self.call(name, args)
    }

    fn call(&mut self, name: &str, args: &[i64]) -> Outcome {
        let func = self.instance.get_func(&mut self.store, name).unwrap();
        let ty = func.ty(&self.store);
        let params: Vec<Val> = ty
            .params()
            .zip(args)
            .map(|(ty, &arg)| match ty {
                wasmtime::ValType::I32 => Val::I32(arg as i32),
                _ => Val::I64(arg),
            })
            .collect();
        let mut results = vec![Val::I32(0); ty.results().len()];
        match func.call(&mut self.store, &params, &mut results) {
            Ok(()) => Outcome::Returned(
                results
                    .iter()
                    .map(|value| match value {
                        Val::I32(v) => i64::from(*v),
                        Val::I64(v) => *v,
                        other => panic!("unexpected result {other:?}"),
                    })
                    .collect(),
            ),
            Err(err) => Outcome::Trapped(
                *err.downcast_ref::<Trap>()
                    .unwrap_or_else(|| panic!("not a trap: {err:?}")),
            ),
        }
    }

    /// Phlo spent by a call that must return.
    fn cost_of(&mut self, name: &str, args: &[i64]) -> i64 {
        let outcome = self.call_metered(PLENTY, name, args);
        assert!(matches!(outcome, Outcome::Returned(_)), "{outcome:?}");
        PLENTY - self.gas()
    }
}

// Prices of V1 used below, spelled out from the table.
fn simple() -> i64 {
    COSTS.instruction.into()
}
fn call_price() -> i64 {
    i64::from(COSTS.instruction) + i64::from(COSTS.call)
}
fn access() -> i64 {
    i64::from(COSTS.instruction) + i64::from(COSTS.memory_access)
}

#[test]
fn an_infinite_loop_runs_out_at_the_same_point_every_time() {
    // Each iteration bumps a counter, so the trap point is visible.
    let wasm = metered(
        r#"(module
            (global $n (export "count") (mut i64) (i64.const 0))
            (func (export "spin")
                (loop
                    global.get $n
                    i64.const 1
                    i64.add
                    global.set $n
                    br 0)))"#,
    );
    // The entry segment is `loop` (1); each iteration is 5 instructions,
    // charged at the loop header and checked there.
    let iteration = 5 * simple();
    for gas in [0i64, 1, 1_000, 123_457] {
        let mut outcomes = Vec::new();
        for _ in 0..3 {
            let mut instance = instantiate(&wasm);
            let outcome = instance.call_metered(gas, "spin", &[]);
            outcomes.push((outcome, instance.gas(), instance.global("count")));
        }
        assert!(
            outcomes.windows(2).all(|pair| pair[0] == pair[1]),
            "{outcomes:?}"
        );
        let (outcome, left, count) = &outcomes[0];
        assert_eq!(*outcome, Outcome::Trapped(Trap::UnreachableCodeReached));
        assert!(*left < 0, "out of phlo leaves the meter below zero");
        let after_entry = gas - simple();
        let expected_count = if after_entry < 0 {
            0
        } else {
            after_entry / iteration
        };
        assert_eq!(*count, expected_count, "iterations run with {gas} phlo");
        if after_entry >= 0 {
            assert_eq!(*left, after_entry - (expected_count + 1) * iteration);
        }
    }
}

#[test]
fn the_same_instance_stops_at_the_same_point_on_every_call() {
    let wasm = metered(r#"(module (func (export "spin") (loop br 0)))"#);
    let mut instance = instantiate(&wasm);
    for _ in 0..3 {
        let outcome = instance.call_metered(10_000, "spin", &[]);
        assert_eq!(outcome, Outcome::Trapped(Trap::UnreachableCodeReached));
        // `loop` (1) at entry, then `br 0` (1) per iteration: the meter
        // reaches exactly -1.
        assert_eq!(instance.gas(), -1);
    }
}

/// Programs whose results must not change under metering.
const TERMINATING: &str = r#"(module
    (memory 1 1)
    (global $g (mut i32) (i32.const 7))
    (table 2 funcref)
    (elem (i32.const 0) $fib $sum_to)
    (type $unary (func (param i64) (result i64)))
    (func $fib (export "fib") (param $n i64) (result i64)
        local.get $n
        i64.const 2
        i64.lt_s
        if (result i64)
            local.get $n
        else
            local.get $n
            i64.const 1
            i64.sub
            call $fib
            local.get $n
            i64.const 2
            i64.sub
            call $fib
            i64.add
        end)
    (func $sum_to (export "sum_to") (param $n i64) (result i64)
        (local $acc i64)
        block $done
            loop $next
                local.get $n
                i64.eqz
                br_if $done
                local.get $acc
                local.get $n
                i64.add
                local.set $acc
                local.get $n
                i64.const 1
                i64.sub
                local.set $n
                br $next
            end
        end
        local.get $acc)
    (func (export "indirect") (param $which i64) (param $n i64) (result i64)
        local.get $n
        local.get $which
        i32.wrap_i64
        call_indirect (type $unary))
    (func (export "early") (param $n i64) (result i64)
        block
            local.get $n
            i64.const 10
            i64.gt_s
            br_if 0
            local.get $n
            i64.const 100
            i64.mul
            return
        end
        i64.const -1)
    (func (export "switch") (param $n i64) (result i64)
        block $c
            block $b
                block $a
                    local.get $n
                    i32.wrap_i64
                    br_table $a $b $c
                end
                i64.const 11
                return
            end
            i64.const 22
            return
        end
        i64.const 33)
    (func $pair (param $a i64) (param $b i64) (result i64 i64)
        local.get $b
        local.get $a
        local.get $a
        local.get $b
        i64.lt_s
        br_if 0
        drop
        drop
        local.get $a
        local.get $b)
    (func (export "ordered") (param $a i64) (param $b i64) (result i64)
        local.get $a
        local.get $b
        call $pair
        i64.const 1000
        i64.mul
        i64.add)
    (func (export "memory") (param $n i64) (result i64)
        i32.const 16
        local.get $n
        i64.store
        i32.const 100
        i32.const 16
        i32.const 8
        memory.copy
        i32.const 200
        i32.const 1
        i32.const 3
        memory.fill
        i32.const 100
        i64.load
        i32.const 201
        i64.load8_u
        i64.add
        global.get $g
        i64.extend_i32_u
        i64.add)
    (func (export "grow") (param $n i64) (result i64)
        local.get $n
        i32.wrap_i64
        memory.grow
        i64.extend_i32_s
        memory.size
        i64.extend_i32_u
        i64.const 100
        i64.mul
        i64.add)
)"#;

#[test]
fn metering_does_not_change_results_of_terminating_code() {
    let plain = stamped(TERMINATING);
    let wasm = metered(TERMINATING);
    let cases: &[(&str, &[i64])] = &[
        ("fib", &[0]),
        ("fib", &[1]),
        ("fib", &[15]),
        ("sum_to", &[0]),
        ("sum_to", &[1000]),
        ("indirect", &[0, 10]),
        ("indirect", &[1, 10]),
        ("indirect", &[2, 10]),
        ("early", &[3]),
        ("early", &[30]),
        ("switch", &[0]),
        ("switch", &[1]),
        ("switch", &[2]),
        ("switch", &[9]),
        ("ordered", &[1, 2]),
        ("ordered", &[2, 1]),
        ("memory", &[0x0102_0304_0506_0708]),
        ("grow", &[0]),
        ("grow", &[1]),
    ];
    for (name, args) in cases {
        let mut reference = instantiate(&plain);
        let mut instance = instantiate(&wasm);
        let expected = reference.call(name, args);
        let actual = instance.call_metered(PLENTY, name, args);
        assert_eq!(actual, expected, "{name}{args:?}");
        if let Outcome::Returned(_) = actual {
            assert!(instance.gas() < PLENTY, "{name} was charged");
            assert_eq!(instance.depth(), 0, "{name} restored the depth counter");
        }
    }
}

#[test]
fn a_straight_line_function_costs_the_sum_of_its_prices() {
    let wasm = metered(
        r#"(module
            (memory 1 1)
            (func (export "arith") (result i64)
                i64.const 6
                i64.const 7
                i64.mul
                i64.const 1
                i64.sub)
            (func (export "mem") (result i64)
                i32.const 8
                i64.const 5
                i64.store
                i32.const 8
                i64.load
                i32.const 8
                i64.load
                i64.add)
            (func (export "empty")))"#,
    );
    let mut instance = instantiate(&wasm);
    assert_eq!(instance.cost_of("arith", &[]), 5 * simple());
    assert_eq!(instance.cost_of("mem", &[]), 5 * simple() + 3 * access());
    assert_eq!(instance.cost_of("empty", &[]), 0);
}

#[test]
fn branches_charge_only_the_segments_that_run() {
    let wasm = metered(
        r#"(module
            (func (export "pick") (param $c i32) (result i64)
                local.get $c
                if (result i64)
                    i64.const 1
                    i64.const 2
                    i64.add
                else
                    i64.const 5
                end))"#,
    );
    let mut instance = instantiate(&wasm);
    // `local.get`, `if`; then three instructions, or one.
    assert_eq!(instance.cost_of("pick", &[1]), 2 * simple() + 3 * simple());
    assert_eq!(instance.cost_of("pick", &[0]), 2 * simple() + simple());
}

#[test]
fn calls_charge_the_call_and_the_callee() {
    let wasm = metered(
        r#"(module
            (func $leaf (result i64) i64.const 1)
            (func (export "caller") (result i64)
                call $leaf
                call $leaf
                i64.add))"#,
    );
    let mut instance = instantiate(&wasm);
    let leaf = simple();
    assert_eq!(
        instance.cost_of("caller", &[]),
        2 * call_price() + 2 * leaf + simple()
    );
}

#[test]
fn a_host_import_sees_the_exact_phlo_left() {
    let wasm = metered(
        r#"(module
            (import "rho" "arg_push" (func $push (param i64)))
            (func (export "f")
                i64.const 1
                call $push
                i64.const 2
                call $push))"#,
    );
    let mut instance = instantiate(&wasm);
    let gas = 1_000;
    assert_eq!(
        instance.call_metered(gas, "f", &[]),
        Outcome::Returned(vec![])
    );
    let segment = simple() + call_price();
    assert_eq!(
        instance.store.data().gas_seen,
        [gas - segment, gas - 2 * segment]
    );
    assert_eq!(instance.store.data().pushed, [1, 2]);
}

#[test]
fn next_task_is_handed_the_meter_and_hands_back_the_next_one() {
    let wasm = metered(
        r#"(module
            (import "rho" "arg_push" (func $push (param i64)))
            (import "rho" "next_task" (func $next (result i32)))
            (func (export "f") (result i32)
                call $next
                i64.const 1
                call $push))"#,
    );
    // The import keeps its index but is the metered one, with its own type.
    let imports: Vec<String> = wasmparser::Parser::new(0)
        .parse_all(&wasm)
        .filter_map(|payload| match payload {
            Ok(wasmparser::Payload::ImportSection(section)) => Some(section),
            _ => None,
        })
        .flat_map(|section| section.into_imports())
        .map(|import| import.expect("import decodes").name.to_string())
        .collect();
    assert_eq!(imports, ["arg_push", METERED_NEXT_TASK]);
    let mut instance = instantiate(&wasm);
    let gas = 1_000;
    assert_eq!(
        instance.call_metered(gas, "f", &[]),
        Outcome::Returned(vec![7])
    );
    let handed = gas - call_price();
    let after_push = handed - 100 - simple() - call_price();
    assert_eq!(instance.store.data().gas_seen, [handed, after_push]);
    assert_eq!(instance.gas(), after_push);
}

#[test]
fn next_task_reached_through_a_table_cannot_set_the_meter() {
    // The module calls the (metered) import indirectly, with a type of its
    // own that matches the metered one, passing a meter of its choosing.
    // What the host hands back is left on the stack, not written to the
    // meter: the meter only ever goes down by the module's own prices.
    let wasm = metered(
        r#"(module
            (type $metered (func (param i64) (result i32 i64)))
            (import "rho" "next_task" (func $next (result i32)))
            (table 1 1 funcref)
            (elem (i32.const 0) func $next)
            (func (export "f") (result i64)
                i64.const 1000000
                i32.const 0
                call_indirect (type $metered)
                drop
                drop
                i64.const 0))"#,
    );
    let mut instance = instantiate(&wasm);
    let gas = 1_000;
    assert_eq!(
        instance.call_metered(gas, "f", &[]),
        Outcome::Returned(vec![0])
    );
    assert_eq!(instance.store.data().gas_seen, [1_000_000]);
    let spent = gas - instance.gas();
    assert!(spent > 0 && spent < 100, "spent {spent}");
}

#[test]
fn a_host_import_is_not_called_without_phlo() {
    let wasm = metered(
        r#"(module
            (import "rho" "arg_push" (func $push (param i64)))
            (func (export "f")
                i64.const 1
                call $push))"#,
    );
    let mut instance = instantiate(&wasm);
    let short = simple() + call_price() - 1;
    assert_eq!(
        instance.call_metered(short, "f", &[]),
        Outcome::Trapped(Trap::UnreachableCodeReached)
    );
    assert_eq!(instance.gas(), -1);
    assert!(instance.store.data().pushed.is_empty());
}

#[test]
fn memory_grow_is_charged_per_page() {
    let wasm = metered(
        r#"(module
            (memory 1 100)
            (func (export "grow") (param $pages i32) (result i32)
                local.get $pages
                memory.grow))"#,
    );
    let mut instance = instantiate(&wasm);
    let base = 2 * simple() + i64::from(COSTS.memory_grow);
    let per_page = i64::from(COSTS.memory_grow_per_page);
    for pages in [0, 1, 3] {
        assert_eq!(instance.cost_of("grow", &[pages]), base + pages * per_page);
    }
    // A failed grow (past the maximum) is charged all the same.
    assert_eq!(instance.cost_of("grow", &[1000]), base + 1000 * per_page);
    assert_eq!(
        instance.call_metered(PLENTY, "grow", &[1000]),
        Outcome::Returned(vec![-1])
    );
}

#[test]
fn memory_fill_and_copy_are_charged_by_size() {
    let wasm = metered(
        r#"(module
            (memory 2 2)
            (func (export "fill") (param $n i32)
                i32.const 0
                i32.const 7
                local.get $n
                memory.fill)
            (func (export "copy") (param $n i32)
                i32.const 0
                i32.const 65536
                local.get $n
                memory.copy)
            (func (export "peek") (param $at i32) (result i32)
                local.get $at
                i32.load8_u))"#,
    );
    let mut instance = instantiate(&wasm);
    let base = 4 * simple() + i64::from(COSTS.bulk);
    let unit = i64::from(WasmCosts::BULK_UNIT_BYTES);
    let per_unit = i64::from(COSTS.bulk_memory_per_unit);
    for bytes in [0, 1, 63, 64, 65, 6400, 65536] {
        let units = (bytes + unit - 1) / unit;
        assert_eq!(
            instance.cost_of("fill", &[bytes]),
            base + units * per_unit,
            "fill {bytes}"
        );
        assert_eq!(
            instance.cost_of("copy", &[bytes]),
            base + units * per_unit,
            "copy {bytes}"
        );
    }
}

#[test]
fn a_bulk_operation_without_phlo_does_not_run() {
    let wasm = metered(
        r#"(module
            (memory 2 2)
            (func (export "fill") (param $n i32)
                i32.const 0
                i32.const 7
                local.get $n
                memory.fill)
            (func (export "peek") (param $at i32) (result i32)
                local.get $at
                i32.load8_u))"#,
    );
    let mut instance = instantiate(&wasm);
    let outcome = instance.call_metered(1_000, "fill", &[65536]);
    assert_eq!(outcome, Outcome::Trapped(Trap::UnreachableCodeReached));
    assert!(instance.gas() < 0);
    assert_eq!(
        instance.call_metered(PLENTY, "peek", &[0]),
        Outcome::Returned(vec![0]),
        "memory was not written"
    );
}

const RECURSIVE: &str = r#"(module
    (func $down (export "down") (param $n i32) (result i32)
        local.get $n
        i32.eqz
        if (result i32)
            i32.const 0
        else
            local.get $n
            i32.const 1
            i32.sub
            call $down
            i32.const 1
            i32.add
        end)
    (func $forever (export "forever")
        call $forever))"#;

#[test]
fn deep_recursion_hits_the_depth_limit_deterministically() {
    let depth = 50;
    let wasm = metered_with_depth(RECURSIVE, depth);
    let mut instance = instantiate(&wasm);
    // `down(n)` uses n + 1 frames.
    let limit = i64::from(depth);
    assert_eq!(
        instance.call_metered(PLENTY, "down", &[limit - 1]),
        Outcome::Returned(vec![limit - 1])
    );
    assert_eq!(instance.depth(), 0);
    let mut seen = Vec::new();
    for _ in 0..3 {
        let outcome = instance.call_metered(PLENTY, "down", &[limit]);
        seen.push((outcome, instance.gas(), instance.depth()));
    }
    assert!(seen.windows(2).all(|pair| pair[0] == pair[1]), "{seen:?}");
    let (outcome, gas, depth_reached) = &seen[0];
    assert_eq!(*outcome, Outcome::Trapped(Trap::UnreachableCodeReached));
    assert!(*gas >= 0, "a depth trap is not out of phlo");
    assert_eq!(*depth_reached, limit + 1);
    // Unbounded recursion stops at the same depth.
    assert_eq!(
        instance.call_metered(PLENTY, "forever", &[]),
        Outcome::Trapped(Trap::UnreachableCodeReached)
    );
    assert_eq!(instance.depth(), limit + 1);
    assert!(instance.gas() >= 0);
}

#[test]
fn the_depth_limit_applies_per_call() {
    let depth = 30;
    let wasm = metered_with_depth(RECURSIVE, depth);
    let mut instance = instantiate(&wasm);
    instance.set_global(EXPORT_GAS, Val::I64(PLENTY));
    for _ in 0..5 {
        // Returning calls leave the counter at 0 by themselves...
        assert_eq!(instance.call("down", &[29]), Outcome::Returned(vec![29]));
        assert_eq!(instance.depth(), 0);
    }
    // ...a trap leaves it where it was, so a call without a reset fails...
    assert_eq!(
        instance.call("down", &[30]),
        Outcome::Trapped(Trap::UnreachableCodeReached)
    );
    assert_eq!(instance.depth(), 31);
    assert_eq!(
        instance.call("down", &[0]),
        Outcome::Trapped(Trap::UnreachableCodeReached)
    );
    // ...and after a depth trap the host resets it, so the next call has
    // the whole limit again.
    assert_eq!(
        instance.call_metered(PLENTY, "down", &[30]),
        Outcome::Trapped(Trap::UnreachableCodeReached)
    );
    assert_eq!(
        instance.call_metered(PLENTY, "down", &[29]),
        Outcome::Returned(vec![29])
    );
}

#[test]
fn out_of_phlo_in_recursion_is_not_a_depth_trap() {
    let wasm = metered_with_depth(RECURSIVE, 1_000);
    let mut instance = instantiate(&wasm);
    assert_eq!(
        instance.call_metered(100, "forever", &[]),
        Outcome::Trapped(Trap::UnreachableCodeReached)
    );
    assert!(instance.gas() < 0);
    assert!(instance.depth() <= 1_000);
}

#[test]
fn metering_is_deterministic_and_stays_within_the_accepted_features() {
    let wasm = stamped(TERMINATING);
    let first = instrument(&wasm, &COSTS, MAX_DEPTH).unwrap();
    let second = instrument(&wasm, &COSTS, MAX_DEPTH).unwrap();
    assert_eq!(first, second);
    wasmparser::Validator::new_with_features(ACCEPTED_FEATURES)
        .validate_all(&first)
        .expect("metered module validates with the accepted features");
    // The stamp and the other custom sections are kept.
    let sections: Vec<String> = wasmparser::Parser::new(0)
        .parse_all(&first)
        .filter_map(|payload| match payload {
            Ok(wasmparser::Payload::CustomSection(section)) => Some(section.name().to_string()),
            _ => None,
        })
        .collect();
    assert!(sections.iter().any(|name| name == SECTION_ABI));
}

#[test]
fn modules_without_globals_or_exports_get_both_sections() {
    for wat in [
        "(module)",
        "(module (func))",
        "(module (memory 1 1) (data (i32.const 0) \"abc\"))",
        "(module (func (export \"f\")))",
        "(module (global i32 (i32.const 1)))",
    ] {
        let wasm = metered(wat);
        wasmparser::Validator::new_with_features(ACCEPTED_FEATURES)
            .validate_all(&wasm)
            .unwrap_or_else(|err| panic!("{wat}: {err}"));
        let mut instance = instantiate(&wasm);
        assert_eq!(instance.gas(), 0, "{wat}: the meter starts empty");
        assert_eq!(instance.depth(), 0);
    }
}

#[test]
fn the_meter_is_appended_after_the_module_s_own_globals() {
    let wasm = metered(
        r#"(module
            (global $a (mut i64) (i64.const 40))
            (global $b i64 (i64.const 2))
            (func (export "f") (result i64)
                global.get $a
                global.get $b
                i64.add
                global.set $a
                global.get $a))"#,
    );
    let mut instance = instantiate(&wasm);
    assert_eq!(
        instance.call_metered(PLENTY, "f", &[]),
        Outcome::Returned(vec![42])
    );
    assert_eq!(PLENTY - instance.gas(), 5 * simple());
}

#[test]
fn a_call_without_phlo_traps_at_entry() {
    let wasm = metered(r#"(module (func (export "f") (result i64) i64.const 1))"#);
    let mut instance = instantiate(&wasm);
    // The meter starts at 0: calling without setting it traps.
    assert_eq!(
        instance.call("f", &[]),
        Outcome::Trapped(Trap::UnreachableCodeReached)
    );
    assert_eq!(
        instance.call_metered(1, "f", &[]),
        Outcome::Returned(vec![1])
    );
    assert_eq!(instance.gas(), 0);
}

#[test]
fn reserved_export_names_are_refused() {
    for name in [EXPORT_GAS, EXPORT_DEPTH] {
        let wasm = stamped(&format!(
            "(module (global (export \"{name}\") (mut i64) (i64.const 9)))"
        ));
        let err = instrument(&wasm, &COSTS, MAX_DEPTH).unwrap_err();
        assert!(matches!(err, RejectError::Abi { .. }), "{err}");
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn instructions_the_metering_cannot_price_are_refused() {
    let wasm = wat::parse_str(
        r#"(module
            (func $f (result i32) i32.const 1)
            (func (result i32) return_call $f))"#,
    )
    .unwrap();
    let err = instrument(&wasm, &COSTS, MAX_DEPTH).unwrap_err();
    assert!(matches!(err, RejectError::Metering { .. }), "{err}");
    assert!(err.to_string().contains("return_call"), "{err}");
}

#[test]
fn prices_above_the_maximum_are_refused() {
    let wasm = stamped("(module (func))");
    let costs = WasmCosts {
        call: WasmCosts::MAX_PRICE + 1,
        ..WasmCosts::V1
    };
    let err = instrument(&wasm, &costs, MAX_DEPTH).unwrap_err();
    assert!(matches!(err, RejectError::Metering { .. }), "{err}");
}

#[test]
fn the_price_table_is_versioned() {
    // Changing a price without bumping COST_TABLE_VERSION would let two
    // runtimes charge the same module differently; this pins version 1.
    assert_eq!(COSTS.version, COST_TABLE_VERSION);
    if COST_TABLE_VERSION == 1 {
        let prices = [
            COSTS.instruction,
            COSTS.call,
            COSTS.call_indirect,
            COSTS.memory_access,
            COSTS.memory_grow,
            COSTS.memory_grow_per_page,
            COSTS.bulk,
            COSTS.bulk_memory_per_unit,
            COSTS.table_element,
        ];
        assert_eq!(prices, [1, 5, 10, 1, 100, 1_000, 5, 2, 2]);
    }
}

#[test]
fn memory_init_and_table_operations_are_charged_by_size() {
    let wasm = metered(
        r#"(module
            (memory 1 1)
            (table 8 funcref)
            (func $f)
            (data $bytes "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef!")
            (elem $funcs func $f $f $f $f)
            (func (export "init_memory") (param $n i32)
                i32.const 0
                i32.const 0
                local.get $n
                memory.init $bytes)
            (func (export "init_table") (param $n i32)
                i32.const 0
                i32.const 0
                local.get $n
                table.init $funcs)
            (func (export "copy_table") (param $n i32)
                i32.const 4
                i32.const 0
                local.get $n
                table.copy))"#,
    );
    let mut instance = instantiate(&wasm);
    let base = 4 * simple() + i64::from(COSTS.bulk);
    let per_unit = i64::from(COSTS.bulk_memory_per_unit);
    let per_element = i64::from(COSTS.table_element);
    assert_eq!(instance.cost_of("init_memory", &[0]), base);
    assert_eq!(instance.cost_of("init_memory", &[64]), base + per_unit);
    assert_eq!(instance.cost_of("init_memory", &[65]), base + 2 * per_unit);
    for elements in [0, 1, 4] {
        assert_eq!(
            instance.cost_of("init_table", &[elements]),
            base + elements * per_element
        );
        assert_eq!(
            instance.cost_of("copy_table", &[elements]),
            base + elements * per_element
        );
    }
}

#[test]
fn a_trap_charges_its_whole_segment_and_is_not_out_of_phlo() {
    let wasm = metered(
        r#"(module
            (func (export "divide") (param $d i32) (result i32)
                i32.const 1
                local.get $d
                i32.div_s
                i32.const 5
                i32.add))"#,
    );
    let mut instance = instantiate(&wasm);
    assert_eq!(instance.cost_of("divide", &[1]), 5 * simple());
    let gas = 1_000;
    assert_eq!(
        instance.call_metered(gas, "divide", &[0]),
        Outcome::Trapped(Trap::IntegerDivisionByZero)
    );
    assert_eq!(instance.gas(), gas - 5 * simple());
}

#[test]
fn return_with_several_results_restores_the_depth_counter() {
    let wasm = metered(
        r#"(module
            (func $split (param $x i64) (result i64 i64)
                block
                    local.get $x
                    i64.const 0
                    i64.lt_s
                    br_if 0
                    local.get $x
                    i64.const 1
                    return
                end
                i64.const 0
                local.get $x
                i64.sub
                i64.const -1)
            (func (export "signed") (param $x i64) (result i64)
                local.get $x
                call $split
                i64.mul))"#,
    );
    let mut instance = instantiate(&wasm);
    for (x, expected) in [(7, 7), (-7, -7), (0, 0)] {
        assert_eq!(
            instance.call_metered(PLENTY, "signed", &[x]),
            Outcome::Returned(vec![expected])
        );
        assert_eq!(instance.depth(), 0);
    }
}

#[test]
fn ten_thousand_nested_blocks_are_metered_without_recursion() {
    use wasm_encoder::{BlockType, Instruction};
    let depth = 10_000;
    let mut module = wasm_encoder::Module::new();
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function([], [wasm_encoder::ValType::I32]);
    let mut funcs = wasm_encoder::FunctionSection::new();
    funcs.function(0);
    let mut exports = wasm_encoder::ExportSection::new();
    exports.export("nested", wasm_encoder::ExportKind::Func, 0);
    let mut code = wasm_encoder::CodeSection::new();
    let mut body = wasm_encoder::Function::new([]);
    for level in 0..depth {
        body.instruction(&if level % 2 == 0 {
            Instruction::Block(BlockType::Empty)
        } else {
            Instruction::Loop(BlockType::Empty)
        });
    }
    for _ in 0..depth {
        body.instruction(&Instruction::End);
    }
    body.instruction(&Instruction::I32Const(3));
    body.instruction(&Instruction::End);
    code.function(&body);
    module
        .section(&types)
        .section(&funcs)
        .section(&exports)
        .section(&code);
    let mut wasm = module.finish();
    use wasm_encoder::Section;
    wasm_encoder::CustomSection {
        name: SECTION_ABI.into(),
        data: AbiStamp {
            abi_version: ABI_VERSION,
            cost_table_version: COST_TABLE_VERSION,
        }
        .to_bytes()
        .to_vec()
        .into(),
    }
    .append_to(&mut wasm);
    validate(&wasm, &ModuleLimits::default(), COST_TABLE_VERSION).expect("validates");
    let metered = instrument(&wasm, &COSTS, MAX_DEPTH).expect("metered");
    let mut instance = instantiate(&metered);
    // Every `block` and `loop` costs one; the 5,000 loops are entered once.
    assert_eq!(instance.cost_of("nested", &[]), (depth + 1) * simple());
}
