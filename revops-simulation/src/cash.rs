//! Invoices and the cash that settles them: billing, payments on time,
//! late, partial and over, collections and credit holds, disputes, credit
//! memos and write-offs.

use revops_core::rounding::{extend, RoundingMode};
use revops_core::terms::PaymentTerms;
use revops_core::Money;
use revops_events::event::*;
use revops_events::ids::*;
use revops_events::EventLog;
use rust_decimal::Decimal;

use super::catalog::{DISPUTE_REVIEWERS, ESCALATION_TARGETS, VP_REVENUE_OPERATIONS};
use super::generator::{id, minor, next_month_start, Bill, Dispute, Generator, Invoice, PayPart, Payer, Task};
use super::Error;

/// The collections ladder: days past due of each step.
const LADDER: [(i64, CollectionStep); 8] = [
    (0, CollectionStep::Day0),
    (7, CollectionStep::Day7),
    (15, CollectionStep::Day15),
    (30, CollectionStep::Day30),
    (45, CollectionStep::Day45),
    (60, CollectionStep::Day60),
    (75, CollectionStep::Day75),
    (90, CollectionStep::Day90),
];

/// Days past due at which the ladder puts the customer on credit hold.
const HOLD_AFTER: i64 = 60;

/// Days past due after which an invoice nobody pays is written off.
const WRITE_OFF_AFTER: i64 = 120;

impl<L: EventLog> Generator<'_, L> {
    /// A billing-schedule installment falls due: invoice what is still in
    /// force (lines not removed, service not cancelled by the period).
    pub(super) fn bill(&mut self, mut bill: Bill) -> Result<(), Error> {
        let d = &self.deals[bill.deal];
        if d.cancelled_on.is_some_and(|on| on <= bill.period_start) {
            return Ok(());
        }
        bill.lines.retain(|(line, _)| {
            !d.lines.iter().any(|l| l.line.line == *line && l.removed_on.is_some_and(|on| on <= bill.period_start))
        });
        self.issue(bill)
    }

    /// Invoices what was performed and falls to be billed today; on the
    /// first of the month it also plans next month's run while the deal
    /// can still perform.
    pub(super) fn bill_performance(&mut self, deal: usize) -> Result<(), Error> {
        if self.deals[deal].last_performance_bill == Some(self.today) {
            return Ok(());
        }
        self.deals[deal].last_performance_bill = Some(self.today);
        for bill in self.performance_bills(deal)? {
            self.issue(bill)?;
        }
        let d = &self.deals[deal];
        let monthly =
            matches!(d.kind, super::generator::DealKind::TimeAndMaterials | super::generator::DealKind::Usage);
        if monthly && self.today <= next_month_start(d.service_end()) {
            let next = next_month_start(self.today);
            self.at(next, Task::BillPerformance(deal));
        }
        Ok(())
    }

    /// Issues `bill` as an invoice, or holds it back while the customer is
    /// on credit hold (the ledger refuses invoices then).
    pub(super) fn issue(&mut self, bill: Bill) -> Result<(), Error> {
        let d = &self.deals[bill.deal];
        let customer = d.customer;
        let c = &self.customers[customer];
        if c.closed {
            return Ok(());
        }
        if c.on_hold {
            self.customers[customer].deferred.push(bill);
            return Ok(());
        }
        let rate = if c.exemption.is_some() { Decimal::ZERO } else { c.jurisdiction.tax_rate() };
        let mut lines = Vec::with_capacity(bill.lines.len());
        for (line, amount) in &bill.lines {
            if amount.amount <= Decimal::ZERO {
                continue;
            }
            let description =
                d.lines.iter().find(|l| l.line.line == *line).map_or("Services", |l| l.line.product.as_str());
            let tax = extend(rate, *amount, RoundingMode::HalfUp)
                .map_err(|source| Error::Core { date: self.today, source })?;
            lines.push(InvoiceLine {
                line: Some(id(LineId::new, line.clone())),
                description: description.into(),
                amount: amount.amount,
                tax: tax.amount,
                period_start: Some(bill.period_start),
                period_end: Some(bill.period_end),
            });
        }
        if lines.is_empty() {
            return Ok(());
        }
        self.issue_lines(bill.deal, lines).map(drop)
    }

    /// Issues an invoice of `deal` with `lines`, then plans its dispatch,
    /// its payment by the customer's habits, its collections, and now and
    /// then a dispute or a service credit.
    fn issue_lines(&mut self, deal: usize, lines: Vec<InvoiceLine>) -> Result<usize, Error> {
        let d = &self.deals[deal];
        let customer = d.customer;
        let due_on = d.terms.due_date(self.today).map_err(|source| Error::Core { date: self.today, source })?;
        self.counters.invoice += 1;
        let invoice = id(InvoiceId::new, format!("INV-{}-{:07}", self.today.format("%Y"), self.counters.invoice));
        let event = InvoiceIssued {
            invoice: invoice.clone(),
            customer: self.customers[customer].id.clone(),
            contract: d.id.clone(),
            issued_on: self.today,
            due_on,
            currency: d.currency,
            po_number: d.po_number.as_deref().map(Into::into),
            lines: lines.clone(),
        };
        let total = event.total().amount;
        self.emit(event)?;
        let index = self.invoices.len();
        self.invoices.push(Invoice { id: invoice, customer, deal, due_on, lines, total, dispute: None, next_step: 0 });
        self.customers[customer].open.insert(index);
        let dispatch_on = if self.rng.chance(100) { self.in_days(1) } else { self.today };
        self.at(dispatch_on, Task::Dispatch(index));
        self.plan_payment(index);
        self.at(due_on, Task::Collect(index));
        if self.rng.chance(35) {
            let on = self.in_random_days(3, 20);
            self.at(on, Task::OpenDispute(index));
        } else if self.rng.chance(15) {
            let on = self.in_random_days(5, 25);
            self.at(on, Task::ServiceCredit(index));
        }
        Ok(index)
    }

    /// Schedules the payment of a new invoice by the customer's habits.
    fn plan_payment(&mut self, invoice: usize) {
        let i = &self.invoices[invoice];
        let (due, customer) = (i.due_on, i.customer);
        let mut payer = self.customers[customer].payer;
        // Good payers slip now and then.
        if payer == Payer::Prompt && self.rng.chance(80) {
            payer = Payer::Late;
        }
        let issued = self.today;
        let before_due = |g: &mut Self| (due - chrono::Duration::days(g.rng.range(0, 10))).max(issued);
        match payer {
            Payer::Prompt => {
                let on = before_due(self);
                self.at(on, Task::Pay { invoice, part: PayPart::Full });
            }
            Payer::Late => {
                // Mostly within the first weeks; now and then past the hold.
                let days = if self.rng.chance(120) { self.rng.range(45, 80) } else { self.rng.range(3, 40) };
                let on = due + chrono::Duration::days(days);
                self.at(on, Task::Pay { invoice, part: PayPart::Full });
            }
            Payer::Partial => {
                let on = before_due(self);
                let share = self.rng.range(300, 700);
                self.at(on, Task::Pay { invoice, part: PayPart::Share(share) });
                let later = due + chrono::Duration::days(self.rng.range(5, 40));
                let short = if self.rng.chance(150) { self.rng.range(1, 2_500) } else { 0 };
                self.at(later, Task::Pay { invoice, part: PayPart::Remainder { short } });
            }
            Payer::Over => {
                let on = before_due(self);
                let extra = self.rng.range(1, 200) * 500;
                self.at(on, Task::Pay { invoice, part: PayPart::Over { extra } });
            }
            Payer::Deadbeat => {}
        }
    }

    pub(super) fn dispatch(&mut self, invoice: usize) -> Result<(), Error> {
        let i = &self.invoices[invoice];
        let c = &self.customers[i.customer];
        let portal = self.deals[i.deal].po_number.is_some();
        let (channel, to) = if portal {
            (DispatchChannel::Portal, format!("ap-portal:{}", c.id))
        } else if c.method == PaymentMethod::Check {
            (DispatchChannel::Mail, format!("{}, {}", c.id, c.jurisdiction.cities[0]))
        } else if c.terms == PaymentTerms::Net60 {
            (DispatchChannel::Edi, format!("edi:{}", c.id))
        } else {
            (DispatchChannel::Email, c.email.clone())
        };
        self.emit(InvoiceDispatched { invoice: i.id.clone(), channel, to, dispatched_on: self.today })
    }

    /// The invoice's open amount in the ledger.
    fn open_amount(&self, invoice: usize) -> Money {
        let i = &self.invoices[invoice];
        self.ledger.state().invoice(&i.id).expect("generated invoices are in the ledger").open_amount()
    }

    /// True while a dispute on the invoice is unresolved.
    fn disputed(&self, invoice: usize) -> bool {
        self.invoices[invoice].dispute.is_some()
    }

    pub(super) fn pay(&mut self, invoice: usize, part: PayPart) -> Result<(), Error> {
        let open = self.open_amount(invoice);
        if open.amount <= Decimal::ZERO {
            return Ok(());
        }
        if self.disputed(invoice) {
            // The customer waits for the outcome.
            let on = self.in_days(5);
            self.at(on, Task::Pay { invoice, part });
            return Ok(());
        }
        let currency = open.currency;
        let open_minor = open.to_minor().map_err(|source| Error::Core { date: self.today, source })?;
        let (amount, short) = match part {
            PayPart::Full => (open_minor, 0),
            PayPart::Share(per_mille) => ((open_minor * per_mille / 1000).max(1), 0),
            PayPart::Remainder { short } if short < open_minor => (open_minor - short, short),
            PayPart::Remainder { .. } => (open_minor, 0),
            PayPart::Over { extra } => (open_minor + extra, 0),
        };
        let (customer, invoice_id) = (self.invoices[invoice].customer, self.invoices[invoice].id.clone());
        let (customer_id, method) = (self.customers[customer].id.clone(), self.customers[customer].method);
        self.counters.payment += 1;
        let payment = id(PaymentId::new, format!("PAY-{:07}", self.counters.payment));
        self.emit(PaymentReceived {
            payment: payment.clone(),
            customer: customer_id,
            amount: minor(amount, currency).amount,
            currency,
            received_on: self.today,
            method,
        })?;
        let applied = amount.min(open_minor);
        self.emit(PaymentApplied {
            payment: payment.clone(),
            invoice: invoice_id,
            amount: minor(applied, currency).amount,
            currency,
            applied_on: self.today,
        })?;
        if amount > applied {
            let on = self.in_random_days(14, 40);
            self.at(on, Task::SettleUnapplied { payment, customer });
        }
        if short > 0 {
            let on = self.in_random_days(20, 40);
            self.at(on, Task::WriteOff { invoice, reason: "small balance" });
        }
        self.settled(invoice)
    }

    /// After anything that lowers an invoice's open amount: forget paid
    /// invoices and lift a credit hold nothing justifies any more.
    fn settled(&mut self, invoice: usize) -> Result<(), Error> {
        let customer = self.invoices[invoice].customer;
        if self.open_amount(invoice).amount <= Decimal::ZERO {
            self.customers[customer].open.remove(&invoice);
        }
        self.maybe_release_hold(customer)
    }

    /// Unapplied cash from an overpayment: applied to another open invoice
    /// of the customer when there is one, the rest refunded.
    pub(super) fn settle_unapplied(&mut self, payment: PaymentId, customer: usize) -> Result<(), Error> {
        let Some(unapplied) = self.ledger.state().payment(&payment).map(|p| p.unapplied()) else { return Ok(()) };
        if unapplied.amount <= Decimal::ZERO {
            return Ok(());
        }
        let target = self.customers[customer]
            .open
            .iter()
            .copied()
            .find(|&i| !self.disputed(i) && self.open_amount(i).amount > Decimal::ZERO);
        let mut left = unapplied.amount;
        if let (Some(invoice), true) = (target, self.rng.chance(600)) {
            let amount = left.min(self.open_amount(invoice).amount);
            self.emit(PaymentApplied {
                payment: payment.clone(),
                invoice: self.invoices[invoice].id.clone(),
                amount,
                currency: unapplied.currency,
                applied_on: self.today,
            })?;
            left -= amount;
            self.settled(invoice)?;
        }
        if left > Decimal::ZERO {
            self.emit(PaymentRefunded {
                payment,
                amount: left,
                currency: unapplied.currency,
                refunded_on: self.today,
                reason: "overpayment returned".to_string(),
            })?;
        }
        Ok(())
    }

    /// Walks the collections ladder for an unpaid invoice: each step on
    /// its day, the credit hold at day 60, cancellation of a customer who
    /// never pays at day 75, write-off at day 120. A dispute pauses it.
    pub(super) fn collect(&mut self, invoice: usize) -> Result<(), Error> {
        if self.open_amount(invoice).amount <= Decimal::ZERO {
            return Ok(());
        }
        if self.disputed(invoice) {
            let on = self.in_days(7);
            self.at(on, Task::Collect(invoice));
            return Ok(());
        }
        let i = &self.invoices[invoice];
        let (due, customer) = (i.due_on, i.customer);
        let past_due = (self.today - due).num_days();
        // Bounded by the ladder's eight steps.
        while let Some(&(days, step)) = LADDER.get(self.invoices[invoice].next_step) {
            if days > past_due {
                break;
            }
            let id = self.invoices[invoice].id.clone();
            self.emit(CollectionStepTaken { invoice: id, step, taken_on: self.today })?;
            self.invoices[invoice].next_step += 1;
            if step == CollectionStep::Day60 && !self.customers[customer].on_hold {
                let reason = format!("{} is {past_due} days past due", self.invoices[invoice].id);
                let customer_id = self.customers[customer].id.clone();
                self.emit(CreditHoldPlaced { customer: customer_id, placed_on: self.today, reason })?;
                self.customers[customer].on_hold = true;
            }
            if step == CollectionStep::Day75 && self.customers[customer].payer == Payer::Deadbeat {
                self.cancel_all(customer)?;
            }
        }
        match LADDER.get(self.invoices[invoice].next_step) {
            Some(&(days, _)) => self.at(due + chrono::Duration::days(days), Task::Collect(invoice)),
            // A ladder paused by a dispute may reach day 90 after day 120.
            None => self.at(
                (due + chrono::Duration::days(WRITE_OFF_AFTER)).max(self.today),
                Task::WriteOff { invoice, reason: "uncollectible: 120 days past due" },
            ),
        }
        Ok(())
    }

    pub(super) fn write_off(&mut self, invoice: usize, reason: &'static str) -> Result<(), Error> {
        let open = self.open_amount(invoice);
        if open.amount <= Decimal::ZERO {
            return Ok(());
        }
        if self.disputed(invoice) {
            let on = self.in_days(10);
            self.at(on, Task::WriteOff { invoice, reason });
            return Ok(());
        }
        self.emit(InvoiceWrittenOff {
            invoice: self.invoices[invoice].id.clone(),
            amount: open.amount,
            currency: open.currency,
            written_off_on: self.today,
            reason: reason.to_string(),
        })?;
        let customer = self.invoices[invoice].customer;
        self.customers[customer].open.remove(&invoice);
        if self.customers[customer].payer == Payer::Deadbeat && self.customers[customer].open.is_empty() {
            // Nothing more is owed or will be sold: the account is closed.
            self.customers[customer].closed = true;
            self.customers[customer].deferred.clear();
        }
        self.maybe_release_hold(customer)
    }

    /// Lifts the credit hold once no open invoice is past the hold
    /// threshold, and issues the invoices held back meanwhile.
    fn maybe_release_hold(&mut self, customer: usize) -> Result<(), Error> {
        if !self.customers[customer].on_hold {
            return Ok(());
        }
        let today = self.today;
        let overdue = self.customers[customer].open.iter().any(|&i| {
            (today - self.invoices[i].due_on).num_days() >= HOLD_AFTER && self.open_amount(i).amount > Decimal::ZERO
        });
        if overdue {
            return Ok(());
        }
        let customer_id = self.customers[customer].id.clone();
        self.emit(CreditHoldReleased { customer: customer_id, released_on: today })?;
        self.customers[customer].on_hold = false;
        let deferred = std::mem::take(&mut self.customers[customer].deferred);
        for bill in deferred {
            self.issue(bill)?;
        }
        Ok(())
    }

    pub(super) fn open_dispute(&mut self, invoice: usize) -> Result<(), Error> {
        let open = self.open_amount(invoice);
        if open.amount <= Decimal::ZERO || self.disputed(invoice) {
            return Ok(());
        }
        let per_mille = self.rng.range(100, 1000);
        let total = Money::new(self.invoices[invoice].total, open.currency)
            .to_minor()
            .map_err(|source| Error::Core { date: self.today, source })?;
        let amount = (total * per_mille / 1000).clamp(1, open.to_minor().unwrap_or(1));
        let reason_code = *self.rng.pick(&[
            DisputeReason::PricingError,
            DisputeReason::QuantityError,
            DisputeReason::ServiceIssue,
            DisputeReason::DuplicateCharge,
            DisputeReason::TaxError,
            DisputeReason::PurchaseOrder,
        ]);
        self.counters.dispute += 1;
        let dispute = id(DisputeId::new, format!("DSP-{:06}", self.counters.dispute));
        self.emit(DisputeOpened {
            dispute: dispute.clone(),
            invoice: self.invoices[invoice].id.clone(),
            reason_code,
            amount: minor(amount, open.currency).amount,
            currency: open.currency,
            opened_on: self.today,
        })?;
        let index = self.disputes.len();
        self.disputes.push(Dispute { id: dispute, invoice, per_mille, escalated: false });
        self.invoices[invoice].dispute = Some(index);
        // Mostly within the 48-hour review SLA; now and then not.
        let review = if self.rng.chance(850) { self.in_random_days(0, 2) } else { self.in_random_days(3, 5) };
        self.at(review, Task::ReviewDispute(index));
        if self.rng.chance(250) {
            let on = self.in_random_days(10, 12);
            self.at(on, Task::EscalateDispute(index));
            let resolve = self.in_random_days(13, 28);
            self.at(resolve, Task::ResolveDispute(index));
        } else {
            let resolve = self.in_random_days(6, 20);
            self.at(resolve, Task::ResolveDispute(index));
        }
        Ok(())
    }

    pub(super) fn review_dispute(&mut self, dispute: usize) -> Result<(), Error> {
        let reviewer = (*self.rng.pick(DISPUTE_REVIEWERS)).to_string();
        let notes = "checked against the contract and the invoice lines".to_string();
        self.emit(DisputeReviewed {
            dispute: self.disputes[dispute].id.clone(),
            reviewed_on: self.today,
            reviewer,
            notes,
        })
    }

    pub(super) fn escalate_dispute(&mut self, dispute: usize) -> Result<(), Error> {
        let to = (*self.rng.pick(ESCALATION_TARGETS)).to_string();
        self.disputes[dispute].escalated = true;
        self.emit(DisputeEscalated { dispute: self.disputes[dispute].id.clone(), escalated_on: self.today, to })
    }

    /// Resolves a dispute: valid ones are credited (by the VP Revenue
    /// Operations) and sometimes rebilled with a corrected invoice; invalid
    /// ones stand on evidence.
    pub(super) fn resolve_dispute(&mut self, dispute: usize) -> Result<(), Error> {
        let Dispute { id: dispute_id, invoice, per_mille, .. } = &self.disputes[dispute];
        let (dispute_id, invoice, per_mille) = (dispute_id.clone(), *invoice, *per_mille);
        let open = self.open_amount(invoice);
        let disputed = self.ledger.state().dispute(&dispute_id).expect("generated disputes are in the ledger").amount;
        let customer = self.invoices[invoice].customer;
        let valid = self.rng.chance(600) && open.amount > Decimal::ZERO;
        let mut resolution = DisputeResolved {
            dispute: dispute_id.clone(),
            resolved_on: self.today,
            outcome: DisputeOutcome::Invalid,
            credit_memo: None,
            rebill_invoice: None,
            evidence: None,
        };
        if valid {
            let untouched = open.amount == self.invoices[invoice].total;
            let rebill = untouched && !self.customers[customer].on_hold && per_mille < 1000 && self.rng.chance(300);
            let credit = if rebill { open.amount } else { disputed.amount.min(open.amount) };
            let memo = self.credit_memo(invoice, credit, format!("dispute {dispute_id} upheld"))?;
            resolution.outcome = DisputeOutcome::Valid;
            resolution.credit_memo = Some(memo);
            if rebill {
                let c = &self.customers[customer];
                let rate = if c.exemption.is_some() { Decimal::ZERO } else { c.jurisdiction.tax_rate() };
                let lines = self.invoices[invoice]
                    .lines
                    .iter()
                    .map(|l| {
                        let amount = scale(l.amount, 1000 - per_mille, open.currency);
                        let tax = scale_by(amount, rate, open.currency);
                        InvoiceLine { amount, tax, ..l.clone() }
                    })
                    .collect::<Vec<_>>();
                if lines.iter().map(|l| l.amount + l.tax).sum::<Decimal>() > Decimal::ZERO {
                    let deal = self.invoices[invoice].deal;
                    let new = self.issue_lines(deal, lines)?;
                    resolution.rebill_invoice = Some(self.invoices[new].id.clone());
                }
            }
        } else {
            resolution.evidence = Some("signed order form and delivery records on file".to_string());
        }
        self.emit(resolution)?;
        self.invoices[invoice].dispute = None;
        self.settled(invoice)
    }

    /// An SLA service credit on an open invoice.
    pub(super) fn service_credit(&mut self, invoice: usize) -> Result<(), Error> {
        let open = self.open_amount(invoice);
        if open.amount <= Decimal::ZERO || self.disputed(invoice) {
            return Ok(());
        }
        let amount = scale(open.amount, self.rng.range(50, 200), open.currency);
        if amount <= Decimal::ZERO {
            return Ok(());
        }
        self.credit_memo(invoice, amount, "SLA service credit".to_string())?;
        self.settled(invoice)
    }

    /// Issues a credit memo approved by the VP Revenue Operations.
    fn credit_memo(&mut self, invoice: usize, amount: Decimal, reason: String) -> Result<CreditMemoId, Error> {
        self.counters.memo += 1;
        let memo = id(CreditMemoId::new, format!("CM-{:06}", self.counters.memo));
        let currency = self.deals[self.invoices[invoice].deal].currency;
        self.emit(CreditMemoIssued {
            memo: memo.clone(),
            invoice: self.invoices[invoice].id.clone(),
            amount,
            currency,
            issued_on: self.today,
            reason,
            approved_by: VP_REVENUE_OPERATIONS.to_string(),
            approver_role: ApproverRole::VpRevenueOperations,
        })?;
        Ok(memo)
    }
}

/// `per_mille` of `amount`, rounded down to the minor unit: a share the
/// customer and the generator agree on, not a ledger rounding.
fn scale(amount: Decimal, per_mille: i64, currency: revops_core::Currency) -> Decimal {
    let m = Money::new(amount, currency).to_minor().unwrap_or(0);
    minor(m * per_mille / 1000, currency).amount
}

/// `amount × rate` rounded half up to the minor unit: the tax of a
/// rebilled line.
fn scale_by(amount: Decimal, rate: Decimal, currency: revops_core::Currency) -> Decimal {
    extend(rate, Money::new(amount, currency), RoundingMode::HalfUp).map_or(Decimal::ZERO, |m| m.amount)
}
