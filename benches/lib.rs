//! Shared helpers for rhoc's benchmarks: loading the workload programs,
//! generating programs of a given size (the countdown at any N, a contract
//! of any number of lines), building and running them with either engine
//! so that their output is checked once before they are timed, and
//! ([`plain`]) running modules directly under wasmtime, with or without
//! the runtime's metering.

use std::path::PathBuf;

/// The allocator of the `rhoc` binary, so that the benchmarks time what the
/// binary runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use rho_host_abi::par::Par;
use rho_host_abi::source_map::SourceMap;
use rho_runtime::wasm::{CompiledModule, WasmEngine};

/// The workload folder beside the checkout (`../shared/bench`).
pub fn workloads_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench")
}

/// A workload: its source and expected stdout.
#[derive(Debug)]
pub struct Workload {
    /// The file stem, e.g. `countdown_100000`.
    pub name: String,
    /// The Rholang source.
    pub source: String,
    /// What it must print.
    pub expected: String,
}

/// Loads the workload `name` from `../shared/bench`.
///
/// # Panics
///
/// When the files are missing.
pub fn workload(name: &str) -> Workload {
    let dir = workloads_dir();
    let read = |ext: &str| {
        std::fs::read_to_string(dir.join(format!("{name}.{ext}")))
            .unwrap_or_else(|err| panic!("workload {name}.{ext}: {err}"))
    };
    Workload {
        name: name.to_string(),
        source: read("rho"),
        expected: read("expected"),
    }
}

/// Compiles `source` with the front end.
///
/// # Panics
///
/// When it does not compile.
pub fn compile(source: &str) -> (Par, SourceMap) {
    match rhoc::frontend::compile_source("bench.rho", source) {
        Ok(normalized) => (normalized.par, normalized.source_map),
        Err(diagnostics) => panic!("{diagnostics:?}"),
    }
}

/// Runs a compiled program with the evaluator and returns its stdout.
pub fn run_compiled(par: Par, source_map: &SourceMap) -> String {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let report = rho_runtime::run(
        par,
        Some(source_map),
        &rho_runtime::RunConfig::default(),
        &mut stdout,
        &mut stderr,
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    String::from_utf8_lossy(&stdout).into_owned()
}

/// The hello-world program of the conformance suite and its expected output.
///
/// # Panics
///
/// When the files are missing.
pub fn hello_world() -> Workload {
    let dir = workloads_dir().join("../conformance");
    let read = |ext: &str| {
        std::fs::read_to_string(dir.join(format!("hello_world.{ext}")))
            .unwrap_or_else(|err| panic!("hello_world.{ext}: {err}"))
    };
    Workload {
        name: "hello_world".to_string(),
        source: read("rho"),
        expected: read("expected"),
    }
}

/// The countdown workload with its start value replaced by `n`: `n + 2`
/// COMMs (`n + 1` steps of the persistent receive and one print).
///
/// # Panics
///
/// When `countdown_100000.rho` is missing or no longer starts with
/// `ch!(100000)`.
pub fn countdown(n: u64) -> Workload {
    let base = workload("countdown_100000");
    assert_eq!(
        base.source.matches("ch!(100000)").count(),
        1,
        "countdown_100000.rho starts its counter with `ch!(100000)`"
    );
    Workload {
        name: format!("countdown_{n}"),
        source: base.source.replace("ch!(100000)", &format!("ch!({n})")),
        expected: base.expected,
    }
}

/// One contract of [`generated_contract`]: 14 lines, using most of the
/// language (match, new, joins, if/else, let, collections, methods,
/// arithmetic, strings).
fn contract_block(i: usize) -> String {
    format!(
        r#"  contract worker{i}(@n, @acc, ret) = {{
    match n {{
      0 => ret!({{"id": {i}, "acc": acc, "size": acc.length()}})
      _ => {{
        new r, log in {{
          worker{i}!(n - 1, acc ++ [n * {i} + 1, "item-{i}"], *r) |
          for (@result <- r & @entry <- log) {{
            if (result.get("size") > {i} % 7) {{ ret!(result.set("last", n)) }}
            else {{ let @x <- n; @y <- x + {i} in {{ ret!((x, y, Set(x, y), entry)) }} }}
          }} |
          log!([n, -n, not true, "s" ++ "t", n % 3 == 0 or n < 10])
        }}
      }}
    }}
  }}"#
    )
}

/// A Rholang program of at least `lines` lines: a `new` holding generated
/// recursive contracts of 14 lines each, and a call of the first one.
pub fn generated_contract(lines: usize) -> String {
    let count = lines.saturating_sub(4).div_ceil(15).max(1);
    let names: Vec<String> = (0..count).map(|i| format!("worker{i}")).collect();
    let contracts: Vec<String> = (0..count).map(contract_block).collect();
    format!(
        "new stdout(`rho:io:stdout`), {} in {{\n{} |\n  worker0!(3, [], *stdout)\n}}\n",
        names.join(", "),
        contracts.join(" |\n")
    )
}

/// Runs `module` with `engine` and returns its stdout.
///
/// # Panics
///
/// When the module cannot be instantiated or reports a runtime error.
pub fn run_wasm(engine: &WasmEngine, module: &CompiledModule) -> String {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let report = engine
        .run(
            module,
            &rho_runtime::RunConfig::default(),
            &mut stdout,
            &mut stderr,
        )
        .expect("the module runs");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    String::from_utf8_lossy(&stdout).into_owned()
}

/// Front end and code generation: what `rhoc build` does with `source`.
///
/// # Panics
///
/// When the program does not compile.
pub fn build(source: &str) -> Vec<u8> {
    let normalized = rhoc::frontend::compile_source("bench.rho", source)
        .unwrap_or_else(|diagnostics| panic!("{diagnostics:?}"));
    rhoc::codegen::compile_module(&normalized).expect("code generation succeeds")
}

pub mod plain;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_contract_has_the_lines_asked_for_and_builds() {
        let source = generated_contract(1_000);
        let lines = source.lines().count();
        assert!((1_000..1_020).contains(&lines), "{lines} lines");
        assert!(build(&source).starts_with(b"\0asm"));
    }

    #[test]
    fn a_smaller_countdown_prints_the_same_line() {
        let program = countdown(10);
        assert!(program.source.contains("ch!(10)"));
        let (par, source_map) = compile(&program.source);
        assert_eq!(run_compiled(par, &source_map), program.expected);
    }

    #[test]
    fn metering_does_not_change_the_arithmetic_results() {
        let engine = plain::engine();
        let wasm = plain::arithmetic_module();
        for name in ["arith", "calls", "tight"] {
            let results: Vec<i64> = [false, true]
                .into_iter()
                .map(|metered| {
                    let mut instance = plain::PlainInstance::new(&engine, &wasm, metered);
                    let func = instance.func_i64(name);
                    instance.call_i64(&func, 1_000)
                })
                .collect();
            assert_eq!(results[0], results[1], "{name}");
        }
        let mut tight = plain::PlainInstance::new(&engine, &wasm, true);
        let func = tight.func_i64("tight");
        assert_eq!(tight.call_i64(&func, 1_000), 500_500);
    }

    #[test]
    fn the_countdown_bodies_run_against_the_stubs() {
        let engine = plain::engine();
        let wasm = build(&workload("countdown_100000").source);
        let mut instance = plain::PlainInstance::new(&engine, &wasm, true);
        let bodies = instance.body_count();
        assert!(bodies >= 2, "{bodies} bodies");
        instance.run_bodies(bodies);
    }
}
