//! Property tests: arbitrary input never panics the front-matter splitter, the decoder,
//! the page parser or the Markdown renderer and link rewriter.

use std::path::Path;

use briefing::config::Config;
use briefing::content::{Kind, decode_text, parse_page};
use briefing::frontmatter::{self, Format};
use briefing::markdown::{LINK_MARK, outline, render};
use proptest::prelude::*;

fn config() -> Config {
    Config::parse(
        "title = \"t\"\n[[themes]]\nslug = \"trade\"\nname = \"T\"\ncolor = \"#123456\"\n",
    )
    .expect("config")
}

/// Text made of the pieces that matter to the parsers, in any order.
fn briefing_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("+++\n".to_string()),
        Just("---\n".to_string()),
        Just("\r\n".to_string()),
        Just("\u{feff}".to_string()),
        Just("title = \"T\"\n".to_string()),
        Just("themes = [\"trade\", \"x\"]\n".to_string()),
        Just("as_of = 2026-02-30\n".to_string()),
        Just("kind = \"dispute\"\n[dispute]\nstatus = \"in force\"\n".to_string()),
        Just("[[stops]]\ndate = \"2026\"\n".to_string()),
        Just("## Heading\n".to_string()),
        Just("[a](b.md#c) ".to_string()),
        Just("![i](../x.png) ".to_string()),
        Just("[^1]\n\n[^1]: note\n".to_string()),
        Just("| a | b |\n|---|---|\n".to_string()),
        "\\PC{0,12}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

/// Markdown with links to all kinds of destinations.
fn markdown_with_links() -> impl Strategy<Value = String> {
    let dest = prop_oneof![
        Just("a.md"),
        Just("../b.md#x"),
        Just("../../c.md"),
        Just("#anchor"),
        Just("#"),
        Just("https://e.org/x.md"),
        Just("mailto:a@b"),
        Just("file.pdf"),
        Just("dir/"),
        Just("/root.md"),
        Just("a%20b.md"),
        Just("..\\\\x.md"),
        Just("@@briefing-link-7@@"),
    ];
    let item = (dest, "\\PC{0,6}", any::<bool>()).prop_map(|(d, text, image)| {
        if image {
            format!("![{text}]({d}) ")
        } else {
            format!("[{text}]({d}) ")
        }
    });
    prop::collection::vec(
        prop_oneof![
            item,
            "\\PC{0,10}".prop_map(|s| s),
            Just("\n\n## H\n".to_string()),
            Just("\n\n### Given {#given}\n".to_string())
        ],
        0..20,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn splitting_and_parsing_never_panic(text in briefing_text()) {
        if let Ok(split) = frontmatter::split(&text) {
            let _ = frontmatter::parse::<toml::Table>(split.format, split.front_matter);
            let _ = frontmatter::parse::<toml::Table>(Format::Yaml, split.front_matter);
        }
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode_text(Path::new("content/x.md"), bytes);
    }

    #[test]
    fn parsing_pages_never_panics(text in briefing_text(), dir in prop_oneof![Just(""), Just("notes"), Just("a/b")]) {
        let rel = if dir.is_empty() { "x.md".to_string() } else { format!("{dir}/x.md") };
        let file = Path::new("content").join(&rel);
        let _ = parse_page(&rel, &file, text, &config(), || Kind::Note);
    }

    #[test]
    fn every_placeholder_is_a_pending_link(body in markdown_with_links(), dir in prop_oneof![Just(""), Just("notes")]) {
        let r = render(&body, dir);
        let placeholders = r.links.iter().filter(|l| l.placeholder).count();
        // Every attribute holding a mark is one briefing made: an author's own
        // `@@briefing-link-N@@` destination is defused, so the counts are equal.
        let made = r.html.matches(&format!("=\"{LINK_MARK}")).count();
        prop_assert_eq!(made, placeholders, "marks vs placeholders in {:?}", r.html);
        for l in &r.links {
            prop_assert!(l.offset <= body.len());
            if let Some(t) = &l.target {
                prop_assert!(!t.starts_with('/') && !t.split('/').any(|c| c == ".."), "{t}");
            }
        }
    }

    /// `check` reads pages with `outline`: it must find exactly what a build finds.
    #[test]
    fn outline_finds_what_render_finds(body in markdown_with_links(), dir in prop_oneof![Just(""), Just("notes")]) {
        let full = render(&body, dir);
        let o = outline(&body, dir);
        prop_assert!(o.html.is_empty());
        prop_assert_eq!(&o.toc, &full.toc);
        prop_assert_eq!(&o.ids, &full.ids);
        prop_assert_eq!(&o.links, &full.links);
        prop_assert_eq!(&o.problems, &full.problems);
        prop_assert_eq!(&o.text, &full.text);
    }
}

#[test]
fn a_single_page_renders_through_the_whole_pipeline() {
    let text = "+++\ntitle = \"Alone\"\nthemes = [\"trade\"]\nsummary = \"S\"\n+++\n## Part\n\nSee [part](#part).\n".to_string();
    let page = parse_page(
        "notes/alone.md",
        Path::new("content/notes/alone.md"),
        text,
        &config(),
        || Kind::Note,
    )
    .expect("page");
    let html = briefing::render_single_page(page, &config()).expect("renders");
    assert!(html.contains("<h1>Alone</h1>"), "{html}");
}
