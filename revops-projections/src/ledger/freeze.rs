//! Recognition frozen by period closes, per contract: at the close, or
//! deferred to the next time the contract's schedule is computed anyway.
//!
//! Freezing a contract at a close needs its schedule as it stands then. A
//! contract billed by usage or time changes every month, so computing its
//! schedule at every close would compute it once a month for its whole
//! life. Instead a close whose schedule would have to be recomputed is
//! left pending for that contract, and applied later, in order with every
//! close after it, from the schedule computed then — which holds exactly
//! what the schedule held at each pending close for the months it closed,
//! because the only changes a contract with pending closes takes are usage,
//! approved time and milestone acceptances dated after the latest closed
//! month and renewals whose lines all start after it: none touches an
//! earlier month. Any other change to it (a modification, a cancellation,
//! a delivery, backdated usage, a renewal line starting earlier) applies
//! the pending closes first. So does a
//! schedule that fails to compute with the later records: the pending
//! closes are then applied from the schedule as it stood at each, with the
//! records after it left out. In debug builds every deferred close, applied
//! or read, is checked against that exact computation.

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;
use revops_events::Event;

use super::recognition::{open_postings, ByMethod, Frozen, Posting};
use crate::schedules::{ContractBook, RecognitionMethod, RevenueSchedules, Scratch, TermSchedule};

/// A period close the ledger applied.
#[derive(Clone, Copy, Debug)]
struct Close {
    period: YearMonth,
    /// Its log position.
    seq: u64,
    /// The latest closed month before it and the position of its close.
    horizon: Option<(YearMonth, u64)>,
}

/// A contract as the closes applied to it left it.
#[derive(Clone, Debug)]
struct ContractFreeze {
    frozen: Vec<Frozen>,
    /// The sum per method of `frozen`.
    sums: ByMethod,
    /// How many schedule changes the book had at the last close applied;
    /// `usize::MAX` before its first.
    changes: usize,
    /// The last period end of its schedule then.
    last_entry: Option<NaiveDate>,
    /// The first close not applied to it yet (an index into
    /// [`Freezer::closes`]): that close and every later one are pending.
    pending: Option<u32>,
}

const NEVER_CLOSED: ContractFreeze = ContractFreeze {
    frozen: Vec::new(),
    sums: [0; RecognitionMethod::ALL.len()],
    changes: usize::MAX,
    last_entry: None,
    pending: None,
};

/// The recognition every period close froze, per contract index.
#[derive(Clone, Debug, Default)]
pub(crate) struct Freezer {
    closes: Vec<Close>,
    contracts: Vec<ContractFreeze>,
    /// The contracts whose schedule still recognizes after the horizon,
    /// as the last close applied to them saw them: with the ones changed
    /// since, the only ones the next close has anything to freeze for.
    recognizing: Vec<u32>,
    /// Reused by every close: no allocation per contract.
    visit: Vec<u32>,
    months: Vec<(YearMonth, ByMethod)>,
    postings: Vec<Posting>,
    scratch: Scratch,
}

/// Whether `event`, changing a contract with pending closes, leaves the
/// months closed through `horizon` as they were: usage, approved time
/// or a milestone acceptance dated after them (a milestone is recognized
/// on its first acceptance, for its fixed part), or a renewal whose term
/// and every line of it start after them (a term of its own, recognizing
/// nothing before its lines start). A delivery is not: without one, a
/// point-in-time line is recognized on its start date.
pub(crate) fn keeps_closed_months(event: &Event, horizon: Option<YearMonth>) -> bool {
    // By month rather than against the horizon's last day: no date to build
    // for each of the log's events.
    let after = |on: NaiveDate| horizon.is_none_or(|horizon| YearMonth::of(on) > horizon);
    match event {
        Event::UsageRecorded(e) => after(e.incurred_on),
        Event::TimeApproved(e) => after(e.approved_on),
        Event::MilestoneAccepted(e) => after(e.accepted_on),
        // A renewal line may start before its term: the earliest start counts.
        Event::ContractRenewed(e) => {
            after(e.lines.iter().filter_map(|l| l.start_date).fold(e.start_date, NaiveDate::min))
        }
        _ => false,
    }
}

impl Freezer {
    /// `period_closed` for `period` at log position `seq`, `horizon` being
    /// the latest closed month before it: freezes every contract's
    /// recognition through `period`, or leaves it pending (see the module
    /// docs).
    pub(crate) fn close(
        &mut self,
        schedules: &mut RevenueSchedules,
        period: YearMonth,
        seq: u64,
        horizon: Option<(YearMonth, u64)>,
    ) {
        let close = Close { period, seq, horizon };
        let index_of_close = u32::try_from(self.closes.len()).expect("fewer than 2^32 closes");
        self.closes.push(close);
        self.contracts.resize(schedules.len(), NEVER_CLOSED);
        // Unchanged since the last close, a schedule's months up to the
        // horizon are exactly what was frozen (no catch-up), so one that
        // ended by then has nothing left to freeze: the close visits the
        // books changed since and those still recognizing after the horizon.
        let mut visit = std::mem::take(&mut self.visit);
        visit.clear();
        schedules.drain_changed(&mut visit);
        visit.append(&mut self.recognizing);
        visit.sort_unstable();
        visit.dedup();
        for &index in &visit {
            let contract = &mut self.contracts[index as usize];
            if contract.pending.is_some() {
                continue;
            }
            let book = schedules.book(index);
            if book.needs_compute() {
                contract.pending = Some(index_of_close);
                continue;
            }
            let terms = || book.computed().flatten();
            if apply(index, book, terms, &close, contract, &mut self.months, &mut self.postings) {
                self.recognizing.push(index);
            }
        }
        self.visit = visit;
    }

    /// Applies the closes pending for the contract at `index` (whose book
    /// is `book`, not yet changed by the event about to change it).
    pub(crate) fn settle(&mut self, index: u32, book: &mut ContractBook) {
        let Some(contract) = self.contracts.get_mut(index as usize) else { return };
        let Some(first) = contract.pending else { return };
        book.refresh(&mut self.scratch);
        let recognizing = settle(
            index,
            book,
            &self.closes[first as usize..],
            contract,
            &mut self.scratch,
            &mut self.months,
            &mut self.postings,
        );
        if recognizing {
            self.recognizing.push(index);
        }
    }

    /// The recognition postings of the contract at `index` dated on or
    /// before `as_of`: what its closes froze (pending ones included) and,
    /// when `open`, what its schedule recognizes after the `horizon`.
    pub(crate) fn postings(
        &self,
        index: u32,
        book: &ContractBook,
        horizon: Option<(YearMonth, u64)>,
        open: bool,
        as_of: NaiveDate,
        out: &mut Vec<Posting>,
    ) {
        let mut months = Vec::new();
        let mut settled = NEVER_CLOSED;
        let contract = match self.contracts.get(index as usize) {
            Some(c @ ContractFreeze { pending: Some(first), .. }) => {
                settled.clone_from(c);
                let closes = &self.closes[*first as usize..];
                settle(index, book, closes, &mut settled, &mut Scratch::default(), &mut months, &mut Vec::new());
                &settled
            }
            Some(c) => c,
            None => &settled,
        };
        out.extend(contract.frozen.iter().filter(|p| p.date() <= as_of).map(|p| p.posting(index, book)));
        if open {
            let terms = book.computed().flatten();
            open_postings(index, terms, book.inputs(), horizon, &contract.sums, false, as_of, &mut months, out);
        }
    }
}

/// Applies `closes` (pending for `contract`) from `book`'s schedule as
/// computed now or, when a term fails to compute, as it stood at each;
/// returns whether the schedule still recognizes after the last.
fn settle(
    index: u32,
    book: &ContractBook,
    closes: &[Close],
    contract: &mut ContractFreeze,
    scratch: &mut Scratch,
    months: &mut Vec<(YearMonth, ByMethod)>,
    postings: &mut Vec<Posting>,
) -> bool {
    #[cfg(debug_assertions)]
    let before = contract.clone();
    contract.pending = None;
    let computes = book.computed_with(scratch).all(Result::is_ok);
    let mut recognizing = false;
    for close in closes {
        recognizing = if computes {
            apply(index, book, || book.computed().flatten(), close, contract, months, postings)
        } else {
            let computed = book.computed_through(close.seq, scratch);
            apply(index, book, || computed.iter().flatten(), close, contract, months, postings)
        };
    }
    #[cfg(debug_assertions)]
    {
        let mut exact = before;
        exact.pending = None;
        for close in closes {
            let computed = book.computed_through(close.seq, &mut Scratch::default());
            apply(index, book, || computed.iter().flatten(), close, &mut exact, &mut Vec::new(), &mut Vec::new());
        }
        // The last period end may differ: the schedule computed now holds
        // the usage recorded since. It only decides which contracts the
        // next close visits.
        let frozen = |c: &ContractFreeze| (c.frozen.clone(), c.sums, c.changes, c.pending);
        assert_eq!(frozen(contract), frozen(&exact), "the deferred closes of contract {index}");
    }
    recognizing
}

/// Applies `close` to `contract`, whose book is `book` and whose term
/// schedules as they stood at the close `terms` gives; returns whether the
/// schedule still recognizes after the closed month.
fn apply<'a, T: Iterator<Item = &'a TermSchedule>>(
    index: u32,
    book: &ContractBook,
    terms: impl Fn() -> T,
    close: &Close,
    contract: &mut ContractFreeze,
    months: &mut Vec<(YearMonth, ByMethod)>,
    postings: &mut Vec<Posting>,
) -> bool {
    let until = close.period.last_day();
    let inputs = book.inputs_through(close.seq);
    let changes = inputs.len();
    let unchanged = close.horizon.is_some() && contract.changes == changes;
    postings.clear();
    open_postings(index, terms(), inputs, close.horizon, &contract.sums, unchanged, until, months, postings);
    if !unchanged {
        contract.changes = changes;
        contract.last_entry = terms().filter_map(TermSchedule::last).max();
    }
    for p in postings.iter() {
        for (sum, amount) in contract.sums.iter_mut().zip(p.amounts) {
            *sum += amount;
        }
        contract.frozen.push(Frozen::of(p, book));
    }
    contract.last_entry.is_some_and(|last| last > until)
}
