//! The floor: only the irreducible work on a generated site — read every note, render its
//! Markdown with pulldown-cmark, wrap it in a fixed shell and write it — on every core.
//! `floor SITE_DIR OUT_DIR`

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pulldown_cmark::{Options, Parser};
use rayon::prelude::*;

fn render(src: &Path, content: &Path, out: &Path) -> std::io::Result<()> {
    let text = std::fs::read_to_string(src)?;
    // Skip the front matter: everything up to the second `+++` line.
    let body = text
        .strip_prefix("+++\n")
        .and_then(|rest| rest.split_once("\n+++\n").map(|(_, b)| b))
        .unwrap_or(&text);
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut html = String::with_capacity(body.len() * 2 + 512);
    html.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Page</title></head><body><main>");
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(body, options));
    html.push_str("</main></body></html>\n");
    let rel = src.strip_prefix(content).unwrap_or(src).with_extension("");
    let dir = out.join(rel);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("index.html"), html)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [site, out] = args.as_slice() else {
        eprintln!("usage: floor SITE_DIR OUT_DIR");
        return ExitCode::from(2);
    };
    let content = Path::new(site).join("content");
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&content)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let result = files
        .par_iter()
        .try_for_each(|f| render(f, &content, Path::new(out)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
