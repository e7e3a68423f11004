//! The files for machines: `sitemap.xml`, `atom.xml` (RFC 4287), `robots.txt` (all need
//! `base_url`) and `itinerary.ics` (RFC 5545). XML goes through quick-xml's writer and the
//! calendar through the icalendar crate, never string concatenation. Every date comes from
//! the content (`as_of`), never the clock, so builds stay byte-identical.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::content::{Kind, Moment, PartialDate, Stop, When};
use crate::output::Job;
use crate::site::Site;
use crate::url::absolute_url;

type XmlResult = std::io::Result<()>;

fn text<W: std::io::Write>(w: &mut Writer<W>, name: &str, value: &str) -> XmlResult {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

/// Ends the written document with a newline.
fn finish<W: std::io::Write>(w: Writer<W>) -> XmlResult {
    w.into_inner().write_all(b"\n")
}

fn midnight_utc(d: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

fn rfc3339(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", crate::dates::iso(d))
}

/// `sitemap.xml`: every page, with `lastmod` from its `as_of`, written to `out` (a part at
/// a time: it lists every page).
pub fn sitemap<W: std::io::Write>(site: &Site, base: &str, out: W) -> XmlResult {
    // Every page and theme page, by the path of its own language's site; a site in several
    // languages lists each version, with its versions in every language as alternates.
    let mut generated = Vec::new();
    if !site.config.themes.is_empty() {
        generated.push("themes/".to_string());
        for t in &site.config.themes {
            generated.push(crate::outputs::theme_folder(&t.slug));
        }
    }
    type Entry = (String, Option<NaiveDate>, Vec<(String, String)>);
    let mut entries: Vec<Entry> = Vec::new();
    if site.languages.is_empty() {
        entries.extend(
            site.pages
                .iter()
                .map(|p| (absolute_url(base, &p.path), p.as_of, Vec::new())),
        );
        entries.extend(
            generated
                .iter()
                .map(|path| (absolute_url(base, path), None, Vec::new())),
        );
    } else {
        let located: Vec<(&crate::site::Language, &str)> = site
            .languages
            .iter()
            .filter_map(|l| Some((l, l.base_url.as_deref()?)))
            .collect();
        let versions = |path_in: &dyn Fn(&crate::site::Language) -> Option<String>| {
            located
                .iter()
                .filter_map(|(l, base)| Some((l.tag.clone(), absolute_url(base, &path_in(l)?))))
                .collect::<Vec<_>>()
        };
        for p in site.pages.iter() {
            let all = versions(&|l| l.paths.get(&p.rel).cloned());
            for (_, loc) in &all {
                entries.push((loc.clone(), p.as_of, all.clone()));
            }
        }
        for path in &generated {
            let all = versions(&|_| Some(path.clone()));
            for (_, loc) in &all {
                entries.push((loc.clone(), None, all.clone()));
            }
        }
    }
    entries.sort();
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut set = w
        .create_element("urlset")
        .with_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"));
    if !site.languages.is_empty() {
        set = set.with_attribute(("xmlns:xhtml", "http://www.w3.org/1999/xhtml"));
    }
    set.write_inner_content(|w| {
        for (loc, lastmod, alternates) in &entries {
            w.create_element("url").write_inner_content(|w| {
                text(w, "loc", loc)?;
                if let Some(d) = lastmod {
                    text(w, "lastmod", &crate::dates::iso(*d))?;
                }
                for (tag, href) in alternates {
                    w.create_element("xhtml:link")
                        .with_attribute(("rel", "alternate"))
                        .with_attribute(("hreflang", tag.as_str()))
                        .with_attribute(("href", href.as_str()))
                        .write_empty()?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })?;
    finish(w)
}

/// `atom.xml`: one entry per note and dispute, newest `as_of` first, written to `out`.
pub fn atom<W: std::io::Write>(site: &Site, base: &str, out: W) -> XmlResult {
    let entries = feed_pages(site);
    let newest = site.newest_as_of();
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("feed")
        .with_attribute(("xmlns", "http://www.w3.org/2005/Atom"))
        .with_attribute(("xml:lang", site.config.language.as_str()))
        .write_inner_content(|w| {
            feed_head(w, site, base, newest)?;
            // The feed is marked as the highest of the entries it holds.
            if let Some(m) = &site.config.markings {
                let highest = entries.iter().filter_map(|p| p.shown_marking()).max();
                text(w, "rights", m.name(highest.unwrap_or(m.default)))?;
            }
            for p in &entries {
                feed_entry(w, site, p, base, newest)?;
            }
            Ok(())
        })?;
    finish(w)
}

/// The pages the feed lists: notes and disputes, newest `as_of` first, then by address.
fn feed_pages(site: &Site) -> Vec<&crate::content::Page> {
    let mut entries: Vec<&crate::content::Page> = site
        .pages
        .iter()
        .filter(|p| !p.is_section && matches!(p.kind, Kind::Note | Kind::Dispute))
        .collect();
    entries.sort_by(|a, b| b.as_of.cmp(&a.as_of).then_with(|| a.path.cmp(&b.path)));
    entries
}

/// The feed's own elements, before its entries: title, id, links and author.
fn feed_head<W: std::io::Write>(
    w: &mut Writer<W>,
    site: &Site,
    base: &str,
    newest: Option<NaiveDate>,
) -> XmlResult {
    let feed_id = absolute_url(base, "");
    text(w, "title", &site.config.title)?;
    if !site.config.description.is_empty() {
        text(w, "subtitle", &site.config.description)?;
    }
    text(w, "id", &feed_id)?;
    text(w, "updated", &atom_updated(newest))?;
    w.create_element("link")
        .with_attribute(("rel", "self"))
        .with_attribute(("href", absolute_url(base, "atom.xml").as_str()))
        .write_empty()?;
    w.create_element("link")
        .with_attribute(("rel", "alternate"))
        .with_attribute(("href", feed_id.as_str()))
        .write_empty()?;
    w.create_element("author")
        .write_inner_content(|w| text(w, "name", &site.config.title))?;
    Ok(())
}

/// One page's `entry`, updated as of the page or, without its own, the site's newest.
fn feed_entry<W: std::io::Write>(
    w: &mut Writer<W>,
    site: &Site,
    p: &crate::content::Page,
    base: &str,
    newest: Option<NaiveDate>,
) -> XmlResult {
    let url = absolute_url(base, &p.path);
    w.create_element("entry").write_inner_content(|w| {
        text(w, "title", &p.title)?;
        // The page's address is its stable id: it changes only if the page moves.
        text(w, "id", &url)?;
        text(w, "updated", &atom_updated(p.as_of.or(newest)))?;
        w.create_element("link")
            .with_attribute(("rel", "alternate"))
            .with_attribute(("href", url.as_str()))
            .write_empty()?;
        if let Some(s) = &p.summary {
            text(w, "summary", s)?;
        }
        if let (Some(m), Some(level)) = (&site.config.markings, p.shown_marking()) {
            text(w, "rights", m.name(level))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// An `updated` value: Atom requires one, so a site with no dates at all says the epoch.
fn atom_updated(as_of: Option<NaiveDate>) -> String {
    as_of
        .map(rfc3339)
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

pub fn robots(base: &str) -> Job {
    Job::whole(
        "robots.txt",
        format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\n",
            absolute_url(base, "sitemap.xml")
        )
        .into_bytes(),
    )
}

/// Ends an all-day event before `end`. DTEND is exclusive, so a stop on 9999-12-31 would
/// end on 10000-01-01, which RFC 5545 cannot write: such a stop says how many days it lasts
/// instead (DURATION, RFC 5545 3.8.2.5).
fn ends_on(event: &mut icalendar::Event, start: NaiveDate, end: NaiveDate) {
    if end.year() > 9999 {
        let days = (end - start).num_days();
        event.add_property("DURATION", format!("P{days}D"));
    } else {
        event.ends(end);
    }
}

/// A stop's stable UID: its day, place and title, so it survives rebuilds and reorders.
fn uid(stop: &Stop, host: &str) -> String {
    let day = crate::dates::partial_iso(stop.when.day());
    let slug = crate::markdown::slugify(&format!("{} {}", stop.locality(), stop.title));
    format!("{day}-{slug}@{host}")
}

/// `itinerary.ics`, or `None` when the site has no itinerary.
pub fn calendar(site: &Site) -> Option<Job> {
    let itineraries: Vec<&crate::content::Page> =
        site.pages.iter().filter(|p| p.in_calendar()).collect();
    if itineraries.is_empty() {
        return None;
    }
    let host = calendar_host(site);
    let mut cal = calendar_header(site);
    let mut stops: Vec<(&crate::content::Page, &Stop)> = itineraries
        .iter()
        .flat_map(|p| p.stops.iter().map(move |s| (*p, s)))
        .collect();
    stops.sort_by_key(|(_, s)| s.when.sort_key());
    // Once per calendar: it scans every page.
    let newest = site.newest_as_of();
    for (page, stop) in stops {
        if let Some(event) = stop_event(site, page, stop, &host, newest) {
            cal.push(event);
        }
    }
    Some(Job::whole(
        "itinerary.ics",
        cal.done().to_string().into_bytes(),
    ))
}

/// The host the events' UIDs are made unique by: the site's, or a name that can never be
/// anyone's (RFC 6761) when it has no `base_url`.
fn calendar_host(site: &Site) -> String {
    site.config
        .base_url
        .as_deref()
        .and_then(crate::config::web_host)
        .filter(|h| !h.is_empty())
        .unwrap_or("briefing.invalid")
        .to_string()
}

/// The calendar with its properties and name, before any event.
fn calendar_header(site: &Site) -> Calendar {
    let mut cal = Calendar::empty();
    // Who made the file (RFC 5545 3.7.3): the site, then the program. `//` separates the
    // parts, so a title may not bring its own.
    let prodid = format!(
        "-//{}//briefing {}//EN",
        site.config.title.replace("//", "/"),
        env!("CARGO_PKG_VERSION")
    );
    cal.append_property(("VERSION", "2.0"))
        .append_property(("PRODID", prodid.as_str()))
        .append_property(("CALSCALE", "GREGORIAN"));
    cal.name(&site.config.title);
    cal
}

/// A stop of `page` as a calendar event, or `None` for one not known to the day.
/// `newest` is the site's newest `as_of`, the stamp of a page without its own.
fn stop_event(
    site: &Site,
    page: &crate::content::Page,
    stop: &Stop,
    host: &str,
    newest: Option<NaiveDate>,
) -> Option<icalendar::Event> {
    // Only stops known to the day (`When::in_calendar`).
    let PartialDate::Day(first_day) = stop.when.day() else {
        return None;
    };
    let mut event = icalendar::Event::new();
    event.uid(&uid(stop, host));
    let stamp = page.as_of.or(newest).unwrap_or(first_day);
    event.timestamp(midnight_utc(stamp));
    event.summary(&stop.title);
    event.location(&stop.place());
    // A marked calendar says its marking first in every event (a calendar has no banner).
    let marking = site
        .config
        .markings
        .as_ref()
        .zip(stop.marking)
        .map(|(m, l)| m.name(l));
    match (marking, &stop.details) {
        (Some(m), Some(d)) => {
            event.description(&format!("{m}. {d}"));
        }
        (Some(m), None) => {
            event.description(m);
        }
        (None, Some(d)) => {
            event.description(d);
        }
        (None, None) => {}
    }
    schedule(&mut event, stop.when, first_day);
    event.status(if stop.tentative {
        EventStatus::Tentative
    } else {
        EventStatus::Confirmed
    });
    if let Some(base) = &site.config.base_url {
        event.url(&absolute_url(base, &page.path));
    }
    Some(event.done())
}

/// When the event starts and ends: all day for a stop with dates, in UTC for one with
/// times. `first_day` is the stop's day.
fn schedule(event: &mut icalendar::Event, when: When, first_day: NaiveDate) {
    match when {
        When::On(_) => {
            event.starts(first_day);
            ends_on(event, first_day, first_day.succ_opt().unwrap_or(first_day));
        }
        When::Span {
            start: Moment::Date(a),
            end,
        } => {
            let last = end.map_or(a, Moment::date);
            event.starts(a);
            ends_on(event, a, last.succ_opt().unwrap_or(last));
        }
        When::Span {
            start: Moment::DateTime(a),
            end,
        } => {
            let start = a.with_timezone(&Utc);
            event.starts(start);
            match end {
                Some(Moment::DateTime(b)) => {
                    event.ends(b.with_timezone(&Utc));
                }
                Some(Moment::Date(b)) => ends_after_day(event, start, b),
                None => {}
            }
        }
    }
}

/// Ends an event that starts at a time at the end of the day `last`. As in `ends_on`, an
/// end in the year 10000 cannot be written, so such an event gives its length instead.
fn ends_after_day(event: &mut icalendar::Event, start: chrono::DateTime<Utc>, last: NaiveDate) {
    let end = midnight_utc(last.succ_opt().unwrap_or(last));
    if end.year() > 9999 {
        let seconds = (end - start).num_seconds();
        event.add_property("DURATION", format!("PT{seconds}S"));
    } else {
        event.ends(end);
    }
}
