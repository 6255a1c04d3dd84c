//! Column filters (AutoFilter) in the window, driven headless with egui_kittest against the
//! simulator: the filter popup of a column (ticking values, typed ranges, "contém"), the view
//! narrowing and composing with the quick filter, the chips and their ×, the count line, and
//! the cell's context menu ("Filtrar por este valor", "Ocultar esta coluna").

use std::collections::BTreeSet;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use recuperador_followups::api::{Column, Followup};
use recuperador_followups::fmt::thousands;
use recuperador_followups::results::fold;
use recuperador_followups::sim::Simulator;
use recuperador_followups::ui::FollowupsApp;

mod support;

use support::ui::*;

const TOKEN: &str = "ui-filters-token-2718";

fn simulator() -> Simulator {
    support::simulator(TOKEN, 3, 30)
}

/// The window, wide enough for all twenty columns, after a search of the busiest debtor.
fn searched(sim: &Simulator) -> Harness<'static, FollowupsApp> {
    let (id_credor, doc) = busiest(sim);
    let mut harness = app_harness_at(sim, TOKEN, egui::vec2(3600.0, 1000.0), 1.0);
    search(&mut harness, id_credor, &doc);
    assert!(harness.state().results.total_count() > 10);
    harness
}

/// Clicks a column's filter button and waits for its popup's list of values.
fn open_filter(harness: &mut Harness<'_, FollowupsApp>, column: Column) {
    harness
        .get_by_role_and_label(Role::Button, &format!("Filtrar {}", column.label()))
        .click();
    harness.step();
    step_until(harness, "the filter popup and its values", |app| {
        app.column_filters
            .popup
            .as_ref()
            .is_some_and(|p| p.column == column)
            && !app.column_filters.list_pending()
    });
    harness.step();
}

/// Waits until no view, list or filter is computing.
fn settle(harness: &mut Harness<'_, FollowupsApp>) {
    harness.step();
    step_until(harness, "the view", |app| {
        !app.view_pending() && !app.column_filters.busy() && !app.has_commands()
    });
}

fn click_button(harness: &mut Harness<'_, FollowupsApp>, label: &str) {
    harness.get_by_role_and_label(Role::Button, label).click();
    harness.step();
}

/// Clicks a button of the open filter popup (the query form has buttons of the same name).
fn click_in_popup(harness: &mut Harness<'_, FollowupsApp>, label: &str) {
    let column = harness
        .state()
        .column_filters
        .popup
        .as_ref()
        .map(|p| p.column)
        .expect("a popup is open");
    harness
        .get_by_label(&format!("Filtro de {}", column.label()))
        .get_by_role_and_label(Role::Button, label)
        .click();
    harness.step();
}

/// Whether some widget's label is exactly `text`.
fn shows(harness: &Harness<'_, FollowupsApp>, text: &str) -> bool {
    harness.query_all_by_label(text).next().is_some()
}

/// Whether some widget's label contains `text`.
fn shows_part(harness: &Harness<'_, FollowupsApp>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

/// The rows on screen, in view order.
fn view_rows(app: &FollowupsApp) -> Vec<Followup> {
    app.results.iter_view().cloned().collect()
}

fn all_rows(app: &FollowupsApp) -> Vec<Followup> {
    app.results.rows().iter().cloned().collect()
}

/// The ids of the rows on screen.
fn view_ids(app: &FollowupsApp) -> BTreeSet<i64> {
    app.results
        .iter_view()
        .filter_map(|r| r.id_followup())
        .collect()
}

fn channel(row: &Followup) -> String {
    row.field_br(Column::TipoContato)
}

/// The two most frequent channels of the rows, most frequent first.
fn two_channels(app: &FollowupsApp) -> (String, String) {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for row in app.results.rows().iter() {
        *counts.entry(channel(row)).or_default() += 1;
    }
    let mut by_count: Vec<(String, usize)> =
        counts.into_iter().filter(|(c, _)| !c.is_empty()).collect();
    by_count.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    assert!(
        by_count.len() >= 3,
        "the debtor's history uses several channels"
    );
    (by_count[0].0.clone(), by_count[1].0.clone())
}

/// Ticks exactly `labels` in the open popup's list ("Limpar" first) and presses OK.
fn choose(harness: &mut Harness<'_, FollowupsApp>, labels: &[&str]) {
    click_in_popup(harness, "Limpar");
    assert!(
        harness
            .get_by_role_and_label(Role::Button, "OK")
            .accesskit_node()
            .is_disabled(),
        "OK waits for a ticked value"
    );
    for label in labels {
        harness.get_by_role_and_label(Role::CheckBox, label).click();
        harness.step();
    }
    click_button(harness, "OK");
    settle(harness);
}

#[test]
fn ticking_values_in_a_columns_popup_narrows_the_view() {
    let sim = simulator();
    let mut harness = searched(&sim);
    let rows = all_rows(harness.state());
    let total = rows.len();
    let (first, second) = two_channels(harness.state());

    open_filter(&mut harness, Column::TipoContato);
    // The list shows every channel of the rows with its count, all ticked (no filter yet).
    let list = harness
        .state()
        .column_filters
        .popup
        .as_ref()
        .and_then(|p| p.draft.list())
        .and_then(|l| l.values.clone())
        .expect("the values are listed");
    for value in &list.values {
        let label = value.label().into_owned();
        let expected = rows.iter().filter(|r| channel(r) == label).count();
        assert_eq!(value.count, expected, "count of {label}");
        assert!(
            harness
                .get_by_role_and_label(Role::CheckBox, &label)
                .accesskit_node()
                .toggled()
                .is_some_and(|t| t == egui::accesskit::Toggled::True),
            "{label} starts ticked"
        );
    }
    assert!(shows(&harness, &thousands(list.values[0].count as u64)));

    choose(&mut harness, &[&first, &second]);
    let app = harness.state();
    let expected: Vec<Followup> = rows
        .iter()
        .filter(|r| channel(r) == first || channel(r) == second)
        .cloned()
        .collect();
    assert!(!expected.is_empty() && expected.len() < total);
    assert_eq!(view_rows(app), expected);
    assert!(app.column_filters.popup.is_none(), "OK closes the popup");
    // The chip names the channels in pt-BR order; the count line says how many show.
    let mut names = [first.clone(), second.clone()];
    names.sort_by_key(|n| fold(n));
    let chip = format!("Tipo de contato: {}, {}", names[0], names[1]);
    assert!(shows(&harness, &chip), "chip «{chip}»");
    let count = format!(
        "exibindo {} de {} follow-ups",
        thousands(expected.len() as u64),
        thousands(total as u64)
    );
    assert!(shows_part(&harness, &count), "count line «{count}»");

    // Reopening shows the filter's choice; "Selecionar todos" and OK remove the filter.
    open_filter(&mut harness, Column::TipoContato);
    let ticked = |harness: &Harness<'_, FollowupsApp>, label: &str| {
        harness
            .get_by_role_and_label(Role::CheckBox, label)
            .accesskit_node()
            .toggled()
            == Some(egui::accesskit::Toggled::True)
    };
    assert!(ticked(&harness, &first) && ticked(&harness, &second));
    let third = list
        .values
        .iter()
        .map(|v| v.label().into_owned())
        .find(|l| *l != first && *l != second)
        .expect("a third channel");
    assert!(!ticked(&harness, &third));
    click_in_popup(&mut harness, "Selecionar todos");
    click_button(&mut harness, "OK");
    settle(&mut harness);
    let app = harness.state();
    assert!(app.column_filters.active.is_empty());
    assert_eq!(app.results.view_count(), total);
    assert!(!shows_part(&harness, "Tipo de contato:"));
    let count = format!("{} follow-ups", thousands(total as u64));
    assert!(shows_part(&harness, &count));
    assert!(!shows_part(&harness, "exibindo"));
}

#[test]
fn the_list_search_picks_what_ok_applies() {
    let sim = simulator();
    let mut harness = searched(&sim);
    let rows = all_rows(harness.state());
    let (first, _) = two_channels(harness.state());
    open_filter(&mut harness, Column::TipoContato);
    // The search box takes the keyboard on opening, like Excel's.
    assert!(harness.get_by_label("Pesquisar").is_focused());
    // Typed without accents or case, like the quick filter.
    let typed = fold(&first).to_uppercase();
    type_into(&mut harness, "Pesquisar", &typed);
    settle(&mut harness);
    let shown = harness
        .state()
        .column_filters
        .popup
        .as_ref()
        .and_then(|p| p.draft.list())
        .and_then(|l| l.shown.clone())
        .expect("searched");
    assert!(!shown.is_empty());
    assert!(shown.len() < 8, "the search narrows the list");
    // Everything is ticked, but Enter (OK) applies only what the search shows (Excel does
    // the same).
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    let app = harness.state();
    assert!(!view_rows(app).is_empty());
    assert!(
        view_rows(app)
            .iter()
            .all(|r| fold(&channel(r)).contains(&fold(&first)))
    );
    let expected = rows
        .iter()
        .filter(|r| fold(&channel(r)).contains(&fold(&first)))
        .count();
    assert_eq!(app.results.view_count(), expected);
}

#[test]
fn column_filters_compose_with_the_quick_filter_and_chips_remove_them() {
    let sim = simulator();
    let mut harness = searched(&sim);
    let rows = all_rows(harness.state());
    let (first, second) = two_channels(harness.state());
    open_filter(&mut harness, Column::TipoContato);
    choose(&mut harness, &[&first, &second]);
    let by_channel: BTreeSet<i64> = rows
        .iter()
        .filter(|r| channel(r) == first || channel(r) == second)
        .filter_map(|r| r.id_followup())
        .collect();

    // A quick-filter word found in some rows of those channels and some of the others.
    let quick_rows = |word: &str| -> BTreeSet<i64> {
        let folded = fold(word);
        rows.iter()
            .filter(|r| {
                Column::ALL
                    .iter()
                    .any(|c| fold(&r.field_br(*c)).contains(&folded))
            })
            .filter_map(|r| r.id_followup())
            .collect()
    };
    let word = rows
        .iter()
        .filter_map(|r| r.interacao())
        .flat_map(|t| t.split_whitespace())
        .filter(|w| w.len() >= 5 && w.chars().all(char::is_alphabetic))
        .find(|w| {
            let matching = quick_rows(w);
            matching.iter().any(|id| by_channel.contains(id))
                && matching.iter().any(|id| !by_channel.contains(id))
                && !by_channel.is_subset(&matching)
        })
        .expect("a word that splits the rows")
        .to_owned();
    type_into(&mut harness, "Buscar nos resultados", &word);
    settle(&mut harness);
    let both: BTreeSet<i64> = quick_rows(&word)
        .intersection(&by_channel)
        .copied()
        .collect();
    assert_eq!(
        view_ids(harness.state()),
        both,
        "quick filter AND column filter"
    );
    assert!(both.len() < by_channel.len() && both.len() < quick_rows(&word).len());

    // A second filter, on the date, by its popup's typed fields.
    let day = rows
        .iter()
        .filter(|r| r.id_followup().is_some_and(|id| both.contains(&id)))
        .find_map(|r| r.data())
        .expect("a dated row")
        .date();
    let day_text = recuperador_followups::fmt::date_br(day);
    open_filter(&mut harness, Column::Data);
    type_into(&mut harness, "Data inicial", &day_text);
    type_into(&mut harness, "Data final", &day_text);
    click_button(&mut harness, "OK");
    settle(&mut harness);
    let on_day: BTreeSet<i64> = rows
        .iter()
        .filter(|r| r.data().is_some_and(|d| d.date() == day))
        .filter_map(|r| r.id_followup())
        .collect();
    let all_three: BTreeSet<i64> = both.intersection(&on_day).copied().collect();
    assert!(!all_three.is_empty());
    assert_eq!(view_ids(harness.state()), all_three);
    assert!(shows(&harness, &format!("Data: {day_text}")));
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Limpar filtros")
            .is_some(),
        "several filters offer to clear them all"
    );

    // The × of the channel chip removes that filter only.
    click_button(&mut harness, "Remover filtro Tipo de contato");
    settle(&mut harness);
    let expected: BTreeSet<i64> = quick_rows(&word).intersection(&on_day).copied().collect();
    assert_eq!(view_ids(harness.state()), expected);
    assert!(!shows_part(&harness, "Tipo de contato:"));
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Limpar filtros")
            .is_none()
    );

    // "Limpar filtros" with two again (the second from a cell's menu); then only the quick
    // filter is left.
    let consultant = harness
        .state()
        .results
        .row(0)
        .expect("a row on screen")
        .field_br(Column::NomeConsultor);
    cell(&harness, &consultant).click_secondary();
    harness.step();
    wait_for_label(&mut harness, "Filtrar por este valor");
    click_button(&mut harness, "Filtrar por este valor");
    settle(&mut harness);
    assert_eq!(harness.state().column_filters.active.len(), 2);
    click_button(&mut harness, "Limpar filtros");
    settle(&mut harness);
    assert!(harness.state().column_filters.active.is_empty());
    assert_eq!(view_ids(harness.state()), quick_rows(&word));
}

#[test]
fn typed_ranges_are_validated_and_applied() {
    let sim = simulator();
    let mut harness = searched(&sim);
    let rows = all_rows(harness.state());

    open_filter(&mut harness, Column::Data);
    type_into(&mut harness, "Data inicial", "31/02/2026");
    assert!(shows_part(&harness, "não existe"));
    assert!(
        harness
            .get_by_role_and_label(Role::Button, "OK")
            .accesskit_node()
            .is_disabled()
    );
    retype(&mut harness, "Data inicial", "01/01/2030");
    type_into(&mut harness, "Data final", "01/01/2020");
    assert!(shows_part(&harness, "posterior à data final"));
    // An open end: from a day in the middle of the history.
    let mut days: Vec<_> = rows
        .iter()
        .filter_map(|r| r.data())
        .map(|d| d.date())
        .collect();
    days.sort_unstable();
    let middle = days[days.len() / 2];
    retype(
        &mut harness,
        "Data inicial",
        &recuperador_followups::fmt::date_br(middle),
    );
    retype(&mut harness, "Data final", "");
    click_button(&mut harness, "OK");
    settle(&mut harness);
    let expected = rows
        .iter()
        .filter(|r| r.data().is_some_and(|d| d.date() >= middle))
        .count();
    assert_eq!(harness.state().results.view_count(), expected);
    assert!(shows(
        &harness,
        &format!(
            "Data: a partir de {}",
            recuperador_followups::fmt::date_br(middle)
        )
    ));

    // Ids: a range typed in "Intervalo".
    let mut ids: Vec<i64> = rows.iter().filter_map(|r| r.id_followup()).collect();
    ids.sort_unstable();
    let (low, high) = (ids[ids.len() / 4], ids[ids.len() / 2]);
    open_filter(&mut harness, Column::IdFollowup);
    harness
        .get_by_role_and_label(Role::RadioButton, "Intervalo")
        .click();
    harness.step();
    type_into(&mut harness, "Mínimo", &low.to_string());
    type_into(&mut harness, "Máximo", &high.to_string());
    click_button(&mut harness, "OK");
    settle(&mut harness);
    let expected = rows
        .iter()
        .filter(|r| r.data().is_some_and(|d| d.date() >= middle))
        .filter(|r| r.id_followup().is_some_and(|id| (low..=high).contains(&id)))
        .count();
    assert_eq!(harness.state().results.view_count(), expected);

    // "contém" on the interaction text, Enter applies.
    let word = rows
        .iter()
        .filter_map(|r| r.interacao())
        .flat_map(|t| t.split_whitespace())
        .find(|w| w.len() >= 6 && w.chars().all(char::is_alphabetic))
        .expect("a word")
        .to_owned();
    harness
        .get_by_role_and_label(Role::Button, "Limpar filtros")
        .click();
    settle(&mut harness);
    open_filter(&mut harness, Column::Interacao);
    type_into(&mut harness, "Contém", &word.to_uppercase());
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    let expected = rows
        .iter()
        .filter(|r| {
            r.interacao()
                .is_some_and(|t| fold(t).contains(&fold(&word)))
        })
        .count();
    assert!(expected > 0);
    assert_eq!(harness.state().results.view_count(), expected);
}

/// The first table cell showing `text` (a label of the table, not of a chip or a popup).
fn cell<'a>(harness: &'a Harness<'_, FollowupsApp>, text: &'a str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_label(text)
        .find(|node| node.accesskit_node().role() == Role::Label)
        .unwrap_or_else(|| panic!("a cell showing «{text}»"))
}

#[test]
fn the_context_menu_filters_by_a_cells_value_and_hides_its_column() {
    let sim = simulator();
    let mut harness = searched(&sim);
    let rows = all_rows(harness.state());
    let first = harness.state().results.row(0).cloned().expect("a row");
    let consultant = first.field_br(Column::NomeConsultor);
    assert!(!consultant.is_empty());
    let expected: BTreeSet<i64> = rows
        .iter()
        .filter(|r| r.field_br(Column::NomeConsultor).trim() == consultant.trim())
        .filter_map(|r| r.id_followup())
        .collect();
    assert!(expected.len() < rows.len(), "several consultants");

    cell(&harness, &consultant).click_secondary();
    harness.step();
    wait_for_label(&mut harness, "Filtrar por este valor");
    click_button(&mut harness, "Filtrar por este valor");
    settle(&mut harness);
    assert_eq!(view_ids(harness.state()), expected);
    assert!(shows(
        &harness,
        &format!("Consultor: {}", consultant.trim())
    ));
    assert!(
        !shows(&harness, "Filtrar por este valor"),
        "the menu closed"
    );

    // On free text the item is disabled (an exact match makes no sense).
    let text = first.field_br_line(Column::Interacao);
    cell(&harness, &text).click_secondary();
    harness.step();
    wait_for_label(&mut harness, "Filtrar por este valor");
    assert!(
        harness
            .get_by_role_and_label(Role::Button, "Filtrar por este valor")
            .accesskit_node()
            .is_disabled()
    );
    // "Ocultar esta coluna" hides the column under the pointer.
    click_button(&mut harness, "Ocultar esta coluna");
    settle(&mut harness);
    assert!(
        harness
            .state()
            .persisted
            .hidden_columns
            .contains(&Column::Interacao)
    );
    assert!(
        harness
            .query_by_role_and_label(Role::Button, "Filtrar Interação")
            .is_none(),
        "the column's header is gone"
    );
    assert!(
        !harness
            .state()
            .visible_columns()
            .contains(&Column::Interacao)
    );
}

#[test]
fn filters_survive_a_new_search_and_stay_visible() {
    let sim = simulator();
    let mut harness = searched(&sim);
    let (first, _) = two_channels(harness.state());
    open_filter(&mut harness, Column::TipoContato);
    choose(&mut harness, &[&first]);
    let filtered = harness.state().results.view_count();
    // Search again (Excel keeps AutoFilter settings across a refresh).
    harness
        .get_by_role_and_label(Role::Button, "Buscar")
        .click();
    harness.step();
    step_until(&mut harness, "the new search", |app| {
        !app.searching() && !app.view_pending()
    });
    settle(&mut harness);
    let app = harness.state();
    assert_eq!(app.results.view_count(), filtered);
    assert!(app.results.iter_view().all(|r| channel(r) == first));
    assert!(
        shows(&harness, &format!("Tipo de contato: {first}")),
        "the chip still says what hides rows"
    );
}

#[test]
fn the_date_range_has_the_portuguese_calendar_and_a_pick_keeps_the_popup_open() {
    let sim = simulator();
    let mut harness = searched(&sim);
    open_filter(&mut harness, Column::Data);
    harness
        .get_by_role_and_label(Role::Button, "Calendário: Data final")
        .click();
    wait_for_label(&mut harness, "Novembro de 2026");
    // A click inside the calendar (a popup over the filter's popup) picks the day and leaves
    // the filter's popup open for "OK".
    harness
        .get_by_label("Calendário")
        .get_by_role_and_label(Role::Button, "Hoje")
        .click();
    harness.step();
    harness.step();
    let popup = harness.state().column_filters.popup.as_ref();
    assert!(
        popup.is_some_and(|p| p.column == Column::Data),
        "the filter popup stays open"
    );
    assert_eq!(
        harness
            .get_by_label("Data final")
            .accesskit_node()
            .value()
            .as_deref(),
        Some("29/11/2026")
    );
    click_in_popup(&mut harness, "OK");
    settle(&mut harness);
    assert!(shows(&harness, "Data: até 29/11/2026"));
}
