//! The little HTTP/1.1 the simulator needs, on `std::net`: reading request heads (with
//! keep-alive and pipelining), writing simple responses, and a streaming body writer with
//! chunked framing, optional trickling and gzip/brotli compression.
//!
//! Written by hand rather than on a server crate so that faults can be exact on the wire:
//! a connection closed without a byte, a chunked stream without its last chunk.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Largest request head accepted (request line and headers).
const MAX_HEAD_BYTES: usize = 32 * 1024;
/// Largest request body read and discarded (GET requests should have none).
const MAX_DISCARDED_BODY_BYTES: usize = 1024 * 1024;
/// Bytes gathered before a chunk is sent, when not trickling.
const CHUNK_BYTES: usize = 16 * 1024;

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    pub target: String,
    /// `true` for HTTP/1.1 (or later), `false` for HTTP/1.0.
    pub http11: bool,
    headers: Vec<(String, String)>,
    /// The request had a body this server cannot frame: the connection must close after it.
    pub must_close: bool,
}

impl Request {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path of the target, without the query (absolute-form targets are reduced).
    pub fn path(&self) -> &str {
        let target = self.origin_form();
        target.split_once('?').map_or(target, |(path, _)| path)
    }

    /// The raw query string (after `?`), empty when there is none.
    pub fn query(&self) -> &str {
        self.origin_form()
            .split_once('?')
            .map_or("", |(_, query)| query)
    }

    fn origin_form(&self) -> &str {
        let target = self.target.as_str();
        for scheme in ["http://", "https://"] {
            if let Some(rest) = target.strip_prefix(scheme) {
                return rest.find('/').map_or("/", |at| &rest[at..]);
            }
        }
        target
    }

    /// Whether the client allows the connection to stay open after the response.
    pub fn keep_alive(&self) -> bool {
        if self.must_close {
            return false;
        }
        let connection = self.header("connection").unwrap_or("");
        let has = |token: &str| {
            connection
                .split(',')
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if self.http11 {
            !has("close")
        } else {
            has("keep-alive")
        }
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed the connection (or it timed out) between requests.
    Closed,
    /// The head is larger than [`MAX_HEAD_BYTES`].
    TooLarge,
    /// The head is not HTTP.
    Malformed,
}

/// Reads request heads from a connection, keeping any bytes of the next pipelined request.
pub(crate) struct RequestReader {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl RequestReader {
    pub fn new(stream: TcpStream) -> Self {
        RequestReader {
            stream,
            buffer: Vec::with_capacity(4096),
        }
    }

    /// Reads the next request head, and discards its body if it announces one.
    pub fn next_request(&mut self) -> Result<Request, ReadError> {
        let head_end = loop {
            if let Some(end) = find_head_end(&self.buffer) {
                break end;
            }
            if self.buffer.len() > MAX_HEAD_BYTES {
                return Err(ReadError::TooLarge);
            }
            if self.fill()? == 0 {
                return Err(ReadError::Closed);
            }
        };
        let head = self.buffer.drain(..head_end).collect::<Vec<u8>>();
        let mut request = parse_head(&head).ok_or(ReadError::Malformed)?;
        if request.header("transfer-encoding").is_some() {
            // A chunked request body is not worth parsing here: answer, then close.
            request.must_close = true;
        } else if let Some(length) = request.header("content-length") {
            match length.trim().parse::<usize>() {
                Ok(length) if length <= MAX_DISCARDED_BODY_BYTES => self.discard(length)?,
                _ => request.must_close = true,
            }
        }
        Ok(request)
    }

    fn fill(&mut self) -> Result<usize, ReadError> {
        let mut chunk = [0_u8; 4096];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(n) => {
                    self.buffer.extend_from_slice(&chunk[..n]);
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(ReadError::Closed),
            }
        }
    }

    fn discard(&mut self, mut length: usize) -> Result<(), ReadError> {
        loop {
            let take = length.min(self.buffer.len());
            self.buffer.drain(..take);
            length -= take;
            if length == 0 {
                return Ok(());
            }
            if self.fill()? == 0 {
                return Err(ReadError::Closed);
            }
        }
    }
}

/// The index just past the blank line ending a head (`\r\n\r\n`, or a lenient `\n\n`).
fn find_head_end(buffer: &[u8]) -> Option<usize> {
    let crlf = buffer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|at| at + 4);
    let lf = buffer
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|at| at + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn parse_head(head: &[u8]) -> Option<Request> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
    // Tolerate empty lines before the request line (RFC 9112, 2.2).
    let request_line = lines.by_ref().find(|l| !l.is_empty())?;
    let mut parts = request_line.split(' ').filter(|p| !p.is_empty());
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let version = parts.next()?;
    if parts.next().is_some() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return None,
    };
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        if name.is_empty() || name.contains(char::is_whitespace) {
            return None;
        }
        headers.push((name.to_owned(), value.trim().to_owned()));
    }
    Some(Request {
        method,
        target,
        http11,
        headers,
        must_close: false,
    })
}

/// The reason phrase of the statuses this server sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Writes the status line and headers. `Connection: close` is added when `keep_alive` is off.
pub(crate) fn write_head(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    keep_alive: bool,
) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    head.push_str("Server: Microsoft-IIS/10.0 (recuperador-sim)\r\n");
    for (name, value) in headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())
}

/// Writes a whole small response with a `Content-Length`.
pub(crate) fn write_simple(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    extra_headers: &[(&str, String)],
    keep_alive: bool,
) -> io::Result<()> {
    let mut headers = vec![
        ("Content-Type", content_type.to_owned()),
        ("Content-Length", body.len().to_string()),
    ];
    headers.extend(extra_headers.iter().cloned());
    write_head(stream, status, &headers, keep_alive)?;
    stream.write_all(body)?;
    stream.flush()
}

/// Sleeps for `duration`, waking early when `stop` is set. Returns `false` if stopped.
pub(crate) fn sleep_unless_stopped(duration: Duration, stop: &AtomicBool) -> bool {
    let deadline = Instant::now() + duration;
    loop {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        let now = Instant::now();
        if now >= deadline {
            return true;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(10)));
    }
}

/// How a streamed body is framed and paced.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Framing {
    /// Chunked transfer coding (HTTP/1.1); otherwise the body ends when the connection closes.
    pub chunked: bool,
    /// Send at most this many bytes per chunk, waiting this long before each one.
    pub trickle: Option<(usize, Duration)>,
}

/// The bottom of a streamed body: buffers, frames chunks, paces them, and stops writing as
/// soon as the server shuts down or the client goes away.
pub(crate) struct BodySink<'a> {
    stream: &'a mut TcpStream,
    stop: &'a AtomicBool,
    framing: Framing,
    buffer: Vec<u8>,
    failed: bool,
    /// The body was ended or abandoned: later writes (a compressor's trailer written on
    /// drop) are discarded.
    sealed: bool,
}

impl<'a> BodySink<'a> {
    pub fn new(stream: &'a mut TcpStream, stop: &'a AtomicBool, framing: Framing) -> Self {
        BodySink {
            stream,
            stop,
            framing,
            buffer: Vec::with_capacity(CHUNK_BYTES),
            failed: false,
            sealed: false,
        }
    }

    fn chunk_limit(&self) -> usize {
        self.framing
            .trickle
            .map_or(CHUNK_BYTES, |(bytes, _)| bytes.max(1))
    }

    /// Sends everything buffered, in chunks of at most the limit.
    fn emit_buffered(&mut self) -> io::Result<()> {
        let limit = self.chunk_limit();
        let mut start = 0;
        while start < self.buffer.len() {
            let end = (start + limit).min(self.buffer.len());
            let result = self.emit(start, end);
            if let Err(e) = result {
                self.failed = true;
                self.buffer.clear();
                return Err(e);
            }
            start = end;
        }
        self.buffer.clear();
        Ok(())
    }

    fn emit(&mut self, start: usize, end: usize) -> io::Result<()> {
        if let Some((_, delay)) = self.framing.trickle
            && !sleep_unless_stopped(delay, self.stop)
        {
            return Err(io::Error::other("simulator stopping"));
        }
        if self.stop.load(Ordering::Relaxed) {
            return Err(io::Error::other("simulator stopping"));
        }
        let data = &self.buffer[start..end];
        if self.framing.chunked {
            let mut framed = Vec::with_capacity(data.len() + 12);
            framed.extend_from_slice(format!("{:X}\r\n", data.len()).as_bytes());
            framed.extend_from_slice(data);
            framed.extend_from_slice(b"\r\n");
            self.stream.write_all(&framed)
        } else {
            self.stream.write_all(data)
        }
    }

    /// Ends the body properly (the last chunk, when chunked).
    pub fn finish(&mut self) -> io::Result<()> {
        if self.sealed {
            return Ok(());
        }
        self.sealed = true;
        if self.failed {
            return Err(io::Error::other("body already failed"));
        }
        self.emit_buffered()?;
        if self.framing.chunked {
            self.stream.write_all(b"0\r\n\r\n")?;
        }
        self.stream.flush()
    }

    /// Sends what is buffered and stops there, without ending the body.
    pub fn abandon(&mut self) -> io::Result<()> {
        if self.sealed {
            return Ok(());
        }
        self.sealed = true;
        self.emit_buffered()?;
        self.stream.flush()
    }
}

impl Write for BodySink<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.sealed {
            return Ok(data.len());
        }
        if self.failed {
            return Err(io::Error::other("body already failed"));
        }
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= self.chunk_limit() {
            self.emit_buffered()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.sealed {
            return Ok(());
        }
        self.emit_buffered()?;
        self.stream.flush()
    }
}

/// A content coding the client accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coding {
    /// No compression.
    Identity,
    /// `gzip`.
    Gzip,
    /// `br`.
    Brotli,
}

impl Coding {
    /// Picks a coding from `Accept-Encoding`: `br` preferred, then `gzip`, else none.
    pub fn negotiate(accept_encoding: Option<&str>) -> Coding {
        let Some(header) = accept_encoding else {
            return Coding::Identity;
        };
        let mut br = None;
        let mut gzip = None;
        let mut any = None;
        for item in header.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let accepted = quality > 0.0;
            match name.as_str() {
                "br" => br = Some(accepted),
                "gzip" | "x-gzip" => gzip = Some(accepted),
                "*" => any = Some(accepted),
                _ => {}
            }
        }
        let any = any.unwrap_or(false);
        if br.unwrap_or(any) {
            Coding::Brotli
        } else if gzip.unwrap_or(any) {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }

    /// The `Content-Encoding` value, if any.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Coding::Identity => None,
            Coding::Gzip => Some("gzip"),
            Coding::Brotli => Some("br"),
        }
    }
}

/// A compressing (or pass-through) writer over the body sink.
pub(crate) enum Encoder<W: Write> {
    Identity(W),
    // Boxed like Brotli: the encoder's state is over 200 bytes (clippy::large_enum_variant).
    Gzip(Box<flate2::write::GzEncoder<W>>),
    Brotli(Box<brotli::CompressorWriter<W>>),
}

impl<W: Write> Encoder<W> {
    pub fn new(coding: Coding, inner: W) -> Self {
        match coding {
            Coding::Identity => Encoder::Identity(inner),
            // Fast levels: the simulator must stream a million rows quickly.
            Coding::Gzip => Encoder::Gzip(Box::new(flate2::write::GzEncoder::new(
                inner,
                flate2::Compression::fast(),
            ))),
            Coding::Brotli => Encoder::Brotli(Box::new(brotli::CompressorWriter::new(
                inner,
                16 * 1024,
                3,
                22,
            ))),
        }
    }

    /// Ends the compressed stream and returns the sink.
    pub fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Identity(inner) => Ok(inner),
            Encoder::Gzip(encoder) => encoder.finish(),
            Encoder::Brotli(encoder) => Ok(encoder.into_inner()),
        }
    }

    /// The writer under the compression.
    pub fn inner_mut(&mut self) -> &mut W {
        match self {
            Encoder::Identity(inner) => inner,
            Encoder::Gzip(encoder) => encoder.get_mut(),
            Encoder::Brotli(encoder) => encoder.get_mut(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Identity(inner) => inner.write(data),
            Encoder::Gzip(encoder) => encoder.write(data),
            Encoder::Brotli(encoder) => encoder.write(data),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Identity(inner) => inner.flush(),
            Encoder::Gzip(encoder) => encoder.flush(),
            Encoder::Brotli(encoder) => encoder.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_brotli_then_gzip() {
        let cases = [
            (None, Coding::Identity),
            (Some(""), Coding::Identity),
            (Some("gzip, deflate, br"), Coding::Brotli),
            (Some("gzip"), Coding::Gzip),
            (Some("br;q=0, gzip"), Coding::Gzip),
            (Some("identity"), Coding::Identity),
            (Some("*"), Coding::Brotli),
            (Some("*;q=0"), Coding::Identity),
            (Some("deflate"), Coding::Identity),
        ];
        for (header, expected) in cases {
            assert_eq!(Coding::negotiate(header), expected, "{header:?}");
        }
    }

    #[test]
    fn heads_parse_with_pipelined_rest() {
        let raw = b"GET /api/v1Followup/?a=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /";
        let end = find_head_end(raw).unwrap();
        let request = parse_head(&raw[..end]).unwrap();
        assert_eq!(request.method, "GET");
        assert_eq!(request.path(), "/api/v1Followup/");
        assert_eq!(request.query(), "a=1");
        assert!(!request.keep_alive());
        assert_eq!(&raw[end..], b"GET /");
        assert!(parse_head(b"garbage\r\n\r\n").is_none());
        let absolute = parse_head(b"GET http://127.0.0.1:1/x?y HTTP/1.0\r\n\r\n").unwrap();
        assert_eq!((absolute.path(), absolute.query()), ("/x", "y"));
        assert!(!absolute.keep_alive());
    }
}
