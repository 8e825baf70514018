//! `rhoc run` and `rhoc replay` as users see them: exit statuses, error
//! reports, `--stats`, and recording and replaying event logs.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rho_tests::run_rhoc;

const TIMEOUT: Duration = Duration::from_secs(30);

fn write(dir: &Path, name: &str, source: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, source).expect("writable temporary file");
    path
}

fn rhoc(args: &[&str]) -> (Option<i32>, String, String) {
    let output = run_rhoc(args, TIMEOUT);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_runtime_error_exits_3_with_its_location_a_caret_and_the_phlo_spent() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = write(
        dir.path(),
        "div.rho",
        "new stdout(`rho:io:stdout`) in {\n  stdout!(10 / 0) | stdout!(\"after\")\n}\n",
    );
    for engine in ["wasm", "interp"] {
        let (code, stdout, stderr) = rhoc(&["run", "--engine", engine, &path.to_string_lossy()]);
        assert_eq!(code, Some(3), "{engine}: {stderr}");
        assert_eq!(stdout, "\"after\"\n", "{engine}: the sibling still runs");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(first.contains("div.rho:2:"), "{engine}: {first}");
        assert!(first.contains("error: / by zero"), "{engine}: {first}");
        assert!(stderr.contains("  stdout!(10 / 0)"), "{engine}: {stderr}");
        assert!(
            stderr.lines().any(|l| l.trim() == "^"),
            "{engine}: {stderr}"
        );
        assert!(stderr.contains("phlo"), "{engine}: {stderr}");
    }
}

#[test]
fn running_out_of_phlo_exits_4() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = write(
        dir.path(),
        "loop.rho",
        "new loop in { contract loop(@n) = { loop!(n + 1) } | loop!(0) }\n",
    );
    for engine in ["wasm", "interp"] {
        let (code, _, stderr) = rhoc(&[
            "run",
            "--engine",
            engine,
            "--phlo-limit",
            "100000",
            &path.to_string_lossy(),
        ]);
        assert_eq!(code, Some(4), "{engine}: {stderr}");
        assert!(
            stderr.contains("Computation ran out of phlogistons"),
            "{stderr}"
        );
    }
}

#[test]
fn usage_source_and_module_errors_have_their_own_statuses() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let missing = dir.path().join("missing.rho");
    assert_eq!(rhoc(&["run", &missing.to_string_lossy()]).0, Some(2));
    assert_eq!(rhoc(&["run", "--phlo-limit", "lots", "x.rho"]).0, Some(2));
    let bad = write(dir.path(), "bad.rho", "new x in { x!( }");
    let (code, _, stderr) = rhoc(&["run", &bad.to_string_lossy()]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("bad.rho:1:"), "{stderr}");
    let garbage = dir.path().join("garbage.wasm");
    fs::write(&garbage, b"\0asm\x01\0\0\0garbage").expect("writable");
    let (code, _, stderr) = rhoc(&["run", &garbage.to_string_lossy()]);
    assert_eq!(code, Some(5), "{stderr}");
    assert!(stderr.contains("module rejected"), "{stderr}");
}

#[test]
fn stats_report_every_documented_key() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = write(
        dir.path(),
        "hello.rho",
        "new stdout(`rho:io:stdout`) in { stdout!(\"hi\") }\n",
    );
    let (code, stdout, stderr) = rhoc(&["run", "--stats", &path.to_string_lossy()]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "\"hi\"\n");
    for key in [
        "phlo:",
        "comms: 1",
        "wall_ms:",
        "compile_ms:",
        "wasm_functions:",
        "interp_fallbacks: 0",
    ] {
        assert!(
            stderr.lines().any(|l| l.starts_with(key)),
            "{key} in {stderr}"
        );
    }
}

#[test]
fn a_recorded_run_replays_and_a_tampered_log_does_not() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = write(
        dir.path(),
        "choice.rho",
        "new ch, stdout(`rho:io:stdout`) in {\n  ch!(1) | ch!(2) |\n  for (@a <- ch) { stdout!(a) }\n}\n",
    );
    let program = path.to_string_lossy().into_owned();
    let log = dir.path().join("run.log").to_string_lossy().into_owned();
    for engine in ["wasm", "interp"] {
        let (code, stdout, _) = rhoc(&["run", "--engine", engine, "--record", &log, &program]);
        assert_eq!((code, stdout.as_str()), (Some(0), "1\n"), "{engine}");
        let (code, stdout, stderr) = rhoc(&["replay", "--engine", engine, "--log", &log, &program]);
        assert_eq!(code, Some(0), "{engine}: {stderr}");
        assert_eq!(stdout, "1\n");
        assert!(stderr.contains("replay: matched"), "{stderr}");

        // Make the recorded COMM take the other datum: replay follows it.
        let text = fs::read_to_string(&log).expect("the log was written");
        let seqs: Vec<(usize, String)> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with("P "))
            .map(|(i, l)| {
                (
                    i,
                    l.split_whitespace().nth(1).unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert!(seqs.len() >= 2, "{text}");
        let swapped: Vec<String> = text
            .lines()
            .map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                match fields.as_slice() {
                    ["M", cont, data] if *data == seqs[0].1 => format!("M {cont} {}", seqs[1].1),
                    _ => line.to_string(),
                }
            })
            .collect();
        let swapped_log = dir.path().join("swapped.log");
        fs::write(&swapped_log, swapped.join("\n") + "\n").expect("writable");
        let (code, stdout, stderr) = rhoc(&[
            "replay",
            "--engine",
            engine,
            "--log",
            &swapped_log.to_string_lossy(),
            &program,
        ]);
        assert_eq!(
            (code, stdout.as_str()),
            (Some(0), "2\n"),
            "{engine}: {stderr}"
        );

        // A log of another program does not match.
        let truncated: Vec<&str> = text.lines().take(3).collect();
        let bad_log = dir.path().join("bad.log");
        fs::write(&bad_log, truncated.join("\n") + "\n").expect("writable");
        let (code, _, stderr) = rhoc(&[
            "replay",
            "--engine",
            engine,
            "--log",
            &bad_log.to_string_lossy(),
            &program,
        ]);
        assert_eq!(code, Some(3), "{engine}: {stderr}");
        assert!(stderr.contains("did not match"), "{stderr}");
    }
}
