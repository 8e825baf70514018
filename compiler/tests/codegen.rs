//! The Wasm code generator on real and extreme programs: every module
//! validates with the features the runtime accepts (no floats, SIMD or
//! threads), imports only the host ABI with its exact signatures, exports
//! what the ABI lists, carries the ABI stamp, and is the same bytes every
//! time; wide and deep programs compile without overflowing the stack.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use prost::Message;
use rho_host_abi::Term;
use rho_host_abi::abi::{self, AbiStamp, IMPORTS};
use rho_host_abi::par::{ConstPool, Par};
use rho_host_abi::source_map::SourceMap;
use rhoc::codegen::compile_module;
use rhoc::frontend::{Normalized, compile_source};
use wasmparser::{
    ExternalKind, Operator, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

/// The features the runtime accepts: the defaults without floats, SIMD and
/// threads.
fn accepted_features() -> WasmFeatures {
    WasmFeatures::default()
        - WasmFeatures::FLOATS
        - WasmFeatures::SIMD
        - WasmFeatures::RELAXED_SIMD
        - WasmFeatures::THREADS
}

/// What a module contains, as far as these tests look.
#[derive(Debug, Default)]
struct ModuleFacts {
    imports: Vec<(String, String, Vec<ValType>, Vec<ValType>)>,
    exports: HashMap<String, ExternalKind>,
    custom: HashMap<String, Vec<u8>>,
    data: Vec<u8>,
    functions: usize,
    /// Calls to each import, by import name.
    calls: HashMap<String, usize>,
}

/// Validates `wasm` with [`accepted_features`] and with the runtime's own
/// validation (its feature set, ABI and default limits), and collects its
/// facts.
fn inspect(wasm: &[u8]) -> ModuleFacts {
    Validator::new_with_features(accepted_features())
        .validate_all(wasm)
        .expect("the module validates");
    rho_runtime::wasm::validate::validate(
        wasm,
        &rho_runtime::wasm::validate::ModuleLimits::default(),
        rho_runtime::phlo::COST_TABLE_VERSION,
    )
    .expect("the runtime accepts the module");
    let mut facts = ModuleFacts::default();
    let mut types = Vec::new();
    let mut import_names = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.expect("the module parses") {
            Payload::TypeSection(reader) => {
                for ty in reader.into_iter_err_on_gc_types() {
                    let ty = ty.expect("a function type");
                    types.push((ty.params().to_vec(), ty.results().to_vec()));
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.expect("an import");
                    let TypeRef::Func(index) = import.ty else {
                        panic!("a non-function import: {import:?}");
                    };
                    let (params, results) = types[index as usize].clone();
                    import_names.push(import.name.to_owned());
                    facts.imports.push((
                        import.module.to_owned(),
                        import.name.to_owned(),
                        params,
                        results,
                    ));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.expect("an export");
                    facts.exports.insert(export.name.to_owned(), export.kind);
                }
            }
            Payload::CodeSectionEntry(body) => {
                facts.functions += 1;
                let mut operators = body.get_operators_reader().expect("operators");
                while !operators.eof() {
                    if let Operator::Call { function_index } =
                        operators.read().expect("an operator")
                        && let Some(name) = import_names.get(function_index as usize)
                    {
                        *facts.calls.entry(name.clone()).or_default() += 1;
                    }
                }
            }
            Payload::DataSection(reader) => {
                for segment in reader {
                    facts
                        .data
                        .extend_from_slice(segment.expect("a data segment").data);
                }
            }
            Payload::CustomSection(reader) => {
                facts
                    .custom
                    .insert(reader.name().to_owned(), reader.data().to_vec());
            }
            _ => {}
        }
    }
    facts
}

fn wasm_type(ty: abi::ValType) -> ValType {
    match ty {
        abi::ValType::I32 => ValType::I32,
        abi::ValType::I64 => ValType::I64,
    }
}

/// Checks everything the ABI requires of a module.
fn check_abi(facts: &ModuleFacts) {
    for (module, name, params, results) in &facts.imports {
        assert_eq!(module, abi::IMPORT_MODULE);
        let sig = abi::import(name).unwrap_or_else(|| panic!("{name} is not in the ABI"));
        let expected_params: Vec<ValType> = sig.params.iter().copied().map(wasm_type).collect();
        let expected_results: Vec<ValType> = sig.results.iter().copied().map(wasm_type).collect();
        assert_eq!(params, &expected_params, "parameters of {name}");
        assert_eq!(results, &expected_results, "results of {name}");
    }
    for (name, kind) in [
        (abi::EXPORT_RUN, ExternalKind::Func),
        (abi::EXPORT_MEMORY, ExternalKind::Memory),
        (abi::EXPORT_POOL_PTR, ExternalKind::Global),
        (abi::EXPORT_POOL_LEN, ExternalKind::Global),
        (abi::EXPORT_COMPONENT, ExternalKind::Global),
        (abi::EXPORT_LOCATION, ExternalKind::Global),
    ] {
        assert_eq!(facts.exports.get(name), Some(&kind), "export {name}");
    }
    let stamp = AbiStamp::from_bytes(&facts.custom[abi::SECTION_ABI]).expect("an 8-byte stamp");
    assert_eq!(stamp.abi_version, abi::ABI_VERSION);
    assert_eq!(
        stamp.cost_table_version,
        rho_runtime::phlo::COST_TABLE_VERSION
    );
    SourceMap::from_bytes(&facts.custom[abi::SECTION_SOURCE]).expect("a source map");
}

fn pool_of(facts: &ModuleFacts) -> ConstPool {
    ConstPool::decode(facts.data.as_slice()).expect("the pool decodes")
}

fn compile(source: &str) -> Normalized {
    compile_source("test.rho", source).unwrap_or_else(|errors| panic!("{errors:?}"))
}

fn conformance_programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut programs = Vec::new();
    for dir in [
        root.join("../shared/conformance"),
        root.join("tests/conformance"),
    ] {
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("{}: {error}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_some_and(|ext| ext == "rho") {
                programs.push(path);
            }
        }
    }
    programs.sort();
    programs
}

#[test]
fn every_conformance_program_compiles_to_a_valid_module_deterministically() {
    let mut compiled = 0;
    for path in conformance_programs() {
        let source = std::fs::read_to_string(&path).expect("readable");
        // Programs that are source errors have nothing to compile.
        let Ok(program) = compile_source(&path.to_string_lossy(), &source) else {
            continue;
        };
        let wasm =
            compile_module(&program).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let facts = inspect(&wasm);
        check_abi(&facts);
        let par = rho_host_abi::decode_par(&facts.custom[abi::SECTION_PAR]).expect("rho.par");
        assert_eq!(par, program.par, "{}: rho.par", path.display());
        let again = compile_module(&program).expect("compiles again");
        assert!(again == wasm, "{}: not deterministic", path.display());
        compiled += 1;
    }
    assert!(
        compiled >= 40,
        "only {compiled} conformance programs compiled"
    );
}

#[test]
fn all_imports_are_declared_and_a_hello_world_calls_produce_once() {
    let wasm =
        compile_module(&compile(r#"new out(`rho:io:stdout`) in { out!("hello") }"#)).unwrap();
    let facts = inspect(&wasm);
    check_abi(&facts);
    assert_eq!(facts.imports.len(), IMPORTS.len());
    // One value: passed as a parameter.
    assert_eq!(facts.calls.get(abi::IMPORT_PRODUCE_VALUES), Some(&1));
    assert_eq!(facts.calls.get(abi::IMPORT_PRODUCE_SLOTS), None);
    assert_eq!(facts.calls.get(abi::IMPORT_PRODUCE), None);
    assert_eq!(facts.calls.get(abi::IMPORT_ARG_PUSH), None);
    assert_eq!(facts.calls.get(abi::IMPORT_NEW_NAMES), Some(&1));
    // The string is a pool constant: no operator, no template.
    assert_eq!(facts.calls.get(abi::IMPORT_OP2), None);
    assert_eq!(facts.calls.get(abi::IMPORT_SUBST), None);
}

#[test]
fn the_pool_holds_the_descriptors_and_the_component_count_of_every_body() {
    let wasm = compile_module(&compile(
        r#"new a, b in { a!(1) | b!(2) | for (@x <- a & @y <- b) { @"out"!(x + y) } }"#,
    ))
    .unwrap();
    let pool = pool_of(&inspect(&wasm));
    // Body 0: the `new`; body 1: its body (2 sends, 1 receive); body 2:
    // the receive body (1 send).
    assert_eq!(pool.body_components, vec![1, 3, 1]);
    assert_eq!(pool.news.len(), 1);
    assert_eq!(pool.news[0].bind_count, 2);
    assert_eq!(pool.receives.len(), 1);
    let binds = &pool.receives[0].binds;
    assert_eq!(binds.len(), 2);
    assert_eq!(binds[0].free_count, 1);
    assert!(!pool.receives[0].persistent);
}

#[test]
fn static_channels_and_constant_collections_are_pool_constants() {
    let wasm = compile_module(&compile(
        r#"@"chan"!([1, "two", {"three": Set(4)}], (5, 6)) | @"chan"!([1, "two", {"three": Set(4)}])"#,
    ))
    .unwrap();
    let facts = inspect(&wasm);
    assert_eq!(facts.calls.get(abi::IMPORT_MAKE_LIST), None);
    assert_eq!(facts.calls.get(abi::IMPORT_MAKE_MAP), None);
    assert_eq!(facts.calls.get(abi::IMPORT_MAKE_TUPLE), None);
    let pool = pool_of(&facts);
    // The channel, the list (shared by both sends) and the tuple.
    assert_eq!(pool.values.len(), 3);
}

#[test]
fn values_with_variables_are_built_by_the_host() {
    let wasm = compile_module(&compile(
        r#"for (@x <- @"in") { @"out"!([x, 1], {x: 2}, Set(x), (x, x), x.length(), { x | @"a"!(x) }) }"#,
    ))
    .unwrap();
    let facts = inspect(&wasm);
    for import in [
        abi::IMPORT_MAKE_LIST,
        abi::IMPORT_MAKE_MAP,
        abi::IMPORT_MAKE_SET,
        abi::IMPORT_MAKE_TUPLE,
        abi::IMPORT_METHOD,
        abi::IMPORT_SUBST,
        abi::IMPORT_PAR_MERGE,
    ] {
        assert_eq!(facts.calls.get(import), Some(&1), "{import}");
    }
}

#[test]
fn a_bundle_channel_is_checked_before_data_that_can_fail() {
    let checked = compile_module(&compile(r#"for (@b <- @"r") { @b!(1 / 0) }"#)).unwrap();
    assert_eq!(
        inspect(&checked).calls.get(abi::IMPORT_CHECK_CHANNEL),
        Some(&1)
    );
    // Data that cannot fail: `produce` checks the channel itself.
    let unchecked = compile_module(&compile(r#"for (@b <- @"r") { @b!(1, [b]) }"#)).unwrap();
    assert_eq!(
        inspect(&unchecked).calls.get(abi::IMPORT_CHECK_CHANNEL),
        None
    );
}

#[test]
fn if_else_is_decided_inline_and_general_patterns_call_the_matcher() {
    let inline = compile_module(&compile(
        r#"for (@c <- @"in") { if (c) { @"out"!(1) } else { @"out"!(2) } }"#,
    ))
    .unwrap();
    let facts = inspect(&inline);
    assert_eq!(facts.calls.get(abi::IMPORT_MATCH_CASE), None);
    // Each branch is one component binding nothing: it runs inline.
    assert_eq!(facts.calls.get(abi::IMPORT_SPAWN), None);
    assert_eq!(facts.calls.get(abi::IMPORT_PRODUCE_VALUES), Some(&2));
    let general = compile_module(&compile(
        r#"for (@c <- @"in") { match c { [a, b] => @"out"!(a) _ => Nil } }"#,
    ))
    .unwrap();
    let facts = inspect(&general);
    assert_eq!(facts.calls.get(abi::IMPORT_MATCH_CASE), Some(&1));
    // `_ => Nil` matches without spawning anything.
    assert_eq!(facts.calls.get(abi::IMPORT_SPAWN), Some(&1));
}

#[test]
fn empty_case_bodies_spawn_only_to_clear_pending_bindings() {
    // `[a, b] => Nil` leaves two bindings pending: its spawn clears them
    // before a later spawn could take them. `[] => Nil` binds nothing and
    // the `if` is decided inline, its branch run inline: neither spawns.
    let wasm = compile_module(&compile(
        r#"for (@c <- @"in") { match c { [a, b] => Nil [] => Nil } | if (c) { @"out"!(c) } }"#,
    ))
    .unwrap();
    let facts = inspect(&wasm);
    assert_eq!(facts.calls.get(abi::IMPORT_MATCH_CASE), Some(&2));
    assert_eq!(facts.calls.get(abi::IMPORT_SPAWN), Some(&1));
}

#[test]
fn runtime_errors_have_source_locations() {
    let source = "new x in {\n  x!(1) |\n  for (@v <- x) {\n    @\"out\"!(v / 0)\n  }\n}\n";
    let wasm = compile_module(&compile(source)).unwrap();
    let facts = inspect(&wasm);
    let map = SourceMap::from_bytes(&facts.custom[abi::SECTION_SOURCE]).unwrap();
    let positions: Vec<(u32, u32)> = (0..map.len() as u64)
        .map(|id| {
            let loc = map.get(id).expect("ids are dense");
            (loc.line, loc.col)
        })
        .collect();
    // The `new`, the send, the receive, the inner send and the division.
    for expected in [(1, 1), (2, 3), (3, 3), (4, 5), (4, 13)] {
        assert!(
            positions.contains(&expected),
            "{expected:?} in {positions:?}"
        );
    }
}

#[test]
fn a_hundred_thousand_parallel_sends_compile_to_a_reasonable_module() {
    let mut source = String::from("new x in { Nil");
    for index in 0..100_000 {
        source.push_str(&format!(" | x!({index})"));
    }
    source.push_str(" }");
    let program = compile(&source);
    let started = std::time::Instant::now();
    let wasm = compile_module(&program).unwrap();
    let elapsed = started.elapsed();
    let facts = inspect(&wasm);
    check_abi(&facts);
    assert_eq!(facts.calls.get(abi::IMPORT_PRODUCE_VALUES), Some(&100_000));
    // The wide body is split into functions of a few hundred components.
    assert!(facts.functions > 300, "{} functions", facts.functions);
    // Under a hundred bytes per send, everything included.
    assert!(wasm.len() < 100 * 100_000, "{} bytes", wasm.len());
    assert!(elapsed.as_secs() < 20, "took {elapsed:?}");
    let pool = pool_of(&facts);
    assert_eq!(pool.body_components, vec![1, 100_000]);
}

#[test]
fn a_send_of_a_hundred_thousand_values_splits_its_pushes() {
    let mut source = String::from("for (@v <- @\"in\") { @\"out\"!(v");
    for _ in 0..100_000 {
        source.push_str(", v");
    }
    source.push_str(") }");
    let wasm = compile_module(&compile(&source)).unwrap();
    let facts = inspect(&wasm);
    // Too many values for the argument slots: the argument stack. (The
    // receive's one channel goes in a slot.)
    assert_eq!(
        facts.calls.get(abi::IMPORT_ARG_PUSH),
        Some(&100_001),
        "100,001 values"
    );
    assert_eq!(facts.calls.get(abi::IMPORT_PRODUCE), Some(&1));
    assert_eq!(facts.calls.get(abi::IMPORT_CONSUME_SLOTS), Some(&1));
    assert!(facts.functions > 300, "{} functions", facts.functions);
}

/// Runs `work` on a thread with the main thread's 8 MiB stack.
fn on_main_sized_stack(work: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(work)
        .expect("a thread")
        .join()
        .expect("no panic");
}

/// A term nested `depth` levels deep around `inner`, as a Par built
/// directly (the parser has its own depth limits).
fn nested(depth: usize, inner: Par, wrap: impl Fn(Par) -> Par) -> Par {
    let mut par = inner;
    for _ in 0..depth {
        par = wrap(par);
    }
    par
}

#[test]
fn deeply_nested_values_and_bodies_compile_on_an_ordinary_stack() {
    use rho_host_abi::par::{
        EList, EPlus, EVar, Expr, Receive, ReceiveBind, Send, Var, expr::ExprInstance,
        var::VarInstance,
    };
    fn expr(instance: ExprInstance) -> Par {
        Par {
            exprs: vec![Expr {
                expr_instance: Some(instance),
            }],
            ..Par::default()
        }
    }
    fn bound(index: i32) -> Par {
        expr(ExprInstance::EVarBody(EVar {
            v: Some(Var {
                var_instance: Some(VarInstance::BoundVar(index)),
            }),
        }))
    }
    fn send(chan: Par, data: Par) -> Par {
        Par {
            sends: vec![Send {
                chan: Some(chan),
                data: vec![data],
                ..Send::default()
            }],
            ..Par::default()
        }
    }
    fn receive(body: Par) -> Par {
        Par {
            receives: vec![Receive {
                binds: vec![ReceiveBind {
                    patterns: vec![expr(ExprInstance::EVarBody(EVar {
                        v: Some(Var {
                            var_instance: Some(VarInstance::FreeVar(0)),
                        }),
                    }))],
                    source: Some(expr(ExprInstance::GString("c".into()))),
                    remainder: None,
                    free_count: 1,
                }],
                body: Some(body),
                bind_count: 1,
                ..Receive::default()
            }],
            ..Par::default()
        }
    }
    on_main_sized_stack(|| {
        const DEPTH: usize = 10_000;
        let chan = expr(ExprInstance::GString("out".into()));
        let lists = nested(DEPTH, bound(0), |inner| {
            expr(ExprInstance::EListBody(EList {
                ps: vec![inner],
                ..EList::default()
            }))
        });
        let sums = nested(DEPTH, bound(0), |inner| {
            expr(ExprInstance::EPlusBody(EPlus {
                p1: Some(inner),
                p2: Some(bound(0)),
            }))
        });
        let receives = nested(DEPTH, send(chan.clone(), bound(0)), receive);
        let program = receive(Par {
            sends: vec![
                send(chan.clone(), lists).sends.remove(0),
                send(chan, sums).sends.remove(0),
            ],
            receives: receives.receives,
            ..Par::default()
        });
        let normalized = Normalized {
            par: program,
            source_map: SourceMap::new(),
        };
        let wasm = compile_module(&normalized).expect("compiles");
        let facts = inspect(&wasm);
        check_abi(&facts);
        assert_eq!(facts.calls.get(abi::IMPORT_MAKE_LIST), Some(&DEPTH));
        // One body per receive.
        assert_eq!(pool_of(&facts).body_components.len(), DEPTH + 2);
        // Dropping a deep Par recurses: do it on a stack large enough.
        normalized.par.drop_deep();
    });
}

/// Arbitrary Pars, well-formed or not: every construct of the data model,
/// variables with any index, pattern-only constructs in value position.
mod arbitrary {
    use proptest::prelude::*;
    use rho_host_abi::par::{
        Bundle, Connective, ConnectiveBody, EList, EMap, EMatches, EMethod, ENeg, ENot, EPlus,
        ESet, EShortAnd, ETuple, EVar, Expr, GPrivate, GUnforgeable, KeyValuePair, Match,
        MatchCase, New, Par, Receive, ReceiveBind, Send, Var, VarRef,
        connective::ConnectiveInstance,
        expr::ExprInstance,
        g_unforgeable::UnfInstance,
        var::{VarInstance, WildcardMsg},
    };

    fn var() -> impl Strategy<Value = Var> {
        prop_oneof![
            (-2i32..6).prop_map(VarInstance::BoundVar),
            (0i32..3).prop_map(VarInstance::FreeVar),
            Just(VarInstance::Wildcard(WildcardMsg {})),
        ]
        .prop_map(|instance| Var {
            var_instance: Some(instance),
        })
    }

    fn leaf_expr() -> impl Strategy<Value = Expr> {
        prop_oneof![
            any::<bool>().prop_map(ExprInstance::GBool),
            prop_oneof![any::<i64>(), -5i64..5].prop_map(ExprInstance::GInt),
            "[a-z]{0,3}".prop_map(ExprInstance::GString),
            proptest::collection::vec(any::<u8>(), 0..3).prop_map(ExprInstance::GByteArray),
            var().prop_map(|v| ExprInstance::EVarBody(EVar { v: Some(v) })),
        ]
        .prop_map(|instance| Expr {
            expr_instance: Some(instance),
        })
    }

    fn expr_with(inner: BoxedStrategy<Par>) -> impl Strategy<Value = Expr> {
        let opt = proptest::option::of(inner.clone());
        let list = proptest::collection::vec(inner.clone(), 0..3);
        prop_oneof![
            leaf_expr().prop_map(|e| e.expr_instance),
            opt.clone()
                .prop_map(|p| Some(ExprInstance::ENotBody(ENot { p }))),
            opt.clone()
                .prop_map(|p| Some(ExprInstance::ENegBody(ENeg { p }))),
            (opt.clone(), opt.clone())
                .prop_map(|(p1, p2)| Some(ExprInstance::EPlusBody(EPlus { p1, p2 }))),
            (opt.clone(), opt.clone())
                .prop_map(|(p1, p2)| Some(ExprInstance::EShortAndBody(EShortAnd { p1, p2 }))),
            (opt.clone(), opt.clone()).prop_map(|(target, pattern)| Some(
                ExprInstance::EMatchesBody(EMatches { target, pattern })
            )),
            (list.clone(), proptest::option::of(var())).prop_map(|(ps, remainder)| Some(
                ExprInstance::EListBody(EList {
                    ps,
                    remainder,
                    ..EList::default()
                })
            )),
            list.clone()
                .prop_map(|ps| Some(ExprInstance::ETupleBody(ETuple {
                    ps,
                    ..ETuple::default()
                }))),
            list.clone()
                .prop_map(|ps| Some(ExprInstance::ESetBody(ESet {
                    ps,
                    ..ESet::default()
                }))),
            proptest::collection::vec((opt.clone(), opt.clone()), 0..3).prop_map(|kvs| Some(
                ExprInstance::EMapBody(EMap {
                    kvs: kvs
                        .into_iter()
                        .map(|(key, value)| KeyValuePair { key, value })
                        .collect(),
                    ..EMap::default()
                })
            )),
            (opt.clone(), list.clone()).prop_map(|(target, arguments)| Some(
                ExprInstance::EMethodBody(EMethod {
                    method_name: "nth".to_owned(),
                    target,
                    arguments,
                    ..EMethod::default()
                })
            )),
            Just(None),
        ]
        .prop_map(|expr_instance| Expr { expr_instance })
    }

    /// Arbitrary Pars up to a few levels deep.
    pub(super) fn par() -> impl Strategy<Value = Par> {
        let leaf = prop_oneof![
            Just(Par::default()),
            leaf_expr().prop_map(|expr| Par {
                exprs: vec![expr],
                ..Par::default()
            }),
            Just(Par {
                unforgeables: vec![GUnforgeable {
                    unf_instance: Some(UnfInstance::GPrivateBody(GPrivate { id: vec![7; 4] })),
                }],
                ..Par::default()
            }),
        ];
        leaf.prop_recursive(4, 48, 4, |inner| {
            let opt = proptest::option::of(inner.clone());
            let list = proptest::collection::vec(inner.clone(), 0..3);
            let send =
                (opt.clone(), list.clone(), any::<bool>()).prop_map(|(chan, data, persistent)| {
                    Send {
                        chan,
                        data,
                        persistent,
                        ..Send::default()
                    }
                });
            let bind = (
                list.clone(),
                opt.clone(),
                proptest::option::of(var()),
                -1i32..3,
            )
                .prop_map(|(patterns, source, remainder, free_count)| ReceiveBind {
                    patterns,
                    source,
                    remainder,
                    free_count,
                });
            let receive = (
                proptest::collection::vec(bind, 0..3),
                opt.clone(),
                any::<bool>(),
                any::<bool>(),
            )
                .prop_map(|(binds, body, persistent, peek)| Receive {
                    bind_count: binds.len() as i32,
                    binds,
                    body,
                    persistent,
                    peek,
                    ..Receive::default()
                });
            let new = (
                -1i32..3,
                opt.clone(),
                proptest::collection::vec("rho:[a-z:]{0,8}", 0..2),
            )
                .prop_map(|(bind_count, p, uri)| New {
                    bind_count,
                    p,
                    uri,
                    ..New::default()
                });
            let case =
                (opt.clone(), opt.clone(), -1i32..3).prop_map(|(pattern, source, free_count)| {
                    MatchCase {
                        pattern,
                        source,
                        free_count,
                    }
                });
            let matched =
                (opt.clone(), proptest::collection::vec(case, 0..4)).prop_map(|(target, cases)| {
                    Match {
                        target,
                        cases,
                        ..Match::default()
                    }
                });
            let bundle = (opt.clone(), any::<bool>(), any::<bool>()).prop_map(
                |(body, write_flag, read_flag)| Bundle {
                    body,
                    write_flag,
                    read_flag,
                },
            );
            let connective = prop_oneof![
                list.clone()
                    .prop_map(|ps| ConnectiveInstance::ConnAndBody(ConnectiveBody { ps })),
                inner.clone().prop_map(ConnectiveInstance::ConnNotBody),
                (-1i32..3, -1i32..3).prop_map(|(index, depth)| ConnectiveInstance::VarRefBody(
                    VarRef { index, depth }
                )),
                Just(ConnectiveInstance::ConnInt(true)),
            ]
            .prop_map(|instance| Connective {
                connective_instance: Some(instance),
            });
            (
                proptest::collection::vec(send, 0..3),
                proptest::collection::vec(receive, 0..2),
                proptest::collection::vec(new, 0..2),
                proptest::collection::vec(expr_with(inner.clone().boxed()), 0..3),
                proptest::collection::vec(matched, 0..2),
                proptest::collection::vec(bundle, 0..2),
                proptest::collection::vec(connective, 0..2),
            )
                .prop_map(
                    |(sends, receives, news, exprs, matches, bundles, connectives)| Par {
                        sends,
                        receives,
                        news,
                        exprs,
                        matches,
                        bundles,
                        connectives,
                        ..Par::default()
                    },
                )
        })
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

    /// Any Par compiles to a module the runtime accepts, or to a clean
    /// error; never a panic; and the same bytes twice.
    #[test]
    fn any_par_compiles_to_a_valid_module_or_a_clean_error(par in arbitrary::par()) {
        let normalized = Normalized { par, source_map: SourceMap::new() };
        if let Ok(wasm) = compile_module(&normalized) {
            let facts = inspect(&wasm);
            check_abi(&facts);
            proptest::prop_assert!(compile_module(&normalized) == Ok(wasm));
        }
    }
}

#[test]
fn identical_small_bodies_share_one_function() {
    let mut source = String::from("new x in { Nil");
    for _ in 0..1000 {
        source.push_str(" | for (@v <- x) { x!(v + 1) }");
    }
    // The same body under two different receives.
    source.push_str(" | for (@v <= x) { x!(v + 1) } }");
    let wasm = compile_module(&compile(&source)).unwrap();
    let facts = inspect(&wasm);
    let pool = pool_of(&facts);
    // The `new`, its body, and one receive body.
    assert_eq!(pool.body_components, vec![1, 1001, 1]);
    assert_eq!(pool.receives.len(), 2);
}
