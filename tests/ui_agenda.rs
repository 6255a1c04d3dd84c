//! The "Agenda" view in the window, driven headless with egui_kittest against the simulator's
//! agenda debtors (creditor 12; kept, missed and upcoming reschedules relative to
//! `sim::AGENDA_REFERENCE`, which the window takes as today): the groups and their counts
//! against the library's agenda of the same rows, a click selecting the source row, the
//! reference date moving the groups, "Ver histórico do devedor" filtering the table to the
//! debtor and the consultant filter narrowing the entries.

use std::sync::Arc;

use eframe::Storage as _;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use recuperador_followups::analysis::agenda::{Situacao, agenda_of};
use recuperador_followups::api::{Column, Followup, Token};
use recuperador_followups::secrets::{MemoryStore, TokenStore as _};
use recuperador_followups::sim::{AGENDA_REFERENCE, Simulator};
use recuperador_followups::ui::app::{
    AgendaAction, AgendaGroups, Command, GROUP_ORDER, ResultsView, open_by_default,
};
use recuperador_followups::ui::{FollowupsApp, LaunchOptions, Persisted, STORAGE_KEY};

mod support;

use support::ui::*;

const TOKEN: &str = "ui-agenda-token-1414";

fn simulator() -> Simulator {
    support::simulator(TOKEN, 7, 20)
}

/// The window pointed at `sim` with "today" on the agenda debtors' reference date.
fn harness(sim: &Simulator) -> Harness<'static, FollowupsApp> {
    harness_from(Persisted {
        base_url: sim.url().to_string(),
        ..Persisted::default()
    })
}

/// The window started from `persisted` (a settings file's), "today" on the agenda debtors'
/// reference date.
fn harness_from(persisted: Persisted) -> Harness<'static, FollowupsApp> {
    let store = Arc::new(MemoryStore::default());
    store.save(&Token::parse(TOKEN).unwrap()).unwrap();
    let options = LaunchOptions {
        demo: false,
        today: Some(AGENDA_REFERENCE),
        token_store: Some(store),
        started_at: None,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1500.0, 900.0))
        .build_eframe(move |cc| FollowupsApp::new(&cc.egui_ctx, Some(persisted), options));
    step_until(&mut harness, "the token to load", |app| {
        app.active_token().is_some()
    });
    harness
}

/// Searches the three agenda debtors at once ("Vários documentos").
fn search_agenda_debtors(harness: &mut Harness<'_, FollowupsApp>, sim: &Simulator) {
    let docs: Vec<String> = sim
        .dataset()
        .agenda_debtors()
        .iter()
        .map(|d| d.cpf_cnpj.clone())
        .collect();
    assert_eq!(docs.len(), 3);
    {
        let app = harness.state_mut();
        app.persisted.id_credor = "12".to_owned();
        app.persisted.batch_mode = true;
        app.batch.text = docs.join("\n");
        app.queue(Command::Search);
    }
    harness.step();
    step_until(harness, "the batch", |app| {
        !app.searching() && !app.view_pending()
    });
    assert!(harness.state().results.total_count() > 0);
}

/// Waits until the agenda on screen covers the rows on screen at the current reference date.
fn settle_agenda(harness: &mut Harness<'_, FollowupsApp>) {
    harness.step();
    step_until(harness, "the agenda", |app| {
        !app.view_pending() && !app.has_commands() && !app.agenda.busy() && app.agenda_up_to_date()
    });
}

/// Clicks "Agenda" above the results and waits for its agenda.
fn open_agenda(harness: &mut Harness<'_, FollowupsApp>) {
    harness.get_by_label("Agenda").click();
    harness.step();
    assert_eq!(harness.state().persisted.results_view, ResultsView::Agenda);
    settle_agenda(harness);
}

/// A few frames: popups and their contents settle over two or three.
fn steps(harness: &mut Harness<'_, FollowupsApp>) {
    for _ in 0..3 {
        harness.step();
    }
}

fn view_rows(app: &FollowupsApp) -> Vec<Followup> {
    app.results.iter_view().cloned().collect()
}

/// The source row of the first entry of a group, by its `id_followup`.
fn first_of(app: &FollowupsApp, situacao: Situacao) -> (u32, Followup) {
    let bundle = app.agenda.current.clone().unwrap();
    let entry = bundle.group(situacao)[0];
    let row = app.results.rows().get(entry.row as usize).unwrap().clone();
    (entry.row, row)
}

#[test]
fn the_groups_and_their_counts_are_the_librarys() {
    let sim = simulator();
    let mut harness = harness(&sim);
    search_agenda_debtors(&mut harness, &sim);
    open_agenda(&mut harness);
    let app = harness.state();
    let expected = agenda_of(&view_rows(app), AGENDA_REFERENCE);
    let bundle = app.agenda.current.clone().unwrap();
    assert_eq!(bundle.agenda.counts, expected.counts);
    // The planted debtors: 3 kept, 2 missed and 1 without a date, 1 today, 2 within 7 days,
    // 1 later.
    for (situacao, count) in [
        (Situacao::Atrasado, 2),
        (Situacao::Hoje, 1),
        (Situacao::Proximos7Dias, 2),
        (Situacao::Depois, 1),
        (Situacao::SemData, 1),
        (Situacao::Realizado, 3),
    ] {
        assert_eq!(expected.counts.get(situacao), count, "{situacao:?}");
        assert_eq!(bundle.group(situacao).len() as u64, count);
        let title = format!("{} ({count})", situacao.group_label());
        assert!(
            harness.query_by_label(&title).is_some(),
            "«{title}» on screen"
        );
    }
    // Each group holds its situação's entries in due order.
    for (situacao, group) in GROUP_ORDER.iter().zip(&bundle.groups) {
        assert!(group.iter().all(|e| e.situacao == *situacao));
        for pair in group.windows(2) {
            assert!((pair[0].due_date, pair[0].due_time) <= (pair[1].due_date, pair[1].due_time));
        }
    }
    // Open groups show their entries; closed ones (Realizados) do not until clicked.
    assert!(harness.query_by_label("30/11/2026 11:00").is_some());
    assert!(harness.query_by_label("15/11/2026 sem horário").is_some());
    assert!(harness.query_by_label("20/11/2026 16:00").is_none());
    harness.get_by_label("Realizados (3)").click();
    harness.step();
    harness.step();
    assert!(harness.query_by_label("20/11/2026 16:00").is_some());
    // The date each was kept is under its due date; no column of its own (empty in the other
    // groups).
    let kept = bundle.group(Situacao::Realizado)[0].realizado_em.unwrap();
    assert!(
        harness
            .query_by_label(&format!("realizado em {}", kept.format("%d/%m/%Y")))
            .is_some()
    );
    assert!(harness.query_by_label("Realizado em").is_none());
    // The compliance line of the total: 6 due on or before today (3 kept, 2 overdue, 1 due
    // today) → 50,0 %.
    assert_eq!(bundle.agenda.total.devidos, 6);
    assert_eq!(bundle.agenda.total.atrasados, 2);
    assert!(harness.query_all_by_label("50,0 %").next().is_some());
    // Ctrl+1 goes back to the table, Ctrl+3 to the agenda.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num1);
    harness.step();
    assert_eq!(harness.state().persisted.results_view, ResultsView::Tabela);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num3);
    harness.step();
    assert_eq!(harness.state().persisted.results_view, ResultsView::Agenda);
}

#[test]
fn a_click_selects_the_source_row_and_opens_the_details() {
    let sim = simulator();
    let mut harness = harness(&sim);
    search_agenda_debtors(&mut harness, &sim);
    open_agenda(&mut harness);
    harness.state_mut().persisted.show_details = false;
    let (row, source) = first_of(harness.state(), Situacao::Hoje);
    assert!(harness.state().table.current().is_none());
    harness.get_by_label("30/11/2026 11:00").click();
    harness.step();
    harness.step();
    let app = harness.state();
    assert_eq!(app.table.current(), Some(row));
    assert_eq!(
        app.results.rows().get(row as usize).unwrap().id_followup(),
        source.id_followup()
    );
    assert!(app.persisted.show_details);
    // The details pane shows the source follow-up's text.
    let text = source.interacao().unwrap().to_owned();
    assert!(harness.query_by_label_contains(&text).is_some());
    // Still the agenda: the table keeps the selection for when it is shown.
    assert_eq!(app.persisted.results_view, ResultsView::Agenda);
}

#[test]
fn the_reference_date_moves_the_groups() {
    let sim = simulator();
    let mut harness = harness(&sim);
    search_agenda_debtors(&mut harness, &sim);
    open_agenda(&mut harness);
    assert_eq!(
        harness
            .state()
            .agenda
            .current
            .as_ref()
            .unwrap()
            .agenda
            .counts
            .get(Situacao::Hoje),
        1
    );
    // Pick 08/12/2026 in the calendar of "Data de referência".
    harness.get_by_label("Data de referência").click();
    steps(&mut harness);
    wait_for_label(&mut harness, "Próximo mês");
    harness.get_by_label("Próximo mês").click();
    steps(&mut harness);
    harness.get_by_label("8 de dezembro de 2026").click();
    steps(&mut harness);
    harness.get_by_label("OK").click();
    steps(&mut harness);
    settle_agenda(&mut harness);
    let app = harness.state();
    let reference = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
    assert_eq!(app.agenda_reference(), reference);
    let expected = agenda_of(&view_rows(app), reference);
    let bundle = app.agenda.current.clone().unwrap();
    assert_eq!(bundle.agenda.counts, expected.counts);
    // Seen from R+8: R, R+3 and R+7 are overdue (with the 2 missed), R+8 is today.
    assert_eq!(bundle.agenda.counts.get(Situacao::Atrasado), 5);
    assert_eq!(bundle.agenda.counts.get(Situacao::Hoje), 1);
    assert_eq!(bundle.agenda.counts.get(Situacao::Proximos7Dias), 0);
    assert!(harness.query_by_label("Atrasados (5)").is_some());
    assert!(harness.query_by_label("08/12/2026").is_some());
    // Back to today.
    harness
        .state_mut()
        .queue(Command::Agenda(AgendaAction::SetReference(None)));
    settle_agenda(&mut harness);
    assert_eq!(
        harness
            .state()
            .agenda
            .current
            .as_ref()
            .unwrap()
            .agenda
            .counts
            .get(Situacao::Hoje),
        1
    );
}

#[test]
fn ver_historico_filters_the_table_to_the_debtor() {
    let sim = simulator();
    let mut harness = harness(&sim);
    search_agenda_debtors(&mut harness, &sim);
    open_agenda(&mut harness);
    let total = harness.state().results.total_count();
    let (_, source) = first_of(harness.state(), Situacao::Atrasado);
    harness.get_by_label("15/11/2026 sem horário").click();
    harness.step();
    harness
        .get_by_role_and_label(Role::Button, "Ver histórico do devedor")
        .click();
    harness.step();
    step_until(&mut harness, "the filtered view", |app| {
        !app.view_pending() && !app.has_commands()
    });
    let app = harness.state();
    assert_eq!(app.persisted.results_view, ResultsView::Tabela);
    let rows = view_rows(app);
    assert!(!rows.is_empty());
    assert!(rows.len() < total, "other debtors' rows are hidden");
    assert!(
        rows.iter()
            .all(|r| r.id_cliente() == source.id_cliente() && r.id_credor() == source.id_credor())
    );
    let expected = app
        .results
        .rows()
        .iter()
        .filter(|r| r.id_cliente() == source.id_cliente())
        .count();
    assert_eq!(rows.len(), expected);
    assert!(app.column_filters.active.get(Column::IdCliente).is_some());
}

#[test]
fn the_consultant_filter_narrows_the_entries() {
    let sim = simulator();
    let mut harness = harness(&sim);
    search_agenda_debtors(&mut harness, &sim);
    open_agenda(&mut harness);
    let all = harness.state().agenda.current.clone().unwrap();
    let consultants = all.values[0].clone();
    assert!(consultants.len() >= 2);
    let dropped = consultants[0].clone();
    // Untick the first consultant in the "Consultor" list.
    harness
        .get_by_role_and_label(Role::Button, "Consultor")
        .click();
    harness.step();
    let label = format!("{} ({})", dropped.label, dropped.count);
    wait_for_label(&mut harness, &label);
    harness.get_by_label(&label).click();
    harness.step();
    settle_agenda(&mut harness);
    let app = harness.state();
    let bundle = app.agenda.current.clone().unwrap();
    assert_eq!(
        bundle.agenda.counts.total(),
        all.agenda.counts.total() - dropped.count
    );
    let rows = app.results.rows();
    assert!(
        bundle
            .agenda
            .entries
            .iter()
            .all(|e| { rows.get(e.row as usize).unwrap().id_consultor() != dropped.id })
    );
    // The situações stay as computed over every row.
    for entry in &bundle.agenda.entries {
        let before = all
            .agenda
            .entries
            .iter()
            .find(|b| b.row == entry.row)
            .unwrap();
        assert_eq!(before.situacao, entry.situacao);
    }
}

#[test]
fn exportar_agenda_writes_the_agenda_and_its_compliance_sheet() {
    use calamine::{Reader as _, Xlsx, open_workbook};
    let sim = simulator();
    let mut harness = harness(&sim);
    search_agenda_debtors(&mut harness, &sim);
    open_agenda(&mut harness);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agenda.xlsx");
    harness
        .state_mut()
        .queue(Command::Agenda(AgendaAction::ExportTo(path.clone())));
    harness.step();
    step_until(&mut harness, "the export", |app| app.export.task.is_none());
    let app = harness.state();
    assert!(app.export.error.is_none(), "{:?}", app.export.error);
    assert!(app.export.done.is_some());
    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["Agenda", "Cumprimento"]);
    let agenda = book.worksheet_range("Agenda").unwrap();
    // A header line, then one line per entry.
    let entries = app.agenda.current.as_ref().unwrap().agenda.entries.len();
    assert_eq!(entries, 10);
    assert_eq!(agenda.height(), entries + 1);
    // A file name without a known extension is refused, nothing written.
    let bad = dir.path().join("agenda.txt");
    harness
        .state_mut()
        .queue(Command::Agenda(AgendaAction::ExportTo(bad.clone())));
    harness.step();
    assert!(harness.state().export.error.is_some());
    assert!(!bad.exists());
}

#[test]
fn buscar_ate_hoje_searches_again_with_the_period_ending_today() {
    let sim = simulator();
    let mut harness = harness(&sim);
    harness.state_mut().persisted.data_de = "01/10/2026".to_owned();
    harness.state_mut().persisted.data_ate = "11/11/2026".to_owned();
    search_agenda_debtors(&mut harness, &sim);
    open_agenda(&mut harness);
    let before = harness.state().results.total_count();
    let kept_before = harness
        .state()
        .agenda
        .current
        .as_ref()
        .unwrap()
        .agenda
        .counts
        .get(Situacao::Realizado);
    harness
        .get_by_role_and_label(Role::Button, "Buscar também os follow-ups até hoje")
        .click();
    harness.step();
    // The button queues the search for the next frame: wait for it to start, then to end.
    step_until(&mut harness, "the new search to start", |app| {
        !app.has_commands() && (app.searching() || app.results.total_count() != before)
    });
    step_until(&mut harness, "the new search", |app| {
        !app.searching() && !app.view_pending()
    });
    settle_agenda(&mut harness);
    let app = harness.state();
    assert_eq!(app.persisted.data_ate, "30/11/2026");
    assert_eq!(app.persisted.data_de, "01/10/2026");
    assert!(
        app.results.total_count() > before,
        "the later follow-ups arrived"
    );
    let message = app.agenda.message.clone().unwrap();
    assert!(message.contains("até hoje (30/11/2026)"), "{message}");
    // The contact of 12/11 now keeps the reschedule due 10/11, overdue before.
    let kept_after = app
        .agenda
        .current
        .as_ref()
        .unwrap()
        .agenda
        .counts
        .get(Situacao::Realizado);
    assert!(
        kept_after > kept_before,
        "{kept_before} → {kept_after}: {:?}",
        app.agenda.current.as_ref().unwrap().agenda.counts
    );
}

/// Which groups the window shows expanded, in [`GROUP_ORDER`].
fn open_groups(app: &FollowupsApp) -> Vec<bool> {
    GROUP_ORDER
        .iter()
        .map(|s| app.persisted.agenda_groups.is_open(*s))
        .collect()
}

#[test]
fn the_groups_open_state_survives_a_restart_and_old_settings_open_the_defaults() {
    let sim = simulator();
    let mut harness = harness(&sim);
    search_agenda_debtors(&mut harness, &sim);
    open_agenda(&mut harness);
    let defaults: Vec<bool> = GROUP_ORDER.iter().map(|s| open_by_default(*s)).collect();
    assert_eq!(defaults, [true, true, true, false, false, false]);
    assert_eq!(open_groups(harness.state()), defaults);
    // Open Realizados and close Atrasados by clicking their headers.
    harness.get_by_label("Realizados (3)").click();
    harness.step();
    harness.get_by_label("Atrasados (2)").click();
    steps(&mut harness);
    let toggled = vec![false, true, true, false, false, true];
    assert_eq!(open_groups(harness.state()), toggled);
    assert!(harness.query_by_label("20/11/2026 16:00").is_some());
    assert!(harness.query_by_label("15/11/2026 sem horário").is_none());

    // The window is closed: eframe saves its settings.
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    let saved = storage.get_string(STORAGE_KEY).unwrap();
    // Only the open groups' names: nothing about the rows.
    let field = saved
        .split("agenda_groups:")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap();
    assert_eq!(field, r#"["realizado","hoje","proximos_7_dias""#);
    for debtor in sim.dataset().agenda_debtors() {
        assert!(!saved.contains(&debtor.cpf_cnpj));
    }

    // A new window from that file: the same groups open, with nothing clicked.
    let restored: Persisted = eframe::get_value(&storage, STORAGE_KEY).unwrap();
    let mut second = harness_from(restored);
    search_agenda_debtors(&mut second, &sim);
    open_agenda(&mut second);
    assert_eq!(open_groups(second.state()), toggled);
    assert!(second.query_by_label("20/11/2026 16:00").is_some());
    assert!(second.query_by_label("15/11/2026 sem horário").is_none());

    // A settings file written before the groups were saved loads whole, with the defaults.
    let start = saved.find("agenda_groups:").unwrap();
    let end = start + saved[start..].find(']').unwrap() + 1;
    let mut old = format!("{}{}", &saved[..start], &saved[end..]);
    old = old.replace(",,", ",").replace(",)", ")").replace("(,", "(");
    assert!(!old.contains("agenda_groups"));
    storage.set_string(STORAGE_KEY, old);
    let loaded: Persisted = eframe::get_value(&storage, STORAGE_KEY).unwrap();
    assert_eq!(loaded.agenda_groups, AgendaGroups::default());
    assert_eq!(loaded.id_credor, "12", "the rest of the file is read");
    assert!(loaded.batch_mode);
    // Names no group has (a hand-edited file) are skipped.
    let edited = saved.replace(
        r#"agenda_groups:["realizado","hoje","proximos_7_dias"]"#,
        r#"agenda_groups:["sem_data","amanha"]"#,
    );
    storage.set_string(STORAGE_KEY, edited);
    let loaded: Persisted = eframe::get_value(&storage, STORAGE_KEY).unwrap();
    assert_eq!(
        loaded.agenda_groups,
        AgendaGroups::with_open([Situacao::SemData])
    );
}

#[test]
fn exportar_agenda_without_a_native_dialog_asks_for_a_typed_path() {
    let sim = simulator();
    let mut harness = harness(&sim);
    search_agenda_debtors(&mut harness, &sim);
    open_agenda(&mut harness);
    // No native dialog here: "Exportar agenda…" opens a window that asks for the path.
    harness.state_mut().dialogs.available = false;
    harness
        .get_by_role_and_label(Role::Button, "Exportar agenda…")
        .click();
    harness.step();
    assert!(harness.state().agenda.export_window_open);
    let dir = tempfile::tempdir().unwrap();
    // A name without a format's extension is refused in the window, nothing written.
    let bad = dir.path().join("agenda.txt");
    type_into(&mut harness, "Arquivo da agenda", bad.to_str().unwrap());
    harness
        .get_by_role_and_label(Role::Button, "Exportar")
        .click();
    steps(&mut harness);
    assert!(harness.state().agenda.export_window_open);
    assert!(
        harness
            .query_by_label_contains("Use a extensão .xlsx (Excel), .csv ou .json")
            .is_some()
    );
    assert!(!bad.exists());
    // A JSON name, confirmed with Enter: written in the background, the window closed.
    let path = dir.path().join("agenda-digitada.json");
    harness.state_mut().agenda.manual_path.clear();
    type_into(&mut harness, "Arquivo da agenda", path.to_str().unwrap());
    export_with_enter(&mut harness);
    let app = harness.state();
    assert!(!app.agenda.export_window_open);
    assert!(app.export.error.is_none(), "{:?}", app.export.error);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let entries = app.agenda.current.as_ref().unwrap().agenda.entries.len();
    assert_eq!(written.as_array().unwrap().len(), entries);
    assert!(harness.query_by_label_contains("Exportado").is_some());
}
