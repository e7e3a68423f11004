//! A page's Markdown as data for the Typst template: a tree of nodes (`(kind: "p",
//! children: (...))`), each text a string value. Nothing of the content becomes Typst
//! source, so `#read("/etc/passwd")` in a title or body is printed as written.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use typst::foundations::{Array, Dict, Str, Value};

/// Where a link of the body goes in the book.
pub enum Target {
    /// A label of the book: a page (`p-canola`) or one of its headings.
    Label(String),
    /// An address outside the book, clickable as it is.
    Url(String),
    /// Nowhere the book has (a page left out of it): its text is printed without a link.
    Nowhere,
}

/// An image of the body: what the template is given, once `resolve_image` has checked it.
pub struct Image {
    /// Its path in the Typst world (`/content/img/map.png`), or `None` when it is not a
    /// file of the site (an address on the web), printed as its alternative text.
    pub path: Option<String>,
}

/// What the walk needs to know of the rest of the book.
pub trait Resolve {
    /// The target of a link written as `dest` on this page.
    fn link(&self, dest: &str) -> Target;
    /// The image written as `dest` at byte `offset` of the body.
    fn image(&self, dest: &str, offset: usize) -> Image;
    /// The label of the `n`th heading of this page (`p-canola--measures`).
    fn heading_label(&self, n: usize) -> Option<String>;
    /// The portion mark of the heading that starts at byte `offset`, where it has one.
    fn heading_mark(&self, offset: usize) -> Option<String>;
}

/// A page's body as the template reads it: its blocks, each footnote reference holding its
/// note (`(kind: "footnote", children: (...))`).
pub struct Body {
    pub blocks: Value,
}

/// A node being built: its kind, its fields, and its children so far.
struct Open {
    kind: &'static str,
    fields: Dict,
    children: Vec<Value>,
}

impl Open {
    fn new(kind: &'static str) -> Open {
        Open {
            kind,
            fields: Dict::new(),
            children: Vec::new(),
        }
    }

    fn with(mut self, key: &str, value: Value) -> Open {
        self.fields.insert(key.into(), value);
        self
    }

    fn close(mut self) -> Value {
        self.fields.insert("kind".into(), str(self.kind));
        self.fields.insert(
            "children".into(),
            Value::Array(self.children.into_iter().collect()),
        );
        Value::Dict(self.fields)
    }
}

pub fn str(s: &str) -> Value {
    Value::Str(Str::from(s))
}

fn leaf(kind: &str, fields: &[(&str, Value)]) -> Value {
    let mut d = Dict::new();
    d.insert("kind".into(), str(kind));
    for (k, v) in fields {
        d.insert((*k).into(), v.clone());
    }
    Value::Dict(d)
}

/// Walks `markdown` (a page's body) into the template's nodes; `title_level` is the level
/// of the page's title in the PDF, which the body's headings come below.
pub fn walk(
    markdown: &str,
    title_level: i64,
    callouts: &crate::markdown::CalloutTitles,
    resolve: &impl Resolve,
) -> Body {
    let mut stack: Vec<Open> = vec![Open::new("root")];
    let mut footnotes = Dict::new();
    // Definitions are built on the stack like any block, then moved here.
    let mut footnote_labels: Vec<String> = Vec::new();
    let mut headings = 0;
    for (event, range) in Parser::new_ext(markdown, crate::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                let open = match tag {
                    Tag::Paragraph => Open::new("p"),
                    Tag::Heading { level, .. } => {
                        let label = resolve.heading_label(headings);
                        headings += 1;
                        let mark = resolve.heading_mark(range.start);
                        // `##` (the first level under a page's title) just below the title.
                        let below = (heading_level(level) - 1).max(1);
                        Open::new("heading")
                            .with("level", Value::Int((title_level + below).min(6)))
                            .with("label", label.as_deref().map_or(Value::None, str))
                            .with("mark", mark.as_deref().map_or(Value::None, str))
                    }
                    Tag::BlockQuote(None) => Open::new("quote"),
                    Tag::BlockQuote(Some(kind)) => Open::new("callout")
                        .with("class", str(crate::markdown::callout_class(kind)))
                        .with("title", str(callouts.of(kind))),
                    Tag::CodeBlock(kind) => Open::new("codeblock").with(
                        "lang",
                        match kind {
                            CodeBlockKind::Fenced(l) if !l.is_empty() => str(&l),
                            _ => Value::None,
                        },
                    ),
                    Tag::List(start) => Open::new("list").with(
                        "start",
                        start.map_or(Value::None, |n| Value::Int(i64::try_from(n).unwrap_or(1))),
                    ),
                    Tag::Item => Open::new("item"),
                    Tag::FootnoteDefinition(label) => {
                        footnote_labels.push(label.to_string());
                        Open::new("footnote-definition")
                    }
                    Tag::Table(alignments) => Open::new("table").with(
                        "align",
                        Value::Array(alignments.iter().map(|a| str(alignment(*a))).collect()),
                    ),
                    Tag::TableHead => Open::new("row").with("header", Value::Bool(true)),
                    Tag::TableRow => Open::new("row").with("header", Value::Bool(false)),
                    Tag::TableCell => Open::new("cell"),
                    Tag::Emphasis => Open::new("emph"),
                    Tag::Strong => Open::new("strong"),
                    Tag::Strikethrough => Open::new("strike"),
                    Tag::Superscript => Open::new("super"),
                    Tag::Subscript => Open::new("sub"),
                    Tag::Link { dest_url, .. } => match resolve.link(&dest_url) {
                        Target::Label(l) => Open::new("link").with("label", str(&l)),
                        Target::Url(u) => Open::new("link").with("url", str(&u)),
                        Target::Nowhere => Open::new("span"),
                    },
                    Tag::Image { dest_url, .. } => {
                        let image = resolve.image(&dest_url, range.start);
                        Open::new("image")
                            .with("path", image.path.as_deref().map_or(Value::None, str))
                            .with("url", str(&dest_url))
                    }
                    // Raw HTML blocks: their text is kept, their tags dropped.
                    Tag::HtmlBlock => Open::new("p"),
                    Tag::DefinitionList
                    | Tag::DefinitionListTitle
                    | Tag::DefinitionListDefinition
                    | Tag::MetadataBlock(_) => Open::new("span"),
                };
                stack.push(open);
            }
            Event::End(end) => {
                let Some(open) = stack.pop() else { continue };
                let closed = if open.kind == "image" {
                    // The alternative text is the image's children, as plain text.
                    let alt = plain(&open.children);
                    open.with("alt", str(&alt)).close()
                } else {
                    open.close()
                };
                if matches!(end, TagEnd::FootnoteDefinition) {
                    if let (Some(label), Value::Dict(d)) = (footnote_labels.pop(), &closed) {
                        let children = d.get("children").cloned().unwrap_or(Value::None);
                        footnotes.insert(label.as_str().into(), children);
                    }
                    continue;
                }
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(closed);
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t)
                if stack.last().is_some_and(|o| o.kind == "codeblock") =>
            {
                push(&mut stack, leaf("text", &[("text", str(&t))]));
            }
            Event::Text(t) => {
                push(&mut stack, leaf("text", &[("text", str(&t))]));
            }
            Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                push(&mut stack, leaf("code", &[("text", str(&t))]));
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let t = without_tags(&h);
                if !t.trim().is_empty() {
                    push(&mut stack, leaf("text", &[("text", str(&t))]));
                }
            }
            Event::FootnoteReference(label) => {
                push(
                    &mut stack,
                    leaf(
                        "footnote",
                        &[
                            ("label", str(&label)),
                            ("children", Value::Array(Array::new())),
                        ],
                    ),
                );
            }
            Event::SoftBreak => push(&mut stack, leaf("space", &[])),
            Event::HardBreak => push(&mut stack, leaf("linebreak", &[])),
            Event::Rule => push(&mut stack, leaf("rule", &[])),
            Event::TaskListMarker(done) => {
                push(&mut stack, leaf("task", &[("done", Value::Bool(done))]));
            }
        }
    }
    let root = stack
        .into_iter()
        .next()
        .map(|r| r.children)
        .unwrap_or_default();
    let blocks = Value::Array(root.into_iter().collect::<Array>());
    Body {
        blocks: if footnotes.is_empty() {
            blocks
        } else {
            with_footnotes(blocks, &footnotes, 0)
        },
    }
}

/// `value` with each footnote reference given its note's blocks, so that the template
/// places it where it is referenced. A note that refers to itself stops at `depth` 8.
fn with_footnotes(value: Value, notes: &Dict, depth: usize) -> Value {
    match value {
        Value::Array(a) => Value::Array(
            a.into_iter()
                .map(|v| with_footnotes(v, notes, depth))
                .collect(),
        ),
        Value::Dict(d) => {
            let is_ref = matches!(d.get("kind"), Ok(Value::Str(k)) if k.as_str() == "footnote");
            let mut out = Dict::new();
            for (k, v) in d {
                let v = if k.as_str() == "children" {
                    with_footnotes(v, notes, depth)
                } else {
                    v
                };
                out.insert(k, v);
            }
            if is_ref {
                let note = match out.get("label") {
                    Ok(Value::Str(l)) if depth < 8 => notes
                        .get(l.as_str())
                        .ok()
                        .cloned()
                        .map(|n| with_footnotes(n, notes, depth + 1)),
                    _ => None,
                };
                out.insert(
                    "children".into(),
                    note.unwrap_or_else(|| Value::Array(Array::new())),
                );
            }
            Value::Dict(out)
        }
        v => v,
    }
}

fn push(stack: &mut [Open], node: Value) {
    if let Some(open) = stack.last_mut() {
        open.children.push(node);
    }
}

/// The text of nodes, without their markup (an image's alternative text).
fn plain(nodes: &[Value]) -> String {
    let mut out = String::new();
    for n in nodes {
        if let Value::Dict(d) = n {
            if let Ok(Value::Str(s)) = d.get("text") {
                out.push_str(s);
            }
            if let Ok(Value::Array(children)) = d.get("children") {
                out.push_str(&plain(children.as_slice()));
            }
            if matches!(d.get("kind"), Ok(Value::Str(k)) if k.as_str() == "space") {
                out.push(' ');
            }
        }
    }
    out
}

/// Raw HTML's text: what is between its tags.
fn without_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn heading_level(level: HeadingLevel) -> i64 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn alignment(a: Alignment) -> &'static str {
    match a {
        Alignment::None | Alignment::Left => "left",
        Alignment::Center => "center",
        Alignment::Right => "right",
    }
}
