//! The HTTP client against the simulator: filters, wire form, faults, cancellation, secrecy.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use recuperador_followups::api::{
    ApiError, ClientConfig, ErrorKind, FetchProgress, FollowupClient, FollowupQuery, QueryForm,
    ReagendarFiltro, Token,
};
use recuperador_followups::sim::{DatasetConfig, Fault, SimConfig, SimFilter, Simulator};

const TOKEN: &str = "tok-3f9a1c-SECRET";

fn simulator() -> Simulator {
    Simulator::start(SimConfig {
        token: TOKEN.to_owned(),
        dataset: DatasetConfig {
            seed: 7,
            debtors: 40,
            ..DatasetConfig::default()
        },
        ..SimConfig::default()
    })
    .expect("simulator starts")
}

fn config_for(sim: &Simulator) -> ClientConfig {
    ClientConfig {
        base_url: sim.url().to_string(),
        retry_base_delay: Duration::from_millis(5),
        retry_max_delay: Duration::from_millis(50),
        ..ClientConfig::default()
    }
}

fn client(sim: &Simulator) -> FollowupClient {
    FollowupClient::new(config_for(sim), Token::parse(TOKEN).unwrap()).unwrap()
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
    let client = FollowupClient::new(config, Token::parse(TOKEN).unwrap()).unwrap();
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
    let some_date = some_row.data.expect("rows have dates").date();

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
    if let Some(consultor) = some_row.id_consultor {
        forms.push(QueryForm {
            id_consultor: consultor.to_string(),
            ..query(id_credor, &doc)
        });
    }
    if let Some(evento) = everything.iter().find_map(|r| r.id_evento) {
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
    let client =
        FollowupClient::new(config_for(&sim), Token::parse("wrong-token").unwrap()).unwrap();
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
    let client = FollowupClient::new(config, Token::parse(TOKEN).unwrap()).unwrap();
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
    let client = FollowupClient::new(config, Token::parse(TOKEN).unwrap()).unwrap();
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
    let client = FollowupClient::new(config, Token::parse(TOKEN).unwrap()).unwrap();
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
