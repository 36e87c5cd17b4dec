//! `MemoryLog`: the event log in memory, for tests and embedding.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::envelope::{Envelope, ExpectedVersion, NewEvent, Seq, SCHEMA_VERSION};
use crate::log::{check_batch, EventLog};
use crate::stream::StreamId;
use crate::Error;

/// An [`EventLog`] held in memory.
///
/// ```
/// use revops_events::{EventLog, ExpectedVersion, MemoryLog, NewEvent, Event};
///
/// let mut log = MemoryLog::default();
/// let event: Event = serde_json::from_str(
///     r#"{"type":"period_closed","period":"2026-01","closed_on":"2026-02-05"}"#,
/// )?;
/// let at = "2026-02-05T09:00:00Z".parse()?;
/// let batch = [NewEvent::new(event)];
/// let stream = batch[0].event.stream();
/// let first = log.append(&stream, ExpectedVersion::NoStream, &batch, at)?;
/// // The same fact again is a no-op that returns the original position.
/// let again = log.append(&stream, ExpectedVersion::NoStream, &batch, at)?;
/// assert_eq!(first, again);
/// assert_eq!(log.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct MemoryLog {
    envelopes: Vec<Envelope>,
    by_id: HashMap<Uuid, Seq>,
    streams: BTreeMap<StreamId, Vec<Seq>>,
}

impl MemoryLog {
    /// Every envelope, in log order.
    pub fn envelopes(&self) -> &[Envelope] {
        &self.envelopes
    }

    fn original(&self, id: Uuid, e: &NewEvent) -> Result<Option<Seq>, Error> {
        match self.by_id.get(&id) {
            None => Ok(None),
            Some(&seq) if self.envelopes[seq.0 as usize].event == e.event => Ok(Some(seq)),
            Some(&seq) => Err(Error::IdempotencyConflict { event_id: id, original: seq }),
        }
    }
}

impl EventLog for MemoryLog {
    type Iter<'a> = MemoryIter<'a>;

    fn append(
        &mut self,
        stream: &StreamId,
        expected: ExpectedVersion,
        events: &[NewEvent],
        recorded_at: DateTime<Utc>,
    ) -> Result<Range<Seq>, Error> {
        let mut ids = Vec::with_capacity(events.len());
        if let Some(originals) = check_batch(stream, events, &mut ids, |id, e| self.original(id, e))? {
            return Ok(originals);
        }
        let actual = self.stream_version(stream);
        if !expected.admits(actual) {
            return Err(Error::Conflict { stream: stream.clone(), expected, actual });
        }
        let first = Seq(self.envelopes.len() as u64);
        let positions = self.streams.entry(stream.clone()).or_default();
        for (i, (e, event_id)) in events.iter().zip(ids).enumerate() {
            let seq = Seq(first.0 + i as u64);
            let envelope = Envelope {
                seq,
                event_id,
                stream: stream.clone(),
                stream_version: actual + i as u64 + 1,
                recorded_at,
                schema_version: SCHEMA_VERSION,
                event: e.event.clone(),
            };
            self.by_id.insert(envelope.event_id, seq);
            positions.push(seq);
            self.envelopes.push(envelope);
        }
        Ok(first..Seq(self.envelopes.len() as u64))
    }

    fn read(&self, from: Seq) -> MemoryIter<'_> {
        let start = (from.0 as usize).min(self.envelopes.len());
        MemoryIter { log: self, positions: Positions::Range(start..self.envelopes.len()) }
    }

    fn read_stream(&self, stream: &StreamId) -> MemoryIter<'_> {
        let positions = self.streams.get(stream).map_or(&[][..], Vec::as_slice);
        MemoryIter { log: self, positions: Positions::List(positions.iter()) }
    }

    fn stream_version(&self, stream: &StreamId) -> u64 {
        self.streams.get(stream).map_or(0, |p| p.len() as u64)
    }

    fn len(&self) -> u64 {
        self.envelopes.len() as u64
    }
}

/// Iterator over a [`MemoryLog`].
#[derive(Clone, Debug)]
pub struct MemoryIter<'a> {
    log: &'a MemoryLog,
    positions: Positions<'a>,
}

#[derive(Clone, Debug)]
enum Positions<'a> {
    Range(Range<usize>),
    List(std::slice::Iter<'a, Seq>),
}

impl Iterator for MemoryIter<'_> {
    type Item = Result<Envelope, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let index = match &mut self.positions {
            Positions::Range(r) => r.next()?,
            Positions::List(l) => l.next()?.0 as usize,
        };
        Some(Ok(self.log.envelopes[index].clone()))
    }
}
