//! The "Resumo" view in the window, driven headless with egui_kittest against the simulator:
//! switching views (clicks and Ctrl+1/Ctrl+2), the grouping, the total against the rows shown
//! (with the quick filter), a click on a group showing exactly its rows in the table, "Copiar",
//! and the theme and view choices surviving a restart.

use std::collections::BTreeMap;
use std::sync::Arc;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use recuperador_followups::api::Followup;
use recuperador_followups::fmt::thousands;
use recuperador_followups::secrets::MemoryStore;
use recuperador_followups::sim::Simulator;
use recuperador_followups::ui::app::{ResultsView, ThemeChoice};
use recuperador_followups::ui::{Command, FollowupsApp, LaunchOptions, Persisted};

mod support;

use support::ui::*;

const TOKEN: &str = "ui-summary-token-3141";

fn simulator() -> Simulator {
    support::simulator(TOKEN, 5, 30)
}

/// The window after a search of the busiest debtor.
fn searched(sim: &Simulator) -> Harness<'static, FollowupsApp> {
    let (id_credor, doc) = busiest(sim);
    let mut harness = app_harness(sim, TOKEN);
    search(&mut harness, id_credor, &doc);
    assert!(harness.state().results.total_count() > 10);
    harness
}

/// Waits until the summary on screen covers the view on screen.
fn settle_summary(harness: &mut Harness<'_, FollowupsApp>) {
    harness.step();
    step_until(harness, "the summary", |app| {
        !app.view_pending()
            && !app.has_commands()
            && !app.summary.busy()
            && app.summary.current.as_ref().is_some_and(|bundle| {
                bundle.groups.total.follow_ups == app.results.view_count() as u64
            })
    });
}

/// Clicks "Resumo" above the results and waits for its summary.
fn open_resumo(harness: &mut Harness<'_, FollowupsApp>) {
    harness.get_by_label("Resumo").click();
    harness.step();
    assert_eq!(harness.state().persisted.results_view, ResultsView::Resumo);
    settle_summary(harness);
}

/// Picks `label` in "Agrupar por".
fn group_by(harness: &mut Harness<'_, FollowupsApp>, label: &str) {
    harness.get_by_label("Agrupar por").click();
    harness.step();
    wait_for_label(harness, label);
    // The open list shows the option; the closed box may show the current one too.
    harness
        .get_all_by_label(label)
        .last()
        .expect("the option")
        .click();
    harness.step();
    settle_summary(harness);
}

/// The rows the table view shows.
fn view_rows(app: &FollowupsApp) -> Vec<Followup> {
    app.results.iter_view().cloned().collect()
}

/// Follow-ups per consultant id (`None`: rows without one), counted directly from the rows.
fn per_consultant(rows: &[Followup]) -> BTreeMap<Option<i64>, u64> {
    let mut counts = BTreeMap::new();
    for row in rows {
        *counts.entry(row.id_consultor()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn resumo_summarizes_the_rows_shown_by_consultant() {
    let sim = simulator();
    let mut harness = searched(&sim);
    open_resumo(&mut harness);
    let app = harness.state();
    let rows = view_rows(app);
    let bundle = app.summary.current.clone().expect("a summary");
    assert_eq!(bundle.groups.dimension.cli_name(), "consultor");
    // Each group against a count made directly from the rows.
    let expected = per_consultant(&rows);
    assert_eq!(bundle.groups.groups.len(), expected.len());
    for group in &bundle.groups.groups {
        assert_eq!(
            expected.get(&group.id).copied(),
            Some(group.counts.follow_ups),
            "group {:?}",
            group.id
        );
    }
    assert_eq!(bundle.groups.total.follow_ups, rows.len() as u64);
    let line = format!(
        "Resumo de {} follow-ups exibidos",
        thousands(rows.len() as u64)
    );
    assert!(
        harness.query_by_label(&line).is_some(),
        "«{line}» on screen"
    );
    // The charts have their own summaries over the same rows.
    assert_eq!(bundle.channels.total.follow_ups, rows.len() as u64);
    let time = bundle.time.as_ref().expect("the rows have dates");
    assert_eq!(time.total.follow_ups, rows.len() as u64);
    assert_eq!(
        time.groups.iter().map(|g| g.counts.follow_ups).sum::<u64>(),
        rows.len() as u64
    );
}

#[test]
fn changing_the_grouping_regroups_and_follows_the_quick_filter() {
    let sim = simulator();
    let mut harness = searched(&sim);
    open_resumo(&mut harness);
    group_by(&mut harness, "Canal");
    let app = harness.state();
    assert_eq!(app.persisted.summary_by, "canal");
    let rows = view_rows(app);
    let mut channels = BTreeMap::new();
    for row in &rows {
        *channels
            .entry(row.tipo_contato().as_ref().map(|c| c.label().to_owned()))
            .or_insert(0u64) += 1;
    }
    let bundle = app.summary.current.clone().expect("a summary");
    assert_eq!(bundle.groups.dimension.cli_name(), "canal");
    assert_eq!(bundle.groups.groups.len(), channels.len());
    for group in bundle.groups.groups.iter().filter(|g| !g.missing) {
        assert_eq!(
            channels.get(&Some(group.label.clone())).copied(),
            Some(group.counts.follow_ups),
            "channel {}",
            group.label
        );
    }

    // The quick filter narrows the rows; the summary follows and says so.
    let first_consultant = rows
        .iter()
        .find_map(|row| row.nome_consultor().map(|n| n.to_string()))
        .expect("a consultant's name");
    type_into(&mut harness, "Buscar nos resultados", &first_consultant);
    step_until(&mut harness, "the filtered view", |app| {
        !app.view_pending() && !app.has_commands()
    });
    settle_summary(&mut harness);
    let app = harness.state();
    let shown = app.results.view_count();
    assert!(shown > 0 && shown < rows.len(), "the quick filter narrows");
    let bundle = app.summary.current.clone().expect("a summary");
    assert_eq!(bundle.groups.total.follow_ups, shown as u64);
    let line = format!("Resumo de {} follow-ups exibidos", thousands(shown as u64));
    assert!(
        harness.query_by_label(&line).is_some(),
        "«{line}» on screen"
    );
}

#[test]
fn a_click_on_a_group_shows_exactly_its_rows_in_the_table() {
    let sim = simulator();
    let mut harness = searched(&sim);
    let total = harness.state().results.total_count();
    open_resumo(&mut harness);
    let bundle = harness.state().summary.current.clone().expect("a summary");
    // The second largest consultant (the first could hold every row in a small set).
    let group = bundle
        .groups
        .groups
        .iter()
        .filter(|g| !g.missing)
        .nth(1)
        .or_else(|| bundle.groups.groups.first())
        .expect("a group")
        .clone();
    let expected = view_rows(harness.state())
        .iter()
        .filter(|row| row.id_consultor() == group.id)
        .count();
    assert_eq!(group.counts.follow_ups, expected as u64);
    harness.get_by_label(&group.label).click();
    harness.step();
    step_until(&mut harness, "the table of the group", |app| {
        !app.view_pending() && !app.has_commands()
    });
    let app = harness.state();
    assert_eq!(app.persisted.results_view, ResultsView::Tabela);
    assert_eq!(app.results.view_count(), expected);
    assert!(
        view_rows(app)
            .iter()
            .all(|row| row.id_consultor() == group.id),
        "only the group's rows"
    );
    let line = format!(
        "exibindo {} de {} follow-ups",
        thousands(expected as u64),
        thousands(total as u64)
    );
    assert!(
        all_texts(&harness)
            .iter()
            .any(|text| text.starts_with(&line)),
        "«{line}» on screen"
    );
}

#[test]
fn copiar_puts_the_group_table_on_the_clipboard() {
    let sim = simulator();
    let mut harness = searched(&sim);
    open_resumo(&mut harness);
    let rows = view_rows(harness.state());
    let expected = per_consultant(&rows);
    let bundle = harness.state().summary.current.clone().expect("a summary");
    harness
        .get_by_role_and_label(Role::Button, "Copiar")
        .click();
    let text = wait_for_copy(&mut harness);
    let lines: Vec<&str> = text.lines().collect();
    // The header, one line per group, the total.
    assert_eq!(lines.len(), bundle.groups.groups.len() + 2, "{text}");
    let header: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(header[0], "Consultor");
    let follow_ups = header
        .iter()
        .position(|h| *h == "Follow-ups")
        .expect("a Follow-ups column");
    let id = header
        .iter()
        .position(|h| *h == "ID")
        .expect("an ID column");
    for line in &lines[1..lines.len() - 1] {
        let cells: Vec<&str> = line.split('\t').collect();
        let key = cells[id].parse::<i64>().ok();
        let count: u64 = cells[follow_ups].replace('.', "").parse().expect("a count");
        assert_eq!(expected.get(&key).copied(), Some(count), "{line}");
    }
    let last: Vec<&str> = lines[lines.len() - 1].split('\t').collect();
    assert_eq!(last[0], "Total");
    assert_eq!(
        last[follow_ups].replace('.', "").parse::<u64>().ok(),
        Some(rows.len() as u64)
    );
}

#[test]
fn the_export_window_adds_the_summary_sheets_to_an_excel_file() {
    use calamine::{Data, DataType as _, Reader as _, Xlsx, open_workbook};
    let sim = simulator();
    let mut harness = searched(&sim);
    let rows = view_rows(harness.state());
    harness
        .get_by_role_and_label(Role::Button, "Exportar…")
        .click();
    harness.step();
    let label = "Incluir resumo (consultor, canal, mês)";
    wait_for_label(&mut harness, label);
    assert!(!harness.state().persisted.export_summary, "off by default");
    harness.get_by_label(label).click();
    harness.step();
    assert!(harness.state().persisted.export_summary, "remembered");

    // Headless, the file name the save dialog would give is queued directly.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("com-resumo.xlsx");
    harness.state_mut().queue(Command::ExportTo(path.clone()));
    harness.step();
    step_until(&mut harness, "the export", |app| {
        app.export.task.is_none() && app.export.done.is_some()
    });
    let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "Follow-ups",
            "Resumo por consultor",
            "Resumo por canal",
            "Resumo por mês"
        ]
    );
    // The consultant sheet counts the rows exported, per consultant.
    let sheet = workbook.worksheet_range("Resumo por consultor").unwrap();
    let expected = per_consultant(&rows);
    let total_row = sheet
        .rows()
        .find(|row| row.first().is_some_and(|c| c.get_string() == Some("Total")))
        .expect("a total row");
    assert!(
        total_row
            .iter()
            .any(|c| matches!(c, Data::Float(v) if *v == rows.len() as f64)
                || matches!(c, Data::Int(v) if *v == rows.len() as i64)),
        "the total counts every row: {total_row:?}"
    );
    for (id, count) in &expected {
        let Some(id) = id else { continue };
        let line = sheet
            .rows()
            .find(|row| row.get(1).is_some_and(|c| c.as_f64() == Some(*id as f64)))
            .unwrap_or_else(|| panic!("a line for consultant {id}"));
        assert_eq!(line.get(2).and_then(|c| c.as_f64()), Some(*count as f64));
    }

    // A CSV has no sheets: the option leaves it as it was.
    let csv = dir.path().join("sem-resumo.csv");
    harness.state_mut().queue(Command::ExportTo(csv.clone()));
    harness.step();
    step_until(&mut harness, "the CSV export", |app| {
        app.export.task.is_none()
            && app
                .export
                .done
                .as_ref()
                .is_some_and(|done| done.path == csv)
    });
    let text = std::fs::read(&csv).unwrap();
    let text = String::from_utf8_lossy(&text);
    assert!(
        text.starts_with("\u{feff}Data;") || text.starts_with("Data;"),
        "the rows' CSV"
    );
    assert!(
        !text.contains("% produtivos"),
        "no summary block in a CSV of rows"
    );
}

#[test]
fn ctrl_1_and_ctrl_2_switch_views() {
    let sim = simulator();
    let mut harness = searched(&sim);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num2);
    harness.step();
    harness.step();
    assert_eq!(harness.state().persisted.results_view, ResultsView::Resumo);
    settle_summary(&mut harness);
    assert!(harness.query_by_label("Agrupar por").is_some());
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num1);
    harness.step();
    harness.step();
    assert_eq!(harness.state().persisted.results_view, ResultsView::Tabela);
    assert!(harness.query_by_label("Agrupar por").is_none());
}

#[test]
fn the_theme_and_the_view_survive_a_restart() {
    let sim = simulator();
    let mut harness = searched(&sim);
    open_resumo(&mut harness);
    harness.get_by_label("Configurações").click();
    harness.step();
    wait_for_label(&mut harness, "Escuro");
    harness.get_by_label("Escuro").click();
    harness.step();
    harness.step();
    assert_eq!(harness.state().persisted.theme, ThemeChoice::Escuro);
    assert_eq!(
        harness.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::Dark
    );
    assert_eq!(harness.ctx.theme(), egui::Theme::Dark);
    harness.get_by_label("Claro").click();
    harness.step();
    harness.step();
    assert_eq!(harness.ctx.theme(), egui::Theme::Light);

    // What eframe saves, read back by a new window.
    let saved: Persisted = storage_round_trip(&harness.state().persisted);
    assert_eq!(saved.theme, ThemeChoice::Claro);
    assert_eq!(saved.results_view, ResultsView::Resumo);
    let restarted = app_harness_from(saved.clone(), TOKEN);
    assert_eq!(
        restarted.state().persisted.results_view,
        ResultsView::Resumo
    );
    // The harness imposes its own theme on its context after the app starts: a bare context
    // shows what a restart applies.
    let ctx = egui::Context::default();
    let options = LaunchOptions {
        demo: false,
        today: Some(today()),
        token_store: Some(Arc::new(MemoryStore::default())),
        started_at: None,
    };
    let _app = FollowupsApp::new(&ctx, Some(saved), options);
    assert_eq!(
        ctx.options(|o| o.theme_preference),
        egui::ThemePreference::Light
    );
}

/// `persisted` written out and read back, as a restart does (eframe stores it as RON).
fn storage_round_trip(persisted: &Persisted) -> Persisted {
    let text = serde_json::to_string(persisted).expect("serializes");
    serde_json::from_str(&text).expect("reads back")
}
