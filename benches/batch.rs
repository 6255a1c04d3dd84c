//! Batch throughput: 2,000 documents against the simulator at 50 ms per request and
//! concurrency 4, against the latency bound (2,000 × 50 ms / 4 = 25 s; target ≤ 1.2×).
//!
//! Rows are merged into a `ResultSet` every 16 ms while they stream in, as the window does;
//! the longest merge is reported. Then the same batch runs in the whole window (headless egui,
//! sorted by date so that the view is recomputed while rows arrive), a frame every 16 ms, and
//! the frame times are reported (target: every frame under 16 ms). `BATCH_DOCS`,
//! `BATCH_CONCURRENCY` and `BATCH_LATENCY_MS` change the sizes; `BATCH_WINDOW=0` skips the
//! window run.
//!
//! `cargo bench --bench batch`

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use recuperador_followups::api::{ClientConfig, FollowupClient, Token};
use recuperador_followups::batch::BatchRun;
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
    let id_credor = sim.dataset().busiest_creditor().expect("debtors");
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
    let filters = recuperador_followups::api::QueryForm {
        id_credor: id_credor.to_string(),
        ..Default::default()
    }
    .validate_filters()
    .expect("filters");

    let bound = latency * documents as u32 / concurrency as u32;
    println!(
        "batch: {documents} documents, latency {latency:?}, concurrency {concurrency}; bound {bound:?}"
    );
    let started = Instant::now();
    let handle = BatchRun::start(Arc::new(client), filters, docs.clone(), concurrency);
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

    if env_or("BATCH_WINDOW", 1) != 0 {
        window_run(&sim, id_credor, &docs, concurrency, bound);
    }
}

/// The same batch started from the window's "Vários documentos" mode, one frame every 16 ms
/// (poll the tasks, merge the rows, draw everything), timing each frame.
fn window_run(
    sim: &Simulator,
    id_credor: i64,
    docs: &[CpfCnpj],
    concurrency: usize,
    bound: Duration,
) {
    use recuperador_followups::api::Column;
    use recuperador_followups::secrets::{MemoryStore, TokenStore as _};
    use recuperador_followups::ui::app::PersistedSort;
    use recuperador_followups::ui::{Command, FollowupsApp, LaunchOptions, Persisted, draw};

    let input = || egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1400.0, 900.0),
        )),
        ..egui::RawInput::default()
    };
    let store = Arc::new(MemoryStore::default());
    store
        .save(&Token::parse(sim.token()).expect("token"))
        .expect("memory store");
    let persisted = Persisted {
        base_url: sim.url().to_string(),
        id_credor: id_credor.to_string(),
        batch_mode: true,
        batch_concurrency: concurrency,
        sort: Some(PersistedSort {
            column: Column::Data,
            descending: false,
        }),
        ..Persisted::default()
    };
    let ctx = egui::Context::default();
    let mut app = FollowupsApp::new(
        &ctx,
        Some(persisted),
        LaunchOptions {
            demo: false,
            today: chrono::NaiveDate::from_ymd_opt(2026, 11, 29),
            token_store: Some(store),
            started_at: None,
        },
    );
    app.batch.text = docs
        .iter()
        .map(CpfCnpj::formatted)
        .collect::<Vec<_>>()
        .join("\n");
    // Settle: token loaded, the list parsed, layout known.
    let frame = |app: &mut FollowupsApp| {
        app.poll_tasks(&ctx);
        let _ = ctx.run_ui(input(), |ui| draw(app, ui, None));
    };
    while app.active_token().is_none() {
        frame(&mut app);
        std::thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..5 {
        frame(&mut app);
    }
    app.queue(Command::Search);
    let started = Instant::now();
    frame(&mut app);
    let mut times = Vec::new();
    while app.searching() || app.view_pending() {
        std::thread::sleep(Duration::from_millis(16));
        let t = Instant::now();
        frame(&mut app);
        times.push(t.elapsed());
    }
    let wall = started.elapsed();
    times.sort();
    let n = times.len().max(1);
    let mean = times.iter().sum::<Duration>() / n as u32;
    let pct =
        |p: f64| times[((times.len() as f64 * p) as usize).min(times.len().saturating_sub(1))];
    let over = times
        .iter()
        .filter(|t| **t > Duration::from_millis(16))
        .count();
    println!(
        "window: {} rows on screen (view sorted by date: {}), wall {:.2} s = {:.3} × bound",
        app.results.total_count(),
        app.results.view_count(),
        wall.as_secs_f64(),
        wall.as_secs_f64() / bound.as_secs_f64()
    );
    println!(
        "window frames while rows stream: {} frames, mean {mean:?}, p50 {:?}, p99 {:?}, longest {:?}; {over} over 16 ms",
        times.len(),
        pct(0.5),
        pct(0.99),
        times.last().copied().unwrap_or_default()
    );
}
