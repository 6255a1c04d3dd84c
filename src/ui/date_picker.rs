//! A date picker in Brazilian Portuguese: a button with a calendar glyph that opens a month
//! calendar (weeks from Sunday, `D S T Q Q S S`, "Novembro de 2026"), with "Hoje",
//! "Cancelar" and "OK".
//!
//! `egui_extras::DatePickerButton` prints English ("Week", "Mo", "Cancel", "Save") and works
//! on `jiff` dates; this one edits a [`NaiveDate`] and draws its glyphs with the painter (the
//! default fonts have no calendar or chevron glyphs).
//!
//! Keyboard, while the calendar is open: the arrows move the day (crossing months), PgUp and
//! PgDn change the month, Shift+PgUp and Shift+PgDn the year, Home and End go to the start and
//! end of the week, Enter picks (as "OK"), Esc cancels. Clicking the title switches to a
//! month-and-year chooser. A double click on a day picks it.
//!
//! [`DatePickerButton`] is the usual way in; [`calendar_ui`] draws the calendar alone, for a
//! panel or popup that has its own place for it (the state is the caller's).

use chrono::{Datelike as _, NaiveDate};
use egui::{Align2, Color32, FontId, Key, Rect, Response, Role, Sense, Stroke, Ui, Vec2};

use crate::calendar::{self, Step};

/// The side of a day's cell, in points.
const CELL: f32 = 30.0;

/// The width of the calendar: seven days.
const WIDTH: f32 = CELL * 7.0;

/// What the user did with the calendar in this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarOutcome {
    /// Still choosing.
    Open,
    /// Picked this date ("OK", Enter, "Hoje", a double click).
    Picked(NaiveDate),
    /// Closed without a date ("Cancelar", Esc).
    Cancelled,
}

/// The calendar's own state while it is open: the day under the cursor (its month is the one
/// shown) and, while the month-and-year chooser is shown, the year it shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CalendarState {
    /// The highlighted day; "OK" and Enter pick it.
    pub cursor: NaiveDate,
    /// The year shown by the month-and-year chooser, while it is shown.
    pub choosing_month_of: Option<i32>,
}

impl CalendarState {
    /// A calendar opened on `date`.
    pub fn new(date: NaiveDate) -> CalendarState {
        CalendarState {
            cursor: date,
            choosing_month_of: None,
        }
    }

    /// Moves the cursor, unless that leaves chrono's range of dates.
    fn step(&mut self, step: Step) {
        if let Some(date) = calendar::step(self.cursor, step) {
            self.cursor = date;
        }
    }
}

/// The picker's state between frames, in egui's memory under the button's id.
#[derive(Clone, Copy, Debug, Default)]
struct PickerMemory {
    calendar: Option<CalendarState>,
}

/// A button with a calendar glyph that opens a Portuguese calendar on `date` and writes the
/// picked day back. The response is `changed()` in the frame a date is picked.
///
/// ```no_run
/// # fn f(ui: &mut egui::Ui, date: &mut chrono::NaiveDate, today: chrono::NaiveDate) {
/// use recuperador_followups::ui::date_picker::DatePickerButton;
/// if ui.add(DatePickerButton::new(date, today).id_salt("de")).changed() {
///     // `date` holds the picked day.
/// }
/// # }
/// ```
pub struct DatePickerButton<'a> {
    date: &'a mut NaiveDate,
    today: NaiveDate,
    id_salt: egui::IdSalt,
    name: String,
}

impl<'a> DatePickerButton<'a> {
    /// A picker for `date`; `today` is marked and "Hoje" picks it.
    pub fn new(date: &'a mut NaiveDate, today: NaiveDate) -> DatePickerButton<'a> {
        DatePickerButton {
            date,
            today,
            id_salt: egui::IdSalt::new("date_picker"),
            name: "Calendário".to_owned(),
        }
    }

    /// Tells several pickers in one `Ui` apart.
    #[inline]
    pub fn id_salt(mut self, salt: impl egui::AsIdSalt) -> Self {
        self.id_salt = egui::IdSalt::new(salt);
        self
    }

    /// The button's name for screen readers and tests (the button shows only a glyph).
    /// Default: "Calendário".
    #[inline]
    pub fn accessible_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

impl egui::Widget for DatePickerButton<'_> {
    fn ui(self, ui: &mut Ui) -> Response {
        let id = ui.make_persistent_id(self.id_salt);
        let mut memory: PickerMemory = ui.data(|d| d.get_temp(id)).unwrap_or_default();
        if memory.calendar.is_some() {
            let pass = ui.ctx().cumulative_pass_nr();
            ui.data_mut(|d| d.insert_temp(open_marker_id(), pass));
        }
        let mut response = calendar_button(ui, &self.name, memory.calendar.is_some())
            .on_hover_text("Escolher no calendário");
        if response.clicked() {
            memory.calendar = match memory.calendar {
                Some(_) => None,
                None => Some(CalendarState::new(*self.date)),
            };
        }
        let mut picked = None;
        if let Some(mut state) = memory.calendar {
            let mut open = true;
            let mut outcome = CalendarOutcome::Open;
            egui::Popup::from_response(&response)
                .id(id.with("popup"))
                .open_bool(&mut open)
                .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
                .accessible_name("Calendário")
                .show(|ui| outcome = calendar_ui(ui, id.with("calendar"), &mut state, self.today));
            memory.calendar = match outcome {
                CalendarOutcome::Open if open => Some(state),
                CalendarOutcome::Open | CalendarOutcome::Cancelled => None,
                CalendarOutcome::Picked(date) => {
                    picked = Some(date);
                    None
                }
            };
        }
        ui.data_mut(|d| d.insert_temp(id, memory));
        if let Some(date) = picked {
            *self.date = date;
            response.mark_changed();
        }
        response
    }
}

/// Where the pass in which a calendar was last open is noted.
fn open_marker_id() -> egui::Id {
    egui::Id::unique("date_picker_calendar_open_pass")
}

/// Whether a picker's calendar was open in this pass or the one before. A popup holding a
/// picker (a column filter's date range) ignores clicks then: they land in the calendar, which
/// is a popup of its own and so "outside" the holder for egui.
pub fn calendar_was_open(ctx: &egui::Context) -> bool {
    let pass = ctx.cumulative_pass_nr();
    ctx.data(|d| d.get_temp::<u64>(open_marker_id()))
        .is_some_and(|open| pass.saturating_sub(open) <= 1)
}

/// Draws the calendar for `state` and handles its keys while it has the keyboard (it takes
/// the keyboard when nothing else has it). `id` must be stable while the calendar is shown.
pub fn calendar_ui(
    ui: &mut Ui,
    id: egui::Id,
    state: &mut CalendarState,
    today: NaiveDate,
) -> CalendarOutcome {
    let mut outcome = CalendarOutcome::Open;
    ui.spacing_mut().item_spacing = egui::vec2(0.0, 4.0);
    ui.set_width(WIDTH);
    match state.choosing_month_of {
        Some(year) => month_chooser_ui(ui, state, year),
        None => {
            let top = ui.cursor().min;
            days_ui(ui, state, today, &mut outcome);
            let keys_rect = Rect::from_min_max(top, egui::pos2(top.x + WIDTH, ui.cursor().min.y));
            keys(ui, id, keys_rect, state, &mut outcome);
        }
    }
    ui.add_space(2.0);
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        if ui
            .button("Hoje")
            .on_hover_text(calendar::long_date(today))
            .clicked()
        {
            outcome = CalendarOutcome::Picked(today);
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("OK").on_hover_text("Enter").clicked() {
                outcome = CalendarOutcome::Picked(state.cursor);
            }
            if ui.button("Cancelar").on_hover_text("Esc").clicked() {
                outcome = CalendarOutcome::Cancelled;
            }
        });
    });
    outcome
}

/// The month's title with ‹ ›, the weekday initials and the 6×7 days.
fn days_ui(
    ui: &mut Ui,
    state: &mut CalendarState,
    today: NaiveDate,
    outcome: &mut CalendarOutcome,
) {
    let (year, month) = (state.cursor.year(), state.cursor.month());
    let title = calendar::month_title(year, month).unwrap_or_default();
    ui.horizontal(|ui| {
        if chevron_button(ui, "Mês anterior", false).clicked() {
            state.step(Step::Months(-1));
        }
        let title_width = WIDTH - 2.0 * CELL;
        if ui
            .add_sized(
                [title_width, CELL],
                egui::Button::new(egui::RichText::new(title).strong()).frame(false),
            )
            .on_hover_text("Escolher mês e ano")
            .clicked()
        {
            state.choosing_month_of = Some(year);
        }
        if chevron_button(ui, "Próximo mês", true).clicked() {
            state.step(Step::Months(1));
        }
    });
    ui.horizontal(|ui| {
        for (initial, name) in calendar::WEEKDAY_INITIALS
            .iter()
            .zip(calendar::WEEKDAY_NAMES)
        {
            ui.add_sized(
                [CELL, 16.0],
                egui::Label::new(egui::RichText::new(*initial).small().weak()),
            )
            .on_hover_text(name);
        }
    });
    let Some(grid) = calendar::month_grid(year, month) else {
        // The first and last months of chrono's range: no grid, only the buttons.
        return;
    };
    for week in grid {
        ui.horizontal(|ui| {
            for day in week {
                let in_month = day.month() == month;
                let response = day_cell(ui, day, in_month, day == state.cursor, day == today);
                if response.double_clicked() {
                    *outcome = CalendarOutcome::Picked(day);
                } else if response.clicked() {
                    state.cursor = day;
                }
            }
        });
    }
}

/// The month-and-year chooser: the year with ‹ › and the twelve months.
fn month_chooser_ui(ui: &mut Ui, state: &mut CalendarState, year: i32) {
    ui.horizontal(|ui| {
        if chevron_button(ui, "Ano anterior", false).clicked() {
            state.choosing_month_of = year.checked_sub(1);
        }
        ui.add_sized(
            [WIDTH - 2.0 * CELL, CELL],
            egui::Label::new(egui::RichText::new(year.to_string()).strong()),
        );
        if chevron_button(ui, "Próximo ano", true).clicked() {
            state.choosing_month_of = year.checked_add(1);
        }
    });
    // A year outside chrono's range (reached with ‹ › at the edge) keeps the current one.
    if state.choosing_month_of.is_none() {
        state.choosing_month_of = Some(year);
    }
    for row in calendar::MONTH_ABBREVIATIONS
        .chunks(3)
        .zip((1u32..).step_by(3))
    {
        let (abbreviations, first_month) = row;
        ui.horizontal(|ui| {
            for (month, abbreviation) in (first_month..).zip(abbreviations) {
                let current = state.cursor.year() == year && state.cursor.month() == month;
                let name = calendar::month_name(month).unwrap_or_default();
                let clicked = ui
                    .add_sized(
                        [WIDTH / 3.0, CELL + 4.0],
                        egui::Button::selectable(current, *abbreviation),
                    )
                    .on_hover_text(format!("{name} de {year}"))
                    .clicked();
                if clicked && let Some(date) = calendar::with_month(state.cursor, year, month) {
                    state.cursor = date;
                    state.choosing_month_of = None;
                }
            }
        });
    }
}

/// The calendar's keys, while it has the keyboard.
fn keys(
    ui: &mut Ui,
    id: egui::Id,
    rect: Rect,
    state: &mut CalendarState,
    outcome: &mut CalendarOutcome,
) {
    let response = ui.interact(rect, id.with("keys"), Sense::focusable_noninteractive());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            Role::Grid,
            true,
            format!(
                "Dias de {}",
                calendar::month_title(state.cursor.year(), state.cursor.month())
                    .unwrap_or_default()
            ),
        )
    });
    // Take the keyboard when nobody has it (just opened, or after a click).
    if ui.memory(|m| m.focused().is_none()) {
        response.request_focus();
    }
    if !response.has_focus() {
        return;
    }
    ui.memory_mut(|m| {
        m.set_focus_lock_filter(
            response.id,
            egui::EventFilter {
                tab: false,
                horizontal_arrows: true,
                vertical_arrows: true,
                escape: true,
            },
        );
    });
    let (shift, pressed) = ui.input(|i| {
        let keys = [
            Key::ArrowLeft,
            Key::ArrowRight,
            Key::ArrowUp,
            Key::ArrowDown,
            Key::PageUp,
            Key::PageDown,
            Key::Home,
            Key::End,
            Key::Enter,
            Key::Escape,
        ];
        let pressed: Vec<Key> = keys.into_iter().filter(|k| i.key_pressed(*k)).collect();
        (i.modifiers.shift, pressed)
    });
    for key in pressed {
        match key {
            Key::ArrowLeft => state.step(Step::Days(-1)),
            Key::ArrowRight => state.step(Step::Days(1)),
            Key::ArrowUp => state.step(Step::Days(-7)),
            Key::ArrowDown => state.step(Step::Days(7)),
            Key::PageUp if shift => state.step(Step::Years(-1)),
            Key::PageDown if shift => state.step(Step::Years(1)),
            Key::PageUp => state.step(Step::Months(-1)),
            Key::PageDown => state.step(Step::Months(1)),
            Key::Home => state.step(Step::WeekStart),
            Key::End => state.step(Step::WeekEnd),
            Key::Enter => *outcome = CalendarOutcome::Picked(state.cursor),
            Key::Escape => *outcome = CalendarOutcome::Cancelled,
            _ => {}
        }
    }
}

/// One day: its number, filled when it is the cursor, outlined when it is today, weak when
/// it belongs to a neighbouring month. Screen readers hear the whole date.
fn day_cell(ui: &mut Ui, day: NaiveDate, in_month: bool, cursor: bool, today: bool) -> Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(CELL), Sense::click());
    response.widget_info(|| {
        egui::WidgetInfo::selected(Role::Button, true, cursor, calendar::long_date(day))
    });
    if ui.is_rect_visible(rect) {
        let visuals = ui.visuals();
        let cell = rect.shrink(1.5);
        let text_color = if cursor {
            visuals.selection.stroke.color
        } else if in_month {
            visuals.text_color()
        } else {
            visuals.weak_text_color()
        };
        let painter = ui.painter();
        if cursor {
            painter.rect_filled(cell, 4.0, visuals.selection.bg_fill);
        } else if response.hovered() {
            painter.rect_filled(cell, 4.0, visuals.widgets.hovered.weak_bg_fill);
        }
        if today {
            painter.rect_stroke(
                cell,
                4.0,
                Stroke::new(1.5, today_color(ui)),
                egui::StrokeKind::Inside,
            );
        }
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            day.day().to_string(),
            FontId::proportional(14.0),
            text_color,
        );
    }
    if today {
        response.on_hover_text("Hoje")
    } else {
        response
    }
}

/// The outline of today's cell: the theme's accent, visible on the selection fill too.
fn today_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(0xFF, 0xB3, 0x47)
    } else {
        Color32::from_rgb(0xC2, 0x5E, 0x00)
    }
}

/// A square button with a chevron drawn by the painter, pointing right (next) or left.
fn chevron_button(ui: &mut Ui, name: &str, right: bool) -> Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(CELL), Sense::click());
    response.widget_info(|| egui::WidgetInfo::labeled(Role::Button, true, name));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        if response.hovered() {
            ui.painter()
                .rect_filled(rect.shrink(2.0), 4.0, visuals.weak_bg_fill);
        }
        let c = rect.center();
        let (dx, dy) = (3.5, 6.0);
        let (tip, back) = if right { (dx, -dx) } else { (-dx, dx) };
        ui.painter().line(
            vec![
                c + egui::vec2(back, -dy),
                c + egui::vec2(tip, 0.0),
                c + egui::vec2(back, dy),
            ],
            Stroke::new(2.0, visuals.fg_stroke.color),
        );
    }
    response.on_hover_text(name)
}

/// The button that opens the calendar: a framed calendar glyph drawn by the painter.
fn calendar_button(ui: &mut Ui, name: &str, open: bool) -> Response {
    let size = Vec2::new(28.0, ui.spacing().interact_size.y);
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    response.widget_info(|| egui::WidgetInfo::labeled(Role::Button, true, name));
    if ui.is_rect_visible(rect) {
        let visuals = if open {
            ui.visuals().widgets.open
        } else {
            *ui.style().interact(&response)
        };
        let painter = ui.painter();
        painter.rect(
            rect,
            visuals.corner_radius,
            visuals.weak_bg_fill,
            visuals.bg_stroke,
            egui::StrokeKind::Inside,
        );
        let color = visuals.fg_stroke.color;
        let page =
            Rect::from_center_size(rect.center() + egui::vec2(0.0, 1.0), egui::vec2(14.0, 12.0));
        painter.rect_stroke(page, 1.5, Stroke::new(1.2, color), egui::StrokeKind::Inside);
        // The binding strip and its two rings.
        let strip = Rect::from_min_max(page.min, egui::pos2(page.max.x, page.min.y + 3.5));
        painter.rect_filled(strip, 1.5, color);
        for x in [page.min.x + 4.0, page.max.x - 4.0] {
            painter.line_segment(
                [
                    egui::pos2(x, page.min.y - 2.0),
                    egui::pos2(x, page.min.y + 1.0),
                ],
                Stroke::new(1.5, color),
            );
        }
        // Two rows of days.
        for row in 0..2 {
            for column in 0..3 {
                let center = egui::pos2(
                    page.min.x + 3.5 + column as f32 * 3.5,
                    page.min.y + 6.5 + row as f32 * 3.0,
                );
                painter.rect_filled(Rect::from_center_size(center, Vec2::splat(1.6)), 0.0, color);
            }
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT as _, Queryable as _};

    use super::DatePickerButton;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    /// "Today" in these tests.
    fn today() -> NaiveDate {
        ymd(2026, 11, 29)
    }

    /// A window with one picker on `date`.
    fn picker(date: NaiveDate) -> Harness<'static, NaiveDate> {
        let mut harness = Harness::new_ui_state(
            |ui, date: &mut NaiveDate| {
                ui.add(DatePickerButton::new(date, today()).accessible_name("Calendário: De"));
            },
            date,
        );
        harness.run();
        harness
    }

    fn open(harness: &mut Harness<'_, NaiveDate>) {
        harness.get_by_label("Calendário: De").click();
        harness.run();
        assert!(is_open(harness), "the calendar did not open");
    }

    fn is_open(harness: &Harness<'_, NaiveDate>) -> bool {
        harness.query_by_label("OK").is_some()
    }

    fn texts(harness: &Harness<'_, NaiveDate>) -> Vec<String> {
        let mut texts = Vec::new();
        let mut stack = vec![harness.root()];
        while let Some(node) = stack.pop() {
            let ak = node.accesskit_node();
            texts.extend(ak.label());
            texts.extend(ak.value());
            // Reversed, so that the texts come in reading order.
            let children: Vec<_> = node.children().collect();
            stack.extend(children.into_iter().rev());
        }
        texts
    }

    fn labels(harness: &Harness<'_, NaiveDate>) -> Vec<String> {
        let mut labels = Vec::new();
        let mut stack = vec![harness.root()];
        while let Some(node) = stack.pop() {
            let ak = node.accesskit_node();
            // A label's text is its value (repeated by its text run, skipped here).
            if ak.role() != egui::accesskit::Role::TextRun {
                labels.extend(ak.label().or_else(|| ak.value()));
            }
            let children: Vec<_> = node.children().collect();
            stack.extend(children.into_iter().rev());
        }
        labels
    }

    fn shows_month(harness: &Harness<'_, NaiveDate>, title: &str) -> bool {
        texts(harness).iter().any(|t| t == title)
    }

    fn press(harness: &mut Harness<'_, NaiveDate>, key: egui::Key) {
        harness.key_press(key);
        harness.run();
    }

    /// The day the cursor is on, from the one selected day cell.
    fn cursor_label(harness: &Harness<'_, NaiveDate>) -> String {
        let mut stack = vec![harness.root()];
        let mut selected = Vec::new();
        while let Some(node) = stack.pop() {
            let ak = node.accesskit_node();
            if ak.toggled() == Some(egui::accesskit::Toggled::True)
                && let Some(label) = ak.label()
                && label.contains(" de ")
            {
                selected.push(label);
            }
            stack.extend(node.children());
        }
        assert_eq!(selected.len(), 1, "one cursor day: {selected:?}");
        selected.remove(0)
    }

    #[test]
    fn the_calendar_speaks_portuguese_and_starts_weeks_on_sunday() {
        let mut harness = picker(ymd(2026, 11, 10));
        open(&mut harness);
        let texts = texts(&harness);
        assert!(texts.iter().any(|t| t == "Novembro de 2026"), "{texts:?}");
        for wanted in ["Hoje", "Cancelar", "OK", "Mês anterior", "Próximo mês"] {
            assert!(texts.iter().any(|t| t == wanted), "«{wanted}» in {texts:?}");
        }
        // The weekday header, in order, Sunday first (each label node once).
        let initials: String = labels(&harness)
            .iter()
            .filter(|t| t.len() == 1 && "DSTQ".contains(t.as_str()))
            .map(String::as_str)
            .collect();
        assert_eq!(initials, "DSTQQSS");
        // The first cell is Sunday 1 November (the month starts on a Sunday).
        assert!(texts.iter().any(|t| t == "1 de novembro de 2026"));
        assert_eq!(cursor_label(&harness), "10 de novembro de 2026");
        for english in [
            "Week", "Mo", "Tu", "We", "Th", "Fr", "Sa", "Su", "Cancel", "Save", "Today", "November",
        ] {
            assert!(
                !texts
                    .iter()
                    .any(|t| t.split_whitespace().any(|w| w == english)),
                "English «{english}» in {texts:?}"
            );
        }
    }

    #[test]
    fn the_buttons_change_the_month_and_ok_picks_the_clicked_day() {
        let mut harness = picker(ymd(2026, 11, 10));
        open(&mut harness);
        harness.get_by_label("Próximo mês").click();
        harness.run();
        assert!(shows_month(&harness, "Dezembro de 2026"));
        assert_eq!(cursor_label(&harness), "10 de dezembro de 2026");
        for _ in 0..2 {
            harness.get_by_label("Mês anterior").click();
            harness.run();
        }
        assert!(shows_month(&harness, "Outubro de 2026"));
        harness.get_by_label("15 de outubro de 2026").click();
        harness.run();
        assert_eq!(
            *harness.state(),
            ymd(2026, 11, 10),
            "a click only moves the cursor"
        );
        harness.get_by_label("OK").click();
        harness.run();
        assert_eq!(*harness.state(), ymd(2026, 10, 15));
        assert!(!is_open(&harness));
    }

    #[test]
    fn the_keyboard_moves_across_months_and_enter_picks() {
        let mut harness = picker(ymd(2026, 11, 29));
        open(&mut harness);
        press(&mut harness, egui::Key::ArrowRight);
        assert_eq!(cursor_label(&harness), "30 de novembro de 2026");
        press(&mut harness, egui::Key::ArrowRight);
        assert!(shows_month(&harness, "Dezembro de 2026"));
        assert_eq!(cursor_label(&harness), "1 de dezembro de 2026");
        press(&mut harness, egui::Key::ArrowUp);
        assert_eq!(cursor_label(&harness), "24 de novembro de 2026");
        press(&mut harness, egui::Key::ArrowDown);
        press(&mut harness, egui::Key::ArrowLeft);
        assert_eq!(cursor_label(&harness), "30 de novembro de 2026");
        press(&mut harness, egui::Key::PageDown);
        assert_eq!(cursor_label(&harness), "30 de dezembro de 2026");
        press(&mut harness, egui::Key::PageUp);
        press(&mut harness, egui::Key::PageUp);
        assert!(shows_month(&harness, "Outubro de 2026"));
        harness.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::PageUp);
        harness.run();
        assert_eq!(cursor_label(&harness), "30 de outubro de 2025");
        press(&mut harness, egui::Key::Home);
        assert_eq!(cursor_label(&harness), "26 de outubro de 2025");
        press(&mut harness, egui::Key::Enter);
        assert_eq!(*harness.state(), ymd(2025, 10, 26));
        assert!(!is_open(&harness));
    }

    #[test]
    fn cancel_and_escape_keep_the_old_date() {
        let mut harness = picker(ymd(2026, 3, 5));
        open(&mut harness);
        press(&mut harness, egui::Key::ArrowRight);
        harness.get_by_label("Cancelar").click();
        harness.run();
        assert!(!is_open(&harness));
        assert_eq!(*harness.state(), ymd(2026, 3, 5));

        open(&mut harness);
        // The calendar opens again on the date, not on where the cursor was left.
        assert_eq!(cursor_label(&harness), "5 de março de 2026");
        press(&mut harness, egui::Key::PageDown);
        press(&mut harness, egui::Key::Escape);
        assert!(!is_open(&harness));
        assert_eq!(*harness.state(), ymd(2026, 3, 5));
    }

    #[test]
    fn hoje_picks_today_from_any_month() {
        let mut harness = picker(ymd(2019, 2, 14));
        open(&mut harness);
        assert!(shows_month(&harness, "Fevereiro de 2019"));
        // Today is marked even before it is picked: it is in another month here.
        harness.get_by_label("Hoje").click();
        harness.run();
        assert_eq!(*harness.state(), today());
        assert!(!is_open(&harness));
    }

    #[test]
    fn the_title_chooses_month_and_year_clamping_the_day() {
        let mut harness = picker(ymd(2026, 1, 31));
        open(&mut harness);
        harness.get_by_label("Janeiro de 2026").click();
        harness.run();
        harness.get_by_label("Próximo ano").click();
        harness.run();
        assert!(texts(&harness).iter().any(|t| t == "2027"));
        harness.get_by_label("fev").click();
        harness.run();
        assert!(shows_month(&harness, "Fevereiro de 2027"));
        assert_eq!(cursor_label(&harness), "28 de fevereiro de 2027");
        press(&mut harness, egui::Key::Enter);
        assert_eq!(*harness.state(), ymd(2027, 2, 28));
    }
}
