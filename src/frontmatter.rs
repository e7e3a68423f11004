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
    // Both parsers take time superlinear in the nesting depth (a 100,000-deep YAML list took
    // 94 s to fail) and build trees as deep, which are dropped recursively: refuse deep
    // input before either sees it.
    check_depth(format, front_matter)?;
    match format {
        Format::Toml => toml::from_str(front_matter).map_err(|e| SplitError {
            message: format!(
                "invalid TOML front matter: {}",
                crate::text::toml_message(&e)
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

/// Parses front matter into a tree of nodes with their places (offsets relative to the
/// front matter), for `fields` to read against a schema. Errors as `parse`'s.
pub fn parse_fields(format: Format, front_matter: &str) -> Result<crate::fields::Node, SplitError> {
    check_depth(format, front_matter)?;
    match format {
        Format::Toml => crate::fields::parse_toml(front_matter).map_err(|e| SplitError {
            message: format!(
                "invalid TOML front matter: {}",
                crate::text::toml_message(&e)
            ),
            offset: e.span().map_or(0, |s| s.start),
        }),
        Format::Yaml => crate::fields::parse_yaml(front_matter).map_err(|e| {
            let offset = e
                .location()
                .map_or(0, |l| l.index().min(front_matter.len()));
            yaml_error(front_matter, &e.to_string(), offset)
        }),
    }
}

/// How deep front matter may nest: a table holding a list of tables holding a date is
/// three levels, so this is far more than any page needs.
pub const MAX_DEPTH: usize = 64;

/// Refuses `depth` levels where they exceed `MAX_DEPTH`, pointing at `offset`: the one
/// test both scans (and the YAML flow scan) make each time something opens.
fn within_depth(depth: usize, offset: usize) -> Result<(), SplitError> {
    if depth > MAX_DEPTH {
        return Err(too_deep(offset));
    }
    Ok(())
}

fn too_deep(offset: usize) -> SplitError {
    SplitError {
        message: format!(
            "the front matter is nested more than {MAX_DEPTH} levels deep here: front matter \
             needs a few levels at most (a table, a list of tables); flatten it"
        ),
        offset,
    }
}

/// Refuses front matter nested more than `MAX_DEPTH` deep, in one pass over its bytes. It
/// does not parse: it follows only what nests (brackets, braces, dotted keys, list dashes
/// and indentation) and skips strings and comments, erring towards counting too much
/// rather than too little where a quote could be read either way, so that no input the
/// parsers would nest deeply gets past it.
pub fn check_depth(format: Format, front_matter: &str) -> Result<(), SplitError> {
    match format {
        Format::Toml => toml_depth(front_matter.as_bytes()),
        Format::Yaml => yaml_depth(front_matter.as_bytes()),
    }
}

fn toml_depth(b: &[u8]) -> Result<(), SplitError> {
    let mut nesting = TomlNesting::default();
    let mut i = 0;
    while i < b.len() {
        i = match b[i] {
            b'"' | b'\'' => {
                nesting.line_start = false;
                skip_toml_string(b, i)
            }
            b'#' => line_end(b, i),
            b'\n' => {
                nesting.new_line();
                i + 1
            }
            b' ' | b'\t' | b'\r' => i + 1,
            _ => nesting.token(b, i)?,
        };
    }
    Ok(())
}

/// How deep TOML front matter is nested at a point of `toml_depth`'s scan, and whether a
/// key or a value comes next (a `[` opens a table header in one place, an array in the
/// other; a `.` adds a level only in a key).
struct TomlNesting {
    /// Open `[` and `{` of values, each with the levels it adds (1, plus the dots of the
    /// dotted key it is the value of).
    stack: Vec<(u8, usize)>,
    /// The levels of `stack`, added up.
    total: usize,
    expect_key: bool,
    /// The dots of the key being read: `a.b.c = 1` nests two levels.
    key_dots: usize,
    line_start: bool,
}

impl Default for TomlNesting {
    fn default() -> Self {
        TomlNesting {
            stack: Vec::new(),
            total: 0,
            expect_key: true,
            key_dots: 0,
            line_start: true,
        }
    }
}

impl TomlNesting {
    /// Outside any array or inline table, a new line starts a new key.
    fn new_line(&mut self) {
        if self.stack.is_empty() {
            self.expect_key = true;
            self.key_dots = 0;
        }
        self.line_start = true;
    }

    /// Reads the byte at `i`, neither space, comment nor string; returns where to go on.
    fn token(&mut self, b: &[u8], i: usize) -> Result<usize, SplitError> {
        let c = b[i];
        let at_line_start = std::mem::replace(&mut self.line_start, false);
        match c {
            b'[' if self.expect_key && self.stack.is_empty() && at_line_start => {
                return skip_table_header(b, i);
            }
            b'.' if self.expect_key => {
                self.key_dots += 1;
                within_depth(self.total + self.key_dots + 1, i)?;
            }
            b'=' if self.expect_key => self.expect_key = false,
            b'[' | b'{' if !self.expect_key => self.open(c, i)?,
            b']' | b'}' => {
                if let Some((_, levels)) = self.stack.pop() {
                    self.total -= levels;
                }
                self.expect_key = false;
            }
            b',' if self.stack.last().is_some_and(|(open, _)| *open == b'{') => {
                self.expect_key = true;
                self.key_dots = 0;
            }
            _ => {}
        }
        Ok(i + 1)
    }

    /// An array or inline table opening at `i`, as deep as the key it is the value of.
    fn open(&mut self, c: u8, i: usize) -> Result<(), SplitError> {
        let levels = 1 + std::mem::take(&mut self.key_dots);
        self.total += levels;
        self.stack.push((c, levels));
        within_depth(self.total, i)?;
        if c == b'{' {
            self.expect_key = true;
        }
        Ok(())
    }
}

/// A table header, `[a.b]` or `[[a.b]]`, opening at `i`: as deep as it has keys. Returns
/// the index of the `]` or line end that closes it, which the scan reads next.
fn skip_table_header(b: &[u8], i: usize) -> Result<usize, SplitError> {
    let mut levels = 1;
    let mut i = i + 1;
    while i < b.len() && b[i] != b'\n' && b[i] != b']' {
        match b[i] {
            b'"' | b'\'' => {
                i = skip_toml_string(b, i);
                continue;
            }
            b'.' => {
                levels += 1;
                within_depth(levels, i)?;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(i)
}

/// The index just past the TOML string opening at `i` (basic, literal, or either's
/// multi-line form); the end of the line or text if it is never closed.
fn skip_toml_string(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let triple = b.get(i..i + 3) == Some(&[q, q, q][..]);
    let mut j = i + if triple { 3 } else { 1 };
    while j < b.len() {
        // Only a quote, a backslash or a line end can end the string or skip a byte.
        match memchr::memchr3(q, b'\\', b'\n', &b[j..]) {
            Some(n) => j += n,
            None => return b.len(),
        }
        match b[j] {
            b'\\' if q == b'"' => j += 2,
            c if c == q && !triple => return j + 1,
            c if c == q && b.get(j..j + 3) == Some(&[q, q, q][..]) => {
                // `""""` ends with a quote inside: up to two more belong to the string.
                let mut k = j + 3;
                while k < b.len() && k < j + 5 && b[k] == q {
                    k += 1;
                }
                return k;
            }
            b'\n' if !triple => return j,
            _ => j += 1,
        }
    }
    b.len()
}

fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n)
}

fn yaml_depth(b: &[u8]) -> Result<(), SplitError> {
    // Indentation of the block nodes open at the current line.
    let mut indents: Vec<usize> = Vec::new();
    // Inside a `|` or `>` scalar: lines more indented than this are its text.
    let mut scalar_parent: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        let line = YamlLine::at(b, i);
        if let Some(parent) = scalar_parent {
            if line.blank || line.indent > parent {
                i = line.end + 1;
                continue;
            }
            scalar_parent = None;
        }
        if line.blank {
            i = line.end + 1;
            continue;
        }
        let depth = block_depth(&mut indents, line.indent);
        within_depth(depth, line.content)?;
        let rest = yaml_line_rest(b, line.content, depth)?;
        if rest.opens_block_scalar {
            scalar_parent = Some(line.indent);
        }
        i = rest.end + 1;
    }
    Ok(())
}

/// A line of YAML front matter starting at `start`, as its indentation shows it.
struct YamlLine {
    indent: usize,
    /// Where its content starts, past the indentation.
    content: usize,
    /// Its `\n`, or the end of the text.
    end: usize,
    /// Empty, all whitespace, or a comment.
    blank: bool,
}

impl YamlLine {
    fn at(b: &[u8], start: usize) -> YamlLine {
        let end = line_end(b, start);
        let indent = b[start..end].iter().take_while(|&&c| c == b' ').count();
        let content = start + indent;
        let blank = b[content..end].iter().all(|c| c.is_ascii_whitespace()) || b[content] == b'#';
        YamlLine {
            indent,
            content,
            end,
            blank,
        }
    }
}

/// The block nodes open at a line indented by `indent`: those indented less stay open, and
/// a line indented more than all of them opens one more.
fn block_depth(indents: &mut Vec<usize>, indent: usize) -> usize {
    while indents.last().is_some_and(|&top| top > indent) {
        indents.pop();
    }
    if indents.last().is_none_or(|&top| top < indent) {
        indents.push(indent);
    }
    indents.len()
}

/// Where the scan of a line's content stopped, and whether it opened a block scalar.
struct LineRest {
    /// The `\n` ending the line, or the end of the text; past the first line for a flow
    /// collection or quoted scalar that runs over lines.
    end: usize,
    opens_block_scalar: bool,
}

/// Scans the content of a line from `content`, at `depth`, for what nests further on it.
fn yaml_line_rest(b: &[u8], content: usize, mut depth: usize) -> Result<LineRest, SplitError> {
    let stop = |end, opens_block_scalar| {
        Ok(LineRest {
            end,
            opens_block_scalar,
        })
    };
    let mut j = content;
    let mut at_value = true;
    while j < b.len() && b[j] != b'\n' {
        let c = b[j];
        let next_is_space = b.get(j + 1).is_none_or(|n| n.is_ascii_whitespace());
        if c == b' ' || c == b'\t' || c == b'\r' {
            j += 1;
            continue;
        }
        if c == b'#' && j > 0 && matches!(b[j - 1], b' ' | b'\t') {
            return stop(line_end(b, j), false);
        }
        if at_value {
            match c {
                // `- - x`, `? x`, `: x`: each opens a node inside the last.
                b'-' | b'?' | b':' if next_is_space => {
                    depth += 1;
                    within_depth(depth, j)?;
                    j += 1;
                    continue;
                }
                // An anchor or tag before the value.
                b'&' | b'!' => {
                    while j < b.len() && !b[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    continue;
                }
                b'[' | b'{' => {
                    j = skip_yaml_flow(b, j, depth)?;
                    at_value = false;
                    continue;
                }
                b'"' | b'\'' => {
                    j = skip_yaml_quoted(b, j);
                    at_value = false;
                    continue;
                }
                b'|' | b'>' => return stop(line_end(b, j), true),
                _ => at_value = false,
            }
        } else if c == b':' && next_is_space {
            // `key: value`: the value starts after the colon.
            at_value = true;
        }
        j += 1;
    }
    stop(j, false)
}

/// The index just past the flow collection opening at `i`, refusing it if it nests
/// deeper than `MAX_DEPTH` counting the `depth` it starts at.
fn skip_yaml_flow(b: &[u8], i: usize, depth: usize) -> Result<usize, SplitError> {
    let mut open = 0usize;
    let mut j = i;
    while j < b.len() {
        let c = b[j];
        // A quote starts a quoted scalar only where a value can start; elsewhere (`it's`)
        // it is part of a plain one.
        let token_start = j == 0 || matches!(b[j - 1], b' ' | b'\t' | b'\n' | b'[' | b'{' | b',');
        match c {
            b'[' | b'{' => {
                open += 1;
                within_depth(depth + open, j)?;
            }
            b']' | b'}' => {
                open -= 1;
                if open == 0 {
                    return Ok(j + 1);
                }
            }
            b'"' | b'\'' if token_start => {
                j = skip_yaml_quoted(b, j);
                continue;
            }
            b'#' if j > 0 && b[j - 1].is_ascii_whitespace() => {
                j = line_end(b, j);
                continue;
            }
            _ => {}
        }
        j += 1;
    }
    Ok(b.len())
}

/// The index just past the YAML quoted scalar opening at `i` (`"…"` with `\` escapes, or
/// `'…'` with `''`); the end of the text if it is never closed.
fn skip_yaml_quoted(b: &[u8], i: usize) -> usize {
    let q = b[i];
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' if q == b'"' => j += 2,
            b'\'' if q == b'\'' && b.get(j + 1) == Some(&b'\'') => j += 2,
            c if c == q => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
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
    let mut message = format!(
        "invalid YAML front matter: {}",
        crate::text::with_suggestion(&problem)
    );
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
    crate::fields::locate_key(front_matter, key)
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
    fn strings_are_skipped_to_their_end() {
        let cases = [
            (r#""plain" = 1"#, 7),
            (r#""a \" b" x"#, 8),
            (r#""a \\" b"#, 6),
            (r"'a \' b", 5),
            ("\"open\nnext", 5),
            ("'open\nnext", 5),
            ("\"never closed", 13),
            ("\"\"\"multi\nline\" \"\" \"\"\" x", 21),
            ("'''a\n'' ''' x", 11),
            ("\"\"\"\"\"\"\" x", 7),
            ("\"\"\"ab\"\"\"\"\" x", 10),
            ("\"\"\"never closed\n", 16),
            ("\"ends in a backslash\\", 21),
        ];
        for (text, end) in cases {
            assert_eq!(skip_toml_string(text.as_bytes(), 0), end, "{text:?}");
        }
    }

    #[test]
    fn deep_front_matter_is_refused_where_it_gets_too_deep() {
        let depth_error = |format, fm: &str| {
            check_depth(format, fm)
                .err()
                .map(|e| (e.offset, e.message.contains("nested more than 64 levels")))
        };
        let deep = "[".repeat(100_000);
        assert_eq!(
            depth_error(Format::Yaml, &format!("title: x\nthemes: {deep}")),
            Some((9 + 8 + 63, true))
        );
        assert_eq!(
            depth_error(Format::Toml, &format!("title = {deep}")),
            Some((8 + 64, true))
        );
        let dashes = "- ".repeat(100);
        assert_eq!(
            depth_error(Format::Yaml, &format!("a:\n  {dashes}x")),
            Some((5 + 2 * 62, true))
        );
        let dots = "a.".repeat(100);
        assert_eq!(
            depth_error(Format::Toml, &format!("{dots}b = 1")),
            Some((127, true))
        );
        assert!(depth_error(Format::Toml, &format!("[{dots}b]")).is_some());
        assert!(depth_error(Format::Toml, &format!("x = {}", "{a = ".repeat(70))).is_some());
        // Exactly as deep as allowed, or deep-looking text in strings, comments and block
        // scalars, is fine.
        let ok = format!("x = {}{}", "[".repeat(64), "]".repeat(64));
        assert_eq!(depth_error(Format::Toml, &ok), None);
        for fm in [
            format!("t = \"{deep}\"\n# {deep}\ns = '{deep}'\nm = \"\"\"\n{deep}\"\"\"\n"),
            "a.b.c = 1\n[x.y]\nz = [1.5, 2.5]\nw = { a.b = [1] }\n".to_string(),
        ] {
            assert_eq!(depth_error(Format::Toml, &fm), None, "{fm}");
        }
        for fm in [
            format!("t: \"{deep}\"\n# {deep}\ns: '{deep}'\nd: |\n  {deep}\n  more\nu: it's [x\n"),
            format!("title: Tariffs [draft] {deep}\nthemes: [trade, 'a]']\n"),
            "sources:\n  - title: a\n    date: 2026-01-01\n  - title: b\n".to_string(),
        ] {
            assert_eq!(depth_error(Format::Yaml, &fm), None, "{fm}");
        }
    }

    #[test]
    fn locates_keys() {
        let fm = "title = \"x\"\nthemes = [\"a\"]\n";
        assert_eq!(locate_key(fm, "themes"), Some(12));
        assert_eq!(locate_value(fm, "a"), Some(22));
    }
}
