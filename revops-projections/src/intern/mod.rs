//! Dense integer ids for the caller's string ids, so that a projection's
//! per-entity state lives in `Vec`s indexed by id instead of maps keyed by
//! strings.

mod numbered;

use core::hash::BuildHasher;

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

use numbered::{Numbered, Runs};

/// Interns strings into dense `u32` ids, 0, 1, 2, … in first-seen order.
///
/// Every name lives in one shared buffer, so interning a new name allocates
/// nothing beyond amortized growth, and looking one up allocates nothing at
/// all. Names made of a prefix and a number are found by the number (see
/// [`numbered`]); the others in a hash table, whose slot holds a name of up
/// to [`INLINE`] bytes itself, and where a longer one lies in the buffer.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner {
    runs: Runs,
    /// Every name no run holds.
    table: HashTable<Slot>,
    text: String,
    /// End of each name in `text`; a name starts where the previous one ends.
    ends: Vec<u32>,
}

/// Names of up to this many bytes are kept in their table slot.
const INLINE: usize = 16;

#[derive(Clone, Copy, Debug)]
struct Slot {
    id: u32,
    len: u32,
    /// The name when it fits, else its start in the buffer (4 bytes, little
    /// endian).
    bytes: [u8; INLINE],
}

impl Slot {
    fn new(id: u32, name: &str, start: u32) -> Slot {
        let mut bytes = [0; INLINE];
        if name.len() <= INLINE {
            bytes[..name.len()].copy_from_slice(name.as_bytes());
        } else {
            bytes[..4].copy_from_slice(&start.to_le_bytes());
        }
        Slot { id, len: u32::try_from(name.len()).expect("names of less than 4 GiB"), bytes }
    }

    fn name<'a>(&'a self, text: &'a str) -> &'a [u8] {
        let len = self.len as usize;
        if len <= INLINE {
            return &self.bytes[..len];
        }
        let start = u32::from_le_bytes([self.bytes[0], self.bytes[1], self.bytes[2], self.bytes[3]]) as usize;
        &text.as_bytes()[start..start + len]
    }

    fn is(&self, key: &Key<'_>, text: &str) -> bool {
        if self.len as usize != key.name.len() {
            return false;
        }
        match key.inline {
            // One 16-byte comparison, no call: the short names every lookup
            // of the simulated books makes.
            Some(inline) => self.bytes == inline,
            None => self.name(text) == key.name.as_bytes(),
        }
    }
}

/// A name as a lookup compares it: when it fits in a slot, zero-padded as
/// the slot holds it.
struct Key<'a> {
    name: &'a str,
    inline: Option<[u8; INLINE]>,
}

impl<'a> Key<'a> {
    fn new(name: &'a str) -> Key<'a> {
        let inline = (name.len() <= INLINE).then(|| {
            let mut bytes = [0; INLINE];
            bytes[..name.len()].copy_from_slice(name.as_bytes());
            bytes
        });
        Key { name, inline }
    }
}

impl Interner {
    /// The id of `name`, assigning the next one if it is new.
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        self.insert(name).0
    }

    /// The id of `name` and whether it is new: one lookup where "was it
    /// seen before?" is followed by interning it.
    pub(crate) fn insert(&mut self, name: &str) -> (u32, bool) {
        let numbered = Numbered::of(name.as_bytes());
        if let Some(key) = &numbered {
            if let Some(id) = self.runs.get(key) {
                return (id, false);
            }
            // Nothing to hash when no name was ever left to the table.
            if self.table.is_empty() {
                let id = append(&mut self.text, &mut self.ends, name);
                if !self.runs.place(key, id) {
                    self.index_in_table(name, id);
                }
                return (id, true);
            }
        }
        let hash = hash_of(name.as_bytes());
        let key = Key::new(name);
        let Interner { runs, table, text, ends } = self;
        let hasher = |s: &Slot| hash_of(s.name(text));
        match table.entry(hash, |s| s.is(&key, text), hasher) {
            Entry::Occupied(slot) => (slot.get().id, false),
            Entry::Vacant(vacant) => {
                let start = u32::try_from(text.len()).expect("names of less than 4 GiB in all");
                let id = append(text, ends, name);
                if !numbered.is_some_and(|key| runs.place(&key, id)) {
                    vacant.insert(Slot::new(id, name, start));
                }
                (id, true)
            }
        }
    }

    /// Puts the last name appended, `name` with id `id`, in the table.
    fn index_in_table(&mut self, name: &str, id: u32) {
        let start = self.text.len() - name.len();
        let start = u32::try_from(start).expect("names of less than 4 GiB in all");
        let Interner { table, text, .. } = self;
        table.insert_unique(hash_of(name.as_bytes()), Slot::new(id, name, start), |s| hash_of(s.name(text)));
    }

    /// Gives `name` the next id without indexing it: [`Interner::get`] and
    /// [`Interner::insert`] do not find it. For a caller that keeps the id
    /// by a key of its own and only ever asks for the name back, so that
    /// the table holds (and grows with) none of those names.
    pub(crate) fn push_unindexed(&mut self, name: &str) -> u32 {
        append(&mut self.text, &mut self.ends, name)
    }

    /// The id of `name`, trying first the id `remembered` holds
    /// (`u32::MAX` for none) and remembering the answer there: for a name
    /// that repeats under one key (the customer a contract bills), a
    /// comparison instead of a table lookup. A run's name is found by its
    /// number before that: comparing would read the name's text, which
    /// the run never touches.
    pub(crate) fn intern_remembered(&mut self, remembered: &mut u32, name: &str) -> u32 {
        if let Some(id) = self.in_run(name) {
            *remembered = id;
            return id;
        }
        if *remembered == u32::MAX || self.name(*remembered) != name {
            *remembered = self.intern(name);
        }
        *remembered
    }

    /// The id of `name`, if it was interned.
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        if let Some(id) = self.in_run(name) {
            return Some(id);
        }
        if self.table.is_empty() {
            return None;
        }
        let hash = hash_of(name.as_bytes());
        let key = Key::new(name);
        self.table.find(hash, |s| s.is(&key, &self.text)).map(|s| s.id)
    }

    /// The id of `name` if a run holds it: found by its number, without
    /// hashing or reading any name.
    fn in_run(&self, name: &str) -> Option<u32> {
        Numbered::of(name.as_bytes()).and_then(|key| self.runs.get(&key))
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

/// Appends `name` to the names and returns its id.
fn append(text: &mut String, ends: &mut Vec<u32>, name: &str) -> u32 {
    let id = u32::try_from(ends.len()).expect("fewer than 2^32 distinct ids");
    text.push_str(name);
    ends.push(u32::try_from(text.len()).expect("names of less than 4 GiB in all"));
    id
}

/// The table hash of a name: of its bytes, the one form a slot gives back.
///
/// Ids are handed out in sequence (`INV-2026-0001234`, `PAY-0004711`) and a
/// log names mostly recent ones, so a name ending in a digit is placed by
/// the rest of it: the ten names that differ only in that digit share one
/// group of sixteen slots. The slots a replay keeps touching are then a few
/// hundred groups that stay cached, not one cache line per name across a
/// table far larger than the cache. The groups, and names that end in
/// anything else, are placed by FxHash. The top seven bits, the table's tag
/// for a slot, come from the whole name, so the names of one group still
/// differ in tag.
fn hash_of(name: &[u8]) -> u64 {
    match name.split_last() {
        Some((&last, rest)) if last.is_ascii_digit() => {
            let group = FxBuildHasher.hash_one(rest);
            let digit = u64::from(last - b'0');
            let tag = (group ^ digit).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 57;
            ((group << 4 | digit) & (u64::MAX >> 7)) | tag << 57
        }
        _ => FxBuildHasher.hash_one(name),
    }
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

/// The id `ids` holds at `index`, or the one `resolve` gives, remembered
/// there (`u32::MAX` marks none yet): an entity's id found by the index
/// another projection gave it rather than by its name. Without an index,
/// what `resolve` gives.
pub(crate) fn by_index(ids: &mut Vec<u32>, index: Option<u32>, resolve: impl FnOnce() -> u32) -> u32 {
    found_by_index(ids, index, || Some(resolve())).expect("resolve always gives an id")
}

/// [`by_index`] for a lookup that may find nothing: a miss is not
/// remembered, so an entity not known yet is looked up again next time.
pub(crate) fn found_by_index(
    ids: &mut Vec<u32>,
    index: Option<u32>,
    find: impl FnOnce() -> Option<u32>,
) -> Option<u32> {
    let Some(index) = index else { return find() };
    let id = slot(ids, index, u32::MAX);
    if *id == u32::MAX {
        *id = find()?;
    }
    Some(*id)
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
    fn names_that_differ_in_their_last_digit_share_a_group_of_slots() {
        let group = |h: u64| (h & (u64::MAX >> 7)) >> 4;
        let tag = |h: u64| h >> 57;
        let hashes: Vec<u64> = (0..10).map(|d| hash_of(format!("INV-2026-000012{d}").as_bytes())).collect();
        for (d, &h) in hashes.iter().enumerate() {
            assert_eq!(group(h), group(hashes[0]), "INV-2026-000012{d}");
            assert_eq!(h & 15, d as u64, "its place in the group is the digit");
        }
        let tags: std::collections::BTreeSet<u64> = hashes.iter().map(|&h| tag(h)).collect();
        assert!(tags.len() >= 8, "tags of one group differ: {tags:?}");
        // The next ten, and the same number under another prefix, are elsewhere.
        assert_ne!(group(hash_of(b"INV-2026-0000130")), group(hashes[0]));
        assert_ne!(group(hash_of(b"INV-2025-0000120")), group(hashes[0]));
        // A name that does not end in a digit is hashed whole.
        assert_eq!(hash_of(b"ACME"), FxBuildHasher.hash_one(b"ACME".as_slice()));
        assert_eq!(hash_of(b""), FxBuildHasher.hash_one(b"".as_slice()));
    }

    #[test]
    fn long_names_live_in_the_buffer_and_short_ones_in_their_slot() {
        let mut names = Interner::default();
        let long = "INV-2026-0000001-REBILL";
        assert_eq!(names.insert(long), (0, true));
        assert_eq!(names.insert("INV-2026-0000001"), (1, true));
        assert_eq!(names.insert(long), (0, false));
        // Same length, same first sixteen bytes: only the buffer tells them apart.
        let twin = "INV-2026-0000001-REBILX";
        assert_eq!(names.get(twin), None);
        assert_eq!(names.insert(twin), (2, true));
        // Growing the table rehashes every slot, long ones from the buffer.
        for i in 0..2000 {
            assert_eq!(names.intern(&format!("CONTRACT-LINE-KEY-{i:05}")), 3 + i);
        }
        assert_eq!((names.get(long), names.get(twin), names.get("INV-2026-0000001")), (Some(0), Some(2), Some(1)));
        assert_eq!(names.get("CONTRACT-LINE-KEY-01999"), Some(2002));
        assert_eq!((names.name(0), names.name(2)), (long, twin));
    }

    #[test]
    fn a_numbered_name_is_found_whether_a_run_or_the_table_holds_it() {
        let mut names = Interner::default();
        assert_eq!(names.insert("PAY-0000500"), (0, true), "opens the run");
        assert_eq!(names.insert("PAY-0000499"), (1, true), "below the run's first: the table");
        assert_eq!(names.insert("ACME"), (2, true));
        assert_eq!(names.insert("PAY-0000501"), (3, true), "the run, the table holding names");
        for (name, id) in [("PAY-0000500", 0), ("PAY-0000499", 1), ("ACME", 2), ("PAY-0000501", 3)] {
            assert_eq!(names.get(name), Some(id), "{name}");
            assert_eq!(names.insert(name), (id, false), "{name}");
            assert_eq!(names.name(id), name);
        }
        assert_eq!(names.get("PAY-0000502"), None);
        assert_eq!((names.len(), names.table.len()), (4, 2), "each name in one place");
    }

    #[test]
    fn unindexed_names_take_the_next_id_and_are_not_found() {
        let mut names = Interner::default();
        assert_eq!(names.intern("INV-1"), 0);
        assert_eq!(names.push_unindexed("INV-2"), 1);
        assert_eq!(names.intern("INV-3"), 2);
        assert_eq!((names.name(0), names.name(1), names.name(2)), ("INV-1", "INV-2", "INV-3"));
        assert_eq!((names.get("INV-1"), names.get("INV-2"), names.get("INV-3")), (Some(0), None, Some(2)));
        assert_eq!(names.len(), 3);
    }

    #[test]
    fn a_remembered_id_is_checked_against_the_name() {
        let mut names = Interner::default();
        let mut remembered = u32::MAX;
        assert_eq!(names.intern_remembered(&mut remembered, "ACME"), 0);
        assert_eq!((remembered, names.intern_remembered(&mut remembered, "ACME")), (0, 0));
        assert_eq!(names.intern_remembered(&mut remembered, "GLOBEX"), 1);
        assert_eq!((remembered, names.intern_remembered(&mut remembered, "ACME")), (1, 0));
        assert_eq!(names.len(), 2);
        // A run's name is found by its number, whatever id is remembered.
        assert_eq!(names.intern_remembered(&mut remembered, "CUST-00007"), 2);
        assert_eq!(names.intern_remembered(&mut remembered, "CUST-00008"), 3);
        let mut other = 0;
        assert_eq!((names.intern_remembered(&mut other, "CUST-00007"), other), (2, 2));
        assert_eq!((names.intern_remembered(&mut other, "ACME"), other), (0, 0));
        assert_eq!(names.len(), 4);
    }

    #[test]
    fn ids_by_index_resolve_once() {
        let mut ids = Vec::new();
        let mut resolved = 0;
        for _ in 0..3 {
            assert_eq!(
                by_index(&mut ids, Some(2), || {
                    resolved += 1;
                    7
                }),
                7
            );
        }
        assert_eq!((resolved, &ids), (1, &vec![u32::MAX, u32::MAX, 7]));
        // Without an index, the resolver answers and nothing is remembered.
        assert_eq!(by_index(&mut ids, None, || 9), 9);
        assert_eq!(ids, [u32::MAX, u32::MAX, 7]);
    }

    #[test]
    fn a_miss_by_index_is_looked_up_again() {
        let mut ids = Vec::new();
        assert_eq!(found_by_index(&mut ids, Some(1), || None), None);
        assert_eq!(ids, [u32::MAX, u32::MAX]);
        assert_eq!(found_by_index(&mut ids, Some(1), || Some(4)), Some(4));
        assert_eq!(found_by_index(&mut ids, Some(1), || None), Some(4));
        assert_eq!(found_by_index(&mut ids, None, || Some(5)), Some(5));
        assert_eq!(ids, [u32::MAX, 4]);
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
