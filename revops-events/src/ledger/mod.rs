//! Commands: validated against the ledger's current state, then appended as
//! events — or refused with a typed [`Error`], and nothing is appended.
//!
//! A [`Ledger`] owns an [`EventLog`] and a [`LedgerState`] folded from it.
//! Every command is one event on one stream (the stream of its entity, see
//! [`Event::stream`]). It is checked by [`LedgerState::check`], then
//! appended as a batch of one with [`ExpectedVersion::Exact`] of the
//! stream's version as the ledger last saw it, so a writer working from a
//! stale view of that stream gets [`Error::Conflict`] instead of writing
//! over a change it never saw. On a conflict, [`Ledger::refresh`] folds what
//! others appended and the command can be retried.
//!
//! Rules that read other streams (an invoice's open amount when a payment,
//! which lives on the payment stream, is applied to it) are checked against
//! the ledger's own view; the log serializes one stream, not two. Within one
//! `Ledger` that view is always current. Writers that share a log call
//! `refresh` before deciding; the book stays exact only with one writer per
//! customer's streams at a time.
//!
//! Replaying never fails on business rules: [`Ledger::open`] folds whatever
//! the log holds, including facts a command would refuse today.
//!
//! The caller gives `recorded_at`: nothing here reads the clock.
//!
//! ```
//! use revops_events::ledger::Ledger;
//! use revops_events::{Error, Event, MemoryLog};
//!
//! let at = "2026-01-02T09:00:00Z".parse()?;
//! let mut ledger = Ledger::open(MemoryLog::default())?;
//! let hold: Event = serde_json::from_str(
//!     r#"{"type":"credit_hold_placed","customer":"ACME","placed_on":"2026-01-02","reason":"late"}"#,
//! )?;
//! // No customer ACME yet: refused, and the log stays empty.
//! assert!(matches!(ledger.execute(hold, at), Err(Error::UnknownEntity { entity: "customer", .. })));
//! assert_eq!(ledger.log().envelopes().len(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod billing_run;
pub mod credit_check;
mod in_force;
mod rules;
mod state;

use std::ops::Range;

use chrono::{DateTime, Utc};

use crate::envelope::{Envelope, ExpectedVersion, NewEvent, Seq, SCHEMA_VERSION};
use crate::event::*;
use crate::log::EventLog;
use crate::Error;

pub use billing_run::{BillRun, BillRunInvoice, BillRunLine, BillRunRefusal};
pub use credit_check::{CreditDecision, CreditOutcome, CreditRule};
pub use rules::{MAX_CHANGES, MAX_INVOICE_LINES};
pub use state::{
    CommissionDisputeState, ContractState, CustomerState, DisputeState, InvoiceState, LedgerState, LineState,
    MilestoneState, PartnerState, PaymentState, RepState,
};

/// The command API over an event log: validate, then append.
#[derive(Clone, Debug)]
pub struct Ledger<L> {
    log: L,
    state: LedgerState,
}

macro_rules! commands {
    ($( $(#[$doc:meta])* $name:ident($payload:ident); )*) => {
        impl<L: EventLog> Ledger<L> {
            $(
                $(#[$doc])*
                ///
                /// Validated by [`LedgerState::check`]; see [`Ledger::execute`].
                pub fn $name(&mut self, event: $payload, recorded_at: DateTime<Utc>) -> Result<Range<Seq>, Error> {
                    self.execute(event, recorded_at)
                }
            )*
        }
    };
}

impl<L: EventLog> Ledger<L> {
    /// A ledger over `log`, with the state folded from everything in it.
    /// Fails only when the log cannot be read.
    pub fn open(log: L) -> Result<Self, Error> {
        let mut ledger = Ledger { log, state: LedgerState::default() };
        ledger.refresh()?;
        Ok(ledger)
    }

    /// Folds the events appended to the log since the ledger last looked
    /// (by other writers sharing it); returns how many.
    pub fn refresh(&mut self) -> Result<u64, Error> {
        let mut folded = 0;
        // Bounded by the length of the log.
        for envelope in self.log.read(self.state.next_seq()) {
            self.state.apply(&envelope?);
            folded += 1;
        }
        Ok(folded)
    }

    /// The state commands are validated against.
    pub fn state(&self) -> &LedgerState {
        &self.state
    }

    /// The log.
    pub fn log(&self) -> &L {
        &self.log
    }

    /// The log, giving up the ledger.
    pub fn into_inner(self) -> L {
        self.log
    }

    /// Validates `event` without appending anything.
    pub fn check(&self, event: &Event) -> Result<(), Error> {
        self.state.check(event)
    }

    /// Validates `event` against the current state and appends it to its
    /// stream, with an id derived from its content; returns its position.
    ///
    /// A refused event appends nothing. The same event again (same content,
    /// so the same derived id) is a no-op that returns the original position,
    /// as the log promises, even where the rules would now refuse it (a
    /// retried `register_customer` that had landed): two equal facts with
    /// different meaning need caller ids, see [`Ledger::execute_new`].
    pub fn execute(&mut self, event: impl Into<Event>, recorded_at: DateTime<Utc>) -> Result<Range<Seq>, Error> {
        self.execute_new(NewEvent::new(event), recorded_at)
    }

    /// [`Ledger::execute`] with the caller's event id (or an id derived from
    /// the content when `event.event_id` is `None`).
    pub fn execute_new(&mut self, event: NewEvent, recorded_at: DateTime<Utc>) -> Result<Range<Seq>, Error> {
        let stream = event.event.stream();
        if let Err(refusal) = self.state.check(&event.event) {
            return match self.original(&event)? {
                Some(seq) => Ok(seq..Seq(seq.0 + 1)),
                None => Err(refusal),
            };
        }
        let version = self.state.stream_version(&stream);
        let range =
            self.log.append(&stream, ExpectedVersion::Exact(version), std::slice::from_ref(&event), recorded_at)?;
        let next = self.state.next_seq();
        if range.start == next && range.end.0 == next.0 + 1 {
            // The envelope at the ledger's next position is this event (new,
            // or the identical original the ledger had not seen, which then
            // also followed every event of the stream it had seen): fold it
            // without reading the log back.
            let envelope = Envelope {
                seq: range.start,
                event_id: event.id(),
                stream,
                stream_version: version + 1,
                recorded_at,
                schema_version: SCHEMA_VERSION,
                event: event.event,
            };
            self.state.apply(&envelope);
        } else {
            self.refresh()?;
        }
        Ok(range)
    }

    /// The position of `event` if its stream already holds it (same id,
    /// same content).
    fn original(&self, event: &NewEvent) -> Result<Option<Seq>, Error> {
        let id = event.id();
        // Bounded by the length of the stream.
        for envelope in self.log.read_stream(&event.event.stream()) {
            let envelope = envelope?;
            if envelope.event_id == id && envelope.event == event.event {
                return Ok(Some(envelope.seq));
            }
        }
        Ok(None)
    }
}

commands! {
    /// Registers a new customer (`customer_registered`).
    register_customer(CustomerRegistered);
    /// Changes a customer's account details (`customer_updated`).
    update_customer(CustomerUpdated);
    /// Signs a contract (`contract_signed`): the customer exists and bills in
    /// the contract currency, the terms pass revops-core's rules, a
    /// tax-exempt contract carries its certificate.
    sign_contract(ContractSigned);
    /// Modifies a live contract (`contract_modified`).
    modify_contract(ContractModified);
    /// Renews a live contract for a further term (`contract_renewed`).
    renew_contract(ContractRenewed);
    /// Cancels a live contract (`contract_cancelled`).
    cancel_contract(ContractCancelled);
    /// Records the delivery of a milestone (`milestone_delivered`).
    deliver_milestone(MilestoneDelivered);
    /// Records the acceptance of a delivered milestone (`milestone_accepted`).
    accept_milestone(MilestoneAccepted);
    /// Records the delivery of a point-in-time line (`line_delivered`).
    deliver_line(LineDelivered);
    /// Records approved time on a T&M line (`time_approved`).
    approve_time(TimeApproved);
    /// Records usage on a usage line (`usage_recorded`).
    record_usage(UsageRecorded);
    /// Issues an invoice (`invoice_issued`): not to a customer on credit
    /// hold, with a PO number where the contract requires one, in the
    /// contract currency.
    issue_invoice(InvoiceIssued);
    /// Records that an invoice was sent (`invoice_dispatched`).
    dispatch_invoice(InvoiceDispatched);
    /// Records cash received (`payment_received`), in the customer's currency.
    record_payment(PaymentReceived);
    /// Applies part of a payment to an invoice (`payment_applied`): never more
    /// than the payment's unapplied cash or the invoice's open amount.
    apply_payment(PaymentApplied);
    /// Returns unapplied cash (`payment_refunded`).
    refund_payment(PaymentRefunded);
    /// Writes off part of an invoice's open amount (`invoice_written_off`).
    write_off_invoice(InvoiceWrittenOff);
    /// Credits an invoice (`credit_memo_issued`): approved by VP Revenue
    /// Operations, never beyond the open amount.
    issue_credit_memo(CreditMemoIssued);
    /// Opens an invoice dispute (`dispute_opened`).
    open_dispute(DisputeOpened);
    /// Records the review of an open dispute (`dispute_reviewed`).
    review_dispute(DisputeReviewed);
    /// Escalates an open dispute (`dispute_escalated`).
    escalate_dispute(DisputeEscalated);
    /// Resolves an open dispute (`dispute_resolved`).
    resolve_dispute(DisputeResolved);
    /// Records a collections step on an invoice with an open amount
    /// (`collection_step_taken`).
    take_collection_step(CollectionStepTaken);
    /// Puts a customer on credit hold (`credit_hold_placed`).
    place_credit_hold(CreditHoldPlaced);
    /// Lifts a customer's credit hold (`credit_hold_released`).
    release_credit_hold(CreditHoldReleased);
    /// Defines a commission plan (`commission_plan_defined`).
    define_commission_plan(CommissionPlanDefined);
    /// Records a commission payout (`commission_paid`).
    pay_commission(CommissionPaid);
    /// Records a manual commission correction (`commission_adjusted`).
    adjust_commission(CommissionAdjusted);
    /// Opens a commission dispute (`commission_dispute_opened`).
    open_commission_dispute(CommissionDisputeOpened);
    /// Resolves a commission dispute (`commission_dispute_resolved`).
    resolve_commission_dispute(CommissionDisputeResolved);
    /// Logs a renewal touchpoint (`renewal_contact_logged`).
    log_renewal_contact(RenewalContactLogged);
    /// Attributes a partner to a contract (`partner_attributed`): at most one
    /// sourced partner per contract.
    attribute_partner(PartnerAttributed);
    /// Grants market development funds (`mdf_allocated`).
    allocate_mdf(MdfAllocated);
    /// Draws on market development funds (`mdf_spent`).
    spend_mdf(MdfSpent);
    /// Records a SPIF earned by an attributed partner (`spif_earned`).
    earn_spif(SpifEarned);
    /// Sets an exchange rate (`fx_rate_set`).
    set_fx_rate(FxRateSet);
    /// Closes a month's books (`period_closed`).
    close_period(PeriodClosed);
}
