//! The Par evaluator end to end (front end + runtime, in process): scheduling,
//! determinism, phlo, replay, names, and the shapes that must not overflow.

use rho_runtime::{LogMode, RunConfig, RuntimeError};
use rho_tests::run_source;

fn config() -> RunConfig {
    RunConfig::default()
}

#[test]
fn a_runtime_error_ends_only_its_own_process() {
    // The division fails; its sibling still prints.
    let run = run_source(
        r#"new stdout(`rho:io:stdout`) in { stdout!(1 / 0) | stdout!("still running") }"#,
        &config(),
    );
    assert_eq!(run.stdout, "\"still running\"\n");
    assert_eq!(run.report.errors.len(), 1);
    assert_eq!(run.report.errors[0].error, RuntimeError::DivisionByZero);
    let loc = run.report.errors[0]
        .loc
        .expect("the error has a source location");
    assert_eq!(loc.line, 1);
    assert!(loc.col > 1);
}

#[test]
fn runs_are_deterministic_in_output_cost_log_and_state() {
    let program = r#"
        new fib, stdout(`rho:io:stdout`), leftover in {
          contract fib(@n, ret) = {
            if (n < 2) { ret!(n) } else {
              new r1, r2 in { fib!(n - 1, *r1) | fib!(n - 2, *r2) | for (@a <- r1 & @b <- r2) { ret!(a + b) } }
            }
          } |
          new r in { fib!(12, *r) | for (@v <- r) { stdout!(v) | leftover!(v) } }
        }"#;
    let first = run_source(program, &config());
    let second = run_source(program, &config());
    assert_eq!(first.stdout, "144\n");
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(first.report.phlo_spent, second.report.phlo_spent);
    assert_eq!(first.report.comms, second.report.comms);
    assert_eq!(first.report.log.digest(), second.report.log.digest());
    assert_eq!(first.report.state_hash, second.report.state_hash);
    assert!(first.report.phlo_spent > 0);
}

#[test]
fn out_of_phlo_stops_an_infinite_loop_at_a_repeatable_cost() {
    let program = r#"new loop in { contract loop(@n) = { loop!(n + 1) } | loop!(0) }"#;
    let limited = RunConfig {
        phlo_limit: 100_000,
        ..config()
    };
    let first = run_source(program, &limited);
    let second = run_source(program, &limited);
    assert!(first.report.out_of_phlo);
    assert_eq!(
        first.report.errors.last().map(|e| &e.error),
        Some(&RuntimeError::OutOfPhlo)
    );
    assert_eq!(first.report.comms, second.report.comms);
    assert_eq!(first.report.phlo_spent, second.report.phlo_spent);
    assert_eq!(first.report.state_hash, second.report.state_hash);
    assert!(first.report.comms > 100, "it ran for a while first");
}

#[test]
fn a_deep_chain_of_calls_through_return_channels_does_not_overflow() {
    // 200,000 nested calls, each waiting on its own return channel.
    let program = r#"
        new down, stdout(`rho:io:stdout`) in {
          contract down(@n, ret) = {
            if (n == 0) { ret!(0) } else {
              new r in { down!(n - 1, *r) | for (@v <- r) { ret!(v + 1) } }
            }
          } |
          new r in { down!(200000, *r) | for (@v <- r) { stdout!(v) } }
        }"#;
    let run = run_source(program, &config());
    assert_eq!(run.stdout, "200000\n");
    assert!(run.report.errors.is_empty(), "{:?}", run.report.errors);
}

#[test]
fn a_wide_par_of_sends_runs() {
    // 100,000 parallel sends, all received by one persistent receive.
    let mut program = String::from("new ch, count, stdout(`rho:io:stdout`) in {\n");
    for i in 0..100_000 {
        program.push_str(&format!("ch!({i}) |\n"));
    }
    program.push_str(
        "count!(0) | for (@x <= ch) { for (@c <- count) { if (c == 99999) { stdout!(\"all\") } else { count!(c + 1) } } } }",
    );
    let run = run_source(&program, &config());
    assert!(run.report.errors.is_empty(), "{:?}", run.report.errors);
    assert_eq!(run.stdout, "\"all\"\n");
}

#[test]
fn names_are_reproducible_per_seed_and_differ_across_seeds() {
    let program = r#"new x, stdout(`rho:io:stdout`) in { stdout!(*x) }"#;
    let seeded = |seed: &[u8]| {
        run_source(
            program,
            &RunConfig {
                seed: seed.to_vec(),
                ..config()
            },
        )
        .stdout
    };
    let a = seeded(b"one");
    assert!(a.starts_with("Unforgeable(0x"), "{a}");
    assert_eq!(a.len(), "Unforgeable(0x)\n".len() + 64);
    assert_eq!(a, seeded(b"one"));
    assert_ne!(a, seeded(b"two"));
}

#[test]
fn a_recorded_run_replays_and_a_tampered_log_is_detected() {
    let program = r#"
        new ch, stdout(`rho:io:stdout`) in {
          ch!(1) | ch!(2) | ch!(3) |
          for (@a <- ch) { for (@b <- ch) { stdout!([a, b]) } }
        }"#;
    let recorded = run_source(
        program,
        &RunConfig {
            log: LogMode::Record,
            ..config()
        },
    );
    let events = recorded.report.log.events().to_vec();
    assert!(!events.is_empty());
    let replayed = run_source(
        program,
        &RunConfig {
            log: LogMode::Replay(events.clone()),
            ..config()
        },
    );
    assert_eq!(replayed.stdout, recorded.stdout);
    assert!(replayed.report.replay.is_ok());
    assert!(
        replayed.report.errors.is_empty(),
        "{:?}",
        replayed.report.errors
    );
    assert_eq!(replayed.report.state_hash, recorded.report.state_hash);

    // Drop the last event: the replay reaches a point the record lacks.
    let mut truncated = events.clone();
    truncated.pop();
    let diverged = run_source(
        program,
        &RunConfig {
            log: LogMode::Replay(truncated),
            ..config()
        },
    );
    let mismatched = diverged.report.replay.is_err()
        || diverged
            .report
            .errors
            .iter()
            .any(|e| matches!(e.error, RuntimeError::ReplayMismatch(_)));
    assert!(mismatched, "a truncated log must not replay cleanly");
}

#[test]
fn storage_is_refunded_when_a_comm_takes_the_data() {
    let pending = run_source(
        r#"new ch in { ch!("a long string that is stored") }"#,
        &config(),
    );
    let taken = run_source(
        r#"new ch in { ch!("a long string that is stored") | for (_ <- ch) { Nil } }"#,
        &config(),
    );
    // Both the datum's and the continuation's storage are given back on the
    // COMM, so sending and receiving costs less than a send left pending.
    assert_eq!(taken.report.comms, 1);
    assert!(
        taken.report.phlo_spent < pending.report.phlo_spent,
        "taken {} vs pending {}",
        taken.report.phlo_spent,
        pending.report.phlo_spent
    );
}
