//! Scaling: the countdown at N = 10,000, 100,000 and 1,000,000 under both
//! engines (compiled once, then run), in COMMs per second. Ten times the
//! work should cost at most eleven times the time; `benches/run.sh` also
//! checks that peak memory does not grow with N.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rho_benches::{build, compile, countdown, run_compiled, run_wasm};
use rho_runtime::wasm::WasmEngine;

/// The start values of the countdown.
const SIZES: [u64; 3] = [10_000, 100_000, 1_000_000];

fn scaling(c: &mut Criterion) {
    let engine = WasmEngine::new().expect("wasmtime");
    let mut group = c.benchmark_group("scaling");
    group.sample_size(10);
    for n in SIZES {
        let program = countdown(n);
        // N + 1 steps of the persistent receive, and the print.
        group.throughput(Throughput::Elements(n + 2));
        let module = engine.compile(&build(&program.source)).expect("accepted");
        assert_eq!(
            run_wasm(&engine, &module),
            program.expected,
            "countdown {n}"
        );
        group.bench_with_input(BenchmarkId::new("countdown_wasm", n), &n, |b, _| {
            b.iter(|| run_wasm(&engine, &module))
        });
        let (par, source_map) = compile(&program.source);
        assert_eq!(run_compiled(par.clone(), &source_map), program.expected);
        group.bench_with_input(BenchmarkId::new("countdown_interp", n), &n, |b, _| {
            b.iter(|| run_compiled(par.clone(), &source_map))
        });
    }
    group.finish();
}

criterion_group!(benches, scaling);
criterion_main!(benches);
