//! The credit-risk policy table as a pure function: a customer's profile
//! decides its credit limit, the payment terms it may be offered and whether
//! an order needs a deposit.
//!
//! | Category          | Who                                   | Limit    | Terms            | Deposit            |
//! |-------------------|---------------------------------------|----------|------------------|--------------------|
//! | prior late payer  | paid late before                      | $5,000   | net 15 / upfront | required           |
//! | new customer      | first order                           | $10,000  | net 15 / upfront | if order > $10,000 |
//! | enterprise        | ARR > $1,000,000                      | $500,000 | net 45           | none               |
//! | mid-market        | $100,000 ≤ ARR ≤ $1,000,000           | $100,000 | net 30           | none               |
//! | SMB               | ARR < $100,000                        | $25,000  | net 15           | optional           |
//!
//! The table is in USD ([`POLICY_CURRENCY`]); a profile or order in another
//! currency is an [`Error::CurrencyMismatch`] rather than a silent comparison
//! of unconverted amounts.
//!
//! ```
//! use revops_core::credit::{credit_policy, CreditCategory, CreditProfile};
//! use revops_core::{Currency, Money};
//!
//! let usd = |s: &str| Money::parse(s, Currency::USD);
//! let profile = CreditProfile { arr: usd("250000.00")?, is_new_customer: false, prior_late_payer: false };
//! let policy = credit_policy(&profile)?;
//! assert_eq!(policy.category, CreditCategory::MidMarket);
//! assert_eq!(policy.credit_limit.to_string(), "100000.00 USD");
//! # Ok::<(), revops_core::Error>(())
//! ```

use crate::terms::PaymentTerms;
use crate::{Currency, Error, Money};

/// The currency the policy table is written in.
pub const POLICY_CURRENCY: Currency = Currency::USD;

/// The risk category a customer falls into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CreditCategory {
    /// ARR above $1,000,000.
    Enterprise,
    /// ARR from $100,000 to $1,000,000, both inclusive.
    MidMarket,
    /// ARR below $100,000.
    Smb,
    /// A customer placing its first order.
    NewCustomer,
    /// A customer that has paid late before.
    PriorLatePayer,
}

/// What the policy needs to know about a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CreditProfile {
    /// Annual recurring revenue, in [`POLICY_CURRENCY`].
    pub arr: Money,
    /// True for a customer's first order.
    pub is_new_customer: bool,
    /// True if the customer has paid late before.
    pub prior_late_payer: bool,
}

impl CreditProfile {
    /// The customer's category. Risk wins over size: a prior late payer is
    /// that whatever else is true, because a payment history outweighs any
    /// ARR; a new customer comes next, because a first order has no history
    /// to back its ARR; only then do the ARR bands apply. A negative ARR (a
    /// net-churned figure) falls in the SMB band.
    pub fn category(&self) -> Result<CreditCategory, Error> {
        check_currency(self.arr)?;
        let category = if self.prior_late_payer {
            CreditCategory::PriorLatePayer
        } else if self.is_new_customer {
            CreditCategory::NewCustomer
        } else if self.arr.amount > dollars(1_000_000).amount {
            CreditCategory::Enterprise
        } else if self.arr.amount >= dollars(100_000).amount {
            CreditCategory::MidMarket
        } else {
            CreditCategory::Smb
        };
        Ok(category)
    }
}

/// When an order needs a deposit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum DepositRule {
    /// Never.
    None,
    /// The customer may offer one; it is never required.
    Optional,
    /// Always.
    Required,
    /// When the order is strictly above this amount.
    RequiredAbove(Money),
}

/// What the policy allows a customer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CreditPolicy {
    /// The category the customer fell into.
    pub category: CreditCategory,
    /// The most the customer may owe at once.
    pub credit_limit: Money,
    /// The payment terms that may be offered, the usual one first.
    pub payment_terms: Vec<PaymentTerms>,
    /// When an order needs a deposit.
    pub deposit: DepositRule,
}

impl CreditPolicy {
    /// The table row for `category`.
    pub fn for_category(category: CreditCategory) -> CreditPolicy {
        let (credit_limit, payment_terms, deposit) = match category {
            CreditCategory::Enterprise => (dollars(500_000), vec![PaymentTerms::Net45], DepositRule::None),
            CreditCategory::MidMarket => (dollars(100_000), vec![PaymentTerms::Net30], DepositRule::None),
            CreditCategory::Smb => (dollars(25_000), vec![PaymentTerms::Net15], DepositRule::Optional),
            CreditCategory::NewCustomer => (
                dollars(10_000),
                vec![PaymentTerms::Net15, PaymentTerms::Upfront],
                DepositRule::RequiredAbove(dollars(10_000)),
            ),
            CreditCategory::PriorLatePayer => {
                (dollars(5_000), vec![PaymentTerms::Net15, PaymentTerms::Upfront], DepositRule::Required)
            }
        };
        CreditPolicy { category, credit_limit, payment_terms, deposit }
    }

    /// True when `terms` may be offered under this policy.
    pub fn allows(&self, terms: PaymentTerms) -> bool {
        self.payment_terms.contains(&terms)
    }

    /// True when an order of `order` needs a deposit. An optional deposit is
    /// not required. The order must be in [`POLICY_CURRENCY`] even when the
    /// rule does not look at the amount, so a caller that forgot to convert
    /// finds out on every path, not only on some.
    pub fn deposit_required(&self, order: Money) -> Result<bool, Error> {
        check_currency(order)?;
        Ok(match self.deposit {
            DepositRule::None | DepositRule::Optional => false,
            DepositRule::Required => true,
            DepositRule::RequiredAbove(threshold) => {
                let over = order.checked_sub(threshold)?;
                !over.is_negative() && !over.is_zero()
            }
        })
    }
}

/// The policy for a customer: its category's row of the table (see
/// [`CreditProfile::category`] for which category wins).
pub fn credit_policy(profile: &CreditProfile) -> Result<CreditPolicy, Error> {
    Ok(CreditPolicy::for_category(profile.category()?))
}

fn dollars(whole: i64) -> Money {
    Money::from_minor(whole * POLICY_CURRENCY.minor_per_major(), POLICY_CURRENCY)
}

fn check_currency(amount: Money) -> Result<(), Error> {
    if amount.currency == POLICY_CURRENCY {
        Ok(())
    } else {
        Err(Error::CurrencyMismatch { expected: POLICY_CURRENCY, found: amount.currency })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(s: &str) -> Money {
        Money::parse(s, Currency::USD).unwrap()
    }

    fn existing(arr: &str) -> CreditProfile {
        CreditProfile { arr: usd(arr), is_new_customer: false, prior_late_payer: false }
    }

    fn category(profile: CreditProfile) -> CreditCategory {
        credit_policy(&profile).unwrap().category
    }

    #[test]
    fn arr_band_boundaries() {
        assert_eq!(category(existing("99999.99")), CreditCategory::Smb);
        assert_eq!(category(existing("100000.00")), CreditCategory::MidMarket);
        assert_eq!(category(existing("1000000.00")), CreditCategory::MidMarket);
        assert_eq!(category(existing("1000000.01")), CreditCategory::Enterprise);
        assert_eq!(category(existing("0")), CreditCategory::Smb);
        assert_eq!(category(existing("-10.00")), CreditCategory::Smb);
    }

    #[test]
    fn table_rows() {
        let enterprise = credit_policy(&existing("2000000.00")).unwrap();
        assert_eq!(enterprise.credit_limit, usd("500000.00"));
        assert_eq!(enterprise.payment_terms, [PaymentTerms::Net45]);
        assert_eq!(enterprise.deposit, DepositRule::None);

        let mid = credit_policy(&existing("500000.00")).unwrap();
        assert_eq!(mid.credit_limit, usd("100000.00"));
        assert_eq!(mid.payment_terms, [PaymentTerms::Net30]);
        assert_eq!(mid.deposit, DepositRule::None);

        let smb = credit_policy(&existing("50000.00")).unwrap();
        assert_eq!(smb.credit_limit, usd("25000.00"));
        assert_eq!(smb.payment_terms, [PaymentTerms::Net15]);
        assert_eq!(smb.deposit, DepositRule::Optional);
        assert_eq!(smb.deposit_required(usd("1000000.00")), Ok(false));

        let new = CreditPolicy::for_category(CreditCategory::NewCustomer);
        assert_eq!(new.credit_limit, usd("10000.00"));
        assert!(new.allows(PaymentTerms::Net15) && new.allows(PaymentTerms::Upfront));
        assert!(!new.allows(PaymentTerms::Net30));

        let late = CreditPolicy::for_category(CreditCategory::PriorLatePayer);
        assert_eq!(late.credit_limit, usd("5000.00"));
        assert_eq!(late.payment_terms, [PaymentTerms::Net15, PaymentTerms::Upfront]);
        assert_eq!(late.deposit_required(usd("0.01")), Ok(true));
    }

    #[test]
    fn new_customer_deposit_is_required_strictly_above_ten_thousand() {
        let policy =
            credit_policy(&CreditProfile { arr: usd("0"), is_new_customer: true, prior_late_payer: false }).unwrap();
        assert_eq!(policy.category, CreditCategory::NewCustomer);
        assert_eq!(policy.deposit_required(usd("9999.99")), Ok(false));
        assert_eq!(policy.deposit_required(usd("10000.00")), Ok(false));
        assert_eq!(policy.deposit_required(usd("10000")), Ok(false));
        assert_eq!(policy.deposit_required(usd("10000.01")), Ok(true));
        assert_eq!(policy.deposit_required(usd("10000.001")), Ok(true));
    }

    #[test]
    fn prior_late_payer_overrides_everything_then_new_customer() {
        let mut profile = CreditProfile { arr: usd("5000000.00"), is_new_customer: true, prior_late_payer: true };
        assert_eq!(category(profile), CreditCategory::PriorLatePayer);
        profile.is_new_customer = false;
        assert_eq!(category(profile), CreditCategory::PriorLatePayer);
        profile.prior_late_payer = false;
        profile.is_new_customer = true;
        assert_eq!(category(profile), CreditCategory::NewCustomer);
        profile.is_new_customer = false;
        assert_eq!(category(profile), CreditCategory::Enterprise);
    }

    #[test]
    fn other_currencies_are_refused() {
        let eur = Money::parse("100.00", Currency::EUR).unwrap();
        let mismatch = Error::CurrencyMismatch { expected: Currency::USD, found: Currency::EUR };
        let profile = CreditProfile { arr: eur, is_new_customer: false, prior_late_payer: true };
        assert_eq!(credit_policy(&profile).unwrap_err(), mismatch);
        for category in [CreditCategory::Enterprise, CreditCategory::Smb, CreditCategory::NewCustomer] {
            assert_eq!(CreditPolicy::for_category(category).deposit_required(eur).unwrap_err(), mismatch);
        }
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serde_snake_case() {
        let json = serde_json::to_string(&CreditPolicy::for_category(CreditCategory::NewCustomer)).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"category":"new_customer","credit_limit":{"amount":"10000.00","currency":"USD"},"#,
                r#""payment_terms":["net_15","upfront"],"#,
                r#""deposit":{"required_above":{"amount":"10000.00","currency":"USD"}}}"#
            )
        );
        let back: CreditPolicy = serde_json::from_str(&json).unwrap();
        assert_eq!(back, CreditPolicy::for_category(CreditCategory::NewCustomer));
    }
}
