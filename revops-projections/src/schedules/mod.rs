//! `RevenueSchedules`: recognition schedules per contract and line, and the
//! waterfall.
//!
//! The fold keeps, per contract, its terms (as signed, then one term per
//! renewal), its modifications, what was performed under it (milestone
//! acceptances, deliveries, approved time, usage) and what was billed and
//! credited. The schedule itself comes from revops-core's
//! [`Recognizer`](revops_core::recognition::Recognizer) and is computed on
//! the first read after a change, never per event: a stream of usage events
//! costs a push each.
//!
//! A cancellation is read as the prospective removal of every live line of
//! the current term on its effective date: what was recognized before it
//! stays, nothing more is recognized.
//!
//! Reads take the as-of date `D`: an entry is recognized once its period
//! ends on or before `D`; billing and credits count once dated on or before
//! `D`; contracts signed after `D` are left out. Per contract, billed minus
//! recognized is netted into one balance: deferred revenue when positive,
//! unbilled (a contract asset) when negative, so
//! `net_recognized + deferred − unbilled = billed_net`, where credit memos
//! reduce both sides (they are contra-revenue, see [`crate::ledger`]).
//!
//! ```
//! use revops_projections::schedules::RevenueSchedules;
//! use revops_projections::Projection;
//! use revops_projections::revops_events::{Envelope, Event, Seq, StreamId};
//!
//! let signed: Event = serde_json::from_str(r#"{"type":"contract_signed","contract":"C-1",
//!   "customer":"ACME","signed_on":"2026-01-01","start_date":"2026-01-01","end_date":"2026-12-31",
//!   "currency":"USD","billing_frequency":"annually","payment_terms":"net_30",
//!   "lines":[{"line":"L1","kind":"subscription","price":"12000.00",
//!             "recognition":{"method":"ratable"}}]}"#)?;
//! let envelope = Envelope {
//!     seq: Seq(0),
//!     event_id: revops_projections::revops_events::envelope::derived_event_id(&signed),
//!     stream: signed.stream(),
//!     stream_version: 1,
//!     recorded_at: "2026-01-01T00:00:00Z".parse()?,
//!     schema_version: 2,
//!     event: signed,
//! };
//! let mut schedules = RevenueSchedules::default();
//! schedules.apply(&envelope);
//! let c1 = schedules.contract("C-1", "2026-03-31".parse()?).expect("signed");
//! assert_eq!((c1.recognized.as_str(), c1.remaining.as_str()), ("3000.00", "9000.00"));
//! // Nothing billed yet: the recognized revenue is unbilled, a contract asset.
//! assert_eq!(c1.unbilled, "3000.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod book;
mod report;

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;
use revops_core::modification::Modification;
use revops_core::terms::Recognition;
use revops_core::Currency;
use revops_events::{Envelope, Event, EventTypes};
use serde::{Deserialize, Serialize};

use crate::amounts::{minor, split_gross};
use crate::chunked::Chunked;
use crate::intern::Interner;
pub(crate) use book::{ContractBook, Input, Scratch, Source, TermSchedule};
pub use report::{
    ContractSchedule, LineSchedule, ScheduleEntry, ScheduleTotals, SchedulesReport, Waterfall, WaterfallRow,
};

use crate::Projection;

/// How a line's revenue is recognized: the method of its
/// [`Recognition`], without the ratable basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecognitionMethod {
    /// Over the service period.
    Ratable,
    /// On milestone acceptance.
    Milestone,
    /// On approval of time.
    TimeAndMaterials,
    /// On delivery.
    PointInTime,
    /// In the month of usage.
    Usage,
}

impl RecognitionMethod {
    /// Every method, in order.
    pub const ALL: [RecognitionMethod; 5] = [
        RecognitionMethod::Ratable,
        RecognitionMethod::Milestone,
        RecognitionMethod::TimeAndMaterials,
        RecognitionMethod::PointInTime,
        RecognitionMethod::Usage,
    ];

    /// The method of `recognition`.
    pub fn of(recognition: Recognition) -> Self {
        match recognition {
            Recognition::Ratable { .. } => RecognitionMethod::Ratable,
            Recognition::Milestone => RecognitionMethod::Milestone,
            Recognition::TimeAndMaterials => RecognitionMethod::TimeAndMaterials,
            Recognition::PointInTime => RecognitionMethod::PointInTime,
            Recognition::Usage => RecognitionMethod::Usage,
        }
    }

    /// Position in [`RecognitionMethod::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// An invoice as the schedules (and the ledger) need it: amounts in minor
/// units of its currency.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Invoice {
    pub(crate) contract: u32,
    pub(crate) currency: Currency,
    pub(crate) amount: i64,
    pub(crate) tax: i64,
}

/// Called with a book's index and the book before an event changes it.
pub(crate) type BeforeChange<'a> = &'a mut dyn FnMut(u32, &mut ContractBook);

/// Revenue schedules per contract and line; see the module docs.
#[derive(Clone, Debug, Default)]
pub struct RevenueSchedules {
    last_seq: Option<u64>,
    contracts: Interner,
    books: Vec<ContractBook>,
    /// The books whose schedule inputs changed since the ledger last asked
    /// ([`RevenueSchedules::drain_changed`]), each once, and which those are.
    changed: Vec<u32>,
    is_changed: Vec<bool>,
    invoice_ids: Interner,
    invoices: Chunked<Option<Invoice>>,
    memos: Interner,
}

impl Projection for RevenueSchedules {
    const READS: EventTypes = EventTypes::NONE
        .with("contract_signed")
        .with("contract_modified")
        .with("contract_renewed")
        .with("contract_cancelled")
        .with("milestone_accepted")
        .with("line_delivered")
        .with("time_approved")
        .with("usage_recorded")
        .with("invoice_issued")
        .with("credit_memo_issued");

    fn apply(&mut self, envelope: &Envelope) {
        self.apply_with(envelope, &mut |_, _| {});
    }
}

impl RevenueSchedules {
    /// The book of contract `id`, opened on first sight.
    fn book_mut(&mut self, id: &str, customer: &str, currency: Currency) -> (u32, &mut ContractBook) {
        let index = self.contracts.intern(id);
        if index as usize == self.books.len() {
            self.books.push(ContractBook::new(customer, currency));
        }
        (index, &mut self.books[index as usize])
    }

    /// [`Projection::apply`], calling `before_change` with a book's index
    /// and the book itself before an event changes the inputs of its
    /// schedule: the ledger freezes what it deferred from earlier closes
    /// then (see [`crate::ledger`]).
    pub(crate) fn apply_with(&mut self, envelope: &Envelope, before_change: BeforeChange<'_>) {
        if self.last_seq.is_some_and(|last| envelope.seq.0 <= last) {
            return;
        }
        self.last_seq = Some(envelope.seq.0);
        self.fold(envelope, before_change);
    }

    /// Applies `change` to the book at `index` (after `before_change`),
    /// noting the book when the inputs of its schedule changed.
    fn change(&mut self, index: u32, before_change: BeforeChange<'_>, change: impl FnOnce(&mut ContractBook)) {
        let book = &mut self.books[index as usize];
        before_change(index, book);
        let before = book.changes();
        change(book);
        if book.changes() != before {
            let i = index as usize;
            if self.is_changed.len() <= i {
                self.is_changed.resize(self.books.len(), false);
            }
            if !self.is_changed[i] {
                self.is_changed[i] = true;
                self.changed.push(index);
            }
        }
    }

    /// Moves into `out` the books whose schedule inputs changed since the
    /// last call, each once: a period close visits those and the ones
    /// still recognizing, not every book.
    pub(crate) fn drain_changed(&mut self, out: &mut Vec<u32>) {
        for &index in &self.changed {
            self.is_changed[index as usize] = false;
        }
        out.append(&mut self.changed);
    }

    fn fold(&mut self, envelope: &Envelope, before: BeforeChange<'_>) {
        let event = &envelope.event;
        let source = Source::of(envelope);
        match event {
            Event::ContractSigned(e) => {
                let (index, _) = self.book_mut(e.contract.as_str(), e.customer.as_str(), e.currency);
                self.change(index, before, |book| book.sign(e.terms(), e.signed_on, source));
            }
            Event::ContractModified(e) => {
                if let Some(index) = self.contracts.get(e.contract.as_str()) {
                    let modification = Modification {
                        effective_on: e.effective_on,
                        treatment: e.treatment,
                        changes: e.changes.clone(),
                    };
                    self.change(index, before, |book| book.modify(modification, source));
                }
            }
            Event::ContractRenewed(e) => {
                if let Some(index) = self.contracts.get(e.contract.as_str()) {
                    self.change(index, before, |book| book.renew(e.start_date, e.end_date, &e.lines, source));
                }
            }
            Event::ContractCancelled(e) => {
                if let Some(index) = self.contracts.get(e.contract.as_str()) {
                    self.change(index, before, |book| book.cancel(e.effective_on, source));
                }
            }
            Event::MilestoneAccepted(e) => {
                if let Some((index, line)) = self.line_of(e.contract.as_str(), e.line.as_str()) {
                    self.change(index, before, |book| book.accept(line, e.milestone.as_str(), e.accepted_on, source));
                }
            }
            Event::LineDelivered(e) => {
                if let Some((index, line)) = self.line_of(e.contract.as_str(), e.line.as_str()) {
                    self.change(index, before, |book| book.deliver(line, e.delivered_on, source));
                }
            }
            Event::TimeApproved(e) => {
                if let Some((index, line)) = self.line_of(e.contract.as_str(), e.line.as_str()) {
                    self.change(index, before, |book| book.approve_time(line, e.hours, e.rate, e.approved_on, source));
                }
            }
            Event::UsageRecorded(e) => {
                if let Some((index, line)) = self.line_of(e.contract.as_str(), e.line.as_str()) {
                    self.change(index, before, |book| {
                        book.record_usage(line, e.quantity, e.unit_price, e.incurred_on, source)
                    });
                }
            }
            Event::InvoiceIssued(e) => {
                let (index, new) = self.invoice_ids.insert(e.invoice.as_str());
                if !new {
                    return; // a second issue of the same id bills nothing new
                }
                let index = index as usize;
                self.invoices.slot(index, None);
                let amount = e.lines.iter().try_fold(0i64, |sum, l| sum.checked_add(minor(l.amount, e.currency)?));
                let tax = e.lines.iter().try_fold(0i64, |sum, l| sum.checked_add(minor(l.tax, e.currency)?));
                let (Some(amount), Some(tax)) = (amount, tax) else { return };
                let (contract, book) = self.book_mut(e.contract.as_str(), e.customer.as_str(), e.currency);
                // Billing in another currency than the contract's cannot be
                // netted against its schedule; the ledger keeps it apart.
                if book.currency == e.currency {
                    book.billing.push(book::Billing { on: e.issued_on, billed: amount, credited: 0 });
                }
                self.invoices[index] = Some(Invoice { contract, currency: e.currency, amount, tax });
            }
            Event::CreditMemoIssued(e) => {
                if !self.memos.insert(e.memo.as_str()).1 {
                    return;
                }
                let Some(invoice) = self.invoice(e.invoice.as_str()) else { return };
                let Some(gross) = minor(e.amount, e.currency) else { return };
                let book = &mut self.books[invoice.contract as usize];
                if invoice.currency == e.currency && book.currency == e.currency {
                    let (revenue, _tax) = split_gross(gross, invoice.amount, invoice.tax);
                    book.billing.push(book::Billing { on: e.issued_on, billed: 0, credited: revenue });
                }
            }
            _ => {}
        }
    }

    /// The book index of `contract` and the index of `line` in it.
    fn line_of(&self, contract: &str, line: &str) -> Option<(u32, u32)> {
        let index = self.contracts.get(contract)?;
        Some((index, self.books[index as usize].line(line)?))
    }

    /// The invoice `id`, if issued with whole minor-unit amounts.
    pub(crate) fn invoice(&self, id: &str) -> Option<Invoice> {
        self.invoice_at(self.invoice_index(id)?)
    }

    /// The index of invoice `id`, if it was issued: invoices are indexed
    /// 0, 1, 2, … in the order of their first issue.
    pub(crate) fn invoice_index(&self, id: &str) -> Option<u32> {
        self.invoice_ids.get(id)
    }

    /// The invoice at `index`, if issued with whole minor-unit amounts.
    pub(crate) fn invoice_at(&self, index: u32) -> Option<Invoice> {
        self.invoices.get(index as usize).copied().flatten()
    }

    /// For an `invoice_issued` whose invoice has index `invoice`, the index
    /// of the contract it bills; `None` for any other event: what the
    /// projections beside the schedules find an issue's contract by.
    pub(crate) fn issued_contract(&self, event: &Event, invoice: Option<u32>) -> Option<u32> {
        match event {
            Event::InvoiceIssued(_) => invoice.and_then(|i| self.invoice_at(i)).map(|i| i.contract),
            _ => None,
        }
    }

    /// The id of the contract at `index`.
    pub(crate) fn contract_name(&self, index: u32) -> &str {
        self.contracts.name(index)
    }

    /// Every contract book with its id, in index order.
    pub(crate) fn books(&self) -> impl Iterator<Item = (u32, &str, &ContractBook)> {
        self.books.iter().enumerate().map(|(i, b)| (i as u32, self.contracts.name(i as u32), b))
    }

    /// The book at `index`.
    pub(crate) fn book(&self, index: u32) -> &ContractBook {
        &self.books[index as usize]
    }

    /// How many contracts were seen.
    pub(crate) fn len(&self) -> usize {
        self.books.len()
    }

    /// Every contract signed (or billed) on or before `as_of`, by contract id.
    pub fn report(&self, as_of: NaiveDate) -> SchedulesReport {
        report::schedules_report(self, as_of)
    }

    /// Contract `id` as of `as_of`, if it is known and signed (or billed) by
    /// then.
    pub fn contract(&self, id: &str, as_of: NaiveDate) -> Option<ContractSchedule> {
        let index = self.contracts.get(id)?;
        report::contract_schedule(id, &self.books[index as usize], as_of)
    }

    /// The waterfall of months `from..=to` by contract as of `as_of`: each
    /// month's revenue by the current schedules, recognized for months that
    /// end on or before `as_of`, scheduled for later ones.
    pub fn waterfall(&self, as_of: NaiveDate, from: YearMonth, to: YearMonth) -> Waterfall {
        report::waterfall(self, as_of, from, to)
    }
}
