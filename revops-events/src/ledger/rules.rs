//! The rules a command must pass before its event is appended.
//!
//! Each rule reads only [`LedgerState`] and the event itself, and a refusal
//! is a typed [`Error`] that names the entity and the field. The rules run
//! in a fixed order (existence, then identity and currency, then amounts),
//! so a command that breaks several rules always gets the same error.

use chrono::{Days, NaiveDate};
use revops_core::modification::{LineChange, Modification};
use revops_core::performance::Performance;
use revops_core::recognition::{schedule, RecognitionSettings};
use revops_core::terms::{Contract, Recognition};
use revops_core::{Currency, Money};
use rust_decimal::Decimal;

use super::state::{
    ContractState, CustomerState, DisputeState, InvoiceState, LedgerState, LineState, MilestoneState, PaymentState,
};
use crate::event::*;
use crate::ids::*;
use crate::Error;

/// The most lines one invoice may carry; bounds the work one command does.
pub const MAX_INVOICE_LINES: usize = 10_000;

/// The most changes one contract modification may carry.
pub const MAX_CHANGES: usize = 1_000;

fn unknown(entity: &'static str, id: &impl ToString, field: &'static str) -> Error {
    Error::UnknownEntity { entity, id: id.to_string(), field }
}

fn duplicate(entity: &'static str, id: &impl ToString, field: &'static str) -> Error {
    Error::DuplicateId { entity, id: id.to_string(), field }
}

fn invalid(entity: &'static str, id: &impl ToString, field: &'static str, problem: &'static str) -> Error {
    Error::InvalidField { entity, id: id.to_string(), field, problem }
}

fn transition(entity: &'static str, id: &impl ToString, event: &'static str, state: &'static str) -> Error {
    Error::InvalidTransition { entity, id: id.to_string(), event, state }
}

/// `date` must not be before `bound`.
fn not_before(
    entity: &'static str,
    id: &impl ToString,
    field: &'static str,
    date: NaiveDate,
    bound_field: &'static str,
    bound: NaiveDate,
) -> Result<(), Error> {
    if date < bound {
        return Err(Error::DateBefore { entity, id: id.to_string(), field, date, bound_field, bound });
    }
    Ok(())
}

fn is_negative(amount: Decimal) -> bool {
    amount.is_sign_negative() && !amount.is_zero()
}

/// The amount is a whole number of the currency's minor units within range,
/// so every balance the state keeps stays exact to the cent.
fn minor_units(entity: &'static str, id: &impl ToString, field: &'static str, amount: Money) -> Result<(), Error> {
    match amount.to_minor() {
        Ok(_) => Ok(()),
        Err(_) => Err(Error::NotMinorUnits { entity, id: id.to_string(), field, amount }),
    }
}

/// A positive amount in whole minor units.
fn positive(entity: &'static str, id: &impl ToString, field: &'static str, amount: Money) -> Result<(), Error> {
    if amount.amount <= Decimal::ZERO {
        return Err(Error::NotPositive { entity, id: id.to_string(), field, amount: amount.amount });
    }
    minor_units(entity, id, field, amount)
}

/// A non-negative amount in whole minor units.
fn non_negative(entity: &'static str, id: &impl ToString, field: &'static str, amount: Money) -> Result<(), Error> {
    if is_negative(amount.amount) {
        return Err(Error::Negative { entity, id: id.to_string(), field, amount: amount.amount });
    }
    minor_units(entity, id, field, amount)
}

fn same_currency(
    entity: &'static str,
    id: &impl ToString,
    against: &'static str,
    expected: Currency,
    found: Currency,
) -> Result<(), Error> {
    if expected != found {
        return Err(Error::CurrencyMismatch {
            entity,
            id: id.to_string(),
            field: "currency",
            against,
            expected,
            found,
        });
    }
    Ok(())
}

/// The field of a contract that a revops-core terms error is about.
fn terms_field(error: &revops_core::Error) -> &'static str {
    match error {
        revops_core::Error::EndBeforeStart { .. } => "end_date",
        revops_core::Error::InvalidLine { field, .. } => match *field {
            "line" => "lines.line",
            "lines" => "lines",
            "price" => "lines.price",
            "ssp" => "lines.ssp",
            "unit_price" => "lines.unit_price",
            "quantity" => "lines.quantity",
            "end_date" => "lines.end_date",
            "milestones" | "milestones.amount" => "lines.milestones",
            "not_to_exceed_hours" => "lines.not_to_exceed_hours",
            _ => "lines",
        },
        revops_core::Error::UnknownLine { .. } => "changes.line",
        revops_core::Error::InvalidModification { .. } => "changes",
        _ => "terms",
    }
}

/// The milestone `milestone` of `line`, or [`Error::UnknownMilestone`].
fn milestone_of<'a>(
    line: &'a LineState,
    contract: &ContractId,
    line_id: &LineId,
    milestone: &MilestoneId,
) -> Result<&'a MilestoneState, Error> {
    line.milestones.get(milestone.as_str()).ok_or_else(|| Error::UnknownMilestone {
        contract: contract.clone(),
        line: line_id.to_string(),
        milestone: milestone.to_string(),
    })
}

pub(super) fn terms_error(contract: &ContractId, source: revops_core::Error) -> Error {
    Error::InvalidContractTerms { contract: contract.clone(), field: terms_field(&source), source }
}

impl LedgerState {
    /// Checks `event` against the current state: `Ok` when a command may
    /// append it, else the first rule it breaks. Reads nothing but `self`.
    pub fn check(&self, event: &Event) -> Result<(), Error> {
        match event {
            Event::CustomerRegistered(e) => self.check_customer_registered(e),
            Event::CustomerUpdated(e) => self.check_customer_updated(e),
            Event::ContractSigned(e) => self.check_contract_signed(e),
            Event::ContractModified(e) => self.check_contract_modified(e),
            Event::ContractRenewed(e) => self.check_contract_renewed(e),
            Event::ContractCancelled(e) => self.check_contract_cancelled(e),
            Event::MilestoneDelivered(e) => self.check_milestone_delivered(e),
            Event::MilestoneAccepted(e) => self.check_milestone_accepted(e),
            Event::LineDelivered(e) => self.check_line_delivered(e),
            Event::TimeApproved(e) => self.check_time_approved(e),
            Event::UsageRecorded(e) => self.check_usage_recorded(e),
            Event::InvoiceIssued(e) => self.check_invoice_issued(e),
            Event::InvoiceDispatched(e) => self.check_invoice_dispatched(e),
            Event::PaymentReceived(e) => self.check_payment_received(e),
            Event::PaymentApplied(e) => self.check_payment_applied(e),
            Event::PaymentRefunded(e) => self.check_payment_refunded(e),
            Event::InvoiceWrittenOff(e) => self.check_invoice_written_off(e),
            Event::CreditMemoIssued(e) => self.check_credit_memo_issued(e),
            Event::DisputeOpened(e) => self.check_dispute_opened(e),
            Event::DisputeReviewed(e) => {
                self.open_dispute_on(&e.dispute, "dispute_reviewed", "reviewed_on", e.reviewed_on).map(drop)
            }
            Event::DisputeEscalated(e) => self.check_dispute_escalated(e),
            Event::DisputeResolved(e) => self.check_dispute_resolved(e),
            Event::CollectionStepTaken(e) => self.check_collection_step_taken(e),
            Event::CreditHoldPlaced(e) => self.check_credit_hold(&e.customer, true),
            Event::CreditHoldReleased(e) => self.check_credit_hold(&e.customer, false),
            Event::CommissionPlanDefined(e) => self.check_commission_plan_defined(e),
            Event::CommissionPaid(e) => {
                self.rep_currency(&e.rep, e.currency)?;
                positive("rep", &e.rep, "amount", Money::new(e.amount, e.currency))
            }
            Event::CommissionAdjusted(e) => {
                self.rep_currency(&e.rep, e.currency)?;
                if e.amount.is_zero() {
                    return Err(invalid("rep", &e.rep, "amount", "must not be zero"));
                }
                minor_units("rep", &e.rep, "amount", Money::new(e.amount, e.currency))
            }
            Event::CommissionDisputeOpened(e) => self.check_commission_dispute_opened(e),
            Event::CommissionDisputeResolved(e) => self.check_commission_dispute_resolved(e),
            Event::RenewalContactLogged(e) => self.known_contract(&e.contract, "contract").map(drop),
            Event::PartnerAttributed(e) => self.check_partner_attributed(e),
            Event::MdfAllocated(e) => {
                if let Some(p) = self.partners.get(&e.partner) {
                    same_currency("partner", &e.partner, "partner's MDF", p.currency, e.currency)?;
                }
                positive("partner", &e.partner, "amount", Money::new(e.amount, e.currency))
            }
            Event::MdfSpent(e) => self.check_mdf_spent(e),
            Event::SpifEarned(e) => self.check_spif_earned(e),
            Event::FxRateSet(e) => {
                let id = format!("{}/{}", e.from, e.to);
                if e.from == e.to {
                    return Err(invalid("fx rate", &id, "to", "must differ from the from currency"));
                }
                if e.rate <= Decimal::ZERO {
                    return Err(Error::NotPositive { entity: "fx rate", id, field: "rate", amount: e.rate });
                }
                Ok(())
            }
            Event::PeriodClosed(e) => {
                if self.closed_periods.contains(&e.period) {
                    return Err(duplicate("period", &e.period, "period"));
                }
                not_before("period", &e.period, "closed_on", e.closed_on, "the period's last day", e.period.last_day())
            }
        }
    }

    fn known_customer(&self, id: &CustomerId, field: &'static str) -> Result<&CustomerState, Error> {
        self.customers.get(id).ok_or_else(|| unknown("customer", id, field))
    }

    fn known_contract(&self, id: &ContractId, field: &'static str) -> Result<&ContractState, Error> {
        self.contracts.get(id).ok_or_else(|| unknown("contract", id, field))
    }

    fn known_invoice(&self, id: &InvoiceId, field: &'static str) -> Result<&InvoiceState, Error> {
        self.invoices.get(id).ok_or_else(|| unknown("invoice", id, field))
    }

    fn known_payment(&self, id: &PaymentId) -> Result<&PaymentState, Error> {
        self.payments.get(id).ok_or_else(|| unknown("payment", id, "payment"))
    }

    /// The rep must have a plan, and amounts about it are in its currency.
    fn rep_currency(&self, rep: &RepId, currency: Currency) -> Result<(), Error> {
        let state = self.reps.get(rep).ok_or_else(|| unknown("rep", rep, "rep"))?;
        same_currency("rep", rep, "rep's commission plan", state.currency, currency)
    }

    /// The contract line `line` for an event of type `event`: known, of the
    /// recognition method the event is about, and not removed by `on`.
    fn performance_line<'a>(
        &'a self,
        contract: &ContractId,
        line: &LineId,
        event: &'static str,
        fits: fn(Recognition) -> bool,
        on: NaiveDate,
    ) -> Result<(&'a ContractState, &'a LineState), Error> {
        let c = self.known_contract(contract, "contract")?;
        let l = c.lines.get(line.as_str()).ok_or_else(|| Error::UnknownLine {
            contract: contract.clone(),
            line: line.to_string(),
            field: "line",
        })?;
        if !fits(l.recognition) {
            return Err(Error::WrongLineMethod {
                contract: contract.clone(),
                line: line.to_string(),
                method: l.recognition.name(),
                event,
            });
        }
        if l.removed_on.is_some_and(|removed| on >= removed) {
            return Err(transition("contract line", &format!("{contract}/{line}"), event, "was removed"));
        }
        Ok((c, l))
    }

    fn check_customer_registered(&self, e: &CustomerRegistered) -> Result<(), Error> {
        if self.customers.contains_key(&e.customer) {
            return Err(duplicate("customer", &e.customer, "customer"));
        }
        if e.legal_entity.trim().is_empty() {
            return Err(invalid("customer", &e.customer, "legal_entity", "must not be empty"));
        }
        non_negative("customer", &e.customer, "credit_limit", Money::new(e.credit_limit, e.currency))
    }

    fn check_customer_updated(&self, e: &CustomerUpdated) -> Result<(), Error> {
        let c = self.known_customer(&e.customer, "customer")?;
        if e.legal_entity.as_ref().is_some_and(|l| l.trim().is_empty()) {
            return Err(invalid("customer", &e.customer, "legal_entity", "must not be empty"));
        }
        match e.credit_limit {
            Some(limit) => non_negative("customer", &e.customer, "credit_limit", Money::new(limit, c.currency)),
            None => Ok(()),
        }
    }

    fn check_contract_signed(&self, e: &ContractSigned) -> Result<(), Error> {
        if self.contracts.contains_key(&e.contract) {
            return Err(duplicate("contract", &e.contract, "contract"));
        }
        let customer = self.known_customer(&e.customer, "customer")?;
        e.terms().validate().map_err(|source| terms_error(&e.contract, source))?;
        same_currency("contract", &e.contract, "customer", customer.currency, e.currency)?;
        let certified = e.tax_exemption_certificate.as_ref().is_some_and(|c| !c.trim().is_empty());
        if e.tax_exempt && !certified {
            return Err(Error::ExemptionCertificateRequired { contract: e.contract.clone() });
        }
        if let Some(plan) = &e.commission_plan {
            if !self.plans.contains_key(plan) {
                return Err(unknown("commission plan", plan, "commission_plan"));
            }
        }
        Ok(())
    }

    fn live_contract(&self, id: &ContractId, event: &'static str) -> Result<&ContractState, Error> {
        let c = self.known_contract(id, "contract")?;
        if c.cancelled_on.is_some() {
            return Err(transition("contract", id, event, "is cancelled"));
        }
        Ok(c)
    }

    fn check_contract_modified(&self, e: &ContractModified) -> Result<(), Error> {
        let c = self.live_contract(&e.contract, "contract_modified")?;
        let id = &e.contract;
        if e.changes.is_empty() {
            return Err(invalid("contract", id, "changes", "must not be empty"));
        }
        if e.changes.len() > MAX_CHANGES {
            return Err(invalid("contract", id, "changes", "holds more than 1000 changes"));
        }
        not_before("contract", id, "effective_on", e.effective_on, "start_date", c.terms.start_date)?;
        not_before("contract", id, "end_date", c.terms.end_date, "effective_on", e.effective_on)?;
        for (i, change) in e.changes.iter().enumerate() {
            match change {
                LineChange::Add { line } => {
                    let earlier =
                        e.changes[..i].iter().any(|o| matches!(o, LineChange::Add { line: l } if l.line == line.line));
                    if c.lines.contains_key(&line.line) || earlier {
                        return Err(Error::DuplicateLine {
                            contract: id.clone(),
                            line: line.line.clone(),
                            field: "changes.line",
                        });
                    }
                    line.validate(c.currency).map_err(|source| terms_error(id, source))?;
                }
                LineChange::Amend { line, .. } | LineChange::Remove { line } => {
                    let state = c.lines.get(line).ok_or_else(|| Error::UnknownLine {
                        contract: id.clone(),
                        line: line.clone(),
                        field: "changes.line",
                    })?;
                    if state.removed_on.is_some() {
                        return Err(transition(
                            "contract line",
                            &format!("{id}/{line}"),
                            "contract_modified",
                            "was removed",
                        ));
                    }
                }
            }
        }
        // The last word is revops-core's: the terms with every modification
        // of the term, this one included, must still give a schedule. Only
        // when they did without it: a history that already breaks a core
        // rule (facts are facts) must not block every later change.
        let proposed =
            Modification { effective_on: e.effective_on, treatment: e.treatment, changes: e.changes.clone() };
        let settings = RecognitionSettings::default();
        let nothing = Performance::default();
        if schedule(&c.terms, &nothing, &c.modifications, settings).is_ok() {
            let mut all = c.modifications.clone();
            all.push(proposed);
            schedule(&c.terms, &nothing, &all, settings).map_err(|source| terms_error(id, source))?;
        }
        Ok(())
    }

    fn check_contract_renewed(&self, e: &ContractRenewed) -> Result<(), Error> {
        let c = self.live_contract(&e.contract, "contract_renewed")?;
        let id = &e.contract;
        // A renewal term follows the current one without overlap.
        let day_after = c.terms.end_date.checked_add_days(Days::new(1)).unwrap_or(c.terms.end_date);
        not_before("contract", id, "start_date", e.start_date, "the day after the current end_date", day_after)?;
        let terms =
            Contract { start_date: e.start_date, end_date: e.end_date, lines: e.lines.clone(), ..c.terms.clone() };
        terms.validate().map_err(|source| terms_error(id, source))?;
        // A renewal's line serves inside the renewal: starting earlier would
        // put its revenue into the term before, even into a closed month.
        for start in e.lines.iter().filter_map(|l| l.start_date) {
            not_before("contract", id, "lines.start_date", start, "start_date", e.start_date)?;
        }
        if let Some(line) = e.lines.iter().find(|l| c.lines.contains_key(&l.line)) {
            return Err(Error::DuplicateLine { contract: id.clone(), line: line.line.clone(), field: "lines.line" });
        }
        Ok(())
    }

    fn check_contract_cancelled(&self, e: &ContractCancelled) -> Result<(), Error> {
        let c = self.live_contract(&e.contract, "contract_cancelled")?;
        not_before("contract", &e.contract, "effective_on", e.effective_on, "start_date", c.terms.start_date)?;
        if e.reason.trim().is_empty() {
            return Err(invalid("contract", &e.contract, "reason", "must not be empty"));
        }
        Ok(())
    }

    fn check_milestone_delivered(&self, e: &MilestoneDelivered) -> Result<(), Error> {
        let fits = |r| r == Recognition::Milestone;
        let (c, line) = self.performance_line(&e.contract, &e.line, "milestone_delivered", fits, e.delivered_on)?;
        if c.cancelled_on.is_some_and(|on| e.delivered_on >= on) {
            return Err(transition("contract", &e.contract, "milestone_delivered", "is cancelled by then"));
        }
        let m = milestone_of(line, &e.contract, &e.line, &e.milestone)?;
        if m.delivered_on.is_some() {
            let id = format!("{}/{}/{}", e.contract, e.line, e.milestone);
            return Err(transition("milestone", &id, "milestone_delivered", "is already delivered"));
        }
        Ok(())
    }

    fn check_milestone_accepted(&self, e: &MilestoneAccepted) -> Result<(), Error> {
        let fits = |r| r == Recognition::Milestone;
        let (_, line) = self.performance_line(&e.contract, &e.line, "milestone_accepted", fits, e.accepted_on)?;
        let m = milestone_of(line, &e.contract, &e.line, &e.milestone)?;
        let id = format!("{}/{}/{}", e.contract, e.line, e.milestone);
        // Revenue waits for acceptance, and acceptance is of delivered work.
        let Some(delivered_on) = m.delivered_on else {
            return Err(transition("milestone", &id, "milestone_accepted", "is not delivered"));
        };
        if m.accepted_on.is_some() {
            return Err(transition("milestone", &id, "milestone_accepted", "is already accepted"));
        }
        not_before("milestone", &id, "accepted_on", e.accepted_on, "delivered_on", delivered_on)
    }

    fn check_line_delivered(&self, e: &LineDelivered) -> Result<(), Error> {
        let fits = |r| r == Recognition::PointInTime;
        let (c, line) = self.performance_line(&e.contract, &e.line, "line_delivered", fits, e.delivered_on)?;
        let id = format!("{}/{}", e.contract, e.line);
        if c.cancelled_on.is_some_and(|on| e.delivered_on >= on) {
            return Err(transition("contract", &e.contract, "line_delivered", "is cancelled by then"));
        }
        if line.delivered_on.is_some() {
            return Err(transition("contract line", &id, "line_delivered", "is already delivered"));
        }
        Ok(())
    }

    fn check_time_approved(&self, e: &TimeApproved) -> Result<(), Error> {
        let fits = |r| r == Recognition::TimeAndMaterials;
        self.performance_line(&e.contract, &e.line, "time_approved", fits, e.approved_on)?;
        let id = format!("{}/{}", e.contract, e.line);
        if e.hours <= Decimal::ZERO {
            return Err(Error::NotPositive { entity: "contract line", id, field: "hours", amount: e.hours });
        }
        if let Some(rate) = e.rate.filter(|r| is_negative(*r)) {
            return Err(Error::Negative { entity: "contract line", id, field: "rate", amount: rate });
        }
        Ok(())
    }

    fn check_usage_recorded(&self, e: &UsageRecorded) -> Result<(), Error> {
        let fits = |r| r == Recognition::Usage;
        let (c, _) = self.performance_line(&e.contract, &e.line, "usage_recorded", fits, e.incurred_on)?;
        if c.cancelled_on.is_some_and(|on| e.incurred_on >= on) {
            return Err(transition("contract", &e.contract, "usage_recorded", "is cancelled by then"));
        }
        let id = format!("{}/{}", e.contract, e.line);
        // A month without usage may be recorded as zero; less than zero is
        // a correction, which is a credit memo.
        if is_negative(e.quantity) {
            return Err(Error::Negative { entity: "contract line", id, field: "quantity", amount: e.quantity });
        }
        if let Some(price) = e.unit_price.filter(|p| is_negative(*p)) {
            return Err(Error::Negative { entity: "contract line", id, field: "unit_price", amount: price });
        }
        Ok(())
    }

    fn check_invoice_issued(&self, e: &InvoiceIssued) -> Result<(), Error> {
        let id = &e.invoice;
        if self.invoices.contains_key(id) {
            return Err(duplicate("invoice", id, "invoice"));
        }
        let customer = self.known_customer(&e.customer, "customer")?;
        let contract = self.known_contract(&e.contract, "contract")?;
        if contract.customer != e.customer {
            return Err(Error::CustomerMismatch {
                entity: "invoice",
                id: id.to_string(),
                field: "customer",
                against: "contract",
                expected: contract.customer.clone(),
                found: e.customer.clone(),
            });
        }
        same_currency("invoice", id, "contract", contract.currency, e.currency)?;
        if customer.on_credit_hold {
            return Err(Error::CustomerOnCreditHold { customer: e.customer.clone(), invoice: id.clone() });
        }
        let quoted = e.po_number.as_ref().is_some_and(|po| !po.trim().is_empty());
        if contract.po_required && !quoted {
            return Err(Error::PoNumberRequired { invoice: id.clone(), contract: e.contract.clone() });
        }
        not_before("invoice", id, "due_on", e.due_on, "issued_on", e.issued_on)?;
        if e.lines.is_empty() {
            return Err(invalid("invoice", id, "lines", "must not be empty"));
        }
        if e.lines.len() > MAX_INVOICE_LINES {
            return Err(invalid("invoice", id, "lines", "holds more than 10000 lines"));
        }
        let mut total = Decimal::ZERO;
        for line in &e.lines {
            if let Some(l) = &line.line {
                if !contract.lines.contains_key(l.as_str()) {
                    return Err(Error::UnknownLine {
                        contract: e.contract.clone(),
                        line: l.to_string(),
                        field: "lines.line",
                    });
                }
            }
            non_negative("invoice", id, "lines.amount", Money::new(line.amount, e.currency))?;
            non_negative("invoice", id, "lines.tax", Money::new(line.tax, e.currency))?;
            if contract.tax_exempt && !line.tax.is_zero() {
                return Err(invalid("invoice", id, "lines.tax", "is charged on a tax-exempt contract"));
            }
            if let (Some(start), Some(end)) = (line.period_start, line.period_end) {
                not_before("invoice", id, "lines.period_end", end, "lines.period_start", start)?;
            }
            // Each part is at most 10^18 minor units, so the sum of 10,000
            // lines cannot overflow a Decimal; checked all the same.
            total = total
                .checked_add(line.amount)
                .and_then(|t| t.checked_add(line.tax))
                .ok_or_else(|| invalid("invoice", id, "lines", "sum out of range"))?;
        }
        if total <= Decimal::ZERO {
            return Err(Error::NotPositive { entity: "invoice", id: id.to_string(), field: "total", amount: total });
        }
        minor_units("invoice", id, "total", Money::new(total, e.currency))
    }

    fn check_invoice_dispatched(&self, e: &InvoiceDispatched) -> Result<(), Error> {
        let invoice = self.known_invoice(&e.invoice, "invoice")?;
        if e.to.trim().is_empty() {
            return Err(invalid("invoice", &e.invoice, "to", "must not be empty"));
        }
        not_before("invoice", &e.invoice, "dispatched_on", e.dispatched_on, "issued_on", invoice.issued_on)
    }

    fn check_payment_received(&self, e: &PaymentReceived) -> Result<(), Error> {
        if self.payments.contains_key(&e.payment) {
            return Err(duplicate("payment", &e.payment, "payment"));
        }
        let customer = self.known_customer(&e.customer, "customer")?;
        same_currency("payment", &e.payment, "customer", customer.currency, e.currency)?;
        positive("payment", &e.payment, "amount", Money::new(e.amount, e.currency))
    }

    /// The invoice's open amount must cover `requested`.
    fn within_open(
        invoice_id: &InvoiceId,
        invoice: &InvoiceState,
        field: &'static str,
        requested: Money,
    ) -> Result<(), Error> {
        let open = invoice.open_amount();
        if requested.amount > open.amount {
            return Err(Error::ExceedsOpenAmount { invoice: invoice_id.clone(), field, requested, open });
        }
        Ok(())
    }

    /// The payment's unapplied cash must cover `requested`.
    fn within_unapplied(payment_id: &PaymentId, payment: &PaymentState, requested: Money) -> Result<(), Error> {
        let unapplied = payment.unapplied();
        if requested.amount > unapplied.amount {
            return Err(Error::ExceedsUnapplied { payment: payment_id.clone(), field: "amount", requested, unapplied });
        }
        Ok(())
    }

    fn check_payment_applied(&self, e: &PaymentApplied) -> Result<(), Error> {
        let payment = self.known_payment(&e.payment)?;
        let invoice = self.known_invoice(&e.invoice, "invoice")?;
        if invoice.customer != payment.customer {
            return Err(Error::CustomerMismatch {
                entity: "invoice",
                id: e.invoice.to_string(),
                field: "customer",
                against: "payment",
                expected: payment.customer.clone(),
                found: invoice.customer.clone(),
            });
        }
        same_currency("payment", &e.payment, "payment", payment.currency, e.currency)?;
        same_currency("payment", &e.payment, "invoice", invoice.currency, e.currency)?;
        let amount = Money::new(e.amount, e.currency);
        positive("payment", &e.payment, "amount", amount)?;
        Self::within_unapplied(&e.payment, payment, amount)?;
        Self::within_open(&e.invoice, invoice, "payment_applied.amount", amount)
    }

    fn check_payment_refunded(&self, e: &PaymentRefunded) -> Result<(), Error> {
        let payment = self.known_payment(&e.payment)?;
        same_currency("payment", &e.payment, "payment", payment.currency, e.currency)?;
        let amount = Money::new(e.amount, e.currency);
        positive("payment", &e.payment, "amount", amount)?;
        Self::within_unapplied(&e.payment, payment, amount)
    }

    fn check_invoice_written_off(&self, e: &InvoiceWrittenOff) -> Result<(), Error> {
        let invoice = self.known_invoice(&e.invoice, "invoice")?;
        same_currency("invoice", &e.invoice, "invoice", invoice.currency, e.currency)?;
        let amount = Money::new(e.amount, e.currency);
        positive("invoice", &e.invoice, "amount", amount)?;
        Self::within_open(&e.invoice, invoice, "invoice_written_off.amount", amount)
    }

    fn check_credit_memo_issued(&self, e: &CreditMemoIssued) -> Result<(), Error> {
        if self.credit_memos.contains_key(&e.memo) {
            return Err(duplicate("credit memo", &e.memo, "memo"));
        }
        let invoice = self.known_invoice(&e.invoice, "invoice")?;
        if e.approver_role != ApproverRole::VpRevenueOperations {
            return Err(Error::CreditMemoNotApproved {
                memo: e.memo.clone(),
                invoice: e.invoice.clone(),
                approver_role: e.approver_role,
            });
        }
        if e.approved_by.trim().is_empty() {
            return Err(invalid("credit memo", &e.memo, "approved_by", "must not be empty"));
        }
        same_currency("credit memo", &e.memo, "invoice", invoice.currency, e.currency)?;
        let amount = Money::new(e.amount, e.currency);
        positive("credit memo", &e.memo, "amount", amount)?;
        Self::within_open(&e.invoice, invoice, "credit_memo_issued.amount", amount)
    }

    fn check_dispute_opened(&self, e: &DisputeOpened) -> Result<(), Error> {
        if self.disputes.contains_key(&e.dispute) {
            return Err(duplicate("dispute", &e.dispute, "dispute"));
        }
        let invoice = self.known_invoice(&e.invoice, "invoice")?;
        same_currency("dispute", &e.dispute, "invoice", invoice.currency, e.currency)?;
        let amount = Money::new(e.amount, e.currency);
        positive("dispute", &e.dispute, "amount", amount)?;
        Self::within_open(&e.invoice, invoice, "dispute_opened.amount", amount)?;
        not_before("dispute", &e.dispute, "opened_on", e.opened_on, "the invoice's issued_on", invoice.issued_on)
    }

    /// The dispute `id`, known and not resolved, and `date` (the event's
    /// `field`) not before it was opened.
    fn open_dispute_on(
        &self,
        id: &DisputeId,
        event: &'static str,
        field: &'static str,
        date: NaiveDate,
    ) -> Result<&DisputeState, Error> {
        let d = self.disputes.get(id).ok_or_else(|| unknown("dispute", id, "dispute"))?;
        if d.outcome.is_some() {
            return Err(transition("dispute", id, event, "is already resolved"));
        }
        not_before("dispute", id, field, date, "opened_on", d.opened_on)?;
        Ok(d)
    }

    fn check_dispute_escalated(&self, e: &DisputeEscalated) -> Result<(), Error> {
        let d = self.open_dispute_on(&e.dispute, "dispute_escalated", "escalated_on", e.escalated_on)?;
        if d.escalated_on.is_some() {
            return Err(transition("dispute", &e.dispute, "dispute_escalated", "is already escalated"));
        }
        if e.to.trim().is_empty() {
            return Err(invalid("dispute", &e.dispute, "to", "must not be empty"));
        }
        Ok(())
    }

    fn check_dispute_resolved(&self, e: &DisputeResolved) -> Result<(), Error> {
        let d = self.open_dispute_on(&e.dispute, "dispute_resolved", "resolved_on", e.resolved_on)?;
        let has_evidence = e.evidence.as_ref().is_some_and(|s| !s.trim().is_empty());
        if e.outcome == DisputeOutcome::Invalid && !has_evidence {
            return Err(invalid("dispute", &e.dispute, "evidence", "is required when the outcome is invalid"));
        }
        if let Some(memo) = &e.credit_memo {
            let credited = self.credit_memos.get(memo).ok_or_else(|| unknown("credit memo", memo, "credit_memo"))?;
            if *credited != d.invoice {
                return Err(invalid(
                    "dispute",
                    &e.dispute,
                    "credit_memo",
                    "credits another invoice than the disputed one",
                ));
            }
        }
        if let Some(rebill) = &e.rebill_invoice {
            self.known_invoice(rebill, "rebill_invoice")?;
        }
        Ok(())
    }

    fn check_collection_step_taken(&self, e: &CollectionStepTaken) -> Result<(), Error> {
        let invoice = self.known_invoice(&e.invoice, "invoice")?;
        if invoice.open_amount().amount <= Decimal::ZERO {
            return Err(transition("invoice", &e.invoice, "collection_step_taken", "has no open amount"));
        }
        if invoice.steps.contains(&e.step) {
            return Err(transition("invoice", &e.invoice, "collection_step_taken", "has had that step already"));
        }
        not_before("invoice", &e.invoice, "taken_on", e.taken_on, "due_on", invoice.due_on)
    }

    fn check_credit_hold(&self, customer: &CustomerId, place: bool) -> Result<(), Error> {
        let c = self.known_customer(customer, "customer")?;
        match (place, c.on_credit_hold) {
            (true, true) => Err(transition("customer", customer, "credit_hold_placed", "is already on credit hold")),
            (false, false) => Err(transition("customer", customer, "credit_hold_released", "is not on credit hold")),
            _ => Ok(()),
        }
    }

    fn check_commission_plan_defined(&self, e: &CommissionPlanDefined) -> Result<(), Error> {
        if self.plans.contains_key(&e.plan) {
            return Err(duplicate("commission plan", &e.plan, "plan"));
        }
        let plan = e.plan();
        plan.validate().map_err(|source| Error::InvalidCommissionPlan { plan: e.plan.clone(), source })?;
        // A rep is paid in one currency: the one of its first plan.
        if let Some(rep) = self.reps.get(&e.rep) {
            same_currency("commission plan", &e.plan, "rep's commission plan", rep.currency, e.currency)?;
        }
        Ok(())
    }

    fn check_commission_dispute_opened(&self, e: &CommissionDisputeOpened) -> Result<(), Error> {
        if self.commission_disputes.contains_key(&e.dispute) {
            return Err(duplicate("commission dispute", &e.dispute, "dispute"));
        }
        self.rep_currency(&e.rep, e.currency)?;
        positive("commission dispute", &e.dispute, "amount", Money::new(e.amount, e.currency))
    }

    fn check_commission_dispute_resolved(&self, e: &CommissionDisputeResolved) -> Result<(), Error> {
        let d = self
            .commission_disputes
            .get(&e.dispute)
            .ok_or_else(|| unknown("commission dispute", &e.dispute, "dispute"))?;
        if d.resolved {
            return Err(transition(
                "commission dispute",
                &e.dispute,
                "commission_dispute_resolved",
                "is already resolved",
            ));
        }
        same_currency("commission dispute", &e.dispute, "commission dispute", d.amount.currency, e.currency)?;
        let granted = Money::new(e.granted, e.currency);
        non_negative("commission dispute", &e.dispute, "granted", granted)?;
        if granted.amount > d.amount.amount {
            return Err(Error::ExceedsLimit {
                entity: "commission dispute",
                id: e.dispute.to_string(),
                field: "granted",
                requested: granted,
                limit_name: "amount claimed",
                limit: d.amount,
            });
        }
        Ok(())
    }

    fn check_partner_attributed(&self, e: &PartnerAttributed) -> Result<(), Error> {
        let c = self.known_contract(&e.contract, "contract")?;
        if e.share <= Decimal::ZERO {
            return Err(Error::NotPositive {
                entity: "contract",
                id: e.contract.to_string(),
                field: "share",
                amount: e.share,
            });
        }
        if e.share > Decimal::ONE {
            return Err(invalid("contract", &e.contract, "share", "must be at most 1 (100 %)"));
        }
        if e.kind == AttributionKind::Sourced {
            if let Some(existing) = &c.sourced_by {
                return Err(Error::SecondSourcedPartner {
                    contract: e.contract.clone(),
                    partner: e.partner.clone(),
                    existing: existing.clone(),
                });
            }
        }
        Ok(())
    }

    fn check_mdf_spent(&self, e: &MdfSpent) -> Result<(), Error> {
        let p = self.partners.get(&e.partner).ok_or_else(|| unknown("partner", &e.partner, "partner"))?;
        same_currency("partner", &e.partner, "partner's MDF", p.currency, e.currency)?;
        let amount = Money::new(e.amount, e.currency);
        positive("partner", &e.partner, "amount", amount)?;
        let balance = p.mdf_balance();
        if amount.amount > balance.amount {
            return Err(Error::ExceedsLimit {
                entity: "partner",
                id: e.partner.to_string(),
                field: "amount",
                requested: amount,
                limit_name: "MDF balance",
                limit: balance,
            });
        }
        Ok(())
    }

    fn check_spif_earned(&self, e: &SpifEarned) -> Result<(), Error> {
        let c = self.known_contract(&e.contract, "contract")?;
        if !c.partners.contains(&e.partner) {
            return Err(unknown("partner attribution", &e.partner, "partner"));
        }
        same_currency("contract", &e.contract, "contract", c.currency, e.currency)?;
        positive("contract", &e.contract, "amount", Money::new(e.amount, e.currency))
    }
}
