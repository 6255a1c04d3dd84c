//! The table's selection and keyboard: the current row, multi-select, the page size measured
//! by the table and the scroll that keeps the current row visible.
//!
//! The model is [`Selection`] (pure, in the library); this concern owns one, applies the
//! [`TableAction`]s the table queues, and keeps the selection by row identity when a new view
//! is installed ([`FollowupsApp::retain_selection`]). It runs no background work.

use super::FollowupsApp;
use crate::results::{Motion, Selection};

/// How a click on a row combines with the selection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClickKind {
    /// A plain click: the row alone.
    Plain,
    /// Ctrl+click (Cmd on macOS): the row joins or leaves the selection.
    Toggle,
    /// Shift+click: the rows from the anchor to this one.
    Extend,
}

impl ClickKind {
    /// The kind of a click made with `modifiers` held (Shift wins over Ctrl, as in Excel).
    pub fn from_modifiers(modifiers: egui::Modifiers) -> ClickKind {
        if modifiers.shift {
            ClickKind::Extend
        } else if modifiers.command {
            ClickKind::Toggle
        } else {
            ClickKind::Plain
        }
    }
}

/// What the user did to the table's selection (queued as [`super::Command::Table`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableAction {
    /// Move the current row; with `extend` (Shift) the selection follows from the anchor.
    Move {
        /// Where to.
        motion: Motion,
        /// Whether Shift was held.
        extend: bool,
    },
    /// A click on the row at this position of the view.
    Click {
        /// The row's position in the view.
        position: usize,
        /// Plain, Ctrl or Shift.
        kind: ClickKind,
    },
    /// A right click on the row at this position: a row outside the selection becomes the
    /// selection (as in Excel and file managers); a selected row keeps the selection.
    ContextClick {
        /// The row's position in the view.
        position: usize,
    },
    /// Select every row of the view (Ctrl+A).
    SelectAll,
    /// Clear the selection and the current row (Esc, "Fechar" in the details).
    Clear,
    /// Show the current row in the details pane, showing the pane if hidden (Enter, double
    /// click).
    OpenDetails,
}

/// The table's selection and what the next frame of the table must do.
#[derive(Clone, Debug, Default)]
pub struct TableUiState {
    /// The current row, the anchor and the selected rows (never persisted).
    pub selection: Selection,
    /// The view position the table scrolls to on its next frame (set only when the cursor
    /// moved by keyboard: `scroll_to_row` scrolls every frame it is set).
    pub scroll_to: Option<usize>,
    /// How many rows the table showed in its last frame: a page for PgUp/PgDn.
    pub page_rows: usize,
    /// Give the table the keyboard focus on its next frame (a modal over it took it).
    pub refocus: bool,
}

impl TableUiState {
    /// The current row (what the details pane shows), if any.
    pub fn current(&self) -> Option<u32> {
        self.selection.current()
    }

    /// Forgets the selection (the rows on screen were replaced: their identities are gone).
    pub(super) fn forget(&mut self) {
        self.selection.clear();
        self.scroll_to = None;
    }
}

impl FollowupsApp {
    /// Applies a table action to the selection, over the view on screen.
    pub(super) fn run_table_action(&mut self, action: TableAction) {
        let view = self.results.view_indices();
        let selection = &mut self.table.selection;
        match action {
            TableAction::Move { motion, extend } => {
                self.table.scroll_to = selection.move_current(view, motion, extend);
            }
            TableAction::Click { position, kind } => match kind {
                ClickKind::Plain => selection.click(view, position),
                ClickKind::Toggle => selection.toggle(view, position),
                ClickKind::Extend => selection.extend_to(view, position),
            },
            TableAction::ContextClick { position } => {
                let row = view.get(position).copied();
                if row.is_some_and(|row| !selection.is_selected(row)) {
                    selection.click(view, position);
                }
            }
            TableAction::SelectAll => selection.select_all(view),
            TableAction::Clear => selection.clear(),
            TableAction::OpenDetails => {
                if selection.current().is_some() {
                    self.persisted.show_details = true;
                }
            }
        }
    }

    /// Keeps the selection by identity over the view just installed: rows it hides leave.
    pub(super) fn retain_selection(&mut self) {
        self.table
            .selection
            .retain_in_view(self.results.view_indices());
    }
}
