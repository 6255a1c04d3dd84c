//! Type-aware, stable sorting of row indices by one column.
//!
//! Every row gets an integer key that orders like its value: ids and dates by value, shared
//! strings (names, codes' labels, CPF/CNPJ) by the rank of their folded form among the distinct
//! strings (each distinct string folded once, found by its address), and `interacao` by its
//! folded bytes, seven at a time, refining only the groups that tie (or, when the result set
//! has them cached, by the rank of its folded text among all rows: see [`super::rank`]). Ties keep arrival order in
//! both directions because the row index is the last part of every key; empty values are set
//! aside and go last in both directions.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Timelike as _;

use super::fold::{doc_key, fold};
use super::parallel::{CANCEL_CHECK_EVERY, Split, par_split};
use super::ptr_memo::PtrMemo;
use super::rank::TextRanks;
use super::rows::Rows;
use super::text_order::{is_blank, sort_text_order};
use super::{Cancelled, SortSpec};
use crate::api::{Column, ColumnKind, Followup, Value};

/// One row to sort: its key and its index.
#[derive(Clone, Copy, Debug)]
struct Item {
    key: u64,
    idx: u32,
}

/// Sorts `indices` (row indices into `rows`) by `sort`. Stable: rows whose values compare
/// equal keep their order in `indices` only if `indices` is ascending, which is what
/// [`super::filter_indices`] returns; in general ties are broken by row index. Indices out of
/// range are dropped.
///
/// Returns [`Cancelled`] soon after `cancel` is set.
pub fn sort_indices(
    rows: &Rows,
    indices: &[u32],
    sort: SortSpec,
    cancel: &AtomicBool,
) -> Result<Vec<u32>, Cancelled> {
    sort_indices_with(rows, indices, sort, None, cancel)
}

/// [`sort_indices`], sorting `interacao` by `ranks` when given and covering `rows` (the same
/// order, much faster; see [`TextRanks`]).
pub(crate) fn sort_indices_with(
    rows: &Rows,
    indices: &[u32],
    sort: SortSpec,
    ranks: Option<&TextRanks>,
    cancel: &AtomicBool,
) -> Result<Vec<u32>, Cancelled> {
    let column = sort.column;
    let (mut items, mut empties) = match column.kind() {
        ColumnKind::Int | ColumnKind::DateTime | ColumnKind::Time => {
            scalar_items(rows, indices, column, cancel)?
        }
        ColumnKind::Text if column == Column::Interacao => match ranks {
            Some(ranks) if ranks.covers(rows) => rank_items(rows, indices, ranks, cancel)?,
            _ => return sort_texts(rows, indices, sort.descending, cancel),
        },
        ColumnKind::Text | ColumnKind::Code => ranked_items(rows, indices, column, cancel)?,
    };
    if sort.descending {
        for item in &mut items {
            item.key = !item.key;
        }
    }
    let mut out = Vec::with_capacity(items.len() + empties.len());
    {
        let (min, max) = items.iter().fold((u64::MAX, 0), |(lo, hi), it| {
            (lo.min(it.key), hi.max(it.key))
        });
        if items.is_empty() || max - min <= u64::from(u32::MAX) {
            // Keys fit in 32 bits: sort plain `u64`s of key and index.
            let mut packed: Vec<u64> = items
                .iter()
                .map(|it| ((it.key - min) << 32) | u64::from(it.idx))
                .collect();
            drop(items);
            if cancel.load(Ordering::Relaxed) {
                return Err(Cancelled);
            }
            par_sort_unstable(&mut packed);
            out.extend(packed.iter().map(|&p| p as u32));
        } else {
            if cancel.load(Ordering::Relaxed) {
                return Err(Cancelled);
            }
            sort_items(&mut items);
            out.extend(items.iter().map(|item| item.idx));
        }
    }
    if empties.windows(2).any(|w| w[0] > w[1]) {
        empties.sort_unstable();
    }
    out.extend(empties);
    Ok(out)
}

/// Sorts by key then index.
fn sort_items(items: &mut [Item]) {
    items.sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.idx.cmp(&b.idx)));
}

/// Sorts with two threads (each half, then a merge) when large.
pub(crate) fn par_sort_unstable(values: &mut Vec<u64>) {
    if values.len() < 200_000 || super::parallel::worker_count() < 2 {
        values.sort_unstable();
        return;
    }
    let mid = values.len() / 2;
    {
        let (left, right) = values.split_at_mut(mid);
        std::thread::scope(|scope| {
            scope.spawn(|| left.sort_unstable());
            right.sort_unstable();
        });
    }
    let (left, right) = values.split_at(mid);
    let mut merged = Vec::with_capacity(values.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if left[i] <= right[j] {
            merged.push(left[i]);
            i += 1;
        } else {
            merged.push(right[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&left[i..]);
    merged.extend_from_slice(&right[j..]);
    *values = merged;
}

/// Splits `indices` into keyed items and empty rows, computing keys in parallel.
fn keyed_items<F>(
    rows: &Rows,
    indices: &[u32],
    cancel: &AtomicBool,
    key: F,
) -> Result<(Vec<Item>, Vec<u32>), Cancelled>
where
    F: Fn(&Followup) -> Option<u64> + Sync,
{
    par_split(indices, cancel, |idx| match rows.get(idx as usize) {
        None => Split::Skip,
        Some(row) => match key(row) {
            Some(key) => Split::Item(Item { key, idx }),
            None => Split::Empty,
        },
    })
    .ok_or(Cancelled)
}

/// Keys of ids, dates and times: their value, order-preserving as `u64`.
fn scalar_items(
    rows: &Rows,
    indices: &[u32],
    column: Column,
    cancel: &AtomicBool,
) -> Result<(Vec<Item>, Vec<u32>), Cancelled> {
    const SIGN: u64 = 1 << 63;
    keyed_items(rows, indices, cancel, |row| {
        let key = match row.value(column) {
            Value::Int(v) => v as u64 ^ SIGN,
            // Microseconds since 1970 fit in an i64 for every date chrono can hold; values that
            // differ by less than a microsecond tie (and keep arrival order).
            Value::DateTime(v) => v.and_utc().timestamp_micros() as u64 ^ SIGN,
            Value::Time(v) => {
                u64::from(v.num_seconds_from_midnight()) * 1_000_000_000 + u64::from(v.nanosecond())
            }
            _ => return None,
        };
        Some(key)
    })
}

/// Keys of `interacao` from cached ranks; blank texts (no rank) and rows out of range of
/// `rows` are set aside as empty and dropped.
fn rank_items(
    rows: &Rows,
    indices: &[u32],
    ranks: &TextRanks,
    cancel: &AtomicBool,
) -> Result<(Vec<Item>, Vec<u32>), Cancelled> {
    let len = rows.len();
    par_split(indices, cancel, |idx| {
        if idx as usize >= len {
            return Split::Skip;
        }
        match ranks.get(idx) {
            Some(rank) => Split::Item(Item {
                key: u64::from(rank),
                idx,
            }),
            None => Split::Empty,
        }
    })
    .ok_or(Cancelled)
}

/// Sorts by `interacao` (see [`sort_text_order`]); blank texts last.
fn sort_texts(
    rows: &Rows,
    indices: &[u32],
    descending: bool,
    cancel: &AtomicBool,
) -> Result<Vec<u32>, Cancelled> {
    let (mut out, mut empties) = sort_text_order(rows, indices, descending, cancel)?;
    if empties.windows(2).any(|w| w[0] > w[1]) {
        empties.sort_unstable();
    }
    out.extend(empties);
    Ok(out)
}

/// Keys of shared strings (names, logins, CPF/CNPJ) and codes (by label): the rank of the
/// folded string among the distinct strings. Each distinct string (by address) is folded once.
fn ranked_items(
    rows: &Rows,
    indices: &[u32],
    column: Column,
    cancel: &AtomicBool,
) -> Result<(Vec<Item>, Vec<u32>), Cancelled> {
    let mut memo: PtrMemo<u32> = PtrMemo::new();
    let mut distinct: Vec<&str> = Vec::new();
    let mut items = Vec::with_capacity(indices.len());
    let mut empties = Vec::new();
    for (n, &idx) in indices.iter().enumerate() {
        if n % CANCEL_CHECK_EVERY == 0 && cancel.load(Ordering::Relaxed) {
            return Err(Cancelled);
        }
        let Some(row) = rows.get(idx as usize) else {
            continue;
        };
        let text = match row.value(column) {
            Value::Text(text) => text,
            Value::Code(_, label) => label,
            _ => {
                empties.push(idx);
                continue;
            }
        };
        let id = memo.get_or_insert_with(text, || {
            distinct.push(text);
            (distinct.len() - 1) as u32
        });
        items.push(Item {
            key: u64::from(id),
            idx,
        });
    }
    // Fold each distinct string once and rank the folds; equal folds share a rank.
    let folded: Vec<Option<String>> = distinct
        .iter()
        .map(|text| {
            if is_blank(text) {
                None
            } else if column == Column::CpfCnpj {
                Some(doc_key(text))
            } else {
                Some(fold(text))
            }
        })
        .collect();
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| folded[a as usize].cmp(&folded[b as usize]));
    let mut rank = vec![0u32; distinct.len()];
    let mut current = 0u32;
    for (n, &id) in order.iter().enumerate() {
        if n > 0 && folded[order[n - 1] as usize] != folded[id as usize] {
            current += 1;
        }
        rank[id as usize] = current;
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    // Blank strings count as empty.
    let mut keyed = Vec::with_capacity(items.len());
    for item in items {
        if folded[item.key as usize].is_none() {
            empties.push(item.idx);
        } else {
            keyed.push(Item {
                key: u64::from(rank[item.key as usize]),
                ..item
            });
        }
    }
    Ok((keyed, empties))
}
