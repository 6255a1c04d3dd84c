//! Reading a list of CPF/CNPJs: pasted text or a `.txt`, `.csv` or spreadsheet file.
//!
//! Every entry goes through [`CpfCnpj::parse`], the rules of the single field: a wrong length
//! or character makes it invalid (reported with its line), a wrong check digit is only a
//! warning (the document is still queried). Repeated documents are queried once.
//!
//! Entries are separated by line breaks, `;`, `,`, tabs or spaces. A masked CNPJ contains
//! `.`, `/` and `-` but never a separator, so `11.222.333/0001-81` stays whole.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::doc_id::CpfCnpj;

/// An entry of the list that cannot be queried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidEntry {
    /// The 1-based line (pasted text) or row (file) it is on.
    pub line: usize,
    /// The entry as it was written.
    pub text: String,
    /// Why it is invalid, in Portuguese.
    pub message: String,
}

/// A list of documents, normalised and checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocumentList {
    /// The documents to query, each once, in the order they first appear.
    pub valid: Vec<CpfCnpj>,
    /// The 1-based lines of the entries in `valid` whose check digits do not match (a
    /// warning only: they are queried).
    pub warned: Vec<usize>,
    /// The entries that cannot be queried, in order.
    pub invalid: Vec<InvalidEntry>,
    /// How many entries repeated a document already in `valid` (dropped).
    pub duplicates: usize,
    /// The header skipped at the top (`CPF`, `cpf_cnpj`…), if there was one.
    pub header: Option<String>,
}

impl DocumentList {
    /// The counts in one line, for a status label:
    /// `2.000 válidos · 3 com aviso de dígito · 2 inválidos · 5 repetidos`.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!(
            "{} {}",
            crate::fmt::thousands(self.valid.len() as u64),
            if self.valid.len() == 1 {
                "válido"
            } else {
                "válidos"
            }
        )];
        if !self.warned.is_empty() {
            parts.push(format!(
                "{} com aviso de dígito",
                crate::fmt::thousands(self.warned.len() as u64)
            ));
        }
        if !self.invalid.is_empty() {
            parts.push(format!(
                "{} {}",
                crate::fmt::thousands(self.invalid.len() as u64),
                if self.invalid.len() == 1 {
                    "inválido"
                } else {
                    "inválidos"
                }
            ));
        }
        if self.duplicates > 0 {
            parts.push(format!(
                "{} {}",
                crate::fmt::thousands(self.duplicates as u64),
                if self.duplicates == 1 {
                    "repetido"
                } else {
                    "repetidos"
                }
            ));
        }
        parts.join(" · ")
    }

    /// Adds one entry found on `line`.
    fn push(&mut self, seen: &mut HashSet<String>, line: usize, entry: &str) {
        match parse_entry(entry) {
            Ok(doc) => {
                if !seen.insert(doc.normalized().to_owned()) {
                    self.duplicates += 1;
                    return;
                }
                if !doc.check_digits_ok() {
                    self.warned.push(line);
                }
                self.valid.push(doc);
            }
            Err(message) => self.invalid.push(InvalidEntry {
                line,
                text: entry.to_owned(),
                message,
            }),
        }
    }
}

/// Reads a pasted list: one document per line, or separated by `;`, `,`, tabs or spaces (a
/// column copied from Excel works as is). A first line with letters and no digit at all
/// (`CPF`, `cpf_cnpj`, `Documento do devedor`) is taken as a header and skipped.
pub fn parse_document_list(text: &str) -> DocumentList {
    let mut list = DocumentList::default();
    let mut seen = HashSet::new();
    let mut first = true;
    for (index, line) in text.lines().enumerate() {
        let entries: Vec<&str> = split_entries(line).collect();
        if entries.is_empty() {
            continue;
        }
        if std::mem::take(&mut first) && is_header(&entries) {
            list.header = Some(line.trim().to_owned());
            continue;
        }
        for entry in entries {
            list.push(&mut seen, index + 1, entry);
        }
    }
    list
}

/// The entries of one line: split on `;`, `,` and whitespace, quotes around them removed.
fn split_entries(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c == ';' || c == ',' || c.is_whitespace())
        .map(|entry| entry.trim_matches(|c| c == '"' || c == '\''))
        .filter(|entry| !entry.is_empty())
}

/// Whether the entries of a first line are a header: letters, and no digit anywhere (every
/// CPF and CNPJ has digits).
fn is_header(entries: &[&str]) -> bool {
    entries.iter().any(|e| e.chars().any(char::is_alphabetic))
        && !entries
            .iter()
            .any(|e| e.chars().any(|c| c.is_ascii_digit()))
}

/// Parses one entry with the single field's rules. A number that lost its leading zeros in a
/// spreadsheet (`1234567890` for `012.345.678-90`) is completed only when the check digits
/// then match; otherwise the original error stands.
fn parse_entry(entry: &str) -> Result<CpfCnpj, String> {
    match CpfCnpj::parse(entry) {
        Ok(doc) => Ok(doc),
        Err(error) => {
            let digits = entry.len();
            if entry.bytes().all(|b| b.is_ascii_digit()) && matches!(digits, 8..=10 | 12 | 13) {
                let width = if digits <= 10 { 11 } else { 14 };
                if let Ok(doc) = CpfCnpj::parse(&format!("{entry:0>width$}"))
                    && doc.check_digits_ok()
                {
                    return Ok(doc);
                }
            }
            Err(error.to_string())
        }
    }
}

/// Why a list file cannot be read, in Portuguese.
#[derive(Debug, thiserror::Error)]
pub enum BatchInputError {
    /// Not `.txt`, `.csv` or a spreadsheet.
    #[error(
        "Formato de arquivo não suportado ({name}): use .txt, .csv ou .xlsx (planilha do Excel)."
    )]
    UnsupportedFormat {
        /// The file's name.
        name: String,
    },
    /// The file could not be read.
    #[error("Não foi possível ler {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The CSV could not be read.
    #[error("O CSV {path} não pôde ser lido: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The spreadsheet could not be read.
    #[error("A planilha {path} não pôde ser lida: {message}")]
    Spreadsheet {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Nothing in the file.
    #[error("O arquivo {path} está vazio.")]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// A list file read into a table of text cells, so that a caller can pick the column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentFile {
    /// The column names: the header's cells, or `Coluna A`, `Coluna B`… without a header.
    pub columns: Vec<String>,
    /// Whether the first row is a header (then `rows[0]` is that header).
    pub has_header: bool,
    /// Every row as text cells, the header included; rows may be shorter than `columns`.
    pub rows: Vec<Vec<String>>,
}

impl DocumentFile {
    /// Builds the table from rows of cells, detecting a header row.
    fn from_rows(mut rows: Vec<Vec<String>>) -> DocumentFile {
        // Trailing empty rows and cells carry nothing.
        for row in &mut rows {
            while row.last().is_some_and(|c| c.trim().is_empty()) {
                row.pop();
            }
        }
        while rows.last().is_some_and(Vec::is_empty) {
            rows.pop();
        }
        let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let has_header = rows.first().is_some_and(|first| {
            first.iter().any(|c| c.chars().any(char::is_alphabetic))
                && !first.iter().any(|c| CpfCnpj::parse(c).is_ok())
        });
        let columns = (0..width)
            .map(|index| {
                let name = if has_header {
                    rows[0].get(index).map(|c| c.trim()).unwrap_or_default()
                } else {
                    ""
                };
                if name.is_empty() {
                    format!("Coluna {}", column_letters(index))
                } else {
                    name.to_owned()
                }
            })
            .collect();
        DocumentFile {
            columns,
            has_header,
            rows,
        }
    }

    /// The column's cells, one per line, header included (so that line numbers are the
    /// file's rows): text to put in the list box.
    pub fn column_text(&self, index: usize) -> String {
        let mut text = String::new();
        for row in &self.rows {
            text.push_str(row.get(index).map(String::as_str).unwrap_or_default());
            text.push('\n');
        }
        text
    }

    /// The documents of one column, with line numbers counted as the file's rows.
    pub fn list_for_column(&self, index: usize) -> DocumentList {
        let mut list = DocumentList::default();
        let mut seen = HashSet::new();
        for (row_index, row) in self.rows.iter().enumerate() {
            let cell = row.get(index).map(String::as_str).unwrap_or_default();
            if row_index == 0 && self.has_header {
                list.header = Some(cell.trim().to_owned()).filter(|h| !h.is_empty());
                continue;
            }
            for entry in split_entries(cell) {
                list.push(&mut seen, row_index + 1, entry);
            }
        }
        list
    }

    /// The column to offer first: the one whose name mentions CPF, CNPJ or documento, else
    /// the one with the most valid documents (the first on a tie).
    pub fn suggested_column(&self) -> usize {
        let by_name = self.columns.iter().position(|name| {
            let name = crate::results::fold(name);
            ["cpf", "cnpj", "documento"]
                .iter()
                .any(|word| name.contains(word))
        });
        if let Some(index) = by_name {
            return index;
        }
        let mut best = (0, 0);
        for index in 0..self.columns.len() {
            let valid = self.list_for_column(index).valid.len();
            if valid > best.1 {
                best = (index, valid);
            }
        }
        best.0
    }
}

/// `A`, `B`, … `Z`, `AA`, … as spreadsheets name columns.
fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// The extensions [`read_document_file`] reads (compared without regard to case).
pub const LIST_FILE_EXTENSIONS: [&str; 6] = ["xlsx", "xlsm", "xls", "ods", "csv", "txt"];

/// Whether [`read_document_file`] reads files with this path's extension.
pub fn is_list_file(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        LIST_FILE_EXTENSIONS
            .iter()
            .any(|known| e.eq_ignore_ascii_case(known))
    })
}

/// Reads a list file: `.txt` (one column: the whole text), `.csv` (`;`, `,` or tab,
/// detected; UTF-8, else Windows-1252 as Excel saves it) or a spreadsheet (`.xlsx`, `.xlsm`,
/// `.xls`, `.ods`; the first sheet).
///
/// [`LIST_FILE_EXTENSIONS`] are the extensions it reads.
pub fn read_document_file(path: &Path) -> Result<DocumentFile, BatchInputError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let file = match extension.as_str() {
        "txt" | "csv" => {
            let bytes = std::fs::read(path).map_err(|source| BatchInputError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let text = decode_text(&bytes);
            if extension == "txt" {
                DocumentFile {
                    columns: vec!["Lista".to_owned()],
                    has_header: false,
                    rows: text.lines().map(|line| vec![line.to_owned()]).collect(),
                }
            } else {
                DocumentFile::from_rows(read_csv_rows(&text, path)?)
            }
        }
        "xlsx" | "xlsm" | "xls" | "ods" => DocumentFile::from_rows(read_sheet_rows(path)?),
        _ => {
            return Err(BatchInputError::UnsupportedFormat {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            });
        }
    };
    if file
        .rows
        .iter()
        .all(|row| row.iter().all(|c| c.trim().is_empty()))
    {
        return Err(BatchInputError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(file)
}

/// UTF-8 (a BOM dropped), else Windows-1252.
fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

fn read_csv_rows(text: &str, path: &Path) -> Result<Vec<Vec<String>>, BatchInputError> {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|&d| first_line.bytes().filter(|&b| b == d).count())
        .filter(|&d| first_line.as_bytes().contains(&d))
        .unwrap_or(b';');
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| BatchInputError::Csv {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(rows)
}

fn read_sheet_rows(path: &Path) -> Result<Vec<Vec<String>>, BatchInputError> {
    use calamine::Reader as _;
    let spreadsheet_error = |message: String| BatchInputError::Spreadsheet {
        path: path.to_path_buf(),
        message,
    };
    let mut workbook =
        calamine::open_workbook_auto(path).map_err(|e| spreadsheet_error(e.to_string()))?;
    let Some(range) = workbook.worksheet_range_at(0) else {
        return Err(spreadsheet_error("a planilha não tem abas.".to_owned()));
    };
    let range = range.map_err(|e| spreadsheet_error(e.to_string()))?;
    // Rows before the used range's start are empty in the file: keep row numbers true.
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); first_row as usize];
    for row in range.rows() {
        let mut cells = vec![String::new(); first_column as usize];
        cells.extend(row.iter().map(cell_text));
        rows.push(cells);
    }
    Ok(rows)
}

/// A cell as text; whole numbers without a decimal part (a CPF typed as a number).
fn cell_text(cell: &calamine::Data) -> String {
    match cell {
        calamine::Data::Empty => String::new(),
        calamine::Data::String(text) => text.clone(),
        calamine::Data::Float(value) if value.fract() == 0.0 && value.abs() < 1e15 => {
            format!("{value:.0}")
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_pasted_from_excel_with_a_header() {
        let list = parse_document_list("CPF\r\n529.982.247-25\r\n11.222.333/0001-81\r\n\r\n");
        assert_eq!(list.header.as_deref(), Some("CPF"));
        assert_eq!(list.valid.len(), 2);
        assert_eq!(list.valid[1].normalized(), "11222333000181");
        assert!(list.invalid.is_empty() && list.warned.is_empty());
        assert_eq!(list.summary(), "2 válidos");
    }

    #[test]
    fn every_separator_and_every_kind_of_entry() {
        let text = "cpf_cnpj\n\
                    52998224725; 11.222.333/0001-81,12.abc.345/01de-35\t\"529.982.247-24\"\n\
                    123 529.982.247-25\n\
                    1234567890X\n";
        let list = parse_document_list(text);
        assert_eq!(list.header.as_deref(), Some("cpf_cnpj"));
        let docs: Vec<_> = list.valid.iter().map(CpfCnpj::normalized).collect();
        assert_eq!(
            docs,
            [
                "52998224725",
                "11222333000181",
                "12ABC34501DE35",
                "52998224724"
            ]
        );
        assert_eq!(list.warned, [2], "the wrong check digit is on line 2");
        assert_eq!(list.duplicates, 1);
        let invalid: Vec<_> = list
            .invalid
            .iter()
            .map(|e| (e.line, e.text.as_str()))
            .collect();
        assert_eq!(invalid, [(3, "123"), (4, "1234567890X")]);
        assert!(list.invalid[0].message.contains("3 caracteres"));
        assert_eq!(
            list.summary(),
            "4 válidos · 1 com aviso de dígito · 2 inválidos · 1 repetido"
        );
    }

    #[test]
    fn a_first_line_with_digits_is_data_not_a_header() {
        let list = parse_document_list("12345\n52998224725");
        assert_eq!(list.header, None);
        assert_eq!(list.invalid.len(), 1);
        assert_eq!(list.invalid[0].line, 1);
    }

    #[test]
    fn leading_zeros_lost_in_a_spreadsheet_are_restored_only_when_the_digits_match() {
        // 012.345.678-90 is a valid CPF; a spreadsheet shows it as 1234567890.
        let valid_cpf = "01234567890";
        assert!(CpfCnpj::parse(valid_cpf).unwrap().check_digits_ok());
        let list = parse_document_list("1234567890\n1234567891");
        assert_eq!(list.valid.len(), 1);
        assert_eq!(list.valid[0].normalized(), valid_cpf);
        assert_eq!(list.invalid.len(), 1);
        assert!(list.invalid[0].message.contains("10 caracteres"));
    }

    #[test]
    fn a_csv_file_with_several_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lista.csv");
        std::fs::write(
            &path,
            "\u{feff}Nome;Documento do devedor;Valor\nJoão;529.982.247-25;10,5\nMaria;11.222.333/0001-81;3\n",
        )
        .unwrap();
        let file = read_document_file(&path).unwrap();
        assert_eq!(file.columns, ["Nome", "Documento do devedor", "Valor"]);
        assert!(file.has_header);
        assert_eq!(file.suggested_column(), 1);
        let list = file.list_for_column(1);
        assert_eq!(list.valid.len(), 2);
        assert_eq!(list.header.as_deref(), Some("Documento do devedor"));
        let names = file.list_for_column(0);
        assert_eq!(names.invalid[0].line, 2);
        assert!(file.column_text(1).starts_with("Documento do devedor\n529"));
    }

    #[test]
    fn a_headerless_csv_in_windows_1252_picks_the_column_with_documents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lista.csv");
        // "José" in Windows-1252.
        std::fs::write(&path, b"Jos\xe9,52998224725\nAna,11222333000181\n").unwrap();
        let file = read_document_file(&path).unwrap();
        assert!(!file.has_header);
        assert_eq!(file.columns, ["Coluna A", "Coluna B"]);
        assert_eq!(file.rows[0][0], "José");
        assert_eq!(file.suggested_column(), 1);
        assert_eq!(file.list_for_column(1).valid.len(), 2);
    }

    #[test]
    fn a_txt_file_is_one_list() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lista.txt");
        std::fs::write(&path, "CPF\n52998224725;11222333000181\n").unwrap();
        let file = read_document_file(&path).unwrap();
        assert_eq!(file.columns, ["Lista"]);
        assert_eq!(parse_document_list(&file.column_text(0)).valid.len(), 2);
        assert_eq!(file.list_for_column(0).valid.len(), 2);
    }

    #[test]
    fn an_xlsx_file_with_numeric_documents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lista.xlsx");
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "Devedor").unwrap();
        sheet.write_string(0, 1, "CPF/CNPJ").unwrap();
        sheet.write_string(1, 0, "Ana").unwrap();
        sheet.write_number(1, 1, 52998224725.0).unwrap();
        sheet.write_string(2, 0, "Bia").unwrap();
        // A CPF with a leading zero, stored as a number.
        sheet.write_number(2, 1, 1234567890.0).unwrap();
        sheet.write_string(3, 1, "11.222.333/0001-81").unwrap();
        workbook.save(&path).unwrap();
        let file = read_document_file(&path).unwrap();
        assert_eq!(file.columns, ["Devedor", "CPF/CNPJ"]);
        assert_eq!(file.suggested_column(), 1);
        let list = file.list_for_column(1);
        let docs: Vec<_> = list.valid.iter().map(CpfCnpj::normalized).collect();
        assert_eq!(docs, ["52998224725", "01234567890", "11222333000181"]);
    }

    #[test]
    fn unsupported_and_empty_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lista.pdf");
        std::fs::write(&path, "x").unwrap();
        let error = read_document_file(&path).unwrap_err();
        assert!(error.to_string().contains("não suportado"), "{error}");
        let path = dir.path().join("vazia.csv");
        std::fs::write(&path, "\n\n").unwrap();
        assert!(matches!(
            read_document_file(&path),
            Err(BatchInputError::Empty { .. })
        ));
        assert!(matches!(
            read_document_file(&dir.path().join("nao-existe.csv")),
            Err(BatchInputError::Io { .. })
        ));
    }

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(27), "AB");
    }

    #[test]
    fn the_list_extensions_are_the_ones_read() {
        let dir = tempfile::tempdir().unwrap();
        for extension in LIST_FILE_EXTENSIONS {
            let path = dir
                .path()
                .join(format!("lista.{}", extension.to_uppercase()));
            assert!(is_list_file(&path), "{extension}");
            // Missing, so reading fails, but not as an unsupported format.
            assert!(
                !matches!(
                    read_document_file(&path),
                    Err(BatchInputError::UnsupportedFormat { .. })
                ),
                "{extension}"
            );
        }
        let other = dir.path().join("foto.png");
        assert!(!is_list_file(&other));
        assert!(matches!(
            read_document_file(&other),
            Err(BatchInputError::UnsupportedFormat { .. })
        ));
    }
}
