//! The binder (`book.pdf`), read back from the PDF itself: with lopdf (its outline, links,
//! images, metadata, structure) and poppler's `pdftotext`/`pdfinfo` (the text of each sheet
//! as printed).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use lopdf::{Document, Object, ObjectId};
use proptest::prelude::*;

use crate::common::{TestSite, property_config};

/// Runs a poppler tool; the tests need poppler-utils (scripts/test installs it).
fn poppler(program: &str, args: &[&str], pdf: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{program} is needed to read the PDF ({e}): install poppler-utils \
                 (scripts/test does: apt-get install poppler-utils)"
            )
        });
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Each sheet's text, as `pdftotext -layout` lays it out.
fn sheets(pdf: &Path) -> Vec<String> {
    let text = poppler("pdftotext", &["-layout", "-enc", "UTF-8"], pdf);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn pdfinfo(pdf: &Path) -> BTreeMap<String, String> {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("pdfinfo is needed (poppler-utils): {e}"));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Whitespace collapsed, and the word joiner Typst puts before page numbers removed.
fn flat(s: &str) -> String {
    s.replace('\u{2060}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn non_empty_lines(sheet: &str) -> Vec<&str> {
    sheet
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// A contents line: its title and the page number after the dotted leader.
fn contents_entry(line: &str) -> Option<(String, u32)> {
    let line = line.replace('\u{2060}', "");
    let (head, number) = line.trim().rsplit_once(' ')?;
    let number: u32 = number.parse().ok()?;
    let title = head.trim_end_matches(['.', ' ']).trim();
    (head.contains(". .") && !title.is_empty()).then(|| (title.to_string(), number))
}

/// PDF text strings: UTF-16BE with its byte-order mark, or PDFDocEncoding (Latin-1 for the
/// characters these tests meet).
fn pdf_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

/// The PDF read with lopdf, and each page's number by its object.
struct Pdf {
    doc: Document,
    page_of: BTreeMap<ObjectId, u32>,
}

impl Pdf {
    fn load(path: &Path) -> Pdf {
        let doc = Document::load(path).unwrap_or_else(|e| panic!("lopdf reads {path:?}: {e}"));
        let page_of = doc.get_pages().into_iter().map(|(n, id)| (id, n)).collect();
        Pdf { doc, page_of }
    }

    fn resolve<'a>(&'a self, o: &'a Object) -> &'a Object {
        match o {
            Object::Reference(id) => self.doc.get_object(*id).unwrap_or(o),
            o => o,
        }
    }

    /// The document's language (`/Lang`).
    fn lang(&self) -> Option<String> {
        match self.resolve(self.catalog().get(b"Lang").ok()?) {
            Object::String(s, _) => Some(pdf_text(s)),
            _ => None,
        }
    }

    fn catalog(&self) -> &lopdf::Dictionary {
        self.doc.catalog().expect("a catalog")
    }

    /// The page a destination (an array, or a name in the catalog's name tree) goes to.
    fn dest_page(&self, dest: &Object) -> Option<u32> {
        match self.resolve(dest) {
            Object::Array(a) => match a.first()? {
                Object::Reference(id) => self.page_of.get(id).copied(),
                _ => None,
            },
            Object::String(name, _) | Object::Name(name) => {
                let names = self
                    .resolve(self.catalog().get(b"Names").ok()?)
                    .as_dict()
                    .ok()?;
                let tree = self.resolve(names.get(b"Dests").ok()?);
                self.find_name(tree, name).and_then(|d| self.dest_page(d))
            }
            Object::Dictionary(d) => self.dest_page(d.get(b"D").ok()?),
            _ => None,
        }
    }

    fn find_name<'a>(&'a self, node: &'a Object, name: &[u8]) -> Option<&'a Object> {
        let node = self.resolve(node).as_dict().ok()?;
        if let Ok(Object::Array(pairs)) = node.get(b"Names").map(|o| self.resolve(o)) {
            for pair in pairs.chunks(2) {
                if let [Object::String(k, _), v] = pair
                    && k.as_slice() == name
                {
                    return Some(v);
                }
            }
        }
        if let Ok(Object::Array(kids)) = node.get(b"Kids").map(|o| self.resolve(o)) {
            return kids.iter().find_map(|k| self.find_name(k, name));
        }
        None
    }

    /// The outline (bookmarks), depth first: each entry's title, depth and page.
    fn outline(&self) -> Vec<(String, usize, Option<u32>)> {
        let mut out = Vec::new();
        let Ok(root) = self.catalog().get(b"Outlines") else {
            return out;
        };
        let Ok(root) = self.resolve(root).as_dict() else {
            return out;
        };
        if let Ok(first) = root.get(b"First") {
            self.walk_outline(first, 0, &mut out);
        }
        out
    }

    fn walk_outline(
        &self,
        item: &Object,
        depth: usize,
        out: &mut Vec<(String, usize, Option<u32>)>,
    ) {
        let mut next = Some(item);
        while let Some(o) = next {
            let Ok(d) = self.resolve(o).as_dict() else {
                break;
            };
            let title = match d.get(b"Title").map(|t| self.resolve(t)) {
                Ok(Object::String(s, _)) => pdf_text(s),
                _ => String::new(),
            };
            let page = d
                .get(b"Dest")
                .ok()
                .or_else(|| d.get(b"A").ok())
                .and_then(|dest| self.dest_page(dest));
            out.push((title, depth, page));
            if let Ok(first) = d.get(b"First") {
                self.walk_outline(first, depth + 1, out);
            }
            next = d.get(b"Next").ok();
        }
    }

    /// Every link annotation: its page, its rectangle, and where it goes (a page, or a URI).
    fn links(&self) -> Vec<(u32, [f32; 4], Result<u32, String>)> {
        let mut out = Vec::new();
        for (&id, &n) in &self.page_of {
            let Ok(page) = self.doc.get_dictionary(id) else {
                continue;
            };
            let Ok(Object::Array(annots)) = page.get(b"Annots").map(|a| self.resolve(a)) else {
                continue;
            };
            for a in annots {
                let Ok(a) = self.resolve(a).as_dict() else {
                    continue;
                };
                if a.get(b"Subtype").ok().and_then(|s| s.as_name().ok()) != Some(b"Link") {
                    continue;
                }
                let rect: Vec<f32> = match a.get(b"Rect").map(|r| self.resolve(r)) {
                    Ok(Object::Array(r)) => r.iter().filter_map(|v| v.as_float().ok()).collect(),
                    _ => continue,
                };
                let [x0, y0, x1, y1] = rect[..] else { continue };
                let action = a
                    .get(b"A")
                    .ok()
                    .and_then(|x| self.resolve(x).as_dict().ok());
                let target = match action.and_then(|x| x.get(b"URI").ok()) {
                    Some(Object::String(u, _)) => Err(pdf_text(u)),
                    _ => a
                        .get(b"Dest")
                        .ok()
                        .and_then(|d| self.dest_page(d))
                        .or_else(|| {
                            action
                                .and_then(|x| x.get(b"D").ok())
                                .and_then(|d| self.dest_page(d))
                        })
                        .ok_or_else(|| "no destination".to_string()),
                };
                out.push((n, [x0, y0, x1, y1], target));
            }
        }
        out
    }

    /// How many image XObjects the pages draw.
    fn images(&self) -> usize {
        self.doc
            .objects
            .values()
            .filter(|o| match o {
                Object::Stream(s) => {
                    s.dict.get(b"Subtype").ok().and_then(|t| t.as_name().ok()) == Some(b"Image")
                }
                _ => false,
            })
            .count()
    }
}

/// The words `pdftotext -bbox` finds inside a rectangle of page `n` (PDF coordinates,
/// origin at the bottom left).
fn words_in(pdf: &Path, n: u32, rect: [f32; 4], height: f32) -> String {
    let html = poppler(
        "pdftotext",
        &["-bbox", "-f", &n.to_string(), "-l", &n.to_string()],
        pdf,
    );
    let [x0, y0, x1, y1] = rect;
    let (top, bottom) = (height - y1, height - y0);
    let mut words = Vec::new();
    for line in html.lines().filter(|l| l.trim_start().starts_with("<word")) {
        let attr = |name: &str| -> f32 {
            line.split(&format!("{name}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(f32::NAN)
        };
        let (wx0, wy0, wx1, wy1) = (attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax"));
        let cx = (wx0 + wx1) / 2.0;
        let cy = (wy0 + wy1) / 2.0;
        let inside = cx >= x0 - 1.0 && cx <= x1 + 1.0 && cy >= top - 1.0 && cy <= bottom + 1.0;
        if inside && let Some(w) = line.split('>').nth(1).and_then(|r| r.split('<').next()) {
            words.push(
                w.replace("&amp;", "&")
                    .replace("&#39;", "'")
                    .replace("&quot;", "\""),
            );
        }
    }
    words.join(" ")
}

fn built_bundled() -> TestSite {
    let site = TestSite::bundled_with_pdf();
    site.build().ok();
    site
}

/// The bundled book's PDF, sheet by sheet: the marking at the top and the bottom of every
/// sheet and `Page N of M` at its foot; the contents' page numbers are where each title is
/// printed, the bookmarks are the contents, every internal link lands on the page of what
/// it names; metadata, language and tags are set.
#[test]
fn the_bundled_books_pdf_is_marked_numbered_and_its_contents_true() {
    let site = built_bundled();
    let pdf = site.public().join("book.pdf");
    let sheets = sheets(&pdf);
    let total = sheets.len();
    assert!(total >= 10, "the book has {total} sheets");
    for (i, sheet) in sheets.iter().enumerate() {
        let lines = non_empty_lines(sheet);
        let n = i + 1;
        assert_eq!(
            lines.first().copied(),
            Some("UNCLASSIFIED"),
            "sheet {n} top: {lines:?}"
        );
        assert_eq!(
            lines.last().copied(),
            Some("UNCLASSIFIED"),
            "sheet {n} bottom"
        );
        assert_eq!(
            lines.get(lines.len().saturating_sub(2)).copied(),
            Some(format!("Page {n} of {total}").as_str()),
            "sheet {n}'s foot"
        );
    }
    // The contents: every entry's title is printed on the page its number gives.
    let contents: Vec<(String, u32)> = sheets
        .iter()
        .take(3)
        .flat_map(|s| s.lines().filter_map(contents_entry).collect::<Vec<_>>())
        .collect();
    assert!(contents.len() >= 15, "contents: {contents:?}");
    for (title, page) in &contents {
        let printed = flat(&sheets[*page as usize - 1]);
        assert!(
            printed.contains(&flat(title)),
            "contents say {title:?} is on page {page}, which reads:\n{printed}"
        );
    }
    for title in ["Itinerary", "Trade disputes", "Canola", "Notes", "Timeline"] {
        assert!(
            contents.iter().any(|(t, _)| t == title),
            "{title} in the contents"
        );
    }
    // The bookmarks are the contents, in the same order with the same pages.
    let doc = Pdf::load(&pdf);
    let outline: Vec<(String, u32)> = doc
        .outline()
        .into_iter()
        .map(|(t, _, p)| (t, p.unwrap_or(0)))
        .collect();
    assert_eq!(outline, contents, "bookmarks against contents");
    // Every internal link lands on the page of what it names: the contents' on the page
    // they print; the body's on a page where its target's title is printed.
    let links = doc.links();
    let internal: Vec<_> = links.iter().filter(|(_, _, t)| t.is_ok()).collect();
    assert!(
        internal.len() > contents.len(),
        "{} internal links",
        internal.len()
    );
    let height = 792.0;
    for (page, rect, target) in &internal {
        let to = *target.as_ref().unwrap_or(&0);
        assert!(
            to >= 1 && to as usize <= total,
            "link on page {page} to page {to}"
        );
        let text = words_in(&pdf, *page, *rect, height);
        if let Some((_, printed)) = contents.iter().find(|(t, _)| flat(t) == flat(&text)) {
            assert_eq!(to, *printed, "the contents' link {text:?}");
        }
    }
    // The front page's "(canola)" link goes to the Canola dispute's heading "Where things
    // stand", on the sheet that prints it.
    let canola = sheets
        .iter()
        .position(|s| s.contains("Where things stand") && s.contains("Trade disputes"))
        .map(|p| p as u32 + 1);
    let to_canola = internal
        .iter()
        .filter(|(page, rect, _)| {
            *page == 3 && words_in(&pdf, *page, *rect, height).contains("canola")
        })
        .map(|(_, _, t)| t.clone().ok())
        .collect::<Vec<_>>();
    assert!(!to_canola.is_empty(), "the front page links to canola");
    assert!(
        to_canola.iter().all(|t| *t == canola),
        "{to_canola:?} against {canola:?}"
    );
    // Metadata, language, tags.
    let info = pdfinfo(&pdf);
    assert_eq!(
        info.get("Title").map(String::as_str),
        Some("Prime Minister's visit to China — January 2026")
    );
    assert!(
        info.get("Subject")
            .is_some_and(|s| s.starts_with("Briefing book")),
        "{info:?}"
    );
    assert_eq!(info.get("Tagged").map(String::as_str), Some("yes"));
    assert_eq!(info.get("Pages"), Some(&total.to_string()));
    let lang = doc.lang();
    assert_eq!(lang.as_deref(), Some("en-CA"));
    assert!(
        doc.catalog().get(b"StructTreeRoot").is_ok(),
        "a structure tree"
    );
    let marked = doc
        .catalog()
        .get(b"MarkInfo")
        .ok()
        .and_then(|m| doc.resolve(m).as_dict().ok())
        .and_then(|m| m.get(b"Marked").ok())
        .and_then(|m| m.as_bool().ok());
    assert_eq!(marked, Some(true));
    let metadata = std::fs::read(&pdf).expect("pdf");
    assert!(
        metadata.windows(7).any(|w| w == b"pdfuaid"),
        "the bundled book claims PDF/UA-1"
    );
    // The book page and every page's footer link to it, saying how many pages it has.
    let book = site.html("book/index.html");
    let link = book
        .select(&crate::common::sel("a[href='../book.pdf']"))
        .map(crate::common::text_of)
        .collect::<Vec<_>>();
    assert!(
        link.iter()
            .any(|t| t == &format!("Download the book (PDF, {total} pages)")),
        "{link:?}"
    );
    let front = site.html("index.html");
    assert!(
        front
            .select(&crate::common::sel("a[href$='book.pdf']"))
            .next()
            .is_some()
    );
}

/// Building again gives the same bytes (dates from the book, never the clock).
#[test]
fn the_pdf_is_the_same_bytes_on_every_build() {
    let site = built_bundled();
    let first = std::fs::read(site.public().join("book.pdf")).expect("first");
    site.run(&["build", "--output", "again"]).ok();
    let second = std::fs::read(site.root.join("again/book.pdf")).expect("second");
    assert!(first == second, "two builds differ");
    let info = pdfinfo(&site.public().join("book.pdf"));
    assert!(
        info.get("CreationDate").is_some_and(|d| d.contains("2026")),
        "{info:?}"
    );
}

/// The French book is typeset in French: its own PDF, every printed word from the French
/// strings, its language set.
#[test]
fn the_french_book_has_its_own_pdf_in_french() {
    let site = built_bundled();
    let pdf = site.public().join("fr/book.pdf");
    let sheets = sheets(&pdf);
    let total = sheets.len();
    for (i, sheet) in sheets.iter().enumerate() {
        let lines = non_empty_lines(sheet);
        assert_eq!(
            lines.get(lines.len().saturating_sub(2)).copied(),
            Some(format!("Page {} sur {total}", i + 1).as_str())
        );
        assert_eq!(
            lines.first().copied(),
            Some("NON CLASSIFIÉ"),
            "sheet {}",
            i + 1
        );
    }
    let all = flat(&sheets.join("\n"));
    for word in [
        "Table des matières",
        "Différends commerciaux",
        "Chronologie",
        "L'essentiel",
    ] {
        assert!(all.contains(word), "{word:?} in the French PDF");
    }
    assert!(!all.contains("Page 1 of"), "no English foot");
    let doc = Pdf::load(&pdf);
    let lang = doc.lang();
    assert_eq!(lang.as_deref(), Some("fr-CA"));
    let book = site.html("fr/book/index.html");
    let link: Vec<String> = book
        .select(&crate::common::sel("a[href='../book.pdf']"))
        .map(crate::common::text_of)
        .collect();
    assert!(
        link.iter()
            .any(|t| t == &format!("Télécharger le cahier (PDF, {total} pages)")),
        "{link:?}"
    );
}

/// A callout's title is in its page's language, on the web page and in the PDF alike; a
/// site's own string overrides the built-in word.
#[test]
fn callout_titles_are_in_the_pages_language_in_html_and_pdf() {
    let site = TestSite::empty();
    site.write(
        "briefing.toml",
        "title = \"Book\"\nlanguage = \"en-CA\"\npdf = true\n[strings]\ncallout_tip = \"Hint & tip\"\n\
         [languages.fr]\nlanguage = \"fr-CA\"\ntitle = \"Cahier\"\n",
    )
    .write(
        "content/_index.md",
        "+++\ntitle = \"Home\"\n+++\n> [!WARNING]\n> Mind the date.\n\n> [!TIP]\n> A tip.\n",
    )
    .write(
        "content/_index.fr.md",
        "+++\ntitle = \"Accueil\"\n+++\n> [!WARNING]\n> Attention à la date.\n\n\
         > [!CAUTION]\n> Prudence.\n",
    );
    site.build().ok();
    let titles = |page: &str| -> Vec<String> {
        site.html(page)
            .select(&crate::common::sel("main .callout-title"))
            .map(crate::common::text_of)
            .collect()
    };
    assert_eq!(titles("index.html"), ["Warning", "Hint & tip"]);
    assert_eq!(titles("fr/index.html"), ["Avertissement", "Mise en garde"]);
    let english = flat(&sheets(&site.public().join("book.pdf")).join("\n"));
    let french = flat(&sheets(&site.public().join("fr/book.pdf")).join("\n"));
    assert!(
        english.contains("Warning") && english.contains("Hint & tip"),
        "{english}"
    );
    assert!(
        french.contains("Avertissement") && french.contains("Mise en garde"),
        "{french}"
    );
    assert!(
        !french.contains("Warning") && !french.contains("Caution"),
        "{french}"
    );
}

/// Typst's own warnings reach the build's report at the template's line, and a book that
/// does not meet PDF/UA-1 is still written, tagged, with a warning that says so.
#[test]
fn typesetting_warnings_and_an_unmet_pdf_ua_are_reported_not_dropped() {
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"T\"\npdf = true\n");
    site.write("content/_index.md", "+++\ntitle = \"Front\"\n+++\nBody.\n");
    // An unknown font is one of Typst's warnings; no document title fails PDF/UA-1.
    site.write(
        "templates/book.typ",
        "#set text(font: \"No Such Font\")\n= Book\nText.\n",
    );
    for command in ["build", "check"] {
        let run = site.run(&[command]).ok();
        let warning = |says: &str| {
            run.stderr
                .lines()
                .any(|l| l.contains("warning") && l.contains(says))
        };
        assert!(warning("no such font"), "{command}:\n{}", run.stderr);
        assert!(
            run.stderr.contains("templates/book.typ:1:"),
            "{command}:\n{}",
            run.stderr
        );
        assert!(
            warning("does not meet PDF/UA-1"),
            "{command}:\n{}",
            run.stderr
        );
    }
    let info = pdfinfo(&site.public().join("book.pdf"));
    assert_eq!(
        info.get("Tagged").map(String::as_str),
        Some("yes"),
        "{info:?}"
    );
}

/// A small site with what the Markdown can hold: a table long enough to run over sheets,
/// an image, a footnote, a callout, code, a link to another page's heading; with an author.
fn rich_site() -> TestSite {
    let site = TestSite::empty();
    site.write(
        "briefing.toml",
        "title = \"Rich book\"\ndescription = \"All of Markdown\"\nauthor = \"Trade Policy Team\"\npdf = true\n\
         [markings]\nlevels = [\"UNCLASSIFIED\", \"PROTECTED A\", \"SECRET\"]\ndefault = \"UNCLASSIFIED\"\n",
    );
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Front\"\nas_of = 2026-01-10\n+++\nThe bottom line.\n",
    );
    let mut rows = String::from("| Product | Rate |\n|---|--:|\n");
    for i in 0..120 {
        rows.push_str(&format!("| Row {i} | {i}% |\n"));
    }
    site.write("content/notes/_index.md", "+++\ntitle = \"Notes\"\n+++\n");
    site.write(
        "content/notes/long.md",
        &format!(
            "+++\ntitle = \"Long table\"\nas_of = 2026-01-09\n+++\n## Figures\n\n{rows}\n\n\
             A claim.[^1]\n\n[^1]: The footnote text.\n\n> [!NOTE]\n> A callout body.\n\n\
             ```\nlet x = 1;\n```\n\n![A small map](map.png)\n\nSee [the other](other.md#details).\n"
        ),
    );
    site.write(
        "content/notes/other.md",
        "+++\ntitle = \"Other page\"\nas_of = 2026-01-08\nmarking = \"SECRET\"\n\
         [[sources]]\ntitle = \"The report\"\nurl = \"https://example.org/report\"\n+++\n\
         Intro, [on the web](https://example.org/web).\n\n## Details\n\nThe details.\n",
    );
    std::fs::write(site.root.join("content/notes/map.png"), tiny_png()).expect("png");
    site
}

/// A 2×2 red PNG.
fn tiny_png() -> Vec<u8> {
    vec![
        137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 2, 0, 0, 0, 2, 8, 2,
        0, 0, 0, 253, 212, 154, 115, 0, 0, 0, 22, 73, 68, 65, 84, 120, 156, 99, 252, 207, 192, 192,
        192, 192, 192, 196, 192, 192, 192, 192, 192, 0, 0, 13, 29, 1, 3, 106, 194, 155, 233, 0, 0,
        0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
    ]
}

/// Tables repeat their header row on every sheet they run onto; footnotes sit at the foot
/// of the sheet; images are embedded; a link to another page's heading lands on its sheet;
/// each sheet carries the highest marking of what is on it; the cover names the author.
#[test]
fn markdown_typesets_tables_footnotes_images_and_marks_each_sheet_by_what_is_on_it() {
    let site = rich_site();
    site.build().ok();
    let pdf = site.public().join("book.pdf");
    let sheets = sheets(&pdf);
    let with_rows: Vec<&String> = sheets
        .iter()
        .filter(|s| s.contains("Row 5") || s.lines().any(|l| l.trim_start().starts_with("Row ")))
        .collect();
    assert!(with_rows.len() >= 2, "the table runs over sheets");
    for s in &with_rows {
        assert!(
            s.contains("Product"),
            "the header row on every sheet of the table:\n{s}"
        );
    }
    let all = flat(&sheets.join("\n"));
    assert!(all.contains("The footnote text."));
    assert!(all.contains("A callout body."));
    assert!(all.contains("let x = 1;"));
    assert!(all.contains("Trade Policy Team"), "the author on the cover");
    let doc = Pdf::load(&pdf);
    assert!(doc.images() >= 1, "the image is embedded");
    // Sheet markings: the other page is SECRET, the long one UNCLASSIFIED, the cover and
    // contents the book's highest.
    let top = |s: &String| {
        non_empty_lines(s)
            .first()
            .map(|l| l.to_string())
            .unwrap_or_default()
    };
    assert_eq!(top(&sheets[0]), "SECRET", "the cover");
    assert_eq!(top(&sheets[1]), "SECRET", "the contents");
    for s in &sheets {
        let expected = if s.contains("The details.") {
            "SECRET"
        } else if s.contains("Row 1") {
            "UNCLASSIFIED"
        } else {
            continue;
        };
        assert_eq!(top(s), expected, "{s}");
        assert_eq!(non_empty_lines(s).last().copied(), Some(expected));
    }
    let details = sheets
        .iter()
        .position(|s| s.contains("The details."))
        .map(|p| p as u32 + 1);
    let to_details: Vec<u32> = doc
        .links()
        .into_iter()
        .filter(|(page, rect, t)| {
            t.is_ok() && words_in(&pdf, *page, *rect, 792.0).contains("other")
        })
        .filter_map(|(_, _, t)| t.ok())
        .collect();
    assert!(
        !to_details.is_empty() && to_details.iter().all(|&p| Some(p) == details),
        "{to_details:?} against {details:?}"
    );
    // External links are clickable, and the sources' addresses printed.
    let uris: Vec<String> = doc
        .links()
        .into_iter()
        .filter_map(|(_, _, t)| t.err())
        .collect();
    assert!(
        uris.iter().any(|u| u == "https://example.org/web"),
        "{uris:?}"
    );
    assert!(
        uris.iter().any(|u| u == "https://example.org/report"),
        "{uris:?}"
    );
    assert!(
        all.contains("https://example.org/report"),
        "the source's URL printed"
    );
    let info = pdfinfo(&pdf);
    assert_eq!(
        info.get("Author").map(String::as_str),
        Some("Trade Policy Team")
    );
}

/// Characters no embedded font has: one warning per page, naming them; the build goes on.
#[test]
fn characters_without_a_glyph_are_one_warning_per_page_naming_them() {
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"Names\"\npdf = true\n");
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Front\"\n+++\nMet 习近平 and 李强; 习 again.\n",
    );
    let run = site.build().ok();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("has no font for"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    for c in ["习 (U+4E60)", "近", "平", "李", "强"] {
        assert!(warnings[0].contains(c), "{c} in {}", warnings[0]);
    }
    assert!(
        run.stderr.contains("content/_index.md:4:5"),
        "{}",
        run.stderr
    );
    assert!(site.public().join("book.pdf").is_file());
}

/// The template's mistakes are errors at its file, line and column, in `build` and in
/// `check` (which typesets without writing); packages and reads outside the book are refused.
#[test]
fn template_errors_packages_and_reads_outside_are_errors_at_the_template() {
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "#let x = (\n",
            "templates/book.typ:1:",
            &["the PDF's template"],
        ),
        (
            "#import \"@preview/cetz:0.3.0\": canvas\n= Book\n",
            "templates/book.typ:1:",
            &["@preview/cetz", "fetches nothing"],
        ),
        (
            "= Book\n#read(\"/etc/passwd\")\n",
            "templates/book.typ:2:",
            &["may read only the files the book shows", "/etc/passwd"],
        ),
        (
            "= Book\n#read(\"../briefing.toml\")\n",
            "templates/book.typ:2:",
            &["would escape the project root"],
        ),
    ];
    for (template, at, says) in cases {
        let site = TestSite::empty();
        site.write("briefing.toml", "title = \"T\"\npdf = true\n");
        site.write("content/_index.md", "+++\ntitle = \"Front\"\n+++\nBody.\n");
        site.write("templates/book.typ", template);
        for command in ["build", "check"] {
            let run = site.run(&[command]).fails();
            assert!(
                run.stderr.contains(at),
                "{command} with {template:?}:\n{}",
                run.stderr
            );
            for s in says {
                assert!(
                    run.stderr.contains(s),
                    "{command}: {s:?} in\n{}",
                    run.stderr
                );
            }
        }
        assert!(!site.public().exists(), "nothing written");
    }
}

/// An image the PDF cannot show, or one that is not there, is an error at the page's line,
/// and nothing is written.
#[test]
fn a_missing_image_is_an_error_at_its_line() {
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"T\"\npdf = true\n");
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Front\"\n+++\nBody.\n\n![Map](missing.png)\n",
    );
    for command in ["build", "check"] {
        let run = site.run(&[command]).fails();
        assert!(
            run.stderr.contains("content/_index.md:6:1"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("there is no file content/missing.png"),
            "{}",
            run.stderr
        );
    }
    assert!(!site.public().exists(), "nothing written");
}

#[test]
fn an_image_that_is_not_one_is_an_error_at_its_line() {
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"T\"\npdf = true\n");
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Front\"\n+++\nBody.\n\n![Map](map.png)\n",
    );
    site.write("content/map.png", "not an image at all");
    let run = site.build().fails();
    assert!(run.stderr.contains("content/_index.md:6"), "{}", run.stderr);
    assert!(
        run.stderr.contains("is not a PNG, JPEG, GIF or SVG image"),
        "{}",
        run.stderr
    );
}

/// Without `pdf`, no PDF and no link to one; `--pdf` asks for it.
#[test]
fn the_pdf_is_written_only_when_asked_for() {
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"T\"\n");
    site.write("content/_index.md", "+++\ntitle = \"Front\"\n+++\nBody.\n");
    site.build().ok();
    assert!(!site.public().join("book.pdf").exists());
    assert!(
        site.html("index.html")
            .select(&crate::common::sel("a[href$='book.pdf']"))
            .next()
            .is_none()
    );
    site.run(&["build", "--pdf"]).ok();
    assert!(std::fs::read(site.public().join("book.pdf")).is_ok_and(|b| b.starts_with(b"%PDF-")));
}

/// What the content writes is printed as written, never run as Typst: arbitrary strings in
/// titles, summaries, sources, the body's text and code come out literally in the PDF's
/// text, and typesetting reads nothing but the template.
fn literal() -> impl Strategy<Value = String> {
    // Typst's markup and code characters among letters, none of them Markdown's.
    proptest::string::string_regex("[a-z]{1,3}[a-z#$@=/{}()%^;:,.+ -]{0,14}[a-z]").expect("regex")
}

proptest! {
    #![proptest_config(property_config("BRIEFING_PDF_CASES", 8))]
    #[test]
    fn content_reaches_the_pdf_as_text_never_as_typst(
        // Front matter is text, not Markdown: any printable character.
        title in "[a-z][ -~]{0,16}[a-z]",
        summary in literal(),
        source in literal(),
        text in literal(),
        code in "[ -~]{1,20}",
    ) {
        let site = TestSite::empty();
        site.write("briefing.toml", "title = \"Book #read(\\\"/etc/passwd\\\")\"\npdf = true\n");
        site.write("content/_index.md", "+++\ntitle = \"Front\"\n+++\nBody.\n");
        let toml = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        site.write(
            "content/p.md",
            &format!(
                "+++\ntitle = \"{}\"\nsummary = \"{}\"\n[[sources]]\ntitle = \"{}\"\nurl = \"https://example.org/\"\n+++\nSay {}.\n\n```\n{}\n```\n",
                toml(&title), toml(&summary), toml(&source), text, code
            ),
        );
        let run = site.build();
        prop_assert_eq!(run.code, Some(0), "{}", run.stderr);
        let printed = flat(&sheets(&site.public().join("book.pdf")).join("\n"));
        prop_assert!(printed.contains("Book #read(\"/etc/passwd\")"), "the site title");
        // The body is Markdown, whose smart punctuation makes `--` a dash on the web and on
        // paper alike: the sentence is expected as the page's HTML shows it.
        let said = site
            .html("p/index.html")
            .select(&crate::common::sel("main p"))
            .map(crate::common::text_of)
            .find(|p| p.starts_with("Say "));
        prop_assert!(said.is_some(), "the sentence on the page");
        let text = said.unwrap_or_default();
        for s in [&title, &summary, &source, &text, &code] {
            prop_assert!(printed.contains(&flat(s)), "{:?} printed literally in\n{}", s, printed);
        }
        prop_assert!(!printed.contains("root:x:0"), "nothing read from /etc/passwd");
    }
}

/// The preview typesets the PDF when it is asked for, never on a save: a broken
/// `book.typ` neither fails the first build nor a later page edit, only the request for the
/// PDF, which shows the overlay. Fixed, the PDF is served; broken again, the last good one is
/// served, with the overlay on open pages, and an edit is in the PDF asked for after it.
#[test]
fn serve_typesets_the_pdf_on_request_and_keeps_the_last_good_one() {
    use crate::common::server::Server;
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"Served\"\npdf = true\n");
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Front\"\n+++\nFirst words.\n",
    );
    site.write("templates/book.typ", "#let x = (\n");
    let server = Server::start(&site.root, &[]);
    assert!(
        !server.get("/").body.contains("briefing-errors"),
        "the first build does not typeset"
    );
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Front\"\n+++\nSecond words.\n",
    );
    server.wait_for("/", "the edit", |r| r.body.contains("Second words."));
    assert!(
        !server.get("/").body.contains("briefing-errors"),
        "a save does not typeset"
    );
    // Asked for, the broken template is an error: no PDF yet, the overlay says why.
    let (status, body) = server.get_bytes("/book.pdf");
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("templates/book.typ:1"));
    assert!(server.get("/").body.contains("briefing-errors"));
    // The built-in template again: the PDF, with the latest words; the overlay goes.
    std::fs::remove_file(site.root.join("templates/book.typ")).expect("remove");
    let good = until("the PDF once the template is fixed", || {
        let (status, pdf) = server.get_bytes("/book.pdf");
        (status == 200).then_some(pdf)
    });
    assert!(good.starts_with(b"%PDF-"));
    let file = site.scratch().join("served.pdf");
    std::fs::write(&file, &good).expect("write");
    assert!(flat(&sheets(&file).join("\n")).contains("Second words."));
    assert!(!server.get("/").body.contains("briefing-errors"));
    // Broken again: the last good PDF is served, and pages show the overlay.
    site.write("templates/book.typ", "#let x = (\n");
    let again = until("the overlay for the broken template", || {
        let (status, pdf) = server.get_bytes("/book.pdf");
        assert_eq!(status, 200, "the last good PDF is served");
        server
            .get("/")
            .body
            .contains("briefing-errors")
            .then_some(pdf)
    });
    assert!(again == good, "the last good PDF");
    // Fixed, an edit made since is in the next PDF asked for.
    std::fs::remove_file(site.root.join("templates/book.typ")).expect("remove");
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Front\"\n+++\nThird words.\n",
    );
    until("the PDF with the edit", || {
        let (status, pdf) = server.get_bytes("/book.pdf");
        assert_eq!(status, 200);
        std::fs::write(&file, &pdf).expect("write");
        flat(&sheets(&file).join("\n"))
            .contains("Third words.")
            .then_some(())
    });
    assert!(!server.get("/").body.contains("briefing-errors"));
    // The preview's PDF is the build's, byte for byte (at the preview's address).
    let (_, served) = server.get_bytes("/book.pdf");
    site.run(&["build", "--base-url", &format!("http://{}/", server.addr)])
        .ok();
    let built = std::fs::read(site.public().join("book.pdf")).expect("built");
    assert!(served == built, "the served PDF is not the built one");
}

/// The preview says on the terminal what typesetting on request did, as `build` would:
/// the template's error at its line and that no PDF is served, Typst's warnings and the
/// sheets typeset, and that the last good PDF is served when typesetting fails again.
#[test]
fn serve_says_what_typesetting_the_pdf_did() {
    use crate::common::server::Server;
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"Served\"\npdf = true\n");
    site.write("content/_index.md", "+++\ntitle = \"Front\"\n+++\nWords.\n");
    site.write("templates/book.typ", "#let x = (\n");
    let server = Server::start(&site.root, &[]);
    assert_eq!(server.get_bytes("/book.pdf").0, 404);
    server.wait_for_lines(
        "the template's error",
        &[
            &|l| l == "error: the PDF's template: unclosed delimiter",
            &|l| l.contains("--> templates/book.typ:1:10"),
            &|l| l == "book.pdf: cannot be typeset, 1 error; no PDF to serve until it is fixed",
        ],
    );

    // An unknown font is one of Typst's warnings.
    site.write(
        "templates/book.typ",
        "#set text(font: \"No Such Font\")\n#set document(title: \"T\")\n= Book\n#pagebreak()\nText.\n",
    );
    until("the PDF once the template is fixed", || {
        (server.get_bytes("/book.pdf").0 == 200).then_some(())
    });
    let said = server.wait_for_lines(
        "the typesetter's warning and the sheets typeset",
        &[
            &|l| l.starts_with("warning") && l.contains("no such font"),
            &|l| l.contains("--> templates/book.typ:1:"),
            &|l| l.starts_with("book.pdf: typeset, "),
        ],
    );
    assert!(
        said[2].starts_with("book.pdf: typeset, 2 pages, in "),
        "{}",
        said[2]
    );

    site.write("templates/book.typ", "#let x = (\n");
    until("the overlay for the broken template", || {
        assert_eq!(server.get_bytes("/book.pdf").0, 200, "the last good PDF");
        server
            .get("/")
            .body
            .contains("briefing-errors")
            .then_some(())
    });
    server.wait_for_line("that the last good PDF is served", |l| {
        l == "book.pdf: cannot be typeset, 1 error; still serving the last good one"
    });
}

/// What `f` gives once it gives something, within 30 seconds.
fn until<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited 30 s for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(150));
    }
}

/// Typesetting opens no file but the site's own: content that names `/etc/passwd` (as Typst
/// code in a title, as an image's path out of the site) gets it read by nobody, shown by the
/// system calls of the build itself (`strace`).
#[test]
fn typesetting_opens_no_file_outside_the_site() {
    if Command::new("strace").arg("-V").output().is_err() {
        crate::common::skipped("the PDF's file reads test", "strace is not installed");
        return;
    }
    let site = TestSite::empty();
    site.write("briefing.toml", "title = \"T\"\npdf = true\n");
    site.write(
        "content/_index.md",
        "+++\ntitle = '#read(\"/etc/passwd\") #image(\"/etc/hostname\")'\n+++\nBody `#read(\"/etc/shadow\")`.\n",
    );
    let log = site.scratch().join("strace.log");
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=open,openat,openat2", "-o"])
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_briefing"))
        .args(["build", "--root"])
        .arg(&site.root)
        .output()
        .expect("strace");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let opened = std::fs::read_to_string(&log).expect("log");
    assert!(
        opened.contains("content/_index.md"),
        "the trace saw the build's opens:\n{opened}"
    );
    for secret in ["/etc/passwd", "/etc/shadow", "/etc/hostname"] {
        assert!(
            !opened.contains(&format!("\"{secret}\"")),
            "{secret} opened:\n{opened}"
        );
    }
    let printed = flat(&sheets(&site.public().join("book.pdf")).join("\n"));
    assert!(
        printed.contains("#read(\"/etc/passwd\") #image(\"/etc/hostname\")"),
        "{printed}"
    );
}
