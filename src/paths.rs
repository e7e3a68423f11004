//! Path rules shared by loading, checking and writing: what stays inside a folder, what
//! is never content.

use std::ffi::OsStr;
use std::path::{Component, Path};

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

/// Editor droppings and hidden files: never content, never a reason to rebuild.
pub fn is_ignored(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913"
        || (name.starts_with('#') && name.ends_with('#'))
}

/// The folder holding `rel` (`/`-separated, relative to its root): `""` at the top.
pub fn parent_folder(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// `folder`, then each folder above it, ending with the root `""`.
pub fn folders_up(folder: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(folder);
    std::iter::from_fn(move || {
        let current = next?;
        next = (!current.is_empty()).then(|| parent_folder(current));
        Some(current)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_up_end_at_the_root() {
        assert_eq!(
            folders_up("a/b/c").collect::<Vec<_>>(),
            ["a/b/c", "a/b", "a", ""]
        );
        assert_eq!(folders_up("").collect::<Vec<_>>(), [""]);
        assert_eq!(parent_folder("a/b.md"), "a");
        assert_eq!(parent_folder("b.md"), "");
    }
}
