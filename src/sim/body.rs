//! The streamed `200` body: rows are serialised (and compressed) on a blocking thread while
//! they are sent, through a bounded channel, so memory stays flat however many rows match;
//! the [`RowBody`] side paces a slow trickle and turns a cut into a connection abort.

use std::io::{self, Write};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker, ready};
use std::time::{Duration, Instant};

use hyper::body::{Body, Bytes, Frame};
use tokio::sync::mpsc;
use tokio::time::Sleep;

use super::dataset::{Dataset, SimFilter};
use super::rules::Coding;

/// Bytes gathered before a chunk is handed to the connection.
const CHUNK_BYTES: usize = 16 * 1024;
/// Chunks queued between the generator and the connection: the backpressure window.
const QUEUED_CHUNKS: usize = 4;
/// Full rows sent by a truncated body before the cut.
const TRUNCATED_FULL_ROWS: usize = 10;
/// Full rows sent by a malformed body before the broken one.
const MALFORMED_FULL_ROWS: usize = 2;
/// Pause between the last bytes of a truncated body and the abort, so the connection
/// flushes what was sent before it is torn down.
const FLUSH_PAUSE: Duration = Duration::from_millis(50);

/// How the body is damaged, if at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Damage {
    /// The complete, valid array.
    None,
    /// A couple of rows, then a row whose JSON is broken, then `]`: a complete HTTP answer.
    Malformed,
    /// Some rows and half of the next, then the connection is aborted.
    Truncated,
}

/// How long the generator waits for room in the channel (a client not reading) before it
/// gives up, which aborts the connection.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// What flows from the generator to the body. A generator that stops without sending
/// [`Item::End`] (a stalled client, a bug) makes the body fail, so a cut answer never looks
/// complete.
enum Item {
    /// More of the body.
    Data(Bytes),
    /// The body is complete.
    End,
    /// Abort the connection (after the pause that lets the sent bytes out).
    Fail(io::Error),
}

/// Starts generating the rows of `filter` on the blocking pool and returns the body that
/// streams them; `windows_1252` encodes the JSON text in windows-1252 instead of UTF-8. Must
/// be called within a tokio runtime.
pub(crate) fn rows_body(
    dataset: Arc<Dataset>,
    filter: SimFilter,
    coding: Coding,
    damage: Damage,
    trickle: Option<(usize, Duration)>,
    windows_1252: bool,
) -> RowBody {
    let (tx, rx) = mpsc::channel(QUEUED_CHUNKS);
    let sender = Sender { tx };
    // The generator ends by itself when the body is dropped (its sends then fail).
    drop(tokio::task::spawn_blocking(move || {
        generate(&dataset, &filter, coding, damage, windows_1252, sender);
    }));
    RowBody::new(rx, trickle)
}

/// Writes the JSON array (or its damaged variant) through the encoder into the channel.
/// Returns early, silently, when the body was dropped (client gone, server stopping).
fn generate(
    dataset: &Dataset,
    filter: &SimFilter,
    coding: Coding,
    damage: Damage,
    windows_1252: bool,
    tx: Sender,
) {
    let mut body = Encoder::new(coding, ChunkSink::new(tx));
    if write_rows(dataset, filter, damage, windows_1252, &mut body).is_err() {
        return;
    }
    match damage {
        Damage::Truncated => {
            // Whatever was compressed so far goes out; then the cut.
            if body.flush().is_err() || body.inner_mut().abandon().is_err() {
                return;
            }
            let failure = io::Error::other("body truncated on purpose");
            let _ = body.inner_mut().tx.send(Item::Fail(failure));
        }
        Damage::None | Damage::Malformed => {
            if let Ok(mut sink) = body.finish()
                && sink.flush().is_ok()
            {
                let _ = sink.tx.send(Item::End);
            }
        }
    }
}

/// The array's bytes, row by row; for a truncated body everything up to the cut.
fn write_rows<W: Write>(
    dataset: &Dataset,
    filter: &SimFilter,
    damage: Damage,
    windows_1252: bool,
    body: &mut W,
) -> io::Result<()> {
    let mut row_bytes = Vec::with_capacity(1024);
    body.write_all(b"[")?;
    let mut written = 0_usize;
    for row in dataset.matching(filter) {
        row_bytes.clear();
        serde_json::to_writer(&mut row_bytes, &row).map_err(io::Error::other)?;
        if windows_1252 {
            // serde_json writes UTF-8; the data's Portuguese text is all within windows-1252.
            let text = std::str::from_utf8(&row_bytes).map_err(io::Error::other)?;
            let (encoded, _, _) = encoding_rs::WINDOWS_1252.encode(text);
            row_bytes = encoded.into_owned();
        }
        match damage {
            Damage::Malformed if written == MALFORMED_FULL_ROWS => break,
            Damage::Truncated if written == TRUNCATED_FULL_ROWS => {
                // Half a row, then nothing more.
                if written > 0 {
                    body.write_all(b",")?;
                }
                body.write_all(&row_bytes[..row_bytes.len() / 2])?;
                return Ok(());
            }
            _ => {}
        }
        if written > 0 {
            body.write_all(b",")?;
        }
        body.write_all(&row_bytes)?;
        written += 1;
    }
    match damage {
        Damage::Truncated => Ok(()),
        Damage::Malformed => {
            if written > 0 {
                body.write_all(b",")?;
            }
            // A string that is never closed properly: `"…S.A.,"cpf_cnpj":…` is not JSON.
            body.write_all(
                b"{\"id_followup\":987654321,\"nome_credor\":\"Banco Meridional S.A.,\"cpf_cnpj\":\"52998224725\",\"interacao\":}",
            )?;
            body.write_all(b"]")
        }
        Damage::None => body.write_all(b"]"),
    }
}

/// The generator's end of the channel.
struct Sender {
    tx: mpsc::Sender<Item>,
}

impl Sender {
    /// Sends, blocking while the channel is full (backpressure), at most [`STALL_TIMEOUT`].
    /// Fails when the body is gone (client gone, server stopping) or the client stalled.
    fn send(&self, item: Item) -> io::Result<()> {
        match wait_at_most(STALL_TIMEOUT, self.tx.send(item)) {
            Some(Ok(())) => Ok(()),
            Some(Err(_)) => Err(io::Error::new(io::ErrorKind::BrokenPipe, "body dropped")),
            None => Err(io::Error::new(io::ErrorKind::TimedOut, "client stalled")),
        }
    }
}

/// Wakes a thread parked in [`wait_at_most`].
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` on this (blocking) thread until it completes or `limit` passes. Uses no
/// runtime timer, so it works (and cannot panic) while the server's runtime shuts down.
fn wait_at_most<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    let deadline = Instant::now() + limit;
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        std::thread::park_timeout(left);
    }
}

/// The bottom of the generator: gathers bytes into chunks and sends them down the channel.
struct ChunkSink {
    tx: Sender,
    buffer: Vec<u8>,
    /// The body was abandoned: later writes (a compressor's trailer written on drop) are
    /// discarded.
    sealed: bool,
}

impl ChunkSink {
    fn new(tx: Sender) -> Self {
        ChunkSink {
            tx,
            buffer: Vec::with_capacity(CHUNK_BYTES),
            sealed: false,
        }
    }

    fn send_buffered(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES));
        self.tx.send(Item::Data(Bytes::from(chunk)))
    }

    /// Sends what is buffered and accepts nothing more.
    fn abandon(&mut self) -> io::Result<()> {
        let sent = self.send_buffered();
        self.sealed = true;
        sent
    }
}

impl Write for ChunkSink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.sealed {
            return Ok(data.len());
        }
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK_BYTES {
            self.send_buffered()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.sealed {
            return Ok(());
        }
        self.send_buffered()
    }
}

/// A compressing (or pass-through) writer.
enum Encoder<W: Write> {
    Identity(W),
    Gzip(Box<flate2::write::GzEncoder<W>>),
    Brotli(Box<brotli::CompressorWriter<W>>),
}

impl<W: Write> Encoder<W> {
    fn new(coding: Coding, inner: W) -> Self {
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

    /// Ends the compressed stream and returns the writer under it.
    fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Identity(inner) => Ok(inner),
            Encoder::Gzip(encoder) => encoder.finish(),
            Encoder::Brotli(encoder) => Ok(encoder.into_inner()),
        }
    }

    /// The writer under the compression.
    fn inner_mut(&mut self) -> &mut W {
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

/// The connection's side of a streamed answer: chunks as the generator produces them, or
/// (trickling) `bytes_per_chunk` at a time with a pause before each; an error from the
/// generator aborts the connection after a short pause that lets the sent bytes out.
pub(crate) struct RowBody {
    rx: mpsc::Receiver<Item>,
    trickle: Option<(usize, Duration)>,
    /// Bytes received but not yet sent (trickling only).
    pending: Bytes,
    /// The pause under way: before the next trickled piece, or before the abort.
    sleep: Option<Pin<Box<Sleep>>>,
    /// The error to end with once the pause is over.
    failure: Option<io::Error>,
    done: bool,
}

impl RowBody {
    fn new(rx: mpsc::Receiver<Item>, trickle: Option<(usize, Duration)>) -> Self {
        RowBody {
            rx,
            trickle: trickle.map(|(bytes, delay)| (bytes.max(1), delay)),
            pending: Bytes::new(),
            sleep: None,
            failure: None,
            done: false,
        }
    }
}

impl Body for RowBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        loop {
            if let Some(sleep) = this.sleep.as_mut() {
                ready!(sleep.as_mut().poll(cx));
                this.sleep = None;
                if let Some(failure) = this.failure.take() {
                    this.done = true;
                    return Poll::Ready(Some(Err(failure)));
                }
                let size = this.trickle.map_or(usize::MAX, |(bytes, _)| bytes);
                let piece = this.pending.split_to(size.min(this.pending.len()));
                return Poll::Ready(Some(Ok(Frame::data(piece))));
            }
            if let Some((_, delay)) = this.trickle
                && !this.pending.is_empty()
            {
                this.sleep = Some(Box::pin(tokio::time::sleep(delay)));
                continue;
            }
            if this.done {
                return Poll::Ready(None);
            }
            let failure = match ready!(this.rx.poll_recv(cx)) {
                Some(Item::Data(chunk)) if this.trickle.is_some() => {
                    this.pending = chunk;
                    continue;
                }
                Some(Item::Data(chunk)) => return Poll::Ready(Some(Ok(Frame::data(chunk)))),
                Some(Item::End) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Some(Item::Fail(failure)) => failure,
                None => io::Error::other("the body's generator stopped early"),
            };
            this.failure = Some(failure);
            this.sleep = Some(Box::pin(tokio::time::sleep(FLUSH_PAUSE)));
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn body_of(items: Vec<Item>, trickle: Option<(usize, Duration)>) -> RowBody {
        let (tx, rx) = mpsc::channel(items.len().max(1));
        for item in items {
            assert!(tx.try_send(item).is_ok());
        }
        RowBody::new(rx, trickle)
    }

    fn data(bytes: &'static [u8]) -> Item {
        Item::Data(Bytes::from_static(bytes))
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn a_body_ends_cleanly_only_after_its_end_marker() {
        runtime().block_on(async {
            let complete = body_of(vec![data(b"[1,"), data(b"2]"), Item::End], None);
            let bytes = complete.collect().await.unwrap().to_bytes();
            assert_eq!(&bytes[..], b"[1,2]");
            // The generator went away without the marker: the body fails.
            let cut = body_of(vec![data(b"[1,")], None);
            assert!(cut.collect().await.is_err());
            let failed = body_of(vec![data(b"[1,"), Item::Fail(io::Error::other("x"))], None);
            assert!(failed.collect().await.is_err());
        });
    }

    #[test]
    fn trickling_splits_chunks_and_pauses_before_each() {
        runtime().block_on(async {
            let delay = Duration::from_millis(20);
            let mut body = body_of(vec![data(b"abcde"), Item::End], Some((2, delay)));
            let started = Instant::now();
            let mut pieces = Vec::new();
            while let Some(frame) = body.frame().await {
                pieces.push(frame.unwrap().into_data().unwrap());
            }
            assert_eq!(pieces, ["ab", "cd", "e"]);
            assert!(started.elapsed() >= delay * 3);
            assert!(body.is_end_stream());
        });
    }

    #[test]
    fn a_stalled_send_gives_up() {
        let (tx, _rx) = mpsc::channel(1);
        assert!(tx.try_send(Item::End).is_ok());
        let limit = Duration::from_millis(30);
        let started = Instant::now();
        assert!(wait_at_most(limit, tx.send(Item::End)).is_none());
        assert!(started.elapsed() >= limit);
        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        assert!(matches!(
            wait_at_most(limit, tx.send(Item::End)),
            Some(Err(_))
        ));
    }
}
