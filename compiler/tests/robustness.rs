//! Hostile input: deep nesting, huge files, invalid UTF-8, random bytes.
//! Every case ends in a result or in diagnostics, never in a panic or a
//! stack overflow.
//!
//! Test threads have small stacks; the deep cases run on a thread with the
//! 8 MiB stack of a program's main thread, and drop their result there too.

use proptest::prelude::*;
use rhoc::frontend::{compile_source, decode_source};

/// Runs `work` on a thread with a main thread's stack.
fn on_main_sized_stack<R: Send + 'static>(work: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(8 * 1024 * 1024)
        .spawn(work)
        .expect("a thread")
        .join()
        .expect("no panic")
}

/// Compiles on a main-sized stack and reports whether it succeeded and the
/// first message otherwise.
fn compiles(source: String) -> Result<(), String> {
    on_main_sized_stack(move || match compile_source("deep.rho", &source) {
        Ok(_) => Ok(()),
        Err(errors) => Err(errors[0].message.clone()),
    })
}

fn nested(depth: usize, open: &str, middle: &str, close: &str) -> String {
    let mut source = String::with_capacity(depth * (open.len() + close.len()) + middle.len());
    for _ in 0..depth {
        source.push_str(open);
    }
    source.push_str(middle);
    for _ in 0..depth {
        source.push_str(close);
    }
    source
}

#[test]
fn ten_thousand_nested_lists() {
    assert_eq!(compiles(nested(10_000, "[", "1", "]")), Ok(()));
}

#[test]
fn ten_thousand_nested_sends() {
    let source = format!("new x in {{ {} }}", nested(10_000, "x!(", "Nil", ")"));
    assert_eq!(compiles(source), Ok(()));
}

#[test]
fn ten_thousand_nested_receives() {
    let source = format!(
        "new x in {{ {} }}",
        nested(10_000, "for (y <- x) { ", "Nil", " }")
    );
    assert_eq!(compiles(source), Ok(()));
}

#[test]
fn ten_thousand_nested_operators_and_parentheses() {
    assert_eq!(compiles(nested(10_000, "(1 + ", "1", ")")), Ok(()));
    assert_eq!(compiles(nested(10_000, "- ", "1", "")), Ok(()));
    assert_eq!(compiles(nested(10_000, "{", "Nil", "}")), Ok(()));
    let quotes = format!("new x in {{ x!({}) }}", nested(10_000, "*@", "1", ""));
    assert_eq!(compiles(quotes), Ok(()));
}

#[test]
fn nesting_beyond_the_limit_is_an_error() {
    let result = compiles(nested(50_000, "[", "1", "]"));
    let message = result.expect_err("too deep");
    assert!(message.contains("nested too deeply"), "{message}");
}

#[test]
fn many_parallel_processes_are_not_deep() {
    let mut source = String::from("new x in { Nil");
    for i in 0..200_000 {
        source.push_str(&format!(" | x!({i})"));
    }
    source.push_str(" }");
    assert_eq!(compiles(source), Ok(()));
}

#[test]
fn long_lets_are_fine() {
    let decls: Vec<String> = (0..5_000).map(|i| format!("@v{i} <- {i}")).collect();
    let sequential = format!(
        "new out in {{ let {} in {{ out!(v4999) }} }}",
        decls.join("; ")
    );
    assert_eq!(compiles(sequential), Ok(()));
    let concurrent = format!(
        "new out in {{ let {} in {{ out!(v4999) }} }}",
        decls.join(" & ")
    );
    assert_eq!(compiles(concurrent), Ok(()));
    let too_many: Vec<String> = (0..40_000).map(|i| format!("@v{i} <- {i}")).collect();
    let result = compiles(format!(
        "new out in {{ let {} in {{ Nil }} }}",
        too_many.join("; ")
    ));
    assert!(result.expect_err("too deep").contains("nested too deeply"));
}

#[test]
fn unclosed_brackets_at_any_depth() {
    let result = compiles(nested(100_000, "[", "1", ""));
    assert!(result.expect_err("unclosed").contains("is not closed"));
}

#[test]
fn many_mismatched_brackets_stay_fast() {
    let source = "new x in { ".to_owned() + &"x!( } ".repeat(100_000);
    let start = std::time::Instant::now();
    let result = compiles(source);
    assert!(result.expect_err("mismatched").starts_with("syntax error"));
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn a_ten_megabyte_program() {
    let mut source = String::from("new out in {\n");
    let mut i = 0;
    while source.len() < 10 * 1024 * 1024 {
        source.push_str(&format!(
            "  contract out(@n{i}, ret) = {{ match n{i} {{ 0 => ret!([{i}, \"x\"]) _ => ret!(n{i} - 1) }} }} |\n"
        ));
        i += 1;
    }
    source.push_str("  Nil\n}\n");
    assert_eq!(compiles(source), Ok(()));
}

#[test]
fn empty_and_blank_files_are_syntax_errors() {
    for source in ["", "   \n\t", "// only a comment", "/* only a comment */"] {
        let errors = compile_source("empty.rho", source).expect_err("not a program");
        assert!(
            errors[0].message.starts_with("syntax error"),
            "{source:?}: {errors:?}"
        );
    }
}

#[test]
fn invalid_utf8_is_reported_at_its_position() {
    let bytes = b"new x in {\n  x!(\"caf\xe9\")\n}";
    let error = decode_source(bytes).expect_err("not UTF-8");
    assert_eq!(error.span.start, 20);
    assert_eq!(error.message, "the file is not valid UTF-8");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(source) = decode_source(&bytes) {
            let _ = compile_source("random.rho", source);
        }
    }

    #[test]
    fn random_token_soup_never_panics(
        tokens in proptest::collection::vec(proptest::sample::select(vec![
            "new", "x", "y", "in", "{", "}", "(", ")", "[", "]", "for", "<-", "<=", "<<-", "!", "!!", "!?",
            "?!", "|", "&", ";", ",", ".", "...", "@", "*", "=", "=>", "match", "contract", "let", "if",
            "else", "bundle+", "Set", "1", "\"s\"", "`u`", "_", "/\\", "\\/", "~", "+", "-", "matches",
            "not", "select", "Nil", "Int", "BigInt(", "-5", ":", "%%", "==",
        ]), 0..60)
    ) {
        let source = tokens.join(" ");
        let _ = compile_source("soup.rho", &source);
    }
}
