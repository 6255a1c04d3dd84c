//! The selection's line under the results header ("3 selecionadas", the copy being built with
//! its Cancelar, the last copy's outcome) and the question before a large copy.

use egui::RichText;

use super::app::{Command, CopyAction, FollowupsApp};
use crate::export::clipboard::confirm_copy_question;
use crate::fmt::count_br;

/// "3 selecionadas", then the copy in progress ("Copiando 250.000 linhas…", Cancelar) or the
/// last copy's outcome. Draws nothing when nothing is selected or copied.
pub fn selection_status_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let selected = app.table.selection.count();
    if selected > 0 {
        ui.label(RichText::new(count_br(selected, "selecionada", "selecionadas")).strong())
            .on_hover_text("Ctrl+C copia as linhas selecionadas para colar no Excel");
    }
    if let Some(rows) = app.clipboard.copying() {
        ui.spinner();
        ui.label(format!("Copiando {}…", count_br(rows, "linha", "linhas")));
        if ui.small_button("Cancelar cópia").clicked() {
            app.queue(Command::Copy(CopyAction::Cancel));
        }
    } else if let Some(message) = &app.clipboard.message {
        ui.label(RichText::new(message).weak());
    }
}

/// The question before a copy of more than 100,000 rows, in a modal: how many rows and about
/// how much text; "Copiar" (or Enter) goes ahead, "Cancelar" (or Esc) drops it.
pub fn confirm_copy_modal(ctx: &egui::Context, app: &mut FollowupsApp) {
    let Some(pending) = app.clipboard.confirm else {
        return;
    };
    let modal = egui::Modal::new(egui::Id::unique("confirm_large_copy")).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.heading("Copiar para a área de transferência");
        ui.add_space(6.0);
        ui.label(confirm_copy_question(pending.rows, pending.estimated_bytes));
        ui.label(
            RichText::new("O texto é montado em segundo plano; a janela continua respondendo.")
                .weak(),
        );
        ui.add_space(8.0);
        let mut answer = None;
        ui.horizontal(|ui| {
            if ui.button("Copiar").clicked() {
                answer = Some(CopyAction::Confirm);
            }
            if ui.button("Cancelar").clicked() {
                answer = Some(CopyAction::Dismiss);
            }
        });
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter)) {
            answer = Some(CopyAction::Confirm);
        }
        answer
    });
    let answer = modal.inner.or_else(|| {
        // Esc or a click outside.
        modal.should_close().then_some(CopyAction::Dismiss)
    });
    if let Some(answer) = answer {
        app.queue(Command::Copy(answer));
    }
}
