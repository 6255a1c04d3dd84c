//! Tests of column filters: every kind, blanks, edge values, composition with the quick filter
//! and with each other, appends, the distinct-value lists, and the stored shape.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicBool;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use proptest::prelude::*;

use super::*;
use crate::api::FollowupFields;
use crate::api::{Column, Followup, SharedStr, SimNao, TipoContato};
use crate::results::{
    Cancelled, ResultSet, SortSpec, ViewSpec, compute_view, filter_indices, fold,
};

fn never() -> AtomicBool {
    AtomicBool::new(false)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    day(y, m, d).and_hms_opt(h, min, 0).expect("valid time")
}

fn values(keys: &[&str], blanks: bool) -> ColumnFilter {
    ColumnFilter::Values {
        values: keys.iter().map(|k| (*k).to_owned()).collect(),
        blanks,
    }
}

fn numbers(values: &[i64], blanks: bool) -> ColumnFilter {
    ColumnFilter::Numbers {
        values: values.iter().copied().collect(),
        blanks,
    }
}

fn only(column: Column, filter: ColumnFilter) -> ColumnFilters {
    let mut filters = ColumnFilters::new();
    assert!(filters.set(column, filter), "the filter fits {column:?}");
    filters
}

/// The view of `rows` with the quick filter `quick` and `columns`, unsorted.
fn view(rows: &[Followup], quick: &str, columns: ColumnFilters) -> Vec<u32> {
    let mut set = ResultSet::from_rows(rows.to_vec());
    set.set_view(ViewSpec {
        sort: None,
        filter: quick.to_owned(),
        columns,
    });
    set.view_indices().to_vec()
}

/// A small history with every kind of value, blanks and look-alikes.
fn rows() -> Vec<Followup> {
    let ana: SharedStr = SharedStr::from("Ana Souza");
    let bruno: SharedStr = SharedStr::from("Bruno Álvares");
    vec![
        // 0
        Followup::from(FollowupFields {
            id_followup: Some(1),
            id_cliente: Some(i64::MIN),
            nome_consultor: Some(ana.clone()),
            cpf_cnpj: Some(SharedStr::from("52998224725")),
            tipo_contato: Some(TipoContato::WhatsApp),
            data: Some(at(2026, 11, 1, 0, 0)),
            interacao: Some(Box::from("Enviado BOLETO por WhatsApp")),
            horario_reagendamento: NaiveTime::from_hms_opt(9, 30, 0),
            ..FollowupFields::default()
        }),
        // 1: the same consultant in another string, with spaces; the CPF with its mask.
        Followup::from(FollowupFields {
            id_followup: Some(2),
            id_cliente: Some(i64::MAX),
            nome_consultor: Some(SharedStr::from(" Ana Souza ")),
            cpf_cnpj: Some(SharedStr::from("529.982.247-25")),
            tipo_contato: Some(TipoContato::Sms),
            data: Some(at(2026, 11, 30, 23, 59)),
            interacao: Some(Box::from("Negociação em andamento")),
            horario_reagendamento: NaiveTime::from_hms_opt(14, 0, 0),
            ..FollowupFields::default()
        }),
        // 2
        Followup::from(FollowupFields {
            id_followup: Some(3),
            id_cliente: Some(0),
            nome_consultor: Some(bruno.clone()),
            cpf_cnpj: Some(SharedStr::from("11222333000181")),
            tipo_contato: Some(TipoContato::Telefonema),
            data: Some(at(2026, 12, 1, 8, 0)),
            interacao: Some(Box::from("Cliente pediu o boleto de novo")),
            reagendar: Some(SimNao::Sim),
            ..FollowupFields::default()
        }),
        // 3: blanks everywhere (whitespace counts as blank).
        Followup::from(FollowupFields {
            id_followup: Some(4),
            nome_consultor: Some(SharedStr::from("   ")),
            interacao: Some(Box::from("  ")),
            ..FollowupFields::default()
        }),
        // 4: an unknown code and another known one.
        Followup::from(FollowupFields {
            id_followup: None,
            id_cliente: Some(-5),
            nome_consultor: Some(bruno),
            tipo_contato: Some(TipoContato::from_code("X9")),
            data: Some(at(2025, 1, 15, 10, 0)),
            interacao: Some(Box::from("Sem contato")),
            ..FollowupFields::default()
        }),
        // 5
        Followup::from(FollowupFields {
            id_followup: Some(6),
            id_cliente: Some(7),
            nome_consultor: Some(ana),
            tipo_contato: Some(TipoContato::WhatsApp),
            data: Some(at(2026, 11, 15, 12, 0)),
            interacao: Some(Box::from("Pagamento prometido; negociacao fechada")),
            ..FollowupFields::default()
        }),
    ]
}

#[test]
fn codes_filter_by_code_and_show_by_label() {
    let rows = rows();
    let filter = values(&["W", "S"], false);
    assert_eq!(
        view(&rows, "", only(Column::TipoContato, filter.clone())),
        [0, 1, 5]
    );
    assert_eq!(filter.describe(Column::TipoContato), "SMS, WhatsApp");
    // An unknown code is kept and listed as-is.
    assert_eq!(
        view(&rows, "", only(Column::TipoContato, values(&["X9"], false))),
        [4]
    );
    // Blanks only.
    assert_eq!(
        view(&rows, "", only(Column::TipoContato, values(&[], true))),
        [3]
    );
    assert_eq!(key_label(Column::TipoContato, "W"), "WhatsApp");
    assert_eq!(key_label(Column::Reagendar, "N"), "Não");
}

#[test]
fn names_and_documents_filter_by_the_text_shown() {
    let rows = rows();
    // "Ana Souza" in two strings, one with spaces around it: one value.
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::NomeConsultor, values(&["Ana Souza"], false))
        ),
        [0, 1, 5]
    );
    // Case matters for a chosen value (the list shows each spelling apart).
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::NomeConsultor, values(&["ana souza"], false))
        ),
        Vec::<u32>::new()
    );
    // The CPF/CNPJ is keyed with its mask, however the server sent it.
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::CpfCnpj, values(&["529.982.247-25"], false))
        ),
        [0, 1]
    );
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::CpfCnpj, values(&["52998224725"], false))
        ),
        Vec::<u32>::new()
    );
    // Blanks: missing or whitespace only.
    assert_eq!(
        view(&rows, "", only(Column::NomeConsultor, values(&[], true))),
        [3]
    );
    assert_eq!(
        view(&rows, "", only(Column::CpfCnpj, values(&[], true))),
        [3, 4, 5]
    );
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::NomeConsultor, values(&["Bruno Álvares"], true))
        ),
        [2, 3, 4]
    );
}

#[test]
fn an_empty_choice_keeps_nothing_and_no_filter_keeps_everything() {
    let rows = rows();
    assert_eq!(
        view(&rows, "", only(Column::TipoContato, values(&[], false))),
        Vec::<u32>::new()
    );
    assert_eq!(
        view(&rows, "", only(Column::IdCliente, numbers(&[], false))),
        Vec::<u32>::new()
    );
    assert_eq!(view(&rows, "", ColumnFilters::new()), [0, 1, 2, 3, 4, 5]);
    assert_eq!(
        values(&[], false).describe(Column::NomeConsultor),
        "nenhum valor"
    );
}

#[test]
fn ids_filter_by_exact_values_and_ranges_at_the_edges_of_i64() {
    let rows = rows();
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::IdCliente, numbers(&[i64::MIN, i64::MAX], false))
        ),
        [0, 1]
    );
    assert_eq!(
        view(&rows, "", only(Column::IdCliente, numbers(&[0], true))),
        [2, 3]
    );
    let range = |from, to| ColumnFilter::NumberRange { from, to };
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::IdCliente, range(Some(i64::MIN), Some(i64::MAX)))
        ),
        [0, 1, 2, 4, 5],
        "a full range still drops blank ids"
    );
    assert_eq!(
        view(&rows, "", only(Column::IdCliente, range(Some(-5), Some(7)))),
        [2, 4, 5]
    );
    assert_eq!(
        view(&rows, "", only(Column::IdCliente, range(None, Some(-1)))),
        [0, 4]
    );
    assert_eq!(
        view(&rows, "", only(Column::IdCliente, range(Some(1), None))),
        [1, 5]
    );
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::IdCliente, range(Some(i64::MAX), Some(i64::MAX)))
        ),
        [1]
    );
    // A reversed range keeps nothing.
    assert_eq!(
        view(&rows, "", only(Column::IdCliente, range(Some(7), Some(-5)))),
        Vec::<u32>::new()
    );
    assert_eq!(
        range(Some(-5), Some(7)).describe(Column::IdCliente),
        "-5 a 7"
    );
    assert_eq!(range(None, Some(7)).describe(Column::IdCliente), "até 7");
    assert_eq!(
        range(Some(7), None).describe(Column::IdCliente),
        "a partir de 7"
    );
    assert_eq!(
        numbers(&[3, 1, 2], true).describe(Column::IdCliente),
        "1, 2 +2"
    );
}

#[test]
fn dates_filter_by_whole_days_either_end_open() {
    let rows = rows();
    let range = |from, to| ColumnFilter::DateRange { from, to };
    // November 2026, times of day included, blank dates out.
    let november = range(Some(day(2026, 11, 1)), Some(day(2026, 11, 30)));
    assert_eq!(
        view(&rows, "", only(Column::Data, november.clone())),
        [0, 1, 5]
    );
    assert_eq!(november.describe(Column::Data), "01/11/2026 a 30/11/2026");
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::Data, range(Some(day(2026, 11, 30)), None))
        ),
        [1, 2]
    );
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::Data, range(None, Some(day(2025, 12, 31))))
        ),
        [4]
    );
    let one_day = range(Some(day(2026, 12, 1)), Some(day(2026, 12, 1)));
    assert_eq!(view(&rows, "", only(Column::Data, one_day.clone())), [2]);
    assert_eq!(one_day.describe(Column::Data), "01/12/2026");
    // Nothing on the reschedule date: only blanks, which a range never keeps.
    assert_eq!(
        view(
            &rows,
            "",
            only(
                Column::DataReagendamento,
                range(None, Some(day(2030, 1, 1)))
            )
        ),
        Vec::<u32>::new()
    );
}

#[test]
fn dates_at_chronos_edges() {
    let rows = vec![
        Followup::from(FollowupFields {
            data: Some(NaiveDateTime::MIN),
            ..FollowupFields::default()
        }),
        Followup::from(FollowupFields {
            data: Some(NaiveDateTime::MAX),
            ..FollowupFields::default()
        }),
        Followup::default(),
    ];
    let range = |from, to| ColumnFilter::DateRange { from, to };
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::Data, range(Some(NaiveDate::MIN), None))
        ),
        [0, 1]
    );
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::Data, range(None, Some(NaiveDate::MAX)))
        ),
        [0, 1]
    );
    assert_eq!(
        view(
            &rows,
            "",
            only(
                Column::Data,
                range(Some(NaiveDate::MAX), Some(NaiveDate::MAX))
            )
        ),
        [1]
    );
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::Data, range(None, Some(NaiveDate::MIN)))
        ),
        [0]
    );
    let set = ResultSet::from_rows(rows);
    let spec = ViewSpec::default();
    let days = distinct_values(set.rows(), &spec, Column::Data, &never()).expect("listed");
    let keys: Vec<&DistinctKey> = days.values.iter().map(|v| &v.key).collect();
    assert_eq!(
        keys,
        [
            &DistinctKey::Day(NaiveDate::MIN),
            &DistinctKey::Day(NaiveDate::MAX),
            &DistinctKey::Blank
        ]
    );
}

#[test]
fn contains_ignores_case_and_accents_like_the_quick_filter() {
    let rows = rows();
    let contains = |text: &str| ColumnFilter::Contains {
        text: text.to_owned(),
    };
    assert_eq!(
        view(&rows, "", only(Column::Interacao, contains("boleto"))),
        [0, 2]
    );
    assert_eq!(
        view(&rows, "", only(Column::Interacao, contains("NEGOCIACAO"))),
        [1, 5]
    );
    // On a CPF/CNPJ, digits match with or without the mask.
    assert_eq!(
        view(&rows, "", only(Column::CpfCnpj, contains("982247"))),
        [0, 1]
    );
    // On a code, the label.
    assert_eq!(
        view(&rows, "", only(Column::TipoContato, contains("whats"))),
        [0, 5]
    );
    assert!(contains("  ").is_noop());
    assert_eq!(
        contains("boleto").describe(Column::Interacao),
        "contém \u{201C}boleto\u{201D}"
    );
}

#[test]
fn times_filter_by_the_time_shown() {
    let rows = rows();
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::HorarioReagendamento, values(&["09:30"], false))
        ),
        [0]
    );
    assert_eq!(
        view(
            &rows,
            "",
            only(Column::HorarioReagendamento, values(&["14:00"], true))
        ),
        [1, 2, 3, 4, 5]
    );
}

#[test]
fn filters_compose_with_each_other_and_the_quick_filter() {
    let rows = rows();
    let mut columns = only(Column::NomeConsultor, values(&["Ana Souza"], false));
    assert_eq!(view(&rows, "", columns.clone()), [0, 1, 5]);
    columns.set(Column::TipoContato, values(&["W"], false));
    assert_eq!(view(&rows, "", columns.clone()), [0, 5]);
    // The quick filter narrows further (AND); alone it keeps 1 and 5.
    assert_eq!(view(&rows, "negociacao", ColumnFilters::new()), [1, 5]);
    assert_eq!(view(&rows, "negociacao", columns.clone()), [5]);
    columns.set(
        Column::Data,
        ColumnFilter::DateRange {
            from: None,
            to: Some(day(2026, 11, 10)),
        },
    );
    assert_eq!(view(&rows, "", columns.clone()), [0]);
    assert_eq!(view(&rows, "negociacao", columns), Vec::<u32>::new());
}

#[test]
fn filters_then_sort() {
    let mut set = ResultSet::from_rows(rows());
    set.set_view(ViewSpec {
        sort: Some(SortSpec {
            column: Column::Data,
            descending: true,
        }),
        filter: String::new(),
        columns: only(Column::NomeConsultor, values(&["Ana Souza"], false)),
    });
    assert_eq!(set.view_indices(), [1, 5, 0]);
    assert_eq!(set.column_filters().len(), 1);
}

#[test]
fn appends_extend_an_unsorted_view_only_with_rows_passing_every_filter() {
    let all = rows();
    let mut set = ResultSet::new();
    set.set_view(ViewSpec {
        sort: None,
        filter: "boleto".to_owned(),
        columns: only(Column::TipoContato, values(&["W", "T"], false)),
    });
    set.append(all[..2].to_vec());
    assert!(set.view_is_current());
    assert_eq!(set.view_indices(), [0]);
    set.append(all[2..].to_vec());
    assert!(set.view_is_current());
    assert_eq!(set.view_indices(), [0, 2]);
    // "boleto" by SMS passes the quick filter but not the channel filter.
    set.append([Followup::from(FollowupFields {
        id_followup: Some(70),
        tipo_contato: Some(TipoContato::Sms),
        interacao: Some(Box::from("Boleto reenviado")),
        ..FollowupFields::default()
    })]);
    assert!(set.view_is_current());
    assert_eq!(set.view_indices(), [0, 2]);
    assert_eq!(set.total_count(), all.len() + 1);
    // The same rows computed at once give the same view.
    let mut whole = ResultSet::from_rows(set.rows().iter().cloned());
    whole.set_view(set.spec().clone());
    assert_eq!(whole.view_indices(), set.view_indices());
}

#[test]
fn computing_with_column_filters_stops_when_cancelled() {
    let set = ResultSet::from_rows(crate::sim::huge_history_rows(1_000));
    let cancel = AtomicBool::new(true);
    let spec = ViewSpec {
        columns: only(Column::TipoContato, values(&["W"], false)),
        ..ViewSpec::default()
    };
    assert_eq!(compute_view(set.rows(), &spec, &cancel), Err(Cancelled));
    assert_eq!(
        distinct_values(set.rows(), &spec, Column::NomeEvento, &cancel),
        Err(Cancelled)
    );
    let list = distinct_values(set.rows(), &spec, Column::NomeEvento, &never()).expect("listed");
    assert!(list.values.len() > 1);
    assert_eq!(list.search("a", &cancel), Err(Cancelled));
}

#[test]
fn the_collection_keeps_one_filter_per_column_in_first_set_order() {
    let mut filters = ColumnFilters::new();
    assert!(filters.is_empty());
    assert!(filters.set(Column::TipoContato, values(&["W"], false)));
    assert!(filters.set(Column::NomeConsultor, values(&["Ana Souza"], false)));
    assert!(filters.set(Column::TipoContato, values(&["S"], false)));
    let order: Vec<Column> = filters.iter().map(|(c, _)| c).collect();
    assert_eq!(order, [Column::TipoContato, Column::NomeConsultor]);
    assert_eq!(
        filters.get(Column::TipoContato),
        Some(&values(&["S"], false))
    );
    // A filter that does not fit is refused; one that keeps everything removes.
    assert!(!filters.set(Column::Data, values(&["x"], false)));
    assert!(!filters.set(Column::Interacao, numbers(&[1], false)));
    assert!(!filters.set(
        Column::IdCliente,
        ColumnFilter::Contains { text: "1".into() }
    ));
    assert!(filters.set(
        Column::TipoContato,
        ColumnFilter::Contains {
            text: " ".to_owned()
        }
    ));
    assert_eq!(filters.len(), 1);
    let without = filters.without(Column::NomeConsultor);
    assert!(without.is_empty());
    assert_eq!(filters.len(), 1, "without() leaves the original alone");
    assert!(filters.remove(Column::NomeConsultor));
    assert!(!filters.remove(Column::NomeConsultor));
    filters.set(
        Column::Data,
        ColumnFilter::DateRange {
            from: None,
            to: None,
        },
    );
    assert!(filters.is_empty());
    filters.set(Column::IdCliente, numbers(&[1], false));
    filters.clear();
    assert!(filters.is_empty());
}

#[test]
fn the_stored_shape_round_trips_and_drops_what_does_not_fit() {
    let mut filters = ColumnFilters::new();
    filters.set(Column::TipoContato, values(&["W", "S"], true));
    filters.set(Column::IdCliente, numbers(&[i64::MIN, i64::MAX], false));
    filters.set(
        Column::IdFollowup,
        ColumnFilter::NumberRange {
            from: Some(-1),
            to: None,
        },
    );
    filters.set(
        Column::Data,
        ColumnFilter::DateRange {
            from: Some(NaiveDate::MIN),
            to: Some(day(2026, 11, 29)),
        },
    );
    filters.set(
        Column::Interacao,
        ColumnFilter::Contains {
            text: "boleto".to_owned(),
        },
    );
    let spec = ViewSpec {
        sort: Some(SortSpec {
            column: Column::Data,
            descending: true,
        }),
        filter: "ana".to_owned(),
        columns: filters.clone(),
    };
    let json = serde_json::to_string(&spec).expect("serialized");
    assert!(json.contains(r#""to":"2026-11-29""#), "{json}");
    let back: ViewSpec = serde_json::from_str(&json).expect("deserialized");
    assert_eq!(back, spec);
    // Older views without column filters read as none.
    let old: ViewSpec = serde_json::from_str(r#"{"sort":null,"filter":"x"}"#).expect("old");
    assert!(old.columns.is_empty());
    // A filter that does not fit its column is dropped; a repeated column keeps the last.
    let edited = r#"[
        {"column":"Data","filter":{"values":{"values":["x"],"blanks":false}}},
        {"column":"TipoContato","filter":{"values":{"values":["W"]}}},
        {"column":"TipoContato","filter":{"values":{"values":["S"]}}}
    ]"#;
    let read: ColumnFilters = serde_json::from_str(edited).expect("read");
    assert_eq!(read, only(Column::TipoContato, values(&["S"], false)));
    assert!(
        serde_json::from_str::<ColumnFilters>(
            r#"[{"column":"Data","filter":{"date_range":{"from":"29/11/2026"}}}]"#
        )
        .is_err()
    );
}

#[test]
fn filter_by_this_value_fits_each_kind() {
    let rows = rows();
    assert_eq!(
        ColumnFilter::for_cell(&rows[0], Column::TipoContato),
        Some(values(&["W"], false))
    );
    assert_eq!(
        ColumnFilter::for_cell(&rows[1], Column::NomeConsultor),
        Some(values(&["Ana Souza"], false))
    );
    assert_eq!(
        ColumnFilter::for_cell(&rows[0], Column::CpfCnpj),
        Some(values(&["529.982.247-25"], false))
    );
    assert_eq!(
        ColumnFilter::for_cell(&rows[3], Column::NomeConsultor),
        Some(values(&[], true))
    );
    assert_eq!(
        ColumnFilter::for_cell(&rows[1], Column::Data),
        Some(ColumnFilter::DateRange {
            from: Some(day(2026, 11, 30)),
            to: Some(day(2026, 11, 30)),
        })
    );
    assert_eq!(ColumnFilter::for_cell(&rows[3], Column::Data), None);
    assert_eq!(
        ColumnFilter::for_cell(&rows[0], Column::IdCliente),
        Some(numbers(&[i64::MIN], false))
    );
    assert_eq!(
        ColumnFilter::for_cell(&rows[3], Column::IdCliente),
        Some(numbers(&[], true))
    );
    assert_eq!(
        ColumnFilter::for_cell(&rows[0], Column::HorarioReagendamento),
        Some(values(&["09:30"], false))
    );
    assert_eq!(ColumnFilter::for_cell(&rows[0], Column::Interacao), None);
    // Each such filter keeps its own row.
    for (n, row) in rows.iter().enumerate() {
        for column in Column::ALL {
            if let Some(filter) = ColumnFilter::for_cell(row, column) {
                let kept = view(&rows, "", only(column, filter));
                assert!(kept.contains(&(n as u32)), "row {n}, {column:?}");
            }
        }
    }
}

#[test]
fn distinct_values_of_codes_and_names_with_counts_blanks_last() {
    let set = ResultSet::from_rows(rows());
    let list = |column, spec: &ViewSpec| {
        distinct_values(set.rows(), spec, column, &never())
            .expect("listed")
            .values
            .into_iter()
            .map(|v| (v.label().into_owned(), v.count))
            .collect::<Vec<_>>()
    };
    let none = ViewSpec::default();
    assert_eq!(
        list(Column::TipoContato, &none),
        [
            ("SMS".to_owned(), 1),
            ("Telefonema".to_owned(), 1),
            ("WhatsApp".to_owned(), 2),
            ("X9".to_owned(), 1),
            (BLANK_LABEL.to_owned(), 1),
        ]
    );
    assert_eq!(
        list(Column::NomeConsultor, &none),
        [
            ("Ana Souza".to_owned(), 3),
            ("Bruno Álvares".to_owned(), 2),
            (BLANK_LABEL.to_owned(), 1),
        ]
    );
    // Over the rows the other filters leave, ignoring the column's own filter.
    let mut columns = only(Column::NomeConsultor, values(&["Bruno Álvares"], false));
    columns.set(Column::TipoContato, values(&["W"], false));
    let spec = ViewSpec {
        columns,
        ..ViewSpec::default()
    };
    assert_eq!(
        list(Column::NomeConsultor, &spec),
        [("Ana Souza".to_owned(), 2)]
    );
    assert_eq!(
        list(Column::TipoContato, &spec),
        [("Telefonema".to_owned(), 1), ("X9".to_owned(), 1)]
    );
    let quick = ViewSpec {
        filter: "boleto".to_owned(),
        ..ViewSpec::default()
    };
    assert_eq!(
        list(Column::TipoContato, &quick),
        [("Telefonema".to_owned(), 1), ("WhatsApp".to_owned(), 1)]
    );
    let documents = list(Column::CpfCnpj, &none);
    assert_eq!(
        documents,
        [
            ("11.222.333/0001-81".to_owned(), 1),
            ("529.982.247-25".to_owned(), 2),
            (BLANK_LABEL.to_owned(), 3),
        ]
    );
}

#[test]
fn distinct_names_sort_in_pt_br_order() {
    let names = ["Zé", "álvaro", "Álvaro", "Elio", "élio", "Bruno", "ana"];
    let rows: Vec<Followup> = names
        .iter()
        .map(|name| {
            Followup::from(FollowupFields {
                nome_cliente: Some(SharedStr::from(*name)),
                ..FollowupFields::default()
            })
        })
        .collect();
    let set = ResultSet::from_rows(rows);
    let list = distinct_values(
        set.rows(),
        &ViewSpec::default(),
        Column::NomeCliente,
        &never(),
    )
    .expect("listed");
    let labels: Vec<String> = list.values.iter().map(|v| v.label().into_owned()).collect();
    assert_eq!(
        labels,
        ["Álvaro", "álvaro", "ana", "Bruno", "Elio", "élio", "Zé"]
    );
    assert_eq!(list.rows, names.len());
    let found: Vec<String> = list
        .search("ALVARO", &never())
        .expect("searched")
        .into_iter()
        .map(|n| list.values[n as usize].label().into_owned())
        .collect();
    assert_eq!(found, ["Álvaro", "álvaro"]);
    assert_eq!(list.search("", &never()).expect("all").len(), names.len());
}

#[test]
fn distinct_ids_sort_numerically_and_times_by_time() {
    let set = ResultSet::from_rows(rows());
    let none = ViewSpec::default();
    let ids = distinct_values(set.rows(), &none, Column::IdCliente, &never()).expect("listed");
    let keys: Vec<&DistinctKey> = ids.values.iter().map(|v| &v.key).collect();
    assert_eq!(
        keys,
        [
            &DistinctKey::Int(i64::MIN),
            &DistinctKey::Int(-5),
            &DistinctKey::Int(0),
            &DistinctKey::Int(7),
            &DistinctKey::Int(i64::MAX),
            &DistinctKey::Blank,
        ]
    );
    assert_eq!(ids.values[0].label(), i64::MIN.to_string().as_str());
    let times =
        distinct_values(set.rows(), &none, Column::HorarioReagendamento, &never()).expect("ok");
    let labels: Vec<(String, usize)> = times
        .values
        .iter()
        .map(|v| (v.label().into_owned(), v.count))
        .collect();
    assert_eq!(
        labels,
        [
            ("09:30".to_owned(), 1),
            ("14:00".to_owned(), 1),
            (BLANK_LABEL.to_owned(), 4)
        ]
    );
    let days = distinct_values(set.rows(), &none, Column::Data, &never()).expect("listed");
    let labels: Vec<String> = days.values.iter().map(|v| v.label().into_owned()).collect();
    assert_eq!(
        labels,
        [
            "15/01/2025",
            "01/11/2026",
            "15/11/2026",
            "30/11/2026",
            "01/12/2026",
            BLANK_LABEL
        ]
    );
}

#[test]
fn ticking_listed_values_builds_the_filter_that_keeps_them() {
    let set = ResultSet::from_rows(rows());
    for column in [
        Column::TipoContato,
        Column::NomeConsultor,
        Column::IdCliente,
    ] {
        let list =
            distinct_values(set.rows(), &ViewSpec::default(), column, &never()).expect("listed");
        // Every other value, blanks included when listed.
        let chosen: Vec<&DistinctKey> = list.values.iter().step_by(2).map(|v| &v.key).collect();
        let filter = ColumnFilter::from_keys(column, chosen.iter().copied()).expect("fits");
        for value in &list.values {
            assert_eq!(
                filter.keeps(column, &value.key),
                chosen.contains(&&value.key)
            );
        }
        let expected: usize = list.values.iter().step_by(2).map(|v| v.count).sum();
        let kept = view(&rows(), "", only(column, filter));
        assert_eq!(kept.len(), expected, "{column:?}");
    }
    assert_eq!(
        ColumnFilter::from_keys(Column::Data, [&DistinctKey::Day(day(2026, 1, 1))]),
        None
    );
    assert_eq!(
        ColumnFilter::from_keys(Column::TipoContato, [&DistinctKey::Int(1)]),
        None
    );
}

/// What a reference implementation keeps: the filter's meaning, row by row, without memos.
fn ref_keeps(column: Column, filter: &ColumnFilter, row: &Followup) -> bool {
    let value = row.value(column);
    match filter {
        ColumnFilter::Values { values, blanks } => match value_key(column, value) {
            Some(key) => values.contains(&key),
            None => *blanks,
        },
        ColumnFilter::Numbers { values, blanks } => match value {
            Value::Int(v) => values.contains(&v),
            _ => *blanks,
        },
        ColumnFilter::NumberRange { from, to } => match value {
            Value::Int(v) => from.is_none_or(|f| v >= f) && to.is_none_or(|t| v <= t),
            _ => false,
        },
        ColumnFilter::DateRange { from, to } => match value {
            Value::DateTime(v) => {
                from.is_none_or(|f| v.date() >= f) && to.is_none_or(|t| v.date() <= t)
            }
            _ => false,
        },
        ColumnFilter::Contains { text } => {
            let needle = fold(text.trim());
            match value {
                Value::Text(t) if column == Column::CpfCnpj => {
                    let doc = crate::results::fold::doc_key(text);
                    fold(t).contains(&needle)
                        || (text.bytes().any(|b| b.is_ascii_digit())
                            && !doc.is_empty()
                            && crate::results::fold::doc_key(t).contains(&doc))
                }
                Value::Text(t) | Value::Code(_, t) => fold(t).contains(&needle),
                _ => false,
            }
        }
        ColumnFilter::Blank => match value {
            Value::Empty => true,
            Value::Text(t) | Value::Code(t, _) => t.trim().is_empty(),
            _ => false,
        },
    }
}

const CONSULTANTS: [&str; 6] = ["Ana", "ana", " Ana", "Álvaro", "", "  "];
const DOCS: [&str; 3] = ["52998224725", "529.982.247-25", "11222333000181"];

fn arb_row() -> impl Strategy<Value = Followup> {
    (
        proptest::option::of(prop_oneof![Just(i64::MIN), Just(i64::MAX), -3i64..3]),
        proptest::option::of(0usize..CONSULTANTS.len()),
        proptest::option::of(0usize..DOCS.len()),
        proptest::option::of(0usize..TipoContato::KNOWN.len()),
        proptest::option::of(0i64..96),
        proptest::option::of("[a-cA-CáÁçÇ ]{0,12}"),
        proptest::option::of(0u32..3),
    )
        .prop_map(|(id, name, doc, contact, hours, text, time)| {
            Followup::from(FollowupFields {
                id_cliente: id,
                nome_consultor: name.map(|n| SharedStr::from(CONSULTANTS[n])),
                cpf_cnpj: doc.map(|d| SharedStr::from(DOCS[d])),
                tipo_contato: contact.map(|c| TipoContato::KNOWN[c].clone()),
                data: hours.map(|h| at(2026, 11, 1, 0, 0) + chrono::Duration::hours(h)),
                interacao: text.map(Box::from),
                horario_reagendamento: time.and_then(|t| NaiveTime::from_hms_opt(9 + t, 0, 0)),
                ..FollowupFields::default()
            })
        })
}

fn arb_filter() -> impl Strategy<Value = (Column, ColumnFilter)> {
    let keys = proptest::collection::btree_set(
        proptest::sample::select(vec![
            "Ana".to_owned(),
            "ana".to_owned(),
            "Álvaro".to_owned(),
            "W".to_owned(),
            "S".to_owned(),
            "529.982.247-25".to_owned(),
            "09:00".to_owned(),
        ]),
        0..3,
    );
    let bound = || proptest::option::of(prop_oneof![Just(i64::MIN), Just(i64::MAX), -3i64..3]);
    let date = || proptest::option::of((1u32..5).prop_map(|d| day(2026, 11, d)));
    prop_oneof![
        (
            proptest::sample::select(vec![
                Column::NomeConsultor,
                Column::TipoContato,
                Column::CpfCnpj,
                Column::HorarioReagendamento,
            ]),
            keys,
            any::<bool>()
        )
            .prop_map(|(column, values, blanks)| (column, ColumnFilter::Values { values, blanks })),
        (
            proptest::collection::btree_set(-3i64..3, 0..3),
            any::<bool>()
        )
            .prop_map(|(values, blanks)| (
                Column::IdCliente,
                ColumnFilter::Numbers { values, blanks }
            )),
        (bound(), bound())
            .prop_map(|(from, to)| (Column::IdCliente, ColumnFilter::NumberRange { from, to })),
        (date(), date())
            .prop_map(|(from, to)| (Column::Data, ColumnFilter::DateRange { from, to })),
        (
            proptest::sample::select(vec![
                Column::Interacao,
                Column::CpfCnpj,
                Column::NomeConsultor
            ]),
            "[a-cáç9 ]{0,3}"
        )
            .prop_map(|(column, text)| (column, ColumnFilter::Contains { text })),
        proptest::sample::select(vec![
            Column::Data,
            Column::IdConsultor,
            Column::NomeConsultor,
            Column::TipoContato,
            Column::HorarioReagendamento,
        ])
        .prop_map(|column| (column, ColumnFilter::Blank)),
    ]
}

proptest! {
    #[test]
    fn views_match_the_reference(
        rows in proptest::collection::vec(arb_row(), 0..50),
        filters in proptest::collection::vec(arb_filter(), 0..4),
        quick in "[a-c ]{0,2}",
    ) {
        let mut columns = ColumnFilters::new();
        for (column, filter) in &filters {
            columns.set(*column, filter.clone());
        }
        let set = ResultSet::from_rows(rows.clone());
        let quick_rows: BTreeSet<u32> = filter_indices(set.rows(), &quick, &never())
            .expect("filtered")
            .into_iter()
            .collect();
        let expected: Vec<u32> = (0..rows.len() as u32)
            .filter(|i| quick_rows.contains(i))
            .filter(|&i| columns.iter().all(|(c, f)| ref_keeps(c, f, &rows[i as usize])))
            .collect();
        prop_assert_eq!(view(&rows, &quick, columns.clone()), expected);

        // Each column's list counts the rows the other filters leave, by the value's key.
        let spec = ViewSpec { sort: None, filter: quick.clone(), columns: columns.clone() };
        for column in [Column::NomeConsultor, Column::TipoContato, Column::CpfCnpj, Column::IdCliente] {
            let others = columns.without(column);
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for (i, row) in rows.iter().enumerate() {
                if quick_rows.contains(&(i as u32))
                    && others.iter().all(|(c, f)| ref_keeps(c, f, row))
                {
                    let key = match row.value(column) {
                        Value::Int(v) => v.to_string(),
                        value => value_key(column, value).unwrap_or_else(|| BLANK_LABEL.to_owned()),
                    };
                    *counts.entry(key).or_default() += 1;
                }
            }
            let list = distinct_values(set.rows(), &spec, column, &never()).expect("listed");
            let got: BTreeMap<String, usize> = list
                .values
                .iter()
                .map(|v| {
                    let key = match &v.key {
                        DistinctKey::Text(t) => t.clone(),
                        DistinctKey::Int(n) => n.to_string(),
                        DistinctKey::Day(d) => d.to_string(),
                        DistinctKey::Blank => BLANK_LABEL.to_owned(),
                    };
                    (key, v.count)
                })
                .collect();
            prop_assert_eq!(got, counts, "{:?}", column);
            if let Some(blank) = list.values.iter().position(|v| v.key == DistinctKey::Blank) {
                prop_assert_eq!(blank, list.values.len() - 1, "blanks last");
            }
        }

        // Through the result set's cached lists: the very same lists, in the same order.
        let request = set.request_view(spec.clone());
        for column in [Column::NomeConsultor, Column::TipoContato, Column::CpfCnpj, Column::Interacao] {
            let uncached = distinct_values(set.rows(), &spec, column, &never()).expect("listed");
            let cached = request.distinct_values(column, &never()).expect("listed");
            prop_assert_eq!(cached, uncached, "{:?}", column);
        }
    }
}

#[test]
fn cached_lists_follow_appends_and_answer_older_snapshots() {
    let mut set = ResultSet::from_rows(rows());
    let spec = ViewSpec {
        filter: "a".to_owned(),
        ..ViewSpec::default()
    };
    let before = set.request_view(spec.clone());
    let column = Column::NomeConsultor;
    let first = before.distinct_values(column, &never()).expect("listed");
    assert!(before.list_ready(column));
    assert_eq!(
        first,
        distinct_values(before.rows(), &spec, column, &never()).expect("listed")
    );
    // New rows: a new name, more of an old one, a look-alike in another string.
    let more: Vec<Followup> = ["Zuleica", "Ana Souza", " Ana Souza ", "Ana Souza"]
        .iter()
        .enumerate()
        .map(|(n, name)| {
            Followup::from(FollowupFields {
                id_followup: Some(10_000 + n as i64),
                nome_consultor: Some(SharedStr::from(*name)),
                interacao: Some(Box::from("ab")),
                ..FollowupFields::default()
            })
        })
        .collect();
    set.append(more);
    let after = set.request_view(spec.clone());
    assert!(
        !after.list_ready(column),
        "the table no longer covers the rows"
    );
    let list = after.distinct_values(column, &never()).expect("listed");
    assert_eq!(
        list,
        distinct_values(after.rows(), &spec, column, &never()).expect("listed")
    );
    assert!(list.values.iter().any(|v| v.label() == "Zuleica"));
    // The older snapshot is answered by the newer, larger table: its own rows only.
    assert!(before.list_ready(column));
    assert_eq!(
        before.distinct_values(column, &never()).expect("listed"),
        first
    );
    // A cancelled build caches nothing.
    let cancelled = AtomicBool::new(true);
    let fresh = ResultSet::from_rows(rows());
    let request = fresh.request_view(ViewSpec::default());
    assert_eq!(
        request.distinct_values(Column::NomeCliente, &cancelled),
        Err(Cancelled)
    );
    assert!(!request.list_ready(Column::NomeCliente));
    // Ids, dates and times are not cached: they are listed directly.
    request
        .prepare_lists(&[Column::IdCliente, Column::Data], &never())
        .expect("nothing to build");
    assert!(!request.list_ready(Column::IdCliente));
}

#[test]
fn long_lists_on_several_threads_match_the_reference() {
    // Enough rows for several workers and distinct names for the two-thread sort.
    let names: Vec<SharedStr> = (0..120_000)
        .map(|n| {
            SharedStr::from(format!(
                "{} Souza {n}",
                ["Ana", "álvaro", "Zé", "ÉRICA"][n % 4]
            ))
        })
        .collect();
    let rows: Vec<Followup> = (0..150_000)
        .map(|i| {
            Followup::from(FollowupFields {
                id_cliente: Some(i as i64 % 90_000 - 45_000),
                // Equal names in other strings too, and blanks.
                nome_cliente: match i % 50 {
                    0 => None,
                    1 => Some(SharedStr::from(format!(" {} ", names[i % names.len()]))),
                    _ => Some(names[(i * 7_919) % names.len()].clone()),
                },
                ..FollowupFields::default()
            })
        })
        .collect();
    let set = ResultSet::from_rows(rows.clone());
    let spec = ViewSpec::default();
    let list = distinct_values(set.rows(), &spec, Column::NomeCliente, &never()).expect("listed");
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut blanks = 0;
    for row in &rows {
        match value_key(Column::NomeCliente, row.value(Column::NomeCliente)) {
            Some(key) => *counts.entry(key).or_default() += 1,
            None => blanks += 1,
        }
    }
    let mut expected: Vec<(String, usize)> = counts.into_iter().collect();
    expected.sort_by(|a, b| fold(&a.0).cmp(&fold(&b.0)).then_with(|| a.0.cmp(&b.0)));
    expected.push((BLANK_LABEL.to_owned(), blanks));
    let got: Vec<(String, usize)> = list
        .values
        .iter()
        .map(|v| (v.label().into_owned(), v.count))
        .collect();
    assert_eq!(got.len(), expected.len());
    assert!(got == expected, "the long list differs from the reference");
    assert_eq!(list.rows, rows.len());
    // The cached list, over every row and under a filter that keeps about a third of them.
    for quick in ["", "ana"] {
        let spec = ViewSpec {
            filter: quick.to_owned(),
            ..ViewSpec::default()
        };
        let cached = set
            .request_view(spec.clone())
            .distinct_values(Column::NomeCliente, &never())
            .expect("listed");
        let uncached =
            distinct_values(set.rows(), &spec, Column::NomeCliente, &never()).expect("listed");
        assert!(cached == uncached, "the cached list differs with {quick:?}");
    }

    let ids = distinct_values(set.rows(), &spec, Column::IdCliente, &never()).expect("listed");
    let keys: Vec<i64> = ids
        .values
        .iter()
        .map(|v| match v.key {
            DistinctKey::Int(n) => n,
            _ => panic!("ids only"),
        })
        .collect();
    assert_eq!(keys, (-45_000..45_000).collect::<Vec<i64>>());
    assert!(ids.values.iter().all(|v| v.count >= 1));
    assert_eq!(
        ids.values.iter().map(|v| v.count).sum::<usize>(),
        rows.len()
    );
}
