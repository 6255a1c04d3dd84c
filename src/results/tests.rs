//! Tests of the result set: ordering, filtering, appending, cancelling.

use std::cmp::Ordering as CmpOrdering;
use std::sync::atomic::AtomicBool;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use proptest::prelude::*;

use super::*;
use crate::api::FollowupFields;
use crate::api::{SharedStr, SimNao, TipoContato, Value};

fn never() -> AtomicBool {
    AtomicBool::new(false)
}

fn named(names: &[Option<&str>]) -> Vec<Followup> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            Followup::from(FollowupFields {
                id_followup: Some(i as i64),
                nome_consultor: name.map(SharedStr::from),
                ..FollowupFields::default()
            })
        })
        .collect()
}

fn sorted(rows: Vec<Followup>, column: Column, descending: bool) -> Vec<u32> {
    let mut set = ResultSet::from_rows(rows);
    set.set_view(ViewSpec {
        sort: Some(SortSpec { column, descending }),
        filter: String::new(),
        ..ViewSpec::default()
    });
    set.view_indices().to_vec()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

#[test]
fn names_sort_ignoring_case_and_accents() {
    let rows = named(&[
        Some("Zé"),
        Some("alberto"),
        Some("Álvaro"),
        Some("élio"),
        Some("Elio"),
    ]);
    assert_eq!(
        sorted(rows.clone(), Column::NomeConsultor, false),
        [1, 2, 3, 4, 0]
    );
    // Ties keep arrival order in both directions.
    assert_eq!(sorted(rows, Column::NomeConsultor, true), [0, 3, 4, 2, 1]);
}

#[test]
fn empty_values_go_last_both_ways() {
    let rows = named(&[None, Some("b"), Some(""), Some("a"), Some("  "), None]);
    assert_eq!(
        sorted(rows.clone(), Column::NomeConsultor, false),
        [3, 1, 0, 2, 4, 5]
    );
    assert_eq!(
        sorted(rows, Column::NomeConsultor, true),
        [1, 3, 0, 2, 4, 5]
    );
    let ints: Vec<Followup> = [None, Some(3), None, Some(1)]
        .into_iter()
        .map(|id| {
            Followup::from(FollowupFields {
                id_evento: id,
                ..FollowupFields::default()
            })
        })
        .collect();
    assert_eq!(sorted(ints.clone(), Column::IdEvento, false), [3, 1, 0, 2]);
    assert_eq!(sorted(ints, Column::IdEvento, true), [1, 3, 0, 2]);
}

#[test]
fn numbers_sort_by_value_and_stably() {
    let rows: Vec<Followup> = [10, 2, -5, 2, 10, i64::MAX, i64::MIN]
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            Followup::from(FollowupFields {
                id_followup: Some(i as i64),
                id_cliente: Some(v),
                ..FollowupFields::default()
            })
        })
        .collect();
    assert_eq!(
        sorted(rows.clone(), Column::IdCliente, false),
        [6, 2, 1, 3, 0, 4, 5]
    );
    assert_eq!(sorted(rows, Column::IdCliente, true), [5, 0, 4, 1, 3, 2, 6]);
}

#[test]
fn dates_and_times_sort_by_value() {
    let rows: Vec<Followup> = [
        (date(2024, 2, 10), NaiveTime::from_hms_opt(9, 0, 0)),
        (date(2023, 12, 31), NaiveTime::from_hms_opt(14, 30, 0)),
        (date(2024, 2, 9), NaiveTime::from_hms_opt(8, 59, 59)),
        (date(1969, 7, 20), None),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (data, hora))| {
        Followup::from(FollowupFields {
            id_followup: Some(i as i64),
            data: Some(data),
            horario_reagendamento: hora,
            ..FollowupFields::default()
        })
    })
    .collect();
    assert_eq!(sorted(rows.clone(), Column::Data, false), [3, 1, 2, 0]);
    assert_eq!(sorted(rows.clone(), Column::Data, true), [0, 2, 1, 3]);
    assert_eq!(
        sorted(rows.clone(), Column::HorarioReagendamento, false),
        [2, 0, 1, 3]
    );
    assert_eq!(
        sorted(rows, Column::HorarioReagendamento, true),
        [1, 0, 2, 3]
    );
}

#[test]
fn codes_sort_by_label() {
    // Codes A E G O R S T W; labels sort as Atendimento, E-mail, Notificação, Outros, SMS,
    // Telefonema, Telegram, WhatsApp.
    let codes = ["W", "T", "S", "R", "O", "G", "E", "A"];
    let rows: Vec<Followup> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            Followup::from(FollowupFields {
                id_followup: Some(i as i64),
                tipo_contato: Some(TipoContato::from_code(code)),
                ..FollowupFields::default()
            })
        })
        .collect();
    let order: Vec<&str> = sorted(rows, Column::TipoContato, false)
        .into_iter()
        .map(|i| codes[i as usize])
        .collect();
    assert_eq!(order, ["A", "E", "R", "O", "S", "T", "G", "W"]);
}

#[test]
fn interaction_texts_sort_by_whole_folded_text() {
    let prefix = "Cliente informou que vai pagar o boleto ".repeat(3);
    let texts = [
        format!("{prefix}na sexta"),
        format!("{prefix}NA SEGUNDA"),
        format!("{prefix}na segunda"),
        prefix.to_string(),
        "Ávido".to_owned(),
        "avido".to_owned(),
        format!("{prefix}na sexta, à tarde"),
    ];
    let rows: Vec<Followup> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            Followup::from(FollowupFields {
                id_followup: Some(i as i64),
                interacao: Some(Box::from(t.as_str())),
                ..FollowupFields::default()
            })
        })
        .collect();
    assert_eq!(
        sorted(rows.clone(), Column::Interacao, false),
        [4, 5, 3, 1, 2, 0, 6]
    );
    assert_eq!(sorted(rows, Column::Interacao, true), [6, 0, 1, 2, 3, 4, 5]);
}

#[test]
fn documents_sort_by_their_characters() {
    let rows: Vec<Followup> = [
        "529.982.247-25",
        "11222333000181",
        "52998224725",
        "11.222.333/0001-80",
    ]
    .iter()
    .enumerate()
    .map(|(i, d)| {
        Followup::from(FollowupFields {
            id_followup: Some(i as i64),
            cpf_cnpj: Some(SharedStr::from(*d)),
            ..FollowupFields::default()
        })
    })
    .collect();
    assert_eq!(sorted(rows, Column::CpfCnpj, false), [3, 1, 0, 2]);
}

fn filter_rows() -> Vec<Followup> {
    vec![
        Followup::from(FollowupFields {
            id_followup: Some(1),
            nome_cliente: Some(SharedStr::from("João Conceição")),
            cpf_cnpj: Some(SharedStr::from("529.982.247-25")),
            interacao: Some(Box::from("Prometeu pagar amanhã")),
            tipo_contato: Some(TipoContato::Telefonema),
            ..FollowupFields::default()
        }),
        Followup::from(FollowupFields {
            id_followup: Some(2),
            nome_cliente: Some(SharedStr::from("Ana Sá")),
            cpf_cnpj: Some(SharedStr::from("11222333000181")),
            interacao: Some(Box::from("NEGOCIAÇÃO em andamento")),
            tipo_contato: Some(TipoContato::WhatsApp),
            reagendado_por: Some(SharedStr::from("marcio.simoes")),
            ..FollowupFields::default()
        }),
        Followup::from(FollowupFields {
            id_followup: Some(3),
            nome_cliente: Some(SharedStr::from("Élio Araújo")),
            interacao: Some(Box::from("Recado com a esposa; não atende")),
            reagendar: Some(SimNao::Nao),
            ..FollowupFields::default()
        }),
    ]
}

fn filtered(filter: &str) -> Vec<u32> {
    let mut set = ResultSet::from_rows(filter_rows());
    set.set_view(ViewSpec {
        sort: None,
        filter: filter.to_owned(),
        ..ViewSpec::default()
    });
    set.view_indices().to_vec()
}

#[test]
fn quick_filter_ignores_case_accents_and_masks() {
    assert_eq!(filtered(""), [0, 1, 2]);
    assert_eq!(filtered("   "), [0, 1, 2]);
    assert_eq!(filtered("joao"), [0]);
    assert_eq!(filtered("CONCEIÇÃO"), [0]);
    assert_eq!(filtered("elio"), [2]);
    assert_eq!(filtered("negociacao"), [1]);
    assert_eq!(filtered("Amanhã"), [0]);
    assert_eq!(filtered("529.982"), [0]);
    assert_eq!(filtered("529982"), [0]);
    assert_eq!(filtered("11.222.333"), [1]);
    assert_eq!(filtered("whatsapp"), [1]);
    assert_eq!(filtered("nao"), [2]);
    assert_eq!(filtered("simoes"), [1]);
    assert_eq!(filtered("a"), [0, 1, 2]);
    assert_eq!(filtered("inexistente"), Vec::<u32>::new());
}

#[test]
fn filter_then_sort_compose() {
    let mut set = ResultSet::from_rows(filter_rows());
    set.set_view(ViewSpec {
        sort: Some(SortSpec {
            column: Column::NomeCliente,
            descending: false,
        }),
        filter: "ã".to_owned(),
        ..ViewSpec::default()
    });
    // "ã" folds to "a": every row matches; names sort Ana, Élio, João.
    assert_eq!(set.view_indices(), [1, 2, 0]);
    set.set_view(ViewSpec {
        sort: Some(SortSpec {
            column: Column::NomeCliente,
            descending: true,
        }),
        filter: "ao".to_owned(),
        ..ViewSpec::default()
    });
    // "João", "NEGOCIAÇÃO", "não".
    assert_eq!(set.view_indices(), [0, 2, 1]);
    assert_eq!(set.view_count(), 3);
    assert_eq!(set.filter_text(), "ao");
    assert_eq!(set.row(0).and_then(|r| r.id_followup()), Some(1));
    assert_eq!(set.iter_view().count(), 3);
}

#[test]
fn repeats_are_dropped_within_and_across_batches_whichever_set_holds_the_ids() {
    let row = |id: i64| {
        Followup::from(FollowupFields {
            id_followup: Some(id),
            ..FollowupFields::default()
        })
    };
    // The first batch into an empty set: its own repeats go.
    let mut set = ResultSet::from_rows([row(7), row(8), row(7)]);
    assert_eq!(set.total_count(), 2);
    // The second batch meets the ids rebuilt from the rows; the third the kept set.
    assert_eq!(set.append([row(8), row(9), row(9)]), 1);
    assert_eq!(set.append([row(7), row(9), row(10)]), 1);
    assert_eq!(set.append([row(10), row(11)]), 1);
    let ids: Vec<Option<i64>> = set.rows().iter().map(Followup::id_followup).collect();
    assert_eq!(ids, [Some(7), Some(8), Some(9), Some(10), Some(11)]);
}

#[test]
fn append_deduplicates_by_id() {
    let mut set = ResultSet::new();
    assert_eq!(set.append(filter_rows()), 3);
    assert_eq!(set.append(filter_rows()), 0);
    let no_id = Followup::default();
    assert_eq!(set.append([no_id.clone(), no_id]), 2);
    let mut again = filter_rows();
    again[0].set_id_followup(Some(99));
    again.push(again[0].clone());
    assert_eq!(set.append(again), 1);
    assert_eq!(set.total_count(), 6);
    // Unsorted: the view follows appends.
    assert_eq!(set.view_count(), 6);
    assert!(set.view_is_current());
    assert_eq!(set.distinct_debtors(), 2);

    set.set_view(ViewSpec {
        sort: Some(SortSpec {
            column: Column::IdFollowup,
            descending: true,
        }),
        filter: String::new(),
        ..ViewSpec::default()
    });
    let row = Followup::from(FollowupFields {
        id_followup: Some(1000),
        ..FollowupFields::default()
    });
    assert_eq!(set.append([row]), 1);
    assert!(!set.view_is_current());
    assert_eq!(set.view_count(), 6);
    set.refresh();
    assert!(set.view_is_current());
    assert_eq!(set.row(0).and_then(|r| r.id_followup()), Some(1000));
}

#[test]
fn filtered_unsorted_view_follows_appends() {
    let mut set = ResultSet::new();
    set.set_view(ViewSpec {
        sort: None,
        filter: "joao".to_owned(),
        ..ViewSpec::default()
    });
    set.append(filter_rows());
    assert_eq!(set.view_indices(), [0]);
}

#[test]
fn views_install_only_where_they_belong() {
    let mut set = ResultSet::from_rows(filter_rows());
    let other = ResultSet::from_rows(filter_rows());
    let old = set.request_view(ViewSpec::default());
    set.append([Followup::default()]);
    let new = set.request_view(ViewSpec::default());
    let never = never();
    let view = new.compute(&never).expect("computed");
    assert_eq!(view.row_count(), 4);
    assert_eq!(set.install_view(view), Ok(()));
    let late = old.compute(&never).expect("computed");
    assert!(matches!(
        set.install_view(late),
        Err(StaleView::Superseded { .. })
    ));
    let foreign = other
        .request_view(ViewSpec::default())
        .compute(&never)
        .expect("computed");
    assert_eq!(
        set.install_view(foreign).err(),
        Some(StaleView::OtherResultSet)
    );
}

#[test]
fn cancelled_work_returns_early() {
    let rows = ResultSet::from_rows(crate::sim::huge_history_rows(40_000));
    let cancel = AtomicBool::new(true);
    let all: Vec<u32> = (0..rows.total_count() as u32).collect();
    for column in Column::ALL {
        let sort = SortSpec {
            column,
            descending: false,
        };
        assert_eq!(
            sort_indices(rows.rows(), &all, sort, &cancel),
            Err(Cancelled)
        );
    }
    assert_eq!(
        filter_indices(rows.rows(), "pagar", &cancel),
        Err(Cancelled)
    );
    let spec = ViewSpec {
        sort: None,
        filter: String::new(),
        ..ViewSpec::default()
    };
    assert_eq!(compute_view(rows.rows(), &spec, &cancel), Err(Cancelled));
}

/// A comparable key per the documented rules, computed the slow way.
#[derive(Debug, PartialEq, PartialOrd)]
enum RefKey {
    Int(i64),
    Micros(i64),
    Time(NaiveTime),
    Text(String),
}

fn ref_key(row: &Followup, column: Column) -> Option<RefKey> {
    match row.value(column) {
        Value::Empty => None,
        Value::Int(v) => Some(RefKey::Int(v)),
        Value::DateTime(v) => Some(RefKey::Micros(v.and_utc().timestamp_micros())),
        Value::Time(v) => Some(RefKey::Time(v)),
        Value::Text(t) | Value::Code(_, t) => {
            if t.trim().is_empty() {
                None
            } else if column == Column::CpfCnpj {
                Some(RefKey::Text(fold::doc_key(t)))
            } else {
                Some(RefKey::Text(fold(t)))
            }
        }
    }
}

fn ref_sort(rows: &[Followup], indices: &[u32], sort: SortSpec) -> Vec<u32> {
    let mut out = indices.to_vec();
    out.sort_by(|&a, &b| {
        let ka = ref_key(&rows[a as usize], sort.column);
        let kb = ref_key(&rows[b as usize], sort.column);
        match (ka, kb) {
            (None, None) => CmpOrdering::Equal,
            (None, Some(_)) => CmpOrdering::Greater,
            (Some(_), None) => CmpOrdering::Less,
            (Some(x), Some(y)) => {
                let order = x.partial_cmp(&y).unwrap_or(CmpOrdering::Equal);
                if sort.descending {
                    order.reverse()
                } else {
                    order
                }
            }
        }
    });
    out
}

fn ref_filter(rows: &[Followup], filter: &str) -> Vec<u32> {
    let needle = fold(filter.trim());
    let doc = fold::doc_key(filter);
    let has_digit = filter.bytes().any(|b| b.is_ascii_digit());
    (0..rows.len() as u32)
        .filter(|&i| {
            let row = &rows[i as usize];
            needle.is_empty()
                || Column::ALL.iter().any(|&column| match row.value(column) {
                    Value::Text(t) | Value::Code(_, t) => {
                        fold(t).contains(&needle)
                            || (column == Column::CpfCnpj
                                && has_digit
                                && !doc.is_empty()
                                && fold::doc_key(t).contains(&doc))
                    }
                    _ => false,
                })
        })
        .collect()
}

#[test]
fn synthetic_history_matches_the_reference() {
    let rows = crate::sim::huge_history_rows(6_000);
    let set = ResultSet::from_rows(rows.clone());
    let never = never();
    for filter in [
        "",
        "pagar",
        "CONCEICAO",
        "nao atende",
        "529982",
        "whatsapp",
        "zzz",
    ] {
        let filtered = filter_indices(set.rows(), filter, &never).expect("not cancelled");
        assert_eq!(filtered, ref_filter(&rows, filter), "filter {filter:?}");
        for column in Column::ALL {
            for descending in [false, true] {
                let sort = SortSpec { column, descending };
                let got = sort_indices(set.rows(), &filtered, sort, &never).expect("sorted");
                assert_eq!(
                    got,
                    ref_sort(&rows, &filtered, sort),
                    "{sort:?} / {filter:?}"
                );
            }
        }
    }
}

const NAMES: [&str; 10] = [
    "Álvaro", "alvaro", "Zé", "ze", "élio", "Elio", "", "Ana Sá", "ANA SA", "b",
];

fn arb_row() -> impl Strategy<Value = Followup> {
    (
        proptest::option::of(-3i64..3),
        proptest::option::of(0usize..NAMES.len()),
        proptest::option::of(0i64..2000),
        proptest::option::of(0usize..TipoContato::KNOWN.len()),
        proptest::option::of("[a-cA-CáÁçÇvVsßĉ\u{301}\u{212A}k ]{0,20}"),
    )
        .prop_map(|(id, name, day, contact, text)| {
            Followup::from(FollowupFields {
                id_evento: id,
                nome_consultor: name.map(|n| SharedStr::from(NAMES[n])),
                data: day.map(|d| date(2020, 1, 1) + chrono::Duration::hours(d)),
                tipo_contato: contact.map(|c| TipoContato::KNOWN[c].clone()),
                interacao: text.map(Box::from),
                ..FollowupFields::default()
            })
        })
}

proptest! {
    #[test]
    fn sorted_view_is_an_ordered_permutation(
        rows in proptest::collection::vec(arb_row(), 0..60),
        column in proptest::sample::select(vec![
            Column::IdEvento, Column::NomeConsultor, Column::Data, Column::TipoContato,
            Column::Interacao,
        ]),
        descending in any::<bool>(),
    ) {
        let set = ResultSet::from_rows(rows.clone());
        let all: Vec<u32> = (0..rows.len() as u32).collect();
        let sort = SortSpec { column, descending };
        let got = sort_indices(set.rows(), &all, sort, &never()).expect("sorted");
        let mut permutation = got.clone();
        permutation.sort_unstable();
        prop_assert_eq!(permutation, all.clone());
        prop_assert_eq!(got, ref_sort(&rows, &all, sort));
    }

    #[test]
    fn filter_matches_the_reference(
        rows in proptest::collection::vec(arb_row(), 0..40),
        filter in "[a-cA-CáÁçÇvVsßĉ\u{301}\u{212A}k ]{0,4}",
    ) {
        let set = ResultSet::from_rows(rows.clone());
        let got = filter_indices(set.rows(), &filter, &never()).expect("filtered");
        prop_assert_eq!(got, ref_filter(&rows, &filter));
    }
}

fn texts(texts: &[Option<&str>]) -> Vec<Followup> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            Followup::from(FollowupFields {
                id_followup: Some(i as i64),
                interacao: text.map(Box::from),
                ..FollowupFields::default()
            })
        })
        .collect()
}

fn interacao_view(filter: &str, descending: bool) -> ViewSpec {
    ViewSpec {
        sort: Some(SortSpec {
            column: Column::Interacao,
            descending,
        }),
        filter: filter.to_owned(),
        ..ViewSpec::default()
    }
}

/// The view computed through the set (cached keys) and without them, checked equal.
fn cached_and_uncached(set: &ResultSet, spec: ViewSpec) -> Vec<u32> {
    let never = never();
    let cached = set
        .request_view(spec.clone())
        .compute(&never)
        .expect("computed");
    let uncached = compute_view(set.rows(), &spec, &never).expect("computed");
    assert_eq!(cached.indices(), uncached, "{spec:?}");
    uncached
}

#[test]
fn cached_text_keys_keep_ties_stable_and_blanks_last() {
    let rows = texts(&[
        Some("Ávido"),
        Some("b"),
        None,
        Some("avido"),
        Some("  "),
        Some("AVIDO"),
        Some("Ávido b"),
        Some("avido"),
        Some(""),
        Some("Avido\u{301}"),
    ]);
    let set = ResultSet::from_rows(rows);
    assert!(!set.sort_keys_ready());
    set.prepare_sort_keys(&never()).expect("built");
    assert!(set.sort_keys_ready());
    assert_eq!(
        cached_and_uncached(&set, interacao_view("", false)),
        [0, 3, 5, 7, 9, 6, 1, 2, 4, 8]
    );
    assert_eq!(
        cached_and_uncached(&set, interacao_view("", true)),
        [1, 6, 0, 3, 5, 7, 9, 2, 4, 8]
    );
    // Equal folded texts share a rank; blanks have none.
    let ranks = set.text_ranks.cached(set.rows()).expect("cached table");
    assert_eq!(ranks.get(0), ranks.get(9));
    assert_eq!(ranks.get(3), ranks.get(5));
    assert!(ranks.get(0) < ranks.get(6) && ranks.get(6) < ranks.get(1));
    assert_eq!(
        (ranks.get(2), ranks.get(4), ranks.get(8)),
        (None, None, None)
    );
}

#[test]
fn cached_text_keys_match_uncached_sort_on_filtered_views() {
    let rows = crate::sim::huge_history_rows(6_000);
    let set = ResultSet::from_rows(rows.clone());
    set.prepare_sort_keys(&never()).expect("built");
    let never = never();
    for filter in ["", "pagar", "boleto", "nao atende", "zzz"] {
        let filtered = filter_indices(set.rows(), filter, &never).expect("filtered");
        for descending in [false, true] {
            let got = cached_and_uncached(&set, interacao_view(filter, descending));
            let sort = SortSpec {
                column: Column::Interacao,
                descending,
            };
            assert_eq!(got, ref_sort(&rows, &filtered, sort), "{filter:?}");
        }
    }
}

#[test]
fn appended_rows_make_the_cached_keys_stale() {
    let mut set = ResultSet::from_rows(texts(&[Some("b"), Some("d"), None, Some("B")]));
    set.prepare_sort_keys(&never()).expect("built");
    let old = set.request_view(interacao_view("", true));
    let mut more = texts(&[Some("a"), Some("c"), Some("D"), Some("")]);
    for (n, row) in more.iter_mut().enumerate() {
        row.set_id_followup(Some(100 + n as i64));
    }
    set.append(more);
    assert!(!set.sort_keys_ready());
    // A whole view rebuilds the keys over all rows.
    assert_eq!(
        cached_and_uncached(&set, interacao_view("", false)),
        [4, 0, 3, 5, 1, 6, 2, 7]
    );
    assert!(set.sort_keys_ready());
    assert_eq!(
        cached_and_uncached(&set, interacao_view("", true)),
        [1, 6, 5, 0, 3, 4, 2, 7]
    );
    // A request made before the append still sorts its own rows (a prefix of the new keys).
    let view = old.compute(&never()).expect("computed");
    assert_eq!(view.indices(), [1, 0, 3, 2]);
}

#[test]
fn small_views_do_not_build_the_keys_but_large_ones_do() {
    let rows = texts(&[
        Some("Prometeu pagar"),
        Some("recado"),
        Some("Não atende"),
        Some("recado"),
        Some("prometeu"),
        Some("outro"),
        Some("mais um"),
        Some("e outro"),
        Some("zeta"),
        Some("alfa"),
        None,
        Some("Beta"),
    ]);
    let mut set = ResultSet::from_rows(rows);
    set.set_view(interacao_view("prometeu", false));
    assert_eq!(set.view_indices(), [4, 0]);
    assert!(!set.sort_keys_ready());
    set.set_view(interacao_view("", true));
    assert_eq!(set.view_indices(), [8, 1, 3, 0, 4, 5, 2, 6, 7, 11, 9, 10]);
    assert!(set.sort_keys_ready());
    set.set_view(interacao_view("prometeu", true));
    assert_eq!(set.view_indices(), [0, 4]);
}

#[test]
fn cancelled_key_preparation_caches_nothing() {
    let set = ResultSet::from_rows(crate::sim::huge_history_rows(40_000));
    let cancel = AtomicBool::new(true);
    assert_eq!(set.prepare_sort_keys(&cancel), Err(Cancelled));
    assert!(!set.sort_keys_ready());
    let request = set.request_view(interacao_view("", false));
    assert_eq!(request.prepare_sort_keys(&cancel), Err(Cancelled));
    assert_eq!(request.compute(&cancel).err(), Some(Cancelled));
    assert!(!set.sort_keys_ready());
    request.prepare_sort_keys(&never()).expect("built");
    assert!(set.sort_keys_ready());
}

proptest! {
    #[test]
    fn cached_text_sort_matches_the_reference(
        rows in proptest::collection::vec(arb_row(), 0..60),
        keep in proptest::collection::vec(any::<bool>(), 60),
        descending in any::<bool>(),
    ) {
        let set = ResultSet::from_rows(rows.clone());
        set.prepare_sort_keys(&never()).expect("built");
        let subset: Vec<u32> = (0..rows.len() as u32).filter(|&i| keep[i as usize]).collect();
        let sort = SortSpec { column: Column::Interacao, descending };
        let ranks = set.text_ranks.cached(set.rows());
        prop_assert!(ranks.is_some());
        let got = sort::sort_indices_with(set.rows(), &subset, sort, ranks.as_deref(), &never())
            .expect("sorted");
        prop_assert_eq!(&got, &ref_sort(&rows, &subset, sort));
        let all: Vec<u32> = (0..rows.len() as u32).collect();
        let got = sort::sort_indices_with(set.rows(), &all, sort, ranks.as_deref(), &never())
            .expect("sorted");
        prop_assert_eq!(got, ref_sort(&rows, &all, sort));
    }
}

#[test]
fn a_new_spec_installs_even_if_rows_arrived_meanwhile() {
    // The installed unsorted view follows appends; a filter computed before the last append
    // still installs, and the set then asks for a refresh.
    let mut set = ResultSet::from_rows(filter_rows());
    let request = set.request_view(ViewSpec {
        sort: None,
        filter: "joao".to_owned(),
        ..ViewSpec::default()
    });
    set.append([Followup::from(FollowupFields {
        id_followup: Some(9_999),
        ..FollowupFields::default()
    })]);
    assert!(set.view_is_current(), "the unsorted view took the new row");
    let view = request.compute(&never()).expect("computed");
    assert_eq!(set.install_view(view), Ok(()));
    assert_eq!(set.filter_text(), "joao");
    assert!(!set.view_is_current());
    set.refresh();
    assert!(set.view_is_current());
    assert_eq!(set.view_indices(), [0]);
}
