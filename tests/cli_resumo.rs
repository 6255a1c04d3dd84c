//! `resumo` and `fetch --com-resumo` (issue 13 §3), run as a user would against the
//! simulator: the JSON read back and compared with [`summarize_rows`] of the same rows fetched
//! by `fetch`; the XLSX read with calamine, its charts found in the package; the CSV's blocks;
//! the clear exit 2 of a bad dimension.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Output};

use calamine::{Data, Reader as _, Xlsx, open_workbook};
use recuperador_followups::analysis::summary::{Counts, Dimension, Summary, summarize_rows};
use recuperador_followups::api::Followup;
use recuperador_followups::api::parse::{Parsed, parse_followups_slice};
use recuperador_followups::sim::Simulator;
use serde_json::{Value, json};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_recuperador-followups-cli");
const TOKEN: &str = "cli-resumo-token-31";

fn run(args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("RECUPERADOR_TOKEN", TOKEN)
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    command.output().expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The simulator and the fetch arguments of its debtor with the longest history.
fn setup() -> (Simulator, Vec<String>) {
    let sim = support::simulator(TOKEN, 13, 40);
    let debtor = sim
        .dataset()
        .debtors()
        .iter()
        .max_by_key(|d| sim.dataset().history_len(d))
        .expect("a debtor")
        .clone();
    let args = vec![
        "--base-url".to_owned(),
        sim.url().to_string(),
        "--id-credor".to_owned(),
        debtor.id_credor.to_string(),
        "--cpf-cnpj".to_owned(),
        debtor.cpf_cnpj.clone(),
    ];
    (sim, args)
}

fn with<'a>(command: &'a str, base: &'a [String], extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![command];
    args.extend(base.iter().map(String::as_str));
    args.extend_from_slice(extra);
    args
}

/// The rows `fetch` writes as JSON.
fn fetched_rows(base: &[String], dir: &Path) -> Vec<Followup> {
    let path = dir.join("rows.json");
    let output = run(&with("fetch", base, &["--output", path.to_str().unwrap()]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let bytes = std::fs::read(&path).unwrap();
    match parse_followups_slice(&bytes) {
        Ok((rows, Parsed::Rows(_))) => rows,
        other => panic!("{other:?}"),
    }
}

fn iso(date: Option<chrono::NaiveDate>) -> Value {
    date.map_or(Value::Null, |d| {
        Value::String(d.format("%Y-%m-%d").to_string())
    })
}

fn counts_json(counts: &Counts) -> serde_json::Map<String, Value> {
    let pct = match (counts.produtivos, counts.improdutivos) {
        (0, 0) => Value::Null,
        (p, i) => json!(((p as f64) * 1000.0 / ((p + i) as f64)).round() / 10.0),
    };
    let mut map = serde_json::Map::new();
    map.insert("follow_ups".into(), json!(counts.follow_ups));
    map.insert("produtivos".into(), json!(counts.produtivos));
    map.insert("improdutivos".into(), json!(counts.improdutivos));
    map.insert("pct_produtivos".into(), pct);
    map.insert("devedores".into(), json!(counts.devedores));
    map.insert("reagendamentos".into(), json!(counts.reagendamentos));
    map.insert("primeira_data".into(), iso(counts.primeira_data));
    map.insert("ultima_data".into(), iso(counts.ultima_data));
    map
}

/// The JSON the issue describes for one summary, built here field by field.
fn expected_json(summary: &Summary) -> Value {
    let dimension = summary.dimension;
    let grupos: Vec<Value> = summary
        .groups
        .iter()
        .map(|group| {
            let mut map = counts_json(&group.counts);
            map.insert("grupo".into(), json!(group.key()));
            if matches!(
                dimension,
                Dimension::Consultor | Dimension::Evento | Dimension::Credor | Dimension::Devedor
            ) {
                map.insert("id".into(), json!(group.id));
            }
            if matches!(dimension, Dimension::Canal | Dimension::TipoEvento) {
                map.insert("codigo".into(), json!(group.codigo));
            }
            Value::Object(map)
        })
        .collect();
    json!({
        "por": dimension.cli_name(),
        "grupos": grupos,
        "total": Value::Object(counts_json(&summary.total)),
    })
}

#[test]
fn json_matches_the_summary_of_the_fetched_rows() {
    let (_sim, base) = setup();
    let dir = tempfile::tempdir().unwrap();
    let rows = fetched_rows(&base, dir.path());
    assert!(rows.len() > 10, "a debtor with some history");
    let path = dir.path().join("resumo.json");
    let output = run(&with(
        "resumo",
        &base,
        &[
            "--por",
            "consultor",
            "--por",
            "Canal,mês",
            "--por",
            "devedor",
            "--output",
            path.to_str().unwrap(),
        ],
    ));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("Resumo de"), "{}", stderr(&output));
    let written: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let expected: Vec<Value> = [
        Dimension::Consultor,
        Dimension::Canal,
        Dimension::Mes,
        Dimension::Devedor,
    ]
    .into_iter()
    .map(|dimension| expected_json(&summarize_rows(&rows, dimension)))
    .collect();
    assert_eq!(written, Value::Array(expected));
    // The shape, spelled out on the first group.
    let first = &written[0]["grupos"][0];
    assert!(first["id"].is_i64() || first["id"].is_null());
    assert!(first.get("codigo").is_none());
    assert!(written[1]["grupos"][0]["codigo"].is_string());
    assert!(written[2]["grupos"][0].get("id").is_none());
    assert_eq!(written[0]["total"]["follow_ups"], json!(rows.len()));
    let date = written[0]["total"]["primeira_data"].as_str().unwrap();
    assert!(chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok());

    // Standard output: the same JSON.
    let output = run(&with("resumo", &base, &["--por", "canal", "--output", "-"]));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let streamed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        streamed,
        json!([expected_json(&summarize_rows(&rows, Dimension::Canal))])
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

fn number(data: Option<&Data>) -> f64 {
    match data {
        Some(Data::Float(value)) => *value,
        Some(Data::Int(value)) => *value as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The package's part names (the XLSX is a zip).
fn parts(path: &Path) -> Vec<String> {
    let file = std::fs::File::open(path).unwrap();
    let archive = zip::ZipArchive::new(file).unwrap();
    archive
        .file_names()
        .map(|name| name.expect("a readable part name").into_owned())
        .collect()
}

fn part_text(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Checks a summary sheet's table against `summary`: header, each group's label and numbers,
/// the percent cell, the total row.
fn check_sheet(range: &calamine::Range<Data>, summary: &Summary) {
    let header: Vec<String> = (0..range.width())
        .map(|c| range.get((0, c)).map(|d| d.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(header[0], summary.dimension.label());
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name} in {header:?}"))
    };
    let (follow_ups, produtivos, pct, devedores) = (
        col("Follow-ups"),
        col("Produtivos"),
        col("% produtivos"),
        col("Devedores"),
    );
    for (n, group) in summary.groups.iter().enumerate() {
        let row = n + 1;
        assert_eq!(
            range
                .get((row, 0))
                .map(|d| d.to_string())
                .unwrap_or_default(),
            group.label
        );
        assert_eq!(
            number(range.get((row, follow_ups))),
            group.counts.follow_ups as f64
        );
        assert_eq!(
            number(range.get((row, produtivos))),
            group.counts.produtivos as f64
        );
        assert_eq!(
            number(range.get((row, devedores))),
            group.counts.devedores as f64
        );
        match group.counts.pct_produtivos() {
            Some(value) => {
                assert!((number(range.get((row, pct))) - value / 100.0).abs() < 1e-9)
            }
            None => assert!(matches!(range.get((row, pct)), None | Some(Data::Empty))),
        }
    }
    let total_row = summary.groups.len() + 1;
    assert_eq!(
        range
            .get((total_row, 0))
            .map(|d| d.to_string())
            .unwrap_or_default(),
        "Total"
    );
    assert_eq!(
        number(range.get((total_row, follow_ups))),
        summary.total.follow_ups as f64
    );
}

#[test]
fn xlsx_has_a_sheet_and_a_native_chart_per_dimension() {
    let (_sim, base) = setup();
    let dir = tempfile::tempdir().unwrap();
    let rows = fetched_rows(&base, dir.path());
    let path = dir.path().join("resumo.xlsx");
    let output = run(&with(
        "resumo",
        &base,
        &[
            "--por",
            "consultor,semana",
            "--output",
            path.to_str().unwrap(),
        ],
    ));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let sheets = read_sheets(&path);
    let names: Vec<&str> = sheets.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["Resumo por consultor", "Resumo por semana"]);
    check_sheet(&sheets[0].1, &summarize_rows(&rows, Dimension::Consultor));
    check_sheet(&sheets[1].1, &summarize_rows(&rows, Dimension::Semana));
    // A real date cell for the first day.
    let header: Vec<String> = (0..sheets[0].1.width())
        .map(|c| {
            sheets[0]
                .1
                .get((0, c))
                .map(|d| d.to_string())
                .unwrap_or_default()
        })
        .collect();
    let first = header.iter().position(|h| h == "Primeira data").unwrap();
    assert!(matches!(
        sheets[0].1.get((1, first)),
        Some(Data::DateTime(_))
    ));

    let parts = parts(&path);
    assert!(
        parts.iter().any(|p| p == "xl/charts/chart1.xml"),
        "{parts:?}"
    );
    assert!(
        parts.iter().any(|p| p == "xl/charts/chart2.xml"),
        "{parts:?}"
    );
    // The period chart is a stacked column chart; the group chart a plain one.
    let charts = [
        part_text(&path, "xl/charts/chart1.xml"),
        part_text(&path, "xl/charts/chart2.xml"),
    ];
    assert!(
        charts
            .iter()
            .any(|c| c.contains("<c:grouping val=\"stacked\"/>"))
    );
    assert!(
        charts
            .iter()
            .any(|c| c.contains("<c:grouping val=\"clustered\"/>"))
    );
    assert!(charts.iter().all(|c| c.contains("<c:barDir val=\"col\"/>")));
}

#[test]
fn fetch_com_resumo_appends_the_sheets_after_the_data() {
    let (_sim, base) = setup();
    let dir = tempfile::tempdir().unwrap();
    let rows = fetched_rows(&base, dir.path());
    let path = dir.path().join("dados.xlsx");
    let output = run(&with(
        "fetch",
        &base,
        &[
            "--output",
            path.to_str().unwrap(),
            "--com-resumo",
            "consultor,canal",
        ],
    ));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The summary sheets are not the rows continued past Excel's limit: no such warning.
    assert!(
        !stderr(&output).contains("limite de uma planilha"),
        "{}",
        stderr(&output)
    );
    let sheets = read_sheets(&path);
    let names: Vec<&str> = sheets.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["Follow-ups", "Resumo por consultor", "Resumo por canal"]
    );
    assert_eq!(sheets[0].1.height(), rows.len() + 1);
    check_sheet(&sheets[1].1, &summarize_rows(&rows, Dimension::Consultor));
    check_sheet(&sheets[2].1, &summarize_rows(&rows, Dimension::Canal));
    assert!(parts(&path).iter().any(|p| p == "xl/charts/chart1.xml"));
}

#[test]
fn csv_has_one_titled_block_per_dimension() {
    let (_sim, base) = setup();
    let dir = tempfile::tempdir().unwrap();
    let rows = fetched_rows(&base, dir.path());
    let path = dir.path().join("resumo.csv");
    let output = run(&with(
        "resumo",
        &base,
        &[
            "--por",
            "tipo-evento",
            "--por",
            "dia",
            "--output",
            path.to_str().unwrap(),
        ],
    ));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "Excel's BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    let tipo = summarize_rows(&rows, Dimension::TipoEvento);
    let dia = summarize_rows(&rows, Dimension::Dia);
    assert_eq!(lines[0], "Resumo por tipo de evento");
    assert!(lines[1].starts_with("Tipo de evento;Código;Follow-ups;Produtivos;"));
    let total_line = lines[2 + tipo.groups.len()];
    assert!(
        total_line.starts_with(&format!("Total;;{};", tipo.total.follow_ups)),
        "{total_line}"
    );
    // The percentage with a decimal comma, as Excel pt-BR reads it.
    if let Some(pct) = tipo.total.pct_produtivos() {
        assert!(total_line.contains(&format!(";{}", format!("{pct:.1}").replace('.', ","))));
    }
    let second = 3 + tipo.groups.len();
    assert_eq!(lines[second], "");
    assert_eq!(lines[second + 1], "Resumo por dia");
    assert_eq!(lines.len(), second + 2 + 1 + dia.groups.len() + 1 + 1);
    let first_day = &dia.groups[0];
    assert!(lines[second + 3].starts_with(&format!(
        "{};{};",
        first_day.label, first_day.counts.follow_ups
    )));
}

#[test]
fn bad_dimensions_and_outputs_exit_2_with_a_clear_message() {
    let (_sim, base) = setup();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.json");
    let output = run(&with(
        "resumo",
        &base,
        &["--por", "consultor,ano", "--output", out.to_str().unwrap()],
    ));
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("\"ano\""), "{message}");
    assert!(
        message.contains("consultor, evento, canal, tipo-evento"),
        "{message}"
    );
    assert!(!out.exists());

    let output = run(&with("resumo", &base, &["--output", out.to_str().unwrap()]));
    assert_eq!(output.status.code(), Some(2), "--por is required");

    let tsv = dir.path().join("x.tsv");
    let output = run(&with(
        "resumo",
        &base,
        &["--por", "canal", "--output", tsv.to_str().unwrap()],
    ));
    assert_eq!(output.status.code(), Some(2));

    let csv = dir.path().join("dados.csv");
    let output = run(&with(
        "fetch",
        &base,
        &["--output", csv.to_str().unwrap(), "--com-resumo", "canal"],
    ));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(".xlsx"), "{}", stderr(&output));
    assert!(!csv.exists());

    let xlsx = dir.path().join("dados.xlsx");
    let output = run(&with(
        "fetch",
        &base,
        &[
            "--output",
            xlsx.to_str().unwrap(),
            "--com-resumo",
            "canal,semestre",
        ],
    ));
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("semestre"), "{}", stderr(&output));
    assert!(!xlsx.exists());

    // Without a token: the fetch's exit code 3, nothing written.
    let mut command = Command::new(BIN);
    command
        .args(with(
            "resumo",
            &base,
            &["--por", "canal", "--output", out.to_str().unwrap()],
        ))
        .env_remove("RECUPERADOR_TOKEN")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(!out.exists());
}
