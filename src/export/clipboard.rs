//! What the window puts on the clipboard: the selected rows as TSV ("Copiar linhas",
//! Ctrl+C), one cell's value ("Copiar célula"), and the size of a large copy before it is made.
//!
//! The text itself is [`tsv_text`]'s (Excel's quoting, values as on screen, formula
//! protection); this module picks the rows (the selection, in view order) and the columns
//! (the visible ones, in table order).

use std::sync::atomic::AtomicBool;

use super::tsv::tsv_text;
use crate::api::{Column, Followup};
use crate::results::{Cancelled, Rows, Selection};

/// Past this many rows the window asks before copying (100,000 rows with every column make
/// about 26 MB of text with the simulator's interaction texts, more with longer ones).
pub const CONFIRM_COPY_ROWS: usize = 100_000;

/// How many rows of the view [`estimate_copy_bytes`] formats to measure an average row.
const ESTIMATE_SAMPLE_ROWS: usize = 256;

/// The selected rows of `view` (in view order) as TSV with a header row, `columns` in the
/// order given. Meant for a background thread: returns [`Cancelled`] soon after `cancel` is
/// set.
pub fn selected_rows_text(
    rows: &Rows,
    view: &[u32],
    selection: &Selection,
    columns: &[Column],
    cancel: &AtomicBool,
) -> Result<String, Cancelled> {
    let selected = selection
        .rows_in_view_order(view)
        .filter_map(|index| rows.get(index as usize));
    tsv_text(selected, columns, cancel)
}

/// One cell's value as "Copiar célula" puts it on the clipboard: the field exactly as the row
/// copy writes it (as on screen, with the same formula protection, enclosed in `"` only when it
/// holds a tab, a line break or `"`, so a paste into Excel keeps it in one cell), without a
/// header and without a line end.
pub fn cell_text(row: &Followup, column: Column) -> String {
    let never = AtomicBool::new(false);
    let Ok(text) = tsv_text(std::iter::once(row), &[column], &never) else {
        return String::new();
    };
    // The header is a column label (one line, no quotes); the field follows it.
    let field = text.split_once("\r\n").map_or("", |(_, field)| field);
    field.strip_suffix("\r\n").unwrap_or(field).to_owned()
}

/// About how many bytes [`selected_rows_text`] will build for `count` selected rows of
/// `view`, from the average of up to 256 rows spread evenly over the view (rows of one view
/// are alike in size; the interaction text dominates). Cheap enough for the UI thread.
pub fn estimate_copy_bytes(rows: &Rows, view: &[u32], count: usize, columns: &[Column]) -> u64 {
    let never = AtomicBool::new(false);
    let header = tsv_text(std::iter::empty(), columns, &never).map_or(0, |t| t.len() as u64);
    let step = (view.len() / ESTIMATE_SAMPLE_ROWS).max(1);
    let sample: Vec<&Followup> = view
        .iter()
        .step_by(step)
        .take(ESTIMATE_SAMPLE_ROWS)
        .filter_map(|&index| rows.get(index as usize))
        .collect();
    if sample.is_empty() {
        return header;
    }
    let sampled = tsv_text(sample.iter().copied(), columns, &never)
        .map_or(0, |t| (t.len() as u64).saturating_sub(header));
    let per_row = sampled / sample.len() as u64;
    header.saturating_add(per_row.saturating_mul(count as u64))
}

/// The question asked before a copy of more than [`CONFIRM_COPY_ROWS`] rows:
/// `Copiar 250.000 linhas? O texto terá cerca de 140 MB.`
pub fn confirm_copy_question(rows: usize, estimated_bytes: u64) -> String {
    format!(
        "Copiar {}? O texto terá cerca de {}.",
        crate::fmt::count_br(rows, "linha", "linhas"),
        approximate_size_br(estimated_bytes)
    )
}

/// A size rounded as people say it: `140 MB`, `2,5 MB`, `1,3 GB`, `1 MB` at least.
fn approximate_size_br(bytes: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    let mb = bytes as f64 / MB;
    if mb >= 1024.0 {
        format!("{:.1} GB", mb / 1024.0).replace('.', ",")
    } else if mb >= 10.0 {
        format!("{} MB", crate::fmt::thousands(mb.round() as u64))
    } else if mb >= 1.0 {
        format!("{mb:.1} MB").replace('.', ",")
    } else {
        "1 MB".to_owned()
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::api::FollowupFields;
    use crate::api::{SharedStr, TipoContato};
    use crate::results::{Motion, ResultSet, SortSpec, ViewSpec};

    fn row(id: i64, name: &str, text: &str) -> Followup {
        Followup::from(FollowupFields {
            id_followup: Some(id),
            nome_cliente: Some(SharedStr::from(name)),
            cpf_cnpj: Some(SharedStr::from("01234567890")),
            interacao: Some(Box::from(text)),
            tipo_contato: Some(TipoContato::from_code("W")),
            ..FollowupFields::default()
        })
    }

    fn set() -> ResultSet {
        ResultSet::from_rows(vec![
            row(1, "Carla", "ligou"),
            row(2, "Ana", "=HYPERLINK(\"x\")"),
            row(3, "Bruno", "linha 1\nlinha 2"),
        ])
    }

    #[test]
    fn the_selected_rows_are_copied_in_view_order_with_the_given_columns() {
        let mut set = set();
        set.set_view(ViewSpec {
            sort: Some(SortSpec {
                column: Column::NomeCliente,
                descending: false,
            }),
            ..ViewSpec::default()
        });
        // View: Ana (1), Bruno (2), Carla (0). Select Bruno and Ana from the bottom up.
        let view = set.view_indices().to_vec();
        assert_eq!(view, [1, 2, 0]);
        let mut selection = Selection::default();
        selection.click(&view, 1);
        selection.move_current(&view, Motion::Up, true);
        let columns = [Column::NomeCliente, Column::CpfCnpj, Column::Interacao];
        let text = selected_rows_text(
            set.rows(),
            &view,
            &selection,
            &columns,
            &AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!(
            text,
            "Cliente\tCPF/CNPJ\tInteração\r\n\
             Ana\t012.345.678-90\t\"'=HYPERLINK(\"\"x\"\")\"\r\n\
             Bruno\t012.345.678-90\t\"linha 1\nlinha 2\"\r\n"
        );
    }

    #[test]
    fn nothing_selected_copies_the_header_only() {
        let set = set();
        let text = selected_rows_text(
            set.rows(),
            set.view_indices(),
            &Selection::default(),
            &[Column::IdFollowup],
            &AtomicBool::new(false),
        )
        .unwrap();
        assert_eq!(text, format!("{}\r\n", Column::IdFollowup.label()));
    }

    #[test]
    fn a_cancelled_copy_returns_cancelled() {
        let set = set();
        let mut selection = Selection::default();
        selection.select_all(set.view_indices());
        let cancelled = AtomicBool::new(true);
        assert_eq!(
            selected_rows_text(
                set.rows(),
                set.view_indices(),
                &selection,
                &Column::ALL,
                &cancelled
            ),
            Err(Cancelled)
        );
    }

    #[test]
    fn a_cell_is_its_field_without_header_or_line_end() {
        let set = set();
        let rows = set.rows();
        let cell = |index: usize, column| cell_text(rows.get(index).unwrap(), column);
        assert_eq!(cell(0, Column::NomeCliente), "Carla");
        assert_eq!(cell(0, Column::CpfCnpj), "012.345.678-90");
        assert_eq!(cell(0, Column::TipoContato), "WhatsApp");
        assert_eq!(cell(0, Column::IdFollowup), "1");
        // The same protection and quoting as the row copy.
        assert_eq!(cell(1, Column::Interacao), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell(2, Column::Interacao), "\"linha 1\nlinha 2\"");
        assert_eq!(cell(0, Column::NomeConsultor), "");
    }

    #[test]
    fn the_question_says_how_many_rows_and_how_big() {
        assert_eq!(
            confirm_copy_question(250_000, 140 * 1024 * 1024 + 300_000),
            "Copiar 250.000 linhas? O texto terá cerca de 140 MB."
        );
        assert_eq!(
            confirm_copy_question(100_001, 5 * 1024 * 1024 / 2),
            "Copiar 100.001 linhas? O texto terá cerca de 2,5 MB."
        );
        assert_eq!(
            confirm_copy_question(4_000_000, 3 * 1024 * 1024 * 1024 / 2),
            "Copiar 4.000.000 linhas? O texto terá cerca de 1,5 GB."
        );
        assert!(confirm_copy_question(1, 10).ends_with("cerca de 1 MB."));
    }

    #[test]
    fn the_estimate_is_close_to_the_real_size() {
        let rows: Vec<Followup> = crate::sim::huge_history_rows(5_000);
        let set = ResultSet::from_rows(rows);
        let view = set.view_indices();
        let mut selection = Selection::default();
        selection.select_all(view);
        let columns = Column::ALL;
        let real = selected_rows_text(
            set.rows(),
            view,
            &selection,
            &columns,
            &AtomicBool::new(false),
        )
        .unwrap()
        .len() as f64;
        let estimate = estimate_copy_bytes(set.rows(), view, view.len(), &columns) as f64;
        assert!(
            (estimate / real - 1.0).abs() < 0.15,
            "estimate {estimate} vs real {real}"
        );
        assert!(estimate_copy_bytes(set.rows(), &[], 0, &columns) > 0);
    }
}
