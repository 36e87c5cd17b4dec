//! The company's own calendar: commission plans and payouts, FX rates,
//! partner funds and attributions, and the monthly close.

use chrono::{Datelike, NaiveDate};
use revops_core::calendar::{add_months, YearMonth};
use revops_core::commission::{CommissionBasis, CommissionTier};
use revops_core::Currency;
use revops_events::event::*;
use revops_events::ids::*;
use revops_events::EventLog;
use rust_decimal::Decimal;

use super::catalog::{FAMILY_NAMES, GIVEN_NAMES, PARTNER_NAMES};
use super::generator::{id, minor, whole, Generator, Rep, Task};
use super::Error;

/// The rep's currency: half the reps sell in USD, the rest in EUR and GBP,
/// so that every deal currency has someone to credit.
fn rep_currency(index: usize) -> Currency {
    match index % 4 {
        1 => Currency::EUR,
        3 => Currency::GBP,
        _ => Currency::USD,
    }
}

impl<L: EventLog> Generator<'_, L> {
    /// What the company does on a day before the customers' business.
    pub(super) fn company_day(&mut self) -> Result<(), Error> {
        let today = self.today;
        let first_day = today == self.config.start;
        if first_day {
            self.hire();
        }
        if first_day || (today.month() == 1 && today.day() == 1) {
            self.define_plans()?;
        }
        if first_day || today.day() == 1 {
            self.set_fx_rates()?;
        }
        if first_day || (today.day() == 1 && today.month() % 3 == 1) {
            self.allocate_mdf()?;
        }
        if today.day() == 5 {
            let period = YearMonth::of(today).plus(-1).expect("simulated months are in range");
            if period >= YearMonth::of(self.config.start) {
                self.emit(PeriodClosed { period, closed_on: today })?;
            }
        }
        self.pay_commissions()?;
        if today.day() == 20 {
            self.spend_mdf()?;
        }
        Ok(())
    }

    /// Names the reps and partners; they act from the first day.
    fn hire(&mut self) {
        for index in 0..self.config.reps {
            let given = *self.rng.pick(GIVEN_NAMES);
            let family = *self.rng.pick(FAMILY_NAMES);
            let payout_day = *self.rng.pick(&[10, 15, 20, 25]);
            self.reps.push(Rep {
                id: id(RepId::new, format!("rep-{:03}-{}", index + 1, given.to_lowercase())),
                name: format!("{given} {family}"),
                currency: rep_currency(index),
                payout_day,
                plans: Default::default(),
            });
        }
        for index in 0..self.config.partners {
            let base = PARTNER_NAMES[index % PARTNER_NAMES.len()];
            let name = match index / PARTNER_NAMES.len() {
                0 => base.to_string(),
                n => format!("{base}-{}", n + 1),
            };
            self.partners.push(id(PartnerId::new, name));
        }
    }

    /// One plan per rep for the calendar year that starts today (or the
    /// rest of it, on the first day of the run).
    fn define_plans(&mut self) -> Result<(), Error> {
        let year = self.today.year();
        self.plan_days.insert(self.today);
        for index in 0..self.reps.len() {
            let currency = self.reps[index].currency;
            let quota = whole(self.rng.range(40, 120) * 10_000);
            let basis = if self.rng.chance(800) { CommissionBasis::Booking } else { CommissionBasis::Collection };
            let base = Decimal::new(self.rng.range(6, 10), 2);
            let tiers = vec![
                CommissionTier::new(Decimal::ZERO, base),
                CommissionTier::new(Decimal::ONE, base + Decimal::new(4, 2)),
                CommissionTier::new(Decimal::new(15, 1), base + Decimal::new(7, 2)),
            ];
            let clawback_months = *self.rng.pick(&[3, 6, 12]);
            let rep = &self.reps[index];
            let plan_id = id(PlanId::new, format!("FY{year}-{}", rep.id));
            let event = CommissionPlanDefined {
                plan: plan_id.clone(),
                rep: rep.id.clone(),
                quota,
                currency,
                basis,
                tiers,
                clawback_months,
                payout_day: rep.payout_day,
                effective_on: self.today,
            };
            self.emit(event)?;
            self.reps[index].plans.insert(year, plan_id);
        }
        Ok(())
    }

    /// Month-start rates to USD, a bounded random walk in basis points.
    fn set_fx_rates(&mut self) -> Result<(), Error> {
        for (currency, start) in [(Currency::EUR, 10_850), (Currency::GBP, 12_650)] {
            let rate = *self.fx.get(&currency).unwrap_or(&start);
            let step = self.rng.range(-150, 150);
            let next = (rate + step).clamp(start - 1_500, start + 1_500);
            self.fx.insert(currency, next);
            self.emit(FxRateSet { from: currency, to: Currency::USD, rate: Decimal::new(next, 4), on: self.today })?;
        }
        Ok(())
    }

    fn allocate_mdf(&mut self) -> Result<(), Error> {
        for index in 0..self.partners.len() {
            let amount = whole(self.rng.range(10, 50) * 500);
            let partner = self.partners[index].clone();
            self.emit(MdfAllocated { partner, amount, currency: Currency::USD, allocated_on: self.today })?;
        }
        Ok(())
    }

    fn spend_mdf(&mut self) -> Result<(), Error> {
        const USES: &[&str] = &["joint webinar", "trade show booth", "co-branded campaign", "partner training"];
        for index in 0..self.partners.len() {
            let partner = self.partners[index].clone();
            let Some(balance) = self.ledger.state().partner(&partner).map(|p| p.mdf_balance()) else { continue };
            let left: i64 = balance.amount.trunc().try_into().unwrap_or(0);
            if left < 10 || !self.rng.chance(500) {
                continue;
            }
            let spent = (left * self.rng.range(10, 60) / 100).max(1);
            let description = (*self.rng.pick(USES)).to_string();
            self.emit(MdfSpent {
                partner,
                amount: whole(spent),
                currency: balance.currency,
                spent_on: self.today,
                description,
            })?;
        }
        Ok(())
    }

    /// Pays each rep whose payout day it is what the commission statement
    /// (revops-projections' `Commissions`, fed with every event appended)
    /// shows payable for last month, never more than the rep's whole
    /// payable: clawbacks and earlier overpayments come off the payout.
    fn pay_commissions(&mut self) -> Result<(), Error> {
        let today = self.today;
        if !self.reps.iter().any(|r| r.payout_day == today.day()) {
            return Ok(());
        }
        let month = YearMonth::of(today).plus(-1).expect("simulated months are in range");
        let statement = self
            .commissions
            .report(today)
            .map_err(|source| Error::Statement { date: today, source: Box::new(source) })?;
        for index in 0..self.reps.len() {
            let rep = &self.reps[index];
            if rep.payout_day != today.day() {
                continue;
            }
            let Some(line) = statement.reps.iter().find(|r| r.rep == rep.id.as_str()) else { continue };
            let Some(period) = line.periods.iter().find(|p| p.period == month) else { continue };
            let payable = |s: &str| s.parse::<Decimal>().expect("statement amounts are decimals");
            let amount = payable(&period.sums.payable).min(payable(&line.totals.payable));
            if amount <= Decimal::ZERO {
                continue;
            }
            self.emit(CommissionPaid {
                rep: rep.id.clone(),
                amount,
                currency: rep.currency,
                paid_on: today,
                period: month,
            })?;
            if self.rng.chance(60) {
                let on = self.in_random_days(3, 10);
                self.at(on, Task::OpenCommissionDispute(index));
            }
        }
        Ok(())
    }

    pub(super) fn open_commission_dispute(&mut self, rep: usize) -> Result<(), Error> {
        self.counters.commission_dispute += 1;
        let dispute = id(CommissionDisputeId::new, format!("CD-{:05}", self.counters.commission_dispute));
        let amount = whole(self.rng.range(1, 20) * 100);
        let currency = self.reps[rep].currency;
        let reason = (*self.rng.pick(&[
            "renewal credited to the wrong rep",
            "split deal missing from the statement",
            "accelerator not applied",
        ]))
        .to_string();
        self.emit(CommissionDisputeOpened {
            dispute: dispute.clone(),
            rep: self.reps[rep].id.clone(),
            amount,
            currency,
            opened_on: self.today,
            reason,
        })?;
        let on = self.in_random_days(7, 21);
        self.at(on, Task::ResolveCommissionDispute { dispute, rep, amount });
        Ok(())
    }

    pub(super) fn resolve_commission_dispute(
        &mut self,
        dispute: CommissionDisputeId,
        rep: usize,
        amount: Decimal,
    ) -> Result<(), Error> {
        let currency = self.reps[rep].currency;
        let granted = match self.rng.below(3) {
            0 => Decimal::ZERO,
            1 => amount / Decimal::TWO,
            _ => amount,
        };
        self.emit(CommissionDisputeResolved { dispute: dispute.clone(), resolved_on: self.today, granted, currency })?;
        if granted > Decimal::ZERO {
            self.emit(CommissionAdjusted {
                rep: self.reps[rep].id.clone(),
                amount: granted,
                currency,
                adjusted_on: self.today,
                reason: format!("commission dispute {dispute} granted"),
            })?;
        }
        Ok(())
    }

    /// A rep for a deal in `currency` and the plan in force today, if any
    /// rep sells in that currency.
    pub(super) fn pick_rep(&mut self, currency: Currency) -> Option<(usize, PlanId)> {
        let candidates: Vec<usize> = (0..self.reps.len()).filter(|&r| self.reps[r].currency == currency).collect();
        if candidates.is_empty() {
            return None;
        }
        let rep = *self.rng.pick(&candidates);
        let plan = self.reps[rep].plans.get(&self.today.year())?.clone();
        Some((rep, plan))
    }

    /// Partner attributions at signing: now and then a sourcing partner
    /// (never two), an influencer or co-seller, and a SPIF.
    pub(super) fn attribute_partners(&mut self, deal: usize) -> Result<(), Error> {
        if self.partners.is_empty() {
            return Ok(());
        }
        let contract = self.deals[deal].id.clone();
        let mut sourced = None;
        if self.rng.chance(200) {
            let partner = self.rng.index(self.partners.len());
            let share = Decimal::new(self.rng.range(10, 30), 2);
            self.emit(PartnerAttributed {
                contract: contract.clone(),
                partner: self.partners[partner].clone(),
                kind: AttributionKind::Sourced,
                share,
                attributed_on: self.today,
            })?;
            sourced = Some(partner);
            if self.rng.chance(350) {
                let on = self.in_random_days(0, 30);
                self.at(on, Task::EarnSpif { deal, partner });
            }
        }
        if self.partners.len() > 1 && self.rng.chance(120) {
            let mut partner = self.rng.index(self.partners.len());
            if Some(partner) == sourced {
                partner = (partner + 1) % self.partners.len();
            }
            let kind = if self.rng.chance(500) { AttributionKind::Influenced } else { AttributionKind::CoSell };
            let share = Decimal::new(self.rng.range(5, 15), 2);
            self.emit(PartnerAttributed {
                contract,
                partner: self.partners[partner].clone(),
                kind,
                share,
                attributed_on: self.today,
            })?;
        }
        Ok(())
    }

    pub(super) fn earn_spif(&mut self, deal: usize, partner: usize) -> Result<(), Error> {
        let d = &self.deals[deal];
        let (contract, currency) = (d.id.clone(), d.currency);
        let quarter = (self.today.month() - 1) / 3 + 1;
        let program = format!("Q{quarter} {} new-logo SPIF", self.today.year());
        let amount = minor(self.rng.range(5, 50) * 5_000, currency).amount;
        self.emit(SpifEarned {
            partner: self.partners[partner].clone(),
            contract,
            amount,
            currency,
            earned_on: self.today,
            program,
        })
    }
}

/// The month count between `from` and `to` rounded up: the months a line
/// from `from` to `to` (inclusive) is priced for.
pub(super) fn months_covering(from: NaiveDate, to: NaiveDate) -> i64 {
    let mut months = 0;
    let mut cursor = from;
    // Bounded by the length of a term (at most a few years).
    while cursor <= to {
        months += 1;
        cursor = add_months(from, months as i32).expect("simulated dates are in range");
    }
    months
}
