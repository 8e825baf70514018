//! The Wasm engine end to end: what execution may and may not depend on in a
//! module, fallbacks to the evaluator, phlo, and rejection of bad modules.

use std::fs;

use rho_runtime::wasm::ModuleError;
use rho_runtime::{RunConfig, RuntimeError};
use rho_tests::{shared_dir, wasm_engine, workspace_root};

fn build(source: &str) -> Vec<u8> {
    let normalized = rhoc::frontend::compile_source("test.rho", source).expect("compiles");
    rhoc::codegen::compile_module(&normalized).expect("code generation succeeds")
}

struct Outcome {
    stdout: String,
    comms: u64,
    phlo: u64,
    reflected: u64,
    errors: Vec<RuntimeError>,
}

fn run_module(wasm: &[u8], config: &RunConfig) -> Result<Outcome, ModuleError> {
    let engine = wasm_engine();
    let module = engine.compile(wasm)?;
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let report = engine.run(&module, config, &mut stdout, &mut stderr)?;
    Ok(Outcome {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        comms: report.comms,
        phlo: report.phlo_spent,
        reflected: report.reflected,
        errors: report.errors.into_iter().map(|e| e.error).collect(),
    })
}

/// The module without its custom sections, except `keep`.
fn strip_custom_sections(wasm: &[u8], keep: &str) -> Vec<u8> {
    let mut out = wasm[..8].to_vec();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.expect("a valid module");
        if let wasmparser::Payload::CustomSection(section) = &payload
            && section.name() != keep
        {
            continue;
        }
        if let Some((id, range)) = payload.as_section() {
            out.push(id);
            leb128(&mut out, (range.end - range.start) as u64);
            out.extend_from_slice(&wasm[range]);
        }
    }
    out
}

fn leb128(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn conformance_sources() -> Vec<(String, String)> {
    let mut sources = Vec::new();
    for dir in [
        shared_dir().join("conformance"),
        workspace_root().join("tests/conformance"),
    ] {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_none_or(|x| x != "rho") {
                continue;
            }
            let source = fs::read_to_string(&path).expect("readable");
            if rhoc::frontend::compile_source("p.rho", &source).is_ok() {
                sources.push((path.display().to_string(), source));
            }
        }
    }
    sources.sort();
    sources
}

#[test]
fn stripping_custom_sections_but_the_abi_stamp_changes_nothing() {
    let config = RunConfig::default();
    for (name, source) in conformance_sources() {
        let full = build(&source);
        let stripped = strip_custom_sections(&full, rho_host_abi::abi::SECTION_ABI);
        assert!(stripped.len() < full.len(), "{name}: nothing was stripped");
        let a = run_module(&full, &config).expect("runs");
        let b = run_module(&stripped, &config).expect("runs stripped");
        assert_eq!(a.stdout, b.stdout, "{name}");
        assert_eq!(a.comms, b.comms, "{name}");
        assert_eq!(a.phlo, b.phlo, "{name}");
        assert_eq!(a.errors, b.errors, "{name}");
    }
}

#[test]
fn only_processes_received_as_data_fall_back_to_the_evaluator() {
    let config = RunConfig::default();
    for (name, source) in conformance_sources() {
        let outcome = run_module(&build(&source), &config).expect("runs");
        if name.contains("reflection_eval") {
            assert_eq!(outcome.reflected, 1, "{name}");
        } else {
            assert_eq!(outcome.reflected, 0, "{name}");
        }
    }
}

#[test]
fn an_infinite_loop_runs_out_of_phlo_at_a_repeatable_cost() {
    let wasm = build("new loop in { contract loop(@n) = { loop!(n + 1) } | loop!(0) }");
    let config = RunConfig {
        phlo_limit: 200_000,
        ..RunConfig::default()
    };
    let first = run_module(&wasm, &config).expect("runs");
    let second = run_module(&wasm, &config).expect("runs");
    assert_eq!(first.errors.last(), Some(&RuntimeError::OutOfPhlo));
    assert_eq!(first.comms, second.comms);
    assert_eq!(first.phlo, second.phlo);
    assert!(first.comms > 100);
}

#[test]
fn a_stamp_for_another_abi_version_is_rejected_before_compilation() {
    let wasm = build("Nil");
    let stripped = strip_custom_sections(&wasm, "no section is kept");
    let Err(ModuleError::Rejected(error)) = run_module(&stripped, &RunConfig::default()) else {
        panic!("a module without its rho.abi stamp must be rejected");
    };
    assert!(error.to_string().contains("rho.abi"), "{error}");
    // Bump the ABI version inside the stamp.
    let stamp = rho_host_abi::abi::AbiStamp {
        abi_version: rho_host_abi::abi::ABI_VERSION,
        cost_table_version: rho_runtime::phlo::COST_TABLE_VERSION,
    }
    .to_bytes();
    let position = wasm
        .windows(stamp.len())
        .rposition(|w| w == stamp)
        .expect("the stamp is in the module");
    let mut tampered = wasm.clone();
    tampered[position] ^= 0x40;
    assert!(matches!(
        run_module(&tampered, &RunConfig::default()),
        Err(ModuleError::Rejected(_))
    ));
}

#[test]
fn garbage_is_rejected_without_a_panic() {
    for garbage in [
        &b""[..],
        b"\0asm",
        b"\0asm\x01\0\0\0\x01",
        b"not wasm at all",
    ] {
        assert!(run_module(garbage, &RunConfig::default()).is_err());
    }
}

#[test]
fn deep_recursion_in_a_module_hits_the_depth_limit_deterministically() {
    // A hand-written module (not from rhoc's codegen) that recurses forever.
    let stamp = rho_host_abi::abi::AbiStamp {
        abi_version: rho_host_abi::abi::ABI_VERSION,
        cost_table_version: rho_runtime::phlo::COST_TABLE_VERSION,
    }
    .to_bytes();
    let stamp: String = stamp.iter().map(|b| format!("\\{b:02x}")).collect();
    let pool = {
        use prost::Message;
        rho_host_abi::par::ConstPool::default().encode_to_vec()
    };
    let wat = format!(
        r#"(module
          (memory (export "memory") 1 1)
          (global (export "rho_pool_ptr") i32 (i32.const 0))
          (global (export "rho_pool_len") i32 (i32.const {len}))
          (global (export "rho_component") (mut i32) (i32.const 0))
          (global (export "rho_location") (mut i32) (i32.const 0))
          (func $down (param i32) (result i32) local.get 0 i32.const 1 i32.add call $down)
          (func (export "rho_run") (param i32 i32) i32.const 0 call $down drop)
          (@custom "rho.abi" "{stamp}"))"#,
        len = pool.len()
    );
    let wasm = wat::parse_str(&wat).expect("valid WAT");
    let first = run_module(&wasm, &RunConfig::default()).expect("runs");
    let second = run_module(&wasm, &RunConfig::default()).expect("runs");
    assert!(
        matches!(
            first.errors.as_slice(),
            [RuntimeError::CallDepthExceeded(_)]
        ),
        "{} errors, the first ones: {:?}",
        first.errors.len(),
        &first.errors[..first.errors.len().min(3)]
    );
    assert_eq!(first.phlo, second.phlo);
    assert_eq!(first.errors, second.errors);
}

#[test]
fn a_second_engine_loads_compiled_code_from_the_disk_cache() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let wasm = build(r#"new stdout(`rho:io:stdout`) in { stdout!("cached") }"#);
    use rho_runtime::wasm::Origin;
    let run_with_new_engine = || {
        let engine = rho_runtime::wasm::WasmEngine::new()
            .expect("wasmtime")
            .with_disk_cache(dir.path());
        let module = engine.compile(&wasm).expect("accepted");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        engine
            .run(&module, &RunConfig::default(), &mut out, &mut err)
            .expect("runs");
        let again = engine.compile(&wasm).expect("accepted").origin();
        (
            String::from_utf8_lossy(&out).into_owned(),
            module.origin(),
            again,
        )
    };
    assert_eq!(
        run_with_new_engine(),
        (
            "\"cached\"\n".to_string(),
            Origin::Compiled,
            Origin::MemoryCache
        )
    );
    let files: Vec<_> = fs::read_dir(dir.path())
        .expect("the cache exists")
        .collect();
    assert_eq!(files.len(), 1, "one compiled module on disk");
    assert_eq!(
        run_with_new_engine(),
        (
            "\"cached\"\n".to_string(),
            Origin::DiskCache,
            Origin::MemoryCache
        )
    );
}
