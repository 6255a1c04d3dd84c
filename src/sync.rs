//! Small helpers around `std::sync`, shared by every layer.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, recovering the data if a thread panicked while holding it.
///
/// Every mutex of this crate guards data that stays valid at each step of its use (a slot
/// replaced whole, a list appended to), so a panic elsewhere never leaves it half-changed:
/// refusing it would only turn one failure into two.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_mutex_still_gives_its_data() {
        let mutex = Mutex::new(vec![1]);
        let poisoned = std::panic::catch_unwind(|| {
            let mut guard = mutex.lock().unwrap();
            guard.push(2);
            panic!("a worker panics while holding the lock");
        });
        assert!(poisoned.is_err());
        assert!(mutex.is_poisoned());
        lock(&mutex).push(3);
        assert_eq!(*lock(&mutex), [1, 2, 3]);
    }
}
