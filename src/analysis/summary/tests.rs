use super::*;
use crate::api::FollowupFields;
use crate::api::SharedStr;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

#[test]
fn period_spans_and_names() {
    // 2024-12-30 is the Monday of ISO week 1 of 2025.
    let monday = week_start(day(2025, 1, 2));
    assert_eq!(monday, day(2024, 12, 30));
    let ordinal = period_ordinal(Dimension::Semana, day(2025, 1, 5));
    let span = period_span(Dimension::Semana, ordinal).expect("span");
    assert_eq!(span, (day(2024, 12, 30), day(2025, 1, 5)));
    assert_eq!(
        period_names(Dimension::Semana, span),
        ("30/12/2024 a 05/01/2025".to_owned(), "2025-W01".to_owned())
    );
    let span = period_span(
        Dimension::Semana,
        period_ordinal(Dimension::Semana, day(2024, 1, 10)),
    )
    .expect("span");
    assert_eq!(
        period_names(Dimension::Semana, span),
        ("08/01 a 14/01/2024".to_owned(), "2024-W02".to_owned())
    );
    let span = period_span(
        Dimension::Mes,
        period_ordinal(Dimension::Mes, day(2024, 2, 17)),
    )
    .expect("span");
    assert_eq!(span, (day(2024, 2, 1), day(2024, 2, 29)));
    assert_eq!(
        period_names(Dimension::Mes, span),
        ("fev/2024".to_owned(), "2024-02".to_owned())
    );
    let span = period_span(
        Dimension::Mes,
        period_ordinal(Dimension::Mes, day(2023, 12, 31)),
    )
    .expect("span");
    assert_eq!(span, (day(2023, 12, 1), day(2023, 12, 31)));
    // The calendar's edges do not panic.
    let _ = period_ordinal(Dimension::Semana, NaiveDate::MIN);
    let _ = period_span(
        Dimension::Semana,
        period_ordinal(Dimension::Semana, NaiveDate::MAX),
    );
    let _ = period_span(
        Dimension::Mes,
        period_ordinal(Dimension::Mes, NaiveDate::MAX),
    );
    assert_eq!(period_span(Dimension::Dia, i64::MAX), None);
}

#[test]
fn cli_names_round_trip() {
    for dimension in Dimension::ALL {
        assert_eq!(
            Dimension::from_cli_name(dimension.cli_name()),
            Some(dimension)
        );
        assert_eq!(
            Dimension::from_cli_name(&dimension.cli_name().to_uppercase()),
            Some(dimension)
        );
    }
    assert_eq!(Dimension::from_cli_name("Mês"), Some(Dimension::Mes));
    assert_eq!(
        Dimension::from_cli_name(" tipo_evento "),
        Some(Dimension::TipoEvento)
    );
    assert_eq!(
        Dimension::from_cli_name("REAGENDADO-POR"),
        Some(Dimension::ReagendadoPor)
    );
    assert_eq!(Dimension::from_cli_name("ano"), None);
    assert_eq!(Dimension::from_cli_name(""), None);
}

#[test]
fn pct_rounds_half_away_and_is_none_without_p_or_i() {
    let counts = |p, i| Counts {
        follow_ups: p + i + 3,
        produtivos: p,
        improdutivos: i,
        ..Counts::default()
    };
    assert_eq!(counts(0, 0).pct_produtivos(), None);
    assert_eq!(counts(3, 2).pct_produtivos(), Some(60.0));
    assert_eq!(counts(1, 2).pct_produtivos(), Some(33.3));
    assert_eq!(counts(2, 1).pct_produtivos(), Some(66.7));
    // 1/8 = 12.5 % exactly; 1/16 = 6.25 % rounds half away from zero to 6.3 %.
    assert_eq!(counts(1, 15).pct_produtivos(), Some(6.3));
    assert_eq!(counts(0, 7).pct_produtivos(), Some(0.0));
    assert_eq!(counts(7, 0).pct_produtivos(), Some(100.0));
    assert_eq!(counts(2, 1).outros(), 3);
}

#[test]
fn the_same_debtor_in_unshared_strings_is_one_group() {
    // Each row holds its own copy of the strings (as rows from two pages of a batch, or rows
    // built by hand): groups meet by their text, the mask and spaces aside.
    let docs = ["52998224725", "529.982.247-25", " 529.982.247-25 "];
    let names = ["Ana Beatriz", " Ana Beatriz", "Ana Beatriz "];
    let rows: Vec<Followup> = (0..300)
        .map(|n| {
            Followup::from(FollowupFields {
                id_followup: Some(n),
                id_cliente: Some(if n % 10 == 0 { 8 } else { 7 }),
                nome_cliente: Some(SharedStr::from(names[n as usize % 3])),
                cpf_cnpj: Some(SharedStr::from(docs[n as usize / 3 % 3])),
                ..FollowupFields::default()
            })
        })
        .collect();
    let summary = summarize_rows(&rows, Dimension::Devedor);
    let groups: Vec<(&str, Option<i64>, u64)> = summary
        .groups
        .iter()
        .map(|group| (group.label.as_str(), group.id, group.counts.follow_ups))
        .collect();
    assert_eq!(
        groups,
        [
            ("Ana Beatriz (529.982.247-25)", Some(7), 270),
            ("Ana Beatriz (529.982.247-25)", Some(8), 30),
        ]
    );
    assert_eq!(summary.total.devedores, 2);
    let filters = summary.groups[1].filters(Dimension::Devedor);
    assert_eq!(filters.len(), 3);
    assert_eq!(
        filters[2].1,
        ColumnFilter::Values {
            values: ["529.982.247-25".to_owned()].into(),
            blanks: false,
        }
    );
    // Built in pieces on several threads, the groups are the same.
    let many: Vec<Followup> = (0..40_000)
        .map(|n| {
            Followup::from(FollowupFields {
                id_followup: Some(n as i64),
                ..rows[n % rows.len()].fields()
            })
        })
        .collect();
    let indices: Vec<u32> = (0..many.len() as u32).collect();
    let set = crate::results::ResultSet::from_rows(many);
    let parallel = summarize(
        set.rows(),
        &indices,
        Dimension::Devedor,
        &AtomicBool::new(false),
    )
    .expect("not cancelled");
    let counts: Vec<u64> = parallel
        .groups
        .iter()
        .map(|g| g.counts.follow_ups)
        .collect();
    assert_eq!(counts, [36_000, 4_000]);
}
