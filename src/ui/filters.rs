//! The filter panel: the query form, its messages, presets and the search button.

use egui::RichText;

use super::app::{Command, FollowupsApp};
use super::date_picker::DatePickerButton;
use super::widgets::{error_text, ok_color};
use crate::api::{DatePreset, FieldError, QueryField, ReagendarFiltro};
use crate::doc_id::CpfCnpj;

/// Draws the filter panel.
pub fn filters_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    ui.add_space(4.0);
    ui.heading("Consulta");
    ui.add_space(4.0);
    let errors: Vec<FieldError> = app.form().validate().err().unwrap_or_default();
    let mut enter = false;
    let id_credor_error = field_error(&errors, QueryField::IdCredor, &app.persisted.id_credor);
    let id_consultor_error = field_error(
        &errors,
        QueryField::IdConsultor,
        &app.persisted.id_consultor,
    );
    let id_evento_error = field_error(&errors, QueryField::IdEvento, &app.persisted.id_evento);
    let data_de_error = field_error(&errors, QueryField::DataDe, &app.persisted.data_de);

    enter |= text_field(
        ui,
        "Credor",
        "ID do credor (obrigatório)",
        &mut app.persisted.id_credor,
        id_credor_error,
    );

    ui.horizontal(|ui| {
        ui.selectable_value(&mut app.persisted.batch_mode, false, "Um documento")
            .on_hover_text("Consulta o histórico de um CPF/CNPJ");
        ui.selectable_value(&mut app.persisted.batch_mode, true, "Vários documentos")
            .on_hover_text("Consulta uma lista de CPF/CNPJs com os mesmos filtros, numa só tabela");
    });
    if app.persisted.batch_mode {
        super::list_panel::documents_ui(ui, app);
    } else {
        enter |= text_field(
            ui,
            "CPF/CNPJ",
            "CPF ou CNPJ do devedor (obrigatório)",
            &mut app.cpf_cnpj,
            None,
        );
        document_feedback(ui, &app.cpf_cnpj);
    }

    enter |= text_field(
        ui,
        "Consultor",
        "ID do consultor (opcional)",
        &mut app.persisted.id_consultor,
        id_consultor_error,
    );
    enter |= text_field(
        ui,
        "Evento",
        "ID do evento (opcional)",
        &mut app.persisted.id_evento,
        id_evento_error,
    );

    ui.add_space(6.0);
    ui.label("Reagendamento");
    for option in ReagendarFiltro::ALL {
        ui.radio_value(&mut app.persisted.reagendar, option, option.label());
    }

    ui.add_space(6.0);
    ui.label("Período");
    let today = app.today;
    enter |= date_field(
        ui,
        "De",
        "data_de",
        &mut app.persisted.data_de,
        today,
        data_de_error,
    );
    let ate_error = errors
        .iter()
        .find(|e| e.field == QueryField::DataAte && (!app.persisted.data_ate.trim().is_empty()))
        .map(|e| e.message.clone());
    enter |= date_field(
        ui,
        "Até",
        "data_ate",
        &mut app.persisted.data_ate,
        today,
        ate_error,
    );
    ui.horizontal_wrapped(|ui| {
        for preset in DatePreset::ALL {
            if ui.small_button(preset.label()).clicked() {
                app.queue(Command::ApplyPreset(preset));
            }
        }
    });

    ui.add_space(10.0);
    let blocker = app.search_blocker();
    ui.horizontal(|ui| {
        let search = ui.add_enabled(
            blocker.is_none(),
            egui::Button::new(RichText::new("Buscar").strong()).min_size(egui::vec2(90.0, 28.0)),
        );
        let search = match &blocker {
            Some(reason) => search.on_disabled_hover_text(reason),
            None => search.on_hover_text("Enter"),
        };
        if search.clicked() {
            app.queue_search();
        }
        if app.searching() && ui.button("Cancelar").on_hover_text("Esc").clicked() {
            app.queue(Command::Cancel);
        }
    });
    if let Some(reason) = &blocker {
        ui.label(RichText::new(reason).small().weak());
    }
    if enter && blocker.is_none() {
        app.queue_search();
    }
    if app.persisted.batch_mode {
        super::list_panel::last_batch_ui(ui, app);
    }
}

/// The message for `field`, shown once the user typed something in it.
fn field_error(errors: &[FieldError], field: QueryField, text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

/// A labelled single-line field with its message underneath. Returns whether Enter was
/// pressed in it.
fn text_field(
    ui: &mut egui::Ui,
    label: &str,
    hint: &str,
    text: &mut String,
    error: Option<String>,
) -> bool {
    let label = ui.label(label);
    let response = ui
        .add(
            egui::TextEdit::singleline(text)
                .hint_text(hint)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
    if let Some(error) = error {
        error_text(ui, &error);
    }
    ui.add_space(2.0);
    response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// Under the CPF/CNPJ: the formatted document and the state of its check digits.
fn document_feedback(ui: &mut egui::Ui, typed: &str) {
    if typed.trim().is_empty() {
        ui.add_space(2.0);
        return;
    }
    match CpfCnpj::parse(typed) {
        Ok(doc) => match doc.check_digit_warning() {
            None => {
                let ok = ok_color(ui);
                ui.label(
                    RichText::new(format!(
                        "{} {} · dígitos verificadores conferem",
                        doc.kind().name(),
                        doc.formatted()
                    ))
                    .color(ok)
                    .small(),
                );
            }
            Some(warning) => {
                ui.label(
                    RichText::new(format!("{} {}", doc.kind().name(), doc.formatted()))
                        .small()
                        .strong(),
                );
                ui.label(
                    RichText::new(warning)
                        .color(ui.visuals().warn_fg_color)
                        .small(),
                );
            }
        },
        Err(error) => error_text(ui, &error.to_string()),
    }
    ui.add_space(2.0);
}

/// A date typed as `dd/mm/aaaa`, with a calendar button beside it.
fn date_field(
    ui: &mut egui::Ui,
    label: &str,
    id_salt: &str,
    text: &mut String,
    today: chrono::NaiveDate,
    error: Option<String>,
) -> bool {
    let mut enter = false;
    ui.horizontal(|ui| {
        let label_response = ui.add_sized([28.0, 18.0], egui::Label::new(label));
        let response = ui
            .add(
                egui::TextEdit::singleline(text)
                    .id_salt(("date", id_salt))
                    .hint_text("dd/mm/aaaa")
                    .desired_width(96.0),
            )
            .labelled_by(label_response.id);
        enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        // The calendar opens on the typed date, or on today when the field is empty or wrong.
        let current = crate::api::query::parse_date(text)
            .ok()
            .flatten()
            .unwrap_or(today);
        let mut picked = current;
        let picker = ui.add(
            DatePickerButton::new(&mut picked, today)
                .id_salt(id_salt)
                .accessible_name(format!("Calendário: {label}")),
        );
        if picker.changed() {
            *text = crate::fmt::date_br(picked);
        }
        if !text.is_empty()
            && ui
                .small_button("Limpar")
                .on_hover_text("Sem data")
                .clicked()
        {
            text.clear();
        }
    });
    if let Some(error) = error {
        error_text(ui, &error);
    }
    enter
}
