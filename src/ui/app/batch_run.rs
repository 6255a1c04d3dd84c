//! Batch mode ("Vários documentos"): one search over a list of CPF/CNPJs, the other filters
//! shared. The list is pasted or imported from a file; the batch runs on the library's
//! [`BatchRun`] workers; its rows are merged into the one result set a frame at a time; its
//! failures can be retried and exported.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use poll_promise::Promise;

use super::super::tasks::{self, TaskPanicked};
use super::dialogs::{DialogPromise, ask_save_path};
use super::{Banner, FollowupsApp, LastFetch};
use crate::api::{ErrorKind, FollowupClient, QueryFilters};
use crate::batch::{
    BatchFailure, BatchHandle, BatchInputError, BatchRun, BatchStop, BatchSummary, DocumentFile,
    DocumentList, LIST_FILE_EXTENSIONS, MAX_CONCURRENCY, parse_document_list, read_document_file,
    write_failures_csv,
};
use crate::doc_id::CpfCnpj;
use crate::export::ExportError;
use crate::results::ResultSet;

/// How often a sorted view is recomputed while a batch streams rows into it. Between two
/// recomputations the table shows the previous view (new rows appear at the next one).
const SORTED_VIEW_REFRESH: Duration = Duration::from_millis(400);

/// An imported column with more lines than this is not put in the list box: the window keeps
/// the parsed documents and shows a summary instead (the box is for lists a person edits).
pub const IMPORT_IN_BOX_MAX_LINES: usize = 5_000;

/// The list file the documents came from, for the column picker.
pub struct ImportedList {
    /// The file's name (no folder).
    pub name: String,
    /// The file read as its filled cells (shared with the background column picker).
    pub file: Arc<DocumentFile>,
    /// The column whose documents are the list.
    pub column: usize,
    /// That column's documents, checked.
    pub list: DocumentList,
    /// Whether the column's text is in the list box (a small file); otherwise the list is
    /// `list` itself and the box is replaced by a summary.
    pub in_box: bool,
}

/// A list file read, or another of its columns picked, in the background.
struct ImportDone {
    name: String,
    file: Arc<DocumentFile>,
    column: usize,
    list: DocumentList,
    /// The column's text for the list box, when it is small enough.
    text: Option<String>,
}

impl ImportDone {
    /// Checks column `column` of `file` (the suggested one when `None`).
    fn prepare(name: String, file: Arc<DocumentFile>, column: Option<usize>) -> ImportDone {
        let column = column.unwrap_or_else(|| file.suggested_column());
        let list = file.list_for_column(column);
        let text = (file.column_lines(column) <= IMPORT_IN_BOX_MAX_LINES)
            .then(|| file.column_text(column));
        ImportDone {
            name,
            file,
            column,
            list,
            text,
        }
    }
}

/// A batch running in the background.
pub struct BatchTask {
    /// The library's handle: progress, rows, cancel.
    pub handle: BatchHandle,
    /// Whether this batch runs the failures of the previous one (its outcome is merged into
    /// that batch's).
    pub retry: bool,
    /// Whether its rows are added to the results on screen (a retry of the batch shown)
    /// instead of replacing them.
    append: bool,
    /// Whether the results on screen were already replaced by this batch's first rows.
    replaced: bool,
    /// When the sorted view was last recomputed for the streaming rows.
    last_view_refresh: Instant,
}

type ImportResult = Result<Option<Result<ImportDone, BatchInputError>>, TaskPanicked>;

/// Batch mode's state: the list, the running batch, the last batch's failures.
#[derive(Default)]
pub struct BatchUiState {
    /// The list as pasted or imported from a small file (never persisted: personal data).
    pub text: String,
    /// `text`, checked; recomputed when `text` changes.
    list: DocumentList,
    /// The text `list` was computed from.
    parsed: String,
    /// The file the list came from, while the list box still holds one of its columns.
    pub imported: Option<ImportedList>,
    /// Why the last import failed, in Portuguese.
    pub import_error: Option<String>,
    /// The path typed where no native open dialog exists.
    pub import_path: String,
    /// The running batch.
    pub task: Option<BatchTask>,
    /// The last finished batch.
    pub last: Option<BatchSummary>,
    /// Whether the failures window is open.
    pub failures_open: bool,
    /// The path typed where no native save dialog exists.
    pub failures_path: String,
    /// The result of the last failure-list export: `(ok, message)`.
    pub failures_status: Option<(bool, String)>,
    /// The filters of the last batch started, for its retry.
    last_filters: Option<QueryFilters>,
    /// Whether the results on screen are a batch's (a retry then adds to them).
    on_screen: bool,
    /// A list file being chosen or read, or another of its columns checked.
    import_promise: Option<Promise<ImportResult>>,
    /// The save dialog of the failure list, while it is open.
    failures_dialog: Option<DialogPromise>,
    /// The failure list being written.
    failures_write: Option<Promise<Result<Result<PathBuf, ExportError>, TaskPanicked>>>,
}

impl BatchUiState {
    /// The list, checked (valid, warned, invalid with lines, duplicates): the one imported
    /// from a large file, else the box's text, parsed again only when it changed.
    pub fn list(&mut self) -> &DocumentList {
        if self.imported_outside_box().is_none() && self.text != self.parsed {
            self.list = parse_document_list(&self.text);
            self.parsed.clone_from(&self.text);
            if let Some(imported) = &self.imported
                && imported.file.column_text(imported.column) != self.text
            {
                // Edited by hand (or cleared): no longer the file's column.
                self.imported = None;
            }
        }
        match self.imported_outside_box() {
            Some(imported) => &imported.list,
            None => &self.list,
        }
    }

    /// The large file whose documents are the list in place of the box, if one is.
    pub fn imported_outside_box(&self) -> Option<&ImportedList> {
        self.imported.as_ref().filter(|imported| !imported.in_box)
    }

    /// Empties the list: the box and any imported file.
    pub fn clear_list(&mut self) {
        self.text.clear();
        self.imported = None;
    }

    /// Whether a batch is running.
    pub fn running(&self) -> bool {
        self.task.is_some()
    }

    /// Whether a list file is being chosen or read.
    pub fn importing(&self) -> bool {
        self.import_promise.is_some()
    }

    /// Whether the failure list is being chosen or written.
    pub fn failures_saving(&self) -> bool {
        self.failures_dialog.is_some() || self.failures_write.is_some()
    }

    /// Whether background work of batch mode is pending (the window then keeps repainting).
    pub fn busy(&self) -> bool {
        self.task.is_some() || self.importing() || self.failures_saving()
    }

    /// Whether no batch is running any more (none started, or its requests ended).
    pub(super) fn ended(&self) -> bool {
        self.task
            .as_ref()
            .is_none_or(|task| task.handle.is_finished())
    }

    /// Whether the last batch left failed or unqueried documents (cheap: no copy).
    pub fn has_unfinished(&self) -> bool {
        self.last
            .as_ref()
            .is_some_and(|last| !last.failures.is_empty() || !last.not_run.is_empty())
    }

    /// The failures of the last batch plus the documents it never queried: what
    /// "Tentar novamente" sends.
    pub fn unfinished(&self) -> Vec<CpfCnpj> {
        self.last
            .as_ref()
            .map(BatchSummary::unfinished_documents)
            .unwrap_or_default()
    }

    /// The failure list to export: the failures, then the documents never queried.
    pub fn failure_rows(&self) -> Vec<BatchFailure> {
        self.last
            .as_ref()
            .map(BatchSummary::failure_rows)
            .unwrap_or_default()
    }

    /// The results on screen are no longer a batch's (a single search replaced them).
    pub(super) fn forget_screen(&mut self) {
        self.on_screen = false;
    }

    /// Cancels the running batch; what arrived stays.
    pub(super) fn cancel(&self) {
        if let Some(task) = &self.task {
            task.handle.cancel();
        }
    }
}

impl FollowupsApp {
    /// Starts a batch over the documents of the list box (or, for a retry, over the last
    /// batch's failures and unqueried documents).
    pub(super) fn start_batch(&mut self, ctx: &egui::Context, retry: bool) {
        // A retry runs with the filters of the batch it completes, whatever the form says now.
        let (docs, filters) = if retry {
            let Some(filters) = self.batch.last_filters.clone() else {
                return;
            };
            (self.batch.unfinished(), filters)
        } else {
            let Ok(filters) = self.form().validate_filters() else {
                return;
            };
            (self.batch.list().valid.clone(), filters)
        };
        if docs.is_empty() {
            return;
        }
        let Some(token) = self.active_token() else {
            self.banner = Some(Banner::no_token());
            return;
        };
        let client = match FollowupClient::new(self.client_config(), token) {
            Ok(client) => Arc::new(client),
            Err(error) => {
                self.banner = Some(Banner::from_api(&error));
                return;
            }
        };
        // A new search supersedes whatever runs (dropping a batch's handle cancels it).
        self.search.supersede();
        self.batch.task = None;
        let notify = {
            let ctx = ctx.clone();
            move || ctx.request_repaint()
        };
        let concurrency = self.persisted.batch_concurrency.clamp(1, MAX_CONCURRENCY);
        self.batch.last_filters = Some(filters.clone());
        let handle = BatchRun::start_with_notify(client, filters, docs, concurrency, notify);
        self.batch.task = Some(BatchTask {
            handle,
            retry,
            append: retry && self.batch.on_screen,
            replaced: false,
            last_view_refresh: Instant::now(),
        });
        self.batch.failures_open = false;
        self.batch.failures_status = None;
        self.banner = None;
    }

    /// Merges the rows that arrived since the last frame, keeps the view current and, once the
    /// batch ends, reports how it went.
    pub(super) fn poll_batch(&mut self, ctx: &egui::Context) {
        self.poll_batch_files();
        let Some(task) = &mut self.batch.task else {
            return;
        };
        // Read "finished" before taking the rows: rows sent before the end are then all taken.
        let finished = task.handle.is_finished();
        let rows = task.handle.take_new_rows();
        let mut replace = false;
        if !rows.is_empty() && !task.append && !task.replaced {
            task.replaced = true;
            replace = true;
        }
        let summary = finished.then(|| task.handle.summary());
        let refresh_due = task.last_view_refresh.elapsed() >= SORTED_VIEW_REFRESH;
        if replace {
            self.replace_results();
        }
        if !rows.is_empty() {
            self.results.append(rows);
        }
        if let Some(summary) = summary {
            self.finish_batch(ctx, summary);
            return;
        }
        // A sorted view does not take appended rows by itself, and a new sort or filter may
        // have landed on fewer rows than arrived since: recompute now and then, one
        // computation at a time, off the UI thread.
        let stale = !self.results.view_is_current() || *self.results.spec() != self.desired_view();
        if stale && !self.view_pending() && refresh_due {
            if let Some(task) = &mut self.batch.task {
                task.last_view_refresh = Instant::now();
            }
            self.refresh_view(ctx);
        }
    }

    /// The batch's first rows replace the results on screen (until then the old ones stay).
    fn replace_results(&mut self) {
        self.results = ResultSet::new();
        self.batch.on_screen = true;
        self.last_fetch = None;
        // An empty set takes the quick filter and the column filters at no cost, so unsorted
        // appends stay filtered.
        self.results.set_view(crate::results::ViewSpec {
            sort: None,
            filter: self.quick_filter.clone(),
            columns: self.column_filters.active.clone(),
        });
        self.table.forget();
    }

    fn finish_batch(&mut self, ctx: &egui::Context, summary: BatchSummary) {
        let Some(task) = self.batch.task.take() else {
            return;
        };
        if !task.append && !task.replaced && summary.succeeded > 0 {
            // Every answer was empty: that is the result.
            self.replace_results();
        }
        // A retry completes the batch it retries: one outcome for the whole list.
        let summary = match self.batch.last.take() {
            Some(previous) if task.retry => previous.merge_retry(summary),
            _ => summary,
        };
        if self.batch.on_screen {
            self.last_fetch = Some(LastFetch::batch(&summary));
        }
        if let Some(stop @ (BatchStop::Error { .. } | BatchStop::Unreachable { .. })) =
            &summary.stop
        {
            self.banner = Some(Banner {
                message: stop.message(),
                detail: stop.detail().to_owned(),
                token_hint: matches!(
                    stop,
                    BatchStop::Error {
                        kind: ErrorKind::InvalidToken,
                        ..
                    }
                ),
            });
        }
        if !summary.failures.is_empty() && summary.failures.len() == summary.total {
            // Nothing worked: say why over the table as well.
            let first = &summary.failures[0];
            self.banner.get_or_insert_with(|| Banner {
                message: format!(
                    "Nenhum dos {} documentos pôde ser consultado: {}",
                    crate::fmt::thousands(summary.total as u64),
                    first.message
                ),
                detail: first.detail.clone(),
                token_hint: false,
            });
        }
        self.batch.last = Some(summary);
        self.refresh_view(ctx);
        self.warm_sort_keys(ctx);
    }

    /// Opens the native file dialog to import a list (created here, on the UI thread, and
    /// awaited on a worker), then reads the chosen file there.
    pub(super) fn choose_list_file(&mut self, ctx: &egui::Context, frame: Option<&eframe::Frame>) {
        if self.batch.importing() {
            return;
        }
        let future = self
            .dialogs
            .file_dialog("Importar lista de CPF/CNPJ", frame)
            .add_filter("Listas (.xlsx, .csv, .txt)", &LIST_FILE_EXTENSIONS)
            .add_filter("Todos os arquivos", &["*"])
            .pick_file();
        self.batch.import_error = None;
        self.batch.import_promise = Some(tasks::spawn(ctx, "list-import", move || {
            let path = pollster::block_on(future)?.path().to_path_buf();
            Some(read_list_file(&path))
        }));
    }

    /// Reads a list file (dropped on the window or typed) in the background.
    pub(super) fn import_list(&mut self, ctx: &egui::Context, path: PathBuf) {
        if self.batch.importing() {
            return;
        }
        self.persisted.batch_mode = true;
        self.batch.import_error = None;
        self.batch.import_promise = Some(tasks::spawn(ctx, "list-import", move || {
            Some(read_list_file(&path))
        }));
    }

    /// Makes column `column` of the imported file the list (checked in the background: a
    /// large file's column takes a moment).
    pub(super) fn pick_list_column(&mut self, ctx: &egui::Context, column: usize) {
        if self.batch.importing() {
            return;
        }
        let Some(imported) = &self.batch.imported else {
            return;
        };
        if column >= imported.file.columns.len() {
            return;
        }
        let name = imported.name.clone();
        let file = Arc::clone(&imported.file);
        self.batch.import_error = None;
        self.batch.import_promise = Some(tasks::spawn(ctx, "list-column", move || {
            Some(Ok(ImportDone::prepare(name, file, Some(column))))
        }));
    }

    /// Opens the native save dialog for the failure list.
    pub(super) fn choose_failures_file(
        &mut self,
        ctx: &egui::Context,
        frame: Option<&eframe::Frame>,
    ) {
        if self.batch.failures_saving() {
            return;
        }
        let dialog = self
            .dialogs
            .file_dialog("Exportar a lista de falhas", frame)
            .add_filter("CSV (.csv)", &["csv"])
            .set_file_name(self.failures_file_name());
        self.batch.failures_status = None;
        self.batch.failures_dialog = Some(ask_save_path(ctx, "failures-dialog", dialog));
    }

    /// `falhas_credor-12_2026-11-29.csv`: no personal data in the name.
    pub fn failures_file_name(&self) -> String {
        let id_credor = self.persisted.id_credor.trim().parse::<i64>().unwrap_or(0);
        format!(
            "falhas_credor-{id_credor}_{}.csv",
            self.today.format("%Y-%m-%d")
        )
    }

    /// Writes the failure list to `path` in the background.
    pub(super) fn export_failures(&mut self, ctx: &egui::Context, path: PathBuf) {
        if self.batch.failures_write.is_some() {
            return;
        }
        let rows = self.batch.failure_rows();
        if rows.is_empty() {
            return;
        }
        let path = with_csv_extension(path);
        self.batch.failures_status = None;
        self.batch.failures_write = Some(tasks::spawn(ctx, "failures-export", move || {
            write_failures_csv(&path, &rows).map(|()| path)
        }));
    }

    fn poll_batch_files(&mut self) {
        if let Some(outcome) = tasks::take_ready(&mut self.batch.import_promise) {
            match outcome {
                Ok(None) => {}
                Ok(Some(Ok(done))) => {
                    let in_box = done.text.is_some();
                    self.batch.text = done.text.unwrap_or_default();
                    self.batch.imported = Some(ImportedList {
                        name: done.name,
                        file: done.file,
                        column: done.column,
                        list: done.list,
                        in_box,
                    });
                    self.batch.import_path.clear();
                    self.persisted.batch_mode = true;
                }
                Ok(Some(Err(error))) => self.batch.import_error = Some(error.to_string()),
                Err(panicked) => self.batch.import_error = Some(panicked.to_string()),
            }
        }
        if let Some(chosen) = tasks::take_ready(&mut self.batch.failures_dialog) {
            match chosen {
                Ok(Some(path)) => self.queue(super::Command::ExportFailuresTo(path)),
                Ok(None) => {}
                Err(panicked) => {
                    self.batch.failures_status = Some((false, panicked.to_string()));
                }
            }
        }
        if let Some(written) = tasks::take_ready(&mut self.batch.failures_write) {
            self.batch.failures_status = Some(match written {
                Ok(Ok(path)) => (
                    true,
                    format!("Lista de falhas exportada para {}", path.display()),
                ),
                Ok(Err(error)) => (false, error.to_string()),
                Err(panicked) => (false, panicked.to_string()),
            });
        }
    }
}

/// Reads a list file and checks its suggested column (on a background thread).
fn read_list_file(path: &std::path::Path) -> Result<ImportDone, BatchInputError> {
    let file = read_document_file(path)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(ImportDone::prepare(name, Arc::new(file), None))
}

/// `falhas` → `falhas.csv`; a name that already ends in `.csv` (any case) is kept.
fn with_csv_extension(path: PathBuf) -> PathBuf {
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        path
    } else {
        let mut name = path.into_os_string();
        name.push(".csv");
        PathBuf::from(name)
    }
}

impl LastFetch {
    /// What a batch brought: its wall time and how many documents it queried.
    fn batch(summary: &BatchSummary) -> LastFetch {
        LastFetch {
            elapsed: summary.elapsed,
            bytes: 0,
            attempts: 0,
            problems: None,
            documents: summary.total,
            documents_ok: summary.succeeded,
        }
    }
}
