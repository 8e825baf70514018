//! The two engines on the same workloads: the evaluator (`--engine interp`)
//! against compiled Wasm (`--engine wasm`), with the module compiled once
//! (the compile cache) and, separately, compile included.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rho_benches::{compile, run_compiled, workload};
use rho_runtime::RunConfig;
use rho_runtime::wasm::WasmEngine;

const WORKLOADS: [(&str, u64); 5] = [
    ("countdown_100000", 100_002),
    ("fib_20", 32_838),
    ("ping_pong_100000", 100_002),
    ("list_build_sum_10000", 20_005),
    ("map_insert_lookup_5000", 10_005),
];

fn engines(c: &mut Criterion) {
    let engine = WasmEngine::new().expect("wasmtime is available");
    let mut group = c.benchmark_group("engines");
    group.sample_size(10);
    for (name, comms) in WORKLOADS {
        let workload = workload(name);
        let normalized = rhoc::frontend::compile_source("bench.rho", &workload.source)
            .expect("the workload compiles");
        let wasm = rhoc::codegen::compile_module(&normalized).expect("code generation");
        let module = engine.compile(&wasm).expect("the module is accepted");
        let run_wasm = || {
            let mut out = Vec::new();
            let mut err = Vec::new();
            let report = engine
                .run(&module, &RunConfig::default(), &mut out, &mut err)
                .expect("runs");
            assert!(report.errors.is_empty(), "{:?}", report.errors);
            String::from_utf8_lossy(&out).into_owned()
        };
        // Check the output of both engines once before timing.
        assert_eq!(run_wasm(), workload.expected, "{name} (wasm)");
        let (par, source_map) = compile(&workload.source);
        assert_eq!(
            run_compiled(par.clone(), &source_map),
            workload.expected,
            "{name} (interp)"
        );
        group.throughput(Throughput::Elements(comms));
        group.bench_function(format!("{name}/wasm"), |b| b.iter(run_wasm));
        group.bench_function(format!("{name}/interp"), |b| {
            b.iter(|| run_compiled(par.clone(), &source_map))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("end_to_end");
    group.sample_size(10);
    for name in ["hello_world", "countdown_100000"] {
        let source = if name == "hello_world" {
            std::fs::read_to_string(
                rho_benches::workloads_dir().join("../conformance/hello_world.rho"),
            )
            .expect("hello world")
        } else {
            workload(name).source
        };
        // Cold: a fresh engine each time (no compile cache).
        group.bench_function(format!("{name}/wasm_cold"), |b| {
            b.iter(|| {
                let engine = WasmEngine::new().expect("wasmtime");
                let normalized =
                    rhoc::frontend::compile_source("b.rho", &source).expect("compiles");
                let wasm = rhoc::codegen::compile_module(&normalized).expect("codegen");
                let module = engine.compile(&wasm).expect("accepted");
                let (mut out, mut err) = (Vec::new(), Vec::new());
                engine
                    .run(&module, &RunConfig::default(), &mut out, &mut err)
                    .expect("runs")
            })
        });
        // Warm: the engine's compile cache already holds the module.
        group.bench_function(format!("{name}/wasm_warm"), |b| {
            b.iter(|| {
                let normalized =
                    rhoc::frontend::compile_source("b.rho", &source).expect("compiles");
                let wasm = rhoc::codegen::compile_module(&normalized).expect("codegen");
                let module = engine.compile(&wasm).expect("accepted");
                let (mut out, mut err) = (Vec::new(), Vec::new());
                engine
                    .run(&module, &RunConfig::default(), &mut out, &mut err)
                    .expect("runs")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, engines);
criterion_main!(benches);
