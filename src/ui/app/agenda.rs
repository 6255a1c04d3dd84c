//! The "Agenda" view's state and work: the agenda of reschedules of the rows on screen
//! ([`crate::analysis::agenda`]), computed off the UI thread whenever the view is shown and
//! the installed view (quick filter and column filters), the rows, the reference date or the
//! agenda's own filters changed; the groups' open or closed state (persisted); a click on an entry (the
//! table's selection and the details pane); "Ver histórico do devedor"; "Exportar agenda…";
//! and "Buscar também os follow-ups até hoje".
//!
//! While a batch streams rows in, the agenda is recomputed at most every
//! [`super::STREAM_REFRESH`] (a repaint requested for later, never a sleep). An agenda of an
//! older request is dropped when it ends.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::NaiveDate;
use poll_promise::Promise;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::super::tasks::{self, TaskPanicked};
use super::dialogs::{DialogPromise, ask_save_path};
use super::{Command, ExportTask, FollowupsApp, ResultsView, STREAM_REFRESH};
use crate::analysis::agenda::{
    Agenda, AgendaEntry, EntryValue, FILTER_COLUMNS, Situacao, agenda, toggle_entry_value,
};
use crate::api::Column;
use crate::export::{ExportFormat, ExportOptions, ExportProgress};
use crate::results::{Cancelled, ColumnFilter, ColumnFilters, Rows};

/// The groups in the order the view shows them.
pub const GROUP_ORDER: [Situacao; 6] = [
    Situacao::Atrasado,
    Situacao::Hoje,
    Situacao::Proximos7Dias,
    Situacao::Depois,
    Situacao::SemData,
    Situacao::Realizado,
];

/// Whether a group is expanded in a new window: what needs action is open, the rest closed.
pub fn open_by_default(situacao: Situacao) -> bool {
    matches!(
        situacao,
        Situacao::Atrasado | Situacao::Hoje | Situacao::Proximos7Dias
    )
}

/// Which of the agenda's groups are expanded: persisted (only this, no personal data) as the
/// situações' names of the open groups, `["atrasado", "hoje", "proximos_7_dias"]`; names no
/// situação has (a hand-edited file) are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgendaGroups {
    open: [bool; 6],
}

impl Default for AgendaGroups {
    fn default() -> Self {
        AgendaGroups::with_open(Situacao::ALL.into_iter().filter(|s| open_by_default(*s)))
    }
}

impl AgendaGroups {
    /// Only the groups of `open` expanded.
    pub fn with_open(open: impl IntoIterator<Item = Situacao>) -> AgendaGroups {
        let mut groups = AgendaGroups { open: [false; 6] };
        for situacao in open {
            if let Some(slot) = groups.open.get_mut(situacao.index()) {
                *slot = true;
            }
        }
        groups
    }

    /// Whether a group is expanded.
    pub fn is_open(&self, situacao: Situacao) -> bool {
        self.open.get(situacao.index()).copied().unwrap_or(false)
    }

    /// Expands a closed group, collapses an open one.
    pub fn toggle(&mut self, situacao: Situacao) {
        if let Some(open) = self.open.get_mut(situacao.index()) {
            *open = !*open;
        }
    }
}

impl Serialize for AgendaGroups {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            Situacao::ALL
                .into_iter()
                .filter(|s| self.is_open(*s))
                .map(Situacao::as_str),
        )
    }
}

impl<'de> Deserialize<'de> for AgendaGroups {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = Vec::<String>::deserialize(deserializer)?;
        Ok(AgendaGroups::with_open(
            names
                .iter()
                .filter_map(|name| Situacao::from_str_name(name)),
        ))
    }
}

/// What the user asked of the "Agenda" view (queued as [`super::Command::Agenda`]).
#[derive(Clone, Debug, PartialEq)]
pub enum AgendaAction {
    /// Use this reference date ("Data de referência"); `None` goes back to today ("Hoje").
    SetReference(Option<NaiveDate>),
    /// Expand or collapse a group.
    ToggleGroup(Situacao),
    /// Tick or untick a value in the filter of one of [`FILTER_COLUMNS`].
    ToggleValue {
        /// The filtered column.
        column: Column,
        /// The value ticked or unticked.
        value: EntryValue,
    },
    /// Remove the agenda's filter on one column.
    ClearFilter(Column),
    /// Select the source follow-up (by its index in the result set) in the table and show it
    /// in the details pane.
    Select(u32),
    /// Filter the table to the debtor of this row (its `id_cliente` and `id_credor`) and show
    /// the table ("Ver histórico do devedor").
    ShowHistory(u32),
    /// Show the native save dialog, then export the agenda to the chosen file; without one,
    /// the "Exportar agenda" window that asks for a typed path.
    ChooseExportFile,
    /// Export the agenda on screen to this file (the format by its extension).
    ExportTo(PathBuf),
    /// Search the same debtors and filters again with the period ending today.
    SearchUntilToday,
}

/// The agenda the view draws, computed on one task.
#[derive(Clone, Debug, PartialEq)]
pub struct AgendaBundle {
    /// The agenda of the rows on screen with the agenda's filters applied: the groups'
    /// counts, the compliance table and what "Exportar agenda…" writes.
    pub agenda: Agenda,
    /// The entries of each group, in [`GROUP_ORDER`], each sorted by due date and time.
    pub groups: [Vec<AgendaEntry>; 6],
    /// The values of each of [`FILTER_COLUMNS`] among every entry (before the agenda's
    /// filters), with their counts: what the filter lists offer.
    pub values: [Vec<EntryValue>; 3],
    /// Every entry before the agenda's filters.
    pub unfiltered: u64,
}

impl AgendaBundle {
    /// The entries of one group.
    pub fn group(&self, situacao: Situacao) -> &[AgendaEntry] {
        GROUP_ORDER
            .iter()
            .position(|s| *s == situacao)
            .and_then(|i| self.groups.get(i))
            .map_or(&[], Vec::as_slice)
    }
}

/// What an agenda was computed for.
#[derive(Clone, Debug, PartialEq)]
struct AgendaKey {
    set_id: u64,
    rows: usize,
    shown: usize,
    filter: String,
    columns: ColumnFilters,
    reference: NaiveDate,
    agenda_filters: ColumnFilters,
}

impl AgendaKey {
    /// Whether `other` asks the same question of a result set that only grew (rows streaming
    /// in): such a refresh waits for [`STREAM_REFRESH`].
    fn same_question(&self, other: &AgendaKey) -> bool {
        self.set_id == other.set_id
            && self.filter == other.filter
            && self.columns == other.columns
            && self.reference == other.reference
            && self.agenda_filters == other.agenda_filters
    }
}

type AgendaOutcome = Result<Result<AgendaBundle, Cancelled>, TaskPanicked>;

/// An agenda computing in the background.
struct AgendaTask {
    key: AgendaKey,
    cancel: Arc<AtomicBool>,
    promise: Option<Promise<AgendaOutcome>>,
}

/// The "Agenda" view's state.
pub struct AgendaUiState {
    /// The reference date chosen; `None`: today.
    pub reference: Option<NaiveDate>,
    /// The agenda's own filters (consultant, `reagendado_por`, `reagendar_para`). Never
    /// persisted: they name people.
    pub filters: ColumnFilters,
    /// The agenda on screen, if one has been computed.
    pub current: Option<Arc<AgendaBundle>>,
    /// Whether the "Exportar agenda" window is open: the typed path when this system has no
    /// native file dialog, and an export's failure.
    pub export_window_open: bool,
    /// The path typed in the "Exportar agenda" window.
    pub manual_path: String,
    /// What the last "Buscar também os follow-ups até hoje", a click or an export choice did.
    pub message: Option<String>,
    current_key: Option<AgendaKey>,
    task: Option<AgendaTask>,
    last_start: Option<Instant>,
    dialog: Option<DialogPromise>,
}

impl Default for AgendaUiState {
    fn default() -> Self {
        AgendaUiState {
            reference: None,
            filters: ColumnFilters::new(),
            current: None,
            export_window_open: false,
            manual_path: String::new(),
            message: None,
            current_key: None,
            task: None,
            last_start: None,
            dialog: None,
        }
    }
}

impl AgendaUiState {
    /// Whether an agenda is being computed or the save dialog is open.
    pub fn busy(&self) -> bool {
        self.task.is_some() || self.dialog.is_some()
    }

    /// Whether the agenda on screen is being recomputed (or the first one computed).
    pub fn computing(&self) -> bool {
        self.task.is_some()
    }

    /// Stops the agenda being computed (the window closes).
    pub(super) fn cancel(&self) {
        if let Some(task) = &self.task {
            task.cancel.store(true, Ordering::SeqCst);
        }
    }

    fn drop_task(&mut self) {
        if let Some(task) = self.task.take() {
            task.cancel.store(true, Ordering::SeqCst);
        }
    }
}

impl FollowupsApp {
    /// The agenda's reference date: the one chosen, else today.
    pub fn agenda_reference(&self) -> NaiveDate {
        self.agenda.reference.unwrap_or(self.today)
    }

    /// Whether the agenda on screen was computed for the rows, filters and reference date on
    /// screen now (tests and benches wait for it).
    pub fn agenda_up_to_date(&self) -> bool {
        self.agenda.current.is_some()
            && self.agenda.current_key.as_ref() == Some(&self.agenda_key())
    }

    /// Runs an action of the "Agenda" view.
    pub(super) fn run_agenda_action(
        &mut self,
        ctx: &egui::Context,
        frame: Option<&eframe::Frame>,
        action: AgendaAction,
    ) {
        match action {
            AgendaAction::SetReference(date) => {
                self.agenda.reference = date.filter(|d| *d != self.today);
                self.start_agenda_if_due(ctx);
            }
            AgendaAction::ToggleGroup(situacao) => {
                self.persisted.agenda_groups.toggle(situacao);
            }
            AgendaAction::ToggleValue { column, value } => {
                let Some(bundle) = self.agenda.current.clone() else {
                    return;
                };
                let Some(values) = FILTER_COLUMNS
                    .iter()
                    .position(|c| *c == column)
                    .and_then(|i| bundle.values.get(i))
                else {
                    return;
                };
                match toggle_entry_value(column, values, self.agenda.filters.get(column), &value) {
                    Some(filter) => {
                        self.agenda.filters.set(column, filter);
                    }
                    None => {
                        self.agenda.filters.remove(column);
                    }
                }
                self.start_agenda_if_due(ctx);
            }
            AgendaAction::ClearFilter(column) => {
                self.agenda.filters.remove(column);
                self.start_agenda_if_due(ctx);
            }
            AgendaAction::Select(row) => self.select_agenda_row(row),
            AgendaAction::ShowHistory(row) => self.show_debtor_history(ctx, row),
            AgendaAction::ChooseExportFile => self.choose_agenda_file(ctx, frame),
            AgendaAction::ExportTo(path) => self.start_agenda_export(ctx, path),
            AgendaAction::SearchUntilToday => self.search_until_today(),
        }
    }

    /// What the agenda on screen should be computed for now.
    fn agenda_key(&self) -> AgendaKey {
        let spec = self.results.spec();
        AgendaKey {
            set_id: self.results.set_id(),
            rows: self.results.total_count(),
            shown: self.results.view_count(),
            filter: spec.filter.clone(),
            columns: spec.columns.clone(),
            reference: self.agenda_reference(),
            agenda_filters: self.agenda.filters.clone(),
        }
    }

    /// Starts computing the agenda when the "Agenda" view is shown and what it covers changed:
    /// at once for a new question, at most every [`STREAM_REFRESH`] while rows stream in.
    fn start_agenda_if_due(&mut self, ctx: &egui::Context) {
        if self.persisted.results_view != ResultsView::Agenda {
            return;
        }
        // A new view is being computed for other filters: its installation changes the key.
        let desired = self.desired_view();
        let installed = self.results.spec();
        if desired.filter != installed.filter || desired.columns != installed.columns {
            return;
        }
        let key = self.agenda_key();
        if self.agenda.current_key.as_ref() == Some(&key) {
            return;
        }
        if let Some(task) = &self.agenda.task
            && (task.key == key || task.key.same_question(&key))
        {
            // The same question, or more rows of it: let the running agenda end first.
            return;
        }
        let streaming = self
            .agenda
            .current_key
            .as_ref()
            .is_some_and(|current| current.same_question(&key));
        if streaming && let Some(started) = self.agenda.last_start {
            let waited = started.elapsed();
            if waited < STREAM_REFRESH {
                ctx.request_repaint_after(STREAM_REFRESH - waited);
                return;
            }
        }
        self.agenda.drop_task();
        let rows = self.results.rows().clone();
        // An unfiltered view covers every row: the task numbers them itself instead of the UI
        // thread copying a million indices.
        let indices =
            if key.shown == key.rows && key.filter.trim().is_empty() && key.columns.is_empty() {
                None
            } else {
                Some(self.results.view_indices().to_vec())
            };
        let reference = key.reference;
        let filters = key.agenda_filters.clone();
        let cancel = Arc::new(AtomicBool::new(false));
        let promise = {
            let cancel = Arc::clone(&cancel);
            tasks::spawn(ctx, "agenda", move || {
                compute_bundle(&rows, indices, reference, &filters, &cancel)
            })
        };
        self.agenda.task = Some(AgendaTask {
            key,
            cancel,
            promise: Some(promise),
        });
        self.agenda.last_start = Some(Instant::now());
    }

    /// Applies a finished agenda and the save dialog's choice, and starts the agenda when it
    /// is due. Called every frame.
    pub(super) fn poll_agenda(&mut self, ctx: &egui::Context) {
        if let Some(task) = &mut self.agenda.task
            && let Some(outcome) = tasks::take_ready(&mut task.promise)
        {
            let key = task.key.clone();
            self.agenda.task = None;
            if let Ok(Ok(bundle)) = outcome {
                // An agenda of another question is stale; one of fewer streamed rows is still
                // the best there is until the refresh ends.
                let current = self.agenda_key();
                if key == current || key.same_question(&current) {
                    // The replaced agenda (up to one entry per row) is freed off the UI
                    // thread.
                    let old = self.agenda.current.replace(Arc::new(bundle));
                    tasks::drop_off_thread(old);
                    self.agenda.current_key = Some(key);
                }
            }
        }
        if let Some(chosen) = tasks::take_ready(&mut self.agenda.dialog) {
            match chosen {
                Ok(Some(path)) => self.queue(Command::Agenda(AgendaAction::ExportTo(path))),
                Ok(None) => {}
                Err(panicked) => {
                    self.export.error = Some(panicked.to_string());
                    self.agenda.export_window_open = true;
                }
            }
        }
        self.start_agenda_if_due(ctx);
    }

    /// Selects the source follow-up `row` in the table and shows it in the details pane.
    fn select_agenda_row(&mut self, row: u32) {
        let view = self.results.view_indices();
        let Some(position) = view.iter().position(|r| *r == row) else {
            self.agenda.message =
                Some("Este follow-up não está na tabela com os filtros atuais.".to_owned());
            return;
        };
        self.table.selection.click(view, position);
        self.table.scroll_to = Some(position);
        self.persisted.show_details = true;
        self.agenda.message = None;
    }

    /// Filters the table to the debtor of `row` (its client and creditor ids; other columns'
    /// filters stay) and shows the table.
    fn show_debtor_history(&mut self, ctx: &egui::Context, row: u32) {
        let Some(source) = self.results.rows().get(row as usize) else {
            return;
        };
        let (cliente, credor) = (source.id_cliente(), source.id_credor());
        let mut filters = self.column_filters.active.clone();
        for (column, id) in [(Column::IdCliente, cliente), (Column::IdCredor, credor)] {
            let filter = match id {
                Some(id) => ColumnFilter::Numbers {
                    values: [id].into_iter().collect(),
                    blanks: false,
                },
                None => ColumnFilter::Blank,
            };
            filters.set(column, filter);
        }
        self.replace_column_filters(ctx, filters);
        self.select_agenda_row(row);
        self.show_view(ResultsView::Tabela);
    }

    /// Opens the native save dialog for the agenda (created here, on the UI thread, and
    /// awaited on a worker); the chosen file is then exported. Without a native dialog, opens
    /// the "Exportar agenda" window, which asks for a typed path (as the table's export
    /// window does).
    fn choose_agenda_file(&mut self, ctx: &egui::Context, frame: Option<&eframe::Frame>) {
        if self.agenda.dialog.is_some() || self.export.task.is_some() {
            return;
        }
        if !self.dialogs.available {
            self.export.error = None;
            self.agenda.export_window_open = true;
            return;
        }
        let dialog = self
            .dialogs
            .file_dialog("Exportar agenda", frame)
            .add_filter("Planilha do Excel (.xlsx)", &["xlsx"])
            .add_filter("CSV (.csv)", &["csv"])
            .add_filter("JSON (.json)", &["json"])
            .set_file_name(self.agenda_file_name());
        self.export.error = None;
        self.agenda.dialog = Some(ask_save_path(ctx, "agenda-save-dialog", dialog));
    }

    /// The file name proposed for the agenda: the creditor and the reference date, no
    /// personal data.
    pub fn agenda_file_name(&self) -> String {
        let id_credor = self
            .results
            .rows()
            .get(0)
            .and_then(|r| r.id_credor())
            .or_else(|| self.persisted.id_credor.trim().parse().ok())
            .unwrap_or(0);
        format!(
            "agenda-credor-{id_credor}-{}.xlsx",
            self.agenda_reference().format("%Y-%m-%d")
        )
    }

    /// Writes the agenda on screen to `path` in the background, through the rows export's
    /// task (progress, Cancelar, atomic file, the outcome line); the format comes from the
    /// extension.
    fn start_agenda_export(&mut self, ctx: &egui::Context, path: PathBuf) {
        if self.export.task.is_some() {
            return;
        }
        let Some(bundle) = self.agenda.current.clone() else {
            return;
        };
        let format = match ExportFormat::from_path(&path) {
            Some(format @ (ExportFormat::Xlsx | ExportFormat::Csv | ExportFormat::Json)) => format,
            _ => {
                self.export.error = Some(format!(
                    "Use a extensão .xlsx (Excel), .csv ou .json no nome do arquivo da agenda: {}",
                    path.display()
                ));
                self.agenda.export_window_open = true;
                return;
            }
        };
        let rows = self.results.rows().clone();
        let options = ExportOptions::new(format);
        let progress = Arc::new(ExportProgress::new());
        let promise = {
            let progress = Arc::clone(&progress);
            tasks::spawn(ctx, "agenda-export", move || {
                crate::export::agenda::export_agenda(
                    &path,
                    &bundle.agenda,
                    &rows,
                    &options,
                    &progress,
                )
            })
        };
        self.agenda.export_window_open = false;
        self.export.done = None;
        self.export.error = None;
        self.export.task = Some(ExportTask {
            progress,
            format,
            agenda: true,
            promise: Some(promise),
        });
    }

    /// Searches the same debtors (the single document or the batch list) with the same
    /// filters, the period ending today, so that contacts after the queried period count.
    fn search_until_today(&mut self) {
        if self.searching() {
            self.agenda.message =
                Some("Aguarde a busca em andamento terminar para buscar de novo.".to_owned());
            return;
        }
        let today = crate::fmt::date_br(self.today);
        self.persisted.data_ate = today.clone();
        self.agenda.message = Some(format!(
            "Buscando de novo os mesmos devedores, com o período até hoje ({today})."
        ));
        self.queue_search();
    }
}

/// The worker of an agenda: the agenda of the rows at `indices` (every row with `None`), its
/// filter lists, then the agenda's filters and the groups.
fn compute_bundle(
    rows: &Rows,
    indices: Option<Vec<u32>>,
    reference: NaiveDate,
    filters: &ColumnFilters,
    cancel: &AtomicBool,
) -> Result<AgendaBundle, Cancelled> {
    let indices = indices.unwrap_or_else(|| {
        // A result set holds at most `u32::MAX` rows (`Rows::MAX_LEN`).
        (0..u32::try_from(rows.len()).unwrap_or(u32::MAX)).collect()
    });
    let full = agenda(rows, &indices, reference, cancel)?;
    drop(indices);
    let values = FILTER_COLUMNS.map(|column| full.entry_values(rows, column));
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    let unfiltered = full.counts.total();
    let agenda = if filters.is_empty() {
        full
    } else {
        full.filtered(rows, filters)
    };
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    let mut groups: [Vec<AgendaEntry>; 6] = Default::default();
    for entry in &agenda.entries {
        if let Some(group) = GROUP_ORDER
            .iter()
            .position(|s| *s == entry.situacao)
            .and_then(|i| groups.get_mut(i))
        {
            group.push(*entry);
        }
    }
    Ok(AgendaBundle {
        agenda,
        groups,
        values,
        unfiltered,
    })
}
