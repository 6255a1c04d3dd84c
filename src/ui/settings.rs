//! The settings window: the API token (OS keyring), the connection (URL, timeout, proxy and
//! its credentials, which also go to the keyring).

use egui::RichText;

use super::app::{Command, FollowupsApp, TokenState};

/// Draws the settings window when it is open.
pub fn settings_window(ctx: &egui::Context, app: &mut FollowupsApp) {
    if !app.settings.open {
        return;
    }
    let mut open = true;
    egui::Window::new("Configurações")
        .open(&mut open)
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 80.0))
        .resizable(false)
        .collapsible(false)
        .default_width(460.0)
        .show(ctx, |ui| settings_ui(ui, app));
    if !open {
        app.settings.open = false;
        app.settings.token_text.clear();
        app.settings.show_token = false;
    }
}

fn settings_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    ui.heading("Token da API");
    let (has_token, store_name, no_keyring) = match &app.token {
        TokenState::Loading => (false, "…".to_owned(), None),
        TokenState::Ready {
            token,
            store,
            no_keyring,
        } => (token.is_some(), store.name().to_owned(), no_keyring.clone()),
    };
    ui.label(if has_token {
        format!("Há um token guardado ({store_name}).")
    } else {
        "Nenhum token guardado.".to_owned()
    });
    if let Some(problem) = no_keyring {
        ui.label(RichText::new(&problem.message).color(ui.visuals().warn_fg_color));
        if !problem.detail.is_empty() {
            egui::CollapsingHeader::new("Detalhes")
                .id_salt("keyring_problem_details")
                .show(ui, |ui| {
                    ui.label(RichText::new(&problem.detail).small().weak());
                });
        }
    }
    if app.is_demo() {
        ui.label(
            RichText::new("Na demonstração o token do simulador é usado automaticamente.")
                .small()
                .weak(),
        );
    }
    ui.horizontal(|ui| {
        let label = ui.label("Token");
        ui.add(
            egui::TextEdit::singleline(&mut app.settings.token_text)
                .id_salt("settings_token")
                .password(!app.settings.show_token)
                .hint_text(if has_token {
                    "cole um novo token para trocar"
                } else {
                    "cole aqui o token"
                })
                .desired_width(260.0),
        )
        .labelled_by(label.id);
        let toggle = if app.settings.show_token {
            "Ocultar"
        } else {
            "Mostrar"
        };
        if ui.small_button(toggle).clicked() {
            app.settings.show_token = !app.settings.show_token;
        }
    });
    ui.add_enabled_ui(!app.settings.working(), |ui| {
        ui.horizontal(|ui| {
            if ui.button("Salvar no cofre do sistema").clicked() {
                app.queue(Command::SaveToken);
            }
            if ui
                .add_enabled(has_token, egui::Button::new("Remover"))
                .clicked()
            {
                app.queue(Command::RemoveToken);
            }
            if ui.button("Testar conexão").clicked() {
                app.queue(Command::TestConnection);
            }
            if app.settings.working() {
                ui.spinner();
            }
        });
    });
    if let Some((ok, message)) = &app.settings.status {
        let color = if *ok {
            ui.visuals().strong_text_color()
        } else {
            ui.visuals().error_fg_color
        };
        ui.label(RichText::new(message).color(color));
    }

    ui.separator();
    ui.heading("Conexão");
    egui::Grid::new("connection_grid")
        .num_columns(2)
        .spacing([8.0, 6.0])
        .show(ui, |ui| {
            let label = ui.label("URL da API");
            ui.add(
                egui::TextEdit::singleline(&mut app.settings.base_url_text).desired_width(300.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Tempo limite (s)");
            ui.add(egui::DragValue::new(&mut app.settings.timeout_secs).range(5..=3600))
                .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Proxy");
            ui.add(
                egui::TextEdit::singleline(&mut app.settings.proxy_text)
                    .hint_text("http://proxy:3128 (vazio: o do sistema)")
                    .desired_width(300.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            let label = ui.label("Usuário do proxy");
            ui.add(
                egui::TextEdit::singleline(&mut app.settings.proxy_user)
                    .hint_text("vazio: proxy sem autenticação")
                    .desired_width(300.0),
            )
            .labelled_by(label.id);
            ui.end_row();
            let stored_password = app
                .proxy_credentials
                .as_ref()
                .is_some_and(|credentials| !credentials.password.is_empty());
            let label = ui.label("Senha do proxy");
            ui.add(
                egui::TextEdit::singleline(&mut app.settings.proxy_password)
                    .password(true)
                    .hint_text(if stored_password {
                        "guardada; digite para trocar"
                    } else {
                        "senha do proxy"
                    })
                    .desired_width(300.0),
            )
            .labelled_by(label.id);
            ui.end_row();
        });
    ui.horizontal(|ui| {
        if ui.button("Aplicar").clicked() {
            app.queue(Command::ApplyConnectionSettings);
        }
        if ui.button("Restaurar URL padrão").clicked() {
            app.settings.base_url_text = crate::api::DEFAULT_BASE_URL.to_owned();
        }
    });
    ui.label(
        RichText::new(
            "http:// só é aceito para este computador (localhost); use https:// para a API real. O usuário e a senha do proxy ficam no cofre de senhas do sistema, não no arquivo de configurações.",
        )
        .small()
        .weak(),
    );
}
