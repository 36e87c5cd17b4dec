//! The reports in a reporting currency: each currency section's original
//! figures next to the converted ones, and converted grand totals.
//!
//! Every view converts at the rates in force on the report's own as-of date,
//! which must be the [`ReportingCurrency`]'s (else
//! [`Error::AsOfMismatch`]), and lists the rates it used. Only the figures a
//! reader adds across currencies are converted; counts, dates, days and
//! percentages are the same in any currency and stay in the original report.
//! Each converted figure comes from a whole split with
//! [`ReportingCurrency::convert_whole`], so that what sums in the original
//! report sums in the reporting currency too:
//!
//! | view | converted | wholes split |
//! |---|---|---|
//! | [`ConvertedAging`] | the buckets of each currency | all open AR: every currency's buckets are its parts; a section's `total` and the grand buckets are sums of parts |
//! | [`ConvertedLedger`] | each account's closing balance | each currency's closing balances (zero); the consolidated balance of an account is the sum over currencies, so every section and the consolidation balance |
//! | [`ConvertedSchedules`] | the totals of each currency | `total` over every currency's `recognized` and `remaining`; `billed − recognized` over every `deferred` and `− unbilled`, so `billed = recognized + deferred − unbilled`; `credited` on its own |
//! | [`ConvertedMrr`] | MRR and ARR per currency and customer | all MRR over every customer's MRR; a currency's MRR is the sum of its customers', ARR = MRR × 12 |
//! | [`ConvertedCommissions`] | every rep's commission sums | `payable` over every rep's `commission`, `adjustments`, `disputes_granted`, `− paid` and `− clawed_back` (`earned` and `payable` are sums of those); `credited` on its own; the amounts in open disputes are not converted |
//! | [`ConvertedCollections`] | each ladder invoice's `open`, and so each currency's open amount and that of its holds to place | all open amounts on the ladder over every ladder invoice; a hold to place takes its invoice's part, so the holds' amounts are a part of the open amount |
//! | [`ConvertedDisputes`] | each open dispute's amount, and so each currency's `open_amounts` | the amount under open disputes over every open dispute; resolved disputes, their credits and rebills are not converted |
//! | [`ConvertedRenewals`] | each renewal's `arr` and `forecast_arr`; per currency `arr`, `green_arr`, `yellow_arr`, `red_arr`, `arr_at_risk`, `forecast_arr` | the pipeline ARR over every renewal's ARR (a status's and the at-risk ARR are sums of those parts, so green + yellow + red = ARR); the forecast over every renewal's forecast on its own |
//! | [`ConvertedExpansion`] | each change's `arr_effect`; per currency every class's effect, `expansion` and `net` | the net effect over every change's effect (a class's effect, `expansion` and `net` are sums of parts); prices before and after are not converted |
//! | [`ConvertedPartners`] | per partner and currency: sourced, influenced and co-sell ARR, SPIF earned and payable, MDF allocated, spent and balance; per currency the same and `total_arr` | one whole per figure over every partner desk (sourced ARR, influenced ARR, co-sell ARR, SPIF earned, SPIF payable); MDF over every desk's `allocated` and `− spent`, so balance = allocated − spent; `total_arr` over the currencies on its own. The converted desks keep their reported utilization; the grand total's is converted spent / converted allocated |
//! | [`ConvertedKpis`] | per currency `invoiced`, `credited`, `disputed`, `mrr`, `renewal_arr`, `renewal_forecast_arr` (one whole each over the currencies), `arpa` and `lifetime_value` (each converted on its own) | the six sums as wholes over the currencies; the grand total's ARPA is converted MRR / customers (rounded half away from zero) and it has no lifetime value (a churn rate is a currency's own). DSO, days to pay, the rates and percentages, churn and retention (cohort MRR included) are not converted |

use std::collections::BTreeMap;

use chrono::NaiveDate;
use revops_core::{Currency, Money};
use serde::Serialize;

use super::{FxRate, ReportingCurrency};
use crate::aging::{AgingReport, Buckets};
use crate::amounts::{div_round, format, ratio, ROUNDING};
use crate::collections::CollectionsReport;
use crate::commissions::{CommissionSums, CommissionsReport};
use crate::disputes::DisputesReport;
use crate::expansion::{ExpansionClass, ExpansionReport, ExpansionTotals};
use crate::kpis::{CurrencyKpis, KpiReport};
use crate::ledger::{Account, TrialBalance};
use crate::mrr::{CurrencyMrr, MrrReport};
use crate::partners::{PartnerDesk, PartnerTotals, PartnersReport};
use crate::renewals::{PipelineSums, RenewalStatus, RenewalTotals, RenewalsReport};
use crate::schedules::{ScheduleTotals, SchedulesReport};
use crate::Error;

/// What a view was converted into and at which rates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reporting {
    /// The reporting currency.
    pub currency: Currency,
    /// The as-of date of the report and of the rates.
    pub as_of: NaiveDate,
    /// The rate used for each currency of the report, by currency code.
    pub rates: Vec<FxRate>,
}

/// [`AgingReport`] in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedAging {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per currency of the report, by currency code.
    pub currencies: Vec<AgingSection>,
    /// The buckets of all currencies, in the reporting currency.
    pub total: Buckets,
}

/// One currency's buckets, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgingSection {
    /// The currency of the section.
    pub currency: Currency,
    /// The buckets as reported.
    pub original: Buckets,
    /// The buckets in the reporting currency.
    pub converted: Buckets,
}

/// A [`TrialBalance`]'s closing balances in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedLedger {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per currency of the trial balance, by currency code.
    pub currencies: Vec<LedgerSection>,
    /// Every account's balance over all currencies, by account code.
    pub consolidated: Vec<ConvertedBalance>,
    /// Sum of the consolidated debit balances.
    pub debits: String,
    /// Sum of the consolidated credit balances; equal to `debits`.
    pub credits: String,
}

/// One currency's closing balances, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LedgerSection {
    /// The currency of the section.
    pub currency: Currency,
    /// Its accounts, by account code.
    pub accounts: Vec<ConvertedBalance>,
    /// Sum of the converted debit balances.
    pub debits: String,
    /// Sum of the converted credit balances; equal to `debits`.
    pub credits: String,
}

/// An account's closing balance (debit positive).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedBalance {
    /// The account.
    pub account: Account,
    /// Its number.
    pub code: u16,
    /// The balance as reported; absent in the consolidation, which has no
    /// one original currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<String>,
    /// The balance in the reporting currency.
    pub converted: String,
}

/// [`SchedulesReport`]'s totals in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedSchedules {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per currency of the report, by currency code.
    pub currencies: Vec<SchedulesSection>,
    /// The totals of all currencies, in the reporting currency.
    pub total: ScheduleTotals,
}

/// One currency's schedule totals, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchedulesSection {
    /// The totals as reported.
    pub original: ScheduleTotals,
    /// The totals in the reporting currency.
    pub converted: ScheduleTotals,
}

/// [`MrrReport`]'s MRR and ARR in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedMrr {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per currency of the report, by currency code.
    pub currencies: Vec<MrrSection>,
    /// Per customer with MRR, by customer id then currency.
    pub customers: Vec<ConvertedCustomerMrr>,
    /// All currencies; `customers` counts customer-currency pairs.
    pub total: CurrencyMrr,
}

/// One currency's MRR, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MrrSection {
    /// The totals as reported.
    pub original: CurrencyMrr,
    /// The totals in the reporting currency.
    pub converted: CurrencyMrr,
}

/// A customer's MRR, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedCustomerMrr {
    /// The customer id.
    pub customer: String,
    /// The currency of `mrr`.
    pub currency: Currency,
    /// MRR as reported.
    pub mrr: String,
    /// MRR in the reporting currency.
    pub converted_mrr: String,
    /// `converted_mrr × 12`.
    pub converted_arr: String,
}

/// [`CommissionsReport`]'s sums in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedCommissions {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per rep, by rep id.
    pub reps: Vec<CommissionsSection>,
    /// The sums of all reps, in the reporting currency.
    pub total: CommissionSums,
}

/// One rep's commission sums, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommissionsSection {
    /// The rep id.
    pub rep: String,
    /// The currency of the rep's plans.
    pub currency: Currency,
    /// The sums as reported.
    pub original: CommissionSums,
    /// The sums in the reporting currency.
    pub converted: CommissionSums,
}

/// Minor units of the reporting currency split from one whole.
struct Split {
    parts: Vec<i64>,
}

impl Split {
    fn at(&self, i: usize) -> i128 {
        i128::from(self.parts[i])
    }
}

impl ReportingCurrency<'_> {
    fn check(&self, report: &'static str, found: NaiveDate) -> Result<(), Error> {
        if found != self.as_of() {
            return Err(Error::AsOfMismatch { report, expected: self.as_of(), found });
        }
        Ok(())
    }

    fn reporting(&self, currencies: impl IntoIterator<Item = Currency>) -> Result<Reporting, Error> {
        let mut rates = BTreeMap::new();
        for currency in currencies {
            rates.insert(currency.code(), self.rate(currency)?);
        }
        Ok(Reporting { currency: self.currency(), as_of: self.as_of(), rates: rates.into_values().collect() })
    }

    /// Splits a whole given as `(currency, decimal string)` parts.
    fn split_whole(&self, parts: &[(Currency, &str)], negate: &[bool]) -> Result<Split, Error> {
        let mut money = Vec::with_capacity(parts.len());
        for (&(currency, text), &negative) in parts.iter().zip(negate.iter().cycle()) {
            let m = Money::parse(text, currency)?;
            money.push(if negative { -m } else { m });
        }
        let whole = self.convert_whole(&money)?;
        let mut minor = Vec::with_capacity(whole.parts.len());
        for (part, &negative) in whole.parts.iter().zip(negate.iter().cycle()) {
            let m = part.to_minor()?;
            minor.push(if negative { -m } else { m });
        }
        Ok(Split { parts: minor })
    }

    fn money(&self, minor: i128) -> String {
        format(minor, self.currency())
    }

    /// The aging in the reporting currency (see the [module docs](self)).
    pub fn aging(&self, report: &AgingReport) -> Result<ConvertedAging, Error> {
        self.check("aging", report.as_of)?;
        let parts: Vec<(Currency, &str)> =
            report.currencies.iter().flat_map(|c| bucket_fields(&c.buckets).map(|b| (c.currency, b))).collect();
        let split = self.split_whole(&parts, &[false])?;
        let mut total = [0i128; 5];
        let mut currencies = Vec::with_capacity(report.currencies.len());
        for (k, c) in report.currencies.iter().enumerate() {
            let amounts: [i128; 5] = std::array::from_fn(|b| split.at(k * 5 + b));
            for (sum, a) in total.iter_mut().zip(amounts) {
                *sum += a;
            }
            currencies.push(AgingSection {
                currency: c.currency,
                original: c.buckets.clone(),
                converted: self.buckets(amounts),
            });
        }
        Ok(ConvertedAging {
            reporting: self.reporting(report.currencies.iter().map(|c| c.currency))?,
            currencies,
            total: self.buckets(total),
        })
    }

    fn buckets(&self, b: [i128; 5]) -> Buckets {
        Buckets {
            not_due: self.money(b[0]),
            days_0_30: self.money(b[1]),
            days_31_60: self.money(b[2]),
            days_61_90: self.money(b[3]),
            days_91_plus: self.money(b[4]),
            total: self.money(b.iter().sum()),
        }
    }

    /// The closing balances in the reporting currency (see the
    /// [module docs](self)).
    pub fn ledger(&self, trial_balance: &TrialBalance) -> Result<ConvertedLedger, Error> {
        self.check("trial balance", trial_balance.as_of)?;
        let mut consolidated: BTreeMap<Account, i128> = BTreeMap::new();
        let mut currencies = Vec::with_capacity(trial_balance.closing.len());
        for c in &trial_balance.closing {
            let parts: Vec<(Currency, &str)> = c.accounts.iter().map(|a| (c.currency, a.balance.as_str())).collect();
            let split = self.split_whole(&parts, &[false])?;
            let mut accounts = Vec::with_capacity(c.accounts.len());
            for (i, a) in c.accounts.iter().enumerate() {
                *consolidated.entry(a.account).or_default() += split.at(i);
                accounts.push(ConvertedBalance {
                    account: a.account,
                    code: a.code,
                    original: Some(a.balance.clone()),
                    converted: self.money(split.at(i)),
                });
            }
            let (debits, credits) = self.sides(split.parts.iter().map(|&m| i128::from(m)));
            currencies.push(LedgerSection { currency: c.currency, accounts, debits, credits });
        }
        let (debits, credits) = self.sides(consolidated.values().copied());
        Ok(ConvertedLedger {
            reporting: self.reporting(trial_balance.closing.iter().map(|c| c.currency))?,
            currencies,
            consolidated: consolidated
                .into_iter()
                .map(|(account, balance)| ConvertedBalance {
                    account,
                    code: account.code(),
                    original: None,
                    converted: self.money(balance),
                })
                .collect(),
            debits,
            credits,
        })
    }

    /// Sums of the debit and of the credit balances, which must be equal.
    fn sides(&self, balances: impl Iterator<Item = i128>) -> (String, String) {
        let (debits, credits) = balances.fold((0, 0), |(d, c), b| (d + b.max(0), c + (-b).max(0)));
        assert!(debits == credits, "converted balances must balance: {debits} ≠ {credits}");
        (self.money(debits), self.money(credits))
    }

    /// The schedule totals in the reporting currency (see the
    /// [module docs](self)).
    pub fn schedules(&self, report: &SchedulesReport) -> Result<ConvertedSchedules, Error> {
        self.check("schedules", report.as_of)?;
        let totals = &report.totals;
        let pairs = |a: fn(&ScheduleTotals) -> &str, b: fn(&ScheduleTotals) -> &str| -> Vec<(Currency, &str)> {
            totals.iter().flat_map(|t| [(t.currency, a(t)), (t.currency, b(t))]).collect()
        };
        let earned = self.split_whole(&pairs(|t| &t.recognized, |t| &t.remaining), &[false])?;
        let position = self.split_whole(&pairs(|t| &t.deferred, |t| &t.unbilled), &[false, true])?;
        let credits: Vec<(Currency, &str)> = totals.iter().map(|t| (t.currency, t.credited.as_str())).collect();
        let credited = self.split_whole(&credits, &[false])?;
        let mut sum = [0i128; 5];
        let mut currencies = Vec::with_capacity(totals.len());
        for (k, t) in totals.iter().enumerate() {
            let figures =
                [earned.at(2 * k), earned.at(2 * k + 1), position.at(2 * k), position.at(2 * k + 1), credited.at(k)];
            for (s, f) in sum.iter_mut().zip(figures) {
                *s += f;
            }
            currencies.push(SchedulesSection { original: t.clone(), converted: self.schedule_totals(figures) });
        }
        Ok(ConvertedSchedules {
            reporting: self.reporting(totals.iter().map(|t| t.currency))?,
            currencies,
            total: self.schedule_totals(sum),
        })
    }

    /// Totals from recognized, remaining, deferred, unbilled and credited.
    fn schedule_totals(&self, [recognized, remaining, deferred, unbilled, credited]: [i128; 5]) -> ScheduleTotals {
        ScheduleTotals {
            currency: self.currency(),
            total: self.money(recognized + remaining),
            recognized: self.money(recognized),
            remaining: self.money(remaining),
            billed: self.money(recognized + deferred - unbilled),
            credited: self.money(credited),
            deferred: self.money(deferred),
            unbilled: self.money(unbilled),
        }
    }

    /// MRR and ARR in the reporting currency (see the [module docs](self)).
    pub fn mrr(&self, report: &MrrReport) -> Result<ConvertedMrr, Error> {
        self.check("mrr", report.as_of)?;
        let parts: Vec<(Currency, &str)> = report.customers.iter().map(|c| (c.currency, c.mrr.as_str())).collect();
        let split = self.split_whole(&parts, &[false])?;
        let mut by_currency: BTreeMap<&str, i128> = BTreeMap::new();
        let mut customers = Vec::with_capacity(report.customers.len());
        for (i, c) in report.customers.iter().enumerate() {
            *by_currency.entry(c.currency.code()).or_default() += split.at(i);
            customers.push(ConvertedCustomerMrr {
                customer: c.customer.clone(),
                currency: c.currency,
                mrr: c.mrr.clone(),
                converted_mrr: self.money(split.at(i)),
                converted_arr: self.money(split.at(i) * 12),
            });
        }
        let currencies: Vec<MrrSection> = report
            .totals
            .iter()
            .map(|t| MrrSection {
                original: t.clone(),
                converted: self.currency_mrr(by_currency.get(t.currency.code()).copied().unwrap_or(0), t.customers),
            })
            .collect();
        let count = report.totals.iter().map(|t| t.customers).sum();
        Ok(ConvertedMrr {
            reporting: self.reporting(report.totals.iter().map(|t| t.currency))?,
            currencies,
            customers,
            total: self.currency_mrr(split.parts.iter().map(|&m| i128::from(m)).sum(), count),
        })
    }

    fn currency_mrr(&self, mrr: i128, customers: u64) -> CurrencyMrr {
        CurrencyMrr { currency: self.currency(), mrr: self.money(mrr), arr: self.money(mrr * 12), customers }
    }

    /// Commission sums in the reporting currency (see the
    /// [module docs](self)).
    pub fn commissions(&self, report: &CommissionsReport) -> Result<ConvertedCommissions, Error> {
        self.check("commissions", report.as_of)?;
        let reps = &report.reps;
        let parts: Vec<(Currency, &str)> = reps
            .iter()
            .flat_map(|r| {
                let t = &r.totals;
                [&t.commission, &t.adjustments, &t.disputes_granted, &t.paid, &t.clawed_back]
                    .map(|f| (r.currency, f.as_str()))
            })
            .collect();
        let payable = self.split_whole(&parts, &[false, false, false, true, true])?;
        let credits: Vec<(Currency, &str)> = reps.iter().map(|r| (r.currency, r.totals.credited.as_str())).collect();
        let credited = self.split_whole(&credits, &[false])?;
        let mut sum = [0i128; 6];
        let mut sections = Vec::with_capacity(reps.len());
        for (k, r) in reps.iter().enumerate() {
            let mut figures = [credited.at(k), 0, 0, 0, 0, 0];
            for (f, i) in figures[1..].iter_mut().zip(5 * k..) {
                *f = payable.at(i);
            }
            for (s, f) in sum.iter_mut().zip(figures) {
                *s += f;
            }
            sections.push(CommissionsSection {
                rep: r.rep.clone(),
                currency: r.currency,
                original: r.totals.clone(),
                converted: self.commission_sums(figures),
            });
        }
        Ok(ConvertedCommissions {
            reporting: self.reporting(reps.iter().map(|r| r.currency))?,
            reps: sections,
            total: self.commission_sums(sum),
        })
    }

    /// Sums from credited, commission, adjustments, disputes granted, paid
    /// and clawed back.
    fn commission_sums(
        &self,
        [credited, commission, adjustments, granted, paid, clawed_back]: [i128; 6],
    ) -> CommissionSums {
        let earned = commission + adjustments + granted;
        CommissionSums {
            credited: self.money(credited),
            commission: self.money(commission),
            adjustments: self.money(adjustments),
            disputes_granted: self.money(granted),
            earned: self.money(earned),
            paid: self.money(paid),
            clawed_back: self.money(clawed_back),
            payable: self.money(earned - paid - clawed_back),
        }
    }
}

/// The five buckets of `b` (not its total), in order.
fn bucket_fields(b: &Buckets) -> [&str; 5] {
    [&b.not_due, &b.days_0_30, &b.days_31_60, &b.days_61_90, &b.days_91_plus].map(String::as_str)
}

/// Open amounts of [`CollectionsReport`] in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedCollections {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per currency of the ladder, by currency code.
    pub currencies: Vec<CollectionsSection>,
    /// Every invoice on the ladder, in the report's order.
    pub invoices: Vec<ConvertedOpen>,
    /// Every hold to place, by customer, with its invoice's open amount.
    pub holds_to_place: Vec<ConvertedOpen>,
    /// All currencies, in the reporting currency.
    pub total: CollectionsAmounts,
}

/// One currency's ladder, as reported (summed) and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CollectionsSection {
    /// The currency of the section.
    pub currency: Currency,
    /// Its sums in that currency.
    pub original: CollectionsAmounts,
    /// Its sums in the reporting currency.
    pub converted: CollectionsAmounts,
}

/// The sums of a ladder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CollectionsAmounts {
    /// Open invoices on the ladder.
    pub invoices: u64,
    /// Their open amounts.
    pub open: String,
    /// Holds to place.
    pub holds_to_place: u64,
    /// The open amounts of the invoices that call for them.
    pub holds_to_place_open: String,
}

/// An open invoice's amount, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedOpen {
    /// The invoice id.
    pub invoice: String,
    /// The bill-to customer.
    pub customer: String,
    /// The invoice currency.
    pub currency: Currency,
    /// Open amount as reported.
    pub open: String,
    /// Open amount in the reporting currency.
    pub converted_open: String,
}

/// Open amounts of [`DisputesReport`] in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedDisputes {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per currency with open disputes, by currency code.
    pub currencies: Vec<DisputesSection>,
    /// Every open dispute, in the report's order.
    pub open: Vec<ConvertedDispute>,
    /// The amount under open disputes, all currencies.
    pub total_open: String,
}

/// One currency's amount under open disputes, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DisputesSection {
    /// The currency of the section.
    pub currency: Currency,
    /// Open disputes in it.
    pub disputes: u64,
    /// The amount as reported (`open_amounts`).
    pub open: String,
    /// The amount in the reporting currency.
    pub converted_open: String,
}

/// An open dispute's amount, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedDispute {
    /// The dispute id.
    pub dispute: String,
    /// The disputed invoice.
    pub invoice: String,
    /// Its customer.
    pub customer: String,
    /// The currency of `amount`.
    pub currency: Currency,
    /// The amount disputed, as reported.
    pub amount: String,
    /// The amount in the reporting currency.
    pub converted_amount: String,
}

/// [`RenewalsReport`]'s ARR and forecast in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedRenewals {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per currency of the pipeline, by currency code.
    pub currencies: Vec<RenewalsSection>,
    /// Every renewal, in the report's order.
    pub renewals: Vec<ConvertedRenewal>,
    /// The pipeline of all currencies, in the reporting currency.
    pub total: RenewalTotals,
}

/// One currency's pipeline sums, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RenewalsSection {
    /// The sums as reported.
    pub original: RenewalTotals,
    /// The sums in the reporting currency.
    pub converted: RenewalTotals,
}

/// A renewal's ARR and forecast, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedRenewal {
    /// The contract id.
    pub contract: String,
    /// The customer id.
    pub customer: String,
    /// The contract's currency.
    pub currency: Currency,
    /// The status.
    pub status: RenewalStatus,
    /// Ending within 60 days and not green.
    pub at_risk: bool,
    /// ARR as reported.
    pub arr: String,
    /// ARR in the reporting currency.
    pub converted_arr: String,
    /// The weighted forecast as reported.
    pub forecast_arr: String,
    /// The weighted forecast in the reporting currency.
    pub converted_forecast_arr: String,
}

/// [`ExpansionReport`]'s ARR effects in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedExpansion {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per currency with changes, by currency code.
    pub currencies: Vec<ExpansionSection>,
    /// Every change, in the report's order.
    pub changes: Vec<ConvertedChange>,
    /// The effects of all currencies by class, in the reporting currency.
    pub total: ExpansionTotals,
}

/// One currency's ARR effects by class, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExpansionSection {
    /// The effects as reported.
    pub original: ExpansionTotals,
    /// The effects in the reporting currency.
    pub converted: ExpansionTotals,
}

/// A change's ARR effect, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedChange {
    /// The contract id.
    pub contract: String,
    /// The line changed.
    pub line: String,
    /// The contract's currency.
    pub currency: Currency,
    /// The modification's effective date.
    pub effective_on: NaiveDate,
    /// The class.
    pub class: ExpansionClass,
    /// The ARR effect as reported.
    pub arr_effect: String,
    /// The ARR effect in the reporting currency.
    pub converted_arr_effect: String,
}

/// [`PartnersReport`]'s ARR, SPIF and MDF amounts in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedPartners {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per partner and currency, in the report's order.
    pub partners: Vec<PartnerSection>,
    /// Per currency of the desk, by currency code.
    pub currencies: Vec<PartnerTotalsSection>,
    /// The desk of all currencies, in the reporting currency; its
    /// utilization is worked out from the converted MDF.
    pub total: PartnerTotals,
}

/// One partner's desk in one currency, as reported and converted (the
/// utilization is the reported one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartnerSection {
    /// The desk as reported.
    pub original: PartnerDesk,
    /// The desk in the reporting currency.
    pub converted: PartnerDesk,
}

/// One currency's desk sums, as reported and converted (the utilization is
/// the reported one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartnerTotalsSection {
    /// The sums as reported.
    pub original: PartnerTotals,
    /// The sums in the reporting currency.
    pub converted: PartnerTotals,
}

/// [`KpiReport`]'s amounts in a reporting currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConvertedKpis {
    /// Currency, date and rates.
    pub reporting: Reporting,
    /// Per currency of the report, by currency code.
    pub currencies: Vec<KpiSection>,
    /// All currencies, in the reporting currency; no lifetime value, whose
    /// churn rate is a currency's own.
    pub total: KpiAmounts,
}

/// One currency's KPI amounts, as reported and converted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KpiSection {
    /// The currency of the section.
    pub currency: Currency,
    /// The amounts as reported.
    pub original: KpiAmounts,
    /// The amounts in the reporting currency.
    pub converted: KpiAmounts,
}

/// The money figures of the KPIs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KpiAmounts {
    /// Invoiced in the period.
    pub invoiced: String,
    /// Credited in the period.
    pub credited: String,
    /// Disputed in the period.
    pub disputed: String,
    /// MRR on the as-of date.
    pub mrr: String,
    /// Customers with MRR.
    pub customers: u64,
    /// MRR per customer; absent without customers.
    pub arpa: Option<String>,
    /// Lifetime value; absent when unbounded or without customers.
    pub lifetime_value: Option<String>,
    /// ARR of the contracts ending within 90 days.
    pub renewal_arr: String,
    /// Their ARR weighted by renewal status.
    pub renewal_forecast_arr: String,
}

impl Split {
    /// The parts' count and sum per key, the keys given part by part.
    fn sums<K: Ord>(&self, keys: impl IntoIterator<Item = K>) -> BTreeMap<K, (u64, i128)> {
        let mut sums: BTreeMap<K, (u64, i128)> = BTreeMap::new();
        for (key, &part) in keys.into_iter().zip(&self.parts) {
            let sum = sums.entry(key).or_default();
            *sum = (sum.0 + 1, sum.1 + i128::from(part));
        }
        sums
    }

    fn total(&self) -> i128 {
        self.parts.iter().map(|&m| i128::from(m)).sum()
    }
}

/// `text` in minor units of `currency`.
fn minor_of(currency: Currency, text: &str) -> Result<i128, Error> {
    Ok(Money::parse(text, currency)?.to_minor()?.into())
}

/// A ladder's counts and sums: invoices, open, holds to place, their open.
#[derive(Clone, Copy, Default)]
struct LadderSums([i128; 4]);

impl LadderSums {
    fn add(&mut self, other: [i128; 4]) {
        for (s, o) in self.0.iter_mut().zip(other) {
            *s += o;
        }
    }
}

/// The partner desk's amounts: sourced, influenced and co-sell ARR, SPIF
/// earned and payable, MDF allocated and spent.
type DeskAmounts = [i128; 7];

fn add_into<const N: usize>(sum: &mut [i128; N], amounts: [i128; N]) {
    for (s, a) in sum.iter_mut().zip(amounts) {
        *s += a;
    }
}

impl ReportingCurrency<'_> {
    /// Splits one whole made of one amount per row.
    fn split_rows<'r, T>(&self, rows: &'r [T], part: impl Fn(&'r T) -> (Currency, &'r str)) -> Result<Split, Error> {
        let parts: Vec<(Currency, &str)> = rows.iter().map(part).collect();
        self.split_whole(&parts, &[false])
    }

    /// One amount converted on its own, absent stays absent.
    fn convert_text(&self, currency: Currency, text: Option<&str>) -> Result<Option<String>, Error> {
        text.map(|t| Ok(self.money(self.convert(Money::parse(t, currency)?)?.to_minor()?.into()))).transpose()
    }

    /// The collections ladder's open amounts in the reporting currency (see
    /// the [module docs](self)).
    pub fn collections(&self, report: &CollectionsReport) -> Result<ConvertedCollections, Error> {
        self.check("collections", report.as_of)?;
        let open = self.split_rows(&report.invoices, |i| (i.currency, i.open.as_str()))?;
        let mut sums: BTreeMap<Currency, [LadderSums; 2]> = BTreeMap::new();
        let mut invoices = Vec::with_capacity(report.invoices.len());
        for (k, i) in report.invoices.iter().enumerate() {
            let [original, converted] = sums.entry(i.currency).or_default();
            original.add([1, minor_of(i.currency, &i.open)?, 0, 0]);
            converted.add([1, open.at(k), 0, 0]);
            invoices.push(self.converted_open(&i.invoice, &i.customer, i.currency, &i.open, open.at(k)));
        }
        let ladder: BTreeMap<&str, usize> =
            report.invoices.iter().enumerate().map(|(k, i)| (i.invoice.as_str(), k)).collect();
        let mut holds = Vec::with_capacity(report.holds_to_place.len());
        for h in &report.holds_to_place {
            // The invoice calling for the hold is on the ladder (the report
            // takes holds from it): its share of the ladder's whole keeps the
            // holds within the open amount.
            let converted = open.at(ladder[h.invoice.as_str()]);
            let [original, in_reporting] = sums.entry(h.currency).or_default();
            original.add([0, 0, 1, minor_of(h.currency, &h.open)?]);
            in_reporting.add([0, 0, 1, converted]);
            holds.push(self.converted_open(&h.invoice, &h.customer, h.currency, &h.open, converted));
        }
        let mut total = LadderSums::default();
        let currencies = sums
            .into_iter()
            .map(|(currency, [original, converted])| {
                total.add(converted.0);
                CollectionsSection {
                    currency,
                    original: ladder_amounts(original, currency),
                    converted: ladder_amounts(converted, self.currency()),
                }
            })
            .collect::<Vec<_>>();
        Ok(ConvertedCollections {
            reporting: self.reporting(currencies.iter().map(|c| c.currency))?,
            currencies,
            invoices,
            holds_to_place: holds,
            total: ladder_amounts(total, self.currency()),
        })
    }

    fn converted_open(
        &self,
        invoice: &str,
        customer: &str,
        currency: Currency,
        open: &str,
        converted: i128,
    ) -> ConvertedOpen {
        ConvertedOpen {
            invoice: invoice.to_owned(),
            customer: customer.to_owned(),
            currency,
            open: open.to_owned(),
            converted_open: self.money(converted),
        }
    }

    /// The amounts under open disputes in the reporting currency (see the
    /// [module docs](self)).
    pub fn disputes(&self, report: &DisputesReport) -> Result<ConvertedDisputes, Error> {
        self.check("disputes", report.as_of)?;
        let split = self.split_rows(&report.open, |d| (d.facts.currency, d.facts.amount.as_str()))?;
        let sums = split.sums(report.open.iter().map(|d| d.facts.currency));
        let open = report
            .open
            .iter()
            .zip(&split.parts)
            .map(|(d, &part)| ConvertedDispute {
                dispute: d.facts.dispute.clone(),
                invoice: d.facts.invoice.clone(),
                customer: d.facts.customer.clone(),
                currency: d.facts.currency,
                amount: d.facts.amount.clone(),
                converted_amount: self.money(part.into()),
            })
            .collect();
        let currencies = report
            .open_amounts
            .iter()
            .map(|a| {
                let (disputes, converted) = sums.get(&a.currency).copied().unwrap_or_default();
                DisputesSection {
                    currency: a.currency,
                    disputes,
                    open: a.amount.clone(),
                    converted_open: self.money(converted),
                }
            })
            .collect();
        Ok(ConvertedDisputes {
            reporting: self.reporting(report.open_amounts.iter().map(|a| a.currency))?,
            currencies,
            open,
            total_open: self.money(split.total()),
        })
    }

    /// The renewal pipeline's ARR and forecast in the reporting currency
    /// (see the [module docs](self)).
    pub fn renewals(&self, report: &RenewalsReport) -> Result<ConvertedRenewals, Error> {
        self.check("renewals", report.as_of)?;
        let arr = self.split_rows(&report.renewals, |r| (r.currency, r.arr.as_str()))?;
        let forecast = self.split_rows(&report.renewals, |r| (r.currency, r.forecast_arr.as_str()))?;
        let mut sums: BTreeMap<Currency, PipelineSums> = BTreeMap::new();
        let mut total = PipelineSums::default();
        let mut renewals = Vec::with_capacity(report.renewals.len());
        for (k, r) in report.renewals.iter().enumerate() {
            sums.entry(r.currency).or_default().add(r.status, r.at_risk, arr.at(k), forecast.at(k));
            total.add(r.status, r.at_risk, arr.at(k), forecast.at(k));
            renewals.push(ConvertedRenewal {
                contract: r.contract.clone(),
                customer: r.customer.clone(),
                currency: r.currency,
                status: r.status,
                at_risk: r.at_risk,
                arr: r.arr.clone(),
                converted_arr: self.money(arr.at(k)),
                forecast_arr: r.forecast_arr.clone(),
                converted_forecast_arr: self.money(forecast.at(k)),
            });
        }
        let currencies = report
            .totals
            .iter()
            .map(|t| RenewalsSection {
                original: t.clone(),
                converted: self.renewal_totals(&sums.get(&t.currency).copied().unwrap_or_default()),
            })
            .collect();
        Ok(ConvertedRenewals {
            reporting: self.reporting(report.totals.iter().map(|t| t.currency))?,
            currencies,
            renewals,
            total: self.renewal_totals(&total),
        })
    }

    fn renewal_totals(&self, s: &PipelineSums) -> RenewalTotals {
        s.totals(self.currency())
    }

    /// The ARR effects of the classified changes in the reporting currency
    /// (see the [module docs](self)).
    pub fn expansion(&self, report: &ExpansionReport) -> Result<ConvertedExpansion, Error> {
        self.check("expansion", report.as_of)?;
        let split = self.split_rows(&report.changes, |c| (c.currency, c.arr_effect.as_str()))?;
        let mut sums: BTreeMap<Currency, (u64, [i128; 6])> = BTreeMap::new();
        let mut total = (0, [0i128; 6]);
        let mut changes = Vec::with_capacity(report.changes.len());
        for (k, c) in report.changes.iter().enumerate() {
            for (count, by_class) in [sums.entry(c.currency).or_default(), &mut total] {
                *count += 1;
                by_class[c.class as usize] += split.at(k);
            }
            changes.push(ConvertedChange {
                contract: c.contract.clone(),
                line: c.line.clone(),
                currency: c.currency,
                effective_on: c.effective_on,
                class: c.class,
                arr_effect: c.arr_effect.clone(),
                converted_arr_effect: self.money(split.at(k)),
            });
        }
        let currencies = report
            .totals
            .iter()
            .map(|t| ExpansionSection {
                original: t.clone(),
                converted: self.expansion_totals(sums.get(&t.currency).copied().unwrap_or_default()),
            })
            .collect();
        Ok(ConvertedExpansion {
            reporting: self.reporting(report.totals.iter().map(|t| t.currency))?,
            currencies,
            changes,
            total: self.expansion_totals(total),
        })
    }

    /// Totals from the count and the effects in [`ExpansionClass`] order.
    fn expansion_totals(&self, (changes, by_class): (u64, [i128; 6])) -> ExpansionTotals {
        let [seat, module, usage, uplift, contraction, term] = by_class;
        let expansion = seat + module + usage + uplift;
        ExpansionTotals {
            currency: self.currency(),
            changes,
            seat_expansion: self.money(seat),
            module_upsell: self.money(module),
            usage_overage: self.money(usage),
            contract_uplift: self.money(uplift),
            contraction: self.money(contraction),
            term_change: self.money(term),
            expansion: self.money(expansion),
            net: self.money(expansion + contraction + term),
        }
    }

    /// The partner desk's amounts in the reporting currency (see the
    /// [module docs](self)).
    pub fn partners(&self, report: &PartnersReport) -> Result<ConvertedPartners, Error> {
        self.check("partners", report.as_of)?;
        let desks = &report.partners;
        let fields: [fn(&PartnerDesk) -> &str; 5] =
            [|d| &d.sourced_arr, |d| &d.influenced_arr, |d| &d.co_sell_arr, |d| &d.spif_earned, |d| &d.spif_payable];
        let mut splits = Vec::with_capacity(fields.len());
        for field in fields {
            splits.push(self.split_rows(desks, |d| (d.currency, field(d)))?);
        }
        let mdf: Vec<(Currency, &str)> = desks
            .iter()
            .flat_map(|d| [(d.currency, d.mdf_allocated.as_str()), (d.currency, d.mdf_spent.as_str())])
            .collect();
        let mdf = self.split_whole(&mdf, &[false, true])?;
        let total_arr = self.split_rows(&report.totals, |t| (t.currency, t.total_arr.as_str()))?;

        let mut sums: BTreeMap<Currency, DeskAmounts> = BTreeMap::new();
        let mut total = DeskAmounts::default();
        let mut partners = Vec::with_capacity(desks.len());
        for (k, d) in desks.iter().enumerate() {
            let mut amounts = [0, 0, 0, 0, 0, mdf.at(2 * k), mdf.at(2 * k + 1)];
            for (a, split) in amounts.iter_mut().zip(&splits) {
                *a = split.at(k);
            }
            add_into(sums.entry(d.currency).or_default(), amounts);
            add_into(&mut total, amounts);
            partners.push(PartnerSection { original: d.clone(), converted: self.partner_desk(d, amounts) });
        }
        let currencies = report
            .totals
            .iter()
            .enumerate()
            .map(|(k, t)| PartnerTotalsSection {
                original: t.clone(),
                converted: self.partner_totals(
                    total_arr.at(k),
                    sums.get(&t.currency).copied().unwrap_or_default(),
                    t.mdf_utilization_pct.clone(),
                ),
            })
            .collect();
        Ok(ConvertedPartners {
            reporting: self
                .reporting(desks.iter().map(|d| d.currency).chain(report.totals.iter().map(|t| t.currency)))?,
            partners,
            currencies,
            total: self.partner_totals(total_arr.total(), total, ratio(total[6], total[5], 100)),
        })
    }

    fn partner_desk(&self, d: &PartnerDesk, a: DeskAmounts) -> PartnerDesk {
        PartnerDesk {
            partner: d.partner.clone(),
            currency: self.currency(),
            sourced_contracts: d.sourced_contracts,
            sourced_arr: self.money(a[0]),
            influenced_contracts: d.influenced_contracts,
            influenced_arr: self.money(a[1]),
            co_sell_contracts: d.co_sell_contracts,
            co_sell_arr: self.money(a[2]),
            spif_earned: self.money(a[3]),
            spif_payable: self.money(a[4]),
            mdf_allocated: self.money(a[5]),
            mdf_spent: self.money(a[6]),
            mdf_balance: self.money(a[5] - a[6]),
            mdf_utilization_pct: d.mdf_utilization_pct.clone(),
        }
    }

    fn partner_totals(&self, total_arr: i128, a: DeskAmounts, utilization: Option<String>) -> PartnerTotals {
        PartnerTotals {
            currency: self.currency(),
            total_arr: self.money(total_arr),
            sourced_arr: self.money(a[0]),
            influenced_arr: self.money(a[1]),
            co_sell_arr: self.money(a[2]),
            spif_earned: self.money(a[3]),
            spif_payable: self.money(a[4]),
            mdf_allocated: self.money(a[5]),
            mdf_spent: self.money(a[6]),
            mdf_utilization_pct: utilization,
        }
    }

    /// The KPIs' amounts in the reporting currency (see the
    /// [module docs](self)).
    pub fn kpis(&self, report: &KpiReport) -> Result<ConvertedKpis, Error> {
        self.check("kpi", report.as_of)?;
        let rows = &report.currencies;
        let fields: [fn(&CurrencyKpis) -> &str; 6] = [
            |k| &k.invoiced,
            |k| &k.credited,
            |k| &k.disputed,
            |k| &k.mrr,
            |k| &k.renewal_arr,
            |k| &k.renewal_forecast_arr,
        ];
        let mut splits = Vec::with_capacity(fields.len());
        for field in fields {
            splits.push(self.split_rows(rows, |k| (k.currency, field(k)))?);
        }
        let mut currencies = Vec::with_capacity(rows.len());
        for (i, k) in rows.iter().enumerate() {
            let [invoiced, credited, disputed, mrr, renewal_arr, renewal_forecast_arr] =
                std::array::from_fn(|f| self.money(splits[f].at(i)));
            currencies.push(KpiSection {
                currency: k.currency,
                original: KpiAmounts {
                    invoiced: k.invoiced.clone(),
                    credited: k.credited.clone(),
                    disputed: k.disputed.clone(),
                    mrr: k.mrr.clone(),
                    customers: k.customers,
                    arpa: k.arpa.clone(),
                    lifetime_value: k.lifetime_value.clone(),
                    renewal_arr: k.renewal_arr.clone(),
                    renewal_forecast_arr: k.renewal_forecast_arr.clone(),
                },
                converted: KpiAmounts {
                    invoiced,
                    credited,
                    disputed,
                    mrr,
                    customers: k.customers,
                    arpa: self.convert_text(k.currency, k.arpa.as_deref())?,
                    lifetime_value: self.convert_text(k.currency, k.lifetime_value.as_deref())?,
                    renewal_arr,
                    renewal_forecast_arr,
                },
            });
        }
        let [invoiced, credited, disputed, mrr, renewal_arr, renewal_forecast_arr] =
            std::array::from_fn(|f| splits[f].total());
        let customers: u64 = rows.iter().map(|k| k.customers).sum();
        Ok(ConvertedKpis {
            reporting: self.reporting(rows.iter().map(|k| k.currency))?,
            currencies,
            total: KpiAmounts {
                invoiced: self.money(invoiced),
                credited: self.money(credited),
                disputed: self.money(disputed),
                mrr: self.money(mrr),
                customers,
                arpa: div_round(mrr, customers.into(), ROUNDING).map(|a| self.money(a)),
                lifetime_value: None,
                renewal_arr: self.money(renewal_arr),
                renewal_forecast_arr: self.money(renewal_forecast_arr),
            },
        })
    }
}

/// A ladder's sums in `currency`.
fn ladder_amounts(s: LadderSums, currency: Currency) -> CollectionsAmounts {
    let [invoices, open, holds, holds_open] = s.0;
    CollectionsAmounts {
        invoices: invoices as u64,
        open: format(open, currency),
        holds_to_place: holds as u64,
        holds_to_place_open: format(holds_open, currency),
    }
}
