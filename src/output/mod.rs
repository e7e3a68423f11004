//! Writing the output folder safely.
//!
//! `target` resolves the output path against the real file system before anything is
//! touched and applies every refusal to the resolved folder. `swap` is a full build's
//! output: a lock beside the output, everything written into a fresh staging folder there,
//! swapped in with one atomic exchange only when the whole build succeeded. `patch` is the
//! preview's rebuild, which stages only its changed files beside the live output and moves
//! them in one by one. Both write through one `Sink`, so every file follows one set of
//! rules and a clash is said in one way, and both name what they keep beside the output by
//! one scheme (`beside`).

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::diagnostic::Diagnostic;
use crate::paths::is_safe_relative;

mod patch;
mod swap;
mod target;

pub use patch::{Patch, Refusal, Removal};
pub use swap::{Output, remove_tree};
pub use target::{Origin, check_target, resolve};

/// Marks an output folder as briefing's own, so it may be replaced without `--force`.
pub const MARKER: &str = ".briefing-output";

/// Whether briefing wrote this folder: its marker is a plain file, not a link.
fn is_ours(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

/// What briefing keeps beside an output folder, each under the name `beside` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A build's new output, written whole before it is swapped in.
    Staging,
    /// The previous output, for a moment, where the swap takes two renames.
    Old,
    /// The lock file that keeps a second build out.
    Lock,
    /// The preview's changed files, before they are moved into the live output.
    Patch,
}

/// The one name for what briefing keeps beside `target` for `role`:
/// `.NAME.briefing-ROLE` (`.public.briefing-staging`, `.public.briefing-old`,
/// `.public.briefing-lock`, `.public.briefing-patch`). Hidden, and named after the folder,
/// so that outputs side by side keep theirs apart; on the same file system as `target`, so
/// that moving from one to the other is a rename.
fn beside(target: &Path, role: Role) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    let role = match role {
        Role::Staging => "staging",
        Role::Old => "old",
        Role::Lock => "lock",
        Role::Patch => "patch",
    };
    target.with_file_name(format!(".{name}.briefing-{role}"))
}

/// Tells a build to stop at its next write (set by a signal handler): the staging folder
/// is then removed and the previous output stays.
pub type Cancel = Arc<AtomicBool>;

/// Where rendered files go: a full build's fresh folder, swapped in whole (`Output`), or
/// the preview's changed files, staged beside the live output and moved into it (`Patch`).
/// The rules every output file follows are the provided `put` and `copy`, said once; a
/// sink only says where a file's bytes go and how its failures are worded.
pub trait Sink {
    /// What a refused or failed write says.
    type Error: From<Diagnostic>;

    /// Where the bytes of output file `rel` go: for its first part a fresh place, counted,
    /// its folders made; for a later part the place its first part went.
    fn place(&self, rel: &str, first: bool) -> Result<PathBuf, Self::Error>;

    /// The error for an I/O failure while writing `rel`.
    fn failed(&self, rel: &str, e: &io::Error) -> Self::Error;

    /// The error for a file `from`, to be copied to `rel`, that cannot be opened.
    fn unreadable(&self, from: &Path, rel: &str, e: &io::Error) -> Self::Error;

    /// The error for `rel` clashing with `other` (see `clash_message`): said at `rel`.
    fn clashed(&self, rel: &str, other: &str) -> Self::Error {
        Diagnostic::error(rel, clash_message(rel, other)).into()
    }

    /// Refuses every write once the build is to stop.
    fn interrupted(&self) -> Result<(), Diagnostic> {
        Ok(())
    }

    /// The files started so far.
    fn count(&self) -> usize;

    /// Writes one part of the file at `rel` (a `/`-separated path inside the output): the
    /// whole file or its start creates it, later parts append to it. A file is never
    /// created over one already there: a second start at the same path is a clash (`Output`
    /// finds the file there; `Patch`, which stages each file under a number, in its list).
    fn put(&self, rel: &str, bytes: &[u8], part: Part) -> Result<(), Self::Error> {
        checked_rel(self, rel)?;
        let mut file = match part {
            Part::Whole | Part::First => create(self, rel)?,
            Part::More | Part::Last => {
                let path = self.place(rel, false)?;
                std::fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .map_err(|e| self.failed(rel, &e))?
            }
        };
        file.write_all(bytes).map_err(|e| self.failed(rel, &e))
    }

    /// Copies the file `from` to `rel`, streamed: a content file may be large.
    fn copy(&self, from: &Path, rel: &str) -> Result<(), Self::Error> {
        checked_rel(self, rel)?;
        let mut source = File::open(from).map_err(|e| self.unreadable(from, rel, &e))?;
        let mut file = create(self, rel)?;
        io::copy(&mut source, &mut file)
            .map(|_| ())
            .map_err(|e| self.failed(rel, &e))
    }
}

/// Refuses a write once the build is to stop, and any path that would leave the output.
fn checked_rel<S: Sink + ?Sized>(sink: &S, rel: &str) -> Result<(), Diagnostic> {
    sink.interrupted()?;
    if !is_safe_relative(rel) {
        return Err(Diagnostic::error(
            rel,
            format!("refusing to write {rel:?}: it would land outside the output folder"),
        ));
    }
    Ok(())
}

/// Creates the file that will be `rel`, refusing to replace one this build already wrote.
fn create<S: Sink + ?Sized>(sink: &S, rel: &str) -> Result<File, S::Error> {
    let path = sink.place(rel, true)?;
    File::create_new(&path).map_err(|e| {
        if e.kind() != io::ErrorKind::AlreadyExists {
            return sink.failed(rel, &e);
        }
        // A folder there is another file's, which needs `rel` as its folder.
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            sink.clashed(rel, &format!("{rel}/"))
        } else {
            sink.clashed(rel, rel)
        }
    })
}

/// The one message for a file the writer cannot create, in a build as in the preview:
/// `rel` is written already (`other` is `rel`), or `rel` and `other` need one name, one as
/// a file and the other as a folder (`other` is a folder of `rel`, or a file in the folder
/// `rel`, or `rel/` for a folder whose files are not known). The site's checks catch such
/// clashes before anything is written, naming their sources; this is the writer's last word.
pub fn clash_message(rel: &str, other: &str) -> String {
    let start = "two outputs of this build would both be written to";
    if other == rel {
        return format!("{start} {rel}");
    }
    let (name, inside) = match (rel.strip_prefix(other), other.strip_prefix(rel)) {
        (Some(rest), _) if rest.starts_with('/') => (other, Some(rel)),
        (_, Some("/")) => (rel, None),
        (_, Some(rest)) if rest.starts_with('/') => (rel, Some(other)),
        _ => (rel, Some(other)),
    };
    match inside {
        Some(inside) => format!("{start} {name}, one as a file and one as the folder of {inside}"),
        None => format!("{start} {name}, one as a file and one as a folder"),
    }
}

/// One file the build writes, or one part of it: its path in the output and its bytes.
pub struct Job {
    pub path: String,
    pub bytes: Vec<u8>,
    pub part: Part,
}

/// Which part of its file a job holds. The book, every page in one file, is written a
/// part at a time so that it is never whole in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The whole file.
    Whole,
    /// The start: the file is created (or replaced) with these bytes.
    First,
    /// Bytes to append.
    More,
    /// The last bytes to append: the file is complete.
    Last,
}

impl Job {
    pub fn whole(path: impl Into<String>, bytes: Vec<u8>) -> Job {
        Job {
            path: path.into(),
            bytes,
            part: Part::Whole,
        }
    }

    /// Whether this job begins a file (to count files written).
    pub fn starts_file(&self) -> bool {
        matches!(self.part, Part::Whole | Part::First)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_paths() {
        assert!(is_safe_relative("a/b/index.html"));
        for bad in [
            "../x",
            "/etc/passwd",
            "a/../../x",
            "a\\..\\x",
            "C:/x",
            "",
            "a/\0",
        ] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
    }

    #[test]
    fn every_folder_beside_the_output_follows_one_scheme() {
        let at = |role| beside(Path::new("/srv/site/public"), role);
        assert_eq!(
            [Role::Staging, Role::Old, Role::Lock, Role::Patch].map(at),
            [
                ".public.briefing-staging",
                ".public.briefing-old",
                ".public.briefing-lock",
                ".public.briefing-patch"
            ]
            .map(|n| Path::new("/srv/site").join(n))
        );
    }

    #[test]
    fn a_clash_is_said_in_one_sentence_whichever_side_is_the_folder() {
        let start = "two outputs of this build would both be written to";
        for (rel, other, said) in [
            ("x", "x", "x"),
            (
                "a/index.html",
                "a",
                "a, one as a file and one as the folder of a/index.html",
            ),
            (
                "b",
                "b/x.html",
                "b, one as a file and one as the folder of b/x.html",
            ),
            ("b", "b/", "b, one as a file and one as a folder"),
        ] {
            assert_eq!(clash_message(rel, other), format!("{start} {said}"));
        }
    }

    /// A full build's sink and the preview's, both in a fresh folder.
    fn sinks() -> (tempfile::TempDir, Output, Patch) {
        let dir = tempfile::tempdir().expect("tempdir");
        let swap = Output::begin(&dir.path().join("built"), None).expect("begin");
        std::fs::create_dir(dir.path().join("live")).expect("live");
        let patch = Patch::begin(&dir.path().join("live")).expect("begin");
        (dir, swap, patch)
    }

    fn message(r: Refusal) -> String {
        match r {
            Refusal::Said(d) => d.message,
            Refusal::Clash { rel, message } => panic!("{rel}: {message}"),
        }
    }

    #[test]
    fn both_sinks_refuse_paths_outside_the_output_alike() {
        let (dir, swap, patch) = sinks();
        let from = dir.path().join("from");
        std::fs::write(&from, "x").expect("source");
        for bad in ["../x", "/etc/passwd"] {
            let said = swap.put(bad, b"x", Part::Whole).expect_err(bad).message;
            assert!(
                said.contains("would land outside the output folder"),
                "{said}"
            );
            assert_eq!(
                message(patch.put(bad, b"x", Part::Whole).expect_err(bad)),
                said
            );
            assert_eq!(swap.copy(&from, bad).expect_err(bad).message, said);
            assert_eq!(message(patch.copy(&from, bad).expect_err(bad)), said);
        }
        assert_eq!((swap.count(), patch.count()), (0, 0));
        assert!(
            patch.trouble().is_none(),
            "a refusal is not the machine's trouble"
        );
    }

    #[test]
    fn both_sinks_build_a_file_from_its_parts_and_count_files() {
        let (dir, swap, patch) = sinks();
        let from = dir.path().join("from");
        std::fs::write(&from, "copied").expect("source");
        for (part, bytes) in [(Part::First, "a"), (Part::More, "b"), (Part::Last, "c")] {
            swap.put("book/index.html", bytes.as_bytes(), part)
                .expect("swap");
            patch
                .put("book/index.html", bytes.as_bytes(), part)
                .expect("patch");
        }
        swap.copy(&from, "x/y.txt").expect("swap copy");
        patch.copy(&from, "x/y.txt").expect("patch copy");
        assert_eq!((swap.count(), patch.count()), (2, 2));
        // Only the build refuses a second start; the preview's claims check comes first.
        assert!(swap.put("x/y.txt", b"again", Part::Whole).is_err());
        swap.commit().expect("commit");
        patch.commit().expect("commit");
        for out in ["built", "live"] {
            let read = |rel: &str| std::fs::read_to_string(dir.path().join(out).join(rel));
            assert_eq!(read("book/index.html").expect(out), "abc");
            assert_eq!(read("x/y.txt").expect(out), "copied");
        }
    }

    #[test]
    fn both_sinks_refuse_a_second_file_at_one_path_and_keep_the_first() {
        let (dir, swap, patch) = sinks();
        swap.put("x", b"first", Part::Whole).expect("first");
        let said = swap
            .put("x", b"second", Part::Whole)
            .expect_err("swap")
            .message;
        assert!(said.starts_with("two outputs of this build"), "{said}");
        patch.put("x", b"first", Part::Whole).expect("first");
        match patch.put("x", b"second", Part::Whole) {
            Err(Refusal::Clash { rel, message }) => {
                assert_eq!((rel.as_str(), message), ("x", said))
            }
            other => panic!("{other:?}"),
        }
        patch
            .put("y", b"next", Part::Whole)
            .expect("a new path is still fine");
        assert_eq!(patch.count(), 2);
        patch.commit().expect("commit");
        assert_eq!(
            std::fs::read(dir.path().join("live/x")).expect("x"),
            b"first"
        );
        assert_eq!(
            std::fs::read(dir.path().join("live/y")).expect("y"),
            b"next"
        );
    }

    #[test]
    fn both_sinks_say_a_file_where_a_folder_is_needed_alike() {
        let (_dir, swap, patch) = sinks();
        let said = |r| match r {
            Err(Refusal::Clash { message, .. }) => message,
            other => panic!("{other:?}"),
        };
        for sink_said in [
            {
                swap.put("a", b"a", Part::Whole).expect("a");
                swap.put("a/index.html", b"x", Part::Whole)
                    .expect_err("swap")
                    .message
            },
            {
                patch.put("a", b"a", Part::Whole).expect("a");
                said(patch.put("a/index.html", b"x", Part::Whole))
            },
        ] {
            assert_eq!(sink_said, clash_message("a/index.html", "a"));
        }
        // The other way round, a file where this build made a folder.
        swap.put("b/x.html", b"x", Part::Whole).expect("b/x");
        let by_swap = swap.put("b", b"b", Part::Whole).expect_err("swap").message;
        assert_eq!(by_swap, clash_message("b", "b/"));
        patch.put("b/x.html", b"x", Part::Whole).expect("b/x");
        let by_patch = said(patch.put("b", b"b", Part::Whole));
        assert_eq!(by_patch, clash_message("b", "b/x.html"));
        // The preview counts only what it staged (a build that refuses a file fails).
        assert_eq!(patch.count(), 2);
    }

    #[test]
    fn an_unreadable_source_is_the_builds_error_but_the_previews_trouble() {
        let (dir, swap, patch) = sinks();
        let gone = dir.path().join("gone");
        let said = swap.copy(&gone, "gone").expect_err("swap").message;
        assert!(said.starts_with("cannot read the file: "), "{said}");
        assert!(patch.copy(&gone, "gone").is_err());
        let trouble = patch.trouble().unwrap_or_default();
        assert!(trouble.starts_with("cannot read gone: "), "{trouble}");
    }
}
