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
use crate::commissions::{CommissionEntryKind, Commissions, EntryCursor, RepEntry};
use crate::schedules::Source;

/// One commission entry: Dr Commission Expense / Cr Commissions Payable of
/// `amount` (a negative amount reverses the sides).
#[derive(Clone, Debug, PartialEq, Eq)]
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

fn unposted((source, e): (Source, revops_core::Error)) -> Unposted {
    Unposted {
        seq: source.seq,
        event_id: source.event_id,
        event_type: source.event_type().to_owned(),
        reason: format!("its commission cannot be computed: {e}"),
    }
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
    let entries = commissions.rep_entries(until).map_err(unposted)?;
    post(commissions, &entries, horizon, frozen, until, |_| true, out);
    Ok(())
}

/// [`open_postings`] through `until`, the last day of the month a close
/// closes, walked on from the last close by `cursor` rather than from the
/// first credit: the same postings, for the reps with new entries only.
pub(crate) fn close_postings(
    commissions: &Commissions,
    cursor: &mut EntryCursor,
    horizon: Option<(YearMonth, u64)>,
    frozen: &Frozen,
    until: NaiveDate,
    out: &mut Vec<CommissionPosting>,
) -> Result<(), Unposted> {
    let mut entries = Vec::new();
    let closed = horizon.map(|(h, seq)| (h.last_day(), seq));
    cursor.advance(commissions, closed, until, &mut entries).map_err(unposted)?;
    entries.sort_by_key(|e| (e.on, e.source.seq));
    post(commissions, &entries, horizon, frozen, until, |rep| cursor.walked_again(rep), out);
    Ok(())
}

/// Posts `entries` (sorted by date and log position) dated after the
/// horizon, and books a catch-up for each rep `whole` picks from its
/// entries in the closed months: `entries` holds all of those of the reps
/// it picks, and none of the others'.
fn post(
    commissions: &Commissions,
    entries: &[RepEntry],
    horizon: Option<(YearMonth, u64)>,
    frozen: &Frozen,
    until: NaiveDate,
    whole: impl Fn(u32) -> bool,
    out: &mut Vec<CommissionPosting>,
) {
    let mut closed: BTreeMap<(&str, Currency), Closed> = BTreeMap::new();
    for e in entries {
        let Some(amount) = minor(e.amount, e.currency) else { continue };
        let rep = commissions.rep_name(e.rep);
        if let Some((_, close_seq)) = horizon.filter(|(h, _)| YearMonth::of(e.on) <= *h) {
            debug_assert!(whole(e.rep), "an entry in a closed month of a rep walked on");
            let slot = closed.entry((rep, e.currency)).or_default();
            slot.sum += amount;
            slot.latest = later(slot.latest, e.source);
            if e.source.seq > close_seq {
                slot.late = later(slot.late, e.source);
            }
            continue;
        }
        let kind = match e.kind {
            CommissionEntryKind::Commission => JournalKind::CommissionEarned,
            CommissionEntryKind::Clawback => JournalKind::CommissionClawback,
            CommissionEntryKind::Adjustment | CommissionEntryKind::DisputeGranted => JournalKind::CommissionAdjusted,
        };
        out.push(CommissionPosting {
            rep: rep.into(),
            currency: e.currency,
            kind,
            date: e.on,
            original_date: None,
            amount,
            source: e.source,
        });
    }
    let Some((h, close_seq)) = horizon else { return };
    let first_open = h.next().first_day();
    if until < first_open {
        return;
    }
    for ((rep, currency), &held) in &frozen.sums {
        if commissions.rep_index(rep).is_none_or(&whole) {
            closed.entry((rep, *currency)).or_default().sum -= held;
        }
    }
    for ((rep, currency), c) in closed {
        if c.sum == 0 {
            continue;
        }
        // A plan defined after the close re-routes credits without being
        // one: when it is the latest late event, the catch-up is its doing.
        let plans = commissions.rep_index(rep).into_iter().flat_map(|r| commissions.plan_sources(r));
        let late = plans.filter(|s| s.seq > close_seq).chain(c.late).max_by_key(|s| s.seq);
        let Some(source) = late.or(c.latest).or(frozen.close) else { continue };
        out.push(CommissionPosting {
            rep: rep.into(),
            currency,
            kind: JournalKind::CommissionCatchUp,
            date: first_open,
            original_date: Some(source.on),
            amount: c.sum,
            source,
        });
    }
}
