//! The itinerary's dates as a reader sees them and as a calendar reads them (issue 12):
//! stops in named time zones (item 5) and stops not dated yet (item 6), checked on the
//! built pages (scraper) and `itinerary.ics` (the `ical` crate).

use crate::common;

use common::{TestSite, sel, text_of};
use ical::parser::ical::component::{IcalCalendar, IcalEvent};

fn calendar(site: &TestSite) -> IcalCalendar {
    let bytes = std::fs::read(site.public().join("itinerary.ics")).expect("itinerary.ics");
    let mut calendars: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(&bytes[..]))
        .collect::<Result<_, _>>()
        .expect("the calendar parses");
    assert_eq!(calendars.len(), 1);
    calendars.pop().expect("one calendar")
}

fn prop(e: &IcalEvent, name: &str) -> Option<String> {
    e.properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.clone())
}

fn event<'a>(cal: &'a IcalCalendar, summary: &str) -> &'a IcalEvent {
    cal.events
        .iter()
        .find(|e| prop(e, "SUMMARY").as_deref() == Some(summary))
        .unwrap_or_else(|| panic!("no event {summary:?}"))
}

/// The basic fixture with `stops` (TOML `[[stops]]` tables) put before its own.
fn site_with_stops(stops: &str) -> TestSite {
    let site = TestSite::fixture("basic_site");
    let itinerary =
        site.read("content/itinerary.md")
            .replacen("[[stops]]", &format!("{stops}\n[[stops]]"), 1);
    site.write("content/itinerary.md", &itinerary);
    site
}

/// Each day of the itinerary page: its heading and the titles of its stops.
fn days(site: &TestSite) -> Vec<(String, Vec<String>)> {
    let page = site.html("itinerary/index.html");
    page.select(&sel("li.day"))
        .map(|day| {
            let heading = day
                .select(&sel(".day-heading"))
                .next()
                .map(text_of)
                .unwrap_or_default();
            let titles = day.select(&sel(".stop-title")).map(text_of).collect();
            (heading, titles)
        })
        .collect()
}

/// Item 6: a stop whose date is not known yet says `date = "TBC"`. It is listed under
/// "Dates to be confirmed" after every dated day (written first in the file), with no
/// machine-readable date, and left out of the calendar.
#[test]
fn stops_not_dated_yet_come_last_under_dates_to_be_confirmed_and_stay_out_of_the_calendar() {
    let site = site_with_stops(
        "[[stops]]\ndate = \"TBC\"\ncountry = \"Qatar\"\ntitle = \"Visit to Qatar\"\n\
         [[stops]]\ndate = \"tbc\"\ncity = \"Ottawa\"\ncountry = \"Canada\"\n\
         title = \"Report to Cabinet\"\ntentative = true\n",
    );
    site.build().ok();
    let days = days(&site);
    let headings: Vec<&str> = days.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(
        headings,
        [
            "Wednesday 14 January 2026",
            "19–23 January 2026",
            "2026",
            "Dates to be confirmed"
        ]
    );
    assert_eq!(
        days.last().map(|(_, t)| t.clone()),
        Some(vec![
            "Visit to Qatar".to_string(),
            "Report to Cabinet".to_string()
        ])
    );
    let page = site.html("itinerary/index.html");
    let undated = page
        .select(&sel("li.day"))
        .next_back()
        .expect("the last day");
    assert!(
        undated.select(&sel("time")).next().is_none(),
        "no <time> for a date nobody knows: {}",
        undated.html()
    );
    // The heading says it; no second "Date to be confirmed" under it.
    assert!(undated.select(&sel(".day-note")).next().is_none());
    assert_eq!(
        undated
            .select(&sel(".stop-tentative .stop-title"))
            .map(text_of)
            .collect::<Vec<_>>(),
        ["Report to Cabinet"]
    );
    // The calendar has the dated stops only.
    let cal = calendar(&site);
    let summaries: Vec<String> = cal
        .events
        .iter()
        .filter_map(|e| prop(e, "SUMMARY"))
        .collect();
    assert_eq!(summaries, ["Arrival", "Meeting", "World Economic Forum"]);
    let note: Vec<String> = page.select(&sel(".calendar-note")).map(text_of).collect();
    assert_eq!(note, ["Leaves out the 3 stops not yet dated to the day."]);
    // At a glance on the front page: listed last, "Dates TBC", with no <time>.
    let index = site.html("index.html");
    let last = index
        .select(&sel(".glance-item"))
        .next_back()
        .expect("glance items");
    assert_eq!(
        text_of(last),
        "Dates TBC Ottawa Report to Cabinet (tentative)"
    );
    assert!(last.select(&sel("time")).next().is_none());
}

/// Item 5: a stop's times in a named IANA zone, daylight saving included. Toronto is at
/// UTC−4 in July and UTC−5 in January: the same 09:30 is 13:30Z in summer and 14:30Z in
/// winter. The page shows local time; the calendar writes UTC instants.
#[test]
fn stops_in_a_named_zone_are_local_on_the_page_and_utc_in_the_calendar() {
    let site = site_with_stops(
        // Times of day on the stop's date (the form for most meetings).
        "[[stops]]\ndate = 2026-07-14\nstart = \"09:30\"\nend = \"11:00\"\n\
         zone = \"America/Toronto\"\ncity = \"Toronto\"\ncountry = \"Canada\"\n\
         title = \"Summer briefing\"\n\
         [[stops]]\ndate = 2026-01-15\nstart = \"09:30\"\nzone = \"America/Toronto\"\n\
         city = \"Toronto\"\ncountry = \"Canada\"\ntitle = \"Winter briefing\"\n\
         [[stops]]\nstart = 2026-01-14T21:00:00\nend = 2026-01-15T01:00:00\n\
         zone = \"Asia/Shanghai\"\ncity = \"Shanghai\"\ncountry = \"China\"\n\
         title = \"State dinner\"\n\
         [[stops]]\nstart = \"2026-11-01T01:30:00-05:00\"\nzone = \"America/Toronto\"\n\
         city = \"Toronto\"\ncountry = \"Canada\"\ntitle = \"Second half past one\"\n",
    );
    site.build().ok();
    let cal = calendar(&site);
    let times = |summary: &str| {
        let e = event(&cal, summary);
        (prop(e, "DTSTART"), prop(e, "DTEND"))
    };
    let utc = |s: &str| Some(s.to_string());
    assert_eq!(
        times("Summer briefing"),
        (utc("20260714T133000Z"), utc("20260714T150000Z"))
    );
    assert_eq!(times("Winter briefing"), (utc("20260115T143000Z"), None));
    assert_eq!(
        times("State dinner"),
        (utc("20260114T130000Z"), utc("20260114T170000Z"))
    );
    // The clocks go back at 02:00 on 1 November: the offset says which 01:30.
    assert_eq!(
        times("Second half past one"),
        (utc("20261101T063000Z"), None)
    );
    // RFC 3339 times with their offset work as before.
    assert_eq!(times("Meeting"), (utc("20260114T070000Z"), None));

    let page = site.html("itinerary/index.html");
    let when = |title: &str| {
        page.select(&sel("li.stop"))
            .find(|s| {
                s.select(&sel(".stop-title"))
                    .next()
                    .is_some_and(|t| text_of(t) == title)
            })
            .and_then(|s| s.select(&sel(".stop-when")).next().map(text_of))
            .unwrap_or_else(|| panic!("no time shown for {title:?}"))
    };
    assert_eq!(
        when("Summer briefing"),
        "09:30–11:00 Toronto time (UTC-04:00)"
    );
    assert_eq!(when("Winter briefing"), "09:30 Toronto time (UTC-05:00)");
    assert_eq!(
        when("State dinner"),
        "21:00 to 01:00 on 15 January 2026 Shanghai time (UTC+08:00)"
    );
    assert_eq!(
        when("Second half past one"),
        "01:30 Toronto time (UTC-05:00)"
    );
    assert_eq!(when("Meeting"), "15:00 Beijing time (UTC+08:00)");
    // Each is filed under its local day.
    let days = days(&site);
    let day_of = |title: &str| {
        days.iter()
            .find(|(_, t)| t.iter().any(|t| t == title))
            .map(|(h, _)| h.clone())
    };
    assert_eq!(
        day_of("Summer briefing").as_deref(),
        Some("Tuesday 14 July 2026")
    );
    assert_eq!(
        day_of("State dinner").as_deref(),
        Some("Wednesday 14 January 2026")
    );
}

/// The same stop in YAML front matter.
#[test]
fn a_zone_works_in_yaml_front_matter() {
    let site = TestSite::fixture("basic_site");
    site.write(
        "content/itinerary.md",
        "---\ntitle: Itinerary\nkind: itinerary\nstops:\n  - date: 2026-07-14\n    \
         start: \"09:30\"\n    end: \"11:00\"\n    zone: America/Toronto\n    \
         city: Toronto\n    country: Canada\n    title: Summer briefing\n---\n",
    );
    site.build().ok();
    let cal = calendar(&site);
    let e = event(&cal, "Summer briefing");
    assert_eq!(prop(e, "DTSTART").as_deref(), Some("20260714T133000Z"));
    assert_eq!(prop(e, "DTEND").as_deref(), Some("20260714T150000Z"));
}
