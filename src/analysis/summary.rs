//! The summary (issue 13): a set of rows grouped by one [`Dimension`], with the counts a
//! collection supervisor reads ([`Counts`]) for each group and for the total.
//!
//! One definition serves the window's Resumo view, the CLI's `resumo`, and the CSV, JSON and
//! XLSX exports: they all call [`summarize`] or [`summarize_rows`] and show the cells of
//! [`SummaryColumn`].
//!
//! # Groups
//! - `consultor`, `evento`, `credor`: the id and the name together (a name spelt two ways
//!   under one id makes two groups, as the table's filters would tell them apart).
//! - `devedor`: `id_cliente`, the name and the CPF/CNPJ (with its mask) together.
//! - `canal`, `tipo-evento`: the API's code; unknown codes are groups of their own, labelled
//!   by the code itself.
//! - `reagendado-por`: the login, trimmed.
//! - `dia`, `semana` (ISO weeks, Monday first), `mes`: the day of `data`.
//!
//! Names are trimmed; blank values count as missing. The rows where every part of the key is
//! missing form one group named "(sem consultor)", "(sem data)" and so on: never dropped.
//!
//! # Order
//! Groups come by `follow_ups` descending, then by name (ignoring case and accents). Period
//! groups come by date, with the empty days, weeks or months between the first and the last
//! filled in at zero, and "(sem data)" last. The filling is bounded: when the span holds more
//! than [`MAX_FILLED_PERIODS`] periods (a date in year 1 beside one in 9999), only the periods
//! that have rows are listed, so memory follows the rows, never the dates they claim.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::hash::BuildHasher as _;
use std::ops::Range;
use std::sync::atomic::AtomicBool;

use chrono::{Datelike as _, Days, NaiveDate};

use crate::api::{Column, Followup, SimNao, TipoContato, TipoEvento, Value};
use crate::results::hash::{FxHashSet, FxHasher};
use crate::results::parallel::{PAR_CHUNK, par_chunks, par_fold, par_sort_by};
use crate::results::{Cancelled, ColumnFilter, Rows, fold, fold_into, string_key};

/// The most periods (days, weeks or months) a period summary fills in between its first and
/// last one. Past it, only the periods that have rows are listed.
pub const MAX_FILLED_PERIODS: usize = 20_000;

/// What the rows are grouped by.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Dimension {
    /// `id_consultor` and `nome_consultor`.
    Consultor,
    /// `id_evento` and `nome_evento`.
    Evento,
    /// `tipo_contato` (the channel).
    Canal,
    /// `tipo_evento` (productive or not).
    TipoEvento,
    /// `id_credor` and `nome_credor`.
    Credor,
    /// `id_cliente`, `nome_cliente` and `cpf_cnpj`.
    Devedor,
    /// `reagendado_por` (a login).
    ReagendadoPor,
    /// The day of `data`.
    Dia,
    /// The ISO week (Monday to Sunday) of `data`.
    Semana,
    /// The month of `data`.
    Mes,
}

impl Dimension {
    /// Every dimension, in the order menus list them.
    pub const ALL: [Dimension; 10] = [
        Dimension::Consultor,
        Dimension::Evento,
        Dimension::Canal,
        Dimension::TipoEvento,
        Dimension::Credor,
        Dimension::Devedor,
        Dimension::ReagendadoPor,
        Dimension::Dia,
        Dimension::Semana,
        Dimension::Mes,
    ];

    /// The name on the command line and in JSON (`"tipo-evento"`).
    pub fn cli_name(self) -> &'static str {
        match self {
            Dimension::Consultor => "consultor",
            Dimension::Evento => "evento",
            Dimension::Canal => "canal",
            Dimension::TipoEvento => "tipo-evento",
            Dimension::Credor => "credor",
            Dimension::Devedor => "devedor",
            Dimension::ReagendadoPor => "reagendado-por",
            Dimension::Dia => "dia",
            Dimension::Semana => "semana",
            Dimension::Mes => "mes",
        }
    }

    /// The dimension named `name` on the command line, ignoring case, accents, surrounding
    /// spaces and `_` for `-` (`"Mês"`, `"tipo_evento"`).
    pub fn from_cli_name(name: &str) -> Option<Dimension> {
        let folded = fold(name.trim()).replace('_', "-");
        Dimension::ALL
            .into_iter()
            .find(|dimension| dimension.cli_name() == folded)
    }

    /// The Portuguese name shown to users (`"Tipo de evento"`).
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Consultor => "Consultor",
            Dimension::Evento => "Evento",
            Dimension::Canal => "Canal",
            Dimension::TipoEvento => "Tipo de evento",
            Dimension::Credor => "Credor",
            Dimension::Devedor => "Devedor",
            Dimension::ReagendadoPor => "Reagendado por",
            Dimension::Dia => "Dia",
            Dimension::Semana => "Semana",
            Dimension::Mes => "Mês",
        }
    }

    /// Whether the groups are periods of time (`dia`, `semana`, `mes`).
    pub fn is_period(self) -> bool {
        matches!(self, Dimension::Dia | Dimension::Semana | Dimension::Mes)
    }

    /// The name of the group of rows without a key: `"(sem consultor)"`.
    pub fn missing_label(self) -> &'static str {
        match self {
            Dimension::Consultor => "(sem consultor)",
            Dimension::Evento => "(sem evento)",
            Dimension::Canal => "(sem canal)",
            Dimension::TipoEvento => "(sem tipo)",
            Dimension::Credor => "(sem credor)",
            Dimension::Devedor => "(sem devedor)",
            Dimension::ReagendadoPor => "(sem reagendado por)",
            Dimension::Dia | Dimension::Semana | Dimension::Mes => "(sem data)",
        }
    }

    /// Whether the groups carry an id (`consultor`, `evento`, `credor`, `devedor`).
    pub fn has_id(self) -> bool {
        matches!(
            self,
            Dimension::Consultor | Dimension::Evento | Dimension::Credor | Dimension::Devedor
        )
    }

    /// Whether the groups carry the API's code (`canal`, `tipo-evento`).
    pub fn has_code(self) -> bool {
        matches!(self, Dimension::Canal | Dimension::TipoEvento)
    }

    /// The columns whose values make the key: the id column first when there is one.
    fn key_columns(self) -> &'static [Column] {
        match self {
            Dimension::Consultor => &[Column::IdConsultor, Column::NomeConsultor],
            Dimension::Evento => &[Column::IdEvento, Column::NomeEvento],
            Dimension::Credor => &[Column::IdCredor, Column::NomeCredor],
            Dimension::Devedor => &[Column::IdCliente, Column::NomeCliente, Column::CpfCnpj],
            Dimension::Canal => &[Column::TipoContato],
            Dimension::TipoEvento => &[Column::TipoEvento],
            Dimension::ReagendadoPor => &[Column::ReagendadoPor],
            Dimension::Dia | Dimension::Semana | Dimension::Mes => &[Column::Data],
        }
    }
}

/// The numbers of a group or of the total.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    /// Rows.
    pub follow_ups: u64,
    /// Rows with `tipo_evento` P.
    pub produtivos: u64,
    /// Rows with `tipo_evento` I.
    pub improdutivos: u64,
    /// Distinct `id_cliente` (rows without one count in no debtor).
    pub devedores: u64,
    /// Rows with `reagendar` S.
    pub reagendamentos: u64,
    /// The earliest day of `data`.
    pub primeira_data: Option<NaiveDate>,
    /// The latest day of `data`.
    pub ultima_data: Option<NaiveDate>,
}

impl Counts {
    /// Rows neither productive nor unproductive (another or a blank `tipo_evento`).
    pub fn outros(&self) -> u64 {
        self.follow_ups
            .saturating_sub(self.produtivos)
            .saturating_sub(self.improdutivos)
    }

    /// Produtivos ÷ (produtivos + improdutivos) × 100, rounded to one decimal (half away from
    /// zero); `None` when there is neither.
    pub fn pct_produtivos(&self) -> Option<f64> {
        let denominator = self.produtivos.checked_add(self.improdutivos)?;
        if denominator == 0 {
            return None;
        }
        let per_mille = (self.produtivos as f64 * 1000.0 / denominator as f64).round();
        Some(per_mille / 10.0)
    }
}

/// One group of a [`Summary`].
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// As on screen: `"Ana Beatriz"`, `"WhatsApp"`, `"(sem consultor)"`, `"10/01/2024"`,
    /// `"08/01 a 14/01/2024"`, `"jan/2024"`.
    pub label: String,
    /// The id of a consultant, event, creditor or debtor (`None` for the missing group and
    /// for other dimensions).
    pub id: Option<i64>,
    /// The API's code of a channel or event type (an unknown code as received).
    pub codigo: Option<String>,
    /// Whether this is the group of rows without a key ("(sem …)").
    pub missing: bool,
    /// The first and last day of a period group.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// The group's numbers.
    pub counts: Counts,
    /// The JSON key of a period group (see [`Group::key`]).
    period_key: Option<String>,
    /// Where the column-filter keys of the key's text parts (name, CPF/CNPJ, login, code)
    /// are: a group holds no string of its own besides its label and code.
    text_keys: [TextKeyAt; 2],
}

/// Where a group's text key is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TextKeyAt {
    /// The part is blank.
    Blank,
    /// These bytes of the label ("Ana Beatriz", or the name and the CPF/CNPJ in
    /// "Ana Beatriz (529.982.247-25)").
    Label(usize, usize),
    /// The group's code.
    Codigo,
}

impl Group {
    /// JSON's `"grupo"`: the label, except periods: `"2024-01-10"`, `"2024-W02"`, `"2024-01"`.
    pub fn key(&self) -> &str {
        self.period_key.as_deref().unwrap_or(&self.label)
    }

    /// The column-filter keys of the key's text parts, `None` where blank.
    fn text_keys(&self) -> [Option<&str>; 2] {
        self.text_keys.map(|at| match at {
            TextKeyAt::Blank => None,
            TextKeyAt::Label(start, end) => self.label.get(start..end),
            TextKeyAt::Codigo => self.codigo.as_deref(),
        })
    }

    /// The column filters that show exactly this group's rows in the table (replacing any
    /// filter on those columns). Pinned by a test: applying them to the summarized rows keeps
    /// exactly `counts.follow_ups` rows, for every group of every dimension (missing groups
    /// included).
    pub fn filters(&self, dimension: Dimension) -> Vec<(Column, ColumnFilter)> {
        if dimension.is_period() {
            let filter = match self.period {
                Some((from, to)) => ColumnFilter::DateRange {
                    from: Some(from),
                    to: Some(to),
                },
                None => ColumnFilter::Blank,
            };
            return vec![(Column::Data, filter)];
        }
        let mut columns = dimension.key_columns().iter().copied();
        let mut filters = Vec::new();
        if dimension.has_id()
            && let Some(column) = columns.next()
        {
            filters.push((
                column,
                ColumnFilter::Numbers {
                    values: self.id.into_iter().collect(),
                    blanks: self.id.is_none(),
                },
            ));
        }
        for (column, key) in columns.zip(self.text_keys()) {
            filters.push((
                column,
                ColumnFilter::Values {
                    values: key
                        .iter()
                        .map(|key| (*key).to_owned())
                        .collect::<BTreeSet<String>>(),
                    blanks: key.is_none(),
                },
            ));
        }
        filters
    }
}

/// Rows grouped by one dimension, with the total.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// What the rows were grouped by.
    pub dimension: Dimension,
    /// The groups, in order (see the module docs).
    pub groups: Vec<Group>,
    /// The numbers of every row summarized.
    pub total: Counts,
}

/// The summary of the rows at `indices` (a view's, in any order; indices out of range are
/// skipped). Uses the machine's cores; returns [`Cancelled`] soon after `cancel` is set.
pub fn summarize(
    rows: &Rows,
    indices: &[u32],
    dimension: Dimension,
    cancel: &AtomicBool,
) -> Result<Summary, Cancelled> {
    let workers = par_fold(
        indices.len(),
        PAR_CHUNK,
        cancel,
        || Accumulator::new(dimension),
        |acc, range| {
            for &index in &indices[range] {
                if let Some(row) = rows.get(index as usize) {
                    acc.add(row);
                }
            }
        },
    )
    .ok_or(Cancelled)?;
    Ok(finish(dimension, workers))
}

/// The summary of every row given (the CLI, tests).
pub fn summarize_rows<'a>(
    rows: impl IntoIterator<Item = &'a Followup>,
    dimension: Dimension,
) -> Summary {
    let mut builder = SummaryBuilder::new(dimension);
    for row in rows {
        builder.add(row);
    }
    builder.finish()
}

/// A summary built one row at a time, for a writer that summarizes the rows as it streams
/// them (the XLSX export's summary sheets). The same result as [`summarize_rows`] over the
/// same rows.
///
/// The rows must outlive the builder (`'a`): shared strings are recognised by their address
/// while it runs.
pub struct SummaryBuilder<'a> {
    acc: Accumulator<'a>,
}

impl<'a> SummaryBuilder<'a> {
    /// An empty summary by `dimension`.
    pub fn new(dimension: Dimension) -> SummaryBuilder<'a> {
        SummaryBuilder {
            acc: Accumulator::new(dimension),
        }
    }

    /// Counts one more row.
    pub fn add(&mut self, row: &'a Followup) {
        self.acc.add(row);
    }

    /// The summary of the rows added.
    pub fn finish(self) -> Summary {
        finish(self.acc.dimension, vec![self.acc])
    }
}

/// The numbers of one group while rows are folded in.
#[derive(Default)]
struct Tally {
    follow_ups: u64,
    produtivos: u64,
    improdutivos: u64,
    reagendamentos: u64,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    /// The distinct `id_cliente` seen (left empty when the key itself is the debtor).
    clients: FxHashSet<i64>,
    /// Whether a row had an `id_cliente` (the count when `clients` is not kept).
    any_client: bool,
}

impl Tally {
    #[inline]
    fn add(&mut self, row: &Followup, keep_clients: bool) {
        self.follow_ups += 1;
        match row.tipo_evento() {
            Some(TipoEvento::Produtivo) => self.produtivos += 1,
            Some(TipoEvento::Improdutivo) => self.improdutivos += 1,
            _ => {}
        }
        if row.reagendar() == Some(SimNao::Sim) {
            self.reagendamentos += 1;
        }
        if let Some(data) = row.data() {
            let day = data.date();
            self.first = Some(self.first.map_or(day, |first| first.min(day)));
            self.last = Some(self.last.map_or(day, |last| last.max(day)));
        }
        if let Some(client) = row.id_cliente() {
            self.any_client = true;
            if keep_clients {
                self.clients.insert(client);
            }
        }
    }
}

/// The tallies of one group from every worker, merged.
#[derive(Default)]
struct Merged {
    counts: Counts,
    any_client: bool,
    /// Each worker's set of clients. They are counted together at the end: inserting one
    /// set into another in its iteration order (hash order, with the same fixed hash) makes
    /// long probe runs, seconds for a million values.
    clients: Vec<FxHashSet<i64>>,
}

impl Merged {
    /// The merge of one tally.
    fn of(tally: Tally) -> Merged {
        let mut merged = Merged::default();
        merged.add(tally);
        merged
    }

    /// Takes in another merge of the same group.
    fn absorb(&mut self, other: Merged) {
        let counts = &mut self.counts;
        counts.follow_ups += other.counts.follow_ups;
        counts.produtivos += other.counts.produtivos;
        counts.improdutivos += other.counts.improdutivos;
        counts.reagendamentos += other.counts.reagendamentos;
        counts.primeira_data = min_opt(counts.primeira_data, other.counts.primeira_data);
        counts.ultima_data = max_opt(counts.ultima_data, other.counts.ultima_data);
        self.any_client |= other.any_client;
        self.clients.extend(other.clients);
    }

    fn add(&mut self, tally: Tally) {
        let counts = &mut self.counts;
        counts.follow_ups += tally.follow_ups;
        counts.produtivos += tally.produtivos;
        counts.improdutivos += tally.improdutivos;
        counts.reagendamentos += tally.reagendamentos;
        counts.primeira_data = min_opt(counts.primeira_data, tally.first);
        counts.ultima_data = max_opt(counts.ultima_data, tally.last);
        self.any_client |= tally.any_client;
        if !tally.clients.is_empty() {
            self.clients.push(tally.clients);
        }
    }

    /// The counts, with the distinct clients counted (`keep_clients` false: the group is one
    /// debtor, or none).
    fn counts(&self, keep_clients: bool) -> Counts {
        let mut counts = self.counts.clone();
        counts.devedores = if !keep_clients {
            u64::from(self.any_client)
        } else {
            match self.clients.as_slice() {
                [] => 0,
                [one] => one.len() as u64,
                sets => {
                    let mut all: Vec<i64> =
                        Vec::with_capacity(sets.iter().map(FxHashSet::len).sum());
                    for set in sets {
                        all.extend(set.iter().copied());
                    }
                    par_sort_by(&mut all, i64::cmp);
                    all.dedup();
                    all.len() as u64
                }
            }
        };
        counts
    }
}

fn min_opt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// `FxHash` with a final avalanche (MurmurHash3's `fmix64`). Plain `FxHash` keeps the low bits
/// of its last input poorly mixed, and the hash table picks buckets by the low bits: string
/// addresses (multiples of 16, beside a constant length) and correlated ids then crowd a few
/// buckets, seconds for 100,000 debtors.
#[derive(Clone, Copy, Default)]
struct MixedHasher(FxHasher);

impl std::hash::Hasher for MixedHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    fn write_u8(&mut self, i: u8) {
        self.0.write_u8(i);
    }

    fn write_u32(&mut self, i: u32) {
        self.0.write_u32(i);
    }

    fn write_u64(&mut self, i: u64) {
        self.0.write_u64(i);
    }

    fn write_i64(&mut self, i: i64) {
        self.0.write_i64(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.0.write_usize(i);
    }

    fn finish(&self) -> u64 {
        let mut k = self.0.finish();
        k ^= k >> 33;
        k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
        k ^= k >> 33;
        k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        k ^ (k >> 33)
    }
}

/// Builds [`MixedHasher`]s.
type MixedBuild = std::hash::BuildHasherDefault<MixedHasher>;

/// A hash map with [`MixedHasher`].
type MixedMap<K, V> = std::collections::HashMap<K, V, MixedBuild>;

/// A row's string known by where it lives. The parser shares one string among the rows that
/// carry the same text, so while rows are folded a text part of a key is its address and
/// length: no hashing or copying of text per row. [`finish`] reads each distinct one once,
/// and merges the groups whose strings differ but read the same.
#[derive(Clone, Copy, Debug)]
struct ByAddress<'a>(&'a str);

impl PartialEq for ByAddress<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0.as_ptr(), other.0.as_ptr()) && self.0.len() == other.0.len()
    }
}

impl Eq for ByAddress<'_> {}

impl std::hash::Hash for ByAddress<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.as_ptr() as usize);
        state.write_usize(self.0.len());
    }
}

/// A group's key while folding: the id (or the period's ordinal) and up to two text parts as
/// the rows hold them.
type RawKey<'a> = (Option<i64>, Option<ByAddress<'a>>, Option<ByAddress<'a>>);

/// One worker's groups.
struct Accumulator<'a> {
    dimension: Dimension,
    /// The text key columns (names, CPF/CNPJ, codes, logins), at most two.
    text_columns: [Option<Column>; 2],
    groups: MixedMap<RawKey<'a>, usize>,
    /// The keys in the order first seen (the `tallies`' order).
    keys: Vec<RawKey<'a>>,
    tallies: Vec<Tally>,
    total: Tally,
    /// Whether groups keep their set of clients (not when the key is the debtor).
    keep_clients: bool,
}

impl<'a> Accumulator<'a> {
    fn new(dimension: Dimension) -> Accumulator<'a> {
        let mut text_columns = [None, None];
        if !dimension.is_period() {
            let columns = dimension
                .key_columns()
                .iter()
                .skip(usize::from(dimension.has_id()));
            for (slot, column) in text_columns.iter_mut().zip(columns) {
                *slot = Some(*column);
            }
        }
        Accumulator {
            dimension,
            text_columns,
            groups: MixedMap::default(),
            keys: Vec::new(),
            tallies: Vec::new(),
            total: Tally::default(),
            keep_clients: dimension != Dimension::Devedor,
        }
    }

    /// The string of `column` in `row`, as the row holds it.
    #[inline]
    fn text_part(column: Option<Column>, row: &'a Followup) -> Option<ByAddress<'a>> {
        match row.value(column?) {
            Value::Text(text) | Value::Code(text, _) => Some(ByAddress(text)),
            _ => None,
        }
    }

    #[inline]
    fn key(&self, row: &'a Followup) -> RawKey<'a> {
        let id = match self.dimension {
            Dimension::Consultor => row.id_consultor(),
            Dimension::Evento => row.id_evento(),
            Dimension::Credor => row.id_credor(),
            Dimension::Devedor => row.id_cliente(),
            Dimension::Dia | Dimension::Semana | Dimension::Mes => {
                let ordinal = row
                    .data()
                    .map(|data| period_ordinal(self.dimension, data.date()));
                return (ordinal, None, None);
            }
            Dimension::Canal | Dimension::TipoEvento | Dimension::ReagendadoPor => None,
        };
        let [first, second] = self.text_columns;
        (
            id,
            Self::text_part(first, row),
            Self::text_part(second, row),
        )
    }

    #[inline]
    fn add(&mut self, row: &'a Followup) {
        let key = self.key(row);
        let slot = match self.groups.entry(key) {
            std::collections::hash_map::Entry::Occupied(entry) => *entry.get(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                let slot = self.tallies.len();
                self.tallies.push(Tally::default());
                self.keys.push(key);
                entry.insert(slot);
                slot
            }
        };
        if let Some(tally) = self.tallies.get_mut(slot) {
            tally.add(row, self.keep_clients);
        }
        self.total.add(row, self.keep_clients);
    }
}

/// The period of `day` as a number that orders and steps like the periods: the day's number
/// (dia), the number of the week's Monday (semana), `year × 12 + month` (mes).
fn period_ordinal(dimension: Dimension, day: NaiveDate) -> i64 {
    match dimension {
        Dimension::Semana => i64::from(week_start(day).num_days_from_ce()),
        Dimension::Mes => i64::from(day.year()) * 12 + i64::from(day.month0()),
        _ => i64::from(day.num_days_from_ce()),
    }
}

/// The Monday of `day`'s ISO week (the day itself at the very start of the calendar).
fn week_start(day: NaiveDate) -> NaiveDate {
    let back = u64::from(day.weekday().num_days_from_monday());
    day.checked_sub_days(Days::new(back)).unwrap_or(day)
}

/// The first and last day of the period numbered `ordinal` (see [`period_ordinal`]).
fn period_span(dimension: Dimension, ordinal: i64) -> Option<(NaiveDate, NaiveDate)> {
    match dimension {
        Dimension::Mes => {
            let year = i32::try_from(ordinal.div_euclid(12)).ok()?;
            let month = u32::try_from(ordinal.rem_euclid(12)).ok()? + 1;
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            let last = first
                .checked_add_months(chrono::Months::new(1))
                .and_then(|next| next.pred_opt())
                .unwrap_or(NaiveDate::MAX);
            Some((first, last))
        }
        Dimension::Semana => {
            let first = NaiveDate::from_num_days_from_ce_opt(i32::try_from(ordinal).ok()?)?;
            let last = first
                .checked_add_days(Days::new(6))
                .unwrap_or(NaiveDate::MAX);
            Some((first, last))
        }
        _ => {
            let day = NaiveDate::from_num_days_from_ce_opt(i32::try_from(ordinal).ok()?)?;
            Some((day, day))
        }
    }
}

/// How far apart consecutive periods' ordinals are.
fn period_step(dimension: Dimension) -> i64 {
    if dimension == Dimension::Semana { 7 } else { 1 }
}

const MONTHS: [&str; 12] = [
    "jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez",
];

/// The label and the JSON key of a period.
fn period_names(dimension: Dimension, (first, last): (NaiveDate, NaiveDate)) -> (String, String) {
    match dimension {
        Dimension::Mes => {
            let month = MONTHS
                .get(first.month0() as usize)
                .copied()
                .unwrap_or_default();
            (
                format!("{month}/{}", first.year()),
                first.format("%Y-%m").to_string(),
            )
        }
        Dimension::Semana => {
            let start = if first.year() == last.year() {
                first.format("%d/%m").to_string()
            } else {
                crate::fmt::date_br(first)
            };
            let week = first.iso_week();
            (
                format!("{start} a {}", crate::fmt::date_br(last)),
                format!("{:04}-W{:02}", week.year(), week.week()),
            )
        }
        _ => (
            crate::fmt::date_br(first),
            first.format("%Y-%m-%d").to_string(),
        ),
    }
}

/// Merges the workers' groups and builds the ordered summary.
fn finish(dimension: Dimension, workers: Vec<Accumulator<'_>>) -> Summary {
    let keep_clients = dimension != Dimension::Devedor;
    let mut text_columns = [None, None];
    // Groups in the order first met (never in a hash map's order: see `Merged`).
    let mut index: MixedMap<RawKey<'_>, usize> = MixedMap::default();
    let mut keys: Vec<RawKey<'_>> = Vec::new();
    let mut merged: Vec<Merged> = Vec::new();
    let mut total = Merged::default();
    // The most groups the other workers can add: the map grows once, not step by step.
    let others: usize = workers.iter().map(|worker| worker.keys.len()).sum();
    for worker in workers {
        text_columns = worker.text_columns;
        if keys.is_empty() {
            // The first worker with groups starts the merge: its map is taken, not copied.
            index = worker.groups;
            index.reserve(others.saturating_sub(index.len()));
            keys = worker.keys;
            merged = worker.tallies.into_iter().map(Merged::of).collect();
        } else {
            for (key, tally) in worker.keys.into_iter().zip(worker.tallies) {
                match index.entry(key) {
                    std::collections::hash_map::Entry::Occupied(entry) => {
                        if let Some(group) = merged.get_mut(*entry.get()) {
                            group.add(tally);
                        }
                    }
                    std::collections::hash_map::Entry::Vacant(entry) => {
                        entry.insert(merged.len());
                        keys.push(key);
                        merged.push(Merged::of(tally));
                    }
                }
            }
        }
        total.add(worker.total);
    }
    drop(index);
    let mut total = total.counts(keep_clients);
    if !keep_clients {
        // The key is the debtor: the distinct debtors are the distinct ids of the groups.
        let mut ids: Vec<i64> = keys.iter().filter_map(|(id, _, _)| *id).collect();
        par_sort_by(&mut ids, i64::cmp);
        ids.dedup();
        total.devedores = ids.len() as u64;
    }
    let groups = if dimension.is_period() {
        let periods = keys
            .iter()
            .zip(merged)
            .map(|((ordinal, _, _), group)| (*ordinal, group.counts(keep_clients)))
            .collect();
        period_groups(dimension, periods)
    } else {
        keyed_groups(dimension, text_columns, &keys, merged)
    };
    Summary {
        dimension,
        groups,
        total,
    }
}

/// The text parts of a group's key as the column filters know them (trimmed, a CPF/CNPJ
/// masked; `None` when blank).
type TextKeys<'a> = [Option<Cow<'a, str>>; 2];

/// A group of a non-period dimension once its key is read, before it is built.
#[derive(Clone, Copy)]
struct Keyed<'s, 'a> {
    id: Option<i64>,
    texts: &'s TextKeys<'a>,
    merged: &'s Merged,
}

/// Runs `work` on the pieces of `0..len` on the machine's cores and returns its results in
/// order. `work` only reads, so it cannot fail.
fn in_parallel<T: Send>(len: usize, work: impl Fn(Range<usize>) -> Vec<T> + Sync) -> Vec<T> {
    let never = AtomicBool::new(false);
    par_chunks(len, PAR_CHUNK, &never, || (), |_, range| Some(work(range)))
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// The groups of a non-period dimension, by follow-ups descending, then name.
fn keyed_groups<'a>(
    dimension: Dimension,
    text_columns: [Option<Column>; 2],
    keys: &[RawKey<'a>],
    merged: Vec<Merged>,
) -> Vec<Group> {
    // Each distinct string is read once, and each key hashed, on both cores (a CPF/CNPJ is
    // parsed to be masked).
    let read = |column: Option<Column>, text: Option<ByAddress<'a>>| string_key(column?, text?.0);
    let texts: Vec<(TextKeys<'a>, u64)> = in_parallel(keys.len(), |range| {
        keys.get(range)
            .unwrap_or_default()
            .iter()
            .map(|(id, a, b)| {
                let texts = [read(text_columns[0], *a), read(text_columns[1], *b)];
                let hash = MixedBuild::default().hash_one((id, &texts));
                (texts, hash)
            })
            .collect()
    });
    // Groups whose strings differ but read the same (spaces around a name, a CPF/CNPJ with
    // and without its mask, the same text in two strings) are one group. Keys meet by their
    // hash, confirmed by their text; the rare keys whose hashes collide meet by text.
    let mut slot_of: Vec<usize> = Vec::with_capacity(keys.len());
    let mut first_of: Vec<usize> = Vec::new();
    {
        let mut by_hash: MixedMap<u64, usize> = MixedMap::default();
        by_hash.reserve(keys.len());
        let mut collided: MixedMap<(Option<i64>, &TextKeys<'a>), usize> = MixedMap::default();
        let key_of = |n: usize| {
            keys.get(n)
                .map(|(id, _, _)| *id)
                .zip(texts.get(n).map(|(texts, _)| texts))
        };
        for (n, (_, hash)) in texts.iter().enumerate() {
            let next = first_of.len();
            let slot = *by_hash.entry(*hash).or_insert(next);
            let slot = if slot == next || first_of.get(slot).and_then(|&m| key_of(m)) == key_of(n) {
                slot
            } else {
                match key_of(n) {
                    Some(key) => *collided.entry(key).or_insert(next),
                    None => next,
                }
            };
            if slot == next {
                first_of.push(n);
            }
            slot_of.push(slot);
        }
    }
    // Each group is known by its first key; the others' numbers are merged into it.
    let mut merged = merged;
    if first_of.len() < merged.len() {
        for (n, &slot) in slot_of.iter().enumerate() {
            let first = first_of.get(slot).copied().unwrap_or(n);
            if first != n {
                let group = merged.get_mut(n).map(std::mem::take).unwrap_or_default();
                if let Some(into) = merged.get_mut(first) {
                    into.absorb(group);
                }
            }
        }
    }
    let keyed: Vec<Keyed<'_, 'a>> = first_of
        .iter()
        .filter_map(|&n| {
            Some(Keyed {
                id: keys.get(n)?.0,
                texts: &texts.get(n)?.0,
                merged: merged.get(n)?,
            })
        })
        .collect();
    order_keyed(dimension, &keyed)
}

/// One group to order: its follow-ups (descending, as `!n`), sixteen bytes of its folded
/// label (big-endian, after the bytes every label shares) and where it is.
#[derive(Clone, Copy)]
struct OrderItem {
    follow_ups: u64,
    prefix: u128,
    index: u32,
}

/// A group's label, where its text keys are in it, and its numbers, before it is ordered.
type Labelled = (String, [TextKeyAt; 2], Counts);

/// The groups built from their keys, by follow-ups descending, then name ignoring case and
/// accents, then the name as written, the id and the key.
///
/// Labels and counts are made on both cores, each piece folding its labels into one buffer
/// of its own (no string per group); the groups are then built once, in their final order.
fn order_keyed(dimension: Dimension, keyed: &[Keyed<'_, '_>]) -> Vec<Group> {
    let keep_clients = dimension != Dimension::Devedor;
    let never = AtomicBool::new(false);
    let mut pieces: Vec<(Vec<Labelled>, String, Vec<usize>)> = par_chunks(
        keyed.len(),
        PAR_CHUNK,
        &never,
        || (),
        |_, range| {
            let keyed = keyed.get(range)?;
            let mut folded = String::new();
            let mut ends = Vec::with_capacity(keyed.len());
            let labelled = keyed
                .iter()
                .map(|group| {
                    let (label, text_keys) = group_label(dimension, group.id, group.texts);
                    fold_into(&label, &mut folded);
                    ends.push(folded.len());
                    (label, text_keys, group.merged.counts(keep_clients))
                })
                .collect();
            Some((labelled, folded, ends))
        },
    )
    .unwrap_or_default();
    // Group `n` is item `n % PAR_CHUNK` of piece `n / PAR_CHUNK`.
    let locate = |index: usize| (index / PAR_CHUNK, index % PAR_CHUNK);
    let fold_of = |index: usize| {
        let (piece, at) = locate(index);
        pieces
            .get(piece)
            .and_then(|(_, folded, ends)| {
                let start = if at == 0 { 0 } else { *ends.get(at - 1)? };
                folded.as_bytes().get(start..*ends.get(at)?)
            })
            .unwrap_or_default()
    };
    let labelled = |index: usize| {
        let (piece, at) = locate(index);
        pieces
            .get(piece)
            .and_then(|(labelled, _, _)| labelled.get(at))
    };
    // The bytes every label starts with ("devedor sintético …") decide nothing: the prefix
    // keys start after them.
    let first = fold_of(0);
    let shared = (1..keyed.len()).fold(first.len(), |shared, index| {
        if shared == 0 {
            0
        } else {
            shared.min(crate::results::common_prefix(first, fold_of(index)))
        }
    });
    let mut items: Vec<OrderItem> = (0..keyed.len())
        .filter_map(|index| {
            let (_, _, counts) = labelled(index)?;
            let mut prefix = [0u8; 16];
            let rest = fold_of(index).get(shared..).unwrap_or_default();
            for (to, from) in prefix.iter_mut().zip(rest) {
                *to = *from;
            }
            Some(OrderItem {
                follow_ups: !counts.follow_ups,
                prefix: u128::from_be_bytes(prefix),
                index: u32::try_from(index).ok()?,
            })
        })
        .collect();
    let text_keys_of = |index: usize| {
        let (label, at, _) = labelled(index)?;
        let group = keyed.get(index)?;
        Some(at.map(|at| match at {
            TextKeyAt::Blank => None,
            TextKeyAt::Label(start, end) => label.get(start..end),
            TextKeyAt::Codigo => group.texts[0].as_deref(),
        }))
    };
    par_sort_by(&mut items, |x, y| {
        (x.follow_ups, x.prefix)
            .cmp(&(y.follow_ups, y.prefix))
            .then_with(|| {
                let (a, b) = (x.index as usize, y.index as usize);
                let label = |index: usize| labelled(index).map(|(label, _, _)| label);
                let id = |index: usize| keyed.get(index).map(|group| group.id);
                fold_of(a)
                    .cmp(fold_of(b))
                    .then_with(|| label(a).cmp(&label(b)))
                    .then_with(|| id(a).cmp(&id(b)))
                    .then_with(|| text_keys_of(a).cmp(&text_keys_of(b)))
            })
    });
    let mut groups = Vec::with_capacity(items.len());
    for item in items {
        let index = item.index as usize;
        let (piece, at) = locate(index);
        let (Some(group), Some((label, text_keys, counts))) = (
            keyed.get(index),
            pieces
                .get_mut(piece)
                .and_then(|(labelled, _, _)| labelled.get_mut(at)),
        ) else {
            continue;
        };
        let missing = group.id.is_none() && group.texts.iter().all(Option::is_none);
        groups.push(Group {
            label: std::mem::take(label),
            id: if dimension.has_id() { group.id } else { None },
            codigo: if dimension.has_code() {
                group.texts[0].as_deref().map(str::to_owned)
            } else {
                None
            },
            missing,
            period: None,
            counts: std::mem::take(counts),
            period_key: None,
            text_keys: *text_keys,
        });
    }
    groups
}

/// A group's label: a code's label, the debtor's name and CPF/CNPJ, a name, or the id when
/// the name is missing; "(sem …)" when the whole key is. With it, where the text keys are.
fn group_label(
    dimension: Dimension,
    id: Option<i64>,
    texts: &TextKeys<'_>,
) -> (String, [TextKeyAt; 2]) {
    let [first, second] = texts;
    let (first, second) = (first.as_deref(), second.as_deref());
    let whole = |text: &str| TextKeyAt::Label(0, text.len());
    let blank = TextKeyAt::Blank;
    if id.is_none() && first.is_none() && second.is_none() {
        return (dimension.missing_label().to_owned(), [blank; 2]);
    }
    match dimension {
        Dimension::Canal => (
            TipoContato::from_code(first.unwrap_or_default())
                .label()
                .to_owned(),
            [first.map_or(blank, |_| TextKeyAt::Codigo), blank],
        ),
        Dimension::TipoEvento => (
            TipoEvento::from_code(first.unwrap_or_default())
                .label()
                .to_owned(),
            [first.map_or(blank, |_| TextKeyAt::Codigo), blank],
        ),
        Dimension::Devedor => match (first, second) {
            (Some(name), Some(doc)) => {
                let doc_start = name.len() + " (".len();
                (
                    format!("{name} ({doc})"),
                    [
                        whole(name),
                        TextKeyAt::Label(doc_start, doc_start + doc.len()),
                    ],
                )
            }
            (Some(name), None) => (name.to_owned(), [whole(name), blank]),
            (None, Some(doc)) => (doc.to_owned(), [blank, whole(doc)]),
            (None, None) => (format!("Devedor {}", id.unwrap_or_default()), [blank; 2]),
        },
        _ => match first {
            Some(name) => (name.to_owned(), [whole(name), blank]),
            None => (
                format!("{} {}", dimension.label(), id.unwrap_or_default()),
                [blank; 2],
            ),
        },
    }
}

/// The groups of a period dimension, by date, the gaps filled at zero (when the span is at
/// most [`MAX_FILLED_PERIODS`]), "(sem data)" last.
fn period_groups(dimension: Dimension, merged: Vec<(Option<i64>, Counts)>) -> Vec<Group> {
    let mut missing = None;
    let mut periods: Vec<(i64, Counts)> = Vec::with_capacity(merged.len());
    for (ordinal, counts) in merged {
        match ordinal {
            Some(ordinal) => periods.push((ordinal, counts)),
            None => missing = Some(counts),
        }
    }
    periods.sort_unstable_by_key(|(ordinal, _)| *ordinal);
    let step = period_step(dimension);
    let span = match (periods.first(), periods.last()) {
        (Some((first, _)), Some((last, _))) => {
            (i128::from(*last) - i128::from(*first)) / i128::from(step) + 1
        }
        _ => 0,
    };
    let fill = span > 0 && span <= MAX_FILLED_PERIODS as i128;
    let mut groups = Vec::with_capacity(if fill { span as usize } else { periods.len() } + 1);
    let mut push = |ordinal: i64, counts: Counts| {
        if let Some(period) = period_span(dimension, ordinal) {
            let (label, key) = period_names(dimension, period);
            groups.push(Group {
                label,
                id: None,
                codigo: None,
                missing: false,
                period: Some(period),
                counts,
                period_key: Some(key),
                text_keys: [TextKeyAt::Blank; 2],
            });
        }
    };
    let mut next = periods.first().map(|(ordinal, _)| *ordinal);
    for (ordinal, counts) in periods {
        if fill {
            while let Some(gap) = next.filter(|gap| *gap < ordinal) {
                push(gap, Counts::default());
                next = gap.checked_add(step);
            }
        }
        push(ordinal, counts);
        next = ordinal.checked_add(step);
    }
    if let Some(counts) = missing {
        groups.push(Group {
            label: dimension.missing_label().to_owned(),
            id: None,
            codigo: None,
            missing: true,
            period: None,
            counts,
            period_key: None,
            text_keys: [TextKeyAt::Blank; 2],
        });
    }
    groups
}

/// A column of the group table.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum SummaryColumn {
    /// The group's label.
    Grupo,
    /// The id (consultor, evento, credor, devedor).
    Id,
    /// The API's code (canal, tipo-evento).
    Codigo,
    /// [`Counts::follow_ups`].
    FollowUps,
    /// [`Counts::produtivos`].
    Produtivos,
    /// [`Counts::improdutivos`].
    Improdutivos,
    /// [`Counts::pct_produtivos`].
    PctProdutivos,
    /// [`Counts::devedores`].
    Devedores,
    /// [`Counts::reagendamentos`].
    Reagendamentos,
    /// [`Counts::primeira_data`].
    PrimeiraData,
    /// [`Counts::ultima_data`].
    UltimaData,
}

/// A cell of the group table, typed so each output formats it its own way.
#[derive(Clone, Debug, PartialEq)]
pub enum SummaryCell {
    /// Text (a label, a code, "Total").
    Text(String),
    /// An id or a count.
    Int(i64),
    /// A percentage (`73.4` for 73,4 %), `None` when undefined.
    Pct(Option<f64>),
    /// A day, `None` when there is none.
    Date(Option<NaiveDate>),
    /// Nothing (the id of the total row, of a missing group).
    Empty,
}

/// A count as a cell (saturating at `i64::MAX`, far beyond any real count).
fn count_cell(value: u64) -> SummaryCell {
    SummaryCell::Int(i64::try_from(value).unwrap_or(i64::MAX))
}

impl SummaryColumn {
    /// The columns of the group table of `dimension`: Grupo, the id or the code when the
    /// dimension has one, then the numbers.
    pub fn for_dimension(dimension: Dimension) -> Vec<SummaryColumn> {
        let mut columns = vec![SummaryColumn::Grupo];
        if dimension.has_id() {
            columns.push(SummaryColumn::Id);
        }
        if dimension.has_code() {
            columns.push(SummaryColumn::Codigo);
        }
        columns.extend([
            SummaryColumn::FollowUps,
            SummaryColumn::Produtivos,
            SummaryColumn::Improdutivos,
            SummaryColumn::PctProdutivos,
            SummaryColumn::Devedores,
            SummaryColumn::Reagendamentos,
            SummaryColumn::PrimeiraData,
            SummaryColumn::UltimaData,
        ]);
        columns
    }

    /// The Portuguese header (the group column is named after the dimension: "Consultor").
    pub fn header(self, dimension: Dimension) -> &'static str {
        match self {
            SummaryColumn::Grupo => dimension.label(),
            SummaryColumn::Id => "ID",
            SummaryColumn::Codigo => "Código",
            SummaryColumn::FollowUps => "Follow-ups",
            SummaryColumn::Produtivos => "Produtivos",
            SummaryColumn::Improdutivos => "Improdutivos",
            SummaryColumn::PctProdutivos => "% produtivos",
            SummaryColumn::Devedores => "Devedores",
            SummaryColumn::Reagendamentos => "Reagendamentos",
            SummaryColumn::PrimeiraData => "Primeira data",
            SummaryColumn::UltimaData => "Última data",
        }
    }

    /// The cell of `group` in this column.
    pub fn cell(self, group: &Group) -> SummaryCell {
        match self {
            SummaryColumn::Grupo => SummaryCell::Text(group.label.clone()),
            SummaryColumn::Id => group.id.map_or(SummaryCell::Empty, SummaryCell::Int),
            SummaryColumn::Codigo => group
                .codigo
                .clone()
                .map_or(SummaryCell::Empty, SummaryCell::Text),
            _ => self.total_cell(&group.counts),
        }
    }

    /// The cell of the total row in this column ("Total" in the group column).
    pub fn total_cell(self, total: &Counts) -> SummaryCell {
        match self {
            SummaryColumn::Grupo => SummaryCell::Text("Total".to_owned()),
            SummaryColumn::Id | SummaryColumn::Codigo => SummaryCell::Empty,
            SummaryColumn::FollowUps => count_cell(total.follow_ups),
            SummaryColumn::Produtivos => count_cell(total.produtivos),
            SummaryColumn::Improdutivos => count_cell(total.improdutivos),
            SummaryColumn::PctProdutivos => SummaryCell::Pct(total.pct_produtivos()),
            SummaryColumn::Devedores => count_cell(total.devedores),
            SummaryColumn::Reagendamentos => count_cell(total.reagendamentos),
            SummaryColumn::PrimeiraData => SummaryCell::Date(total.primeira_data),
            SummaryColumn::UltimaData => SummaryCell::Date(total.ultima_data),
        }
    }
}

/// The group indices of `summary` sorted by `column` (names ignoring case and accents,
/// periods by date, numbers by value), ties in the summary's order. Missing groups and empty
/// cells stay last in both directions, like blanks in the table.
pub fn sorted_groups(summary: &Summary, column: SummaryColumn, descending: bool) -> Vec<u32> {
    let groups = &summary.groups;
    let mut order: Vec<u32> = (0..groups.len().min(u32::MAX as usize) as u32).collect();
    let folded: Vec<String> = if column == SummaryColumn::Grupo && !summary.dimension.is_period() {
        groups.iter().map(|group| fold(&group.label)).collect()
    } else {
        Vec::new()
    };
    let direction = |ordering: Ordering| {
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    };
    // Values compared with `None` (an empty cell) last whatever the direction.
    fn blanks_last<T>(a: Option<T>, b: Option<T>, compare: impl Fn(T, T) -> Ordering) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => compare(a, b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    order.sort_by(|&a, &b| {
        let (Some(ga), Some(gb)) = (groups.get(a as usize), groups.get(b as usize)) else {
            return Ordering::Equal;
        };
        if ga.missing != gb.missing {
            return ga.missing.cmp(&gb.missing);
        }
        match column {
            SummaryColumn::Grupo if summary.dimension.is_period() => {
                blanks_last(ga.period, gb.period, |x, y| direction(x.cmp(&y)))
            }
            SummaryColumn::Grupo => {
                let fa = folded.get(a as usize);
                let fb = folded.get(b as usize);
                direction(fa.cmp(&fb).then_with(|| ga.label.cmp(&gb.label)))
            }
            SummaryColumn::Id => blanks_last(ga.id, gb.id, |x, y| direction(x.cmp(&y))),
            SummaryColumn::Codigo => blanks_last(ga.codigo.as_ref(), gb.codigo.as_ref(), |x, y| {
                direction(x.cmp(y))
            }),
            SummaryColumn::PctProdutivos => blanks_last(
                ga.counts.pct_produtivos(),
                gb.counts.pct_produtivos(),
                |x, y| direction(x.total_cmp(&y)),
            ),
            SummaryColumn::PrimeiraData => {
                blanks_last(ga.counts.primeira_data, gb.counts.primeira_data, |x, y| {
                    direction(x.cmp(&y))
                })
            }
            SummaryColumn::UltimaData => {
                blanks_last(ga.counts.ultima_data, gb.counts.ultima_data, |x, y| {
                    direction(x.cmp(&y))
                })
            }
            SummaryColumn::FollowUps
            | SummaryColumn::Produtivos
            | SummaryColumn::Improdutivos
            | SummaryColumn::Devedores
            | SummaryColumn::Reagendamentos => {
                direction(count_of(column, &ga.counts).cmp(&count_of(column, &gb.counts)))
            }
        }
    });
    order
}

/// The count a numeric column shows.
fn count_of(column: SummaryColumn, counts: &Counts) -> u64 {
    match column {
        SummaryColumn::Produtivos => counts.produtivos,
        SummaryColumn::Improdutivos => counts.improdutivos,
        SummaryColumn::Devedores => counts.devedores,
        SummaryColumn::Reagendamentos => counts.reagendamentos,
        _ => counts.follow_ups,
    }
}

#[cfg(test)]
mod tests;
