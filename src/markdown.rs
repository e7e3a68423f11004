//! Markdown rendering: CommonMark + GFM with pulldown-cmark, heading ids, a table of
//! contents, and relative links to `.md` files turned into placeholders that `links`
//! resolves once every page's URL and anchors are known.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Marks an internal link in rendered HTML until its target's URL is known:
/// `@@briefing-link-3@@` is the page's fourth pending link.
pub const LINK_MARK: &str = "@@briefing-link-";
pub const LINK_MARK_END: &str = "@@";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
    /// Its portion mark, where its section is marked above the lowest level (not in the
    /// template value otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marking: Option<String>,
}

/// A link whose target must exist: another note (by path), or an anchor on this page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingLink {
    /// The target's path relative to `content/` (normalised), or `None` for `#anchor` links
    /// to the page itself.
    pub target: Option<String>,
    pub anchor: Option<String>,
    /// Byte offset of the link in the body, for diagnostics.
    pub offset: usize,
    /// The destination as written.
    pub written: String,
    /// Whether the href was replaced by a placeholder that must be substituted.
    pub placeholder: bool,
    /// The target is a file of `content/` (an image, a PDF) rather than a page.
    pub asset: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<Heading>,
    pub ids: HashSet<String>,
    pub links: Vec<PendingLink>,
    /// Problems found while rendering, each with a byte offset in the body.
    pub problems: Vec<Problem>,
    /// What renders, but not as the author meant (a Hugo shortcode, a footnote nothing
    /// refers to): warnings, with a byte offset in the body.
    pub warnings: Vec<Problem>,
    /// The start of the body as plain text, for the search index.
    pub text: String,
    /// How many links became placeholders.
    placeholders: usize,
    /// For each id wanted more than once, the next suffix to try, so that the 20,000th
    /// `## Same` costs one lookup rather than 19,999.
    next_suffix: HashMap<String, usize>,
}

/// A mistake in a body: where (a byte offset in the body), what, and where the other half
/// of it is when there is one (the first of two headings given one id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub offset: usize,
    pub message: String,
    pub first_at: Option<usize>,
}

/// How much of each page's text the search index keeps.
pub const SEARCH_TEXT_LIMIT: usize = 600;

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        // GitHub's alerts (`> [!NOTE]`), rendered as callouts.
        | Options::ENABLE_GFM
}

/// Renders `body`, a page's Markdown; `dir` is the page's folder relative to `content/`.
pub fn render(body: &str, dir: &str) -> Rendered {
    render_marked(body, dir, true, &[], &CalloutTitles::ENGLISH)
}

/// Everything `render` finds (headings, ids, links, problems, warnings) without writing
/// the HTML or gathering the search index's text: what `check` needs of every page.
pub fn outline(body: &str, dir: &str) -> Rendered {
    render_marked(body, dir, false, &[], &CalloutTitles::ENGLISH)
}

/// Headings given a portion mark: where each starts in the body, and the mark (`SECRET`).
pub type PortionMarks<'m> = &'m [(usize, &'m str)];

/// `render` (with `html`) or `outline`, the headings at `marks` given their portion marks.
/// `callouts` are the titles its callouts print, in the page's language.
pub fn render_marked(
    body: &str,
    dir: &str,
    html: bool,
    marks: PortionMarks,
    callouts: &CalloutTitles,
) -> Rendered {
    let mut walk = Walk::new(body, dir, html, callouts);
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let mark = match &event {
            Event::Start(Tag::Heading { .. }) => marks
                .iter()
                .find(|(at, _)| *at == range.start)
                .map(|(_, m)| *m),
            _ => None,
        };
        walk.event(event, range);
        if let Some(m) = mark {
            walk.portion_mark(m);
        }
    }
    walk.finish()
}

/// The titles a callout (`> [!NOTE]`) prints above its text, in one language (the strings
/// `callout_note` and the rest; this layer is below the string tables, so they are handed
/// in).
#[derive(Debug, Clone, Copy)]
pub struct CalloutTitles<'w> {
    pub note: &'w str,
    pub tip: &'w str,
    pub important: &'w str,
    pub warning: &'w str,
    pub caution: &'w str,
}

impl CalloutTitles<'static> {
    pub const ENGLISH: CalloutTitles<'static> = CalloutTitles {
        note: "Note",
        tip: "Tip",
        important: "Important",
        warning: "Warning",
        caution: "Caution",
    };
}

impl CalloutTitles<'_> {
    /// A callout's title, as plain text.
    pub fn of(&self, kind: BlockQuoteKind) -> &str {
        match kind {
            BlockQuoteKind::Note => self.note,
            BlockQuoteKind::Tip => self.tip,
            BlockQuoteKind::Important => self.important,
            BlockQuoteKind::Warning => self.warning,
            BlockQuoteKind::Caution => self.caution,
        }
    }
}

/// The events to write as HTML, or none when only the outline is wanted.
struct Events<'a> {
    list: Vec<Event<'a>>,
    keep: bool,
}

impl<'a> Events<'a> {
    fn push(&mut self, event: Event<'a>) {
        if self.keep {
            self.list.push(event);
        }
    }

    fn len(&self) -> usize {
        self.list.len()
    }
}

/// One walk over a body's events: what is written (`events`), what is found (`out`), and
/// where the walk is (inside a heading, an image, a table, a code block, a footnote).
struct Walk<'a> {
    body: &'a str,
    dir: &'a str,
    callouts: &'a CalloutTitles<'a>,
    out: Rendered,
    events: Events<'a>,
    /// While inside a heading: index in `events` of its start, its text so far, its given
    /// id and its offset.
    heading: Option<(usize, String, Option<CowStr<'a>>, usize)>,
    /// Ids given with `{#id}`, and where: one given twice is a mistake, not a rename.
    given_ids: HashMap<String, usize>,
    /// Inside an image, links and images are only its alt text: nothing is written for
    /// their destinations, so nothing is checked.
    in_image: usize,
    /// Inside a table: index in `events` of its scroll box, the header cells' text so far
    /// (the box's accessible name), and whether in the header row.
    table: Option<(usize, String, bool)>,
    footnotes: Footnotes<'a>,
    in_code_block: bool,
    /// Hugo and Zola shortcodes seen: the first one's offset and how many.
    shortcodes: Option<(usize, usize)>,
    /// The last shortcode's text: printed as written (its quotes left straight), since
    /// it stands for something the author must still write.
    shortcode_span: std::ops::Range<usize>,
    /// The portion mark of the heading being read.
    heading_mark: Option<String>,
}

impl<'a> Walk<'a> {
    fn new(body: &'a str, dir: &'a str, html: bool, callouts: &'a CalloutTitles<'a>) -> Walk<'a> {
        Walk {
            body,
            dir,
            callouts,
            out: Rendered::default(),
            events: Events {
                list: Vec::with_capacity(if html { 256 } else { 0 }),
                keep: html,
            },
            heading: None,
            given_ids: HashMap::default(),
            in_image: 0,
            table: None,
            footnotes: Footnotes::default(),
            in_code_block: false,
            shortcodes: None,
            shortcode_span: 0..0,
            heading_mark: None,
        }
    }

    fn event(&mut self, event: Event<'a>, range: std::ops::Range<usize>) {
        match event {
            Event::FootnoteReference(label) => {
                let keep = self.events.keep;
                if let Some(html) = self.footnotes.refer(&label, &mut self.out, keep) {
                    self.events.push(Event::Html(html.into()));
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) if self.footnotes.open.is_none() => {
                let page = std::mem::take(&mut self.events.list);
                self.footnotes.open = Some((label.to_string(), range.start, page));
            }
            Event::End(TagEnd::FootnoteDefinition) if self.footnotes.open.is_some() => {
                if let Some((label, at, page)) = self.footnotes.open.take() {
                    let note = std::mem::replace(&mut self.events.list, page);
                    self.footnotes.notes.entry(label).or_insert((note, at));
                }
            }
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let class = callout_class(kind);
                let title = crate::html::escape(self.callouts.of(kind));
                self.events.push(Event::Html(CowStr::from(format!(
                    "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{title}</p>\n"
                ))));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                self.events.push(Event::Html(CowStr::Borrowed("</div>\n")));
            }
            Event::Start(Tag::CodeBlock(_)) | Event::End(TagEnd::CodeBlock) => {
                self.in_code_block = matches!(event, Event::Start(_));
                self.events.push(event);
            }
            Event::Start(Tag::Link { .. }) if self.in_image > 0 => self.events.push(event),
            Event::Start(Tag::Image { .. }) if self.in_image > 0 => {
                self.in_image += 1;
                self.events.push(event);
            }
            Event::End(TagEnd::Image) => {
                self.in_image = self.in_image.saturating_sub(1);
                self.events.push(event);
            }
            Event::Start(Tag::Heading { ref id, .. }) => {
                self.heading = Some((self.events.len(), String::new(), id.clone(), range.start));
                self.events.push(event);
            }
            Event::End(TagEnd::Heading(level)) => self.end_heading(level),
            Event::Text(_) | Event::Code(_) => self.text(event, range),
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => self.link(event, range.start),
            Event::Start(Tag::Table(_) | Tag::TableHead)
            | Event::End(TagEnd::TableCell | TagEnd::TableHead | TagEnd::Table) => {
                self.table_event(event)
            }
            // Raw HTML may spell a placeholder too; `&#64;` is the same `@` to a browser.
            Event::Html(t) if t.contains(LINK_MARK) => {
                self.events.push(Event::Html(defuse_mark(&t)))
            }
            Event::InlineHtml(t) if t.contains(LINK_MARK) => {
                self.events.push(Event::InlineHtml(defuse_mark(&t)))
            }
            other => self.events.push(other),
        }
    }

    /// The portion mark of the heading just started: shown before its text, kept in the
    /// table of contents beside its title (not in its id or title).
    fn portion_mark(&mut self, mark: &str) {
        self.heading_mark = Some(mark.to_string());
        self.events.push(Event::InlineHtml(CowStr::from(format!(
            "<span class=\"portion-mark\">({})</span> ",
            crate::html::escape(mark)
        ))));
    }

    /// A heading ends: its id is the one given (once per page) or its text's slug, made
    /// unique on the page, and it joins the table of contents.
    fn end_heading(&mut self, level: pulldown_cmark::HeadingLevel) {
        if let Some((start, text, given, at)) = self.heading.take() {
            let wanted = match given {
                Some(given) => {
                    let given = given.to_string();
                    match self.given_ids.get(&given) {
                        Some(&first) => self.out.problems.push(Problem {
                            offset: at,
                            message: format!(
                                "the heading id #{given} is given twice on this page: each heading needs its own id"
                            ),
                            first_at: Some(first),
                        }),
                        None => {
                            self.given_ids.insert(given.clone(), at);
                        }
                    }
                    given
                }
                None => slugify(&text),
            };
            let out = &mut self.out;
            let unique = unique_id(&mut out.ids, &mut out.next_suffix, wanted);
            if let Some(Event::Start(Tag::Heading { id, .. })) = self.events.list.get_mut(start) {
                *id = Some(CowStr::from(unique.clone()));
            }
            out.toc.push(Heading {
                level: level as u8,
                id: unique,
                title: text.trim().to_string(),
                marking: self.heading_mark.take(),
            });
        }
        self.events.push(Event::End(TagEnd::Heading(level)));
    }

    /// Text or code: scanned for what renders but not as meant, and gathered into the
    /// heading, the table's name or the search text.
    fn text(&mut self, event: Event<'a>, range: std::ops::Range<usize>) {
        let (Event::Text(_) | Event::Code(_)) = &event else {
            return self.events.push(event);
        };
        let mut event = event;
        if !self.in_code_block && matches!(event, Event::Text(_)) {
            let loose = &mut self.footnotes.loose;
            let span = &mut self.shortcode_span;
            scan_text(self.body, range.clone(), &mut self.shortcodes, span, loose);
            // Inside a shortcode, the text as written: smart punctuation would curl its
            // quotes (`name="x"` → `name=“x”`), which no one can copy back.
            if span.start <= range.start && range.end <= span.end && range.end > range.start {
                event = Event::Text(CowStr::Borrowed(&self.body[range]));
            }
        }
        let (Event::Text(t) | Event::Code(t)) = &event else {
            return self.events.push(event);
        };
        if let Some((_, text, true)) = &mut self.table {
            text.push_str(t);
        }
        let out = &mut self.out;
        match &mut self.heading {
            Some((_, text, _, _)) => text.push_str(t),
            // Only the search index reads the text, and `check` writes none.
            None if self.events.keep && out.text.len() < SEARCH_TEXT_LIMIT => {
                if !out.text.is_empty() {
                    out.text.push(' ');
                }
                out.text.push_str(t.trim());
            }
            None => {}
        }
        self.events.push(event);
    }

    /// A link or image (outside an image's alt text): its destination checked, and
    /// replaced by a placeholder where it points at another page.
    fn link(&mut self, event: Event<'a>, offset: usize) {
        let image = matches!(event, Event::Start(Tag::Image { .. }));
        let Event::Start(
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }
            | Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            },
        ) = event
        else {
            return self.events.push(event);
        };
        let dest_url = self.out.destination(dest_url, self.dir, offset, image);
        let title = defuse_title(title);
        self.events.push(Event::Start(if image {
            self.in_image += 1;
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }
        } else {
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }
        }));
    }

    /// Tables scroll in a box of their own, which must be reachable by keyboard and named:
    /// focusable, a region, named after its columns once the header row is read.
    fn table_event(&mut self, event: Event<'a>) {
        match &event {
            Event::Start(Tag::Table(_)) => {
                self.table = Some((self.events.len(), String::new(), false));
                self.events.push(Event::Html(CowStr::Borrowed(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Table\">",
                )));
            }
            Event::Start(Tag::TableHead) => {
                if let Some((_, _, in_head)) = &mut self.table {
                    *in_head = true;
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some((_, text, true)) = &mut self.table {
                    text.push('\u{1f}');
                }
            }
            Event::End(TagEnd::TableHead) => self.name_table(),
            _ => {}
        }
        let ends_table = matches!(event, Event::End(TagEnd::Table));
        self.events.push(event);
        if ends_table {
            self.table = None;
            self.events.push(Event::Html(CowStr::Borrowed("</div>")));
        }
    }

    /// The header row is read: the table's box is named after its columns.
    fn name_table(&mut self) {
        let Some((at, text, in_head)) = &mut self.table else {
            return;
        };
        *in_head = false;
        let columns: Vec<&str> = text
            .split('\u{1f}')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        if !columns.is_empty()
            && let Some(slot) = self.events.list.get_mut(*at)
        {
            *slot = Event::Html(CowStr::from(format!(
                "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Table: {}\">",
                crate::html::escape(&columns.join(", "))
            )));
        }
    }

    fn finish(mut self) -> Rendered {
        let mut out = self.out;
        if let Some((at, n)) = self.shortcodes {
            out.warn(at, shortcode_warning(self.body, at, n));
        }
        self.footnotes.finish(&mut self.events, &mut out);
        if out.text.len() > SEARCH_TEXT_LIMIT {
            let mut end = SEARCH_TEXT_LIMIT;
            while !out.text.is_char_boundary(end) {
                end -= 1;
            }
            out.text.truncate(end);
        }
        if self.events.keep {
            out.html.reserve(self.body.len() * 3 / 2);
            pulldown_cmark::html::push_html(&mut out.html, self.events.list.into_iter());
            // Every page's HTML is kept for the whole build: the room reserved above and
            // not used would be kept with it.
            out.html.shrink_to_fit();
        }
        // Only wanted while ids are given out, which ends here; the page keeps the rest.
        out.next_suffix = Default::default();
        out
    }
}

/// Raw HTML with the placeholder mark spelled differently, so it stays text.
fn defuse_mark(html: &str) -> CowStr<'static> {
    html.replace(LINK_MARK, &format!("&#64;{}", &LINK_MARK[1..]))
        .into()
}

/// A GitHub alert's class (its title is the language's: `CalloutTitles`).
pub fn callout_class(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    }
}

/// What a text of the body may hold that renders, but not as meant: Hugo shortcodes
/// (counted, with the first one's offset) and `[^label]` references (to warn of when no
/// note has the label).
fn scan_text(
    body: &str,
    range: std::ops::Range<usize>,
    shortcodes: &mut Option<(usize, usize)>,
    span: &mut std::ops::Range<usize>,
    loose: &mut Vec<(usize, String)>,
) {
    // One byte past the text: `{{<figure>}}` is the text `{{` and then HTML.
    let end = (range.end + 1).min(body.len());
    let source = &body.as_bytes()[range.start..end];
    // One pass for both, byte by byte (memchr2) rather than with `memmem` finders, which
    // cost more to build than a short text takes to scan, and texts are many and short.
    for i in memchr::memchr2_iter(b'{', b'[', source) {
        match (source[i], source.get(i + 1), source.get(i + 2)) {
            (b'{', Some(b'{'), Some(b'<' | b'%')) | (b'{', Some(b'{' | b'%'), _)
                if range.start + i >= span.end
                    && ((source[i + 1] == b'{'
                        && source.get(i + 2).is_some_and(|c| matches!(c, b'<' | b'%')))
                        || is_zola_shortcode(&source[i..])) =>
            {
                let at = range.start + i;
                let (_, n) = shortcodes.get_or_insert((at, 0));
                *n += 1;
                *span = at..shortcode_end(body, at);
            }
            (b'[', Some(b'^'), _) => {
                // A label is short: looking no further than 100 bytes for its `]` keeps a
                // body of many unclosed `[^` linear.
                let after = &body.as_bytes()[range.start + i + 2..];
                let window = &after[..after.len().min(100)];
                let Some(close) = memchr::memchr(b']', window) else {
                    continue;
                };
                let label = String::from_utf8_lossy(&window[..close]);
                if !label.is_empty() && !label.contains(char::is_whitespace) {
                    loose.push((range.start + i, label.into_owned()));
                }
            }
            _ => {}
        }
    }
}

/// A Zola shortcode at the start of `b`: `{{ name(` or `{% name(`, spaces allowed around
/// the name (a template's `{{ page.title }}` has no parenthesis after a bare name).
fn is_zola_shortcode(b: &[u8]) -> bool {
    let Some(rest) = b.get(2..) else {
        return false;
    };
    let rest = &rest[rest.iter().take_while(|c| **c == b' ').count()..];
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    name > 0
        && !rest[0].is_ascii_digit()
        && rest[name..]
            .iter()
            .find(|c| **c != b' ')
            .is_some_and(|c| *c == b'(')
}

/// Where the shortcode opening at `at` ends: past its `}}` (or `%}`), or at the end of its
/// paragraph when it is never closed.
fn shortcode_end(body: &str, at: usize) -> usize {
    let close: &[u8] = if body.as_bytes().get(at + 1) == Some(&b'%') {
        b"%}"
    } else {
        b"}}"
    };
    let rest = &body.as_bytes()[at..];
    let paragraph = memchr::memmem::find(rest, b"\n\n").unwrap_or(rest.len());
    memchr::memmem::find(&rest[..paragraph], close).map_or(at + paragraph, |i| at + i + 2)
}

fn shortcode_warning(body: &str, at: usize, n: usize) -> String {
    if is_zola_shortcode(&body.as_bytes()[at..]) {
        let rest = &body[at + 2..];
        let name: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .take(40)
            .collect();
        let (open, close) = if body[at..].starts_with("{%") {
            ("{%", "%}")
        } else {
            ("{{", "}}")
        };
        let mut message = format!(
            "Zola shortcodes are not supported: {open} {name}(…) {close} is printed as text; \
             write the Markdown it stands for instead (a link, an image, a `> [!NOTE]` callout)"
        );
        message.push_str(&more_on_this_page(n));
        return message;
    }
    let name: String = body[at + 3..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
        .take(40)
        .collect();
    let open = &body[at..at + 3];
    let close = if open.ends_with('%') { "%}}" } else { ">}}" };
    let mut message = format!(
        "Hugo shortcodes are not supported: {open} {name} {close} is printed as text; \
         write the Markdown it stands for instead (a link, an image, a `> [!NOTE]` callout)"
    );
    message.push_str(&more_on_this_page(n));
    message
}

/// ` (N more on this page)` after the first of `n` alike, or nothing.
fn more_on_this_page(n: usize) -> String {
    if n > 1 {
        format!(" ({} more on this page)", n - 1)
    } else {
        String::new()
    }
}

/// Footnotes, collected at the end of the page (as GitHub and Hugo render them) and
/// numbered in the order they are first referred to.
#[derive(Default)]
struct Footnotes<'a> {
    /// Label → number, the note's id and the ids of the references to it.
    numbers: HashMap<String, (usize, String, Vec<String>)>,
    /// Label → the note's events and where it was defined.
    notes: HashMap<String, (Vec<Event<'a>>, usize)>,
    /// While inside a definition: its label, its offset and the page's events put aside.
    open: Option<(String, usize, Vec<Event<'a>>)>,
    /// `[^label]` written in the text, which is a reference only when the label is defined.
    loose: Vec<(usize, String)>,
}

impl<'a> Footnotes<'a> {
    /// Numbers a reference and returns its HTML, when the HTML is wanted.
    fn refer(&mut self, label: &str, out: &mut Rendered, html: bool) -> Option<String> {
        let next = self.numbers.len() + 1;
        let (n, id, refs) = self.numbers.entry(label.to_string()).or_insert_with(|| {
            let id = unique_id(&mut out.ids, &mut out.next_suffix, format!("fn-{next}"));
            (next, id, Vec::new())
        });
        let ref_id = unique_id(&mut out.ids, &mut out.next_suffix, format!("fnref-{n}"));
        refs.push(ref_id.clone());
        html.then(|| format!(
            "<sup class=\"footnote-ref\"><a href=\"#{id}\" id=\"{ref_id}\" aria-label=\"Footnote {n}\">{n}</a></sup>"
        ))
    }

    /// Writes the notes referred to, in order, after the body; warns of the others.
    fn finish(self, events: &mut Events<'a>, out: &mut Rendered) {
        let mut notes = self.notes;
        let mut unreferred: Vec<_> = notes
            .iter()
            .filter(|(label, _)| !self.numbers.contains_key(*label))
            .map(|(label, (_, at))| (*at, label.clone()))
            .collect();
        let mut referred: Vec<_> = self.numbers.into_iter().collect();
        referred.sort_by_key(|(_, (n, _, _))| *n);
        unreferred.sort();
        // One warning of each kind per page, at the first, with a count of the others: a
        // page of 20,000 loose references is one mistake made many times.
        let loose: Vec<&(usize, String)> = self
            .loose
            .iter()
            .filter(|(_, label)| !notes.contains_key(label))
            .collect();
        if let Some((at, label)) = loose.first() {
            out.warn(*at, format!(
                "[^{label}] refers to no footnote, so it is printed as text: define it with \"[^{label}]: the note\" on a line of its own{}",
                more_on_this_page(loose.len())
            ));
        }
        if let Some((at, label)) = unreferred.first() {
            out.warn(*at, format!(
                "the footnote [^{label}] is never referred to, so it is not shown: refer to it with [^{label}] in the text, or remove it{}",
                more_on_this_page(unreferred.len())
            ));
        }
        if referred.is_empty() {
            return;
        }
        events.push(Event::Html(CowStr::Borrowed(
            "<section class=\"footnotes\" aria-label=\"Footnotes\">\n<h2 class=\"footnotes-title\">Notes</h2>\n<ol>\n",
        )));
        for (label, (n, id, refs)) in referred {
            let Some((mut note, _)) = notes.remove(&label) else {
                continue;
            };
            events.push(Event::Html(CowStr::from(format!("<li id=\"{id}\">\n"))));
            let backs: Vec<String> = refs
                .iter()
                .enumerate()
                .map(|(k, ref_id)| {
                    let (label, mark) = if k == 0 {
                        (format!("Back to reference {n}"), String::new())
                    } else {
                        (format!("Back to reference {n} ({})", k + 1), format!("<sup>{}</sup>", k + 1))
                    };
                    format!(" <a href=\"#{ref_id}\" class=\"footnote-back\" aria-label=\"{label}\">\u{21a9}\u{fe0e}{mark}</a>")
                })
                .collect();
            let backs = Event::Html(CowStr::from(backs.concat()));
            // Inside the note's last paragraph, as GitHub does, so the arrow ends the text.
            match note
                .iter()
                .rposition(|e| matches!(e, Event::End(TagEnd::Paragraph)))
            {
                Some(last) => note.insert(last, backs),
                None => note.push(backs),
            }
            for e in note {
                events.push(e);
            }
            events.push(Event::Html(CowStr::Borrowed("</li>\n")));
        }
        events.push(Event::Html(CowStr::Borrowed("</ol>\n</section>\n")));
    }
}

impl Rendered {
    fn warn(&mut self, offset: usize, message: String) {
        self.warnings.push(Problem {
            offset,
            message,
            first_at: None,
        });
    }

    /// Records a link or image destination that must be checked, and returns what to
    /// write for it: a placeholder for pages and files of `content/`, or the destination
    /// as written.
    fn destination<'a>(
        &mut self,
        dest: CowStr<'a>,
        dir: &str,
        offset: usize,
        image: bool,
    ) -> CowStr<'a> {
        let (target, anchor, asset) = match classify(&dest, dir) {
            Dest::Other => return defuse(dest),
            Dest::Page(..) if image => return dest,
            Dest::Anchor(_) if image => return dest,
            Dest::Anchor(anchor) => {
                self.links.push(PendingLink {
                    target: None,
                    anchor: Some(anchor),
                    offset,
                    written: dest.to_string(),
                    placeholder: false,
                    asset: false,
                });
                return dest;
            }
            Dest::Escapes => {
                let what = if image { "image" } else { "link" };
                self.problems.push(Problem {
                    offset,
                    message: format!("{what} {:?} points outside content/", dest.as_ref()),
                    first_at: None,
                });
                return dest;
            }
            Dest::Page(target, anchor) => (target, anchor, false),
            Dest::Asset(target, anchor) => (target, anchor, true),
        };
        let n = self.placeholders;
        self.placeholders += 1;
        self.links.push(PendingLink {
            target: Some(target),
            anchor,
            offset,
            written: dest.to_string(),
            placeholder: true,
            asset,
        });
        CowStr::from(format!("{LINK_MARK}{n}{LINK_MARK_END}"))
    }
}

/// An author's own `@@briefing-link-N@@` in a destination or title would be taken for a
/// placeholder and replaced by another link's href; `%40` reads the same in a URL.
fn defuse(value: CowStr<'_>) -> CowStr<'_> {
    if value.contains(LINK_MARK) {
        CowStr::from(value.replace('@', "%40"))
    } else {
        value
    }
}

/// The same for a title, shown as text: an invisible word joiner splits the mark.
fn defuse_title(value: CowStr<'_>) -> CowStr<'_> {
    if value.contains(LINK_MARK) {
        CowStr::from(value.replace("@@", "@\u{2060}@"))
    } else {
        value
    }
}

enum Dest {
    /// External, or a relative asset: left as written.
    Other,
    /// `#anchor` on the page itself.
    Anchor(String),
    /// Another page, by path relative to `content/`, with an optional anchor.
    Page(String, Option<String>),
    /// A file of `content/` beside the notes (an image, a PDF).
    Asset(String, Option<String>),
    /// A relative path that climbs out of `content/`.
    Escapes,
}

fn classify(dest: &str, dir: &str) -> Dest {
    if let Some(anchor) = dest.strip_prefix('#') {
        return if anchor.is_empty() {
            Dest::Other
        } else {
            Dest::Anchor(percent_decode(anchor).into_owned())
        };
    }
    if dest.starts_with('/') || dest.starts_with('\\') || has_scheme(dest) {
        return Dest::Other;
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, (!a.is_empty()).then(|| percent_decode(a).into_owned())),
        None => (dest, None),
    };
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    // `my%20note.md` is how editors write a link to `my note.md`.
    let decoded = percent_decode(path);
    let path = decoded.as_ref();
    let is_page = path.ends_with(".md");
    // A file name with an extension; folders and bare words are left alone.
    let is_file = path
        .rsplit('/')
        .next()
        .is_some_and(|name| name.contains('.') && !name.starts_with('.') && !name.ends_with('.'));
    if !is_page && !is_file {
        return Dest::Other;
    }
    match join(dir, path) {
        Some(target) if is_page => Dest::Page(target, anchor),
        Some(target) => Dest::Asset(target, anchor),
        None => Dest::Escapes,
    }
}

/// Decodes `%XX` escapes; the text as written if there are none or they do not decode to
/// UTF-8.
fn percent_decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('%') {
        return s.into();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    match String::from_utf8(out) {
        Ok(decoded) => decoded.into(),
        Err(_) => s.into(),
    }
}

fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(i) => {
            let scheme = &dest[..i];
            !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        }
        None => false,
    }
}

/// Joins a relative path onto a folder of `content/`, resolving `.` and `..`; `None` if the
/// result would leave `content/`.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A heading's id: lowercase words joined by hyphens, punctuation dropped.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            // Most headings are ASCII, whose lowercase is one byte away.
            if c.is_ascii() {
                slug.push(c.to_ascii_lowercase());
            } else {
                slug.extend(c.to_lowercase());
            }
        } else if c.is_whitespace() || c == '-' || c == '_' {
            pending_dash = true;
        }
    }
    if slug.is_empty() {
        slug.push_str("section");
    }
    slug
}

/// `wanted`, or the first of `wanted-1`, `wanted-2`, … not taken. Ids are never removed, so
/// the suffixes below the one remembered for `wanted` are all taken: starting there gives
/// the same ids as counting from 1, in linear time overall.
fn unique_id(
    ids: &mut HashSet<String>,
    next_suffix: &mut HashMap<String, usize>,
    wanted: String,
) -> String {
    if ids.insert(wanted.clone()) {
        return wanted;
    }
    let n = next_suffix.entry(wanted.clone()).or_insert(1);
    loop {
        let candidate = format!("{wanted}-{n}");
        *n += 1;
        if ids.insert(candidate.clone()) {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Canola and peas"), "canola-and-peas");
        assert_eq!(slugify("What's at stake?"), "whats-at-stake");
        assert_eq!(slugify("  EV — surtax  "), "ev-surtax");
        assert_eq!(slugify("!!!"), "section");
        assert_eq!(slugify("EV Surtax, ÉTÉ 2026"), "ev-surtax-été-2026");
    }

    #[test]
    fn headings_get_unique_ids_and_toc() {
        let r = render("## A\n\n## A\n\n### B {#custom}\n", "");
        let ids: Vec<_> = r.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["a", "a-1", "custom"]);
        assert!(r.html.contains("<h2 id=\"a-1\">"));
    }

    #[test]
    fn duplicate_ids_skip_explicit_ones_as_before() {
        let r = render(
            "## x\n\n## x {#x-1}\n\n## x\n\n## x-1\n\n## x\n\n## x {#x}\n",
            "",
        );
        let ids: Vec<_> = r.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["x", "x-1", "x-2", "x-1-1", "x-3", "x-4"]);
    }

    #[test]
    fn links_become_placeholders() {
        let r = render(
            "[x](../notes/a.md#b) [y](https://e.org/a.md) [z](#top)",
            "disputes",
        );
        assert_eq!(r.links.len(), 2);
        let img = render("![map](map.png) [pdf](../files/a.pdf)", "notes");
        assert!(img.links.iter().all(|l| l.asset && l.placeholder));
        assert_eq!(img.links[1].target.as_deref(), Some("files/a.pdf"));
        assert_eq!(r.links[0].target.as_deref(), Some("notes/a.md"));
        assert_eq!(r.links[0].anchor.as_deref(), Some("b"));
        assert!(r.html.contains("href=\"@@briefing-link-0@@\""));
        assert_eq!(r.links[1].target, None);
        assert!(matches!(classify("../../x.md", "a"), Dest::Escapes));
    }

    #[test]
    fn links_in_an_images_alt_text_are_not_checked() {
        let r = render("![see [a](missing.md) ![b](x.png)](map.png) [c](c.md)", "");
        let targets: Vec<_> = r.links.iter().filter_map(|l| l.target.as_deref()).collect();
        assert_eq!(targets, ["map.png", "c.md"]);
        assert_eq!(r.html.matches(LINK_MARK).count(), 2, "{}", r.html);
    }

    #[test]
    fn percent_escapes_in_links_are_decoded() {
        let r = render(
            "[a](my%20note.md#caf%C3%A9) [b](#caf%C3%A9) [c](..%2F..%2Fx.md)",
            "notes",
        );
        assert_eq!(r.links[0].target.as_deref(), Some("notes/my note.md"));
        assert_eq!(r.links[0].anchor.as_deref(), Some("café"));
        assert_eq!(r.links[1].anchor.as_deref(), Some("café"));
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%FF"), "%FF");
    }

    #[test]
    fn an_authors_own_placeholder_is_not_taken_for_one() {
        let r = render(
            "[a](other.md) [b](@@briefing-link-0@@) [c](x.md \"@@briefing-link-0@@\")",
            "",
        );
        assert_eq!(r.links.iter().filter(|l| l.placeholder).count(), 2);
        let raw = render(
            "[a](other.md) <a href=\"@@briefing-link-0@@\">b</a>\n\n<div title=\"@@briefing-link-0@@\"></div>\n",
            "",
        );
        assert_eq!(raw.html.matches(LINK_MARK).count(), 1, "{}", raw.html);
        assert_eq!(r.html.matches(LINK_MARK).count(), 2, "{}", r.html);
        assert!(
            r.html.contains("href=\"%40%40briefing-link-0%40%40\""),
            "{}",
            r.html
        );
    }
}
