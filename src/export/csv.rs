//! CSV export, in the dialect Excel pt-BR opens with a double click (or a plain one for tools).
//!
//! [`CsvSeparator::Semicolon`] (the default) writes UTF-8 with a BOM (without it Excel reads
//! the file as Windows-1252 and breaks accents), `;` between fields, CRLF line ends, RFC 4180
//! quoting (a field with `;`, `"`, CR or LF is quoted and its quotes doubled; line breaks inside
//! the interaction text are kept as they are), dates `29/11/2026` or `29/11/2026 14:30` and
//! times `14:30` (`14:30:05` when seconds are not zero), which Excel pt-BR turns into real
//! dates and times.
//!
//! [`CsvSeparator::Comma`] writes plain UTF-8 without BOM, `,` between fields, CRLF, and ISO
//! dates and times (`2026-11-29`, `2026-11-29 14:30:00`, `14:30:00`), which every tool parses
//! without locale settings.
//!
//! Both write a header row with the Portuguese column labels, ids as plain digits, the CPF/CNPJ
//! with its mask, codes as labels (or letters), and formula-like text prefixed with `'`.
//! Text is never cut: the 32,767-character cell limit is Excel's, and a CSV file is also read
//! by tools without it.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use chrono::{Datelike as _, NaiveDateTime, NaiveTime, Timelike as _};

use super::columns::{Cell, CellMapper, CsvSeparator, ExportOptions};
use super::{ExportError, ExportProgress};
use crate::api::{Column, Followup};
use crate::doc_id::CpfCnpj;

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `rows` as CSV to `out`; returns how many rows were written.
///
/// Checks `progress` for cancellation every
/// [`PROGRESS_EVERY_ROWS`](super::PROGRESS_EVERY_ROWS) rows and updates its count.
pub fn write_csv<'a>(
    out: &mut dyn Write,
    rows: impl Iterator<Item = &'a Followup>,
    options: &ExportOptions,
    progress: &ExportProgress,
    path: &Path,
) -> Result<usize, ExportError> {
    let excel = options.csv_separator == CsvSeparator::Semicolon;
    let mut writer = csv_writer(out, options.csv_separator, path)?;
    let csv_error = |e| ExportError::from_csv(path, e);

    writer
        .write_record(options.columns.iter().map(|column| column.label()))
        .map_err(csv_error)?;

    let mut mapper = CellMapper::new(options.raw_codes);
    let mut scratch = String::with_capacity(64);
    let mut written = 0;
    for row in rows {
        progress.checkpoint(written)?;
        for &column in &options.columns {
            scratch.clear();
            let field: &str = match mapper.cell(row, column) {
                Cell::Empty => "",
                Cell::Int(value) => {
                    let _ = write!(scratch, "{value}");
                    &scratch
                }
                Cell::Text(text) => {
                    if excel && column == Column::CpfCnpj && excel_would_convert(&text) {
                        // Excel would read an unmasked document as a number (losing leading
                        // zeros) or a date: a text formula keeps it exactly as received.
                        let _ = write!(scratch, "=\"{text}\"");
                        &scratch
                    } else {
                        writer.write_field(text.as_bytes()).map_err(csv_error)?;
                        continue;
                    }
                }
                Cell::DateTime(value) => {
                    write_datetime(&mut scratch, value, excel);
                    &scratch
                }
                Cell::Time(value) => {
                    write_time(&mut scratch, value, excel);
                    &scratch
                }
            };
            writer.write_field(field.as_bytes()).map_err(csv_error)?;
        }
        writer.write_record(None::<&[u8]>).map_err(csv_error)?;
        written += 1;
    }
    writer.flush().map_err(|e| ExportError::from_io(path, e))?;
    progress.set_rows_written(written);
    Ok(written)
}

/// Starts a CSV file on `out` in `separator`'s dialect (see the module documentation): the BOM
/// first for [`CsvSeparator::Semicolon`], then a writer with that separator, CRLF line ends
/// and RFC 4180 quoting only where needed. Every CSV file this crate writes starts here.
pub fn csv_writer<W: Write>(
    mut out: W,
    separator: CsvSeparator,
    path: &Path,
) -> Result<::csv::Writer<W>, ExportError> {
    if separator == CsvSeparator::Semicolon {
        out.write_all(BOM)
            .map_err(|e| ExportError::from_io(path, e))?;
    }
    Ok(::csv::WriterBuilder::new()
        .delimiter(separator.byte())
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .buffer_capacity(64 * 1024)
        .from_writer(out))
}

/// Whether Excel pt-BR would turn a document that has no mask into a number or a date: it has
/// only digits and `.,/-` or spaces, and is not a CPF/CNPJ (those were already masked, and a
/// mask like `529.982.247-25` or `11.222.333/0001-81` stays text).
pub(super) fn excel_would_convert(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'/' | b'-' | b' '))
        && CpfCnpj::parse(text).is_err()
}

/// `29/11/2026` / `29/11/2026 14:30` (Excel dialect) or `2026-11-29` / `2026-11-29 14:30:00`.
pub(super) fn write_datetime(out: &mut String, value: NaiveDateTime, excel: bool) {
    let (date, time) = (value.date(), value.time());
    let has_time = time != NaiveTime::MIN;
    if excel {
        let _ = write!(
            out,
            "{:02}/{:02}/{:04}",
            date.day(),
            date.month(),
            date.year()
        );
        if has_time {
            let _ = write!(out, " {:02}:{:02}", time.hour(), time.minute());
        }
    } else {
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}",
            date.year(),
            date.month(),
            date.day()
        );
        if has_time {
            let _ = write!(
                out,
                " {:02}:{:02}:{:02}",
                time.hour(),
                time.minute(),
                time.second()
            );
        }
    }
}

/// `14:30` (`14:30:05` with seconds) in the Excel dialect, `14:30:00` otherwise.
pub(super) fn write_time(out: &mut String, value: NaiveTime, excel: bool) {
    let _ = write!(out, "{:02}:{:02}", value.hour(), value.minute());
    if !excel || value.second() != 0 {
        let _ = write!(out, ":{:02}", value.second());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn dates_follow_the_dialect() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let cases = [
            (day.and_hms_opt(0, 0, 0).unwrap(), true, "05/01/2026"),
            (day.and_hms_opt(14, 3, 9).unwrap(), true, "05/01/2026 14:03"),
            (day.and_hms_opt(0, 0, 0).unwrap(), false, "2026-01-05"),
            (
                day.and_hms_opt(14, 3, 9).unwrap(),
                false,
                "2026-01-05 14:03:09",
            ),
        ];
        for (value, excel, expected) in cases {
            let mut out = String::new();
            write_datetime(&mut out, value, excel);
            assert_eq!(out, expected);
        }
        let mut out = String::new();
        write_time(&mut out, NaiveTime::from_hms_opt(9, 5, 0).unwrap(), true);
        assert_eq!(out, "09:05");
        out.clear();
        write_time(&mut out, NaiveTime::from_hms_opt(9, 5, 0).unwrap(), false);
        assert_eq!(out, "09:05:00");
    }

    #[test]
    fn only_unmasked_number_like_documents_are_guarded() {
        assert!(excel_would_convert("0123456789"));
        assert!(excel_would_convert("01/02/2023"));
        assert!(excel_would_convert("123.456"));
        assert!(!excel_would_convert("529.982.247-25"));
        assert!(!excel_would_convert("11.222.333/0001-81"));
        assert!(!excel_would_convert("12.ABC.345/01DE-35"));
        assert!(!excel_would_convert("sem documento"));
        assert!(!excel_would_convert(""));
    }
}
