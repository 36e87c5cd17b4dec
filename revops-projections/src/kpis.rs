//! `Kpis`: the revenue-operations KPIs, per currency, from the AR aging and
//! MRR reports and from the invoices, credit memos and disputes it folds.
//!
//! [`Kpis::report`] takes an [`AgingReport`] and an [`MrrReport`] of the
//! same as-of date; its period is the aging report's (`period_start` to
//! `as_of`, both included).
//!
//! # Receivables
//!
//! - **DSO**, **average days to pay** and **collection rate** are the aging
//!   report's own figures for the currency (see [`crate::aging`]), so they
//!   always agree with it.
//! - **Credit-memo rate** = credit memos issued in the period / amount
//!   invoiced in the period × 100; **dispute rate** = amounts of the
//!   disputes opened in the period / amount invoiced in the period × 100.
//!   Both are amount-based, over the aging report's `invoiced` (invoice
//!   totals with tax, so on the same footing as the gross amounts credited
//!   or disputed), and absent when nothing was invoiced. The counts (invoices
//!   issued, memos, disputes in the period) are given beside them. A memo or
//!   dispute counts once per id, in its own currency, by its business date,
//!   whatever the date of the invoice it concerns.
//!
//! # Retention by signup cohort
//!
//! A customer's cohort is the month of its first MRR (per currency, as MRR
//! is kept). The window is the trailing twelve months: from the end of
//! `window_start` (the as-of month less twelve) to the as-of date. A cohort
//! that signed up by `window_start` is measured; later ones have no start
//! and are left out. Per customer of the cohort, start MRR is that at the
//! end of `window_start`, end MRR that on the as-of date, and the change is
//! netted over the window into one movement: churn (to zero), contraction,
//! expansion, or reactivation (from zero, for a customer that had lapsed by
//! the start). Then, per cohort:
//!
//! - **GRR** = (start − contraction − churn) / start × 100;
//! - **NRR** = (start + expansion + reactivation − contraction − churn) /
//!   start × 100 = end / start × 100;
//!
//! both absent when the start is zero. A currency's GRR and NRR are those of
//! all its measured cohorts together.
//!
//! # Lifetime value
//!
//! - **ARPA** = MRR / customers with MRR on the as-of date.
//! - **Monthly churn rate** (customer count) = customers churned in the
//!   twelve months of the window / the sum over those months of the
//!   customers with MRR at each month's start (customer-months at risk).
//! - **LTV** = ARPA × gross margin / monthly churn rate, with the gross
//!   margin a fraction (0 to 1) given by the caller; absent when nobody
//!   churned in the window (the value is unbounded) or nobody has MRR.
//!
//! # Renewal forecast
//!
//! The contracts ending within 90 days and their ARR, from the renewals
//! report of the same date, and the forecast: each contract's ARR weighted
//! by its renewal status (green 1.0, yellow 0.5, red 0.2 unless the report
//! was given other weights; see [`crate::renewals`]).
//!
//! Money is rounded once to the minor unit (half away from zero) from the
//! exact quotient; percentages have two places.
//!
//! ```
//! use revops_projections::aging::{AgingOptions, ArAging};
//! use revops_projections::kpis::Kpis;
//! use revops_projections::mrr::Mrr;
//! use revops_projections::renewals::Renewals;
//! use rust_decimal::Decimal;
//!
//! let as_of = "2026-03-31".parse()?;
//! let aging = ArAging::default().report(as_of, AgingOptions::default());
//! let mrr = Mrr::default().report(as_of);
//! let renewals = Renewals::default().report(as_of, &Mrr::default(), &ArAging::default(), Default::default());
//! let kpis = Kpis::default().report(&aging, &mrr, &renewals, Decimal::new(80, 2))?;
//! assert!(kpis.currencies.is_empty() && kpis.cohorts.is_empty());
//! assert_eq!(kpis.window_start.to_string(), "2025-03");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;
use revops_core::calendar::YearMonth;
use revops_core::{Currency, Money};
use revops_events::{Envelope, Event, EventTypes};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::aging::{AgingReport, CurrencyAging};
use crate::amounts::{format, format_decimal, minor, ratio};
use crate::intern::Interner;
use crate::mrr::{Movement, MrrReport};
use crate::once::SeqGuard;
use crate::renewals::{ForecastWeights, RenewalsReport};
use crate::{Error, Projection};

/// The KPIs as of a date. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KpiReport {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// First day of the receivables period (the aging report's).
    pub period_start: NaiveDate,
    /// The month whose end starts the retention and churn window.
    pub window_start: YearMonth,
    /// The gross margin the lifetime value uses, a fraction.
    pub gross_margin: Decimal,
    /// Mean days to pay over every currency (the aging report's).
    pub average_days_to_pay: Option<String>,
    /// The weights of the renewal forecast by status.
    pub renewal_weights: ForecastWeights,
    /// Per currency, by currency code.
    pub currencies: Vec<CurrencyKpis>,
    /// Per currency and signup month, cohorts that signed up by
    /// `window_start` only.
    pub cohorts: Vec<CohortRetention>,
}

/// The KPIs of one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CurrencyKpis {
    /// The currency of the amounts.
    pub currency: Currency,
    /// Days sales outstanding (the aging report's).
    pub dso_days: Option<String>,
    /// Mean days to pay of the invoices paid in the period (the aging
    /// report's).
    pub average_days_to_pay: Option<String>,
    /// Collected / (opening AR + invoiced), a percentage (the aging
    /// report's).
    pub collection_rate_pct: Option<String>,
    /// Invoices issued in the period.
    pub invoices_issued: u64,
    /// Their totals (the aging report's `invoiced`).
    pub invoiced: String,
    /// Credit memos issued in the period.
    pub credit_memos: u64,
    /// Their amounts.
    pub credited: String,
    /// `credited / invoiced × 100`.
    pub credit_memo_rate_pct: Option<String>,
    /// Disputes opened in the period.
    pub disputes: u64,
    /// Their amounts.
    pub disputed: String,
    /// `disputed / invoiced × 100`.
    pub dispute_rate_pct: Option<String>,
    /// MRR on the as-of date.
    pub mrr: String,
    /// Customers with MRR on the as-of date.
    pub customers: u64,
    /// Average revenue (MRR) per account.
    pub arpa: Option<String>,
    /// Customers churned in the window.
    pub churned_customers: u64,
    /// Customers with MRR at the start of each month of the window, summed.
    pub customer_months: u64,
    /// `churned_customers / customer_months × 100`.
    pub monthly_churn_rate_pct: Option<String>,
    /// `arpa × gross margin / monthly churn rate`.
    pub lifetime_value: Option<String>,
    /// Gross revenue retention of all measured cohorts.
    pub grr_pct: Option<String>,
    /// Net revenue retention of all measured cohorts.
    pub nrr_pct: Option<String>,
    /// Contracts ending within 90 days of the as-of date (the renewals
    /// report's pipeline).
    pub renewals_in_90_days: u64,
    /// Their ARR.
    pub renewal_arr: String,
    /// The 90-day renewal forecast: their ARR weighted by renewal status
    /// (`renewal_weights`).
    pub renewal_forecast_arr: String,
}

/// One signup cohort over the window, in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CohortRetention {
    /// The currency of the amounts.
    pub currency: Currency,
    /// The month of the cohort's first MRR.
    pub cohort: YearMonth,
    /// Customers in the cohort.
    pub customers: u64,
    /// Of them, with MRR at the start of the window.
    pub customers_at_start: u64,
    /// Their MRR at the start of the window.
    pub start_mrr: String,
    /// Growth of customers that had MRR at the start.
    pub expansion: String,
    /// MRR of customers that had lapsed by the start and came back.
    pub reactivation: String,
    /// Decrease of customers that still have MRR (a positive amount).
    pub contraction: String,
    /// MRR at the start of customers that have none on the as-of date.
    pub churn: String,
    /// MRR on the as-of date.
    pub end_mrr: String,
    /// Gross revenue retention, a percentage.
    pub grr_pct: Option<String>,
    /// Net revenue retention, a percentage.
    pub nrr_pct: Option<String>,
}

#[derive(Clone, Copy, Debug)]
struct Dated {
    currency: Currency,
    on: NaiveDate,
    amount: i64,
}

/// What the KPIs fold themselves: invoices, credit memos and disputes,
/// each once per id.
#[derive(Clone, Debug, Default)]
pub struct Kpis {
    guard: SeqGuard,
    invoice_ids: Interner,
    memo_ids: Interner,
    dispute_ids: Interner,
    invoices: Vec<Dated>,
    memos: Vec<Dated>,
    disputes: Vec<Dated>,
}

/// Records `fact` unless `id` was seen before: a repeated id is the same fact.
fn once(ids: &mut Interner, id: &str, facts: &mut Vec<Dated>, fact: Option<Dated>) {
    let seen = ids.len();
    if (ids.intern(id) as usize) < seen {
        return;
    }
    facts.extend(fact);
}

impl Projection for Kpis {
    const READS: EventTypes = EventTypes::NONE.with("invoice_issued").with("credit_memo_issued").with("dispute_opened");

    fn apply(&mut self, envelope: &Envelope) {
        if !self.guard.first_time(envelope.seq) {
            return;
        }
        let dated = |currency, on, amount| minor(amount, currency).map(|amount| Dated { currency, on, amount });
        match &envelope.event {
            Event::InvoiceIssued(e) => {
                let fact = dated(e.currency, e.issued_on, e.total().amount);
                once(&mut self.invoice_ids, e.invoice.as_str(), &mut self.invoices, fact);
            }
            Event::CreditMemoIssued(e) => {
                let fact = dated(e.currency, e.issued_on, e.amount);
                once(&mut self.memo_ids, e.memo.as_str(), &mut self.memos, fact);
            }
            Event::DisputeOpened(e) => {
                let fact = dated(e.currency, e.opened_on, e.amount);
                once(&mut self.dispute_ids, e.dispute.as_str(), &mut self.disputes, fact);
            }
            _ => {}
        }
    }
}

/// Count and sum of the facts of one kind in the period, per currency.
type Tally = BTreeMap<Currency, (u64, i128)>;

/// One customer's MRR over the window, in minor units.
#[derive(Clone, Copy, Debug, Default)]
struct Account {
    cohort: Option<YearMonth>,
    start: i64,
    end: i64,
}

/// The sums of a cohort (or of a currency's cohorts).
#[derive(Clone, Copy, Debug, Default)]
struct Retention {
    customers: u64,
    at_start: u64,
    start: i128,
    expansion: i128,
    reactivation: i128,
    contraction: i128,
    churn: i128,
    end: i128,
}

impl Retention {
    fn add(&mut self, a: &Account) {
        let (start, end) = (i128::from(a.start), i128::from(a.end));
        self.customers += 1;
        self.at_start += u64::from(start > 0);
        self.start += start;
        self.end += end;
        match (start > 0, end > 0) {
            (true, false) => self.churn += start,
            (true, true) if end < start => self.contraction += start - end,
            (true, true) => self.expansion += end - start,
            (false, _) => self.reactivation += end,
        }
    }

    fn merge(&mut self, o: &Retention) {
        self.customers += o.customers;
        self.at_start += o.at_start;
        self.start += o.start;
        self.expansion += o.expansion;
        self.reactivation += o.reactivation;
        self.contraction += o.contraction;
        self.churn += o.churn;
        self.end += o.end;
    }

    fn grr(&self) -> Option<String> {
        ratio(self.start - self.contraction - self.churn, self.start, 100)
    }

    fn nrr(&self) -> Option<String> {
        ratio(self.end, self.start, 100)
    }
}

/// A currency's subscription figures from the MRR report.
#[derive(Clone, Copy, Debug, Default)]
struct Subscriptions {
    mrr: i64,
    customers: u64,
    churned: u64,
    customer_months: u64,
    retention: Retention,
}

impl Kpis {
    /// The KPIs as of the reports' date, with `gross_margin` (a fraction from
    /// 0 to 1) for the lifetime value. See the [module docs](self).
    pub fn report(
        &self,
        aging: &AgingReport,
        mrr: &MrrReport,
        renewals: &RenewalsReport,
        gross_margin: Decimal,
    ) -> Result<KpiReport, Error> {
        let as_of = aging.as_of;
        if mrr.as_of != as_of {
            return Err(Error::AsOfMismatch { report: "mrr", expected: as_of, found: mrr.as_of });
        }
        if renewals.as_of != as_of {
            return Err(Error::AsOfMismatch { report: "renewals", expected: as_of, found: renewals.as_of });
        }
        if gross_margin < Decimal::ZERO || gross_margin > Decimal::ONE {
            return Err(Error::GrossMargin { margin: gross_margin });
        }
        let window_start = YearMonth::of(as_of).plus(-12)?;
        let period = aging.period_start..=as_of;
        let tally = |facts: &[Dated]| -> Tally {
            let mut tally = Tally::new();
            for f in facts.iter().filter(|f| period.contains(&f.on)) {
                let slot = tally.entry(f.currency).or_default();
                *slot = (slot.0 + 1, slot.1 + i128::from(f.amount));
            }
            tally
        };
        let (invoices, memos, disputes) = (tally(&self.invoices), tally(&self.memos), tally(&self.disputes));
        let (subscriptions, cohorts) = subscriptions(mrr, window_start)?;

        let mut currencies: Vec<Currency> = aging.currencies.iter().map(|c| c.currency).collect();
        currencies.extend(subscriptions.keys().chain(invoices.keys()).chain(memos.keys()).chain(disputes.keys()));
        currencies.extend(renewals.totals.iter().map(|t| t.currency));
        currencies.sort_unstable();
        currencies.dedup();
        let mut rows = Vec::with_capacity(currencies.len());
        for currency in currencies {
            let receivables = aging.currencies.iter().find(|c| c.currency == currency);
            let subs = subscriptions.get(&currency).copied().unwrap_or_default();
            let tallies = [&invoices, &memos, &disputes].map(|t| t.get(&currency).copied().unwrap_or_default());
            let mut row = currency_kpis(currency, receivables, tallies, &subs, gross_margin)?;
            if let Some(t) = renewals.totals.iter().find(|t| t.currency == currency) {
                row.renewals_in_90_days = t.contracts;
                row.renewal_arr.clone_from(&t.arr);
                row.renewal_forecast_arr.clone_from(&t.forecast_arr);
            }
            rows.push(row);
        }
        Ok(KpiReport {
            as_of,
            period_start: aging.period_start,
            window_start,
            gross_margin,
            average_days_to_pay: aging.average_days_to_pay.clone(),
            renewal_weights: renewals.weights,
            currencies: rows,
            cohorts,
        })
    }
}

fn currency_kpis(
    currency: Currency,
    receivables: Option<&CurrencyAging>,
    [invoices, memos, disputes]: [(u64, i128); 3],
    subs: &Subscriptions,
    gross_margin: Decimal,
) -> Result<CurrencyKpis, Error> {
    let invoiced = match receivables {
        Some(r) => i128::from(Money::parse(&r.invoiced, currency)?.to_minor()?),
        None => 0,
    };
    let rate = |amount: i128| if invoiced > 0 { ratio(amount, invoiced, 100) } else { None };
    let money = |amount: i128| format(amount, currency);
    let arpa = Decimal::from(subs.mrr).checked_div(Decimal::from(subs.customers));
    // ARPA × margin / (churned / customer-months), exact until the one rounding.
    let ltv = arpa
        .filter(|_| subs.churned > 0)
        .and_then(|a| a.checked_mul(gross_margin)?.checked_mul(Decimal::from(subs.customer_months)))
        .and_then(|v| v.checked_div(Decimal::from(subs.churned)));
    let in_currency = |minor_units: Decimal| {
        let amount = minor_units / Decimal::from(10u64.pow(currency.minor_units()));
        // Rounded to the minor unit, with the one rounding of the crate.
        format_decimal(amount, currency)
    };
    Ok(CurrencyKpis {
        currency,
        dso_days: receivables.and_then(|r| r.dso_days.clone()),
        average_days_to_pay: receivables.and_then(|r| r.average_days_to_pay.clone()),
        collection_rate_pct: receivables.and_then(|r| r.collection_rate_pct.clone()),
        invoices_issued: invoices.0,
        invoiced: money(invoiced),
        credit_memos: memos.0,
        credited: money(memos.1),
        credit_memo_rate_pct: rate(memos.1),
        disputes: disputes.0,
        disputed: money(disputes.1),
        dispute_rate_pct: rate(disputes.1),
        mrr: money(subs.mrr.into()),
        customers: subs.customers,
        arpa: arpa.map(in_currency),
        churned_customers: subs.churned,
        customer_months: subs.customer_months,
        monthly_churn_rate_pct: ratio(subs.churned.into(), subs.customer_months.into(), 100),
        lifetime_value: ltv.map(in_currency),
        grr_pct: subs.retention.grr(),
        nrr_pct: subs.retention.nrr(),
        renewals_in_90_days: 0,
        renewal_arr: money(0),
        renewal_forecast_arr: money(0),
    })
}

/// Per currency: MRR, churn over the window and retention; and the cohorts.
fn subscriptions(
    report: &MrrReport,
    window_start: YearMonth,
) -> Result<(BTreeMap<Currency, Subscriptions>, Vec<CohortRetention>), Error> {
    let as_of_month = YearMonth::of(report.as_of);
    let mut subs: BTreeMap<Currency, Subscriptions> = BTreeMap::new();
    let mut accounts: BTreeMap<(Currency, &str), Account> = BTreeMap::new();
    let mut active: BTreeMap<Currency, u64> = BTreeMap::new();
    // Months are in order, so each customer's rows are too.
    for row in report.months.iter().filter(|m| m.month <= as_of_month) {
        let s = subs.entry(row.currency).or_default();
        let active = active.entry(row.currency).or_default();
        let in_window = row.month > window_start;
        if in_window {
            s.customer_months += *active;
        }
        for c in &row.customers {
            let after = Money::parse(&c.end_mrr, row.currency)?.to_minor()?;
            let account = accounts.entry((row.currency, c.customer.as_str())).or_default();
            account.cohort.get_or_insert(row.month);
            if !in_window {
                account.start = after;
            }
            account.end = after;
            match c.movement {
                Movement::New | Movement::Reactivation => *active += 1,
                Movement::Churn => {
                    *active = active.saturating_sub(1);
                    s.churned += u64::from(in_window);
                }
                Movement::Expansion | Movement::Contraction => {}
            }
        }
    }
    for t in &report.totals {
        let s = subs.entry(t.currency).or_default();
        s.mrr = Money::parse(&t.mrr, t.currency)?.to_minor()?;
        s.customers = t.customers;
    }

    let mut cohorts: BTreeMap<(Currency, YearMonth), Retention> = BTreeMap::new();
    for (&(currency, _), account) in &accounts {
        let Some(cohort) = account.cohort.filter(|&c| c <= window_start) else { continue };
        cohorts.entry((currency, cohort)).or_default().add(account);
    }
    let mut rows = Vec::with_capacity(cohorts.len());
    for (&(currency, cohort), r) in &cohorts {
        assert!(
            r.end == r.start + r.expansion + r.reactivation - r.contraction - r.churn,
            "{currency} {cohort}: the cohort bridge does not hold"
        );
        subs.entry(currency).or_default().retention.merge(r);
        let money = |m: i128| format(m, currency);
        rows.push(CohortRetention {
            currency,
            cohort,
            customers: r.customers,
            customers_at_start: r.at_start,
            start_mrr: money(r.start),
            expansion: money(r.expansion),
            reactivation: money(r.reactivation),
            contraction: money(r.contraction),
            churn: money(r.churn),
            end_mrr: money(r.end),
            grr_pct: r.grr(),
            nrr_pct: r.nrr(),
        });
    }
    Ok((subs, rows))
}
