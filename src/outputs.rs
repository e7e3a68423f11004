//! Every kind of file a build writes, declared once: its file, its templates, what it is
//! made from, what it shows and when a build writes it. Render dispatches on it, the
//! clash checks and the reserved paths list its files, and the preview's "what does this
//! change affect" and its removals read what each output shows. Adding a generated file
//! is one row of `DECLARED` (and its variant of `Output`) plus its template and the code
//! that renders it; nothing else keeps a list of outputs.

use crate::config::Config;
use crate::content::Page;
use crate::pages::Pages;

/// A kind of output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Output {
    /// A content page, `PATH/index.html`.
    Page,
    /// The redirect page at one of a page's `aliases`.
    Alias,
    /// One page per theme, `themes/SLUG/index.html`.
    ThemePage,
    /// The list of themes, `themes/index.html`.
    ThemeList,
    /// `404.html`.
    NotFound,
    /// `search/index.html`, where the search form goes without JavaScript.
    SearchPage,
    /// `search-index.js`, what the search box searches.
    SearchIndex,
    /// `book/index.html`, the whole book on one printable page.
    Book,
    /// `book.pdf`, the whole book typeset as a paginated PDF (`templates/book.typ`).
    BookPdf,
    Sitemap,
    Atom,
    Robots,
    /// `itinerary.ics`.
    Calendar,
    /// A file of `static/`, or of the built-in theme's static files.
    StaticFile,
    /// A file of `content/` (an image, a PDF) that a page links to.
    ContentFile,
}

/// Where an output's file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum File {
    /// Always this file.
    Fixed(&'static str),
    /// `themes/SLUG/index.html`, one per theme of the config.
    PerTheme,
    /// Named by what it is made from: a page's path or alias, a static or content file's
    /// own name.
    OfSource,
}

impl File {
    /// Whether the file is a generated HTML page (counted among the pages a rebuild
    /// writes).
    pub fn is_page(self) -> bool {
        match self {
            File::Fixed(f) => f.ends_with(".html"),
            File::PerTheme => true,
            File::OfSource => false,
        }
    }
}

/// What an output is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MadeFrom {
    /// One page.
    OnePage,
    /// The list of pages (and the config).
    EveryPage,
    /// The config alone.
    Config,
    /// The file of the same name, copied.
    ItsSource,
}

/// How much of a page's body an output shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    None,
    /// Every page's body, in one file rendered whole (the search index).
    Every,
    /// Every page's body, each in a section of its own that can be rendered alone (the
    /// book).
    EachInASection,
}

/// When a build writes an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// While the config has themes.
    WithThemes,
    /// While there is a `base_url` (the file needs absolute URLs).
    WithBaseUrl,
    /// While some itinerary has a stop known to the day.
    WithCalendar,
    /// While the config asks for the PDF (`pdf = true`, or `--pdf`).
    WithPdf,
}

impl When {
    pub fn holds(self, config: &Config, pages: &Pages) -> bool {
        match self {
            When::Always => true,
            When::WithThemes => !config.themes.is_empty(),
            When::WithBaseUrl => config.base_url.is_some(),
            When::WithCalendar => pages.iter().any(Page::in_calendar),
            When::WithPdf => config.pdf,
        }
    }
}

/// One row of the declaration.
#[derive(Debug, Clone, Copy)]
pub struct Declaration {
    pub output: Output,
    pub file: File,
    /// The templates it is rendered with: its own, then the partials no other output uses
    /// (an edit of a template shared with pages re-renders everything).
    pub templates: &'static [&'static str],
    pub made_from: MadeFrom,
    /// Whether it shows the pages' front matter (titles, paths, dates, themes, the
    /// navigation): a front-matter edit re-renders it.
    pub front_matter: bool,
    pub bodies: Bodies,
    /// The static files it carries inside it (the 404 page's inline stylesheet): an edit
    /// of one re-renders it.
    pub carries: &'static [&'static str],
    pub when: When,
    /// Made by code from checked front matter, so it cannot fail but by being written:
    /// `check` does not make it.
    pub made_by_code: bool,
    /// Written once per language, under its folder (`fr/search/index.html`); else once
    /// for the whole site, at its root (the sitemap lists every language's pages).
    pub per_language: bool,
    /// Slow to make and rarely looked at while writing: the preview makes it when it is
    /// asked for, not on every save.
    pub on_request: bool,
}

impl Declaration {
    /// Whether a build of the site in `config`'s language, with `pages`, writes it.
    pub fn written(&self, config: &Config, pages: &Pages) -> bool {
        (self.per_language || config.translation.is_none()) && self.when.holds(config, pages)
    }
}

const fn generated(output: Output, file: File, templates: &'static [&'static str]) -> Declaration {
    Declaration {
        output,
        file,
        templates,
        made_from: MadeFrom::EveryPage,
        front_matter: true,
        bodies: Bodies::None,
        carries: &[],
        when: When::Always,
        made_by_code: false,
        per_language: true,
        on_request: false,
    }
}

/// Every output, in the order a reader meets them. The rows differ from `generated`'s
/// defaults only where they say so.
pub const DECLARED: &[Declaration] = &[
    Declaration {
        made_from: MadeFrom::OnePage,
        ..generated(Output::Page, File::OfSource, &[])
    },
    Declaration {
        made_from: MadeFrom::OnePage,
        made_by_code: true,
        ..generated(Output::Alias, File::OfSource, &[])
    },
    Declaration {
        when: When::WithThemes,
        ..generated(Output::ThemePage, File::PerTheme, &["theme.html"])
    },
    Declaration {
        when: When::WithThemes,
        ..generated(
            Output::ThemeList,
            File::Fixed("themes/index.html"),
            &["themes.html"],
        )
    },
    Declaration {
        carries: &["style.css"],
        // One for the site, in every language (servers answer any address with it).
        per_language: false,
        ..generated(Output::NotFound, File::Fixed("404.html"), &["404.html"])
    },
    generated(
        Output::SearchPage,
        File::Fixed("search/index.html"),
        &["search.html"],
    ),
    Declaration {
        bodies: Bodies::Every,
        made_by_code: true,
        ..generated(Output::SearchIndex, File::Fixed("search-index.js"), &[])
    },
    Declaration {
        bodies: Bodies::EachInASection,
        ..generated(
            Output::Book,
            File::Fixed("book/index.html"),
            &["book.html", "partials/book_page.html"],
        )
    },
    Declaration {
        bodies: Bodies::Every,
        when: When::WithPdf,
        on_request: true,
        ..generated(Output::BookPdf, File::Fixed("book.pdf"), &["book.typ"])
    },
    Declaration {
        when: When::WithBaseUrl,
        made_by_code: true,
        per_language: false,
        ..generated(Output::Sitemap, File::Fixed("sitemap.xml"), &[])
    },
    Declaration {
        when: When::WithBaseUrl,
        made_by_code: true,
        ..generated(Output::Atom, File::Fixed("atom.xml"), &[])
    },
    Declaration {
        when: When::WithBaseUrl,
        made_from: MadeFrom::Config,
        front_matter: false,
        made_by_code: true,
        per_language: false,
        ..generated(Output::Robots, File::Fixed("robots.txt"), &[])
    },
    Declaration {
        when: When::WithCalendar,
        made_by_code: true,
        ..generated(Output::Calendar, File::Fixed("itinerary.ics"), &[])
    },
    Declaration {
        made_from: MadeFrom::ItsSource,
        front_matter: false,
        per_language: false,
        ..generated(Output::StaticFile, File::OfSource, &[])
    },
    Declaration {
        made_from: MadeFrom::ItsSource,
        front_matter: false,
        ..generated(Output::ContentFile, File::OfSource, &[])
    },
];

// Row N declares the variant numbered N, and the last variant has the last row.
const _: () = {
    let mut i = 0;
    while i < DECLARED.len() {
        assert!(DECLARED[i].output as usize == i);
        i += 1;
    }
    assert!(DECLARED.len() == Output::ContentFile as usize + 1);
};

impl Output {
    /// Its row of `DECLARED`.
    pub fn declared(self) -> &'static Declaration {
        // The rows are in the variants' order, every variant with its own (checked when
        // compiling, below).
        &DECLARED[self as usize]
    }

    /// Whether it is made from the site as a whole rather than from one source file: what
    /// a render selects by kind rather than by page.
    pub fn is_generated(self) -> bool {
        matches!(
            self.declared().made_from,
            MadeFrom::EveryPage | MadeFrom::Config
        )
    }

    /// Every generated output (see `is_generated`).
    pub fn generated() -> impl Iterator<Item = Output> {
        DECLARED
            .iter()
            .map(|d| d.output)
            .filter(|o| o.is_generated())
    }

    /// The files this generated output writes for a site with `config` and `pages`: none
    /// while its `when` does not hold.
    pub fn files(self, config: &Config, pages: &Pages) -> Vec<String> {
        let d = self.declared();
        if !d.written(config, pages) {
            return Vec::new();
        }
        match d.file {
            File::Fixed(f) => vec![f.to_string()],
            File::PerTheme => config
                .themes
                .iter()
                .map(|t| format!("{}index.html", theme_folder(&t.slug)))
                .collect(),
            File::OfSource => Vec::new(),
        }
    }

    /// Whether its file is one fixed name, which a later render may no longer write (the
    /// calendar once no stop is known to the day): the preview removes it then.
    pub fn fixed_file(self) -> Option<&'static str> {
        match self.declared().file {
            File::Fixed(f) => Some(f),
            _ => None,
        }
    }
}

/// The folder of the theme page of `slug` (`themes/trade/`).
pub fn theme_folder(slug: &str) -> String {
    format!("themes/{slug}/")
}

/// The output paths a build writes itself, which no page or alias may claim: the folders
/// of generated pages (`themes/`, `book/`, `search/`) and the generated pages at the top
/// (`404.html`); `themes/` only while there are themes.
pub fn reserved(config: &Config) -> Vec<&'static str> {
    let mut reserved: Vec<&'static str> = Output::generated()
        .filter(|o| o.declared().when != When::WithThemes || !config.themes.is_empty())
        .filter_map(|o| match o.declared().file {
            File::Fixed(f) => Some(f.split_once('/').map_or(f, |(top, _)| &f[..=top.len()])),
            File::PerTheme => Some("themes/"),
            File::OfSource => None,
        })
        .filter(|p| p.ends_with('/') || p.ends_with(".html"))
        .collect();
    reserved.sort_unstable();
    reserved.dedup();
    reserved
}

/// The outputs rendered with template `name`, as declared (pages choose their own
/// templates, which `render::template_of` says).
pub fn rendered_with(name: &str) -> impl Iterator<Item = Output> + '_ {
    DECLARED
        .iter()
        .filter(move |d| d.templates.contains(&name))
        .map(|d| d.output)
}

/// The outputs that carry static file `name` inside them.
pub fn carrying(name: &str) -> impl Iterator<Item = Output> + '_ {
    DECLARED
        .iter()
        .filter(move |d| d.carries.contains(&name))
        .map(|d| d.output)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY: [Output; 15] = [
        Output::Page,
        Output::Alias,
        Output::ThemePage,
        Output::ThemeList,
        Output::NotFound,
        Output::SearchPage,
        Output::SearchIndex,
        Output::Book,
        Output::BookPdf,
        Output::Sitemap,
        Output::Atom,
        Output::Robots,
        Output::Calendar,
        Output::StaticFile,
        Output::ContentFile,
    ];

    #[test]
    fn every_output_has_one_row() {
        for o in EVERY {
            let rows = DECLARED.iter().filter(|d| d.output == o).count();
            assert_eq!(rows, 1, "{o:?} has {rows} rows");
            // A compile error here means a variant was added without its row above.
            match o {
                Output::Page
                | Output::Alias
                | Output::ThemePage
                | Output::ThemeList
                | Output::NotFound
                | Output::SearchPage
                | Output::SearchIndex
                | Output::Book
                | Output::BookPdf
                | Output::Sitemap
                | Output::Atom
                | Output::Robots
                | Output::Calendar
                | Output::StaticFile
                | Output::ContentFile => {}
            }
        }
        assert_eq!(DECLARED.len(), EVERY.len());
    }

    #[test]
    fn the_reserved_paths_are_the_generated_folders_and_pages() {
        let config = Config::parse(
            "title = \"t\"\n[[themes]]\nslug = \"a\"\nname = \"A\"\ncolor = \"#000000\"\n",
        )
        .unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(
            reserved(&config),
            ["404.html", "book/", "search/", "themes/"]
        );
        let no_themes = Config::parse("title = \"t\"\n").unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(reserved(&no_themes), ["404.html", "book/", "search/"]);
    }

    #[test]
    fn templates_select_their_outputs() {
        assert_eq!(
            rendered_with("404.html").collect::<Vec<_>>(),
            [Output::NotFound]
        );
        assert_eq!(
            rendered_with("partials/book_page.html").collect::<Vec<_>>(),
            [Output::Book]
        );
        assert_eq!(rendered_with("base.html").count(), 0);
        assert_eq!(
            carrying("style.css").collect::<Vec<_>>(),
            [Output::NotFound]
        );
    }
}
