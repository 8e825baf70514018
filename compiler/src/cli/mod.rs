//! The `rhoc` command line (DESIGN.md, section 4).
//!
//! One file per subcommand; each has an `Args` struct (clap) and a
//! `run(args) -> Exit` function. To add a command, add a variant to
//! [`Command`] and a line to [`dispatch`].
//!
//! Exit statuses: 0 success, 1 error in the source, 2 usage error (bad
//! arguments, unreadable input, unwritable output), 3 runtime error, 4 out
//! of phlo, 5 module rejected.

mod build;
mod check;
mod normalize;
mod powerbox;
mod preludes;
mod run;

use std::fs;
use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rhoc::diagnostic::{Diagnostic, SourceFile};
use rhoc::frontend::{Normalized, compile_source, decode_source};

/// The stack of the thread that does the work: deeply nested programs
/// make deep (if guarded) recursion, and dropping a deep Par recurses.
const WORKER_STACK: usize = 512 * 1024 * 1024;

/// The version line printed by `rhoc --version`.
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{} (abi {}, cost table {})",
        env!("CARGO_PKG_VERSION"),
        rho_host_abi::abi::ABI_VERSION,
        rho_runtime::phlo::COST_TABLE_VERSION
    )
});

/// How a command ended; the process exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    Success = 0,
    SourceError = 1,
    Usage = 2,
    Runtime = 3,
    OutOfPhlo = 4,
    Rejected = 5,
}

#[derive(Parser, Debug)]
#[command(name = "rhoc", version = VERSION.as_str(), about = "The Rholang compiler")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check that a program parses and normalizes.
    Check(check::Args),
    /// Print or write a program's normalized, canonical Par.
    Normalize(normalize::Args),
    /// Compile a program to a Wasm module.
    Build(build::Args),
    /// Run a program.
    Run(run::RunArgs),
    /// Re-run a program following an event log written by `run --record`.
    Replay(run::ReplayArgs),
}

fn dispatch(command: Command) -> Exit {
    match command {
        Command::Check(args) => check::run(args),
        Command::Normalize(args) => normalize::run(args),
        Command::Build(args) => build::run(args),
        Command::Run(args) => run::run(args),
        Command::Replay(args) => run::replay(args),
    }
}

/// Parses the command line and runs the command on a thread with a large
/// stack.
pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                Exit::Usage as u8
            } else {
                Exit::Success as u8
            });
        }
    };
    let worker = std::thread::Builder::new()
        .name("rhoc".to_owned())
        .stack_size(WORKER_STACK)
        .spawn(move || dispatch(cli.command));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(exit)) => ExitCode::from(exit as u8),
        Ok(Err(_)) => {
            eprintln!("rhoc: internal error (this is a bug in rhoc)");
            ExitCode::from(101)
        }
        Err(error) => {
            eprintln!("rhoc: cannot start: {error}");
            ExitCode::from(Exit::Usage as u8)
        }
    }
}

/// Reads and compiles a source file, printing diagnostics on stderr.
pub(crate) fn compile_file(path: &str) -> Result<Normalized, Exit> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("rhoc: cannot read {path}: {error}");
            return Err(Exit::Usage);
        }
    };
    let source = match decode_source(&bytes) {
        Ok(source) => source,
        Err(diagnostic) => {
            let text = String::from_utf8_lossy(&bytes);
            report(path, &text, &[diagnostic]);
            return Err(Exit::SourceError);
        }
    };
    compile_source(path, source).map_err(|diagnostics| {
        report(path, source, &diagnostics);
        Exit::SourceError
    })
}

/// Prints diagnostics on stderr in the `FILE:LINE:COL: error: MESSAGE`
/// format.
fn report(path: &str, text: &str, diagnostics: &[Diagnostic]) {
    let rendered = SourceFile::new(path, text).render_all(diagnostics);
    let _ = std::io::stderr().write_all(rendered.as_bytes());
}

/// Writes `bytes` to the file `out`, or to stdout when there is none.
pub(crate) fn write_output(out: Option<&str>, bytes: &[u8]) -> Exit {
    let written = match out {
        Some(path) => {
            fs::write(path, bytes).map_err(|error| format!("cannot write {path}: {error}"))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(|error| format!("cannot write output: {error}"))
        }
    };
    match written {
        Ok(()) => Exit::Success,
        Err(message) => {
            eprintln!("rhoc: {message}");
            Exit::Usage
        }
    }
}
