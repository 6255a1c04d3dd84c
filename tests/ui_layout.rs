//! The window's layout tools under egui_kittest: the Portuguese date picker in the filter
//! panel, the column order (dragged headers, the "Colunas" menu, persisted) and the saved
//! views ("Visões").

use std::collections::HashMap;

use eframe::App as _;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use recuperador_followups::api::Column;
use recuperador_followups::results::DEFAULT_COLUMN_ORDER;
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

/// eframe's settings storage, in memory: what `app.ron` holds, as text.
#[derive(Default)]
struct MemoryStorage(HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

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
