//! Column filters (Excel's AutoFilter): at most one filter per column, each fitted to the
//! column's kind, combined with each other and with the quick filter (AND).
//!
//! - Codes, names, logins, CPF/CNPJ and times: a set of chosen values ([`ColumnFilter::Values`]),
//!   keyed so a value is recognised across searches: a code by its code (`"W"`, shown as
//!   "WhatsApp"), anything else by the text shown on screen (trimmed; the CPF/CNPJ with its
//!   mask, a time as `hh:mm`). Blank values are chosen apart, as "(vazio)".
//! - Ids: exact values ([`ColumnFilter::Numbers`]) or a range ([`ColumnFilter::NumberRange`]).
//! - Dates: a range of days, either end open ([`ColumnFilter::DateRange`]).
//! - Text (`interacao`): "contém" ([`ColumnFilter::Contains`]), case- and accent-insensitive
//!   like the quick filter.
//!
//! The types are serde-serializable with a stable shape (saved views store them): add
//! variants and fields, never rename them. A filter that does not fit its column's kind (an
//! old or edited settings file) is dropped when read and ignored when applied.

mod distinct;
mod list_ranks;

pub use distinct::{DistinctKey, DistinctValue, DistinctValues, distinct_values};
pub(crate) use distinct::{distinct_values_with, string_key};
pub(crate) use list_ranks::ListRankCache;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::filter::Needle;
use super::hash::FxHashSet;
use super::ptr_memo::PtrMemo;
use super::text_order::is_blank;
use crate::api::{
    Column, ColumnKind, Followup, ReagendarPara, SimNao, TipoContato, TipoEvento, Value,
};

/// What a chosen blank value is called on screen.
pub const BLANK_LABEL: &str = "(vazio)";

/// How many values a filter's description names before it says "+N".
const DESCRIBE_MAX_VALUES: usize = 2;

/// A filter on one column. See the module docs for which variant fits which column.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnFilter {
    /// Rows whose value is one of `values` (see [`value_key`]), or blank when `blanks` is set.
    /// Fits codes, text columns and times. Nothing chosen matches no row.
    Values {
        /// The chosen values' keys.
        #[serde(default)]
        values: BTreeSet<String>,
        /// Whether blank values ("(vazio)") are chosen too.
        #[serde(default)]
        blanks: bool,
    },
    /// Rows whose id is one of `values`, or blank when `blanks` is set. Fits ids.
    Numbers {
        /// The chosen ids.
        #[serde(default)]
        values: BTreeSet<i64>,
        /// Whether blank values ("(vazio)") are chosen too.
        #[serde(default)]
        blanks: bool,
    },
    /// Rows whose id lies in `from..=to` (an open end is unbounded); blank ids never match.
    /// Fits ids.
    NumberRange {
        /// The smallest id kept.
        #[serde(default)]
        from: Option<i64>,
        /// The largest id kept.
        #[serde(default)]
        to: Option<i64>,
    },
    /// Rows whose date (the day, whatever the time) lies in `from..=to` (an open end is
    /// unbounded); blank dates never match. Fits dates.
    DateRange {
        /// The first day kept.
        #[serde(default, with = "iso_date")]
        from: Option<NaiveDate>,
        /// The last day kept.
        #[serde(default, with = "iso_date")]
        to: Option<NaiveDate>,
    },
    /// Rows whose text contains `text`, ignoring case and accents (like the quick filter; a
    /// CPF/CNPJ also matches typed without its mask, a code by its label). Fits text columns
    /// and codes. Blank text never matches.
    Contains {
        /// The text looked for.
        #[serde(default)]
        text: String,
    },
    /// Rows whose value is blank ("(vazio)"), whatever the column: the only way to pick the
    /// rows without a date (a summary's "(sem data)" group). Fits every column.
    Blank,
}

/// Dates as `"aaaa-mm-dd"` in settings files (chrono's serde support is not enabled).
mod iso_date {
    use chrono::NaiveDate;
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        date: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => serializer.serialize_some(&date.format("%Y-%m-%d").to_string()),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        text.map(|text| {
            NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}

impl ColumnFilter {
    /// Whether this kind of filter applies to `column` (see the module docs).
    pub fn fits(&self, column: Column) -> bool {
        let kind = column.kind();
        match self {
            ColumnFilter::Values { .. } => {
                matches!(kind, ColumnKind::Text | ColumnKind::Code | ColumnKind::Time)
            }
            ColumnFilter::Numbers { .. } | ColumnFilter::NumberRange { .. } => {
                kind == ColumnKind::Int
            }
            ColumnFilter::DateRange { .. } => kind == ColumnKind::DateTime,
            ColumnFilter::Contains { .. } => matches!(kind, ColumnKind::Text | ColumnKind::Code),
            ColumnFilter::Blank => true,
        }
    }

    /// Whether the filter keeps every row (an open range, a blank "contém"): setting it is
    /// the same as removing the column's filter. A set with nothing chosen is not: it keeps
    /// no row.
    pub fn is_noop(&self) -> bool {
        match self {
            ColumnFilter::Values { .. } | ColumnFilter::Numbers { .. } | ColumnFilter::Blank => {
                false
            }
            ColumnFilter::NumberRange { from, to } => from.is_none() && to.is_none(),
            ColumnFilter::DateRange { from, to } => from.is_none() && to.is_none(),
            ColumnFilter::Contains { text } => text.trim().is_empty(),
        }
    }

    /// The filter "Filtrar por este valor" sets for the value of `column` in `row`: that one
    /// value for codes, text and times (blank: "(vazio)"), that day for a date, that exact id.
    /// `None` for `interacao` (free text: an exact match makes no sense) and for a blank date.
    pub fn for_cell(row: &Followup, column: Column) -> Option<ColumnFilter> {
        if column == Column::Interacao {
            return None;
        }
        match row.value(column) {
            Value::Int(value) => Some(ColumnFilter::Numbers {
                values: BTreeSet::from([value]),
                blanks: false,
            }),
            Value::DateTime(value) => Some(ColumnFilter::DateRange {
                from: Some(value.date()),
                to: Some(value.date()),
            }),
            Value::Empty if column.kind() == ColumnKind::DateTime => None,
            Value::Empty if column.kind() == ColumnKind::Int => Some(ColumnFilter::Numbers {
                values: BTreeSet::new(),
                blanks: true,
            }),
            value => match value_key(column, value) {
                Some(key) => Some(ColumnFilter::Values {
                    values: BTreeSet::from([key]),
                    blanks: false,
                }),
                None => Some(ColumnFilter::Values {
                    values: BTreeSet::new(),
                    blanks: true,
                }),
            },
        }
    }

    /// The filter as a chip shows it, after the column's name: `WhatsApp, SMS`,
    /// `Ana, Bruno +3`, `01/11/2026 a 30/11/2026`, `contém "boleto"`.
    pub fn describe(&self, column: Column) -> String {
        match self {
            ColumnFilter::Values { values, blanks } => {
                let mut labels: Vec<String> =
                    values.iter().map(|key| key_label(column, key)).collect();
                labels.sort_by_cached_key(|label| (super::fold(label), label.clone()));
                if *blanks {
                    labels.push(BLANK_LABEL.to_owned());
                }
                list_description(labels)
            }
            ColumnFilter::Numbers { values, blanks } => {
                let mut labels: Vec<String> = values.iter().map(i64::to_string).collect();
                if *blanks {
                    labels.push(BLANK_LABEL.to_owned());
                }
                list_description(labels)
            }
            ColumnFilter::NumberRange { from, to } => {
                range_description(from.map(|v| v.to_string()), to.map(|v| v.to_string()))
            }
            ColumnFilter::DateRange { from, to } => {
                if from.is_some() && from == to {
                    from.map(crate::fmt::date_br).unwrap_or_default()
                } else {
                    range_description(from.map(crate::fmt::date_br), to.map(crate::fmt::date_br))
                }
            }
            ColumnFilter::Contains { text } => format!("contém \u{201C}{}\u{201D}", text.trim()),
            ColumnFilter::Blank => BLANK_LABEL.to_owned(),
        }
    }
}

/// `a, b`, `a, b +3`, or `nenhum valor`.
fn list_description(labels: Vec<String>) -> String {
    if labels.is_empty() {
        return "nenhum valor".to_owned();
    }
    let shown = labels.len().min(DESCRIBE_MAX_VALUES);
    let mut text = labels[..shown].join(", ");
    if labels.len() > shown {
        text.push_str(&format!(" +{}", labels.len() - shown));
    }
    text
}

/// `a a b`, `a partir de a`, `até b`.
fn range_description(from: Option<String>, to: Option<String>) -> String {
    match (from, to) {
        (Some(from), Some(to)) => format!("{from} a {to}"),
        (Some(from), None) => format!("a partir de {from}"),
        (None, Some(to)) => format!("até {to}"),
        (None, None) => "todos".to_owned(),
    }
}

/// The key under which [`ColumnFilter::Values`] knows a value of `column`: a code's code, a
/// time as shown (`hh:mm`), a CPF/CNPJ with its mask, other text trimmed. `None` for a blank
/// value (and for ids and dates, which have filters of their own).
pub fn value_key(column: Column, value: Value<'_>) -> Option<String> {
    match value {
        Value::Code(code, _) if !is_blank(code) => Some(code.to_owned()),
        Value::Text(text) if !is_blank(text) => Some(text_key(column, text)),
        Value::Time(time) => Some(crate::fmt::time_br(time)),
        _ => None,
    }
}

/// The key of non-blank text of `column`.
fn text_key(column: Column, text: &str) -> String {
    let text = text.trim();
    if column == Column::CpfCnpj {
        crate::doc_id::format_lenient(text)
    } else {
        text.to_owned()
    }
}

/// How a key of [`ColumnFilter::Values`] shows on screen: a code by its Portuguese label
/// (an unknown code as-is), anything else as the key itself.
pub fn key_label(column: Column, key: &str) -> String {
    match column {
        Column::TipoEvento => TipoEvento::from_code(key).label().to_owned(),
        Column::TipoContato => TipoContato::from_code(key).label().to_owned(),
        Column::Reagendar | Column::VisivelCliente => SimNao::from_code(key).label().to_owned(),
        Column::ReagendarPara => ReagendarPara::from_code(key).label().to_owned(),
        _ => key.to_owned(),
    }
}

/// One entry of [`ColumnFilters`] as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnFilterEntry {
    /// The filtered column.
    pub column: Column,
    /// Its filter.
    pub filter: ColumnFilter,
}

/// The column filters of a view: at most one per column, kept in the order they were first
/// set (the chips' order). Empty: no column is filtered.
///
/// Cloning is cheap (the filters are shared), so a view request can carry them to a
/// background thread. Serialized as a list of [`ColumnFilterEntry`]; reading one drops
/// filters that do not fit their column and keeps the last of repeated columns.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "Vec<ColumnFilterEntry>", into = "Vec<ColumnFilterEntry>")]
pub struct ColumnFilters {
    entries: Arc<Vec<(Column, ColumnFilter)>>,
}

impl From<Vec<ColumnFilterEntry>> for ColumnFilters {
    fn from(entries: Vec<ColumnFilterEntry>) -> Self {
        let mut filters = ColumnFilters::default();
        for entry in entries {
            filters.set(entry.column, entry.filter);
        }
        filters
    }
}

impl From<ColumnFilters> for Vec<ColumnFilterEntry> {
    fn from(filters: ColumnFilters) -> Self {
        filters
            .iter()
            .map(|(column, filter)| ColumnFilterEntry {
                column,
                filter: filter.clone(),
            })
            .collect()
    }
}

impl ColumnFilters {
    /// No filter.
    pub fn new() -> ColumnFilters {
        ColumnFilters::default()
    }

    /// Whether no column is filtered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many columns are filtered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The filter of `column`, if any.
    pub fn get(&self, column: Column) -> Option<&ColumnFilter> {
        self.entries
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, filter)| filter)
    }

    /// The filters, in the order their columns were first filtered.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (Column, &ColumnFilter)> + '_ {
        self.entries
            .iter()
            .map(|(column, filter)| (*column, filter))
    }

    /// Sets the filter of `column`, replacing its previous one in place. A filter that keeps
    /// every row ([`ColumnFilter::is_noop`]) removes the column's filter instead. Returns
    /// `false`, changing nothing, when the filter does not fit the column.
    pub fn set(&mut self, column: Column, filter: ColumnFilter) -> bool {
        if !filter.fits(column) {
            return false;
        }
        if filter.is_noop() {
            self.remove(column);
            return true;
        }
        let entries = Arc::make_mut(&mut self.entries);
        match entries.iter_mut().find(|(c, _)| *c == column) {
            Some(entry) => entry.1 = filter,
            None => entries.push((column, filter)),
        }
        true
    }

    /// Removes the filter of `column`. Returns whether there was one.
    pub fn remove(&mut self, column: Column) -> bool {
        if self.get(column).is_none() {
            return false;
        }
        Arc::make_mut(&mut self.entries).retain(|(c, _)| *c != column);
        true
    }

    /// Removes every filter.
    pub fn clear(&mut self) {
        if !self.is_empty() {
            self.entries = Arc::default();
        }
    }

    /// These filters without the one of `column` (for its distinct values: Excel lists the
    /// values the other filters leave).
    pub fn without(&self, column: Column) -> ColumnFilters {
        let mut other = self.clone();
        other.remove(column);
        other
    }
}

/// A filter ready to test rows: sets hashed, the "contém" needle compiled.
enum Compiled {
    /// Shared text (names, CPF/CNPJ, logins, `interacao`) or codes, by key.
    Keys {
        column: Column,
        keys: FxHashSet<String>,
        blanks: bool,
    },
    /// Times, by key.
    Times {
        column: Column,
        keys: FxHashSet<String>,
        blanks: bool,
    },
    /// Ids in a set.
    Numbers {
        column: Column,
        values: FxHashSet<i64>,
        blanks: bool,
    },
    /// Ids in a range.
    NumberRange { column: Column, from: i64, to: i64 },
    /// Dates in a range of days.
    DateRange {
        column: Column,
        from: NaiveDate,
        to: NaiveDate,
    },
    /// Text containing a needle.
    Contains { column: Column, needle: Needle },
    /// Blank values only.
    Blank { column: Column },
}

/// Column filters compiled for matching rows (see [`CompiledFilters::matches`]).
pub(crate) struct CompiledFilters {
    filters: Vec<Compiled>,
}

/// Per-thread memos of [`CompiledFilters::matches`]: the answer for each shared string (by
/// address) and each time of day, one memo per filter.
pub(crate) struct FilterMemo {
    strings: Vec<PtrMemo<bool>>,
    times: Vec<super::hash::FxHashMap<NaiveTime, bool>>,
}

impl CompiledFilters {
    /// Compiles `filters`, skipping those that keep every row or do not fit their column.
    pub(crate) fn new(filters: &ColumnFilters) -> CompiledFilters {
        let compiled = filters
            .iter()
            .filter(|(column, filter)| filter.fits(*column) && !filter.is_noop())
            .filter_map(|(column, filter)| compile(column, filter))
            .collect();
        CompiledFilters { filters: compiled }
    }

    /// Whether no filter is left (every row matches).
    pub(crate) fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// Fresh memos for one thread.
    pub(crate) fn memo(&self) -> FilterMemo {
        FilterMemo {
            strings: self.filters.iter().map(|_| PtrMemo::new()).collect(),
            times: self.filters.iter().map(|_| Default::default()).collect(),
        }
    }

    /// Whether `row` passes every filter.
    #[inline]
    pub(crate) fn matches(&self, memo: &mut FilterMemo, row: &Followup) -> bool {
        self.filters
            .iter()
            .zip(memo.strings.iter_mut().zip(memo.times.iter_mut()))
            .all(|(filter, (strings, times))| matches_one(filter, strings, times, row))
    }
}

fn compile(column: Column, filter: &ColumnFilter) -> Option<Compiled> {
    Some(match filter {
        ColumnFilter::Values { values, blanks } if column.kind() == ColumnKind::Time => {
            Compiled::Times {
                column,
                keys: values.iter().cloned().collect(),
                blanks: *blanks,
            }
        }
        ColumnFilter::Values { values, blanks } => Compiled::Keys {
            column,
            keys: values.iter().cloned().collect(),
            blanks: *blanks,
        },
        ColumnFilter::Numbers { values, blanks } => Compiled::Numbers {
            column,
            values: values.iter().copied().collect(),
            blanks: *blanks,
        },
        ColumnFilter::NumberRange { from, to } => Compiled::NumberRange {
            column,
            from: from.unwrap_or(i64::MIN),
            to: to.unwrap_or(i64::MAX),
        },
        ColumnFilter::DateRange { from, to } => Compiled::DateRange {
            column,
            from: from.unwrap_or(NaiveDate::MIN),
            to: to.unwrap_or(NaiveDate::MAX),
        },
        ColumnFilter::Contains { text } => Compiled::Contains {
            column,
            needle: Needle::new(text)?,
        },
        ColumnFilter::Blank => Compiled::Blank { column },
    })
}

/// Whether `row` passes one compiled filter.
#[inline]
fn matches_one(
    filter: &Compiled,
    strings: &mut PtrMemo<bool>,
    times: &mut super::hash::FxHashMap<NaiveTime, bool>,
    row: &Followup,
) -> bool {
    match filter {
        Compiled::Keys {
            column,
            keys,
            blanks,
        } => match row.value(*column) {
            Value::Text(text) => strings.get_or_insert_with(text, || {
                if is_blank(text) {
                    *blanks
                } else {
                    keys.contains(&text_key(*column, text))
                }
            }),
            Value::Code(code, _) => strings.get_or_insert_with(code, || {
                if is_blank(code) {
                    *blanks
                } else {
                    keys.contains(code)
                }
            }),
            _ => *blanks,
        },
        Compiled::Times {
            column,
            keys,
            blanks,
        } => match row.value(*column) {
            Value::Time(time) => *times
                .entry(time)
                .or_insert_with(|| keys.contains(&crate::fmt::time_br(time))),
            _ => *blanks,
        },
        Compiled::Numbers {
            column,
            values,
            blanks,
        } => match row.value(*column) {
            Value::Int(value) => values.contains(&value),
            _ => *blanks,
        },
        Compiled::NumberRange { column, from, to } => match row.value(*column) {
            Value::Int(value) => (*from..=*to).contains(&value),
            _ => false,
        },
        Compiled::DateRange { column, from, to } => match row.value(*column) {
            Value::DateTime(value) => (*from..=*to).contains(&value.date()),
            _ => false,
        },
        Compiled::Contains { column, needle } => match row.value(*column) {
            Value::Text(text) if *column == Column::Interacao => needle.matches(text),
            Value::Text(text) if *column == Column::CpfCnpj => {
                strings.get_or_insert_with(text, || needle.matches_doc(text))
            }
            Value::Text(text) => strings.get_or_insert_with(text, || needle.matches(text)),
            Value::Code(_, label) => strings.get_or_insert_with(label, || needle.matches(label)),
            _ => false,
        },
        Compiled::Blank { column } => match row.value(*column) {
            Value::Empty => true,
            Value::Text(text) | Value::Code(text, _) => is_blank(text),
            Value::Int(_) | Value::DateTime(_) | Value::Time(_) => false,
        },
    }
}

#[cfg(test)]
mod tests;
