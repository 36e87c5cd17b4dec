//! The byte layout of segment files: the 64-byte segment header, the 16-byte
//! record header and the commit record. Every integer is little-endian.
//!
//! ```text
//! segment   = header(64) record*
//! header    = magic "RVOPSLOG"(8) format u16 header_len u16 (=64) reserved u32
//!             base_seq u64 created_with [u8; 32] (NUL-padded ASCII)
//!             reserved u32 crc32c(bytes 0..60) u32
//! record    = len u32 crc u32 schema u16 flags u16 reserved u32
//!             payload[len] zero-padding to a multiple of 16
//! crc       = crc32c(len ++ schema ++ flags ++ reserved ++ payload)
//! batch     = event-record+ commit-record
//! commit    = payload: first_seq u64, count u32, reserved u32
//! ```
//!
//! Records start at multiples of 16 and payloads are padded to 16, so a
//! segment read into a 16-aligned buffer has every rkyv payload aligned for
//! in-place access.

/// The segment file magic.
pub(crate) const MAGIC: [u8; 8] = *b"RVOPSLOG";
/// The segment format this build reads and writes.
pub(crate) const FORMAT_VERSION: u16 = 1;
/// Bytes in a segment header.
pub(crate) const SEGMENT_HEADER_LEN: usize = 64;
/// Bytes in a record header.
pub(crate) const RECORD_HEADER_LEN: usize = 16;
/// Records and payloads are aligned to this.
pub(crate) const ALIGN: usize = 16;
/// Bytes in a commit record's payload.
pub(crate) const COMMIT_PAYLOAD_LEN: usize = 16;

/// Flag of an event record.
pub(crate) const FLAG_EVENT: u16 = 1;
/// Flag of a commit record.
pub(crate) const FLAG_COMMIT: u16 = 2;

// Segment header field offsets.
const MAGIC_AT: usize = 0;
const VERSION_AT: usize = 8;
const HEADER_LEN_AT: usize = 10;
const BASE_AT: usize = 16;
const CREATED_WITH_AT: usize = 24;
/// Bytes of the created-with text.
pub(crate) const CREATED_WITH_LEN: usize = 32;
const HEADER_CRC_AT: usize = 60;

// The fields fit, do not overlap, and the checksum ends the header.
const _: () = assert!(MAGIC_AT + MAGIC.len() <= VERSION_AT);
const _: () = assert!(VERSION_AT + 2 <= HEADER_LEN_AT && HEADER_LEN_AT + 2 <= BASE_AT);
const _: () = assert!(BASE_AT + 8 <= CREATED_WITH_AT);
const _: () = assert!(CREATED_WITH_AT + CREATED_WITH_LEN <= HEADER_CRC_AT);
const _: () = assert!(HEADER_CRC_AT + 4 == SEGMENT_HEADER_LEN && SEGMENT_HEADER_LEN == 64);
const _: () = assert!(RECORD_HEADER_LEN == 16 && SEGMENT_HEADER_LEN % ALIGN == 0 && RECORD_HEADER_LEN % ALIGN == 0);
const _: () = assert!(COMMIT_PAYLOAD_LEN % ALIGN == 0);

/// What the software that created a segment calls itself.
pub(crate) fn created_with() -> [u8; CREATED_WITH_LEN] {
    let text = concat!("revops-events ", env!("CARGO_PKG_VERSION"));
    let mut out = [0; CREATED_WITH_LEN];
    let n = text.len().min(CREATED_WITH_LEN);
    out[..n].copy_from_slice(&text.as_bytes()[..n]);
    out
}

/// A segment header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SegmentHeader {
    /// Format version.
    pub format: u16,
    /// Log position of the segment's first event.
    pub base_seq: u64,
    /// The software that created the segment, NUL-padded.
    pub created_with: [u8; CREATED_WITH_LEN],
}

/// Why a segment header was refused.
#[derive(Debug)]
pub(crate) enum HeaderProblem {
    /// Not a segment file, or a damaged one.
    Damaged(&'static str),
    /// A format version this build does not read.
    Version(u16),
}

impl SegmentHeader {
    /// A header for a segment starting at `base_seq`, written by this build.
    pub fn new(base_seq: u64) -> Self {
        SegmentHeader { format: FORMAT_VERSION, base_seq, created_with: created_with() }
    }

    /// The 64 bytes on disk.
    pub fn encode(&self) -> [u8; SEGMENT_HEADER_LEN] {
        let mut b = [0u8; SEGMENT_HEADER_LEN];
        b[MAGIC_AT..MAGIC_AT + 8].copy_from_slice(&MAGIC);
        b[VERSION_AT..VERSION_AT + 2].copy_from_slice(&self.format.to_le_bytes());
        b[HEADER_LEN_AT..HEADER_LEN_AT + 2].copy_from_slice(&(SEGMENT_HEADER_LEN as u16).to_le_bytes());
        b[BASE_AT..BASE_AT + 8].copy_from_slice(&self.base_seq.to_le_bytes());
        b[CREATED_WITH_AT..CREATED_WITH_AT + CREATED_WITH_LEN].copy_from_slice(&self.created_with);
        let crc = crc32c::crc32c(&b[..HEADER_CRC_AT]);
        b[HEADER_CRC_AT..].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Reads and checks a header.
    pub fn decode(b: &[u8; SEGMENT_HEADER_LEN]) -> Result<Self, HeaderProblem> {
        if b[MAGIC_AT..MAGIC_AT + 8] != MAGIC {
            return Err(HeaderProblem::Damaged("bad magic: not a revops log segment"));
        }
        if crc32c::crc32c(&b[..HEADER_CRC_AT]) != u32_at(b, HEADER_CRC_AT) {
            return Err(HeaderProblem::Damaged("segment header checksum mismatch"));
        }
        let format = u16_at(b, VERSION_AT);
        if format != FORMAT_VERSION {
            return Err(HeaderProblem::Version(format));
        }
        if usize::from(u16_at(b, HEADER_LEN_AT)) != SEGMENT_HEADER_LEN {
            return Err(HeaderProblem::Damaged("segment header length is not 64"));
        }
        let mut created_with = [0; CREATED_WITH_LEN];
        created_with.copy_from_slice(&b[CREATED_WITH_AT..CREATED_WITH_AT + CREATED_WITH_LEN]);
        Ok(SegmentHeader { format, base_seq: u64_at(b, BASE_AT), created_with })
    }
}

/// A record header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RecordHeader {
    /// Payload bytes, without padding.
    pub len: u32,
    /// CRC32C over the rest of the header and the payload.
    pub crc: u32,
    /// Schema id of an event payload (0 for commit records).
    pub schema: u16,
    /// [`FLAG_EVENT`] or [`FLAG_COMMIT`].
    pub flags: u16,
    /// Zero.
    pub reserved: u32,
}

impl RecordHeader {
    /// Reads a header (no checks: see [`RecordHeader::checksum`]). An array,
    /// not a slice: every field is read without a bounds check.
    pub fn decode(b: &[u8; RECORD_HEADER_LEN]) -> Self {
        RecordHeader {
            len: u32_at(b, 0),
            crc: u32_at(b, 4),
            schema: u16_at(b, 8),
            flags: u16_at(b, 10),
            reserved: u32_at(b, 12),
        }
    }

    /// The 16 bytes on disk, with `crc` as given.
    pub fn encode(&self) -> [u8; RECORD_HEADER_LEN] {
        let mut b = [0u8; RECORD_HEADER_LEN];
        b[0..4].copy_from_slice(&self.len.to_le_bytes());
        b[4..8].copy_from_slice(&self.crc.to_le_bytes());
        b[8..10].copy_from_slice(&self.schema.to_le_bytes());
        b[10..12].copy_from_slice(&self.flags.to_le_bytes());
        b[12..16].copy_from_slice(&self.reserved.to_le_bytes());
        b
    }

    /// The checksum a record with this header and `payload` must carry:
    /// everything but the checksum field itself, so a damaged length is
    /// caught as surely as a damaged payload.
    pub fn checksum(&self, payload: &[u8]) -> u32 {
        let b = self.encode();
        let crc = crc32c::crc32c(&b[0..4]);
        let crc = crc32c::crc32c_append(crc, &b[8..16]);
        crc32c::crc32c_append(crc, payload)
    }
}

/// `len` rounded up to the record alignment.
pub(crate) const fn padded(len: usize) -> usize {
    (len + ALIGN - 1) & !(ALIGN - 1)
}

/// The payload of a commit record.
pub(crate) fn commit_payload(first_seq: u64, count: u32) -> [u8; COMMIT_PAYLOAD_LEN] {
    let mut b = [0u8; COMMIT_PAYLOAD_LEN];
    b[0..8].copy_from_slice(&first_seq.to_le_bytes());
    b[8..12].copy_from_slice(&count.to_le_bytes());
    b
}

/// Reads a commit payload: (first seq, count), or `None` when the reserved
/// bytes are not zero.
pub(crate) fn decode_commit(b: &[u8]) -> Option<(u64, u32)> {
    (b.len() == COMMIT_PAYLOAD_LEN && u32_at(b, 12) == 0).then(|| (u64_at(b, 0), u32_at(b, 8)))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_damage_is_seen() {
        let h = SegmentHeader::new(42);
        let bytes = h.encode();
        assert_eq!(SegmentHeader::decode(&bytes).unwrap(), h);
        for i in 0..SEGMENT_HEADER_LEN {
            let mut damaged = bytes;
            damaged[i] ^= 0x10;
            assert!(SegmentHeader::decode(&damaged).is_err(), "byte {i}");
        }
        let r = RecordHeader { len: 5, crc: 0, schema: 2, flags: FLAG_EVENT, reserved: 0 };
        assert_eq!(RecordHeader::decode(&r.encode()), r);
        assert_ne!(r.checksum(b"abcde"), RecordHeader { len: 6, ..r }.checksum(b"abcde"));
        assert_eq!(padded(0), 0);
        assert_eq!(padded(1), 16);
        assert_eq!(padded(16), 16);
        assert_eq!(decode_commit(&commit_payload(7, 3)), Some((7, 3)));
    }
}
