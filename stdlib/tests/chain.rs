//! `rho:block:data`, `rho:rchain:deployId`, `rho:rchain:deployerId`,
//! `rho:rchain:deployerId:ops` and `sys:authToken:ops`, in runs with a given
//! context, under both engines.

use rho_runtime::RunConfig;
use rho_runtime::native::Powerbox;
use rho_stdlib::chain::sys_auth_token;
use rho_stdlib::{PowerboxOptions, RunContext, powerbox};
use rho_tests::{InProcessRun, run_both_engines};

/// A context unlike the default one in every field.
fn context() -> RunContext {
    RunContext {
        deployer: vec![0x04, 0xaa, 0xbb],
        deploy_id: vec![0x30, 0x44, 0x01],
        block_number: 42,
        timestamp: 1_700_000_000_123,
        block_sender: vec![0x02, 0xcc],
    }
}

fn powerbox_for(context: RunContext) -> Powerbox {
    powerbox(&PowerboxOptions {
        context,
        ..PowerboxOptions::default()
    })
}

/// Runs `source` under both engines, checks that they agree, and returns
/// the evaluator's run.
fn run(source: &str, powerbox: Powerbox) -> InProcessRun {
    let config = RunConfig {
        powerbox,
        ..RunConfig::default()
    };
    run_both_engines(source, &config)
}

fn errors(run: &InProcessRun) -> Vec<String> {
    run.error_messages()
}

#[test]
fn block_data_sends_number_timestamp_and_sender() {
    let source = r#"new bd(`rho:block:data`), out(`rho:io:stdout`), ret in {
      bd!(*ret) |
      for (@number, @timestamp, @sender <- ret) { out!([number, timestamp, sender]) }
    }"#;
    let run_in_context = run(source, powerbox_for(context()));
    assert_eq!(run_in_context.stdout, "[42, 1700000000123, 02cc]\n");
    let default_run = run(source, powerbox_for(RunContext::default()));
    assert_eq!(default_run.stdout, format!("[0, 0, {}]\n", "00".repeat(65)));
}

#[test]
fn block_data_answers_three_values_not_a_tuple() {
    let run = run(
        r#"new bd(`rho:block:data`), out(`rho:io:stdout`), ret in {
          bd!(*ret) |
          for (@only <- ret) { out!(["one value", only]) }
        }"#,
        powerbox_for(context()),
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn deploy_names_print_as_the_reference_prints_them() {
    let run = run(
        r#"new deployId(`rho:rchain:deployId`), deployerId(`rho:rchain:deployerId`), out(`rho:io:stdout`) in {
          out!(*deployId) | out!(*deployerId)
        }"#,
        powerbox_for(context()),
    );
    let mut lines: Vec<&str> = run.stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["DeployId(0x304401)", "DeployerId(0x04aabb)"]);
}

#[test]
fn the_deploy_id_is_a_channel_the_deploy_can_use() {
    let run = run(
        r#"new deployId(`rho:rchain:deployId`), out(`rho:io:stdout`) in {
          deployId!("result") | for (@r <- deployId) { out!(r) }
        }"#,
        powerbox_for(context()),
    );
    assert_eq!(run.stdout, "\"result\"\n");
}

#[test]
fn deployer_id_ops_give_the_key_of_a_deployer_id_only() {
    let run = run(
        r#"new ops(`rho:rchain:deployerId:ops`), deployerId(`rho:rchain:deployerId`),
               deployId(`rho:rchain:deployId`), out(`rho:io:stdout`), a, b, c in {
          ops!("pubKeyBytes", *deployerId, *a) |
          for (@key <- a) {
            out!(key) |
            ops!("pubKeyBytes", *deployId, *b) |
            for (@none <- b) {
              out!(none) |
              ops!("pubKeyBytes", "04aabb".hexToBytes(), *c) |
              for (@none <- c) { out!(none) }
            }
          }
        }"#,
        powerbox_for(context()),
    );
    assert_eq!(run.stdout, "04aabb\nNil\nNil\n");
    assert!(errors(&run).is_empty());
}

#[test]
fn deployer_id_ops_know_only_pub_key_bytes() {
    let run = run(
        r#"new ops(`rho:rchain:deployerId:ops`), deployerId(`rho:rchain:deployerId`), r in {
          ops!("privateKey", *deployerId, *r)
        }"#,
        powerbox_for(context()),
    );
    let errors = errors(&run);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with(
            "rho:rchain:deployerId:ops expects (\"pubKeyBytes\", deployerId, ret), got \"privateKey\", DeployerId(0x04aabb), "
        ),
        "{errors:?}"
    );
}

#[test]
fn only_the_system_auth_token_passes_the_check() {
    let mut powerbox = powerbox_for(context());
    // What a node binds for its system deploys.
    powerbox.bind_value("sys:casper:authToken", sys_auth_token());
    let run = run(
        r#"new check(`sys:authToken:ops`), token(`sys:casper:authToken`),
               deployerId(`rho:rchain:deployerId`), out(`rho:io:stdout`), a, b, c, d in {
          out!(*token) |
          check!("check", *token, *a) |
          for (@yes <- a) {
            out!(yes) |
            check!("check", *deployerId, *b) |
            for (@no <- b) {
              out!(no) |
              check!("check", *d, *c) |
              for (@no <- c) { out!(no) }
            }
          }
        }"#,
        powerbox,
    );
    // The checks answer in order; the token prints beside them.
    let checks: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| !line.starts_with("GSys"))
        .collect();
    assert_eq!(checks, ["true", "false", "false"]);
    assert!(
        run.stdout
            .lines()
            .any(|line| line == "GSysAuthTokenBody(GSysAuthToken())"),
        "{}",
        run.stdout
    );
}

#[test]
fn user_deploys_are_not_given_an_auth_token() {
    let run = run(
        r#"new token(`sys:casper:authToken`) in { Nil }"#,
        powerbox_for(context()),
    );
    assert_eq!(errors(&run).len(), 1);
    assert!(errors(&run)[0].contains("sys:casper:authToken"));
}

#[test]
fn auth_token_ops_know_only_check() {
    let run = run(
        r#"new check(`sys:authToken:ops`), r in { check!("make", *r, *r) }"#,
        powerbox_for(context()),
    );
    let errors = errors(&run);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with("sys:authToken:ops expects (\"check\", token, ret)"),
        "{errors:?}"
    );
}
