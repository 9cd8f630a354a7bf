//! Spec errors: every one carries a position, the offending text and a hint.

use std::fmt;

/// What went wrong in a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecErrorKind {
    /// The text does not follow the grammar.
    Syntax,
    /// A parameter was given twice, or both `sigma` and `sigma2`.
    Duplicate,
    /// A required parameter is missing.
    Missing,
    /// A value is out of range (p must grow, H and N must not shrink, prefactors > 0, ...).
    Range,
}

/// A positioned error in a scaling specification.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct SpecError {
    /// The category.
    pub kind: SpecErrorKind,
    /// One-line description.
    pub message: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// The offending text (may be empty at the end of the input).
    pub found: String,
    /// The whole source line, for display.
    pub source_line: String,
    /// What to do about it.
    pub hint: String,
}

impl SpecError {
    /// Build an error at byte offset `at` (spanning `len` bytes) of `src`.
    pub fn at(
        src: &str,
        at: usize,
        len: usize,
        kind: SpecErrorKind,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        let at = floor_char_boundary(src, at.min(src.len()));
        let end = floor_char_boundary(src, (at + len).min(src.len()));
        let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[at..].find('\n').map_or(src.len(), |i| at + i);
        let line = src[..at].matches('\n').count() + 1;
        let col = src[line_start..at].chars().count() + 1;
        let found_end = end.min(line_end);
        let message: String = message.into();
        SpecError {
            kind,
            message: message
                .split(' ')
                .map(|w| elide(w, MAX_SHOWN))
                .collect::<Vec<_>>()
                .join(" "),
            line,
            col,
            found: elide(&src[at..found_end.max(at)], MAX_SHOWN),
            source_line: src[line_start..line_end].trim_end_matches('\r').to_string(),
            hint: hint.into(),
        }
    }
}

/// Longest token shown whole in a message; longer ones are elided (see [`elide`]).
pub const MAX_SHOWN: usize = 60;

/// `s` cut to about `max` characters, keeping its start and end and saying how long it was:
/// `abc…(5000000 characters)…xyz`. Messages never echo a huge token whole.
pub fn elide(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max * 2 / 3).collect();
    let tail: String = s.chars().skip(n - max / 4).collect();
    format!("{head}…({n} characters)…{tail}")
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.col, self.message
        )?;
        if !self.found.is_empty() {
            write!(f, " (found `{}`)", self.found)?;
        }
        let gutter = self.line.to_string();
        let pad = " ".repeat(gutter.len());
        // A window of the source line around the column (long lines are cut, with `…`).
        let chars: Vec<char> = self
            .source_line
            .chars()
            .map(|c| if c == '\t' || c.is_control() { ' ' } else { c })
            .collect();
        let col0 = (self.col - 1).min(chars.len());
        let width = self.found.chars().count().max(1).min(MAX_SHOWN + 30);
        let from = col0.saturating_sub(MAX_SHOWN);
        let to = (col0 + width + MAX_SHOWN).min(chars.len());
        let mut shown: String = chars[from..to].iter().collect();
        let mut caret_at = col0 - from;
        if from > 0 {
            shown.insert(0, '…');
            caret_at += 1;
        }
        if to < chars.len() {
            shown.push('…');
        }
        write!(f, "\n {pad} |\n {gutter} | {shown}\n {pad} | ")?;
        write!(f, "{}{}", " ".repeat(caret_at), "^".repeat(width))?;
        write!(f, "\n {pad} = hint: {}", self.hint)
    }
}
