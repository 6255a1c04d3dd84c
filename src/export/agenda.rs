//! Writing an [`Agenda`] (issue 14): JSON for scripts, CSV in the same dialects as the row
//! export, and an XLSX workbook with the entries coloured by situação and the compliance
//! table on a second sheet.
//!
//! - **JSON:** an array of the entries in agenda order (due date, missing last; due time;
//!   `id_followup`); each object is the source row's 20 fields exactly as the row export
//!   writes them ([`crate::api::wire`]), then `"situacao"` ([`Situacao::as_str`]) and
//!   `"realizado_em"` (`AAAA-MM-DD` or `null`).
//! - **CSV:** the dialect of [`super::csv`] (`;` with BOM and Brazilian dates by default);
//!   Portuguese headers: "Situação", the due date and time, the debtor (name, CPF/CNPJ,
//!   creditor), "Realizado em", then the other fields ([`AGENDA_COLUMNS`]).
//! - **XLSX:** the same columns on the sheet "Agenda", real dates and times, bold frozen
//!   header, autofilter, overdue rows in red and today's in amber (conditional formats on the
//!   situação, so they follow any edit); the sheet "Cumprimento" has the compliance table by
//!   `reagendado_por` with its total and the reference date.
//!
//! Files are written atomically, as [`super::export_rows`] does.

use std::io::Write;
use std::path::Path;

use chrono::{NaiveDate, NaiveTime};
use rust_xlsxwriter::{ConditionalFormatFormula, DocProperties, Format, Workbook, Worksheet};

use super::columns::{Cell, CellMapper, CsvSeparator, ExportFormat, ExportOptions};
use super::xlsx::{self, EXCEL_MAX_ROWS, Formats, XlsxStats};
use super::{ExportError, ExportProgress, ExportSummary, ProgressWriter, STREAM_NAME};
use crate::analysis::agenda::{Agenda, AgendaEntry, Cumprimento, Situacao, SourceRows};
use crate::api::{Column, Followup};
use crate::fmt::date_br;

/// One column of the agenda's CSV and XLSX.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgendaColumn {
    /// The entry's situação, by label ("Atrasado").
    Situacao,
    /// The date the entry was kept, for `realizado`.
    RealizadoEm,
    /// A field of the source row.
    Field(Column),
}

impl AgendaColumn {
    /// The Portuguese header.
    pub fn label(self) -> &'static str {
        match self {
            AgendaColumn::Situacao => "Situação",
            AgendaColumn::RealizadoEm => "Realizado em",
            AgendaColumn::Field(column) => column.label(),
        }
    }
}

/// The agenda's columns: situação, due date and time, the debtor, when it was kept, for whom
/// and by whom, the consultant, the source follow-up, then the ids and the other flags. Every
/// field of the row appears once.
pub const AGENDA_COLUMNS: [AgendaColumn; 22] = [
    AgendaColumn::Situacao,
    AgendaColumn::Field(Column::DataReagendamento),
    AgendaColumn::Field(Column::HorarioReagendamento),
    AgendaColumn::Field(Column::NomeCliente),
    AgendaColumn::Field(Column::CpfCnpj),
    AgendaColumn::Field(Column::NomeCredor),
    AgendaColumn::RealizadoEm,
    AgendaColumn::Field(Column::ReagendarPara),
    AgendaColumn::Field(Column::ReagendadoPor),
    AgendaColumn::Field(Column::NomeConsultor),
    AgendaColumn::Field(Column::Data),
    AgendaColumn::Field(Column::TipoContato),
    AgendaColumn::Field(Column::NomeEvento),
    AgendaColumn::Field(Column::TipoEvento),
    AgendaColumn::Field(Column::Interacao),
    AgendaColumn::Field(Column::IdFollowup),
    AgendaColumn::Field(Column::IdCredor),
    AgendaColumn::Field(Column::IdCliente),
    AgendaColumn::Field(Column::IdConsultor),
    AgendaColumn::Field(Column::IdEvento),
    AgendaColumn::Field(Column::Reagendar),
    AgendaColumn::Field(Column::VisivelCliente),
];

/// The name of the XLSX sheet with the entries.
pub const AGENDA_SHEET: &str = "Agenda";

/// The name of the XLSX sheet with the compliance table.
pub const CUMPRIMENTO_SHEET: &str = "Cumprimento";

/// The compliance sheet's headers.
pub const CUMPRIMENTO_HEADERS: [&str; 6] = [
    "Reagendado por",
    "Reagendamentos",
    "Devidos até a data de referência",
    "Realizados",
    "Atrasados",
    "% cumprimento",
];

/// The document title in the workbook properties.
pub const AGENDA_WORKBOOK_TITLE: &str = "Agenda de reagendamentos — Recuperador CRM";

/// Writes `agenda` (entries pointing into `rows`) to `path` in `options.format` (XLSX, CSV or
/// JSON; TSV is written as CSV with tabs), atomically: on any error or cancel an existing
/// file is left untouched and no temporary file stays behind.
pub fn export_agenda<R: SourceRows + ?Sized>(
    path: &Path,
    agenda: &Agenda,
    rows: &R,
    options: &ExportOptions,
    progress: &ExportProgress,
) -> Result<ExportSummary, ExportError> {
    progress.start(agenda.entries.len());
    if progress.is_cancelled() {
        return Err(ExportError::Cancelled);
    }
    let mut summary = ExportSummary {
        rows: 0,
        sheets: 1,
        summary_sheets: 0,
        truncated_cells: 0,
        path: path.to_path_buf(),
    };
    let written = super::write_atomically_with(path, progress, |out| {
        let temp_folder = xlsx::temp_folder_for(&super::destination_folder(path));
        write_agenda_format(
            out,
            agenda,
            rows,
            options,
            progress,
            path,
            &temp_folder,
            &mut summary,
        )
    });
    match written {
        Ok(()) => Ok(summary),
        Err(_) if progress.is_cancelled() => Err(ExportError::Cancelled),
        Err(error) => Err(error),
    }
}

/// [`export_agenda`] to a stream (the CLI's `--output -`): the same bytes as the file.
pub fn export_agenda_to_writer<R: SourceRows + ?Sized>(
    out: &mut (dyn Write + Send),
    agenda: &Agenda,
    rows: &R,
    options: &ExportOptions,
    progress: &ExportProgress,
) -> Result<ExportSummary, ExportError> {
    progress.start(agenda.entries.len());
    if progress.is_cancelled() {
        return Err(ExportError::Cancelled);
    }
    let name = Path::new(STREAM_NAME);
    let mut summary = ExportSummary {
        rows: 0,
        sheets: 1,
        summary_sheets: 0,
        truncated_cells: 0,
        path: name.to_path_buf(),
    };
    let mut writer =
        ProgressWriter::new(std::io::BufWriter::with_capacity(256 * 1024, out), progress);
    let temp_folder = xlsx::temp_folder_for(Path::new("."));
    let written = write_agenda_format(
        &mut writer,
        agenda,
        rows,
        options,
        progress,
        name,
        &temp_folder,
        &mut summary,
    )
    .and_then(|()| {
        progress.set_finishing();
        writer
            .flush()
            .map_err(|error| ExportError::from_io(name, error))
    });
    match written {
        Ok(()) if writer.refused => Err(ExportError::Cancelled),
        Ok(()) => Ok(summary),
        Err(_) if progress.is_cancelled() => Err(ExportError::Cancelled),
        Err(error) => Err(error),
    }
}

/// The part of an agenda export that does not depend on where the bytes go.
#[allow(clippy::too_many_arguments)]
fn write_agenda_format<R: SourceRows + ?Sized>(
    out: &mut (dyn Write + Send),
    agenda: &Agenda,
    rows: &R,
    options: &ExportOptions,
    progress: &ExportProgress,
    path: &Path,
    temp_folder: &Path,
    summary: &mut ExportSummary,
) -> Result<(), ExportError> {
    match options.format {
        ExportFormat::Json => {
            summary.rows = write_agenda_json(out, agenda, rows, progress, path)?;
        }
        ExportFormat::Csv | ExportFormat::Tsv => {
            summary.rows = write_agenda_csv(out, agenda, rows, options, progress, path)?;
        }
        ExportFormat::Xlsx => {
            let stats = write_agenda_xlsx(out, agenda, rows, options, progress, path, temp_folder)?;
            summary.rows = stats.rows;
            summary.sheets = stats.sheets;
            summary.truncated_cells = stats.truncated_cells;
        }
    }
    Ok(())
}

/// The entries with their source rows (entries whose row is gone are skipped).
fn with_rows<'a, R: SourceRows + ?Sized>(
    agenda: &'a Agenda,
    rows: &'a R,
) -> impl Iterator<Item = (&'a AgendaEntry, &'a Followup)> + 'a {
    agenda
        .entries
        .iter()
        .filter_map(move |entry| rows.source_row(entry.row).map(|row| (entry, row)))
}

/// One JSON object of the agenda: the row's 20 fields, then the entry's two.
#[derive(serde::Serialize)]
struct JsonEntry<'a> {
    #[serde(flatten)]
    row: &'a Followup,
    situacao: &'static str,
    realizado_em: Option<String>,
}

/// Writes the agenda as a JSON array, one entry per line; returns the entry count.
pub fn write_agenda_json<R: SourceRows + ?Sized>(
    out: &mut dyn Write,
    agenda: &Agenda,
    rows: &R,
    progress: &ExportProgress,
    path: &Path,
) -> Result<usize, ExportError> {
    let io = |e: std::io::Error| ExportError::from_io(path, e);
    out.write_all(b"[").map_err(io)?;
    let mut written = 0;
    for (entry, row) in with_rows(agenda, rows) {
        progress.checkpoint(written)?;
        out.write_all(if written == 0 { b"\n" } else { b",\n" })
            .map_err(io)?;
        let item = JsonEntry {
            row,
            situacao: entry.situacao.as_str(),
            realizado_em: entry
                .realizado_em
                .map(|day| day.format("%Y-%m-%d").to_string()),
        };
        serde_json::to_writer(&mut *out, &item).map_err(|e| io(std::io::Error::from(e)))?;
        written += 1;
    }
    out.write_all(b"\n]\n").map_err(io)?;
    progress.set_rows_written(written);
    Ok(written)
}

/// A cell of an agenda column: the entry's own columns, or the row's through `mapper`.
fn agenda_cell<'a>(
    column: AgendaColumn,
    entry: &AgendaEntry,
    row: &'a Followup,
    mapper: &'a mut CellMapper,
) -> Cell<'a> {
    match column {
        AgendaColumn::Situacao => Cell::Text(entry.situacao.label().into()),
        AgendaColumn::RealizadoEm => entry.realizado_em.map_or(Cell::Empty, |day| {
            Cell::DateTime(day.and_time(NaiveTime::MIN))
        }),
        AgendaColumn::Field(column) => mapper.cell(row, column),
    }
}

/// Writes the agenda as CSV in `options.csv_separator`'s dialect (tabs for TSV); returns the
/// entry count.
pub fn write_agenda_csv<R: SourceRows + ?Sized>(
    out: &mut dyn Write,
    agenda: &Agenda,
    rows: &R,
    options: &ExportOptions,
    progress: &ExportProgress,
    path: &Path,
) -> Result<usize, ExportError> {
    let excel = options.csv_separator == CsvSeparator::Semicolon;
    let mut writer = if options.format == ExportFormat::Tsv {
        ::csv::WriterBuilder::new()
            .delimiter(b'\t')
            .terminator(::csv::Terminator::CRLF)
            .from_writer(out)
    } else {
        super::csv::csv_writer(out, options.csv_separator, path)?
    };
    let csv_error = |e| ExportError::from_csv(path, e);
    writer
        .write_record(AGENDA_COLUMNS.iter().map(|c| c.label()))
        .map_err(csv_error)?;
    let mut mapper = CellMapper::new(options.raw_codes);
    let mut scratch = String::with_capacity(64);
    let mut written = 0;
    for (entry, row) in with_rows(agenda, rows) {
        progress.checkpoint(written)?;
        for column in AGENDA_COLUMNS {
            scratch.clear();
            match agenda_cell(column, entry, row, &mut mapper) {
                Cell::Empty => {}
                Cell::Int(value) => scratch.push_str(&value.to_string()),
                Cell::Text(text) => {
                    if excel
                        && column == AgendaColumn::Field(Column::CpfCnpj)
                        && super::csv::excel_would_convert(&text)
                    {
                        scratch.push_str(&format!("=\"{text}\""));
                    } else {
                        scratch.push_str(&text);
                    }
                }
                Cell::DateTime(value) => super::csv::write_datetime(&mut scratch, value, excel),
                Cell::Time(value) => super::csv::write_time(&mut scratch, value, excel),
            }
            writer.write_field(scratch.as_bytes()).map_err(csv_error)?;
        }
        writer.write_record(None::<&[u8]>).map_err(csv_error)?;
        written += 1;
    }
    writer.flush().map_err(|e| ExportError::from_io(path, e))?;
    progress.set_rows_written(written);
    Ok(written)
}

/// Writes the agenda as an XLSX workbook: the entries on "Agenda" (continued on
/// "Agenda (2)"… past Excel's row limit), the compliance table on "Cumprimento".
pub fn write_agenda_xlsx<R: SourceRows + ?Sized>(
    out: &mut (dyn Write + Send),
    agenda: &Agenda,
    rows: &R,
    options: &ExportOptions,
    progress: &ExportProgress,
    path: &Path,
    temp_folder: &Path,
) -> Result<XlsxStats, ExportError> {
    let xlsx = |e| xlsx::xlsx_error(path, e);
    let mut workbook = Workbook::new();
    workbook.set_tempdir(temp_folder).map_err(xlsx)?;
    workbook.set_zip_compression_level(3);
    workbook.set_properties(
        &DocProperties::new()
            .set_title(AGENDA_WORKBOOK_TITLE)
            .set_comment(concat!(
                "Exportado pelo Recuperador Follow-ups ",
                env!("CARGO_PKG_VERSION")
            )),
    );
    let formats = Formats::new();
    let overdue = Format::new()
        .set_background_color("FFC7CE")
        .set_font_color("9C0006");
    let today = Format::new()
        .set_background_color("FFEB9C")
        .set_font_color("9C5700");
    let last_col = (AGENDA_COLUMNS.len() - 1) as u16;
    let mut mapper = CellMapper::new(options.raw_codes);
    let mut stats = XlsxStats::default();
    let mut entries = with_rows(agenda, rows).peekable();
    loop {
        let number = stats.sheets + 1;
        let worksheet = workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx)?;
        stats.sheets = number;
        let name = if number == 1 {
            AGENDA_SHEET.to_owned()
        } else {
            format!("{AGENDA_SHEET} ({number})")
        };
        worksheet.set_name(name).map_err(xlsx)?;
        for (col, column) in (0u16..).zip(AGENDA_COLUMNS) {
            let width = match column {
                AgendaColumn::Situacao => 17.0,
                AgendaColumn::RealizadoEm => 16.0,
                AgendaColumn::Field(column) => xlsx::column_width(column, options.raw_codes),
            };
            worksheet.set_column_width(col, width).map_err(xlsx)?;
            worksheet
                .write_string_with_format(0, col, column.label(), &formats.header)
                .map_err(xlsx)?;
        }
        worksheet.set_freeze_panes(1, 0).map_err(xlsx)?;
        let mut sheet_row: u32 = 1;
        while sheet_row < EXCEL_MAX_ROWS {
            let Some((entry, row)) = entries.next() else {
                break;
            };
            progress.checkpoint(stats.rows)?;
            for (col, column) in (0u16..).zip(AGENDA_COLUMNS) {
                let field = match column {
                    AgendaColumn::Field(field) => field,
                    // Neither is a document: any other column's rules apply.
                    _ => Column::NomeCredor,
                };
                xlsx::write_cell(
                    worksheet,
                    sheet_row,
                    col,
                    field,
                    agenda_cell(column, entry, row, &mut mapper),
                    &formats,
                    &mut stats.truncated_cells,
                )
                .map_err(xlsx)?;
            }
            sheet_row += 1;
            stats.rows += 1;
        }
        let last_row = sheet_row - 1;
        worksheet
            .autofilter(0, 0, last_row, last_col)
            .map_err(xlsx)?;
        if last_row >= 1 {
            colour_by_situacao(worksheet, last_row, last_col, &overdue, &today).map_err(xlsx)?;
        }
        if entries.peek().is_none() {
            break;
        }
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name(CUMPRIMENTO_SHEET).map_err(xlsx)?;
    write_compliance(sheet, agenda, &formats).map_err(xlsx)?;
    progress.set_rows_written(stats.rows);
    if progress.is_cancelled() {
        return Err(ExportError::Cancelled);
    }
    progress.set_finishing();
    workbook.save_to_writer(out).map_err(xlsx)?;
    Ok(stats)
}

/// Red for overdue rows and amber for today's, by the situação in column A.
fn colour_by_situacao(
    worksheet: &mut Worksheet,
    last_row: u32,
    last_col: u16,
    overdue: &Format,
    today: &Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (situacao, format) in [(Situacao::Atrasado, overdue), (Situacao::Hoje, today)] {
        let rule = ConditionalFormatFormula::new()
            .set_rule(format!("=$A2=\"{}\"", situacao.label()).as_str())
            .set_format(format);
        worksheet.add_conditional_format(1, 0, last_row, last_col, &rule)?;
    }
    Ok(())
}

/// The compliance table by `reagendado_por`, its total, and the reference date below.
fn write_compliance(
    sheet: &mut Worksheet,
    agenda: &Agenda,
    formats: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let percent = Format::new().set_num_format("0.0%");
    let bold_percent = Format::new().set_num_format("0.0%").set_bold();
    for (col, header) in (0u16..).zip(CUMPRIMENTO_HEADERS) {
        sheet.write_string_with_format(0, col, header, &formats.header)?;
        sheet.set_column_width(col, if col == 0 { 28.0 } else { 16.0 })?;
    }
    sheet.set_column_width(2, 32.0)?;
    let write_line = |sheet: &mut Worksheet,
                      row: u32,
                      line: &Cumprimento,
                      bold: bool|
     -> Result<(), rust_xlsxwriter::XlsxError> {
        let text = super::columns::neutralize_formula(&line.grupo).into_owned();
        if bold {
            sheet.write_string_with_format(row, 0, text, &formats.header)?;
        } else {
            sheet.write_string(row, 0, text)?;
        }
        for (col, value) in [
            (1, line.entradas),
            (2, line.devidos),
            (3, line.realizados),
            (4, line.atrasados),
        ] {
            #[allow(clippy::cast_precision_loss)]
            let number = value as f64;
            if bold {
                sheet.write_number_with_format(row, col, number, &formats.header)?;
            } else {
                sheet.write_number(row, col, number)?;
            }
        }
        if let Some(pct) = line.pct_cumprimento() {
            let format = if bold { &bold_percent } else { &percent };
            sheet.write_number_with_format(row, 5, pct / 100.0, format)?;
        }
        Ok(())
    };
    let mut row = 1;
    for line in &agenda.por_reagendado_por {
        write_line(sheet, row, line, false)?;
        row += 1;
    }
    write_line(sheet, row, &agenda.total, true)?;
    sheet.write_string(row + 2, 0, "Data de referência")?;
    write_date(sheet, row + 2, 1, agenda.reference, formats)?;
    sheet.write_string(
        row + 3,
        0,
        "Devidos: reagendamentos com data até a de referência; realizados: outro follow-up do mesmo devedor na data ou depois; só contam os follow-ups do período consultado.",
    )?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn write_date(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    day: NaiveDate,
    formats: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match xlsx::excel_serial(day.and_time(NaiveTime::MIN)) {
        Some(serial) => sheet.write_number_with_format(row, col, serial, &formats.date)?,
        None => sheet.write_string(row, col, date_br(day))?,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FollowupFields;
    use crate::api::{Column, SimNao};

    #[test]
    fn every_field_appears_once_after_the_situacao() {
        assert_eq!(AGENDA_COLUMNS[0], AgendaColumn::Situacao);
        for column in Column::ALL {
            let count = AGENDA_COLUMNS
                .iter()
                .filter(|c| **c == AgendaColumn::Field(column))
                .count();
            assert_eq!(count, 1, "{column:?}");
        }
        assert_eq!(AGENDA_COLUMNS[1].label(), "Data do reagendamento");
    }

    #[test]
    fn json_objects_are_the_rows_then_the_two_fields() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let rows = vec![Followup::from(FollowupFields {
            id_followup: Some(9),
            id_credor: Some(1),
            id_cliente: Some(2),
            data: Some(day.and_time(NaiveTime::MIN)),
            reagendar: Some(SimNao::Sim),
            data_reagendamento: Some(day.and_time(NaiveTime::MIN)),
            ..FollowupFields::default()
        })];
        let agenda = crate::analysis::agenda::agenda_of(&rows, day);
        let mut out = Vec::new();
        let written = write_agenda_json(
            &mut out,
            &agenda,
            rows.as_slice(),
            &ExportProgress::new(),
            Path::new("x.json"),
        )
        .unwrap();
        assert_eq!(written, 1);
        let text = String::from_utf8(out).unwrap();
        let row_json = serde_json::to_string(&rows[0]).unwrap();
        // The row exactly as the row export writes it, then the two fields.
        let expected = format!(
            "{},\"situacao\":\"hoje\",\"realizado_em\":null}}",
            &row_json[..row_json.len() - 1]
        );
        assert_eq!(text, format!("[\n{expected}\n]\n"));
    }
}
