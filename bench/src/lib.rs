//! A deterministic generator of realistic briefing sites, for benchmarks: the same seed
//! gives the same bytes. `Flavor::Hugo` writes an equivalent Hugo site (the same Markdown
//! bodies, Hugo front matter and minimal layouts with the same page structure).
//!
//! Layout of a generated briefing site of `pages` notes:
//! - `briefing.toml` with 8 themes;
//! - `content/_index.md` (the front page) and `content/itinerary.md` (50 stops);
//! - sections of 100 pages, `content/sNNN/_index.md`, holding `content/sNNN/pNNNNN.md`;
//! - one page in ten (`i % 10 == 0`) a dispute with 2–4 measures;
//! - bodies of about 3.6 KB: h2/h3 headings (one h3 twice, so ids `detail` and
//!   `detail-1`), lists, a GFM table, a footnote, strikethrough and 2–4 relative links to
//!   other pages' `.md` files, most with an `#anchor` that exists on the target page.
//!
//! Every page draws from its own random stream (seeded from the seed and its number), so
//! a page's heading can be known by the pages linking to it.

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
    /// `Some(n)`: the site has `[markings]` and one page in `n` (`i % n == 3`) is marked
    /// SECRET, linked to by no page (so that a release build below SECRET, which leaves
    /// them out, has no broken links); the others take the default, UNCLASSIFIED.
    /// Briefing flavour only.
    pub marked_one_in: Option<usize>,
}

/// Whether page `i` is marked SECRET under `marked_one_in`.
fn is_marked(marked_one_in: Option<usize>, i: usize) -> bool {
    marked_one_in.is_some_and(|n| n > 0 && i % n == 3 % n)
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Note and dispute pages (not counting sections, the home page or the itinerary).
    pub pages: usize,
    pub disputes: usize,
    pub sections: usize,
    /// Paths of the generated notes and disputes relative to `content/`, without `.md`
    /// (`s003/p00342`), in page order.
    pub page_paths: Vec<String>,
    /// Paths of the section pages relative to `content/`, without `/_index.md` (`s003`).
    pub section_paths: Vec<String>,
    /// Links between pages written into the bodies, and how many of them have an anchor.
    pub links: usize,
    pub anchored_links: usize,
    /// Bytes of Markdown body (front matter excluded) over all pages.
    pub body_bytes: usize,
    /// Pages marked SECRET (`GenOptions::marked_one_in`).
    pub marked: usize,
}

/// splitmix64: small, fast and good enough to vary generated text deterministically.
struct Rng(u64);

impl Rng {
    /// An independent stream for item `i` of kind `salt` under `seed`.
    fn stream(seed: u64, i: usize, salt: u64) -> Rng {
        let mut r = Rng(seed
            ^ (i as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03)
            ^ (salt + 1).wrapping_mul(0x8CB9_2BA7_2F3D_8DD7));
        r.next();
        r
    }

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

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The configured themes: slug, name, description, colour.
pub const THEMES: [(&str, &str, &str, &str); 8] = [
    (
        "trade",
        "Trade and tariffs",
        "Tariffs, surtaxes and market access.",
        "#9b2c2c",
    ),
    (
        "agriculture",
        "Agriculture and agri-food",
        "Canola, pulses, pork and seafood.",
        "#2f6b2f",
    ),
    (
        "consular",
        "Consular and security",
        "Detained citizens, travel advice and security dialogue.",
        "#6b3fa0",
    ),
    (
        "diplomacy",
        "Diplomacy",
        "Leaders' meetings, ministerial channels and the bilateral agenda.",
        "#1f4e8c",
    ),
    (
        "energy",
        "Energy",
        "LNG, uranium and critical minerals.",
        "#8a4b08",
    ),
    (
        "investment",
        "Investment",
        "Investment screening, state-owned enterprises and capital flows.",
        "#0f5e63",
    ),
    (
        "technology",
        "Technology",
        "Electric vehicles, batteries and research security.",
        "#4a4a8a",
    ),
    (
        "climate",
        "Climate and environment",
        "Emissions, clean technology and biodiversity.",
        "#2d6a4f",
    ),
];

const PRODUCTS: &[&str] = &[
    "canola seed",
    "canola oil",
    "canola meal",
    "pork",
    "lobster",
    "snow crab",
    "dried peas",
    "steel",
    "aluminum",
    "electric vehicles",
    "durum wheat",
    "beef",
    "soybeans",
    "softwood lumber",
    "potash",
];

/// (subject, is plural)
const SUBJECTS: &[(&str, bool)] = &[
    ("Canada", false),
    ("China", false),
    ("Beijing", false),
    ("Ottawa", false),
    ("The Minister", false),
    ("Officials", true),
    ("The Department", false),
    ("Provincial governments", true),
    ("Canola growers", true),
    ("Exporters", true),
    ("Industry associations", true),
    ("The embassy in Beijing", false),
    ("The Ministry of Commerce", false),
    ("Our missions in China", true),
    ("The Trade Commissioner Service", false),
    ("Importers", true),
    ("Prairie producers", true),
    ("Seafood exporters", true),
    ("The joint working group", false),
];

/// (singular, plural) forms.
const VERBS: &[(&str, &str)] = &[
    ("continues to press for", "continue to press for"),
    ("has raised", "have raised"),
    ("expects progress on", "expect progress on"),
    ("is seeking", "are seeking"),
    ("has signalled support for", "have signalled support for"),
    ("does not accept", "do not accept"),
    ("is monitoring", "are monitoring"),
    ("will review", "will review"),
    ("has proposed", "have proposed"),
    ("remains concerned about", "remain concerned about"),
    ("welcomed", "welcomed"),
    ("is preparing a response on", "are preparing a response on"),
    ("has not ruled out", "have not ruled out"),
    ("asked for clarity on", "asked for clarity on"),
    ("is assessing", "are assessing"),
];

const OBJECTS: &[&str] = &[
    "the anti-dumping deposit on {p}",
    "market access for {p}",
    "the surtax on {p}",
    "a phased removal of the measures",
    "consular access for detained citizens",
    "the timeline of the review",
    "a ministerial dialogue on trade",
    "new sanitary certificates for {p}",
    "the schedule of technical talks",
    "an exemption for {p}",
    "reciprocal treatment of {p}",
    "the next round of negotiations",
    "data on {p} shipments",
    "the investigation into {p}",
    "quota allocations for {p}",
];

const TAILS: &[&str] = &[
    "",
    "",
    "",
    " before the spring planting season",
    " ahead of the visit",
    " in the coming weeks",
    " under the WTO dispute settlement process",
    " as a matter of priority",
    " despite recent progress",
    " worth about C${n} billion a year",
    " covering {n}% of the trade",
    " at the working level",
    " since {m} 2025",
    " in line with its commitments",
];

const TOPICS: &[&str] = &[
    "market access",
    "anti-dumping review",
    "tariff outlook",
    "supply chains",
    "investment screening",
    "regulatory dialogue",
    "sanitary certificates",
    "export data",
    "retaliation options",
    "WTO consultations",
    "industry consultations",
    "briefing for the visit",
];

const MEASURES: &[&str] = &[
    "Anti-dumping deposit",
    "Surtax",
    "Tariff",
    "Import suspension",
    "Countervailing duty",
];

const PUBLISHERS: &[&str] = &[
    "Ministry of Commerce",
    "Global Affairs Canada",
    "Agriculture and Agri-Food Canada",
    "Canada Border Services Agency",
    "Statistics Canada",
    "State Council Tariff Commission",
    "Canola Council of Canada",
    "World Trade Organization",
];

const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const CITIES: &[(&str, &str)] = &[
    ("Beijing", "China"),
    ("Shanghai", "China"),
    ("Guangzhou", "China"),
    ("Shenzhen", "China"),
    ("Hong Kong", "China"),
    ("Ottawa", "Canada"),
];

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// One sentence of policy prose, about 70–120 characters.
fn sentence(rng: &mut Rng) -> String {
    let product = rng.pick(PRODUCTS);
    let object = rng.pick(OBJECTS).replace("{p}", product);
    let tail = rng
        .pick(TAILS)
        .replace("{n}", &(2 + rng.below(40)).to_string())
        .replace("{m}", rng.pick(MONTHS));
    let (subject, plural) = SUBJECTS[rng.below(SUBJECTS.len())];
    let (one, many) = VERBS[rng.below(VERBS.len())];
    let verb = if plural { many } else { one };
    let mut s = format!("{subject} {verb} {object}{tail}.");
    if rng.chance(8) {
        // Some inline emphasis, as authors write it.
        s = s.replacen(product, &format!("**{product}**"), 1);
    }
    s
}

fn paragraph(rng: &mut Rng, sentences: usize) -> String {
    let mut p = String::with_capacity(sentences * 110);
    for k in 0..sentences {
        if k > 0 {
            p.push(' ');
        }
        p.push_str(&sentence(rng));
    }
    p
}

/// A heading's id as briefing (and GitHub) computes it: lowercase, runs of whitespace,
/// `-` and `_` turned into one `-`, other punctuation dropped.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '_' {
            dash = true;
        }
    }
    slug
}

fn page_path(i: usize) -> String {
    format!("s{:03}/p{i:05}", i / 100)
}

/// The h2 heading that varies between pages: "Canola seed outlook".
fn focus_heading(seed: u64, i: usize) -> String {
    let mut r = Rng::stream(seed, i, 2);
    format!("{} outlook", capitalize(r.pick(PRODUCTS)))
}

/// Headings every page has (in this order); "Detail" twice, so the second is `detail-1`.
const FIXED_ANCHORS: &[&str] = &[
    "background",
    "current-position",
    "whats-at-stake-for-canada",
    "detail",
    "detail-1",
];

/// A link from page `from` to another page, maybe with an anchor that exists there.
/// Returns (Markdown, has anchor).
fn link(
    rng: &mut Rng,
    seed: u64,
    from: usize,
    pages: usize,
    flavor: Flavor,
    marked_one_in: Option<usize>,
) -> (String, bool) {
    let mut to = rng.below(pages);
    // Never to itself, nor to a marked page (at most two steps on).
    for _ in 0..3 {
        if to == from || is_marked(marked_one_in, to) {
            to = (to + 1) % pages;
        }
    }
    let anchor = match rng.below(8) {
        0..=4 => format!("#{}", FIXED_ANCHORS[rng.below(FIXED_ANCHORS.len())]),
        5 => format!("#{}", slugify(&focus_heading(seed, to))),
        _ => String::new(),
    };
    let text = format!("{} {}", rng.pick(PRODUCTS), rng.pick(TOPICS));
    let md = match flavor {
        Flavor::Briefing => format!("[{text}](../{}.md{anchor})", page_path(to)),
        // Hugo resolves the target (and fails on a missing one) with relref, as briefing
        // resolves its relative `.md` links.
        Flavor::Hugo => format!(
            "[{text}]({{{{< relref \"/{}.md{anchor}\" >}}}})",
            page_path(to)
        ),
    };
    (md, !anchor.is_empty())
}

/// The Markdown body of page `i`, about 3.6 KB; the same text in both flavours except for
/// how links are written.
fn body(
    seed: u64,
    i: usize,
    pages: usize,
    flavor: Flavor,
    marked_one_in: Option<usize>,
    summary: &mut Summary,
) -> String {
    let mut rng = Rng::stream(seed, i, 1);
    let n_links = if pages > 1 { 2 + rng.below(3) } else { 0 };
    let links: Vec<String> = (0..n_links)
        .map(|_| {
            let (md, anchored) = link(&mut rng, seed, i, pages, flavor, marked_one_in);
            summary.links += 1;
            summary.anchored_links += usize::from(anchored);
            md
        })
        .collect();
    let link_at = |k: usize| links.get(k).map(String::as_str).unwrap_or("the file");
    let mut b = String::with_capacity(4096);
    let _ = write!(
        b,
        "## Background\n\n{} See {}.\n\n{}\n\n",
        paragraph(&mut rng, 5),
        link_at(0),
        paragraph(&mut rng, 4)
    );
    let _ = write!(
        b,
        "## Current position\n\n{}[^1]\n\n",
        paragraph(&mut rng, 4)
    );
    for _ in 0..3 {
        let _ = writeln!(b, "- {}", sentence(&mut rng));
    }
    let _ = write!(b, "- **Related:** {}\n\n", link_at(1));
    b.push_str("## What's at stake for Canada\n\n");
    b.push_str("| Product | Measure | Rate | Exports (C$ M) |\n|---|---|--:|--:|\n");
    for _ in 0..4 {
        let _ = writeln!(
            b,
            "| {} | {} | {}% | {} |",
            capitalize(rng.pick(PRODUCTS)),
            rng.pick(MEASURES),
            5 + rng.below(96),
            50 + rng.below(4000)
        );
    }
    let _ = write!(
        b,
        "\n{}\n\n### Detail\n\n{}\n\n",
        paragraph(&mut rng, 3),
        paragraph(&mut rng, 3)
    );
    let _ = write!(
        b,
        "## {}\n\n{}\n\n### Detail\n\n{}",
        focus_heading(seed, i),
        paragraph(&mut rng, 5),
        paragraph(&mut rng, 2)
    );
    for l in links.iter().skip(2) {
        let _ = write!(b, " Compare {l}.");
    }
    b.push_str("\n\n");
    let _ = writeln!(b, "1. {}", sentence(&mut rng));
    let _ = writeln!(b, "2. ~~{}~~ {}", sentence(&mut rng), sentence(&mut rng));
    let _ = write!(b, "3. {}\n\n", sentence(&mut rng));
    let _ = writeln!(
        b,
        "[^1]: {} ({}, {}).",
        sentence(&mut rng).trim_end_matches('.'),
        rng.pick(PUBLISHERS),
        date(&mut rng)
    );
    summary.body_bytes += b.len();
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

/// TOML basic-string escaping (the generated text has no control characters).
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

const SITE_TITLE: &str = "Generated briefing book";
const SITE_DESCRIPTION: &str = "A generated briefing book for benchmarks";

struct Measure {
    product: String,
    measure: &'static str,
    rate: String,
    effective: String,
}

struct Dispute {
    status: &'static str,
    stake: String,
    ask: String,
    measures: Vec<Measure>,
}

/// Everything in a page's front matter, independent of the flavour.
struct Meta {
    title: String,
    summary: String,
    themes: Vec<&'static str>,
    as_of: String,
    weight: usize,
    dispute: Option<Dispute>,
    /// (title, publisher, url, date)
    sources: Vec<(String, &'static str, String, String)>,
    /// (date, event)
    timeline: Vec<(String, String)>,
}

fn meta(seed: u64, i: usize) -> Meta {
    let mut rng = Rng::stream(seed, i, 0);
    let a = rng.below(THEMES.len());
    let mut themes = vec![THEMES[a].0];
    if rng.chance(2) {
        let b = (a + 1 + rng.below(THEMES.len() - 1)) % THEMES.len();
        themes.push(THEMES[b].0);
    }
    let title = format!("{}: {}", capitalize(rng.pick(PRODUCTS)), rng.pick(TOPICS));
    let summary = sentence(&mut rng).replace("**", "");
    // Within stale_after_days of the front page's as_of (2026-01-16): no stale warnings.
    let as_of = format!("2025-{:02}-{:02}", 2 + rng.below(11), 1 + rng.below(28));
    let dispute = i.is_multiple_of(10).then(|| Dispute {
        status: rng.pick(&["in force", "provisional", "suspended", "resolved"]),
        stake: sentence(&mut rng).replace("**", ""),
        ask: sentence(&mut rng).replace("**", ""),
        measures: (0..2 + rng.below(3))
            .map(|_| Measure {
                product: capitalize(rng.pick(PRODUCTS)),
                measure: rng.pick(MEASURES),
                rate: format!("{}%", 5 + rng.below(96)),
                effective: date(&mut rng),
            })
            .collect(),
    });
    let sources = (0..1 + rng.below(2))
        .map(|k| {
            let publisher = rng.pick(PUBLISHERS);
            (
                format!("{publisher} notice on {}", rng.pick(PRODUCTS)),
                publisher,
                format!("https://example.org/sources/{i}/{k}"),
                date(&mut rng),
            )
        })
        .collect();
    let timeline = if i.is_multiple_of(5) {
        (0..1 + rng.below(3))
            .map(|_| (date(&mut rng), sentence(&mut rng).replace("**", "")))
            .collect()
    } else {
        Vec::new()
    };
    Meta {
        title,
        summary,
        themes,
        as_of,
        weight: i % 100 + 1,
        dispute,
        sources,
        timeline,
    }
}

fn front_matter(m: &Meta, flavor: Flavor) -> String {
    let mut fm = String::with_capacity(1024);
    let themes = m.themes.iter().map(|t| q(t)).collect::<Vec<_>>().join(", ");
    let _ = write!(
        fm,
        "+++\ntitle = {}\nsummary = {}\nthemes = [{themes}]\n",
        q(&m.title),
        q(&m.summary)
    );
    // Dates: TOML dates for briefing; strings for Hugo, whose templates then print and
    // sort them as they are.
    let d = |s: &str| match flavor {
        Flavor::Briefing => s.to_string(),
        Flavor::Hugo => q(s),
    };
    match flavor {
        Flavor::Briefing => {
            let _ = writeln!(fm, "as_of = {}\nweight = {}", m.as_of, m.weight);
            if m.dispute.is_some() {
                fm.push_str("kind = \"dispute\"\n");
            }
        }
        Flavor::Hugo => {
            let _ = writeln!(fm, "date = {}\nweight = {}", m.as_of, m.weight);
        }
    }
    if let Some(dispute) = &m.dispute {
        let _ = write!(
            fm,
            "\n[dispute]\nimposed_by = \"China\"\naffected = \"Canada\"\nstatus = {}\nstake = {}\nask = {}\n",
            q(dispute.status),
            q(&dispute.stake),
            q(&dispute.ask)
        );
        for x in &dispute.measures {
            let _ = write!(
                fm,
                "\n[[dispute.measures]]\nproduct = {}\nmeasure = {}\nrate = {}\neffective = {}\n",
                q(&x.product),
                q(x.measure),
                q(&x.rate),
                d(&x.effective)
            );
        }
    }
    for (title, publisher, url, date) in &m.sources {
        let _ = write!(
            fm,
            "\n[[sources]]\ntitle = {}\npublisher = {}\nurl = {}\ndate = {}\n",
            q(title),
            q(publisher),
            q(url),
            d(date)
        );
    }
    for (date, event) in &m.timeline {
        let _ = write!(
            fm,
            "\n[[timeline]]\ndate = {}\nevent = {}\n",
            d(date),
            q(event)
        );
    }
    fm.push_str("+++\n");
    fm
}

/// The itinerary's 50 stops over 13–19 January 2026: most timed (RFC 3339, +08:00),
/// some all-day (a date).
fn itinerary(seed: u64, flavor: Flavor) -> String {
    let mut rng = Rng::stream(seed, 0, 3);
    let mut t = String::from(
        "+++\ntitle = \"Itinerary\"\nsummary = \"The visit, day by day.\"\nweight = 1\n",
    );
    match flavor {
        Flavor::Briefing => t.push_str("kind = \"itinerary\"\nas_of = 2026-01-16\n"),
        Flavor::Hugo => t.push_str("layout = \"itinerary\"\ndate = 2026-01-16\n"),
    }
    for s in 0..50 {
        let day = 13 + s / 8;
        let slot = s % 8;
        let (city, country) = CITIES[(day as usize - 13) % (CITIES.len() - 1)];
        if slot == 0 && s % 3 == 0 {
            match flavor {
                Flavor::Briefing => {
                    let _ = write!(t, "\n[[stops]]\ndate = 2026-01-{day:02}\n");
                }
                Flavor::Hugo => {
                    let _ = write!(t, "\n[[stops]]\ndate = \"2026-01-{day:02}\"\n");
                }
            }
        } else {
            let hour = 8 + slot * 3 / 2;
            let _ = write!(
                t,
                "\n[[stops]]\nstart = \"2026-01-{day:02}T{hour:02}:{:02}:00+08:00\"\nend = \"2026-01-{day:02}T{:02}:{:02}:00+08:00\"\n",
                (slot % 2) * 30,
                hour + 1,
                (slot % 2) * 30
            );
        }
        let what = rng.pick(&[
            "Meeting with the Minister of Commerce",
            "Roundtable with Canadian business",
            "Bilateral meeting",
            "Working lunch",
            "Site visit",
            "Media availability",
            "Reception at the embassy",
            "Call on the Premier",
        ]);
        let _ = write!(
            t,
            "city = {}\ncountry = {}\ntitle = {}\n",
            q(city),
            q(country),
            q(what)
        );
        if !rng.chance(3) {
            let _ = writeln!(t, "details = {}", q(&sentence(&mut rng).replace("**", "")));
        }
        let _ = writeln!(t, "tentative = {}", rng.chance(6));
    }
    t.push_str("+++\nThe Prime Minister's visit, with the ministers and officials travelling.\n");
    t
}

/// Generates a site of `pages` notes and disputes into `out`, which must not exist or be
/// empty.
pub fn generate(o: &GenOptions) -> io::Result<Summary> {
    if std::fs::read_dir(&o.out).is_ok_and(|mut d| d.next().is_some()) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists and is not empty", o.out.display()),
        ));
    }
    let seed = o.seed;
    let content = o.out.join("content");
    let sections = o.pages.div_ceil(100);
    let mut summary = Summary {
        pages: o.pages,
        disputes: 0,
        sections,
        page_paths: Vec::with_capacity(o.pages),
        section_paths: (0..sections).map(|s| format!("s{s:03}")).collect(),
        links: 0,
        anchored_links: 0,
        body_bytes: 0,
        marked: 0,
    };
    let marked_one_in = o.marked_one_in.filter(|_| o.flavor == Flavor::Briefing);
    let mut rng = Rng::stream(seed, 0, 4);
    let home_body = format!(
        "- {}\n- {}\n- {}\n",
        sentence(&mut rng),
        sentence(&mut rng),
        sentence(&mut rng)
    );
    match o.flavor {
        Flavor::Briefing => {
            let mut config = format!(
                "title = {}\ndescription = {}\nlanguage = \"en-CA\"\nbase_url = \"https://example.org/\"\nhandling = \"UNCLASSIFIED\"\nstale_after_days = 365\n",
                q(SITE_TITLE),
                q(SITE_DESCRIPTION)
            );
            for (slug, name, description, color) in THEMES {
                let _ = write!(
                    config,
                    "\n[[themes]]\nslug = {}\nname = {}\ndescription = {}\ncolor = {}\n",
                    q(slug),
                    q(name),
                    q(description),
                    q(color)
                );
            }
            if marked_one_in.is_some() {
                config.push_str("\n[markings]\n");
            }
            write(&o.out.join("briefing.toml"), &config)?;
            write(
                &content.join("_index.md"),
                &format!(
                    "+++\ntitle = {}\nsummary = \"Bottom line up front for the visit.\"\nas_of = 2026-01-16\n+++\n{home_body}",
                    q(SITE_TITLE)
                ),
            )?;
        }
        Flavor::Hugo => {
            write(
                &o.out.join("hugo.toml"),
                &format!(
                    "{HUGO_CONFIG}title = {}\n\n[params]\ndescription = {}\nhandling = \"UNCLASSIFIED\"\n",
                    q(SITE_TITLE),
                    q(SITE_DESCRIPTION)
                ),
            )?;
            for (name, text) in HUGO_LAYOUTS {
                write(&o.out.join("layouts").join(name), text)?;
            }
            write(&o.out.join("static/style.css"), HUGO_CSS)?;
            // Term pages carry the themes' names, descriptions and colours.
            for (slug, name, description, color) in THEMES {
                write(
                    &content.join(format!("themes/{slug}/_index.md")),
                    &format!(
                        "+++\ntitle = {}\ndescription = {}\ncolor = {}\n+++\n",
                        q(name),
                        q(description),
                        q(color)
                    ),
                )?;
            }
            write(
                &content.join("_index.md"),
                &format!(
                    "+++\ntitle = {}\nsummary = \"Bottom line up front for the visit.\"\ndate = 2026-01-16\n+++\n{home_body}",
                    q(SITE_TITLE)
                ),
            )?;
        }
    }
    write(&content.join("itinerary.md"), &itinerary(seed, o.flavor))?;
    for s in 0..sections {
        let (_, name, _, _) = THEMES[s % THEMES.len()];
        write(
            &content.join(format!("s{s:03}/_index.md")),
            &format!(
                "+++\ntitle = \"Files {s:03}: {name}\"\nsummary = \"Notes and disputes filed under {s:03}.\"\nweight = {}\n+++\nNotes filed under {s:03}.\n",
                s + 2
            ),
        )?;
    }
    for i in 0..o.pages {
        let m = meta(seed, i);
        summary.disputes += usize::from(m.dispute.is_some());
        let mut text = front_matter(&m, o.flavor);
        if is_marked(marked_one_in, i) {
            // A top-level key: before the front matter's first table.
            let at = text
                .find("\n[")
                .map_or(text.len() - "+++\n".len(), |k| k + 1);
            text.insert_str(at, "marking = \"SECRET\"\n");
            summary.marked += 1;
        }
        text.push_str(&body(
            seed,
            i,
            o.pages,
            o.flavor,
            marked_one_in,
            &mut summary,
        ));
        let path = page_path(i);
        write(&content.join(format!("{path}.md")), &text)?;
        summary.page_paths.push(path);
    }
    Ok(summary)
}

const HUGO_CONFIG: &str = r#"baseURL = "https://example.org/"
languageCode = "en-CA"
# Outputs equivalent to briefing's: HTML for every page, one feed (the home page's),
# the sitemap (Hugo's default).
[outputs]
home = ["HTML", "RSS"]
page = ["HTML"]
section = ["HTML"]
taxonomy = ["HTML"]
term = ["HTML"]

[taxonomies]
theme = "themes"

[markup.goldmark.extensions]
table = true
footnote = true
strikethrough = true
taskList = true
linkify = false

[markup.goldmark.parser]
autoHeadingID = true
autoHeadingIDType = "github"

[markup.goldmark.parser.attribute]
title = true

[markup.tableOfContents]
startLevel = 2
endLevel = 3
ordered = true

"#;

const HUGO_CSS: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0}\n.wrap,main{max-width:60rem;margin:0 auto;padding:0 1rem}\n.handling{text-align:center;font-weight:bold}\nnav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem}\ntable{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}\n.theme-tag{border-left:4px solid var(--theme-color)}\n@media (prefers-color-scheme: dark){body{background:#111;color:#eee}}\n";

/// Minimal Hugo layouts with the same structure as briefing's theme: a layout with header,
/// navigation and footer; pages with their themes, dispute facts and measures, table of
/// contents, body, timeline and sources; section and taxonomy lists; the itinerary; a home
/// page with the itinerary at a glance, the dispute tracker, the notes by theme and the
/// merged timeline. Written for Hugo 0.111 (Debian's package).
const HUGO_LAYOUTS: &[(&str, &str)] = &[
    (
        "_default/baseof.html",
        r##"<!doctype html>
<html lang="{{ .Site.LanguageCode }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ .Site.Title }}{{ else }}{{ .Title }} · {{ .Site.Title }}{{ end }}</title>
<meta name="description" content="{{ .Site.Params.description }}">
<link rel="stylesheet" href="{{ "style.css" | relURL }}">
<link rel="canonical" href="{{ .Permalink }}">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><div class="handling" role="note">{{ .Site.Params.handling }}</div>
<div class="wrap"><a class="site-title" href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
{{ partialCached "nav.html" . .Section }}</div></header>
<main id="main" class="wrap">
{{ if not .IsHome }}<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="{{ "/" | relURL }}">Home</a></li>{{ with .Parent }}{{ if not .IsHome }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}{{ end }}</ol></nav>{{ end }}
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><div class="wrap"><p>{{ .Site.Params.handling }} · {{ .Site.Title }}</p></div></footer>
</body></html>
"##,
    ),
    (
        "partials/nav.html",
        r##"{{/* Cached per section (partialCached), as briefing caches its nav per current item. */}}
{{ $section := .Section }}<nav aria-label="Main"><ul>
{{ with .Site.GetPage "/itinerary" }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}"{{ if eq $section .Section }} aria-current="page"{{ end }}>{{ .Title }}</a></li>
{{ end }}<li><a href="{{ "themes/" | relURL }}"{{ if eq $section "themes" }} aria-current="page"{{ end }}>Themes</a></li>
</ul></nav>
"##,
    ),
    (
        "partials/cards.html",
        r##"<ul class="card-list">{{ range . }}
<li class="card"><a class="card-title" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Params.dispute }} <span class="status">{{ .status }}</span>{{ end }}
<p class="card-summary">{{ .Summary }}</p>
<p class="as-of">As of <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p></li>{{ end }}
</ul>
"##,
    ),
    (
        "partials/sources.html",
        r##"{{ with . }}<section class="sources"><h2>Sources</h2><ol>{{ range . }}<li><a href="{{ .url }}">{{ .title }}</a> — {{ .publisher }}, <time>{{ .date }}</time></li>{{ end }}</ol></section>{{ end }}
"##,
    ),
    (
        "_default/single.html",
        r##"{{ define "main" }}<article class="page">
<header class="page-header"><p class="eyebrow">{{ if .Params.dispute }}Dispute{{ else }}Note{{ end }}</p>
<h1>{{ .Title }}</h1><p class="summary">{{ .Summary }}</p>
<div class="meta"><span class="as-of">As of <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></span>
{{ with .GetTerms "themes" }}<ul class="theme-tags" aria-label="Themes">{{ range . }}<li><a class="theme-tag" style="--theme-color:{{ .Params.color }}" href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
</div></header>
{{ with .Params.dispute }}<section class="dispute-facts"><dl>
<dt>Imposed by</dt><dd>{{ .imposed_by }}</dd><dt>Affected</dt><dd>{{ .affected }}</dd><dt>Status</dt><dd>{{ .status }}</dd><dt>At stake</dt><dd>{{ .stake }}</dd><dt>Our ask</dt><dd>{{ .ask }}</dd></dl>
<table class="measures"><caption>Measures</caption><thead><tr><th scope="col">Product</th><th scope="col">Measure</th><th scope="col">Rate</th><th scope="col">In force since</th></tr></thead>
<tbody>{{ range .measures }}<tr><td>{{ .product }}</td><td>{{ .measure }}</td><td>{{ .rate }}</td><td><time>{{ .effective }}</time></td></tr>{{ end }}</tbody></table></section>{{ end }}
<nav class="toc" aria-label="On this page"><h2>On this page</h2>{{ .TableOfContents }}</nav>
<div class="prose">{{ .Content }}</div>
{{ with .Params.timeline }}<section class="timeline"><h2>Timeline</h2><ol>{{ range sort . "date" }}<li><time>{{ .date }}</time> {{ .event }}</li>{{ end }}</ol></section>{{ end }}
{{ partial "sources.html" .Params.sources }}
</article>{{ end }}
"##,
    ),
    (
        "_default/itinerary.html",
        r##"{{ define "main" }}<article class="page itinerary">
<header class="page-header"><h1>{{ .Title }}</h1><p class="summary">{{ .Summary }}</p></header>
<div class="prose">{{ .Content }}</div>
<ol class="stops">{{ range .Params.stops }}<li class="stop{{ if .tentative }} tentative{{ end }}">
<p class="when">{{ with .date }}<time datetime="{{ . }}">{{ . }}</time> (all day){{ else }}<time datetime="{{ .start }}">{{ .start }}</time> – <time datetime="{{ .end }}">{{ .end }}</time>{{ end }}</p>
<h2>{{ .title }}{{ if .tentative }} (tentative){{ end }}</h2><p class="where">{{ .city }}, {{ .country }}</p>{{ with .details }}<p>{{ . }}</p>{{ end }}</li>
{{ end }}</ol>
</article>{{ end }}
"##,
    ),
    (
        "_default/list.html",
        r##"{{ define "main" }}<article class="page section">
<header class="page-header"><h1>{{ .Title }}</h1>{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}</header>
<div class="prose">{{ .Content }}</div>
{{ partial "cards.html" .Pages }}
</article>{{ end }}
"##,
    ),
    (
        "_default/taxonomy.html",
        r##"{{ define "main" }}<article class="page themes"><h1>Themes</h1>
<ul class="theme-list">{{ range .Data.Terms.Alphabetical }}<li style="--theme-color:{{ .Page.Params.color }}"><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})<p>{{ .Page.Params.description }}</p></li>{{ end }}</ul>
</article>{{ end }}
"##,
    ),
    (
        "_default/term.html",
        r##"{{ define "main" }}<article class="page theme" style="--theme-color:{{ .Params.color }}">
<header class="page-header"><h1>{{ .Title }}</h1><p class="summary">{{ .Params.description }}</p></header>
{{ partial "cards.html" .Pages }}
</article>{{ end }}
"##,
    ),
    (
        "index.html",
        r##"{{ define "main" }}<article class="page">
<header class="page-header"><h1>{{ .Title }}</h1><p class="summary">{{ .Summary }}</p></header>
<section class="bluf"><h2 id="bluf-h">Bottom line up front</h2><div class="prose">{{ .Content }}</div></section>
{{ with .Site.GetPage "/itinerary" }}<section class="glance"><h2 id="glance-h">Itinerary at a glance</h2><ol class="glance-list">
{{ range .Params.stops }}<li class="glance-item{{ if .tentative }} tentative{{ end }}">{{ with .date }}<time>{{ . }}</time>{{ else }}<time>{{ .start }}</time>{{ end }} <span>{{ .city }}</span> <span>{{ .title }}{{ if .tentative }} (tentative){{ end }}</span></li>
{{ end }}</ol><p><a href="{{ .RelPermalink }}">Full itinerary</a></p></section>{{ end }}
<section class="tracker-section"><h2 id="tracker-h">Dispute tracker</h2>
<table class="tracker"><caption>One row per measure in force or proposed, from each dispute page</caption>
<thead><tr><th scope="col">Product</th><th scope="col">Imposed by</th><th scope="col">Measure</th><th scope="col">Rate</th><th scope="col">In force since</th><th scope="col">Status</th></tr></thead>
<tbody>
{{ range where .Site.RegularPages "Params.dispute" "!=" nil }}{{ $p := . }}{{ range .Params.dispute.measures }}<tr><td><a href="{{ $p.RelPermalink }}">{{ .product }}</a></td><td>{{ $p.Params.dispute.imposed_by }}</td><td>{{ .measure }}</td><td>{{ .rate }}</td><td><time>{{ .effective }}</time></td><td>{{ $p.Params.dispute.status }}</td></tr>
{{ end }}{{ end }}</tbody></table></section>
<section class="theme-groups"><h2 id="themes-h">By theme</h2>
{{ range .Site.Taxonomies.themes.Alphabetical }}<div class="theme-group" style="--theme-color:{{ .Page.Params.color }}">
<h3><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></h3><p class="theme-description">{{ .Page.Params.description }}</p>
{{ partial "cards.html" .Pages }}</div>
{{ end }}</section>
{{ $events := slice }}{{ range .Site.RegularPages }}{{ $p := . }}{{ range .Params.timeline }}{{ $events = $events | append (dict "date" .date "event" .event "url" $p.RelPermalink "title" $p.Title) }}{{ end }}{{ end }}
{{ with $events }}<section class="timeline"><h2 id="timeline-h">Timeline</h2><ol>{{ range sort . "date" }}<li><time>{{ .date }}</time> {{ .event }} <a href="{{ .url }}">{{ .title }}</a></li>
{{ end }}</ol></section>{{ end }}
</article>{{ end }}
"##,
    ),
    (
        "404.html",
        r##"{{ define "main" }}<article class="page"><h1>Page not found</h1><p><a href="{{ "/" | relURL }}">Back to the front page</a></p></article>{{ end }}
"##,
    ),
];

/// Front-matter keys whose values are text, which a translation gives in its own language;
/// every other key is typed and left to the original.
const TEXT_KEYS: [&str; 14] = [
    "title",
    "summary",
    "imposed_by",
    "affected",
    "stake",
    "ask",
    "product",
    "measure",
    "rate",
    "city",
    "country",
    "details",
    "event",
    "publisher",
];

/// Makes a generated (briefing-flavoured) site bilingual: `[languages.fr]` in its config,
/// and beside every page `x.md` its translation `x.fr.md`, whose text fields and body are
/// the original's marked `FR` and whose typed fields are left out, as a translator would
/// write them. Returns the number of translations written.
pub fn add_french(site: &Path) -> io::Result<usize> {
    let config_path = site.join("briefing.toml");
    let config = std::fs::read_to_string(&config_path)?;
    let mut fr = String::from(
        "\n[languages.fr]\nlanguage = \"fr-CA\"\ntitle = \"FR briefing\"\n\
         description = \"FR description\"\nhandling = \"NON CLASSIFIÉ\"\n",
    );
    for line in config.lines() {
        if let Some(slug) = line.strip_prefix("slug = ") {
            let slug = slug.trim_matches('"');
            let _ = write!(
                fr,
                "[languages.fr.themes.{slug}]\nname = \"FR {slug}\"\ndescription = \"FR {slug}.\"\n"
            );
        }
    }
    std::fs::write(&config_path, format!("{config}{fr}"))?;
    let mut written = 0;
    for entry in walkdir::WalkDir::new(site.join("content")).sort_by_file_name() {
        let entry = entry.map_err(io::Error::other)?;
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(path)?;
        let Some(rest) = text.strip_prefix("+++\n") else {
            continue;
        };
        let Some((fm, body)) = rest.split_once("\n+++\n") else {
            continue;
        };
        let mut out = String::from("+++\n");
        for line in fm.lines() {
            let key = line.split('=').next().unwrap_or("").trim();
            if line.starts_with('[') {
                out.push_str(line);
                out.push('\n');
            } else if TEXT_KEYS.contains(&key) {
                let value = line[line.find('=').unwrap_or(0) + 1..].trim();
                let _ = writeln!(out, "{key} = \"FR {}", value.trim_start_matches('"'));
            }
        }
        let _ = write!(out, "+++\nFR\n\n{body}");
        std::fs::write(path.with_extension("fr.md"), out)?;
        written += 1;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_briefing() {
        assert_eq!(
            slugify("What's at stake for Canada"),
            "whats-at-stake-for-canada"
        );
        assert_eq!(slugify("Canola seed outlook"), "canola-seed-outlook");
        assert_eq!(slugify("  EV — surtax  "), "ev-surtax");
    }

    #[test]
    fn bodies_are_about_3_6_kb() {
        let mut s = Summary {
            pages: 0,
            disputes: 0,
            sections: 0,
            page_paths: vec![],
            section_paths: vec![],
            links: 0,
            anchored_links: 0,
            body_bytes: 0,
            marked: 0,
        };
        for i in 0..200 {
            let b = body(1, i, 200, Flavor::Briefing, None, &mut s);
            assert!((2800..4800).contains(&b.len()), "{}", b.len());
        }
        let mean = s.body_bytes / 200;
        assert!((3000..4000).contains(&mean), "{mean}");
        assert!(s.anchored_links > 0 && s.anchored_links < s.links);
    }
}
