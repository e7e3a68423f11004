//! `docs/reference.md` documents every field the binary accepts (issue 12, item 1). For each
//! front-matter and config table, a site with an unknown key in that table makes
//! `briefing check` list the table's fields (serde's "unknown field `zzz_unknown`, expected
//! one of `a`, `b`, …"), and each of them must be named, as `name`, in that table's section
//! of the reference. A field added to the code but not to the reference fails here. Every
//! built-in template, partial and static file must be named in the reference too.

use crate::common::{TestSite, repo};

const UNKNOWN: &str = "zzz_unknown";

const CONFIG: &str = "title = \"Reference\"\n";

/// One table: the reference section that documents it, and the files of a site whose
/// `check` fails on an unknown key in it.
struct Case {
    table: &'static str,
    /// The heading line of its section in the reference, exactly.
    heading: &'static str,
    files: Vec<(&'static str, String)>,
}

fn page(rel: &'static str, front_matter: &str) -> Vec<(&'static str, String)> {
    vec![
        ("briefing.toml", CONFIG.to_string()),
        (rel, format!("+++\n{front_matter}+++\nBody.\n")),
    ]
}

const DISPUTE: &str = "kind = \"dispute\"\n\n[dispute]\nimposed_by = \"China\"\n\
                       affected = \"Canada\"\nstatus = \"in force\"\nstake = \"Exports\"\n\
                       ask = \"Remove it\"\n";

fn cases() -> Vec<Case> {
    let top = "### Common fields (every page)";
    let unknown = format!("{UNKNOWN} = 1\n");
    vec![
        Case {
            table: "briefing.toml, top level",
            heading: "### Top level of `briefing.toml`",
            files: vec![("briefing.toml", format!("{CONFIG}{unknown}"))],
        },
        Case {
            table: "briefing.toml, [[themes]]",
            heading: "### `[[themes]]`",
            files: vec![(
                "briefing.toml",
                format!(
                    "{CONFIG}\n[[themes]]\nslug = \"trade\"\nname = \"Trade\"\n\
                     color = \"#9b2c2c\"\n{unknown}"
                ),
            )],
        },
        Case {
            table: "a note, top level",
            heading: top,
            files: page("content/note.md", &format!("title = \"A note\"\n{unknown}")),
        },
        Case {
            table: "a note in YAML, top level",
            heading: top,
            files: vec![
                ("briefing.toml", CONFIG.to_string()),
                (
                    "content/yaml.md",
                    format!("---\ntitle: A note\n{UNKNOWN}: 1\n---\nBody.\n"),
                ),
            ],
        },
        Case {
            table: "a dispute, top level",
            heading: top,
            files: page(
                "content/dispute.md",
                &format!("title = \"A dispute\"\n{unknown}{DISPUTE}"),
            ),
        },
        Case {
            table: "an itinerary, top level",
            heading: top,
            files: page(
                "content/itinerary.md",
                &format!("title = \"Itinerary\"\nkind = \"itinerary\"\n{unknown}"),
            ),
        },
        Case {
            table: "a section, top level",
            heading: top,
            files: page(
                "content/notes/_index.md",
                &format!("title = \"Notes\"\npage_kind = \"note\"\n{unknown}"),
            ),
        },
        Case {
            table: "[dispute]",
            heading: "### `[dispute]`",
            files: page(
                "content/dispute.md",
                &format!("title = \"A dispute\"\n{DISPUTE}{unknown}"),
            ),
        },
        Case {
            table: "[[dispute.measures]]",
            heading: "### `[[dispute.measures]]`",
            files: page(
                "content/dispute.md",
                &format!(
                    "title = \"A dispute\"\n{DISPUTE}\n[[dispute.measures]]\n\
                     product = \"Canola seed\"\nmeasure = \"Tariff\"\nrate = \"25%\"\n\
                     effective = 2026-01-14\n{unknown}"
                ),
            ),
        },
        Case {
            table: "[[stops]]",
            heading: "### `[[stops]]`",
            files: page(
                "content/itinerary.md",
                &format!(
                    "title = \"Itinerary\"\nkind = \"itinerary\"\n\n[[stops]]\n\
                     date = 2026-01-14\ncountry = \"China\"\ntitle = \"Arrival\"\n{unknown}"
                ),
            ),
        },
        Case {
            table: "[[sources]]",
            heading: "### `[[sources]]`",
            files: page(
                "content/note.md",
                &format!("title = \"A note\"\n\n[[sources]]\ntitle = \"A report\"\n{unknown}"),
            ),
        },
        Case {
            table: "[[timeline]]",
            heading: "### `[[timeline]]`",
            files: page(
                "content/note.md",
                &format!(
                    "title = \"A note\"\n\n[[timeline]]\ndate = 2026-01-14\n\
                     event = \"Talks\"\n{unknown}"
                ),
            ),
        },
    ]
}

fn reference() -> String {
    let path = repo().join("docs/reference.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The section under `heading` (a line of the reference, exactly), up to the next heading
/// of its level or above; a `#` line in a fenced code block is no heading.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let level = heading.chars().take_while(|&c| c == '#').count();
    let mut lines = doc.split_inclusive('\n');
    let mut offset = 0;
    let mut found = false;
    for line in lines.by_ref() {
        offset += line.len();
        if line.trim_end() == heading {
            found = true;
            break;
        }
    }
    assert!(found, "docs/reference.md has no heading {heading:?}");
    let start = offset;
    let mut in_code = false;
    for line in lines {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !in_code && (1..=level).contains(&hashes) && line[hashes..].starts_with(' ') {
            break;
        }
        offset += line.len();
    }
    &doc[start..offset]
}

/// The keys a failed `check` lists after "unknown key \"zzz_unknown\" in TABLE: expected
/// one of ": the comma-separated names, before any "; did you mean".
fn expected_fields(stderr: &str) -> Vec<String> {
    let start = format!("unknown key \"{UNKNOWN}\" in ");
    let marker = ": expected one of ";
    let line = stderr
        .lines()
        .find(|l| l.contains(&start) && l.contains(marker))
        .unwrap_or_else(|| panic!("no {start:?} … {marker:?} in the output of check:\n{stderr}"));
    let listed = &line[line.find(marker).unwrap_or(0) + marker.len()..];
    let listed = listed.split("; did you mean").next().unwrap_or(listed);
    listed.split(", ").map(|k| k.trim().to_string()).collect()
}

#[test]
fn every_field_of_every_table_is_in_its_section_of_the_reference() {
    let doc = reference();
    let mut missing = Vec::new();
    for case in cases() {
        let site = TestSite::empty();
        for (rel, text) in &case.files {
            site.write(rel, text);
        }
        let run = site.run(&["check"]).fails();
        let fields = expected_fields(&run.stderr);
        // A table has more than one field; fewer means the message was misread.
        assert!(
            fields.len() >= 2,
            "{}: read {fields:?} from:\n{}",
            case.table,
            run.stderr
        );
        let text = section(&doc, case.heading);
        for field in fields {
            if !text.contains(&format!("`{field}`")) {
                missing.push(format!(
                    "{}: `{field}` (under {:?})",
                    case.table, case.heading
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fields the binary accepts but docs/reference.md does not document:\n  {}",
        missing.join("\n  ")
    );
}

/// Every file of the built-in theme, relative to its folder with `/`: `partials/toc.html`.
fn theme_files(folder: &str) -> Vec<String> {
    let dir = repo().join(folder);
    let files: Vec<String> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap_or_else(|e| panic!("walk {folder}: {e}")))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(&dir)
                .unwrap_or(e.path())
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    assert!(!files.is_empty(), "no files in {folder}/");
    files
}

#[test]
fn every_built_in_template_partial_and_static_file_is_in_the_reference() {
    let doc = reference();
    let missing: Vec<String> = theme_files("templates")
        .into_iter()
        .chain(theme_files("static"))
        .filter(|name| !doc.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "built-in files docs/reference.md does not name: {missing:?}"
    );
}

#[test]
fn sections_and_field_lists_are_read_as_meant() {
    let doc = "# A\n## B\ntext `x`\n### C\n```toml\n# not a heading\n```\n`y`\n## D\n`z`";
    assert_eq!(
        section(doc, "## B"),
        "text `x`\n### C\n```toml\n# not a heading\n```\n`y`\n"
    );
    assert_eq!(
        section(doc, "### C"),
        "```toml\n# not a heading\n```\n`y`\n"
    );
    assert_eq!(section(doc, "## D"), "`z`");
    assert_eq!(
        expected_fields(
            "error: unknown key \"zzz_unknown\" in [[timeline]]: expected one of date, event, \
             marking\n  --> x.md:3:1\n"
        ),
        ["date", "event", "marking"]
    );
    assert_eq!(
        expected_fields(
            "error: unknown key \"zzz_unknown\" in [[stops]]: expected one of date, start; \
             did you mean \"start\"?"
        ),
        ["date", "start"]
    );
}
