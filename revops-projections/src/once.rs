//! Applying each envelope once: the guard behind every projection's
//! idempotence.

use revops_events::Seq;

/// Remembers the position after the last envelope applied. Envelopes come in
/// log order, so one at or before that position was applied already.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SeqGuard {
    next: u64,
}

impl SeqGuard {
    /// True the first time an envelope at `seq` (or later) is seen; false for
    /// a replayed one, which must change nothing.
    pub(crate) fn first_time(&mut self, seq: Seq) -> bool {
        if seq.0 < self.next {
            return false;
        }
        self.next = seq.0.saturating_add(1);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_position_passes_once() {
        let mut guard = SeqGuard::default();
        assert!(guard.first_time(Seq(0)));
        assert!(!guard.first_time(Seq(0)));
        assert!(guard.first_time(Seq(5)));
        assert!(!guard.first_time(Seq(3)));
        assert!(!guard.first_time(Seq(5)));
        assert!(guard.first_time(Seq(6)));
    }
}
