//! The table's layout: the column order (dragged headers, up and down in the "Colunas"
//! menu) and "Restaurar padrão". The order lives in [`Persisted`](super::Persisted), so it
//! survives a restart; the table, the copies and the exports of the current view read it
//! through `visible_columns()`.

use super::FollowupsApp;
use crate::api::Column;
use crate::results::ColumnOrder;

impl FollowupsApp {
    /// Moves `column` just before `before` (`None`: to the end).
    pub(super) fn move_column(&mut self, column: Column, before: Option<Column>) {
        self.persisted.column_order.move_before(column, before);
    }

    /// Moves `column` one place towards the front (`up`) or the end.
    pub(super) fn shift_column(&mut self, column: Column, up: bool) {
        let order = &mut self.persisted.column_order;
        if up {
            order.move_up(column);
        } else {
            order.move_down(column);
        }
    }

    /// The default order, with every column shown.
    pub(super) fn restore_columns(&mut self) {
        self.persisted.column_order = ColumnOrder::default();
        self.persisted.hidden_columns.clear();
    }
}
