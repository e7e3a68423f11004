//! The command line: argument parsing, printing and exit codes only; the work is in the
//! library.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use briefing::{Diagnostic, Errors, LoadOptions, Outline, Site, WriteOptions};

/// A line on stdout; see `emit`.
macro_rules! out {
    ($($arg:tt)*) => { emit(&mut std::io::stdout().lock(), format_args!($($arg)*)) };
}

/// A line on stderr; see `emit`.
macro_rules! err {
    ($($arg:tt)*) => { emit(&mut std::io::stderr().lock(), format_args!($($arg)*)) };
}

/// The exit status a shell shows for a tool that SIGPIPE stopped (128 + 13).
const BROKEN_PIPE_STATUS: i32 = 141;

/// Writes one line. `println!` panics, exit 101, when the reading end of a pipe has gone
/// (`briefing build 2>&1 | head -1`); here the process ends quietly instead, with the
/// status `cat` or `grep` end with there. Restoring SIGPIPE's default action would do the
/// same for less code, but the signal is for the whole process: a browser dropping its
/// connection mid-response could then kill `serve`. Other write errors (a redirect onto a
/// full disk) lose the message, not the run.
fn emit(w: &mut impl Write, line: std::fmt::Arguments<'_>) {
    let written = w
        .write_fmt(line)
        .and_then(|()| w.write_all(b"\n"))
        .and_then(|()| w.flush());
    if let Err(e) = written
        && e.kind() == std::io::ErrorKind::BrokenPipe
        && !stop_serving()
    {
        std::process::exit(BROKEN_PIPE_STATUS);
    }
}

/// Set while `serve` runs: a closed pipe then stops the preview as a stop signal does,
/// which removes its temporary folder (exiting on the spot would leave it behind).
static SERVING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// A closed pipe stopped the preview: it ends with the closed pipe's status.
static PIPE_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Asks a running preview to stop; false when none runs (or it cannot be asked).
fn stop_serving() -> bool {
    #[cfg(unix)]
    if SERVING.load(Ordering::SeqCst) {
        // The preview stops on SIGTERM after its last write, whichever thread printed.
        PIPE_CLOSED.store(true, Ordering::SeqCst);
        return signal_hook::low_level::raise(signal_hook::consts::SIGTERM).is_ok();
    }
    false
}

#[derive(Parser)]
#[command(
    name = "briefing",
    version,
    about = "Build briefing books: Markdown notes in, a styled static site out"
)]
pub struct Cli {
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more detail: how long each stage took (load: reading and checking every page;
    /// render and write: every output made and written), and with --max-marking each thing
    /// left out, by file and line
    #[arg(short, long, global = true)]
    verbose: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (public/ by default)
    Build(BuildArgs),
    /// Check everything build checks (config, front matter, templates, links), writing nothing
    Check(CheckArgs),
    /// Build, then serve the site with live reload, rebuilding on every change
    Serve(ServeArgs),
    /// Create a new site in DIR that builds at once
    Init {
        /// The folder to create (must be new or empty)
        dir: PathBuf,
        /// The address the site will be published at, written as its base_url (without
        /// one, briefing.toml has a commented example and builds warn that the sitemap,
        /// feed and robots.txt are not written)
        #[arg(long, value_parser = web_address)]
        base_url: Option<String>,
    },
    /// Create a new page with every front-matter field of its kind, explained
    New {
        #[command(subcommand)]
        kind: NewKind,
    },
    /// Copy built-in templates and static files into the site's templates/ and static/ to
    /// override them (never overwriting a file)
    Eject(EjectArgs),
}

#[derive(Args)]
struct EjectArgs {
    /// Built-in files to copy, e.g. note.html, partials/tracker.html, templates/base.html,
    /// style.css, or a folder of them (partials, templates, static); all when none is given
    names: Vec<String>,
    /// List the built-in files (all, or those named) and where each would go, writing nothing
    #[arg(long)]
    list: bool,
    #[command(flatten)]
    root: RootArg,
}

#[derive(Subcommand)]
enum NewKind {
    /// content/disputes/SLUG.md
    Dispute {
        /// The page's slug, e.g. canola-tariffs
        slug: String,
        #[command(flatten)]
        lang: LangArg,
        #[command(flatten)]
        root: RootArg,
    },
    /// content/notes/SLUG.md
    Note {
        /// The page's slug, e.g. detentions
        slug: String,
        #[command(flatten)]
        lang: LangArg,
        #[command(flatten)]
        root: RootArg,
    },
    /// content/itinerary.md (or content/SLUG.md), with a stop to copy
    Itinerary {
        /// The page's slug
        #[arg(default_value = "itinerary")]
        slug: String,
        #[command(flatten)]
        lang: LangArg,
        #[command(flatten)]
        root: RootArg,
    },
}

#[derive(Args)]
struct LangArg {
    /// Scaffold the page's translation into this language of [languages] (x.fr.md) from
    /// its original: typed fields left to the original, text fields marked for translation
    #[arg(long, value_name = "CODE")]
    lang: Option<String>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    root: RootArg,
    /// Port to listen on (the next free one is used if it is taken)
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// Address to listen on; anything but loopback makes the preview reachable from the network
    #[arg(long, short, default_value = "127.0.0.1")]
    interface: IpAddr,
    /// Open the preview in the default browser
    #[arg(long)]
    open: bool,
    /// Include pages marked draft = true
    #[arg(long)]
    drafts: bool,
    /// Preview the release build at LEVEL: everything marked above it left out
    #[arg(long, value_name = "LEVEL")]
    max_marking: Option<String>,
    /// Not for serve: the preview's base_url is its own address, so that the feed, the
    /// sitemap and the 404 page's links work in it (build with --base-url to publish)
    #[arg(long, hide = true)]
    base_url: Option<String>,
    /// Not for serve: it builds into a temporary folder, removed when it stops, and never
    /// touches public/ (build with --output to write a folder)
    #[arg(long, hide = true)]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct RootArg {
    /// The site folder (holding briefing.toml)
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

/// The flags that change what is built: `build` and `check` both take them, so that a
/// site built with them can be checked as it is built.
#[derive(Args)]
struct Variant {
    /// Absolute URL the site will be served from (overrides base_url)
    #[arg(long, value_parser = web_address)]
    base_url: Option<String>,
    /// Include pages marked draft = true
    #[arg(long)]
    drafts: bool,
    /// Make every internal link end in index.html so the site works from the file system
    #[arg(long)]
    portable: bool,
    /// Turn a configured `portable = true` off for this run
    #[arg(long, conflicts_with = "portable")]
    no_portable: bool,
    /// A release build: leave out everything marked above LEVEL (pages, entries, sections
    /// and the files only they link to), from every output
    #[arg(long, value_name = "LEVEL")]
    max_marking: Option<String>,
    /// Typeset the whole book as book.pdf too (as pdf = true in briefing.toml)
    #[arg(long)]
    pdf: bool,
}

impl Variant {
    /// The run's options, as these flags set them.
    fn options(self) -> LoadOptions {
        LoadOptions {
            base_url: self.base_url,
            drafts: self.drafts,
            // `--portable` / `--no-portable` over the config's `portable`; neither leaves it.
            portable: match (self.portable, self.no_portable) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            max_marking: self.max_marking,
            pdf: self.pdf.then_some(true),
            preview: false,
        }
    }
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    root: RootArg,
    #[command(flatten)]
    variant: Variant,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    root: RootArg,
    /// Output folder (default: output_dir from briefing.toml, under the site folder)
    #[arg(long, short)]
    output: Option<PathBuf>,
    #[command(flatten)]
    variant: Variant,
    /// Replace an output folder that briefing did not create
    #[arg(long)]
    force: bool,
}

/// Runs the command line; returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let ui = Ui {
        quiet: cli.quiet,
        verbose: cli.verbose,
        color: std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    match cli.command {
        Command::Build(args) => build(&ui, args),
        Command::Check(args) => check(&ui, args),
        Command::Serve(args) => serve(ui, args),
        Command::Init { dir, base_url } => {
            match briefing::scaffold::init(&dir, today(), base_url.as_deref()) {
                Ok(files) => {
                    if !ui.quiet {
                        out!(
                            "Created a site with {} files in {}; build it with `briefing build --root {}`",
                            files.len(),
                            dir.display(),
                            dir.display()
                        );
                    }
                    0
                }
                Err(e) => ui.scaffold_failed(e),
            }
        }
        Command::New { kind } => {
            use briefing::scaffold::NewKind as Kind;
            let (kind, slug, lang, root) = match kind {
                NewKind::Dispute { slug, lang, root } => (Kind::Dispute, slug, lang, root),
                NewKind::Note { slug, lang, root } => (Kind::Note, slug, lang, root),
                NewKind::Itinerary { slug, lang, root } => (Kind::Itinerary, slug, lang, root),
            };
            let made = match &lang.lang {
                Some(code) => briefing::scaffold::new_translation(&root.root, kind, &slug, code),
                None => briefing::scaffold::new_page(&root.root, kind, &slug, today()),
            };
            match made {
                Ok(path) => {
                    if !ui.quiet {
                        out!("Created {}", path.display());
                    }
                    0
                }
                Err(e) => ui.scaffold_failed(e),
            }
        }
        Command::Eject(args) => eject(&ui, args),
    }
}

/// What the summary line says of markings: ` at or below LEVEL` after the page count of a
/// release build, and `; highest marking X` (and what a release build left out) at its
/// end; with `-v`, each thing left out on a line of its own first.
fn marking_words(ui: &Ui, markings: Option<&briefing::site::MarkingSummary>) -> (String, String) {
    let Some(m) = markings else {
        return (String::new(), String::new());
    };
    if ui.verbose {
        for (file, line, what, level) in &m.left_out {
            let at = line.map(|l| format!(":{l}")).unwrap_or_default();
            err!("left out: {}{at} ({what}, {level})", file.display());
        }
    }
    match &m.release {
        Some(max) => (
            format!(" at or below {max}"),
            format!(
                "; highest marking {}; {} above it left out",
                m.highest,
                m.left_out_counts()
            ),
        ),
        None => (String::new(), format!("; highest marking {}", m.highest)),
    }
}

/// The exit code of a usage error, as clap gives it.
const USAGE: i32 = 2;

/// `--max-marking LEVEL` names a level of the site's markings, or it is a usage error
/// (exit 2) saying which levels there are. A site whose config does not load is left to
/// the command, which reports it as it does without the flag.
fn release_level_usable(ui: &Ui, root: &std::path::Path, max: Option<&str>) -> Result<(), i32> {
    let Some(max) = max else { return Ok(()) };
    let Ok(mut config) = briefing::Config::load(root) else {
        return Ok(());
    };
    config.set_release(max).map_err(|msg| {
        ui.error(&msg);
        USAGE
    })
}

fn eject(ui: &Ui, args: EjectArgs) -> i32 {
    let files = match briefing::scaffold::select_builtin(&args.names) {
        Ok(files) => files,
        Err(unknown) => {
            for u in &unknown {
                ui.error(&u.to_string());
            }
            err!("`briefing eject --list` lists the built-in files; nothing was ejected");
            return USAGE;
        }
    };
    if args.list {
        let width = files.iter().map(|f| f.name.len()).max().unwrap_or(0);
        out!("Built-in files, and where `briefing eject NAME` copies each to override it:");
        for f in &files {
            let path = f.site_path();
            let what = match f.folder {
                _ if f.is_partial() => "partial",
                briefing::templates::ThemeFolder::Templates => "template",
                briefing::templates::ThemeFolder::Static => "static file",
            };
            let own = if args.root.root.join(&path).exists() {
                ", the site has its own"
            } else {
                ""
            };
            out!("  {:width$}  -> {path}  ({what}{own})", f.name);
        }
        return 0;
    }
    match briefing::scaffold::eject(&args.root.root, &files) {
        Ok(ejected) => {
            if !ui.quiet {
                for path in &ejected.written {
                    out!("Wrote {path}");
                }
                for path in &ejected.kept {
                    out!("Skipped {path}: the site has its own, which is not overwritten");
                }
                out!(
                    "Ejected {} into {}{}; the site's own files override the built-in ones",
                    count(ejected.written.len(), "file"),
                    args.root.root.display(),
                    match ejected.kept.len() {
                        0 => String::new(),
                        n => format!(" ({} skipped: already there)", count(n, "file")),
                    }
                );
            }
            0
        }
        Err(e) => ui.scaffold_failed(e),
    }
}

/// Today in the local time zone: the `as_of` of new pages.
fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

#[derive(Clone, Copy)]
struct Ui {
    quiet: bool,
    verbose: bool,
    color: bool,
}

impl Ui {
    fn diagnostics(&self, diags: &[Diagnostic]) {
        for d in diags {
            if self.quiet && !d.is_error() {
                continue;
            }
            let text = d.to_string();
            let text = if self.color {
                text.replacen("error:", "\x1b[1;31merror\x1b[0m:", 1)
                    .replacen("warning:", "\x1b[1;33mwarning\x1b[0m:", 1)
            } else {
                text
            };
            err!("{text}\n");
        }
    }

    /// With `-v`: how long loading and checking the content took.
    fn loaded(&self, pages: usize, start: Instant) {
        if self.verbose {
            err!(
                "Loaded {} content pages (front matter, Markdown, links) in {} ms",
                pages,
                start.elapsed().as_millis()
            );
        }
    }

    /// An error that is not in a file of the site: `error: …`.
    fn error(&self, message: &str) {
        if self.color {
            err!("\x1b[1;31merror\x1b[0m: {message}");
        } else {
            err!("error: {message}");
        }
    }

    /// `init`, `new` or `eject` stopped: why, in one error (or the config's).
    fn scaffold_failed(&self, e: briefing::scaffold::ScaffoldError) -> i32 {
        match e {
            briefing::scaffold::ScaffoldError::Config(diags) => self.failed(&Errors(diags)),
            // Mistakes in what was typed, not in the site: usage errors, as clap's are.
            e @ (briefing::scaffold::ScaffoldError::BadSlug { .. }
            | briefing::scaffold::ScaffoldError::NotEmpty { .. }
            | briefing::scaffold::ScaffoldError::UnknownLanguage { .. }
            | briefing::scaffold::ScaffoldError::NoOriginal { .. }) => {
                self.error(&e.to_string());
                USAGE
            }
            other => {
                self.error(&other.to_string());
                1
            }
        }
    }

    fn failed(&self, e: &Errors) -> i32 {
        self.diagnostics(&e.0);
        let n = e.0.iter().filter(|d| d.is_error()).count();
        err!("{} found; nothing was written", count(n, "error"));
        1
    }
}

/// A signal that stopped a build: the flag the build polls, and which signal it was.
struct Interrupt {
    cancel: briefing::output::Cancel,
    signal: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Ctrl-C, `kill` and a closed terminal stop a build at its next write, so it removes
    /// its staging folder and leaves the previous output; a second signal ends it at once.
    fn on_signals() -> Interrupt {
        let interrupt = Interrupt {
            cancel: briefing::output::Cancel::default(),
            signal: Arc::default(),
        };
        #[cfg(unix)]
        for signal in [
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
        ] {
            // Registration fails only for forbidden signals, which these are not; without
            // it the signal keeps its default action (the next build cleans up).
            let _ = signal_hook::flag::register_conditional_shutdown(
                signal,
                128 + signal,
                interrupt.cancel.clone(),
            );
            let _ = signal_hook::flag::register_usize(
                signal,
                Arc::clone(&interrupt.signal),
                signal as usize,
            );
            let _ = signal_hook::flag::register(signal, interrupt.cancel.clone());
        }
        interrupt
    }

    /// The exit code of an interrupted run (128 + the signal, as shells report it).
    fn exit_code(&self) -> Option<i32> {
        self.cancel
            .load(Ordering::SeqCst)
            .then(|| 128 + i32::try_from(self.signal.load(Ordering::SeqCst)).unwrap_or(0))
    }
}

fn build(ui: &Ui, args: BuildArgs) -> i32 {
    let start = Instant::now();
    if let Err(code) =
        release_level_usable(ui, &args.root.root, args.variant.max_marking.as_deref())
    {
        return code;
    }
    let interrupt = Interrupt::on_signals();
    let write = WriteOptions {
        output: args.output,
        force: args.force,
        cancel: Some(interrupt.cancel.clone()),
    };
    let site = match Site::load(&args.root.root, args.variant.options()) {
        Ok(s) => s,
        Err(e) => return ui.failed(&e),
    };
    ui.loaded(site.pages.len(), start);
    let result = site.build(&write);
    // The process ends here: let the OS reclaim the site at once rather than freeing tens
    // of thousands of allocations one by one.
    std::mem::forget(site);
    match result {
        Ok(summary) => {
            ui.diagnostics(&summary.warnings);
            if ui.verbose {
                err!(
                    "Rendered and wrote {} in {} ms (each file is written as it is made)",
                    count(summary.files, "file"),
                    summary.rendered_in.as_millis()
                );
                err!(
                    "Swapped the new output in for the old in {} ms",
                    summary.swapped_in.as_millis()
                );
            }
            if !ui.quiet {
                let (level, marked) = marking_words(ui, summary.markings.as_ref());
                out!(
                    "Built {}{level} ({} rendered, {} in all) into {} in {} ms{marked}",
                    count(summary.pages, "page"),
                    count(summary.html_files, "HTML file"),
                    count(summary.files, "file"),
                    summary.output.display(),
                    start.elapsed().as_millis()
                );
            }
            0
        }
        Err(e) => match interrupt.exit_code() {
            Some(code) => {
                eprintln!("interrupted: nothing was written; the previous output is unchanged");
                code
            }
            None => ui.failed(&e),
        },
    }
}

fn check(ui: &Ui, args: CheckArgs) -> i32 {
    let start = Instant::now();
    if let Err(code) =
        release_level_usable(ui, &args.root.root, args.variant.max_marking.as_deref())
    {
        return code;
    }
    let site = match Outline::load(&args.root.root, args.variant.options()) {
        Ok(s) => s,
        Err(e) => return ui.failed(&e),
    };
    ui.loaded(site.pages(), start);
    let result = site.check();
    std::mem::forget(site);
    match result {
        Ok(summary) => {
            ui.diagnostics(&summary.warnings);
            if ui.verbose {
                err!(
                    "Rendered {} through their templates (into nothing) in {} ms",
                    count(summary.html_files, "HTML file"),
                    summary.rendered_in.as_millis()
                );
            }
            if !ui.quiet {
                let (level, marked) = marking_words(ui, summary.markings.as_ref());
                out!(
                    "Checked {}{level} ({} rendered, none written): no errors, {} in {} ms{marked}",
                    count(summary.pages, "page"),
                    count(summary.html_files, "HTML file"),
                    count(summary.warnings.len(), "warning"),
                    start.elapsed().as_millis()
                );
            }
            0
        }
        Err(e) => ui.failed(&e),
    }
}

fn serve(ui: Ui, args: ServeArgs) -> i32 {
    if args.base_url.is_some() {
        ui.error(
            "serve takes no --base-url: the preview's base_url is its own address (http://127.0.0.1:PORT/), \
             so that the feed, the sitemap and the 404 page's links work in it; \
             `briefing build --base-url URL` writes the site for its real address",
        );
        return USAGE;
    }
    if args.output.is_some() {
        ui.error(
            "serve takes no --output: it builds into a temporary folder, removed when it stops, and never \
             touches the output folder; `briefing build --output DIR` writes one",
        );
        return USAGE;
    }
    if !args.interface.is_loopback() {
        err!(
            "warning: listening on {}: the preview is reachable from the network, not just this machine",
            args.interface
        );
    }
    let options = briefing::serve::ServeOptions {
        interface: args.interface,
        port: args.port,
        drafts: args.drafts,
        max_marking: args.max_marking.clone(),
    };
    // A folder that is not a site is refused as `build` refuses it, before serving.
    if let Err(diags) = briefing::Config::load(&args.root.root) {
        return ui.failed(&Errors(diags));
    }
    if let Err(code) = release_level_usable(&ui, &args.root.root, args.max_marking.as_deref()) {
        return code;
    }
    let log = std::sync::Mutex::new(ServeLog::default());
    let report = move |r: &briefing::watch::Rebuild| {
        let Ok(mut log) = log.lock() else { return };
        log.report(&ui, r);
    };
    // The site's folder as the reader knows it: `.` is named.
    let folder = std::fs::canonicalize(&args.root.root).unwrap_or_else(|_| args.root.root.clone());
    let (asked, open) = (args.port, args.open);
    let announce = |url: &str, port: u16| {
        if port != asked && asked != 0 {
            err!("port {asked} is taken: serving on port {port} instead");
        }
        out!("Serving {} at {url} (Ctrl-C to stop)", folder.display());
        if open && let Err(e) = opener::open(url) {
            err!("warning: could not open a browser ({e}); open {url} yourself");
        }
    };
    SERVING.store(true, Ordering::SeqCst);
    let served = briefing::serve::serve(&args.root.root, options, report, announce);
    SERVING.store(false, Ordering::SeqCst);
    match served {
        Ok(()) if PIPE_CLOSED.load(Ordering::SeqCst) => BROKEN_PIPE_STATUS,
        Ok(()) => 0,
        Err(e) => {
            err!("error: {e}");
            1
        }
    }
}

/// What `serve` has said so far, so each line says what changed.
#[derive(Default)]
struct ServeLog {
    /// A good build is being served.
    serving: bool,
    /// The last rebuild failed.
    broken: bool,
    /// The warnings last printed.
    warnings: Vec<String>,
}

impl ServeLog {
    fn report(&mut self, ui: &Ui, r: &briefing::watch::Rebuild) {
        if r.typeset {
            self.typeset(ui, r);
        } else if let Some(trouble) = &r.trouble {
            // Not the site's fault: no content error to fix, and it is tried again.
            err!(
                "{}: could not update the preview: {trouble}; {}, retrying",
                r.what,
                self.still()
            );
        } else if r.ok() {
            self.warnings_if_changed(ui, &r.warnings);
            if self.broken {
                err!(
                    "fixed: {} — {} written in {} ms",
                    r.what,
                    count(r.pages_written, "page"),
                    r.millis
                );
            } else if !ui.quiet {
                out!(
                    "{}: {} written in {} ms",
                    r.what,
                    count(r.pages_written, "page"),
                    r.millis
                );
            }
            self.serving = true;
            self.broken = false;
        } else {
            ui.diagnostics(&r.errors);
            err!(
                "{}: {}; {}",
                r.what,
                count(r.errors.len(), "error"),
                self.still()
            );
            self.broken = true;
        }
    }

    /// A PDF typeset on request: said apart from the rebuilds, which it neither fixes nor
    /// breaks.
    fn typeset(&mut self, ui: &Ui, r: &briefing::watch::Rebuild) {
        if let Some(trouble) = &r.trouble {
            // Not the site's fault; asked for again, it is typeset again.
            err!("{}: could not be written to the preview: {trouble}", r.what);
        } else if r.ok() {
            self.warnings_if_changed(ui, &r.warnings);
            if !ui.quiet {
                out!(
                    "{}: typeset, {}, in {} ms",
                    r.what,
                    count(r.pages_written, "page"),
                    r.millis
                );
            }
        } else {
            ui.diagnostics(&r.errors);
            let served = if r.files_written > 0 {
                "still serving the last good one"
            } else {
                "no PDF to serve until it is fixed"
            };
            err!(
                "{}: cannot be typeset, {}; {served}",
                r.what,
                count(r.errors.len(), "error")
            );
        }
    }

    /// The warnings, printed only when they differ from those printed last.
    fn warnings_if_changed(&mut self, ui: &Ui, warnings: &[Diagnostic]) {
        let said: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        if said != self.warnings {
            ui.diagnostics(warnings);
            self.warnings = said;
        }
    }

    fn still(&self) -> &'static str {
        if self.serving {
            "still serving the last good build"
        } else {
            "nothing to serve until it is fixed"
        }
    }
}

/// `3 pages`, `1 page`: how `build` and `check` say their counts.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// `--base-url`: checked as the config's `base_url` is, so a typo is a usage error (exit 2).
fn web_address(url: &str) -> Result<String, String> {
    briefing::config::check_base_url(url).map(|()| url.to_string())
}
