//! The preview's rebuild: only its changed files, staged beside the live output and moved
//! into it once every one of them is ready.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::{Role, Sink, beside};
use crate::diagnostic::Diagnostic;

/// A folder beside the live output where the preview's rebuild puts its changed files
/// together, to be moved into the output only when every one of them is ready.
pub struct Patch {
    out: PathBuf,
    dir: PathBuf,
    /// Files staged (relative paths), to move in, each with its number: staged files are
    /// kept flat in the staging folder under their numbers, so staging makes no folders.
    files: Mutex<BTreeMap<String, usize>>,
    /// Output files to remove (`true`: a page's, whose folder goes too if it is empty).
    removed: Mutex<BTreeMap<String, Removal>>,
    /// The first I/O failure while staging.
    trouble: Mutex<Option<String>>,
}

/// Why `Patch` did not stage a file.
#[derive(Debug)]
pub enum Refusal {
    /// `rel` cannot take its place: it is staged already, or it and another file, in the
    /// output or staged, need one name as a file and as a folder. `message` is the one
    /// every sink gives (`super::clash_message`); only the caller knows which page asked
    /// for `rel`, to say it there.
    Clash { rel: String, message: String },
    /// Any other refusal or failure, said in full.
    Said(Diagnostic),
}

impl From<Diagnostic> for Refusal {
    fn from(d: Diagnostic) -> Refusal {
        Refusal::Said(d)
    }
}

impl Patch {
    /// Starts an empty staging folder beside `out`; the error is the machine's trouble.
    pub fn begin(out: &Path) -> Result<Patch, String> {
        let dir = beside(out, Role::Patch);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| trouble("clear the staging folder", &e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| trouble("create the staging folder", &e))?;
        Ok(Patch {
            out: out.to_path_buf(),
            dir,
            files: Default::default(),
            removed: Default::default(),
            trouble: Default::default(),
        })
    }

    /// The live output folder.
    pub fn target(&self) -> &Path {
        &self.out
    }

    /// The machine's first trouble while staging (descriptors, disk), if any: what a
    /// failed rebuild reports instead of the diagnostics it caused.
    pub fn trouble(&self) -> Option<String> {
        self.trouble.lock().ok().and_then(|t| t.clone())
    }

    /// Whether `rel` is staged.
    pub fn has(&self, rel: &str) -> bool {
        self.files.lock().is_ok_and(|f| f.contains_key(rel))
    }

    /// Removes `rel` from the output on commit, unless it is staged by then.
    pub fn remove(&self, rel: &str, how: Removal) {
        if let Ok(mut r) = self.removed.lock() {
            r.insert(rel.to_string(), how);
        }
    }

    /// Records the machine's trouble (the first), and the diagnostic that stops the render.
    fn fail(&self, rel: &str, message: String) -> Diagnostic {
        if let Ok(mut t) = self.trouble.lock() {
            t.get_or_insert_with(|| message.clone());
        }
        Diagnostic::error(rel, message)
    }

    fn unwritten(&self, rel: &str, why: impl std::fmt::Display) -> Refusal {
        self.fail(rel, format!("cannot write {rel}: {why}")).into()
    }

    /// Moves every staged file into the output and removes what is gone.
    pub fn commit(self) -> Result<(), String> {
        let files = self.files.lock().map(|f| f.clone()).unwrap_or_default();
        let removed = self.removed.lock().map(|r| r.clone()).unwrap_or_default();
        let result = (|| {
            for (rel, n) in &files {
                let to = self.out.join(rel);
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| trouble(&format!("create the folder of {rel}"), &e))?;
                }
                std::fs::rename(self.dir.join(n.to_string()), &to)
                    .map_err(|e| trouble(&format!("move {rel} into the output"), &e))?;
            }
            Ok(())
        })();
        for (rel, how) in removed.iter().filter(|(rel, _)| !files.contains_key(*rel)) {
            match how {
                Removal::PageAndFolder => remove_output(&self.out, rel),
                Removal::File => {
                    let _ = std::fs::remove_file(self.out.join(rel));
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        result
    }

    /// Throws the staged files away; the output stays as it was.
    pub fn abort(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Sink for Patch {
    type Error = Refusal;

    /// A file that cannot take its place in the output (a folder of that name is there, or
    /// one of its folders is a file) is refused as a clash.
    fn place(&self, rel: &str, first: bool) -> Result<PathBuf, Refusal> {
        let Ok(mut files) = self.files.lock() else {
            return Err(self.unwritten(rel, "the staging list is unusable"));
        };
        let number = if first {
            if let Some(other) = clash(&self.out, &files, rel) {
                return Err(self.clashed(rel, &other));
            }
            // Numbers are never reused: the list only grows, one number per file.
            if files.contains_key(rel) {
                return Err(self.clashed(rel, rel));
            }
            let n = files.len();
            files.insert(rel.to_string(), n);
            n
        } else {
            match files.get(rel) {
                Some(&n) => n,
                None => return Err(self.unwritten(rel, "its first part was not staged")),
            }
        };
        Ok(self.dir.join(number.to_string()))
    }

    fn failed(&self, rel: &str, e: &io::Error) -> Refusal {
        self.unwritten(rel, e)
    }

    /// Left for the caller to say at the page that asked for `rel`.
    fn clashed(&self, rel: &str, other: &str) -> Refusal {
        Refusal::Clash {
            rel: rel.to_string(),
            message: super::clash_message(rel, other),
        }
    }

    /// The machine's trouble, not the site's: the file was there a moment ago, and the
    /// rebuild is tried again.
    fn unreadable(&self, _from: &Path, rel: &str, e: &io::Error) -> Refusal {
        self.fail(rel, trouble(&format!("read {rel}"), e)).into()
    }

    fn count(&self) -> usize {
        self.files.lock().map_or(0, |f| f.len())
    }
}

fn trouble(what: &str, e: &io::Error) -> String {
    format!("cannot {what}: {e}")
}

/// Another file `rel` cannot coexist with, in the output or among those staged: one that
/// would have to be a folder of `rel`, or that `rel` would have to be a folder of.
fn clash(out: &Path, staged: &BTreeMap<String, usize>, rel: &str) -> Option<String> {
    let mut at = 0;
    while let Some(i) = rel[at..].find('/') {
        let folder = &rel[..at + i];
        if staged.contains_key(folder) || out.join(folder).is_file() {
            return Some(folder.to_string());
        }
        at += i + 1;
    }
    let below = format!("{rel}/");
    if let Some((f, _)) = staged
        .range(below.clone()..)
        .next()
        .filter(|(f, _)| f.starts_with(&below))
    {
        return Some(f.clone());
    }
    out.join(rel).is_dir().then_some(below)
}

/// What goes with a removed output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// The file alone (a static or content file, a generated file no longer written).
    File,
    /// A page's `index.html`, and its folder if that leaves it empty.
    PageAndFolder,
}

fn remove_output(out: &Path, rel: &str) {
    let path = out.join(rel);
    let _ = std::fs::remove_file(&path);
    // Remove the page's folder if nothing else is in it.
    if let Some(parent) = path.parent()
        && parent != out
    {
        let _ = std::fs::remove_dir(parent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Part;

    #[test]
    fn the_preview_sink_reports_a_clash_with_the_output_or_the_staged_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("live")).expect("live");
        let patch = Patch::begin(&dir.path().join("live")).expect("begin");
        std::fs::write(dir.path().join("live/a"), "a file").expect("file");
        std::fs::create_dir(dir.path().join("live/b")).expect("folder");
        patch.put("c", b"staged", Part::Whole).expect("c");
        for (rel, clashes_with) in [("a/index.html", "a"), ("b", "b/"), ("c/index.html", "c")] {
            match patch.put(rel, b"x", Part::Whole) {
                Err(Refusal::Clash { rel: r, message }) => {
                    assert_eq!(r, rel);
                    assert_eq!(message, crate::output::clash_message(rel, clashes_with));
                }
                other => panic!("{rel}: {other:?}"),
            }
        }
        assert!(patch.trouble().is_none(), "a clash is the site's error");
        assert_eq!(patch.count(), 1);
    }

    #[test]
    fn the_preview_stages_beside_the_output_under_the_one_scheme_and_cleans_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        let live = dir.path().join("live");
        std::fs::create_dir(&live).expect("live");
        let staged = dir.path().join(".live.briefing-patch");
        // A killed preview's leftover is cleared first.
        std::fs::create_dir(&staged).expect("leftover");
        std::fs::write(staged.join("0"), "stale").expect("stale");
        let patch = Patch::begin(&live).expect("begin");
        assert!(staged.is_dir() && !staged.join("0").exists());
        patch.put("x", b"x", Part::Whole).expect("x");
        patch.commit().expect("commit");
        assert!(!staged.exists());
        Patch::begin(&live).expect("begin").abort();
        assert!(!staged.exists());
    }
}
