//! Differential testing: every conformance program and a few hundred
//! generated programs run under both engines (the evaluator and compiled
//! Wasm) must print the same stdout, raise the same errors and perform the
//! same number of COMMs.

use std::fs;
use std::path::PathBuf;

use rho_runtime::RunConfig;
use rho_tests::program_gen::Generator;
use rho_tests::{run_source, run_source_wasm, shared_dir, workspace_root};

/// How many generated programs to compare.
const GENERATED: u64 = 300;

fn compare(name: &str, source: &str) {
    let config = RunConfig::default();
    let interp = run_source(source, &config);
    let wasm = run_source_wasm(source, &config);
    assert_eq!(
        interp.stdout, wasm.stdout,
        "{name}: stdout differs\n{source}"
    );
    let messages = |run: &rho_tests::InProcessRun| -> Vec<String> {
        run.report
            .errors
            .iter()
            .map(|e| e.error.to_string())
            .collect()
    };
    assert_eq!(
        messages(&interp),
        messages(&wasm),
        "{name}: errors differ\n{source}"
    );
    assert_eq!(
        interp.report.comms, wasm.report.comms,
        "{name}: COMM counts differ\n{source}"
    );
}

fn conformance_programs() -> Vec<PathBuf> {
    let mut programs = Vec::new();
    for dir in [
        shared_dir().join("conformance"),
        workspace_root().join("tests/conformance"),
    ] {
        if let Ok(entries) = fs::read_dir(dir) {
            programs.extend(
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "rho")),
            );
        }
    }
    programs.sort();
    programs
}

#[test]
fn conformance_programs_agree_across_engines() {
    let mut compared = 0;
    for program in conformance_programs() {
        let source = fs::read_to_string(&program).expect("readable");
        // Programs with compile-time errors have nothing to run.
        if rhoc::frontend::compile_source("p.rho", &source).is_err() {
            continue;
        }
        compare(&program.display().to_string(), &source);
        compared += 1;
    }
    assert!(compared >= 40, "only {compared} programs compared");
}

#[test]
fn generated_programs_agree_across_engines() {
    for seed in 0..GENERATED {
        let source = Generator::new(seed).program();
        compare(&format!("generated program {seed}"), &source);
    }
}
