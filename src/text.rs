//! Text helpers shared by every reader of site files: decoding, parser messages, and the
//! "did you mean" suggestion for a name that is not one of the valid ones.

use std::path::Path;

use crate::diagnostic::Diagnostic;

/// Decodes a file's bytes: strips a UTF-8 BOM, rejects invalid UTF-8 naming the byte
/// offset, and normalises CRLF so offsets and lines agree everywhere after.
pub fn decode_text(file: &Path, mut bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let bom = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
        3
    } else {
        0
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        Diagnostic::error(
            file,
            format!(
                "the file is not valid UTF-8 (invalid byte at offset {}); save it as UTF-8",
                at + bom
            ),
        )
        .at_offset(&valid, at)
    })?;
    // CRLF (Windows) and lone CR (old Mac) line endings both become LF.
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    })
}

/// A TOML parser's message, with a suggestion for an unknown field or variant.
pub fn toml_message(e: &toml::de::Error) -> String {
    with_suggestion(e.message().trim())
}

/// How alike a word must be to a valid name for the name to be suggested, by Jaro–Winkler
/// similarity of the lowercased words (1.0: the same). Jaro–Winkler rather than an edit
/// distance because one threshold suits short and long names alike: two edits make
/// another word of a four-letter one (`name` → `date`) yet are too few for a long one
/// missing a word, and it weighs a shared beginning, which typos mostly keep. At 0.8,
/// `wieght` → `weight` (0.95), `stale_after_day` → `stale_after_days` (0.99) and
/// `disputes` → `dispute` (0.98) are suggested, `author` or `fisheries` get nothing.
const CLOSE_ENOUGH: f64 = 0.8;

/// The valid name nearest to `word`, when it is close enough to be the one meant; the
/// first of equally near ones.
pub fn nearest<'a>(word: &str, valid: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lowered = word.to_lowercase();
    let mut best: Option<(&str, f64)> = None;
    for name in valid {
        let lower = name.to_lowercase();
        if lower == lowered && name != word {
            // Only the case differs: the surest suggestion there is.
            return Some(name);
        }
        let score = strsim::jaro_winkler(&lowered, &lower);
        if name != word && score >= CLOSE_ENOUGH && best.is_none_or(|(_, b)| score > b) {
            best = Some((name, score));
        }
    }
    best.map(|(name, _)| name)
}

/// `; did you mean "weight"?` when a valid name is near `word`, else nothing. Every
/// message about an unknown name ends with it, so suggestions read alike everywhere.
pub fn did_you_mean<'a>(word: &str, valid: impl IntoIterator<Item = &'a str>) -> String {
    nearest(word, valid).map_or_else(String::new, |name| format!("; did you mean {name:?}?"))
}

/// Serde's `unknown field `wieght`, expected one of `title`, …` (or `unknown variant`),
/// from TOML and YAML alike, with `did_you_mean` added; any other message as it is.
pub fn with_suggestion(message: &str) -> String {
    let unknown = ["unknown field `", "unknown variant `"]
        .iter()
        .find_map(|start| Some(message.find(start)? + start.len()));
    let suggestion = unknown.and_then(|at| {
        let (word, rest) = message[at..].split_once('`')?;
        let expected = rest.strip_prefix(", expected ")?;
        // `a`, `a` or `b`, one of `a`, `b`, `c`: the names are the backquoted parts.
        let names = expected.split('`').skip(1).step_by(2);
        Some(did_you_mean(word, names))
    });
    format!("{message}{}", suggestion.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested_and_far_ones_are_not() {
        let keys = [
            "title", "summary", "as_of", "weight", "draft", "slug", "aliases",
        ];
        assert_eq!(nearest("wieght", keys), Some("weight"));
        assert_eq!(nearest("Title", keys), Some("title"));
        assert_eq!(nearest("author", keys), None);
        assert_eq!(nearest("weight", keys), None, "not itself");
        assert_eq!(
            nearest("stale_after_day", ["title", "stale_after_days", "themes"]),
            Some("stale_after_days")
        );
        assert_eq!(nearest("name", ["date", "event"]), None);
        assert_eq!(
            with_suggestion("unknown field `wieght`, expected one of `title`, `weight`"),
            "unknown field `wieght`, expected one of `title`, `weight`; did you mean \"weight\"?"
        );
        assert_eq!(
            with_suggestion("unknown variant `Notes`, expected `note` or `dispute`"),
            "unknown variant `Notes`, expected `note` or `dispute`; did you mean \"note\"?"
        );
        for as_is in [
            "unknown field `author`, expected one of `title`, `weight`",
            "unknown field `x`, there are no fields",
            "invalid type: string, expected a date",
        ] {
            assert_eq!(with_suggestion(as_is), as_is);
        }
    }
}
