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

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;

use chrono::{Datelike as _, Days, NaiveDate};

use crate::api::{Column, Followup, SimNao, TipoContato, TipoEvento, Value};
use crate::results::hash::{FxHashSet, FxHasher};
use crate::results::parallel::{PAR_CHUNK, par_fold, par_sort_by};
use crate::results::{Cancelled, ColumnFilter, Rows, fold, value_key};

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
    /// JSON's `"grupo"`: the label, except periods: `"2024-01-10"`, `"2024-W02"`, `"2024-01"`.
    pub key: String,
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
    /// The column-filter keys of the key's text parts (name, CPF/CNPJ, login, code), `None`
    /// where blank.
    text_keys: Vec<Option<String>>,
}

impl Group {
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
        for (column, key) in columns.zip(&self.text_keys) {
            filters.push((
                column,
                ColumnFilter::Values {
                    values: key.iter().cloned().collect::<BTreeSet<String>>(),
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
    acc: Accumulator,
    rows: std::marker::PhantomData<&'a Followup>,
}

impl<'a> SummaryBuilder<'a> {
    /// An empty summary by `dimension`.
    pub fn new(dimension: Dimension) -> SummaryBuilder<'a> {
        SummaryBuilder {
            acc: Accumulator::new(dimension),
            rows: std::marker::PhantomData,
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
        match row.tipo_evento {
            Some(TipoEvento::Produtivo) => self.produtivos += 1,
            Some(TipoEvento::Improdutivo) => self.improdutivos += 1,
            _ => {}
        }
        if row.reagendar == Some(SimNao::Sim) {
            self.reagendamentos += 1;
        }
        if let Some(data) = row.data {
            let day = data.date();
            self.first = Some(self.first.map_or(day, |first| first.min(day)));
            self.last = Some(self.last.map_or(day, |last| last.max(day)));
        }
        if let Some(client) = row.id_cliente {
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
    fn counts(mut self, keep_clients: bool) -> Counts {
        self.counts.devedores = if !keep_clients {
            u64::from(self.any_client)
        } else {
            match self.clients.len() {
                0 => 0,
                1 => self.clients.iter().map(|set| set.len() as u64).sum(),
                _ => {
                    let mut all: Vec<i64> =
                        Vec::with_capacity(self.clients.iter().map(FxHashSet::len).sum());
                    for set in self.clients {
                        all.extend(set);
                    }
                    par_sort_by(&mut all, i64::cmp);
                    all.dedup();
                    all.len() as u64
                }
            }
        };
        self.counts
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

/// A hash map with [`MixedHasher`].
type MixedMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<MixedHasher>>;

/// A group's key while folding: the id (or the period's ordinal) and up to two text parts,
/// as indices into the accumulator's strings (0: blank).
type RawKey = (Option<i64>, u32, u32);

/// Text keys interned: index 0 is the blank value.
struct Interner {
    strings: Vec<String>,
    index: MixedMap<String, u32>,
}

impl Interner {
    fn new() -> Interner {
        Interner {
            strings: vec![String::new()],
            index: MixedMap::default(),
        }
    }

    fn intern(&mut self, key: Option<String>) -> u32 {
        let Some(key) = key else {
            return 0;
        };
        if let Some(&id) = self.index.get(&key) {
            return id;
        }
        let id = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(key.clone());
        self.index.insert(key, id);
        id
    }

    fn get(&self, id: u32) -> Option<&str> {
        if id == 0 {
            return None;
        }
        self.strings.get(id as usize).map(String::as_str)
    }
}

/// One worker's groups.
struct Accumulator {
    dimension: Dimension,
    /// The text key columns (names, CPF/CNPJ, codes, logins), at most two.
    text_columns: Vec<Column>,
    interner: Interner,
    /// Per text column: the interned key of each shared string, by its address.
    memos: Vec<MixedMap<(usize, usize), u32>>,
    groups: MixedMap<RawKey, usize>,
    /// The keys in the order first seen (the `tallies`' order).
    keys: Vec<RawKey>,
    tallies: Vec<Tally>,
    total: Tally,
    /// Whether groups keep their set of clients (not when the key is the debtor).
    keep_clients: bool,
}

impl Accumulator {
    fn new(dimension: Dimension) -> Accumulator {
        let text_columns: Vec<Column> = if dimension.is_period() {
            Vec::new()
        } else {
            dimension
                .key_columns()
                .iter()
                .copied()
                .skip(usize::from(dimension.has_id()))
                .collect()
        };
        Accumulator {
            dimension,
            memos: text_columns.iter().map(|_| MixedMap::default()).collect(),
            text_columns,
            interner: Interner::new(),
            groups: MixedMap::default(),
            keys: Vec::new(),
            tallies: Vec::new(),
            total: Tally::default(),
            keep_clients: dimension != Dimension::Devedor,
        }
    }

    /// The interned key of the text of `column` in `row` (0 when blank).
    #[inline]
    fn text_part(&mut self, slot: usize, row: &Followup) -> u32 {
        let Some(&column) = self.text_columns.get(slot) else {
            return 0;
        };
        let raw = match row.value(column) {
            Value::Text(text) | Value::Code(text, _) => text,
            _ => return 0,
        };
        let (Some(memo), interner) = (self.memos.get_mut(slot), &mut self.interner) else {
            return 0;
        };
        // Shared strings (`Arc<str>`) are keyed once, by their address and length.
        *memo
            .entry((raw.as_ptr() as usize, raw.len()))
            .or_insert_with(|| interner.intern(value_key(column, row.value(column))))
    }

    #[inline]
    fn key(&mut self, row: &Followup) -> RawKey {
        let id = match self.dimension {
            Dimension::Consultor => row.id_consultor,
            Dimension::Evento => row.id_evento,
            Dimension::Credor => row.id_credor,
            Dimension::Devedor => row.id_cliente,
            Dimension::Dia | Dimension::Semana | Dimension::Mes => {
                return (
                    row.data
                        .map(|data| period_ordinal(self.dimension, data.date())),
                    0,
                    0,
                );
            }
            Dimension::Canal | Dimension::TipoEvento | Dimension::ReagendadoPor => None,
        };
        (id, self.text_part(0, row), self.text_part(1, row))
    }

    #[inline]
    fn add(&mut self, row: &Followup) {
        let key = self.key(row);
        let slot = match self.groups.get(&key) {
            Some(&slot) => slot,
            None => {
                self.tallies.push(Tally::default());
                self.keys.push(key);
                let slot = self.tallies.len() - 1;
                self.groups.insert(key, slot);
                slot
            }
        };
        if let Some(tally) = self.tallies.get_mut(slot) {
            tally.add(row, self.keep_clients);
        }
        self.total.add(row, true);
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
fn finish(dimension: Dimension, workers: Vec<Accumulator>) -> Summary {
    let mut interner = Interner::new();
    // Groups in the order first met (never in a hash map's order: see `Merged`).
    let mut index: MixedMap<RawKey, usize> = MixedMap::default();
    let mut merged: Vec<(RawKey, Merged)> = Vec::new();
    let mut total = Merged::default();
    let keep_clients = dimension != Dimension::Devedor;
    for worker in workers {
        let Accumulator {
            interner: local,
            keys,
            tallies,
            total: worker_total,
            ..
        } = worker;
        let global: Vec<u32> = local
            .strings
            .into_iter()
            .enumerate()
            .map(|(n, text)| {
                if n == 0 {
                    0
                } else {
                    interner.intern(Some(text))
                }
            })
            .collect();
        let translate = |id: u32| global.get(id as usize).copied().unwrap_or(0);
        for ((id, a, b), tally) in keys.into_iter().zip(tallies) {
            let key = (id, translate(a), translate(b));
            let slot = *index.entry(key).or_insert_with(|| {
                merged.push((key, Merged::default()));
                merged.len() - 1
            });
            if let Some((_, group)) = merged.get_mut(slot) {
                group.add(tally);
            }
        }
        total.add(worker_total);
    }
    drop(index);
    let merged: Vec<(RawKey, Counts)> = merged
        .into_iter()
        .map(|(key, group)| (key, group.counts(keep_clients)))
        .collect();
    let groups = if dimension.is_period() {
        period_groups(dimension, merged)
    } else {
        keyed_groups(dimension, merged, &interner)
    };
    Summary {
        dimension,
        groups,
        total: total.counts(true),
    }
}

/// The groups of a non-period dimension, by follow-ups descending, then name.
fn keyed_groups(
    dimension: Dimension,
    merged: Vec<(RawKey, Counts)>,
    interner: &Interner,
) -> Vec<Group> {
    let mut groups: Vec<(String, Group)> = merged
        .into_iter()
        .map(|((id, a, b), counts)| {
            let text_keys: Vec<Option<String>> = [a, b]
                .into_iter()
                .take(
                    dimension
                        .key_columns()
                        .len()
                        .saturating_sub(usize::from(dimension.has_id())),
                )
                .map(|part| interner.get(part).map(str::to_owned))
                .collect();
            let group = keyed_group(dimension, id, text_keys, counts);
            (fold(&group.label), group)
        })
        .collect();
    groups.sort_by(|(fold_a, a), (fold_b, b)| {
        b.counts
            .follow_ups
            .cmp(&a.counts.follow_ups)
            .then_with(|| fold_a.cmp(fold_b))
            .then_with(|| a.label.cmp(&b.label))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.text_keys.cmp(&b.text_keys))
    });
    groups.into_iter().map(|(_, group)| group).collect()
}

/// One group of a non-period dimension from its key.
fn keyed_group(
    dimension: Dimension,
    id: Option<i64>,
    text_keys: Vec<Option<String>>,
    counts: Counts,
) -> Group {
    let first = text_keys.first().cloned().flatten();
    let second = text_keys.get(1).cloned().flatten();
    let missing = id.is_none() && first.is_none() && second.is_none();
    let label = if missing {
        dimension.missing_label().to_owned()
    } else {
        match dimension {
            Dimension::Canal => TipoContato::from_code(first.as_deref().unwrap_or_default())
                .label()
                .to_owned(),
            Dimension::TipoEvento => TipoEvento::from_code(first.as_deref().unwrap_or_default())
                .label()
                .to_owned(),
            Dimension::Devedor => match (&first, &second, id) {
                (Some(name), Some(doc), _) => format!("{name} ({doc})"),
                (Some(name), None, _) => name.clone(),
                (None, Some(doc), _) => doc.clone(),
                (None, None, id) => format!("Devedor {}", id.unwrap_or_default()),
            },
            _ => match (&first, id) {
                (Some(name), _) => name.clone(),
                (None, id) => format!("{} {}", dimension.label(), id.unwrap_or_default()),
            },
        }
    };
    Group {
        key: label.clone(),
        label,
        id: if dimension.has_id() { id } else { None },
        codigo: if dimension.has_code() {
            first.clone()
        } else {
            None
        },
        missing,
        period: None,
        counts,
        text_keys,
    }
}

/// The groups of a period dimension, by date, the gaps filled at zero (when the span is at
/// most [`MAX_FILLED_PERIODS`]), "(sem data)" last.
fn period_groups(dimension: Dimension, merged: Vec<(RawKey, Counts)>) -> Vec<Group> {
    let mut missing = None;
    let mut periods: Vec<(i64, Counts)> = Vec::with_capacity(merged.len());
    for ((ordinal, _, _), counts) in merged {
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
                key,
                id: None,
                codigo: None,
                missing: false,
                period: Some(period),
                counts,
                text_keys: Vec::new(),
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
            key: dimension.missing_label().to_owned(),
            id: None,
            codigo: None,
            missing: true,
            period: None,
            counts,
            text_keys: Vec::new(),
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
