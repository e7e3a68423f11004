//! The checks that span pages: output paths, links and anchors, unpublished files.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use rayon::prelude::*;

use super::{Site, Unbuilt, at_front_matter_key};
use crate::config::Config;
use crate::content::Page;
use crate::diagnostic::Diagnostic;
use crate::markdown::{PendingLink, Rendered};
use crate::pages::Pages;

/// Two pages must never write the same file, even on a case-insensitive file system.
fn check_paths(pages: &Pages, config: &Config, diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<Caseless<'static>, Claim<'_>> = HashMap::with_capacity(pages.len());
    let mut problems = PathProblems::default();
    let reserved = crate::outputs::reserved(config);
    for claim in claims(pages) {
        match seen.entry(Caseless::owned(&claim.path)) {
            Entry::Occupied(first) => problems.push(&claim, collision(first.get(), &claim)),
            Entry::Vacant(slot) => {
                slot.insert(claim.clone());
            }
        }
        if is_reserved(&claim.path, &reserved) {
            let path = &claim.path;
            problems.push(
                &claim,
                format!(
                    "{path} is reserved for pages the build generates: move this page or alias"
                ),
            );
        }
    }
    diags.extend(crate::diagnostic::cap_per_file(problems.found));
}

/// An output folder claimed: a page's own, or the redirect of one of its aliases.
#[derive(Clone)]
struct Claim<'a> {
    path: Cow<'a, str>,
    page: &'a Page,
    alias: Option<&'a str>,
}

impl Claim<'_> {
    /// "content/a.md", "content/a.md (a/)" where the folder matters, or "the alias … of …".
    fn describe(&self, with_path: bool) -> String {
        let (path, p) = (&*self.path, self.page);
        match self.alias {
            Some(a) => format!("the alias {a:?} of {}", p.file.display()),
            None if with_path => format!(
                "{} ({})",
                p.file.display(),
                if path.is_empty() { "/" } else { path }
            ),
            None => p.file.display().to_string(),
        }
    }
}

/// Every output folder claimed, page by page: each page's own, then its aliases'.
fn claims(pages: &Pages) -> impl Iterator<Item = Claim<'_>> {
    pages.iter().flat_map(|p| {
        let aliases = p.aliases.iter().filter_map(move |a| {
            let folder = crate::url::alias_folder(a)?;
            Some(Claim {
                path: Cow::Owned(folder),
                page: p,
                alias: Some(a.as_str()),
            })
        });
        let own = Claim {
            path: Cow::Borrowed(p.path.as_str()),
            page: p,
            alias: None,
        };
        std::iter::once(own).chain(aliases)
    })
}

/// What is wrong with `second` claiming the folder `first` claimed, in any letter case.
fn collision(first: &Claim<'_>, second: &Claim<'_>) -> String {
    let same = first.path == second.path;
    let (path, first, second) = (&second.path, first.describe(!same), second.describe(!same));
    if same {
        format!(
            "{first} and {second} would both be written to {path}index.html: rename one, or change the `slug` or alias"
        )
    } else {
        format!(
            "{first} and {second} differ only in letter case, which collides on macOS and Windows"
        )
    }
}

/// Whether `path` is one the build writes itself (`themes/` only when there are themes).
fn is_reserved(path: &str, reserved: &[&str]) -> bool {
    reserved.iter().any(|g| path.starts_with(g))
}

/// The problems with the claims, each at the claim's page.
#[derive(Default)]
struct PathProblems<'a> {
    /// Problems per page, to locate only those `cap_per_file` keeps (20,000 colliding
    /// aliases would otherwise each scan the page).
    located: HashMap<&'a Path, usize>,
    found: Vec<Diagnostic>,
}

impl<'a> PathProblems<'a> {
    fn push(&mut self, claim: &Claim<'a>, msg: String) {
        let p = claim.page;
        let n = self.located.entry(p.file.as_path()).or_default();
        *n += 1;
        self.found.push(match claim.alias {
            _ if *n > crate::diagnostic::MAX_PER_FILE => Diagnostic::error(&p.file, msg),
            Some(_) => at_front_matter_key(p, "aliases", msg),
            // Its `slug` gave the address, or else its file name did (line 1).
            None => at_front_matter_key(p, "slug", msg),
        });
    }
}

/// A path compared as a case-insensitive file system would.
struct Caseless<'a>(Cow<'a, str>);

impl Caseless<'static> {
    fn owned(path: &str) -> Self {
        Caseless(Cow::Owned(path.to_string()))
    }
}

impl Caseless<'_> {
    fn folded(&self) -> impl Iterator<Item = char> + '_ {
        self.0.chars().flat_map(char::to_lowercase)
    }
}

impl PartialEq for Caseless<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.folded().eq(other.folded())
    }
}

impl Eq for Caseless<'_> {}

impl std::hash::Hash for Caseless<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for c in self.folded() {
            state.write_u32(c as u32);
        }
    }
}

/// Checks every pending link of every page: the target page exists and so does the anchor.
fn check_links(
    pages: &Pages,
    markings: Option<&crate::marking::Markings>,
    unbuilt: &HashMap<String, Unbuilt>,
    assets: &BTreeSet<String>,
) -> Vec<Diagnostic> {
    let targets = LinkTargets {
        pages,
        markings,
        unbuilt,
        assets,
    };
    pages
        .order()
        .par_iter()
        .flat_map_iter(|&i| targets.check_page(&pages[i], pages.rendered(i)))
        .collect()
}

/// What links may lead to: the built pages (with their anchors), the Markdown files that
/// are not built, and the files of `content/`.
struct LinkTargets<'a> {
    pages: &'a Pages,
    markings: Option<&'a crate::marking::Markings>,
    unbuilt: &'a HashMap<String, Unbuilt>,
    assets: &'a BTreeSet<String>,
}

impl LinkTargets<'_> {
    /// The problems with the links of one page, `r` being its rendered body.
    fn check_page(&self, page: &Page, r: &Rendered) -> Vec<Diagnostic> {
        let mut problems = LinkProblems::new(page);
        for link in &r.links {
            if link.asset {
                if let Some(t) = &link.target
                    && !self.assets.contains(t)
                {
                    problems.report(link.offset, || {
                        format!("{:?}: there is no file content/{t}", link.written)
                    });
                }
                continue;
            }
            if let (Some(ids), Some(anchor)) =
                (self.target_ids(link, r, &mut problems), &link.anchor)
                && !ids.contains(anchor)
            {
                if let Some(said) = self.left_out_anchor(link, page, anchor) {
                    problems.report(link.offset, || said);
                    continue;
                }
                problems.report(link.offset, || {
                    format!(
                        "link to {:?}: the anchor #{anchor} does not exist on that page{}",
                        link.written,
                        suggest(anchor, ids)
                    )
                });
            }
        }
        crate::diagnostic::cap_per_file(problems.found)
    }

    /// Why `anchor` of the page `link` leads to is not there, when a release build left
    /// out the section it was in.
    fn left_out_anchor(&self, link: &PendingLink, own: &Page, anchor: &str) -> Option<String> {
        let markings = self.markings?;
        let target = match &link.target {
            Some(t) => &self.pages[self.pages.id_of(t)?],
            None => own,
        };
        let (_, level) = target
            .left_out
            .anchors
            .iter()
            .find(|(id, _)| id == anchor)?;
        Some(format!(
            "link to {:?}: the section #{anchor} of {} is {}, above this build's {}, so it is left out",
            link.written,
            target.file.display(),
            markings.name(*level),
            markings.release.map_or("", |l| markings.name(l)),
        ))
    }

    /// The anchors of the page `link` leads to (`own`'s for a link within the page), or
    /// `None` when it leads to no built page, reported unless that page's own error is.
    fn target_ids<'s>(
        &'s self,
        link: &PendingLink,
        own: &'s Rendered,
        problems: &mut LinkProblems,
    ) -> Option<&'s rustc_hash::FxHashSet<String>> {
        let Some(t) = &link.target else {
            return Some(&own.ids);
        };
        if let Some(j) = self.pages.id_of(t) {
            return Some(&self.pages.rendered(j).ids);
        }
        match self.unbuilt.get(t.as_str()) {
            // Its own error is reported already.
            Some(Unbuilt::Failed) => {}
            Some(Unbuilt::Above { level, .. }) => problems.report(link.offset, || {
                let name = |l| self.markings.map_or("", |m| m.name(l));
                let max = self.markings.and_then(|m| m.release).map_or("", name);
                format!(
                    "link to {:?}: content/{t} is {}, above this build's {max}, so it is left out (link to it only from pages at least as highly marked)",
                    link.written,
                    name(*level)
                )
            }),
            Some(Unbuilt::Draft) => problems.report(link.offset, || {
                format!(
                    "link to {:?}: content/{t} is a draft, so it is not built (pass --drafts, or remove the link)",
                    link.written
                )
            }),
            None => problems.report(link.offset, || {
                format!(
                    "link to {:?}: there is no page content/{t}{}",
                    link.written,
                    nearest_page(self.pages.iter(), t, &link.written)
                )
            }),
        }
        None
    }
}

/// `; did you mean "canola-tariffs.md"?`: the page in the same folder whose file name is
/// nearest `target`'s (`notes/canola.md`), as the link would be written (`written`), when
/// one is close.
fn nearest_page<'p>(pages: impl Iterator<Item = &'p Page>, target: &str, written: &str) -> String {
    let (folder, name) = target.rsplit_once('/').unwrap_or(("", target));
    let stem = |n: &str| n.strip_suffix(".md").unwrap_or(n).to_string();
    let siblings: Vec<String> = pages
        .filter(|p| p.dir() == folder && !p.rel.ends_with("_index.md"))
        .map(|p| stem(p.rel.rsplit('/').next().unwrap_or(&p.rel)))
        .collect();
    let Some(near) = crate::text::nearest(&stem(name), siblings.iter().map(String::as_str)) else {
        return String::new();
    };
    let path = written.split(['#', '?']).next().unwrap_or(written);
    let prefix = path.rsplit_once('/').map_or("", |(p, _)| p);
    let sep = if prefix.is_empty() { "" } else { "/" };
    format!("; did you mean \"{prefix}{sep}{near}.md\"?")
}

/// One page's link problems, in order.
struct LinkProblems<'a> {
    page: &'a Page,
    found: Vec<Diagnostic>,
}

impl<'a> LinkProblems<'a> {
    fn new(page: &'a Page) -> Self {
        LinkProblems {
            page,
            found: Vec::new(),
        }
    }

    /// Adds the problem `msg` at byte `offset` of the body. Past `MAX_PER_FILE`, problems
    /// are only counted (see `cap_per_file`): locating each in the text, or listing a
    /// page's anchors for each, would cost time in proportion to the page, each.
    fn report(&mut self, offset: usize, msg: impl FnOnce() -> String) {
        let page = self.page;
        self.found
            .push(if self.found.len() < crate::diagnostic::MAX_PER_FILE {
                Diagnostic::error(&page.file, msg())
                    .at_offset(&page.text, page.body_offset + offset)
            } else {
                Diagnostic::error(&page.file, String::new())
            });
    }
}

fn suggest(anchor: &str, ids: &rustc_hash::FxHashSet<String>) -> String {
    let mut known: Vec<&String> = ids.iter().collect();
    known.sort();
    if known.is_empty() {
        return " (it has no headings)".to_string();
    }
    let close: Vec<&str> = known
        .iter()
        .filter(|k| k.contains(anchor) || anchor.contains(k.as_str()))
        .map(|k| k.as_str())
        .take(3)
        .collect();
    let shown: Vec<&str> = if close.is_empty() {
        known.iter().take(8).map(|k| k.as_str()).collect()
    } else {
        close
    };
    format!(": expected one of #{}", shown.join(", #"))
}

impl Site {
    /// The checks that span pages: output paths, template names, links and anchors.
    pub fn cross_page_problems(&self) -> Vec<Diagnostic> {
        // The output paths and file clashes are checked on one core each, beside the links
        // (on all of them); the problems come in the same order either way.
        let ((mut diags, clashes), links) = rayon::join(
            || {
                rayon::join(
                    || {
                        let mut paths = Vec::new();
                        check_paths(&self.pages, &self.config, &mut paths);
                        paths
                    },
                    || self.file_clashes(),
                )
            },
            || {
                check_links(
                    &self.pages,
                    self.config.markings.as_ref(),
                    &self.unbuilt,
                    &self.assets,
                )
            },
        );
        diags.extend(clashes);
        // A theme that failed to load (its errors are reported) cannot say which names
        // exist: every page naming a template would be blamed for it.
        let theme_loaded = self.templates.names().next().is_some();
        for p in self.pages.iter().filter(|_| theme_loaded) {
            if let Some(t) = &p.template
                && !self.templates.contains(t)
            {
                diags.push(at_front_matter_key(
                    p,
                    "template",
                    format!(
                        "template {t:?} does not exist in templates/ or the built-in theme{}",
                        self.templates.did_you_mean(t)
                    ),
                ));
            }
        }
        diags.extend(links);
        diags
    }

    /// One warning listing the files of `content/` that no built page links to.
    pub(super) fn unpublished_files_warning(&self) -> Option<Diagnostic> {
        let published = self.published_assets();
        let left: Vec<&String> = self
            .assets
            .iter()
            .filter(|a| !published.contains(a.as_str()))
            .collect();
        if left.is_empty() {
            return None;
        }
        const SHOWN: usize = 10;
        let mut names: Vec<String> = left
            .iter()
            .take(SHOWN)
            .map(|a| format!("content/{a}"))
            .collect();
        if left.len() > SHOWN {
            names.push(format!("and {} more", left.len() - SHOWN));
        }
        Some(Diagnostic::warning(
            "content",
            format!(
                "{} file{} in content/ {} not published because no page links to {}: {}",
                left.len(),
                if left.len() == 1 { "" } else { "s" },
                if left.len() == 1 { "is" } else { "are" },
                if left.len() == 1 { "it" } else { "them" },
                names.join(", ")
            ),
        ))
    }
}
