//! The agenda's rules, each against an expectation reasoned from the table, and a
//! randomized comparison with a naive reference written here.

use std::cmp::Ordering;
use std::sync::atomic::AtomicBool;

use chrono::{Duration, NaiveDate, NaiveTime};

use super::*;
use crate::api::FollowupFields;
use crate::api::SharedStr;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The reference date of these tests.
fn r() -> NaiveDate {
    day(2026, 11, 30)
}

fn plus(days: i64) -> NaiveDate {
    r() + Duration::days(days)
}

/// A plain follow-up of debtor (credor, cliente) on `on`.
fn contact(id: i64, credor: i64, cliente: i64, on: NaiveDate) -> Followup {
    Followup::from(FollowupFields {
        id_followup: Some(id),
        id_credor: Some(credor),
        id_cliente: Some(cliente),
        data: Some(on.and_time(NaiveTime::MIN)),
        reagendar: Some(SimNao::Nao),
        ..FollowupFields::default()
    })
}

/// A reschedule registered on `on`, due on `due` at `time`.
fn entry(
    id: i64,
    credor: i64,
    cliente: i64,
    on: NaiveDate,
    due: Option<NaiveDate>,
    time: Option<(u32, u32)>,
) -> Followup {
    Followup::from(FollowupFields {
        reagendar: Some(SimNao::Sim),
        data_reagendamento: due.map(|d| d.and_time(NaiveTime::MIN)),
        horario_reagendamento: time.and_then(|(h, m)| NaiveTime::from_hms_opt(h, m, 0)),
        reagendado_por: Some("ana.ribeiro".into()),
        id_consultor: Some(3),
        nome_consultor: Some("Ana Paula Ribeiro".into()),
        ..contact(id, credor, cliente, on).into_fields()
    })
}

/// The entry whose source row has `id`.
fn of(agenda: &Agenda, rows: &[Followup], id: i64) -> AgendaEntry {
    *agenda
        .entries
        .iter()
        .find(|e| rows[e.row as usize].id_followup() == Some(id))
        .unwrap_or_else(|| panic!("no entry for {id}"))
}

#[test]
fn each_situacao_by_date_with_the_boundaries() {
    // One debtor per entry, each registered 20 days before R and alone: nothing keeps them.
    let on = plus(-20);
    let rows = vec![
        entry(1, 12, 1, on, Some(plus(-1)), Some((9, 0))),
        entry(2, 12, 2, on, Some(r()), Some((9, 0))),
        entry(3, 12, 3, on, Some(plus(1)), Some((9, 0))),
        entry(4, 12, 4, on, Some(plus(7)), Some((9, 0))),
        entry(5, 12, 5, on, Some(plus(8)), Some((9, 0))),
        entry(6, 12, 6, on, None, None),
        entry(7, 12, 7, on, Some(plus(-15)), None),
    ];
    let agenda = agenda_of(&rows, r());
    let expect = [
        (1, Situacao::Atrasado),
        (2, Situacao::Hoje),
        (3, Situacao::Proximos7Dias),
        (4, Situacao::Proximos7Dias),
        (5, Situacao::Depois),
        (6, Situacao::SemData),
        (7, Situacao::Atrasado),
    ];
    for (id, situacao) in expect {
        let e = of(&agenda, &rows, id);
        assert_eq!(e.situacao, situacao, "entry {id}");
        assert_eq!(e.realizado_em, None);
    }
    assert_eq!(agenda.counts.get(Situacao::Atrasado), 2);
    assert_eq!(agenda.counts.get(Situacao::Hoje), 1);
    assert_eq!(agenda.counts.get(Situacao::Proximos7Dias), 2);
    assert_eq!(agenda.counts.get(Situacao::Depois), 1);
    assert_eq!(agenda.counts.get(Situacao::SemData), 1);
    assert_eq!(agenda.counts.get(Situacao::Realizado), 0);
    assert_eq!(agenda.counts.total(), 7);
    // The same rules as the free function.
    assert_eq!(situacao_by_date(Some(plus(8)), r()), Situacao::Depois);
    assert_eq!(situacao_by_date(None, r()), Situacao::SemData);
}

#[test]
fn a_later_contact_of_the_same_debtor_keeps_the_entry_on_the_earliest_day() {
    let due = plus(-10);
    let rows = vec![
        entry(1, 12, 1, plus(-15), Some(due), Some((10, 0))),
        // Before the due date: does not count.
        contact(2, 12, 1, plus(-11)),
        contact(3, 12, 1, plus(-4)),
        contact(4, 12, 1, plus(-7)),
        contact(5, 12, 1, plus(-2)),
    ];
    let agenda = agenda_of(&rows, r());
    let e = of(&agenda, &rows, 1);
    assert_eq!(e.situacao, Situacao::Realizado);
    assert_eq!(e.realizado_em, Some(plus(-7)));
    assert_eq!(e.due_date, Some(due));
    assert_eq!(e.due_time, NaiveTime::from_hms_opt(10, 0, 0));
    assert_eq!(
        agenda.entries.len(),
        1,
        "only reagendar = S rows are entries"
    );

    // Only contacts before the due date: overdue.
    let rows = vec![
        entry(1, 12, 1, plus(-15), Some(due), Some((10, 0))),
        contact(2, 12, 1, plus(-11)),
    ];
    assert_eq!(
        of(&agenda_of(&rows, r()), &rows, 1).situacao,
        Situacao::Atrasado
    );
}

#[test]
fn realizado_is_checked_before_the_dates() {
    // Due in the future of R, but the data (queried later) already has the contact.
    let rows = vec![
        entry(1, 12, 1, plus(-1), Some(plus(10)), None),
        contact(2, 12, 1, plus(12)),
    ];
    let e = of(&agenda_of(&rows, r()), &rows, 1);
    assert_eq!(e.situacao, Situacao::Realizado);
    assert_eq!(e.realizado_em, Some(plus(12)));
}

#[test]
fn another_debtor_never_keeps_an_entry() {
    let due = plus(-3);
    let rows = vec![
        entry(1, 12, 1, plus(-5), Some(due), None),
        // Same id_cliente under another creditor, and another client of the same creditor.
        contact(2, 27, 1, due),
        contact(3, 12, 2, plus(-1)),
        // An entry of the other debtor, due the same day.
        entry(4, 12, 2, plus(-6), Some(due), None),
    ];
    let agenda = agenda_of(&rows, r());
    assert_eq!(of(&agenda, &rows, 1).situacao, Situacao::Atrasado);
    // The other debtor's own contact keeps its entry.
    assert_eq!(of(&agenda, &rows, 4).situacao, Situacao::Realizado);
    assert_eq!(of(&agenda, &rows, 4).realizado_em, Some(plus(-1)));
}

#[test]
fn the_follow_up_that_created_it_does_not_count_but_another_that_day_does() {
    let d = plus(-2);
    // Registered and due the same day: itself only.
    let alone = vec![entry(1, 12, 1, d, Some(d), Some((15, 0)))];
    assert_eq!(
        of(&agenda_of(&alone, r()), &alone, 1).situacao,
        Situacao::Atrasado
    );
    // Another follow-up that day keeps it.
    let with_other = vec![
        entry(1, 12, 1, d, Some(d), Some((15, 0))),
        contact(2, 12, 1, d),
    ];
    let e = of(&agenda_of(&with_other, r()), &with_other, 1);
    assert_eq!(e.situacao, Situacao::Realizado);
    assert_eq!(e.realizado_em, Some(d));
    // The same follow-up twice (a repeat with the same id) is still itself.
    let repeated = vec![
        entry(1, 12, 1, d, Some(d), Some((15, 0))),
        entry(1, 12, 1, d, Some(d), Some((15, 0))),
    ];
    let agenda = agenda_of(&repeated, r());
    assert!(
        agenda
            .entries
            .iter()
            .all(|e| e.situacao == Situacao::Atrasado)
    );
    // Two entries of one debtor registered on the due day keep each other.
    let two = vec![
        entry(1, 12, 1, d, Some(d), Some((15, 0))),
        entry(2, 12, 1, d, Some(d), Some((16, 0))),
    ];
    let agenda = agenda_of(&two, r());
    assert_eq!(agenda.counts.get(Situacao::Realizado), 2);
}

#[test]
fn missing_date_and_time() {
    let d = plus(2);
    let rows = vec![
        entry(1, 12, 1, plus(-1), Some(d), None),
        entry(2, 12, 2, plus(-1), Some(d), Some((14, 0))),
        entry(3, 12, 3, plus(-1), None, Some((9, 0))),
        entry(4, 12, 4, plus(-1), Some(d), Some((8, 30))),
        entry(5, 12, 5, plus(-1), None, None),
        // A contact after every date: it cannot keep an entry without a due date.
        contact(6, 12, 3, plus(30)),
    ];
    let agenda = agenda_of(&rows, r());
    let ids: Vec<i64> = agenda
        .entries
        .iter()
        .map(|e| rows[e.row as usize].id_followup().unwrap())
        .collect();
    // Due date, then time with the missing time last, then missing dates last by id.
    assert_eq!(ids, [4, 2, 1, 3, 5]);
    assert_eq!(of(&agenda, &rows, 1).situacao, Situacao::Proximos7Dias);
    assert_eq!(of(&agenda, &rows, 1).due_time, None);
    assert_eq!(of(&agenda, &rows, 3).situacao, Situacao::SemData);
    assert_eq!(of(&agenda, &rows, 5).situacao, Situacao::SemData);
}

#[test]
fn rows_missing_ids_are_never_matched_and_missing_follow_up_ids_are_told_apart_by_row() {
    let d = plus(-4);
    let mut no_client = entry(1, 12, 1, plus(-6), Some(d), None);
    no_client.set_id_cliente(None);
    let mut no_creditor_contact = contact(3, 12, 2, d);
    no_creditor_contact.set_id_credor(None);
    let mut no_data_contact = contact(5, 12, 3, d);
    no_data_contact.set_data(None);
    let mut no_id_entry = entry(0, 12, 4, d, Some(d), None);
    no_id_entry.set_id_followup(None);
    let mut no_id_contact = contact(0, 12, 4, d);
    no_id_contact.set_id_followup(None);
    let rows = vec![
        no_client,
        // Would keep entry 1 if debtors were matched without the client id.
        contact(2, 12, 1, d),
        entry(4, 12, 2, plus(-6), Some(d), None),
        no_creditor_contact,
        entry(6, 12, 3, plus(-6), Some(d), None),
        no_data_contact,
        no_id_entry,
        no_id_contact,
    ];
    let agenda = agenda_of(&rows, r());
    assert_eq!(of(&agenda, &rows, 1).situacao, Situacao::Atrasado);
    assert_eq!(of(&agenda, &rows, 4).situacao, Situacao::Atrasado);
    assert_eq!(of(&agenda, &rows, 6).situacao, Situacao::Atrasado);
    let no_id = agenda.entries.iter().find(|e| e.row == 6).unwrap();
    assert_eq!(no_id.situacao, Situacao::Realizado);
    assert_eq!(no_id.realizado_em, Some(d));
    // Alone, the entry without an id does not keep itself.
    let alone = vec![rows[6].clone()];
    assert_eq!(
        agenda_of(&alone, r()).entries[0].situacao,
        Situacao::Atrasado
    );
}

/// A compliance line as a tuple: group, entries, due, kept, overdue, percent.
type Line<'a> = (&'a str, u64, u64, u64, u64, Option<f64>);

#[test]
fn compliance_per_login_and_consultant() {
    // ana: 3 due (2 kept, 1 overdue), 1 today not kept, 1 upcoming.
    let mut rows = vec![
        entry(1, 12, 1, plus(-9), Some(plus(-8)), None),
        contact(2, 12, 1, plus(-8)),
        entry(3, 12, 2, plus(-9), Some(plus(-5)), None),
        contact(4, 12, 2, plus(-1)),
        entry(5, 12, 3, plus(-9), Some(plus(-5)), None),
        entry(6, 12, 4, plus(-9), Some(r()), None),
        entry(7, 12, 5, plus(-9), Some(plus(3)), None),
    ];
    // bruno (consultant 5): only upcoming and undated: nothing due.
    let mut b1 = entry(8, 12, 6, plus(-1), Some(plus(2)), None);
    let mut b2 = entry(9, 12, 7, plus(-1), None, None);
    for b in [&mut b1, &mut b2] {
        b.set_reagendado_por(Some("bruno.lima".into()));
        b.set_id_consultor(Some(5));
        b.set_nome_consultor(Some("Bruno Lima".into()));
    }
    rows.push(b1);
    rows.push(b2);
    // No login and no consultant: 1 due, overdue.
    let mut anon = entry(10, 12, 8, plus(-9), Some(plus(-2)), None);
    anon.set_reagendado_por(None);
    anon.set_id_consultor(None);
    anon.set_nome_consultor(None);
    rows.push(anon);

    let agenda = agenda_of(&rows, r());
    let by_login: Vec<Line<'_>> = agenda
        .por_reagendado_por
        .iter()
        .map(|c| {
            (
                c.grupo.as_str(),
                c.entradas,
                c.devidos,
                c.realizados,
                c.atrasados,
                c.pct_cumprimento(),
            )
        })
        .collect();
    // ana: due = entries 1, 3, 5, 6 (today counts as due); kept 1 and 3; overdue 5.
    assert_eq!(
        by_login,
        [
            ("ana.ribeiro", 5, 4, 2, 1, Some(50.0)),
            ("bruno.lima", 2, 0, 0, 0, None),
            ("(sem reagendado por)", 1, 1, 0, 1, Some(0.0)),
        ]
    );
    assert!(agenda.por_reagendado_por[2].missing);
    let by_consultant: Vec<(&str, Option<i64>, u64, Option<f64>)> = agenda
        .por_consultor
        .iter()
        .map(|c| (c.grupo.as_str(), c.id, c.devidos, c.pct_cumprimento()))
        .collect();
    assert_eq!(
        by_consultant,
        [
            ("Ana Paula Ribeiro", Some(3), 4, Some(50.0)),
            ("Bruno Lima", Some(5), 0, None),
            ("(sem consultor)", None, 1, Some(0.0)),
        ]
    );
    assert_eq!(
        (
            agenda.total.entradas,
            agenda.total.devidos,
            agenda.total.realizados,
            agenda.total.atrasados
        ),
        (8, 5, 2, 2)
    );
    assert_eq!(agenda.total.pct_cumprimento(), Some(40.0));
}

#[test]
fn compliance_with_nothing_due_is_none_and_rounds_to_one_decimal() {
    let rows = vec![
        entry(1, 12, 1, r(), Some(plus(1)), None),
        entry(2, 12, 2, r(), None, None),
    ];
    let agenda = agenda_of(&rows, r());
    assert_eq!(agenda.total.devidos, 0);
    assert_eq!(agenda.total.pct_cumprimento(), None);
    assert_eq!(agenda.por_reagendado_por[0].pct_cumprimento(), None);
    let empty = agenda_of::<Followup>(&[], r());
    assert!(empty.entries.is_empty());
    assert_eq!(empty.total.pct_cumprimento(), None);
    assert!(empty.por_reagendado_por.is_empty());

    let third = Cumprimento {
        devidos: 3,
        realizados: 1,
        ..Cumprimento::new("x".into(), None, false)
    };
    assert_eq!(third.pct_cumprimento(), Some(33.3));
    let two_thirds = Cumprimento {
        devidos: 3,
        realizados: 2,
        ..third.clone()
    };
    assert_eq!(two_thirds.pct_cumprimento(), Some(66.7));
}

#[test]
fn a_restricted_agenda_keeps_the_situacoes_and_recounts() {
    // Ana's reschedule is kept by João's call: filtering on Ana keeps it kept.
    let mut call = contact(2, 12, 1, plus(-3));
    call.set_id_consultor(Some(5));
    let rows = vec![
        entry(1, 12, 1, plus(-6), Some(plus(-4)), None),
        call,
        entry(3, 12, 2, plus(-6), Some(plus(-4)), None),
        entry(4, 12, 3, plus(-6), Some(plus(2)), None),
    ];
    let mut other = rows[3].clone();
    other.set_id_consultor(Some(5));
    other.set_reagendado_por(Some("joao.nascimento".into()));
    let rows = [rows, vec![other]].concat();
    let full = agenda_of(&rows, r());
    let ana = full.restricted(rows.as_slice(), |row| {
        rows[row as usize].id_consultor() == Some(3)
    });
    let ids: Vec<(i64, Situacao)> = ana
        .entries
        .iter()
        .map(|e| (rows[e.row as usize].id_followup().unwrap(), e.situacao))
        .collect();
    assert_eq!(
        ids,
        [
            (1, Situacao::Realizado),
            (3, Situacao::Atrasado),
            (4, Situacao::Proximos7Dias)
        ]
    );
    assert_eq!(ana.counts.total(), 3);
    assert_eq!((ana.total.devidos, ana.total.realizados), (2, 1));
    assert_eq!(ana.por_reagendado_por.len(), 1);
    assert_eq!(ana.por_consultor[0].id, Some(3));
    // Computing over the filtered rows instead would lose João's call.
    let filtered: Vec<&Followup> = rows
        .iter()
        .filter(|r| r.id_consultor() == Some(3))
        .collect();
    assert_eq!(agenda_of(&filtered, r()).counts.get(Situacao::Realizado), 0);
    // Keeping everything gives the same agenda back.
    assert_eq!(full.restricted(rows.as_slice(), |_| true), full);
}

#[test]
fn dates_at_the_ends_of_the_calendar_do_not_overflow() {
    let rows = vec![
        entry(1, 12, 1, NaiveDate::MIN, Some(NaiveDate::MAX), None),
        entry(2, 12, 2, NaiveDate::MAX, Some(NaiveDate::MIN), None),
        contact(3, 12, 2, NaiveDate::MAX),
    ];
    for reference in [NaiveDate::MIN, NaiveDate::MAX, r()] {
        let agenda = agenda_of(&rows, reference);
        assert_eq!(agenda.entries.len(), 2);
        assert_eq!(of(&agenda, &rows, 2).realizado_em, Some(NaiveDate::MAX));
    }
    assert_eq!(
        situacao_by_date(Some(NaiveDate::MAX), NaiveDate::MIN),
        Situacao::Depois
    );
    assert_eq!(
        situacao_by_date(Some(NaiveDate::MIN), NaiveDate::MAX),
        Situacao::Atrasado
    );
}

#[test]
fn names_round_trip() {
    for s in Situacao::ALL {
        assert_eq!(Situacao::from_str_name(s.as_str()), Some(s));
        assert!(!s.label().is_empty());
        assert_eq!(Situacao::ALL[s.index()], s);
    }
    assert_eq!(Situacao::Proximos7Dias.as_str(), "proximos_7_dias");
    assert_eq!(Situacao::Proximos7Dias.label(), "Próximos 7 dias");
    assert_eq!(Situacao::Atrasado.group_label(), "Atrasados");
}

/// The rules read literally, in O(n²): for each entry, every other row.
fn naive(rows: &[Followup], reference: NaiveDate) -> Vec<(u32, Situacao, Option<NaiveDate>)> {
    let mut out = Vec::new();
    for (i, e) in rows.iter().enumerate() {
        if e.reagendar() != Some(SimNao::Sim) {
            continue;
        }
        let due = e.data_reagendamento().map(|d| d.date());
        let mut kept: Option<NaiveDate> = None;
        if let (Some(credor), Some(cliente), Some(due)) = (e.id_credor(), e.id_cliente(), due) {
            for (j, o) in rows.iter().enumerate() {
                let other = j != i
                    && match (e.id_followup(), o.id_followup()) {
                        (Some(a), Some(b)) => a != b,
                        _ => true,
                    };
                if other
                    && o.id_credor() == Some(credor)
                    && o.id_cliente() == Some(cliente)
                    && let Some(d) = o.data().map(|d| d.date())
                    && d >= due
                    && kept.is_none_or(|k| d < k)
                {
                    kept = Some(d);
                }
            }
        }
        let situacao = match (kept, due) {
            (Some(_), _) => Situacao::Realizado,
            (None, None) => Situacao::SemData,
            (None, Some(d)) if d < reference => Situacao::Atrasado,
            (None, Some(d)) if d == reference => Situacao::Hoje,
            (None, Some(d)) if d <= reference + Duration::days(7) => Situacao::Proximos7Dias,
            (None, Some(_)) => Situacao::Depois,
        };
        out.push((i as u32, situacao, kept));
    }
    out
}

fn random_rows(rng: &mut fastrand::Rng, n: usize) -> Vec<Followup> {
    (0..n)
        .map(|_| {
            let maybe = |rng: &mut fastrand::Rng, v: i64| (rng.u8(0..20) != 0).then_some(v);
            let (id, credor, cliente) = (
                rng.i64(0..(n as i64 * 2).max(1)),
                rng.i64(1..3),
                rng.i64(1..6),
            );
            let on = plus(rng.i64(-30..10));
            let mut row = if rng.bool() {
                entry(
                    0,
                    0,
                    0,
                    on,
                    (rng.u8(0..10) != 0).then(|| on + Duration::days(rng.i64(-2..20))),
                    (rng.u8(0..5) != 0).then(|| (rng.u32(8..18), 0)),
                )
            } else {
                contact(0, 0, 0, on)
            };
            row.set_id_followup(maybe(rng, id));
            row.set_id_credor(maybe(rng, credor));
            row.set_id_cliente(maybe(rng, cliente));
            if rng.u8(0..30) == 0 {
                row.set_data(None);
            }
            row
        })
        .collect()
}

#[test]
fn randomized_against_the_naive_reading_of_the_rules() {
    let mut rng = fastrand::Rng::with_seed(14);
    for round in 0..200 {
        let n = rng.usize(0..80);
        let rows = random_rows(&mut rng, n);
        let reference = plus(rng.i64(-10..10));
        let agenda = agenda_of(&rows, reference);
        let mut got: Vec<(u32, Situacao, Option<NaiveDate>)> = agenda
            .entries
            .iter()
            .map(|e| (e.row, e.situacao, e.realizado_em))
            .collect();
        got.sort_by_key(|g| g.0);
        assert_eq!(got, naive(&rows, reference), "round {round}");
        for pair in agenda.entries.windows(2) {
            assert_ne!(
                entry_order(&pair[0], &pair[1], &|i| rows.get(i as usize)),
                Ordering::Greater
            );
        }
        let total: u64 = agenda.por_reagendado_por.iter().map(|c| c.devidos).sum();
        assert_eq!(total, agenda.total.devidos);
    }
}

#[test]
fn a_views_indices_limit_the_rows_and_entries_point_at_the_result_set() {
    let mut rng = fastrand::Rng::with_seed(7);
    // Larger than one parallel chunk, so several workers meet.
    let rows = random_rows(&mut rng, 40_000);
    // Every row kept, repeated ids included (a result set would drop the repeats).
    let mut stored = Rows::default();
    for row in &rows {
        assert!(stored.push(row.clone()));
    }
    let indices: Vec<u32> = (0..rows.len() as u32)
        .rev()
        .filter(|i| i % 3 != 0)
        .collect();
    let never = AtomicBool::new(false);
    let agenda = agenda(&stored, &indices, r(), &never).unwrap();
    // The same rows as a slice, in the view's order.
    let subset: Vec<&Followup> = indices.iter().map(|&i| &rows[i as usize]).collect();
    let expected = agenda_of(&subset, r());
    // Entries tied on date, time and id are ordered by row, which the two numberings order
    // differently: compare them by source row.
    let mut got: Vec<_> = agenda
        .entries
        .iter()
        .map(|e| (e.row, e.situacao, e.realizado_em, e.due_date))
        .collect();
    let mut want: Vec<_> = expected
        .entries
        .iter()
        .map(|e| {
            (
                indices[e.row as usize],
                e.situacao,
                e.realizado_em,
                e.due_date,
            )
        })
        .collect();
    got.sort_by_key(|g| g.0);
    want.sort_by_key(|w| w.0);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    assert!(got.iter().any(|g| g.1 == Situacao::Realizado));
    assert_eq!(agenda.counts, expected.counts);
    assert_eq!(agenda.por_reagendado_por, expected.por_reagendado_por);

    let cancel = AtomicBool::new(true);
    assert_eq!(
        super::agenda(&stored, &indices, r(), &cancel),
        Err(Cancelled)
    );
}

/// The whole agenda read plainly and sequentially: the naive situações, entries sorted by
/// [`entry_order`], then counted one by one in that order, each consultant named after the
/// first entry carrying a name.
fn sequential_reference(rows: &[Followup], reference: NaiveDate) -> Agenda {
    let get = |i: u32| rows.get(i as usize);
    let mut entries: Vec<AgendaEntry> = naive(rows, reference)
        .into_iter()
        .map(|(row, situacao, realizado_em)| {
            let source = &rows[row as usize];
            AgendaEntry {
                row,
                due_date: source.data_reagendamento().map(|d| d.date()),
                due_time: source.horario_reagendamento(),
                situacao,
                realizado_em,
            }
        })
        .collect();
    entries.sort_by(|a, b| entry_order(a, b, &get));
    let mut counts = SituacaoCounts::default();
    let mut total = Cumprimento::new("Total".to_owned(), None, false);
    let mut by_login: std::collections::HashMap<String, Cumprimento> = Default::default();
    let mut no_login = Cumprimento::new(SEM_REAGENDADO_POR.to_owned(), None, true);
    let mut by_consultant: std::collections::HashMap<i64, Cumprimento> = Default::default();
    let mut no_consultant = Cumprimento::new(SEM_CONSULTOR.to_owned(), None, true);
    for entry in &entries {
        counts.add(entry.situacao);
        total.count(entry, reference);
        let source = &rows[entry.row as usize];
        match source
            .reagendado_por()
            .map(|s| s.as_str())
            .filter(|s| !s.is_empty())
        {
            Some(login) => by_login
                .entry(login.to_owned())
                .or_insert_with(|| Cumprimento::new(login.to_owned(), None, false))
                .count(entry, reference),
            None => no_login.count(entry, reference),
        }
        match source.id_consultor() {
            Some(id) => {
                let line = by_consultant
                    .entry(id)
                    .or_insert_with(|| Cumprimento::new(String::new(), Some(id), false));
                if line.grupo.is_empty()
                    && let Some(name) = source.nome_consultor().map(|s| s.as_str())
                {
                    line.grupo = name.to_owned();
                }
                line.count(entry, reference);
            }
            None => no_consultant.count(entry, reference),
        }
    }
    let consultants = by_consultant
        .into_values()
        .map(|mut line| {
            if line.grupo.is_empty() {
                line.grupo = format!("Consultor {}", line.id.unwrap());
            }
            line
        })
        .collect();
    Agenda {
        reference,
        entries,
        counts,
        por_reagendado_por: compliance_table(by_login.into_values().collect(), no_login),
        por_consultor: compliance_table(consultants, no_consultant),
        total,
    }
}

#[test]
fn the_parallel_computation_matches_a_sequential_reading_over_thousands_of_rows() {
    let mut rng = fastrand::Rng::with_seed(1414);
    let logins = ["ana", "Ana", "bia", "caio", ""];
    let names = ["Ana Paula", "", "Bia", "Caio"];
    for round in 0..3 {
        let mut rows = random_rows(&mut rng, 3_000);
        // Many debtors, so every shard has some, and varied logins and consultants.
        for row in &mut rows {
            if row.id_cliente().is_some() {
                row.set_id_cliente(Some(rng.i64(1..400)));
            }
            row.set_reagendado_por(
                (rng.u8(0..8) != 0).then(|| logins[rng.usize(..logins.len())].into()),
            );
            row.set_id_consultor((rng.u8(0..8) != 0).then(|| rng.i64(1..6)));
            row.set_nome_consultor(
                (rng.u8(0..3) != 0).then(|| names[rng.usize(..names.len())].into()),
            );
        }
        // Ids at the ends of the type (the slots' "unknown" mark, the order key's last id),
        // and repeats: a few rows copied with their id.
        for i in 0..12 {
            rows[i * 13].set_id_followup(Some(if i % 2 == 0 { i64::MIN } else { i64::MAX }));
        }
        for i in 0..40 {
            let copy = rows[i * 7].clone();
            rows.push(copy);
        }
        let reference = plus(rng.i64(-10..10));
        let want = sequential_reference(&rows, reference);
        assert!(want.counts.get(Situacao::Realizado) > 100, "round {round}");
        assert!(want.counts.get(Situacao::Atrasado) > 10, "round {round}");
        // Small chunks, so the two cores share every pass and the partial counts merge.
        let never = AtomicBool::new(false);
        for chunk in [1, 37, 500, PAR_CHUNK] {
            let got = compute(
                rows.len(),
                |i| u32::try_from(i).ok(),
                |row| rows.get(row as usize),
                reference,
                &never,
                chunk,
            )
            .unwrap();
            assert_eq!(got, want, "round {round}, chunks of {chunk}");
            // Counting again in parallel (a filtered agenda does) gives the same tables.
            let again = tally(
                got.entries.clone(),
                &|row| rows.get(row as usize),
                reference,
                chunk,
            );
            assert_eq!(again, want, "round {round}, recounted in chunks of {chunk}");
        }
        assert_eq!(agenda_of(&rows, reference), want, "round {round}");
    }
}

/// The filter lists as first written: every entry's value read and labelled on its own.
fn entry_values_reference(agenda: &Agenda, rows: &[Followup], column: Column) -> Vec<EntryValue> {
    let mut counts: std::collections::HashMap<(Option<i64>, Option<String>), (String, u64)> =
        std::collections::HashMap::new();
    for entry in &agenda.entries {
        let row = &rows[entry.row as usize];
        let (id, key, label) = match row.value(column) {
            Value::Int(id) => {
                let label = match row.nome_consultor().map(|s| s.as_str()) {
                    Some(name) if column == Column::IdConsultor && !name.trim().is_empty() => {
                        format!("{} ({id})", name.trim())
                    }
                    _ => id.to_string(),
                };
                (Some(id), None, label)
            }
            value => match crate::results::value_key(column, value) {
                Some(key) => {
                    let label = crate::results::key_label(column, &key);
                    (None, Some(key), label)
                }
                None => (None, None, crate::results::BLANK_LABEL.to_owned()),
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

#[test]
fn filter_lists_match_a_per_entry_reading() {
    let mut rng = fastrand::Rng::with_seed(1_401);
    // Shared strings (as the parser makes them) beside copies of the same text, spaces
    // around it and blanks.
    let shared: Vec<SharedStr> = ["ana.ribeiro", " ana.ribeiro ", "jose", "", "  "]
        .into_iter()
        .map(SharedStr::from)
        .collect();
    let names = ["Ana Paula Ribeiro", " Ana Paula Ribeiro", "José", "", "Zé"];
    let codes = ["C", "G", "O", "X", " "];
    for round in 0..20 {
        let mut rows = random_rows(&mut rng, 400);
        for row in &mut rows {
            row.set_reagendado_por(match rng.u8(0..4) {
                0 => None,
                1 => Some(SharedStr::from(shared[rng.usize(..shared.len())].as_str())),
                _ => Some(shared[rng.usize(..shared.len())].clone()),
            });
            row.set_id_consultor((rng.u8(0..8) != 0).then(|| rng.i64(1..6)));
            row.set_nome_consultor(
                (rng.u8(0..6) != 0).then(|| SharedStr::from(names[rng.usize(..names.len())])),
            );
            row.set_reagendar_para(
                (rng.u8(0..6) != 0)
                    .then(|| crate::api::ReagendarPara::from_code(codes[rng.usize(..codes.len())])),
            );
        }
        let agenda = agenda_of(&rows, r());
        for column in [
            Column::IdConsultor,
            Column::ReagendadoPor,
            Column::ReagendarPara,
            Column::DataReagendamento,
            Column::IdCliente,
        ] {
            assert_eq!(
                agenda.entry_values(rows.as_slice(), column),
                entry_values_reference(&agenda, &rows, column),
                "round {round}, {column:?}"
            );
        }
    }
}
