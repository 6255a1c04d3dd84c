//! Copying to the clipboard: the selected rows as TSV ("Copiar linhas", Ctrl+C), built on a
//! background task and handed to egui when ready; past [`CONFIRM_COPY_ROWS`] rows the window
//! asks first; "Copiar célula" copies one value at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use poll_promise::Promise;

use super::super::tasks::{self, TaskPanicked};
use super::FollowupsApp;
use crate::api::Column;
use crate::export::clipboard::{
    CONFIRM_COPY_ROWS, cell_text, estimate_copy_bytes, selected_rows_text,
};
use crate::fmt::count_br;
use crate::results::Cancelled;

/// What the user asked of the clipboard (queued as [`super::Command::Copy`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyAction {
    /// Copy the selected rows (Ctrl+C, "Copiar linhas"); past [`CONFIRM_COPY_ROWS`] rows,
    /// ask first.
    Rows,
    /// Copy one cell's value ("Copiar célula").
    Cell {
        /// The row (its index in the result set).
        row: u32,
        /// The column.
        column: Column,
    },
    /// Go ahead with the copy the window asked about.
    Confirm,
    /// Drop the copy the window asked about.
    Dismiss,
    /// Stop the copy being built.
    Cancel,
}

/// A large copy waiting for the user's yes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingCopy {
    /// How many rows it copies.
    pub rows: usize,
    /// About how many bytes of text it makes.
    pub estimated_bytes: u64,
}

/// A copy being built in the background.
struct CopyTask {
    rows: usize,
    cancel: Arc<AtomicBool>,
    promise: Option<Promise<Result<Result<String, Cancelled>, TaskPanicked>>>,
}

/// The clipboard's work: the copy being built, the question before a large one, and the
/// outcome of the last one.
#[derive(Default)]
pub struct ClipboardState {
    task: Option<CopyTask>,
    /// The large copy the window is asking about.
    pub confirm: Option<PendingCopy>,
    /// The outcome of the last copy ("3 linhas copiadas"), shown by the count line.
    pub message: Option<String>,
}

impl ClipboardState {
    /// Whether a copy is being built.
    pub fn busy(&self) -> bool {
        self.task.is_some()
    }

    /// How many rows the copy being built has, if one is.
    pub fn copying(&self) -> Option<usize> {
        self.task.as_ref().map(|task| task.rows)
    }

    /// Stops the copy being built, if any (its text is dropped).
    pub(super) fn cancel(&self) {
        if let Some(task) = &self.task {
            task.cancel.store(true, Ordering::SeqCst);
        }
    }
}

impl FollowupsApp {
    /// Runs a clipboard action.
    pub(super) fn run_copy_action(&mut self, ctx: &egui::Context, action: CopyAction) {
        match action {
            CopyAction::Rows => self.copy_rows(ctx),
            CopyAction::Cell { row, column } => {
                let Some(followup) = self.results.rows().get(row as usize) else {
                    return;
                };
                ctx.copy_text(cell_text(followup, column));
                self.clipboard.message = Some(format!("Célula «{}» copiada", column.label()));
            }
            CopyAction::Confirm => {
                if self.clipboard.confirm.take().is_some() {
                    self.start_copy(ctx);
                }
                // Widgets under a modal lose the focus: the table the copy came from gets it
                // back.
                self.table.refocus = true;
            }
            CopyAction::Dismiss => {
                self.clipboard.confirm = None;
                self.table.refocus = true;
            }
            CopyAction::Cancel => self.clipboard.cancel(),
        }
    }

    /// Copies the selection, asking first when it is large.
    fn copy_rows(&mut self, ctx: &egui::Context) {
        if self.clipboard.busy() {
            self.clipboard.message =
                Some("Aguarde: a cópia anterior ainda está sendo montada.".to_owned());
            return;
        }
        let rows = self.table.selection.count();
        if rows == 0 {
            self.clipboard.message = Some("Nenhuma linha selecionada para copiar.".to_owned());
            return;
        }
        if rows > CONFIRM_COPY_ROWS {
            let estimated_bytes = estimate_copy_bytes(
                self.results.rows(),
                self.results.view_indices(),
                rows,
                &self.visible_columns(),
            );
            self.clipboard.confirm = Some(PendingCopy {
                rows,
                estimated_bytes,
            });
            return;
        }
        self.start_copy(ctx);
    }

    /// Builds the text of the selection on a background task (a snapshot of the rows, the
    /// view, the selection and the visible columns).
    fn start_copy(&mut self, ctx: &egui::Context) {
        if self.clipboard.busy() {
            return;
        }
        let rows = self.results.rows().clone();
        let view = self.results.view_indices().to_vec();
        let selection = self.table.selection.clone();
        let columns = self.visible_columns();
        let count = selection.count();
        let cancel = Arc::new(AtomicBool::new(false));
        let promise = {
            let cancel = Arc::clone(&cancel);
            tasks::spawn(ctx, "copy", move || {
                selected_rows_text(&rows, &view, &selection, &columns, &cancel)
            })
        };
        self.clipboard.message = None;
        self.clipboard.task = Some(CopyTask {
            rows: count,
            cancel,
            promise: Some(promise),
        });
    }

    /// Hands a finished copy's text to the clipboard.
    pub(super) fn poll_clipboard(&mut self, ctx: &egui::Context) {
        let Some(task) = &mut self.clipboard.task else {
            return;
        };
        let Some(outcome) = tasks::take_ready(&mut task.promise) else {
            return;
        };
        let rows = task.rows;
        self.clipboard.task = None;
        self.clipboard.message = Some(match outcome {
            Ok(Ok(text)) => {
                ctx.copy_text(text);
                count_br(rows, "linha copiada", "linhas copiadas")
            }
            Ok(Err(Cancelled)) => "Cópia cancelada.".to_owned(),
            Err(panicked) => format!("A cópia falhou ({panicked})."),
        });
    }
}
