//! Writing result rows to files: atomic replacement and the formats.
//!
//! [`export_rows`] is the one entry point (for the GUI's background thread and the CLI): it
//! writes XLSX ([`xlsx`]), CSV ([`csv`]) or JSON with the options of [`ExportOptions`]
//! (shared column mapping in [`columns`]), reports progress and honours cancellation through
//! [`ExportProgress`].
//!
//! Every format writes to a temporary file in the destination folder and renames it over the
//! destination only when complete: a failure or a cancellation leaves any existing file
//! untouched and no half-written file behind.

pub mod columns;
pub mod csv;
pub mod xlsx;

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::api::Followup;

pub use columns::{
    Cell, CellMapper, CsvSeparator, ExportFormat, ExportOptions, default_file_name,
    neutralize_formula,
};

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
}

/// Writes `path` atomically: `write` fills a temporary file in the same folder, which then
/// replaces `path`. If `write` fails, the temporary file is removed and `path` is untouched.
///
/// The writer is `Send` because the XLSX writer requires it.
pub fn write_atomically<F>(path: &Path, write: F) -> Result<(), ExportError>
where
    F: FnOnce(&mut (dyn Write + Send)) -> Result<(), ExportError>,
{
    let folder = destination_folder(path);
    if !folder.is_dir() {
        return Err(ExportError::NoFolder { folder });
    }
    let temp = tempfile::Builder::new()
        .prefix(".recuperador-")
        .suffix(".tmp")
        .tempfile_in(&folder)
        .map_err(|e| ExportError::from_io(path, e))?;
    {
        let mut writer = BufWriter::with_capacity(256 * 1024, temp.as_file());
        write(&mut writer)?;
        writer.flush().map_err(|e| ExportError::from_io(path, e))?;
    }
    temp.as_file()
        .sync_all()
        .map_err(|e| ExportError::from_io(path, e))?;
    temp.persist(path)
        .map_err(|e| ExportError::from_io(path, e.error))?;
    Ok(())
}

/// Writes rows as a JSON array with the API's field names and formats, one row per line.
pub fn write_json(out: &mut dyn Write, rows: &[Followup], path: &Path) -> Result<(), ExportError> {
    write_json_rows(out, rows.iter(), &ExportProgress::new(), path).map(|_| ())
}

/// [`write_json`] for any row iterator, with progress and cancellation; returns the row count.
///
/// JSON is the API's own form: every field, whatever [`ExportOptions::columns`] says.
pub fn write_json_rows<'a>(
    out: &mut dyn Write,
    rows: impl Iterator<Item = &'a Followup>,
    progress: &ExportProgress,
    path: &Path,
) -> Result<usize, ExportError> {
    let io = |e: io::Error| ExportError::from_io(path, e);
    out.write_all(b"[").map_err(io)?;
    let mut written = 0;
    for row in rows {
        if written % PROGRESS_EVERY_ROWS == 0 {
            progress.set_rows_written(written);
            if progress.is_cancelled() {
                return Err(ExportError::Cancelled);
            }
        }
        out.write_all(if written == 0 { b"\n" } else { b",\n" })
            .map_err(io)?;
        serde_json::to_writer(&mut *out, row).map_err(|e| io(io::Error::other(e)))?;
        written += 1;
    }
    out.write_all(b"\n]\n").map_err(io)?;
    progress.set_rows_written(written);
    Ok(written)
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

    fn start(&self, total_rows: usize) {
        self.total_rows.store(total_rows, Ordering::Relaxed);
        self.rows_written.store(0, Ordering::Relaxed);
    }

    fn set_rows_written(&self, rows: usize) {
        self.rows_written.store(rows, Ordering::Relaxed);
    }
}

/// What a finished export wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSummary {
    /// Data rows written.
    pub rows: usize,
    /// Worksheets (XLSX continues on a new sheet past 1,048,575 rows); 1 for CSV and JSON.
    pub sheets: usize,
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
        truncated_cells: 0,
        path: path.to_path_buf(),
    };
    write_atomically(path, |out| {
        match options.format {
            ExportFormat::Csv => {
                summary.rows = csv::write_csv(out, rows, options, progress, path)?;
            }
            ExportFormat::Json => {
                summary.rows = write_json_rows(out, rows, progress, path)?;
            }
            ExportFormat::Xlsx => {
                let folder = destination_folder(path);
                let temp_folder = xlsx::temp_folder_for(&folder);
                let stats = xlsx::write_xlsx(out, rows, options, progress, path, &temp_folder)?;
                summary.rows = stats.rows;
                summary.sheets = stats.sheets;
                summary.truncated_cells = stats.truncated_cells;
            }
        }
        // A cancel that arrives after the last check still wins, before the rename.
        if progress.is_cancelled() {
            return Err(ExportError::Cancelled);
        }
        Ok(())
    })?;
    Ok(summary)
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
    use super::*;

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
        let rows = vec![Followup {
            id_followup: Some(1),
            ..Followup::default()
        }];
        write_atomically(&path, |out| write_json(out, &rows, &path)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value[0]["id_followup"], 1);
        assert_eq!(value[0]["data"], serde_json::Value::Null);
        assert_eq!(value.as_array().unwrap().len(), 1);
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
