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
/// How far past twice its names a run may reach for a new number: bounds a
/// run's array by its names whatever numbers a log holds.
const SLACK: usize = 1024;
/// An array entry without a name.
const ABSENT: u32 = u32::MAX;

/// A name split into its prefix and trailing number.
#[derive(Clone, Copy, Debug)]
pub(super) struct Numbered {
    /// The prefix's bytes, little endian, zero past its end.
    prefix: u128,
    /// Prefix length and digit count: with `prefix`, the run's key.
    shape: (u8, u8),
    number: u32,
}

impl Numbered {
    /// `name` split, when it ends in one to nine digits after a prefix of
    /// up to sixteen bytes.
    pub(super) fn of(name: &[u8]) -> Option<Numbered> {
        let (digits, number) = if name.len() >= 8 { trailing_number(name)? } else { trailing_number_short(name)? };
        let head = name.len() - digits;
        if head > PREFIX {
            return None;
        }
        let prefix = first_bytes(name) & u128::MAX.checked_shr(8 * (PREFIX - head) as u32).unwrap_or(0);
        // Both fit a byte: at most 16 and 9.
        Some(Numbered { prefix, shape: (head as u8, digits as u8), number })
    }
}

/// Every byte's low seven bits set.
const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
/// Every byte's high bit set.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The count and value of the one to nine digits `name` (eight bytes or
/// more) ends in. Its last eight bytes are tested and read as one word
/// rather than byte by byte: every id a replay looks up comes through here.
fn trailing_number(name: &[u8]) -> Option<(usize, u32)> {
    let n = name.len();
    // Each byte's value as a digit: a digit's byte is '0' to '9', so its
    // value is 0 to 9 and any other byte's is 10 or more.
    let values = u64::from_le_bytes(name[n - 8..].try_into().expect("eight bytes")) ^ 0x3030_3030_3030_3030;
    // A byte's high bit is set where its value is 10 or more (the low seven
    // bits plus 0x76 cannot carry into the next byte).
    let not_digit = (((values & LOW_SEVEN) + 0x7676_7676_7676_7676) | values) & HIGH;
    // The last byte is the word's highest.
    let digits = (not_digit.leading_zeros() / 8) as usize;
    if digits == 0 {
        return None;
    }
    // The bytes before the digits, cleared, read as leading zeros.
    let number = eight_digits(values & (u64::MAX << (8 * (8 - digits))));
    if digits < 8 || n == 8 || !name[n - 9].is_ascii_digit() {
        return Some((digits, number));
    }
    if n > 9 && name[n - 10].is_ascii_digit() {
        return None;
    }
    Some((9, u32::from(name[n - 9] - b'0') * 100_000_000 + number))
}

/// The number eight digit values make, the first (most significant) in the
/// lowest byte: pairs, then fours, then all eight combined by multiplying
/// whole words.
fn eight_digits(values: u64) -> u32 {
    let pairs = values.wrapping_mul(10).wrapping_add(values >> 8);
    let fours = (pairs & 0x0000_00ff_0000_00ff).wrapping_mul(100 + (1_000_000 << 32));
    let rest = ((pairs >> 16) & 0x0000_00ff_0000_00ff).wrapping_mul(1 + (10_000 << 32));
    (fours.wrapping_add(rest) >> 32) as u32
}

/// [`trailing_number`] for a name of fewer than eight bytes, byte by byte.
fn trailing_number_short(name: &[u8]) -> Option<(usize, u32)> {
    let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let number = name[name.len() - digits..].iter().fold(0, |n: u32, &d| n * 10 + u32::from(d - b'0'));
    (digits > 0).then_some((digits, number))
}

/// Up to the first sixteen bytes of `name`, little endian, zero past its
/// end. Read with overlapping loads rather than copied into a zeroed array:
/// the wide read of a prefix stored byte-wise at a variable length cannot
/// be forwarded from the store buffer (perf found a lookup's samples
/// mostly on that read).
fn first_bytes(name: &[u8]) -> u128 {
    let n = name.len();
    let u64_at = |at: usize| u64::from_le_bytes(name[at..at + 8].try_into().expect("eight bytes"));
    let u32_at = |at: usize| u32::from_le_bytes(name[at..at + 4].try_into().expect("four bytes"));
    // Below sixteen bytes, the second load ends at the name's end and is
    // shifted down to start where the first ends; a shift past the whole
    // load (nothing left after the first) leaves zero.
    match n {
        16.. => u128::from_le_bytes(name[..16].try_into().expect("sixteen bytes")),
        8.. => u128::from(u64_at(0)) | u128::from(u64_at(n - 8).checked_shr(8 * (16 - n) as u32).unwrap_or(0)) << 64,
        4.. => u128::from(u32_at(0)) | u128::from(u32_at(n - 4).checked_shr(8 * (8 - n) as u32).unwrap_or(0)) << 32,
        _ => name.iter().rev().fold(0, |word, &b| word << 8 | u128::from(b)),
    }
}

/// The ids of one prefix by number.
#[derive(Clone, Debug)]
struct Run {
    prefix: u128,
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
            let bytes = n.prefix.to_le_bytes();
            let (prefix, rest) = bytes.split_at(usize::from(n.shape.0));
            assert!(rest.iter().all(|&b| b == 0), "zero past the prefix");
            let prefix = String::from_utf8(prefix.to_vec()).unwrap();
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
    fn the_first_bytes_of_every_length_read_as_a_copy_would() {
        let text: Vec<u8> = (1..=20).map(|b| b * 11).collect();
        for n in 0..=text.len() {
            let mut copy = [0; 16];
            copy[..n.min(16)].copy_from_slice(&text[..n.min(16)]);
            assert_eq!(first_bytes(&text[..n]), u128::from_le_bytes(copy), "{n} bytes");
        }
    }

    #[test]
    fn a_trailing_number_reads_as_the_plain_parse_does() {
        // Every length to twenty, with up to eleven trailing digits behind
        // letters, digits alone, and the bytes either side of '0'..'9'.
        let plain = |name: &[u8]| {
            let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
            let number = std::str::from_utf8(&name[name.len() - digits..]).unwrap().parse::<u32>();
            (1..=9).contains(&digits).then(|| (digits, number.unwrap()))
        };
        let fast = |name: &[u8]| if name.len() >= 8 { trailing_number(name) } else { trailing_number_short(name) };
        let digits = b"90817263549081726354";
        for len in 0..=20 {
            for count in 0..=len.min(11) {
                for filler in [b'A', b'/', b':', b'-', 0xff, 0x00] {
                    let mut name = vec![filler; len - count];
                    name.extend_from_slice(&digits[20 - count..]);
                    let shown = String::from_utf8_lossy(&name).into_owned();
                    assert_eq!(fast(&name), plain(&name), "{shown:?}");
                }
            }
        }
        assert_eq!(trailing_number(b"X999999999"), Some((9, 999_999_999)));
        assert_eq!(trailing_number(b"00000000"), Some((8, 0)));
        assert_eq!(trailing_number(b"1234567890"), None);
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
