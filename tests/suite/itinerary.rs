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
    let itinerary = site
        .read("content/itinerary.md")
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
        .last()
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
    let summaries: Vec<String> = cal.events.iter().filter_map(|e| prop(e, "SUMMARY")).collect();
    assert_eq!(summaries, ["Arrival", "Meeting", "World Economic Forum"]);
    let note: Vec<String> = page.select(&sel(".calendar-note")).map(text_of).collect();
    assert_eq!(note, ["Leaves out the 3 stops not yet dated to the day."]);
    // At a glance on the front page: listed last, "Dates TBC", with no <time>.
    let index = site.html("index.html");
    let last = index
        .select(&sel(".glance-item"))
        .last()
        .expect("glance items");
    assert_eq!(text_of(last), "Dates TBC Ottawa Report to Cabinet (tentative)");
    assert!(last.select(&sel("time")).next().is_none());
}
