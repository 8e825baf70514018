//! The `rhoc` command line. See `cli` for the commands.

mod cli;

/// mimalloc instead of the system allocator: a run allocates and frees small
/// values, environments and tasks at every COMM, and glibc's malloc and free
/// were a fifth of the instructions of the hot path (callgrind, countdown).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
