//! Values worked out once and looked up again: a large organisation's rotations share a few
//! zones, windows and handover instants, so the same time-zone lookups recur across thousands
//! of rotations.

use std::hash::Hash;

use rustc_hash::FxHashMap;

/// A bounded map of computed values. Keys are small and local (zones, dates, instants), so a
/// fast non-cryptographic hash serves; SipHash was a tenth of the work where these are used.
pub struct Memo<K, V> {
    map: FxHashMap<K, V>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo {
            map: FxHashMap::default(),
        }
    }
}

impl<K: Hash + Eq, V> Memo<K, V> {
    /// Entries kept at most: an organisation that shares nothing must not fill memory with
    /// values it never looks up again, so the memo starts over when full.
    const MAX: usize = 1 << 17;

    /// The value for `key`, made by `make` the first time.
    pub fn get(&mut self, key: K, make: impl FnOnce() -> V) -> &V {
        if self.map.len() >= Self::MAX && !self.map.contains_key(&key) {
            self.map.clear();
        }
        self.map.entry(key).or_insert_with(make)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_made_once_and_the_memo_starts_over_when_full() {
        let mut memo: Memo<usize, usize> = Memo::default();
        let mut made = 0;
        for round in 0..2 {
            for key in 0..10 {
                assert_eq!(
                    *memo.get(key, || {
                        made += 1;
                        key * 2
                    }),
                    key * 2
                );
            }
            assert_eq!(made, 10, "round {round}");
        }
        for key in 0..Memo::<usize, usize>::MAX + 1 {
            memo.get(key, || key);
        }
        assert!(memo.map.len() <= Memo::<usize, usize>::MAX);
        assert_eq!(*memo.get(3, || 99), 99, "cleared when full, so made anew");
    }
}
