//! Small drawing helpers shared by the panels.

/// The "all good" green, readable on both themes.
pub(crate) fn ok_color(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgb(0x6C, 0xC6, 0x6C)
    } else {
        egui::Color32::from_rgb(0x1E, 0x7B, 0x34)
    }
}

/// A small coloured label with a frame, for states like demo mode.
pub(crate) fn badge(ui: &mut egui::Ui, text: &str, color: egui::Color32) {
    egui::Frame::new()
        .fill(color)
        .corner_radius(4.0)
        .inner_margin(egui::Margin::symmetric(6, 2))
        .show(ui, |ui| {
            ui.label(
                egui::RichText::new(text)
                    .color(egui::Color32::WHITE)
                    .strong(),
            );
        });
}

/// A field's error message, in red and small, under the field.
pub(crate) fn error_text(ui: &mut egui::Ui, message: &str) {
    ui.label(
        egui::RichText::new(message)
            .color(ui.visuals().error_fg_color)
            .small(),
    );
}

/// Shows a window placed like the app's others (centred under the top bar, not collapsible)
/// while `*is_open(state)` holds; its close button clears that flag. `style` sets the window's
/// own size and options. Returns whether the user closed it in this frame.
pub(crate) fn app_window<T>(
    ctx: &egui::Context,
    title: &str,
    state: &mut T,
    is_open: fn(&mut T) -> &mut bool,
    style: impl for<'open> FnOnce(egui::Window<'open>) -> egui::Window<'open>,
    contents: impl FnOnce(&mut egui::Ui, &mut T),
) -> bool {
    if !*is_open(state) {
        return false;
    }
    let mut open = true;
    let window = egui::Window::new(title)
        .open(&mut open)
        .pivot(egui::Align2::CENTER_TOP)
        .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 80.0))
        .collapsible(false);
    style(window).show(ctx, |ui| contents(ui, state));
    if !open {
        *is_open(state) = false;
    }
    !open
}

/// A button that flips `flag`, labelled `on_text` while it is set and `off_text` otherwise
/// ("Ocultar" / "Mostrar").
pub(crate) fn flip_button(
    ui: &mut egui::Ui,
    flag: &mut bool,
    on_text: &str,
    off_text: &str,
    small: bool,
) {
    let mut button = egui::Button::new(if *flag { on_text } else { off_text });
    if small {
        button = button.small();
    }
    if ui.add(button).clicked() {
        *flag = !*flag;
    }
}
