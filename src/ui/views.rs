//! The "Visões" menu (save, recall, rename and delete table layouts; "Restaurar padrão"), its
//! dialogs and the message after a save.

use egui::RichText;

use super::app::{Command, FollowupsApp, ViewDialog};
use super::widgets::error_text;
use crate::results::{SavedView, personal_filters_notice};

/// The "Visões" menu, beside "Colunas".
pub(super) fn views_menu(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    ui.menu_button("Visões", |ui| {
        if ui
            .button("Salvar visão atual…")
            .on_hover_text(
                "Guarda as colunas visíveis, a ordem, a ordenação e os filtros de coluna",
            )
            .clicked()
        {
            app.queue(Command::OpenViewDialog(ViewDialog::save()));
        }
        let names: Vec<String> = app
            .persisted
            .views
            .iter()
            .map(SavedView::name)
            .map(str::to_owned)
            .collect();
        if !names.is_empty() {
            ui.separator();
        }
        let current = app.current_view_name().map(str::to_owned);
        for name in names {
            ui.horizontal(|ui| {
                let shown = current.as_deref() == Some(name.as_str());
                // The names line up, the buttons after them.
                let button =
                    egui::Button::selectable(shown, &name).min_size(egui::vec2(180.0, 0.0));
                if ui.add(button).on_hover_text("Aplicar esta visão").clicked() {
                    app.queue(Command::ApplyView(name.clone()));
                }
                let rename = ui.small_button("Renomear…");
                named(&rename, &format!("Renomear a visão {name}"));
                if rename.clicked() {
                    app.queue(Command::OpenViewDialog(ViewDialog::rename(&name)));
                }
                let delete = ui.small_button("Excluir…");
                named(&delete, &format!("Excluir a visão {name}"));
                if delete.clicked() {
                    app.queue(Command::OpenViewDialog(ViewDialog::Delete {
                        name: name.clone(),
                    }));
                }
            });
        }
        ui.separator();
        if ui
            .button("Restaurar padrão")
            .on_hover_text(
                "Ordem original, todas as colunas, sem ordenação e sem filtros de coluna",
            )
            .clicked()
        {
            app.queue(Command::RestoreDefaultView);
        }
    });
}

/// Gives a button whose text repeats on every row ("Renomear…") a name of its own for screen
/// readers and tests.
fn named(response: &egui::Response, name: &str) {
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, name));
}

/// The message after saving a view, under the toolbar, until closed.
pub(super) fn notice_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let Some(notice) = &app.views.notice else {
        return;
    };
    let mut close = false;
    ui.horizontal_wrapped(|ui| {
        ui.label(&notice.saved);
        if let Some(left_out) = &notice.left_out {
            // At full size: the user should not miss that part of the layout was not kept.
            ui.label(RichText::new(left_out).color(ui.visuals().warn_fg_color));
        }
        close = ui.small_button("Fechar").clicked();
    });
    if close {
        app.views.notice = None;
    }
}

/// The dialog of the "Visões" menu that is open: save (asking before replacing), rename,
/// delete.
pub(super) fn views_dialog(ctx: &egui::Context, app: &mut FollowupsApp) {
    let Some(dialog) = app.views.dialog.clone() else {
        return;
    };
    let focus = std::mem::take(&mut app.views.focus_name);
    let response = egui::Modal::new(egui::Id::unique("views_dialog")).show(ctx, |ui| {
        ui.set_width(380.0);
        match dialog {
            ViewDialog::Save {
                name,
                replacing,
                error,
            } => save_dialog_ui(ui, app, name, replacing, error, focus),
            ViewDialog::Rename { from, name, error } => {
                rename_dialog_ui(ui, app, from, name, error, focus);
            }
            ViewDialog::Delete { name } => delete_dialog_ui(ui, app, &name),
        }
    });
    if response.should_close() {
        app.views.dialog = None;
    }
}

/// The name field; returns whether Enter was pressed in it.
fn name_field(ui: &mut egui::Ui, name: &mut String, focus: bool) -> bool {
    let label = ui.label("Nome da visão");
    let id = ui.make_persistent_id("view_name");
    // Enter while the field has the keyboard confirms (read before the field gives it up).
    let enter = ui.memory(|m| m.has_focus(id)) && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let response = ui
        .add(
            egui::TextEdit::singleline(name)
                .id(id)
                .hint_text("por exemplo, Cobrança por WhatsApp")
                .char_limit(crate::results::VIEW_NAME_MAX_CHARS)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    // The field takes the keyboard when the dialog opens, and whenever nothing has it (the
    // release of the click that opened the dialog may land a frame later and take it away).
    if !enter && (focus || ui.memory(|m| m.focused().is_none())) {
        response.request_focus();
    }
    enter
}

fn save_dialog_ui(
    ui: &mut egui::Ui,
    app: &mut FollowupsApp,
    mut name: String,
    replacing: Option<String>,
    error: Option<String>,
    focus: bool,
) {
    ui.heading("Salvar visão");
    ui.label(
        RichText::new("Guarda as colunas visíveis, a ordem, a ordenação e os filtros de coluna.")
            .small()
            .weak(),
    );
    ui.add_space(4.0);
    let typed_before = name.clone();
    let enter = name_field(ui, &mut name, focus);
    // A changed name is a new question: forget the replace prompt and the error.
    let (replacing, error) = if name == typed_before {
        (replacing, error)
    } else {
        (None, None)
    };
    if let Some(error) = &error {
        error_text(ui, error);
    }
    let (_, left_out) = app.current_layout().without_personal_filters();
    if let Some(notice) = personal_filters_notice(&left_out) {
        // Said before saving, in the future tense of the message shown after it.
        let before = notice
            .replace("não foi salvo", "não será salvo")
            .replace("não foram salvos", "não serão salvos");
        ui.label(
            RichText::new(before)
                .small()
                .color(ui.visuals().warn_fg_color),
        );
    }
    ui.add_space(6.0);
    let mut save = None;
    let mut cancel = false;
    if let Some(existing) = &replacing {
        ui.label(
            RichText::new(format!(
                "Já existe uma visão chamada «{existing}». Substituir?"
            ))
            .color(ui.visuals().warn_fg_color),
        );
    }
    ui.horizontal(|ui| {
        let action = if replacing.is_some() {
            "Substituir"
        } else {
            "Salvar"
        };
        if ui.button(action).clicked() || enter {
            save = Some(replacing.is_some());
        }
        cancel = ui.button("Cancelar").clicked();
    });
    if cancel {
        app.views.dialog = None;
    } else if let Some(replace) = save {
        app.queue(Command::SaveView {
            name: name.clone(),
            replace,
        });
        app.views.dialog = Some(ViewDialog::Save {
            name,
            replacing,
            error,
        });
    } else {
        app.views.dialog = Some(ViewDialog::Save {
            name,
            replacing,
            error,
        });
    }
}

fn rename_dialog_ui(
    ui: &mut egui::Ui,
    app: &mut FollowupsApp,
    from: String,
    mut name: String,
    error: Option<String>,
    focus: bool,
) {
    ui.heading("Renomear visão");
    ui.label(RichText::new(format!("Visão «{from}»")).small().weak());
    ui.add_space(4.0);
    let typed_before = name.clone();
    let enter = name_field(ui, &mut name, focus);
    let error = if name == typed_before { error } else { None };
    if let Some(error) = &error {
        error_text(ui, error);
    }
    ui.add_space(6.0);
    let mut rename = false;
    let mut cancel = false;
    ui.horizontal(|ui| {
        rename = ui.button("Renomear").clicked() || enter;
        cancel = ui.button("Cancelar").clicked();
    });
    if cancel {
        app.views.dialog = None;
        return;
    }
    if rename {
        app.queue(Command::RenameView {
            from: from.clone(),
            to: name.clone(),
        });
    }
    app.views.dialog = Some(ViewDialog::Rename { from, name, error });
}

fn delete_dialog_ui(ui: &mut egui::Ui, app: &mut FollowupsApp, name: &str) {
    ui.heading("Excluir visão");
    ui.label(format!("Excluir a visão «{name}»? A tabela não muda."));
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        if ui.button("Excluir").clicked() {
            app.queue(Command::DeleteView(name.to_owned()));
        }
        if ui.button("Cancelar").clicked() {
            app.views.dialog = None;
        }
    });
}
