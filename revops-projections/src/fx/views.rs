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

use std::collections::BTreeMap;

use chrono::NaiveDate;
use revops_core::{Currency, Money};
use serde::Serialize;

use super::{FxRate, ReportingCurrency};
use crate::aging::{AgingReport, Buckets};
use crate::amounts::format;
use crate::commissions::{CommissionSums, CommissionsReport};
use crate::ledger::{Account, TrialBalance};
use crate::mrr::{CurrencyMrr, MrrReport};
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
