//! Content loading: every `content/**/*.md` becomes a `Page` with typed front matter,
//! checked against its kind (note, dispute, itinerary) and the configured themes.

use std::path::{Path, PathBuf};

use chrono::{
    DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone,
};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::config::{Config, is_slug};
use crate::diagnostic::Diagnostic;
use crate::frontmatter::{self, DateText, Format};
use crate::marking::{Level, Markings};
use crate::text::did_you_mean;

/// What a page is; picks its default template and the schema checked at build time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Note,
    Dispute,
    Itinerary,
}

impl Kind {
    /// What `kind` and `page_kind` may be.
    pub const NAMES: [&'static str; 3] = ["note", "dispute", "itinerary"];

    fn parse(s: &str) -> Option<Kind> {
        match s {
            "note" => Some(Kind::Note),
            "dispute" => Some(Kind::Dispute),
            "itinerary" => Some(Kind::Itinerary),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Note => "note",
            Kind::Dispute => "dispute",
            Kind::Itinerary => "itinerary",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    InForce,
    Provisional,
    Suspended,
    Resolved,
}

impl Status {
    const ALL: [(&'static str, Status); 4] = [
        ("in force", Status::InForce),
        ("provisional", Status::Provisional),
        ("suspended", Status::Suspended),
        ("resolved", Status::Resolved),
    ];

    pub fn label(self) -> &'static str {
        match self {
            Status::InForce => "In force",
            Status::Provisional => "Provisional",
            Status::Suspended => "Suspended",
            Status::Resolved => "Resolved",
        }
    }

    /// The CSS class suffix: `status-in-force`.
    pub fn css(self) -> &'static str {
        match self {
            Status::InForce => "in-force",
            Status::Provisional => "provisional",
            Status::Suspended => "suspended",
            Status::Resolved => "resolved",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Source {
    pub title: String,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub date: Option<NaiveDate>,
    /// The language of its title where it differs from the page's (`language = "en"` in a
    /// French page): marked up with that `lang`.
    pub language: Option<String>,
    /// Its marking: its own, or its page's where that is higher (`None` without
    /// `[markings]`).
    pub marking: Option<Level>,
    /// Its portion mark, the marking's name, where it is above the lowest level.
    pub portion: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub date: NaiveDate,
    pub event: String,
    /// As `Source::marking`.
    pub marking: Option<Level>,
    /// As `Source::portion`.
    pub portion: Option<String>,
}

/// A trade dispute: who imposes what on whom, and where it stands.
#[derive(Debug, Clone)]
pub struct Dispute {
    pub imposed_by: String,
    pub affected: String,
    pub status: Status,
    pub stake: String,
    pub ask: String,
    pub measures: Vec<Measure>,
}

/// One measure of a dispute: a row of the index's tracker.
#[derive(Debug, Clone)]
pub struct Measure {
    pub product: String,
    pub measure: String,
    pub rate: String,
    pub effective: NaiveDate,
    /// Its own status where it differs from the dispute's (e.g. one provisional duty
    /// among tariffs in force); otherwise the dispute's.
    pub status: Status,
    /// As `Source::marking`.
    pub marking: Option<Level>,
    /// As `Source::portion`.
    pub portion: Option<String>,
}

/// A day known only in part: a date, a month, a year ("later in 2026"), or not yet at all
/// (`date = "TBC"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartialDate {
    Day(NaiveDate),
    Month(i32, u32),
    Year(i32),
    Unknown,
}

impl PartialDate {
    /// Orders partial dates after the full dates they contain, and unknown ones last.
    pub fn sort_key(self) -> (i32, u32, u32) {
        match self {
            PartialDate::Day(d) => (d.year(), d.month(), d.day()),
            PartialDate::Month(y, m) => (y, m, 32),
            PartialDate::Year(y) => (y, 13, 32),
            PartialDate::Unknown => (i32::MAX, 13, 32),
        }
    }
}

/// A point in time of a stop: a whole day, or a local time with its UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Date(NaiveDate),
    DateTime(DateTime<FixedOffset>),
}

impl Moment {
    pub fn date(self) -> NaiveDate {
        match self {
            Moment::Date(d) => d,
            Moment::DateTime(t) => t.date_naive(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    On(PartialDate),
    Span { start: Moment, end: Option<Moment> },
}

impl When {
    pub fn day(self) -> PartialDate {
        match self {
            When::On(p) => p,
            When::Span { start, .. } => PartialDate::Day(start.date()),
        }
    }

    /// Whether the calendar holds it: only a stop known to the day. One known only to the
    /// month or year would fill a reader's whole month or year.
    pub fn in_calendar(self) -> bool {
        matches!(self.day(), PartialDate::Day(_))
    }

    /// Sort key: the day, then the instant (all-day stops first within a day).
    pub fn sort_key(self) -> ((i32, u32, u32), i64) {
        let time = match self {
            When::Span {
                start: Moment::DateTime(t),
                ..
            } => t.timestamp(),
            _ => i64::MIN,
        };
        (self.day().sort_key(), time)
    }
}

/// One stop of an itinerary.
#[derive(Debug, Clone)]
pub struct Stop {
    pub when: When,
    /// The city, where it is known.
    pub city: Option<String>,
    pub country: String,
    pub title: String,
    pub details: Option<String>,
    pub tentative: bool,
    /// As `Source::marking`.
    pub marking: Option<Level>,
    /// As `Source::portion`.
    pub portion: Option<String>,
}

impl Stop {
    fn new(s: StopFm, when: When) -> Stop {
        Stop {
            when,
            city: s.city,
            country: s.country,
            title: s.title,
            details: s.details,
            tentative: s.tentative,
            marking: None,
            portion: None,
        }
    }

    /// Where it happens: `Beijing, China`, or just `Qatar` when the city is not known.
    pub fn place(&self) -> String {
        match &self.city {
            Some(city) => format!("{city}, {}", self.country),
            None => self.country.clone(),
        }
    }

    /// The city, or the country when the city is not known.
    pub fn locality(&self) -> &str {
        self.city.as_deref().unwrap_or(&self.country)
    }
}

/// The front page's source, relative to `content/`.
pub const FRONT_PAGE: &str = "_index.md";

/// Whether the Markdown file at `rel` (relative to `content/`) is its folder's section
/// page, `_index.md`.
pub fn is_section_file(rel: &str) -> bool {
    rel == FRONT_PAGE || rel.ends_with("/_index.md")
}

/// A page of the site: a note, dispute or itinerary, or a section's `_index.md`.
#[derive(Debug, Clone)]
pub struct Page {
    /// Path relative to `content/`, with `/` separators: `disputes/canola.md`.
    pub rel: String,
    /// Path relative to the site root, for diagnostics: `content/disputes/canola.md`.
    pub file: PathBuf,
    /// The whole decoded file, kept to point diagnostics at lines of it.
    pub text: String,
    pub body_offset: usize,
    pub is_section: bool,
    pub kind: Kind,
    /// For a section: the default kind of its pages.
    pub page_kind: Option<Kind>,
    pub title: String,
    pub summary: Option<String>,
    pub themes: Vec<String>,
    pub as_of: Option<NaiveDate>,
    pub weight: i64,
    pub draft: bool,
    pub template: Option<String>,
    pub aliases: Vec<String>,
    pub sources: Vec<Source>,
    pub timeline: Vec<TimelineEntry>,
    pub dispute: Option<Dispute>,
    pub stops: Vec<Stop>,
    /// The output folder of the page, relative to the output root: `disputes/canola/`.
    pub path: String,
    /// Its own marking, or the site's default (`None` without `[markings]`).
    pub marking: Option<Level>,
    /// The marked sections of its body that are shown, each above the lowest level, by
    /// where its heading starts in the body: their headings carry the portion mark.
    pub sections: Vec<(usize, Level)>,
    /// What a release build left out of the page.
    pub left_out: LeftOut,
    /// Its `[extra]` table, as written: templates read it as `page.extra`.
    pub extra: toml::Table,
}

/// An entry of a page that may carry its own marking.
trait Marked {
    fn marking(&mut self) -> (&mut Option<Level>, &mut Option<String>);
}

macro_rules! marked {
    ($($entry:ty),*) => {
        $(impl Marked for $entry {
            fn marking(&mut self) -> (&mut Option<Level>, &mut Option<String>) {
                (&mut self.marking, &mut self.portion)
            }
        })*
    };
}
marked!(Source, TimelineEntry, Measure, Stop);

/// A page's entries given their levels, once checked: each at least its page's, with a
/// portion mark above the lowest level.
struct Levels<'a> {
    markings: &'a Markings,
    /// The page's own level.
    page: Level,
}

impl Levels<'_> {
    fn of<T: Marked>(&self, entries: &mut [T]) {
        for entry in entries {
            let (level, portion) = entry.marking();
            let at = level.map_or(self.page, |own| own.max(self.page));
            *level = Some(at);
            *portion = (at > self.markings.lowest()).then(|| self.markings.name(at).to_string());
        }
    }
}

/// A page's entries, as written, read against a release build's level before they are
/// checked.
struct Release<'a, 'l> {
    located: &'a Located<'l>,
    /// The page's own level.
    page: Level,
    left_out: &'a mut LeftOut,
}

impl Release<'_, '_> {
    /// Drops the entries a release build leaves out — those whose own marking, or their
    /// page's if higher, is above its level — noting each with the line of its `header`
    /// table, so that what is in them, errors too, goes no further. An entry whose marking
    /// is no level of the site's stays, for its error to be reported.
    fn leave_out<T>(
        &mut self,
        what: &'static str,
        header: &str,
        entries: &mut Vec<T>,
        marking: impl Fn(&T) -> &Option<String>,
    ) {
        let Some(markings) = self.located.markings.filter(|m| m.release.is_some()) else {
            return;
        };
        let mut n = 0;
        let mut lines: Option<Vec<usize>> = None;
        entries.retain(|entry| {
            let at = match marking(entry) {
                Some(written) => match markings.level(written) {
                    Some(own) => own.max(self.page),
                    None => self.page,
                },
                None => self.page,
            };
            let out = markings.left_out(at);
            if out {
                let lines = lines.get_or_insert_with(|| self.located.entry_lines(header));
                self.left_out
                    .entries
                    .push((what, lines.get(n).copied(), at));
            }
            n += 1;
            !out
        });
    }
}

/// What a release build (`--max-marking`) left out of a page it kept.
#[derive(Debug, Clone, Default)]
pub struct LeftOut {
    /// Entries (`measure`, `stop`, `event`, `source`) with their line and level.
    pub entries: Vec<(&'static str, Option<usize>, Level)>,
    /// Sections, by their heading's line, with their level.
    pub sections: Vec<(usize, Level)>,
    /// The heading ids that were in them (a link to one is an error that says so).
    pub anchors: Vec<(String, Level)>,
}

impl Page {
    /// The file the page is written to, relative to the output root:
    /// `disputes/canola/index.html`.
    pub fn output_file(&self) -> crate::url::OutputFile {
        crate::url::OutputFile::of_folder(&self.path)
    }

    /// Whether the page puts stops in `itinerary.ics`.
    pub fn in_calendar(&self) -> bool {
        self.kind == Kind::Itinerary && self.stops.iter().any(|s| s.when.in_calendar())
    }

    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }

    /// The folder of the source file, relative to `content/` (`""` at the top).
    pub fn dir(&self) -> &str {
        crate::paths::parent_folder(&self.rel)
    }

    /// The marking the page shows: the highest of its own and of every entry and section
    /// it shows (`None` without `[markings]`).
    pub fn shown_marking(&self) -> Option<Level> {
        let entries = self
            .sources
            .iter()
            .map(|e| e.marking)
            .chain(self.timeline.iter().map(|e| e.marking))
            .chain(self.stops.iter().map(|e| e.marking))
            .chain(
                self.dispute
                    .iter()
                    .flat_map(|d| d.measures.iter().map(|m| m.marking)),
            )
            .chain(self.sections.iter().map(|&(_, l)| Some(l)));
        entries.fold(self.marking, Option::max)
    }

    /// Whether this is the site's front page, `content/_index.md`.
    pub fn is_front_page(&self) -> bool {
        self.rel == FRONT_PAGE
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Option<String>,
    summary: Option<String>,
    #[serde(default)]
    themes: Vec<String>,
    as_of: Option<DateText>,
    weight: Option<i64>,
    #[serde(default)]
    draft: bool,
    slug: Option<String>,
    template: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    kind: Option<String>,
    page_kind: Option<String>,
    #[serde(default)]
    sources: Vec<SourceFm>,
    #[serde(default)]
    timeline: Vec<TimelineFm>,
    dispute: Option<DisputeFm>,
    #[serde(default)]
    stops: Vec<StopFm>,
    marking: Option<String>,
    /// The page's own data for templates (`page.extra`), any TOML, as written.
    #[serde(default)]
    extra: Option<toml::Table>,
}

use crate::fields::{Field, Schema, Shape};

const ANY: Shape = Shape::Whole {
    min: i64::MIN,
    max: i64::MAX,
};

/// The keys of a page's front matter, read by `fields` before the typed reading: every
/// problem of the file at once, in plain words.
pub static PAGE_SCHEMA: Schema = Schema {
    name: "the front matter",
    entry: "page",
    fields: &[
        Field::new("title", Shape::Text, "\"China's measures on canola\""),
        Field::new(
            "summary",
            Shape::Text,
            "\"Where the dispute stands, in a line.\"",
        ),
        Field::new("themes", Shape::Texts, "[\"trade\"]"),
        Field::new("as_of", Shape::Date, "2026-01-14"),
        Field::new("weight", ANY, "10"),
        Field::new("draft", Shape::Bool, "true"),
        Field::new("slug", Shape::Text, "\"canola\""),
        Field::new("template", Shape::Text, "\"note.html\""),
        Field::new("aliases", Shape::Texts, "[\"old/canola\"]"),
        Field::new("kind", Shape::Text, "\"dispute\""),
        Field::new("page_kind", Shape::Text, "\"dispute\""),
        Field::new("sources", Shape::Tables(&SOURCE_SCHEMA), "[[sources]]"),
        Field::new("timeline", Shape::Tables(&TIMELINE_SCHEMA), "[[timeline]]"),
        Field::new("dispute", Shape::Table(&DISPUTE_SCHEMA), "[dispute]"),
        Field::new("stops", Shape::Tables(&STOP_SCHEMA), "[[stops]]"),
        Field::new("marking", Shape::Text, "\"PROTECTED A\""),
        Field::new("extra", Shape::AnyTable, "[extra]"),
    ],
    renamed: &[
        (
            "date",
            "briefing calls the date a page is accurate as of `as_of`, like as_of = 2026-01-14",
        ),
        (
            "updated",
            "briefing has one date, `as_of`, like as_of = 2026-01-14",
        ),
        (
            "lastmod",
            "briefing has one date, `as_of`, like as_of = 2026-01-14",
        ),
        (
            "description",
            "briefing calls it `summary`, like summary = \"Where the dispute stands, in a line.\"",
        ),
        (
            "tags",
            "briefing groups pages by `themes`, slugs from briefing.toml, like themes = [\"trade\"]",
        ),
        (
            "categories",
            "briefing groups pages by `themes`, slugs from briefing.toml, like themes = [\"trade\"]",
        ),
        (
            "taxonomies",
            "briefing groups pages by `themes`, slugs from briefing.toml, like themes = [\"trade\"]",
        ),
        (
            "layout",
            "briefing calls it `template`, like template = \"note.html\"",
        ),
        ("type", "briefing calls it `kind`, like kind = \"dispute\""),
        (
            "path",
            "briefing takes the last part of the address as `slug`, like slug = \"canola\"",
        ),
        (
            "url",
            "briefing takes the last part of the address as `slug`, like slug = \"canola\"",
        ),
        (
            "params",
            "custom data goes in an [extra] table, which templates read as page.extra",
        ),
    ],
};

static SOURCE_SCHEMA: Schema = Schema {
    name: "[[sources]]",
    entry: "source",
    fields: &[
        Field::new("title", Shape::Text, "\"Canola anti-dumping ruling\"").required(),
        Field::new("publisher", Shape::Text, "\"Reuters\""),
        Field::new("url", Shape::Text, "\"https://example.org/report\""),
        Field::new("date", Shape::Date, "2026-01-14"),
        Field::new("language", Shape::Text, "\"en\""),
        Field::new("marking", Shape::Text, "\"PROTECTED A\""),
    ],
    renamed: &[],
};

static TIMELINE_SCHEMA: Schema = Schema {
    name: "[[timeline]]",
    entry: "event",
    fields: &[
        Field::new("date", Shape::Date, "2026-01-14").required(),
        Field::new("event", Shape::Text, "\"Duties take effect\"").required(),
        Field::new("marking", Shape::Text, "\"PROTECTED A\""),
    ],
    renamed: &[],
};

static DISPUTE_SCHEMA: Schema = Schema {
    name: "[dispute]",
    entry: "[dispute] table",
    fields: &[
        Field::new("imposed_by", Shape::Text, "\"China\"").required(),
        Field::new("affected", Shape::Text, "\"Canada\"").required(),
        Field::new("status", Shape::Text, "\"in force\"").required(),
        Field::new(
            "stake",
            Shape::Text,
            "\"About C$4 billion of exports a year.\"",
        )
        .required(),
        Field::new("ask", Shape::Text, "\"Remove the duties.\"").required(),
        Field::new(
            "measures",
            Shape::Tables(&MEASURE_SCHEMA),
            "[[dispute.measures]]",
        ),
    ],
    renamed: &[],
};

static MEASURE_SCHEMA: Schema = Schema {
    name: "[[dispute.measures]]",
    entry: "measure",
    fields: &[
        Field::new("product", Shape::Text, "\"Canola seed\"").required(),
        Field::new("measure", Shape::Text, "\"Anti-dumping deposit\"").required(),
        Field::new("rate", Shape::Text, "\"75.8%\"").required(),
        Field::new("effective", Shape::Date, "2025-08-14").required(),
        Field::new("status", Shape::Text, "\"provisional\""),
        Field::new("marking", Shape::Text, "\"PROTECTED A\""),
    ],
    renamed: &[],
};

static STOP_SCHEMA: Schema = Schema {
    name: "[[stops]]",
    entry: "stop",
    fields: &[
        Field::new("date", Shape::Date, "2026-01-14"),
        Field::new("start", Shape::Moment, "\"09:30\""),
        Field::new("end", Shape::Moment, "\"11:00\""),
        Field::new("zone", Shape::Text, "\"Asia/Shanghai\""),
        Field::new("city", Shape::Text, "\"Beijing\""),
        Field::new("country", Shape::Text, "\"China\"").required(),
        Field::new("title", Shape::Text, "\"Meeting with the Premier\"").required(),
        Field::new("details", Shape::Text, "\"Great Hall of the People.\""),
        Field::new("tentative", Shape::Bool, "true"),
        Field::new("marking", Shape::Text, "\"PROTECTED A\""),
    ],
    renamed: &[],
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFm {
    title: String,
    publisher: Option<String>,
    url: Option<String>,
    date: Option<DateText>,
    language: Option<String>,
    marking: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TimelineFm {
    date: DateText,
    event: String,
    marking: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DisputeFm {
    imposed_by: String,
    affected: String,
    status: String,
    stake: String,
    ask: String,
    #[serde(default)]
    measures: Vec<MeasureFm>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeasureFm {
    product: String,
    measure: String,
    rate: String,
    effective: DateText,
    status: Option<String>,
    marking: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StopFm {
    date: Option<DateText>,
    start: Option<DateText>,
    end: Option<DateText>,
    /// The IANA zone its local times are in: "Asia/Shanghai".
    zone: Option<String>,
    city: Option<String>,
    country: String,
    title: String,
    details: Option<String>,
    #[serde(default)]
    tentative: bool,
    marking: Option<String>,
}

/// Where a split falls, without borrowing the text (which the NUL replacement rebuilds).
#[derive(Clone, Copy)]
struct SplitAt {
    format: Format,
    front_matter_offset: usize,
    front_matter_len: usize,
    body_offset: usize,
}

impl SplitAt {
    fn of(self, text: &str) -> frontmatter::Split<'_> {
        let fm_end = self.front_matter_offset + self.front_matter_len;
        frontmatter::Split {
            format: self.format,
            front_matter: &text[self.front_matter_offset..fm_end],
            front_matter_offset: self.front_matter_offset,
            body: &text[self.body_offset..],
            body_offset: self.body_offset,
        }
    }
}

/// A Markdown file as a build reads it (`read_page`).
#[derive(Debug)]
pub enum Parsed {
    /// A page (a draft too: whether it is built is the build's to say).
    Page(Box<Page>),
    /// A page marked above a release build's level (`--max-marking`): read no further
    /// than its marking, so that nothing in it, its errors neither, reaches the build, as
    /// nothing would from a copy of the site with the page deleted by hand. `line` is where
    /// its marking is said (its first line when it takes the site's default).
    Above { level: Level, line: usize },
}

/// Reads one file of `content/` for a build. `default_kind` comes from the nearest
/// section's `page_kind`. A page marked above a release build's level is left out once its
/// marking is known (`Parsed::Above`): its other errors are not reported, but an error that
/// keeps its marking from being known (front matter that does not parse, a marking that is
/// no level of the site's) is. Returns every problem found otherwise.
pub fn read_page(
    rel: &str,
    file: &Path,
    text: String,
    config: &Config,
    default_kind: impl FnOnce() -> Kind,
) -> Result<Parsed, Vec<Diagnostic>> {
    let (text, at) = read_text(file, text)?;
    let split = at.of(&text);
    let fm = read_front_matter(file, &text, &split);
    if let Some(markings) = config.markings.as_ref().filter(|m| m.release.is_some()) {
        let written = match &fm {
            Ok(read) => Some(read.fm.marking.clone()),
            // An error elsewhere in the front matter (an unknown key, a wrong type) does
            // not keep the marking from being read.
            Err(_) => frontmatter::parse::<OnlyMarking>(split.format, split.front_matter)
                .ok()
                .map(|m| m.marking),
        };
        let level = match written {
            Some(Some(w)) => markings.level(&w),
            Some(None) => Some(markings.default),
            None => None,
        };
        if let Some(level) = level.filter(|&l| markings.left_out(l)) {
            let line = marking_line(&text, &split);
            return Ok(Parsed::Above { level, line });
        }
    }
    let fm = fm?;
    page_of(rel, file, text, at, fm, false, config, default_kind)
        .map(|page| Parsed::Page(Box::new(page)))
}

/// The page's own `marking`, read alone.
#[derive(Deserialize)]
struct OnlyMarking {
    marking: Option<String>,
}

/// The line where the front matter of `split` gives the page its `marking` (a top-level
/// key: in TOML before the first table, in YAML unindented), or 1 when it gives none.
fn marking_line(text: &str, split: &frontmatter::Split<'_>) -> usize {
    let mut offset = split.front_matter_offset;
    for line in split.front_matter.split_inclusive('\n') {
        let key = match split.format {
            Format::Toml => {
                let t = line.trim_start();
                if t.starts_with('[') {
                    break;
                }
                t
            }
            Format::Yaml => line,
        };
        if let Some(rest) = key.strip_prefix("marking")
            && rest.trim_start().starts_with(['=', ':'])
        {
            return crate::diagnostic::line_of(text, offset);
        }
        offset += line.len();
    }
    1
}

/// Parses one page whatever its own marking (what a release build leaves out of it, its
/// entries and sections, is still left out; a build reads files with `read_page`).
/// `default_kind` comes from the nearest section's `page_kind`. Returns the page, or every
/// problem found in it.
pub fn parse_page(
    rel: &str,
    file: &Path,
    text: String,
    config: &Config,
    default_kind: impl FnOnce() -> Kind,
) -> Result<Page, Vec<Diagnostic>> {
    let (text, at) = read_text(file, text)?;
    let read = read_front_matter(file, &text, &at.of(&text))?;
    page_of(rel, file, text, at, read, false, config, default_kind)
}

/// Parses `file`, the translation of the page `rel` (whose file, already loaded, is
/// `original`): its front matter completed from the original's and checked against it
/// (see `translation`), then read as any page's. Returns the page and its warnings.
pub fn parse_translation(
    rel: &str,
    file: &Path,
    text: String,
    original: (&Path, &str),
    config: &Config,
    default_kind: impl FnOnce() -> Kind,
) -> Result<(Page, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (text, at) = read_text(file, text)?;
    let split = at.of(&text);
    let given = read_fields(file, &text, &split, true)?;
    let (from_file, from_text) = original;
    let from =
        frontmatter::split(from_text).map_err(|e| vec![Diagnostic::error(from_file, e.message)])?;
    let table: toml::Table = frontmatter::parse(from.format, from.front_matter)
        .map_err(|e| vec![Diagnostic::error(from_file, e.message)])?;
    fn side<'a>(
        file: &'a Path,
        text: &'a str,
        s: &frontmatter::Split<'a>,
    ) -> crate::translation::Side<'a> {
        crate::translation::Side {
            file,
            text,
            fm: s.front_matter,
            fm_offset: s.front_matter_offset,
            format: s.format,
        }
    }
    let FieldsRead {
        table: given,
        problems,
        bad,
    } = given;
    let (merged, warnings) = match crate::translation::complete(
        &table,
        given,
        side(file, &text, &split),
        side(from_file, from_text, &from),
    ) {
        Ok(done) => done,
        Err(mut diags) => {
            diags.extend(problems);
            return Err(diags);
        }
    };
    let fm = typed(file, &text, &split, merged)?;
    let read = Read { fm, problems, bad };
    let page = page_of(rel, file, text, at, read, true, config, default_kind)?;
    Ok((page, warnings))
}

/// The page `rel` read from `split` of its file, whose front matter is `fm`.
#[allow(clippy::too_many_arguments)]
fn page_of(
    rel: &str,
    file: &Path,
    text: String,
    at: SplitAt,
    read: Read,
    translation: bool,
    config: &Config,
    default_kind: impl FnOnce() -> Kind,
) -> Result<Page, Vec<Diagnostic>> {
    let split = at.of(&text);
    let is_section = is_section_file(rel);
    let mut located = Located::new(file, &text, &split);
    located.markings = config.markings.as_ref();
    located.translation = translation;
    located.bad = read.bad;
    let checked = located.check(read.fm, read.problems, is_section, config, default_kind)?;
    let path = match (&checked.slug, is_section) {
        // A translation's section gives its folder's name in its language.
        (Some(slug), true) => {
            let parent = crate::paths::parent_folder(crate::paths::parent_folder(rel));
            if parent.is_empty() {
                format!("{slug}/")
            } else {
                format!("{parent}/{slug}/")
            }
        }
        _ => output_path(rel, checked.slug.as_deref(), is_section),
    };
    let body_offset = split.body_offset;
    let mut page = Page {
        rel: rel.to_string(),
        file: file.to_path_buf(),
        text,
        body_offset,
        is_section,
        kind: checked.kind,
        page_kind: checked.page_kind,
        title: checked.title,
        summary: checked.summary,
        themes: checked.themes,
        as_of: checked.as_of,
        weight: checked.weight,
        draft: checked.draft,
        template: checked.template,
        aliases: checked.aliases,
        sources: checked.sources,
        timeline: checked.timeline,
        dispute: checked.dispute,
        stops: checked.stops,
        path,
        marking: checked.marking,
        sections: Vec::new(),
        left_out: checked.left_out,
        extra: checked.extra,
    };
    mark_sections(&mut page, config.markings.as_ref())?;
    Ok(page)
}

/// What `[markings]` is needed for.
fn no_markings_table() -> String {
    "a `marking` needs the site's markings: add a [markings] table to briefing.toml \
     (it alone gives the Government of Canada's levels, UNCLASSIFIED to TOP SECRET)"
        .to_string()
}

/// Reads the marked sections of the page's body: each marking's attribute is blanked out
/// of the text (the heading keeps its text and id), a section above a release build's
/// level is blanked whole (its lines stay, empty, so every line and offset after it is as
/// in the file), and the others above the lowest level are kept for their portion marks.
/// A section is at least at its page's level and at that of any section it is in.
fn mark_sections(page: &mut Page, markings: Option<&Markings>) -> Result<(), Vec<Diagnostic>> {
    let marked = crate::marking::marked_headings(page.body());
    if marked.is_empty() {
        return Ok(());
    }
    let at = page.body_offset;
    let Some(markings) = markings else {
        return Err(marked
            .iter()
            .map(|m| {
                Diagnostic::error(&page.file, no_markings_table())
                    .at_offset(&page.text, at + m.attribute.start)
            })
            .collect());
    };
    // Sections nest or follow one another, in order: the sections still open at a heading
    // are a stack, each at least as high as the one it is in.
    let mut levels: Vec<Level> = Vec::with_capacity(marked.len());
    let mut open: Vec<(usize, Level)> = Vec::new();
    let mut diags = Vec::new();
    let page_level = page.marking.unwrap_or_default();
    for m in &marked {
        while open.last().is_some_and(|&(end, _)| end <= m.heading) {
            open.pop();
        }
        let within = open.last().map_or(page_level, |&(_, l)| l);
        // Inside a section a release leaves out, a heading goes with it whatever its own
        // marking says: as in a copy with that section deleted by hand, a wrong one is no
        // error.
        let own = markings.level(&m.written).unwrap_or_else(|| {
            if !markings.left_out(within) {
                diags.push(
                    Diagnostic::error(&page.file, crate::marking::unknown(&m.written, markings))
                        .at_offset(&page.text, at + m.attribute.start),
                );
            }
            within
        });
        let level = own.max(within);
        open.push((m.section.end, level));
        levels.push(level);
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    // The sections a release leaves out, outermost only (those in them go with them).
    let mut cut: Vec<(&crate::marking::MarkedHeading, Level)> = Vec::new();
    for (m, &level) in marked.iter().zip(&levels) {
        let inside_last = cut
            .last()
            .is_some_and(|(c, _)| c.section.contains(&m.heading));
        if markings.left_out(level) && !inside_last {
            cut.push((m, level));
        }
    }
    if !cut.is_empty() {
        // The ids its headings had, as the whole body gives them (both lists in order).
        let outline = crate::markdown::outline(page.body(), page.dir());
        let starts = crate::marking::headings(page.body());
        let mut next = cut.iter().peekable();
        for ((start, _), heading) in starts.iter().zip(&outline.toc) {
            while next.peek().is_some_and(|(c, _)| c.section.end <= *start) {
                next.next();
            }
            if let Some((c, level)) = next.peek()
                && c.section.contains(start)
            {
                page.left_out.anchors.push((heading.id.clone(), *level));
            }
        }
    }
    // Lines counted as the walk goes, not from the start for each section.
    let (mut counted_to, mut line) = (0, 1);
    for (m, level) in marked.iter().zip(levels) {
        if markings.left_out(level) {
            continue;
        }
        crate::marking::blank(&mut page.text, at + m.attribute.start..at + m.attribute.end);
        if level > markings.lowest() {
            page.sections.push((m.heading, level));
        }
    }
    for (m, level) in cut {
        let heading = at + m.heading;
        line += memchr::memchr_iter(b'\n', &page.text.as_bytes()[counted_to..heading]).count();
        counted_to = heading;
        page.left_out.sections.push((line, level));
        crate::marking::blank(&mut page.text, at + m.section.start..at + m.section.end);
    }
    Ok(())
}

/// The front matter's fields read against `PAGE_SCHEMA`: what is well formed, every
/// problem (as diagnostics), and the keys that had one.
struct FieldsRead {
    table: toml::Table,
    problems: Vec<Diagnostic>,
    bad: Vec<String>,
}

/// A page's front matter: its typed fields, with the problems of the rest.
struct Read {
    fm: FrontMatter,
    problems: Vec<Diagnostic>,
    bad: Vec<String>,
}

/// Reads the front matter's fields, each of its problems at its place; a syntax error,
/// which stops the parser, is the one error.
fn read_fields(
    file: &Path,
    text: &str,
    split: &frontmatter::Split<'_>,
    translation: bool,
) -> Result<FieldsRead, Vec<Diagnostic>> {
    let node = frontmatter::parse_fields(split.format, split.front_matter).map_err(|e| {
        vec![
            Diagnostic::error(file, e.message)
                .at_offset(text, split.front_matter_offset + e.offset),
        ]
    })?;
    let toml = split.format == Format::Toml;
    let read = if translation {
        crate::fields::read_partial(node, &PAGE_SCHEMA, toml)
    } else {
        crate::fields::read(node, &PAGE_SCHEMA, toml)
    };
    // Only those `cap_per_file` keeps are located: each costs time in proportion to the
    // file.
    let problems = read
        .problems
        .into_iter()
        .enumerate()
        .map(|(n, p)| {
            let d = Diagnostic::error(file, p.message);
            match p.at {
                _ if n >= crate::diagnostic::MAX_PER_FILE => d,
                Some(at) => d.at_offset(text, split.front_matter_offset + at),
                None => d.at_line(text, 1),
            }
        })
        .collect();
    Ok(FieldsRead {
        table: read.table,
        problems,
        bad: read.bad,
    })
}

/// The typed front matter of a table whose fields `read_fields` (and, for a translation,
/// `translation::complete`) have read: it has every key the types ask for.
fn typed(
    file: &Path,
    text: &str,
    split: &frontmatter::Split<'_>,
    table: toml::Table,
) -> Result<FrontMatter, Vec<Diagnostic>> {
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| {
            let message = crate::text::toml_message(&e);
            let d = Diagnostic::error(file, format!("invalid front matter: {message}"));
            let key = message
                .split('`')
                .nth(1)
                .and_then(|k| frontmatter::locate_key(split.front_matter, k));
            vec![match key {
                Some(o) => d.at_offset(text, split.front_matter_offset + o),
                None => d.at_offset(text, split.front_matter_offset),
            }]
        })
}

/// The front matter as typed fields, with the problems of its fields; a syntax error is
/// the one error.
fn read_front_matter(
    file: &Path,
    text: &str,
    split: &frontmatter::Split<'_>,
) -> Result<Read, Vec<Diagnostic>> {
    let FieldsRead {
        table,
        problems,
        bad,
    } = read_fields(file, text, split, false)?;
    let fm = match typed(file, text, split, table) {
        Ok(fm) => fm,
        Err(mut diags) => {
            diags.extend(problems);
            return Err(diags);
        }
    };
    Ok(Read { fm, problems, bad })
}

/// A page's front matter once checked: what its `Page` takes from it.
struct Checked {
    kind: Kind,
    page_kind: Option<Kind>,
    title: String,
    /// `None` for a blank one too.
    summary: Option<String>,
    themes: Vec<String>,
    as_of: Option<NaiveDate>,
    weight: i64,
    draft: bool,
    slug: Option<String>,
    template: Option<String>,
    aliases: Vec<String>,
    sources: Vec<Source>,
    timeline: Vec<TimelineEntry>,
    dispute: Option<Dispute>,
    stops: Vec<Stop>,
    /// The page's own marking, else the site's default (`None` without `[markings]`).
    marking: Option<Level>,
    left_out: LeftOut,
    extra: toml::Table,
}

/// The file's text and where its front matter falls; a NUL in the front matter is refused.
fn read_text(file: &Path, text: String) -> Result<(String, SplitAt), Vec<Diagnostic>> {
    let split = frontmatter::split(&text)
        .map_err(|e| vec![Diagnostic::error(file, e.message).at_offset(&text, e.offset)])?;
    // A NUL in front matter is a damaged file, not text anyone meant: say where it is
    // rather than let it into a title (TOML and YAML refuse it anyway, less clearly).
    if let Some(at) = memchr::memchr(0, split.front_matter.as_bytes()) {
        return Err(vec![
            Diagnostic::error(
                file,
                "the front matter contains a NUL byte (U+0000): remove it; front matter must be \
                 plain text",
            )
            .at_offset(&text, split.front_matter_offset + at),
        ]);
    }
    // CommonMark replaces U+0000 in the body with U+FFFD; doing it here, for the whole
    // body, covers code, raw HTML and link destinations alike, and keeps lines and columns
    // (one character for one).
    let at = SplitAt {
        format: split.format,
        front_matter_offset: split.front_matter_offset,
        front_matter_len: split.front_matter.len(),
        body_offset: split.body_offset,
    };
    let text = if memchr::memchr(0, split.body.as_bytes()).is_some() {
        let mut replaced = String::with_capacity(text.len() + 16);
        replaced.push_str(&text[..at.body_offset]);
        replaced.push_str(&text[at.body_offset..].replace('\0', "\u{fffd}"));
        replaced
    } else {
        text
    };
    Ok((text, at))
}

/// The checks of one page's front matter, each reporting into `diags`.
impl Located<'_> {
    /// Checks every field of `fm`; returns their values, or every problem found.
    fn check(
        &self,
        fm: FrontMatter,
        problems: Vec<Diagnostic>,
        is_section: bool,
        config: &Config,
        default_kind: impl FnOnce() -> Kind,
    ) -> Result<Checked, Vec<Diagnostic>> {
        let mut diags = problems;
        // Before `title` moves out of `fm`; the diagnostics are sorted by line in the end.
        let kind = self.kind(&fm, is_section, default_kind, &mut diags);
        let title = self.title(fm.title, &mut diags);
        self.check_themes(&fm.themes, fm.summary.as_deref(), config, &mut diags);
        let as_of = fm
            .as_of
            .as_ref()
            .and_then(|d| self.full_date(d, "as_of", &mut diags));
        let page_kind = self.page_kind(fm.page_kind.as_deref(), is_section, &mut diags);
        let slug = self.slug(fm.slug.as_ref(), is_section, &mut diags);
        self.check_template_and_aliases(fm.template.as_deref(), &fm.aliases, &mut diags);
        let own = self.marking_of(fm.marking.as_deref(), &mut diags);
        let marking = self.markings.map(|m| own.unwrap_or(m.default));
        // What a release build leaves out goes before it is checked: a copy of the page
        // with those entries deleted by hand would not report their errors either.
        let mut left_out = LeftOut::default();
        let (mut sources, mut timeline, mut stops, mut dispute_fm) =
            (fm.sources, fm.timeline, fm.stops, fm.dispute);
        // A page whose own marking is unknown is not released: its entries stay, checked.
        if let Some(page) = marking.filter(|_| own.is_some() || fm.marking.is_none()) {
            let mut release = Release {
                located: self,
                page,
                left_out: &mut left_out,
            };
            release.leave_out("source", "[[sources]]", &mut sources, |s| &s.marking);
            release.leave_out("event", "[[timeline]]", &mut timeline, |t| &t.marking);
            release.leave_out("stop", "[[stops]]", &mut stops, |s| &s.marking);
            if let Some(d) = dispute_fm.as_mut() {
                release.leave_out("measure", "[[dispute.measures]]", &mut d.measures, |m| {
                    &m.marking
                });
            }
        }
        let sources = self.sources(sources, &mut diags);
        let timeline = self.timeline(timeline, &mut diags);
        let dispute = self.dispute_of(kind, dispute_fm, &mut diags);
        let stops = self.stops_of(kind, stops, &mut diags);
        if !diags.is_empty() {
            return Err(crate::diagnostic::cap_per_file(diags));
        }
        let (mut sources, mut timeline, mut dispute, mut stops) =
            (sources, timeline, dispute, stops);
        if let (Some(markings), Some(page)) = (self.markings, marking) {
            let levels = Levels { markings, page };
            levels.of(&mut sources);
            levels.of(&mut timeline);
            levels.of(&mut stops);
            if let Some(d) = dispute.as_mut() {
                levels.of(&mut d.measures);
            }
        }
        Ok(Checked {
            kind,
            page_kind,
            title,
            summary: fm.summary.filter(|s| !s.trim().is_empty()),
            themes: fm.themes,
            as_of,
            weight: fm.weight.unwrap_or(0),
            draft: fm.draft,
            slug,
            template: fm.template,
            aliases: fm.aliases,
            sources,
            timeline,
            dispute,
            stops,
            marking,
            left_out,
            extra: fm.extra.unwrap_or_default(),
        })
    }

    /// The line of each entry of the list `header` names (`[[stops]]`, as TOML writes
    /// its tables) in the front matter, in order, found in one pass however many there are:
    /// each `[[stops]]` line in TOML, each item's `-` line under `stops:` in YAML.
    fn entry_lines(&self, header: &str) -> Vec<usize> {
        let first = crate::diagnostic::line_of(self.text, self.fm_offset);
        let lines = self.fm.split_inclusive('\n').enumerate();
        match self.format {
            Format::Toml => lines
                .filter(|(_, line)| line.trim() == header)
                .map(|(n, _)| first + n)
                .collect(),
            Format::Yaml => {
                let path = header.trim_start_matches('[').trim_end_matches(']');
                yaml_items(lines.map(|(n, line)| (first + n, line)), path)
            }
        }
    }

    fn title(&self, title: Option<String>, diags: &mut Vec<Diagnostic>) -> String {
        match title {
            Some(t) if !t.trim().is_empty() => t,
            None if self.is_bad("title") => String::new(),
            Some(_) => {
                diags.push(self.at_key(
                    "title",
                    "`title` is blank: every page needs a title, e.g. title = \"Canola\"",
                ));
                String::new()
            }
            None => {
                diags.push(self.at_key(
                    "title",
                    "missing `title`: every page needs a title, e.g. title = \"Canola\"",
                ));
                String::new()
            }
        }
    }

    fn check_themes(
        &self,
        themes: &[String],
        summary: Option<&str>,
        config: &Config,
        diags: &mut Vec<Diagnostic>,
    ) {
        let mut listed = std::collections::HashMap::new();
        for slug in themes {
            let seen = listed.entry(slug.as_str()).or_insert(0usize);
            *seen += 1;
            if *seen > 1 {
                diags.push(self.at_repeat(
                    slug,
                    "themes",
                    *seen - 1,
                    format!("theme {slug:?} is listed twice in `themes`"),
                ));
                continue;
            }
            if config.theme(slug).is_none() {
                let known: Vec<&str> = config.themes.iter().map(|t| t.slug.as_str()).collect();
                diags.push(self.at_value(
                    slug,
                    "themes",
                    format!(
                        "unknown theme {slug:?}: expected one of the themes in briefing.toml ({}){}",
                        if known.is_empty() {
                            "none are configured".to_string()
                        } else {
                            known.join(", ")
                        },
                        did_you_mean(slug, known.iter().copied())
                    ),
                ));
            }
        }
        match summary {
            _ if themes.is_empty() || self.is_bad("summary") => {}
            None => diags.push(self.at_key(
                "themes",
                "missing `summary`: a page listed under a theme needs a one-line summary for the index",
            )),
            Some(s) if s.trim().is_empty() => diags.push(self.at_key(
                "summary",
                "`summary` is blank: a page listed under a theme needs a one-line summary for the index",
            )),
            Some(_) => {}
        }
    }

    fn kind(
        &self,
        fm: &FrontMatter,
        is_section: bool,
        default_kind: impl FnOnce() -> Kind,
        diags: &mut Vec<Diagnostic>,
    ) -> Kind {
        match fm.kind.as_deref() {
            Some(k) => self.known_kind("kind", k, diags).unwrap_or_else(|| {
                // Check the rest as the kind the page looks like, so a typo gives one error,
                // not a second one about a [dispute] table or [[stops]] on a note.
                if fm.dispute.is_some() {
                    Kind::Dispute
                } else if !fm.stops.is_empty() {
                    Kind::Itinerary
                } else {
                    Kind::Note
                }
            }),
            // A `kind` that is not text (reported already) is guessed as an unknown one.
            None if self.is_bad("kind") => {
                if fm.dispute.is_some() || self.is_bad("dispute") {
                    Kind::Dispute
                } else if !fm.stops.is_empty() {
                    Kind::Itinerary
                } else {
                    Kind::Note
                }
            }
            None if is_section => Kind::Note,
            None => default_kind(),
        }
    }

    /// The kind `k` given as `key` (`kind`, `page_kind`), or an error saying the kinds.
    fn known_kind(&self, key: &str, k: &str, diags: &mut Vec<Diagnostic>) -> Option<Kind> {
        let kind = Kind::parse(k);
        if kind.is_none() {
            diags.push(self.at_key(
                key,
                format!(
                    "unknown {key} {k:?}: expected one of {}{}",
                    Kind::NAMES.join(", "),
                    did_you_mean(k, Kind::NAMES)
                ),
            ));
        }
        kind
    }

    fn page_kind(
        &self,
        page_kind: Option<&str>,
        is_section: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Kind> {
        match (page_kind, is_section) {
            (None, _) => None,
            (Some(k), true) => self.known_kind("page_kind", k, diags),
            (Some(_), false) => {
                diags.push(self.at_key(
                    "page_kind",
                    "`page_kind` is only allowed in a section's _index.md",
                ));
                None
            }
        }
    }

    fn slug(
        &self,
        slug: Option<&String>,
        is_section: bool,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<String> {
        match slug {
            // A section's address is its folder's: a slug there would silently do nothing
            // (a translation's section names its language's folder: `differends`).
            Some(_) if is_section && !self.translation => {
                diags.push(self.at_key(
                    "slug",
                    "`slug` has no effect in a section's _index.md, whose address is its folder's: \
                     rename the folder instead, and list the old address in `aliases`",
                ));
                None
            }
            Some(s) if !is_slug(s) => {
                diags.push(self.at_key(
                    "slug",
                    format!(
                        "slug {s:?} must be lowercase letters, digits, hyphens and underscores"
                    ),
                ));
                None
            }
            s => s.cloned(),
        }
    }

    fn check_template_and_aliases(
        &self,
        template: Option<&str>,
        aliases: &[String],
        diags: &mut Vec<Diagnostic>,
    ) {
        if let Some(t) = template
            && !is_template_name(t)
        {
            diags.push(self.at_key(
                "template",
                format!("template {t:?} must be a file name in templates/, such as \"note.html\""),
            ));
        }

        for alias in aliases {
            if crate::url::alias_folder(alias).is_none() {
                diags.push(self.at_value(
                    alias,
                    "aliases",
                    format!(
                        "alias {alias:?} must be a relative path inside the site, like \"old/canola\""
                    ),
                ));
            }
        }
    }

    fn sources(&self, sources: Vec<SourceFm>, diags: &mut Vec<Diagnostic>) -> Vec<Source> {
        sources
            .into_iter()
            .map(|s| {
                if let Some(url) = &s.url
                    && !is_web_url(url)
                {
                    diags.push(self.at_value(
                        url,
                        "url",
                        format!(
                            "source url {url:?} must start with http:// or https:// and name a host"
                        ),
                    ));
                }
                Source {
                    date: s
                        .date
                        .as_ref()
                        .and_then(|d| self.full_date(d, "date", diags)),
                    marking: self.marking_of(s.marking.as_deref(), diags),
                    portion: None,
                    title: s.title,
                    publisher: s.publisher,
                    url: s.url,
                    language: s.language,
                }
            })
            .collect()
    }

    /// The dated events of the timeline; an entry without a full date is dropped.
    fn timeline(
        &self,
        timeline: Vec<TimelineFm>,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<TimelineEntry> {
        timeline
            .into_iter()
            .filter_map(|t| {
                let marking = self.marking_of(t.marking.as_deref(), diags);
                let date = self.full_date(&t.date, "date", diags)?;
                Some(TimelineEntry {
                    date,
                    event: t.event,
                    marking,
                    portion: None,
                })
            })
            .collect()
    }

    fn dispute_of(
        &self,
        kind: Kind,
        dispute: Option<DisputeFm>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Dispute> {
        match (kind, dispute) {
            (Kind::Dispute, Some(d)) => self.dispute(d, diags),
            // Its table has problems, reported already.
            (Kind::Dispute, None) if self.is_bad("dispute") => None,
            (Kind::Dispute, None) => {
                diags.push(Diagnostic::error(
                    self.file,
                    "a dispute page needs a [dispute] table with imposed_by, affected, status, stake, \
                     ask and [[dispute.measures]]",
                ).at_line(self.text, 1));
                None
            }
            (_, Some(_)) => {
                diags.push(self.at_key(
                    "[dispute]",
                    format!(
                        "a [dispute] table on a page of kind {:?}: add kind = \"dispute\" or remove the table",
                        kind.as_str()
                    ),
                ));
                None
            }
            (_, None) => None,
        }
    }

    fn stops_of(&self, kind: Kind, stops: Vec<StopFm>, diags: &mut Vec<Diagnostic>) -> Vec<Stop> {
        match kind {
            Kind::Itinerary => stops
                .into_iter()
                .filter_map(|s| self.stop(s, diags))
                .collect(),
            _ if !stops.is_empty() => {
                diags.push(self.at_key(
                    "[[stops]]",
                    "[[stops]] on a page that is not an itinerary: add kind = \"itinerary\"",
                ));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}

/// The line of each item of the block list at `path` (`stops`, `dispute.measures`) of YAML
/// front matter given as numbered lines: the items' `-` lines under the last key, each key
/// found among the keys of the one before (block style, as `briefing new` writes; none for
/// a list written in flow style, `[…]`).
fn yaml_items<'t>(lines: impl Iterator<Item = (usize, &'t str)>, path: &str) -> Vec<usize> {
    let mut keys = path.split('.').peekable();
    // The indentation of the key whose block is being read, and of that block's own keys.
    let (mut parent, mut own): (Option<usize>, Option<usize>) = (None, None);
    let mut items = Vec::new();
    let mut item_indent = None;
    for (n, line) in lines {
        let text = line.trim_end();
        let body = text.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = text.len() - body.len();
        let Some(key) = keys.peek() else {
            // In the list's block: its items, until a line out of it.
            let within =
                parent.is_some_and(|p| indent > p || (indent == p && body.starts_with('-')));
            if !within {
                break;
            }
            if body == "-" || body.starts_with("- ") {
                let at = *item_indent.get_or_insert(indent);
                if indent == at {
                    items.push(n);
                }
            }
            continue;
        };
        if parent.is_some_and(|p| indent <= p) {
            // Out of the block of the key before without finding this one.
            break;
        }
        let level = *own.get_or_insert(indent);
        if indent != level {
            continue;
        }
        if let Some(rest) = body.strip_prefix(*key)
            && rest.trim_start().starts_with(':')
        {
            keys.next();
            parent = Some(indent);
            own = None;
        }
    }
    items
}

/// The output folder of a page: `disputes/canola.md` → `disputes/canola/`,
/// `disputes/_index.md` → `disputes/`, `_index.md` → ``.
fn output_path(rel: &str, slug: Option<&str>, is_section: bool) -> String {
    let (dir, file) = rel.rsplit_once('/').unwrap_or(("", rel));
    let mut out = String::new();
    if !dir.is_empty() {
        out.push_str(dir);
        out.push('/');
    }
    if !is_section {
        out.push_str(slug.unwrap_or_else(|| file.strip_suffix(".md").unwrap_or(file)));
        out.push('/');
    }
    out
}

fn is_template_name(t: &str) -> bool {
    !t.is_empty()
        && !t.starts_with('/')
        && !t.contains('\\')
        && !t.contains('\0')
        && t.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
        && !t.contains(':')
}

/// Front matter with its place in the file, to point validation errors at lines.
struct Located<'a> {
    file: &'a Path,
    text: &'a str,
    /// The site's markings, to read `marking` fields with.
    markings: Option<&'a Markings>,
    fm: &'a str,
    fm_offset: usize,
    format: Format,
    /// Whether this is a translation's front matter (whose section may give a slug).
    translation: bool,
    /// The keys whose value `fields` found wrong: their later checks would repeat it.
    bad: Vec<String>,
    /// How many diagnostics were located: past `MAX_PER_FILE`, `cap_per_file` drops them
    /// unseen, so they are not looked for in the text (which would cost time in
    /// proportion to it, each).
    located: std::cell::Cell<usize>,
}

impl<'a> Located<'a> {
    /// The front matter of `split`, a split of `text`, for pointing at its keys and values.
    fn new(file: &'a Path, text: &'a str, split: &frontmatter::Split<'a>) -> Located<'a> {
        Located {
            file,
            text,
            markings: None,
            fm: split.front_matter,
            fm_offset: split.front_matter_offset,
            format: split.format,
            translation: false,
            bad: Vec::new(),
            located: std::cell::Cell::new(0),
        }
    }

    fn is_bad(&self, key: &str) -> bool {
        self.bad.iter().any(|k| k == key)
    }

    fn worth_locating(&self) -> bool {
        let n = self.located.get();
        self.located.set(n + 1);
        n < crate::diagnostic::MAX_PER_FILE
    }

    fn at_key(&self, key: &str, msg: impl Into<String>) -> Diagnostic {
        if !self.worth_locating() {
            return Diagnostic::error(self.file, msg);
        }
        self.key_diagnostic(key, msg)
    }

    fn key_diagnostic(&self, key: &str, msg: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::error(self.file, msg);
        let found = if let Some(table) = key.strip_prefix('[') {
            let table = table.trim_start_matches('[').trim_end_matches(']');
            match self.format {
                Format::Toml => self.fm.find(key),
                Format::Yaml => frontmatter::locate_key(self.fm, table),
            }
        } else {
            frontmatter::locate_key(self.fm, key)
        };
        match found {
            Some(off) => d.at_offset(self.text, self.fm_offset + off),
            None => d.at_line(self.text, 1),
        }
    }

    /// Points at `value`, looked for from the line that sets `key` (so that the same text
    /// elsewhere, say in the title, is not taken for it), else anywhere.
    fn at_value(&self, value: &str, key: &str, msg: impl Into<String>) -> Diagnostic {
        if !self.worth_locating() {
            return Diagnostic::error(self.file, msg);
        }
        let from_key = frontmatter::locate_key(self.fm, key)
            .and_then(|k| frontmatter::locate_value(&self.fm[k..], value).map(|v| k + v));
        match from_key.or_else(|| frontmatter::locate_value(self.fm, value)) {
            Some(off) => {
                Diagnostic::error(self.file, msg).at_offset(self.text, self.fm_offset + off)
            }
            None => self.key_diagnostic(key, msg),
        }
    }

    /// Points at the `n`-th repeat (from 1) of `value` after the line that sets `key`.
    fn at_repeat(&self, value: &str, key: &str, n: usize, msg: impl Into<String>) -> Diagnostic {
        let Some(k) = frontmatter::locate_key(self.fm, key) else {
            return self.at_value(value, key, msg);
        };
        let mut from = k;
        for _ in 0..=n {
            match frontmatter::locate_value(&self.fm[from..], value) {
                Some(v) => from += v + 1,
                None => return self.at_value(value, key, msg),
            }
        }
        Diagnostic::error(self.file, msg).at_offset(self.text, self.fm_offset + from - 1)
    }

    /// A `marking` field's level; a level the site does not have, or any marking on a site
    /// without `[markings]`, is an error at it.
    fn marking_of(&self, written: Option<&str>, diags: &mut Vec<Diagnostic>) -> Option<Level> {
        let written = written?;
        let Some(markings) = self.markings else {
            diags.push(self.at_value(written, "marking", no_markings_table()));
            return None;
        };
        let level = markings.level(written);
        if level.is_none() {
            diags.push(self.at_value(
                written,
                "marking",
                crate::marking::unknown(written, markings),
            ));
        }
        level
    }

    fn full_date(&self, d: &DateText, key: &str, diags: &mut Vec<Diagnostic>) -> Option<NaiveDate> {
        match parse_date(&d.0) {
            Some(date) => Some(date),
            None => {
                diags.push(self.at_value(
                    &d.0,
                    key,
                    if year_out_of_range(&d.0) {
                        format!("`{key}` = {:?} is not a valid date: {YEAR_RANGE}", d.0)
                    } else if looks_like_a_day(&d.0) {
                        format!(
                            "`{key}` = {:?} is not a valid date: there is no such day",
                            d.0
                        )
                    } else {
                        format!(
                            "`{key}` = {:?} is not a valid date: expected YYYY-MM-DD, e.g. 2026-01-14",
                            d.0
                        )
                    },
                ));
                None
            }
        }
    }

    fn status(&self, status: &str, diags: &mut Vec<Diagnostic>) -> Option<Status> {
        let found = Status::ALL
            .iter()
            .find(|(name, _)| *name == status)
            .map(|(_, s)| *s);
        if found.is_none() {
            diags.push(self.at_value(
                status,
                "status",
                format!(
                    "unknown dispute status {status:?}: expected one of {}{}",
                    Status::ALL
                        .iter()
                        .map(|(name, _)| format!("{name:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    did_you_mean(status, Status::ALL.iter().map(|(name, _)| *name))
                ),
            ));
        }
        found
    }

    fn dispute(&self, d: DisputeFm, diags: &mut Vec<Diagnostic>) -> Option<Dispute> {
        let status = self.status(&d.status, diags);
        // Required, and shown on the tracker: an empty one is a blank cell.
        for (key, value) in [
            ("imposed_by", &d.imposed_by),
            ("affected", &d.affected),
            ("stake", &d.stake),
            ("ask", &d.ask),
        ] {
            if value.trim().is_empty() {
                diags.push(self.at_key(
                    key,
                    format!("`{key}` in [dispute] is empty: say who or what, in a few words"),
                ));
            }
        }
        let mut measures = Vec::with_capacity(d.measures.len());
        for m in d.measures {
            let marking = self.marking_of(m.marking.as_deref(), diags);
            // A bad measure is reported and skipped; the others are still checked.
            let own = match &m.status {
                Some(s) => match self.status(s, diags) {
                    Some(st) => Some(st),
                    None => continue,
                },
                None => None,
            };
            if let (Some(effective), Some(status)) = (
                self.full_date(&m.effective, "effective", diags),
                own.or(status),
            ) {
                measures.push(Measure {
                    product: m.product,
                    measure: m.measure,
                    rate: m.rate,
                    effective,
                    status,
                    marking,
                    portion: None,
                });
            }
        }
        Some(Dispute {
            imposed_by: d.imposed_by,
            affected: d.affected,
            status: status?,
            stake: d.stake,
            ask: d.ask,
            measures,
        })
    }

    fn stop(&self, mut s: StopFm, diags: &mut Vec<Diagnostic>) -> Option<Stop> {
        let marking = self.marking_of(s.marking.take().as_deref(), diags);
        let mut stop = self.stop_at(s, diags)?;
        stop.marking = marking;
        Some(stop)
    }

    fn stop_at(&self, s: StopFm, diags: &mut Vec<Diagnostic>) -> Option<Stop> {
        let zone = match &s.zone {
            Some(z) => Some(self.zone(z, diags)?),
            None => None,
        };
        let (start, end) = match (&s.date, &s.start, &s.end) {
            (Some(d), None, None) => {
                let day = self.stop_day(d, diags)?;
                return Some(Stop::new(s, When::On(day)));
            }
            // Times of day on the stop's date, in its zone: the form for most meetings.
            (Some(d), Some(start), end) if parse_time_of_day(&start.0).is_some() => {
                self.times_on(d, start, end.as_ref(), zone, &s.title, diags)?
            }
            // Neither a time of day nor a day or time of its own: a time as people write
            // it (`0930`, `9.30am`), said at its line.
            (Some(_), Some(start), _) if !is_moment(&start.0) => {
                diags.push(self.at_value(&start.0, "start", not_a_time(&start.0, "start")));
                return None;
            }
            (Some(_), Some(_), _) | (Some(_), None, Some(_)) => {
                diags.push(self.date_and_span(&s.title));
                return None;
            }
            (None, Some(start), end) => self.span(start, end.as_ref(), zone, diags)?,
            (None, None, _) => {
                diags.push(self.undated_stop(&s.title));
                return None;
            }
        };
        if let Some(end) = end
            && end_before_start(start, end)
        {
            diags.push(self.ends_before_start(&s));
            return None;
        }
        Some(Stop::new(s, When::Span { start, end }))
    }

    /// A stop's `date` on its own: a day, or only its month or year, or not known yet.
    fn stop_day(&self, date: &DateText, diags: &mut Vec<Diagnostic>) -> Option<PartialDate> {
        if let Some(day) = parse_partial_date(&date.0) {
            return Some(day);
        }
        diags.push(self.at_value(
            &date.0,
            "date",
            if year_out_of_range(&date.0) {
                format!("stop date {:?} is not valid: {YEAR_RANGE}", date.0)
            } else {
                format!(
                    "stop date {:?} is not valid: expected YYYY-MM-DD (2026-01-14), \
                     YYYY-MM or YYYY when only the month or year is known \
                     (\"2026-01\", \"2026\"), or \"{DATE_UNKNOWN}\" when it is not \
                     known yet",
                    date.0
                )
            },
        ));
        None
    }

    /// A stop's `start` (and `end`) given as dates, or dates and times, without `date`.
    fn span(
        &self,
        start: &DateText,
        end: Option<&DateText>,
        zone: Option<Tz>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(Moment, Option<Moment>)> {
        let start = self.moment(start, "start", zone, diags)?;
        let end = match end {
            Some(e) => Some(self.moment(e, "end", zone, diags)?),
            None => None,
        };
        Some((start, end))
    }

    /// A stop with `date` and also a `start` or `end` that are not times of day on it.
    fn date_and_span(&self, title: &str) -> Diagnostic {
        self.at_value(
            title,
            "date",
            format!(
                "stop {title:?} has both `date` and `start`/`end`: use one or the other, or \
                 give `start` (and `end`) as times of day on `date`: start = \"09:30\", \
                 end = \"11:00\", zone = \"Asia/Shanghai\""
            ),
        )
    }

    /// A stop with neither `date` nor `start`.
    fn undated_stop(&self, title: &str) -> Diagnostic {
        self.at_value(
            title,
            "title",
            format!(
                "stop {title:?} has no date: give `date = 2026-01-14`, or `start` (and \
                 `end`), or `date = \"{DATE_UNKNOWN}\"` when it is not known yet"
            ),
        )
    }

    /// A stop whose `end` comes before its `start`.
    fn ends_before_start(&self, s: &StopFm) -> Diagnostic {
        // Times of day are on one day: an evening running past midnight needs both days.
        let hint = if s.date.is_some() {
            ": for one past midnight, drop `date` and give `start` and `end` as dates and \
             times (start = 2026-01-14T21:00:00, end = 2026-01-15T01:00:00)"
        } else {
            ""
        };
        self.at_value(
            &s.title,
            "end",
            format!("stop {:?} ends before it starts{hint}", s.title),
        )
    }

    /// The IANA zone named by a stop's `zone`, or an error suggesting the zone meant.
    fn zone(&self, name: &str, diags: &mut Vec<Diagnostic>) -> Option<Tz> {
        if let Ok(zone) = name.trim().parse::<Tz>() {
            return Some(zone);
        }
        let message = match zone_meant(name) {
            Some(meant) => format!(
                "unknown time zone {name:?}: did you mean \"{meant}\"? (zones are IANA names, \
                 such as \"Asia/Shanghai\" or \"America/Toronto\")"
            ),
            None => format!(
                "unknown time zone {name:?}: expected an IANA zone name, such as \
                 \"Asia/Shanghai\" or \"America/Toronto\""
            ),
        };
        diags.push(self.at_value(name, "zone", message));
        None
    }

    /// `start` (and `end`) as times of day on the stop's `date`, in its zone.
    fn times_on(
        &self,
        date: &DateText,
        start: &DateText,
        end: Option<&DateText>,
        zone: Option<Tz>,
        title: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(Moment, Option<Moment>)> {
        let Some(day) = parse_date(&date.0) else {
            diags.push(self.at_value(
                &date.0,
                "date",
                format!(
                    "stop {title:?} gives times of day, so its `date` must be a day, such as \
                     2026-01-14, not {:?}",
                    date.0
                ),
            ));
            return None;
        };
        let Some(zone) = zone else {
            diags.push(self.at_value(
                &start.0,
                "start",
                format!(
                    "`start` = {:?} is a time of day but the stop has no `zone` to say where: \
                     add one, such as zone = \"Asia/Shanghai\"",
                    start.0
                ),
            ));
            return None;
        };
        let at = |text: &DateText, key: &str, diags: &mut Vec<Diagnostic>| {
            let time = parse_time_of_day(&text.0)?;
            self.local(day.and_time(time), zone, &text.0, key, diags)
        };
        let start = at(start, "start", diags)?;
        let end = match end {
            None => None,
            Some(e) if parse_time_of_day(&e.0).is_some() => Some(at(e, "end", diags)?),
            Some(e) => {
                diags.push(self.at_value(
                    &e.0,
                    "end",
                    format!(
                        "`end` = {:?} must be a time of day, as `start` is (end = \"11:00\"); \
                         for a stop past midnight, drop `date` and give both as dates and times: \
                         start = 2026-01-14T21:00:00, end = 2026-01-15T01:00:00",
                        e.0
                    ),
                ));
                return None;
            }
        };
        Some((start, end))
    }

    /// A local date and time in `zone`. A time the clocks skip or show twice (daylight
    /// saving) is an error saying what to write: guessing would put a meeting an hour off.
    fn local(
        &self,
        local: NaiveDateTime,
        zone: Tz,
        text: &str,
        key: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Moment> {
        let message = match zone.from_local_datetime(&local) {
            LocalResult::Single(t) => return self.in_range(t.fixed_offset(), text, key, diags),
            LocalResult::Ambiguous(first, second) => format!(
                "`{key}` = {text:?} happens twice in {zone}: the clocks go back that night. Say \
                 which with its UTC offset: {key} = \"{}\" (the first) or \"{}\" (the \
                 second){}",
                first.fixed_offset().to_rfc3339(),
                second.fixed_offset().to_rfc3339(),
                if parse_time_of_day(text).is_some() {
                    ", in place of `date` and the time of day"
                } else {
                    ""
                }
            ),
            LocalResult::None => {
                let gap = chrono_tz::GapInfo::new(&local, &zone);
                match gap.as_ref().and_then(|g| Some((g.begin?, g.end?))) {
                    Some(((begin, _), end)) => format!(
                        "`{key}` = {text:?} does not exist in {zone}: the clocks go forward from \
                         {} to {} that night. Write a time outside the change, such as {}",
                        begin.format("%H:%M"),
                        end.format("%H:%M"),
                        end.format("%H:%M")
                    ),
                    None => format!(
                        "`{key}` = {text:?} does not exist in {zone}: the clocks skip it. Write \
                         a time outside the change"
                    ),
                }
            }
        };
        diags.push(self.at_value(text, key, message));
        None
    }

    /// A time of a stop, if its year is one the calendar can write in UTC too.
    fn in_range(
        &self,
        t: DateTime<FixedOffset>,
        text: &str,
        key: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Moment> {
        // The calendar writes times in UTC: 9999-12-31T23:59:59-01:00 is in year 10000
        // there, which no calendar reads.
        if in_year_range(t.year()) && in_year_range(t.naive_utc().year()) {
            return Some(Moment::DateTime(t));
        }
        diags.push(self.at_value(
            text,
            key,
            format!(
                "`{key}` = {text:?} is not valid: it falls outside the years 0001 to 9999 (in \
                 UTC, as the calendar writes it, it is {})",
                t.naive_utc()
            ),
        ));
        None
    }

    /// A stop's `start` or `end`: a day, a time with its UTC offset, or a local date and
    /// time in the stop's `zone`.
    fn moment(
        &self,
        d: &DateText,
        key: &str,
        zone: Option<Tz>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Moment> {
        let text = d.0.trim();
        if let Some(date) = parse_date(text) {
            return Some(Moment::Date(date));
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(text) {
            return self.with_offset(t, &d.0, key, zone, diags);
        }
        if let Some(local) = parse_local_datetime(text) {
            return self.without_offset(local, &d.0, key, zone, diags);
        }
        diags.push(self.at_value(&d.0, key, not_a_moment(&d.0, key)));
        None
    }

    /// A time written with its UTC offset (`written`, as given).
    fn with_offset(
        &self,
        t: DateTime<FixedOffset>,
        written: &str,
        key: &str,
        zone: Option<Tz>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Moment> {
        // With a zone too, the offset must be the zone's then: one of the two is wrong.
        if let Some(zone) = zone {
            let there = t.with_timezone(&zone).offset().fix();
            if there != *t.offset() {
                diags.push(self.at_value(
                    written,
                    key,
                    format!(
                        "`{key}` = {written:?} says UTC{} but {zone} is at UTC{} then: drop the \
                         offset to mean {zone} time ({key} = {}), or correct it",
                        t.offset(),
                        there,
                        t.naive_local().format("%Y-%m-%dT%H:%M")
                    ),
                ));
                return None;
            }
        }
        self.in_range(t, written, key, diags)
    }

    /// A date and time without a UTC offset (`written`, as given): local to the stop's
    /// `zone`, which it must then have.
    fn without_offset(
        &self,
        local: NaiveDateTime,
        written: &str,
        key: &str,
        zone: Option<Tz>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Moment> {
        if let Some(zone) = zone {
            return self.local(local, zone, written, key, diags);
        }
        diags.push(self.at_value(
            written,
            key,
            format!(
                "`{key}` = {written:?} has no UTC offset, and the stop no `zone`: add the zone, \
                 such as zone = \"Asia/Shanghai\", or write the offset: {key} = \"{}:00+08:00\"",
                local.format("%Y-%m-%dT%H:%M")
            ),
        ));
        None
    }
}

/// Why `written`, given as `key`, is neither a day nor a time, and what to write instead.
fn not_a_moment(written: &str, key: &str) -> String {
    if parse_time_of_day(written.trim()).is_some() {
        format!(
            "`{key}` = {written:?} is a time of day: give the stop's day as `date` with it \
             (date = 2026-01-14, {key} = \"09:30\", zone = \"Asia/Shanghai\"), or a date \
             and time ({key} = 2026-01-14T09:30 with a `zone`)"
        )
    } else if year_out_of_range(written) {
        format!("`{key}` = {written:?} is not valid: {YEAR_RANGE}")
    } else {
        format!(
            "`{key}` = {written:?} is not a date or time: write a day ({key} = 2026-01-14), a \
             local date and time with the stop's zone ({key} = 2026-01-14T09:30 and zone = \
             \"Asia/Shanghai\"), or a time with its UTC offset \
             ({key} = \"2026-01-14T09:30:00+08:00\")"
        )
    }
}

/// Whether `s` is a day or a date and time (with its offset or not): a `start` that is
/// one of these, on a stop with a `date`, gives the stop's time twice.
fn is_moment(s: &str) -> bool {
    let s = s.trim();
    parse_date(s).is_some()
        || DateTime::parse_from_rfc3339(s).is_ok()
        || parse_local_datetime(s).is_some()
}

/// Why `written`, given as `key` on a stop with a `date`, is not a time of day, and the
/// forms that are.
fn not_a_time(written: &str, key: &str) -> String {
    format!(
        "`{key}` = {written:?} is not a time: write the time of day on the stop's `date` as \
         hours and minutes, 24-hour, with a colon: {key} = \"09:30\" (or \"9:30\", \
         \"14:00\", \"09:30:00\"), with the stop's zone (zone = \"Asia/Shanghai\")"
    )
}

fn end_before_start(start: Moment, end: Moment) -> bool {
    match (start, end) {
        (Moment::DateTime(a), Moment::DateTime(b)) => b < a,
        (a, b) => b.date() < a.date(),
    }
}

/// Written as YYYY-MM-DD, whether or not the day exists.
fn looks_like_a_day(s: &str) -> bool {
    let b = s.trim().as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// An http(s) URL with a host: the scheme in any case, as URLs allow.
fn is_web_url(url: &str) -> bool {
    crate::config::web_host(url)
        .is_some_and(|host| !host.is_empty() && !host.chars().any(char::is_whitespace))
}

/// What dates must be: feeds, sitemaps and calendars write four-digit years of the common
/// era only (RFC 3339, RFC 5545), so years outside these are errors, not output no reader
/// can parse.
const YEAR_RANGE: &str = "the year must be from 0001 to 9999, written with four digits";

fn in_year_range(year: i32) -> bool {
    (1..=9999).contains(&year)
}

/// A date whose year is signed, zero or longer than four digits: `-999-01-01`,
/// `0000-01-01`, `10000-01-01`, `+2026`.
fn year_out_of_range(s: &str) -> bool {
    let s = s.trim();
    let unsigned = s.trim_start_matches(['-', '+']);
    let year = unsigned.split(['-', 'T', 't']).next().unwrap_or("");
    !year.is_empty()
        && year.bytes().all(|c| c.is_ascii_digit())
        && (unsigned.len() != s.len() || year.len() > 4 || year.bytes().all(|c| c == b'0'))
}

/// Four ASCII digits, not all zero.
fn is_year(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit()) && s != "0000"
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    // Exactly YYYY-MM-DD with a year from 0001: chrono alone would also take "2026-1-4"
    // and "-999-01-01".
    if !looks_like_a_day(s) || !is_year(&s[..4]) {
        return None;
    }
    // All digits where digits go (checked above): read them as numbers directly.
    let number = |range: std::ops::Range<usize>| {
        s.as_bytes()[range]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let year = i32::try_from(number(0..4)).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7), number(8..10))
}

/// A time of day: `09:30`, `9:30`, `09:30:00`, `09:30:00.5` (as TOML writes local times).
fn parse_time_of_day(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    // A one-digit hour, as people write it: `9:30` is `09:30`.
    if s.as_bytes().get(1) == Some(&b':') {
        return parse_time_of_day(&format!("0{s}"));
    }
    let b = s.as_bytes();
    let two_digits = |at: usize| {
        b.get(at..at + 2)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let shape = two_digits(0)
        && b.get(2) == Some(&b':')
        && two_digits(3)
        && match b.len() {
            5 => true,
            8 => b[5] == b':' && two_digits(6),
            n => {
                n > 9
                    && b[5] == b':'
                    && two_digits(6)
                    && b[8] == b'.'
                    && b[9..].iter().all(u8::is_ascii_digit)
            }
        };
    if !shape {
        return None;
    }
    let format = if b.len() == 5 { "%H:%M" } else { "%H:%M:%S%.f" };
    NaiveTime::parse_from_str(s, format).ok()
}

/// A date and time without a UTC offset: `2026-07-14T09:30` (or a space for the `T`, or
/// seconds, as TOML's local date-times have).
fn parse_local_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let (date, time) = (s.get(..10)?, s.get(11..)?);
    if !matches!(s.as_bytes().get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    Some(parse_date(date)?.and_time(parse_time_of_day(time)?))
}

/// The zone a mistyped name probably means: the same name in another case, or the zone
/// whose last part is it (`shanghai`, `new york` → `Asia/Shanghai`, `America/New_York`).
fn zone_meant(name: &str) -> Option<&'static str> {
    let wanted = name.trim().replace(' ', "_");
    let last = wanted.rsplit('/').next().filter(|l| !l.is_empty())?;
    let names = || chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
    names()
        .find(|n| n.eq_ignore_ascii_case(&wanted))
        .or_else(|| {
            names().find(|n| {
                n.rsplit('/')
                    .next()
                    .is_some_and(|l| l.eq_ignore_ascii_case(last))
            })
        })
}

/// What a stop's `date` says when the date is not known yet, in any case.
const DATE_UNKNOWN: &str = "TBC";

fn parse_partial_date(s: &str) -> Option<PartialDate> {
    let s = s.trim();
    if s.eq_ignore_ascii_case(DATE_UNKNOWN) {
        return Some(PartialDate::Unknown);
    }
    if let Some(d) = parse_date(s) {
        return Some(PartialDate::Day(d));
    }
    let (y, m) = s.split_once('-').unwrap_or((s, ""));
    if !is_year(y) {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    match m.len() {
        0 if !s.contains('-') => Some(PartialDate::Year(year)),
        2 if m.bytes().all(|c| c.is_ascii_digit()) => {
            let month: u32 = m.parse().ok()?;
            (1..=12)
                .contains(&month)
                .then_some(PartialDate::Month(year, month))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_list_items_are_found_by_their_keys() {
        let fm = "title: T\nsources:\n  - title: A\n    # a comment\n\n  - title: B\n    marking: SECRET\n\
                  timeline:\n- date: 2026-01-01\n  event: E\ndispute:\n  imposed_by: A\n  measures:\n\
                  \x20   - product: P\n      rate: R\n    - product: Q\n  stake: S\nstops: [{title: X}]\n";
        let numbered = || {
            fm.split_inclusive('\n')
                .enumerate()
                .map(|(n, l)| (n + 2, l))
        };
        assert_eq!(yaml_items(numbered(), "sources"), [4, 7]);
        assert_eq!(yaml_items(numbered(), "timeline"), [10]);
        assert_eq!(yaml_items(numbered(), "dispute.measures"), [15, 17]);
        assert!(yaml_items(numbered(), "stops").is_empty());
        assert!(yaml_items(numbered(), "measures").is_empty());
    }

    #[test]
    fn web_urls() {
        assert!(is_web_url("https://example.org/x"));
        assert!(is_web_url("HTTP://example.org"));
        assert!(!is_web_url("https://"));
        assert!(!is_web_url("https:///etc/passwd"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("http"));
        assert!(looks_like_a_day("2026-02-29") && !looks_like_a_day("2026-2-9"));
    }

    #[test]
    fn times_and_zones() {
        let time = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(parse_time_of_day("09:30"), time(9, 30));
        assert_eq!(parse_time_of_day(" 09:30:00 "), time(9, 30));
        assert!(parse_time_of_day("09:30:00.250").is_some());
        assert_eq!(parse_time_of_day("9:30"), time(9, 30));
        assert_eq!(parse_time_of_day("9:30:00"), time(9, 30));
        for bad in [
            "9.30am",
            ":30",
            "24:00",
            "09:60",
            "09:30:",
            "09:30:00.",
            "0930",
            "09:30Z",
        ] {
            assert_eq!(parse_time_of_day(bad), None, "{bad}");
        }
        let day = NaiveDate::from_ymd_opt(2026, 7, 14);
        let local = day.and_then(|d| d.and_hms_opt(9, 30, 0));
        assert_eq!(parse_local_datetime("2026-07-14T09:30"), local);
        assert_eq!(parse_local_datetime("2026-07-14 09:30:00"), local);
        for bad in [
            "2026-07-14",
            "2026-07-14T09:30+08:00",
            "2026-07-14X09:30",
            "2026-7-14T09:30",
        ] {
            assert_eq!(parse_local_datetime(bad), None, "{bad}");
        }
        assert_eq!(zone_meant("shanghai"), Some("Asia/Shanghai"));
        assert_eq!(zone_meant("asia/shanghai"), Some("Asia/Shanghai"));
        assert_eq!(zone_meant("Europe/Toronto"), Some("America/Toronto"));
        assert_eq!(zone_meant("new york"), Some("America/New_York"));
        assert_eq!(zone_meant("Atlantis"), None);
        assert_eq!(zone_meant("Asia/"), None);
    }

    #[test]
    fn output_paths() {
        assert_eq!(
            output_path("disputes/canola.md", None, false),
            "disputes/canola/"
        );
        assert_eq!(output_path("disputes/_index.md", None, true), "disputes/");
        assert_eq!(output_path("_index.md", None, true), "");
        assert_eq!(output_path("a.md", Some("b"), false), "b/");
    }

    #[test]
    fn days_read_digit_by_digit_are_chronos() {
        for year in ["0001", "0400", "1900", "2000", "2024", "2026", "9999"] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let s = format!("{year}-{month:02}-{day:02}");
                    let chrono = NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();
                    assert_eq!(parse_date(&s), chrono, "{s}");
                    assert_eq!(parse_date(&format!(" {s}\n")), chrono, "{s}");
                }
            }
        }
    }

    #[test]
    fn dates() {
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("2026-1-4").is_none());
        assert_eq!(parse_partial_date("2026"), Some(PartialDate::Year(2026)));
        assert_eq!(parse_partial_date("2026-13"), None);
        assert_eq!(parse_partial_date("TBC"), Some(PartialDate::Unknown));
        assert_eq!(parse_partial_date(" tbc "), Some(PartialDate::Unknown));
        assert_eq!(parse_partial_date("TBD"), None);
        assert_eq!(
            parse_partial_date("2026-01"),
            Some(PartialDate::Month(2026, 1))
        );
        for bad in [
            "-999-01-01",
            "+999-01-01",
            "0000-01-01",
            "-999",
            "+999",
            "0000",
            "0000-01",
            "-99-01",
            "2026-",
            "2026-1",
            "2026-+1",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
            assert_eq!(parse_partial_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("0001-01-01"), NaiveDate::from_ymd_opt(1, 1, 1));
        for out in [
            "-999-01-01",
            "0000-01-01",
            "10000-01-01",
            "+2026",
            "-0001",
            "0000",
        ] {
            assert!(year_out_of_range(out), "{out}");
        }
        for fine in ["2026-01-01", "yesterday", "-", "2026-13-01", "0001"] {
            assert!(!year_out_of_range(fine), "{fine}");
        }
    }
}
