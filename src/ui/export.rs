//! The export's drawing: the options window, and the export's progress (with Cancel) or its
//! result over the table. The dialog and the write are in `app/export.rs`.

use std::path::PathBuf;

use egui::RichText;

use super::app::{Command, ExportScope, FollowupsApp};
use super::widgets::app_window;
use crate::export::ExportFormat;
use crate::fmt as br;

/// The export window's option that adds the summary sheets to an Excel file.
pub const EXPORT_SUMMARY_LABEL: &str = "Incluir resumo (consultor, canal, mês)";

/// The export options window (Ctrl+S or "Exportar…").
pub fn export_window(ctx: &egui::Context, app: &mut FollowupsApp) {
    app_window(
        ctx,
        "Exportar",
        app,
        |app| &mut app.export.window_open,
        |window| window.resizable(false).default_width(420.0),
        export_ui,
    );
}

fn export_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let view = app.results.view_count();
    let total = app.results.total_count();
    ui.label("O que exportar");
    let scopes = [
        (
            ExportScope::View,
            format!(
                "A visão atual: {} linhas, filtradas e ordenadas, só as colunas visíveis, na ordem da tabela",
                br::thousands(view as u64)
            ),
        ),
        (
            ExportScope::Everything,
            format!(
                "Tudo: {} linhas, todas as colunas",
                br::thousands(total as u64)
            ),
        ),
    ];
    for (scope, text) in scopes {
        ui.radio_value(&mut app.export.scope, scope, text);
    }
    ui.add_space(6.0);
    ui.checkbox(
        &mut app.export.raw_codes,
        "Manter os códigos da API (W, P, S…) em vez dos nomes",
    );
    ui.checkbox(&mut app.persisted.export_summary, EXPORT_SUMMARY_LABEL)
        .on_hover_text(
            "Só na planilha do Excel (.xlsx): uma aba por resumo, com a tabela e um gráfico, depois da aba dos follow-ups",
        );
    ui.checkbox(
        &mut app.export.csv_comma,
        "CSV separado por vírgula, sem BOM (para outros programas; o padrão é o do Excel em português)",
    );
    ui.add_space(8.0);
    let busy = app.export.task.is_some() || app.export.choosing();
    if app.dialogs.available {
        ui.add_enabled_ui(!busy, |ui| {
            if ui
                .button(RichText::new("Escolher arquivo e exportar…").strong())
                .on_hover_text(
                    "Planilha do Excel (.xlsx), CSV (.csv) ou texto separado por tabulação (.tsv)",
                )
                .clicked()
            {
                app.queue(Command::ChooseExportFile);
            }
        });
        if app.export.choosing() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Aguardando a escolha do arquivo…");
            });
        }
    } else if let Some(path) = typed_path(
        ui,
        &mut app.export.manual_path,
        "Arquivo",
        "/home/usuario/followups.xlsx",
        busy,
    ) {
        app.queue(Command::ExportTo(path));
    }
    if let Some(message) = &app.export.error {
        ui.label(RichText::new(message).color(ui.visuals().error_fg_color));
    }
}

/// Export progress, or the last export's result, shown over the table.
/// Where a file is saved when the system has no file dialog: a warning, a labelled path field
/// and "Exportar". Returns the path once confirmed (the button, or Enter in the field).
pub(crate) fn typed_path(
    ui: &mut egui::Ui,
    path: &mut String,
    label: &str,
    hint: &str,
    busy: bool,
) -> Option<PathBuf> {
    ui.label(
        RichText::new(
            "Este sistema não tem um seletor de arquivos (portal do desktop ou zenity). Informe o caminho completo do arquivo:",
        )
        .color(ui.visuals().warn_fg_color),
    );
    let label = ui.label(label);
    let field = ui
        .add(
            egui::TextEdit::singleline(path)
                .hint_text(hint)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    // Enter in the field confirms, like the button (a single-line field loses the focus on
    // Enter).
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let ready = !busy && !path.trim().is_empty();
    let clicked = ui
        .add_enabled_ui(ready, |ui| ui.button("Exportar").clicked())
        .inner;
    (ready && (clicked || entered)).then(|| PathBuf::from(path.trim()))
}

pub fn export_status_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    if let Some(task) = &app.export.task {
        let fraction = task.progress.fraction();
        let written = task.progress.rows_written();
        let mut cancel = false;
        ui.horizontal(|ui| {
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(220.0)
                    .show_percentage(),
            );
            if task.progress.is_finishing() {
                ui.label(format!(
                    "Exportando {}… {} linhas; {}",
                    task.format.label(),
                    br::thousands(written as u64),
                    match task.format {
                        ExportFormat::Xlsx => "compactando a planilha",
                        ExportFormat::Csv | ExportFormat::Json | ExportFormat::Tsv => {
                            "gravando no disco"
                        }
                    }
                ));
            } else {
                ui.label(format!(
                    "Exportando {}… {} de {} linhas",
                    task.format.label(),
                    br::thousands(written as u64),
                    br::thousands(task.progress.total_rows() as u64)
                ));
            }
            cancel = ui.button("Cancelar exportação").clicked();
        });
        if cancel {
            app.queue(Command::CancelExport);
        }
        ui.add_space(4.0);
        return;
    }
    let Some(done) = app.export.done.clone() else {
        return;
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(&done.message).strong());
        if ui.small_button("Abrir pasta").clicked() {
            app.queue(Command::RevealExport(done.path.clone()));
        }
        if ui.small_button("Fechar").clicked() {
            app.export.done = None;
        }
    });
    ui.add_space(4.0);
}
