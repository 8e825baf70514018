//! Delimiter repair between the lexer and the parser.
//!
//! A missing or extra bracket is the most common syntax error, and an LR
//! parser recovers from it badly: everything after it is out of step. As
//! rustc does, rhoc matches brackets on the token stream first. A closing
//! bracket that does not match the innermost open one is either a typo for
//! the right one, or the ones in between were not closed; of the two
//! readings, the one that leaves the rest of the file better balanced is
//! taken (looking ahead only on this error path). A closing bracket that
//! matches nothing open is reported and dropped; brackets still open at the
//! end of the file are reported and closed. The parser then sees balanced
//! brackets and reports only the errors that remain.

use crate::diagnostic::{Diagnostic, Span};
use crate::syntax::lexer::{Spanned, Tok};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Delimiter {
    Paren,
    Bracket,
    Brace,
}

impl Delimiter {
    fn opened_by(tok: Tok<'_>) -> Option<Delimiter> {
        match tok {
            Tok::LParen | Tok::BigIntOpen => Some(Delimiter::Paren),
            Tok::LBracket => Some(Delimiter::Bracket),
            Tok::LBrace => Some(Delimiter::Brace),
            _ => None,
        }
    }

    fn closed_by(tok: Tok<'_>) -> Option<Delimiter> {
        match tok {
            Tok::RParen => Some(Delimiter::Paren),
            Tok::RBracket => Some(Delimiter::Bracket),
            Tok::RBrace => Some(Delimiter::Brace),
            _ => None,
        }
    }

    fn open(self) -> &'static str {
        match self {
            Delimiter::Paren => "(",
            Delimiter::Bracket => "[",
            Delimiter::Brace => "{",
        }
    }

    fn closer<'src>(self) -> Tok<'src> {
        match self {
            Delimiter::Paren => Tok::RParen,
            Delimiter::Bracket => Tok::RBracket,
            Delimiter::Brace => Tok::RBrace,
        }
    }
}

/// Wraps a token stream and repairs its brackets, collecting a diagnostic
/// for each repair.
pub(crate) struct Balanced<'src, 'd, I> {
    tokens: I,
    open: Vec<(Delimiter, Span)>,
    /// Tokens to hand out before reading on (synthesized closers, then the
    /// token that needed them), last first.
    pending: Vec<(usize, Tok<'src>, usize)>,
    /// The rest of the file, once a mismatch made us read ahead.
    ahead: std::collections::VecDeque<(usize, Tok<'src>, usize)>,
    end: usize,
    finished: bool,
    pub(crate) diagnostics: Vec<Diagnostic>,
    describe: &'d dyn Fn(Span) -> String,
}

impl<'src, 'd, I: Iterator<Item = Spanned<'src>>> Balanced<'src, 'd, I> {
    /// `describe` turns a span into the `L:C` text used in messages.
    pub(crate) fn new(tokens: I, end: usize, describe: &'d dyn Fn(Span) -> String) -> Self {
        Balanced {
            tokens,
            open: Vec::new(),
            pending: Vec::new(),
            ahead: std::collections::VecDeque::new(),
            end,
            finished: false,
            diagnostics: Vec::new(),
            describe,
        }
    }

    fn read(&mut self) -> Option<(usize, Tok<'src>, usize)> {
        match self.ahead.pop_front() {
            Some(token) => Some(token),
            None => self.tokens.next().map(|Ok(token)| token),
        }
    }

    /// How many closing brackets of the rest of the file would not match,
    /// starting with `open` still open.
    fn mismatches_ahead(&mut self, open: &[Delimiter]) -> usize {
        while let Some(Ok(token)) = self.tokens.next() {
            self.ahead.push_back(token);
        }
        let mut stack = open.to_vec();
        let mut mismatches = 0;
        for &(_, tok, _) in &self.ahead {
            if let Some(delimiter) = Delimiter::opened_by(tok) {
                stack.push(delimiter);
            } else if let Some(delimiter) = Delimiter::closed_by(tok) {
                match stack.iter().rposition(|open| *open == delimiter) {
                    Some(index) => {
                        mismatches += stack.len() - 1 - index;
                        stack.truncate(index);
                    }
                    None => mismatches += 1,
                }
            }
        }
        mismatches + stack.len()
    }

    fn not_closed(&self, list: &[(Delimiter, Span)]) -> String {
        let described: Vec<String> = list
            .iter()
            .rev()
            .map(|(delimiter, span)| {
                format!("`{}` at {}", delimiter.open(), (self.describe)(*span))
            })
            .collect();
        described.join(", ")
    }
}

impl<'src, I: Iterator<Item = Spanned<'src>>> Iterator for Balanced<'src, '_, I> {
    type Item = Spanned<'src>;

    fn next(&mut self) -> Option<Spanned<'src>> {
        loop {
            if let Some(token) = self.pending.pop() {
                return Some(Ok(token));
            }
            if self.finished {
                return None;
            }
            let Some((start, tok, end)) = self.read() else {
                self.finished = true;
                if !self.open.is_empty() {
                    let message = format!(
                        "syntax error: unexpected end of file: {} is not closed",
                        self.not_closed(&self.open)
                    );
                    let at = Span::new(self.end, self.end);
                    self.diagnostics.push(Diagnostic::error(at, message));
                    // Pushed outermost first, so the innermost closes first.
                    for (delimiter, _) in self.open.drain(..) {
                        self.pending.push((self.end, delimiter.closer(), self.end));
                    }
                }
                continue;
            };
            if let Some(delimiter) = Delimiter::opened_by(tok) {
                self.open.push((delimiter, Span::new(start, end)));
                return Some(Ok((start, tok, end)));
            }
            let Some(delimiter) = Delimiter::closed_by(tok) else {
                return Some(Ok((start, tok, end)));
            };
            match self.open.iter().rposition(|(open, _)| *open == delimiter) {
                Some(index) if index + 1 == self.open.len() => {
                    self.open.pop();
                    return Some(Ok((start, tok, end)));
                }
                Some(index) => {
                    let kinds: Vec<Delimiter> = self.open.iter().map(|(open, _)| *open).collect();
                    let typo = self.mismatches_ahead(&kinds[..kinds.len() - 1]);
                    let unclosed_before = self.mismatches_ahead(&kinds[..index]);
                    if typo < unclosed_before {
                        // Read it as the closer of the innermost bracket.
                        let Some((innermost, at)) = self.open.pop() else {
                            continue;
                        };
                        let message = format!(
                            "syntax error: unexpected {tok}: expected {} to close `{}` at {}",
                            innermost.closer(),
                            innermost.open(),
                            (self.describe)(at)
                        );
                        self.diagnostics
                            .push(Diagnostic::error(Span::new(start, end), message));
                        return Some(Ok((start, innermost.closer(), end)));
                    }
                    let unclosed = self.open.split_off(index + 1);
                    self.open.pop();
                    let message = format!(
                        "syntax error: unexpected {tok}: {} is not closed",
                        self.not_closed(&unclosed)
                    );
                    self.diagnostics
                        .push(Diagnostic::error(Span::new(start, end), message));
                    // Hand out the missing closers (innermost first), then
                    // this token.
                    self.pending.push((start, tok, end));
                    for (open, _) in &unclosed {
                        self.pending.push((start, open.closer(), start));
                    }
                }
                None => {
                    let message =
                        format!("syntax error: unexpected {tok}: there is nothing to close");
                    self.diagnostics
                        .push(Diagnostic::error(Span::new(start, end), message));
                }
            }
        }
    }
}
