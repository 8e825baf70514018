//! `rhoc check FILE.rho`: exit 0 when the program parses and normalizes,
//! 1 with diagnostics on stderr otherwise.

use super::{Exit, compile_file};

/// Arguments of `rhoc check`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The Rholang source file.
    file: String,
}

pub(crate) fn run(args: Args) -> Exit {
    match compile_file(&args.file) {
        Ok(_) => Exit::Success,
        Err(exit) => exit,
    }
}
