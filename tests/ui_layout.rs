//! The window's layout tools under egui_kittest: the Portuguese date picker in the filter
//! panel, the column order (dragged headers, the "Colunas" menu, persisted) and the saved
//! views ("Visões").

use eframe::App as _;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use recuperador_followups::api::Column;
use recuperador_followups::results::{ColumnFilter, ColumnFilters, DEFAULT_COLUMN_ORDER, SortSpec};
use recuperador_followups::sim::Simulator;
use recuperador_followups::ui::{Command, FollowupsApp, Persisted, STORAGE_KEY};

mod support;

use support::ui::*;

const TOKEN: &str = "layout-test-token-7731";

fn simulator() -> Simulator {
    support::simulator(TOKEN, 5, 20)
}

#[test]
fn the_period_calendar_fills_the_typed_date_and_enter_does_not_search() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = app_harness(&sim, TOKEN);
    // A complete form: Enter outside the calendar would search.
    type_into(&mut harness, "Credor", &id_credor.to_string());
    type_into(&mut harness, "CPF/CNPJ", &doc);
    type_into(&mut harness, "De", "10/02/2026");
    harness
        .get_by_role_and_label(Role::Button, "Calendário: De")
        .click();
    wait_for_label(&mut harness, "Fevereiro de 2026");
    // The calendar opens on the typed date; PgDn and the arrows move, Enter picks.
    harness.key_press(egui::Key::PageDown);
    harness.step();
    harness.key_press(egui::Key::ArrowRight);
    harness.step();
    harness.key_press(egui::Key::Enter);
    harness.step();
    harness.step();
    let app = harness.state();
    assert_eq!(app.persisted.data_de, "11/03/2026");
    assert!(
        !app.searching(),
        "Enter in the calendar picked a date, not a search"
    );
    assert!(harness.query_by_label("Março de 2026").is_none(), "closed");

    // "Até" has its own calendar; with an empty field it opens on today, and "Hoje" picks it.
    harness
        .get_by_role_and_label(Role::Button, "Calendário: Até")
        .click();
    wait_for_label(&mut harness, "Novembro de 2026");
    // The period presets have a "Hoje" of their own (both dates): click the calendar's.
    harness
        .get_by_label("Calendário")
        .get_by_role_and_label(Role::Button, "Hoje")
        .click();
    harness.step();
    harness.step();
    assert_eq!(harness.state().persisted.data_ate, "29/11/2026");
    assert_eq!(harness.state().persisted.data_de, "11/03/2026");
}

// ---- Column order ----

/// Saves the window's settings as eframe does at exit, and returns the storage.
fn save_settings(harness: &mut Harness<'_, FollowupsApp>) -> MemoryStorage {
    let mut storage = MemoryStorage::default();
    harness.state_mut().save(&mut storage);
    storage
}

/// What a restart reads back from `storage` (`None` when eframe cannot read it).
fn load_settings(storage: &MemoryStorage) -> Option<Persisted> {
    eframe::get_value(storage, STORAGE_KEY)
}

/// The table's header labels, left to right, as laid out on screen.
fn header_order(harness: &Harness<'_, FollowupsApp>, columns: &[Column]) -> Vec<Column> {
    let mut placed: Vec<(f32, Column)> = columns
        .iter()
        .map(|c| {
            let left = harness
                .get_by_role_and_label(Role::Button, c.label())
                .rect()
                .left();
            (left, *c)
        })
        .collect();
    placed.sort_by(|a, b| a.0.total_cmp(&b.0));
    placed.into_iter().map(|(_, c)| c).collect()
}

fn searched(sim: &Simulator) -> Harness<'static, FollowupsApp> {
    let (id_credor, doc) = busiest(sim);
    let mut harness = app_harness(sim, TOKEN);
    search(&mut harness, id_credor, &doc);
    harness
}

fn open_columns_menu(harness: &mut Harness<'_, FollowupsApp>) {
    harness
        .get_by_role_and_label(Role::Button, "Colunas")
        .click();
    harness.step();
    wait_for_label(harness, "Restaurar padrão");
}

#[test]
fn the_columns_menu_reorders_and_the_order_survives_a_restart() {
    let sim = simulator();
    let mut harness = searched(&sim);
    open_columns_menu(&mut harness);
    // Interação is fifth by default: four clicks bring it first. The menu stays open.
    for _ in 0..4 {
        harness
            .get_by_role_and_label(Role::Button, "Mover Interação para cima")
            .click();
        harness.step();
        harness.step();
    }
    harness
        .get_by_role_and_label(Role::Button, "Mover Data para baixo")
        .click();
    harness.step();
    harness.step();
    let expected_front = [
        Column::Interacao,
        Column::TipoContato,
        Column::Data,
        Column::NomeEvento,
    ];
    assert_eq!(harness.state().visible_columns()[..4], expected_front);
    // The first column cannot go further up.
    let first_up = harness.get_by_role_and_label(Role::Button, "Mover Interação para cima");
    assert!(first_up.accesskit_node().is_disabled());
    // Hide one: it keeps its place in the order but leaves the table.
    harness
        .get_by_role_and_label(Role::CheckBox, "Tipo de contato")
        .click();
    harness.step();
    harness.step();
    let visible = harness.state().visible_columns();
    assert_eq!(visible[..2], [Column::Interacao, Column::Data]);
    // The table shows them in that order.
    harness.key_press(egui::Key::Escape);
    harness.step();
    harness.step();
    assert_eq!(header_order(&harness, &visible[..3]), visible[..3]);

    // Exit saves the settings; a restart from them shows the same columns in the same order.
    let storage = save_settings(&mut harness);
    let saved = storage.get_string_for_test();
    assert!(saved.contains("\"interacao\""), "{saved}");
    let persisted = load_settings(&storage).expect("the settings read back");
    assert_eq!(persisted, harness.state().persisted);
    let (id_credor, doc) = busiest(&sim);
    let mut restarted = app_harness_from(persisted, TOKEN);
    assert_eq!(restarted.state().visible_columns(), visible);
    // The creditor is remembered, the document never is.
    assert_eq!(restarted.state().persisted.id_credor, id_credor.to_string());
    type_into(&mut restarted, "CPF/CNPJ", &doc);
    restarted.key_press(egui::Key::Enter);
    restarted.step();
    step_until(&mut restarted, "the search", |app| {
        app.results.total_count() > 0 && !app.searching() && !app.view_pending()
    });
    assert_eq!(header_order(&restarted, &visible[..3]), visible[..3]);

    // "Restaurar padrão": the default order, every column shown.
    open_columns_menu(&mut restarted);
    restarted
        .get_by_role_and_label(Role::Button, "Restaurar padrão")
        .click();
    restarted.step();
    restarted.step();
    assert_eq!(restarted.state().visible_columns(), DEFAULT_COLUMN_ORDER);
}

#[test]
fn a_dragged_header_moves_its_column_where_it_is_dropped() {
    let sim = simulator();
    let mut harness = searched(&sim);
    let data = harness
        .get_by_role_and_label(Role::Button, "Data")
        .rect()
        .center();
    let evento = harness.get_by_role_and_label(Role::Button, "Evento").rect();
    // Grab "Data" and move past "Tipo de contato" to the right half of "Evento".
    let tipo_do_evento = harness
        .get_by_role_and_label(Role::Button, "Tipo do evento")
        .rect();
    // The right half of Evento's cell ends where the next header's cell starts.
    let target = egui::pos2(tipo_do_evento.left() - 10.0, evento.center().y);
    harness.hover_at(data);
    harness.step();
    harness.drag_at(data);
    harness.step();
    for step in 1..=6 {
        let t = step as f32 / 6.0;
        harness.hover_at(data + (target - data) * t);
        harness.step();
    }
    assert_eq!(
        harness.state().visible_columns()[0],
        Column::Data,
        "nothing moves before the drop"
    );
    harness.drop_at(target);
    harness.step();
    harness.step();
    let expected = [
        Column::TipoContato,
        Column::NomeEvento,
        Column::Data,
        Column::TipoEvento,
    ];
    assert_eq!(harness.state().visible_columns()[..4], expected);
    harness.step();
    assert_eq!(header_order(&harness, &expected), expected);
    // A click on a header still sorts.
    harness.get_by_role_and_label(Role::Button, "Data").click();
    harness.step();
    step_until(&mut harness, "the sort", |app| {
        app.results.sort().is_some_and(|s| s.column == Column::Data)
    });
    assert_eq!(harness.state().visible_columns()[..4], expected);
}

#[test]
fn exporting_the_current_view_follows_the_column_order() {
    let sim = simulator();
    let mut harness = searched(&sim);
    harness.state_mut().queue(Command::MoveColumn {
        column: Column::CpfCnpj,
        before: Some(Column::Data),
    });
    harness
        .state_mut()
        .queue(Command::ToggleColumn(Column::Interacao));
    harness.step();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("visao.csv");
    harness.state_mut().queue(Command::ExportTo(path.clone()));
    harness.step();
    step_until(&mut harness, "the export", |app| {
        app.export.task.is_none() && app.export.done.is_some()
    });
    let text = std::fs::read_to_string(&path).unwrap();
    let header = text.trim_start_matches('\u{feff}').lines().next().unwrap();
    let names: Vec<&str> = header.split(';').collect();
    let expected: Vec<&str> = harness
        .state()
        .visible_columns()
        .iter()
        .map(|c| c.label())
        .collect();
    assert_eq!(names, expected);
    assert_eq!(names[..2], ["CPF/CNPJ", "Data"]);
    assert!(!names.contains(&"Interação"));
}

#[test]
fn a_hand_edited_column_order_keeps_the_other_settings() {
    // Unknown, repeated, program-style and missing names in the settings file.
    let mut storage = MemoryStorage::default();
    let defaults = Persisted {
        id_credor: "4242".to_owned(),
        ..Persisted::default()
    };
    eframe::set_value(&mut storage, STORAGE_KEY, &defaults);
    let text = storage.get_string_for_test();
    let start = text.find("column_order:").expect("the order is written");
    let end = start + text[start..].find(']').unwrap() + 1;
    let edited = format!(
        "{}column_order: [\"coluna_do_futuro\", \"NomeCliente\", \"data\", \"nome_cliente\", 7]{}",
        &text[..start],
        &text[end..]
    );
    let numbers_inside = edited.clone();
    storage.set_string_for_test(&edited.replace(", 7]", "]"));
    let persisted = load_settings(&storage).expect("a hand-edited order still reads");
    assert_eq!(persisted.id_credor, "4242");
    let columns = persisted.column_order.columns();
    // The file's first known column leads; the columns it left out come back beside their
    // neighbours of the default order (CPF/CNPJ after the client's name, Tipo de contato
    // after Data).
    assert_eq!(columns[..2], [Column::NomeCliente, Column::CpfCnpj]);
    let data = columns.iter().position(|c| *c == Column::Data).unwrap();
    assert_eq!(columns[data + 1], Column::TipoContato);
    let mut sorted = columns.to_vec();
    sorted.sort();
    let mut all = Column::ALL.to_vec();
    all.sort();
    assert_eq!(sorted, all, "always every column once");
    // Something that is not a name at all is a broken file: eframe then starts from the
    // defaults, as for any other unreadable setting.
    storage.set_string_for_test(&numbers_inside);
    assert_eq!(load_settings(&storage), None);
}

impl MemoryStorage {
    fn get_string_for_test(&self) -> String {
        eframe::Storage::get_string(self, STORAGE_KEY).expect("settings saved")
    }

    fn set_string_for_test(&mut self, text: &str) {
        eframe::Storage::set_string(self, STORAGE_KEY, text.to_owned());
    }
}

// ---- Saved views ----

fn open_views_menu(harness: &mut Harness<'_, FollowupsApp>) {
    harness
        .get_by_role_and_label(Role::Button, "Visões")
        .click();
    harness.step();
    wait_for_label(harness, "Salvar visão atual…");
}

fn save_view_as(harness: &mut Harness<'_, FollowupsApp>, name: &str) {
    open_views_menu(harness);
    harness
        .get_by_role_and_label(Role::Button, "Salvar visão atual…")
        .click();
    harness.step();
    type_into(harness, "Nome da visão", name);
}

/// Clicks the button `label`, a frame after it appeared (a new window's first frame only
/// measures it).
fn click(harness: &mut Harness<'_, FollowupsApp>, label: &str) {
    wait_for_label(harness, label);
    harness.step();
    harness.get_by_role_and_label(Role::Button, label).click();
    harness.step();
    harness.step();
}

fn wait_for_view(harness: &mut Harness<'_, FollowupsApp>) {
    step_until(harness, "the view", |app| {
        !app.view_pending() && *app.results.spec() == app.desired_view()
    });
}

/// The view spec's parts a saved view restores, as the window shows them.
fn shown_layout(app: &FollowupsApp) -> (Vec<Column>, Option<SortSpec>, ColumnFilters) {
    (
        app.visible_columns(),
        app.results.sort(),
        app.results.column_filters().clone(),
    )
}

#[test]
fn a_saved_view_round_trips_without_personal_values() {
    let sim = simulator();
    let (id_credor, doc) = busiest(&sim);
    let mut harness = searched(&sim);

    // The first row's client, document and a word of its interaction, to filter on.
    let row = harness.state().results.rows().get(0).unwrap().clone();
    let client = row.nome_cliente().map(|s| s.as_str()).unwrap().to_owned();
    let masked_doc = recuperador_followups::doc_id::format_lenient(&doc);
    let word = row
        .interacao()
        .unwrap()
        .split_whitespace()
        .find(|w| w.chars().count() >= 6 && w.chars().all(char::is_alphabetic))
        .unwrap()
        .to_owned();

    // A layout: Interação first, ID credor hidden, sorted by Evento descending, filters on
    // the channel (kept) and on the three personal columns (left out).
    let app = harness.state_mut();
    app.queue(Command::MoveColumn {
        column: Column::Interacao,
        before: Some(Column::Data),
    });
    app.queue(Command::ToggleColumn(Column::IdCredor));
    app.queue(Command::SortBy(Column::NomeEvento));
    app.queue(Command::SortBy(Column::NomeEvento));
    let filters = &mut app.column_filters.active;
    let channel = ColumnFilter::for_cell(&row, Column::TipoContato).unwrap();
    assert!(filters.set(Column::TipoContato, channel.clone()));
    assert!(filters.set(
        Column::NomeCliente,
        ColumnFilter::for_cell(&row, Column::NomeCliente).unwrap()
    ));
    assert!(filters.set(
        Column::CpfCnpj,
        ColumnFilter::for_cell(&row, Column::CpfCnpj).unwrap()
    ));
    assert!(filters.set(
        Column::Interacao,
        ColumnFilter::Contains { text: word.clone() }
    ));
    app.queue(Command::QuickFilterChanged);
    harness.step();
    wait_for_view(&mut harness);
    assert!(harness.state().results.view_count() >= 1);
    let (columns, sort, _) = shown_layout(harness.state());
    assert_eq!(columns[0], Column::Interacao);
    assert_eq!(
        sort,
        Some(SortSpec {
            column: Column::NomeEvento,
            descending: true
        })
    );

    // Save it from the menu: the dialog warns first, the window confirms after.
    save_view_as(&mut harness, "Cobrança por canal");
    assert!(
        harness
            .query_by_label_contains("não serão salvos: a visão não guarda dados pessoais")
            .is_some()
    );
    click(&mut harness, "Salvar");
    let notice = "Os filtros de Cliente, CPF/CNPJ e Interação não foram salvos: a visão não guarda dados pessoais.";
    wait_for_label(&mut harness, notice);
    assert!(
        harness.query_by_label("Nome da visão").is_none(),
        "dialog closed"
    );
    assert!(
        harness
            .query_by_label("Visão «Cobrança por canal» salva.")
            .is_some()
    );

    // The settings file holds the view, and none of the personal values filtered on.
    let storage = save_settings(&mut harness);
    let text = storage.get_string_for_test();
    assert!(text.contains("Cobrança por canal"), "{text}");
    for personal in [
        client.as_str(),
        doc.as_str(),
        masked_doc.as_str(),
        word.as_str(),
    ] {
        assert!(
            !text.contains(personal),
            "«{personal}» in the settings: {text}"
        );
    }

    // Change everything, then recall the view, in a restarted window.
    let mut restarted = app_harness_from(load_settings(&storage).unwrap(), TOKEN);
    type_into(&mut restarted, "CPF/CNPJ", &doc);
    restarted.key_press(egui::Key::Enter);
    restarted.step();
    step_until(&mut restarted, "the search", |app| {
        app.results.total_count() > 0 && !app.searching() && !app.view_pending()
    });
    assert_eq!(restarted.state().persisted.id_credor, id_credor.to_string());
    open_views_menu(&mut restarted);
    click(&mut restarted, "Restaurar padrão");
    wait_for_view(&mut restarted);
    let (default_columns, default_sort, default_filters) = shown_layout(restarted.state());
    assert_eq!(default_columns, DEFAULT_COLUMN_ORDER);
    assert_eq!(default_sort, None);
    assert!(default_filters.is_empty());

    open_views_menu(&mut restarted);
    click(&mut restarted, "Cobrança por canal");
    wait_for_view(&mut restarted);
    let (recalled_columns, recalled_sort, recalled_filters) = shown_layout(restarted.state());
    assert_eq!(recalled_columns, columns);
    assert_eq!(recalled_sort, sort);
    let mut expected = ColumnFilters::new();
    expected.set(Column::TipoContato, channel);
    assert_eq!(recalled_filters, expected, "only the channel's filter");
    assert_eq!(
        restarted.state().current_view_name(),
        Some("Cobrança por canal")
    );
    // Every row shown passes the channel filter.
    let kept = restarted.state().results.view_count();
    assert!(kept >= 1 && kept <= restarted.state().results.total_count());
}

#[test]
fn saving_under_a_taken_name_asks_then_replaces_and_views_rename_and_delete() {
    let sim = simulator();
    let mut harness = searched(&sim);
    save_view_as(&mut harness, "Agenda");
    click(&mut harness, "Salvar");
    wait_for_label(&mut harness, "Visão «Agenda» salva.");

    // The same name, spelt otherwise: the dialog asks before replacing.
    harness.state_mut().queue(Command::SortBy(Column::Data));
    harness.step();
    save_view_as(&mut harness, "AGENDA");
    click(&mut harness, "Salvar");
    wait_for_label(
        &mut harness,
        "Já existe uma visão chamada «Agenda». Substituir?",
    );
    assert_eq!(harness.state().persisted.views.iter().count(), 1);
    click(&mut harness, "Substituir");
    wait_for_label(&mut harness, "Visão «AGENDA» salva.");
    let views = &harness.state().persisted.views;
    assert_eq!(views.iter().count(), 1);
    assert_eq!(
        views.get("agenda").unwrap().layout().sort.map(|s| s.column),
        Some(Column::Data)
    );

    // Enter in the name field saves too.
    save_view_as(&mut harness, "Pelo teclado");
    harness.key_press(egui::Key::Enter);
    harness.step();
    wait_for_label(&mut harness, "Visão «Pelo teclado» salva.");
    assert!(harness.state().views.dialog.is_none());
    harness
        .state_mut()
        .queue(Command::DeleteView("Pelo teclado".to_owned()));
    harness.step();

    // A blank name is refused in the dialog.
    save_view_as(&mut harness, "   ");
    click(&mut harness, "Salvar");
    wait_for_label(&mut harness, "Dê um nome à visão.");
    harness.key_press(egui::Key::Escape);
    harness.step();
    harness.step();
    assert!(
        harness.state().views.dialog.is_none(),
        "Esc closes the dialog"
    );

    save_view_as(&mut harness, "Outra");
    click(&mut harness, "Salvar");
    wait_for_label(&mut harness, "Visão «Outra» salva.");

    // Rename: another view's name is refused, a new one taken.
    open_views_menu(&mut harness);
    click(&mut harness, "Renomear a visão Outra");
    retype(&mut harness, "Nome da visão", "agenda");
    click(&mut harness, "Renomear");
    wait_for_label(&mut harness, "Já existe uma visão chamada «AGENDA».");
    retype(&mut harness, "Nome da visão", "Semana");
    click(&mut harness, "Renomear");
    assert_eq!(view_names(&harness), ["AGENDA", "Semana"]);

    // Delete asks first.
    open_views_menu(&mut harness);
    click(&mut harness, "Excluir a visão AGENDA");
    wait_for_label(&mut harness, "Excluir a visão «AGENDA»? A tabela não muda.");
    click(&mut harness, "Excluir");
    assert_eq!(view_names(&harness), ["Semana"]);
}

/// The saved views' names, in the menu's order.
fn view_names(harness: &Harness<'_, FollowupsApp>) -> Vec<String> {
    harness
        .state()
        .persisted
        .views
        .iter()
        .map(|v| v.name().to_owned())
        .collect()
}
