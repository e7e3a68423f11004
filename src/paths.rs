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
