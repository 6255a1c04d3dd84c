//! CSV export, in the dialect Excel pt-BR opens with a double click (or a plain one for tools).
//!
//! [`CsvSeparator::Semicolon`] (the default) writes UTF-8 with a BOM (without it Excel reads
//! the file as Windows-1252 and breaks accents), `;` between fields, CRLF line ends, RFC 4180
//! quoting (a field with `;`, `"`, CR or LF is quoted and its quotes doubled; line breaks inside
//! the interaction text are kept as they are), dates `29/11/2026` or `29/11/2026 14:30` and
//! times `14:30` (`14:30:05` when seconds are not zero), which Excel pt-BR turns into real
//! dates and times.
//!
//! [`CsvSeparator::Comma`] writes plain UTF-8 without BOM, `,` between fields, CRLF, and ISO
//! dates and times (`2026-11-29`, `2026-11-29 14:30:00`, `14:30:00`), which every tool parses
//! without locale settings.
//!
//! Both write a header row with the Portuguese column labels, ids as plain digits, the CPF/CNPJ
//! with its mask, codes as labels (or letters), and formula-like text prefixed with `'`.
//! Text is never cut: the 32,767-character cell limit is Excel's, and a CSV file is also read
//! by tools without it.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use chrono::{Datelike as _, NaiveDateTime, NaiveTime, Timelike as _};

use super::columns::{Cell, CellMapper, CsvSeparator, ExportOptions};
use super::{ExportError, ExportProgress, digits};
use crate::api::{Column, Followup, RowSink};

/// The UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Rows formatted together: the unit of work handed to a formatting thread.
const BATCH_ROWS: usize = 2_048;

/// Batches handed to formatting threads and not yet written, at most, per thread.
const IN_FLIGHT_PER_WORKER: usize = 2;

/// Writes `rows` as CSV to `out`; returns how many rows were written.
///
/// Rows are formatted in batches on one thread per core while this thread writes the
/// batches already formatted, in order: the bytes are the same as formatting them one by one.
/// Checks `progress` for cancellation every [`PROGRESS_EVERY_ROWS`](super::PROGRESS_EVERY_ROWS)
/// rows (at least once per batch) and updates its count.
pub fn write_csv<'a>(
    out: &mut dyn Write,
    rows: impl Iterator<Item = &'a Followup>,
    options: &ExportOptions,
    progress: &ExportProgress,
    path: &Path,
) -> Result<usize, ExportError> {
    let out = start_file(out, options, path)?;
    let mut batches = Batches {
        rows,
        written: 0,
        progress,
    };
    let first = batches.next()?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if first.len() < BATCH_ROWS || workers < 2 {
        // A small export (or one core): formatted here.
        let mut text = Vec::new();
        let mut batch = first;
        while !batch.is_empty() {
            text = format_batch(&batch, options, text);
            out.write_all(&text)
                .map_err(|e| ExportError::from_io(path, e))?;
            batch = batches.next()?;
        }
    } else {
        write_in_parallel(out, &mut batches, first, workers, options, path)?;
    }
    out.flush().map_err(|e| ExportError::from_io(path, e))?;
    progress.set_rows_written(batches.written);
    Ok(batches.written)
}

/// Starts a CSV file on `out`: the byte order mark where the dialect has one, then the header
/// line. Returns `out` for the rows.
fn start_file<'w>(
    out: &'w mut dyn Write,
    options: &ExportOptions,
    path: &Path,
) -> Result<&'w mut dyn Write, ExportError> {
    let mut writer = csv_writer(out, options.csv_separator, path)?;
    writer
        .write_record(options.columns.iter().map(|column| column.label()))
        .map_err(|e| ExportError::from_csv(path, e))?;
    writer
        .into_inner()
        .map_err(|e| ExportError::from_io(path, e.into_error()))
}

/// Batches queued for a [`CsvStream`]'s writing thread, at most: memory stays bounded when
/// the disk is slower than the network.
const STREAM_QUEUE_BATCHES: usize = 8;

/// What a [`CsvStream`] sends its writing thread.
enum StreamMessage {
    Rows(Vec<Followup>),
    /// A new attempt of the fetch: the file starts over.
    Restart,
    /// Every row was sent: the file replaces the destination.
    Finish,
}

/// Writes a fetch's rows as CSV while the rest of the answer arrives: a [`RowSink`] for
/// [`FollowupClient::fetch_into`](crate::api::FollowupClient::fetch_into).
///
/// Rows are sent in batches to a thread that formats them and writes a temporary file beside
/// the destination, exactly as [`write_csv`] would (same header, same bytes); only
/// [`Self::finish`] makes that file replace the destination. A new attempt of the fetch starts
/// the file over; dropping the stream (a failed or interrupted fetch) removes it and leaves
/// the destination untouched. A write failure makes [`RowSink::push`] refuse the next batch,
/// which cancels the fetch; [`Self::finish`] then returns the failure.
pub struct CsvStream {
    sender: Option<std::sync::mpsc::SyncSender<StreamMessage>>,
    batch: Vec<Followup>,
    writer: Option<std::thread::JoinHandle<Result<usize, ExportError>>>,
    progress: std::sync::Arc<ExportProgress>,
    path: std::path::PathBuf,
}

impl CsvStream {
    /// Starts the writing thread for `path` (a file; not standard output). A missing folder
    /// is refused here, before any row is fetched.
    pub fn create(path: &Path, options: &ExportOptions) -> Result<CsvStream, ExportError> {
        let folder = super::destination_folder(path);
        if !folder.is_dir() {
            return Err(ExportError::NoFolder { folder });
        }
        let (sender, receiver) = std::sync::mpsc::sync_channel(STREAM_QUEUE_BATCHES);
        let progress = std::sync::Arc::new(ExportProgress::new());
        let writer = std::thread::Builder::new()
            .name("csv-stream".to_owned())
            .spawn({
                let (path, options, progress) = (
                    path.to_owned(),
                    options.clone(),
                    std::sync::Arc::clone(&progress),
                );
                move || write_stream(&path, &options, &receiver, &progress)
            })
            .map_err(|e| ExportError::from_io(path, e))?;
        Ok(CsvStream {
            sender: Some(sender),
            batch: Vec::with_capacity(BATCH_ROWS),
            writer: Some(writer),
            progress,
            path: path.to_owned(),
        })
    }

    /// Stops without replacing the destination (its temporary file is removed); returns the
    /// writer's own failure, if it had one (the reason the stream refused a row).
    pub fn abandon(mut self) -> Option<ExportError> {
        match self.join() {
            Ok(_) | Err(ExportError::Cancelled) => None,
            Err(error) => Some(error),
        }
    }

    /// Sends what is left, waits for the writing thread and makes the file replace the
    /// destination; returns how many rows it holds.
    pub fn finish(mut self) -> Result<usize, ExportError> {
        let batch = std::mem::take(&mut self.batch);
        if let Some(sender) = self.sender.take() {
            // A failed send means the writer stopped: its result says why.
            let _ = sender.send(StreamMessage::Rows(batch));
            let _ = sender.send(StreamMessage::Finish);
        }
        self.join()
    }

    /// The writing thread's result, once it ended.
    fn join(&mut self) -> Result<usize, ExportError> {
        self.sender = None;
        match self.writer.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(ExportError::from_io(
                &self.path,
                std::io::Error::other("a gravação do CSV falhou inesperadamente"),
            )),
            None => Err(ExportError::Cancelled),
        }
    }

    fn send(&mut self, message: StreamMessage) -> bool {
        self.sender
            .as_ref()
            .is_some_and(|sender| sender.send(message).is_ok())
    }
}

impl RowSink for CsvStream {
    fn start_attempt(&mut self, attempt: u32) {
        self.batch.clear();
        if attempt > 1 {
            self.send(StreamMessage::Restart);
        }
    }

    fn push(&mut self, row: Followup) -> bool {
        self.batch.push(row);
        if self.batch.len() < BATCH_ROWS {
            return true;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_ROWS));
        self.send(StreamMessage::Rows(batch))
    }
}

impl Drop for CsvStream {
    /// Without [`CsvStream::finish`]: the writer stops and removes its temporary file before
    /// this returns, so an interrupted program leaves nothing behind.
    fn drop(&mut self) {
        if self.writer.is_some() {
            self.progress.cancel();
            let _ = self.join();
        }
    }
}

/// The writing thread of a [`CsvStream`]: one temporary file per attempt of the fetch.
fn write_stream(
    path: &Path,
    options: &ExportOptions,
    messages: &std::sync::mpsc::Receiver<StreamMessage>,
    progress: &ExportProgress,
) -> Result<usize, ExportError> {
    loop {
        let mut restart = false;
        let mut written = 0usize;
        let result = super::write_atomically_with(path, progress, |out| {
            let out = start_file(out, options, path)?;
            let mut text = Vec::new();
            loop {
                match messages.recv() {
                    Ok(StreamMessage::Rows(rows)) => {
                        let rows: Vec<&Followup> = rows.iter().collect();
                        text = format_batch(&rows, options, text);
                        out.write_all(&text)
                            .map_err(|e| ExportError::from_io(path, e))?;
                        written = written.saturating_add(rows.len());
                        progress.set_rows_written(written);
                    }
                    Ok(StreamMessage::Restart) => {
                        restart = true;
                        return Err(ExportError::Cancelled);
                    }
                    Ok(StreamMessage::Finish) => return Ok(()),
                    // The stream was dropped: the fetch failed or was interrupted.
                    Err(_) => return Err(ExportError::Cancelled),
                }
            }
        });
        if !restart {
            return result.map(|()| written);
        }
    }
}

/// The rows to write, taken a batch at a time, with the cancel checks on the way.
struct Batches<'p, I> {
    rows: I,
    written: usize,
    progress: &'p ExportProgress,
}

impl<'a, I: Iterator<Item = &'a Followup>> Batches<'_, I> {
    /// The next rows (empty at the end); `Err` once the export was cancelled.
    fn next(&mut self) -> Result<Vec<&'a Followup>, ExportError> {
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        for row in self.rows.by_ref() {
            self.progress.checkpoint(self.written)?;
            batch.push(row);
            self.written += 1;
            if batch.len() == BATCH_ROWS {
                break;
            }
        }
        Ok(batch)
    }
}

/// Formats batches on `workers` threads and writes them to `out` in order, starting with
/// `first`.
fn write_in_parallel<'a, I: Iterator<Item = &'a Followup>>(
    out: &mut dyn Write,
    batches: &mut Batches<'_, I>,
    first: Vec<&'a Followup>,
    workers: usize,
    options: &ExportOptions,
    path: &Path,
) -> Result<(), ExportError> {
    use std::sync::mpsc;
    type Job<'a> = (Vec<&'a Followup>, Vec<u8>, mpsc::SyncSender<Vec<u8>>);
    let (jobs, queue) = mpsc::channel::<Job<'a>>();
    let queue = std::sync::Mutex::new(queue);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let queue = &queue;
            scope.spawn(move || {
                loop {
                    let job = queue
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .recv();
                    let Ok((batch, text, done)) = job else { break };
                    // The writer may have stopped (an error, a cancel): nobody waits then.
                    let _ = done.send(format_batch(&batch, options, text));
                }
            });
        }
        let in_flight = workers.saturating_mul(IN_FLIGHT_PER_WORKER);
        let mut pending = std::collections::VecDeque::new();
        let mut spare: Vec<Vec<u8>> = Vec::new();
        let mut batch = first;
        // Writes the oldest batch once it is formatted (waiting for it when `block`).
        let mut write_oldest =
            |pending: &mut std::collections::VecDeque<mpsc::Receiver<Vec<u8>>>,
             spare: &mut Vec<Vec<u8>>,
             block: bool|
             -> Result<bool, ExportError> {
                let Some(oldest) = pending.front() else {
                    return Ok(false);
                };
                let text = if block {
                    oldest.recv().ok()
                } else {
                    oldest.try_recv().ok()
                };
                let Some(text) = text else {
                    return Ok(false);
                };
                pending.pop_front();
                out.write_all(&text)
                    .map_err(|e| ExportError::from_io(path, e))?;
                spare.push(text);
                Ok(true)
            };
        while !batch.is_empty() {
            let (done, formatted) = mpsc::sync_channel(1);
            let text = spare.pop().unwrap_or_default();
            // The queue only closes when a formatting thread panicked; its panic ends the scope.
            let _ = jobs.send((batch, text, done));
            pending.push_back(formatted);
            loop {
                let block = pending.len() >= in_flight;
                if !write_oldest(&mut pending, &mut spare, block)? {
                    break;
                }
            }
            batch = batches.next()?;
        }
        drop(jobs);
        while write_oldest(&mut pending, &mut spare, true)? {}
        Ok(())
    })
}

/// `rows` as CSV lines, in `options`' dialect and columns, into `text` (emptied first).
fn format_batch(rows: &[&Followup], options: &ExportOptions, mut text: Vec<u8>) -> Vec<u8> {
    text.clear();
    let excel = options.csv_separator == CsvSeparator::Semicolon;
    let mut writer = dialect(options.csv_separator).from_writer(text);
    let mut mapper = CellMapper::new(options.raw_codes);
    let mut scratch = String::with_capacity(64);
    // Writing to memory cannot fail: the results are not errors to handle.
    for row in rows {
        for &column in &options.columns {
            scratch.clear();
            let field: &str = match mapper.cell(row, column) {
                Cell::Empty => "",
                Cell::Int(value) => {
                    digits::push_int(&mut scratch, value);
                    &scratch
                }
                Cell::Text(text) => {
                    if excel && column == Column::CpfCnpj && excel_would_convert(&text) {
                        // Excel would read an unmasked document as a number (losing leading
                        // zeros) or a date: a text formula keeps it exactly as received.
                        let _ = write!(scratch, "=\"{text}\"");
                        &scratch
                    } else {
                        let _ = writer.write_field(text.as_bytes());
                        continue;
                    }
                }
                Cell::DateTime(value) => {
                    write_datetime(&mut scratch, value, excel);
                    &scratch
                }
                Cell::Time(value) => {
                    write_time(&mut scratch, value, excel);
                    &scratch
                }
            };
            let _ = writer.write_field(field.as_bytes());
        }
        let _ = writer.write_record(None::<&[u8]>);
    }
    writer.into_inner().unwrap_or_else(|error| {
        // Not reached: flushing into a Vec does not fail. Its bytes are still the batch's.
        error.into_inner().get_ref().clone()
    })
}

/// Starts a CSV file on `out` in `separator`'s dialect (see the module documentation): the BOM
/// first for [`CsvSeparator::Semicolon`], then a writer with that separator, CRLF line ends
/// and RFC 4180 quoting only where needed. Every CSV file this crate writes starts here.
pub fn csv_writer<W: Write>(
    mut out: W,
    separator: CsvSeparator,
    path: &Path,
) -> Result<::csv::Writer<W>, ExportError> {
    if separator == CsvSeparator::Semicolon {
        out.write_all(BOM)
            .map_err(|e| ExportError::from_io(path, e))?;
    }
    Ok(dialect(separator)
        .buffer_capacity(64 * 1024)
        .from_writer(out))
}

/// `separator`, CRLF line ends and RFC 4180 quoting only where needed: the one dialect of
/// every CSV line this crate writes.
fn dialect(separator: CsvSeparator) -> ::csv::WriterBuilder {
    let mut builder = ::csv::WriterBuilder::new();
    builder
        .delimiter(separator.byte())
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary);
    builder
}

/// Whether Excel pt-BR would turn a document that has no mask into a number or a date: it has
/// only digits and `.,/-` or spaces, and is not a CPF/CNPJ (those were already masked, and a
/// mask like `529.982.247-25` or `11.222.333/0001-81` stays text).
pub(super) fn excel_would_convert(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'/' | b'-' | b' '))
        && crate::doc_id::Masked::of(text).is_none()
}

/// `29/11/2026` / `29/11/2026 14:30` (Excel dialect) or `2026-11-29` / `2026-11-29 14:30:00`.
pub(super) fn write_datetime(out: &mut String, value: NaiveDateTime, excel: bool) {
    let written = if excel {
        digits::push_datetime_dmy(out, value)
    } else {
        digits::push_datetime_ymd(out, value)
    };
    if written.is_some() {
        return;
    }
    // Years outside 0 to 9999, as `{:04}` spells them.
    let (date, time) = (value.date(), value.time());
    let has_time = time != NaiveTime::MIN;
    if excel {
        let _ = write!(
            out,
            "{:02}/{:02}/{:04}",
            date.day(),
            date.month(),
            date.year()
        );
        if has_time {
            let _ = write!(out, " {:02}:{:02}", time.hour(), time.minute());
        }
    } else {
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}",
            date.year(),
            date.month(),
            date.day()
        );
        if has_time {
            let _ = write!(
                out,
                " {:02}:{:02}:{:02}",
                time.hour(),
                time.minute(),
                time.second()
            );
        }
    }
}

/// `14:30` (`14:30:05` with seconds) in the Excel dialect, `14:30:00` otherwise.
pub(super) fn write_time(out: &mut String, value: NaiveTime, excel: bool) {
    digits::push_hm(out, value);
    if !excel || value.second() != 0 {
        digits::push_colon_seconds(out, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn batches_formatted_on_threads_are_written_in_order_as_one_by_one() {
        // Enough rows for several batches per thread, in both dialects; the last batch short.
        let rows = crate::sim::huge_history_rows(BATCH_ROWS * 5 + 7);
        for separator in [CsvSeparator::Semicolon, CsvSeparator::Comma] {
            let options = ExportOptions {
                csv_separator: separator,
                ..ExportOptions::new(super::super::ExportFormat::Csv)
            };
            let mut written = Vec::new();
            let progress = ExportProgress::new();
            let count = write_csv(
                &mut written,
                rows.iter(),
                &options,
                &progress,
                Path::new("x"),
            )
            .expect("written");
            assert_eq!(count, rows.len());
            // The reference: the header, then every row formatted in one go on this thread.
            let mut expected = Vec::new();
            let mut header = csv_writer(&mut expected, separator, Path::new("x")).expect("bom");
            header
                .write_record(options.columns.iter().map(|column| column.label()))
                .expect("header");
            drop(header);
            let all: Vec<&Followup> = rows.iter().collect();
            expected.extend(format_batch(&all, &options, Vec::new()));
            assert!(written == expected, "{separator:?}: the bytes differ");
            let lines = written.windows(2).filter(|w| w == b"\r\n").count();
            assert!(
                lines > rows.len(),
                "{lines} line ends for {} rows",
                rows.len()
            );
        }
    }

    /// `rows` as [`write_csv`] writes them.
    fn written_at_once(rows: &[Followup], options: &ExportOptions) -> Vec<u8> {
        let mut written = Vec::new();
        write_csv(
            &mut written,
            rows.iter(),
            options,
            &ExportProgress::new(),
            Path::new("x"),
        )
        .expect("written");
        written
    }

    /// Temporary files an export left in `folder`.
    fn temp_files(folder: &Path) -> Vec<std::path::PathBuf> {
        std::fs::read_dir(folder)
            .expect("folder")
            .map(|entry| entry.expect("entry").path())
            .filter(|path| {
                path.file_name().is_some_and(|n| {
                    n.to_string_lossy()
                        .starts_with(super::super::TEMP_FILE_PREFIX)
                })
            })
            .collect()
    }

    #[test]
    fn a_stream_writes_the_same_bytes_and_starts_over_with_each_attempt() {
        let rows = crate::sim::huge_history_rows(BATCH_ROWS * 3 + 11);
        let folder = tempfile::tempdir().expect("folder");
        let path = folder.path().join("saida.csv");
        for separator in [CsvSeparator::Semicolon, CsvSeparator::Comma] {
            std::fs::write(&path, "conteúdo anterior").expect("old file");
            let options = ExportOptions {
                csv_separator: separator,
                ..ExportOptions::new(super::super::ExportFormat::Csv)
            };
            let mut stream = CsvStream::create(&path, &options).expect("stream");
            // A first attempt that breaks off after two batches and a bit, then a whole one.
            stream.start_attempt(1);
            for row in rows.iter().take(BATCH_ROWS * 2 + 5).cloned() {
                assert!(stream.push(row));
            }
            stream.start_attempt(2);
            for row in rows.iter().cloned() {
                assert!(stream.push(row));
            }
            // The destination is replaced only at the end.
            let kept = std::fs::read_to_string(&path).expect("old file");
            assert!(kept == "conteúdo anterior", "the destination changed early");
            assert_eq!(stream.finish().expect("finished"), rows.len());
            let written = std::fs::read(&path).expect("new file");
            assert!(
                written == written_at_once(&rows, &options),
                "{separator:?}: the bytes differ"
            );
            assert!(temp_files(folder.path()).is_empty());
        }
    }

    #[test]
    fn a_dropped_stream_leaves_the_destination_and_no_temporary_file() {
        let rows = crate::sim::huge_history_rows(BATCH_ROWS * 2);
        let folder = tempfile::tempdir().expect("folder");
        let path = folder.path().join("saida.csv");
        std::fs::write(&path, "conteúdo anterior").expect("old file");
        let options = ExportOptions::new(super::super::ExportFormat::Csv);
        let mut stream = CsvStream::create(&path, &options).expect("stream");
        stream.start_attempt(1);
        for row in rows {
            assert!(stream.push(row));
        }
        drop(stream);
        assert_eq!(
            std::fs::read_to_string(&path).expect("old file"),
            "conteúdo anterior"
        );
        assert!(temp_files(folder.path()).is_empty());
    }

    #[test]
    fn a_stream_says_why_it_cannot_write() {
        let options = ExportOptions::new(super::super::ExportFormat::Csv);
        let folder = tempfile::tempdir().expect("folder");
        // A missing folder: refused before any row.
        let missing = folder.path().join("não existe").join("saida.csv");
        let refused = CsvStream::create(&missing, &options).err();
        assert!(
            matches!(refused, Some(ExportError::NoFolder { .. })),
            "{refused:?}"
        );
        // A folder that goes away while rows arrive: the file cannot take its place.
        let inner = folder.path().join("pasta");
        std::fs::create_dir(&inner).expect("folder");
        let path = inner.join("saida.csv");
        let mut stream = CsvStream::create(&path, &options).expect("stream");
        stream.start_attempt(1);
        for row in crate::sim::huge_history_rows(10) {
            assert!(stream.push(row));
        }
        let _ = std::fs::remove_dir_all(&inner);
        assert!(stream.finish().is_err(), "the file has no folder to go to");
        assert!(!path.exists());
    }

    #[test]
    fn a_cancelled_export_stops_between_batches() {
        let rows = crate::sim::huge_history_rows(BATCH_ROWS * 3);
        let options = ExportOptions::new(super::super::ExportFormat::Csv);
        let progress = ExportProgress::new();
        progress.cancel();
        let mut written = Vec::new();
        let result = write_csv(
            &mut written,
            rows.iter(),
            &options,
            &progress,
            Path::new("x"),
        );
        assert!(matches!(result, Err(ExportError::Cancelled)), "{result:?}");
    }

    #[test]
    fn dates_follow_the_dialect() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let cases = [
            (day.and_hms_opt(0, 0, 0).unwrap(), true, "05/01/2026"),
            (day.and_hms_opt(14, 3, 9).unwrap(), true, "05/01/2026 14:03"),
            (day.and_hms_opt(0, 0, 0).unwrap(), false, "2026-01-05"),
            (
                day.and_hms_opt(14, 3, 9).unwrap(),
                false,
                "2026-01-05 14:03:09",
            ),
        ];
        for (value, excel, expected) in cases {
            let mut out = String::new();
            write_datetime(&mut out, value, excel);
            assert_eq!(out, expected);
        }
        let mut out = String::new();
        write_time(&mut out, NaiveTime::from_hms_opt(9, 5, 0).unwrap(), true);
        assert_eq!(out, "09:05");
        out.clear();
        write_time(&mut out, NaiveTime::from_hms_opt(9, 5, 0).unwrap(), false);
        assert_eq!(out, "09:05:00");
    }

    #[test]
    fn only_unmasked_number_like_documents_are_guarded() {
        assert!(excel_would_convert("0123456789"));
        assert!(excel_would_convert("01/02/2023"));
        assert!(excel_would_convert("123.456"));
        assert!(!excel_would_convert("529.982.247-25"));
        assert!(!excel_would_convert("11.222.333/0001-81"));
        assert!(!excel_would_convert("12.ABC.345/01DE-35"));
        assert!(!excel_would_convert("sem documento"));
        assert!(!excel_would_convert(""));
    }
}
