//! Bodies of `new` and of matching `match` cases run in place, before the
//! next component, under both engines (since host ABI version 2); only COMM
//! continuations are queued. Past `MAX_INLINE_DEPTH` nested bodies they are
//! queued instead, and a runtime error inside a body run in place ends only
//! its own component.

use rho_host_abi::abi::MAX_INLINE_DEPTH;
use rho_runtime::RunConfig;
use std::time::Duration;

use rho_tests::{run_both_engines, run_rhoc};

fn lines(stdout: &str) -> Vec<&str> {
    stdout.lines().collect()
}

#[test]
fn a_new_body_runs_before_a_queued_comm_body() {
    let run = run_both_engines(
        r#"new out(`rho:io:stdout`), ch in {
             ch!(1) |
             for (_ <- ch) { out!("comm") } |
             new x in { out!("new") }
           }"#,
        &RunConfig::default(),
    );
    assert_eq!(lines(&run.stdout), ["\"new\"", "\"comm\""]);
}

#[test]
fn a_match_body_runs_before_a_queued_comm_body() {
    let run = run_both_engines(
        r#"new out(`rho:io:stdout`), ch in {
             ch!(1) |
             for (_ <- ch) { out!("comm") } |
             match [1, 2] { [a, b] => out!(a + b) }
           }"#,
        &RunConfig::default(),
    );
    assert_eq!(lines(&run.stdout), ["3", "\"comm\""]);
}

#[test]
fn later_components_see_the_effects_of_a_body_run_in_place() {
    // The body of `new` sends on `ch` before the receive of the enclosing
    // body's later match component is installed: the receive finds it.
    let run = run_both_engines(
        r#"new out(`rho:io:stdout`), ch in {
             new x in { ch!("from new") } |
             match 1 { 1 => { for (@v <- ch) { out!(v) } } }
           }"#,
        &RunConfig::default(),
    );
    assert_eq!(lines(&run.stdout), ["\"from new\""]);
    // One COMM on `ch`, one with `rho:io:stdout`.
    assert_eq!(run.report.comms, 2);
}

/// `depth` nested `new`s, each printing its depth after the next one ran.
fn nested_news(depth: usize) -> String {
    let mut source = String::from("new out(`rho:io:stdout`) in {\n");
    for level in 0..depth {
        source.push_str(&format!("new x{level} in {{ out!({level}) | \n"));
    }
    source.push_str("Nil");
    source.push_str(&"}".repeat(depth + 1));
    source
}

#[test]
fn bodies_nested_past_the_limit_are_queued_in_the_same_order_by_both_engines() {
    let depth = MAX_INLINE_DEPTH + 6;
    let run = run_both_engines(&nested_news(depth), &RunConfig::default());
    let printed: Vec<usize> = run
        .stdout
        .lines()
        .map(|line| line.parse().expect("a number"))
        .collect();
    // Every level prints once; in place, each send comes before the body it
    // encloses, so the order is plain nesting order.
    assert_eq!(printed, (0..depth).collect::<Vec<_>>());
    assert!(run.report.errors.is_empty());
}

#[test]
fn an_error_in_a_body_run_in_place_ends_only_its_component() {
    // The inner body's division fails; its other component, and the
    // enclosing bodies' later components, still run, in the same order
    // under both engines.
    let run = run_both_engines(
        r#"new out(`rho:io:stdout`) in {
             new a in {
               out!("a") |
               match 0 { 0 => { new b in { out!(1 / 0) | match 1 { 1 => out!("b after") } } } } |
               match 2 { 2 => out!("a after") }
             }
           }"#,
        &RunConfig::default(),
    );
    // (Within a body, matches run in canonical order, not source order.)
    let mut printed = lines(&run.stdout);
    printed.sort_unstable();
    assert_eq!(printed, ["\"a after\"", "\"a\"", "\"b after\""]);
    assert_eq!(run.error_messages().len(), 1, "{:?}", run.error_messages());
    assert!(
        run.error_messages()[0].contains("/ by zero"),
        "{:?}",
        run.error_messages()
    );
}

#[test]
fn an_error_deep_in_nested_bodies_resumes_every_enclosing_body() {
    let mut source = String::from("new out(`rho:io:stdout`) in {\n");
    for level in 0..5 {
        source.push_str(&format!(
            "match {level} {{ {level} => {{ match true {{ true => out!(\"after {level}\") }} | "
        ));
    }
    source.push_str("out!(1 % 0)");
    source.push_str(&"} }".repeat(5));
    source.push('}');
    let run = run_both_engines(&source, &RunConfig::default());
    let mut printed = lines(&run.stdout);
    printed.sort_unstable();
    let expected: Vec<String> = (0..5).map(|l| format!("\"after {l}\"")).collect();
    assert_eq!(printed, expected);
    assert_eq!(run.error_messages().len(), 1);
}

#[test]
fn running_in_place_is_deterministic() {
    let source = nested_news(MAX_INLINE_DEPTH + 2);
    let first = run_both_engines(&source, &RunConfig::default());
    let second = run_both_engines(&source, &RunConfig::default());
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(first.report.phlo_spent, second.report.phlo_spent);
    assert_eq!(first.report.state_hash, second.report.state_hash);
    assert_eq!(first.report.log.digest(), second.report.log.digest());
}

/// `levels` nested `if (true)`s around `body`: each branch is one component
/// binding nothing, so it runs inline (host ABI 3).
fn nested_ifs(levels: usize, body: &str) -> String {
    format!(
        "{}{body}{}",
        "if (true) { ".repeat(levels),
        " }".repeat(levels)
    )
}

#[test]
fn inline_case_bodies_do_not_count_towards_the_nesting_limit() {
    // Were each branch a body of its own, the `new` would sit past the
    // limit and be queued behind the COMM; inline it runs in place first.
    let source = format!(
        r#"new out(`rho:io:stdout`), ch in {{
             ch!(0) |
             for (_ <- ch) {{ out!("comm") }} |
             {}
           }}"#,
        nested_ifs(MAX_INLINE_DEPTH + 10, r#"new x in { out!("deep") }"#)
    );
    let run = run_both_engines(&source, &RunConfig::default());
    assert_eq!(lines(&run.stdout), ["\"deep\"", "\"comm\""]);
}

#[test]
fn an_error_in_an_inline_case_body_ends_only_its_component() {
    let run = run_both_engines(
        r#"new out(`rho:io:stdout`) in {
             if (true) { out!(1 / 0) } |
             match 2 { 2 => out!("second") }
           }"#,
        &RunConfig::default(),
    );
    assert_eq!(lines(&run.stdout), ["\"second\""]);
    assert_eq!(run.error_messages().len(), 1);
}

#[test]
fn ten_thousand_nested_inline_case_bodies_compile_and_run() {
    // Through the binary: the front end's own recursion needs the stack the
    // binary gives it, which a test thread does not have.
    let path = std::env::temp_dir().join(format!("rhoc-deep-ifs-{}.rho", std::process::id()));
    let source = format!(
        "new out(`rho:io:stdout`) in {{ {} }}",
        nested_ifs(10_000, "out!(\"bottom\")")
    );
    std::fs::write(&path, source).expect("the program is written");
    let path_arg = path.to_string_lossy().into_owned();
    for engine in ["wasm", "interp"] {
        let output = run_rhoc(
            &["run", "--engine", engine, &path_arg],
            Duration::from_secs(120),
        );
        assert!(output.status.success(), "{engine}: {output:?}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "\"bottom\"\n",
            "{engine}"
        );
    }
    let _ = std::fs::remove_file(&path);
}
