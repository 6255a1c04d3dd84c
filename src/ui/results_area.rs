//! The results area below the count line: the view switcher ("Tabela | Resumo | Agenda") and the view
//! it selects.

use super::app::{Command, FollowupsApp, ResultsView};

/// The keyboard shortcut of the view at `position` in [`ResultsView::ALL`] (Ctrl+1, Ctrl+2, …).
pub fn view_shortcut(position: usize) -> Option<egui::KeyboardShortcut> {
    let key = match position {
        0 => egui::Key::Num1,
        1 => egui::Key::Num2,
        2 => egui::Key::Num3,
        3 => egui::Key::Num4,
        _ => return None,
    };
    Some(egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, key))
}

/// Queues the view whose shortcut was pressed this frame, if any.
pub fn view_shortcuts(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    for (position, view) in ResultsView::ALL.into_iter().enumerate() {
        let Some(shortcut) = view_shortcut(position) else {
            continue;
        };
        if ui.input_mut(|i| i.consume_shortcut(&shortcut)) && app.persisted.results_view != view {
            app.queue(Command::ShowView(view));
        }
    }
}

/// The switcher: one selectable label per view, the current one selected.
pub fn view_tabs_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    ui.horizontal(|ui| {
        for (position, view) in ResultsView::ALL.into_iter().enumerate() {
            let selected = app.persisted.results_view == view;
            let mut response = ui.selectable_label(selected, view.label());
            if let Some(shortcut) = view_shortcut(position) {
                response = response.on_hover_text(ui.ctx().format_shortcut(&shortcut));
            }
            if response.clicked() && !selected {
                app.queue(Command::ShowView(view));
            }
        }
    });
}

/// Draws the chosen view.
pub fn results_view_ui(ui: &mut egui::Ui, app: &mut FollowupsApp) {
    match app.persisted.results_view {
        ResultsView::Tabela => super::table::table_ui(ui, app),
        ResultsView::Resumo => super::summary::summary_ui(ui, app),
        ResultsView::Agenda => super::agenda::agenda_ui(ui, app),
    }
}
