//! The cost of one frame of the results view, with 1,000 and 1,000,000 rows loaded: egui lays
//! out only the visible rows, so both should cost about the same. Also measures the longest
//! frame while a 1M-row sort runs in the background (it must not freeze the UI).
//!
//! The same with the "Resumo" view open on 1M rows (by consultant and by debtor), and the
//! longest frame while its summary is recomputed for another grouping.
//!
//! The same with the "Agenda" view open on 1M rows (about 200,000 reschedules; its three
//! open groups expanded, then every group), and the longest frame while the agenda is
//! recomputed for another reference date.
//!
//! Run: `cargo bench --bench ui_frame`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use recuperador_followups::analysis::agenda::Situacao;
use recuperador_followups::analysis::summary::Dimension;
use recuperador_followups::api::{Column, Followup, FollowupFields, SharedStr};
use recuperador_followups::results::ResultSet;
use recuperador_followups::secrets::MemoryStore;
use recuperador_followups::sim::huge_history_rows;
use recuperador_followups::ui::app::{AgendaAction, ResultsView, SummaryAction};
use recuperador_followups::ui::{Command, FollowupsApp, LaunchOptions, draw};

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1400.0, 900.0),
        )),
        ..egui::RawInput::default()
    }
}

fn app_with_rows(ctx: &egui::Context, rows: usize) -> FollowupsApp {
    let options = LaunchOptions {
        demo: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 29),
        token_store: Some(Arc::new(MemoryStore::default())),
        started_at: None,
    };
    let mut app = FollowupsApp::new(ctx, None, options);
    app.results = ResultSet::from_rows(huge_history_rows(rows));
    // Settle: token loaded, column widths known.
    for _ in 0..20 {
        app.poll_tasks(ctx);
        let _ = ctx.run_ui(input(), |ui| draw(&mut app, ui, None));
        std::thread::sleep(Duration::from_millis(5));
    }
    app
}

/// The app with `rows` rows of the simulator's history spread over `debtors` debtors (ids and
/// shared names), so a summary by debtor has that many groups.
fn app_with_many_debtors(ctx: &egui::Context, rows: usize, debtors: usize) -> FollowupsApp {
    let mut app = app_with_rows(ctx, 0);
    let names: Vec<SharedStr> = (0..debtors)
        .map(|n| SharedStr::from(format!("Devedor {n}")))
        .collect();
    let spread = huge_history_rows(rows)
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let debtor = (i * 7_919) % debtors.max(1);
            Followup::from(FollowupFields {
                id_cliente: Some(debtor as i64),
                nome_cliente: names.get(debtor).cloned(),
                ..row.into_fields()
            })
        });
    app.results = ResultSet::from_rows(spread);
    app
}

/// Draws frames until the summary is computed (and sorted) for the view on screen.
fn settle_summary(ctx: &egui::Context, app: &mut FollowupsApp) {
    let _ = frame(ctx, app);
    while app.summary.busy() || app.summary.current.is_none() || app.has_commands() {
        let _ = frame(ctx, app);
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = frame(ctx, app);
}

/// Draws frames until the agenda is computed for the view on screen.
fn settle_agenda(ctx: &egui::Context, app: &mut FollowupsApp) {
    let _ = frame(ctx, app);
    while app.agenda.busy() || !app.agenda_up_to_date() || app.has_commands() {
        let _ = frame(ctx, app);
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = frame(ctx, app);
}

fn frame(ctx: &egui::Context, app: &mut FollowupsApp) -> egui::FullOutput {
    app.poll_tasks(ctx);
    ctx.run_ui(input(), |ui| draw(app, ui, None))
}

fn bench_frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("results_frame");
    group.sample_size(50);
    group.measurement_time(Duration::from_secs(5));
    for rows in [1_000usize, 1_000_000] {
        let ctx = egui::Context::default();
        let mut app = app_with_rows(&ctx, rows);
        group.bench_function(format!("{rows}_rows"), |b| {
            b.iter(|| black_box(frame(&ctx, &mut app)));
        });
    }
    // The "Resumo" view open on 1M rows of 100,000 debtors, its summaries computed: the group
    // table draws only its visible groups and the charts their few bars.
    {
        let ctx = egui::Context::default();
        let mut app = app_with_many_debtors(&ctx, 1_000_000, 100_000);
        app.queue(Command::ShowView(ResultsView::Resumo));
        settle_summary(&ctx, &mut app);
        group.bench_function("resumo_1000000_rows", |b| {
            b.iter(|| black_box(frame(&ctx, &mut app)));
        });
        // Grouped by debtor: 100,000 groups in the table.
        app.queue(Command::Summary(SummaryAction::GroupBy(Dimension::Devedor)));
        settle_summary(&ctx, &mut app);
        group.bench_function("resumo_por_devedor_1000000_rows", |b| {
            b.iter(|| black_box(frame(&ctx, &mut app)));
        });
    }
    // The "Agenda" view open on the same rows, its agenda computed: the groups are one table
    // that draws only its visible lines.
    {
        let ctx = egui::Context::default();
        let mut app = app_with_many_debtors(&ctx, 1_000_000, 100_000);
        app.queue(Command::ShowView(ResultsView::Agenda));
        settle_agenda(&ctx, &mut app);
        let entries = app
            .agenda
            .current
            .as_ref()
            .map_or(0, |b| b.agenda.entries.len());
        println!("agenda at 1M rows: {entries} entries");
        group.bench_function("agenda_1000000_rows", |b| {
            b.iter(|| black_box(frame(&ctx, &mut app)));
        });
        for situacao in [Situacao::Depois, Situacao::SemData, Situacao::Realizado] {
            app.queue(Command::Agenda(AgendaAction::ToggleGroup(situacao)));
        }
        let _ = frame(&ctx, &mut app);
        group.bench_function("agenda_todos_abertos_1000000_rows", |b| {
            b.iter(|| black_box(frame(&ctx, &mut app)));
        });
        // The longest frame while the agenda is recomputed for other reference dates.
        for days in [7, -30, 0] {
            let reference = chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
                .and_then(|d| d.checked_add_signed(chrono::Duration::days(days)));
            app.queue(Command::Agenda(AgendaAction::SetReference(reference)));
            let _ = frame(&ctx, &mut app);
            let started = Instant::now();
            let mut longest = Duration::ZERO;
            let mut frames = 0;
            while app.agenda.busy() {
                let t = Instant::now();
                let _ = frame(&ctx, &mut app);
                longest = longest.max(t.elapsed());
                frames += 1;
                std::thread::sleep(Duration::from_millis(16));
            }
            println!(
                "agenda at 1M rows, reference {days:+} days: shown after {:?}, {frames} frames meanwhile, longest frame {:?}",
                started.elapsed(),
                longest
            );
        }
    }
    group.finish();

    // The longest frame while the summary of 1M rows is recomputed for another grouping.
    let ctx = egui::Context::default();
    let mut app = app_with_many_debtors(&ctx, 1_000_000, 100_000);
    app.queue(Command::ShowView(ResultsView::Resumo));
    settle_summary(&ctx, &mut app);
    for dimension in [Dimension::Devedor, Dimension::Dia, Dimension::Consultor] {
        app.queue(Command::Summary(SummaryAction::GroupBy(dimension)));
        let _ = frame(&ctx, &mut app);
        let started = Instant::now();
        let mut longest = Duration::ZERO;
        let mut frames = 0;
        while app.summary.busy() {
            let t = Instant::now();
            let _ = frame(&ctx, &mut app);
            longest = longest.max(t.elapsed());
            frames += 1;
            std::thread::sleep(Duration::from_millis(16));
        }
        let groups = app
            .summary
            .current
            .as_ref()
            .map_or(0, |b| b.groups.groups.len());
        println!(
            "summary by {} at 1M rows ({groups} groups): shown after {:?}, {frames} frames meanwhile, longest frame {:?}",
            dimension.cli_name(),
            started.elapsed(),
            longest
        );
    }

    // The longest frame while the 1M-row view is re-sorted in the background.
    let ctx = egui::Context::default();
    let mut app = app_with_rows(&ctx, 1_000_000);
    for column in [Column::Interacao, Column::Data, Column::NomeConsultor] {
        app.queue(Command::SortBy(column));
        let _ = frame(&ctx, &mut app);
        let started = Instant::now();
        let mut longest = Duration::ZERO;
        let mut frames = 0;
        while app.view_pending() {
            let t = Instant::now();
            let _ = frame(&ctx, &mut app);
            longest = longest.max(t.elapsed());
            frames += 1;
            std::thread::sleep(Duration::from_millis(16));
        }
        println!(
            "sort by {:?} at 1M rows: installed after {:?}, {frames} frames meanwhile, longest frame {:?}",
            column,
            started.elapsed(),
            longest
        );
    }
}

/// "Vários documentos" with a pasted list: the first frame after the paste (the list is checked
/// once, the text laid out once) and a steady frame afterwards.
fn bench_list_box(c: &mut Criterion) {
    let _ = c;
    for lines in [2_000usize, 50_000] {
        let ctx = egui::Context::default();
        let mut app = app_with_rows(&ctx, 1_000);
        app.persisted.batch_mode = true;
        let _ = frame(&ctx, &mut app);
        let text: Vec<String> = (0..lines)
            .map(|i| {
                let base = format!("{:09}", 100_000_000 + i * 7);
                recuperador_followups::doc_id::with_check_digits(&base).unwrap_or(base)
            })
            .collect();
        app.batch.text = text.join("\n");
        let t = Instant::now();
        let checked = recuperador_followups::batch::parse_document_list(&app.batch.text);
        let parse = t.elapsed();
        black_box(checked);
        let t = Instant::now();
        let _ = frame(&ctx, &mut app);
        let first = t.elapsed();
        let mut steady = Duration::ZERO;
        for _ in 0..20 {
            let t = Instant::now();
            let _ = frame(&ctx, &mut app);
            steady = steady.max(t.elapsed());
        }
        println!(
            "list box with {lines} lines: checking the list alone {parse:?}; first frame after the paste {first:?}, then longest of 20 frames {steady:?}"
        );
    }
}

criterion_group!(benches, bench_frames, bench_list_box);
criterion_main!(benches);
