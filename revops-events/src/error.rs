//! The one error type of revops-events.

/// Everything that can go wrong in revops-events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An entity id that breaks the id rules.
    #[error("invalid {kind} id {id:?}: {problem}")]
    InvalidId {
        /// The kind of entity.
        kind: &'static str,
        /// The id as given (cut to 128 characters).
        id: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A stream was not at the version the writer expected.
    #[error("conflict on stream {stream}: expected {expected:?}, found version {actual}")]
    Conflict {
        /// The stream.
        stream: crate::StreamId,
        /// What the writer expected.
        expected: crate::ExpectedVersion,
        /// The stream's actual version.
        actual: u64,
    },
    /// An event id already in the log with different content.
    #[error("event {event_id} is already in the log at position {original} with different content")]
    IdempotencyConflict {
        /// The event id.
        event_id: uuid::Uuid,
        /// Where the original is.
        original: crate::Seq,
    },
    /// A batch mixing events already in the log with new ones.
    #[error("batch repeats event {event_id} that is already in the log but also carries new events")]
    PartialRepeat {
        /// The first repeated event.
        event_id: uuid::Uuid,
    },
    /// The same event id twice in one batch.
    #[error("event {event_id} appears twice in one batch")]
    DuplicateInBatch {
        /// The event id.
        event_id: uuid::Uuid,
    },
    /// An event that belongs to another stream than the batch's.
    #[error("event of stream {found} in a batch for stream {expected}")]
    WrongStream {
        /// The batch's stream.
        expected: crate::StreamId,
        /// The event's stream.
        found: crate::StreamId,
    },
    /// An append of no events.
    #[error("a batch must hold at least one event")]
    EmptyBatch,
    /// An append of more events than a batch may hold.
    #[error("a batch of {count} events exceeds the limit of {limit}")]
    BatchTooLarge {
        /// Events in the batch.
        count: usize,
        /// The limit.
        limit: usize,
    },
    // -- file log errors: variants of the file log go here --

    // -- command errors: variants of command validation go here --

    // -- import and export errors: variants of JSON Lines go here --

    /// A value or calculation error from revops-core.
    #[error(transparent)]
    Core(#[from] revops_core::Error),
}
