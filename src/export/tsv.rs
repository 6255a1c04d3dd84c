//! Tab-separated text (TSV) as Excel itself writes it: for the clipboard and for `.tsv` files.
//!
//! [`tsv_text`] builds the text the window puts on the clipboard ("Copiar linhas", Ctrl+C);
//! [`write_tsv`] streams the same text to a file or to standard output. Both share one core,
//! so a pasted copy and an exported file never differ.
//!
//! The text:
//! - a header row with the Portuguese column labels, then one line per row, the columns in
//!   the order given;
//! - values as the table shows them ([`Followup::field_br`]): dates `dd/mm/aaaa` (with
//!   `hh:mm` when the value has a time of day), times `hh:mm`, codes by label, the CPF/CNPJ
//!   with its mask (which Excel and LibreOffice keep as text), ids as plain digits, an empty
//!   field for a missing value; the interaction text whole, with its line breaks;
//! - a document the server sent without a valid length, which has no mask and would be
//!   pasted as a number (`0123456789` → `123456789`) or a date, gets the `'` prefix of the
//!   formula protection, as it gets the CSV's text guard;
//! - formula protection identical to the other exports ([`neutralize_formula`]): text
//!   starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'` prefix, so a
//!   pasted cell never runs as a formula;
//! - quoting as Excel reads it back: a field containing a tab, a line break or `"` is enclosed
//!   in `"` with its inner `"` doubled; other fields are written as they are. Excel's own copy
//!   leaves a field that only contains `"` unquoted, which Excel itself then misreads when the
//!   value starts with `"`; quoting it too reads back right in Excel and LibreOffice alike;
//! - line breaks inside a field as LF alone (Excel's in-cell line break; a CR would show as a
//!   box in some Excel versions), and every row, the last one included, ending with CRLF, as
//!   Excel's copy and its "Texto (separado por tabulações)" files do;
//! - UTF-8. Files start with a byte order mark (without it, Excel opening a `.tsv` reads it as
//!   Windows-1252 and breaks the accents); the clipboard text and standard output have none
//!   (a pasted BOM would land in the first cell, and programs reading a pipe do not expect
//!   one).

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{NaiveDateTime, NaiveTime, Timelike as _};

use super::columns::{Cell, CellMapper, ExportOptions, neutralize_formula};
use super::csv::excel_would_convert;
use super::{ExportError, ExportProgress, digits};
use crate::api::{Column, Followup};
use crate::results::Cancelled;

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How often (in rows) [`tsv_text`] looks at its cancel flag.
const CANCEL_CHECK_EVERY_ROWS: usize = 4_096;

/// How many bytes [`write_tsv`] gathers before handing them to its writer.
const WRITE_CHUNK_BYTES: usize = 64 * 1024;

/// Whether a TSV stream starts with the UTF-8 byte order mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bom {
    /// With the mark: files, which Excel opens as UTF-8 only with it.
    Yes,
    /// Without: the clipboard and pipes.
    No,
}

/// The rows as TSV text, for the clipboard: a header row, then one line per row, `columns` in
/// the order given (see the module documentation for values, quoting and line ends).
///
/// Codes are written by their labels, as the table shows them. Returns [`Cancelled`] soon
/// after `cancel` is set (it is looked at every few thousand rows).
pub fn tsv_text<'a>(
    rows: impl IntoIterator<Item = &'a Followup>,
    columns: &[Column],
    cancel: &AtomicBool,
) -> Result<String, Cancelled> {
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    let mut core = TsvCore::new(columns, false);
    let mut out = String::new();
    core.header(&mut out);
    for (index, row) in rows.into_iter().enumerate() {
        if index % CANCEL_CHECK_EVERY_ROWS == CANCEL_CHECK_EVERY_ROWS - 1
            && cancel.load(Ordering::Relaxed)
        {
            return Err(Cancelled);
        }
        core.row(&mut out, row);
    }
    Ok(out)
}

/// Writes `rows` as TSV to `out`, with the columns and code style of `options` and, when
/// `bom` says so, the UTF-8 byte order mark first; returns how many rows were written.
///
/// The same text as [`tsv_text`] (with labels) after the mark. Checks `progress` for
/// cancellation every [`PROGRESS_EVERY_ROWS`](super::PROGRESS_EVERY_ROWS) rows and updates
/// its count; `path` names the destination in errors.
pub fn write_tsv<'a>(
    out: &mut dyn Write,
    rows: impl Iterator<Item = &'a Followup>,
    options: &ExportOptions,
    bom: Bom,
    progress: &ExportProgress,
    path: &Path,
) -> Result<usize, ExportError> {
    let io = |e| ExportError::from_io(path, e);
    if bom == Bom::Yes {
        out.write_all(BOM).map_err(io)?;
    }
    let mut core = TsvCore::new(&options.columns, options.raw_codes);
    let mut chunk = String::with_capacity(WRITE_CHUNK_BYTES + 4 * 1024);
    core.header(&mut chunk);
    let mut written = 0;
    for row in rows {
        progress.checkpoint(written)?;
        core.row(&mut chunk, row);
        written += 1;
        if chunk.len() >= WRITE_CHUNK_BYTES {
            out.write_all(chunk.as_bytes()).map_err(io)?;
            chunk.clear();
        }
    }
    out.write_all(chunk.as_bytes()).map_err(io)?;
    out.flush().map_err(io)?;
    progress.set_rows_written(written);
    Ok(written)
}

/// The text of one TSV field (without the separators around it): `text` as is, or enclosed
/// in `"` when it contains a tab, a line break or `"`, with its `"` doubled and its line
/// breaks (CRLF, CR or LF) written as LF.
pub fn tsv_field(text: &str) -> std::borrow::Cow<'_, str> {
    if !needs_quotes(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 2);
    push_quoted(&mut out, text);
    std::borrow::Cow::Owned(out)
}

/// Whether a field must be quoted.
fn needs_quotes(text: &str) -> bool {
    text.bytes()
        .any(|b| matches!(b, b'\t' | b'\r' | b'\n' | b'"'))
}

/// Appends `text` to `out` as a TSV field.
fn push_field(out: &mut String, text: &str) {
    if needs_quotes(text) {
        push_quoted(out, text);
    } else {
        out.push_str(text);
    }
}

/// Appends `text` enclosed in `"`, inner `"` doubled, CRLF and CR written as LF.
fn push_quoted(out: &mut String, text: &str) {
    out.push('"');
    let mut rest = text;
    while let Some(at) = rest.find(['"', '\r']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix('"') {
            out.push_str("\"\"");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("\r\n") {
            out.push('\n');
            rest = after;
        } else {
            // A lone CR (the only other match).
            out.push('\n');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out.push('"');
}

/// What [`tsv_text`] and [`write_tsv`] share: the columns, the cell mapping and a scratch
/// buffer for one field.
struct TsvCore<'c> {
    columns: &'c [Column],
    mapper: CellMapper,
}

impl<'c> TsvCore<'c> {
    fn new(columns: &'c [Column], raw_codes: bool) -> TsvCore<'c> {
        TsvCore {
            columns,
            mapper: CellMapper::new(raw_codes),
        }
    }

    /// Appends the header line: the column labels.
    fn header(&self, out: &mut String) {
        for (index, column) in self.columns.iter().enumerate() {
            if index > 0 {
                out.push('\t');
            }
            push_field(out, &neutralize_formula(column.label()));
        }
        out.push_str("\r\n");
    }

    /// Appends one row's line.
    fn row(&mut self, out: &mut String, row: &Followup) {
        for (index, &column) in self.columns.iter().enumerate() {
            if index > 0 {
                out.push('\t');
            }
            match self.mapper.cell(row, column) {
                Cell::Empty => {}
                Cell::Int(value) => digits::push_int(out, value),
                // Already neutralised by the mapper.
                Cell::Text(text) => {
                    if column == Column::CpfCnpj
                        && !text.starts_with('\'')
                        && excel_would_convert(&text)
                    {
                        // A document without a mask (one of a wrong length, kept as the server
                        // sent it) would be pasted as a number, losing its leading zeros, or
                        // as a date: the `'` of the formula protection keeps it text.
                        out.push('\'');
                    }
                    push_field(out, &text);
                }
                Cell::DateTime(value) => write_datetime(out, value),
                Cell::Time(value) => write_time(out, value),
            }
        }
        out.push_str("\r\n");
    }
}

/// `29/11/2026`, or `29/11/2026 14:30` with a time of day: [`crate::fmt::datetime_br`],
/// written in place (by hand for the years 0 to 9999, several times faster than chrono's
/// format strings; chrono's own spelling for any other year).
fn write_datetime(out: &mut String, value: NaiveDateTime) {
    if digits::push_datetime_dmy(out, value).is_none() {
        out.push_str(&crate::fmt::datetime_br(value));
    }
}

/// `14:30` (`14:30:05` with seconds): [`crate::fmt::time_br`], written in place.
fn write_time(out: &mut String, value: NaiveTime) {
    digits::push_hm(out, value);
    if value.second() != 0 {
        digits::push_colon_seconds(out, value);
    }
}

#[cfg(test)]
mod tests {

    use chrono::NaiveDate;

    use super::*;
    use crate::api::FollowupFields;
    use crate::api::{SharedStr, SimNao, TipoContato};
    use crate::export::ExportFormat;

    fn not_cancelled() -> AtomicBool {
        AtomicBool::new(false)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap()
    }

    /// A row with the awkward values: a name with a tab and quotes, a multi-line text, a CPF
    /// with a leading zero.
    fn awkward_row() -> Followup {
        Followup::from(FollowupFields {
            id_followup: Some(12_345),
            nome_cliente: Some(SharedStr::from("Maria \"Mary\"\tda Silva")),
            cpf_cnpj: Some(SharedStr::from("01234567890")),
            data: NaiveDate::from_ymd_opt(2026, 11, 29).and_then(|d| d.and_hms_opt(14, 30, 0)),
            interacao: Some("Primeira linha\r\nSegunda\nTerceira\rQuarta".into()),
            tipo_contato: Some(TipoContato::WhatsApp),
            reagendar: Some(SimNao::Nao),
            ..FollowupFields::default()
        })
    }

    #[test]
    fn header_then_one_crlf_line_per_row_in_the_given_column_order() {
        let rows = [
            Followup::from(FollowupFields {
                id_followup: Some(1),
                nome_credor: Some(SharedStr::from("Banco Alfa")),
                data: Some(day(2026, 1, 5)),
                ..FollowupFields::default()
            }),
            Followup::from(FollowupFields {
                id_followup: Some(2),
                nome_credor: Some(SharedStr::from("Loja Beta")),
                data: Some(day(2026, 2, 6)),
                ..FollowupFields::default()
            }),
        ];
        let columns = [Column::Data, Column::IdFollowup, Column::NomeCredor];
        let text = tsv_text(&rows, &columns, &not_cancelled()).unwrap();
        assert_eq!(
            text,
            "Data\tID follow-up\tCredor\r\n\
             05/01/2026\t1\tBanco Alfa\r\n\
             06/02/2026\t2\tLoja Beta\r\n"
        );
    }

    #[test]
    fn zero_rows_give_the_header_only() {
        let text = tsv_text(
            std::iter::empty(),
            &[Column::IdFollowup, Column::CpfCnpj],
            &not_cancelled(),
        )
        .unwrap();
        assert_eq!(text, "ID follow-up\tCPF/CNPJ\r\n");
    }

    #[test]
    fn tabs_quotes_and_line_breaks_are_quoted_as_excel_reads_them() {
        let row = awkward_row();
        let text = tsv_text(
            [&row],
            &[Column::NomeCliente, Column::Interacao, Column::IdFollowup],
            &not_cancelled(),
        )
        .unwrap();
        let line = text.split_once("\r\n").unwrap().1;
        assert_eq!(
            line,
            "\"Maria \"\"Mary\"\"\tda Silva\"\t\
             \"Primeira linha\nSegunda\nTerceira\nQuarta\"\t12345\r\n"
        );
        // The only CRLFs are the two row ends: no line break inside a field is a CRLF.
        assert_eq!(text.matches("\r\n").count(), 2);
        assert!(!text.replace("\r\n", "").contains('\r'));
    }

    #[test]
    fn a_field_with_only_quotes_is_quoted_and_plain_fields_are_not() {
        assert_eq!(tsv_field("Olá"), "Olá");
        assert_eq!(tsv_field(""), "");
        assert_eq!(
            tsv_field("O'Brien; vírgula, ponto."),
            "O'Brien; vírgula, ponto."
        );
        assert_eq!(tsv_field("\"entre aspas\""), "\"\"\"entre aspas\"\"\"");
        assert_eq!(tsv_field("diz \"oi\""), "\"diz \"\"oi\"\"\"");
        assert_eq!(tsv_field("a\tb"), "\"a\tb\"");
        assert_eq!(tsv_field("a\r\n\r\nb\n"), "\"a\n\nb\n\"");
    }

    #[test]
    fn values_are_as_on_screen_masked_cpf_dates_and_code_labels() {
        let row = awkward_row();
        let columns = [
            Column::CpfCnpj,
            Column::Data,
            Column::TipoContato,
            Column::Reagendar,
        ];
        let text = tsv_text([&row], &columns, &not_cancelled()).unwrap();
        assert_eq!(
            text.lines().nth(1),
            Some("012.345.678-90\t29/11/2026 14:30\tWhatsApp\tNão")
        );
    }

    #[test]
    fn every_cell_of_the_demo_data_is_the_tables_text() {
        // The simulator's rows cover every column, empty values, times with and without
        // seconds, reschedules and multi-line texts. Fields without quotes or formula
        // characters must be exactly what `field_br` (the table and the details pane) shows.
        let rows = crate::sim::huge_history_rows(3_000);
        let text = tsv_text(&rows, &Column::ALL, &not_cancelled()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.len(), rows.len() + 2, "header, rows, empty tail");
        assert_eq!(lines.last(), Some(&""));
        let mut compared = 0;
        for (row, line) in rows.iter().zip(&lines[1..]) {
            if line.contains('"') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), Column::ALL.len());
            for (column, field) in Column::ALL.iter().zip(fields) {
                assert_eq!(
                    *field,
                    neutralize_formula(&row.field_br(*column)),
                    "{column:?}"
                );
                compared += 1;
            }
        }
        assert!(compared > 20_000, "most rows compared: {compared}");
    }

    #[test]
    fn formula_like_text_gets_the_exports_prefix() {
        for (raw, shown) in [
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+55 11 99999-0000", "'+55 11 99999-0000"),
            ("-3 parcelas", "'-3 parcelas"),
            ("@SOMA(A1)", "'@SOMA(A1)"),
            ("\tcomeça com tab", "\"'\tcomeça com tab\""),
            ("\rcomeça com CR", "\"'\ncomeça com CR\""),
            ("sem perigo = 1", "sem perigo = 1"),
        ] {
            let row = Followup::from(FollowupFields {
                interacao: Some(raw.into()),
                ..FollowupFields::default()
            });
            let text = tsv_text([&row], &[Column::Interacao], &not_cancelled()).unwrap();
            assert_eq!(text, format!("Interação\r\n{shown}\r\n"), "{raw:?}");
            assert_eq!(
                shown.trim_matches('"').starts_with('\''),
                neutralize_formula(raw).starts_with('\''),
                "same rule as the exports for {raw:?}"
            );
        }
    }

    #[test]
    fn an_unmasked_number_like_document_stays_text() {
        let doc = |raw: &str| {
            Followup::from(FollowupFields {
                cpf_cnpj: Some(SharedStr::from(raw)),
                ..FollowupFields::default()
            })
        };
        let rows = [
            doc("0123456789"),
            doc("01/02/2026"),
            doc("52998224725"),
            doc("11222333000181"),
            doc("sem documento"),
            doc("-12"),
        ];
        let text = tsv_text(&rows, &[Column::CpfCnpj], &not_cancelled()).unwrap();
        assert_eq!(
            text,
            "CPF/CNPJ\r\n'0123456789\r\n'01/02/2026\r\n529.982.247-25\r\n\
             11.222.333/0001-81\r\nsem documento\r\n'-12\r\n"
        );
    }

    #[test]
    fn empty_cells_keep_their_place() {
        let row = Followup::from(FollowupFields {
            id_followup: Some(9),
            ..FollowupFields::default()
        });
        let columns = [
            Column::NomeCliente,
            Column::IdFollowup,
            Column::Data,
            Column::HorarioReagendamento,
        ];
        let text = tsv_text([&row], &columns, &not_cancelled()).unwrap();
        assert_eq!(text.lines().nth(1), Some("\t9\t\t"));
    }

    #[test]
    fn times_show_seconds_only_when_not_zero() {
        let row = |h, m, s| {
            Followup::from(FollowupFields {
                horario_reagendamento: NaiveTime::from_hms_opt(h, m, s),
                ..FollowupFields::default()
            })
        };
        let rows = [row(9, 5, 0), row(9, 5, 7)];
        let text = tsv_text(&rows, &[Column::HorarioReagendamento], &not_cancelled()).unwrap();
        assert_eq!(text, "Horário do reagendamento\r\n09:05\r\n09:05:07\r\n");
    }

    #[test]
    fn dates_and_times_are_spelled_as_the_table_spells_them() {
        let days = [
            (1, 1, 1),
            (999, 12, 31),
            (2026, 2, 28),
            (9999, 12, 31),
            (10_000, 1, 1),
            (-1, 6, 15),
        ];
        for (y, m, d) in days {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            for (h, min, sec) in [(0, 0, 0), (0, 0, 1), (9, 5, 0), (23, 59, 59)] {
                let value = day.and_hms_opt(h, min, sec).unwrap();
                let mut out = String::new();
                write_datetime(&mut out, value);
                assert_eq!(out, crate::fmt::datetime_br(value), "{value}");
                out.clear();
                write_time(&mut out, value.time());
                assert_eq!(out, crate::fmt::time_br(value.time()), "{value}");
            }
        }
    }

    #[test]
    fn a_set_flag_cancels_before_and_during_the_work() {
        let rows = crate::sim::huge_history_rows(10);
        let cancel = AtomicBool::new(true);
        assert_eq!(tsv_text(&rows, &Column::ALL, &cancel), Err(Cancelled));

        // Set while the rows are being read: the text stops within a few thousand rows.
        let cancel = AtomicBool::new(false);
        let seen = std::cell::Cell::new(0_usize);
        let row = Followup::default();
        let many = std::iter::repeat_n(&row, 1_000_000).inspect(|_| {
            seen.set(seen.get() + 1);
            if seen.get() == 10_000 {
                cancel.store(true, Ordering::Relaxed);
            }
        });
        assert_eq!(tsv_text(many, &Column::ALL, &cancel), Err(Cancelled));
        assert!(
            seen.get() < 10_000 + 2 * CANCEL_CHECK_EVERY_ROWS,
            "{}",
            seen.get()
        );
    }

    #[test]
    fn the_stream_is_the_text_after_an_optional_bom_and_follows_raw_codes() {
        let rows = crate::sim::huge_history_rows(2_500);
        let columns = vec![Column::Interacao, Column::TipoContato, Column::CpfCnpj];
        let options = ExportOptions {
            columns: columns.clone(),
            ..ExportOptions::new(ExportFormat::Tsv)
        };
        let text = tsv_text(&rows, &columns, &not_cancelled()).unwrap();
        for (bom, prefix) in [(Bom::Yes, BOM), (Bom::No, &b""[..])] {
            let mut out = Vec::new();
            let progress = ExportProgress::new();
            let written = write_tsv(
                &mut out,
                rows.iter(),
                &options,
                bom,
                &progress,
                Path::new("x.tsv"),
            )
            .unwrap();
            assert_eq!(written, rows.len());
            assert_eq!(progress.rows_written(), rows.len());
            assert_eq!(out, [prefix, text.as_bytes()].concat());
        }

        let raw = ExportOptions {
            raw_codes: true,
            ..options
        };
        let mut out = Vec::new();
        write_tsv(
            &mut out,
            rows.iter(),
            &raw,
            Bom::No,
            &ExportProgress::new(),
            Path::new("x.tsv"),
        )
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        let codes: Vec<&str> = out
            .lines()
            .filter_map(|line| line.split('\t').nth(1))
            .skip(1)
            .filter(|code| !code.is_empty())
            .collect();
        assert!(!codes.is_empty());
        assert!(codes.iter().all(|code| code.len() == 1), "{codes:?}");
    }

    #[test]
    fn a_cancelled_export_stops_writing() {
        let rows = crate::sim::huge_history_rows(5_000);
        let progress = ExportProgress::new();
        progress.cancel();
        let mut out = Vec::new();
        let result = write_tsv(
            &mut out,
            rows.iter(),
            &ExportOptions::new(ExportFormat::Tsv),
            Bom::Yes,
            &progress,
            Path::new("x.tsv"),
        );
        assert!(matches!(result, Err(ExportError::Cancelled)), "{result:?}");
    }
}
