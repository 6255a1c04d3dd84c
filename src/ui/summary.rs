//! The "Resumo" view: the rows on screen grouped by one dimension ("Agrupar por"), three
//! charts (follow-ups over time, the channel mix, the top 15 groups) and the group table
//! with its total. It only draws the summaries computed by `app/summary.rs` and queues
//! [`Command::Summary`]; a click on a group or a bar shows that group's rows in the table.

use egui::{Align, Color32, Layout, RichText, Sense};
use egui_extras::{Column as TableColumn, TableBuilder};
use egui_plot::{AxisHints, Bar, BarChart, GridMark, Plot, PlotPoint, PlotResponse};

use super::app::{Command, FollowupsApp, SummaryAction, SummaryBundle, SummarySource};
use crate::analysis::summary::{Counts, Dimension, Group, Summary, SummaryCell, SummaryColumn};
use crate::fmt;

/// The charts' height, in points.
const CHART_HEIGHT: f32 = 230.0;

/// The time chart shows at most this many periods (the latest): a span of centuries by month
/// would otherwise draw thousands of bars a frame.
pub const CHART_PERIODS_MAX: usize = 400;

/// Names on the charts' axes are cut to this many characters.
const AXIS_NAME_CHARS: usize = 22;

/// The colours of the charts, picked per theme so both read well.
struct Palette {
    produtivos: Color32,
    improdutivos: Color32,
    outros: Color32,
    canal: Color32,
}

fn palette(visuals: &egui::Visuals) -> Palette {
    if visuals.dark_mode {
        Palette {
            produtivos: Color32::from_rgb(0x5C, 0xB8, 0x6A),
            improdutivos: Color32::from_rgb(0xE8, 0x6A, 0x5F),
            outros: Color32::from_rgb(0x8E, 0x96, 0xA3),
            canal: Color32::from_rgb(0x64, 0xA8, 0xF0),
        }
    } else {
        Palette {
            produtivos: Color32::from_rgb(0x2E, 0x7D, 0x32),
            improdutivos: Color32::from_rgb(0xC6, 0x28, 0x28),
            outros: Color32::from_rgb(0x9A, 0xA0, 0xA8),
            canal: Color32::from_rgb(0x15, 0x65, 0xC0),
        }
    }
}

/// `73,4 %`, or `—` without productive or unproductive rows.
pub fn pct_br(value: Option<f64>) -> String {
    match value {
        Some(value) => format!("{value:.1} %").replace('.', ","),
        None => "—".to_owned(),
    }
}

/// A cell of the group table as text.
pub fn cell_text(cell: &SummaryCell) -> String {
    match cell {
        SummaryCell::Text(text) => text.clone(),
        SummaryCell::Int(value) => fmt::thousands(*value),
        SummaryCell::Pct(value) => pct_br(*value),
        SummaryCell::Date(Some(date)) => fmt::date_br(*date),
        SummaryCell::Date(None) | SummaryCell::Empty => String::new(),
    }
}

/// Whether a cell reads right-aligned (numbers).
fn right_aligned(cell: &SummaryCell) -> bool {
    matches!(cell, SummaryCell::Int(_) | SummaryCell::Pct(_))
}

/// Draws the "Resumo" view.
pub fn summary_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    let mut commands = Vec::new();
    toolbar_ui(ui, app, &mut commands);
    let Some(bundle) = app.summary.current.clone() else {
        ui.add_space(24.0);
        ui.vertical_centered(|ui| {
            ui.spinner();
            ui.label("Calculando o resumo…");
        });
        for command in commands {
            app.queue(command);
        }
        return;
    };
    ui.add_space(4.0);
    charts_ui(ui, &bundle, &mut commands);
    ui.add_space(6.0);
    group_table_ui(ui, app, &bundle, &mut commands);
    for command in commands {
        app.queue(command);
    }
}

/// "Agrupar por", the line saying what is summarized, and "Copiar".
fn toolbar_ui(ui: &mut egui::Ui, app: &FollowupsApp, commands: &mut Vec<Command>) {
    let dimension = app.summary_dimension();
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Agrupar por");
        let mut chosen = dimension;
        egui::ComboBox::from_id_salt("summary_by")
            .selected_text(dimension.label())
            .show_ui(ui, |ui| {
                for option in Dimension::ALL {
                    ui.selectable_value(&mut chosen, option, option.label());
                }
            })
            .response
            .labelled_by(label.id);
        if chosen != dimension {
            commands.push(Command::Summary(SummaryAction::GroupBy(chosen)));
        }
        ui.separator();
        let shown = app
            .summary
            .current
            .as_ref()
            .map_or(app.results.view_count() as u64, |b| {
                b.groups.total.follow_ups
            });
        ui.label(
            RichText::new(format!(
                "Resumo de {} follow-ups exibidos",
                fmt::thousands(shown)
            ))
            .strong(),
        )
        .on_hover_text("Com a busca nos resultados e os filtros de coluna aplicados.");
        if app.summary.computing() || app.summary.sorting() {
            ui.spinner();
        }
        ui.separator();
        if ui
            .add_enabled(app.summary.current.is_some(), egui::Button::new("Copiar"))
            .on_hover_text("A tabela do resumo com cabeçalho e total, para colar no Excel")
            .clicked()
        {
            commands.push(Command::Summary(SummaryAction::Copy));
        }
        if let Some(message) = &app.summary.message {
            ui.label(RichText::new(message).weak());
        }
    });
}

/// The three charts side by side.
fn charts_ui(ui: &mut egui::Ui, bundle: &SummaryBundle, commands: &mut Vec<Command>) {
    let colors = palette(ui.visuals());
    let spacing = ui.spacing().item_spacing.x;
    let width = (ui.available_width() - 2.0 * spacing).max(300.0);
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            ui.set_width(width * 0.40);
            time_chart_ui(ui, bundle.time.as_ref(), &colors, commands);
        });
        ui.vertical(|ui| {
            ui.set_width(width * 0.26);
            channel_chart_ui(ui, &bundle.channels, &colors, commands);
        });
        ui.vertical(|ui| {
            ui.set_width(width * 0.34);
            top_chart_ui(ui, bundle, &colors, commands);
        });
    });
}

/// The tooltip of a group's bar: its name and exact numbers, its share of `total`.
fn bar_tooltip(label: &str, counts: &Counts, total: u64) -> String {
    let share = (total > 0).then(|| {
        let pct = counts.follow_ups as f64 / total as f64 * 100.0;
        (pct * 10.0).round() / 10.0
    });
    format!(
        "{label}\n{} follow-ups ({} do total)\nProdutivos: {}\nImprodutivos: {}\nOutros: {}\n% produtivos: {}\nDevedores: {}",
        fmt::thousands(counts.follow_ups),
        pct_br(share),
        fmt::thousands(counts.produtivos),
        fmt::thousands(counts.improdutivos),
        fmt::thousands(counts.outros()),
        pct_br(counts.pct_produtivos()),
        fmt::thousands(counts.devedores),
    )
}

/// `name`, cut with "…" past [`AXIS_NAME_CHARS`] characters.
fn short_name(name: &str) -> String {
    if name.chars().count() <= AXIS_NAME_CHARS {
        name.to_owned()
    } else {
        let mut cut: String = name.chars().take(AXIS_NAME_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// The label of an axis mark at a whole position among `names` (others are blank).
fn mark_name(names: &[String], value: f64) -> String {
    let rounded = value.round();
    if (value - rounded).abs() > 1e-6 || rounded < 0.0 {
        return String::new();
    }
    names.get(rounded as usize).cloned().unwrap_or_default()
}

/// A count on a value axis: whole numbers with thousands separators.
fn count_mark(mark: GridMark) -> String {
    let rounded = mark.value.round();
    if (mark.value - rounded).abs() > 1e-6 || rounded < 0.0 {
        String::new()
    } else {
        fmt::thousands(rounded as i64)
    }
}

/// The count axis of a horizontal bar chart: counts with thousands separators, labels closer
/// together than egui_plot's default for x (a narrow chart otherwise labels only the 0).
fn count_axis<'a>() -> AxisHints<'a> {
    AxisHints::new_x()
        .formatter(|mark, _| count_mark(mark))
        .label_spacing(32.0..=48.0)
}

/// The name axis of a horizontal bar chart: one name per bar, at full strength (egui_plot
/// fades labels closer than 30 points, and the bars are about 22 apart).
fn name_axis<'a>(names: &'a [String]) -> AxisHints<'a> {
    AxisHints::new_y()
        .formatter(move |mark, _| mark_name(names, mark.value))
        .label_spacing(10.0..=14.0)
}

/// The stacked bars of groups at positions `0..`: produtivos, improdutivos, outros.
fn stacked_bars(
    groups: &[&Group],
    horizontal: bool,
    colors: &Palette,
    argument: impl Fn(usize) -> f64,
) -> [BarChart; 3] {
    let mut series: [Vec<Bar>; 3] = Default::default();
    for (position, group) in groups.iter().enumerate() {
        let counts = &group.counts;
        let x = argument(position);
        let p = counts.produtivos as f64;
        let i = counts.improdutivos as f64;
        let o = counts.outros() as f64;
        let fills = [colors.produtivos, colors.improdutivos, colors.outros];
        for (k, (value, base)) in [(p, 0.0), (i, p), (o, p + i)].into_iter().enumerate() {
            let mut bar = Bar::new(x, value)
                .base_offset(base)
                .width(0.7)
                .fill(fills[k]);
            if horizontal {
                bar = bar.horizontal();
            }
            series[k].push(bar);
        }
    }
    let [p, i, o] = series;
    let names = ["Produtivos", "Improdutivos", "Outros"];
    let fills = [colors.produtivos, colors.improdutivos, colors.outros];
    let mut charts = [p, i, o].into_iter().enumerate().map(|(k, bars)| {
        let chart = BarChart::new(names[k], bars).color(fills[k]);
        if horizontal {
            chart.horizontal()
        } else {
            chart
        }
    });
    // Three items always come out of three series.
    let p = charts
        .next()
        .unwrap_or_else(|| BarChart::new("Produtivos", Vec::new()));
    let i = charts
        .next()
        .unwrap_or_else(|| BarChart::new("Improdutivos", Vec::new()));
    let o = charts
        .next()
        .unwrap_or_else(|| BarChart::new("Outros", Vec::new()));
    [p, i, o]
}

/// A plot without zoom, drag or egui_plot's own hover text (the charts show a tooltip of their
/// own, see [`bar_at`]): they are read and clicked, not explored.
fn still_plot(id: &str, height: f32) -> Plot<'_> {
    Plot::new(id)
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .show_y(false)
}

/// The bar under `point`, among bars at whole positions of the argument axis (x, or y for
/// horizontal bars) whose lengths are `lengths`.
fn bar_at(point: PlotPoint, horizontal: bool, lengths: &[f64]) -> Option<usize> {
    let (argument, value) = if horizontal {
        (point.y, point.x)
    } else {
        (point.x, point.y)
    };
    if !argument.is_finite() || !value.is_finite() {
        return None;
    }
    let position = argument.round();
    if (argument - position).abs() > 0.4 || position < 0.0 {
        return None;
    }
    let position = position as usize;
    let length = *lengths.get(position)?;
    (value >= 0.0 && value <= length.max(0.0)).then_some(position)
}

/// The bars of a chart, for its tooltip and its clicks.
struct BarTarget<'a> {
    /// Whether the bars lie along the x axis (their positions on y).
    horizontal: bool,
    /// Each bar's length, by position.
    lengths: &'a [f64],
    /// The follow-ups the shares in the tooltip are of.
    total: u64,
    /// The summary the groups belong to.
    source: SummarySource,
}

/// The tooltip of the bar under the pointer, and a click on it showing its group's rows.
/// `group_at` maps a bar's position to its group and the group's position in its summary.
fn bar_interaction<'g>(
    response: PlotResponse<Option<PlotPoint>>,
    target: &BarTarget<'_>,
    group_at: impl Fn(usize) -> Option<(usize, &'g Group)>,
    commands: &mut Vec<Command>,
) {
    let Some(point) = response.inner else {
        return;
    };
    let Some((position, group)) =
        bar_at(point, target.horizontal, target.lengths).and_then(group_at)
    else {
        return;
    };
    let plot = response.response;
    if plot.clicked() {
        commands.push(Command::Summary(SummaryAction::ShowGroup {
            source: target.source,
            group: position,
        }));
    }
    plot.on_hover_text_at_pointer(bar_tooltip(&group.label, &group.counts, target.total));
}

/// A key of the stacked bars' colours, beside a chart's title.
fn stack_key(ui: &mut egui::Ui, colors: &Palette) {
    for (color, name) in [
        (colors.produtivos, "Produtivos"),
        (colors.improdutivos, "Improdutivos"),
        (colors.outros, "Outros"),
    ] {
        let size = egui::vec2(10.0, 10.0);
        let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
        ui.painter().rect_filled(rect, 2.0, color);
        ui.label(RichText::new(name).small());
    }
}

/// Follow-ups per day, week or month as stacked bars; a click on a bar shows its period.
fn time_chart_ui(
    ui: &mut egui::Ui,
    time: Option<&Summary>,
    colors: &Palette,
    commands: &mut Vec<Command>,
) {
    let Some(time) = time else {
        ui.label(RichText::new("Follow-ups no tempo").strong());
        ui.label(RichText::new("Nenhum follow-up com data.").weak());
        return;
    };
    let per = match time.dimension {
        Dimension::Dia => "dia",
        Dimension::Semana => "semana",
        _ => "mês",
    };
    // Rows without a date are in the table ("(sem data)"), not on a time axis.
    let dated: Vec<(usize, &Group)> = time
        .groups
        .iter()
        .enumerate()
        .filter(|(_, group)| !group.missing)
        .collect();
    let skip = dated.len().saturating_sub(CHART_PERIODS_MAX);
    let shown = dated.get(skip..).unwrap_or_default();
    let groups: Vec<&Group> = shown.iter().map(|(_, group)| *group).collect();
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Follow-ups por {per}")).strong());
        ui.add_space(8.0);
        stack_key(ui, colors);
    });
    if skip > 0 {
        ui.label(
            RichText::new(format!(
                "Os últimos {} períodos de {}.",
                fmt::thousands(CHART_PERIODS_MAX as u64),
                fmt::thousands(dated.len() as u64)
            ))
            .small()
            .weak(),
        );
    }
    let names: Vec<String> = groups
        .iter()
        .map(|group| axis_period_label(time.dimension, group))
        .collect();
    let lengths: Vec<f64> = groups.iter().map(|g| g.counts.follow_ups as f64).collect();
    let [p, i, o] = stacked_bars(&groups, false, colors, |position| position as f64);
    let response = still_plot("summary_time_chart", CHART_HEIGHT)
        .x_axis_formatter(|mark, _| mark_name(&names, mark.value))
        .y_axis_formatter(|mark, _| count_mark(mark))
        .include_y(0.0)
        .show(ui, |plot| {
            plot.bar_chart(p);
            plot.bar_chart(i);
            plot.bar_chart(o);
            plot.pointer_coordinate()
        });
    let at = |bar: usize| shown.get(bar).map(|(position, group)| (*position, *group));
    let target = BarTarget {
        horizontal: false,
        lengths: &lengths,
        total: time.total.follow_ups,
        source: SummarySource::Time,
    };
    bar_interaction(response, &target, at, commands);
}

/// A period on the time axis: `dd/mm` for days and weeks (their first day), `jan/2025` for
/// months.
fn axis_period_label(dimension: Dimension, group: &Group) -> String {
    match (dimension, group.period) {
        (Dimension::Mes, _) | (_, None) => group.label.clone(),
        (_, Some((first, _))) => first.format("%d/%m").to_string(),
    }
}

/// The channel mix as horizontal bars, the busiest on top; a click shows that channel's rows.
fn channel_chart_ui(
    ui: &mut egui::Ui,
    channels: &Summary,
    colors: &Palette,
    commands: &mut Vec<Command>,
) {
    ui.label(RichText::new("Canais").strong());
    let count = channels.groups.len();
    // The busiest channel at the top: positions count from the bottom.
    let names: Vec<String> = channels
        .groups
        .iter()
        .rev()
        .map(|group| short_name(&group.label))
        .collect();
    let lengths: Vec<f64> = channels
        .groups
        .iter()
        .rev()
        .map(|group| group.counts.follow_ups as f64)
        .collect();
    let bars: Vec<Bar> = channels
        .groups
        .iter()
        .enumerate()
        .map(|(position, group)| {
            Bar::new(
                count.saturating_sub(position + 1) as f64,
                group.counts.follow_ups as f64,
            )
            .width(0.7)
            .fill(colors.canal)
        })
        .collect();
    let chart = BarChart::new("Follow-ups", bars)
        .color(colors.canal)
        .horizontal();
    let response = still_plot("summary_channel_chart", CHART_HEIGHT)
        .custom_y_axes(vec![name_axis(&names)])
        .custom_x_axes(vec![count_axis()])
        .include_x(0.0)
        .show(ui, |plot| {
            plot.bar_chart(chart);
            plot.pointer_coordinate()
        });
    let at = |from_bottom: usize| {
        let position = count.checked_sub(from_bottom + 1)?;
        channels.groups.get(position).map(|group| (position, group))
    };
    let target = BarTarget {
        horizontal: true,
        lengths: &lengths,
        total: channels.total.follow_ups,
        source: SummarySource::Channels,
    };
    bar_interaction(response, &target, at, commands);
}

/// The top groups by follow-ups as horizontal stacked bars (the productive share in green);
/// a click shows that group's rows.
fn top_chart_ui(
    ui: &mut egui::Ui,
    bundle: &SummaryBundle,
    colors: &Palette,
    commands: &mut Vec<Command>,
) {
    let summary = &bundle.groups;
    ui.label(
        RichText::new(format!(
            "{} com mais follow-ups",
            top_title(summary.dimension)
        ))
        .strong(),
    );
    let top: Vec<(usize, &Group)> = bundle
        .top
        .iter()
        .filter_map(|&position| {
            let position = position as usize;
            summary.groups.get(position).map(|group| (position, group))
        })
        .collect();
    let count = top.len();
    // The largest at the top: positions count from the bottom.
    let groups: Vec<&Group> = top.iter().rev().map(|(_, group)| *group).collect();
    let names: Vec<String> = groups
        .iter()
        .map(|group| short_name(&group.label))
        .collect();
    let lengths: Vec<f64> = groups.iter().map(|g| g.counts.follow_ups as f64).collect();
    let [p, i, o] = stacked_bars(&groups, true, colors, |position| position as f64);
    let response = still_plot("summary_top_chart", CHART_HEIGHT)
        .custom_y_axes(vec![name_axis(&names)])
        .custom_x_axes(vec![count_axis()])
        .include_x(0.0)
        .show(ui, |plot| {
            plot.bar_chart(p);
            plot.bar_chart(i);
            plot.bar_chart(o);
            plot.pointer_coordinate()
        });
    let at = |from_bottom: usize| {
        let (position, group) = top.get(count.checked_sub(from_bottom + 1)?)?;
        Some((*position, *group))
    };
    let target = BarTarget {
        horizontal: true,
        lengths: &lengths,
        total: summary.total.follow_ups,
        source: SummarySource::Groups,
    };
    bar_interaction(response, &target, at, commands);
}

/// "Consultores", "Canais"… for the top chart's title.
fn top_title(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Consultor => "Consultores",
        Dimension::Evento => "Eventos",
        Dimension::Canal => "Canais",
        Dimension::TipoEvento => "Tipos de evento",
        Dimension::Credor => "Credores",
        Dimension::Devedor => "Devedores",
        Dimension::ReagendadoPor => "Reagendadores",
        Dimension::Dia => "Dias",
        Dimension::Semana => "Semanas",
        Dimension::Mes => "Meses",
    }
}

/// The initial width of a column of the group table, in points.
fn initial_width(column: SummaryColumn) -> f32 {
    match column {
        SummaryColumn::Grupo => 210.0,
        SummaryColumn::Id | SummaryColumn::Codigo => 60.0,
        SummaryColumn::PrimeiraData | SummaryColumn::UltimaData => 95.0,
        SummaryColumn::Reagendamentos => 110.0,
        _ => 92.0,
    }
}

/// The group table: sortable headers with the total under them (pinned while the groups
/// scroll), one row per group, a click on a row shows its rows in the table.
fn group_table_ui(
    ui: &mut egui::Ui,
    app: &FollowupsApp,
    bundle: &SummaryBundle,
    commands: &mut Vec<Command>,
) {
    let summary = &bundle.groups;
    let dimension = summary.dimension;
    let columns = SummaryColumn::for_dimension(dimension);
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let order = app
        .summary
        .order
        .as_ref()
        .filter(|order| order.len() == summary.groups.len());
    let sort = app.summary.sort;
    egui::ScrollArea::horizontal()
        .id_salt("summary_table_hscroll")
        .show(ui, |ui| {
            ui.style_mut().interaction.selectable_labels = false;
            let mut builder = TableBuilder::new(ui)
                .id_salt(("summary_table", dimension.cli_name()))
                .striped(true)
                .resizable(true)
                .sense(Sense::CLICK)
                .cell_layout(Layout::left_to_right(Align::Center))
                .min_scrolled_height(0.0)
                .auto_shrink(false);
            for column in &columns {
                builder = builder.column(
                    TableColumn::initial(initial_width(*column))
                        .at_least(48.0)
                        .clip(true)
                        .resizable(true),
                );
            }
            builder
                .header(2.0 * row_height + 4.0, |mut header| {
                    for column in &columns {
                        header.col(|ui| {
                            ui.vertical(|ui| {
                                let arrow = sort.filter(|s| s.0 == *column).map(|s| s.1);
                                let response = super::table::header_button(
                                    ui,
                                    column.header(dimension),
                                    arrow,
                                )
                                .on_hover_text("Clique para ordenar");
                                if response.clicked() {
                                    commands.push(Command::Summary(SummaryAction::SortBy(*column)));
                                }
                                let total = column.total_cell(&summary.total);
                                let text = match (column, &total) {
                                    (SummaryColumn::Grupo, _) => "Total".to_owned(),
                                    _ => cell_text(&total),
                                };
                                aligned_label(
                                    ui,
                                    RichText::new(text).strong(),
                                    right_aligned(&total),
                                );
                            });
                        });
                    }
                })
                .body(|body| {
                    let count = summary.groups.len();
                    body.rows(row_height, count, |mut row| {
                        let index = row.index();
                        let position = match order {
                            Some(order) => order.get(index).map_or(index, |&p| p as usize),
                            None => index,
                        };
                        let Some(group) = summary.groups.get(position) else {
                            return;
                        };
                        for column in &columns {
                            row.col(|ui| {
                                let cell = column.cell(group);
                                let mut text = RichText::new(cell_text(&cell));
                                if group.missing && *column == SummaryColumn::Grupo {
                                    text = text.italics();
                                }
                                aligned_label(ui, text, right_aligned(&cell));
                            });
                        }
                        let response = row.response();
                        if response.clicked() {
                            commands.push(Command::Summary(SummaryAction::ShowGroup {
                                source: SummarySource::Groups,
                                group: position,
                            }));
                        }
                        response.on_hover_text("Clique para ver estes follow-ups na tabela");
                    });
                });
        });
}

/// A label, right-aligned in its cell for numbers (both kinds centred vertically alike).
fn aligned_label(ui: &mut egui::Ui, text: RichText, right: bool) {
    let layout = if right {
        Layout::right_to_left(Align::Center)
    } else {
        Layout::left_to_right(Align::Center)
    };
    ui.with_layout(layout, |ui| ui.label(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_read_the_brazilian_way() {
        assert_eq!(pct_br(Some(73.4)), "73,4 %");
        assert_eq!(pct_br(Some(100.0)), "100,0 %");
        assert_eq!(pct_br(Some(0.0)), "0,0 %");
        assert_eq!(pct_br(None), "—");
        assert_eq!(cell_text(&SummaryCell::Int(1_234_567)), "1.234.567");
        assert_eq!(cell_text(&SummaryCell::Pct(Some(49.1))), "49,1 %");
        assert_eq!(
            cell_text(&SummaryCell::Date(chrono::NaiveDate::from_ymd_opt(
                2024, 1, 10
            ))),
            "10/01/2024"
        );
        assert_eq!(cell_text(&SummaryCell::Date(None)), "");
        assert_eq!(cell_text(&SummaryCell::Empty), "");
    }

    #[test]
    fn a_point_finds_the_bar_under_it() {
        let lengths = [3.0, 0.0, 5.0];
        let at = |x, y| bar_at(PlotPoint::new(x, y), false, &lengths);
        assert_eq!(at(0.1, 2.0), Some(0));
        assert_eq!(at(2.3, 4.9), Some(2));
        // Between bars, above a bar, below the axis, outside the chart.
        assert_eq!(at(0.5, 1.0), None);
        assert_eq!(at(0.0, 3.5), None);
        assert_eq!(at(2.0, -0.5), None);
        assert_eq!(at(-1.0, 1.0), None);
        assert_eq!(at(3.0, 1.0), None);
        assert_eq!(at(f64::NAN, 1.0), None);
        // Horizontal bars: the position on y, the length on x.
        let across = |x, y| bar_at(PlotPoint::new(x, y), true, &lengths);
        assert_eq!(across(4.0, 2.1), Some(2));
        assert_eq!(across(4.0, 0.0), None);
    }

    #[test]
    fn axis_marks_name_whole_positions_only() {
        let names = vec!["jan/2025".to_owned(), "fev/2025".to_owned()];
        assert_eq!(mark_name(&names, 1.0), "fev/2025");
        assert_eq!(mark_name(&names, 0.5), "");
        assert_eq!(mark_name(&names, -1.0), "");
        assert_eq!(mark_name(&names, 7.0), "");
        assert_eq!(
            short_name("Maria da Conceição Araújo Lima"),
            "Maria da Conceição Ar…"
        );
        assert_eq!(short_name("Ana"), "Ana");
    }
}
