//! The window's state and its logic.
//!
//! Drawing code (the other modules of [`crate::ui`]) reads this state and queues
//! [`Command`]s; [`FollowupsApp::run_commands`] and [`FollowupsApp::poll_tasks`] are the only
//! places that change it in response, start background work and apply its results. Nothing in
//! a frame touches the network, the disk or the keyring, or sorts a large set (the one look at
//! the disk on the UI thread, whether `zenity` is on the `PATH`, runs when the window is
//! created, before the first frame).
//!
//! One module per concern, each with its state (owning its tasks), a `busy()` and a `poll_*`:
//! `search.rs` ([`SearchState`]: a single search and the view), `batch_run.rs`
//! ([`BatchUiState`]: "Vários documentos"), `export.rs` ([`ExportUiState`]), `settings.rs`
//! ([`SettingsState`]: token, keyring, connection), `demo.rs` ([`DemoState`]),
//! `dialogs.rs` ([`NativeDialogs`]: native file dialogs), `selection.rs` ([`TableUiState`]: the
//! table's selection and keyboard), `clipboard.rs` ([`ClipboardState`]: copying rows and
//! cells), `column_filters.rs` ([`ColumnFiltersState`]: column filters, their chips, the
//! filter popup and its lists), `layout.rs` (the column order), `views.rs`
//! ([`ViewsUiState`]: the saved views, "Visões"), `results_view.rs` (the results area's views
//! and the theme), `summary.rs` ([`SummaryUiState`]: the "Resumo" view) and `agenda.rs`
//! ([`AgendaUiState`]: the "Agenda" view).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod agenda;
mod batch_run;
mod clipboard;
mod column_filters;
mod demo;
mod dialogs;
mod export;
mod layout;
mod results_view;
mod search;
mod selection;
mod settings;
mod summary;
mod views;

pub use agenda::{
    AgendaAction, AgendaBundle, AgendaGroups, AgendaUiState, GROUP_ORDER, open_by_default,
};
pub use batch_run::{BatchTask, BatchUiState, IMPORT_IN_BOX_MAX_LINES, ImportedList};
pub use clipboard::{ClipboardState, CopyAction, PendingCopy};
pub use column_filters::{
    Chip, ColumnFiltersState, FilterDraft, FilterPopup, ListDraft, NumberMode, chip_for,
};
pub use demo::{DemoStart, DemoState};
pub use dialogs::NativeDialogs;
pub use export::{ExportDone, ExportScope, ExportTask, ExportUiState};
pub use results_view::{ResultsView, ThemeChoice};
pub use search::{DISPLAY_ORDER, FetchTask, LastFetch, SearchState};
pub use selection::{ClickKind, TableAction, TableUiState};
pub use settings::{KeyringProblem, SettingsState, TokenState};
pub use summary::{
    STREAM_REFRESH, SummaryAction, SummaryBundle, SummarySource, SummaryUiState, time_dimension,
};
pub use views::{ViewDialog, ViewNotice, ViewsUiState};

use crate::api::{
    ApiError, ClientConfig, Column, DatePreset, ErrorKind, QueryForm, ReagendarFiltro,
};
use crate::results::{ColumnOrder, ResultSet, SavedViews};
use crate::secrets::{ProxyCredentials, TokenStore};

/// How the window starts.
#[derive(Clone, Default)]
pub struct LaunchOptions {
    /// Start straight in demo mode (the simulator, fictitious data).
    pub demo: bool,
    /// "Today" for the date presets; `None` uses the clock (tests pin it).
    pub today: Option<NaiveDate>,
    /// Where the token lives; `None` opens the OS keyring (in the background).
    pub token_store: Option<Arc<dyn TokenStore>>,
    /// When the process started, to report the time to the first frame on stderr (the smoke
    /// test sets `RECUPERADOR_STARTUP_TIMING=1`); `None` reports nothing.
    pub started_at: Option<Instant>,
}

/// The key under which eframe persists [`Persisted`].
pub const STORAGE_KEY: &str = "recuperador-followups/state/v1";

/// What survives a restart. Never the CPF/CNPJ (personal data) nor the token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    /// Creditor id as typed.
    pub id_credor: String,
    /// Consultant id as typed.
    pub id_consultor: String,
    /// Event id as typed.
    pub id_evento: String,
    /// Reschedule filter.
    pub reagendar: ReagendarFiltro,
    /// Start date as typed.
    pub data_de: String,
    /// End date as typed.
    pub data_ate: String,
    /// Columns the user hid.
    pub hidden_columns: Vec<Column>,
    /// The table's sort.
    pub sort: Option<PersistedSort>,
    /// Whether the details pane is shown.
    pub show_details: bool,
    /// The API's URL.
    pub base_url: String,
    /// Overall request limit, in seconds.
    pub timeout_secs: u64,
    /// A manual proxy URL, scheme, host and port only (empty: environment and OS). Its user
    /// name and password live in the credential store, never here.
    pub proxy: String,
    /// Whether the form takes a list of documents ("Vários documentos") instead of one.
    pub batch_mode: bool,
    /// Parallel requests of a batch (1–8).
    pub batch_concurrency: usize,
    /// The order of the table's columns (hidden ones included), written as the API's field
    /// names; a hand-edited list is read tolerantly (see [`ColumnOrder`]).
    #[serde(default)]
    pub column_order: ColumnOrder,
    /// The saved views ("Visões"), without personal data.
    #[serde(default)]
    pub views: SavedViews,
    /// What the results area shows ("Tabela", "Resumo").
    pub results_view: ResultsView,
    /// The window's colours ("Tema" in the settings).
    pub theme: ThemeChoice,
    /// The summary's grouping, by its CLI name ("consultor"; an unknown one reads as the
    /// default).
    pub summary_by: String,
    /// Whether an Excel export adds the summary sheets ("Incluir resumo (consultor, canal,
    /// mês)" in the export window).
    pub export_summary: bool,
    /// Which of the agenda's groups are expanded (a file from before it opens the defaults).
    pub agenda_groups: AgendaGroups,
}

/// A sort as persisted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersistedSort {
    /// The column.
    pub column: Column,
    /// Largest first.
    pub descending: bool,
}

impl Default for Persisted {
    fn default() -> Self {
        Persisted {
            id_credor: String::new(),
            id_consultor: String::new(),
            id_evento: String::new(),
            reagendar: ReagendarFiltro::Todos,
            data_de: String::new(),
            data_ate: String::new(),
            hidden_columns: Vec::new(),
            sort: None,
            show_details: true,
            base_url: crate::api::DEFAULT_BASE_URL.to_owned(),
            timeout_secs: ClientConfig::default().total_timeout.as_secs(),
            proxy: String::new(),
            batch_mode: false,
            batch_concurrency: crate::batch::DEFAULT_CONCURRENCY,
            column_order: ColumnOrder::default(),
            views: SavedViews::default(),
            results_view: ResultsView::default(),
            theme: ThemeChoice::default(),
            summary_by: summary::DEFAULT_DIMENSION.cli_name().to_owned(),
            export_summary: false,
            agenda_groups: AgendaGroups::default(),
        }
    }
}

/// Something the user asked for, queued by drawing code and run by the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Run the query in the filter panel.
    Search,
    /// Stop the running query.
    Cancel,
    /// Sort by a column (ascending, then descending on the next click).
    SortBy(Column),
    /// The quick-filter text changed.
    QuickFilterChanged,
    /// Act on the table's selection: move, click, select all, clear, open the details.
    Table(TableAction),
    /// Copy the selected rows or a cell, or answer the question before a large copy.
    Copy(CopyAction),
    /// Fill the period with a preset.
    ApplyPreset(DatePreset),
    /// Show or hide a column.
    ToggleColumn(Column),
    /// Open the settings window.
    OpenSettings,
    /// Store the token typed in the settings.
    SaveToken,
    /// Remove the stored token.
    RemoveToken,
    /// Try the connection with the current settings.
    TestConnection,
    /// Apply the connection settings typed in the settings window.
    ApplyConnectionSettings,
    /// Start the simulator and use it.
    StartDemo,
    /// Stop using the simulator.
    LeaveDemo,
    /// Close the error banner.
    DismissError,
    /// Open the export options (Ctrl+S).
    OpenExport,
    /// Show the native save dialog, then export to the chosen file.
    ChooseExportFile,
    /// Export to this file.
    ExportTo(PathBuf),
    /// Stop the running export (the destination is left untouched).
    CancelExport,
    /// Show an exported file in the system's file manager.
    RevealExport(PathBuf),
    /// Show the native open dialog and import the chosen list file.
    ChooseListFile,
    /// Import this list file (dropped on the window or typed).
    ImportList(PathBuf),
    /// Put this column of the imported file in the list box.
    PickListColumn(usize),
    /// Run the last batch's failed (and unqueried) documents again.
    RetryFailures,
    /// Show the native save dialog, then export the failure list.
    ChooseFailuresFile,
    /// Export the failure list to this file.
    ExportFailuresTo(PathBuf),
    /// Open the filter popup of a column (or close it when it is the open one).
    ToggleColumnFilter(Column),
    /// Close the filter popup if it shows this column.
    CloseColumnFilter(Column),
    /// The search text of the filter popup's list changed.
    ColumnFilterSearchChanged,
    /// Apply the filter popup's choice to its column ("OK").
    ApplyColumnFilter,
    /// Filter a column by the value of one cell ("Filtrar por este valor"): the row (index in
    /// the result set) and the column.
    FilterByCell {
        /// The row, by its index in the result set.
        row: u32,
        /// The column.
        column: Column,
    },
    /// Remove a column's filter (its chip's ×, "Remover filtro").
    RemoveColumnFilter(Column),
    /// Remove every column filter ("Limpar filtros").
    ClearColumnFilters,
    /// Hide a column ("Ocultar esta coluna"); the last visible column stays.
    HideColumn(Column),
    /// Move a column just before another one, or to the end with `None` (a dragged header).
    MoveColumn {
        /// The column moved.
        column: Column,
        /// The column it lands before.
        before: Option<Column>,
    },
    /// Move a column one place towards the front ("Colunas" menu).
    MoveColumnUp(Column),
    /// Move a column one place towards the end ("Colunas" menu).
    MoveColumnDown(Column),
    /// The default column order, every column shown.
    RestoreColumns,
    /// Open a dialog of the "Visões" menu.
    OpenViewDialog(ViewDialog),
    /// Save the table's layout under this name (replacing a view of that name only with
    /// `replace`; otherwise the dialog asks).
    SaveView {
        /// The name typed.
        name: String,
        /// Whether the user agreed to replace a view of that name.
        replace: bool,
    },
    /// Restore the saved view of this name.
    ApplyView(String),
    /// Rename a saved view.
    RenameView {
        /// Its name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Delete the saved view of this name.
    DeleteView(String),
    /// The default layout: default order, every column, no sort, no column filter.
    RestoreDefaultView,
    /// Show this view in the results area ("Tabela", "Resumo"; Ctrl+1, Ctrl+2).
    ShowView(ResultsView),
    /// Use this theme ("Tema" in the settings).
    SetTheme(ThemeChoice),
    /// Act on the "Resumo" view: grouping, sort, a click on a group or a bar, "Copiar".
    Summary(SummaryAction),
    /// Act on the "Agenda" view: reference date, filters, groups, a click, export.
    Agenda(AgendaAction),
}

/// An error shown over the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Banner {
    /// The Portuguese message.
    pub message: String,
    /// The technical part, for the "Detalhes" expander.
    pub detail: String,
    /// Whether to point at the token settings (401/403, no token).
    pub token_hint: bool,
}

impl Banner {
    /// No token to search with.
    fn no_token() -> Banner {
        Banner {
            message: "Nenhum token da API configurado. Abra Configurações e informe o token, ou experimente a demonstração.".to_owned(),
            detail: String::new(),
            token_hint: true,
        }
    }

    fn from_api(error: &ApiError) -> Banner {
        Banner {
            message: error.to_string(),
            detail: error.technical_detail(),
            token_hint: error.kind() == ErrorKind::InvalidToken,
        }
    }
}

/// How long closing the window waits for a running export to remove its temporary file.
pub const EXIT_WAIT: Duration = Duration::from_secs(2);

/// The application.
pub struct FollowupsApp {
    /// What persists.
    pub persisted: Persisted,
    /// The CPF/CNPJ as typed (never persisted).
    pub cpf_cnpj: String,
    /// The rows on screen.
    pub results: ResultSet,
    /// About the rows on screen.
    pub last_fetch: Option<LastFetch>,
    /// The error shown over the table.
    pub banner: Option<Banner>,
    /// The table's selection (rows by their index in the result set) and keyboard state.
    pub table: TableUiState,
    /// The quick-filter text.
    pub quick_filter: String,
    /// Ask the quick-filter box for focus on the next frame.
    pub focus_quick_filter: bool,
    /// "Today", for the presets.
    pub today: NaiveDate,
    /// The token.
    pub token: TokenState,
    /// The proxy's user name and password, from the credential store (or this session only).
    pub proxy_credentials: Option<ProxyCredentials>,
    /// A single search and the view: the fetch in flight, the sort or filter computing.
    pub search: SearchState,
    /// Batch mode: the list, the running batch, its failures.
    pub batch: BatchUiState,
    /// Exports.
    pub export: ExportUiState,
    /// The settings window and the keyring's work.
    pub settings: SettingsState,
    /// Demo mode.
    pub demo: DemoState,
    /// Native file dialogs.
    pub dialogs: NativeDialogs,
    /// Copying rows and cells to the clipboard.
    pub clipboard: ClipboardState,
    /// Column filters (AutoFilter) and their popup.
    pub column_filters: ColumnFiltersState,
    /// The "Visões" menu's dialog and message.
    pub views: ViewsUiState,
    /// The "Resumo" view: its summaries, sort and copy.
    pub summary: SummaryUiState,
    /// The "Agenda" view: its agenda, filters, groups and actions.
    pub agenda: AgendaUiState,
    commands: Vec<Command>,
    /// Set until the first frame has been drawn, when startup timing is reported.
    pub(crate) report_first_frame: Option<Instant>,
}

impl FollowupsApp {
    /// A new app: `persisted` from eframe's storage (or default), token loading started.
    pub fn new(
        ctx: &egui::Context,
        persisted: Option<Persisted>,
        options: LaunchOptions,
    ) -> FollowupsApp {
        let today = options
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let mut persisted = persisted.unwrap_or_default();
        let settings = SettingsState::load(ctx, &mut persisted, options.token_store.clone());
        ctx.set_theme(persisted.theme.preference());
        let mut app = FollowupsApp {
            persisted,
            cpf_cnpj: String::new(),
            results: ResultSet::new(),
            last_fetch: None,
            banner: None,
            table: TableUiState::default(),
            quick_filter: String::new(),
            focus_quick_filter: false,
            today,
            token: TokenState::Loading,
            proxy_credentials: None,
            search: SearchState::default(),
            batch: BatchUiState::default(),
            export: ExportUiState::default(),
            settings,
            demo: DemoState::Off,
            dialogs: NativeDialogs::new(ctx),
            clipboard: ClipboardState::default(),
            column_filters: ColumnFiltersState::default(),
            views: ViewsUiState::default(),
            summary: SummaryUiState::default(),
            agenda: AgendaUiState::default(),
            commands: Vec::new(),
            report_first_frame: options
                .started_at
                .filter(|_| std::env::var_os("RECUPERADOR_STARTUP_TIMING").is_some()),
        };
        if options.demo {
            app.queue(Command::StartDemo);
        }
        app
    }

    /// Queues a command for the end of the frame.
    pub fn queue(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Queues a search, once per frame however many places ask for it.
    pub fn queue_search(&mut self) {
        if !self.commands.contains(&Command::Search) {
            self.commands.push(Command::Search);
        }
    }

    /// Whether commands are waiting to run.
    pub fn has_commands(&self) -> bool {
        !self.commands.is_empty()
    }

    /// The form as the query validator sees it.
    pub fn form(&self) -> QueryForm {
        QueryForm {
            id_credor: self.persisted.id_credor.clone(),
            cpf_cnpj: self.cpf_cnpj.clone(),
            id_consultor: self.persisted.id_consultor.clone(),
            id_evento: self.persisted.id_evento.clone(),
            reagendar: self.persisted.reagendar,
            data_de: self.persisted.data_de.clone(),
            data_ate: self.persisted.data_ate.clone(),
        }
    }

    /// Stops everything running before the window closes: the export (its temporary file is
    /// removed, the destination left untouched), the search and the batch. Waits up to `wait`
    /// for the export to clean up after itself and the batch's requests to end; an export
    /// still stuck then (a stalled network share) has its temporary file removed here.
    /// Returns whether everything ended within `wait`.
    pub fn shutdown(&mut self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        self.export.cancel();
        self.search.cancel_all();
        self.batch.cancel();
        self.clipboard.cancel();
        self.column_filters.cancel_all();
        self.summary.cancel();
        self.agenda.cancel();
        loop {
            if self.export.ended() && self.batch.ended() {
                return true;
            }
            if Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if !self.export.ended() {
            self.export.remove_temp_file();
        }
        false
    }

    /// Runs the queued commands. Called once per frame, after drawing. `frame` parents the
    /// native dialogs to the window.
    pub fn run_commands(&mut self, ctx: &egui::Context, frame: Option<&eframe::Frame>) {
        for command in std::mem::take(&mut self.commands) {
            self.run(ctx, frame, command);
        }
    }

    fn run(&mut self, ctx: &egui::Context, frame: Option<&eframe::Frame>, command: Command) {
        match command {
            Command::OpenExport => self.open_export(),
            Command::ChooseExportFile => self.choose_export_file(ctx, frame),
            Command::ExportTo(path) => self.start_export(ctx, path),
            Command::CancelExport => self.export.cancel(),
            Command::RevealExport(path) => self.reveal_export(ctx, path),
            Command::Search if self.persisted.batch_mode => self.start_batch(ctx, false),
            Command::Search => self.start_search(ctx),
            Command::Cancel => {
                self.search.cancel_fetch();
                self.batch.cancel();
            }
            Command::ChooseListFile => self.choose_list_file(ctx, frame),
            Command::ImportList(path) => self.import_list(ctx, path),
            Command::PickListColumn(column) => self.pick_list_column(ctx, column),
            Command::RetryFailures => self.start_batch(ctx, true),
            Command::ChooseFailuresFile => self.choose_failures_file(ctx, frame),
            Command::ExportFailuresTo(path) => self.export_failures(ctx, path),
            Command::SortBy(column) => self.sort_by(ctx, column),
            Command::QuickFilterChanged => self.refresh_view(ctx),
            Command::Table(action) => self.run_table_action(action),
            Command::Copy(action) => self.run_copy_action(ctx, action),
            Command::ApplyPreset(preset) => {
                let (de, ate) = preset.range(self.today);
                let text = |d: Option<NaiveDate>| d.map(crate::fmt::date_br).unwrap_or_default();
                self.persisted.data_de = text(de);
                self.persisted.data_ate = text(ate);
            }
            Command::ToggleColumn(column) => {
                let hidden = &mut self.persisted.hidden_columns;
                if let Some(pos) = hidden.iter().position(|c| *c == column) {
                    hidden.remove(pos);
                } else if hidden.len() + 1 < Column::ALL.len() {
                    hidden.push(column);
                }
            }
            Command::OpenSettings => self.open_settings(),
            Command::SaveToken => self.save_token(ctx),
            Command::RemoveToken => self.remove_token(ctx),
            Command::TestConnection => self.test_connection(ctx),
            Command::ApplyConnectionSettings => self.apply_connection_settings(ctx),
            Command::StartDemo => self.start_demo(ctx),
            Command::LeaveDemo => self.leave_demo(),
            Command::DismissError => self.banner = None,
            Command::ToggleColumnFilter(column) => self.toggle_column_filter(ctx, column),
            Command::CloseColumnFilter(column) => self.close_column_filter(Some(column)),
            Command::ColumnFilterSearchChanged => self.search_column_values(ctx),
            Command::ApplyColumnFilter => self.apply_column_filter(ctx),
            Command::FilterByCell { row, column } => self.filter_by_cell(ctx, row, column),
            Command::RemoveColumnFilter(column) => self.remove_column_filter(ctx, column),
            Command::ClearColumnFilters => self.clear_column_filters(ctx),
            Command::HideColumn(column) => {
                let hidden = &mut self.persisted.hidden_columns;
                if !hidden.contains(&column) && hidden.len() + 1 < Column::ALL.len() {
                    hidden.push(column);
                }
            }
            Command::MoveColumn { column, before } => self.move_column(column, before),
            Command::MoveColumnUp(column) => self.shift_column(column, true),
            Command::MoveColumnDown(column) => self.shift_column(column, false),
            Command::RestoreColumns => self.restore_columns(),
            Command::OpenViewDialog(dialog) => self.open_view_dialog(dialog),
            Command::SaveView { name, replace } => self.save_view(&name, replace),
            Command::ApplyView(name) => self.apply_view(ctx, &name),
            Command::RenameView { from, to } => self.rename_view(&from, &to),
            Command::DeleteView(name) => self.delete_view(&name),
            Command::RestoreDefaultView => self.restore_default_view(ctx),
            Command::ShowView(view) => self.show_view(view),
            Command::SetTheme(theme) => self.set_theme(ctx, theme),
            Command::Summary(action) => self.run_summary_action(ctx, action),
            Command::Agenda(action) => self.run_agenda_action(ctx, frame, action),
        }
    }

    /// Applies what background tasks finished. Called every frame before drawing.
    pub fn poll_tasks(&mut self, ctx: &egui::Context) {
        self.dialogs.poll();
        self.poll_settings();
        self.poll_demo();
        self.poll_fetch(ctx);
        self.poll_batch(ctx);
        self.poll_view();
        self.poll_column_filters(ctx);
        self.poll_export();
        self.poll_clipboard(ctx);
        self.poll_summary(ctx);
        self.poll_agenda(ctx);
    }

    /// Whether something runs in the background (the UI then repaints to show progress).
    /// Each concern answers for its own tasks.
    pub fn busy(&self) -> bool {
        self.search.busy()
            || self.batch.busy()
            || self.export.busy()
            || self.settings.busy()
            || self.demo.busy()
            || self.dialogs.busy()
            || self.clipboard.busy()
            || self.column_filters.busy()
            || self.views.busy()
            || self.summary.busy()
            || self.agenda.busy()
    }

    /// Whether a search (single or batch) is running.
    pub fn searching(&self) -> bool {
        self.search.fetch.is_some() || self.batch.running()
    }
}
