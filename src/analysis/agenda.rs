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
//! One pass over the rows (parallel chunks) collects each dated, attributable row's
//! `(debtor, day, row)` and the entries; the contacts are grouped by debtor (a counting sort)
//! and each debtor's sorted by day once; each entry then finds its debtor's first follow-up on
//! or after its due date by binary search in that debtor's list (parallel), and the entries
//! are sorted by a key computed once each. Memory is about 40 bytes per row at the peak plus
//! one [`AgendaEntry`] per reschedule, whatever the dates say (no per-day structure).

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
        tally(entries, &|row| rows.source_row(row), self.reference)
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

/// A dated follow-up of an identified debtor: what can keep an entry.
#[derive(Clone, Copy, Debug)]
struct Contact {
    credor: i64,
    cliente: i64,
    day: i32,
    row: u32,
}

/// A contact within its debtor's list: its day and row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Slot {
    day: i32,
    row: u32,
}

/// Every debtor's contacts, sorted by day: debtor `d`'s are
/// `slots[starts[d]..starts[d + 1]]`.
struct Contacts {
    ids: FxHashMap<(i64, i64), u32>,
    starts: Vec<usize>,
    slots: Vec<Slot>,
}

impl Contacts {
    /// Groups `contacts` by debtor (a counting sort) and sorts each debtor's by day.
    fn new(contacts: &[Contact], cancel: &AtomicBool) -> Result<Contacts, Cancelled> {
        let mut ids: FxHashMap<(i64, i64), u32> = FxHashMap::default();
        let mut debtor_of: Vec<u32> = Vec::with_capacity(contacts.len());
        for contact in contacts {
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            debtor_of.push(*ids.entry((contact.credor, contact.cliente)).or_insert(next));
        }
        check(cancel)?;
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
        let mut slots = vec![Slot::default(); contacts.len()];
        for (contact, &debtor) in contacts.iter().zip(&debtor_of) {
            if let Some(at) = next.get_mut(debtor as usize)
                && let Some(slot) = slots.get_mut(*at)
            {
                *slot = Slot {
                    day: contact.day,
                    row: contact.row,
                };
                *at += 1;
            }
        }
        drop(debtor_of);
        check(cancel)?;
        // Histories arrive mostly in date order, so these sorts are nearly linear.
        for pair in starts.windows(2) {
            if let Some(slice) = slots.get_mut(pair[0]..pair[1]) {
                slice.sort_unstable();
            }
        }
        Ok(Contacts { ids, starts, slots })
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

/// The agenda order of an entry: due date, due time, `id_followup` (each missing last), row.
type OrderKey = (i32, u32, bool, i64, u32);

fn order_key(entry: &AgendaEntry, row: &Followup) -> OrderKey {
    (
        entry.due_date.map_or(i32::MAX, |d| d.num_days_from_ce()),
        entry.due_time.map_or(u32::MAX, |t| {
            chrono::Timelike::num_seconds_from_midnight(&t)
        }),
        row.id_followup.is_none(),
        row.id_followup.unwrap_or_default(),
        entry.row,
    )
}

/// What the first pass makes of one chunk: its contacts and its entries' rows.
type Part = (Vec<Contact>, Vec<u32>);

fn compute<'r, N, G>(
    len: usize,
    nth: N,
    get: G,
    reference: NaiveDate,
    cancel: &AtomicBool,
) -> Result<Agenda, Cancelled>
where
    N: Fn(usize) -> Option<u32> + Sync,
    G: Fn(u32) -> Option<&'r Followup> + Sync,
{
    // 1. Contacts and entries, in parallel chunks.
    let parts: Vec<Part> = par_chunks(
        len,
        PAR_CHUNK,
        cancel,
        || (),
        |_, range| {
            let mut contacts = Vec::with_capacity(range.len());
            let mut entries = Vec::new();
            for i in range {
                let Some(row) = nth(i) else { continue };
                let Some(followup) = get(row) else { continue };
                if let (Some(credor), Some(cliente), Some(data)) =
                    (followup.id_credor, followup.id_cliente, followup.data)
                {
                    contacts.push(Contact {
                        credor,
                        cliente,
                        day: data.date().num_days_from_ce(),
                        row,
                    });
                }
                if followup.reagendar == Some(SimNao::Sim) {
                    entries.push(row);
                }
            }
            Some((contacts, entries))
        },
    )
    .ok_or(Cancelled)?;
    let mut contacts = Vec::with_capacity(parts.iter().map(|(c, _)| c.len()).sum());
    let mut entry_rows = Vec::with_capacity(parts.iter().map(|(_, e)| e.len()).sum());
    for (part_contacts, part_entries) in parts {
        contacts.extend(part_contacts);
        entry_rows.extend(part_entries);
    }

    // 2. Each debtor's contacts by day, once.
    let contacts = Contacts::new(&contacts, cancel)?;

    // 3. Each entry's situação: its debtor's first other contact on or after the due date.
    let contacts = &contacts;
    let classified: Vec<Vec<(OrderKey, AgendaEntry)>> = par_chunks(
        entry_rows.len(),
        PAR_CHUNK,
        cancel,
        || (),
        |_, range| {
            let mut out = Vec::with_capacity(range.len());
            for &row in entry_rows.get(range).unwrap_or(&[]) {
                let Some(followup) = get(row) else { continue };
                let entry = classify(followup, row, contacts, &get, reference);
                out.push((order_key(&entry, followup), entry));
            }
            Some(out)
        },
    )
    .ok_or(Cancelled)?;
    let mut keyed: Vec<(OrderKey, AgendaEntry)> = classified.into_iter().flatten().collect();
    check(cancel)?;

    // 4. Agenda order.
    par_sort_by(&mut keyed, |a, b| a.0.cmp(&b.0));
    let entries: Vec<AgendaEntry> = keyed.into_iter().map(|(_, entry)| entry).collect();
    check(cancel)?;

    // 5. Counts and compliance.
    Ok(tally(entries, &get, reference))
}

/// The agenda of classified `entries` (in agenda order): counts and compliance tables.
fn tally<'r, G>(entries: Vec<AgendaEntry>, get: &G, reference: NaiveDate) -> Agenda
where
    G: Fn(u32) -> Option<&'r Followup>,
{
    let mut counts = SituacaoCounts::default();
    let mut total = Cumprimento::new("Total".to_owned(), None, false);
    let mut by_login: FxHashMap<&str, Cumprimento> = FxHashMap::default();
    let mut no_login = Cumprimento::new(SEM_REAGENDADO_POR.to_owned(), None, true);
    let mut by_consultant: FxHashMap<i64, Cumprimento> = FxHashMap::default();
    let mut no_consultant = Cumprimento::new(SEM_CONSULTOR.to_owned(), None, true);
    for entry in &entries {
        counts.add(entry.situacao);
        total.count(entry, reference);
        let Some(followup) = get(entry.row) else {
            continue;
        };
        match followup.reagendado_por.as_deref().filter(|s| !s.is_empty()) {
            Some(login) => by_login
                .entry(login)
                .or_insert_with(|| Cumprimento::new(login.to_owned(), None, false))
                .count(entry, reference),
            None => no_login.count(entry, reference),
        }
        match followup.id_consultor {
            Some(id) => {
                let line = by_consultant
                    .entry(id)
                    .or_insert_with(|| Cumprimento::new(String::new(), Some(id), false));
                if line.grupo.is_empty()
                    && let Some(name) = followup.nome_consultor.as_deref()
                {
                    line.grupo = name.to_owned();
                }
                line.count(entry, reference);
            }
            None => no_consultant.count(entry, reference),
        }
    }
    let por_reagendado_por = compliance_table(by_login.into_values().collect(), no_login);
    let por_consultor = compliance_table(
        by_consultant
            .into_values()
            .map(|mut line| {
                if line.grupo.is_empty() {
                    line.grupo = format!("Consultor {}", line.id.unwrap_or_default());
                }
                line
            })
            .collect(),
        no_consultant,
    );
    Agenda {
        reference,
        entries,
        counts,
        por_reagendado_por,
        por_consultor,
        total,
    }
}

fn check(cancel: &AtomicBool) -> Result<(), Cancelled> {
    if cancel.load(AtomicOrdering::Relaxed) {
        Err(Cancelled)
    } else {
        Ok(())
    }
}

/// The situação of the entry at `row`.
fn classify<'r, G>(
    entry: &Followup,
    row: u32,
    contacts: &Contacts,
    get: &G,
    reference: NaiveDate,
) -> AgendaEntry
where
    G: Fn(u32) -> Option<&'r Followup>,
{
    let due_date = entry.data_reagendamento.map(|d| d.date());
    let realizado_em = match (entry.id_credor, entry.id_cliente, due_date) {
        (Some(credor), Some(cliente), Some(due)) => {
            kept_on(contacts.of(credor, cliente), due, entry, row, get)
        }
        _ => None,
    };
    let situacao = if realizado_em.is_some() {
        Situacao::Realizado
    } else {
        situacao_by_date(due_date, reference)
    };
    AgendaEntry {
        row,
        due_date,
        due_time: entry.horario_reagendamento,
        situacao,
        realizado_em,
    }
}

/// The day of the earliest of the debtor's `contacts` (by day) on or after `due` that is
/// another follow-up than the entry's, if any.
fn kept_on<'r, G>(
    contacts: &[Slot],
    due: NaiveDate,
    entry: &Followup,
    row: u32,
    get: &G,
) -> Option<NaiveDate>
where
    G: Fn(u32) -> Option<&'r Followup>,
{
    let due_day = due.num_days_from_ce();
    let start = contacts.partition_point(|c| c.day < due_day);
    contacts
        .get(start..)?
        .iter()
        .find(|c| c.row != row && !same_followup(entry, get(c.row)))
        .and_then(|c| NaiveDate::from_num_days_from_ce_opt(c.day))
}

/// Whether `other` is the same follow-up as `entry` by id (both ids known and equal).
fn same_followup(entry: &Followup, other: Option<&Followup>) -> bool {
    match (entry.id_followup, other.and_then(|o| o.id_followup)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
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
                get(a.row).and_then(|r| r.id_followup),
                get(b.row).and_then(|r| r.id_followup),
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
        for entry in &self.entries {
            let Some(row) = rows.source_row(entry.row) else {
                continue;
            };
            let (id, key, label) = match row.value(column) {
                Value::Int(id) => {
                    let label = match row.nome_consultor.as_deref() {
                        Some(name) if column == Column::IdConsultor && !name.trim().is_empty() => {
                            format!("{} ({id})", name.trim())
                        }
                        _ => id.to_string(),
                    };
                    (Some(id), None, label)
                }
                value => match value_key(column, value) {
                    Some(key) => {
                        let label = key_label(column, &key);
                        (None, Some(key), label)
                    }
                    None => (None, None, BLANK_LABEL.to_owned()),
                },
            };
            counts.entry((id, key)).or_insert((label, 0)).1 += 1;
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
    use crate::api::ReagendarPara;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn reschedule(id: i64, consultor: i64, by: Option<&str>, due: u32) -> Followup {
        Followup {
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
            ..Followup::default()
        }
    }

    #[test]
    fn values_count_the_entries_and_filters_keep_the_ticked_ones() {
        let rows = vec![
            reschedule(1, 7, Some("ana"), 10),
            reschedule(2, 7, Some("bia"), 20),
            reschedule(3, 8, None, 29),
            // Not a reschedule: never counted.
            Followup {
                reagendar: Some(SimNao::Nao),
                ..reschedule(4, 9, Some("zé"), 10)
            },
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
