//! `rhoc run FILE` and `rhoc replay FILE --log LOG`: compile and execute a
//! Rholang program, reporting its output, runtime errors and statistics.

use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::time::Instant;

use clap::ValueEnum;
use rho_host_abi::source_map::SourceLoc;
use rho_runtime::tuplespace::{Event, EventLog};
use rho_runtime::wasm::WasmEngine;
use rho_runtime::{LocatedError, LogMode, RunConfig, RunReport, RuntimeError};
use rhoc::frontend::Normalized;

use super::powerbox::{self, ContextArgs, GrantArgs};
use super::{Exit, compile_file, preludes};

/// The execution engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// Compile to WebAssembly and run under wasmtime.
    Wasm,
    /// The Par evaluator.
    Interp,
}

/// Options of `rhoc run`.
#[derive(clap::Args, Debug)]
pub(crate) struct RunArgs {
    /// The program: Rholang source.
    pub file: String,
    /// The execution engine.
    #[arg(long, value_enum, default_value_t = Engine::Wasm)]
    pub engine: Engine,
    /// The phlo limit.
    #[arg(long, default_value_t = rho_runtime::phlo::DEFAULT_PHLO_LIMIT)]
    pub phlo_limit: u64,
    /// Seed of the name generator, in hex.
    #[arg(long)]
    pub seed: Option<String>,
    /// Print `key: value` statistics to stderr.
    #[arg(long)]
    pub stats: bool,
    /// Write the full event log to this file.
    #[arg(long, value_name = "LOG")]
    pub record: Option<String>,
    #[command(flatten)]
    pub context: ContextArgs,
    #[command(flatten)]
    pub grants: GrantArgs,
}

/// Options of `rhoc replay`.
#[derive(clap::Args, Debug)]
pub(crate) struct ReplayArgs {
    /// The program that was recorded.
    pub file: String,
    /// The event log written by `rhoc run --record`.
    #[arg(long, value_name = "LOG")]
    pub log: String,
    /// The execution engine (the same as the recorded run's).
    #[arg(long, value_enum, default_value_t = Engine::Wasm)]
    pub engine: Engine,
    /// The phlo limit of the recorded run.
    #[arg(long, default_value_t = rho_runtime::phlo::DEFAULT_PHLO_LIMIT)]
    pub phlo_limit: u64,
    /// Seed of the recorded run, in hex.
    #[arg(long)]
    pub seed: Option<String>,
    /// Print `key: value` statistics to stderr.
    #[arg(long)]
    pub stats: bool,
    #[command(flatten)]
    pub context: ContextArgs,
}

/// Runs `rhoc run`.
pub(crate) fn run(args: RunArgs) -> Exit {
    let seed = match parse_seed(args.seed.as_deref()) {
        Ok(seed) => seed,
        Err(exit) => return exit,
    };
    let powerbox = match powerbox::for_run(&args.context, &args.grants) {
        Ok(powerbox) => powerbox,
        Err(exit) => return exit,
    };
    let config = RunConfig {
        phlo_limit: args.phlo_limit,
        seed,
        log: if args.record.is_some() {
            LogMode::Record
        } else {
            LogMode::Digest
        },
        powerbox,
        ..RunConfig::default()
    };
    let (report, code) = match execute(&args.file, args.engine, &config, args.stats) {
        Ok(done) => done,
        Err(exit) => return exit,
    };
    if let Some(path) = &args.record
        && let Err(err) = fs::write(path, report.log.to_text())
    {
        eprintln!("rhoc: cannot write the event log to {path}: {err}");
        return Exit::Usage;
    }
    code
}

/// Runs `rhoc replay`.
pub(crate) fn replay(args: ReplayArgs) -> Exit {
    let seed = match parse_seed(args.seed.as_deref()) {
        Ok(seed) => seed,
        Err(exit) => return exit,
    };
    let text = match fs::read_to_string(&args.log) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("rhoc: cannot read {}: {err}", args.log);
            return Exit::Usage;
        }
    };
    let events = match EventLog::parse_text(&text) {
        Ok(events) => events,
        Err(err) => {
            eprintln!("{}: error: {err}", args.log);
            return Exit::Usage;
        }
    };
    let logged: Vec<String> = events
        .iter()
        .filter_map(|event| match event {
            Event::Grant(capability) => Some(capability.clone()),
            _ => None,
        })
        .collect();
    let powerbox = match powerbox::for_replay(&args.context, &logged) {
        Ok(powerbox) => powerbox,
        Err(exit) => return exit,
    };
    let config = RunConfig {
        phlo_limit: args.phlo_limit,
        seed,
        log: LogMode::Replay(events),
        powerbox,
        ..RunConfig::default()
    };
    let (report, code) = match execute(&args.file, args.engine, &config, args.stats) {
        Ok(done) => done,
        Err(exit) => return exit,
    };
    let diverged = report
        .errors
        .iter()
        .any(|e| matches!(e.error, RuntimeError::ReplayMismatch(_)));
    match &report.replay {
        Ok(()) if !diverged => {
            eprintln!("replay: matched the log ({} COMMs)", report.comms);
            code
        }
        Ok(()) => {
            eprintln!("replay: did not match the log");
            Exit::Runtime
        }
        Err(mismatch) => {
            eprintln!("replay: did not match the log: {mismatch}");
            Exit::Runtime
        }
    }
}

/// Compiles and runs `path`; returns the report and the exit status, or the
/// exit status of a failure before the run.
/// What `rhoc run` executes.
enum Program {
    /// A normalized Par, for the evaluator.
    Par(Box<Normalized>),
    /// A Wasm module.
    Module(Vec<u8>),
}

fn execute(
    path: &str,
    engine: Engine,
    config: &RunConfig,
    stats: bool,
) -> Result<(RunReport, Exit), Exit> {
    let started = Instant::now();
    let program_bytes = fs::read(path).unwrap_or_default();
    let libraries = rho_stdlib::library::needed_by(&program_bytes);
    let (program, source) = if is_wasm_module(path) {
        if engine == Engine::Interp {
            eprintln!("{path}: error: a Wasm module runs only with --engine wasm");
            return Err(Exit::Usage);
        }
        let bytes = fs::read(path).map_err(|err| {
            eprintln!("rhoc: cannot read {path}: {err}");
            Exit::Usage
        })?;
        // Error positions in a module refer to its source, if it is beside it.
        let source = fs::read_to_string(std::path::Path::new(path).with_extension("rho")).ok();
        (Program::Module(bytes), source)
    } else {
        let normalized = compile_file(path)?;
        let source = fs::read_to_string(path).ok();
        match engine {
            Engine::Interp => (Program::Par(Box::new(normalized)), source),
            Engine::Wasm => match rhoc::codegen::compile_module(&normalized) {
                Ok(bytes) => (Program::Module(bytes), source),
                Err(err) => {
                    eprintln!("{path}: error: code generation failed: {err}");
                    return Err(Exit::SourceError);
                }
            },
        }
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    let (report, compiled, wasm_functions) = match program {
        Program::Par(normalized) => {
            let Normalized { par, source_map } = *normalized;
            let preludes = preludes::normalized(&libraries)?;
            let compiled = Instant::now();
            let report = rho_runtime::run_with_preludes(
                preludes,
                par,
                Some(&source_map),
                config,
                &mut out,
                &mut err,
            );
            (report, compiled, None)
        }
        Program::Module(bytes) => {
            let mut engine = WasmEngine::new().map_err(|e| {
                eprintln!("rhoc: cannot start the Wasm engine: {e}");
                Exit::Usage
            })?;
            if let Some(dir) = WasmEngine::default_cache_dir() {
                engine = engine.with_disk_cache(dir);
            }
            let module = engine.compile(&bytes).map_err(|e| {
                eprintln!("{path}: error: {e}");
                Exit::Rejected
            })?;
            let preludes = preludes::compiled(&engine, &libraries)?;
            let preludes: Vec<_> = preludes.iter().collect();
            let compiled = Instant::now();
            let report = engine
                .run_with_preludes(&preludes, &module, config, &mut out, &mut err)
                .map_err(|e| {
                    eprintln!("{path}: error: {e}");
                    Exit::Rejected
                })?;
            (
                report,
                compiled,
                Some((module.function_count(), module.origin())),
            )
        }
    };
    let _ = out.flush();
    let source = source.unwrap_or_default();
    let file_name = path;
    let finished = Instant::now();
    let mut stderr = io::stderr().lock();
    for error in &report.errors {
        let _ = write!(
            stderr,
            "{}",
            render_runtime_error(file_name, &source, error)
        );
    }
    let code = if report.out_of_phlo {
        Exit::OutOfPhlo
    } else if report.errors.is_empty() {
        Exit::Success
    } else {
        Exit::Runtime
    };
    if !report.errors.is_empty() {
        let _ = writeln!(
            stderr,
            "error: {} runtime error(s); the run spent {} phlo",
            report.errors.len(),
            report.phlo_spent
        );
    }
    if stats {
        let _ = writeln!(stderr, "phlo: {}", report.phlo_spent);
        let _ = writeln!(stderr, "comms: {}", report.comms);
        let _ = writeln!(stderr, "wall_ms: {}", (finished - started).as_millis());
        let _ = writeln!(stderr, "compile_ms: {}", (compiled - started).as_millis());
        if let Some((functions, origin)) = wasm_functions {
            let _ = writeln!(stderr, "wasm_functions: {functions}");
            let origin = match origin {
                rho_runtime::wasm::Origin::Compiled => "compiled",
                rho_runtime::wasm::Origin::MemoryCache => "memory",
                rho_runtime::wasm::Origin::DiskCache => "disk",
            };
            let _ = writeln!(stderr, "compile_cache: {origin}");
        }
        let _ = writeln!(stderr, "interp_fallbacks: {}", report.reflected);
        let _ = writeln!(stderr, "log_digest: {:016x}", report.log.digest());
        let _ = writeln!(stderr, "state_hash: {}", hex_string(&report.state_hash));
    }
    Ok((report, code))
}

/// `FILE:LINE:COL: error: MESSAGE`, the source line and a caret; without a
/// location, `FILE: error: MESSAGE`.
fn render_runtime_error(file_name: &str, source: &str, error: &LocatedError) -> String {
    match error.loc {
        Some(SourceLoc { line, col }) => {
            let text = source
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .unwrap_or("");
            let caret_pad: String = text
                .chars()
                .take(col.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            format!(
                "{file_name}:{line}:{col}: error: {}\n{text}\n{caret_pad}^\n",
                error.error
            )
        }
        None => format!("{file_name}: error: {}\n", error.error),
    }
}

/// Whether the file starts with the Wasm magic bytes.
fn is_wasm_module(path: &str) -> bool {
    let mut magic = [0u8; 4];
    fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut magic))
        .is_ok()
        && magic == *b"\0asm"
}

fn parse_seed(seed: Option<&str>) -> Result<Vec<u8>, Exit> {
    let Some(seed) = seed else {
        return Ok(rho_runtime::DEFAULT_SEED.to_vec());
    };
    let seed = seed.strip_prefix("0x").unwrap_or(seed);
    if seed.is_empty() || seed.len() % 2 != 0 || !seed.bytes().all(|b| b.is_ascii_hexdigit()) {
        eprintln!("error: --seed takes an even number of hex digits");
        return Err(Exit::Usage);
    }
    Ok((0..seed.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&seed[i..i + 2], 16).unwrap_or(0))
        .collect())
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
