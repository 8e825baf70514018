//! Shared helpers for rhoc's integration and conformance tests.
//!
//! The conformance suites spawn the real `rhoc` binary; the other tests use
//! the library API (front end + runtime) in-process.

pub mod program_gen;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The shared folder beside the checkout (conformance programs, workloads).
pub fn shared_dir() -> PathBuf {
    workspace_root().join("../shared")
}

/// The `rhoc` binary of the current build profile (built by
/// `cargo build --release --bins`, which `scripts/test.sh` runs first).
///
/// # Panics
///
/// When the binary has not been built; the message says how to build it.
pub fn rhoc_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable has a path");
    // target/<profile>/deps/<test> -> target/<profile>/rhoc
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test executable lives in target/<profile>/deps");
    let binary = profile_dir.join(format!("rhoc{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build --release --bins` first (scripts/test.sh does)",
        binary.display()
    );
    binary
}

/// Runs `rhoc` with `args`, killing it after `timeout`.
///
/// # Panics
///
/// When the process cannot be started or waited for.
pub fn run_rhoc(args: &[&str], timeout: Duration) -> Output {
    let mut child = Command::new(rhoc_binary())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rhoc starts");
    let started = Instant::now();
    loop {
        match child.try_wait().expect("rhoc can be waited for") {
            Some(_) => break,
            None if started.elapsed() > timeout => {
                let _ = child.kill();
                break;
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    child.wait_with_output().expect("rhoc output")
}

/// Output of an in-process run of a Rholang program.
#[derive(Debug)]
pub struct InProcessRun {
    /// What the program printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
    /// The runtime's report.
    pub report: rho_runtime::RunReport,
}

impl InProcessRun {
    /// The run's runtime errors, as their messages.
    pub fn error_messages(&self) -> Vec<String> {
        self.report
            .errors
            .iter()
            .map(|error| error.error.to_string())
            .collect()
    }
}

/// Runs `source` under both engines in this process, asserts that they
/// agree on stdout, COMMs and errors, and returns the evaluator's run.
///
/// # Panics
///
/// When `source` does not compile or the engines disagree.
pub fn run_both_engines(source: &str, config: &rho_runtime::RunConfig) -> InProcessRun {
    let interp = run_source(source, config);
    let wasm = run_source_wasm(source, config);
    assert_eq!(interp.stdout, wasm.stdout, "stdout differs between engines");
    assert_eq!(interp.report.comms, wasm.report.comms, "COMMs differ");
    assert_eq!(
        interp.error_messages(),
        wasm.error_messages(),
        "errors differ"
    );
    interp
}

/// Compiles `source` and runs it with the evaluator, in this process.
///
/// # Panics
///
/// When `source` does not compile (the diagnostics are in the message).
pub fn run_source(source: &str, config: &rho_runtime::RunConfig) -> InProcessRun {
    let normalized = match rhoc::frontend::compile_source("test.rho", source) {
        Ok(normalized) => normalized,
        Err(diagnostics) => {
            let rendered =
                rhoc::diagnostic::SourceFile::new("test.rho", source).render_all(&diagnostics);
            panic!("the test program does not compile:\n{rendered}");
        }
    };
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let report = rho_runtime::run(
        normalized.par,
        Some(&normalized.source_map),
        config,
        &mut stdout,
        &mut stderr,
    );
    InProcessRun {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        report,
    }
}

/// The Wasm engine shared by the tests of one process (it caches compiled
/// modules).
///
/// # Panics
///
/// When wasmtime cannot be set up.
pub fn wasm_engine() -> &'static rho_runtime::wasm::WasmEngine {
    static ENGINE: std::sync::OnceLock<rho_runtime::wasm::WasmEngine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| rho_runtime::wasm::WasmEngine::new().expect("wasmtime is available"))
}

/// Compiles `source` to a Wasm module and runs it with the Wasm engine, in
/// this process.
///
/// # Panics
///
/// When `source` does not compile or the module is rejected.
pub fn run_source_wasm(source: &str, config: &rho_runtime::RunConfig) -> InProcessRun {
    let normalized = match rhoc::frontend::compile_source("test.rho", source) {
        Ok(normalized) => normalized,
        Err(diagnostics) => {
            let rendered =
                rhoc::diagnostic::SourceFile::new("test.rho", source).render_all(&diagnostics);
            panic!("the test program does not compile:\n{rendered}");
        }
    };
    let wasm = rhoc::codegen::compile_module(&normalized).expect("code generation succeeds");
    let engine = wasm_engine();
    let compiled = engine.compile(&wasm).expect("the module is accepted");
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let report = engine
        .run(&compiled, config, &mut stdout, &mut stderr)
        .expect("the module runs");
    InProcessRun {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        report,
    }
}
