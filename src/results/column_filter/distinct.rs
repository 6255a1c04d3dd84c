//! The distinct values of a column with their counts, as an AutoFilter popup lists them: over
//! the rows that pass every other filter (the quick filter and the other columns' filters),
//! sorted the way people scan them (text in pt-BR order, ignoring case and accents; ids by
//! value; days by date), blanks last as "(vazio)".

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Datelike as _, NaiveDate, NaiveTime};

use super::super::filter::{Needle, ViewFilter};
use super::super::fold::{fold_ascii, fold_char};
use super::super::hash::FxHashMap;
use super::super::parallel::{CANCEL_CHECK_EVERY, PAR_CHUNK, par_chunks, par_fold, par_sort_by};
use super::super::ptr_memo::PtrMemo;
use super::super::rows::Rows;
use super::super::sort::par_sort_unstable;
use super::super::{Cancelled, ViewSpec};
use super::list_ranks::ListRankCache;
use super::{BLANK_LABEL, ColumnFilter};
use crate::api::{Column, ColumnKind, Followup, Value};

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
    /// The label when it is not the key's own text (a code's Portuguese label).
    pub(super) fn own_label(&self) -> Option<&str> {
        self.label.as_deref()
    }

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
    distinct_values_with(rows, spec, column, None, cancel)
}

/// [`distinct_values`], counting a text or code column through the result set's cached list
/// of its values when `cache` is given (built on the first use: see [`ListRankCache`]).
pub(crate) fn distinct_values_with(
    rows: &Rows,
    spec: &ViewSpec,
    column: Column,
    cache: Option<&ListRankCache>,
    cancel: &AtomicBool,
) -> Result<DistinctValues, Cancelled> {
    let filter = ViewFilter::new(&spec.filter, &spec.columns.without(column));
    let table = cache
        .and_then(|cache| cache.get_or_build(rows, column, cancel))
        .transpose()?;
    let (mut values, blanks) = match (column.kind(), table) {
        (_, Some(table)) => table.list(rows, &filter, cancel)?,
        (ColumnKind::Int | ColumnKind::DateTime, None) => {
            scalar_values(rows, &filter, column, cancel)?
        }
        (ColumnKind::Time, None) => time_values(rows, &filter, column, cancel)?,
        (ColumnKind::Text | ColumnKind::Code, None) => text_values(rows, &filter, column, cancel)?,
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
    let parts = fold_kept(
        rows,
        filter,
        cancel,
        || (Vec::new(), 0usize),
        |(keys, blanks), _, row| match row.value(column) {
            Value::Int(value) => keys.push(value as u64 ^ SIGN),
            Value::DateTime(value) => {
                keys.push(i64::from(value.date().num_days_from_ce()) as u64 ^ SIGN)
            }
            _ => *blanks += 1,
        },
    )?;
    let blanks = parts.iter().map(|(_, blanks)| blanks).sum();
    let mut keys = Vec::with_capacity(parts.iter().map(|(keys, _)| keys.len()).sum());
    for (part, _) in parts {
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
    let parts = fold_kept(
        rows,
        filter,
        cancel,
        || (FxHashMap::<NaiveTime, usize>::default(), 0usize),
        |(counts, blanks), _, row| match row.value(column) {
            Value::Time(time) => *counts.entry(time).or_default() += 1,
            _ => *blanks += 1,
        },
    )?;
    let mut blanks = 0;
    let mut counts: FxHashMap<NaiveTime, usize> = FxHashMap::default();
    for (part, part_blanks) in parts {
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
pub(super) type RawCount<'a> = (&'a str, &'a str, usize);

/// What a worker of [`gather_strings`] gathers.
struct TextTally<'a> {
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
    let (raws, mut blanks) = gather_strings(rows, filter, column, cancel)?;
    let (values, _) = order_strings(raws, &mut blanks, column, cancel)?;
    Ok((values, blanks))
}

/// Every distinct string (by address) of `column` among the rows `filter` keeps, with its
/// count, and how many of those rows are blank. Counted per shared string on each worker, then
/// merged by address.
pub(super) fn gather_strings<'a>(
    rows: &'a Rows,
    filter: &ViewFilter,
    column: Column,
    cancel: &AtomicBool,
) -> Result<(Vec<RawCount<'a>>, usize), Cancelled> {
    let tallies = fold_kept(
        rows,
        filter,
        cancel,
        || TextTally {
            ids: PtrMemo::new(),
            found: Vec::new(),
            blanks: 0,
        },
        |tally, _, row| {
            let Some((raw, label)) = raw_text(row, column) else {
                tally.blanks += 1;
                return;
            };
            let found = &mut tally.found;
            let id = tally.ids.get_or_insert_with(raw, || {
                found.push((raw, label, 0));
                (found.len() - 1) as u32
            });
            if let Some(entry) = found.get_mut(id as usize) {
                entry.2 += 1;
            }
        },
    )?;
    // Every worker's strings. Equal keys in different strings (the same name twice in memory,
    // spaces around it) sort next to each other and are merged by [`order_strings`].
    let mut blanks = 0;
    let mut tallies = tallies.into_iter();
    let mut raws: Vec<RawCount<'_>> = Vec::new();
    if let Some(first) = tallies.next() {
        blanks += first.blanks;
        raws = first.found;
    }
    // A string every worker met (an interned name) is folded and sorted once: merged by
    // address, which is cheaper than by content.
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
    Ok((raws, blanks))
}

/// The distinct values of the strings `raws` (each with its count), merged by key, in pt-BR
/// text order of their labels; blank strings are added to `blanks`. Also returns, for each
/// string of `raws`, the position of its value (`u32::MAX` for a blank one).
pub(super) fn order_strings(
    raws: Vec<RawCount<'_>>,
    blanks: &mut usize,
    column: Column,
    cancel: &AtomicBool,
) -> Result<(Vec<DistinctValue>, Vec<u32>), Cancelled> {
    let code = column.kind() == ColumnKind::Code;
    let mut position = vec![u32::MAX; raws.len()];
    // (key, label, count, position in `raws`)
    let mut keyed: Vec<(Cow<'_, str>, &str, usize, usize)> = Vec::with_capacity(raws.len());
    for (n, (raw, label, count)) in raws.into_iter().enumerate() {
        let Some(key) = string_key(column, raw) else {
            *blanks += count;
            continue;
        };
        keyed.push((key, label, count, n));
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    // Sort by label in pt-BR text order (a code's key breaks ties of equal labels).
    let labels: Vec<&str> = keyed
        .iter()
        .map(|(key, label, _, _)| if code { *label } else { key.as_ref() })
        .collect();
    let keys: Vec<&str> = keyed.iter().map(|(key, _, _, _)| key.as_ref()).collect();
    let order = sort_labels(&labels, &keys, cancel)?;
    let mut values: Vec<DistinctValue> = Vec::with_capacity(order.len());
    for n in order {
        let Some((key, label, count, raw)) = keyed.get(n as usize) else {
            continue;
        };
        let merged = match values.last_mut() {
            Some(last) if matches!(&last.key, DistinctKey::Text(last_key) if last_key.as_str() == key.as_ref()) =>
            {
                last.count += count;
                true
            }
            _ => false,
        };
        if !merged {
            values.push(text_value(column, key, label, *count));
        }
        if let Some(slot) = position.get_mut(*raw) {
            *slot = (values.len() - 1) as u32;
        }
    }
    Ok((values, position))
}

/// Folds the rows of `rows` that `filter` keeps into one state per worker (each made by
/// `init`), calling `add` with the state, the row's index and the row; on the machine's cores.
/// Returns [`Cancelled`] soon after `cancel` is set.
pub(super) fn fold_kept<'a, S: Send>(
    rows: &'a Rows,
    filter: &ViewFilter,
    cancel: &AtomicBool,
    init: impl Fn() -> S + Sync,
    add: impl Fn(&mut S, usize, &'a Followup) + Sync,
) -> Result<Vec<S>, Cancelled> {
    let states = par_fold(
        rows.len(),
        PAR_CHUNK,
        cancel,
        || (filter.memo(), init()),
        |(memo, state), range| {
            for idx in range {
                if let Some(row) = rows.get(idx)
                    && filter.matches(memo, row)
                {
                    add(state, idx, row);
                }
            }
        },
    )
    .ok_or(Cancelled)?;
    Ok(states.into_iter().map(|(_, state)| state).collect())
}

/// The text of a text column (twice) or a code and its label; `None` for other values.
pub(super) fn raw_text(row: &Followup, column: Column) -> Option<(&str, &str)> {
    match row.value(column) {
        Value::Text(text) => Some((text, text)),
        Value::Code(code, label) => Some((code, label)),
        _ => None,
    }
}

/// The key of the text or code `raw` of `column` in a list of values: a code as it is, a
/// CPF/CNPJ with its mask, other text trimmed; `None` for blank text.
pub(crate) fn string_key(column: Column, raw: &str) -> Option<Cow<'_, str>> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        None
    } else if column.kind() == ColumnKind::Code {
        Some(Cow::Borrowed(raw))
    } else if column == Column::CpfCnpj {
        Some(crate::doc_id::format_lenient_cow(trimmed))
    } else {
        Some(Cow::Borrowed(trimmed))
    }
}

/// The listed value of the text or code of `column` with `key` (see [`string_key`]) and
/// `label` (a code's label; the text itself otherwise), held by `count` rows.
pub(super) fn text_value(column: Column, key: &str, label: &str, count: usize) -> DistinctValue {
    let code = column.kind() == ColumnKind::Code;
    DistinctValue {
        key: DistinctKey::Text(key.to_owned()),
        count,
        label: (code && label != key).then(|| Box::from(label)),
    }
}

/// The identity of a string slice: its address and length.
pub(super) fn address(text: &str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
}

/// The folds of many labels in one buffer: the fold of label `n` is
/// `buffer[ends[n - 1]..ends[n]]` (from 0 for the first).
struct Folds {
    buffer: Vec<u8>,
    ends: Vec<usize>,
}

/// Appends the fold of `text` (the bytes [`super::super::fold`] makes) to `out`, byte by byte
/// for ASCII text.
fn fold_bytes_into(text: &str, out: &mut Vec<u8>) {
    if text.is_ascii() {
        out.extend(text.bytes().map(fold_ascii));
    } else {
        for c in text.chars() {
            out.extend_from_slice(fold_char(c).as_bytes());
        }
    }
}

impl Folds {
    /// Folds every label, on the machine's cores.
    fn new(labels: &[&str], cancel: &AtomicBool) -> Result<Folds, Cancelled> {
        let parts = par_chunks(
            labels.len(),
            PAR_CHUNK,
            cancel,
            || (),
            |_, range| {
                let mut buffer = Vec::new();
                let mut ends = Vec::with_capacity(range.len());
                for label in &labels[range] {
                    fold_bytes_into(label, &mut buffer);
                    ends.push(buffer.len());
                }
                Some((buffer, ends))
            },
        )
        .ok_or(Cancelled)?;
        let mut folds = Folds {
            buffer: Vec::with_capacity(parts.iter().map(|(b, _)| b.len()).sum()),
            ends: Vec::with_capacity(labels.len()),
        };
        for (buffer, ends) in parts {
            let base = folds.buffer.len();
            folds.buffer.extend_from_slice(&buffer);
            folds.ends.extend(ends.into_iter().map(|end| base + end));
        }
        Ok(folds)
    }

    /// The fold of label `n`.
    fn get(&self, n: u32) -> &[u8] {
        let n = n as usize;
        let start = if n == 0 {
            0
        } else {
            self.ends.get(n - 1).copied().unwrap_or(0)
        };
        let end = self.ends.get(n).copied().unwrap_or(start);
        self.buffer.get(start..end).unwrap_or(&[])
    }
}

/// The order of `labels` in pt-BR text order: folded (case and accents ignored), ties by the
/// label itself and then by `keys` (same positions), so the order is deterministic.
///
/// Each label is folded once; then the folds are sorted eight bytes at a time: all by their
/// first eight bytes (as an integer, on two threads), then only the runs that tie by their next
/// eight bytes, and so on (comparisons touch one contiguous array instead of the strings).
fn sort_labels(labels: &[&str], keys: &[&str], cancel: &AtomicBool) -> Result<Vec<u32>, Cancelled> {
    let folds = Folds::new(labels, cancel)?;
    let mut items: Vec<LabelItem> = (0..labels.len() as u32)
        .map(|n| LabelItem {
            key: chunk_at(folds.get(n), 0),
            idx: n,
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
    let refine = |part: &mut [LabelItem]| refine_labels(part, &folds, labels, keys, cancel);
    let (a, b) = std::thread::scope(|scope| {
        let handle = scope.spawn(|| refine(left));
        let b = refine(right);
        (handle.join().unwrap_or(Err(Cancelled)), b)
    });
    a?;
    b?;
    Ok(items.into_iter().map(|item| item.idx).collect())
}

/// The text at position `n` of `texts` (empty when out of range).
fn text_at<'a>(texts: &[&'a str], n: u32) -> &'a str {
    texts.get(n as usize).copied().unwrap_or("")
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
/// eight bytes while some fold goes on, then by the whole fold, the label and the key.
fn refine_labels(
    items: &mut [LabelItem],
    folds: &Folds,
    labels: &[&str],
    keys: &[&str],
    cancel: &AtomicBool,
) -> Result<(), Cancelled> {
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
                if run.iter().any(|item| folds.get(item.idx).len() > next) {
                    for item in run.iter_mut() {
                        item.key = chunk_at(folds.get(item.idx), next);
                    }
                    run.sort_unstable_by_key(|item| item.key);
                    pending.push((i, j, next));
                } else {
                    // Every fold ends here: equal folds (or a NUL padding), decided in full.
                    run.sort_unstable_by(|a, b| {
                        folds
                            .get(a.idx)
                            .cmp(folds.get(b.idx))
                            .then_with(|| text_at(labels, a.idx).cmp(text_at(labels, b.idx)))
                            .then_with(|| text_at(keys, a.idx).cmp(text_at(keys, b.idx)))
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
