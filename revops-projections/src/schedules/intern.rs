//! Dense integer ids for the caller's string ids, so that per-event state
//! lives in `Vec`s indexed by integer instead of maps keyed by `String`.

use std::collections::HashMap;

/// Maps each distinct name to `0, 1, 2, …` in order of first sight.
///
/// The map is only ever looked up, never iterated: report order comes from
/// sorting names, so `HashMap` order cannot leak into output.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner {
    index: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    /// The id of `name`, if it was seen.
    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// The id of `name`, allocating a new one on first sight only.
    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 distinct ids");
        self.names.push(name.into());
        self.index.insert(name.into(), id);
        id
    }

    /// The name of `id`.
    pub(crate) fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// How many names were seen.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut ids = Interner::default();
        assert_eq!(ids.intern("C-2"), 0);
        assert_eq!(ids.intern("C-1"), 1);
        assert_eq!(ids.intern("C-2"), 0);
        assert_eq!(ids.get("C-1"), Some(1));
        assert_eq!(ids.get("C-3"), None);
        assert_eq!(ids.name(1), "C-1");
        assert_eq!(ids.len(), 2);
    }
}
