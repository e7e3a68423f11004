//! Security markings: the ordered levels a site uses (the Government of Canada's by
//! default), how a marking is written and matched, and the marked sections of a body
//! (`## Our position {marking="SECRET"}`).

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The Government of Canada's markings (Directive on Security Management, Appendix J),
/// lowest first: what `[markings]` uses when it gives no `levels`.
pub const GOVERNMENT_OF_CANADA: [&str; 7] = [
    "UNCLASSIFIED",
    "PROTECTED A",
    "PROTECTED B",
    "PROTECTED C",
    "CONFIDENTIAL",
    "SECRET",
    "TOP SECRET",
];

/// A level of the site's markings: its place in `Markings::levels`, lowest first, so that
/// levels compare as markings do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Level(u8);

/// The site's markings, as `[markings]` configures them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markings {
    levels: Vec<String>,
    /// The levels as a language's pages show them (`NON CLASSIFIÉ` for `UNCLASSIFIED`),
    /// where its config names them; matching still reads the site's own names.
    shown: Option<Vec<String>>,
    /// The marking of what does not say.
    pub default: Level,
    /// `--max-marking`: a release build leaves out everything above it.
    pub release: Option<Level>,
}

/// A marking written as no level of the site's: what to say, with the levels and the
/// nearest one.
pub fn unknown(written: &str, levels: &Markings) -> String {
    format!(
        "unknown marking {written:?}: the markings of this site are {}{}",
        levels
            .levels
            .iter()
            .map(|l| format!("{l:?}"))
            .collect::<Vec<_>>()
            .join(", "),
        crate::text::did_you_mean(written, levels.levels.iter().map(String::as_str))
    )
}

/// A marking as matched: case and runs of spaces do not count.
fn folded(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Markings {
    /// The levels in order, lowest first, and the default; `Err` says what is wrong.
    pub fn new(levels: Vec<String>, default: Option<&str>) -> Result<Markings, String> {
        if levels.is_empty() {
            return Err("[markings] levels must name at least one level".to_string());
        }
        if levels.len() > usize::from(u8::MAX) {
            return Err("[markings] levels may name 255 levels at most".to_string());
        }
        for (i, l) in levels.iter().enumerate() {
            if l.trim().is_empty() {
                return Err("[markings] levels must not be blank".to_string());
            }
            if levels[..i].iter().any(|m| folded(m) == folded(l)) {
                return Err(format!("[markings] levels names {l:?} twice"));
            }
        }
        let mut markings = Markings {
            levels,
            shown: None,
            default: Level(0),
            release: None,
        };
        if let Some(d) = default {
            markings.default = markings
                .level(d)
                .ok_or_else(|| format!("[markings] default: {}", unknown(d, &markings)))?;
        }
        Ok(markings)
    }

    /// The level written `name`, if it is one.
    pub fn level(&self, name: &str) -> Option<Level> {
        let wanted = folded(name);
        self.levels
            .iter()
            .position(|l| folded(l) == wanted)
            .and_then(|i| u8::try_from(i).ok())
            .map(Level)
    }

    /// A level as the site writes it.
    pub fn name(&self, level: Level) -> &str {
        self.shown
            .as_ref()
            .unwrap_or(&self.levels)
            .get(usize::from(level.0))
            .map_or("", String::as_str)
    }

    /// Shows the levels as `names` (a language's, one for each level, in order); `Err`
    /// says why it cannot.
    pub fn show_as(&mut self, names: Vec<String>) -> Result<(), String> {
        if names.len() != self.levels.len() {
            return Err(format!(
                "gives {} names for the site's {} marking levels ({}): one for each, in order",
                names.len(),
                self.levels.len(),
                self.levels.join(", ")
            ));
        }
        if names.iter().any(|n| n.trim().is_empty()) {
            return Err("names a level with blank text".to_string());
        }
        self.shown = Some(names);
        Ok(())
    }

    pub fn lowest(&self) -> Level {
        Level(0)
    }

    /// Whether a release build leaves out what is at `level`.
    pub fn left_out(&self, level: Level) -> bool {
        self.release.is_some_and(|max| level > max)
    }
}

/// A heading given a marking in a body, and the section it marks: the heading and all
/// under it up to the next heading of the same or a higher level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedHeading {
    /// Where the heading starts, in the body.
    pub heading: usize,
    /// The whole section, heading included.
    pub section: Range<usize>,
    /// The `marking="…"` attribute, to blank out of the heading.
    pub attribute: Range<usize>,
    /// The marking as written.
    pub written: String,
}

/// Every heading of `body`, with where it starts and its level, in order.
pub fn headings(body: &str) -> Vec<(usize, u8)> {
    let options = Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    Parser::new_ext(body, options)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Heading { level, .. }) => Some((range.start, level as u8)),
            _ => None,
        })
        .collect()
}

/// The marked headings of `body` (none without the word `marking` in it, at no cost).
pub fn marked_headings(body: &str) -> Vec<MarkedHeading> {
    if memchr::memmem::find(body.as_bytes(), b"marking").is_none() {
        return Vec::new();
    }
    let options = Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM;
    let mut all: Vec<(Range<usize>, u8)> = Vec::new();
    let mut open: Option<(usize, u8)> = None;
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => open = Some((range.start, level as u8)),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, level)) = open.take() {
                    all.push((start..range.end, level));
                }
            }
            _ => {}
        }
    }
    let mut marked = Vec::new();
    for (n, (line, level)) in all.iter().enumerate() {
        let Some((attribute, written)) = marking_attribute(body, line.clone()) else {
            continue;
        };
        let end = all[n + 1..]
            .iter()
            .find(|(_, l)| l <= level)
            .map_or(body.len(), |(r, _)| r.start);
        marked.push(MarkedHeading {
            heading: line.start,
            section: line.start..end,
            attribute,
            written,
        });
    }
    marked
}

/// The `marking="…"` (or `marking=WORD`) of the attribute block `{…}` ending a heading's
/// line, with its range in `body`.
fn marking_attribute(body: &str, line: Range<usize>) -> Option<(Range<usize>, String)> {
    let text = &body[line.clone()];
    let text = text.trim_end_matches(['\n', '\r']);
    let trimmed = text.trim_end();
    let block_start = trimmed.rfind('{')?;
    if !trimmed.ends_with('}') {
        return None;
    }
    let block = &trimmed[block_start + 1..trimmed.len() - 1];
    let at = block.find("marking")?;
    let after = block[at + "marking".len()..].trim_start();
    let value = after.strip_prefix('=')?.trim_start();
    let (written, len_in_value) = match value.strip_prefix('"') {
        Some(rest) => {
            let end = rest.find('"')?;
            (rest[..end].to_string(), end + 2)
        }
        None => {
            let end = value.find(char::is_whitespace).unwrap_or(value.len());
            (value[..end].to_string(), end)
        }
    };
    let value_start = block.len() - value.len();
    let start = line.start + block_start + 1 + at;
    let end = line.start + block_start + 1 + value_start + len_in_value;
    Some((start..end, written))
}

/// `text` with the bytes of `range` made spaces, newlines kept: lines and offsets stay
/// where they were, and what was there is gone.
pub fn blank(text: &mut String, range: Range<usize>) {
    let Some(part) = text.get(range.clone()) else {
        return;
    };
    let blanked: String = part
        .bytes()
        .map(|b| if b == b'\n' { '\n' } else { ' ' })
        .collect();
    text.replace_range(range, &blanked);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gc() -> Markings {
        Markings::new(GOVERNMENT_OF_CANADA.map(String::from).to_vec(), None)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn levels_match_whatever_their_case_and_spacing_and_compare_in_order() {
        let m = gc();
        let a = m.level("protected   a").expect("a level");
        assert_eq!(m.name(a), "PROTECTED A");
        let secret = m.level("Secret").expect("a level");
        assert!(secret > a && a > m.lowest());
        assert_eq!(m.level("PROTECTED D"), None);
        assert!(unknown("SECRETT", &m).contains("did you mean \"SECRET\""));
        let own = Markings::new(vec!["OFFICIAL".into(), "SECRET".into()], Some("secret"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(own.name(own.default), "SECRET");
        assert!(Markings::new(vec!["A".into(), "a".into()], None).is_err());
        assert!(Markings::new(vec![], None).is_err());
        assert!(Markings::new(vec!["A".into()], Some("B")).is_err());
    }

    #[test]
    fn a_marked_heading_marks_its_section_up_to_the_next_heading_as_high() {
        let body = "Intro.\n\n## Ours {marking=\"PROTECTED B\"}\n\nText.\n\n### Deeper\n\nMore.\n\n## Next\n\nAfter.\n";
        let marked = marked_headings(body);
        assert_eq!(marked.len(), 1);
        let m = &marked[0];
        assert_eq!(m.written, "PROTECTED B");
        assert_eq!(&body[m.attribute.clone()], "marking=\"PROTECTED B\"");
        assert!(body[m.section.clone()].starts_with("## Ours"));
        assert!(body[m.section.clone()].ends_with("More.\n\n"));
        let mut cut = body.to_string();
        blank(&mut cut, m.section.clone());
        assert_eq!(cut.len(), body.len());
        assert_eq!(cut.lines().count(), body.lines().count());
        assert!(!cut.contains("Ours") && !cut.contains("Deeper") && cut.contains("After."));
        // Unquoted, beside an id; in code, no marking.
        let other = "## A {#a marking=SECRET}\n\n```\n## B {marking=SECRET}\n```\n";
        let marked = marked_headings(other);
        assert_eq!(marked.len(), 1);
        assert_eq!(marked[0].written, "SECRET");
        assert_eq!(&other[marked[0].attribute.clone()], "marking=SECRET");
        assert!(marked_headings("## Plain\n\nNo markings here.\n").is_empty());
    }
}
