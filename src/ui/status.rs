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

/// "12.345 follow-ups · buscado em 1,2 s" ("exibindo 1.234 de 12.345 follow-ups" while the
/// quick filter or a column filter hides rows), then a toolbar: the quick filter, the column
/// chooser, the details toggle and the export.
pub fn results_header_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    // Wrapped: the selection and the copy's outcome must not widen the panel past the window.
    ui.horizontal_wrapped(|ui| {
        let mut summary = count_line(app);
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
        super::views::views_menu(ui, app);
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
    super::views::notice_ui(ui, app);
    if let Some(problems) = app.last_fetch.as_ref().and_then(|l| l.problems.clone()) {
        ui.label(
            RichText::new(problems)
                .small()
                .color(ui.visuals().warn_fg_color),
        );
    }
}

/// "12.345 follow-ups", or "exibindo 1.234 de 12.345 follow-ups" while a filter (the quick
/// filter or a column filter) is in force or the view shows fewer rows than there are.
fn count_line(app: &FollowupsApp) -> String {
    let total = app.results.total_count();
    let shown = app.results.view_count();
    let spec = app.results.spec();
    let filtered = shown != total || !spec.filter.trim().is_empty() || !spec.columns.is_empty();
    if filtered {
        format!(
            "exibindo {} de {} follow-ups",
            br::thousands(shown as u64),
            br::thousands(total as u64)
        )
    } else {
        format!("{} follow-ups", br::thousands(total as u64))
    }
}

/// "Colunas": every column in the table's order, with a checkbox to show it and arrows to
/// move it up or down, and "Restaurar padrão". The menu stays open while the user works in
/// it; a click outside closes it.
fn columns_menu(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    use egui::containers::menu::{MenuButton, MenuConfig};
    let config = MenuConfig::new().close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
    MenuButton::new("Colunas").config(config).ui(ui, |ui| {
        let order = app.persisted.column_order.columns().to_vec();
        let last = order.len().saturating_sub(1);
        for (position, column) in order.into_iter().enumerate() {
            ui.horizontal(|ui| {
                ui.spacing_mut().item_spacing.x = 2.0;
                let name = column.label();
                if order_arrow(ui, &format!("Mover {name} para cima"), true, position > 0).clicked()
                {
                    app.queue(Command::MoveColumnUp(column));
                }
                if order_arrow(
                    ui,
                    &format!("Mover {name} para baixo"),
                    false,
                    position < last,
                )
                .clicked()
                {
                    app.queue(Command::MoveColumnDown(column));
                }
                ui.add_space(4.0);
                let mut visible = !app.persisted.hidden_columns.contains(&column);
                if ui.checkbox(&mut visible, name).changed() {
                    app.queue(Command::ToggleColumn(column));
                }
            });
        }
        ui.separator();
        let default =
            app.persisted.column_order.is_default() && app.persisted.hidden_columns.is_empty();
        if ui
            .add_enabled(!default, egui::Button::new("Restaurar padrão"))
            .on_hover_text("Ordem original, todas as colunas visíveis")
            .clicked()
        {
            app.queue(Command::RestoreColumns);
        }
    });
}

/// A small button with a triangle drawn by the painter (the default fonts have no arrow
/// glyphs), pointing up or down; `name` is what screen readers and tests see.
fn order_arrow(ui: &mut egui::Ui, name: &str, up: bool, enabled: bool) -> egui::Response {
    let size = egui::vec2(18.0, ui.spacing().interact_size.y);
    let sense = if enabled {
        egui::Sense::click()
    } else {
        egui::Sense::hover()
    };
    let (rect, response) = ui.allocate_exact_size(size, sense);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, name));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        if enabled && response.hovered() {
            ui.painter()
                .rect_filled(rect.shrink(1.0), 3.0, visuals.weak_bg_fill);
        }
        let color = if enabled {
            visuals.fg_stroke.color
        } else {
            ui.visuals().weak_text_color().gamma_multiply(0.5)
        };
        let c = rect.center();
        let (w, h) = (4.5, 3.0);
        let points = if up {
            vec![
                c + egui::vec2(-w, h),
                c + egui::vec2(w, h),
                c + egui::vec2(0.0, -h),
            ]
        } else {
            vec![
                c + egui::vec2(-w, -h),
                c + egui::vec2(w, -h),
                c + egui::vec2(0.0, h),
            ]
        };
        ui.painter().add(egui::Shape::convex_polygon(
            points,
            color,
            egui::Stroke::NONE,
        ));
    }
    if enabled {
        response.on_hover_text(if up {
            "Mover para cima"
        } else {
            "Mover para baixo"
        })
    } else {
        response
    }
}
