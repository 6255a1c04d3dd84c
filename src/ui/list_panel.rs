//! Batch mode's drawing: the list box with its counts and file import, the concurrency, the
//! batch's progress, the last batch's outcome and the failures window.

use std::path::PathBuf;

use egui::RichText;

use super::app::{Command, FollowupsApp, ImportedList};
use super::widgets::{app_window, error_text, ok_color};
use crate::batch::{BatchProgress, BatchStop, MAX_CONCURRENCY};
use crate::doc_id::CpfCnpj;
use crate::fmt as br;

/// How many invalid entries are listed under the box (the rest are counted).
const INVALID_SHOWN: usize = 5;

/// The list of documents, in place of the single CPF/CNPJ field.
pub fn documents_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let label = ui.label("CPF/CNPJs");
    if let Some(imported) = app.batch.imported_outside_box() {
        imported_summary_ui(ui, imported);
    } else {
        list_box_ui(ui, app, label.id);
    }
    import_row(ui, app);
    list_feedback(ui, app);

    ui.add_space(4.0);
    ui.horizontal(|ui| {
        let label = ui.label("Consultas simultâneas");
        ui.add(
            egui::DragValue::new(&mut app.persisted.batch_concurrency)
                .range(1..=MAX_CONCURRENCY)
                .speed(0.05),
        )
        .labelled_by(label.id)
        .on_hover_text(
            "Quantos documentos são consultados ao mesmo tempo (1 a 8; padrão 4). A API não publica um limite: se o servidor pedir calma (HTTP 429), o lote diminui sozinho.",
        );
    });
    ui.add_space(2.0);
}

/// In place of the box, for a file too large to edit by hand: what was imported.
fn imported_summary_ui(ui: &mut egui::Ui, imported: &ImportedList) {
    let count = imported.list.valid.len();
    let title = format!(
        "{} {} de {}",
        br::thousands(count as u64),
        if count == 1 {
            "documento importado"
        } else {
            "documentos importados"
        },
        imported.name
    );
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label(RichText::new(title).strong());
        ui.label(
            RichText::new(format!(
                "Arquivo grande ({} linhas): a lista não é mostrada para edição. «Limpar lista» ou outro arquivo a substituem.",
                br::thousands(imported.file.column_lines(imported.column) as u64)
            ))
            .small()
            .weak(),
        );
    });
}

/// The list box: pasted text, or a small file's column.
fn list_box_ui(ui: &mut egui::Ui, app: &mut FollowupsApp, label: egui::Id) {
    let list = egui::ScrollArea::vertical()
        .id_salt("batch_list_scroll")
        .max_height(170.0)
        .show(ui, |ui| {
            ui.add(
                egui::TextEdit::multiline(&mut app.batch.text)
                    .id_salt("batch_list")
                    .hint_text("Cole aqui a lista: um por linha, ou separados por ; , tabulação ou espaço (uma coluna copiada do Excel serve)")
                    .desired_rows(6)
                    .desired_width(f32::INFINITY)
                    .font(egui::TextStyle::Monospace),
            )
            .labelled_by(label)
            .on_hover_text("Ctrl+Enter busca")
        })
        .inner;
    // Enter is a new line here; Ctrl+Enter searches.
    let search = list.has_focus()
        && ui.input_mut(|i| {
            i.consume_shortcut(&egui::KeyboardShortcut::new(
                egui::Modifiers::COMMAND,
                egui::Key::Enter,
            ))
        });
    if search && app.search_blocker().is_none() {
        app.queue_search();
    }
}

/// "Importar arquivo…", "Limpar", the column picker of an imported file.
fn import_row(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let native = app.dialogs.available;
    ui.horizontal_wrapped(|ui| {
        if native {
            let import = ui
                .add_enabled(
                    !app.batch.importing(),
                    egui::Button::new("Importar arquivo…"),
                )
                .on_hover_text("Planilha do Excel (.xlsx), CSV ou texto (.txt). Você também pode arrastar o arquivo para a janela.");
            if import.clicked() {
                app.queue(Command::ChooseListFile);
            }
        }
        if (!app.batch.text.is_empty() || app.batch.imported.is_some())
            && ui.button("Limpar lista").clicked()
        {
            app.batch.clear_list();
        }
        if app.batch.importing() {
            ui.spinner();
            ui.label(RichText::new("Lendo o arquivo…").small());
        }
    });
    if !native {
        ui.label(
            RichText::new("Sem seletor de arquivos neste sistema: arraste o arquivo para a janela ou informe o caminho.")
                .small()
                .weak(),
        );
        // Right to left: the button first, the field takes exactly the width left (a fixed
        // guess of the button's width made the side panel grow a little every frame).
        let row = egui::vec2(ui.available_width(), ui.spacing().interact_size.y);
        ui.allocate_ui_with_layout(
            row,
            egui::Layout::right_to_left(egui::Align::Center),
            |ui| {
                let typed = !app.batch.import_path.trim().is_empty();
                let button = ui.add_enabled(
                    typed && !app.batch.importing(),
                    egui::Button::new("Importar"),
                );
                let field = ui.add(
                    egui::TextEdit::singleline(&mut app.batch.import_path)
                        .id_salt("batch_import_path")
                        .hint_text("/home/usuario/devedores.xlsx")
                        .desired_width(ui.available_width()),
                );
                let typed = !app.batch.import_path.trim().is_empty();
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if (button.clicked() || (enter && typed)) && !app.batch.importing() {
                    let path = PathBuf::from(app.batch.import_path.trim());
                    app.queue(Command::ImportList(path));
                }
            },
        );
    }
    if let Some(imported) = &app.batch.imported {
        let name = imported.name.clone();
        let columns = imported.file.columns.clone();
        let mut column = imported.column;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("Do arquivo {name}")).small());
            if columns.len() > 1 {
                let label = ui.label(RichText::new("coluna").small());
                egui::ComboBox::from_id_salt("batch_column")
                    .selected_text(columns.get(column).cloned().unwrap_or_default())
                    .show_ui(ui, |ui| {
                        for (index, title) in columns.iter().enumerate() {
                            ui.selectable_value(&mut column, index, title);
                        }
                    })
                    .response
                    .labelled_by(label.id);
            }
        });
        if column != imported.column {
            app.queue(Command::PickListColumn(column));
        }
    }
    if let Some(error) = &app.batch.import_error {
        error_text(ui, error);
    }
}

/// The counts under the box: valid, check-digit warnings, invalid with their lines,
/// duplicates.
fn list_feedback(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    if app.batch.text.trim().is_empty() && app.batch.imported_outside_box().is_none() {
        return;
    }
    let list = app.batch.list();
    let summary = list.summary();
    let invalid: Vec<String> = list
        .invalid
        .iter()
        .take(INVALID_SHOWN)
        .map(|entry| format!("Linha {}: «{}» — {}", entry.line, entry.text, entry.message))
        .collect();
    let more_invalid = list.invalid_count.saturating_sub(invalid.len());
    let warned = lines_text(&list.warned);
    let header = list.header.clone();

    // Green only when every entry is good; the problems have their own colours below.
    let summary = RichText::new(summary).strong();
    let summary = if invalid.is_empty() && warned.is_none() {
        summary.color(ok_color(ui))
    } else {
        summary
    };
    ui.label(summary);
    if let Some(header) = header {
        ui.label(
            RichText::new(format!("Cabeçalho «{header}» ignorado."))
                .small()
                .weak(),
        );
    }
    for line in &invalid {
        error_text(ui, line);
    }
    if more_invalid > 0 {
        error_text(
            ui,
            &format!(
                "… e mais {} inválido(s).",
                br::thousands(more_invalid as u64)
            ),
        );
    }
    if let Some(lines) = warned {
        ui.label(
            RichText::new(format!(
                "Dígito verificador não confere (serão consultados mesmo assim): {lines}."
            ))
            .color(ui.visuals().warn_fg_color)
            .small(),
        );
    }
}

/// `linhas 3, 7 e 12` (up to ten lines, then `e mais N`).
fn lines_text(lines: &[usize]) -> Option<String> {
    let (first, rest) = match lines {
        [] => return None,
        [only] => return Some(format!("linha {only}")),
        _ => lines.split_at(lines.len().min(10)),
    };
    let shown: Vec<String> = first.iter().map(ToString::to_string).collect();
    Some(if rest.is_empty() {
        let (last, init) = shown.split_last()?;
        format!("linhas {} e {last}", init.join(", "))
    } else {
        format!(
            "linhas {} e mais {}",
            shown.join(", "),
            br::thousands(rest.len() as u64)
        )
    })
}

/// The running batch's progress over the table: bar, counts, times, Cancel.
pub fn progress_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let Some(task) = &app.batch.task else {
        return;
    };
    let progress: BatchProgress = task.handle.progress();
    let title = if task.retry {
        "Nova tentativa"
    } else {
        "Consulta em lote"
    };
    let mut cancel = false;
    ui.horizontal_wrapped(|ui| {
        ui.add(
            egui::ProgressBar::new(progress.fraction())
                .desired_width(220.0)
                .show_percentage(),
        );
        ui.label(RichText::new(format!("{title}: {}", progress.label())).strong());
        ui.label(progress.time_label());
        cancel = ui
            .button("Cancelar")
            .on_hover_text("Esc — o que já chegou fica na tabela")
            .clicked();
    });
    if progress.concurrency < app.persisted.batch_concurrency.clamp(1, MAX_CONCURRENCY) {
        ui.label(
            RichText::new(format!(
                "O servidor pediu calma (HTTP 429): {} consulta(s) simultânea(s) agora.",
                progress.concurrency
            ))
            .small()
            .color(ui.visuals().warn_fg_color),
        );
    }
    if cancel {
        app.queue(Command::Cancel);
    }
    ui.add_space(4.0);
}

/// Under the search button: how the last batch went, and what to do about its failures.
pub fn last_batch_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    if app.batch.running() {
        return;
    }
    let Some(last) = &app.batch.last else {
        return;
    };
    let failed = last.failures.len();
    let not_run = last.not_run.len();
    let mut text = format!(
        "Último lote: {} de {} documentos consultados · {} follow-ups · {}",
        br::thousands(last.succeeded as u64),
        br::thousands(last.total as u64),
        br::thousands(last.rows),
        crate::fmt::duration_br(last.elapsed)
    );
    match failed {
        0 => {}
        1 => text.push_str(" · 1 falha"),
        n => text.push_str(&format!(" · {} falhas", br::thousands(n as u64))),
    }
    ui.add_space(6.0);
    ui.separator();
    ui.label(text);
    match &last.stop {
        Some(BatchStop::Cancelled) => {
            ui.label(RichText::new("Lote cancelado.").small().weak());
        }
        Some(BatchStop::Unreachable { .. }) => {
            ui.label(
                RichText::new("Lote interrompido: sem conexão com o servidor.")
                    .small()
                    .color(ui.visuals().warn_fg_color),
            );
        }
        _ => {}
    }
    if not_run > 0 {
        ui.label(
            RichText::new(format!(
                "{} documento(s) não consultado(s).",
                br::thousands(not_run as u64)
            ))
            .small()
            .color(ui.visuals().warn_fg_color),
        );
    }
    if failed == 0 && not_run == 0 {
        return;
    }
    let retry_label = if not_run == 0 {
        "Tentar novamente as falhas".to_owned()
    } else {
        format!(
            "Consultar os {} restantes",
            br::thousands((failed + not_run) as u64)
        )
    };
    let blocker = app.search_blocker_for_retry();
    ui.horizontal_wrapped(|ui| {
        if failed > 0 && ui.button(format!("Ver falhas ({failed})")).clicked() {
            app.batch.failures_open = true;
        }
        let retry = ui.add_enabled(blocker.is_none(), egui::Button::new(&retry_label));
        let retry = match &blocker {
            Some(reason) => retry.on_disabled_hover_text(reason),
            None => retry.on_hover_text(
                "Consulta de novo só esses documentos; as linhas novas entram na tabela atual.",
            ),
        };
        if retry.clicked() {
            app.queue(Command::RetryFailures);
        }
    });
}

/// The failed documents, their errors, and what to do about them.
pub fn failures_window(ctx: &egui::Context, app: &mut FollowupsApp) {
    app_window(
        ctx,
        "Documentos com falha",
        app,
        |app| &mut app.batch.failures_open,
        |window| window.default_size([560.0, 380.0]),
        failures_ui,
    );
}

fn failures_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let Some(last) = &app.batch.last else {
        return;
    };
    // The failures, then the documents never queried (as in the exported list); drawn from
    // the summary itself, a row at a time.
    let failed = last.failures.len();
    let count = failed + last.not_run.len();
    ui.label(format!(
        "{} documento(s) sem resposta. O erro de cada um, depois das novas tentativas automáticas:",
        br::thousands(count as u64)
    ));
    ui.add_space(4.0);
    let text_height = egui::TextStyle::Body.resolve(ui.style()).size + 6.0;
    let table_height = (ui.available_height() - 110.0).max(120.0);
    egui_extras::TableBuilder::new(ui)
        .id_salt("failures_table")
        .striped(true)
        .resizable(true)
        .max_scroll_height(table_height)
        .column(egui_extras::Column::initial(170.0).at_least(120.0))
        .column(egui_extras::Column::remainder().at_least(200.0))
        .header(text_height + 2.0, |mut header| {
            header.col(|ui| {
                ui.strong("Documento");
            });
            header.col(|ui| {
                ui.strong("Erro");
            });
        })
        .body(|body| {
            body.rows(text_height, count, |mut row| {
                let index = row.index();
                let (doc, message, detail) = match last.failures.get(index) {
                    Some(failure) => (&failure.doc, failure.message.as_str(), &*failure.detail),
                    None => (&last.not_run[index - failed], last.not_run_message(), ""),
                };
                row.col(|ui| {
                    ui.label(RichText::new(doc.formatted()).monospace());
                });
                row.col(|ui| {
                    let label = ui.add(egui::Label::new(message).truncate());
                    if !detail.is_empty() {
                        label.on_hover_text(format!("{message}\n\n{detail}"));
                    }
                });
            });
        });
    ui.add_space(6.0);
    let blocker = app.search_blocker_for_retry();
    ui.horizontal_wrapped(|ui| {
        let retry = ui.add_enabled(
            blocker.is_none(),
            egui::Button::new(RichText::new("Tentar novamente as falhas").strong()),
        );
        let retry = match &blocker {
            Some(reason) => retry.on_disabled_hover_text(reason),
            None => retry,
        };
        if retry.clicked() {
            app.queue(Command::RetryFailures);
        }
        if ui
            .button("Copiar documentos")
            .on_hover_text("Um por linha, para colar em outra lista")
            .clicked()
        {
            let text: Vec<String> = app
                .batch
                .unfinished()
                .iter()
                .map(CpfCnpj::formatted)
                .collect();
            ui.ctx().copy_text(text.join("\n"));
        }
        if app.dialogs.available
            && ui
                .add_enabled(
                    !app.batch.failures_saving(),
                    egui::Button::new("Exportar lista…"),
                )
                .on_hover_text("CSV para o Excel: documento e erro")
                .clicked()
        {
            app.queue(Command::ChooseFailuresFile);
        }
    });
    if !app.dialogs.available {
        ui.horizontal(|ui| {
            let label = ui.label("Exportar para");
            if app.batch.failures_path.is_empty() {
                app.batch.failures_path = app.failures_file_name();
            }
            ui.add(
                egui::TextEdit::singleline(&mut app.batch.failures_path)
                    .id_salt("failures_path")
                    .desired_width(ui.available_width() - 80.0),
            )
            .labelled_by(label.id);
            let typed = !app.batch.failures_path.trim().is_empty();
            if ui
                .add_enabled(
                    typed && !app.batch.failures_saving(),
                    egui::Button::new("Exportar"),
                )
                .clicked()
            {
                let path = PathBuf::from(app.batch.failures_path.trim());
                app.queue(Command::ExportFailuresTo(path));
            }
        });
    }
    if app.batch.failures_saving() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Exportando a lista…");
        });
    }
    if let Some((ok, message)) = &app.batch.failures_status {
        let color = if *ok {
            ok_color(ui)
        } else {
            ui.visuals().error_fg_color
        };
        ui.label(RichText::new(message).color(color));
    }
}

#[cfg(test)]
mod tests {
    use super::lines_text;

    #[test]
    fn warned_lines_read_as_portuguese() {
        assert_eq!(lines_text(&[]), None);
        assert_eq!(lines_text(&[4]).as_deref(), Some("linha 4"));
        assert_eq!(lines_text(&[3, 7]).as_deref(), Some("linhas 3 e 7"));
        assert_eq!(lines_text(&[3, 7, 12]).as_deref(), Some("linhas 3, 7 e 12"));
        let many: Vec<usize> = (1..=13).collect();
        assert_eq!(
            lines_text(&many).as_deref(),
            Some("linhas 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 e mais 3")
        );
    }
}
