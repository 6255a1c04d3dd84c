//! The distinct values of a column with their counts, as an AutoFilter popup lists them: over
//! the rows that pass every other filter (the quick filter and the other columns' filters),
//! sorted the way people scan them (text in pt-BR order, ignoring case and accents; ids by
//! value; days by date), blanks last as "(vazio)".

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Datelike as _, NaiveDate, NaiveTime};

use super::super::filter::{Needle, ViewFilter};
use super::super::hash::FxHashMap;
use super::super::parallel::{PAR_CHUNK, par_chunks};
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
    /// How it shows on screen (a code by its label, a day `dd/mm/aaaa`, blanks "(vazio)").
    pub label: String,
    /// How many rows (among those the other filters leave) hold it.
    pub count: usize,
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
                        .filter(|(_, value)| needle.matches(&value.label))
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
            label: BLANK_LABEL.to_owned(),
            count: blanks,
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
    let parts = par_chunks(
        rows.len(),
        PAR_CHUNK,
        cancel,
        || filter.memo(),
        |memo, range| {
            let mut keys = Vec::with_capacity(range.len());
            let mut blanks = 0usize;
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
                    _ => blanks += 1,
                }
            }
            Some((keys, blanks))
        },
    )
    .ok_or(Cancelled)?;
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
    let mut i = 0;
    while i < keys.len() {
        let key = keys[i];
        let run = keys[i..].iter().take_while(|&&k| k == key).count();
        i += run;
        let value = (key ^ SIGN) as i64;
        let entry = if days {
            let Some(day) = i32::try_from(value)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
            else {
                continue;
            };
            DistinctValue {
                key: DistinctKey::Day(day),
                label: crate::fmt::date_br(day),
                count: run,
            }
        } else {
            DistinctValue {
                key: DistinctKey::Int(value),
                label: value.to_string(),
                count: run,
            }
        };
        values.push(entry);
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
    let parts = par_chunks(
        rows.len(),
        PAR_CHUNK,
        cancel,
        || filter.memo(),
        |memo, range| {
            let mut counts: FxHashMap<NaiveTime, usize> = FxHashMap::default();
            let mut blanks = 0usize;
            for idx in range {
                let Some(row) = rows.get(idx) else {
                    continue;
                };
                if !filter.matches(memo, row) {
                    continue;
                }
                match row.value(column) {
                    Value::Time(time) => *counts.entry(time).or_default() += 1,
                    _ => blanks += 1,
                }
            }
            Some((counts, blanks))
        },
    )
    .ok_or(Cancelled)?;
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
            Some(last) if last.label == label => last.count += count,
            _ => values.push(DistinctValue {
                key: DistinctKey::Text(label.clone()),
                label,
                count,
            }),
        }
    }
    Ok((values, blanks))
}

/// One distinct string of a chunk: the raw text (a code's code), its label (a code's label;
/// the text itself otherwise) and how many rows hold it.
type RawCount<'a> = (&'a str, &'a str, usize);

/// Names, logins, CPF/CNPJ, free text and codes: counted per shared string (by address), then
/// merged by key, in pt-BR text order of their labels.
fn text_values(
    rows: &Rows,
    filter: &ViewFilter,
    column: Column,
    cancel: &AtomicBool,
) -> Result<(Vec<DistinctValue>, usize), Cancelled> {
    let parts = par_chunks(
        rows.len(),
        PAR_CHUNK,
        cancel,
        || filter.memo(),
        |memo, range| {
            let mut ids: PtrMemo<u32> = PtrMemo::new();
            let mut found: Vec<RawCount<'_>> = Vec::new();
            let mut blanks = 0usize;
            for idx in range {
                let Some(row) = rows.get(idx) else {
                    continue;
                };
                if !filter.matches(memo, row) {
                    continue;
                }
                let (raw, label) = match row.value(column) {
                    Value::Text(text) => (text, text),
                    Value::Code(code, label) => (code, label),
                    _ => {
                        blanks += 1;
                        continue;
                    }
                };
                let id = ids.get_or_insert_with(raw, || {
                    found.push((raw, label, 0));
                    (found.len() - 1) as u32
                });
                if let Some(entry) = found.get_mut(id as usize) {
                    entry.2 += 1;
                }
            }
            Some((found, blanks))
        },
    )
    .ok_or(Cancelled)?;
    // The same string (by address) in several chunks, then equal keys of different strings.
    let mut blanks = 0;
    let mut by_address: FxHashMap<(usize, usize), usize> = FxHashMap::default();
    let mut raws: Vec<RawCount<'_>> = Vec::new();
    for (part, part_blanks) in parts {
        blanks += part_blanks;
        for (raw, label, count) in part {
            let address = (raw.as_ptr() as usize, raw.len());
            match by_address.get(&address) {
                Some(&n) => raws[n].2 += count,
                None => {
                    by_address.insert(address, raws.len());
                    raws.push((raw, label, count));
                }
            }
        }
    }
    drop(by_address);
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    let code = column.kind() == ColumnKind::Code;
    let mut by_key: FxHashMap<String, usize> = FxHashMap::default();
    let mut values: Vec<DistinctValue> = Vec::new();
    for (raw, label, count) in raws {
        if is_blank(raw) {
            blanks += count;
            continue;
        }
        let key = if code {
            raw.to_owned()
        } else {
            text_key(column, raw)
        };
        match by_key.get(&key) {
            Some(&n) => values[n].count += count,
            None => {
                by_key.insert(key.clone(), values.len());
                let label = if code { label.to_owned() } else { key.clone() };
                values.push(DistinctValue {
                    key: DistinctKey::Text(key),
                    label,
                    count,
                });
            }
        }
    }
    drop(by_key);
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    sort_by_label(&mut values, cancel)?;
    Ok((values, blanks))
}

/// Sorts values by their label in pt-BR text order: folded (case and accents ignored), ties by
/// the label itself so the order is deterministic.
fn sort_by_label(values: &mut Vec<DistinctValue>, cancel: &AtomicBool) -> Result<(), Cancelled> {
    let folded = par_chunks(
        values.len(),
        PAR_CHUNK,
        cancel,
        || (),
        |_, range| {
            Some(
                values[range]
                    .iter()
                    .map(|value| super::super::fold(&value.label))
                    .collect::<Vec<String>>(),
            )
        },
    )
    .ok_or(Cancelled)?
    .concat();
    let mut keyed: Vec<(String, DistinctValue)> =
        folded.into_iter().zip(std::mem::take(values)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.label.cmp(&b.1.label)));
    values.extend(keyed.into_iter().map(|(_, value)| value));
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
                Needle::new(text).is_none_or(|needle| needle.matches(&label))
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
