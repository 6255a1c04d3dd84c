//! The HTTP client for the follow-up endpoint. Its API is blocking: run it off the UI thread.
//!
//! Under the blocking API sits reqwest's asynchronous client on one small tokio runtime shared
//! by the whole process ([`NET_THREADS`] threads, created at the first client). The runtime
//! owns the connections; the thread that calls [`FollowupClient::fetch`] polls the request and
//! pulls the body chunk by chunk itself, straight into the streaming parser. No thread is
//! started per request, and a cancel or a timeout drops the request where it stands, which
//! closes its connection at once: nothing lingers after a search is abandoned.
//!
//! Three limits apply ([`ClientConfig`]): establishing the connection (`connect_timeout`),
//! silence while waiting for the head or for the next bytes of the body (`idle_timeout`), and
//! the whole fetch (`total_timeout`), which is the only bound on a download that keeps moving.
//! Idempotent GETs are retried on connection errors, 429, 502, 503 and 504, with exponential
//! backoff, jitter and `Retry-After` (capped). Redirects to another host or to `http` are not
//! followed. The token goes only into the Basic-auth header. Loopback hosts never go through a
//! proxy; otherwise a manual proxy, or the environment's and the system's, is used, with
//! `NO_PROXY` honoured. A body whose `Content-Type` declares another charset than UTF-8 is
//! decoded as it streams.

use std::cell::Cell;
use std::io::{self, BufReader, Read};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use hyper::body::Bytes;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use url::Url;

use super::error::ApiError;
use super::model::{Followup, SharedStr};
use super::parse::{Interner, ParseError, ParseReport, Parsed, parse_followups};
use super::query::FollowupQuery;
use super::token::Token;
use crate::sync::lock;

/// The vendor's documented endpoint.
pub const DEFAULT_BASE_URL: &str = "https://app.recuperador.com.br/api/v1Followup/";

/// Threads of the process-wide network runtime (they only move bytes and TLS records; parsing
/// and decompression run on the threads that call [`FollowupClient::fetch`]).
pub const NET_THREADS: usize = 2;
/// Threads the runtime may start for blocking work (name resolution), and how long an idle
/// one stays.
const MAX_BLOCKING_THREADS: usize = 8;
const BLOCKING_KEEP_ALIVE: Duration = Duration::from_secs(1);
/// Longest a waiting fetch sleeps before looking at its cancel flag again (a cancel normally
/// wakes it at once; this is the safety net).
const MAX_PARK: Duration = Duration::from_millis(50);
/// Buffer between the body and the parser.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// How the client connects. `Default` gives the documented URL and sensible limits; every
/// value is brought within bounds by [`ClientConfig::normalized`] when a client is built.
#[derive(Clone, PartialEq)]
pub struct ClientConfig {
    /// The endpoint; `http://` only for loopback hosts.
    pub base_url: String,
    /// Limit to establish a connection (name resolution, TCP and TLS).
    pub connect_timeout: Duration,
    /// Limit for a whole fetch, retries included: the only bound on a download that keeps
    /// moving (a large history takes minutes).
    pub total_timeout: Duration,
    /// Longest silence while waiting for the answer's head or for the next bytes of its body.
    pub idle_timeout: Duration,
    /// A manual proxy URL (`http://proxy:3128`, `http://user:password@proxy:3128`); `None` uses
    /// the environment and the OS. Never used for loopback hosts.
    pub proxy: Option<String>,
    /// Retries after the first attempt, for retryable failures.
    pub max_retries: u32,
    /// Base of the exponential backoff between retries.
    pub retry_base_delay: Duration,
    /// Longest wait between retries, `Retry-After` included.
    pub retry_max_delay: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(15 * 60),
            idle_timeout: Duration::from_secs(120),
            proxy: None,
            max_retries: 3,
            retry_base_delay: Duration::from_millis(500),
            retry_max_delay: Duration::from_secs(30),
        }
    }
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("proxy", &self.proxy.as_deref().map(proxy_for_display))
            .field("max_retries", &self.max_retries)
            .field("retry_base_delay", &self.retry_base_delay)
            .field("retry_max_delay", &self.retry_max_delay)
            .finish()
    }
}

impl ClientConfig {
    /// The longest any timeout or wait may be (a day); longer values are cut to it.
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);
    /// The shortest timeout (zero would fail every request before it starts).
    pub const MIN_TIMEOUT: Duration = Duration::from_millis(1);
    /// The most retries after a first attempt.
    pub const MAX_RETRIES: u32 = 100;

    /// The same settings with every timeout within [`Self::MIN_TIMEOUT`] ..=
    /// [`Self::MAX_TIMEOUT`], waits at most [`Self::MAX_TIMEOUT`] and retries at most
    /// [`Self::MAX_RETRIES`]. Whatever a setting file or a command line holds (even
    /// `u64::MAX` seconds), the client's time arithmetic then cannot overflow.
    pub fn normalized(self) -> ClientConfig {
        let timeout = |value: Duration| value.clamp(Self::MIN_TIMEOUT, Self::MAX_TIMEOUT);
        ClientConfig {
            connect_timeout: timeout(self.connect_timeout),
            total_timeout: timeout(self.total_timeout),
            idle_timeout: timeout(self.idle_timeout),
            max_retries: self.max_retries.min(Self::MAX_RETRIES),
            retry_base_delay: self.retry_base_delay.min(Self::MAX_TIMEOUT),
            retry_max_delay: self.retry_max_delay.min(Self::MAX_TIMEOUT),
            ..self
        }
    }
}

/// Checks a base URL typed in the settings: a valid `https://` URL, or `http://` on a
/// loopback host (the token would otherwise travel in clear).
pub fn validate_base_url(text: &str) -> Result<Url, String> {
    let text = text.trim();
    let url = Url::parse(text).map_err(|e| format!("URL inválida ({e}): use https://…"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(
                "URL com http:// só é aceita para o próprio computador (localhost): use https:// para que o token não trafegue sem criptografia."
                    .to_owned(),
            );
        }
        other => return Err(format!("Esquema «{other}» não suportado: use https://…")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("URL sem servidor: use https://servidor/…".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "Não coloque usuário ou senha na URL: o token é configurado à parte.".to_owned(),
        );
    }
    Ok(url)
}

/// Whether `url` names this machine: `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The URL without query or fragment: safe to show (the query carries the debtor's document).
fn redact(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// A proxy URL without its credentials, for `Debug`.
fn proxy_for_display(text: &str) -> String {
    match parse_proxy_url(text) {
        Some(mut url) => {
            let had_credentials = !url.username().is_empty() || url.password().is_some();
            let _ = url.set_password(None);
            let _ = url.set_username(if had_credentials { "***" } else { "" });
            url.to_string()
        }
        None => "(proxy inválido, não exibido)".to_owned(),
    }
}

/// A proxy as typed: a URL, or `host:port`, which reqwest reads as `http://host:port`.
fn parse_proxy_url(text: &str) -> Option<Url> {
    let text = text.trim();
    Url::parse(text)
        .ok()
        .filter(|url| url.has_host())
        .or_else(|| Url::parse(&format!("http://{text}")).ok())
}

/// The user name and password of a proxy URL, as typed and percent-decoded: text that must
/// never appear in an error.
fn proxy_secrets(text: &str) -> Vec<String> {
    let Some(url) = parse_proxy_url(text) else {
        return Vec::new();
    };
    let mut secrets = Vec::new();
    for (part, min_len) in [(url.username(), 3), (url.password().unwrap_or(""), 1)] {
        let decoded = percent_encoding::percent_decode_str(part)
            .decode_utf8_lossy()
            .into_owned();
        for secret in [part.to_owned(), decoded] {
            if secret.chars().count() >= min_len && !secrets.contains(&secret) {
                secrets.push(secret);
            }
        }
    }
    // Longest first, so a secret that contains another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

/// Progress of a fetch, readable from another thread, and its cancel switch.
#[derive(Debug, Default)]
pub struct FetchProgress {
    bytes: AtomicU64,
    total_bytes: AtomicU64,
    rows: AtomicU64,
    attempt: AtomicU32,
    cancelled: AtomicBool,
    /// Wakes the thread running the fetch while it waits for the network.
    waiter: Mutex<Option<Waker>>,
}

/// A copy of [`FetchProgress`] at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgressSnapshot {
    /// Body bytes received (after decompression) in the current attempt.
    pub bytes: u64,
    /// Body size announced by the server, when known.
    pub total_bytes: Option<u64>,
    /// Rows parsed so far in the current attempt.
    pub rows: u64,
    /// Current attempt, from 1.
    pub attempt: u32,
}

impl FetchProgress {
    /// A fresh progress, shared between the worker and whoever watches it.
    pub fn new() -> Arc<FetchProgress> {
        Arc::new(FetchProgress::default())
    }

    /// Asks the fetch to stop; it returns [`ApiError::Cancelled`] within a few milliseconds,
    /// and its connection is closed.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        if let Some(waker) = lock(&self.waiter).take() {
            waker.wake();
        }
    }

    /// Whether [`Self::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// The current numbers.
    pub fn snapshot(&self) -> ProgressSnapshot {
        let total = self.total_bytes.load(Ordering::Relaxed);
        ProgressSnapshot {
            bytes: self.bytes.load(Ordering::Relaxed),
            total_bytes: (total > 0).then_some(total),
            rows: self.rows.load(Ordering::Relaxed),
            attempt: self.attempt.load(Ordering::Relaxed),
        }
    }

    fn start_attempt(&self, attempt: u32) {
        self.bytes.store(0, Ordering::Relaxed);
        self.total_bytes.store(0, Ordering::Relaxed);
        self.rows.store(0, Ordering::Relaxed);
        self.attempt.store(attempt, Ordering::Relaxed);
    }
}

/// Takes a fetch's rows as the body is parsed ([`FollowupClient::fetch_into`]): a `Vec`
/// collects them; an export can write them while the rest of the body arrives.
pub trait RowSink {
    /// Attempt number `attempt` (1 for the first) starts: rows handed over by an earlier
    /// attempt are void, since the answer is read again from its start.
    fn start_attempt(&mut self, attempt: u32);

    /// The next row, in the server's order. `false`: the sink cannot take more (its own
    /// failure, which it reports itself); the fetch is then cancelled.
    fn push(&mut self, row: Followup) -> bool;
}

impl RowSink for Vec<Followup> {
    fn start_attempt(&mut self, _attempt: u32) {
        self.clear();
    }

    fn push(&mut self, row: Followup) -> bool {
        Vec::push(self, row);
        true
    }
}

/// A successful fetch whose rows went to a [`RowSink`].
#[derive(Debug)]
pub struct FetchSummary {
    /// Rows skipped and fields blanked while parsing.
    pub report: ParseReport,
    /// Body bytes received (after decompression).
    pub bytes: u64,
    /// Wall time from the first attempt to the last row.
    pub elapsed: Duration,
    /// Attempts made (1 when no retry was needed).
    pub attempts: u32,
}

/// A successful fetch.
#[derive(Debug)]
pub struct FetchOutcome {
    /// The rows, in the server's order.
    pub rows: Vec<Followup>,
    /// Rows skipped and fields blanked while parsing.
    pub report: ParseReport,
    /// Body bytes received (after decompression).
    pub bytes: u64,
    /// Wall time from the first attempt to the last row.
    pub elapsed: Duration,
    /// Attempts made (1 when no retry was needed).
    pub attempts: u32,
}

/// Bytes an allocated [`SharedStr`] holds before its text: the length with its flags, then
/// the reference count (`arcstr`'s header, one `usize` each).
const SHARED_STR_HEADER_BYTES: usize = 2 * std::mem::size_of::<usize>();

/// Memory held by a set of rows, shared strings counted once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryFootprint {
    /// Rows counted.
    pub rows: usize,
    /// Bytes of the row structs themselves.
    pub row_bytes: usize,
    /// Bytes of the interaction texts: each text store (one per parsed chunk, or one per row
    /// built otherwise) counted once, with its header.
    pub text_bytes: usize,
    /// Bytes of shared strings (names, documents, logins), each counted once.
    pub shared_bytes: usize,
}

impl MemoryFootprint {
    /// Measures `rows`.
    pub fn of(rows: &[Followup]) -> MemoryFootprint {
        use std::collections::HashSet;
        let mut seen: HashSet<*const u8> = HashSet::new();
        let mut shared_bytes = 0;
        let mut text_bytes = 0;
        let held = |shared: &SharedStr| {
            // A 16-byte header (length and flags, then the count) precedes the text of an
            // allocated `ArcStr`; a static one (a literal, the empty string) holds no heap.
            if SharedStr::is_static(shared) {
                0
            } else {
                shared.len() + SHARED_STR_HEADER_BYTES
            }
        };
        for row in rows {
            if let Some(text) = row.interacao_shared()
                && seen.insert(text.parent().as_ptr())
            {
                text_bytes += held(text.parent());
            }
            for shared in [
                row.nome_credor(),
                row.nome_cliente(),
                row.cpf_cnpj(),
                row.nome_consultor(),
                row.nome_evento(),
                row.reagendado_por(),
            ]
            .into_iter()
            .flatten()
            {
                if seen.insert(shared.as_ptr()) {
                    shared_bytes += held(shared);
                }
            }
        }
        MemoryFootprint {
            rows: rows.len(),
            row_bytes: std::mem::size_of_val(rows),
            text_bytes,
            shared_bytes,
        }
    }

    /// All bytes.
    pub fn total_bytes(&self) -> usize {
        self.row_bytes + self.text_bytes + self.shared_bytes
    }

    /// Average bytes per row.
    pub fn bytes_per_row(&self) -> f64 {
        if self.rows == 0 {
            0.0
        } else {
            self.total_bytes() as f64 / self.rows as f64
        }
    }
}

/// The follow-up API client. Cheap to share between threads (`Arc`): each
/// [`FollowupClient::fetch`] runs on its caller's thread.
pub struct FollowupClient {
    http: reqwest::Client,
    runtime: tokio::runtime::Handle,
    base_url: Url,
    token: Token,
    config: ClientConfig,
    /// The manual proxy's user name and password, scrubbed from every error.
    proxy_secrets: Vec<String>,
}

impl std::fmt::Debug for FollowupClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FollowupClient")
            .field("base_url", &redact(&self.base_url))
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// Installs the TLS crypto provider once per process (reqwest needs one).
fn ensure_crypto_provider() {
    // An error only means another part of the process installed one first.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The process-wide network runtime, started at the first call.
fn net_runtime() -> Result<tokio::runtime::Handle, ApiError> {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if let Some(runtime) = RUNTIME.get() {
        return Ok(runtime.handle().clone());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(NET_THREADS)
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .thread_keep_alive(BLOCKING_KEEP_ALIVE)
        .thread_name("followups-net")
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| ApiError::Config {
            message: format!("Não foi possível preparar a rede do aplicativo: {e}"),
        })?;
    // Two first calls at once: one runtime is kept, the other (still idle) is dropped.
    Ok(RUNTIME.get_or_init(|| runtime).handle().clone())
}

impl FollowupClient {
    /// Builds a client. Fails with [`ApiError::Config`] for a bad base URL or proxy. The
    /// configuration is [`ClientConfig::normalized`] first.
    pub fn new(config: ClientConfig, token: Token) -> Result<FollowupClient, ApiError> {
        let config = config.normalized();
        let base_url =
            validate_base_url(&config.base_url).map_err(|message| ApiError::Config { message })?;
        let manual_proxy = match config.proxy.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => Some(
                reqwest::Proxy::all(text)
                    .map_err(|_| ApiError::Config {
                        message: "Proxy inválido: use o formato http://servidor:porta (ou http://usuário:senha@servidor:porta)."
                            .to_owned(),
                    })?
                    // As curl does, the environment's exceptions apply to a manual proxy too.
                    .no_proxy(reqwest::NoProxy::from_env()),
            ),
            _ => None,
        };
        let proxy_secrets = config
            .proxy
            .as_deref()
            .map(proxy_secrets)
            .unwrap_or_default();
        ensure_crypto_provider();
        let runtime = net_runtime()?;
        let _context = runtime.enter();
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!(
                "RecuperadorFollowups/",
                env!("CARGO_PKG_VERSION"),
                " (+https://app.recuperador.com.br)"
            ))
            .connect_timeout(config.connect_timeout)
            .gzip(true)
            .brotli(true)
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                let allowed = attempt.previous().last().is_some_and(|previous| {
                    let next = attempt.url();
                    previous.host_str() == next.host_str()
                        && previous.port_or_known_default() == next.port_or_known_default()
                        && (next.scheme() == "https"
                            || (next.scheme() == previous.scheme() && is_loopback(next)))
                });
                if allowed && attempt.previous().len() < 5 {
                    attempt.follow()
                } else {
                    attempt.stop()
                }
            }));
        // Redirects stay on the base URL's host, so one decision holds for every request.
        if is_loopback(&base_url) {
            // As browsers do: a proxy cannot reach this machine's services, and the token
            // would travel to it in clear.
            builder = builder.no_proxy();
        } else if let Some(proxy) = manual_proxy {
            builder = builder.proxy(proxy);
        }
        let http = builder.build().map_err(|e| ApiError::Config {
            message: format!(
                "Não foi possível preparar o cliente HTTP: {}",
                error_chain(&SafeReqwest(&e))
            ),
        })?;
        Ok(FollowupClient {
            http,
            runtime,
            base_url,
            token,
            config,
            proxy_secrets,
        })
    }

    /// The endpoint this client calls.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// A client with the same settings and token that sends each request once, without
    /// retries. A batch that keeps meeting connection failures probes the next documents with
    /// it, so that an unreachable server is recognised in seconds, not after every
    /// document's backoff.
    pub fn without_retries(&self) -> Result<FollowupClient, ApiError> {
        let config = ClientConfig {
            max_retries: 0,
            ..self.config.clone()
        };
        FollowupClient::new(config, self.token.clone())
    }

    /// Fetches every row matching `query`, retrying what may succeed on a second try.
    ///
    /// Blocks the calling thread: run it on a background thread (not inside an async
    /// runtime). `progress` is updated as the body arrives; [`FetchProgress::cancel`] makes
    /// this return [`ApiError::Cancelled`] at once and closes the connection.
    pub fn fetch(
        &self,
        query: &FollowupQuery,
        progress: &Arc<FetchProgress>,
    ) -> Result<FetchOutcome, ApiError> {
        let mut rows = Vec::new();
        let summary = self.fetch_into(query, progress, &mut rows)?;
        rows.shrink_to_fit();
        Ok(FetchOutcome {
            rows,
            report: summary.report,
            bytes: summary.bytes,
            elapsed: summary.elapsed,
            attempts: summary.attempts,
        })
    }

    /// [`Self::fetch`], handing each row to `sink` as soon as it is parsed instead of
    /// collecting them: the sink is told when an attempt starts over. A sink that refuses a row
    /// cancels the fetch ([`ApiError::Cancelled`]).
    pub fn fetch_into(
        &self,
        query: &FollowupQuery,
        progress: &Arc<FetchProgress>,
        sink: &mut dyn RowSink,
    ) -> Result<FetchSummary, ApiError> {
        let started = Instant::now();
        // `None`: too far ahead to represent, which is never.
        let deadline = started.checked_add(self.config.total_timeout);
        let url = query.url(&self.base_url);
        let driver = Driver::new(progress);
        let mut attempt: u32 = 0;
        loop {
            attempt = attempt.saturating_add(1);
            if progress.is_cancelled() {
                return Err(ApiError::Cancelled);
            }
            progress.start_attempt(attempt);
            sink.start_attempt(attempt);
            match self.run_attempt(&driver, &url, progress, deadline, sink) {
                Ok((report, bytes)) => {
                    return Ok(FetchSummary {
                        report,
                        bytes,
                        elapsed: started.elapsed(),
                        attempts: attempt,
                    });
                }
                Err(AttemptError { error, retry_after }) => {
                    let error = self.scrub(error);
                    if !error.is_retryable() || attempt > self.config.max_retries {
                        return Err(error);
                    }
                    let delay = retry_delay(&self.config, attempt, retry_after, fastrand::f64());
                    // No retry that would start after the deadline.
                    let Some(resume) = Instant::now().checked_add(delay) else {
                        return Err(error);
                    };
                    if deadline.is_some_and(|deadline| resume >= deadline) {
                        return Err(error);
                    }
                    match driver.run(std::future::pending::<()>(), None, Some(resume)) {
                        Err(Interrupt::Cancelled) => return Err(ApiError::Cancelled),
                        Ok(()) | Err(Interrupt::Deadline | Interrupt::Idle) => {}
                    }
                }
            }
        }
    }

    fn run_attempt(
        &self,
        driver: &Driver<'_>,
        url: &Url,
        progress: &FetchProgress,
        deadline: Option<Instant>,
        sink: &mut dyn RowSink,
    ) -> Result<(ParseReport, u64), AttemptError> {
        // Timers, DNS and connections of this attempt belong to the network runtime, though
        // its futures are polled here.
        let _context = self.runtime.enter();
        let request = self
            .http
            .get(url.clone())
            .basic_auth(self.token.expose(), Some(""))
            .send();
        let head_idle_until = Instant::now().checked_add(self.config.idle_timeout);
        let response = match driver.run(request, head_idle_until, deadline) {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => {
                return Err(classify_reqwest(&error, self.config.connect_timeout).into());
            }
            Err(interrupt) => return Err(interrupt.error(&self.config).into()),
        };
        let status = response.status();
        let headers = response.headers().clone();
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("sem Content-Type")
            .to_owned();
        if !headers.contains_key(CONTENT_ENCODING)
            && let Some(length) = headers
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
        {
            progress.total_bytes.store(length, Ordering::Relaxed);
        }
        let encoding = declared_encoding(&content_type);
        let failure = Cell::new(None);
        let body = BodyReader {
            response,
            chunk: Bytes::new(),
            offset: 0,
            ended: false,
            driver,
            progress,
            config: &self.config,
            deadline,
            failure: &failure,
        };
        let io_error = |e: io::Error| -> AttemptError {
            failure
                .take()
                .unwrap_or_else(|| ApiError::Network {
                    summary: "a resposta não pôde ser lida".to_owned(),
                    detail: error_chain(&e),
                })
                .into()
        };

        if status.is_redirection() {
            let location = headers
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .map_or_else(|| "(sem endereço)".to_owned(), |u| redact(&u));
            return Err(ApiError::Redirect { location }.into());
        }

        if !status.is_success() {
            let mut body_bytes = Vec::new();
            body.take(64 * 1024)
                .read_to_end(&mut body_bytes)
                .map_err(io_error)?;
            let server_message = match encoding {
                Some(encoding) => json_message(encoding.decode(&body_bytes).0.as_bytes()),
                None => json_message(&body_bytes),
            };
            let error = match status {
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ApiError::InvalidToken {
                    status: status.as_u16(),
                    server_message,
                },
                StatusCode::NOT_FOUND => ApiError::NotFound { url: redact(url) },
                StatusCode::BAD_REQUEST => ApiError::BadRequest {
                    message: server_message
                        .unwrap_or_else(|| "parâmetros inválidos (HTTP 400)".to_owned()),
                },
                StatusCode::TOO_MANY_REQUESTS => {
                    let retry_after = parse_retry_after(&headers);
                    return Err(AttemptError {
                        error: ApiError::RateLimited { retry_after },
                        retry_after,
                    });
                }
                s if s.is_server_error() => {
                    let retry_after = parse_retry_after(&headers);
                    return Err(AttemptError {
                        error: ApiError::Server {
                            status: s.as_u16(),
                            server_message,
                        },
                        retry_after,
                    });
                }
                s => ApiError::UnexpectedBody {
                    status: s.as_u16(),
                    content_type,
                    summary: server_message
                        .unwrap_or_else(|| format!("status HTTP {} não esperado", s.as_u16())),
                },
            };
            return Err(error.into());
        }

        let answer = Answer {
            status,
            content_type: &content_type,
            progress,
        };
        match encoding {
            // UTF-8 (or nothing declared): the bytes go to the parser as they came.
            None => answer.rows(
                BufReader::with_capacity(READ_BUFFER_BYTES, body),
                io_error,
                sink,
            ),
            // Another charset: decoded to UTF-8 as it streams (a byte-order mark, if any,
            // wins over the header).
            Some(encoding) => {
                let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding))
                    .bom_override(true)
                    .build(body);
                answer.rows(
                    BufReader::with_capacity(READ_BUFFER_BYTES, decoded),
                    io_error,
                    sink,
                )
            }
        }
    }

    /// `error` without the manual proxy's credentials, wherever a lower layer put them.
    fn scrub(&self, error: ApiError) -> ApiError {
        if self.proxy_secrets.is_empty() {
            return error;
        }
        let clean = |text: String| {
            self.proxy_secrets
                .iter()
                .fold(text, |text, secret| text.replace(secret.as_str(), "***"))
        };
        match error {
            ApiError::Network { summary, detail } => ApiError::Network {
                summary: clean(summary),
                detail: clean(detail),
            },
            ApiError::Tls { summary, detail } => ApiError::Tls {
                summary: clean(summary),
                detail: clean(detail),
            },
            other => other,
        }
    }
}

/// The charset a `Content-Type` declares, when it is a known one other than UTF-8.
fn declared_encoding(content_type: &str) -> Option<&'static encoding_rs::Encoding> {
    let label = content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').trim())
    })?;
    encoding_rs::Encoding::for_label(label.as_bytes())
        .filter(|encoding| *encoding != encoding_rs::UTF_8)
}

/// A successful answer's head, and what reads its rows.
struct Answer<'a> {
    status: StatusCode,
    content_type: &'a str,
    progress: &'a FetchProgress,
}

impl Answer<'_> {
    /// Parses the (UTF-8) body into rows for `sink`, after a look at its first byte: an HTML
    /// page or an empty body is not worth a JSON error message.
    fn rows<R: io::BufRead>(
        &self,
        mut reader: R,
        io_error: impl Fn(io::Error) -> AttemptError,
        sink: &mut dyn RowSink,
    ) -> Result<(ParseReport, u64), AttemptError> {
        let first = loop {
            let buffer = reader.fill_buf().map_err(&io_error)?;
            if buffer.is_empty() {
                break None;
            }
            match buffer
                .iter()
                .position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)
            {
                Some(index) => break Some(buffer[index]),
                None => {
                    let len = buffer.len();
                    reader.consume(len);
                }
            }
        };
        let unexpected = |summary: &str| -> AttemptError {
            ApiError::UnexpectedBody {
                status: self.status.as_u16(),
                content_type: self.content_type.to_owned(),
                summary: summary.to_owned(),
            }
            .into()
        };
        match first {
            None => return Err(unexpected("resposta vazia (esperava uma lista JSON)")),
            Some(b'<') => return Err(unexpected("veio uma página HTML em vez de JSON")),
            Some(b'[' | b'{' | b'"' | b'n' | b't' | b'f' | b'-' | b'0'..=b'9') => {}
            Some(_) => return Err(unexpected("o conteúdo não é JSON")),
        }
        // Skip a UTF-8 byte-order mark, which serde_json refuses.
        if reader
            .fill_buf()
            .map_err(&io_error)?
            .starts_with(&[0xEF, 0xBB, 0xBF])
        {
            reader.consume(3);
        }

        let mut interner = Interner::default();
        let parsed = parse_followups(&mut reader, &mut interner, |row| {
            if !sink.push(row) {
                // The body reader sees the cancel at its next read and ends the attempt.
                self.progress.cancel();
            }
            self.progress.rows.fetch_add(1, Ordering::Relaxed);
        });
        match parsed {
            // The sink refused a row after the body's last read (or the user cancelled then).
            Ok(Parsed::Rows(_)) if self.progress.is_cancelled() => Err(ApiError::Cancelled.into()),
            Ok(Parsed::Rows(report)) => Ok((report, self.progress.bytes.load(Ordering::Relaxed))),
            Ok(Parsed::ApiMessage(message)) => Err(ApiError::Api {
                status: self.status.as_u16(),
                message,
            }
            .into()),
            Err(ParseError::Io(e)) => Err(io_error(e)),
            Err(ParseError::Truncated) => Err(unexpected(
                "a resposta terminou antes do fim do JSON (truncada)",
            )),
            Err(e @ (ParseError::Syntax { .. } | ParseError::UnexpectedShape(_))) => {
                Err(unexpected(&e.to_string()))
            }
        }
    }
}

/// A failed attempt and what the server asked before the next one.
#[derive(Debug)]
struct AttemptError {
    error: ApiError,
    retry_after: Option<Duration>,
}

impl From<ApiError> for AttemptError {
    fn from(error: ApiError) -> Self {
        AttemptError {
            error,
            retry_after: None,
        }
    }
}

/// The wait before retry number `attempt` (1 = after the first failure): exponential backoff
/// with ±50 % jitter (`jitter` in 0..1), or the server's `Retry-After`, capped.
pub fn retry_delay(
    config: &ClientConfig,
    attempt: u32,
    retry_after: Option<Duration>,
    jitter: f64,
) -> Duration {
    if let Some(asked) = retry_after {
        return asked.min(config.retry_max_delay);
    }
    let exponent = attempt.saturating_sub(1).min(16);
    let base = config.retry_base_delay.saturating_mul(1 << exponent);
    base.mul_f64(0.5 + jitter.clamp(0.0, 1.0))
        .min(config.retry_max_delay)
}

/// Why waiting on the network stopped before the awaited thing came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Interrupt {
    /// [`FetchProgress::cancel`].
    Cancelled,
    /// No byte for `idle_timeout`.
    Idle,
    /// The whole fetch took `total_timeout`.
    Deadline,
}

impl Interrupt {
    fn error(self, config: &ClientConfig) -> ApiError {
        match self {
            Interrupt::Cancelled => ApiError::Cancelled,
            Interrupt::Idle => ApiError::Stalled {
                after: config.idle_timeout,
            },
            Interrupt::Deadline => ApiError::Timeout {
                after: config.total_timeout,
            },
        }
    }
}

/// Wakes a thread parked in [`Driver::run`].
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls a fetch's futures on the fetching thread, parking it in between; the network runtime
/// and [`FetchProgress::cancel`] wake it.
struct Driver<'a> {
    progress: &'a FetchProgress,
    waker: Waker,
}

impl<'a> Driver<'a> {
    fn new(progress: &'a FetchProgress) -> Driver<'a> {
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        *lock(&progress.waiter) = Some(waker.clone());
        Driver { progress, waker }
    }

    /// Runs `future` to its end, unless the fetch is cancelled, `idle_until` passes (a wait
    /// for bytes) or `deadline` does (the whole fetch); `None` is never. Dropping `future`
    /// on the way out abandons whatever it was doing (a connection mid-request is closed).
    fn run<F: Future>(
        &self,
        future: F,
        idle_until: Option<Instant>,
        deadline: Option<Instant>,
    ) -> Result<F::Output, Interrupt> {
        let mut future = pin!(future);
        let mut context = Context::from_waker(&self.waker);
        loop {
            if self.progress.is_cancelled() {
                return Err(Interrupt::Cancelled);
            }
            if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return Ok(output);
            }
            let now = Instant::now();
            if deadline.is_some_and(|at| now >= at) {
                return Err(Interrupt::Deadline);
            }
            if idle_until.is_some_and(|at| now >= at) {
                return Err(Interrupt::Idle);
            }
            let wait = [deadline, idle_until]
                .into_iter()
                .flatten()
                .map(|at| at.saturating_duration_since(now))
                .fold(MAX_PARK, Duration::min);
            std::thread::park_timeout(wait);
        }
    }
}

impl Drop for Driver<'_> {
    fn drop(&mut self) {
        lock(&self.progress.waiter).take();
    }
}

/// The body of an answer as a [`Read`]: chunks are pulled from the connection on demand,
/// each within the idle limit and the fetch's deadline, and counted into the progress.
/// When it stops on its own (cancel, timeout, broken connection) the reason is left in
/// `failure` and the read fails.
struct BodyReader<'a> {
    response: reqwest::Response,
    chunk: Bytes,
    offset: usize,
    ended: bool,
    driver: &'a Driver<'a>,
    progress: &'a FetchProgress,
    config: &'a ClientConfig,
    deadline: Option<Instant>,
    failure: &'a Cell<Option<ApiError>>,
}

impl BodyReader<'_> {
    fn fail(&self, error: ApiError) -> io::Error {
        let kind = match error {
            ApiError::Timeout { .. } | ApiError::Stalled { .. } => io::ErrorKind::TimedOut,
            _ => io::ErrorKind::Other,
        };
        self.failure.set(Some(error));
        io::Error::new(kind, "the answer's body stopped")
    }
}

impl Read for BodyReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.offset >= self.chunk.len() {
            if self.ended || buf.is_empty() {
                return Ok(0);
            }
            let idle_until = Instant::now().checked_add(self.config.idle_timeout);
            match self
                .driver
                .run(self.response.chunk(), idle_until, self.deadline)
            {
                Ok(Ok(Some(chunk))) => {
                    self.progress
                        .bytes
                        .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    self.chunk = chunk;
                    self.offset = 0;
                }
                Ok(Ok(None)) => self.ended = true,
                Ok(Err(error)) => return Err(self.fail(body_error(&error))),
                Err(interrupt) => return Err(self.fail(interrupt.error(self.config))),
            }
        }
        let available = &self.chunk[self.offset..];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.offset += n;
        Ok(n)
    }
}

/// The message in a small JSON error body, if it has one.
fn json_message(body: &[u8]) -> Option<String> {
    match super::parse::parse_followups_slice(body) {
        Ok((_, Parsed::ApiMessage(message))) => Some(message),
        _ => None,
    }
}

fn parse_retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// The chain of causes of an error, joined, for technical details.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

fn is_tls_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(io) = e.downcast_ref::<io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
        {
            return true;
        }
        current = e.source();
    }
    let text = error_chain(error).to_lowercase();
    ["certificate", "certificado", "tls", "handshake", "ssl"]
        .iter()
        .any(|word| text.contains(word))
}

fn classify_reqwest(error: &reqwest::Error, timeout: Duration) -> ApiError {
    let safe = error_chain(&SafeReqwest(error));
    if error.is_timeout() {
        return ApiError::Timeout { after: timeout };
    }
    if is_tls_error(error) {
        return ApiError::Tls {
            summary: "o certificado do servidor não foi aceito ou o aperto de mão TLS falhou"
                .to_owned(),
            detail: safe,
        };
    }
    let summary = if safe.contains("dns error") || safe.contains("failed to lookup") {
        "não foi possível encontrar o servidor (DNS)"
    } else if error.is_connect() {
        "não foi possível conectar ao servidor"
    } else {
        "a conexão falhou"
    };
    ApiError::Network {
        summary: summary.to_owned(),
        detail: safe,
    }
}

/// A failure while the body was arriving.
fn body_error(error: &reqwest::Error) -> ApiError {
    let detail = error_chain(&SafeReqwest(error));
    if is_tls_error(error) {
        ApiError::Tls {
            summary: "a conexão segura foi interrompida".to_owned(),
            detail,
        }
    } else {
        ApiError::Network {
            summary: "a conexão caiu no meio da resposta".to_owned(),
            detail,
        }
    }
}

/// A reqwest error shown without its URL (the query carries the debtor's document).
struct SafeReqwest<'a>(&'a reqwest::Error);

impl std::fmt::Debug for SafeReqwest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::fmt::Display for SafeReqwest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.0.is_timeout() {
            "tempo esgotado"
        } else if self.0.is_connect() {
            "erro de conexão"
        } else if self.0.is_request() {
            "erro ao enviar a requisição"
        } else if self.0.is_body() || self.0.is_decode() {
            "erro ao ler a resposta"
        } else {
            "erro de HTTP"
        };
        f.write_str(kind)
    }
}

impl std::error::Error for SafeReqwest<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_footprint_counts_each_shared_string_once_with_its_header() {
        use crate::api::FollowupFields;
        let bank = SharedStr::from("Banco Ipê");
        let rows: Vec<Followup> = (0..3)
            .map(|n| {
                FollowupFields {
                    id_followup: Some(n),
                    nome_credor: Some(bank.clone()),
                    // Equal text in another allocation counts again; the empty string is static.
                    nome_cliente: Some(SharedStr::from(String::from("Ana"))),
                    cpf_cnpj: Some(SharedStr::from("")),
                    interacao: Some("abcd".into()),
                    ..FollowupFields::default()
                }
                .into()
            })
            .collect();
        let memory = MemoryFootprint::of(&rows);
        assert_eq!(memory.rows, 3);
        assert_eq!(memory.row_bytes, 3 * std::mem::size_of::<Followup>());
        // Texts built row by row are one store each; rows sharing a store count it once.
        assert_eq!(
            memory.text_bytes,
            3 * ("abcd".len() + SHARED_STR_HEADER_BYTES)
        );
        let store = crate::api::SharedText::from("abcdefgh");
        let mut sharing = rows.clone();
        for (row, range) in sharing.iter_mut().zip([0..4, 4..8, 2..6]) {
            row.set_interacao_shared(Some(store.substr(range)));
        }
        let shared = MemoryFootprint::of(&sharing);
        assert_eq!(
            shared.text_bytes,
            "abcdefgh".len() + SHARED_STR_HEADER_BYTES
        );
        let bank_bytes = "Banco Ipê".len() + SHARED_STR_HEADER_BYTES;
        let ana_bytes = "Ana".len() + SHARED_STR_HEADER_BYTES;
        assert_eq!(memory.shared_bytes, bank_bytes + 3 * ana_bytes);
        assert_eq!(
            memory.total_bytes(),
            memory.row_bytes + memory.text_bytes + memory.shared_bytes
        );
    }

    #[test]
    fn base_url_rules() {
        assert!(validate_base_url(DEFAULT_BASE_URL).is_ok());
        assert!(validate_base_url("http://127.0.0.1:8080/api/v1Followup/").is_ok());
        assert!(validate_base_url("http://localhost/api/").is_ok());
        assert!(validate_base_url("http://[::1]:9/x").is_ok());
        assert!(
            validate_base_url("http://app.recuperador.com.br/api/v1Followup/")
                .unwrap_err()
                .contains("https")
        );
        assert!(
            validate_base_url("ftp://x/")
                .unwrap_err()
                .contains("não suportado")
        );
        assert!(
            validate_base_url("app.recuperador.com.br")
                .unwrap_err()
                .contains("inválida")
        );
        assert!(
            validate_base_url("https://user:pw@host/")
                .unwrap_err()
                .contains("usuário")
        );
    }

    #[test]
    fn retry_delay_grows_and_honours_retry_after() {
        let config = ClientConfig::default();
        assert_eq!(
            retry_delay(&config, 1, None, 0.5),
            Duration::from_millis(500)
        );
        assert_eq!(
            retry_delay(&config, 2, None, 0.5),
            Duration::from_millis(1000)
        );
        assert_eq!(
            retry_delay(&config, 3, None, 0.5),
            Duration::from_millis(2000)
        );
        assert_eq!(
            retry_delay(&config, 1, None, 0.0),
            Duration::from_millis(250)
        );
        assert_eq!(
            retry_delay(&config, 1, None, 1.0),
            Duration::from_millis(750)
        );
        assert_eq!(retry_delay(&config, 30, None, 1.0), config.retry_max_delay);
        assert_eq!(
            retry_delay(&config, 1, Some(Duration::from_secs(7)), 0.5),
            Duration::from_secs(7)
        );
        assert_eq!(
            retry_delay(&config, 1, Some(Duration::from_secs(3600)), 0.5),
            config.retry_max_delay
        );
    }

    #[test]
    fn the_declared_charset_is_read_from_the_content_type() {
        let of = |text: &str| declared_encoding(text).map(encoding_rs::Encoding::name);
        assert_eq!(
            of("application/json; charset=windows-1252"),
            Some("windows-1252")
        );
        assert_eq!(
            of("application/json;Charset=\"ISO-8859-1\""),
            Some("windows-1252")
        );
        assert_eq!(
            of("application/json; q=1; charset = latin1 "),
            Some("windows-1252")
        );
        assert_eq!(of("application/json; charset=utf-16"), Some("UTF-16LE"));
        // UTF-8, nothing declared, or an unknown label: the bytes go through as they are.
        assert_eq!(of("application/json; charset=utf-8"), None);
        assert_eq!(of("application/json; charset=UTF8"), None);
        assert_eq!(of("application/json"), None);
        assert_eq!(of("application/json; charset=klingon"), None);
        assert_eq!(of("charset=windows-1252"), None);
    }

    #[test]
    fn proxy_credentials_never_show() {
        let config = ClientConfig {
            proxy: Some("http://ana.souza:s3cr%40t@proxy.empresa:3128".to_owned()),
            ..ClientConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(shown.contains("http://***@proxy.empresa:3128/"), "{shown}");
        assert!(
            !shown.contains("s3cr") && !shown.contains("ana.souza"),
            "{shown}"
        );
        let plain = ClientConfig {
            proxy: Some("proxy.empresa:3128".to_owned()),
            ..ClientConfig::default()
        };
        assert!(format!("{plain:?}").contains("http://proxy.empresa:3128/"));
        assert_eq!(
            proxy_secrets("http://ana.souza:s3cr%40t@proxy:3128"),
            ["ana.souza", "s3cr%40t", "s3cr@t"]
        );
        assert!(proxy_secrets("http://proxy:3128").is_empty());
    }

    #[test]
    fn normalizing_bounds_every_limit() {
        let wild = ClientConfig {
            connect_timeout: Duration::MAX,
            total_timeout: Duration::ZERO,
            idle_timeout: Duration::from_secs(u64::MAX),
            max_retries: u32::MAX,
            retry_base_delay: Duration::MAX,
            retry_max_delay: Duration::MAX,
            ..ClientConfig::default()
        }
        .normalized();
        assert_eq!(wild.connect_timeout, ClientConfig::MAX_TIMEOUT);
        assert_eq!(wild.total_timeout, ClientConfig::MIN_TIMEOUT);
        assert_eq!(wild.idle_timeout, ClientConfig::MAX_TIMEOUT);
        assert_eq!(wild.max_retries, ClientConfig::MAX_RETRIES);
        assert_eq!(wild.retry_max_delay, ClientConfig::MAX_TIMEOUT);
        // The longest backoff still fits an `Instant`.
        let delay = retry_delay(&wild, u32::MAX, Some(Duration::MAX), 1.0);
        assert!(Instant::now().checked_add(delay).is_some());
        // Sane values pass unchanged.
        assert_eq!(
            ClientConfig::default().normalized(),
            ClientConfig::default()
        );
    }

    #[test]
    fn redact_drops_the_query() {
        let url = Url::parse("https://h/api/?cpf_cnpj_formatado=52998224725").unwrap();
        assert_eq!(redact(&url), "https://h/api/");
    }
}
