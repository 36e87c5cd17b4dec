//! Contract modifications: what changes, from when, and how the change
//! reaches revenue that was already scheduled.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::terms::ContractLine;

/// How a modification's effect on revenue is accounted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Treatment {
    /// The added lines are a contract of their own: their prices are
    /// allocated among themselves and existing lines are untouched. Only
    /// additions are allowed.
    SeparateContract,
    /// What was recognized before the effective date stays; the unrecognized
    /// remainder plus the added price is recognized over what is left from the
    /// effective date.
    Prospective,
    /// The schedule is recomputed with the new terms from the start; the
    /// difference to what was recognized before the effective date is booked
    /// on the effective date.
    CumulativeCatchUp,
}

/// One change a modification makes to the contract's lines.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "change", rename_all = "snake_case"))]
pub enum LineChange {
    /// A new line. Without its own `start_date` it starts on the effective
    /// date.
    Add {
        /// The new line.
        line: ContractLine,
    },
    /// New terms for an existing fixed-price line; absent fields are kept.
    Amend {
        /// The line id.
        line: String,
        /// The new fixed price for the line's whole term.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::str_option")
        )]
        price: Option<Decimal>,
        /// The new standalone selling price.
        #[cfg_attr(
            feature = "serde",
            serde(default, skip_serializing_if = "Option::is_none", with = "rust_decimal::serde::str_option")
        )]
        ssp: Option<Decimal>,
        /// The new last day of service (an extension or a shortening).
        #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
        end_date: Option<NaiveDate>,
    },
    /// The line ends on the effective date: what was recognized before it is
    /// kept, nothing more is recognized.
    Remove {
        /// The line id.
        line: String,
    },
}

/// A contract modification.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Modification {
    /// The first day the new terms apply.
    pub effective_on: NaiveDate,
    /// How the change reaches revenue.
    pub treatment: Treatment,
    /// What changes.
    pub changes: Vec<LineChange>,
}
