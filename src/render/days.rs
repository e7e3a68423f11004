//! The itinerary's days: stops in date order whatever their order in the file, grouped
//! by day. A stop over several days is listed on each of them when it shares its days
//! with other stops (day 2 of 3), or once under a heading spanning its days when it has
//! them to itself (19–23 January 2026). A day whose stops have no times says so once.
//! Stops not dated yet come last, under "Dates to be confirmed".

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::{StopView, stop_view};
use crate::content::{Moment, PartialDate, Stop, When};
use crate::dates;
use crate::strings::Words;

/// The most days a stop is listed on, one by one; a longer stop is shown once, as a span.
const MOST_DAYS_LISTED: i64 = 31;

#[derive(Serialize)]
pub(super) struct DayView<'a> {
    /// `Wednesday 14 January 2026`; for a span, its start (`19`).
    pub heading: String,
    pub iso: String,
    /// The end of a span of days: `23 January 2026`, with the separator before it.
    pub heading_end: Option<String>,
    pub end_iso: Option<String>,
    pub sep: &'a str,
    /// Said once for the day when none of its stops has a time: "Time to be confirmed".
    pub note: Option<&'a str>,
    /// Known only to the month or year.
    pub partial: bool,
    /// Not known at all (`date = "TBC"`): the heading says so, with no `<time>`.
    pub undated: bool,
    pub stops: Vec<StopView<'a>>,
}

/// `14–16 January 2026`, `30 January – 2 February 2026`, `30 December 2025 – 2 January 2026`
/// as its two halves and the dash between them.
/// In French, `du 14`, ` au `, `16 janvier 2026`.
pub(super) fn range_parts(words: &Words, a: NaiveDate, b: NaiveDate) -> (String, &str, String) {
    let end = dates::long(words, b);
    let start = dates::long(words, a);
    if a.year() == b.year() && a.month() == b.month() {
        let day = start.split(' ').next().unwrap_or_default();
        (
            words.fill("range_start_in_month", &[("day", day)]),
            words.get("range_sep_in_month"),
            end,
        )
    } else if a.year() == b.year() {
        let mut parts = start.splitn(3, ' ');
        let (day, month) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        (
            words.fill("range_start_in_year", &[("day", day), ("month", month)]),
            words.get("range_sep"),
            end,
        )
    } else {
        (
            words.fill("range_start", &[("date", &start)]),
            words.get("range_sep"),
            end,
        )
    }
}

/// `14–16 January 2026`, `du 14 au 16 janvier 2026`.
pub(super) fn long_range(words: &Words, a: NaiveDate, b: NaiveDate) -> String {
    let (x, sep, y) = range_parts(words, a, b);
    format!("{x}{sep}{y}")
}

/// The first and last day of a stop that has whole days.
fn day_span(w: When) -> Option<(NaiveDate, NaiveDate)> {
    match w {
        When::On(PartialDate::Day(d)) => Some((d, d)),
        When::On(_) => None,
        When::Span { start, end } => {
            let a = start.date();
            Some((a, end.map(Moment::date).filter(|&b| b > a).unwrap_or(a)))
        }
    }
}

/// The stop's time of day, where it has one.
fn time_of(words: &Words, s: &Stop) -> String {
    match s.when {
        When::Span {
            start: Moment::DateTime(_),
            ..
        } => dates::stop_when(words, s.when, s.locality()),
        _ => String::new(),
    }
}

/// Stops in date order, grouped by day (see the module's comment).
pub(super) fn days<'a>(
    words: &'a Words,
    stops: impl Iterator<Item = &'a Stop>,
) -> Vec<DayView<'a>> {
    let mut sorted: Vec<&Stop> = stops.collect();
    sorted.sort_by_key(|s| s.when.sort_key());
    let spans: Vec<Option<(NaiveDate, NaiveDate)>> =
        sorted.iter().map(|s| day_span(s.when)).collect();
    let mut listings: Vec<Listing<'a>> = Vec::new();
    for (i, s) in sorted.iter().enumerate() {
        list_stop(words, s, i, &spans, &mut listings);
    }
    listings.sort_by_key(|l| (l.day.sort_key(), l.span_end, l.position));
    let mut days = group_by_day(words, listings);
    for d in &mut days {
        d.say_unknown_times(words);
    }
    days
}

/// One listing of a stop: the day it goes under, the end of its span when it is shown
/// once across its days, its position (stops keep their order within a day).
struct Listing<'a> {
    day: PartialDate,
    span_end: Option<NaiveDate>,
    position: usize,
    view: StopView<'a>,
}

/// The stop's view, with its time of day.
fn timed_view<'a>(words: &Words, s: &'a Stop) -> StopView<'a> {
    let mut v = stop_view(words, s);
    v.when = time_of(words, s);
    v
}

/// Lists the `i`-th stop: once on its day, once under its span of days, or on each of its
/// days when it shares them with other stops (`spans` holds every stop's days).
fn list_stop<'a>(
    words: &Words,
    s: &'a Stop,
    i: usize,
    spans: &[Option<(NaiveDate, NaiveDate)>],
    listings: &mut Vec<Listing<'a>>,
) {
    let once = |day, span_end| Listing {
        day,
        span_end,
        position: i,
        view: timed_view(words, s),
    };
    let Some((a, b)) = spans[i] else {
        listings.push(once(s.when.day(), None));
        return;
    };
    let length = (b - a).num_days() + 1;
    if length == 1 {
        listings.push(once(PartialDate::Day(a), None));
        return;
    }
    let shared = spans
        .iter()
        .enumerate()
        .any(|(j, o)| j != i && o.is_some_and(|(c, d)| c <= b && d >= a));
    if !shared || length > MOST_DAYS_LISTED {
        listings.push(once(PartialDate::Day(a), Some(b)));
        return;
    }
    let range = long_range(words, a, b);
    for (k, day) in a.iter_days().take(length as usize).enumerate() {
        let mut v = timed_view(words, s);
        if k > 0 {
            // Said on its first day; the later days point back to it.
            v.when = String::new();
            v.details = None;
        }
        v.span = Some(words.fill(
            "day_of",
            &[
                ("day", &(k + 1).to_string()),
                ("days", &length.to_string()),
                ("range", &range),
            ],
        ));
        listings.push(Listing {
            day: PartialDate::Day(day),
            span_end: None,
            position: i,
            view: v,
        });
    }
}

/// Sorted listings under their days: a new day (or span of days) at each change.
fn group_by_day<'a>(words: &'a Words, listings: Vec<Listing<'a>>) -> Vec<DayView<'a>> {
    let mut days: Vec<DayView> = Vec::new();
    let mut last: Option<(PartialDate, Option<NaiveDate>)> = None;
    for l in listings {
        if last != Some((l.day, l.span_end)) {
            days.push(DayView::new(words, l.day, l.span_end));
            last = Some((l.day, l.span_end));
        }
        if let Some(d) = days.last_mut() {
            d.stops.push(l.view);
        }
    }
    days
}

impl<'a> DayView<'a> {
    /// A day, or the span of days from `day` to `end`, with no stops yet.
    fn new(words: &'a Words, day: PartialDate, end: Option<NaiveDate>) -> Self {
        let (heading, sep, heading_end, end_iso) = match (day, end) {
            (PartialDate::Day(a), Some(b)) => {
                let (x, sep, y) = range_parts(words, a, b);
                (x, sep, Some(y), Some(dates::iso(b)))
            }
            _ => (dates::day_heading(words, day), "", None, None),
        };
        DayView {
            heading,
            iso: dates::partial_iso(day),
            heading_end,
            end_iso,
            sep,
            note: None,
            partial: matches!(day, PartialDate::Month(..) | PartialDate::Year(_)),
            undated: day == PartialDate::Unknown,
            stops: Vec::new(),
        }
    }

    /// Says a time is to be confirmed: once for the day when none of its stops has one,
    /// else on each stop without one.
    fn say_unknown_times(&mut self, words: &'a Words) {
        if self.undated {
            // Its heading, "Dates to be confirmed", says it.
            return;
        }
        if self.stops.iter().all(|s| s.when.is_empty()) {
            self.note = Some(words.get(if self.partial { "date_tbc" } else { "time_tbc" }));
        } else {
            for s in self.stops.iter_mut().filter(|s| s.when.is_empty()) {
                s.when = words.get("time_tbc").to_string();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn ranges_say_the_month_and_year_once() {
        assert_eq!(
            long_range(&Words::english(), day(2026, 1, 14), day(2026, 1, 16)),
            "14–16 January 2026"
        );
        assert_eq!(
            long_range(&Words::english(), day(2026, 1, 30), day(2026, 2, 2)),
            "30 January – 2 February 2026"
        );
        assert_eq!(
            long_range(&Words::english(), day(2025, 12, 30), day(2026, 1, 2)),
            "30 December 2025 – 2 January 2026"
        );
    }
}
