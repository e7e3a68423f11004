//! How output paths are written as URLs, and where redirects go.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// Bytes that cannot stand for themselves in a URL path (RFC 3986): a note saved as
/// `my note.md` is linked as `my%20note/`. Non-ASCII is always escaped as UTF-8.
const NOT_IN_PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// `path` (an output path: `/`-separated, not yet escaped) as it is written in a URL.
pub fn url_path(path: &str) -> Cow<'_, str> {
    // Most paths need nothing: skip the encoder's UTF-8 round trip for them.
    let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.');
    if path.bytes().all(plain) {
        return Cow::Borrowed(path);
    }
    utf8_percent_encode(path, NOT_IN_PATH).into()
}

/// The URL of a page's output folder (`disputes/canola/`), with `index.html` when the
/// site must work from the file system.
pub fn page_url(path: &str, portable: bool) -> String {
    let path = url_path(path);
    if portable {
        format!("{path}index.html")
    } else {
        path.into_owned()
    }
}

/// The absolute URL of a page's output folder under `base` (`https://x.org/b/` +
/// `disputes/canola/`), always in the folder form, portable or not: feed entry ids
/// (RFC 4287 says they never change), canonical links, the sitemap and the calendar name
/// the page, not the file a `file://` reader opens.
pub fn absolute_url(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), url_path(path))
}

/// The output folder of an alias's redirect (`/old/canola` → `old/canola/`), or `None`
/// for an alias that would leave the output: the one rule, which loading reports.
pub fn alias_folder(alias: &str) -> Option<String> {
    let folder = alias.trim_matches('/');
    crate::paths::is_safe_relative(folder).then(|| format!("{folder}/"))
}

/// A file of the output, relative to the output folder with `/` separators
/// (`disputes/canola/index.html`): a type of its own, so that it is never taken for a
/// source path (`disputes/canola.md`) or a URL path (`disputes/canola/`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutputFile(String);

impl OutputFile {
    /// The page file of the URL path `path` (`disputes/canola/` or `""`).
    pub fn of_folder(path: &str) -> OutputFile {
        OutputFile(format!("{path}index.html"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OutputFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<OutputFile> for String {
    fn from(file: OutputFile) -> String {
        file.0
    }
}

/// The file an alias's redirect is written to (`old/canola/index.html`).
pub fn alias_file(alias: &str) -> Option<OutputFile> {
    alias_folder(alias).map(|folder| OutputFile::of_folder(&folder))
}

/// The prefix that leads from the page in folder `from` back to the output root.
pub fn root_prefix(from: &str) -> String {
    let depth = from.matches('/').count();
    if depth == 0 {
        "./".to_string()
    } else {
        "../".repeat(depth)
    }
}
