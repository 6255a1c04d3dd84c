//! The Brazilian calendar a date picker shows: Portuguese month and weekday names, the 6×7
//! grid of a month with weeks starting on Sunday, and the moves of a calendar's cursor (a
//! day, a week, a month, a year) that clamp the day to the target month's length.
//!
//! Pure and total: every function answers `None` instead of panicking at the edges of
//! chrono's range of dates.
//!
//! ```
//! use chrono::NaiveDate;
//! use recuperador_followups::calendar::{self, Step};
//!
//! let day = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
//! // One month later is the last day of February, not an error.
//! assert_eq!(
//!     calendar::step(day, Step::Months(1)),
//!     NaiveDate::from_ymd_opt(2026, 2, 28)
//! );
//! assert_eq!(calendar::month_title(2026, 11).as_deref(), Some("Novembro de 2026"));
//! ```

use chrono::{Datelike as _, Days, Months, NaiveDate, Weekday};

/// Month names in lower case, as Portuguese writes them in a sentence (`janeiro`).
pub const MONTH_NAMES: [&str; 12] = [
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
];

/// Month abbreviations as Brazilian calendars print them (`jan`, `fev`, …).
pub const MONTH_ABBREVIATIONS: [&str; 12] = [
    "jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez",
];

/// The weekday initials of a Brazilian calendar's header, Sunday first.
pub const WEEKDAY_INITIALS: [&str; 7] = ["D", "S", "T", "Q", "Q", "S", "S"];

/// The weekday names, Sunday first (for tooltips and screen readers: the initials repeat).
pub const WEEKDAY_NAMES: [&str; 7] = [
    "domingo",
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
];

/// Weeks in a month grid: enough for any month starting on any weekday.
pub const GRID_WEEKS: usize = 6;

/// The days a month view shows: six weeks from the Sunday on or before the 1st, so the
/// leading and trailing days belong to the neighbouring months.
pub type MonthGrid = [[NaiveDate; 7]; GRID_WEEKS];

/// The month's name in lower case (`novembro`); `None` outside 1–12.
pub fn month_name(month: u32) -> Option<&'static str> {
    MONTH_NAMES
        .get(usize::try_from(month).ok()?.checked_sub(1)?)
        .copied()
}

/// A calendar's title, capitalised as Brazilian calendars print it: `Novembro de 2026`.
/// `None` for a month outside 1–12.
pub fn month_title(year: i32, month: u32) -> Option<String> {
    let name = month_name(month)?;
    let mut chars = name.chars();
    let first = chars.next()?;
    Some(format!(
        "{}{} de {year}",
        first.to_uppercase(),
        chars.as_str()
    ))
}

/// A date written out for people and screen readers: `29 de novembro de 2026`.
pub fn long_date(date: NaiveDate) -> String {
    let month = month_name(date.month()).unwrap_or_default();
    format!("{} de {month} de {}", date.day(), date.year())
}

/// The column of `weekday` in a grid whose weeks start on Sunday (0–6).
pub fn weekday_column(weekday: Weekday) -> usize {
    weekday.num_days_from_sunday() as usize
}

/// The 6×7 grid of `month` of `year`, weeks starting on Sunday. `None` for a month outside
/// 1–12, or when a day of the grid falls outside chrono's range of dates.
pub fn month_grid(year: i32, month: u32) -> Option<MonthGrid> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let lead = u64::from(first.weekday().num_days_from_sunday());
    let start = first.checked_sub_days(Days::new(lead))?;
    let mut grid = [[start; 7]; GRID_WEEKS];
    for (week, days) in grid.iter_mut().enumerate() {
        for (column, day) in days.iter_mut().enumerate() {
            let offset = u64::try_from(week * 7 + column).ok()?;
            *day = start.checked_add_days(Days::new(offset))?;
        }
    }
    Some(grid)
}

/// How many days `month` of `year` has; `None` for a month outside 1–12 or a year outside
/// chrono's range.
pub fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    // The last day of the month is the day before the first of the next one; December of
    // chrono's last year has no next month, and has 31 days like every December.
    match first.checked_add_months(Months::new(1)) {
        Some(next) => Some(next.pred_opt()?.day()),
        None if month == 12 => Some(31),
        None => None,
    }
}

/// A move of a calendar's cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Some days forward (positive) or back (negative): the arrows, a week with up and down.
    Days(i64),
    /// Some months forward or back, the day clamped to the target month's length
    /// (31/01 + 1 month = 28/02 or 29/02): PgUp, PgDn, the ‹ › buttons.
    Months(i32),
    /// Some years forward or back, 29/02 becoming 28/02 in a common year.
    Years(i32),
    /// To the Sunday that starts the week (Home).
    WeekStart,
    /// To the Saturday that ends the week (End).
    WeekEnd,
}

/// Where the cursor lands after the move `by` from `date`; `None` outside chrono's range of dates
/// (the cursor then stays where it was).
pub fn step(date: NaiveDate, by: Step) -> Option<NaiveDate> {
    match by {
        Step::Days(days) if days >= 0 => date.checked_add_days(Days::new(days.unsigned_abs())),
        Step::Days(days) => date.checked_sub_days(Days::new(days.unsigned_abs())),
        Step::Months(months) if months >= 0 => {
            date.checked_add_months(Months::new(months.unsigned_abs()))
        }
        Step::Months(months) => date.checked_sub_months(Months::new(months.unsigned_abs())),
        Step::Years(years) => step(date, Step::Months(years.checked_mul(12)?)),
        Step::WeekStart => {
            let back = u64::from(date.weekday().num_days_from_sunday());
            date.checked_sub_days(Days::new(back))
        }
        Step::WeekEnd => {
            let ahead = 6 - u64::from(date.weekday().num_days_from_sunday());
            date.checked_add_days(Days::new(ahead))
        }
    }
}

/// `date` moved into `month` of `year`, its day clamped to that month's length (picking
/// "fevereiro" while on 31/01 lands on 28/02). `None` for a month outside 1–12 or a year
/// outside chrono's range.
pub fn with_month(date: NaiveDate, year: i32, month: u32) -> Option<NaiveDate> {
    let last = days_in_month(year, month)?;
    NaiveDate::from_ymd_opt(year, month, date.day().min(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn november_2026_starts_on_a_sunday_and_spills_into_december() {
        // 1 November 2026 is a Sunday: no leading days from October.
        let grid = month_grid(2026, 11).unwrap();
        assert_eq!(grid[0][0], ymd(2026, 11, 1));
        assert_eq!(grid[4][1], ymd(2026, 11, 30));
        assert_eq!(grid[5][6], ymd(2026, 12, 12));
    }

    #[test]
    fn a_month_starting_on_saturday_has_six_leading_days() {
        // 1 August 2026 is a Saturday; 31 August is a Monday in the sixth week.
        let grid = month_grid(2026, 8).unwrap();
        assert_eq!(grid[0][0], ymd(2026, 7, 26));
        assert_eq!(grid[0][6], ymd(2026, 8, 1));
        assert_eq!(grid[5][1], ymd(2026, 8, 31));
    }

    #[test]
    fn every_grid_is_42_consecutive_days_starting_on_sunday_holding_its_month() {
        for year in [1900, 1999, 2000, 2024, 2026, 2100] {
            for month in 1..=12 {
                let grid = month_grid(year, month).unwrap();
                let days: Vec<NaiveDate> = grid.iter().flatten().copied().collect();
                assert_eq!(days[0].weekday(), Weekday::Sun, "{month}/{year}");
                for pair in days.windows(2) {
                    assert_eq!(pair[0].succ_opt(), Some(pair[1]));
                }
                let in_month = days
                    .iter()
                    .filter(|d| d.month() == month && d.year() == year)
                    .count();
                assert_eq!(in_month as u32, days_in_month(year, month).unwrap());
            }
        }
    }

    #[test]
    fn months_outside_1_to_12_and_the_edges_of_chronos_range_answer_none() {
        assert_eq!(month_grid(2026, 0), None);
        assert_eq!(month_grid(2026, 13), None);
        assert_eq!(month_title(2026, 0), None);
        assert_eq!(month_title(2026, 13), None);
        assert_eq!(days_in_month(2026, 13), None);
        // The first month chrono knows starts mid-week: its grid would need earlier days.
        let min = NaiveDate::MIN;
        assert_eq!(month_grid(min.year(), min.month()), None);
        // The last month's grid runs past chrono's last day.
        let max = NaiveDate::MAX;
        assert_eq!(month_grid(max.year(), max.month()), None);
        assert_eq!(days_in_month(max.year(), 12), Some(31));
        assert_eq!(step(max, Step::Days(1)), None);
        assert_eq!(step(min, Step::Days(-1)), None);
        assert_eq!(step(max, Step::Months(1)), None);
        assert_eq!(step(min, Step::Years(-1)), None);
        assert_eq!(step(min, Step::Years(i32::MIN)), None);
        assert_eq!(step(max, Step::Days(i64::MAX)), None);
        assert_eq!(step(min, Step::Days(i64::MIN)), None);
    }

    #[test]
    fn month_steps_clamp_the_day_to_the_target_month() {
        assert_eq!(
            step(ymd(2026, 1, 31), Step::Months(1)),
            Some(ymd(2026, 2, 28))
        );
        assert_eq!(
            step(ymd(2024, 1, 31), Step::Months(1)),
            Some(ymd(2024, 2, 29))
        );
        assert_eq!(
            step(ymd(2026, 3, 31), Step::Months(-1)),
            Some(ymd(2026, 2, 28))
        );
        assert_eq!(
            step(ymd(2026, 12, 15), Step::Months(1)),
            Some(ymd(2027, 1, 15))
        );
        assert_eq!(
            step(ymd(2026, 1, 15), Step::Months(-1)),
            Some(ymd(2025, 12, 15))
        );
        assert_eq!(
            step(ymd(2024, 2, 29), Step::Years(1)),
            Some(ymd(2025, 2, 28))
        );
        assert_eq!(
            step(ymd(2024, 2, 29), Step::Years(-4)),
            Some(ymd(2020, 2, 29))
        );
        assert_eq!(
            with_month(ymd(2026, 1, 31), 2026, 2),
            Some(ymd(2026, 2, 28))
        );
        assert_eq!(
            with_month(ymd(2026, 1, 31), 2026, 4),
            Some(ymd(2026, 4, 30))
        );
        assert_eq!(with_month(ymd(2026, 1, 31), 2026, 13), None);
    }

    #[test]
    fn day_steps_cross_months_and_years() {
        assert_eq!(
            step(ymd(2026, 11, 30), Step::Days(1)),
            Some(ymd(2026, 12, 1))
        );
        assert_eq!(
            step(ymd(2026, 1, 1), Step::Days(-1)),
            Some(ymd(2025, 12, 31))
        );
        assert_eq!(
            step(ymd(2026, 11, 29), Step::Days(7)),
            Some(ymd(2026, 12, 6))
        );
        assert_eq!(
            step(ymd(2026, 3, 1), Step::Days(-7)),
            Some(ymd(2026, 2, 22))
        );
    }

    #[test]
    fn home_and_end_go_to_sunday_and_saturday() {
        // 29 November 2026 is a Sunday; 2 December a Wednesday.
        assert_eq!(
            step(ymd(2026, 11, 29), Step::WeekStart),
            Some(ymd(2026, 11, 29))
        );
        assert_eq!(
            step(ymd(2026, 12, 2), Step::WeekStart),
            Some(ymd(2026, 11, 29))
        );
        assert_eq!(
            step(ymd(2026, 12, 2), Step::WeekEnd),
            Some(ymd(2026, 12, 5))
        );
        assert_eq!(
            step(ymd(2026, 12, 5), Step::WeekEnd),
            Some(ymd(2026, 12, 5))
        );
    }

    #[test]
    fn names_are_portuguese() {
        assert_eq!(month_title(2026, 3).as_deref(), Some("Março de 2026"));
        assert_eq!(month_title(-5, 1).as_deref(), Some("Janeiro de -5"));
        assert_eq!(long_date(ymd(2026, 11, 29)), "29 de novembro de 2026");
        assert_eq!(WEEKDAY_INITIALS.concat(), "DSTQQSS");
        assert_eq!(weekday_column(Weekday::Sun), 0);
        assert_eq!(weekday_column(Weekday::Sat), 6);
        assert_eq!(WEEKDAY_NAMES[weekday_column(Weekday::Wed)], "quarta-feira");
    }

    proptest::proptest! {
        /// Any year chrono knows, any month number and any move: no panic, and a move by
        /// months lands in the target month with the day clamped, never past its end.
        #[test]
        fn hostile_years_months_and_moves_never_panic(
            days in -96_000_000i32..96_000_000,
            month in 0u32..=14,
            year in proptest::num::i32::ANY,
            months in proptest::num::i32::ANY,
            far in proptest::num::i64::ANY,
        ) {
            let Some(date) = NaiveDate::from_num_days_from_ce_opt(days) else {
                return Ok(());
            };
            let _ = month_grid(year, month);
            let _ = month_title(year, month);
            let _ = days_in_month(year, month);
            let _ = with_month(date, year, month);
            let _ = step(date, Step::Days(far));
            let _ = step(date, Step::Years(months));
            if let Some(moved) = step(date, Step::Months(months)) {
                let target = i64::from(date.year()) * 12 + i64::from(date.month0()) + i64::from(months);
                proptest::prop_assert_eq!(i64::from(moved.year()) * 12 + i64::from(moved.month0()), target);
                proptest::prop_assert!(moved.day() <= date.day());
                let last = days_in_month(moved.year(), moved.month()).unwrap();
                proptest::prop_assert_eq!(moved.day(), date.day().min(last));
            }
            if let Some(grid) = month_grid(date.year(), date.month()) {
                proptest::prop_assert!(grid.iter().flatten().any(|d| *d == date));
            }
        }
    }
}
