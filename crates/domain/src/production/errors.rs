//! The bad lines of a file: each with where and why, kept in line order up to a limit.

use super::MAX_REPORTED_ERRORS;

/// One bad line: where, in which column (as named in the file's header), and why, in Dutch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    pub line: usize,
    pub column: Option<String>,
    pub reason: String,
}

impl LineError {
    pub fn new(line: usize, column: Option<&str>, reason: impl Into<String>) -> Self {
        Self {
            line,
            column: column.map(str::to_string),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "regel {}, kolom {}: {}", self.line, c, self.reason),
            None => write!(f, "regel {}: {}", self.line, self.reason),
        }
    }
}

/// Keeps the errors with the lowest line numbers (by default [`MAX_REPORTED_ERRORS`]) and counts
/// all of them, in bounded memory even when every one of a million lines is wrong.
#[derive(Debug, Clone)]
pub struct LineErrors {
    kept: Vec<LineError>,
    total: usize,
    limit: usize,
}

impl Default for LineErrors {
    fn default() -> Self {
        Self::keeping(MAX_REPORTED_ERRORS)
    }
}

impl LineErrors {
    /// Keeps at most `limit` errors; `usize::MAX` keeps every one.
    pub fn keeping(limit: usize) -> Self {
        Self {
            kept: Vec::new(),
            total: 0,
            limit,
        }
    }

    pub fn push(&mut self, e: LineError) {
        self.total += 1;
        self.kept.push(e);
        if self.kept.len() >= self.limit.saturating_mul(2) {
            self.compact();
        }
    }

    fn compact(&mut self) {
        // Stable, so errors of one line keep the order in which they were found.
        self.kept.sort_by_key(|e| e.line);
        self.kept.truncate(self.limit);
    }

    /// Counts errors that are not kept (found elsewhere, beyond what is shown).
    pub fn count_more(&mut self, n: usize) {
        self.total += n;
    }

    pub fn total(&self) -> usize {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The kept errors by line number, and the total count.
    pub fn finish(mut self) -> (Vec<LineError>, usize) {
        self.compact();
        (self.kept, self.total)
    }
}
