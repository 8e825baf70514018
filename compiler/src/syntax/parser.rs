//! The generated LR parser and the conversion of its errors to diagnostics.
//!
//! lalrpop's types stay in this module: [`parse`] returns the arena and
//! rhoc [`Diagnostic`]s only.

use lalrpop_util::{ErrorRecovery, ParseError};

use crate::diagnostic::{Diagnostic, SourceFile, Span};
use crate::syntax::ast::{Ast, ProcId};
use crate::syntax::brackets::Balanced;
use crate::syntax::lexer::{Lexer, Never, Tok};

#[allow(
    clippy::all,
    clippy::pedantic,
    unused_qualifications,
    unused_imports,
    unused_parens,
    dead_code,
    missing_debug_implementations,
    elided_lifetimes_in_paths,
    unreachable_pub
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/syntax/grammar.rs"));
}

/// At most this many expected tokens are listed in a syntax error.
const MAX_EXPECTED_SHOWN: usize = 6;

/// Parses a whole file. Returns the arena, the root process (absent only
/// when recovery was impossible) and every lexical and syntax error.
pub(crate) fn parse<'src>(file: &SourceFile<'src>) -> (Ast<'src>, Option<ProcId>, Vec<Diagnostic>) {
    let text = file.text();
    let mut ast = Ast::default();
    let mut recovered = Vec::new();
    let mut lexer = Lexer::new(text);
    let describe = |span: Span| {
        let at = file.line_col(span.start);
        format!("{}:{}", at.line, at.col)
    };
    let mut balanced = Balanced::new(&mut lexer, text.len(), &describe);
    let result = generated::ProcParser::new().parse(&mut ast, &mut recovered, &mut balanced);
    let mut diagnostics = std::mem::take(&mut balanced.diagnostics);
    diagnostics.extend_from_slice(lexer.diagnostics());
    let root = match result {
        Ok(root) => Some(root),
        Err(error) => {
            diagnostics.extend(syntax_error(text, error));
            None
        }
    };
    for ErrorRecovery { error, .. } in recovered {
        diagnostics.extend(syntax_error(text, error));
    }
    diagnostics.sort();
    diagnostics.dedup_by(|later, earlier| later.span.start == earlier.span.start);
    if diagnostics.len() > MAX_SYNTAX_ERRORS {
        let more = diagnostics.len() - MAX_SYNTAX_ERRORS;
        diagnostics.truncate(MAX_SYNTAX_ERRORS);
        if let Some(last) = diagnostics.last_mut() {
            last.notes
                .push(format!("{more} more syntax errors are not shown"));
        }
    }
    (ast, root, diagnostics)
}

/// At most this many syntax errors are reported (the first ones).
const MAX_SYNTAX_ERRORS: usize = 100;

/// Turns one lalrpop error into a diagnostic. Errors at a [`Tok::Error`]
/// are dropped: the lexer has reported them already.
fn syntax_error(text: &str, error: ParseError<usize, Tok<'_>, Never>) -> Option<Diagnostic> {
    match error {
        ParseError::InvalidToken { location } => Some(Diagnostic::error(
            Span::new(location, location + 1),
            "syntax error: invalid token",
        )),
        ParseError::UnrecognizedEof { location, expected } => Some(with_expected(
            Diagnostic::error(
                Span::new(location, location),
                "syntax error: unexpected end of file",
            ),
            &expected,
        )),
        ParseError::UnrecognizedToken {
            token: (_, Tok::Error, _),
            ..
        } => None,
        ParseError::UnrecognizedToken {
            token: (start, token, end),
            expected,
        } => {
            let message = format!("syntax error: unexpected {token}");
            Some(with_expected(
                Diagnostic::error(Span::new(start, end), message),
                &expected,
            ))
        }
        ParseError::ExtraToken {
            token: (start, token, end),
        } => Some(Diagnostic::error(
            Span::new(start, end),
            format!("syntax error: unexpected {token} after the end of the program"),
        )),
        ParseError::User { error } => match error {},
    }
    .map(|diagnostic| clamp_to_text(text, diagnostic))
}

fn with_expected(diagnostic: Diagnostic, expected: &[String]) -> Diagnostic {
    if expected.is_empty() || expected.len() > MAX_EXPECTED_SHOWN {
        return diagnostic;
    }
    let shown: Vec<String> = expected
        .iter()
        .map(|terminal| describe_terminal(terminal))
        .collect();
    diagnostic.with_note(format!("expected {}", shown.join(", ")))
}

/// lalrpop names terminals by their grammar spelling: quoted symbols, or the
/// names of the literal tokens.
fn describe_terminal(terminal: &str) -> String {
    match terminal {
        "Ident" => "an identifier".to_owned(),
        "IntLit" => "an integer".to_owned(),
        "StrLit" => "a string".to_owned(),
        "UriLit" => "a URI".to_owned(),
        quoted => {
            let symbol = quoted.trim_matches('"').replace("\\\\", "\\");
            format!("`{symbol}`")
        }
    }
}

fn clamp_to_text(text: &str, mut diagnostic: Diagnostic) -> Diagnostic {
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    diagnostic.span.start = diagnostic.span.start.min(len);
    diagnostic.span.end = diagnostic.span.end.min(len).max(diagnostic.span.start);
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        let file = SourceFile::new("test.rho", text);
        let (_, _, diagnostics) = parse(&file);
        diagnostics
            .into_iter()
            .map(|diagnostic| diagnostic.message)
            .collect()
    }

    #[test]
    fn every_conformance_program_parses() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance");
        let mut count = 0;
        for entry in std::fs::read_dir(dir).expect("conformance folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|ext| ext == "rho") {
                let text = std::fs::read_to_string(&path).expect("readable");
                let found = errors(&text);
                let is_syntax_test = path.ends_with("err_syntax.rho");
                assert_eq!(
                    found.is_empty(),
                    !is_syntax_test,
                    "{}: {found:?}",
                    path.display()
                );
                count += 1;
            }
        }
        assert!(count > 20);
    }

    #[test]
    fn constructs_parse() {
        let programs = [
            "Nil",
            "x!(1) | y!!(2, 3) | z!?(4). | w!?(5); Nil",
            "for (a <- x & b <- y; c <= z) { Nil }",
            "for (@a, b ...@r <<- x) { Nil }",
            "for (a <- x?! & b <- y!?(1, 2)) { Nil }",
            "contract c(a, @b ...@rest) = { Nil }",
            "new x, y(`rho:io:stdout`) in { Nil }",
            "match [1, 2 ...t] { [a ...b] => Nil  {k: v ...r} => Nil  Set(1 ...s) => Nil _ => Nil }",
            "if (true) { Nil } else if (false) Nil else { Nil }",
            "let x <- 1; @y <- 2 in { Nil } | let a, b <- 1, 2 & c <- 3 in { Nil }",
            "bundle+ {Nil} | bundle- {Nil} | bundle0 {Nil} | bundle {Nil}",
            "*x | @{1}!(=y, =*z) | x.nth(0).length()",
            "(1,) | (1, 2) | (1 + 2) | -5 | not true | 1 - -2 | BigInt(12) | -BigInt(3)",
            "1 + 2 * 3 % 4 %% {} ++ [] -- Set() < 1 <= 2 > 3 >= 4 == 5 != 6 and 7 or 8 && 9 || 10",
            "x matches {Int /\\ ~String \\/ Bool} | Uri | ByteArray | BigInt",
            "select { x <- a => Nil  y <- b & z <- c => Nil }",
            "/* comment */ \"a\\nb\" // end",
        ];
        for program in programs {
            assert_eq!(errors(program), Vec::<String>::new(), "{program}");
        }
    }

    #[test]
    fn several_syntax_errors_are_reported() {
        let found = errors("x!(1 +) | y!(}) | z!(3)");
        assert!(found.len() >= 2, "{found:?}");
        assert!(
            found
                .iter()
                .all(|message| message.starts_with("syntax error")),
            "{found:?}"
        );
    }

    #[test]
    fn syntax_errors_are_capped() {
        let text = "new x in { ".to_owned() + &") ".repeat(500) + "}";
        let file = SourceFile::new("test.rho", &text);
        let (_, _, diagnostics) = parse(&file);
        assert_eq!(diagnostics.len(), MAX_SYNTAX_ERRORS);
        let last = diagnostics.last().expect("some");
        assert_eq!(
            last.notes.last().map(String::as_str),
            Some("400 more syntax errors are not shown")
        );
    }

    #[test]
    fn reference_rejections_are_kept() {
        // A program is a process: an empty file is not one.
        assert_eq!(
            errors(" // nothing"),
            vec!["syntax error: unexpected end of file"]
        );
        // Sends are not expressions, and `(P)` only wraps expressions.
        assert!(!errors("(x!(1))").is_empty());
        // A nested `if` without braces cannot take an `else`.
        assert!(!errors("if (a) if (b) Nil else Nil").is_empty());
        // Case patterns are at the `\\/` level: `-1` needs braces.
        assert!(!errors("match x { -1 => Nil }").is_empty());
        assert!(errors("match x { {-1} => Nil }").is_empty());
    }
}
