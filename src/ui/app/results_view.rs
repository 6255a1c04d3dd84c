//! The results area's views ("Tabela | Resumo | Agenda") and the window's theme. Both are choices the
//! user makes once and expects back after a restart, so both live in
//! [`Persisted`](super::Persisted); neither holds data.

use serde::{Deserialize, Serialize};

use super::FollowupsApp;

/// What the results area shows. One variant per view: a new view (the agenda) is one more
/// variant here, one more entry in [`ResultsView::ALL`] and one more arm where the area is
/// drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResultsView {
    /// The rows, one per line.
    #[default]
    Tabela,
    /// The rows grouped by one dimension, with charts.
    Resumo,
    /// The reschedules: what is due, overdue and kept.
    Agenda,
}

impl ResultsView {
    /// Every view, in the order of the switcher (Ctrl+1, Ctrl+2, …).
    pub const ALL: [ResultsView; 3] = [
        ResultsView::Tabela,
        ResultsView::Resumo,
        ResultsView::Agenda,
    ];

    /// The name on the switcher.
    pub fn label(self) -> &'static str {
        match self {
            ResultsView::Tabela => "Tabela",
            ResultsView::Resumo => "Resumo",
            ResultsView::Agenda => "Agenda",
        }
    }
}

/// The window's colours: the system's, or always light or dark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow the operating system.
    #[default]
    Sistema,
    /// Always light.
    Claro,
    /// Always dark.
    Escuro,
}

impl ThemeChoice {
    /// Every choice, in the order of the settings window.
    pub const ALL: [ThemeChoice; 3] = [
        ThemeChoice::Sistema,
        ThemeChoice::Claro,
        ThemeChoice::Escuro,
    ];

    /// The name in the settings window.
    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::Sistema => "Sistema",
            ThemeChoice::Claro => "Claro",
            ThemeChoice::Escuro => "Escuro",
        }
    }

    /// egui's preference for this choice.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::Sistema => egui::ThemePreference::System,
            ThemeChoice::Claro => egui::ThemePreference::Light,
            ThemeChoice::Escuro => egui::ThemePreference::Dark,
        }
    }
}

impl FollowupsApp {
    /// Shows `view` in the results area; the summary starts computing when it is shown.
    pub(super) fn show_view(&mut self, view: ResultsView) {
        self.persisted.results_view = view;
    }

    /// Uses `theme` from now on (and after a restart).
    pub(super) fn set_theme(&mut self, ctx: &egui::Context, theme: ThemeChoice) {
        self.persisted.theme = theme;
        ctx.set_theme(theme.preference());
    }
}
