//! Contract terms as types: what a signed contract says about billing,
//! payment and how each line's revenue is recognized.
//!
//! With the `serde` feature these read and write the snake_case JSON of the
//! `contract_signed` event, amounts as strings ("1200.00"), dates as
//! "YYYY-MM-DD".

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::calendar::DateRange;
use crate::{Currency, Error, Money};

/// The most lines one contract may carry.
pub const MAX_LINES: usize = 1_000;

/// The most milestones one line may carry.
pub const MAX_MILESTONES: usize = 1_000;

/// How often a contract is invoiced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum BillingFrequency {
    /// Every calendar month, in advance.
    Monthly,
    /// Every three months from the start, in advance.
    Quarterly,
    /// Every twelve months from the start, in advance.
    Annually,
    /// On acceptance of each milestone.
    Milestone,
    /// Approved time, in arrears.
    TimeAndMaterials,
    /// Recorded usage, monthly in arrears.
    Usage,
}

/// When an invoice falls due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum PaymentTerms {
    /// 15 days after the invoice date.
    #[cfg_attr(feature = "serde", serde(rename = "net_15"))]
    Net15,
    /// 30 days after the invoice date.
    #[cfg_attr(feature = "serde", serde(rename = "net_30"))]
    Net30,
    /// 45 days after the invoice date.
    #[cfg_attr(feature = "serde", serde(rename = "net_45"))]
    Net45,
    /// 60 days after the invoice date.
    #[cfg_attr(feature = "serde", serde(rename = "net_60"))]
    Net60,
    /// Due on the invoice date.
    Upfront,
}

impl PaymentTerms {
    /// Days from invoice date to due date.
    pub const fn days(self) -> u64 {
        match self {
            PaymentTerms::Net15 => 15,
            PaymentTerms::Net30 => 30,
            PaymentTerms::Net45 => 45,
            PaymentTerms::Net60 => 60,
            PaymentTerms::Upfront => 0,
        }
    }

    /// The due date of an invoice issued on `issued_on`.
    pub fn due_date(self, issued_on: NaiveDate) -> Result<NaiveDate, Error> {
        issued_on.checked_add_days(Days::new(self.days())).ok_or(Error::DateOutOfRange)
    }
}

/// What a contract line sells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum LineKind {
    /// A subscription over the service period.
    Subscription,
    /// Deliverables accepted by milestone.
    Milestone,
    /// Hours at a rate.
    TimeAndMaterials,
    /// A perpetual license, delivered once.
    PerpetualLicense,
    /// Metered usage at a unit price.
    Usage,
}

/// How the months of a ratable line are weighted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum RatableBasis {
    /// Each full month weighs 1; a partial first or last month weighs
    /// days covered / days in that month.
    #[default]
    Monthly,
    /// Each month weighs the days it covers.
    Daily,
}

/// When a line's revenue is recognized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "method", rename_all = "snake_case"))]
pub enum Recognition {
    /// Over the service period, per calendar month.
    Ratable {
        /// Month weighting.
        #[cfg_attr(feature = "serde", serde(default))]
        basis: RatableBasis,
    },
    /// Each milestone's allocated amount on the date it is accepted.
    Milestone,
    /// Hours × rate on the date the time is approved.
    TimeAndMaterials,
    /// The whole amount on the delivery date (or the start date).
    PointInTime,
    /// Quantity × unit price in the month the usage was incurred.
    Usage,
}

impl Recognition {
    /// The snake_case name of the method.
    pub const fn name(self) -> &'static str {
        match self {
            Recognition::Ratable { .. } => "ratable",
            Recognition::Milestone => "milestone",
            Recognition::TimeAndMaterials => "time_and_materials",
            Recognition::PointInTime => "point_in_time",
            Recognition::Usage => "usage",
        }
    }

    /// True for methods whose consideration is variable (priced as performed:
    /// time and usage). Variable lines keep their own consideration and take
    /// no part in SSP allocation.
    pub const fn is_variable(self) -> bool {
        matches!(self, Recognition::TimeAndMaterials | Recognition::Usage)
    }
}

/// One milestone of a milestone line.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Milestone {
    /// The caller's milestone id, unique within the line.
    pub milestone: String,
    /// The contractual amount; scaled to the line's allocated price.
    #[cfg_attr(feature = "serde", serde(with = "rust_decimal::serde::str"))]
    pub amount: Decimal,
    /// When the milestone is due (informational; revenue waits for acceptance).
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub due_on: Option<NaiveDate>,
}

/// A contract line: one performance obligation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ContractLine {
    /// The caller's line id, unique within the contract.
    pub line: String,
    /// The product sold.
    #[cfg_attr(feature = "serde", serde(default))]
    pub product: String,
    /// What kind of thing the line sells.
    pub kind: LineKind,
    /// Seats, units or hours (informational for fixed-price lines).
    #[cfg_attr(feature = "serde", serde(default = "one", with = "rust_decimal::serde::str"))]
    pub quantity: Decimal,
    /// Price per unit: the hourly rate of a T&M line, the unit price of a
    /// usage line.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::str_option")
    )]
    pub unit_price: Option<Decimal>,
    /// The fixed price of the line for its whole term, in the contract's
    /// currency. Zero for variable (T&M, usage) lines.
    #[cfg_attr(feature = "serde", serde(default, with = "rust_decimal::serde::str"))]
    pub price: Decimal,
    /// Standalone selling price, the weight of SSP allocation; the price when
    /// absent.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::str_option")
    )]
    pub ssp: Option<Decimal>,
    /// When revenue is recognized.
    pub recognition: Recognition,
    /// First day of service when it differs from the contract's start.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub start_date: Option<NaiveDate>,
    /// Last day of service when it differs from the contract's end.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub end_date: Option<NaiveDate>,
    /// Milestones of a milestone line.
    #[cfg_attr(feature = "serde", serde(default))]
    pub milestones: Vec<Milestone>,
    /// A T&M line's not-to-exceed cap in hours: hours beyond it are neither
    /// billed nor recognized.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::str_option")
    )]
    pub not_to_exceed_hours: Option<Decimal>,
}

#[cfg(feature = "serde")]
fn one() -> Decimal {
    Decimal::ONE
}

impl ContractLine {
    /// The SSP weight used for allocation: the SSP, or the price.
    pub fn ssp_or_price(&self) -> Decimal {
        self.ssp.unwrap_or(self.price)
    }

    fn invalid(&self, field: &'static str, problem: impl Into<String>) -> Error {
        Error::InvalidLine { line: self.line.clone(), field, problem: problem.into() }
    }

    /// Checks the line on its own, in `currency`.
    pub fn validate(&self, currency: Currency) -> Result<(), Error> {
        if self.line.is_empty() {
            return Err(self.invalid("line", "must not be empty"));
        }
        if self.price.is_sign_negative() && !self.price.is_zero() {
            return Err(self.invalid("price", "must not be negative"));
        }
        Money::new(self.price, currency).to_minor().map_err(|_| {
            self.invalid("price", format!("must be a whole number of {currency} minor units within range"))
        })?;
        if let Some(ssp) = self.ssp {
            if ssp.is_sign_negative() && !ssp.is_zero() {
                return Err(self.invalid("ssp", "must not be negative"));
            }
        }
        if let Some(rate) = self.unit_price {
            if rate.is_sign_negative() && !rate.is_zero() {
                return Err(self.invalid("unit_price", "must not be negative"));
            }
        }
        if self.quantity.is_sign_negative() && !self.quantity.is_zero() {
            return Err(self.invalid("quantity", "must not be negative"));
        }
        if let Some(cap) = self.not_to_exceed_hours {
            if cap.is_sign_negative() && !cap.is_zero() {
                return Err(self.invalid("not_to_exceed_hours", "must not be negative"));
            }
        }
        if let (Some(start), Some(end)) = (self.start_date, self.end_date) {
            if end < start {
                return Err(self.invalid("end_date", format!("{end} is before start_date {start}")));
            }
        }
        match self.recognition {
            Recognition::Milestone => {
                if self.milestones.is_empty() {
                    return Err(self.invalid("milestones", "a milestone line needs at least one milestone"));
                }
                if self.milestones.len() > MAX_MILESTONES {
                    return Err(self.invalid("milestones", format!("more than {MAX_MILESTONES}")));
                }
                for (i, m) in self.milestones.iter().enumerate() {
                    if m.amount.is_sign_negative() && !m.amount.is_zero() {
                        return Err(self.invalid("milestones.amount", format!("{} is negative", m.milestone)));
                    }
                    if self.milestones[..i].iter().any(|o| o.milestone == m.milestone) {
                        return Err(self.invalid("milestones", format!("duplicate milestone {:?}", m.milestone)));
                    }
                }
                // Even a free line may be allocated part of a bundle's price by
                // its SSP, and that part is split by the milestone amounts.
                if self.milestones.iter().all(|m| m.amount.is_zero()) {
                    return Err(self.invalid("milestones.amount", "all zero: nothing to split the price by"));
                }
            }
            Recognition::TimeAndMaterials | Recognition::Usage => {
                if !self.price.is_zero() {
                    return Err(self.invalid("price", "a variable line is priced by unit_price, not price"));
                }
                if self.unit_price.is_none() {
                    return Err(self.invalid("unit_price", "is required for a variable line"));
                }
            }
            Recognition::Ratable { .. } | Recognition::PointInTime => {
                if !self.milestones.is_empty() {
                    return Err(self.invalid("milestones", "only milestone lines carry milestones"));
                }
            }
        }
        Ok(())
    }
}

/// The terms of a signed contract that drive billing and recognition.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Contract {
    /// The caller's contract id.
    pub contract: String,
    /// The caller's customer id.
    #[cfg_attr(feature = "serde", serde(default))]
    pub customer: String,
    /// The contract currency; every amount of the contract is in it.
    pub currency: Currency,
    /// First day of service, inclusive.
    pub start_date: NaiveDate,
    /// Last day of service, inclusive.
    pub end_date: NaiveDate,
    /// How often the contract is invoiced.
    pub billing_frequency: BillingFrequency,
    /// When invoices fall due.
    pub payment_terms: PaymentTerms,
    /// The performance obligations.
    pub lines: Vec<ContractLine>,
}

impl Contract {
    /// Checks the terms: end not before start, at least one and at most
    /// [`MAX_LINES`] lines with unique non-empty ids, prices in whole minor
    /// units, no negative price or SSP, each line's service period valid and
    /// each line inside its method's rules.
    pub fn validate(&self) -> Result<(), Error> {
        DateRange::new(self.start_date, self.end_date)?;
        let invalid =
            |field, problem: String| Error::InvalidContract { contract: self.contract.clone(), field, problem };
        if self.lines.is_empty() {
            return Err(invalid("lines", "must hold at least one line".into()));
        }
        if self.lines.len() > MAX_LINES {
            return Err(invalid("lines", format!("more than {MAX_LINES}")));
        }
        for (i, line) in self.lines.iter().enumerate() {
            line.validate(self.currency)?;
            if self.lines[..i].iter().any(|o| o.line == line.line) {
                return Err(line.invalid("line", "duplicate line id"));
            }
            self.service_period(line)?;
        }
        Ok(())
    }

    /// The service period of `line`: its own dates, else the contract's.
    pub fn service_period(&self, line: &ContractLine) -> Result<DateRange, Error> {
        let (start, end) = (line.start_date.unwrap_or(self.start_date), line.end_date.unwrap_or(self.end_date));
        DateRange::new(start, end).map_err(|_| {
            let field = if line.start_date.is_some() { "start_date" } else { "end_date" };
            line.invalid(field, format!("service from {start} to {end} ends before it starts"))
        })
    }

    /// The transaction price: the sum of the fixed line prices.
    pub fn transaction_price(&self) -> Result<Money, Error> {
        Money::sum(self.currency, self.lines.iter().map(|l| Money::new(l.price, self.currency)))
    }

    /// The index of the line with id `line`.
    pub fn line_index(&self, line: &str) -> Result<usize, Error> {
        self.lines.iter().position(|l| l.line == line).ok_or_else(|| Error::UnknownLine { line: line.into() })
    }
}
