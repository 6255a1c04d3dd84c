//! The table as a workbench, driven headless with egui_kittest: the keyboard, multi-select
//! with Ctrl and Shift, the details pane from Enter or a double click, and copying rows and
//! cells to the clipboard (read back through egui's copied-text output).

use std::collections::BTreeSet;
use std::sync::atomic::AtomicBool;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use recuperador_followups::api::Column;
use recuperador_followups::export::tsv_text;
use recuperador_followups::results::ResultSet;
use recuperador_followups::sim::{Simulator, huge_history_rows};
use recuperador_followups::ui::FollowupsApp;

mod support;

use support::ui::*;

const TOKEN: &str = "ui-table-token-0612";

fn simulator() -> Simulator {
    support::simulator(TOKEN, 3, 30)
}

/// The busiest debtor's history on screen, with only the columns `shown` visible (in display
/// order), so that rows can be clicked by their unique `id_followup`.
fn searched(sim: &Simulator, shown: &[Column]) -> Harness<'static, FollowupsApp> {
    let mut harness = app_harness(sim, TOKEN);
    show_only(&mut harness, shown);
    let (id_credor, doc) = busiest(sim);
    search(&mut harness, id_credor, &doc);
    assert!(harness.state().results.view_count() >= 12, "enough rows");
    harness
}

/// Hides every column but `shown`, and the details pane (which would show the ids again).
fn show_only(harness: &mut Harness<'_, FollowupsApp>, shown: &[Column]) {
    harness.state_mut().persisted.show_details = false;
    harness.state_mut().persisted.hidden_columns = Column::ALL
        .into_iter()
        .filter(|c| !shown.contains(c))
        .collect();
}

/// `rows` rows placed on screen directly (as a search would), settled for drawing.
fn with_rows(rows: usize, shown: &[Column]) -> (Simulator, Harness<'static, FollowupsApp>) {
    let sim = simulator();
    let mut harness = app_harness(&sim, TOKEN);
    show_only(&mut harness, shown);
    harness.state_mut().results = ResultSet::from_rows(huge_history_rows(rows));
    harness.step();
    harness.step();
    (sim, harness)
}

/// The `id_followup` of the row at `position` of the view.
fn id_at(app: &FollowupsApp, position: usize) -> i64 {
    app.results
        .row(position)
        .and_then(|row| row.id_followup())
        .expect("a row with an id")
}

/// The ids of the selected rows, in view order.
fn selected_ids(app: &FollowupsApp) -> Vec<i64> {
    let view = app.results.view_indices();
    app.table
        .selection
        .rows_in_view_order(view)
        .filter_map(|index| app.results.rows().get(index as usize))
        .filter_map(|row| row.id_followup())
        .collect()
}

/// The id of the current row.
fn current_id(app: &FollowupsApp) -> Option<i64> {
    let index = app.table.current()?;
    app.results.rows().get(index as usize)?.id_followup()
}

/// Clicks the row at `position` of the view (on its id cell) with `modifiers` held.
fn click_row(harness: &mut Harness<'_, FollowupsApp>, position: usize, modifiers: Modifiers) {
    let id = id_at(harness.state(), position).to_string();
    harness.get_by_label(&id).click_modifiers(modifiers);
    harness.step();
    // A frame without input: the table's keys are its own from here on.
    harness.step();
}

fn press(harness: &mut Harness<'_, FollowupsApp>, key: Key) {
    harness.key_press(key);
    harness.step();
}

fn press_with(harness: &mut Harness<'_, FollowupsApp>, modifiers: Modifiers, key: Key) {
    harness.key_press_modifiers(modifiers, key);
    harness.step();
}

/// Double-clicks the widget labelled `label`. Both clicks go in one frame: the harness
/// advances its clock a quarter of a second a frame, past egui's double-click delay.
fn double_click(harness: &mut Harness<'_, FollowupsApp>, label: &str) {
    let pos = harness.get_by_label(label).rect().center();
    harness.hover_at(pos);
    harness.step();
    for pressed in [true, false, true, false] {
        harness.input_mut().events.push(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    harness.step();
    harness.step();
}

/// Ctrl+C as the window receives it: egui turns the shortcut into `Event::Copy`.
fn ctrl_c(harness: &mut Harness<'_, FollowupsApp>) {
    harness.event(egui::Event::Copy);
    harness.step();
}

fn has_label_containing(harness: &Harness<'_, FollowupsApp>, text: &str) -> bool {
    harness.query_by_label_contains(text).is_some()
}

#[test]
fn arrows_move_the_current_row_and_enter_opens_it_in_the_details() {
    let sim = simulator();
    // The details pane is hidden: Enter must show it.
    let mut harness = searched(&sim, &[Column::Data, Column::IdFollowup]);
    click_row(&mut harness, 0, Modifiers::NONE);
    assert_eq!(current_id(harness.state()), Some(id_at(harness.state(), 0)));
    assert!(harness.query_by_label("Follow-up").is_none(), "pane hidden");

    press(&mut harness, Key::ArrowDown);
    press(&mut harness, Key::ArrowDown);
    let third = id_at(harness.state(), 2);
    assert_eq!(current_id(harness.state()), Some(third));
    assert_eq!(
        selected_ids(harness.state()),
        [third],
        "a plain move selects one row"
    );
    assert!(harness.query_by_label("Follow-up").is_none());

    press(&mut harness, Key::Enter);
    harness.step();
    assert!(harness.state().persisted.show_details);
    assert!(harness.query_by_label("Follow-up").is_some(), "pane shown");
    // The pane shows the third row: its id appears twice, in the table and in the pane.
    assert_eq!(
        harness.query_all_by_label(&third.to_string()).count(),
        2,
        "the details show row {third}"
    );
    assert!(
        !harness.state().searching(),
        "Enter in the table did not search"
    );

    // Up, then Home and End, clamp to the view.
    press(&mut harness, Key::ArrowUp);
    assert_eq!(current_id(harness.state()), Some(id_at(harness.state(), 1)));
    press(&mut harness, Key::End);
    let last = harness.state().results.view_count() - 1;
    assert_eq!(
        current_id(harness.state()),
        Some(id_at(harness.state(), last))
    );
    press(&mut harness, Key::ArrowDown);
    assert_eq!(
        current_id(harness.state()),
        Some(id_at(harness.state(), last))
    );
    press(&mut harness, Key::Home);
    assert_eq!(current_id(harness.state()), Some(id_at(harness.state(), 0)));

    // Esc clears the selection (and the pane, which follows the current row).
    press(&mut harness, Key::Escape);
    harness.step();
    assert!(harness.state().table.selection.is_empty());
    assert!(harness.query_by_label("Follow-up").is_none());
}

#[test]
fn tab_reaches_the_table_and_its_keys_then_act() {
    let sim = simulator();
    let mut harness = searched(&sim, &[Column::IdFollowup, Column::Data]);
    type_into(&mut harness, "Buscar nos resultados", "");
    let table_focused = |harness: &Harness<'_, FollowupsApp>| {
        harness
            .get_by_label("Tabela de follow-ups")
            .accesskit_node()
            .is_focused()
    };
    let mut tabs = 0;
    while !table_focused(&harness) {
        assert!(tabs < 40, "Tab never reached the table");
        press(&mut harness, Key::Tab);
        tabs += 1;
    }
    harness.step();
    assert!(harness.state().table.selection.is_empty());
    press(&mut harness, Key::ArrowDown);
    assert_eq!(current_id(harness.state()), Some(id_at(harness.state(), 0)));
    assert!(table_focused(&harness), "the arrow stayed in the table");
    press(&mut harness, Key::ArrowDown);
    assert_eq!(current_id(harness.state()), Some(id_at(harness.state(), 1)));
    // Esc clears the selection first, then leaves the table.
    press(&mut harness, Key::Escape);
    assert!(harness.state().table.selection.is_empty());
    assert!(table_focused(&harness));
    press(&mut harness, Key::Escape);
    harness.step();
    assert!(!table_focused(&harness));
}

#[test]
fn page_keys_and_end_scroll_the_current_row_into_view() {
    let (_sim, mut harness) = with_rows(2_000, &[Column::IdFollowup, Column::Data]);
    click_row(&mut harness, 0, Modifiers::NONE);
    let page = harness.state().table.page_rows;
    assert!(page >= 10, "a page is the rows on screen ({page})");

    press(&mut harness, Key::PageDown);
    assert_eq!(
        current_id(harness.state()),
        Some(id_at(harness.state(), page))
    );
    press(&mut harness, Key::PageDown);
    assert_eq!(
        current_id(harness.state()),
        Some(id_at(harness.state(), 2 * page))
    );
    harness.step();
    // The table scrolled: the current row is drawn (only rows on screen are).
    let id = id_at(harness.state(), 2 * page).to_string();
    assert!(harness.query_by_label(&id).is_some(), "row {id} on screen");
    assert!(
        harness
            .query_by_label(&id_at(harness.state(), 0).to_string())
            .is_none(),
        "the first row scrolled away"
    );

    press(&mut harness, Key::End);
    harness.step();
    let last = id_at(harness.state(), 1_999).to_string();
    assert_eq!(
        current_id(harness.state()),
        Some(id_at(harness.state(), 1_999))
    );
    assert!(
        harness.query_by_label(&last).is_some(),
        "the last row on screen"
    );

    press(&mut harness, Key::PageUp);
    assert_eq!(
        current_id(harness.state()),
        Some(id_at(harness.state(), 1_999 - page))
    );
    press(&mut harness, Key::Home);
    harness.step();
    assert!(
        harness
            .query_by_label(&id_at(harness.state(), 0).to_string())
            .is_some(),
        "back at the top"
    );
}

#[test]
fn shift_arrows_and_shift_click_extend_the_selection() {
    let sim = simulator();
    let mut harness = searched(&sim, &[Column::IdFollowup, Column::Data]);
    click_row(&mut harness, 1, Modifiers::NONE);
    press_with(&mut harness, Modifiers::SHIFT, Key::ArrowDown);
    press_with(&mut harness, Modifiers::SHIFT, Key::ArrowDown);
    let ids = |app: &FollowupsApp, range: std::ops::RangeInclusive<usize>| -> Vec<i64> {
        range.map(|p| id_at(app, p)).collect()
    };
    assert_eq!(selected_ids(harness.state()), ids(harness.state(), 1..=3));
    harness.step();
    assert!(has_label_containing(&harness, "3 selecionadas"));

    // Shift+click ranges from the same anchor (row 1).
    click_row(&mut harness, 6, Modifiers::SHIFT);
    assert_eq!(selected_ids(harness.state()), ids(harness.state(), 1..=6));
    assert!(has_label_containing(&harness, "6 selecionadas"));
    // Shift+↑ shrinks it back towards the anchor.
    press_with(&mut harness, Modifiers::SHIFT, Key::ArrowUp);
    assert_eq!(selected_ids(harness.state()), ids(harness.state(), 1..=5));
    // A plain arrow collapses it to the current row.
    press(&mut harness, Key::ArrowDown);
    assert_eq!(selected_ids(harness.state()), ids(harness.state(), 6..=6));
    harness.step();
    assert!(has_label_containing(&harness, "1 selecionada"));
}

#[test]
fn ctrl_click_toggles_rows_and_a_double_click_opens_the_details() {
    let sim = simulator();
    let mut harness = searched(&sim, &[Column::IdFollowup, Column::Data]);
    click_row(&mut harness, 0, Modifiers::NONE);
    click_row(&mut harness, 2, Modifiers::COMMAND);
    click_row(&mut harness, 4, Modifiers::COMMAND);
    let app = harness.state();
    assert_eq!(
        selected_ids(app),
        [id_at(app, 0), id_at(app, 2), id_at(app, 4)]
    );
    click_row(&mut harness, 2, Modifiers::COMMAND);
    let app = harness.state();
    assert_eq!(selected_ids(app), [id_at(app, 0), id_at(app, 4)]);
    assert!(has_label_containing(&harness, "2 selecionadas"));
    assert!(!harness.state().persisted.show_details);

    // A double click selects the row alone and opens it.
    let id = id_at(harness.state(), 5).to_string();
    double_click(&mut harness, &id);
    assert!(
        harness.state().persisted.show_details,
        "double click opened"
    );
    assert_eq!(current_id(harness.state()), Some(id_at(harness.state(), 5)));
    assert!(harness.query_by_label("Follow-up").is_some());
}

#[test]
fn ctrl_a_then_ctrl_c_copies_the_view_as_tsv_in_view_order() {
    let sim = simulator();
    let mut harness = app_harness(&sim, TOKEN);
    // Hide a column: the copy has the visible ones only, in table order.
    harness.state_mut().persisted.hidden_columns = vec![Column::NomeCredor];
    let (id_credor, doc) = busiest(&sim);
    search(&mut harness, id_credor, &doc);
    // Newest first: the view's order is not the order the rows arrived in.
    harness.get_by_role_and_label(Role::Button, "Data").click();
    harness.step();
    harness.get_by_role_and_label(Role::Button, "Data").click();
    harness.step();
    step_until(&mut harness, "the sort", |app| {
        app.results.sort().is_some_and(|s| s.descending) && !app.view_pending()
    });
    let first_date = harness
        .state()
        .results
        .row(0)
        .map(|row| row.field_br_line(Column::Data))
        .unwrap();
    harness
        .get_all_by_label(&first_date)
        .next()
        .unwrap()
        .click();
    harness.step();
    harness.step();

    press_with(&mut harness, Modifiers::COMMAND, Key::A);
    let count = harness.state().results.view_count();
    assert_eq!(harness.state().table.selection.count(), count);
    harness.step();
    assert!(has_label_containing(
        &harness,
        &format!("{count} selecionadas")
    ));
    assert!(copied_now(&harness).is_none());

    ctrl_c(&mut harness);
    let text = wait_for_copy(&mut harness);
    assert!(has_label_containing(
        &harness,
        &format!("{count} linhas copiadas")
    ));

    let lines: Vec<&str> = text.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), count + 1, "a header, then one line per row");
    let header: Vec<&str> = lines[0].split('\t').collect();
    let app = harness.state();
    let visible = app.visible_columns();
    assert_eq!(visible.len(), 19);
    assert_eq!(
        header,
        visible.iter().map(|c| c.label()).collect::<Vec<_>>(),
        "the visible columns, in table order"
    );
    // Values as on screen: the masked CPF, Brazilian dates, codes by label.
    let masked = recuperador_followups::doc_id::format_lenient(&doc);
    assert!(lines[1].contains(&masked), "{}", lines[1]);
    assert!(!lines[1].contains(&format!("\t{doc}\t")));
    let date_col = header.iter().position(|h| *h == "Data").unwrap();
    let first_fields: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(first_fields[date_col], first_date);
    // In view order (newest first), every row once: the ids column follows the view.
    let id_col = header.iter().position(|h| *h == "ID follow-up").unwrap();
    let ids: Vec<i64> = lines[1..]
        .iter()
        .filter_map(|line| line.split('\t').nth(id_col)?.parse().ok())
        .collect();
    let view_ids: Vec<i64> = (0..count).map(|p| id_at(app, p)).collect();
    assert_eq!(ids, view_ids);
    let mut ascending = view_ids.clone();
    ascending.sort_unstable();
    assert_ne!(view_ids, ascending, "the view is not in arrival order");
    // The same text the CLI's `--format tsv` and the library write for these rows.
    let never = AtomicBool::new(false);
    assert_eq!(
        text,
        tsv_text(app.results.iter_view(), &visible, &never).unwrap()
    );
}

#[test]
fn the_selection_survives_a_sort_and_drops_rows_the_quick_filter_hides() {
    let sim = simulator();
    let mut harness = searched(&sim, &[Column::Data, Column::IdFollowup, Column::Interacao]);
    click_row(&mut harness, 0, Modifiers::NONE);
    click_row(&mut harness, 3, Modifiers::COMMAND);
    click_row(&mut harness, 5, Modifiers::COMMAND);
    let chosen: BTreeSet<i64> = selected_ids(harness.state()).into_iter().collect();
    let current = current_id(harness.state());
    assert_eq!(chosen.len(), 3);

    // Sort by id, newest first: the same rows stay selected, wherever they went.
    harness
        .get_by_role_and_label(Role::Button, "ID follow-up")
        .click();
    harness.step();
    harness
        .get_by_role_and_label(Role::Button, "ID follow-up")
        .click();
    harness.step();
    step_until(&mut harness, "the sort", |app| {
        app.results.sort().is_some_and(|s| s.descending) && !app.view_pending()
    });
    let after_sort: BTreeSet<i64> = selected_ids(harness.state()).into_iter().collect();
    assert_eq!(after_sort, chosen);
    assert_eq!(current_id(harness.state()), current);
    assert!(has_label_containing(&harness, "3 selecionadas"));

    // Select everything, then filter: the rows the filter hides leave the selection.
    click_row(&mut harness, 0, Modifiers::NONE);
    press_with(&mut harness, Modifiers::COMMAND, Key::A);
    let total = harness.state().results.view_count();
    assert_eq!(harness.state().table.selection.count(), total);
    let word = harness
        .state()
        .results
        .iter_view()
        .filter_map(|r| r.interacao())
        .flat_map(|t| t.split_whitespace())
        .find(|w| w.len() >= 8 && w.chars().all(char::is_alphabetic))
        .unwrap()
        .to_owned();
    type_into(&mut harness, "Buscar nos resultados", &word);
    step_until(&mut harness, "the filter", |app| {
        app.results.filter_text() == word && !app.view_pending()
    });
    let shown = harness.state().results.view_count();
    assert!(shown < total, "the filter hides rows");
    assert_eq!(harness.state().table.selection.count(), shown);
    harness.step();
    assert!(has_label_containing(
        &harness,
        &recuperador_followups::fmt::count_br(shown, "selecionada", "selecionadas")
    ));

    // Rows that come back when the filter is cleared do not come back selected.
    harness
        .get_by_role_and_label(Role::Button, "Limpar busca")
        .click();
    harness.step();
    step_until(&mut harness, "the filter to clear", |app| {
        app.results.filter_text().is_empty() && !app.view_pending()
    });
    assert_eq!(harness.state().results.view_count(), total);
    assert_eq!(harness.state().table.selection.count(), shown);
}

#[test]
fn the_tables_keys_do_nothing_while_a_text_field_has_the_focus() {
    let sim = simulator();
    let mut harness = searched(&sim, &[Column::IdFollowup, Column::Data]);
    click_row(&mut harness, 2, Modifiers::NONE);
    let before = harness.state().table.selection.clone();

    // A field of the form, which does not change the view.
    type_into(&mut harness, "Consultor", "12");
    for key in [Key::ArrowDown, Key::End, Key::PageDown, Key::Home] {
        press(&mut harness, key);
    }
    press_with(&mut harness, Modifiers::SHIFT, Key::ArrowUp);
    press_with(&mut harness, Modifiers::COMMAND, Key::A);
    ctrl_c(&mut harness);
    assert_eq!(
        harness.state().table.selection,
        before,
        "the table did not move"
    );
    // Ctrl+A selected the field's text: typing replaces it.
    harness.get_by_label("Consultor").type_text("7");
    harness.step();
    assert_eq!(harness.state().persisted.id_consultor, "7");
    assert!(
        harness.state().clipboard.message.is_none(),
        "Ctrl+C in the field did not copy rows"
    );
}

#[test]
fn copiar_celula_and_copiar_linhas_in_the_right_click_menu() {
    let sim = simulator();
    let mut harness = searched(&sim, &[Column::Data, Column::CpfCnpj, Column::IdFollowup]);
    click_row(&mut harness, 0, Modifiers::NONE);
    click_row(&mut harness, 1, Modifiers::SHIFT);

    // A right click on a selected row keeps the selection; the menu offers both copies.
    let id = id_at(harness.state(), 1).to_string();
    harness.get_by_label(&id).click_secondary();
    harness.step();
    wait_for_label(&mut harness, "Copiar célula");
    assert_eq!(harness.state().table.selection.count(), 2);
    harness
        .get_by_role_and_label(Role::Button, "Copiar linhas")
        .click();
    harness.step();
    let rows = wait_for_copy(&mut harness);
    let app = harness.state();
    let mut expected = "Data\tCPF/CNPJ\tID follow-up\r\n".to_owned();
    for position in [0, 1] {
        let row = app.results.row(position).unwrap();
        expected.push_str(&format!(
            "{}\t{}\t{}\r\n",
            row.field_br(Column::Data),
            row.field_br(Column::CpfCnpj),
            row.id_followup().unwrap()
        ));
    }
    assert_eq!(rows, expected);
    // The menu did not take the keyboard from the table.
    press(&mut harness, Key::ArrowDown);
    assert_eq!(current_id(harness.state()), Some(id_at(harness.state(), 2)));

    // A right click on a row outside the selection selects it; "Copiar célula" copies the
    // value under the pointer, as on screen, without header or line end.
    let row = harness.state().results.row(4).unwrap().clone();
    let cpf = row.field_br(Column::CpfCnpj);
    assert!(cpf.contains('.') && cpf.contains('-'), "masked: {cpf}");
    let id = row.id_followup().unwrap().to_string();
    harness.get_by_label(&id).click_secondary();
    harness.step();
    wait_for_label(&mut harness, "Copiar célula");
    assert_eq!(selected_ids(harness.state()), [row.id_followup().unwrap()]);
    harness
        .get_by_role_and_label(Role::Button, "Copiar célula")
        .click();
    harness.step();
    assert_eq!(wait_for_copy(&mut harness), id, "the id cell's value");

    let cpf_cell = harness
        .get_all_by_label(&cpf)
        .next()
        .expect("the CPF cell on screen");
    cpf_cell.click_secondary();
    harness.step();
    wait_for_label(&mut harness, "Copiar célula");
    harness
        .get_by_role_and_label(Role::Button, "Copiar célula")
        .click();
    harness.step();
    assert_eq!(wait_for_copy(&mut harness), cpf);
}

#[test]
fn a_copy_of_more_than_100_000_rows_asks_first() {
    const ROWS: usize = 120_000;
    // The simulator's huge history, generated in place (the window's search path is covered
    // elsewhere; a 120,000-row download in a debug build takes long).
    let (sim, mut harness) = with_rows(
        ROWS,
        &[Column::Data, Column::IdFollowup, Column::TipoContato],
    );
    assert_eq!(harness.state().results.view_count(), ROWS);
    let first = id_at(harness.state(), 0).to_string();
    harness.get_by_label(&first).click();
    harness.step();
    harness.step();
    press_with(&mut harness, Modifiers::COMMAND, Key::A);
    assert!(has_label_containing(&harness, "120.000 selecionadas"));

    // Ctrl+C asks, saying how many rows and about how much text; Cancelar copies nothing.
    ctrl_c(&mut harness);
    wait_for_label(&mut harness, "Copiar");
    assert!(
        has_label_containing(&harness, "Copiar 120.000 linhas? O texto terá cerca de"),
        "the question"
    );
    assert!(copied_now(&harness).is_none());
    harness
        .get_by_role_and_label(Role::Button, "Cancelar")
        .click();
    harness.step();
    harness.step();
    assert!(harness.state().clipboard.confirm.is_none());
    assert!(!harness.state().clipboard.busy(), "nothing is built");
    assert!(!has_label_containing(&harness, "Copiar 120.000 linhas?"));

    // Asked again, Enter says "Copiar" (and does not search, though the form could): the
    // text is built in the background and handed over.
    let (id_credor, doc) = busiest(&sim);
    // A click in the form, as a user does (the window was under the question a moment ago).
    harness.get_by_label("Credor").click();
    harness.step();
    type_into(&mut harness, "Credor", &id_credor.to_string());
    type_into(&mut harness, "CPF/CNPJ", &doc);
    let blocker = harness.state_mut().search_blocker();
    assert!(blocker.is_none(), "{blocker:?}");
    click_row(&mut harness, 0, Modifiers::NONE);
    press_with(&mut harness, Modifiers::COMMAND, Key::A);
    ctrl_c(&mut harness);
    wait_for_label(&mut harness, "Copiar");
    // The question has been up a moment: the table under it has lost the keyboard.
    harness.step();
    harness.step();
    press(&mut harness, Key::Enter);
    assert!(
        !harness.state().searching(),
        "Enter in the question did not search"
    );
    let text = wait_for_copy(&mut harness);
    assert_eq!(
        harness.state().results.total_count(),
        ROWS,
        "the rows stayed"
    );
    let lines = text.split_terminator("\r\n").count();
    assert_eq!(lines, ROWS + 1);
    assert!(
        text.starts_with("Data\tTipo de contato\tID follow-up\r\n"),
        "{}",
        &text[..60]
    );
    assert!(has_label_containing(&harness, "120.000 linhas copiadas"));
}
