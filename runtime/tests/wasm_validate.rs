//! Checks the validation of untrusted modules: what an accepted module
//! reports, and that each way of breaking the host ABI, a limit or the
//! accepted feature set is refused with its own error, before anything
//! compiles it; random and mutated bytes never panic.

use proptest::prelude::*;
use rho_host_abi::abi::{ABI_VERSION, AbiStamp, EXPORT_GAS, IMPORTS, SECTION_ABI};
use rho_runtime::phlo::COST_TABLE_VERSION;
use rho_runtime::wasm::meter::{EXPORT_DEPTH, WasmCosts, instrument};
use rho_runtime::wasm::validate::{
    ACCEPTED_FEATURES, ExportKind, LimitKind, MemoryLimits, ModuleLimits, RejectError, validate,
};
use wasm_encoder::Section;

fn stamp_bytes(abi_version: u32, cost_table_version: u32) -> Vec<u8> {
    AbiStamp {
        abi_version,
        cost_table_version,
    }
    .to_bytes()
    .to_vec()
}

fn append_custom(wasm: &mut Vec<u8>, name: &str, data: &[u8]) {
    wasm_encoder::CustomSection {
        name: name.into(),
        data: data.into(),
    }
    .append_to(wasm);
}

/// Module bytes with a current `rho.abi` stamp appended.
fn stamp(mut wasm: Vec<u8>) -> Vec<u8> {
    append_custom(
        &mut wasm,
        SECTION_ABI,
        &stamp_bytes(ABI_VERSION, COST_TABLE_VERSION),
    );
    wasm
}

fn stamped(wat: &str) -> Vec<u8> {
    stamp(wat::parse_str(wat).expect("test WAT parses"))
}

fn check(wasm: &[u8]) -> Result<rho_runtime::wasm::validate::ModuleInfo, RejectError> {
    validate(wasm, &ModuleLimits::default(), COST_TABLE_VERSION)
}

fn check_with(wasm: &[u8], limits: &ModuleLimits) -> Result<(), RejectError> {
    validate(wasm, limits, COST_TABLE_VERSION).map(drop)
}

/// Asserts a rejection of `kind` whose message contains `fragment`.
#[track_caller]
fn assert_rejected(result: Result<(), RejectError>, kind: &str, fragment: &str) {
    let err = result.expect_err("module must be rejected");
    let actual_kind = match &err {
        RejectError::Malformed { .. } => "malformed",
        RejectError::Feature { .. } => "feature",
        RejectError::Import { .. } => "import",
        RejectError::Limit { .. } => "limit",
        RejectError::Abi { .. } => "abi",
        RejectError::Metering { .. } => "metering",
    };
    assert_eq!(actual_kind, kind, "{err}");
    let message = err.to_string();
    assert!(message.starts_with("module rejected: "), "{message}");
    assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
}

#[test]
fn a_module_within_the_abi_is_accepted_and_described() {
    let wasm = stamped(
        r#"(module
            (import "rho" "env_get" (func (param i32) (result i64)))
            (import "rho" "produce" (func (param i64 i32 i32)))
            (memory (export "memory") 1 4)
            (table 2 funcref)
            (global (export "rho_component") (mut i32) (i32.const 0))
            (elem (i32.const 0) $run $helper)
            (data (i32.const 0) "pool")
            (func $helper (result i64 i64) i64.const 1 i64.const 2)
            (func $run (export "rho_run") (param i32 i32)
                i32.const 0
                call 0
                local.get 0
                i32.const 0
                call 1
                i32.const 0
                i32.const 1
                i32.const 2
                memory.copy
                i64.const 5
                i64.extend32_s
                drop))"#,
    );
    let info = check(&wasm).expect("accepted");
    assert_eq!(
        info.stamp,
        AbiStamp {
            abi_version: ABI_VERSION,
            cost_table_version: COST_TABLE_VERSION
        }
    );
    assert_eq!(
        info.imports
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect::<Vec<_>>(),
        [("env_get", 0), ("produce", 1)]
    );
    assert_eq!(info.imported_functions, 2);
    assert_eq!(info.defined_functions, 2);
    assert_eq!(
        info.memory,
        Some(MemoryLimits {
            initial: 1,
            maximum: 4
        })
    );
    let run = info.export("rho_run").expect("rho_run exported");
    assert_eq!((run.kind, run.index), (ExportKind::Function, 3));
    assert_eq!(
        info.export("memory").map(|e| e.kind),
        Some(ExportKind::Memory)
    );
    assert_eq!(
        info.export("rho_component").map(|e| e.kind),
        Some(ExportKind::Global)
    );
    assert_eq!(info.exports.len(), 3);
}

#[test]
fn every_abi_import_with_its_exact_signature_is_accepted() {
    let render = |types: &[rho_host_abi::abi::ValType]| {
        types
            .iter()
            .map(|ty| match ty {
                rho_host_abi::abi::ValType::I32 => "i32",
                rho_host_abi::abi::ValType::I64 => "i64",
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let imports: String = IMPORTS
        .iter()
        .map(|sig| {
            format!(
                "(import \"rho\" \"{}\" (func (param {}) (result {})))\n",
                sig.name,
                render(sig.params),
                render(sig.results)
            )
        })
        .collect();
    let info = check(&stamped(&format!("(module {imports})"))).expect("accepted");
    assert_eq!(info.imports.len(), IMPORTS.len());
    for (index, sig) in IMPORTS.iter().enumerate() {
        assert_eq!(info.imports.get(sig.name), Some(&(index as u32)));
    }
}

#[test]
fn imports_outside_the_abi_are_rejected() {
    let cases = [
        (
            r#"(import "rho" "env_gett" (func (param i32) (result i64)))"#,
            "it imports `rho.env_gett`, which is not a function of host ABI version",
        ),
        (
            r#"(import "rho" "env_get" (func (param i64) (result i64)))"#,
            "it imports `rho.env_get` with type [i64] -> [i64], but the host ABI's is [i32] -> [i64]",
        ),
        (
            r#"(import "rho" "env_get" (func (param i32)))"#,
            "with type [i32] -> [], but the host ABI's is [i32] -> [i64]",
        ),
        (
            r#"(import "wasi" "env_get" (func (param i32) (result i64)))"#,
            "it imports `wasi.env_get`; only functions of module `rho` can be imported",
        ),
        (
            r#"(import "rho" "memory" (memory 1 1))"#,
            "it imports a memory `rho.memory`",
        ),
        (
            r#"(import "rho" "table" (table 1 funcref))"#,
            "it imports a table `rho.table`",
        ),
        (
            r#"(import "rho" "gas" (global (mut i64)))"#,
            "it imports a global `rho.gas`",
        ),
        (
            r#"(import "rho" "arg_push" (func (param i64)))
               (import "rho" "arg_push" (func (param i64)))"#,
            "it imports `rho.arg_push` more than once",
        ),
    ];
    for (imports, message) in cases {
        let wasm = stamped(&format!("(module {imports})"));
        assert_rejected(check(&wasm).map(drop), "import", message);
    }
}

/// A module of `count` empty functions.
fn functions(count: u32) -> Vec<u8> {
    let mut module = wasm_encoder::Module::new();
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function([], []);
    let mut funcs = wasm_encoder::FunctionSection::new();
    let mut code = wasm_encoder::CodeSection::new();
    for _ in 0..count {
        funcs.function(0);
        let mut body = wasm_encoder::Function::new([]);
        body.instruction(&wasm_encoder::Instruction::End);
        code.function(&body);
    }
    module.section(&types).section(&funcs).section(&code);
    stamp(module.finish())
}

/// A module with one function of `params` i64 parameters and `locals` i32
/// locals, whose body is `filler` `nop`s.
fn one_function(params: usize, locals: u32, filler: usize) -> Vec<u8> {
    let mut module = wasm_encoder::Module::new();
    let mut types = wasm_encoder::TypeSection::new();
    types
        .ty()
        .function(vec![wasm_encoder::ValType::I64; params], []);
    let mut funcs = wasm_encoder::FunctionSection::new();
    funcs.function(0);
    let mut code = wasm_encoder::CodeSection::new();
    let mut body = wasm_encoder::Function::new([(locals, wasm_encoder::ValType::I32)]);
    for _ in 0..filler {
        body.instruction(&wasm_encoder::Instruction::Nop);
    }
    body.instruction(&wasm_encoder::Instruction::End);
    code.function(&body);
    module.section(&types).section(&funcs).section(&code);
    stamp(module.finish())
}

#[track_caller]
fn assert_limit(result: Result<(), RejectError>, limit: LimitKind, message: &str) {
    match result {
        Err(RejectError::Limit { limit: actual, .. }) if actual == limit => {}
        other => panic!("expected the {limit} limit, got {other:?}"),
    }
    assert_rejected(result, "limit", message);
}

#[test]
fn too_many_locals_are_rejected_with_the_function_named() {
    let wasm = one_function(0, 70_000, 0);
    assert_limit(
        check(&wasm).map(drop),
        LimitKind::LocalsPerFunction,
        "module rejected: function 0 has 70000 locals, the limit is 49000",
    );
    // Parameters count as locals.
    let limits = ModuleLimits {
        locals_per_function: 10,
        ..ModuleLimits::default()
    };
    assert!(check_with(&one_function(4, 6, 0), &limits).is_ok());
    assert_limit(
        check_with(&one_function(5, 6, 0), &limits),
        LimitKind::LocalsPerFunction,
        "function 0 has 11 locals, the limit is 10",
    );
    // A larger limit is capped so that metering still fits the engine.
    let generous = ModuleLimits {
        locals_per_function: 1_000_000,
        ..ModuleLimits::default()
    };
    assert_limit(
        check_with(&one_function(0, 50_000, 0), &generous),
        LimitKind::LocalsPerFunction,
        "function 0 has 50000 locals, the limit is 49998",
    );
}

#[test]
fn each_size_limit_is_enforced() {
    let defaults = ModuleLimits::default;
    let cases: Vec<(ModuleLimits, Vec<u8>, LimitKind, &str)> = vec![
        (
            ModuleLimits {
                module_bytes: 40,
                ..defaults()
            },
            one_function(0, 0, 100),
            LimitKind::ModuleBytes,
            "the limit is 40",
        ),
        (
            ModuleLimits {
                functions: 3,
                ..defaults()
            },
            functions(4),
            LimitKind::Functions,
            "the module defines 4 functions, the limit is 3",
        ),
        (
            ModuleLimits {
                body_bytes: 50,
                ..defaults()
            },
            one_function(0, 0, 100),
            LimitKind::BodyBytes,
            "the body of function 0 is 104 bytes, the limit is 50",
        ),
        (
            defaults(),
            stamped("(module (memory 257 300))"),
            LimitKind::MemoryInitialPages,
            "memory 0 starts with 257 pages, the limit is 256",
        ),
        (
            defaults(),
            stamped("(module (memory 1 257))"),
            LimitKind::MemoryMaximumPages,
            "memory 0 may grow to 257 pages, the limit is 256",
        ),
        (
            defaults(),
            stamped("(module (memory 1))"),
            LimitKind::MemoryMaximumPages,
            "memory 0 declares no maximum size (one is required), the limit is 256",
        ),
        (
            ModuleLimits {
                table_elements: 10,
                ..defaults()
            },
            stamped("(module (table 11 funcref))"),
            LimitKind::TableElements,
            "table 0 starts with 11 elements, the limit is 10",
        ),
        (
            ModuleLimits {
                table_elements: 10,
                ..defaults()
            },
            stamped("(module (table 1 20 funcref))"),
            LimitKind::TableElements,
            "table 0 may grow to 20 elements, the limit is 10",
        ),
        (
            ModuleLimits {
                globals: 1,
                ..defaults()
            },
            stamped("(module (global i32 (i32.const 0)) (global i32 (i32.const 0)))"),
            LimitKind::Globals,
            "the module defines 2 globals, the limit is 1",
        ),
        (
            ModuleLimits {
                exports: 1,
                ..defaults()
            },
            stamped(r#"(module (func (export "a")) (func (export "b")))"#),
            LimitKind::Exports,
            "the module has 2 exports, the limit is 1",
        ),
        (
            ModuleLimits {
                types: 1,
                ..defaults()
            },
            stamped("(module (type (func)) (type (func (param i32))))"),
            LimitKind::Types,
            "the module declares 2 types, the limit is 1",
        ),
        (
            ModuleLimits {
                imports: 1,
                ..defaults()
            },
            stamped(
                r#"(module (import "rho" "arg_push" (func (param i64)))
                           (import "rho" "spawn" (func (param i32))))"#,
            ),
            LimitKind::Imports,
            "the module has 2 imports, the limit is 1",
        ),
        (
            ModuleLimits {
                element_segments: 1,
                ..defaults()
            },
            stamped(
                "(module (table 4 funcref) (func $f)
                   (elem (i32.const 0) $f) (elem (i32.const 1) $f))",
            ),
            LimitKind::ElementSegments,
            "the module has 2 element segments, the limit is 1",
        ),
        (
            ModuleLimits {
                element_items: 3,
                ..defaults()
            },
            stamped("(module (table 4 funcref) (func $f) (elem (i32.const 0) $f $f $f $f))"),
            LimitKind::ElementItems,
            "the element segments hold at least 4 items, the limit is 3",
        ),
        (
            ModuleLimits {
                data_segments: 1,
                ..defaults()
            },
            stamped(r#"(module (memory 1 1) (data (i32.const 0) "a") (data (i32.const 1) "b"))"#),
            LimitKind::DataSegments,
            "the module has 2 data segments, the limit is 1",
        ),
        (
            ModuleLimits {
                data_bytes: 5,
                ..defaults()
            },
            stamped(
                r#"(module (memory 1 1) (data (i32.const 0) "abc") (data (i32.const 8) "def"))"#,
            ),
            LimitKind::DataBytes,
            "the data segments hold at least 6 bytes, the limit is 5",
        ),
    ];
    for (limits, wasm, limit, message) in cases {
        assert_limit(check_with(&wasm, &limits), limit, message);
    }
}

#[test]
fn the_default_limits_accept_large_generated_modules() {
    let defaults = ModuleLimits::default();
    assert_eq!(defaults.module_bytes, 16 << 20);
    assert!(check(&functions(20_000)).is_ok());
    assert!(check(&one_function(10, 48_990, 100_000)).is_ok());
}

#[test]
fn limits_are_checked_before_the_code_is_type_checked() {
    // An ill-typed body that is also too large: the limit is reported.
    let mut module = wasm_encoder::Module::new();
    let mut types = wasm_encoder::TypeSection::new();
    types.ty().function([], []);
    let mut funcs = wasm_encoder::FunctionSection::new();
    funcs.function(0);
    let mut code = wasm_encoder::CodeSection::new();
    let mut body = wasm_encoder::Function::new([]);
    for _ in 0..100 {
        body.instruction(&wasm_encoder::Instruction::I32Add);
    }
    body.instruction(&wasm_encoder::Instruction::End);
    code.function(&body);
    module.section(&types).section(&funcs).section(&code);
    let wasm = stamp(module.finish());
    assert_rejected(check(&wasm).map(drop), "malformed", "type mismatch");
    let limits = ModuleLimits {
        body_bytes: 50,
        ..ModuleLimits::default()
    };
    assert_limit(
        check_with(&wasm, &limits),
        LimitKind::BodyBytes,
        "the body of function 0 is 102 bytes",
    );
}

#[test]
fn features_outside_the_accepted_set_are_rejected() {
    let cases = [
        (
            "(module (func (result f32) f32.const 1 f32.const 2 f32.add))",
            "floating-point",
        ),
        (
            "(module (func (param f64)))",
            "floating-point support is disabled",
        ),
        ("(module (global f32 (f32.const 0)))", "floating-point"),
        (
            "(module (func (result i32) i32.const 1 f64.convert_i32_s i32.trunc_f64_s))",
            "floating-point",
        ),
        (
            "(module (func (result i64) i64.const 1 f64.reinterpret_i64 i64.reinterpret_f64))",
            "floating-point",
        ),
        (
            "(module (func (result v128) v128.const i64x2 0 0))",
            "SIMD support is not enabled",
        ),
        ("(module (memory 1 1 shared))", "threads"),
        (
            "(module (memory 1 1) (func (result i32) i32.const 0 i32.atomic.load))",
            "threads",
        ),
        (
            "(module (func $f) (func return_call $f))",
            "tail calls support is not enabled",
        ),
        ("(module (memory 1 1) (memory 1 1))", "multiple memories"),
        ("(module (memory i64 1 1))", "memory64"),
        (
            "(module (func (result funcref) ref.null func))",
            "reference types support is not enabled",
        ),
        ("(module (table 1 1 externref))", "reference types"),
        ("(module (tag) (func throw 0))", "exceptions"),
        (
            "(module (func (result i32) i32.const 1 i32.const 2 i32.const 1 select (result i32)))",
            "reference types",
        ),
        (
            "(module (global i32 (i32.add (i32.const 1) (i32.const 2))))",
            "constant expression",
        ),
    ];
    for (wat, fragment) in cases {
        let wasm = stamped(wat);
        let result = check(&wasm);
        match &result {
            Err(RejectError::Feature { .. }) => {}
            other => panic!("{wat}: expected a feature error, got {other:?}"),
        }
        assert_rejected(result.map(drop), "feature", fragment);
    }
}

#[test]
fn components_are_rejected() {
    let wasm = wat::parse_str("(component)").unwrap();
    assert_rejected(check(&wasm).map(drop), "feature", "component");
}

#[test]
fn malformed_bytes_are_rejected() {
    let valid = stamped("(module (func (export \"f\") (result i32) i32.const 1))");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "unexpected end"),
        (b"\0asm".to_vec(), "unexpected end"),
        (b"not wasm at all".to_vec(), "magic header"),
        (valid[..valid.len() - 12].to_vec(), "unexpected end"),
        (
            stamped("(module (func (result i32) i64.const 1))"),
            "type mismatch",
        ),
    ];
    for (wasm, fragment) in cases {
        assert_rejected(check(&wasm).map(drop), "malformed", fragment);
    }
}

#[test]
fn a_missing_or_tampered_stamp_is_rejected() {
    let bare = wat::parse_str("(module (func))").unwrap();
    assert_rejected(check(&bare).map(drop), "abi", "it has no `rho.abi` section");

    let mut twice = stamp(bare.clone());
    append_custom(
        &mut twice,
        SECTION_ABI,
        &stamp_bytes(ABI_VERSION, COST_TABLE_VERSION),
    );
    assert_rejected(
        check(&twice).map(drop),
        "abi",
        "it has 2 `rho.abi` sections",
    );

    let mut short = bare.clone();
    append_custom(&mut short, SECTION_ABI, &[1, 0, 0, 0]);
    assert_rejected(
        check(&short).map(drop),
        "abi",
        "its `rho.abi` section is 4 bytes long, not 8",
    );

    let mut old_abi = bare.clone();
    append_custom(
        &mut old_abi,
        SECTION_ABI,
        &stamp_bytes(ABI_VERSION + 1, COST_TABLE_VERSION),
    );
    assert_rejected(
        check(&old_abi).map(drop),
        "abi",
        &format!(
            "it was built for host ABI version {}, but this runtime implements version {ABI_VERSION}",
            ABI_VERSION + 1
        ),
    );

    let mut other_costs = bare.clone();
    append_custom(
        &mut other_costs,
        SECTION_ABI,
        &stamp_bytes(ABI_VERSION, COST_TABLE_VERSION + 7),
    );
    assert_rejected(
        check(&other_costs).map(drop),
        "abi",
        &format!(
            "it was built for cost table version {}, but this runtime charges version {COST_TABLE_VERSION}",
            COST_TABLE_VERSION + 7
        ),
    );
    // The stamp is checked against the version the caller asks for.
    assert!(
        validate(
            &other_costs,
            &ModuleLimits::default(),
            COST_TABLE_VERSION + 7
        )
        .is_ok()
    );

    // Flipping any bit of a good stamp is caught.
    let good = stamp(bare.clone());
    let stamp_at = good.len() - 8;
    for byte in stamp_at..good.len() {
        let mut tampered = good.clone();
        tampered[byte] ^= 0x10;
        assert_rejected(check(&tampered).map(drop), "abi", "it was built for");
    }
}

#[test]
fn a_start_function_is_rejected() {
    let wasm = stamped("(module (func $s) (start $s))");
    assert_rejected(check(&wasm).map(drop), "abi", "it has a start function");
}

#[test]
fn the_metering_export_names_are_reserved() {
    for name in [EXPORT_GAS, EXPORT_DEPTH] {
        let wasm = stamped(&format!(
            "(module (global (export \"{name}\") (mut i64) (i64.const 1)))"
        ));
        assert_rejected(
            check(&wasm).map(drop),
            "abi",
            &format!("it exports `{name}`, a name reserved for the runtime's metering"),
        );
    }
}

/// A valid module exercising most of what is accepted, as a seed for
/// mutations.
fn seed_module() -> Vec<u8> {
    stamped(
        r#"(module
            (import "rho" "env_get" (func $env (param i32) (result i64)))
            (memory 1 2)
            (table 1 funcref)
            (global $g (mut i64) (i64.const 0))
            (elem (i32.const 0) $loop)
            (data (i32.const 0) "seed")
            (func $loop (export "loop") (param $n i32) (result i64)
                (local $acc i64)
                block $done
                    loop $next
                        local.get $n
                        i32.eqz
                        br_if $done
                        local.get $acc
                        local.get $n
                        call $env
                        i64.add
                        local.set $acc
                        local.get $n
                        i32.const 1
                        i32.sub
                        local.set $n
                        br $next
                    end
                end
                i32.const 0
                i32.const 1
                local.get $n
                memory.fill
                local.get $acc
                global.get $g
                i64.add)
            (func (export "grow") (param i32) (result i32)
                local.get 0
                memory.grow))"#,
    )
}

/// Whatever `validate` accepts, `instrument` meters into a module that is
/// still valid with the accepted features.
fn validate_then_instrument(wasm: &[u8]) {
    if check(wasm).is_ok() {
        let metered = instrument(wasm, &WasmCosts::V1, 100)
            .unwrap_or_else(|err| panic!("validated module failed to meter: {err}"));
        wasmparser::Validator::new_with_features(ACCEPTED_FEATURES)
            .validate_all(&metered)
            .unwrap_or_else(|err| panic!("metered module is invalid: {err}"));
    }
    // Instrumenting unvalidated bytes must not panic either.
    let _ = instrument(wasm, &WasmCosts::V1, 100);
}

#[test]
fn the_seed_module_is_accepted() {
    check(&seed_module()).expect("seed module validates");
    validate_then_instrument(&seed_module());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        validate_then_instrument(&bytes);
        let mut with_header = b"\0asm\x01\0\0\0".to_vec();
        with_header.extend_from_slice(&bytes);
        validate_then_instrument(&with_header);
    }

    #[test]
    fn mutated_modules_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut wasm = seed_module();
        for (at, byte) in edits {
            let at = at.index(wasm.len());
            wasm[at] = byte;
        }
        if truncate {
            wasm.truncate(cut.index(wasm.len()));
        }
        validate_then_instrument(&wasm);
    }
}
