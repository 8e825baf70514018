//! The hand-written lexer.
//!
//! It follows the token definitions of the reference grammar
//! (`rholang_mercury.cf`): identifiers may contain letters, digits, `_` and
//! `'`; integer literals are unsigned digit strings; string literals accept
//! the escapes `\" \\ \n \t` and URI literals the escapes `` \` `` and `\\`,
//! and both are kept raw (not unescaped). Keywords that the reference lexes
//! as one symbol (`bundle+`, `bundle-`, `bundle0`, `BigInt(`) are one token
//! here too.
//!
//! The lexer never fails: a bad character or an unterminated literal is
//! reported as a [`Diagnostic`] and produces one [`Tok::Error`], so parsing
//! (and its error recovery) goes on.

use std::fmt;

use crate::diagnostic::{Diagnostic, Span};

/// A token. Literal and identifier tokens borrow their text from the source;
/// string and URI literals include their delimiters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok<'src> {
    Ident(&'src str),
    Int(&'src str),
    Str(&'src str),
    Uri(&'src str),

    Nil,
    True,
    False,
    Not,
    And,
    Or,
    Matches,
    Contract,
    For,
    Select,
    Match,
    Let,
    If,
    Else,
    New,
    In,
    Bundle,
    BundleWrite,
    BundleRead,
    BundleEquiv,
    Set,
    TypeBool,
    TypeInt,
    TypeBigInt,
    TypeString,
    TypeUri,
    TypeByteArray,
    /// `BigInt(`, which opens a big-integer literal.
    BigIntOpen,

    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Semi,
    Dot,
    Colon,
    Bar,
    BarBar,
    Amp,
    AmpAmp,
    Bang,
    BangBang,
    BangQuestion,
    QuestionBang,
    LeftArrow,
    PeekArrow,
    LtEq,
    Lt,
    Gt,
    GtEq,
    FatArrow,
    Eq,
    EqEq,
    NotEq,
    Ellipsis,
    At,
    Star,
    Slash,
    Percent,
    PercentPercent,
    Plus,
    PlusPlus,
    Minus,
    MinusMinus,
    Tilde,
    Conj,
    Disj,
    Underscore,

    /// Stands for text that is not a token; the lexer has reported it.
    Error,
}

impl fmt::Display for Tok<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match *self {
            Tok::Ident(text) | Tok::Int(text) | Tok::Str(text) | Tok::Uri(text) => text,
            Tok::Error => "invalid text",
            other => other.symbol(),
        };
        write!(f, "`{text}`")
    }
}

impl Tok<'_> {
    /// The fixed spelling of a keyword or punctuation token.
    fn symbol(self) -> &'static str {
        match self {
            Tok::Nil => "Nil",
            Tok::True => "true",
            Tok::False => "false",
            Tok::Not => "not",
            Tok::And => "and",
            Tok::Or => "or",
            Tok::Matches => "matches",
            Tok::Contract => "contract",
            Tok::For => "for",
            Tok::Select => "select",
            Tok::Match => "match",
            Tok::Let => "let",
            Tok::If => "if",
            Tok::Else => "else",
            Tok::New => "new",
            Tok::In => "in",
            Tok::Bundle => "bundle",
            Tok::BundleWrite => "bundle+",
            Tok::BundleRead => "bundle-",
            Tok::BundleEquiv => "bundle0",
            Tok::Set => "Set",
            Tok::TypeBool => "Bool",
            Tok::TypeInt => "Int",
            Tok::TypeBigInt => "BigInt",
            Tok::TypeString => "String",
            Tok::TypeUri => "Uri",
            Tok::TypeByteArray => "ByteArray",
            Tok::BigIntOpen => "BigInt(",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Semi => ";",
            Tok::Dot => ".",
            Tok::Colon => ":",
            Tok::Bar => "|",
            Tok::BarBar => "||",
            Tok::Amp => "&",
            Tok::AmpAmp => "&&",
            Tok::Bang => "!",
            Tok::BangBang => "!!",
            Tok::BangQuestion => "!?",
            Tok::QuestionBang => "?!",
            Tok::LeftArrow => "<-",
            Tok::PeekArrow => "<<-",
            Tok::LtEq => "<=",
            Tok::Lt => "<",
            Tok::Gt => ">",
            Tok::GtEq => ">=",
            Tok::FatArrow => "=>",
            Tok::Eq => "=",
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
            Tok::Ellipsis => "...",
            Tok::At => "@",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::PercentPercent => "%%",
            Tok::Plus => "+",
            Tok::PlusPlus => "++",
            Tok::Minus => "-",
            Tok::MinusMinus => "--",
            Tok::Tilde => "~",
            Tok::Conj => "/\\",
            Tok::Disj => "\\/",
            Tok::Underscore => "_",
            Tok::Ident(_) | Tok::Int(_) | Tok::Str(_) | Tok::Uri(_) | Tok::Error => "",
        }
    }
}

/// The lexer never produces an `Err`; this type only satisfies lalrpop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Never {}

/// One lexed token with its byte offsets, as lalrpop expects it.
pub(crate) type Spanned<'src> = Result<(usize, Tok<'src>, usize), Never>;

/// An iterator over the tokens of a source text. Problems are collected in
/// [`Lexer::into_diagnostics`].
pub(crate) struct Lexer<'src> {
    text: &'src str,
    bytes: &'src [u8],
    pos: usize,
    diagnostics: Vec<Diagnostic>,
}

impl<'src> Lexer<'src> {
    pub(crate) fn new(text: &'src str) -> Lexer<'src> {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            diagnostics: Vec::new(),
        }
    }

    /// The lexical errors found so far.
    pub(crate) fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    fn peek_at(&self, offset: usize) -> u8 {
        self.bytes.get(self.pos + offset).copied().unwrap_or(0)
    }

    fn error(&mut self, start: usize, end: usize, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(Span::new(start, end), message));
    }

    /// Skips whitespace and comments. Returns false at the end of input.
    fn skip_trivia(&mut self) {
        loop {
            match self.peek_at(0) {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0c => self.pos += 1,
                b'/' if self.peek_at(1) == b'/' => {
                    self.pos = memchr_newline(self.bytes, self.pos);
                }
                b'/' if self.peek_at(1) == b'*' => {
                    let start = self.pos;
                    match find(self.bytes, self.pos + 2, b"*/") {
                        Some(close) => self.pos = close + 2,
                        None => {
                            self.pos = self.bytes.len();
                            self.error(start, start + 2, "unterminated block comment");
                        }
                    }
                }
                _ => return,
            }
        }
    }

    fn lex_ident(&mut self, start: usize) -> Tok<'src> {
        while self.pos < self.bytes.len() {
            let byte = self.bytes[self.pos];
            if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'\'' {
                self.pos += 1;
                continue;
            }
            if byte < 0x80 {
                break;
            }
            let ch = self.char_at(self.pos);
            if ch.is_alphanumeric() || ch == '_' || ch == '\'' {
                self.pos += ch.len_utf8();
            } else {
                break;
            }
        }
        let text = &self.text[start..self.pos];
        match text {
            "Nil" => Tok::Nil,
            "true" => Tok::True,
            "false" => Tok::False,
            "not" => Tok::Not,
            "and" => Tok::And,
            "or" => Tok::Or,
            "matches" => Tok::Matches,
            "contract" => Tok::Contract,
            "for" => Tok::For,
            "select" => Tok::Select,
            "match" => Tok::Match,
            "let" => Tok::Let,
            "if" => Tok::If,
            "else" => Tok::Else,
            "new" => Tok::New,
            "in" => Tok::In,
            "bundle0" => Tok::BundleEquiv,
            "bundle" => match self.peek_at(0) {
                b'+' => {
                    self.pos += 1;
                    Tok::BundleWrite
                }
                b'-' => {
                    self.pos += 1;
                    Tok::BundleRead
                }
                _ => Tok::Bundle,
            },
            "Set" => Tok::Set,
            "Bool" => Tok::TypeBool,
            "Int" => Tok::TypeInt,
            "BigInt" if self.peek_at(0) == b'(' => {
                self.pos += 1;
                Tok::BigIntOpen
            }
            "BigInt" => Tok::TypeBigInt,
            "String" => Tok::TypeString,
            "Uri" => Tok::TypeUri,
            "ByteArray" => Tok::TypeByteArray,
            "_" => Tok::Underscore,
            _ => Tok::Ident(text),
        }
    }

    fn char_at(&self, offset: usize) -> char {
        self.text[offset..].chars().next().unwrap_or('\0')
    }

    /// Lexes a string (`"`) or URI (`` ` ``) literal whose opening delimiter
    /// is at `start`. `escapes` lists the characters allowed after `\`.
    fn lex_quoted(&mut self, start: usize, delimiter: u8, escapes: &[u8]) -> Tok<'src> {
        let what = if delimiter == b'"' { "string" } else { "URI" };
        self.pos = start + 1;
        let mut bad_escape = None;
        loop {
            match self.bytes.get(self.pos).copied() {
                None => {
                    self.error(start, start + 1, format!("unterminated {what} literal"));
                    return Tok::Error;
                }
                Some(b'\\') => {
                    let escaped = self.bytes.get(self.pos + 1).copied();
                    match escaped {
                        Some(byte) if escapes.contains(&byte) => self.pos += 2,
                        _ => {
                            if bad_escape.is_none() {
                                bad_escape = Some(self.pos);
                            }
                            self.pos += 1;
                        }
                    }
                }
                Some(byte) if byte == delimiter => {
                    self.pos += 1;
                    break;
                }
                Some(_) => self.pos += self.char_at(self.pos).len_utf8(),
            }
        }
        if let Some(at) = bad_escape {
            let escape_end = at + 1 + self.text[at + 1..].chars().next().map_or(0, char::len_utf8);
            let allowed: Vec<String> = escapes
                .iter()
                .map(|&byte| format!("`\\{}`", byte as char))
                .collect();
            self.error(
                at,
                escape_end,
                format!(
                    "unknown escape `{}` in {what} literal (allowed: {})",
                    &self.text[at..escape_end],
                    allowed.join(" ")
                ),
            );
            return Tok::Error;
        }
        let text = &self.text[start..self.pos];
        if delimiter == b'"' {
            Tok::Str(text)
        } else {
            Tok::Uri(text)
        }
    }

    fn lex_punct(&mut self, start: usize) -> Tok<'src> {
        let (tok, len) = match (self.peek_at(0), self.peek_at(1), self.peek_at(2)) {
            (b'{', _, _) => (Tok::LBrace, 1),
            (b'}', _, _) => (Tok::RBrace, 1),
            (b'(', _, _) => (Tok::LParen, 1),
            (b')', _, _) => (Tok::RParen, 1),
            (b'[', _, _) => (Tok::LBracket, 1),
            (b']', _, _) => (Tok::RBracket, 1),
            (b',', _, _) => (Tok::Comma, 1),
            (b';', _, _) => (Tok::Semi, 1),
            (b'.', b'.', b'.') => (Tok::Ellipsis, 3),
            (b'.', _, _) => (Tok::Dot, 1),
            (b':', _, _) => (Tok::Colon, 1),
            (b'|', b'|', _) => (Tok::BarBar, 2),
            (b'|', _, _) => (Tok::Bar, 1),
            (b'&', b'&', _) => (Tok::AmpAmp, 2),
            (b'&', _, _) => (Tok::Amp, 1),
            (b'!', b'!', _) => (Tok::BangBang, 2),
            (b'!', b'?', _) => (Tok::BangQuestion, 2),
            (b'!', b'=', _) => (Tok::NotEq, 2),
            (b'!', _, _) => (Tok::Bang, 1),
            (b'?', b'!', _) => (Tok::QuestionBang, 2),
            (b'<', b'<', b'-') => (Tok::PeekArrow, 3),
            (b'<', b'-', _) => (Tok::LeftArrow, 2),
            (b'<', b'=', _) => (Tok::LtEq, 2),
            (b'<', _, _) => (Tok::Lt, 1),
            (b'>', b'=', _) => (Tok::GtEq, 2),
            (b'>', _, _) => (Tok::Gt, 1),
            (b'=', b'>', _) => (Tok::FatArrow, 2),
            (b'=', b'=', _) => (Tok::EqEq, 2),
            (b'=', _, _) => (Tok::Eq, 1),
            (b'@', _, _) => (Tok::At, 1),
            (b'*', _, _) => (Tok::Star, 1),
            (b'/', b'\\', _) => (Tok::Conj, 2),
            (b'/', _, _) => (Tok::Slash, 1),
            (b'\\', b'/', _) => (Tok::Disj, 2),
            (b'%', b'%', _) => (Tok::PercentPercent, 2),
            (b'%', _, _) => (Tok::Percent, 1),
            (b'+', b'+', _) => (Tok::PlusPlus, 2),
            (b'+', _, _) => (Tok::Plus, 1),
            (b'-', b'-', _) => (Tok::MinusMinus, 2),
            (b'-', _, _) => (Tok::Minus, 1),
            (b'~', _, _) => (Tok::Tilde, 1),
            _ => {
                let ch = self.char_at(start);
                self.pos = start + ch.len_utf8();
                let shown = if ch.is_control() {
                    format!("{:?}", ch)
                } else {
                    format!("`{ch}`")
                };
                self.error(start, self.pos, format!("unexpected character {shown}"));
                return Tok::Error;
            }
        };
        self.pos = start + len;
        tok
    }
}

impl<'src> Iterator for Lexer<'src> {
    type Item = Spanned<'src>;

    fn next(&mut self) -> Option<Spanned<'src>> {
        self.skip_trivia();
        let start = self.pos;
        let first = *self.bytes.get(start)?;
        let tok = match first {
            b'0'..=b'9' => {
                while self.peek_at(0).is_ascii_digit() {
                    self.pos += 1;
                }
                Tok::Int(&self.text[start..self.pos])
            }
            b'"' => self.lex_quoted(start, b'"', b"\"\\nt"),
            b'`' => self.lex_quoted(start, b'`', b"`\\"),
            b'_' | b'\'' | b'a'..=b'z' | b'A'..=b'Z' => {
                self.pos += 1;
                self.lex_ident(start)
            }
            _ if first >= 0x80 && self.char_at(start).is_alphabetic() => self.lex_ident(start),
            _ => self.lex_punct(start),
        };
        Some(Ok((start, tok, self.pos)))
    }
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&byte| byte == b'\n')
        .map_or(bytes.len(), |index| from + index)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from > bytes.len() {
        return None;
    }
    bytes[from..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|index| from + index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(text: &str) -> (Vec<Tok<'_>>, Vec<Diagnostic>) {
        let mut lexer = Lexer::new(text);
        let mut tokens = Vec::new();
        for item in lexer.by_ref() {
            let Ok((_, tok, _)) = item;
            tokens.push(tok);
        }
        (tokens, lexer.diagnostics().to_vec())
    }

    #[test]
    fn longest_match_for_operators() {
        let (tokens, errors) =
            lex("<<- <- <= < => == = != !! !? ?! ! ... . ++ + -- - %% % /\\ \\/ / && || & |");
        assert!(errors.is_empty());
        use Tok::*;
        assert_eq!(
            tokens,
            vec![
                PeekArrow,
                LeftArrow,
                LtEq,
                Lt,
                FatArrow,
                EqEq,
                Eq,
                NotEq,
                BangBang,
                BangQuestion,
                QuestionBang,
                Bang,
                Ellipsis,
                Dot,
                PlusPlus,
                Plus,
                MinusMinus,
                Minus,
                PercentPercent,
                Percent,
                Conj,
                Disj,
                Slash,
                AmpAmp,
                BarBar,
                Amp,
                Bar
            ]
        );
    }

    #[test]
    fn keywords_identifiers_and_glued_symbols() {
        let (tokens, _) = lex("bundle+ bundle- bundle0 bundle x' _y _ BigInt(5) BigInt Nil Nilx");
        use Tok::*;
        assert_eq!(
            tokens,
            vec![
                BundleWrite,
                BundleRead,
                BundleEquiv,
                Bundle,
                Ident("x'"),
                Ident("_y"),
                Underscore,
                BigIntOpen,
                Int("5"),
                RParen,
                TypeBigInt,
                Nil,
                Ident("Nilx")
            ]
        );
    }

    #[test]
    fn literals_stay_raw() {
        let (tokens, errors) = lex(r#""a\nb" `rho:io:stdout` "q\"" // comment
            /* block */ 42"#);
        assert!(errors.is_empty());
        assert_eq!(
            tokens,
            vec![
                Tok::Str(r#""a\nb""#),
                Tok::Uri("`rho:io:stdout`"),
                Tok::Str(r#""q\"""#),
                Tok::Int("42")
            ]
        );
    }

    #[test]
    fn errors_become_error_tokens() {
        let (tokens, errors) = lex("x # \"open");
        assert_eq!(tokens, vec![Tok::Ident("x"), Tok::Error, Tok::Error]);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].message, "unexpected character `#`");
        assert_eq!(errors[1].message, "unterminated string literal");
    }

    #[test]
    fn unknown_escape_is_an_error() {
        let (tokens, errors) = lex(r#""a\qb""#);
        assert_eq!(tokens, vec![Tok::Error]);
        assert!(
            errors[0].message.starts_with("unknown escape `\\q`"),
            "{}",
            errors[0].message
        );
    }
}
