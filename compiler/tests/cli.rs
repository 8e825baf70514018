//! The `rhoc` binary: `check` and `normalize` on real files, exit statuses
//! (DESIGN.md section 4) and the diagnostics format.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rhoc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rhoc"))
        .args(args)
        .output()
        .expect("rhoc runs")
}

fn shared() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")).to_path_buf()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn every_conformance_program_checks_except_the_compile_errors() {
    let dir = shared().join("conformance");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir)
        .expect("conformance folder")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "rho") {
            continue;
        }
        count += 1;
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let output = rhoc(&["check", &path.to_string_lossy()]);
        let compile_error = match name.as_str() {
            "err_syntax" => Some("syntax"),
            "err_unbound_name" => Some("free variables"),
            _ => None,
        };
        match compile_error {
            None => assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output)),
            Some(keyword) => {
                assert_eq!(output.status.code(), Some(1), "{name}");
                let message = stderr(&output).replace(&*path.to_string_lossy(), "FILE");
                assert!(
                    message.to_lowercase().contains(keyword),
                    "{name}: {message}"
                );
                assert!(message.starts_with("FILE:"), "{message}");
            }
        }
    }
    assert!(count >= 20);
}

#[test]
fn diagnostics_name_the_file_as_typed() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("bad.rho");
    std::fs::write(&path, "new a in {\n  a!(b)\n}\n").expect("writable");
    let output = Command::new(env!("CARGO_BIN_EXE_rhoc"))
        .current_dir(dir.path())
        .args(["check", "bad.rho"])
        .output()
        .expect("rhoc runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "bad.rho:2:6: error: Top level free variables are not allowed: b at 2:6\n  a!(b)\n     ^\n"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn usage_errors_exit_with_two() {
    assert_eq!(rhoc(&["check", "/no/such/file.rho"]).status.code(), Some(2));
    assert_eq!(rhoc(&["check"]).status.code(), Some(2));
    assert_eq!(rhoc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        rhoc(&["normalize", "x.rho", "--emit", "yaml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn invalid_utf8_is_a_source_error() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("latin1.rho");
    std::fs::write(&path, b"new x in { x!(\"caf\xe9\") }").expect("writable");
    let output = rhoc(&["check", &path.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(":1:19: error: the file is not valid UTF-8"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn version_names_rhoc_the_abi_and_the_cost_table() {
    let output = rhoc(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(version.starts_with("rhoc "), "{version}");
    assert!(
        version.contains(&format!("abi {}", rho_host_abi::abi::ABI_VERSION)),
        "{version}"
    );
    assert!(
        version.contains(&format!(
            "cost table {}",
            rho_runtime::phlo::COST_TABLE_VERSION
        )),
        "{version}"
    );
}

#[test]
fn normalize_prints_text_that_checks_again() {
    let hello = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/hello.rho"
    ));
    let output = rhoc(&["normalize", &hello.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(text.starts_with("new x0(`rho:io:stdout`) in {"), "{text}");

    let dir = tempfile::tempdir().expect("a temporary folder");
    let printed = dir.path().join("printed.rho");
    std::fs::write(&printed, &text).expect("writable");
    assert_eq!(
        rhoc(&["check", &printed.to_string_lossy()]).status.code(),
        Some(0)
    );
}

#[test]
fn normalize_writes_protobuf() {
    let hello = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/hello.rho"
    ));
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("hello.par");
    let output = rhoc(&[
        "normalize",
        &hello.to_string_lossy(),
        "--emit",
        "proto",
        "-o",
        &out.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let bytes = std::fs::read(&out).expect("written");
    let par = rho_host_abi::decode_par(&bytes).expect("a Par");
    let source = std::fs::read_to_string(hello).expect("readable");
    assert_eq!(
        par,
        rhoc::frontend::compile_source("hello.rho", &source)
            .expect("compiles")
            .par
    );
}

#[test]
fn normalize_to_an_unwritable_place_is_a_usage_error() {
    let hello = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/hello.rho"
    ));
    let output = rhoc(&[
        "normalize",
        &hello.to_string_lossy(),
        "-o",
        "/no/such/dir/out.txt",
    ]);
    assert_eq!(output.status.code(), Some(2));
}
