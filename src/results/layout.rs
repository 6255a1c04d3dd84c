//! The table's layout: the order of the columns, always a permutation of [`Column::ALL`],
//! whatever a settings file says, and the saved views ("Visões") that name a whole layout
//! (visible columns, order, sort, column filters).
//!
//! A saved view never holds a value from the debtor's personal columns
//! ([`PERSONAL_COLUMNS`]: client name, CPF/CNPJ, interaction text): [`SavedView::new`] leaves
//! their filters out and says which, and a view read from a settings file loses them too.
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

use super::{ColumnFilters, SortSpec};
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

/// The columns holding the debtor's personal data. Their values (a filter's chosen names,
/// documents or words) never go into a saved view.
pub const PERSONAL_COLUMNS: [Column; 3] = [Column::NomeCliente, Column::CpfCnpj, Column::Interacao];

/// The longest name a saved view may have, in characters.
pub const VIEW_NAME_MAX_CHARS: usize = 60;

/// A whole table layout: what a saved view restores.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TableLayout {
    /// The column order (hidden columns included).
    pub order: ColumnOrder,
    /// The hidden columns.
    pub hidden: Vec<Column>,
    /// The sort, if any.
    pub sort: Option<SortSpec>,
    /// The column filters.
    pub filters: ColumnFilters,
}

impl TableLayout {
    /// This layout without the filters of [`PERSONAL_COLUMNS`], and the columns whose filters
    /// were left out (in the order of the filters).
    pub fn without_personal_filters(&self) -> (TableLayout, Vec<Column>) {
        let mut layout = self.clone();
        let left_out: Vec<Column> = self
            .filters
            .iter()
            .map(|(column, _)| column)
            .filter(|column| PERSONAL_COLUMNS.contains(column))
            .collect();
        for column in &left_out {
            layout.filters.remove(*column);
        }
        (layout, left_out)
    }

    /// The hidden columns as the table can show them: repeats dropped, and none when every
    /// column would be hidden (a table needs a column).
    pub fn hidden_columns(&self) -> Vec<Column> {
        let mut hidden: Vec<Column> = Vec::new();
        for column in &self.hidden {
            if !hidden.contains(column) {
                hidden.push(*column);
            }
        }
        if hidden.len() >= Column::ALL.len() {
            hidden.clear();
        }
        hidden
    }
}

/// A table layout saved under a name. It never holds a filter of [`PERSONAL_COLUMNS`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredView")]
pub struct SavedView {
    name: String,
    layout: TableLayout,
}

/// A saved view as a settings file holds it, before its personal filters are dropped.
#[derive(Deserialize)]
struct StoredView {
    #[serde(default)]
    name: String,
    #[serde(default)]
    layout: TableLayout,
}

impl From<StoredView> for SavedView {
    fn from(stored: StoredView) -> SavedView {
        SavedView::new(&stored.name, &stored.layout).0
    }
}

impl SavedView {
    /// `layout` saved as `name` (trimmed), without its personal filters; returns the columns
    /// whose filters were left out, for the window to say so.
    pub fn new(name: &str, layout: &TableLayout) -> (SavedView, Vec<Column>) {
        let (layout, left_out) = layout.without_personal_filters();
        let view = SavedView {
            name: name.trim().to_owned(),
            layout,
        };
        (view, left_out)
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The layout it restores.
    pub fn layout(&self) -> &TableLayout {
        &self.layout
    }
}

/// What the window says when saving left personal filters out: "O filtro de Cliente não foi
/// salvo: a visão não guarda dados pessoais." (`None` when nothing was left out).
pub fn personal_filters_notice(left_out: &[Column]) -> Option<String> {
    let labels: Vec<&str> = left_out.iter().map(|c| c.label()).collect();
    let (last, first) = labels.split_last()?;
    Some(if first.is_empty() {
        format!("O filtro de {last} não foi salvo: a visão não guarda dados pessoais.")
    } else {
        format!(
            "Os filtros de {} e {last} não foram salvos: a visão não guarda dados pessoais.",
            first.join(", ")
        )
    })
}

/// Why a name cannot be used for a view.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ViewNameError {
    /// Blank.
    #[error("Dê um nome à visão.")]
    Empty,
    /// Over [`VIEW_NAME_MAX_CHARS`].
    #[error("Nome longo demais: use até {VIEW_NAME_MAX_CHARS} caracteres.")]
    TooLong,
    /// Another view has it (names compare ignoring case, accents and outer spaces).
    #[error("Já existe uma visão chamada «{0}».")]
    Taken(String),
}

/// The saved views, in the order they were saved; no two with the same name (ignoring case,
/// accents and outer spaces). Read tolerantly: blank names are dropped, and of two views with
/// the same name the later one is kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<SavedView>", into = "Vec<SavedView>")]
pub struct SavedViews(Vec<SavedView>);

impl From<Vec<SavedView>> for SavedViews {
    fn from(views: Vec<SavedView>) -> SavedViews {
        let mut saved = SavedViews::default();
        for view in views {
            if !view.name.is_empty() && view.name.chars().count() <= VIEW_NAME_MAX_CHARS {
                saved.save(view);
            }
        }
        saved
    }
}

impl From<SavedViews> for Vec<SavedView> {
    fn from(views: SavedViews) -> Vec<SavedView> {
        views.0
    }
}

/// The form of a name that comparisons use.
fn name_key(name: &str) -> String {
    super::fold(name.trim())
}

impl SavedViews {
    /// The views, in the order they were saved.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &SavedView> + '_ {
        self.0.iter()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The view called `name` (ignoring case, accents and outer spaces).
    pub fn get(&self, name: &str) -> Option<&SavedView> {
        let key = name_key(name);
        self.0.iter().find(|v| name_key(&v.name) == key)
    }

    /// Checks a name for a new view: not blank, not too long. Returns it trimmed. (A taken
    /// name is not an error here: saving asks to replace.)
    pub fn check_name(name: &str) -> Result<String, ViewNameError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ViewNameError::Empty);
        }
        if name.chars().count() > VIEW_NAME_MAX_CHARS {
            return Err(ViewNameError::TooLong);
        }
        Ok(name.to_owned())
    }

    /// Saves `view`, replacing in place a view of the same name (it keeps its place in the
    /// menu, and takes the new spelling of the name). Returns whether one was replaced.
    pub fn save(&mut self, view: SavedView) -> bool {
        let key = name_key(&view.name);
        match self.0.iter_mut().find(|v| name_key(&v.name) == key) {
            Some(existing) => {
                *existing = view;
                true
            }
            None => {
                self.0.push(view);
                false
            }
        }
    }

    /// Renames the view `from` to `to` (trimmed). Renaming a view to another spelling of its
    /// own name is allowed; the name of another view is not. Returns whether a view was
    /// renamed (`Ok(false)`: no view is called `from`).
    pub fn rename(&mut self, from: &str, to: &str) -> Result<bool, ViewNameError> {
        let to = SavedViews::check_name(to)?;
        let from_key = name_key(from);
        let to_key = name_key(&to);
        if to_key != from_key
            && let Some(other) = self.get(&to)
        {
            return Err(ViewNameError::Taken(other.name.clone()));
        }
        match self.0.iter_mut().find(|v| name_key(&v.name) == from_key) {
            Some(view) => {
                view.name = to;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Deletes the view `name`. Returns whether there was one.
    pub fn delete(&mut self, name: &str) -> bool {
        let key = name_key(name);
        let before = self.0.len();
        self.0.retain(|v| name_key(&v.name) != key);
        self.0.len() != before
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

    // ---- Saved views ----

    use std::collections::BTreeSet;

    use crate::results::ColumnFilter;

    fn values(keys: &[&str]) -> ColumnFilter {
        ColumnFilter::Values {
            values: keys
                .iter()
                .map(|k| (*k).to_owned())
                .collect::<BTreeSet<_>>(),
            blanks: false,
        }
    }

    /// A layout with a filter on every personal column and on two others.
    fn layout_with_personal_filters() -> TableLayout {
        let mut filters = ColumnFilters::new();
        filters.set(Column::TipoContato, values(&["W", "S"]));
        filters.set(Column::NomeCliente, values(&["Raimundo Souza Carvalho"]));
        filters.set(Column::CpfCnpj, values(&["981.171.639-00"]));
        filters.set(
            Column::Interacao,
            ColumnFilter::Contains {
                text: "desemprego".to_owned(),
            },
        );
        filters.set(
            Column::IdEvento,
            ColumnFilter::NumberRange {
                from: Some(100),
                to: Some(199),
            },
        );
        let mut order = ColumnOrder::default();
        order.move_before(Column::Interacao, Some(Column::Data));
        TableLayout {
            order,
            hidden: vec![Column::IdCredor, Column::IdCliente],
            sort: Some(SortSpec {
                column: Column::NomeCliente,
                descending: true,
            }),
            filters,
        }
    }

    #[test]
    fn a_saved_view_leaves_personal_filters_out_and_keeps_the_rest() {
        let layout = layout_with_personal_filters();
        let (view, left_out) = SavedView::new("  Cobrança WhatsApp ", &layout);
        assert_eq!(view.name(), "Cobrança WhatsApp");
        assert_eq!(
            left_out,
            [Column::NomeCliente, Column::CpfCnpj, Column::Interacao]
        );
        let kept = &view.layout().filters;
        assert_eq!(kept.len(), 2);
        assert_eq!(
            kept.get(Column::TipoContato),
            layout.filters.get(Column::TipoContato)
        );
        assert_eq!(
            kept.get(Column::IdEvento),
            layout.filters.get(Column::IdEvento)
        );
        // Order, hidden columns and sort (even by a personal column: no value) are kept.
        assert_eq!(view.layout().order, layout.order);
        assert_eq!(view.layout().hidden, layout.hidden);
        assert_eq!(view.layout().sort, layout.sort);

        let json = serde_json::to_string(&view).unwrap();
        for personal in ["Raimundo", "981.171.639-00", "98117163900", "desemprego"] {
            assert!(!json.contains(personal), "«{personal}» in {json}");
        }
        let back: SavedView = serde_json::from_str(&json).unwrap();
        assert_eq!(back, view);
    }

    #[test]
    fn a_hand_written_view_with_personal_filters_loses_them_when_read() {
        let layout = layout_with_personal_filters();
        // As if a file held the layout unstripped.
        let json = serde_json::json!({ "name": "Editada", "layout": layout }).to_string();
        assert!(json.contains("Raimundo"));
        let view: SavedView = serde_json::from_str(&json).unwrap();
        assert!(view.layout().filters.get(Column::NomeCliente).is_none());
        assert!(view.layout().filters.get(Column::CpfCnpj).is_none());
        assert!(view.layout().filters.get(Column::Interacao).is_none());
        assert!(view.layout().filters.get(Column::TipoContato).is_some());
        assert!(!serde_json::to_string(&view).unwrap().contains("Raimundo"));
    }

    #[test]
    fn the_notice_names_the_filters_left_out() {
        assert_eq!(personal_filters_notice(&[]), None);
        assert_eq!(
            personal_filters_notice(&[Column::NomeCliente]).as_deref(),
            Some("O filtro de Cliente não foi salvo: a visão não guarda dados pessoais.")
        );
        assert_eq!(
            personal_filters_notice(&[Column::NomeCliente, Column::CpfCnpj, Column::Interacao])
                .as_deref(),
            Some(
                "Os filtros de Cliente, CPF/CNPJ e Interação não foram salvos: a visão não guarda dados pessoais."
            )
        );
    }

    #[test]
    fn views_save_replace_rename_and_delete_by_name_ignoring_case_and_accents() {
        let mut views = SavedViews::default();
        let layout = TableLayout::default();
        assert!(!views.save(SavedView::new("Cobrança", &layout).0));
        assert!(!views.save(SavedView::new("Agenda", &layout).0));
        // Same name, another spelling: replaces in place.
        let mut sorted = layout.clone();
        sorted.sort = Some(SortSpec {
            column: Column::Data,
            descending: false,
        });
        assert!(views.save(SavedView::new("COBRANCA ", &sorted).0));
        let names: Vec<&str> = views.iter().map(SavedView::name).collect();
        assert_eq!(names, ["COBRANCA", "Agenda"]);
        assert_eq!(views.get("cobrança").unwrap().layout(), &sorted);

        assert_eq!(
            views.rename("agenda", "cobrança"),
            Err(ViewNameError::Taken("COBRANCA".to_owned()))
        );
        assert_eq!(views.rename("agenda", "  "), Err(ViewNameError::Empty));
        assert_eq!(views.rename("agenda", "Agenda da semana"), Ok(true));
        assert_eq!(
            views.rename("Cobranca", "Cobrança"),
            Ok(true),
            "own name respelled"
        );
        assert_eq!(views.rename("inexistente", "Outra"), Ok(false));
        let names: Vec<&str> = views.iter().map(SavedView::name).collect();
        assert_eq!(names, ["Cobrança", "Agenda da semana"]);

        assert!(views.delete("AGENDA DA SEMANA"));
        assert!(!views.delete("Agenda da semana"));
        assert_eq!(views.iter().count(), 1);

        assert_eq!(SavedViews::check_name(" Nova "), Ok("Nova".to_owned()));
        assert_eq!(SavedViews::check_name(""), Err(ViewNameError::Empty));
        assert_eq!(
            SavedViews::check_name(&"x".repeat(VIEW_NAME_MAX_CHARS + 1)),
            Err(ViewNameError::TooLong)
        );
    }

    #[test]
    fn views_read_tolerantly() {
        let json = r#"[
            {"name": "A", "layout": {"hidden": ["IdCredor"]}},
            {"name": "   "},
            {"name": "a", "layout": {"order": ["cpf_cnpj", "data"]}},
            {"name": "B"}
        ]"#;
        let views: SavedViews = serde_json::from_str(json).unwrap();
        let names: Vec<&str> = views.iter().map(SavedView::name).collect();
        assert_eq!(
            names,
            ["a", "B"],
            "blank names dropped, the later «a» kept in A's place"
        );
        assert_eq!(
            views.get("A").unwrap().layout().order.columns()[0],
            Column::CpfCnpj
        );
        assert!(views.get("B").unwrap().layout().order.is_default());
        // Every column hidden would leave an empty table: the layout shows them all.
        let all_hidden = TableLayout {
            hidden: Column::ALL.to_vec(),
            ..TableLayout::default()
        };
        assert!(all_hidden.hidden_columns().is_empty());
        let repeated = TableLayout {
            hidden: vec![Column::Data, Column::Data],
            ..TableLayout::default()
        };
        assert_eq!(repeated.hidden_columns(), [Column::Data]);
    }
}
