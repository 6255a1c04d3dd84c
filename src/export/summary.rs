//! The summary ([`crate::analysis::summary`]) as text and files: the TSV the window's "Copiar"
//! puts on the clipboard, CSV for Excel pt-BR, JSON, and XLSX sheets with a native chart.
//!
//! Every output shows the same table: the columns of [`SummaryColumn::for_dimension`], one
//! line per group in the summary's order, then the total.
//!
//! - **TSV** ([`summary_tsv`]): the rules of [`super::tsv`]: values as the window shows them
//!   but plain (counts and ids as digits, which Excel reads as numbers in any locale; the
//!   percentage with a decimal comma, `73,4`, as Excel pt-BR reads it; dates `dd/mm/aaaa`),
//!   formula-like text prefixed with `'`, fields with tabs, line breaks or `"` quoted, CRLF.
//! - **CSV** ([`write_summary_csv`]): the Excel pt-BR dialect of [`super::csv`] (BOM, `;`,
//!   CRLF, decimal comma, `dd/mm/aaaa`); one block per dimension, each under a title line
//!   ("Resumo por consultor") and separated by an empty line.
//! - **JSON** ([`write_summary_json`]): an array with one object per summary,
//!   `{"por": "consultor", "grupos": [...], "total": {...}}`. A group has `"grupo"` (the label;
//!   a period's ISO key `2024-01-10`, `2024-W02`, `2024-01`), `"id"` where the dimension has
//!   one (`null` for the missing group), `"codigo"` for `canal` and `tipo-evento`, then the
//!   counts; `pct_produtivos` is a number or `null`; dates are `AAAA-MM-DD` or `null`.
//! - **XLSX** ([`add_summary_sheets`], [`write_summary_xlsx`]): one sheet per summary,
//!   "Resumo por consultor"…, with the table (real numbers, percent cells, real dates, bold
//!   header and total, frozen header, autofilter) and a native chart beside it: a column chart
//!   of the first [`CHART_MAX_GROUPS`] groups (the summary's order: most follow-ups first), or
//!   for periods a stacked column chart of produtivos, improdutivos and outros over time (the
//!   last [`CHART_MAX_PERIODS`] periods). Period sheets carry an "Outros" column for it.
//!
//! Files are written atomically ([`export_summaries`]), like every export.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use chrono::{NaiveDate, NaiveTime};
use rust_xlsxwriter::{
    Chart, ChartLegendPosition, ChartType, DocProperties, Format, Workbook, Worksheet, XlsxError,
};

use super::columns::neutralize_formula;
use super::xlsx::{EXCEL_MAX_ROWS, excel_serial, fit_excel_cell};
use super::{ExportError, STREAM_NAME, write_atomically};
use crate::analysis::summary::{Counts, Dimension, Group, Summary, SummaryCell, SummaryColumn};

/// How many groups the chart of a non-period sheet shows (the table has them all).
pub const CHART_MAX_GROUPS: usize = 15;

/// How many periods the chart of a period sheet shows (the most recent ones).
pub const CHART_MAX_PERIODS: usize = 1_000;

/// Past this many groups a summary sheet is written in constant-memory mode.
const CONSTANT_MEMORY_GROUPS: usize = 50_000;

/// The file formats of a summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SummaryFormat {
    /// One sheet per summary, with a chart.
    Xlsx,
    /// Excel pt-BR CSV, one block per summary.
    Csv,
    /// An array of summaries.
    Json,
}

impl SummaryFormat {
    /// The format of a file name's extension (`.xlsx`, `.csv`, `.json`, any case).
    pub fn from_path(path: &Path) -> Option<SummaryFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "xlsx" => Some(SummaryFormat::Xlsx),
            "csv" => Some(SummaryFormat::Csv),
            "json" => Some(SummaryFormat::Json),
            _ => None,
        }
    }
}

/// The name of a summary's sheet: "Resumo por consultor" (at most 31 characters, Excel's
/// limit, which every dimension's name respects).
pub fn sheet_name(dimension: Dimension) -> String {
    format!("Resumo por {}", dimension.label().to_lowercase())
}

/// The group table of `summary` as TSV text (the window's "Copiar"): header, groups, total.
pub fn summary_tsv(summary: &Summary) -> String {
    let columns = SummaryColumn::for_dimension(summary.dimension);
    let mut out = String::new();
    let header: Vec<Cow<'_, str>> = columns
        .iter()
        .map(|column| Cow::Borrowed(column.header(summary.dimension)))
        .collect();
    push_tsv_line(&mut out, &header);
    for group in &summary.groups {
        let fields: Vec<Cow<'_, str>> = columns
            .iter()
            .map(|column| Cow::Owned(plain_text(&column.cell(group))))
            .collect();
        push_tsv_line(&mut out, &fields);
    }
    let fields: Vec<Cow<'_, str>> = columns
        .iter()
        .map(|column| Cow::Owned(plain_text(&column.total_cell(&summary.total))))
        .collect();
    push_tsv_line(&mut out, &fields);
    out
}

/// Appends one TSV line: each field neutralised against formulas and quoted when needed.
fn push_tsv_line(out: &mut String, fields: &[Cow<'_, str>]) {
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.push('\t');
        }
        out.push_str(&super::tsv::tsv_field(&neutralize_formula(field)));
    }
    out.push_str("\r\n");
}

/// A cell as plain pt-BR text: digits, `73,4`, `dd/mm/aaaa`, nothing for an empty cell.
fn plain_text(cell: &SummaryCell) -> String {
    match cell {
        SummaryCell::Text(text) => text.clone(),
        SummaryCell::Int(value) => value.to_string(),
        SummaryCell::Pct(Some(value)) => format!("{value:.1}").replace('.', ","),
        SummaryCell::Date(Some(date)) => crate::fmt::date_br(*date),
        SummaryCell::Pct(None) | SummaryCell::Date(None) | SummaryCell::Empty => String::new(),
    }
}

/// Writes `summaries` as Excel pt-BR CSV to `out` (see the module docs); `path` names the
/// destination in errors.
pub fn write_summary_csv(
    out: &mut dyn Write,
    summaries: &[Summary],
    path: &Path,
) -> Result<(), ExportError> {
    let io = |e| ExportError::from_io(path, e);
    let csv_error = |e| ExportError::from_csv(path, e);
    out.write_all(b"\xEF\xBB\xBF").map_err(io)?;
    for (index, summary) in summaries.iter().enumerate() {
        if index > 0 {
            // An empty line between blocks, written by hand: the csv crate writes `""` for a
            // record of one empty field.
            out.write_all(b"\r\n").map_err(io)?;
        }
        let mut writer = ::csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(::csv::Terminator::CRLF)
            .quote_style(::csv::QuoteStyle::Necessary)
            .flexible(true)
            .from_writer(&mut *out);
        writer
            .write_record([neutralize_formula(&sheet_name(summary.dimension)).as_ref()])
            .map_err(csv_error)?;
        let columns = SummaryColumn::for_dimension(summary.dimension);
        writer
            .write_record(columns.iter().map(|c| c.header(summary.dimension)))
            .map_err(csv_error)?;
        for group in &summary.groups {
            writer
                .write_record(
                    columns
                        .iter()
                        .map(|c| neutralize_formula(&plain_text(&c.cell(group))).into_owned()),
                )
                .map_err(csv_error)?;
        }
        writer
            .write_record(
                columns
                    .iter()
                    .map(|c| plain_text(&c.total_cell(&summary.total))),
            )
            .map_err(csv_error)?;
        writer.flush().map_err(io)?;
    }
    out.flush().map_err(io)
}

/// One group or the total in JSON.
#[derive(serde::Serialize)]
struct JsonGroup<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    grupo: Option<&'a str>,
    /// `Some(None)` writes `null` (the missing group); `None` leaves the field out.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<Option<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    codigo: Option<Option<&'a str>>,
    follow_ups: u64,
    produtivos: u64,
    improdutivos: u64,
    pct_produtivos: Option<f64>,
    devedores: u64,
    reagendamentos: u64,
    primeira_data: Option<String>,
    ultima_data: Option<String>,
}

impl<'a> JsonGroup<'a> {
    fn counts(counts: &Counts) -> JsonGroup<'a> {
        let iso = |date: Option<NaiveDate>| date.map(|d| d.format("%Y-%m-%d").to_string());
        JsonGroup {
            grupo: None,
            id: None,
            codigo: None,
            follow_ups: counts.follow_ups,
            produtivos: counts.produtivos,
            improdutivos: counts.improdutivos,
            pct_produtivos: counts.pct_produtivos(),
            devedores: counts.devedores,
            reagendamentos: counts.reagendamentos,
            primeira_data: iso(counts.primeira_data),
            ultima_data: iso(counts.ultima_data),
        }
    }

    fn group(dimension: Dimension, group: &'a Group) -> JsonGroup<'a> {
        JsonGroup {
            grupo: Some(group.key()),
            id: dimension.has_id().then_some(group.id),
            codigo: dimension.has_code().then_some(group.codigo.as_deref()),
            ..JsonGroup::counts(&group.counts)
        }
    }
}

/// One summary in JSON.
#[derive(serde::Serialize)]
struct JsonSummary<'a> {
    por: &'static str,
    grupos: Vec<JsonGroup<'a>>,
    total: JsonGroup<'a>,
}

/// Writes `summaries` as a JSON array to `out` (see the module docs); `path` names the
/// destination in errors.
pub fn write_summary_json(
    out: &mut dyn Write,
    summaries: &[Summary],
    path: &Path,
) -> Result<(), ExportError> {
    let value: Vec<JsonSummary<'_>> = summaries
        .iter()
        .map(|summary| JsonSummary {
            por: summary.dimension.cli_name(),
            grupos: summary
                .groups
                .iter()
                .map(|group| JsonGroup::group(summary.dimension, group))
                .collect(),
            total: JsonGroup::counts(&summary.total),
        })
        .collect();
    let mut writer = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut writer, &value)
        .map_err(|e| ExportError::from_io(path, std::io::Error::from(e)))?;
    writer
        .write_all(b"\n")
        .and_then(|()| writer.flush())
        .map_err(|e| ExportError::from_io(path, e))
}

/// The cell formats of the summary sheets.
struct SheetFormats {
    header: Format,
    total_text: Format,
    total_number: Format,
    pct: Format,
    total_pct: Format,
    date: Format,
    total_date: Format,
    text: Format,
}

impl SheetFormats {
    fn new() -> SheetFormats {
        SheetFormats {
            header: Format::new().set_bold(),
            total_text: Format::new().set_bold(),
            total_number: Format::new().set_bold(),
            pct: Format::new().set_num_format("0.0%"),
            total_pct: Format::new().set_num_format("0.0%").set_bold(),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            total_date: Format::new().set_num_format("dd/mm/yyyy").set_bold(),
            text: Format::new().set_num_format("@"),
        }
    }
}

/// Adds one sheet per summary to `workbook` ("Resumo por consultor"…), each with its table and
/// a native chart (see the module docs). A dimension given twice gets "(2)" after its name.
pub fn add_summary_sheets(workbook: &mut Workbook, summaries: &[Summary]) -> Result<(), XlsxError> {
    let formats = SheetFormats::new();
    let mut names: Vec<String> = Vec::new();
    for summary in summaries {
        let base = sheet_name(summary.dimension);
        let mut name = base.clone();
        let mut copy = 1;
        while names.contains(&name) {
            copy += 1;
            name = format!("{base} ({copy})");
        }
        names.push(name.clone());
        // Tables of many groups (debtors, days) stream to disk; small ones stay in memory,
        // where the writer can also store the chart's cached values.
        let worksheet = if summary.groups.len() > CONSTANT_MEMORY_GROUPS {
            workbook.add_worksheet_with_constant_memory()?
        } else {
            workbook.add_worksheet()
        };
        worksheet.set_name(&name)?;
        write_summary_sheet(worksheet, &name, summary, &formats)?;
    }
    Ok(())
}

/// The table and the chart of one summary sheet.
fn write_summary_sheet(
    worksheet: &mut Worksheet,
    name: &str,
    summary: &Summary,
    formats: &SheetFormats,
) -> Result<(), XlsxError> {
    let dimension = summary.dimension;
    let columns = SummaryColumn::for_dimension(dimension);
    let period = dimension.is_period();
    for (col, column) in (0u16..).zip(&columns) {
        let header = column.header(dimension);
        worksheet.write_string_with_format(0, col, header, &formats.header)?;
        let width = match column {
            SummaryColumn::Grupo if dimension == Dimension::Devedor => 45.0,
            SummaryColumn::Grupo if dimension == Dimension::Semana => 24.0,
            SummaryColumn::Grupo => 30.0,
            _ => (header.chars().count() + 4).max(12) as f64,
        };
        worksheet.set_column_width(col, width)?;
    }
    // Period sheets also show "Outros", the third series of their stacked chart.
    let outros_col = u16::try_from(columns.len()).unwrap_or(u16::MAX);
    if period {
        worksheet.write_string_with_format(0, outros_col, "Outros", &formats.header)?;
        worksheet.set_column_width(outros_col, 12.0)?;
    }
    worksheet.set_freeze_panes(1, 0)?;

    // The header, the groups that fit, the total (and a note when some did not fit).
    let room = (EXCEL_MAX_ROWS as usize).saturating_sub(3);
    let shown = summary.groups.len().min(room);
    let mut row: u32 = 1;
    for group in summary.groups.iter().take(shown) {
        for (col, column) in (0u16..).zip(&columns) {
            write_summary_cell(worksheet, row, col, column.cell(group), formats, false)?;
        }
        if period {
            write_count(worksheet, row, outros_col, group.counts.outros(), None)?;
        }
        row += 1;
    }
    let last_group_row = row.saturating_sub(1);
    for (col, column) in (0u16..).zip(&columns) {
        write_summary_cell(
            worksheet,
            row,
            col,
            column.total_cell(&summary.total),
            formats,
            true,
        )?;
    }
    if period {
        write_count(
            worksheet,
            row,
            outros_col,
            summary.total.outros(),
            Some(&formats.total_number),
        )?;
    }
    if shown < summary.groups.len() {
        worksheet.write_string(
            row + 1,
            0,
            format!(
                "{} grupos não cabem na planilha (limite do Excel).",
                crate::fmt::thousands((summary.groups.len() - shown) as u64)
            ),
        )?;
    }
    if shown > 0 {
        let last_col = if period {
            outros_col
        } else {
            u16::try_from(columns.len().saturating_sub(1)).unwrap_or(0)
        };
        worksheet.autofilter(0, 0, last_group_row, last_col)?;
        if let Some(chart) = summary_chart(name, summary, &columns, shown, outros_col) {
            worksheet.insert_chart(1, last_col.saturating_add(2), &chart)?;
        }
    }
    Ok(())
}

/// The chart of a sheet: top groups as columns, or periods as stacked columns.
fn summary_chart(
    name: &str,
    summary: &Summary,
    columns: &[SummaryColumn],
    shown: usize,
    outros_col: u16,
) -> Option<Chart> {
    let col_of = |wanted: SummaryColumn| {
        columns
            .iter()
            .position(|c| *c == wanted)
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(0)
    };
    let label = summary.dimension.label();
    if summary.dimension.is_period() {
        // The most recent periods, the missing-date group left out of a time axis.
        let dated = summary
            .groups
            .iter()
            .take(shown)
            .filter(|g| !g.missing)
            .count();
        if dated == 0 {
            return None;
        }
        let first = dated.saturating_sub(CHART_MAX_PERIODS);
        let (first_row, last_row) = (first as u32 + 1, dated as u32);
        let mut chart = Chart::new(ChartType::ColumnStacked);
        for (series_name, col) in [
            ("Produtivos", col_of(SummaryColumn::Produtivos)),
            ("Improdutivos", col_of(SummaryColumn::Improdutivos)),
            ("Outros", outros_col),
        ] {
            chart
                .add_series()
                .set_name(series_name)
                .set_categories((name, first_row, 0, last_row, 0))
                .set_values((name, first_row, col, last_row, col))
                .set_gap(30);
        }
        let title = if first > 0 {
            format!(
                "Follow-ups por {} (últimos {})",
                label.to_lowercase(),
                crate::fmt::thousands(CHART_MAX_PERIODS as u64)
            )
        } else {
            format!("Follow-ups por {}", label.to_lowercase())
        };
        chart.title().set_name(&title);
        chart.legend().set_position(ChartLegendPosition::Bottom);
        chart.set_width(900).set_height(420);
        Some(chart)
    } else {
        let last_row = shown.min(CHART_MAX_GROUPS) as u32;
        let col = col_of(SummaryColumn::FollowUps);
        let mut chart = Chart::new(ChartType::Column);
        chart
            .add_series()
            .set_name("Follow-ups")
            .set_categories((name, 1, 0, last_row, 0))
            .set_values((name, 1, col, last_row, col));
        let title = if summary.groups.len() > CHART_MAX_GROUPS {
            format!(
                "Follow-ups por {} (maiores {CHART_MAX_GROUPS})",
                label.to_lowercase()
            )
        } else {
            format!("Follow-ups por {}", label.to_lowercase())
        };
        chart.title().set_name(&title);
        chart.legend().set_hidden();
        chart.set_width(720).set_height(400);
        Some(chart)
    }
}

/// Writes a count as a number.
fn write_count(
    worksheet: &mut Worksheet,
    row: u32,
    col: u16,
    value: u64,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    #[allow(clippy::cast_precision_loss)]
    let number = value as f64;
    match format {
        Some(format) => worksheet.write_number_with_format(row, col, number, format)?,
        None => worksheet.write_number(row, col, number)?,
    };
    Ok(())
}

/// The ids Excel keeps exactly (15 significant digits).
const EXCEL_MAX_EXACT_INT: u64 = 999_999_999_999_999;

/// Writes one cell of a summary table.
fn write_summary_cell(
    worksheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: SummaryCell,
    formats: &SheetFormats,
    total: bool,
) -> Result<(), XlsxError> {
    match cell {
        SummaryCell::Empty | SummaryCell::Pct(None) | SummaryCell::Date(None) => {}
        SummaryCell::Text(text) => {
            let text = neutralize_formula(&text).into_owned();
            let text = fit_excel_cell(&text).unwrap_or(text);
            if total {
                worksheet.write_string_with_format(row, col, text, &formats.total_text)?;
            } else {
                worksheet.write_string(row, col, text)?;
            }
        }
        SummaryCell::Int(value) if value.unsigned_abs() <= EXCEL_MAX_EXACT_INT => {
            #[allow(clippy::cast_precision_loss)]
            let number = value as f64;
            if total {
                worksheet.write_number_with_format(row, col, number, &formats.total_number)?;
            } else {
                worksheet.write_number(row, col, number)?;
            }
        }
        SummaryCell::Int(value) => {
            worksheet.write_string_with_format(row, col, value.to_string(), &formats.text)?;
        }
        SummaryCell::Pct(Some(value)) => {
            let format = if total {
                &formats.total_pct
            } else {
                &formats.pct
            };
            worksheet.write_number_with_format(row, col, value / 100.0, format)?;
        }
        SummaryCell::Date(Some(date)) => match excel_serial(date.and_time(NaiveTime::MIN)) {
            Some(serial) => {
                let format = if total {
                    &formats.total_date
                } else {
                    &formats.date
                };
                worksheet.write_number_with_format(row, col, serial, format)?;
            }
            // Excel has no dates before 1900 (nor after 9999): keep the date as text.
            None => {
                worksheet.write_string(row, col, crate::fmt::date_br(date))?;
            }
        },
    }
    Ok(())
}

/// Writes `summaries` as an XLSX workbook (only the summary sheets) to `out`; `temp_folder`
/// holds the writer's temporary files.
pub fn write_summary_xlsx(
    out: &mut (dyn Write + Send),
    summaries: &[Summary],
    path: &Path,
    temp_folder: &Path,
) -> Result<(), ExportError> {
    let xlsx = |source| ExportError::Xlsx {
        path: path.to_path_buf(),
        source,
    };
    let mut workbook = Workbook::new();
    workbook.set_tempdir(temp_folder).map_err(xlsx)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("Resumo de follow-ups — Recuperador CRM")
            .set_comment(concat!(
                "Exportado pelo Recuperador Follow-ups ",
                env!("CARGO_PKG_VERSION")
            )),
    );
    add_summary_sheets(&mut workbook, summaries).map_err(xlsx)?;
    workbook.save_to_writer(out).map_err(xlsx)
}

/// Writes `summaries` to `out` in `format`; `name` names the destination in errors.
pub fn write_summaries(
    out: &mut (dyn Write + Send),
    summaries: &[Summary],
    format: SummaryFormat,
    name: &Path,
    temp_folder: &Path,
) -> Result<(), ExportError> {
    match format {
        SummaryFormat::Xlsx => write_summary_xlsx(out, summaries, name, temp_folder),
        SummaryFormat::Csv => write_summary_csv(out, summaries, name),
        SummaryFormat::Json => write_summary_json(out, summaries, name),
    }
}

/// Writes `summaries` to the file `path` in `format`, atomically: a temporary file beside it
/// is renamed over `path` only when complete.
pub fn export_summaries(
    path: &Path,
    summaries: &[Summary],
    format: SummaryFormat,
) -> Result<(), ExportError> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let temp_folder = super::xlsx::temp_folder_for(&folder);
    write_atomically(path, |out| {
        write_summaries(out, summaries, format, path, &temp_folder)
    })
}

/// Writes `summaries` to a stream (the CLI's `--output -`) in `format`.
pub fn export_summaries_to_writer(
    out: &mut (dyn Write + Send),
    summaries: &[Summary],
    format: SummaryFormat,
) -> Result<(), ExportError> {
    let name = Path::new(STREAM_NAME);
    let temp_folder = super::xlsx::temp_folder_for(Path::new("."));
    write_summaries(out, summaries, format, name, &temp_folder)?;
    out.flush().map_err(|e| ExportError::from_io(name, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_follows_the_tsv_number_rules() {
        assert_eq!(plain_text(&SummaryCell::Pct(Some(73.4))), "73,4");
        assert_eq!(plain_text(&SummaryCell::Pct(Some(100.0))), "100,0");
        assert_eq!(plain_text(&SummaryCell::Pct(None)), "");
        assert_eq!(plain_text(&SummaryCell::Int(12345)), "12345");
        let day = NaiveDate::from_ymd_opt(2024, 1, 9).unwrap();
        assert_eq!(plain_text(&SummaryCell::Date(Some(day))), "09/01/2024");
    }

    #[test]
    fn sheet_names_fit_excel() {
        for dimension in Dimension::ALL {
            assert!(sheet_name(dimension).chars().count() <= 31);
        }
        assert_eq!(sheet_name(Dimension::Mes), "Resumo por mês");
        assert_eq!(
            sheet_name(Dimension::TipoEvento),
            "Resumo por tipo de evento"
        );
    }
}
