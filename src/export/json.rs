//! JSON export: the API's own shape ([`crate::api::wire`]), for scripts and other tools.
//!
//! A JSON array of objects with the API's field names and formats (`2026-11-29T00:00:00`,
//! `14:30:00`, codes as the API sends them), one row per line. Every field is written,
//! whatever [`ExportOptions::columns`](super::ExportOptions::columns) says.

use std::io::{self, Write};
use std::path::Path;

use super::{ExportError, ExportProgress};
use crate::api::Followup;

/// Writes rows as a JSON array with the API's field names and formats, one row per line.
pub fn write_json(out: &mut dyn Write, rows: &[Followup], path: &Path) -> Result<(), ExportError> {
    write_json_rows(out, rows.iter(), &ExportProgress::new(), path).map(|_| ())
}

/// [`write_json`] for any row iterator, with progress and cancellation; returns the row count.
///
/// JSON is the API's own form: every field, whatever
/// [`ExportOptions::columns`](super::ExportOptions::columns) says.
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
        progress.checkpoint(written)?;
        out.write_all(if written == 0 { b"\n" } else { b",\n" })
            .map_err(io)?;
        // `io::Error::from` keeps an I/O failure's kind: a closed pipe stays `BrokenPipe`.
        serde_json::to_writer(&mut *out, row).map_err(|e| io(io::Error::from(e)))?;
        written += 1;
    }
    out.write_all(b"\n]\n").map_err(io)?;
    progress.set_rows_written(written);
    Ok(written)
}
