//! `briefing`: a static-site generator for briefing books.
//!
//! `Site::load` reads and checks a site (config, templates, every note); `Site::build`
//! renders it and swaps the result into the output folder; `Outline::load` and
//! `Outline::check` render without writing.
//!
//! The modules are layers, each using only those below it (checked by
//! `tests/suite/layers.rs`): leaf helpers (`diagnostic`, `markdown`, `paths`, `text`, `url`)
//! ← `config`, `frontmatter` ← `content` ← `dates`, `output`, `outputs` (every kind of
//! output file, declared once), `templates` ← `site` ← `render` (with the dependency
//! function in `render::deps`) ← `build` ← `scaffold`, `watch` ← `serve`. This
//! file only declares them and re-exports the library's front door.

pub mod build;
pub mod config;
pub mod content;
pub mod dates;
pub mod diagnostic;
pub mod fields;
pub mod frontmatter;
pub mod glyphs;
pub mod html;
pub mod markdown;
pub mod marking;
pub mod output;
pub mod outputs;
pub mod pages;
pub mod paths;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod strings;
pub mod templates;
pub mod text;
pub mod translation;
pub mod url;
pub mod watch;

pub use build::{BuildSummary, CheckSummary, Outline, WriteOptions, render_single_page};
pub use config::Config;
pub use diagnostic::{Diagnostic, Errors};
pub use site::{LoadOptions, Site};
