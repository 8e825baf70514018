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

/// How many mismatches are resolved by looking ahead (see
/// [`Balanced::lookaheads_left`]).
const MAX_LOOKAHEADS: u32 = 32;

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
    /// How many of each delimiter are open, to reject a closer that
    /// matches nothing without scanning the stack.
    open_counts: [usize; 3],
    /// Tokens to hand out before reading on (synthesized closers, then the
    /// token that needed them), last first.
    pending: Vec<(usize, Tok<'src>, usize)>,
    /// The rest of the file, once a mismatch made us read ahead.
    ahead: std::collections::VecDeque<(usize, Tok<'src>, usize)>,
    /// Each look ahead scans the rest of the file; after this many, a
    /// mismatch is simply taken as unclosed brackets, so that a file full of
    /// them stays linear.
    lookaheads_left: u32,
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
            open_counts: [0; 3],
            pending: Vec::new(),
            ahead: std::collections::VecDeque::new(),
            lookaheads_left: MAX_LOOKAHEADS,
            end,
            finished: false,
            diagnostics: Vec::new(),
            describe,
        }
    }

    fn push_open(&mut self, delimiter: Delimiter, span: Span) {
        self.open_counts[delimiter as usize] += 1;
        self.open.push((delimiter, span));
    }

    fn pop_open(&mut self) -> Option<(Delimiter, Span)> {
        let popped = self.open.pop()?;
        self.open_counts[popped.0 as usize] -= 1;
        Some(popped)
    }

    /// Removes and returns the open delimiters from `index` on.
    fn split_open(&mut self, index: usize) -> Vec<(Delimiter, Span)> {
        let removed = self.open.split_off(index);
        for (delimiter, _) in &removed {
            self.open_counts[*delimiter as usize] -= 1;
        }
        removed
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
        let mut counts = [0usize; 3];
        for delimiter in open {
            counts[*delimiter as usize] += 1;
        }
        let mut mismatches = 0;
        for &(_, tok, _) in &self.ahead {
            if let Some(delimiter) = Delimiter::opened_by(tok) {
                counts[delimiter as usize] += 1;
                stack.push(delimiter);
            } else if let Some(delimiter) = Delimiter::closed_by(tok) {
                if counts[delimiter as usize] == 0 {
                    mismatches += 1;
                    continue;
                }
                while let Some(top) = stack.pop() {
                    counts[top as usize] -= 1;
                    if top == delimiter {
                        break;
                    }
                    mismatches += 1;
                }
            }
        }
        mismatches + stack.len()
    }

    fn not_closed(&self, list: &[(Delimiter, Span)]) -> String {
        const SHOWN: usize = 3;
        let mut described: Vec<String> = list
            .iter()
            .rev()
            .take(SHOWN)
            .map(|(delimiter, span)| {
                format!("`{}` at {}", delimiter.open(), (self.describe)(*span))
            })
            .collect();
        if list.len() > SHOWN {
            described.push(format!("and {} more", list.len() - SHOWN));
        }
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
                    self.open_counts = [0; 3];
                    for (delimiter, _) in self.open.drain(..) {
                        self.pending.push((self.end, delimiter.closer(), self.end));
                    }
                }
                continue;
            };
            if let Some(delimiter) = Delimiter::opened_by(tok) {
                self.push_open(delimiter, Span::new(start, end));
                return Some(Ok((start, tok, end)));
            }
            let Some(delimiter) = Delimiter::closed_by(tok) else {
                return Some(Ok((start, tok, end)));
            };
            let nearest = match self.open_counts[delimiter as usize] {
                0 => None,
                _ => self.open.iter().rposition(|(open, _)| *open == delimiter),
            };
            match nearest {
                Some(index) if index + 1 == self.open.len() => {
                    self.pop_open();
                    return Some(Ok((start, tok, end)));
                }
                Some(index) => {
                    let kinds: Vec<Delimiter> = self.open.iter().map(|(open, _)| *open).collect();
                    let typo_is_better = self.lookaheads_left > 0 && {
                        self.lookaheads_left -= 1;
                        let typo = self.mismatches_ahead(&kinds[..kinds.len() - 1]);
                        typo < self.mismatches_ahead(&kinds[..index])
                    };
                    if typo_is_better {
                        // Read it as the closer of the innermost bracket.
                        let Some((innermost, at)) = self.pop_open() else {
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
                    let unclosed = self.split_open(index + 1);
                    self.pop_open();
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
