//! Streams: the entity each event belongs to, the unit of optimistic
//! concurrency.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::event::Event;

/// The name of the company-wide stream.
const BOOKS: &str = "books";

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
        StreamId(BOOKS.into())
    }

    /// The stream as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stream written `text`, as read back from the log.
    pub(crate) fn from_text(text: &str) -> StreamId {
        StreamId(text.into())
    }

    /// Makes this the stream written `text`, in the buffer it has.
    pub(crate) fn set_text(&mut self, text: &str) {
        self.0.clear();
        self.0.push_str(text);
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
        match self.stream_parts() {
            (kind, Some(id)) => StreamId::of(kind, id),
            (kind, None) => StreamId(kind.into()),
        }
    }

    /// True when the event belongs to `stream`: [`Event::stream`] without
    /// building the stream's name, for checking every event of a batch.
    pub(crate) fn belongs_to(&self, stream: &StreamId) -> bool {
        let name = stream.as_str();
        match self.stream_parts() {
            (kind, Some(id)) => {
                name.strip_prefix(kind).and_then(|rest| rest.strip_prefix('/')).is_some_and(|rest| rest == id)
            }
            (kind, None) => name == kind,
        }
    }

    /// The stream's kind and entity id (none for the company-wide stream).
    fn stream_parts(&self) -> (&'static str, Option<&str>) {
        use Event::*;
        match self {
            CustomerRegistered(e) => ("customer", Some(e.customer.as_str())),
            CustomerUpdated(e) => ("customer", Some(e.customer.as_str())),
            CreditHoldPlaced(e) => ("customer", Some(e.customer.as_str())),
            CreditHoldReleased(e) => ("customer", Some(e.customer.as_str())),
            ContractSigned(e) => ("contract", Some(e.contract.as_str())),
            ContractModified(e) => ("contract", Some(e.contract.as_str())),
            ContractRenewed(e) => ("contract", Some(e.contract.as_str())),
            ContractCancelled(e) => ("contract", Some(e.contract.as_str())),
            MilestoneDelivered(e) => ("contract", Some(e.contract.as_str())),
            MilestoneAccepted(e) => ("contract", Some(e.contract.as_str())),
            LineDelivered(e) => ("contract", Some(e.contract.as_str())),
            TimeApproved(e) => ("contract", Some(e.contract.as_str())),
            UsageRecorded(e) => ("contract", Some(e.contract.as_str())),
            RenewalContactLogged(e) => ("contract", Some(e.contract.as_str())),
            PartnerAttributed(e) => ("contract", Some(e.contract.as_str())),
            SpifEarned(e) => ("contract", Some(e.contract.as_str())),
            InvoiceIssued(e) => ("invoice", Some(e.invoice.as_str())),
            InvoiceDispatched(e) => ("invoice", Some(e.invoice.as_str())),
            InvoiceWrittenOff(e) => ("invoice", Some(e.invoice.as_str())),
            CreditMemoIssued(e) => ("invoice", Some(e.invoice.as_str())),
            CollectionStepTaken(e) => ("invoice", Some(e.invoice.as_str())),
            PaymentReceived(e) => ("payment", Some(e.payment.as_str())),
            PaymentApplied(e) => ("payment", Some(e.payment.as_str())),
            PaymentRefunded(e) => ("payment", Some(e.payment.as_str())),
            DisputeOpened(e) => ("dispute", Some(e.dispute.as_str())),
            DisputeReviewed(e) => ("dispute", Some(e.dispute.as_str())),
            DisputeEscalated(e) => ("dispute", Some(e.dispute.as_str())),
            DisputeResolved(e) => ("dispute", Some(e.dispute.as_str())),
            CommissionPlanDefined(e) => ("rep", Some(e.rep.as_str())),
            CommissionPaid(e) => ("rep", Some(e.rep.as_str())),
            CommissionAdjusted(e) => ("rep", Some(e.rep.as_str())),
            CommissionDisputeOpened(e) => ("commission_dispute", Some(e.dispute.as_str())),
            CommissionDisputeResolved(e) => ("commission_dispute", Some(e.dispute.as_str())),
            MdfAllocated(e) => ("partner", Some(e.partner.as_str())),
            MdfSpent(e) => ("partner", Some(e.partner.as_str())),
            FxRateSet(_) | PeriodClosed(_) => (BOOKS, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> Event {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn an_event_belongs_to_its_own_stream_only() {
        let pay = event(
            r#"{"type":"payment_received","payment":"P-1","customer":"ACME","amount":"1.00","currency":"USD","received_on":"2026-02-10","method":"wire"}"#,
        );
        let close = event(r#"{"type":"period_closed","period":"2026-01","closed_on":"2026-02-05"}"#);
        assert!(pay.belongs_to(&pay.stream()) && close.belongs_to(&close.stream()));
        assert_eq!(close.stream(), StreamId::books());
        for other in ["payment/P-10", "payment/P-", "payment", "paymentP-1", "payment//P-1", "customer/P-1", "books"] {
            assert!(!pay.belongs_to(&StreamId(other.into())), "{other}");
        }
        for other in ["books/", "book", "payment/P-1"] {
            assert!(!close.belongs_to(&StreamId(other.into())), "{other}");
        }
    }
}
