//! A full build's output: written whole into a fresh staging folder beside the output
//! under a lock, and swapped in with one atomic exchange only when the build succeeded.
//! Removal never follows a symbolic link.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Cancel, MARKER, Role, Sink, beside, checked_rel, is_ours};
use crate::diagnostic::Diagnostic;

/// An output folder being written. Holds the lock until it is committed or dropped.
pub struct Output {
    target: PathBuf,
    staging: PathBuf,
    old: PathBuf,
    cancel: Option<Cancel>,
    /// The files started, for the build's summary.
    files: AtomicUsize,
    lock: PathBuf,
    _lock_file: File,
    done: bool,
}

/// Locks `lock` (a file beside the output) for this build, or says who holds it. The file
/// is removed by its holder when the build ends; a build that opened it just before then
/// finds its lock on a removed file and takes a fresh one.
fn take_lock(target: &Path, lock: &Path) -> Result<File, Diagnostic> {
    loop {
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(lock)
            .map_err(|e| Diagnostic::io(lock, &e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Diagnostic::error(
                    target,
                    format!(
                        "another briefing build is writing {} right now: wait for it to finish, then build again",
                        target.display()
                    ),
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Diagnostic::io(lock, &e)),
        }
        if same_file(&file, lock) {
            return Ok(file);
        }
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

impl Output {
    /// Locks the output folder against other builds, cleans up what a killed build left
    /// beside it, and starts a fresh staging folder. `target` comes from `check_target`.
    pub fn begin(target: &Path, cancel: Option<Cancel>) -> Result<Output, Diagnostic> {
        let (staging, old, lock) = (
            beside(target, Role::Staging),
            beside(target, Role::Old),
            beside(target, Role::Lock),
        );
        let parent = target.parent().unwrap_or(Path::new("/"));
        std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e))?;
        let lock_file = take_lock(target, &lock)?;
        // A build killed between the two renames of the fallback swap left the previous
        // output only as `old`: put it back before anything else.
        if !exists(target) && is_ours(&old) {
            std::fs::rename(&old, target).map_err(|e| Diagnostic::io(&old, &e))?;
        }
        for leftover in [&staging, &old] {
            if exists(leftover) {
                remove_tree(leftover).map_err(|e| Diagnostic::io(leftover, &e))?;
            }
        }
        std::fs::create_dir(&staging).map_err(|e| Diagnostic::io(&staging, &e))?;
        Ok(Output {
            target: target.to_path_buf(),
            staging,
            old,
            cancel,
            files: AtomicUsize::new(0),
            lock,
            _lock_file: lock_file,
            done: false,
        })
    }

    /// The output folder (resolved).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Swaps the finished output in place of the previous one, atomically where the file
    /// system allows. On failure the staging folder is removed and the previous output stays.
    pub fn commit(mut self) -> Result<(), Diagnostic> {
        checked_rel(&self, MARKER)?;
        std::fs::write(
            self.staging.join(MARKER),
            b"written by briefing; safe to delete\n",
        )
        .map_err(|e| Diagnostic::io(&self.staging, &e))?;
        let replaced = swap_in(&self.staging, &self.target, &self.old).map_err(|e| {
            Diagnostic::error(
                &self.target,
                format!(
                    "cannot move the new output into {}: {e}; the previous output is unchanged",
                    self.target.display()
                ),
            )
        })?;
        self.done = true;
        // The new output is in place: the build succeeded. What cannot be removed of the
        // previous one now is a hidden leftover that the next build removes.
        if let Some(previous) = replaced {
            let _ = remove_tree(&previous);
        }
        Ok(())
    }
}

impl Drop for Output {
    /// An uncommitted build throws its staging folder away; the previous output stays.
    fn drop(&mut self) {
        if !self.done && exists(&self.staging) {
            let _ = remove_tree(&self.staging);
        }
        // Still holding the lock: removing the file now cannot race another holder.
        let _ = std::fs::remove_file(&self.lock);
    }
}

impl Sink for Output {
    type Error = Diagnostic;

    fn place(&self, rel: &str, first: bool) -> Result<PathBuf, Diagnostic> {
        let path = self.staging.join(rel);
        if first {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    match file_on_the_way(&self.staging, rel) {
                        Some(folder) => self.clashed(rel, folder),
                        None => self.failed(rel, &e),
                    }
                })?;
            }
            self.files.fetch_add(1, Ordering::Relaxed);
        }
        Ok(path)
    }

    /// Named by `rel`: the staging folder is gone once the build has failed.
    fn failed(&self, rel: &str, e: &io::Error) -> Diagnostic {
        Diagnostic::io(Path::new(rel), e)
    }

    fn unreadable(&self, from: &Path, _rel: &str, e: &io::Error) -> Diagnostic {
        // Not an `io` diagnostic: the source file is at fault, not the output folder.
        Diagnostic::error(from, format!("cannot read the file: {e}"))
    }

    fn interrupted(&self) -> Result<(), Diagnostic> {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            return Err(Diagnostic::error(
                &self.target,
                "the build was interrupted; the previous output is unchanged",
            ));
        }
        Ok(())
    }

    fn count(&self) -> usize {
        self.files.load(Ordering::Relaxed)
    }
}

/// The first folder of `rel` that this build wrote as a file (looked for only once making
/// the folders failed, so a build pays nothing for it).
fn file_on_the_way<'a>(staging: &Path, rel: &'a str) -> Option<&'a str> {
    crate::paths::folders_up(crate::paths::parent_folder(rel))
        .take_while(|f| !f.is_empty())
        .filter(|f| std::fs::symlink_metadata(staging.join(f)).is_ok_and(|m| m.is_file()))
        .last()
}

fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Puts `staging` at `target`; returns where the previous output now is, to be removed.
fn swap_in(staging: &Path, target: &Path, old: &Path) -> io::Result<Option<PathBuf>> {
    if !exists(target) {
        std::fs::rename(staging, target)?;
        return Ok(None);
    }
    if exchange(staging, target)? {
        // The previous output is now at the staging path.
        return Ok(Some(staging.to_path_buf()));
    }
    // Fallback where the file system has no atomic exchange (FAT, some network shares,
    // non-Linux): two renames. A kill between them leaves the previous output at `old`,
    // which the next build puts back before it starts.
    std::fs::rename(target, old)?;
    if let Err(e) = std::fs::rename(staging, target) {
        let _ = std::fs::rename(old, target);
        return Err(e);
    }
    Ok(Some(old.to_path_buf()))
}

/// Swaps two paths in one step (`renameat2` with `RENAME_EXCHANGE`): a kill at any moment
/// leaves one whole output at `b`. `Ok(false)`: this file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::NOTSUP => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Removes a folder tree, its subfolders in parallel (a site has thousands of them). A
/// symbolic link is removed itself, never followed, at the top as everywhere below.
pub fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    if !std::fs::symlink_metadata(dir)?.is_dir() {
        return std::fs::remove_file(dir);
    }
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|e| {
        if e.file_type()?.is_dir() {
            remove_tree(&e.path())
        } else {
            std::fs::remove_file(e.path())
        }
    })?;
    std::fs::remove_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Part;

    #[test]
    fn the_build_keeps_its_folders_beside_the_output_under_their_documented_names() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("public");
        let out = Output::begin(&target, None).expect("begin");
        assert!(dir.path().join(".public.briefing-staging").is_dir());
        assert!(dir.path().join(".public.briefing-lock").is_file());
        drop(out);
        assert!(!dir.path().join(".public.briefing-staging").exists());
        assert!(!dir.path().join(".public.briefing-lock").exists());
    }

    #[test]
    fn a_killed_swaps_previous_output_is_put_back_and_stale_staging_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("public");
        let old = dir.path().join(".public.briefing-old");
        std::fs::create_dir(&old).expect("old");
        std::fs::write(old.join(MARKER), "").expect("marker");
        std::fs::write(old.join("index.html"), "previous").expect("page");
        let staging = dir.path().join(".public.briefing-staging");
        std::fs::create_dir(&staging).expect("staging");
        std::fs::write(staging.join("half.html"), "half").expect("half");
        let out = Output::begin(&target, None).expect("begin");
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).expect("put back"),
            "previous"
        );
        assert!(!old.exists());
        assert!(!staging.join("half.html").exists());
        out.put("index.html", b"new", Part::Whole).expect("put");
        out.commit().expect("commit");
        assert_eq!(
            std::fs::read_to_string(target.join("index.html")).expect("new"),
            "new"
        );
        assert!(!old.exists() && !staging.exists());
    }
}
