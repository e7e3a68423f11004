//! Placeholder: the site generator lives here.
