//! Streams: the entity each event belongs to, the unit of optimistic
//! concurrency.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::event::Event;

/// The stream of an entity, written `kind/id`: `contract/C-1`,
/// `invoice/INV-7`, `books` for company-wide facts.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[derive(rkyv::Archive, rkyv::Serialize, rkyv::Deserialize)]
pub struct StreamId(String);

impl StreamId {
    fn of(kind: &str, id: &str) -> StreamId {
        StreamId(format!("{kind}/{id}"))
    }

    /// The company-wide stream (FX rates, period closes).
    pub fn books() -> StreamId {
        StreamId("books".into())
    }

    /// The stream as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stream written `text`, as read back from the log.
    pub(crate) fn from_text(text: &str) -> StreamId {
        StreamId(text.into())
    }
}

impl ArchivedStreamId {
    /// The stream as text, in place.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Event {
    /// The stream the event belongs to: the entity whose history it extends.
    pub fn stream(&self) -> StreamId {
        use Event::*;
        match self {
            CustomerRegistered(e) => StreamId::of("customer", e.customer.as_str()),
            CustomerUpdated(e) => StreamId::of("customer", e.customer.as_str()),
            CreditHoldPlaced(e) => StreamId::of("customer", e.customer.as_str()),
            CreditHoldReleased(e) => StreamId::of("customer", e.customer.as_str()),
            ContractSigned(e) => StreamId::of("contract", e.contract.as_str()),
            ContractModified(e) => StreamId::of("contract", e.contract.as_str()),
            ContractRenewed(e) => StreamId::of("contract", e.contract.as_str()),
            ContractCancelled(e) => StreamId::of("contract", e.contract.as_str()),
            MilestoneDelivered(e) => StreamId::of("contract", e.contract.as_str()),
            MilestoneAccepted(e) => StreamId::of("contract", e.contract.as_str()),
            LineDelivered(e) => StreamId::of("contract", e.contract.as_str()),
            TimeApproved(e) => StreamId::of("contract", e.contract.as_str()),
            UsageRecorded(e) => StreamId::of("contract", e.contract.as_str()),
            RenewalContactLogged(e) => StreamId::of("contract", e.contract.as_str()),
            PartnerAttributed(e) => StreamId::of("contract", e.contract.as_str()),
            SpifEarned(e) => StreamId::of("contract", e.contract.as_str()),
            InvoiceIssued(e) => StreamId::of("invoice", e.invoice.as_str()),
            InvoiceDispatched(e) => StreamId::of("invoice", e.invoice.as_str()),
            InvoiceWrittenOff(e) => StreamId::of("invoice", e.invoice.as_str()),
            CreditMemoIssued(e) => StreamId::of("invoice", e.invoice.as_str()),
            CollectionStepTaken(e) => StreamId::of("invoice", e.invoice.as_str()),
            PaymentReceived(e) => StreamId::of("payment", e.payment.as_str()),
            PaymentApplied(e) => StreamId::of("payment", e.payment.as_str()),
            PaymentRefunded(e) => StreamId::of("payment", e.payment.as_str()),
            DisputeOpened(e) => StreamId::of("dispute", e.dispute.as_str()),
            DisputeReviewed(e) => StreamId::of("dispute", e.dispute.as_str()),
            DisputeEscalated(e) => StreamId::of("dispute", e.dispute.as_str()),
            DisputeResolved(e) => StreamId::of("dispute", e.dispute.as_str()),
            CommissionPlanDefined(e) => StreamId::of("rep", e.rep.as_str()),
            CommissionPaid(e) => StreamId::of("rep", e.rep.as_str()),
            CommissionAdjusted(e) => StreamId::of("rep", e.rep.as_str()),
            CommissionDisputeOpened(e) => StreamId::of("commission_dispute", e.dispute.as_str()),
            CommissionDisputeResolved(e) => StreamId::of("commission_dispute", e.dispute.as_str()),
            MdfAllocated(e) => StreamId::of("partner", e.partner.as_str()),
            MdfSpent(e) => StreamId::of("partner", e.partner.as_str()),
            FxRateSet(_) | PeriodClosed(_) => StreamId::books(),
        }
    }
}
