//! The HTTP client against the simulator: filters, wire form, faults, cancellation, secrecy.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use recuperador_followups::api::{
    ApiError, ClientConfig, ErrorKind, FetchProgress, FollowupClient, FollowupQuery, QueryForm,
    ReagendarFiltro, Token,
};
use recuperador_followups::sim::{Fault, SimFilter, Simulator};

mod support;

const TOKEN: &str = "tok-3f9a1c-SECRET";

fn simulator() -> Simulator {
    support::simulator(TOKEN, 7, 40)
}

fn config_for(sim: &Simulator) -> ClientConfig {
    ClientConfig {
        retry_max_delay: Duration::from_millis(50),
        ..support::client_config(sim)
    }
}

fn client(sim: &Simulator) -> FollowupClient {
    support::client_with(config_for(sim), TOKEN)
}

fn query(id_credor: i64, doc: &str) -> QueryForm {
    QueryForm {
        id_credor: id_credor.to_string(),
        cpf_cnpj: doc.to_owned(),
        ..QueryForm::default()
    }
}

/// The debtor with the most follow-ups (so filters have something to cut).
fn busiest_debtor(sim: &Simulator) -> (i64, String) {
    let dataset = sim.dataset();
    dataset
        .debtors()
        .iter()
        .filter(|d| !d.huge)
        .max_by_key(|d| dataset.matching(&all_of(d.id_credor, &d.cpf_cnpj)).count())
        .map(|d| (d.id_credor, d.cpf_cnpj.clone()))
        .expect("dataset has debtors")
}

fn all_of(id_credor: i64, doc: &str) -> SimFilter {
    SimFilter {
        id_credor,
        cpf_cnpj: doc.to_owned(),
        id_consultor: None,
        id_evento: None,
        reagendar: None,
        datagte: None,
        datalte: None,
    }
}

fn fetch_ok(sim: &Simulator, query: &FollowupQuery) -> Vec<recuperador_followups::api::Followup> {
    let outcome = client(sim)
        .fetch(query, &FetchProgress::new())
        .unwrap_or_else(|e| panic!("fetch failed: {e} ({})", e.technical_detail()));
    assert!(!outcome.report.has_problems(), "{:?}", outcome.report);
    outcome.rows
}

fn fetch_err(sim: &Simulator, config: ClientConfig, query: &FollowupQuery) -> ApiError {
    let client = support::client_with(config, TOKEN);
    match client.fetch(query, &FetchProgress::new()) {
        Ok(outcome) => panic!("expected an error, got {} rows", outcome.rows.len()),
        Err(error) => {
            assert_secret_free(&error);
            let _ = sim;
            error
        }
    }
}

fn assert_secret_free(error: &ApiError) {
    for text in [
        error.to_string(),
        error.technical_detail(),
        format!("{error:?}"),
    ] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(
            !text.contains("<html") && !text.contains("<HTML"),
            "HTML leaked: {text}"
        );
    }
}

#[test]
fn each_filter_returns_exactly_the_matching_rows() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let everything: Vec<_> = sim.dataset().matching(&all_of(id_credor, &doc)).collect();
    assert!(
        everything.len() >= 10,
        "the busiest debtor has {} rows",
        everything.len()
    );
    let some_row = &everything[everything.len() / 2];
    let some_date = some_row.data().expect("rows have dates").date();

    let mut forms = vec![query(id_credor, &doc)];
    // The document as a user pastes it, with its mask, in lower case.
    forms.push(query(
        id_credor,
        &recuperador_followups::doc_id::format_lenient(&doc).to_lowercase(),
    ));
    for reagendar in [
        ReagendarFiltro::SomenteReagendados,
        ReagendarFiltro::SemReagendamento,
    ] {
        forms.push(QueryForm {
            reagendar,
            ..query(id_credor, &doc)
        });
    }
    if let Some(consultor) = some_row.id_consultor() {
        forms.push(QueryForm {
            id_consultor: consultor.to_string(),
            ..query(id_credor, &doc)
        });
    }
    if let Some(evento) = everything.iter().find_map(|r| r.id_evento()) {
        forms.push(QueryForm {
            id_evento: evento.to_string(),
            ..query(id_credor, &doc)
        });
    }
    forms.push(QueryForm {
        data_de: some_date.format("%d/%m/%Y").to_string(),
        ..query(id_credor, &doc)
    });
    forms.push(QueryForm {
        data_ate: some_date.to_string(),
        ..query(id_credor, &doc)
    });
    forms.push(QueryForm {
        data_de: some_date.to_string(),
        data_ate: some_date.to_string(),
        ..query(id_credor, &doc)
    });
    // Another creditor: nothing.
    forms.push(query(id_credor + 1000, &doc));

    let mut sizes = Vec::new();
    for form in &forms {
        let query = form.validate().unwrap();
        let expected: Vec<_> = sim.dataset().matching(&SimFilter::from(&query)).collect();
        let rows = fetch_ok(&sim, &query);
        assert_eq!(rows.len(), expected.len(), "{form:?}");
        assert!(rows == expected, "rows differ for {form:?}");
        assert_eq!(
            sim.last_query().as_deref(),
            Some(query.query_string().as_str())
        );
        sizes.push(rows.len());
    }
    // The filters really cut: reschedules only + none = all; one day is a subset.
    assert_eq!(sizes[2] + sizes[3], sizes[0]);
    assert!(sizes.iter().skip(2).all(|&n| n <= sizes[0]));
    assert_eq!(*sizes.last().unwrap(), 0);
}

#[test]
fn a_wrong_token_is_an_authentication_error() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    let client = support::client_with(config_for(&sim), "wrong-token");
    let error = client.fetch(&query, &FetchProgress::new()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidToken);
    assert_eq!(sim.request_count(), 1, "401 is never retried");
    assert!(!error.to_string().contains("wrong-token"));
}

#[test]
fn each_fault_yields_its_error_kind() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    let cases: Vec<(Fault, ErrorKind, usize)> = vec![
        (Fault::ServerError, ErrorKind::Server, 1),
        (Fault::BadGatewayHtml, ErrorKind::Server, 4),
        (Fault::ServiceUnavailable, ErrorKind::Server, 4),
        (
            Fault::RateLimited {
                retry_after_secs: 0,
            },
            ErrorKind::RateLimited,
            4,
        ),
        (Fault::SuccessFalse, ErrorKind::Api, 1),
        (Fault::MalformedJson, ErrorKind::UnexpectedBody, 1),
        (Fault::TruncatedBody, ErrorKind::Network, 4),
        (Fault::DropConnection, ErrorKind::Network, 4),
        (Fault::Unauthorized, ErrorKind::InvalidToken, 1),
    ];
    for (fault, kind, requests) in cases {
        sim.set_fault(Some(fault), None);
        let before = sim.request_count();
        let error = fetch_err(&sim, config_for(&sim), &query);
        assert_eq!(
            error.kind(),
            kind,
            "{fault:?}: {error} / {}",
            error.technical_detail()
        );
        assert_eq!(
            sim.request_count() - before,
            requests,
            "{fault:?}: attempts"
        );
    }
    sim.set_fault(None, None);

    // Specific messages reach the user.
    sim.set_fault(Some(Fault::SuccessFalse), None);
    let error = fetch_err(&sim, config_for(&sim), &query);
    assert!(
        error.to_string().contains("Credor não encontrado"),
        "{error}"
    );
    sim.set_fault(Some(Fault::ServerError), None);
    let error = fetch_err(&sim, config_for(&sim), &query);
    assert!(
        error.to_string().contains("An error has occurred."),
        "{error}"
    );
    sim.set_fault(Some(Fault::BadGatewayHtml), None);
    let error = fetch_err(&sim, config_for(&sim), &query);
    assert!(error.to_string().contains("HTTP 502"), "{error}");
    sim.set_fault(None, None);
}

#[test]
fn transient_faults_recover_by_retrying() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    let expected: Vec<_> = sim.dataset().matching(&SimFilter::from(&query)).collect();
    for fault in [
        Fault::ServiceUnavailable,
        Fault::BadGatewayHtml,
        Fault::RateLimited {
            retry_after_secs: 0,
        },
        Fault::DropConnection,
        Fault::TruncatedBody,
    ] {
        sim.set_fault(Some(fault), Some(2));
        let outcome = client(&sim).fetch(&query, &FetchProgress::new()).unwrap();
        assert_eq!(outcome.attempts, 3, "{fault:?}");
        assert!(outcome.rows == expected, "{fault:?}");
    }
}

#[test]
fn a_csv_written_while_rows_arrive_starts_over_with_each_attempt() {
    use recuperador_followups::export::csv::CsvStream;
    use recuperador_followups::export::{self, ExportFormat, ExportOptions, ExportProgress};
    // A history of several batches, cut in the middle by the first two answers.
    let sim = support::start(recuperador_followups::sim::SimConfig {
        token: TOKEN.to_owned(),
        dataset: recuperador_followups::sim::DatasetConfig {
            huge_history_rows: 9_000,
            ..support::dataset(5, 10)
        },
        ..recuperador_followups::sim::SimConfig::default()
    });
    let debtor = sim.dataset().huge_debtor().unwrap().clone();
    let query = query(debtor.id_credor, &debtor.cpf_cnpj)
        .validate()
        .unwrap();
    let expected = fetch_ok(&sim, &query);
    let folder = tempfile::tempdir().unwrap();
    let options = ExportOptions::new(ExportFormat::Csv);
    let reference = folder.path().join("depois.csv");
    export::export_rows(
        &reference,
        expected.iter(),
        &options,
        &ExportProgress::new(),
    )
    .unwrap();
    let reference = std::fs::read(&reference).unwrap();
    for (fault, attempts) in [
        (None, 1),
        (Some(Fault::TruncatedBody), 3),
        (Some(Fault::DropConnection), 3),
    ] {
        sim.set_fault(fault, Some(2));
        let path = folder.path().join("enquanto.csv");
        std::fs::write(&path, "anterior").unwrap();
        let mut stream = CsvStream::create(&path, &options).unwrap();
        let summary = client(&sim)
            .fetch_into(&query, &FetchProgress::new(), &mut stream)
            .unwrap();
        assert_eq!(summary.attempts, attempts, "{fault:?}");
        assert_eq!(std::fs::read(&path).unwrap(), b"anterior", "{fault:?}");
        assert_eq!(stream.finish().unwrap(), expected.len(), "{fault:?}");
        assert!(std::fs::read(&path).unwrap() == reference, "{fault:?}");
    }
    sim.set_fault(None, None);
}

#[test]
fn retry_after_is_honoured() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    sim.set_fault(
        Some(Fault::RateLimited {
            retry_after_secs: 1,
        }),
        Some(1),
    );
    let config = ClientConfig {
        retry_max_delay: Duration::from_secs(5),
        ..config_for(&sim)
    };
    let client = support::client_with(config, TOKEN);
    let started = Instant::now();
    let outcome = client.fetch(&query, &FetchProgress::new()).unwrap();
    assert_eq!(outcome.attempts, 2);
    // The client waited at least what the server asked (a lower bound, not a timing race).
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[test]
fn cancel_stops_a_slow_answer_at_once() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    // About 20 bytes every 50 ms: the whole answer would take minutes.
    sim.set_fault(
        Some(Fault::SlowTrickle {
            bytes_per_chunk: 20,
            delay: Duration::from_millis(50),
        }),
        None,
    );
    let progress = FetchProgress::new();
    let worker = {
        let progress = Arc::clone(&progress);
        let client = client(&sim);
        std::thread::spawn(move || {
            let result = client.fetch(&query, &progress);
            (result.map(|o| o.rows.len()), Instant::now())
        })
    };
    // Wait until the body is flowing (bounded), then cancel mid-body.
    let waiting_since = Instant::now();
    while progress.snapshot().bytes < 100 {
        assert!(
            waiting_since.elapsed() < Duration::from_secs(20),
            "the body never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let cancelled_at = Instant::now();
    progress.cancel();
    let (result, returned_at) = worker.join().unwrap();
    let latency = returned_at.duration_since(cancelled_at);
    assert_eq!(result.unwrap_err().kind(), ErrorKind::Cancelled);
    eprintln!("cancellation latency: {latency:?}");
    assert!(
        latency < Duration::from_millis(200),
        "cancel took {latency:?}"
    );
}

#[test]
fn a_total_timeout_is_reported_as_timeout() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    sim.set_fault(
        Some(Fault::SlowTrickle {
            bytes_per_chunk: 10,
            delay: Duration::from_millis(20),
        }),
        None,
    );
    let config = ClientConfig {
        total_timeout: Duration::from_millis(600),
        max_retries: 0,
        ..config_for(&sim)
    };
    let error = fetch_err(&sim, config, &query);
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    // The whole-fetch limit, not the idle one (bytes kept coming).
    assert!(
        matches!(error, ApiError::Timeout { after } if after == Duration::from_millis(600)),
        "{error:?}"
    );
}

#[test]
fn plain_http_is_refused_except_on_loopback() {
    let token = Token::parse(TOKEN).unwrap();
    let config = ClientConfig {
        base_url: "http://app.recuperador.com.br/api/v1Followup/".to_owned(),
        ..ClientConfig::default()
    };
    let error = FollowupClient::new(config, token.clone()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(error.to_string().contains("https"), "{error}");
    assert_secret_free(&error);
}

#[test]
fn a_connection_refused_is_a_network_error() {
    // Bind and drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = ClientConfig {
        base_url: format!("http://127.0.0.1:{port}/api/v1Followup/"),
        max_retries: 1,
        retry_base_delay: Duration::from_millis(5),
        ..ClientConfig::default()
    };
    let client = support::client_with(config, TOKEN);
    let query = query(1, "529.982.247-25").validate().unwrap();
    let error = client.fetch(&query, &FetchProgress::new()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Network, "{error}");
    assert_secret_free(&error);
    assert!(
        !error.technical_detail().contains("52998224725"),
        "the document leaked"
    );
}

#[test]
fn redirects_to_another_host_are_not_followed() {
    // A one-shot responder: reads one request head, answers a raw 302 to another host.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return false;
        };
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut head = Vec::new();
        let mut buf = [0_u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return false,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let authorization = String::from_utf8_lossy(&head)
            .lines()
            .any(|line| line.to_ascii_lowercase().starts_with("authorization:"));
        let _ = stream.write_all(
            b"HTTP/1.1 302 Found\r\n\
              Location: https://elsewhere.example/api/?x=1\r\n\
              Content-Length: 0\r\n\
              Connection: close\r\n\r\n",
        );
        authorization
    });
    let config = ClientConfig {
        base_url: format!("http://127.0.0.1:{port}/api/v1Followup/"),
        ..ClientConfig::default()
    };
    let client = support::client_with(config, TOKEN);
    let query = query(1, "529.982.247-25").validate().unwrap();
    let error = client.fetch(&query, &FetchProgress::new()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Redirect, "{error}");
    assert!(
        error.to_string().contains("https://elsewhere.example/api/"),
        "{error}"
    );
    assert!(
        handle.join().unwrap(),
        "the first request carried Basic auth"
    );
}

#[test]
fn progress_counts_rows_and_bytes() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    let progress = FetchProgress::new();
    let outcome = client(&sim).fetch(&query, &progress).unwrap();
    let snapshot = progress.snapshot();
    assert_eq!(snapshot.rows, outcome.rows.len() as u64);
    assert_eq!(snapshot.bytes, outcome.bytes);
    assert!(outcome.bytes > 100 * outcome.rows.len() as u64);
    assert_eq!(snapshot.attempt, 1);
}

// ---------------------------------------------------------------------------------------------
// Hardening (issue 10): timeouts, proxies and loopback, charsets.

/// A loopback listener standing in for a proxy (or a server that must or must not be reached):
/// it records the head of each request, answers `reply` and closes the connection.
struct Recorder {
    port: u16,
    heads: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Recorder {
    fn start(reply: &'static [u8]) -> Recorder {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let heads = Arc::clone(&heads);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let Ok((mut stream, _)) = listener.accept() else {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    };
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut head = Vec::new();
                    let mut buf = [0_u8; 4096];
                    // Up to the end of an HTTP head; a TLS hello (not text) ends at once.
                    while head.len() < 64 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf) {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                        if !head[0].is_ascii_alphabetic() {
                            break;
                        }
                    }
                    heads
                        .lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&head).into_owned());
                    let _ = stream.write_all(reply);
                }
            })
        };
        Recorder {
            port,
            heads,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

const PROXY_REFUSES: &[u8] =
    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Every variable a proxy can come from, removed from a child process's environment.
const PROXY_VARIABLES: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// Runs the command-line binary with `env` on top of an environment without proxies.
fn run_cli(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_recuperador-followups-cli"));
    command.args(args).env("RECUPERADOR_TOKEN", TOKEN);
    // No session bus: the keyring is unavailable, so only the variable gives the token.
    command.env_remove("DBUS_SESSION_BUS_ADDRESS");
    for name in PROXY_VARIABLES {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    command.output().expect("the binary runs")
}

#[test]
fn a_download_that_keeps_trickling_outlasts_the_idle_timeout() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    let expected: Vec<_> = sim.dataset().matching(&SimFilter::from(&query)).collect();
    // Bytes keep coming every 20 ms, far inside the idle limit, for longer than it.
    sim.set_fault(
        Some(Fault::SlowTrickle {
            bytes_per_chunk: 20,
            delay: Duration::from_millis(20),
        }),
        None,
    );
    let config = ClientConfig {
        idle_timeout: Duration::from_millis(300),
        total_timeout: Duration::from_secs(30),
        max_retries: 0,
        ..config_for(&sim)
    };
    let client = support::client_with(config, TOKEN);
    let progress = FetchProgress::new();
    let started = Instant::now();
    let (outcome, samples) = std::thread::scope(|scope| {
        let fetch = scope.spawn(|| client.fetch(&query, &progress));
        // Watch the progress as a window would: the byte count must keep moving.
        let mut samples = Vec::new();
        while !fetch.is_finished() && started.elapsed() < Duration::from_secs(60) {
            samples.push(progress.snapshot().bytes);
            std::thread::sleep(Duration::from_millis(100));
        }
        (fetch.join().unwrap(), samples)
    });
    let elapsed = started.elapsed();
    let outcome =
        outcome.unwrap_or_else(|e| panic!("trickled fetch failed: {e} ({})", e.technical_detail()));
    eprintln!(
        "trickled download: {} bytes, {} rows in {elapsed:?}",
        outcome.bytes,
        outcome.rows.len()
    );
    assert!(outcome.rows == expected);
    assert!(
        elapsed >= Duration::from_secs(2),
        "the body must trickle for at least 2 s to prove the point, took {elapsed:?}"
    );
    let distinct_increases = samples.windows(2).filter(|w| w[1] > w[0]).count();
    assert!(
        distinct_increases >= 10,
        "progress did not keep showing the bytes: {samples:?}"
    );
}

/// Accepts one connection, reads the request head and answers `head` (perhaps with part of a
/// body), then holds the connection open without a byte more until `hold` passes.
fn stalling_server(reply: &'static [u8], hold: Duration) -> (u16, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
        let mut buf = [0_u8; 4096];
        let mut head = Vec::new();
        let until = Instant::now() + hold;
        while Instant::now() < until && !head.windows(4).any(|w| w == b"\r\n\r\n") {
            if let Ok(n) = stream.read(&mut buf) {
                head.extend_from_slice(&buf[..n]);
            }
        }
        let _ = stream.write_all(reply);
        // Silence; the read ends when the client goes away (or `hold` passes).
        while Instant::now() < until {
            match stream.read(&mut buf) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => return,
            }
        }
    });
    (port, handle)
}

#[test]
fn a_stall_longer_than_the_idle_timeout_is_a_timeout() {
    let idle = Duration::from_millis(300);
    // Mid-body: headers and two rows' worth of the array, then nothing.
    let mid_body: &'static [u8] = b"HTTP/1.1 200 OK\r\n\
        Content-Type: application/json; charset=utf-8\r\n\
        Transfer-Encoding: chunked\r\n\r\n\
        11\r\n[{\"id_followup\":1\r\n";
    // Before the headers: the request is read, nothing is ever answered.
    let no_answer: &'static [u8] = b"";
    for (case, reply) in [("mid-body", mid_body), ("no answer", no_answer)] {
        let (port, server) = stalling_server(reply, Duration::from_secs(20));
        let config = ClientConfig {
            base_url: format!("http://127.0.0.1:{port}/api/v1Followup/"),
            idle_timeout: idle,
            total_timeout: Duration::from_secs(30),
            max_retries: 0,
            ..ClientConfig::default()
        };
        let client = support::client_with(config, TOKEN);
        let query = query(1, "529.982.247-25").validate().unwrap();
        let started = Instant::now();
        let error = client.fetch(&query, &FetchProgress::new()).unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(error.kind(), ErrorKind::Timeout, "{case}: {error}");
        assert!(
            matches!(error, ApiError::Stalled { after } if after == idle),
            "{case}: the idle limit, not the total one, must be reported: {error:?}"
        );
        // Generous: the idle limit is 0.3 s, the total one 30 s.
        assert!(
            elapsed < Duration::from_secs(10),
            "{case}: took {elapsed:?}"
        );
        assert_secret_free(&error);
        drop(client);
        server.join().unwrap();
    }
}

#[test]
fn any_timeout_value_is_safe() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    let config = ClientConfig {
        connect_timeout: Duration::MAX,
        idle_timeout: Duration::MAX,
        total_timeout: Duration::MAX,
        retry_base_delay: Duration::MAX,
        retry_max_delay: Duration::MAX,
        max_retries: u32::MAX,
        ..config_for(&sim)
    };
    let normalized = config.clone().normalized();
    assert_eq!(normalized.total_timeout, ClientConfig::MAX_TIMEOUT);
    assert_eq!(normalized.idle_timeout, ClientConfig::MAX_TIMEOUT);
    assert!(normalized.connect_timeout <= ClientConfig::MAX_TIMEOUT);
    assert!(normalized.retry_max_delay <= ClientConfig::MAX_TIMEOUT);
    assert!(normalized.max_retries <= 100);
    let client = support::client_with(config, TOKEN);
    let outcome = client.fetch(&query, &FetchProgress::new()).unwrap();
    assert_eq!(outcome.attempts, 1);
    // A 503 with the longest wait in `Retry-After`, then success: the wait is capped, the
    // arithmetic does not overflow.
    sim.set_fault(
        Some(Fault::RateLimited {
            retry_after_secs: u64::MAX,
        }),
        Some(1),
    );
    let config = ClientConfig {
        retry_max_delay: Duration::from_millis(20),
        total_timeout: Duration::MAX,
        ..config_for(&sim)
    };
    let client = support::client_with(config, TOKEN);
    let outcome = client.fetch(&query, &FetchProgress::new()).unwrap();
    assert_eq!(outcome.attempts, 2);
    // Zero is no wait at all, not a panic either.
    let config = ClientConfig {
        connect_timeout: Duration::ZERO,
        idle_timeout: Duration::ZERO,
        total_timeout: Duration::ZERO,
        ..config_for(&sim)
    };
    assert!(config.normalized().total_timeout > Duration::ZERO);
}

#[test]
fn the_command_line_accepts_the_largest_timeout() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let dir = tempfile::tempdir().unwrap();
    let output_path = dir.path().join("out.json");
    let url = sim.url().to_string();
    let id_credor = id_credor.to_string();
    let output = run_cli(
        &[
            "fetch",
            "--base-url",
            &url,
            "--id-credor",
            &id_credor,
            "--cpf-cnpj",
            &doc,
            "--timeout-secs",
            "18446744073709551615",
            "--output",
            output_path.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output_path.exists());
}

#[test]
fn loopback_never_goes_through_a_manual_proxy() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    let proxy = Recorder::start(PROXY_REFUSES);
    let port = sim.addr().port();
    for base_url in [
        sim.url().to_string(),
        format!("http://localhost:{port}/api/v1Followup/"),
    ] {
        let config = ClientConfig {
            base_url: base_url.clone(),
            proxy: Some(format!(
                "http://ana.souza:s3cr%40t%3Apw@127.0.0.1:{}",
                proxy.port
            )),
            ..config_for(&sim)
        };
        let client = support::client_with(config, TOKEN);
        let outcome = client
            .fetch(&query, &FetchProgress::new())
            .unwrap_or_else(|e| panic!("{base_url}: {e} ({})", e.technical_detail()));
        assert!(!outcome.rows.is_empty());
    }
    assert_eq!(
        proxy.heads(),
        Vec::<String>::new(),
        "the proxy was contacted"
    );
}

#[test]
fn loopback_ignores_the_proxy_environment_variables() {
    // The variables are read when a client is built: a child process gets them, so no test
    // in this process sees them.
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let proxy = Recorder::start(PROXY_REFUSES);
    let dir = tempfile::tempdir().unwrap();
    let output_path = dir.path().join("out.json");
    let url = sim.url().to_string();
    let id_credor = id_credor.to_string();
    let proxy_url = proxy.url();
    let output = run_cli(
        &[
            "fetch",
            "--base-url",
            &url,
            "--id-credor",
            &id_credor,
            "--cpf-cnpj",
            &doc,
            "--output",
            output_path.to_str().unwrap(),
        ],
        &[
            ("HTTP_PROXY", &proxy_url),
            ("http_proxy", &proxy_url),
            ("HTTPS_PROXY", &proxy_url),
            ("ALL_PROXY", &proxy_url),
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        proxy.heads(),
        Vec::<String>::new(),
        "the proxy was contacted"
    );
}

#[test]
fn a_manual_proxy_with_credentials_is_used_for_remote_hosts_and_never_shown() {
    let proxy = Recorder::start(
        b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    // `.invalid` never resolves: only the proxy can be reached.
    let config = ClientConfig {
        base_url: "https://recuperador.invalid/api/v1Followup/".to_owned(),
        proxy: Some(format!(
            "http://ana.souza:s3cr%40t%3Apw@127.0.0.1:{}",
            proxy.port
        )),
        max_retries: 0,
        ..ClientConfig::default()
    };
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("s3cr") && !shown.contains("ana.souza"),
        "{shown}"
    );
    let client = support::client_with(config, TOKEN);
    let query = query(1, "529.982.247-25").validate().unwrap();
    let error = client.fetch(&query, &FetchProgress::new()).unwrap_err();
    assert_secret_free(&error);
    for text in [
        error.to_string(),
        error.technical_detail(),
        format!("{error:?}"),
        format!("{client:?}"),
    ] {
        assert!(
            !text.contains("s3cr") && !text.contains("ana.souza"),
            "proxy credentials leaked: {text}"
        );
    }
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    let head = &heads[0];
    assert!(
        head.starts_with("CONNECT recuperador.invalid:443 "),
        "{head}"
    );
    let header = |name: &str| {
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    };
    // `ana.souza:s3cr@t:pw`, percent-decoded, in Basic.
    assert_eq!(
        header("proxy-authorization"),
        Some("Basic YW5hLnNvdXphOnMzY3JAdDpwdw=="),
        "{head}"
    );
    // The API token never goes to the proxy: it travels inside the tunnel only.
    assert_eq!(header("authorization"), None, "{head}");
}

#[cfg(target_os = "linux")]
#[test]
fn no_proxy_is_honoured() {
    // `0.0.0.0` is not a loopback name, yet Linux connects it to this machine: a stand-in for
    // a remote host listed in NO_PROXY, with no traffic leaving the machine.
    let direct = Recorder::start(b"");
    let proxy = Recorder::start(PROXY_REFUSES);
    let base_url = format!("https://0.0.0.0:{}/api/v1Followup/", direct.port);
    let proxy_url = proxy.url();
    let fetch_args = |output: &str| -> Vec<String> {
        [
            "fetch",
            "--base-url",
            &base_url,
            "--id-credor",
            "1",
            "--cpf-cnpj",
            "529.982.247-25",
            "--output",
            output,
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out.json");
    let output = output.to_str().unwrap();
    let manual: Vec<String> = fetch_args(output)
        .into_iter()
        .chain(["--proxy".to_owned(), proxy_url.clone()])
        .collect();
    let manual: Vec<&str> = manual.iter().map(String::as_str).collect();
    let plain = fetch_args(output);
    let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
    /// One run of the command line: its arguments, its proxy variables, the way it must go.
    struct Case<'a> {
        name: &'a str,
        args: &'a [&'a str],
        env: Vec<(&'a str, &'a str)>,
        through_proxy: bool,
    }
    let cases = [
        Case {
            name: "manual proxy",
            args: &manual,
            env: vec![],
            through_proxy: true,
        },
        Case {
            name: "manual proxy, NO_PROXY",
            args: &manual,
            env: vec![("NO_PROXY", "0.0.0.0")],
            through_proxy: false,
        },
        Case {
            name: "HTTPS_PROXY",
            args: &plain,
            env: vec![("HTTPS_PROXY", &proxy_url)],
            through_proxy: true,
        },
        Case {
            name: "HTTPS_PROXY, no_proxy",
            args: &plain,
            env: vec![
                ("HTTPS_PROXY", &proxy_url),
                ("no_proxy", "example.org, 0.0.0.0"),
            ],
            through_proxy: false,
        },
    ];
    for Case {
        name: case,
        args,
        env,
        through_proxy,
    } in cases
    {
        let proxied_before = proxy.heads().len();
        let direct_before = direct.heads().len();
        let output = run_cli(args, &env);
        // Neither answers like the API: the fetch fails either way (network or TLS).
        assert_eq!(output.status.code(), Some(4), "{case}");
        let proxied = proxy.heads().len() - proxied_before;
        let direct_contacts = direct.heads().len() - direct_before;
        if through_proxy {
            assert!(
                proxied >= 1 && direct_contacts == 0,
                "{case}: {proxied} / {direct_contacts}"
            );
            let head = proxy.heads().pop().unwrap();
            assert!(
                head.starts_with(&format!("CONNECT 0.0.0.0:{} ", direct.port)),
                "{case}: {head}"
            );
        } else {
            assert!(
                proxied == 0 && direct_contacts >= 1,
                "{case}: {proxied} / {direct_contacts}"
            );
        }
    }
}

#[test]
fn a_windows_1252_body_is_decoded() {
    let sim = simulator();
    let (id_credor, doc) = busiest_debtor(&sim);
    let query = query(id_credor, &doc).validate().unwrap();
    let expected: Vec<_> = sim.dataset().matching(&SimFilter::from(&query)).collect();
    let accented = |row: &recuperador_followups::api::Followup| {
        [
            &row.nome_cliente(),
            &row.nome_consultor(),
            &row.nome_evento(),
        ]
        .into_iter()
        .flatten()
        .any(|text| !text.is_ascii())
            || row.interacao().is_some_and(|text| !text.is_ascii())
    };
    assert!(
        expected.iter().any(accented),
        "the rows must have accented text for this test to mean anything"
    );
    sim.set_fault(Some(Fault::Windows1252), None);
    let outcome = client(&sim)
        .fetch(&query, &FetchProgress::new())
        .unwrap_or_else(|e| panic!("{e} ({})", e.technical_detail()));
    assert!(!outcome.report.has_problems(), "{:?}", outcome.report);
    assert!(outcome.rows == expected, "rows differ after decoding");
}
