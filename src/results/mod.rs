//! The in-memory result set: the rows, and a view of them (quick filter and column filters,
//! then sort) that the table and the exports read.
//!
//! The expensive work is pure and runs anywhere: [`compute_view`] (or
//! [`ViewRequest::compute`]) filters and sorts a cheap [`Rows`] snapshot, checking a cancel
//! flag as it goes; the UI thread then installs the result with [`ResultSet::install_view`].
//!
//! Sorting by `interacao` (long free text) is fast only once the set's sort keys for it are
//! built: call [`ResultSet::prepare_sort_keys`] (or [`ViewRequest::prepare_sort_keys`]) off the
//! UI thread when rows arrive.
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! use recuperador_followups::api::{Column, Followup};
//! use recuperador_followups::results::{ResultSet, SortSpec, ViewSpec};
//!
//! let mut set = ResultSet::from_rows(vec![Followup::default(); 3]);
//! // On the UI thread: ask for a view. The request owns what it needs and is `Send`.
//! let request = set.request_view(ViewSpec {
//!     sort: Some(SortSpec { column: Column::NomeCliente, descending: false }),
//!     filter: String::new(),
//!     ..ViewSpec::default()
//! });
//! // On a background thread: compute it (a superseded request is cancelled with the flag).
//! let cancel = AtomicBool::new(false);
//! let view = request.compute(&cancel).expect("not cancelled");
//! // Back on the UI thread: install it.
//! set.install_view(view).expect("fresh view");
//! assert_eq!(set.view_count(), 3);
//! ```

mod column_filter;
mod filter;
mod fold;
pub(crate) mod hash;
mod layout;
pub(crate) mod parallel;
pub(crate) mod ptr_memo;
mod rank;
mod rows;
mod selection;
mod sort;
mod text_order;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub use column_filter::{
    BLANK_LABEL, ColumnFilter, ColumnFilterEntry, ColumnFilters, DistinctKey, DistinctValue,
    DistinctValues, distinct_values, key_label, value_key,
};
pub use filter::filter_indices;
pub use fold::{fold, fold_into};
pub use layout::{
    ColumnOrder, DEFAULT_COLUMN_ORDER, PERSONAL_COLUMNS, SavedView, SavedViews, TableLayout,
    VIEW_NAME_MAX_CHARS, ViewNameError, personal_filters_notice,
};
pub use rows::Rows;
pub use selection::{Motion, Selection};
pub use sort::sort_indices;

use crate::api::{Column, Followup};
pub(crate) use column_filter::{CompiledFilters, string_key};
use column_filter::{ListRankCache, distinct_values_with};
use hash::FxHashSet;
use rank::TextRankCache;
pub(crate) use text_order::common_prefix;

/// How the view is sorted: by one column, ascending or descending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SortSpec {
    /// The column to sort by.
    pub column: Column,
    /// Largest first (empty values still go last).
    pub descending: bool,
}

/// What the view shows: the rows matching the quick filter and every column filter, in sort
/// order (arrival order when `sort` is `None`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ViewSpec {
    /// The sort, if any.
    pub sort: Option<SortSpec>,
    /// The quick-filter text (blank: every row).
    pub filter: String,
    /// The column filters (empty: none).
    pub columns: ColumnFilters,
}

/// The computation was stopped by its cancel flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the view computation was cancelled")]
pub struct Cancelled;

/// Why [`ResultSet::install_view`] refused a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StaleView {
    /// The view was computed for another result set.
    #[error("the view belongs to another result set")]
    OtherResultSet,
    /// A view computed over more rows is already installed.
    #[error("a view over more rows ({installed}) is installed than this one's ({computed})")]
    Superseded {
        /// Rows the installed view covers.
        installed: usize,
        /// Rows the refused view covers.
        computed: usize,
    },
}

/// A computed view, ready for [`ResultSet::install_view`].
#[derive(Clone, Debug)]
pub struct View {
    set_id: u64,
    spec: ViewSpec,
    row_count: usize,
    indices: Vec<u32>,
}

impl View {
    /// What the view shows.
    pub fn spec(&self) -> &ViewSpec {
        &self.spec
    }

    /// How many rows the result set had when the view was computed.
    pub fn row_count(&self) -> usize {
        self.row_count
    }

    /// Row indices in view order.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }
}

/// Everything a background thread needs to compute a view: a snapshot of the rows and the spec.
#[derive(Clone, Debug)]
pub struct ViewRequest {
    set_id: u64,
    rows: Rows,
    spec: ViewSpec,
    text_ranks: Arc<TextRankCache>,
    list_ranks: Arc<ListRankCache>,
}

impl ViewRequest {
    /// The view asked for.
    pub fn spec(&self) -> &ViewSpec {
        &self.spec
    }

    /// The rows snapshot.
    pub fn rows(&self) -> &Rows {
        &self.rows
    }

    /// Filters and sorts (see [`compute_view`]). Meant for a background thread.
    ///
    /// Sorting by `interacao` uses the result set's cached sort keys (see
    /// [`ResultSet::prepare_sort_keys`]). When they are missing or stale and the view shows at
    /// least a quarter of the rows, this builds and caches them first (about the cost of one
    /// uncached sort); smaller views are sorted directly.
    pub fn compute(&self, cancel: &AtomicBool) -> Result<View, Cancelled> {
        let indices = compute_view_with(&self.rows, &self.spec, Some(&self.text_ranks), cancel)?;
        Ok(View {
            set_id: self.set_id,
            spec: self.spec.clone(),
            row_count: self.rows.len(),
            indices,
        })
    }

    /// Builds the result set's cached sort keys for this request's rows if they are missing or
    /// stale (see [`ResultSet::prepare_sort_keys`]); the request's own [`Self::compute`] and
    /// every later request of the same set then use them. Meant for a background thread.
    pub fn prepare_sort_keys(&self, cancel: &AtomicBool) -> Result<(), Cancelled> {
        self.text_ranks.get_or_build(&self.rows, cancel).map(drop)
    }

    /// The distinct values of `column` with their counts over this request's rows that pass
    /// its spec's quick filter and other columns' filters (see [`distinct_values`]), the same
    /// list. For a text or code column it goes through the result set's cached, sorted list of
    /// the column's values (built on the first use, about the cost of one uncached list, 4
    /// bytes per row; see [`Self::prepare_lists`]), so later lists of the same column only
    /// count. Meant for a background thread.
    pub fn distinct_values(
        &self,
        column: Column,
        cancel: &AtomicBool,
    ) -> Result<DistinctValues, Cancelled> {
        distinct_values_with(
            &self.rows,
            &self.spec,
            column,
            Some(&self.list_ranks),
            cancel,
        )
    }

    /// Builds the result set's cached lists of the text `columns`' values for this request's
    /// rows where they are missing or stale, so that their filter lists open in tens of
    /// milliseconds. Meant for a background thread, after the rows arrive.
    pub fn prepare_lists(&self, columns: &[Column], cancel: &AtomicBool) -> Result<(), Cancelled> {
        for &column in columns {
            if let Some(built) = self.list_ranks.get_or_build(&self.rows, column, cancel) {
                built?;
            }
        }
        Ok(())
    }

    /// Whether the cached sort keys of `interacao` cover this request's rows.
    pub fn sort_keys_ready(&self) -> bool {
        self.text_ranks.cached(&self.rows).is_some()
    }

    /// Whether the cached list of `column`'s values covers this request's rows.
    pub fn list_ready(&self, column: Column) -> bool {
        self.list_ranks.is_ready(&self.rows, column)
    }
}

/// The row indices of the view `spec` over `rows`: the rows matching the quick filter (see
/// [`filter_indices`]) and every column filter (see [`ColumnFilter`]), sorted by
/// [`sort_indices`] when `spec.sort` is set.
///
/// Pure and thread-safe; uses the machine's cores. Returns [`Cancelled`] soon after `cancel` is
/// set (checked every few thousand rows).
pub fn compute_view(
    rows: &Rows,
    spec: &ViewSpec,
    cancel: &AtomicBool,
) -> Result<Vec<u32>, Cancelled> {
    compute_view_with(rows, spec, None, cancel)
}

/// [`compute_view`], sorting `interacao` with the keys of `cache` (built when missing and the
/// view shows at least a quarter of the rows).
fn compute_view_with(
    rows: &Rows,
    spec: &ViewSpec,
    cache: Option<&TextRankCache>,
    cancel: &AtomicBool,
) -> Result<Vec<u32>, Cancelled> {
    let filter = filter::ViewFilter::new(&spec.filter, &spec.columns);
    let filtered = filter::view_filter_indices(rows, &filter, cancel)?;
    let Some(sort) = spec.sort else {
        return Ok(filtered);
    };
    let ranks = match cache {
        Some(cache) if sort.column == Column::Interacao => match cache.cached(rows) {
            Some(ranks) => Some(ranks),
            None if filtered.len() >= rows.len() / 4 => Some(cache.get_or_build(rows, cancel)?),
            None => None,
        },
        _ => None,
    };
    sort::sort_indices_with(rows, &filtered, sort, ranks.as_deref(), cancel)
}

/// Who a debtor is, for counting distinct debtors.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum DebtorKey {
    /// By `id_cliente`.
    Id(i64),
    /// By CPF/CNPJ (normalised), when there is no id.
    Doc(String),
}

/// Identifiers of result sets, so views are installed only where they were computed.
static NEXT_SET_ID: AtomicU64 = AtomicU64::new(1);

/// The rows of a search and the current view of them (quick filter, then sort).
///
/// Rows are appended as batches arrive ([`Self::append`], de-duplicated by `id_followup`) and
/// never removed. The view is a list of row indices; computing it for a million rows takes a
/// few hundred milliseconds, so the UI computes it off its thread (see the module docs) and
/// installs it. Extra memory per row: the view (4 bytes), once a second batch has arrived the
/// set of ids seen (about 18 bytes; see [`Self::append`]) and, once built, the sort keys of
/// `interacao` (4 bytes; see [`Self::prepare_sort_keys`]).
#[derive(Debug)]
pub struct ResultSet {
    id: u64,
    rows: Rows,
    /// The `id_followup`s of the rows, kept from the second appended batch on (see
    /// [`Self::append`]).
    ids: Option<FxHashSet<i64>>,
    debtors: FxHashSet<DebtorKey>,
    view: View,
    /// Sort keys of `interacao`, shared with the view requests.
    text_ranks: Arc<TextRankCache>,
    /// Sorted lists of text columns' values, shared with the view requests.
    list_ranks: Arc<ListRankCache>,
}

impl Default for ResultSet {
    fn default() -> Self {
        ResultSet::new()
    }
}

impl ResultSet {
    /// An empty result set.
    pub fn new() -> ResultSet {
        let id = NEXT_SET_ID.fetch_add(1, Ordering::Relaxed);
        ResultSet {
            id,
            rows: Rows::default(),
            ids: None,
            debtors: FxHashSet::default(),
            view: View {
                set_id: id,
                spec: ViewSpec::default(),
                row_count: 0,
                indices: Vec::new(),
            },
            text_ranks: Arc::default(),
            list_ranks: Arc::default(),
        }
    }

    /// A result set holding `rows` (de-duplicated by `id_followup`), viewed unsorted and
    /// unfiltered.
    pub fn from_rows(rows: impl IntoIterator<Item = Followup>) -> ResultSet {
        let mut set = ResultSet::new();
        set.append(rows);
        set
    }

    /// This result set's identity: a new search makes a new set with a new id, so a value
    /// computed from the rows (the window's summary) knows when it is stale.
    pub fn set_id(&self) -> u64 {
        self.id
    }

    /// All rows, in arrival order. Cloning is a cheap snapshot for a background thread.
    pub fn rows(&self) -> &Rows {
        &self.rows
    }

    /// How many rows the set holds.
    pub fn total_count(&self) -> usize {
        self.rows.len()
    }

    /// How many rows the view shows.
    pub fn view_count(&self) -> usize {
        self.view.indices.len()
    }

    /// How many distinct debtors the rows mention (by `id_cliente`, else by CPF/CNPJ).
    pub fn distinct_debtors(&self) -> usize {
        self.debtors.len()
    }

    /// The row at position `view_index` of the view.
    pub fn row(&self, view_index: usize) -> Option<&Followup> {
        let idx = *self.view.indices.get(view_index)?;
        self.rows.get(idx as usize)
    }

    /// The row indices (arrival order) in view order.
    pub fn view_indices(&self) -> &[u32] {
        &self.view.indices
    }

    /// The rows of the view, in view order.
    pub fn iter_view(&self) -> impl Iterator<Item = &Followup> + '_ {
        self.view
            .indices
            .iter()
            .filter_map(|&idx| self.rows.get(idx as usize))
    }

    /// What the installed view shows.
    pub fn spec(&self) -> &ViewSpec {
        &self.view.spec
    }

    /// The installed view's sort.
    pub fn sort(&self) -> Option<SortSpec> {
        self.view.spec.sort
    }

    /// The installed view's quick-filter text.
    pub fn filter_text(&self) -> &str {
        &self.view.spec.filter
    }

    /// The installed view's column filters.
    pub fn column_filters(&self) -> &ColumnFilters {
        &self.view.spec.columns
    }

    /// Whether the view covers every row. It does not after [`Self::append`] while sorted:
    /// compute and install a new view.
    pub fn view_is_current(&self) -> bool {
        self.view.row_count == self.rows.len()
    }

    /// A request to compute the view `spec` over the current rows, to send to a background
    /// thread.
    pub fn request_view(&self, spec: ViewSpec) -> ViewRequest {
        ViewRequest {
            set_id: self.id,
            rows: self.rows.clone(),
            spec,
            text_ranks: Arc::clone(&self.text_ranks),
            list_ranks: Arc::clone(&self.list_ranks),
        }
    }

    /// Builds the cached sort keys of `interacao` for the current rows, unless they are
    /// already built, so that sorting by it later (any filter, either direction) takes tens of
    /// milliseconds instead of about a second at a million rows.
    ///
    /// Costs about one uncached sort by `interacao` (around a second at a million rows, using
    /// the machine's cores) and 4 bytes per row, kept as long as the set. Call it off the UI
    /// thread right after rows arrive, where the set is built, or through
    /// [`ViewRequest::prepare_sort_keys`] when the set lives on the UI thread. Rows appended
    /// later make the keys stale: the next call (or the next sort of a large view by
    /// `interacao`) rebuilds them. Returns [`Cancelled`] soon after `cancel` is set, caching
    /// nothing.
    pub fn prepare_sort_keys(&self, cancel: &AtomicBool) -> Result<(), Cancelled> {
        self.text_ranks.get_or_build(&self.rows, cancel).map(drop)
    }

    /// Whether the cached sort keys of `interacao` cover the current rows (see
    /// [`Self::prepare_sort_keys`]).
    pub fn sort_keys_ready(&self) -> bool {
        self.text_ranks.cached(&self.rows).is_some()
    }

    /// Installs a view computed from [`Self::request_view`]. Refuses views of another result
    /// set and views of the installed spec over fewer rows than the installed one (a late
    /// answer to an old request). A view of another spec over fewer rows than the set now
    /// holds installs (rows were appended while it was computed, and the installed view was
    /// extended meanwhile); [`Self::view_is_current`] then says a refresh is due.
    pub fn install_view(&mut self, view: View) -> Result<(), StaleView> {
        if view.set_id != self.id {
            return Err(StaleView::OtherResultSet);
        }
        let older_same = view.spec == self.view.spec && view.row_count < self.view.row_count;
        if older_same || view.row_count > self.rows.len() {
            return Err(StaleView::Superseded {
                installed: self.view.row_count,
                computed: view.row_count,
            });
        }
        self.view = view;
        Ok(())
    }

    /// Computes and installs the view `spec` on this thread. Fine for small sets and tests; for
    /// large sets use [`Self::request_view`] on a background thread.
    pub fn set_view(&mut self, spec: ViewSpec) {
        let never = AtomicBool::new(false);
        if let Ok(view) = self.request_view(spec).compute(&never) {
            self.view = view;
        }
    }

    /// Recomputes the installed view's spec over all rows on this thread (see [`Self::set_view`]).
    pub fn refresh(&mut self) {
        self.set_view(self.view.spec.clone());
    }

    /// Adds rows, skipping those whose `id_followup` is already present (rows without an id are
    /// always added). Returns how many rows were added.
    ///
    /// When the view is unsorted and current, the new rows that pass the quick filter and every
    /// column filter are added to it at once (cost proportional to the batch). When it is sorted, the view is left as it
    /// was and [`Self::view_is_current`] turns `false`: compute a new view (in the background).
    ///
    /// Repeats are found with a set of the ids. A search's whole answer arrives as one batch
    /// into an empty set: its set is dropped afterwards (about 18 bytes a row, 19 MB for a
    /// million rows). The set is rebuilt from the rows when a second batch arrives (the
    /// documents of a batch search, one by one) and kept from then on.
    pub fn append(&mut self, rows: impl IntoIterator<Item = Followup>) -> usize {
        let before = self.rows.len();
        let rows = rows.into_iter();
        self.rows.reserve(rows.size_hint().0);
        let mut ids = self.ids.take().unwrap_or_else(|| {
            self.rows
                .iter()
                .filter_map(Followup::id_followup)
                .collect::<FxHashSet<i64>>()
        });
        for row in rows {
            if let Some(id) = row.id_followup()
                && !ids.insert(id)
            {
                continue;
            }
            let debtor = match (&row.id_cliente(), &row.cpf_cnpj()) {
                (Some(id), _) => Some(DebtorKey::Id(*id)),
                (None, Some(doc)) => Some(DebtorKey::Doc(fold::doc_key(doc))),
                (None, None) => None,
            };
            if !self.rows.push(row) {
                break;
            }
            if let Some(key) = debtor {
                self.debtors.insert(key);
            }
        }
        if before > 0 {
            self.ids = Some(ids);
        }
        let added = self.rows.len() - before;
        if added > 0 && self.view.row_count == before && self.view.spec.sort.is_none() {
            let spec = &self.view.spec;
            let filter = filter::ViewFilter::new(&spec.filter, &spec.columns);
            let new = filter::view_filter_range(&self.rows, &filter, before);
            self.view.indices.extend(new);
            self.view.row_count = self.rows.len();
        }
        added
    }
}

#[cfg(test)]
mod tests;
