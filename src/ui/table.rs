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

/// What the table's filter buttons and context menus asked for during drawing.
#[derive(Default)]
struct TableFilters {
    /// Where the open filter popup hangs: its column's filter button.
    popup_anchor: Option<egui::Rect>,
    /// Commands of the filter buttons and the context menus.
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
            for column in columns {
                header.col(|ui| {
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
                            if header_button(ui, column.label(), arrow).clicked() {
                                *clicked_header = Some(*column);
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
        .add(egui::Button::new(egui::RichText::new(label).strong()).frame(false))
        .on_hover_text("Clique para ordenar");
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
