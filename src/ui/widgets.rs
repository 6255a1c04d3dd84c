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
