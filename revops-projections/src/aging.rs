//! `ArAging`: open invoices by age bucket, days to pay, DSO and collection rate.
//!
//! The fold keeps each invoice once (the first `invoice_issued` for an id)
//! and every reduction of it — payments applied, credit memos (once per memo
//! id), write-offs — with its business date, in minor units. Everything is
//! worked out by [`ArAging::report`] for the as-of date it is given: an
//! invoice counts once it is issued on or before that date, a reduction once
//! it is dated on or before it.
//!
//! # Definitions
//!
//! - **Open amount** = total (amount + tax of every line) − payments applied
//!   − credit memos − written off, as of the date. Invoices with an open
//!   amount other than zero are listed; an over-credited invoice shows a
//!   negative open amount, so that the buckets always sum to the AR balance.
//! - **Age** in days: as of − invoice date ([`AgingBasis::InvoiceDate`], the
//!   default), or as of − due date ([`AgingBasis::DueDate`]). Buckets 0–30,
//!   31–60, 61–90 and 91+ days; on the due-date basis an invoice not yet due
//!   (negative age) is in `not_due`, which is always zero on the invoice-date
//!   basis. The buckets sum to `total`.
//! - **The period** is the `period_days` days ending on the as-of date,
//!   both ends included: `period_start = as_of − (period_days − 1)`.
//! - **Paid**: an invoice is paid on the date its open amount reaches zero,
//!   if at least one payment was applied to it and nothing was written off
//!   (an invoice settled only by credit memos, or given up, was not paid).
//!   **Days to pay** = paid date − invoice date. **Average days to pay** is
//!   the plain mean over the invoices paid in the period, to two places.
//! - **DSO** (days sales outstanding, the simple method) = open AR on the
//!   as-of date / amount invoiced in the period × `period_days`; absent when
//!   nothing was invoiced in the period.
//! - **Collection rate** = payments applied in the period / (open AR at the
//!   start of the period + amount invoiced in the period) × 100, a
//!   percentage: the share of what could have been collected in the period
//!   that was. Open AR at the start of the period is that of the invoices
//!   issued before it, less what was applied, credited or written off before
//!   it. Absent when that base is zero or less.
//!
//! Amounts are per currency and never summed across currencies. DSO, days and
//! percentages are decimal strings with two places, rounded half away from
//! zero; money is a decimal string with the currency's minor places.
//!
//! A reduction in another currency than its invoice's is left out, as the
//! ledger's own state leaves it out.
//!
//! ```
//! use revops_projections::aging::{AgingOptions, ArAging};
//! use revops_projections::Projection;
//!
//! let aging = ArAging::default();
//! let report = aging.report("2026-03-31".parse()?, AgingOptions::default());
//! assert!(report.invoices.is_empty());
//! assert_eq!(report.period_start.to_string(), "2026-01-01");
//! # Ok::<(), chrono::ParseError>(())
//! ```

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use revops_core::Currency;
use revops_events::{Envelope, Event, EventTypes};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::amounts::{format, minor, ratio};
use crate::chunked::Chunked;
use crate::intern::{by_index, slot, Interner};
use crate::once::SeqGuard;
use crate::Projection;

/// What an invoice's age is counted from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgingBasis {
    /// Days since the invoice date.
    #[default]
    InvoiceDate,
    /// Days since the due date; invoices not yet due are `not_due`.
    DueDate,
}

/// How [`ArAging::report`] ages and which period its rates cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgingOptions {
    /// What age is counted from.
    pub basis: AgingBasis,
    /// Length of the period ending on the as-of date, in days, for DSO,
    /// collection rate and days to pay; 0 is taken as 1.
    pub period_days: u32,
}

impl Default for AgingOptions {
    /// Invoice-date basis over a 90-day period.
    fn default() -> Self {
        AgingOptions { basis: AgingBasis::InvoiceDate, period_days: 90 }
    }
}

/// An age bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Bucket {
    /// Not yet due (due-date basis only).
    #[serde(rename = "not_due")]
    NotDue,
    /// 0 to 30 days.
    #[serde(rename = "days_0_30")]
    Days0To30,
    /// 31 to 60 days.
    #[serde(rename = "days_31_60")]
    Days31To60,
    /// 61 to 90 days.
    #[serde(rename = "days_61_90")]
    Days61To90,
    /// 91 days and more.
    #[serde(rename = "days_91_plus")]
    Days91Plus,
}

impl Bucket {
    /// The bucket of an age in days.
    pub fn of_age(days: i64) -> Bucket {
        match days {
            i64::MIN..=-1 => Bucket::NotDue,
            0..=30 => Bucket::Days0To30,
            31..=60 => Bucket::Days31To60,
            61..=90 => Bucket::Days61To90,
            _ => Bucket::Days91Plus,
        }
    }
}

/// Open amounts by bucket, decimal strings in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buckets {
    /// Not yet due (due-date basis only; zero otherwise).
    pub not_due: String,
    /// 0 to 30 days.
    pub days_0_30: String,
    /// 31 to 60 days.
    pub days_31_60: String,
    /// 61 to 90 days.
    pub days_61_90: String,
    /// 91 days and more.
    pub days_91_plus: String,
    /// The sum of the buckets: the open AR.
    pub total: String,
}

/// One invoice with an open amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenInvoice {
    /// The invoice id.
    pub invoice: String,
    /// The bill-to customer.
    pub customer: String,
    /// The contract billed.
    pub contract: String,
    /// Invoice currency.
    pub currency: Currency,
    /// Invoice date.
    pub issued_on: NaiveDate,
    /// Due date.
    pub due_on: NaiveDate,
    /// Amount plus tax of every line.
    pub total: String,
    /// Payments applied by the as-of date.
    pub applied: String,
    /// Credit memos by the as-of date.
    pub credited: String,
    /// Written off by the as-of date.
    pub written_off: String,
    /// total − applied − credited − written off.
    pub open: String,
    /// Age in days on the report's basis (negative: days until due).
    pub age_days: i64,
    /// The bucket of `age_days`.
    pub bucket: Bucket,
}

/// A customer's open amounts by bucket, in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerAging {
    /// The customer id.
    pub customer: String,
    /// The currency of the amounts.
    pub currency: Currency,
    /// Open amounts by bucket.
    pub buckets: Buckets,
}

/// The aging, rates and days to pay of one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyAging {
    /// The currency of the amounts.
    pub currency: Currency,
    /// Open amounts by bucket.
    pub buckets: Buckets,
    /// Open AR at the start of the period (see the module docs).
    pub opening_ar: String,
    /// Invoice totals issued in the period.
    pub invoiced: String,
    /// Payments applied in the period.
    pub collected: String,
    /// Invoices paid in the period.
    pub invoices_paid: u64,
    /// Mean days to pay of those invoices; absent when there are none.
    pub average_days_to_pay: Option<String>,
    /// Days sales outstanding; absent when nothing was invoiced.
    pub dso_days: Option<String>,
    /// Collected / (opening AR + invoiced) as a percentage; absent when the
    /// base is zero or less.
    pub collection_rate_pct: Option<String>,
}

/// The AR aging report. Sorted: `currencies` by currency code, `customers`
/// by customer id then currency, `invoices` by customer id, invoice date
/// and invoice id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// What ages are counted from.
    pub basis: AgingBasis,
    /// First day of the period; the period ends on `as_of`.
    pub period_start: NaiveDate,
    /// Length of the period in days.
    pub period_days: u32,
    /// Invoices paid in the period, every currency.
    pub invoices_paid: u64,
    /// Their mean days to pay; absent when there are none.
    pub average_days_to_pay: Option<String>,
    /// Per currency.
    pub currencies: Vec<CurrencyAging>,
    /// Per customer and currency, customers with open invoices only.
    pub customers: Vec<CustomerAging>,
    /// The open invoices.
    pub invoices: Vec<OpenInvoice>,
}

#[derive(Clone, Copy, Debug)]
struct Invoice {
    issued: bool,
    customer: u32,
    contract: u32,
    currency: Currency,
    issued_on: NaiveDate,
    due_on: NaiveDate,
    total: i64,
}

const NOT_ISSUED: Invoice = Invoice {
    issued: false,
    customer: 0,
    contract: 0,
    currency: Currency::USD,
    issued_on: NaiveDate::MIN,
    due_on: NaiveDate::MIN,
    total: 0,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Payment,
    Credit,
    WriteOff,
}

#[derive(Clone, Copy, Debug)]
struct Reduction {
    invoice: u32,
    kind: Kind,
    currency: Currency,
    on: NaiveDate,
    amount: i64,
}

/// Accounts receivable aging. See the [module docs](self) for the figures.
#[derive(Clone, Debug, Default)]
pub struct ArAging {
    guard: SeqGuard,
    /// Invoice names by id. An invoice the schedules index is named here
    /// but found through `by_schedules` only; the table holds the others.
    invoice_ids: Interner,
    /// The id in `invoice_ids` of each invoice by the index the schedules
    /// gave it (`u32::MAX` until seen here), when [`crate::ReadModels`]
    /// feeds this aging beside the ledger: an id found through it is not
    /// looked up by name again.
    by_schedules: Vec<u32>,
    customer_ids: Interner,
    contract_ids: Interner,
    /// The id in `contract_ids` of each contract by the schedules' index
    /// (`u32::MAX` until seen here), as `by_schedules` for invoices.
    contract_by_schedules: Vec<u32>,
    /// Per contract id, the customer id of its latest invoice (`u32::MAX`
    /// before one): a contract bills one customer as a rule, so an
    /// invoice's customer is compared with it before it is looked up.
    billed_customer: Vec<u32>,
    memo_ids: Interner,
    invoices: Chunked<Invoice>,
    reductions: Chunked<Reduction>,
}

impl Projection for ArAging {
    const READS: EventTypes = EventTypes::NONE
        .with("invoice_issued")
        .with("payment_applied")
        .with("invoice_written_off")
        .with("credit_memo_issued");

    fn apply(&mut self, envelope: &Envelope) {
        self.fold(envelope, None, None);
    }
}

impl ArAging {
    /// [`Projection::apply`], with the index the schedules gave the
    /// invoice the event names and, for an issue, the index they gave its
    /// contract, when the caller has them (see [`crate::ReadModels`]).
    pub(crate) fn fold(&mut self, envelope: &Envelope, scheduled: Option<u32>, scheduled_contract: Option<u32>) {
        if !self.guard.first_time(envelope.seq) {
            return;
        }
        match &envelope.event {
            Event::InvoiceIssued(e) => {
                let id = self.invoice_id(e.invoice.as_str(), scheduled);
                let Some(total) = minor(e.total().amount, e.currency) else { return };
                let invoice = self.invoices.slot(id as usize, NOT_ISSUED);
                if !invoice.issued {
                    let name = e.contract.as_str();
                    let contract = by_index(&mut self.contract_by_schedules, scheduled_contract, || {
                        self.contract_ids.intern(name)
                    });
                    let billed = slot(&mut self.billed_customer, contract, u32::MAX);
                    *invoice = Invoice {
                        issued: true,
                        customer: self.customer_ids.intern_remembered(billed, e.customer.as_str()),
                        contract,
                        currency: e.currency,
                        issued_on: e.issued_on,
                        due_on: e.due_on,
                        total,
                    };
                }
            }
            Event::PaymentApplied(e) => {
                self.reduce(e.invoice.as_str(), scheduled, Kind::Payment, e.currency, e.applied_on, e.amount);
            }
            Event::CreditMemoIssued(e) => {
                // A memo id seen before is a repeated fact, not a second credit.
                let seen = self.memo_ids.len();
                if (self.memo_ids.intern(e.memo.as_str()) as usize) < seen {
                    return;
                }
                self.reduce(e.invoice.as_str(), scheduled, Kind::Credit, e.currency, e.issued_on, e.amount);
            }
            Event::InvoiceWrittenOff(e) => {
                self.reduce(e.invoice.as_str(), scheduled, Kind::WriteOff, e.currency, e.written_off_on, e.amount);
            }
            _ => {}
        }
    }
}

/// Per-currency sums of one report, in minor units.
#[derive(Clone, Copy, Debug, Default)]
struct Sums {
    buckets: [i128; 5],
    opening: i128,
    invoiced: i128,
    collected: i128,
    paid: u64,
    paid_days: i128,
}

impl ArAging {
    /// The id of invoice `name`, interning it if new; `scheduled` is the
    /// index the schedules gave it, when known.
    ///
    /// [`crate::ReadModels`] passes the index with every event naming an
    /// invoice once the schedules have indexed it (they never forget one),
    /// and this aging skips the same repeated positions as the ledger: so
    /// an invoice with an index is never looked up by name after the first
    /// time, and its name stays out of the table. The first time finds it
    /// there only when it was named before the schedules indexed it (a
    /// payment before the issue).
    fn invoice_id(&mut self, name: &str, scheduled: Option<u32>) -> u32 {
        let Some(index) = scheduled else { return self.invoice_ids.intern(name) };
        let names = &mut self.invoice_ids;
        by_index(&mut self.by_schedules, Some(index), || names.get(name).unwrap_or_else(|| names.push_unindexed(name)))
    }

    /// Records a reduction of invoice `name` (`scheduled` as for
    /// [`ArAging::invoice_id`]).
    fn reduce(
        &mut self,
        name: &str,
        scheduled: Option<u32>,
        kind: Kind,
        currency: Currency,
        on: NaiveDate,
        amount: Decimal,
    ) {
        let Some(amount) = minor(amount, currency) else { return };
        let invoice = self.invoice_id(name, scheduled);
        self.reductions.push(Reduction { invoice, kind, currency, on, amount });
    }

    /// The aging as of `as_of` (see the [module docs](self)).
    pub fn report(&self, as_of: NaiveDate, options: AgingOptions) -> AgingReport {
        let period_days = options.period_days.max(1);
        let period_start = as_of.checked_sub_days(Days::new(u64::from(period_days - 1))).unwrap_or(NaiveDate::MIN);
        let counts = |i: &Invoice| i.issued && i.issued_on <= as_of;

        // Reductions in date order (log order within a day), so that the
        // day an invoice is settled is the day its open amount reached zero.
        let mut order: Vec<usize> = (0..self.reductions.len())
            .filter(|&r| {
                let r = &self.reductions[r];
                let invoice = self.invoices.get(r.invoice as usize);
                r.on <= as_of && invoice.is_some_and(|i| counts(i) && i.currency == r.currency)
            })
            .collect();
        order.sort_by_key(|&r| self.reductions[r].on);

        let n = self.invoices.len();
        let mut reduced = vec![[0i64; 3]; n];
        let mut paid_on: Vec<Option<NaiveDate>> = vec![None; n];
        let mut sums: BTreeMap<Currency, Sums> = BTreeMap::new();
        for &r in &order {
            let r = self.reductions[r];
            let invoice = &self.invoices[r.invoice as usize];
            let sum = sums.entry(invoice.currency).or_default();
            if r.on >= period_start && r.kind == Kind::Payment {
                sum.collected += i128::from(r.amount);
            }
            if r.on < period_start && invoice.issued_on < period_start {
                sum.opening -= i128::from(r.amount);
            }
            let slots = &mut reduced[r.invoice as usize];
            slots[r.kind as usize] = slots[r.kind as usize].saturating_add(r.amount);
            let settled = slots.iter().fold(0i64, |a, &b| a.saturating_add(b)) >= invoice.total;
            if settled && paid_on[r.invoice as usize].is_none() {
                paid_on[r.invoice as usize] = Some(r.on);
            }
        }

        let mut invoices = Vec::new();
        let mut customers: BTreeMap<(&str, Currency), [i128; 5]> = BTreeMap::new();
        for (id, invoice) in self.invoices.iter().enumerate() {
            if !counts(invoice) {
                continue;
            }
            let sum = sums.entry(invoice.currency).or_default();
            let [applied, credited, written_off] = reduced[id];
            if invoice.issued_on < period_start {
                sum.opening += i128::from(invoice.total);
            } else {
                sum.invoiced += i128::from(invoice.total);
            }
            if let Some(paid) = paid_on[id].filter(|&d| d >= period_start && applied > 0 && written_off == 0) {
                sum.paid += 1;
                sum.paid_days += i128::from((paid - invoice.issued_on).num_days());
            }
            let open = i128::from(invoice.total) - i128::from(applied) - i128::from(credited) - i128::from(written_off);
            if open == 0 {
                continue;
            }
            let from = match options.basis {
                AgingBasis::InvoiceDate => invoice.issued_on,
                AgingBasis::DueDate => invoice.due_on,
            };
            let age_days = (as_of - from).num_days();
            let bucket = Bucket::of_age(age_days);
            sum.buckets[bucket as usize] += open;
            let customer = self.customer_ids.name(invoice.customer);
            customers.entry((customer, invoice.currency)).or_default()[bucket as usize] += open;
            let c = invoice.currency;
            invoices.push(OpenInvoice {
                invoice: self.invoice_ids.name(id as u32).to_owned(),
                customer: customer.to_owned(),
                contract: self.contract_ids.name(invoice.contract).to_owned(),
                currency: c,
                issued_on: invoice.issued_on,
                due_on: invoice.due_on,
                total: format(invoice.total.into(), c),
                applied: format(applied.into(), c),
                credited: format(credited.into(), c),
                written_off: format(written_off.into(), c),
                open: format(open, c),
                age_days,
                bucket,
            });
        }
        invoices.sort_by(|a, b| (&a.customer, a.issued_on, &a.invoice).cmp(&(&b.customer, b.issued_on, &b.invoice)));

        let (paid, paid_days) = sums.values().fold((0, 0), |(n, d), s| (n + s.paid, d + s.paid_days));
        AgingReport {
            as_of,
            basis: options.basis,
            period_start,
            period_days,
            invoices_paid: paid,
            average_days_to_pay: ratio(paid_days, paid.into(), 1),
            currencies: sums.into_iter().map(|(c, s)| currency_aging(c, &s, period_days)).collect(),
            customers: customers
                .into_iter()
                .map(|((customer, currency), b)| CustomerAging {
                    customer: customer.to_owned(),
                    currency,
                    buckets: buckets(&b, currency),
                })
                .collect(),
            invoices,
        }
    }
}

fn buckets(b: &[i128; 5], currency: Currency) -> Buckets {
    Buckets {
        not_due: format(b[0], currency),
        days_0_30: format(b[1], currency),
        days_31_60: format(b[2], currency),
        days_61_90: format(b[3], currency),
        days_91_plus: format(b[4], currency),
        total: format(b.iter().sum(), currency),
    }
}

fn currency_aging(currency: Currency, s: &Sums, period_days: u32) -> CurrencyAging {
    let open: i128 = s.buckets.iter().sum();
    let base = s.opening + s.invoiced;
    CurrencyAging {
        currency,
        buckets: buckets(&s.buckets, currency),
        opening_ar: format(s.opening, currency),
        invoiced: format(s.invoiced, currency),
        collected: format(s.collected, currency),
        invoices_paid: s.paid,
        average_days_to_pay: ratio(s.paid_days, s.paid.into(), 1),
        dso_days: if s.invoiced > 0 { ratio(open, s.invoiced, period_days.into()) } else { None },
        collection_rate_pct: if base > 0 { ratio(s.collected, base, 100) } else { None },
    }
}
