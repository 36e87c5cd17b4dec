//! The one trait every projection implements.

use revops_events::{Envelope, EventTypes};

/// A pure fold of the event log into a read model.
///
/// `apply` takes envelopes in log order. Applying an envelope a second time
/// (same `seq`, or an earlier one) changes nothing, so a projection can be
/// fed from a replay and then from live appends without double counting.
/// Replaying never fails on business rules: what was appended happened.
pub trait Projection {
    /// The event types `apply` folds. It ignores the others, so a replay
    /// may skip them unread ([`revops_events::EventLog::replay_types`]).
    const READS: EventTypes = EventTypes::ALL;

    /// Folds one envelope into the projection.
    fn apply(&mut self, envelope: &Envelope);
}
