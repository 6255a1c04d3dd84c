//! Cached sort keys of `interacao`: the rank of every row's folded text among all rows'.
//!
//! Sorting a million long, unique, prefix-sharing texts takes about a second; sorting a million
//! `u32`s takes a few tens of milliseconds. So the texts are sorted once per row set (see
//! [`TextRanks::build`]) and every later sort by `interacao`, in either direction and of any
//! subset of the rows (a filtered view), sorts the ranks instead.
//!
//! Ranks order like the folded texts and equal folded texts get equal ranks, so the row index
//! that breaks ties keeps arrival order in both directions, exactly like the uncached sort.
//! Blank texts have no rank (they go last). Memory: 4 bytes per row.
//!
//! Rows are only ever appended, so a table built over `n` rows is valid for every snapshot of
//! at most `n` rows of the same result set; after an append it no longer covers the rows and
//! is rebuilt on the next use.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use super::Cancelled;
use super::fold::FoldCursor;
use super::parallel::{PAR_CHUNK, par_chunks};
use super::rows::Rows;
use super::text_order::{common_prefix, sort_text_order};

/// The rank of a row whose `interacao` is blank or missing.
const NO_RANK: u32 = u32::MAX;

/// The rank of every row's folded `interacao` among the rows of one snapshot.
pub(crate) struct TextRanks {
    /// Rank per row index; [`NO_RANK`] for blank texts.
    ranks: Box<[u32]>,
}

impl std::fmt::Debug for TextRanks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextRanks")
            .field("row_count", &self.ranks.len())
            .finish()
    }
}

impl TextRanks {
    /// Ranks the texts of all `rows`: one full sort of the texts, then a pass that gives equal
    /// ranks to neighbours whose folded texts are equal.
    pub(crate) fn build(rows: &Rows, cancel: &AtomicBool) -> Result<TextRanks, Cancelled> {
        let all: Vec<u32> = (0..rows.len() as u32).collect();
        let (order, _blank) = sort_text_order(rows, &all, false, cancel)?;
        drop(all);
        let text = |idx: u32| {
            rows.get(idx as usize)
                .and_then(|row| row.interacao())
                .unwrap_or_default()
        };
        // Whether each text's fold equals the one before it, in parallel.
        let parts = par_chunks(
            order.len(),
            PAR_CHUNK,
            cancel,
            || (),
            |_, range| {
                let flags: Vec<bool> = range
                    .map(|n| n > 0 && folded_eq(text(order[n - 1]), text(order[n])))
                    .collect();
                Some(flags)
            },
        )
        .ok_or(Cancelled)?;
        if cancel.load(Ordering::Relaxed) {
            return Err(Cancelled);
        }
        let mut ranks = vec![NO_RANK; rows.len()].into_boxed_slice();
        let mut rank = 0u32;
        for (n, (&idx, same)) in order.iter().zip(parts.iter().flatten()).enumerate() {
            if n > 0 && !same {
                rank += 1;
            }
            if let Some(slot) = ranks.get_mut(idx as usize) {
                *slot = rank;
            }
        }
        Ok(TextRanks { ranks })
    }

    /// How many rows the table covers.
    pub(crate) fn row_count(&self) -> usize {
        self.ranks.len()
    }

    /// Whether the table holds a rank for every row of `rows` (a snapshot of the same set).
    pub(crate) fn covers(&self, rows: &Rows) -> bool {
        self.ranks.len() >= rows.len()
    }

    /// The rank of row `idx`'s text; `None` when it is blank or out of range.
    #[inline]
    pub(crate) fn get(&self, idx: u32) -> Option<u32> {
        self.ranks
            .get(idx as usize)
            .copied()
            .filter(|&r| r != NO_RANK)
    }
}

/// Whether two texts fold to the same bytes. Skips the raw bytes they share first: the fold
/// goes character by character, so equal characters fold equally.
fn folded_eq(a: &str, b: &str) -> bool {
    let mut shared = common_prefix(a.as_bytes(), b.as_bytes());
    while shared > 0 && !a.is_char_boundary(shared) {
        shared -= 1;
    }
    let (Some(a), Some(b)) = (a.get(shared..), b.get(shared..)) else {
        return false;
    };
    let (mut a, mut b) = (FoldCursor::new(a), FoldCursor::new(b));
    loop {
        match (a.next_byte(), b.next_byte()) {
            (None, None) => return true,
            (x, y) if x != y => return false,
            _ => {}
        }
    }
}

/// A table computed from all rows of a snapshot (sort keys, list ranks) that answers for
/// every snapshot of at most as many rows of the same result set.
pub(crate) trait RowTable {
    /// How many rows the table covers.
    fn row_count(&self) -> usize;
}

impl RowTable for TextRanks {
    fn row_count(&self) -> usize {
        TextRanks::row_count(self)
    }
}

/// A table of a result set, shared by the set and the requests it hands out so that whoever
/// builds it first (a warm-up task, a sort, a filter list) saves the others the work.
pub(crate) struct SharedTable<T> {
    /// The newest table (over the most rows).
    table: Mutex<Option<Arc<T>>>,
    /// Held while a table is being built, so concurrent users wait for it instead of
    /// building their own.
    building: Mutex<()>,
}

impl<T> Default for SharedTable<T> {
    fn default() -> Self {
        SharedTable {
            table: Mutex::new(None),
            building: Mutex::new(()),
        }
    }
}

impl<T: RowTable> std::fmt::Debug for SharedTable<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows = self.lock_table().as_ref().map(|t| t.row_count());
        f.debug_struct("SharedTable")
            .field("row_count", &rows)
            .finish()
    }
}

impl<T: RowTable> SharedTable<T> {
    fn lock_table(&self) -> MutexGuard<'_, Option<Arc<T>>> {
        // The table is only ever replaced whole, so a poisoned lock still holds a valid one.
        crate::sync::lock(&self.table)
    }

    /// The cached table, if it covers `rows`.
    pub(crate) fn cached(&self, rows: &Rows) -> Option<Arc<T>> {
        self.lock_table()
            .as_ref()
            .filter(|table| table.row_count() >= rows.len())
            .cloned()
    }

    /// Keeps `table` unless a table over more rows is already cached.
    fn store(&self, table: &Arc<T>) {
        let mut slot = self.lock_table();
        if slot
            .as_ref()
            .is_none_or(|old| old.row_count() < table.row_count())
        {
            *slot = Some(Arc::clone(table));
        }
    }

    /// The table covering `rows`, building it with `build` (and caching it) when there is
    /// none. When another thread is building one, waits for it (still honouring `cancel`).
    pub(crate) fn get_or_build_with(
        &self,
        rows: &Rows,
        cancel: &AtomicBool,
        build: impl Fn(&Rows, &AtomicBool) -> Result<T, Cancelled>,
    ) -> Result<Arc<T>, Cancelled> {
        loop {
            if let Some(table) = self.cached(rows) {
                return Ok(table);
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(Cancelled);
            }
            let _guard = match self.building.try_lock() {
                Ok(guard) => guard,
                Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                }
            };
            if let Some(table) = self.cached(rows) {
                return Ok(table);
            }
            let table = Arc::new(build(rows, cancel)?);
            self.store(&table);
            return Ok(table);
        }
    }
}

/// The [`TextRanks`] of a result set.
pub(crate) type TextRankCache = SharedTable<TextRanks>;

impl TextRankCache {
    /// The table covering `rows`, building (and caching) it when there is none.
    pub(crate) fn get_or_build(
        &self,
        rows: &Rows,
        cancel: &AtomicBool,
    ) -> Result<Arc<TextRanks>, Cancelled> {
        self.get_or_build_with(rows, cancel, TextRanks::build)
    }
}
