//! What the central area shows before there are results: first-run guidance or a hint.

use egui::RichText;

use super::app::{Command, DemoState, FollowupsApp, TokenState};

/// Draws the welcome view (no token yet) or a short hint (ready to search).
pub fn welcome_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    ui.add_space(24.0);
    let has_token = app.active_token().is_some();
    ui.vertical_centered(|ui| {
        ui.set_max_width(ui.available_width().min(560.0));
        match (&app.token, &app.demo) {
            (_, DemoState::Starting(_)) => {
                ui.spinner();
                ui.label("Iniciando a demonstração…");
            }
            (TokenState::Loading, DemoState::Off) => {
                ui.spinner();
                ui.label("Abrindo o cofre de senhas do sistema…");
            }
            _ if has_token => {
                ui.heading("Pronto para consultar");
                ui.add_space(8.0);
                if app.persisted.batch_mode {
                    ui.label("Preencha o Credor, cole a lista de CPF/CNPJs à esquerda (ou arraste para cá uma planilha .xlsx, .csv ou .txt) e clique em Buscar.");
                    ui.add_space(4.0);
                    ui.label(
                        RichText::new("Cada documento é consultado com os mesmos filtros; os resultados chegam juntos nesta tabela.")
                            .weak(),
                    );
                } else {
                    ui.label("Preencha o Credor e o CPF/CNPJ do devedor à esquerda e clique em Buscar (ou tecle Enter).");
                }
                if app.is_demo() {
                    ui.add_space(6.0);
                    ui.label(
                        RichText::new("Demonstração: os dados são fictícios e vêm de um simulador neste computador.")
                            .weak(),
                    );
                }
            }
            _ => {
                ui.heading("Bem-vindo ao Follow-ups do Recuperador CRM");
                ui.add_space(8.0);
                ui.label(
                    "Este aplicativo consulta o histórico de negociações (follow-ups) de um devedor na API do Recuperador CRM, \
                     mostra tudo numa tabela que você pode ordenar e filtrar, e exporta para planilhas.",
                );
                ui.add_space(8.0);
                ui.label(
                    "Para consultar dados reais você precisa do token da API do Recuperador (peça ao administrador do sistema). \
                     Ele fica guardado no cofre de senhas do seu sistema, nunca em arquivos.",
                );
                ui.add_space(12.0);
                if ui.button(RichText::new("Configurar token").strong()).clicked() {
                    app.queue(Command::OpenSettings);
                }
                ui.add_space(6.0);
                if ui.button("Experimentar com dados de demonstração").clicked() {
                    app.queue(Command::StartDemo);
                }
            }
        }
    });
}
