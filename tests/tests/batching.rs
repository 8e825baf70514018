//! Host ABI 3 under load: consecutive COMM bodies of one module run in one
//! entry into Wasm (`rho_drive` and `next_task`), and compiled code reads
//! its variables from the environment slots the host writes (the host's
//! `env_get` past the slots), and small sends and receives pass their
//! values in argument slots. Both engines must agree on every program.

use rho_host_abi::abi::ENV_SLOTS;
use rho_runtime::RunConfig;
use rho_tests::{run_both_engines, run_source_wasm};

fn lines(stdout: &str) -> Vec<&str> {
    stdout.lines().collect()
}

#[test]
fn an_error_in_a_chain_of_comm_bodies_ends_only_its_component() {
    // Each step prints `10 / (n - 3)` and sends the next step: the step
    // with n = 3 fails in its send, and its `if` still sends n = 2.
    let run = run_both_engines(
        r#"new out(`rho:io:stdout`), ch in {
             ch!(6) |
             for (@n <= ch) {
               out!(10 / (n - 3)) |
               if (n > 0) { ch!(n - 1) }
             }
           }"#,
        &RunConfig::default(),
    );
    assert_eq!(lines(&run.stdout), ["3", "5", "10", "-10", "-5", "-3"]);
    assert_eq!(run.error_messages().len(), 1, "{:?}", run.error_messages());
    assert!(run.error_messages()[0].contains("zero"));
}

#[test]
fn errors_in_later_bodies_of_a_batch_resume_after_their_own_component() {
    // Nothing is printed, so the whole chain runs in one entry into Wasm.
    // One step fails in one send and a later step in the other: whichever
    // comes first in canonical order, the later failure is in a body the
    // batch reached after the host had resumed an earlier one past its
    // failed component, and it must still resume after its own.
    for (first, second) in [(1, 4), (4, 1)] {
        let source = format!(
            r#"new a, b, ch in {{
                 ch!(5) |
                 for (@n <= ch) {{
                   a!(10 / (n - {first})) |
                   b!(10 / (n - {second})) |
                   if (n > 0) {{ ch!(n - 1) }}
                 }}
               }}"#
        );
        let run = run_both_engines(&source, &RunConfig::default());
        assert_eq!(run.error_messages().len(), 2, "{:?}", run.error_messages());
        // ch!(5) .. ch!(0): every step ran its `if`.
        assert_eq!(run.report.comms, 6);
    }
}

#[test]
fn bodies_of_a_batch_read_their_own_variables() {
    // Two receives of one module alternate: each task of the chain has
    // its own environment.
    let run = run_both_engines(
        r#"new out(`rho:io:stdout`), a, b in {
             a!(3) |
             for (@n <= a) { if (n > 0) { b!(n * 10) } } |
             for (@m <= b) { a!(m / 10 - 1) | out!(m) }
           }"#,
        &RunConfig::default(),
    );
    assert_eq!(lines(&run.stdout), ["30", "20", "10"]);
}

/// A program binding `count` variables `x0` .. (`x0` deepest) with one
/// `match`, then printing the listed ones from a COMM body that also binds
/// `s`.
fn many_variables(count: usize, printed: &[usize]) -> String {
    let values: Vec<String> = (0..count).map(|i| format!("\"v{i}\"")).collect();
    let names: Vec<String> = (0..count).map(|i| format!("x{i}")).collect();
    let shown: Vec<String> = printed.iter().map(|i| format!("x{i}")).collect();
    format!(
        r#"new out(`rho:io:stdout`), ch in {{
             match [{}] {{
               [{}] => {{
                 ch!(7) |
                 for (@s <= ch) {{ out!([{}, s]) }}
               }}
             }}
           }}"#,
        values.join(", "),
        names.join(", "),
        shown.join(", ")
    )
}

#[test]
fn variables_past_the_environment_slots_are_read_from_the_host() {
    let count = ENV_SLOTS as usize + 6;
    // De Bruijn index of x_i in the body: s is 0, x_(count-1) is 1, ...
    let printed = [0, 3, 5, 6, count - 16, count - 1];
    let run = run_both_engines(&many_variables(count, &printed), &RunConfig::default());
    let expected: Vec<String> = printed.iter().map(|i| format!("\"v{i}\"")).collect();
    assert_eq!(
        run.stdout.trim(),
        format!("[{}, 7]", expected.join(", ")),
        "{}",
        run.stdout
    );
}

#[test]
fn running_out_of_phlo_in_a_batch_stops_at_the_same_cost_within_the_limit() {
    let source = r#"new ch in { ch!(0) | for (@n <= ch) { ch!(n + 1) } }"#;
    for limit in [10_000, 123_457, 1_000_000] {
        let config = RunConfig {
            phlo_limit: limit,
            ..RunConfig::default()
        };
        let first = run_source_wasm(source, &config);
        let second = run_source_wasm(source, &config);
        assert!(first.report.out_of_phlo, "limit {limit}");
        assert!(first.report.phlo_spent <= limit, "limit {limit}");
        assert_eq!(first.report.phlo_spent, second.report.phlo_spent);
        assert_eq!(first.report.comms, second.report.comms);
        assert_eq!(first.report.state_hash, second.report.state_hash);
    }
}

#[test]
fn a_bundle_in_the_environment_is_still_checked_before_failing_data() {
    // `b` is bound to a read-only bundle: sending on it is an access error,
    // which comes before the division by zero in the data. `y` is a name
    // (marked as no bundle in its slot): its send fails on the data.
    let run = run_both_engines(
        r#"new x, y in {
             x!(bundle-{*x}) |
             for (b <- x) { b!(1 / 0) } |
             y!(1 / 0)
           }"#,
        &RunConfig::default(),
    );
    let messages = run.error_messages();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("/ by zero")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.to_lowercase().contains("writ")),
        "{messages:?}"
    );
}

#[test]
fn sends_and_joins_at_and_past_the_argument_slots_agree() {
    use rho_host_abi::abi::ARG_SLOTS;
    for count in [ARG_SLOTS as usize, ARG_SLOTS as usize + 1] {
        let values: Vec<String> = (0..count).map(|i| i.to_string()).collect();
        let patterns: Vec<String> = (0..count).map(|i| format!("@x{i}")).collect();
        let channels: Vec<String> = (0..count).map(|i| format!("c{i}")).collect();
        let join: Vec<String> = (0..count).map(|i| format!("@y{i} <- c{i}")).collect();
        let sends: Vec<String> = (0..count).map(|i| format!("c{i}!({i})")).collect();
        let ys: Vec<String> = (0..count).map(|i| format!("y{i}")).collect();
        let source = format!(
            r#"new out(`rho:io:stdout`), ch, {channels} in {{
                 ch!({values}) |
                 for ({patterns} <- ch) {{ out!(x0 + x{last}) }} |
                 {sends} |
                 for ({join}) {{ out!([{ys}]) }}
               }}"#,
            channels = channels.join(", "),
            values = values.join(", "),
            patterns = patterns.join(", "),
            last = count - 1,
            sends = sends.join(" | "),
            join = join.join(" & "),
            ys = ys.join(", "),
        );
        let run = run_both_engines(&source, &RunConfig::default());
        let mut printed = lines(&run.stdout);
        printed.sort_unstable();
        let list = format!("[{}]", values.join(", "));
        let sum = (count - 1).to_string();
        let mut expected = vec![list.as_str(), sum.as_str()];
        expected.sort_unstable();
        assert_eq!(printed, expected, "{count} values");
    }
}

#[test]
fn sends_of_none_to_three_values_agree() {
    // Up to two values are passed as parameters (`produce_values`), three
    // in the argument slots.
    let run = run_both_engines(
        r#"new out(`rho:io:stdout`), a, b, c, d in {
             a!() | b!(1) | c!(1, "two") | d!(1, "two", [3]) |
             for (<- a) { out!("none") } |
             for (@x <- b) { out!(x) } |
             for (@x, @y <- c) { out!([x, y]) } |
             for (@x, @y, @z <- d) { out!([x, y, z]) }
           }"#,
        &RunConfig::default(),
    );
    let mut printed = lines(&run.stdout);
    printed.sort_unstable();
    assert_eq!(
        printed,
        ["\"none\"", "1", "[1, \"two\", [3]]", "[1, \"two\"]"]
    );
}
