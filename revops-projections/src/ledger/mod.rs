//! `GeneralLedger`: the double-entry journal derived from events and its
//! trial balance.
//!
//! # Entries
//!
//! Every entry points to the event that caused it (`seq` and event id).
//! Amounts are posted in the event's currency, in integer minor units; each
//! currency's books balance on their own.
//!
//! | event | entry |
//! |---|---|
//! | `invoice_issued` | Dr AR (total) / Cr contract position (amounts before tax) / Cr Tax Payable |
//! | recognition (read time, see below) | Dr contract position / Cr Revenue by method |
//! | `payment_received` | Dr Cash / Cr Unapplied Cash |
//! | `payment_applied` | Dr Unapplied Cash / Cr AR up to the invoice's open amount, then Cr Bad Debt Recoveries up to what was written off, then Cr Customer Credit Balance |
//! | `payment_refunded` | Dr Unapplied Cash up to the payment's unapplied cash, then Dr Customer Credit Balance up to the customer's, then Dr Contra-Revenue: Refunds / Cr Cash |
//! | `credit_memo_issued` | Dr Contra-Revenue: Credit Memos (Disputes while the invoice has an open dispute) for the part before tax, Dr Tax Payable for the tax part (split in the invoice's amount : tax proportion) / Cr AR up to the open amount, then Cr Customer Credit Balance |
//! | `invoice_written_off` | Dr Bad Debt Expense / Cr AR |
//! | commission (read time, see below) | Dr Commission Expense / Cr Commissions Payable (the sides reversed for a clawback) |
//! | `commission_paid` | Dr Commissions Payable / Cr Cash |
//!
//! The *contract position* is one balance per contract: billed (before tax)
//! minus recognized. It is shown as Deferred Revenue while positive and as
//! Contract Asset while negative, never both, so every line that moves it is
//! split at read time, walking the contract's entries in date order: an
//! invoice credits the contract asset first and deferred revenue for the
//! rest; recognition debits deferred revenue first and the contract asset
//! for the rest.
//!
//! Point-in-time lines are invoiced into the position like every other
//! line, and their revenue comes from the schedule on the delivery date:
//! crediting revenue on the invoice would book revenue before delivery (and
//! at the billed rather than the SSP-allocated amount).
//!
//! Credit memos are contra-revenue: they do not change the schedule, so a
//! contract's net revenue is its recognized revenue less its credit memos.
//! Invoices in another currency than their contract's post to Deferred
//! Revenue directly: they cannot be netted against its schedule.
//!
//! # Recognition
//!
//! Recognition depends on time, and the schedules change with every
//! performance event, so the ledger does not post it per event. It is
//! computed at read time from the [`RevenueSchedules`]: reading as of `D`,
//! each contract gets one entry per month holding the schedule's entries of
//! that month whose period ends on or before `D`, dated the month's last day
//! (or `D` inside the month), one revenue line per recognition method. The
//! entry points to the latest event that changed the contract's schedule
//! with a business date on or before its date (the signing, a
//! modification, an acceptance, an approval…).
//!
//! Closing month `M` freezes the recognition entries of every month up to
//! `M` as they stand then. If later events change what the schedule
//! recognizes in a closed month (a backdated approval, a catch-up
//! modification), the difference between the schedule's cumulative
//! recognition through the last closed month and what was frozen is booked
//! as one `recognition_catch_up` entry on the first day of the first open
//! month, pointing to the latest event that changed the schedule after the
//! close, with that event's date as `original_date`. So cumulative revenue
//! in the ledger equals the schedules' at the end of every open month.
//!
//! A close does not recompute a schedule for this: a contract whose
//! schedule changed since it was last computed has the close applied later,
//! from the schedule computed next — when an event that could change a
//! closed month arrives, or at read time. In between only usage, time and
//! milestone acceptances dated after the closed months, and renewals whose
//! lines all start after them, can have come in, which leave those months
//! as they were, so the entries frozen are the same; a schedule that no
//! longer computes with them is recomputed as it stood at each close.
//!
//! # Commission
//!
//! The ledger books commission as the [`Commissions`] projection computes
//! it, and computes none of its own: it holds that projection and, reading
//! as of `D`, posts one entry per [`Commissions::entries`] entry as of `D`
//! — each event's part of its rep's `earned − clawed_back` (the commission
//! of a signing, renewal, modification or payment application, the
//! clawback of a cancellation or write-off, an adjustment, a dispute
//! grant) — dated on the event's business date and pointing to it. So, per
//! rep currency and as of any date after the last closed month, Commission
//! Expense is the reps' `earned − clawed_back` and Commissions Payable
//! (with `commission_paid` posted per event) their `payable`.
//!
//! Like recognition, commission is posted at read time: an entry's amount
//! follows from the rep's attainment before it in business-date order, so
//! a backdated credit changes the commission of the credits dated after
//! it. Closing month `M` freezes the entries of every month up to `M` as
//! they stand then; when later events change what the closed months hold
//! for a rep, the difference is booked as one `commission_catch_up` entry
//! per rep on the first day of the first open month, pointing to the
//! latest event recorded after the close that changed a closed month (an
//! entry dated in one, or a plan definition, which re-routes credits), with
//! its date as `original_date`.
//!
//! # Closed periods
//!
//! After `period_closed` for month `M`, every month up to `M` is closed (the
//! close is a horizon: balances are cumulative, so a posting into an
//! earlier open month would change `M`'s closing balance). An event dated in
//! a closed month is posted on the first day of the first open month with
//! `original_date` set to its own date; recognition and commission are
//! frozen (see above). A closed month's balances never change.
//!
//! # Balance
//!
//! Every entry is checked to balance per currency before it is posted, and
//! the whole journal after every applied event, with `assert!` in release
//! builds too: a ledger that would go out of balance stops rather than posts.
//! Events that cannot be posted exactly (an amount with sub-minor places, a
//! credit memo on an unknown invoice, a second invoice with the same id) are
//! listed in [`LedgerReport::unposted`] instead.
//!
//! FX Gain/Loss is in the chart, but nothing posts to it yet: each currency
//! keeps its own books and the command layer refuses cross-currency
//! applications.

mod account;
mod commission;
mod freeze;
mod journal;
pub(crate) mod recognition;
mod report;

use std::collections::HashMap;

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;
use revops_core::Currency;
use revops_events::{Envelope, Event, EventTypes};

pub use account::{Account, AccountClass};
pub use journal::JournalKind;
pub use report::{
    AccountBalance, CurrencyBalance, JournalEntry, JournalLine, LedgerReport, PeriodBalance, TrialBalance, Unposted,
};

use crate::amounts::split_gross;
use crate::chunked::Chunked;
use crate::commissions::{Commissions, EntryCursor};
use crate::intern::Interner;
use crate::schedules::{RevenueSchedules, Source};
use crate::Projection;
use freeze::Freezer;
use journal::{Journal, Line, Target};

/// An invoice's balances in minor units of its currency.
#[derive(Clone, Copy, Debug)]
struct InvoiceBalance {
    customer: u32,
    contract: u32,
    currency: Currency,
    amount: i64,
    tax: i64,
    open: i64,
    /// Written off and not yet recovered.
    written_off: i64,
    open_disputes: u32,
}

#[derive(Clone, Copy, Debug)]
struct PaymentBalance {
    customer: u32,
    currency: Currency,
    unapplied: i64,
}

/// The general ledger; see the module docs.
#[derive(Clone, Debug, Default)]
pub struct GeneralLedger {
    last_seq: Option<u64>,
    schedules: RevenueSchedules,
    journal: Journal,
    commissions: Commissions,
    /// Commission entries frozen by period closes.
    frozen_commissions: commission::Frozen,
    /// Each commission plan's walk as the last close left it.
    commission_cursor: EntryCursor,
    customers: Interner,
    /// Per contract (by the schedules' index), the customer id of its
    /// latest invoice (`u32::MAX` before one): compared with an invoice's
    /// customer before it is looked up by name.
    billed_customer: Vec<u32>,
    /// Never iterated: looked up by (customer, currency) only.
    credit_balances: HashMap<(u32, Currency), i64>,
    invoices: Chunked<InvoiceBalance>,
    payment_ids: Interner,
    payments: Chunked<PaymentBalance>,
    dispute_ids: Interner,
    /// The invoice of each dispute, while it is open.
    disputes: Vec<Option<u32>>,
    memo_ids: Interner,
    /// Recognition frozen by period closes.
    freezer: Freezer,
    unposted: Vec<Unposted>,
}

/// The types the ledger posts from itself; the rest of what it reads its
/// schedules and commissions fold.
const POSTS: EventTypes = EventTypes::NONE
    .with("invoice_issued")
    .with("payment_received")
    .with("payment_applied")
    .with("payment_refunded")
    .with("invoice_written_off")
    .with("credit_memo_issued")
    .with("dispute_opened")
    .with("dispute_resolved")
    .with("commission_plan_defined")
    .with("commission_paid")
    .with("commission_adjusted")
    .with("commission_dispute_resolved")
    .with("period_closed");

impl Projection for GeneralLedger {
    const READS: EventTypes = RevenueSchedules::READS.union(Commissions::READS).union(POSTS);

    fn apply(&mut self, envelope: &Envelope) {
        self.fold(envelope);
    }
}

/// The invoice an event of the ledger's names, if any.
fn invoice_named(event: &Event) -> Option<&str> {
    match event {
        Event::InvoiceIssued(e) => Some(e.invoice.as_str()),
        Event::PaymentApplied(e) => Some(e.invoice.as_str()),
        Event::InvoiceWrittenOff(e) => Some(e.invoice.as_str()),
        Event::CreditMemoIssued(e) => Some(e.invoice.as_str()),
        Event::DisputeOpened(e) => Some(e.invoice.as_str()),
        _ => None,
    }
}

impl GeneralLedger {
    /// [`Projection::apply`], returning the schedules' index of the invoice
    /// the event names (when it was issued): the one lookup by id that the
    /// ledger, its commissions and the aging beside it in
    /// [`crate::ReadModels`] share.
    pub(crate) fn fold(&mut self, envelope: &Envelope) -> Option<u32> {
        if self.last_seq.is_some_and(|last| envelope.seq.0 <= last) {
            return None;
        }
        self.last_seq = Some(envelope.seq.0);
        let horizon = self.journal.horizon;
        let freezer = &mut self.freezer;
        // The schedules and the commissions fold a part of the ledger's
        // types each: the rest need not call into them to be ignored.
        if RevenueSchedules::READS.contains(&envelope.event) {
            self.schedules.apply_with(envelope, &mut |index, book| {
                if !freeze::keeps_closed_months(&envelope.event, horizon) {
                    freezer.settle(index, book);
                }
            });
        }
        // After the schedules: they index an invoice on its first issue.
        let invoice = invoice_named(&envelope.event).and_then(|id| self.schedules.invoice_index(id));
        if Commissions::READS.contains(&envelope.event) {
            let contract = self.schedules.issued_contract(&envelope.event, invoice);
            self.commissions.fold(envelope, invoice, contract);
        }
        if POSTS.contains(&envelope.event) {
            let source = Source::of(envelope);
            if let Err(reason) = self.post(&envelope.event, source, invoice) {
                self.unposted.push(Unposted {
                    seq: source.seq,
                    event_id: source.event_id,
                    event_type: source.event_type().to_owned(),
                    reason,
                });
            }
        }
        // After every event, as the batch-boundary check promises, though
        // only a posting can change the balance.
        self.journal.assert_balanced(envelope.seq.0);
        invoice
    }
}

fn minor(amount: revops_core::Decimal, currency: Currency) -> Result<i64, String> {
    crate::amounts::minor(amount, currency).ok_or_else(|| format!("{amount} {currency} is out of range"))
}

impl GeneralLedger {
    /// The revenue schedules the ledger recognizes from.
    pub fn schedules(&self) -> &RevenueSchedules {
        &self.schedules
    }

    /// The commissions the ledger books (see the module docs).
    pub fn commissions(&self) -> &Commissions {
        &self.commissions
    }

    /// The journal and trial balance as of `as_of`.
    pub fn report(&self, as_of: NaiveDate) -> LedgerReport {
        report::build(self, as_of)
    }

    /// The journal entries dated on or before `as_of`, in date order.
    pub fn journal(&self, as_of: NaiveDate) -> Vec<JournalEntry> {
        self.report(as_of).entries
    }

    /// The trial balance as of `as_of`.
    pub fn trial_balance(&self, as_of: NaiveDate) -> TrialBalance {
        self.report(as_of).trial_balance
    }

    /// The latest closed month, if any.
    pub fn closed_through(&self) -> Option<YearMonth> {
        self.journal.horizon
    }

    fn credit_balance(&mut self, customer: u32, currency: Currency) -> &mut i64 {
        self.credit_balances.entry((customer, currency)).or_insert(0)
    }

    /// Posts `event`; `invoice` is the schedules' index of the invoice it
    /// names.
    fn post(&mut self, event: &Event, source: Source, invoice: Option<u32>) -> Result<(), String> {
        use Account::*;
        use JournalKind as K;
        // The invoice as the ledger posted it, for the events after its issue.
        let posted = invoice.filter(|&i| (i as usize) < self.invoices.len());
        match event {
            Event::InvoiceIssued(e) => {
                // The schedules, applied first, index invoices as the ledger
                // does (each id on its first issue): one lookup serves both.
                let index = invoice.expect("the schedules index every invoice");
                if (index as usize) < self.invoices.len() {
                    return Err(format!("invoice {} was issued before", e.invoice));
                }
                let Some(invoice) = self.schedules.invoice_at(index) else {
                    // Keeps invoice indices dense; nothing is open on it.
                    self.invoices.push(self.empty_invoice(e.currency));
                    return Err("an invoice amount is not a whole number of minor units".into());
                };
                debug_assert_eq!(index as usize, self.invoices.len());
                let c = e.currency;
                let position = if self.schedules.book(invoice.contract).currency == c {
                    Target::Position
                } else {
                    Target::Account(DeferredRevenue)
                };
                let total = invoice.amount + invoice.tax;
                let billed = crate::intern::slot(&mut self.billed_customer, invoice.contract, u32::MAX);
                let customer = self.customers.intern_remembered(billed, e.customer.as_str());
                self.invoices.push(InvoiceBalance {
                    customer,
                    contract: invoice.contract,
                    currency: c,
                    amount: invoice.amount,
                    tax: invoice.tax,
                    open: total,
                    written_off: 0,
                    open_disputes: 0,
                });
                let lines = [
                    Line::debit(AccountsReceivable, c, total),
                    Line { target: position, currency: c, amount: -invoice.amount },
                    Line::credit(TaxPayable, c, invoice.tax),
                ];
                self.journal.post(source, K::Invoice, Some(invoice.contract), &lines);
            }
            Event::PaymentReceived(e) => {
                if !self.payment_ids.insert(e.payment.as_str()).1 {
                    return Err(format!("payment {} was received before", e.payment));
                }
                let customer = self.customers.intern(e.customer.as_str());
                let a = minor(e.amount, e.currency);
                let unapplied = *a.as_ref().unwrap_or(&0);
                self.payments.push(PaymentBalance { customer, currency: e.currency, unapplied });
                let a = a?;
                let lines = [Line::debit(Cash, e.currency, a), Line::credit(UnappliedCash, e.currency, a)];
                self.journal.post(source, K::PaymentReceived, None, &lines);
            }
            Event::PaymentApplied(e) => {
                let c = e.currency;
                let a = minor(e.amount, c)?;
                let payment = self.payment_ids.get(e.payment.as_str());
                let mut customer = None;
                if let Some(p) = payment.map(|p| &mut self.payments[p as usize]) {
                    if p.currency == c {
                        p.unapplied -= a;
                    }
                    customer = Some(p.customer);
                }
                let invoice = posted.filter(|&i| self.invoices[i as usize].currency == c);
                let (mut to_ar, mut recovered, mut contract) = (0, 0, None);
                if let Some(inv) = invoice.map(|i| &mut self.invoices[i as usize]) {
                    to_ar = a.min(inv.open.max(0));
                    inv.open -= to_ar;
                    recovered = (a - to_ar).min(inv.written_off.max(0));
                    inv.written_off -= recovered;
                    customer = Some(inv.customer);
                    contract = Some(inv.contract);
                }
                let rest = a - to_ar - recovered;
                if rest != 0 {
                    let customer = customer.ok_or("payment and invoice are both unknown")?;
                    *self.credit_balance(customer, c) += rest;
                }
                let lines = [
                    Line::debit(UnappliedCash, c, a),
                    Line::credit(AccountsReceivable, c, to_ar),
                    Line::credit(BadDebtRecoveries, c, recovered),
                    Line::credit(CustomerCreditBalance, c, rest),
                ];
                self.journal.post(source, K::PaymentApplied, contract, &lines);
            }
            Event::PaymentRefunded(e) => {
                let c = e.currency;
                let a = minor(e.amount, c)?;
                let mut from_unapplied = 0;
                let mut from_credit = 0;
                if let Some(p) = self.payment_ids.get(e.payment.as_str()) {
                    let p = &mut self.payments[p as usize];
                    if p.currency == c {
                        from_unapplied = a.min(p.unapplied.max(0));
                        p.unapplied -= from_unapplied;
                    }
                    let customer = p.customer;
                    let credit = self.credit_balance(customer, c);
                    from_credit = (a - from_unapplied).min((*credit).max(0));
                    *credit -= from_credit;
                }
                let lines = [
                    Line::debit(UnappliedCash, c, from_unapplied),
                    Line::debit(CustomerCreditBalance, c, from_credit),
                    Line::debit(ContraRevenueRefunds, c, a - from_unapplied - from_credit),
                    Line::credit(Cash, c, a),
                ];
                self.journal.post(source, K::PaymentRefunded, None, &lines);
            }
            Event::InvoiceWrittenOff(e) => {
                let c = e.currency;
                let a = minor(e.amount, c)?;
                let i = self.known_invoice(posted, e.invoice.as_str(), c)?;
                let inv = &mut self.invoices[i as usize];
                inv.open -= a;
                inv.written_off += a;
                let contract = inv.contract;
                let lines = [Line::debit(BadDebtExpense, c, a), Line::credit(AccountsReceivable, c, a)];
                self.journal.post(source, K::WriteOff, Some(contract), &lines);
            }
            Event::CreditMemoIssued(e) => {
                if !self.memo_ids.insert(e.memo.as_str()).1 {
                    return Err(format!("credit memo {} was issued before", e.memo));
                }
                let c = e.currency;
                let a = minor(e.amount, c)?;
                let i = self.known_invoice(posted, e.invoice.as_str(), c)?;
                let inv = &mut self.invoices[i as usize];
                let (revenue, tax) = split_gross(a, inv.amount, inv.tax);
                let to_ar = a.min(inv.open.max(0));
                inv.open -= to_ar;
                let contra = if inv.open_disputes > 0 { ContraRevenueDisputes } else { ContraRevenueCreditMemos };
                let (customer, contract) = (inv.customer, inv.contract);
                *self.credit_balance(customer, c) += a - to_ar;
                let lines = [
                    Line::debit(contra, c, revenue),
                    Line::debit(TaxPayable, c, tax),
                    Line::credit(AccountsReceivable, c, to_ar),
                    Line::credit(CustomerCreditBalance, c, a - to_ar),
                ];
                self.journal.post(source, K::CreditMemo, Some(contract), &lines);
            }
            Event::DisputeOpened(e) => {
                if !self.dispute_ids.insert(e.dispute.as_str()).1 {
                    return Ok(());
                }
                if let Some(i) = posted {
                    self.invoices[i as usize].open_disputes += 1;
                }
                self.disputes.push(posted);
            }
            Event::DisputeResolved(e) => {
                let Some(d) = self.dispute_ids.get(e.dispute.as_str()) else { return Ok(()) };
                if let Some(i) = self.disputes[d as usize].take() {
                    self.invoices[i as usize].open_disputes -= 1;
                }
            }
            Event::CommissionPlanDefined(e) => e.plan().validate().map_err(|err| err.to_string())?,
            Event::CommissionPaid(e) => {
                let a = minor(e.amount, e.currency)?;
                let lines = [Line::debit(CommissionsPayable, e.currency, a), Line::credit(Cash, e.currency, a)];
                self.journal.post(source, K::CommissionPaid, None, &lines);
            }
            // Booked from the commissions at read time; an amount that is
            // not whole minor units cannot be, which is said here.
            Event::CommissionAdjusted(e) => drop(minor(e.amount, e.currency)?),
            Event::CommissionDisputeResolved(e) => drop(minor(e.granted, e.currency)?),
            Event::PeriodClosed(e) => {
                self.freeze_commissions(e.period, source);
                self.close(e.period, source.seq);
            }
            _ => {}
        }
        Ok(())
    }

    fn empty_invoice(&self, currency: Currency) -> InvoiceBalance {
        InvoiceBalance {
            customer: u32::MAX,
            contract: u32::MAX,
            currency,
            amount: 0,
            tax: 0,
            open: 0,
            written_off: 0,
            open_disputes: 0,
        }
    }

    /// `posted`, the index of invoice `id` in `invoices`, when the invoice
    /// was posted in `currency`.
    fn known_invoice(&self, posted: Option<u32>, id: &str, currency: Currency) -> Result<u32, String> {
        let i = posted.ok_or_else(|| format!("invoice {id} is unknown"))?;
        let inv = &self.invoices[i as usize];
        if inv.contract == u32::MAX {
            return Err(format!("invoice {id} was not posted"));
        }
        if inv.currency != currency {
            return Err(format!("invoice {id} is in {}, not {currency}", inv.currency));
        }
        Ok(i)
    }

    /// Freezes the commission entries of the months that closing `period`
    /// closes; runs before the horizon moves.
    fn freeze_commissions(&mut self, period: YearMonth, close: Source) {
        if self.journal.horizon.is_some_and(|h| period <= h) {
            return;
        }
        let horizon = self.journal.horizon.map(|h| (h, self.journal.horizon_seq));
        let mut postings = Vec::new();
        let posted = commission::close_postings(
            &self.commissions,
            &mut self.commission_cursor,
            horizon,
            &self.frozen_commissions,
            period.last_day(),
            &mut postings,
        );
        // The cursor walks on from the last close; what it freezes must be
        // what walking everything from the first credit gives.
        #[cfg(debug_assertions)]
        {
            let mut whole = Vec::new();
            let from_start = commission::open_postings(
                &self.commissions,
                horizon,
                &self.frozen_commissions,
                period.last_day(),
                &mut whole,
            );
            assert_eq!((&posted, &postings), (&from_start, &whole), "the close of {period}");
        }
        match posted {
            Ok(()) => self.frozen_commissions.freeze(postings, close),
            // Nothing is frozen: the commissions report cannot be computed
            // either, and a later close that can books it as a catch-up.
            Err(unposted) => self.unposted.push(unposted),
        }
    }

    /// `period_closed` for `period`: freezes every contract's recognition
    /// through it (or leaves it pending, see [`freeze`]) and moves the
    /// horizon.
    fn close(&mut self, period: YearMonth, seq: u64) {
        if self.journal.horizon.is_some_and(|h| period <= h) {
            return;
        }
        let horizon = self.journal.horizon.map(|h| (h, self.journal.horizon_seq));
        self.freezer.close(&mut self.schedules, period, seq, horizon);
        self.journal.horizon = Some(period);
        self.journal.horizon_seq = seq;
    }
}
