//! Building: a loaded site rendered into a fresh folder beside the output and swapped in
//! whole (`Site::build`), or rendered into nothing to find every error (`Outline::check`).
//! What is written and where comes from `WriteOptions`, apart from what is loaded.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{self, Diagnostic, Errors};
use crate::output::{self, Sink as _};
use crate::render;
use crate::site::{self, LoadOptions, Purpose, Site};
use crate::{content, markdown, templates};

/// Where and how a build writes: apart from `LoadOptions`, which say what is read.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Output folder; defaults to the config's `output_dir` under the site root.
    pub output: Option<PathBuf>,
    /// Allow writing over a folder briefing did not create.
    pub force: bool,
    /// Set (by a signal handler) to stop the build at its next write, leaving the previous
    /// output as it was.
    pub cancel: Option<output::Cancel>,
}

/// A site loaded for `check`: each page's Markdown read for its headings, links and text
/// without writing HTML. It can be checked, never built (its pages have no HTML).
pub struct Outline(Site);

impl Outline {
    /// Loads and checks what `Site::load` does, reading bodies in outline.
    pub fn load(root: &Path, options: LoadOptions) -> Result<Outline, Errors> {
        Site::load_for(root, options, Purpose::Check).map(Outline)
    }

    /// The site's pages, as a build counts them.
    pub fn pages(&self) -> usize {
        self.0.pages.len()
    }

    /// `briefing check`: everything `load` validates, plus every page and generated file
    /// rendered through its template (and thrown away), writing nothing: a template error
    /// that only one page's data reaches fails `check` as it fails `build`.
    pub fn check(&self) -> Result<CheckSummary, Errors> {
        let start = std::time::Instant::now();
        let rendered = self.0.render_counted(None, &|_| Ok(())).map_err(sorted)?;
        Ok(CheckSummary {
            pages: rendered.pages,
            html_files: rendered.html_files,
            warnings: self
                .0
                .warnings()
                .into_iter()
                .chain(rendered.warnings)
                .collect(),
            markings: self.0.marking_summary(),
            rendered_in: start.elapsed(),
        })
    }
}

/// What a build did, for the one-line summary.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// The site's pages (`content/**/*.md` built), counted as `check` counts them.
    pub pages: usize,
    /// The HTML files written: the pages, the generated pages (themes, search, 404, the
    /// book) and the aliases' redirects.
    pub html_files: usize,
    /// Every file written: the HTML files, feeds, static and content files.
    pub files: usize,
    pub output: PathBuf,
    pub warnings: Vec<Diagnostic>,
    /// The markings of the output (`None` without `[markings]`).
    pub markings: Option<site::MarkingSummary>,
    /// How long rendering and writing every file took (each file is written as it is
    /// made, so the two overlap), and the swap of the new output for the old.
    pub rendered_in: std::time::Duration,
    pub swapped_in: std::time::Duration,
}

/// What `check` rendered (and threw away): the same counts as a build's.
#[derive(Debug, Clone)]
pub struct CheckSummary {
    /// The site's pages, as `BuildSummary::pages`.
    pub pages: usize,
    /// The HTML files a build would write, as `BuildSummary::html_files`.
    pub html_files: usize,
    pub warnings: Vec<Diagnostic>,
    pub markings: Option<site::MarkingSummary>,
    /// How long rendering every output (into nothing) took.
    pub rendered_in: std::time::Duration,
}

/// What one render of the whole site made: counted the same way for `build` and `check`.
struct Rendered {
    pages: usize,
    html_files: usize,
    /// What rendering warned of (the typesetter, on `book.pdf`), every language's.
    warnings: Vec<Diagnostic>,
}

impl Site {
    /// Renders the site into a fresh folder beside the output and swaps it in only if
    /// everything succeeded; on failure the previous output is left as it was.
    pub fn build(&self, write: &WriteOptions) -> Result<BuildSummary, Errors> {
        self.build_keeping(write, None)
    }

    /// `build`, refilling `memo` (the preview's) with the book's sections as built, so
    /// that the next body edit renders one section of the book rather than all of them.
    pub fn build_keeping(
        &self,
        write: &WriteOptions,
        memo: Option<&render::Memo>,
    ) -> Result<BuildSummary, Errors> {
        let (requested, origin) = self.requested_output(write);
        let target = output::check_target(&requested, origin, &self.root, write.force)?;
        let out = output::Output::begin(&target, write.cancel.clone())?;
        // On an error `out` is dropped uncommitted, which removes its staging folder.
        let start = std::time::Instant::now();
        let (rendered, files) = self.write_into(&out, memo)?;
        let rendered_in = start.elapsed();
        out.commit()?;
        Ok(BuildSummary {
            pages: rendered.pages,
            html_files: rendered.html_files,
            files,
            output: target,
            warnings: self
                .warnings()
                .into_iter()
                .chain(rendered.warnings)
                .collect(),
            markings: self.marking_summary(),
            rendered_in,
            swapped_in: start.elapsed() - rendered_in,
        })
    }

    /// Renders everything into `sink`, counting what was made: one count for `build` and
    /// `check`, so that their summaries agree.
    fn render_counted(
        &self,
        memo: Option<&render::Memo>,
        sink: render::Sink,
    ) -> Result<Rendered, Vec<Diagnostic>> {
        let html_files = AtomicUsize::new(0);
        let counted = |job: output::Job| {
            if job.starts_file() && job.path.ends_with(".html") {
                html_files.fetch_add(1, Ordering::Relaxed);
            }
            sink(job)
        };
        // Every language at once (each under its folder), so that one language's few large
        // files (the book, the search index) overlap another's pages; every language's
        // errors come together.
        let results: Vec<Result<render::Made, Vec<Diagnostic>>> = std::iter::once((self, memo))
            .chain(self.translations.iter().map(|l| (l, None)))
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|(site, memo)| {
                let prefix = site.config.language_prefix();
                let under = |job: output::Job| {
                    counted(if prefix.is_empty() {
                        job
                    } else {
                        output::Job {
                            path: format!("{prefix}{}", job.path),
                            ..job
                        }
                    })
                };
                render::render_all(site, memo, &under)
            })
            .collect();
        let mut diags = Vec::new();
        let mut warnings = Vec::new();
        for result in results {
            match result {
                Ok(made) => warnings.extend(made.warnings),
                Err(d) => diags.extend(d),
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(Rendered {
            warnings,
            pages: self.pages.len()
                + self
                    .translations
                    .iter()
                    .map(|l| l.pages.len())
                    .sum::<usize>(),
            html_files: html_files.into_inner(),
        })
    }

    /// Writes everything into `out`: what was rendered, and how many files were written.
    fn write_into(
        &self,
        out: &output::Output,
        memo: Option<&render::Memo>,
    ) -> Result<(Rendered, usize), Errors> {
        // Failed writes name the file as the reader knows it (`public/x/index.html`, not
        // the staging folder, which is gone once the build has failed), and a full disk's
        // thousands of identical errors are said once.
        let shown = self.shown_output_dir(out.target());
        let in_output = |d: Diagnostic, rel: &str| match d.io {
            Some(_) => Diagnostic {
                file: shown.join(rel),
                ..d
            },
            None => d,
        };
        let rendered = self
            .render_counted(memo, &|job| {
                out.put(&job.path, &job.bytes, job.part)
                    .map_err(|d| in_output(d, &job.path))
            })
            .map_err(|diags| sorted(diagnostic::fold_io(diags, &shown)))?;
        let mut diags = Vec::new();
        let copies = self
            .copies()
            .into_iter()
            .map(|(f, s)| (String::new(), f, s));
        let translated = self.translations.iter().flat_map(|l| {
            let prefix = l.config.language_prefix();
            l.copies()
                .into_iter()
                .map(move |(f, s)| (prefix.clone(), f, s))
        });
        for (prefix, file, source) in copies.chain(translated) {
            let rel = &format!("{prefix}{}", file.rel());
            let written = match source {
                site::CopySource::Site(from) => out.copy(&from, rel),
                site::CopySource::Builtin(bytes) => out.put(rel, bytes, output::Part::Whole),
            };
            if let Err(d) = written {
                diags.push(in_output(d, rel));
            }
        }
        if diags.is_empty() {
            Ok((rendered, out.count()))
        } else {
            Err(sorted(diagnostic::fold_io(diags, &shown)))
        }
    }

    /// The output folder this run was asked for, and who asked: `--output` (relative to
    /// the working folder) or `output_dir` (relative to the site). `output::check_target`
    /// resolves and checks it.
    pub fn requested_output(&self, write: &WriteOptions) -> (PathBuf, output::Origin) {
        match &write.output {
            Some(o) => (o.clone(), output::Origin::CommandLine),
            None => (
                PathBuf::from(&self.config.output_dir),
                output::Origin::Config,
            ),
        }
    }

    /// The output folder as errors show it: relative to the site folder when inside it.
    fn shown_output_dir(&self, target: &Path) -> PathBuf {
        let root = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        match target.strip_prefix(&root) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => target.to_path_buf(),
        }
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
    let site = Site {
        root: PathBuf::from("/nonexistent-briefing-site"),
        config: config.clone(),
        options: LoadOptions::default(),
        purpose: Purpose::Build,
        pages: crate::pages::Pages::new(vec![(page, rendered)]),
        unbuilt: Default::default(),
        assets: Default::default(),
        statics: Default::default(),
        templates,
        warnings: Vec::new(),
        translations: Vec::new(),
        languages: Vec::new(),
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
        pages: site.pages.ids().collect(),
        ..render::Selection::default()
    };
    render::render(&site, &selection, None, &|job| {
        if let Ok(mut out) = html.lock() {
            out.push_str(&String::from_utf8_lossy(&job.bytes));
        }
        Ok(())
    })
    .map_err(sorted)?;
    Ok(html.into_inner().unwrap_or_default())
}
