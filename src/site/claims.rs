//! Which source writes each file of the output. Two sources writing one file, or a file
//! where another source needs a folder, is an error naming both: nothing is overwritten
//! silently. Pages against pages and aliases are checked in `site::check_paths`; this adds
//! the files that are not pages (content files, static files, generated files).

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Site, at_front_matter_key};
use crate::diagnostic::Diagnostic;
use crate::pages::PageId;

/// Who writes an output file.
#[derive(Clone, Copy)]
enum Source<'a> {
    Page(PageId),
    Alias(PageId, &'a str),
    Generated,
    BuiltIn,
    Static(&'a str),
    Content(&'a str),
}

impl Source<'_> {
    fn is_page(self) -> bool {
        matches!(self, Source::Page(_) | Source::Alias(..))
    }
}

impl Site {
    fn describe(&self, source: Source, path: &str) -> String {
        match source {
            Source::Page(i) => format!("the page {}", self.pages[i].file.display()),
            Source::Alias(i, a) => {
                format!("the alias {a:?} of {}", self.pages[i].file.display())
            }
            Source::Generated => format!("the generated {path}"),
            Source::BuiltIn => format!("the built-in theme's static/{path}"),
            Source::Static(rel) => format!("static/{rel}"),
            Source::Content(rel) => format!("content/{rel}"),
        }
    }

    /// The error, placed at the page (and its line) where one side is a page.
    fn clash(&self, a: Source, b: Source, msg: String) -> Diagnostic {
        // An alias is the likelier mistake, and has its own line.
        let page = [a, b]
            .into_iter()
            .find(|s| matches!(s, Source::Alias(..)))
            .or_else(|| [a, b].into_iter().find(|s| s.is_page()));
        match page {
            Some(Source::Alias(i, _)) => at_front_matter_key(&self.pages[i], "aliases", msg),
            // Its `slug` chose the address, or else its file name did (line 1).
            Some(Source::Page(i)) => at_front_matter_key(&self.pages[i], "slug", msg),
            _ => {
                let file = [a, b].into_iter().find_map(|s| match s {
                    Source::Content(rel) => Some(PathBuf::from("content").join(rel)),
                    Source::Static(rel) => Some(PathBuf::from("static").join(rel)),
                    _ => None,
                });
                Diagnostic::error(file.unwrap_or_else(|| PathBuf::from("static")), msg)
            }
        }
    }

    /// Every output file and who writes it.
    fn claims(&self) -> Vec<(String, Source<'_>)> {
        let mut claims: Vec<(String, Source)> = Vec::new();
        for (i, p) in self.pages.enumerate() {
            claims.push((p.output_file().into(), Source::Page(i)));
            for a in &p.aliases {
                if let Some(file) = crate::url::alias_file(a) {
                    claims.push((file.into(), Source::Alias(i, a)));
                }
            }
        }
        let mut generated: Vec<String> = crate::outputs::Output::generated()
            .flat_map(|o| o.files(&self.config, &self.pages))
            .collect();
        generated.push(crate::output::MARKER.to_string());
        claims.extend(generated.into_iter().map(|g| (g, Source::Generated)));
        for (name, _) in crate::templates::BUILTIN_STATIC {
            // The site's own file of that name replaces the built-in one: no clash.
            if !self.statics.contains(*name) {
                claims.push((name.to_string(), Source::BuiltIn));
            }
        }
        claims.extend(
            self.statics
                .iter()
                .map(|s| (s.clone(), Source::Static(s.as_str()))),
        );
        claims.extend(
            self.published_assets()
                .into_iter()
                .map(|a| (a.to_string(), Source::Content(a))),
        );
        claims
    }

    /// Whether a page, alias, generated, built-in or static file writes `rel` (so an
    /// unlinked content file of that name must not remove it from the output).
    pub fn claimed_by_others(&self, rel: &str) -> bool {
        self.claims()
            .iter()
            .any(|(path, source)| path == rel && !matches!(source, Source::Content(_)))
    }

    /// Output files claimed twice where at least one side is not a page (pages and aliases
    /// among themselves are `check_paths`' job), and any file that another claim needs as a
    /// folder (an alias `a/index.html` of a page beside the page `a/`).
    pub fn file_clashes(&self) -> Vec<Diagnostic> {
        let claims = self.claims();
        // Case-folded, as on macOS and Windows.
        let mut files: HashMap<String, (usize, &str)> = HashMap::with_capacity(claims.len());
        let mut diags = Vec::new();
        for (n, (path, source)) in claims.iter().enumerate() {
            match files.get(&path.to_lowercase()) {
                Some(&(m, other_path)) => {
                    let other = claims[m].1;
                    // Pages among themselves and against the generated folders are
                    // `check_paths`' job.
                    if source.is_page() && (other.is_page() || matches!(other, Source::Generated)) {
                        continue;
                    }
                    diags.push(self.clash(
                        other,
                        *source,
                        format!(
                            "{} and {} would both be written to {path}{}: rename or remove one",
                            self.describe(other, other_path),
                            self.describe(*source, path),
                            if other_path == path {
                                ""
                            } else {
                                " (their names differ only in letter case)"
                            }
                        ),
                    ));
                }
                None => {
                    files.insert(path.to_lowercase(), (n, path));
                }
            }
        }
        // A file where another claim needs a folder of that name.
        for (path, source) in &claims {
            let folders = crate::paths::folders_up(crate::paths::parent_folder(path));
            for folder in folders.take_while(|f| !f.is_empty()) {
                if let Some(&(m, file)) = files.get(&folder.to_lowercase()) {
                    let other = claims[m].1;
                    // A page under a generated folder is `check_paths`' (reserved) error.
                    let reserved = crate::outputs::reserved(&self.config)
                        .iter()
                        .any(|g| path.starts_with(g));
                    if !(source.is_page() && reserved) {
                        diags.push(self.clash(
                            other,
                            *source,
                            format!(
                                "{} is written to the file {file}, but {} needs a folder of that name for {path}: rename or remove one",
                                self.describe(other, file),
                                self.describe(*source, path)
                            ),
                        ));
                    }
                    break;
                }
            }
        }
        diags
    }
}
