//! The invoice register behind the dashboard's invoicing figures: when each
//! invoice was issued, for how much, and whether it lacks a PO number its
//! contract requires. The other projections keep open amounts, not this.

use chrono::NaiveDate;
use revops_core::Currency;
use revops_events::{Envelope, Event, EventTypes};

use crate::amounts::minor;
use crate::intern::{slot, Interner};
use crate::once::SeqGuard;
use crate::Projection;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Invoice {
    pub(crate) issued: bool,
    pub(crate) currency: Currency,
    pub(crate) issued_on: NaiveDate,
    /// Amount plus tax of every line, in minor units.
    pub(crate) total: i64,
    /// No PO number, on a contract that requires one.
    pub(crate) missing_po: bool,
}

const NOT_ISSUED: Invoice =
    Invoice { issued: false, currency: Currency::USD, issued_on: NaiveDate::MIN, total: 0, missing_po: false };

/// Invoices as issued, and which contracts require a PO number.
#[derive(Clone, Debug, Default)]
pub(crate) struct InvoiceRegister {
    guard: SeqGuard,
    invoice_ids: Interner,
    contract_ids: Interner,
    invoices: Vec<Invoice>,
    /// Indexed by contract id: the contract requires a PO number.
    po_required: Vec<bool>,
}

impl InvoiceRegister {
    /// Every issued invoice with its id.
    pub(crate) fn invoices(&self) -> impl Iterator<Item = (&str, &Invoice)> {
        self.invoices
            .iter()
            .enumerate()
            .filter(|(_, invoice)| invoice.issued)
            .map(|(id, invoice)| (self.invoice_ids.name(id as u32), invoice))
    }
}

impl Projection for InvoiceRegister {
    const READS: EventTypes = EventTypes::NONE.with("contract_signed").with("invoice_issued");

    fn apply(&mut self, envelope: &Envelope) {
        if !self.guard.first_time(envelope.seq) {
            return;
        }
        match &envelope.event {
            Event::ContractSigned(e) => {
                let id = self.contract_ids.intern(e.contract.as_str());
                *slot(&mut self.po_required, id, false) = e.po_required;
            }
            Event::InvoiceIssued(e) => {
                let id = self.invoice_ids.intern(e.invoice.as_str());
                let invoice = slot(&mut self.invoices, id, NOT_ISSUED);
                if invoice.issued {
                    return;
                }
                let contract = self.contract_ids.get(e.contract.as_str());
                let po_required = contract.is_some_and(|c| self.po_required.get(c as usize).copied().unwrap_or(false));
                let no_po = e.po_number.as_deref().is_none_or(|po| po.trim().is_empty());
                *invoice = Invoice {
                    issued: true,
                    currency: e.currency,
                    issued_on: e.issued_on,
                    total: minor(e.total().amount, e.currency).unwrap_or(0),
                    missing_po: po_required && no_po,
                };
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use revops_events::jsonl::{import, ImportOptions};
    use revops_events::{EventLog, MemoryLog, Seq};

    use super::*;

    #[test]
    fn the_register_reads_every_type_it_folds() {
        let mut log = MemoryLog::default();
        // The sample book and an invoice without the PO number its
        // contract requires.
        let no_po = r#"{"type":"invoice_issued","invoice":"INV-NO-PO","customer":"ACME","contract":"C-1001","issued_on":"2026-12-15","due_on":"2027-01-14","currency":"USD","lines":[{"line":"PLAT","description":"Services","amount":"100.00","tax":"0.00"}]}"#;
        let book = format!("{}{no_po}\n", include_str!("../../../examples/book.jsonl"));
        import(&mut log, book.as_bytes(), ImportOptions::new("2027-01-04T08:00:00Z".parse().expect("a time"))).unwrap();
        let mut own = InvoiceRegister::default();
        log.replay_types(Seq(0), InvoiceRegister::READS, &mut |e| own.apply(e)).unwrap();
        let mut all = InvoiceRegister::default();
        log.read(Seq(0)).for_each(|e| all.apply(&e.unwrap()));
        let listed = |r: &InvoiceRegister| r.invoices().map(|(id, i)| format!("{id} {i:?}")).collect::<Vec<_>>();
        assert_eq!(listed(&own), listed(&all));
        // Known from the contract's `contract_signed` only.
        let missing: Vec<_> = own.invoices().filter(|(_, i)| i.missing_po).map(|(id, _)| id).collect();
        assert_eq!(missing, ["INV-NO-PO"]);
    }
}
