//! The agenda of reschedules: what is due, what is overdue, what was kept (issue 14).
//!
//! Pure: no UI, no I/O. The window, the CLI and the exports all call [`agenda`] (or
//! [`agenda_of`] for a plain slice), so a number means the same everywhere.
//!
//! # The rules
//! An **entry** is every row with `reagendar` = S. Its due date is the date part of
//! `data_reagendamento`, its time `horario_reagendamento`; either may be missing. Given a
//! reference date *R*, each entry gets one [`Situacao`], checked in this order:
//!
//! | situação | rule |
//! |---|---|
//! | `realizado` | the same debtor has **another** follow-up whose `data` (date part) is on or after the due date; `realizado_em` is the earliest such date |
//! | `sem_data` | no due date |
//! | `atrasado` | due before *R* |
//! | `hoje` | due on *R* |
//! | `proximos_7_dias` | due after *R*, up to and including *R* + 7 |
//! | `depois` | due after *R* + 7 |
//!
//! # Identity, and rows that cannot be matched
//! - A debtor is the pair (`id_credor`, `id_cliente`). A row missing either id cannot be
//!   attributed to a debtor: as an entry it is never `realizado` (it gets its date's
//!   situação), and it never fulfils any other entry. Names or documents are not used as a
//!   fallback: the same document can owe several creditors under different `id_cliente`s.
//! - "Another follow-up" means another row whose `id_followup` differs from the entry's.
//!   When either id is missing, rows are told apart by their position instead (a row never
//!   fulfils itself); two rows carrying the same `id_followup` (a repeat) never fulfil each
//!   other.
//! - A follow-up without `data` fulfils nothing.
//!
//! # Compliance ([`Cumprimento`])
//! Per `reagendado_por` and per consultant (`id_consultor`) of the entry: *due* = entries due
//! on or before *R*; *kept* = the due ones that are `realizado`; *overdue* = the due ones that
//! are `atrasado`; `pct_cumprimento` = kept ÷ due × 100 to 1 decimal, `None` when nothing is
//! due.
//!
//! # Cost
//! Every step runs on all cores, and each row is read once, in the view's order (only a contact
//! without `id_followup` is read again, to tell it from an entry). One pass over the rows (parallel
//! chunks) keeps what the rest needs: each dated, attributable row's `(debtor, day, row, id)` and
//! each entry's query `(debtor, due day)`, both in one of 16 shards by debtor, and each entry's
//! fields. Each shard groups its contacts by debtor (a counting sort) and sorts each debtor's by
//! day (shards in parallel); the queries, in tasks of one chunk's queries to one shard, find their
//! debtor's first other contact on or after the due day by binary search (a single large debtor is
//! still searched on every core). Then the entries are classified, keyed and counted in parallel
//! chunks, their packed keys sorted and the entries gathered in agenda order. Memory is about 50
//! bytes per row at the peak plus about 250 bytes per reschedule, whatever the dates say (no
//! per-day structure). 1,000,000 rows with 250,000 entries take well under the 300 ms target on two
//! cores (`cargo bench --bench agenda`; the README has the numbers).

use std::borrow::Borrow;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

use chrono::{Datelike as _, NaiveDate, NaiveTime};

use crate::api::{Followup, SimNao};
use crate::results::hash::FxHashMap;
use crate::results::parallel::{PAR_CHUNK, par_chunks, par_sort_by};
use crate::results::{Cancelled, Rows, fold};

/// The state of an agenda entry relative to the reference date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Situacao {
    /// Another follow-up of the same debtor happened on or after the due date.
    Realizado,
    /// The entry has no due date.
    SemData,
    /// Due before the reference date and not kept.
    Atrasado,
    /// Due on the reference date and not kept.
    Hoje,
    /// Due within the 7 days after the reference date.
    Proximos7Dias,
    /// Due more than 7 days after the reference date.
    Depois,
}

impl Situacao {
    /// Every situação, in the order of the rules.
    pub const ALL: [Situacao; 6] = [
        Situacao::Realizado,
        Situacao::SemData,
        Situacao::Atrasado,
        Situacao::Hoje,
        Situacao::Proximos7Dias,
        Situacao::Depois,
    ];

    /// The name in JSON and on the command line: `"proximos_7_dias"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Situacao::Realizado => "realizado",
            Situacao::SemData => "sem_data",
            Situacao::Atrasado => "atrasado",
            Situacao::Hoje => "hoje",
            Situacao::Proximos7Dias => "proximos_7_dias",
            Situacao::Depois => "depois",
        }
    }

    /// The situação for its JSON name, if it is one.
    pub fn from_str_name(name: &str) -> Option<Situacao> {
        Situacao::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The Portuguese label of one entry's state: `"Próximos 7 dias"`.
    pub fn label(self) -> &'static str {
        match self {
            Situacao::Realizado => "Realizado",
            Situacao::SemData => "Sem data",
            Situacao::Atrasado => "Atrasado",
            Situacao::Hoje => "Hoje",
            Situacao::Proximos7Dias => "Próximos 7 dias",
            Situacao::Depois => "Depois",
        }
    }

    /// The Portuguese title of this situação's group in the window: `"Atrasados"`.
    pub fn group_label(self) -> &'static str {
        match self {
            Situacao::Realizado => "Realizados",
            Situacao::SemData => "Sem data",
            Situacao::Atrasado => "Atrasados",
            Situacao::Hoje => "Hoje",
            Situacao::Proximos7Dias => "Próximos 7 dias",
            Situacao::Depois => "Depois",
        }
    }

    /// The position in [`Situacao::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The situação of a due date that nothing fulfilled, relative to `reference`: `SemData`
/// without a date, else by the distance in days.
pub fn situacao_by_date(due: Option<NaiveDate>, reference: NaiveDate) -> Situacao {
    let Some(due) = due else {
        return Situacao::SemData;
    };
    let days = i64::from(due.num_days_from_ce()) - i64::from(reference.num_days_from_ce());
    match days {
        ..0 => Situacao::Atrasado,
        0 => Situacao::Hoje,
        1..=7 => Situacao::Proximos7Dias,
        _ => Situacao::Depois,
    }
}

/// One reschedule, pointing at its source row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AgendaEntry {
    /// The source row: its index in the [`Rows`] given to [`agenda`] (arrival order), or its
    /// position in the slice given to [`agenda_of`].
    pub row: u32,
    /// The due date: `data_reagendamento`'s date part.
    pub due_date: Option<NaiveDate>,
    /// The due time: `horario_reagendamento`.
    pub due_time: Option<NaiveTime>,
    /// The state relative to the reference date.
    pub situacao: Situacao,
    /// For `realizado`: the date of the earliest follow-up that kept it.
    pub realizado_em: Option<NaiveDate>,
}

/// How many entries each situação has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SituacaoCounts([u64; 6]);

impl SituacaoCounts {
    /// The count of one situação.
    pub fn get(&self, situacao: Situacao) -> u64 {
        self.0[situacao.index()]
    }

    /// Every entry.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    fn add(&mut self, situacao: Situacao) {
        self.0[situacao.index()] += 1;
    }
}

/// One line of the compliance table.
#[derive(Clone, Debug, PartialEq)]
pub struct Cumprimento {
    /// As shown: the login (`reagendado_por`) or the consultant's name; `"(sem …)"` for the
    /// missing group; `"Total"` for the total.
    pub grupo: String,
    /// The consultant's id (per consultant only; `None` for the missing group).
    pub id: Option<i64>,
    /// Whether this is the group of entries without the key.
    pub missing: bool,
    /// Every entry of the group, due or not.
    pub entradas: u64,
    /// Entries due on or before the reference date.
    pub devidos: u64,
    /// Due entries that were kept (`realizado`).
    pub realizados: u64,
    /// Due entries that are `atrasado`.
    pub atrasados: u64,
}

impl Cumprimento {
    fn new(grupo: String, id: Option<i64>, missing: bool) -> Cumprimento {
        Cumprimento {
            grupo,
            id,
            missing,
            entradas: 0,
            devidos: 0,
            realizados: 0,
            atrasados: 0,
        }
    }

    /// Kept ÷ due × 100, rounded to 1 decimal; `None` when nothing is due.
    pub fn pct_cumprimento(&self) -> Option<f64> {
        if self.devidos == 0 {
            return None;
        }
        #[allow(clippy::cast_precision_loss)]
        let pct = self.realizados as f64 * 100.0 / self.devidos as f64;
        Some((pct * 10.0).round() / 10.0)
    }

    /// A line with no name and no entries yet.
    fn blank() -> Cumprimento {
        Cumprimento::new(String::new(), None, false)
    }

    /// Adds the counts of `other` (a line of other entries).
    fn absorb(&mut self, other: &Cumprimento) {
        self.entradas += other.entradas;
        self.devidos += other.devidos;
        self.realizados += other.realizados;
        self.atrasados += other.atrasados;
    }

    fn count(&mut self, entry: &AgendaEntry, reference: NaiveDate) {
        self.entradas += 1;
        if entry.due_date.is_some_and(|due| due <= reference) {
            self.devidos += 1;
            match entry.situacao {
                Situacao::Realizado => self.realizados += 1,
                Situacao::Atrasado => self.atrasados += 1,
                _ => {}
            }
        }
    }
}

/// The agenda of a set of rows at a reference date.
#[derive(Clone, Debug, PartialEq)]
pub struct Agenda {
    /// The reference date *R*.
    pub reference: NaiveDate,
    /// Every entry, sorted by due date (missing last), due time (missing last), `id_followup`
    /// (missing last), then source row.
    pub entries: Vec<AgendaEntry>,
    /// Entries per situação.
    pub counts: SituacaoCounts,
    /// Compliance per `reagendado_por`: most due first, then by login; the missing group
    /// last.
    pub por_reagendado_por: Vec<Cumprimento>,
    /// Compliance per consultant of the entry (`id_consultor`), ordered the same way.
    pub por_consultor: Vec<Cumprimento>,
    /// Compliance over every entry.
    pub total: Cumprimento,
}

impl Agenda {
    /// This agenda with only the entries whose source row passes `keep` (the window's
    /// filters on consultant, `reagendado_por` or `reagendar_para`), counts and compliance
    /// recomputed. The situações stay as computed over every row: a reschedule kept by a
    /// follow-up the filter hides (another consultant's call) is still kept. Filter the
    /// entries this way rather than computing [`agenda`] over filtered rows, which would lose
    /// those follow-ups.
    pub fn restricted<R: SourceRows + ?Sized>(
        &self,
        rows: &R,
        keep: impl Fn(u32) -> bool,
    ) -> Agenda {
        let entries: Vec<AgendaEntry> = self
            .entries
            .iter()
            .filter(|entry| keep(entry.row))
            .copied()
            .collect();
        tally(
            entries,
            &|row| rows.source_row(row),
            self.reference,
            PAR_CHUNK,
        )
    }

    /// The entries of one situação, in agenda order.
    pub fn entries_of(&self, situacao: Situacao) -> impl Iterator<Item = &AgendaEntry> + '_ {
        self.entries.iter().filter(move |e| e.situacao == situacao)
    }
}

/// Where an agenda's entries point: the rows it was computed from, by the entries' `row`.
/// Implemented for [`Rows`] (the window's result set) and for slices (the CLI, tests).
pub trait SourceRows: Sync {
    /// The row an entry's `row` points at.
    fn source_row(&self, row: u32) -> Option<&Followup>;
}

impl SourceRows for Rows {
    fn source_row(&self, row: u32) -> Option<&Followup> {
        self.get(row as usize)
    }
}

impl<T: Borrow<Followup> + Sync> SourceRows for [T] {
    fn source_row(&self, row: u32) -> Option<&Followup> {
        self.get(row as usize).map(Borrow::borrow)
    }
}

/// The group name of entries without `reagendado_por`.
pub const SEM_REAGENDADO_POR: &str = "(sem reagendado por)";
/// The group name of entries without a consultant.
pub const SEM_CONSULTOR: &str = "(sem consultor)";

/// The agenda of the rows at `indices` (a view's, in any order) on `reference` — parallel,
/// cancellable. Entries point at `rows` by index. Only the rows at `indices` count: as
/// entries and as the follow-ups that keep them.
pub fn agenda(
    rows: &Rows,
    indices: &[u32],
    reference: NaiveDate,
    cancel: &AtomicBool,
) -> Result<Agenda, Cancelled> {
    compute(
        indices.len(),
        |i| indices.get(i).copied(),
        |row| rows.get(row as usize),
        reference,
        cancel,
        PAR_CHUNK,
    )
}

/// The agenda of every row of a slice (the CLI, tests): entries point at slice positions.
/// Slices longer than `u32::MAX` rows are cut there.
pub fn agenda_of<T: Borrow<Followup> + Sync>(rows: &[T], reference: NaiveDate) -> Agenda {
    let len = rows.len().min(u32::MAX as usize);
    let never = AtomicBool::new(false);
    let result = compute(
        len,
        |i| u32::try_from(i).ok(),
        |row| rows.get(row as usize).map(Borrow::borrow),
        reference,
        &never,
        PAR_CHUNK,
    );
    // Without a cancel flag set, the computation cannot be cancelled.
    result.unwrap_or_else(|Cancelled| empty_agenda(reference))
}

fn empty_agenda(reference: NaiveDate) -> Agenda {
    Agenda {
        reference,
        entries: Vec::new(),
        counts: SituacaoCounts::default(),
        por_reagendado_por: Vec::new(),
        por_consultor: Vec::new(),
        total: Cumprimento::new("Total".to_owned(), None, false),
    }
}

/// Contacts are grouped by debtor in this many independent shards, built in parallel.
const SHARDS: usize = 16;

/// The shard of debtor (`credor`, `cliente`): a mix unrelated to the shards' own hash maps'
/// (FxHash), so their buckets stay spread.
fn shard_of(credor: i64, cliente: i64) -> usize {
    let mut h = credor.cast_unsigned() ^ cliente.cast_unsigned().rotate_left(32);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    // The remainder is below `SHARDS`.
    (h % SHARDS as u64) as usize
}

/// The `id_followup` a [`Slot`] stores when the row has none (or has this very value): the
/// row itself is then read to tell.
const UNKNOWN_ID: i64 = i64::MIN;

/// A dated follow-up of an identified debtor: what can keep an entry.
#[derive(Clone, Copy, Debug)]
struct Contact {
    credor: i64,
    cliente: i64,
    slot: Slot,
}

/// A contact within its debtor's list: its day, row and `id_followup` (so matching an entry
/// does not read the row again).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Slot {
    day: i32,
    row: u32,
    id: i64,
}

/// The contacts of the debtors of one shard, sorted by day: debtor `d`'s are
/// `slots[starts[d]..starts[d + 1]]`.
struct Shard {
    ids: FxHashMap<(i64, i64), u32>,
    starts: Vec<usize>,
    slots: Vec<Slot>,
}

impl Shard {
    /// Groups the contacts of `pieces` by debtor (a counting sort) and sorts each debtor's by
    /// day.
    fn new(pieces: &[&[Contact]]) -> Shard {
        let len = pieces.iter().map(|piece| piece.len()).sum();
        let mut ids: FxHashMap<(i64, i64), u32> = FxHashMap::default();
        let mut debtor_of: Vec<u32> = Vec::with_capacity(len);
        for contact in pieces.iter().flat_map(|piece| piece.iter()) {
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            debtor_of.push(*ids.entry((contact.credor, contact.cliente)).or_insert(next));
        }
        let mut starts = vec![0usize; ids.len() + 1];
        for &debtor in &debtor_of {
            if let Some(count) = starts.get_mut(debtor as usize + 1) {
                *count += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut slots = vec![Slot::default(); len];
        for (contact, &debtor) in pieces.iter().flat_map(|piece| piece.iter()).zip(&debtor_of) {
            if let Some(at) = next.get_mut(debtor as usize)
                && let Some(slot) = slots.get_mut(*at)
            {
                *slot = contact.slot;
                *at += 1;
            }
        }
        drop(debtor_of);
        // Histories arrive mostly in date order, so these sorts are nearly linear.
        for pair in starts.windows(2) {
            if let Some(slice) = slots.get_mut(pair[0]..pair[1]) {
                slice.sort_unstable();
            }
        }
        Shard { ids, starts, slots }
    }

    /// The contacts of debtor (`credor`, `cliente`), by day.
    fn of(&self, credor: i64, cliente: i64) -> &[Slot] {
        let Some(&debtor) = self.ids.get(&(credor, cliente)) else {
            return &[];
        };
        let debtor = debtor as usize;
        match (self.starts.get(debtor), self.starts.get(debtor + 1)) {
            (Some(&start), Some(&end)) => self.slots.get(start..end).unwrap_or(&[]),
            _ => &[],
        }
    }
}

impl Shard {
    /// The day of the earliest of the query's debtor's contacts on or after its due date that
    /// is another follow-up than the entry's, if any.
    fn kept_on<'r, G>(&self, query: &Query, get: &G) -> Option<i32>
    where
        G: Fn(u32) -> Option<&'r Followup>,
    {
        let contacts = self.of(query.credor, query.cliente);
        let start = contacts.partition_point(|c| c.day < query.due_day);
        contacts
            .get(start..)?
            .iter()
            .find(|c| c.row != query.row && !same_followup(query.id, c, get))
            .map(|c| c.day)
    }
}

/// Whether the contact `other` is the same follow-up as an entry whose `id_followup` is `id`
/// (both ids known and equal). The row is read only when the slot could not store its id.
fn same_followup<'r, G>(id: Option<i64>, other: &Slot, get: &G) -> bool
where
    G: Fn(u32) -> Option<&'r Followup>,
{
    let Some(id) = id else {
        return false;
    };
    if other.id != UNKNOWN_ID {
        return other.id == id;
    }
    get(other.row).and_then(|o| o.id_followup()) == Some(id)
}

/// The agenda order of an entry, packed in three words: due date and time (each missing
/// last); `id_followup` (missing last, the flag in the third word settling the tie with
/// `i64::MAX`); missing-id flag and source row.
type OrderKey = (u64, u64, u64);

fn order_key(entry: &AgendaEntry, id_followup: Option<i64>) -> OrderKey {
    // Flipping the sign bit orders signed values as unsigned ones.
    let day = entry.due_date.map_or(u32::MAX, |d| {
        d.num_days_from_ce().cast_unsigned() ^ 0x8000_0000
    });
    let time = entry.due_time.map_or(u32::MAX, |t| {
        chrono::Timelike::num_seconds_from_midnight(&t)
    });
    let id = id_followup.map_or(u64::MAX, |id| id.cast_unsigned() ^ (1 << 63));
    (
        (u64::from(day) << 32) | u64::from(time),
        id,
        (u64::from(id_followup.is_none()) << 32) | u64::from(entry.row),
    )
}

/// What the compliance tables read from an entry's source row.
#[derive(Clone, Copy, Debug)]
struct Source<'r> {
    login: Option<&'r str>,
    consultant: Option<i64>,
    name: Option<&'r str>,
}

impl<'r> Source<'r> {
    fn of(row: &'r Followup) -> Source<'r> {
        Source {
            login: row.reagendado_por().map(|s| s.as_str()),
            consultant: row.id_consultor(),
            name: row.nome_consultor().map(|s| s.as_str()),
        }
    }
}

/// An entry as the first pass reads it: all the later steps need from its row, so none reads
/// the row again.
#[derive(Clone, Copy, Debug)]
struct Pending<'r> {
    row: u32,
    due_date: Option<NaiveDate>,
    due_time: Option<NaiveTime>,
    id_followup: Option<i64>,
    source: Source<'r>,
}

/// An entry to match against its debtor's contacts: the entry at `at` of part `part`.
#[derive(Clone, Copy, Debug)]
struct Query {
    credor: i64,
    cliente: i64,
    due_day: i32,
    row: u32,
    id: Option<i64>,
    part: u32,
    at: u32,
}

/// What the first pass makes of one chunk of rows: its contacts and its entries' queries (per
/// shard), and its entries.
struct Part<'r> {
    contacts: Vec<Vec<Contact>>,
    queries: Vec<Vec<Query>>,
    entries: Vec<Pending<'r>>,
}

/// What the classification makes of one part's entries: the entries (source-row order), their
/// order keys and their counts.
struct Classified<'r> {
    entries: Vec<AgendaEntry>,
    keys: Vec<OrderKey>,
    tally: Tally<'r, OrderKey>,
}

fn compute<'r, N, G>(
    len: usize,
    nth: N,
    get: G,
    reference: NaiveDate,
    cancel: &AtomicBool,
    chunk: usize,
) -> Result<Agenda, Cancelled>
where
    N: Fn(usize) -> Option<u32> + Sync,
    G: Fn(u32) -> Option<&'r Followup> + Sync,
{
    // 1. Contacts and queries (per shard) and entries, in parallel chunks.
    let chunk = chunk.max(1);
    let parts: Vec<Part<'r>> = par_chunks(
        len,
        chunk,
        cancel,
        || (),
        |_, range| {
            let part = u32::try_from(range.start / chunk).unwrap_or(u32::MAX);
            let per_shard = range.len() / SHARDS + 16;
            let mut contacts: Vec<Vec<Contact>> =
                (0..SHARDS).map(|_| Vec::with_capacity(per_shard)).collect();
            let mut queries: Vec<Vec<Query>> = (0..SHARDS).map(|_| Vec::new()).collect();
            let mut entries = Vec::new();
            for i in range {
                let Some(row) = nth(i) else { continue };
                let Some(followup) = get(row) else { continue };
                let debtor = followup.id_credor().zip(followup.id_cliente());
                if let (Some((credor, cliente)), Some(data)) = (debtor, followup.data())
                    && let Some(shard) = contacts.get_mut(shard_of(credor, cliente))
                {
                    shard.push(Contact {
                        credor,
                        cliente,
                        slot: Slot {
                            day: data.date().num_days_from_ce(),
                            row,
                            id: followup.id_followup().unwrap_or(UNKNOWN_ID),
                        },
                    });
                }
                if followup.reagendar() != Some(SimNao::Sim) {
                    continue;
                }
                let due_date = followup.data_reagendamento().map(|d| d.date());
                if let (Some((credor, cliente)), Some(due)) = (debtor, due_date)
                    && let Some(shard) = queries.get_mut(shard_of(credor, cliente))
                {
                    shard.push(Query {
                        credor,
                        cliente,
                        due_day: due.num_days_from_ce(),
                        row,
                        id: followup.id_followup(),
                        part,
                        at: u32::try_from(entries.len()).unwrap_or(u32::MAX),
                    });
                }
                entries.push(Pending {
                    row,
                    due_date,
                    due_time: followup.horario_reagendamento(),
                    id_followup: followup.id_followup(),
                    source: Source::of(followup),
                });
            }
            Some(Part {
                contacts,
                queries,
                entries,
            })
        },
    )
    .ok_or(Cancelled)?;

    // 2. Each debtor's contacts by day, shards in parallel.
    let parts = &parts;
    let get = &get;
    let shards: Vec<Shard> = par_chunks(
        SHARDS,
        1,
        cancel,
        || (),
        |_, range| {
            let built: Vec<Shard> = range
                .map(|shard| {
                    let pieces: Vec<&[Contact]> = parts
                        .iter()
                        .filter_map(|part| part.contacts.get(shard))
                        .map(Vec::as_slice)
                        .collect();
                    Shard::new(&pieces)
                })
                .collect();
            Some(built)
        },
    )
    .ok_or(Cancelled)?
    .into_iter()
    .flatten()
    .collect();

    // 3. Each query's earliest other contact on or after its due date, in tasks of one part's
    // queries to one shard (shard by shard, so the workers share a shard's tables, and a
    // single large debtor is still searched on every core).
    let tasks: Vec<(usize, &[Query])> = (0..SHARDS)
        .flat_map(|shard| {
            parts
                .iter()
                .filter_map(move |part| part.queries.get(shard))
                .filter(|queries| !queries.is_empty())
                .map(move |queries| (shard, queries.as_slice()))
        })
        .collect();
    let shards = &shards;
    let answers: Vec<Vec<(u32, u32, i32)>> = par_chunks(
        tasks.len(),
        1,
        cancel,
        || (),
        |_, range| {
            let mut kept = Vec::new();
            for &(shard, queries) in tasks.get(range).unwrap_or(&[]) {
                let Some(contacts) = shards.get(shard) else {
                    continue;
                };
                for query in queries {
                    if let Some(day) = contacts.kept_on(query, get) {
                        kept.push((query.part, query.at, day));
                    }
                }
            }
            Some(kept)
        },
    )
    .ok_or(Cancelled)?;
    let mut kept_days: Vec<Vec<Option<i32>>> = parts
        .iter()
        .map(|part| vec![None; part.entries.len()])
        .collect();
    for (part, at, day) in answers.into_iter().flatten() {
        if let Some(slot) = kept_days
            .get_mut(part as usize)
            .and_then(|days| days.get_mut(at as usize))
        {
            *slot = Some(day);
        }
    }
    check(cancel)?;

    // 4. Each entry's situação, order key and counts, in parallel over the parts (entries in
    // source-row order).
    let kept_days = &kept_days;
    let classified: Vec<Classified<'r>> = par_chunks(
        parts.len(),
        1,
        cancel,
        || (),
        |_, range| {
            let mut out = Classified {
                entries: Vec::new(),
                keys: Vec::new(),
                tally: Tally::new(),
            };
            for p in range {
                let (Some(part), Some(days)) = (parts.get(p), kept_days.get(p)) else {
                    continue;
                };
                out.entries.reserve(part.entries.len());
                out.keys.reserve(part.entries.len());
                for (pending, kept) in part.entries.iter().zip(days) {
                    let realizado_em = kept.and_then(NaiveDate::from_num_days_from_ce_opt);
                    let situacao = if realizado_em.is_some() {
                        Situacao::Realizado
                    } else {
                        situacao_by_date(pending.due_date, reference)
                    };
                    let entry = AgendaEntry {
                        row: pending.row,
                        due_date: pending.due_date,
                        due_time: pending.due_time,
                        situacao,
                        realizado_em,
                    };
                    let key = order_key(&entry, pending.id_followup);
                    out.tally.add(key, &entry, Some(pending.source), reference);
                    out.entries.push(entry);
                    out.keys.push(key);
                }
            }
            Some(out)
        },
    )
    .ok_or(Cancelled)?;
    let count = classified.iter().map(|c| c.entries.len()).sum();
    let mut unsorted: Vec<AgendaEntry> = Vec::with_capacity(count);
    let mut keyed: Vec<(OrderKey, usize)> = Vec::with_capacity(count);
    let mut tally: Tally<'r, OrderKey> = Tally::new();
    for part in classified {
        let base = unsorted.len();
        keyed.extend(
            part.keys
                .iter()
                .enumerate()
                .map(|(i, &key)| (key, base + i)),
        );
        unsorted.extend(part.entries);
        tally.merge(part.tally);
    }
    check(cancel)?;

    // 5. Agenda order: the (small) keys are sorted, then the entries gathered.
    par_sort_by(&mut keyed, |a, b| a.0.cmp(&b.0));
    let entries: Vec<AgendaEntry> = keyed
        .iter()
        .filter_map(|&(_, at)| unsorted.get(at).copied())
        .collect();
    check(cancel)?;

    // 6. Counts and compliance, gathered above.
    Ok(tally.finish(entries, reference))
}

/// A consultant's name and the rank of the first entry (in agenda order) that carries it.
type FirstName<'r, K> = Option<(K, &'r str)>;

/// Counts and compliance lines being gathered over some entries; partial tallies of disjoint
/// entries merge. `K` ranks the entries in agenda order, to name each consultant after the
/// first entry that carries a name.
struct Tally<'r, K> {
    counts: SituacaoCounts,
    total: Cumprimento,
    by_login: FxHashMap<&'r str, Cumprimento>,
    no_login: Cumprimento,
    by_consultant: FxHashMap<i64, (Cumprimento, FirstName<'r, K>)>,
    no_consultant: Cumprimento,
}

impl<'r, K: Ord + Copy> Tally<'r, K> {
    fn new() -> Self {
        Tally {
            counts: SituacaoCounts::default(),
            total: Cumprimento::blank(),
            by_login: FxHashMap::default(),
            no_login: Cumprimento::blank(),
            by_consultant: FxHashMap::default(),
            no_consultant: Cumprimento::blank(),
        }
    }

    /// Counts `entry` (ranked `rank` in agenda order), whose source row says `source`.
    fn add(
        &mut self,
        rank: K,
        entry: &AgendaEntry,
        source: Option<Source<'r>>,
        reference: NaiveDate,
    ) {
        self.counts.add(entry.situacao);
        self.total.count(entry, reference);
        let Some(source) = source else {
            return;
        };
        match source.login.filter(|s| !s.is_empty()) {
            Some(login) => self
                .by_login
                .entry(login)
                .or_insert_with(Cumprimento::blank)
                .count(entry, reference),
            None => self.no_login.count(entry, reference),
        }
        match source.consultant {
            Some(id) => {
                let (line, name) = self
                    .by_consultant
                    .entry(id)
                    .or_insert_with(|| (Cumprimento::blank(), None));
                line.count(entry, reference);
                if let Some(named) = source.name.filter(|n| !n.is_empty())
                    && name.is_none_or(|(first, _)| rank < first)
                {
                    *name = Some((rank, named));
                }
            }
            None => self.no_consultant.count(entry, reference),
        }
    }

    /// Adds the counts of `other` (of other entries).
    fn merge(&mut self, other: Self) {
        for (count, other_count) in self.counts.0.iter_mut().zip(other.counts.0) {
            *count += other_count;
        }
        self.total.absorb(&other.total);
        for (login, line) in other.by_login {
            self.by_login
                .entry(login)
                .or_insert_with(Cumprimento::blank)
                .absorb(&line);
        }
        self.no_login.absorb(&other.no_login);
        for (id, (line, other_name)) in other.by_consultant {
            let (mine, name) = self
                .by_consultant
                .entry(id)
                .or_insert_with(|| (Cumprimento::blank(), None));
            mine.absorb(&line);
            if let Some((rank, named)) = other_name
                && name.is_none_or(|(first, _)| rank < first)
            {
                *name = Some((rank, named));
            }
        }
        self.no_consultant.absorb(&other.no_consultant);
    }

    /// The agenda of `entries` (in agenda order; the ones counted here).
    fn finish(self, entries: Vec<AgendaEntry>, reference: NaiveDate) -> Agenda {
        let named =
            |line: Cumprimento, grupo: String, id: Option<i64>, missing: bool| Cumprimento {
                grupo,
                id,
                missing,
                ..line
            };
        let por_reagendado_por = compliance_table(
            self.by_login
                .into_iter()
                .map(|(login, line)| named(line, login.to_owned(), None, false))
                .collect(),
            named(self.no_login, SEM_REAGENDADO_POR.to_owned(), None, true),
        );
        let por_consultor = compliance_table(
            self.by_consultant
                .into_iter()
                .map(|(id, (line, name))| {
                    let grupo = match name {
                        Some((_, name)) => name.to_owned(),
                        None => format!("Consultor {id}"),
                    };
                    named(line, grupo, Some(id), false)
                })
                .collect(),
            named(self.no_consultant, SEM_CONSULTOR.to_owned(), None, true),
        );
        Agenda {
            reference,
            entries,
            counts: self.counts,
            por_reagendado_por,
            por_consultor,
            total: named(self.total, "Total".to_owned(), None, false),
        }
    }
}

/// The agenda of classified `entries` (in agenda order): counts and compliance tables, over
/// parallel chunks of `chunk` entries.
fn tally<'r, G>(entries: Vec<AgendaEntry>, get: &G, reference: NaiveDate, chunk: usize) -> Agenda
where
    G: Fn(u32) -> Option<&'r Followup> + Sync,
{
    let never = AtomicBool::new(false);
    let parts = par_chunks(
        entries.len(),
        chunk,
        &never,
        || (),
        |_, range| {
            let mut tally = Tally::new();
            for (at, entry) in entries.get(range.clone()).unwrap_or(&[]).iter().enumerate() {
                tally.add(
                    range.start + at,
                    entry,
                    get(entry.row).map(Source::of),
                    reference,
                );
            }
            Some(tally)
        },
    );
    let mut tally = Tally::new();
    // Without a cancel flag set, the chunks cannot be cancelled.
    for part in parts.unwrap_or_default() {
        tally.merge(part);
    }
    tally.finish(entries, reference)
}

fn check(cancel: &AtomicBool) -> Result<(), Cancelled> {
    if cancel.load(AtomicOrdering::Relaxed) {
        Err(Cancelled)
    } else {
        Ok(())
    }
}

/// Agenda order: due date, due time, `id_followup` (each missing last), then row (the
/// comparison the tests check the order with).
#[cfg(test)]
fn entry_order<'r, G>(a: &AgendaEntry, b: &AgendaEntry, get: &G) -> std::cmp::Ordering
where
    G: Fn(u32) -> Option<&'r Followup>,
{
    use std::cmp::Ordering;
    fn missing_last<T: Ord>(a: Option<T>, b: Option<T>) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }
    missing_last(a.due_date, b.due_date)
        .then_with(|| missing_last(a.due_time, b.due_time))
        .then_with(|| {
            missing_last(
                get(a.row).and_then(|r| r.id_followup()),
                get(b.row).and_then(|r| r.id_followup()),
            )
        })
        .then_with(|| a.row.cmp(&b.row))
}

/// Sorts compliance lines: most due first, then by folded name; the missing group last (when
/// it has entries).
fn compliance_table(mut lines: Vec<Cumprimento>, missing: Cumprimento) -> Vec<Cumprimento> {
    let mut keyed: Vec<(String, Cumprimento)> = lines
        .drain(..)
        .map(|line| (fold(&line.grupo), line))
        .collect();
    keyed.sort_by(|(ka, a), (kb, b)| {
        b.devidos
            .cmp(&a.devidos)
            .then_with(|| ka.cmp(kb))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.grupo.cmp(&b.grupo))
    });
    let mut out: Vec<Cumprimento> = keyed.into_iter().map(|(_, line)| line).collect();
    if missing.entradas > 0 {
        out.push(missing);
    }
    out
}

#[cfg(test)]
mod tests;

// The window's filters on the agenda (issue 14 §2): the consultant, `reagendado_por` and
// `reagendar_para`, chosen from the values the entries carry, as the table's column filters.

use crate::api::{Column, ColumnKind, Value};
use crate::results::{
    BLANK_LABEL, ColumnFilter, ColumnFilters, CompiledFilters, key_label, value_key,
};

/// The columns the window's agenda can be filtered by, in the order of its filter bar.
pub const FILTER_COLUMNS: [Column; 3] = [
    Column::IdConsultor,
    Column::ReagendadoPor,
    Column::ReagendarPara,
];

/// One value an agenda filter can choose: a consultant (by id), a login or a code, with how
/// many entries carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryValue {
    /// The id, for an id column (`None` for a text column or a blank id).
    pub id: Option<i64>,
    /// The key of [`crate::results::value_key`], for a text or code column (`None` for an id
    /// column or blank text).
    pub key: Option<String>,
    /// As shown: a consultant's name and id, a login, a code's label; the blank value as
    /// [`crate::results::BLANK_LABEL`].
    pub label: String,
    /// Entries carrying it.
    pub count: u64,
}

impl EntryValue {
    /// Whether this is the blank value ("(vazio)").
    pub fn is_blank(&self) -> bool {
        self.id.is_none() && self.key.is_none()
    }

    /// Whether `filter` (on this value's column; `None`: no filter) keeps this value.
    pub fn kept_by(&self, filter: Option<&ColumnFilter>) -> bool {
        match filter {
            None => true,
            Some(ColumnFilter::Numbers { values, blanks }) => match self.id {
                Some(id) => values.contains(&id),
                None => *blanks,
            },
            Some(ColumnFilter::Values { values, blanks }) => match &self.key {
                Some(key) => values.contains(key),
                None => *blanks,
            },
            Some(ColumnFilter::Blank) => self.is_blank(),
            // Other kinds of filter are not offered for these columns: they keep the value.
            Some(_) => true,
        }
    }
}

impl Agenda {
    /// The values of `column` among this agenda's entries (their source rows in `rows`), with
    /// their counts: labels in folded alphabetical order, the blank value last.
    pub fn entry_values<R: SourceRows + ?Sized>(
        &self,
        rows: &R,
        column: Column,
    ) -> Vec<EntryValue> {
        let mut counts: FxHashMap<(Option<i64>, Option<String>), (String, u64)> =
            FxHashMap::default();
        // A value that is not an id counts under its filter key and that key's label.
        let count_value = |counts: &mut FxHashMap<_, (String, u64)>, value, count| {
            let (key, label) = match value_key(column, value) {
                Some(key) => {
                    let label = key_label(column, &key);
                    (Some(key), label)
                }
                None => (None, BLANK_LABEL.to_owned()),
            };
            counts.entry((None, key)).or_insert((label, 0)).1 += count;
        };
        // Each distinct id, and each distinct string (by its address: rows share their
        // strings), is labelled once, not once per entry.
        let mut ids: FxHashMap<i64, (String, u64)> = FxHashMap::default();
        let mut strings: FxHashMap<(bool, usize, usize), (Value<'_>, u64)> = FxHashMap::default();
        for entry in &self.entries {
            let Some(row) = rows.source_row(entry.row) else {
                continue;
            };
            let value = row.value(column);
            match value {
                Value::Int(id) => {
                    // The label of the first entry's row, as the table's list shows it.
                    ids.entry(id)
                        .or_insert_with(|| {
                            let label = match row.nome_consultor().map(|s| s.as_str()) {
                                Some(name)
                                    if column == Column::IdConsultor && !name.trim().is_empty() =>
                                {
                                    format!("{} ({id})", name.trim())
                                }
                                _ => id.to_string(),
                            };
                            (label, 0)
                        })
                        .1 += 1;
                }
                Value::Text(text) | Value::Code(text, _) => {
                    let code = matches!(value, Value::Code(..));
                    strings
                        .entry((code, text.as_ptr() as usize, text.len()))
                        .or_insert((value, 0))
                        .1 += 1;
                }
                value => count_value(&mut counts, value, 1),
            }
        }
        for (id, (label, count)) in ids {
            counts.entry((Some(id), None)).or_insert((label, 0)).1 += count;
        }
        for (value, count) in strings.into_values() {
            count_value(&mut counts, value, count);
        }
        let mut values: Vec<EntryValue> = counts
            .into_iter()
            .map(|((id, key), (label, count))| EntryValue {
                id,
                key,
                label,
                count,
            })
            .collect();
        values.sort_by_cached_key(|v| (v.is_blank(), fold(&v.label), v.id, v.key.clone()));
        values
    }

    /// This agenda with only the entries whose source row passes `filters` (the window's
    /// agenda filters), counts and compliance recomputed; see [`Agenda::restricted`] for why
    /// the situações stay as they were.
    pub fn filtered<R: SourceRows + ?Sized>(&self, rows: &R, filters: &ColumnFilters) -> Agenda {
        let compiled = CompiledFilters::new(filters);
        if compiled.is_empty() {
            return self.clone();
        }
        let memo = std::cell::RefCell::new(compiled.memo());
        self.restricted(rows, |row| {
            rows.source_row(row)
                .is_some_and(|row| compiled.matches(&mut memo.borrow_mut(), row))
        })
    }
}

/// The filter on `column` after the user ticked or unticked `toggled` in a list of `values`
/// (a filter that keeps them all is `None`, as in the table's popup).
pub fn toggle_entry_value(
    column: Column,
    values: &[EntryValue],
    current: Option<&ColumnFilter>,
    toggled: &EntryValue,
) -> Option<ColumnFilter> {
    let kept: Vec<&EntryValue> = values
        .iter()
        .filter(|value| {
            let was = value.kept_by(current);
            if *value == toggled { !was } else { was }
        })
        .collect();
    if kept.len() == values.len() {
        return None;
    }
    let blanks = kept.iter().any(|value| value.is_blank());
    Some(if column.kind() == ColumnKind::Int {
        ColumnFilter::Numbers {
            values: kept.iter().filter_map(|value| value.id).collect(),
            blanks,
        }
    } else {
        ColumnFilter::Values {
            values: kept.iter().filter_map(|value| value.key.clone()).collect(),
            blanks,
        }
    })
}

#[cfg(test)]
mod filter_tests {
    use chrono::NaiveTime;

    use super::*;
    use crate::api::{FollowupFields, ReagendarPara};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn reschedule(id: i64, consultor: i64, by: Option<&str>, due: u32) -> Followup {
        Followup::from(FollowupFields {
            id_followup: Some(id),
            id_credor: Some(12),
            id_cliente: Some(id),
            id_consultor: Some(consultor),
            nome_consultor: Some(format!("Consultor {consultor}").into()),
            data: Some(day(1).and_time(NaiveTime::MIN)),
            reagendar: Some(SimNao::Sim),
            data_reagendamento: Some(day(due).and_time(NaiveTime::MIN)),
            reagendar_para: Some(ReagendarPara::from_code("C")),
            reagendado_por: by.map(Into::into),
            ..FollowupFields::default()
        })
    }

    #[test]
    fn values_count_the_entries_and_filters_keep_the_ticked_ones() {
        let rows = vec![
            reschedule(1, 7, Some("ana"), 10),
            reschedule(2, 7, Some("bia"), 20),
            reschedule(3, 8, None, 29),
            // Not a reschedule: never counted.
            Followup::from(FollowupFields {
                reagendar: Some(SimNao::Nao),
                ..reschedule(4, 9, Some("zé"), 10).into_fields()
            }),
        ];
        let agenda = agenda_of(&rows, day(15));
        let by = agenda.entry_values(rows.as_slice(), Column::ReagendadoPor);
        let labels: Vec<(&str, u64)> = by.iter().map(|v| (v.label.as_str(), v.count)).collect();
        assert_eq!(labels, [("ana", 1), ("bia", 1), (BLANK_LABEL, 1)]);
        let consultants = agenda.entry_values(rows.as_slice(), Column::IdConsultor);
        assert_eq!(consultants[0].label, "Consultor 7 (7)");
        assert_eq!(consultants[0].count, 2);
        // Unticking "bia" keeps "ana" and the blank one.
        let filter = toggle_entry_value(Column::ReagendadoPor, &by, None, &by[1]);
        let mut filters = ColumnFilters::new();
        filters.set(Column::ReagendadoPor, filter.clone().unwrap());
        let kept = agenda.filtered(rows.as_slice(), &filters);
        assert_eq!(kept.counts.total(), 2);
        assert!(kept.entries.iter().all(|e| e.row != 1));
        // Ticking it again keeps everything: no filter.
        assert_eq!(
            toggle_entry_value(Column::ReagendadoPor, &by, filter.as_ref(), &by[1]),
            None
        );
        // The consultant filter works by id.
        let only_8 = toggle_entry_value(Column::IdConsultor, &consultants, None, &consultants[0]);
        let mut filters = ColumnFilters::new();
        filters.set(Column::IdConsultor, only_8.unwrap());
        let kept = agenda.filtered(rows.as_slice(), &filters);
        assert_eq!(kept.entries.len(), 1);
        assert_eq!(kept.entries[0].row, 2);
        assert_eq!(kept.total.devidos, 0);
        // No filter: the same agenda.
        assert_eq!(
            agenda.filtered(rows.as_slice(), &ColumnFilters::new()),
            agenda
        );
    }
}
