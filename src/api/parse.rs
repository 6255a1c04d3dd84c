//! Tolerant, streaming parsing of the API's answer.
//!
//! The body is parsed while it streams in: each row is handed to a sink as soon as it is
//! read, so the whole body is never held in memory. Repeated strings are shared through an
//! [`Interner`]. The vendor's documentation is thin, so the parser forgives what a real server
//! may send: `null` anywhere, missing fields, unknown extra fields, unknown codes (kept
//! as-is), ids sent as strings, dates with or without fractions or offsets, bare dates,
//! `hh:mm` times, and ASP.NET's `/Date(ms)/`. A row with an unreadable field is kept with that
//! field empty; an array item that is not an object is skipped. Both are counted and the first
//! reason kept for the user.
//!
//! A value outside its type (`1e400`, an integer past `u64`, a date past chrono's range, an
//! offset that pushes a date out of it) blanks that one field, never the answer: the array is
//! split into items as the bytes stream in, serde_json reads each item from memory with every
//! key and value as raw text (checking syntax, converting nothing), and each field's text is
//! then converted for its column with checked arithmetic only. Nothing here panics on any
//! input.
//!
//! The items are parsed on other threads while the body streams in: the reading thread only
//! splits the array into chunks of whole items (about 256 KiB each), workers parse chunks,
//! and rows reach the sink in the body's order, with the report and the first error exactly
//! as a parse on one thread gives them ([`ParseOptions`]). Each worker shares strings through
//! its own [`Interner`], so an equal name may be held once per worker.
//!
//! An object instead of an array is the API talking about an error, even under HTTP 200
//! (`{"Message": …}`, `{"sucesso": false, "mensagem": …}`): it becomes [`Parsed::ApiMessage`].

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::io::Read;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize as _, Deserializer as _};
use serde_json::value::RawValue;

use super::model::{Column, Followup, SharedStr, SharedText, StoredCode};

mod object;

/// Shares equal strings between rows: one allocation per distinct creditor, debtor,
/// consultant, event or login, however many rows repeat it.
#[derive(Default, Debug)]
pub struct Interner {
    /// foldhash, seeded per set: several times faster than SipHash on short names, and a
    /// server cannot predict its collisions.
    set: HashSet<SharedStr, foldhash::fast::RandomState>,
}

impl Interner {
    /// The shared copy of `text`, allocating it the first time it is seen.
    pub fn intern(&mut self, text: &str) -> SharedStr {
        if let Some(shared) = self.set.get(text) {
            return shared.clone();
        }
        let shared = SharedStr::from(text);
        self.set.insert(shared.clone());
        shared
    }

    /// Bytes held by the distinct strings (their text only).
    pub fn heap_bytes(&self) -> usize {
        self.set.iter().map(|s| s.len()).sum()
    }

    /// How many distinct strings are held.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether no string is held.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

/// The interaction texts of the chunk being read, one after the other, and which row each
/// belongs to: at the chunk's end they become one [`SharedText`] allocation that the rows
/// share, instead of one allocation per row (the allocator's overhead and scattering cost
/// about as much as the texts themselves over a million rows).
#[derive(Default)]
struct TextArena {
    text: String,
    /// (row index in the chunk, start, end) of the texts in [`Self::text`].
    rows: Vec<(usize, u32, u32)>,
}

/// Where a row's interaction text went.
enum TextAt {
    /// A range of the chunk's [`TextArena`].
    Arena(u32, u32),
    /// Its own allocation: the arena cannot index past `u32::MAX` bytes.
    Own(SharedText),
}

/// Above this, a worker's arena does not keep its buffer for the next chunk.
const TEXT_ARENA_KEPT_BYTES: usize = 4 << 20;

impl TextArena {
    /// Adds a text to the arena.
    fn push(&mut self, text: &str) -> TextAt {
        let start = self.text.len();
        match (
            u32::try_from(start),
            u32::try_from(start.saturating_add(text.len())),
        ) {
            (Ok(start), Ok(end)) => {
                self.text.push_str(text);
                TextAt::Arena(start, end)
            }
            _ => TextAt::Own(SharedText::from(text)),
        }
    }

    /// Gives `row` (the chunk's row at index `at`) its text.
    fn place(&mut self, at: usize, row: &mut Followup, text: Option<TextAt>) {
        match text {
            Some(TextAt::Arena(start, end)) => self.rows.push((at, start, end)),
            Some(TextAt::Own(text)) => row.set_interacao_shared(Some(text)),
            None => {}
        }
    }

    /// Copies the chunk's texts into one shared allocation and gives each row its range;
    /// the arena is then empty for the next chunk.
    fn finish(&mut self, rows: &mut [Followup]) {
        if !self.rows.is_empty() {
            let shared = SharedText::from(self.text.as_str());
            for &(at, start, end) in &self.rows {
                let (start, end) = (start as usize, end as usize);
                // Ranges come from `push`, on the text's char boundaries; `get` checks anyway,
                // since `substr` would panic on a bad one.
                if let Some(row) = rows.get_mut(at)
                    && shared.get(start..end).is_some()
                {
                    row.set_interacao_shared(Some(shared.substr(start..end)));
                }
            }
        }
        self.rows.clear();
        if self.text.capacity() > TEXT_ARENA_KEPT_BYTES {
            self.text = String::new();
        } else {
            self.text.clear();
        }
    }
}

/// What parsing noticed besides the rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseReport {
    /// Rows handed to the sink.
    pub rows: u64,
    /// Array items skipped because they were not objects.
    pub rows_skipped: u64,
    /// Fields left empty because their value could not be read.
    pub fields_blanked: u64,
    /// The first problem, in Portuguese, for the user.
    pub first_problem: Option<String>,
}

impl ParseReport {
    /// Whether anything was skipped or blanked.
    pub fn has_problems(&self) -> bool {
        self.rows_skipped > 0 || self.fields_blanked > 0
    }

    /// A one-line Portuguese summary of the problems, if any.
    pub fn problem_summary(&self) -> Option<String> {
        if !self.has_problems() {
            return None;
        }
        let mut parts = Vec::new();
        if self.rows_skipped > 0 {
            parts.push(format!(
                "{} linha(s) ignorada(s)",
                crate::fmt::thousands(self.rows_skipped)
            ));
        }
        if self.fields_blanked > 0 {
            parts.push(format!(
                "{} campo(s) ilegível(is) deixado(s) em branco",
                crate::fmt::thousands(self.fields_blanked)
            ));
        }
        let first = self.first_problem.as_deref().unwrap_or_default();
        Some(format!("{}. Primeiro problema: {first}", parts.join(", ")))
    }

    fn note(&mut self, problem: impl FnOnce() -> String) {
        if self.first_problem.is_none() {
            self.first_problem = Some(problem());
        }
    }
}

/// The shape of a successfully parsed answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A JSON array: the rows went to the sink.
    Rows(ParseReport),
    /// A JSON object carrying a message: the API reporting an error.
    ApiMessage(String),
}

/// Why an answer could not be parsed at all.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The body ended before the JSON did (connection cut or truncated answer).
    #[error("a resposta terminou antes do fim do JSON (resposta truncada)")]
    Truncated,
    /// Broken JSON.
    #[error("JSON inválido na linha {line}, coluna {column}: {detail}")]
    Syntax {
        /// Line of the error (1-based).
        line: usize,
        /// Column of the error (1-based).
        column: usize,
        /// serde_json's description.
        detail: String,
    },
    /// JSON, but neither an array of rows nor an error object.
    #[error("formato inesperado: {0}")]
    UnexpectedShape(String),
    /// Reading the body failed (network, timeout, cancellation).
    #[error("falha ao ler a resposta: {0}")]
    Io(#[from] std::io::Error),
}

impl ParseError {
    /// Sorts serde_json's error about a text that starts at `at` in the body.
    fn from_json(error: serde_json::Error, at: Position) -> ParseError {
        use serde_json::error::Category;
        match error.classify() {
            // serde_json hands back the reader's own error, with its kind and payload.
            Category::Io => ParseError::Io(std::io::Error::from(error)),
            Category::Eof => ParseError::Truncated,
            Category::Syntax | Category::Data => {
                let (line, column) = at.offset(error.line(), error.column());
                let detail = error.to_string();
                // serde_json appends " at line L column C": keep only the description.
                let detail = detail
                    .rsplit_once(" at line ")
                    .map_or(detail.as_str(), |(head, _)| head)
                    .to_owned();
                if let Some(shape) = detail.strip_prefix(SHAPE_MARKER) {
                    ParseError::UnexpectedShape(shape.to_owned())
                } else {
                    ParseError::Syntax {
                        line,
                        column,
                        detail,
                    }
                }
            }
        }
    }

    /// A syntax error found while splitting the array, at the byte after `at`.
    fn syntax(at: Position, detail: &str) -> ParseError {
        ParseError::Syntax {
            line: at.line,
            column: at.column.saturating_add(1),
            detail: detail.to_owned(),
        }
    }
}

/// Where a byte of the body is: its 1-based line and how many bytes precede it on that line.
#[derive(Clone, Copy, Debug)]
struct Position {
    line: usize,
    column: usize,
}

impl Position {
    const START: Position = Position { line: 1, column: 0 };

    /// The body's line and column for serde_json's (1-based) `line` and `column` in a text
    /// that starts here.
    fn offset(self, line: usize, column: usize) -> (usize, usize) {
        if line <= 1 {
            (self.line, self.column.saturating_add(column))
        } else {
            (self.line.saturating_add(line - 1), column)
        }
    }

    /// Moves past `bytes`.
    fn advance(&mut self, bytes: &[u8]) {
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                let newlines = memchr::memchr_iter(b'\n', bytes).count();
                self.line = self.line.saturating_add(newlines);
                self.column = bytes.len().saturating_sub(last + 1);
            }
            None => self.column = self.column.saturating_add(bytes.len()),
        }
    }
}

const SHAPE_MARKER: &str = "\u{1}shape:";

/// How the array's items are parsed: the body is split into chunks of whole items on the
/// thread that reads it, and the chunks are parsed on `workers` other threads while the
/// reading goes on. Rows keep their order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    /// A chunk is handed over once it holds this many bytes of items (at least one item).
    pub chunk_bytes: usize,
    /// Threads parsing chunks. 0: every item is parsed on the reading thread.
    pub workers: usize,
}

impl Default for ParseOptions {
    /// 256 KiB chunks (about 450 rows), one worker per core (at most 4).
    fn default() -> Self {
        ParseOptions {
            chunk_bytes: 256 * 1024,
            workers: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
        }
    }
}

/// Parses an answer from a reader, handing each row to `sink` as soon as it is read.
///
/// The reader is buffered here, so any reader will do. The top-level array is split into
/// items as the bytes arrive (without converting anything); each item is then read from
/// memory by serde_json, which also checks its syntax. Items are parsed on other threads
/// while the body streams in ([`ParseOptions::default`]); an answer that fits in one chunk
/// is parsed on the calling thread.
pub fn parse_followups<R: Read>(
    reader: R,
    interner: &mut Interner,
    sink: impl FnMut(Followup),
) -> Result<Parsed, ParseError> {
    parse_followups_with(reader, interner, ParseOptions::default(), sink)
}

/// [`parse_followups`] with chosen chunk size and worker count. Whatever the options, the
/// rows, the report and the error are the same; only the speed differs.
pub fn parse_followups_with<R: Read>(
    reader: R,
    interner: &mut Interner,
    options: ParseOptions,
    mut sink: impl FnMut(Followup),
) -> Result<Parsed, ParseError> {
    let mut body = Body::new(reader);
    match body.skip_whitespace()? {
        // An empty body: the answer never came.
        None => Err(ParseError::Truncated),
        Some(b'[') => {
            body.bump();
            let report = read_items(&mut body, interner, options, &mut sink)?;
            match body.skip_whitespace()? {
                None => Ok(Parsed::Rows(report)),
                Some(_) => Err(ParseError::syntax(body.at, "trailing characters")),
            }
        }
        // Not an array: an error object, a bare message, or a shape we report. These are
        // small; read them whole.
        Some(_) => {
            let at = body.at;
            let rest = body.input.read_to_end()?;
            let mut deserializer = serde_json::Deserializer::from_slice(&rest);
            let parsed = deserializer
                .deserialize_any(TopVisitor)
                .map_err(|e| ParseError::from_json(e, at))?;
            deserializer
                .end()
                .map_err(|e| ParseError::from_json(e, at))?;
            Ok(parsed)
        }
    }
}

/// The size of the body's read buffer.
const BUFFER_BYTES: usize = 64 * 1024;

/// The body's bytes, read a buffer at a time, with a look ahead.
struct Input<R> {
    reader: R,
    buffer: Vec<u8>,
    /// The unread bytes are `buffer[start..end]`.
    start: usize,
    end: usize,
    /// A read that failed while looking ahead: the reading stops there (see [`Self::peek`]).
    failed: Option<std::io::Error>,
}

impl<R: Read> Input<R> {
    /// Reads into the buffer from `from` on; `Interrupted` is retried.
    fn read_at(&mut self, from: usize) -> std::io::Result<usize> {
        loop {
            let Some(space) = self.buffer.get_mut(from..) else {
                return Ok(0);
            };
            let room = space.len();
            match self.reader.read(space) {
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                // A reader claiming more than it was given is not trusted past the buffer.
                read => return read.map(|n| n.min(room)),
            }
        }
    }

    /// The unread bytes in the buffer, reading more when there are none; empty at the end.
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.start >= self.end {
            if let Some(error) = self.failed.take() {
                return Err(error);
            }
            self.start = 0;
            self.end = 0;
            self.end = self.read_at(0)?;
        }
        Ok(self.buffer.get(self.start..self.end).unwrap_or_default())
    }

    fn consume(&mut self, count: usize) {
        self.start = self.start.saturating_add(count).min(self.end);
    }

    /// Up to `count` of the next bytes, not consumed: fewer at the end of the body, or where
    /// reading failed (the error comes with the next [`Self::fill_buf`] after those bytes).
    fn peek(&mut self, count: usize) -> &[u8] {
        if self.end - self.start < count && self.failed.is_none() {
            self.buffer.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            while self.end < count {
                match self.read_at(self.end) {
                    Ok(0) => break,
                    Ok(read) => self.end += read,
                    Err(error) => {
                        self.failed = Some(error);
                        break;
                    }
                }
            }
        }
        let end = self.end.min(self.start.saturating_add(count));
        self.buffer.get(self.start..end).unwrap_or_default()
    }

    /// Everything left in the body.
    fn read_to_end(&mut self) -> std::io::Result<Vec<u8>> {
        let mut rest = self
            .buffer
            .get(self.start..self.end)
            .unwrap_or_default()
            .to_vec();
        self.start = self.end;
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        self.reader.read_to_end(&mut rest)?;
        Ok(rest)
    }
}

/// The body being read, and where in it the next byte is.
struct Body<R> {
    input: Input<R>,
    at: Position,
}

impl<R: Read> Body<R> {
    fn new(reader: R) -> Body<R> {
        Body {
            input: Input {
                reader,
                buffer: vec![0; BUFFER_BYTES],
                start: 0,
                end: 0,
                failed: None,
            },
            at: Position::START,
        }
    }

    /// The next byte that is not JSON whitespace, left unread; `None` at the end.
    fn skip_whitespace(&mut self) -> Result<Option<u8>, ParseError> {
        loop {
            let buffer = self.input.fill_buf()?;
            if buffer.is_empty() {
                return Ok(None);
            }
            let blank = buffer
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                .count();
            let next = buffer.get(blank).copied();
            self.at.advance(buffer.get(..blank).unwrap_or_default());
            self.input.consume(blank);
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    /// Moves past one byte already seen with [`Self::skip_whitespace`] (never a newline).
    fn bump(&mut self) {
        self.input.consume(1);
        self.at.column = self.at.column.saturating_add(1);
    }

    /// Appends the next item (its first byte is not whitespace) to `item`. `false`: the body
    /// ended inside it.
    fn read_item(&mut self, item: &mut Vec<u8>) -> Result<bool, ParseError> {
        let mut scan = ItemScan::default();
        loop {
            let buffer = self.input.fill_buf()?;
            if buffer.is_empty() {
                return Ok(false);
            }
            let (taken, done) = scan.feed(buffer);
            let taken_bytes = buffer.get(..taken).unwrap_or_default();
            item.extend_from_slice(taken_bytes);
            self.at.advance(taken_bytes);
            self.input.consume(taken);
            if done {
                return Ok(true);
            }
        }
    }
}

/// Finds where one JSON value ends, fed a piece at a time: a container at its matching
/// bracket, a string at its closing quote, anything else before the next delimiter. It does
/// not check syntax (serde_json does, on the item): a broken item only ends somewhere else.
#[derive(Default)]
struct ItemScan {
    started: bool,
    /// A list or an object, rather than a string or a scalar.
    container: bool,
    /// A string at the top of the item.
    string: bool,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl ItemScan {
    /// How many bytes of `bytes` belong to the item, and whether it ended there.
    fn feed(&mut self, bytes: &[u8]) -> (usize, bool) {
        let mut index = 0;
        while let Some(&byte) = bytes.get(index) {
            if !self.started {
                self.started = true;
                match byte {
                    b'[' | b'{' => {
                        self.container = true;
                        self.depth = 1;
                    }
                    b'"' => {
                        self.string = true;
                        self.in_string = true;
                    }
                    _ if is_delimiter(byte) => return (0, true),
                    _ => {}
                }
                index += 1;
                continue;
            }
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    index += 1;
                    continue;
                }
                // Most of a body is text: jump to the next quote or backslash.
                let rest = bytes.get(index..).unwrap_or_default();
                let Some(offset) = memchr::memchr2(b'"', b'\\', rest) else {
                    return (bytes.len(), false);
                };
                index += offset;
                if rest.get(offset) == Some(&b'\\') {
                    self.escaped = true;
                } else {
                    self.in_string = false;
                    if self.string {
                        return (index + 1, true);
                    }
                }
                index += 1;
                continue;
            }
            if self.container {
                match byte {
                    b'"' => self.in_string = true,
                    b'[' | b'{' => self.depth = self.depth.saturating_add(1),
                    b']' | b'}' => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == 0 {
                            return (index + 1, true);
                        }
                    }
                    _ => {}
                }
            } else if is_delimiter(byte) {
                // A number or a literal ends before the delimiter.
                return (index, true);
            }
            index += 1;
        }
        (bytes.len(), false)
    }
}

/// Bytes that end a number or a literal.
fn is_delimiter(byte: u8) -> bool {
    matches!(
        byte,
        b',' | b']' | b'}' | b'[' | b'{' | b'"' | b':' | b' ' | b'\t' | b'\n' | b'\r'
    )
}

/// Array items read from the body and not parsed yet: their texts back to back.
struct Chunk {
    /// The number of the first item (1-based).
    first_item: u64,
    text: Vec<u8>,
    items: Vec<ItemSpan>,
}

/// One item of a [`Chunk`].
struct ItemSpan {
    /// Where the item's text ends in [`Chunk::text`] (it starts where the one before ends).
    end: usize,
    /// Where the item starts in the body.
    at: Position,
    /// The body's next bytes after the item (see [`broken_at_its_end`]).
    after: [u8; LOOKAHEAD],
    after_len: u8,
    /// Reading the body failed within those bytes.
    after_failed: bool,
}

impl Chunk {
    /// An empty chunk for items of about `limit` bytes in all.
    fn new(first_item: u64, limit: usize) -> Chunk {
        // Room for the limit and the item that crosses it, within reason.
        let capacity = limit.saturating_add(limit / 8).min(8 << 20);
        Chunk {
            first_item,
            text: Vec::with_capacity(capacity),
            items: Vec::new(),
        }
    }
}

/// How splitting the array into a chunk stopped.
enum Split {
    /// The chunk is full; more items may follow.
    Full,
    /// The array's `]` was read.
    End,
    /// The body is broken or could not be read after the chunk's items.
    Failed(ParseError),
}

/// Moves whole items from the body into `chunk` until it holds `limit` bytes or the array
/// ends. `items` counts the array's items read so far.
fn fill_chunk<R: Read>(
    body: &mut Body<R>,
    items: &mut u64,
    chunk: &mut Chunk,
    limit: usize,
) -> Split {
    loop {
        match next_item(body, items, chunk) {
            Ok(true) if chunk.text.len() >= limit => return Split::Full,
            Ok(true) => {}
            Ok(false) => return Split::End,
            Err(error) => return Split::Failed(error),
        }
    }
}

/// Moves the array's next item into `chunk`: `false` when the array ended instead.
fn next_item<R: Read>(
    body: &mut Body<R>,
    items: &mut u64,
    chunk: &mut Chunk,
) -> Result<bool, ParseError> {
    let Some(next) = body.skip_whitespace()? else {
        return Err(ParseError::Truncated);
    };
    if *items > 0 {
        match next {
            b']' => {
                body.bump();
                return Ok(false);
            }
            b',' => body.bump(),
            _ => return Err(ParseError::syntax(body.at, "expected `,` or `]`")),
        }
        match body.skip_whitespace()? {
            None => return Err(ParseError::Truncated),
            Some(b']') => return Err(ParseError::syntax(body.at, "trailing comma")),
            Some(_) => {}
        }
    } else if next == b']' {
        body.bump();
        return Ok(false);
    }
    let at = body.at;
    let start = chunk.text.len();
    let complete = body.read_item(&mut chunk.text)?;
    let text = chunk.text.get(start..).unwrap_or_default();
    if !complete {
        return Err(cut_short(text, at));
    }
    if text.is_empty() {
        return Err(ParseError::syntax(at, "expected value"));
    }
    *items = items.saturating_add(1);
    let peeked = body.input.peek(LOOKAHEAD);
    let mut after = [0; LOOKAHEAD];
    let after_len = peeked.len().min(LOOKAHEAD);
    after
        .get_mut(..after_len)
        .unwrap_or_default()
        .copy_from_slice(peeked.get(..after_len).unwrap_or_default());
    chunk.items.push(ItemSpan {
        end: chunk.text.len(),
        at,
        after,
        after_len: after_len as u8,
        after_failed: body.input.failed.is_some(),
    });
    Ok(true)
}

/// What parsing a chunk gave.
struct ChunkRows {
    rows: Vec<Followup>,
    report: ParseReport,
    /// Why the chunk's items stopped before the last one was read.
    stop: Option<ChunkStop>,
    /// The chunk, for its buffers to be used again.
    chunk: Chunk,
}

/// Buffers of chunks and rows already handed to the sink, used again for the next chunks
/// (fresh ones of this size would each be new pages from the system).
#[derive(Default)]
struct Spares {
    chunks: Vec<Chunk>,
    rows: Vec<Vec<Followup>>,
}

impl Spares {
    /// An empty chunk whose first item is `first_item`.
    fn chunk(&mut self, first_item: u64, limit: usize) -> Chunk {
        match self.chunks.pop() {
            Some(mut chunk) => {
                chunk.first_item = first_item;
                chunk.text.clear();
                chunk.items.clear();
                chunk
            }
            None => Chunk::new(first_item, limit),
        }
    }

    /// An empty list for a chunk's rows.
    fn rows(&mut self) -> Vec<Followup> {
        self.rows.pop().unwrap_or_default()
    }
}

enum ChunkStop {
    /// A broken item.
    Broken(ParseError),
    /// An item whose verdict needs body bytes that could not be read: the body's own error,
    /// which ends the splitting right after this chunk, is the answer's.
    BodyFailed,
}

/// Parses a chunk's items in order, up to the first broken one.
fn parse_chunk(
    chunk: Chunk,
    mut rows: Vec<Followup>,
    interner: &mut Interner,
    texts: &mut TextArena,
) -> ChunkRows {
    rows.clear();
    rows.reserve(chunk.items.len());
    let mut report = ParseReport::default();
    let stop = read_chunk(&chunk, &mut rows, interner, texts, &mut report);
    texts.finish(&mut rows);
    ChunkRows {
        rows,
        report,
        stop,
        chunk,
    }
}

/// Reads a chunk's items into `rows` (their texts into `texts`); `Some` when an item ends
/// the answer.
fn read_chunk(
    chunk: &Chunk,
    rows: &mut Vec<Followup>,
    interner: &mut Interner,
    texts: &mut TextArena,
    report: &mut ParseReport,
) -> Option<ChunkStop> {
    let mut start = 0;
    let mut number = chunk.first_item;
    for span in &chunk.items {
        let text = chunk.text.get(start..span.end).unwrap_or_default();
        start = span.end;
        match read_item(text, interner, texts, report, number) {
            Ok(Some((mut row, interacao))) => {
                report.rows = report.rows.saturating_add(1);
                texts.place(rows.len(), &mut row, interacao);
                rows.push(row);
            }
            Ok(None) => report.rows_skipped = report.rows_skipped.saturating_add(1),
            // serde_json ran out of item where the scanner saw its end: a literal or a
            // number stopped by a delimiter (`[t]`, `[1e]`), or a `\u` escape whose four
            // digits take the closing quote (`"\u"`). The error is serde_json's own, read
            // over the item and the few bytes after it. A number cut by the end of the item
            // (`-`, `1.`) is placed the same way: on the byte after it, as for the whole body.
            Err(error)
                if error.classify() == serde_json::error::Category::Eof
                    || error.to_string().starts_with("invalid number") =>
            {
                return Some(if span.after_failed {
                    ChunkStop::BodyFailed
                } else {
                    let after = span.after.get(..usize::from(span.after_len));
                    ChunkStop::Broken(broken_at_its_end(text, after.unwrap_or_default(), span.at))
                });
            }
            Err(error) => return Some(ChunkStop::Broken(ParseError::from_json(error, span.at))),
        }
        number = number.saturating_add(1);
    }
    None
}

/// The answer's report so far, and its rows handed to the sink in order.
struct Delivery<'s, S> {
    report: ParseReport,
    sink: &'s mut S,
    spares: Spares,
}

impl<S: FnMut(Followup)> Delivery<'_, S> {
    /// Takes a chunk's rows and report. `Err` when the chunk ended the answer: its broken
    /// item's error, or `None` for the body's own error that follows the chunk.
    fn take(&mut self, chunk: ChunkRows) -> Result<(), Option<ParseError>> {
        let ChunkRows {
            mut rows,
            report,
            stop,
            chunk,
        } = chunk;
        self.report.rows = self.report.rows.saturating_add(report.rows);
        self.report.rows_skipped = self.report.rows_skipped.saturating_add(report.rows_skipped);
        self.report.fields_blanked = self
            .report
            .fields_blanked
            .saturating_add(report.fields_blanked);
        if self.report.first_problem.is_none() {
            self.report.first_problem = report.first_problem;
        }
        rows.drain(..).for_each(&mut *self.sink);
        self.spares.rows.push(rows);
        self.spares.chunks.push(chunk);
        match stop {
            None => Ok(()),
            Some(ChunkStop::Broken(error)) => Err(Some(error)),
            Some(ChunkStop::BodyFailed) => Err(None),
        }
    }

    /// The answer once the splitting stopped as `split` after every chunk was taken.
    fn finish(self, split: Split) -> Result<ParseReport, ParseError> {
        match split {
            Split::End => Ok(self.report),
            Split::Failed(error) => Err(error),
            // Not reached: splitting goes on until the array ends or fails.
            Split::Full => Err(ParseError::Truncated),
        }
    }
}

/// Chunks handed to workers and not yet taken, at most, per worker.
const IN_FLIGHT_PER_WORKER: usize = 2;

/// Reads the items of the top-level array (its `[` already read) up to and with its `]`:
/// this thread splits the body into chunks of whole items, workers parse them, and their rows
/// reach the sink in order.
fn read_items<R: Read>(
    body: &mut Body<R>,
    interner: &mut Interner,
    options: ParseOptions,
    sink: &mut impl FnMut(Followup),
) -> Result<ParseReport, ParseError> {
    let limit = options.chunk_bytes.max(1);
    let mut items = 0u64;
    let mut delivery = Delivery {
        report: ParseReport::default(),
        sink,
        spares: Spares::default(),
    };
    let mut chunk = Chunk::new(1, limit.min(BUFFER_BYTES));
    let mut split = fill_chunk(body, &mut items, &mut chunk, limit);
    let mut texts = TextArena::default();
    // An answer that fits in one chunk (or no worker): parsed here.
    if options.workers == 0 || !matches!(split, Split::Full) {
        loop {
            let rows = parse_chunk(chunk, delivery.spares.rows(), interner, &mut texts);
            match delivery.take(rows) {
                Ok(()) => {}
                Err(Some(error)) => return Err(error),
                Err(None) => return delivery.finish(drain(body, &mut items, split)),
            }
            if !matches!(split, Split::Full) {
                return delivery.finish(split);
            }
            chunk = delivery.spares.chunk(items.saturating_add(1), limit);
            split = fill_chunk(body, &mut items, &mut chunk, limit);
        }
    }
    let (jobs, job_queue) = std::sync::mpsc::channel::<Job>();
    let job_queue = std::sync::Mutex::new(job_queue);
    std::thread::scope(|scope| {
        let mut own = Some(interner);
        for _ in 0..options.workers {
            let job_queue = &job_queue;
            // The first worker uses the caller's interner; the others their own.
            let interner = own.take();
            scope.spawn(move || {
                let mut local = Interner::default();
                let interner = interner.unwrap_or(&mut local);
                let mut texts = TextArena::default();
                while let Some(Job { chunk, rows, done }) = next_job(job_queue) {
                    // The reader may have stopped waiting: then nobody wants the rows.
                    let _ = done.send(parse_chunk(chunk, rows, interner, &mut texts));
                }
            });
        }
        let in_flight = options.workers.saturating_mul(IN_FLIGHT_PER_WORKER).max(1);
        let mut pending = std::collections::VecDeque::new();
        let wait_for =
            |pending: &mut std::collections::VecDeque<std::sync::mpsc::Receiver<ChunkRows>>,
             block: bool|
             -> Option<ChunkRows> {
                let front = pending.front()?;
                let rows = if block {
                    front.recv().ok()
                } else {
                    front.try_recv().ok()
                };
                if rows.is_some() {
                    pending.pop_front();
                }
                rows
            };
        loop {
            let (done, done_queue) = std::sync::mpsc::sync_channel(1);
            // Only a worker that panicked closes the queue; its panic ends the scope.
            let rows = delivery.spares.rows();
            let _ = jobs.send(Job { chunk, rows, done });
            pending.push_back(done_queue);
            // Rows already parsed go to the sink; the reading waits when enough chunks are
            // waiting for a worker.
            loop {
                let block = pending.len() >= in_flight;
                let Some(rows) = wait_for(&mut pending, block) else {
                    break;
                };
                match delivery.take(rows) {
                    Ok(()) => {}
                    Err(Some(error)) => return Err(error),
                    Err(None) => return delivery.finish(drain(body, &mut items, split)),
                }
            }
            if !matches!(split, Split::Full) {
                break;
            }
            chunk = delivery.spares.chunk(items.saturating_add(1), limit);
            split = fill_chunk(body, &mut items, &mut chunk, limit);
        }
        drop(jobs);
        while !pending.is_empty() {
            let Some(rows) = wait_for(&mut pending, true) else {
                // A worker panicked: its panic ends the scope.
                break;
            };
            match delivery.take(rows) {
                Ok(()) => {}
                Err(Some(error)) => return Err(error),
                Err(None) => break,
            }
        }
        delivery.finish(drain(body, &mut items, split))
    })
}

/// Reads the rest of the array's items without parsing them: how the splitting ends after an
/// item whose verdict waits for the body's own.
fn drain<R: Read>(body: &mut Body<R>, items: &mut u64, mut split: Split) -> Split {
    while matches!(split, Split::Full) {
        let mut chunk = Chunk::new(items.saturating_add(1), BUFFER_BYTES);
        split = fill_chunk(body, items, &mut chunk, BUFFER_BYTES);
    }
    split
}

/// A chunk for a worker, and where its rows go.
struct Job {
    chunk: Chunk,
    /// An empty list to put the rows in.
    rows: Vec<Followup>,
    done: std::sync::mpsc::SyncSender<ChunkRows>,
}

/// The next chunk to parse; `None` once the reading is over.
fn next_job(queue: &std::sync::Mutex<std::sync::mpsc::Receiver<Job>>) -> Option<Job> {
    let queue = queue
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    queue.recv().ok()
}

/// How many bytes past an item serde_json may read before it finds the item broken: the
/// delimiter after a number or a literal, or the rest of a `\u` escape's four digits.
const LOOKAHEAD: usize = 4;

/// The error for an item the scanner saw end but serde_json did not: it is checked again with
/// the next few bytes of the body after it (the body is abandoned anyway), so the verdict and
/// its place are the ones serde_json gives for the whole body.
fn broken_at_its_end(text: &[u8], after: &[u8], at: Position) -> ParseError {
    let mut joined = Vec::with_capacity(text.len().saturating_add(after.len()));
    joined.extend_from_slice(text);
    joined.extend_from_slice(after);
    let mut deserializer = serde_json::Deserializer::from_slice(&joined);
    match IgnoredAny::deserialize(&mut deserializer) {
        Err(error) => ParseError::from_json(error, at),
        // Not reachable for what the scanner hands over (a value never continues past a
        // delimiter or a closing quote), but a value that reads whole is no excuse to panic.
        Ok(_) => ParseError::syntax(at, "expected `,` or `]`"),
    }
}

/// The error for a body that ended inside an item: truncated, unless the item was already
/// broken before the end.
fn cut_short(text: &[u8], at: Position) -> ParseError {
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let checked = IgnoredAny::deserialize(&mut deserializer).and_then(|_| deserializer.end());
    match checked {
        // A whole scalar (`[12`) or an unfinished value: the body stopped early.
        Ok(()) => ParseError::Truncated,
        // Skipping over a number cut right after `-`, `1.` or `1e` says "invalid number".
        Err(error) if error.to_string().starts_with("invalid number") => ParseError::Truncated,
        Err(error) => ParseError::from_json(error, at),
    }
}

/// Parses a whole answer held in memory (tests, fixtures, small files).
pub fn parse_followups_slice(bytes: &[u8]) -> Result<(Vec<Followup>, Parsed), ParseError> {
    let mut rows = Vec::new();
    let mut interner = Interner::default();
    let parsed = parse_followups(bytes, &mut interner, |row| rows.push(row))?;
    Ok((rows, parsed))
}

/// Reads an answer that is not an array (an error object, a bare message, a wrong shape).
struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an error object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut entries: Vec<(String, serde_json::Value)> = Vec::new();
        // Raw first, like rows: a key or a value that is not readable loses only itself.
        while let Some(key) = map.next_key::<Box<RawValue>>()? {
            let raw = map.next_value::<Box<RawValue>>()?;
            let (Some(key), Ok(value)) = (string_of(key.get()), serde_json::from_str(raw.get()))
            else {
                continue;
            };
            entries.push((key.into_owned(), value));
        }
        match error_message(&entries) {
            Some(message) => Ok(Parsed::ApiMessage(message)),
            None => Err(de::Error::custom(format!(
                "{SHAPE_MARKER}um objeto JSON sem a lista de follow-ups (campos: {})",
                entries
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .take(8)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Parsed, E> {
        Err(E::custom(format!(
            "{SHAPE_MARKER}null em vez de uma lista de follow-ups"
        )))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Parsed, E> {
        let excerpt: String = value.chars().take(200).collect();
        Ok(Parsed::ApiMessage(excerpt))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Parsed, E> {
        Err(E::custom(format!(
            "{SHAPE_MARKER}um valor lógico em vez de uma lista de follow-ups"
        )))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Parsed, E> {
        Err(E::custom(format!(
            "{SHAPE_MARKER}um número em vez de uma lista de follow-ups"
        )))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Parsed, E> {
        Err(E::custom(format!(
            "{SHAPE_MARKER}um número em vez de uma lista de follow-ups"
        )))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Parsed, E> {
        Err(E::custom(format!(
            "{SHAPE_MARKER}um número em vez de uma lista de follow-ups"
        )))
    }
}

/// Finds the human message in an error object (`Message`, `mensagem`, `error`, nested
/// `{"error": {"message": …}}`, ASP.NET's `ExceptionMessage`), or a generic one for
/// `{"sucesso": false}`.
fn error_message(entries: &[(String, serde_json::Value)]) -> Option<String> {
    const KEYS: [&str; 10] = [
        "message",
        "mensagem",
        "msg",
        "error_description",
        "exceptionmessage",
        "error",
        "erro",
        "errors",
        "detail",
        "title",
    ];
    fn text_of(value: &serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            serde_json::Value::Object(inner) => {
                let entries: Vec<(String, serde_json::Value)> =
                    inner.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                error_message(&entries)
            }
            serde_json::Value::Array(items) => {
                let parts: Vec<String> = items.iter().filter_map(text_of).collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            }
            _ => None,
        }
    }
    for wanted in KEYS {
        for (key, value) in entries {
            if key.eq_ignore_ascii_case(wanted)
                && let Some(text) = text_of(value)
            {
                return Some(text);
            }
        }
    }
    let failed = entries.iter().any(|(key, value)| {
        ["sucesso", "success"]
            .iter()
            .any(|k| key.eq_ignore_ascii_case(k))
            && matches!(value, serde_json::Value::Bool(false))
    });
    failed.then(|| "a API indicou falha sem dar detalhes".to_owned())
}

/// Reads one array item from its JSON text: an object becomes a row (with its interaction
/// text, kept in `texts`), anything else is skipped; both are noted in `report`. `Err`: the
/// item's syntax is broken.
fn read_item(
    text: &[u8],
    interner: &mut Interner,
    texts: &mut TextArena,
    report: &mut ParseReport,
    item: u64,
) -> Result<Option<(Followup, Option<TextAt>)>, serde_json::Error> {
    let what = match text.first() {
        Some(b'{') => {
            // Blanked fields of a row that is then skipped are not counted.
            let (blanked, had_problem) = (report.fields_blanked, report.first_problem.is_some());
            let utf8 = std::str::from_utf8(text);
            // The usual shape, read by hand; anything else by serde_json.
            if let Ok(text) = utf8
                && let Some(row) = object::read_usual(text, interner, texts, report, item)
            {
                return Ok(Some(row));
            }
            let visitor = RowVisitor {
                interner,
                texts,
                report: &mut *report,
                item,
            };
            // Text checked as UTF-8 once is read as text: serde_json then does not check each
            // raw value again. Bytes that are not UTF-8 go through the byte reader, which finds
            // the same syntax errors (and skips the row, below, if only the encoding is bad).
            let read = match utf8 {
                Ok(text) => {
                    let mut deserializer = serde_json::Deserializer::from_str(text);
                    deserializer
                        .deserialize_map(visitor)
                        .and_then(|row| deserializer.end().map(|()| row))
                }
                Err(_) => {
                    let mut deserializer = serde_json::Deserializer::from_slice(text);
                    deserializer
                        .deserialize_map(visitor)
                        .and_then(|row| deserializer.end().map(|()| row))
                }
            };
            match read {
                Ok(row) => return Ok(Some(row)),
                Err(_) => {
                    report.fields_blanked = blanked;
                    if !had_problem {
                        report.first_problem = None;
                    }
                    // Broken syntax fails the answer, as anywhere else; a well-formed object
                    // that still cannot be read (text that is not UTF-8) is skipped.
                    check_syntax(text)?;
                    "um objeto ilegível"
                }
            }
        }
        first => {
            check_syntax(text)?;
            match first {
                Some(b'[') => "uma lista",
                Some(b'"') => "um texto",
                Some(b'n') => "null",
                Some(b't' | b'f') => "um valor lógico",
                _ => "um número",
            }
        }
    };
    report.note(|| format!("item {item} ignorado: é {what}, não um follow-up"));
    Ok(None)
}

/// Whether `text` is one well-formed JSON value (numbers are not converted).
fn check_syntax(text: &[u8]) -> Result<(), serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    IgnoredAny::deserialize(&mut deserializer)?;
    deserializer.end()
}

/// Reads one follow-up object (from its raw text) field by field: the row, and where its
/// interaction text went.
struct RowVisitor<'a> {
    interner: &'a mut Interner,
    texts: &'a mut TextArena,
    report: &'a mut ParseReport,
    item: u64,
}

impl<'de> Visitor<'de> for RowVisitor<'_> {
    type Value = (Followup, Option<TextAt>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a follow-up object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut row = Followup::default();
        let mut interacao = None;
        let mut into = RowInProgress {
            row: &mut row,
            interacao: &mut interacao,
            interner: self.interner,
            texts: self.texts,
            report: self.report,
            item: self.item,
        };
        // Keys are taken raw too: one that is not text (`"\ud800"`) is an unknown field.
        while let Some(key) = map.next_key::<&'de RawValue>()? {
            let Some(column) = string_of(key.get()).and_then(|k| column_for_key(&k)) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            // The value's JSON text, borrowed: nothing is converted yet.
            let raw = map.next_value::<&'de RawValue>()?;
            into.take_field(column, raw.get());
        }
        Ok((row, interacao))
    }
}

/// Where one object's fields go as they are read.
struct RowInProgress<'r> {
    row: &'r mut Followup,
    interacao: &'r mut Option<TextAt>,
    interner: &'r mut Interner,
    texts: &'r mut TextArena,
    report: &'r mut ParseReport,
    item: u64,
}

impl RowInProgress<'_> {
    /// Converts one known field from its raw JSON text and stores it; a value that cannot be
    /// read leaves the field empty and is noted. Both readers of objects (serde_json's and
    /// [`object::read_usual`]) end here.
    fn take_field(&mut self, column: Column, raw: &str) {
        match convert(column, Raw::of(raw), self.interner, self.texts) {
            // A repeated key's last value wins, as for the other fields.
            Ok(FieldValue::Text(text)) => *self.interacao = text,
            Ok(value) => Stored { column, value }.store(self.row),
            Err(reason) => {
                self.report.fields_blanked = self.report.fields_blanked.saturating_add(1);
                let item = self.item;
                self.report
                    .note(|| format!("item {item}, campo {}: {reason}", column.wire_name()));
            }
        }
    }
}

/// The text of a JSON string given as its raw JSON (quotes included): borrowed when it has
/// no escape, `None` when it is not a string or an escape is not text (a lone `\ud800`).
fn string_of(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    // Without a backslash, the text between the quotes is the string itself.
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
}

fn column_for_key(key: &str) -> Option<Column> {
    // Fast path: the documented spelling.
    if let Some(column) = Column::from_wire_name(key) {
        return Some(column);
    }
    // Tolerate other casings (`IdFollowup`, `ID_FOLLOWUP`): compare without `_` and case.
    let folded: String = key
        .chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Column::ALL
        .into_iter()
        .find(|column| column.wire_name().replace('_', "") == folded)
}

/// A field's value once read.
enum FieldValue {
    Int(Option<i64>),
    Shared(Option<SharedStr>),
    Text(Option<TextAt>),
    DateTime(Option<NaiveDateTime>),
    Time(Option<NaiveTime>),
    Code(Option<StoredCode>),
}

/// Which column a [`FieldValue`] goes to.
struct Stored {
    column: Column,
    value: FieldValue,
}

impl Stored {
    fn store(self, row: &mut Followup) {
        let Stored { column, value } = self;
        match (column, value) {
            (Column::IdFollowup, FieldValue::Int(v)) => row.set_id_followup(v),
            (Column::IdCredor, FieldValue::Int(v)) => row.set_id_credor(v),
            (Column::IdCliente, FieldValue::Int(v)) => row.set_id_cliente(v),
            (Column::IdConsultor, FieldValue::Int(v)) => row.set_id_consultor(v),
            (Column::IdEvento, FieldValue::Int(v)) => row.set_id_evento(v),
            (Column::NomeCredor, FieldValue::Shared(v)) => row.set_nome_credor(v),
            (Column::NomeCliente, FieldValue::Shared(v)) => row.set_nome_cliente(v),
            (Column::CpfCnpj, FieldValue::Shared(v)) => row.set_cpf_cnpj(v),
            (Column::NomeConsultor, FieldValue::Shared(v)) => row.set_nome_consultor(v),
            (Column::NomeEvento, FieldValue::Shared(v)) => row.set_nome_evento(v),
            (Column::ReagendadoPor, FieldValue::Shared(v)) => row.set_reagendado_por(v),
            (Column::Data, FieldValue::DateTime(v)) => row.set_data(v),
            (Column::DataReagendamento, FieldValue::DateTime(v)) => row.set_data_reagendamento(v),
            (Column::HorarioReagendamento, FieldValue::Time(v)) => {
                row.set_horario_reagendamento(v);
            }
            (column, FieldValue::Code(v)) => row.set_stored_code(column, v),
            // `convert` builds the value kind from the column, so other pairs cannot occur;
            // the interaction text is placed by the chunk (`TextArena`).
            _ => {}
        }
    }
}

/// A field's JSON value as received, classified from its raw text. Strings without escapes
/// are borrowed from the row's text, so reading a field allocates only what is kept; numbers
/// stay text until a column says what they must fit in.
enum Raw<'s> {
    Null,
    Bool(bool),
    /// A number's JSON text (`12`, `-0`, `1e400`, 400 digits…).
    Number(&'s str),
    Str(Cow<'s, str>),
    /// A list or an object, named.
    Composite(&'static str),
    /// A string serde_json accepts as syntax but not as text (an escaped lone surrogate).
    Unreadable,
}

impl<'s> Raw<'s> {
    /// Classifies one JSON value given as its raw text (as checked by serde_json).
    fn of(text: &'s str) -> Raw<'s> {
        match text.as_bytes().first() {
            Some(b'"') => string_of(text).map_or(Raw::Unreadable, Raw::Str),
            Some(b'n') => Raw::Null,
            Some(b't') => Raw::Bool(true),
            Some(b'f') => Raw::Bool(false),
            Some(b'[') => Raw::Composite("uma lista"),
            Some(b'{') => Raw::Composite("um objeto"),
            _ => Raw::Number(text),
        }
    }
}

/// A JSON number read by value, never failing: what does not fit says so.
enum Number {
    /// An integer within `i64`.
    Int(i64),
    /// An integer written without fraction or exponent, beyond `i64` (either side).
    BigInt,
    /// A finite float.
    Float(f64),
    /// A float beyond `f64` (`1e400`).
    OutOfRange,
}

impl Number {
    fn of(text: &str) -> Number {
        if !text.contains(['.', 'e', 'E']) {
            return text.parse::<i64>().map_or(Number::BigInt, Number::Int);
        }
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() => Number::Float(value),
            _ => Number::OutOfRange,
        }
    }
}

/// Up to 30 characters of `text`, with `…` when it was longer (for messages).
fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(30).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// Converts one field's raw value for its column: `Ok` with the value (or empty), or `Err`
/// with the reason, in Portuguese, it could not be read (the field is then left empty).
fn convert(
    column: Column,
    raw: Raw<'_>,
    interner: &mut Interner,
    texts: &mut TextArena,
) -> Result<FieldValue, String> {
    use super::model::ColumnKind;
    let describe = |raw: &Raw<'_>| -> String {
        match raw {
            Raw::Null => "null".into(),
            Raw::Bool(b) => format!("o valor lógico {b}"),
            Raw::Number(text) => format!("o número {}", excerpt(text)),
            Raw::Str(s) => format!("o texto «{}»", excerpt(s)),
            Raw::Composite(what) => (*what).into(),
            Raw::Unreadable => "um texto com um escape inválido".into(),
        }
    };
    match raw {
        Raw::Composite(what) => return Err(format!("veio {what} em vez de um valor")),
        Raw::Unreadable => return Err(format!("veio {}", describe(&raw))),
        _ => {}
    }
    match column.kind() {
        ColumnKind::Int => {
            let value = match &raw {
                Raw::Null => None,
                Raw::Number(text) => match Number::of(text) {
                    Number::Int(v) => Some(v),
                    // An integral float (`2002.0`) within the doubles that hold every integer.
                    Number::Float(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Some(v as i64),
                    Number::Float(_) => {
                        return Err(format!("{} não é um número inteiro", describe(&raw)));
                    }
                    Number::BigInt | Number::OutOfRange => {
                        return Err(format!(
                            "{} está fora do intervalo de um inteiro",
                            describe(&raw)
                        ));
                    }
                },
                Raw::Str(s) if s.trim().is_empty() => None,
                Raw::Str(s) => Some(
                    s.trim()
                        .parse::<i64>()
                        .map_err(|_| format!("{} não é um número inteiro", describe(&raw)))?,
                ),
                _ => return Err(format!("{} não é um número inteiro", describe(&raw))),
            };
            Ok(FieldValue::Int(value))
        }
        ColumnKind::Text => {
            let text: Option<Cow<'_, str>> = match raw {
                Raw::Null => None,
                Raw::Str(s) => Some(s),
                // A number where text was expected is kept as the server wrote it.
                Raw::Number(text) => Some(text.into()),
                Raw::Bool(v) => Some(v.to_string().into()),
                Raw::Composite(_) | Raw::Unreadable => None,
            };
            Ok(if column == Column::Interacao {
                FieldValue::Text(text.map(|t| texts.push(&t)))
            } else {
                FieldValue::Shared(text.map(|t| interner.intern(&t)))
            })
        }
        ColumnKind::Code => {
            // Documented codes are matched by their text and stored as one byte; only unknown
            // ones (rare) are kept as text, shared through the interner.
            let mut read = |text: &str| StoredCode::read(column, text, |t| interner.intern(t));
            let code = match &raw {
                Raw::Null => None,
                Raw::Str(s) => {
                    let trimmed = s.trim();
                    if trimmed.is_empty() {
                        None
                    } else {
                        read(trimmed)
                    }
                }
                Raw::Number(text) => match Number::of(text) {
                    Number::Int(v) => read(&v.to_string()),
                    _ => return Err(format!("{} não é um código", describe(&raw))),
                },
                Raw::Bool(true) => read("S"),
                Raw::Bool(false) => read("N"),
                _ => return Err(format!("{} não é um código", describe(&raw))),
            };
            Ok(FieldValue::Code(code))
        }
        ColumnKind::DateTime => match &raw {
            Raw::Null => Ok(FieldValue::DateTime(None)),
            Raw::Str(s) if s.trim().is_empty() => Ok(FieldValue::DateTime(None)),
            Raw::Str(s) => parse_datetime(s)
                .map(|d| FieldValue::DateTime(Some(d)))
                .ok_or_else(|| format!("{} não é uma data", describe(&raw))),
            _ => Err(format!("{} não é uma data", describe(&raw))),
        },
        ColumnKind::Time => match &raw {
            Raw::Null => Ok(FieldValue::Time(None)),
            Raw::Str(s) if s.trim().is_empty() => Ok(FieldValue::Time(None)),
            Raw::Str(s) => parse_time(s)
                .map(|t| FieldValue::Time(Some(t)))
                .ok_or_else(|| format!("{} não é um horário", describe(&raw))),
            _ => Err(format!("{} não é um horário", describe(&raw))),
        },
    }
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    bytes.iter().try_fold(0u32, |acc, b| {
        acc.checked_mul(10)?
            .checked_add(u32::from(b.checked_sub(b'0')?))
    })
}

/// Reads a date or date-time as servers send them: `2023-09-01T00:00:00`, with fractional
/// seconds (`.1234567`) or an offset (`Z`, `-03:00`) — the wall time is kept as sent —, a
/// space instead of `T`, a bare `2023-09-01`, `01/09/2023`, or ASP.NET's `/Date(ms±hhmm)/`.
pub fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Some(inner) = text
        .strip_prefix("/Date(")
        .and_then(|rest| rest.strip_suffix(")/"))
    {
        return parse_ms_date(inner);
    }
    // Slice patterns, not indexing: no length or content can make this panic.
    let (Some(date_part), Some(rest)) = (text.as_bytes().get(..10), text.get(10..)) else {
        return None;
    };
    let ymd = |y: [u8; 4], m: [u8; 2], d: [u8; 2]| {
        NaiveDate::from_ymd_opt(i32::try_from(digits(&y)?).ok()?, digits(&m)?, digits(&d)?)
    };
    let date = match *date_part {
        [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] => ymd([y1, y2, y3, y4], [m1, m2], [d1, d2]),
        [d1, d2, b'/', m1, m2, b'/', y1, y2, y3, y4] => ymd([y1, y2, y3, y4], [m1, m2], [d1, d2]),
        _ => None,
    }?;
    if rest.is_empty() {
        return Some(date.and_time(NaiveTime::MIN));
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    // Cut an offset or `Z` off the time part; the wall time is kept as the server sent it.
    let time_end = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time_text, offset) = rest.split_at(time_end);
    if !offset.is_empty() && offset_minutes(offset).is_none() {
        return None;
    }
    // A clock only: a date-time after the `T` is not a time (and reading it as one would
    // recurse once per date in the text).
    Some(date.and_time(parse_clock(time_text)?))
}

/// Minutes east of UTC in an offset `±hh`, `±hhmm` or `±hh:mm`, if it is one a clock can
/// have (hours below 24, minutes below 60); `Z` is 0.
fn offset_minutes(offset: &str) -> Option<i32> {
    let (sign, hours, minutes) = match offset.as_bytes() {
        [b'Z' | b'z'] => return Some(0),
        [sign @ (b'+' | b'-'), h1, h2] => (*sign, [*h1, *h2], [b'0', b'0']),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            (*sign, [*h1, *h2], [*m1, *m2])
        }
        _ => return None,
    };
    let (hours, minutes) = (digits(&hours)?, digits(&minutes)?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    // Both are below 100: the arithmetic cannot overflow.
    let total = i32::try_from(hours * 60 + minutes).ok()?;
    Some(if sign == b'-' { -total } else { total })
}

fn parse_ms_date(inner: &str) -> Option<NaiveDateTime> {
    // `1693526400000`, `1693526400000-0300`, `-62135596800000`.
    let sign_at = inner
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
        .map(|(i, _)| i);
    let (ms_text, offset_text) = match sign_at {
        Some(i) => inner.split_at(i),
        None => (inner, ""),
    };
    let millis: i64 = ms_text.parse().ok()?;
    let utc = DateTime::from_timestamp_millis(millis)?.naive_utc();
    if offset_text.is_empty() {
        return Some(utc);
    }
    // ASP.NET writes `±hhmm` only.
    if offset_text.len() != 5 || offset_text.contains(':') {
        return None;
    }
    let offset = chrono::TimeDelta::minutes(i64::from(offset_minutes(offset_text)?));
    // The wall time where the value was written; a date pushed past chrono's last (or first)
    // day is not a date.
    utc.checked_add_signed(offset)
}

/// Reads a time of day: `14:30:00`, `14:30`, `14:30:00.0000000` (a .NET `TimeSpan`; digits
/// past the nanosecond are dropped), or the time part of a full date-time.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    if text.len() > 10
        && let Some(datetime) = parse_datetime(text)
    {
        return Some(datetime.time());
    }
    parse_clock(text)
}

/// Reads `hh:mm`, `hh:mm:ss` or `hh:mm:ss.fffffff` (any number of fraction digits; the first
/// nine are kept).
fn parse_clock(text: &str) -> Option<NaiveTime> {
    let (main, fraction) = match text.split_once('.') {
        Some((main, fraction)) => (main, Some(fraction)),
        None => (text, None),
    };
    let mut parts = main.split(':');
    let hours = digits(parts.next()?.as_bytes())?;
    let minutes = digits(parts.next()?.as_bytes())?;
    let seconds = match parts.next() {
        Some(s) => digits(s.as_bytes())?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let nanos = match fraction {
        None => 0,
        Some(f) if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) => return None,
        // Nanoseconds: the first nine digits, padded with zeros.
        Some(f) => f
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(9)
            .try_fold(0u32, |acc, b| {
                acc.checked_mul(10)?
                    .checked_add(u32::from(b.checked_sub(b'0')?))
            })?,
    };
    NaiveTime::from_hms_nano_opt(hours, minutes, seconds, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
    }

    #[test]
    fn datetime_forms() {
        let cases = [
            ("2023-09-01T00:00:00", Some(dt(2023, 9, 1, 0, 0, 0))),
            ("2023-09-01T14:05:09", Some(dt(2023, 9, 1, 14, 5, 9))),
            (
                "2023-09-01T14:05:09.1234567",
                NaiveDate::from_ymd_opt(2023, 9, 1)
                    .unwrap()
                    .and_hms_nano_opt(14, 5, 9, 123_456_700),
            ),
            ("2023-09-01T14:05:09Z", Some(dt(2023, 9, 1, 14, 5, 9))),
            ("2023-09-01T14:05:09-03:00", Some(dt(2023, 9, 1, 14, 5, 9))),
            (
                "2023-09-01T14:05:09.5+0000",
                NaiveDate::from_ymd_opt(2023, 9, 1)
                    .unwrap()
                    .and_hms_milli_opt(14, 5, 9, 500),
            ),
            ("2023-09-01 14:05", Some(dt(2023, 9, 1, 14, 5, 0))),
            ("2023-09-01", Some(dt(2023, 9, 1, 0, 0, 0))),
            (" 01/09/2023 ", Some(dt(2023, 9, 1, 0, 0, 0))),
            ("/Date(1693526400000)/", Some(dt(2023, 9, 1, 0, 0, 0))),
            ("/Date(1693537200000-0300)/", Some(dt(2023, 9, 1, 0, 0, 0))),
            ("2023-02-30T00:00:00", None),
            ("2023-09-01T25:00:00", None),
            ("2023-09-01X10:00:00", None),
            ("2023-09-01T10:00:00+3", None),
            ("ontem", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_datetime(text), expected, "{text:?}");
        }
    }

    #[test]
    fn time_forms() {
        let t = |h, m, s| NaiveTime::from_hms_opt(h, m, s);
        assert_eq!(parse_time("14:30:00"), t(14, 30, 0));
        assert_eq!(parse_time("14:30"), t(14, 30, 0));
        assert_eq!(parse_time("08:05:09.0000000"), t(8, 5, 9));
        assert_eq!(parse_time("1900-01-01T09:15:00"), t(9, 15, 0));
        assert_eq!(parse_time("24:00:00"), None);
        assert_eq!(parse_time("14"), None);
        assert_eq!(parse_time("14:30:00:00"), None);
        assert_eq!(parse_time("aa:bb"), None);
    }

    /// The code's stored form, for a column and a raw JSON value.
    fn code_of(column: Column, raw: &str, interner: &mut Interner) -> Option<StoredCode> {
        match convert(column, Raw::of(raw), interner, &mut TextArena::default()) {
            Ok(FieldValue::Code(code)) => code,
            _ => None,
        }
    }

    #[test]
    fn documented_codes_are_matched_without_the_interner() {
        let mut interner = Interner::default();
        assert_eq!(
            code_of(Column::TipoContato, "\"W\"", &mut interner),
            Some(StoredCode::Known(7))
        );
        assert_eq!(
            code_of(Column::Reagendar, "true", &mut interner),
            Some(StoredCode::Known(1))
        );
        assert_eq!(
            code_of(Column::VisivelCliente, "\" N \"", &mut interner),
            Some(StoredCode::Known(2))
        );
        assert_eq!(code_of(Column::TipoEvento, "\"  \"", &mut interner), None);
        assert!(interner.is_empty(), "no documented code was interned");

        // Unknown codes are kept as received (trimmed) and shared between fields and rows.
        let Some(StoredCode::Other(a)) = code_of(Column::TipoContato, "\"X9\"", &mut interner)
        else {
            panic!("an unknown code is kept");
        };
        let Some(StoredCode::Other(b)) = code_of(Column::TipoEvento, "\" X9\"", &mut interner)
        else {
            panic!("an unknown code is kept");
        };
        assert_eq!(a.as_str(), "X9");
        assert!(SharedStr::ptr_eq(&a, &b));
        assert_eq!(
            code_of(Column::ReagendarPara, "12", &mut interner),
            Some(StoredCode::Other("12".into()))
        );
        assert_eq!(interner.len(), 2);
    }

    #[test]
    fn the_texts_of_a_chunk_share_one_allocation_and_read_back_whole() {
        let body = r#"[
            {"id_followup": 1, "interacao": "Ligou às 9h"},
            {"id_followup": 2},
            {"id_followup": 3, "interacao": "linha 1\nlinha \"2\" \u00e9"},
            {"id_followup": 4, "interacao": "primeira", "interacao": null},
            {"id_followup": 5, "interacao": null, "interacao": ""},
            {"id_followup": 6, "interacao": 12.50}
        ]"#;
        let (rows, _) = parse_followups_slice(body.as_bytes()).expect("parsed");
        let texts: Vec<Option<&str>> = rows.iter().map(Followup::interacao).collect();
        assert_eq!(
            texts,
            [
                Some("Ligou às 9h"),
                None,
                Some("linha 1\nlinha \"2\" é"),
                None,
                Some(""),
                Some("12.50"),
            ]
        );
        // One chunk: every text is a range of the same store.
        let stores: Vec<*const u8> = rows
            .iter()
            .filter_map(|row| row.interacao_shared())
            .map(|text| text.parent().as_ptr())
            .collect();
        assert_eq!(stores.len(), 4);
        assert!(stores.iter().all(|store| *store == stores[0]), "{stores:?}");
    }

    #[test]
    fn interner_shares_equal_strings() {
        let mut interner = Interner::default();
        let a = interner.intern("Banco Exemplo");
        let b = interner.intern("Banco Exemplo");
        assert!(SharedStr::ptr_eq(&a, &b));
        assert_eq!(interner.len(), 1);
        assert_eq!(interner.heap_bytes(), "Banco Exemplo".len());
    }
}
