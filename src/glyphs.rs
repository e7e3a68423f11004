//! The fonts the PDF binder embeds (Typst's own, inside the binary) and which characters
//! they can show: a character none of them has is printed as an empty box, so the build
//! says which ones, page by page.

#[cfg(feature = "pdf")]
use std::sync::LazyLock;

#[cfg(feature = "pdf")]
use typst::foundations::Bytes;
#[cfg(feature = "pdf")]
use typst::text::{Font, FontBook};
#[cfg(feature = "pdf")]
use typst::utils::LazyHash;

/// The embedded fonts (Libertinus Serif, New Computer Modern, DejaVu Sans Mono), loaded
/// once: the PDF is the same on every machine.
#[cfg(feature = "pdf")]
pub struct Fonts {
    pub book: LazyHash<FontBook>,
    pub fonts: Vec<Font>,
}

#[cfg(feature = "pdf")]
pub static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Fonts {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// The characters of `text` that no embedded font has, each once, in the order met, with
/// the byte offset of its first use.
#[cfg(feature = "pdf")]
pub fn missing(text: &str) -> Vec<(char, usize)> {
    let mut found: Vec<(char, usize)> = Vec::new();
    for (at, c) in text.char_indices() {
        // ASCII is in every font; line breaks and other controls are not printed.
        if c.is_ascii() || c.is_control() || found.iter().any(|&(f, _)| f == c) {
            continue;
        }
        if !FONTS
            .fonts
            .iter()
            .any(|f| f.info().coverage.contains(c as u32))
        {
            found.push((c, at));
        }
    }
    found
}

/// Without the binder nothing is typeset, so no character goes without a glyph.
#[cfg(not(feature = "pdf"))]
pub fn missing(_text: &str) -> Vec<(char, usize)> {
    Vec::new()
}

#[cfg(all(test, feature = "pdf"))]
mod tests {
    #[test]
    fn latin_and_french_are_covered_and_chinese_is_not() {
        assert!(super::missing("Canola — l’été, « déjà » – 2026").is_empty());
        let m = super::missing("Xi 习近平 and 习");
        assert_eq!(m.iter().map(|&(c, _)| c).collect::<String>(), "习近平");
        assert_eq!(m[0].1, 3);
    }
}
