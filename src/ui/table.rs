//! The results table: virtualised rows, sortable headers with drawn arrows and filter
//! buttons, selection, a cell's context menu.

use egui::{Align, Layout, Sense};
use egui_extras::{Column as TableColumn, TableBuilder};

use super::app::{Command, FollowupsApp};
use crate::api::{Column, ColumnKind};

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

/// Draws the table of the current view.
pub fn table_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let columns = app.visible_columns();
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let selected = app.selected;
    let mut clicked_row: Option<u32> = None;
    let mut clicked_header: Option<Column> = None;
    let mut filters = TableFilters::default();

    // Twenty columns do not fit: scroll sideways (the table scrolls vertically by itself).
    egui::ScrollArea::horizontal()
        .id_salt("followups_table_hscroll")
        .show(ui, |ui| {
            draw_table(
                ui,
                &columns,
                app,
                &mut clicked_header,
                &mut clicked_row,
                &mut filters,
                row_height,
            );
        });
    super::column_filters::popup_ui(ui, app, filters.popup_anchor);
    for command in filters.commands {
        app.queue(command);
    }

    if let Some(column) = clicked_header {
        app.queue(Command::SortBy(column));
    }
    if let Some(index) = clicked_row {
        let toggled = (selected != Some(index)).then_some(index);
        app.queue(Command::Select(toggled));
    }
}

/// What the table's filter buttons, context menus and dragged headers asked for during
/// drawing.
#[derive(Default)]
struct TableFilters {
    /// Where the open filter popup hangs: its column's filter button.
    popup_anchor: Option<egui::Rect>,
    /// Commands of the filter buttons, the context menus and a header dropped elsewhere.
    commands: Vec<Command>,
}

fn draw_table(
    ui: &mut egui::Ui,
    columns: &[Column],
    app: &FollowupsApp,
    clicked_header: &mut Option<Column>,
    clicked_row: &mut Option<u32>,
    filters: &mut TableFilters,
    row_height: f32,
) {
    let popup_column = app.column_filters.popup.as_ref().map(|p| p.column);
    let sort = app.results.sort();
    let selected = app.selected;
    let moved = columns_moved(ui, columns);
    // Labels in the table must not swallow the row's clicks.
    ui.style_mut().interaction.selectable_labels = false;
    let mut builder = TableBuilder::new(ui)
        .id_salt("followups_table")
        .striped(true)
        .resizable(true)
        .sense(Sense::click())
        .cell_layout(Layout::left_to_right(Align::Center))
        .min_scrolled_height(0.0)
        .auto_shrink(false);
    if moved {
        // The table keeps widths by position: give each column its own width again.
        builder.reset();
    }
    for column in columns {
        builder = builder.column(
            TableColumn::initial(initial_width(*column))
                .at_least(48.0)
                .clip(true)
                .resizable(true),
        );
    }
    builder
        .header(row_height + 4.0, |mut header| {
            for (index, column) in columns.iter().enumerate() {
                header.col(|ui| {
                    // The cell's whole rect: drops land on it, whatever its contents' layout.
                    let cell = ui.max_rect();
                    // The filter button at the right edge, the sort label in what is left.
                    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                        let filter = super::column_filters::filter_button(ui, app, *column);
                        if filter.clicked() {
                            filters.commands.push(Command::ToggleColumnFilter(*column));
                        }
                        if popup_column == Some(*column) {
                            filters.popup_anchor = Some(filter.rect);
                        }
                        ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                            let arrow = sort.filter(|s| s.column == *column).map(|s| s.descending);
                            let response = header_button(ui, column.label(), arrow);
                            if response.clicked() {
                                *clicked_header = Some(*column);
                            }
                            if let Some((column, before)) =
                                header_reorder(ui, &response, cell, columns, index)
                            {
                                filters
                                    .commands
                                    .push(Command::MoveColumn { column, before });
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
                let Some(&index) = indices.get(row.index()) else {
                    return;
                };
                let Some(followup) = rows.get(index as usize) else {
                    return;
                };
                row.set_selected(selected == Some(index));
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
                    cell.context_menu(|ui| {
                        super::column_filters::cell_menu_ui(
                            ui,
                            followup,
                            index,
                            *column,
                            columns.len(),
                            &mut filters.commands,
                        );
                    });
                }
                if row.response().clicked() {
                    *clicked_row = Some(index);
                }
            });
        });
}

/// A header that sorts on click, with an arrow drawn by the painter (the default fonts have no
/// arrow glyphs): up for ascending, down for descending.
fn header_button(ui: &mut egui::Ui, label: &str, descending: Option<bool>) -> egui::Response {
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

/// Lets the header of `columns[index]` (its label's `response`, in the header cell `cell`) be
/// dragged onto another header. While a header is dragged, its label follows the pointer and the header under the
/// pointer shows where it would land (a line on its left or right edge). Returns
/// `(column, before)` in the frame a header is dropped on this one at a new place (`before`
/// `None`: after the last column).
fn header_reorder(
    ui: &egui::Ui,
    response: &egui::Response,
    cell: egui::Rect,
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
