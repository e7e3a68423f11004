//! Reading a table of front matter or configuration against its schema, every key at once:
//! each unknown key, each value of the wrong kind and each entry missing a required key is
//! a problem of its own, at its own place, in plain words (`weight must be a whole number,
//! like 10 (found the text "ten")`), and what is left is the table the typed readers take.
//! A name from Zola or Hugo (`date`, `tags`, `description`…) gets a pointer to briefing's.

use std::ops::Range;

use crate::text::did_you_mean;

/// A value as written, with where it is: a byte offset into the text it was read from.
#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    pub at: Option<usize>,
}

#[derive(Debug, Clone)]
pub enum Value {
    /// A string, number, boolean or date.
    Leaf(toml::Value),
    List(Vec<Node>),
    Table(Vec<Entry>),
}

/// A key of a table, where it is written, and its value.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub at: Option<usize>,
    pub node: Node,
}

/// What a key's value must be.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    Text,
    /// An integer, within the bounds.
    Whole {
        min: i64,
        max: i64,
    },
    Bool,
    /// A date as TOML or as a string (checked later, where the error can say more); a
    /// stop's `date` may also be a bare year, and its `start` a TOML time.
    Date,
    /// A stop's `start` or `end`: a date, a time, or both, as TOML or as a string.
    Moment,
    Texts,
    Table(&'static Schema),
    Tables(&'static Schema),
    /// A table whose keys are the writer's own, each value of the one shape, like the
    /// example given.
    Map(&'static Shape, &'static str),
    /// Any table, passed on as it is (`[extra]`).
    AnyTable,
}

/// One key of a table.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub key: &'static str,
    pub shape: Shape,
    /// A correct value, as it is written after `key = `.
    pub example: &'static str,
    pub required: bool,
}

impl Field {
    pub const fn new(key: &'static str, shape: Shape, example: &'static str) -> Field {
        Field {
            key,
            shape,
            example,
            required: false,
        }
    }

    pub const fn required(self) -> Field {
        Field {
            required: true,
            ..self
        }
    }
}

/// The keys of one kind of table.
#[derive(Debug)]
pub struct Schema {
    /// How the table is written, for messages: `[[sources]]`, `[dispute]`; the root's is
    /// what it is (`the front matter`, `briefing.toml`).
    pub name: &'static str,
    /// What one of its entries is called, for a missing key: `source`, `theme`.
    pub entry: &'static str,
    pub fields: &'static [Field],
    /// Other tools' names for its keys, with what to write instead.
    pub renamed: &'static [(&'static str, &'static str)],
}

impl Schema {
    fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
}

/// One problem, at a byte offset of the text where it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub at: Option<usize>,
}

/// What reading a table against its schema gives: the table of what was well formed, every
/// problem, and the root's keys that had one (their later checks, such as "missing
/// `title`", would only repeat it).
#[derive(Debug, Default)]
pub struct Read {
    pub table: toml::Table,
    pub problems: Vec<Problem>,
    pub bad: Vec<String>,
}

impl Read {
    pub fn is_bad(&self, key: &str) -> bool {
        self.bad.iter().any(|k| k == key)
    }
}

/// Reads `root` (a table) against `schema`. `toml` says whether it was written in TOML,
/// where a top-level key after a table header belongs to that table.
pub fn read(root: Node, schema: &'static Schema, toml: bool) -> Read {
    read_as(root, schema, toml, true)
}

/// As `read`, but no key is required: for a translation, which takes what it leaves out
/// from its original.
pub fn read_partial(root: Node, schema: &'static Schema, toml: bool) -> Read {
    read_as(root, schema, toml, false)
}

fn read_as(root: Node, schema: &'static Schema, toml: bool, complete: bool) -> Read {
    let mut reader = Reader {
        root: schema,
        toml,
        complete,
        problems: Vec::new(),
    };
    let mut read = Read::default();
    match root.value {
        Value::Table(entries) => {
            for field in schema.fields.iter().filter(|f| f.required && complete) {
                if !entries.iter().any(|e| e.key == field.key) {
                    read.bad.push(field.key.to_string());
                    if misspelt(&entries, schema, field.key) {
                        continue;
                    }
                    reader.problem(
                        None,
                        format!(
                            "{} has no {}: it needs one, like {} = {}",
                            schema.name, field.key, field.key, field.example
                        ),
                    );
                }
            }
            for Entry { key, at, node } in entries {
                let before = reader.problems.len();
                let value = reader.entry(&key, at, node, schema);
                if reader.problems.len() > before {
                    read.bad.push(key.clone());
                }
                if let Some(v) = value {
                    read.table.insert(key, v);
                }
            }
        }
        _ => reader.problems.push(Problem {
            message: format!("{} must be a table of keys and values", schema.name),
            at: root.at,
        }),
    }
    // A misspelt or renamed key stands for a valid one, whose checks ("missing `summary`")
    // would only repeat its problem.
    let mut meant = Vec::new();
    for key in &read.bad {
        if schema.field(key).is_none() {
            let renamed = schema
                .renamed
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, instead)| {
                    schema
                        .fields
                        .iter()
                        .find(|f| instead.contains(&format!("`{}`", f.key)))
                });
            let near = crate::text::nearest(key, schema.fields.iter().map(|f| f.key));
            meant.extend(renamed.map(|f| f.key).or(near).map(String::from));
        }
    }
    read.bad.extend(meant);
    read.problems = reader.problems;
    read
}

struct Reader {
    root: &'static Schema,
    toml: bool,
    /// Whether required keys must be there.
    complete: bool,
    problems: Vec<Problem>,
}

impl Reader {
    fn problem(&mut self, at: Option<usize>, message: String) {
        self.problems.push(Problem { message, at });
    }

    /// A key of a table of `schema`: its value if well formed.
    fn entry(
        &mut self,
        key: &str,
        at: Option<usize>,
        node: Node,
        schema: &'static Schema,
    ) -> Option<toml::Value> {
        let Some(field) = schema.field(key) else {
            let message = self.unknown(key, schema);
            self.problem(at, message);
            return None;
        };
        let name = if std::ptr::eq(schema, self.root) {
            Name::Key(field.key)
        } else {
            Name::In(field.key, schema.name)
        };
        self.value(node, field, &name)
    }

    fn unknown(&self, key: &str, schema: &Schema) -> String {
        if let Some((_, instead)) = schema.renamed.iter().find(|(k, _)| *k == key) {
            return format!("unknown key {key:?} (a name from Zola or Hugo): {instead}");
        }
        let nested = !std::ptr::eq(schema, self.root);
        if nested && self.toml && self.root.field(key).is_some() {
            return format!(
                "{key:?} is a top-level key, but it is written below a {} table, so it is read as \
                 part of that table: move it above the first table header (every top-level key \
                 goes before the first [table] or [[table]])",
                schema.name
            );
        }
        let names: Vec<&str> = schema.fields.iter().map(|f| f.key).collect();
        format!(
            "unknown key {key:?} in {}: expected one of {}{}",
            schema.name,
            names.join(", "),
            did_you_mean(key, names.iter().copied())
        )
    }

    fn wrong(&mut self, node: &Node, name: impl std::fmt::Display, what: &str, example: &str) {
        let message = format!(
            "{name} must be {what}, like {example} (found {})",
            found(&node.value)
        );
        self.problem(node.at, message);
    }

    /// The value of `field` if it has its shape; otherwise the problem is noted.
    fn value(&mut self, node: Node, field: &Field, name: &Name) -> Option<toml::Value> {
        let example = field.example;
        match (field.shape, node.value) {
            (Shape::Text, Value::Leaf(v @ toml::Value::String(_))) => Some(v),
            (Shape::Whole { min, max }, Value::Leaf(toml::Value::Integer(n))) => {
                if n < min {
                    self.problem(
                        node.at,
                        format!("{name} must be {min} or more, like {example} (found {n})"),
                    );
                    None
                } else if n > max {
                    self.problem(
                        node.at,
                        format!("{name} must be at most {max}, like {example} (found {n})"),
                    );
                    None
                } else {
                    Some(toml::Value::Integer(n))
                }
            }
            (Shape::Bool, Value::Leaf(v @ toml::Value::Boolean(_))) => Some(v),
            (
                Shape::Date | Shape::Moment,
                Value::Leaf(
                    v @ (toml::Value::String(_)
                    | toml::Value::Datetime(_)
                    | toml::Value::Integer(_)),
                ),
            ) => Some(v),
            (Shape::Texts, Value::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item.value {
                        Value::Leaf(v @ toml::Value::String(_)) => out.push(v),
                        other => {
                            let item = Node {
                                value: other,
                                at: item.at,
                            };
                            self.wrong(&item, format!("each of {name}"), "text", example);
                        }
                    }
                }
                Some(toml::Value::Array(out))
            }
            (Shape::Table(schema), Value::Table(entries)) => {
                self.table(entries, node.at, schema).map(toml::Value::Table)
            }
            (Shape::Tables(schema), Value::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item.value {
                        Value::Table(entries) => {
                            if let Some(t) = self.table(entries, item.at, schema) {
                                out.push(toml::Value::Table(t));
                            }
                        }
                        other => {
                            let item = Node {
                                value: other,
                                at: item.at,
                            };
                            self.wrong(&item, format!("each of {name}"), "a table", example);
                        }
                    }
                }
                Some(toml::Value::Array(out))
            }
            (Shape::Map(shape, inner), Value::Table(entries)) => {
                let mut out = toml::Table::new();
                for entry in entries {
                    let field = Field::new("", *shape, inner);
                    let inner = Name::Member(name, &entry.key);
                    if let Some(v) = self.value(entry.node, &field, &inner) {
                        out.insert(entry.key, v);
                    }
                }
                Some(toml::Value::Table(out))
            }
            (Shape::AnyTable, Value::Table(entries)) => Some(toml::Value::Table(plain(entries))),
            (shape, value) => {
                let node = Node { value, at: node.at };
                self.wrong(&node, name, what(shape), example);
                None
            }
        }
    }

    /// A table of `schema` at `at`; `None`, with a problem each, when it lacks a required
    /// key (the rest of it is still read, for its own problems).
    fn table(
        &mut self,
        entries: Vec<Entry>,
        at: Option<usize>,
        schema: &'static Schema,
    ) -> Option<toml::Table> {
        let mut out = toml::Table::new();
        let mut complete = true;
        let required = self.complete;
        for field in schema.fields.iter().filter(|f| f.required && required) {
            if !entries.iter().any(|e| e.key == field.key) {
                complete = false;
                if misspelt(&entries, schema, field.key) {
                    continue;
                }
                let message = format!(
                    "this {} has no {}: every {} needs one, like {} = {}",
                    schema.entry, field.key, schema.entry, field.key, field.example
                );
                self.problem(at, message);
            }
        }
        for Entry { key, at, node } in entries {
            match self.entry(&key, at, node, schema) {
                Some(v) => {
                    out.insert(key, v);
                }
                None if self.complete && schema.field(&key).is_some_and(|f| f.required) => {
                    complete = false
                }
                None => {}
            }
        }
        complete.then_some(out)
    }
}

/// How problems name a key: `weight`, `date in [[sources]]` below the root, `names.fr` in a
/// map. Written out only when a problem is said: most keys have none, and a name made for
/// every key read cost more than the rest of reading it.
enum Name<'a> {
    Key(&'a str),
    In(&'a str, &'a str),
    Member(&'a Name<'a>, &'a str),
}

impl std::fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Name::Key(key) => f.write_str(key),
            Name::In(key, table) => write!(f, "{key} in {table}"),
            Name::Member(map, key) => write!(f, "{map}.{key}"),
        }
    }
}

/// Whether `entries` has an unknown key that is a misspelling of `key`: a required key
/// misspelt is reported once, as the unknown key with its "did you mean", not also as
/// missing.
fn misspelt(entries: &[Entry], schema: &Schema, key: &str) -> bool {
    entries.iter().any(|e| {
        schema.field(&e.key).is_none()
            && crate::text::nearest(&e.key, schema.fields.iter().map(|f| f.key)) == Some(key)
    })
}

/// What a value of `shape` is, in words.
fn what(shape: Shape) -> &'static str {
    match shape {
        Shape::Text => "text",
        Shape::Whole { .. } => "a whole number",
        Shape::Bool => "true or false",
        Shape::Date => "a date",
        Shape::Moment => "a date or a time",
        Shape::Texts => "a list",
        Shape::Table(_) | Shape::Map(..) | Shape::AnyTable => "a table",
        Shape::Tables(_) => "a list of tables",
    }
}

/// What was written instead, in words: `the text "ten"`, `the number 5`.
fn found(v: &Value) -> String {
    match v {
        Value::Leaf(toml::Value::String(s)) => format!("the text {s:?}"),
        Value::Leaf(toml::Value::Integer(n)) => format!("the number {n}"),
        Value::Leaf(toml::Value::Float(n)) => format!("the number {n}"),
        Value::Leaf(toml::Value::Boolean(b)) => format!("{b}"),
        Value::Leaf(toml::Value::Datetime(d)) => match (d.date, d.time) {
            (Some(_), None) => format!("the date {d}"),
            (None, Some(_)) => format!("the time {d}"),
            _ => format!("the date and time {d}"),
        },
        Value::Leaf(toml::Value::Array(_)) | Value::List(_) => "a list".to_string(),
        Value::Leaf(toml::Value::Table(_)) | Value::Table(_) => "a table".to_string(),
    }
}

/// A table as it is, without its places.
fn plain(entries: Vec<Entry>) -> toml::Table {
    entries
        .into_iter()
        .map(|e| (e.key, plain_value(e.node.value)))
        .collect()
}

fn plain_value(v: Value) -> toml::Value {
    match v {
        Value::Leaf(v) => v,
        Value::List(items) => {
            toml::Value::Array(items.into_iter().map(|n| plain_value(n.value)).collect())
        }
        Value::Table(entries) => toml::Value::Table(plain(entries)),
    }
}

/// TOML text as a tree of nodes, each with its place.
pub fn parse_toml(text: &str) -> Result<Node, toml::de::Error> {
    let table = toml::de::DeTable::parse(text)?;
    let span = table.span();
    Ok(from_de(toml::de::DeValue::Table(table.into_inner()), span))
}

fn from_de(v: toml::de::DeValue<'_>, span: Range<usize>) -> Node {
    use toml::de::DeValue;
    let at = Some(span.start);
    let leaf = |v| Node {
        value: Value::Leaf(v),
        at,
    };
    match v {
        DeValue::String(s) => leaf(toml::Value::String(s.into_owned())),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => leaf(toml::Value::Integer(n)),
            Err(_) => leaf(toml::Value::String(i.to_string())),
        },
        DeValue::Float(f) => {
            let text = f.as_str().replace('_', "");
            let n = match text.trim_start_matches(['+', '-']) {
                "inf" => f64::INFINITY,
                "nan" => f64::NAN,
                _ => text.parse().unwrap_or(f64::NAN),
            };
            leaf(toml::Value::Float(
                if text.starts_with('-') && !n.is_sign_negative() {
                    -n
                } else {
                    n
                },
            ))
        }
        DeValue::Boolean(b) => leaf(toml::Value::Boolean(b)),
        DeValue::Datetime(d) => leaf(toml::Value::Datetime(d)),
        DeValue::Array(items) => Node {
            value: Value::List(
                items
                    .into_iter()
                    .map(|item| {
                        let span = item.span();
                        from_de(item.into_inner(), span)
                    })
                    .collect(),
            ),
            at,
        },
        DeValue::Table(table) => {
            let mut entries: Vec<Entry> = table
                .into_iter()
                .map(|(k, v)| {
                    let key_at = k.span().start;
                    let span = v.span();
                    Entry {
                        key: k.into_inner().into_owned(),
                        at: Some(key_at),
                        node: from_de(v.into_inner(), span),
                    }
                })
                .collect();
            // In the order written, so that problems come in the file's order.
            entries.sort_by_key(|e| e.at);
            Node {
                value: Value::Table(entries),
                at,
            }
        }
    }
}

/// YAML front matter as a tree of nodes. YAML's parser gives no places, so each key is
/// looked for in the text, in order, from where its table starts.
pub fn parse_yaml(text: &str) -> Result<Node, serde_norway::Error> {
    let src = if text.trim().is_empty() { "{}" } else { text };
    let value: serde_norway::Value = serde_norway::from_str(src)?;
    let mut cursor = 0;
    Ok(from_yaml(value, text, &mut cursor, Some(0)))
}

fn from_yaml(v: serde_norway::Value, text: &str, cursor: &mut usize, at: Option<usize>) -> Node {
    use serde_norway::Value as Y;
    let leaf = |v| Node {
        value: Value::Leaf(v),
        at,
    };
    match v {
        Y::Null => leaf(toml::Value::String(String::new())),
        Y::Bool(b) => leaf(toml::Value::Boolean(b)),
        Y::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => leaf(toml::Value::Integer(i)),
            (None, Some(f)) => leaf(toml::Value::Float(f)),
            _ => leaf(toml::Value::String(n.to_string())),
        },
        Y::String(s) => leaf(toml::Value::String(s)),
        Y::Sequence(items) => {
            // A flow list, `[a, b]`, is on its key's line: its items are pointed at there.
            let flow = at.is_some_and(|a| {
                let line = text
                    .get(a..)
                    .and_then(|t| t.split('\n').next())
                    .unwrap_or("");
                line.contains('[')
            });
            Node {
                value: Value::List(
                    items
                        .into_iter()
                        .map(|item| {
                            let item_at = if flow { at } else { next_item(text, *cursor) };
                            from_yaml(item, text, cursor, item_at.or(at))
                        })
                        .collect(),
                ),
                at,
            }
        }
        Y::Mapping(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    other => serde_norway::to_string(&other)
                        .map(|s| s.trim().to_string())
                        .unwrap_or_default(),
                };
                // YAML's empty value is no value: `summary:` is as if left out.
                if matches!(v, Y::Null) {
                    continue;
                }
                let key_at = locate_key(&text[*cursor..], &key).map(|o| *cursor + o);
                if let Some(o) = key_at {
                    *cursor = o + key.len();
                }
                let node = from_yaml(v, text, cursor, key_at.or(at));
                entries.push(Entry {
                    key,
                    at: key_at.or(at),
                    node,
                });
            }
            Node {
                value: Value::Table(entries),
                at,
            }
        }
        Y::Tagged(tagged) => from_yaml(tagged.value, text, cursor, at),
    }
}

/// The byte offset in `text` of the line that sets `key` (`key =` or `key:`, in a YAML list
/// item too), for places no parser gives.
pub fn locate_key(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
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

/// Where the next `- ` item of a YAML list starts, from `from`.
fn next_item(text: &str, from: usize) -> Option<usize> {
    let mut offset = from;
    for line in text.get(from..)?.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("- ") || t.trim_end() == "-" {
            return Some(offset + (line.len() - t.len()));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: Schema = Schema {
        name: "[[sources]]",
        entry: "source",
        fields: &[
            Field::new("title", Shape::Text, "\"A report\"").required(),
            Field::new("date", Shape::Date, "2026-01-14"),
        ],
        renamed: &[],
    };
    const ROOT: Schema = Schema {
        name: "the front matter",
        entry: "page",
        fields: &[
            Field::new("title", Shape::Text, "\"Canola\""),
            Field::new("weight", Shape::Whole { min: 0, max: 99 }, "10"),
            Field::new("themes", Shape::Texts, "[\"trade\"]"),
            Field::new("sources", Shape::Tables(&SOURCE), "[[sources]]"),
            Field::new("extra", Shape::AnyTable, "[extra]"),
        ],
        renamed: &[("tags", "write themes, like themes = [\"trade\"]")],
    };

    fn problems(text: &str) -> (Vec<(usize, String)>, Read) {
        let node = parse_toml(text).unwrap_or_else(|e| panic!("{e}"));
        let read = read(node, &ROOT, true);
        let lines = read
            .problems
            .iter()
            .map(|p| {
                (
                    crate::diagnostic::line_of(text, p.at.unwrap_or(0)),
                    p.message.clone(),
                )
            })
            .collect();
        (lines, read)
    }

    #[test]
    fn every_problem_at_its_line_in_plain_words() {
        let (found, read) = problems(
            "title = 5\nweight = \"ten\"\nthemes = \"trade\"\ntags = [\"a\"]\nsumary = \"x\"\n\
             [[sources]]\ndate = true\n[[sources]]\ntitle = \"ok\"\nweight = 1\n[extra]\na = 1\n",
        );
        let expected = [
            (
                1,
                "title must be text, like \"Canola\" (found the number 5)",
            ),
            (
                2,
                "weight must be a whole number, like 10 (found the text \"ten\")",
            ),
            (
                3,
                "themes must be a list, like [\"trade\"] (found the text \"trade\")",
            ),
            (
                4,
                "unknown key \"tags\" (a name from Zola or Hugo): write themes",
            ),
            (
                5,
                "unknown key \"sumary\" in the front matter: expected one of title,",
            ),
            (
                6,
                "this source has no title: every source needs one, like title = \"A report\"",
            ),
            (
                7,
                "date in [[sources]] must be a date, like 2026-01-14 (found true)",
            ),
            (
                10,
                "\"weight\" is a top-level key, but it is written below a [[sources]] table",
            ),
        ];
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for ((line, message), (want_line, want)) in found.iter().zip(expected) {
            assert_eq!(*line, want_line, "{message}");
            assert!(message.starts_with(want), "{message}");
        }
        assert_eq!(
            read.bad,
            ["title", "weight", "themes", "tags", "sumary", "sources"]
        );
        let sources = read.table.get("sources").and_then(|s| s.as_array());
        assert_eq!(sources.map(Vec::len), Some(1), "the whole source is kept");
        assert!(read.table.get("extra").is_some_and(toml::Value::is_table));
    }

    #[test]
    fn bounds_and_yaml_places() {
        let (found, _) = problems("weight = -1\n");
        assert_eq!(found[0].1, "weight must be 0 or more, like 10 (found -1)");
        let text = "title: A\nweight: ten\nsources:\n  - title: x\n    date: [1]\n";
        let node = parse_yaml(text).unwrap_or_else(|e| panic!("{e}"));
        let read = read(node, &ROOT, false);
        let lines: Vec<_> = read
            .problems
            .iter()
            .map(|p| crate::diagnostic::line_of(text, p.at.unwrap_or(0)))
            .collect();
        assert_eq!(lines, [2, 5], "{:?}", read.problems);
    }
}
