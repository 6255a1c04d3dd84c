//! A memo of values computed from shared strings, keyed by the string's identity.

use super::hash::{FxHashMap, SEED};

/// The identity of a string slice: its address and length.
#[inline]
fn identity(text: &str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
}

const SLOTS: usize = 256;

/// A slot of [`PtrMemo`]'s cache: a string identity and its value.
type Slot<V> = Option<((usize, usize), V)>;

/// A memo of a value computed from a string, keyed by the string's identity (address and
/// length) rather than its content: shared strings ([`crate::api::SharedStr`], whose text
/// stays at one address while any row holds it) are computed once however many rows hold
/// them. A small direct-mapped cache answers most lookups; a hash map holds the rest.
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
