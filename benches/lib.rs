//! Shared helpers for rhoc's benchmarks: loading the workload programs and
//! checking their output once before they are timed.

use std::path::PathBuf;

use rho_host_abi::par::Par;
use rho_host_abi::source_map::SourceMap;

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
