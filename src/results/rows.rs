//! [`Rows`]: the append-only row storage, cheap to snapshot for background threads.

use std::sync::Arc;

use crate::api::Followup;

/// Rows per storage chunk (a power of two).
const CHUNK_BITS: u32 = 16;
const CHUNK_LEN: usize = 1 << CHUNK_BITS;
const CHUNK_MASK: usize = CHUNK_LEN - 1;

/// The rows of a result set, in arrival order, indexed by `u32`.
///
/// Stored in chunks of 65,536 rows behind `Arc`s, so [`Clone`] is a cheap snapshot (one
/// reference count per chunk) that a background thread can own while the UI keeps appending:
/// appending to a chunk a snapshot still holds copies only that chunk's rows.
#[derive(Clone, Default)]
pub struct Rows {
    chunks: Vec<Arc<Vec<Followup>>>,
    len: usize,
    /// Rows announced by [`Self::reserve`] and not pushed yet: new chunks are allocated for
    /// them at once rather than grown by doubling (each step leaves the last size behind as a
    /// hole in the heap).
    reserved: usize,
}

impl std::fmt::Debug for Rows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rows").field("len", &self.len).finish()
    }
}

impl Rows {
    /// The most rows a result set holds (indices are `u32`).
    pub const MAX_LEN: usize = u32::MAX as usize;

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The row at `index` (arrival order), if any.
    #[inline]
    pub fn get(&self, index: usize) -> Option<&Followup> {
        self.chunks
            .get(index >> CHUNK_BITS)
            .and_then(|chunk| chunk.get(index & CHUNK_MASK))
    }

    /// All rows in arrival order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Followup> + '_ {
        RowsIter {
            inner: self.chunks.iter().flat_map(|chunk| chunk.iter()),
            remaining: self.len,
        }
    }

    /// Announces `additional` more rows: the last chunk grows once to take what fits, and the
    /// chunks after it are allocated at the size they will fill.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.reserved = additional;
        if let Some(last) = self.chunks.last_mut()
            && last.len() < CHUNK_LEN
        {
            let room = CHUNK_LEN - last.len();
            Arc::make_mut(last).reserve_exact(additional.min(room));
        }
    }

    /// Adds a row at the end. Returns `false` (and drops the row) when [`Self::MAX_LEN`] is
    /// reached.
    pub(crate) fn push(&mut self, row: Followup) -> bool {
        if self.len >= Self::MAX_LEN {
            return false;
        }
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK_LEN => Arc::make_mut(last).push(row),
            _ => {
                let mut chunk = Vec::with_capacity(self.reserved.clamp(1024, CHUNK_LEN));
                chunk.push(row);
                self.chunks.push(Arc::new(chunk));
            }
        }
        self.len += 1;
        self.reserved = self.reserved.saturating_sub(1);
        true
    }
}

/// The iterator of [`Rows::iter`].
struct RowsIter<I> {
    inner: I,
    remaining: usize,
}

impl<'a, I: Iterator<Item = &'a Followup>> Iterator for RowsIter<I> {
    type Item = &'a Followup;

    fn next(&mut self) -> Option<Self::Item> {
        let row = self.inner.next()?;
        self.remaining = self.remaining.saturating_sub(1);
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a, I: Iterator<Item = &'a Followup>> ExactSizeIterator for RowsIter<I> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::FollowupFields;

    #[test]
    fn snapshots_survive_appends_across_chunks() {
        let mut rows = Rows::default();
        for i in 0..(CHUNK_LEN + 10) {
            rows.push(Followup::from(FollowupFields {
                id_followup: Some(i as i64),
                ..FollowupFields::default()
            }));
        }
        let snapshot = rows.clone();
        rows.push(Followup::default());
        assert_eq!(snapshot.len(), CHUNK_LEN + 10);
        assert_eq!(rows.len(), CHUNK_LEN + 11);
        assert_eq!(
            rows.get(CHUNK_LEN + 1).and_then(|r| r.id_followup()),
            Some(CHUNK_LEN as i64 + 1)
        );
        assert!(snapshot.get(CHUNK_LEN + 10).is_none());
        assert_eq!(rows.iter().len(), rows.len());
        assert_eq!(rows.iter().count(), rows.len());
    }

    #[test]
    fn reserved_rows_fill_chunks_allocated_at_their_final_size() {
        let mut rows = Rows::default();
        rows.push(Followup::default());
        // A background snapshot holds the last chunk when the next batch is announced.
        let snapshot = rows.clone();
        rows.reserve(2_999);
        for _ in 1..3_000 {
            assert!(rows.push(Followup::default()));
        }
        // Grown once to the announced size, not doubled up to 4,096.
        let capacities = |rows: &Rows| -> Vec<usize> {
            rows.chunks.iter().map(|chunk| chunk.capacity()).collect()
        };
        assert_eq!(capacities(&rows), [3_000]);
        assert_eq!(snapshot.len(), 1, "the snapshot kept its rows");
        // A batch that fills the chunk and starts another: the new one at its final size.
        let more = CHUNK_LEN - 3_000 + 5_000;
        rows.reserve(more);
        for _ in 0..more {
            assert!(rows.push(Followup::default()));
        }
        assert_eq!(capacities(&rows), [CHUNK_LEN, 5_000]);
        assert_eq!(rows.len(), CHUNK_LEN + 5_000);
        // Without an announcement, chunks start small.
        let mut small = Rows::default();
        small.push(Followup::default());
        assert_eq!(capacities(&small), [1024]);
    }
}
