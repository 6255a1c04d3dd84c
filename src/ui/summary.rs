//! The "Resumo" view: the rows on screen grouped by one dimension, with charts.

use egui::RichText;

use super::app::FollowupsApp;
use crate::fmt;

/// Draws the summary of the rows the view shows.
pub fn summary_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    ui.label(RichText::new(format!(
        "Resumo de {} follow-ups exibidos",
        fmt::thousands(app.results.view_count() as u64)
    )));
}
