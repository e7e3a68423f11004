//! Which folder a build writes: the output path resolved against the real file system, and
//! every refusal of it applied to the resolved folder, before anything is touched.

use std::io;
use std::path::{Component, Path, PathBuf};

use super::is_ours;
use crate::diagnostic::Diagnostic;

/// Where the output folder was asked for: a path in `briefing.toml` must stay inside the
/// site; one given on the command line may point anywhere the refusals allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Config,
    CommandLine,
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

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
