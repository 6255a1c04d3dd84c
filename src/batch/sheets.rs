//! Spreadsheet list files read within a memory budget, before (or instead of) handing them to
//! calamine, which builds a dense grid of every sheet it reads.
//!
//! - `.xlsx`/`.xlsm`: calamine streams the sheet cell by cell, but loads the shared strings and
//!   styles whole when it opens the file: [`check_xlsx`] measures those parts decompressed
//!   first (a zip bomb is refused, whatever sizes the archive declares).
//! - `.ods`: [`read_ods`] reads `content.xml` itself, streaming, without expanding repeated
//!   empty rows and columns (calamine's reader would build a grid of up to 100 million cells).
//! - `.xls`: calamine reads every sheet into a grid when it opens the file; [`check_xls`]
//!   scans the records first (declared dimensions, cell positions of every sheet, shared
//!   strings) and refuses what would not fit.

use std::io::{BufRead as _, BufReader, Read};
use std::path::Path;

use super::input::{BatchInputError, MAX_LIST_CELLS, MAX_TEXT_FILE_BYTES, number_text};

/// The most memory calamine may need for the parts of a spreadsheet it loads whole (shared
/// strings, styles, `.xls` grids), by our estimate.
const MAX_LOADED_BYTES: u64 = 192 * 1024 * 1024;
/// What one shared string costs in memory besides its text (a `String` and its allocation).
const STRING_OVERHEAD_BYTES: u64 = 56;

fn too_large(path: &Path, reason: &str) -> BatchInputError {
    BatchInputError::TooLarge {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    }
}

fn spreadsheet_error(path: &Path, message: impl std::fmt::Display) -> BatchInputError {
    BatchInputError::Spreadsheet {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

fn io_error(path: &Path, source: std::io::Error) -> BatchInputError {
    BatchInputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn open_zip(path: &Path) -> Result<zip::ZipArchive<BufReader<std::fs::File>>, BatchInputError> {
    let file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    zip::ZipArchive::new(BufReader::new(file)).map_err(|e| spreadsheet_error(path, e))
}

/// Refuses an `.xlsx` whose parts loaded whole when calamine opens it (shared strings,
/// styles, workbook, relationships; the worksheet is streamed) would need more than
/// [`MAX_LOADED_BYTES`]: each is decompressed once, counting, and never kept.
pub(super) fn check_xlsx(path: &Path) -> Result<(), BatchInputError> {
    let mut archive = open_zip(path)?;
    let mut estimate: u64 = 0;
    let mut chunk = vec![0; 64 * 1024];
    for index in 0..archive.len() {
        let mut part = archive
            .by_index(index)
            .map_err(|e| spreadsheet_error(path, e))?;
        let name = part
            .name()
            .map_err(|e| spreadsheet_error(path, e))?
            .to_ascii_lowercase();
        // What calamine reads when it opens the workbook (drawings, pivot caches and the
        // like are never read; the worksheet is streamed).
        let loaded_whole = name.ends_with(".rels")
            || ["sharedstrings.xml", "styles.xml", "workbook.xml"]
                .iter()
                .any(|part| name.ends_with(part));
        if !loaded_whole {
            continue;
        }
        let shared_strings = name.ends_with("sharedstrings.xml");
        loop {
            let read = match part.read(&mut chunk) {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(spreadsheet_error(path, e)),
            };
            estimate += read as u64;
            if shared_strings {
                // Each string opens with `<si>` (or `<x:si>`, whose closing tag matches
                // `:si>` too: half of those).
                let count = |pattern: &[u8]| {
                    memchr::memmem::find_iter(&chunk[..read], pattern).count() as u64
                };
                let strings = count(b"<si>") + count(b"<si ") + count(b":si>") / 2 + count(b":si ");
                estimate += strings * STRING_OVERHEAD_BYTES;
            }
            if estimate > MAX_LOADED_BYTES {
                return Err(too_large(
                    path,
                    "o texto da planilha ocupa memória demais ao ser aberto",
                ));
            }
        }
    }
    Ok(())
}

/// Reads the first sheet of an `.ods`, handing each filled cell to `push` as `(row, column,
/// text)`, 0-based. Repeated empty rows and columns cost nothing; a repeated filled cell is
/// handed over once per repetition (so the caller's cell limit applies).
pub(super) fn read_ods(
    path: &Path,
    push: &mut dyn FnMut(u32, u32, &str) -> Result<(), BatchInputError>,
) -> Result<(), BatchInputError> {
    use quick_xml::events::Event;
    let mut archive = open_zip(path)?;
    let content = archive
        .by_name("content.xml")
        .map_err(|e| spreadsheet_error(path, format!("content.xml: {e}")))?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(content));
    let xml_error = |e: quick_xml::Error| spreadsheet_error(path, e);
    let mut buf = Vec::new();
    let mut in_table = false;
    let mut row: u64 = 0;
    // The row being read: its filled cells as (first column, repetitions, text).
    let mut cells: Vec<(u64, u64, String)> = Vec::new();
    let mut cells_in_row: u64 = 0;
    let mut column: u64 = 0;
    let mut rows_repeated: u64 = 1;
    loop {
        buf.clear();
        let event = xml.read_event_into(&mut buf).map_err(xml_error)?;
        let (element, empty) = match &event {
            Event::Start(e) => (e.clone().into_owned(), false),
            Event::Empty(e) => (e.clone().into_owned(), true),
            Event::End(e) => {
                match e.name().as_ref() {
                    "table:table" if in_table => return Ok(()),
                    "table:table-row" if in_table => {
                        flush_row(path, row, rows_repeated, &mut cells, push)?;
                        row = row.saturating_add(rows_repeated);
                    }
                    _ => {}
                }
                continue;
            }
            Event::Eof => return Ok(()),
            _ => continue,
        };
        match element.name().as_ref() {
            "table:table" => in_table = true,
            "table:table-row" if in_table => {
                rows_repeated = repeat_attr(&element, "table:number-rows-repeated");
                column = 0;
                cells_in_row = 0;
                cells.clear();
                if empty {
                    row = row.saturating_add(rows_repeated);
                }
            }
            "table:table-cell" | "table:covered-table-cell" if in_table => {
                let repeated = repeat_attr(&element, "table:number-columns-repeated");
                let mut text = attribute_value(&element);
                if !empty {
                    let content = cell_content(path, &mut xml)?;
                    if text.is_none() {
                        text = Some(content);
                    }
                }
                let text = text.unwrap_or_default();
                if !text.trim().is_empty() {
                    cells_in_row = cells_in_row.saturating_add(repeated);
                    if cells_in_row.saturating_mul(rows_repeated) > MAX_LIST_CELLS as u64 {
                        return Err(too_large(path, "tem células preenchidas demais"));
                    }
                    cells.push((column, repeated, text));
                }
                column = column.saturating_add(repeated);
            }
            _ => {}
        }
    }
}

/// Hands the filled cells of a row (repeated `rows_repeated` times) to `push`.
fn flush_row(
    path: &Path,
    row: u64,
    rows_repeated: u64,
    cells: &mut Vec<(u64, u64, String)>,
    push: &mut dyn FnMut(u32, u32, &str) -> Result<(), BatchInputError>,
) -> Result<(), BatchInputError> {
    if cells.is_empty() {
        return Ok(());
    }
    let position = |value: u64| {
        u32::try_from(value).map_err(|_| too_large(path, "tem linhas ou colunas demais"))
    };
    for r in 0..rows_repeated {
        for (first, repeated, text) in cells.iter() {
            for c in 0..*repeated {
                push(
                    position(row.saturating_add(r))?,
                    position(first.saturating_add(c))?,
                    text,
                )?;
            }
        }
    }
    cells.clear();
    Ok(())
}

/// `table:number-rows-repeated` or `-columns-repeated`: at least 1.
fn repeat_attr(element: &quick_xml::events::BytesStart<'_>, name: &str) -> u64 {
    element
        .try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.value.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

/// The value a cell carries in its attributes (numbers, dates, booleans, string values);
/// `None` when its text is the value.
fn attribute_value(element: &quick_xml::events::BytesStart<'_>) -> Option<String> {
    let get = |name: &str| {
        let attribute = element.try_get_attribute(name).ok().flatten()?;
        attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()
            .map(|v| v.into_owned())
    };
    let value_type = get("office:value-type").unwrap_or_default();
    match value_type.as_str() {
        "float" | "percentage" | "currency" => {
            let value = get("office:value")?;
            Some(
                value
                    .trim()
                    .parse::<f64>()
                    .map(number_text)
                    .unwrap_or(value),
            )
        }
        "date" => get("office:date-value"),
        "time" => get("office:time-value"),
        "boolean" => get("office:boolean-value"),
        _ => get("office:string-value"),
    }
}

/// The text of a cell, up to its end tag: paragraphs joined by line breaks, `text:s` spaces,
/// notes (`office:annotation`) left out.
fn cell_content<R: std::io::BufRead>(
    path: &Path,
    xml: &mut quick_xml::Reader<R>,
) -> Result<String, BatchInputError> {
    use quick_xml::events::Event;
    let mut text = String::new();
    let mut buf = Vec::new();
    let mut depth: usize = 0;
    let mut annotation_depth: Option<usize> = None;
    let mut paragraphs = 0;
    loop {
        buf.clear();
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| spreadsheet_error(path, e))?;
        let in_note = annotation_depth.is_some();
        match event {
            Event::Start(e) => {
                depth += 1;
                match e.name().as_ref() {
                    "office:annotation" if !in_note => annotation_depth = Some(depth),
                    "text:p" if !in_note => {
                        if paragraphs > 0 {
                            text.push('\n');
                        }
                        paragraphs += 1;
                    }
                    _ => {}
                }
            }
            Event::Empty(e) if !in_note => match e.name().as_ref() {
                "text:s" => {
                    let count = repeat_attr(&e, "text:c").min(1024);
                    for _ in 0..count {
                        text.push(' ');
                    }
                }
                "text:tab" => text.push('\t'),
                "text:line-break" => text.push('\n'),
                _ => {}
            },
            Event::Text(t) if !in_note => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if !in_note => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Some(resolved) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text.push_str(resolved);
                }
            }
            Event::End(_) => {
                if depth == 0 {
                    return Ok(text);
                }
                if annotation_depth == Some(depth) {
                    annotation_depth = None;
                }
                depth -= 1;
            }
            Event::Eof => return Err(spreadsheet_error(path, "content.xml terminou no meio")),
            _ => {}
        }
        if text.len() as u64 > MAX_TEXT_FILE_BYTES {
            return Err(too_large(path, "uma célula tem texto demais"));
        }
    }
}

/// The bounds of the cells of one sheet (a BIFF substream).
#[derive(Default)]
struct SheetScan {
    values: Bounds,
    formulas: Bounds,
    /// Cells calamine reserves room for, from the sheet's DIMENSIONS record.
    declared: u64,
}

#[derive(Default)]
struct Bounds {
    min: Option<(u32, u32)>,
    max: (u32, u32),
}

impl Bounds {
    fn add(&mut self, row: u32, column: u32) {
        let (min_row, min_column) = self.min.unwrap_or((row, column));
        self.min = Some((min_row.min(row), min_column.min(column)));
        self.max = (self.max.0.max(row), self.max.1.max(column));
    }

    /// The cells of the smallest rectangle holding every position: the grid calamine builds.
    fn area(&self) -> u64 {
        self.min.map_or(0, |(row, column)| {
            (u64::from(self.max.0) - u64::from(row) + 1)
                * (u64::from(self.max.1) - u64::from(column) + 1)
        })
    }
}

/// Refuses an `.xls` whose sheets calamine would load into grids too large. calamine reads
/// every sheet when it opens the file, each into a grid spanning its cells (and another for
/// its formulas), after reserving room for the dimension the sheet declares; the shared
/// strings are loaded too. The workbook stream is scanned record by record to estimate that.
pub(super) fn check_xls(path: &Path) -> Result<(), BatchInputError> {
    let mut compound = cfb::open(path).map_err(|e| spreadsheet_error(path, e))?;
    let stream = match compound.open_stream("/Workbook") {
        Ok(stream) => stream,
        Err(_) => compound
            .open_stream("/Book")
            .map_err(|e| spreadsheet_error(path, e))?,
    };
    let mut reader = BufReader::new(stream);
    let mut sheets: std::collections::HashMap<u64, SheetScan> = std::collections::HashMap::new();
    let mut sheet_offsets: Vec<u64> = Vec::new();
    let mut current: Option<u64> = None;
    let mut offset: u64 = 0;
    let mut shared_strings_bytes: u64 = 0;
    let mut in_shared_strings = false;
    let mut data = Vec::new();
    loop {
        let mut header = [0u8; 4];
        if reader.fill_buf().map_err(|e| io_error(path, e))?.is_empty() {
            break;
        }
        if reader.read_exact(&mut header).is_err() {
            break;
        }
        let kind = u16::from_le_bytes([header[0], header[1]]);
        let len = usize::from(u16::from_le_bytes([header[2], header[3]]));
        data.resize(len, 0);
        if reader.read_exact(&mut data).is_err() {
            break;
        }
        let record_offset = offset;
        offset += 4 + len as u64;
        let u16_at = |at: usize| {
            data.get(at..at + 2)
                .map_or(0, |b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        };
        let u32_at = |at: usize| {
            data.get(at..at + 4)
                .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        in_shared_strings = match kind {
            0x00FC => true,
            0x003C => in_shared_strings,
            _ => false,
        };
        if in_shared_strings {
            shared_strings_bytes += len as u64;
        }
        match kind {
            // BOF: a new substream (the globals first, then each sheet).
            0x0809 => {
                current = Some(record_offset);
                sheets.entry(record_offset).or_default();
            }
            // BOUNDSHEET: where a sheet's substream starts.
            0x0085 => sheet_offsets.push(u64::from(u32_at(0))),
            // DIMENSIONS, read as calamine does.
            0x0200 => {
                let (first_row, last_row, first_column, last_column) = match len {
                    10 => (u16_at(0), u16_at(2), u16_at(4), u16_at(6)),
                    _ => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
                };
                let first_column = if first_column > 0xFF || last_column < first_column {
                    0
                } else {
                    first_column
                };
                // calamine takes `last - 1` as the last row and column when both are set,
                // else a single cell; an end before the start would overflow there.
                let (rows, columns) = if last_row >= 1 && last_column >= 1 {
                    (
                        i64::from(last_row) - i64::from(first_row),
                        i64::from(last_column) - i64::from(first_column),
                    )
                } else {
                    (1, 1)
                };
                if rows <= 0 || columns <= 0 {
                    return Err(too_large(path, "a planilha declara dimensões inválidas"));
                }
                if let Some(sheet) = current.and_then(|at| sheets.get_mut(&at)) {
                    sheet.declared = (rows as u64).saturating_mul(columns as u64);
                }
            }
            // Cells: NUMBER, LABEL, RSTRING, BOOLERR, RK, LABELSST, MULRK; FORMULA.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x00BD | 0x0006 => {
                if let Some(sheet) = current.and_then(|at| sheets.get_mut(&at)) {
                    let (row, column) = (u16_at(0), u16_at(2));
                    if kind == 0x0006 {
                        sheet.formulas.add(row, column);
                    }
                    sheet.values.add(row, column);
                    if kind == 0x00BD && len >= 2 {
                        sheet.values.add(row, u16_at(len - 2));
                    }
                }
            }
            _ => {}
        }
    }
    // Every sheet entry is loaded, even two pointing at the same records.
    let mut estimate = shared_strings_bytes.saturating_mul(STRING_OVERHEAD_BYTES / 3 + 1);
    for at in &sheet_offsets {
        if let Some(sheet) = sheets.get(at) {
            estimate = estimate
                .saturating_add(sheet.declared.saturating_mul(40))
                .saturating_add(sheet.values.area().saturating_mul(32))
                .saturating_add(sheet.formulas.area().saturating_mul(24));
        }
    }
    if estimate > MAX_LOADED_BYTES {
        return Err(too_large(
            path,
            "as abas ocupariam memória demais ao serem abertas (células muito espalhadas ou demais)",
        ));
    }
    Ok(())
}
