//! `recuperador-followups-cli agenda` against the simulator, with `--data-referencia`: the JSON
//! read back and compared with the library's agenda of the same rows (fetched with
//! `fetch --output .json`), the planted debtors' situações, the XLSX (both sheets) read with
//! calamine, the CSV header, and a bad reference date.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Output};

use calamine::{Data, Reader as _, Xlsx, open_workbook};
use chrono::NaiveDate;
use recuperador_followups::analysis::agenda::{Agenda, Situacao, agenda_of};
use recuperador_followups::api::Followup;
use recuperador_followups::api::parse::{Parsed, parse_followups_slice};
use recuperador_followups::export::agenda::{AGENDA_COLUMNS, CUMPRIMENTO_HEADERS};
use recuperador_followups::sim::{AGENDA_REFERENCE, Simulator};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_recuperador-followups-cli");
const TOKEN: &str = "cli-agenda-token-14";

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("RECUPERADOR_TOKEN", TOKEN)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The fetch arguments for every document of creditor 12 (the agenda debtors' creditor).
fn fetch_args(sim: &Simulator, list: &Path) -> Vec<String> {
    let docs = sim.dataset().documents_of(12);
    std::fs::write(list, docs.join("\n")).unwrap();
    vec![
        "--base-url".into(),
        sim.url().to_string(),
        "--id-credor".into(),
        "12".into(),
        "--cpf-cnpj-file".into(),
        list.to_str().unwrap().into(),
    ]
}

fn agenda_run(fetch: &[String], reference: &str, output: &Path) -> Output {
    let mut args: Vec<&str> = vec!["agenda"];
    args.extend(fetch.iter().map(String::as_str));
    args.extend(["--data-referencia", reference, "--output"]);
    args.push(output.to_str().unwrap());
    run(&args)
}

/// The rows `fetch --output .json` writes for the same query.
fn fetched_rows(fetch: &[String], path: &Path) -> Vec<Followup> {
    let mut args: Vec<&str> = vec!["fetch"];
    args.extend(fetch.iter().map(String::as_str));
    args.extend(["--output", path.to_str().unwrap()]);
    let output = run(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let bytes = std::fs::read(path).unwrap();
    match parse_followups_slice(&bytes) {
        Ok((rows, Parsed::Rows(report))) => {
            assert!(!report.has_problems(), "{report:?}");
            rows
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn agenda_json_is_the_librarys_agenda_of_the_fetched_rows() {
    let sim = support::simulator(TOKEN, 11, 30);
    let dir = tempfile::tempdir().unwrap();
    let fetch = fetch_args(&sim, &dir.path().join("docs.txt"));
    let rows = fetched_rows(&fetch, &dir.path().join("rows.json"));
    let expected = agenda_of(&rows, AGENDA_REFERENCE);
    assert!(expected.entries.len() > 10, "the query has reschedules");

    let out = dir.path().join("agenda.json");
    let output = agenda_run(&fetch, "2026-11-30", &out);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("só vê os reagendamentos registrados no período consultado"),
        "{text}"
    );
    assert!(
        text.contains("só os contatos dentro dele contam como realizados"),
        "{text}"
    );
    // One line of counts, each situação with the library's number.
    let counts_line = text
        .lines()
        .find(|line| line.starts_with("Agenda em 30/11/2026"))
        .unwrap_or_else(|| panic!("{text}"));
    for situacao in Situacao::ALL {
        let part = format!(
            "{} {}",
            situacao.label().to_lowercase(),
            expected.counts.get(situacao)
        );
        assert!(counts_line.contains(&part), "{part}: {counts_line}");
    }

    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let items = json.as_array().unwrap();
    assert_eq!(items.len(), expected.entries.len());
    for (item, entry) in items.iter().zip(&expected.entries) {
        let row = &rows[entry.row as usize];
        let object = item.as_object().unwrap();
        // The row's 20 fields exactly as `fetch` writes them, and the two more.
        let fetched = serde_json::to_value(row).unwrap();
        for (key, value) in fetched.as_object().unwrap() {
            assert_eq!(object.get(key), Some(value), "{key}");
        }
        assert_eq!(object.len(), 22);
        assert_eq!(object["situacao"], entry.situacao.as_str());
        match entry.realizado_em {
            Some(day) => assert_eq!(object["realizado_em"], day.format("%Y-%m-%d").to_string()),
            None => assert!(object["realizado_em"].is_null()),
        }
    }
    // The order: due date (missing last), time, id.
    let key = |item: &serde_json::Value| {
        (
            item["data_reagendamento"]
                .as_str()
                .map(str::to_owned)
                .is_none(),
            item["data_reagendamento"].as_str().map(str::to_owned),
            item["horario_reagendamento"]
                .as_str()
                .map(str::to_owned)
                .is_none(),
            item["horario_reagendamento"].as_str().map(str::to_owned),
            item["id_followup"].as_i64(),
        )
    };
    for pair in items.windows(2) {
        assert!(key(&pair[0]) <= key(&pair[1]));
    }

    // The planted debtors' entries are what the simulator meant them to be.
    let planted = sim.dataset().agenda_debtors();
    let situacoes_of = |index: usize| {
        let mut list: Vec<&str> = items
            .iter()
            .filter(|item| item["id_cliente"].as_i64() == Some(planted[index].id_cliente))
            .map(|item| item["situacao"].as_str().unwrap())
            .collect();
        list.sort_unstable();
        list
    };
    assert_eq!(situacoes_of(0), ["realizado", "realizado", "realizado"]);
    assert_eq!(situacoes_of(1), ["atrasado", "atrasado", "sem_data"]);
    assert_eq!(
        situacoes_of(2),
        ["depois", "hoje", "proximos_7_dias", "proximos_7_dias"]
    );
    // Kept the same day by another contact: realizado_em is that day.
    let same_day = items
        .iter()
        .find(|item| {
            item["id_cliente"].as_i64() == Some(planted[0].id_cliente)
                && item["data_reagendamento"] == "2026-11-20T00:00:00"
        })
        .unwrap();
    assert_eq!(same_day["realizado_em"], "2026-11-20");

    // The Brazilian form of the date gives the same agenda; another date moves the groups.
    let out_br = dir.path().join("agenda-br.json");
    let output = agenda_run(&fetch, "30/11/2026", &out_br);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(&out_br).unwrap(),
        std::fs::read(&out).unwrap()
    );
    let out_later = dir.path().join("agenda-later.json");
    let output = agenda_run(&fetch, "2026-12-08", &out_later);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let later: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_later).unwrap()).unwrap();
    let later_expected = agenda_of(&rows, NaiveDate::from_ymd_opt(2026, 12, 8).unwrap());
    let planted_upcoming: Vec<&str> = later
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["id_cliente"].as_i64() == Some(planted[2].id_cliente))
        .map(|item| item["situacao"].as_str().unwrap())
        .collect();
    // Due R, R+3, R+7, R+8 seen from R+8: three overdue, one today.
    assert_eq!(
        planted_upcoming,
        ["atrasado", "atrasado", "atrasado", "hoje"]
    );
    assert_eq!(
        later.as_array().unwrap().len(),
        later_expected.entries.len()
    );
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

fn text(data: Option<&Data>) -> String {
    match data {
        Some(Data::String(s)) => s.clone(),
        other => panic!("not text: {other:?}"),
    }
}

fn number(data: Option<&Data>) -> f64 {
    match data {
        Some(Data::Float(v)) => *v,
        Some(Data::Int(v)) => *v as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn agenda_xlsx_has_both_sheets_typed_and_coloured_and_csv_its_header() {
    let sim = support::simulator(TOKEN, 11, 30);
    let dir = tempfile::tempdir().unwrap();
    let fetch = fetch_args(&sim, &dir.path().join("docs.txt"));
    let rows = fetched_rows(&fetch, &dir.path().join("rows.json"));
    let expected: Agenda = agenda_of(&rows, AGENDA_REFERENCE);

    let out = dir.path().join("agenda.xlsx");
    let output = agenda_run(&fetch, "2026-11-30", &out);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let sheets = read_sheets(&out);
    let names: Vec<&str> = sheets.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["Agenda", "Cumprimento"]);

    let agenda = &sheets[0].1;
    assert_eq!(agenda.height(), expected.entries.len() + 1);
    for (col, column) in AGENDA_COLUMNS.iter().enumerate() {
        assert_eq!(text(agenda.get((0, col))), column.label());
    }
    assert_eq!(text(agenda.get((0, 0))), "Situação");
    for (index, entry) in expected.entries.iter().enumerate() {
        let row = index + 1;
        assert_eq!(text(agenda.get((row, 0))), entry.situacao.label());
        // The due date is a real date.
        match (agenda.get((row, 1)), entry.due_date) {
            (Some(Data::DateTime(value)), Some(due)) => {
                assert_eq!(value.as_datetime().map(|d| d.date()), Some(due))
            }
            (None | Some(Data::Empty), None) => {}
            other => panic!("row {row}: {other:?}"),
        }
        // The time is a real time.
        if let Some(time) = entry.due_time {
            match agenda.get((row, 2)) {
                Some(Data::DateTime(value)) => {
                    let seconds = (value.as_f64().fract() * 86_400.0).round() as u32;
                    assert_eq!(seconds, chrono::Timelike::num_seconds_from_midnight(&time));
                }
                other => panic!("row {row}: not a time: {other:?}"),
            }
        }
        match (agenda.get((row, 6)), entry.realizado_em) {
            (Some(Data::DateTime(value)), Some(day)) => {
                assert_eq!(value.as_datetime().map(|d| d.date()), Some(day))
            }
            (None | Some(Data::Empty), None) => {}
            other => panic!("row {row}: {other:?}"),
        }
    }

    let cumprimento = &sheets[1].1;
    for (col, header) in CUMPRIMENTO_HEADERS.iter().enumerate() {
        assert_eq!(text(cumprimento.get((0, col))), *header);
    }
    for (index, line) in expected
        .por_reagendado_por
        .iter()
        .chain([&expected.total])
        .enumerate()
    {
        let row = index + 1;
        assert_eq!(text(cumprimento.get((row, 0))), line.grupo);
        assert_eq!(number(cumprimento.get((row, 1))), line.entradas as f64);
        assert_eq!(number(cumprimento.get((row, 2))), line.devidos as f64);
        assert_eq!(number(cumprimento.get((row, 3))), line.realizados as f64);
        assert_eq!(number(cumprimento.get((row, 4))), line.atrasados as f64);
        match line.pct_cumprimento() {
            Some(pct) => {
                assert!((number(cumprimento.get((row, 5))) - pct / 100.0).abs() < 1e-9)
            }
            None => assert!(matches!(
                cumprimento.get((row, 5)),
                None | Some(Data::Empty)
            )),
        }
    }
    assert_eq!(
        text(cumprimento.get((expected.por_reagendado_por.len() + 1, 0))),
        "Total"
    );

    // The colours are conditional formats on the agenda sheet: red for overdue, amber today.
    let file = std::fs::File::open(&out).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut sheet_xml = String::new();
    archive
        .by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut sheet_xml)
        .unwrap();
    assert!(sheet_xml.contains("<conditionalFormatting"), "no colours");
    assert!(sheet_xml.contains("$A2=\"Atrasado\""));
    assert!(sheet_xml.contains("$A2=\"Hoje\""));
    let mut styles = String::new();
    archive
        .by_name("xl/styles.xml")
        .unwrap()
        .read_to_string(&mut styles)
        .unwrap();
    assert!(styles.contains("FFC7CE") && styles.contains("FFEB9C"));

    // CSV: the Excel pt-BR dialect, "Situação" first.
    let csv_path = dir.path().join("agenda.csv");
    let output = agenda_run(&fetch, "2026-11-30", &csv_path);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let csv = std::fs::read(&csv_path).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let csv = String::from_utf8(csv[3..].to_vec()).unwrap();
    let header = csv.split("\r\n").next().unwrap();
    let labels: Vec<&str> = AGENDA_COLUMNS.iter().map(|c| c.label()).collect();
    assert_eq!(header, labels.join(";"));
    assert!(header.starts_with(
        "Situação;Data do reagendamento;Horário do reagendamento;Cliente;CPF/CNPJ;Credor"
    ));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(csv.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), expected.entries.len());
    for (record, entry) in records.iter().zip(&expected.entries) {
        assert_eq!(&record[0], entry.situacao.label());
    }
}

#[test]
fn a_bad_reference_date_is_refused_in_portuguese() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["31/02/2026", "amanhã", "2026-13-01", ""] {
        let out = dir.path().join("agenda.json");
        let output = run(&[
            "agenda",
            "--base-url",
            "http://127.0.0.1:9",
            "--id-credor",
            "12",
            "--cpf-cnpj",
            "529.982.247-25",
            "--data-referencia",
            bad,
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        let text = stderr(&output);
        assert!(text.contains("--data-referencia"), "{bad}: {text}");
        assert!(
            text.contains("não existe")
                || text.contains("formato inválido")
                || text.contains("informe uma data"),
            "{bad}: {text}"
        );
        assert!(!out.exists());
    }
}
