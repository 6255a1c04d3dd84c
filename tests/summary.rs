//! The summary (issue 13 §1) against a reference computed another way: a naive fold into
//! `BTreeMap`s keyed by owned strings, periods found by walking every calendar day, for every
//! dimension, over simulator rows roughened with blanks, unknown codes, odd spacing, missing
//! dates and hostile spans. And the filters of each group, applied with the crate's own
//! column-filter machinery, keep exactly that group's rows.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicBool;

use chrono::{Datelike as _, NaiveDate, NaiveDateTime};
use recuperador_followups::analysis::summary::{
    Counts, Dimension, MAX_FILLED_PERIODS, Summary, SummaryCell, SummaryColumn, sorted_groups,
    summarize, summarize_rows,
};
use recuperador_followups::api::{
    Followup, FollowupFields, SharedStr, SimNao, TipoContato, TipoEvento,
};
use recuperador_followups::results::{ColumnFilters, ResultSet, ViewSpec, compute_view, fold};
use recuperador_followups::sim::huge_history_rows;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

fn at(date: NaiveDate) -> NaiveDateTime {
    date.and_hms_opt(9, 30, 0).expect("valid time")
}

/// A deterministic pseudo-random number generator (xorshift), independent of the crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Simulator rows with their keys mixed from small pools, including blanks, spaces around
/// names, unknown codes, missing ids and missing dates; dates over a few months.
fn rough_rows(n: usize, seed: u64) -> Vec<Followup> {
    let mut rng = Rng(seed | 1);
    let names: Vec<Option<SharedStr>> = [
        Some("Ana Beatriz"),
        Some(" Ana Beatriz "),
        Some("Álvaro"),
        Some("bruno"),
        Some("Zé"),
        Some(""),
        Some("   "),
        None,
    ]
    .into_iter()
    .map(|name| name.map(SharedStr::from))
    .collect();
    let docs: Vec<Option<SharedStr>> = [
        Some("52998224725"),
        Some("529.982.247-25"),
        Some("11222333000181"),
        Some(" "),
        None,
    ]
    .into_iter()
    .map(|doc| doc.map(SharedStr::from))
    .collect();
    let logins: Vec<Option<SharedStr>> =
        [Some("ana.b"), Some(" ana.b"), Some("jose"), Some(""), None]
            .into_iter()
            .map(|login| login.map(SharedStr::from))
            .collect();
    let channels = [
        Some(TipoContato::WhatsApp),
        Some(TipoContato::Telefonema),
        Some(TipoContato::Email),
        Some(TipoContato::from_code("X")),
        Some(TipoContato::from_code("zz")),
        Some(TipoContato::from_code(" ")),
        None,
    ];
    let types = [
        Some(TipoEvento::Produtivo),
        Some(TipoEvento::Improdutivo),
        Some(TipoEvento::from_code("Q")),
        Some(TipoEvento::from_code("")),
        None,
    ];
    let ids = [Some(1), Some(2), Some(7), Some(-3), Some(i64::MAX), None];
    let first_day = day(2024, 12, 20);
    huge_history_rows(n)
        .into_iter()
        .map(|mut row| {
            row.set_id_consultor(ids[rng.below(ids.len())]);
            row.set_nome_consultor(names[rng.below(names.len())].clone());
            row.set_id_evento(ids[rng.below(4)]);
            row.set_nome_evento(names[rng.below(4) + 2].clone());
            row.set_id_credor(ids[rng.below(3)]);
            row.set_nome_credor(names[rng.below(names.len())].clone());
            row.set_id_cliente(ids[rng.below(ids.len())]);
            row.set_nome_cliente(names[rng.below(names.len())].clone());
            row.set_cpf_cnpj(docs[rng.below(docs.len())].clone());
            row.set_reagendado_por(logins[rng.below(logins.len())].clone());
            row.set_tipo_contato(channels[rng.below(channels.len())].clone());
            row.set_tipo_evento(types[rng.below(types.len())].clone());
            row.set_reagendar([Some(SimNao::Sim), Some(SimNao::Nao), None][rng.below(3)].clone());
            // Dates over ~60 days with gaps (only some days get rows), a few missing.
            row.set_data(if rng.below(20) == 0 {
                None
            } else {
                let offset = (rng.below(12) * 5) as u64;
                first_day
                    .checked_add_days(chrono::Days::new(offset))
                    .map(at)
            });
            row
        })
        .collect()
}

/// The reference numbers of one group.
#[derive(Default, Debug)]
struct RefCounts {
    rows: u64,
    p: u64,
    i: u64,
    clients: BTreeSet<i64>,
    reag: u64,
    dates: BTreeSet<NaiveDate>,
}

impl RefCounts {
    fn add(&mut self, row: &Followup) {
        self.rows += 1;
        match row.tipo_evento().as_ref().map(|t| t.code()) {
            Some("P") => self.p += 1,
            Some("I") => self.i += 1,
            _ => {}
        }
        if let Some(c) = row.id_cliente() {
            self.clients.insert(c);
        }
        if row.reagendar().as_ref().map(|r| r.code()) == Some("S") {
            self.reag += 1;
        }
        if let Some(d) = row.data() {
            self.dates.insert(d.date());
        }
    }

    fn counts(&self) -> Counts {
        Counts {
            follow_ups: self.rows,
            produtivos: self.p,
            improdutivos: self.i,
            devedores: self.clients.len() as u64,
            reagendamentos: self.reag,
            primeira_data: self.dates.first().copied(),
            ultima_data: self.dates.last().copied(),
        }
    }
}

/// A trimmed, non-blank text.
fn text(value: Option<&str>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The reference label of a row's group (names trimmed, codes by label, CPF/CNPJ masked).
fn reference_label(dimension: Dimension, row: &Followup) -> (String, Option<i64>) {
    let named =
        |id: Option<i64>, name: Option<&str>, missing: &str, noun: &str| match (id, text(name)) {
            (None, None) => (missing.to_owned(), None),
            (id, Some(name)) => (name, id),
            (Some(id), None) => (format!("{noun} {id}"), Some(id)),
        };
    let code = |code: Option<&str>, label: Option<&str>, missing: &str| match code {
        Some(c) if !c.trim().is_empty() => (label.unwrap_or(c).to_owned(), None),
        _ => (missing.to_owned(), None),
    };
    match dimension {
        Dimension::Consultor => named(
            row.id_consultor(),
            row.nome_consultor().map(|s| s.as_str()),
            "(sem consultor)",
            "Consultor",
        ),
        Dimension::Evento => named(
            row.id_evento(),
            row.nome_evento().map(|s| s.as_str()),
            "(sem evento)",
            "Evento",
        ),
        Dimension::Credor => named(
            row.id_credor(),
            row.nome_credor().map(|s| s.as_str()),
            "(sem credor)",
            "Credor",
        ),
        Dimension::Devedor => {
            let doc = text(row.cpf_cnpj().map(|s| s.as_str()))
                .map(|d| recuperador_followups::doc_id::format_lenient(&d));
            match (
                row.id_cliente(),
                text(row.nome_cliente().map(|s| s.as_str())),
                doc,
            ) {
                (None, None, None) => ("(sem devedor)".to_owned(), None),
                (id, Some(name), Some(doc)) => (format!("{name} ({doc})"), id),
                (id, Some(name), None) => (name, id),
                (id, None, Some(doc)) => (doc, id),
                (Some(id), None, None) => (format!("Devedor {id}"), Some(id)),
            }
        }
        Dimension::Canal => code(
            row.tipo_contato().as_ref().map(|c| c.code()),
            row.tipo_contato().as_ref().map(|c| c.label()),
            "(sem canal)",
        ),
        Dimension::TipoEvento => code(
            row.tipo_evento().as_ref().map(|c| c.code()),
            row.tipo_evento().as_ref().map(|c| c.label()),
            "(sem tipo)",
        ),
        Dimension::ReagendadoPor => match text(row.reagendado_por().map(|s| s.as_str())) {
            Some(login) => (login, None),
            None => ("(sem reagendado por)".to_owned(), None),
        },
        Dimension::Dia | Dimension::Semana | Dimension::Mes => {
            unreachable!("periods have their own reference")
        }
    }
}

/// The reference period key of a day (JSON's "grupo").
fn period_key(dimension: Dimension, date: NaiveDate) -> String {
    match dimension {
        Dimension::Dia => format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day()),
        Dimension::Semana => {
            let week = date.iso_week();
            format!("{:04}-W{:02}", week.year(), week.week())
        }
        Dimension::Mes => format!("{:04}-{:02}", date.year(), date.month()),
        _ => unreachable!(),
    }
}

/// Checks `summary` against the naive reference over `rows`.
fn check_against_reference(rows: &[Followup], summary: &Summary) {
    let dimension = summary.dimension;
    let mut total = RefCounts::default();
    rows.iter().for_each(|row| total.add(row));
    assert_eq!(summary.total, total.counts(), "{dimension:?} total");
    let sum: u64 = summary.groups.iter().map(|g| g.counts.follow_ups).sum();
    assert_eq!(
        sum,
        rows.len() as u64,
        "{dimension:?}: every row in one group"
    );

    if dimension.is_period() {
        let mut by_key: BTreeMap<String, RefCounts> = BTreeMap::new();
        let mut missing = RefCounts::default();
        for row in rows {
            match row.data() {
                Some(d) => by_key
                    .entry(period_key(dimension, d.date()))
                    .or_default()
                    .add(row),
                None => missing.add(row),
            }
        }
        // Walk every day from the first to the last: each period in between appears.
        let dates: Vec<NaiveDate> = rows
            .iter()
            .filter_map(|r| r.data().map(|d| d.date()))
            .collect();
        let mut expected_keys: Vec<String> = Vec::new();
        if let (Some(first), Some(last)) = (dates.iter().min(), dates.iter().max()) {
            let mut d = *first;
            while d <= *last {
                let key = period_key(dimension, d);
                if expected_keys.last() != Some(&key) {
                    expected_keys.push(key);
                }
                d = d
                    .succ_opt()
                    .expect("test dates are far from the calendar's end");
            }
        }
        let mut expected: Vec<(String, Counts, bool)> = expected_keys
            .into_iter()
            .map(|key| {
                let counts = by_key.get(&key).map(RefCounts::counts).unwrap_or_default();
                (key, counts, false)
            })
            .collect();
        if missing.rows > 0 {
            expected.push(("(sem data)".to_owned(), missing.counts(), true));
        }
        let actual: Vec<(String, Counts, bool)> = summary
            .groups
            .iter()
            .map(|g| (g.key().to_owned(), g.counts.clone(), g.missing))
            .collect();
        assert_eq!(actual, expected, "{dimension:?}");
        for group in &summary.groups {
            match group.period {
                Some((first, last)) => {
                    assert_eq!(period_key(dimension, first), group.key());
                    assert_eq!(period_key(dimension, last), group.key());
                    assert_ne!(
                        period_key(dimension, first.pred_opt().unwrap()),
                        group.key()
                    );
                    assert_ne!(period_key(dimension, last.succ_opt().unwrap()), group.key());
                    if dimension == Dimension::Semana {
                        assert_eq!(first.weekday(), chrono::Weekday::Mon);
                    }
                }
                None => assert!(group.missing),
            }
        }
        return;
    }

    let mut by_label: BTreeMap<(String, Option<i64>), RefCounts> = BTreeMap::new();
    for row in rows {
        by_label
            .entry(reference_label(dimension, row))
            .or_default()
            .add(row);
    }
    let mut expected: Vec<(String, Option<i64>, Counts)> = by_label
        .into_iter()
        .map(|((label, id), counts)| (label, id, counts.counts()))
        .collect();
    expected.sort_by_key(|(label, id, counts)| {
        (Reverse(counts.follow_ups), fold(label), label.clone(), *id)
    });
    let actual: Vec<(String, Option<i64>, Counts)> = summary
        .groups
        .iter()
        .map(|g| {
            let id = if g.missing { None } else { g.id };
            (g.label.clone(), id, g.counts.clone())
        })
        .collect();
    assert_eq!(actual, expected, "{dimension:?}");
    for group in &summary.groups {
        assert_eq!(group.missing, group.label.starts_with("(sem "), "{group:?}");
        assert_eq!(group.key(), group.label);
        assert_eq!(group.period, None);
        if !dimension.has_id() {
            assert_eq!(group.id, None);
        }
        if dimension.has_code() && !group.missing {
            let code = group.codigo.as_deref().expect("a code");
            let label = if dimension == Dimension::Canal {
                TipoContato::from_code(code).label().to_owned()
            } else {
                TipoEvento::from_code(code).label().to_owned()
            };
            assert_eq!(label, group.label);
        } else {
            assert_eq!(group.codigo, None, "{group:?}");
        }
    }
}

#[test]
fn every_dimension_matches_the_reference() {
    let rows = rough_rows(6_000, 0x00C0_FFEE);
    let set = ResultSet::from_rows(rows.clone());
    let indices: Vec<u32> = (0..rows.len() as u32).collect();
    let never = AtomicBool::new(false);
    for dimension in Dimension::ALL {
        let summary = summarize_rows(&rows, dimension);
        check_against_reference(&rows, &summary);
        // The parallel version over a view's indices, in another order, gives the same.
        let mut shuffled = indices.clone();
        shuffled.reverse();
        let parallel = summarize(set.rows(), &shuffled, dimension, &never).expect("not cancelled");
        assert_eq!(parallel, summary, "{dimension:?}");
    }
}

#[test]
fn a_subset_of_rows_is_summarized_alone() {
    let rows = rough_rows(3_000, 42);
    let set = ResultSet::from_rows(rows.clone());
    let never = AtomicBool::new(false);
    let picked: Vec<u32> = (0..rows.len() as u32).filter(|i| i % 3 == 1).collect();
    let subset: Vec<Followup> = picked.iter().map(|&i| rows[i as usize].clone()).collect();
    for dimension in Dimension::ALL {
        let summary = summarize(set.rows(), &picked, dimension, &never).expect("not cancelled");
        check_against_reference(&subset, &summary);
    }
    // Indices past the end are skipped, not a panic.
    let summary = summarize(set.rows(), &[0, u32::MAX], Dimension::Canal, &never).unwrap();
    assert_eq!(summary.total.follow_ups, 1);
}

#[test]
fn cancelled_summaries_stop() {
    let rows = rough_rows(100_000, 7);
    let set = ResultSet::from_rows(rows);
    let indices: Vec<u32> = (0..set.rows().len() as u32).collect();
    let cancel = AtomicBool::new(true);
    assert!(summarize(set.rows(), &indices, Dimension::Devedor, &cancel).is_err());
}

#[test]
fn each_groups_filters_keep_exactly_its_rows() {
    let rows = rough_rows(4_000, 99);
    let set = ResultSet::from_rows(rows.clone());
    let never = AtomicBool::new(false);
    for dimension in Dimension::ALL {
        let summary = summarize_rows(&rows, dimension);
        for group in &summary.groups {
            let mut filters = ColumnFilters::new();
            for (column, filter) in group.filters(dimension) {
                assert!(filters.set(column, filter), "{dimension:?} {column:?}");
            }
            let spec = ViewSpec {
                columns: filters,
                ..ViewSpec::default()
            };
            let kept = compute_view(set.rows(), &spec, &never).expect("not cancelled");
            assert_eq!(
                kept.len() as u64,
                group.counts.follow_ups,
                "{dimension:?} {:?}",
                group.label
            );
            // And exactly those rows: they summarize to this group alone.
            let kept_rows: Vec<&Followup> = kept.iter().map(|&i| &rows[i as usize]).collect();
            let again = summarize_rows(kept_rows, dimension);
            let nonzero: Vec<_> = again
                .groups
                .iter()
                .filter(|g| g.counts.follow_ups > 0)
                .collect();
            if group.counts.follow_ups > 0 {
                assert_eq!(nonzero.len(), 1, "{dimension:?} {:?}", group.label);
                assert_eq!(nonzero[0].label, group.label);
                assert_eq!(nonzero[0].counts, group.counts);
            } else {
                assert!(nonzero.is_empty());
            }
        }
    }
}

#[test]
fn missing_keys_unknown_codes_and_names_by_hand() {
    let base = Followup::from(FollowupFields {
        data: Some(at(day(2024, 1, 10))),
        ..FollowupFields::default()
    });
    let rows = vec![
        Followup::from(FollowupFields {
            id_consultor: Some(7),
            nome_consultor: Some(SharedStr::from("Ana Beatriz")),
            tipo_contato: Some(TipoContato::WhatsApp),
            tipo_evento: Some(TipoEvento::Produtivo),
            id_cliente: Some(1),
            ..base.fields()
        }),
        Followup::from(FollowupFields {
            id_consultor: Some(7),
            nome_consultor: Some(SharedStr::from(" Ana Beatriz ")),
            tipo_contato: Some(TipoContato::from_code("X")),
            tipo_evento: Some(TipoEvento::Improdutivo),
            id_cliente: Some(1),
            reagendar: Some(SimNao::Sim),
            data: Some(at(day(2024, 1, 12))),
            ..base.fields()
        }),
        Followup::from(FollowupFields {
            tipo_evento: Some(TipoEvento::from_code("Z")),
            id_cliente: Some(2),
            data: None,
            ..base.fields()
        }),
    ];
    let consultor = summarize_rows(&rows, Dimension::Consultor);
    let labels: Vec<(&str, Option<i64>, u64)> = consultor
        .groups
        .iter()
        .map(|g| (g.label.as_str(), g.id, g.counts.follow_ups))
        .collect();
    assert_eq!(
        labels,
        vec![("Ana Beatriz", Some(7), 2), ("(sem consultor)", None, 1)]
    );
    let ana = &consultor.groups[0].counts;
    assert_eq!((ana.produtivos, ana.improdutivos, ana.outros()), (1, 1, 0));
    assert_eq!(ana.pct_produtivos(), Some(50.0));
    assert_eq!(ana.devedores, 1);
    assert_eq!(ana.reagendamentos, 1);
    assert_eq!(ana.primeira_data, Some(day(2024, 1, 10)));
    assert_eq!(ana.ultima_data, Some(day(2024, 1, 12)));
    let nobody = &consultor.groups[1];
    assert!(nobody.missing);
    assert_eq!(nobody.counts.pct_produtivos(), None);
    assert_eq!(nobody.counts.outros(), 1);
    assert_eq!(consultor.total.devedores, 2);

    let canal = summarize_rows(&rows, Dimension::Canal);
    let labels: Vec<(&str, Option<&str>)> = canal
        .groups
        .iter()
        .map(|g| (g.label.as_str(), g.codigo.as_deref()))
        .collect();
    // Equal counts: by name, ignoring case ("(" sorts before letters).
    assert_eq!(
        labels,
        vec![
            ("(sem canal)", None),
            ("WhatsApp", Some("W")),
            ("X", Some("X"))
        ]
    );

    let dia = summarize_rows(&rows, Dimension::Dia);
    let labels: Vec<(&str, &str, u64)> = dia
        .groups
        .iter()
        .map(|g| (g.label.as_str(), g.key(), g.counts.follow_ups))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("10/01/2024", "2024-01-10", 1),
            ("11/01/2024", "2024-01-11", 0),
            ("12/01/2024", "2024-01-12", 1),
            ("(sem data)", "(sem data)", 1),
        ]
    );
    let mes = summarize_rows(&rows, Dimension::Mes);
    assert_eq!(mes.groups[0].label, "jan/2024");
    assert_eq!(mes.groups[0].key(), "2024-01");
    let semana = summarize_rows(&rows, Dimension::Semana);
    assert_eq!(semana.groups[0].label, "08/01 a 14/01/2024");
    assert_eq!(semana.groups[0].key(), "2024-W02");
    assert_eq!(
        semana.groups[0].period,
        Some((day(2024, 1, 8), day(2024, 1, 14)))
    );
}

#[test]
fn iso_weeks_cross_the_year_boundary() {
    let rows: Vec<Followup> = [day(2024, 12, 27), day(2025, 1, 2), day(2025, 1, 13)]
        .into_iter()
        .map(|d| {
            Followup::from(FollowupFields {
                data: Some(at(d)),
                ..FollowupFields::default()
            })
        })
        .collect();
    let semana = summarize_rows(&rows, Dimension::Semana);
    let keys: Vec<(&str, &str, u64)> = semana
        .groups
        .iter()
        .map(|g| (g.key(), g.label.as_str(), g.counts.follow_ups))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("2024-W52", "23/12 a 29/12/2024", 1),
            ("2025-W01", "30/12/2024 a 05/01/2025", 1),
            ("2025-W02", "06/01 a 12/01/2025", 0),
            ("2025-W03", "13/01 a 19/01/2025", 1),
        ]
    );
    let mes = summarize_rows(&rows, Dimension::Mes);
    let keys: Vec<&str> = mes.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(keys, vec!["dez/2024", "jan/2025"]);
}

#[test]
fn a_hostile_span_does_not_fill_millions_of_periods() {
    let rows: Vec<Followup> = [day(1, 1, 1), day(9999, 12, 31), day(2024, 5, 5)]
        .into_iter()
        .map(|d| {
            Followup::from(FollowupFields {
                data: Some(at(d)),
                ..FollowupFields::default()
            })
        })
        .collect();
    for dimension in [Dimension::Dia, Dimension::Semana, Dimension::Mes] {
        let summary = summarize_rows(&rows, dimension);
        // Past the bound only the periods with rows are listed, still by date.
        assert_eq!(summary.groups.len(), 3, "{dimension:?}");
        assert!(summary.groups.windows(2).all(|w| w[0].period < w[1].period));
    }
    // Within the bound the gaps are filled.
    let near: Vec<Followup> = [day(2000, 1, 1), day(2001, 1, 1)]
        .into_iter()
        .map(|d| {
            Followup::from(FollowupFields {
                data: Some(at(d)),
                ..FollowupFields::default()
            })
        })
        .collect();
    assert_eq!(summarize_rows(&near, Dimension::Dia).groups.len(), 367);
    const { assert!(367 <= MAX_FILLED_PERIODS) };
}

#[test]
fn cells_and_sorting_follow_the_columns() {
    let rows = rough_rows(2_000, 5);
    let summary = summarize_rows(&rows, Dimension::Consultor);
    let columns = SummaryColumn::for_dimension(Dimension::Consultor);
    assert_eq!(columns[0], SummaryColumn::Grupo);
    assert_eq!(columns[1], SummaryColumn::Id);
    assert_eq!(columns.len(), 10);
    assert_eq!(
        SummaryColumn::Grupo.header(Dimension::Consultor),
        "Consultor"
    );
    assert_eq!(
        SummaryColumn::for_dimension(Dimension::Canal)[1],
        SummaryColumn::Codigo
    );
    assert_eq!(SummaryColumn::for_dimension(Dimension::Mes).len(), 9);
    let group = &summary.groups[0];
    assert_eq!(
        SummaryColumn::FollowUps.cell(group),
        SummaryCell::Int(group.counts.follow_ups as i64)
    );
    assert_eq!(
        SummaryColumn::Grupo.total_cell(&summary.total),
        SummaryCell::Text("Total".to_owned())
    );
    assert_eq!(
        SummaryColumn::Id.total_cell(&summary.total),
        SummaryCell::Empty
    );

    // Sorting by a count: non-missing groups in order, missing last either way.
    for descending in [false, true] {
        let order = sorted_groups(&summary, SummaryColumn::Produtivos, descending);
        assert_eq!(order.len(), summary.groups.len());
        let seen: Vec<&_> = order.iter().map(|&i| &summary.groups[i as usize]).collect();
        let present: Vec<u64> = seen
            .iter()
            .filter(|g| !g.missing)
            .map(|g| g.counts.produtivos)
            .collect();
        let mut expected = present.clone();
        expected.sort_unstable();
        if descending {
            expected.reverse();
        }
        assert_eq!(present, expected);
        assert!(seen.last().is_some_and(|g| g.missing));
    }
    // By name, ignoring case and accents: Álvaro before bruno before Zé.
    let order = sorted_groups(&summary, SummaryColumn::Grupo, false);
    let names: Vec<String> = order
        .iter()
        .map(|&i| &summary.groups[i as usize])
        .filter(|g| !g.missing)
        .map(|g| fold(&g.label))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // Periods sort by date, not by label text.
    let dia = summarize_rows(&rows, Dimension::Dia);
    let order = sorted_groups(&dia, SummaryColumn::Grupo, true);
    let periods: Vec<_> = order
        .iter()
        .filter_map(|&i| dia.groups[i as usize].period)
        .collect();
    assert!(periods.windows(2).all(|w| w[0] > w[1]));
}

#[test]
fn the_copy_is_the_table_as_tsv_with_the_copy_rules() {
    use recuperador_followups::export::summary::summary_tsv;
    let data = Some(at(day(2024, 1, 10)));
    let row = |id: Option<i64>, name: Option<&str>, tipo: Option<TipoEvento>| {
        Followup::from(FollowupFields {
            id_consultor: id,
            nome_consultor: name.map(SharedStr::from),
            tipo_evento: tipo,
            data,
            ..FollowupFields::default()
        })
    };
    let rows = vec![
        row(Some(1), Some("=HYPERLINK(x)"), Some(TipoEvento::Produtivo)),
        row(
            Some(1),
            Some("=HYPERLINK(x)"),
            Some(TipoEvento::Improdutivo),
        ),
        row(Some(2), Some("Ana\tB"), Some(TipoEvento::Produtivo)),
        row(None, None, None),
    ];
    let text = summary_tsv(&summarize_rows(&rows, Dimension::Consultor));
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines,
        vec![
            "Consultor\tID\tFollow-ups\tProdutivos\tImprodutivos\t% produtivos\tDevedores\tReagendamentos\tPrimeira data\tÚltima data",
            "'=HYPERLINK(x)\t1\t2\t1\t1\t50,0\t0\t0\t10/01/2024\t10/01/2024",
            "(sem consultor)\t\t1\t0\t0\t\t0\t0\t10/01/2024\t10/01/2024",
            "\"Ana\tB\"\t2\t1\t1\t0\t100,0\t0\t0\t10/01/2024\t10/01/2024",
            "Total\t\t4\t2\t1\t66,7\t0\t0\t10/01/2024\t10/01/2024",
            "",
        ]
    );
}
