//! The Rholang library contracts: each compiles (front end, code generation
//! and the runtime's module checks), binds its own URI, and
//! [`needed_by`] finds the libraries a program uses, with their own
//! dependencies, in [`LIBRARIES`] order.
//!
//! What the libraries do is checked by the Rholang programs in
//! `stdlib/tests/rholang`, which the conformance suite runs.

use rho_runtime::wasm::WasmEngine;
use rho_stdlib::library::{LIBRARIES, Library, needed_by};

fn uris(libraries: &[&Library]) -> Vec<&'static str> {
    libraries.iter().map(|library| library.uri).collect()
}

fn library(uri: &str) -> &'static Library {
    LIBRARIES
        .iter()
        .find(|library| library.uri == uri)
        .unwrap_or_else(|| panic!("no library {uri}"))
}

/// Compiles `source` to a Wasm module as `rhoc build` does.
fn build(file: &str, source: &str) -> Vec<u8> {
    let normalized = rhoc::frontend::compile_source(file, source).unwrap_or_else(|diagnostics| {
        let rendered = rhoc::diagnostic::SourceFile::new(file, source).render_all(&diagnostics);
        panic!("{file} does not compile:\n{rendered}")
    });
    rhoc::codegen::compile_module(&normalized)
        .unwrap_or_else(|err| panic!("{file}: code generation failed: {err}"))
}

#[test]
fn every_library_compiles_and_passes_the_module_checks() {
    let engine = WasmEngine::new().expect("the Wasm engine starts");
    for library in LIBRARIES {
        let module = build(library.file, library.source);
        if let Err(err) = engine.compile(&module) {
            panic!("{}: the runtime rejects its module: {err}", library.file);
        }
    }
}

#[test]
fn every_library_binds_its_own_uri() {
    for library in LIBRARIES {
        let binding = format!("{}(`{}`)", library_name(library), library.uri);
        assert!(
            library.source.contains(&binding),
            "{} does not bind {} as `new NAME(`URI`)`",
            library.file,
            library.uri
        );
        assert!(needed_by(library.source.as_bytes()).contains(&library));
    }
}

/// The channel name a library binds: the last part of its URI.
fn library_name(library: &Library) -> &'static str {
    library.uri.rsplit(':').next().unwrap_or_default()
}

#[test]
fn uris_and_files_are_distinct_and_files_exist() {
    for (index, library) in LIBRARIES.iter().enumerate() {
        for other in &LIBRARIES[index + 1..] {
            assert_ne!(library.uri, other.uri);
            assert_ne!(library.file, other.file);
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("rholang")
            .join(library.file);
        let on_disk = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        assert_eq!(
            on_disk, library.source,
            "{} is not the embedded source",
            library.file
        );
    }
}

#[test]
fn a_program_that_mentions_no_library_needs_none() {
    let program = r#"new stdout(`rho:io:stdout`) in { stdout!("rho:lang:list") }"#;
    assert!(needed_by(program.as_bytes()).is_empty());
    // A longer URI that starts with a library's is not the library's.
    assert!(needed_by(b"new x(`rho:lang:listOpsExtra`) in { Nil }").is_empty());
}

#[test]
fn needed_by_finds_a_library_and_its_dependencies() {
    let program = b"new either(`rho:lang:either`) in { Nil }";
    // Either's "compose" uses listOps, which therefore runs first.
    assert_eq!(
        uris(&needed_by(program)),
        ["rho:lang:listOps", "rho:lang:either"]
    );
    let program = b"new hashMap(`rho:lang:hashMap`) in { Nil }";
    assert_eq!(uris(&needed_by(program)), ["rho:lang:hashMap"]);
    let program = b"new m(`rho:lang:hashMap`), l(`rho:lang:listOps`) in { Nil }";
    assert_eq!(
        uris(&needed_by(program)),
        ["rho:lang:listOps", "rho:lang:hashMap"]
    );
}

#[test]
fn dependencies_come_before_the_libraries_that_use_them() {
    for (index, library) in LIBRARIES.iter().enumerate() {
        for dependency in needed_by(library.source.as_bytes()) {
            let position = LIBRARIES
                .iter()
                .position(|other| other == dependency)
                .unwrap_or(usize::MAX);
            assert!(
                position <= index,
                "{} uses {}, which comes after it in LIBRARIES",
                library.uri,
                dependency.uri
            );
        }
    }
    assert_eq!(
        uris(&needed_by(library("rho:lang:either").source.as_bytes())),
        ["rho:lang:listOps", "rho:lang:either"]
    );
}

#[test]
fn a_built_module_names_the_libraries_its_source_uses() {
    let source = r#"
        new either(`rho:lang:either`), ret in { either!("fromNillable", 1, "none", *ret) }
    "#;
    let module = build("uses_either.rho", source);
    assert_eq!(
        uris(&needed_by(&module)),
        ["rho:lang:listOps", "rho:lang:either"]
    );
}
