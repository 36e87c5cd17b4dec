//! Dense integer ids for the caller's string ids, so that a projection's
//! per-entity state lives in `Vec`s indexed by id instead of maps keyed by
//! strings.

use core::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Interns strings into dense `u32` ids, 0, 1, 2, … in first-seen order.
///
/// Every name lives in one shared buffer, so interning a new name allocates
/// nothing beyond amortized growth, and looking one up allocates nothing at
/// all. Each table slot holds where its name lies in the buffer: a lookup
/// reads the slot and the name, and nothing else, which matters once the
/// tables are far larger than the cache.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner {
    table: HashTable<Slot>,
    text: String,
    /// End of each name in `text`; a name starts where the previous one ends.
    ends: Vec<u32>,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    id: u32,
    start: u32,
    len: u32,
}

impl Slot {
    fn name<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start as usize..(self.start + self.len) as usize]
    }
}

impl Interner {
    /// The id of `name`, assigning the next one if it is new.
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        let hash = FxBuildHasher.hash_one(name);
        let Interner { table, text, ends } = self;
        if let Some(slot) = table.find(hash, |s| s.len as usize == name.len() && s.name(text) == name) {
            return slot.id;
        }
        let id = u32::try_from(ends.len()).expect("fewer than 2^32 distinct ids");
        let start = u32::try_from(text.len()).expect("names of less than 4 GiB in all");
        text.push_str(name);
        let end = u32::try_from(text.len()).expect("names of less than 4 GiB in all");
        ends.push(end);
        table.insert_unique(hash, Slot { id, start, len: end - start }, |s| FxBuildHasher.hash_one(s.name(text)));
        id
    }

    /// The id of `name`, if it was interned.
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        let hash = FxBuildHasher.hash_one(name);
        self.table.find(hash, |s| s.len as usize == name.len() && s.name(&self.text) == name).map(|s| s.id)
    }

    /// The name with id `id`.
    pub(crate) fn name(&self, id: u32) -> &str {
        slice(&self.text, &self.ends, id)
    }

    /// How many names were interned: ids are `0..len()`.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Writes the interning key of a contract's line into `key` (a reused
/// buffer): line ids are unique within their contract only.
pub(crate) fn line_key(key: &mut String, contract: &str, line: &str) {
    key.clear();
    key.push_str(contract);
    key.push('\0');
    key.push_str(line);
}

fn slice<'a>(text: &'a str, ends: &[u32], id: u32) -> &'a str {
    let i = id as usize;
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    &text[start..ends[i] as usize]
}

/// Grows `items` with `fill` so that `id` indexes it, and returns that slot:
/// the dense-id counterpart of a map's `entry().or_insert()`.
pub(crate) fn slot<T: Clone>(items: &mut Vec<T>, id: u32, fill: T) -> &mut T {
    let i = id as usize;
    if items.len() <= i {
        items.resize(i + 1, fill);
    }
    &mut items[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut names = Interner::default();
        assert_eq!(names.intern("ACME"), 0);
        assert_eq!(names.intern("GLOBEX"), 1);
        assert_eq!(names.intern("ACME"), 0);
        assert_eq!(names.intern(""), 2);
        assert_eq!(names.get("GLOBEX"), Some(1));
        assert_eq!(names.get("INITECH"), None);
        assert_eq!((names.name(0), names.name(1), names.name(2)), ("ACME", "GLOBEX", ""));
        assert_eq!(names.len(), 3);
        for i in 0..1000 {
            let id = names.intern(&format!("C-{i}"));
            assert_eq!(id, 3 + i);
        }
        assert_eq!(names.name(503), "C-500");
    }

    #[test]
    fn slot_grows_on_demand() {
        let mut v: Vec<u8> = Vec::new();
        *slot(&mut v, 3, 0) = 7;
        assert_eq!(v, [0, 0, 0, 7]);
        *slot(&mut v, 1, 0) += 1;
        assert_eq!(v, [0, 1, 0, 7]);
    }
}
