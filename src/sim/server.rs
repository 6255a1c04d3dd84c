//! The simulator's HTTP server: `GET /api/v1Followup/` on 127.0.0.1, as the vendor
//! documents it, over a [`Dataset`], with a latency knob and injectable [`Fault`]s.
//!
//! The server is [`hyper`] (HTTP/1.1 with keep-alive and pipelining) on a tokio runtime of
//! its own, run by one dedicated thread: connections and requests are served concurrently,
//! and the latency is an asynchronous pause, so parallel clients are served in parallel.
//! Answers are streamed: rows are serialised (and compressed) on tokio's blocking pool
//! while they are sent, through a bounded channel, so even a million rows use little
//! memory. Dropping the [`Simulator`] stops the runtime, which closes every connection, and
//! joins its thread. Nothing is logged or printed.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{Semaphore, oneshot};

use super::body::{Damage, rows_body};
use super::dataset::{Dataset, DatasetConfig};
use super::rules::{Coding, authorized, parse_params};
use crate::sync::lock;

/// The endpoint's path.
pub const ENDPOINT_PATH: &str = "/api/v1Followup/";

/// How long a connection may take to send a request head (including the idle time before
/// it on a keep-alive connection).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once; more are closed on arrival.
const MAX_CONNECTIONS: usize = 256;
/// How long stopping waits for the runtime's blocking tasks (the body generators, which end
/// as soon as their connection is gone).
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

const JSON: &str = "application/json; charset=utf-8";
const JSON_WINDOWS_1252: &str = "application/json; charset=windows-1252";
const HTML: &str = "text/html; charset=utf-8";
const SERVER: &str = "Microsoft-IIS/10.0 (recuperador-sim)";

/// Every answer's body: small ones whole, `200` answers streamed.
type SimBody = BoxBody<Bytes, io::Error>;

/// Settings of a simulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    /// The API token clients must send as the Basic-auth username (password empty).
    pub token: String,
    /// The synthetic data served.
    pub dataset: DatasetConfig,
    /// Delay before each answer.
    pub latency: Duration,
    /// Port on 127.0.0.1; `0` picks a free one.
    pub port: u16,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            token: "demo-token".to_owned(),
            dataset: DatasetConfig::default(),
            latency: Duration::ZERO,
            port: 0,
        }
    }
}

/// A failure the simulator can be told to produce, each as a client would see it.
///
/// Faults apply to `GET` requests on the endpoint path and are counted when such a request
/// arrives. Those that replace the answer ([`Fault::ServerError`] … [`Fault::Unauthorized`])
/// act before authentication and validation; those that damage or slow the body
/// ([`Fault::MalformedJson`], [`Fault::TruncatedBody`], [`Fault::SlowTrickle`]) act on the
/// `200` answer only: a request that fails authentication or validation still gets its
/// normal `401`/`400` (and uses up the fault).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// `500` with ASP.NET's `{"Message":"An error has occurred."}`.
    ServerError,
    /// `502` with an HTML page (`text/html`), as a reverse proxy sends.
    BadGatewayHtml,
    /// `429` with a `Retry-After` header and a JSON message.
    RateLimited {
        /// The `Retry-After` value, in seconds.
        retry_after_secs: u64,
    },
    /// `503` with an HTML page.
    ServiceUnavailable,
    /// `200` with an object instead of the array: `{"sucesso":false,"mensagem":"…"}`.
    SuccessFalse,
    /// `200` with an array whose JSON breaks after a couple of rows (a string not closed),
    /// otherwise a complete HTTP answer.
    MalformedJson,
    /// `200` whose chunked body stops in the middle of a row (no `]`, no last chunk); the
    /// connection is then closed.
    TruncatedBody,
    /// The normal answer, sent in chunks of `bytes_per_chunk` with `delay` before each.
    SlowTrickle {
        /// Bytes per chunk (of the possibly compressed body); `0` counts as 1.
        bytes_per_chunk: usize,
        /// Pause before each chunk.
        delay: Duration,
    },
    /// The connection is closed without any response.
    DropConnection,
    /// `401` whatever the token.
    Unauthorized,
    /// The normal answer, but the JSON is encoded in windows-1252 and declared so
    /// (`Content-Type: application/json; charset=windows-1252`), as an older server set up for
    /// Latin-1 sends it. Not a failure for a client that honours the declared charset.
    Windows1252,
}

/// The fault currently armed: which, and for how many more requests (`None` = until cleared).
type ArmedFault = Option<(Fault, Option<u32>)>;

/// State shared by the handle and the server's tasks.
struct Shared {
    token: String,
    dataset: Arc<Dataset>,
    latency_micros: AtomicU64,
    fault: Mutex<ArmedFault>,
    requests: AtomicUsize,
    last_query: Mutex<Option<String>>,
}

impl Shared {
    fn latency(&self) -> Duration {
        Duration::from_micros(self.latency_micros.load(Ordering::Relaxed))
    }

    /// The fault for this request, counting it against the armed number of times.
    fn take_fault(&self) -> Option<Fault> {
        let mut armed = lock(&self.fault);
        let (fault, times) = armed.as_mut()?;
        let fault = *fault;
        if let Some(left) = times {
            *left = left.saturating_sub(1);
            if *left == 0 {
                *armed = None;
            }
        }
        Some(fault)
    }
}

/// A running simulator. Dropping it stops the server, closes every connection and joins
/// its thread.
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    url: url::Url,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Generates the dataset and starts serving on 127.0.0.1.
    pub fn start(config: SimConfig) -> io::Result<Simulator> {
        let dataset = Arc::new(Dataset::generate(&config.dataset));
        Simulator::start_with_dataset(config, dataset)
    }

    /// Starts serving an already generated dataset (shared, e.g. by several simulators);
    /// `config.dataset` is ignored.
    pub fn start_with_dataset(config: SimConfig, dataset: Arc<Dataset>) -> io::Result<Simulator> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        let addr = listener.local_addr()?;
        let url = url::Url::parse(&format!("http://{addr}{ENDPOINT_PATH}"))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .thread_name("sim-blocking")
            .build()?;
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let shared = Arc::new(Shared {
            token: config.token,
            dataset,
            latency_micros: AtomicU64::new(duration_micros(config.latency)),
            fault: Mutex::new(None),
            requests: AtomicUsize::new(0),
            last_query: Mutex::new(None),
        });
        let (stop, stopped) = oneshot::channel();
        let thread = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("sim-server".into())
                .spawn(move || run(runtime, listener, shared, stopped))?
        };
        Ok(Simulator {
            shared,
            addr,
            url,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The endpoint's base URL: `http://127.0.0.1:<port>/api/v1Followup/`.
    pub fn url(&self) -> url::Url {
        self.url.clone()
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token the server accepts.
    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// The data served.
    pub fn dataset(&self) -> &Dataset {
        &self.shared.dataset
    }

    /// The data served, shared.
    pub fn dataset_arc(&self) -> Arc<Dataset> {
        self.shared.dataset.clone()
    }

    /// Requests received so far (every path and method).
    pub fn request_count(&self) -> usize {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// The raw query string (after `?`, still percent-encoded) of the last request; empty
    /// when it had none, `None` before the first request.
    pub fn last_query(&self) -> Option<String> {
        lock(&self.shared.last_query).clone()
    }

    /// Arms a fault for requests to the endpoint: `times: None` for every request until
    /// cleared, `Some(n)` for the next `n`. `fault: None` (or `Some(0)` times) clears it.
    pub fn set_fault(&self, fault: Option<Fault>, times: Option<u32>) {
        let armed = match (fault, times) {
            (Some(_), Some(0)) | (None, _) => None,
            (Some(fault), times) => Some((fault, times)),
        };
        *lock(&self.shared.fault) = armed;
    }

    /// Changes the delay before each answer.
    pub fn set_latency(&self, latency: Duration) {
        self.shared
            .latency_micros
            .store(duration_micros(latency), Ordering::Relaxed);
    }

    /// Stops the server now (the same as dropping it).
    pub fn shutdown(self) {}
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn duration_micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// The server thread: accepts until told to stop, then shuts the runtime down, which drops
/// every connection (closing its socket) and the listener.
fn run(
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    stopped: oneshot::Receiver<()>,
) {
    runtime.block_on(async move {
        let acceptor = tokio::spawn(accept_loop(listener, shared));
        // An error means the handle is gone without a word, which is a stop too.
        let _ = stopped.await;
        acceptor.abort();
    });
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
}

async fn accept_loop(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        // What the vendor's server sends; clients must not care, but raw tests read it.
        .title_case_headers(true);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors or similar: give the system a moment.
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Over the limit, the connection is closed on arrival (dropped here).
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let service = service_fn(move |request| respond(shared.clone(), request));
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::spawn(async move {
            // An error is the client going away, or a fault: either way the connection ends.
            let _ = connection.await;
            drop(slot);
        });
    }
}

/// `{"Message": "..."}`, ASP.NET Web API's error shape.
fn message_json(message: &str) -> Vec<u8> {
    serde_json::json!({ "Message": message })
        .to_string()
        .into_bytes()
}

/// A whole small answer (`Content-Length` is set by hyper).
fn simple(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<SimBody> {
    let body = Full::new(body.into())
        .map_err(|never| match never {})
        .boxed();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::SERVER, HeaderValue::from_static(SERVER));
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn unauthorized() -> Response<SimBody> {
    let body = message_json("Authorization has been denied for this request.");
    let mut response = simple(StatusCode::UNAUTHORIZED, JSON, body);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Recuperador\""),
    );
    response
}

/// Answers one request. `Err` makes hyper close the connection without a response
/// ([`Fault::DropConnection`]).
async fn respond(shared: Arc<Shared>, request: Request<Incoming>) -> io::Result<Response<SimBody>> {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let query = request.uri().query().unwrap_or("").to_owned();
    *lock(&shared.last_query) = Some(query.clone());

    let latency = shared.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let path = request.uri().path();
    let on_endpoint = path.eq_ignore_ascii_case(ENDPOINT_PATH)
        || path.eq_ignore_ascii_case(ENDPOINT_PATH.trim_end_matches('/'));
    if !on_endpoint {
        let body = message_json(&format!(
            "Nenhum recurso HTTP corresponde ao endereço solicitado ('{path}')."
        ));
        return Ok(simple(StatusCode::NOT_FOUND, JSON, body));
    }
    if request.method() != Method::GET {
        // hyper leaves the body out of an answer to HEAD.
        let body = message_json(&format!(
            "O método '{}' não é permitido para este recurso; use GET.",
            request.method()
        ));
        let mut response = simple(StatusCode::METHOD_NOT_ALLOWED, JSON, body);
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return Ok(response);
    }

    let fault = shared.take_fault();
    match fault {
        Some(Fault::DropConnection) => {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection dropped on purpose",
            ));
        }
        Some(Fault::ServerError) => {
            let body = message_json("An error has occurred.");
            return Ok(simple(StatusCode::INTERNAL_SERVER_ERROR, JSON, body));
        }
        Some(Fault::BadGatewayHtml) => {
            return Ok(simple(StatusCode::BAD_GATEWAY, HTML, BAD_GATEWAY_HTML));
        }
        Some(Fault::RateLimited { retry_after_secs }) => {
            let body = message_json(&format!(
                "Limite de requisições excedido. Tente novamente em {retry_after_secs} segundos."
            ));
            let mut response = simple(StatusCode::TOO_MANY_REQUESTS, JSON, body);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return Ok(response);
        }
        Some(Fault::ServiceUnavailable) => {
            return Ok(simple(
                StatusCode::SERVICE_UNAVAILABLE,
                HTML,
                SERVICE_UNAVAILABLE_HTML,
            ));
        }
        Some(Fault::SuccessFalse) => {
            let body = serde_json::json!({ "sucesso": false, "mensagem": "Credor não encontrado" })
                .to_string();
            return Ok(simple(StatusCode::OK, JSON, body));
        }
        Some(Fault::Unauthorized) => return Ok(unauthorized()),
        Some(
            Fault::MalformedJson
            | Fault::TruncatedBody
            | Fault::SlowTrickle { .. }
            | Fault::Windows1252,
        )
        | None => {}
    }

    let header_str = |name: header::HeaderName| {
        request
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    if !authorized(header_str(header::AUTHORIZATION), &shared.token) {
        return Ok(unauthorized());
    }
    let filter = match parse_params(&query) {
        Ok(filter) => filter,
        Err(problems) => {
            let body = message_json(&format!("A requisição é inválida. {}", problems.join(" ")));
            return Ok(simple(StatusCode::BAD_REQUEST, JSON, body));
        }
    };

    let coding = Coding::negotiate(header_str(header::ACCEPT_ENCODING));
    let damage = match fault {
        Some(Fault::MalformedJson) => Damage::Malformed,
        Some(Fault::TruncatedBody) => Damage::Truncated,
        _ => Damage::None,
    };
    let trickle = match fault {
        Some(Fault::SlowTrickle {
            bytes_per_chunk,
            delay,
        }) => Some((bytes_per_chunk, delay)),
        _ => None,
    };
    // No length is known: hyper sends it chunked (or, to HTTP/1.0, until the connection
    // closes).
    let windows_1252 = fault == Some(Fault::Windows1252);
    let body = rows_body(
        shared.dataset.clone(),
        filter,
        coding,
        damage,
        trickle,
        windows_1252,
    )
    .boxed();
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::SERVER, HeaderValue::from_static(SERVER));
    let content_type = if windows_1252 {
        JSON_WINDOWS_1252
    } else {
        JSON
    };
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(value) = coding.header_value() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(value));
    }
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Ok(response)
}

const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n\
<center>O servidor de origem não respondeu corretamente.</center>\r\n\
<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

const SERVICE_UNAVAILABLE_HTML: &str = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"\"http://www.w3.org/TR/html4/strict.dtd\">\r\n\
<HTML><HEAD><TITLE>Serviço indisponível</TITLE>\r\n\
<META HTTP-EQUIV=\"Content-Type\" Content=\"text/html; charset=utf-8\"></HEAD>\r\n\
<BODY><h2>Serviço indisponível</h2>\r\n<hr><p>HTTP Error 503. O serviço está temporariamente indisponível.</p>\r\n\
</BODY></HTML>\r\n";
