//! Cached lists of a text column's distinct values: the position of every row's value in the
//! column's sorted list of distinct values, built once per result set.
//!
//! Listing the distinct names of a million rows that hold a million different names means
//! folding and sorting a million strings, about a second on two cores, every time a popup
//! opens. The order of those values does not depend on the filters, only their counts do. So
//! the values of all rows are sorted once (see [`ListRanks::build`]), each row remembers the
//! position (rank) of its value, and every later list, whatever the quick filter and the
//! other columns' filters, is one counting pass over the rows that pass them: tens of
//! milliseconds.
//!
//! Memory: 4 bytes per row plus the distinct values, per column listed, kept as long as the
//! result set. Rows are only ever appended, so a table built over `n` rows answers for every
//! snapshot of at most `n` rows of the same set; after an append it is rebuilt on the next use.

use std::sync::atomic::AtomicBool;

use super::super::Cancelled;
use super::super::filter::ViewFilter;
use super::super::hash::FxHashMap;
use super::super::parallel::{PAR_CHUNK, par_chunks};
use super::super::rank::{RowTable, SharedTable};
use super::super::rows::Rows;
use super::ColumnFilters;
use super::distinct::{
    DistinctKey, DistinctValue, address, fold_kept, gather_strings, order_strings, raw_text,
    text_value,
};
use crate::api::{Column, ColumnKind};

/// The rank of a row whose value is blank.
const BLANK: u32 = u32::MAX;

/// The sorted distinct values of one text or code column over all rows of a snapshot, and
/// the rank of every row's value among them.
pub(crate) struct ListRanks {
    /// The column listed.
    column: Column,
    /// Rank per row index; [`BLANK`] for blank values.
    ranks: Box<[u32]>,
    /// The values' keys, in list order, one after the other: the key of rank `r` ends at
    /// `key_ends[r]` and starts where the one before ends.
    keys: String,
    /// Where each key ends in `keys`.
    key_ends: Box<[usize]>,
    /// A code's label per rank, when it differs from the code (empty for text columns).
    labels: Box<[Option<Box<str>>]>,
}

impl RowTable for ListRanks {
    fn row_count(&self) -> usize {
        self.ranks.len()
    }
}

impl ListRanks {
    /// Sorts the distinct values of `column` over all `rows` (as the uncached list does) and
    /// ranks every row's value among them.
    pub(crate) fn build(
        rows: &Rows,
        column: Column,
        cancel: &AtomicBool,
    ) -> Result<ListRanks, Cancelled> {
        let everything = ViewFilter::new("", &ColumnFilters::new());
        let (raws, mut blanks) = gather_strings(rows, &everything, column, cancel)?;
        let by_address: FxHashMap<(usize, usize), usize> = raws
            .iter()
            .enumerate()
            .map(|(n, (raw, _, _))| (address(raw), n))
            .collect();
        let (values, position) = order_strings(raws, &mut blanks, column, cancel)?;
        let parts = par_chunks(
            rows.len(),
            PAR_CHUNK,
            cancel,
            || (),
            |_, range| {
                let ranks: Vec<u32> = range
                    .map(|idx| {
                        let Some((raw, _)) = rows.get(idx).and_then(|row| raw_text(row, column))
                        else {
                            return BLANK;
                        };
                        by_address
                            .get(&address(raw))
                            .and_then(|&n| position.get(n))
                            .copied()
                            .unwrap_or(BLANK)
                    })
                    .collect();
                Some(ranks)
            },
        )
        .ok_or(Cancelled)?;
        let ranks = parts.concat().into_boxed_slice();
        let mut keys = String::new();
        let mut key_ends = Vec::with_capacity(values.len());
        let mut labels = Vec::new();
        let code = column.kind() == ColumnKind::Code;
        for value in values {
            if let DistinctKey::Text(key) = &value.key {
                keys.push_str(key);
            }
            key_ends.push(keys.len());
            if code {
                labels.push(value.own_label().map(Box::from));
            }
        }
        Ok(ListRanks {
            column,
            ranks,
            keys,
            key_ends: key_ends.into_boxed_slice(),
            labels: labels.into_boxed_slice(),
        })
    }

    /// The key of rank `rank`.
    fn key(&self, rank: usize) -> &str {
        let start = match rank.checked_sub(1) {
            Some(before) => self.key_ends.get(before).copied().unwrap_or(0),
            None => 0,
        };
        let end = self.key_ends.get(rank).copied().unwrap_or(start);
        self.keys.get(start..end).unwrap_or("")
    }

    /// The distinct values (in list order, with counts) and the blank count over the rows of
    /// `rows` (a snapshot of at most [`RowTable::row_count`] rows) that `filter` keeps: one
    /// counting pass per worker, no sort.
    pub(crate) fn list(
        &self,
        rows: &Rows,
        filter: &ViewFilter,
        cancel: &AtomicBool,
    ) -> Result<(Vec<DistinctValue>, usize), Cancelled> {
        let distinct = self.key_ends.len();
        let tallies = fold_kept(
            rows,
            filter,
            cancel,
            || (Vec::<u32>::new(), 0usize),
            |(counts, blanks), idx, _| match self.ranks.get(idx) {
                Some(&rank) if rank != BLANK => {
                    if counts.is_empty() {
                        counts.resize(distinct, 0);
                    }
                    if let Some(count) = counts.get_mut(rank as usize) {
                        *count = count.saturating_add(1);
                    }
                }
                _ => *blanks += 1,
            },
        )?;
        let mut tallies = tallies.into_iter();
        let (mut counts, mut blanks) = match tallies.next() {
            Some((counts, blanks)) => (counts, blanks),
            None => (Vec::new(), 0),
        };
        for (more, more_blanks) in tallies {
            blanks += more_blanks;
            if counts.is_empty() {
                counts = more;
                continue;
            }
            for (count, more) in counts.iter_mut().zip(more) {
                *count = count.saturating_add(more);
            }
        }
        // The values held, in list order, made on the machine's cores.
        let parts = par_chunks(
            counts.len(),
            PAR_CHUNK,
            cancel,
            || (),
            |_, range| {
                let start = range.start;
                let part: Vec<DistinctValue> = counts[range]
                    .iter()
                    .enumerate()
                    .filter(|(_, count)| **count > 0)
                    .map(|(n, &count)| {
                        let rank = start + n;
                        let key = self.key(rank);
                        let label = self.labels.get(rank).and_then(|label| label.as_deref());
                        text_value(self.column, key, label.unwrap_or(key), count as usize)
                    })
                    .collect();
                Some(part)
            },
        )
        .ok_or(Cancelled)?;
        let values = parts.concat();
        Ok((values, blanks))
    }
}

/// The [`ListRanks`] of a result set's text and code columns, each built on its first use.
#[derive(Default)]
pub(crate) struct ListRankCache {
    tables: [SharedTable<ListRanks>; Column::ALL.len()],
}

impl std::fmt::Debug for ListRankCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListRankCache").finish_non_exhaustive()
    }
}

impl ListRankCache {
    /// The table of `column` covering `rows`, building (and caching) it when there is none;
    /// `None` for columns whose lists are not lists of text (ids, dates, times).
    pub(crate) fn get_or_build(
        &self,
        rows: &Rows,
        column: Column,
        cancel: &AtomicBool,
    ) -> Option<Result<std::sync::Arc<ListRanks>, Cancelled>> {
        if !matches!(column.kind(), ColumnKind::Text | ColumnKind::Code) {
            return None;
        }
        let slot = Column::ALL.iter().position(|&c| c == column)?;
        let table = self.tables.get(slot)?;
        Some(table.get_or_build_with(rows, cancel, |rows, cancel| {
            ListRanks::build(rows, column, cancel)
        }))
    }

    /// Whether the table of `column` covers `rows`.
    pub(crate) fn is_ready(&self, rows: &Rows, column: Column) -> bool {
        Column::ALL
            .iter()
            .position(|&c| c == column)
            .and_then(|slot| self.tables.get(slot))
            .is_some_and(|table| table.cached(rows).is_some())
    }
}
