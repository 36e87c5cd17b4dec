//! What reps earn, as the ledger books it: the commission on each booking
//! (or collection) by the plan's marginal tiers, and its clawback.
//!
//! There is no "commission earned" event: the log records plans, bookings
//! (`contract_signed` with a `commission_plan`, renewals) and payouts. The
//! earned amount is therefore computed here with revops-core's
//! [`CommissionPlan::commission_on`], from the plan's credited amount before
//! the booking, booked on the booking date. On the sample book this gives
//! exactly the payouts recorded (8 % of 84,000.00 = 6,720.00).

use chrono::NaiveDate;
use revops_core::commission::{CommissionBasis, CommissionPlan};
use revops_core::rounding::RoundingMode;
use revops_core::Money;
use revops_events::event::CommissionPlanDefined;

use crate::intern::Interner;

/// A plan and what its rep has been credited with so far.
#[derive(Clone, Debug)]
struct Plan {
    plan: CommissionPlan,
    credited: Money,
}

/// A booking that earned commission, kept for its clawback.
#[derive(Clone, Copy, Debug)]
struct Booking {
    plan: u32,
    booked_on: NaiveDate,
    amount: Money,
    clawed_back: bool,
}

/// Plans by id and the commission-bearing bookings of each contract.
#[derive(Clone, Debug, Default)]
pub(crate) struct Commissions {
    plan_ids: Interner,
    plans: Vec<Option<Plan>>,
    /// The plan of each contract (by contract index), if any.
    contract_plans: Vec<Option<u32>>,
    bookings: Vec<(u32, Booking)>,
}

/// Commission to book: the amount (negative for a clawback) in the plan's
/// currency.
pub(crate) type Earned = Result<Option<Money>, String>;

impl Commissions {
    /// `commission_plan_defined`; a plan revops-core refuses is reported.
    pub(crate) fn define(&mut self, e: &CommissionPlanDefined) -> Result<(), String> {
        let index = self.plan_ids.intern(e.plan.as_str()) as usize;
        self.plans.resize(self.plan_ids.len(), None);
        if self.plans[index].is_some() {
            return Ok(()); // the first definition of a plan id stands
        }
        let plan = CommissionPlan::new(
            e.plan.as_str(),
            Money::new(e.quota, e.currency),
            e.basis,
            e.tiers.clone(),
            e.clawback_months,
            e.payout_day,
        )
        .map_err(|err| err.to_string())?;
        self.plans[index] = Some(Plan { credited: Money::zero(plan.currency()), plan });
        Ok(())
    }

    /// The commission on crediting `amount` to `plan`, which advances the
    /// plan's attainment.
    fn credit(&mut self, plan: u32, amount: Money) -> Earned {
        let Some(p) = self.plans.get_mut(plan as usize).and_then(Option::as_mut) else { return Ok(None) };
        if amount.currency != p.plan.currency() {
            return Err(format!(
                "a {} amount cannot be credited to commission plan {} in {}",
                amount.currency,
                p.plan.plan,
                p.plan.currency()
            ));
        }
        let breakdown = p.plan.commission_on(amount, p.credited, RoundingMode::HalfUp).map_err(|e| e.to_string())?;
        p.credited = breakdown.attainment_after;
        Ok(Some(breakdown.total))
    }

    /// A booking of `amount` on contract `contract` under plan id `plan` on
    /// `on`: commission on booking-basis plans; collection-basis plans earn
    /// on cash later (see [`Commissions::collected`]).
    pub(crate) fn booked(&mut self, contract: u32, plan: &str, amount: Money, on: NaiveDate) -> Earned {
        let Some(plan) = self.plan_ids.get(plan) else { return Ok(None) };
        if self.contract_plans.len() <= contract as usize {
            self.contract_plans.resize(contract as usize + 1, None);
        }
        self.contract_plans[contract as usize] = Some(plan);
        let Some(basis) = self.plans[plan as usize].as_ref().map(|p| p.plan.basis) else { return Ok(None) };
        if basis != CommissionBasis::Booking || amount.is_zero() {
            return Ok(None);
        }
        let earned = self.credit(plan, amount)?;
        self.bookings.push((contract, Booking { plan, booked_on: on, amount, clawed_back: false }));
        Ok(earned)
    }

    /// A renewal of `contract` booking `amount`, under the contract's plan.
    pub(crate) fn renewed(&mut self, contract: u32, amount: Money, on: NaiveDate) -> Earned {
        let Some(plan) = self.contract_plans.get(contract as usize).copied().flatten() else { return Ok(None) };
        let id = self.plan_ids.name(plan).to_owned();
        self.booked(contract, &id, amount, on)
    }

    /// Cash of `amount` (revenue, before tax) collected on `contract`:
    /// commission on collection-basis plans.
    pub(crate) fn collected(&mut self, contract: u32, amount: Money) -> Earned {
        let Some(plan) = self.contract_plans.get(contract as usize).copied().flatten() else { return Ok(None) };
        match self.plans[plan as usize].as_ref() {
            Some(p) if p.plan.basis == CommissionBasis::Collection => self.credit(plan, amount),
            _ => Ok(None),
        }
    }

    /// `contract_cancelled` effective `on`: every booking of the contract
    /// still inside its plan's clawback window is reversed, walking the tiers
    /// back down. Returns the (negative) amounts per currency.
    pub(crate) fn cancelled(&mut self, contract: u32, on: NaiveDate) -> Vec<Earned> {
        let mut out = Vec::new();
        for i in 0..self.bookings.len() {
            let (c, booking) = self.bookings[i];
            if c != contract || booking.clawed_back {
                continue;
            }
            let Some(plan) = self.plans[booking.plan as usize].as_ref() else { continue };
            match plan.plan.clawback_deadline(booking.booked_on) {
                Ok(deadline) if on <= deadline => {
                    self.bookings[i].1.clawed_back = true;
                    out.push(self.credit(booking.plan, -booking.amount));
                }
                Ok(_) => {}
                Err(e) => out.push(Err(e.to_string())),
            }
        }
        out
    }
}
