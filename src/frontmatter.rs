//! Splitting a note into front matter and body, and parsing the front matter (TOML between
//! `+++` lines, or YAML between `---` lines) into its raw, untyped-but-shaped form.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Yaml,
}

/// A note split in two. Offsets are byte offsets into the whole (decoded) file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Format,
    pub front_matter: &'a str,
    pub front_matter_offset: usize,
    pub body: &'a str,
    pub body_offset: usize,
}

/// Why a file could not be split; the offset says where to point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub message: String,
    pub offset: usize,
}

/// Splits `text` at its front-matter fences. The opening fence must be the first line.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    if text.trim().is_empty() {
        return Err(SplitError {
            message: "the file is empty: a page needs front matter with at least a title, \
                      e.g. `+++` / `title = \"…\"` / `+++`"
                .into(),
            offset: 0,
        });
    }
    let first_line_end = text.find('\n').unwrap_or(text.len());
    let (fence, format) = match text[..first_line_end].trim_end() {
        "+++" => ("+++", Format::Toml),
        "---" => ("---", Format::Yaml),
        _ => {
            return Err(SplitError {
                message: "expected front matter: the first line must be `+++` (TOML) or `---` \
                          (YAML), followed by at least a title and a closing fence"
                    .into(),
                offset: 0,
            });
        }
    };
    let fm_start = (first_line_end + 1).min(text.len());
    let mut pos = fm_start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if text[pos..end].trim_end() == fence {
            let body_offset = (end + 1).min(text.len());
            return Ok(Split {
                format,
                front_matter: &text[fm_start..pos],
                front_matter_offset: fm_start,
                body: &text[body_offset..],
                body_offset,
            });
        }
        pos = end + 1;
    }
    Err(SplitError {
        message: format!(
            "the front matter opened by `{fence}` on line 1 is never closed: add a line with \
             just `{fence}` after it"
        ),
        offset: 0,
    })
}

/// Parses front matter into `T`. Errors carry a byte offset relative to the front matter.
pub fn parse<T: for<'de> Deserialize<'de>>(
    format: Format,
    front_matter: &str,
) -> Result<T, SplitError> {
    match format {
        Format::Toml => toml::from_str(front_matter).map_err(|e| SplitError {
            message: format!(
                "invalid TOML front matter: {}",
                crate::config::toml_message(&e)
            ),
            offset: e.span().map_or(0, |s| s.start),
        }),
        Format::Yaml => {
            // An empty YAML document is null; treat it as an empty mapping.
            let src = if front_matter.trim().is_empty() {
                "{}"
            } else {
                front_matter
            };
            serde_norway::from_str(src).map_err(|e| {
                let offset = e
                    .location()
                    .map_or(0, |l| l.index().min(front_matter.len()));
                yaml_error(front_matter, &e.to_string(), offset)
            })
        }
    }
}

/// Turns serde_norway's message into ours. It reads "PROBLEM at line X column Y" and, for
/// an unclosed construct, ", while scanning a quoted scalar at line X column Y": the
/// location is shown anyway, but where the construct opened is the line the author needs.
fn yaml_error(front_matter: &str, msg: &str, offset: usize) -> SplitError {
    let without_location = |s: &str| s.find(" at line ").map_or(s, |i| &s[..i]).to_string();
    let (problem, context) = match msg.split_once(", while ") {
        Some((p, c)) => (without_location(p), Some(c)),
        None => (without_location(msg), None),
    };
    let mut message = format!("invalid YAML front matter: {problem}");
    let mut offset = offset;
    if let Some(context) = context {
        let what = without_location(context);
        let opened = context
            .rsplit_once(" at line ")
            .and_then(|(_, loc)| loc.split_once(" column "))
            .and_then(|(l, c)| {
                Some((
                    l.trim().parse::<usize>().ok()?,
                    c.trim().parse::<usize>().ok()?,
                ))
            });
        match opened.and_then(|(l, c)| line_column_offset(front_matter, l, c).map(|o| (l, o))) {
            // Nothing closed it: point at where it opened.
            Some((_, at)) if problem.contains("end of stream") => {
                message.push_str(&format!(" while {what}: it is never closed"));
                offset = at;
            }
            // The front matter starts on the file's second line.
            Some((line, _)) => {
                message.push_str(&format!(" while {what} that starts on line {}", line + 1))
            }
            None => message.push_str(&format!(" while {what}")),
        }
    }
    SplitError { message, offset }
}

/// The byte offset of a 1-based line and (character) column, if it exists.
fn line_column_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    let rest = text.get(start..)?;
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    Some((start + within).min(text.len()))
}

/// A date as written, TOML date or quoted string alike; validated later so the error can
/// name the field and say what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateText(pub String);

impl<'de> Deserialize<'de> for DateText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = DateText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a date such as 2026-01-14")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<DateText, E> {
                Ok(DateText(s.to_string()))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<DateText, E> {
                Ok(DateText(n.to_string()))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<DateText, E> {
                Ok(DateText(n.to_string()))
            }
            // TOML dates arrive as a one-entry map holding their text.
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<DateText, M::Error> {
                let mut text = None;
                while let Some((_, v)) = map.next_entry::<String, String>()? {
                    text = Some(v);
                }
                text.map(DateText)
                    .ok_or_else(|| de::Error::custom("expected a date such as 2026-01-14"))
            }
        }
        d.deserialize_any(DateVisitor)
    }
}

/// Finds the byte offset (within `front_matter`) of the line that sets `key`, for errors
/// that come from validation rather than parsing.
pub fn locate_key(front_matter: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in front_matter.split_inclusive('\n') {
        let t = line.trim_start();
        let t = t.strip_prefix("- ").unwrap_or(t);
        if let Some(rest) = t.strip_prefix(key) {
            let rest = rest.trim_start();
            if rest.starts_with('=') || rest.starts_with(':') {
                return Some(offset + (line.len() - line.trim_start().len()));
            }
        }
        offset += line.len();
    }
    None
}

/// Finds the byte offset of `value` written as a string (quoted) in the front matter,
/// falling back to the bare text.
pub fn locate_value(front_matter: &str, value: &str) -> Option<usize> {
    if value.is_empty() {
        return None;
    }
    for quote in ['"', '\''] {
        let needle = format!("{quote}{value}{quote}");
        if let Some(i) = front_matter.find(&needle) {
            return Some(i);
        }
    }
    front_matter.find(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_and_yaml() {
        let s = split("+++\ntitle = \"a\"\n+++\nbody\n").unwrap();
        assert_eq!(s.format, Format::Toml);
        assert_eq!(s.front_matter, "title = \"a\"\n");
        assert_eq!(s.body, "body\n");
        let s = split("---\ntitle: a\n---\n").unwrap();
        assert_eq!(s.format, Format::Yaml);
        assert_eq!(s.body, "");
    }

    #[test]
    fn unclosed_and_missing() {
        assert!(
            split("+++\ntitle = 1\n")
                .unwrap_err()
                .message
                .contains("never closed")
        );
        assert!(
            split("# hi")
                .unwrap_err()
                .message
                .contains("expected front matter")
        );
        assert!(split("").unwrap_err().message.contains("empty"));
    }

    #[test]
    fn an_unclosed_yaml_quote_points_where_it_opened() {
        let fm = "title: \"Unclosed\nsummary: x\n";
        let e = parse::<std::collections::BTreeMap<String, serde_norway::Value>>(Format::Yaml, fm)
            .unwrap_err();
        assert_eq!(e.offset, 7, "{e:?}");
        assert!(
            e.message
                .contains("while scanning a quoted scalar: it is never closed"),
            "{e:?}"
        );
        let fm = "title: [a, b\nsummary: x\n";
        let e = parse::<std::collections::BTreeMap<String, serde_norway::Value>>(Format::Yaml, fm)
            .unwrap_err();
        assert!(
            e.message.contains("flow sequence that starts on line 2"),
            "{e:?}"
        );
        assert_eq!(line_column_offset("ab\ncd", 2, 2), Some(4));
        assert_eq!(line_column_offset("ab", 9, 1), Some(2));
        assert_eq!(line_column_offset("ab", 0, 1), None);
    }

    #[test]
    fn locates_keys() {
        let fm = "title = \"x\"\nthemes = [\"a\"]\n";
        assert_eq!(locate_key(fm, "themes"), Some(12));
        assert_eq!(locate_value(fm, "a"), Some(22));
    }
}
