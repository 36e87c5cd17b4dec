//! The bill run: every invoice the contracts' billing schedules make due by a
//! date, issued through the same rules as `issue_invoice`.
//!
//! For each contract, each term (the current one and those before a
//! renewal, which may still owe last month's usage) is read as in force on
//! the run date: the modifications effective by then folded into its lines
//! (an added line joins from its start, by default the effective date; an
//! amendment's price is billed over the periods not billed yet, with no
//! true-up of those that were; a removal stops the line's later periods). It
//! is handed to revops-core's [`billing_schedule`] with what was performed:
//! accepted milestones, approved time, recorded usage. Every installment
//! whose invoice date is on or before the run date is due. From it the run
//! drops the lines that are already billed, those of a removed line or a
//! cancelled contract for a period starting on or after the removal or
//! cancellation, and zero charges; what is left is one invoice.
//!
//! # Never twice
//!
//! A contract line's period counts as billed when any invoice of the
//! contract carries a line for that contract line with a period of that
//! start, wherever the invoice came from (an earlier run, an import, the
//! simulation). The start alone says: an amendment of the line's end date
//! moves the end of its last period, which stays billed (no true-up). An
//! invoice line that names the contract line but no period (a milestone or
//! a license invoiced by hand) covers that line's earliest installments not
//! billed by period, by amount: fully covered ones are not billed again, a
//! partly covered one bills only the rest. So a run repeated on the same
//! day, or on any earlier day, issues nothing new, and a later run bills
//! only what fell due since.
//!
//! # The invoice
//!
//! - id: `{contract}-{period start}`, e.g. `C-1-2026-02-15`; when another
//!   invoice holds that id (two installments of a contract can start on the
//!   same day: a month of usage and a subscription month), `-2`, `-3`, …
//!   The event id is derived from the content as for every command, so a
//!   run retried by a second writer with the same view is a no-op in the log.
//! - issued on the run date, due by the contract's payment terms from it
//!   (`net_N`: N days later, `upfront`: the same day): an invoice issued late
//!   (a run skipped, a credit hold released) is not due before it is sent.
//! - the contract's PO number; the contract line's product as description;
//!   each line's period.
//! - tax per line: the line amount times the rate of the contract's tax
//!   jurisdiction, rounded half up to the minor unit
//!   ([`revops_core::tax::TaxRate::tax`]); none on a tax-exempt contract. A
//!   jurisdiction missing from the table refuses that invoice
//!   ([`Error::NoTaxRate`]), it is never billed without tax.
//!
//! # Withheld and refused
//!
//! An invoice due to a customer on credit hold is withheld: reported, not
//! issued, and billed by the first run after the hold is released. An
//! invoice the rules refuse (no PO number where one is required, say) and a
//! contract whose terms give no schedule are reported with the error; the
//! run goes on with the rest. Only a failure of the log itself ends the run
//! early with an error: what was appended stays, and running again issues
//! the rest.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use revops_core::billing::{billing_schedule, BillingSettings, Installment};
use revops_core::performance::{MilestoneAcceptance, Performance};
use revops_core::tax::{TaxRate, TaxRates};
use revops_core::terms::Contract;
use revops_core::{Currency, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::in_force::{terms_in_force, InForce};
use super::state::ContractState;
use super::Ledger;
use crate::event::{InvoiceIssued, InvoiceLine};
use crate::ids::{ContractId, CustomerId, InvoiceId, LineId};
use crate::log::EventLog;
use crate::text::Text;
use crate::{Error, Event};

/// The most suffixes tried for a free invoice id of one contract and period
/// start.
const MAX_ID_SUFFIX: u32 = 1_000;

/// One line of an invoice of a bill run; amounts in the invoice currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillRunLine {
    /// The contract line billed.
    pub line: String,
    /// Amount before tax.
    pub amount: String,
    /// Tax on the amount.
    pub tax: String,
}

/// An invoice a bill run issued or withheld.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillRunInvoice {
    /// The invoice id (for a withheld invoice, the id it would have had).
    pub invoice: InvoiceId,
    /// The contract billed.
    pub contract: ContractId,
    /// The bill-to customer.
    pub customer: CustomerId,
    /// First day billed.
    pub period_start: NaiveDate,
    /// Last day billed, inclusive.
    pub period_end: NaiveDate,
    /// Invoice date: the run date.
    pub issued_on: NaiveDate,
    /// Due date, by the contract's payment terms.
    pub due_on: NaiveDate,
    /// The contract currency.
    pub currency: Currency,
    /// The customer's purchase order.
    pub po_number: Option<String>,
    /// Sum of the line amounts, before tax.
    pub amount: String,
    /// Sum of the line taxes.
    pub tax: String,
    /// Amount plus tax.
    pub total: String,
    /// One line per contract line billed, in contract line order.
    pub lines: Vec<BillRunLine>,
}

/// Something due that a bill run could not invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillRunRefusal {
    /// The contract.
    pub contract: ContractId,
    /// Its customer.
    pub customer: CustomerId,
    /// The invoice refused; absent when the contract's terms gave no
    /// schedule at all.
    pub invoice: Option<InvoiceId>,
    /// First day it would have billed.
    pub period_start: Option<NaiveDate>,
    /// Last day it would have billed.
    pub period_end: Option<NaiveDate>,
    /// Why, as the typed error displays.
    pub error: String,
}

/// What a bill run did; each list sorted by contract, period and invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillRun {
    /// The run date.
    pub as_of: NaiveDate,
    /// Invoices issued (appended to the log).
    pub issued: Vec<BillRunInvoice>,
    /// Invoices due to customers on credit hold, not issued.
    pub withheld: Vec<BillRunInvoice>,
    /// Invoices (or contracts) refused, with the error.
    pub refused: Vec<BillRunRefusal>,
}

/// One installment's unbilled charges.
struct Draft {
    contract: ContractId,
    customer: CustomerId,
    period_start: NaiveDate,
    period_end: NaiveDate,
    /// (contract line, product, amount), in contract line order.
    lines: Vec<(String, String, Money)>,
}

impl<L: EventLog> Ledger<L> {
    /// Issues every invoice due by `as_of` that no invoice bills yet, with
    /// tax from `rates`; see the [module docs](self). Fails only when the log
    /// fails; refusals of single invoices are in the report.
    pub fn bill_run(
        &mut self,
        as_of: NaiveDate,
        rates: &TaxRates,
        recorded_at: DateTime<Utc>,
    ) -> Result<BillRun, Error> {
        let mut run = BillRun { as_of, issued: Vec::new(), withheld: Vec::new(), refused: Vec::new() };
        let mut drafts = Vec::new();
        // Contracts whose terms give no schedule are refused whole.
        for (id, contract) in &self.state().contracts {
            if let Err(error) = due_drafts(id, contract, as_of, &mut drafts) {
                run.refused.push(BillRunRefusal {
                    contract: id.clone(),
                    customer: contract.customer.clone(),
                    invoice: None,
                    period_start: None,
                    period_end: None,
                    error: error.to_string(),
                });
            }
        }
        let planned = drafts.len() + run.refused.len();
        let mut reserved = BTreeSet::new();
        // Bounded by the installments of the contracts' schedules.
        for draft in drafts {
            let invoice = self.free_invoice_id(&draft, &reserved);
            if let Ok(id) = &invoice {
                reserved.insert(id.clone());
            }
            match invoice.and_then(|id| self.draft_invoice(&draft, id, as_of, rates)) {
                Err(error) => run.refused.push(refusal(&draft, None, &error)),
                Ok((event, report)) => {
                    let on_hold = self.state().customer(&draft.customer).is_some_and(|c| c.on_credit_hold);
                    if on_hold {
                        run.withheld.push(report);
                    } else {
                        // Checked here rather than left to `execute`, so that
                        // a refusal is told apart from a failing log.
                        let event = Event::InvoiceIssued(event);
                        match self.check(&event) {
                            Err(error) => run.refused.push(refusal(&draft, Some(report.invoice), &error)),
                            Ok(()) => {
                                self.execute(event, recorded_at)?;
                                run.issued.push(report);
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(
            run.issued.len() + run.withheld.len() + run.refused.len(),
            planned,
            "every due installment is issued, withheld or refused, once"
        );
        let key = |i: &BillRunInvoice| (i.contract.clone(), i.period_start, i.period_end, i.invoice.clone());
        run.issued.sort_by_key(key);
        run.withheld.sort_by_key(key);
        run.refused.sort_by_key(|r| (r.contract.clone(), r.period_start, r.period_end, r.invoice.clone()));
        Ok(run)
    }

    /// `{contract}-{period start}`, or the first of its `-n` forms that no
    /// invoice of the ledger or of this run (`reserved`) holds.
    fn free_invoice_id(&self, draft: &Draft, reserved: &BTreeSet<InvoiceId>) -> Result<InvoiceId, Error> {
        let base = format!("{}-{}", draft.contract, draft.period_start);
        for n in 1..=MAX_ID_SUFFIX {
            let id = if n == 1 { InvoiceId::new(base.clone())? } else { InvoiceId::new(format!("{base}-{n}"))? };
            if self.state().invoice(&id).is_none() && !reserved.contains(&id) {
                return Ok(id);
            }
        }
        Err(Error::InvalidField {
            entity: "invoice",
            id: base,
            field: "invoice",
            problem: "has no free id: 1000 invoices of the contract start that day",
        })
    }

    /// The `invoice_issued` of `draft` as `id`, and its report line.
    fn draft_invoice(
        &self,
        draft: &Draft,
        id: InvoiceId,
        as_of: NaiveDate,
        rates: &TaxRates,
    ) -> Result<(InvoiceIssued, BillRunInvoice), Error> {
        let contract = self.state().contract(&draft.contract).ok_or_else(|| Error::UnknownEntity {
            entity: "contract",
            id: draft.contract.to_string(),
            field: "contract",
        })?;
        let rate = tax_rate(&draft.contract, contract, rates)?;
        let currency = contract.currency;
        let due_on = contract.terms.payment_terms.due_date(as_of)?;
        let (mut amount, mut tax) = (Money::zero(currency), Money::zero(currency));
        let mut lines = Vec::with_capacity(draft.lines.len());
        let mut report_lines = Vec::with_capacity(draft.lines.len());
        for (line, product, charge) in &draft.lines {
            let line_tax = match rate {
                Some(rate) => minor_places(rate.tax(*charge)?)?,
                None => Money::zero(currency),
            };
            amount = amount.checked_add(*charge)?;
            tax = tax.checked_add(line_tax)?;
            lines.push(InvoiceLine {
                line: Some(LineId::new(line.clone())?),
                description: product.as_str().into(),
                amount: charge.amount,
                tax: line_tax.amount,
                period_start: Some(draft.period_start),
                period_end: Some(draft.period_end),
            });
            report_lines.push(BillRunLine {
                line: line.clone(),
                amount: charge.amount.to_string(),
                tax: line_tax.amount.to_string(),
            });
        }
        let total = amount.checked_add(tax)?;
        let event = InvoiceIssued {
            invoice: id.clone(),
            customer: draft.customer.clone(),
            contract: draft.contract.clone(),
            issued_on: as_of,
            due_on,
            currency,
            po_number: contract.po_number.as_deref().map(Text::from),
            lines,
        };
        let report = BillRunInvoice {
            invoice: id,
            contract: draft.contract.clone(),
            customer: draft.customer.clone(),
            period_start: draft.period_start,
            period_end: draft.period_end,
            issued_on: as_of,
            due_on,
            currency,
            po_number: contract.po_number.clone(),
            amount: minor_places(amount)?.amount.to_string(),
            tax: minor_places(tax)?.amount.to_string(),
            total: minor_places(total)?.amount.to_string(),
            lines: report_lines,
        };
        Ok((event, report))
    }
}

fn refusal(draft: &Draft, invoice: Option<InvoiceId>, error: &Error) -> BillRunRefusal {
    BillRunRefusal {
        contract: draft.contract.clone(),
        customer: draft.customer.clone(),
        invoice,
        period_start: Some(draft.period_start),
        period_end: Some(draft.period_end),
        error: error.to_string(),
    }
}

/// The rate `contract` is taxed at: none when it is exempt.
fn tax_rate(id: &ContractId, contract: &ContractState, rates: &TaxRates) -> Result<Option<TaxRate>, Error> {
    if contract.tax_exempt {
        return Ok(None);
    }
    let jurisdiction = contract.tax_jurisdiction.as_deref();
    match jurisdiction.and_then(|j| rates.rate(j)) {
        Some(rate) => Ok(Some(rate)),
        None => Err(Error::NoTaxRate { contract: id.clone(), jurisdiction: jurisdiction.map(str::to_string) }),
    }
}

/// `money` written with exactly its currency's minor places (`10.00`, not
/// `10.0`), so that reports and invoices read the same whatever the scale
/// arithmetic left.
fn minor_places(money: Money) -> Result<Money, Error> {
    Ok(Money::from_minor(money.to_minor()?, money.currency))
}

/// Appends to `out` the unbilled charges of `contract` due by `as_of`, one
/// draft per installment with anything left to bill.
fn due_drafts(id: &ContractId, contract: &ContractState, as_of: NaiveDate, out: &mut Vec<Draft>) -> Result<(), Error> {
    // Consumed by the earliest unbilled installments, in schedule order, the
    // same way on every run: the cover never moves to a later period.
    let mut cover = contract.billed_without_period.clone();
    for term in terms_in_force(contract, as_of) {
        let performance = performed(contract, &term.terms);
        let schedule = billing_schedule(&term.terms, &performance, BillingSettings::default())
            .map_err(|source| super::rules::terms_error(id, source))?;
        for installment in schedule.installments.iter().filter(|i| i.invoice_date <= as_of) {
            let lines = unbilled(contract, &term, installment, &mut cover)?;
            if !lines.is_empty() {
                out.push(Draft {
                    contract: id.clone(),
                    customer: contract.customer.clone(),
                    period_start: installment.period_start,
                    period_end: installment.period_end,
                    lines,
                });
            }
        }
    }
    Ok(())
}

/// The lines of `installment` still to bill: not billed yet, not zero, and
/// neither removed nor cancelled by the period's start. An amount a line
/// was billed without a period (`cover`) is taken off its earliest
/// installments first.
fn unbilled(
    contract: &ContractState,
    term: &InForce,
    installment: &Installment,
    cover: &mut BTreeMap<String, Decimal>,
) -> Result<Vec<(String, String, Money)>, Error> {
    let start = installment.period_start;
    let gone = |on: Option<NaiveDate>| on.is_some_and(|on| on <= start);
    if gone(contract.cancelled_on) {
        return Ok(Vec::new());
    }
    let mut lines = Vec::new();
    for l in &installment.lines {
        if l.amount.amount <= Decimal::ZERO
            || gone(term.removed_on(&l.line))
            || contract.billed.contains(&(l.line.clone(), start))
        {
            continue;
        }
        let covered = cover.get_mut(&l.line).map_or(Decimal::ZERO, |c| {
            let taken = (*c).min(l.amount.amount);
            *c -= taken;
            taken
        });
        let amount = Money::new(l.amount.amount - covered, l.amount.currency);
        if amount.amount > Decimal::ZERO {
            let product = term.terms.lines.iter().find(|c| c.line == l.line).map(|c| c.product.clone());
            lines.push((l.line.clone(), product.unwrap_or_default(), minor_places(amount)?));
        }
    }
    Ok(lines)
}

/// What was performed on the lines of `terms`: their milestone acceptances,
/// approved time and usage.
fn performed(contract: &ContractState, terms: &Contract) -> Performance {
    let of_term = |line: &str| terms.lines.iter().any(|l| l.line == line);
    let mut performance = Performance::default();
    for line in &terms.lines {
        let Some(state) = contract.lines.get(&line.line) else { continue };
        for (milestone, m) in &state.milestones {
            if let Some(accepted_on) = m.accepted_on {
                performance.milestones_accepted.push(MilestoneAcceptance {
                    line: line.line.clone(),
                    milestone: milestone.clone(),
                    accepted_on,
                });
            }
        }
    }
    let performed = &contract.performance;
    performance.time_approved = performed.time_approved.iter().filter(|t| of_term(&t.line)).cloned().collect();
    performance.usage_recorded = performed.usage_recorded.iter().filter(|u| of_term(&u.line)).cloned().collect();
    performance
}
