//! Ids found by their number: names made of a prefix and a zero-padded
//! decimal number (`INV-2026-0001234`, `PAY-0004711`, `C-000042`) kept in
//! a dense array per prefix instead of a hash table.
//!
//! Ids are handed out in sequence, so the numbers under one prefix are
//! nearly dense: four bytes per name, in number order, against a table slot
//! of some thirty bytes at a random place. A replay looks up invoices and
//! payments weeks after they were issued; the array of a year's invoices
//! stays in cache where the table's slots do not.
//!
//! A name maps to (prefix, digit count, number) one to one — the prefix
//! never ends in a digit and the count keeps leading zeros — so a run
//! answers for its names exactly. What does not fit a run goes to the
//! interner's table: names without a trailing number, longer prefixes, a
//! fifth prefix, numbers below a run's first or far past its end.

/// Prefixes per interner that get a run: line keys have one prefix per
/// contract, and every lookup compares its prefix with each run's.
const MAX_RUNS: usize = 4;
/// Longest prefix a run holds.
const PREFIX: usize = 16;
/// Most digits of a run's numbers: 10^9 - 1 fits a `u32`.
const MAX_DIGITS: usize = 9;
/// How far past twice its names a run may reach for a new number: bounds a
/// run's array by its names whatever numbers a log holds.
const SLACK: usize = 1024;
/// An array entry without a name.
const ABSENT: u32 = u32::MAX;

/// A name split into its prefix (zero-padded) and trailing number.
#[derive(Clone, Copy, Debug)]
pub(super) struct Numbered {
    prefix: [u8; PREFIX],
    /// Prefix length and digit count: with `prefix`, the run's key.
    shape: (u8, u8),
    number: u32,
}

impl Numbered {
    /// `name` split, when it ends in one to nine digits after a prefix of
    /// up to sixteen bytes.
    pub(super) fn of(name: &[u8]) -> Option<Numbered> {
        let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
        let head = name.len() - digits;
        if digits == 0 || digits > MAX_DIGITS || head > PREFIX {
            return None;
        }
        let mut prefix = [0; PREFIX];
        prefix[..head].copy_from_slice(&name[..head]);
        let number = name[head..].iter().fold(0, |n: u32, &d| n * 10 + u32::from(d - b'0'));
        // Both fit a byte: at most 16 and 9.
        Some(Numbered { prefix, shape: (head as u8, digits as u8), number })
    }
}

/// The ids of one prefix by number.
#[derive(Clone, Debug)]
struct Run {
    prefix: [u8; PREFIX],
    shape: (u8, u8),
    /// The first number the run took: `ids[0]` is its id.
    base: u32,
    ids: Vec<u32>,
    /// Entries of `ids` that hold an id.
    names: usize,
}

/// The runs of one interner.
#[derive(Clone, Debug, Default)]
pub(super) struct Runs {
    runs: Vec<Run>,
}

impl Runs {
    /// The position of the run for `key`'s prefix, if it has one.
    fn position(&self, key: &Numbered) -> Option<usize> {
        self.runs.iter().position(|r| r.shape == key.shape && r.prefix == key.prefix)
    }

    /// The id of the name `key` is, if a run holds it.
    pub(super) fn get(&self, key: &Numbered) -> Option<u32> {
        let run = &self.runs[self.position(key)?];
        let id = *run.ids.get(key.number.checked_sub(run.base)? as usize)?;
        (id != ABSENT).then_some(id)
    }

    /// Places `id` for the new name `key` (one [`Runs::get`] does not
    /// find), opening a run for its prefix if there is room; `false` when
    /// no run takes it and the name belongs in the table.
    pub(super) fn place(&mut self, key: &Numbered, id: u32) -> bool {
        debug_assert!(id != ABSENT && self.get(key).is_none(), "a new name");
        let index = match self.position(key) {
            Some(index) => index,
            None if self.runs.len() < MAX_RUNS => {
                let run = Run { prefix: key.prefix, shape: key.shape, base: key.number, ids: Vec::new(), names: 0 };
                self.runs.push(run);
                self.runs.len() - 1
            }
            None => return false,
        };
        let run = &mut self.runs[index];
        let Some(offset) = key.number.checked_sub(run.base).map(|o| o as usize) else { return false };
        if offset >= 2 * run.names + SLACK {
            return false;
        }
        if run.ids.len() <= offset {
            run.ids.resize(offset + 1, ABSENT);
        }
        run.ids[offset] = id;
        run.names += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> Option<(String, u8, u32)> {
        Numbered::of(name.as_bytes()).map(|n| {
            let prefix = String::from_utf8(n.prefix[..usize::from(n.shape.0)].to_vec()).unwrap();
            (prefix, n.shape.1, n.number)
        })
    }

    #[test]
    fn a_name_splits_into_prefix_digit_count_and_number() {
        assert_eq!(key("INV-2026-0001234"), Some(("INV-2026-".into(), 7, 1234)));
        assert_eq!(key("PAY-0000000"), Some(("PAY-".into(), 7, 0)));
        assert_eq!(key("7"), Some(("".into(), 1, 7)));
        assert_eq!(key("C-999999999"), Some(("C-".into(), 9, 999_999_999)));
        assert_eq!(key("0123456789ABCDEF1"), Some(("0123456789ABCDEF".into(), 1, 1)));
        // No trailing number, more than nine digits, a prefix past sixteen bytes.
        assert_eq!(key("ACME"), None);
        assert_eq!(key(""), None);
        assert_eq!(key("C-1234567890"), None);
        assert_eq!(key("0123456789ABCDEFG1"), None);
    }

    #[test]
    fn leading_zeros_and_prefixes_tell_names_apart() {
        let mut runs = Runs::default();
        let n = |name: &str| Numbered::of(name.as_bytes()).unwrap();
        assert!(runs.place(&n("INV-0012"), 0));
        assert_eq!(runs.get(&n("INV-0012")), Some(0));
        // Same number, other digit count or prefix: other names.
        assert_eq!(runs.get(&n("INV-012")), None);
        assert_eq!(runs.get(&n("INV-00012")), None);
        assert_eq!(runs.get(&n("INX-0012")), None);
        assert_eq!(runs.get(&n("INV-0013")), None);
        assert!(runs.place(&n("INV-012"), 1));
        assert!(runs.place(&n("INV-0013"), 2));
        assert_eq!(
            (runs.get(&n("INV-012")), runs.get(&n("INV-0012")), runs.get(&n("INV-0013"))),
            (Some(1), Some(0), Some(2))
        );
    }

    #[test]
    fn a_run_takes_no_number_below_its_first_or_far_past_its_end() {
        let mut runs = Runs::default();
        let n = |number: u32| Numbered::of(format!("PAY-{number:07}").as_bytes()).unwrap();
        assert!(runs.place(&n(5000), 0));
        assert!(!runs.place(&n(4999), 1), "below the first number");
        // One name: room up to 2 + SLACK past the first.
        assert!(!runs.place(&n(5000 + 2 + SLACK as u32), 1));
        assert!(runs.place(&n(5000 + 1 + SLACK as u32), 1));
        assert_eq!(runs.runs[0].ids.len(), SLACK + 2);
        assert_eq!(
            (runs.get(&n(5000)), runs.get(&n(5001)), runs.get(&n(5000 + 1 + SLACK as u32))),
            (Some(0), None, Some(1))
        );
    }

    #[test]
    fn only_four_prefixes_get_a_run() {
        let mut runs = Runs::default();
        for (id, prefix) in ["A-", "B-", "C-", "D-"].into_iter().enumerate() {
            assert!(runs.place(&Numbered::of(format!("{prefix}1").as_bytes()).unwrap(), id as u32));
        }
        assert!(!runs.place(&Numbered::of(b"E-1").unwrap(), 4));
        assert_eq!(runs.get(&Numbered::of(b"E-1").unwrap()), None);
        assert_eq!(runs.get(&Numbered::of(b"D-1").unwrap()), Some(3));
    }
}
