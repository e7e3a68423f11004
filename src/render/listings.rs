//! Files built from the list of pages rather than from one page: sitemap, feed, robots.txt,
//! calendar, search index, and the redirect pages of aliases.

use serde::Serialize;

use super::Shared;
use crate::content::Page;
use crate::diagnostic::Diagnostic;
use crate::output::Job;
use crate::outputs::Output;
use crate::site::Site;
use crate::url::{page_url, root_prefix};

/// A file built from every page's front matter — sitemap, feed, robots.txt, calendar —
/// for a site that writes it (see `Output::files`).
pub(super) fn feed(site: &Site, output: Output) -> Result<Job, Diagnostic> {
    let file = output.fixed_file().unwrap_or_default();
    let xml_error =
        |e: std::io::Error| Diagnostic::error(file, format!("cannot write {file}: {e}"));
    let base = site.config.base_url.as_deref();
    let missing = || Diagnostic::error(file, format!("{file} is not written for this site"));
    match (output, base) {
        (Output::Sitemap, Some(base)) => super::feeds::sitemap(site, base).map_err(xml_error),
        (Output::Atom, Some(base)) => super::feeds::atom(site, base).map_err(xml_error),
        (Output::Robots, Some(base)) => Ok(super::feeds::robots(base)),
        (Output::Calendar, _) => super::feeds::calendar(site).ok_or_else(missing),
        _ => Err(missing()),
    }
}

#[derive(Serialize)]
struct SearchEntry<'a> {
    /// Title, URL (from the site root), summary, headings, text: short keys keep the
    /// index small.
    t: &'a str,
    u: String,
    s: &'a str,
    h: String,
    x: &'a str,
    /// The page's marking, on a site with markings (shown beside each result).
    #[serde(skip_serializing_if = "Option::is_none")]
    m: Option<&'a str>,
}

/// The search index, as a script rather than JSON: a page opened from the file system
/// may load a script but not `fetch` a file.
pub(super) fn search_index(site: &Site) -> Job {
    let portable = site.portable();
    let entries: Vec<SearchEntry> = site
        .pages
        .with_rendered()
        .map(|(p, r)| SearchEntry {
            t: &p.title,
            u: page_url(&p.path, portable),
            s: p.summary.as_deref().unwrap_or(""),
            h: r.toc
                .iter()
                .map(|h| h.title.as_str())
                .collect::<Vec<_>>()
                .join(" · "),
            x: &r.text,
            m: site
                .config
                .markings
                .as_ref()
                .zip(p.shown_marking())
                .map(|(m, l)| m.name(l)),
        })
        .collect();
    // Written straight into one buffer sized for it (9 MB at 10,000 pages), rather than
    // grown by doubling and then copied into the script around it.
    const START: &[u8] = b"window.briefingSearchIndex = ";
    let size: usize = entries
        .iter()
        .map(|e| e.t.len() + e.u.len() + e.s.len() + e.h.len() + e.x.len() + 32)
        .sum();
    let mut js = Vec::with_capacity(START.len() + size + 3);
    js.extend_from_slice(START);
    if serde_json::to_writer(&mut js, &entries).is_err() {
        js.truncate(START.len());
        js.extend_from_slice(b"[]");
    }
    js.extend_from_slice(b";\n");
    Job::whole("search-index.js", js)
}

/// A redirect page at an old address of a page.
pub(super) fn alias_job(
    site: &Site,
    page: &Page,
    alias: &str,
    shared: &Shared,
    sink: &(dyn Fn(Job) -> Result<(), Diagnostic> + Sync),
) -> Result<(), Diagnostic> {
    // Loading refuses an alias that leaves the output; none reaches here.
    let Some(folder) = crate::url::alias_folder(alias) else {
        return Ok(());
    };
    let target = format!(
        "{}{}",
        root_prefix(&folder),
        page_url(&page.path, shared.portable)
    );
    let escaped = crate::html::escape(&target);
    let title = crate::html::escape(&page.title);
    let html = format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta http-equiv=\"refresh\" content=\"0; url={escaped}\"><link rel=\"canonical\" href=\"{escaped}\"></head>\
         <body><p>This page has moved to <a href=\"{escaped}\">{title}</a>.</p></body></html>\n",
        crate::html::escape(&site.config.language)
    );
    sink(Job::whole(format!("{folder}index.html"), html.into_bytes()))
}
