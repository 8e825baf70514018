//! The tuplespace alone: COMMs per second on unforgeable channels, with
//! patterns that bind variables, for single receives and for joins.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rho_host_abi::par::{GPrivate, GUnforgeable, g_unforgeable::UnfInstance};
use rho_runtime::tuplespace::{Matcher, Tuplespace};
use rho_runtime::{RuntimeError, Value};

/// Variable-binding patterns: every datum of the right arity matches and
/// binds all its values.
struct BindAll;

impl Matcher<usize> for BindAll {
    type Bindings = Vec<Value>;

    fn match_data(
        &mut self,
        arity: &usize,
        values: &[Value],
    ) -> Result<Option<Vec<Value>>, RuntimeError> {
        Ok((values.len() == *arity).then(|| values.to_vec()))
    }
}

fn channel(id: u8) -> Value {
    Value::Unforgeable(Arc::new(GUnforgeable {
        unf_instance: Some(UnfInstance::GPrivateBody(GPrivate { id: vec![id; 32] })),
    }))
}

const COMMS: u64 = 10_000;

fn single_channel(c: &mut Criterion) {
    let mut group = c.benchmark_group("tuplespace");
    group.throughput(Throughput::Elements(COMMS));
    let ch = channel(1);
    group.bench_function("produce_then_consume", |b| {
        b.iter(|| {
            let mut space: Tuplespace<usize, u32> = Tuplespace::default();
            for i in 0..COMMS {
                space
                    .produce(&ch, vec![Value::Int(i as i64)], false, 0, &mut BindAll)
                    .unwrap();
                let (comm, _) = space
                    .consume(vec![ch.clone()], vec![1], 0, false, false, 0, &mut BindAll)
                    .unwrap();
                black_box(comm.expect("COMM"));
            }
        })
    });
    group.bench_function("consume_then_produce", |b| {
        b.iter(|| {
            let mut space: Tuplespace<usize, u32> = Tuplespace::default();
            for i in 0..COMMS {
                space
                    .consume(vec![ch.clone()], vec![1], 0, false, false, 0, &mut BindAll)
                    .unwrap();
                let comm = space
                    .produce(&ch, vec![Value::Int(i as i64)], false, 0, &mut BindAll)
                    .unwrap();
                black_box(comm.expect("COMM"));
            }
        })
    });
    let other = channel(2);
    group.bench_function("join_of_two", |b| {
        b.iter(|| {
            let mut space: Tuplespace<usize, u32> = Tuplespace::default();
            for i in 0..COMMS {
                space
                    .consume(
                        vec![ch.clone(), other.clone()],
                        vec![1, 1],
                        0,
                        false,
                        false,
                        0,
                        &mut BindAll,
                    )
                    .unwrap();
                space
                    .produce(&ch, vec![Value::Int(i as i64)], false, 0, &mut BindAll)
                    .unwrap();
                let comm = space
                    .produce(&other, vec![Value::Int(i as i64)], false, 0, &mut BindAll)
                    .unwrap();
                black_box(comm.expect("COMM"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, single_channel);
criterion_main!(benches);
