//! A deterministic generator of realistic briefing sites, for benchmarks: the same seed
//! gives the same bytes. `Flavor::Hugo` writes an equivalent Hugo site (same Markdown
//! bodies, Hugo front matter and minimal layouts with the same page structure).

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Briefing,
    Hugo,
}

#[derive(Debug, Clone)]
pub struct GenOptions {
    pub pages: usize,
    pub seed: u64,
    pub out: PathBuf,
    pub flavor: Flavor,
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Note and dispute pages (not counting sections, the home page or the itinerary).
    pub pages: usize,
    pub disputes: usize,
    pub sections: usize,
    /// Paths of the generated notes and disputes relative to `content/`, without `.md`.
    pub page_paths: Vec<String>,
}

/// splitmix64: small, fast and good enough to vary generated text deterministically.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const THEMES: [(&str, &str, &str); 8] = [
    ("trade", "Trade and tariffs", "#9b2c2c"),
    ("agriculture", "Agriculture", "#2f6b2f"),
    ("security", "Security and consular", "#6b3fa0"),
    ("diplomacy", "Diplomacy", "#1f4e8c"),
    ("energy", "Energy", "#8a4b08"),
    ("investment", "Investment", "#0f5e63"),
    ("technology", "Technology", "#4a4a8a"),
    ("climate", "Climate", "#2d6a4f"),
];

const WORDS: &[&str] = &[
    "tariff",
    "surtax",
    "canola",
    "seed",
    "meal",
    "oil",
    "pork",
    "seafood",
    "peas",
    "steel",
    "aluminum",
    "vehicles",
    "exports",
    "imports",
    "market",
    "access",
    "minister",
    "officials",
    "dialogue",
    "partnership",
    "review",
    "measure",
    "duty",
    "deposit",
    "investigation",
    "ruling",
    "quota",
    "relief",
    "exemption",
    "negotiation",
    "position",
    "interest",
    "provinces",
    "industry",
    "producers",
    "shipments",
    "value",
    "billion",
    "season",
    "harvest",
    "outlook",
    "risk",
    "leverage",
    "timeline",
    "implementation",
    "commitment",
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "for",
    "with",
    "on",
    "by",
    "as",
    "remains",
    "expects",
    "will",
    "could",
    "should",
];

const PRODUCTS: &[&str] = &[
    "Canola seed",
    "Canola oil",
    "Canola meal",
    "Pork",
    "Lobster",
    "Crab",
    "Peas",
    "Steel",
    "Aluminum",
    "Electric vehicles",
    "Wheat",
    "Beef",
    "Soybeans",
    "Lumber",
    "Potash",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::with_capacity(words * 8);
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

fn paragraph(rng: &mut Rng, sentences: usize) -> String {
    (0..sentences)
        .map(|_| {
            let words = 8 + rng.below(10);
            sentence(rng, words)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn page_path(i: usize) -> String {
    format!("s{:03}/p{i:05}", i / 100)
}

/// A link from page `from` to another page: `../s003/p00342.md`, maybe with an anchor
/// that exists on every page.
fn link(rng: &mut Rng, from: usize, pages: usize, flavor: Flavor) -> String {
    let mut to = rng.below(pages);
    if to == from {
        to = (to + 1) % pages;
    }
    let anchor = match rng.below(3) {
        0 => "#background",
        1 => "#current-position",
        _ => "",
    };
    let text = sentence(rng, 3).trim_end_matches('.').to_lowercase();
    match flavor {
        Flavor::Briefing => format!("[{text}](../{}.md{anchor})", page_path(to)),
        // Hugo resolves and checks the target with relref, as briefing does.
        Flavor::Hugo => format!(
            "[{text}]({{{{< relref \"/{}.md{anchor}\" >}}}})",
            page_path(to)
        ),
    }
}

/// The Markdown body of page `i`: about 3.5 KB with headings, a list, a table, a
/// footnote and 2–4 links to other pages.
fn body(rng: &mut Rng, i: usize, pages: usize, flavor: Flavor) -> String {
    let links: Vec<String> = (0..2 + rng.below(3))
        .map(|_| link(rng, i, pages, flavor))
        .collect();
    let mut b = String::with_capacity(4096);
    let _ = write!(
        b,
        "## Background\n\n{} See {}.\n\n",
        paragraph(rng, 6),
        links[0]
    );
    let _ = write!(b, "## Current position\n\n{}[^1]\n\n", paragraph(rng, 5));
    for _ in 0..4 {
        let _ = writeln!(b, "- {}", sentence(rng, 9));
    }
    let _ = write!(b, "- Related: {}\n\n", links[1]);
    b.push_str("| Product | Measure | Rate |\n|---|---|---|\n");
    for _ in 0..3 {
        let _ = writeln!(
            b,
            "| {} | {} | {}% |",
            rng.pick(PRODUCTS),
            rng.pick(&["Tariff", "Surtax", "Deposit"]),
            5 + rng.below(96)
        );
    }
    let _ = write!(b, "\n### Detail\n\n{}\n\n", paragraph(rng, 6));
    for l in &links[2..] {
        let _ = write!(b, "Compare {l}. ");
    }
    let _ = write!(
        b,
        "\n\n## Outlook\n\n{}\n\n{}\n\n",
        paragraph(rng, 6),
        paragraph(rng, 5)
    );
    let _ = writeln!(b, "[^1]: {}", sentence(rng, 12));
    b
}

fn date(rng: &mut Rng) -> String {
    format!("2025-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28))
}

fn write(path: &Path, text: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

/// Generates a site of `pages` notes and disputes into `out` (which must not exist or be
/// empty).
pub fn generate(o: &GenOptions) -> io::Result<Summary> {
    let mut rng = Rng(o.seed);
    let content = o.out.join("content");
    let sections = o.pages.div_ceil(100);
    match o.flavor {
        Flavor::Briefing => {
            let mut config = String::from(
                "title = \"Generated briefing book\"\ndescription = \"A generated site for benchmarks\"\nlanguage = \"en-CA\"\nbase_url = \"https://example.org/\"\nhandling = \"UNCLASSIFIED\"\n",
            );
            for (slug, name, color) in THEMES {
                let _ = write!(
                    config,
                    "\n[[themes]]\nslug = \"{slug}\"\nname = \"{name}\"\ndescription = \"Notes on {name}.\"\ncolor = \"{color}\"\n"
                );
            }
            write(&o.out.join("briefing.toml"), &config)?;
            write(
                &content.join("_index.md"),
                &format!(
                    "+++\ntitle = \"Generated briefing book\"\nsummary = \"The front page.\"\nas_of = 2026-01-16\n+++\n- {}\n- {}\n",
                    sentence(&mut rng, 12),
                    sentence(&mut rng, 12)
                ),
            )?;
            let mut itinerary = String::from(
                "+++\ntitle = \"Itinerary\"\nkind = \"itinerary\"\nweight = 1\nas_of = 2026-01-16\n",
            );
            for s in 0..50 {
                let day = 1 + s % 28;
                if s % 3 == 0 {
                    let _ = write!(
                        itinerary,
                        "\n[[stops]]\nstart = \"2026-02-{day:02}T{:02}:00:00+08:00\"\nend = \"2026-02-{day:02}T{:02}:30:00+08:00\"\n",
                        8 + s % 8,
                        9 + s % 8
                    );
                } else {
                    let _ = write!(itinerary, "\n[[stops]]\ndate = 2026-02-{day:02}\n");
                }
                let _ = write!(
                    itinerary,
                    "city = \"City {}\"\ncountry = \"Country {}\"\ntitle = \"Stop {s}\"\ndetails = \"{}\"\ntentative = {}\n",
                    s % 7,
                    s % 5,
                    sentence(&mut rng, 8),
                    s % 11 == 0
                );
            }
            itinerary.push_str("+++\nThe trip.\n");
            write(&content.join("itinerary.md"), &itinerary)?;
        }
        Flavor::Hugo => {
            write(
                &o.out.join("hugo.toml"),
                "baseURL = \"https://example.org/\"\ntitle = \"Generated briefing book\"\nlanguageCode = \"en-ca\"\ndisableKinds = [\"RSS\"]\n\n[taxonomies]\ntopic = \"topics\"\n\n[markup.goldmark.renderer]\nunsafe = true\n\n[markup.tableOfContents]\nstartLevel = 2\nendLevel = 3\n",
            )?;
            for (name, text) in HUGO_LAYOUTS {
                write(&o.out.join("layouts").join(name), text)?;
            }
            write(
                &content.join("_index.md"),
                "+++\ntitle = \"Generated briefing book\"\n+++\nThe front page.\n",
            )?;
        }
    }
    let mut summary = Summary {
        pages: o.pages,
        disputes: 0,
        sections,
        page_paths: Vec::with_capacity(o.pages),
    };
    for s in 0..sections {
        let fm = match o.flavor {
            Flavor::Briefing => format!(
                "+++\ntitle = \"Section {s}\"\nsummary = \"Notes of section {s}.\"\nweight = {}\n+++\n",
                s + 2
            ),
            Flavor::Hugo => format!("+++\ntitle = \"Section {s}\"\nweight = {}\n+++\n", s + 2),
        };
        write(&content.join(format!("s{s:03}/_index.md")), &fm)?;
    }
    for i in 0..o.pages {
        let themes: Vec<&str> = {
            let a = THEMES[rng.below(8)].0;
            let b = THEMES[rng.below(8)].0;
            if a == b { vec![a] } else { vec![a, b] }
        };
        let themes_toml = themes
            .iter()
            .map(|t| format!("\"{t}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let title = sentence(&mut rng, 4).trim_end_matches('.').to_string();
        let summary_text = sentence(&mut rng, 14);
        let as_of = date(&mut rng);
        let is_dispute = i % 10 == 0;
        let mut measures = String::new();
        if is_dispute {
            summary.disputes += 1;
            for _ in 0..2 + rng.below(3) {
                let _ = write!(
                    measures,
                    "\n[[{}dispute.measures]]\nproduct = \"{}\"\nmeasure = \"{}\"\nrate = \"{}%\"\neffective = {}\n",
                    if o.flavor == Flavor::Hugo {
                        "params."
                    } else {
                        ""
                    },
                    rng.pick(PRODUCTS),
                    rng.pick(&["Tariff", "Surtax", "Anti-dumping deposit"]),
                    5 + rng.below(96),
                    date(&mut rng)
                );
            }
        }
        let source = format!(
            "title = \"{}\"\npublisher = \"Publisher {}\"\nurl = \"https://example.org/report/{i}\"\ndate = {}\n",
            sentence(&mut rng, 5).trim_end_matches('.'),
            rng.below(20),
            date(&mut rng)
        );
        let timeline = if i % 5 == 0 {
            format!(
                "date = {}\nevent = \"{}\"\n",
                date(&mut rng),
                sentence(&mut rng, 7)
            )
        } else {
            String::new()
        };
        let text = body(&mut rng, i, o.pages, o.flavor);
        let status = rng.pick(&["in force", "provisional", "suspended", "resolved"]);
        let fm = match o.flavor {
            Flavor::Briefing => {
                let mut fm = format!(
                    "+++\ntitle = \"{title}\"\nsummary = \"{summary_text}\"\nthemes = [{themes_toml}]\nas_of = {as_of}\nweight = {}\n",
                    i % 50
                );
                if is_dispute {
                    let _ = write!(
                        fm,
                        "kind = \"dispute\"\n\n[dispute]\nimposed_by = \"China\"\naffected = \"Canada\"\nstatus = \"{status}\"\nstake = \"{}\"\nask = \"{}\"\n{measures}",
                        sentence(&mut rng, 10),
                        sentence(&mut rng, 10)
                    );
                }
                let _ = write!(fm, "\n[[sources]]\n{source}");
                if !timeline.is_empty() {
                    let _ = write!(fm, "\n[[timeline]]\n{timeline}");
                }
                fm.push_str("+++\n");
                fm
            }
            Flavor::Hugo => {
                let mut fm = format!(
                    "+++\ntitle = \"{title}\"\nsummary = \"{summary_text}\"\ntopics = [{themes_toml}]\ndate = {as_of}\nweight = {}\n",
                    i % 50
                );
                if is_dispute {
                    let _ = write!(
                        fm,
                        "\n[params]\nkind = \"dispute\"\n\n[params.dispute]\nimposed_by = \"China\"\naffected = \"Canada\"\nstatus = \"{status}\"\nstake = \"{}\"\nask = \"{}\"\n{measures}",
                        sentence(&mut rng, 10),
                        sentence(&mut rng, 10)
                    );
                }
                let _ = write!(fm, "\n[[params.sources]]\n{source}");
                if !timeline.is_empty() {
                    let _ = write!(fm, "\n[[params.timeline]]\n{timeline}");
                }
                fm.push_str("+++\n");
                fm
            }
        };
        let path = page_path(i);
        write(&content.join(format!("{path}.md")), &format!("{fm}{text}"))?;
        summary.page_paths.push(path);
    }
    Ok(summary)
}

/// Minimal Hugo layouts with the same structure as briefing's theme: a layout with header,
/// navigation and footer; a page with its table of contents, measures and sources; section
/// and taxonomy lists; a home page with the dispute tracker and the notes by topic.
const HUGO_LAYOUTS: &[(&str, &str)] = &[
    (
        "_default/baseof.html",
        r##"<!doctype html>
<html lang="en-CA">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ .Site.Title }}</title><link rel="stylesheet" href="{{ "style.css" | relURL }}"></head>
<body>
<a href="#main">Skip to content</a>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav><ul>{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav></header>
<main id="main">{{ block "main" . }}{{ end }}</main>
<footer><p>{{ .Site.Title }}</p></footer>
</body></html>
"##,
    ),
    (
        "_default/single.html",
        r##"{{ define "main" }}<article>
<h1>{{ .Title }}</h1><p>{{ .Summary }}</p><p>As of {{ .Date.Format "2 January 2006" }}</p>
{{ with .Params.topics }}<ul>{{ range . }}<li><a href="{{ (printf "/topics/%s/" (urlize .)) | relURL }}">{{ . }}</a></li>{{ end }}</ul>{{ end }}
{{ with .Params.dispute }}<dl><dt>Imposed by</dt><dd>{{ .imposed_by }}</dd><dt>Status</dt><dd>{{ .status }}</dd><dt>Stake</dt><dd>{{ .stake }}</dd><dt>Ask</dt><dd>{{ .ask }}</dd></dl>
<table><thead><tr><th>Product</th><th>Measure</th><th>Rate</th><th>Since</th></tr></thead><tbody>{{ range .measures }}<tr><td>{{ .product }}</td><td>{{ .measure }}</td><td>{{ .rate }}</td><td>{{ .effective }}</td></tr>{{ end }}</tbody></table>{{ end }}
<nav>{{ .TableOfContents }}</nav>
<div>{{ .Content }}</div>
{{ with .Params.timeline }}<ol>{{ range . }}<li>{{ .date }} {{ .event }}</li>{{ end }}</ol>{{ end }}
{{ with .Params.sources }}<ol>{{ range . }}<li><a href="{{ .url }}">{{ .title }}</a> — {{ .publisher }}</li>{{ end }}</ol>{{ end }}
</article>{{ end }}
"##,
    ),
    (
        "_default/list.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><p>{{ .Summary }}</p></li>{{ end }}</ul>{{ end }}
"##,
    ),
    (
        "_default/taxonomy.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
"##,
    ),
    (
        "_default/term.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><p>{{ .Summary }}</p></li>{{ end }}</ul>{{ end }}
"##,
    ),
    (
        "index.html",
        r##"{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<table><thead><tr><th>Product</th><th>Imposed by</th><th>Measure</th><th>Rate</th><th>Since</th><th>Status</th></tr></thead><tbody>
{{ range where .Site.RegularPages "Params.kind" "dispute" }}{{ $p := . }}{{ range .Params.dispute.measures }}<tr><td><a href="{{ $p.RelPermalink }}">{{ .product }}</a></td><td>{{ $p.Params.dispute.imposed_by }}</td><td>{{ .measure }}</td><td>{{ .rate }}</td><td>{{ .effective }}</td><td>{{ $p.Params.dispute.status }}</td></tr>{{ end }}{{ end }}
</tbody></table>
{{ range $name, $pages := .Site.Taxonomies.topics }}<section><h2>{{ $name }}</h2><ul>{{ range $pages.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><p>{{ .Summary }}</p></li>{{ end }}</ul></section>{{ end }}
{{ end }}
"##,
    ),
];
