//! Cancelled searches leave no threads (nor sockets) behind (issue 10, item 6).
//!
//! Alone in its test binary: it counts the process's threads, which another test running at
//! the same time would disturb.

#![cfg(target_os = "linux")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use recuperador_followups::api::client::NET_THREADS;
use recuperador_followups::api::{
    ClientConfig, ErrorKind, FetchProgress, FollowupClient, QueryForm, Token,
};

/// The threads of this process, from `/proc/self/task`.
fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc is mounted")
        .count()
}

/// The open file descriptors of this process (sockets among them), from `/proc/self/fd`.
fn descriptor_count() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc is mounted")
        .count()
}

/// Starts a search on its own thread (as the window does), cancels it once it is waiting for
/// the answer, and returns how long the cancel took to come back.
fn search_and_cancel(base_url: &str) -> Duration {
    // A new client per search, as the window builds one for each.
    let config = ClientConfig {
        base_url: base_url.to_owned(),
        ..ClientConfig::default()
    };
    let client = FollowupClient::new(config, Token::parse("tok-threads").unwrap()).unwrap();
    let query = QueryForm {
        id_credor: "1".to_owned(),
        cpf_cnpj: "529.982.247-25".to_owned(),
        ..QueryForm::default()
    }
    .validate()
    .unwrap();
    let progress = FetchProgress::new();
    let worker = {
        let progress = Arc::clone(&progress);
        std::thread::spawn(move || {
            let result = client.fetch(&query, &progress);
            (result.map(|o| o.rows.len()), Instant::now())
        })
    };
    // Let the request go out (connected, sent, waiting); the listener never answers.
    let waiting_since = Instant::now();
    while progress.snapshot().attempt == 0 {
        assert!(waiting_since.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_millis(20));
    let cancelled_at = Instant::now();
    progress.cancel();
    let (result, returned_at) = worker.join().unwrap();
    assert_eq!(result.unwrap_err().kind(), ErrorKind::Cancelled);
    returned_at.duration_since(cancelled_at)
}

#[test]
fn fifty_cancelled_searches_leave_no_threads_behind() {
    // A listener that never accepts: connections complete in the kernel's queue, requests
    // are sent, and nothing ever answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!(
        "http://127.0.0.1:{}/api/v1Followup/",
        listener.local_addr().unwrap().port()
    );
    // One search first: what the client starts once per process (its network runtime, a
    // fixed number of threads) belongs to the baseline.
    let before_any_client = thread_count();
    search_and_cancel(&base_url);
    let baseline = thread_count();
    let descriptors_baseline = descriptor_count();
    assert!(
        baseline <= before_any_client + NET_THREADS,
        "the first search left {} threads behind, more than the network runtime's {NET_THREADS}",
        baseline - before_any_client
    );

    let mut latencies = Vec::new();
    for _ in 0..50 {
        latencies.push(search_and_cancel(&base_url));
    }
    let after_cancels = thread_count();
    let last_cancel = Instant::now();
    while (thread_count() > baseline || descriptor_count() > descriptors_baseline)
        && last_cancel.elapsed() < Duration::from_secs(2)
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let settled = thread_count();
    let descriptors = descriptor_count();
    let settled_after = last_cancel.elapsed();
    latencies.sort();
    eprintln!(
        "threads: {before_any_client} before any client, baseline {baseline}, right after \
         50 cancels {after_cancels}, {settled} after {settled_after:?}; cancel latency \
         median {:?}, max {:?}; descriptors: baseline {descriptors_baseline}, then {descriptors}",
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1]
    );
    assert!(
        settled <= baseline,
        "threads did not return to the baseline {baseline} within 2 s: {settled}"
    );
    assert!(
        descriptors <= descriptors_baseline,
        "sockets were left open: {descriptors} descriptors, baseline {descriptors_baseline}"
    );
    assert!(
        latencies[latencies.len() - 1] < Duration::from_millis(200),
        "a cancel took {:?}",
        latencies[latencies.len() - 1]
    );
    drop(listener);
}
