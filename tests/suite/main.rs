//! The integration tests: one binary, so the suite links once. Each module drives the real
//! `briefing` binary (or the library) over small fixture sites in `tests/fixtures/`,
//! through the harness in `common`.

mod common;

mod authoring;
mod authors;
mod bad_input_extra;
mod bench_smoke;
mod browser;
mod browser_support;
mod build;
mod deps;
mod errors;
mod incremental;
mod itinerary;
mod languages;
mod layers;
mod markdown;
mod markings;
mod outputs;
mod pdf;
mod properties;
mod readers;
mod reference;
mod safety;
mod serve;
mod serve_equals_build;
mod snapshots;
mod validate;
