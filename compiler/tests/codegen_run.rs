//! Compiled modules run under the runtime's Wasm engine behave exactly as
//! the evaluator: same stdout, same errors at the same source positions,
//! same number of COMMs. The programs aim at what the code generator
//! decides itself: inline arithmetic and its overflow fallback,
//! short-circuit type errors, the order of bundle errors, error positions,
//! resumption after an error, literal match cases, constants, merged
//! processes, and the name splits of multi-component bodies.

use std::path::Path;
use std::sync::OnceLock;

use rho_runtime::wasm::WasmEngine;
use rho_runtime::{RunConfig, RunReport};
use rhoc::codegen::compile_module;
use rhoc::frontend::compile_source;

fn engine() -> &'static WasmEngine {
    static ENGINE: OnceLock<WasmEngine> = OnceLock::new();
    ENGINE.get_or_init(|| WasmEngine::new().expect("wasmtime is available"))
}

/// What a run showed: stdout, errors with positions, COMMs.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    stdout: String,
    errors: Vec<String>,
    comms: u64,
}

fn outcome(stdout: Vec<u8>, report: &RunReport) -> Outcome {
    Outcome {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        errors: report
            .errors
            .iter()
            .map(|e| match e.loc {
                Some(loc) => format!("{}:{}: {}", loc.line, loc.col, e.error),
                None => format!("?: {}", e.error),
            })
            .collect(),
        comms: report.comms,
    }
}

/// Runs `source` under both engines and returns the (equal) outcome.
fn both(name: &str, source: &str) -> Outcome {
    let program = compile_source("test.rho", source)
        .unwrap_or_else(|errors| panic!("{name} does not compile: {errors:?}"));
    let config = RunConfig::default();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let report = rho_runtime::run(
        program.par.clone(),
        Some(&program.source_map),
        &config,
        &mut stdout,
        &mut stderr,
    );
    let interp = outcome(stdout, &report);
    let wasm = compile_module(&program).unwrap_or_else(|error| panic!("{name}: {error}"));
    let compiled = engine()
        .compile(&wasm)
        .unwrap_or_else(|error| panic!("{name}: module rejected: {error}"));
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let report = engine()
        .run(&compiled, &config, &mut stdout, &mut stderr)
        .unwrap_or_else(|error| panic!("{name}: {error}"));
    let compiled = outcome(stdout, &report);
    assert_eq!(interp, compiled, "{name}: the engines differ\n{source}");
    compiled
}

const OUT: &str = "new out(`rho:io:stdout`) in {\n";

#[test]
fn inline_arithmetic_matches_the_evaluator_at_the_edges() {
    // Small Ints are 63-bit: sums and negations that leave that range fall
    // back to the host, and 64-bit overflow wraps.
    let run = both(
        "arithmetic",
        &format!(
            "{OUT}out!([4611686018427387903 + 1, -4611686018427387904 - 1, \
             9223372036854775807 + 1, -9223372036854775807 - 2, \
             4611686018427387904 - 4611686018427387905, 2 - 7, \
             -(-4611686018427387904), -(-9223372036854775807 - 1), -(5), \
             4611686018427387904 > 4611686018427387903, 3 <= 3, 3 != 3, 3 == 3, \
             4611686018427387904 == 4611686018427387904, not true, not false])\n}}"
        ),
    );
    assert_eq!(
        run.stdout,
        "[4611686018427387904, -4611686018427387905, -9223372036854775808, \
         9223372036854775807, -1, -5, 4611686018427387904, -9223372036854775808, -5, \
         true, true, false, true, true, false, true]\n"
    );
}

#[test]
fn short_circuit_and_type_errors() {
    let run = both(
        "short circuit",
        &format!(
            "{OUT}out!(false && 1) |\n out!(true || 1) |\n out!(true && false) |\n \
             out!(true && 1) |\n out!(1 || true) |\n out!(not 1) |\n out!(-\"a\")\n}}"
        ),
    );
    let mut lines: Vec<&str> = run.stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["false", "false", "true"]);
    assert_eq!(run.errors.len(), 4, "{:?}", run.errors);
}

#[test]
fn bundle_errors_come_before_errors_in_the_data() {
    let run = both(
        "bundle order",
        &format!(
            "{OUT}new ch, r in {{\n  r!(bundle- {{*ch}}) |\n  for (@b <- r) {{\n    \
             @b!(1 / 0) |\n    for (@x <- @b & @y <- @{{1 % 0}}) {{ Nil }} |\n    \
             for (@x <- @{{2 / 0}} & @y <- @b) {{ Nil }}\n  }}\n}}\n}}"
        ),
    );
    assert_eq!(run.errors.len(), 3, "{:?}", run.errors);
    assert!(run.errors[0].contains("non-writeable"), "{:?}", run.errors);
}

#[test]
fn errors_are_located_at_the_innermost_known_term_and_siblings_go_on() {
    let run = both(
        "locations",
        &format!(
            "{OUT}out!(1 / 0) |\n out!(2) |\n out!([1, 2].nth(5)) |\n \
             out!([1, [2, 3 + \"x\"]]) |\n out!(3) |\n match 1 / 0 {{ _ => out!(4) }} |\n \
             out!(\"a\".foo()) |\n for (_ <- @\"nobody\") {{ Nil }} |\n out!(5)\n}}"
        ),
    );
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    assert_eq!(run.errors.len(), 5, "{:?}", run.errors);
    assert!(
        run.errors.iter().all(|e| !e.starts_with('?')),
        "{:?}",
        run.errors
    );
}

#[test]
fn matches_constants_and_merged_processes() {
    let run = both(
        "matches",
        &format!(
            "{OUT}for (@x <= @\"in\") {{\n  match x {{\n    1 => out!(\"one\")\n    true => out!(\"yes\")\n    \
             [a, b] => out!(a + b)\n    {{ @\"k\"!(v) }} => out!(v)\n    _ => out!(\"other\")\n  }} |\n  \
             if (x) {{ out!(\"if\") }} else {{ out!(\"else\") }} |\n  out!([x matches [_, _], {{ x | @\"q\"!(x) }}, \
             [{{1 | 2}}, Set(x, x, 1), {{x: 1, \"k\": x}}, (x,), (x, \"a\")]])\n}} |\n\
             @\"in\"!(1) | @\"in\"!(true) | @\"in\"!([2, 3]) | @\"in\"!({{ @\"k\"!(9) }}) | @\"in\"!(\"s\")\n}}"
        ),
    );
    // Five values, each printed by its case and by the last send; the
    // `if` prints for `true` only.
    assert_eq!(
        run.stdout.matches("@{\"q\"}!(").count(),
        5,
        "{}",
        run.stdout
    );
    for line in ["\"one\"", "\"yes\"", "5", "9", "\"other\"", "\"if\""] {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "{line} in {}",
            run.stdout
        );
    }
}

#[test]
fn names_and_their_order_match_across_multi_component_bodies() {
    both(
        "names",
        &format!(
            "{OUT}new a, b, c in {{\n  out!(Set(*a, *b, *c).toList().length()) |\n  \
             a!(1) | b!(2) | for (@x <- a) {{ new d in {{ out!(Set(*d, *a, x)) }} }} |\n  \
             out!(Set(*a, *b, *c)) | new e in {{ out!({{*e: 1, *a: 2}}) }}\n}}\n}}"
        ),
    );
}

#[test]
fn every_conformance_program_behaves_the_same_compiled() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut compared = 0;
    for dir in ["../shared/conformance", "tests/conformance"] {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("the conformance folder")
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "rho"))
            .collect();
        paths.sort();
        for path in paths {
            let source = std::fs::read_to_string(&path).expect("readable");
            if compile_source("p.rho", &source).is_err() {
                continue;
            }
            both(&path.display().to_string(), &source);
            compared += 1;
        }
    }
    assert!(compared >= 40, "only {compared} programs compared");
}
