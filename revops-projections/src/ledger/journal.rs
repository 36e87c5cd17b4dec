//! The journal of entries posted as events arrive, the closed-period
//! horizon that decides their posting month, and the balance check.

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;
use revops_core::Currency;
use serde::{Deserialize, Serialize};

use super::account::Account;
use crate::chunked::Chunked;
use crate::schedules::Source;

/// Why a journal entry exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalKind {
    /// `invoice_issued`: Dr AR / Cr deferred revenue or contract asset / Cr tax.
    Invoice,
    /// A month's recognition of a contract: Dr deferred revenue or contract
    /// asset / Cr revenue by method.
    Recognition,
    /// Recognition that changed for months already closed, booked in the
    /// first open month.
    RecognitionCatchUp,
    /// `payment_received`: Dr cash / Cr unapplied cash.
    PaymentReceived,
    /// `payment_applied`: Dr unapplied cash / Cr AR (recoveries, credit
    /// balance beyond the open amount).
    PaymentApplied,
    /// `payment_refunded`: Dr unapplied cash (credit balance, contra-revenue
    /// beyond it) / Cr cash.
    PaymentRefunded,
    /// `credit_memo_issued`: Dr contra-revenue / Dr tax / Cr AR.
    CreditMemo,
    /// `invoice_written_off`: Dr bad debt / Cr AR.
    WriteOff,
    /// Commission earned on a credit (a booking, a modification, a
    /// collection): Dr expense / Cr payable.
    CommissionEarned,
    /// Commission clawed back on a cancellation or write-off: Dr payable /
    /// Cr expense.
    CommissionClawback,
    /// `commission_adjusted` or a granted commission dispute.
    CommissionAdjusted,
    /// Commission that changed for months already closed, booked in the
    /// first open month.
    CommissionCatchUp,
    /// `commission_paid`: Dr payable / Cr cash.
    CommissionPaid,
}

/// Where a line posts: an account, or the contract's position (deferred
/// revenue or contract asset), which is netted per contract at read time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Account(Account),
    Position,
}

/// One line, debit positive, in minor units of `currency`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) target: Target,
    pub(crate) currency: Currency,
    pub(crate) amount: i64,
}

impl Line {
    pub(crate) fn debit(account: Account, currency: Currency, amount: i64) -> Line {
        Line { target: Target::Account(account), currency, amount }
    }

    pub(crate) fn credit(account: Account, currency: Currency, amount: i64) -> Line {
        Line { target: Target::Account(account), currency, amount: -amount }
    }
}

/// A posted entry; its lines are `lines[first..first + count]` of the journal.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    /// The event, dated on the business date.
    pub(crate) source: Source,
    /// The posting date: the business date, or the first day of the posting
    /// period when that date's month was closed. Its month is the period.
    pub(crate) date: NaiveDate,
    /// The contract's index, or [`NO_CONTRACT`].
    contract: u32,
    first: u32,
    count: u8,
    pub(crate) kind: JournalKind,
}

/// [`Entry::contract`] of an entry that concerns no contract.
const NO_CONTRACT: u32 = u32::MAX;

// A journal holds one per invoice, payment and application.
const _: () = assert!(core::mem::size_of::<Entry>() == 48);
const _: () = assert!(core::mem::size_of::<Line>() == 16);

impl Entry {
    /// The posting period.
    pub(crate) fn period(&self) -> YearMonth {
        YearMonth::of(self.date)
    }

    /// The business date, when the entry was moved out of a closed month
    /// (only then is it not the posting date).
    pub(crate) fn original_date(&self) -> Option<NaiveDate> {
        (self.date != self.source.on).then_some(self.source.on)
    }

    /// The contract it concerns, if any.
    pub(crate) fn contract(&self) -> Option<u32> {
        (self.contract != NO_CONTRACT).then_some(self.contract)
    }
}

/// Entries in posting order, their lines in one flat buffer (no allocation
/// per entry), and the close horizon.
#[derive(Clone, Debug, Default)]
pub(crate) struct Journal {
    pub(crate) entries: Chunked<Entry>,
    lines: Chunked<Line>,
    /// The latest closed month: every month up to it is closed, because
    /// balances are cumulative and a posting into an earlier open month
    /// would change a closed month's closing balance.
    pub(crate) horizon: Option<YearMonth>,
    /// The seq of the `period_closed` that set the horizon.
    pub(crate) horizon_seq: u64,
    /// Debits minus credits of every line so far, per currency.
    totals: Vec<(Currency, i128)>,
}

/// Asserts that `lines` balance in every currency: debits = credits.
/// Checked in release builds too: a ledger that would go out of balance
/// stops rather than posts.
pub(crate) fn assert_balanced<'a>(lines: impl Iterator<Item = &'a Line> + Clone, what: &dyn std::fmt::Display) {
    // Nearly every entry is in one currency: one pass then.
    let mut currencies = lines.clone().map(|l| l.currency);
    if let Some(first) = currencies.next().filter(|&first| currencies.all(|c| c == first)) {
        let sum: i128 = lines.map(|l| i128::from(l.amount)).sum();
        assert!(sum == 0, "{what}: debits and credits differ by {sum} minor units of {first}");
        return;
    }
    for line in lines.clone() {
        let sum: i128 = lines.clone().filter(|l| l.currency == line.currency).map(|l| i128::from(l.amount)).sum();
        assert!(sum == 0, "{what}: debits and credits differ by {sum} minor units of {}", line.currency);
    }
}

impl Journal {
    /// The posting date of a fact dated `on`: the first day of the first
    /// open month when `on` is in a closed one.
    fn posting(&self, on: NaiveDate) -> NaiveDate {
        match self.horizon {
            Some(h) if YearMonth::of(on) <= h => h.next().first_day(),
            _ => on,
        }
    }

    /// Posts an entry of the non-zero `lines`, dated on the business date of
    /// `source`; nothing when all are zero.
    pub(crate) fn post(&mut self, source: Source, kind: JournalKind, contract: Option<u32>, lines: &[Line]) {
        assert_balanced(lines.iter(), &format_args!("{kind:?} entry of event {}", source.seq));
        let first = u32::try_from(self.lines.len()).expect("fewer than 2^32 journal lines");
        self.lines.extend_filtered(lines, |l| l.amount != 0);
        let count = u8::try_from(self.lines.len() - first as usize).expect("a handful of lines per entry");
        if count == 0 {
            return;
        }
        for line in lines {
            match self.totals.iter_mut().find(|(c, _)| *c == line.currency) {
                Some((_, sum)) => *sum += i128::from(line.amount),
                None => self.totals.push((line.currency, i128::from(line.amount))),
            }
        }
        let date = self.posting(source.on);
        assert!(contract != Some(NO_CONTRACT), "fewer than 2^32 - 1 contracts");
        let contract = contract.unwrap_or(NO_CONTRACT);
        self.entries.push(Entry { source, date, contract, first, count, kind });
    }

    /// The lines of `entry`.
    pub(crate) fn lines(&self, entry: &Entry) -> impl Iterator<Item = &Line> {
        let first = entry.first as usize;
        self.lines.range(first, first + usize::from(entry.count))
    }

    /// Asserts that the whole journal balances per currency: the batch
    /// boundary check, run after every applied event.
    pub(crate) fn assert_balanced(&self, seq: u64) {
        for &(currency, sum) in &self.totals {
            assert!(sum == 0, "the journal is out of balance by {sum} minor units of {currency} after event {seq}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(account: Account, currency: Currency, amount: i64) -> Line {
        Line::debit(account, currency, amount)
    }

    fn check(lines: &[Line]) -> Result<(), String> {
        std::panic::catch_unwind(|| assert_balanced(lines.iter(), &"the entry"))
            .map_err(|panic| panic.downcast_ref::<String>().cloned().unwrap_or_default())
    }

    #[test]
    fn an_entry_balances_in_each_of_its_currencies_or_stops() {
        use Account::*;
        let usd = Currency::USD;
        let eur = Currency::EUR;
        assert_eq!(check(&[]), Ok(()));
        assert_eq!(check(&[line(Cash, usd, 100), line(UnappliedCash, usd, -100)]), Ok(()));
        assert_eq!(
            check(&[line(Cash, usd, 100), line(UnappliedCash, usd, -99)]),
            Err("the entry: debits and credits differ by 1 minor units of USD".into())
        );
        assert_eq!(
            check(&[
                line(Cash, usd, 100),
                line(UnappliedCash, usd, -100),
                line(Cash, eur, 5),
                line(FxGainLoss, eur, -5)
            ]),
            Ok(())
        );
        // Zero in sum, but not in each currency.
        assert_eq!(
            check(&[line(Cash, usd, 100), line(UnappliedCash, eur, -100)]),
            Err("the entry: debits and credits differ by 100 minor units of USD".into())
        );
    }
}
