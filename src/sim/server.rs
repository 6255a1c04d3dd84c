//! The simulator's HTTP server: `GET /api/v1Followup/` on 127.0.0.1, as the vendor
//! documents it, over a [`Dataset`], with a latency knob and injectable [`Fault`]s.
//!
//! One thread accepts connections; each connection gets its own thread (keep-alive and
//! pipelining supported), so parallel clients are served in parallel. Answers are streamed:
//! rows are serialised while they are written, so even a million rows use little memory.
//! Nothing is logged or printed.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::NaiveDate;

use super::dataset::{Dataset, DatasetConfig, SimFilter};
use super::http::{
    BodySink, Coding, Encoder, Framing, ReadError, Request, RequestReader, sleep_unless_stopped,
    write_head, write_simple,
};

/// The endpoint's path.
pub const ENDPOINT_PATH: &str = "/api/v1Followup/";

/// How long an idle keep-alive connection stays open.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a write to a stalled client may block before the connection is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);
/// Connections served at once; more are closed on arrival.
const MAX_CONNECTIONS: usize = 256;
/// Full rows sent by [`Fault::TruncatedBody`] before the cut.
const TRUNCATED_FULL_ROWS: usize = 10;
/// Full rows sent by [`Fault::MalformedJson`] before the broken one.
const MALFORMED_FULL_ROWS: usize = 2;

const JSON: &str = "application/json; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

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
}

/// The fault currently armed: which, and for how many more requests (`None` = until cleared).
type ArmedFault = Option<(Fault, Option<u32>)>;

/// State shared by the handle, the accept thread and connection threads.
struct Shared {
    token: String,
    dataset: Arc<Dataset>,
    stop: AtomicBool,
    latency_micros: AtomicU64,
    fault: Mutex<ArmedFault>,
    requests: AtomicUsize,
    last_query: Mutex<Option<String>>,
    connections: Mutex<Connections>,
}

/// Live connections, so shutdown can close their sockets and join their threads.
#[derive(Default)]
struct Connections {
    next_id: u64,
    sockets: HashMap<u64, TcpStream>,
    threads: Vec<JoinHandle<()>>,
}

/// Locks a mutex, recovering the data if a thread panicked while holding it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
/// its threads.
pub struct Simulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    url: url::Url,
    acceptor: Option<JoinHandle<()>>,
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
        let listener = TcpListener::bind(("127.0.0.1", config.port))?;
        let addr = listener.local_addr()?;
        let url = url::Url::parse(&format!("http://{addr}{ENDPOINT_PATH}"))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let shared = Arc::new(Shared {
            token: config.token,
            dataset,
            stop: AtomicBool::new(false),
            latency_micros: AtomicU64::new(duration_micros(config.latency)),
            fault: Mutex::new(None),
            requests: AtomicUsize::new(0),
            last_query: Mutex::new(None),
            connections: Mutex::new(Connections::default()),
        });
        let acceptor = {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("sim-accept".into())
                .spawn(move || accept_loop(&shared, &listener))?
        };
        Ok(Simulator {
            shared,
            addr,
            url,
            acceptor: Some(acceptor),
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
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept thread, blocked in `accept`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let threads = {
            let mut connections = lock(&self.shared.connections);
            for socket in connections.sockets.values() {
                let _ = socket.shutdown(Shutdown::Both);
            }
            std::mem::take(&mut connections.threads)
        };
        for thread in threads {
            let _ = thread.join();
        }
    }
}

fn duration_micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

fn accept_loop(shared: &Arc<Shared>, listener: &TcpListener) {
    for incoming in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let stream = match incoming {
            Ok(stream) => stream,
            Err(_) => {
                // Out of descriptors or similar: give the system a moment.
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let mut connections = lock(&shared.connections);
        connections.threads.retain(|t| !t.is_finished());
        if connections.sockets.len() >= MAX_CONNECTIONS {
            let _ = stream.shutdown(Shutdown::Both);
            continue;
        }
        let Ok(registered) = stream.try_clone() else {
            continue;
        };
        let id = connections.next_id;
        connections.next_id += 1;
        connections.sockets.insert(id, registered);
        let thread_shared = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("sim-conn".into())
            .spawn(move || {
                // A bug must not take the server down: a panic ends only this connection.
                let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    serve_connection(&thread_shared, stream);
                }));
                if let Some(socket) = lock(&thread_shared.connections).sockets.remove(&id) {
                    let _ = socket.shutdown(Shutdown::Both);
                }
            });
        match spawned {
            Ok(handle) => connections.threads.push(handle),
            Err(_) => {
                if let Some(socket) = connections.sockets.remove(&id) {
                    let _ = socket.shutdown(Shutdown::Both);
                }
            }
        }
    }
}

/// What to do with the connection after a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    KeepAlive,
    Close,
}

fn serve_connection(shared: &Shared, mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = RequestReader::new(read_half);
    while !shared.stop.load(Ordering::Relaxed) {
        let next = match reader.next_request() {
            Ok(request) => handle(shared, &request, &mut stream).unwrap_or(Next::Close),
            Err(ReadError::Closed) => Next::Close,
            Err(ReadError::TooLarge) => {
                let body = message_json("O cabeçalho da requisição é grande demais.");
                let _ = write_simple(&mut stream, 431, JSON, &body, &[], false);
                Next::Close
            }
            Err(ReadError::Malformed) => {
                let body = message_json("Requisição HTTP malformada.");
                let _ = write_simple(&mut stream, 400, JSON, &body, &[], false);
                Next::Close
            }
        };
        if next == Next::Close {
            break;
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}

/// `{"Message": "..."}`, ASP.NET Web API's error shape.
fn message_json(message: &str) -> Vec<u8> {
    serde_json::json!({ "Message": message })
        .to_string()
        .into_bytes()
}

/// Answers one request. `Err` means the client went away (or the server is stopping).
fn handle(shared: &Shared, request: &Request, stream: &mut TcpStream) -> io::Result<Next> {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    *lock(&shared.last_query) = Some(request.query().to_owned());
    let keep_alive = request.keep_alive();
    let next = if keep_alive {
        Next::KeepAlive
    } else {
        Next::Close
    };

    if !sleep_unless_stopped(shared.latency(), &shared.stop) {
        return Ok(Next::Close);
    }

    let path = request.path();
    let on_endpoint = path.eq_ignore_ascii_case(ENDPOINT_PATH)
        || path.eq_ignore_ascii_case(ENDPOINT_PATH.trim_end_matches('/'));
    if !on_endpoint {
        let body = message_json(&format!(
            "Nenhum recurso HTTP corresponde ao endereço solicitado ('{path}')."
        ));
        write_simple(stream, 404, JSON, &body, &[], keep_alive)?;
        return Ok(next);
    }
    if request.method != "GET" {
        let body = message_json(&format!(
            "O método '{}' não é permitido para este recurso; use GET.",
            request.method
        ));
        if request.method == "HEAD" {
            // A HEAD answer has headers only.
            let headers = [
                ("Content-Type", JSON.to_owned()),
                ("Content-Length", body.len().to_string()),
                ("Allow", "GET".to_owned()),
            ];
            write_head(stream, 405, &headers, keep_alive)?;
            stream.flush()?;
        } else {
            let allow = [("Allow", "GET".to_owned())];
            write_simple(stream, 405, JSON, &body, &allow, keep_alive)?;
        }
        return Ok(next);
    }

    let fault = shared.take_fault();
    match &fault {
        Some(Fault::DropConnection) => return Ok(Next::Close),
        Some(Fault::ServerError) => {
            let body = message_json("An error has occurred.");
            write_simple(stream, 500, JSON, &body, &[], keep_alive)?;
            return Ok(next);
        }
        Some(Fault::BadGatewayHtml) => {
            write_simple(
                stream,
                502,
                HTML,
                BAD_GATEWAY_HTML.as_bytes(),
                &[],
                keep_alive,
            )?;
            return Ok(next);
        }
        Some(Fault::RateLimited { retry_after_secs }) => {
            let body = message_json(&format!(
                "Limite de requisições excedido. Tente novamente em {retry_after_secs} segundos."
            ));
            let headers = [("Retry-After", retry_after_secs.to_string())];
            write_simple(stream, 429, JSON, &body, &headers, keep_alive)?;
            return Ok(next);
        }
        Some(Fault::ServiceUnavailable) => {
            let body = SERVICE_UNAVAILABLE_HTML.as_bytes();
            write_simple(stream, 503, HTML, body, &[], keep_alive)?;
            return Ok(next);
        }
        Some(Fault::SuccessFalse) => {
            let body = serde_json::json!({ "sucesso": false, "mensagem": "Credor não encontrado" })
                .to_string();
            write_simple(stream, 200, JSON, body.as_bytes(), &[], keep_alive)?;
            return Ok(next);
        }
        Some(Fault::Unauthorized) => {
            write_unauthorized(stream, keep_alive)?;
            return Ok(next);
        }
        Some(Fault::MalformedJson | Fault::TruncatedBody | Fault::SlowTrickle { .. }) | None => {}
    }

    if !authorized(request.header("authorization"), &shared.token) {
        write_unauthorized(stream, keep_alive)?;
        return Ok(next);
    }
    let filter = match parse_params(request.query()) {
        Ok(filter) => filter,
        Err(problems) => {
            let body = message_json(&format!("A requisição é inválida. {}", problems.join(" ")));
            write_simple(stream, 400, JSON, &body, &[], keep_alive)?;
            return Ok(next);
        }
    };
    stream_rows(shared, request, stream, &filter, fault.as_ref(), keep_alive)
}

fn write_unauthorized(stream: &mut TcpStream, keep_alive: bool) -> io::Result<()> {
    let body = message_json("Authorization has been denied for this request.");
    let headers = [("WWW-Authenticate", "Basic realm=\"Recuperador\"".to_owned())];
    write_simple(stream, 401, JSON, &body, &headers, keep_alive)
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

/// Streams the `200` answer (or its broken variants) for a valid, authorised request.
fn stream_rows(
    shared: &Shared,
    request: &Request,
    stream: &mut TcpStream,
    filter: &SimFilter,
    fault: Option<&Fault>,
    keep_alive: bool,
) -> io::Result<Next> {
    let coding = Coding::negotiate(request.header("accept-encoding"));
    // HTTP/1.0 has no chunked coding: the body then ends with the connection.
    let chunked = request.http11;
    let truncated = matches!(fault, Some(Fault::TruncatedBody));
    let keep_alive = keep_alive && chunked && !truncated;
    let mut headers = vec![("Content-Type", JSON.to_owned())];
    if chunked {
        headers.push(("Transfer-Encoding", "chunked".to_owned()));
    }
    if let Some(value) = coding.header_value() {
        headers.push(("Content-Encoding", value.to_owned()));
    }
    headers.push(("Vary", "Accept-Encoding".to_owned()));
    write_head(stream, 200, &headers, keep_alive)?;

    let trickle = match fault {
        Some(Fault::SlowTrickle {
            bytes_per_chunk,
            delay,
        }) => Some((*bytes_per_chunk, *delay)),
        _ => None,
    };
    let mut sink = BodySink::new(stream, &shared.stop, Framing { chunked, trickle });
    let mut body = Encoder::new(coding, &mut sink);
    let rows = shared.dataset.matching(filter);
    let mut row_bytes = Vec::with_capacity(1024);
    body.write_all(b"[")?;
    let mut written = 0_usize;
    for row in rows {
        row_bytes.clear();
        serde_json::to_writer(&mut row_bytes, &row).map_err(io::Error::other)?;
        match fault {
            Some(Fault::MalformedJson) if written == MALFORMED_FULL_ROWS => break,
            Some(Fault::TruncatedBody) if written == TRUNCATED_FULL_ROWS => {
                // Half a row, then nothing: no `]`, no last chunk, connection closed.
                if written > 0 {
                    body.write_all(b",")?;
                }
                body.write_all(&row_bytes[..row_bytes.len() / 2])?;
                break;
            }
            _ => {}
        }
        if written > 0 {
            body.write_all(b",")?;
        }
        body.write_all(&row_bytes)?;
        written += 1;
    }
    match fault {
        Some(Fault::TruncatedBody) => {
            body.flush()?;
            body.inner_mut().abandon()?;
            drop(body);
            return Ok(Next::Close);
        }
        Some(Fault::MalformedJson) => {
            if written > 0 {
                body.write_all(b",")?;
            }
            // A string that is never closed properly: `"…S.A.,"cpf_cnpj":…` is not JSON.
            body.write_all(
                b"{\"id_followup\":987654321,\"nome_credor\":\"Banco Meridional S.A.,\"cpf_cnpj\":\"52998224725\",\"interacao\":}",
            )?;
            body.write_all(b"]")?;
        }
        _ => body.write_all(b"]")?,
    }
    let sink = body.finish()?;
    sink.finish()?;
    Ok(if keep_alive {
        Next::KeepAlive
    } else {
        Next::Close
    })
}

/// Whether the `Authorization` header is Basic with the token as username and an empty
/// password.
fn authorized(header: Option<&str>, token: &str) -> bool {
    let Some(header) = header else {
        return false;
    };
    let mut parts = header.trim().splitn(2, ' ');
    let scheme = parts.next().unwrap_or("");
    let Some(credentials) = parts.next() else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Some(decoded) = base64_decode(credentials.trim()) else {
        return false;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return false;
    };
    match decoded.split_once(':') {
        Some((user, password)) => !token.is_empty() && user == token && password.is_empty(),
        None => false,
    }
}

/// Decodes standard base64 (padding optional).
fn base64_decode(input: &str) -> Option<Vec<u8>> {
    fn value(byte: u8) -> Option<u32> {
        match byte {
            b'A'..=b'Z' => Some(u32::from(byte - b'A')),
            b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let trimmed = input.trim_end_matches('=');
    if input.len() - trimmed.len() > 2 || trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    for group in trimmed.as_bytes().chunks(4) {
        let mut acc = 0_u32;
        for &byte in group {
            acc = (acc << 6) | value(byte)?;
        }
        acc <<= 6 * (4 - group.len() as u32);
        let bytes = acc.to_be_bytes();
        out.extend_from_slice(&bytes[1..group.len()]);
    }
    Some(out)
}

/// Parses the seven query parameters as the ASP.NET server would, or lists every problem
/// (in Portuguese, each naming its parameter). Names match case-insensitively; the first
/// occurrence wins; unknown parameters are ignored.
fn parse_params(query: &str) -> Result<SimFilter, Vec<String>> {
    let mut values: HashMap<String, String> = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        values
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| value.into_owned());
    }
    let get = |name: &str| values.get(name).map(String::as_str).unwrap_or("");
    let mut problems = Vec::new();

    let mut int = |name: &str, required: bool| -> Option<i64> {
        let raw = get(name).trim();
        if raw.is_empty() {
            if required {
                problems.push(format!("O parâmetro '{name}' é obrigatório."));
            }
            return None;
        }
        match parse_dotnet_int(raw) {
            Some(value) => Some(value),
            None => {
                problems.push(format!(
                    "O parâmetro '{name}' aceita apenas valores inteiros; '{raw}' não é válido."
                ));
                None
            }
        }
    };
    let id_credor = int("id_credor", true);
    let id_consultor = int("id_consultor", false);
    let id_evento = int("id_evento", false);

    let cpf_cnpj = get("cpf_cnpj_formatado").to_owned();
    if cpf_cnpj.trim().is_empty() {
        problems.push("O parâmetro 'cpf_cnpj_formatado' é obrigatório.".to_owned());
    } else if cpf_cnpj.chars().count() > 18 {
        problems
            .push("O parâmetro 'cpf_cnpj_formatado' aceita no máximo 18 caracteres.".to_owned());
    }

    let reagendar = match get("reagendar") {
        "" => None,
        "S" => Some('S'),
        "N" => Some('N'),
        other if other.chars().count() > 1 => {
            problems.push("O parâmetro 'reagendar' aceita no máximo um caractere.".to_owned());
            None
        }
        _ => {
            problems.push(
                "O parâmetro 'reagendar' deve ser S (maiúsculo), N (maiúsculo) ou vazio."
                    .to_owned(),
            );
            None
        }
    };

    let mut date = |name: &str| -> Option<NaiveDate> {
        let raw = get(name);
        if raw.is_empty() {
            return None;
        }
        let parsed = parse_iso_date(raw);
        if parsed.is_none() {
            problems.push(format!(
                "O parâmetro '{name}' deve estar no formato aaaa-mm-dd; '{raw}' não é válido."
            ));
        }
        parsed
    };
    let datagte = date("datagte");
    let datalte = date("datalte");

    match id_credor {
        Some(id_credor) if problems.is_empty() => Ok(SimFilter {
            id_credor,
            cpf_cnpj,
            id_consultor,
            id_evento,
            reagendar,
            datagte,
            datalte,
        }),
        _ => Err(problems),
    }
}

/// An `Int32` as .NET parses it: optional sign, digits, within range.
fn parse_dotnet_int(raw: &str) -> Option<i64> {
    let digits = raw.strip_prefix(['+', '-']).unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse::<i32>().ok().map(i64::from)
}

/// Exactly `aaaa-mm-dd`, and a real date.
fn parse_iso_date(raw: &str) -> Option<NaiveDate> {
    let bytes = raw.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_basic_auth() {
        assert_eq!(base64_decode("ZGVtby10b2tlbjo=").unwrap(), b"demo-token:");
        assert_eq!(base64_decode("ZGVtby10b2tlbjo").unwrap(), b"demo-token:");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert!(base64_decode("Y").is_none());
        assert!(base64_decode("@@@@").is_none());
        assert!(authorized(Some("Basic ZGVtby10b2tlbjo="), "demo-token"));
        assert!(authorized(Some("basic  ZGVtby10b2tlbjo="), "demo-token"));
        assert!(!authorized(Some("Bearer ZGVtby10b2tlbjo="), "demo-token"));
        assert!(!authorized(Some("Basic ZGVtby10b2tlbjp4"), "demo-token")); // password "x"
        assert!(!authorized(None, "demo-token"));
        assert!(!authorized(Some("Basic Og=="), ""));
    }

    #[test]
    fn params_follow_the_contract() {
        let ok = parse_params(
            "id_credor=12&cpf_cnpj_formatado=529.982.247-25&id_consultor=0&id_evento=&reagendar=S&datagte=2023-09-01&datalte=2023-09-30&extra=1",
        )
        .unwrap();
        assert_eq!(ok.id_credor, 12);
        assert_eq!(ok.cpf_cnpj, "529.982.247-25");
        assert_eq!((ok.id_consultor, ok.id_evento), (Some(0), None));
        assert_eq!(ok.reagendar, Some('S'));
        assert_eq!(ok.datagte, NaiveDate::from_ymd_opt(2023, 9, 1));
        let bad = |q: &str, fragment: &str| {
            let problems = parse_params(q).unwrap_err();
            assert!(
                problems.iter().any(|p| p.contains(fragment)),
                "{q}: {problems:?}"
            );
        };
        bad("cpf_cnpj_formatado=1", "'id_credor' é obrigatório");
        bad(
            "id_credor=&cpf_cnpj_formatado=1",
            "'id_credor' é obrigatório",
        );
        bad("id_credor=1", "'cpf_cnpj_formatado' é obrigatório");
        bad(
            "id_credor=x&cpf_cnpj_formatado=1",
            "'id_credor' aceita apenas",
        );
        bad(
            "id_credor=1.5&cpf_cnpj_formatado=1",
            "'id_credor' aceita apenas",
        );
        bad("id_credor=2147483648&cpf_cnpj_formatado=1", "'id_credor'");
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&id_evento=a",
            "'id_evento'",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1234567890123456789",
            "18 caracteres",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&reagendar=SN",
            "no máximo um",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&reagendar=s",
            "'reagendar'",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&datagte=01/09/2023",
            "'datagte'",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&datalte=2023-9-1",
            "'datalte'",
        );
        bad(
            "id_credor=1&cpf_cnpj_formatado=1&datalte=2023-02-30",
            "'datalte'",
        );
        // The mask fits in 18 characters.
        assert!(parse_params("id_credor=1&cpf_cnpj_formatado=12.ABC.345%2F01DE-35").is_ok());
        assert!(parse_params("ID_CREDOR=1&Cpf_Cnpj_Formatado=1").is_ok());
    }
}
