//! The envelope: an event with its place in the log.

use core::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::event::Event;
use crate::stream::StreamId;

/// The schema version new events are written with.
pub const SCHEMA_VERSION: u16 = 2;

/// Position of an event in the whole log, from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Seq(pub u64);

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The namespace of event ids derived from content (UUID v5).
const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x7265_766f_7073_4576_656e_7449_6473_0001);

/// An event as a caller appends it: the id is optional and derived from the
/// content when absent, so re-appending the same fact is recognized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    /// The caller's event id.
    pub event_id: Option<Uuid>,
    /// The fact.
    pub event: Event,
}

impl NewEvent {
    /// A new event whose id will be derived from its content.
    pub fn new(event: impl Into<Event>) -> Self {
        NewEvent { event_id: None, event: event.into() }
    }

    /// The id: the caller's, or UUID v5 of the stream and the canonical JSON.
    pub fn id(&self) -> Uuid {
        self.event_id.unwrap_or_else(|| derived_event_id(&self.event))
    }
}

/// UUID v5 of the event's stream and its canonical JSON (the serde form,
/// fields in declaration order): the same fact always gets the same id.
pub fn derived_event_id(event: &Event) -> Uuid {
    let mut name = event.stream().to_string().into_bytes();
    name.push(b'\n');
    serde_json::to_writer(&mut name, event).expect("events always serialize");
    Uuid::new_v5(&EVENT_ID_NAMESPACE, &name)
}

/// A recorded event: the fact plus where and when it was recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Position in the whole log.
    pub seq: Seq,
    /// The event id.
    pub event_id: Uuid,
    /// The stream it extends.
    pub stream: StreamId,
    /// Its position in the stream, from 1.
    pub stream_version: u64,
    /// When it was recorded (UTC), as given by the appender.
    pub recorded_at: DateTime<Utc>,
    /// The schema version it was written with (upcast on read).
    pub schema_version: u16,
    /// The fact.
    pub event: Event,
}

/// What a writer expects of a stream before appending to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExpectedVersion {
    /// Append whatever the stream holds.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must be at exactly this version (its number of events).
    Exact(u64),
}

impl ExpectedVersion {
    /// True when a stream at `actual` satisfies the expectation.
    pub fn admits(self, actual: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == 0,
            ExpectedVersion::Exact(v) => v == actual,
        }
    }
}
