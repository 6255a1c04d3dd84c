//! A single search and the view of the rows on screen: the fetch in flight, the sort or filter
//! computing off the UI thread, and the warm-up of the text sort keys of new results.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use poll_promise::Promise;

use super::super::tasks::{self, TaskPanicked};
use super::{Banner, DemoState, FollowupsApp, PersistedSort, TokenState};
use crate::api::{
    ApiError, Column, ErrorKind, FetchProgress, FollowupClient, FollowupQuery, QueryField,
};
use crate::results::{Cancelled, ResultSet, SortSpec, View, ViewSpec};

/// The text columns whose filter lists are prepared right after large results arrive: the
/// debtor's name and document, which hold up to one value per row (a list of a million names
/// takes about a second to sort; prepared, it opens in tens of milliseconds).
const WARM_LISTS: [Column; 2] = [Column::NomeCliente, Column::CpfCnpj];

/// The table's default column order (the user's is `Persisted::column_order`).
pub const DISPLAY_ORDER: [Column; 20] = crate::results::DEFAULT_COLUMN_ORDER;

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

/// The build of the text sort keys of new results, in the background.
struct WarmTask {
    cancel: Arc<AtomicBool>,
    promise: Promise<Result<Result<(), Cancelled>, TaskPanicked>>,
}

/// The search's background work. A newer search (single or batch) supersedes the running one.
#[derive(Default)]
pub struct SearchState {
    /// The search in flight.
    pub fetch: Option<FetchTask>,
    /// Bumped by each new search; a fetch of an older generation is dropped when it ends.
    generation: u64,
    view_task: Option<ViewTask>,
    /// Builds the text sort keys of new results in the background, so the first sort by
    /// "Interação" is as fast as the others.
    warm_keys: Option<WarmTask>,
}

impl SearchState {
    /// Whether a fetch, a sort or filter, or a sort-key build runs.
    pub fn busy(&self) -> bool {
        self.fetch.is_some() || self.view_task.is_some() || self.warm_keys.is_some()
    }

    /// Whether a sort or filter is computing.
    pub fn view_pending(&self) -> bool {
        self.view_task.is_some()
    }

    /// Cancels the running fetch, if any (what it brought so far is dropped).
    pub(super) fn cancel_fetch(&self) {
        if let Some(fetch) = &self.fetch {
            fetch.progress.cancel();
        }
    }

    /// Cancels the running fetch and forgets it: a new search (single or batch) starts.
    pub(super) fn supersede(&mut self) {
        if let Some(old) = self.fetch.take() {
            old.progress.cancel();
        }
        self.generation += 1;
    }

    /// Cancels everything (the window closes).
    pub(super) fn cancel_all(&self) {
        self.cancel_fetch();
        if let Some(task) = &self.view_task {
            task.cancel.store(true, Ordering::SeqCst);
        }
        if let Some(warm) = &self.warm_keys {
            warm.cancel.store(true, Ordering::SeqCst);
        }
    }

    /// Cancels the sort or filter computing, if any.
    fn cancel_view(&mut self) {
        if let Some(task) = self.view_task.take() {
            task.cancel.store(true, Ordering::SeqCst);
        }
    }
}

impl FollowupsApp {
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
        if matches!(self.demo, DemoState::Starting(_)) {
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

    /// Visible columns, in the user's order: what the table shows, and what copies and
    /// exports of the current view write.
    pub fn visible_columns(&self) -> Vec<Column> {
        self.persisted
            .column_order
            .visible(&self.persisted.hidden_columns)
    }

    /// The view the user asked for: current sort, quick filter and column filters.
    pub fn desired_view(&self) -> ViewSpec {
        ViewSpec {
            sort: self.persisted.sort.map(|s| SortSpec {
                column: s.column,
                descending: s.descending,
            }),
            filter: self.quick_filter.clone(),
            columns: self.column_filters.active.clone(),
        }
    }

    /// Whether a sort or filter is computing.
    pub fn view_pending(&self) -> bool {
        self.search.view_pending()
    }

    /// Sorts by `column`: ascending, or the other way round when it is the current sort.
    pub(super) fn sort_by(&mut self, ctx: &egui::Context, column: Column) {
        let descending = match self.persisted.sort {
            Some(s) if s.column == column => !s.descending,
            _ => false,
        };
        self.persisted.sort = Some(PersistedSort { column, descending });
        self.refresh_view(ctx);
    }

    pub(super) fn start_search(&mut self, ctx: &egui::Context) {
        let query = match self.form().validate() {
            Ok(query) => query,
            Err(_) => return,
        };
        let Some(token) = self.active_token() else {
            self.banner = Some(Banner::no_token());
            return;
        };
        // A newer search supersedes the running one (or the running batch).
        self.search.supersede();
        self.batch.task = None; // dropping a batch's handle cancels it
        let client = match FollowupClient::new(self.client_config(), token) {
            Ok(client) => client,
            Err(error) => {
                self.banner = Some(Banner::from_api(&error));
                return;
            }
        };
        let progress = FetchProgress::new();
        let spec = self.desired_view();
        let promise = {
            let progress = Arc::clone(&progress);
            tasks::spawn(ctx, "fetch", move || {
                fetch_and_arrange(&client, &query, &progress, spec)
            })
        };
        self.search.fetch = Some(FetchTask {
            generation: self.search.generation,
            promise: Some(promise),
            progress,
            started: Instant::now(),
        });
    }

    /// Computes the view the user asked for in the background (cancelling one that computes
    /// for an older request), unless the one on screen is it.
    pub(super) fn refresh_view(&mut self, ctx: &egui::Context) {
        let spec = self.desired_view();
        self.search.cancel_view();
        if *self.results.spec() == spec && self.results.view_is_current() {
            return;
        }
        let request = self.results.request_view(spec.clone());
        let cancel = Arc::new(AtomicBool::new(false));
        let promise = {
            let cancel = Arc::clone(&cancel);
            tasks::spawn(ctx, "view", move || request.compute(&cancel))
        };
        self.search.view_task = Some(ViewTask {
            spec,
            cancel,
            promise: Some(promise),
        });
    }

    /// Applies a finished fetch: its rows replace the results on screen.
    pub(super) fn poll_fetch(&mut self, ctx: &egui::Context) {
        let Some(fetch) = &mut self.search.fetch else {
            return;
        };
        let Some(outcome) = tasks::take_ready(&mut fetch.promise) else {
            return;
        };
        let current = fetch.generation == self.search.generation;
        self.search.fetch = None;
        if !current {
            return;
        }
        match outcome {
            Ok(Ok(done)) => {
                self.results = done.results;
                self.batch.forget_screen();
                self.last_fetch = Some(done.last);
                self.table.forget();
                self.banner = None;
                // The sort or filter may have changed while the rows were coming.
                self.search.cancel_view();
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
    pub(super) fn warm_sort_keys(&mut self, ctx: &egui::Context) {
        if let Some(warm) = self.search.warm_keys.take() {
            warm.cancel.store(true, Ordering::SeqCst);
        }
        let request = self.results.request_view(ViewSpec::default());
        let ready = request.sort_keys_ready()
            && WARM_LISTS.iter().all(|&column| request.list_ready(column));
        if ready || self.results.total_count() < 10_000 {
            return;
        }
        let cancel = Arc::new(AtomicBool::new(false));
        let promise = {
            let cancel = Arc::clone(&cancel);
            tasks::spawn(ctx, "sort-keys", move || {
                request.prepare_sort_keys(&cancel)?;
                request.prepare_lists(&WARM_LISTS, &cancel)
            })
        };
        self.search.warm_keys = Some(WarmTask { cancel, promise });
    }

    /// Installs a finished view, if it is still the one asked for, and forgets a finished
    /// sort-key build.
    pub(super) fn poll_view(&mut self) {
        if self
            .search
            .warm_keys
            .as_ref()
            .is_some_and(|warm| warm.promise.ready().is_some())
        {
            self.search.warm_keys = None;
        }
        let Some(task) = &mut self.search.view_task else {
            return;
        };
        let Some(outcome) = tasks::take_ready(&mut task.promise) else {
            return;
        };
        let spec = task.spec.clone();
        self.search.view_task = None;
        if let Ok(Ok(view)) = outcome
            && spec == self.desired_view()
        {
            // A view of older rows is refused by the result set itself.
            if self.results.install_view(view).is_ok() {
                self.retain_selection();
            }
        }
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
