//! Front-end throughput: parse + normalize + canonical sort (+ source map)
//! of a generated contract, in bytes of source per second.
//!
//! The program is a `new` holding N recursive contracts that use most of
//! the language (match, new, joins, if/else, sequential and concurrent
//! let, collections, methods, operators); N is chosen so that the source
//! is about 256 KiB, 1 MiB and 4 MiB. The target is at least 5 MB/s.

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rhoc::frontend::compile_source;

/// One contract, about 490 bytes.
fn contract(i: usize) -> String {
    format!(
        r#"  contract worker{i}(@n, @items, ret) = {{
    match n {{
      0 => ret!({{"done": true, "id": {i}}})
      _ => {{ new r, log in {{
        worker{i}!(n - 1, items ++ [n * {i} + 1, "item-{i}"], *r) |
        for (@acc <- r & @entry <- log) {{
          if (acc.get("done") and n % 2 == 0) {{ ret!(acc.set("last", n)) }}
          else {{ let @x <- n; @y <- x + 1 in {{ ret!((x, y, Set(x, y), entry)) }} }}
        }} |
        let @a <- n & @b <- [n] in {{ log!([a, b, -n, not true, "s" ++ "t"]) }}
      }} }}
    }}
  }}"#
    )
}

/// A program of at least `bytes` bytes of source.
fn program(bytes: usize) -> String {
    let mut names = Vec::new();
    let mut contracts = Vec::new();
    let mut size = 0;
    let mut i = 0;
    while size < bytes {
        let text = contract(i);
        size += text.len() + 12;
        names.push(format!("worker{i}"));
        contracts.push(text);
        i += 1;
    }
    format!(
        "new {} in {{\n{}\n}}\n",
        names.join(", "),
        contracts.join(" |\n")
    )
}

fn frontend(c: &mut Criterion) {
    let mut group = c.benchmark_group("frontend");
    group.sample_size(10);
    for kib in [256, 1024, 4096] {
        let source = program(kib * 1024);
        // The workload must compile before it is timed.
        let compiled =
            compile_source("bench.rho", &source).expect("the generated program compiles");
        assert!(!compiled.source_map.is_empty());
        group.throughput(Throughput::Bytes(source.len() as u64));
        group.bench_with_input(
            BenchmarkId::new("compile_source", format!("{kib}KiB")),
            &source,
            |b, source| // One program at a time, dropped outside the timed part.
                b.iter_batched(|| (), |()| compile_source("bench.rho", source), BatchSize::PerIteration),
        );
    }
    group.finish();
}

criterion_group!(benches, frontend);
criterion_main!(benches);
