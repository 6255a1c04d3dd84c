//! The blocking HTTP client for the follow-up endpoint. Run it off the UI thread.
//!
//! Each attempt runs on a worker thread while the calling thread waits on a channel, checking
//! the cancel flag every few milliseconds: cancellation returns at once even while the worker
//! is blocked in a slow read (the worker notices the flag at its next read and stops).
//! Idempotent GETs are retried on connection errors, 429, 502, 503 and 504, with exponential
//! backoff, jitter and `Retry-After` (capped). Redirects to another host or to `http` are not
//! followed. The token goes only into the Basic-auth header.

use std::io::{self, BufRead as _, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use url::Url;

use super::error::ApiError;
use super::model::Followup;
use super::parse::{Interner, ParseError, ParseReport, Parsed, parse_followups};
use super::query::FollowupQuery;
use super::token::Token;

/// The vendor's documented endpoint.
pub const DEFAULT_BASE_URL: &str = "https://app.recuperador.com.br/api/v1Followup/";

/// How the client connects. `Default` gives the documented URL and sensible limits.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientConfig {
    /// The endpoint; `http://` only for loopback hosts.
    pub base_url: String,
    /// Limit to establish a connection.
    pub connect_timeout: Duration,
    /// Limit for a whole request, body included (large answers take a while).
    pub total_timeout: Duration,
    /// Limit of silence while waiting for the next bytes.
    pub idle_timeout: Duration,
    /// A manual proxy URL (`http://proxy:3128`); `None` uses the environment and the OS.
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

/// Progress of a fetch, readable from another thread, and its cancel switch.
#[derive(Debug, Default)]
pub struct FetchProgress {
    bytes: AtomicU64,
    total_bytes: AtomicU64,
    rows: AtomicU64,
    attempt: AtomicU32,
    cancelled: AtomicBool,
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

    /// Asks the fetch to stop; it returns [`ApiError::Cancelled`] within a few milliseconds.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
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

/// Memory held by a set of rows, shared strings counted once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryFootprint {
    /// Rows counted.
    pub rows: usize,
    /// Bytes of the row structs themselves.
    pub row_bytes: usize,
    /// Bytes of per-row text (the interaction).
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
        for row in rows {
            text_bytes += row.unshared_heap_bytes();
            for shared in [
                &row.nome_credor,
                &row.nome_cliente,
                &row.cpf_cnpj,
                &row.nome_consultor,
                &row.nome_evento,
                &row.reagendado_por,
            ]
            .into_iter()
            .flatten()
            {
                if seen.insert(shared.as_ptr()) {
                    // Two reference counts precede the text in an `Arc<str>`.
                    shared_bytes += shared.len() + 2 * std::mem::size_of::<usize>();
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

/// The follow-up API client.
pub struct FollowupClient {
    http: reqwest::blocking::Client,
    base_url: Url,
    token: Token,
    config: ClientConfig,
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

impl FollowupClient {
    /// Builds a client. Fails with [`ApiError::Config`] for a bad base URL or proxy.
    pub fn new(config: ClientConfig, token: Token) -> Result<FollowupClient, ApiError> {
        let base_url =
            validate_base_url(&config.base_url).map_err(|message| ApiError::Config { message })?;
        ensure_crypto_provider();
        let mut builder = reqwest::blocking::Client::builder()
            .user_agent(concat!(
                "RecuperadorFollowups/",
                env!("CARGO_PKG_VERSION"),
                " (+https://app.recuperador.com.br)"
            ))
            .connect_timeout(config.connect_timeout)
            .timeout(config.idle_timeout.min(config.total_timeout))
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
        if let Some(proxy) = config
            .proxy
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let proxy = reqwest::Proxy::all(proxy).map_err(|e| ApiError::Config {
                message: format!("Proxy inválido ({e}): use o formato http://servidor:porta"),
            })?;
            builder = builder.proxy(proxy);
        }
        let http = builder.build().map_err(|e| ApiError::Config {
            message: format!(
                "Não foi possível preparar o cliente HTTP: {}",
                error_chain(&e)
            ),
        })?;
        Ok(FollowupClient {
            http,
            base_url,
            token,
            config,
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
    /// Blocks the calling thread: run it on a background thread. `progress` is updated as the
    /// body arrives; [`FetchProgress::cancel`] makes this return [`ApiError::Cancelled`] at once.
    pub fn fetch(
        &self,
        query: &FollowupQuery,
        progress: &Arc<FetchProgress>,
    ) -> Result<FetchOutcome, ApiError> {
        let started = Instant::now();
        let deadline = started + self.config.total_timeout;
        let url = query.url(&self.base_url);
        let mut attempt = 0;
        loop {
            attempt += 1;
            if progress.is_cancelled() {
                return Err(ApiError::Cancelled);
            }
            progress.start_attempt(attempt);
            match self.run_attempt(&url, progress, deadline) {
                Ok((rows, report, bytes)) => {
                    return Ok(FetchOutcome {
                        rows,
                        report,
                        bytes,
                        elapsed: started.elapsed(),
                        attempts: attempt,
                    });
                }
                Err(AttemptError { error, retry_after }) => {
                    if !error.is_retryable() || attempt > self.config.max_retries {
                        return Err(error);
                    }
                    let delay = retry_delay(&self.config, attempt, retry_after, fastrand::f64());
                    if Instant::now() + delay >= deadline {
                        return Err(error);
                    }
                    wait_cancellable(delay, progress)?;
                }
            }
        }
    }

    fn run_attempt(
        &self,
        url: &Url,
        progress: &Arc<FetchProgress>,
        deadline: Instant,
    ) -> Result<(Vec<Followup>, ParseReport, u64), AttemptError> {
        let (sender, receiver) = mpsc::sync_channel(1);
        let request = self
            .http
            .get(url.clone())
            .basic_auth(self.token.expose(), Some(""))
            .timeout(
                deadline
                    .saturating_duration_since(Instant::now())
                    .min(self.config.idle_timeout),
            );
        let worker_progress = Arc::clone(progress);
        let total_timeout = self.config.total_timeout;
        let idle_timeout = self.config.idle_timeout;
        let safe_url = redact(url);
        let spawned = std::thread::Builder::new()
            .name("followups-fetch".to_owned())
            .spawn(move || {
                let result = attempt(
                    request,
                    &worker_progress,
                    deadline,
                    total_timeout,
                    idle_timeout,
                    &safe_url,
                );
                // The receiver is gone when the fetch was cancelled: nothing to do then.
                let _ = sender.send(result);
            });
        if let Err(e) = spawned {
            return Err(ApiError::Network {
                summary: "não foi possível iniciar a consulta".to_owned(),
                detail: e.to_string(),
            }
            .into());
        }
        loop {
            match receiver.recv_timeout(Duration::from_millis(20)) {
                Ok(result) => return result,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if progress.is_cancelled() {
                        return Err(ApiError::Cancelled.into());
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(ApiError::UnexpectedBody {
                        status: 0,
                        content_type: String::new(),
                        summary: "a consulta terminou sem resultado (erro interno)".to_owned(),
                    }
                    .into());
                }
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

fn wait_cancellable(delay: Duration, progress: &FetchProgress) -> Result<(), ApiError> {
    let until = Instant::now() + delay;
    loop {
        if progress.is_cancelled() {
            return Err(ApiError::Cancelled);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(Duration::from_millis(20)));
    }
}

/// Why the body reader stopped on its own.
#[derive(Debug)]
enum StopReason {
    Cancelled,
    Deadline,
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopReason::Cancelled => "cancelled",
            StopReason::Deadline => "deadline",
        })
    }
}

impl std::error::Error for StopReason {}

/// Counts body bytes into the progress and stops on cancel or the overall deadline.
struct ProgressReader<'a, R> {
    inner: R,
    progress: &'a FetchProgress,
    deadline: Instant,
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.progress.is_cancelled() {
            return Err(io::Error::other(StopReason::Cancelled));
        }
        if Instant::now() >= self.deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                StopReason::Deadline,
            ));
        }
        let n = self.inner.read(buf)?;
        self.progress.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn attempt(
    request: reqwest::blocking::RequestBuilder,
    progress: &FetchProgress,
    deadline: Instant,
    total_timeout: Duration,
    idle_timeout: Duration,
    safe_url: &str,
) -> Result<(Vec<Followup>, ParseReport, u64), AttemptError> {
    let response = request
        .send()
        .map_err(|e| classify_reqwest(&e, total_timeout.min(idle_timeout)))?;
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
    let mut reader = BufReader::with_capacity(
        64 * 1024,
        ProgressReader {
            inner: response,
            progress,
            deadline,
        },
    );
    let io_error = |e: io::Error| -> AttemptError {
        classify_io(e, progress, total_timeout, idle_timeout).into()
    };

    if status.is_redirection() {
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| Url::parse(safe_url).ok()?.join(l).ok())
            .map_or_else(|| "(sem endereço)".to_owned(), |u| redact(&u));
        return Err(ApiError::Redirect { location }.into());
    }

    if !status.is_success() {
        let mut body = Vec::new();
        (&mut reader)
            .take(64 * 1024)
            .read_to_end(&mut body)
            .map_err(io_error)?;
        let server_message = json_message(&body);
        let error = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ApiError::InvalidToken {
                status: status.as_u16(),
                server_message,
            },
            StatusCode::NOT_FOUND => ApiError::NotFound {
                url: safe_url.to_owned(),
            },
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

    // Look at the first meaningful byte before parsing: an HTML page or an empty body is not
    // worth a JSON error message.
    let first = loop {
        let buffer = reader.fill_buf().map_err(io_error)?;
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
            status: status.as_u16(),
            content_type: content_type.clone(),
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
        .map_err(io_error)?
        .starts_with(&[0xEF, 0xBB, 0xBF])
    {
        reader.consume(3);
    }

    let mut rows = Vec::new();
    let mut interner = Interner::default();
    let parsed = parse_followups(&mut reader, &mut interner, |row| {
        rows.push(row);
        progress.rows.fetch_add(1, Ordering::Relaxed);
    });
    match parsed {
        Ok(Parsed::Rows(report)) => {
            rows.shrink_to_fit();
            Ok((rows, report, progress.bytes.load(Ordering::Relaxed)))
        }
        Ok(Parsed::ApiMessage(message)) => Err(ApiError::Api {
            status: status.as_u16(),
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

fn classify_io(
    error: io::Error,
    progress: &FetchProgress,
    total: Duration,
    idle: Duration,
) -> ApiError {
    if progress.is_cancelled() {
        return ApiError::Cancelled;
    }
    if let Some(reason) = error.get_ref().and_then(|e| e.downcast_ref::<StopReason>()) {
        return match reason {
            StopReason::Cancelled => ApiError::Cancelled,
            StopReason::Deadline => ApiError::Timeout { after: total },
        };
    }
    // reqwest reports its own timeouts as an `Other` I/O error wrapping a reqwest error.
    let reqwest_timeout = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<reqwest::Error>())
        .is_some_and(reqwest::Error::is_timeout);
    if error.kind() == io::ErrorKind::TimedOut || reqwest_timeout {
        return ApiError::Timeout {
            after: idle.min(total),
        };
    }
    if is_tls_error(&error) {
        return ApiError::Tls {
            summary: "a conexão segura foi interrompida".to_owned(),
            detail: error_chain(&error),
        };
    }
    ApiError::Network {
        summary: "a conexão caiu no meio da resposta".to_owned(),
        detail: error_chain(&error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn redact_drops_the_query() {
        let url = Url::parse("https://h/api/?cpf_cnpj_formatado=52998224725").unwrap();
        assert_eq!(redact(&url), "https://h/api/");
    }
}
