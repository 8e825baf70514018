//! `rhoc normalize FILE.rho [--emit text|proto] [-o OUT]`: the normalized,
//! sorted Par, as text in the reference printer's syntax (which parses back
//! to the same Par) or as protobuf bytes.

use rho_host_abi::{encode_par, print_par};

use super::{Exit, compile_file, write_output};

/// What `rhoc normalize` writes.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default)]
enum Emit {
    /// The reference printer's text.
    #[default]
    Text,
    /// The protobuf encoding of the Par.
    Proto,
}

/// Arguments of `rhoc normalize`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The Rholang source file.
    file: String,
    /// The output format.
    #[arg(long, value_enum, default_value_t = Emit::Text)]
    emit: Emit,
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    out: Option<String>,
}

pub(crate) fn run(args: Args) -> Exit {
    let program = match compile_file(&args.file) {
        Ok(program) => program,
        Err(exit) => return exit,
    };
    let bytes = match args.emit {
        Emit::Text => {
            let mut text = print_par(&program.par);
            text.push('\n');
            text.into_bytes()
        }
        Emit::Proto => encode_par(&program.par),
    };
    write_output(args.out.as_deref(), &bytes)
}
