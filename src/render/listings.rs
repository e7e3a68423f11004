//! Files built from the list of pages rather than from one page: sitemap, feed, robots.txt,
//! calendar, search index, and the redirect pages of aliases.

use serde::Serialize;

use std::io::Write as _;

use super::parts::Parts;
use super::{Shared, Sink};
use crate::content::Page;
use crate::diagnostic::Diagnostic;
use crate::output::Job;
use crate::outputs::Output;
use crate::site::Site;
use crate::url::{page_url, root_prefix};

/// A file built from every page's front matter — sitemap, feed, robots.txt, calendar —
/// for a site that writes it (see `Output::files`), handed to `sink`: the sitemap and the
/// feed, which list every page, a part at a time.
pub(super) fn feed(site: &Site, output: Output, sink: Sink) -> Result<(), Diagnostic> {
    let file = output.fixed_file().unwrap_or_default();
    let xml_error =
        |e: std::io::Error| Diagnostic::error(file, format!("cannot write {file}: {e}"));
    let base = site.config.base_url.as_deref();
    let missing = || Diagnostic::error(file, format!("{file} is not written for this site"));
    // About a line of XML for each page.
    let mut parts = Parts::new(file, site.pages.len() * 128, sink);
    let written = match (output, base) {
        (Output::Sitemap, Some(base)) => super::feeds::sitemap(site, base, &mut parts),
        (Output::Atom, Some(base)) => super::feeds::atom(site, base, &mut parts),
        (Output::Robots, Some(base)) => return sink(super::feeds::robots(base)),
        (Output::Calendar, _) => return sink(super::feeds::calendar(site).ok_or_else(missing)?),
        _ => return Err(missing()),
    };
    match written {
        Ok(()) => parts.finish(),
        Err(e) => Err(parts.failure(xml_error(e))),
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
/// may load a script but not `fetch` a file. Handed to `sink` a part at a time: it holds
/// the start of every page's text.
pub(super) fn search_index(site: &Site, sink: Sink) -> Result<(), Diagnostic> {
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
    const START: &[u8] = b"window.briefingSearchIndex = ";
    let file = "search-index.js";
    let size: usize = entries
        .iter()
        .map(|e| e.t.len() + e.u.len() + e.s.len() + e.h.len() + e.x.len() + 32)
        .sum();
    let mut parts = Parts::new(file, START.len() + size + 3, sink);
    let written = parts
        .write_all(START)
        .and_then(|()| serde_json::to_writer(&mut parts, &entries).map_err(std::io::Error::from))
        .and_then(|()| parts.write_all(b";\n"));
    match written {
        Ok(()) => parts.finish(),
        Err(e) => Err(parts.failure(Diagnostic::error(file, format!("cannot write {file}: {e}")))),
    }
}

/// A redirect page at an old address of a page.
pub(super) fn alias_job(
    site: &Site,
    page: &Page,
    alias: &str,
    shared: &Shared,
    sink: Sink,
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
