//! Commission entries from the [`Commissions`] projection: one per event
//! that changed a rep's `earned − clawed_back`, and the catch-up of
//! changes to closed months (see the `ledger` module docs for the rules).
//!
//! The ledger computes no commission of its own: two computations of the
//! same payable drift apart (they did, by rule after rule), and the
//! commissions report is what reps are paid from.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;
use revops_core::Currency;

use super::journal::JournalKind;
use super::report::Unposted;
use crate::amounts::minor;
use crate::commissions::{CommissionEntry, CommissionEntryKind, Commissions};
use crate::schedules::Source;

/// One commission entry: Dr Commission Expense / Cr Commissions Payable of
/// `amount` (a negative amount reverses the sides).
#[derive(Clone, Debug)]
pub(crate) struct CommissionPosting {
    pub(crate) rep: Box<str>,
    pub(crate) currency: Currency,
    pub(crate) kind: JournalKind,
    pub(crate) date: NaiveDate,
    pub(crate) original_date: Option<NaiveDate>,
    pub(crate) amount: i64,
    pub(crate) source: Source,
}

/// Commission entries frozen by period closes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Frozen {
    pub(crate) postings: Vec<CommissionPosting>,
    /// The sum of `postings` per rep and currency: what the closed months
    /// hold.
    pub(crate) sums: BTreeMap<(Box<str>, Currency), i64>,
    /// The close that set the horizon: what a catch-up points to when no
    /// event after it explains the change (a rep's entries that vanished).
    pub(crate) close: Option<Source>,
}

impl Frozen {
    /// Freezes `postings`, the entries of the months a close just closed.
    pub(crate) fn freeze(&mut self, postings: Vec<CommissionPosting>, close: Source) {
        for p in &postings {
            *self.sums.entry((p.rep.clone(), p.currency)).or_default() += p.amount;
        }
        self.postings.extend(postings);
        self.close = Some(close);
    }
}

fn source_of(e: &CommissionEntry) -> Source {
    Source { seq: e.seq, event_id: e.event_id, event_type: e.event_type, on: e.on }
}

/// What one rep holds in the closed months now, and the event a catch-up
/// of it points to.
#[derive(Default)]
struct Closed {
    sum: i64,
    /// The latest entry (by log position) recorded after the close.
    late: Option<Source>,
    /// The latest entry by log position.
    latest: Option<Source>,
}

fn later(a: Option<Source>, b: Source) -> Option<Source> {
    Some(a.filter(|a| a.seq > b.seq).unwrap_or(b))
}

/// The commission entries after the horizon through `until`, with the
/// catch-up per rep of what changed in the closed months since `frozen`;
/// an event whose commission cannot be computed is returned instead.
///
/// Entries are dated on their business date. Amounts that are not whole
/// minor units (a dispute grant of 0.005 USD) are left out: the ledger
/// lists those events as unposted when they arrive.
pub(crate) fn open_postings(
    commissions: &Commissions,
    horizon: Option<(YearMonth, u64)>,
    frozen: &Frozen,
    until: NaiveDate,
    out: &mut Vec<CommissionPosting>,
) -> Result<(), Unposted> {
    let entries = commissions.try_entries(until).map_err(|(source, e)| Unposted {
        seq: source.seq,
        event_id: source.event_id,
        event_type: source.event_type.to_owned(),
        reason: format!("its commission cannot be computed: {e}"),
    })?;
    let mut closed: BTreeMap<(Box<str>, Currency), Closed> = BTreeMap::new();
    for e in &entries {
        let Some(amount) = minor(e.amount, e.currency) else { continue };
        let source = source_of(e);
        if let Some((_, close_seq)) = horizon.filter(|(h, _)| YearMonth::of(e.on) <= *h) {
            let slot = closed.entry((e.rep.as_str().into(), e.currency)).or_default();
            slot.sum += amount;
            slot.latest = later(slot.latest, source);
            if source.seq > close_seq {
                slot.late = later(slot.late, source);
            }
            continue;
        }
        let kind = match e.kind {
            CommissionEntryKind::Commission => JournalKind::CommissionEarned,
            CommissionEntryKind::Clawback => JournalKind::CommissionClawback,
            CommissionEntryKind::Adjustment | CommissionEntryKind::DisputeGranted => JournalKind::CommissionAdjusted,
        };
        out.push(CommissionPosting {
            rep: e.rep.as_str().into(),
            currency: e.currency,
            kind,
            date: e.on,
            original_date: None,
            amount,
            source,
        });
    }
    let Some((h, close_seq)) = horizon else { return Ok(()) };
    let first_open = h.next().first_day();
    if until < first_open {
        return Ok(());
    }
    for (key, &held) in &frozen.sums {
        closed.entry(key.clone()).or_default().sum -= held;
    }
    for ((rep, currency), c) in closed {
        if c.sum == 0 {
            continue;
        }
        // A plan defined after the close re-routes credits without being
        // one: when it is the latest late event, the catch-up is its doing.
        let plans = commissions.plan_sources(&rep).filter(|s| s.seq > close_seq);
        let late = plans.chain(c.late).max_by_key(|s| s.seq);
        let Some(source) = late.or(c.latest).or(frozen.close) else { continue };
        out.push(CommissionPosting {
            rep,
            currency,
            kind: JournalKind::CommissionCatchUp,
            date: first_open,
            original_date: Some(source.on),
            amount: c.sum,
            source,
        });
    }
    Ok(())
}
