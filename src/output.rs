//! Writing the output folder safely.
//!
//! The output path is resolved against the real file system before anything is touched, and
//! every refusal applies to the resolved folder. A build takes a lock beside the output,
//! writes everything into a fresh staging folder there, and swaps it in with one atomic
//! exchange only when the whole build succeeded. Removal never follows a symbolic link.
//! The preview's rebuild (`Patch`) stages only its changed files beside the live output and
//! moves them in one by one; both go through one `Sink`, so every file follows one set of
//! rules.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::diagnostic::Diagnostic;
use crate::paths::is_safe_relative;

/// Marks an output folder as briefing's own, so it may be replaced without `--force`.
pub const MARKER: &str = ".briefing-output";

/// Where the output folder was asked for: a path in `briefing.toml` must stay inside the
/// site; one given on the command line may point anywhere the refusals allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Config,
    CommandLine,
}

/// The hidden folders and lock file a build keeps beside the output folder.
struct Siblings {
    staging: PathBuf,
    old: PathBuf,
    lock: PathBuf,
}

impl Siblings {
    fn of(target: &Path) -> Siblings {
        let name = target
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let at = |suffix: &str| target.with_file_name(format!(".{name}.{suffix}"));
        Siblings {
            staging: at("briefing-staging"),
            old: at("briefing-old"),
            lock: at("briefing-lock"),
        }
    }
}

/// Resolves `path` (absolute, or relative to `base`) as the file system will see it:
/// folders that exist are followed through their symbolic links, `..` then steps up from
/// the real folder, and the parts that do not exist yet are taken as written until a `..`
/// steps back out of them onto real folders, which are followed again. A symbolic link as
/// the last part is refused: removing or replacing it would act on its target.
pub fn resolve(path: &Path, base: &Path) -> Result<PathBuf, String> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let parts: Vec<Component> = joined.components().collect();
    let last_normal = parts
        .iter()
        .rposition(|c| matches!(c, Component::Normal(_)));
    let mut out = PathBuf::new();
    // How many of `out`'s last parts do not exist: links are looked for only above them.
    let mut missing = 0usize;
    for (i, part) in parts.iter().enumerate() {
        match part {
            Component::Prefix(_) | Component::RootDir => out.push(part.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
                missing = missing.saturating_sub(1);
            }
            Component::Normal(name) => {
                out.push(name);
                if missing > 0 {
                    missing += 1;
                    continue;
                }
                match std::fs::symlink_metadata(&out) {
                    Ok(meta) if meta.file_type().is_symlink() => {
                        if Some(i) == last_normal && parts[i + 1..].is_empty() {
                            let to = std::fs::read_link(&out)
                                .map(|t| t.display().to_string())
                                .unwrap_or_default();
                            return Err(format!(
                                "{} is a symbolic link (to {to}); briefing replaces its output folder whole and never follows a link to do it: pass the real folder with --output",
                                out.display()
                            ));
                        }
                        out = std::fs::canonicalize(&out).map_err(|e| {
                            format!(
                                "{} is a symbolic link that cannot be followed: {e}",
                                out.display()
                            )
                        })?;
                    }
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => missing = 1,
                    Err(e) => return Err(format!("cannot read {}: {e}", out.display())),
                }
            }
        }
    }
    Ok(out)
}

/// The output folder of a build, resolved and checked: replacing it cannot lose anyone's
/// work.
pub fn check_target(
    requested: &Path,
    origin: Origin,
    site_root: &Path,
    force: bool,
) -> Result<PathBuf, Diagnostic> {
    let root = std::fs::canonicalize(site_root).map_err(|e| Diagnostic::io(site_root, &e))?;
    let base = output_base(origin, &root)?;
    let request = OutputRequest { requested, origin };
    let target = resolve(requested, &base).map_err(|why| request.refuse(why))?;
    // The refusals go from where the folder is to what is in it, each said alone.
    if let Some(why) = placement_refusal(&target, &root, origin) {
        return Err(request.refuse(why));
    }
    if let Some(why) = existing_folder_refusal(&target, force)? {
        return Err(request.refuse(why));
    }
    Ok(target)
}

/// What a relative output path is relative to: `--output` to the working folder,
/// `output_dir` to the site (`root`).
fn output_base(origin: Origin, root: &Path) -> Result<PathBuf, Diagnostic> {
    match origin {
        Origin::Config => Ok(root.to_path_buf()),
        Origin::CommandLine => {
            std::env::current_dir().map_err(|e| Diagnostic::io(Path::new("."), &e))
        }
    }
}

/// The output folder asked for, and who asked: a refusal of it is said there.
struct OutputRequest<'a> {
    requested: &'a Path,
    origin: Origin,
}

impl OutputRequest<'_> {
    fn refuse(&self, why: String) -> Diagnostic {
        let file = match self.origin {
            Origin::Config => PathBuf::from(crate::config::CONFIG_FILE),
            Origin::CommandLine => self.requested.to_path_buf(),
        };
        Diagnostic::error(
            file,
            format!(
                "refusing to use {} as the output folder: {why}",
                self.requested.display()
            ),
        )
    }
}

/// Why `target` may not be the output folder wherever it is, whatever it holds: it is or
/// holds the root, the home folder or the site, or lies in the sources or (for
/// `output_dir`) outside the site.
fn placement_refusal(target: &Path, root: &Path, origin: Origin) -> Option<String> {
    let shown = target.display();
    if target.parent().is_none() {
        return Some(format!("{shown} is the root of the file system"));
    }
    if contains_home(target) {
        return Some(format!("{shown} is your home folder or contains it"));
    }
    if root.starts_with(target) {
        return Some(format!(
            "{shown} is the site folder or contains it, and would be replaced wholesale"
        ));
    }
    if ["content", "templates", "static"]
        .iter()
        .any(|d| target.starts_with(root.join(d)))
    {
        return Some(format!("{shown} is inside the site's sources"));
    }
    if origin == Origin::Config && !target.starts_with(root) {
        return Some(format!(
            "output_dir in briefing.toml leads to {shown}, outside the site folder (pass --output to build there)"
        ));
    }
    None
}

/// Whether `target` is the user's home folder or holds it (as far as `HOME` says).
fn contains_home(target: &Path) -> bool {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .and_then(|home| std::fs::canonicalize(home).ok())
        .is_some_and(|home| home.starts_with(target))
}

/// Why `target`, where something is there already, may not be replaced: it is a file, a
/// mounted drive's top folder, or someone else's folder with files in it (unless `force`).
/// An error reading it is an error of its own, not a refusal.
fn existing_folder_refusal(target: &Path, force: bool) -> Result<Option<String>, Diagnostic> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Diagnostic::io(target, &e)),
    };
    let shown = target.display();
    if !meta.is_dir() {
        return Ok(Some(format!("{shown} is a file, not a folder")));
    }
    if is_mount_point(target, &meta) {
        return Ok(Some(format!(
            "{shown} is the top folder of a mounted drive, which cannot be swapped for a new one; build into a folder on it instead, e.g. --output {}",
            target.join("briefing").display()
        )));
    }
    if !force && !is_ours(target) && !is_empty_dir(target) {
        return Ok(Some(format!(
            "{shown} is not empty and was not created by briefing (pass --force to replace it)"
        )));
    }
    Ok(None)
}

#[cfg(unix)]
fn is_mount_point(dir: &Path, meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    dir.parent()
        .and_then(|p| std::fs::metadata(p).ok())
        .is_some_and(|parent| parent.dev() != meta.dev())
}

#[cfg(not(unix))]
fn is_mount_point(_dir: &Path, _meta: &std::fs::Metadata) -> bool {
    false
}

/// Whether briefing wrote this folder: its marker is a plain file, not a link.
fn is_ours(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
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

    /// Refuses every write once the build is to stop.
    fn interrupted(&self) -> Result<(), Diagnostic> {
        Ok(())
    }

    /// The files started so far.
    fn count(&self) -> usize;

    /// Writes one part of the file at `rel` (a `/`-separated path inside the output): the
    /// whole file or its start creates it, later parts append to it. A file is never
    /// created over one already there: for `Output`, a second start at the same path is an
    /// error (`Patch` gives each start a place of its own).
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
        if e.kind() == io::ErrorKind::AlreadyExists {
            Diagnostic::error(
                rel,
                format!("two outputs of this build would both be written to {rel}"),
            )
            .into()
        } else {
            sink.failed(rel, &e)
        }
    })
}

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
        let Siblings { staging, old, lock } = Siblings::of(target);
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
                std::fs::create_dir_all(parent).map_err(|e| self.failed(rel, &e))?;
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

/// A folder beside the live output where the preview's rebuild puts its changed files
/// together, to be moved into the output only when every one of them is ready.
pub struct Patch {
    out: PathBuf,
    dir: PathBuf,
    /// Files staged (relative paths), to move in, each with its number: staged files are
    /// kept flat in the staging folder under their numbers, so staging makes no folders.
    files: Mutex<BTreeMap<String, usize>>,
    /// Output files to remove (`true`: a page's, whose folder goes too if it is empty).
    removed: Mutex<BTreeMap<String, bool>>,
    /// The first I/O failure while staging.
    trouble: Mutex<Option<String>>,
}

/// Why `Patch` did not stage a file.
#[derive(Debug)]
pub enum Refusal {
    /// `rel` cannot take its place beside `other`, in the output or staged: one is a file,
    /// the other needs it as a folder. Only the caller knows which page asked for `rel`.
    Clash { rel: String, other: String },
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
        let name = out
            .file_name()
            .map_or_else(|| "site".into(), |n| n.to_string_lossy().into_owned());
        let dir = out.with_file_name(format!("{name}.briefing-stage"));
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

    /// Removes `rel` from the output on commit, unless it is staged by then (`page`: its
    /// folder goes too if that leaves it empty).
    pub fn remove(&self, rel: &str, page: bool) {
        if let Ok(mut r) = self.removed.lock() {
            r.insert(rel.to_string(), page);
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
        for (rel, page) in removed.iter().filter(|(rel, _)| !files.contains_key(*rel)) {
            if *page {
                remove_output(&self.out, rel);
            } else {
                let _ = std::fs::remove_file(self.out.join(rel));
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
                let rel = rel.to_string();
                return Err(Refusal::Clash { rel, other });
            }
            // Numbers are never reused: the list only grows, one number per file.
            if files.contains_key(rel) {
                return Err(Refusal::Said(Diagnostic::error(
                    rel,
                    format!("two outputs of this build would both be written to {rel}"),
                )));
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
    fn resolves_missing_folders_and_dot_dots_lexically_after_the_real_part() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::create_dir(base.join("site")).expect("site");
        let r = |p: &str| resolve(Path::new(p), &base.join("site")).expect("resolves");
        assert_eq!(r("nope/../.."), base);
        assert_eq!(r("./public/"), base.join("site/public"));
        assert_eq!(r("a/b/../../../x"), base.join("x"));
    }

    #[cfg(unix)]
    #[test]
    fn follows_links_in_the_middle_and_refuses_one_at_the_end() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::create_dir_all(base.join("real/deep")).expect("dirs");
        std::os::unix::fs::symlink(base.join("real/deep"), base.join("link")).expect("link");
        // `link/..` is the parent of the link's target, as the kernel sees it.
        assert_eq!(
            resolve(Path::new("link/.."), &base).expect("resolves"),
            base.join("real")
        );
        assert!(resolve(Path::new("link"), &base).is_err());
        assert!(resolve(Path::new("link/"), &base).is_err());
        // Stepping back out of missing folders lands on real ground, whose links count.
        assert_eq!(
            resolve(Path::new("nope/../link/public"), &base).expect("resolves"),
            base.join("real/deep/public")
        );
        assert_eq!(
            resolve(Path::new("a/b/../../link/x"), &base).expect("resolves"),
            base.join("real/deep/x")
        );
        assert!(resolve(Path::new("nope/../link"), &base).is_err());
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
            Refusal::Clash { rel, other } => panic!("{rel} clashes with {other}"),
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
    fn the_preview_sink_reports_a_clash_with_the_output_or_the_staged_files() {
        let (dir, _swap, patch) = sinks();
        std::fs::write(dir.path().join("live/a"), "a file").expect("file");
        std::fs::create_dir(dir.path().join("live/b")).expect("folder");
        patch.put("c", b"staged", Part::Whole).expect("c");
        for (rel, clashes_with) in [("a/index.html", "a"), ("b", "b/"), ("c/index.html", "c")] {
            match patch.put(rel, b"x", Part::Whole) {
                Err(Refusal::Clash { rel: r, other }) => {
                    assert_eq!((r.as_str(), other.as_str()), (rel, clashes_with));
                }
                other => panic!("{rel}: {other:?}"),
            }
        }
        assert!(patch.trouble().is_none(), "a clash is the site's error");
        assert_eq!(patch.count(), 1);
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
            Err(Refusal::Said(d)) => assert_eq!(d.message, said),
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
