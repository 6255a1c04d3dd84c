//! Writing result rows to files: atomic replacement and the formats.
//!
//! Every format writes to a temporary file in the destination folder and renames it over the
//! destination only when complete: a failure or a cancellation leaves any existing file
//! untouched and no half-written file behind.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::api::Followup;

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
pub fn write_atomically<F>(path: &Path, write: F) -> Result<(), ExportError>
where
    F: FnOnce(&mut dyn Write) -> Result<(), ExportError>,
{
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
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
    let io = |e: io::Error| ExportError::from_io(path, e);
    out.write_all(b"[").map_err(io)?;
    for (index, row) in rows.iter().enumerate() {
        out.write_all(if index == 0 { b"\n" } else { b",\n" })
            .map_err(io)?;
        serde_json::to_writer(&mut *out, row).map_err(|e| io(io::Error::other(e)))?;
    }
    out.write_all(b"\n]\n").map_err(io)?;
    Ok(())
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
