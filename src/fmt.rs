//! Brazilian Portuguese formatting for what users see: `dd/mm/aaaa`, `12.345`, `1,2 s`.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike as _};

/// `29/11/2026`.
pub fn date_br(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// `29/11/2026`, or `29/11/2026 14:30` when the value has a time of day.
pub fn datetime_br(value: NaiveDateTime) -> String {
    if value.time() == NaiveTime::MIN {
        date_br(value.date())
    } else {
        value.format("%d/%m/%Y %H:%M").to_string()
    }
}

/// `14:30` (seconds shown only when not zero: `14:30:05`).
pub fn time_br(value: NaiveTime) -> String {
    if value.second() == 0 {
        value.format("%H:%M").to_string()
    } else {
        value.format("%H:%M:%S").to_string()
    }
}

/// An integer with `.` as thousands separator: `1.234.567`.
pub fn thousands(value: impl Into<i128>) -> String {
    let value: i128 = value.into();
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// A count and its noun, singular for exactly one: `1 falha`, `0 falhas`, `2.000 válidos`.
pub fn count_br(count: usize, singular: &str, plural: &str) -> String {
    let noun = if count == 1 { singular } else { plural };
    format!("{} {noun}", thousands(count as u64))
}

/// Seconds with one decimal and a comma: `1,2 s`.
pub fn seconds_br(duration: std::time::Duration) -> String {
    format!("{:.1} s", duration.as_secs_f64()).replace('.', ",")
}

/// A wall time for people, to the second under an hour: `45 s`, `2 min 05 s`, `1 h 02 min`.
pub fn duration_br(duration: std::time::Duration) -> String {
    let secs = duration.as_secs();
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min {:02} s", secs / 60, secs % 60),
        _ => format!("{} h {:02} min", secs / 3600, secs % 3600 / 60),
    }
}

/// A byte count for people: `512 B`, `12,3 KB`, `4,5 MB`, `1,2 GB`.
pub fn bytes_br(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit]).replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_uses_dots() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1.000");
        assert_eq!(thousands(12345), "12.345");
        assert_eq!(thousands(1_234_567), "1.234.567");
        assert_eq!(thousands(-1_234_567), "-1.234.567");
    }

    #[test]
    fn counts_take_the_singular_for_one_only() {
        assert_eq!(count_br(0, "falha", "falhas"), "0 falhas");
        assert_eq!(count_br(1, "falha", "falhas"), "1 falha");
        assert_eq!(count_br(2_000, "válido", "válidos"), "2.000 válidos");
    }

    #[test]
    fn dates_are_day_month_year() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(date_br(d), "05/01/2026");
        assert_eq!(datetime_br(d.and_hms_opt(0, 0, 0).unwrap()), "05/01/2026");
        assert_eq!(
            datetime_br(d.and_hms_opt(14, 3, 0).unwrap()),
            "05/01/2026 14:03"
        );
        assert_eq!(time_br(NaiveTime::from_hms_opt(9, 5, 0).unwrap()), "09:05");
        assert_eq!(seconds_br(std::time::Duration::from_millis(1234)), "1,2 s");
        assert_eq!(bytes_br(1536), "1,5 KB");
    }

    #[test]
    fn durations_in_seconds_minutes_and_hours() {
        use std::time::Duration;
        assert_eq!(duration_br(Duration::from_millis(45_900)), "45 s");
        assert_eq!(duration_br(Duration::from_secs(125)), "2 min 05 s");
        assert_eq!(duration_br(Duration::from_secs(3725)), "1 h 02 min");
    }
}
