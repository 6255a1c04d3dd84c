//! The "Resumo" view's state and work: the summaries of the rows on screen, computed off the
//! UI thread whenever the view is shown and the installed view (quick filter and column
//! filters), the rows or the grouping changed; the group table's sort; "Copiar"; and a click
//! on a group or a bar, which filters the table to that group's rows.
//!
//! While a batch streams rows in, the summary is recomputed at most every
//! [`STREAM_REFRESH`]: the wait is a repaint requested for later (`request_repaint_after`),
//! never a sleep. A summary of an older request is dropped when it ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use poll_promise::Promise;

use super::super::tasks::{self, TaskPanicked};
use super::{FollowupsApp, ResultsView};
use crate::analysis::summary::{Dimension, Summary, SummaryColumn, sorted_groups, summarize};
use crate::results::{Cancelled, ColumnFilters, Rows};

/// While rows stream in, the summary is recomputed at most this often.
pub const STREAM_REFRESH: Duration = Duration::from_millis(500);

/// Spans of up to this many days are charted by day.
pub const CHART_DAYS_MAX: i64 = 62;

/// Spans of up to this many days are charted by week; longer ones by month.
pub const CHART_WEEKS_MAX: i64 = 366;

/// How many groups the top chart shows.
pub const TOP_GROUPS: usize = 15;

/// The grouping of a new window (and of a saved value no longer known).
pub const DEFAULT_DIMENSION: Dimension = Dimension::Consultor;

/// The time chart's period for rows dated from `first` to `last`: days up to
/// [`CHART_DAYS_MAX`] days, weeks up to [`CHART_WEEKS_MAX`], months beyond; `None` without
/// dates.
pub fn time_dimension(first: Option<NaiveDate>, last: Option<NaiveDate>) -> Option<Dimension> {
    let days = last?.signed_duration_since(first?).num_days();
    Some(if days <= CHART_DAYS_MAX {
        Dimension::Dia
    } else if days <= CHART_WEEKS_MAX {
        Dimension::Semana
    } else {
        Dimension::Mes
    })
}

/// Which of the panel's summaries a group belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SummarySource {
    /// The group table (and its top-15 chart).
    Groups,
    /// The time chart.
    Time,
    /// The channel chart.
    Channels,
}

/// What the user asked of the "Resumo" view (queued as [`super::Command::Summary`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SummaryAction {
    /// Group by another dimension ("Agrupar por").
    GroupBy(Dimension),
    /// Sort the group table by a column (ascending, then descending on the next click; counts
    /// start descending).
    SortBy(SummaryColumn),
    /// Copy the group table as TSV ("Copiar"), in the order on screen.
    Copy,
    /// Show this group's rows in the table: its column filters replace those on the same
    /// columns, the others stay, and the table view is shown.
    ShowGroup {
        /// The summary the group belongs to.
        source: SummarySource,
        /// Its position in that summary's `groups`.
        group: usize,
    },
}

/// The summaries the panel draws, computed together on one task.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryBundle {
    /// By the chosen dimension: the group table and the top-15 chart.
    pub groups: Summary,
    /// By day, week or month (see [`time_dimension`]): the time chart; `None` when no row
    /// has a date.
    pub time: Option<Summary>,
    /// By channel: the channel chart.
    pub channels: Summary,
    /// The positions in `groups.groups` of the top chart's groups: the most follow-ups first
    /// (ties in the summary's order), at most [`TOP_GROUPS`].
    pub top: Vec<u32>,
}

impl SummaryBundle {
    /// The summary a click came from.
    pub fn source(&self, source: SummarySource) -> Option<&Summary> {
        match source {
            SummarySource::Groups => Some(&self.groups),
            SummarySource::Time => self.time.as_ref(),
            SummarySource::Channels => Some(&self.channels),
        }
    }
}

/// What a summary was computed for: the result set, how many rows it had, the installed
/// view's filters and row count, and the grouping.
#[derive(Clone, Debug, PartialEq)]
struct SummaryKey {
    set_id: u64,
    rows: usize,
    shown: usize,
    filter: String,
    columns: ColumnFilters,
    dimension: Dimension,
}

impl SummaryKey {
    /// Whether `other` asks the same question of a result set that only grew (rows streaming
    /// in): such a refresh waits for [`STREAM_REFRESH`].
    fn same_question(&self, other: &SummaryKey) -> bool {
        self.set_id == other.set_id
            && self.filter == other.filter
            && self.columns == other.columns
            && self.dimension == other.dimension
    }
}

type SummaryOutcome = Result<Result<SummaryBundle, Cancelled>, TaskPanicked>;

/// A summary computing in the background.
struct SummaryTask {
    key: SummaryKey,
    cancel: Arc<AtomicBool>,
    promise: Option<Promise<SummaryOutcome>>,
}

/// The group table's sort computing in the background.
struct SortTask {
    bundle: Arc<SummaryBundle>,
    sort: (SummaryColumn, bool),
    promise: Option<Promise<Result<Vec<u32>, TaskPanicked>>>,
}

/// The "Resumo" view's state.
#[derive(Default)]
pub struct SummaryUiState {
    /// The summaries on screen, if any has been computed.
    pub current: Option<Arc<SummaryBundle>>,
    /// The group table's order (positions in `current.groups.groups`); `None`: the summary's
    /// own order (follow-ups descending, periods by date).
    pub order: Option<Arc<Vec<u32>>>,
    /// The group table's sort: the column and whether it is descending.
    pub sort: Option<(SummaryColumn, bool)>,
    /// The outcome of the last "Copiar", shown beside the button.
    pub message: Option<String>,
    current_key: Option<SummaryKey>,
    task: Option<SummaryTask>,
    last_start: Option<Instant>,
    sort_task: Option<SortTask>,
    copy_task: Option<Promise<Result<String, TaskPanicked>>>,
}

impl SummaryUiState {
    /// Whether a summary, a sort or a copy is being computed.
    pub fn busy(&self) -> bool {
        self.task.is_some() || self.sort_task.is_some() || self.copy_task.is_some()
    }

    /// Whether the summary on screen is being recomputed (or the first one computed).
    pub fn computing(&self) -> bool {
        self.task.is_some()
    }

    /// Whether the group table's sort is being computed.
    pub fn sorting(&self) -> bool {
        self.sort_task.is_some()
    }

    /// Stops the summary being computed (the window closes).
    pub(super) fn cancel(&self) {
        if let Some(task) = &self.task {
            task.cancel.store(true, Ordering::SeqCst);
        }
    }

    /// Forgets the summary being computed, stopping it.
    fn drop_task(&mut self) {
        if let Some(task) = self.task.take() {
            task.cancel.store(true, Ordering::SeqCst);
        }
    }
}

impl FollowupsApp {
    /// The grouping of the "Resumo" view.
    pub fn summary_dimension(&self) -> Dimension {
        Dimension::from_cli_name(&self.persisted.summary_by).unwrap_or(DEFAULT_DIMENSION)
    }

    /// Runs an action of the "Resumo" view.
    pub(super) fn run_summary_action(&mut self, ctx: &egui::Context, action: SummaryAction) {
        match action {
            SummaryAction::GroupBy(dimension) => {
                self.persisted.summary_by = dimension.cli_name().to_owned();
                // The table's sort applies to the groups of the old grouping only.
                self.summary.sort = None;
                self.summary.order = None;
                self.summary.sort_task = None;
                self.start_summary_if_due(ctx);
            }
            SummaryAction::SortBy(column) => {
                let descending = match self.summary.sort {
                    Some((current, descending)) if current == column => !descending,
                    // Counts and dates read best largest or latest first; names A to Z.
                    _ => !matches!(column, SummaryColumn::Grupo | SummaryColumn::Codigo),
                };
                self.summary.sort = Some((column, descending));
                self.start_summary_sort(ctx);
            }
            SummaryAction::Copy => self.copy_summary(ctx),
            SummaryAction::ShowGroup { source, group } => {
                self.show_summary_group(ctx, source, group)
            }
        }
    }

    /// What the summary on screen should be computed for now.
    fn summary_key(&self) -> SummaryKey {
        let spec = self.results.spec();
        SummaryKey {
            set_id: self.results.set_id(),
            rows: self.results.total_count(),
            shown: self.results.view_count(),
            filter: spec.filter.clone(),
            columns: spec.columns.clone(),
            dimension: self.summary_dimension(),
        }
    }

    /// Starts computing the summary when the "Resumo" view is shown and what it summarizes
    /// changed: at once for a new question (grouping, filters, a new search), at most every
    /// [`STREAM_REFRESH`] while rows stream in.
    fn start_summary_if_due(&mut self, ctx: &egui::Context) {
        if self.persisted.results_view != ResultsView::Resumo {
            return;
        }
        // A new view is being computed for other filters: its installation changes the key.
        let desired = self.desired_view();
        let installed = self.results.spec();
        if desired.filter != installed.filter || desired.columns != installed.columns {
            return;
        }
        let key = self.summary_key();
        if self.summary.current_key.as_ref() == Some(&key) {
            return;
        }
        if let Some(task) = &self.summary.task {
            if task.key == key {
                return;
            }
            if task.key.same_question(&key) {
                // More rows arrived: let the running summary end, then refresh.
                return;
            }
        }
        let streaming = self
            .summary
            .current_key
            .as_ref()
            .is_some_and(|current| current.same_question(&key));
        if streaming && let Some(started) = self.summary.last_start {
            let waited = started.elapsed();
            if waited < STREAM_REFRESH {
                ctx.request_repaint_after(STREAM_REFRESH - waited);
                return;
            }
        }
        self.summary.drop_task();
        let rows = self.results.rows().clone();
        // An unfiltered view covers every row: the task numbers them itself instead of the UI
        // thread copying a million indices.
        let indices =
            if key.shown == key.rows && key.filter.trim().is_empty() && key.columns.is_empty() {
                None
            } else {
                Some(self.results.view_indices().to_vec())
            };
        let dimension = key.dimension;
        let cancel = Arc::new(AtomicBool::new(false));
        let promise = {
            let cancel = Arc::clone(&cancel);
            tasks::spawn(ctx, "summary", move || {
                compute_bundle(&rows, indices, dimension, &cancel)
            })
        };
        self.summary.task = Some(SummaryTask {
            key,
            cancel,
            promise: Some(promise),
        });
        self.summary.last_start = Some(Instant::now());
    }

    /// Applies a finished summary, sort or copy, and starts the summary when it is due. Called
    /// every frame.
    pub(super) fn poll_summary(&mut self, ctx: &egui::Context) {
        if let Some(task) = &mut self.summary.task
            && let Some(outcome) = tasks::take_ready(&mut task.promise)
        {
            let key = task.key.clone();
            self.summary.task = None;
            if let Ok(Ok(bundle)) = outcome {
                // A summary of another question is stale; a summary of fewer streamed rows
                // is still the best there is until the refresh ends.
                let current = self.summary_key();
                if key == current || key.same_question(&current) {
                    // The replaced summary (up to one group per row) is freed off the
                    // UI thread.
                    let old = self.summary.current.replace(Arc::new(bundle));
                    let old_order = self.summary.order.take();
                    tasks::drop_off_thread((old, old_order));
                    self.summary.current_key = Some(key);
                    if self.summary.sort.is_some() {
                        self.start_summary_sort(ctx);
                    }
                }
            }
        }
        if let Some(task) = &mut self.summary.sort_task
            && let Some(outcome) = tasks::take_ready(&mut task.promise)
        {
            let same_bundle = self
                .summary
                .current
                .as_ref()
                .is_some_and(|current| Arc::ptr_eq(current, &task.bundle));
            let same_sort = self.summary.sort == Some(task.sort);
            self.summary.sort_task = None;
            if let Ok(order) = outcome
                && same_bundle
                && same_sort
            {
                self.summary.order = Some(Arc::new(order));
            }
        }
        if let Some(outcome) = tasks::take_ready(&mut self.summary.copy_task) {
            self.summary.message = Some(match outcome {
                Ok(text) => {
                    ctx.copy_text(text);
                    "Resumo copiado".to_owned()
                }
                Err(panicked) => format!("A cópia falhou ({panicked})."),
            });
        }
        self.start_summary_if_due(ctx);
    }

    /// Sorts the group table on a task (a summary by debtor or day can have 100,000 groups).
    fn start_summary_sort(&mut self, ctx: &egui::Context) {
        let (Some(bundle), Some(sort)) = (self.summary.current.clone(), self.summary.sort) else {
            return;
        };
        let promise = {
            let bundle = Arc::clone(&bundle);
            tasks::spawn(ctx, "summary-sort", move || {
                sorted_groups(&bundle.groups, sort.0, sort.1)
            })
        };
        self.summary.sort_task = Some(SortTask {
            bundle,
            sort,
            promise: Some(promise),
        });
    }

    /// Shows a group's rows in the table: its filters replace those on the same columns.
    fn show_summary_group(&mut self, ctx: &egui::Context, source: SummarySource, group: usize) {
        let Some(bundle) = self.summary.current.clone() else {
            return;
        };
        let Some(summary) = bundle.source(source) else {
            return;
        };
        let Some(group) = summary.groups.get(group) else {
            return;
        };
        let mut filters = self.column_filters.active.clone();
        for (column, filter) in group.filters(summary.dimension) {
            filters.set(column, filter);
        }
        self.replace_column_filters(ctx, filters);
        self.show_view(ResultsView::Tabela);
    }
    /// Copies the group table, in the order on screen, as TSV; built on a task.
    fn copy_summary(&mut self, ctx: &egui::Context) {
        let Some(bundle) = self.summary.current.clone() else {
            self.summary.message = Some("Nenhum resumo para copiar ainda.".to_owned());
            return;
        };
        if self.summary.copy_task.is_some() {
            return;
        }
        let order = self.summary.order.clone();
        self.summary.message = None;
        self.summary.copy_task = Some(tasks::spawn(ctx, "summary-copy", move || {
            let summary = match order {
                Some(order) => in_order(&bundle.groups, &order),
                None => bundle.groups.clone(),
            };
            crate::export::summary::summary_tsv(&summary)
        }));
    }
}

/// `summary` with its groups in `order` (positions out of range are skipped).
fn in_order(summary: &Summary, order: &[u32]) -> Summary {
    Summary {
        dimension: summary.dimension,
        groups: order
            .iter()
            .filter_map(|&position| summary.groups.get(position as usize).cloned())
            .collect(),
        total: summary.total.clone(),
    }
}

/// The worker of a summary: the chosen grouping, then the time and channel charts' own
/// summaries (reusing the first when it is one of them).
fn compute_bundle(
    rows: &Rows,
    indices: Option<Vec<u32>>,
    dimension: Dimension,
    cancel: &AtomicBool,
) -> Result<SummaryBundle, Cancelled> {
    let indices = indices.unwrap_or_else(|| {
        // A result set holds at most `u32::MAX` rows (`Rows::MAX_LEN`).
        (0..u32::try_from(rows.len()).unwrap_or(u32::MAX)).collect()
    });
    let groups = summarize(rows, &indices, dimension, cancel)?;
    let time = match time_dimension(groups.total.primeira_data, groups.total.ultima_data) {
        None => None,
        Some(period) if period == dimension => Some(groups.clone()),
        Some(period) => Some(summarize(rows, &indices, period, cancel)?),
    };
    let channels = if dimension == Dimension::Canal {
        groups.clone()
    } else {
        summarize(rows, &indices, Dimension::Canal, cancel)?
    };
    let top = top_groups(&groups, cancel)?;
    Ok(SummaryBundle {
        groups,
        time,
        channels,
        top,
    })
}

/// The positions of the [`TOP_GROUPS`] groups with the most follow-ups, most first; ties keep
/// the summary's order. Groups are already in that order except by period (by date).
fn top_groups(summary: &Summary, cancel: &AtomicBool) -> Result<Vec<u32>, Cancelled> {
    let count = u32::try_from(summary.groups.len()).unwrap_or(u32::MAX);
    if !summary.dimension.is_period() {
        return Ok((0..count).take(TOP_GROUPS).collect());
    }
    let mut positions: Vec<u32> = (0..count).collect();
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    let follow_ups = |position: &u32| {
        summary
            .groups
            .get(*position as usize)
            .map_or(0, |group| group.counts.follow_ups)
    };
    // Stable: equal counts stay in date order.
    positions.sort_by_key(|position| std::cmp::Reverse(follow_ups(position)));
    positions.truncate(TOP_GROUPS);
    Ok(positions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_time_chart_period_follows_the_span() {
        assert_eq!(time_dimension(None, None), None);
        assert_eq!(time_dimension(Some(day(2024, 1, 1)), None), None);
        let first = day(2024, 1, 1);
        assert_eq!(
            time_dimension(Some(first), Some(first)),
            Some(Dimension::Dia)
        );
        assert_eq!(
            time_dimension(Some(first), Some(day(2024, 3, 3))),
            Some(Dimension::Dia)
        );
        assert_eq!(
            time_dimension(Some(first), Some(day(2024, 3, 4))),
            Some(Dimension::Semana)
        );
        assert_eq!(
            time_dimension(Some(first), Some(day(2025, 1, 1))),
            Some(Dimension::Semana)
        );
        assert_eq!(
            time_dimension(Some(first), Some(day(2025, 1, 2))),
            Some(Dimension::Mes)
        );
        // The widest dates a row can carry do not overflow.
        assert_eq!(
            time_dimension(Some(NaiveDate::MIN), Some(NaiveDate::MAX)),
            Some(Dimension::Mes)
        );
    }
}
