//! The settings window: the API token (OS keyring), the connection (URL, timeout, proxy and
//! its credentials, which also go to the keyring).

use egui::RichText;

use super::app::{Command, FollowupsApp, ThemeChoice, TokenState};
use super::widgets::{app_window, flip_button};

/// Draws the settings window when it is open.
pub fn settings_window(ctx: &egui::Context, app: &mut FollowupsApp) {
    let closed = app_window(
        ctx,
        "Configurações",
        app,
        |app| &mut app.settings.open,
        |window| window.resizable(false).default_width(460.0),
        settings_ui,
    );
    if closed {
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
        flip_button(ui, &mut app.settings.show_token, "Ocultar", "Mostrar", true);
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
            text_row(
                ui,
                "URL da API",
                &mut app.settings.base_url_text,
                None,
                false,
            );
            let label = ui.label("Tempo limite (s)");
            ui.add(egui::DragValue::new(&mut app.settings.timeout_secs).range(5..=3600))
                .labelled_by(label.id);
            ui.end_row();
            text_row(
                ui,
                "Proxy",
                &mut app.settings.proxy_text,
                Some("http://proxy:3128 (vazio: o do sistema)"),
                false,
            );
            text_row(
                ui,
                "Usuário do proxy",
                &mut app.settings.proxy_user,
                Some("vazio: proxy sem autenticação"),
                false,
            );
            let stored_password = app
                .proxy_credentials
                .as_ref()
                .is_some_and(|credentials| !credentials.password.is_empty());
            let hint = if stored_password {
                "guardada; digite para trocar"
            } else {
                "senha do proxy"
            };
            text_row(
                ui,
                "Senha do proxy",
                &mut app.settings.proxy_password,
                Some(hint),
                true,
            );
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

    ui.separator();
    ui.heading("Aparência");
    ui.horizontal(|ui| {
        ui.label("Tema:");
        for theme in ThemeChoice::ALL {
            if ui
                .radio(app.persisted.theme == theme, theme.label())
                .clicked()
                && app.persisted.theme != theme
            {
                app.queue(Command::SetTheme(theme));
            }
        }
    });
}

/// One row of the connection grid: a label and the single-line field it names.
fn text_row(ui: &mut egui::Ui, label: &str, text: &mut String, hint: Option<&str>, password: bool) {
    let label = ui.label(label);
    let mut field = egui::TextEdit::singleline(text)
        .password(password)
        .desired_width(300.0);
    if let Some(hint) = hint {
        field = field.hint_text(hint);
    }
    ui.add(field).labelled_by(label.id);
    ui.end_row();
}
