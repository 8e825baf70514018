//! The front end's entry point: Rholang source to a canonical [`Par`] and
//! its source map.
//!
//! ```text
//! source text -> tokens -> AST (arena) -> normalized Par -> sorted Par
//!                                                        \-> SourceMap
//! ```

use rho_host_abi::par::Par;
use rho_host_abi::sort::sort_par;

use rho_host_abi::source_map::{SourceLoc, SourceMap};

use crate::diagnostic::{Diagnostic, SourceFile, Span};
use crate::normalize;
use crate::syntax;

/// A compiled program: its canonical Par, and where its terms were written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    /// The normalized, canonically sorted term.
    pub par: Par,
    /// Source positions of the terms that can fail at run time (sends,
    /// receives, matches, `new`s, operators, method calls, `matches` and
    /// collections that contain them), keyed by
    /// [`term_key`](rho_host_abi::source_map::term_key) of the term in `par`.
    pub source_map: SourceMap,
}

/// Compiles a Rholang program.
///
/// `file_name` is only used to label diagnostics. Every syntax error is
/// reported; normalization runs only on a program that parses, and then
/// reports all of its errors.
///
/// # Errors
///
/// The diagnostics, sorted by position, when the program does not parse or
/// does not normalize. Render them with [`SourceFile::render`].
///
/// # Examples
///
/// ```
/// use rhoc::diagnostic::SourceFile;
/// use rhoc::frontend::compile_source;
///
/// let program = compile_source("hello.rho", "new out in { out!(1 + 2) }").expect("compiles");
/// assert_eq!(program.par.news.len(), 1);
///
/// let source = "x!(1)";
/// let errors = compile_source("bad.rho", source).unwrap_err();
/// let rendered = SourceFile::new("bad.rho", source).render(&errors[0]);
/// assert_eq!(
///     rendered,
///     "bad.rho:1:1: error: Top level free variables are not allowed: x at 1:1\nx!(1)\n^\n"
/// );
/// ```
pub fn compile_source(file_name: &str, source: &str) -> Result<Normalized, Vec<Diagnostic>> {
    let file = SourceFile::new(file_name, source);
    let (ast, root, diagnostics) = syntax::parse(&file);
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let Some(root) = root else {
        return Err(vec![Diagnostic::error(Span::new(0, 0), "syntax error")]);
    };
    let normalized = normalize::normalize(ast, root, &file)?;
    let mut par = normalized.par;
    sort_par(&mut par);
    // Key the recorded terms in one pass (see `normalize::keys`).
    let mut keyed: Vec<(u32, u64)> = normalize::keys::term_keys(&par, &normalized.positions)
        .into_iter()
        .map(|(span, key)| (span.start, key))
        .collect();
    // Identical terms share a key: keep the first position in the file.
    keyed.sort_unstable();
    let starts: Vec<u32> = keyed.iter().map(|&(start, _)| start).collect();
    let positions = file.line_cols_sorted(&starts);
    let mut source_map = SourceMap::new();
    for ((_, key), position) in keyed.into_iter().zip(positions) {
        source_map.insert(
            key,
            SourceLoc {
                line: position.line,
                col: position.col,
            },
        );
    }
    Ok(Normalized { par, source_map })
}

/// Decodes a source file's bytes, reporting invalid UTF-8 at its position.
///
/// # Errors
///
/// A diagnostic at the first byte that is not valid UTF-8.
pub fn decode_source(bytes: &[u8]) -> Result<&str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|error| {
        let at = error.valid_up_to();
        Diagnostic::error(Span::new(at, at + 1), "the file is not valid UTF-8")
    })
}
