//! The chart of accounts.

use serde::{Deserialize, Serialize};

use crate::schedules::RecognitionMethod;

/// What kind of balance an account holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountClass {
    /// Debit balance: what the company owns or is owed.
    Asset,
    /// Credit balance: what the company owes.
    Liability,
    /// Credit balance: revenue and other income.
    Income,
    /// Debit balance: contra-revenue and expenses.
    Expense,
}

/// An account of the general ledger. Accounts order by [`Account::code`].
///
/// Serialized as the snake_case name (`"accounts_receivable"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Account {
    /// 1000: cash at bank.
    Cash,
    /// 1100: invoiced and not yet paid, credited or written off.
    AccountsReceivable,
    /// 1200: revenue recognized ahead of billing (unbilled), netted per
    /// contract against deferred revenue.
    ContractAsset,
    /// 2000: cash received and not yet applied to an invoice.
    UnappliedCash,
    /// 2100: what is owed to customers: payments and credits beyond an
    /// invoice's open amount.
    CustomerCreditBalance,
    /// 2200: billed ahead of recognition, netted per contract against the
    /// contract asset.
    DeferredRevenue,
    /// 2300: tax invoiced, owed to the authorities.
    TaxPayable,
    /// 2400: commission earned by reps and not yet paid.
    CommissionsPayable,
    /// 4000: revenue of ratable lines.
    RevenueRatable,
    /// 4010: revenue of milestone lines.
    RevenueMilestone,
    /// 4020: revenue of time-and-materials lines.
    RevenueTimeAndMaterials,
    /// 4030: revenue of point-in-time lines.
    RevenuePointInTime,
    /// 4040: revenue of usage lines.
    RevenueUsage,
    /// 4100: credit memos (contra-revenue).
    ContraRevenueCreditMemos,
    /// 4110: credit memos on disputed invoices (contra-revenue).
    ContraRevenueDisputes,
    /// 4120: refunds beyond any cash or credit held for the customer
    /// (contra-revenue).
    ContraRevenueRefunds,
    /// 4900: cash collected on amounts written off before.
    BadDebtRecoveries,
    /// 6000: amounts written off.
    BadDebtExpense,
    /// 6100: commission earned by reps.
    CommissionExpense,
    /// 7000: foreign-exchange gains (credit) and losses (debit).
    FxGainLoss,
}

impl Account {
    /// Every account, in code order.
    pub const ALL: [Account; 20] = [
        Account::Cash,
        Account::AccountsReceivable,
        Account::ContractAsset,
        Account::UnappliedCash,
        Account::CustomerCreditBalance,
        Account::DeferredRevenue,
        Account::TaxPayable,
        Account::CommissionsPayable,
        Account::RevenueRatable,
        Account::RevenueMilestone,
        Account::RevenueTimeAndMaterials,
        Account::RevenuePointInTime,
        Account::RevenueUsage,
        Account::ContraRevenueCreditMemos,
        Account::ContraRevenueDisputes,
        Account::ContraRevenueRefunds,
        Account::BadDebtRecoveries,
        Account::BadDebtExpense,
        Account::CommissionExpense,
        Account::FxGainLoss,
    ];

    /// The account number.
    pub const fn code(self) -> u16 {
        match self {
            Account::Cash => 1000,
            Account::AccountsReceivable => 1100,
            Account::ContractAsset => 1200,
            Account::UnappliedCash => 2000,
            Account::CustomerCreditBalance => 2100,
            Account::DeferredRevenue => 2200,
            Account::TaxPayable => 2300,
            Account::CommissionsPayable => 2400,
            Account::RevenueRatable => 4000,
            Account::RevenueMilestone => 4010,
            Account::RevenueTimeAndMaterials => 4020,
            Account::RevenuePointInTime => 4030,
            Account::RevenueUsage => 4040,
            Account::ContraRevenueCreditMemos => 4100,
            Account::ContraRevenueDisputes => 4110,
            Account::ContraRevenueRefunds => 4120,
            Account::BadDebtRecoveries => 4900,
            Account::BadDebtExpense => 6000,
            Account::CommissionExpense => 6100,
            Account::FxGainLoss => 7000,
        }
    }

    /// The account's class.
    pub const fn class(self) -> AccountClass {
        match self.code() {
            1000..=1999 => AccountClass::Asset,
            2000..=2999 => AccountClass::Liability,
            4000..=4099 | 4900..=4999 | 7000..=7999 => AccountClass::Income,
            _ => AccountClass::Expense,
        }
    }

    /// The revenue account of `method`.
    pub const fn revenue(method: RecognitionMethod) -> Account {
        match method {
            RecognitionMethod::Ratable => Account::RevenueRatable,
            RecognitionMethod::Milestone => Account::RevenueMilestone,
            RecognitionMethod::TimeAndMaterials => Account::RevenueTimeAndMaterials,
            RecognitionMethod::PointInTime => Account::RevenuePointInTime,
            RecognitionMethod::Usage => Account::RevenueUsage,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_in_code_order_and_matches_ord() {
        assert!(Account::ALL.windows(2).all(|w| w[0].code() < w[1].code() && w[0] < w[1]));
        assert_eq!(serde_json::to_string(&Account::AccountsReceivable).unwrap(), r#""accounts_receivable""#);
        assert_eq!(Account::ContraRevenueDisputes.class(), AccountClass::Expense);
        assert_eq!(Account::FxGainLoss.class(), AccountClass::Income);
        assert_eq!(Account::revenue(RecognitionMethod::Usage), Account::RevenueUsage);
    }
}
