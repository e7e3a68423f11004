//! A smoke test of the benchmark kit (bench/): a generated 200-page site builds with the
//! real binary, every generated page is written, and every relative `href`/`src` of every
//! output HTML file resolves to a file of the output, with its `#anchor` as an `id` there.
//! No timings are asserted.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use briefing_bench::{Flavor, GenOptions, generate};
use scraper::{Html, Selector};

/// Every file under `dir` (relative path with `/`) and its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside");
            (
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect()
}

/// Resolves `link` (without fragment) against the folder of output file `from`
/// (`s000/p00001/index.html`); `None` if it climbs above the output folder.
fn resolve(from: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop(); // the file's own name
    for seg in link.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

struct Page {
    ids: HashSet<String>,
    /// (attribute value, element name)
    links: Vec<(String, String)>,
}

#[test]
fn a_generated_200_page_site_builds_and_every_internal_link_resolves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    let out = dir.path().join("out");
    let summary = generate(&GenOptions {
        pages: 200,
        seed: 7,
        out: site.clone(),
        flavor: Flavor::Briefing,
        marked_one_in: None,
    })
    .expect("generate");
    assert_eq!(summary.page_paths.len(), 200);
    assert_eq!(summary.disputes, 20);
    assert_eq!(summary.sections, 2);
    assert!(summary.anchored_links > 0);

    let run = Command::new(env!("CARGO_BIN_EXE_briefing"))
        .arg("build")
        .arg("--root")
        .arg(&site)
        .arg("--output")
        .arg(&out)
        .output()
        .expect("run briefing");
    assert!(
        run.status.success(),
        "briefing build failed ({}):\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );

    // Every generated note, dispute and section has its page.
    let mut missing: Vec<String> = summary
        .page_paths
        .iter()
        .chain(&summary.section_paths)
        .map(|p| format!("{p}/index.html"))
        .chain(["index.html".to_string(), "itinerary/index.html".to_string()])
        .filter(|p| !out.join(p).is_file())
        .collect();
    missing.sort();
    assert!(missing.is_empty(), "pages not written: {missing:?}");

    // Parse every output HTML file once: its ids and its links.
    let files: Vec<String> = tree(&out).into_keys().collect();
    let file_set: HashSet<&str> = files.iter().map(String::as_str).collect();
    let with_link = Selector::parse("[href], [src]").expect("selector");
    let with_id = Selector::parse("[id]").expect("selector");
    let mut pages: HashMap<&str, Page> = HashMap::new();
    for f in files.iter().filter(|f| f.ends_with(".html")) {
        let text = std::fs::read_to_string(out.join(f)).expect("read html");
        let doc = Html::parse_document(&text);
        let ids = doc
            .select(&with_id)
            .filter_map(|e| e.value().id().map(str::to_string))
            .collect();
        let links = doc
            .select(&with_link)
            .flat_map(|e| {
                let name = e.value().name().to_string();
                ["href", "src"]
                    .into_iter()
                    .filter_map(|a| e.value().attr(a))
                    .map(move |v| (v.to_string(), name.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        pages.insert(f, Page { ids, links });
    }
    assert!(
        pages.len() >= 200 + 2 + 2,
        "only {} HTML files",
        pages.len()
    );

    let mut problems = Vec::new();
    let mut checked = 0usize;
    let mut checked_anchors = 0usize;
    for (from, page) in &pages {
        for (link, element) in &page.links {
            let external = link.starts_with("//")
                || link
                    .split_once(':')
                    .is_some_and(|(scheme, _)| !scheme.contains(['/', '?', '#']));
            if external {
                continue; // https:, mailto:, data: …
            }
            if link.starts_with('/') {
                problems.push(format!(
                    "{from}: <{element}> link {link:?} is root-absolute"
                ));
                continue;
            }
            let (path, anchor) = match link.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (link.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or_default();
            let target = if path.is_empty() {
                from.to_string()
            } else {
                let Some(mut t) = resolve(from, path) else {
                    problems.push(format!("{from}: link {link:?} climbs above the output"));
                    continue;
                };
                // A folder link means the folder's index.html.
                if path.ends_with('/') || t.is_empty() || out.join(&t).is_dir() {
                    if !t.is_empty() {
                        t.push('/');
                    }
                    t.push_str("index.html");
                }
                t
            };
            checked += 1;
            if !file_set.contains(target.as_str()) {
                problems.push(format!("{from}: link {link:?} -> missing {target}"));
                continue;
            }
            if let Some(anchor) = anchor.filter(|a| !a.is_empty()) {
                checked_anchors += 1;
                match pages.get(target.as_str()) {
                    Some(p) if p.ids.contains(anchor) => {}
                    Some(_) => problems.push(format!(
                        "{from}: link {link:?} -> no id {anchor:?} in {target}"
                    )),
                    None => problems.push(format!(
                        "{from}: link {link:?} has an anchor into non-HTML {target}"
                    )),
                }
            }
        }
    }
    problems.sort();
    assert!(
        problems.is_empty(),
        "{} broken internal links, first ones:\n{}",
        problems.len(),
        problems[..problems.len().min(30)].join("\n")
    );
    // The generated bodies' links (and their anchors) were among those checked.
    assert!(checked >= summary.links, "{checked} links checked");
    assert!(
        checked_anchors >= summary.anchored_links,
        "{checked_anchors} anchors checked"
    );
}

#[test]
fn generation_is_deterministic_and_seeded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let gen_into = |name: &str, seed: u64, flavor: Flavor| -> PathBuf {
        let out = dir.path().join(name);
        generate(&GenOptions {
            pages: 50,
            seed,
            out: out.clone(),
            flavor,
            marked_one_in: None,
        })
        .expect("generate");
        out
    };
    for flavor in [Flavor::Briefing, Flavor::Hugo] {
        let a = tree(&gen_into(&format!("{flavor:?}-a"), 3, flavor));
        let b = tree(&gen_into(&format!("{flavor:?}-b"), 3, flavor));
        let c = tree(&gen_into(&format!("{flavor:?}-c"), 4, flavor));
        assert!(a == b, "{flavor:?}: same seed, different sites");
        assert!(a != c, "{flavor:?}: the seed changes nothing");
    }
    // The Hugo flavour has the same Markdown bodies apart from how links are written.
    let briefing = tree(&dir.path().join("Briefing-a"));
    let hugo = tree(&dir.path().join("Hugo-a"));
    let body = |bytes: &[u8]| -> String {
        let text = String::from_utf8(bytes.to_vec()).expect("utf-8");
        let body = text
            .splitn(3, "+++\n")
            .nth(2)
            .expect("front matter")
            .to_string();
        // Drop link destinations: `](...)`.
        let mut plain = String::new();
        let mut rest = body.as_str();
        while let Some(i) = rest.find("](") {
            plain.push_str(&rest[..i]);
            let close = rest[i..].find(")").expect("closing paren") + i;
            rest = &rest[close + 1..];
        }
        plain.push_str(rest);
        plain
    };
    let page = "content/s000/p00001.md";
    assert_eq!(body(&briefing[page]), body(&hugo[page]));
}

/// The benchmark's release shape (`gen --marked-one-in 10`): one page in ten marked SECRET
/// and linked to by none, so the site builds whole, and released at PROTECTED A it builds
/// without an error, leaving those pages, and only those, out.
#[test]
fn the_generated_site_with_marked_pages_builds_whole_and_released() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    let summary = generate(&GenOptions {
        pages: 200,
        seed: 7,
        out: site.clone(),
        flavor: Flavor::Briefing,
        marked_one_in: Some(10),
    })
    .expect("generate");
    assert_eq!(summary.marked, 20);
    for (name, extra) in [
        ("full", &[][..]),
        ("release", &["--max-marking", "PROTECTED A"][..]),
    ] {
        let out = dir.path().join(name);
        let run = Command::new(env!("CARGO_BIN_EXE_briefing"))
            .args(["-v", "build", "--root"])
            .arg(&site)
            .arg("--output")
            .arg(&out)
            .args(extra)
            .env("NO_COLOR", "1")
            .output()
            .expect("run briefing");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{name}:\n{stderr}");
        let written: Vec<&String> = summary
            .page_paths
            .iter()
            .filter(|p| out.join(p).join("index.html").is_file())
            .collect();
        let left_out = stderr
            .lines()
            .filter(|l| l.starts_with("left out: "))
            .count();
        if name == "full" {
            assert_eq!(written.len(), 200);
            assert_eq!(left_out, 0);
        } else {
            assert_eq!(written.len(), 180, "{stderr}");
            assert_eq!(left_out, 20, "{stderr}");
            assert!(
                written.iter().all(|p| !p.ends_with('3')),
                "a page marked SECRET was written"
            );
        }
    }
}
