//! How dates and times read on the page.

use chrono::{Datelike, NaiveDate};

use crate::content::{Moment, PartialDate, When};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month(d: NaiveDate) -> &'static str {
    MONTHS[d.month0() as usize]
}

// Written out by hand rather than with `format("%-d %B %Y")` or `format!`: every page
// shows several dates, and formatting them showed in profiles.

/// `16 January 2026`
pub fn long(d: NaiveDate) -> String {
    if !(0..=9999).contains(&d.year()) {
        return format!("{} {} {}", d.day(), month(d), d.year());
    }
    let mut out = String::with_capacity(17);
    push_digits(&mut out, d.day(), 1);
    out.push(' ');
    out.push_str(month(d));
    out.push(' ');
    push_digits(&mut out, d.year().unsigned_abs(), 1);
    out
}

/// `16 Jan`
pub fn short(d: NaiveDate) -> String {
    let mut out = String::with_capacity(6);
    push_digits(&mut out, d.day(), 1);
    out.push(' ');
    out.push_str(&month(d)[..3]);
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
pub fn day_heading(p: PartialDate) -> String {
    match p {
        PartialDate::Day(d) => d.format("%A %-d %B %Y").to_string(),
        PartialDate::Month(y, m) => month_year(y, m),
        PartialDate::Year(y) => y.to_string(),
        PartialDate::Unknown => "Dates to be confirmed".to_string(),
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

fn month_year(y: i32, m: u32) -> String {
    NaiveDate::from_ymd_opt(y, m, 1)
        .map_or_else(|| format!("{y}-{m:02}"), |d| d.format("%B %Y").to_string())
}

/// A compact date for the itinerary at a glance: `14 Jan`, `19–23 Jan`, `Jan 2026`, `2026`.
pub fn glance(w: When) -> String {
    match w {
        When::On(PartialDate::Day(d)) => short(d),
        When::On(PartialDate::Month(y, m)) => NaiveDate::from_ymd_opt(y, m, 1)
            .map_or_else(|| format!("{y}-{m:02}"), |d| d.format("%b %Y").to_string()),
        When::On(PartialDate::Year(y)) => y.to_string(),
        When::On(PartialDate::Unknown) => "Dates TBC".to_string(),
        When::Span { start, end } => {
            let a = start.date();
            match end.map(Moment::date) {
                Some(b) if b != a && chrono::Datelike::month(&a) == chrono::Datelike::month(&b) => {
                    format!("{}–{}", a.format("%-d"), short(b))
                }
                Some(b) if b != a => format!("{} – {}", short(a), short(b)),
                _ => short(a),
            }
        }
    }
}

/// When a stop happens within its day, in the stop's own local time.
pub fn stop_when(w: When, city: &str) -> String {
    match w {
        When::On(PartialDate::Day(_)) => "Time to be confirmed".to_string(),
        When::On(_) => "Date to be confirmed".to_string(),
        When::Span {
            start: Moment::Date(a),
            end,
        } => match end.map(Moment::date) {
            Some(b) if b != a => format!("{} to {}", long(a), long(b)),
            _ => "Time to be confirmed".to_string(),
        },
        When::Span {
            start: Moment::DateTime(t),
            end,
        } => {
            let mut s = t.format("%H:%M").to_string();
            match end {
                Some(Moment::DateTime(e)) if e.date_naive() == t.date_naive() => {
                    s.push_str(&e.format("–%H:%M").to_string());
                }
                // Past midnight: the end's time too, on its day.
                Some(Moment::DateTime(e)) => {
                    s.push_str(&format!(
                        " to {} on {}",
                        e.format("%H:%M"),
                        long(e.date_naive())
                    ));
                }
                Some(e) => s.push_str(&format!(" to {}", long(e.date()))),
                None => {}
            }
            format!("{s} {city} time (UTC{})", t.format("%:z"))
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
            let month = MONTHS[m as usize - 1];
            assert_eq!(long(date), format!("{d} {month} {y}"));
            assert_eq!(short(date), format!("{d} {}", &month[..3]));
            assert_eq!(iso(date), format!("{y:04}-{m:02}-{d:02}"));
        }
    }

    #[test]
    fn formats() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 6).unwrap_or_default();
        assert_eq!(long(d), d.format("%-d %B %Y").to_string());
        assert_eq!(short(d), d.format("%-d %b").to_string());
        assert_eq!(iso(d), d.format("%Y-%m-%d").to_string());
        let d = NaiveDate::from_ymd_opt(987, 12, 31).unwrap_or_default();
        assert_eq!(iso(d), "0987-12-31");
        assert_eq!(short(d), "31 Dec");
    }
}
