//! The one error type of revops-core.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::{Currency, Money};

/// Everything that can go wrong in revops-core. Each variant names what was
/// wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: expected {expected}, found {found}")]
    CurrencyMismatch {
        /// The currency of the left-hand side (or of the contract).
        expected: Currency,
        /// The currency that did not match.
        found: Currency,
    },
    /// A currency code that revops does not know.
    #[error("unknown currency code {code:?}")]
    UnknownCurrency {
        /// The code as given.
        code: String,
    },
    /// A text that is not a decimal amount.
    #[error("invalid amount {text:?}: expected a decimal such as \"1200.00\"")]
    InvalidAmount {
        /// The text as given.
        text: String,
    },
    /// An amount with more places than its currency's minor unit where a whole
    /// number of minor units is required.
    #[error("{amount} is not a whole number of minor units")]
    SubMinorAmount {
        /// The offending amount.
        amount: Money,
    },
    /// An amount beyond the range revops computes with.
    #[error("{amount} is out of range (at most 10^18 minor units)")]
    AmountOutOfRange {
        /// The offending amount.
        amount: Money,
    },
    /// A minor-unit total beyond the range revops computes with.
    #[error("{minor} minor units is out of range (at most 10^18)")]
    MinorUnitsOutOfRange {
        /// The offending total.
        minor: i64,
    },
    /// A split over no parts.
    #[error("cannot split over an empty list of weights")]
    NoWeights,
    /// A split whose weights are all zero.
    #[error("cannot split over weights that are all zero")]
    ZeroWeights,
    /// A negative weight.
    #[error("weight {index} is negative ({weight})")]
    NegativeWeight {
        /// Position of the weight.
        index: usize,
        /// The weight.
        weight: Decimal,
    },
    /// Weights too large to split exactly.
    #[error("weights are too large to split exactly")]
    WeightsOutOfRange,
    /// More parts than a split allows.
    #[error("{count} parts exceed the limit of {limit}")]
    TooManyParts {
        /// Parts requested.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A date range whose end is before its start.
    #[error("end date {end} is before start date {start}")]
    EndBeforeStart {
        /// Inclusive start.
        start: NaiveDate,
        /// Inclusive end.
        end: NaiveDate,
    },
    /// A date outside the calendar revops computes with.
    #[error("date out of the supported calendar range")]
    DateOutOfRange,
    /// A text that is not a `YYYY-MM` month.
    #[error("invalid month {text:?}: expected YYYY-MM")]
    InvalidMonth {
        /// The text as given.
        text: String,
    },
    /// A contract-level term that breaks a rule; `field` names it.
    #[error("contract {contract:?}: {field} {problem}")]
    InvalidContract {
        /// The contract id.
        contract: String,
        /// The field, e.g. `"lines"`.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A contract term that breaks a rule; `field` names it.
    #[error("contract line {line:?}: {field} {problem}")]
    InvalidLine {
        /// The line id.
        line: String,
        /// The field, e.g. `"price"` or `"ssp"`.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// A reference to a line that the contract does not have.
    #[error("contract has no line {line:?}")]
    UnknownLine {
        /// The line id.
        line: String,
    },
    /// A reference to a milestone that the line does not have.
    #[error("line {line:?} has no milestone {milestone:?}")]
    UnknownMilestone {
        /// The line id.
        line: String,
        /// The milestone id.
        milestone: String,
    },
    /// A performance record that does not fit the line's recognition method.
    #[error("line {line:?} is recognized {method}, which takes no {record}")]
    WrongMethod {
        /// The line id.
        line: String,
        /// The line's method.
        method: &'static str,
        /// The kind of record that was given.
        record: &'static str,
    },
    /// A contract modification that cannot be applied.
    #[error("modification effective {effective_on}: {problem}")]
    InvalidModification {
        /// The effective date.
        effective_on: NaiveDate,
        /// What is wrong.
        problem: String,
    },
    /// A commission plan that breaks a rule.
    #[error("commission plan: {problem}")]
    InvalidCommissionPlan {
        /// What is wrong.
        problem: String,
    },
}
