//! What has been performed under a contract: accepted milestones,
//! deliveries, approved time and recorded usage, and their prices.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::YearMonth;
use crate::rounding::{extend_minor, RoundingMode};
use crate::terms::{ContractLine, Recognition};
use crate::{Currency, Error, Money};

/// The most performance records one contract's schedule is computed from.
pub const MAX_RECORDS: usize = 100_000;

fn not_negative(line: &str, field: &'static str, value: Option<Decimal>) -> Result<(), Error> {
    match value {
        Some(v) if v.is_sign_negative() && !v.is_zero() => {
            Err(Error::InvalidLine { line: line.into(), field, problem: "must not be negative".into() })
        }
        _ => Ok(()),
    }
}

/// A milestone accepted by the customer: its revenue is recognized that day.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct MilestoneAcceptance {
    /// The line id.
    pub line: String,
    /// The milestone id.
    pub milestone: String,
    /// The acceptance date.
    pub accepted_on: NaiveDate,
}

/// The delivery of a point-in-time line (a perpetual license).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Delivery {
    /// The line id.
    pub line: String,
    /// The delivery date.
    pub delivered_on: NaiveDate,
}

/// Approved time on a T&M line.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct TimeApproval {
    /// The line id.
    pub line: String,
    /// Hours approved.
    #[cfg_attr(feature = "serde", serde(with = "rust_decimal::serde::str"))]
    pub hours: Decimal,
    /// Hourly rate; the line's unit price when absent.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::str_option")
    )]
    pub rate: Option<Decimal>,
    /// The approval date.
    pub approved_on: NaiveDate,
}

/// Usage incurred on a usage line.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct UsageRecord {
    /// The line id.
    pub line: String,
    /// Units used.
    #[cfg_attr(feature = "serde", serde(with = "rust_decimal::serde::str"))]
    pub quantity: Decimal,
    /// Price per unit; the line's unit price when absent.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::str_option")
    )]
    pub unit_price: Option<Decimal>,
    /// The day the usage was incurred.
    pub incurred_on: NaiveDate,
}

/// What has been performed under a contract so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Performance {
    /// Accepted milestones.
    pub milestones_accepted: Vec<MilestoneAcceptance>,
    /// Deliveries of point-in-time lines.
    pub deliveries: Vec<Delivery>,
    /// Approved time.
    pub time_approved: Vec<TimeApproval>,
    /// Recorded usage.
    pub usage_recorded: Vec<UsageRecord>,
}

impl Performance {
    /// True when nothing has been performed.
    pub fn is_empty(&self) -> bool {
        self.milestones_accepted.is_empty()
            && self.deliveries.is_empty()
            && self.time_approved.is_empty()
            && self.usage_recorded.is_empty()
    }

    pub(crate) fn acceptance(&self, line: &str, milestone: &str) -> Option<NaiveDate> {
        self.milestones_accepted
            .iter()
            .filter(|a| a.line == line && a.milestone == milestone)
            .map(|a| a.accepted_on)
            .min()
    }

    pub(crate) fn delivery(&self, line: &str) -> Option<NaiveDate> {
        self.deliveries.iter().filter(|d| d.line == line).map(|d| d.delivered_on).min()
    }

    /// Checks that every record names a line of `lines` whose method takes
    /// it, that quantities and prices are not negative, and the limits.
    pub(crate) fn validate(&self, lines: &[ContractLine]) -> Result<(), Error> {
        let count = self.milestones_accepted.len()
            + self.deliveries.len()
            + self.time_approved.len()
            + self.usage_recorded.len();
        if count > MAX_RECORDS {
            return Err(Error::TooManyParts { count, limit: MAX_RECORDS });
        }
        let find = |id: &str, record: &'static str, fits: fn(Recognition) -> bool| {
            let line = lines.iter().find(|l| l.line == id).ok_or_else(|| Error::UnknownLine { line: id.into() })?;
            if fits(line.recognition) {
                Ok(line)
            } else {
                Err(Error::WrongMethod { line: id.into(), method: line.recognition.name(), record })
            }
        };
        for a in &self.milestones_accepted {
            let line = find(&a.line, "milestone acceptance", |r| r == Recognition::Milestone)?;
            if !line.milestones.iter().any(|m| m.milestone == a.milestone) {
                return Err(Error::UnknownMilestone { line: a.line.clone(), milestone: a.milestone.clone() });
            }
        }
        for d in &self.deliveries {
            find(&d.line, "delivery", |r| r == Recognition::PointInTime)?;
        }
        for t in &self.time_approved {
            find(&t.line, "approved time", |r| r == Recognition::TimeAndMaterials)?;
            not_negative(&t.line, "hours", Some(t.hours))?;
            not_negative(&t.line, "rate", t.rate)?;
        }
        for u in &self.usage_recorded {
            find(&u.line, "usage", |r| r == Recognition::Usage)?;
            not_negative(&u.line, "quantity", Some(u.quantity))?;
            not_negative(&u.line, "unit_price", u.unit_price)?;
        }
        Ok(())
    }
    /// Checks that no record of a line added by a modification is dated
    /// before the line was added (`added_on`: line id and effective date).
    pub(crate) fn check_not_before(&self, added_on: &[(&str, NaiveDate)]) -> Result<(), Error> {
        let dated = self
            .milestones_accepted
            .iter()
            .map(|a| (a.line.as_str(), "accepted_on", a.accepted_on))
            .chain(self.deliveries.iter().map(|d| (d.line.as_str(), "delivered_on", d.delivered_on)))
            .chain(self.time_approved.iter().map(|t| (t.line.as_str(), "approved_on", t.approved_on)))
            .chain(self.usage_recorded.iter().map(|u| (u.line.as_str(), "incurred_on", u.incurred_on)));
        for (line, field, on) in dated {
            if let Some(&(_, added)) = added_on.iter().find(|(id, _)| *id == line) {
                if on < added {
                    let problem = format!("{on} is before the line was added on {added}");
                    return Err(Error::InvalidLine { line: line.into(), field, problem });
                }
            }
        }
        Ok(())
    }

    /// The approved time of `line` in approval-date order, each approval
    /// priced at its rate (the line's unit price when absent) and rounded
    /// with `mode`. Hours beyond the line's not-to-exceed cap are dropped:
    /// they are neither billed nor recognized.
    pub fn priced_time(
        &self,
        line: &ContractLine,
        currency: Currency,
        mode: RoundingMode,
    ) -> Result<Vec<(NaiveDate, Money)>, Error> {
        let mut priced = Vec::new();
        self.priced_time_into(line, currency, mode, None, &mut priced)?;
        Ok(priced.into_iter().map(|(on, minor)| (on, Money::from_minor(minor, currency))).collect())
    }

    /// The usage of `line` in date order, each record priced at its unit
    /// price (the line's when absent) and rounded with `mode`.
    pub fn priced_usage(
        &self,
        line: &ContractLine,
        currency: Currency,
        mode: RoundingMode,
    ) -> Result<Vec<(NaiveDate, Money)>, Error> {
        let mut priced = Vec::new();
        self.priced_usage_into(line, currency, mode, None, &mut priced)?;
        Ok(priced.into_iter().map(|(on, minor)| (on, Money::from_minor(minor, currency))).collect())
    }

    /// [`Performance::priced_time`] in minor units into a reused buffer,
    /// leaving out approvals on or after `until` (the line was removed then).
    pub(crate) fn priced_time_into(
        &self,
        line: &ContractLine,
        currency: Currency,
        mode: RoundingMode,
        until: Option<NaiveDate>,
        out: &mut Vec<(NaiveDate, i64)>,
    ) -> Result<(), Error> {
        let records = &self.time_approved;
        in_date_order(records.iter().map(|t| (t.line.as_str(), t.approved_on)), &line.line, until, out);
        let mut hours_left = line.not_to_exceed_hours;
        for slot in out.iter_mut() {
            let t = &records[slot.1 as usize];
            let hours = match hours_left.as_mut() {
                Some(left) => {
                    let allowed = t.hours.min(*left);
                    *left -= allowed;
                    allowed
                }
                None => t.hours,
            };
            let rate = Money::new(t.rate.or(line.unit_price).unwrap_or_default(), currency);
            slot.1 = extend_minor(hours, rate, mode)?;
        }
        Ok(())
    }

    /// [`Performance::priced_usage`] in minor units into a reused buffer,
    /// leaving out usage on or after `until`.
    pub(crate) fn priced_usage_into(
        &self,
        line: &ContractLine,
        currency: Currency,
        mode: RoundingMode,
        until: Option<NaiveDate>,
        out: &mut Vec<(NaiveDate, i64)>,
    ) -> Result<(), Error> {
        let records = &self.usage_recorded;
        in_date_order(records.iter().map(|u| (u.line.as_str(), u.incurred_on)), &line.line, until, out);
        for slot in out.iter_mut() {
            let u = &records[slot.1 as usize];
            let price = Money::new(u.unit_price.or(line.unit_price).unwrap_or_default(), currency);
            slot.1 = extend_minor(u.quantity, price, mode)?;
        }
        Ok(())
    }
}

/// Fills `out` with (date, record index) of the records of `line` dated
/// before `until`, in date order, ties in record order: an unstable sort on
/// (date, index) orders like a stable one and needs no scratch memory.
fn in_date_order<'a>(
    records: impl Iterator<Item = (&'a str, NaiveDate)>,
    line: &str,
    until: Option<NaiveDate>,
    out: &mut Vec<(NaiveDate, i64)>,
) {
    out.clear();
    for (index, (id, on)) in records.enumerate() {
        if id == line && until.is_none_or(|u| on < u) {
            out.push((on, index as i64));
        }
    }
    out.sort_unstable();
}

/// Calls `emit` once per calendar month of `priced` (in date order) with the
/// month's sum: usage is recognized and billed by the month it was incurred.
pub(crate) fn by_month(
    priced: &[(NaiveDate, i64)],
    mut emit: impl FnMut(YearMonth, i64) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut month: Option<(YearMonth, i64)> = None;
    for &(on, amount) in priced {
        let this = YearMonth::of(on);
        month = match month {
            Some((m, sum)) if m == this => {
                Some((m, sum.checked_add(amount).ok_or(Error::MinorUnitsOutOfRange { minor: amount })?))
            }
            previous => {
                if let Some((m, sum)) = previous {
                    emit(m, sum)?;
                }
                Some((this, amount))
            }
        };
    }
    if let Some((m, sum)) = month {
        emit(m, sum)?;
    }
    Ok(())
}
