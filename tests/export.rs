//! Export round trips: write XLSX and CSV files, read them back with independent readers
//! (calamine, the csv crate) and compare every field; sheet splitting; atomicity.

use std::path::Path;

use calamine::{Data, Reader as _, Xlsx, open_workbook};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use recuperador_followups::api::{
    Column, Followup, FollowupFields, ReagendarPara, SharedStr, SimNao, TipoContato, TipoEvento,
};
use recuperador_followups::export::xlsx::{self, EXCEL_MAX_CELL_UNITS, EXCEL_MAX_ROWS};
use recuperador_followups::export::{
    CsvSeparator, ExportError, ExportFormat, ExportOptions, ExportProgress, export_rows,
};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|day| day.and_hms_opt(h, min, 0))
        .expect("valid date")
}

fn shared(text: &str) -> Option<SharedStr> {
    Some(SharedStr::from(text))
}

/// The 40,000-character interaction of the last sample row.
fn long_text() -> String {
    "Negociação longa. ".repeat(40_000 / 18 + 1)[..40_000].to_owned()
}

/// A few realistic rows: accents, emoji, CRLF, `;` and quotes in text, a CPF with a leading
/// zero, numeric and alphanumeric CNPJs, formula-looking text, unknown codes, empty fields.
fn sample_rows() -> Vec<Followup> {
    vec![
        Followup::from(FollowupFields {
            id_followup: Some(1_000_001),
            id_credor: Some(12),
            id_cliente: Some(880_123),
            id_consultor: Some(45),
            id_evento: Some(7),
            nome_credor: shared("Banco Ipê S.A."),
            nome_cliente: shared("João da Conceição Araújo"),
            cpf_cnpj: shared("01234567890"),
            nome_consultor: shared("Márcia Gonçalves"),
            nome_evento: shared("Promessa de pagamento"),
            tipo_evento: Some(TipoEvento::Produtivo),
            data: Some(at(2026, 11, 3, 0, 0)),
            interacao: Some(
                "Cliente pediu boleto 😀; disse \"pago amanhã\"\r\nLigar às 14h, ação nº 2".into(),
            ),
            tipo_contato: Some(TipoContato::WhatsApp),
            reagendar: Some(SimNao::Sim),
            data_reagendamento: Some(at(2026, 11, 10, 14, 30)),
            horario_reagendamento: NaiveTime::from_hms_opt(14, 30, 0),
            reagendar_para: Some(ReagendarPara::Consultor),
            visivel_cliente: Some(SimNao::Nao),
            reagendado_por: shared("marcia.goncalves"),
        }),
        Followup::from(FollowupFields {
            id_followup: Some(1_000_002),
            id_credor: Some(12),
            id_cliente: Some(990_001),
            id_consultor: None,
            id_evento: Some(3),
            nome_credor: shared("Banco Ipê S.A."),
            nome_cliente: shared("-Comércio Ltda"),
            cpf_cnpj: shared("11222333000181"),
            nome_consultor: shared("@robô"),
            nome_evento: shared("Sem contato"),
            tipo_evento: Some(TipoEvento::Improdutivo),
            data: Some(at(2026, 11, 4, 9, 15)),
            interacao: Some("=HYPERLINK(\"http://exemplo.invalid\";\"clique\")".into()),
            tipo_contato: Some(TipoContato::from_code("X9")),
            reagendar: Some(SimNao::Nao),
            data_reagendamento: None,
            horario_reagendamento: None,
            reagendar_para: None,
            visivel_cliente: Some(SimNao::Sim),
            reagendado_por: shared("+admin"),
        }),
        Followup::from(FollowupFields {
            id_followup: Some(1_000_003),
            cpf_cnpj: shared("12ABC34501DE35"),
            interacao: Some("\tcomeça com tabulação".into()),
            ..FollowupFields::default()
        }),
        Followup::from(FollowupFields {
            id_followup: Some(1_000_004),
            id_credor: Some(12),
            cpf_cnpj: shared("0012345"),
            nome_cliente: shared("Zé 🇧🇷"),
            data: Some(at(2026, 1, 2, 0, 0)),
            interacao: Some(long_text().into()),
            tipo_contato: Some(TipoContato::Email),
            horario_reagendamento: NaiveTime::from_hms_opt(8, 5, 0),
            ..FollowupFields::default()
        }),
    ]
}

/// What a text cell must read back as (the first two rows are spelled out by hand).
fn expected_text(row: usize, column: Column, raw_codes: bool) -> Option<String> {
    let rows = sample_rows();
    let value = rows[row].value(column);
    use recuperador_followups::api::Value;
    let text = match value {
        Value::Text(t) if column == Column::CpfCnpj => {
            recuperador_followups::doc_id::format_lenient(t)
        }
        Value::Text(t) => t.to_owned(),
        Value::Code(code, _) if raw_codes => code.to_owned(),
        Value::Code(_, label) => label.to_owned(),
        _ => return None,
    };
    Some(recuperador_followups::export::neutralize_formula(&text).into_owned())
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

fn export(
    path: &Path,
    rows: &[Followup],
    options: &ExportOptions,
) -> Result<recuperador_followups::export::ExportSummary, ExportError> {
    export_rows(path, rows.iter(), options, &ExportProgress::new())
}

fn read_sheets(path: &Path) -> Vec<(String, calamine::Range<Data>)> {
    let mut workbook: Xlsx<_> = open_workbook(path).expect("readable xlsx");
    workbook
        .sheet_names()
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).expect("sheet");
            (name, range)
        })
        .collect()
}

fn seconds_of(data: &Data) -> i64 {
    match data {
        Data::DateTime(value) => (value.as_f64().fract() * 86_400.0).round() as i64,
        other => panic!("not a time cell: {other:?}"),
    }
}

#[test]
fn xlsx_round_trip_keeps_every_field_typed() {
    let dir = temp_dir();
    let path = dir.path().join("followups.xlsx");
    let rows = sample_rows();
    let summary = export(&path, &rows, &ExportOptions::new(ExportFormat::Xlsx)).unwrap();
    assert_eq!(summary.rows, rows.len());
    assert_eq!(summary.sheets, 1);
    assert_eq!(summary.truncated_cells, 1);
    assert_eq!(summary.path, path);

    let sheets = read_sheets(&path);
    assert_eq!(sheets.len(), 1);
    let (name, range) = &sheets[0];
    assert_eq!(name, "Follow-ups");
    assert_eq!(range.height(), rows.len() + 1);
    assert_eq!(range.width(), Column::ALL.len());

    // Header: Portuguese labels.
    for (col, column) in Column::ALL.iter().enumerate() {
        assert_eq!(
            range.get((0, col)),
            Some(&Data::String(column.label().to_owned()))
        );
    }

    for (index, row) in rows.iter().enumerate() {
        for (col, &column) in Column::ALL.iter().enumerate() {
            let cell = range.get((index + 1, col)).unwrap_or(&Data::Empty);
            let context = format!("row {index}, {}", column.wire_name());
            match row.value(column) {
                recuperador_followups::api::Value::Empty => {
                    assert_eq!(cell, &Data::Empty, "{context}")
                }
                recuperador_followups::api::Value::Int(value) => {
                    assert_eq!(cell, &Data::Float(value as f64), "{context}")
                }
                recuperador_followups::api::Value::DateTime(value) => match cell {
                    Data::DateTime(date) => {
                        assert_eq!(date.as_datetime(), Some(value), "{context}")
                    }
                    other => panic!("{context}: not a date cell: {other:?}"),
                },
                recuperador_followups::api::Value::Time(value) => {
                    assert_eq!(
                        seconds_of(cell),
                        i64::from(chrono::Timelike::num_seconds_from_midnight(&value)),
                        "{context}"
                    );
                }
                _ if column == Column::Interacao && index == 3 => {
                    let Data::String(text) = cell else {
                        panic!("{context}: not text")
                    };
                    assert!(text.encode_utf16().count() <= EXCEL_MAX_CELL_UNITS);
                    assert!(text.starts_with("Negociação longa. "));
                    assert!(text.ends_with(" caracteres]"), "{context}");
                    assert!(text.contains("… [texto cortado: "), "{context}");
                }
                _ => assert_eq!(
                    cell,
                    &Data::String(expected_text(index, column, false).unwrap()),
                    "{context}"
                ),
            }
        }
    }

    // Spelled out: the values analysts care about most.
    let text = |row: usize, column: Column| {
        range
            .get((row + 1, column as usize))
            .cloned()
            .unwrap_or(Data::Empty)
    };
    let s = |v: &str| Data::String(v.to_owned());
    assert_eq!(text(0, Column::CpfCnpj), s("012.345.678-90"));
    assert_eq!(text(1, Column::CpfCnpj), s("11.222.333/0001-81"));
    assert_eq!(text(2, Column::CpfCnpj), s("12.ABC.345/01DE-35"));
    assert_eq!(text(3, Column::CpfCnpj), s("0012345"));
    assert_eq!(text(0, Column::TipoContato), s("WhatsApp"));
    assert_eq!(text(0, Column::TipoEvento), s("Produtivo"));
    assert_eq!(text(0, Column::VisivelCliente), s("Não"));
    assert_eq!(text(1, Column::TipoContato), s("X9"));
    assert_eq!(
        text(0, Column::Interacao),
        s("Cliente pediu boleto 😀; disse \"pago amanhã\"\r\nLigar às 14h, ação nº 2")
    );
    assert_eq!(
        text(1, Column::Interacao),
        s("'=HYPERLINK(\"http://exemplo.invalid\";\"clique\")")
    );
    assert_eq!(text(1, Column::NomeCliente), s("'-Comércio Ltda"));
    assert_eq!(text(1, Column::NomeConsultor), s("'@robô"));
    assert_eq!(text(1, Column::ReagendadoPor), s("'+admin"));
    assert_eq!(text(2, Column::Interacao), s("'\tcomeça com tabulação"));
    assert_eq!(text(3, Column::NomeCliente), s("Zé 🇧🇷"));
    assert_eq!(text(0, Column::IdFollowup), Data::Float(1_000_001.0));
}

#[test]
fn xlsx_raw_codes_and_column_choice() {
    let dir = temp_dir();
    let path = dir.path().join("codes.xlsx");
    let options = ExportOptions {
        columns: vec![Column::TipoContato, Column::IdFollowup, Column::Reagendar],
        raw_codes: true,
        ..ExportOptions::new(ExportFormat::Xlsx)
    };
    export(&path, &sample_rows(), &options).unwrap();
    let sheets = read_sheets(&path);
    let range = &sheets[0].1;
    assert_eq!(range.width(), 3);
    assert_eq!(
        range.get((0, 0)),
        Some(&Data::String("Tipo de contato".into()))
    );
    assert_eq!(range.get((1, 0)), Some(&Data::String("W".into())));
    assert_eq!(range.get((1, 1)), Some(&Data::Float(1_000_001.0)));
    assert_eq!(range.get((1, 2)), Some(&Data::String("S".into())));
    assert_eq!(range.get((2, 0)), Some(&Data::String("X9".into())));
}

#[test]
fn xlsx_properties_hold_the_title_and_nothing_personal() {
    let dir = temp_dir();
    let path = dir.path().join("props.xlsx");
    export(
        &path,
        &sample_rows(),
        &ExportOptions::new(ExportFormat::Xlsx),
    )
    .unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let mut zip = zip_entries(file);
    let core = zip.remove("docProps/core.xml").expect("core properties");
    assert!(core.contains("Follow-ups — Recuperador CRM"), "{core}");
    assert!(core.contains("dcterms:created"), "{core}");
    assert!(!core.contains("João"), "{core}");
    assert!(!core.contains("<dc:creator>") || core.contains("<dc:creator></dc:creator>"));
    let workbook = zip.remove("xl/workbook.xml").expect("workbook");
    assert!(
        workbook.contains("_xlnm._FilterDatabase"),
        "autofilter defined"
    );
    let sheet = zip.remove("xl/worksheets/sheet1.xml").expect("sheet");
    assert!(sheet.contains("<pane ySplit=\"1\""), "frozen header");
}

/// Every part of an XLSX container, as text.
fn zip_entries(file: std::fs::File) -> std::collections::HashMap<String, String> {
    let mut archive = zip::ZipArchive::new(file).expect("xlsx is a zip");
    (0..archive.len())
        .map(|index| {
            let mut entry = archive.by_index(index).expect("entry");
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).expect("text part");
            (entry.name().expect("entry name").to_string(), text)
        })
        .collect()
}

fn read_csv(bytes: &[u8], separator: u8) -> Vec<Vec<String>> {
    ::csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|record| {
            record
                .expect("valid csv record")
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

#[test]
fn csv_round_trip_for_excel_pt_br() {
    let dir = temp_dir();
    let path = dir.path().join("followups.csv");
    let rows = sample_rows();
    let summary = export(&path, &rows, &ExportOptions::new(ExportFormat::Csv)).unwrap();
    assert_eq!(summary.rows, rows.len());
    assert_eq!(summary.truncated_cells, 0, "CSV is never cut");

    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let body = &bytes[3..];
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.label()).collect();
    let header_line = format!("{}\r\n", header.join(";"));
    assert!(body.starts_with(header_line.as_bytes()), "';' and CRLF");
    assert!(body.ends_with(b"\r\n"));

    let records = read_csv(body, b';');
    assert_eq!(records.len(), rows.len() + 1);
    assert_eq!(records[0], header);
    for (index, row) in rows.iter().enumerate() {
        for (col, &column) in Column::ALL.iter().enumerate() {
            let field = &records[index + 1][col];
            let context = format!("row {index}, {}", column.wire_name());
            let expected = match row.value(column) {
                recuperador_followups::api::Value::Empty => String::new(),
                recuperador_followups::api::Value::Int(v) => v.to_string(),
                recuperador_followups::api::Value::DateTime(v) => {
                    recuperador_followups::fmt::datetime_br(v)
                }
                recuperador_followups::api::Value::Time(v) => {
                    recuperador_followups::fmt::time_br(v)
                }
                _ if column == Column::CpfCnpj && index == 3 => "=\"0012345\"".to_owned(),
                _ => expected_text(index, column, false).unwrap(),
            };
            assert_eq!(field, &expected, "{context}");
        }
    }
    let field = |row: usize, column: Column| records[row + 1][column as usize].clone();
    assert_eq!(field(0, Column::CpfCnpj), "012.345.678-90");
    assert_eq!(field(0, Column::Data), "03/11/2026");
    assert_eq!(field(0, Column::DataReagendamento), "10/11/2026 14:30");
    assert_eq!(field(0, Column::HorarioReagendamento), "14:30");
    assert_eq!(field(0, Column::TipoContato), "WhatsApp");
    assert_eq!(
        field(0, Column::Interacao),
        "Cliente pediu boleto 😀; disse \"pago amanhã\"\r\nLigar às 14h, ação nº 2"
    );
    assert_eq!(field(3, Column::Interacao), long_text(), "never cut");
    assert_eq!(field(1, Column::Interacao).chars().next(), Some('\''));
    // The raw bytes show RFC 4180 quoting of the interaction.
    let raw = String::from_utf8(body.to_vec()).unwrap();
    assert!(raw.contains(
        ";\"Cliente pediu boleto 😀; disse \"\"pago amanhã\"\"\r\nLigar às 14h, ação nº 2\";"
    ));
}

#[test]
fn tsv_round_trip_values_as_on_screen() {
    let dir = temp_dir();
    let path = dir.path().join("followups.tsv");
    let rows = sample_rows();
    let summary = export(&path, &rows, &ExportOptions::new(ExportFormat::Tsv)).unwrap();
    assert_eq!(summary.rows, rows.len());
    assert_eq!(summary.truncated_cells, 0, "TSV is never cut");

    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM for Excel");
    let body = &bytes[3..];
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.label()).collect();
    assert!(body.starts_with(format!("{}\r\n", header.join("\t")).as_bytes()));
    assert!(body.ends_with(b"\r\n"));

    // An independent reader: the csv crate with a tab separator and `"` quoting.
    let records = read_csv(body, b'\t');
    assert_eq!(records.len(), rows.len() + 1);
    assert_eq!(records[0], header);
    for (index, row) in rows.iter().enumerate() {
        for (col, &column) in Column::ALL.iter().enumerate() {
            let shown = row.field_br(column);
            let mut expected = recuperador_followups::export::neutralize_formula(&shown)
                .replace("\r\n", "\n")
                .replace('\r', "\n");
            if column == Column::CpfCnpj && index == 3 {
                // Unmasked and number-like: kept text with the formula protection's quote.
                expected = format!("'{expected}");
            }
            assert_eq!(records[index + 1][col], expected, "row {index}, {column:?}");
        }
    }
    let field = |row: usize, column: Column| records[row + 1][column as usize].clone();
    assert_eq!(field(0, Column::CpfCnpj), "012.345.678-90");
    assert_eq!(field(0, Column::Data), "03/11/2026");
    assert_eq!(field(0, Column::DataReagendamento), "10/11/2026 14:30");
    assert_eq!(field(0, Column::TipoContato), "WhatsApp");
    assert_eq!(field(3, Column::CpfCnpj), "'0012345");
    assert_eq!(field(3, Column::Interacao), long_text(), "never cut");
    let raw = String::from_utf8(body.to_vec()).unwrap();
    assert!(raw.contains(
        "\t\"Cliente pediu boleto 😀; disse \"\"pago amanhã\"\"\nLigar às 14h, ação nº 2\"\t"
    ));
}

#[test]
fn csv_comma_option_is_plain_utf8_with_iso_dates() {
    let dir = temp_dir();
    let path = dir.path().join("followups.csv");
    let options = ExportOptions {
        csv_separator: CsvSeparator::Comma,
        raw_codes: true,
        ..ExportOptions::new(ExportFormat::Csv)
    };
    export(&path, &sample_rows(), &options).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    assert!(bytes.starts_with("ID follow-up,ID credor,".as_bytes()));
    let records = read_csv(&bytes, b',');
    assert_eq!(records.len(), 5);
    let field = |row: usize, column: Column| records[row + 1][column as usize].clone();
    assert_eq!(field(0, Column::Data), "2026-11-03");
    assert_eq!(field(0, Column::DataReagendamento), "2026-11-10 14:30:00");
    assert_eq!(field(0, Column::HorarioReagendamento), "14:30:00");
    assert_eq!(field(0, Column::TipoContato), "W");
    assert_eq!(field(0, Column::NomeCredor), "Banco Ipê S.A.");
    assert_eq!(field(3, Column::CpfCnpj), "0012345", "no Excel guard");
    assert_eq!(
        field(1, Column::Interacao),
        "'=HYPERLINK(\"http://exemplo.invalid\";\"clique\")"
    );
}

#[test]
fn json_goes_through_the_same_entry_point() {
    let dir = temp_dir();
    let path = dir.path().join("followups.json");
    let rows = sample_rows();
    let summary = export(&path, &rows, &ExportOptions::new(ExportFormat::Json)).unwrap();
    assert_eq!(summary.rows, rows.len());
    let value: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(value.as_array().map(Vec::len), Some(rows.len()));
    assert_eq!(value[0]["cpf_cnpj"], "01234567890");
}

#[test]
fn xlsx_continues_on_new_sheets_each_with_its_header() {
    let dir = temp_dir();
    let path = dir.path().join("split.xlsx");
    let rows = sample_rows();
    let many: Vec<&Followup> = rows.iter().cycle().take(23).collect();
    let options = ExportOptions::new(ExportFormat::Xlsx);
    let mut file = std::fs::File::create(&path).unwrap();
    let stats = xlsx::write_xlsx_with_row_limit(
        &mut file,
        many.into_iter(),
        &options,
        &ExportProgress::new(),
        &path,
        dir.path(),
        10,
    )
    .unwrap();
    drop(file);
    assert_eq!(stats.rows, 23);
    assert_eq!(stats.sheets, 3);
    let sheets = read_sheets(&path);
    let names: Vec<&str> = sheets.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["Follow-ups", "Follow-ups (2)", "Follow-ups (3)"]);
    let heights: Vec<usize> = sheets.iter().map(|(_, range)| range.height()).collect();
    assert_eq!(heights, [10, 10, 6]);
    for (_, range) in &sheets {
        assert_eq!(
            range.get((0, 0)),
            Some(&Data::String("ID follow-up".into()))
        );
    }
    // Row 10 overall (index 9) is the first data row of the second sheet.
    assert_eq!(
        sheets[1].1.get((1, 0)),
        Some(&Data::Float(
            rows[9 % rows.len()].id_followup().unwrap() as f64
        ))
    );
    let parts = zip_entries(std::fs::File::open(&path).unwrap());
    for sheet in 1..=3 {
        let xml = &parts[&format!("xl/worksheets/sheet{sheet}.xml")];
        assert!(xml.contains("state=\"frozen\""), "sheet {sheet} frozen");
        assert!(
            xml.contains("<autoFilter ref=\"A1:T"),
            "sheet {sheet} filter"
        );
    }
}

/// The real limit: 1,048,576 rows per sheet, header included. Cheap rows (one small row
/// repeated, three columns) keep it to about 2.5 s in release, but it takes about 57 s in a
/// debug build (writing and reading back 3 million cells), so it is ignored by default:
/// `cargo test --release --test export -- --ignored`.
#[test]
#[ignore = "slow in debug builds: run with --release -- --ignored"]
fn xlsx_row_limit_lands_on_two_sheets() {
    let dir = temp_dir();
    let path = dir.path().join("huge.xlsx");
    let row = Followup::from(FollowupFields {
        id_followup: Some(1),
        cpf_cnpj: shared("01234567890"),
        data: Some(at(2026, 11, 3, 0, 0)),
        ..FollowupFields::default()
    });
    let total = EXCEL_MAX_ROWS as usize + 10;
    let options = ExportOptions {
        columns: vec![Column::IdFollowup, Column::CpfCnpj, Column::Data],
        ..ExportOptions::new(ExportFormat::Xlsx)
    };
    let progress = ExportProgress::new();
    let summary =
        export_rows(&path, std::iter::repeat_n(&row, total), &options, &progress).unwrap();
    assert_eq!(summary.rows, total);
    assert_eq!(summary.sheets, 2);
    assert_eq!(progress.rows_written(), total);
    let sheets = read_sheets(&path);
    assert_eq!(sheets.len(), 2);
    assert_eq!(sheets[0].1.height(), EXCEL_MAX_ROWS as usize);
    // 10 + 1 rows: the header and the first row the first sheet had no room for.
    assert_eq!(sheets[1].1.height(), 12);
    assert_eq!(sheets[1].0, "Follow-ups (2)");
}

fn assert_untouched(dir: &Path, path: &Path, old: &[u8]) {
    assert_eq!(std::fs::read(path).unwrap(), old, "old file byte-identical");
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
}

#[test]
fn a_cancelled_export_leaves_the_old_file_and_no_temp_file() {
    let rows = sample_rows();
    let many: Vec<Followup> = rows.iter().cycle().take(5_000).cloned().collect();
    for format in ExportFormat::ALL {
        let dir = temp_dir();
        let path = dir.path().join(format!("old.{}", format.extension()));
        let old = b"previous export, must survive".to_vec();
        std::fs::write(&path, &old).unwrap();
        let progress = ExportProgress::new();
        let mut seen = 0;
        // Cancel mid-way, as the user's button would, from the row iterator.
        let rows = many.iter().inspect(|_| {
            seen += 1;
            if seen == 1_500 {
                progress.cancel();
            }
        });
        let result = export_rows(&path, rows, &ExportOptions::new(format), &progress);
        assert!(
            matches!(result, Err(ExportError::Cancelled)),
            "{format:?}: {result:?}"
        );
        assert!(progress.rows_written() >= 1_000, "{format:?} had started");
        assert!(progress.rows_written() < 5_000, "{format:?} stopped early");
        assert_untouched(dir.path(), &path, &old);
    }
}

#[test]
fn a_cancel_before_the_start_writes_nothing() {
    let dir = temp_dir();
    let path = dir.path().join("x.xlsx");
    let progress = ExportProgress::new();
    progress.cancel();
    let result = export_rows(
        &path,
        sample_rows().iter(),
        &ExportOptions::default(),
        &progress,
    );
    assert!(matches!(result, Err(ExportError::Cancelled)));
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn a_failing_export_leaves_the_old_file_and_no_temp_file() {
    let dir = temp_dir();
    let path = dir.path().join("old.xlsx");
    let old = b"previous workbook".to_vec();
    std::fs::write(&path, &old).unwrap();
    // More columns than Excel's 16,384: the spreadsheet library fails mid-write.
    let options = ExportOptions {
        columns: vec![Column::IdFollowup; 20_000],
        ..ExportOptions::new(ExportFormat::Xlsx)
    };
    let result = export(&path, &sample_rows(), &options);
    let Err(error) = result else {
        panic!("expected a failure")
    };
    assert!(matches!(error, ExportError::Xlsx { .. }), "{error:?}");
    assert!(error.to_string().starts_with("Falha ao montar a planilha"));
    assert_untouched(dir.path(), &path, &old);
}

#[test]
fn a_missing_folder_is_reported_in_portuguese() {
    let path = Path::new("/nonexistent-folder-for-export-test/x.csv");
    let error = export(path, &sample_rows(), &ExportOptions::new(ExportFormat::Csv)).unwrap_err();
    assert!(matches!(error, ExportError::NoFolder { .. }));
    assert!(error.to_string().contains("A pasta de destino não existe"));
}

#[test]
fn progress_reaches_the_total() {
    let dir = temp_dir();
    let rows: Vec<Followup> = sample_rows().into_iter().cycle().take(2_345).collect();
    for format in ExportFormat::ALL {
        let path = dir.path().join(format!("p.{}", format.extension()));
        let progress = ExportProgress::new();
        export_rows(&path, rows.iter(), &ExportOptions::new(format), &progress).unwrap();
        assert_eq!(progress.total_rows(), 2_345);
        assert_eq!(progress.rows_written(), 2_345);
        assert_eq!(progress.fraction(), 1.0);
    }
}

#[test]
fn an_empty_export_has_just_the_header() {
    let dir = temp_dir();
    let path = dir.path().join("empty.xlsx");
    let summary = export(&path, &[], &ExportOptions::default()).unwrap();
    assert_eq!((summary.rows, summary.sheets), (0, 1));
    let sheets = read_sheets(&path);
    assert_eq!(sheets[0].1.height(), 1);
    let csv_path = dir.path().join("empty.csv");
    export(&csv_path, &[], &ExportOptions::new(ExportFormat::Csv)).unwrap();
    let records = read_csv(&std::fs::read(&csv_path).unwrap()[3..], b';');
    assert_eq!(records.len(), 1);
}
