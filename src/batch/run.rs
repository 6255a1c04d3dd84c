//! Running one query per document on a few worker threads, with progress, cancel and a
//! failure list.
//!
//! [`BatchRun::start`] spawns the workers and returns a [`BatchHandle`] at once. Each worker
//! takes the next document from a shared queue and runs [`FollowupClient::fetch`] with its own
//! [`FetchProgress`] (the client retries 429, 5xx gateway errors and broken connections by
//! itself), so [`BatchHandle::cancel`] reaches every request in flight within milliseconds.
//! Rows wait in the handle until the caller takes them with [`BatchHandle::take_new_rows`]:
//! they are never held twice.
//!
//! An error that would hit every document the same way (token refused, wrong URL) stops the
//! whole batch at once and becomes its [`BatchStop`]. A 429 that outlasts the client's own
//! retries lowers the number of requests in flight, pauses every worker for the server's
//! `Retry-After` and puts the document back in the queue (twice at most).
//!
//! An unreachable server (connection refused, DNS, timeout, TLS) stops the batch too, once
//! [`UNREACHABLE_AFTER`] documents in a row failed that way with no answer from the server in
//! between ([`BatchStop::Unreachable`]). After the first such failure the next documents are
//! probed with one request each ([`FollowupClient::without_retries`]), half a second apart:
//! the client's per-document backoff would otherwise make a dead server cost minutes. A probe
//! that fails goes back to the queue once (it did not get its retries); the first answer from
//! the server ends the probing.

use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::api::{ApiError, ErrorKind, FetchProgress, Followup, FollowupClient, QueryFilters};
use crate::doc_id::CpfCnpj;
use crate::sync::lock;

/// Documents queried at once unless the caller says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The most documents queried at once (the vendor publishes no rate limit: be polite).
pub const MAX_CONCURRENCY: usize = 8;
/// How many times a document refused with 429 (after the client's retries) goes back to the
/// queue before it counts as a failure.
const RATE_LIMIT_REQUEUES: u32 = 2;
/// How often an idle worker looks at the queue and the cancel flag.
const IDLE_POLL: Duration = Duration::from_millis(20);
/// Documents in a row that fail without reaching the server (no answer in between) before
/// the batch stops with [`BatchStop::Unreachable`].
pub const UNREACHABLE_AFTER: usize = 5;
/// What the batch says when it stops because the server cannot be reached.
pub const UNREACHABLE_MESSAGE: &str = "Servidor inacessível: verifique a rede, a VPN ou o proxy.";
/// What a failure list says of a document the batch never queried because it stopped before
/// (a refused token, an unreachable server): the reason is said once, beside the list.
pub const NOT_RUN_MESSAGE: &str = "Não consultado: o lote foi interrompido antes.";
/// What a failure list says of a document the batch never queried because it was cancelled.
pub const NOT_RUN_CANCELLED_MESSAGE: &str = "Não consultado: o lote foi cancelado antes.";
/// The pause before the next request after a document failed without reaching the server:
/// a short outage gets a chance to end before the batch gives up.
const CONNECTION_PAUSE: Duration = Duration::from_millis(500);

/// Why a document of a failure list has no rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// Its query failed with an error of this kind, after the client's retries.
    Error(ErrorKind),
    /// The batch stopped (a cancel, a refused token, an unreachable server) before this
    /// document was queried, or while its request was in flight.
    NotQueried,
    /// An internal error (a bug) while querying it.
    Internal,
}

/// A line of a failure list: a document whose query failed after the client's retries, or
/// (in [`BatchSummary::failure_rows`]) one the batch never queried.
#[derive(Clone, Debug)]
pub struct BatchFailure {
    /// The document.
    pub doc: CpfCnpj,
    /// Why it has no rows.
    pub kind: FailureKind,
    /// What went wrong, in Portuguese (no token, no document in it).
    pub message: String,
    /// The technical detail, for a "Detalhes" expander or `--verbose` (may be empty).
    pub detail: String,
}

impl BatchFailure {
    fn from_error(doc: CpfCnpj, error: &ApiError) -> BatchFailure {
        BatchFailure {
            doc,
            kind: FailureKind::Error(error.kind()),
            message: error.to_string(),
            detail: error.technical_detail(),
        }
    }
}

/// Why a batch ended before every document was queried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchStop {
    /// [`BatchHandle::cancel`] was called.
    Cancelled,
    /// An error that every document would meet (token refused, wrong URL): reported once.
    Error {
        /// Its kind ([`ErrorKind::InvalidToken`] for a refused token).
        kind: ErrorKind,
        /// The message, in Portuguese.
        message: String,
        /// The technical detail.
        detail: String,
    },
    /// [`UNREACHABLE_AFTER`] documents in a row failed without reaching the server
    /// (connection refused, DNS, timeout, TLS); the others were not queried.
    Unreachable {
        /// The last connection error, in Portuguese, with its technical detail.
        detail: String,
    },
}

impl BatchStop {
    /// The message to show, in Portuguese.
    pub fn message(&self) -> String {
        match self {
            BatchStop::Cancelled => "Consulta em lote cancelada.".to_owned(),
            BatchStop::Error { message, .. } => {
                format!("Consulta em lote interrompida: {message}")
            }
            BatchStop::Unreachable { .. } => format!(
                "{UNREACHABLE_MESSAGE} O lote parou depois de {UNREACHABLE_AFTER} documentos seguidos sem conexão."
            ),
        }
    }

    /// The technical detail, for a "Detalhes" expander or `--verbose` (empty for a cancel).
    pub fn detail(&self) -> &str {
        match self {
            BatchStop::Cancelled => "",
            BatchStop::Error { detail, .. } | BatchStop::Unreachable { detail } => detail,
        }
    }
}

/// Errors that are not about one document: after one of them, the others would fail alike.
fn stops_the_batch(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::InvalidToken | ErrorKind::NotFound | ErrorKind::Redirect | ErrorKind::Config
    )
}

/// Errors where the request never reached the server (or the server never answered): a
/// refused connection, DNS, a timeout, TLS, a dropped connection.
fn is_connection_failure(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Tls
    )
}

/// A batch's progress at one moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchProgress {
    /// Documents in the batch.
    pub total: usize,
    /// Documents finished, successfully or not.
    pub done: usize,
    /// Documents that failed (in the failure list).
    pub failed: usize,
    /// Rows received so far (before de-duplication).
    pub rows: u64,
    /// Requests in flight now.
    pub in_flight: usize,
    /// Requests allowed at once now (lowered after a 429).
    pub concurrency: usize,
    /// Time since the start (until the end, once finished).
    pub elapsed: Duration,
    /// A guess of the time left, from the pace so far; `None` before the first document.
    pub remaining: Option<Duration>,
    /// Whether every worker has ended.
    pub finished: bool,
}

impl BatchProgress {
    /// Finished documents as a fraction of the total, for a progress bar.
    pub fn fraction(&self) -> f32 {
        if self.total == 0 {
            1.0
        } else {
            self.done as f32 / self.total as f32
        }
    }

    /// `312 de 2.000 documentos · 45.123 follow-ups · 3 falhas`.
    pub fn label(&self) -> String {
        use crate::fmt::thousands;
        let mut text = format!(
            "{} de {} documentos · {} follow-ups",
            thousands(self.done as u64),
            thousands(self.total as u64),
            thousands(self.rows)
        );
        if self.failed > 0 {
            text.push_str(" · ");
            text.push_str(&crate::fmt::count_br(self.failed, "falha", "falhas"));
        }
        text
    }

    /// `decorrido 1 min 05 s · faltam cerca de 40 s`.
    pub fn time_label(&self) -> String {
        use crate::fmt::duration_br;
        let mut text = format!("decorrido {}", duration_br(self.elapsed));
        if let Some(remaining) = self.remaining.filter(|_| !self.finished) {
            text.push_str(&format!(" · faltam cerca de {}", duration_br(remaining)));
        }
        text
    }
}

/// What a batch did, once finished (or so far, while running).
#[derive(Clone, Debug)]
pub struct BatchSummary {
    /// Documents in the batch.
    pub total: usize,
    /// Documents queried successfully (an empty history counts).
    pub succeeded: usize,
    /// Rows received (before de-duplication).
    pub rows: u64,
    /// Documents that failed, in the order they failed.
    pub failures: Vec<BatchFailure>,
    /// Documents not queried (or whose query was interrupted) because the batch stopped.
    pub not_run: Vec<CpfCnpj>,
    /// Why the batch stopped early, if it did.
    pub stop: Option<BatchStop>,
    /// Wall time.
    pub elapsed: Duration,
}

impl BatchSummary {
    /// The documents to send again for "Tentar novamente as falhas".
    pub fn failed_documents(&self) -> Vec<CpfCnpj> {
        self.failures.iter().map(|f| f.doc.clone()).collect()
    }

    /// The failed documents and those never queried: what a new batch needs to complete
    /// this one.
    pub fn unfinished_documents(&self) -> Vec<CpfCnpj> {
        let mut docs = self.failed_documents();
        docs.extend(self.not_run.iter().cloned());
        docs
    }

    /// Whether every document was queried successfully.
    pub fn all_succeeded(&self) -> bool {
        self.succeeded == self.total
    }

    /// What the failure list says of each document in [`Self::not_run`]: that the batch was
    /// cancelled, or that it was interrupted (the reason, [`Self::stop`], is said once
    /// beside the list, not on every line).
    pub fn not_run_message(&self) -> &'static str {
        match self.stop {
            Some(BatchStop::Cancelled) => NOT_RUN_CANCELLED_MESSAGE,
            _ => NOT_RUN_MESSAGE,
        }
    }

    /// The failure list, as the window shows and exports it and the command line prints and
    /// writes it: the failures in the order they happened, then the documents never queried
    /// ([`FailureKind::NotQueried`], with [`Self::not_run_message`]).
    pub fn failure_rows(&self) -> Vec<BatchFailure> {
        let not_run = self.not_run.iter().map(|doc| BatchFailure {
            doc: doc.clone(),
            kind: FailureKind::NotQueried,
            message: self.not_run_message().to_owned(),
            detail: String::new(),
        });
        self.failures.iter().cloned().chain(not_run).collect()
    }

    /// The outcome of this batch and of `retry`, the batch that ran its failed and unqueried
    /// documents ([`Self::unfinished_documents`]), as one: the whole list's total and time,
    /// the successes of both, and what is left unfinished after the retry (its failures,
    /// unqueried documents and stop).
    pub fn merge_retry(self, retry: BatchSummary) -> BatchSummary {
        BatchSummary {
            total: self.total,
            succeeded: (self.succeeded + retry.succeeded).min(self.total),
            rows: self.rows + retry.rows,
            failures: retry.failures,
            not_run: retry.not_run,
            stop: retry.stop,
            elapsed: self.elapsed + retry.elapsed,
        }
    }
}

/// Starts batches. See the module documentation.
#[derive(Debug)]
pub struct BatchRun;

type Notify = Arc<dyn Fn() + Send + Sync>;

impl BatchRun {
    /// Queries every document of `docs` with `filters`, `concurrency` at a time (clamped to
    /// 1–[`MAX_CONCURRENCY`]), on background threads. Returns at once.
    pub fn start(
        client: Arc<FollowupClient>,
        filters: QueryFilters,
        docs: Vec<CpfCnpj>,
        concurrency: usize,
    ) -> BatchHandle {
        Self::start_inner(client, filters, docs, concurrency, None)
    }

    /// Like [`Self::start`], calling `notify` from a worker after each document and when the
    /// batch ends (a window passes `ctx.request_repaint()`).
    pub fn start_with_notify(
        client: Arc<FollowupClient>,
        filters: QueryFilters,
        docs: Vec<CpfCnpj>,
        concurrency: usize,
        notify: impl Fn() + Send + Sync + 'static,
    ) -> BatchHandle {
        Self::start_inner(client, filters, docs, concurrency, Some(Arc::new(notify)))
    }

    fn start_inner(
        client: Arc<FollowupClient>,
        filters: QueryFilters,
        docs: Vec<CpfCnpj>,
        concurrency: usize,
        notify: Option<Notify>,
    ) -> BatchHandle {
        let concurrency = concurrency.clamp(1, MAX_CONCURRENCY);
        let total = docs.len();
        let shared = Arc::new(Shared {
            client,
            filters,
            total,
            started: Instant::now(),
            cancelled: AtomicBool::new(false),
            limit: AtomicUsize::new(concurrency),
            done: AtomicUsize::new(0),
            succeeded: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            rows: AtomicU64::new(0),
            running: AtomicUsize::new(0),
            new_rows: Mutex::new(Vec::new()),
            probe_client: OnceLock::new(),
            state: Mutex::new(State {
                queue: docs
                    .into_iter()
                    .map(|doc| Job {
                        doc,
                        rate_limited: 0,
                        probe_failed: false,
                    })
                    .collect(),
                ..State::default()
            }),
            notify,
        });
        let mut threads = Vec::new();
        for worker in 0..concurrency.min(total.max(1)) {
            shared.running.fetch_add(1, Ordering::SeqCst);
            let worker_shared = Arc::clone(&shared);
            let spawned = std::thread::Builder::new()
                .name(format!("followups-batch-{worker}"))
                .spawn(move || worker_loop(&worker_shared, worker));
            match spawned {
                Ok(handle) => threads.push(handle),
                Err(_) => {
                    shared.running.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
        if threads.is_empty() {
            // Not even one thread: the batch ends at once, every document unqueried.
            shared.stop_with(BatchStop::Error {
                kind: ErrorKind::Config,
                message: "não foi possível iniciar as consultas (falta de recursos do sistema)."
                    .to_owned(),
                detail: "std::thread::spawn failed".to_owned(),
            });
            shared.lock_state().finished_at = Some(Instant::now());
        }
        BatchHandle { shared, threads }
    }
}

/// A running (or finished) batch. Dropping it cancels what is still running.
pub struct BatchHandle {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for BatchHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchHandle")
            .field("progress", &self.progress())
            .finish_non_exhaustive()
    }
}

impl BatchHandle {
    /// The progress now. Cheap: call it every frame.
    pub fn progress(&self) -> BatchProgress {
        let shared = &self.shared;
        let done = shared.done.load(Ordering::SeqCst);
        let (elapsed, in_flight) = {
            let state = shared.lock_state();
            (
                state
                    .finished_at
                    .map_or_else(|| shared.started.elapsed(), |end| end - shared.started),
                state.in_flight.len(),
            )
        };
        let remaining = (done > 0).then(|| {
            let left = shared.total.saturating_sub(done) as u32;
            elapsed / done as u32 * left
        });
        BatchProgress {
            total: shared.total,
            done,
            failed: shared.failed.load(Ordering::SeqCst),
            rows: shared.rows.load(Ordering::SeqCst),
            in_flight,
            concurrency: shared.limit.load(Ordering::SeqCst),
            elapsed,
            remaining,
            finished: self.is_finished(),
        }
    }

    /// Rows that arrived since the last call, in arrival order. The handle keeps no copy:
    /// append them to the result set (which drops repeated `id_followup`s).
    pub fn take_new_rows(&self) -> Vec<Followup> {
        std::mem::take(&mut *lock(&self.shared.new_rows))
    }

    /// Stops the batch: no new request starts and those in flight end within milliseconds.
    /// Rows that arrived stay available through [`Self::take_new_rows`].
    pub fn cancel(&self) {
        if !self.is_finished() {
            self.shared.stop_with(BatchStop::Cancelled);
        }
    }

    /// Whether every worker has ended (the summary is then final).
    pub fn is_finished(&self) -> bool {
        self.shared.running.load(Ordering::SeqCst) == 0
    }

    /// The failures so far.
    pub fn failures(&self) -> Vec<BatchFailure> {
        self.shared.lock_state().failures.clone()
    }

    /// Why the batch stopped early, once it did.
    pub fn stop_reason(&self) -> Option<BatchStop> {
        self.shared.lock_state().stop.clone()
    }

    /// What the batch did so far; final once [`Self::is_finished`].
    pub fn summary(&self) -> BatchSummary {
        let progress = self.progress();
        let state = self.shared.lock_state();
        BatchSummary {
            total: self.shared.total,
            succeeded: self.shared.succeeded.load(Ordering::SeqCst),
            rows: progress.rows,
            failures: state.failures.clone(),
            not_run: state.not_run.clone(),
            stop: state.stop.clone(),
            elapsed: progress.elapsed,
        }
    }

    /// Blocks until the batch ends and returns its summary (rows not taken yet stay available
    /// through [`Self::take_new_rows`] before this call only: take them first, or use
    /// [`Self::is_finished`] and [`Self::summary`]).
    pub fn wait(mut self) -> BatchSummary {
        for thread in std::mem::take(&mut self.threads) {
            // Workers catch panics around each request; a join error is not expected.
            let _ = thread.join();
        }
        self.summary()
    }
}

impl Drop for BatchHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

struct Job {
    doc: CpfCnpj,
    rate_limited: u32,
    /// Whether a single-request probe of this document already failed (it then went back to
    /// the queue once).
    probe_failed: bool,
}

#[derive(Default)]
struct State {
    queue: VecDeque<Job>,
    failures: Vec<BatchFailure>,
    not_run: Vec<CpfCnpj>,
    stop: Option<BatchStop>,
    /// No request starts before this instant (after a 429).
    pause_until: Option<Instant>,
    /// The progress of each worker's request in flight.
    in_flight: HashMap<usize, Arc<FetchProgress>>,
    finished_at: Option<Instant>,
    /// Documents that failed without reaching the server since the last answer from it.
    connection_failures: usize,
}

struct Shared {
    client: Arc<FollowupClient>,
    filters: QueryFilters,
    total: usize,
    started: Instant,
    cancelled: AtomicBool,
    /// Requests allowed at once.
    limit: AtomicUsize,
    done: AtomicUsize,
    succeeded: AtomicUsize,
    failed: AtomicUsize,
    rows: AtomicU64,
    /// Workers still running.
    running: AtomicUsize,
    new_rows: Mutex<Vec<Followup>>,
    /// `client` without retries, built on the first connection failure (`None` if that
    /// failed: the batch then probes with `client`).
    probe_client: OnceLock<Option<Arc<FollowupClient>>>,
    state: Mutex<State>,
    notify: Option<Notify>,
}

enum Next {
    /// A document to query; `probe` when it gets one request only (the server seemed
    /// unreachable when it started).
    Job {
        job: Job,
        progress: Arc<FetchProgress>,
        probe: bool,
    },
    Wait,
    Done,
}

impl Shared {
    fn lock_state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn notify(&self) {
        if let Some(notify) = &self.notify {
            notify();
        }
    }

    /// Records why the batch stops (the first reason wins), cancels the requests in flight
    /// and moves the queue to `not_run`.
    fn stop_with(&self, reason: BatchStop) {
        self.cancelled.store(true, Ordering::SeqCst);
        let mut state = self.lock_state();
        if state.stop.is_none() {
            state.stop = Some(reason);
        }
        for progress in state.in_flight.values() {
            progress.cancel();
        }
        let queued: Vec<CpfCnpj> = state.queue.drain(..).map(|job| job.doc).collect();
        state.not_run.extend(queued);
    }

    fn next_job(&self, worker: usize) -> Next {
        let mut state = self.lock_state();
        // Checked under the lock: a cancel either sees this request registered, or this
        // worker sees the flag.
        if self.cancelled.load(Ordering::SeqCst) || state.queue.is_empty() {
            return Next::Done;
        }
        if state.in_flight.len() >= self.limit.load(Ordering::SeqCst)
            || state
                .pause_until
                .is_some_and(|until| Instant::now() < until)
        {
            return Next::Wait;
        }
        let Some(job) = state.queue.pop_front() else {
            return Next::Done;
        };
        let progress = FetchProgress::new();
        state.in_flight.insert(worker, Arc::clone(&progress));
        Next::Job {
            job,
            progress,
            probe: state.connection_failures > 0,
        }
    }

    /// The client for a document: the batch's own, or the one without retries for a probe.
    fn client_for(&self, probe: bool) -> &FollowupClient {
        if probe {
            let probe_client = self
                .probe_client
                .get_or_init(|| self.client.without_retries().ok().map(Arc::new));
            if let Some(client) = probe_client {
                return client;
            }
        }
        &self.client
    }

    fn finish_worker(&self) {
        // Under the lock, so that the last worker out is the one that sets the end time.
        let mut state = self.lock_state();
        if self.running.fetch_sub(1, Ordering::SeqCst) == 1 {
            state.finished_at = Some(Instant::now());
        }
        drop(state);
        self.notify();
    }

    /// Handles the end of one document's request (`probe`: it was sent once, without retries).
    fn record(
        &self,
        worker: usize,
        job: Job,
        probe: bool,
        result: Result<Vec<Followup>, ApiError>,
    ) {
        let mut state = self.lock_state();
        state.in_flight.remove(&worker);
        match &result {
            // The server answered (or nothing was learnt): the streak of connection failures
            // ends, or stays as it was.
            Err(ApiError::Cancelled) => {}
            Err(error) if is_connection_failure(error.kind()) => {}
            _ => state.connection_failures = 0,
        }
        match result {
            Ok(rows) => {
                drop(state);
                self.rows.fetch_add(rows.len() as u64, Ordering::SeqCst);
                lock(&self.new_rows).extend(rows);
                self.succeeded.fetch_add(1, Ordering::SeqCst);
                self.done.fetch_add(1, Ordering::SeqCst);
            }
            Err(ApiError::Cancelled) => state.not_run.push(job.doc),
            Err(error) if stops_the_batch(error.kind()) => {
                state.not_run.push(job.doc);
                drop(state);
                self.stop_with(BatchStop::Error {
                    kind: error.kind(),
                    message: error.to_string(),
                    detail: error.technical_detail(),
                });
            }
            Err(ApiError::RateLimited { retry_after })
                if job.rate_limited < RATE_LIMIT_REQUEUES
                    && !self.cancelled.load(Ordering::SeqCst) =>
            {
                // Be polite: one request less at a time, a pause for everyone, and the
                // document goes back to the end of the queue.
                let limit = self.limit.load(Ordering::SeqCst);
                self.limit
                    .store(limit.saturating_sub(1).max(1), Ordering::SeqCst);
                let pause = retry_after
                    .unwrap_or(Duration::from_secs(2))
                    .clamp(Duration::from_secs(1), Duration::from_secs(30));
                state.pause_until = Some(Instant::now() + pause);
                state.queue.push_back(Job {
                    rate_limited: job.rate_limited + 1,
                    ..job
                });
            }
            Err(error) if is_connection_failure(error.kind()) => {
                state.connection_failures += 1;
                if state.connection_failures >= UNREACHABLE_AFTER {
                    // A probe did not get the client's retries: not queried, like the rest.
                    if probe {
                        state.not_run.push(job.doc);
                    } else {
                        self.record_failure(&mut state, BatchFailure::from_error(job.doc, &error));
                    }
                    drop(state);
                    self.stop_with(BatchStop::Unreachable {
                        detail: format!("{error} ({})", error.technical_detail()),
                    });
                    return;
                }
                let resume = Instant::now() + CONNECTION_PAUSE;
                state.pause_until = Some(state.pause_until.map_or(resume, |p| p.max(resume)));
                if probe && !job.probe_failed && !self.cancelled.load(Ordering::SeqCst) {
                    state.queue.push_back(Job {
                        probe_failed: true,
                        ..job
                    });
                } else {
                    self.record_failure(&mut state, BatchFailure::from_error(job.doc, &error));
                }
            }
            // A probe that met an error the client would have retried (a 502-504 while the
            // server comes back) gets its retries later.
            Err(error)
                if probe
                    && !job.probe_failed
                    && error.is_retryable()
                    && !self.cancelled.load(Ordering::SeqCst) =>
            {
                state.queue.push_back(Job {
                    probe_failed: true,
                    ..job
                });
            }
            Err(error) => {
                self.record_failure(&mut state, BatchFailure::from_error(job.doc, &error));
            }
        }
    }

    /// Adds `failure` to the failure list (`state` is the locked state) and counts its
    /// document as done.
    fn record_failure(&self, state: &mut State, failure: BatchFailure) {
        state.failures.push(failure);
        self.failed.fetch_add(1, Ordering::SeqCst);
        self.done.fetch_add(1, Ordering::SeqCst);
    }

    fn record_panic(&self, worker: usize, job: Job) {
        let mut state = self.lock_state();
        state.in_flight.remove(&worker);
        let failure = BatchFailure {
            doc: job.doc,
            kind: FailureKind::Internal,
            message: "Erro interno ao consultar este documento; tente novamente.".to_owned(),
            detail: "panic in the request".to_owned(),
        };
        self.record_failure(&mut state, failure);
    }
}

fn worker_loop(shared: &Shared, worker: usize) {
    loop {
        match shared.next_job(worker) {
            Next::Done => break,
            Next::Wait => std::thread::sleep(IDLE_POLL),
            Next::Job {
                job,
                progress,
                probe,
            } => {
                let query = shared.filters.query_for(job.doc.clone());
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    shared.client_for(probe).fetch(&query, &progress)
                }));
                match result {
                    Ok(result) => {
                        shared.record(worker, job, probe, result.map(|outcome| outcome.rows));
                    }
                    Err(_) => shared.record_panic(worker, job),
                }
                shared.notify();
            }
        }
    }
    shared.finish_worker();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> CpfCnpj {
        CpfCnpj::parse(text).unwrap()
    }

    fn failure(text: &str, kind: ErrorKind) -> BatchFailure {
        BatchFailure {
            doc: doc(text),
            kind: FailureKind::Error(kind),
            message: format!("falhou: {kind:?}"),
            detail: "detalhe".to_owned(),
        }
    }

    /// A batch of 10 documents: 6 answered, 2 failed, 2 not queried because of `stop`.
    fn stopped_batch(stop: Option<BatchStop>) -> BatchSummary {
        BatchSummary {
            total: 10,
            succeeded: 6,
            rows: 120,
            failures: vec![
                failure("52998224725", ErrorKind::Server),
                failure("11222333000181", ErrorKind::Timeout),
            ],
            not_run: vec![doc("12ABC34501DE35"), doc("39053344705")],
            stop,
            elapsed: Duration::from_secs(30),
        }
    }

    #[test]
    fn the_failure_list_is_the_failures_then_the_documents_never_queried() {
        let unreachable = BatchStop::Unreachable {
            detail: "conexão recusada".to_owned(),
        };
        let summary = stopped_batch(Some(unreachable));
        let rows = summary.failure_rows();
        let docs: Vec<&str> = rows.iter().map(|row| row.doc.normalized()).collect();
        assert_eq!(
            docs,
            [
                "52998224725",
                "11222333000181",
                "12ABC34501DE35",
                "39053344705"
            ]
        );
        assert_eq!(rows[0].kind, FailureKind::Error(ErrorKind::Server));
        assert_eq!(
            (rows[0].message.as_str(), rows[0].detail.as_str()),
            ("falhou: Server", "detalhe")
        );
        for row in &rows[2..] {
            assert_eq!(row.kind, FailureKind::NotQueried);
            assert_eq!(
                row.message,
                "Não consultado: o lote foi interrompido antes."
            );
            assert_eq!(row.detail, "");
        }
        // The same documents "Tentar novamente" and `--cpf-cnpj-file <falhas>` run again.
        let rows_docs: Vec<CpfCnpj> = rows.into_iter().map(|row| row.doc).collect();
        assert_eq!(rows_docs, summary.unfinished_documents());
    }

    #[test]
    fn documents_never_queried_say_why_the_batch_stopped_in_one_word() {
        let refused = BatchStop::Error {
            kind: ErrorKind::InvalidToken,
            message: "O servidor recusou o token da API (HTTP 401).".to_owned(),
            detail: String::new(),
        };
        let cases = [
            (
                Some(BatchStop::Cancelled),
                "Não consultado: o lote foi cancelado antes.",
            ),
            (
                Some(refused),
                "Não consultado: o lote foi interrompido antes.",
            ),
            (None, "Não consultado: o lote foi interrompido antes."),
        ];
        for (stop, expected) in cases {
            let summary = stopped_batch(stop);
            assert_eq!(summary.not_run_message(), expected);
            let rows = summary.failure_rows();
            assert_eq!(rows.len(), 4);
            assert!(rows[2..].iter().all(|row| row.message == expected));
        }
        let done = BatchSummary {
            not_run: Vec::new(),
            failures: Vec::new(),
            ..stopped_batch(None)
        };
        assert!(done.failure_rows().is_empty());
    }

    #[test]
    fn a_retry_completes_the_batch_it_retries() {
        let first = stopped_batch(Some(BatchStop::Cancelled));
        let retry = BatchSummary {
            total: 4,
            succeeded: 3,
            rows: 7,
            failures: vec![failure("11222333000181", ErrorKind::Timeout)],
            not_run: Vec::new(),
            stop: None,
            elapsed: Duration::from_secs(5),
        };
        let merged = first.merge_retry(retry);
        assert_eq!(merged.total, 10);
        assert_eq!(merged.succeeded, 9);
        assert_eq!(merged.rows, 127);
        assert_eq!(merged.elapsed, Duration::from_secs(35));
        assert_eq!(merged.stop, None);
        assert!(merged.not_run.is_empty());
        let rows = merged.failure_rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].doc.normalized(), "11222333000181");
        assert!(!merged.all_succeeded());

        // Successes never count past the list (a document that succeeded twice).
        let again = BatchSummary {
            succeeded: 4,
            failures: Vec::new(),
            ..stopped_batch(None)
        };
        assert_eq!(stopped_batch(None).merge_retry(again).succeeded, 10);
    }

    #[test]
    fn progress_labels_in_portuguese() {
        let progress = BatchProgress {
            total: 2000,
            done: 312,
            failed: 3,
            rows: 45_123,
            in_flight: 4,
            concurrency: 4,
            elapsed: Duration::from_secs(65),
            remaining: Some(Duration::from_secs(40)),
            finished: false,
        };
        assert_eq!(
            progress.label(),
            "312 de 2.000 documentos · 45.123 follow-ups · 3 falhas"
        );
        assert_eq!(
            progress.time_label(),
            "decorrido 1 min 05 s · faltam cerca de 40 s"
        );
        assert!((progress.fraction() - 0.156).abs() < 1e-6);
    }
}
