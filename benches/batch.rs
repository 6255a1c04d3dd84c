//! Batch throughput: 2,000 documents against the simulator at 50 ms per request and
//! concurrency 4, against the latency bound (2,000 × 50 ms / 4 = 25 s; target ≤ 1.2×).
//!
//! Rows are merged into a `ResultSet` every 16 ms while they stream in, as the window does;
//! the longest merge is reported. `BATCH_DOCS`, `BATCH_CONCURRENCY` and `BATCH_LATENCY_MS`
//! change the sizes.
//!
//! `cargo bench --bench batch`

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use recuperador_followups::api::{ClientConfig, FollowupClient, Token};
use recuperador_followups::batch::{BatchFilters, BatchRun};
use recuperador_followups::doc_id::CpfCnpj;
use recuperador_followups::results::ResultSet;
use recuperador_followups::sim::{DatasetConfig, SimConfig, Simulator};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let documents = env_or("BATCH_DOCS", 2000) as usize;
    let concurrency = env_or("BATCH_CONCURRENCY", 4) as usize;
    let latency = Duration::from_millis(env_or("BATCH_LATENCY_MS", 50));
    let sim = Simulator::start(SimConfig {
        dataset: DatasetConfig {
            debtors: documents,
            ..DatasetConfig::default()
        },
        latency,
        ..SimConfig::default()
    })
    .expect("simulator starts");
    let debtors = sim.dataset().debtors();
    // The creditor with the most debtors; documents of other creditors answer `[]` after the
    // same latency, which is what a real list of mixed debtors does too.
    let id_credor = debtors
        .iter()
        .map(|d| d.id_credor)
        .max_by_key(|&id| debtors.iter().filter(|d| d.id_credor == id).count())
        .expect("debtors");
    let mut seen = HashSet::new();
    let mut docs: Vec<CpfCnpj> = debtors
        .iter()
        .filter(|d| seen.insert(d.cpf_cnpj.clone()))
        .filter_map(|d| CpfCnpj::parse(&d.cpf_cnpj).ok())
        .take(documents)
        .collect();
    // Twins share a document: top the list up with valid documents nobody owes.
    let mut filler = 0u64;
    while docs.len() < documents {
        filler += 1;
        let base = format!("{:09}", 900_000_000 + filler);
        if let Some(doc) = recuperador_followups::doc_id::with_check_digits(&base)
            .and_then(|d| CpfCnpj::parse(&d).ok())
            && seen.insert(doc.normalized().to_owned())
        {
            docs.push(doc);
        }
    }
    let client = FollowupClient::new(
        ClientConfig {
            base_url: sim.url().to_string(),
            ..ClientConfig::default()
        },
        Token::parse(sim.token()).expect("token"),
    )
    .expect("client");
    let filters = BatchFilters::from_form(&recuperador_followups::api::QueryForm {
        id_credor: id_credor.to_string(),
        ..Default::default()
    })
    .expect("filters");

    let bound = latency * documents as u32 / concurrency as u32;
    println!(
        "batch: {documents} documents, latency {latency:?}, concurrency {concurrency}; bound {bound:?}"
    );
    let started = Instant::now();
    let handle = BatchRun::start(Arc::new(client), filters, docs, concurrency);
    let mut results = ResultSet::new();
    let mut merges = 0u32;
    let mut longest_merge = Duration::ZERO;
    let mut total_merge = Duration::ZERO;
    while !handle.is_finished() {
        std::thread::sleep(Duration::from_millis(16));
        let merge_started = Instant::now();
        results.append(handle.take_new_rows());
        let merge = merge_started.elapsed();
        merges += 1;
        total_merge += merge;
        longest_merge = longest_merge.max(merge);
    }
    results.append(handle.take_new_rows());
    let wall = started.elapsed();
    let summary = handle.summary();
    println!(
        "wall {:.2} s = {:.3} × bound ({} ok, {} failed, {} rows received, {} kept, {} requests)",
        wall.as_secs_f64(),
        wall.as_secs_f64() / bound.as_secs_f64(),
        summary.succeeded,
        summary.failures.len(),
        summary.rows,
        results.total_count(),
        sim.request_count()
    );
    println!(
        "merges into the result set every 16 ms: {merges}, mean {:?}, longest {longest_merge:?}",
        total_merge / merges.max(1)
    );
    let within = wall.as_secs_f64() <= bound.as_secs_f64() * 1.2;
    println!("within 1.2 × bound: {}", if within { "yes" } else { "NO" });
}
