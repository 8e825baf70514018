//! Conformance: every program in `../shared/conformance` (a fixed oracle from
//! the reference implementation), in `tests/conformance` (rhoc's own) and in
//! `stdlib/tests/rholang` (the Rholang library contracts' tests) is run
//! through the `rhoc` binary, each as a named trial.
//!
//! Each program runs three ways: `rhoc run` (the Wasm engine, compiling on
//! the fly), `rhoc run --engine interp` (the evaluator), and `rhoc build`
//! followed by `rhoc run` of the built `.wasm` module.
//!
//! `NAME.expected` holds the exact stdout, and the run must exit 0;
//! `NAME.expected_error` holds a keyword that stdout+stderr must contain
//! (case-insensitive), and the run must exit non-zero without being killed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use libtest_mimic::{Arguments, Failed, Trial};
use rho_tests::{run_rhoc, shared_dir, workspace_root};

const TIMEOUT: Duration = Duration::from_secs(20);

fn main() {
    let arguments = Arguments::from_args();
    let mut trials = Vec::new();
    for (suite, dir) in [
        ("shared", shared_dir().join("conformance")),
        ("rhoc", workspace_root().join("tests/conformance")),
        ("stdlib", workspace_root().join("stdlib/tests/rholang")),
    ] {
        for program in programs(&dir) {
            let stem = program
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            for way in [Way::Wasm, Way::Interp, Way::Built] {
                let name = format!("{suite}::{}::{stem}", way.name());
                let program = program.clone();
                trials.push(Trial::test(name, move || check(&program, way)));
            }
        }
    }
    libtest_mimic::run(&arguments, trials).exit();
}

fn programs(dir: &Path) -> Vec<PathBuf> {
    let mut programs: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "rho"))
                .collect()
        })
        .unwrap_or_default();
    programs.sort();
    programs
}

/// How a program is run.
#[derive(Clone, Copy)]
enum Way {
    /// `rhoc run FILE.rho`.
    Wasm,
    /// `rhoc run --engine interp FILE.rho`.
    Interp,
    /// `rhoc build FILE.rho -o M.wasm`, then `rhoc run M.wasm`.
    Built,
}

impl Way {
    fn name(self) -> &'static str {
        match self {
            Way::Wasm => "wasm",
            Way::Interp => "interp",
            Way::Built => "built",
        }
    }
}

fn run(program: &Path, way: Way) -> Result<std::process::Output, Failed> {
    let path = program.to_string_lossy().into_owned();
    match way {
        Way::Wasm => Ok(run_rhoc(&["run", &path], TIMEOUT)),
        Way::Interp => Ok(run_rhoc(&["run", "--engine", "interp", &path], TIMEOUT)),
        Way::Built => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let module = dir
                .path()
                .join("module.wasm")
                .to_string_lossy()
                .into_owned();
            let built = run_rhoc(&["build", &path, "-o", &module], TIMEOUT);
            if built.status.code() != Some(0) {
                // A source error: the build's own diagnostics are the result.
                return Ok(built);
            }
            Ok(run_rhoc(&["run", &module], TIMEOUT))
        }
    }
}

fn check(program: &Path, way: Way) -> Result<(), Failed> {
    let path = program.to_string_lossy().into_owned();
    let output = run(program, way)?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let status = output.status.code();
    if let Ok(expected) = fs::read_to_string(program.with_extension("expected")) {
        if status != Some(0) {
            return Err(format!("exit {status:?}, stderr:\n{stderr}").into());
        }
        if stdout != expected {
            return Err(format!("stdout differs\nexpected:\n{expected}\nactual:\n{stdout}").into());
        }
        return Ok(());
    }
    let keyword = fs::read_to_string(program.with_extension("expected_error"))
        .map_err(|_| format!("{path} has neither .expected nor .expected_error"))?;
    let keyword = keyword
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    match status {
        Some(0) => Err(format!("expected an error containing '{keyword}', but it exited 0").into()),
        None => Err("killed (timeout or signal)".into()),
        Some(_) => {
            let stem = program.file_stem().unwrap_or_default().to_string_lossy();
            let all = format!("{stdout}{stderr}")
                .replace(&path, "FILE")
                .replace(stem.as_ref(), "FILE")
                .to_lowercase();
            if all.contains(&keyword) {
                Ok(())
            } else {
                Err(format!("error lacks '{keyword}': {stderr}").into())
            }
        }
    }
}
