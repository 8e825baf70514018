//! UI tests: every `tests/ui/<area>/<name>.rho` is compiled and its
//! rendered diagnostics are compared with `<name>.stderr` beside it (empty
//! when the program compiles).
//!
//! Each line that must get an error carries a `//~ ERROR <text>` marker
//! (or `//~^ ERROR <text>` for the line above): every marked line must have
//! an error whose message contains the text, and every error must be on a
//! marked line, so a careless re-bless cannot hide a new or missing error.
//!
//! `RHOC_BLESS=1 cargo test --release -p rhoc --test ui` rewrites the
//! `.stderr` files. Each file is its own trial, so
//! `cargo test --test ui -- top_level_free` runs just one.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use rhoc::diagnostic::SourceFile;
use rhoc::frontend::compile_source;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ui");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .with_extension("")
                .to_string_lossy()
                .replace('/', "::");
            Trial::test(name, move || check(&root_relative(&path), &path))
        })
        .collect();
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

fn root_relative(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("$DIR/{file}")
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rho") {
            files.push(path);
        }
    }
}

/// One expectation from a `//~` marker.
struct Marker {
    line: u32,
    text: String,
}

fn markers(source: &str) -> Vec<Marker> {
    let mut found = Vec::new();
    for (index, line) in source.lines().enumerate() {
        let Some(at) = line.find("//~") else { continue };
        let rest = &line[at + 3..];
        let (above, rest) = match rest.strip_prefix('^') {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let Some(text) = rest.trim_start().strip_prefix("ERROR") else {
            continue;
        };
        let line_number = index as u32 + 1 - u32::from(above);
        found.push(Marker {
            line: line_number,
            text: text.trim().to_owned(),
        });
    }
    found
}

fn check(display_name: &str, path: &Path) -> Result<(), Failed> {
    let bytes =
        std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    let source = String::from_utf8(bytes).map_err(|_| "test files must be UTF-8".to_owned())?;
    let file = SourceFile::new(display_name, &source);
    let diagnostics = compile_source(display_name, &source)
        .err()
        .unwrap_or_default();
    let rendered = file.render_all(&diagnostics);

    // Markers and errors must agree, line by line.
    let expected = markers(&source);
    let mut problems = Vec::new();
    for marker in &expected {
        let hit = diagnostics.iter().any(|diagnostic| {
            file.line_col(diagnostic.span.start).line == marker.line
                && diagnostic.message.contains(&marker.text)
        });
        if !hit {
            problems.push(format!(
                "line {}: no error containing `{}`",
                marker.line, marker.text
            ));
        }
    }
    for diagnostic in &diagnostics {
        let line = file.line_col(diagnostic.span.start).line;
        if !expected.iter().any(|marker| marker.line == line) {
            problems.push(format!(
                "line {line}: unexpected error `{}`",
                diagnostic.message
            ));
        }
    }

    let stderr_path = path.with_extension("stderr");
    if std::env::var_os("RHOC_BLESS").is_some_and(|value| value == "1") {
        std::fs::write(&stderr_path, &rendered)
            .map_err(|error| format!("cannot bless: {error}"))?;
    } else {
        let wanted = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        if wanted != rendered {
            problems.push(format!(
                "{} differs (re-bless with RHOC_BLESS=1 if the new output is right):\n{}",
                stderr_path.display(),
                diff(&wanted, &rendered)
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

/// A unified-style line diff (longest common subsequence).
fn diff(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::from("--- expected\n+++ actual\n");
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            out.push_str(&format!(" {}\n", old[i]));
            i += 1;
            j += 1;
        } else if j < new.len() && (i == old.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+{}\n", new[j]));
            j += 1;
        } else {
            out.push_str(&format!("-{}\n", old[i]));
            i += 1;
        }
    }
    out
}
