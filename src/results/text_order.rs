//! Ordering of `interacao` texts by their folded form (case and accents ignored), without
//! building a key per row: the first seven folded bytes as an integer key, then only the runs
//! that tie are refined, skipping the raw bytes their texts share. Used to sort by the text
//! directly ([`super::sort`]) and to build the cached ranks ([`super::rank`]).

use std::sync::atomic::{AtomicBool, Ordering};

use super::Cancelled;
use super::fold::{FoldCursor, next_chunk_key};
use super::parallel::{CANCEL_CHECK_EVERY, Split, par_split};
use super::rows::Rows;

/// Whether a text value counts as empty (blank).
#[inline]
pub(crate) fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// One `interacao` to sort: its next seven folded bytes as a key, the text, where folding
/// stopped, and the row index.
#[derive(Clone, Copy, Debug)]
struct TextItem<'a> {
    key: u64,
    text: &'a str,
    idx: u32,
    pos: u32,
}

/// Sorts by `interacao`: by the first seven folded bytes, then refines the runs that tie by
/// skipping the raw bytes all their texts share and sorting by the next seven folded bytes,
/// until every run is decided or its texts end. The two halves refine in parallel.
///
/// Returns the rows with text in order, and the rows with blank text (in `indices` order).
pub(crate) fn sort_text_order(
    rows: &Rows,
    indices: &[u32],
    descending: bool,
    cancel: &AtomicBool,
) -> Result<(Vec<u32>, Vec<u32>), Cancelled> {
    let (mut items, empties) = par_split(indices, cancel, |idx| {
        let Some(row) = rows.get(idx as usize) else {
            return Split::Skip;
        };
        match row.interacao().filter(|t| !is_blank(t)) {
            Some(text) => {
                let mut cursor = FoldCursor::new(text);
                let key = next_chunk_key(&mut cursor);
                let key = if descending { !key } else { key };
                let pos = cursor.state();
                Split::Item(TextItem {
                    key,
                    text,
                    idx,
                    pos,
                })
            }
            None => Split::Empty,
        }
    })
    .ok_or(Cancelled)?;
    sort_text_items(&mut items);
    // Split at a run boundary near the middle and refine both halves at once.
    let mut mid = items.len() / 2;
    while mid > 0 && mid < items.len() && items[mid].key == items[mid - 1].key {
        mid += 1;
    }
    let mid = mid.min(items.len());
    let (left, right) = items.split_at_mut(mid);
    let (a, b) = std::thread::scope(|scope| {
        let handle = scope.spawn(|| refine_texts(left, descending, cancel));
        let b = refine_texts(right, descending, cancel);
        (handle.join().unwrap_or(Err(Cancelled)), b)
    });
    a?;
    b?;
    let mut out = Vec::with_capacity(items.len() + empties.len());
    out.extend(items.iter().map(|item| item.idx));
    Ok((out, empties))
}

/// Sorts by key then index.
fn sort_text_items(items: &mut [TextItem<'_>]) {
    items.sort_unstable_by(|a, b| a.key.cmp(&b.key).then(a.idx.cmp(&b.idx)));
}

/// The length of the common prefix of two byte strings.
#[inline]
pub(crate) fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut i = 0;
    while i + 16 <= n && a[i..i + 16] == b[i..i + 16] {
        i += 16;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// Refines the runs of `items` (sorted by key and index) whose keys tie.
fn refine_texts(
    items: &mut [TextItem<'_>],
    descending: bool,
    cancel: &AtomicBool,
) -> Result<(), Cancelled> {
    let goes_on = |key: u64| {
        let key = if descending { !key } else { key };
        key & 0xFF == 7
    };
    let mut pending = vec![(0usize, items.len())];
    let mut work = 0usize;
    while let Some((start, end)) = pending.pop() {
        let mut i = start;
        while i < end {
            let key = items[i].key;
            let mut j = i + 1;
            while j < end && items[j].key == key {
                j += 1;
            }
            if j - i > 1 && goes_on(key) {
                work += j - i;
                if work >= CANCEL_CHECK_EVERY {
                    work = 0;
                    if cancel.load(Ordering::Relaxed) {
                        return Err(Cancelled);
                    }
                }
                let group = &mut items[i..j];
                skip_common_raw_prefix(group);
                for item in group.iter_mut() {
                    let mut cursor = FoldCursor::resume(item.text, item.pos);
                    let next = next_chunk_key(&mut cursor);
                    item.key = if descending { !next } else { next };
                    item.pos = cursor.state();
                }
                sort_text_items(group);
                pending.push((i, j));
            }
            i = j;
        }
    }
    Ok(())
}

/// Advances every cursor of a tied run past the raw bytes all its texts share from there:
/// identical raw text folds identically, so it cannot decide the order.
fn skip_common_raw_prefix(group: &mut [TextItem<'_>]) {
    // Only when every cursor sits on a character boundary with nothing pending.
    if group.iter().any(|item| item.pos >> 30 != 0) {
        return;
    }
    let Some(first) = group.first() else {
        return;
    };
    fn rest<'a>(item: &TextItem<'a>) -> &'a [u8] {
        item.text.as_bytes().get(item.pos as usize..).unwrap_or(&[])
    }
    let reference = rest(first);
    let mut shared = reference.len();
    for item in &group[1..] {
        shared = shared.min(common_prefix(reference, rest(item)));
        if shared < 16 {
            return;
        }
    }
    // Back off to a character boundary of the shared bytes (the same in every text).
    let first_pos = first.pos as usize;
    while shared > 0 && !first.text.is_char_boundary(first_pos + shared) {
        shared -= 1;
    }
    if first_pos + shared > super::fold::CURSOR_MAX_POS {
        return;
    }
    for item in group {
        item.pos += shared as u32;
    }
}
