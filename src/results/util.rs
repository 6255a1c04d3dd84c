//! Small helpers for the result set: a fast hasher, a memo keyed by string identity, and a
//! parallel loop over chunks that stops when cancelled.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The multiply-rotate hash of rustc (`FxHash`): fast for integer and pointer keys.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub(crate) type FxHashSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;

/// The identity of a string slice: its address and length.
#[inline]
fn identity(text: &str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
}

const SLOTS: usize = 256;

/// A slot of [`PtrMemo`]'s cache: a string identity and its value.
type Slot<V> = Option<((usize, usize), V)>;

/// A memo of a value computed from a string, keyed by the string's identity (address and
/// length) rather than its content: shared strings (`Arc<str>`) are computed once however many
/// rows hold them. A small direct-mapped cache answers most lookups; a hash map holds the rest.
pub(crate) struct PtrMemo<V: Copy> {
    slots: Box<[Slot<V>; SLOTS]>,
    map: FxHashMap<(usize, usize), V>,
}

impl<V: Copy> PtrMemo<V> {
    /// An empty memo.
    pub(crate) fn new() -> Self {
        PtrMemo {
            slots: Box::new([None; SLOTS]),
            map: FxHashMap::default(),
        }
    }

    /// The value for `text`, computing it with `compute` the first time this string is seen.
    #[inline]
    pub(crate) fn get_or_insert_with(&mut self, text: &str, compute: impl FnOnce() -> V) -> V {
        let key = identity(text);
        let slot = ((key.0 as u64 ^ key.1 as u64).wrapping_mul(SEED) >> 56) as usize % SLOTS;
        if let Some((cached_key, value)) = self.slots[slot]
            && cached_key == key
        {
            return value;
        }
        let value = *self.map.entry(key).or_insert_with(compute);
        self.slots[slot] = Some((key, value));
        value
    }
}

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
