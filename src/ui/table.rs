//! The results table: virtualised rows, sortable headers with drawn arrows and filter
//! buttons, the selection (keyboard, clicks with Ctrl and Shift) and the right-click menu of a
//! cell.

use egui::{Align, Layout, Sense};
use egui_extras::{Column as TableColumn, TableBuilder};

use super::app::{ClickKind, Command, CopyAction, FollowupsApp, TableAction};
use crate::api::{Column, ColumnKind};
use crate::results::Motion;

/// The initial width of a column, in points.
fn initial_width(column: Column) -> f32 {
    match column {
        Column::Interacao => 360.0,
        Column::NomeCliente | Column::NomeCredor => 200.0,
        Column::NomeConsultor | Column::NomeEvento => 170.0,
        Column::CpfCnpj => 150.0,
        Column::Data | Column::DataReagendamento => 120.0,
        Column::ReagendadoPor => 130.0,
        Column::TipoContato | Column::ReagendarPara => 130.0,
        _ => match column.kind() {
            ColumnKind::Int => 90.0,
            _ => 100.0,
        },
    }
}

/// Draws the table of the current view. While it has the keyboard focus (a click in it, or
/// Tab), the keys of [`table_keys`] act on its selection and Ctrl+C copies it.
pub fn table_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let focus_id = table_focus_id();
    let focused = ui.memory(|m| m.has_focus(focus_id));
    let mut commands = Vec::new();
    // While the question before a large copy or a menu is up, the keys are theirs.
    let keys_elsewhere = app.clipboard.confirm.is_some() || egui::Popup::is_any_open(ui.ctx());
    if focused && !keys_elsewhere {
        table_keys(ui, app, &mut commands);
    }
    let columns = app.visible_columns();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    // Scroll to the current row on the frame after it moved only: `scroll_to_row` scrolls
    // every frame it is set.
    let scroll_to = app.table.scroll_to.take();

    // Twenty columns do not fit: scroll sideways (the table scrolls vertically by itself).
    let output = egui::ScrollArea::horizontal()
        .id_salt("followups_table_hscroll")
        .show(ui, |ui| {
            draw_table(
                ui,
                &columns,
                app,
                focused,
                scroll_to,
                &mut commands,
                row_height,
            )
        });
    let (page_rows, popup_anchor) = output.inner;

    app.table.page_rows = page_rows;
    let refocus = std::mem::take(&mut app.table.refocus);
    table_focus(ui, focus_id, output.inner_rect, refocus);
    super::column_filters::popup_ui(ui, app, popup_anchor);

    for command in commands {
        app.queue(command);
    }
}

/// The id of the table's keyboard focus.
pub(super) fn table_focus_id() -> egui::Id {
    egui::Id::unique("followups_table_focus")
}

/// Whether the table has the keyboard focus (its keys act then, not the window's).
pub(super) fn table_has_focus(ui: &egui::Ui) -> bool {
    ui.memory(|m| m.has_focus(table_focus_id()))
}

/// Makes the table area focusable (Tab reaches it, a press in it focuses it), keeps the
/// arrows and Esc for the table while it has the focus, and draws the focus ring.
/// With `refocus`, it takes the focus whatever happened.
fn table_focus(ui: &mut egui::Ui, focus_id: egui::Id, rect: egui::Rect, refocus: bool) {
    let had_focus = ui.memory(|m| m.has_focus(focus_id));
    let response = ui.interact(rect, focus_id, Sense::FOCUSABLE);
    response
        .widget_info(|| egui::WidgetInfo::labeled(egui::accesskit::Role::Grid, true, TABLE_LABEL));
    // A press or a click in the table focuses it. egui takes the focus from a widget when the
    // pointer clicks elsewhere, and a row's cell is "elsewhere" for this area: ask again on the
    // release too, after that check.
    let pointer_inside = ui.input(|i| i.pointer.any_pressed() || i.pointer.any_click())
        && ui.rect_contains_pointer(rect);
    // egui also takes the focus away on a click in the table's own menus and in the question
    // before a large copy (layers above the window): keep it unless something else took it.
    let click_at = ui.input(|i| {
        (i.pointer.any_pressed() || i.pointer.any_click())
            .then(|| i.pointer.interact_pos())
            .flatten()
    });
    let click_on_popup = click_at
        .and_then(|pos| ui.ctx().layer_id_at(pos))
        .is_some_and(|layer| matches!(layer.order, egui::Order::Foreground | egui::Order::Tooltip));
    let nothing_focused = ui.memory(|m| m.focused().is_none());
    if refocus || pointer_inside || (had_focus && click_on_popup && nothing_focused) {
        response.request_focus();
    }
    if !response.has_focus() {
        return;
    }
    ui.memory_mut(|m| {
        m.set_focus_lock_filter(
            focus_id,
            egui::EventFilter {
                tab: false,
                horizontal_arrows: true,
                vertical_arrows: true,
                escape: true,
            },
        );
    });
    if response.gained_focus() {
        // The arrows belong to the table from the next frame on: run it before the next key.
        ui.ctx().request_repaint();
    }
    let stroke = ui.visuals().selection.stroke;
    ui.painter()
        .rect_stroke(rect, 2.0, stroke, egui::StrokeKind::Inside);
}

/// The accessible name of the table area.
pub const TABLE_LABEL: &str = "Tabela de follow-ups";

/// The table's keys, taken from the input so nothing else sees them: ↑/↓, PgUp/PgDn,
/// Home/End (with Shift they extend the selection), Ctrl+A, Enter, Esc, Ctrl+C (which egui
/// delivers as [`egui::Event::Copy`]) and ←/→ (scroll sideways).
fn table_keys(ui: &mut egui::Ui, app: &FollowupsApp, commands: &mut Vec<Command>) {
    use egui::{Event, Key};
    let page = app.table.page_rows;
    let has_selection = !app.table.selection.is_empty();
    let mut sideways = 0.0;
    let mut leave = false;
    ui.input_mut(|input| {
        input.events.retain(|event| {
            let (key, modifiers) = match event {
                Event::Copy => {
                    commands.push(Command::Copy(CopyAction::Rows));
                    return false;
                }
                Event::Key {
                    key,
                    pressed,
                    modifiers,
                    ..
                } => {
                    if !*pressed {
                        return true;
                    }
                    (*key, *modifiers)
                }
                _ => return true,
            };
            if modifiers.alt {
                return true;
            }
            let extend = modifiers.shift;
            let motion = match key {
                Key::ArrowUp => Some(Motion::Up),
                Key::ArrowDown => Some(Motion::Down),
                Key::PageUp => Some(Motion::PageUp(page)),
                Key::PageDown => Some(Motion::PageDown(page)),
                Key::Home => Some(Motion::Home),
                Key::End => Some(Motion::End),
                _ => None,
            };
            let command = match (key, motion) {
                (_, Some(motion)) => Command::Table(TableAction::Move { motion, extend }),
                (Key::A, _) if modifiers.command && !extend => {
                    Command::Table(TableAction::SelectAll)
                }
                (Key::C, _) if modifiers.command && !extend => Command::Copy(CopyAction::Rows),
                (Key::Enter, _) if !modifiers.any() => Command::Table(TableAction::OpenDetails),
                (Key::Escape, _) if has_selection => Command::Table(TableAction::Clear),
                (Key::Escape, _) => {
                    leave = true;
                    return false;
                }
                (Key::ArrowLeft, _) => {
                    sideways += SIDEWAYS_STEP;
                    return false;
                }
                (Key::ArrowRight, _) => {
                    sideways -= SIDEWAYS_STEP;
                    return false;
                }
                _ => return true,
            };
            commands.push(command);
            false
        });
    });
    if sideways != 0.0 {
        ui.scroll_with_delta(egui::vec2(sideways, 0.0));
    }
    if leave {
        // Esc with nothing selected leaves the table, as in any other widget.
        ui.memory_mut(|m| m.surrender_focus(table_focus_id()));
    }
}

/// How far ← and → scroll the table sideways, in points.
const SIDEWAYS_STEP: f32 = 80.0;

/// Draws the header and the visible rows; returns how many rows fit on screen (a page) and
/// where the open filter popup hangs.
fn draw_table(
    ui: &mut egui::Ui,
    columns: &[Column],
    app: &FollowupsApp,
    focused: bool,
    scroll_to: Option<usize>,
    commands: &mut Vec<Command>,
    row_height: f32,
) -> (usize, Option<egui::Rect>) {
    let moved = columns_moved(ui, columns);
    // Where the open filter popup hangs: its column's filter button.
    let mut popup_anchor: Option<egui::Rect> = None;
    let sort = app.results.sort();
    let popup_column = app.column_filters.popup.as_ref().map(|p| p.column);
    let selection = &app.table.selection;
    let current = selection.current();
    let mut current_rect: Option<egui::Rect> = None;
    // Labels in the table must not swallow the row's clicks.
    ui.style_mut().interaction.selectable_labels = false;
    let mut builder = TableBuilder::new(ui)
        .id_salt("followups_table")
        .striped(true)
        .resizable(true)
        // Clicks only: the cells must not be focus stops of their own (the table is one).
        .sense(Sense::CLICK)
        .cell_layout(Layout::left_to_right(Align::Center))
        .min_scrolled_height(0.0)
        .auto_shrink(false);
    // A keyboard move scrolls at once, as in a spreadsheet.
    builder = builder.animate_scrolling(false);
    if moved {
        // The table keeps widths by position: give each column its own width again.
        builder.reset();
    }
    if let Some(position) = scroll_to {
        builder = builder.scroll_to_row(position, None);
    }
    for column in columns {
        builder = builder.column(
            TableColumn::initial(initial_width(*column))
                .at_least(48.0)
                .clip(true)
                .resizable(true),
        );
    }
    let body = builder
        .header(row_height + 4.0, |mut header| {
            for (index, column) in columns.iter().enumerate() {
                header.col(|ui| {
                    let cell = ui.max_rect();
                    // The filter button at the right edge, the sort label in what is left.
                    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                        let filter = super::column_filters::filter_button(ui, app, *column);
                        if filter.clicked() {
                            commands.push(Command::ToggleColumnFilter(*column));
                        }
                        if popup_column == Some(*column) {
                            popup_anchor = Some(filter.rect);
                        }
                        ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                            let arrow = sort.filter(|s| s.column == *column).map(|s| s.descending);
                            let response = header_button(ui, column.label(), arrow);
                            if response.clicked() {
                                commands.push(Command::SortBy(*column));
                            }
                            if let Some(dropped) =
                                header_reorder(ui, cell, &response, columns, index)
                            {
                                let (column, before) = dropped;
                                commands.push(Command::MoveColumn { column, before });
                            }
                        });
                    });
                });
            }
        })
        .body(|body| {
            let indices = app.results.view_indices();
            let rows = app.results.rows();
            body.rows(row_height, indices.len(), |mut row| {
                let position = row.index();
                let Some(&index) = indices.get(position) else {
                    return;
                };
                let Some(followup) = rows.get(index as usize) else {
                    return;
                };
                row.set_selected(selection.is_selected(index));
                for column in columns {
                    let (_, cell) = row.col(|ui| {
                        let text = followup.field_br_line(*column);
                        if column.kind() == ColumnKind::Int {
                            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                ui.label(text)
                            });
                        } else {
                            ui.label(text);
                        }
                    });
                    if cell.secondary_clicked() {
                        commands.push(Command::Table(TableAction::ContextClick { position }));
                    }
                    cell.context_menu(|ui| {
                        row_context_menu(
                            ui,
                            app,
                            followup,
                            index,
                            *column,
                            columns.len(),
                            commands,
                        );
                    });
                }
                let response = row.response();
                if response.clicked() {
                    let kind = ClickKind::from_modifiers(response.ctx.input(|i| i.modifiers));
                    commands.push(Command::Table(TableAction::Click { position, kind }));
                }
                if response.double_clicked() {
                    commands.push(Command::Table(TableAction::OpenDetails));
                }
                if current == Some(index) {
                    current_rect = Some(response.rect);
                }
            });
        });
    if focused && let Some(rect) = current_rect {
        // The keyboard cursor: an outline around the current row.
        let stroke = ui.visuals().selection.stroke;
        ui.painter_at(body.inner_rect)
            .rect_stroke(rect, 0.0, stroke, egui::StrokeKind::Inside);
    }
    let row_step = row_height + ui.spacing().item_spacing.y;
    // The rows wholly on screen, less one so a page keeps one row of context.
    let page_rows = ((body.inner_rect.height() / row_step).floor() as usize).saturating_sub(1);
    (page_rows, popup_anchor)
}

/// The menu of a right click on a cell: items about the selected rows and this cell.
fn row_context_menu(
    ui: &mut egui::Ui,
    app: &FollowupsApp,
    followup: &crate::api::Followup,
    row: u32,
    column: Column,
    visible_columns: usize,
    commands: &mut Vec<Command>,
) {
    copy_menu_items(ui, app, row, column, commands);
    ui.separator();
    super::column_filters::cell_menu_ui(ui, followup, row, column, visible_columns, commands);
}

/// "Copiar linhas" (the selected rows, as for Excel) and "Copiar célula" (this cell's value).
fn copy_menu_items(
    ui: &mut egui::Ui,
    app: &FollowupsApp,
    row: u32,
    column: Column,
    commands: &mut Vec<Command>,
) {
    let selected = app.table.selection.count().max(1);
    let rows_hint = format!(
        "{} com cabeçalho, para colar no Excel (Ctrl+C)",
        crate::fmt::count_br(selected, "linha selecionada", "linhas selecionadas")
    );
    if ui
        .button("Copiar linhas")
        .on_hover_text(rows_hint)
        .clicked()
    {
        commands.push(Command::Copy(CopyAction::Rows));
        ui.close();
    }
    if ui
        .button("Copiar célula")
        .on_hover_text(format!("Só o valor de «{}»", column.label()))
        .clicked()
    {
        commands.push(Command::Copy(CopyAction::Cell { row, column }));
        ui.close();
    }
}

/// A header that sorts on click, with an arrow drawn by the painter (the default fonts have no
/// arrow glyphs): up for ascending, down for descending.
pub(super) fn header_button(
    ui: &mut egui::Ui,
    label: &str,
    descending: Option<bool>,
) -> egui::Response {
    let response = ui
        .add(
            egui::Button::new(egui::RichText::new(label).strong())
                .frame(false)
                .sense(Sense::click_and_drag()),
        )
        .on_hover_text("Clique para ordenar; arraste para mover a coluna");
    if let Some(descending) = descending {
        let size = 5.0;
        let rect = response.rect;
        let center = egui::pos2(rect.right() + size + 3.0, rect.center().y);
        let color = ui.visuals().strong_text_color();
        let points = if descending {
            vec![
                center + egui::vec2(-size, -size * 0.6),
                center + egui::vec2(size, -size * 0.6),
                center + egui::vec2(0.0, size * 0.6),
            ]
        } else {
            vec![
                center + egui::vec2(-size, size * 0.6),
                center + egui::vec2(size, size * 0.6),
                center + egui::vec2(0.0, -size * 0.6),
            ]
        };
        ui.painter().add(egui::Shape::convex_polygon(
            points,
            color,
            egui::Stroke::NONE,
        ));
    }
    response
}

/// What a dragged header carries: its column.
#[derive(Clone, Copy, Debug)]
struct HeaderDrag(Column);

/// Lets the header of `columns[index]` (its label's `response`, its cell `cell`) be dragged onto another
/// header. While a header is dragged, its label follows the pointer and the header under the
/// pointer shows where it would land (a line on its left or right edge). Returns
/// `(column, before)` in the frame a header is dropped on this one at a new place (`before`
/// `None`: after the last column).
fn header_reorder(
    ui: &egui::Ui,
    cell: egui::Rect,
    response: &egui::Response,
    columns: &[Column],
    index: usize,
) -> Option<(Column, Option<Column>)> {
    let column = *columns.get(index)?;
    response.dnd_set_drag_payload(HeaderDrag(column));
    if response.dragged()
        && let Some(pointer) = ui.ctx().pointer_latest_pos()
    {
        let painter = ui.ctx().layer_painter(egui::LayerId::new(
            egui::Order::Tooltip,
            egui::Id::unique("header_drag_ghost"),
        ));
        let text = painter.layout_no_wrap(
            column.label().to_owned(),
            egui::FontId::proportional(14.0),
            ui.visuals().strong_text_color(),
        );
        let rect = egui::Rect::from_min_size(pointer + egui::vec2(12.0, 8.0), text.size())
            .expand2(egui::vec2(6.0, 3.0));
        painter.rect(
            rect,
            4.0,
            ui.visuals().window_fill,
            ui.visuals().window_stroke,
            egui::StrokeKind::Outside,
        );
        painter.galley(rect.min + egui::vec2(6.0, 3.0), text, egui::Color32::WHITE);
    }
    let dragged = egui::DragAndDrop::payload::<HeaderDrag>(ui.ctx())?.0;
    let pointer = ui.ctx().pointer_latest_pos()?;
    if !(cell.x_range().contains(pointer.x) && cell.y_range().contains(pointer.y)) {
        return None;
    }
    // Left half: before this column; right half: after it.
    let after = pointer.x > cell.center().x;
    let slot = if after { index + 1 } else { index };
    let from = columns.iter().position(|c| *c == dragged)?;
    if slot == from || slot == from + 1 {
        // Dropped where it already is.
        return None;
    }
    let edge = if after { cell.right() } else { cell.left() };
    let painter = ui.ctx().layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("header_drop_marker"),
    ));
    // A line down the whole table where the column will land, with a notch over the header.
    let color = ui.visuals().selection.stroke.color;
    let bottom = ui.ctx().content_rect().bottom();
    painter.line_segment(
        [egui::pos2(edge, cell.top()), egui::pos2(edge, bottom)],
        egui::Stroke::new(2.0, color),
    );
    painter.add(egui::Shape::convex_polygon(
        vec![
            egui::pos2(edge - 5.0, cell.top()),
            egui::pos2(edge + 5.0, cell.top()),
            egui::pos2(edge, cell.top() + 6.0),
        ],
        color,
        egui::Stroke::NONE,
    ));
    if !ui.input(|i| i.pointer.any_released()) {
        return None;
    }
    egui::DragAndDrop::clear_payload(ui.ctx());
    Some((dragged, columns.get(slot).copied()))
}

/// Whether the visible columns differ from the last frame's (a reorder, a column shown or
/// hidden); remembers them for the next frame.
fn columns_moved(ui: &egui::Ui, columns: &[Column]) -> bool {
    let id = ui.make_persistent_id("followups_table_columns");
    let previous: Option<Vec<Column>> = ui.data(|d| d.get_temp(id));
    let moved = previous.is_some_and(|previous| previous != columns);
    ui.data_mut(|d| d.insert_temp(id, columns.to_vec()));
    moved
}
