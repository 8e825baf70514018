//! The native-process API of the runtime: processes bound through a
//! powerbox, channels they hand out, methods, the system store, and
//! non-deterministic work recorded in the event log and replayed from it.
//! Every check runs under both engines.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use rho_runtime::native::{FnProcess, NativeCall, NativeProcess, Powerbox, bad_arguments};
use rho_runtime::{LogMode, RunConfig, RuntimeError, Value};
use rho_tests::{InProcessRun, run_both_engines, run_source, run_source_wasm};

/// Runs `source` under both engines and checks that they agree.
fn run_both(source: &str, config: &RunConfig) -> InProcessRun {
    run_both_engines(source, config)
}

fn config_with(powerbox: Powerbox) -> RunConfig {
    RunConfig {
        powerbox,
        ..RunConfig::default()
    }
}

/// A counter object: `counter!("next", *ret)` answers 1, 2, 3, ...; its
/// state lives in the system store.
fn counter() -> Arc<dyn NativeProcess> {
    FnProcess::shared("test:counter", &[2], |call, args| match args.as_slice() {
        [Value::Str(op), ret] if &**op == "next" => {
            let next = match call.store_get(b"counter") {
                Some(Value::Int(n)) => n + 1,
                _ => 1,
            };
            call.store_put(b"counter".to_vec(), Value::Int(next));
            call.send(ret.clone(), vec![Value::Int(next)]);
            Ok(())
        }
        _ => Err(bad_arguments("test:counter", "(\"next\", ret)", &args)),
    })
}

#[test]
fn a_bound_process_answers_and_keeps_state_in_the_hashed_store() {
    let mut powerbox = Powerbox::standard();
    powerbox.bind_process("test:counter", counter());
    let config = config_with(powerbox);
    let program = |calls: usize| {
        let mut source =
            String::from("new counter(`test:counter`), out(`rho:io:stdout`), ret in {\n  out!(0)");
        for _ in 0..calls {
            source.push_str(" | counter!(\"next\", *ret)");
        }
        source.push_str(" | for (@n <= ret) { out!(n) }\n}");
        source
    };
    let two = run_both(&program(2), &config);
    let mut lines: Vec<&str> = two.stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["0", "1", "2"]);
    let three = run_both(&program(3), &config);
    assert_ne!(
        two.report.state_hash, three.report.state_hash,
        "the store is part of the state hash"
    );
    let again = run_both(&program(2), &config);
    assert_eq!(two.report.state_hash, again.report.state_hash);
}

#[test]
fn wrong_arguments_are_a_runtime_error_of_the_sender_not_a_crash() {
    let mut powerbox = Powerbox::standard();
    powerbox.bind_process("test:counter", counter());
    let run = run_both(
        "new counter(`test:counter`), out(`rho:io:stdout`) in { counter!(\"reset\", 1) | out!(\"still running\") }",
        &config_with(powerbox),
    );
    assert_eq!(run.stdout, "\"still running\"\n");
    assert_eq!(run.report.errors.len(), 1);
    assert!(
        run.report.errors[0]
            .error
            .to_string()
            .contains("test:counter expects")
    );
}

/// A resolver: `open!(name, *ret)` answers a fresh channel on which an
/// object answers `("greet", ret)` with a greeting naming `name`, and the
/// method `hello()` with the same greeting.
struct Greeter {
    name: String,
}

impl NativeProcess for Greeter {
    fn name(&self) -> &str {
        "test:greeter"
    }

    fn arities(&self) -> &[usize] {
        &[2]
    }

    fn call(&self, call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
        match args.as_slice() {
            [Value::Str(op), ret] if &**op == "greet" => {
                call.send(ret.clone(), vec![Value::string(self.greeting())]);
                Ok(())
            }
            _ => Err(bad_arguments("greeter", "(\"greet\", ret)", &args)),
        }
    }

    fn method(
        &self,
        _call: &mut NativeCall<'_>,
        name: &str,
        args: &[Value],
    ) -> Option<Result<Value, RuntimeError>> {
        (name == "hello" && args.is_empty()).then(|| Ok(Value::string(self.greeting())))
    }
}

impl Greeter {
    fn greeting(&self) -> String {
        format!("hello, {}", self.name)
    }
}

fn greeter_powerbox() -> Powerbox {
    let mut powerbox = Powerbox::standard();
    powerbox.bind_process(
        "test:open",
        FnProcess::shared("test:open", &[2], |call, args| match args.as_slice() {
            [Value::Str(name), ret] => {
                let object = call.bind(Arc::new(Greeter {
                    name: name.to_string(),
                }));
                call.send(ret.clone(), vec![object]);
                Ok(())
            }
            _ => Err(bad_arguments("test:open", "(name, ret)", &args)),
        }),
    );
    powerbox
}

#[test]
fn a_resolver_hands_out_channels_that_answer_calls_and_methods() {
    let run = run_both(
        r#"new open(`test:open`), out(`rho:io:stdout`), ret, greeting in {
             open!("ada", *ret) |
             for (g <- ret) {
               g!("greet", *greeting) |
               for (@text <- greeting) { out!(text) } |
               out!((*g).hello())
             }
           }"#,
        &config_with(greeter_powerbox()),
    );
    let mut lines: Vec<&str> = run.stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["\"hello, ada\"", "\"hello, ada\""]);
    assert!(run.report.errors.is_empty(), "{:?}", run.report.errors);
}

#[test]
fn handed_out_channels_are_unforgeable_and_differ_per_call() {
    let run = run_both(
        r#"new open(`test:open`), out(`rho:io:stdout`), r1, r2 in {
             open!("a", *r1) | open!("b", *r2) |
             for (a <- r1; b <- r2) { out!(*a == *b) }
           }"#,
        &config_with(greeter_powerbox()),
    );
    assert_eq!(run.stdout, "false\n");
}

/// A process whose answer comes from "the world": a counter outside the
/// run, read through `NativeCall::io`.
fn world_reader(world: Arc<AtomicU32>) -> Arc<dyn NativeProcess> {
    FnProcess::shared("test:world", &[1], move |call, args| {
        let [ret] = args.as_slice() else {
            return Err(bad_arguments("test:world", "a return channel", &args));
        };
        let world = Arc::clone(&world);
        let outcome = call.io("world read", move || {
            let seen = world.fetch_add(1, Ordering::SeqCst);
            if seen == 1 {
                Err("the world is busy".to_string())
            } else {
                Ok(Value::Int(i64::from(seen)))
            }
        })?;
        match outcome {
            Ok(value) => call.send(ret.clone(), vec![value]),
            Err(message) => call.print_stderr(&message),
        }
        Ok(())
    })
}

#[test]
fn io_outcomes_are_recorded_and_replayed_without_touching_the_world() {
    let world = Arc::new(AtomicU32::new(0));
    let mut powerbox = Powerbox::standard();
    powerbox.bind_process("test:world", world_reader(Arc::clone(&world)));
    powerbox.note_grant("test world");
    let source = r#"new world(`test:world`), out(`rho:io:stdout`), ret in {
        world!(*ret) | for (@n <- ret) {
          out!(n) | world!(*ret) | world!(*ret) | for (@m <= ret) { out!(m) }
        }
      }"#;
    let recording = RunConfig {
        log: LogMode::Record,
        ..config_with(powerbox.clone())
    };
    let recorded = run_source(source, &recording);
    assert_eq!(world.load(Ordering::SeqCst), 3, "three reads of the world");
    assert_eq!(recorded.stdout, "0\n2\n");
    assert_eq!(recorded.stderr, "the world is busy\n");
    let text = recorded.report.log.to_text();
    assert!(text.contains("\nG "), "the grant is in the log:\n{text}");
    assert_eq!(text.matches("\nI ").count(), 3);

    let events = rho_runtime::tuplespace::EventLog::parse_text(&text).expect("the log parses");
    let replaying = RunConfig {
        log: LogMode::Replay(events),
        ..config_with(powerbox)
    };
    let replayed = run_source(source, &replaying);
    assert_eq!(replayed.report.state_hash, recorded.report.state_hash);
    // A waiting continuation hashes as code in one engine and as a body
    // index in the other, so state hashes compare within one engine only.
    for replayed in [replayed, run_source_wasm(source, &replaying)] {
        assert_eq!(replayed.stdout, recorded.stdout);
        assert_eq!(replayed.stderr, recorded.stderr);
        assert_eq!(replayed.report.replay, Ok(()));
        assert!(replayed.report.errors.is_empty());
    }
    assert_eq!(
        world.load(Ordering::SeqCst),
        3,
        "replay never read the world"
    );
}

#[test]
fn replay_with_different_grants_is_a_mismatch() {
    let world = Arc::new(AtomicU32::new(0));
    let mut powerbox = Powerbox::standard();
    powerbox.bind_process("test:world", world_reader(world));
    powerbox.note_grant("test world");
    let source = "new world(`test:world`), ret in { world!(*ret) }";
    let recorded = run_source(
        source,
        &RunConfig {
            log: LogMode::Record,
            ..config_with(powerbox.clone())
        },
    );
    let events =
        rho_runtime::tuplespace::EventLog::parse_text(&recorded.report.log.to_text()).unwrap();
    let mut other = powerbox;
    other.note_grant("test more");
    let replayed = run_source(
        source,
        &RunConfig {
            log: LogMode::Replay(events),
            ..config_with(other)
        },
    );
    assert!(
        replayed
            .report
            .errors
            .iter()
            .any(|e| matches!(e.error, RuntimeError::ReplayMismatch(_))),
        "{:?}",
        replayed.report.errors
    );
}

#[test]
fn withheld_and_unknown_uris_are_clear_errors() {
    let mut powerbox = Powerbox::standard();
    powerbox.withhold("test:secret", "run with --allow-secret");
    let config = config_with(powerbox);
    let withheld = run_both("new s(`test:secret`) in { s!(1) }", &config);
    assert_eq!(
        withheld.report.errors[0].error.to_string(),
        "`test:secret` is not granted to this run: run with --allow-secret"
    );
    let unknown = run_both("new s(`test:nothing`) in { s!(1) }", &config);
    assert_eq!(
        unknown.report.errors[0].error.to_string(),
        "Unknown system URI: `test:nothing`"
    );
}

#[test]
fn a_bound_value_is_what_new_binds() {
    let mut powerbox = Powerbox::standard();
    powerbox.bind_value("test:answer", Value::Int(42));
    let run = run_both(
        "new answer(`test:answer`), out(`rho:io:stdout`) in { out!(*answer + 1) }",
        &config_with(powerbox),
    );
    assert_eq!(run.stdout, "43\n");
}

#[test]
fn the_builtin_hashes_match_known_digests() {
    let run = run_both(
        r#"new sha(`rho:crypto:sha256Hash`), keccak(`rho:crypto:keccak256Hash`),
               blake(`rho:crypto:blake2b256Hash`), out(`rho:io:stdout`), r1, r2, r3 in {
             sha!("abc".toUtf8Bytes(), *r1) | keccak!("abc".toUtf8Bytes(), *r2) |
             blake!("abc".toUtf8Bytes(), *r3) |
             for (@a <- r1; @b <- r2; @c <- r3) { out!([a, b, c]) }
           }"#,
        &RunConfig::default(),
    );
    assert_eq!(
        run.stdout,
        "[ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, \
         4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45, \
         bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319]\n"
    );
}
