//! Code generation and loading: `rhoc build` (front end + code generation)
//! of a generated 1,000-line contract; wasmtime compiling its module (a
//! fresh engine, so a cache miss: validation, metering and Cranelift); a
//! compile-cache hit (the same engine again); creating an engine; and
//! instantiating and running an empty program (`Nil`).

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rho_benches::{build, generated_contract, run_wasm};
use rho_runtime::wasm::{Origin, WasmEngine};

/// The size of the generated contract, in lines.
const LINES: usize = 1_000;

fn codegen(c: &mut Criterion) {
    let source = generated_contract(LINES);
    assert!(
        source.lines().count() >= LINES,
        "the contract has {LINES} lines"
    );
    let wasm = build(&source);
    // The module must load and run before it is timed.
    let engine = WasmEngine::new().expect("wasmtime");
    let module = engine.compile(&wasm).expect("the module is accepted");
    assert_eq!(module.origin(), Origin::Compiled);
    assert!(run_wasm(&engine, &module).starts_with("{\"acc\""));
    eprintln!(
        "codegen: {} lines, {} bytes of source, a module of {} bytes with {} functions",
        source.lines().count(),
        source.len(),
        wasm.len(),
        module.function_count()
    );

    let mut group = c.benchmark_group("codegen");
    group.sample_size(20);
    group.bench_function("build_1000_lines", |b| {
        b.iter_with_large_drop(|| build(&source))
    });
    let normalized =
        rhoc::frontend::compile_source("bench.rho", &source).expect("the contract compiles");
    group.bench_function("codegen_only_1000_lines", |b| {
        b.iter_with_large_drop(|| rhoc::codegen::compile_module(&normalized).expect("codegen"))
    });
    group.bench_function("wasmtime_compile_miss_1000_lines", |b| {
        b.iter_batched(
            || WasmEngine::new().expect("wasmtime"),
            |fresh| {
                let module = fresh.compile(&wasm).expect("accepted");
                debug_assert_eq!(module.origin(), Origin::Compiled);
                (fresh, module)
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("compile_cache_hit_1000_lines", |b| {
        b.iter(|| {
            let module = engine.compile(&wasm).expect("accepted");
            debug_assert_eq!(module.origin(), Origin::MemoryCache);
            module
        })
    });
    group.bench_function("engine_new", |b| {
        b.iter_with_large_drop(|| WasmEngine::new().expect("wasmtime"))
    });
    let nil = engine.compile(&build("Nil")).expect("Nil is accepted");
    assert_eq!(run_wasm(&engine, &nil), "");
    group.bench_function("instantiate_run_nil", |b| {
        b.iter(|| run_wasm(&engine, &nil))
    });
    group.finish();
}

criterion_group!(benches, codegen);
criterion_main!(benches);
