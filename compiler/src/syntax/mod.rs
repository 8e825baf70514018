//! Parsing: source text to an [`ast::Ast`], with diagnostics.

pub(crate) mod ast;
mod brackets;
pub(crate) mod lexer;
mod parser;

pub(crate) use parser::parse;
