//! What is going on: the error banner, the progress of a search, the results header with the
//! quick filter and the column chooser.

use egui::RichText;

use super::app::{Command, FollowupsApp};
use super::widgets::flip_button;
use crate::fmt as br;

/// The error banner, over the table. The previous results stay below it.
pub fn banner_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let Some(banner) = app.banner.clone() else {
        return;
    };
    let fill = if ui.visuals().dark_mode {
        egui::Color32::from_rgb(0x5A, 0x1E, 0x1E)
    } else {
        egui::Color32::from_rgb(0xFD, 0xE8, 0xE8)
    };
    egui::Frame::new()
        .fill(fill)
        .stroke(egui::Stroke::new(1.0, ui.visuals().error_fg_color))
        .corner_radius(4.0)
        .inner_margin(8)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(&banner.message).color(ui.visuals().strong_text_color()));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Min), |ui| {
                    if ui.small_button("Fechar").clicked() {
                        app.queue(Command::DismissError);
                    }
                });
            });
            if banner.token_hint && ui.button("Abrir configurações do token").clicked() {
                app.queue(Command::OpenSettings);
            }
            if !banner.detail.is_empty() {
                egui::CollapsingHeader::new("Detalhes")
                    .id_salt("banner_details")
                    .show(ui, |ui| {
                        ui.label(RichText::new(&banner.detail).monospace().small());
                    });
            }
        });
    ui.add_space(4.0);
}

/// The progress of the running search, with its Cancel button.
pub fn progress_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let Some(fetch) = &app.search.fetch else {
        return;
    };
    let now = fetch.progress.snapshot();
    let elapsed = fetch.started.elapsed();
    let mut text = format!(
        "Buscando… {} follow-ups · {} · {}",
        br::thousands(now.rows),
        br::bytes_br(now.bytes),
        br::seconds_br(elapsed)
    );
    if now.attempt > 1 {
        text.push_str(&format!(" · tentativa {}", now.attempt));
    }
    let mut cancel = false;
    ui.horizontal(|ui| {
        match now.total_bytes {
            Some(total) if total > 0 => {
                let fraction = (now.bytes as f32 / total as f32).clamp(0.0, 1.0);
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(220.0)
                        .show_percentage(),
                );
            }
            _ => {
                ui.spinner();
            }
        }
        ui.label(text);
        cancel = ui.button("Cancelar").on_hover_text("Esc").clicked();
    });
    if cancel {
        app.queue(Command::Cancel);
    }
    ui.add_space(4.0);
}

/// "12.345 follow-ups · exibindo 1.234 · buscado em 1,2 s", then a toolbar: the quick filter,
/// the column chooser, the details toggle and the export.
pub fn results_header_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    // Wrapped: the selection and the copy's outcome must not widen the panel past the window.
    ui.horizontal_wrapped(|ui| {
        let mut summary = format!(
            "{} follow-ups · exibindo {}",
            br::thousands(app.results.total_count() as u64),
            br::thousands(app.results.view_count() as u64)
        );
        if let Some(last) = &app.last_fetch {
            if last.documents > 1 {
                let documents = if last.documents_ok < last.documents {
                    format!(
                        "{} de {}",
                        br::thousands(last.documents_ok as u64),
                        br::thousands(last.documents as u64)
                    )
                } else {
                    br::thousands(last.documents as u64)
                };
                summary.push_str(&format!(
                    " · {documents} documentos consultados em {}",
                    crate::fmt::duration_br(last.elapsed)
                ));
            } else {
                summary.push_str(&format!(" · buscado em {}", br::seconds_br(last.elapsed)));
            }
        }
        if app.results.distinct_debtors() > 1 {
            summary.push_str(&format!(
                " · {} devedores",
                br::thousands(app.results.distinct_debtors() as u64)
            ));
        }
        ui.label(RichText::new(summary).strong());
        if app.view_pending() {
            ui.spinner();
        }
        super::copy::selection_status_ui(ui, app);
    });
    ui.horizontal_wrapped(|ui| {
        let search_label = ui.label("Buscar nos resultados");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut app.quick_filter)
                    .id_salt("quick_filter")
                    .hint_text("nome, CPF, texto… (Ctrl+F)")
                    .desired_width(220.0),
            )
            .labelled_by(search_label.id);
        if app.focus_quick_filter {
            response.request_focus();
            app.focus_quick_filter = false;
        }
        if response.changed() {
            app.queue(Command::QuickFilterChanged);
        }
        if !app.quick_filter.is_empty() && ui.small_button("Limpar busca").clicked() {
            app.quick_filter.clear();
            app.queue(Command::QuickFilterChanged);
        }
        ui.separator();
        columns_menu(ui, app);
        flip_button(
            ui,
            &mut app.persisted.show_details,
            "Ocultar detalhes",
            "Mostrar detalhes",
            false,
        );
        if ui
            .add_enabled(app.export.task.is_none(), egui::Button::new("Exportar…"))
            .on_hover_text("Excel ou CSV (Ctrl+S)")
            .clicked()
        {
            app.queue(Command::OpenExport);
        }
    });
    if let Some(problems) = app.last_fetch.as_ref().and_then(|l| l.problems.clone()) {
        ui.label(
            RichText::new(problems)
                .small()
                .color(ui.visuals().warn_fg_color),
        );
    }
}

fn columns_menu(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    ui.menu_button("Colunas", |ui| {
        for column in super::app::DISPLAY_ORDER {
            let mut visible = !app.persisted.hidden_columns.contains(&column);
            if ui.checkbox(&mut visible, column.label()).changed() {
                app.queue(Command::ToggleColumn(column));
            }
        }
    });
}
