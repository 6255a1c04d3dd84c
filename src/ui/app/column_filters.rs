//! Column filters (AutoFilter): the filters in force and their chips, the open filter popup
//! with its draft, and the popup's background work (the list of distinct values, a search
//! over a long list, building a filter from a long choice).
//!
//! Applying a filter recomputes the view in the background exactly like the quick filter
//! (`refresh_view`). The filters outlive a new search (Excel keeps AutoFilter settings across
//! a refresh) and show as chips above the table, so no row hides silently.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use poll_promise::Promise;

use super::super::tasks::{self, TaskPanicked};
use super::FollowupsApp;
use crate::api::{Column, ColumnKind, Followup};
use crate::results::{Cancelled, ColumnFilter, ColumnFilters, DistinctValues};

/// Lists up to this long are searched on the UI thread (well under a millisecond); longer
/// ones in the background.
const SEARCH_INLINE_MAX: usize = 20_000;

/// One active filter as its chip shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chip {
    /// The filtered column.
    pub column: Column,
    /// `Canal: WhatsApp, SMS` (abbreviated past two values).
    pub text: String,
}

/// How the popup of an id column filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberMode {
    /// Ticked values from the list.
    Values,
    /// A range typed as from/to.
    Range,
}

/// The checklist of a popup: the column's distinct values, which are ticked, and the search
/// over them.
#[derive(Default)]
pub struct ListDraft {
    /// The distinct values with counts; `None` while they are computed.
    pub values: Option<Arc<DistinctValues>>,
    /// Which values are ticked (same positions as `values`).
    pub checked: Vec<bool>,
    /// How many are ticked.
    pub checked_count: usize,
    /// The text typed in the list's search box.
    pub search: String,
    /// Positions of the values matching `search` (all when it is blank); `None` while a
    /// search over a long list runs.
    pub shown: Option<Arc<Vec<u32>>>,
}

impl ListDraft {
    /// Whether the value at `position` is ticked.
    pub fn is_checked(&self, position: u32) -> bool {
        self.checked
            .get(position as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Ticks or unticks the value at `position`.
    pub fn set_checked(&mut self, position: u32, checked: bool) {
        if let Some(slot) = self.checked.get_mut(position as usize)
            && *slot != checked
        {
            *slot = checked;
            if checked {
                self.checked_count += 1;
            } else {
                self.checked_count = self.checked_count.saturating_sub(1);
            }
        }
    }

    /// Ticks ("Selecionar todos") or unticks ("Limpar") every value the search shows.
    pub fn set_all_shown(&mut self, checked: bool) {
        let Some(shown) = self.shown.clone() else {
            return;
        };
        for &position in shown.iter() {
            self.set_checked(position, checked);
        }
    }

    /// How many of the values the search shows are ticked.
    fn chosen_count(&self) -> usize {
        match &self.shown {
            _ if self.search.trim().is_empty() => self.checked_count,
            Some(shown) => shown.iter().filter(|&&p| self.is_checked(p)).count(),
            None => 0,
        }
    }

    /// Why OK cannot apply the choice, if it cannot.
    pub fn blocker(&self) -> Option<&'static str> {
        if self.values.is_none() {
            Some("Aguarde a lista de valores.")
        } else if self.shown.is_none() {
            Some("Aguarde a pesquisa na lista.")
        } else if self.chosen_count() == 0 {
            Some("Marque ao menos um valor.")
        } else {
            None
        }
    }
}

/// What the popup edits, fitted to the column's kind.
pub enum FilterDraft {
    /// Codes, names, times: the checklist.
    List(ListDraft),
    /// Ids: the checklist or a range.
    Numbers {
        /// Values or range.
        mode: NumberMode,
        /// The checklist.
        list: ListDraft,
        /// The smallest id, as typed.
        from: String,
        /// The largest id, as typed.
        to: String,
    },
    /// Dates: from and to, typed `dd/mm/aaaa`.
    Dates {
        /// The first day, as typed.
        from: String,
        /// The last day, as typed.
        to: String,
    },
    /// Free text: "contém".
    Contains {
        /// The text looked for.
        text: String,
    },
}

impl FilterDraft {
    /// The checklist, if the draft shows one.
    pub fn list(&self) -> Option<&ListDraft> {
        match self {
            FilterDraft::List(list) => Some(list),
            FilterDraft::Numbers {
                mode: NumberMode::Values,
                list,
                ..
            } => Some(list),
            _ => None,
        }
    }

    /// The checklist, if the draft shows one (mutable).
    pub fn list_mut(&mut self) -> Option<&mut ListDraft> {
        match self {
            FilterDraft::List(list) => Some(list),
            FilterDraft::Numbers {
                mode: NumberMode::Values,
                list,
                ..
            } => Some(list),
            _ => None,
        }
    }

    /// The filter a typed draft (range, dates, "contém") describes: `Ok(None)` when it keeps
    /// every row (both ends empty, blank text), `Err` with a message in Portuguese when a field
    /// is invalid. Lists are built with [`ListDraft`] instead (`Ok(None)` here).
    pub fn typed_filter(&self) -> Result<Option<ColumnFilter>, String> {
        match self {
            FilterDraft::List(_)
            | FilterDraft::Numbers {
                mode: NumberMode::Values,
                ..
            } => Ok(None),
            FilterDraft::Numbers { from, to, .. } => {
                let from = parse_id(from, "mínimo")?;
                let to = parse_id(to, "máximo")?;
                if let (Some(from), Some(to)) = (from, to)
                    && from > to
                {
                    return Err("O mínimo é maior que o máximo.".to_owned());
                }
                Ok(Some(ColumnFilter::NumberRange { from, to }).filter(|f| !f.is_noop()))
            }
            FilterDraft::Dates { from, to } => {
                let from = crate::api::query::parse_date(from)?;
                let to = crate::api::query::parse_date(to)?;
                if let (Some(from), Some(to)) = (from, to)
                    && from > to
                {
                    return Err("A data inicial é posterior à data final.".to_owned());
                }
                Ok(Some(ColumnFilter::DateRange { from, to }).filter(|f| !f.is_noop()))
            }
            FilterDraft::Contains { text } => Ok(Some(ColumnFilter::Contains {
                text: text.trim().to_owned(),
            })
            .filter(|f| !f.is_noop())),
        }
    }
}

/// An id typed in a range field (`1.234` and spaces are accepted); empty → `None`.
fn parse_id(text: &str, what: &str) -> Result<Option<i64>, String> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    cleaned.parse::<i64>().map(Some).map_err(|_| {
        format!(
            "O {what} deve ser um número inteiro; «{}» não é.",
            text.trim()
        )
    })
}

/// The open filter popup of one column.
pub struct FilterPopup {
    /// The column it filters.
    pub column: Column,
    /// What the user is editing.
    pub draft: FilterDraft,
    /// Whether the popup's first field (the list's search box, or the first typed field)
    /// still has to take the keyboard focus, as it does once on opening.
    pub focus_pending: bool,
    /// Bumped by each request of this popup, so late answers are dropped.
    generation: u64,
}

/// A background computation of the popup: its generation, cancel switch and promise.
struct PopupTask<T: Send + 'static> {
    generation: u64,
    cancel: Arc<AtomicBool>,
    promise: Option<Promise<Result<Result<T, Cancelled>, TaskPanicked>>>,
}

impl<T: Send + 'static> PopupTask<T> {
    fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }
}

/// The distinct values and which of them the current filter keeps.
type ListAnswer = (DistinctValues, Vec<bool>);

/// A filter built from a choice, and its chip (`None`: the choice keeps every row).
type BuiltFilter = Option<(ColumnFilter, Chip)>;

/// The column filters' state.
#[derive(Default)]
pub struct ColumnFiltersState {
    /// The filters in force. They outlive a new search (like Excel's AutoFilter on a refresh)
    /// and show as chips above the table, so nothing hides rows silently.
    pub active: ColumnFilters,
    /// The chips of the active filters, in their order (described once, when set).
    pub chips: Vec<Chip>,
    /// The open popup, if any.
    pub popup: Option<FilterPopup>,
    generation: u64,
    list_task: Option<PopupTask<ListAnswer>>,
    search_task: Option<PopupTask<Vec<u32>>>,
    build_task: Option<(Column, PopupTask<BuiltFilter>)>,
}

impl ColumnFiltersState {
    /// Whether background work runs (the list, a search over it, a filter being built).
    pub fn busy(&self) -> bool {
        self.list_task.is_some() || self.search_task.is_some() || self.build_task.is_some()
    }

    /// Whether the popup's list of values is being computed.
    pub fn list_pending(&self) -> bool {
        self.list_task.is_some()
    }

    /// Whether a chosen filter is being built (after OK on a long list).
    pub fn applying(&self) -> bool {
        self.build_task.is_some()
    }

    /// Cancels the popup's background work.
    pub(super) fn cancel_all(&mut self) {
        if let Some(task) = self.list_task.take() {
            task.cancel();
        }
        if let Some(task) = self.search_task.take() {
            task.cancel();
        }
        if let Some((_, task)) = self.build_task.take() {
            task.cancel();
        }
    }

    /// Sets the filter of `column` (with its chip) or removes it (`None`).
    fn put(&mut self, column: Column, filter: Option<(ColumnFilter, Chip)>) {
        match filter {
            Some((filter, chip)) => {
                if self.active.set(column, filter) {
                    match self.chips.iter_mut().find(|c| c.column == column) {
                        Some(existing) => *existing = chip,
                        None => self.chips.push(chip),
                    }
                }
            }
            None => {
                self.active.remove(column);
            }
        }
        // Chips follow the filters (a no-op filter removed its column).
        let active = &self.active;
        self.chips.retain(|chip| active.get(chip.column).is_some());
    }
}

/// The chip of `filter` on `column`: `Tipo de contato: SMS, WhatsApp`.
pub fn chip_for(column: Column, filter: &ColumnFilter) -> Chip {
    Chip {
        column,
        text: format!("{}: {}", column.label(), filter.describe(column)),
    }
}

/// The draft a popup starts with for `column`, from its current filter.
fn initial_draft(column: Column, current: Option<&ColumnFilter>) -> FilterDraft {
    let date = |d: &Option<chrono::NaiveDate>| d.map(crate::fmt::date_br).unwrap_or_default();
    let id = |v: &Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    match (column.kind(), current) {
        _ if column == Column::Interacao => FilterDraft::Contains {
            text: match current {
                Some(ColumnFilter::Contains { text }) => text.clone(),
                _ => String::new(),
            },
        },
        (ColumnKind::DateTime, Some(ColumnFilter::DateRange { from, to })) => FilterDraft::Dates {
            from: date(from),
            to: date(to),
        },
        (ColumnKind::DateTime, _) => FilterDraft::Dates {
            from: String::new(),
            to: String::new(),
        },
        (ColumnKind::Int, Some(ColumnFilter::NumberRange { from, to })) => FilterDraft::Numbers {
            mode: NumberMode::Range,
            list: ListDraft::default(),
            from: id(from),
            to: id(to),
        },
        (ColumnKind::Int, _) => FilterDraft::Numbers {
            mode: NumberMode::Values,
            list: ListDraft::default(),
            from: String::new(),
            to: String::new(),
        },
        _ => FilterDraft::List(ListDraft::default()),
    }
}

impl FollowupsApp {
    /// Opens the filter popup of `column`, or closes it when it is the open one. A column with
    /// a checklist starts computing its distinct values in the background.
    pub(super) fn toggle_column_filter(&mut self, ctx: &egui::Context, column: Column) {
        let was_open = self
            .column_filters
            .popup
            .as_ref()
            .is_some_and(|p| p.column == column);
        self.close_column_filter(None);
        if was_open {
            return;
        }
        let state = &mut self.column_filters;
        state.generation += 1;
        let draft = initial_draft(column, state.active.get(column));
        let needs_list = draft.list().is_some() || matches!(draft, FilterDraft::Numbers { .. });
        state.popup = Some(FilterPopup {
            column,
            draft,
            focus_pending: true,
            generation: state.generation,
        });
        if needs_list {
            self.start_column_values(ctx);
        }
    }

    /// Closes the popup (only if it shows `column`, when given), cancelling its work.
    pub(super) fn close_column_filter(&mut self, column: Option<Column>) {
        let state = &mut self.column_filters;
        if column.is_some_and(|c| state.popup.as_ref().is_none_or(|p| p.column != c)) {
            return;
        }
        state.popup = None;
        if let Some(task) = state.list_task.take() {
            task.cancel();
        }
        if let Some(task) = state.search_task.take() {
            task.cancel();
        }
    }

    /// Computes the open popup's distinct values off the UI thread (over the rows the other
    /// filters leave), cancelling a computation for an older popup.
    fn start_column_values(&mut self, ctx: &egui::Context) {
        let Some(popup) = &self.column_filters.popup else {
            return;
        };
        let column = popup.column;
        let generation = popup.generation;
        if let Some(old) = self.column_filters.list_task.take() {
            old.cancel();
        }
        let request = self.results.request_view(self.desired_view());
        let current = request.spec().columns.get(column).cloned();
        let cancel = Arc::new(AtomicBool::new(false));
        let promise = {
            let cancel = Arc::clone(&cancel);
            tasks::spawn(ctx, "column-values", move || {
                let values = request.distinct_values(column, &cancel)?;
                let checked = values
                    .values
                    .iter()
                    .map(|value| {
                        current
                            .as_ref()
                            .is_none_or(|filter| filter.keeps(column, &value.key))
                    })
                    .collect();
                Ok((values, checked))
            })
        };
        self.column_filters.list_task = Some(PopupTask {
            generation,
            cancel,
            promise: Some(promise),
        });
    }

    /// The popup's search text changed: shows the matching values (searched here for short
    /// lists, in the background for long ones).
    pub(super) fn search_column_values(&mut self, ctx: &egui::Context) {
        let state = &mut self.column_filters;
        if let Some(old) = state.search_task.take() {
            old.cancel();
        }
        let Some(popup) = &mut state.popup else {
            return;
        };
        let generation = popup.generation;
        let list = match &mut popup.draft {
            FilterDraft::List(list) | FilterDraft::Numbers { list, .. } => list,
            _ => return,
        };
        let Some(values) = list.values.clone() else {
            return;
        };
        let query = list.search.clone();
        if values.values.len() <= SEARCH_INLINE_MAX || query.trim().is_empty() {
            let never = AtomicBool::new(false);
            list.shown = values.search(&query, &never).ok().map(Arc::new);
            return;
        }
        list.shown = None;
        let cancel = Arc::new(AtomicBool::new(false));
        let promise = {
            let cancel = Arc::clone(&cancel);
            tasks::spawn(ctx, "column-values-search", move || {
                values.search(&query, &cancel)
            })
        };
        state.search_task = Some(PopupTask {
            generation,
            cancel,
            promise: Some(promise),
        });
    }

    /// OK in the popup: applies its draft to its column (a long checklist is turned into a
    /// filter in the background) and closes it. Does nothing while the draft is invalid.
    pub(super) fn apply_column_filter(&mut self, ctx: &egui::Context) {
        let Some(popup) = &self.column_filters.popup else {
            return;
        };
        let column = popup.column;
        match popup.draft.list() {
            Some(list) => {
                if list.blocker().is_some() {
                    return;
                }
                let (Some(values), Some(shown)) = (list.values.clone(), list.shown.clone()) else {
                    return;
                };
                let searching = !list.search.trim().is_empty();
                let checked = list.checked.clone();
                let everything = !searching && list.checked_count == checked.len();
                if let Some((_, old)) = self.column_filters.build_task.take() {
                    old.cancel();
                }
                let cancel = Arc::new(AtomicBool::new(false));
                let promise = tasks::spawn(ctx, "column-filter-build", move || {
                    let shown = searching.then_some(&*shown);
                    Ok::<_, Cancelled>(build_from_list(
                        column, &values, &checked, shown, everything,
                    ))
                });
                self.column_filters.build_task = Some((
                    column,
                    PopupTask {
                        generation: 0,
                        cancel,
                        promise: Some(promise),
                    },
                ));
            }
            None => {
                let Ok(filter) = popup.draft.typed_filter() else {
                    return;
                };
                let filter = filter.map(|f| {
                    let chip = chip_for(column, &f);
                    (f, chip)
                });
                self.column_filters.put(column, filter);
                self.refresh_view(ctx);
            }
        }
        self.close_column_filter(None);
    }

    /// Sets `column`'s filter ("Filtrar por este valor") and recomputes the view.
    pub(super) fn set_column_filter(
        &mut self,
        ctx: &egui::Context,
        column: Column,
        filter: ColumnFilter,
    ) {
        let chip = chip_for(column, &filter);
        self.close_column_filter(Some(column));
        self.column_filters.put(column, Some((filter, chip)));
        self.refresh_view(ctx);
    }

    /// "Filtrar por este valor" on a cell: `column`'s filter keeps that cell's value.
    pub(super) fn filter_by_cell(&mut self, ctx: &egui::Context, row: u32, column: Column) {
        let Some(filter) = self
            .results
            .rows()
            .get(row as usize)
            .and_then(|row: &Followup| ColumnFilter::for_cell(row, column))
        else {
            return;
        };
        self.set_column_filter(ctx, column, filter);
    }

    /// Removes `column`'s filter (its chip's ×, "Remover filtro") and recomputes the view.
    pub(super) fn remove_column_filter(&mut self, ctx: &egui::Context, column: Column) {
        self.close_column_filter(Some(column));
        if let Some((pending, task)) = &self.column_filters.build_task
            && *pending == column
        {
            task.cancel();
            self.column_filters.build_task = None;
        }
        self.column_filters.put(column, None);
        self.refresh_view(ctx);
    }

    /// Replaces every column filter (a saved view being recalled) and recomputes the view.
    pub fn replace_column_filters(&mut self, ctx: &egui::Context, filters: ColumnFilters) {
        self.close_column_filter(None);
        if let Some((_, task)) = self.column_filters.build_task.take() {
            task.cancel();
        }
        self.column_filters.chips = filters
            .iter()
            .map(|(column, filter)| chip_for(column, filter))
            .collect();
        self.column_filters.active = filters;
        self.refresh_view(ctx);
    }

    /// Removes every column filter ("Limpar filtros") and recomputes the view.
    pub(super) fn clear_column_filters(&mut self, ctx: &egui::Context) {
        self.close_column_filter(None);
        if let Some((_, task)) = self.column_filters.build_task.take() {
            task.cancel();
        }
        self.column_filters.active.clear();
        self.column_filters.chips.clear();
        self.refresh_view(ctx);
    }

    /// Applies what the popup's background work finished: the list of values, a search over
    /// it, a filter built from a choice.
    pub(super) fn poll_column_filters(&mut self, ctx: &egui::Context) {
        let state = &mut self.column_filters;
        let generation = state.popup.as_ref().map(|p| p.generation);
        let mut list_arrived = false;
        if let Some(task) = &mut state.list_task
            && let Some(outcome) = tasks::take_ready(&mut task.promise)
        {
            let current = Some(task.generation) == generation;
            state.list_task = None;
            if current
                && let Ok(Ok((values, checked))) = outcome
                && let Some(list) = state.popup.as_mut().and_then(|p| match &mut p.draft {
                    FilterDraft::List(list) | FilterDraft::Numbers { list, .. } => Some(list),
                    _ => None,
                })
            {
                list.checked_count = checked.iter().filter(|&&c| c).count();
                list.checked = checked;
                list.values = Some(Arc::new(values));
                list.shown = None;
                list_arrived = true;
            }
        }
        if list_arrived {
            self.search_column_values(ctx);
        }
        let state = &mut self.column_filters;
        if let Some(task) = &mut state.search_task
            && let Some(outcome) = tasks::take_ready(&mut task.promise)
        {
            let current = Some(task.generation) == generation;
            state.search_task = None;
            if current
                && let Ok(Ok(shown)) = outcome
                && let Some(list) = state.popup.as_mut().and_then(|p| match &mut p.draft {
                    FilterDraft::List(list) | FilterDraft::Numbers { list, .. } => Some(list),
                    _ => None,
                })
            {
                list.shown = Some(Arc::new(shown));
            }
        }
        if let Some((column, task)) = &mut state.build_task
            && let Some(outcome) = tasks::take_ready(&mut task.promise)
        {
            let column = *column;
            state.build_task = None;
            if let Ok(Ok(built)) = outcome {
                state.put(column, built);
                self.refresh_view(ctx);
            }
        }
    }
}

/// The filter a ticked checklist makes: the ticked values (among those the search shows, when
/// searching), or `None` when every value is ticked without a search (no filter, like Excel).
fn build_from_list(
    column: Column,
    values: &DistinctValues,
    checked: &[bool],
    shown: Option<&Vec<u32>>,
    everything: bool,
) -> BuiltFilter {
    if everything {
        return None;
    }
    let ticked = |position: usize| checked.get(position).copied().unwrap_or(false);
    let keys: Vec<_> = match shown {
        Some(shown) => shown
            .iter()
            .map(|&p| p as usize)
            .filter(|&p| ticked(p))
            .filter_map(|p| values.values.get(p))
            .map(|value| &value.key)
            .collect(),
        None => values
            .values
            .iter()
            .enumerate()
            .filter(|(p, _)| ticked(*p))
            .map(|(_, value)| &value.key)
            .collect(),
    };
    let filter = ColumnFilter::from_keys(column, keys)?;
    let chip = chip_for(column, &filter);
    Some((filter, chip))
}
