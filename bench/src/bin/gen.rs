//! `gen --pages N --seed S --out DIR [--flavor briefing|hugo]`: writes a generated site.

use std::path::PathBuf;
use std::process::ExitCode;

use briefing_bench::{Flavor, GenOptions, generate};

fn main() -> ExitCode {
    let mut pages = 1000;
    let mut seed = 42;
    let mut out = None;
    let mut flavor = Flavor::Briefing;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        let parsed = match (arg.as_str(), value.as_deref()) {
            ("--pages", Some(v)) => v.parse().map(|n| pages = n).is_ok(),
            ("--seed", Some(v)) => v.parse().map(|n| seed = n).is_ok(),
            ("--out", Some(v)) => {
                out = Some(PathBuf::from(v));
                true
            }
            ("--flavor", Some("briefing")) => true,
            ("--flavor", Some("hugo")) => {
                flavor = Flavor::Hugo;
                true
            }
            _ => false,
        };
        if !parsed {
            eprintln!("usage: gen --pages N --seed S --out DIR [--flavor briefing|hugo]");
            return ExitCode::from(2);
        }
    }
    let Some(out) = out else {
        eprintln!("usage: gen --pages N --seed S --out DIR [--flavor briefing|hugo]");
        return ExitCode::from(2);
    };
    match generate(&GenOptions {
        pages,
        seed,
        out: out.clone(),
        flavor,
    }) {
        Ok(s) => {
            println!(
                "{} pages ({} disputes, {} sections) in {}",
                s.pages,
                s.disputes,
                s.sections,
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
