//! `briefing.toml`: the site's configuration. Unknown keys are errors that name the key.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::marking::Markings;
use crate::text::toml_message;

pub const CONFIG_FILE: &str = "briefing.toml";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// Used only where an absolute URL is required (sitemap, feed, canonical links).
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default = "default_output_dir")]
    pub output_dir: String,
    #[serde(default)]
    pub portable: bool,
    /// An optional handling banner, e.g. "UNCLASSIFIED — for internal use".
    #[serde(default)]
    pub handling: Option<String>,
    #[serde(default)]
    pub stale_after_days: Option<u32>,
    /// Whether a build typesets the whole book as `book.pdf` (`build --pdf` does too).
    #[serde(default)]
    pub pdf: bool,
    /// Who the book is from, the department or team: on the PDF's cover and in its
    /// metadata.
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub themes: Vec<Theme>,
    /// `[markings]` as written; `markings` once checked.
    #[serde(default, rename = "markings", skip_serializing)]
    markings_table: Option<MarkingsTable>,
    /// The site's security markings: `None` without a `[markings]` table, when nothing
    /// shows a marking and a `marking` field is an error.
    #[serde(skip)]
    pub markings: Option<Markings>,
    /// The default language's words, over the built-in ones (`[strings]`).
    #[serde(default, skip_serializing)]
    strings: BTreeMap<String, String>,
    /// Every other language, by its code (`[languages.fr]`): built under `CODE/`.
    #[serde(default, skip_serializing)]
    pub languages: BTreeMap<String, LanguageTable>,
    /// The words of this config's language, as templates and dates use them.
    #[serde(skip)]
    pub words: crate::strings::Words,
    /// Which language this config is for: `None` for the default one, built at the
    /// root; a language's code for another (see `for_language`).
    #[serde(skip)]
    pub translation: Option<String>,
    /// Warnings of the config itself (a translation left out where that is allowed).
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
    /// The site's own data for templates (`config.extra`), any TOML, as written.
    #[serde(default, skip_serializing)]
    pub extra: toml::Table,
}

use crate::fields::{Field, Schema, Shape};

/// The keys of `briefing.toml`, read by `fields` before the typed reading: every problem
/// of the file at once, in plain words.
static CONFIG_SCHEMA: Schema = Schema {
    name: "briefing.toml",
    entry: "site",
    fields: &[
        Field::new("title", Shape::Text, "\"Visit to China — January 2026\"").required(),
        Field::new("description", Shape::Text, "\"Briefing book\""),
        Field::new("language", Shape::Text, "\"en-CA\""),
        Field::new("base_url", Shape::Text, "\"https://example.org/briefing/\""),
        Field::new("output_dir", Shape::Text, "\"public\""),
        Field::new("portable", Shape::Bool, "true"),
        Field::new(
            "handling",
            Shape::Text,
            "\"UNCLASSIFIED — for internal use\"",
        ),
        Field::new("pdf", Shape::Bool, "true"),
        Field::new("author", Shape::Text, "\"Global Affairs Canada\""),
        Field::new(
            "stale_after_days",
            Shape::Whole {
                min: 0,
                max: u32::MAX as i64,
            },
            "60",
        ),
        Field::new("themes", Shape::Tables(&THEME_SCHEMA), "[[themes]]"),
        Field::new("markings", Shape::Table(&MARKINGS_SCHEMA), "[markings]"),
        Field::new(
            "strings",
            Shape::Map(&Shape::Text, "\"Front page\""),
            "[strings]",
        ),
        Field::new(
            "languages",
            Shape::Map(&Shape::Table(&LANGUAGE_SCHEMA), "[languages.fr]"),
            "[languages.fr]",
        ),
        Field::new("extra", Shape::AnyTable, "[extra]"),
    ],
    renamed: &[
        (
            "baseURL",
            "briefing calls it `base_url`, like base_url = \"https://example.org/briefing/\"",
        ),
        (
            "baseurl",
            "briefing calls it `base_url`, like base_url = \"https://example.org/briefing/\"",
        ),
        (
            "languageCode",
            "briefing calls it `language`, like language = \"en-CA\"",
        ),
        (
            "default_language",
            "briefing calls it `language`, like language = \"en-CA\"",
        ),
        (
            "defaultContentLanguage",
            "briefing calls it `language`, like language = \"en-CA\"",
        ),
        (
            "publishDir",
            "briefing calls it `output_dir`, like output_dir = \"public\"",
        ),
        (
            "taxonomies",
            "briefing groups pages by themes, each a [[themes]] table with slug, name and color",
        ),
        (
            "params",
            "custom data goes in an [extra] table, which templates read as config.extra",
        ),
        (
            "theme",
            "briefing has one built-in theme: `briefing eject` copies its files into templates/ \
             and static/ to change them",
        ),
    ],
};

static THEME_SCHEMA: Schema = Schema {
    name: "[[themes]]",
    entry: "theme",
    fields: &[
        Field::new("slug", Shape::Text, "\"trade\"").required(),
        Field::new("name", Shape::Text, "\"Trade and tariffs\"").required(),
        Field::new(
            "description",
            Shape::Text,
            "\"Surtaxes, retaliation and market access.\"",
        ),
        Field::new("color", Shape::Text, "\"#9b2c2c\"").required(),
    ],
    renamed: &[],
};

static MARKINGS_SCHEMA: Schema = Schema {
    name: "[markings]",
    entry: "[markings] table",
    fields: &[
        Field::new("levels", Shape::Texts, "[\"UNCLASSIFIED\", \"SECRET\"]"),
        Field::new("default", Shape::Text, "\"UNCLASSIFIED\""),
    ],
    renamed: &[],
};

static LANGUAGE_SCHEMA: Schema = Schema {
    name: "[languages.CODE]",
    entry: "language",
    fields: &[
        Field::new("language", Shape::Text, "\"fr-CA\"").required(),
        Field::new("title", Shape::Text, "\"Visite en Chine — janvier 2026\""),
        Field::new("description", Shape::Text, "\"Cahier d’information\""),
        Field::new("handling", Shape::Text, "\"NON CLASSIFIÉ — usage interne\""),
        Field::new("author", Shape::Text, "\"Affaires mondiales Canada\""),
        Field::new(
            "themes",
            Shape::Map(
                &Shape::Table(&THEME_TEXT_SCHEMA),
                "[languages.fr.themes.trade]",
            ),
            "[languages.fr.themes.trade]",
        ),
        Field::new(
            "strings",
            Shape::Map(&Shape::Text, "\"Accueil\""),
            "[languages.fr.strings]",
        ),
        Field::new(
            "markings",
            Shape::Table(&LANGUAGE_MARKINGS_SCHEMA),
            "[languages.fr.markings]",
        ),
        Field::new("allow_missing_translations", Shape::Bool, "true"),
    ],
    renamed: &[],
};

static LANGUAGE_MARKINGS_SCHEMA: Schema = Schema {
    name: "[languages.CODE.markings]",
    entry: "[languages.CODE.markings] table",
    fields: &[Field::new("levels", Shape::Texts, "[\"NON CLASSIFIÉ\", \"PROTÉGÉ A\"]").required()],
    renamed: &[],
};

static THEME_TEXT_SCHEMA: Schema = Schema {
    name: "[languages.CODE.themes.SLUG]",
    entry: "theme",
    fields: &[
        Field::new("name", Shape::Text, "\"Commerce et droits de douane\""),
        Field::new(
            "description",
            Shape::Text,
            "\"Surtaxes et accès aux marchés.\"",
        ),
    ],
    renamed: &[],
};

/// `[languages.CODE]`: a language the site is also built in, and its text of every
/// translatable setting.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageTable {
    /// Its language tag (`fr-CA`): `lang` attributes, the feed, `hreflang`.
    pub language: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub handling: Option<String>,
    pub author: Option<String>,
    #[serde(default)]
    pub themes: BTreeMap<String, ThemeText>,
    #[serde(default)]
    pub strings: BTreeMap<String, String>,
    /// The site's marking levels as this language's pages show them.
    pub markings: Option<LanguageMarkings>,
    /// A page, theme or setting without its translation is a warning rather than an
    /// error, and the default language's text is used.
    #[serde(default)]
    pub allow_missing_translations: bool,
}

/// `[languages.CODE.markings]`: the names of the site's marking levels in that language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageMarkings {
    pub levels: Vec<String>,
}

/// A theme's name and description in another language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThemeText {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// `[markings]` as written in `briefing.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkingsTable {
    /// Lowest first; the Government of Canada's when left out.
    levels: Option<Vec<String>>,
    default: Option<String>,
}

/// A policy theme notes are grouped under on the index, shown in its colour.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub color: String,
}

fn default_language() -> String {
    "en".to_string()
}

fn default_output_dir() -> String {
    "public".to_string()
}

impl Config {
    /// Reads and validates `briefing.toml` in `root`.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read(&path) {
            Ok(bytes) => {
                crate::text::decode_text(Path::new(CONFIG_FILE), bytes).map_err(|d| vec![d])?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(vec![Diagnostic::error(
                    CONFIG_FILE,
                    format!(
                        "no {CONFIG_FILE} in {}: is this a briefing site? (`briefing init DIR` makes one)",
                        root.display()
                    ),
                )]);
            }
            Err(e) => return Err(vec![Diagnostic::io(Path::new(CONFIG_FILE), &e)]),
        };
        Config::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let node = crate::fields::parse_toml(text).map_err(|e| {
            let d = Diagnostic::error(CONFIG_FILE, toml_message(&e));
            vec![match e.span() {
                Some(span) => d.at_offset(text, span.start),
                None => d,
            }]
        })?;
        // Every key's problem at once, each at its line; the typed reading then takes what
        // is well formed, and the checks below run on it.
        let read = crate::fields::read(node, &CONFIG_SCHEMA, true);
        let mut diags: Vec<Diagnostic> = read
            .problems
            .into_iter()
            .map(|p| {
                let d = Diagnostic::error(CONFIG_FILE, p.message);
                match p.at {
                    Some(at) => d.at_offset(text, at),
                    None => d,
                }
            })
            .collect();
        let mut config: Config = match toml::Value::Table(read.table).try_into() {
            Ok(config) => config,
            Err(e) => {
                let e: toml::de::Error = e;
                if diags.is_empty() {
                    diags.push(Diagnostic::error(CONFIG_FILE, toml_message(&e)));
                }
                return Err(diags);
            }
        };
        let file = ConfigText(text);
        diags.extend(file.theme_problems(&config.themes));
        diags.extend(file.site_problems(&config));
        if let Some(table) = config.markings_table.take() {
            let levels = table.levels.unwrap_or_else(|| {
                crate::marking::GOVERNMENT_OF_CANADA
                    .map(String::from)
                    .to_vec()
            });
            match Markings::new(levels, table.default.as_deref()) {
                Ok(m) => config.markings = Some(m),
                Err(msg) => {
                    let key = if msg.contains("default") {
                        "default"
                    } else {
                        "levels"
                    };
                    let d = Diagnostic::error(CONFIG_FILE, msg);
                    diags.push(match markings_key_offset(text, key) {
                        Some(off) => d.at_offset(text, off),
                        None => d,
                    });
                }
            }
        }
        match crate::strings::Words::new(&config.language, &config.strings) {
            Ok(words) => config.words = words,
            Err(msg) => {
                diags.push(file.error(None, "strings", "[strings]", format!("[strings]: {msg}")))
            }
        }
        let (warnings, errors): (Vec<_>, Vec<_>) = file
            .language_problems(&config)
            .into_iter()
            .partition(|d| !d.is_error());
        config.warnings = warnings;
        diags.extend(errors);
        if diags.is_empty() {
            Ok(config)
        } else {
            Err(diags)
        }
    }

    /// This site's config as language `code` (a key of `[languages]`) has it: its title,
    /// description, handling line and themes in that language, its tag and its words.
    /// What has no translation is the default language's, with a warning where the
    /// language allows it (an error otherwise, found by `parse`).
    pub fn for_language(&self, code: &str) -> Config {
        let mut c = self.clone();
        c.translation = Some(code.to_string());
        c.warnings = Vec::new();
        let Some(l) = self.languages.get(code) else {
            return c;
        };
        c.language = l.language.clone();
        // Its pages' absolute addresses (canonical links, feed, calendar) are under its
        // folder.
        c.base_url = c
            .base_url
            .map(|b| format!("{}/{code}/", b.trim_end_matches('/')));
        if let Some(t) = &l.title {
            c.title = t.clone();
        }
        if let Some(d) = &l.description {
            c.description = d.clone();
        }
        if l.handling.is_some() {
            c.handling = l.handling.clone();
        }
        if l.author.is_some() {
            c.author = l.author.clone();
        }
        for theme in &mut c.themes {
            if let Some(t) = l.themes.get(&theme.slug) {
                if let Some(n) = &t.name {
                    theme.name = n.clone();
                }
                if let Some(d) = &t.description {
                    theme.description = d.clone();
                }
            }
        }
        if let Ok(words) = crate::strings::Words::new(&l.language, &l.strings) {
            c.words = words;
        }
        if let (Some(m), Some(names)) = (c.markings.as_mut(), &l.markings) {
            // Checked by `parse`.
            let _ = m.show_as(names.levels.clone());
        }
        c
    }

    /// The folder a language's pages are built under: `""` for the default language,
    /// `fr/` for `[languages.fr]`.
    pub fn language_prefix(&self) -> String {
        self.translation
            .as_ref()
            .map_or_else(String::new, |code| format!("{code}/"))
    }

    /// Makes this a release build at `max` (`--max-marking`): what is marked above it is
    /// left out. `Err` says why it cannot be.
    pub fn set_release(&mut self, max: &str) -> Result<(), String> {
        let Some(markings) = self.markings.as_mut() else {
            return Err(format!(
                "--max-marking {max:?}: this site has no [markings] table in briefing.toml, so nothing is marked"
            ));
        };
        match markings.level(max) {
            Some(level) => {
                markings.release = Some(level);
                Ok(())
            }
            None => Err(format!(
                "--max-marking: {}",
                crate::marking::unknown(max, markings)
            )),
        }
    }

    pub fn theme(&self, slug: &str) -> Option<&Theme> {
        self.themes.iter().find(|t| t.slug == slug)
    }
}

/// The text of `briefing.toml`, for problems that point at the key they are about.
struct ConfigText<'a>(&'a str);

impl ConfigText<'_> {
    /// An error at `key = …` in the given table (the n-th `[[themes]]`, or the top level),
    /// falling back to the first mention of the value.
    fn error(&self, table: Option<usize>, key: &str, needle: &str, msg: String) -> Diagnostic {
        let text = self.0;
        let d = Diagnostic::error(CONFIG_FILE, msg);
        match field_offset(text, table, key)
            .or_else(|| (!needle.is_empty()).then(|| text.find(needle)).flatten())
        {
            Some(off) => d.at_offset(text, off),
            None => d,
        }
    }

    /// Each theme's slug (well formed, and defined once) and colour.
    fn theme_problems(&self, themes: &[Theme]) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, theme) in themes.iter().enumerate() {
            if !is_slug(&theme.slug) {
                diags.push(self.error(
                    Some(i),
                    "slug",
                    &theme.slug,
                    format!(
                        "theme slug {:?} must be lowercase letters, digits, hyphens and underscores, not starting with a hyphen",
                        theme.slug
                    ),
                ));
            } else if !seen.insert(theme.slug.as_str()) {
                // Points at the second definition, not the first.
                diags.push(self.error(
                    Some(i),
                    "slug",
                    &theme.slug,
                    format!("theme slug {:?} is defined twice", theme.slug),
                ));
            }
            if !is_hex_color(&theme.color) {
                diags.push(self.error(
                    Some(i),
                    "color",
                    &theme.color,
                    format!(
                        "theme colour {:?} must be a hex colour such as \"#1f4e79\"",
                        theme.color
                    ),
                ));
            }
        }
        diags
    }

    /// Each `[languages.CODE]`: a code that can be a folder, a language tag, its words,
    /// and a translation of every translatable setting and theme (or, where the language
    /// allows it, a warning each).
    fn language_problems(&self, config: &Config) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        for (code, l) in &config.languages {
            let header = format!("[languages.{code}]");
            let at = |msg: String| {
                let d = Diagnostic::error(CONFIG_FILE, msg);
                match self.0.find(&header) {
                    Some(off) => d.at_offset(self.0, off),
                    None => d,
                }
            };
            if !(2..=8).contains(&code.len())
                || !code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            {
                diags.push(at(format!(
                    "language code {code:?} names the folder its pages are built in: use the \
                     language's lower-case code, such as \"fr\""
                )));
                continue;
            }
            if crate::strings::primary(&l.language) == crate::strings::primary(&config.language)
                && l.language.eq_ignore_ascii_case(&config.language)
            {
                diags.push(at(format!(
                    "{header}: language {:?} is the site's own language",
                    l.language
                )));
            }
            if !is_language_tag(&l.language) {
                diags.push(at(format!(
                    "{header}: language {:?} must be a language tag such as \"fr-CA\"",
                    l.language
                )));
            }
            if let Err(msg) = crate::strings::Words::new(&l.language, &l.strings) {
                diags.push(at(format!("[languages.{code}.strings]: {msg}")));
            }
            if let Some(names) = &l.markings {
                match config.markings.clone() {
                    None => diags.push(at(format!(
                        "[languages.{code}.markings]: the site has no [markings] to name"
                    ))),
                    Some(mut m) => {
                        if let Err(msg) = m.show_as(names.levels.clone()) {
                            diags.push(at(format!("[languages.{code}.markings] {msg}")));
                        }
                    }
                }
            }
            for slug in l.themes.keys() {
                if config.theme(slug).is_none() {
                    diags.push(at(format!(
                        "[languages.{code}.themes.{slug}]: there is no theme {slug:?} in briefing.toml{}",
                        crate::text::did_you_mean(slug, config.themes.iter().map(|t| t.slug.as_str()))
                    )));
                }
            }
            let mut missing = Vec::new();
            if l.title.is_none() {
                missing.push("title".to_string());
            }
            if !config.description.is_empty() && l.description.is_none() {
                missing.push("description".to_string());
            }
            if config.handling.is_some() && l.handling.is_none() {
                missing.push("handling".to_string());
            }
            if config.author.is_some() && l.author.is_none() {
                missing.push("author".to_string());
            }
            for t in &config.themes {
                let given = l.themes.get(&t.slug);
                if given.and_then(|g| g.name.as_ref()).is_none() {
                    missing.push(format!("themes.{}.name", t.slug));
                }
                if !t.description.is_empty() && given.and_then(|g| g.description.as_ref()).is_none()
                {
                    missing.push(format!("themes.{}.description", t.slug));
                }
            }
            for key in missing {
                let msg = format!(
                    "{header} gives no {key}: translate it (or set allow_missing_translations = true \
                     to use the default language's)"
                );
                if l.allow_missing_translations {
                    let d = at(msg);
                    diags.push(Diagnostic {
                        severity: crate::diagnostic::Severity::Warning,
                        ..d
                    });
                } else {
                    diags.push(at(msg));
                }
            }
        }
        diags
    }

    /// The top-level settings: `language`, `base_url` and `output_dir`.
    fn site_problems(&self, config: &Config) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        if !is_language_tag(&config.language) {
            diags.push(self.error(
                None,
                "language",
                &config.language,
                format!(
                    "language {:?} must be a language tag such as \"en\", \"en-CA\" or \"fr-CA\"",
                    config.language
                ),
            ));
        }
        if let Some(url) = &config.base_url
            && let Err(msg) = check_base_url(url)
        {
            diags.push(self.error(None, "base_url", url, format!("base_url {msg}")));
        }
        if let Err(msg) = check_output_dir(&config.output_dir) {
            diags.push(self.error(
                None,
                "output_dir",
                &config.output_dir,
                format!("output_dir {:?} {msg}", config.output_dir),
            ));
        }
        diags
    }
}

/// The byte offset of the value of `key = …` in `briefing.toml`: in the `index`-th
/// `[[themes]]` table, or with `None` at the top level (before any table header).
fn field_offset(text: &str, table: Option<usize>, key: &str) -> Option<usize> {
    let mut offset = 0;
    let mut current = None; // None: top level; Some(Some(i)): i-th theme; Some(None): other
    let mut themes = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[') {
            let header: String = t
                .chars()
                .take_while(|&c| c != '#')
                .filter(|c| !c.is_whitespace())
                .collect();
            current = Some(if header == "[[themes]]" {
                themes += 1;
                Some(themes - 1)
            } else {
                None
            });
        } else if current == table.map(Some) {
            let name = t
                .split('=')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\'']);
            if name == key
                && let Some(eq) = line.find('=')
            {
                let value = &line[eq + 1..];
                return Some(offset + eq + 1 + (value.len() - value.trim_start().len()));
            }
        }
        offset += line.len();
    }
    None
}

/// The byte offset of `key = …` in the `[markings]` table, else of the table's header.
fn markings_key_offset(text: &str, key: &str) -> Option<usize> {
    let header = text.find("[markings]")?;
    let mut lines = text[header..].split_inclusive('\n');
    let mut offset = header + lines.next().map_or(0, str::len);
    for line in lines {
        let t = line.trim_start();
        if t.starts_with('[') {
            break;
        }
        if t.split('=').next().is_some_and(|k| k.trim() == key) {
            return Some(offset + (line.len() - t.len()));
        }
        offset += line.len();
    }
    Some(header)
}

/// `output_dir` from a (possibly cloned) config must name a folder inside the site: the
/// build replaces that folder whole. Only `--output` on the command line may point elsewhere.
fn check_output_dir(dir: &str) -> Result<(), &'static str> {
    use std::path::Component;
    let path = Path::new(dir);
    if dir.trim().is_empty() {
        return Err("is empty: name a folder inside the site, such as \"public\"");
    }
    if path.is_absolute() || dir.starts_with('~') || dir.contains('\\') || dir.contains(':') {
        return Err(
            "must be a relative path inside the site folder (pass --output to build elsewhere)",
        );
    }
    let mut depth = 0usize;
    for c in path.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => depth -= 1,
            _ => {
                return Err(
                    "leads outside the site folder: it must name a folder inside it (pass --output to build elsewhere)",
                );
            }
        }
    }
    if depth == 0 {
        return Err("is the site folder itself: name a folder inside it, such as \"public\"");
    }
    Ok(())
}

pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !s.starts_with('-')
}

fn is_hex_color(s: &str) -> bool {
    let Some(hex) = s.strip_prefix('#') else {
        return false;
    };
    matches!(hex.len(), 3 | 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The shape of a BCP 47 tag (`en`, `en-CA`, `zh-Hans-CN`): it becomes `<html lang>`, which
/// screen readers use to choose a voice.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A `base_url` (from the config or `--base-url`) is an absolute web address: the sitemap,
/// feed and canonical links are built on it. The error completes "base_url …".
pub fn check_base_url(url: &str) -> Result<(), String> {
    let host =
        web_host(url).ok_or_else(|| format!("{url:?} must start with http:// or https://"))?;
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "{url:?} must be a whole web address with a host and no spaces, like \"https://example.org/briefing/\""
        ));
    }
    Ok(())
}

/// The host part of an http(s) URL, the scheme in any case as URLs allow (`""` for
/// `https://`), or `None` for any other scheme.
pub fn web_host(url: &str) -> Option<&str> {
    let rest = ["http://", "https://"].iter().find_map(|scheme| {
        url.get(..scheme.len())
            .filter(|p| p.eq_ignore_ascii_case(scheme))
            .map(|_| &url[scheme.len()..])
    })?;
    rest.split(['/', '?', '#']).next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theme_problems_point_at_their_own_table() {
        let text = "title = \"Trade and red tape\"\n[[themes]]\nslug = \"trade\"\nname = \"T\"\n\
                    color = \"#123456\"\n[[themes]] # again\nslug = \"trade\"\nname = \"T\"\n\
                    color = \"red\"\n";
        assert_eq!(field_offset(text, Some(1), "slug"), text.rfind("\"trade\""));
        assert_eq!(field_offset(text, Some(1), "color"), text.find("\"red\""));
        assert_eq!(field_offset(text, None, "title"), Some(8));
        assert_eq!(field_offset(text, Some(2), "slug"), None);
        let diags = Config::parse(text).unwrap_err();
        let lines: Vec<_> = diags.iter().map(|d| d.to_string()).collect();
        assert_eq!(diags.len(), 2, "{lines:?}");
    }
}
