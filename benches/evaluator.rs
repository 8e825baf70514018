//! The Par evaluator on the shared workloads: compiled once, then run; and
//! end to end (compile included), as `rhoc run --engine interp` does.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rho_benches::{compile, run_compiled, workload};

const WORKLOADS: [(&str, u64); 5] = [
    ("countdown_100000", 100_002),
    ("ping_pong_100000", 100_002),
    ("fib_20", 32_838),
    ("list_build_sum_10000", 20_005),
    ("map_insert_lookup_5000", 10_005),
];

fn evaluator(c: &mut Criterion) {
    let mut group = c.benchmark_group("evaluator");
    group.sample_size(10);
    for (name, comms) in WORKLOADS {
        let workload = workload(name);
        let (par, source_map) = compile(&workload.source);
        // Check the output once before timing.
        assert_eq!(
            run_compiled(par.clone(), &source_map),
            workload.expected,
            "{name}"
        );
        group.throughput(Throughput::Elements(comms));
        group.bench_function(name, |b| b.iter(|| run_compiled(par.clone(), &source_map)));
    }
    group.finish();

    let mut group = c.benchmark_group("end_to_end_interp");
    group.sample_size(10);
    for name in ["countdown_100000", "fib_20"] {
        let workload = workload(name);
        group.bench_function(name, |b| {
            b.iter(|| {
                let (par, source_map) = compile(&workload.source);
                run_compiled(par, &source_map)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, evaluator);
criterion_main!(benches);
