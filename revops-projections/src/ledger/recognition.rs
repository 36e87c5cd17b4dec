//! Recognition entries from the revenue schedules: one per contract and
//! month, and the catch-up of changes to closed months (see the `ledger`
//! module docs for the rules).

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;

use crate::schedules::{ContractBook, Input, RecognitionMethod, Source, TermSchedule};

/// Amounts per recognition method, indexed by [`RecognitionMethod::index`].
pub(crate) type ByMethod = [i64; RecognitionMethod::ALL.len()];

/// One recognition entry of one contract, before it is split between
/// deferred revenue and contract asset.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Posting {
    pub(crate) contract: u32,
    pub(crate) period: YearMonth,
    pub(crate) date: NaiveDate,
    pub(crate) original_date: Option<NaiveDate>,
    pub(crate) amounts: ByMethod,
    pub(crate) source: Source,
    pub(crate) catch_up: bool,
}

impl Posting {
    pub(crate) fn total(&self) -> i64 {
        self.amounts.iter().sum()
    }
}

/// A posting as a close freezes it, in a third of the space: the contract
/// is the index of the list that holds it, the event is an index into the
/// book's inputs, and the dates follow from the month (see
/// [`Frozen::posting`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Frozen {
    period: YearMonth,
    source: u32,
    catch_up: bool,
    amounts: ByMethod,
}

impl Frozen {
    /// `p`, posted by a close for a month up to the one closed, so that a
    /// month's entry is dated its last day and a catch-up the first day of
    /// its month, after the source's own date.
    pub(crate) fn of(p: &Posting, book: &ContractBook) -> Frozen {
        // Inputs are in log order, one per event.
        let inputs = book.inputs();
        let source = inputs.partition_point(|i| i.source.seq < p.source.seq);
        assert_eq!(
            inputs.get(source).map(|i| &i.source),
            Some(&p.source),
            "a frozen posting follows from the source of one of its book's inputs"
        );
        let frozen = Frozen { period: p.period, source: source as u32, catch_up: p.catch_up, amounts: p.amounts };
        debug_assert_eq!((frozen.date(), frozen.original_date(book)), (p.date, p.original_date));
        frozen
    }

    pub(crate) fn date(&self) -> NaiveDate {
        if self.catch_up {
            self.period.first_day()
        } else {
            self.period.last_day()
        }
    }

    fn original_date(&self, book: &ContractBook) -> Option<NaiveDate> {
        self.catch_up.then(|| book.inputs()[self.source as usize].source.on)
    }

    /// The posting of contract `contract` (whose book is `book`) this was.
    pub(crate) fn posting(&self, contract: u32, book: &ContractBook) -> Posting {
        Posting {
            contract,
            period: self.period,
            date: self.date(),
            original_date: self.original_date(book),
            amounts: self.amounts,
            source: book.inputs()[self.source as usize].source,
            catch_up: self.catch_up,
        }
    }
}

/// The latest event (by log position) that changed the schedule with a
/// business date on or before `date`: what the month's recognition follows
/// from. The signing when none qualifies.
fn source_on(inputs: &[Input], date: NaiveDate) -> Option<Source> {
    inputs.iter().rev().find(|i| i.source.on <= date).or(inputs.first()).map(|i| i.source)
}

/// The recognition postings of a contract's term schedules `terms` after
/// the horizon through `until` (entries whose period ends on or before it),
/// given `frozen`: the sum per method of everything frozen so far for
/// months up to the horizon. Each posting points to the source of one of
/// `inputs`, the changes of the schedule in log order. `months` is scratch
/// space.
/// `unchanged`: the schedule is the one the horizon's close froze, so its
/// months up to the horizon sum to `frozen` and need not be read again.
#[allow(clippy::too_many_arguments)]
pub(crate) fn open_postings<'a>(
    contract: u32,
    terms: impl Iterator<Item = &'a TermSchedule>,
    inputs: &[Input],
    horizon: Option<(YearMonth, u64)>,
    frozen: &ByMethod,
    unchanged: bool,
    until: NaiveDate,
    months: &mut Vec<(YearMonth, ByMethod)>,
    out: &mut Vec<Posting>,
) {
    let horizon_end = horizon.map(|(h, _)| h.last_day());
    let mut closed = ByMethod::default();
    if unchanged {
        closed = *frozen;
    }
    months.clear();
    for term in terms {
        let recognized = &term.recognized[..];
        // Unchanged, the term's days up to the horizon were frozen whole.
        let from = match horizon_end {
            Some(end) if unchanged => recognized.partition_point(|r| r.on <= end),
            _ => 0,
        };
        for r in recognized[from..].iter().take_while(|r| r.on <= until) {
            let k = r.method.index();
            if horizon_end.is_some_and(|end| r.on <= end) {
                closed[k] += r.amount;
                continue;
            }
            let month = YearMonth::of(r.on);
            match months.binary_search_by(|(m, _)| m.cmp(&month)) {
                Ok(i) => months[i].1[k] += r.amount,
                Err(i) => {
                    let mut amounts = ByMethod::default();
                    amounts[k] = r.amount;
                    months.insert(i, (month, amounts));
                }
            }
        }
    }
    if let Some((h, close_seq)) = horizon {
        let mut catch_up = ByMethod::default();
        for k in 0..catch_up.len() {
            catch_up[k] = closed[k] - frozen[k];
        }
        let first_open = h.next();
        if catch_up.iter().any(|&a| a != 0) && first_open.first_day() <= until {
            let late = inputs.iter().rev().find(|i| i.source.seq > close_seq).or(inputs.last()).map(|i| i.source);
            if let Some(source) = late {
                out.push(Posting {
                    contract,
                    period: first_open,
                    date: first_open.first_day(),
                    original_date: Some(source.on),
                    amounts: catch_up,
                    source,
                    catch_up: true,
                });
            }
        }
    }
    for &(month, amounts) in months.iter() {
        let date = month.last_day().min(until);
        if let Some(source) = source_on(inputs, date) {
            out.push(Posting { contract, period: month, date, original_date: None, amounts, source, catch_up: false });
        }
    }
}
