//! The TSV text where it lands: a `.tsv` exported from the window, and the copied text pasted
//! into a real spreadsheet (LibreOffice Calc, headless, importing the text the way its paste
//! does).
//!
//! The LibreOffice check is `#[ignore]`d (it needs `soffice`, which `cargo test` machines may
//! lack): `cargo test --test tsv -- --ignored`, or `.ci/libreoffice-check.sh`, which installs
//! LibreOffice first.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use calamine::{Data, DataType as _, Reader as _, Xlsx, open_workbook};
use chrono::{NaiveDate, NaiveTime};
use egui_kittest::kittest::Queryable as _;
use recuperador_followups::api::{
    Column, Followup, FollowupFields, SharedStr, SimNao, TipoContato, TipoEvento,
};
use recuperador_followups::export::{neutralize_formula, tsv_text};
use recuperador_followups::ui::Command as UiCommand;

mod support;

use support::ui::{app_harness, busiest, search, step_until, type_into};

const TOKEN: &str = "tsv-test-token-512";

/// Rows with everything that can break a paste: a multi-line text with quotes, a tab inside a
/// name, text starting with `=`, `-`, `+` and `@`, a CPF with a leading zero, a CNPJ, an
/// unmasked document of the wrong length, accents, a date with a time, empty cells.
fn awkward_rows() -> Vec<Followup> {
    let day = |d: u32, h: u32, m: u32| {
        NaiveDate::from_ymd_opt(2026, 11, d).and_then(|day| day.and_hms_opt(h, m, 0))
    };
    let base = Followup::from(FollowupFields {
        id_credor: Some(12),
        nome_credor: Some(SharedStr::from("Banco Ipê S.A.")),
        tipo_contato: Some(TipoContato::WhatsApp),
        tipo_evento: Some(TipoEvento::Produtivo),
        reagendar: Some(SimNao::Nao),
        ..FollowupFields::default()
    });
    vec![
        Followup::from(FollowupFields {
            id_followup: Some(1),
            nome_cliente: Some(SharedStr::from("João da Conceição")),
            cpf_cnpj: Some(SharedStr::from("01234567890")),
            data: day(3, 0, 0),
            interacao: Some(
                "Cliente disse \"pago amanhã\"\r\nLigar às 14h\r\n\r\nÚltima linha".into(),
            ),
            ..base.fields()
        }),
        Followup::from(FollowupFields {
            id_followup: Some(2),
            nome_cliente: Some(SharedStr::from("Maria\tdo \"Carmo\"")),
            cpf_cnpj: Some(SharedStr::from("11222333000181")),
            data: day(4, 9, 15),
            interacao: Some("=HYPERLINK(\"http://exemplo.invalid\";\"clique\")".into()),
            ..base.fields()
        }),
        Followup::from(FollowupFields {
            id_followup: Some(3),
            nome_cliente: Some(SharedStr::from("-Traço no começo")),
            cpf_cnpj: Some(SharedStr::from("0012345")),
            data: day(5, 0, 0),
            interacao: Some("-3 parcelas".into()),
            data_reagendamento: day(10, 14, 30),
            horario_reagendamento: NaiveTime::from_hms_opt(14, 30, 0),
            ..base.fields()
        }),
        Followup::from(FollowupFields {
            id_followup: Some(4),
            nome_cliente: Some(SharedStr::from("@arroba")),
            cpf_cnpj: Some(SharedStr::from("00000000191")),
            data: day(6, 0, 0),
            interacao: Some("+55 11 99999-0000".into()),
            ..base.fields()
        }),
        Followup::from(FollowupFields {
            id_followup: Some(5),
            interacao: Some("\"Começa com aspas\" e termina sem".into()),
            ..FollowupFields::default()
        }),
    ]
}

/// What a cell holds after a paste: the text as the table shows it, with the formula
/// protection, line breaks as LF.
fn pasted_text(row: &Followup, column: Column) -> String {
    neutralize_formula(&row.field_br(column))
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

/// `soffice`, when it is on the PATH.
fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("soffice"))
        .find(|candidate| candidate.is_file())
}

/// Has LibreOffice import `tsv` as its paste does (tab separator, `"` text delimiter, UTF-8,
/// Portuguese (Brazil) locale, special numbers such as dates detected, formulas evaluated)
/// and save the result as `.xlsx`; returns the workbook's path.
fn libreoffice_import(soffice: &Path, tsv: &Path, out_dir: &Path) -> PathBuf {
    // A private profile: no first-run state shared with a desktop LibreOffice or another test.
    let profile = out_dir.join("perfil");
    let profile_url = format!("file://{}", profile.display());
    // CSV filter tokens: 9 = tab, 34 = `"`, 76 = UTF-8, line 1, no column types, 1046 =
    // pt-BR, quoted fields not forced to text, detect special numbers, (3 export-only
    // tokens), all sheets, evaluate formulas: a pasted `=` would become a formula.
    let filter = "CSV:9,34,76,1,,1046,false,true,false,false,false,-1,true";
    let output = Command::new(soffice)
        .arg(format!("-env:UserInstallation={profile_url}"))
        .args(["--headless", "--norestore", "--nologo"])
        .arg(format!("--infilter={filter}"))
        .args(["--convert-to", "xlsx", "--outdir"])
        .arg(out_dir)
        .arg(tsv)
        .output()
        .expect("soffice runs");
    let stem = tsv.file_stem().unwrap().to_string_lossy().into_owned();
    let xlsx = out_dir.join(format!("{stem}.xlsx"));
    assert!(
        output.status.success() && xlsx.is_file(),
        "soffice failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    xlsx
}

#[test]
#[ignore = "needs LibreOffice (soffice): cargo test --test tsv -- --ignored"]
fn pasting_the_copied_text_into_libreoffice_gives_one_row_per_follow_up() {
    let Some(soffice) = soffice() else {
        eprintln!(
            "SKIPPED: soffice is not on the PATH; install libreoffice-calc-nogui (or run .ci/libreoffice-check.sh)"
        );
        return;
    };
    let mut rows = awkward_rows();
    // Ordinary demo rows too: every column filled the way the simulator fills it.
    rows.extend(recuperador_followups::sim::huge_history_rows(300));
    let text = tsv_text(&rows, &Column::ALL, &AtomicBool::new(false)).unwrap();
    assert!(
        !text.starts_with('\u{feff}'),
        "the clipboard text has no BOM"
    );

    // "Pasting through a file": the clipboard's text, byte for byte, in a file.
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("colado.tsv");
    std::fs::write(&tsv, text.as_bytes()).unwrap();
    let xlsx = libreoffice_import(&soffice, &tsv, dir.path());

    let mut workbook: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet_name = workbook.sheet_names()[0].clone();
    let sheet = workbook.worksheet_range(&sheet_name).unwrap();
    let formulas = workbook.worksheet_formula(&sheet_name).unwrap();
    eprintln!(
        "LibreOffice read {} rows x {} columns; {} formula cells",
        sheet.height(),
        sheet.width(),
        formulas
            .used_cells()
            .filter(|(_, _, f)| !f.is_empty())
            .count()
    );

    // One row per follow-up, the header first, 20 columns.
    assert_eq!(sheet.height(), rows.len() + 1, "one row per follow-up");
    assert_eq!(sheet.width(), Column::ALL.len());
    // Nothing runs as a formula.
    assert_eq!(
        formulas
            .used_cells()
            .filter(|(_, _, formula)| !formula.is_empty())
            .map(|(r, c, f)| format!("({r},{c}) {f}"))
            .collect::<Vec<_>>(),
        Vec::<String>::new()
    );

    let cells: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = cells[0].iter().map(ToString::to_string).collect();
    let labels: Vec<&str> = Column::ALL.iter().map(|c| c.label()).collect();
    assert_eq!(header, labels);

    for (index, row) in rows.iter().enumerate() {
        let line = cells[index + 1];
        for (col, &column) in Column::ALL.iter().enumerate() {
            let cell = &line[col];
            let context = format!("row {index}, {column:?}: {cell:?}");
            match column {
                // The document stays text, exactly as the table shows it (masked), never a
                // number that lost its zeros.
                Column::CpfCnpj => {
                    let mut shown = pasted_text(row, column);
                    if !shown.is_empty() && !shown.contains(['.', '/']) {
                        // Unmasked (a wrong length): kept text by the `'` guard.
                        shown = format!("'{shown}");
                    }
                    if shown.is_empty() {
                        assert_eq!(cell, &Data::Empty, "{context}");
                    } else {
                        assert_eq!(cell, &Data::String(shown), "{context}");
                    }
                }
                // Dates as shown: Calc pt-BR reads `dd/mm/aaaa [hh:mm]` as that date.
                Column::Data | Column::DataReagendamento => {
                    let expected = match column {
                        Column::Data => row.data(),
                        _ => row.data_reagendamento(),
                    };
                    match expected {
                        None => assert_eq!(cell, &Data::Empty, "{context}"),
                        Some(value) => assert_eq!(cell.as_datetime(), Some(value), "{context}"),
                    }
                }
                Column::HorarioReagendamento => match row.horario_reagendamento() {
                    None => assert_eq!(cell, &Data::Empty, "{context}"),
                    Some(value) => assert_eq!(
                        cell.as_datetime().map(|v| v.time()),
                        Some(value),
                        "{context}"
                    ),
                },
                // Ids are numbers.
                Column::IdFollowup
                | Column::IdCredor
                | Column::IdCliente
                | Column::IdConsultor
                | Column::IdEvento => match row.value(column) {
                    recuperador_followups::api::Value::Int(id) => {
                        #[allow(clippy::cast_precision_loss)]
                        let id = id as f64;
                        assert_eq!(cell.as_f64(), Some(id), "{context}");
                    }
                    _ => assert_eq!(cell, &Data::Empty, "{context}"),
                },
                // Everything else is the text as shown, quotes, tabs and line breaks included.
                _ => {
                    let shown = pasted_text(row, column);
                    if shown.is_empty() {
                        assert_eq!(cell, &Data::Empty, "{context}");
                    } else {
                        assert_eq!(cell, &Data::String(shown), "{context}");
                    }
                }
            }
        }
    }

    // The awkward values, named.
    let cell = |row: usize, column: Column| cells[row + 1][column as usize].clone();
    assert_eq!(
        cell(0, Column::CpfCnpj),
        Data::String("012.345.678-90".into())
    );
    assert_eq!(
        cell(0, Column::Interacao),
        Data::String("Cliente disse \"pago amanhã\"\nLigar às 14h\n\nÚltima linha".into())
    );
    assert_eq!(
        cell(1, Column::NomeCliente),
        Data::String("Maria\tdo \"Carmo\"".into())
    );
    assert_eq!(
        cell(1, Column::Interacao),
        Data::String("'=HYPERLINK(\"http://exemplo.invalid\";\"clique\")".into())
    );
    assert_eq!(cell(2, Column::CpfCnpj), Data::String("'0012345".into()));
    assert_eq!(
        cell(2, Column::Interacao),
        Data::String("'-3 parcelas".into())
    );
    assert_eq!(
        cell(3, Column::CpfCnpj),
        Data::String("000.000.001-91".into())
    );
    assert_eq!(
        cell(4, Column::Interacao),
        Data::String("\"Começa com aspas\" e termina sem".into())
    );
    assert_eq!(
        cell(0, Column::TipoContato),
        Data::String("WhatsApp".into())
    );
}

#[test]
fn the_window_exports_the_current_view_as_tsv() {
    let sim = support::simulator(TOKEN, 13, 30);
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    search(&mut harness, id_credor, &doc);
    harness
        .state_mut()
        .queue(UiCommand::ToggleColumn(Column::NomeCredor));
    harness.step();
    // No native dialog here: the window asks for the path, and a `.tsv` name is accepted.
    harness.state_mut().dialogs.available = false;
    harness.state_mut().queue(UiCommand::OpenExport);
    harness.step();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visao.tsv");
    type_into(&mut harness, "Arquivo", path.to_str().unwrap());
    harness.key_press(egui::Key::Enter);
    harness.step();
    step_until(&mut harness, "the export", |app| {
        app.export.task.is_none() && app.export.done.is_some()
    });
    assert!(harness.query_by_label_contains("Exportado").is_some());

    let app = harness.state();
    let columns = app.visible_columns();
    assert!(!columns.contains(&Column::NomeCredor));
    let view: Vec<&Followup> = app
        .results
        .view_indices()
        .iter()
        .filter_map(|&i| app.results.rows().get(i as usize))
        .collect();
    assert!(!view.is_empty());
    let expected = tsv_text(view, &columns, &AtomicBool::new(false)).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a file has the BOM");
    assert!(
        bytes[3..] == *expected.as_bytes(),
        "the copy's text, in the table's order"
    );
}
