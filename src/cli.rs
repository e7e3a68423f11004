//! The command line: argument parsing, printing and exit codes only; the work is in the
//! library.

use std::io::IsTerminal;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use briefing::{BuildOptions, Diagnostic, Errors, Site};

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
    /// Print more detail: how long loading and writing took
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
    Check(RootArg),
    /// Build, then serve the site with live reload, rebuilding on every change
    Serve(ServeArgs),
    /// Create a new site in DIR that builds at once
    Init {
        /// The folder to create (must be new or empty)
        dir: PathBuf,
    },
    /// Create a new page with every front-matter field of its kind, explained
    New {
        #[command(subcommand)]
        kind: NewKind,
    },
}

#[derive(Subcommand)]
enum NewKind {
    /// content/disputes/SLUG.md
    Dispute {
        /// The page's slug, e.g. canola-tariffs
        slug: String,
        #[command(flatten)]
        root: RootArg,
    },
    /// content/notes/SLUG.md
    Note {
        /// The page's slug, e.g. detentions
        slug: String,
        #[command(flatten)]
        root: RootArg,
    },
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
}

#[derive(Args)]
struct RootArg {
    /// The site folder (holding briefing.toml)
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    root: RootArg,
    /// Output folder (default: output_dir from briefing.toml, under the site folder)
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Absolute URL the site will be served from (overrides base_url)
    #[arg(long, value_parser = web_address)]
    base_url: Option<String>,
    /// Include pages marked draft = true
    #[arg(long)]
    drafts: bool,
    /// Make every internal link end in index.html so the site works from the file system
    #[arg(long)]
    portable: bool,
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
        Command::Init { dir } => match briefing::scaffold::init(&dir) {
            Ok(files) => {
                if !ui.quiet {
                    println!(
                        "Created a site with {} files in {}; build it with `briefing build --root {}`",
                        files.len(),
                        dir.display(),
                        dir.display()
                    );
                }
                0
            }
            Err(d) => ui.failed(&Errors::one(d)),
        },
        Command::New { kind } => {
            let (kind, slug, root) = match kind {
                NewKind::Dispute { slug, root } => {
                    (briefing::scaffold::NewKind::Dispute, slug, root)
                }
                NewKind::Note { slug, root } => (briefing::scaffold::NewKind::Note, slug, root),
            };
            match briefing::scaffold::new_page(&root.root, kind, &slug) {
                Ok(path) => {
                    if !ui.quiet {
                        println!("Created {}", path.display());
                    }
                    0
                }
                Err(d) => ui.failed(&Errors::one(d)),
            }
        }
    }
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
            eprintln!("{text}\n");
        }
    }

    /// With `-v`: how long loading and checking the content took.
    fn loaded(&self, site: &Site, start: Instant) {
        if self.verbose {
            eprintln!(
                "Loaded {} content pages (front matter, Markdown, links) in {} ms",
                site.pages.len(),
                start.elapsed().as_millis()
            );
        }
    }

    fn failed(&self, e: &Errors) -> i32 {
        self.diagnostics(&e.0);
        let n = e.0.iter().filter(|d| d.is_error()).count();
        eprintln!(
            "{n} error{} found; nothing was written",
            if n == 1 { "" } else { "s" }
        );
        1
    }
}

fn build(ui: &Ui, args: BuildArgs) -> i32 {
    let start = Instant::now();
    let options = BuildOptions {
        output: args.output,
        base_url: args.base_url,
        drafts: args.drafts,
        portable: args.portable.then_some(true),
        force: args.force,
        outline_only: false,
    };
    let site = match Site::load(&args.root.root, options) {
        Ok(s) => s,
        Err(e) => return ui.failed(&e),
    };
    ui.loaded(&site, start);
    let result = site.build();
    // The process ends here: let the OS reclaim the site at once rather than freeing tens
    // of thousands of allocations one by one.
    std::mem::forget(site);
    match result {
        Ok(summary) => {
            ui.diagnostics(&summary.warnings);
            if !ui.quiet {
                println!(
                    "Built {} pages ({} files) into {} in {} ms",
                    summary.pages,
                    summary.files,
                    summary.output.display(),
                    start.elapsed().as_millis()
                );
            }
            0
        }
        Err(e) => ui.failed(&e),
    }
}

fn check(ui: &Ui, args: RootArg) -> i32 {
    let start = Instant::now();
    let options = BuildOptions {
        outline_only: true,
        ..BuildOptions::default()
    };
    let site = match Site::load(&args.root, options) {
        Ok(s) => s,
        Err(e) => return ui.failed(&e),
    };
    ui.loaded(&site, start);
    let result = site.check();
    let pages = site.pages.len();
    std::mem::forget(site);
    match result {
        Ok(warnings) => {
            ui.diagnostics(&warnings);
            if !ui.quiet {
                println!(
                    "Checked {} pages: no errors, {} warning{} in {} ms",
                    pages,
                    warnings.len(),
                    if warnings.len() == 1 { "" } else { "s" },
                    start.elapsed().as_millis()
                );
            }
            0
        }
        Err(e) => ui.failed(&e),
    }
}

fn serve(ui: Ui, args: ServeArgs) -> i32 {
    if !args.interface.is_loopback() {
        eprintln!(
            "warning: listening on {}: the preview is reachable from the network, not just this machine",
            args.interface
        );
    }
    let options = briefing::serve::ServeOptions {
        interface: args.interface,
        port: args.port,
        open: args.open,
        drafts: args.drafts,
    };
    let report = move |r: &briefing::watch::Rebuild| {
        if let Some(trouble) = &r.trouble {
            // Not the site's fault: no content error to fix, and it is tried again.
            eprintln!(
                "{}: could not update the preview: {trouble}; still serving the last good build, retrying",
                r.what
            );
        } else if r.ok() {
            if !ui.quiet {
                println!(
                    "{}: {} page{} written in {} ms",
                    r.what,
                    r.pages_written,
                    if r.pages_written == 1 { "" } else { "s" },
                    r.millis
                );
            }
        } else {
            ui.diagnostics(&r.errors);
            eprintln!(
                "{}: {} error{}; still serving the last good build",
                r.what,
                r.errors.len(),
                if r.errors.len() == 1 { "" } else { "s" }
            );
        }
    };
    let announce = |url: &str| {
        println!(
            "Serving {} at {url} (Ctrl-C to stop)",
            args.root.root.display()
        );
    };
    match briefing::serve::serve(&args.root.root, options, report, announce) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// `--base-url`: checked as the config's `base_url` is, so a typo is a usage error (exit 2).
fn web_address(url: &str) -> Result<String, String> {
    briefing::config::check_base_url(url).map(|()| url.to_string())
}
