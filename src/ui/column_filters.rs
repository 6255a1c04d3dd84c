//! Column filters on screen: the filter button of each header, the filter popup fitted to the
//! column's kind, the chips of the active filters above the table, and the filter items of a
//! cell's context menu. Drawing only: changes go through [`Command`]s, except the popup's
//! draft (ticks, typed text), which is edited in place like any text field.

use egui::{Align, Layout, RichText, Sense};

use chrono::NaiveDate;

use super::app::{Command, FilterDraft, FollowupsApp, ListDraft, NumberMode};
use super::date_picker::DatePickerButton;
use crate::api::{Column, Followup};
use crate::fmt as br;
use crate::results::ColumnFilter;

/// The popup's width, in points.
const POPUP_WIDTH: f32 = 300.0;

/// The height of the popup's list, in points.
const LIST_HEIGHT: f32 = 240.0;

/// The filter button of a header cell: a funnel, filled when the column is filtered. Returns
/// its response (a click toggles the column's popup).
pub fn filter_button(ui: &mut egui::Ui, app: &FollowupsApp, column: Column) -> egui::Response {
    let active = app.column_filters.active.get(column).is_some();
    let open = app
        .column_filters
        .popup
        .as_ref()
        .is_some_and(|p| p.column == column);
    let size = egui::vec2(16.0, 16.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    response.widget_info(|| {
        let mut info = egui::WidgetInfo::labeled(
            egui::Role::Button,
            true,
            format!("Filtrar {}", column.label()),
        );
        info.selected = Some(active);
        info
    });
    if ui.is_rect_visible(rect) {
        let visuals = ui.visuals();
        let color = if active || open {
            visuals.selection.stroke.color
        } else if response.hovered() {
            visuals.strong_text_color()
        } else {
            visuals.weak_text_color()
        };
        if response.hovered() || open {
            ui.painter()
                .rect_filled(rect.expand(1.0), 3.0, visuals.widgets.hovered.weak_bg_fill);
        }
        let r = rect.shrink(2.5);
        let mid = r.top() + r.height() * 0.45;
        let funnel = vec![
            r.left_top(),
            r.right_top(),
            egui::pos2(r.center().x + 1.5, mid),
            egui::pos2(r.center().x + 1.5, r.bottom()),
            egui::pos2(r.center().x - 1.5, r.bottom() - 1.5),
            egui::pos2(r.center().x - 1.5, mid),
        ];
        let shape = if active {
            egui::Shape::convex_polygon(funnel, color, egui::Stroke::NONE)
        } else {
            egui::Shape::closed_line(funnel, egui::Stroke::new(1.2, color))
        };
        ui.painter().add(shape);
    }
    let chip = app
        .column_filters
        .chips
        .iter()
        .find(|chip| chip.column == column);
    match chip {
        Some(chip) => response.on_hover_text(format!("Filtro ativo: {}", chip.text)),
        None => response.on_hover_text("Filtrar esta coluna"),
    }
}

/// The filter popup of the open column, under its header button (`anchor`). Closes when
/// clicked outside or with Esc; closes by itself when its column is no longer drawn.
pub fn popup_ui(ui: &mut egui::Ui, app: &mut FollowupsApp, anchor: Option<egui::Rect>) {
    let Some(column) = app.column_filters.popup.as_ref().map(|p| p.column) else {
        return;
    };
    let Some(anchor) = anchor else {
        app.queue(Command::CloseColumnFilter(column));
        return;
    };
    let mut open = true;
    egui::Popup::new(
        egui::Id::unique(("column_filter_popup", column)),
        ui.ctx().clone(),
        anchor,
        ui.layer_id(),
    )
    .open_bool(&mut open)
    .close_behavior(if super::date_picker::calendar_was_open(ui.ctx()) {
        // A click in the date range's calendar is not a click away from the filter.
        egui::PopupCloseBehavior::IgnoreClicks
    } else {
        egui::PopupCloseBehavior::CloseOnClickOutside
    })
    .width(POPUP_WIDTH)
    .accessible_name(format!("Filtro de {}", column.label()))
    .show(|ui| {
        ui.set_width(POPUP_WIDTH);
        popup_contents(ui, app, column);
    });
    if !open {
        app.queue(Command::CloseColumnFilter(column));
    }
}

fn popup_contents(ui: &mut egui::Ui, app: &mut FollowupsApp, column: Column) {
    ui.strong(format!("Filtrar «{}»", column.label()));
    ui.add_space(4.0);
    let active = app.column_filters.active.get(column).is_some();
    let list_pending = app.column_filters.list_pending();
    let today = app.today;
    let mut commands = Vec::new();
    let mut enter = false;
    let blocker: Option<String> = {
        let Some(popup) = app.column_filters.popup.as_mut() else {
            return;
        };
        let focus = &mut popup.focus_pending;
        match &mut popup.draft {
            FilterDraft::List(list) => {
                enter |= list_ui(ui, list, list_pending, focus, &mut commands);
                list.blocker().map(str::to_owned)
            }
            FilterDraft::Numbers {
                mode,
                list,
                from,
                to,
            } => {
                ui.horizontal(|ui| {
                    ui.radio_value(mode, NumberMode::Values, "Valores");
                    ui.radio_value(mode, NumberMode::Range, "Intervalo");
                });
                ui.add_space(2.0);
                match mode {
                    NumberMode::Values => {
                        enter |= list_ui(ui, list, list_pending, focus, &mut commands);
                        list.blocker().map(str::to_owned)
                    }
                    NumberMode::Range => {
                        enter |= typed_field(ui, "Mínimo", "ex.: 1000", from, focus);
                        enter |= typed_field(ui, "Máximo", "ex.: 2000", to, &mut false);
                        None
                    }
                }
            }
            FilterDraft::Dates { from, to } => {
                enter |= date_field(ui, "Data inicial", from, today, focus);
                enter |= date_field(ui, "Data final", to, today, &mut false);
                ui.label(
                    RichText::new("Deixe um dos lados vazio para não limitar.")
                        .small()
                        .weak(),
                );
                None
            }
            FilterDraft::Contains { text } => {
                enter |= typed_field(ui, "Contém", "texto procurado", text, focus);
                ui.label(
                    RichText::new("Ignora maiúsculas e acentos, como a busca nos resultados.")
                        .small()
                        .weak(),
                );
                None
            }
        }
    };
    // A typed draft explains what is wrong with it.
    let typed_error = app
        .column_filters
        .popup
        .as_ref()
        .and_then(|p| p.draft.typed_filter().err());
    if let Some(error) = &typed_error {
        ui.label(
            RichText::new(error)
                .small()
                .color(ui.visuals().error_fg_color),
        );
    }
    let blocker = blocker.or(typed_error);
    ui.separator();
    ui.horizontal(|ui| {
        let ok = ui.add_enabled(
            blocker.is_none(),
            egui::Button::new(RichText::new("OK").strong()),
        );
        let ok = match &blocker {
            Some(reason) => ok.on_disabled_hover_text(reason),
            None => ok.on_hover_text("Aplicar o filtro (Enter)"),
        };
        if ok.clicked() || (enter && blocker.is_none()) {
            commands.push(Command::ApplyColumnFilter);
        }
        if ui.button("Cancelar").on_hover_text("Esc").clicked() {
            commands.push(Command::CloseColumnFilter(column));
        }
        if active
            && ui
                .button("Remover filtro")
                .on_hover_text("Mostrar todos os valores desta coluna")
                .clicked()
        {
            commands.push(Command::RemoveColumnFilter(column));
        }
    });
    for command in commands {
        app.queue(command);
    }
}

/// A labelled one-line field of the popup, taking the focus when `focus` is set (then
/// cleared). Returns whether Enter was pressed in it.
fn typed_field(
    ui: &mut egui::Ui,
    label: &str,
    hint: &str,
    text: &mut String,
    focus: &mut bool,
) -> bool {
    let mut enter = false;
    ui.horizontal(|ui| {
        let label = ui.add_sized([80.0, 18.0], egui::Label::new(label));
        let response = ui
            .add(
                egui::TextEdit::singleline(text)
                    .id_salt(("column_filter_field", label.id))
                    .hint_text(hint)
                    .desired_width(150.0),
            )
            .labelled_by(label.id);
        if std::mem::take(focus) {
            response.request_focus();
        }
        enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    });
    enter
}

/// A typed `dd/mm/aaaa` field (focused once, when `focus` is set) with the Portuguese calendar
/// beside it; whether Enter was pressed in the field.
fn date_field(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut String,
    today: NaiveDate,
    focus: &mut bool,
) -> bool {
    let mut enter = false;
    ui.horizontal(|ui| {
        let label_response = ui.add_sized([80.0, 18.0], egui::Label::new(label));
        let response = ui
            .add(
                egui::TextEdit::singleline(text)
                    .id_salt(("column_filter_field", label_response.id))
                    .hint_text("dd/mm/aaaa")
                    .desired_width(120.0),
            )
            .labelled_by(label_response.id);
        if std::mem::take(focus) {
            response.request_focus();
        }
        enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        // The calendar opens on the typed date, or on today when the field is empty or wrong.
        let mut picked = crate::api::query::parse_date(text)
            .ok()
            .flatten()
            .unwrap_or(today);
        let picker = ui.add(
            DatePickerButton::new(&mut picked, today)
                .id_salt(("column_filter_calendar", label_response.id))
                .accessible_name(format!("Calendário: {label}")),
        );
        if picker.changed() {
            *text = crate::fmt::date_br(picked);
        }
    });
    enter
}

/// The checklist: a search box (focused once, when `focus` is set), "Selecionar todos" /
/// "Limpar", the values with their counts. Returns whether Enter was pressed in the search box.
fn list_ui(
    ui: &mut egui::Ui,
    list: &mut ListDraft,
    pending: bool,
    focus: &mut bool,
    commands: &mut Vec<Command>,
) -> bool {
    let Some(values) = list.values.clone() else {
        ui.horizontal(|ui| {
            if pending {
                ui.spinner();
            }
            ui.label("Calculando os valores…");
        });
        return false;
    };
    let search = ui
        .horizontal(|ui| {
            let label = ui.label("Pesquisar");
            ui.add(
                egui::TextEdit::singleline(&mut list.search)
                    .id_salt("column_filter_search")
                    .hint_text("valor da lista")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id)
        })
        .inner;
    if std::mem::take(focus) {
        search.request_focus();
    }
    if search.changed() {
        commands.push(Command::ColumnFilterSearchChanged);
    }
    let enter = search.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.horizontal(|ui| {
        if ui
            .small_button("Selecionar todos")
            .on_hover_text("Marcar todos os valores mostrados")
            .clicked()
        {
            list.set_all_shown(true);
        }
        if ui
            .small_button("Limpar")
            .on_hover_text("Desmarcar todos os valores mostrados")
            .clicked()
        {
            list.set_all_shown(false);
        }
    });
    let Some(shown) = list.shown.clone() else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Pesquisando…");
        });
        return enter;
    };
    if shown.is_empty() {
        ui.label(RichText::new("Nenhum valor corresponde à pesquisa.").weak());
    }
    let row_height = ui.spacing().interact_size.y;
    egui::ScrollArea::vertical()
        .id_salt("column_filter_list")
        .max_height(LIST_HEIGHT)
        .auto_shrink([false, true])
        .show_rows(ui, row_height, shown.len(), |ui, range| {
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
            for &position in shown.get(range).unwrap_or(&[]) {
                let Some(value) = values.values.get(position as usize) else {
                    continue;
                };
                ui.horizontal(|ui| {
                    ui.set_height(row_height);
                    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                        ui.label(RichText::new(br::thousands(value.count as u64)).weak());
                        ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                            let mut checked = list.is_checked(position);
                            if ui.checkbox(&mut checked, value.label().as_ref()).changed() {
                                list.set_checked(position, checked);
                            }
                        });
                    });
                });
            }
        });
    let mut footer = format!(
        "{} · {} follow-ups",
        br::count_br(values.values.len(), "valor", "valores"),
        br::thousands(values.rows as u64)
    );
    if list.search.trim().is_empty() {
        footer.push_str(&format!(
            " · {} marcados",
            br::thousands(list.checked_count as u64)
        ));
    } else {
        footer.push_str(" · OK aplica os valores marcados da pesquisa");
    }
    ui.label(RichText::new(footer).small().weak());
    enter
}

/// The chips of the active filters above the table ("Tipo de contato: SMS, WhatsApp ×"), and
/// "Limpar filtros" when there are several. Says so when the filters leave no row.
pub fn chips_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    if app.column_filters.chips.is_empty() && !app.column_filters.applying() {
        return;
    }
    let mut commands = Vec::new();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Filtros:").weak());
        for chip in &app.column_filters.chips {
            let fill = ui.visuals().selection.bg_fill.gamma_multiply(0.35);
            egui::Frame::new()
                .fill(fill)
                .corner_radius(10.0)
                .inner_margin(egui::Margin::symmetric(8, 2))
                .show(ui, |ui| {
                    ui.spacing_mut().item_spacing.x = 4.0;
                    let text = ui
                        .add(
                            egui::Label::new(&chip.text)
                                .truncate()
                                .sense(Sense::click()),
                        )
                        .on_hover_text("Clique para alterar este filtro");
                    if text.clicked() {
                        commands.push(Command::ToggleColumnFilter(chip.column));
                    }
                    let remove = ui.add(egui::Button::new("×").frame(false).small());
                    remove.widget_info(|| {
                        egui::WidgetInfo::labeled(
                            egui::Role::Button,
                            true,
                            format!("Remover filtro {}", chip.column.label()),
                        )
                    });
                    if remove.on_hover_text("Remover este filtro").clicked() {
                        commands.push(Command::RemoveColumnFilter(chip.column));
                    }
                });
        }
        if app.column_filters.applying() {
            ui.spinner();
        }
        if app.column_filters.chips.len() > 1 && ui.small_button("Limpar filtros").clicked() {
            commands.push(Command::ClearColumnFilters);
        }
    });
    if app.results.view_count() == 0 && app.results.total_count() > 0 && !app.view_pending() {
        ui.label(
            RichText::new("Nenhum follow-up passa por todos os filtros.")
                .color(ui.visuals().warn_fg_color),
        );
    }
    for command in commands {
        app.queue(command);
    }
}

/// The filter items of a cell's context menu: "Filtrar por este valor" (the cell's value;
/// disabled for free text and blank dates) and "Ocultar esta coluna" (disabled for the last
/// visible column).
pub fn cell_menu_ui(
    ui: &mut egui::Ui,
    row: &Followup,
    row_index: u32,
    column: Column,
    visible_columns: usize,
    commands: &mut Vec<Command>,
) {
    let filter = ColumnFilter::for_cell(row, column);
    let item = ui.add_enabled(
        filter.is_some(),
        egui::Button::new("Filtrar por este valor"),
    );
    let item = match &filter {
        Some(filter) => item.on_hover_text(super::app::chip_for(column, filter).text),
        None if column == Column::Interacao => item
            .on_disabled_hover_text("Texto livre: use o filtro «contém» no cabeçalho da coluna."),
        None => item.on_disabled_hover_text("Esta linha não tem data nesta coluna."),
    };
    if item.clicked() {
        commands.push(Command::FilterByCell {
            row: row_index,
            column,
        });
        ui.close();
    }
    let hide = ui
        .add_enabled(
            visible_columns > 1,
            egui::Button::new("Ocultar esta coluna"),
        )
        .on_hover_text(format!(
            "Ocultar «{}» (Colunas mostra de novo)",
            column.label()
        ));
    if hide.clicked() {
        commands.push(Command::HideColumn(column));
        ui.close();
    }
}
