//! Exporting the rows on screen: the options, the native save dialog, the background write
//! with progress and Cancel, its outcome, and "Abrir pasta".

use std::path::PathBuf;
use std::sync::Arc;

use poll_promise::Promise;

use super::super::tasks::{self, TaskPanicked};
use super::dialogs::{DialogPromise, ask_save_path};
use super::{Banner, Command, FollowupsApp};
use crate::analysis::summary::Dimension;
use crate::api::Column;
use crate::export::{
    CsvSeparator, ExportError, ExportFormat, ExportOptions, ExportProgress, ExportSummary,
};

/// The summaries "Incluir resumo (consultor, canal, mês)" adds to an Excel export, one sheet
/// each after the data sheet.
pub const EXPORT_SUMMARY_DIMENSIONS: [Dimension; 3] =
    [Dimension::Consultor, Dimension::Canal, Dimension::Mes];

/// Which rows and columns an export writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportScope {
    /// The current view: filtered, sorted, visible columns.
    #[default]
    View,
    /// Every row, in arrival order, every column.
    Everything,
}

/// A finished export, as shown to the user.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportDone {
    /// "Exportado 12.345 linhas para …".
    pub message: String,
    /// The file written.
    pub path: PathBuf,
}

/// An export being written in the background.
pub struct ExportTask {
    /// Progress and cancel switch.
    pub progress: Arc<ExportProgress>,
    /// The format being written.
    pub format: ExportFormat,
    /// Whether this writes the agenda ("Exportar agenda…"): its failure shows in the agenda's
    /// export window instead of the table's.
    pub agenda: bool,
    pub(super) promise: Option<Promise<Result<Result<ExportSummary, ExportError>, TaskPanicked>>>,
}

impl ExportTask {
    /// Whether the worker has ended (written, failed or cancelled, its temporary file gone).
    fn ended(&self) -> bool {
        self.promise
            .as_ref()
            .is_none_or(|promise| promise.ready().is_some())
    }
}

/// The export window and the running export.
#[derive(Default)]
pub struct ExportUiState {
    /// Whether the options window is open.
    pub window_open: bool,
    /// What to export.
    pub scope: ExportScope,
    /// Codes as the API sends them instead of labels.
    pub raw_codes: bool,
    /// Comma-separated plain UTF-8 CSV instead of Excel pt-BR's.
    pub csv_comma: bool,
    /// The path typed when no native dialog exists.
    pub manual_path: String,
    /// The running export.
    pub task: Option<ExportTask>,
    /// The last export's success.
    pub done: Option<ExportDone>,
    /// The last export's failure, in Portuguese.
    pub error: Option<String>,
    /// The save dialog, while it is open.
    dialog: Option<DialogPromise>,
    /// "Abrir pasta", while the file manager is being asked.
    reveal: Option<Promise<Result<Result<(), String>, TaskPanicked>>>,
}

impl ExportUiState {
    /// Whether the save dialog is open.
    pub fn choosing(&self) -> bool {
        self.dialog.is_some()
    }

    /// Whether an export is being written, or its file chosen, or its folder opened.
    pub fn busy(&self) -> bool {
        self.task.is_some() || self.dialog.is_some() || self.reveal.is_some()
    }

    /// Stops the running export (its temporary file is removed, the destination untouched).
    pub(super) fn cancel(&self) {
        if let Some(task) = &self.task {
            task.progress.cancel();
        }
    }

    /// Whether no export is running any more (none started, or its worker ended).
    pub(super) fn ended(&self) -> bool {
        self.task.as_ref().is_none_or(ExportTask::ended)
    }

    /// Removes the temporary file of an export still stuck (the window closes).
    pub(super) fn remove_temp_file(&self) {
        if let Some(task) = &self.task {
            task.progress.remove_temp_file();
        }
    }
}

impl FollowupsApp {
    /// Opens the export options, when there is something to export.
    pub(super) fn open_export(&mut self) {
        if self.results.total_count() > 0 {
            self.export.window_open = true;
            self.export.error = None;
        }
    }

    /// Opens the native save dialog (created here, on the UI thread, and awaited on a worker);
    /// the chosen file is then exported.
    pub(super) fn choose_export_file(
        &mut self,
        ctx: &egui::Context,
        frame: Option<&eframe::Frame>,
    ) {
        if self.export.choosing() || self.export.task.is_some() {
            return;
        }
        let dialog = self
            .dialogs
            .file_dialog("Exportar follow-ups", frame)
            .add_filter("Planilha do Excel (.xlsx)", &["xlsx"])
            .add_filter("CSV (.csv)", &["csv"])
            .add_filter(ExportFormat::Tsv.label(), &["tsv"])
            .set_file_name(self.suggested_file_name(ExportFormat::Xlsx));
        self.export.error = None;
        self.export.dialog = Some(ask_save_path(ctx, "save-dialog", dialog));
    }

    /// The file name proposed in the save dialog: no personal data in it.
    pub fn suggested_file_name(&self, format: ExportFormat) -> String {
        let id_credor = self
            .results
            .rows()
            .get(0)
            .and_then(|r| r.id_credor())
            .or_else(|| self.persisted.id_credor.trim().parse().ok())
            .unwrap_or(0);
        crate::export::default_file_name(id_credor, self.today, format)
    }

    /// Writes the chosen rows and columns to `path` in the background; the format comes from
    /// the extension.
    pub(super) fn start_export(&mut self, ctx: &egui::Context, path: PathBuf) {
        if self.export.task.is_some() {
            return;
        }
        let Some(format) = ExportFormat::from_path(&path) else {
            self.export.error = Some(format!(
                "Use a extensão .xlsx (Excel), .csv, .tsv ou .json no nome do arquivo: {}",
                path.display()
            ));
            self.export.window_open = true;
            return;
        };
        let (indices, columns): (Vec<u32>, Vec<Column>) = match self.export.scope {
            ExportScope::View => (self.results.view_indices().to_vec(), self.visible_columns()),
            ExportScope::Everything => (
                (0..self.results.total_count() as u32).collect(),
                Column::ALL.to_vec(),
            ),
        };
        let options = ExportOptions {
            columns,
            raw_codes: self.export.raw_codes,
            csv_separator: if self.export.csv_comma {
                CsvSeparator::Comma
            } else {
                CsvSeparator::Semicolon
            },
            summary: if self.persisted.export_summary && format == ExportFormat::Xlsx {
                EXPORT_SUMMARY_DIMENSIONS.to_vec()
            } else {
                Vec::new()
            },
            ..ExportOptions::new(format)
        };
        let rows = self.results.rows().clone();
        let progress = Arc::new(ExportProgress::new());
        let promise = {
            let progress = Arc::clone(&progress);
            tasks::spawn(ctx, "export", move || {
                let ordered: Vec<_> = indices
                    .iter()
                    .filter_map(|&i| rows.get(i as usize))
                    .collect();
                crate::export::export_rows(&path, ordered.into_iter(), &options, &progress)
            })
        };
        self.export.window_open = false;
        self.export.done = None;
        self.export.error = None;
        self.export.task = Some(ExportTask {
            progress,
            format,
            agenda: false,
            promise: Some(promise),
        });
    }

    /// Shows an exported file in the system's file manager (in the background: it may take a
    /// moment). A second request while one runs is ignored.
    pub(super) fn reveal_export(&mut self, ctx: &egui::Context, path: PathBuf) {
        if self.export.reveal.is_some() {
            return;
        }
        self.export.reveal = Some(tasks::spawn(ctx, "reveal", move || {
            opener::reveal(&path).map_err(|e| e.to_string())
        }));
    }

    /// Applies the save dialog's choice, the file manager's answer and the export's outcome.
    pub(super) fn poll_export(&mut self) {
        if let Some(chosen) = tasks::take_ready(&mut self.export.dialog) {
            match chosen {
                Ok(Some(path)) => self.queue(Command::ExportTo(path)),
                Ok(None) => {}
                Err(panicked) => self.export.error = Some(panicked.to_string()),
            }
        }
        if let Some(revealed) = tasks::take_ready(&mut self.export.reveal) {
            let failure = match revealed {
                Ok(Ok(())) => None,
                Ok(Err(detail)) => Some(detail),
                Err(panicked) => Some(panicked.to_string()),
            };
            if let Some(detail) = failure {
                self.banner = Some(Banner {
                    message: "Não foi possível abrir a pasta do arquivo exportado.".to_owned(),
                    detail,
                    token_hint: false,
                });
            }
        }
        let Some(task) = &mut self.export.task else {
            return;
        };
        let Some(outcome) = tasks::take_ready(&mut task.promise) else {
            return;
        };
        let agenda = task.agenda;
        self.export.task = None;
        let failure = match outcome {
            Ok(Ok(summary)) => {
                self.export.done = Some(ExportDone {
                    message: done_message(&summary),
                    path: summary.path,
                });
                return;
            }
            Ok(Err(ExportError::Cancelled)) => return,
            Ok(Err(error)) => error.to_string(),
            Err(panicked) => panicked.to_string(),
        };
        self.export.error = Some(failure);
        // The failure shows in the window the export was asked from.
        if agenda {
            self.agenda.export_window_open = true;
        } else {
            self.export.window_open = true;
        }
    }
}

/// "Exportado 12.345 linhas para …", with the sheets and the cells cut at Excel's limit.
fn done_message(summary: &ExportSummary) -> String {
    let mut message = format!(
        "Exportado {} linhas para {}",
        crate::fmt::thousands(summary.rows as u64),
        summary.path.display()
    );
    if summary.sheets > 1 {
        message.push_str(&format!(" ({} abas)", summary.sheets));
    }
    if summary.truncated_cells > 0 {
        message.push_str(&format!(
            "; {} texto(s) cortado(s) no limite do Excel",
            crate::fmt::thousands(summary.truncated_cells as u64)
        ));
    }
    message
}
