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

/// What one comparison saw, to check that the programs exercise the engines.
#[derive(Default)]
struct Seen {
    printed: usize,
    failed: usize,
    comms: u64,
}

fn compare(name: &str, source: &str) -> Seen {
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
    Seen {
        printed: usize::from(!interp.stdout.is_empty()),
        failed: usize::from(!interp.report.errors.is_empty()),
        comms: interp.report.comms,
    }
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
        let _ = compare(&program.display().to_string(), &source);
        compared += 1;
    }
    assert!(compared >= 40, "only {compared} programs compared");
}

#[test]
fn generated_programs_agree_across_engines() {
    let mut total = Seen::default();
    for seed in 0..GENERATED {
        let source = Generator::new(seed).program();
        let seen = compare(&format!("generated program {seed}"), &source);
        total.printed += seen.printed;
        total.failed += seen.failed;
        total.comms += seen.comms;
    }
    // The generated programs must exercise output, runtime errors and COMMs.
    assert!(
        total.printed > GENERATED as usize / 2,
        "{} programs printed",
        total.printed
    );
    assert!(total.failed > 10, "{} programs raised errors", total.failed);
    assert!(total.comms > 1000, "{} COMMs in all", total.comms);
    eprintln!(
        "{GENERATED} generated programs: {} printed, {} raised errors, {} COMMs",
        total.printed, total.failed, total.comms
    );
}
