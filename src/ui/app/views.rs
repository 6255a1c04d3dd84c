//! Saved views ("Visões"): save the table's layout under a name, recall, rename and delete
//! views, and "Restaurar padrão". The views live in [`Persisted`](super::Persisted) and never
//! hold a filter on the debtor's personal columns (see [`crate::results::SavedView`]); when
//! saving leaves such a filter out, the window says so.

use super::{FollowupsApp, PersistedSort};
use crate::results::{SavedView, SavedViews, SortSpec, TableLayout, personal_filters_notice};

/// The dialog of the "Visões" menu that is open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViewDialog {
    /// "Salvar visão atual…".
    Save {
        /// The name as typed.
        name: String,
        /// The existing view of that name, once saving found one (the dialog then asks to
        /// replace it).
        replacing: Option<String>,
        /// Why the name was refused.
        error: Option<String>,
    },
    /// "Renomear…".
    Rename {
        /// The view's name.
        from: String,
        /// The new name as typed.
        name: String,
        /// Why the name was refused.
        error: Option<String>,
    },
    /// "Excluir…": asks before deleting.
    Delete {
        /// The view's name.
        name: String,
    },
}

impl ViewDialog {
    /// "Salvar visão atual…" with an empty name.
    pub fn save() -> ViewDialog {
        ViewDialog::Save {
            name: String::new(),
            replacing: None,
            error: None,
        }
    }

    /// "Renomear…" for the view `name`, the field holding its name.
    pub fn rename(name: &str) -> ViewDialog {
        ViewDialog::Rename {
            from: name.to_owned(),
            name: name.to_owned(),
            error: None,
        }
    }
}

/// What the window said after saving a view: that it was saved, and which filters were left
/// out because they hold personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewNotice {
    /// "Visão «Cobrança» salva."
    pub saved: String,
    /// "O filtro de Cliente não foi salvo: a visão não guarda dados pessoais."
    pub left_out: Option<String>,
}

/// The "Visões" menu's dialog and message. (It starts no background work.)
#[derive(Default)]
pub struct ViewsUiState {
    /// The dialog that is open.
    pub dialog: Option<ViewDialog>,
    /// The message after the last save.
    pub notice: Option<ViewNotice>,
    /// Give the dialog's name field the keyboard on the next frame.
    pub focus_name: bool,
}

impl ViewsUiState {
    /// Whether background work runs: never.
    pub fn busy(&self) -> bool {
        false
    }
}

impl FollowupsApp {
    /// The table's layout now: column order, hidden columns, sort and column filters.
    pub fn current_layout(&self) -> TableLayout {
        TableLayout {
            order: self.persisted.column_order.clone(),
            hidden: self.persisted.hidden_columns.clone(),
            sort: self.persisted.sort.map(|s| SortSpec {
                column: s.column,
                descending: s.descending,
            }),
            filters: self.column_filters.active.clone(),
        }
    }

    /// The saved view the table shows now, if any (compared as it would be saved).
    pub fn current_view_name(&self) -> Option<&str> {
        let (current, _) = self.current_layout().without_personal_filters();
        self.persisted
            .views
            .iter()
            .find(|view| {
                let layout = view.layout();
                layout.order == current.order
                    && layout.hidden_columns() == current.hidden_columns()
                    && layout.sort == current.sort
                    && layout.filters == current.filters
            })
            .map(SavedView::name)
    }

    /// Opens a dialog of the "Visões" menu.
    pub(super) fn open_view_dialog(&mut self, dialog: ViewDialog) {
        self.views.dialog = Some(dialog);
        self.views.focus_name = true;
    }

    /// Saves the current layout as `name`. A view of that name is replaced only with
    /// `replace`; otherwise the dialog asks first.
    pub(super) fn save_view(&mut self, name: &str, replace: bool) {
        let name = match SavedViews::check_name(name) {
            Ok(name) => name,
            Err(error) => {
                self.views.dialog = Some(ViewDialog::Save {
                    name: name.to_owned(),
                    replacing: None,
                    error: Some(error.to_string()),
                });
                return;
            }
        };
        if !replace && let Some(existing) = self.persisted.views.get(&name) {
            self.views.dialog = Some(ViewDialog::Save {
                replacing: Some(existing.name().to_owned()),
                name,
                error: None,
            });
            return;
        }
        let (view, left_out) = SavedView::new(&name, &self.current_layout());
        self.persisted.views.save(view);
        self.views.dialog = None;
        self.views.notice = Some(ViewNotice {
            saved: format!("Visão «{name}» salva."),
            left_out: personal_filters_notice(&left_out),
        });
    }

    /// Restores the saved view `name`: its columns, order, sort and filters.
    pub(super) fn apply_view(&mut self, ctx: &egui::Context, name: &str) {
        let Some(view) = self.persisted.views.get(name) else {
            return;
        };
        let layout = view.layout().clone();
        self.apply_layout(ctx, &layout);
    }

    /// The default layout: the default order, every column, no sort, no column filter.
    pub(super) fn restore_default_view(&mut self, ctx: &egui::Context) {
        self.apply_layout(ctx, &TableLayout::default());
    }

    /// Renames the view `from`; a name taken by another view keeps the dialog open with the
    /// reason.
    pub(super) fn rename_view(&mut self, from: &str, to: &str) {
        match self.persisted.views.rename(from, to) {
            Ok(_) => self.views.dialog = None,
            Err(error) => {
                self.views.dialog = Some(ViewDialog::Rename {
                    from: from.to_owned(),
                    name: to.to_owned(),
                    error: Some(error.to_string()),
                });
            }
        }
    }

    /// Deletes the view `name`.
    pub(super) fn delete_view(&mut self, name: &str) {
        self.persisted.views.delete(name);
        self.views.dialog = None;
    }

    /// Shows `layout` and computes its view in the background.
    fn apply_layout(&mut self, ctx: &egui::Context, layout: &TableLayout) {
        self.persisted.column_order = layout.order.clone();
        self.persisted.hidden_columns = layout.hidden_columns();
        self.persisted.sort = layout.sort.map(|s| PersistedSort {
            column: s.column,
            descending: s.descending,
        });
        self.column_filters.active = layout.filters.clone();
        self.refresh_view(ctx);
    }
}
