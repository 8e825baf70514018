//! `rhoc run FILE` and `rhoc replay FILE --log LOG`: compile and execute a
//! Rholang program, reporting its output, runtime errors and statistics.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, ValueEnum};
use rho_host_abi::source_map::SourceLoc;
use rho_runtime::tuplespace::EventLog;
use rho_runtime::{LocatedError, LogMode, RunConfig, RunReport, RuntimeError};

use crate::frontend::{self, Normalized};

/// Exit status: the program ran to quiescence.
pub const EXIT_OK: u8 = 0;
/// Exit status: an error in the source.
pub const EXIT_SOURCE_ERROR: u8 = 1;
/// Exit status: a usage error (bad option, unreadable file).
pub const EXIT_USAGE: u8 = 2;
/// Exit status: a runtime error.
pub const EXIT_RUNTIME_ERROR: u8 = 3;
/// Exit status: out of phlo.
pub const EXIT_OUT_OF_PHLO: u8 = 4;
/// Exit status: a module was rejected.
pub const EXIT_MODULE_REJECTED: u8 = 5;

/// The execution engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// Compile to WebAssembly and run under wasmtime (not available yet).
    Wasm,
    /// The Par evaluator.
    Interp,
}

/// Options of `rhoc run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The program: Rholang source.
    pub file: PathBuf,
    /// The execution engine.
    #[arg(long, value_enum, default_value_t = Engine::Interp)]
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
    pub record: Option<PathBuf>,
}

/// Options of `rhoc replay`.
#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// The program that was recorded.
    pub file: PathBuf,
    /// The event log written by `rhoc run --record`.
    #[arg(long, value_name = "LOG")]
    pub log: PathBuf,
    /// The phlo limit of the recorded run.
    #[arg(long, default_value_t = rho_runtime::phlo::DEFAULT_PHLO_LIMIT)]
    pub phlo_limit: u64,
    /// Seed of the recorded run, in hex.
    #[arg(long)]
    pub seed: Option<String>,
    /// Print `key: value` statistics to stderr.
    #[arg(long)]
    pub stats: bool,
}

/// Runs `rhoc run`.
pub fn run(args: &RunArgs) -> ExitCode {
    if args.engine == Engine::Wasm {
        eprintln!("error: the wasm engine is not available yet; use --engine interp");
        return ExitCode::from(EXIT_USAGE);
    }
    let seed = match parse_seed(args.seed.as_deref()) {
        Ok(seed) => seed,
        Err(code) => return code,
    };
    let config = RunConfig {
        phlo_limit: args.phlo_limit,
        seed,
        log: if args.record.is_some() {
            LogMode::Record
        } else {
            LogMode::Digest
        },
        ..RunConfig::default()
    };
    let (report, code) = match execute(&args.file, &config, args.stats) {
        Ok(done) => done,
        Err(code) => return code,
    };
    if let Some(path) = &args.record
        && let Err(err) = fs::write(path, report.log.to_text())
    {
        eprintln!("error: cannot write the event log to {}: {err}", path.display());
        return ExitCode::from(EXIT_USAGE);
    }
    ExitCode::from(code)
}

/// Runs `rhoc replay`.
pub fn replay(args: &ReplayArgs) -> ExitCode {
    let seed = match parse_seed(args.seed.as_deref()) {
        Ok(seed) => seed,
        Err(code) => return code,
    };
    let text = match fs::read_to_string(&args.log) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("error: cannot read {}: {err}", args.log.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let events = match EventLog::parse_text(&text) {
        Ok(events) => events,
        Err(err) => {
            eprintln!("{}: error: {err}", args.log.display());
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let config = RunConfig {
        phlo_limit: args.phlo_limit,
        seed,
        log: LogMode::Replay(events),
        ..RunConfig::default()
    };
    let (report, code) = match execute(&args.file, &config, args.stats) {
        Ok(done) => done,
        Err(code) => return code,
    };
    let diverged = report
        .errors
        .iter()
        .any(|e| matches!(e.error, RuntimeError::ReplayMismatch(_)));
    match &report.replay {
        Ok(()) if !diverged => {
            eprintln!("replay: matched the log ({} COMMs)", report.comms);
            ExitCode::from(code)
        }
        Ok(()) => {
            eprintln!("replay: did not match the log");
            ExitCode::from(EXIT_RUNTIME_ERROR)
        }
        Err(mismatch) => {
            eprintln!("replay: did not match the log: {mismatch}");
            ExitCode::from(EXIT_RUNTIME_ERROR)
        }
    }
}

/// Compiles and runs `path`; returns the report and the exit status, or the
/// exit status of a failure before the run.
fn execute(
    path: &PathBuf,
    config: &RunConfig,
    stats: bool,
) -> Result<(RunReport, u8), ExitCode> {
    let started = Instant::now();
    let bytes = fs::read(path).map_err(|err| {
        eprintln!("error: cannot read {}: {err}", path.display());
        ExitCode::from(EXIT_USAGE)
    })?;
    let file_name = path.display().to_string();
    if bytes.starts_with(b"\0asm") {
        eprintln!(
            "{file_name}: error: module rejected: running .wasm modules needs the Wasm back end, which is not available yet"
        );
        return Err(ExitCode::from(EXIT_MODULE_REJECTED));
    }
    let source = match String::from_utf8(bytes) {
        Ok(source) => source,
        Err(_) => {
            eprintln!("{file_name}:1:1: error: the file is not valid UTF-8");
            return Err(ExitCode::from(EXIT_SOURCE_ERROR));
        }
    };
    let Normalized { par, source_map } = match frontend::compile_source(&file_name, &source) {
        Ok(normalized) => normalized,
        Err(diagnostics) => {
            let mut stderr = io::stderr().lock();
            for diagnostic in &diagnostics {
                let _ = write!(stderr, "{}", diagnostic.render(&file_name, &source));
            }
            return Err(ExitCode::from(EXIT_SOURCE_ERROR));
        }
    };
    let compiled = Instant::now();
    let report = {
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        let mut err = io::stderr();
        let report = rho_runtime::run(par, Some(&source_map), config, &mut out, &mut err);
        let _ = out.flush();
        report
    };
    let finished = Instant::now();
    let mut stderr = io::stderr().lock();
    for error in &report.errors {
        let _ = write!(stderr, "{}", render_runtime_error(&file_name, &source, error));
    }
    let code = if report.out_of_phlo {
        EXIT_OUT_OF_PHLO
    } else if report.errors.is_empty() {
        EXIT_OK
    } else {
        EXIT_RUNTIME_ERROR
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

fn parse_seed(seed: Option<&str>) -> Result<Vec<u8>, ExitCode> {
    let Some(seed) = seed else {
        return Ok(rho_runtime::DEFAULT_SEED.to_vec());
    };
    let seed = seed.strip_prefix("0x").unwrap_or(seed);
    if seed.is_empty() || seed.len() % 2 != 0 || !seed.bytes().all(|b| b.is_ascii_hexdigit()) {
        eprintln!("error: --seed takes an even number of hex digits");
        return Err(ExitCode::from(EXIT_USAGE));
    }
    Ok((0..seed.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&seed[i..i + 2], 16).unwrap_or(0))
        .collect())
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
