//! Hostile list files: sparse and huge spreadsheets, oversized text files. Each is either read
//! into a correct small list or refused with a clear message, never a process abort, and
//! reading stays within a memory budget (measured in a child process: VmHWM).

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use recuperador_followups::batch::{
    BatchInputError, MAX_LIST_CELLS, MAX_LIST_ROWS, MAX_TEXT_FILE_BYTES, read_document_file,
};

/// The child mode's variable: the file to read.
const CHILD_FILE: &str = "RECUPERADOR_TEST_READ_LIST";
/// The memory budget the issue sets for reading any list file.
const BUDGET_KB: u64 = 300 * 1024;

const CPF: &str = "52998224725";
const CNPJ: &str = "11222333000181";

/// An `.xlsx` with one cell in `A1` and one in `XFD1048576`, the last cell of a sheet.
fn sparse_xlsx(dir: &Path) -> PathBuf {
    let path = dir.join("esparsa.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, CPF).unwrap();
    sheet.write_string(1_048_575, 16_383, CNPJ).unwrap();
    workbook.save(&path).unwrap();
    path
}

/// The text of one part of a zip archive.
fn zip_part(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The peak resident memory of this process, in kB (Linux).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Not a test of its own: when the parent test runs this binary again with [`CHILD_FILE`]
/// set, reads that file as the window does (the file, then every column's list) and prints
/// the outcome and the peak memory.
#[test]
fn child_reads_a_list_file() {
    let Ok(path) = std::env::var(CHILD_FILE) else {
        return;
    };
    let outcome = match read_document_file(Path::new(&path)) {
        Ok(file) => {
            let valid: usize = (0..file.columns.len())
                .map(|column| file.list_for_column(column).valid.len())
                .sum();
            format!("ok columns={} valid={valid}", file.columns.len())
        }
        Err(error) => format!("error {error}"),
    };
    println!(
        "CHILD outcome={outcome} peak_kb={}",
        peak_rss_kb().unwrap_or(0)
    );
}

/// Reads `path` in a child process; returns its outcome line and peak memory in kB.
fn read_in_child(path: &Path) -> (String, u64) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["child_reads_a_list_file", "--exact", "--nocapture"])
        .env(CHILD_FILE, path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the child died ({:?}): {stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("CHILD "))
        .unwrap_or_else(|| panic!("no outcome: {stdout}"))
        .to_owned();
    let peak = line
        .rsplit_once("peak_kb=")
        .and_then(|(_, kb)| kb.trim().parse().ok())
        .unwrap_or(0);
    (line, peak)
}

#[test]
fn a_sparse_spreadsheet_is_read_cell_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let path = sparse_xlsx(dir.path());
    // The file really declares the whole sheet as used.
    let sheet = zip_part(&path, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<dimension ref="A1:XFD1048576"/>"#),
        "{}",
        &sheet[..sheet.len().min(600)]
    );

    let file = read_document_file(&path).unwrap();
    assert_eq!(file.columns, ["Coluna A", "Coluna XFD"]);
    assert!(!file.has_header);
    assert_eq!(file.find_column("XFD"), Some(1));
    let first = file.list_for_column(0);
    assert_eq!(first.valid.len(), 1);
    assert_eq!(first.valid[0].normalized(), CPF);
    let last = file.list_for_column(1);
    assert_eq!(last.valid.len(), 1);
    assert_eq!(last.valid[0].normalized(), CNPJ);
    assert_eq!(
        file.column_lines(1),
        1_048_576,
        "line numbers are the sheet's rows"
    );
    assert_eq!(file.cell(1_048_575, 1), Some(CNPJ));
}

#[test]
#[cfg(target_os = "linux")]
fn reading_list_files_stays_within_the_memory_budget() {
    let dir = tempfile::tempdir().unwrap();
    // Before: calamine built the 17-billion-cell grid and the process aborted (rc 134).
    let sparse = sparse_xlsx(dir.path());
    let (outcome, peak_kb) = read_in_child(&sparse);
    eprintln!("sparse xlsx: {outcome}");
    assert!(outcome.contains("ok columns=2 valid=2"), "{outcome}");
    assert!(peak_kb > 0 && peak_kb < BUDGET_KB, "{peak_kb} kB");

    // The largest CSV accepted in rows: Excel's limit, a name and a document per row.
    let csv = dir.path().join("grande.csv");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
        writeln!(out, "Nome;CPF").unwrap();
        for n in 1..MAX_LIST_ROWS {
            let base = format!("{:09}", 100_000_000 + n * 733);
            let cpf = recuperador_followups::doc_id::with_check_digits(&base).unwrap();
            writeln!(out, "Devedor número {n};{cpf}").unwrap();
        }
    }
    let (outcome, peak_kb) = read_in_child(&csv);
    eprintln!("1,048,576-row csv: {outcome}");
    assert!(outcome.contains("ok columns=2"), "{outcome}");
    assert!(peak_kb > 0 && peak_kb < BUDGET_KB, "{peak_kb} kB");
}

#[test]
fn text_files_over_100_mb_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("enorme.txt");
    // A sparse file: its size says 100 MB + 1 byte, nothing is written.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(MAX_TEXT_FILE_BYTES + 1).unwrap();
    drop(file);
    let started = std::time::Instant::now();
    let error = read_document_file(&path).unwrap_err();
    assert!(matches!(error, BatchInputError::TooLarge { .. }), "{error}");
    assert!(error.to_string().contains("100 MB"), "{error}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "refused from its size, not read"
    );
    let csv = dir.path().join("enorme.csv");
    std::fs::rename(&path, &csv).unwrap();
    assert!(matches!(
        read_document_file(&csv),
        Err(BatchInputError::TooLarge { .. })
    ));
}

#[test]
#[cfg(target_os = "linux")]
fn a_text_file_whose_size_lies_is_read_only_up_to_the_limit() {
    // /dev/zero says it is empty and never ends: the read stops at the limit.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sem-fim.txt");
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    let error = read_document_file(&path).unwrap_err();
    assert!(matches!(error, BatchInputError::TooLarge { .. }), "{error}");
}

#[test]
fn too_many_rows_or_cells_are_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let rows = dir.path().join("linhas.csv");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&rows).unwrap());
        for _ in 0..=MAX_LIST_ROWS {
            writeln!(out, "{CPF}").unwrap();
        }
    }
    let error = read_document_file(&rows).unwrap_err();
    assert!(matches!(error, BatchInputError::TooLarge { .. }), "{error}");
    assert!(error.to_string().contains("1.048.576 linhas"), "{error}");

    // Fewer rows, but more filled cells than the limit.
    let cells = dir.path().join("celulas.csv");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&cells).unwrap());
        let line = vec!["1"; 5_001].join(";");
        for _ in 0..MAX_LIST_CELLS / 5_000 {
            writeln!(out, "{line}").unwrap();
        }
    }
    let error = read_document_file(&cells).unwrap_err();
    assert!(error.to_string().contains("5.000.000 células"), "{error}");
}

/// An `.ods` whose `content.xml` is `rows` (the `<table:table-row>` elements of its sheet).
fn ods_with_rows(dir: &Path, name: &str, rows: &str) -> PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    let deflated = zip::write::SimpleFileOptions::default();
    zip.start_file("content.xml", deflated).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Devedores">{rows}</table:table><table:table table:name="Outra"><table:table-row><table:table-cell office:value-type="string"><text:p>não lida</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#
    )
    .unwrap();
    zip.finish().unwrap();
    path
}

#[test]
fn ods_sheets_are_read_without_expanding_repeats() {
    let dir = tempfile::tempdir().unwrap();
    // A header, a number, a CNPJ with an entity, a note left out; then a million empty rows
    // and a document in the sheet's last cell.
    let rows = format!(
        r#"<table:table-row><table:table-cell office:value-type="string"><text:p>CPF</text:p></table:table-cell><table:table-cell table:number-columns-repeated="3"/><table:table-cell office:value-type="string"><text:p>Nome &amp; sobrenome</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="float" office:value="{CPF}"><text:p>5,29982E+10</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell office:value-type="string"><office:annotation><text:p>nota 1</text:p></office:annotation><text:p>11.222.333/0001-81</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="1048572"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
<table:table-row><table:table-cell table:number-columns-repeated="16383"/><table:table-cell office:value-type="string"><text:p>{CNPJ}</text:p></table:table-cell></table:table-row>"#
    );
    let path = ods_with_rows(dir.path(), "esparsa.ods", &rows);
    let file = read_document_file(&path).unwrap();
    assert!(file.has_header);
    assert_eq!(file.columns, ["CPF", "Nome & sobrenome", "Coluna XFD"]);
    let list = file.list_for_column(0);
    let docs: Vec<_> = list.valid.iter().map(|d| d.normalized()).collect();
    assert_eq!(docs, [CPF, CNPJ]);
    assert_eq!(list.header.as_deref(), Some("CPF"));
    assert_eq!(file.cell(1_048_575, 2), Some(CNPJ));

    // A filled cell repeated over the whole sheet: refused, not expanded.
    let bomb = r#"<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#;
    let path = ods_with_rows(dir.path(), "bomba.ods", bomb);
    let error = read_document_file(&path).unwrap_err();
    assert!(matches!(error, BatchInputError::TooLarge { .. }), "{error}");
}

/// A minimal BIFF8 `.xls`: one sheet with `cells` (row, column, number) and the DIMENSIONS
/// record calamine reads (`declared`: first row, last row + 1, first column, last column + 1).
fn xls_with_cells(
    dir: &Path,
    name: &str,
    cells: &[(u16, u16, f64)],
    declared: [u32; 4],
) -> PathBuf {
    fn record(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
    }
    fn bof(kind: u16) -> Vec<u8> {
        let mut data = Vec::new();
        data.extend_from_slice(&0x0600u16.to_le_bytes());
        data.extend_from_slice(&kind.to_le_bytes());
        data.extend_from_slice(&[0; 12]);
        data
    }
    let sheet_name = b"Plan1";
    let boundsheet_len = 4 + 4 + 1 + 1 + 1 + 1 + sheet_name.len();
    let globals_len = (4 + 16) + boundsheet_len + 4;
    let mut stream = Vec::new();
    record(&mut stream, 0x0809, &bof(0x0005));
    let mut boundsheet = (globals_len as u32).to_le_bytes().to_vec();
    boundsheet.extend_from_slice(&[0, 0, sheet_name.len() as u8, 0]);
    boundsheet.extend_from_slice(sheet_name);
    record(&mut stream, 0x0085, &boundsheet);
    record(&mut stream, 0x000A, &[]);
    assert_eq!(stream.len(), globals_len);
    record(&mut stream, 0x0809, &bof(0x0010));
    let mut dimensions = Vec::new();
    dimensions.extend_from_slice(&declared[0].to_le_bytes());
    dimensions.extend_from_slice(&declared[1].to_le_bytes());
    dimensions.extend_from_slice(&(declared[2] as u16).to_le_bytes());
    dimensions.extend_from_slice(&(declared[3] as u16).to_le_bytes());
    dimensions.extend_from_slice(&[0, 0]);
    record(&mut stream, 0x0200, &dimensions);
    for &(row, column, value) in cells {
        let mut number = Vec::new();
        number.extend_from_slice(&row.to_le_bytes());
        number.extend_from_slice(&column.to_le_bytes());
        number.extend_from_slice(&0u16.to_le_bytes());
        number.extend_from_slice(&value.to_le_bytes());
        record(&mut stream, 0x0203, &number);
    }
    record(&mut stream, 0x000A, &[]);
    let path = dir.join(name);
    let mut compound = cfb::create(&path).unwrap();
    let mut workbook = compound.create_stream("/Workbook").unwrap();
    workbook.write_all(&stream).unwrap();
    drop(workbook);
    compound.flush().unwrap();
    path
}

#[test]
fn xls_sheets_too_spread_out_are_refused_before_calamine_opens_them() {
    let dir = tempfile::tempdir().unwrap();
    let small = xls_with_cells(
        dir.path(),
        "pequena.xls",
        &[(0, 0, 52998224725.0), (1, 0, 1234567890.0)],
        [0, 2, 0, 1],
    );
    let file = read_document_file(&small).unwrap();
    let docs: Vec<_> = file
        .list_for_column(0)
        .valid
        .iter()
        .map(|d| d.normalized().to_owned())
        .collect();
    assert_eq!(docs, [CPF, "01234567890"]);

    // Two cells at opposite corners: calamine would build a 65,536 × 256 grid (and reserve
    // room for the declared dimension) when opening the file.
    let spread = xls_with_cells(
        dir.path(),
        "espalhada.xls",
        &[(0, 0, 52998224725.0), (65_535, 255, 1.0)],
        [0, 65_536, 0, 256],
    );
    let error = read_document_file(&spread).unwrap_err();
    assert!(matches!(error, BatchInputError::TooLarge { .. }), "{error}");

    // A declared dimension that would overflow calamine's arithmetic.
    let lying = xls_with_cells(dir.path(), "mentirosa.xls", &[(0, 0, 1.0)], [9, 5, 0, 1]);
    let error = read_document_file(&lying).unwrap_err();
    assert!(matches!(error, BatchInputError::TooLarge { .. }), "{error}");
}

#[test]
fn xlsx_whose_shared_strings_would_not_fit_is_refused() {
    // A zip bomb: a shared-string table of many tiny strings, a few kB compressed.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomba.xlsx");
    let base = sparse_xlsx(dir.path());
    let mut source = zip::ZipArchive::new(std::fs::File::open(&base).unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    for index in 0..source.len() {
        let part = source.by_index(index).unwrap();
        if part.name().unwrap() == "xl/sharedStrings.xml" {
            continue;
        }
        zip.raw_copy_file(part).unwrap();
    }
    zip.start_file(
        "xl/sharedStrings.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    let count = 4_000_000;
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">"#
    )
    .unwrap();
    for _ in 0..count {
        zip.write_all(b"<si><t>a</t></si>").unwrap();
    }
    zip.write_all(b"</sst>").unwrap();
    zip.finish().unwrap();
    let error = read_document_file(&path).unwrap_err();
    assert!(matches!(error, BatchInputError::TooLarge { .. }), "{error}");
}
