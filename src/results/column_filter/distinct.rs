//! The distinct values of a column with their counts, as an AutoFilter popup lists them: over
//! the rows that pass every other filter (the quick filter and the other columns' filters),
//! sorted the way people scan them (text in pt-BR order, ignoring case and accents; ids by
//! value; days by date), blanks last as "(vazio)".

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Datelike as _, NaiveDate, NaiveTime};

use super::super::filter::{Needle, ViewFilter, ViewFilterMemo};
use super::super::hash::FxHashMap;
use super::super::parallel::{CANCEL_CHECK_EVERY, PAR_CHUNK, par_chunks, par_fold, par_sort_by};
use super::super::ptr_memo::PtrMemo;
use super::super::rows::Rows;
use super::super::sort::par_sort_unstable;
use super::super::text_order::is_blank;
use super::super::{Cancelled, ViewSpec};
use super::{BLANK_LABEL, ColumnFilter, text_key};
use crate::api::{Column, ColumnKind, Value};

/// Flips the sign bit so signed values order like unsigned ones.
const SIGN: u64 = 1 << 63;

/// A value as the filter popup lists it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DistinctKey {
    /// A key of [`ColumnFilter::Values`]: a code, a text as shown, a time as shown.
    Text(String),
    /// An id.
    Int(i64),
    /// A day (of a date column).
    Day(NaiveDate),
    /// Blank values: "(vazio)".
    Blank,
}

/// One distinct value of a column and how many rows hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistinctValue {
    /// What a filter keeps to keep these rows.
    pub key: DistinctKey,
    /// How many rows (among those the other filters leave) hold it.
    pub count: usize,
    /// The label when it is not the key's own text (a code's Portuguese label).
    label: Option<Box<str>>,
}

impl DistinctValue {
    /// How the value shows on screen: a code by its label, text as shown, an id as digits, a
    /// day `dd/mm/aaaa`, blanks "(vazio)".
    pub fn label(&self) -> Cow<'_, str> {
        match (&self.label, &self.key) {
            (Some(label), _) => Cow::Borrowed(label),
            (None, DistinctKey::Text(text)) => Cow::Borrowed(text),
            (None, DistinctKey::Int(value)) => Cow::Owned(value.to_string()),
            (None, DistinctKey::Day(day)) => Cow::Owned(crate::fmt::date_br(*day)),
            (None, DistinctKey::Blank) => Cow::Borrowed(BLANK_LABEL),
        }
    }
}

/// The distinct values of one column, in the order a list shows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DistinctValues {
    /// The values, blanks last.
    pub values: Vec<DistinctValue>,
    /// How many rows the other filters leave (the sum of the counts).
    pub rows: usize,
}

impl DistinctValues {
    /// The positions in [`Self::values`] of the values whose label contains `query`, ignoring
    /// case and accents (like the quick filter); every position when `query` is blank.
    /// Uses the machine's cores; returns [`Cancelled`] soon after `cancel` is set.
    pub fn search(&self, query: &str, cancel: &AtomicBool) -> Result<Vec<u32>, Cancelled> {
        let Some(needle) = Needle::new(query) else {
            return Ok((0..self.values.len() as u32).collect());
        };
        let parts = par_chunks(
            self.values.len(),
            PAR_CHUNK,
            cancel,
            || (),
            |_, range| {
                let start = range.start;
                Some(
                    self.values[range]
                        .iter()
                        .enumerate()
                        .filter(|(_, value)| needle.matches(&value.label()))
                        .map(|(n, _)| (start + n) as u32)
                        .collect::<Vec<u32>>(),
                )
            },
        )
        .ok_or(Cancelled)?;
        Ok(parts.concat())
    }
}

/// The distinct values of `column` with their counts, over the rows of `rows` that pass the
/// quick filter and every column filter of `spec` except `column`'s own (Excel's AutoFilter
/// lists what the other filters leave). Codes show by label and are keyed by code; text is
/// trimmed (the CPF/CNPJ with its mask); dates are listed by day; blank values count together
/// as "(vazio)", last.
///
/// Pure and thread-safe; uses the machine's cores. Returns [`Cancelled`] soon after `cancel` is
/// set (checked every few thousand rows).
pub fn distinct_values(
    rows: &Rows,
    spec: &ViewSpec,
    column: Column,
    cancel: &AtomicBool,
) -> Result<DistinctValues, Cancelled> {
    let filter = ViewFilter::new(&spec.filter, &spec.columns.without(column));
    let (mut values, blanks) = match column.kind() {
        ColumnKind::Int | ColumnKind::DateTime => scalar_values(rows, &filter, column, cancel)?,
        ColumnKind::Time => time_values(rows, &filter, column, cancel)?,
        ColumnKind::Text | ColumnKind::Code => text_values(rows, &filter, column, cancel)?,
    };
    if blanks > 0 {
        values.push(DistinctValue {
            key: DistinctKey::Blank,
            count: blanks,
            label: None,
        });
    }
    let rows = values.iter().map(|value| value.count).sum();
    Ok(DistinctValues { values, rows })
}

/// Ids and days: every passing row's value as a sortable `u64`, sorted, then counted in runs.
fn scalar_values(
    rows: &Rows,
    filter: &ViewFilter,
    column: Column,
    cancel: &AtomicBool,
) -> Result<(Vec<DistinctValue>, usize), Cancelled> {
    let parts = par_fold(
        rows.len(),
        PAR_CHUNK,
        cancel,
        || (filter.memo(), Vec::new(), 0usize),
        |(memo, keys, blanks), range| {
            for idx in range {
                let Some(row) = rows.get(idx) else {
                    continue;
                };
                if !filter.matches(memo, row) {
                    continue;
                }
                match row.value(column) {
                    Value::Int(value) => keys.push(value as u64 ^ SIGN),
                    Value::DateTime(value) => {
                        keys.push(i64::from(value.date().num_days_from_ce()) as u64 ^ SIGN)
                    }
                    _ => *blanks += 1,
                }
            }
        },
    )
    .ok_or(Cancelled)?;
    let blanks = parts.iter().map(|(_, _, blanks)| blanks).sum();
    let mut keys = Vec::with_capacity(parts.iter().map(|(_, keys, _)| keys.len()).sum());
    for (_, part, _) in parts {
        keys.extend(part);
    }
    par_sort_unstable(&mut keys);
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    let days = column.kind() == ColumnKind::DateTime;
    let mut values = Vec::new();
    for run in keys.chunk_by(|a, b| a == b) {
        let value = (run[0] ^ SIGN) as i64;
        let key = if days {
            let Some(day) = i32::try_from(value)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
            else {
                continue;
            };
            DistinctKey::Day(day)
        } else {
            DistinctKey::Int(value)
        };
        values.push(DistinctValue {
            key,
            count: run.len(),
            label: None,
        });
    }
    Ok((values, blanks))
}

/// Times of day: counted per time, keyed as shown (`hh:mm`), in time order.
fn time_values(
    rows: &Rows,
    filter: &ViewFilter,
    column: Column,
    cancel: &AtomicBool,
) -> Result<(Vec<DistinctValue>, usize), Cancelled> {
    let parts = par_fold(
        rows.len(),
        PAR_CHUNK,
        cancel,
        || {
            (
                filter.memo(),
                FxHashMap::<NaiveTime, usize>::default(),
                0usize,
            )
        },
        |(memo, counts, blanks), range| {
            for idx in range {
                let Some(row) = rows.get(idx) else {
                    continue;
                };
                if !filter.matches(memo, row) {
                    continue;
                }
                match row.value(column) {
                    Value::Time(time) => *counts.entry(time).or_default() += 1,
                    _ => *blanks += 1,
                }
            }
        },
    )
    .ok_or(Cancelled)?;
    let mut blanks = 0;
    let mut counts: FxHashMap<NaiveTime, usize> = FxHashMap::default();
    for (_, part, part_blanks) in parts {
        blanks += part_blanks;
        for (time, count) in part {
            *counts.entry(time).or_default() += count;
        }
    }
    let mut times: Vec<(NaiveTime, usize)> = counts.into_iter().collect();
    times.sort_unstable();
    // Times that show alike (differing below the shown precision) make one entry.
    let mut values: Vec<DistinctValue> = Vec::with_capacity(times.len());
    for (time, count) in times {
        let label = crate::fmt::time_br(time);
        match values.last_mut() {
            Some(DistinctValue {
                key: DistinctKey::Text(last),
                count: last_count,
                ..
            }) if *last == label => *last_count += count,
            _ => values.push(DistinctValue {
                key: DistinctKey::Text(label),
                count,
                label: None,
            }),
        }
    }
    Ok((values, blanks))
}

/// One distinct string seen by a worker: the raw text (a code's code), its label (a code's
/// label; the text itself otherwise) and how many rows hold it.
type RawCount<'a> = (&'a str, &'a str, usize);

/// What a worker of [`text_values`] gathers.
struct TextTally<'a> {
    memo: ViewFilterMemo,
    ids: PtrMemo<u32>,
    found: Vec<RawCount<'a>>,
    blanks: usize,
}

/// Names, logins, CPF/CNPJ, free text and codes: counted per shared string (by address) on
/// each worker, merged, then merged by key, in pt-BR text order of their labels.
fn text_values(
    rows: &Rows,
    filter: &ViewFilter,
    column: Column,
    cancel: &AtomicBool,
) -> Result<(Vec<DistinctValue>, usize), Cancelled> {
    let tallies = par_fold(
        rows.len(),
        PAR_CHUNK,
        cancel,
        || TextTally {
            memo: filter.memo(),
            ids: PtrMemo::new(),
            found: Vec::new(),
            blanks: 0,
        },
        |tally, range| {
            for idx in range {
                let Some(row) = rows.get(idx) else {
                    continue;
                };
                if !filter.matches(&mut tally.memo, row) {
                    continue;
                }
                let (raw, label) = match row.value(column) {
                    Value::Text(text) => (text, text),
                    Value::Code(code, label) => (code, label),
                    _ => {
                        tally.blanks += 1;
                        continue;
                    }
                };
                let found = &mut tally.found;
                let id = tally.ids.get_or_insert_with(raw, || {
                    found.push((raw, label, 0));
                    (found.len() - 1) as u32
                });
                if let Some(entry) = found.get_mut(id as usize) {
                    entry.2 += 1;
                }
            }
        },
    )
    .ok_or(Cancelled)?;
    // The same string (by address) seen by several workers.
    let mut blanks = 0;
    let mut tallies = tallies.into_iter();
    let mut raws: Vec<RawCount<'_>> = Vec::new();
    if let Some(first) = tallies.next() {
        blanks += first.blanks;
        raws = first.found;
    }
    let mut by_address: Option<FxHashMap<(usize, usize), usize>> = None;
    for tally in tallies {
        blanks += tally.blanks;
        let index = by_address.get_or_insert_with(|| {
            raws.iter()
                .enumerate()
                .map(|(n, (raw, _, _))| (address(raw), n))
                .collect()
        });
        for (raw, label, count) in tally.found {
            match index.get(&address(raw)) {
                Some(&n) => raws[n].2 += count,
                None => {
                    index.insert(address(raw), raws.len());
                    raws.push((raw, label, count));
                }
            }
        }
    }
    drop(by_address);
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    // Equal keys of different strings (the same name twice in memory, spaces around it).
    let code = column.kind() == ColumnKind::Code;
    let mut by_key: FxHashMap<Cow<'_, str>, usize> = FxHashMap::default();
    let mut merged: Vec<(Cow<'_, str>, &str, usize)> = Vec::new();
    for (raw, label, count) in raws {
        if is_blank(raw) {
            blanks += count;
            continue;
        }
        let key: Cow<'_, str> = if code {
            Cow::Borrowed(raw)
        } else if column == Column::CpfCnpj {
            Cow::Owned(text_key(column, raw))
        } else {
            Cow::Borrowed(raw.trim())
        };
        match by_key.get(&key) {
            Some(&n) => merged[n].2 += count,
            None => {
                by_key.insert(key.clone(), merged.len());
                merged.push((key, label, count));
            }
        }
    }
    drop(by_key);
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    // Sort by label in pt-BR text order.
    let labels: Vec<&str> = merged
        .iter()
        .map(|(key, label, _)| if code { *label } else { key.as_ref() })
        .collect();
    let order = sort_labels(&labels, cancel)?;
    let mut slots: Vec<Option<(Cow<'_, str>, &str, usize)>> =
        merged.into_iter().map(Some).collect();
    let values = order
        .into_iter()
        .filter_map(|n| slots.get_mut(n as usize).and_then(Option::take))
        .map(|(key, label, count)| DistinctValue {
            label: (code && label != key.as_ref()).then(|| Box::from(label)),
            key: DistinctKey::Text(key.into_owned()),
            count,
        })
        .collect();
    Ok((values, blanks))
}

/// The identity of a string slice: its address and length.
fn address(text: &str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
}

/// The order of `labels` in pt-BR text order: folded (case and accents ignored), ties by the
/// label itself so the order is deterministic.
///
/// Each label is folded once; then the folds are sorted eight bytes at a time: all by their
/// first eight bytes (as an integer, on two threads), then only the runs that tie by their next
/// eight bytes, and so on (comparisons touch one contiguous array instead of the strings).
fn sort_labels(labels: &[&str], cancel: &AtomicBool) -> Result<Vec<u32>, Cancelled> {
    let folded: Vec<String> = par_chunks(
        labels.len(),
        PAR_CHUNK,
        cancel,
        || (),
        |_, range| {
            Some(
                labels[range]
                    .iter()
                    .map(|label| super::super::fold(label))
                    .collect::<Vec<String>>(),
            )
        },
    )
    .ok_or(Cancelled)?
    .concat();
    let mut items: Vec<LabelItem> = folded
        .iter()
        .enumerate()
        .map(|(n, text)| LabelItem {
            key: chunk_at(text.as_bytes(), 0),
            idx: n as u32,
        })
        .collect();
    par_sort_by(&mut items, |a, b| a.key.cmp(&b.key));
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    // Refine the two halves (split at a run boundary) at once.
    let mut mid = items.len() / 2;
    while mid > 0 && mid < items.len() && items[mid].key == items[mid - 1].key {
        mid += 1;
    }
    let mid = mid.min(items.len());
    let (left, right) = items.split_at_mut(mid);
    let refine = |part: &mut [LabelItem]| refine_labels(part, &folded, labels, cancel);
    let (a, b) = std::thread::scope(|scope| {
        let handle = scope.spawn(|| refine(left));
        let b = refine(right);
        (handle.join().unwrap_or(Err(Cancelled)), b)
    });
    a?;
    b?;
    Ok(items.into_iter().map(|item| item.idx).collect())
}

/// A label being sorted: eight bytes of its fold as an integer, and its position.
#[derive(Clone, Copy, Debug)]
struct LabelItem {
    key: u64,
    idx: u32,
}

/// The eight bytes of `bytes` from `depth` as a big-endian integer (zero-padded).
fn chunk_at(bytes: &[u8], depth: usize) -> u64 {
    let mut chunk = [0u8; 8];
    if let Some(rest) = bytes.get(depth..) {
        let len = rest.len().min(8);
        chunk[..len].copy_from_slice(&rest[..len]);
    }
    u64::from_be_bytes(chunk)
}

/// Sorts the runs of `items` (sorted by their first eight folded bytes) that tie: by the next
/// eight bytes while some fold goes on, then by the whole fold and the label.
fn refine_labels(
    items: &mut [LabelItem],
    folded: &[String],
    labels: &[&str],
    cancel: &AtomicBool,
) -> Result<(), Cancelled> {
    let len_of = |item: &LabelItem| folded.get(item.idx as usize).map_or(0, String::len);
    let mut pending = vec![(0usize, items.len(), 0usize)];
    let mut work = 0usize;
    while let Some((start, end, depth)) = pending.pop() {
        let mut i = start;
        while i < end {
            let key = items[i].key;
            let mut j = i + 1;
            while j < end && items[j].key == key {
                j += 1;
            }
            if j - i > 1 {
                work += j - i;
                if work >= CANCEL_CHECK_EVERY {
                    work = 0;
                    if cancel.load(Ordering::Relaxed) {
                        return Err(Cancelled);
                    }
                }
                let run = &mut items[i..j];
                let next = depth + 8;
                if run.iter().any(|item| len_of(item) > next) {
                    for item in run.iter_mut() {
                        let bytes = folded
                            .get(item.idx as usize)
                            .map_or(&[][..], |f| f.as_bytes());
                        item.key = chunk_at(bytes, next);
                    }
                    run.sort_unstable_by_key(|item| item.key);
                    pending.push((i, j, next));
                } else {
                    // Every fold ends here: equal folds (or a NUL padding), decided in full.
                    run.sort_unstable_by(|a, b| {
                        let (a, b) = (a.idx as usize, b.idx as usize);
                        folded[a]
                            .cmp(&folded[b])
                            .then_with(|| labels[a].cmp(labels[b]))
                    });
                }
            }
            i = j;
        }
    }
    Ok(())
}

impl ColumnFilter {
    /// Whether this filter keeps the rows holding the listed value `key` of `column` (to tick
    /// the popup's checkboxes from the current filter).
    pub fn keeps(&self, column: Column, key: &DistinctKey) -> bool {
        match (self, key) {
            (ColumnFilter::Values { blanks, .. }, DistinctKey::Blank)
            | (ColumnFilter::Numbers { blanks, .. }, DistinctKey::Blank) => *blanks,
            (ColumnFilter::Values { values, .. }, DistinctKey::Text(text)) => values.contains(text),
            (ColumnFilter::Numbers { values, .. }, DistinctKey::Int(value)) => {
                values.contains(value)
            }
            (ColumnFilter::NumberRange { from, to }, DistinctKey::Int(value)) => {
                from.is_none_or(|from| *value >= from) && to.is_none_or(|to| *value <= to)
            }
            (ColumnFilter::DateRange { from, to }, DistinctKey::Day(day)) => {
                from.is_none_or(|from| *day >= from) && to.is_none_or(|to| *day <= to)
            }
            (ColumnFilter::Contains { text }, DistinctKey::Text(key)) => {
                let label = super::key_label(column, key);
                Needle::new(text).is_none_or(|needle| {
                    if column == Column::CpfCnpj {
                        needle.matches_doc(&label)
                    } else {
                        needle.matches(&label)
                    }
                })
            }
            _ => false,
        }
    }

    /// The filter that keeps exactly the listed values `keys` of `column`: a set of codes,
    /// texts or times, or of ids (with "(vazio)" when [`DistinctKey::Blank`] is among them).
    /// `None` for keys of another kind (days: a date column filters by range).
    pub fn from_keys<'a>(
        column: Column,
        keys: impl IntoIterator<Item = &'a DistinctKey>,
    ) -> Option<ColumnFilter> {
        let mut filter = match column.kind() {
            ColumnKind::Int => ColumnFilter::Numbers {
                values: Default::default(),
                blanks: false,
            },
            ColumnKind::Text | ColumnKind::Code | ColumnKind::Time => ColumnFilter::Values {
                values: Default::default(),
                blanks: false,
            },
            ColumnKind::DateTime => return None,
        };
        for key in keys {
            match (&mut filter, key) {
                (ColumnFilter::Values { blanks, .. }, DistinctKey::Blank)
                | (ColumnFilter::Numbers { blanks, .. }, DistinctKey::Blank) => *blanks = true,
                (ColumnFilter::Values { values, .. }, DistinctKey::Text(text)) => {
                    values.insert(text.clone());
                }
                (ColumnFilter::Numbers { values, .. }, DistinctKey::Int(value)) => {
                    values.insert(*value);
                }
                _ => return None,
            }
        }
        Some(filter)
    }
}
