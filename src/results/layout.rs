//! The table's layout: the order of the columns, always a permutation of [`Column::ALL`],
//! whatever a settings file says.
//!
//! The order is written to the settings as the API's field names, and read back tolerantly:
//! unknown names and repeats are dropped, and columns the file does not mention (a column
//! added in a later version, a line deleted by hand) come back beside their neighbours of the
//! default order. A hand-edited file never loses the user's other settings over its columns.
//!
//! ```
//! use recuperador_followups::api::Column;
//! use recuperador_followups::results::ColumnOrder;
//!
//! let mut order = ColumnOrder::default();
//! assert_eq!(order.columns()[0], Column::Data);
//! // Drag "Interação" to the front.
//! assert!(order.move_before(Column::Interacao, Some(Column::Data)));
//! assert_eq!(order.columns()[..2], [Column::Interacao, Column::Data]);
//! // Only the visible ones, in that order.
//! let visible = order.visible(&[Column::Data]);
//! assert_eq!(visible[0], Column::Interacao);
//! assert_eq!(visible.len(), 19);
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::api::Column;

/// The table's default column order: what an analyst reads first (when, how, what happened)
/// before who and the ids.
pub const DEFAULT_COLUMN_ORDER: [Column; 20] = [
    Column::Data,
    Column::TipoContato,
    Column::NomeEvento,
    Column::TipoEvento,
    Column::Interacao,
    Column::NomeConsultor,
    Column::Reagendar,
    Column::DataReagendamento,
    Column::HorarioReagendamento,
    Column::ReagendarPara,
    Column::ReagendadoPor,
    Column::VisivelCliente,
    Column::NomeCliente,
    Column::CpfCnpj,
    Column::NomeCredor,
    Column::IdFollowup,
    Column::IdCredor,
    Column::IdCliente,
    Column::IdConsultor,
    Column::IdEvento,
];

/// The order of the table's columns: every column exactly once.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ColumnOrder(Vec<Column>);

impl Default for ColumnOrder {
    fn default() -> Self {
        ColumnOrder(DEFAULT_COLUMN_ORDER.to_vec())
    }
}

impl ColumnOrder {
    /// The order of `columns`: repeats are dropped (the first one counts), and the columns
    /// missing are put back after the column that precedes them in the default order (at the
    /// front when none does).
    pub fn from_columns(columns: impl IntoIterator<Item = Column>) -> ColumnOrder {
        let mut order: Vec<Column> = Vec::with_capacity(Column::ALL.len());
        for column in columns {
            if !order.contains(&column) {
                order.push(column);
            }
        }
        for (default_index, column) in DEFAULT_COLUMN_ORDER.iter().enumerate() {
            if order.contains(column) {
                continue;
            }
            // After the nearest earlier column of the default order that is placed already.
            let at = DEFAULT_COLUMN_ORDER[..default_index]
                .iter()
                .rev()
                .find_map(|earlier| order.iter().position(|c| c == earlier))
                .map_or(0, |position| position + 1);
            order.insert(at, *column);
        }
        ColumnOrder(order)
    }

    /// Every column, in order.
    pub fn columns(&self) -> &[Column] {
        &self.0
    }

    /// The columns not in `hidden`, in order.
    pub fn visible(&self, hidden: &[Column]) -> Vec<Column> {
        self.0
            .iter()
            .copied()
            .filter(|c| !hidden.contains(c))
            .collect()
    }

    /// Whether this is the default order.
    pub fn is_default(&self) -> bool {
        self.0 == DEFAULT_COLUMN_ORDER
    }

    /// Where `column` is (0 first).
    pub fn position(&self, column: Column) -> Option<usize> {
        self.0.iter().position(|c| *c == column)
    }

    /// Moves `column` just before `before`, or to the end when `before` is `None` (a header
    /// dropped on another header, or after the last one). Returns whether the order changed.
    pub fn move_before(&mut self, column: Column, before: Option<Column>) -> bool {
        if before == Some(column) {
            return false;
        }
        let Some(from) = self.position(column) else {
            return false;
        };
        let old = self.0.clone();
        self.0.remove(from);
        let to = match before {
            Some(target) => match self.position(target) {
                Some(to) => to,
                None => {
                    self.0 = old;
                    return false;
                }
            },
            None => self.0.len(),
        };
        self.0.insert(to, column);
        self.0 != old
    }

    /// Moves `column` one place towards the front ("up" in the Colunas menu). Returns whether
    /// it moved (not when it is first already).
    pub fn move_up(&mut self, column: Column) -> bool {
        match self.position(column) {
            Some(at) if at > 0 => {
                self.0.swap(at - 1, at);
                true
            }
            _ => false,
        }
    }

    /// Moves `column` one place towards the end ("down" in the Colunas menu). Returns whether
    /// it moved (not when it is last already).
    pub fn move_down(&mut self, column: Column) -> bool {
        match self.position(column) {
            Some(at) if at + 1 < self.0.len() => {
                self.0.swap(at, at + 1);
                true
            }
            _ => false,
        }
    }
}

impl Serialize for ColumnOrder {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|c| c.wire_name()))
    }
}

impl<'de> Deserialize<'de> for ColumnOrder {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let names = Vec::<ColumnName>::deserialize(deserializer)?;
        Ok(ColumnOrder::from_columns(
            names.into_iter().filter_map(|name| name.0),
        ))
    }
}

/// A column as a settings file names it: the API's field name (`nome_cliente`) or the
/// program's (`NomeCliente`); `None` for a name no column has.
pub(crate) struct ColumnName(pub(crate) Option<Column>);

impl ColumnName {
    /// The column named `name`, if any.
    pub(crate) fn parse(name: &str) -> Option<Column> {
        Column::from_wire_name(name)
            .or_else(|| Column::ALL.into_iter().find(|c| format!("{c:?}") == name))
    }
}

impl<'de> Deserialize<'de> for ColumnName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(ColumnName(ColumnName::parse(&name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_permutation(order: &ColumnOrder) -> bool {
        let mut sorted = order.columns().to_vec();
        sorted.sort();
        let mut all = Column::ALL.to_vec();
        all.sort();
        sorted == all
    }

    #[test]
    fn the_default_order_is_every_column_once() {
        assert!(is_permutation(&ColumnOrder::default()));
        assert!(ColumnOrder::default().is_default());
    }

    #[test]
    fn repeats_are_dropped_and_missing_columns_return_beside_their_neighbours() {
        let order = ColumnOrder::from_columns([
            Column::IdEvento,
            Column::Data,
            Column::IdEvento,
            Column::NomeEvento,
        ]);
        assert!(is_permutation(&order));
        // The first IdEvento counts; TipoContato (after Data by default) follows Data; the
        // rest follow NomeEvento in default order.
        assert_eq!(
            order.columns()[..5],
            [
                Column::IdEvento,
                Column::Data,
                Column::TipoContato,
                Column::NomeEvento,
                Column::TipoEvento
            ]
        );
        assert!(ColumnOrder::from_columns([]).is_default());
        // A column missing at the front of the default order goes first.
        let order = ColumnOrder::from_columns(DEFAULT_COLUMN_ORDER[1..].iter().copied());
        assert!(order.is_default());
    }

    #[test]
    fn moves_keep_a_permutation_and_say_whether_anything_changed() {
        let mut order = ColumnOrder::default();
        assert!(!order.move_up(Column::Data), "first already");
        assert!(!order.move_down(Column::IdEvento), "last already");
        assert!(!order.move_before(Column::Data, Some(Column::Data)));
        assert!(!order.move_before(Column::Data, Some(Column::TipoContato)));
        assert!(!order.move_before(Column::IdEvento, None));
        assert!(order.is_default());

        assert!(order.move_down(Column::Data));
        assert_eq!(order.columns()[..2], [Column::TipoContato, Column::Data]);
        assert!(order.move_up(Column::Data));
        assert!(order.is_default());

        assert!(order.move_before(Column::CpfCnpj, Some(Column::Data)));
        assert_eq!(order.position(Column::CpfCnpj), Some(0));
        assert_eq!(order.position(Column::Data), Some(1));
        assert!(order.move_before(Column::Data, None));
        assert_eq!(order.columns().last(), Some(&Column::Data));
        // Moving towards the end lands before the target, not after it.
        assert!(order.move_before(Column::CpfCnpj, Some(Column::IdCredor)));
        let cpf = order.position(Column::CpfCnpj).unwrap();
        assert_eq!(order.columns()[cpf + 1], Column::IdCredor);
        assert!(is_permutation(&order));
    }

    #[test]
    fn visible_keeps_the_order_and_skips_the_hidden() {
        let mut order = ColumnOrder::default();
        order.move_before(Column::IdFollowup, Some(Column::Data));
        let visible = order.visible(&[Column::Data, Column::Interacao]);
        assert_eq!(visible[..2], [Column::IdFollowup, Column::TipoContato]);
        assert_eq!(visible.len(), 18);
    }

    #[test]
    fn the_order_reads_back_tolerantly() {
        let mut order = ColumnOrder::default();
        order.move_before(Column::Interacao, Some(Column::Data));
        let json = serde_json::to_string(&order).unwrap();
        assert!(json.starts_with("[\"interacao\",\"data\","), "{json}");
        let back: ColumnOrder = serde_json::from_str(&json).unwrap();
        assert_eq!(back, order);
        // Unknown names, repeats, program names and missing columns.
        let edited: ColumnOrder =
            serde_json::from_str(r#"["coluna_nova", "CpfCnpj", "data", "cpf_cnpj", "data"]"#)
                .unwrap();
        assert!(is_permutation(&edited));
        assert_eq!(edited.columns()[0], Column::CpfCnpj);
        assert!(edited.position(Column::CpfCnpj) < edited.position(Column::Data));
        assert!(
            serde_json::from_str::<ColumnOrder>("[]")
                .unwrap()
                .is_default()
        );
    }
}
