//! The window's state and its logic.
//!
//! Drawing code (the other modules of [`crate::ui`]) reads this state and queues
//! [`Command`]s; [`FollowupsApp::run_commands`] and [`FollowupsApp::poll_tasks`] are the only
//! places that change it in response, start background work and apply its results. Nothing in
//! a frame touches the network, the disk or the keyring, or sorts a large set.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use poll_promise::Promise;
use serde::{Deserialize, Serialize};

mod batch;

pub use batch::{BatchTask, BatchUiState, IMPORT_IN_BOX_MAX_LINES, ImportedList, NOT_RUN_MESSAGE};

use super::tasks::{self, TaskPanicked};
use crate::api::{
    ApiError, ClientConfig, Column, DatePreset, ErrorKind, FetchProgress, FollowupClient,
    FollowupQuery, QueryField, QueryForm, ReagendarFiltro, Token,
};
use crate::export::{
    CsvSeparator, ExportError, ExportFormat, ExportOptions, ExportProgress, ExportSummary,
};
use crate::results::{Cancelled, ResultSet, SortSpec, View, ViewSpec};
use crate::secrets::{KeyringStore, MemoryStore, ProxyCredentials, SecretError, TokenStore};
use crate::sim::{SimConfig, Simulator};

/// The table's column order: what an analyst reads first (when, how, what happened) before
/// who and the ids.
pub const DISPLAY_ORDER: [Column; 20] = [
    Column::Data,
    Column::TipoContato,
    Column::NomeEvento,
    Column::TipoEvento,
    Column::Interacao,
    Column::NomeConsultor,
    Column::Reagendar,
    Column::DataReagendamento,
    Column::HorarioReagendamento,
    Column::ReagendarPara,
    Column::ReagendadoPor,
    Column::VisivelCliente,
    Column::NomeCliente,
    Column::CpfCnpj,
    Column::NomeCredor,
    Column::IdFollowup,
    Column::IdCredor,
    Column::IdCliente,
    Column::IdConsultor,
    Column::IdEvento,
];

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
    /// Select a row (by its index in the result set) or clear the selection.
    Select(Option<u32>),
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
}

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
    promise: Option<Promise<Result<Result<ExportSummary, ExportError>, TaskPanicked>>>,
}

/// The export window and the running export.
pub struct ExportUiState {
    /// Whether the options window is open.
    pub window_open: bool,
    /// What to export.
    pub scope: ExportScope,
    /// Codes as the API sends them instead of labels.
    pub raw_codes: bool,
    /// Comma-separated plain UTF-8 CSV instead of Excel pt-BR's.
    pub csv_comma: bool,
    /// Whether a native save dialog can be shown here.
    pub native_dialog: bool,
    /// The path typed when no native dialog exists.
    pub manual_path: String,
    /// Whether the save dialog is open.
    pub choosing: bool,
    /// The running export.
    pub task: Option<ExportTask>,
    /// The last export's success.
    pub done: Option<ExportDone>,
    /// The last export's failure, in Portuguese.
    pub error: Option<String>,
}

impl Default for ExportUiState {
    fn default() -> Self {
        ExportUiState {
            window_open: false,
            scope: ExportScope::View,
            raw_codes: false,
            csv_comma: false,
            native_dialog: super::export::native_dialog_available(),
            manual_path: String::new(),
            choosing: false,
            task: None,
            done: None,
            error: None,
        }
    }
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

/// What the last successful search brought.
#[derive(Clone, Debug, PartialEq)]
pub struct LastFetch {
    /// Wall time of the request.
    pub elapsed: Duration,
    /// Body bytes received.
    pub bytes: u64,
    /// Attempts made.
    pub attempts: u32,
    /// Problems met while parsing, in Portuguese.
    pub problems: Option<String>,
    /// How many documents were queried (1 for a single search).
    pub documents: usize,
    /// How many of them answered.
    pub documents_ok: usize,
}

/// A finished fetch, with its rows already arranged in the requested view.
struct FetchDone {
    results: ResultSet,
    last: LastFetch,
}

type WarmResult = Result<Result<(), Cancelled>, TaskPanicked>;

type FetchResult = Result<Result<FetchDone, ApiError>, TaskPanicked>;

/// A search in flight.
pub struct FetchTask {
    generation: u64,
    promise: Option<Promise<FetchResult>>,
    /// Progress and cancel switch, shared with the worker.
    pub progress: Arc<FetchProgress>,
    /// When it started.
    pub started: Instant,
}

/// A sort or filter computing in the background.
struct ViewTask {
    spec: ViewSpec,
    cancel: Arc<AtomicBool>,
    promise: Option<Promise<Result<Result<View, Cancelled>, TaskPanicked>>>,
}

/// Where the token stands.
pub enum TokenState {
    /// The store is being opened and read (it may show an unlock prompt).
    Loading,
    /// Known.
    Ready {
        /// The token, if any.
        token: Option<Token>,
        /// Where it is kept.
        store: Arc<dyn TokenStore>,
        /// Why the OS store is not used, when it is not.
        no_keyring: Option<KeyringProblem>,
    },
}

/// Why the OS credential store is not used: one plain sentence for the user and the
/// platform's technical text for "Detalhes".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyringProblem {
    /// The sentence shown.
    pub message: String,
    /// What the platform said (may be empty).
    pub detail: String,
}

impl From<&SecretError> for KeyringProblem {
    fn from(error: &SecretError) -> KeyringProblem {
        KeyringProblem {
            message: error.plain_message().to_owned(),
            detail: error.detail().to_owned(),
        }
    }
}

/// How long closing the window waits for a running export to remove its temporary file.
pub const EXIT_WAIT: Duration = Duration::from_secs(2);

/// The settings window's fields and messages.
#[derive(Default)]
pub struct SettingsState {
    /// Whether the window is open.
    pub open: bool,
    /// The token as typed (never persisted).
    pub token_text: String,
    /// Show the token in clear.
    pub show_token: bool,
    /// Base URL as typed.
    pub base_url_text: String,
    /// Timeout as typed.
    pub timeout_secs: u64,
    /// Proxy as typed (a pasted URL with credentials is split on "Aplicar").
    pub proxy_text: String,
    /// The proxy's user name as typed (never persisted in the settings file).
    pub proxy_user: String,
    /// The proxy's password as typed; empty keeps the stored one (never persisted in the
    /// settings file, never shown back).
    pub proxy_password: String,
    /// The last message: `(ok, text)`.
    pub status: Option<(bool, String)>,
    /// Whether a keyring operation or a connection test is running.
    pub busy: bool,
}

type KeyringOutcome = Result<(Option<Token>, String), SecretError>;

/// The simulator, when demo mode is on.
pub enum DemoState {
    /// Off.
    Off,
    /// Starting in the background.
    Starting,
    /// Running; the app talks to it.
    Running(Simulator),
}

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
    /// The search in flight.
    pub fetch: Option<FetchTask>,
    /// The error shown over the table.
    pub banner: Option<Banner>,
    /// The token.
    pub token: TokenState,
    /// The settings window.
    pub settings: SettingsState,
    /// Demo mode.
    pub demo: DemoState,
    /// The selected row (index into the result set).
    pub selected: Option<u32>,
    /// The quick-filter text.
    pub quick_filter: String,
    /// Ask the quick-filter box for focus on the next frame.
    pub focus_quick_filter: bool,
    /// "Today", for the presets.
    pub today: NaiveDate,
    /// Exports.
    pub export: ExportUiState,
    /// Batch mode: the list, the running batch, its failures.
    pub batch: BatchUiState,
    /// The proxy's user name and password, from the credential store (or this session only).
    pub proxy_credentials: Option<ProxyCredentials>,
    commands: Vec<Command>,
    generation: u64,
    view_task: Option<ViewTask>,
    token_promise: Option<Promise<Result<TokenLoad, TaskPanicked>>>,
    keyring_promise: Option<Promise<Result<KeyringOutcome, TaskPanicked>>>,
    proxy_promise: Option<Promise<Result<Result<bool, SecretError>, TaskPanicked>>>,
    test_promise: Option<Promise<Result<Result<String, ApiError>, TaskPanicked>>>,
    demo_promise: Option<Promise<Result<std::io::Result<Simulator>, TaskPanicked>>>,
    dialog_promise: Option<Promise<Result<Option<PathBuf>, TaskPanicked>>>,
    reveal_promise: Option<Promise<Result<Result<(), String>, TaskPanicked>>>,
    /// Set until the first frame has been drawn, when startup timing is reported.
    pub(crate) report_first_frame: Option<Instant>,
    /// Builds the text sort keys of new results in the background, so the first sort by
    /// "Interação" is as fast as the others.
    warm_keys: Option<(Arc<AtomicBool>, Promise<WarmResult>)>,
}

struct TokenLoad {
    store: Arc<dyn TokenStore>,
    token: Option<Token>,
    proxy: Option<ProxyCredentials>,
    no_keyring: Option<KeyringProblem>,
}

/// Opens the OS store and reads the token and the proxy credentials; falls back to memory
/// where no store exists. `migrated` are proxy credentials found in an old settings file:
/// they move to the store.
fn load_token(
    preset: Option<Arc<dyn TokenStore>>,
    migrated: Option<ProxyCredentials>,
) -> TokenLoad {
    let (store, no_keyring): (Arc<dyn TokenStore>, Option<KeyringProblem>) = match preset {
        Some(store) => (store, None),
        None => match KeyringStore::open() {
            Ok(store) => (Arc::new(store), None),
            Err(error) => (Arc::new(MemoryStore::default()), Some((&error).into())),
        },
    };
    let (store, token, no_keyring) = match store.load() {
        Ok(token) => (store, token, no_keyring),
        Err(error @ SecretError::NoStore { .. }) => (
            Arc::new(MemoryStore::default()) as Arc<dyn TokenStore>,
            None,
            Some((&error).into()),
        ),
        Err(error) => (store, None, Some((&error).into())),
    };
    let proxy = match migrated {
        // Kept for this session even if the store refuses it.
        Some(credentials) => {
            let _ = store.save_proxy(&credentials);
            Some(credentials)
        }
        None => store.load_proxy().ok().flatten(),
    };
    TokenLoad {
        store,
        token,
        proxy,
        no_keyring,
    }
}

/// The proxy URL the client gets: the settings' URL with the credentials in it (in memory
/// only); `None` for an empty URL (the environment's and the system's proxy then apply).
fn full_proxy_url(url: &str, credentials: Option<&ProxyCredentials>) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    Some(
        credentials
            .and_then(|credentials| credentials.join_url(url))
            .unwrap_or_else(|| url.to_owned()),
    )
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
        // Settings saved before the proxy credentials moved to the credential store: take them
        // out of the file (it is rewritten without them at the next save).
        let migrated = match ProxyCredentials::split_url(&persisted.proxy) {
            Ok((url, credentials)) => {
                persisted.proxy = url;
                credentials
            }
            Err(_) => {
                persisted.proxy.clear();
                None
            }
        };
        let store = options.token_store.clone();
        let token_promise = Some(tasks::spawn(ctx, "token", move || {
            load_token(store, migrated)
        }));
        let mut app = FollowupsApp {
            persisted,
            cpf_cnpj: String::new(),
            results: ResultSet::new(),
            last_fetch: None,
            fetch: None,
            banner: None,
            token: TokenState::Loading,
            settings: SettingsState::default(),
            demo: DemoState::Off,
            selected: None,
            quick_filter: String::new(),
            focus_quick_filter: false,
            today,
            export: ExportUiState::default(),
            batch: BatchUiState::default(),
            proxy_credentials: None,
            commands: Vec::new(),
            generation: 0,
            view_task: None,
            token_promise,
            keyring_promise: None,
            proxy_promise: None,
            test_promise: None,
            demo_promise: None,
            dialog_promise: None,
            reveal_promise: None,
            warm_keys: None,
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

    /// The token in use: the simulator's in demo mode, else the stored one.
    pub fn active_token(&self) -> Option<Token> {
        match (&self.demo, &self.token) {
            (DemoState::Running(sim), _) => Token::parse(sim.token()).ok(),
            (_, TokenState::Ready { token, .. }) => token.clone(),
            _ => None,
        }
    }

    /// Whether demo mode is on.
    pub fn is_demo(&self) -> bool {
        matches!(self.demo, DemoState::Running(_))
    }

    /// Why searching is not possible right now, if it is not.
    pub fn search_blocker(&mut self) -> Option<String> {
        let validated = if self.persisted.batch_mode {
            self.form().validate_filters().map(drop)
        } else {
            self.form().validate().map(drop)
        };
        if let Err(errors) = validated {
            let first = errors.first()?;
            let form = self.form();
            let typed = match first.field {
                QueryField::IdCredor => &form.id_credor,
                QueryField::CpfCnpj => &form.cpf_cnpj,
                QueryField::IdConsultor => &form.id_consultor,
                QueryField::IdEvento => &form.id_evento,
                QueryField::DataDe => &form.data_de,
                QueryField::DataAte => &form.data_ate,
                QueryField::Reagendar => return Some(first.to_string()),
            };
            // A field with text shows its own message; an empty required one does not.
            return Some(if typed.trim().is_empty() {
                first.message.clone()
            } else {
                format!("Corrija o campo {} acima.", first.field.label())
            });
        }
        if self.persisted.batch_mode && self.batch.list().valid.is_empty() {
            return Some(
                "Cole ou importe a lista de CPF/CNPJ: nenhum documento válido ainda.".to_owned(),
            );
        }
        self.readiness_blocker()
    }

    /// Why the last batch's failures cannot be queried again right now (they use the filters
    /// of that batch, not the form's).
    pub fn search_blocker_for_retry(&self) -> Option<String> {
        if !self.batch.has_unfinished() {
            return Some("Nenhum documento para consultar de novo.".to_owned());
        }
        self.readiness_blocker()
    }

    /// Why no request can be sent right now (token, demo), whatever the form says.
    fn readiness_blocker(&self) -> Option<String> {
        if matches!(self.token, TokenState::Loading) && !self.is_demo() {
            return Some("Carregando o token do cofre do sistema…".to_owned());
        }
        if matches!(self.demo, DemoState::Starting) {
            return Some("Iniciando a demonstração…".to_owned());
        }
        if self.active_token().is_none() {
            return Some(
                "Configure o token da API (Configurações) ou experimente a demonstração."
                    .to_owned(),
            );
        }
        None
    }

    /// The view the user asked for: current sort and quick filter.
    pub fn desired_view(&self) -> ViewSpec {
        ViewSpec {
            sort: self.persisted.sort.map(|s| SortSpec {
                column: s.column,
                descending: s.descending,
            }),
            filter: self.quick_filter.clone(),
        }
    }

    /// Whether a sort or filter is computing.
    pub fn view_pending(&self) -> bool {
        self.view_task.is_some()
    }

    /// Visible columns, in display order.
    pub fn visible_columns(&self) -> Vec<Column> {
        DISPLAY_ORDER
            .into_iter()
            .filter(|c| !self.persisted.hidden_columns.contains(c))
            .collect()
    }

    /// The client's settings: the API URL (the simulator's in demo mode), the timeout and
    /// the proxy, with its credentials from the credential store.
    pub fn client_config(&self) -> ClientConfig {
        let base_url = match &self.demo {
            DemoState::Running(sim) => sim.url().to_string(),
            _ => self.persisted.base_url.clone(),
        };
        ClientConfig {
            base_url,
            total_timeout: Duration::from_secs(self.persisted.timeout_secs.max(5)),
            proxy: full_proxy_url(&self.persisted.proxy, self.proxy_credentials.as_ref()),
            ..ClientConfig::default()
        }
    }

    /// The proxy typed in the settings: the URL without credentials and the credentials, from
    /// the URL itself (pasted whole) or from the user and password fields. An empty password
    /// field keeps the stored password of the same user.
    fn typed_proxy(&self) -> Result<(String, Option<ProxyCredentials>), String> {
        let (url, inline) = ProxyCredentials::split_url(&self.settings.proxy_text)?;
        let user = self.settings.proxy_user.trim();
        let credentials = match inline {
            Some(credentials) => Some(credentials),
            None if user.is_empty() => None,
            None => {
                let password = if self.settings.proxy_password.is_empty() {
                    self.proxy_credentials
                        .as_ref()
                        .filter(|stored| stored.user == user)
                        .map(|stored| stored.password.clone())
                        .unwrap_or_default()
                } else {
                    self.settings.proxy_password.clone()
                };
                Some(ProxyCredentials {
                    user: user.to_owned(),
                    password,
                })
            }
        };
        if url.is_empty() && credentials.is_some() {
            return Err(
                "Informe o endereço do proxy (http://servidor:porta) para usar o usuário e a senha."
                    .to_owned(),
            );
        }
        Ok((url, credentials))
    }

    /// Stops everything running before the window closes: the export (its temporary file is
    /// removed, the destination left untouched), the search and the batch. Waits up to `wait`
    /// for the export to clean up after itself and the batch's requests to end; an export
    /// still stuck then (a stalled network share) has its temporary file removed here.
    /// Returns whether everything ended within `wait`.
    pub fn shutdown(&mut self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        if let Some(task) = &self.export.task {
            task.progress.cancel();
        }
        if let Some(fetch) = &self.fetch {
            fetch.progress.cancel();
        }
        self.batch.cancel();
        if let Some(task) = &self.view_task {
            task.cancel.store(true, Ordering::SeqCst);
        }
        if let Some((cancel, _)) = &self.warm_keys {
            cancel.store(true, Ordering::SeqCst);
        }
        let export_done = |app: &FollowupsApp| {
            app.export.task.as_ref().is_none_or(|task| {
                task.promise
                    .as_ref()
                    .is_none_or(|promise| promise.ready().is_some())
            })
        };
        let batch_done = |app: &FollowupsApp| {
            app.batch
                .task
                .as_ref()
                .is_none_or(|task| task.handle.is_finished())
        };
        loop {
            if export_done(self) && batch_done(self) {
                return true;
            }
            if Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        if !export_done(self)
            && let Some(task) = &self.export.task
        {
            task.progress.remove_temp_file();
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
            Command::OpenExport => {
                if self.results.total_count() > 0 {
                    self.export.window_open = true;
                    self.export.error = None;
                }
            }
            Command::ChooseExportFile => self.choose_export_file(ctx, frame),
            Command::ExportTo(path) => self.start_export(ctx, path),
            Command::CancelExport => {
                if let Some(task) = &self.export.task {
                    task.progress.cancel();
                }
            }
            Command::RevealExport(path) => {
                self.reveal_promise = Some(tasks::spawn(ctx, "reveal", move || {
                    opener::reveal(&path).map_err(|e| e.to_string())
                }));
            }
            Command::Search if self.persisted.batch_mode => self.start_batch(ctx, false),
            Command::Search => self.start_search(ctx),
            Command::Cancel => {
                if let Some(fetch) = &self.fetch {
                    fetch.progress.cancel();
                }
                self.batch.cancel();
            }
            Command::ChooseListFile => self.choose_list_file(ctx, frame),
            Command::ImportList(path) => self.import_list(ctx, path),
            Command::PickListColumn(column) => self.pick_list_column(ctx, column),
            Command::RetryFailures => self.start_batch(ctx, true),
            Command::ChooseFailuresFile => self.choose_failures_file(ctx, frame),
            Command::ExportFailuresTo(path) => self.export_failures(ctx, path),
            Command::SortBy(column) => {
                let descending = match self.persisted.sort {
                    Some(s) if s.column == column => !s.descending,
                    _ => false,
                };
                self.persisted.sort = Some(PersistedSort { column, descending });
                self.refresh_view(ctx);
            }
            Command::QuickFilterChanged => self.refresh_view(ctx),
            Command::Select(row) => self.selected = row,
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
            Command::OpenSettings => {
                self.settings.open = true;
                self.settings.base_url_text = self.persisted.base_url.clone();
                self.settings.timeout_secs = self.persisted.timeout_secs;
                self.settings.proxy_text = self.persisted.proxy.clone();
                self.settings.proxy_user = self
                    .proxy_credentials
                    .as_ref()
                    .map(|credentials| credentials.user.clone())
                    .unwrap_or_default();
                self.settings.proxy_password.clear();
                self.settings.status = None;
            }
            Command::SaveToken => self.save_token(ctx),
            Command::RemoveToken => self.remove_token(ctx),
            Command::TestConnection => self.test_connection(ctx),
            Command::ApplyConnectionSettings => self.apply_connection_settings(ctx),
            Command::StartDemo => self.start_demo(ctx),
            Command::LeaveDemo => {
                // Dropping a batch's handle cancels it.
                self.batch.task = None;
                self.batch.last = None;
                self.batch.forget_screen();
                self.demo = DemoState::Off;
                self.results = ResultSet::new();
                self.last_fetch = None;
                self.selected = None;
            }
            Command::DismissError => self.banner = None,
        }
    }

    fn choose_export_file(&mut self, ctx: &egui::Context, frame: Option<&eframe::Frame>) {
        if self.export.choosing || self.export.task.is_some() {
            return;
        }
        let dialog = file_dialog("Exportar follow-ups", frame)
            .add_filter("Planilha do Excel (.xlsx)", &["xlsx"])
            .add_filter("CSV (.csv)", &["csv"])
            .set_file_name(super::export::suggested_file_name(self, ExportFormat::Xlsx));
        self.export.choosing = true;
        self.export.error = None;
        self.dialog_promise = Some(ask_save_path(ctx, "save-dialog", dialog));
    }

    fn start_export(&mut self, ctx: &egui::Context, path: PathBuf) {
        if self.export.task.is_some() {
            return;
        }
        let Some(format) = ExportFormat::from_path(&path) else {
            self.export.error = Some(format!(
                "Use a extensão .xlsx (Excel) ou .csv no nome do arquivo: {}",
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
            promise: Some(promise),
        });
    }

    fn poll_export(&mut self) {
        if let Some(chosen) = tasks::take_ready(&mut self.dialog_promise) {
            self.export.choosing = false;
            match chosen {
                Ok(Some(path)) => self.queue(Command::ExportTo(path)),
                Ok(None) => {}
                Err(panicked) => self.export.error = Some(panicked.to_string()),
            }
        }
        if let Some(revealed) = tasks::take_ready(&mut self.reveal_promise) {
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
        self.export.task = None;
        match outcome {
            Ok(Ok(summary)) => {
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
                self.export.done = Some(ExportDone {
                    message,
                    path: summary.path,
                });
            }
            Ok(Err(ExportError::Cancelled)) => {}
            Ok(Err(error)) => {
                self.export.error = Some(error.to_string());
                self.export.window_open = true;
            }
            Err(panicked) => {
                self.export.error = Some(panicked.to_string());
                self.export.window_open = true;
            }
        }
    }

    fn start_search(&mut self, ctx: &egui::Context) {
        let query = match self.form().validate() {
            Ok(query) => query,
            Err(_) => return,
        };
        let Some(token) = self.active_token() else {
            self.banner = Some(Banner::no_token());
            return;
        };
        // A newer search supersedes the running one (or the running batch).
        if let Some(old) = self.fetch.take() {
            old.progress.cancel();
        }
        self.batch.task = None; // dropping a batch's handle cancels it
        let client = match FollowupClient::new(self.client_config(), token) {
            Ok(client) => client,
            Err(error) => {
                self.banner = Some(Banner::from_api(&error));
                return;
            }
        };
        self.generation += 1;
        let progress = FetchProgress::new();
        let spec = self.desired_view();
        let promise = {
            let progress = Arc::clone(&progress);
            tasks::spawn(ctx, "fetch", move || {
                fetch_and_arrange(&client, &query, &progress, spec)
            })
        };
        self.fetch = Some(FetchTask {
            generation: self.generation,
            promise: Some(promise),
            progress,
            started: Instant::now(),
        });
    }

    fn refresh_view(&mut self, ctx: &egui::Context) {
        let spec = self.desired_view();
        if let Some(task) = self.view_task.take() {
            task.cancel.store(true, Ordering::SeqCst);
        }
        if *self.results.spec() == spec && self.results.view_is_current() {
            return;
        }
        let request = self.results.request_view(spec.clone());
        let cancel = Arc::new(AtomicBool::new(false));
        let promise = {
            let cancel = Arc::clone(&cancel);
            tasks::spawn(ctx, "view", move || request.compute(&cancel))
        };
        self.view_task = Some(ViewTask {
            spec,
            cancel,
            promise: Some(promise),
        });
    }

    fn save_token(&mut self, ctx: &egui::Context) {
        let token = match Token::parse(&self.settings.token_text) {
            Ok(token) => token,
            Err(error) => {
                self.settings.status = Some((false, error.to_string()));
                return;
            }
        };
        let TokenState::Ready { store, .. } = &self.token else {
            self.settings.status = Some((
                false,
                "Aguarde: o cofre do sistema ainda está sendo aberto.".to_owned(),
            ));
            return;
        };
        let store = Arc::clone(store);
        self.settings.busy = true;
        self.keyring_promise = Some(tasks::spawn(ctx, "keyring-save", move || {
            store.save(&token).map(|()| {
                let message = if store.is_persistent() {
                    format!("Token salvo: {}.", store.name())
                } else {
                    "Token guardado só nesta sessão (este sistema não tem cofre de senhas)."
                        .to_owned()
                };
                (Some(token), message)
            })
        }));
    }

    fn remove_token(&mut self, ctx: &egui::Context) {
        let TokenState::Ready { store, .. } = &self.token else {
            return;
        };
        let store = Arc::clone(store);
        self.settings.busy = true;
        self.keyring_promise = Some(tasks::spawn(ctx, "keyring-delete", move || {
            store
                .delete()
                .map(|()| (None, "Token removido.".to_owned()))
        }));
    }

    fn test_connection(&mut self, ctx: &egui::Context) {
        let typed = Token::parse(&self.settings.token_text).ok();
        let Some(token) = typed.or_else(|| self.active_token()) else {
            self.settings.status =
                Some((false, "Informe o token para testar a conexão.".to_owned()));
            return;
        };
        let mut config = self.client_config();
        if !self.is_demo() {
            let (proxy, credentials) = match self.typed_proxy() {
                Ok(typed) => typed,
                Err(message) => {
                    self.settings.status = Some((false, message));
                    return;
                }
            };
            config.base_url = self.settings.base_url_text.clone();
            config.proxy = full_proxy_url(&proxy, credentials.as_ref());
        }
        config.total_timeout = Duration::from_secs(30);
        config.max_retries = 0;
        let id_credor = self
            .persisted
            .id_credor
            .trim()
            .parse::<i32>()
            .unwrap_or(1)
            .max(1);
        self.settings.busy = true;
        self.test_promise = Some(tasks::spawn(ctx, "connection-test", move || {
            let client = FollowupClient::new(config, token)?;
            // A document nobody has: the server checks the token and answers an empty list.
            let query = QueryForm {
                id_credor: id_credor.to_string(),
                cpf_cnpj: "000.000.001-91".to_owned(),
                ..QueryForm::default()
            }
            .validate()
            .map_err(|errors| ApiError::Config {
                message: errors.first().map(ToString::to_string).unwrap_or_default(),
            })?;
            client.fetch(&query, &FetchProgress::new()).map(|outcome| {
                format!(
                    "Conexão OK: o servidor aceitou o token (respondeu em {}).",
                    crate::fmt::seconds_br(outcome.elapsed)
                )
            })
        }));
    }

    fn apply_connection_settings(&mut self, ctx: &egui::Context) {
        let url = match crate::api::client::validate_base_url(&self.settings.base_url_text) {
            Ok(url) => url,
            Err(message) => {
                self.settings.status = Some((false, message));
                return;
            }
        };
        let (proxy, credentials) = match self.typed_proxy() {
            Ok(typed) => typed,
            Err(message) => {
                self.settings.status = Some((false, message));
                return;
            }
        };
        self.persisted.base_url = url.to_string();
        self.persisted.timeout_secs = self.settings.timeout_secs.clamp(5, 3600);
        // The settings file gets the proxy without credentials; the fields show what is kept.
        self.persisted.proxy.clone_from(&proxy);
        self.settings.proxy_text = proxy;
        self.settings.proxy_user = credentials
            .as_ref()
            .map(|credentials| credentials.user.clone())
            .unwrap_or_default();
        self.settings.proxy_password.clear();
        self.settings.status = Some((true, "Configurações de conexão aplicadas.".to_owned()));
        if credentials == self.proxy_credentials {
            return;
        }
        self.proxy_credentials.clone_from(&credentials);
        let TokenState::Ready { store, .. } = &self.token else {
            self.settings.status = Some((
                true,
                "Configurações de conexão aplicadas; o cofre de senhas ainda está abrindo, então o usuário e a senha do proxy valem só nesta sessão."
                    .to_owned(),
            ));
            return;
        };
        let store = Arc::clone(store);
        self.settings.busy = true;
        self.proxy_promise = Some(tasks::spawn(ctx, "keyring-proxy", move || {
            match &credentials {
                Some(credentials) => store.save_proxy(credentials)?,
                None => store.delete_proxy()?,
            }
            Ok(store.is_persistent())
        }));
    }

    fn start_demo(&mut self, ctx: &egui::Context) {
        if !matches!(self.demo, DemoState::Off) {
            return;
        }
        self.demo = DemoState::Starting;
        self.demo_promise = Some(tasks::spawn(ctx, "demo", || {
            Simulator::start(SimConfig {
                latency: Duration::from_millis(150),
                ..SimConfig::default()
            })
        }));
    }

    /// Applies what background tasks finished. Called every frame before drawing.
    pub fn poll_tasks(&mut self, ctx: &egui::Context) {
        if let Some(load) = tasks::take_ready(&mut self.token_promise) {
            self.token = match load {
                Ok(load) => {
                    self.proxy_credentials = load.proxy;
                    TokenState::Ready {
                        token: load.token,
                        store: load.store,
                        no_keyring: load.no_keyring,
                    }
                }
                Err(panicked) => TokenState::Ready {
                    token: None,
                    store: Arc::new(MemoryStore::default()),
                    no_keyring: Some(KeyringProblem {
                        message: "O cofre de senhas do sistema não pôde ser aberto: o token e a senha do proxy valem só nesta sessão.".to_owned(),
                        detail: panicked.to_string(),
                    }),
                },
            };
        }
        if let Some(outcome) = tasks::take_ready(&mut self.keyring_promise) {
            self.settings.busy = false;
            match outcome {
                Ok(Ok((token, message))) => {
                    if let TokenState::Ready { token: current, .. } = &mut self.token {
                        *current = token;
                    }
                    self.settings.token_text.clear();
                    self.settings.status = Some((true, message));
                }
                Ok(Err(error)) => {
                    // Keep a typed token for this session, so the user can still work.
                    if let (Ok(token), TokenState::Ready { token: current, .. }) =
                        (Token::parse(&self.settings.token_text), &mut self.token)
                    {
                        *current = Some(token);
                    }
                    self.settings.status =
                        Some((false, format!("{error} O token vale só nesta sessão.")));
                }
                Err(panicked) => self.settings.status = Some((false, panicked.to_string())),
            }
        }
        if let Some(outcome) = tasks::take_ready(&mut self.proxy_promise) {
            self.settings.busy = false;
            let kept = self.proxy_credentials.is_some();
            self.settings.status = Some(match outcome {
                Ok(Ok(true)) if kept => (
                    true,
                    "Configurações de conexão aplicadas; usuário e senha do proxy guardados no cofre do sistema.".to_owned(),
                ),
                Ok(Ok(true)) => (
                    true,
                    "Configurações de conexão aplicadas; usuário e senha do proxy removidos do cofre do sistema.".to_owned(),
                ),
                Ok(Ok(false)) => (
                    true,
                    "Configurações de conexão aplicadas; sem cofre de senhas, o usuário e a senha do proxy valem só nesta sessão.".to_owned(),
                ),
                // The credentials stay in memory for this session.
                Ok(Err(error)) => (false, error.plain_message().to_owned()),
                Err(panicked) => (false, panicked.to_string()),
            });
        }
        if let Some(outcome) = tasks::take_ready(&mut self.test_promise) {
            self.settings.busy = false;
            self.settings.status = Some(match outcome {
                Ok(Ok(message)) => (true, message),
                Ok(Err(error)) => (false, error.to_string()),
                Err(panicked) => (false, panicked.to_string()),
            });
        }
        if let Some(outcome) = tasks::take_ready(&mut self.demo_promise) {
            match outcome {
                Ok(Ok(sim)) => {
                    // Point the form at a debtor with a history, so "Buscar" shows rows at once.
                    let dataset = sim.dataset();
                    let example = dataset
                        .debtors()
                        .iter()
                        .filter(|d| !d.huge)
                        .max_by_key(|d| dataset.history_len(d));
                    if let Some(debtor) = example {
                        self.persisted.id_credor = debtor.id_credor.to_string();
                        self.cpf_cnpj = crate::doc_id::format_lenient(&debtor.cpf_cnpj);
                        if self.batch.text.trim().is_empty() {
                            // The creditor's fictitious debtors, for "Vários documentos".
                            let list: Vec<String> = dataset
                                .documents_of(debtor.id_credor)
                                .iter()
                                .map(|doc| crate::doc_id::format_lenient(doc))
                                .collect();
                            self.batch.text = list.join("\n");
                        }
                    }
                    self.demo = DemoState::Running(sim);
                    self.banner = None;
                }
                Ok(Err(error)) => {
                    self.demo = DemoState::Off;
                    self.banner = Some(Banner {
                        message: "Não foi possível iniciar a demonstração.".to_owned(),
                        detail: error.to_string(),
                        token_hint: false,
                    });
                }
                Err(panicked) => {
                    self.demo = DemoState::Off;
                    self.banner = Some(Banner {
                        message: "Não foi possível iniciar a demonstração.".to_owned(),
                        detail: panicked.to_string(),
                        token_hint: false,
                    });
                }
            }
        }
        self.poll_fetch(ctx);
        self.poll_batch(ctx);
        self.poll_view();
        self.poll_export();
    }

    fn poll_fetch(&mut self, ctx: &egui::Context) {
        let Some(fetch) = &mut self.fetch else {
            return;
        };
        let Some(outcome) = tasks::take_ready(&mut fetch.promise) else {
            return;
        };
        let current = fetch.generation == self.generation;
        self.fetch = None;
        if !current {
            return;
        }
        match outcome {
            Ok(Ok(done)) => {
                self.results = done.results;
                self.batch.forget_screen();
                self.last_fetch = Some(done.last);
                self.selected = None;
                self.banner = None;
                // The sort or filter may have changed while the rows were coming.
                if let Some(task) = self.view_task.take() {
                    task.cancel.store(true, Ordering::SeqCst);
                }
                self.refresh_view(ctx);
                self.warm_sort_keys(ctx);
            }
            Ok(Err(error)) if error.kind() == ErrorKind::Cancelled => {}
            Ok(Err(error)) => self.banner = Some(Banner::from_api(&error)),
            Err(panicked) => {
                self.banner = Some(Banner {
                    message: "A busca falhou por um erro interno; os resultados anteriores foram mantidos.".to_owned(),
                    detail: panicked.to_string(),
                    token_hint: false,
                });
            }
        }
    }

    /// Starts building the new results' text sort keys off the UI thread (cancelling a build
    /// for results that were replaced).
    fn warm_sort_keys(&mut self, ctx: &egui::Context) {
        if let Some((cancel, _)) = self.warm_keys.take() {
            cancel.store(true, Ordering::SeqCst);
        }
        if self.results.sort_keys_ready() || self.results.total_count() < 10_000 {
            return;
        }
        let request = self.results.request_view(ViewSpec::default());
        let cancel = Arc::new(AtomicBool::new(false));
        let promise = {
            let cancel = Arc::clone(&cancel);
            tasks::spawn(ctx, "sort-keys", move || request.prepare_sort_keys(&cancel))
        };
        self.warm_keys = Some((cancel, promise));
    }

    fn poll_view(&mut self) {
        if self
            .warm_keys
            .as_ref()
            .is_some_and(|(_, promise)| promise.ready().is_some())
        {
            self.warm_keys = None;
        }
        let Some(task) = &mut self.view_task else {
            return;
        };
        let Some(outcome) = tasks::take_ready(&mut task.promise) else {
            return;
        };
        let spec = task.spec.clone();
        self.view_task = None;
        if let Ok(Ok(view)) = outcome
            && spec == self.desired_view()
        {
            // A view of older rows is refused by the result set itself.
            let _ = self.results.install_view(view);
        }
    }

    /// Whether something runs in the background (the UI then repaints to show progress).
    pub fn busy(&self) -> bool {
        self.fetch.is_some()
            || self.view_task.is_some()
            || self.token_promise.is_some()
            || self.keyring_promise.is_some()
            || self.proxy_promise.is_some()
            || self.test_promise.is_some()
            || self.demo_promise.is_some()
            || self.dialog_promise.is_some()
            || self.export.task.is_some()
            || self.warm_keys.is_some()
            || self.batch.busy()
    }

    /// Whether a search (single or batch) is running.
    pub fn searching(&self) -> bool {
        self.fetch.is_some() || self.batch.running()
    }
}

/// The worker of a search: fetch, then arrange the rows in the view asked for, all off the UI
/// thread.
fn fetch_and_arrange(
    client: &FollowupClient,
    query: &FollowupQuery,
    progress: &Arc<FetchProgress>,
    spec: ViewSpec,
) -> Result<FetchDone, ApiError> {
    let outcome = client.fetch(query, progress)?;
    let last = LastFetch {
        elapsed: outcome.elapsed,
        bytes: outcome.bytes,
        attempts: outcome.attempts,
        problems: outcome.report.problem_summary(),
        documents: 1,
        documents_ok: 1,
    };
    let mut results = ResultSet::from_rows(outcome.rows);
    if spec != ViewSpec::default() {
        results.set_view(spec);
    }
    Ok(FetchDone { results, last })
}

/// A native file dialog titled `title`, starting in the user's documents folder, parented to
/// the window. Create it on the UI thread (macOS requires it) and await it off it.
fn file_dialog(title: &str, frame: Option<&eframe::Frame>) -> rfd::AsyncFileDialog {
    let mut dialog = rfd::AsyncFileDialog::new().set_title(title);
    if let Some(folder) = dirs_documents() {
        dialog = dialog.set_directory(folder);
    }
    if let Some(frame) = frame {
        dialog = dialog.set_parent(frame);
    }
    dialog
}

/// Shows `dialog` as a save dialog and waits for the user's choice on a worker thread.
fn ask_save_path(
    ctx: &egui::Context,
    name: &'static str,
    dialog: rfd::AsyncFileDialog,
) -> Promise<Result<Option<PathBuf>, TaskPanicked>> {
    let future = dialog.save_file();
    tasks::spawn(ctx, name, move || {
        pollster::block_on(future).map(|handle| handle.path().to_path_buf())
    })
}

/// The user's documents folder, where the file dialogs start.
fn dirs_documents() -> Option<PathBuf> {
    let home = std::env::var_os(if cfg!(windows) { "USERPROFILE" } else { "HOME" })?;
    let home = PathBuf::from(home);
    ["Documentos", "Documents"]
        .iter()
        .map(|name| home.join(name))
        .find(|path| path.is_dir())
        .or(Some(home))
}
