//! The file resolver `rho:io:fs`, rooted at the directory the operator
//! grants with `--allow-fs DIR`.
//!
//! Without the grant the URI is withheld. With it, the resolver turns a
//! path relative to the granted directory into a file channel, and the file
//! channel answers operations on that one path:
//!
//! ```text
//! new fs(`rho:io:fs`) in {
//!   fs!("notes/today.txt", *file)            // or fs!(path, *file, *err)
//! }
//! file!("read", *ret)          // ret: the contents as a byte array
//! file!("readText", *ret)      // ret: the contents as a string (UTF-8)
//! file!("write", data, *ack)   // data: bytes or a string; creates or truncates; ack: Nil
//! file!("append", data, *ack)  // creates if missing; ack: Nil
//! file!("size", *ret)          // ret: the size in bytes (Int)
//! file!("list", *ret)          // a directory: ret gets its entry names, sorted
//! file!("exists", *ret)        // ret: true or false
//! file!("mkdir", *ack)         // creates the directory and missing parents; ack: Nil
//! ```
//!
//! Every operation also takes an optional last error channel
//! (`file!("read", *ret, *err)`), which receives a message string when the
//! operation fails; the message is always written to stderr too, and the
//! run goes on. `""` and `"."` name the granted directory itself (to `list`
//! it). Strings are written as their bytes (Rholang string literals are not
//! unescaped: `"\n"` is a backslash and an `n`).
//!
//! Paths never leave the granted directory: absolute paths, `..` and
//! backslashes are refused by their spelling, and every operation resolves
//! the existing part of its path (following symbolic links) and refuses it
//! unless it is still inside the directory ([`path`]). Each resolution and
//! operation is non-deterministic work recorded in the event log
//! (`fs open PATH`, `fs read PATH`, `fs write PATH (N bytes)`, ...), so a
//! replay takes the outcomes from the log and never touches the files.
//! Phlo: [`OPERATION_PHLO`] per operation plus
//! [`PHLO_PER_BYTE`] per byte written or returned.

pub mod file;
pub mod path;
pub(crate) mod reply;

pub use self::reply::{OPERATION_PHLO, PHLO_PER_BYTE};

use std::path::PathBuf;
use std::sync::Arc;

use rho_runtime::native::{NativeCall, NativeProcess, Powerbox, bad_arguments};
use rho_runtime::{RuntimeError, Value};

use self::file::FileProcess;
use self::path::{RelativePath, confine};
use self::reply::{Reply, charge_operation};
use crate::grants::Grants;

/// The URI of the file resolver.
pub const URI: &str = "rho:io:fs";

/// Binds `rho:io:fs` if `grants` allow files; withholds it otherwise.
pub fn install(powerbox: &mut Powerbox, grants: &Grants) {
    match &grants.fs_root {
        Some(root) => powerbox.bind_process(URI, Arc::new(FsResolver::new(root.clone()))),
        None => powerbox.withhold(URI, "run with --allow-fs DIR to grant files under DIR"),
    }
}

/// The resolver: a path in, a file channel out.
#[derive(Debug)]
pub struct FsResolver {
    root: PathBuf,
}

impl FsResolver {
    /// A resolver for the files under `root` (the canonical granted
    /// directory).
    pub fn new(root: PathBuf) -> FsResolver {
        FsResolver { root }
    }
}

impl NativeProcess for FsResolver {
    fn name(&self) -> &str {
        URI
    }

    fn arities(&self) -> &[usize] {
        &[2, 3]
    }

    fn call(&self, call: &mut NativeCall<'_>, args: Vec<Value>) -> Result<(), RuntimeError> {
        let parsed = match args.as_slice() {
            [Value::Str(text), channels @ ..] => {
                Reply::from_channels(channels).map(|reply| (text.clone(), reply))
            }
            _ => None,
        };
        let Some((text, reply)) = parsed else {
            return Err(bad_arguments(
                URI,
                "a path string, a return channel and an optional error channel",
                &args,
            ));
        };
        charge_operation(call, text.len())?;
        let path = match RelativePath::parse(&text) {
            Ok(path) => path,
            Err(message) => {
                reply.fail(call, &format!("fs open {text}: {message}"));
                return Ok(());
            }
        };
        let request = format!("fs open {path}");
        let outcome = call.io(&request, || confine(&self.root, &path).map(|_| Value::Nil))?;
        match outcome {
            Ok(_) => {
                let file = call.bind(Arc::new(FileProcess::new(self.root.clone(), path)));
                reply.succeed(call, file);
            }
            Err(message) => reply.fail(call, &format!("{request}: {message}")),
        }
        Ok(())
    }
}
