//! A generated file handed to the writer a part at a time. The large files of a build
//! (the front page, the search page and index, the sitemap, the feed) are rendered side by
//! side with the pages; were each kept whole as one growing buffer, several would be alive
//! at once, each doubling its way up and leaving its old copies to the allocator, which
//! raises the peak memory of a large site. Rendered through `Parts`, a file is never more
//! than one part in memory: a full part goes to the sink (the output folder, or `check`'s
//! sink, which drops it) and the next starts afresh.

use std::io;

use super::Sink;
use crate::diagnostic::Diagnostic;
use crate::output::{Job, Part};

/// How much of a file is held before it is handed on: large enough that a file takes few
/// writes, small enough that a handful side by side cost little.
pub(super) const PART_SIZE: usize = 256 * 1024;

/// The file at `path`, written through `io::Write` (a template, a JSON or XML writer) and
/// handed to `sink` a part at a time; `finish` hands on the rest.
pub(super) struct Parts<'s> {
    path: String,
    buf: Vec<u8>,
    /// Whether the file's first part has gone to the sink.
    started: bool,
    sink: Sink<'s>,
    /// What the sink said when it refused a part: the file's error, rather than the
    /// writer's word for the failed write that it caused.
    refused: Option<Diagnostic>,
}

impl<'s> Parts<'s> {
    /// A file expected to be about `size` bytes: a small one gets a buffer of its size
    /// (it then goes whole, in one write), a large one a part's.
    pub(super) fn new(path: impl Into<String>, size: usize, sink: Sink<'s>) -> Parts<'s> {
        Parts {
            path: path.into(),
            buf: Vec::with_capacity(size.min(PART_SIZE)),
            started: false,
            sink,
            refused: None,
        }
    }

    /// Hands the bytes held so far to the sink as the file's next part.
    fn hand_on(&mut self, bytes: Vec<u8>) -> io::Result<()> {
        if self.refused.is_some() {
            return Err(refused());
        }
        let part = if self.started {
            Part::More
        } else {
            Part::First
        };
        self.started = true;
        let job = Job {
            path: self.path.clone(),
            bytes,
            part,
        };
        (self.sink)(job).map_err(|d| {
            self.refused = Some(d);
            refused()
        })
    }

    /// The error to report for a write that failed: the sink's refusal when there was
    /// one, else `otherwise` (the writer's own error, which names the template or file).
    pub(super) fn failure(&mut self, otherwise: Diagnostic) -> Diagnostic {
        self.refused.take().unwrap_or(otherwise)
    }

    /// Hands on what is left: the whole file when it never filled a part, else its last
    /// part.
    pub(super) fn finish(mut self) -> Result<(), Diagnostic> {
        if let Some(d) = self.refused.take() {
            return Err(d);
        }
        let part = if self.started {
            Part::Last
        } else {
            Part::Whole
        };
        (self.sink)(Job {
            path: std::mem::take(&mut self.path),
            bytes: std::mem::take(&mut self.buf),
            part,
        })
    }
}

/// The write error that stops a writer once the sink has refused a part; the sink's own
/// diagnostic is kept in `Parts::refused`.
fn refused() -> io::Error {
    io::Error::other("the output refused the file")
}

impl Parts<'_> {
    /// `bytes` that do not fit in the part being filled: that part goes on, and `bytes`
    /// start the next, or go as a part of their own when they are a long piece (a page's
    /// whole body in a template) rather than through the buffer.
    #[cold]
    fn spill(&mut self, bytes: &[u8]) -> io::Result<()> {
        if !self.buf.is_empty() {
            let full = std::mem::replace(&mut self.buf, Vec::with_capacity(PART_SIZE));
            self.hand_on(full)?;
        }
        if bytes.len() >= PART_SIZE {
            self.hand_on(bytes.to_vec())
        } else {
            self.buf.extend_from_slice(bytes);
            Ok(())
        }
    }
}

impl io::Write for Parts<'_> {
    // Templates write in many small pieces: the common case, a piece that fits, is as
    // cheap as writing into a `Vec`.
    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.buf.len() + bytes.len() <= PART_SIZE {
            self.buf.extend_from_slice(bytes);
            Ok(())
        } else {
            self.spill(bytes)
        }
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes).map(|()| bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;
    use std::sync::Mutex;

    /// Writes `pieces` through `Parts`, returning the jobs the sink got.
    fn parts_of(pieces: &[&[u8]]) -> Vec<(Part, Vec<u8>)> {
        let got = Mutex::new(Vec::new());
        let sink = |job: Job| {
            got.lock().expect("lock").push((job.part, job.bytes));
            Ok(())
        };
        let mut parts = Parts::new("x", 10, &sink);
        for p in pieces {
            parts.write_all(p).expect("write");
        }
        parts.finish().expect("finish");
        got.into_inner().expect("lock")
    }

    #[test]
    fn a_small_file_goes_whole() {
        assert_eq!(parts_of(&[b"ab", b"c"]), [(Part::Whole, b"abc".to_vec())]);
    }

    #[test]
    fn a_large_file_goes_in_bounded_parts_that_make_it_whole() {
        let piece = vec![7u8; 100 * 1024];
        let long = vec![8u8; PART_SIZE + 1];
        let pieces: Vec<&[u8]> = vec![&piece, &piece, &piece, &long, b"end"];
        let got = parts_of(&pieces);
        let kinds: Vec<Part> = got.iter().map(|(p, _)| *p).collect();
        assert_eq!(kinds, [Part::First, Part::More, Part::More, Part::Last]);
        assert!(
            got.iter()
                .all(|(_, b)| b.len() <= PART_SIZE || b.as_slice() == long.as_slice())
        );
        let joined: Vec<u8> = got.into_iter().flat_map(|(_, b)| b).collect();
        assert_eq!(joined, pieces.concat());
    }

    #[test]
    fn the_sinks_refusal_is_the_files_error() {
        let sink = |_: Job| Err(Diagnostic::error("x", "disk full"));
        let mut parts = Parts::new("x", 0, &sink);
        let big = vec![0u8; PART_SIZE + 1];
        assert!(parts.write_all(&big).is_err());
        let said = parts.failure(Diagnostic::error("x", "template"));
        assert_eq!(said.message, "disk full");
    }
}
