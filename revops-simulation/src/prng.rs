//! The simulation's only source of randomness: xoshiro256** seeded through
//! splitmix64, integers only.
//!
//! In-house rather than a crate so that the byte-for-byte output of a seed
//! can never change under a dependency upgrade. Probabilities are integer
//! per-mille and ranges are integer, so no floating point (whose formatting
//! and library functions vary) touches a decision.

/// One step of splitmix64: spreads any seed, zero included, over the state.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A deterministic pseudo-random generator (xoshiro256**).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prng {
    s: [u64; 4],
}

impl Prng {
    /// The generator for `seed`; `stream` separates independent sequences
    /// drawn from one seed (decisions, event ids, interleavings), so that
    /// drawing more from one never shifts another.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut sm = seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        // splitmix64 is a bijection of a counter, so four consecutive outputs
        // are never all zero: the one state xoshiro cannot leave.
        debug_assert!(s.iter().any(|&w| w != 0));
        Prng { s }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform integer in `0..n` (`n > 0`), without modulo bias
    /// (Lemire's multiply-and-reject).
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0) has no value to return");
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// A uniform integer in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        assert!(lo <= hi, "empty range {lo}..={hi}");
        let span = hi.abs_diff(lo);
        if span == u64::MAX {
            return self.next_u64() as i64;
        }
        lo.wrapping_add(self.below(span + 1) as i64)
    }

    /// A uniform index into a collection of `len` items.
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `per_mille` / 1000.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    /// An item of `items`, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// An item of `items` with probability proportional to its weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(u32, T)]) -> &'a T {
        let total: u64 = items.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut roll = self.below(total);
        for (w, item) in items {
            if roll < u64::from(*w) {
                return item;
            }
            roll -= u64::from(*w);
        }
        unreachable!("the roll is below the total weight")
    }

    /// 16 random bytes, for event ids.
    pub fn bytes16(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_streams_differ() {
        let (mut a, mut b, mut c) = (Prng::new(7, 0), Prng::new(7, 0), Prng::new(7, 1));
        let xs: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn known_first_output_for_seed_zero() {
        // Pinned so that a change to the generator (which would change every
        // simulated book) cannot go unnoticed.
        let mut p = Prng::new(0, 0);
        let first = p.next_u64();
        assert_eq!(first, Prng::new(0, 0).next_u64());
        assert_eq!(first, 0x99EC_5F36_CB75_F2B4);
    }

    #[test]
    fn ranges_stay_inside_and_cover() {
        let mut p = Prng::new(42, 3);
        let mut seen = [false; 5];
        for _ in 0..1000 {
            let v = p.range(-2, 2);
            assert!((-2..=2).contains(&v));
            seen[(v + 2) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(p.range(5, 5), 5);
        assert!(!p.chance(0));
        assert!(p.chance(1000));
        assert_eq!(*p.weighted(&[(0, 'a'), (3, 'b')]), 'b');
    }
}
