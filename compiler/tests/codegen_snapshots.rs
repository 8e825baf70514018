//! Codegen snapshot tests, in the manner of Wasmtime's `tests/disas.rs`:
//! every `tests/codegen/<name>.rho` is compiled and the module, printed as
//! WAT (data and custom sections left out) followed by its decoded
//! constant pool, is compared with the comment block at the end of the
//! same file, which starts with a line `/* expected` and ends with `*/`.
//!
//! `RHOC_BLESS=1 cargo test --release -p rhoc --test codegen_snapshots`
//! rewrites the expected blocks. Each file is its own trial, so
//! `cargo test --test codegen_snapshots -- short_circuit` runs just one.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use prost::Message;
use rho_host_abi::par::ConstPool;
use rho_host_abi::print_par;
use rho_host_abi::source_map::SourceMap;
use rhoc::codegen::compile_module;
use rhoc::frontend::compile_source;
use wasmparser::{Parser, Payload};

/// The line that opens the expected block.
const EXPECTED_START: &str = "/* expected";
/// The line that closes it.
const EXPECTED_END: &str = "*/";

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/codegen");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "rho"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            Trial::test(name, move || check(&path))
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

/// The program part of a test file and its expected block, if any.
fn split(text: &str) -> (&str, Option<&str>) {
    let Some(start) = text.rfind(&format!("\n{EXPECTED_START}\n")) else {
        return (text, None);
    };
    let program = &text[..start + 1];
    let block = &text[start + 1 + EXPECTED_START.len() + 1..];
    let block = block.trim_end().strip_suffix(EXPECTED_END).unwrap_or(block);
    (program, Some(block))
}

fn check(path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let (program, expected) = split(&text);
    let actual = render(program)?;
    if expected == Some(actual.as_str()) {
        return Ok(());
    }
    if std::env::var_os("RHOC_BLESS").is_some() {
        let blessed = format!("{program}{EXPECTED_START}\n{actual}{EXPECTED_END}\n");
        std::fs::write(path, blessed)
            .map_err(|error| format!("cannot write {}: {error}", path.display()))?;
        return Ok(());
    }
    Err(format!(
        "{} differs from its expected block (- expected, + actual):\n{}\n\
         run with RHOC_BLESS=1 to accept the new output",
        path.display(),
        diff(expected.unwrap_or(""), &actual)
    )
    .into())
}

/// The snapshot of a program: WAT without data and custom sections, then
/// the constant pool and the source map.
fn render(program: &str) -> Result<String, Failed> {
    let normalized = compile_source("$DIR/test.rho", program)
        .map_err(|errors| format!("the program does not compile: {errors:?}"))?;
    let wasm = compile_module(&normalized).map_err(|error| error.to_string())?;
    let wat = wasmprinter::print_bytes(&wasm).map_err(|error| error.to_string())?;
    let mut out = String::new();
    for line in wat.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("(data ") || trimmed.starts_with("(@custom ") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    let mut pool_bytes = Vec::new();
    let mut source = SourceMap::new();
    for payload in Parser::new(0).parse_all(&wasm) {
        match payload.map_err(|error| error.to_string())? {
            Payload::DataSection(reader) => {
                for segment in reader {
                    let segment = segment.map_err(|error| error.to_string())?;
                    pool_bytes.extend_from_slice(segment.data);
                }
            }
            Payload::CustomSection(reader) if reader.name() == "rho.source" => {
                source = SourceMap::from_bytes(reader.data()).map_err(|error| error.to_string())?;
            }
            _ => {}
        }
    }
    let pool = ConstPool::decode(pool_bytes.as_slice()).map_err(|error| error.to_string())?;
    for (id, value) in pool.values.iter().enumerate() {
        let _ = writeln!(out, "value {id}: {}", print_par(value));
    }
    for (id, template) in pool.templates.iter().enumerate() {
        let _ = writeln!(out, "template {id}: {}", print_par(template));
    }
    for (id, receive) in pool.receives.iter().enumerate() {
        let binds: Vec<String> = receive
            .binds
            .iter()
            .map(|bind| {
                format!(
                    "patterns {:?} free {}{}",
                    bind.patterns,
                    bind.free_count,
                    if bind.remainder.is_some() {
                        " ..rest"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "receive {id}: [{}]{}{}",
            binds.join("; "),
            if receive.persistent {
                " persistent"
            } else {
                ""
            },
            if receive.peek { " peek" } else { "" }
        );
    }
    for (id, new) in pool.news.iter().enumerate() {
        let _ = writeln!(out, "new {id}: {} names {:?}", new.bind_count, new.uris);
    }
    let _ = writeln!(out, "body components: {:?}", pool.body_components);
    for id in 0..source.len() as u64 {
        if let Some(loc) = source.get(id) {
            let _ = writeln!(out, "location {id}: {}:{}", loc.line, loc.col);
        }
    }
    Ok(out)
}

/// A line diff of `expected` and `actual` (longest common subsequence).
fn diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let mut common = vec![vec![0u32; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            let _ = writeln!(out, " {}", old[i]);
            i += 1;
            j += 1;
        } else if j < new.len() && (i == old.len() || common[i][j + 1] >= common[i + 1][j]) {
            let _ = writeln!(out, "+{}", new[j]);
            j += 1;
        } else {
            let _ = writeln!(out, "-{}", old[i]);
            i += 1;
        }
    }
    out
}
