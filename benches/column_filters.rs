//! Column filters (AutoFilter) at 1,000,000 rows: applying a filter (through a view request,
//! exactly as the window does, off its thread) and listing a column's distinct values with
//! their counts. Targets (issue 12): ≤ 150 ms to apply, ≤ 300 ms for a list.
//!
//! Rows come from the simulator's `huge_history_rows` (one debtor's synthetic history: a few
//! consultants, events and channels, a day range of years, unique interaction texts). The
//! lists of names with many distinct values use the same rows with the debtor's name replaced
//! by one of 100,000 (a large batch) or 1,000,000 (every row a different debtor) names. Lists
//! go through a view request, as the window's do: a text column's values are sorted once per
//! result set (the window prepares the debtor's name and document right after the rows
//! arrive), so every list after that only counts. For those names the bench also measures the
//! list with nothing prepared and the preparation itself.
//!
//! Then frames of the window at 1,000,000 rows: without filters, with three filters active
//! (chips, filled header buttons) and with the popup of `id_followup` open (a list of
//! 1,000,000 values): the issue asks for an unchanged frame time. And the longest frame while a
//! filter is applied and while a list is computed (both in the background).
//!
//! Run: `cargo bench --bench column_filters`.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use recuperador_followups::api::{Column, Followup, FollowupFields, SharedStr};
use recuperador_followups::results::{
    ColumnFilter, ColumnFilters, ResultSet, SortSpec, ViewSpec, distinct_values,
};
use recuperador_followups::secrets::MemoryStore;
use recuperador_followups::sim::huge_history_rows;
use recuperador_followups::ui::{Command, FollowupsApp, LaunchOptions, draw};

const ROWS: usize = 1_000_000;

/// The rows with `nome_cliente` one of `distinct` names (shared strings, like the parser's).
fn with_many_debtors(rows: &[Followup], distinct: usize) -> Vec<Followup> {
    let first = [
        "Ana",
        "Álvaro",
        "Bruno",
        "Conceição",
        "Érica",
        "João",
        "Zé",
        "Luíza",
    ];
    let names: Vec<SharedStr> = (0..distinct)
        .map(|n| {
            SharedStr::from(format!(
                "{} {} da Silva {n}",
                first[n % first.len()],
                first[(n / first.len()) % first.len()]
            ))
        })
        .collect();
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            Followup::from(FollowupFields {
                nome_cliente: Some(names[(i * 7_919) % distinct].clone()),
                ..row.fields()
            })
        })
        .collect()
}

fn filters(entries: &[(Column, ColumnFilter)]) -> ColumnFilters {
    let mut filters = ColumnFilters::new();
    for (column, filter) in entries {
        assert!(filters.set(*column, filter.clone()), "{column:?}");
    }
    filters
}

fn bench_column_filters(c: &mut Criterion) {
    let rows = huge_history_rows(ROWS);
    let set = ResultSet::from_rows(rows.clone());
    let never = AtomicBool::new(false);

    let two_channels = (
        Column::TipoContato,
        ColumnFilter::Values {
            values: BTreeSet::from(["W".to_owned(), "S".to_owned()]),
            blanks: false,
        },
    );
    let one_consultant = {
        let first = distinct_values(
            set.rows(),
            &ViewSpec::default(),
            Column::NomeConsultor,
            &never,
        )
        .expect("listed");
        let recuperador_followups::results::DistinctKey::Text(name) = first.values[0].key.clone()
        else {
            panic!("a consultant name")
        };
        (
            Column::NomeConsultor,
            ColumnFilter::Values {
                values: BTreeSet::from([name]),
                blanks: false,
            },
        )
    };
    let a_year = (
        Column::Data,
        ColumnFilter::DateRange {
            from: NaiveDate::from_ymd_opt(2024, 1, 1),
            to: NaiveDate::from_ymd_opt(2024, 12, 31),
        },
    );
    let contains = (
        Column::Interacao,
        ColumnFilter::Contains {
            text: "boleto".to_owned(),
        },
    );
    let id_range = (
        Column::IdFollowup,
        ColumnFilter::NumberRange {
            from: Some(250_000),
            to: Some(750_000),
        },
    );

    let mut apply = c.benchmark_group("apply_1m");
    apply
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let cases: Vec<(&str, ViewSpec)> = vec![
        (
            "two_channels",
            ViewSpec {
                columns: filters(std::slice::from_ref(&two_channels)),
                ..ViewSpec::default()
            },
        ),
        (
            "one_consultant",
            ViewSpec {
                columns: filters(std::slice::from_ref(&one_consultant)),
                ..ViewSpec::default()
            },
        ),
        (
            "date_range_a_year",
            ViewSpec {
                columns: filters(std::slice::from_ref(&a_year)),
                ..ViewSpec::default()
            },
        ),
        (
            "contains_boleto",
            ViewSpec {
                columns: filters(std::slice::from_ref(&contains)),
                ..ViewSpec::default()
            },
        ),
        (
            "id_range",
            ViewSpec {
                columns: filters(std::slice::from_ref(&id_range)),
                ..ViewSpec::default()
            },
        ),
        (
            "channels_year_contains_and_quick_filter",
            ViewSpec {
                filter: "cliente".to_owned(),
                columns: filters(&[two_channels.clone(), a_year.clone(), contains.clone()]),
                ..ViewSpec::default()
            },
        ),
        (
            "two_channels_sorted_by_date",
            ViewSpec {
                sort: Some(SortSpec {
                    column: Column::Data,
                    descending: true,
                }),
                columns: filters(std::slice::from_ref(&two_channels)),
                ..ViewSpec::default()
            },
        ),
    ];
    for (name, spec) in cases {
        apply.bench_function(name, |b| {
            b.iter(|| set.request_view(black_box(spec.clone())).compute(&never))
        });
    }
    apply.finish();

    let mut distinct = c.benchmark_group("distinct_1m");
    distinct
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    let none = ViewSpec::default();
    let filtered = ViewSpec {
        filter: "cliente".to_owned(),
        columns: filters(&[two_channels.clone(), a_year.clone()]),
        ..ViewSpec::default()
    };
    for (name, column, spec) in [
        ("code_tipo_contato", Column::TipoContato, &none),
        (
            "code_tipo_contato_other_filters",
            Column::TipoContato,
            &filtered,
        ),
        ("name_nome_consultor", Column::NomeConsultor, &none),
        ("name_nome_evento", Column::NomeEvento, &none),
        ("document_cpf_cnpj", Column::CpfCnpj, &none),
        (
            "time_horario_reagendamento",
            Column::HorarioReagendamento,
            &none,
        ),
        ("days_data", Column::Data, &none),
        ("ids_id_followup_all_distinct", Column::IdFollowup, &none),
    ] {
        // As the window lists: through a view request, whose result set keeps the sorted
        // list of a text column's values after the first list (see `prepare_lists`).
        let request = set.request_view(spec.clone());
        distinct.bench_function(name, |b| {
            b.iter(|| request.distinct_values(black_box(column), &never))
        });
    }
    for debtors in [100_000usize, 1_000_000] {
        let many_rows = with_many_debtors(&rows, debtors);
        let many = ResultSet::from_rows(many_rows.clone());
        // The first list of a result set, with nothing prepared: the whole sort.
        distinct.bench_function(
            format!("name_nome_cliente_{debtors}_distinct_unprepared"),
            |b| {
                b.iter(|| {
                    distinct_values(many.rows(), black_box(&none), Column::NomeCliente, &never)
                })
            },
        );
        // What the window's warm-up does once after the rows arrive (in the background).
        distinct.bench_function(format!("prepare_nome_cliente_{debtors}_distinct"), |b| {
            b.iter_batched(
                || ResultSet::from_rows(many_rows.clone()).request_view(ViewSpec::default()),
                |fresh| fresh.prepare_lists(&[Column::NomeCliente], &never),
                BatchSize::LargeInput,
            )
        });
        // Every list after that, over all rows and with other filters active.
        for (label, spec) in [("all_rows", &none), ("other_filters", &filtered)] {
            let request = many.request_view(spec.clone());
            request
                .prepare_lists(&[Column::NomeCliente], &never)
                .expect("prepared");
            distinct.bench_function(
                format!("name_nome_cliente_{debtors}_distinct_prepared_{label}"),
                |b| b.iter(|| request.distinct_values(black_box(Column::NomeCliente), &never)),
            );
        }
    }
    distinct.finish();
}

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1400.0, 900.0),
        )),
        ..egui::RawInput::default()
    }
}

fn frame(ctx: &egui::Context, app: &mut FollowupsApp) -> egui::FullOutput {
    app.poll_tasks(ctx);
    ctx.run_ui(input(), |ui| draw(app, ui, None))
}

/// Frames until nothing computes in the background.
fn settle(ctx: &egui::Context, app: &mut FollowupsApp) {
    for _ in 0..20 {
        let _ = frame(ctx, app);
        std::thread::sleep(Duration::from_millis(5));
    }
    while app.view_pending() || app.column_filters.busy() || app.has_commands() {
        let _ = frame(ctx, app);
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = frame(ctx, app);
}

/// The longest frame until nothing computes in the background, and how long that took.
fn longest_frame_until_idle(ctx: &egui::Context, app: &mut FollowupsApp) -> (Duration, Duration) {
    let started = Instant::now();
    let mut longest = Duration::ZERO;
    let _ = frame(ctx, app);
    while app.view_pending() || app.column_filters.busy() || app.has_commands() {
        let t = Instant::now();
        let _ = frame(ctx, app);
        longest = longest.max(t.elapsed());
        std::thread::sleep(Duration::from_millis(16));
    }
    (longest, started.elapsed())
}

fn bench_frames(c: &mut Criterion) {
    let ctx = egui::Context::default();
    let options = LaunchOptions {
        demo: false,
        today: NaiveDate::from_ymd_opt(2026, 11, 29),
        token_store: Some(Arc::new(MemoryStore::default())),
        started_at: None,
    };
    let mut app = FollowupsApp::new(&ctx, None, options);
    app.results = ResultSet::from_rows(huge_history_rows(ROWS));
    settle(&ctx, &mut app);

    let mut group = c.benchmark_group("frame_1m");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("no_filters", |b| {
        b.iter(|| black_box(frame(&ctx, &mut app)))
    });

    app.queue(Command::ToggleColumnFilter(Column::IdFollowup));
    let (longest, took) = longest_frame_until_idle(&ctx, &mut app);
    println!(
        "the id_followup popup at 1M rows: its list of values after {took:?}, longest frame meanwhile {longest:?}"
    );
    group.bench_function("popup_open_list_of_1m_ids", |b| {
        b.iter(|| black_box(frame(&ctx, &mut app)))
    });
    app.queue(Command::CloseColumnFilter(Column::IdFollowup));
    settle(&ctx, &mut app);

    let filters = filters(&[
        (
            Column::TipoContato,
            ColumnFilter::Values {
                values: BTreeSet::from(["W".to_owned(), "S".to_owned(), "T".to_owned()]),
                blanks: false,
            },
        ),
        (
            Column::Data,
            ColumnFilter::DateRange {
                from: NaiveDate::from_ymd_opt(2024, 1, 1),
                to: NaiveDate::from_ymd_opt(2025, 12, 31),
            },
        ),
        (
            Column::Interacao,
            ColumnFilter::Contains {
                text: "cliente".to_owned(),
            },
        ),
    ]);
    app.replace_column_filters(&ctx, filters);
    let (longest, took) = longest_frame_until_idle(&ctx, &mut app);
    println!(
        "applying three filters at 1M rows: view installed after {took:?}, longest frame meanwhile {longest:?} ({} rows shown)",
        app.results.view_count()
    );
    group.bench_function("three_filters_active", |b| {
        b.iter(|| black_box(frame(&ctx, &mut app)))
    });

    group.finish();
}

criterion_group!(benches, bench_column_filters, bench_frames);
criterion_main!(benches);
