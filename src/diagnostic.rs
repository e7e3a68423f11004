//! Diagnostics: every problem found in a run, each pointing at a file and, where there is
//! one, a line and column. They are collected and shown together, never one per run.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located in a file of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, relative to the site root where possible.
    pub file: PathBuf,
    /// 1-based line and column.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// The offending line of the file, shown under the location (a `Box<str>`: diagnostics
    /// travel in `Result`s, and are kept small).
    pub source_line: Option<Box<str>>,
    /// The operating system's error, for a file that could not be read or written: what
    /// `fold_io` groups by. Boxed: most diagnostics have none, and they travel in
    /// `Result`s.
    pub io: Option<Box<IoFailure>>,
    /// For a template's error: the content page being rendered, and how many other pages
    /// met the same error (said once, with the count).
    pub rendering: Option<Box<Rendering>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendering {
    pub page: PathBuf,
    pub others: usize,
}

/// The cause of an I/O diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoFailure {
    pub kind: std::io::ErrorKind,
    /// The error as the OS words it: `No space left on device (os error 28)`.
    pub text: String,
    /// The system's error number, where there is one.
    pub code: Option<i32>,
}

/// The system's numbers for running out of file descriptors or memory.
#[cfg(unix)]
const OUT_OF_RESOURCES: [i32; 3] = [libc::EMFILE, libc::ENFILE, libc::ENOMEM];
/// ERROR_TOO_MANY_OPEN_FILES, ERROR_NOT_ENOUGH_MEMORY, ERROR_OUTOFMEMORY.
#[cfg(not(unix))]
const OUT_OF_RESOURCES: [i32; 3] = [4, 8, 14];

impl IoFailure {
    fn of(err: &std::io::Error) -> Box<IoFailure> {
        Box::new(IoFailure {
            kind: err.kind(),
            text: err.to_string(),
            code: err.raw_os_error(),
        })
    }

    /// The machine's trouble, not the file's: the process or the system ran out of file
    /// descriptors or memory. Reading the same file again later may well work.
    pub fn is_machine_trouble(&self) -> bool {
        self.kind == std::io::ErrorKind::OutOfMemory
            || self.code.is_some_and(|c| OUT_OF_RESOURCES.contains(&c))
    }
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    memchr::memchr_iter(b'\n', &text.as_bytes()[..offset]).count() + 1
}

impl Diagnostic {
    pub fn error(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            source_line: None,
            io: None,
            rendering: None,
        }
    }

    pub fn warning(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    pub fn io(file: &Path, err: &std::io::Error) -> Self {
        Diagnostic {
            io: Some(IoFailure::of(err)),
            ..Diagnostic::error(file, format!("cannot access the file: {err}"))
        }
    }

    /// Records the system's error behind this diagnostic.
    pub fn caused_by(mut self, err: Option<&std::io::Error>) -> Self {
        self.io = err.map(IoFailure::of);
        self
    }

    /// What the machine ran out of, if this is its trouble rather than the site's.
    pub fn machine_trouble(&self) -> Option<String> {
        let io = self.io.as_ref().filter(|io| io.is_machine_trouble())?;
        Some(format!("cannot read {}: {}", self.file.display(), io.text))
    }

    /// Points the diagnostic at a byte offset of `text` (the whole file).
    pub fn at_offset(mut self, text: &str, offset: usize) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = line_of(text, offset);
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        self.line = Some(line);
        self.column = Some(column);
        self.source_line = text[line_start..]
            .lines()
            .next()
            .map(|l| l.trim_end_matches('\r').into());
        self
    }

    /// Points the diagnostic at a 1-based line of `text`, without a column.
    pub fn at_line(mut self, text: &str, line: usize) -> Self {
        self.line = Some(line);
        self.source_line = text
            .lines()
            .nth(line.saturating_sub(1))
            .map(|l| l.trim_end_matches('\r').into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.message)?;
        if let Some(r) = &self.rendering {
            write!(f, " (while rendering {}", r.page.display())?;
            match r.others {
                0 => write!(f, ")")?,
                1 => write!(f, " and 1 other page)")?,
                n => write!(f, " and {n} other pages)")?,
            }
        }
        writeln!(f)?;
        write!(f, "  --> {}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let (Some(line), Some(src)) = (self.line, &self.source_line) {
            let n = line.to_string();
            let pad = " ".repeat(n.len());
            let col = self.column.map(|c| c.saturating_sub(1));
            let (shown, caret) = excerpt(src, col.unwrap_or(0));
            write!(f, "\n {pad} |\n {n} | {shown}")?;
            if col.is_some() {
                let indent: String = shown
                    .chars()
                    .take(caret)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                write!(f, "\n {pad} | {indent}^")?;
            }
        }
        Ok(())
    }
}

/// The failure of a run: one or more diagnostics, errors first.
/// How many characters of a source line are shown.
const EXCERPT_WIDTH: usize = 120;

/// The part of a source line to show around character `col`, and where in it the caret
/// goes: a window of a long line (a 10 MB one-line file stays readable), with control
/// characters (terminal escapes from a hostile file) replaced.
fn excerpt(src: &str, col: usize) -> (String, usize) {
    let len = src.chars().count();
    let start = if len <= EXCERPT_WIDTH {
        0
    } else {
        col.saturating_sub(EXCERPT_WIDTH / 2)
            .min(len - EXCERPT_WIDTH)
    };
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(src.chars().skip(start).take(EXCERPT_WIDTH).map(|c| {
        if c.is_control() && c != '\t' {
            '\u{fffd}'
        } else {
            c
        }
    }));
    if start + EXCERPT_WIDTH < len {
        shown.push('…');
    }
    (shown, col - start + usize::from(start > 0))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Errors(pub Vec<Diagnostic>);

impl Errors {
    pub fn one(d: Diagnostic) -> Self {
        Errors(vec![d])
    }
}

impl From<Diagnostic> for Errors {
    fn from(d: Diagnostic) -> Self {
        Errors::one(d)
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        let n = self.0.iter().filter(|d| d.is_error()).count();
        if n > 1 {
            write!(f, "\n\n{n} errors")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

/// Sorts diagnostics so that output is stable whatever the order of parallel work.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.severity, &a.file, a.line, a.column, &a.message)
            .cmp(&(b.severity, &b.file, b.line, b.column, &b.message))
    });
}

/// How many problems of one file are shown; the rest are counted. Locating a problem
/// costs time in proportion to its file, so a note with 20,000 broken links would take
/// quadratic time to report in full, and nobody reads past the first screens.
pub const MAX_PER_FILE: usize = 100;

/// Keeps the first `MAX_PER_FILE` diagnostics of each file, in order, and says how many
/// more there were in one last error for that file.
pub fn cap_per_file(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    use std::collections::HashMap;
    if diags.len() <= MAX_PER_FILE {
        return diags;
    }
    let mut seen: HashMap<PathBuf, usize> = HashMap::new();
    let mut out = Vec::with_capacity(diags.len().min(4 * MAX_PER_FILE));
    let mut over: Vec<PathBuf> = Vec::new();
    for d in diags {
        let n = seen.entry(d.file.clone()).or_default();
        *n += 1;
        if *n <= MAX_PER_FILE {
            out.push(d);
        } else if *n == MAX_PER_FILE + 1 {
            over.push(d.file);
        }
    }
    for file in over {
        let more = seen.get(&file).map_or(0, |n| n - MAX_PER_FILE);
        out.push(Diagnostic::error(
            &file,
            format!(
                "{} more problems in this file are not shown (the first {MAX_PER_FILE} are): \
                 fix those and run again",
                thousands(more)
            ),
        ));
    }
    out
}

/// From how many files failing alike `fold_io` says it once.
const FOLD_AT: usize = 4;

/// A full disk, a read-only or over-quota file system fails every write after the first
/// with the same error: thousands of identical diagnostics hide the one thing to fix. Each
/// I/O error shared by `FOLD_AT` files or more becomes one diagnostic with the count and
/// an example, on `into` (the output folder as shown); other diagnostics are kept as they
/// are, in order.
pub fn fold_io(diags: Vec<Diagnostic>, into: &Path) -> Vec<Diagnostic> {
    use std::collections::HashMap;
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for d in &diags {
        if let Some(io) = &d.io {
            *counts.entry(io.text.as_str()).or_default() += 1;
        }
    }
    let folded: HashMap<String, usize> = counts
        .into_iter()
        .filter(|&(_, n)| n >= FOLD_AT)
        .map(|(text, n)| (text.to_string(), n))
        .collect();
    if folded.is_empty() {
        return diags;
    }
    let mut said = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(diags.len());
    for d in diags {
        let Some(io) = d.io.as_ref().filter(|io| folded.contains_key(&io.text)) else {
            out.push(d);
            continue;
        };
        if !said.insert(io.text.clone()) {
            continue;
        }
        let n = folded.get(&io.text).copied().unwrap_or_default();
        // `No space left on device (os error 28)`: the number adds nothing for a reader.
        let reason = io
            .text
            .rsplit_once(" (os error ")
            .map_or(io.text.as_str(), |(r, _)| r);
        let folder = into.display().to_string();
        let folder = folder.trim_end_matches('/');
        out.push(Diagnostic {
            io: d.io.clone(),
            ..Diagnostic::error(
                into,
                format!(
                    "{reason} while writing {} files into {folder}/, e.g. {}",
                    thousands(n),
                    d.file.display()
                ),
            )
        });
    }
    out
}

/// `3003` → `3,003`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_shows_its_first_problems_and_counts_the_rest() {
        let mut diags: Vec<Diagnostic> = (0..20_000)
            .map(|i| Diagnostic::error("content/a.md", format!("problem {i}")))
            .collect();
        diags.push(Diagnostic::error("content/b.md", "other"));
        let capped = cap_per_file(diags);
        assert_eq!(capped.len(), MAX_PER_FILE + 2);
        assert_eq!(capped[MAX_PER_FILE - 1].message, "problem 99");
        assert_eq!(capped[MAX_PER_FILE].message, "other");
        assert!(
            capped[MAX_PER_FILE + 1]
                .message
                .starts_with("19,900 more problems in this file are not shown"),
            "{:?}",
            capped.last()
        );
        let few = vec![Diagnostic::error("x", "a"), Diagnostic::error("x", "b")];
        assert_eq!(cap_per_file(few.clone()), few);
    }

    #[test]
    fn running_out_of_descriptors_or_memory_is_the_machines_trouble() {
        let file = Path::new("content/a.md");
        for out_of in OUT_OF_RESOURCES {
            let d = Diagnostic::io(file, &std::io::Error::from_raw_os_error(out_of));
            let trouble = d.machine_trouble().unwrap_or_default();
            assert!(
                trouble.starts_with("cannot read content/a.md: "),
                "{trouble}"
            );
        }
        let memory = std::io::Error::from(std::io::ErrorKind::OutOfMemory);
        assert!(Diagnostic::io(file, &memory).machine_trouble().is_some());
        for the_file in [
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            std::io::Error::from(std::io::ErrorKind::NotFound),
            std::io::Error::from_raw_os_error(21),
        ] {
            assert_eq!(Diagnostic::io(file, &the_file).machine_trouble(), None);
        }
        assert_eq!(
            Diagnostic::error(file, "unknown theme").machine_trouble(),
            None
        );
    }

    #[test]
    fn identical_io_errors_are_said_once_with_the_count() {
        let full = std::io::Error::from_raw_os_error(28);
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let mut diags: Vec<Diagnostic> = (0..3003)
            .map(|i| Diagnostic::io(Path::new(&format!("public/p{i}/index.html")), &full))
            .collect();
        diags.insert(1, Diagnostic::error("content/a.md", "unknown theme"));
        diags.push(Diagnostic::io(Path::new("public/x.css"), &denied));
        let folded = fold_io(diags, Path::new("public"));
        let messages: Vec<String> = folded.iter().map(|d| d.message.clone()).collect();
        assert_eq!(
            messages,
            [
                format!(
                    "{} while writing 3,003 files into public/, e.g. public/p0/index.html",
                    full.to_string()
                        .rsplit_once(" (os error ")
                        .map_or("", |(r, _)| r)
                ),
                "unknown theme".to_string(),
                format!("cannot access the file: {denied}"),
            ]
        );
        assert_eq!(folded[0].file, Path::new("public"));
        assert!(
            messages[0].starts_with("No space left on device while"),
            "{}",
            messages[0]
        );
        // A few alike are listed, each with its file.
        let few: Vec<Diagnostic> = (0..3)
            .map(|i| Diagnostic::io(Path::new(&format!("p{i}")), &full))
            .collect();
        assert_eq!(fold_io(few.clone(), Path::new("public")), few);
        assert_eq!(thousands(3), "3");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn a_long_line_is_shown_around_the_column() {
        let line = format!("{}BAD{}", "a".repeat(5000), "b".repeat(5000));
        let d = Diagnostic::error("content/x.md", "bad").at_offset(&line, 5000);
        let shown = d.to_string();
        assert!(shown.len() < 600, "{shown}");
        let lines: Vec<&str> = shown.lines().collect();
        let (src, caret) = (lines[3], lines[4]);
        let at = caret.chars().position(|c| c == '^').expect("caret");
        let under: String = src.chars().skip(at).take(3).collect();
        assert_eq!(under, "BAD", "{shown}");
    }

    #[test]
    fn control_characters_are_not_printed() {
        let d = Diagnostic::error("x", "bad").at_offset("ti\u{1b}[2Jtle = 1", 0);
        assert!(!d.to_string().contains('\u{1b}'));
    }
}
