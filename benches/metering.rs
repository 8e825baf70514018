//! Metering: the same modules with and without the runtime's injected
//! metering, run directly under wasmtime with stub host imports (see
//! `rho_benches::plain`), so that only the compiled code differs.
//!
//! - `arith/*`: a hand-written module with the rho ABI's exports running
//!   an arithmetic-heavy loop (one basic block per iteration), the same
//!   work with a call per iteration (`calls/*`), and a six-instruction loop
//!   (`tight/*`, the worst case);
//! - `countdown_bodies/*`: every body of the countdown's generated module,
//!   once each, against host stubs that do no work: the compiled code's own
//!   share of a countdown step. Set against `engines/countdown_100000/wasm`
//!   (per COMM), the difference bounds what metering adds end to end.
//!
//! The target is an overhead of at most 10 %.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rho_benches::plain::{PlainInstance, arithmetic_module, engine};
use rho_benches::{build, run_wasm, workload};
use rho_runtime::wasm::WasmEngine;

/// Loop iterations per timed call.
const ITERATIONS: i64 = 100_000;

fn metering(c: &mut Criterion) {
    let engine = engine();
    let arithmetic = arithmetic_module();
    // The module follows the ABI: the runtime's engine accepts and runs it.
    let runtime = WasmEngine::new().expect("wasmtime");
    let module = runtime
        .compile(&arithmetic)
        .expect("the runtime accepts the module");
    assert_eq!(run_wasm(&runtime, &module), "");

    let mut group = c.benchmark_group("metering");
    group.sample_size(20);
    group.throughput(Throughput::Elements(ITERATIONS as u64));
    let mut results = Vec::new();
    for function in ["arith", "calls", "tight"] {
        for metered in [false, true] {
            let mut instance = PlainInstance::new(&engine, &arithmetic, metered);
            let func = instance.func_i64(function);
            results.push(instance.call_i64(&func, ITERATIONS));
            let label = if metered { "metered" } else { "unmetered" };
            group.bench_function(format!("{function}/{label}"), |b| {
                b.iter(|| instance.call_i64(&func, std::hint::black_box(ITERATIONS)))
            });
        }
    }
    // Metering never changes a result.
    assert!(
        results.chunks(2).all(|pair| pair[0] == pair[1]),
        "{results:?}"
    );

    let countdown = build(&workload("countdown_100000").source);
    let bodies = PlainInstance::new(&engine, &countdown, false).body_count();
    assert!(bodies >= 2, "the countdown has {bodies} bodies");
    assert_eq!(
        PlainInstance::new(&engine, &countdown, true).body_count(),
        bodies
    );
    group.throughput(Throughput::Elements(u64::try_from(bodies).unwrap_or(0)));
    for metered in [false, true] {
        let mut instance = PlainInstance::new(&engine, &countdown, metered);
        let label = if metered { "metered" } else { "unmetered" };
        group.bench_function(format!("countdown_bodies/{label}"), |b| {
            b.iter(|| instance.run_bodies(bodies))
        });
    }
    group.finish();
}

criterion_group!(benches, metering);
criterion_main!(benches);
