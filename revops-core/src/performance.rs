//! What has been performed under a contract: accepted milestones,
//! deliveries, approved time and recorded usage, and their prices.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::rounding::{extend, RoundingMode};
use crate::terms::{ContractLine, Recognition};
use crate::{Currency, Error, Money};

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

    /// Checks that every record names a line of `lines` whose method takes it.
    pub(crate) fn validate(&self, lines: &[ContractLine]) -> Result<(), Error> {
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
            if t.hours.is_sign_negative() && !t.hours.is_zero() {
                return Err(Error::InvalidLine { line: t.line.clone(), field: "hours", problem: "negative".into() });
            }
        }
        for u in &self.usage_recorded {
            find(&u.line, "usage", |r| r == Recognition::Usage)?;
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
        let mut approvals: Vec<&TimeApproval> = self.time_approved.iter().filter(|t| t.line == line.line).collect();
        approvals.sort_by_key(|t| t.approved_on);
        let mut hours_left = line.not_to_exceed_hours;
        let mut priced = Vec::with_capacity(approvals.len());
        for t in approvals {
            let hours = match hours_left.as_mut() {
                Some(left) => {
                    let allowed = t.hours.min(*left);
                    *left -= allowed;
                    allowed
                }
                None => t.hours,
            };
            let rate = Money::new(t.rate.or(line.unit_price).unwrap_or_default(), currency);
            priced.push((t.approved_on, extend(hours, rate, mode)?));
        }
        Ok(priced)
    }

    /// The usage of `line` in date order, each record priced at its unit
    /// price (the line's when absent) and rounded with `mode`.
    pub fn priced_usage(
        &self,
        line: &ContractLine,
        currency: Currency,
        mode: RoundingMode,
    ) -> Result<Vec<(NaiveDate, Money)>, Error> {
        let mut records: Vec<&UsageRecord> = self.usage_recorded.iter().filter(|u| u.line == line.line).collect();
        records.sort_by_key(|u| u.incurred_on);
        records
            .into_iter()
            .map(|u| {
                let price = Money::new(u.unit_price.or(line.unit_price).unwrap_or_default(), currency);
                Ok((u.incurred_on, extend(u.quantity, price, mode)?))
            })
            .collect()
    }
}
