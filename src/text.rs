//! Text helpers shared by every reader of site files: decoding and parser messages.

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

pub fn toml_message(e: &toml::de::Error) -> String {
    e.message().trim().to_string()
}
