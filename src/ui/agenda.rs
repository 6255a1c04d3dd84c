//! The "Agenda" view: the reschedules of the rows on screen in six groups (Atrasados, Hoje,
//! Próximos 7 dias, Depois, Sem data, Realizados), the reference date and the agenda's
//! filters above them, the caveat about the queried period, and the compliance table by
//! `reagendado_por`. It only draws the agenda computed by `app/agenda.rs` and queues
//! [`Command::Agenda`].
//!
//! The groups are one virtualised table: each group is a header line followed, when it is
//! expanded, by its entries, so a frame draws only the lines on screen whatever the counts.

use egui::{Align, Layout, RichText, Sense};
use egui_extras::{Column as TableColumn, TableBuilder};

use super::app::{AgendaAction, AgendaBundle, Command, FollowupsApp, GROUP_ORDER};
use super::date_picker::DatePickerButton;
use super::widgets::app_window;
use crate::analysis::agenda::{AgendaEntry, Cumprimento, EntryValue, FILTER_COLUMNS, Situacao};
use crate::api::{Column, Followup};
use crate::fmt;

/// The caveat shown above the groups: what the agenda can and cannot see.
pub const CAVEAT: &str = "A agenda vê só os reagendamentos registrados no período consultado, e só contatos dentro dele contam como realizados.";

/// The label of the button that searches again up to today.
pub const SEARCH_UNTIL_TODAY: &str = "Buscar também os follow-ups até hoje";

/// The label of the button that filters the table to the selected entry's debtor.
pub const SHOW_HISTORY: &str = "Ver histórico do devedor";

/// A group's header line: `"Atrasados (1.234)"`.
pub fn group_title(situacao: Situacao, count: usize) -> String {
    format!(
        "{} ({})",
        situacao.group_label(),
        fmt::thousands(count as u64)
    )
}

/// The name of an agenda filter's button.
fn filter_name(column: Column) -> &'static str {
    match column {
        Column::IdConsultor => "Consultor",
        Column::ReagendadoPor => "Reagendado por",
        Column::ReagendarPara => "Reagendar para",
        _ => column.label(),
    }
}

/// `"30/11/2026 14:30"`, `"30/11/2026 sem horário"` or `"sem data"`.
pub fn due_text(entry: &AgendaEntry) -> String {
    match (entry.due_date, entry.due_time) {
        (Some(date), Some(time)) => format!("{} {}", fmt::date_br(date), fmt::time_br(time)),
        (Some(date), None) => format!("{} sem horário", fmt::date_br(date)),
        (None, Some(time)) => format!("sem data {}", fmt::time_br(time)),
        (None, None) => "sem data".to_owned(),
    }
}

/// Draws the "Agenda" view.
pub fn agenda_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let mut commands = Vec::new();
    let bundle = app.agenda.current.clone();
    toolbar_ui(ui, app, bundle.as_deref(), &mut commands);
    caveat_ui(ui, app, &mut commands);
    match bundle {
        None => {
            ui.add_space(24.0);
            ui.vertical_centered(|ui| {
                ui.spinner();
                ui.label("Montando a agenda…");
            });
        }
        Some(bundle) if bundle.agenda.entries.is_empty() => {
            compliance_ui(ui, &bundle);
            ui.add_space(16.0);
            ui.vertical_centered(|ui| {
                if bundle.unfiltered > 0 {
                    ui.label("Nenhum reagendamento com estes filtros da agenda.");
                } else {
                    ui.label("Nenhum reagendamento entre os follow-ups exibidos.");
                    ui.label(
                        RichText::new("A agenda lista os follow-ups com Reagendar = Sim.").weak(),
                    );
                }
            });
        }
        Some(bundle) => {
            compliance_ui(ui, &bundle);
            ui.add_space(4.0);
            groups_ui(ui, app, &bundle, &mut commands);
        }
    }
    for command in commands {
        app.queue(command);
    }
}

/// The title of the window "Exportar agenda…" opens when this system has no native file
/// dialog (and where an agenda export's failure shows).
pub const EXPORT_WINDOW_TITLE: &str = "Exportar agenda";

/// The label of that window's path field.
pub const EXPORT_PATH_LABEL: &str = "Arquivo da agenda";

/// The "Exportar agenda" window: the typed path (no native dialog) or the dialog's button, and
/// the last failure. Writes through the same task as the dialog's choice.
pub fn agenda_export_window(ctx: &egui::Context, app: &mut FollowupsApp) {
    app_window(
        ctx,
        EXPORT_WINDOW_TITLE,
        app,
        |app| &mut app.agenda.export_window_open,
        |window| window.resizable(false).default_width(420.0),
        agenda_export_ui,
    );
}

fn agenda_export_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    ui.label(
        RichText::new(
            "A extensão escolhe o formato: .xlsx (Excel, com a aba Cumprimento), .csv ou .json.",
        )
        .weak(),
    );
    ui.add_space(6.0);
    let busy = app.export.task.is_some();
    if app.dialogs.available {
        ui.add_enabled_ui(!busy, |ui| {
            if ui
                .button(RichText::new("Escolher arquivo e exportar…").strong())
                .clicked()
            {
                app.queue(Command::Agenda(AgendaAction::ChooseExportFile));
            }
        });
    } else if let Some(path) = super::export::typed_path(
        ui,
        &mut app.agenda.manual_path,
        EXPORT_PATH_LABEL,
        "/home/usuario/agenda.xlsx",
        busy,
    ) {
        app.queue(Command::Agenda(AgendaAction::ExportTo(path)));
    }
    if let Some(message) = &app.export.error {
        ui.label(RichText::new(message).color(ui.visuals().error_fg_color));
    }
}

/// The reference date, the three filters, the selected entry's "Ver histórico do devedor"
/// and "Exportar agenda…".
fn toolbar_ui(
    ui: &mut egui::Ui,
    app: &FollowupsApp,
    bundle: Option<&AgendaBundle>,
    commands: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Data de referência:");
        let mut reference = app.agenda_reference();
        ui.strong(fmt::date_br(reference));
        let picker = ui.add(
            DatePickerButton::new(&mut reference, app.today)
                .id_salt("agenda_reference")
                .accessible_name("Data de referência"),
        );
        if picker.changed() {
            commands.push(Command::Agenda(AgendaAction::SetReference(Some(reference))));
        }
        if ui
            .add_enabled(app.agenda.reference.is_some(), egui::Button::new("Hoje"))
            .on_hover_text("Volta a data de referência para hoje")
            .clicked()
        {
            commands.push(Command::Agenda(AgendaAction::SetReference(None)));
        }
        ui.separator();
        for (position, column) in FILTER_COLUMNS.into_iter().enumerate() {
            let values = bundle.and_then(|b| b.values.get(position));
            filter_menu_ui(ui, app, column, values.map(Vec::as_slice), commands);
        }
        if app.agenda.computing() {
            ui.spinner();
        }
        ui.separator();
        let selected = selected_entry_row(app, bundle);
        if ui
            .add_enabled(selected.is_some(), egui::Button::new(SHOW_HISTORY))
            .on_hover_text(
                "Filtra a tabela pelos follow-ups do devedor do reagendamento selecionado",
            )
            .clicked()
            && let Some(row) = selected
        {
            commands.push(Command::Agenda(AgendaAction::ShowHistory(row)));
        }
        let can_export =
            bundle.is_some_and(|b| !b.agenda.entries.is_empty()) && app.export.task.is_none();
        if ui
            .add_enabled(can_export, egui::Button::new("Exportar agenda…"))
            .on_hover_text("Salva a agenda (e o cumprimento, em XLSX) em .xlsx, .csv ou .json")
            .clicked()
        {
            commands.push(Command::Agenda(AgendaAction::ChooseExportFile));
        }
    });
}

/// The table's current row when it is one of the agenda's entries (the selected entry).
fn selected_entry_row(app: &FollowupsApp, bundle: Option<&AgendaBundle>) -> Option<u32> {
    let current = app.table.current()?;
    let row = app.results.rows().get(current as usize)?;
    (bundle.is_some() && row.reagendar() == Some(crate::api::SimNao::Sim)).then_some(current)
}

/// One filter's button and its list: a checkbox per value with its count.
fn filter_menu_ui(
    ui: &mut egui::Ui,
    app: &FollowupsApp,
    column: Column,
    values: Option<&[EntryValue]>,
    commands: &mut Vec<Command>,
) {
    let filter = app.agenda.filters.get(column);
    let title = match (filter, values) {
        (Some(filter), Some(values)) => {
            let kept = values.iter().filter(|v| v.kept_by(Some(filter))).count();
            format!("{} ({kept} de {})", filter_name(column), values.len())
        }
        _ => filter_name(column).to_owned(),
    };
    let enabled = values.is_some_and(|v| !v.is_empty());
    ui.add_enabled_ui(enabled, |ui| {
        ui.menu_button(title, |ui| {
            let Some(values) = values else {
                return;
            };
            if ui
                .add_enabled(filter.is_some(), egui::Button::new("Todos"))
                .clicked()
            {
                commands.push(Command::Agenda(AgendaAction::ClearFilter(column)));
            }
            ui.separator();
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    for value in values {
                        let mut checked = value.kept_by(filter);
                        let label = format!("{} ({})", value.label, fmt::thousands(value.count));
                        if ui.checkbox(&mut checked, label).changed() {
                            commands.push(Command::Agenda(AgendaAction::ToggleValue {
                                column,
                                value: value.clone(),
                            }));
                        }
                    }
                });
        });
    });
}

/// The caveat line, "Buscar também os follow-ups até hoje" and what it (or a click) did.
fn caveat_ui(ui: &mut egui::Ui, app: &FollowupsApp, commands: &mut Vec<Command>) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(CAVEAT).weak());
        if ui
            .add_enabled(!app.searching(), egui::Button::new(SEARCH_UNTIL_TODAY))
            .on_hover_text("Busca de novo os mesmos devedores, com os mesmos filtros, com o período terminando hoje")
            .clicked()
        {
            commands.push(Command::Agenda(AgendaAction::SearchUntilToday));
        }
        if let Some(message) = &app.agenda.message {
            ui.label(RichText::new(message).italics());
        }
    });
}

/// The compliance table by `reagendado_por`, with a bar per login.
fn compliance_ui(ui: &mut egui::Ui, bundle: &AgendaBundle) {
    egui::CollapsingHeader::new("Cumprimento por reagendado por")
        .id_salt("agenda_compliance")
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("agenda_compliance_scroll")
                .max_height(150.0)
                .show(ui, |ui| {
                    egui::Grid::new("agenda_compliance_grid")
                        .striped(true)
                        .num_columns(6)
                        .spacing([16.0, 2.0])
                        .show(ui, |ui| {
                            for header in [
                                "Reagendado por",
                                "Devidos",
                                "Realizados",
                                "Atrasados",
                                "% cumprimento",
                                "",
                            ] {
                                ui.strong(header);
                            }
                            ui.end_row();
                            for line in &bundle.agenda.por_reagendado_por {
                                compliance_row(ui, line, false);
                            }
                            compliance_row(ui, &bundle.agenda.total, true);
                        });
                });
        });
}

fn compliance_row(ui: &mut egui::Ui, line: &Cumprimento, total: bool) {
    let text = |text: String| {
        if total {
            RichText::new(text).strong()
        } else {
            RichText::new(text)
        }
    };
    ui.label(text(line.grupo.clone()));
    for number in [line.devidos, line.realizados, line.atrasados] {
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            ui.label(text(fmt::thousands(number)));
        });
    }
    let pct = line.pct_cumprimento();
    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
        ui.label(text(super::summary::pct_br(pct)));
    });
    match pct {
        Some(pct) => {
            #[allow(clippy::cast_possible_truncation)]
            let fraction = (pct / 100.0).clamp(0.0, 1.0) as f32;
            ui.add(egui::ProgressBar::new(fraction).desired_width(140.0));
        }
        None => {
            ui.label("");
        }
    }
    ui.end_row();
}

/// Which line of the groups table `line` is: a group's header or one of its entries.
enum Line<'a> {
    Header(Situacao, usize),
    Entry(&'a AgendaEntry),
}

/// The line at `line` of the groups table (each group: its header, then its entries when
/// expanded). Walks the six groups: constant time per line drawn.
fn line_at<'a>(app: &FollowupsApp, bundle: &'a AgendaBundle, mut line: usize) -> Option<Line<'a>> {
    for (situacao, entries) in GROUP_ORDER.iter().zip(&bundle.groups) {
        if line == 0 {
            return Some(Line::Header(*situacao, entries.len()));
        }
        line -= 1;
        if app.persisted.agenda_groups.is_open(*situacao) {
            if line < entries.len() {
                return entries.get(line).map(Line::Entry);
            }
            line -= entries.len();
        }
    }
    None
}

/// How many lines the groups table has.
fn line_count(app: &FollowupsApp, bundle: &AgendaBundle) -> usize {
    GROUP_ORDER
        .iter()
        .zip(&bundle.groups)
        .map(|(situacao, entries)| {
            1 + if app.persisted.agenda_groups.is_open(*situacao) {
                entries.len()
            } else {
                0
            }
        })
        .sum()
}

/// The columns' titles. When a reschedule was kept (Realizados), the date it was kept is the
/// second line of "Vencimento" rather than a column of its own, empty in every other group.
const HEADERS: [&str; 5] = [
    "Vencimento",
    "Devedor",
    "Para · por",
    "Consultor",
    "Follow-up de origem",
];

/// The initial widths of every column but the last, which takes the rest: with the filter
/// panel at its default width, every column fits in a 1280-pixel window.
const WIDTHS: [f32; 4] = [170.0, 240.0, 150.0, 150.0];

/// The second line of a kept entry's "Vencimento": `"realizado em 20/11/2026"`.
pub fn kept_text(kept: chrono::NaiveDate) -> String {
    format!("realizado em {}", fmt::date_br(kept))
}

/// The groups: one virtualised table of headers and entries.
fn groups_ui(
    ui: &mut egui::Ui,
    app: &FollowupsApp,
    bundle: &AgendaBundle,
    commands: &mut Vec<Command>,
) {
    // Two lines per entry: the debtor's name over its document and creditor, the source
    // follow-up's date and channel over its text.
    let line_height = ui.text_style_height(&egui::TextStyle::Body);
    let row_height = 2.0 * line_height + 10.0;
    let lines = line_count(app, bundle);
    let current = app.table.current();
    let rows = app.results.rows();
    egui::ScrollArea::horizontal()
        .id_salt("agenda_hscroll")
        .show(ui, |ui| {
            ui.style_mut().interaction.selectable_labels = false;
            let mut builder = TableBuilder::new(ui)
                .id_salt("agenda_table")
                .striped(true)
                .resizable(true)
                .sense(Sense::CLICK)
                .cell_layout(Layout::left_to_right(Align::Center))
                .min_scrolled_height(0.0)
                .auto_shrink(false);
            for (index, width) in WIDTHS.into_iter().enumerate() {
                // The first column is not clipped: a group's title runs on over the empty
                // cells of its header line.
                builder = builder.column(
                    TableColumn::initial(width)
                        .at_least(48.0)
                        .clip(index > 0)
                        .resizable(true),
                );
            }
            builder = builder.column(TableColumn::remainder().at_least(200.0).clip(true));
            builder
                .header(line_height + 8.0, |mut header| {
                    for title in HEADERS {
                        header.col(|ui| {
                            ui.strong(title);
                        });
                    }
                })
                .body(|body| {
                    body.rows(row_height, lines, |mut row| {
                        match line_at(app, bundle, row.index()) {
                            Some(Line::Header(situacao, count)) => {
                                header_line(&mut row, app, situacao, count, commands);
                            }
                            Some(Line::Entry(entry)) => {
                                row.set_selected(current == Some(entry.row));
                                let source = rows.get(entry.row as usize);
                                entry_line(&mut row, entry, source);
                                let response = row.response();
                                if response.clicked() {
                                    commands.push(Command::Agenda(AgendaAction::Select(entry.row)));
                                }
                                response.context_menu(|ui| {
                                    if ui.button(SHOW_HISTORY).clicked() {
                                        commands.push(Command::Agenda(AgendaAction::ShowHistory(
                                            entry.row,
                                        )));
                                    }
                                    if ui.button("Selecionar na tabela").clicked() {
                                        commands
                                            .push(Command::Agenda(AgendaAction::Select(entry.row)));
                                    }
                                });
                            }
                            None => {}
                        }
                    });
                });
        });
}

/// A group's header line: an open/closed triangle, its title and count; a click toggles it.
fn header_line(
    row: &mut egui_extras::TableRow<'_, '_>,
    app: &FollowupsApp,
    situacao: Situacao,
    count: usize,
    commands: &mut Vec<Command>,
) {
    let open = app.persisted.agenda_groups.is_open(situacao);
    row.col(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), Sense::hover());
        let color = ui.visuals().strong_text_color();
        let points = if open {
            vec![
                rect.left_top() + egui::vec2(2.0, 4.0),
                rect.right_top() + egui::vec2(-2.0, 4.0),
                rect.center_bottom() + egui::vec2(0.0, -3.0),
            ]
        } else {
            vec![
                rect.left_top() + egui::vec2(4.0, 2.0),
                rect.left_bottom() + egui::vec2(4.0, -2.0),
                rect.right_center() + egui::vec2(-3.0, 0.0),
            ]
        };
        ui.painter().add(egui::Shape::convex_polygon(
            points,
            color,
            egui::Stroke::NONE,
        ));
        ui.label(RichText::new(group_title(situacao, count)).strong());
    });
    for _ in 1..HEADERS.len() {
        row.col(|_| {});
    }
    let response = row.response();
    if response.clicked() {
        commands.push(Command::Agenda(AgendaAction::ToggleGroup(situacao)));
    }
}

/// Two lines in a cell: `top` over `bottom` (weaker), each cut with "…" when too long.
fn two_lines(ui: &mut egui::Ui, top: String, bottom: String) {
    ui.vertical(|ui| {
        ui.spacing_mut().item_spacing.y = 2.0;
        ui.add(egui::Label::new(top).truncate());
        ui.add(egui::Label::new(RichText::new(bottom).weak()).truncate());
    });
}

/// An entry's line.
fn entry_line(
    row: &mut egui_extras::TableRow<'_, '_>,
    entry: &AgendaEntry,
    source: Option<&Followup>,
) {
    let field = |column: Column| source.map(|s| s.field_br(column)).unwrap_or_default();
    row.col(|ui| {
        ui.add_space(18.0);
        match entry.realizado_em {
            Some(kept) => two_lines(ui, due_text(entry), kept_text(kept)),
            None => {
                ui.label(due_text(entry));
            }
        }
    });
    row.col(|ui| {
        let credor = field(Column::NomeCredor);
        let doc = field(Column::CpfCnpj);
        let second = match (doc.is_empty(), credor.is_empty()) {
            (false, false) => format!("{doc} · {credor}"),
            (false, true) => doc,
            (true, _) => credor,
        };
        two_lines(ui, field(Column::NomeCliente), second);
    });
    row.col(|ui| {
        let by = field(Column::ReagendadoPor);
        let by = if by.is_empty() {
            String::new()
        } else {
            format!("por {by}")
        };
        two_lines(ui, field(Column::ReagendarPara), by);
    });
    row.col(|ui| {
        ui.add(egui::Label::new(field(Column::NomeConsultor)).truncate());
    });
    row.col(|ui| {
        let Some(source) = source else {
            return;
        };
        let date = source
            .data()
            .map(|d| fmt::date_br(d.date()))
            .unwrap_or_default();
        let channel = source.field_br(Column::TipoContato);
        let first = match (date.is_empty(), channel.is_empty()) {
            (false, false) => format!("{date} · {channel}"),
            (false, true) => date,
            (true, _) => channel,
        };
        two_lines(ui, first, source.field_br_line(Column::Interacao));
    });
}
