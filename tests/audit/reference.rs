//! The reference model: the figures the audit checks the fast projections
//! against, computed the plain way. Decimal amounts (no minor units), string
//! keys in BTreeMaps (no interning), every as-of figure recomputed from the
//! events kept in log order. Slow and obviously right is the point.
//!
//! Its scope: open amount per invoice and the aging buckets (invoice-date
//! basis); the ledger's Cash, Accounts Receivable, Unapplied Cash and Tax
//! Payable balances per currency; MRR per customer at every month end; and
//! per rep and month what was paid, adjusted and granted in commission. The
//! commission itself (tiers by attainment, clawbacks) is left to the
//! projection and to the `payable = earned − paid − clawed back` property.

use std::collections::BTreeMap;

use chrono::{Days, Months, NaiveDate};
use revops_core::calendar::YearMonth;
use revops_core::modification::LineChange;
use revops_core::terms::{ContractLine, LineKind};
use revops_core::Currency;
use revops_events::{Envelope, Event};
use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds to the currency's minor unit, half away from zero: the rounding
/// the projections document for derived amounts.
pub fn round(amount: Decimal, currency: Currency) -> Decimal {
    amount.round_dp_with_strategy(currency.minor_units(), RoundingStrategy::MidpointAwayFromZero)
}

#[derive(Clone, Debug)]
pub struct Invoice {
    pub customer: String,
    pub currency: Currency,
    pub issued_on: NaiveDate,
    pub amount: Decimal,
    pub tax: Decimal,
    /// Payments, credits and write-offs with their dates, in log order.
    pub reductions: Vec<(NaiveDate, Decimal)>,
}

impl Invoice {
    pub fn total(&self) -> Decimal {
        self.amount + self.tax
    }

    /// Total less every reduction dated on or before `as_of`.
    pub fn open(&self, as_of: NaiveDate) -> Decimal {
        self.total() - self.reductions.iter().filter(|(on, _)| *on <= as_of).map(|(_, a)| a).sum::<Decimal>()
    }
}

/// The ledger accounts the reference follows, in their natural sign (what
/// is held or owed, positive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Balances {
    pub cash: Decimal,
    pub receivable: Decimal,
    pub unapplied: Decimal,
    pub tax_payable: Decimal,
}

#[derive(Clone, Debug)]
struct SubscriptionLine {
    customer: String,
    currency: Currency,
    known_from: NaiveDate,
    start: NaiveDate,
    /// (effective from, price for the whole period, last day), log order.
    versions: Vec<(NaiveDate, Decimal, NaiveDate)>,
    removed_on: Option<NaiveDate>,
    contract: String,
}

#[derive(Clone, Debug)]
struct Contract {
    customer: String,
    currency: Currency,
    end: NaiveDate,
    cancelled_on: Option<NaiveDate>,
}

/// What was paid, adjusted and granted for one rep in one month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RepMonth {
    pub paid: Decimal,
    pub adjustments: Decimal,
    pub granted: Decimal,
}

/// Which figure of a [`RepMonth`] an event adds to.
type Slot = fn(&mut RepMonth) -> &mut Decimal;

/// The reference model of a log prefix: the events, in log order.
pub struct Reference<'a> {
    envelopes: &'a [Envelope],
}

impl<'a> Reference<'a> {
    pub fn new(envelopes: &'a [Envelope]) -> Self {
        Reference { envelopes }
    }

    fn events(&self) -> impl Iterator<Item = &'a Event> {
        self.envelopes.iter().map(|e| &e.event)
    }

    /// Every invoice (its first issue), with its reductions, by id.
    pub fn invoices(&self) -> BTreeMap<String, Invoice> {
        let mut invoices: BTreeMap<String, Invoice> = BTreeMap::new();
        let mut memos = std::collections::BTreeSet::new();
        let reduce = |invoices: &mut BTreeMap<String, Invoice>, id: &str, currency, on, amount| {
            if let Some(i) = invoices.get_mut(id).filter(|i| i.currency == currency) {
                i.reductions.push((on, amount));
            }
        };
        for event in self.events() {
            match event {
                Event::InvoiceIssued(e) => {
                    invoices.entry(e.invoice.to_string()).or_insert_with(|| Invoice {
                        customer: e.customer.to_string(),
                        currency: e.currency,
                        issued_on: e.issued_on,
                        amount: e.lines.iter().map(|l| l.amount).sum(),
                        tax: e.lines.iter().map(|l| l.tax).sum(),
                        reductions: Vec::new(),
                    });
                }
                Event::PaymentApplied(e) => {
                    reduce(&mut invoices, e.invoice.as_str(), e.currency, e.applied_on, e.amount);
                }
                // A memo id seen before is a repeated fact, not a second credit.
                Event::CreditMemoIssued(e) if memos.insert(e.memo.to_string()) => {
                    reduce(&mut invoices, e.invoice.as_str(), e.currency, e.issued_on, e.amount);
                }
                Event::InvoiceWrittenOff(e) => {
                    reduce(&mut invoices, e.invoice.as_str(), e.currency, e.written_off_on, e.amount);
                }
                _ => {}
            }
        }
        invoices
    }

    /// Open amounts by age bucket (0–30, 31–60, 61–90, 91+ days since the
    /// invoice date) per currency, as of `as_of`.
    pub fn aging(&self, as_of: NaiveDate) -> BTreeMap<Currency, [Decimal; 4]> {
        let mut buckets: BTreeMap<Currency, [Decimal; 4]> = BTreeMap::new();
        for invoice in self.invoices().values().filter(|i| i.issued_on <= as_of) {
            let age = (as_of - invoice.issued_on).num_days();
            let bucket = match age {
                0..=30 => 0,
                31..=60 => 1,
                61..=90 => 2,
                _ => 3,
            };
            buckets.entry(invoice.currency).or_default()[bucket] += invoice.open(as_of);
        }
        buckets
    }

    /// Cash, AR, unapplied cash and tax payable per currency from the
    /// events dated on or before `as_of`, by the ledger's documented rules:
    /// payments and credit memos reduce AR up to the invoice's open amount
    /// (the rest is owed to the customer), a refund comes out of the
    /// payment's unapplied cash first, and a credit memo takes back tax in
    /// the invoice's amount : tax proportion.
    pub fn balances(&self, as_of: NaiveDate) -> BTreeMap<Currency, Balances> {
        let mut books: BTreeMap<Currency, Balances> = BTreeMap::new();
        // Per invoice: (currency, amount, tax, open); per payment: (currency, unapplied).
        let mut invoices: BTreeMap<String, (Currency, Decimal, Decimal, Decimal)> = BTreeMap::new();
        let mut payments: BTreeMap<String, (Currency, Decimal)> = BTreeMap::new();
        let mut memos = std::collections::BTreeSet::new();
        for event in self.events().filter(|e| e.business_date() <= as_of) {
            match event {
                Event::InvoiceIssued(e) => {
                    if invoices.contains_key(e.invoice.as_str()) {
                        continue;
                    }
                    let amount: Decimal = e.lines.iter().map(|l| l.amount).sum();
                    let tax: Decimal = e.lines.iter().map(|l| l.tax).sum();
                    invoices.insert(e.invoice.to_string(), (e.currency, amount, tax, amount + tax));
                    let b = books.entry(e.currency).or_default();
                    b.receivable += amount + tax;
                    b.tax_payable += tax;
                }
                Event::PaymentReceived(e) => {
                    payments.entry(e.payment.to_string()).or_insert((e.currency, e.amount));
                    let b = books.entry(e.currency).or_default();
                    b.cash += e.amount;
                    b.unapplied += e.amount;
                }
                Event::PaymentApplied(e) => {
                    if let Some(p) = payments.get_mut(e.payment.as_str()).filter(|p| p.0 == e.currency) {
                        p.1 -= e.amount;
                    }
                    let b = books.entry(e.currency).or_default();
                    b.unapplied -= e.amount;
                    if let Some(i) = invoices.get_mut(e.invoice.as_str()).filter(|i| i.0 == e.currency) {
                        let to_ar = e.amount.min(i.3.max(Decimal::ZERO));
                        i.3 -= to_ar;
                        b.receivable -= to_ar;
                    }
                }
                Event::PaymentRefunded(e) => {
                    let b = books.entry(e.currency).or_default();
                    b.cash -= e.amount;
                    if let Some(p) = payments.get_mut(e.payment.as_str()).filter(|p| p.0 == e.currency) {
                        let from_unapplied = e.amount.min(p.1.max(Decimal::ZERO));
                        p.1 -= from_unapplied;
                        b.unapplied -= from_unapplied;
                    }
                }
                Event::CreditMemoIssued(e) => {
                    if !memos.insert(e.memo.to_string()) {
                        continue;
                    }
                    let Some(i) = invoices.get_mut(e.invoice.as_str()).filter(|i| i.0 == e.currency) else {
                        continue;
                    };
                    let b = books.entry(e.currency).or_default();
                    let (amount, tax) = (i.1, i.2);
                    if !tax.is_zero() && !(amount + tax).is_zero() {
                        b.tax_payable -= round(e.amount * tax / (amount + tax), e.currency);
                    }
                    let to_ar = e.amount.min(i.3.max(Decimal::ZERO));
                    i.3 -= to_ar;
                    b.receivable -= to_ar;
                }
                Event::InvoiceWrittenOff(e) => {
                    if let Some(i) = invoices.get_mut(e.invoice.as_str()).filter(|i| i.0 == e.currency) {
                        i.3 -= e.amount;
                        books.entry(e.currency).or_default().receivable -= e.amount;
                    }
                }
                Event::CommissionPaid(e) => books.entry(e.currency).or_default().cash -= e.amount,
                _ => {}
            }
        }
        books
    }

    fn subscription_lines(&self) -> Vec<SubscriptionLine> {
        let mut contracts: BTreeMap<String, Contract> = BTreeMap::new();
        let mut lines: BTreeMap<(String, String), SubscriptionLine> = BTreeMap::new();
        let add = |lines: &mut BTreeMap<(String, String), SubscriptionLine>,
                   contract: &str,
                   c: &Contract,
                   line: &ContractLine,
                   known_from: NaiveDate,
                   (start, end): (NaiveDate, NaiveDate)| {
            if line.kind != LineKind::Subscription {
                return;
            }
            lines.entry((contract.to_owned(), line.line.clone())).or_insert_with(|| SubscriptionLine {
                customer: c.customer.clone(),
                currency: c.currency,
                known_from,
                start: line.start_date.unwrap_or(start),
                versions: vec![(NaiveDate::MIN, line.price, line.end_date.unwrap_or(end))],
                removed_on: None,
                contract: contract.to_owned(),
            });
        };
        for event in self.events() {
            match event {
                Event::ContractSigned(e) => {
                    if contracts.contains_key(e.contract.as_str()) {
                        continue;
                    }
                    let c = Contract {
                        customer: e.customer.to_string(),
                        currency: e.currency,
                        end: e.end_date,
                        cancelled_on: None,
                    };
                    for line in &e.lines {
                        add(&mut lines, e.contract.as_str(), &c, line, e.signed_on, (e.start_date, e.end_date));
                    }
                    contracts.insert(e.contract.to_string(), c);
                }
                Event::ContractRenewed(e) => {
                    let Some(c) = contracts.get_mut(e.contract.as_str()) else { continue };
                    c.end = e.end_date;
                    for line in &e.lines {
                        add(&mut lines, e.contract.as_str(), c, line, e.renewed_on, (e.start_date, e.end_date));
                    }
                }
                Event::ContractModified(e) => {
                    let Some(c) = contracts.get(e.contract.as_str()) else { continue };
                    for change in &e.changes {
                        match change {
                            LineChange::Add { line } => {
                                let period = (e.effective_on, c.end);
                                add(&mut lines, e.contract.as_str(), c, line, e.effective_on, period);
                            }
                            LineChange::Amend { line, price, end_date, .. } => {
                                let key = (e.contract.to_string(), line.clone());
                                if let Some(l) = lines.get_mut(&key) {
                                    let &(_, last_price, last_end) = l.versions.last().expect("a first version");
                                    let version =
                                        (e.effective_on, price.unwrap_or(last_price), end_date.unwrap_or(last_end));
                                    l.versions.push(version);
                                }
                            }
                            LineChange::Remove { line } => {
                                if let Some(l) = lines.get_mut(&(e.contract.to_string(), line.clone())) {
                                    l.removed_on.get_or_insert(e.effective_on);
                                }
                            }
                        }
                    }
                }
                Event::ContractCancelled(e) => {
                    if let Some(c) = contracts.get_mut(e.contract.as_str()) {
                        c.cancelled_on.get_or_insert(e.effective_on);
                    }
                }
                _ => {}
            }
        }
        let mut lines: Vec<SubscriptionLine> = lines.into_values().collect();
        for line in &mut lines {
            let cancelled = contracts[&line.contract].cancelled_on;
            line.removed_on = line.removed_on.into_iter().chain(cancelled).min();
        }
        lines
    }

    /// MRR per (customer, currency) on `day`, as known on `as_of` (lines
    /// and amendments that became facts after it do not count yet).
    pub fn mrr_on(&self, day: NaiveDate, as_of: NaiveDate) -> BTreeMap<(String, Currency), Decimal> {
        let mut mrr: BTreeMap<(String, Currency), Decimal> = BTreeMap::new();
        for line in self.subscription_lines().iter().filter(|l| l.known_from <= as_of) {
            // The terms in force on `day`: the latest amendment effective on
            // or before it (log order among those of the same day).
            let mut versions: Vec<_> = line.versions.iter().filter(|v| v.0 <= as_of).collect();
            versions.sort_by_key(|v| v.0);
            let Some(&&(_, price, end)) = versions.iter().rev().find(|v| v.0 <= day) else { continue };
            let live = line.start <= day && day <= end && line.removed_on.is_none_or(|stop| day < stop);
            if live {
                *mrr.entry((line.customer.clone(), line.currency)).or_default() +=
                    monthly(price, line.start, end, line.currency);
            }
        }
        mrr.retain(|_, m| !m.is_zero());
        mrr
    }

    /// Commission paid (for its period), adjusted and granted per rep and
    /// month, on or before `as_of`, in the currency of the rep's first plan.
    pub fn rep_months(&self, as_of: NaiveDate) -> BTreeMap<(String, YearMonth), RepMonth> {
        let mut currency: BTreeMap<String, Currency> = BTreeMap::new();
        let mut disputes: BTreeMap<String, (String, Currency, bool)> = BTreeMap::new();
        let mut months: BTreeMap<(String, YearMonth), RepMonth> = BTreeMap::new();
        for event in self.events() {
            let (rep, c, month, amount, slot): (String, Currency, YearMonth, Decimal, Slot) = match event {
                Event::CommissionPlanDefined(e) => {
                    currency.entry(e.rep.to_string()).or_insert(e.currency);
                    continue;
                }
                Event::CommissionPaid(e) if e.paid_on <= as_of => {
                    (e.rep.to_string(), e.currency, e.period, e.amount, |m| &mut m.paid)
                }
                Event::CommissionAdjusted(e) if e.adjusted_on <= as_of => {
                    let month = YearMonth::of(e.adjusted_on);
                    (e.rep.to_string(), e.currency, month, e.amount, |m| &mut m.adjustments)
                }
                Event::CommissionDisputeOpened(e) => {
                    disputes.entry(e.dispute.to_string()).or_insert((e.rep.to_string(), e.currency, false));
                    continue;
                }
                Event::CommissionDisputeResolved(e) if e.resolved_on <= as_of => {
                    let Some(d) = disputes.get_mut(e.dispute.as_str()) else { continue };
                    if d.2 || d.1 != e.currency {
                        continue;
                    }
                    d.2 = true;
                    (d.0.clone(), e.currency, YearMonth::of(e.resolved_on), e.granted, |m| &mut m.granted)
                }
                _ => continue,
            };
            if currency.get(&rep) == Some(&c) {
                *slot(months.entry((rep, month)).or_default()) += amount;
            }
        }
        months
    }
}

/// A line's MRR: its price over the length of its period in months, where
/// a last partial month counts its days over the days of that month
/// (counted from the anchor day): `price / (whole + rem / days)`, which is
/// `price × days / (whole × days + rem)`.
pub fn monthly(price: Decimal, start: NaiveDate, end: NaiveDate, currency: Currency) -> Decimal {
    let stop = end + Days::new(1);
    if stop <= start || price <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let plus = |n: u32| start.checked_add_months(Months::new(n)).expect("in range");
    let mut whole = 0;
    while plus(whole + 1) <= stop {
        whole += 1;
    }
    let (anchor, next) = (plus(whole), plus(whole + 1));
    let days = Decimal::from((next - anchor).num_days());
    let rem = Decimal::from((stop - anchor).num_days());
    round(price * days / (Decimal::from(whole) * days + rem), currency)
}
