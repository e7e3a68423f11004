//! How dates and times read on the page.

use chrono::{Datelike, NaiveDate};

use crate::content::{Moment, PartialDate, When};

use crate::strings::Words;

fn month(words: &Words, d: NaiveDate) -> &str {
    words
        .months
        .get(d.month0() as usize)
        .map_or("", String::as_str)
}

/// The day of the month as written: `1er` in French.
fn day_of_month(words: &Words, d: NaiveDate) -> String {
    if d.day() == 1 {
        words.get("first_of_month").to_string()
    } else {
        d.day().to_string()
    }
}

// Written out by hand rather than with `format("%-d %B %Y")` or `format!`: every page
// shows several dates, and formatting them showed in profiles.

/// `16 January 2026`, `1er mai 2030`
pub fn long(words: &Words, d: NaiveDate) -> String {
    if !(0..=9999).contains(&d.year()) || !words.plain_dates {
        return format!(
            "{} {} {}",
            day_of_month(words, d),
            month(words, d),
            d.year()
        );
    }
    let mut out = String::with_capacity(17);
    push_digits(&mut out, d.day(), 1);
    out.push(' ');
    out.push_str(month(words, d));
    out.push(' ');
    push_digits(&mut out, d.year().unsigned_abs(), 1);
    out
}

/// `16 Jan`, `16 janv.`
pub fn short(words: &Words, d: NaiveDate) -> String {
    let name = words
        .months_short
        .get(d.month0() as usize)
        .map_or("", String::as_str);
    let mut out = String::with_capacity(6);
    if d.day() == 1 {
        out.push_str(words.get("first_of_month"));
    } else {
        push_digits(&mut out, d.day(), 1);
    }
    out.push(' ');
    out.push_str(name);
    out
}

/// `2026-01-16`
pub fn iso(d: NaiveDate) -> String {
    if !(0..=9999).contains(&d.year()) {
        return format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
    }
    let mut out = String::with_capacity(10);
    push_digits(&mut out, d.year().unsigned_abs(), 4);
    out.push('-');
    push_digits(&mut out, d.month(), 2);
    out.push('-');
    push_digits(&mut out, d.day(), 2);
    out
}

/// `n` in decimal, zero-padded to at least `width` digits (at most 10).
fn push_digits(out: &mut String, n: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    at = at.min(digits.len() - width.min(digits.len()));
    for &b in &digits[at..] {
        out.push(char::from(b));
    }
}

/// A day heading of the itinerary: `Wednesday 14 January 2026`, `January 2026`, `2026`,
/// `Dates to be confirmed`.
pub fn day_heading(words: &Words, p: PartialDate) -> String {
    match p {
        PartialDate::Day(d) => {
            let weekday = words
                .weekdays
                .get(d.weekday().num_days_from_monday() as usize)
                .map_or("", String::as_str);
            words.fill(
                "day_heading",
                &[
                    ("weekday", weekday),
                    ("day", &day_of_month(words, d)),
                    ("month", month(words, d)),
                    ("year", &d.year().to_string()),
                ],
            )
        }
        PartialDate::Month(y, m) => month_year(words, y, m),
        PartialDate::Year(y) => y.to_string(),
        PartialDate::Unknown => words.get("dates_tbc").to_string(),
    }
}

/// The `datetime` attribute of a partial date: `2026-01-14`, `2026-01`, `2026`; empty for
/// an unknown one, which has none (templates then write no `<time>`).
pub fn partial_iso(p: PartialDate) -> String {
    match p {
        PartialDate::Day(d) => iso(d),
        PartialDate::Month(y, m) => format!("{y:04}-{m:02}"),
        PartialDate::Year(y) => format!("{y:04}"),
        PartialDate::Unknown => String::new(),
    }
}

fn month_year(words: &Words, y: i32, m: u32) -> String {
    match words.months.get(m.wrapping_sub(1) as usize) {
        Some(name) => format!("{name} {y}"),
        None => format!("{y}-{m:02}"),
    }
}

/// A compact date for the itinerary at a glance: `14 Jan`, `19–23 Jan`, `Jan 2026`, `2026`.
pub fn glance(words: &Words, w: When) -> String {
    match w {
        When::On(PartialDate::Day(d)) => short(words, d),
        When::On(PartialDate::Month(y, m)) => {
            match words.months_short.get(m.wrapping_sub(1) as usize) {
                Some(name) => format!("{name} {y}"),
                None => format!("{y}-{m:02}"),
            }
        }
        When::On(PartialDate::Year(y)) => y.to_string(),
        When::On(PartialDate::Unknown) => words.get("dates_tbc_short").to_string(),
        When::Span { start, end } => {
            let a = start.date();
            match end.map(Moment::date) {
                Some(b) if b != a && a.month() == b.month() => {
                    format!("{}–{}", day_of_month(words, a), short(words, b))
                }
                Some(b) if b != a => format!("{} – {}", short(words, a), short(words, b)),
                _ => short(words, a),
            }
        }
    }
}

/// A time of day as the language writes it: `09:30`, `9 h 30`, `14 h`.
pub fn time_of_day(words: &Words, t: impl chrono::Timelike) -> String {
    let (hour, minute) = (t.hour(), t.minute());
    let key = if minute == 0 {
        "time_on_the_hour"
    } else {
        "time"
    };
    words.fill(
        key,
        &[
            ("hour", &hour.to_string()),
            ("hour2", &format!("{hour:02}")),
            ("minute", &format!("{minute:02}")),
        ],
    )
}

/// When a stop happens within its day, in the stop's own local time.
pub fn stop_when(words: &Words, w: When, city: &str) -> String {
    match w {
        When::On(PartialDate::Day(_)) => words.get("time_tbc").to_string(),
        When::On(_) => words.get("date_tbc").to_string(),
        When::Span {
            start: Moment::Date(a),
            end,
        } => match end.map(Moment::date) {
            Some(b) if b != a => words.fill(
                "dates_to",
                &[("start", &long(words, a)), ("end", &long(words, b))],
            ),
            _ => words.get("time_tbc").to_string(),
        },
        When::Span {
            start: Moment::DateTime(t),
            end,
        } => {
            let start = time_of_day(words, t);
            let time = match end {
                Some(Moment::DateTime(e)) if e.date_naive() == t.date_naive() => words.fill(
                    "time_range",
                    &[("start", &start), ("end", &time_of_day(words, e))],
                ),
                // Past midnight: the end's time too, on its day.
                Some(Moment::DateTime(e)) => words.fill(
                    "time_to_day",
                    &[
                        ("start", &start),
                        ("end", &time_of_day(words, e)),
                        ("date", &long(words, e.date_naive())),
                    ],
                ),
                Some(e) => words.fill(
                    "time_to_date",
                    &[("start", &start), ("date", &long(words, e.date()))],
                ),
                None => start,
            };
            words.fill(
                "local_time",
                &[
                    ("time", &time),
                    ("city", city),
                    ("offset", &t.format("%:z").to_string()),
                ],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_written_by_hand_read_as_format_writes_them() {
        for (y, m, d) in [
            (2026, 1, 16),
            (2025, 12, 1),
            (999, 7, 9),
            (5, 3, 30),
            (-44, 3, 15),
            (12345, 10, 2),
            (0, 1, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("a real date");
            let month = date.format("%B").to_string();
            let en = Words::english();
            assert_eq!(long(&en, date), format!("{d} {month} {y}"));
            assert_eq!(short(&en, date), format!("{d} {}", &month[..3]));
            assert_eq!(iso(date), format!("{y:04}-{m:02}-{d:02}"));
        }
    }

    #[test]
    fn formats() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 6).unwrap_or_default();
        let en = Words::english();
        assert_eq!(long(&en, d), d.format("%-d %B %Y").to_string());
        assert_eq!(short(&en, d), d.format("%-d %b").to_string());
        assert_eq!(iso(d), d.format("%Y-%m-%d").to_string());
        let d = NaiveDate::from_ymd_opt(987, 12, 31).unwrap_or_default();
        assert_eq!(iso(d), "0987-12-31");
        assert_eq!(short(&en, d), "31 Dec");
    }

    #[test]
    fn french_dates_and_times() {
        let fr = Words::new("fr-CA", &Default::default()).unwrap_or_else(|_| Words::english());
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(long(&fr, day(2026, 1, 14)), "14 janvier 2026");
        assert_eq!(long(&fr, day(2030, 5, 1)), "1er mai 2030");
        assert_eq!(
            day_heading(&fr, PartialDate::Day(day(2026, 1, 14))),
            "mercredi 14 janvier 2026"
        );
        let at = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        assert_eq!(time_of_day(&fr, at(9, 30)), "9 h 30");
        assert_eq!(time_of_day(&fr, at(14, 0)), "14 h");
        assert_eq!(time_of_day(&Words::english(), at(9, 30)), "09:30");
    }
}
