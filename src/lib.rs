//! `briefing`: a static-site generator for briefing books.
//!
//! `Site::load` reads and checks a site (config, templates, every note); `Site::build`
//! renders it and swaps the result into the output folder; `Site::check` renders without
//! writing.

pub mod config;
pub mod content;
pub mod dates;
pub mod diagnostic;
pub mod feeds;
pub mod frontmatter;
pub mod markdown;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod templates;
pub mod watch;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub use config::Config;
pub use diagnostic::{Diagnostic, Errors};
pub use site::{BuildOptions, Site};

/// What a build did, for the one-line summary.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    pub pages: usize,
    pub files: usize,
    pub output: PathBuf,
    pub warnings: Vec<Diagnostic>,
}

impl Site {
    /// Renders the site into a fresh folder beside the output and swaps it in only if
    /// everything succeeded; on failure the previous output is left as it was.
    pub fn build(&self) -> Result<BuildSummary, Errors> {
        let target = self.output_dir();
        output::check_target(&target, &self.root, self.options.force)?;
        let out = output::Output::begin(&target)?;
        match self.write_into(&out) {
            Ok((pages, files)) => {
                out.commit()?;
                Ok(BuildSummary {
                    pages,
                    files,
                    output: target,
                    warnings: self.warnings.clone(),
                })
            }
            Err(e) => {
                out.abort();
                Err(e)
            }
        }
    }

    /// `briefing check`: everything `load` validates, plus one page per template rendered
    /// (and thrown away), writing nothing.
    pub fn check(&self) -> Result<Vec<Diagnostic>, Errors> {
        render::render(self, &render::Selection::sample(self), &|_| Ok(())).map_err(sorted)?;
        Ok(self.warnings.clone())
    }

    fn write_into(&self, out: &output::Output) -> Result<(usize, usize), Errors> {
        // Failed writes name the file as the reader knows it (`public/x/index.html`, not
        // the staging folder, which is gone once the build has failed), and a full disk's
        // thousands of identical errors are said once.
        let shown = self.shown_output_dir();
        let in_output = |d: Diagnostic, rel: &str| match d.io {
            Some(_) => Diagnostic {
                file: shown.join(rel),
                ..d
            },
            None => d,
        };
        let files = AtomicUsize::new(0);
        let pages = render::render_all(self, &|job| {
            if job.starts_file() {
                files.fetch_add(1, Ordering::Relaxed);
            }
            out.write_part(&job.path, &job.bytes, job.part)
                .map_err(|d| in_output(d, &job.path))
        })
        .map_err(|diags| sorted(diagnostic::fold_io(diags, &shown)))?;
        let mut diags = Vec::new();
        // Built-in static files, unless the site has its own of the same name.
        let static_dir = self.root.join("static");
        for (name, bytes) in render::BUILTIN_STATIC {
            if !static_dir.join(name).is_file() {
                match out.write(name, bytes) {
                    Ok(()) => {
                        files.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(d) => diags.push(in_output(d, name)),
                }
            }
        }
        for (from, rel) in self.static_files(&mut diags) {
            match out.copy(&from, &rel) {
                Ok(()) => {
                    files.fetch_add(1, Ordering::Relaxed);
                }
                Err(d) => diags.push(d),
            }
        }
        for rel in &self.assets {
            match out.copy(&self.root.join("content").join(rel), rel) {
                Ok(()) => {
                    files.fetch_add(1, Ordering::Relaxed);
                }
                Err(d) => diags.push(d),
            }
        }
        if diags.is_empty() {
            Ok((pages, files.into_inner()))
        } else {
            Err(sorted(diagnostic::fold_io(diags, &shown)))
        }
    }

    /// The output folder as errors show it: relative to the site folder when inside it.
    fn shown_output_dir(&self) -> PathBuf {
        let target = self.output_dir();
        match target.strip_prefix(&self.root) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => target,
        }
    }

    /// The site's own `static/` files: (source path, output path).
    fn static_files(&self, diags: &mut Vec<Diagnostic>) -> Vec<(PathBuf, String)> {
        let dir = self.root.join("static");
        let mut files = Vec::new();
        if !dir.is_dir() {
            return files;
        }
        let walker = walkdir::WalkDir::new(&dir)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !site::is_ignored(e.file_name()));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    if let Some(rel) = e
                        .path()
                        .strip_prefix(&dir)
                        .ok()
                        .and_then(Path::to_str)
                        .map(|s| s.replace('\\', "/"))
                    {
                        files.push((e.path().to_path_buf(), rel));
                    }
                }
                Ok(_) => {}
                Err(e) => diags.push(Diagnostic::error(
                    "static",
                    format!("cannot read static/: {e}"),
                )),
            }
        }
        files
    }
}

fn sorted(mut diags: Vec<Diagnostic>) -> Errors {
    diagnostic::sort(&mut diags);
    Errors(diags)
}

/// Renders one page on its own, with the built-in theme and no files: the page pipeline
/// (Markdown, link checks, template) without a site folder. For fuzzing and tests.
pub fn render_single_page(page: content::Page, config: &Config) -> Result<String, Errors> {
    let rendered = markdown::render(page.body(), page.dir());
    let templates =
        templates::Templates::load(Path::new("/nonexistent-briefing-site")).map_err(sorted)?;
    let by_rel = std::iter::once((page.rel.clone(), 0)).collect();
    let site = Site {
        root: PathBuf::from("/nonexistent-briefing-site"),
        config: config.clone(),
        options: BuildOptions::default(),
        pages: vec![page],
        rendered: vec![rendered],
        by_rel,
        unbuilt: Default::default(),
        assets: Default::default(),
        templates,
        warnings: Vec::new(),
    };
    let problems: Vec<Diagnostic> = site
        .cross_page_problems()
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    if !problems.is_empty() {
        return Err(sorted(problems));
    }
    let html = std::sync::Mutex::new(String::new());
    let selection = render::Selection {
        pages: std::iter::once(0).collect(),
        ..render::Selection::default()
    };
    render::render(&site, &selection, &|job| {
        if let Ok(mut out) = html.lock() {
            out.push_str(&String::from_utf8_lossy(&job.bytes));
        }
        Ok(())
    })
    .map_err(sorted)?;
    Ok(html.into_inner().unwrap_or_default())
}
