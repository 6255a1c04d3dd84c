//! XLSX export with `rust_xlsxwriter`, in constant-memory mode.
//!
//! Each sheet has one header row with the Portuguese column labels, bold and frozen, and an
//! autofilter over the data. Cells are typed:
//! - ids are numbers (ids beyond Excel's 15 significant digits are written as text);
//! - `data` and `data_reagendamento` are real dates shown `dd/mm/aaaa`, or `dd/mm/aaaa hh:mm`
//!   when the value has a time of day; `horario_reagendamento` is a time shown `hh:mm`;
//! - the CPF/CNPJ is text with its mask (and the text format `@`), never a number;
//! - codes are Portuguese labels (or the raw letters); other text as is, formula-like text
//!   prefixed with `'`.
//!
//! Excel's limits are handled, not crashed into: a cell holds at most 32,767 UTF-16 units (the
//! rule `rust_xlsxwriter` enforces), so longer text is cut with a visible marker and counted;
//! a sheet holds 1,048,576 rows including the header, so rows continue on
//! "Follow-ups (2)", "Follow-ups (3)"…, each with its own header, freeze and autofilter.
//!
//! Rows go to temporary files as they are written (constant memory: the memory used does not
//! grow with the row count) and the workbook is zipped into `out` at the end.
//!
//! With [`ExportOptions::summary`], the rows are also summarized as they are written and one
//! sheet per dimension ("Resumo por consultor"…, see [`super::summary`]) follows the data.

use std::borrow::Cow;
use std::error::Error as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike as _};
use rust_xlsxwriter::{DocProperties, Format, Workbook, Worksheet, XlsxError};

use super::columns::{Cell, CellMapper, ExportOptions};
use super::{ExportError, ExportProgress};
use crate::analysis::summary::SummaryBuilder;
use crate::api::{Column, ColumnKind, Followup};
use crate::fmt::{datetime_br, thousands};

/// The most UTF-16 units Excel keeps in one cell.
pub const EXCEL_MAX_CELL_UNITS: usize = 32_767;

/// The most rows of an Excel sheet, header included.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// The document title in the workbook properties.
pub const WORKBOOK_TITLE: &str = "Follow-ups — Recuperador CRM";

/// The name of the first sheet; the next ones are "Follow-ups (2)", "Follow-ups (3)"…
pub const SHEET_NAME: &str = "Follow-ups";

/// Integers beyond this many digits lose precision in Excel (15 significant digits).
const EXCEL_MAX_EXACT_INT: u64 = 999_999_999_999_999;

/// What an XLSX export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XlsxStats {
    /// Data rows written (header rows not counted).
    pub rows: usize,
    /// Worksheets in the workbook.
    pub sheets: usize,
    /// Of those, the summary sheets after the data (see `ExportOptions::summary`).
    pub summary_sheets: usize,
    /// Cells whose text was cut to fit Excel's limit.
    pub truncated_cells: usize,
}

/// Writes `rows` as an XLSX workbook to `out`.
///
/// `temp_folder` holds the constant-memory temporary files (they are anonymous and vanish
/// when closed); it must exist. `progress` is updated and checked for cancellation every
/// [`PROGRESS_EVERY_ROWS`](super::PROGRESS_EVERY_ROWS) rows.
pub fn write_xlsx<'a>(
    out: &mut (dyn Write + Send),
    rows: impl Iterator<Item = &'a Followup>,
    options: &ExportOptions,
    progress: &ExportProgress,
    path: &Path,
    temp_folder: &Path,
) -> Result<XlsxStats, ExportError> {
    write_xlsx_with_row_limit(
        out,
        rows,
        options,
        progress,
        path,
        temp_folder,
        EXCEL_MAX_ROWS,
    )
}

/// [`write_xlsx`] with a smaller sheet size (header included), to test sheet splitting cheaply.
#[doc(hidden)]
pub fn write_xlsx_with_row_limit<'a>(
    out: &mut (dyn Write + Send),
    rows: impl Iterator<Item = &'a Followup>,
    options: &ExportOptions,
    progress: &ExportProgress,
    path: &Path,
    temp_folder: &Path,
    rows_per_sheet: u32,
) -> Result<XlsxStats, ExportError> {
    let rows_per_sheet = rows_per_sheet.clamp(2, EXCEL_MAX_ROWS);
    let xlsx = |e: XlsxError| xlsx_error(path, e);
    let Ok(last_col) = u16::try_from(options.columns.len().saturating_sub(1)) else {
        return Err(ExportError::Xlsx {
            path: path.to_path_buf(),
            source: XlsxError::ParameterError("too many columns".into()),
        });
    };

    let mut workbook = Workbook::new();
    workbook.set_tempdir(temp_folder).map_err(xlsx)?;
    // Level 3 is what Excel itself uses: about 30 % faster than the default 6 for a file ~5 %
    // larger.
    workbook.set_zip_compression_level(3);
    // Nothing personal: no author, company or user name; the app goes in the comment (the
    // "Application" field is fixed by rust_xlsxwriter).
    workbook.set_properties(
        &DocProperties::new()
            .set_title(WORKBOOK_TITLE)
            .set_comment(concat!(
                "Exportado pelo Recuperador Follow-ups ",
                env!("CARGO_PKG_VERSION")
            )),
    );

    let formats = Formats::new();
    let mut mapper = CellMapper::new(options.raw_codes);
    let mut stats = XlsxStats::default();
    let mut rows = rows.peekable();
    // The summary sheets asked for count the rows as they are written.
    let mut summaries: Vec<SummaryBuilder<'a>> = options
        .summary
        .iter()
        .map(|&dimension| SummaryBuilder::new(dimension))
        .collect();
    loop {
        let sheet_number = stats.sheets + 1;
        let worksheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx)?;
        stats.sheets = sheet_number;
        let name = if sheet_number == 1 {
            SHEET_NAME.to_owned()
        } else {
            format!("{SHEET_NAME} ({sheet_number})")
        };
        worksheet.set_name(name).map_err(xlsx)?;
        start_sheet(worksheet, options, &formats).map_err(xlsx)?;

        let mut sheet_row: u32 = 1;
        while sheet_row < rows_per_sheet {
            let Some(row) = rows.next() else { break };
            progress.checkpoint(stats.rows)?;
            for summary in &mut summaries {
                summary.add(row);
            }
            for (col, &column) in (0u16..).zip(&options.columns) {
                write_cell(
                    worksheet,
                    sheet_row,
                    col,
                    column,
                    mapper.cell(row, column),
                    &formats,
                    &mut stats.truncated_cells,
                )
                .map_err(xlsx)?;
            }
            sheet_row += 1;
            stats.rows += 1;
        }
        worksheet
            .autofilter(0, 0, sheet_row - 1, last_col)
            .map_err(xlsx)?;
        if rows.peek().is_none() {
            break;
        }
    }
    progress.set_rows_written(stats.rows);
    if progress.is_cancelled() {
        return Err(ExportError::Cancelled);
    }
    if !summaries.is_empty() {
        let summaries: Vec<_> = summaries.into_iter().map(SummaryBuilder::finish).collect();
        super::summary::add_summary_sheets(&mut workbook, &summaries).map_err(xlsx)?;
        stats.sheets += summaries.len();
        stats.summary_sheets = summaries.len();
    }
    // The workbook is compressed into `out` now: several seconds for a million rows. `out`
    // refuses writes once the export is cancelled, which stops this step too.
    progress.set_finishing();
    workbook.save_to_writer(out).map_err(xlsx)?;
    Ok(stats)
}

/// The cell formats of a workbook.
pub(super) struct Formats {
    pub(super) header: Format,
    pub(super) text: Format,
    pub(super) date: Format,
    pub(super) datetime: Format,
    pub(super) time: Format,
}

impl Formats {
    pub(super) fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            text: Format::new().set_num_format("@"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            datetime: Format::new().set_num_format("dd/mm/yyyy hh:mm"),
            time: Format::new().set_num_format("hh:mm"),
        }
    }
}

/// Header row, widths and frozen header of a new sheet.
fn start_sheet(
    worksheet: &mut Worksheet,
    options: &ExportOptions,
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (col, &column) in (0u16..).zip(&options.columns) {
        worksheet.set_column_width(col, column_width(column, options.raw_codes))?;
        worksheet.write_string_with_format(0, col, column.label(), &formats.header)?;
    }
    worksheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A readable width (in characters) for a column: room for the header and its filter button,
/// and for typical content.
pub(super) fn column_width(column: Column, raw_codes: bool) -> f64 {
    let content: usize = match column {
        Column::Interacao => 80,
        Column::NomeCredor | Column::NomeCliente | Column::NomeConsultor | Column::NomeEvento => 30,
        Column::CpfCnpj => 20,
        Column::ReagendadoPor => 16,
        Column::TipoContato if !raw_codes => 22,
        Column::ReagendarPara if !raw_codes => 20,
        _ => match column.kind() {
            ColumnKind::Int => 11,
            ColumnKind::Code if raw_codes => 4,
            ColumnKind::Code => 12,
            ColumnKind::DateTime => 16,
            ColumnKind::Time | ColumnKind::Text => 10,
        },
    };
    // Bold header text plus the autofilter arrow.
    let header = column.label().chars().count() + 4;
    content.max(header) as f64
}

/// Writes one data cell.
pub(super) fn write_cell(
    worksheet: &mut Worksheet,
    row: u32,
    col: u16,
    column: Column,
    cell: Cell<'_>,
    formats: &Formats,
    truncated_cells: &mut usize,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Int(value) if value.unsigned_abs() <= EXCEL_MAX_EXACT_INT => {
            // Exact: every integer up to 15 digits is an exact f64.
            #[allow(clippy::cast_precision_loss)]
            worksheet.write_number(row, col, value as f64)?;
        }
        Cell::Int(value) => {
            worksheet.write_string_with_format(row, col, value.to_string(), &formats.text)?;
        }
        Cell::Text(text) => {
            let text = match fit_excel_cell(&text) {
                Some(cut) => {
                    *truncated_cells += 1;
                    Cow::Owned(cut)
                }
                None => text,
            };
            if column == Column::CpfCnpj {
                worksheet.write_string_with_format(row, col, text, &formats.text)?;
            } else {
                worksheet.write_string(row, col, text)?;
            }
        }
        Cell::DateTime(value) => match excel_serial(value) {
            Some(serial) => {
                let format = if value.time() == NaiveTime::MIN {
                    &formats.date
                } else {
                    &formats.datetime
                };
                worksheet.write_number_with_format(row, col, serial, format)?;
            }
            // Excel has no dates before 1900 (nor after 9999): keep the value as text.
            None => {
                worksheet.write_string(row, col, datetime_br(value))?;
            }
        },
        Cell::Time(value) => {
            let serial = f64::from(value.num_seconds_from_midnight()) / 86_400.0;
            worksheet.write_number_with_format(row, col, serial, &formats.time)?;
        }
    }
    Ok(())
}

/// Excel's serial number for a date and time (days since 1899-12-30 plus the fraction of the
/// day), for the dates Excel shows correctly: 1900-03-01 to 9999-12-31.
pub fn excel_serial(value: NaiveDateTime) -> Option<f64> {
    let first = NaiveDate::from_ymd_opt(1900, 3, 1)?;
    let last = NaiveDate::from_ymd_opt(9999, 12, 31)?;
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let date = value.date();
    if date < first || date > last {
        return None;
    }
    let days = (date - epoch).num_days();
    let seconds = f64::from(value.time().num_seconds_from_midnight());
    #[allow(clippy::cast_precision_loss)]
    Some(days as f64 + seconds / 86_400.0)
}

/// Cuts text that exceeds Excel's cell limit, ending it with a visible marker
/// (`… [texto cortado: 7.233 caracteres]`, the count of characters removed); `None` when the
/// text fits. The result is at most [`EXCEL_MAX_CELL_UNITS`] UTF-16 units, the unit Excel
/// and `rust_xlsxwriter` count in (an emoji counts two), and is never cut inside a character.
pub fn fit_excel_cell(text: &str) -> Option<String> {
    // Every UTF-16 unit takes at least one UTF-8 byte, so short byte strings always fit.
    if text.len() <= EXCEL_MAX_CELL_UNITS || text.encode_utf16().count() <= EXCEL_MAX_CELL_UNITS {
        return None;
    }
    let marker = |removed: usize| {
        format!(
            "… [texto cortado: {} caracteres]",
            thousands(removed as u64)
        )
    };
    let total_chars = text.chars().count();
    // The marker for the largest possible count is at least as long as the real one.
    let budget = EXCEL_MAX_CELL_UNITS - marker(total_chars).encode_utf16().count();
    let (mut units, mut end, mut kept) = (0, 0, 0);
    for (index, ch) in text.char_indices() {
        if units + ch.len_utf16() > budget {
            break;
        }
        units += ch.len_utf16();
        end = index + ch.len_utf8();
        kept += 1;
    }
    Some(format!("{}{}", &text[..end], marker(total_chars - kept)))
}

/// Maps a `rust_xlsxwriter` error to the most helpful export error.
pub(super) fn xlsx_error(path: &Path, error: XlsxError) -> ExportError {
    match error {
        XlsxError::IoError(io) => ExportError::from_io(path, io),
        XlsxError::TempFileError(folder, io) => ExportError::from_io(&folder, io),
        other => match find_io_error(&other) {
            Some(io) => ExportError::from_io(path, io),
            None => ExportError::Xlsx {
                path: path.to_path_buf(),
                source: other,
            },
        },
    }
}

/// An I/O error in an error's chain (zip errors wrap the writer's), rebuilt so it can be owned.
fn find_io_error(error: &XlsxError) -> Option<io::Error> {
    let mut source = error.source();
    while let Some(current) = source {
        if let Some(io) = current.downcast_ref::<io::Error>() {
            return Some(match io.raw_os_error() {
                Some(code) => io::Error::from_raw_os_error(code),
                None => io::Error::new(io.kind(), io.to_string()),
            });
        }
        source = current.source();
    }
    None
}

/// The folder for constant-memory temporary files: the system's temporary folder when it
/// exists, else the destination folder (which the export checked).
pub fn temp_folder_for(destination_folder: &Path) -> PathBuf {
    let system = std::env::temp_dir();
    if system.is_dir() {
        system
    } else {
        destination_folder.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_not_cut() {
        assert_eq!(fit_excel_cell("Olá"), None);
        assert_eq!(fit_excel_cell(&"a".repeat(EXCEL_MAX_CELL_UNITS)), None);
        // 3-byte characters: more bytes than the limit, but within it in UTF-16 units.
        assert_eq!(fit_excel_cell(&"€".repeat(EXCEL_MAX_CELL_UNITS)), None);
    }

    #[test]
    fn long_text_is_cut_with_a_marker_in_utf16_units() {
        let text = "a".repeat(40_000);
        let cut = fit_excel_cell(&text).unwrap();
        let units = cut.encode_utf16().count();
        // At most one unit of slack: the count may have fewer digits than the worst case.
        assert!((EXCEL_MAX_CELL_UNITS - 2..=EXCEL_MAX_CELL_UNITS).contains(&units));
        let kept = cut.find('…').unwrap();
        let removed = 40_000 - kept;
        assert!(cut.ends_with(&format!(
            "… [texto cortado: {} caracteres]",
            thousands(removed as u64)
        )));

        // Emoji are two units each: the cut never splits one.
        let text = "😀".repeat(20_000);
        let cut = fit_excel_cell(&text).unwrap();
        assert!(cut.encode_utf16().count() <= EXCEL_MAX_CELL_UNITS);
        assert!(cut.starts_with("😀😀"));
        assert!(cut.contains("caracteres]"));
        let one_more = "a".repeat(EXCEL_MAX_CELL_UNITS + 1);
        assert!(fit_excel_cell(&one_more).is_some());
    }

    #[test]
    fn serials_match_excel() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            excel_serial(day(1900, 3, 1).and_hms_opt(0, 0, 0).unwrap()),
            Some(61.0)
        );
        assert_eq!(
            excel_serial(day(2026, 11, 29).and_hms_opt(12, 0, 0).unwrap()),
            Some(46_355.5)
        );
        assert_eq!(
            excel_serial(day(1899, 1, 1).and_hms_opt(0, 0, 0).unwrap()),
            None
        );
    }

    #[test]
    fn widths_fit_headers() {
        for column in Column::ALL {
            for raw in [false, true] {
                assert!(column_width(column, raw) >= column.label().chars().count() as f64);
            }
        }
        assert!(column_width(Column::Interacao, false) >= 60.0);
    }
}
