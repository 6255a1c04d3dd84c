//! The window's layout tools under egui_kittest: the Portuguese date picker in the filter
//! panel, the column order (dragged headers, the "Colunas" menu, persisted) and the saved
//! views ("Visões").

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use recuperador_followups::sim::Simulator;

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
