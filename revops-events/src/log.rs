//! The event log: append batches with optimistic concurrency, read back.

use std::ops::Range;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::envelope::{Envelope, ExpectedVersion, NewEvent, Seq};
use crate::event_types::EventTypes;
use crate::stream::StreamId;
use crate::Error;

/// The most events one append may carry.
pub const MAX_BATCH: usize = 10_000;

/// An append-only log of events.
///
/// An append is one batch on one stream: all of it is recorded or none of it.
/// Appending an event whose id is already in the log with the same content is
/// a no-op that returns the original position; the same id with different
/// content is [`Error::IdempotencyConflict`]. A batch made only of repeats
/// returns the positions of the originals and skips the version check, so a
/// retried append succeeds.
pub trait EventLog {
    /// Iterator over envelopes read from the log.
    type Iter<'a>: Iterator<Item = Result<Envelope, Error>>
    where
        Self: 'a;

    /// Appends `events` to `stream` if it is at `expected`, stamping them
    /// `recorded_at`; returns their positions.
    fn append(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
        recorded_at: DateTime<Utc>,
    ) -> Result<Range<Seq>, Error>;

    /// Every event from position `from` on, in log order.
    fn read(&self, from: Seq) -> Self::Iter<'_>;

    /// Every event of `stream`, in stream order.
    fn read_stream(&self, stream: &StreamId) -> Self::Iter<'_>;

    /// Hands `visit` every event from position `from` on whose type is in
    /// `types`, in log order, and returns the position after the last
    /// event read, visited or not: where the next replay starts.
    ///
    /// What a fold of a few event types reads the log with: a log that
    /// can tell an event's type before deserializing it ([`crate::FileLog`])
    /// skips the others without building them.
    fn replay_types(&self, from: Seq, types: EventTypes, visit: &mut dyn FnMut(&Envelope)) -> Result<Seq, Error> {
        let mut next = from;
        for envelope in self.read(from) {
            let envelope = envelope?;
            if types.contains(&envelope.event) {
                visit(&envelope);
            }
            next = Seq(envelope.seq.0 + 1);
        }
        Ok(next)
    }

    /// The number of events in `stream` (0 when it does not exist).
    fn stream_version(&self, stream: &StreamId) -> u64;

    /// The number of events in the log: the position the next one gets.
    fn len(&self) -> u64;

    /// True when the log holds no events.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Checks a batch before anything is written: size, one stream, and the
/// repeats among its events. Returns the positions of the originals when the
/// whole batch repeats, `None` when it is all new; either way `ids` holds
/// the events' ids, each computed once (a derived id serializes the event).
pub(crate) fn check_batch(
    stream: &StreamId,
    events: &[NewEvent],
    ids: &mut Vec<Uuid>,
    original: impl Fn(Uuid, &NewEvent) -> Result<Option<Seq>, Error>,
) -> Result<Option<Range<Seq>>, Error> {
    ids.clear();
    if events.is_empty() {
        return Err(Error::EmptyBatch);
    }
    if events.len() > MAX_BATCH {
        return Err(Error::BatchTooLarge { count: events.len(), limit: MAX_BATCH });
    }
    // The cheap checks first, up to the first event that fails them; then
    // the lookups of the events before it, in a loop of their own so that
    // the processor overlaps their cache misses. The first error in event
    // order wins either way.
    let mut refused = None;
    for e in events {
        if !e.event.belongs_to(stream) {
            refused = Some(Error::WrongStream { expected: stream.clone(), found: e.event.stream() });
            break;
        }
        let id = e.id();
        if ids.contains(&id) {
            refused = Some(Error::DuplicateInBatch { event_id: id });
            break;
        }
        ids.push(id);
    }
    let mut repeats = Vec::new();
    let mut first_repeat = None;
    for (&id, e) in ids.iter().zip(events) {
        if let Some(seq) = original(id, e)? {
            first_repeat.get_or_insert(id);
            repeats.push(seq);
        }
    }
    if let Some(error) = refused {
        return Err(error);
    }
    match repeats.len() {
        0 => Ok(None),
        n if n == events.len() => {
            let first = *repeats.iter().min().expect("non-empty");
            let last = *repeats.iter().max().expect("non-empty");
            Ok(Some(first..Seq(last.0 + 1)))
        }
        _ => Err(Error::PartialRepeat { event_id: first_repeat.expect("some repeat") }),
    }
}
