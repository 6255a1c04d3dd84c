//! Writing result rows to files: atomic replacement and the formats.
//!
//! [`export_rows`] is the one entry point (for the GUI's background thread and the CLI): it
//! writes XLSX ([`xlsx`]), CSV ([`csv`]), JSON ([`json`]) or TSV ([`tsv`]) with the options of
//! [`ExportOptions`] (shared column mapping in [`columns`]), reports progress and honours
//! cancellation through [`ExportProgress`]. [`summary`] writes the summary of
//! [`crate::analysis::summary`] (the window's copy, CSV, JSON, XLSX sheets with charts); the
//! rows' XLSX appends those sheets when [`ExportOptions::summary`] names dimensions.
//!
//! Every format writes to a temporary file in the destination folder and renames it over the
//! destination only when complete: a failure or a cancellation leaves any existing file
//! untouched and no half-written file behind.

pub mod agenda;
pub mod clipboard;
pub mod columns;
pub mod csv;
mod digits;
pub mod json;
pub mod summary;
pub mod tsv;
pub mod xlsx;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::api::Followup;
use crate::sync::lock;

pub use columns::{
    Cell, CellMapper, CsvSeparator, ExportFormat, ExportOptions, default_file_name,
    neutralize_formula,
};
pub use json::{write_json, write_json_rows};
pub use tsv::{tsv_text, write_tsv};

/// A failure writing an export, with a Portuguese message the user can act on.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The destination folder does not exist.
    #[error("A pasta de destino não existe: {folder}")]
    NoFolder {
        /// The folder.
        folder: PathBuf,
    },
    /// Permission denied or read-only location.
    #[error("Sem permissão para gravar em {path}: escolha outra pasta ou verifique as permissões.")]
    Denied {
        /// The destination.
        path: PathBuf,
    },
    /// The file is open in another program (Windows locks files open in Excel).
    #[error("O arquivo {path} está aberto em outro programa (Excel?). Feche-o e tente novamente.")]
    Locked {
        /// The destination.
        path: PathBuf,
    },
    /// The disk is full.
    #[error("Disco cheio ao gravar {path}: libere espaço e tente novamente.")]
    DiskFull {
        /// The destination.
        path: PathBuf,
    },
    /// Cancelled by the user; nothing was changed.
    #[error("Exportação cancelada; nenhum arquivo foi alterado.")]
    Cancelled,
    /// The spreadsheet library refused the workbook (a bug or a limit not handled here).
    #[error("Falha ao montar a planilha {path}: {source}")]
    Xlsx {
        /// The destination.
        path: PathBuf,
        /// The cause.
        source: rust_xlsxwriter::XlsxError,
    },
    /// Any other I/O failure.
    #[error("Falha ao gravar {path}: {source}")]
    Io {
        /// The destination.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

impl ExportError {
    /// Maps an I/O error on `path` to the most helpful variant.
    pub fn from_io(path: &Path, error: io::Error) -> ExportError {
        let path = path.to_path_buf();
        match error.kind() {
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
                ExportError::Denied { path }
            }
            io::ErrorKind::StorageFull => ExportError::DiskFull { path },
            io::ErrorKind::ResourceBusy => ExportError::Locked { path },
            // Windows: ERROR_SHARING_VIOLATION (32) and ERROR_LOCK_VIOLATION (33).
            _ if cfg!(windows) && matches!(error.raw_os_error(), Some(32 | 33)) => {
                ExportError::Locked { path }
            }
            _ => ExportError::Io {
                path,
                source: error,
            },
        }
    }

    /// Whether the export failed because the reader of its stream went away (a closed pipe,
    /// as `| head -1` does): not a failure the user needs to hear about.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, ExportError::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }

    /// Maps an error of the `csv` crate while writing `path`: its I/O errors as
    /// [`Self::from_io`] does, anything else as [`ExportError::Io`].
    pub fn from_csv(path: &Path, error: ::csv::Error) -> ExportError {
        match error.into_kind() {
            ::csv::ErrorKind::Io(io) => ExportError::from_io(path, io),
            other => ExportError::from_io(path, io::Error::other(format!("{other:?}"))),
        }
    }
}

/// Writes `path` atomically: `write` fills a temporary file in the same folder, which then
/// replaces `path`. If `write` fails, the temporary file is removed and `path` is untouched.
///
/// The file written gets the permissions of the file it replaces, or, when it is new, those
/// any new file gets in that folder (the umask and the folder's default ACL); the temporary
/// file is readable by its owner only while it is being written.
///
/// The writer is `Send` because the XLSX writer requires it.
pub fn write_atomically<F>(path: &Path, write: F) -> Result<(), ExportError>
where
    F: FnOnce(&mut (dyn Write + Send)) -> Result<(), ExportError>,
{
    write_atomically_with(path, &ExportProgress::new(), write)
}

/// [`write_atomically`] reporting to `progress`: the temporary file's path (so that
/// [`ExportProgress::remove_temp_file`] can reach it), the bytes written and the finishing
/// phase; once `progress` is cancelled, every write fails, so that even a long final step (the
/// XLSX compression) stops within a few milliseconds.
fn write_atomically_with<F>(
    path: &Path,
    progress: &ExportProgress,
    write: F,
) -> Result<(), ExportError>
where
    F: FnOnce(&mut (dyn Write + Send)) -> Result<(), ExportError>,
{
    let folder = destination_folder(path);
    if !folder.is_dir() {
        return Err(ExportError::NoFolder { folder });
    }
    let io_error = |e: io::Error| ExportError::from_io(path, e);
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_FILE_PREFIX).suffix(TEMP_FILE_SUFFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // Created like any new file (`0o666` less the umask and the folder's default ACL), to
        // learn the mode a new file gets here; narrowed to the owner below, before any data.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(&folder).map_err(io_error)?;
    let _registered = progress.register_temp_file(temp.path());
    let new_file_permissions = owner_only_while_writing(temp.as_file());
    {
        let mut writer = ProgressWriter::new(
            BufWriter::with_capacity(256 * 1024, temp.as_file()),
            progress,
        );
        write(&mut writer)?;
        progress.set_finishing();
        writer.flush().map_err(io_error)?;
        if writer.refused {
            return Err(ExportError::Cancelled);
        }
    }
    // The mode the user expects: the replaced file's, or a new file's. Best effort: some file
    // systems (network shares, FAT) do not keep modes, and refusing the export for that would
    // help nobody.
    let final_permissions = std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions())
        .or(new_file_permissions);
    if let Some(permissions) = final_permissions {
        let _ = temp.as_file().set_permissions(permissions);
    }
    temp.as_file().sync_all().map_err(io_error)?;
    if progress.is_cancelled() {
        return Err(ExportError::Cancelled);
    }
    temp.persist(path).map_err(|e| io_error(e.error))?;
    Ok(())
}

/// The name of export temporary files: `.recuperador-XXXXXX.tmp`, hidden on Unix.
pub const TEMP_FILE_PREFIX: &str = ".recuperador-";
/// See [`TEMP_FILE_PREFIX`].
pub const TEMP_FILE_SUFFIX: &str = ".tmp";

/// Narrows a just-created temporary file to its owner and returns the permissions it was
/// created with (those of any new file in that folder). `None` where modes do not apply.
#[cfg(unix)]
fn owner_only_while_writing(file: &File) -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    let created = file.metadata().ok()?.permissions();
    let _ = file.set_permissions(std::fs::Permissions::from_mode(created.mode() & 0o700));
    Some(created)
}

/// Windows and others: files take their folder's ACL, nothing to narrow or restore.
#[cfg(not(unix))]
fn owner_only_while_writing(_file: &File) -> Option<std::fs::Permissions> {
    None
}

/// The writer the formats write to: counts bytes into the progress and, once the export is
/// cancelled, fails the next write (the error is reported as [`ExportError::Cancelled`] by
/// [`export_rows`]), which stops any format at once, the XLSX compression included.
///
/// Writes after that refusal are discarded without error: the temporary file is about to be
/// removed, and the libraries' clean-up on drop (the zip writer finalising its archive) then
/// stays quiet instead of printing its failure on stderr.
struct ProgressWriter<'a, W> {
    inner: W,
    progress: &'a ExportProgress,
    refused: bool,
}

impl<'a, W> ProgressWriter<'a, W> {
    fn new(inner: W, progress: &'a ExportProgress) -> Self {
        ProgressWriter {
            inner,
            progress,
            refused: false,
        }
    }

    /// Whether this write is refused (the first one after the cancel) or discarded (later).
    fn stopped(&mut self) -> Option<io::Result<()>> {
        if self.refused {
            return Some(Ok(()));
        }
        if self.progress.is_cancelled() {
            self.refused = true;
            return Some(Err(io::Error::other("export cancelled")));
        }
        None
    }
}

impl<W: Write> Write for ProgressWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(stopped) = self.stopped() {
            return stopped.map(|()| buf.len());
        }
        let written = self.inner.write(buf)?;
        self.progress
            .bytes_written
            .fetch_add(written as u64, Ordering::Relaxed);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.stopped() {
            Some(stopped) => stopped,
            None => self.inner.flush(),
        }
    }
}

/// How often (in rows) exports update [`ExportProgress`] and check for cancellation.
pub const PROGRESS_EVERY_ROWS: usize = 1_000;

/// Progress of a running export, shared between the writing thread and the UI.
///
/// The writer updates the row count and checks the cancel flag every [`PROGRESS_EVERY_ROWS`]
/// rows; the UI reads the counts and may call [`ExportProgress::cancel`] at any time.
#[derive(Debug, Default)]
pub struct ExportProgress {
    rows_written: AtomicUsize,
    total_rows: AtomicUsize,
    cancelled: AtomicBool,
    finishing: AtomicBool,
    bytes_written: AtomicU64,
    temp_file: Mutex<Option<PathBuf>>,
}

impl ExportProgress {
    /// A fresh progress: nothing written, not cancelled.
    pub fn new() -> ExportProgress {
        ExportProgress::default()
    }

    /// Asks the export to stop; it ends with [`ExportError::Cancelled`] and changes no file.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Self::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Data rows written so far.
    pub fn rows_written(&self) -> usize {
        self.rows_written.load(Ordering::Relaxed)
    }

    /// Data rows the export will write.
    pub fn total_rows(&self) -> usize {
        self.total_rows.load(Ordering::Relaxed)
    }

    /// Done fraction, from 0.0 to 1.0 (1.0 for an empty export).
    pub fn fraction(&self) -> f32 {
        let total = self.total_rows();
        if total == 0 {
            return 1.0;
        }
        #[allow(clippy::cast_precision_loss)]
        let fraction = self.rows_written() as f32 / total as f32;
        fraction.min(1.0)
    }

    /// Whether every row is written and the file is being finished: the XLSX compression
    /// (several seconds for a million rows), the final flush to disk.
    pub fn is_finishing(&self) -> bool {
        self.finishing.load(Ordering::Relaxed)
    }

    /// Bytes written to the destination's temporary file so far (for XLSX, they come during
    /// the finishing phase, compressed).
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written.load(Ordering::Relaxed)
    }

    /// Cancels the export and removes its temporary file now, if it still exists, without
    /// waiting for the writer: for a process about to exit while the writer is stuck (a
    /// stalled network share). The destination is left untouched, or complete if the writer
    /// had already renamed the file. Returns whether a file was removed.
    pub fn remove_temp_file(&self) -> bool {
        self.cancel();
        let Some(path) = lock(&self.temp_file).take() else {
            return false;
        };
        std::fs::remove_file(path).is_ok()
    }

    fn start(&self, total_rows: usize) {
        self.total_rows.store(total_rows, Ordering::Relaxed);
        self.rows_written.store(0, Ordering::Relaxed);
        self.bytes_written.store(0, Ordering::Relaxed);
        self.finishing.store(false, Ordering::Relaxed);
    }

    /// Called by a writer before each row with the rows written so far: every
    /// [`PROGRESS_EVERY_ROWS`] rows, updates the count and stops the export if it was
    /// cancelled.
    fn checkpoint(&self, rows_written: usize) -> Result<(), ExportError> {
        if rows_written.is_multiple_of(PROGRESS_EVERY_ROWS) {
            self.set_rows_written(rows_written);
            if self.is_cancelled() {
                return Err(ExportError::Cancelled);
            }
        }
        Ok(())
    }

    fn set_rows_written(&self, rows: usize) {
        self.rows_written.store(rows, Ordering::Relaxed);
    }

    fn set_finishing(&self) {
        self.finishing.store(true, Ordering::Relaxed);
    }

    /// Records the temporary file being written until the returned guard is dropped.
    fn register_temp_file(&self, path: &Path) -> TempFileRegistration<'_> {
        *lock(&self.temp_file) = Some(path.to_path_buf());
        TempFileRegistration { progress: self }
    }
}

/// Forgets the registered temporary file when the writer is done with it.
struct TempFileRegistration<'a> {
    progress: &'a ExportProgress,
}

impl Drop for TempFileRegistration<'_> {
    fn drop(&mut self) {
        lock(&self.progress.temp_file).take();
    }
}

/// What a finished export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSummary {
    /// Data rows written.
    pub rows: usize,
    /// Worksheets (XLSX continues on a new sheet past 1,048,575 rows); 1 for CSV and JSON.
    pub sheets: usize,
    /// Of those, the summary sheets after the data (XLSX with [`ExportOptions::summary`]).
    pub summary_sheets: usize,
    /// XLSX cells whose text was cut at Excel's 32,767-character limit; 0 for CSV and JSON.
    pub truncated_cells: usize,
    /// The file written.
    pub path: PathBuf,
}

/// Exports `rows` to `path` in `options.format`, atomically.
///
/// The one entry point for the GUI (run it on a background thread) and the CLI. `progress`
/// receives the total and the running row count; cancelling it makes the export return
/// [`ExportError::Cancelled`]. On any error, an existing file at `path` is left byte-identical
/// and no temporary file stays behind.
pub fn export_rows<'a>(
    path: &Path,
    rows: impl ExactSizeIterator<Item = &'a Followup>,
    options: &ExportOptions,
    progress: &ExportProgress,
) -> Result<ExportSummary, ExportError> {
    progress.start(rows.len());
    if progress.is_cancelled() {
        return Err(ExportError::Cancelled);
    }
    let mut summary = ExportSummary {
        rows: 0,
        sheets: 1,
        summary_sheets: 0,
        truncated_cells: 0,
        path: path.to_path_buf(),
    };
    let written = write_atomically_with(path, progress, |out| {
        let temp_folder = xlsx::temp_folder_for(&destination_folder(path));
        write_format(
            out,
            rows,
            options,
            tsv::Bom::Yes,
            progress,
            path,
            &temp_folder,
            &mut summary,
        )
    });
    match written {
        Ok(()) => Ok(summary),
        // A write refused because of the cancel, or any failure after it, is the cancel.
        Err(_) if progress.is_cancelled() => Err(ExportError::Cancelled),
        Err(error) => Err(error),
    }
}

/// The name [`export_to_writer`]'s errors and summary give a stream: "a saída padrão", so that
/// a message reads «Falha ao gravar a saída padrão: …».
pub const STREAM_NAME: &str = "a saída padrão";

/// Exports `rows` in `options.format` to a stream (the CLI's `--output -`): the same bytes as
/// [`export_rows`] writes to a file, except that TSV has no byte order mark there (a stream
/// goes to a program or the clipboard, which do not expect one; see [`tsv`]).
///
/// Nothing is written to disk but the XLSX writer's anonymous temporary files in the system's
/// temporary folder, which vanish when closed. `progress` behaves as for a file: once it is
/// cancelled the next write fails and the export returns [`ExportError::Cancelled`]. A reader
/// that goes away (a closed pipe) ends the export with an error for which
/// [`ExportError::is_broken_pipe`] is true. Errors and the summary name the stream
/// [`STREAM_NAME`].
pub fn export_to_writer<'a>(
    out: &mut (dyn Write + Send),
    rows: impl ExactSizeIterator<Item = &'a Followup>,
    options: &ExportOptions,
    progress: &ExportProgress,
) -> Result<ExportSummary, ExportError> {
    progress.start(rows.len());
    if progress.is_cancelled() {
        return Err(ExportError::Cancelled);
    }
    let name = Path::new(STREAM_NAME);
    let mut summary = ExportSummary {
        rows: 0,
        sheets: 1,
        summary_sheets: 0,
        truncated_cells: 0,
        path: name.to_path_buf(),
    };
    let mut writer = ProgressWriter::new(BufWriter::with_capacity(256 * 1024, out), progress);
    let temp_folder = xlsx::temp_folder_for(Path::new("."));
    let written = write_format(
        &mut writer,
        rows,
        options,
        tsv::Bom::No,
        progress,
        name,
        &temp_folder,
        &mut summary,
    )
    .and_then(|()| {
        progress.set_finishing();
        writer
            .flush()
            .map_err(|error| ExportError::from_io(name, error))
    });
    match written {
        Ok(()) if writer.refused => Err(ExportError::Cancelled),
        Ok(()) => Ok(summary),
        Err(_) if progress.is_cancelled() => Err(ExportError::Cancelled),
        Err(error) => Err(error),
    }
}

/// Writes `rows` to `out` in `options.format`, filling `summary`'s counts: the part of an
/// export that does not depend on where the bytes go. `bom` applies to TSV (CSV's mark comes
/// with its dialect); `temp_folder` holds the XLSX writer's temporary files.
#[allow(clippy::too_many_arguments)]
fn write_format<'a>(
    out: &mut (dyn Write + Send),
    rows: impl Iterator<Item = &'a Followup>,
    options: &ExportOptions,
    bom: tsv::Bom,
    progress: &ExportProgress,
    path: &Path,
    temp_folder: &Path,
    summary: &mut ExportSummary,
) -> Result<(), ExportError> {
    match options.format {
        ExportFormat::Csv => {
            summary.rows = csv::write_csv(out, rows, options, progress, path)?;
        }
        ExportFormat::Json => {
            summary.rows = json::write_json_rows(out, rows, progress, path)?;
        }
        ExportFormat::Tsv => {
            summary.rows = tsv::write_tsv(out, rows, options, bom, progress, path)?;
        }
        ExportFormat::Xlsx => {
            let stats = xlsx::write_xlsx(out, rows, options, progress, path, temp_folder)?;
            summary.rows = stats.rows;
            summary.sheets = stats.sheets;
            summary.summary_sheets = stats.summary_sheets;
            summary.truncated_cells = stats.truncated_cells;
        }
    }
    Ok(())
}

/// The folder a file goes to (`.` for a bare file name).
fn destination_folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::api::FollowupFields;

    #[test]
    fn a_failed_write_leaves_the_old_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, b"old contents").unwrap();
        let result = write_atomically(&path, |out| {
            out.write_all(b"half of the new")
                .map_err(|e| ExportError::from_io(&path, e))?;
            Err(ExportError::Cancelled)
        });
        assert!(matches!(result, Err(ExportError::Cancelled)));
        assert_eq!(std::fs::read(&path).unwrap(), b"old contents");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_successful_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, b"old").unwrap();
        let rows = vec![Followup::from(FollowupFields {
            id_followup: Some(1),
            ..FollowupFields::default()
        })];
        write_atomically(&path, |out| write_json(out, &rows, &path)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value[0]["id_followup"], 1);
        assert_eq!(value[0]["data"], serde_json::Value::Null);
        assert_eq!(value.as_array().unwrap().len(), 1);
    }

    /// The files in `dir` whose name is an export temporary file's.
    fn temp_files(dir: &Path) -> Vec<PathBuf> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name()
                    .is_some_and(|name| name.to_string_lossy().starts_with(TEMP_FILE_PREFIX))
            })
            .collect()
    }

    fn rows(n: usize) -> Vec<Followup> {
        crate::sim::huge_history_rows(n)
    }

    #[test]
    fn cancelling_during_the_xlsx_compression_stops_it_and_removes_the_temp_file() {
        // Enough rows for a compression step that lasts long enough to be caught.
        let rows = rows(40_000);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saida.xlsx");
        std::fs::write(&path, b"old").unwrap();
        let progress = ExportProgress::new();
        let options = ExportOptions::new(ExportFormat::Xlsx);
        std::thread::scope(|scope| {
            let export = scope.spawn(|| export_rows(&path, rows.iter(), &options, &progress));
            let started = Instant::now();
            // The compressed workbook is being written into the temporary file.
            while !(progress.is_finishing() && progress.bytes_written() > 0) {
                assert!(
                    !export.is_finished(),
                    "the export ended before it could be caught"
                );
                assert!(started.elapsed() < Duration::from_secs(60));
                std::thread::sleep(Duration::from_millis(1));
            }
            progress.cancel();
            let bytes_at_cancel = progress.bytes_written();
            let result = export.join().unwrap();
            assert!(matches!(result, Err(ExportError::Cancelled)), "{result:?}");
            // Not a byte more once cancelled: the compression stopped at its next write.
            assert_eq!(progress.bytes_written(), bytes_at_cancel);
        });
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
    }

    /// Rows handed out one by one, each only when the test allows it: an export that is
    /// "stuck" (a stalled network share) for as long as the test wants.
    struct Gated<'a> {
        rows: std::slice::Iter<'a, Followup>,
        gate: std::sync::mpsc::Receiver<()>,
    }

    impl<'a> Iterator for Gated<'a> {
        type Item = &'a Followup;
        fn next(&mut self) -> Option<&'a Followup> {
            self.gate.recv().ok()?;
            self.rows.next()
        }
        fn size_hint(&self) -> (usize, Option<usize>) {
            self.rows.size_hint()
        }
    }

    impl ExactSizeIterator for Gated<'_> {}

    #[test]
    fn a_stuck_export_can_have_its_temp_file_removed_from_outside() {
        let rows = rows(10);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("saida.csv");
        std::fs::write(&path, b"old").unwrap();
        let progress = ExportProgress::new();
        let options = ExportOptions::new(ExportFormat::Csv);
        let (open_gate, gate) = std::sync::mpsc::channel();
        let gated = Gated {
            rows: rows.iter(),
            gate,
        };
        std::thread::scope(|scope| {
            let export = scope.spawn(|| export_rows(&path, gated, &options, &progress));
            let started = Instant::now();
            while temp_files(dir.path()).is_empty() {
                assert!(started.elapsed() < Duration::from_secs(30));
                std::thread::sleep(Duration::from_millis(1));
            }
            // The writer waits for its first row: remove its file from here, as closing the
            // window does after its grace period.
            assert!(progress.remove_temp_file());
            assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
            assert!(!progress.remove_temp_file(), "nothing left to remove");
            drop(open_gate);
            let result = export.join().unwrap();
            assert!(matches!(result, Err(ExportError::Cancelled)), "{result:?}");
        });
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(temp_files(dir.path()), Vec::<PathBuf>::new());
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_gets_the_mode_of_any_new_file_in_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        // What this process's umask (and the folder) give any new file.
        let reference = dir.path().join("reference.txt");
        std::fs::write(&reference, b"").unwrap();
        let expected = mode(&reference);
        assert_ne!(
            expected, 0o600,
            "a umask of 077 would make this test meaningless"
        );

        for format in [ExportFormat::Xlsx, ExportFormat::Csv, ExportFormat::Json] {
            let path = dir.path().join(format!("nova.{}", format.extension()));
            let progress = ExportProgress::new();
            export_rows(
                &path,
                rows(3).iter(),
                &ExportOptions::new(format),
                &progress,
            )
            .unwrap();
            assert_eq!(mode(&path), expected, "{format:?}: {:o}", mode(&path));
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_mode_and_the_temp_file_is_private_while_written() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        for wanted in [0o640, 0o664, 0o604] {
            let path = dir.path().join("compartilhada.json");
            std::fs::write(&path, b"old").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(wanted)).unwrap();
            let data = rows(2);
            let mut seen_while_writing = None;
            write_atomically(&path, |out| {
                let temp = temp_files(dir.path());
                seen_while_writing = Some(mode(&temp[0]));
                write_json(out, &data, &path)
            })
            .unwrap();
            assert_eq!(mode(&path), wanted, "{:o}", mode(&path));
            assert_eq!(
                seen_while_writing.map(|mode| mode & 0o077),
                Some(0),
                "only the owner can read the data while it is written"
            );
            assert!(std::fs::read_to_string(&path).unwrap().starts_with('['));
        }
    }

    #[test]
    fn a_stream_gets_the_files_bytes_and_tsv_drops_its_bom() {
        let rows = rows(1_500);
        let dir = tempfile::tempdir().unwrap();
        for format in ExportFormat::ALL {
            let options = ExportOptions::new(format);
            let path = dir.path().join(format!("saida.{}", format.extension()));
            let file_summary =
                export_rows(&path, rows.iter(), &options, &ExportProgress::new()).unwrap();
            let file = std::fs::read(&path).unwrap();
            let mut stream = Vec::new();
            let progress = ExportProgress::new();
            let summary = export_to_writer(&mut stream, rows.iter(), &options, &progress).unwrap();
            assert_eq!(summary.rows, rows.len(), "{format:?}");
            assert_eq!(summary.rows, file_summary.rows, "{format:?}");
            assert_eq!(summary.path, Path::new(STREAM_NAME));
            assert_eq!(progress.bytes_written(), stream.len() as u64, "{format:?}");
            match format {
                ExportFormat::Tsv => {
                    assert!(file.starts_with(b"\xEF\xBB\xBF"));
                    assert_eq!(stream, file[3..], "the file's text without the BOM");
                }
                // A workbook holds its creation time: compare what it reads as instead.
                ExportFormat::Xlsx => {
                    assert!(stream.starts_with(b"PK\x03\x04"), "a zip archive");
                    assert!(stream.len() > 10_000);
                }
                ExportFormat::Csv | ExportFormat::Json => assert_eq!(stream, file, "{format:?}"),
            }
        }
        assert_eq!(temp_files(Path::new(".")), Vec::<PathBuf>::new());
    }

    /// A stream whose reader is gone after `accept` bytes, as a pipe closed by `head`.
    struct ClosedPipe {
        accept: usize,
    }

    impl Write for ClosedPipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.accept == 0 {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            let n = buf.len().min(self.accept);
            self.accept -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_told_apart_from_other_failures() {
        let rows = rows(3_000);
        for format in ExportFormat::ALL {
            let mut pipe = ClosedPipe { accept: 100 };
            let result = export_to_writer(
                &mut pipe,
                rows.iter(),
                &ExportOptions::new(format),
                &ExportProgress::new(),
            );
            let error = result.expect_err("the reader went away");
            assert!(error.is_broken_pipe(), "{format:?}: {error:?}");
        }
        assert!(!ExportError::Cancelled.is_broken_pipe());
        let denied = ExportError::from_io(
            Path::new("x"),
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert!(!denied.is_broken_pipe());
    }

    #[test]
    fn a_cancelled_stream_export_stops() {
        let rows = rows(5_000);
        for format in ExportFormat::ALL {
            let progress = ExportProgress::new();
            progress.cancel();
            let mut out = Vec::new();
            let result = export_to_writer(
                &mut out,
                rows.iter(),
                &ExportOptions::new(format),
                &progress,
            );
            assert!(matches!(result, Err(ExportError::Cancelled)), "{result:?}");
            assert!(out.is_empty(), "{format:?}: nothing written");
        }
    }

    #[test]
    fn a_missing_folder_is_reported() {
        let path = Path::new("/nonexistent-folder-for-test/x.json");
        assert!(matches!(
            write_atomically(path, |_| Ok(())),
            Err(ExportError::NoFolder { .. })
        ));
    }
}
