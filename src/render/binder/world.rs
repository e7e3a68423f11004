//! The Typst world the binder compiles in: the template, the content files the book shows
//! (its images), the embedded fonts and the book's data as `sys.inputs`. Every other read
//! is refused, and packages (`@preview/…`) are never fetched.

use std::collections::HashMap;
use std::path::PathBuf;

use typst::diag::{FileError, FileResult, PackageError};
use typst::foundations::{Bytes, Datetime, Dict};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};

use crate::glyphs::FONTS;
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The path of the template in the world.
pub const TEMPLATE_PATH: &str = "/book.typ";

pub struct BookWorld {
    library: LazyHash<Library>,
    main: FileId,
    template: Source,
    /// The content files the book shows, by their path in the world (`/content/x.png`).
    files: HashMap<FileId, PathBuf>,
    today: Option<Datetime>,
}

pub fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

impl BookWorld {
    /// `template`, the text of `book.typ`; `files`, the content files by world path;
    /// `inputs`, the book's data; `today`, the book's newest `as_of` (never the clock, so
    /// that a rebuild is byte-identical).
    pub fn new(
        template: String,
        files: Vec<(String, PathBuf)>,
        inputs: Dict,
        today: Option<Datetime>,
    ) -> Option<BookWorld> {
        let main = file_id(TEMPLATE_PATH)?;
        let files = files
            .into_iter()
            .filter_map(|(path, real)| Some((file_id(&path)?, real)))
            .collect();
        Some(BookWorld {
            library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
            main,
            template: Source::new(main, template),
            files,
            today,
        })
    }

    fn refuse(&self, id: FileId) -> FileError {
        let rooted = id.get();
        let package = match rooted.root() {
            VirtualRoot::Package(p) => Some(p),
            VirtualRoot::Project => None,
        };
        let shown = match package {
            Some(p) => format!("{p}{}", rooted.vpath().get_with_slash()),
            None => rooted.vpath().get_with_slash().to_string(),
        };
        match package {
            Some(p) => FileError::Package(PackageError::Other(Some(
                format!(
                    "briefing typesets without packages, and fetches nothing: {p} is not available \
                     (copy what you need into the template)"
                )
                .into(),
            ))),
            None => FileError::Other(Some(
                format!(
                    "the book's template may read only the files the book shows; {shown} is not one of them"
                )
                .into(),
            )),
        }
    }
}

impl World for BookWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.template.clone())
        } else {
            Err(self.refuse(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main {
            return Ok(Bytes::from_string(self.template.clone()));
        }
        let Some(real) = self.files.get(&id) else {
            return Err(self.refuse(id));
        };
        std::fs::read(real)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, real))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}
