//! The mapping shared by the spreadsheet formats: which columns, in what order, and what each
//! cell holds.
//!
//! Every format asks [`CellMapper::cell`] for a row's value in a column and only decides how to
//! spell it. The rules that matter for analysts live here:
//! - ids are numbers; dates and times keep their type;
//! - the CPF/CNPJ is text with its mask (`012.345.678-90`), so leading zeros survive;
//! - codes are Portuguese labels (`WhatsApp`), or the raw letters with
//!   [`ExportOptions::raw_codes`];
//! - text that a spreadsheet would read as a formula is neutralised ([`neutralize_formula`]).

use std::borrow::Cow;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::api::{Column, Followup, SharedStr, Value};
use crate::doc_id;

/// The file formats an export can write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// An Excel workbook (`.xlsx`): typed cells, bold frozen header, autofilter.
    #[default]
    Xlsx,
    /// Delimited text (`.csv`), by default in the dialect Excel pt-BR opens with a double click.
    Csv,
    /// The API's own JSON (`.json`): every field, wire names and formats.
    Json,
    /// Tab-separated text (`.tsv`) as Excel writes it: the values as the table shows them.
    Tsv,
}

impl ExportFormat {
    /// Every format, in the order a file dialog lists them.
    pub const ALL: [ExportFormat; 4] = [
        ExportFormat::Xlsx,
        ExportFormat::Csv,
        ExportFormat::Json,
        ExportFormat::Tsv,
    ];

    /// The format for a file name's extension (case-insensitive): `relatorio.XLSX` → `Xlsx`.
    pub fn from_path(path: &Path) -> Option<ExportFormat> {
        let extension = path.extension()?.to_str()?;
        ExportFormat::ALL
            .into_iter()
            .find(|format| format.extension().eq_ignore_ascii_case(extension))
    }

    /// The file extension, without the dot: `"xlsx"`.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
            ExportFormat::Tsv => "tsv",
        }
    }

    /// The name shown to users, e.g. in a file dialog filter.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "Planilha do Excel (.xlsx)",
            ExportFormat::Csv => "CSV (.csv)",
            ExportFormat::Json => "JSON (.json)",
            ExportFormat::Tsv => "TSV, texto separado por tabulação (.tsv)",
        }
    }
}

/// The field separator of a CSV export, which also picks the dialect.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CsvSeparator {
    /// `;`: what Excel pt-BR and LibreOffice in Portuguese expect. UTF-8 with BOM, CRLF,
    /// Brazilian dates (`29/11/2026`, `29/11/2026 14:30`) and times (`14:30`).
    #[default]
    Semicolon,
    /// `,`: for other tools (pandas, databases, scripts). Plain UTF-8 without BOM, CRLF,
    /// ISO dates (`2026-11-29`, `2026-11-29 14:30:00`) and times (`14:30:00`).
    Comma,
}

impl CsvSeparator {
    /// The separator byte.
    pub fn byte(self) -> u8 {
        match self {
            CsvSeparator::Semicolon => b';',
            CsvSeparator::Comma => b',',
        }
    }
}

/// What to export and how: the format, the columns and their order, and format details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// The file format.
    pub format: ExportFormat,
    /// Which columns, in what order (XLSX and CSV; JSON always writes every field).
    pub columns: Vec<Column>,
    /// Codes as the API's letters (`W`) instead of Portuguese labels (`WhatsApp`).
    pub raw_codes: bool,
    /// The CSV separator and dialect.
    pub csv_separator: CsvSeparator,
    /// XLSX only: a summary sheet per dimension ("Resumo por consultor"…) after the data
    /// sheets, summarizing the rows written (see [`super::summary`]). Empty by default.
    pub summary: Vec<crate::analysis::summary::Dimension>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            format: ExportFormat::default(),
            columns: Column::ALL.to_vec(),
            raw_codes: false,
            csv_separator: CsvSeparator::default(),
            summary: Vec::new(),
        }
    }
}

impl ExportOptions {
    /// The default options for one format: all 20 columns, labels, `;` separator.
    pub fn new(format: ExportFormat) -> ExportOptions {
        ExportOptions {
            format,
            ..ExportOptions::default()
        }
    }
}

/// One cell of an export, typed; each format decides how to spell it.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    /// Nothing (null or missing).
    Empty,
    /// An integer (ids).
    Int(i64),
    /// Text, already neutralised against formula injection.
    Text(Cow<'a, str>),
    /// A date and time; midnight means "date only".
    DateTime(NaiveDateTime),
    /// A time of day.
    Time(NaiveTime),
}

/// Prefixes text that a spreadsheet would take for a formula with a single quote (`'`).
///
/// Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula (or becomes
/// one when a cell is edited) in Excel and LibreOffice; the OWASP guidance on CSV injection is
/// to prefix such cells with `'`. The quote stays visible in the file, in both formats, so a
/// value means the same wherever it is opened.
pub fn neutralize_formula(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Maps rows to cells for one export, remembering the last formatted CPF/CNPJ (consecutive
/// rows usually belong to the same debtor and share one string).
#[derive(Debug)]
pub struct CellMapper {
    raw_codes: bool,
    /// The document last formatted, and its cell text in `last_formatted`.
    last_doc: Option<SharedStr>,
    last_formatted: String,
}

impl CellMapper {
    /// A mapper for codes as labels, or as raw letters when `raw_codes`.
    pub fn new(raw_codes: bool) -> CellMapper {
        CellMapper {
            raw_codes,
            last_doc: None,
            last_formatted: String::with_capacity(18),
        }
    }

    /// The cell for `row` in `column`.
    pub fn cell<'a>(&'a mut self, row: &'a Followup, column: Column) -> Cell<'a> {
        if column == Column::CpfCnpj {
            let Some(raw) = row.cpf_cnpj() else {
                return Cell::Empty;
            };
            let cached = matches!(&self.last_doc, Some(last) if SharedStr::ptr_eq(last, raw) || **last == **raw);
            if !cached {
                self.last_formatted.clear();
                match doc_id::Masked::of(raw) {
                    // A mask starts with a digit or a letter: never a formula.
                    Some(masked) => self.last_formatted.push_str(masked.as_str()),
                    None => self.last_formatted.push_str(&neutralize_formula(raw)),
                }
                self.last_doc = Some(raw.clone());
            }
            return Cell::Text(Cow::Borrowed(&self.last_formatted));
        }
        match row.value(column) {
            Value::Empty => Cell::Empty,
            Value::Int(value) => Cell::Int(value),
            Value::Text(text) => Cell::Text(neutralize_formula(text)),
            Value::Code(code, label) => Cell::Text(neutralize_formula(if self.raw_codes {
                code
            } else {
                label
            })),
            Value::DateTime(value) => Cell::DateTime(value),
            Value::Time(value) => Cell::Time(value),
        }
    }
}

/// The suggested file name: `followups_credor-12_2026-11-29.xlsx`.
///
/// It holds no personal data (no debtor name or document), only the creditor id and the day.
pub fn default_file_name(id_credor: i64, today: NaiveDate, format: ExportFormat) -> String {
    format!(
        "followups_credor-{id_credor}_{}.{}",
        today.format("%Y-%m-%d"),
        format.extension()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FollowupFields;
    use crate::api::{SimNao, TipoContato};

    #[test]
    fn format_comes_from_the_extension_in_any_case() {
        assert_eq!(
            ExportFormat::from_path(Path::new("a/b.XLSX")),
            Some(ExportFormat::Xlsx)
        );
        assert_eq!(
            ExportFormat::from_path(Path::new("b.Csv")),
            Some(ExportFormat::Csv)
        );
        assert_eq!(
            ExportFormat::from_path(Path::new("b.json")),
            Some(ExportFormat::Json)
        );
        assert_eq!(
            ExportFormat::from_path(Path::new("c.TSV")),
            Some(ExportFormat::Tsv)
        );
        assert_eq!(ExportFormat::from_path(Path::new("b.xls")), None);
        assert_eq!(ExportFormat::from_path(Path::new("xlsx")), None);
        for format in ExportFormat::ALL {
            let name = format!("x.{}", format.extension());
            assert_eq!(ExportFormat::from_path(Path::new(&name)), Some(format));
        }
    }

    #[test]
    fn default_options_export_every_column_as_labels() {
        let options = ExportOptions::default();
        assert_eq!(options.columns, Column::ALL.to_vec());
        assert!(!options.raw_codes);
        assert_eq!(options.csv_separator, CsvSeparator::Semicolon);
        assert_eq!(options.format, ExportFormat::Xlsx);
    }

    #[test]
    fn formula_like_text_is_prefixed() {
        for text in ["=1+1", "+55 11", "-3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralize_formula(text), format!("'{text}"));
        }
        for text in ["", "Olá", "1+1", " =x", "'já"] {
            assert_eq!(neutralize_formula(text), text);
        }
    }

    #[test]
    fn cells_are_typed_and_codes_follow_the_option() {
        let row = Followup::from(FollowupFields {
            id_followup: Some(7),
            cpf_cnpj: Some(SharedStr::from("01234567890")),
            tipo_contato: Some(TipoContato::WhatsApp),
            reagendar: Some(SimNao::Nao),
            interacao: Some("=HYPERLINK(\"x\")".into()),
            ..FollowupFields::default()
        });
        let mut labels = CellMapper::new(false);
        assert_eq!(labels.cell(&row, Column::IdFollowup), Cell::Int(7));
        assert_eq!(
            labels.cell(&row, Column::CpfCnpj),
            Cell::Text("012.345.678-90".into())
        );
        assert_eq!(
            labels.cell(&row, Column::TipoContato),
            Cell::Text("WhatsApp".into())
        );
        assert_eq!(
            labels.cell(&row, Column::Reagendar),
            Cell::Text("Não".into())
        );
        assert_eq!(
            labels.cell(&row, Column::Interacao),
            Cell::Text("'=HYPERLINK(\"x\")".into())
        );
        assert_eq!(labels.cell(&row, Column::Data), Cell::Empty);
        let mut raw = CellMapper::new(true);
        assert_eq!(raw.cell(&row, Column::TipoContato), Cell::Text("W".into()));
    }

    #[test]
    fn documents_are_masked_row_after_row_and_odd_ones_kept_but_neutralised() {
        let row = |doc: Option<&str>| {
            Followup::from(FollowupFields {
                cpf_cnpj: doc.map(SharedStr::from),
                ..FollowupFields::default()
            })
        };
        let mut mapper = CellMapper::new(false);
        for (doc, expected) in [
            (Some("52998224725"), Cell::Text("529.982.247-25".into())),
            (
                Some("11222333000181"),
                Cell::Text("11.222.333/0001-81".into()),
            ),
            (Some("52998224725"), Cell::Text("529.982.247-25".into())),
            (None, Cell::Empty),
            (
                Some("12abc34501de35"),
                Cell::Text("12.ABC.345/01DE-35".into()),
            ),
            (Some("=1+1"), Cell::Text("'=1+1".into())),
            (Some("-123"), Cell::Text("'-123".into())),
            (Some("123"), Cell::Text("123".into())),
            (Some(""), Cell::Text("".into())),
            (Some("529.982.247-25"), Cell::Text("529.982.247-25".into())),
        ] {
            assert_eq!(mapper.cell(&row(doc), Column::CpfCnpj), expected, "{doc:?}");
        }
    }

    #[test]
    fn default_name_has_creditor_and_day_only() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert_eq!(
            default_file_name(12, day, ExportFormat::Xlsx),
            "followups_credor-12_2026-11-29.xlsx"
        );
        assert_eq!(
            default_file_name(3, day, ExportFormat::Csv),
            "followups_credor-3_2026-11-29.csv"
        );
    }
}
