//! Batch queries against the simulator: the list, the merge, failures and their retry, the
//! stop on a refused token, cancel, and politeness after 429.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use recuperador_followups::api::{
    ClientConfig, ErrorKind, FetchProgress, FollowupClient, QueryFilters, QueryForm,
};
use recuperador_followups::batch::{
    BatchHandle, BatchRun, BatchStop, FailureKind, parse_document_list, write_failures_csv,
};
use recuperador_followups::doc_id::CpfCnpj;
use recuperador_followups::results::ResultSet;
use recuperador_followups::sim::{DatasetConfig, Fault, SimConfig, Simulator};

mod support;

const TOKEN: &str = "batch-tok-SECRET-42";

fn simulator(latency: Duration) -> Simulator {
    support::start(SimConfig {
        token: TOKEN.to_owned(),
        dataset: DatasetConfig {
            max_followups_per_debtor: 20,
            ..support::dataset(21, 60)
        },
        latency,
        ..SimConfig::default()
    })
}

fn client_with_token(sim: &Simulator, token: &str) -> Arc<FollowupClient> {
    Arc::new(support::client(sim, token))
}

fn client(sim: &Simulator) -> Arc<FollowupClient> {
    client_with_token(sim, TOKEN)
}

/// The creditor with the most debtors, and their documents (several with a history).
fn creditor_and_docs(sim: &Simulator) -> (i64, Vec<CpfCnpj>) {
    let id_credor = sim.dataset().busiest_creditor().unwrap();
    let docs = sim
        .dataset()
        .documents_of(id_credor)
        .iter()
        .map(|d| CpfCnpj::parse(d).unwrap())
        .collect();
    (id_credor, docs)
}

fn filters(id_credor: i64) -> QueryFilters {
    QueryForm {
        id_credor: id_credor.to_string(),
        ..QueryForm::default()
    }
    .validate_filters()
    .unwrap()
}

/// Polls the handle like a window would, merging rows into a result set as they arrive.
fn drive(handle: &BatchHandle, results: &mut ResultSet) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !handle.is_finished() {
        results.append(handle.take_new_rows());
        assert!(Instant::now() < deadline, "batch did not finish");
        std::thread::sleep(Duration::from_millis(5));
    }
    results.append(handle.take_new_rows());
}

fn ids(results: &ResultSet) -> BTreeSet<i64> {
    results
        .rows()
        .iter()
        .filter_map(|r| r.id_followup())
        .collect()
}

/// The union of single queries, one per document, with the plain client.
fn union_of_single_queries(
    sim: &Simulator,
    filters: &QueryFilters,
    docs: &[CpfCnpj],
) -> BTreeSet<i64> {
    let client = client(sim);
    let mut ids = BTreeSet::new();
    for doc in docs {
        let outcome = client
            .fetch(&filters.query_for(doc.clone()), &FetchProgress::new())
            .unwrap();
        ids.extend(outcome.rows.iter().filter_map(|r| r.id_followup()));
    }
    ids
}

#[test]
fn a_list_with_valid_warned_invalid_and_duplicate_entries() {
    let sim = simulator(Duration::ZERO);
    let (id_credor, docs) = creditor_and_docs(&sim);
    // A pasted column: a header, masked and bare documents, a duplicate, two invalid
    // entries, a document with a wrong check digit, several per line.
    let wrong_digit = {
        let mut text = docs[0].normalized().to_owned();
        let last = text.pop().unwrap();
        text.push(if last == '0' { '1' } else { '0' });
        text
    };
    let text = format!(
        "CPF/CNPJ\n{}\n{}; {}\n123\n{}\n\n{}\tabc\n",
        docs[0].formatted(),
        docs[1].normalized(),
        docs[2].formatted(),
        docs[1].formatted(),
        wrong_digit,
    );
    let list = parse_document_list(&text);
    assert_eq!(list.header.as_deref(), Some("CPF/CNPJ"));
    assert_eq!(list.valid.len(), 4, "{}", list.summary());
    assert_eq!(list.warned, [7]);
    assert_eq!(list.duplicates, 1);
    let invalid: Vec<_> = list
        .invalid
        .iter()
        .map(|e| (e.line, e.text.as_str()))
        .collect();
    assert_eq!(invalid, [(4, "123"), (7, "abc")]);
    assert_eq!(
        list.summary(),
        "4 válidos · 1 com aviso de dígito · 2 inválidos · 1 repetido"
    );

    // The warned document is queried like the others (the server just has no history).
    let handle = BatchRun::start(client(&sim), filters(id_credor), list.valid.clone(), 2);
    let summary = handle.wait();
    assert_eq!(summary.succeeded, 4);
    assert!(summary.failures.is_empty() && summary.stop.is_none());
}

#[test]
fn merged_results_equal_the_union_of_single_queries() {
    let sim = simulator(Duration::from_millis(2));
    let (id_credor, mut docs) = creditor_and_docs(&sim);
    // Documents of other creditors (empty answers under this one), and one repeated: its
    // rows arrive twice and the result set keeps them once.
    docs.extend(
        sim.dataset()
            .debtors()
            .iter()
            .filter(|d| d.id_credor != id_credor)
            .take(5)
            .map(|d| CpfCnpj::parse(&d.cpf_cnpj).unwrap()),
    );
    docs.push(docs[0].clone());
    let mut filters = filters(id_credor);
    filters.data_de = chrono::NaiveDate::from_ymd_opt(2024, 1, 1);
    let expected = union_of_single_queries(&sim, &filters, &docs);
    assert!(expected.len() > 20, "the dataset has histories to merge");

    let notified = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&notified);
    let handle =
        BatchRun::start_with_notify(client(&sim), filters.clone(), docs.clone(), 3, move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
    let mut results = ResultSet::new();
    drive(&handle, &mut results);
    let summary = handle.summary();
    assert!(summary.all_succeeded(), "{:?}", summary.failures);
    assert_eq!(summary.total, docs.len());
    assert_eq!(ids(&results), expected);
    assert_eq!(results.total_count(), expected.len(), "no row twice");
    assert!(
        summary.rows as usize > expected.len(),
        "the repeat arrived twice"
    );
    assert!(notified.load(Ordering::SeqCst) >= docs.len());
    let progress = handle.progress();
    assert!(progress.finished && progress.done == docs.len());
    assert!(
        results.rows().iter().all(|r| r
            .data()
            .is_some_and(|d| d.date() >= filters.data_de.unwrap())),
        "the shared filters apply to every document"
    );
}

#[test]
fn injected_faults_end_in_the_failure_list_and_a_retry_recovers_them() {
    let sim = simulator(Duration::ZERO);
    let (id_credor, docs) = creditor_and_docs(&sim);
    let filters = filters(id_credor);
    // HTTP 500 is not retried by the client: the first three requests fail for good.
    sim.set_fault(Some(Fault::ServerError), Some(3));
    let handle = BatchRun::start(client(&sim), filters.clone(), docs.clone(), 2);
    let mut results = ResultSet::new();
    drive(&handle, &mut results);
    let summary = handle.summary();
    assert_eq!(summary.failures.len(), 3, "{:?}", summary.failures);
    assert_eq!(summary.succeeded, docs.len() - 3);
    assert!(summary.stop.is_none());
    assert_eq!(handle.progress().failed, 3);
    for failure in &summary.failures {
        assert_eq!(failure.kind, FailureKind::Error(ErrorKind::Server));
        assert!(
            failure.message.contains("Erro no servidor"),
            "{}",
            failure.message
        );
        assert!(!failure.message.contains(failure.doc.normalized()));
        assert!(!failure.message.contains(TOKEN) && !failure.detail.contains(TOKEN));
    }

    // The failure list as a file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lote.falhas.csv");
    write_failures_csv(&path, &summary.failures).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("\u{feff}Documento;Erro\r\n"));
    assert_eq!(text.lines().count(), 4);
    assert!(text.contains(&summary.failures[0].doc.formatted()));

    // "Tentar novamente as falhas": only the failed documents, now recovered.
    let retry = summary.failed_documents();
    let requests_before = sim.request_count();
    let handle = BatchRun::start(client(&sim), filters.clone(), retry, 2);
    drive(&handle, &mut results);
    let again = handle.summary();
    assert!(again.all_succeeded(), "{:?}", again.failures);
    assert_eq!(sim.request_count() - requests_before, 3);
    assert_eq!(
        ids(&results),
        union_of_single_queries(&sim, &filters, &docs)
    );
}

#[test]
fn an_auth_failure_stops_the_whole_batch_at_once() {
    let sim = simulator(Duration::from_millis(5));
    let (id_credor, docs) = creditor_and_docs(&sim);
    let many: Vec<CpfCnpj> = docs.iter().cycle().take(50).cloned().collect();
    let wrong = "wrong-token-SECRET";
    let handle = BatchRun::start(client_with_token(&sim, wrong), filters(id_credor), many, 4);
    let summary = handle.wait();
    match &summary.stop {
        Some(BatchStop::Error { kind, message, .. }) => {
            assert_eq!(*kind, ErrorKind::InvalidToken);
            assert!(message.contains("token"), "{message}");
            assert!(!message.contains(wrong));
        }
        other => panic!("expected a stop on the token, got {other:?}"),
    }
    assert!(
        summary.failures.is_empty(),
        "reported once, not per document"
    );
    assert_eq!(summary.succeeded, 0);
    assert_eq!(summary.not_run.len(), 50);
    assert!(sim.request_count() <= 4, "{} requests", sim.request_count());
    assert!(
        summary
            .stop
            .as_ref()
            .unwrap()
            .message()
            .contains("interrompida")
    );
}

#[test]
fn cancel_mid_batch_keeps_the_arrived_rows_and_stops_promptly() {
    let sim = simulator(Duration::from_millis(60));
    let (id_credor, docs) = creditor_and_docs(&sim);
    let many: Vec<CpfCnpj> = docs.iter().cycle().take(60).cloned().collect();
    let handle = BatchRun::start(client(&sim), filters(id_credor), many, 2);
    let mut results = ResultSet::new();
    let mut taken = 0;
    let deadline = Instant::now() + Duration::from_secs(10);
    while handle.progress().done < 4 {
        let rows = handle.take_new_rows();
        taken += rows.len();
        results.append(rows);
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    let cancelled_at = Instant::now();
    handle.cancel();
    while !handle.is_finished() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let stop_time = cancelled_at.elapsed();
    assert!(stop_time < Duration::from_millis(150), "{stop_time:?}");
    let rows = handle.take_new_rows();
    taken += rows.len();
    results.append(rows);
    let summary = handle.summary();
    assert_eq!(summary.stop, Some(BatchStop::Cancelled));
    assert!(summary.succeeded >= 4 && summary.succeeded < 60);
    assert_eq!(
        summary.succeeded + summary.failures.len() + summary.not_run.len(),
        60
    );
    assert_eq!(
        summary.rows as usize, taken,
        "every row that arrived was handed over"
    );
    assert!(results.total_count() > 0, "the arrived rows are kept");
    assert_eq!(summary.unfinished_documents().len(), summary.not_run.len());
}

#[test]
fn a_rate_limit_lowers_the_concurrency_and_the_documents_still_succeed() {
    let sim = simulator(Duration::from_millis(2));
    let (id_credor, docs) = creditor_and_docs(&sim);
    sim.set_fault(
        Some(Fault::RateLimited {
            retry_after_secs: 1,
        }),
        None,
    );
    let handle = BatchRun::start(client(&sim), filters(id_credor), docs.clone(), 3);
    let deadline = Instant::now() + Duration::from_secs(10);
    while handle.progress().concurrency == 3 {
        assert!(Instant::now() < deadline, "concurrency never lowered");
        std::thread::sleep(Duration::from_millis(5));
    }
    sim.set_fault(None, None);
    let summary = handle.wait();
    assert!(summary.all_succeeded(), "{:?}", summary.failures);
}

/// An address on loopback where nothing listens: a port bound, then released.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/api/v1Followup/")
}

/// `count` distinct valid CPFs.
fn valid_cpfs(count: usize) -> Vec<CpfCnpj> {
    (0..count)
        .map(|n| {
            let base = format!("{:09}", 100_000_000 + n * 7919);
            let full = recuperador_followups::doc_id::with_check_digits(&base).unwrap();
            CpfCnpj::parse(&full).unwrap()
        })
        .collect()
}

#[test]
fn a_batch_against_a_closed_port_stops_early_as_unreachable() {
    let url = closed_port_url();
    // The client's own settings: 3 retries per request with 0.5 s, 1 s, 2 s of backoff.
    let client = Arc::new(support::client_with(
        ClientConfig {
            base_url: url,
            ..ClientConfig::default()
        },
        TOKEN,
    ));
    let docs = valid_cpfs(200);
    for concurrency in [4, 1] {
        let started = Instant::now();
        let handle = BatchRun::start(Arc::clone(&client), filters(12), docs.clone(), concurrency);
        // Bounded: the limit for 200 documents is 10 s (before, ~175 s).
        while !handle.is_finished() && started.elapsed() < Duration::from_secs(15) {
            std::thread::sleep(Duration::from_millis(10));
        }
        let elapsed = started.elapsed();
        handle.cancel();
        let summary = handle.wait();
        eprintln!("concurrency {concurrency}: stopped after {elapsed:?}");
        assert!(
            elapsed <= Duration::from_secs(10),
            "concurrency {concurrency}: {elapsed:?}"
        );
        let Some(stop @ BatchStop::Unreachable { detail }) = &summary.stop else {
            panic!("expected the unreachable stop, got {:?}", summary.stop);
        };
        assert!(
            stop.message()
                .starts_with("Servidor inacessível: verifique a rede, a VPN ou o proxy"),
            "{}",
            stop.message()
        );
        assert!(!detail.is_empty());
        assert_eq!(summary.succeeded, 0);
        // Each failure is a document that had every retry; the rest were not queried.
        assert!(
            (1..=recuperador_followups::batch::UNREACHABLE_AFTER).contains(&summary.failures.len()),
            "{:?}",
            summary.failures
        );
        assert!(
            summary
                .failures
                .iter()
                .all(|f| f.kind == FailureKind::Error(ErrorKind::Network))
        );
        assert_eq!(summary.failures.len() + summary.not_run.len(), 200);
        assert_eq!(summary.unfinished_documents().len(), 200, "all resumable");
        let mut resumed: Vec<_> = summary
            .unfinished_documents()
            .iter()
            .map(|d| d.normalized().to_owned())
            .collect();
        resumed.sort();
        resumed.dedup();
        assert_eq!(resumed.len(), 200, "each document once");
    }
}

#[test]
fn connection_failures_stop_the_batch_only_when_consecutive() {
    let sim = simulator(Duration::ZERO);
    let (id_credor, docs) = creditor_and_docs(&sim);
    assert!(docs.len() >= 6, "{}", docs.len());
    // One document at a time, so that the order of requests is known: the first document
    // has 4 attempts (3 retries), then each document gets one probe request.
    // 7 dropped connections: the first document fails, three probes fail and go back to the
    // queue, the fifth document answers: no stop, and the probed ones are queried again.
    sim.set_fault(Some(Fault::DropConnection), Some(7));
    let handle = BatchRun::start(client(&sim), filters(id_credor), docs.clone(), 1);
    let mut results = ResultSet::new();
    drive(&handle, &mut results);
    let summary = handle.summary();
    assert!(summary.stop.is_none(), "{:?}", summary.stop);
    assert_eq!(summary.failures.len(), 1, "{:?}", summary.failures);
    assert_eq!(summary.failures[0].doc, docs[0]);
    assert_eq!(
        summary.failures[0].kind,
        FailureKind::Error(ErrorKind::Network)
    );
    assert_eq!(summary.succeeded, docs.len() - 1);
    assert!(summary.not_run.is_empty());
    assert_eq!(
        ids(&results),
        union_of_single_queries(&sim, &filters(id_credor), &docs[1..])
    );

    // 8 in a row: five documents failed without an answer in between: the batch stops.
    sim.set_fault(Some(Fault::DropConnection), Some(8));
    let requests_before = sim.request_count();
    let handle = BatchRun::start(client(&sim), filters(id_credor), docs.clone(), 1);
    let summary = handle.wait();
    assert!(
        matches!(summary.stop, Some(BatchStop::Unreachable { .. })),
        "{:?}",
        summary.stop
    );
    assert_eq!(sim.request_count() - requests_before, 8);
    assert_eq!(summary.succeeded, 0);
    assert_eq!(summary.failures.len(), 1, "only the first had every retry");
    assert_eq!(summary.not_run.len(), docs.len() - 1);
}

#[test]
fn a_probe_answered_by_a_gateway_error_gets_its_retries_later() {
    let sim = simulator(Duration::ZERO);
    let (id_credor, docs) = creditor_and_docs(&sim);
    // The first document's four attempts meet dropped connections: it fails, and the next
    // document is a single-request probe, sent after a half-second pause.
    sim.set_fault(Some(Fault::DropConnection), Some(4));
    let handle = BatchRun::start(client(&sim), filters(id_credor), docs.clone(), 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    while handle.progress().failed == 0 {
        assert!(Instant::now() < deadline, "the first document never failed");
        std::thread::sleep(Duration::from_millis(1));
    }
    // The server is back behind a gateway that still answers 503 once: the probe meets it.
    sim.set_fault(Some(Fault::ServiceUnavailable), Some(1));
    let summary = handle.wait();
    assert!(summary.stop.is_none(), "{:?}", summary.stop);
    assert_eq!(summary.failures.len(), 1, "{:?}", summary.failures);
    assert_eq!(summary.failures[0].doc, docs[0]);
    assert_eq!(summary.succeeded, docs.len() - 1, "the probed document too");
}
