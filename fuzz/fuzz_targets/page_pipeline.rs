//! The whole page pipeline on arbitrary bytes: decode → split and parse the front matter →
//! check the page against its kind → render the Markdown and rewrite its links → render
//! the page's template. Nothing may panic.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn config() -> &'static briefing::Config {
    static CONFIG: OnceLock<briefing::Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        briefing::Config::parse(
            "title = \"Fuzz\"\n[[themes]]\nslug = \"trade\"\nname = \"Trade\"\ncolor = \"#9b2c2c\"\n\
             [[themes]]\nslug = \"security\"\nname = \"Security\"\ncolor = \"#2c5282\"\n",
        )
        .unwrap_or_else(|_| std::process::abort())
    })
}

fuzz_target!(|data: &[u8]| {
    let file = Path::new("content/notes/fuzz.md");
    let Ok(text) = briefing::text::decode_text(file, data.to_vec()) else {
        return;
    };
    let Ok(page) = briefing::content::parse_page("notes/fuzz.md", file, text, config(), || {
        briefing::content::Kind::Note
    }) else {
        return;
    };
    let _ = briefing::render_single_page(page, config());
});
