//! Reading a list of CPF/CNPJs: pasted text or a `.txt`, `.csv` or spreadsheet file.
//!
//! Every entry goes through [`CpfCnpj::parse`], the rules of the single field: a wrong length
//! or character makes it invalid (reported with its line), a wrong check digit is only a
//! warning (the document is still queried). Repeated documents are queried once.
//!
//! Entries are separated by line breaks, `;`, `,`, tabs or spaces. A masked CNPJ contains
//! `.`, `/` and `-` but never a separator, so `11.222.333/0001-81` stays whole.
//!
//! Memory stays bounded whatever the file: a `.txt` or `.csv` over [`MAX_TEXT_FILE_BYTES`] is
//! refused before it is read (and the read itself stops there), spreadsheets are read cell by
//! cell (never as a dense grid: one cell in `A1` and one in `XFD1048576` are two cells), and a
//! file with more than [`MAX_LIST_ROWS`] rows or [`MAX_LIST_CELLS`] filled cells is refused
//! with a message. A list keeps at most [`MAX_LIST_DOCUMENTS`] documents and the text of the
//! first [`MAX_INVALID_KEPT`] invalid entries (the others are counted).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead as _, Read as _};
use std::path::{Path, PathBuf};

use crate::doc_id::CpfCnpj;

/// The most rows a list file may have: Excel's own limit.
pub const MAX_LIST_ROWS: usize = 1_048_576;
/// The most filled cells a list file may have.
pub const MAX_LIST_CELLS: usize = 5_000_000;
/// The largest `.txt` or `.csv` list read, in bytes (100 MB); also the most text the cells of
/// a spreadsheet may hold together.
pub const MAX_TEXT_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// The most documents a list keeps; entries past it are only counted
/// ([`DocumentList::over_limit`]).
pub const MAX_LIST_DOCUMENTS: usize = 1_048_576;
/// How many invalid entries a list keeps with their text and reason; the others are counted
/// ([`DocumentList::invalid_count`]).
pub const MAX_INVALID_KEPT: usize = 1_000;

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
    /// The first [`MAX_INVALID_KEPT`] entries that cannot be queried, in order.
    pub invalid: Vec<InvalidEntry>,
    /// How many entries cannot be queried (`invalid` keeps the first ones).
    pub invalid_count: usize,
    /// How many entries repeated a document already in `valid` (dropped).
    pub duplicates: usize,
    /// Valid documents past [`MAX_LIST_DOCUMENTS`], not kept.
    pub over_limit: usize,
    /// The header skipped at the top (`CPF`, `cpf_cnpj`…), if there was one.
    pub header: Option<String>,
}

impl DocumentList {
    /// The counts in one line, for a status label:
    /// `2.000 válidos · 3 com aviso de dígito · 2 inválidos · 5 repetidos`.
    pub fn summary(&self) -> String {
        use crate::fmt::count_br;
        let mut parts = vec![count_br(self.valid.len(), "válido", "válidos")];
        if !self.warned.is_empty() {
            parts.push(format!(
                "{} com aviso de dígito",
                crate::fmt::thousands(self.warned.len() as u64)
            ));
        }
        if self.invalid_count > 0 {
            parts.push(count_br(self.invalid_count, "inválido", "inválidos"));
        }
        if self.duplicates > 0 {
            parts.push(count_br(self.duplicates, "repetido", "repetidos"));
        }
        if self.over_limit > 0 {
            parts.push(format!(
                "{} além do limite de {} documentos",
                crate::fmt::thousands(self.over_limit as u64),
                crate::fmt::thousands(MAX_LIST_DOCUMENTS as u64)
            ));
        }
        parts.join(" · ")
    }

    /// Adds one entry found on `line`.
    fn push(&mut self, seen: &mut HashSet<DocKey>, line: usize, entry: &str) {
        match parse_entry(entry) {
            Ok(doc) => {
                if !seen.insert(DocKey::of(&doc)) {
                    self.duplicates += 1;
                    return;
                }
                if self.valid.len() >= MAX_LIST_DOCUMENTS {
                    self.over_limit += 1;
                    return;
                }
                if !doc.check_digits_ok() {
                    self.warned.push(line);
                }
                self.valid.push(doc);
            }
            Err(message) => {
                self.invalid_count += 1;
                if self.invalid.len() < MAX_INVALID_KEPT {
                    self.invalid.push(InvalidEntry {
                        line,
                        text: entry.to_owned(),
                        message,
                    });
                }
            }
        }
    }
}

/// A document as a small fixed-size key, for spotting repeats without a string per entry.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct DocKey([u8; 14]);

impl DocKey {
    fn of(doc: &CpfCnpj) -> DocKey {
        // 11 (CPF) or 14 (CNPJ) characters of 0-9A-Z; zero bytes pad a CPF, so a CPF and a
        // CNPJ never share a key.
        let mut key = [0; 14];
        for (slot, byte) in key.iter_mut().zip(doc.normalized().bytes()) {
            *slot = byte;
        }
        DocKey(key)
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
    /// The column asked for by name or letter is not in the file.
    #[error("A coluna «{wanted}» não existe em {path}. Colunas: {columns}.")]
    NoSuchColumn {
        /// The file.
        path: PathBuf,
        /// The name or letter asked for.
        wanted: String,
        /// The file's columns, separated by commas.
        columns: String,
    },
    /// Larger than a list of debtors can reasonably be: refused before memory runs out.
    #[error(
        "O arquivo {path} é grande demais para uma lista de CPF/CNPJ: {reason}. Divida a lista em arquivos menores."
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Which limit, in Portuguese (`tem mais de 1.048.576 linhas`).
        reason: String,
    },
}

/// The text of one filled cell, and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CellSpan {
    /// The 0-based row.
    row: u32,
    /// Where its text starts in [`DocumentFile::text`].
    start: u32,
    /// Its length in bytes.
    len: u32,
}

/// A list file read as its filled cells, by column, so that a caller can pick the column.
///
/// Only filled cells are kept (text one after the other in one buffer), so a sparse sheet
/// costs what it holds, not its width times its height. Line numbers are the file's rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentFile {
    /// The columns that have something: the header's cells, or `Coluna A`, `Coluna B`… (the
    /// sheet's letters) without a header; `Lista` for a `.txt`.
    pub columns: Vec<String>,
    /// Whether a header row was recognised (and is skipped by [`Self::list_for_column`]).
    pub has_header: bool,
    /// The 0-based header row, if any.
    header_row: Option<u32>,
    /// The sheet's 0-based column of each entry of `columns`.
    sheet_columns: Vec<u32>,
    /// Each entry of `columns`' filled cells, in row order.
    cells: Vec<Vec<CellSpan>>,
    /// Every cell's text, one after the other.
    text: String,
}

/// How the header of a file is recognised.
#[derive(Clone, Copy)]
enum HeaderRule {
    /// A spreadsheet or CSV: the first row, when it has letters and no cell is a document.
    FirstRow,
    /// A `.txt`: the first non-empty line, when it has letters and no digit at all (as
    /// [`parse_document_list`] does).
    FirstLine,
}

impl DocumentFile {
    /// The text of one cell.
    fn span_text(&self, span: CellSpan) -> &str {
        let start = span.start as usize;
        self.text
            .get(start..start.saturating_add(span.len as usize))
            .unwrap_or_default()
    }

    /// The text of the cell at the 0-based `row` of column `index`; `None` when it is empty.
    pub fn cell(&self, row: u32, index: usize) -> Option<&str> {
        let cells = self.cells.get(index)?;
        let at = cells.binary_search_by_key(&row, |span| span.row).ok()?;
        Some(self.span_text(cells[at]))
    }

    /// How many lines [`Self::column_text`] gives for column `index`: up to its last filled
    /// row, header included.
    pub fn column_lines(&self, index: usize) -> usize {
        self.cells
            .get(index)
            .and_then(|cells| cells.last())
            .map_or(0, |last| last.row as usize + 1)
    }

    /// The column's cells, one per line, header included (so that line numbers are the
    /// file's rows): text to put in the list box. Costs [`Self::column_lines`] lines: check
    /// that first for a sparse or huge file.
    pub fn column_text(&self, index: usize) -> String {
        let mut text = String::new();
        let mut next_row = 0;
        for &span in self.cells.get(index).map(Vec::as_slice).unwrap_or_default() {
            for _ in next_row..span.row {
                text.push('\n');
            }
            text.push_str(self.span_text(span));
            text.push('\n');
            next_row = span.row.saturating_add(1);
        }
        text
    }

    /// The documents of one column, with line numbers counted as the file's rows.
    pub fn list_for_column(&self, index: usize) -> DocumentList {
        let mut list = DocumentList::default();
        let mut seen = HashSet::new();
        for &span in self.cells.get(index).map(Vec::as_slice).unwrap_or_default() {
            let cell = self.span_text(span);
            if Some(span.row) == self.header_row {
                list.header = Some(cell.trim().to_owned()).filter(|h| !h.is_empty());
                continue;
            }
            for entry in split_entries(cell) {
                list.push(&mut seen, span.row as usize + 1, entry);
            }
        }
        list
    }

    /// How many entries of column `index` (header aside) are documents, repeats included.
    fn valid_entries(&self, index: usize) -> usize {
        self.cells
            .get(index)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|span| Some(span.row) != self.header_row)
            .flat_map(|&span| split_entries(self.span_text(span)))
            .filter(|entry| parse_entry(entry).is_ok())
            .count()
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
            let valid = self.valid_entries(index);
            if valid > best.1 {
                best = (index, valid);
            }
        }
        best.0
    }

    /// A column by its name (ignoring case and accents), or by the sheet's letter (`A`, `B`,
    /// `AB`…) even when the file has a header.
    pub fn find_column(&self, wanted: &str) -> Option<usize> {
        let wanted = wanted.trim();
        let wanted_folded = crate::results::fold(wanted);
        let by_name = self
            .columns
            .iter()
            .position(|name| crate::results::fold(name) == wanted_folded);
        by_name.or_else(|| {
            let sheet_column = column_from_letters(wanted)?;
            self.sheet_columns.iter().position(|&c| c == sheet_column)
        })
    }

    /// The column whose documents are the list: the one `wanted` names
    /// ([`Self::find_column`]), or the [`Self::suggested_column`] when none is asked for.
    /// `path` is the file's, for the message that lists the columns when `wanted` is not one.
    pub fn choose_column(
        &self,
        wanted: Option<&str>,
        path: &Path,
    ) -> Result<usize, BatchInputError> {
        let Some(wanted) = wanted else {
            return Ok(self.suggested_column());
        };
        self.find_column(wanted)
            .ok_or_else(|| BatchInputError::NoSuchColumn {
                path: path.to_path_buf(),
                wanted: wanted.to_owned(),
                columns: self.columns.join(", "),
            })
    }
}

/// Several lists taken as one: documents typed one by one and a file's column, say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergedDocuments {
    /// Every valid document once, in the order it first appears (lists in the order given).
    pub docs: Vec<CpfCnpj>,
    /// Entries dropped as repeats, inside each list and across them.
    pub duplicates: usize,
    /// Entries that cannot be queried, over every list.
    pub invalid: usize,
}

/// Merges `lists` into the documents to query, each once (compared as
/// [`CpfCnpj::normalized`], as inside one list), counting the repeats and invalid entries
/// of all of them.
pub fn merge_document_lists<'a>(
    lists: impl IntoIterator<Item = &'a DocumentList>,
) -> MergedDocuments {
    let mut merged = MergedDocuments::default();
    let mut seen = HashSet::new();
    for list in lists {
        merged.duplicates += list.duplicates;
        merged.invalid += list.invalid_count;
        for doc in &list.valid {
            if seen.insert(DocKey::of(doc)) {
                merged.docs.push(doc.clone());
            } else {
                merged.duplicates += 1;
            }
        }
    }
    merged
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

/// `A` → 0, `Z` → 25, `AA` → 26, `xfd` → 16,383; `None` for anything else or past Excel's
/// last column.
fn column_from_letters(letters: &str) -> Option<u32> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut index: u32 = 0;
    for byte in letters.bytes() {
        if !byte.is_ascii_alphabetic() {
            return None;
        }
        index = index * 26 + u32::from(byte.to_ascii_uppercase() - b'A') + 1;
    }
    (index <= 16_384).then(|| index - 1)
}

/// Collects the filled cells of a file as they are read, refusing it once a limit is passed.
struct FileBuilder<'a> {
    path: &'a Path,
    columns: BTreeMap<u32, Vec<CellSpan>>,
    text: String,
    cells: usize,
}

impl<'a> FileBuilder<'a> {
    fn new(path: &'a Path) -> FileBuilder<'a> {
        FileBuilder {
            path,
            columns: BTreeMap::new(),
            text: String::new(),
            cells: 0,
        }
    }

    fn too_large(&self, reason: String) -> BatchInputError {
        BatchInputError::TooLarge {
            path: self.path.to_path_buf(),
            reason,
        }
    }

    /// Adds the cell at the 0-based `row` and `column` (a blank one is skipped).
    fn push(&mut self, row: u32, column: u32, value: &str) -> Result<(), BatchInputError> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(());
        }
        if row as usize >= MAX_LIST_ROWS {
            return Err(self.too_large(format!(
                "tem mais de {} linhas",
                crate::fmt::thousands(MAX_LIST_ROWS as u64)
            )));
        }
        if self.cells >= MAX_LIST_CELLS {
            return Err(self.too_large(format!(
                "tem mais de {} células preenchidas",
                crate::fmt::thousands(MAX_LIST_CELLS as u64)
            )));
        }
        let start = self.text.len();
        if (start + value.len()) as u64 > MAX_TEXT_FILE_BYTES {
            return Err(self.too_large(format!(
                "as células têm mais de {} MB de texto",
                MAX_TEXT_FILE_BYTES / (1024 * 1024)
            )));
        }
        self.cells += 1;
        self.text.push_str(value);
        self.columns.entry(column).or_default().push(CellSpan {
            row,
            // Both fit: the text is at most MAX_TEXT_FILE_BYTES.
            start: start as u32,
            len: value.len() as u32,
        });
        Ok(())
    }

    fn finish(self, rule: HeaderRule) -> Result<DocumentFile, BatchInputError> {
        if self.cells == 0 {
            return Err(BatchInputError::Empty {
                path: self.path.to_path_buf(),
            });
        }
        let mut file = DocumentFile {
            columns: Vec::new(),
            has_header: false,
            header_row: None,
            sheet_columns: Vec::with_capacity(self.columns.len()),
            cells: Vec::with_capacity(self.columns.len()),
            text: self.text,
        };
        for (column, mut cells) in self.columns {
            // Cells normally come row by row; make sure.
            if !cells.is_sorted_by_key(|span| span.row) {
                cells.sort_by_key(|span| span.row);
            }
            cells.shrink_to_fit();
            file.sheet_columns.push(column);
            file.cells.push(cells);
        }
        file.text.shrink_to_fit();
        file.header_row = match rule {
            HeaderRule::FirstRow => {
                let first: Vec<&str> = (0..file.cells.len())
                    .filter_map(|index| file.cell(0, index))
                    .collect();
                let is_header = first.iter().any(|c| c.chars().any(char::is_alphabetic))
                    && !first.iter().any(|c| CpfCnpj::parse(c).is_ok());
                is_header.then_some(0)
            }
            HeaderRule::FirstLine => file.cells.first().and_then(|cells| {
                let first = *cells.first()?;
                let entries: Vec<&str> = split_entries(file.span_text(first)).collect();
                is_header(&entries).then_some(first.row)
            }),
        };
        file.has_header = file.header_row.is_some();
        file.columns = match rule {
            HeaderRule::FirstLine => vec!["Lista".to_owned()],
            HeaderRule::FirstRow => (0..file.cells.len())
                .map(|index| {
                    let name = file
                        .header_row
                        .and_then(|row| file.cell(row, index))
                        .unwrap_or_default();
                    if name.is_empty() {
                        let letter = file.sheet_columns.get(index).copied().unwrap_or_default();
                        format!("Coluna {}", column_letters(letter as usize))
                    } else {
                        name.to_owned()
                    }
                })
                .collect(),
        };
        Ok(file)
    }
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
/// [`LIST_FILE_EXTENSIONS`] are the extensions it reads. Memory stays bounded: see the
/// module's documentation for the limits, each refused with [`BatchInputError::TooLarge`].
pub fn read_document_file(path: &Path) -> Result<DocumentFile, BatchInputError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mut builder = FileBuilder::new(path);
    let rule = match extension.as_str() {
        "txt" => {
            read_txt(&mut builder)?;
            HeaderRule::FirstLine
        }
        "csv" => {
            read_csv(&mut builder)?;
            HeaderRule::FirstRow
        }
        "xlsx" | "xlsm" => {
            read_xlsx(&mut builder)?;
            HeaderRule::FirstRow
        }
        "ods" => {
            super::sheets::read_ods(path, &mut |row, column, value| {
                builder.push(row, column, value)
            })?;
            HeaderRule::FirstRow
        }
        "xls" => {
            super::sheets::check_xls(path)?;
            read_with_range(&mut builder)?;
            HeaderRule::FirstRow
        }
        _ => {
            return Err(BatchInputError::UnsupportedFormat {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            });
        }
    };
    builder.finish(rule)
}

/// Opens a `.txt` or `.csv` for reading, refusing one over [`MAX_TEXT_FILE_BYTES`]; the
/// reader itself stops one byte past the limit, in case the size on disk lied.
fn open_text_file(
    path: &Path,
) -> Result<std::io::BufReader<std::io::Take<std::fs::File>>, BatchInputError> {
    let io_error = |source| BatchInputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    if size > MAX_TEXT_FILE_BYTES {
        return Err(text_too_large(path));
    }
    Ok(std::io::BufReader::with_capacity(
        64 * 1024,
        file.take(MAX_TEXT_FILE_BYTES + 1),
    ))
}

fn text_too_large(path: &Path) -> BatchInputError {
    BatchInputError::TooLarge {
        path: path.to_path_buf(),
        reason: format!(
            "tem mais de {} MB (o limite para .txt e .csv)",
            MAX_TEXT_FILE_BYTES / (1024 * 1024)
        ),
    }
}

/// Whether the reader stopped at the limit (the file is larger than it said).
fn past_limit(reader: &std::io::BufReader<std::io::Take<std::fs::File>>) -> bool {
    reader.get_ref().limit() == 0
}

/// A field's text: UTF-8, else Windows-1252 (as Excel pt-BR saves CSV).
fn decode_field(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// Skips a UTF-8 byte-order mark at the start of the reader.
fn skip_bom(reader: &mut impl std::io::BufRead, path: &Path) -> Result<(), BatchInputError> {
    let buffer = reader.fill_buf().map_err(|source| BatchInputError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if buffer.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

fn read_txt(builder: &mut FileBuilder<'_>) -> Result<(), BatchInputError> {
    let path = builder.path;
    let mut reader = open_text_file(path)?;
    skip_bom(&mut reader, path)?;
    let mut line = Vec::new();
    let mut row: u32 = 0;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| BatchInputError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        if read == 0 {
            break;
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        builder.push(row, 0, &decode_field(text))?;
        row = row.saturating_add(1);
    }
    if past_limit(&reader) {
        return Err(text_too_large(path));
    }
    Ok(())
}

fn read_csv(builder: &mut FileBuilder<'_>) -> Result<(), BatchInputError> {
    let path = builder.path;
    let mut reader = open_text_file(path)?;
    skip_bom(&mut reader, path)?;
    // The delimiter: the most frequent of `;`, tab and `,` on the first non-empty line.
    let delimiter = {
        let buffer = reader.fill_buf().map_err(|source| BatchInputError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let first_line = buffer
            .split(|&b| b == b'\n')
            .find(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
            .unwrap_or_default();
        [b';', b'\t', b',']
            .into_iter()
            .max_by_key(|&d| first_line.iter().filter(|&&b| b == d).count())
            .filter(|&d| first_line.contains(&d))
            .unwrap_or(b';')
    };
    let mut csv = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(&mut reader);
    let mut record = ::csv::ByteRecord::new();
    let mut row: u32 = 0;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                return Err(BatchInputError::Csv {
                    path: path.to_path_buf(),
                    message: error.to_string(),
                });
            }
        }
        for (column, field) in record.iter().enumerate() {
            let column = u32::try_from(column).unwrap_or(u32::MAX);
            builder.push(row, column, &decode_field(field))?;
        }
        row = row.saturating_add(1);
    }
    drop(csv);
    if past_limit(&reader) {
        return Err(text_too_large(path));
    }
    Ok(())
}

fn spreadsheet_error(path: &Path, message: impl std::fmt::Display) -> BatchInputError {
    BatchInputError::Spreadsheet {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// An `.xlsx`/`.xlsm`: the first sheet cell by cell, as calamine streams it (never a grid).
fn read_xlsx(builder: &mut FileBuilder<'_>) -> Result<(), BatchInputError> {
    use calamine::Reader as _;
    let path = builder.path;
    super::sheets::check_xlsx(path)?;
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook(path).map_err(|e| spreadsheet_error(path, e))?;
    let Some(name) = workbook.sheet_names().first().cloned() else {
        return Err(spreadsheet_error(path, "a planilha não tem abas."));
    };
    let mut cells = workbook
        .worksheet_cells_reader(&name)
        .map_err(|e| spreadsheet_error(path, e))?;
    while let Some(cell) = cells.next_cell().map_err(|e| spreadsheet_error(path, e))? {
        let (row, column) = cell.get_position();
        builder.push(row, column, &data_ref_text(cell.get_value()))?;
    }
    Ok(())
}

/// An `.xls`, whose size [`super::sheets::check_xls`] checked first: calamine reads it whole.
fn read_with_range(builder: &mut FileBuilder<'_>) -> Result<(), BatchInputError> {
    use calamine::Reader as _;
    let path = builder.path;
    let mut workbook =
        calamine::open_workbook_auto(path).map_err(|e| spreadsheet_error(path, e))?;
    let Some(range) = workbook.worksheet_range_at(0) else {
        return Err(spreadsheet_error(path, "a planilha não tem abas."));
    };
    let range = range.map_err(|e| spreadsheet_error(path, e))?;
    // Positions are relative to the range's first cell: keep the file's rows and columns.
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    for (row, column, value) in range.used_cells() {
        let row = u32::try_from(row).map_or(u32::MAX, |r| r.saturating_add(first_row));
        let column = u32::try_from(column).map_or(u32::MAX, |c| c.saturating_add(first_column));
        builder.push(row, column, &cell_text(value))?;
    }
    Ok(())
}

/// A cell as text; whole numbers without a decimal part (a CPF typed as a number).
fn cell_text(cell: &calamine::Data) -> Cow<'_, str> {
    match cell {
        calamine::Data::Empty => Cow::Borrowed(""),
        calamine::Data::String(text) => Cow::Borrowed(text),
        calamine::Data::Float(value) => Cow::Owned(number_text(*value)),
        other => Cow::Owned(other.to_string()),
    }
}

/// [`cell_text`] for the values calamine streams from an `.xlsx`.
fn data_ref_text<'a>(cell: &'a calamine::DataRef<'_>) -> Cow<'a, str> {
    match cell {
        calamine::DataRef::Empty => Cow::Borrowed(""),
        calamine::DataRef::SharedString(text) => Cow::Borrowed(text),
        calamine::DataRef::String(text) => Cow::Borrowed(text),
        calamine::DataRef::Float(value) => Cow::Owned(number_text(*value)),
        other => Cow::Owned(calamine::Data::from(other.clone()).to_string()),
    }
}

/// A number as a spreadsheet shows it: whole numbers without `.0` (a CPF typed as a number).
pub(super) fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
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
        assert_eq!(file.cell(0, 0), Some("José"));
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
        // The header is recognised as the pasted text's is.
        let list = file.list_for_column(0);
        assert_eq!(list, parse_document_list(&file.column_text(0)));
        assert_eq!(list.header.as_deref(), Some("CPF"));
        assert_eq!(list.invalid_count, 0);
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
        for index in [0, 25, 26, 27, 701, 702, 16_383] {
            assert_eq!(
                column_from_letters(&column_letters(index as usize)),
                Some(index)
            );
        }
        assert_eq!(column_from_letters("xfd"), Some(16_383));
        assert_eq!(column_from_letters("XFE"), None);
        assert_eq!(column_from_letters("A1"), None);
        assert_eq!(column_from_letters(""), None);
    }

    #[test]
    fn a_column_is_found_by_name_or_by_letter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lista.csv");
        // Column A is empty: the file's columns are B and D, named by the header.
        std::fs::write(&path, ";Nome;;CPF\n;Ana;;52998224725\n").unwrap();
        let file = read_document_file(&path).unwrap();
        assert_eq!(file.columns, ["Nome", "CPF"]);
        assert_eq!(file.find_column("cpf"), Some(1));
        assert_eq!(file.find_column(" Nome "), Some(0));
        assert_eq!(file.find_column("D"), Some(1));
        assert_eq!(file.find_column("b"), Some(0));
        assert_eq!(file.find_column("A"), None, "an empty column");
        assert_eq!(file.find_column("Valor"), None);
    }

    #[test]
    fn the_column_asked_for_or_the_suggested_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lista.csv");
        std::fs::write(&path, ";Nome;;CPF\n;Ana;;52998224725\n").unwrap();
        let file = read_document_file(&path).unwrap();
        assert_eq!(
            file.choose_column(None, &path).unwrap(),
            1,
            "CPF by its name"
        );
        assert_eq!(file.choose_column(Some("nome"), &path).unwrap(), 0);
        assert_eq!(file.choose_column(Some("d"), &path).unwrap(), 1);
        let error = file.choose_column(Some("Valor"), &path).unwrap_err();
        assert!(matches!(error, BatchInputError::NoSuchColumn { .. }));
        assert_eq!(
            error.to_string(),
            format!(
                "A coluna «Valor» não existe em {}. Colunas: Nome, CPF.",
                path.display()
            )
        );

        // Without a header, columns are named after the sheet's letters, and both work.
        let bare = dir.path().join("sem-cabecalho.csv");
        std::fs::write(&bare, "Ana;52998224725\nBia;11222333000181\n").unwrap();
        let file = read_document_file(&bare).unwrap();
        assert_eq!(file.columns, ["Coluna A", "Coluna B"]);
        assert_eq!(file.choose_column(Some("coluna b"), &bare).unwrap(), 1);
        assert_eq!(file.choose_column(Some("B"), &bare).unwrap(), 1);
        assert_eq!(
            file.choose_column(None, &bare).unwrap(),
            1,
            "the most documents"
        );
    }

    #[test]
    fn lists_merge_with_each_document_once() {
        // Typed on the command line (one per line) and a file's column.
        let typed = parse_document_list("529.982.247-25\n52998224725\nxyz\n11.222.333/0001-81");
        let file = parse_document_list("CPF\n11222333000181\n12.ABC.345/01DE-35\n52998224725\n?");
        assert_eq!((typed.duplicates, typed.invalid_count), (1, 1));
        let merged = merge_document_lists([&typed, &file]);
        let docs: Vec<&str> = merged.docs.iter().map(CpfCnpj::normalized).collect();
        assert_eq!(docs, ["52998224725", "11222333000181", "12ABC34501DE35"]);
        assert_eq!(
            merged.duplicates, 3,
            "one inside the typed list, two across"
        );
        assert_eq!(merged.invalid, 2);
        assert_eq!(merge_document_lists([]), MergedDocuments::default());
    }

    #[test]
    fn a_long_list_keeps_bounded_details() {
        let mut text = String::new();
        for n in 0..(MAX_INVALID_KEPT + 10) {
            text.push_str(&format!("x{n}\n"));
        }
        let list = parse_document_list(&text);
        assert_eq!(list.invalid.len(), MAX_INVALID_KEPT);
        assert_eq!(list.invalid_count, MAX_INVALID_KEPT + 10);
        assert!(
            list.summary().contains("1.010 inválidos"),
            "{}",
            list.summary()
        );
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
