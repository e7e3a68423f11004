//! A translation read against its original: `notes/x.fr.md` gives its own text for every
//! text field and may leave out every typed one (dates, statuses, markings, themes…),
//! which it then takes from `notes/x.md`. Where it does give a typed field, the field must
//! equal the original's: the two languages never disagree on a fact. Entries (measures,
//! stops, events, sources) are matched by position, so their counts must agree.
//!
//! This works on the front matter as TOML values, before `content` reads them into a
//! page: the merged table is what the translation would have said had it copied every
//! typed field, so every later check is the one a page gets.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::frontmatter::{self, Format};

/// What a table of front matter holds: its typed keys (taken from the original), its
/// text keys (each language's own), and its lists of entries.
struct Shape {
    typed: &'static [&'static str],
    text: &'static [&'static str],
}

const PAGE: Shape = Shape {
    typed: &[
        "kind",
        "page_kind",
        "weight",
        "draft",
        "themes",
        "marking",
        "template",
    ],
    text: &["title", "summary"],
};

const DISPUTE: Shape = Shape {
    typed: &["status"],
    text: &["imposed_by", "affected", "stake", "ask"],
};

/// Each list of entries: where it is, its table header, and its shape.
const ENTRIES: [(&str, &str, Shape); 4] = [
    (
        "sources",
        "[[sources]]",
        Shape {
            typed: &["url", "date", "marking"],
            text: &["title", "publisher"],
        },
    ),
    (
        "timeline",
        "[[timeline]]",
        Shape {
            typed: &["date", "marking"],
            text: &["event"],
        },
    ),
    (
        "stops",
        "[[stops]]",
        Shape {
            typed: &["date", "start", "end", "zone", "tentative", "marking"],
            text: &["city", "country", "title", "details"],
        },
    ),
    (
        "measures",
        "[[dispute.measures]]",
        Shape {
            typed: &["effective", "status", "marking"],
            text: &["product", "measure", "rate"],
        },
    ),
];

/// One side of the comparison: a file's text and where its front matter is in it.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    pub fm: &'a str,
    pub fm_offset: usize,
    pub format: Format,
}

impl Side<'_> {
    /// The byte offset (in the whole text) of `key` in the top level of the front matter
    /// or in the `n`-th `header` table; TOML only (YAML falls back to the first mention).
    fn offset(&self, entry: Option<(&str, usize)>, key: &str) -> Option<usize> {
        if self.format != Format::Toml {
            return frontmatter::locate_key(self.fm, key).map(|o| self.fm_offset + o);
        }
        let mut offset = 0;
        let mut seen = 0usize;
        let mut inside = entry.is_none();
        // The entry's own header, where the key is not written in it.
        let mut header_at = None;
        for line in self.fm.split_inclusive('\n') {
            let t = line.trim();
            if t.starts_with('[') {
                if inside && entry.is_some() {
                    // Past the entry without finding the key.
                    break;
                }
                inside = match entry {
                    Some((header, n)) if t == header => {
                        seen += 1;
                        seen == n + 1
                    }
                    _ => false,
                };
                if inside {
                    header_at = Some(self.fm_offset + offset);
                    if key.is_empty() {
                        return header_at;
                    }
                }
            } else if inside
                && t.split('=')
                    .next()
                    .is_some_and(|k| k.trim().trim_matches(['"', '\'']) == key)
            {
                return Some(self.fm_offset + offset + (line.len() - line.trim_start().len()));
            }
            offset += line.len();
        }
        header_at
    }

    fn line(&self, entry: Option<(&str, usize)>, key: &str) -> Option<usize> {
        self.offset(entry, key)
            .map(|o| crate::diagnostic::line_of(self.text, o))
    }

    fn error(&self, entry: Option<(&str, usize)>, key: &str, msg: String) -> Diagnostic {
        let d = Diagnostic::error(self.file, msg);
        match self.offset(entry, key) {
            Some(o) => d.at_offset(self.text, o),
            None => d,
        }
    }
}

/// The front matter of a translation, completed from its original's: every typed field
/// it leaves out taken from the original, every one it gives compared with it. `Err`
/// holds every disagreement and every text field left untranslated, each at its line,
/// naming both files; `Ok` the completed table, and the warnings (a translation older
/// than its original).
pub fn complete(
    original: &toml::Table,
    mut given: toml::Table,
    translation: Side<'_>,
    from: Side<'_>,
) -> Result<(toml::Table, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut at = Table {
        translation,
        from,
        entry: None,
        diags: &mut diags,
    };
    at.merge(original, &mut given, &PAGE);
    // `[extra]` is the site's own data, of any shape: the translation's own when it gives
    // one (its text may be translated), else the original's.
    if !given.contains_key("extra")
        && let Some(extra @ toml::Value::Table(_)) = original.get("extra")
    {
        given.insert("extra".to_string(), extra.clone());
    }
    at.as_of(original, &mut given);
    at.aliases(original, &mut given);
    match (original.get("dispute"), given.get_mut("dispute")) {
        (Some(toml::Value::Table(o)), Some(toml::Value::Table(t))) => {
            at.entry = Some(("[dispute]", 0));
            at.merge(o, t, &DISPUTE);
            at.entry = None;
            let (o, t) = (o.clone(), t);
            at.entries(&o, t, &ENTRIES[3]);
        }
        (Some(_), None) => at.diags.push(translation.error(
            None,
            "title",
            format!(
                "this translation has no [dispute] table, but {} has one: translate its text \
                 (imposed_by, affected, stake, ask, and each measure's product, measure and rate)",
                from.file.display()
            ),
        )),
        (None, Some(_)) => at.diags.push(translation.error(
            Some(("[dispute]", 0)),
            "",
            format!(
                "this translation has a [dispute] table, but {} has none: a translation gives \
                 the same facts",
                from.file.display()
            ),
        )),
        _ => {}
    }
    for kind in &ENTRIES[..3] {
        at.entries(original, &mut given, kind);
    }
    let (warnings, errors): (Vec<_>, Vec<_>) = diags.into_iter().partition(|d| !d.is_error());
    if errors.is_empty() {
        Ok((given, warnings))
    } else {
        Err(errors)
    }
}

/// Where in the two files a table being merged is.
struct Table<'a, 'd> {
    translation: Side<'a>,
    from: Side<'a>,
    /// The entry being merged: its header and its position among its kind.
    entry: Option<(&'static str, usize)>,
    diags: &'d mut Vec<Diagnostic>,
}

impl Table<'_, '_> {
    /// What is being spoken of: `status`, or `the 2nd [[stops]] table's zone`.
    fn field(&self, key: &str) -> String {
        match self.entry {
            // The one table of its kind.
            Some(("[dispute]", _)) => format!("[dispute] {key}"),
            Some((header, n)) => format!("{header} number {}: {key}", n + 1),
            None => key.to_string(),
        }
    }

    fn merge(&mut self, original: &toml::Table, given: &mut toml::Table, shape: &Shape) {
        for &key in shape.typed {
            match (original.get(key), given.get(key)) {
                (Some(o), None) => {
                    given.insert(key.to_string(), o.clone());
                }
                (o, Some(t)) if !o.is_some_and(|o| same(key, o, t)) => {
                    let said = match (o, self.from.line(self.entry, key)) {
                        (Some(o), Some(line)) => {
                            format!("{}:{line} says {}", self.from.file.display(), shown(o))
                        }
                        (Some(o), None) => {
                            format!("{} says {}", self.from.file.display(), shown(o))
                        }
                        (None, _) => format!("{} gives none", self.from.file.display()),
                    };
                    let msg = format!(
                        "{} {} but {said}: a translation may leave a typed field out (it is \
                         then the original's), and where it gives one the two must agree",
                        self.field(key),
                        shown(t),
                    );
                    self.diags
                        .push(self.translation.error(self.entry, key, msg));
                }
                _ => {}
            }
        }
        for &key in shape.text {
            let has = |t: &toml::Table| {
                t.get(key)
                    .is_some_and(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()))
            };
            if has(original) && !has(given) {
                let line = self
                    .from
                    .line(self.entry, key)
                    .map_or_else(String::new, |l| format!(":{l}"));
                let msg = format!(
                    "{} is not translated: {}{line} gives one, and a translation gives its own \
                     text for every text field",
                    self.field(key),
                    self.from.file.display(),
                );
                let key_at = if self.entry.is_some() { "" } else { "title" };
                self.diags
                    .push(self.translation.error(self.entry, key_at, msg));
            }
        }
    }

    /// `as_of`: the original's when the translation gives none; an earlier one says the
    /// translation is older than its original, a warning (the page then says its own
    /// date); a later one is an error.
    fn as_of(&mut self, original: &toml::Table, given: &mut toml::Table) {
        let (o, t) = (original.get("as_of"), given.get("as_of"));
        match (o, t) {
            (Some(o), None) => {
                given.insert("as_of".to_string(), o.clone());
            }
            (Some(o), Some(t)) if !same("as_of", o, t) => {
                let (o_text, t_text) = (plain(o), plain(t));
                let line = self
                    .from
                    .line(None, "as_of")
                    .map_or_else(String::new, |l| format!(":{l}"));
                let from = format!("{}{line}", self.from.file.display());
                // Dates as written sort as dates (YYYY-MM-DD).
                if t_text.trim() < o_text.trim() {
                    let msg = format!(
                        "this translation is older than its original: as_of {} but {from} says \
                         {}; bring it up to date, then give the original's as_of (or leave it out)",
                        shown(t),
                        shown(o)
                    );
                    let d = self.translation.error(None, "as_of", msg);
                    self.diags.push(Diagnostic {
                        severity: crate::diagnostic::Severity::Warning,
                        ..d
                    });
                } else {
                    let msg = format!(
                        "as_of {} is later than {from}, which says {}: a translation is as of \
                         its original's date at the latest",
                        shown(t),
                        shown(o)
                    );
                    self.diags.push(self.translation.error(None, "as_of", msg));
                }
            }
            (None, Some(t)) => {
                let msg = format!(
                    "as_of {} but {} gives none: a translation gives the same facts",
                    shown(t),
                    self.from.file.display()
                );
                self.diags.push(self.translation.error(None, "as_of", msg));
            }
            _ => {}
        }
    }

    /// `aliases`: the translation's own addresses (under its language's folder), as many
    /// as the original's; the original's when it gives none.
    fn aliases(&mut self, original: &toml::Table, given: &mut toml::Table) {
        let count = |t: &toml::Table| t.get("aliases").and_then(|v| v.as_array()).map(Vec::len);
        match (original.get("aliases"), count(original), count(given)) {
            (Some(o), _, None) if !given.contains_key("aliases") => {
                given.insert("aliases".to_string(), o.clone());
            }
            (_, o, Some(t)) if o.unwrap_or(0) != t => {
                let msg = format!(
                    "aliases lists {t} but {} lists {}: a translation has as many aliases as its \
                     original",
                    self.from.file.display(),
                    o.unwrap_or(0)
                );
                self.diags
                    .push(self.translation.error(None, "aliases", msg));
            }
            _ => {}
        }
    }

    fn entries(
        &mut self,
        original: &toml::Table,
        given: &mut toml::Table,
        (key, header, shape): &(&'static str, &'static str, Shape),
    ) {
        let list = |t: &toml::Table| -> Vec<toml::Table> {
            match t.get(*key) {
                Some(toml::Value::Array(a)) => {
                    a.iter().filter_map(|v| v.as_table().cloned()).collect()
                }
                _ => Vec::new(),
            }
        };
        let originals = list(original);
        let mut translated = list(given);
        if originals.len() != translated.len() {
            let first = self.from.line(Some((header, 0)), "");
            let msg = format!(
                "this translation has {} {header} tables but {}{} has {}: a translation has the \
                 same entries, in the same order (an entry with nothing to translate is its \
                 header alone)",
                translated.len(),
                self.from.file.display(),
                first.map_or_else(String::new, |l| format!(":{l}")),
                originals.len(),
            );
            let at = if translated.is_empty() {
                self.translation.error(None, "title", msg)
            } else {
                self.translation.error(Some((header, 0)), "", msg)
            };
            self.diags.push(at);
            return;
        }
        if originals.is_empty() {
            return;
        }
        let outer = self.entry;
        for (n, (o, t)) in originals.iter().zip(&mut translated).enumerate() {
            self.entry = Some((header, n));
            self.merge(o, t, shape);
        }
        self.entry = outer;
        let merged = toml::Value::Array(translated.into_iter().map(toml::Value::Table).collect());
        given.insert(key.to_string(), merged);
    }
}

/// Whether a typed field says the same in both files: dates however written, names
/// (statuses, markings, kinds, zones) in any case and spacing.
fn same(key: &str, a: &toml::Value, b: &toml::Value) -> bool {
    let loose = matches!(key, "status" | "marking" | "kind" | "page_kind" | "zone");
    match (a, b) {
        (toml::Value::Array(x), toml::Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(key, x, y))
        }
        _ => {
            let (x, y) = (plain(a), plain(b));
            if loose {
                fold(&x) == fold(&y)
            } else {
                x.trim() == y.trim()
            }
        }
    }
}

fn fold(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn plain(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value as the message shows it: quoted text, a bare date or number.
fn shown(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    }
}

/// The text fields of a page's front matter, each marked with `mark` (typed fields left
/// out), its entries kept in order: what a new translation starts from.
pub fn text_only(original: &toml::Table, mark: &str) -> toml::Table {
    fn keep(from: &toml::Table, shape: &Shape, mark: &str) -> toml::Table {
        shape
            .text
            .iter()
            .filter_map(|&k| {
                let v = from.get(k)?.as_str()?;
                Some((k.to_string(), toml::Value::String(format!("{mark}{v}"))))
            })
            .collect()
    }
    let entries = |from: &toml::Table, key: &str, shape: &Shape| -> Option<toml::Value> {
        let list = from.get(key)?.as_array()?;
        Some(toml::Value::Array(
            list.iter()
                .filter_map(|e| Some(toml::Value::Table(keep(e.as_table()?, shape, mark))))
                .collect(),
        ))
    };
    let mut out = keep(original, &PAGE, mark);
    for (key, _, shape) in &ENTRIES[..3] {
        if let Some(list) = entries(original, key, shape) {
            out.insert(key.to_string(), list);
        }
    }
    if let Some(d) = original.get("dispute").and_then(|d| d.as_table()) {
        let mut dispute = keep(d, &DISPUTE, mark);
        if let Some(list) = entries(d, "measures", &ENTRIES[3].2) {
            dispute.insert("measures".to_string(), list);
        }
        out.insert("dispute".to_string(), toml::Value::Table(dispute));
    }
    out
}

/// A Markdown file that translates another: `notes/x.fr.md` → (`notes/x.md`, `fr`), for
/// one of `codes`.
pub fn original_of<'c>(
    rel: &str,
    codes: impl IntoIterator<Item = &'c str>,
) -> Option<(String, &'c str)> {
    let stem = rel.strip_suffix(".md")?;
    codes.into_iter().find_map(|code| {
        let base = stem.strip_suffix(code)?.strip_suffix('.')?;
        let name = base.rsplit('/').next().unwrap_or(base);
        (!name.is_empty()).then(|| (format!("{base}.md"), code))
    })
}

/// A translation's file for `rel` in language `code`: `notes/x.md` → `notes/x.fr.md`.
pub fn file_of(rel: &str, code: &str) -> String {
    let stem = rel.strip_suffix(".md").unwrap_or(rel);
    format!("{stem}.{code}.md")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side<'a>(file: &'a str, fm: &'a str) -> Side<'a> {
        Side {
            file: Path::new(file),
            text: fm,
            fm,
            fm_offset: 0,
            format: Format::Toml,
        }
    }

    #[test]
    fn names_a_translation_and_its_original() {
        let codes = ["fr"];
        assert_eq!(
            original_of("notes/x.fr.md", codes),
            Some(("notes/x.md".to_string(), "fr"))
        );
        assert_eq!(original_of("notes/x.md", codes), None);
        assert_eq!(original_of("notes/.fr.md", codes), None);
        assert_eq!(file_of("_index.md", "fr"), "_index.fr.md");
    }

    #[test]
    fn typed_fields_come_from_the_original_and_must_agree() {
        let o = "title = \"Canola\"\nas_of = 2026-01-14\n[dispute]\nimposed_by = \"China\"\n\
                 affected = \"Canada\"\nstatus = \"in force\"\nstake = \"s\"\nask = \"a\"\n\
                 [[dispute.measures]]\nproduct = \"Seed\"\nmeasure = \"m\"\nrate = \"75.8%\"\n\
                 effective = 2025-08-14\n";
        let t = "title = \"Canola\"\n[dispute]\nimposed_by = \"Chine\"\naffected = \"Canada\"\n\
                 status = \"In  Force\"\nstake = \"e\"\nask = \"d\"\n[[dispute.measures]]\n\
                 product = \"Graines\"\nmeasure = \"m\"\nrate = \"75,8 %\"\n";
        let parse = |s: &str| toml::from_str::<toml::Table>(s).unwrap_or_default();
        let merged = complete(&parse(o), parse(t), side("t.md", t), side("o.md", o));
        let (merged, _) = merged.unwrap_or_default();
        assert_eq!(merged["as_of"].to_string(), "2026-01-14");
        assert_eq!(
            merged["dispute"]["measures"][0]["effective"].to_string(),
            "2025-08-14"
        );
        let bad = t.replace("In  Force", "suspended");
        let errs = complete(&parse(o), parse(&bad), side("t.md", &bad), side("o.md", o))
            .err()
            .unwrap_or_default();
        let text: Vec<String> = errs.iter().map(|d| d.to_string()).collect();
        assert_eq!(errs.len(), 1, "{text:?}");
        assert!(
            text[0].contains("t.md:5")
                && text[0].contains("status \"suspended\" but o.md:6 says \"in force\""),
            "{text:?}"
        );
    }
}
