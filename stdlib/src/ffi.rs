//! Foreign Wasm modules as processes: `rho:ffi:wasm`, granted with
//! `--allow-ffi`.
//!
//! `ffi!(module, *ret)` (or `ffi!(module, *ret, *err)`) loads a Wasm module
//! and sends on `ret` a channel on which its exported functions can be
//! called. `module` is the module's bytes, or the path of a `.wasm` file
//! relative to the `--allow-fs` directory (no `..`, no absolute path, no
//! symbolic link out of it; refused when files are not granted). A file is
//! read through [`NativeCall::io`], so its bytes are in the event log and a
//! replay never opens it.
//!
//! On the module's channel `m`:
//!
//! - `(*m).add(2, 3)` calls export `add` synchronously: the result replaces
//!   the call; a failure is a runtime error of the calling process;
//! - `m!("add", *ret, 2, 3)` or `m!("add", *ret, *err, 2, 3)` calls it
//!   asynchronously: the result is sent on `ret`; a failure is printed on
//!   stderr and sent (as a string) on `err` when one is given. The value
//!   after `ret` is the error channel unless it is an Int or a byte array.
//!
//! Arguments are Ints and byte arrays; results are Nil, an Int or a byte
//! array. How they cross into the module, and what a call costs, is the
//! runtime's [`foreign`](rho_runtime::wasm::foreign) convention: the module
//! is validated, metered and run as deterministically as a deploy, each
//! call in a fresh instance, within the phlo left to the run. A call that
//! runs out of phlo stops the run; any other failure (a load refused, a
//! wrong argument, a trap) ends only that call and is answered as above.

mod module;
pub mod path;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rho_runtime::native::{NativeCall, NativeProcess, Powerbox, bad_arguments};
use rho_runtime::wasm::foreign::{ForeignModule, load_phlo};
use rho_runtime::wasm::validate::ModuleLimits;
use rho_runtime::{RuntimeError, Value};

use self::module::ModuleProcess;
use crate::grants::Grants;

/// The resolver's URI.
pub const URI: &str = "rho:ffi:wasm";

/// Binds `rho:ffi:wasm` if `grants` allow it; withholds it otherwise.
pub fn install(powerbox: &mut Powerbox, grants: &Grants) {
    if !grants.ffi {
        powerbox.withhold(URI, "run with --allow-ffi to grant loading Wasm modules");
        return;
    }
    powerbox.bind_process(
        URI,
        Arc::new(Loader {
            fs_root: grants.fs_root.clone(),
        }),
    );
}

/// `rho:ffi:wasm` itself: loads modules.
struct Loader {
    /// The `--allow-fs` directory module files are read from, if granted.
    fs_root: Option<PathBuf>,
}

impl NativeProcess for Loader {
    fn name(&self) -> &str {
        URI
    }

    fn arities(&self) -> &[usize] {
        &[2, 3]
    }

    fn call(&self, call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
        let (source, ret, err) = match args.as_slice() {
            [source, ret] => (source, ret, None),
            [source, ret, err] => (source, ret, Some(err)),
            _ => {
                return Err(bad_arguments(
                    URI,
                    "a module (byte array or file path), a return channel and optionally an \
                     error channel",
                    &args,
                ));
            }
        };
        let bytes = match source {
            Value::Bytes(bytes) => Arc::clone(bytes),
            Value::Str(path) => match self.read_file(call, path)? {
                Ok(bytes) => bytes,
                Err(message) => {
                    report(call, err, &message);
                    return Ok(());
                }
            },
            other => {
                let message = format!(
                    "a module is a byte array or a file path, not a {}",
                    other.type_name()
                );
                report(call, err, &message);
                return Ok(());
            }
        };
        call.charge(load_phlo(&bytes))?;
        match ForeignModule::load(&bytes) {
            Ok(module) => {
                let channel = call.bind(Arc::new(ModuleProcess::new(module)));
                call.send(ret.clone(), vec![channel]);
            }
            Err(error) => report(call, err, &error.to_string()),
        }
        Ok(())
    }
}

impl Loader {
    /// The bytes of the module file `relative`, read (or, on replay, taken
    /// from the event log) through [`NativeCall::io`].
    fn read_file(
        &self,
        call: &mut NativeCall<'_>,
        relative: &str,
    ) -> Result<Result<Arc<[u8]>, String>, RuntimeError> {
        let Some(root) = self.fs_root.as_deref() else {
            return Ok(Err(format!(
                "cannot load the module file `{relative}`: files are not granted to this run \
                 (run with --allow-fs DIR, or pass the module's bytes)"
            )));
        };
        if let Err(message) = path::check_relative(relative) {
            return Ok(Err(message));
        }
        let max_bytes = ModuleLimits::default().module_bytes;
        let outcome = call.io(&format!("{URI} read {relative}"), || {
            read(root, relative, max_bytes)
        })?;
        Ok(match outcome {
            Ok(Value::Bytes(bytes)) => Ok(bytes),
            Ok(other) => {
                return Err(RuntimeError::ReplayMismatch(format!(
                    "the recorded module file `{relative}` is a {}, not bytes",
                    other.type_name()
                )));
            }
            Err(message) => Err(message),
        })
    }
}

fn read(root: &Path, relative: &str, max_bytes: u64) -> Result<Value, String> {
    path::read_module(root, relative, max_bytes).map(|bytes| Value::Bytes(bytes.into()))
}

/// Reports a failed load or call: on stderr, and on `err` if given.
fn report(call: &mut NativeCall<'_>, err: Option<&Value>, message: &str) {
    call.print_stderr(&format!("{URI}: {message}"));
    if let Some(err) = err {
        call.send(err.clone(), vec![Value::string(message)]);
    }
}
