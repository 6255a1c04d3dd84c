//! Column filters (AutoFilter): the filters in force, the open filter popup and its background
//! list of distinct values.

use crate::results::ColumnFilters;

/// The column filters' state.
#[derive(Default)]
pub struct ColumnFiltersState {
    /// The filters in force. They outlive a new search (like Excel's AutoFilter on a refresh)
    /// and show as chips above the table, so nothing hides rows silently.
    pub active: ColumnFilters,
}

impl ColumnFiltersState {
    /// Whether background work runs.
    pub fn busy(&self) -> bool {
        false
    }
}
