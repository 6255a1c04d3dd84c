//! The command-line binary, run as a user or a script would.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Output, Stdio};

use recuperador_followups::api::parse::{Parsed, parse_followups_slice};
use recuperador_followups::api::{Followup, QueryForm, ReagendarFiltro};
use recuperador_followups::sim::{Fault, SimFilter, Simulator};

mod support;

const BIN: &str = env!("CARGO_BIN_EXE_recuperador-followups-cli");
const TOKEN: &str = "cli-test-token-77";

fn simulator() -> Simulator {
    support::simulator(TOKEN, 11, 30)
}

fn run(args: &[&str], token: Option<&str>) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).env_remove("RECUPERADOR_TOKEN");
    // No session bus: the keyring is unavailable, so only the variable can give a token.
    command.env_remove("DBUS_SESSION_BUS_ADDRESS");
    if let Some(token) = token {
        command.env("RECUPERADOR_TOKEN", token);
    }
    command.output().expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read_rows(path: &std::path::Path) -> Vec<Followup> {
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
fn fetch_writes_exactly_the_matching_rows_for_each_filter() {
    let sim = simulator();
    let dir = tempfile::tempdir().unwrap();
    let url = sim.url().to_string();
    let debtor = sim
        .dataset()
        .debtors()
        .iter()
        .max_by_key(|d| sim.dataset().history_len(d))
        .unwrap()
        .clone();
    let id_credor = debtor.id_credor.to_string();
    let doc = recuperador_followups::doc_id::format_lenient(&debtor.cpf_cnpj);
    let all: Vec<_> = sim
        .dataset()
        .matching(&SimFilter {
            id_credor: debtor.id_credor,
            cpf_cnpj: debtor.cpf_cnpj.clone(),
            ..SimFilter::default()
        })
        .collect();
    let middle_date = all[all.len() / 2].data().unwrap().date().to_string();
    let consultor = all
        .iter()
        .find_map(|r| r.id_consultor())
        .unwrap()
        .to_string();
    let evento = all.iter().find_map(|r| r.id_evento()).unwrap().to_string();

    let filters: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--reagendar", "S"],
        vec!["--reagendar", "N"],
        vec!["--id-consultor", &consultor],
        vec!["--id-evento", &evento],
        vec!["--de", &middle_date],
        vec!["--ate", &middle_date],
    ];
    for (index, extra) in filters.iter().enumerate() {
        let output_path = dir.path().join(format!("out{index}.json"));
        let output_text = output_path.to_str().unwrap();
        let mut args = vec![
            "fetch",
            "--base-url",
            &url,
            "--id-credor",
            &id_credor,
            "--cpf-cnpj",
            &doc,
            "--output",
            output_text,
        ];
        args.extend(extra.iter().copied());
        let output = run(&args, Some(TOKEN));
        assert_eq!(
            output.status.code(),
            Some(0),
            "{extra:?}: {}",
            stderr(&output)
        );

        let get = |flag: &str| {
            extra
                .iter()
                .position(|a| *a == flag)
                .map(|i| extra[i + 1].to_owned())
                .unwrap_or_default()
        };
        let form = QueryForm {
            id_credor: id_credor.clone(),
            cpf_cnpj: doc.clone(),
            id_consultor: get("--id-consultor"),
            id_evento: get("--id-evento"),
            reagendar: ReagendarFiltro::from_wire(&get("--reagendar")).unwrap(),
            data_de: get("--de"),
            data_ate: get("--ate"),
        };
        let expected: Vec<_> = sim
            .dataset()
            .matching(&SimFilter::from(&form.validate().unwrap()))
            .collect();
        let rows = read_rows(&output_path);
        assert_eq!(rows.len(), expected.len(), "{extra:?}");
        assert!(rows == expected, "{extra:?}: rows differ");
        assert!(
            stderr(&output).contains(&format!(
                "{} follow-ups gravados",
                recuperador_followups::fmt::thousands(rows.len() as u64)
            )),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn exit_codes_tell_what_went_wrong() {
    let sim = simulator();
    let dir = tempfile::tempdir().unwrap();
    let url = sim.url().to_string();
    let out = dir.path().join("x.json");
    let out = out.to_str().unwrap();
    let base = [
        "fetch",
        "--base-url",
        &url,
        "--id-credor",
        "12",
        "--cpf-cnpj",
        "529.982.247-25",
        "--output",
        out,
    ];

    // 2: invalid input, with the field's Portuguese message.
    let output = run(
        &[
            "fetch",
            "--id-credor",
            "12a",
            "--cpf-cnpj",
            "529.982.247-25",
            "-o",
            out,
        ],
        Some(TOKEN),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("Credor: O ID do credor deve conter apenas números"),
        "{}",
        stderr(&output)
    );
    let output = run(
        &["fetch", "--id-credor", "12", "--cpf-cnpj", "123", "-o", out],
        Some(TOKEN),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("CPF/CNPJ"), "{}", stderr(&output));
    let output = run(
        &["fetch", "--cpf-cnpj", "529.982.247-25", "-o", out],
        Some(TOKEN),
    );
    assert_eq!(output.status.code(), Some(2), "missing --id-credor");
    assert!(
        stderr(&output).contains("faltam argumentos obrigatórios"),
        "{}",
        stderr(&output)
    );
    let output = run(
        &[
            "fetch",
            "--id-credor",
            "1",
            "--cpf-cnpj",
            "529.982.247-25",
            "-o",
            "x.txt",
        ],
        Some(TOKEN),
    );
    assert_eq!(output.status.code(), Some(2), "unsupported extension");

    // 3: authentication refused, or no token at all.
    let output = run(&base, Some("wrong-token"));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("recusou o token"));
    let output = run(&base, None);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("RECUPERADOR_TOKEN"));

    // 4: network or server errors.
    for fault in [
        Fault::ServerError,
        Fault::BadGatewayHtml,
        Fault::DropConnection,
        Fault::MalformedJson,
    ] {
        sim.set_fault(Some(fault), None);
        let output = run(&base, Some(TOKEN));
        assert_eq!(
            output.status.code(),
            Some(4),
            "{fault:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).contains(TOKEN));
        assert!(!stderr(&output).contains("<html"), "no HTML dumped");
    }
    sim.set_fault(None, None);

    // 5: the output cannot be written; nothing is left behind.
    let missing = dir.path().join("no-such-folder").join("x.json");
    let args = [
        "fetch",
        "--base-url",
        &url,
        "--id-credor",
        "12",
        "--cpf-cnpj",
        "529.982.247-25",
        "--output",
        missing.to_str().unwrap(),
    ];
    let output = run(&args, Some(TOKEN));
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(stderr(&output).contains("pasta de destino não existe"));

    // A failed fetch never touches an existing output file.
    std::fs::write(out, b"previous export").unwrap();
    sim.set_fault(Some(Fault::ServerError), None);
    let output = run(&base, Some(TOKEN));
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(std::fs::read(out).unwrap(), b"previous export");
    sim.set_fault(None, None);
}

#[test]
fn demo_server_prints_its_url_and_token_and_serves_fetch() {
    let mut server = Command::new(BIN)
        .args([
            "demo-server",
            "--port",
            "0",
            "--token",
            "t0k",
            "--debtors",
            "5",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut url = None;
    let mut example = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("URL:") {
            url = Some(rest.trim().to_owned());
        }
        if line.trim_start().starts_with("RECUPERADOR_TOKEN=") {
            example = Some(line.trim().to_owned());
        }
        if line.contains("Ctrl+C") {
            break;
        }
    }
    let url = url.expect("the server prints its URL");
    let example = example.expect("the server prints an example command");
    assert!(example.contains("RECUPERADOR_TOKEN=t0k"), "{example}");
    // Run the printed example, with our output path.
    let words: Vec<&str> = example.split_whitespace().collect();
    let id_credor = words[words.iter().position(|w| *w == "--id-credor").unwrap() + 1];
    let doc = words[words.iter().position(|w| *w == "--cpf-cnpj").unwrap() + 1];
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo.json");
    let output = run(
        &[
            "fetch",
            "--base-url",
            &url,
            "--id-credor",
            id_credor,
            "--cpf-cnpj",
            doc,
            "--output",
            out.to_str().unwrap(),
        ],
        Some("t0k"),
    );
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let rows = read_rows(&out);
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r.cpf_cnpj().map(|s| s.as_str()) == Some(doc))
    );
}

#[test]
fn fetch_picks_the_spreadsheet_format_from_the_extension() {
    use calamine::{Reader as _, Xlsx, open_workbook};
    let sim = simulator();
    let dir = tempfile::tempdir().unwrap();
    let url = sim.url().to_string();
    let debtor = sim
        .dataset()
        .debtors()
        .iter()
        .filter(|d| d.cpf_cnpj.len() == 11)
        .max_by_key(|d| sim.dataset().history_len(d))
        .unwrap()
        .clone();
    let expected = sim.dataset().history_len(&debtor);
    let id_credor = debtor.id_credor.to_string();
    let fetch = |file: &str, extra: &[&str]| {
        let path = dir.path().join(file);
        let mut args = vec![
            "fetch",
            "--base-url",
            &url,
            "--id-credor",
            &id_credor,
            "--cpf-cnpj",
            &debtor.cpf_cnpj,
        ];
        let path_text = path.to_str().unwrap().to_owned();
        args.extend(["--output", &path_text]);
        args.extend(extra);
        let output = run(&args, Some(TOKEN));
        assert_eq!(output.status.code(), Some(0), "{file}: {}", stderr(&output));
        path
    };

    // XLSX: header + one row per follow-up; the document as formatted text.
    let path = fetch("out.xlsx", &[]);
    let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
    let sheet = workbook.worksheet_range("Follow-ups").unwrap();
    assert_eq!(sheet.height(), expected + 1);
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let doc_column = header.iter().position(|h| h == "CPF/CNPJ").unwrap();
    let formatted = recuperador_followups::doc_id::format_lenient(&debtor.cpf_cnpj);
    assert_eq!(
        sheet.rows().nth(1).unwrap()[doc_column].to_string(),
        formatted
    );

    // CSV for Excel pt-BR: BOM and semicolons; codes as labels unless --raw-codes.
    let path = fetch("out.csv", &[]);
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.lines().next().unwrap().contains(";CPF/CNPJ;"));
    let labels = [
        "Telefonema",
        "WhatsApp",
        "E-mail",
        "SMS",
        "Telegram",
        "Outros",
    ];
    assert!(
        labels.iter().any(|l| text.contains(l)),
        "codes shown as labels"
    );

    // --format overrides the extension; --raw-codes and a comma separator.
    let path = fetch(
        "out.txt",
        &[
            "--format",
            "csv",
            "--raw-codes",
            "--csv-separator",
            "virgula",
        ],
    );
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        !bytes.starts_with(b"\xEF\xBB\xBF"),
        "no BOM for other tools"
    );
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[..]);
    let headers = reader.headers().unwrap().clone();
    let contact = headers.iter().position(|h| h == "Tipo de contato").unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), expected);
    assert!(
        records.iter().all(|r| r[contact].len() <= 1),
        "raw one-letter codes"
    );
}

/// The documents of the creditor with the most debtors in the CLI's simulator.
fn batch_debtors(sim: &Simulator) -> (String, Vec<String>) {
    let id_credor = sim.dataset().busiest_creditor().unwrap();
    (id_credor.to_string(), sim.dataset().documents_of(id_credor))
}

fn expected_ids(
    sim: &Simulator,
    id_credor: &str,
    docs: &[String],
) -> std::collections::BTreeSet<i64> {
    docs.iter()
        .flat_map(|doc| {
            sim.dataset()
                .matching(&SimFilter {
                    id_credor: id_credor.parse().unwrap(),
                    cpf_cnpj: doc.clone(),
                    ..SimFilter::default()
                })
                .filter_map(|r| r.id_followup())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn batch_with_repeated_cpf_cnpj_writes_every_row_once() {
    let sim = simulator();
    let (id_credor, docs) = batch_debtors(&sim);
    assert!(docs.len() >= 3);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lote.json");
    let url = sim.url().to_string();
    let masked = recuperador_followups::doc_id::format_lenient(&docs[0]);
    let mut args = vec![
        "fetch",
        "--base-url",
        &url,
        "--id-credor",
        &id_credor,
        "--concurrency",
        "3",
        "-o",
        out.to_str().unwrap(),
        "--cpf-cnpj",
        &masked,
    ];
    for doc in &docs {
        args.extend(["--cpf-cnpj", doc.as_str()]);
    }
    let output = run(&args, Some(TOKEN));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let rows = read_rows(&out);
    let ids: std::collections::BTreeSet<i64> =
        rows.iter().filter_map(|r| r.id_followup()).collect();
    assert_eq!(ids.len(), rows.len(), "no row twice");
    assert_eq!(ids, expected_ids(&sim, &id_credor, &docs));
    assert!(
        stderr(&output).contains("1 repetido"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.path().join("lote.falhas.csv").exists());

    // Out of range concurrency is refused by the argument parser.
    let output = run(
        &[
            "fetch",
            "--base-url",
            &url,
            "--id-credor",
            &id_credor,
            "--cpf-cnpj",
            &docs[0],
            "--cpf-cnpj",
            &docs[1],
            "--concurrency",
            "9",
            "-o",
            out.to_str().unwrap(),
        ],
        Some(TOKEN),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("valor inválido"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn batch_from_a_file_reports_invalid_lines_and_failures_exit_6() {
    let sim = simulator();
    let (id_credor, docs) = batch_debtors(&sim);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("devedores.csv");
    let mut text = "Nome;CPF/CNPJ\n".to_owned();
    for (index, doc) in docs.iter().enumerate() {
        text.push_str(&format!("Devedor {index};{doc}\n"));
    }
    text.push_str("Sem documento;123\n");
    std::fs::write(&list, &text).unwrap();
    let out = dir.path().join("lote.xlsx");
    let url = sim.url().to_string();
    // The first two requests fail with HTTP 500 (not retried).
    sim.set_fault(Some(Fault::ServerError), Some(2));
    let args = [
        "fetch",
        "--base-url",
        &url,
        "--id-credor",
        &id_credor,
        "--cpf-cnpj-file",
        list.to_str().unwrap(),
        "--concurrency",
        "1",
        "-o",
        out.to_str().unwrap(),
    ];
    let output = run(&args, Some(TOKEN));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(6), "{err}");
    let invalid_line = docs.len() + 2;
    assert!(
        err.contains(&format!("linha de devedores.csv {invalid_line}: «123»")),
        "{err}"
    );
    assert!(err.contains("Usando a coluna «CPF/CNPJ»"), "{err}");
    assert_eq!(err.matches("Falha: ").count(), 2, "{err}");
    let failures = std::fs::read_to_string(dir.path().join("lote.falhas.csv")).unwrap();
    assert!(
        failures.starts_with("\u{feff}Documento;Erro\r\n"),
        "{failures}"
    );
    assert_eq!(failures.lines().count(), 3);
    assert!(out.exists(), "the rows that arrived are written");

    // The failure file is a list the CLI reads back: the retry recovers them.
    let retry_out = dir.path().join("retry.json");
    let failures_path = dir.path().join("lote.falhas.csv");
    let retry_args = [
        "fetch",
        "--base-url",
        &url,
        "--id-credor",
        &id_credor,
        "--cpf-cnpj-file",
        failures_path.to_str().unwrap(),
        "--column",
        "Documento",
        "-o",
        retry_out.to_str().unwrap(),
    ];
    let output = run(&retry_args, Some(TOKEN));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!dir.path().join("retry.falhas.csv").exists());
}

#[test]
fn batch_exit_codes_for_auth_bad_column_and_no_valid_document() {
    let sim = simulator();
    let (id_credor, docs) = batch_debtors(&sim);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lote.json");
    let url = sim.url().to_string();
    let base = [
        "fetch",
        "--base-url",
        &url,
        "--id-credor",
        &id_credor,
        "-o",
        out.to_str().unwrap(),
    ];
    let doc_args = ["--cpf-cnpj", &docs[0], "--cpf-cnpj", &docs[1]];

    let requests_before = sim.request_count();
    let output = run(&[&base[..], &doc_args].concat(), Some("wrong-token"));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_eq!(
        stderr(&output).matches("recusou o token").count(),
        1,
        "reported once: {}",
        stderr(&output)
    );
    assert!(sim.request_count() - requests_before <= 2);
    assert!(!out.exists());

    let list = dir.path().join("lista.txt");
    std::fs::write(&list, "CPF\n123\n4567\n").unwrap();
    let output = run(
        &[&base[..], &["--cpf-cnpj-file", list.to_str().unwrap()]].concat(),
        Some(TOKEN),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("linha de lista.txt 2: «123»"), "{err}");
    assert!(err.contains("nenhum CPF/CNPJ válido"), "{err}");

    let output = run(
        &[
            &base[..],
            &[
                "--cpf-cnpj-file",
                list.to_str().unwrap(),
                "--column",
                "Valor",
            ],
        ]
        .concat(),
        Some(TOKEN),
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("Erro: A coluna «Valor» não existe"));
}

/// An address on loopback where nothing listens: a port bound, then released.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/api/v1Followup/")
}

#[test]
fn batch_against_an_unreachable_server_stops_early_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("devedores.txt");
    let docs: Vec<String> = (0..200)
        .map(|n| {
            recuperador_followups::doc_id::with_check_digits(&format!(
                "{:09}",
                200_000_000 + n * 7919
            ))
            .unwrap()
        })
        .collect();
    std::fs::write(&list, docs.join("\n")).unwrap();
    let out = dir.path().join("lote.xlsx");
    let url = closed_port_url();
    let started = std::time::Instant::now();
    let output = run(
        &[
            "fetch",
            "--base-url",
            &url,
            "--id-credor",
            "12",
            "--cpf-cnpj-file",
            list.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        Some(TOKEN),
    );
    let elapsed = started.elapsed();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(4), "{err}");
    assert!(elapsed <= std::time::Duration::from_secs(10), "{elapsed:?}");
    assert_eq!(
        err.matches("Servidor inacessível: verifique a rede, a VPN ou o proxy")
            .count(),
        1,
        "said once: {err}"
    );
    assert!(!out.exists(), "nothing arrived, nothing written");
    // Every document is in the list to run again, failed or not queried.
    let failures = std::fs::read_to_string(dir.path().join("lote.falhas.csv")).unwrap();
    assert_eq!(failures.lines().count(), 201, "{failures}");
    assert!(failures.contains("Não consultado: o lote foi interrompido antes."));
    assert!(!err.contains(TOKEN));
}

#[test]
fn batch_whose_server_goes_away_midway_keeps_the_rows_exit_6() {
    let sim = simulator();
    let (id_credor, _) = batch_debtors(&sim);
    // Every debtor's document under one creditor: 30 documents, most with empty answers.
    let docs: Vec<String> = sim
        .dataset()
        .debtors()
        .iter()
        .map(|d| d.cpf_cnpj.clone())
        .collect();
    assert!(docs.len() >= 20);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("devedores.txt");
    std::fs::write(&list, docs.join("\n")).unwrap();
    let out = dir.path().join("lote.json");
    let url = sim.url().to_string();
    sim.set_latency(std::time::Duration::from_millis(100));
    let child = Command::new(BIN)
        .args([
            "fetch",
            "--base-url",
            &url,
            "--id-credor",
            &id_credor,
            "--cpf-cnpj-file",
            list.to_str().unwrap(),
            "--concurrency",
            "1",
            "-o",
            out.to_str().unwrap(),
        ])
        .env("RECUPERADOR_TOKEN", TOKEN)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while sim.request_count() < 4 {
        assert!(std::time::Instant::now() < deadline, "no request arrived");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // The server goes away with the batch half done.
    sim.shutdown();
    let started = std::time::Instant::now();
    let output = child.wait_with_output().unwrap();
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(6), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        err.matches("Servidor inacessível").count(),
        1,
        "said once: {err}"
    );
    assert!(out.exists(), "the rows that arrived are written: {err}");
    let failures = std::fs::read_to_string(dir.path().join("lote.falhas.csv")).unwrap();
    let listed = failures.lines().count() - 1;
    assert!(
        listed > 0 && listed < docs.len(),
        "{listed} documents to run again"
    );
}

// ---- `--output -`: every format on standard output, TSV by default ----

/// The simulator's debtor with the longest ordinary history whose document is a CPF, and its
/// rows in the order the server sends them.
fn cpf_debtor_rows(sim: &Simulator) -> (String, String, Vec<Followup>) {
    let debtor = sim
        .dataset()
        .debtors()
        .iter()
        .filter(|d| !d.huge && d.cpf_cnpj.len() == 11)
        .max_by_key(|d| sim.dataset().history_len(d))
        .unwrap()
        .clone();
    let rows: Vec<Followup> = sim
        .dataset()
        .matching(&SimFilter {
            id_credor: debtor.id_credor,
            cpf_cnpj: debtor.cpf_cnpj.clone(),
            ..SimFilter::default()
        })
        .collect();
    assert!(rows.len() > 10);
    (debtor.id_credor.to_string(), debtor.cpf_cnpj, rows)
}

/// `fetch` of `doc` with `--output -` and `extra` arguments, run in an empty folder that must
/// stay empty; stdout is captured.
fn fetch_to_stdout(sim: &Simulator, id_credor: &str, doc: &str, extra: &[&str]) -> Output {
    let folder = tempfile::tempdir().unwrap();
    let output = Command::new(BIN)
        .args(["fetch", "--base-url", sim.url().as_str()])
        .args(["--id-credor", id_credor, "--cpf-cnpj", doc, "--output", "-"])
        .args(extra)
        .current_dir(folder.path())
        .env("RECUPERADOR_TOKEN", TOKEN)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .expect("the binary runs");
    let left: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
    assert!(left.is_empty(), "no file in the working folder: {left:?}");
    output
}

#[test]
fn tsv_on_stdout_is_exactly_the_tables_text_and_nothing_else() {
    use recuperador_followups::api::Column;
    let sim = simulator();
    let (id_credor, doc, rows) = cpf_debtor_rows(&sim);
    let expected = recuperador_followups::export::tsv_text(
        &rows,
        &Column::ALL,
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();

    let output = fetch_to_stdout(&sim, &id_credor, &doc, &["--format", "tsv"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    // Byte for byte the library's text: no BOM, no message, nothing but the data.
    assert!(text == expected, "stdout differs from tsv_text");
    assert!(
        stderr(&output).contains(&format!(
            "{} follow-ups gravados na saída padrão",
            rows.len()
        )),
        "{}",
        stderr(&output)
    );

    // Checked by hand too: one line per follow-up plus the header, and a few cells.
    let records: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(records.len(), rows.len() + 1);
    let column = |label: &str| records[0].iter().position(|h| h == label).unwrap();
    let first = &records[1];
    let masked = format!(
        "{}.{}.{}-{}",
        &doc[0..3],
        &doc[3..6],
        &doc[6..9],
        &doc[9..11]
    );
    assert_eq!(&first[column("CPF/CNPJ")], masked, "the CPF with its mask");
    let day = rows[0].data().unwrap().format("%d/%m/%Y").to_string();
    assert_eq!(&first[column("Data")][..10], day, "dd/mm/aaaa");
    let contact = rows[0].tipo_contato().unwrap();
    let label = contact.label();
    assert_eq!(
        &first[column("Tipo de contato")],
        label,
        "the code by its label"
    );
    assert!(label.len() > 1, "a label, not a letter: {label}");

    // Without --format, standard output gets the same TSV.
    let default = fetch_to_stdout(&sim, &id_credor, &doc, &[]);
    assert_eq!(default.status.code(), Some(0), "{}", stderr(&default));
    assert!(
        default.stdout == output.stdout,
        "TSV is the default on stdout"
    );
}

#[test]
fn every_format_goes_to_stdout_as_it_would_go_to_a_file() {
    use calamine::{Data, Reader as _, Xlsx};
    let sim = simulator();
    let (id_credor, doc, rows) = cpf_debtor_rows(&sim);
    let dir = tempfile::tempdir().unwrap();
    let url = sim.url().to_string();

    // CSV: the very bytes of the file (BOM, `;`, CRLF).
    let file = dir.path().join("saida.csv");
    let written = run(
        &[
            "fetch",
            "--base-url",
            &url,
            "--id-credor",
            &id_credor,
            "--cpf-cnpj",
            &doc,
            "--output",
            file.to_str().unwrap(),
        ],
        Some(TOKEN),
    );
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let csv_out = fetch_to_stdout(&sim, &id_credor, &doc, &["--format", "csv"]);
    assert_eq!(csv_out.status.code(), Some(0), "{}", stderr(&csv_out));
    assert!(csv_out.stdout.starts_with(b"\xEF\xBB\xBF"));
    assert!(csv_out.stdout == std::fs::read(&file).unwrap(), "CSV bytes");

    // JSON: the API's rows, parsed back.
    let json_out = fetch_to_stdout(&sim, &id_credor, &doc, &["--format", "json"]);
    assert_eq!(json_out.status.code(), Some(0), "{}", stderr(&json_out));
    match parse_followups_slice(&json_out.stdout) {
        Ok((parsed, Parsed::Rows(_))) => assert!(parsed == rows, "JSON rows"),
        other => panic!("{other:?}"),
    }

    // XLSX: a workbook streamed out, read back with calamine.
    let xlsx_out = fetch_to_stdout(&sim, &id_credor, &doc, &["--format", "xlsx"]);
    assert_eq!(xlsx_out.status.code(), Some(0), "{}", stderr(&xlsx_out));
    let mut workbook: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(xlsx_out.stdout.clone())).expect("a valid workbook");
    let sheet = workbook.worksheet_range("Follow-ups").unwrap();
    assert_eq!(sheet.height(), rows.len() + 1);
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let cpf = header.iter().position(|h| h == "CPF/CNPJ").unwrap();
    assert_eq!(
        sheet.rows().nth(1).unwrap()[cpf],
        Data::String(recuperador_followups::doc_id::format_lenient(&doc))
    );
    // Nothing was left in the working folder (checked by `fetch_to_stdout`) or the
    // temporary folder.
    assert_eq!(
        support::temp_files(&std::env::temp_dir()),
        Vec::<std::path::PathBuf>::new()
    );
}

/// A simulator with a huge history of `rows` follow-ups (about 560 bytes of TSV each).
fn huge_simulator(rows: usize) -> (Simulator, String, String) {
    let sim = support::start(recuperador_followups::sim::SimConfig {
        token: TOKEN.to_owned(),
        dataset: recuperador_followups::sim::DatasetConfig {
            huge_history_rows: rows,
            ..support::dataset(5, 10)
        },
        ..recuperador_followups::sim::SimConfig::default()
    });
    let debtor = sim.dataset().huge_debtor().unwrap().clone();
    (sim, debtor.id_credor.to_string(), debtor.cpf_cnpj)
}

/// Starts `fetch` to standard output, piped to the test.
fn spawn_to_stdout(
    sim: &Simulator,
    id_credor: &str,
    doc: &str,
    format: &str,
) -> std::process::Child {
    Command::new(BIN)
        .args(["fetch", "--base-url", sim.url().as_str()])
        .args(["--id-credor", id_credor, "--cpf-cnpj", doc])
        .args(["--output", "-", "--format", format])
        .env("RECUPERADOR_TOKEN", TOKEN)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs")
}

#[test]
fn a_reader_that_closes_the_pipe_early_ends_it_quietly() {
    use std::io::Read as _;
    // Megabytes of output, far beyond a pipe's buffer: the writer meets the closed pipe.
    let (sim, id_credor, doc) = huge_simulator(5_000);
    for format in ["tsv", "csv", "json", "xlsx"] {
        let mut child = spawn_to_stdout(&sim, &id_credor, &doc, format);
        // Read the first bytes, as `| head -c 100` does, then close the pipe.
        let mut first = [0_u8; 100];
        child
            .stdout
            .take()
            .unwrap()
            .read_exact(&mut first)
            .expect("some output arrives");
        let output = child.wait_with_output().unwrap();
        let messages = stderr(&output);
        assert_eq!(output.status.code(), Some(0), "{format}: {messages}");
        assert!(!messages.contains("panicked"), "{format}: {messages}");
        assert!(!messages.contains("Erro"), "{format}: {messages}");
        if format == "tsv" {
            assert!(first.starts_with("ID follow-up\t".as_bytes()));
        }
    }
}

#[cfg(unix)]
#[test]
fn ctrl_c_ends_a_write_to_a_reader_that_does_not_read() {
    use std::time::{Duration, Instant};
    let (sim, id_credor, doc) = huge_simulator(5_000);
    // A pager that shows one screen and waits: the pipe fills and the write blocks.
    let mut child = spawn_to_stdout(&sim, &id_credor, &doc, "tsv");
    let stdout = child.stdout.take().unwrap();
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("ID follow-up\t"));
    // The header came first; the rest (megabytes) fills the pipe while nobody reads.
    assert!(child.try_wait().unwrap().is_none(), "still writing");
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the process did not end after Ctrl+C"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(130), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Interrompido"),
        "{}",
        stderr(&output)
    );
    drop(reader);
}

#[test]
fn help_tells_how_to_write_to_stdout() {
    let output = run(&["fetch", "--help"], None);
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    for needle in ["ARQUIVO|-", "saída padrão", "tsv", "TSV"] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}

#[cfg(unix)]
#[test]
fn a_workbook_is_not_written_to_a_terminal() {
    // `script` runs the command on a pseudo-terminal (util-linux; skipped where missing).
    let has_script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("SKIPPED: no `script` command to provide a terminal");
        return;
    }
    let command = format!(
        "{BIN} fetch --base-url http://127.0.0.1:9/api/v1Followup/ --id-credor 12 \
         --cpf-cnpj 529.982.247-25 --output - --format xlsx"
    );
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("RECUPERADOR_TOKEN", TOKEN)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let terminal = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(2), "{terminal}");
    assert!(
        terminal.contains("não pode ser mostrada no terminal"),
        "{terminal}"
    );
    assert!(!terminal.contains("PK"), "no zip bytes on the terminal");
}
