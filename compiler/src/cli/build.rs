//! `rhoc build FILE.rho [-o OUT.wasm] [--metered]`: compiles a program to a
//! Wasm module, written beside the source (`FILE.wasm`) unless `-o` says
//! otherwise. `--metered` writes the module as the runtime would run it,
//! with its metering injected, for inspection.

use std::path::Path;

use rho_runtime::phlo::COST_TABLE_VERSION;
use rho_runtime::wasm::DEFAULT_MAX_CALL_DEPTH;
use rho_runtime::wasm::meter::{WasmCosts, instrument};
use rho_runtime::wasm::validate::{ModuleLimits, validate};
use rhoc::codegen::compile_module;

use super::{Exit, compile_file, write_output};

/// Arguments of `rhoc build`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The Rholang source file.
    file: String,
    /// Where to write the module (default: FILE with the extension `.wasm`).
    #[arg(short = 'o', long = "output", value_name = "OUT.wasm")]
    out: Option<String>,
    /// Write the module with the runtime's metering injected.
    #[arg(long)]
    metered: bool,
}

pub(crate) fn run(args: Args) -> Exit {
    let program = match compile_file(&args.file) {
        Ok(program) => program,
        Err(exit) => return exit,
    };
    let module = match compile_module(&program) {
        Ok(module) => module,
        Err(error) => {
            eprintln!("{}: error: {error}", args.file);
            return Exit::SourceError;
        }
    };
    let module = if args.metered {
        match metered(&module) {
            Ok(module) => module,
            Err(message) => {
                eprintln!("rhoc: {}: {message}", args.file);
                return Exit::Rejected;
            }
        }
    } else {
        module
    };
    let out = args.out.unwrap_or_else(|| default_output(&args.file));
    write_output(Some(&out), &module)
}

/// `FILE.rho` -> `FILE.wasm`, in the same directory.
fn default_output(file: &str) -> String {
    Path::new(file)
        .with_extension("wasm")
        .to_string_lossy()
        .into_owned()
}

/// The module as the runtime would run it: validated against the default
/// limits, then instrumented with the default prices and call-depth limit.
fn metered(module: &[u8]) -> Result<Vec<u8>, String> {
    validate(module, &ModuleLimits::default(), COST_TABLE_VERSION)
        .map_err(|error| error.to_string())?;
    instrument(module, &WasmCosts::default(), DEFAULT_MAX_CALL_DEPTH)
        .map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::default_output;

    #[test]
    fn the_default_output_replaces_the_extension() {
        assert_eq!(default_output("dir/prog.rho"), "dir/prog.wasm");
        assert_eq!(default_output("prog"), "prog.wasm");
    }
}
