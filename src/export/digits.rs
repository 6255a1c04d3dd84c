//! Integers, dates and times written straight into a `String`, without `core::fmt`.
//!
//! The text exports write millions of them: through `write!` they took over a third of the
//! instructions of a TSV line (callgrind, 100,000 rows). Integers go through `itoa`; the two-
//! and four-digit parts of dates and times come from a table of the pairs `00` to `99`.
//!
//! Every function here writes the same text as the `write!` it replaces (see the tests); the
//! date functions write only years 0 to 9999 and leave other years to their caller's own
//! spelling.

use chrono::{Datelike as _, NaiveDate, NaiveDateTime, NaiveTime, Timelike as _};

/// `00`, `01`, … `99`, one after another.
const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/// `value` in decimal, as `{value}` writes it.
pub(super) fn push_int(out: &mut String, value: i64) {
    out.push_str(itoa::Buffer::new().format(value));
}

/// The last two decimal digits of `value`, as `{:02}` writes a value below 100.
fn push_2(out: &mut String, value: u32) {
    let at = (value % 100) as usize * 2;
    out.push_str(&PAIRS[at..at + 2]);
}

/// The year as four digits, or `None` (nothing written) outside 0 to 9999.
fn push_year(out: &mut String, date: NaiveDate) -> Option<()> {
    let year = u32::try_from(date.year()).ok().filter(|&y| y <= 9999)?;
    push_2(out, year / 100);
    push_2(out, year);
    Some(())
}

/// `hh:mm`.
pub(super) fn push_hm(out: &mut String, time: NaiveTime) {
    push_2(out, time.hour());
    out.push(':');
    push_2(out, time.minute());
}

/// `:ss`.
pub(super) fn push_colon_seconds(out: &mut String, time: NaiveTime) {
    out.push(':');
    push_2(out, time.second());
}

/// `dd/mm/yyyy`, then ` hh:mm` when the time is not midnight; `None` (nothing written) for a
/// year outside 0 to 9999.
pub(super) fn push_datetime_dmy(out: &mut String, value: NaiveDateTime) -> Option<()> {
    let (date, time) = (value.date(), value.time());
    if !(0..=9999).contains(&date.year()) {
        return None;
    }
    push_2(out, date.day());
    out.push('/');
    push_2(out, date.month());
    out.push('/');
    push_year(out, date)?;
    if time != NaiveTime::MIN {
        out.push(' ');
        push_hm(out, time);
    }
    Some(())
}

/// `yyyy-mm-dd`, then ` hh:mm:ss` when the time is not midnight; `None` (nothing written) for
/// a year outside 0 to 9999.
pub(super) fn push_datetime_ymd(out: &mut String, value: NaiveDateTime) -> Option<()> {
    let (date, time) = (value.date(), value.time());
    push_year(out, date)?;
    out.push('-');
    push_2(out, date.month());
    out.push('-');
    push_2(out, date.day());
    if time != NaiveTime::MIN {
        out.push(' ');
        push_hm(out, time);
        push_colon_seconds(out, time);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use proptest::prelude::*;

    use super::*;

    fn datetime() -> impl Strategy<Value = NaiveDateTime> {
        // Every day chrono can hold, at any second of the day (half of them at midnight).
        let days = NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce();
        (days, prop_oneof![Just(0u32), 0u32..86_400]).prop_map(|(day, second)| {
            let date = NaiveDate::from_num_days_from_ce_opt(day).unwrap_or_default();
            let time = NaiveTime::from_num_seconds_from_midnight_opt(second, 0).unwrap_or_default();
            date.and_time(time)
        })
    }

    #[test]
    fn pairs_hold_every_two_digit_number_in_order() {
        for value in 0..100u32 {
            let mut out = String::new();
            push_2(&mut out, value);
            assert_eq!(out, format!("{value:02}"));
        }
    }

    #[test]
    fn the_edges_of_the_types_are_written_as_format_writes_them() {
        for value in [i64::MIN, i64::MIN + 1, -1, 0, 1, 9, 10, i64::MAX] {
            let mut out = String::from("x");
            push_int(&mut out, value);
            assert_eq!(out, format!("x{value}"));
        }
        for ((y, m, d, h, mi, sec), expected) in [
            (
                (9999, 12, 31, 23, 59, 59),
                "31/12/9999 23:599999-12-31 23:59:59",
            ),
            ((0, 1, 1, 0, 0, 0), "01/01/00000000-01-01"),
        ] {
            let value = NaiveDate::from_ymd_opt(y, m, d)
                .and_then(|date| date.and_hms_opt(h, mi, sec))
                .unwrap_or_default();
            let mut out = String::new();
            assert_eq!(push_datetime_dmy(&mut out, value), Some(()));
            assert_eq!(push_datetime_ymd(&mut out, value), Some(()));
            assert_eq!(out, expected);
        }
    }

    proptest! {
        #[test]
        fn integers_are_written_as_format_writes_them(value in any::<i64>()) {
            let mut out = String::new();
            push_int(&mut out, value);
            prop_assert_eq!(out, value.to_string());
        }

        #[test]
        fn dates_and_times_are_written_as_format_writes_them(value in datetime()) {
            let (date, time) = (value.date(), value.time());
            let in_range = (0..=9999).contains(&date.year());

            let mut dmy = String::new();
            let mut expected = String::new();
            if in_range {
                let _ = write!(expected, "{:02}/{:02}/{:04}", date.day(), date.month(), date.year());
                if time != NaiveTime::MIN {
                    let _ = write!(expected, " {:02}:{:02}", time.hour(), time.minute());
                }
            }
            prop_assert_eq!(push_datetime_dmy(&mut dmy, value).is_some(), in_range);
            prop_assert_eq!(&dmy, &expected);

            let mut ymd = String::new();
            expected.clear();
            if in_range {
                let _ = write!(expected, "{:04}-{:02}-{:02}", date.year(), date.month(), date.day());
                if time != NaiveTime::MIN {
                    let _ = write!(
                        expected,
                        " {:02}:{:02}:{:02}",
                        time.hour(),
                        time.minute(),
                        time.second()
                    );
                }
            }
            prop_assert_eq!(push_datetime_ymd(&mut ymd, value).is_some(), in_range);
            prop_assert_eq!(&ymd, &expected);

            let mut hms = String::new();
            push_hm(&mut hms, time);
            push_colon_seconds(&mut hms, time);
            prop_assert_eq!(hms, format!("{:02}:{:02}:{:02}", time.hour(), time.minute(), time.second()));
        }
    }
}
