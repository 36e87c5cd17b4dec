//! Sets of event types: what a reader folds, so that a log can skip the
//! rest without deserializing it ([`crate::EventLog::replay_types`]).

use core::fmt;

use crate::event::{ArchivedEvent, Event};

/// A set of event types, by their names in [`Event::TYPES`].
///
/// ```
/// use revops_events::event_types::EventTypes;
/// use revops_events::Event;
///
/// let event: Event = serde_json::from_str(r#"{"type":"period_closed","period":"2026-01","closed_on":"2026-02-05"}"#)?;
/// let types = EventTypes::ALL.without("collection_step_taken");
/// assert!(types.contains(&event));
/// assert!(!EventTypes::NONE.with("fx_rate_set").contains(&event));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventTypes(u64);

// One bit per type.
const _: () = assert!(Event::TYPES.len() <= 64);

impl EventTypes {
    /// Every event type.
    pub const ALL: EventTypes = EventTypes(u64::MAX >> (64 - Event::TYPES.len()));

    /// No event type.
    pub const NONE: EventTypes = EventTypes(0);

    /// This set and the type named `type_name`.
    ///
    /// # Panics
    /// When no event type has that name: a set is written in code, and a
    /// misspelt name would silently change what a reader folds.
    pub const fn with(self, type_name: &str) -> EventTypes {
        EventTypes(self.0 | 1 << index_of(type_name))
    }

    /// This set without the type named `type_name`.
    ///
    /// # Panics
    /// When no event type has that name (see [`EventTypes::with`]).
    pub const fn without(self, type_name: &str) -> EventTypes {
        EventTypes(self.0 & !(1 << index_of(type_name)))
    }

    /// The types in this set or in `other`.
    pub const fn union(self, other: EventTypes) -> EventTypes {
        EventTypes(self.0 | other.0)
    }

    /// True when `event`'s type is in the set.
    pub fn contains(self, event: &Event) -> bool {
        self.contains_index(event.type_index())
    }

    /// True when the type of the archived `event` is in the set, read in
    /// place.
    pub fn contains_archived(self, event: &ArchivedEvent) -> bool {
        self.contains_index(event.type_index())
    }

    pub(crate) fn contains_index(self, index: usize) -> bool {
        self.0 >> index & 1 == 1
    }

    /// The names of the types in the set, in [`Event::TYPES`] order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Event::TYPES.iter().enumerate().filter(move |&(i, _)| self.contains_index(i)).map(|(_, &name)| name)
    }
}

impl fmt::Debug for EventTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// The position of `type_name` in [`Event::TYPES`]; panics when it is none.
const fn index_of(type_name: &str) -> usize {
    let mut i = 0;
    while i < Event::TYPES.len() {
        if eq(Event::TYPES[i].as_bytes(), type_name.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("no event type has this name")
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_holds_every_type_and_none_holds_none() {
        assert_eq!(EventTypes::ALL.names().collect::<Vec<_>>(), Event::TYPES);
        assert_eq!(EventTypes::NONE.names().count(), 0);
        for &name in Event::TYPES {
            assert_eq!(EventTypes::NONE.with(name).names().collect::<Vec<_>>(), [name]);
            assert!(!EventTypes::ALL.without(name).names().any(|n| n == name));
            assert_eq!(EventTypes::ALL.without(name).names().count(), Event::TYPES.len() - 1);
        }
    }

    #[test]
    #[should_panic(expected = "no event type has this name")]
    fn a_misspelt_name_panics() {
        let _ = EventTypes::ALL.without("payment_recieved");
    }
}
