//! Writing the output folder safely: everything goes to a fresh folder beside it, swapped
//! in only when the whole build succeeded; nothing is ever written outside it.

use std::path::{Component, Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::render::Part;

/// Marks an output folder as briefing's own, so it may be replaced without `--force`.
pub const MARKER: &str = ".briefing-output";

/// An output folder being written.
pub struct Output {
    target: PathBuf,
    staging: PathBuf,
}

fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    target.with_file_name(format!(".{name}.{suffix}"))
}

/// Refuses output folders whose replacement would lose someone's work.
pub fn check_target(target: &Path, site_root: &Path, force: bool) -> Result<(), Diagnostic> {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let target_abs = abs(target);
    let root_abs = abs(site_root);
    let refuse = |why: &str| {
        Err(Diagnostic::error(
            target,
            format!(
                "refusing to use {} as the output folder: {why}",
                target.display()
            ),
        ))
    };
    if target_abs.parent().is_none() {
        return refuse("it is the root of the file system");
    }
    if let Some(home) = std::env::var_os("HOME")
        && !home.is_empty()
        && abs(Path::new(&home)) == target_abs
    {
        return refuse("it is your home folder");
    }
    if root_abs.starts_with(&target_abs) {
        return refuse("it is the site folder or contains it, and would be replaced wholesale");
    }
    if target_abs.starts_with(root_abs.join("content"))
        || target_abs.starts_with(root_abs.join("templates"))
        || target_abs.starts_with(root_abs.join("static"))
    {
        return refuse("it is inside the site's sources");
    }
    if !force && target.is_dir() && !target.join(MARKER).exists() {
        let empty = std::fs::read_dir(target)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return refuse(
                "it is not empty and was not created by briefing (pass --force to replace it)",
            );
        }
    }
    if target.exists() && !target.is_dir() {
        return refuse("it is a file, not a folder");
    }
    Ok(())
}

impl Output {
    /// Starts a fresh staging folder beside `target` (removing a stray one left by a build
    /// that was killed).
    pub fn begin(target: &Path) -> Result<Output, Diagnostic> {
        let staging = sibling(target, "briefing-staging");
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(|e| Diagnostic::io(&staging, &e))?;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e))?;
        }
        std::fs::create_dir(&staging).map_err(|e| Diagnostic::io(&staging, &e))?;
        Ok(Output {
            target: target.to_path_buf(),
            staging,
        })
    }

    /// Writes `bytes` at `rel` (a `/`-separated path) inside the output folder.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let path = self.resolve(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Diagnostic::io(&path, &e))
    }

    /// Writes one part of a file: the whole file, its start, or bytes to append.
    pub fn write_part(&self, rel: &str, bytes: &[u8], part: Part) -> Result<(), Diagnostic> {
        match part {
            Part::Whole | Part::First => self.write(rel, bytes),
            Part::More | Part::Last => {
                let path = self.resolve(rel)?;
                append(&path, bytes)
            }
        }
    }

    /// Copies a file into the output folder at `rel`.
    pub fn copy(&self, from: &Path, rel: &str) -> Result<(), Diagnostic> {
        let path = self.resolve(rel)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Diagnostic::io(parent, &e))?;
        }
        std::fs::copy(from, &path)
            .map(|_| ())
            .map_err(|e| Diagnostic::io(from, &e))
    }

    fn resolve(&self, rel: &str) -> Result<PathBuf, Diagnostic> {
        if !is_safe_relative(rel) {
            return Err(Diagnostic::error(
                rel,
                format!("refusing to write {rel:?}: it would land outside the output folder"),
            ));
        }
        Ok(self.staging.join(rel))
    }

    /// Swaps the finished output in place of the previous one.
    pub fn commit(self) -> Result<(), Diagnostic> {
        std::fs::write(
            self.staging.join(MARKER),
            b"written by briefing; safe to delete\n",
        )
        .map_err(|e| Diagnostic::io(&self.staging, &e))?;
        let old = sibling(&self.target, "briefing-old");
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| Diagnostic::io(&old, &e))?;
        }
        if self.target.exists() {
            std::fs::rename(&self.target, &old).map_err(|e| Diagnostic::io(&self.target, &e))?;
        }
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            // Put the previous output back rather than leave nothing.
            let _ = std::fs::rename(&old, &self.target);
            return Err(Diagnostic::io(&self.target, &e));
        }
        if old.exists() {
            remove_tree(&old).map_err(|e| Diagnostic::io(&old, &e))?;
        }
        Ok(())
    }

    /// Throws the staging folder away; the previous output stays as it was.
    pub fn abort(self) {
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// Removes a folder tree, its subfolders in parallel: a site has thousands of them.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.par_iter().try_for_each(|e| {
        // Symlinks are removed, never followed.
        if e.file_type()?.is_dir() {
            remove_tree(&e.path())
        } else {
            std::fs::remove_file(e.path())
        }
    })?;
    std::fs::remove_dir(dir)
}

/// A relative path that stays inside the folder it is joined to.
pub fn is_safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\\')
        && !rel.contains('\0')
        && !rel.contains(':')
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Appends to a file that an earlier part created.
pub fn append(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| Diagnostic::io(path, &e))
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
}
