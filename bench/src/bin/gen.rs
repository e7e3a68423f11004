//! `gen --pages N --seed S --out DIR [--flavor briefing|hugo] [--french]`: writes a generated
//! site.

use std::path::PathBuf;
use std::process::ExitCode;

use briefing_bench::{Flavor, GenOptions, generate};
use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, ValueEnum)]
enum FlavorArg {
    Briefing,
    Hugo,
}

/// Writes a deterministic generated briefing site (or its Hugo equivalent) for benchmarks.
#[derive(Parser)]
#[command(name = "gen")]
struct Args {
    /// Notes and disputes to generate (sections of 100; one page in ten is a dispute)
    #[arg(long, default_value_t = 1000)]
    pages: usize,
    /// Seed of the generator: the same seed gives the same site, byte for byte
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Folder to write the site into (must not exist or be empty)
    #[arg(long)]
    out: PathBuf,
    /// Which generator's site to write
    #[arg(long, value_enum, default_value_t = FlavorArg::Briefing)]
    flavor: FlavorArg,
    /// Also write every page's French translation (`x.fr.md`) and `[languages.fr]`: a
    /// bilingual site of twice the pages
    #[arg(long)]
    french: bool,
    /// Give the site [markings] and mark one page in N SECRET, linked to by no page (for a
    /// release build below SECRET, which leaves them out)
    #[arg(long, value_name = "N")]
    marked_one_in: Option<usize>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let flavor = match args.flavor {
        FlavorArg::Briefing => Flavor::Briefing,
        FlavorArg::Hugo => Flavor::Hugo,
    };
    match generate(&GenOptions {
        pages: args.pages,
        seed: args.seed,
        out: args.out.clone(),
        flavor,
        marked_one_in: args.marked_one_in,
    }) {
        Ok(s) => {
            if args.french {
                match briefing_bench::add_french(&args.out) {
                    Ok(n) => println!("{n} French translations"),
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            }
            println!(
                "{} pages ({} disputes, {} marked SECRET, {} sections, {} links of which {} with anchors, {:.2} KB mean body) in {}",
                s.pages,
                s.disputes,
                s.marked,
                s.sections,
                s.links,
                s.anchored_links,
                s.body_bytes as f64 / s.pages.max(1) as f64 / 1000.0,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
