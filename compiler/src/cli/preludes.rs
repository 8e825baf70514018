//! The standard library's contracts that a program needs, compiled for the
//! run: normalized for the evaluator, or compiled to Wasm (through the
//! engine's memory and disk caches) for the Wasm engine.

use rho_runtime::wasm::{CompiledModule, WasmEngine};
use rho_stdlib::library::Library;
use rhoc::frontend::compile_source;

use super::Exit;

/// The libraries as normalized Pars, for the evaluator.
pub(crate) fn normalized(libraries: &[&Library]) -> Result<Vec<rho_host_abi::par::Par>, Exit> {
    libraries
        .iter()
        .map(|library| Ok(front_end(library)?.par))
        .collect()
}

/// The libraries as compiled modules, for the Wasm engine.
pub(crate) fn compiled(
    engine: &WasmEngine,
    libraries: &[&Library],
) -> Result<Vec<CompiledModule>, Exit> {
    libraries
        .iter()
        .map(|library| {
            // Compiled without source positions: a runtime error in library
            // code is reported against the program's file, where the
            // library's line numbers would point at the wrong lines.
            let normalized = rhoc::frontend::Normalized {
                source_map: Default::default(),
                ..front_end(library)?
            };
            let bytes = rhoc::codegen::compile_module(&normalized).map_err(|err| {
                eprintln!(
                    "{}: internal error: code generation failed: {err}",
                    library.file
                );
                Exit::Rejected
            })?;
            engine.compile(&bytes).map_err(|err| {
                eprintln!("{}: internal error: {err}", library.file);
                Exit::Rejected
            })
        })
        .collect()
}

fn front_end(library: &Library) -> Result<rhoc::frontend::Normalized, Exit> {
    compile_source(library.file, library.source).map_err(|diagnostics| {
        let rendered = rhoc::diagnostic::SourceFile::new(library.file, library.source)
            .render_all(&diagnostics);
        eprint!("internal error in the standard library:\n{rendered}");
        Exit::SourceError
    })
}
