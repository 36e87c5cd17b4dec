//! Storage in fixed-size chunks that only grows, for what a projection keeps
//! by the hundred thousand (journal entries, commission facts, invoices).
//!
//! A `Vec` that doubles copies everything it holds each time and, while it
//! does, holds the old and the new buffer at once: on a replay of a large
//! log those copies and the fresh pages they touch cost more than the
//! folding. A chunk, once allocated, never moves.

use core::ops::{Index, IndexMut};

/// Elements per chunk: a few hundred kilobytes for the records kept here,
/// so a chunk is one allocation the allocator maps directly.
const CHUNK: usize = 4096;

/// A `Vec`-like sequence that grows by whole chunks and never moves an
/// element once pushed.
#[derive(Clone, Debug)]
pub(crate) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Chunked<T> {
        Chunked { chunks: Vec::new(), len: 0 }
    }
}

impl<T> Chunked<T> {
    /// Appends `item`.
    pub(crate) fn push(&mut self, item: T) {
        if self.len % CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let last = self.chunks.last_mut().expect("a chunk with room");
        debug_assert!(last.len() < CHUNK);
        last.push(item);
        self.len += 1;
    }

    /// How many elements were pushed.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The element at `i`, if there is one.
    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        (i < self.len).then(|| &self[i])
    }

    /// The element at `i`, mutably, if there is one.
    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        (i < self.len).then(|| &mut self[i])
    }

    /// The elements in push order.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.chunks.iter().flatten()
    }

    /// The elements at positions `start..end`, in order.
    pub(crate) fn range(&self, start: usize, end: usize) -> impl Iterator<Item = &T> {
        assert!(start <= end && end <= self.len, "range {start}..{end} of {} elements", self.len);
        (start..end).map(|i| &self[i])
    }
}

impl<T: Clone> Chunked<T> {
    /// Grows the sequence with `fill` so that `i` indexes it, and returns
    /// that element: the dense-id counterpart of a map's
    /// `entry().or_insert()`.
    pub(crate) fn slot(&mut self, i: usize, fill: T) -> &mut T {
        while self.len <= i {
            self.push(fill.clone());
        }
        &mut self[i]
    }
}

impl<T: Copy> Chunked<T> {
    /// Appends the elements of `items` for which `keep` holds.
    pub(crate) fn extend_filtered(&mut self, items: &[T], keep: impl Fn(&T) -> bool) {
        for item in items.iter().filter(|item| keep(item)) {
            self.push(*item);
        }
    }
}

impl<T> Index<usize> for Chunked<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        assert!(i < self.len, "index {i} of {} elements", self.len);
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<T> IndexMut<usize> for Chunked<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        assert!(i < self.len, "index {i} of {} elements", self.len);
        &mut self.chunks[i / CHUNK][i % CHUNK]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_iterates_and_ranges_across_chunk_boundaries() {
        let mut items = Chunked::default();
        let n = CHUNK * 2 + 3;
        for i in 0..n {
            items.push(i);
        }
        assert_eq!(items.len(), n);
        assert_eq!(items.chunks.len(), 3);
        assert_eq!((items[0], items[CHUNK - 1], items[CHUNK], items[n - 1]), (0, CHUNK - 1, CHUNK, n - 1));
        assert!(items.iter().copied().eq(0..n));
        assert!(items.iter().rev().copied().eq((0..n).rev()));
        assert!(items.range(CHUNK - 2, CHUNK + 2).copied().eq(CHUNK - 2..CHUNK + 2));
        assert_eq!(items.range(5, 5).count(), 0);
        // Chunks never grow past their capacity, so nothing ever moved.
        assert!(items.chunks.iter().all(|c| c.capacity() == CHUNK));
    }

    #[test]
    fn slot_grows_to_the_index_and_get_stops_at_the_end() {
        let mut items = Chunked::default();
        *items.slot(CHUNK + 1, 0) = 7;
        assert_eq!(items.len(), CHUNK + 2);
        *items.slot(3, 0) += 1;
        items[CHUNK] = 5;
        assert_eq!((items.get(3), items.get(CHUNK), items.get(CHUNK + 1)), (Some(&1), Some(&5), Some(&7)));
        assert_eq!(items.get(CHUNK + 2), None);
        *items.get_mut(CHUNK).expect("pushed") += 1;
        assert_eq!(items.get_mut(CHUNK + 2), None);
        assert_eq!(items[CHUNK], 6);
        assert_eq!(items.iter().sum::<i32>(), 14);
    }

    #[test]
    fn extend_filtered_keeps_what_the_filter_keeps() {
        let mut items = Chunked::default();
        items.extend_filtered(&[1, 0, 2, 0, 3], |&x| x != 0);
        assert!(items.iter().copied().eq([1, 2, 3]));
    }

    #[test]
    #[should_panic(expected = "index 3 of 3 elements")]
    fn indexing_past_the_end_panics() {
        let mut items = Chunked::default();
        items.extend_filtered(&[1, 2, 3], |_| true);
        let _ = items[3];
    }
}
