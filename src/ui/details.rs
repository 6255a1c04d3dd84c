//! The details pane: the current row's follow-up whole, selectable and copyable.

use super::app::FollowupsApp;
use crate::api::Column;

/// Draws the follow-up of the table's current row.
pub fn details_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let Some(index) = app.table.current() else {
        return;
    };
    let Some(row) = app.results.rows().get(index as usize) else {
        return;
    };
    let row = row.clone();
    ui.horizontal(|ui| {
        ui.heading("Follow-up");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .small_button("Fechar")
                .on_hover_text("Enter ou um duplo clique na tabela abre de novo")
                .clicked()
            {
                app.persisted.show_details = false;
            }
            if ui
                .small_button("Copiar")
                .on_hover_text("Copia todos os campos como texto")
                .clicked()
            {
                let text: Vec<String> = Column::ALL
                    .iter()
                    .map(|c| format!("{}: {}", c.label(), row.field_br(*c)))
                    .collect();
                ui.ctx().copy_text(text.join("\n"));
            }
        });
    });
    ui.separator();
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("details_grid")
            .num_columns(2)
            .striped(true)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for column in Column::ALL {
                    if column == Column::Interacao {
                        continue;
                    }
                    ui.label(egui::RichText::new(column.label()).strong());
                    let mut text = row.field_br(column);
                    if text.is_empty() {
                        ui.label(egui::RichText::new("—").weak());
                    } else {
                        ui.add(
                            egui::Label::new(std::mem::take(&mut text))
                                .selectable(true)
                                .wrap(),
                        );
                    }
                    ui.end_row();
                }
            });
        ui.add_space(8.0);
        ui.label(egui::RichText::new(Column::Interacao.label()).strong());
        let mut text = row.field_br(Column::Interacao);
        ui.add(
            egui::TextEdit::multiline(&mut text.as_str())
                .desired_width(f32::INFINITY)
                .desired_rows(6),
        );
        text.clear();
    });
}
