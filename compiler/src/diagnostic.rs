//! Diagnostics: positioned error messages and their rendering.
//!
//! A bad program is data, not an `Err`: every stage reports problems as
//! [`Diagnostic`] values with a byte [`Span`]. They are rendered only at the
//! edge (the CLI, a test), with [`SourceFile::render`], in the format
//!
//! ```text
//! FILE:LINE:COL: error: MESSAGE
//! <the source line>
//! <a caret line under the span>
//! ```
//!
//! where LINE and COL are 1-based and COL counts characters.

use std::fmt::Write as _;

/// A byte range `start..end` in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// The span `start..end`; offsets beyond `u32::MAX` are clamped.
    pub fn new(start: usize, end: usize) -> Span {
        let clamp = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        Span {
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One problem in a source file.
///
/// Diagnostics order by position (then message), so a sorted list reads
/// top to bottom.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// The smallest span that shows the problem.
    pub span: Span,
    /// A message that stands on its own, without a final period.
    pub message: String,
    /// Further explanations, each rendered on its own `note:` line.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span,
            message: message.into(),
            notes: Vec::new(),
        }
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }
}

/// A 1-based line and character column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// Line number, starting at 1.
    pub line: u32,
    /// Column in characters, starting at 1.
    pub col: u32,
}

/// A source file's name (as the user typed it) and text, with a line index
/// for turning byte offsets into lines and columns.
#[derive(Clone, Debug)]
pub struct SourceFile<'a> {
    name: &'a str,
    text: &'a str,
    line_starts: Vec<u32>,
    /// For each line, the offset of its first non-ASCII byte (or of its
    /// end): before it, columns are byte distances.
    ascii_until: Vec<u32>,
}

impl<'a> SourceFile<'a> {
    /// Indexes `text`, which was read from the file `name`.
    pub fn new(name: &'a str, text: &'a str) -> SourceFile<'a> {
        let clamp = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        let mut line_starts = vec![0];
        let mut ascii_until = Vec::new();
        let mut first_non_ascii: Option<usize> = None;
        for (offset, byte) in text.bytes().enumerate() {
            if byte == b'\n' {
                ascii_until.push(clamp(first_non_ascii.unwrap_or(offset)));
                first_non_ascii = None;
                line_starts.push(clamp(offset + 1));
            } else if byte >= 0x80 && first_non_ascii.is_none() {
                first_non_ascii = Some(offset);
            }
        }
        ascii_until.push(clamp(first_non_ascii.unwrap_or(text.len())));
        SourceFile {
            name,
            text,
            line_starts,
            ascii_until,
        }
    }

    /// The file name as given.
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// The source text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The line and character column of a byte offset (clamped to the text,
    /// and moved back to a character boundary).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = self.floor_boundary(offset as usize);
        let line_index = self.line_index(offset);
        let line_start = self.line_starts[line_index] as usize;
        let ascii_until = self
            .ascii_until
            .get(line_index)
            .map_or(line_start, |&until| until as usize);
        let col = if offset <= ascii_until {
            offset - line_start + 1
        } else {
            (ascii_until - line_start) + self.text[ascii_until..offset].chars().count() + 1
        };
        LineCol {
            line: u32::try_from(line_index + 1).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }

    /// The positions of many offsets, given in increasing order, in one
    /// pass over the text (however long its lines are).
    pub fn line_cols_sorted(&self, offsets: &[u32]) -> Vec<LineCol> {
        let mut result = Vec::with_capacity(offsets.len());
        // The last position computed: (byte offset, line index, column).
        let mut last: Option<(usize, usize, usize)> = None;
        for &offset in offsets {
            let offset = self.floor_boundary(offset as usize);
            let line_index = self.line_index(offset);
            let col = match last {
                Some((previous, previous_line, previous_col))
                    if previous_line == line_index && previous <= offset =>
                {
                    previous_col + self.text[previous..offset].chars().count()
                }
                _ => self.line_col(offset as u32).col as usize,
            };
            last = Some((offset, line_index, col));
            result.push(LineCol {
                line: u32::try_from(line_index + 1).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
            });
        }
        result
    }

    /// Renders one diagnostic: the header line, the source line and a caret
    /// line under the span, then one line per note. Ends with a newline.
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        let start = self.floor_boundary(diagnostic.span.start as usize);
        let end = self.floor_boundary(diagnostic.span.end as usize).max(start);
        let LineCol { line, col } = self.line_col(start as u32);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}:{line}:{col}: error: {}",
            self.name, diagnostic.message
        );

        let line_index = self.line_index(start);
        let line_start = self.line_starts[line_index] as usize;
        let line_end = self.text[line_start..]
            .find('\n')
            .map_or(self.text.len(), |newline| line_start + newline);
        let source_line = self.text[line_start..line_end].trim_end_matches('\r');
        out.push_str(source_line);
        out.push('\n');

        // Tabs are kept so that the caret lines up in a terminal.
        for ch in self.text[line_start..start].chars() {
            out.push(if ch == '\t' { '\t' } else { ' ' });
        }
        let caret_end = end.min(line_start + source_line.len());
        let width = self.text[start.min(caret_end)..caret_end]
            .chars()
            .count()
            .max(1);
        out.push_str(&"^".repeat(width));
        out.push('\n');

        for note in &diagnostic.notes {
            let _ = writeln!(out, "note: {note}");
        }
        out
    }

    /// Renders every diagnostic, in order.
    pub fn render_all(&self, diagnostics: &[Diagnostic]) -> String {
        diagnostics
            .iter()
            .map(|diagnostic| self.render(diagnostic))
            .collect()
    }

    fn line_index(&self, offset: usize) -> usize {
        let offset = u32::try_from(offset).unwrap_or(u32::MAX);
        self.line_starts
            .partition_point(|&line_start| line_start <= offset)
            .saturating_sub(1)
    }

    fn floor_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let file = SourceFile::new("f.rho", "ab\n\u{e9}\u{e9}x\n");
        assert_eq!(file.line_col(0), LineCol { line: 1, col: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 2, col: 1 });
        // `x` is after two two-byte characters.
        assert_eq!(file.line_col(7), LineCol { line: 2, col: 3 });
        assert_eq!(file.line_col(100), LineCol { line: 3, col: 1 });
    }

    #[test]
    fn sorted_positions_match_single_ones() {
        let text = "a\u{e9}b\u{e9}c\nx\u{e9}\u{e9}y\n";
        let file = SourceFile::new("f.rho", text);
        let offsets: Vec<u32> = (0..=text.len() as u32)
            .filter(|&o| text.is_char_boundary(o as usize))
            .collect();
        let single: Vec<LineCol> = offsets
            .iter()
            .map(|&offset| file.line_col(offset))
            .collect();
        assert_eq!(file.line_cols_sorted(&offsets), single);
    }

    #[test]
    fn render_shows_line_and_carets() {
        let file = SourceFile::new("dir/f.rho", "Nil |\n  foo!(1)\n");
        let diagnostic = Diagnostic::error(Span::new(8, 11), "bad thing");
        assert_eq!(
            file.render(&diagnostic),
            "dir/f.rho:2:3: error: bad thing\n  foo!(1)\n  ^^^\n"
        );
    }

    #[test]
    fn render_at_end_of_file_has_one_caret() {
        let file = SourceFile::new("f.rho", "x!(");
        let diagnostic = Diagnostic::error(Span::new(3, 3), "unexpected end of file");
        assert_eq!(
            file.render(&diagnostic),
            "f.rho:1:4: error: unexpected end of file\nx!(\n   ^\n"
        );
    }

    #[test]
    fn diagnostics_sort_by_position() {
        let late = Diagnostic::error(Span::new(9, 10), "a");
        let early = Diagnostic::error(Span::new(2, 3), "b");
        let mut all = vec![late.clone(), early.clone()];
        all.sort();
        assert_eq!(all, vec![early, late]);
    }
}
