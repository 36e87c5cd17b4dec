//! `Dashboard`: the revenue-operations dashboard for the month of an as-of
//! date, in one reporting currency, as text (its [`Display`](std::fmt::Display))
//! and as JSON (serde).
//!
//! It reads the read models of [`RevenueOperations`] and adds no rule of its
//! own; each figure says where it comes from:
//!
//! - **Revenue** — the [`Mrr`](crate::Mrr) bridge of the as-of month: MRR and
//!   ARR at the as-of date, and the month's new, expansion, reactivation,
//!   contraction and churned MRR; the net change and its percentage of the
//!   MRR at the start of the month.
//! - **Invoicing** — month to date (the 1st to the as-of date): invoices
//!   issued (count, amount plus tax), invoices paid and the cash applied
//!   ([`ArAging`](crate::ArAging) over that period), the average days to
//!   pay of the invoices paid in it, the outstanding AR, and what is
//!   overdue (open past its due date), with the count of invoices more than
//!   60 days past due.
//! - **AR aging** — the invoice-date buckets of [`ArAging`](crate::ArAging)
//!   and each bucket's share of AR. The shares are split from 100.00 % by
//!   largest remainder so that they sum to exactly 100.00 % (when no bucket
//!   is negative; an over-credited book gets plain rounded shares).
//! - **Commissions** — earned in the month (commission, adjustments and
//!   granted disputes dated in it), payable now, the next payout date of any
//!   rep, and the open commission disputes.
//! - **Alerts** — contracts ending within 30 days ([`Renewals`](crate::Renewals))
//!   with their ARR and the ARR at risk; open invoices without a PO number
//!   on a contract that requires one (the command API refuses to issue
//!   them, so they come from imported facts); customers on credit hold, and
//!   those the collections ladder says to put on hold.
//!
//! # The reporting currency
//!
//! Every amount is converted at the rates in force on the as-of date
//! ([`FxRates`](crate::FxRates)); a currency with no rate into the reporting
//! currency is an error naming the pair, never a silent 1.0. The original
//! amounts stay in each section's `by_currency`. Figures that add up — the
//! MRR bridge, the aging buckets — are converted together as one whole, so
//! that they still add up once converted (see
//! [`ReportingCurrency::convert_whole`](crate::fx::ReportingCurrency::convert_whole)).

mod register;
mod text;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use revops_core::calendar::YearMonth;
use revops_core::rounding::allocate_minor;
use revops_core::{Currency, Money};
use rust_decimal::Decimal;
use serde::Serialize;

pub(crate) use register::InvoiceRegister;

use crate::aging::{AgingBasis, AgingOptions, AgingReport, Buckets};
use crate::amounts::{format_decimal, ratio};
use crate::fx::ReportingCurrency;
use crate::{Error, RevenueOperations};

/// A section's figures in the reporting currency, and per original currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Figures<T> {
    /// The figures converted into the reporting currency.
    #[serde(flatten)]
    pub total: T,
    /// The same figures in each currency that has any, by currency code,
    /// unconverted.
    pub by_currency: Vec<InCurrency<T>>,
}

/// Figures in one original currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InCurrency<T> {
    /// The currency of the amounts.
    pub currency: Currency,
    /// The figures.
    #[serde(flatten)]
    pub figures: T,
}

/// MRR and its movements in the month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Revenue {
    /// MRR at the as-of date.
    pub mrr: String,
    /// `mrr × 12`.
    pub arr: String,
    /// MRR at the end of the month before.
    pub start_mrr: String,
    /// From customers new this month.
    pub new_mrr: String,
    /// From customers that grew.
    pub expansion_mrr: String,
    /// From customers that came back.
    pub reactivation_mrr: String,
    /// Lost from customers that shrank, a positive amount.
    pub contraction_mrr: String,
    /// Lost from customers that left, a positive amount.
    pub churned_mrr: String,
    /// `mrr − start_mrr`.
    pub net_change: String,
    /// The net change as a percentage of `start_mrr`, two places; absent
    /// when `start_mrr` is zero.
    pub net_change_pct: Option<String>,
}

/// Invoices and cash, month to date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Invoicing {
    /// Invoices issued in the month.
    pub issued_count: u64,
    /// Their amount plus tax.
    pub issued: String,
    /// Invoices paid in the month.
    pub paid_count: u64,
    /// Payments applied in the month.
    pub collected: String,
    /// Mean days to pay of the invoices paid in the month; absent when none.
    pub average_days_to_pay: Option<String>,
    /// Open AR at the as-of date.
    pub outstanding: String,
    /// Open invoices past their due date.
    pub overdue_count: u64,
    /// Their open amount.
    pub overdue: String,
    /// Open invoices more than 60 days past their due date.
    pub over_60_days_count: u64,
}

/// An aging bucket and its share of AR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgingShare {
    /// Open amount in the bucket.
    pub amount: String,
    /// Its percentage of the open AR, two places; absent when AR is zero.
    pub pct_of_ar: Option<String>,
}

/// Open AR by age since the invoice date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgingFigures {
    /// 0 to 30 days.
    pub days_0_30: AgingShare,
    /// 31 to 60 days.
    pub days_31_60: AgingShare,
    /// 61 to 90 days.
    pub days_61_90: AgingShare,
    /// 91 days and more.
    pub days_91_plus: AgingShare,
    /// The open AR: the sum of the buckets.
    pub total: String,
}

/// Commissions of every rep.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommissionFigures {
    /// Earned in the month (before clawbacks).
    pub earned_in_period: String,
    /// Payable at the as-of date: earned − paid − clawed back, to date.
    pub payable: String,
    /// The earliest next payout date of any rep.
    pub next_payout_on: Option<NaiveDate>,
    /// Open commission disputes.
    pub open_disputes: u64,
    /// The amount they claim.
    pub disputed: String,
}

/// Contracts ending within 30 days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RenewalAlert {
    /// How many.
    pub contracts: u64,
    /// Their ARR.
    pub arr: String,
    /// Of those, at risk (not green).
    pub at_risk_contracts: u64,
    /// The ARR of those at risk.
    pub arr_at_risk: String,
}

/// What needs someone's attention.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alerts {
    /// Renewals due within 30 days.
    pub renewals_in_30_days: Figures<RenewalAlert>,
    /// Open invoices without the PO number their contract requires, by id.
    pub invoices_missing_po: Vec<String>,
    /// Customers on credit hold, by id.
    pub credit_holds: Vec<String>,
    /// Customers the collections ladder says to put on hold (day 60), by id.
    pub credit_holds_to_place: Vec<String>,
}

/// A rate used to convert into the reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RateUsed {
    /// The original currency.
    pub from: Currency,
    /// Units of the reporting currency per unit of `from`.
    pub rate: String,
}

/// The revenue-operations dashboard. See the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dashboard {
    /// The month reported on.
    pub period: YearMonth,
    /// The as-of date, in `period`.
    pub as_of: NaiveDate,
    /// The currency of the converted figures.
    pub reporting_currency: Currency,
    /// The rates used, by original currency.
    pub rates: Vec<RateUsed>,
    /// MRR and its movements.
    pub revenue: Figures<Revenue>,
    /// Invoices and cash, month to date.
    pub invoicing: Figures<Invoicing>,
    /// AR by age.
    pub ar_aging: Figures<AgingFigures>,
    /// Commissions.
    pub commissions: Figures<CommissionFigures>,
    /// Alerts.
    pub alerts: Alerts,
}

impl Dashboard {
    /// The dashboard of `models` as of `as_of`, in `reporting` currency.
    pub fn new(desk: &RevenueOperations, as_of: NaiveDate, reporting: Currency) -> Result<Dashboard, Error> {
        let models = desk.models();
        let fx = desk.fx().reporting(reporting, as_of);
        let month_to_date = AgingOptions { basis: AgingBasis::InvoiceDate, period_days: as_of.day() };
        let aging = models.aging().report(as_of, month_to_date);
        let overdue = models.aging().report(as_of, AgingOptions { basis: AgingBasis::DueDate, period_days: 1 });
        let mrr = models.mrr().report(as_of);
        let period = YearMonth::of(as_of);

        let commissions = models.commissions().report(as_of)?;
        let renewals = desk.renewals_report(as_of);
        let currencies: BTreeSet<Currency> = (aging.currencies.iter().map(|c| c.currency))
            .chain(mrr.months.iter().filter(|m| m.month == period).map(|m| m.currency))
            .chain(commissions.reps.iter().map(|r| r.currency))
            .chain(renewals.totals.iter().map(|t| t.currency))
            .collect();
        let rates = currencies
            .iter()
            .filter(|&&c| c != reporting)
            .map(|&from| Ok(RateUsed { from, rate: fx.rate(from)?.rate.normalize().to_string() }))
            .collect::<Result<Vec<_>, Error>>()?;

        let collections = desk.collections_report(as_of);
        let open: BTreeSet<&str> = aging.invoices.iter().map(|i| i.invoice.as_str()).collect();
        let invoices_missing_po = desk
            .invoice_register()
            .invoices()
            .filter(|(id, invoice)| invoice.missing_po && invoice.issued_on <= as_of && open.contains(id))
            .map(|(id, _)| id.to_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();

        Ok(Dashboard {
            period,
            as_of,
            reporting_currency: reporting,
            rates,
            revenue: revenue(&fx, &mrr.months, period)?,
            invoicing: invoicing(&fx, desk.invoice_register(), &aging, &overdue, period, as_of)?,
            ar_aging: ar_aging(&fx, &aging)?,
            commissions: commission_figures(&fx, &commissions, period)?,
            alerts: Alerts {
                renewals_in_30_days: renewal_alert(&fx, &renewals)?,
                invoices_missing_po,
                credit_holds: collections.holds.iter().map(|h| h.customer.clone()).collect(),
                credit_holds_to_place: collections.holds_to_place.iter().map(|h| h.customer.clone()).collect(),
            },
        })
    }

    /// The dashboard as pretty-printed JSON.
    pub fn to_json(&self) -> Result<String, Error> {
        Ok(serde_json::to_string_pretty(self)?)
    }
}

/// A report amount: reports write decimal strings, so this cannot fail on
/// what they wrote.
fn dec(text: &str) -> Decimal {
    text.parse().expect("reports write amounts as decimal strings")
}

/// Converts per-currency rows of `N` amounts that together make one whole;
/// returns the converted amounts by position (they sum to the converted
/// whole) and the rows' originals.
fn convert_rows<const N: usize>(
    fx: &ReportingCurrency<'_>,
    rows: &[(Currency, [Decimal; N])],
) -> Result<[Decimal; N], Error> {
    let parts: Vec<Money> =
        rows.iter().flat_map(|(currency, amounts)| amounts.iter().map(|a| Money::new(*a, *currency))).collect();
    let mut total = [Decimal::ZERO; N];
    if parts.is_empty() {
        return Ok(total);
    }
    let converted = fx.convert_whole(&parts)?;
    for (i, part) in converted.parts.iter().enumerate() {
        total[i % N] += part.amount;
    }
    Ok(total)
}

/// Converts each column of per-currency rows as a whole of its own: figures
/// side by side that do not add up to one another.
fn convert_columns<const N: usize>(
    fx: &ReportingCurrency<'_>,
    rows: &[(Currency, [Decimal; N])],
) -> Result<[Decimal; N], Error> {
    let mut out = [Decimal::ZERO; N];
    for (i, slot) in out.iter_mut().enumerate() {
        let column: Vec<(Currency, [Decimal; 1])> = rows.iter().map(|(c, row)| (*c, [row[i]])).collect();
        *slot = convert_rows(fx, &column)?[0];
    }
    Ok(out)
}

fn money(amount: Decimal, currency: Currency) -> String {
    format_decimal(amount, currency)
}

/// A percentage of two amounts in one currency, two places.
fn pct(part: Decimal, whole: Decimal, currency: Currency) -> Option<String> {
    let minor = |d: Decimal| Money::new(d, currency).to_minor().ok().map(i128::from);
    ratio(minor(part)?, minor(whole)?, 100)
}

fn revenue(
    fx: &ReportingCurrency<'_>,
    months: &[crate::mrr::MrrMonth],
    period: YearMonth,
) -> Result<Figures<Revenue>, Error> {
    let rows: Vec<(Currency, [Decimal; 6])> = months
        .iter()
        .filter(|m| m.month == period)
        .map(|m| {
            let bridge = [m.start_mrr.as_str(), &m.new, &m.expansion, &m.reactivation, &m.contraction, &m.churn];
            let [start, new, expansion, reactivation, contraction, churn] = bridge.map(dec);
            (m.currency, [start, new, expansion, reactivation, -contraction, -churn])
        })
        .collect();
    let figures = |currency: Currency, [start, new, expansion, reactivation, contraction, churn]: [Decimal; 6]| {
        let end = start + new + expansion + reactivation + contraction + churn;
        Revenue {
            mrr: money(end, currency),
            arr: money(end * Decimal::from(12), currency),
            start_mrr: money(start, currency),
            new_mrr: money(new, currency),
            expansion_mrr: money(expansion, currency),
            reactivation_mrr: money(reactivation, currency),
            contraction_mrr: money(-contraction, currency),
            churned_mrr: money(-churn, currency),
            net_change: money(end - start, currency),
            net_change_pct: pct(end - start, start, currency),
        }
    };
    Ok(Figures {
        total: figures(fx.currency(), convert_rows(fx, &rows)?),
        by_currency: rows
            .iter()
            .map(|&(currency, row)| InCurrency { currency, figures: figures(currency, row) })
            .collect(),
    })
}

fn invoicing(
    fx: &ReportingCurrency<'_>,
    register: &InvoiceRegister,
    aging: &AgingReport,
    overdue: &AgingReport,
    period: YearMonth,
    as_of: NaiveDate,
) -> Result<Figures<Invoicing>, Error> {
    #[derive(Default)]
    struct Row {
        issued_count: u64,
        issued: i64,
        paid_count: u64,
        collected: Decimal,
        average_days_to_pay: Option<String>,
        outstanding: Decimal,
        overdue_count: u64,
        overdue: Decimal,
        over_60_days_count: u64,
    }
    let mut rows: BTreeMap<Currency, Row> = BTreeMap::new();
    for (_, invoice) in register.invoices() {
        if invoice.issued_on >= period.first_day() && invoice.issued_on <= as_of {
            let row = rows.entry(invoice.currency).or_default();
            row.issued_count += 1;
            row.issued += invoice.total;
        }
    }
    for c in &aging.currencies {
        let row = rows.entry(c.currency).or_default();
        row.paid_count = c.invoices_paid;
        row.collected = dec(&c.collected);
        row.average_days_to_pay.clone_from(&c.average_days_to_pay);
        row.outstanding = dec(&c.buckets.total);
    }
    for invoice in overdue.invoices.iter().filter(|i| i.age_days > 0) {
        let row = rows.entry(invoice.currency).or_default();
        row.overdue_count += 1;
        row.overdue += dec(&invoice.open);
        row.over_60_days_count += u64::from(invoice.age_days > 60);
    }
    let amounts = |currency: Currency, row: &Row| {
        [Money::from_minor(row.issued, currency).amount, row.collected, row.outstanding, row.overdue]
    };
    let rows_amounts: Vec<_> = rows.iter().map(|(&c, row)| (c, amounts(c, row))).collect();
    let converted = convert_columns(fx, &rows_amounts)?;
    let figures = |currency: Currency, row: &Row, [issued, collected, outstanding, overdue]: [Decimal; 4]| Invoicing {
        issued_count: row.issued_count,
        issued: money(issued, currency),
        paid_count: row.paid_count,
        collected: money(collected, currency),
        average_days_to_pay: row.average_days_to_pay.clone(),
        outstanding: money(outstanding, currency),
        overdue_count: row.overdue_count,
        overdue: money(overdue, currency),
        over_60_days_count: row.over_60_days_count,
    };
    let sum = |f: fn(&Row) -> u64| rows.values().map(f).sum::<u64>();
    let total = Row {
        issued_count: sum(|r| r.issued_count),
        paid_count: sum(|r| r.paid_count),
        average_days_to_pay: aging.average_days_to_pay.clone(),
        overdue_count: sum(|r| r.overdue_count),
        over_60_days_count: sum(|r| r.over_60_days_count),
        ..Row::default()
    };
    Ok(Figures {
        total: figures(fx.currency(), &total, converted),
        by_currency: rows
            .iter()
            .map(|(&currency, row)| InCurrency { currency, figures: figures(currency, row, amounts(currency, row)) })
            .collect(),
    })
}

fn ar_aging(fx: &ReportingCurrency<'_>, aging: &AgingReport) -> Result<Figures<AgingFigures>, Error> {
    let bucket_amounts = |b: &Buckets| [&b.days_0_30, &b.days_31_60, &b.days_61_90, &b.days_91_plus].map(|s| dec(s));
    let rows: Vec<(Currency, [Decimal; 4])> =
        aging.currencies.iter().map(|c| (c.currency, bucket_amounts(&c.buckets))).collect();
    let figures = |currency: Currency, buckets: [Decimal; 4]| {
        let total: Decimal = buckets.iter().sum();
        let shares = shares(&buckets, total, currency);
        let [a, b, c, d] =
            std::array::from_fn(|i| AgingShare { amount: money(buckets[i], currency), pct_of_ar: shares[i].clone() });
        AgingFigures { days_0_30: a, days_31_60: b, days_61_90: c, days_91_plus: d, total: money(total, currency) }
    };
    Ok(Figures {
        total: figures(fx.currency(), convert_rows(fx, &rows)?),
        by_currency: rows
            .iter()
            .map(|&(currency, row)| InCurrency { currency, figures: figures(currency, row) })
            .collect(),
    })
}

/// Each bucket's percentage of `total`, two places, summing to exactly
/// 100.00 when no bucket is negative.
fn shares(buckets: &[Decimal; 4], total: Decimal, currency: Currency) -> [Option<String>; 4] {
    let minor = |d: Decimal| Money::new(d, currency).to_minor().ok();
    let weights: Option<Vec<u128>> = buckets.iter().map(|&b| minor(b).and_then(|m| u128::try_from(m).ok())).collect();
    let mut out = [0i64; 4];
    match weights {
        Some(w) if total > Decimal::ZERO && allocate_minor(10_000, &w, &mut out).is_ok() => {
            out.map(|hundredths| Some(crate::amounts::fixed(hundredths.into(), 2)))
        }
        _ => buckets.map(|b| pct(b, total, currency)),
    }
}

fn commission_figures(
    fx: &ReportingCurrency<'_>,
    report: &crate::CommissionsReport,
    period: YearMonth,
) -> Result<Figures<CommissionFigures>, Error> {
    #[derive(Default)]
    struct Row {
        earned: Decimal,
        payable: Decimal,
        next_payout_on: Option<NaiveDate>,
        open_disputes: u64,
        disputed: Decimal,
    }
    let mut rows: BTreeMap<Currency, Row> = BTreeMap::new();
    for rep in &report.reps {
        let row = rows.entry(rep.currency).or_default();
        let month = rep.periods.iter().find(|p| p.period == period);
        row.earned += month.map_or(Decimal::ZERO, |p| dec(&p.sums.earned));
        row.payable += dec(&rep.totals.payable);
        row.next_payout_on = earliest(row.next_payout_on, rep.next_payout_on);
        row.open_disputes += rep.open_disputes.len() as u64;
        row.disputed += dec(&rep.disputed);
    }
    let converted =
        convert_columns(fx, &rows.iter().map(|(&c, r)| (c, [r.earned, r.payable, r.disputed])).collect::<Vec<_>>())?;
    let figures = |currency: Currency, row: &Row, [earned, payable, disputed]: [Decimal; 3]| CommissionFigures {
        earned_in_period: money(earned, currency),
        payable: money(payable, currency),
        next_payout_on: row.next_payout_on,
        open_disputes: row.open_disputes,
        disputed: money(disputed, currency),
    };
    let total = Row {
        next_payout_on: rows.values().fold(None, |a, r| earliest(a, r.next_payout_on)),
        open_disputes: rows.values().map(|r| r.open_disputes).sum(),
        ..Row::default()
    };
    Ok(Figures {
        total: figures(fx.currency(), &total, converted),
        by_currency: rows
            .iter()
            .map(|(&currency, r)| InCurrency {
                currency,
                figures: figures(currency, r, [r.earned, r.payable, r.disputed]),
            })
            .collect(),
    })
}

fn earliest(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn renewal_alert(
    fx: &ReportingCurrency<'_>,
    report: &crate::renewals::RenewalsReport,
) -> Result<Figures<RenewalAlert>, Error> {
    #[derive(Default)]
    struct Row {
        contracts: u64,
        arr: Decimal,
        at_risk_contracts: u64,
        arr_at_risk: Decimal,
    }
    let mut rows: BTreeMap<Currency, Row> = BTreeMap::new();
    for renewal in report.renewals.iter().filter(|r| r.days_to_end <= 30) {
        let row = rows.entry(renewal.currency).or_default();
        row.contracts += 1;
        row.arr += dec(&renewal.arr);
        if renewal.at_risk {
            row.at_risk_contracts += 1;
            row.arr_at_risk += dec(&renewal.arr);
        }
    }
    let converted = convert_columns(fx, &rows.iter().map(|(&c, r)| (c, [r.arr, r.arr_at_risk])).collect::<Vec<_>>())?;
    let figures = |currency: Currency, row: &Row, [arr, arr_at_risk]: [Decimal; 2]| RenewalAlert {
        contracts: row.contracts,
        arr: money(arr, currency),
        at_risk_contracts: row.at_risk_contracts,
        arr_at_risk: money(arr_at_risk, currency),
    };
    let total = Row {
        contracts: rows.values().map(|r| r.contracts).sum(),
        at_risk_contracts: rows.values().map(|r| r.at_risk_contracts).sum(),
        ..Row::default()
    };
    Ok(Figures {
        total: figures(fx.currency(), &total, converted),
        by_currency: rows
            .iter()
            .map(|(&currency, r)| InCurrency { currency, figures: figures(currency, r, [r.arr, r.arr_at_risk]) })
            .collect(),
    })
}
