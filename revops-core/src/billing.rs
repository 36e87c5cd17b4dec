//! Billing schedules: invoice dates, periods and amounts from billing frequency.
//!
//! [`billing_schedule`] turns a contract's terms and what was performed into
//! the invoices the contract produces, one [`Installment`] per invoice:
//!
//! | line (recognition) | billed |
//! |---|---|
//! | ratable, point in time | in advance, per billing period of the contract's frequency (monthly, quarterly, annually), the line's price spread over its periods |
//! | milestone | on acceptance of each milestone, the line's price split over its milestones |
//! | time and materials | monthly in arrears: a calendar month's approved time on the first day of the next month |
//! | usage | monthly in arrears: a calendar month's usage on the first day of the next month |
//!
//! Invoices bill **contractual** prices. SSP allocation is a recognition
//! matter: it moves revenue between lines, not what the customer is invoiced
//! for each line, so a bundle's lines are billed at the prices the contract
//! states.
//!
//! # Billing periods
//!
//! Periods are anchored on the contract's start (its anniversary), not on
//! calendar months: period k runs from `start + k × n months` to the day
//! before period k + 1 starts, with n = 1, 3 or 12. Each start is computed
//! from the contract start, never from the previous period, so month-end
//! clamping does not accumulate: a contract from Jan 31 gives periods starting
//! Jan 31, Feb 28, Mar 31, Apr 30 ([`add_months`] clamps to the end of the
//! target month). Every line is billed on the contract's cycle, so a bundle
//! gets one invoice per period.
//!
//! A line whose service starts or ends mid-period (a line added later, a
//! contract that ends before an anniversary) is prorated by days. A full
//! period weighs a common unit U whatever its length (a 28-day February bills
//! the same as a 31-day March, as a monthly invoice does); a cut period weighs
//! `days covered × U / days of the full period`, days counted half-open. U is
//! the least common multiple of the full lengths of the cut periods, so every
//! weight is an exact integer and
//! [`spread_minor`] splits the price with no fraction anywhere.
//!
//! ```
//! use revops_core::billing::{billing_schedule, BillingSettings};
//! use revops_core::performance::Performance;
//! use revops_core::terms::*;
//! use revops_core::{Currency, Decimal};
//!
//! let contract = Contract {
//!     contract: "C-1".into(),
//!     customer: "ACME".into(),
//!     currency: Currency::USD,
//!     start_date: "2026-01-15".parse()?,
//!     end_date: "2026-06-30".parse()?,
//!     billing_frequency: BillingFrequency::Quarterly,
//!     payment_terms: PaymentTerms::Net30,
//!     lines: vec![ContractLine {
//!         line: "L1".into(),
//!         product: "Platform".into(),
//!         kind: LineKind::Subscription,
//!         quantity: Decimal::ONE,
//!         unit_price: None,
//!         price: Decimal::from(1_680),
//!         ssp: None,
//!         recognition: Recognition::Ratable { basis: RatableBasis::Monthly },
//!         start_date: None,
//!         end_date: None,
//!         milestones: vec![],
//!         not_to_exceed_hours: None,
//!     }],
//! };
//! let billing = billing_schedule(&contract, &Performance::default(), BillingSettings::default())?;
//! // Jan 15 - Apr 14 is a full quarter; Apr 15 - Jun 30 covers 77 of the 91
//! // days of Apr 15 - Jul 14: 1,680 x 91/168 and 1,680 x 77/168.
//! let invoices: Vec<String> = billing
//!     .installments
//!     .iter()
//!     .map(|i| format!("{} {}..{} {}", i.invoice_date, i.period_start, i.period_end, i.total().unwrap()))
//!     .collect();
//! assert_eq!(
//!     invoices,
//!     ["2026-01-15 2026-01-15..2026-04-14 910.00 USD", "2026-04-15 2026-04-15..2026-06-30 770.00 USD"]
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use crate::calendar::{add_months, DateRange, YearMonth};
use crate::performance::{by_month, Performance};
use crate::rounding::{allocate, spread_minor, RoundingMode, SpreadRule, MAX_PARTS, MAX_TOTAL_UNITS};
use crate::terms::{BillingFrequency, Contract, ContractLine, Recognition};
use crate::{Currency, Error, Money, MAX_MINOR_UNITS};

/// The rounding choices of billing, always named.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BillingSettings {
    /// How a fixed line's price is spread over its billing periods.
    pub spread: SpreadRule,
    /// How hours × rate and quantity × unit price are rounded. Use the same
    /// mode as recognition so that billed and recognized variable
    /// consideration agree to the minor unit.
    pub extension: RoundingMode,
}

/// One contract line's charge on an invoice.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct InstallmentLine {
    /// The contract line id.
    pub line: String,
    /// What the line is billed on this invoice, in the contract currency.
    pub amount: Money,
}

/// One invoice of a billing schedule: what is billed when, for which period.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Installment {
    /// The day the invoice is issued: the period start for billing in
    /// advance, the acceptance date of a milestone, the first day of the
    /// following month for time and usage billed in arrears.
    pub invoice_date: NaiveDate,
    /// When the invoice falls due under the contract's payment terms.
    pub due_date: NaiveDate,
    /// First day the invoice covers.
    pub period_start: NaiveDate,
    /// Last day the invoice covers, inclusive.
    pub period_end: NaiveDate,
    /// The invoice currency: the contract's. Kept on the invoice so that an
    /// installment is self-describing (and its total defined with no lines).
    pub currency: Currency,
    /// One line per contract line billed, in contract line order.
    pub lines: Vec<InstallmentLine>,
}

impl Installment {
    /// The invoice total: the sum of its lines.
    ///
    /// Fails with [`Error::CurrencyMismatch`] only for an installment edited
    /// or deserialized with a line in another currency.
    pub fn total(&self) -> Result<Money, Error> {
        Money::sum(self.currency, self.lines.iter().map(|l| l.amount))
    }

    /// What the invoice bills contract line `line` (zero when the line is not
    /// on it).
    pub fn line_amount(&self, line: &str) -> Result<Money, Error> {
        Money::sum(self.currency, self.lines.iter().filter(|l| l.line == line).map(|l| l.amount))
    }
}

/// The invoices of one contract, in `(invoice_date, period_start,
/// period_end)` order.
///
/// The fields are public so that the schedule reads and writes as plain JSON;
/// the totals therefore check currencies rather than assume them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BillingSchedule {
    /// The contract currency.
    pub currency: Currency,
    /// The invoices, one per billing period and invoice date.
    pub installments: Vec<Installment>,
}

impl BillingSchedule {
    fn sum_where(&self, keep: impl Fn(&Installment) -> bool, line: Option<&str>) -> Result<Money, Error> {
        let mut total = Money::zero(self.currency);
        for installment in self.installments.iter().filter(|i| keep(i)) {
            let part = match line {
                Some(id) => installment.line_amount(id)?,
                None => installment.total()?,
            };
            total = total.checked_add(part)?;
        }
        Ok(total)
    }

    /// Everything the schedule bills.
    pub fn total(&self) -> Result<Money, Error> {
        self.sum_where(|_| true, None)
    }

    /// What is billed by `date`: every installment invoiced on or before it.
    pub fn billed_as_of(&self, date: NaiveDate) -> Result<Money, Error> {
        self.sum_where(|i| i.invoice_date <= date, None)
    }

    /// Everything the schedule bills contract line `line` (zero for a line
    /// it never bills).
    pub fn line_total(&self, line: &str) -> Result<Money, Error> {
        self.sum_where(|_| true, Some(line))
    }

    /// What is billed for contract line `line` by `date`.
    pub fn line_billed_as_of(&self, line: &str, date: NaiveDate) -> Result<Money, Error> {
        self.sum_where(|i| i.invoice_date <= date, Some(line))
    }
}

/// The billing schedule of `contract` given what was `performance`d.
///
/// - Ratable and point-in-time lines are billed in advance per billing period
///   of the contract's [`BillingFrequency`] (see the module docs for periods
///   and proration). When the contract is billed by milestone, time or usage
///   there are no periods to bill them by: such a line is billed in full on
///   its service start date, its period the whole service period.
/// - Milestone lines are billed on the earliest acceptance of each milestone,
///   whatever the frequency: the line's price split over its milestones by
///   their amounts with [`allocate`], so the parts sum to the price even
///   when the milestone amounts do not. Milestones not yet accepted are not
///   billed.
/// - Time-and-materials and usage lines are billed monthly in arrears: a
///   calendar month's approved time (capped at the line's not-to-exceed
///   hours, priced by [`Performance::priced_time`]) or usage
///   ([`Performance::priced_usage`]) on the first day of the next month, the
///   period that month. A month that prices to zero (say, only hours beyond
///   the cap) has nothing to invoice and is left out.
///
/// Charges of different lines with the same invoice date and period share an
/// installment: one invoice per period, a line per contract line.
///
/// Errors: invalid terms ([`Contract::validate`]), performance records that do
/// not fit their lines, more than [`MAX_PARTS`] billing periods on a line,
/// dates beyond the calendar, amounts beyond [`MAX_MINOR_UNITS`].
pub fn billing_schedule(
    contract: &Contract,
    performance: &Performance,
    settings: BillingSettings,
) -> Result<BillingSchedule, Error> {
    contract.validate()?;
    performance.validate(&contract.lines)?;
    let currency = contract.currency;
    let mut charges = Vec::new();
    let mut priced = Vec::new();
    for (index, line) in contract.lines.iter().enumerate() {
        let range = contract.service_period(line)?;
        match line.recognition {
            Recognition::Ratable { .. } | Recognition::PointInTime => {
                let price = Money::new(line.price, currency).to_minor()?;
                match period_months(contract.billing_frequency) {
                    Some(months) => periodic_charges(
                        index,
                        price,
                        contract.start_date,
                        range,
                        months,
                        settings.spread,
                        &mut charges,
                    )?,
                    None => charges.push(Charge {
                        invoice_date: range.start(),
                        period_start: range.start(),
                        period_end: range.end(),
                        line: index,
                        amount_minor: price,
                    }),
                }
            }
            Recognition::Milestone => milestone_charges(index, line, currency, performance, &mut charges)?,
            Recognition::TimeAndMaterials => {
                performance.priced_time_into(line, currency, settings.extension, None, &mut priced)?;
                monthly_in_arrears(index, currency, &priced, &mut charges)?;
            }
            Recognition::Usage => {
                performance.priced_usage_into(line, currency, settings.extension, None, &mut priced)?;
                monthly_in_arrears(index, currency, &priced, &mut charges)?;
            }
        }
    }
    let (installments, billed) = installments(contract, charges)?;
    for (line, &billed) in contract.lines.iter().zip(&billed) {
        if matches!(line.recognition, Recognition::Ratable { .. } | Recognition::PointInTime) {
            let price = Money::new(line.price, currency).to_minor()?;
            assert_eq!(billed, i128::from(price), "line {:?}: installments must sum to its price", line.line);
        }
    }
    Ok(BillingSchedule { currency, installments })
}

/// One line's charge before charges are gathered into invoices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Charge {
    invoice_date: NaiveDate,
    period_start: NaiveDate,
    period_end: NaiveDate,
    line: usize,
    amount_minor: i64,
}

/// Months per billing period of a frequency billed in advance.
fn period_months(frequency: BillingFrequency) -> Option<u32> {
    match frequency {
        BillingFrequency::Monthly => Some(1),
        BillingFrequency::Quarterly => Some(3),
        BillingFrequency::Annually => Some(12),
        BillingFrequency::Milestone | BillingFrequency::TimeAndMaterials | BillingFrequency::Usage => None,
    }
}

/// One billing period of a fixed line, cut to its service period.
#[derive(Clone, Copy, Debug)]
struct Period {
    start: NaiveDate,
    end: NaiveDate,
    /// Days from `start` to `end`, both included.
    covered: u64,
    /// Days the period has uncut: from `start` to the next period's start.
    full: u64,
}

/// The index k of the billing period that contains `date`: the k with
/// `anchor + k × step months <= date < anchor + (k + 1) × step months`
/// (`date >= anchor`).
fn period_index(anchor: NaiveDate, date: NaiveDate, step: i32) -> Result<i32, Error> {
    let span = (date.year() - anchor.year()) * 12 + date.month() as i32 - anchor.month() as i32;
    // `anchor + span months` lands in the date's month; past the date when the
    // anchor's day is later in the month than the date's.
    let whole = if add_months(anchor, span)? <= date { span } else { span - 1 };
    Ok(whole.max(0) / step)
}

/// The billing periods, `months` long and anchored on `anchor` (the
/// contract's start), that `range` (a line's service) touches, each cut to
/// `range`.
fn periods(anchor: NaiveDate, range: DateRange, months: u32) -> Result<Vec<Period>, Error> {
    let (start, end) = (range.start(), range.end());
    let step = i32::try_from(months).map_err(|_| Error::DateOutOfRange)?;
    let first = period_index(anchor, start.max(anchor), step)?;
    let last = period_index(anchor, end.max(anchor), step)?;
    let count = usize::try_from(last - first + 1).map_err(|_| Error::DateOutOfRange)?;
    if count > MAX_PARTS {
        return Err(Error::TooManyParts { count, limit: MAX_PARTS });
    }
    let mut out = Vec::with_capacity(count);
    for k in first..=last {
        // From the anchor each time: stepping from the previous period would
        // keep a clamp (Jan 31 -> Feb 28 -> Mar 28) for good.
        let period_start = add_months(anchor, step * k)?;
        let next = add_months(anchor, step * (k + 1))?;
        let full_end = next.pred_opt().ok_or(Error::DateOutOfRange)?;
        let (cut_start, cut_end) = (period_start.max(start), full_end.min(end));
        out.push(Period {
            start: cut_start,
            end: cut_end,
            covered: days_between(cut_start, cut_end) + 1,
            full: days_between(period_start, next),
        });
    }
    assert!(
        out.first().is_some_and(|p| p.start == start) && out.last().is_some_and(|p| p.end == end),
        "billing periods must cover the service period"
    );
    Ok(out)
}

/// Days from `from` to `to` (`to >= from`).
fn days_between(from: NaiveDate, to: NaiveDate) -> u64 {
    (to - from).num_days().unsigned_abs()
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Integer weights of `periods`: U for a full period, `covered × U / full`
/// for a cut one, U the lcm of the cut periods' full lengths.
fn weights(periods: &[Period]) -> Result<Vec<u64>, Error> {
    let mut unit = 1u64;
    for p in periods.iter().filter(|p| p.covered < p.full) {
        unit = (unit / gcd(unit, p.full))
            .checked_mul(p.full)
            .filter(|u| *u <= MAX_TOTAL_UNITS)
            .ok_or(Error::WeightsOutOfRange)?;
    }
    periods
        .iter()
        .map(|p| {
            let w = if p.covered < p.full { p.covered.checked_mul(unit / p.full) } else { Some(unit) };
            w.ok_or(Error::WeightsOutOfRange)
        })
        .collect()
}

/// Charges of a fixed line billed in advance: `price_minor` spread over the
/// line's billing periods.
fn periodic_charges(
    line: usize,
    price_minor: i64,
    anchor: NaiveDate,
    range: DateRange,
    months: u32,
    rule: SpreadRule,
    out: &mut Vec<Charge>,
) -> Result<(), Error> {
    let periods = periods(anchor, range, months)?;
    let weights = weights(&periods)?;
    let mut amounts = vec![0i64; periods.len()];
    spread_minor(price_minor, &weights, rule, &mut amounts)?;
    out.extend(periods.iter().zip(amounts).map(|(p, amount_minor)| Charge {
        invoice_date: p.start,
        period_start: p.start,
        period_end: p.end,
        line,
        amount_minor,
    }));
    Ok(())
}

/// Charges of a milestone line: each accepted milestone's share of the
/// line's price, on its earliest acceptance.
fn milestone_charges(
    index: usize,
    line: &ContractLine,
    currency: Currency,
    performance: &Performance,
    out: &mut Vec<Charge>,
) -> Result<(), Error> {
    let price = Money::new(line.price, currency);
    let parts = if price.is_zero() {
        // Free milestones may all weigh zero, which `allocate` refuses: there
        // is nothing to split.
        vec![price; line.milestones.len()]
    } else {
        let weights: Vec<Decimal> = line.milestones.iter().map(|m| m.amount).collect();
        allocate(price, &weights)?
    };
    for (milestone, part) in line.milestones.iter().zip(parts) {
        if let Some(on) = performance.acceptance(&line.line, &milestone.milestone) {
            out.push(Charge {
                invoice_date: on,
                period_start: on,
                period_end: on,
                line: index,
                amount_minor: part.to_minor()?,
            });
        }
    }
    Ok(())
}

/// Charges of a variable line: `priced` (in date order) summed per calendar
/// month and billed on the first day of the next month.
fn monthly_in_arrears(
    index: usize,
    currency: Currency,
    priced: &[(NaiveDate, i64)],
    out: &mut Vec<Charge>,
) -> Result<(), Error> {
    by_month(priced, |month, sum| push_month(index, month, Money::from_minor(sum, currency), out))
}

fn push_month(index: usize, month: YearMonth, sum: Money, out: &mut Vec<Charge>) -> Result<(), Error> {
    if sum.is_zero() {
        return Ok(());
    }
    let period_end = month.last_day();
    out.push(Charge {
        // The day after the month's last day rather than `month.next()`, which
        // has no first day past the end of the calendar.
        invoice_date: period_end.succ_opt().ok_or(Error::DateOutOfRange)?,
        period_start: month.first_day(),
        period_end,
        line: index,
        amount_minor: sum.to_minor()?,
    });
    Ok(())
}

/// Gathers `charges` into installments, one per (invoice date, period), one
/// line per contract line; also returns what each contract line was billed in
/// total, in minor units, for the final check.
fn installments(contract: &Contract, mut charges: Vec<Charge>) -> Result<(Vec<Installment>, Vec<i128>), Error> {
    let currency = contract.currency;
    charges.sort_by_key(|c| (c.invoice_date, c.period_start, c.period_end, c.line));
    let mut billed = vec![0i128; contract.lines.len()];
    // (invoice date, period start, period end) and (line index, minor units).
    type Key = (NaiveDate, NaiveDate, NaiveDate);
    let mut invoices: Vec<(Key, Vec<(usize, i64)>)> = Vec::new();
    for c in charges {
        billed[c.line] += i128::from(c.amount_minor);
        let key = (c.invoice_date, c.period_start, c.period_end);
        let lines = match invoices.last_mut() {
            Some((k, lines)) if *k == key => lines,
            _ => {
                invoices.push((key, Vec::new()));
                &mut invoices.last_mut().expect("just pushed").1
            }
        };
        match lines.last_mut() {
            // Two milestones of one line accepted the same day: one invoice
            // line for the contract line, their sum.
            Some((line, amount)) if *line == c.line => {
                *amount = amount
                    .checked_add(c.amount_minor)
                    .filter(|a| a.unsigned_abs() <= MAX_MINOR_UNITS.unsigned_abs())
                    .ok_or(Error::MinorUnitsOutOfRange { minor: *amount })?;
            }
            _ => lines.push((c.line, c.amount_minor)),
        }
    }
    let mut out = Vec::with_capacity(invoices.len());
    for ((invoice_date, period_start, period_end), lines) in invoices {
        out.push(Installment {
            invoice_date,
            due_date: contract.payment_terms.due_date(invoice_date)?,
            period_start,
            period_end,
            currency,
            lines: lines
                .into_iter()
                .map(|(line, minor)| InstallmentLine {
                    line: contract.lines[line].line.clone(),
                    amount: Money::from_minor(minor, currency),
                })
                .collect(),
        });
    }
    Ok((out, billed))
}
