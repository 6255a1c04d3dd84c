//! The table's selection: the current row (the keyboard cursor), the anchor of a Shift
//! extension, and the set of selected rows.
//!
//! Rows are named by their identity, the index of the row in arrival order in the
//! [`ResultSet`](super::ResultSet), which never changes (rows are only appended). Every
//! operation takes the current view (the row indices in view order, as
//! [`ResultSet::view_indices`](super::ResultSet::view_indices) gives them): moves and ranges
//! follow the view's order, so the selection survives sorts and filters unchanged, and
//! [`Selection::retain_in_view`] drops the rows a new view no longer shows.
//!
//! The selected set is a bitset over row identities (one bit per row of the result set,
//! 125 KB at a million rows): selecting every row of a million-row view costs about a
//! millisecond, and no operation costs more than one pass over the view (see
//! `benches/selection.rs`, which compares it with a hash set and a sorted vector).
//!
//! ```
//! use recuperador_followups::results::{Motion, Selection};
//!
//! // A view sorted some way: row 7 first, then rows 3, 9 and 1.
//! let view = [7, 3, 9, 1];
//! let mut selection = Selection::default();
//! selection.click(&view, 1); // row 3
//! selection.move_current(&view, Motion::Down, true); // Shift+↓ adds row 9
//! assert_eq!(selection.current(), Some(9));
//! assert_eq!(selection.rows_in_view_order(&view).collect::<Vec<_>>(), [3, 9]);
//! ```

/// A move of the current row, in view order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    /// One row up (↑).
    Up,
    /// One row down (↓).
    Down,
    /// This many rows up (PgUp, a page being the rows on screen); at least one.
    PageUp(usize),
    /// This many rows down (PgDn); at least one.
    PageDown(usize),
    /// The first row of the view (Home).
    Home,
    /// The last row of the view (End).
    End,
}

/// A row and where it was last seen in the view: finding it again is then O(1) until the view
/// changes, and one pass over the view after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cursor {
    row: u32,
    position: usize,
}

impl Cursor {
    /// The row's position in `view`, if the view shows it.
    fn locate(&self, view: &[u32]) -> Option<usize> {
        if view.get(self.position) == Some(&self.row) {
            return Some(self.position);
        }
        view.iter().position(|&row| row == self.row)
    }

    /// The cursor at `position` of `view`, if there is such a position.
    fn at(view: &[u32], position: usize) -> Option<Cursor> {
        view.get(position).map(|&row| Cursor { row, position })
    }
}

/// A set of row identities: one bit per row, and how many are set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct RowBits {
    words: Vec<u64>,
    count: usize,
}

impl RowBits {
    fn split(row: u32) -> (usize, u64) {
        ((row / 64) as usize, 1u64 << (row % 64))
    }

    fn contains(&self, row: u32) -> bool {
        let (word, bit) = Self::split(row);
        self.words.get(word).is_some_and(|w| w & bit != 0)
    }

    fn insert(&mut self, row: u32) {
        let (word, bit) = Self::split(row);
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        if let Some(w) = self.words.get_mut(word)
            && *w & bit == 0
        {
            *w |= bit;
            self.count += 1;
        }
    }

    fn remove(&mut self, row: u32) {
        let (word, bit) = Self::split(row);
        if let Some(w) = self.words.get_mut(word)
            && *w & bit != 0
        {
            *w &= !bit;
            self.count -= 1;
        }
    }

    /// Empties the set, keeping its memory for the next selection.
    fn clear(&mut self) {
        self.words.fill(0);
        self.count = 0;
    }

    /// Makes room for rows up to `max_row`.
    fn reserve(&mut self, max_row: u32) {
        let words = (max_row / 64) as usize + 1;
        if words > self.words.len() {
            self.words.resize(words, 0);
        }
    }

    /// Adds every row of `rows` (one pass, no branch per row), then recounts.
    fn insert_all(&mut self, rows: &[u32]) {
        let Some(&max) = rows.iter().max() else {
            return;
        };
        self.reserve(max);
        for &row in rows {
            let (word, bit) = Self::split(row);
            if let Some(w) = self.words.get_mut(word) {
                *w |= bit;
            }
        }
        self.recount();
    }

    /// Keeps only the rows also in `other`.
    fn intersect(&mut self, other: &RowBits) {
        for (index, word) in self.words.iter_mut().enumerate() {
            *word &= other.words.get(index).copied().unwrap_or(0);
        }
        self.recount();
    }

    fn recount(&mut self) {
        self.count = self.words.iter().map(|w| w.count_ones() as usize).sum();
    }
}

/// The current row, the anchor and the selected rows of the table (see the module docs).
///
/// Never persisted: row identities mean nothing once the results are replaced, and the
/// selected rows are personal data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    current: Option<Cursor>,
    anchor: Option<Cursor>,
    selected: RowBits,
}

impl Selection {
    /// The current row (the keyboard cursor), if any: what Enter opens in the details pane.
    pub fn current(&self) -> Option<u32> {
        self.current.map(|c| c.row)
    }

    /// Where the current row is in `view`, if the view shows it. O(1) right after a move,
    /// one pass over the view when the view changed since.
    pub fn current_position(&self, view: &[u32]) -> Option<usize> {
        self.current?.locate(view)
    }

    /// The row a Shift extension starts from, if any.
    pub fn anchor(&self) -> Option<u32> {
        self.anchor.map(|c| c.row)
    }

    /// Whether `row` is selected.
    pub fn is_selected(&self, row: u32) -> bool {
        self.selected.contains(row)
    }

    /// How many rows are selected.
    pub fn count(&self) -> usize {
        self.selected.count
    }

    /// Whether no row is selected and there is no current row.
    pub fn is_empty(&self) -> bool {
        self.selected.count == 0 && self.current.is_none()
    }

    /// The selected rows, in the order of `view` (rows it does not show are left out).
    pub fn rows_in_view_order<'a>(&'a self, view: &'a [u32]) -> impl Iterator<Item = u32> + 'a {
        view.iter()
            .copied()
            .filter(|&row| self.selected.contains(row))
    }

    /// Moves the current row. Without `extend`, the new current row alone is selected and
    /// becomes the anchor; with it (Shift), the selection becomes the rows from the anchor to
    /// the new current row, in view order. With no current row in the view, every motion but
    /// [`Motion::End`] starts on the first row. Returns the new current row's position in
    /// `view` (to scroll to), or `None` when the view is empty (nothing changes then).
    pub fn move_current(&mut self, view: &[u32], motion: Motion, extend: bool) -> Option<usize> {
        let last = view.len().checked_sub(1)?;
        let from = self.current_position(view);
        let to = match (from, motion) {
            (_, Motion::Home) => 0,
            (_, Motion::End) => last,
            (None, _) => 0,
            (Some(p), Motion::Up) => p.saturating_sub(1),
            (Some(p), Motion::Down) => p.saturating_add(1).min(last),
            (Some(p), Motion::PageUp(page)) => p.saturating_sub(page.max(1)),
            (Some(p), Motion::PageDown(page)) => p.saturating_add(page.max(1)).min(last),
        };
        if extend {
            // Without an anchor, the extension starts where the cursor was.
            let anchor = self
                .anchor
                .and_then(|a| a.locate(view).map(|position| Cursor { position, ..a }))
                .or_else(|| from.and_then(|p| Cursor::at(view, p)));
            self.select_range(view, anchor, to);
        } else {
            self.click(view, to);
        }
        Some(to)
    }

    /// A plain click on the row at `position` of `view`: it alone is selected, and it becomes
    /// the current row and the anchor. A position past the view's end changes nothing.
    pub fn click(&mut self, view: &[u32], position: usize) {
        let Some(cursor) = Cursor::at(view, position) else {
            return;
        };
        self.selected.clear();
        self.selected.insert(cursor.row);
        self.current = Some(cursor);
        self.anchor = Some(cursor);
    }

    /// Ctrl+click (Cmd+click on macOS) on the row at `position`: it joins the selection or
    /// leaves it, the others stay; it becomes the current row and the anchor.
    pub fn toggle(&mut self, view: &[u32], position: usize) {
        let Some(cursor) = Cursor::at(view, position) else {
            return;
        };
        if self.selected.contains(cursor.row) {
            self.selected.remove(cursor.row);
        } else {
            self.selected.insert(cursor.row);
        }
        self.current = Some(cursor);
        self.anchor = Some(cursor);
    }

    /// Shift+click on the row at `position`: the selection becomes the rows from the anchor
    /// to it, in view order (a plain click when there is no anchor in the view). The anchor
    /// stays; the row becomes the current row.
    pub fn extend_to(&mut self, view: &[u32], position: usize) {
        if position >= view.len() {
            return;
        }
        let anchor = self
            .anchor
            .and_then(|a| a.locate(view).map(|position| Cursor { position, ..a }));
        self.select_range(view, anchor, position);
    }

    /// Selects every row of `view` (Ctrl+A). The current row and the anchor stay.
    pub fn select_all(&mut self, view: &[u32]) {
        self.selected.clear();
        self.selected.insert_all(view);
    }

    /// Clears the selection, the current row and the anchor (Esc).
    pub fn clear(&mut self) {
        self.selected.clear();
        self.current = None;
        self.anchor = None;
    }

    /// Keeps what `view`, a newly installed view, still shows: selected rows it hides leave
    /// the selection. When it hides the current row, the first selected row it shows becomes
    /// current (none when no selected row is left); an anchor it hides moves to the current
    /// row. One pass over the view; nothing at all when nothing is selected.
    pub fn retain_in_view(&mut self, view: &[u32]) {
        if self.is_empty() && self.anchor.is_none() {
            return;
        }
        // Which rows the view shows, as bits: only rows that can be selected, current or
        // anchor matter, so the set stops at the largest of them.
        let mut in_view = RowBits::default();
        let largest = [self.current, self.anchor]
            .into_iter()
            .flatten()
            .map(|c| c.row)
            .chain(
                (self.selected.words.len() * 64)
                    .checked_sub(1)
                    .map(|r| r as u32),
            )
            .max()
            .unwrap_or(0);
        in_view.reserve(largest);
        for &row in view {
            let (word, bit) = RowBits::split(row);
            if let Some(w) = in_view.words.get_mut(word) {
                *w |= bit;
            }
        }
        self.selected.intersect(&in_view);
        let shown = |cursor: Option<Cursor>| cursor.filter(|c| in_view.contains(c.row));
        self.current = shown(self.current).or_else(|| {
            // The first selected row of the view takes the current row's place.
            let position = view.iter().position(|&row| self.selected.contains(row))?;
            Cursor::at(view, position)
        });
        self.anchor = shown(self.anchor).or(self.current);
    }

    /// Selects exactly the rows between `anchor` and position `to` of `view` (inclusive, in
    /// view order), the row at `to` becoming current. Without an anchor, a plain click on `to`.
    fn select_range(&mut self, view: &[u32], anchor: Option<Cursor>, to: usize) {
        let (Some(anchor), Some(current)) = (anchor, Cursor::at(view, to)) else {
            self.click(view, to);
            return;
        };
        let (start, end) = if anchor.position <= to {
            (anchor.position, to)
        } else {
            (to, anchor.position)
        };
        self.selected.clear();
        if let Some(range) = view.get(start..=end) {
            self.selected.insert_all(range);
        }
        self.anchor = Some(anchor);
        self.current = Some(current);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn selected(selection: &Selection, view: &[u32]) -> Vec<u32> {
        selection.rows_in_view_order(view).collect()
    }

    /// A view that is not in arrival order, as after a sort.
    const VIEW: [u32; 6] = [50, 3, 17, 8, 42, 0];

    #[test]
    fn arrows_move_the_current_row_alone_selected() {
        let mut s = Selection::default();
        assert_eq!(s.move_current(&VIEW, Motion::Down, false), Some(0));
        assert_eq!(s.current(), Some(50));
        assert_eq!(s.move_current(&VIEW, Motion::Down, false), Some(1));
        assert_eq!(s.move_current(&VIEW, Motion::Down, false), Some(2));
        assert_eq!(s.current(), Some(17));
        assert_eq!(selected(&s, &VIEW), [17]);
        assert_eq!(s.anchor(), Some(17));
        assert_eq!(s.move_current(&VIEW, Motion::Up, false), Some(1));
        assert_eq!(selected(&s, &VIEW), [3]);
        assert_eq!(s.count(), 1);
    }

    #[test]
    fn moves_are_clamped_to_the_view() {
        let mut s = Selection::default();
        s.click(&VIEW, 0);
        assert_eq!(s.move_current(&VIEW, Motion::Up, false), Some(0));
        assert_eq!(s.move_current(&VIEW, Motion::PageUp(10), false), Some(0));
        assert_eq!(s.move_current(&VIEW, Motion::PageDown(4), false), Some(4));
        assert_eq!(s.move_current(&VIEW, Motion::PageDown(4), false), Some(5));
        assert_eq!(s.move_current(&VIEW, Motion::Down, false), Some(5));
        assert_eq!(s.current(), Some(0));
        assert_eq!(s.move_current(&VIEW, Motion::Home, false), Some(0));
        assert_eq!(s.move_current(&VIEW, Motion::End, false), Some(5));
        assert_eq!(s.move_current(&VIEW, Motion::PageUp(2), false), Some(3));
        // A page of zero rows (a table too short to show one) still moves.
        assert_eq!(s.move_current(&VIEW, Motion::PageUp(0), false), Some(2));
    }

    #[test]
    fn an_empty_view_changes_nothing() {
        let mut s = Selection::default();
        for motion in [
            Motion::Up,
            Motion::Down,
            Motion::PageUp(5),
            Motion::PageDown(5),
            Motion::Home,
            Motion::End,
        ] {
            assert_eq!(s.move_current(&[], motion, false), None);
            assert_eq!(s.move_current(&[], motion, true), None);
        }
        s.click(&[], 0);
        s.toggle(&[], 3);
        s.extend_to(&[], 1);
        s.select_all(&[]);
        assert!(s.is_empty());
        s.retain_in_view(&[]);
        assert!(s.is_empty());
    }

    #[test]
    fn without_a_current_row_end_goes_last_and_the_rest_first() {
        let mut s = Selection::default();
        assert_eq!(s.move_current(&VIEW, Motion::End, false), Some(5));
        s.clear();
        assert_eq!(s.move_current(&VIEW, Motion::Up, false), Some(0));
        s.clear();
        assert_eq!(s.move_current(&VIEW, Motion::PageDown(3), false), Some(0));
    }

    #[test]
    fn shift_extends_from_the_anchor_in_view_order() {
        let mut s = Selection::default();
        s.click(&VIEW, 2); // row 17
        s.move_current(&VIEW, Motion::Down, true);
        s.move_current(&VIEW, Motion::Down, true);
        assert_eq!(selected(&s, &VIEW), [17, 8, 42]);
        assert_eq!(s.anchor(), Some(17));
        assert_eq!(s.current(), Some(42));
        // Going back past the anchor flips the range.
        s.move_current(&VIEW, Motion::Up, true);
        s.move_current(&VIEW, Motion::Up, true);
        s.move_current(&VIEW, Motion::Up, true);
        assert_eq!(selected(&s, &VIEW), [3, 17]);
        s.move_current(&VIEW, Motion::Home, true);
        assert_eq!(selected(&s, &VIEW), [50, 3, 17]);
        s.move_current(&VIEW, Motion::End, true);
        assert_eq!(selected(&s, &VIEW), [17, 8, 42, 0]);
        assert_eq!(s.count(), 4);
        // A plain move collapses the selection to the new current row.
        s.move_current(&VIEW, Motion::Up, false);
        assert_eq!(selected(&s, &VIEW), [42]);
    }

    #[test]
    fn shift_without_anchor_starts_where_the_cursor_is() {
        let mut s = Selection::default();
        s.move_current(&VIEW, Motion::Down, true);
        assert_eq!(selected(&s, &VIEW), [50]);
        s.move_current(&VIEW, Motion::Down, true);
        assert_eq!(selected(&s, &VIEW), [50, 3]);
    }

    #[test]
    fn ctrl_click_toggles_and_shift_click_extends() {
        let mut s = Selection::default();
        s.click(&VIEW, 1); // 3
        s.toggle(&VIEW, 4); // 42
        s.toggle(&VIEW, 5); // 0
        assert_eq!(selected(&s, &VIEW), [3, 42, 0]);
        s.toggle(&VIEW, 4);
        assert_eq!(selected(&s, &VIEW), [3, 0]);
        assert_eq!(s.current(), Some(42), "a row toggled off stays the cursor");
        assert!(!s.is_selected(42));
        // Shift+click ranges from the last toggled row (the anchor) and replaces the rest.
        s.extend_to(&VIEW, 2);
        assert_eq!(selected(&s, &VIEW), [17, 8, 42]);
        assert_eq!(s.current(), Some(17));
        assert_eq!(s.anchor(), Some(42));
        // A plain click starts over.
        s.click(&VIEW, 0);
        assert_eq!(selected(&s, &VIEW), [50]);
        // Positions past the end are ignored.
        s.toggle(&VIEW, 6);
        s.extend_to(&VIEW, 99);
        s.click(&VIEW, usize::MAX);
        assert_eq!(selected(&s, &VIEW), [50]);
    }

    #[test]
    fn shift_click_without_anchor_is_a_click() {
        let mut s = Selection::default();
        s.extend_to(&VIEW, 3);
        assert_eq!(selected(&s, &VIEW), [8]);
        assert_eq!(s.anchor(), Some(8));
    }

    #[test]
    fn select_all_takes_the_view_and_keeps_the_cursor() {
        let mut s = Selection::default();
        s.click(&VIEW, 3);
        s.select_all(&VIEW);
        assert_eq!(s.count(), VIEW.len());
        assert_eq!(selected(&s, &VIEW), VIEW);
        assert_eq!(s.current(), Some(8));
        // Only the view: a narrower view selects only its rows.
        s.select_all(&VIEW[..2]);
        assert_eq!(s.count(), 2);
        assert!(!s.is_selected(8));
        s.clear();
        assert!(s.is_empty());
        assert_eq!(s.count(), 0);
        assert_eq!(s.current(), None);
        assert_eq!(s.anchor(), None);
    }

    #[test]
    fn a_new_view_keeps_the_selection_by_identity() {
        let mut s = Selection::default();
        s.click(&VIEW, 1); // 3
        s.move_current(&VIEW, Motion::Down, true); // 17
        s.move_current(&VIEW, Motion::Down, true); // 8
        // The same rows sorted another way: the same rows stay selected, in the new order.
        let resorted = [0, 3, 8, 17, 42, 50];
        s.retain_in_view(&resorted);
        assert_eq!(selected(&s, &resorted), [3, 8, 17]);
        assert_eq!(s.current(), Some(8));
        assert_eq!(s.current_position(&resorted), Some(2));
        assert_eq!(s.anchor(), Some(3));
        // Shift now ranges in the new order, from the same anchor.
        s.move_current(&resorted, Motion::Down, true);
        assert_eq!(selected(&s, &resorted), [3, 8, 17]);
        assert_eq!(s.current(), Some(17));
    }

    #[test]
    fn rows_a_filter_hides_leave_the_selection() {
        let mut s = Selection::default();
        s.select_all(&VIEW);
        s.click(&VIEW, 4); // current 42, alone
        s.select_all(&VIEW);
        // A filter hides 42 (the current row) and 50.
        let filtered = [3, 17, 8, 0];
        s.retain_in_view(&filtered);
        assert_eq!(s.count(), 4);
        assert_eq!(selected(&s, &filtered), filtered);
        assert_eq!(
            s.current(),
            Some(3),
            "the first selected row left becomes current"
        );
        assert_eq!(s.anchor(), Some(3));
        // Rows that come back do not come back selected.
        s.retain_in_view(&VIEW);
        assert_eq!(selected(&s, &VIEW), [3, 17, 8, 0]);
        // A view without any selected row leaves nothing.
        s.retain_in_view(&[50, 42]);
        assert!(s.is_empty());
        assert_eq!(s.anchor(), None);
    }

    #[test]
    fn appended_rows_extend_the_view_without_touching_the_selection() {
        let mut s = Selection::default();
        s.click(&VIEW, 0);
        let mut longer = VIEW.to_vec();
        longer.extend([6, 1000, 70_000]);
        s.retain_in_view(&longer);
        assert_eq!(selected(&s, &longer), [50]);
        s.move_current(&longer, Motion::End, true);
        assert_eq!(s.count(), longer.len());
        assert!(s.is_selected(70_000));
    }

    #[test]
    fn a_million_rows_select_and_retain() {
        let view: Vec<u32> = (0..1_000_000u32).rev().collect();
        let mut s = Selection::default();
        s.select_all(&view);
        assert_eq!(s.count(), 1_000_000);
        let half: Vec<u32> = view.iter().copied().filter(|r| r % 2 == 0).collect();
        s.retain_in_view(&half);
        assert_eq!(s.count(), 500_000);
        assert_eq!(s.rows_in_view_order(&half).next(), Some(999_998));
    }

    #[derive(Clone, Copy, Debug)]
    enum Op {
        Move(Motion, bool),
        Click(usize),
        Toggle(usize),
        Extend(usize),
        All,
        Clear,
        Reverse,
        DropEvery(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        let motion = prop_oneof![
            Just(Motion::Up),
            Just(Motion::Down),
            (0usize..8).prop_map(Motion::PageUp),
            (0usize..8).prop_map(Motion::PageDown),
            Just(Motion::Home),
            Just(Motion::End),
        ];
        prop_oneof![
            4 => (motion, any::<bool>()).prop_map(|(m, e)| Op::Move(m, e)),
            2 => (0usize..40).prop_map(Op::Click),
            2 => (0usize..40).prop_map(Op::Toggle),
            2 => (0usize..40).prop_map(Op::Extend),
            1 => Just(Op::All),
            1 => Just(Op::Clear),
            1 => Just(Op::Reverse),
            1 => (2usize..5).prop_map(Op::DropEvery),
        ]
    }

    proptest! {
        /// Whatever the user does, the model never panics, the count matches the set, and
        /// only rows of the view are selected; the current row is in the view.
        #[test]
        fn any_sequence_keeps_the_model_consistent(
            len in 0usize..32,
            ops in proptest::collection::vec(op(), 0..60),
        ) {
            let mut view: Vec<u32> = (0..len as u32).map(|r| r * 7 % 97).collect();
            let mut s = Selection::default();
            for op in ops {
                match op {
                    Op::Move(m, e) => {
                        let to = s.move_current(&view, m, e);
                        prop_assert_eq!(to.is_some(), !view.is_empty());
                        prop_assert_eq!(to, s.current_position(&view));
                    }
                    Op::Click(p) => s.click(&view, p),
                    Op::Toggle(p) => s.toggle(&view, p),
                    Op::Extend(p) => s.extend_to(&view, p),
                    Op::All => s.select_all(&view),
                    Op::Clear => s.clear(),
                    Op::Reverse => {
                        view.reverse();
                        s.retain_in_view(&view);
                    }
                    Op::DropEvery(n) => {
                        view = view.iter().copied().enumerate()
                            .filter(|(i, _)| i % n != 0).map(|(_, r)| r).collect();
                        s.retain_in_view(&view);
                    }
                }
                let in_view = s.rows_in_view_order(&view).count();
                prop_assert_eq!(in_view, s.count(), "only rows of the view are selected");
                if let Some(current) = s.current() {
                    prop_assert!(view.contains(&current));
                }
            }
        }
    }
}
