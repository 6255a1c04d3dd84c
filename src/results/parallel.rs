//! Parallel loops over chunks of rows that stop when cancelled.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How often long loops look at the cancel flag.
pub(crate) const CANCEL_CHECK_EVERY: usize = 4096;

/// Rows per unit of parallel work.
pub(crate) const PAR_CHUNK: usize = 16 * 1024;

/// How many threads parallel loops use.
pub(crate) fn worker_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Runs `work` on the chunks `0..len` split in pieces of `chunk` (in parallel when it pays),
/// giving each worker its own state from `init`, and returns the results in chunk order.
/// Returns `None` as soon as `cancel` is set or any call of `work` returns `None`.
pub(crate) fn par_chunks<S, T, I, W>(
    len: usize,
    chunk: usize,
    cancel: &AtomicBool,
    init: I,
    work: W,
) -> Option<Vec<T>>
where
    T: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, Range<usize>) -> Option<T> + Sync,
{
    let chunk = chunk.max(1);
    let chunk_count = len.div_ceil(chunk);
    let range = |i: usize| i * chunk..((i + 1) * chunk).min(len);
    let threads = worker_count().min(chunk_count);
    if threads <= 1 {
        let mut state = init();
        let mut out = Vec::with_capacity(chunk_count);
        for i in 0..chunk_count {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            out.push(work(&mut state, range(i))?);
        }
        return Some(out);
    }
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<(usize, T)>> = Mutex::new(Vec::with_capacity(chunk_count));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut state = init();
                let mut mine = Vec::new();
                loop {
                    if cancel.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed) {
                        failed.store(true, Ordering::Relaxed);
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= chunk_count {
                        break;
                    }
                    match work(&mut state, range(i)) {
                        Some(value) => mine.push((i, value)),
                        None => {
                            failed.store(true, Ordering::Relaxed);
                            break;
                        }
                    }
                }
                if let Ok(mut all) = results.lock() {
                    all.extend(mine);
                }
            });
        }
    });
    if failed.load(Ordering::Relaxed) || cancel.load(Ordering::Relaxed) {
        return None;
    }
    let mut all = results.into_inner().ok()?;
    if all.len() != chunk_count {
        return None;
    }
    all.sort_unstable_by_key(|(i, _)| *i);
    Some(all.into_iter().map(|(_, value)| value).collect())
}

/// Runs `work` over the chunks `0..len` split in pieces of `chunk` (in parallel when it pays),
/// each worker folding the chunks it takes into its own state from `init`, and returns the
/// workers' states (in no particular order). For counting and other merges whose result does
/// not depend on which worker saw which rows. Returns `None` as soon as `cancel` is set.
pub(crate) fn par_fold<S, I, W>(
    len: usize,
    chunk: usize,
    cancel: &AtomicBool,
    init: I,
    work: W,
) -> Option<Vec<S>>
where
    S: Send,
    I: Fn() -> S + Sync,
    W: Fn(&mut S, Range<usize>) + Sync,
{
    let chunk = chunk.max(1);
    let chunk_count = len.div_ceil(chunk);
    let range = |i: usize| i * chunk..((i + 1) * chunk).min(len);
    let threads = worker_count().min(chunk_count).max(1);
    let next = AtomicUsize::new(0);
    let run = || {
        let mut state = init();
        loop {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= chunk_count {
                return Some(state);
            }
            work(&mut state, range(i));
        }
    };
    if threads == 1 {
        return run().map(|state| vec![state]);
    }
    let states: Vec<Option<S>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(run)).collect();
        let mut states = vec![run()];
        states.extend(handles.into_iter().map(|h| h.join().ok().flatten()));
        states
    });
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    states.into_iter().collect()
}

/// Sorts `values` by `compare` (unstable), the two halves on two threads and then merged,
/// when large and the machine has two cores.
pub(crate) fn par_sort_by<T, F>(values: &mut Vec<T>, compare: F)
where
    T: Send + Copy,
    F: Fn(&T, &T) -> std::cmp::Ordering + Sync,
{
    if values.len() < 100_000 || worker_count() < 2 {
        values.sort_unstable_by(&compare);
        return;
    }
    let mid = values.len() / 2;
    {
        let (left, right) = values.split_at_mut(mid);
        std::thread::scope(|scope| {
            scope.spawn(|| left.sort_unstable_by(&compare));
            right.sort_unstable_by(&compare);
        });
    }
    let (left, right) = values.split_at(mid);
    let mut merged = Vec::with_capacity(values.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if compare(&right[j], &left[i]) == std::cmp::Ordering::Less {
            merged.push(right[j]);
            j += 1;
        } else {
            merged.push(left[i]);
            i += 1;
        }
    }
    merged.extend_from_slice(&left[i..]);
    merged.extend_from_slice(&right[j..]);
    *values = merged;
}

/// Joins the per-chunk `(items, blank rows)` of a parallel key extraction, in chunk order.
pub(crate) fn concat_parts<T>(parts: Vec<(Vec<T>, Vec<u32>)>) -> (Vec<T>, Vec<u32>) {
    let item_count = parts.iter().map(|(items, _)| items.len()).sum();
    let empty_count = parts.iter().map(|(_, empties)| empties.len()).sum();
    let mut items = Vec::with_capacity(item_count);
    let mut empties = Vec::with_capacity(empty_count);
    for (part_items, part_empties) in parts {
        items.extend(part_items);
        empties.extend(part_empties);
    }
    (items, empties)
}

/// What [`par_split`] makes of one row index.
pub(crate) enum Split<T> {
    /// A row with a value to order by.
    Item(T),
    /// A row whose value is empty: set aside, kept in `indices` order.
    Empty,
    /// An index out of range: dropped.
    Skip,
}

/// Splits `indices` into the items `split` makes of them and the rows it finds empty,
/// computing in parallel chunks, both in `indices` order. `None` once `cancel` is set.
pub(crate) fn par_split<T, F>(
    indices: &[u32],
    cancel: &AtomicBool,
    split: F,
) -> Option<(Vec<T>, Vec<u32>)>
where
    T: Send,
    F: Fn(u32) -> Split<T> + Sync,
{
    let parts = par_chunks(
        indices.len(),
        PAR_CHUNK,
        cancel,
        || (),
        |_, range| {
            let mut items = Vec::with_capacity(range.len());
            let mut empties = Vec::new();
            for &idx in &indices[range] {
                match split(idx) {
                    Split::Item(item) => items.push(item),
                    Split::Empty => empties.push(idx),
                    Split::Skip => {}
                }
            }
            Some((items, empties))
        },
    )?;
    Some(concat_parts(parts))
}
