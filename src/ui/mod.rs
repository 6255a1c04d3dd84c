//! The desktop window (eframe/egui).
//!
//! [`app`] holds the state and the logic; the other modules only draw that state and queue
//! [`Command`]s, which the app runs at the end of the frame. Background work lives in
//! [`tasks`]-spawned threads and is applied in [`FollowupsApp::poll_tasks`].

mod agenda;
pub mod app;
mod column_filters;
mod copy;
pub mod date_picker;
mod details;
mod export;
mod filters;
mod list_panel;
mod results_area;
mod settings;
mod status;
mod summary;
mod table;
pub mod tasks;
mod views;
mod welcome;
mod widgets;

use std::time::Duration;

pub use app::{Command, FollowupsApp, LaunchOptions, Persisted, STORAGE_KEY};

/// The window title.
pub const WINDOW_TITLE: &str = "Follow-ups — Recuperador CRM";

impl eframe::App for FollowupsApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_tasks(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        draw(self, ui, Some(frame));
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.persisted);
    }

    fn on_exit(&mut self) {
        // The process ends right after: a running export must remove its temporary file first.
        self.shutdown(app::EXIT_WAIT);
    }
}

/// Draws one frame and runs what it asked for. `frame` parents native dialogs.
pub fn draw(app: &mut FollowupsApp, ui: &mut egui::Ui, frame: Option<&eframe::Frame>) {
    shortcuts(app, ui);
    egui::Panel::top("top_bar").show(ui, |ui| top_bar(app, ui));
    egui::Panel::left("filters")
        .resizable(true)
        .default_size(290.0)
        .min_size(240.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| filters::filters_ui(ui, app));
        });
    let show_details = app.persisted.show_details && app.table.current().is_some();
    if show_details {
        egui::Panel::right("details")
            .resizable(true)
            .default_size(380.0)
            .min_size(260.0)
            .show(ui, |ui| details::details_ui(ui, app));
    }
    egui::CentralPanel::default().show(ui, |ui| {
        status::banner_ui(ui, app);
        status::progress_ui(ui, app);
        list_panel::progress_ui(ui, app);
        export::export_status_ui(ui, app);
        if app.results.total_count() == 0 && !app.searching() {
            if app.last_fetch.is_some() {
                status::results_header_ui(ui, app);
                ui.add_space(16.0);
                let many = app.last_fetch.as_ref().is_some_and(|l| l.documents > 1);
                ui.vertical_centered(|ui| {
                    if many {
                        ui.label(
                            "Nenhum follow-up encontrado para estes devedores com esses filtros.",
                        );
                        ui.label(
                            egui::RichText::new("Confira o credor, a lista e o período.").weak(),
                        );
                    } else {
                        ui.label(
                            "Nenhum follow-up encontrado para este devedor com esses filtros.",
                        );
                        ui.label(
                            egui::RichText::new("Confira o credor, o documento e o período.")
                                .weak(),
                        );
                    }
                });
            } else {
                welcome::welcome_ui(ui, app);
            }
        } else {
            results_area::view_tabs_ui(ui, app);
            status::results_header_ui(ui, app);
            column_filters::chips_ui(ui, app);
            ui.separator();
            results_area::results_view_ui(ui, app);
        }
    });
    settings::settings_window(ui.ctx(), app);
    export::export_window(ui.ctx(), app);
    agenda::agenda_export_window(ui.ctx(), app);
    views::views_dialog(ui.ctx(), app);
    list_panel::failures_window(ui.ctx(), app);
    copy::confirm_copy_modal(ui.ctx(), app);
    dropped_files(app, ui);

    if let Some(started) = app.report_first_frame.take() {
        // Diagnostics only: a duration, nothing about the user's data.
        eprintln!("first frame after {} ms", started.elapsed().as_millis());
    }
    let ctx = ui.ctx().clone();
    let had_commands = app.has_commands();
    app.run_commands(&ctx, frame);
    if had_commands {
        ctx.request_repaint();
    }
    if app.busy() {
        // Progress numbers move without input events: refresh them a few times a second.
        ctx.request_repaint_after(Duration::from_millis(100));
    }
}

/// A list file dragged onto the window is imported into "Vários documentos"; while one hovers,
/// the window says what will happen.
fn dropped_files(app: &mut FollowupsApp, ui: &mut egui::Ui) {
    let (hovering, dropped) = ui.input(|i| {
        (
            !i.raw.hovered_files.is_empty(),
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path())
                .find(|p| crate::batch::is_list_file(p))
                .map(std::path::Path::to_path_buf),
        )
    });
    if hovering {
        let rect = ui.ctx().content_rect();
        let painter = ui.ctx().layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop_overlay"),
        ));
        painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "Solte para importar a lista de CPF/CNPJ (.xlsx, .csv, .txt)",
            egui::FontId::proportional(20.0),
            egui::Color32::WHITE,
        );
    }
    if let Some(path) = dropped {
        app.queue(Command::ImportList(path));
    }
}

fn shortcuts(app: &mut FollowupsApp, ui: &mut egui::Ui) {
    use egui::{Key, KeyboardShortcut, Modifiers};
    let (find, save, escape, enter) = ui.input_mut(|i| {
        (
            i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::F)),
            i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::S)),
            i.key_pressed(Key::Escape),
            i.key_pressed(Key::Enter) && i.modifiers.is_none(),
        )
    });
    results_area::view_shortcuts(ui, app);
    if find {
        app.focus_quick_filter = true;
    }
    if save {
        app.queue(Command::OpenExport);
    }
    // Esc in the table clears its selection first (see table.rs), and the question before a
    // large copy takes Esc for its Cancelar: only otherwise does Esc cancel a search.
    let table_takes_escape = table::table_has_focus(ui) && !app.table.selection.is_empty();
    let asking = app.clipboard.confirm.is_some();
    if escape && app.searching() && !table_takes_escape && !asking {
        app.queue(Command::Cancel);
    }
    // Enter searches unless a box that uses Enter itself has the focus (the quick filter,
    // the settings window, the export window, where Enter exports, the question before a
    // large copy, where Enter copies); Enter inside a filter
    // field searches (see filters.rs).
    let nothing_focused = ui.memory(|m| m.focused().is_none());
    if enter
        && nothing_focused
        && !app.settings.open
        && !app.export.window_open
        && app.views.dialog.is_none()
        && app.clipboard.confirm.is_none()
        && app.search_blocker().is_none()
    {
        app.queue_search();
    }
}

fn top_bar(app: &mut FollowupsApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.strong("Follow-ups");
        ui.label("Recuperador CRM");
        if app.is_demo() {
            widgets::badge(ui, "DEMONSTRAÇÃO", egui::Color32::from_rgb(0xB2, 0x5E, 0x00));
            if ui
                .button("Sair da demonstração")
                .on_hover_text("Volta a usar a API real com o seu token.")
                .clicked()
            {
                app.queue(Command::LeaveDemo);
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Configurações").clicked() {
                app.queue(Command::OpenSettings);
            }
            if let app::TokenState::Ready {
                no_keyring: Some(_), ..
            } = &app.token
                && !app.is_demo()
            {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "Sem cofre de senhas: o token vale só nesta sessão",
                )
                .on_hover_text("Este sistema não tem um cofre de senhas (Secret Service, Keychain, Gerenciador de Credenciais). O token fica só na memória e será pedido de novo ao reabrir o aplicativo.");
            }
        });
    });
}
