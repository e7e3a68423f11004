//! The words the theme prints, in each language: one table per language, built in for
//! English and French, overridden key by key in `briefing.toml` (`[strings]` for the
//! default language, `[languages.CODE.strings]` for another). A language with no built-in
//! table gives every key. Templates read the table as `t` (`{{ t.as_of }}`); dates and
//! times are written from it too (`dates`), so a third language is configuration.

use std::collections::BTreeMap;

/// The built-in tables, by primary language subtag.
const BUILT_IN: [(&str, &str); 2] = [
    ("en", include_str!("strings/en.toml")),
    ("fr", include_str!("strings/fr.toml")),
];

/// One language's words, every key present.
#[derive(Debug, Clone)]
pub struct Words {
    table: BTreeMap<String, String>,
    pub(crate) months: Vec<String>,
    pub(crate) months_short: Vec<String>,
    pub(crate) weekdays: Vec<String>,
    /// Whether its dates read as the English built-in's (`14 January 2026`), which
    /// `dates` writes by a faster path.
    pub(crate) plain_dates: bool,
    /// The callouts' titles (`callout_note` … `callout_caution`), looked up once: every
    /// page's body asks for them.
    callouts: [String; 5],
}

const CALLOUT_KEYS: [&str; 5] = [
    "callout_note",
    "callout_tip",
    "callout_important",
    "callout_warning",
    "callout_caution",
];

impl Default for Words {
    fn default() -> Words {
        Words::english()
    }
}

/// The English built-in table, parsed once: its keys are every table's.
fn english_table() -> &'static BTreeMap<String, String> {
    static TABLE: std::sync::OnceLock<BTreeMap<String, String>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| built_in("en").unwrap_or_default())
}

/// The keys every table has: the English built-in's.
pub fn keys() -> Vec<String> {
    english_table().keys().cloned().collect()
}

fn built_in(primary: &str) -> Option<BTreeMap<String, String>> {
    let (_, text) = BUILT_IN.iter().find(|(code, _)| *code == primary)?;
    toml::from_str(text).ok()
}

/// The primary subtag of a language tag, lower case: `fr-CA` → `fr`.
pub fn primary(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .to_ascii_lowercase()
}

impl Words {
    /// The words of language `tag`: its built-in table (if any) with `overrides` over it.
    /// `Err` says what is wrong: an unknown key (with did-you-mean), or, for a language
    /// with no built-in table, every key not given.
    pub fn new(tag: &str, overrides: &BTreeMap<String, String>) -> Result<Words, String> {
        let keys = keys();
        for key in overrides.keys() {
            if !keys.contains(key) {
                return Err(format!(
                    "unknown string {key:?}{}",
                    crate::text::did_you_mean(key, keys.iter().map(String::as_str))
                ));
            }
        }
        let mut table = built_in(&primary(tag)).unwrap_or_default();
        let given_all = table.is_empty();
        table.extend(overrides.iter().map(|(k, v)| (k.clone(), v.clone())));
        let missing: Vec<&str> = keys
            .iter()
            .filter(|k| !table.contains_key(*k))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            debug_assert!(given_all);
            return Err(format!(
                "briefing has no built-in words for language {tag:?}, so its strings table must \
                 give every key; missing: {}",
                missing.join(", ")
            ));
        }
        let list = |key: &str, n: usize| -> Result<Vec<String>, String> {
            let items: Vec<String> = table
                .get(key)
                .map(|s| s.split(',').map(|x| x.trim().to_string()).collect())
                .unwrap_or_default();
            if items.len() == n {
                Ok(items)
            } else {
                Err(format!(
                    "string {key:?} must list {n} names separated by commas (found {})",
                    items.len()
                ))
            }
        };
        let months = list("months", 12)?;
        let months_short = list("months_short", 12)?;
        let weekdays = list("weekdays", 7)?;
        let english = english_table();
        let plain_dates = ["months", "first_of_month"]
            .iter()
            .all(|k| table.get(*k) == english.get(*k));
        let callouts = CALLOUT_KEYS.map(|k| table.get(k).cloned().unwrap_or_default());
        Ok(Words {
            table,
            months,
            months_short,
            weekdays,
            plain_dates,
            callouts,
        })
    }

    /// The English built-in words.
    pub fn english() -> Words {
        Words::new("en", &BTreeMap::new()).unwrap_or_else(|_| Words {
            table: BTreeMap::new(),
            months: Vec::new(),
            months_short: Vec::new(),
            weekdays: Vec::new(),
            plain_dates: true,
            callouts: Default::default(),
        })
    }

    /// The word for `key` (empty for a key no table has, which `new` rules out).
    pub fn get(&self, key: &str) -> &str {
        self.table.get(key).map_or("", String::as_str)
    }

    /// The titles of the callouts (`> [!NOTE]`) in this language.
    pub fn callouts(&self) -> crate::markdown::CalloutTitles<'_> {
        let [note, tip, important, warning, caution] = &self.callouts;
        crate::markdown::CalloutTitles {
            note,
            tip,
            important,
            warning,
            caution,
        }
    }

    /// The word for `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        fill(self.get(key), values)
    }

    /// Every key and its word, as templates see them (`t`).
    pub fn table(&self) -> &BTreeMap<String, String> {
        &self.table
    }
}

/// `pattern` with each `{name}` replaced by its value, in one pass (a value is never
/// read again as a pattern).
pub fn fill(pattern: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (close, *v))
        }) {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_table_has_every_key_and_no_other() {
        let keys = keys();
        assert!(keys.len() > 50);
        for (code, _) in BUILT_IN {
            let table = built_in(code).unwrap_or_default();
            let own: Vec<&String> = table.keys().collect();
            assert_eq!(own, keys.iter().collect::<Vec<_>>(), "{code}");
            assert!(Words::new(code, &BTreeMap::new()).is_ok(), "{code}");
        }
    }

    #[test]
    fn a_language_without_built_in_words_lists_every_missing_key() {
        let mut given = BTreeMap::new();
        given.insert("home".to_string(), "Startseite".to_string());
        let err = Words::new("de", &given).err().unwrap_or_default();
        assert!(err.contains("missing: "), "{err}");
        assert!(
            err.contains("skip_to_content") && !err.contains(" home,"),
            "{err}"
        );
        let err = Words::new("fr-CA", &[("hom".to_string(), String::new())].into())
            .err()
            .unwrap_or_default();
        assert!(
            err.contains("unknown string \"hom\"") && err.contains("home"),
            "{err}"
        );
    }

    #[test]
    fn fill_replaces_names_once() {
        assert_eq!(
            fill("du {day} au {end}", &[("day", "{end}"), ("end", "16")]),
            "du {end} au 16"
        );
        assert_eq!(fill("{unknown} {", &[]), "{unknown} {");
    }
}
