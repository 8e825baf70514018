//! The `rhoc` command line. See `cli` for the commands.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
