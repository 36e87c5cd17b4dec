//! The credit check: may a customer place an order, and on what terms.
//!
//! A query, not a command: the vocabulary records no credit decision, so
//! nothing is appended. It applies revops-core's policy table
//! ([`revops_core::credit`]) to what the ledger knows of the customer:
//!
//! - **ARR** on the as-of date, counted as revops-projections' `Mrr` counts
//!   it: the subscription lines in service that day (terms in force, not
//!   removed, contract not cancelled), each line's price over its service
//!   period in months (the last partial month as days covered / days in it),
//!   rounded half away from zero to the minor unit once per line, summed,
//!   times 12.
//! - **new customer**: no contract signed yet, so this order is the first.
//! - **prior late payer**: a payment that arrived after the due date of the
//!   invoice it settled, on or before the as-of date.
//! - **exposure**: the open amounts of the customer's invoices plus the order.
//!
//! The category's row gives the credit limit, the payment terms that may be
//! offered and the deposit rule. The decision is the first rule that fires:
//!
//! 1. [`CreditRule::CreditHold`] — a customer on credit hold is refused.
//! 2. [`CreditRule::OpenArOverLimit`] — open AR alone above the limit is
//!    refused: no deposit on the order brings the exposure within it.
//! 3. [`CreditRule::ExposureOverLimit`] — exposure above the limit needs a
//!    deposit of the excess, and is refused where the row takes no deposit
//!    (enterprise, mid-market).
//! 4. [`CreditRule::DepositPolicy`] — the row's own deposit: the whole order
//!    for a prior late payer, the order above $10,000 for a new customer.
//!    When rules 3 and 4 both ask for a deposit, the larger is asked and the
//!    rule that set it is named (the row on a tie).
//! 5. [`CreditRule::WithinLimit`] — approved, nothing else fired.
//!
//! The table is in USD: a customer billed in another currency is a
//! [`Error::CurrencyMismatch`], never a comparison of unconverted amounts.
//! The customer's own recorded `credit_limit` is not read: the table decides.

use chrono::{Datelike, NaiveDate};
use revops_core::credit::{credit_policy, CreditCategory, CreditProfile, DepositRule, POLICY_CURRENCY};
use revops_core::rounding::{extend, RoundingMode};
use revops_core::terms::{Contract, ContractLine, LineKind, PaymentTerms};
use revops_core::{Currency, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::in_force::terms_in_force;
use super::state::ContractState;
use super::Ledger;
use crate::ids::CustomerId;
use crate::log::EventLog;
use crate::Error;

/// How a line's MRR is rounded to the minor unit: as `Mrr` rounds it.
const MRR_ROUNDING: RoundingMode = RoundingMode::HalfUp;

/// What the credit check decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditOutcome {
    /// The order may go ahead on the offered terms.
    Approved,
    /// The order may go ahead once the deposit is paid.
    DepositRequired,
    /// The order may not go ahead.
    Refused,
}

/// The rule that decided; see the [module docs](self) for their order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditRule {
    /// The customer is on credit hold.
    CreditHold,
    /// The open AR alone exceeds the credit limit.
    OpenArOverLimit,
    /// Open AR plus the order exceeds the credit limit.
    ExposureOverLimit,
    /// The category's deposit rule.
    DepositPolicy,
    /// Exposure within the limit and no deposit due.
    WithinLimit,
}

/// A credit decision and everything it was made from; amounts in
/// `currency`, as strings with the currency's minor places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditDecision {
    /// The customer.
    pub customer: CustomerId,
    /// The day ARR was counted on.
    pub as_of: NaiveDate,
    /// The currency of the amounts: the policy table's.
    pub currency: Currency,
    /// The customer's category in the table.
    pub category: CreditCategory,
    /// Annual recurring revenue on `as_of`.
    pub arr: String,
    /// The category's credit limit.
    pub credit_limit: String,
    /// The payment terms that may be offered, the usual one first.
    pub payment_terms: Vec<PaymentTerms>,
    /// Open amounts of the customer's invoices.
    pub open_ar: String,
    /// The order checked.
    pub order: String,
    /// `open_ar + order`.
    pub exposure: String,
    /// The decision.
    pub outcome: CreditOutcome,
    /// The deposit asked for; zero unless `outcome` is `deposit_required`.
    pub deposit: String,
    /// The rule that decided.
    pub rule: CreditRule,
    /// The decision in words, with the figures that made it.
    pub reason: String,
}

impl<L: EventLog> Ledger<L> {
    /// Checks an order of `order` (in the customer's currency) by
    /// `customer` against the credit policy, with ARR counted on `as_of`;
    /// see the [module docs](self). Appends nothing.
    ///
    /// Errors: an unknown customer, a customer or order not in the policy
    /// currency, a negative order or one not in whole minor units.
    pub fn check_credit(&self, customer: &CustomerId, order: Money, as_of: NaiveDate) -> Result<CreditDecision, Error> {
        let state = self.state();
        let c = state.customer(customer).ok_or_else(|| Error::UnknownEntity {
            entity: "customer",
            id: customer.to_string(),
            field: "customer",
        })?;
        let mismatch = |against, expected, found| Error::CurrencyMismatch {
            entity: "customer",
            id: customer.to_string(),
            field: "currency",
            against,
            expected,
            found,
        };
        if c.currency != POLICY_CURRENCY {
            return Err(mismatch("credit policy", POLICY_CURRENCY, c.currency));
        }
        if order.currency != c.currency {
            return Err(mismatch("order", c.currency, order.currency));
        }
        if order.is_negative() {
            return Err(Error::Negative {
                entity: "customer",
                id: customer.to_string(),
                field: "order",
                amount: order.amount,
            });
        }
        if order.to_minor().is_err() {
            return Err(Error::NotMinorUnits {
                entity: "customer",
                id: customer.to_string(),
                field: "order",
                amount: order,
            });
        }
        let contracts: Vec<&ContractState> = state.contracts.values().filter(|k| k.customer == *customer).collect();
        let mut arr = Money::zero(c.currency);
        for contract in &contracts {
            arr = arr.checked_add(contract_mrr(contract, as_of)?)?;
        }
        let annual =
            arr.amount.checked_mul(Decimal::from(12)).ok_or(revops_core::Error::AmountOutOfRange { amount: arr })?;
        let arr = Money::new(annual, arr.currency);
        let mut open_ar = Money::zero(c.currency);
        for invoice in state.invoices.values().filter(|i| i.customer == *customer && i.currency == c.currency) {
            let open = invoice.open_amount();
            if !open.is_negative() {
                open_ar = open_ar.checked_add(open)?;
            }
        }
        let profile = CreditProfile {
            arr,
            is_new_customer: contracts.is_empty(),
            prior_late_payer: c.paid_late_on.is_some_and(|on| on <= as_of),
        };
        let policy = credit_policy(&profile)?;
        let exposure = open_ar.checked_add(order)?;
        let limit = policy.credit_limit;
        let zero = Money::zero(c.currency);
        let excess = max(exposure.checked_sub(limit)?, zero);
        let by_policy = if policy.deposit_required(order)? {
            match policy.deposit {
                DepositRule::RequiredAbove(threshold) => order.checked_sub(threshold)?,
                DepositRule::Required | DepositRule::None | DepositRule::Optional => order,
            }
        } else {
            zero
        };
        let category = policy.category;
        let name = category_name(category);
        let (outcome, deposit, rule, reason) = if c.on_credit_hold {
            (CreditOutcome::Refused, zero, CreditRule::CreditHold, format!("customer {customer} is on credit hold"))
        } else if excess.amount > order.amount {
            let reason = format!(
                "open AR {} already exceeds the credit limit {}: no deposit on the order brings the exposure within it",
                open_ar.amount, limit.amount
            );
            (CreditOutcome::Refused, zero, CreditRule::OpenArOverLimit, reason)
        } else if !excess.is_zero() && policy.deposit == DepositRule::None {
            let reason = format!(
                "exposure {} exceeds the credit limit {} and the {name} policy takes no deposit",
                exposure.amount, limit.amount
            );
            (CreditOutcome::Refused, zero, CreditRule::ExposureOverLimit, reason)
        } else if !by_policy.is_zero() && by_policy.amount >= excess.amount {
            let reason = match policy.deposit {
                DepositRule::RequiredAbove(threshold) => format!(
                    "the {name} policy requires a deposit of the order above {}: {}",
                    threshold.amount, by_policy.amount
                ),
                _ => format!("the {name} policy requires a deposit of the whole order: {}", by_policy.amount),
            };
            (CreditOutcome::DepositRequired, by_policy, CreditRule::DepositPolicy, reason)
        } else if !excess.is_zero() {
            let reason = format!(
                "exposure {} exceeds the credit limit {}: a deposit of {} brings it within the limit",
                exposure.amount, limit.amount, excess.amount
            );
            (CreditOutcome::DepositRequired, excess, CreditRule::ExposureOverLimit, reason)
        } else {
            let reason = format!("exposure {} is within the credit limit {}", exposure.amount, limit.amount);
            (CreditOutcome::Approved, zero, CreditRule::WithinLimit, reason)
        };
        Ok(CreditDecision {
            customer: customer.clone(),
            as_of,
            currency: c.currency,
            category,
            arr: places(arr)?,
            credit_limit: places(limit)?,
            payment_terms: policy.payment_terms,
            open_ar: places(open_ar)?,
            order: places(order)?,
            exposure: places(exposure)?,
            outcome,
            deposit: places(deposit)?,
            rule,
            reason,
        })
    }
}

/// The category as the table and the serde form name it.
fn category_name(category: CreditCategory) -> &'static str {
    match category {
        CreditCategory::Enterprise => "enterprise",
        CreditCategory::MidMarket => "mid_market",
        CreditCategory::Smb => "smb",
        CreditCategory::NewCustomer => "new_customer",
        CreditCategory::PriorLatePayer => "prior_late_payer",
    }
}

fn max(a: Money, b: Money) -> Money {
    if a.amount >= b.amount {
        a
    } else {
        b
    }
}

/// `money` as a string with exactly its currency's minor places.
fn places(money: Money) -> Result<String, Error> {
    Ok(Money::from_minor(money.to_minor()?, money.currency).amount.to_string())
}

/// The MRR of `contract` on `as_of`: its subscription lines in service that
/// day, in every term (terms do not overlap, so at most one counts).
fn contract_mrr(contract: &ContractState, as_of: NaiveDate) -> Result<Money, Error> {
    let mut mrr = Money::zero(contract.currency);
    if contract.cancelled_on.is_some_and(|on| on <= as_of) {
        return Ok(mrr);
    }
    for term in terms_in_force(contract, as_of) {
        for line in term.terms.lines.iter().filter(|l| l.kind == LineKind::Subscription) {
            let live = term.removed_on(&line.line).is_none_or(|on| on > as_of);
            let (start, end) = service(&term.terms, line);
            if live && start <= as_of && as_of <= end {
                mrr = mrr.checked_add(line_mrr(Money::new(line.price, contract.currency), start, end)?)?;
            }
        }
    }
    Ok(mrr)
}

fn service(terms: &Contract, line: &ContractLine) -> (NaiveDate, NaiveDate) {
    (line.start_date.unwrap_or(terms.start_date), line.end_date.unwrap_or(terms.end_date))
}

/// `price` (for `start ..= end`) per month: whole months from `start`, then
/// the last partial month as days covered / days from its start to the same
/// day a month later. Zero for an empty period or a negative price.
fn line_mrr(price: Money, start: NaiveDate, end: NaiveDate) -> Result<Money, Error> {
    let zero = Money::zero(price.currency);
    let Some(stop) = end.succ_opt() else { return Ok(zero) };
    if stop <= start || !price.amount.is_sign_positive() || price.is_zero() {
        return Ok(zero);
    }
    let months_to = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let add = |months: i64| {
        let months = i32::try_from(months).map_err(|_| revops_core::Error::DateOutOfRange)?;
        revops_core::calendar::add_months(start, months)
    };
    let mut whole = months_to(stop) - months_to(start);
    if add(whole)? > stop {
        whole -= 1;
    }
    let (anchor, next) = (add(whole)?, add(whole + 1)?);
    let (rem, month_days) = ((stop - anchor).num_days(), (next - anchor).num_days());
    let months_in_days = Decimal::from(whole * month_days + rem);
    let exact = price
        .amount
        .checked_mul(Decimal::from(month_days))
        .and_then(|p| p.checked_div(months_in_days))
        .ok_or(revops_core::Error::AmountOutOfRange { amount: price })?;
    Ok(extend(Decimal::ONE, Money::new(exact, price.currency), MRR_ROUNDING)?)
}
